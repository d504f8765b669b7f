/*
 * The host's control over an episode: vetoed calls, cancellation (of a
 * session and of a blocking run from another thread), multi-turn episodes
 * with a simulated user.
 */

#include "fixture.h"

/* Approval: vetoed calls tell the model; an aborting approver ends it. */
static int veto_cases(int32_t *allow, crmw_buf *reason, const char *call, void *ud)
{
	int *n = ud;
	(*n)++;
	json_t *c = json_loads(call, 0, NULL);
	assert_non_null(json_object_get(c, "arguments"));
	assert_non_null(json_object_get(c, "episode_id"));
	const char *name = json_string_value(json_object_get(c, "name"));
	if (strcmp(name, "get_agent_handled_cases_by_period") == 0) {
		*allow = 0;
		const char *r = "Case data is off limits in this demo.";
		assert_int_equal(crmw_buf_set(reason, r, strlen(r)), CRMW_OK);
	}
	json_decref(c);
	return *n > 50 ? 1 : 0;
}

void test_veto(void **state)
{
	(void)state;
	json_t *t = NULL;
	for (int64_t i = 0; i < crmw_task_set_count(fx_tasks) && !t; i++) {
		json_t *x = fx_task_json(i);
		if (strcmp(json_string_value(json_object_get(x, "family")), "handle_time") == 0)
			t = x;
		else
			json_decref(x);
	}
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":3}"), CRMW_OK);
	int n = 0;
	assert_int_equal(crmw_agent_set_approver(a, veto_cases, &n, NULL), CRMW_OK);
	model m = fx_new_model(t);
	crmw_backend b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = fx_run(a, t, NULL);
	json_t *d1 = json_array_get(json_object_get(tr, "decisions"), 1);
	json_t *act = json_array_get(json_object_get(d1, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(act, "status")), "vetoed");
	assert_non_null(strstr(json_string_value(json_object_get(act, "observation")), "VETOED"));
	assert_non_null(strstr(json_string_value(json_object_get(act, "observation")), "off limits"));
	assert_true(n >= 2);
	json_decref(tr);

	n = 100; /* the approver now aborts */
	m = fx_new_model(t);
	b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	char *tj = fx_dumps(t);
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_EUSER);
	tr = json_loads(out.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "aborted");
	json_decref(tr);
	free(tj);
	crmw_buf_dispose(&out);
	json_decref(t);
	crmw_agent_free(a);
}

/* Cancellation: of a session, and of a blocking run from another thread. */
typedef struct canceller {
	crmw_agent *a;
	model *m;
} canceller;

static void *cancel_thread(void *p)
{
	canceller *c = p;
	for (int i = 0; i < 5000 && !c->m->waiting; i++)
		usleep(1000);
	crmw_agent_cancel(c->a);
	return NULL;
}

void test_cancel(void **state)
{
	(void)state;
	json_t *t = fx_task_json(2);
	char *tj = fx_dumps(t);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, NULL), CRMW_OK);
	crmw_session *s;
	assert_int_equal(crmw_session_new(&s, a, tj, NULL), CRMW_OK);
	crmw_buf buf = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &buf, s), CRMW_OK);
	assert_int_equal(step, CRMW_STEP_MODEL);
	crmw_session_cancel(s);
	assert_int_equal(crmw_session_next(&step, &buf, s), CRMW_OK);
	assert_int_equal(step, CRMW_STEP_DONE);
	json_t *tr = json_loads(buf.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	json_decref(tr);
	crmw_session_free(s);

	model m = fx_new_model(t);
	m.wait_cancel = true;
	crmw_backend b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	canceller c = {a, &m};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, cancel_thread, &c), 0);
	tr = fx_run(a, t, NULL);
	pthread_join(th, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	json_decref(tr);
	/* a run after the cancel is not affected */
	m = fx_new_model(t);
	b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = fx_run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
	json_decref(tr);
	crmw_buf_dispose(&buf);
	free(tj);
	json_decref(t);
	crmw_agent_free(a);
}

/* Multi-turn: the simulated user reveals the task; it stops when answered. */
void test_multi_turn(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"multi_turn\":true,\"max_turns\":30}"), CRMW_OK);
	int done = 0;
	for (int64_t i = 0; i < crmw_task_set_count(fx_tasks) && done < 5; i++) {
		json_t *t = fx_task_json(i);
		json_t *cl = json_object_get(json_object_get(t, "context"), "clauses");
		if (json_array_size(cl) < 2) {
			json_decref(t);
			continue;
		}
		model m = fx_new_model(t);
		crmw_backend b = fx_backend_of(&m);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *tr = fx_run(a, t, NULL);
		json_t *msgs = json_object_get(tr, "messages");
		/* the persona user opens with the first clause in its voice */
		assert_non_null(strstr(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
				       json_string_value(json_array_get(cl, 0))));
		assert_string_equal(json_string_value(json_object_get(json_object_get(tr, "user"), "mode")), "persona");
		assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
		assert_true(json_real_value(json_object_get(tr, "reward")) == 1.0);
		json_decref(tr);
		json_decref(t);
		done++;
	}
	assert_int_equal(done, 5);
	crmw_agent_free(a);
}
