/*
 * Episodes of the gold-following model on every generated task, in each
 * tool-call dialect: their messages are valid OpenAI chat messages, and
 * step-wise runs give the trajectory of blocking ones.
 */

#include "fixture.h"

/* Every generated task solved by following its gold program through the
 * agent loop, in every dialect in turn: reward 1 each time. */
void test_tools_episodes(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, NULL), CRMW_OK);
	int64_t n = crmw_task_set_count(fx_tasks);
	assert_true(n >= 60);
	int solved = 0;
	for (int64_t i = 0; i < n; i++) {
		json_t *t = fx_task_json(i);
		model m = fx_new_model(t);
		m.dialect = (int)(i % D_N);
		if (i % 3 == 0)
			m.dialect = -1;
		crmw_backend b = fx_backend_of(&m);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *tr = fx_run(a, t, NULL);
		const char *why = json_string_value(json_object_get(tr, "end_reason"));
		if (json_real_value(json_object_get(tr, "reward")) == 1.0)
			solved++;
		else if (getenv("CRMW_TEST_DEBUG"))
			fprintf(stderr, "%s\n", fx_dumps(json_object_get(tr, "decisions")));
		else
			fprintf(stderr, "# task %lld (%s) dialect %d: end %s, answer %s, gold %s\n", (long long)i,
				json_string_value(json_object_get(t, "family")), m.dialect, why,
				json_string_value(json_object_get(tr, "answer")), fx_dumps(json_object_get(t, "answer")));
		assert_string_equal(why, "answered");
		assert_int_equal(json_integer_value(json_object_get(tr, "turns")), json_array_size(json_object_get(t, "gold")));
		assert_int_equal(json_integer_value(json_object_get(tr, "schema_version")), 1);
		assert_true(json_array_size(json_object_get(tr, "tools")) > 40);
		assert_true(json_is_object(json_object_get(tr, "timings_us")));
		json_decref(tr);
		json_decref(t);
	}
	assert_int_equal(solved, n);
	crmw_agent_free(a);
}

/* The messages are valid OpenAI chat messages: every tool message answers a
 * call of the assistant message before it. */
void test_messages_shape(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\": 30}"), CRMW_OK);
	json_t *t = fx_task_json(0);
	model m = fx_new_model(t);
	m.dialect = D_HERMES;
	m.prompt_tokens = 100;
	crmw_backend b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = fx_run(a, t, NULL);
	json_t *msgs = json_object_get(tr, "messages");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")), "system");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "role")), "user");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
			    json_string_value(json_object_get(t, "query")));
	json_t *open = json_object();
	size_t i;
	json_t *msg;
	json_array_foreach(msgs, i, msg) {
		const char *role = json_string_value(json_object_get(msg, "role"));
		if (strcmp(role, "assistant") == 0) {
			json_object_clear(open);
			size_t k;
			json_t *c;
			json_array_foreach(json_object_get(msg, "tool_calls"), k, c) {
				const char *args = json_string_value(json_object_get(json_object_get(c, "function"), "arguments"));
				assert_non_null(args); /* a JSON string, as the API wants */
				json_object_set_new(open, json_string_value(json_object_get(c, "id")), json_true());
			}
			/* the Hermes markup became tool_calls; the thinking is not kept */
			const char *content = json_string_value(json_object_get(msg, "content"));
			assert_true(!content || !strstr(content, "<tool_call>"));
		} else if (strcmp(role, "tool") == 0) {
			assert_non_null(json_object_get(open, json_string_value(json_object_get(msg, "tool_call_id"))));
		}
	}
	json_decref(open);
	/* usage adds up over the turns */
	json_t *u = json_object_get(tr, "usage");
	assert_int_equal(json_integer_value(json_object_get(u, "prompt_tokens")), 100 * m.calls);
	assert_int_equal(json_integer_value(json_object_get(u, "completion_tokens")), 10 * m.calls);
	/* decisions: one per turn, with validated arguments and observations */
	json_t *decs = json_object_get(tr, "decisions");
	assert_int_equal(json_array_size(decs), m.calls);
	json_t *d0 = json_array_get(decs, 0);
	assert_string_equal(json_string_value(json_object_get(d0, "dialect")), "hermes");
	json_t *act = json_array_get(json_object_get(d0, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(act, "status")), "ok");
	assert_non_null(json_object_get(act, "observation"));
	json_decref(tr);
	json_decref(t);
	crmw_agent_free(a);
}

/* Step-wise and blocking runs give the same trajectory (timings aside). */
void test_stepwise_equals_blocking(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, NULL), CRMW_OK);
	for (int64_t i = 0; i < crmw_task_set_count(fx_tasks); i += 7) {
		json_t *t = fx_task_json(i);
		model m1 = fx_new_model(t);
		crmw_backend b = fx_backend_of(&m1);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *blocking = fx_run(a, t, "{\"episode_id\":\"e1\"}");

		model m2 = fx_new_model(t);
		crmw_session *s;
		char *tj = fx_dumps(t);
		assert_int_equal(crmw_session_new(&s, a, tj, "{\"episode_id\":\"e1\"}"), CRMW_OK);
		free(tj);
		crmw_buf buf = CRMW_BUF_INIT, again = CRMW_BUF_INIT;
		int32_t step;
		assert_int_equal(crmw_session_feed(s, "x", 1), CRMW_ESTATE); /* nothing asked yet */
		for (;;) {
			assert_int_equal(crmw_session_next(&step, &buf, s), CRMW_OK);
			if (step == CRMW_STEP_DONE)
				break;
			assert_int_equal(step, CRMW_STEP_MODEL);
			assert_int_equal(crmw_session_next(&step, &again, s), CRMW_OK); /* asked twice: same request */
			assert_string_equal(buf.data, again.data);
			/* the host's own inference: the same scripted model, written through a response */
			struct crmw_response resp;
			memset(&resp, 0, sizeof resp);
			json_t *r = json_loads(buf.data, 0, NULL);
			json_t *results = fx_seen_results(r);
			const json_t *st = json_array_get(json_object_get(t, "gold"), json_array_size(results));
			char why[200];
			json_t *args = crmw__gold_resolve(json_object_get(st, "arguments"), results, why, sizeof why);
			int call = m2.calls++;
			fx_write_call(&resp, call % D_N, call, json_string_value(json_object_get(st, "name")), args);
			assert_int_equal(crmw_session_feed(s, resp.body.data, resp.body.len), CRMW_OK);
			crmw__response_dispose(&resp);
			json_decref(args);
			json_decref(results);
			json_decref(r);
		}
		assert_int_equal(crmw_session_done(s), 1);
		assert_int_equal(crmw_session_feed(s, "x", 1), CRMW_ESTATE); /* over */
		json_t *stepwise = json_loads(buf.data, 0, NULL);
		assert_non_null(stepwise);
		json_object_del(stepwise, "timings_us");
		json_object_del(blocking, "timings_us");
		char *x = fx_dumps(stepwise), *y = fx_dumps(blocking);
		assert_string_equal(x, y);
		free(x);
		free(y);
		crmw_buf_dispose(&buf);
		crmw_buf_dispose(&again);
		crmw_session_free(s);
		json_decref(stepwise);
		json_decref(blocking);
		json_decref(t);
	}
	crmw_agent_free(a);
}
