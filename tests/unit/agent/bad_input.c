/*
 * Bad input gets clear errors.
 */

#include "fixture.h"

/* Bad input gets clear errors. */
void test_bad_input(void **state)
{
	(void)state;
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turn\":3}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "max_turns"));
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"mode\":\"chat\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":0}"), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"memory\":{\"kk\":1}}"), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"tools\":\"crmarena,nope\"}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_agent_new(&a, fx_db, "not json"), CRMW_EFORMAT);
	assert_null(a);
	assert_int_equal(crmw_agent_new(&a, fx_db, NULL), CRMW_OK);
	crmw_session *s = NULL;
	assert_int_equal(crmw_session_new(&s, a, "{\"family\":\"x\"}", NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "query"));
	assert_int_equal(crmw_session_new(&s, a, "[1]", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"q\",\"answer\":5}", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"q\",\"context\":{\"today\":\"May\"}}", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"q\"}", "{\"episode\":1}"), CRMW_EINVALID);
	assert_null(s);
	/* a host's task without an answer runs but has no reward */
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"How many cases are open?\"}", NULL), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_feed_error(s, "down"), CRMW_ESTATE); /* nothing asked yet */
	assert_int_equal(crmw_session_next(&step, &b, s), CRMW_OK);
	assert_int_equal(crmw_session_feed_error(s, "down"), CRMW_OK);
	assert_int_equal(crmw_session_trajectory(&b, s), CRMW_OK);
	json_t *tr = json_loads(b.data, 0, NULL);
	assert_true(json_is_null(json_object_get(tr, "reward")));
	assert_string_equal(json_string_value(json_object_get(tr, "task_family")), "custom");
	json_decref(tr);
	assert_int_equal(crmw_session_feed_error(s, "again"), CRMW_ESTATE);
	crmw_session_free(s);
	/* the public parser */
	const char *out = "<think>x</think>Action: get_cases\nAction Input: {\"statuses\": [\"New\"]}";
	assert_int_equal(crmw_parse_model_output(&b, out, strlen(out), NULL), CRMW_OK);
	json_t *p = json_loads(b.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(p, "dialect")), "action");
	assert_int_equal(json_array_size(json_object_get(p, "actions")), 1);
	json_decref(p);
	assert_int_equal(crmw_parse_model_output(&b, out, strlen(out), "{\"prefix\":1}"), CRMW_EINVALID);
	crmw_buf_dispose(&b);
	crmw_agent_free(a);
}
