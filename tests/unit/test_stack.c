/*
 * Every public entry point on a thread with a 128 KiB stack (musl's
 * default; hosts run agents on small threads): generating an org, SOQL
 * with child subqueries, semi-joins, long conditions and a role, SOSL, raw
 * SQL, the built-in tools, task synthesis, checking and files, the memory
 * store, an agent episode, an RL environment and the model-output parser.
 * Before 2026-12 any query crashed here (29 KB per SELECT level and 39 KB
 * per compiler context on the stack; 64 KB read buffers; 22 KB in the
 * generator).  Under AddressSanitizer frames are several times larger, so
 * the stack is scaled there; the point is a fixed, small bound.
 * SPDX-License-Identifier: Apache-2.0
 */
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

#include <crmweaver.h>

#if defined(__SANITIZE_ADDRESS__)
#define STACK_SCALE 4
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STACK_SCALE 4
#endif
#endif
#ifndef STACK_SCALE
#define STACK_SCALE 1
#endif
#define STACK_BYTES (128 * 1024 * STACK_SCALE)

static char dir[256], org_path[300], mem_path[300], task_path[300];

/* What the thread found wrong (empty: nothing). */
static char failure[1024];

#define CHECK(expr, msg)                                                                                   \
	do {                                                                                                 \
		int rc_ = (expr);                                                                            \
		if (rc_ != CRMW_OK) {                                                                        \
			snprintf(failure, sizeof failure, "%s: %s (%s)", #expr, crmw_status_name(rc_), (msg)); \
			return NULL;                                                                         \
		}                                                                                            \
	} while (0)

static char *long_where(void)
{
	size_t cap = 300 * 40 + 100;
	char *q = malloc(cap);
	if (!q)
		return NULL;
	size_t at = (size_t)snprintf(q, cap, "SELECT COUNT() FROM Case WHERE ");
	for (int i = 0; i < 300; i++)
		at += (size_t)snprintf(q + at, cap - at, "%s Subject != 's%d'", i ? " AND" : "", i);
	return q;
}

static void *everything(void *arg)
{
	(void)arg;
	crmw_buf out = CRMW_BUF_INIT;
	/* the generator, on this thread alone and with its helper thread */
	CHECK(crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":5,\"scale\":0.05,\"threads\":1,\"overwrite\":true}", NULL,
		       NULL),
	      crmw_last_error());
	CHECK(crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":5,\"scale\":0.05,\"threads\":2,\"overwrite\":true}", NULL,
		       NULL),
	      crmw_last_error());
	crmw_db *db = NULL;
	CHECK(crmw_db_open(&db, org_path, CRMW_DB_READONLY), crmw_last_error());

	/* queries, as a customer and with no role */
	crmw_buf id = CRMW_BUF_INIT;
	const char *cq = "SELECT Id FROM Contact WHERE AccountId != null LIMIT 1";
	CHECK(crmw_query(&id, db, cq, strlen(cq), NULL), crmw_db_errmsg(db));
	char role_text[64];
	const char *at = strstr(id.data, "\"Id\":\"");
	if (!at) {
		snprintf(failure, sizeof failure, "no contact: %s", id.data);
		return NULL;
	}
	snprintf(role_text, sizeof role_text, "external:%.18s", at + 6);
	crmw_buf_dispose(&id);
	crmw_role *role = NULL;
	CHECK(crmw_role_new(&role, db, role_text, NULL), crmw_last_error());
	crmw_query_opts *o = NULL;
	CHECK(crmw_query_opts_new(&o), "opts");
	CHECK(crmw_query_opts_set_role(o, role), "role");
	CHECK(crmw_query_opts_set_timeout_ms(o, 0), "timeout");
	char *lw = long_where();
	const char *queries[] = {
		"SELECT Id, Subject, Account.Name, Owner.Name, (SELECT Subject FROM EmailMessages) FROM Case LIMIT 5",
		"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Case WHERE Status != 'Closed')",
		"SELECT Status, COUNT(Id) n FROM Case WHERE CreatedDate = LAST_N_MONTHS:6 GROUP BY Status",
		"FIND {invoice OR delay} RETURNING Case(Subject WHERE Status != 'x'), Product2(Name)",
		/* the constructs of issue 29 */
		"SELECT FIELDS(ALL), toLabel(Status) st, FORMAT(CreatedDate) made, (SELECT FIELDS(STANDARD) FROM Case.EmailMessages) "
		"FROM Case c, c.Account a WHERE a.Name != null AND CreatedDate = THIS_FISCAL_YEAR ORDER BY Priority LIMIT 5",
		"FIND {inv?ice OR d*lay AND NOT (x* OR \"late parcel\")} RETURNING Case(Subject, toLabel(Status) WHERE Status != 'x'), "
		"Product2(Name)",
		lw,
	};
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		CHECK(queries[i] ? CRMW_OK : CRMW_ENOMEM, "query text");
		CHECK(crmw_query(&out, db, queries[i], strlen(queries[i]), o), crmw_db_errmsg(db));
		CHECK(crmw_query(&out, db, queries[i], strlen(queries[i]), NULL), crmw_db_errmsg(db));
		CHECK(crmw_query_explain(&out, db, queries[i], strlen(queries[i]), o), crmw_db_errmsg(db));
	}
	free(lw);
	const char *sql = "SELECT s.Status, count(*) FROM \"Case\" s GROUP BY 1 ORDER BY 2 DESC";
	CHECK(crmw_query_sql(&out, db, sql, strlen(sql), NULL), crmw_db_errmsg(db));

	/* the built-in tools, as the customer */
	crmw_registry *reg = NULL;
	CHECK(crmw_registry_new(&reg), "registry");
	CHECK(crmw_registry_add_builtin(reg, "query,crmarena,pro", db, o), crmw_registry_errmsg(reg));
	const char *calls[][2] = {
		{"issue_soql_query", "{\"query\":\"SELECT Id, Subject FROM Case LIMIT 3\"}"},
		{"issue_sosl_query", "{\"query\":\"FIND {invoice} RETURNING Case(Subject)\"}"},
		{"get_cases", "{\"statuses\":[\"New\",\"Working\"]}"},
		{"search_knowledge_articles", "{\"search_term\":\"refund\"}"},
		{"describe_object", "{\"object\":\"Case\"}"},
	};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		CHECK(crmw_registry_call(&out, reg, calls[i][0], calls[i][1], strlen(calls[i][1])), out.data);
	CHECK(crmw_registry_export(&out, reg, CRMW_TOOLS_GBNF), "export");
	crmw_registry_free(reg);
	crmw_query_opts_free(o);
	crmw_role_free(role);

	/* tasks: synthesis, checks, files, scores */
	crmw_task_set *ts = NULL;
	CHECK(crmw_tasks_generate(&ts, &out, db, "{\"per_family\":2,\"seed\":4}"), crmw_last_error());
	for (int64_t i = 0; i < crmw_task_set_count(ts); i += 5)
		CHECK(crmw_task_check(&out, ts, i, db), out.data);
	CHECK(crmw_task_set_save(ts, task_path, 0), crmw_last_error());
	crmw_task_set *loaded = NULL;
	CHECK(crmw_task_set_load(&loaded, task_path), crmw_last_error());
	double score;
	CHECK(crmw_task_score(&score, &out, loaded, 0, "None", NULL, NULL, NULL), "score");
	crmw_task_set_free(loaded);

	/* memory, an agent episode with write-back, an environment */
	crmw_memory *mem = NULL;
	CHECK(crmw_memory_open(&mem, mem_path, NULL), crmw_last_error());
	CHECK(crmw_memory_add(NULL, NULL, mem, "{\"title\":\"t\",\"text\":\"Average handle time per agent\"}", NULL, 0),
	      crmw_memory_errmsg(mem));
	CHECK(crmw_memory_search(&out, mem, "handle time", "{\"k\":3}"), crmw_memory_errmsg(mem));
	crmw_agent *a = NULL;
	CHECK(crmw_agent_new(&a, db, "{\"memory\":{\"write\":true}}"), crmw_last_error());
	crmw_backend gold;
	CHECK(crmw_backend_gold(&gold, db, NULL), crmw_last_error());
	CHECK(crmw_agent_set_backend(a, &gold), crmw_agent_errmsg(a));
	CHECK(crmw_agent_set_memory(a, mem), crmw_agent_errmsg(a));
	crmw_buf t = CRMW_BUF_INIT;
	for (int64_t i = 0; i < crmw_task_set_count(ts); i += 7) {
		CHECK(crmw_task_set_get(&t, ts, i), "task");
		int rc = crmw_agent_run(&out, a, t.data, NULL);
		CHECK(rc == CRMW_EUSER ? CRMW_OK : rc, crmw_agent_errmsg(a));
	}
	crmw_buf_dispose(&t);
	crmw_agent_free(a);
	crmw_env_pool *p = NULL;
	CHECK(crmw_env_pool_new(&p, org_path, "{\"workers\":0}"), crmw_last_error());
	CHECK(crmw_env_pool_set_tasks(p, ts), crmw_env_pool_errmsg(p));
	crmw_env *e = NULL;
	CHECK(crmw_env_new(&e, p), crmw_env_pool_errmsg(p));
	CHECK(crmw_env_reset(&out, e, "{\"seed\":3}"), crmw_env_errmsg(e));
	const char *step = "<tool_call>{\"name\": \"issue_soql_query\", \"arguments\": {\"query\": \"SELECT Id FROM Case "
			   "LIMIT 2\"}}</tool_call>";
	CHECK(crmw_env_step(&out, e, step, strlen(step)), crmw_env_errmsg(e));
	CHECK(crmw_env_trajectory(&out, e), crmw_env_errmsg(e));
	crmw_env_free(e);
	crmw_env_pool_free(p);
	crmw_memory_free(mem);
	crmw_task_set_free(ts);

	/* the model-output parser */
	CHECK(crmw_parse_model_output(&out, step, strlen(step), NULL), "parse");
	crmw_db_free(db);
	crmw_buf_dispose(&out);
	return NULL;
}

static void test_small_stack(void **state)
{
	(void)state;
	pthread_attr_t attr;
	pthread_t th;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, STACK_BYTES), 0);
	failure[0] = '\0';
	assert_int_equal(pthread_create(&th, &attr, everything, NULL), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	pthread_attr_destroy(&attr);
	if (failure[0])
		fail_msg("%s", failure);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-stack-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	snprintf(mem_path, sizeof mem_path, "%s/mem.db", dir);
	snprintf(task_path, sizeof task_path, "%s/tasks.json", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_stack),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
