/*
 * crmweaver-bench memory-policy: what the memory policy answers with no
 * model (issue 27, "Numbers"), on orgs and seeds the code was not developed
 * on, beside today's policy and the always-None baseline.
 *
 * Per org (crmw_gen at --scale; 150 tasks per family, 30% test, as
 * tests/unit/test_induce_eval.c) and per training size N (--sizes), every
 * test task of every family is scored by its own reward under:
 *
 *  - programs: programs induced from the gold episodes of the first N train
 *    tasks of each family, answered by crmw__induced_next step by step
 *    against the gold runner's registry (bench/induce_eval.c, the code the
 *    test runs); at the largest N also with the family's programs taken
 *    out and its label withheld (held out: it must abstain);
 *  - plans and memory+programs: today's memory policy through the agent, as
 *    docs/backends.md runs it: a store trained by the gold backend with
 *    memory.write and memory.programs on the same first N train tasks of
 *    each family (a fresh store per N), then the test split with the memory
 *    policy, options {"programs": false} (plans only) and {"programs":
 *    true}; sizes above --agent-max (default: none) skip these two, which
 *    take more than half of the run at 100;
 *  - None: "None" to every task (crmw_task_set_baselines, policy "none").
 *
 * Prints a table per family and the totals of the structured families, the
 * time to induce (per org and N) and to answer (the interpreter's time per
 * task, tool calls excluded: p50, p90); -o FILE writes every number as one
 * JSON document, --json prints it instead of the tables.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"
#include "induce_eval.h"
#include "tasks/synth.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The policies, in the order they are printed. */
enum { P_PROGRAMS, P_PLANS, P_MEMPROG, P_NONE, NPOL };
static const char *const pol_key[NPOL] = {"programs", "plans", "memory_programs", "none"};
static const char *const pol_name[NPOL] = {"programs", "plans", "memory+programs", "None"};

typedef struct policy_run {
	const bench_policy_conf *c;
	json_t *orgs;		/* "profile:seed" -> that org's results */
	induce_eval_time *times; /* the interpreter's time on every task run, all orgs */
	size_t ntimes;
	char why[4096];
} policy_run;

/* ----------------------------------------------------------- options */

int bench_policy_orgs(const char *s, bench_policy_org *out, int max)
{
	int n = 0;
	const char *p = s;
	while (*p) {
		const char *colon = strchr(p, ':'), *comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		if (!colon || colon > comma || n == max)
			return -1;
		size_t plen = (size_t)(colon - p);
		bool known = false;
		static const char *const profiles[] = {"b2b", "b2c", "crmarena"};
		for (size_t k = 0; k < 3; k++)
			known = known || (strlen(profiles[k]) == plen && !strncmp(p, profiles[k], plen));
		if (!known)
			return -1;
		char *end;
		errno = 0;
		long v = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || end != comma || errno || v < 0 || v > 1000000 || colon[1] == '-' || colon[1] == '+')
			return -1;
		snprintf(out[n].profile, sizeof out[n].profile, "%.*s", (int)plen, p);
		out[n].seed = (int)v;
		for (int k = 0; k < n; k++)
			if (!strcmp(out[k].profile, out[n].profile) && out[k].seed == out[n].seed)
				return -1;
		n++;
		p = *comma ? comma + 1 : comma;
		if (*comma && !*p)
			return -1;
	}
	return n ? n : -1;
}

/* ------------------------------------------------------ the agent runs */

/* What the agent runs of one policy and size counted besides the verdicts. */
typedef struct agent_counts {
	int backend_errors;
	int by_program, by_plan; /* answers given by a program, by a plan */
} agent_counts;

/* Run one task through the agent; its trajectory's verdict, or -1 with
 * why[].  A wrong answer is reported on stderr (as bench/induce_eval.c
 * reports the programs' own), with `what` (the policy and size). */
static int agent_task(crmw_agent *a, const json_t *task, const char *what, agent_counts *n, char *why, size_t len)
{
	char *text = json_dumps(task, JSON_COMPACT);
	if (!text) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	crmw_buf out = CRMW_BUF_INIT;
	int rc = crmw_agent_run(&out, a, text, NULL);
	free(text);
	json_t *t = rc == CRMW_OK || rc == CRMW_EUSER ? json_loadb(out.data ? out.data : "", out.len, 0, NULL) : NULL;
	crmw_buf_dispose(&out);
	if (!t) {
		snprintf(why, len, "the episode of %s: %s", json_string_value(json_object_get(task, "id")),
			 rc ? crmw_agent_errmsg(a) : "no trajectory");
		return -1;
	}
	double reward = json_number_value(json_object_get(t, "reward"));
	const char *end = json_string_value(json_object_get(t, "end_reason"));
	int v = reward == 1.0 ? INDUCE_EVAL_SOLVED
		: end && !strcmp(end, "answered") ? INDUCE_EVAL_WRONG
						   : INDUCE_EVAL_ABSTAINED;
	const char *kind = json_string_value(json_object_get(json_object_get(t, "plan"), "kind"));
	bool program = kind && !strcmp(kind, "program");
	n->backend_errors += end && !strcmp(end, "backend_error");
	if (v != INDUCE_EVAL_ABSTAINED && json_is_object(json_object_get(t, "plan"))) {
		n->by_program += program;
		n->by_plan += !program;
	}
	if (v == INDUCE_EVAL_WRONG)
		fprintf(stderr, "# WRONG %s %s (%s): %s: %.100s -> %.300s\n", what, crmw__task_family(task),
			program ? "a program" : "a plan", json_string_value(json_object_get(task, "id")),
			json_string_value(json_object_get(task, "query")), json_string_value(json_object_get(t, "answer")));
	json_decref(t);
	return v;
}

/* The store at `path` and an agent over the org that uses it: to train
 * (the store created, the gold backend, agent options memory.write and
 * memory.programs) or to test (the store read-only, as `crmweaver run
 * --backend memory` opens it, and the memory policy with options `popts`).
 * The caller frees both, also after a failure. */
static int agent_open(crmw_memory **mem, crmw_agent **a, const induce_eval_org *o, const char *path, const char *popts,
		      char *why, size_t len)
{
	*mem = NULL;
	*a = NULL;
	int rc = crmw_memory_open(mem, path, popts ? "{\"readonly\":true}" : "{\"create\":true}");
	if (rc) {
		snprintf(why, len, "memory %.600s: %s", path, crmw_last_error());
		return rc;
	}
	crmw_backend b;
	rc = popts ? crmw_backend_memory_policy(&b, *mem, NULL, popts) : crmw_backend_gold(&b, o->db, NULL);
	if (rc) {
		snprintf(why, len, "%s: %s", popts ? "memory policy" : "gold backend", crmw_last_error());
		return rc;
	}
	if ((rc = crmw_agent_new(a, o->db, popts ? NULL : "{\"memory\":{\"write\":true,\"programs\":true}}"))) {
		crmw_backend_dispose(&b);
		snprintf(why, len, "agent: %s", crmw_last_error());
		return rc;
	}
	if ((rc = crmw_agent_set_backend(*a, &b)) || (rc = crmw_agent_set_memory(*a, *mem)))
		snprintf(why, len, "agent: %s", crmw_agent_errmsg(*a));
	return rc;
}

/* The store of size n: the gold backend with memory.write and
 * memory.programs over the first n training tasks of each family (those
 * whose episodes the programs learn from).  Sets *seconds and *unsolved. */
static int agent_train(induce_eval_org *o, const char *path, int n, double *seconds, int *unsolved, char *why,
		       size_t len)
{
	crmw_memory *mem;
	crmw_agent *a;
	double t0 = bench_now_s();
	int rc = agent_open(&mem, &a, o, path, NULL, why, len);
	const char *fam;
	json_t *list;
	agent_counts counts = {0};
	*unsolved = 0;
	json_object_foreach(o->train_tasks, fam, list) {
		for (size_t k = 0; !rc && k < json_array_size(list) && k < (size_t)n; k++) {
			int v = agent_task(a, json_array_get(list, k), "gold training", &counts, why, len);
			if (v < 0)
				rc = CRMW_EINVALID;
			*unsolved += v > 0;
		}
	}
	crmw_agent_free(a);
	crmw_memory_free(mem);
	*seconds = bench_now_s() - t0;
	return rc;
}

/* The test split with the memory policy (options `popts`) over the store at
 * `path` into table[family][col]. */
static int agent_eval(json_t *table, const char *col, induce_eval_org *o, const json_t *tests, const char *path,
		      const char *popts, double *seconds, agent_counts *counts, char *why, size_t len)
{
	char what[160];
	snprintf(what, sizeof what, "%s@%s %s/%d", strstr(popts, "true") ? "memory+programs" : "plans", col, o->profile,
		 o->seed);
	crmw_memory *mem;
	crmw_agent *a;
	double t0 = bench_now_s();
	int rc = agent_open(&mem, &a, o, path, popts, why, len);
	size_t i;
	json_t *t;
	json_array_foreach(tests, i, t) {
		if (rc)
			break;
		int v = agent_task(a, t, what, counts, why, len);
		if (v < 0)
			rc = CRMW_EINVALID;
		else if (!induce_eval_add(table, crmw__task_family(t), col, v, 1))
			rc = CRMW_ENOMEM;
	}
	crmw_agent_free(a);
	crmw_memory_free(mem);
	*seconds = bench_now_s() - t0;
	return rc;
}

/* ------------------------------------------------------------- one org */

/* "None" to every test task, by the reward an episode gets. */
static json_t *none_baseline(induce_eval_org *o, char *why, size_t len)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_task_set_baselines(&b, o->ts, o->db, "{\"split\":\"test\",\"policies\":\"none\"}");
	json_t *doc = rc ? NULL : json_loadb(b.data, b.len, 0, NULL);
	crmw_buf_dispose(&b);
	json_t *fams = json_object_get(json_array_get(json_object_get(doc, "baselines"), 0), "families");
	json_t *out = json_object();
	const char *f;
	json_t *v;
	json_object_foreach(fams, f, v) {
		json_object_set_new(out, f, json_integer(json_integer_value(json_object_get(v, "solved"))));
	}
	json_decref(doc);
	if (!fams || !out) {
		snprintf(why, len, "the None baseline: %s", rc ? crmw_last_error() : "not the expected document");
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Per family: the test tasks and those whose gold answer is None, into
 * two new objects. */
static int test_counts(const json_t *tests, json_t **ntest, json_t **gold_none)
{
	*ntest = json_object();
	*gold_none = json_object();
	size_t i;
	json_t *t;
	json_array_foreach(tests, i, t) {
		const char *f = crmw__task_family(t);
		json_t *gl = crmw__gold_list(json_object_get(t, "answer"));
		bool none = json_array_size(gl) == 0;
		json_decref(gl);
		if (!gl || !*ntest || !*gold_none)
			return CRMW_ENOMEM;
		if (json_object_set_new(*ntest, f, json_integer(json_integer_value(json_object_get(*ntest, f)) + 1)) ||
		    json_object_set_new(*gold_none, f, json_integer(json_integer_value(json_object_get(*gold_none, f)) + none)))
			return CRMW_ENOMEM;
	}
	return *ntest && *gold_none ? CRMW_OK : CRMW_ENOMEM;
}

/* Today's policy at every size up to --agent-max: a fresh store trained,
 * then the test split with plans only and with programs, into
 * plans[family][size], memprog[family][size] and agent[size] (the
 * timings and counts). */
static int agent_runs(policy_run *r, induce_eval_org *o, const char *dir, const char *name, const json_t *tests,
		      json_t *plans, json_t *memprog, json_t *agent)
{
	const bench_policy_conf *c = r->c;
	int rc = CRMW_OK;
	for (int s = 0; !rc && s < c->nsizes && c->sizes[s] <= c->agent_max; s++) {
		char col[16], mem[4500], file[32];
		snprintf(col, sizeof col, "%d", c->sizes[s]);
		snprintf(file, sizeof file, "mem-%d.db", c->sizes[s]);
		snprintf(mem, sizeof mem, "%s/%s", dir, file);
		if (!c->json)
			fprintf(stderr, "== %s: the memory policy, trained on %d tasks per family\n", name, c->sizes[s]);
		double train_s = 0, plans_s = 0, prog_s = 0;
		int unsolved = 0;
		agent_counts pc = {0}, mc = {0};
		rc = agent_train(o, mem, c->sizes[s], &train_s, &unsolved, r->why, sizeof r->why);
		if (!rc)
			rc = agent_eval(plans, col, o, tests, mem, "{\"programs\":false}", &plans_s, &pc, r->why,
					sizeof r->why);
		if (!rc)
			rc = agent_eval(memprog, col, o, tests, mem, "{\"programs\":true}", &prog_s, &mc, r->why,
					sizeof r->why);
		bench_remove_db(dir, file);
		if (!rc && json_object_set_new(agent, col,
					       json_pack("{s:f, s:f, s:f, s:i, s:i, s:i, s:i}", "train_s", train_s, "plans_s",
							 plans_s, "memory_programs_s", prog_s, "train_unsolved", unsolved,
							 "backend_errors", pc.backend_errors + mc.backend_errors,
							 "memory_programs_by_program", mc.by_program, "memory_programs_by_plan",
							 mc.by_plan)))
			rc = CRMW_ENOMEM;
	}
	return rc;
}

/* Keep the interpreter's times of e in r. */
static int keep_times(policy_run *r, const induce_eval *e)
{
	if (!e->n_answer)
		return CRMW_OK;
	induce_eval_time *grown = realloc(r->times, (r->ntimes + e->n_answer) * sizeof *grown);
	if (!grown)
		return CRMW_ENOMEM;
	memcpy(grown + r->ntimes, e->answer, e->n_answer * sizeof *grown);
	r->times = grown;
	r->ntimes += e->n_answer;
	return CRMW_OK;
}

/* Everything of one org into r->orgs[name]: "tables" (policy -> family ->
 * {"<size>": [solved, wrong, abstained]}; programs also "held_out"),
 * "none" (family -> solved), "test_tasks" and "gold_none" (family ->
 * count), "induce_ms" and "agent" (size -> timings), "setup_s". */
static int run_org(policy_run *r, const bench_policy_org *org, const char *name)
{
	const bench_policy_conf *c = r->c;
	char dir[4400];
	snprintf(dir, sizeof dir, "%s/%s-%d", c->dir, org->profile, org->seed);
	if (mkdir(dir, 0700) != 0) {
		snprintf(r->why, sizeof r->why, "cannot make %.600s: %s", dir, strerror(errno));
		return CRMW_EIO;
	}
	if (!c->json)
		fprintf(stderr, "== %s: the org, its tasks and the gold episodes\n", name);
	double t0 = bench_now_s();
	induce_eval_org o;
	int rc = induce_eval_org_open(&o, dir, org->profile, org->seed, c->scale, c->sizes[c->nsizes - 1], r->why,
				      sizeof r->why);
	double setup_s = bench_now_s() - t0;
	json_t *tests = rc ? NULL : induce_eval_test_tasks(&o), *ntest = NULL, *gold_none = NULL, *none = NULL;
	if (!rc && !tests)
		rc = CRMW_ENOMEM;
	if (!rc)
		rc = test_counts(tests, &ntest, &gold_none);
	if (!rc && !(none = none_baseline(&o, r->why, sizeof r->why)))
		rc = CRMW_EINVALID;
	/* the programs, induced from the gold episodes */
	double *ims = calloc((size_t)c->nsizes, sizeof *ims);
	induce_eval e = {.sizes = c->sizes, .nsizes = c->nsizes, .induce_ms = ims};
	if (!rc && !ims)
		rc = CRMW_ENOMEM;
	if (!rc && !c->json)
		fprintf(stderr, "== %s: programs induced from %d to %d tasks per family\n", name, c->sizes[0],
			c->sizes[c->nsizes - 1]);
	if (!rc)
		rc = induce_eval_org_run(&e, &o, r->why, sizeof r->why);
	if (!rc)
		rc = keep_times(r, &e);
	/* today's policy, through the agent */
	json_t *plans = json_object(), *memprog = json_object(), *agent = json_object(), *ind = json_object();
	if (!rc && (!plans || !memprog || !agent || !ind))
		rc = CRMW_ENOMEM;
	if (!rc)
		rc = agent_runs(r, &o, dir, name, tests, plans, memprog, agent);
	for (int s = 0; !rc && s < c->nsizes; s++) {
		char col[16];
		snprintf(col, sizeof col, "%d", c->sizes[s]);
		if (json_object_set_new(ind, col, json_real(ims[s])))
			rc = CRMW_ENOMEM;
	}
	json_t *res = rc ? NULL
			 : json_pack("{s:{s:O, s:O, s:O}, s:O, s:O, s:O, s:O, s:O, s:f, s:f}", "tables", "programs", e.table,
				     "plans", plans, "memory_programs", memprog, "none", none, "test_tasks", ntest,
				     "gold_none", gold_none, "induce_ms", ind, "agent", agent, "setup_s", setup_s, "wall_s",
				     bench_now_s() - t0);
	if (!rc && (!res || json_object_set_new(r->orgs, name, res)))
		rc = CRMW_ENOMEM;
	json_decref(plans);
	json_decref(memprog);
	json_decref(agent);
	json_decref(ind);
	json_decref(none);
	json_decref(tests);
	json_decref(ntest);
	json_decref(gold_none);
	induce_eval_dispose(&e);
	free(ims);
	induce_eval_org_close(&o);
	rmdir(dir);
	if (rc == CRMW_ENOMEM)
		snprintf(r->why, sizeof r->why, "out of memory");
	return rc;
}

/* ------------------------------------------------------------- results */

/* Did policy p run at size index s?  (The agent's two up to --agent-max.) */
static bool ran(const bench_policy_conf *c, int p, int s)
{
	return (p != P_PLANS && p != P_MEMPROG) || c->sizes[s] <= c->agent_max;
}

/* The key of size index s ("10"); s == nsizes: "held_out". */
static const char *col_key(char out[16], const bench_policy_conf *c, int s)
{
	if (s == c->nsizes)
		snprintf(out, 16, "held_out");
	else
		snprintf(out, 16, "%d", c->sizes[s]);
	return out;
}

/* Sum of cells [s, w, a] of `col` over the families of `list` (NULL:
 * all) in `by_family` (family -> {col: [...]}): out[0..2]. */
static void sum_cells(const json_t *by_family, const char *col, const char *const *list, int out[3])
{
	const char *f;
	json_t *row;
	json_object_foreach((json_t *)by_family, f, row) {
		if (list && !induce_eval_listed(list, f))
			continue;
		for (int k = 0; k < 3; k++)
			out[k] += induce_eval_cell(row, col, k);
	}
}

static bool add_count(json_t *obj, const char *key, json_int_t n)
{
	return json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + n)) == 0;
}

/* The sums over the orgs: {policy: {family: {"<size>": [s, w, a]}}} (None
 * as [solved, not solved, 0]; programs also "held_out"), "test_tasks" and
 * "gold_none" ({family: count}).  NULL when out of memory. */
static json_t *families_total(const policy_run *r)
{
	const bench_policy_conf *c = r->c;
	json_t *tot = json_pack("{s:{}, s:{}, s:{}, s:{}, s:{}, s:{}}", pol_key[0], pol_key[1], pol_key[2], pol_key[3],
				"test_tasks", "gold_none");
	bool ok = tot != NULL;
	const char *name;
	json_t *org;
	json_object_foreach(r->orgs, name, org) {
		const char *f;
		json_t *n;
		json_object_foreach(json_object_get(org, "test_tasks"), f, n) {
			ok = ok && add_count(json_object_get(tot, "test_tasks"), f, json_integer_value(n)) &&
			     add_count(json_object_get(tot, "gold_none"), f,
				       json_integer_value(json_object_get(json_object_get(org, "gold_none"), f)));
			int solved = (int)json_integer_value(json_object_get(json_object_get(org, "none"), f));
			for (int p = 0; ok && p < NPOL; p++) {
				json_t *dst = json_object_get(tot, pol_key[p]);
				const json_t *src = json_object_get(json_object_get(json_object_get(org, "tables"), pol_key[p]), f);
				for (int s = 0; ok && s <= c->nsizes; s++) {
					char col[16];
					if (s == c->nsizes ? p != P_PROGRAMS : !ran(c, p, s))
						continue;
					col_key(col, c, s);
					int add[3] = {solved, (int)json_integer_value(n) - solved, 0};
					for (int k = 0; p != P_NONE && k < 3; k++)
						add[k] = induce_eval_cell(src, col, k);
					for (int k = 0; k < 3; k++)
						ok = ok && induce_eval_add(dst, f, col, k, add[k]);
				}
			}
		}
	}
	if (!ok)
		json_decref(tot);
	return ok ? tot : NULL;
}

static double ratio(int a, int b)
{
	return b > 0 ? (double)a / b : -1;
}

/* The totals of the structured families per policy and size (solved,
 * wrong, abstained, tasks, solved_pct) into doc["structured"], and the
 * ratios of the programs' solved to the others' into doc["ratios"]. */
static void structured_totals(json_t *doc, const json_t *tot, const bench_policy_conf *c)
{
	json_t *st = json_object(), *ratios = json_object();
	int solved[NPOL][8] = {{0}};
	char col[16];
	for (int p = 0; p < NPOL; p++) {
		json_t *pj = json_object();
		for (int s = 0; s < c->nsizes; s++) {
			if (!ran(c, p, s))
				continue;
			int sum[3] = {0};
			sum_cells(json_object_get(tot, pol_key[p]), col_key(col, c, s), induce_eval_structured, sum);
			int tasks = sum[0] + sum[1] + sum[2];
			solved[p][s] = sum[0];
			json_object_set_new(pj, col,
					    json_pack("{s:i, s:i, s:i, s:i, s:f}", "solved", sum[0], "wrong", sum[1], "abstained",
						      sum[2], "tasks", tasks, "solved_pct", tasks ? 100.0 * sum[0] / tasks : 0.0));
		}
		json_object_set_new(st, pol_key[p], pj);
	}
	for (int s = 0; s < c->nsizes; s++) {
		double vp = ran(c, P_PLANS, s) ? ratio(solved[P_PROGRAMS][s], solved[P_PLANS][s]) : -1;
		double vm = ran(c, P_MEMPROG, s) ? ratio(solved[P_PROGRAMS][s], solved[P_MEMPROG][s]) : -1;
		double vn = ratio(solved[P_PROGRAMS][s], solved[P_NONE][s]);
		json_object_set_new(ratios, col_key(col, c, s),
				    json_pack("{s:o, s:o, s:o}", "programs_vs_plans", vp >= 0 ? json_real(vp) : json_null(),
					      "programs_vs_memory_programs", vm >= 0 ? json_real(vm) : json_null(),
					      "programs_vs_none", vn >= 0 ? json_real(vn) : json_null()));
	}
	json_object_set_new(doc, "structured", st);
	json_object_set_new(doc, "ratios", ratios);
}

/* The table per family (a row per policy, a column per size), then the
 * structured totals and the ratios. */
static void print_tables(const json_t *doc, const json_t *tot, const bench_policy_conf *c)
{
	char cell[64], col[16];
	printf("\nsolved/wrong/abstained per family and training tasks per family, summed over the orgs "
	       "(None: solved)\n");
	printf("%-46s %-16s", "family (test tasks, gold None)", "policy");
	for (int s = 0; s < c->nsizes; s++)
		printf(" %13d", c->sizes[s]);
	printf("\n");
	const char *f;
	json_t *n;
	json_object_foreach(json_object_get(tot, "test_tasks"), f, n) {
		for (int p = 0; p < NPOL; p++) {
			char label[96] = "";
			if (p == 0)
				snprintf(label, sizeof label, "%s (%lld, %lld)%s", f, json_integer_value(n),
					 json_integer_value(json_object_get(json_object_get(tot, "gold_none"), f)),
					 crmw__family_reads_text(f) ? " *" : "");
			printf("%-46s %-16s", label, pol_name[p]);
			const json_t *row = json_object_get(json_object_get(tot, pol_key[p]), f);
			for (int s = 0; s < c->nsizes; s++) {
				col_key(col, c, s);
				if (!json_object_get(row, col))
					snprintf(cell, sizeof cell, "-");
				else if (p == P_NONE)
					snprintf(cell, sizeof cell, "%d", induce_eval_cell(row, col, 0));
				else
					snprintf(cell, sizeof cell, "%d/%d/%d", induce_eval_cell(row, col, 0),
						 induce_eval_cell(row, col, 1), induce_eval_cell(row, col, 2));
				printf(" %13s", cell);
			}
			printf("\n");
		}
	}
	printf("* free text: its answers need reading text, so no policy without a model may count them "
	       "(docs/backends.md)\n");
	printf("\nstructured families (%zu), summed over the orgs: solved/tasks (%%), wrong\n",
	       json_array_size(json_object_get(doc, "structured_families")));
	printf("%-26s", "policy");
	for (int s = 0; s < c->nsizes; s++)
		printf(" %26d", c->sizes[s]);
	printf("\n");
	const json_t *st = json_object_get(doc, "structured");
	for (int p = 0; p < NPOL; p++) {
		printf("%-26s", pol_name[p]);
		for (int s = 0; s < c->nsizes; s++) {
			const json_t *v = json_object_get(json_object_get(st, pol_key[p]), col_key(col, c, s));
			int w = snprintf(cell, sizeof cell, "-");
			if (v)
				w = snprintf(cell, sizeof cell, "%lld/%lld (%.1f%%)",
					     json_integer_value(json_object_get(v, "solved")),
					     json_integer_value(json_object_get(v, "tasks")),
					     json_number_value(json_object_get(v, "solved_pct")));
			if (v && p != P_NONE && w > 0)
				snprintf(cell + w, sizeof cell - (size_t)w, " %lldw",
					 json_integer_value(json_object_get(v, "wrong")));
			printf(" %26s", cell);
		}
		printf("\n");
	}
	static const char *const rk[] = {"programs_vs_plans", "programs_vs_memory_programs", "programs_vs_none"};
	static const char *const rn[] = {"programs / plans", "programs / memory+programs", "programs / None"};
	for (int k = 0; k < 3; k++) {
		printf("%-26s", rn[k]);
		for (int s = 0; s < c->nsizes; s++) {
			const json_t *v = json_object_get(json_object_get(json_object_get(doc, "ratios"), col_key(col, c, s)),
							  rk[k]);
			if (json_is_number(v))
				snprintf(cell, sizeof cell, "%.2fx", json_number_value(v));
			else
				snprintf(cell, sizeof cell, "-");
			printf(" %26s", cell);
		}
		printf("\n");
	}
}

typedef struct pcts {
	double p50, p90;
} pcts;

/* p50 and p90 of the runs held out or not (wall clock or CPU); *n their count. */
static pcts percentiles(const induce_eval_time *t, size_t nt, int held_out, int cpu, size_t *n)
{
	pcts out = {0, 0};
	double *v = malloc((nt ? nt : 1) * sizeof *v);
	*n = 0;
	for (size_t i = 0; v && i < nt; i++)
		if ((int)t[i].held_out == held_out)
			v[(*n)++] = cpu ? t[i].cpu_us : t[i].wall_us;
	if (v && *n) {
		qsort(v, *n, sizeof *v, bench_cmp_double);
		out.p50 = bench_quantile(v, (int)*n, 0.5);
		out.p90 = bench_quantile(v, (int)*n, 0.9);
	}
	free(v);
	return out;
}

/* The held-out abstention, the timings; into doc, and printed unless --json. */
static void timings(json_t *doc, const json_t *tot, policy_run *r)
{
	const bench_policy_conf *c = r->c;
	int held[3] = {0};
	sum_cells(json_object_get(tot, "programs"), "held_out", NULL, held);
	int ht = held[0] + held[1] + held[2];
	json_object_set_new(doc, "held_out",
			    json_pack("{s:i, s:i, s:i, s:i, s:f}", "size", c->sizes[c->nsizes - 1], "tasks", ht, "answered",
				      held[0] + held[1], "wrong", held[1], "abstained_pct", ht ? 100.0 * held[2] / ht : 0.0));
	/* the runs with the family given (answering), and held out; wall and CPU */
	pcts q[2][2];
	size_t n[2];
	for (int h = 0; h < 2; h++)
		for (int cpu = 0; cpu < 2; cpu++)
			q[h][cpu] = percentiles(r->times, r->ntimes, h, cpu, &n[h]);
	json_object_set_new(doc, "answer_runs", json_integer((json_int_t)n[0]));
	json_object_set_new(doc, "answer_p50_us", json_real(q[0][0].p50));
	json_object_set_new(doc, "answer_p90_us", json_real(q[0][0].p90));
	json_object_set_new(doc, "answer_cpu_p50_us", json_real(q[0][1].p50));
	json_object_set_new(doc, "answer_cpu_p90_us", json_real(q[0][1].p90));
	json_object_set_new(doc, "held_out_runs", json_integer((json_int_t)n[1]));
	json_object_set_new(doc, "held_out_p50_us", json_real(q[1][0].p50));
	json_object_set_new(doc, "held_out_p90_us", json_real(q[1][0].p90));
	json_object_set_new(doc, "held_out_cpu_p50_us", json_real(q[1][1].p50));
	json_object_set_new(doc, "held_out_cpu_p90_us", json_real(q[1][1].p90));
	json_object_set_new(doc, "target_answer_p50_met", json_boolean(n[0] > 0 && q[0][0].p50 < 1000));
	if (c->json)
		return;
	printf("\nheld out (family label withheld, programs of %d tasks per family): %d of %d answered, %d wrong, "
	       "%.1f%% abstained\n",
	       c->sizes[c->nsizes - 1], held[0] + held[1], ht, held[1], ht ? 100.0 * held[2] / ht : 0.0);
	printf("answer (the interpreter's time per task, tool calls excluded; wall clock, thread CPU in brackets; "
	       "target: p50 under 1 ms):\n"
	       "  family given: p50 %.0f us (%.0f), p90 %.0f us (%.0f) over %zu runs\n"
	       "  held out:     p50 %.0f us (%.0f), p90 %.0f us (%.0f) over %zu runs\n",
	       q[0][0].p50, q[0][1].p50, q[0][0].p90, q[0][1].p90, n[0], q[1][0].p50, q[1][1].p50, q[1][0].p90,
	       q[1][1].p90, n[1]);
	printf("\n%-16s %8s %10s %10s %10s %10s\n", "org", "tasks/fam", "induce ms", "train s", "plans s", "mem+prog s");
	const char *name;
	json_t *org;
	json_object_foreach(r->orgs, name, org) {
		printf("%-16s setup (org, tasks, gold episodes) %.1f s\n", name,
		       json_number_value(json_object_get(org, "setup_s")));
		for (int s = 0; s < c->nsizes; s++) {
			char col[16];
			snprintf(col, sizeof col, "%d", c->sizes[s]);
			const json_t *ag = json_object_get(json_object_get(org, "agent"), col);
			printf("%-16s %8d %10.1f", "", c->sizes[s],
			       json_number_value(json_object_get(json_object_get(org, "induce_ms"), col)));
			if (ag)
				printf(" %10.1f %10.1f %10.1f", json_number_value(json_object_get(ag, "train_s")),
				       json_number_value(json_object_get(ag, "plans_s")),
				       json_number_value(json_object_get(ag, "memory_programs_s")));
			else
				printf(" %10s %10s %10s", "-", "-", "-");
			printf("\n");
		}
	}
}

int bench_memory_policy(const bench_policy_conf *c)
{
	policy_run r = {.c = c, .orgs = json_object()};
	double t0 = bench_now_s();
	int rc = r.orgs ? CRMW_OK : CRMW_ENOMEM;
	json_t *orgs_list = json_array();
	for (int k = 0; !rc && k < c->norgs; k++) {
		char name[64];
		snprintf(name, sizeof name, "%s:%d", c->orgs[k].profile, c->orgs[k].seed);
		json_array_append_new(orgs_list, json_string(name));
		rc = run_org(&r, &c->orgs[k], name);
	}
	if (rc) {
		bench_error(BENCH_FAIL, "bench memory-policy: %s", r.why[0] ? r.why : crmw_strerror(rc));
		json_decref(orgs_list);
		json_decref(r.orgs);
		free(r.times);
		return BENCH_FAIL;
	}
	json_t *sizes = json_array();
	for (int s = 0; s < c->nsizes; s++)
		json_array_append_new(sizes, json_integer(c->sizes[s]));
	json_t *structured = json_array(), *free_text = json_array();
	for (const char *const *f = induce_eval_structured; *f; f++)
		json_array_append_new(structured, json_string(*f));
	for (const syn_family *f = crmw__syn_families; f->name; f++)
		if (f->reads_text)
			json_array_append_new(free_text, json_string(f->name));
	json_t *doc = json_pack("{s:s, s:s, s:o, s:f, s:o, s:i, s:i, s:f, s:o, s:o, s:O}", "benchmark", "memory-policy",
				"version", crmw_version_string(), "orgs", orgs_list, "scale", c->scale, "sizes", sizes,
				"agent_max", c->agent_max, "per_family", INDUCE_EVAL_PER_FAMILY, "test_share",
				INDUCE_EVAL_TEST_SHARE, "structured_families", structured, "free_text_families", free_text,
				"results", r.orgs);
	json_t *tot = doc ? families_total(&r) : NULL;
	if (!tot || json_object_set(doc, "families", tot)) {
		json_decref(tot);
		json_decref(doc);
		json_decref(r.orgs);
		free(r.times);
		return bench_error(BENCH_FAIL, "bench memory-policy: out of memory");
	}
	structured_totals(doc, tot, c);
	if (!c->json)
		print_tables(doc, tot, c);
	timings(doc, tot, &r);
	json_object_set_new(doc, "wall_seconds", json_real(bench_now_s() - t0));
	rc = bench_results(doc, c->out, c->json, "bench memory-policy");
	if (!c->json)
		printf("\n%.0f s in all%s%s\n", bench_now_s() - t0, c->out ? "; results in " : "", c->out ? c->out : "");
	json_decref(tot);
	json_decref(doc);
	json_decref(r.orgs);
	free(r.times);
	return rc;
}
