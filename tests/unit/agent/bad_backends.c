/*
 * Failing, silent, aborting and garbage backends end the episode cleanly.
 */

#include "fixture.h"

static int destroyed;
static void count_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}

/* Failing, silent, aborting and garbage backends end the episode cleanly. */
void test_bad_backends(void **state)
{
	(void)state;
	json_t *t = fx_task_json(1);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":4}"), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	char *tj = fx_dumps(t);
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_ESTATE); /* no backend yet */
	assert_non_null(strstr(crmw_agent_errmsg(a), "no backend"));

	model m = fx_new_model(t);
	m.fail_at = 1;
	crmw_backend b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = fx_run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "HTTP 503"));
	assert_int_equal(json_integer_value(json_object_get(tr, "turns")), 1);
	assert_true(json_is_true(json_object_get(tr, "done")));
	json_decref(tr);

	m = fx_new_model(t);
	m.nothing = true;
	b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = fx_run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "set no response"));
	json_decref(tr);

	m = fx_new_model(t);
	m.garbage = true;
	b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = fx_run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "max_turns");
	json_t *d0 = json_array_get(json_object_get(tr, "decisions"), 0);
	const char *fe = json_string_value(json_object_get(d0, "format_error"));
	assert_non_null(fe);
	assert_non_null(strstr(fe, "tool_call"));
	/* the model saw the format error as a user message */
	json_t *msgs = json_object_get(tr, "messages");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 3), "content")), fe);
	json_decref(tr);

	m = fx_new_model(t);
	m.abort_at = 1;
	b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_EUSER);
	tr = json_loads(out.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "aborted");
	json_decref(tr);

	/* a bad table is refused and its userdata freed */
	destroyed = 0;
	b = fx_backend_of(&m);
	b.destroy = count_destroy;
	b.struct_size = 8; /* too short to hold destroy: it cannot be called */
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_EINVALID);
	assert_non_null(strstr(crmw_agent_errmsg(a), "struct_size"));
	assert_int_equal(destroyed, 0);
	b.struct_size = sizeof b;
	b.complete = NULL;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_EINVALID);
	assert_int_equal(destroyed, 1);
	b = fx_backend_of(&m);
	b.destroy = count_destroy;
	b.version = 99;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_EINVALID);
	assert_int_equal(destroyed, 2);
	b = fx_backend_of(&m);
	b.destroy = count_destroy;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	assert_int_equal(destroyed, 2);
	assert_int_equal(crmw_agent_set_backend(a, NULL), CRMW_OK); /* the copy goes: destroy runs once */
	assert_int_equal(destroyed, 3);

	crmw_buf_dispose(&out);
	free(tj);
	json_decref(t);
	crmw_agent_free(a);
}
