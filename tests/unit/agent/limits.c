/*
 * Turn limits, output caps, observation caps.
 */

#include "fixture.h"

/* Turn limits, output caps, observation caps. */
static int loop_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	(void)req;
	const char *text = ud;
	return crmw_response_set_text(resp, text, strlen(text));
}

static crmw_backend text_backend(const char *text)
{
	return fx_table(loop_complete, (void *)text);
}

void test_limits(void **state)
{
	(void)state;
	json_t *t = fx_task_json(0);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":3,\"max_observation_bytes\":200}"), CRMW_OK);
	crmw_backend b = text_backend("<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":[\"Closed\"]}}</tool_call>");
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = fx_run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "max_turns");
	assert_int_equal(json_integer_value(json_object_get(tr, "turns")), 3);
	assert_true(json_real_value(json_object_get(tr, "reward")) == 0.0);
	json_t *msgs = json_object_get(tr, "messages");
	const char *obs = json_string_value(json_object_get(json_array_get(msgs, 3), "content"));
	assert_non_null(strstr(obs, "[truncated:"));
	assert_true(strlen(obs) < 600);
	json_decref(tr);
	crmw_agent_free(a);

	/* a long output is cut before it is parsed, and the model is told */
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":1,\"max_output_bytes\":100}"), CRMW_OK);
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *head = "<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"x\":\"";
	memcpy(big, head, strlen(head));
	b = text_backend(big);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = fx_run(a, t, NULL);
	char *d = fx_dumps(json_object_get(tr, "decisions"));
	assert_non_null(strstr(d, "longer than 100 bytes"));
	free(d);
	json_decref(tr);
	crmw_agent_free(a);

	/* A host's registry keeps its query limits: an episode sets only its
	 * today and role (it used to put every default back, so a host's time
	 * budget or row cap was lost). */
	crmw_query_opts *qo;
	crmw_registry *reg;
	assert_int_equal(crmw_query_opts_new(&qo), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_rows(qo, 2), CRMW_OK);
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query,crmarena", fx_db, qo), CRMW_OK);
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":2}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	b = text_backend("<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":[\"Closed\"]}}</tool_call>");
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	for (int round = 0; round < 2; round++) { /* the second episode too */
		tr = fx_run(a, t, NULL);
		obs = json_string_value(json_object_get(json_array_get(json_object_get(tr, "messages"), 3), "content"));
		assert_non_null(obs);
		assert_non_null(strstr(obs, "[truncated: showing the first 2 of"));
		json_decref(tr);
	}
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_query_opts_free(qo);
	json_decref(t);
}
