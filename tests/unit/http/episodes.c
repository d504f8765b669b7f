/*
 * Whole agent episodes over HTTP: answered, and canceled from another
 * thread.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* ------------------------------------------------- whole agent episodes */

static char dir[256];

static crmw_db *small_org(json_t **task)
{
	snprintf(dir, sizeof dir, "/tmp/crmw-http-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof path, "%s/org.db", dir);
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2c\",\"seed\":3,\"scale\":0.05}", NULL, NULL), CRMW_OK);
	crmw_db *db;
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	crmw_task_set *ts;
	assert_int_equal(crmw_tasks_generate(&ts, NULL, db, "{\"per_family\":1,\"seed\":2}"), CRMW_OK);
	assert_true(crmw_task_set_count(ts) > 0);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, ts, 0), CRMW_OK);
	*task = json_loads(b.data, 0, NULL);
	assert_non_null(*task);
	crmw_buf_dispose(&b);
	crmw_task_set_free(ts);
	return db;
}

static void drop_org(crmw_db *db)
{
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

typedef struct canceller {
	crmw_agent *a;
	server *s;
} canceller;

static void *cancel_later(void *arg)
{
	canceller *c = arg;
	for (int i = 0; i < 500 && fx_count(c->s) == 0; i++)
		usleep(10000);
	usleep(100000);
	crmw_agent_cancel(c->a);
	return NULL;
}

/* A tool call, then a final answer: the episode ends "answered", with the
 * usage of both calls; the second request carries the tool's result.  Then
 * canceled episodes: waiting for a slow server or to retry ends promptly;
 * and a failing server ends the episode with its reason. */
void test_agent_episode(void **state)
{
	(void)state;
	json_t *task;
	crmw_db *db = small_org(&task);
	const char *call1 = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
			    "\"type\":\"function\",\"function\":{\"name\":\"issue_soql_query\",\"arguments\":"
			    "\"{\\\"query\\\":\\\"SELECT Id FROM Case LIMIT 1\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
			    "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20}}";
	const char *final = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"The answer is 42.\"},"
			    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":150,\"completion_tokens\":5}}";
	reply script[] = {{200, NULL, call1, 0}, {200, NULL, final, 0}};
	server *s = fx_start(script, 2);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":4}"), CRMW_OK);
	crmw_backend b = fx_backend(s, 0, NULL);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = fx_run(a, task);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
	assert_string_equal(json_string_value(json_object_get(tr, "answer")), "The answer is 42.");
	assert_int_equal(json_integer_value(json_object_get(tr, "turns")), 2);
	json_t *usage = json_object_get(tr, "usage");
	assert_int_equal(json_integer_value(json_object_get(usage, "prompt_tokens")), 250);
	assert_int_equal(json_integer_value(json_object_get(usage, "completion_tokens")), 25);
	json_decref(tr);
	assert_int_equal(fx_count(s), 2);
	json_t *second = fx_body_of(s, 1);
	json_t *msgs = json_object_get(second, "messages");
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "role")), "tool");
	assert_string_equal(json_string_value(json_object_get(last, "tool_call_id")), "call_1");
	assert_true(json_array_size(json_object_get(second, "tools")) > 0);
	assert_null(json_object_get(second, "metadata"));
	json_decref(second);
	fx_stop(s);

	/* canceled while the server is slow */
	reply slow[] = {{200, NULL, final, 3000}};
	s = fx_start(slow, 1);
	b = fx_backend(s, 0, NULL);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	canceller c = {a, s};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	double t0 = fx_now_ms();
	tr = fx_run(a, task);
	double took = fx_now_ms() - t0;
	pthread_join(th, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	assert_true(took < 1500);
	json_decref(tr);
	fx_stop(s);

	/* canceled while waiting to retry */
	reply busy[] = {{503, "Retry-After: 3\r\n", "", 0}};
	s = fx_start(busy, 1);
	b = fx_backend(s, 0, ",\"backoff_max_ms\":5000");
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	c.s = s;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	t0 = fx_now_ms();
	tr = fx_run(a, task);
	took = fx_now_ms() - t0;
	pthread_join(th, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	assert_true(took < 1500);
	assert_int_equal(fx_count(s), 1);
	json_decref(tr);

	/* a server that fails: backend_error with the reason */
	reply down[] = {{400, NULL, "{\"error\":{\"message\":\"context length exceeded\"}}", 0}};
	server *s2 = fx_start(down, 1);
	b = fx_backend(s2, 0, NULL);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = fx_run(a, task);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "context length exceeded"));
	json_decref(tr);
	crmw_agent_free(a);
	fx_stop(s2);
	fx_stop(s);
	json_decref(task);
	drop_org(db);
}

#endif /* CRMW_HAVE_CURL */
