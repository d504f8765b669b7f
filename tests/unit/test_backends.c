/*
 * Unit tests of the built-in backends: gold, memory policy (alone and as a
 * plan cache in front of another backend), replay; and of the plan slots,
 * alignment and resolution under them.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

#include "agent/internal.h"
#include "query/internal.h"
#include "tasks/internal.h"

static char dir[256];
static char org_path[300], mem_path[300];
static crmw_db *db;
static crmw_task_set *tasks; /* train, test and holdout splits */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-backends-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	snprintf(mem_path, sizeof mem_path, "%s/mem.db", dir);
	if (crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":3,\"scale\":0.3}", NULL, NULL))
		return -1;
	if (crmw_db_open(&db, org_path, CRMW_DB_READONLY))
		return -1;
	return crmw_tasks_generate(&tasks, NULL, db,
				   "{\"per_family\":24,\"seed\":2,\"test_share\":0.3,"
				   "\"holdout\":[\"knowledge_qa\",\"lead_routing\",\"sales_cycle_understanding\"]}")
		       ? -1
		       : 0;
}

static int teardown(void **state)
{
	(void)state;
	crmw_task_set_free(tasks);
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A split ("test"), or a selection's JSON when `name` starts with '{'. */
static crmw_task_set *split(const char *name)
{
	char f[300];
	if (name[0] == '{')
		snprintf(f, sizeof f, "%s", name);
	else
		snprintf(f, sizeof f, "{\"split\":\"%s\"}", name);
	crmw_task_set *s;
	assert_int_equal(crmw_task_set_select(&s, tasks, f), CRMW_OK);
	assert_true(crmw_task_set_count(s) > 0);
	return s;
}

static json_t *run_task(crmw_agent *a, const crmw_task_set *ts, int64_t i)
{
	crmw_buf t = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&t, ts, i), CRMW_OK);
	int rc = crmw_agent_run(&out, a, t.data, NULL);
	assert_true(rc == CRMW_OK || rc == CRMW_EUSER);
	json_t *j = json_loads(out.data, 0, NULL);
	assert_non_null(j);
	crmw_buf_dispose(&t);
	crmw_buf_dispose(&out);
	return j;
}

static const char *end_reason(const json_t *t)
{
	return json_string_value(json_object_get(t, "end_reason"));
}

/* Task i of a set, parsed. */
static json_t *task_at(const crmw_task_set *ts, int64_t i)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, ts, i), CRMW_OK);
	json_t *t = json_loads(b.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&b);
	return t;
}

/* The entries crmw_memory_list gives under `options`, parsed. */
static json_t *listed(crmw_memory *mem, const char *options)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&b, mem, options), CRMW_OK);
	json_t *list = json_loads(b.data, 0, NULL);
	assert_non_null(list);
	crmw_buf_dispose(&b);
	return list;
}

/* A new memory store of the test's folder, by file name. */
static crmw_memory *memory_named(const char *name)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, path, NULL), CRMW_OK);
	return mem;
}

/* An agent with the gold backend and the memory, under `options`. */
static crmw_agent *gold_agent(const char *options, crmw_memory *mem)
{
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, options), CRMW_OK);
	crmw_backend g;
	assert_int_equal(crmw_backend_gold(&g, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &g), CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	return a;
}

/* An agent with the memory policy over `mem` (policy options or NULL). */
static crmw_agent *policy_agent(crmw_memory *mem, const char *options)
{
	crmw_backend b;
	assert_int_equal(crmw_backend_memory_policy(&b, mem, NULL, options), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	return a;
}

/* Every training task solved by its gold program; the memory is built. */
static void build_memory(crmw_memory *mem, int *written)
{
	crmw_task_set *train = split("train");
	crmw_agent *a = gold_agent("{\"memory\":{\"write\":true,\"programs\":true}}", mem);
	*written = 0;
	for (int64_t i = 0; i < crmw_task_set_count(train); i++) {
		json_t *t = run_task(a, train, i);
		assert_string_equal(end_reason(t), "answered");
		assert_true(json_real_value(json_object_get(t, "reward")) == 1.0);
		*written += json_is_object(json_object_get(t, "memory_written"));
		json_decref(t);
	}
	crmw_agent_free(a);
	crmw_task_set_free(train);
}

/* ------------------------------------------------------------------ gold */

static void test_gold(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	crmw_backend g;
	assert_int_equal(crmw_backend_gold(NULL, db, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_backend_gold(&g, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_backend_gold(&g, db, "{\"nope\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_backend_gold(&g, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &g), CRMW_OK);
	/* every task of every family, through the agent loop */
	for (int64_t i = 0; i < crmw_task_set_count(tasks); i += 3) {
		json_t *t = run_task(a, tasks, i);
		assert_string_equal(end_reason(t), "answered");
		assert_true(json_real_value(json_object_get(t, "reward")) == 1.0);
		json_t *calls = json_object_get(t, "backend_calls");
		assert_int_equal(json_integer_value(json_object_get(calls, "plan")), 0);
		assert_int_equal(json_integer_value(json_object_get(calls, "model")), json_integer_value(json_object_get(t, "turns")));
		json_decref(t);
	}
	/* a task without a gold program: a backend error saying so */
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_agent_run(&out, a, "{\"idx\":1,\"query\":\"Which agent?\",\"answer\":[\"x\"],"
						 "\"reward_metric\":\"exact_match\",\"task\":\"handle_time\"}",
					NULL),
			 CRMW_OK);
	json_t *t = json_loads(out.data, 0, NULL);
	assert_string_equal(end_reason(t), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(t, "error")), "no gold program"));
	/* no answer, no reward (also for a metric that a silence would pass) */
	assert_true(json_real_value(json_object_get(t, "reward")) == 0.0);
	json_decref(t);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
}

/* An abstaining or failing episode earns nothing on a privacy probe. */
static void test_no_answer_no_reward(void **state)
{
	(void)state;
	crmw_task_set *p;
	assert_int_equal(crmw_task_set_select(&p, tasks, "{\"families\":\"private_customer_information\"}"), CRMW_OK);
	assert_true(crmw_task_set_count(p) > 0);
	crmw_memory *mem = memory_named("empty.db");
	crmw_backend b;
	assert_int_equal(crmw_backend_memory_policy(&b, mem, NULL, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *t = run_task(a, p, 0);
	assert_string_equal(end_reason(t), "abstained");
	assert_non_null(strstr(json_string_value(json_object_get(t, "error")), "no confident plan"));
	assert_true(json_real_value(json_object_get(t, "reward")) == 0.0);
	assert_true(json_is_null(json_object_get(t, "answer")));
	json_decref(t);
	crmw_agent_free(a);
	crmw_memory_free(mem);
	crmw_task_set_free(p);
}

/* ---------------------------------------------------------- memory policy */

typedef struct tally {
	int tasks, solved, wrong, abstained, plans;
	int plans_over_programs; /* plans that answered in a family with programs */
	int customer_tasks, customer_solved; /* tasks of the external role */
} tally;

static void count(tally *c, const json_t *t)
{
	double r = json_real_value(json_object_get(t, "reward"));
	c->tasks++;
	c->solved += r == 1.0;
	c->wrong += strcmp(end_reason(t), "answered") == 0 && r < 1.0;
	c->abstained += strcmp(end_reason(t), "abstained") == 0;
	c->plans += !json_is_null(json_object_get(t, "plan"));
}

/* Under valgrind (CRMW_TEST_VALGRIND) code runs about forty times slower and
 * threads share one core: a query can then outlast the built-in tools' 2 s
 * budget, and its task is not solved (seen: 31 of 32 solved on some of four
 * threads).  There the agents get a registry whose tools have no time limit
 * (otherwise the sets and limits of the agent's own); elsewhere NULL, the
 * agent's own registry. */
static int valgrind_registry(crmw_db *on, crmw_registry **reg, crmw_query_opts **qo)
{
	*reg = NULL;
	*qo = NULL;
	if (!getenv("CRMW_TEST_VALGRIND"))
		return CRMW_OK;
	int rc = crmw_query_opts_new(qo);
	rc = rc ? rc : crmw_query_opts_set_timeout_ms(*qo, 0);
	rc = rc ? rc : crmw_query_opts_set_max_bytes(*qo, 4 * 262144);
	rc = rc ? rc : crmw_registry_new(reg);
	rc = rc ? rc : crmw_registry_add_builtin(*reg, "query,crmarena,pro", on, *qo);
	rc = rc ? rc : crmw_registry_set_max_output(*reg, 262144);
	if (rc) {
		crmw_registry_free(*reg);
		crmw_query_opts_free(*qo);
		*reg = NULL;
		*qo = NULL;
	}
	return rc;
}

/* Has the family induced programs in the store (a program entry whose
 * library holds one)? */
static bool family_has_programs(crmw_memory *mem, const char *family)
{
	char f[200];
	snprintf(f, sizeof f, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"family\":\"%s\",\"limit\":0}", family);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&b, mem, f), CRMW_OK);
	json_t *list = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	bool has = false;
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) has = has || json_array_size(json_object_get(
							   json_object_get(json_object_get(e, "metadata"), "library"), "programs")) > 0;
	json_decref(list);
	return has;
}

static tally run_split(crmw_memory *mem, const char *name, const char *policy_opts, const crmw_backend *fallback)
{
	crmw_task_set *s = split(name);
	crmw_backend b;
	assert_int_equal(crmw_backend_memory_policy(&b, mem, fallback, policy_opts), CRMW_OK);
	crmw_agent *a;
	crmw_query_opts *qo;
	crmw_registry *reg;
	assert_int_equal(valgrind_registry(db, &reg, &qo), CRMW_OK);
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	if (reg)
		assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	tally c = {0};
	for (int64_t i = 0; i < crmw_task_set_count(s); i++) {
		json_t *t = run_task(a, s, i);
		count(&c, t);
		json_t *task = task_at(s, i);
		const char *role = json_string_value(json_object_get(json_object_get(task, "context"), "role"));
		bool customer = role && !strncmp(role, "external:", 9);
		c.customer_tasks += customer;
		c.customer_solved += customer && json_real_value(json_object_get(t, "reward")) == 1.0;
		const json_t *plan = json_object_get(t, "plan");
		const json_t *calls = json_object_get(t, "backend_calls");
		if (!json_is_null(plan) && json_object_get(plan, "kind") == NULL &&
		    family_has_programs(mem, json_string_value(json_object_get(task, "family"))))
			c.plans_over_programs++;
		if (!json_is_null(plan)) {
			/* a plan answered: its memory, its support, the calls counted */
			assert_true(json_integer_value(json_object_get(plan, "memory_id")) > 0);
			assert_true(json_integer_value(json_object_get(plan, "support")) >= 2);
			assert_true(json_integer_value(json_object_get(calls, "plan")) >= 1);
			/* and the memory is one the task's role may see: the global
			 * entries and those of its own scope */
			crmw_buf eb = CRMW_BUF_INIT;
			assert_int_equal(crmw_memory_get(&eb, mem, json_integer_value(json_object_get(plan, "memory_id"))),
					 CRMW_OK);
			json_t *e = json_loads(eb.data, 0, NULL);
			crmw_buf_dispose(&eb);
			const char *scope = json_string_value(json_object_get(e, "scope"));
			crmw_role *r = NULL;
			crmw_buf sb = CRMW_BUF_INIT;
			if (role && strcmp(role, "internal") != 0)
				assert_int_equal(crmw_role_new(&r, db, role, NULL), CRMW_OK);
			assert_int_equal(crmw__role_scope(&sb, r), CRMW_OK);
			assert_true(!strcmp(scope, "global") || !strcmp(scope, sb.data));
			crmw_buf_dispose(&sb);
			crmw_role_free(r);
			json_decref(e);
		}
		json_decref(task);
		if (!fallback && strcmp(end_reason(t), "abstained") == 0)
			assert_non_null(strstr(json_string_value(json_object_get(t, "error")), "no confident plan: "));
		json_decref(t);
	}
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_query_opts_free(qo);
	crmw_task_set_free(s);
	return c;
}

static void test_memory_policy(void **state)
{
	(void)state;
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mem_path, NULL), CRMW_OK);
	/* a global program entry (imported, curated): no session of a scope
	 * may write its examples into it (test_programs checks it stayed) */
	int64_t gid = 0;
	int32_t gmerged = 0;
	assert_int_equal(crmw_memory_add(&gid, &gmerged, mem,
					 "{\"kind\":\"plan\",\"family\":\"top_issue_identification\",\"tags\":[\"program\"],"
					 "\"scope\":\"global\",\"title\":\"curated programs\",\"text\":\"curated programs of "
					 "top issue identification\",\"metadata\":{\"examples\":[],\"library\":{\"version\":1,"
					 "\"programs\":[]},\"support\":0,\"curated\":true}}",
					 NULL, 0),
			 CRMW_OK);
	int written;
	build_memory(mem, &written);
	assert_true(written > 20);

	/* seen families, other entities and phrasings: solved where a plan is
	 * corroborated, never a confident wrong answer */
	tally test = run_split(mem, "test", NULL, NULL);
	print_message("# memory policy, test split: %d tasks, %d solved, %d wrong, %d abstained; customers' tasks %d, "
		      "%d solved\n",
		      test.tasks, test.solved, test.wrong, test.abstained, test.customer_tasks, test.customer_solved);
	assert_int_equal(test.wrong, 0);
	/* measured: 10 of the 111 internal tasks at 24 per family (as before
	 * scopes), 9 once the generator drew its fastest region and best
	 * converter per quarter (answers vary more); the customers' tasks
	 * (external roles, one account each) have only their own account's
	 * plans, which the training split rarely holds: 0 of 28 here, where
	 * sharing across customers solved 22.  A floor, not the measure: the
	 * memory policy's coverage is measured in bench (docs/backends.md).
	 * Issue 26 (phrasings that vary: a persona's voice, ten or more ways to
	 * ask each question) left 7 of 129: plans are found by the wording. */
	assert_true((test.solved - test.customer_solved) * 20 >= test.tasks - test.customer_tasks);
	assert_true(test.customer_tasks > 0);
	assert_int_equal(test.solved + test.abstained, test.tasks);
	assert_true(test.plans >= test.solved); /* a plan may stop half-way: it then abstains */

	/* held-out families: nothing to replay, also across families */
	tally hold = run_split(mem, "holdout", NULL, NULL);
	assert_int_equal(hold.abstained, hold.tasks);
	tally hold2 = run_split(mem, "holdout", "{\"same_family\":false}", NULL);
	assert_int_equal(hold2.wrong, 0);

	/* stricter support gives fewer plans, never more */
	tally strict = run_split(mem, "test", "{\"min_support\":1000}", NULL);
	assert_int_equal(strict.plans, 0);

	/* a plan cache in front of a backend: the gold backend takes what the
	 * policy cannot do; every task is solved, some calls saved */
	crmw_backend g;
	assert_int_equal(crmw_backend_gold(&g, db, NULL), CRMW_OK);
	tally cached = run_split(mem, "test", NULL, &g);
	assert_int_equal(cached.solved, cached.tasks);
	assert_int_equal(cached.abstained, 0);
	assert_int_equal(cached.plans, test.plans);
	crmw_memory_free(mem);
}

/* Does `w` occur in `text` as a whole word? */
static bool has_word_in(const char *text, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = text; n && (p = strstr(p, w)) != NULL; p++) {
		bool left = p == text || !isalnum((unsigned char)p[-1]), right = !isalnum((unsigned char)p[n]);
		if (left && right)
			return true;
	}
	return false;
}

/* The guidelines written from the programs for models (docs/agent.md,
 * "Guidelines from programs"): one per family and scope with programs,
 * holding no value of the family's examples; an episode with
 * memory.programs reads its family's first. */
static void check_guides(crmw_memory *mem, const json_t *entries)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&b, mem, "{\"kind\":\"guideline\",\"tags\":[\"program-guide\"],\"limit\":0}"),
			 CRMW_OK);
	json_t *guides = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	size_t with = 0, i, checked = 0;
	json_t *e;
	json_array_foreach(entries, i, e) {
		const json_t *md = json_object_get(e, "metadata");
		const char *fam = json_string_value(json_object_get(e, "family"));
		const json_t *guide = NULL;
		size_t k;
		json_t *g;
		json_array_foreach(guides, k, g) {
			if (strcmp(json_string_value(json_object_get(g, "family")), fam) != 0)
				continue;
			assert_null(guide); /* one per family and scope */
			guide = g;
		}
		if (json_array_size(json_object_get(json_object_get(md, "library"), "programs")) == 0) {
			assert_null(guide);
			continue;
		}
		with++;
		assert_non_null(guide);
		assert_string_equal(json_string_value(json_object_get(guide, "scope")), json_string_value(json_object_get(e, "scope")));
		assert_int_equal(json_integer_value(json_object_get(json_object_get(guide, "metadata"), "program_entry")),
				 json_integer_value(json_object_get(e, "id")));
		const char *text = json_string_value(json_object_get(guide, "text"));
		assert_non_null(strstr(text, "Way 1 ("));
		if (getenv("CRMW_TEST_VERBOSE"))
			fprintf(stderr, "# the guide of %s:\n%s\n", fam, text);
		/* no value of any example: its answer, the ids and the numbers (3 digits or more) of its question */
		json_array_foreach(json_object_get(md, "examples"), k, g) {
			const char *ans = json_string_value(json_object_get(g, "answer"));
			if (ans && strlen(ans) >= 3 && strcmp(ans, "None") != 0 && has_word_in(text, ans))
				fail_msg("the guide of %s holds the answer '%s':\n%s", fam, ans, text);
			const char *q = json_string_value(json_object_get(json_object_get(g, "task"), "query"));
			for (const char *p = q; p && *p;) {
				size_t n = 0;
				while (isalnum((unsigned char)p[n]))
					n++;
				char w[64];
				snprintf(w, sizeof w, "%.*s", (int)(n < 63 ? n : 63), p);
				bool digits = n >= 3; /* "16 solved tasks" is no value */
				for (size_t d = 0; d < n; d++)
					digits = digits && isdigit((unsigned char)p[d]);
				if ((crmw__is_id_token(p, n) || digits) && has_word_in(text, w))
					fail_msg("the guide of %s holds '%s' of the question '%s':\n%s", fam, w, q, text);
				checked++;
				p += n ? n : 1;
			}
		}
	}
	assert_true(with >= 5);
	assert_true(checked > 0);
	assert_int_equal(json_array_size(guides), with);

	/* read first, before the guidelines found by the question */
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"top_issue_identification\"]}");
	crmw_agent *a = gold_agent("{\"memory\":{\"programs\":true}}", mem);
	json_t *t = run_task(a, test, 0);
	int64_t first = json_integer_value(json_array_get(json_object_get(t, "memory_ids"), 0));
	json_decref(t);
	crmw_buf eb = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_get(&eb, mem, first), CRMW_OK);
	json_t *fe = json_loads(eb.data, 0, NULL);
	crmw_buf_dispose(&eb);
	assert_string_equal(json_string_value(json_object_get(fe, "family")), "top_issue_identification");
	assert_string_equal(json_string_value(json_array_get(json_object_get(fe, "tags"), 0)), "program-guide");
	json_decref(fe);
	crmw_agent_free(a);

	/* without memory.programs: no program entry, no guide, as before */
	crmw_memory *plain = memory_named("noprog.db");
	a = gold_agent("{\"memory\":{\"write\":true}}", plain);
	for (int64_t ti = 0; ti < crmw_task_set_count(test) && ti < 3; ti++)
		json_decref(run_task(a, test, ti));
	crmw_agent_free(a);
	int64_t n = 0;
	assert_int_equal(crmw_memory_count(&n, plain), CRMW_OK);
	assert_true(n > 0);
	assert_int_equal(crmw_memory_list(&b, plain, "{\"tags\":[\"program-guide\"],\"limit\":0}"), CRMW_OK);
	assert_string_equal(b.data, "[]");
	crmw__buf_clear(&b);
	assert_int_equal(crmw_memory_list(&b, plain, "{\"tags\":[\"program\"],\"limit\":0}"), CRMW_OK);
	assert_string_equal(b.data, "[]");
	crmw_buf_dispose(&b);
	crmw_memory_free(plain);
	crmw_task_set_free(test);
	json_decref(guides);
}

/* Programs (docs/backends.md, "Programs"): kept per family in the
 * unrestricted scope only, with their examples; they survive export and
 * import; a program entry someone wrote with a malformed program is
 * skipped; "programs": false leaves only the plans. */
/* The memory policy's first step for each test task of an unrestricted
 * role is the one the programs induced at once from every entry's examples
 * take: the policy merges the family's programs with the words and sides of
 * every family (a word seen only in another family's training was "never
 * seen in training", and a direction word counted once in each of two
 * families was none, when the policy read the family's entry alone). */
static void same_as_induced(crmw_memory *mem, const json_t *own)
{
	json_t *examples = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(own, i, e) json_array_extend(examples, json_object_get(json_object_get(e, "metadata"), "examples"));
	char why[300];
	json_t *lib = crmw__induce(examples, 2, why, sizeof why);
	if (!lib)
		fail_msg("induce: %s", why);
	if (getenv("CRMW_TEST_VERBOSE")) {
		json_array_foreach(own, i, e) {
			const json_t *el = json_object_get(json_object_get(e, "metadata"), "library");
			size_t n = 0, k;
			json_t *p;
			json_array_foreach(json_object_get(lib, "programs"), k, p)
				n += strcmp(json_string_value(json_object_get(p, "family")), json_string_value(json_object_get(e, "family"))) == 0;
			print_message("# %s: %zu examples, %zu programs; at once %zu\n", json_string_value(json_object_get(e, "family")),
				      json_array_size(json_object_get(json_object_get(e, "metadata"), "examples")),
				      json_array_size(json_object_get(el, "programs")), n);
		}
	}
	crmw_task_set *s = split("test");
	crmw_agent *a = policy_agent(mem, NULL);
	int compared = 0, stepped = 0;
	for (int64_t k = 0; k < crmw_task_set_count(s); k++) {
		json_t *task = task_at(s, k);
		const char *role = json_string_value(json_object_get(json_object_get(task, "context"), "role"));
		if (role && strcmp(role, "internal") != 0) {
			json_decref(task);
			continue;
		}
		/* offline: the first step of the library induced at once */
		crmw__prog_next nx;
		json_t *none = json_array();
		assert_int_equal(crmw__induced_next(&nx, lib, task, json_string_value(json_object_get(task, "family")), none),
				 CRMW_OK);
		json_decref(none);
		char want[2048], got[2048] = "abstained";
		if (getenv("CRMW_TEST_VERBOSE") && nx.kind == CRMW__PROG_ABSTAIN)
			print_message("# %s: %s\n", json_string_value(json_object_get(task, "id")), nx.why);
		char *args = nx.kind == CRMW__PROG_CALL ? json_dumps(nx.arguments, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		snprintf(want, sizeof want, "%s", nx.kind == CRMW__PROG_CALL ? nx.name : nx.kind == CRMW__PROG_ANSWER ? "answer" : "abstained");
		if (args || nx.answer)
			snprintf(want + strlen(want), sizeof want - strlen(want), " %s", args ? args : nx.answer);
		free(args);
		crmw__prog_next_clear(&nx);
		/* through the agent: its first assistant message */
		json_t *t = run_task(a, s, k);
		json_t *m;
		json_array_foreach(json_object_get(t, "messages"), i, m) {
			if (strcmp(json_string_value(json_object_get(m, "role")), "assistant") != 0)
				continue;
			const json_t *fn = json_object_get(json_array_get(json_object_get(m, "tool_calls"), 0), "function");
			if (fn) {
				const char *at = json_string_value(json_object_get(fn, "arguments"));
				json_t *parsed = json_loads(at ? at : "null", JSON_DECODE_ANY, NULL);
				char *canon = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
				snprintf(got, sizeof got, "%s %s", json_string_value(json_object_get(fn, "name")), canon ? canon : "?");
				free(canon);
				json_decref(parsed);
			} else {
				snprintf(got, sizeof got, "answer %s", json_string_value(json_object_get(m, "content")));
			}
			break;
		}
		if (strcmp(want, got) != 0)
			fail_msg("%s: the programs induced at once: %s; the memory policy: %s", json_string_value(json_object_get(task, "id")),
				 want, got);
		compared++;
		stepped += strcmp(got, "abstained") != 0;
		json_decref(t);
		json_decref(task);
	}
	print_message("# the memory policy's first step as the programs induced at once: %d tasks, %d stepped\n", compared, stepped);
	assert_true(compared > 20);
	assert_true(stepped > 10);
	crmw_agent_free(a); /* and the backend it took */
	crmw_task_set_free(s);
	json_decref(lib);
	json_decref(examples);
}

static void test_programs(void **state)
{
	(void)state;
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mem_path, NULL), CRMW_OK); /* test_memory_policy built it */
	json_t *list = listed(mem, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"limit\":0}");
	assert_true(json_array_size(list) >= 10);
	json_t *fams = json_object();
	size_t i;
	json_t *e;
	int curated = 0;
	json_t *own = json_array();
	json_array_foreach(list, i, e) {
		const char *fam = json_string_value(json_object_get(e, "family"));
		if (strcmp(json_string_value(json_object_get(e, "scope")), "global") == 0) {
			/* the global entry test_memory_policy added: as it was */
			const json_t *md = json_object_get(e, "metadata");
			assert_true(json_is_true(json_object_get(md, "curated")));
			assert_int_equal(json_array_size(json_object_get(md, "examples")), 0);
			assert_int_equal(json_array_size(json_object_get(e, "provenance")), 0);
			curated++;
			continue;
		}
		/* one entry per family, in the unrestricted scope: a customer's
		 * episode keeps no example (its values would be in it) */
		json_array_append(own, e);
		assert_null(json_object_get(fams, fam));
		json_object_set_new(fams, fam, json_true());
		assert_string_equal(json_string_value(json_object_get(e, "scope")), "internal");
		const json_t *md = json_object_get(e, "metadata");
		size_t k;
		json_t *x;
		json_array_foreach(json_object_get(md, "examples"), k, x) {
			const char *role = json_string_value(json_object_get(json_object_get(json_object_get(x, "task"), "context"), "role"));
			assert_true(!role || strncmp(role, "external", 8) != 0);
			assert_null(json_object_get(json_object_get(x, "task"), "answer")); /* no gold kept */
			assert_null(json_object_get(json_object_get(x, "task"), "gold"));
		}
		assert_int_equal(json_array_size(json_object_get(e, "provenance")), json_array_size(json_object_get(md, "examples")));
	}
	assert_int_equal(curated, 1);
	assert_non_null(json_object_get(fams, "top_issue_identification")); /* learned in its own entry */
	json_decref(fams);
	check_guides(mem, own);
	same_as_induced(mem, own);
	json_decref(own);
	tally before = run_split(mem, "test", NULL, NULL);
	assert_int_equal(before.wrong, 0);

	/* export and import into a new store: the same answers */
	char exp[400], other[400];
	snprintf(exp, sizeof exp, "%s/programs.jsonl", dir);
	snprintf(other, sizeof other, "%s/imported.db", dir);
	assert_int_equal(crmw_memory_export(mem, exp), CRMW_OK);
	crmw_memory *imp;
	assert_int_equal(crmw_memory_open(&imp, other, NULL), CRMW_OK);
	int64_t added = 0, merged = 0;
	assert_int_equal(crmw_memory_import(&added, &merged, imp, exp, NULL), CRMW_OK);
	tally after = run_split(imp, "test", NULL, NULL);
	assert_int_equal(after.solved, before.solved);
	assert_int_equal(after.wrong, 0);

	/* only the plans: fewer solved, never a wrong answer (on the families
	 * whose programs answer, to keep the test short under the sanitisers) */
	static const char some[] = "{\"split\":\"test\",\"families\":[\"monthly_trend_analysis\",\"sales_amount_understanding\","
				   "\"internal_operation_data\",\"top_issue_identification\",\"handle_time\"]}";
	tally all_some = run_split(imp, some, NULL, NULL);
	/* where a family has programs, their abstention stands: no plan answers */
	assert_int_equal(all_some.plans_over_programs, 0);
	assert_int_equal(before.plans_over_programs, 0);
	tally plans = run_split(imp, some, "{\"programs\":false}", NULL);
	assert_true(plans.plans_over_programs > 0);
	assert_true(all_some.solved > plans.solved);
	assert_int_equal(plans.wrong, 0);

	/* a hostile writer replaces every library with malformed programs:
	 * a reference to a later step, a nesting too deep; nothing crashes, nothing answers from them */
	json_t *deep = json_string("x");
	for (int d = 0; d < 40; d++)
		deep = json_pack("{s:o}", "$count", deep);
	json_t *bad = json_pack("{s:i, s:[{s:s, s:[{s:s, s:{s:{s:s}}}]}, {s:s, s:[{s:s, s:{s:o}}]}], s:{}}", "version", 1,
				"programs", "family", "handle_time", "steps", "name", "get_cases", "arguments", "x", "$ref",
				"/5", "family", "handle_time", "steps", "name", "get_cases", "arguments", "x", deep,
				"families");
	assert_non_null(bad);
	/* and programs whose library fields are wrong: no family, words that
	 * are not counts, a period index far out of range (the review's crashes) */
	json_t *more[] = {
		json_pack("{s:[{s:s, s:{s:s}}]}", "steps", "name", "respond", "arguments", "content", "x"),
		json_pack("{s:s, s:{s:s}, s:[{s:s, s:{s:s}}]}", "family", "handle_time", "words", "a", "b", "steps", "name",
			  "respond", "arguments", "content", "x"),
		json_pack("{s:s, s:[{s:s, s:{s:{s:s, s:I, s:i}}}]}", "family", "handle_time", "steps", "name", "respond",
			  "arguments", "content", "$period", "start", "index", (json_int_t)-100000000, "of", 0),
	};
	for (size_t m = 0; m < sizeof more / sizeof more[0]; m++)
		assert_int_equal(json_array_append_new(json_object_get(bad, "programs"), more[m]), 0);
	json_array_foreach(list, i, e) {
		json_t *md = json_deep_copy(json_object_get(e, "metadata"));
		json_object_set(md, "library", bad);
		json_t *patch = json_pack("{s:o}", "metadata", md);
		char *pt = json_dumps(patch, JSON_COMPACT);
		/* the imported store has its own ids: find the entry of the family there */
		char f[200];
		snprintf(f, sizeof f, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"family\":\"%s\",\"scopes\":[\"%s\"]}",
			 json_string_value(json_object_get(e, "family")), json_string_value(json_object_get(e, "scope")));
		crmw_buf lb = CRMW_BUF_INIT;
		assert_int_equal(crmw_memory_list(&lb, imp, f), CRMW_OK);
		json_t *l2 = json_loads(lb.data, 0, NULL);
		crmw_buf_dispose(&lb);
		assert_int_equal(json_array_size(l2), 1);
		assert_int_equal(crmw_memory_update(imp, json_integer_value(json_object_get(json_array_get(l2, 0), "id")), pt),
				 CRMW_OK);
		json_decref(l2);
		free(pt);
		json_decref(patch);
	}
	json_decref(bad);
	tally poisoned = run_split(imp, some, NULL, NULL);
	assert_int_equal(poisoned.wrong, 0);
	tally unlabelled = run_split(imp, some, "{\"same_family\":false}", NULL);
	assert_int_equal(unlabelled.wrong, 0);
	assert_true(poisoned.solved <= plans.solved + 0); /* the plans still answer; no program does */
	crmw_memory_free(imp);
	json_decref(list);
	crmw_memory_free(mem);
}

/* The policy's options and ownership of the fallback. */
static int destroyed;
static void count_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}
static int never(crmw_response *r, const crmw_request *q, void *ud)
{
	(void)q;
	(void)ud;
	return crmw_response_set_error(r, "never");
}

static void test_policy_options(void **state)
{
	(void)state;
	crmw_memory *mem = memory_named("opts.db");
	crmw_backend b, fb = {sizeof fb, CRMW_BACKEND_VERSION, NULL, never, NULL, NULL, 0, count_destroy};
	static const char *const bad[] = {"{\"k\":0}", "{\"min_score\":2}", "{\"min_support\":0}", "{\"same_family\":1}",
					  "{\"margin\":-1}", "{\"max_new_words\":-2}", "{\"min_alignment\":1}", "[1]",
					  "{\"programs\":1}", "{\"free_text\":\"yes\"}"};
	destroyed = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(crmw_backend_memory_policy(&b, mem, &fb, bad[i]), CRMW_EINVALID);
		assert_null(b.complete);
	}
	/* the fallback is taken over even when the call fails */
	assert_int_equal(destroyed, (int)(sizeof bad / sizeof bad[0]));
	assert_int_equal(crmw_backend_memory_policy(&b, NULL, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_backend_memory_policy(&b, mem, &fb, "{\"k\":3,\"min_score\":0.5}"), CRMW_OK);
	crmw_backend_dispose(&b);
	assert_int_equal(destroyed, (int)(sizeof bad / sizeof bad[0]) + 1);
	assert_null(b.complete);
	crmw_backend_dispose(&b); /* zeroed: nothing more */
	crmw_backend_dispose(NULL);
	crmw_memory_free(mem);
}

/* ------------------------------------------------------------ plan slots */

static json_t *slot_values(const json_t *slots, const char *kind)
{
	json_t *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "kind")), kind) == 0)
			json_array_append(out, json_object_get(s, "value"));
	}
	return out;
}

static void expect_values(const json_t *slots, const char *kind, const char *want)
{
	json_t *v = slot_values(slots, kind);
	char *got = json_dumps(v, JSON_COMPACT);
	assert_string_equal(got, want);
	free(got);
	json_decref(v);
}

static void test_slots(void **state)
{
	(void)state;
	json_t *t = json_pack("{s:s, s:{s:s}}", "query",
			      "In the second quarter of 2023 and Winter 2022, who closed 'Gold Plan' cases? Over the "
			      "past four weeks, May we see product 01tnTG0DDvLwhoxQNB (version 2.5)?",
			      "metadata", "required", "- Today's date: 2024-03-03\n- Contact Id: 003nT3FdvjFSSX1QCP");
	json_t *s = crmw__task_slots(t);
	assert_non_null(s);
	expect_values(s, "period", "[\"Q2\",\"Winter\"]"); /* "May" without a year is a word */
	expect_values(s, "number", "[\"2023\",\"2022\",\"4\",\"2.5\"]");
	expect_values(s, "text", "[\"Gold Plan\"]");
	expect_values(s, "id", "[\"01tnTG0DDvLwhoxQNB\",\"003nT3FdvjFSSX1QCP\"]");
	expect_values(s, "date", "[\"2024-03-03\"]");
	/* context words on the same line */
	size_t i;
	json_t *x;
	json_array_foreach(s, i, x) {
		if (strcmp(json_string_value(json_object_get(x, "value")), "4") == 0) {
			assert_string_equal(json_string_value(json_object_get(x, "before")), "over the past");
			assert_string_equal(json_string_value(json_object_get(x, "after")), "weeks may");
		}
		if (strcmp(json_string_value(json_object_get(x, "value")), "2024-03-03") == 0)
			assert_string_equal(json_string_value(json_object_get(x, "before")), "today's date");
	}
	json_decref(s);
	json_decref(t);
}

/* A plan built from calls, replayed on another task. */
static void test_plan_roundtrip(void **state)
{
	(void)state;
	json_t *t1 = json_pack("{s:s, s:{s:s}}", "query",
			       "During Winter 2023, which agent sold the most? Also find the stresslab I ordered 27 days ago.",
			       "metadata", "required", "- Today's date: 2024-05-29\n- Contact Id: 003nT3FdvjFSSVCQC5");
	json_t *calls = json_pack(
		"[{s:s, s:{s:s, s:s}, s:[{s:s, s:s}, {s:s, s:s}]},"
		" {s:s, s:{s:s, s:s}, s:o},"
		" {s:s, s:{s:[s, s], s:s}, s:s}]",
		"name", "sales", "arguments", "start_date", "2023-12-01T00:00:00Z", "end_date", "2024-02-29", "result", "Id",
		"005A", "Name", "x", "Id", "005B", "Name", "y", /* step 1 */
		"name", "search_products", "arguments", "search_term", "stresslab", "purchase_date", "2024-05-02T00:00:00Z",
		"result", json_pack("[s]", "01tX"), /* step 2 */
		"name", "pick", "arguments", "ids", "005A", "005B", "contact", "003nT3FdvjFSSVCQC5", "result", "005B");
	json_t *plan;
	char *text;
	assert_int_equal(crmw__plan_build(&plan, &text, t1, calls, "005B"), CRMW_OK);
	char *ps = json_dumps(plan, JSON_COMPACT | JSON_SORT_KEYS);
	/* the period's bounds, the relative date, the phrase, the pluck, the answer */
	assert_non_null(strstr(ps, "\"$date\":{\"bound\":\"start\",\"period\":"));
	assert_non_null(strstr(ps, "\"bound\":\"last\""));
	assert_non_null(strstr(ps, "\"unit\":\"day\""));
	assert_non_null(strstr(ps, "\"pluck\":\"Id\""));
	assert_non_null(strstr(ps, "\"kind\":\"phrase\",\"name\":"));
	assert_non_null(strstr(ps, "\"answer_source\":\"ref\""));
	free(ps);
	assert_non_null(strstr(text, "step 1's result"));
	free(text);

	/* another task of the same wording */
	json_t *t2 = json_pack("{s:s, s:{s:s}}", "query",
			       "During Winter 2024, which agent sold the most? Also find the performance hpc rack I ordered "
			       "10 days ago.",
			       "metadata", "required", "- Today's date: 2025-01-10\n- Contact Id: 003nT3FdvjFSSZZQC5");
	json_t *b;
	char why[300] = "";
	assert_int_equal(crmw__plan_align(&b, why, sizeof why, plan, t2), CRMW_OK);
	json_t *results = json_pack("[[{s:s},{s:s},{s:s}], [s]]", "Id", "005C", "Id", "005D", "Id", "005E", "01tY");
	json_t *steps = json_object_get(plan, "steps");
	json_t *a0 = crmw__plan_resolve(json_object_get(json_array_get(steps, 0), "arguments"), b, results, why, sizeof why);
	json_t *a1 = crmw__plan_resolve(json_object_get(json_array_get(steps, 1), "arguments"), b, results, why, sizeof why);
	json_t *a2 = crmw__plan_resolve(json_object_get(json_array_get(steps, 2), "arguments"), b, results, why, sizeof why);
	assert_non_null(a0);
	assert_non_null(a1);
	assert_non_null(a2);
	/* Winter 2024 runs to the end of February 2025 */
	assert_string_equal(json_string_value(json_object_get(a0, "start_date")), "2024-12-01T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(a0, "end_date")), "2025-02-28");
	assert_string_equal(json_string_value(json_object_get(a1, "search_term")), "performance hpc rack");
	assert_string_equal(json_string_value(json_object_get(a1, "purchase_date")), "2024-12-31T00:00:00Z");
	char *a2s = json_dumps(a2, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(a2s, "{\"contact\":\"003nT3FdvjFSSZZQC5\",\"ids\":[\"005C\",\"005D\",\"005E\"]}");
	free(a2s);
	json_decref(a0);
	json_decref(a1);
	json_decref(a2);
	json_decref(b);

	/* a task naming a month the plan's task did not: no alignment */
	json_t *t3 = json_pack("{s:s, s:{s:s}}", "query",
			       "During Winter 2024, in March of 2024, which agent sold the most? Also find the rack I "
			       "ordered 3 days ago.",
			       "metadata", "required", "- Today's date: 2025-01-10\n- Contact Id: 003nT3FdvjFSSZZQC5");
	assert_int_equal(crmw__plan_align(&b, why, sizeof why, plan, t3), CRMW_ENOTFOUND);
	assert_null(b);
	assert_non_null(strstr(why, "period"));
	/* two numbers that could stand for the plan's one: ambiguous */
	json_t *t4 = json_pack("{s:s, s:{s:s}}", "query",
			       "During Winter 2024, which agent sold the most? Also find the rack 7 I ordered 10 days ago.",
			       "metadata", "required", "- Today's date: 2025-01-10\n- Contact Id: 003nT3FdvjFSSZZQC5");
	assert_int_equal(crmw__plan_align(&b, why, sizeof why, plan, t4), CRMW_OK); /* context picks "10 days" */
	assert_string_equal(json_string_value(json_object_get(b, "s2")), "10");
	json_decref(b);
	/* a result missing where the plan reads: resolution fails with a reason */
	json_t *empty = json_array();
	assert_null(crmw__plan_resolve(json_object_get(json_array_get(steps, 2), "arguments"), b, empty, why, sizeof why));
	json_decref(empty);
	json_decref(results);
	json_decref(t4);
	json_decref(t3);
	json_decref(t2);
	json_decref(plan);
	json_decref(calls);
	json_decref(t1);
}

/* ----------------------------------------------------------------- replay */

static void test_replay(void **state)
{
	(void)state;
	char rec[400], bad[400];
	snprintf(rec, sizeof rec, "%s/rec.jsonl", dir);
	snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mem_path, NULL), CRMW_OK);
	/* record the memory policy's episodes (answers and abstentions) */
	crmw_task_set *test = split("test");
	crmw_backend b;
	assert_int_equal(crmw_backend_memory_policy(&b, mem, NULL, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	FILE *f = fopen(rec, "w");
	assert_non_null(f);
	int64_t n = crmw_task_set_count(test) < 30 ? crmw_task_set_count(test) : 30;
	json_t *first = json_array();
	for (int64_t i = 0; i < n; i++) {
		json_t *t = run_task(a, test, i);
		char *s = json_dumps(t, JSON_COMPACT);
		fprintf(f, "%s\n", s);
		free(s);
		json_array_append_new(first, t);
	}
	fclose(f);
	crmw_agent_free(a);

	/* replayed: the same answers, rewards and ends */
	assert_int_equal(crmw_backend_replay(&b, rec, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	for (int64_t i = 0; i < n; i++) {
		json_t *t = run_task(a, test, i), *o = json_array_get(first, (size_t)i);
		assert_string_equal(end_reason(t), end_reason(o));
		assert_true(json_equal(json_object_get(t, "answer"), json_object_get(o, "answer")));
		assert_true(json_equal(json_object_get(t, "reward"), json_object_get(o, "reward")));
		assert_int_equal(json_array_size(json_object_get(t, "messages")),
				 json_array_size(json_object_get(o, "messages")));
		json_decref(t);
	}
	/* a task it has no recording of */
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_agent_run(&out, a, "{\"id\":\"unknown-task\",\"query\":\"hello?\"}", NULL), CRMW_OK);
	json_t *t = json_loads(out.data, 0, NULL);
	assert_string_equal(end_reason(t), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(t, "error")), "no recorded episode of task 'unknown-task'"));
	json_decref(t);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);

	/* bad files and options */
	assert_int_equal(crmw_backend_replay(&b, "/nonexistent/x.jsonl", NULL), CRMW_ENOTFOUND);
	f = fopen(bad, "w");
	fprintf(f, "{\"task_id\":\"a\",\"messages\":[]}\n\n{\"task_id\":\"b\"}\n");
	fclose(f);
	assert_int_equal(crmw_backend_replay(&b, bad, NULL), CRMW_EFORMAT);
	assert_non_null(strstr(crmw_last_error(), "line 3"));
	f = fopen(bad, "w");
	fprintf(f, "{\"task_id\":\"a\",\"messages\":[]}\nnot json\n");
	fclose(f);
	assert_int_equal(crmw_backend_replay(&b, bad, NULL), CRMW_EFORMAT);
	assert_non_null(strstr(crmw_last_error(), "line 2"));
	assert_int_equal(crmw_backend_replay(&b, rec, "{\"match\":\"idx\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_backend_replay(&b, rec, "{\"match\":\"episode_id\"}"), CRMW_OK);
	crmw_backend_dispose(&b);
	json_decref(first);
	crmw_task_set_free(test);
	crmw_memory_free(mem);
}

/* --------------------------------------------------------------- threads */

typedef struct worker_arg {
	crmw_backend *b;
	crmw_task_set *ts;
	int solved, wrong;
	char (*why)[600]; /* per task: "" solved, else "end_reason (error) and the tool results" */
} worker_arg;

static void *worker(void *p)
{
	worker_arg *w = p;
	crmw_db *own;
	if (crmw_db_open(&own, org_path, CRMW_DB_READONLY))
		return NULL;
	crmw_query_opts *qo;
	crmw_registry *reg;
	if (valgrind_registry(own, &reg, &qo)) {
		crmw_db_free(own);
		return NULL;
	}
	crmw_agent *a;
	if (crmw_agent_new(&a, own, NULL) == CRMW_OK && crmw_agent_set_backend(a, w->b) == CRMW_OK &&
	    (!reg || crmw_agent_set_registry(a, reg) == CRMW_OK)) {
		for (int64_t i = 0; i < crmw_task_set_count(w->ts); i++) {
			crmw_buf t = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
			crmw_task_set_get(&t, w->ts, i);
			snprintf(w->why[i], sizeof w->why[i], "run failed");
			if (crmw_agent_run(&out, a, t.data, NULL) == CRMW_OK) {
				json_t *j = json_loads(out.data, 0, NULL);
				double r = json_real_value(json_object_get(j, "reward"));
				w->solved += r == 1.0;
				w->wrong += strcmp(end_reason(j), "answered") == 0 && r < 1.0;
				const char *err = json_string_value(json_object_get(j, "error"));
				int at = snprintf(w->why[i], sizeof w->why[i], "%s (%.200s)", end_reason(j), err ? err : "");
				size_t k;
				json_t *m;
				json_array_foreach(json_object_get(j, "messages"), k, m) {
					const char *role = json_string_value(json_object_get(m, "role"));
					const char *c = json_string_value(json_object_get(m, "content"));
					if (role && c && strcmp(role, "tool") == 0 && at > 0 && (size_t)at < sizeof w->why[i])
						at += snprintf(w->why[i] + at, sizeof w->why[i] - (size_t)at, " | %.90s", c);
				}
				if (r == 1.0)
					w->why[i][0] = '\0';
				json_decref(j);
			}
			crmw_buf_dispose(&t);
			crmw_buf_dispose(&out);
		}
	}
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_query_opts_free(qo);
	crmw_db_free(own);
	return NULL;
}

/* One policy table shared by agents on four threads (destroy NULL on the
 * copies): task for task the same outcomes as on this thread, and as many
 * solved as by the agent of run_split. */
static void test_shared_across_threads(void **state)
{
	(void)state;
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mem_path, NULL), CRMW_OK);
	crmw_task_set *test = split("test");
	int64_t n = crmw_task_set_count(test);
	tally one = run_split(mem, "test", NULL, NULL);
	crmw_backend b;
	assert_int_equal(crmw_backend_memory_policy(&b, mem, NULL, NULL), CRMW_OK);
	crmw_backend shared = b;
	shared.destroy = NULL;
	worker_arg base = {&shared, test, 0, 0, calloc((size_t)n, sizeof *base.why)};
	assert_non_null(base.why);
	worker(&base);
	worker_arg w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (worker_arg){&shared, test, 0, 0, calloc((size_t)n, sizeof *w[i].why)};
		assert_non_null(w[i].why);
		assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	int differ = 0;
	for (int i = 0; i < 4; i++)
		for (int64_t k = 0; k < n; k++)
			if (strcmp(w[i].why[k], base.why[k]) != 0 && differ++ < 8)
				print_message("# task %lld: on this thread '%s', on thread %d '%s'\n", (long long)k,
					      base.why[k], i, w[i].why[k]);
	if (base.solved != one.solved)
		print_message("# solved: %d by run_split's agent, %d by the worker on this thread\n", one.solved,
			      base.solved);
	assert_int_equal(differ, 0);
	assert_int_equal(base.solved, one.solved);
	assert_int_equal(base.wrong, 0);
	for (int i = 0; i < 4; i++)
		free(w[i].why);
	free(base.why);
	crmw_backend_dispose(&b);
	crmw_task_set_free(test);
	crmw_memory_free(mem);
}

/* Regression: a gold episode whose tool reply was cut at the agent's
 * observation cap went on with the uncut result (the gold program's own)
 * and was rewarded 1: a training demonstration whose steps the model could
 * not have taken.  The action records the cut, and the gold backend fails
 * the episode instead of going on. */
static void test_gold_cut_reply_fails(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_observation_bytes\":1500}"), CRMW_OK);
	crmw_backend g;
	assert_int_equal(crmw_backend_gold(&g, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &g), CRMW_OK);
	int cut = 0, whole = 0;
	for (int64_t i = 0; i < crmw_task_set_count(tasks); i++) {
		json_t *t = run_task(a, tasks, i);
		bool was_cut = false;
		size_t k, j;
		json_t *d, *act;
		json_array_foreach(json_object_get(t, "decisions"), k, d) {
			json_array_foreach(json_object_get(d, "actions"), j, act) {
				const char *obs = json_string_value(json_object_get(act, "observation"));
				bool marked = json_is_true(json_object_get(act, "truncated"));
				/* the mark and the notice go together */
				assert_int_equal(marked, obs && strstr(obs, "\n[truncated: ") != NULL);
				was_cut = was_cut || marked;
			}
		}
		double reward = json_real_value(json_object_get(t, "reward"));
		if (was_cut) {
			cut++;
			if (reward != 0.0 || strcmp(end_reason(t), "backend_error") != 0)
				fail_msg("task %lld: a cut gold episode ended '%s' with reward %g", (long long)i, end_reason(t), reward);
			assert_non_null(strstr(json_string_value(json_object_get(t, "error")), "cut"));
		} else if (json_object_get(t, "reward") && reward == 1.0) {
			whole++;
		}
		json_decref(t);
	}
	/* both kinds happened: the test is not vacuous */
	assert_true(cut > 0);
	assert_true(whole > 0);
	crmw_agent_free(a);
}

/* memory.program_examples: how many of a family's newest examples its
 * program entry keeps (and induces from); a value out of range or not an
 * integer is refused with the option's name. */
static void test_program_examples(void **state)
{
	(void)state;
	static const char *const bad[] = {"1", "1001", "2.5", "\"many\"", "-3", "true"};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		char o[200];
		snprintf(o, sizeof o, "{\"memory\":{\"programs\":true,\"program_examples\":%s}}", bad[k]);
		crmw_agent *x = NULL;
		assert_int_equal(crmw_agent_new(&x, db, o), CRMW_EINVALID);
		assert_null(x);
		if (!strstr(crmw_last_error(), "program_examples"))
			fail_msg("%s: %s", o, crmw_last_error());
	}
	crmw_memory *mem = memory_named("examples.db");
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"top_issue_identification\"]}");
	int64_t n = crmw_task_set_count(train) < 5 ? crmw_task_set_count(train) : 5;
	assert_true(n >= 4);
	crmw_agent *a = gold_agent("{\"memory\":{\"write\":true,\"programs\":true,\"program_examples\":3}}", mem);
	json_t *ids = json_array();
	for (int64_t i = 0; i < n; i++) {
		json_t *t = run_task(a, train, i);
		assert_true(json_real_value(json_object_get(t, "reward")) == 1.0);
		assert_true(json_is_string(json_object_get(t, "episode_id")));
		json_array_append(ids, json_object_get(t, "episode_id"));
		json_decref(t);
	}
	crmw_agent_free(a);
	json_t *list = listed(mem, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"limit\":0}");
	assert_int_equal(json_array_size(list), 1);
	const json_t *e = json_array_get(list, 0);
	const json_t *md = json_object_get(e, "metadata");
	/* the newest three, oldest first, in the examples and the provenance */
	assert_int_equal(json_array_size(json_object_get(md, "examples")), 3);
	assert_int_equal(json_integer_value(json_object_get(md, "support")), 3);
	const json_t *prov = json_object_get(e, "provenance");
	assert_int_equal(json_array_size(prov), 3);
	for (size_t k = 0; k < 3; k++)
		assert_true(json_equal(json_array_get(prov, k), json_array_get(ids, (size_t)n - 3 + k)));
	json_decref(list);
	json_decref(ids);
	crmw_task_set_free(train);
	crmw_memory_free(mem);
}

/* A best_region episode passes its period's cases, and then their states,
 * on whole: its example keeps each once ("same"), and the programs are
 * induced from the examples as they are kept. */
static void test_program_shared_results(void **state)
{
	(void)state;
	crmw_memory *mem = memory_named("shared.db");
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"best_region_identification\"]}");
	crmw_agent *a = gold_agent("{\"memory\":{\"write\":true,\"programs\":true}}", mem);
	int64_t n = crmw_task_set_count(train);
	for (int64_t i = 0; i < n; i++) {
		json_t *t = run_task(a, train, i);
		assert_true(json_real_value(json_object_get(t, "reward")) == 1.0);
		json_decref(t);
	}
	crmw_agent_free(a);
	json_t *list = listed(mem, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"limit\":0}");
	assert_int_equal(json_array_size(list), 1);
	const json_t *md = json_object_get(json_array_get(list, 0), "metadata");
	const json_t *examples = json_object_get(md, "examples");
	assert_int_equal((int64_t)json_array_size(examples), n);
	size_t i, shared = 0;
	json_t *ex;
	json_array_foreach(examples, i, ex) {
		const json_t *same = json_object_get(ex, "same");
		const json_t *calls = json_object_get(ex, "calls");
		size_t k;
		json_t *t3;
		json_array_foreach(same, k, t3) {
			/* the argument is kept as null, its value is the earlier result */
			const json_t *args = json_object_get(json_array_get(calls, (size_t)json_integer_value(json_array_get(t3, 0))),
							     "arguments");
			assert_true(json_is_null(json_object_get(args, json_string_value(json_array_get(t3, 1)))));
			assert_true(json_integer_value(json_array_get(t3, 2)) < json_integer_value(json_array_get(t3, 0)));
		}
		/* a period with closed cases: get_shipping_state, the averages and
		 * the argmin or argmax take the results before them whole */
		shared += json_array_size(same) == 3;
	}
	assert_true(shared >= 2);
	const json_t *progs = json_object_get(json_object_get(md, "library"), "programs");
	assert_true(json_array_size(progs) >= 1);
	/* the examples kept induce the library kept */
	char why[300];
	json_t *lib = crmw__induce(examples, 2, why, sizeof why);
	assert_non_null(lib);
	assert_true(json_equal(json_object_get(lib, "programs"), progs));
	json_decref(lib);
	json_decref(list);
	crmw_task_set_free(train);
	crmw_memory_free(mem);
}

/* A failed episode of a family with programs records what it did otherwise
 * (a pitfall, no value of it) in the program entry, once, and the family's
 * guide lists it. */
static void test_pitfalls(void **state)
{
	(void)state;
	crmw_memory *mem = memory_named("pitfalls.db");
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"top_issue_identification\"]}");
	int64_t n = crmw_task_set_count(train);
	assert_true(n >= 6);
	crmw_agent *a = gold_agent("{\"memory\":{\"write\":true,\"programs\":true}}", mem);
	for (int64_t i = 0; i < 5; i++) {
		json_t *t = run_task(a, train, i);
		assert_true(json_real_value(json_object_get(t, "reward")) == 1.0);
		json_decref(t);
	}
	/* a task answered at once with None, where its answer is an issue */
	json_t *task = NULL;
	for (int64_t i = 5; i < n && !task; i++) {
		json_t *t = task_at(train, i);
		const char *ans = json_string_value(json_array_get(json_object_get(t, "answer"), 0));
		if (ans && strcmp(ans, "None") != 0)
			task = t;
		else
			json_decref(t);
	}
	assert_non_null(task);
	json_object_set_new(task, "gold", json_pack("[{s:s, s:{s:s}}]", "name", "respond", "arguments", "content", "None"));
	char *text = json_dumps(task, JSON_COMPACT);
	for (int k = 0; k < 2; k++) {
		crmw_buf out = CRMW_BUF_INIT;
		int rc = crmw_agent_run(&out, a, text, NULL);
		assert_true(rc == CRMW_OK || rc == CRMW_EUSER);
		json_t *t = json_loads(out.data, 0, NULL);
		crmw_buf_dispose(&out);
		assert_true(json_real_value(json_object_get(t, "reward")) == 0.0);
		json_decref(t);
	}
	free(text);
	crmw_agent_free(a);
	json_t *list = listed(mem, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"limit\":0}");
	assert_int_equal(json_array_size(list), 1);
	const json_t *pits = json_object_get(json_object_get(json_array_get(list, 0), "metadata"), "pitfalls");
	/* recorded once although the episode failed twice */
	assert_int_equal(json_array_size(pits), 1);
	const char *p = json_string_value(json_array_get(pits, 0));
	assert_non_null(p);
	if (strncmp(p, "answered after 0 tool calls, before calling ", 44) != 0)
		fail_msg("pitfall: %s", p);
	/* the guide lists it */
	json_t *guides = listed(mem, "{\"kind\":\"guideline\",\"tags\":[\"program-guide\"],\"limit\":0}");
	assert_int_equal(json_array_size(guides), 1);
	const char *g = json_string_value(json_object_get(json_array_get(guides, 0), "text"));
	char want[400];
	snprintf(want, sizeof want, "Pitfalls seen in failed episodes:\n  - %s\n", p);
	if (!g || !strstr(g, want))
		fail_msg("guide: %s", g ? g : "(none)");
	json_decref(guides);
	json_decref(list);
	json_decref(task);
	crmw_task_set_free(train);
	crmw_memory_free(mem);
}

/* A new memory (file `name` in the test's folder) holding what the gold
 * agent wrote solving eight top issue training tasks, programs included. */
static crmw_memory *top_issue_memory(const char *name)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, path, NULL), CRMW_OK);
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"top_issue_identification\"]}");
	crmw_agent *g = gold_agent("{\"memory\":{\"write\":true,\"programs\":true}}", mem);
	for (int64_t i = 0; i < crmw_task_set_count(train) && i < 8; i++)
		json_decref(run_task(g, train, i));
	crmw_agent_free(g);
	crmw_task_set_free(train);
	return mem;
}

static json_t *first_plan(crmw_agent *a, const crmw_task_set *s, int64_t i)
{
	json_t *t = run_task(a, s, i);
	json_t *plan = json_incref(json_object_get(t, "plan"));
	json_decref(t);
	return plan;
}

/* The index of the first task of `test` whose first step the programs
 * take (a plan of a kind), asserted to exist. */
static int64_t programmed_task(crmw_agent *a, const crmw_task_set *test)
{
	int64_t k = -1;
	for (int64_t i = 0; i < crmw_task_set_count(test) && k < 0; i++) {
		json_t *plan = first_plan(a, test, i);
		if (json_is_object(plan) && json_object_get(plan, "kind"))
			k = i;
		json_decref(plan);
	}
	assert_true(k >= 0);
	return k;
}

/* One memory policy serving many episodes keeps the program entries it read
 * (the store's sequence tells it when to look again): a change made
 * through another handle between two episodes is followed at once: an
 * entry emptied, deleted, and written again. */
static void test_policy_cache(void **state)
{
	(void)state;
	char path[400];
	snprintf(path, sizeof path, "%s/cache.db", dir);
	crmw_memory *mem = top_issue_memory("cache.db"), *other;
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"top_issue_identification\"]}");
	crmw_agent *a = policy_agent(mem, NULL); /* one policy for every episode below */
	/* a task the programs take up */
	int64_t k = programmed_task(a, test);
	json_t *list = listed(mem, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"limit\":0}");
	assert_int_equal(json_array_size(list), 1);
	json_t *entry = json_array_get(list, 0);
	int64_t id = json_integer_value(json_object_get(entry, "id"));
	/* emptied through another handle: no program answers */
	assert_int_equal(crmw_memory_open(&other, path, NULL), CRMW_OK);
	json_t *md = json_deep_copy(json_object_get(entry, "metadata"));
	json_object_set_new(md, "library", json_pack("{s:i, s:[]}", "version", 1, "programs"));
	json_t *patch = json_pack("{s:o}", "metadata", md);
	char *pt = json_dumps(patch, JSON_COMPACT);
	assert_int_equal(crmw_memory_update(other, id, pt), CRMW_OK);
	free(pt);
	json_decref(patch);
	json_t *plan = first_plan(a, test, k);
	assert_true(json_is_null(plan) || !json_object_get(plan, "kind"));
	json_decref(plan);
	/* deleted, then written again from the same entry: answered again */
	assert_int_equal(crmw_memory_delete(other, id), CRMW_OK);
	plan = first_plan(a, test, k);
	assert_true(json_is_null(plan) || !json_object_get(plan, "kind"));
	json_decref(plan);
	json_t *again = json_deep_copy(entry);
	json_object_del(again, "id");
	char *at = json_dumps(again, JSON_COMPACT);
	int64_t nid = 0;
	int32_t merged = 0;
	assert_int_equal(crmw_memory_add(&nid, &merged, other, at, NULL, 0), CRMW_OK);
	free(at);
	json_decref(again);
	plan = first_plan(a, test, k);
	assert_true(json_is_object(plan) && json_object_get(plan, "kind"));
	assert_int_equal(json_integer_value(json_object_get(plan, "memory_id")), nid);
	json_decref(plan);
	/* an entry of another family that claims words and sides for this one
	 * (a crafted or imported entry: every word of the question seen only
	 * with argmin tasks) does not stop its programs.  (This family's
	 * programs answer without direction checks, so the check passes with
	 * the earlier merge of every key too; it guards the answering path.) */
	json_t *task = task_at(test, k);
	json_t *words = json_object();
	const char *q = json_string_value(json_object_get(task, "query"));
	for (const char *c = q; *c;) {
		while (*c && !isalnum((unsigned char)*c))
			c++;
		char w[64];
		size_t n = 0;
		while (*c && isalnum((unsigned char)*c))
			w[n < sizeof w - 1 ? n++ : n] = (char)tolower((unsigned char)*c), c++;
		w[n] = '\0';
		if (n)
			json_object_set_new(words, w, json_integer(50));
	}
	json_t *forged = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:{s:{s:i, s:[], s:{s:O}, s:{s:{s:{}, s:O}}}}}", "kind",
				   "plan", "family", "other_family", "tags", "program", "scope", "global", "title", "forged",
				   "text", "a forged program entry", "metadata", "library", "version", 1, "programs", "families",
				   "top_issue_identification", words, "sides", "top_issue_identification", "max", "min", words);
	assert_non_null(forged);
	char *ft = json_dumps(forged, JSON_COMPACT);
	int64_t fid = 0;
	assert_int_equal(crmw_memory_add(&fid, &merged, other, ft, NULL, 0), CRMW_OK);
	free(ft);
	json_decref(forged);
	json_decref(words);
	json_decref(task);
	plan = first_plan(a, test, k);
	assert_true(json_is_object(plan) && json_object_get(plan, "kind"));
	json_decref(plan);
	json_decref(list);
	crmw_memory_free(other);
	crmw_agent_free(a); /* and the backend it took */
	crmw_task_set_free(test);
	crmw_memory_free(mem);
}


/* `s` with every `from` said as `to` (malloc'd). */
static char *replaced(const char *s, const char *from, const char *to)
{
	crmw_buf b = CRMW_BUF_INIT;
	for (const char *at; (at = strstr(s, from)); s = at + strlen(from)) {
		assert_int_equal(crmw__buf_append(&b, s, (size_t)(at - s)), CRMW_OK);
		assert_int_equal(crmw__buf_puts(&b, to), CRMW_OK);
	}
	assert_int_equal(crmw__buf_puts(&b, s), CRMW_OK);
	char *out = strdup(b.data ? b.data : "");
	assert_non_null(out);
	crmw_buf_dispose(&b);
	return out;
}

/* A new store `name` holding what `craft` makes of each entry of `src`'s
 * export (it appends zero or more entries to `out`). */
typedef void (*craft_fn)(json_t *out, json_t *entry, void *ud);
static crmw_memory *crafted_store(crmw_memory *src, const char *name, craft_fn craft, void *ud)
{
	char in[400], out[400];
	snprintf(in, sizeof in, "%s/%s.in.jsonl", dir, name);
	snprintf(out, sizeof out, "%s/%s.out.jsonl", dir, name);
	assert_int_equal(crmw_memory_export(src, in), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__buf_read_file(&b, in), CRMW_OK);
	json_t *lines = json_array();
	for (char *s = b.data, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (!*s)
			continue;
		json_t *e = json_loads(s, 0, NULL);
		assert_non_null(e);
		craft(lines, e, ud);
		json_decref(e);
	}
	crmw_buf_dispose(&b);
	assert_true(json_array_size(lines) > 0);
	FILE *f = fopen(out, "wb");
	assert_non_null(f);
	size_t i;
	json_t *e;
	json_array_foreach(lines, i, e) {
		char *t = json_dumps(e, JSON_COMPACT);
		fprintf(f, "%s\n", t);
		free(t);
	}
	assert_int_equal(fclose(f), 0);
	json_decref(lines);
	crmw_memory *mem = memory_named(name);
	int64_t added = 0;
	assert_int_equal(crmw_memory_import(&added, NULL, mem, out, "{\"dedup\":false}"), CRMW_OK);
	assert_true(added > 0);
	return mem;
}

/* What relabelled makes of an entry: the entry with every `from` said as `to`. */
typedef struct relabel {
	const char *from, *to;
} relabel;

static void relabel_entry(json_t *out, json_t *entry, void *ud)
{
	const relabel *r = ud;
	char *t = json_dumps(entry, JSON_COMPACT);
	assert_non_null(t);
	char *u = replaced(t, r->from, r->to);
	json_t *e = json_loads(u, 0, NULL);
	assert_non_null(e);
	assert_int_equal(json_array_append_new(out, e), 0);
	free(t);
	free(u);
}

/* A copy of `src` in the new store `name` whose entries say the family
 * `from` as `to` everywhere (entries, programs, their words): what a store
 * holding `to`'s learned rules looks like. */
static crmw_memory *relabelled(crmw_memory *src, const char *name, const char *from, const char *to)
{
	relabel r = {from, to};
	return crafted_store(src, name, relabel_entry, &r);
}

/* Task i of `ts` as text, its family said as `to`. */
static char *task_relabelled(const crmw_task_set *ts, int64_t i, const char *from, const char *to)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, ts, i), CRMW_OK);
	char *t = replaced(b.data, from, to);
	crmw_buf_dispose(&b);
	return t;
}

/* One episode of `a` on the task text `t`, parsed. */
static json_t *run_text(crmw_agent *a, const char *t)
{
	crmw_buf out = CRMW_BUF_INIT;
	int rc = crmw_agent_run(&out, a, t, NULL);
	assert_true(rc == CRMW_OK || rc == CRMW_EUSER);
	json_t *j = json_loads(out.data, 0, NULL);
	assert_non_null(j);
	crmw_buf_dispose(&out);
	return j;
}

/* Whether the episode's first decision was the policy's (a program's when
 * `program`) and, when it was, whether it says it read rules of a family
 * whose answers need reading free text. */
static bool decided(const json_t *t, bool program, bool *free_text)
{
	const json_t *plan = json_object_get(t, "plan");
	*free_text = json_is_true(json_object_get(plan, "free_text"));
	if (!json_is_object(plan))
		return false;
	return program ? json_object_get(plan, "kind") != NULL : json_object_get(plan, "memory_id") != NULL;
}

/* Families whose answers need reading free text use learned rules only
 * behind the option "free_text" (issue 27).  The rules here are real ones
 * (top issue's programs, the refusal plans of private customer
 * information) said as sales insight mining's: without the gate the policy
 * answered such a family's task from them, and with the family withheld
 * any task they fitted. */
static void test_free_text_gate(void **state)
{
	(void)state;
	static const char *const ft = "sales_insight_mining";
	assert_true(crmw__family_reads_text(ft));
	/* programs */
	const char *from = "top_issue_identification";
	crmw_memory *src = top_issue_memory("ft_src.db");
	crmw_memory *mem = relabelled(src, "ft.db", from, ft);
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"top_issue_identification\"]}");
	crmw_agent *a = policy_agent(src, NULL);
	int64_t k = programmed_task(a, test);
	crmw_agent_free(a);
	/* and one they take with the family withheld: every word seen in
	 * training (a task of the training itself) */
	crmw_task_set *seen = split("{\"split\":\"train\",\"families\":[\"top_issue_identification\"]}");
	a = policy_agent(src, "{\"same_family\":false}");
	int64_t kw = programmed_task(a, seen);
	crmw_agent_free(a);
	char *t = task_relabelled(test, k, from, ft), *own = task_relabelled(seen, kw, from, from);
	crmw_task_set_free(seen);
	bool text = false;
	/* off (the default): the family's task is handed over with the reason */
	a = policy_agent(mem, NULL);
	json_t *tr = run_text(a, t);
	assert_false(decided(tr, true, &text));
	assert_string_equal(end_reason(tr), "abstained");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "option free_text"));
	json_decref(tr);
	crmw_agent_free(a);
	/* ... and with the family withheld its programs answer nothing */
	a = policy_agent(mem, "{\"same_family\":false}");
	tr = run_text(a, own);
	assert_false(decided(tr, true, &text));
	assert_string_equal(end_reason(tr), "abstained");
	json_decref(tr);
	crmw_agent_free(a);
	/* on: they answer, and say so */
	a = policy_agent(mem, "{\"free_text\":true}");
	tr = run_text(a, t);
	assert_true(decided(tr, true, &text) && text);
	assert_string_equal(end_reason(tr), "answered");
	json_decref(tr);
	crmw_agent_free(a);
	a = policy_agent(mem, "{\"same_family\":false,\"free_text\":true}");
	tr = run_text(a, own);
	assert_true(decided(tr, true, &text) && text);
	json_decref(tr);
	crmw_agent_free(a);
	/* the store's own family is not marked */
	a = policy_agent(src, "{\"free_text\":true}");
	tr = run_text(a, own);
	assert_true(decided(tr, true, &text) && !text);
	json_decref(tr);
	crmw_agent_free(a);
	free(t);
	free(own);
	crmw_task_set_free(test);
	crmw_memory_free(mem);
	crmw_memory_free(src);

	/* plans: refusals call nothing and fit any wording */
	from = "private_customer_information";
	src = memory_named("ft_plans_src.db");
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"private_customer_information\"]}");
	crmw_agent *g = gold_agent("{\"memory\":{\"write\":true}}", src);
	for (int64_t i = 0; i < crmw_task_set_count(train); i++)
		json_decref(run_task(g, train, i));
	crmw_agent_free(g);
	crmw_task_set_free(train);
	mem = relabelled(src, "ft_plans.db", from, ft);
	test = split("{\"split\":\"test\",\"families\":[\"private_customer_information\"]}");
	static const char *const opts[] = {"{\"programs\":false}", "{\"programs\":false,\"same_family\":false}",
					   "{\"programs\":false,\"free_text\":true}",
					   "{\"programs\":false,\"same_family\":false,\"free_text\":true}"};
	for (int o = 0; o < 4; o++) {
		a = policy_agent(mem, opts[o]);
		int answered = 0, marked = 0;
		for (int64_t i = 0; i < crmw_task_set_count(test); i++) {
			/* the family given: said as the store says it; withheld: the task's own */
			char *tt = task_relabelled(test, i, from, o % 2 ? from : ft);
			tr = run_text(a, tt);
			answered += decided(tr, false, &text);
			marked += text;
			if (o < 2 && !(o % 2))
				assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "option free_text"));
			json_decref(tr);
			free(tt);
		}
		print_message("# %s: %d of %lld test tasks answered by plans\n", opts[o], answered,
			      (long long)crmw_task_set_count(test));
		if (o < 2)
			assert_int_equal(answered, 0);
		else
			assert_true(answered > 0 && marked == answered);
		crmw_agent_free(a);
	}
	crmw_task_set_free(test);
	crmw_memory_free(mem);
	crmw_memory_free(src);
}

/* The twentieth review: attacks on the memory policy's option "free_text".
 * Three failed on its first version (a released entry read for the reason
 * of a gated reload; answers of an entry of such a family holding another
 * family's programs, and of a plan whose support came from such plans,
 * left unmarked). */

static bool review20_tagged(const json_t *e, const char *tag)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(e, "tags"), i, t) if (json_is_string(t) && !strcmp(json_string_value(t), tag)) return true;
	return false;
}

/* Attack 1: bad values of the option are refused (and the fallback taken
 * over); true and false are accepted. */
static void test_review20_option_values(void **state)
{
	(void)state;
	crmw_memory *mem = memory_named("review20opts.db");
	crmw_backend b, fb = {sizeof fb, CRMW_BACKEND_VERSION, NULL, never, NULL, NULL, 0, count_destroy};
	static const char *const bad[] = {"{\"free_text\":null}", "{\"free_text\":0}", "{\"free_text\":1}",
					  "{\"free_text\":\"true\"}", "{\"free_text\":[]}", "{\"free_text\":{}}",
					  "{\"Free_text\":true}", "{\"free_text\":true,\"k\":0}"};
	destroyed = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(crmw_backend_memory_policy(&b, mem, &fb, bad[i]), CRMW_EINVALID);
		assert_null(b.complete);
		if (i < 6)
			assert_non_null(strstr(crmw_last_error(), "free_text"));
	}
	assert_int_equal(destroyed, (int)(sizeof bad / sizeof bad[0]));
	assert_int_equal(crmw_backend_memory_policy(&b, mem, NULL, "{\"free_text\":false}"), CRMW_OK);
	crmw_backend_dispose(&b);
	assert_int_equal(crmw_backend_memory_policy(&b, mem, NULL, "{\"free_text\":true}"), CRMW_OK);
	crmw_backend_dispose(&b);
	crmw_memory_free(mem);
}

/* Attack 2: a conversation that names a free-text family's plan mid-episode.
 * A backend in front of the policy rewrites the memory id of the calls
 * (plan_<A>_n -> plan_<B>_n) where B is A's plan said as sales insight's.
 * The promise: the policy does not replay B, and says why ("memory B was
 * learned in sales_insight_mining ...").  The reason is formatted from the
 * entry's family after the entry was released (use after free in
 * reload()). */
/* Backends in front of the policy that rewrite its requests (as a
 * conversation the host changed between turns would): the request's JSON
 * as a string of one's own, the inner backend asked with another JSON, and
 * the destroy of a table whose first member is the inner backend's. */
static char *request_text(const crmw_request *req)
{
	size_t len = 0;
	const char *j = crmw_request_json(req, &len);
	char *copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, j, len);
	copy[len] = '\0';
	return copy;
}

static int forward_as(crmw_response *resp, const crmw_request *req, const crmw_backend *inner, const char *json)
{
	crmw_request r2 = *req;
	r2.json = json;
	r2.len = strlen(json);
	return inner->complete(resp, &r2, inner->userdata);
}

static void front_destroy(void *ud)
{
	crmw_backend *inner = ud; /* the first member */
	if (inner->destroy)
		inner->destroy(inner->userdata);
	free(ud);
}

typedef struct review20_swap {
	crmw_backend inner;
	char from[64], to[64];
	int rewrites;
} review20_swap;

static int review20_swap_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	review20_swap *w = ud;
	char *copy = request_text(req), *swapped = copy;
	if (w->from[0] && strstr(copy, w->from)) {
		swapped = replaced(copy, w->from, w->to);
		w->rewrites++;
	}
	int rc = forward_as(resp, req, &w->inner, swapped);
	if (swapped != copy)
		free(swapped);
	free(copy);
	return rc;
}

static void test_review20_reload_gate(void **state)
{
	(void)state;
	crmw_memory *mem = top_issue_memory("review20reload.db");
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"top_issue_identification\"]}");
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"top_issue_identification\"]}");
	/* a task a plan of two or more steps takes (plans only) */
	crmw_agent *a = policy_agent(mem, "{\"programs\":false}");
	const crmw_task_set *sets[] = {test, train};
	const crmw_task_set *ts = NULL;
	int64_t k = -1, mid = 0;
	for (int s = 0; s < 2 && k < 0; s++)
		for (int64_t i = 0; i < crmw_task_set_count(sets[s]) && k < 0; i++) {
			json_t *plan = first_plan(a, sets[s], i);
			if (json_integer_value(json_object_get(plan, "steps")) >= 2) {
				k = i;
				ts = sets[s];
				mid = json_integer_value(json_object_get(plan, "memory_id"));
			}
			json_decref(plan);
		}
	crmw_agent_free(a);
	assert_true(k >= 0 && mid > 0);
	/* the same plan said as sales insight mining's */
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_get(&b, mem, mid), CRMW_OK);
	json_t *e = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	json_t *copy = json_pack("{s:O, s:O, s:O, s:O, s:s, s:O, s:O, s:s}", "kind", json_object_get(e, "kind"), "title",
				 json_object_get(e, "title"), "text", json_object_get(e, "text"), "query",
				 json_object_get(e, "query"), "family", "sales_insight_mining", "tags",
				 json_object_get(e, "tags"), "metadata", json_object_get(e, "metadata"), "scope", "global");
	assert_non_null(copy);
	char *ct = json_dumps(copy, JSON_COMPACT);
	int64_t other = 0;
	int32_t merged = 0;
	assert_int_equal(crmw_memory_add(&other, &merged, mem, ct, NULL, 0), CRMW_OK);
	assert_int_equal(merged, 0);
	free(ct);
	json_decref(copy);
	json_decref(e);
	/* the episode, its second turn told it follows the copy */
	review20_swap *w = calloc(1, sizeof *w);
	assert_int_equal(crmw_backend_memory_policy(&w->inner, mem, NULL, "{\"programs\":false}"), CRMW_OK);
	snprintf(w->from, sizeof w->from, "plan_%lld_", (long long)mid);
	snprintf(w->to, sizeof w->to, "plan_%lld_", (long long)other);
	crmw_backend sb = {.struct_size = sizeof sb, .version = CRMW_BACKEND_VERSION, .userdata = w,
			   .complete = review20_swap_complete, .destroy = front_destroy};
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &sb), CRMW_OK);
	crmw_buf tb = CRMW_BUF_INIT, ob = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&tb, ts, k), CRMW_OK);
	int rc = crmw_agent_run(&ob, a, tb.data, NULL);
	if (rc != CRMW_OK && rc != CRMW_EUSER)
		fail_msg("the episode failed: rc %d: %s / %.300s", rc, crmw_agent_errmsg(a), ob.data ? ob.data : "");
	json_t *tr = json_loads(ob.data, 0, NULL);
	assert_non_null(tr);
	crmw_buf_dispose(&tb);
	crmw_buf_dispose(&ob);
	assert_true(w->rewrites > 0);
	assert_string_equal(end_reason(tr), "abstained");
	const char *err = json_string_value(json_object_get(tr, "error"));
	char want[160];
	snprintf(want, sizeof want, "memory %lld was learned in sales_insight_mining, whose answers", (long long)other);
	if (!err || !strstr(err, want))
		fail_msg("reason: %s", err ? err : "(none)");
	json_decref(tr);
	crmw_agent_free(a);
	crmw_task_set_free(train);
	crmw_task_set_free(test);
	crmw_memory_free(mem);
}

/* Attacks 3 and 4: program entries whose entry family and program family
 * differ.  Every program entry of top issue's store is written twice: once
 * as it is with its programs taken out (its words and sides stay), once
 * holding the programs under `entry_family` (NULL: none), the programs'
 * own "family" left as it is (`prog_family` NULL) or changed.  Guidelines
 * are left out (no plan to fall back on). */
typedef struct review20_split {
	const char *entry_family, *prog_family, *words_family;
} review20_split;

static void review20_split_programs(json_t *out, json_t *e, void *ud)
{
	const review20_split *s = ud;
	if (!review20_tagged(e, "program"))
		return;
	json_t *words = json_deep_copy(e), *rules = json_deep_copy(e);
	json_t *wlib = json_object_get(json_object_get(words, "metadata"), "library");
	json_object_set_new(wlib, "programs", json_array());
	if (s->words_family) {
		/* the words said as another family's (the key of its records too) */
		char *t = json_dumps(words, JSON_COMPACT);
		char *r = replaced(t, "top_issue_identification", s->words_family);
		json_decref(words);
		words = json_loads(r, 0, NULL);
		free(t);
		free(r);
	}
	json_object_set_new(words, "title", json_string("words only"));
	if (s->entry_family)
		json_object_set_new(rules, "family", json_string(s->entry_family));
	else
		json_object_del(rules, "family");
	size_t i;
	json_t *pr;
	json_array_foreach(json_object_get(json_object_get(json_object_get(rules, "metadata"), "library"), "programs"), i, pr)
		if (s->prog_family)
			json_object_set_new(pr, "family", json_string(s->prog_family));
	json_array_append_new(out, words);
	json_array_append_new(out, rules);
}

static char *review20_own_task(crmw_memory *src)
{
	crmw_task_set *seen = split("{\"split\":\"train\",\"families\":[\"top_issue_identification\"]}");
	crmw_agent *a = policy_agent(src, "{\"same_family\":false}");
	int64_t kw = programmed_task(a, seen);
	crmw_agent_free(a);
	char *own = task_relabelled(seen, kw, "top_issue_identification", "top_issue_identification");
	crmw_task_set_free(seen);
	return own;
}

/* Top issue's store made into the crafted one of `s` (stores `name`_src.db
 * and `name`.db), and a training task of top issue that its programs take
 * with the family withheld, run with the family withheld: whether the
 * programs decided with the option off, with it on, and whether that was
 * marked. */
static void review20_run_split(const char *name, const review20_split *s, bool *off_decided, bool *on_decided,
			       bool *on_marked)
{
	char sname[64], cname[64];
	snprintf(sname, sizeof sname, "%s_src.db", name);
	snprintf(cname, sizeof cname, "%s.db", name);
	crmw_memory *src = top_issue_memory(sname);
	char *own = review20_own_task(src);
	crmw_memory *mem = crafted_store(src, cname, review20_split_programs, (void *)s);
	bool text = false;
	crmw_agent *a = policy_agent(mem, "{\"same_family\":false}");
	json_t *tr = run_text(a, own);
	*off_decided = decided(tr, true, &text);
	json_decref(tr);
	crmw_agent_free(a);
	a = policy_agent(mem, "{\"same_family\":false,\"free_text\":true}");
	tr = run_text(a, own);
	*on_decided = decided(tr, true, &text);
	*on_marked = text;
	json_decref(tr);
	crmw_agent_free(a);
	print_message("# %s: off %d, on %d, marked %d\n", name, *off_decided, *on_decided, *on_marked);
	free(own);
	crmw_memory_free(mem);
	crmw_memory_free(src);
}

/* Attack 3: an entry said as sales insight's holding top issue's programs
 * (their own "family" top issue).  Off: the entry's family withholds them.
 * On: they answer, and the answer must say it read rules of a free-text
 * family (the first version looked at the programs' "family" only, not at
 * the entry they came from, and left it unmarked). */
static void test_review20_entry_family_marks(void **state)
{
	(void)state;
	review20_split s = {"sales_insight_mining", NULL, NULL};
	bool off = true, on = false, marked = false;
	review20_run_split("review20ef", &s, &off, &on, &marked);
	assert_false(off);
	assert_true(on);
	assert_true(marked); /* unmarked before the fix */
}

/* Attack 4: an entry with no family holding programs whose "family" is
 * sales insight's (words from an entry of sales insight).  Off: no answer;
 * on: answered and marked. */
static void test_review20_null_entry_family(void **state)
{
	(void)state;
	review20_split s = {NULL, "sales_insight_mining", "sales_insight_mining"};
	bool off = true, on = false, marked = false;
	review20_run_split("review20nf", &s, &off, &on, &marked);
	assert_false(off);
	assert_true(on && marked);
}

/* Attack 6: a plan of an ordinary family corroborated only by plans of a
 * free-text family (family withheld).  One refusal plan of private customer
 * information with support 1, and copies of it said as sales insight's
 * (support 5, another wording: they rank below it).  Off: support counts
 * only the first, so nothing answers.  On: the first answers thanks to the
 * free-text plans' support; that answer exists only because of rules
 * learned in a free-text family, and is not marked. */
typedef struct review20_support {
	int64_t kept;
	int copies;
} review20_support;

static void review20_support_craft(json_t *out, json_t *e, void *ud)
{
	review20_support *s = ud;
	const char *kind = json_string_value(json_object_get(e, "kind"));
	if (s->kept || !kind || strcmp(kind, "guideline") != 0 ||
	    !json_object_get(json_object_get(e, "metadata"), "plan"))
		return;
	s->kept = 1;
	json_t *one = json_deep_copy(e);
	json_object_set_new(json_object_get(one, "metadata"), "support", json_integer(1));
	json_array_append_new(out, one);
	for (int i = 0; i < s->copies; i++) {
		json_t *c = json_deep_copy(e);
		json_object_set_new(c, "family", json_string("sales_insight_mining"));
		json_object_set_new(json_object_get(c, "metadata"), "support", json_integer(5));
		char q[120];
		snprintf(q, sizeof q, "zebra xylophone quantum harbour %d", i);
		json_object_set_new(c, "query", json_string(q));
		json_object_set_new(c, "text", json_string(q));
		json_object_set_new(c, "title", json_string(q));
		json_object_del(c, "embedding");
		json_object_del(c, "embedder");
		json_array_append_new(out, c);
	}
}

static void test_review20_support_from_free_text(void **state)
{
	(void)state;
	const char *from = "private_customer_information";
	crmw_memory *src = memory_named("review20sup_src.db");
	crmw_task_set *train = split("{\"split\":\"train\",\"families\":[\"private_customer_information\"]}");
	crmw_agent *g = gold_agent("{\"memory\":{\"write\":true}}", src);
	for (int64_t i = 0; i < crmw_task_set_count(train); i++)
		json_decref(run_task(g, train, i));
	crmw_agent_free(g);
	crmw_task_set_free(train);
	review20_support s = {0, 3};
	crmw_memory *mem = crafted_store(src, "review20sup.db", review20_support_craft, &s);
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"private_customer_information\"]}");
	static const char *const opts[] = {"{\"programs\":false,\"same_family\":false,\"min_score\":0.2}",
					   "{\"programs\":false,\"same_family\":false,\"min_score\":0.2,\"free_text\":true}"};
	int answered[2] = {0, 0}, marked[2] = {0, 0};
	for (int o = 0; o < 2; o++) {
		crmw_agent *a = policy_agent(mem, opts[o]);
		for (int64_t i = 0; i < crmw_task_set_count(test); i++) {
			char *tt = task_relabelled(test, i, from, from);
			json_t *tr = run_text(a, tt);
			bool text = false;
			answered[o] += decided(tr, false, &text);
			marked[o] += text;
			if (o == 0 && i == 0)
				print_message("# off: %s\n", json_string_value(json_object_get(tr, "error")));
			json_decref(tr);
			free(tt);
		}
		print_message("# %s: %d answered, %d marked of %lld\n", opts[o], answered[o], marked[o],
			      (long long)crmw_task_set_count(test));
		crmw_agent_free(a);
	}
	assert_int_equal(answered[0], 0);
	assert_true(answered[1] > 0);
	assert_int_equal(marked[1], answered[1]); /* the support came from free-text plans: unmarked before the fix */
	crmw_task_set_free(test);
	crmw_memory_free(mem);
	crmw_memory_free(src);
}


/* The nineteenth review, through the memory policy: a crafted program
 * entry whose program's reason for being skipped ends inside a UTF-8
 * character failed every episode of its family (out of memory, from the
 * merge's checks) instead of being skipped. */
static void test_review19_policy_crafted_reason(void **state)
{
	(void)state;
	crmw_memory *mem = top_issue_memory("r19a.db");
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"top_issue_identification\"]}");
	crmw_agent *a = policy_agent(mem, NULL);
	int64_t k = programmed_task(a, test);
	/* a crafted entry: one program with a long non-ASCII unknown key */
	char key[1024] = "";
	for (int i = 0; i < 300; i++)
		strcat(key, "\xc3\xa9");
	json_t *forged = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:{s:{s:i, s:[{s:s, s:i, s:[{s:s, s:{s:i}}], s:i}]}}}",
				   "kind", "plan", "family", "top_issue_identification", "tags", "program", "scope", "global", "title",
				   "forged", "text", "a forged program entry", "metadata", "library", "version", 1, "programs",
				   "family", "top_issue_identification", "support", 100, "steps", "name", "respond", "arguments", "content", 1,
				   key, 1);
	assert_non_null(forged);
	char *ft = json_dumps(forged, JSON_COMPACT);
	int64_t fid = 0;
	int32_t merged = 0;
	assert_int_equal(crmw_memory_add(&fid, &merged, mem, ft, NULL, 0), CRMW_OK);
	free(ft);
	json_decref(forged);
	/* the family's programs still answer, the crafted one skipped */
	crmw_buf tb = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&tb, test, k), CRMW_OK);
	int rc = crmw_agent_run(&out, a, tb.data, NULL);
	if (rc != CRMW_OK)
		fail_msg("the episode failed: rc %d: %.300s", rc, out.data ? out.data : "");
	json_t *tr = json_loads(out.data, 0, NULL);
	assert_true(json_is_object(json_object_get(tr, "plan")) && json_object_get(json_object_get(tr, "plan"), "kind"));
	json_decref(tr);
	crmw_buf_dispose(&tb);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	crmw_task_set_free(test);
	crmw_memory_free(mem);
}

/* The nineteenth review: the policy's "the programs in memory changed
 * during the episode" path released the library but not its checks.  A
 * backend in front of the policy rewrites the programs' hash in the calls'
 * ids, as a store change between two turns does; the ASan build's leak
 * check finds what the path leaves behind. */
typedef struct rewrap {
	crmw_backend inner;
	int rewrites;
} rewrap;

static int rewrap_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	rewrap *w = ud;
	char *copy = request_text(req);
	for (char *s = copy; (s = strstr(s, "prog_")); s += 5)
		if (strspn(s + 5, "0123456789abcdef") >= 16 && strncmp(s + 5, "0000000000000000", 16) != 0) {
			memset(s + 5, '0', 16);
			w->rewrites++;
		}
	int rc = forward_as(resp, req, &w->inner, copy);
	free(copy);
	return rc;
}

static void test_review19_changed_program_leak(void **state)
{
	(void)state;
	crmw_memory *mem = top_issue_memory("r19b.db");
	crmw_task_set *test = split("{\"split\":\"test\",\"families\":[\"top_issue_identification\"]}");
	rewrap *w = calloc(1, sizeof *w);
	assert_int_equal(crmw_backend_memory_policy(&w->inner, mem, NULL, NULL), CRMW_OK);
	crmw_backend b = {.struct_size = sizeof b, .version = CRMW_BACKEND_VERSION, .userdata = w,
			  .complete = rewrap_complete, .destroy = front_destroy};
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	/* a task whose program makes a call first (a second turn follows) */
	int64_t k = -1;
	for (int64_t i = 0; i < crmw_task_set_count(test) && k < 0; i++) {
		int before = w->rewrites;
		json_decref(run_task(a, test, i));
		if (w->rewrites > before)
			k = i;
	}
	assert_true(k >= 0);
	/* the second turn met another hash: the programs changed, no answer
	 * from them */
	json_t *tr = run_task(a, test, k);
	assert_non_null(tr);
	json_decref(tr);
	crmw_agent_free(a);
	crmw_task_set_free(test);
	crmw_memory_free(mem);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gold),
		cmocka_unit_test(test_gold_cut_reply_fails),
		cmocka_unit_test(test_no_answer_no_reward),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_plan_roundtrip),
		cmocka_unit_test(test_policy_options),
		cmocka_unit_test(test_memory_policy),
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_program_examples),
		cmocka_unit_test(test_program_shared_results),
		cmocka_unit_test(test_pitfalls),
		cmocka_unit_test(test_policy_cache),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_shared_across_threads),
		cmocka_unit_test(test_review19_policy_crafted_reason),
		cmocka_unit_test(test_review19_changed_program_leak),
		cmocka_unit_test(test_free_text_gate),
		cmocka_unit_test(test_review20_option_values),
		cmocka_unit_test(test_review20_reload_gate),
		cmocka_unit_test(test_review20_entry_family_marks),
		cmocka_unit_test(test_review20_null_entry_family),
		cmocka_unit_test(test_review20_support_from_free_text),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
