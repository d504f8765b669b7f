/*
 * bench/induce_eval.c: the offline evaluation of induced programs, shared
 * by crmweaver-bench memory-policy and tests/unit/test_induce_eval.c
 * (induce_eval.h says what it does).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "induce_eval.h"

#include "agent/internal.h"
#include "common/json.h"
#include "tools/internal.h"

#include <crmweaver/gen.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const induce_eval_structured[] = {"handle_time",
					      "transfer_count",
					      "top_issue_identification",
					      "monthly_trend_analysis",
					      "best_region_identification",
					      "sales_amount_understanding",
					      "sales_cycle_understanding",
					      "conversion_rate_comprehension",
					      "named_entity_disambiguation",
					      "case_routing",
					      "private_customer_information",
					      "internal_operation_data",
					      "confidential_company_knowledge",
					      NULL};
/* Turns of one answer before it gives up (the longest gold program has 6 calls). */
#define MAX_TURNS 20

bool induce_eval_listed(const char *const *list, const char *family)
{
	for (; *list; list++)
		if (strcmp(*list, family) == 0)
			return true;
	return false;
}

static double clock_us(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* why[] = "<what> <arg>: <the library's message>"; returns rc. */
static int failed(char *why, size_t len, int rc, const char *what, const char *arg)
{
	const char *msg = rc == CRMW_ENOMEM ? NULL : crmw_last_error();
	snprintf(why, len, "%s%s%.300s: %s", what, arg ? " " : "", arg ? arg : "", msg && *msg ? msg : crmw_strerror(rc));
	return rc;
}

/* ------------------------------------------------------------- the org */

int induce_eval_org_open(induce_eval_org *o, const char *dir, const char *profile, int seed, double scale,
			 int max_train, char *why, size_t len)
{
	memset(o, 0, sizeof *o);
	snprintf(o->profile, sizeof o->profile, "%s", profile);
	o->seed = seed;
	if (snprintf(o->path, sizeof o->path, "%s/org.db", dir) >= (int)sizeof o->path) {
		snprintf(why, len, "the folder's name is too long");
		return CRMW_EINVALID;
	}
	char opts[256];
	snprintf(opts, sizeof opts, "{\"profile\":\"%s\",\"seed\":%d,\"scale\":%g}", profile, seed, scale);
	int rc = crmw_gen(o->path, opts, NULL, NULL);
	if (rc)
		return failed(why, len, rc, "generating the org", opts);
	if ((rc = crmw_db_open(&o->db, o->path, CRMW_DB_READONLY)))
		return failed(why, len, rc, "opening", o->path);
	snprintf(opts, sizeof opts, "{\"per_family\":%d,\"seed\":%d,\"test_share\":%g}", INDUCE_EVAL_PER_FAMILY, seed,
		 INDUCE_EVAL_TEST_SHARE);
	if ((rc = crmw_task_set_generate(&o->ts, NULL, o->db, opts)))
		return failed(why, len, rc, "the task set", opts);
	if ((rc = crmw__gold_runner_init(&o->runner, o->db)))
		return failed(why, len, rc, "the gold runner", NULL);
	o->runner_ok = true;
	o->train = json_object();
	o->train_tasks = json_object();
	if (!o->train || !o->train_tasks)
		return failed(why, len, CRMW_ENOMEM, "the episodes", NULL);
	size_t i;
	json_t *t;
	json_array_foreach(o->ts->tasks, i, t) {
		const char *fam = crmw__task_family(t);
		if (strcmp(json_string_value(json_object_get(t, "split")), "train") != 0)
			continue;
		json_t *eps = json_object_get(o->train, fam), *tasks = json_object_get(o->train_tasks, fam);
		if (!eps) {
			eps = json_array();
			tasks = json_array();
			if (json_object_set_new(o->train, fam, eps) || json_object_set_new(o->train_tasks, fam, tasks))
				return failed(why, len, CRMW_ENOMEM, "the episodes", NULL);
		}
		if (json_array_size(eps) >= (size_t)max_train)
			continue;
		json_t *ep;
		if ((rc = crmw__induce_episode(&ep, &o->runner, t)))
			return failed(why, len, rc, "the gold run of", json_string_value(json_object_get(t, "id")));
		if (ep && (json_array_append_new(eps, ep) || json_array_append(tasks, t)))
			return failed(why, len, CRMW_ENOMEM, "the episodes", NULL);
	}
	return CRMW_OK;
}

void induce_eval_org_close(induce_eval_org *o)
{
	json_decref(o->train);
	json_decref(o->train_tasks);
	if (o->runner_ok)
		crmw__gold_runner_dispose(&o->runner);
	crmw_task_set_free(o->ts);
	crmw_db_free(o->db);
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t k = 0; o->path[0] && k < sizeof sfx / sizeof sfx[0]; k++) {
		char p[4450];
		snprintf(p, sizeof p, "%s%s", o->path, sfx[k]);
		unlink(p);
	}
	memset(o, 0, sizeof *o);
}

json_t *induce_eval_test_tasks(const induce_eval_org *o)
{
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(o->ts->tasks, i, t) {
		if (out && strcmp(json_string_value(json_object_get(t, "split")), "test") == 0 && json_array_append(out, t)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *induce_eval_library(const induce_eval_org *o, int n, double *ms, char *why, size_t len)
{
	json_t *eps = json_array();
	const char *fam;
	json_t *list;
	json_object_foreach(o->train, fam, list) {
		for (size_t k = 0; eps && k < json_array_size(list) && k < (size_t)n; k++)
			if (json_array_append(eps, json_array_get(list, k))) {
				json_decref(eps);
				eps = NULL;
			}
	}
	if (!eps) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	double t0 = now_us();
	json_t *lib = crmw__induce(eps, 2, why, len);
	*ms = (now_us() - t0) / 1e3;
	json_decref(eps);
	if (!lib)
		return NULL;
	size_t pi;
	json_t *prog;
	json_array_foreach(json_object_get(lib, "programs"), pi, prog) {
		char w[600];
		if (crmw__program_check(prog, w, sizeof w) != CRMW_OK) {
			snprintf(why, len, "an induced program does not pass the check: %s", w);
			json_decref(lib);
			return NULL;
		}
	}
	return lib;
}

/* --------------------------------------------------------- the answers */

bool induce_eval_add(json_t *table, const char *family, const char *col, int what, int n)
{
	json_t *f = json_object_get(table, family);
	if (!f && json_object_set_new(table, family, f = json_object()))
		return false;
	json_t *c = json_object_get(f, col);
	if (!c && json_object_set_new(f, col, c = json_pack("[i,i,i]", 0, 0, 0)))
		return false;
	return json_array_set_new(c, (size_t)what, json_integer(json_integer_value(json_array_get(c, (size_t)what)) + n)) ==
	       0;
}

int induce_eval_cell(const json_t *f, const char *col, int what)
{
	return (int)json_integer_value(json_array_get(json_object_get(f, col), (size_t)what));
}

static bool tracing(const json_t *task)
{
	const char *trace = getenv("CRMW_INDUCE_TRACE");
	return trace && strcmp(trace, json_string_value(json_object_get(task, "id"))) == 0;
}

static void trace_gold(crmw__gold_runner *r, const json_t *task)
{
	json_t *rep = NULL;
	char *ga = NULL;
	crmw__gold_run(r, task, &rep, &ga);
	char *txt = json_dumps(json_object_get(rep, "steps"), JSON_COMPACT);
	fprintf(stderr, "# trace gold: %s\n# trace gold steps: %.3000s\n", ga, txt);
	free(txt);
	free(ga);
	json_decref(rep);
}

/* Run the library on a task: *verdict INDUCE_EVAL_*, *said the answer
 * (NULL when it abstained; the caller frees it), why[] the abstention's
 * reason; the interpreter's time kept in e.  CRMW_OK or the code of a call
 * that failed (with why[]). */
static int answer_task(induce_eval *e, crmw__gold_runner *r, const json_t *lib, const json_t *checks, const json_t *task,
		       const char *family, int *verdict, char **said, char *why, size_t len)
{
	induce_eval_time spent = {.held_out = family == NULL};
	*verdict = INDUCE_EVAL_ABSTAINED;
	*said = NULL;
	int rc = crmw__gold_runner_task(r, task, why, len);
	if (rc)
		return rc;
	json_t *results = json_array();
	crmw_buf out = CRMW_BUF_INIT;
	if (!results)
		rc = CRMW_ENOMEM;
	for (int turn = 0; !rc && turn < MAX_TURNS; turn++) {
		crmw__prog_next nx;
		double t0 = now_us(), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
		rc = crmw__induced_next_checked(&nx, lib, checks, task, family, results);
		spent.cpu_us += clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
		spent.wall_us += now_us() - t0;
		if (rc) {
			snprintf(why, len, "crmw__induced_next: %s", crmw_strerror(rc));
			break;
		}
		if (nx.kind == CRMW__PROG_ABSTAIN) {
			snprintf(why, len, "%s", nx.why);
			crmw__prog_next_clear(&nx);
			break;
		}
		if (nx.kind == CRMW__PROG_ANSWER) {
			double score = 0;
			json_t *info = NULL;
			rc = crmw__task_reward(&score, &info, task, nx.answer, NULL, NULL, NULL);
			json_decref(info);
			if (rc)
				snprintf(why, len, "the reward: %s", crmw_strerror(rc));
			else
				*verdict = score == 1.0 ? INDUCE_EVAL_SOLVED : INDUCE_EVAL_WRONG;
			if (!rc && tracing(task))
				trace_gold(r, task);
			if (!rc && !(*said = crmw__strdup(nx.answer)))
				rc = CRMW_ENOMEM;
			crmw__prog_next_clear(&nx);
			break;
		}
		char *args = json_dumps(nx.arguments, JSON_COMPACT);
		if (!args) {
			crmw__prog_next_clear(&nx);
			rc = CRMW_ENOMEM;
			break;
		}
		if (tracing(task))
			fprintf(stderr, "# trace %s: %s %.300s\n", json_string_value(json_object_get(task, "id")), nx.name,
				args);
		bool cut = false;
		out.len = 0;
		int crc = crmw__registry_call_cut(&out, r->reg, nx.name, args, strlen(args), NULL, &cut);
		free(args);
		crmw__prog_next_clear(&nx);
		if (crc || cut) {
			snprintf(why, len, "the call failed");
			break;
		}
		json_t *res;
		if (crmw__json_parse(out.data ? out.data : "", out.len, &res, NULL))
			res = json_stringn(out.data ? out.data : "", out.len);
		if (!res || json_array_append_new(results, res))
			rc = CRMW_ENOMEM;
	}
	crmw_buf_dispose(&out);
	json_decref(results);
	if (rc)
		return rc;
	if (e->n_answer == e->cap_answer) {
		size_t cap = e->cap_answer ? 2 * e->cap_answer : 1024;
		induce_eval_time *grown = realloc(e->answer, cap * sizeof *grown);
		if (!grown) {
			snprintf(why, len, "out of memory");
			return CRMW_ENOMEM;
		}
		e->answer = grown;
		e->cap_answer = cap;
	}
	e->answer[e->n_answer++] = spent;
	return CRMW_OK;
}

/* The library without one family's programs and words (NULL when out of memory). */
static json_t *without(const json_t *lib, const char *family)
{
	json_t *copy = json_deep_copy(lib), *progs = json_array();
	if (!copy || !progs) {
		json_decref(copy);
		json_decref(progs);
		return NULL;
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(copy, "programs"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "family")), family) != 0)
			json_array_append(progs, p);
	}
	json_object_set_new(copy, "programs", progs);
	json_object_del(json_object_get(copy, "families"), family);
	return copy;
}

/* One test task at size index s (and held out at the largest). */
static int eval_task(induce_eval *e, induce_eval_org *o, const json_t *lib, const json_t *checks, const json_t *t, int s,
		     char *why, size_t len)
{
	const char *family = crmw__task_family(t);
	const char *id = json_string_value(json_object_get(t, "id"));
	bool last = s == e->nsizes - 1;
	/* CRMW_INDUCE_VERBOSE: the abstentions at the size it names ("40"),
	 * or at the largest when it names none of them ("1") */
	const char *vsize = getenv("CRMW_INDUCE_VERBOSE");
	bool named = false;
	for (int k = 0; vsize && k < e->nsizes; k++)
		named = named || atoi(vsize) == e->sizes[k];
	bool verbose = vsize && (named ? atoi(vsize) == e->sizes[s] : last);
	char col[16];
	snprintf(col, sizeof col, "%d", e->sizes[s]);
	char *said = NULL;
	int v, rc = answer_task(e, &o->runner, lib, checks, t, family, &v, &said, why, len);
	if (rc)
		return rc;
	if (!induce_eval_add(e->table, family, col, v, 1)) {
		free(said);
		return CRMW_ENOMEM;
	}
	if (v == INDUCE_EVAL_WRONG ||
	    (verbose && v == INDUCE_EVAL_ABSTAINED && induce_eval_listed(induce_eval_structured, family)))
		fprintf(stderr, "# %s@%d %s %s/%d: %s: %.300s%s%s\n", v == INDUCE_EVAL_WRONG ? "WRONG" : "abstained",
			e->sizes[s], family, o->profile, o->seed, id, json_string_value(json_object_get(t, "query")),
			v == INDUCE_EVAL_WRONG ? " -> " : " -- ", v == INDUCE_EVAL_WRONG ? said : why);
	free(said);
	if (!last)
		return CRMW_OK;
	/* held out: the family's programs gone, its label withheld */
	json_t *lib2 = without(lib, family), *checks2 = lib2 ? crmw__induced_check(lib2) : NULL;
	if (!checks2) {
		json_decref(lib2);
		return CRMW_ENOMEM;
	}
	rc = answer_task(e, &o->runner, lib2, checks2, t, NULL, &v, &said, why, len);
	json_decref(checks2);
	json_decref(lib2);
	if (rc)
		return rc;
	if (!induce_eval_add(e->table, family, "held_out", v, 1))
		rc = CRMW_ENOMEM;
	if (v != INDUCE_EVAL_ABSTAINED && vsize)
		fprintf(stderr, "# held-out answered %s: %.100s -> %s\n", family,
			json_string_value(json_object_get(t, "query")), said);
	free(said);
	return rc;
}

int induce_eval_org_run(induce_eval *e, induce_eval_org *o, char *why, size_t len)
{
	if (!e->table && !(e->table = json_object())) {
		snprintf(why, len, "out of memory");
		return CRMW_ENOMEM;
	}
	const char *dump = getenv("CRMW_INDUCE_DUMP");
	for (int s = 0; s < e->nsizes; s++) {
		double ms = 0;
		json_t *lib = induce_eval_library(o, e->sizes[s], &ms, why, len);
		if (!lib)
			return CRMW_EINVALID;
		/* the library's checks, made once as the memory policy makes them
		 * once per library it merges: part of making it */
		double t0 = now_us();
		json_t *checks = crmw__induced_check(lib);
		if (!checks) {
			json_decref(lib);
			snprintf(why, len, "out of memory");
			return CRMW_ENOMEM;
		}
		e->induce_ms[s] += ms + (now_us() - t0) / 1000;
		if (dump) {
			char p[4400];
			snprintf(p, sizeof p, "%s/lib-%s-%d-%d.json", dump, o->profile, o->seed, e->sizes[s]);
			json_dump_file(lib, p, JSON_INDENT(1));
		}
		size_t i;
		json_t *t;
		int rc = CRMW_OK;
		json_array_foreach(o->ts->tasks, i, t) {
			if (strcmp(json_string_value(json_object_get(t, "split")), "test") != 0)
				continue;
			if ((rc = eval_task(e, o, lib, checks, t, s, why, len)))
				break;
		}
		json_decref(checks);
		json_decref(lib);
		if (rc) {
			if (rc == CRMW_ENOMEM)
				snprintf(why, len, "out of memory");
			return rc;
		}
	}
	e->n_orgs++;
	return CRMW_OK;
}

void induce_eval_dispose(induce_eval *e)
{
	json_decref(e->table);
	free(e->answer);
	e->table = NULL;
	e->answer = NULL;
	e->n_answer = e->cap_answer = 0;
}
