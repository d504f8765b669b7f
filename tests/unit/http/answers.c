/*
 * Answers: text with the usage and the request body and headers that led
 * to it, tool_calls passed through, 200 answers that cannot be used.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* ---------------------------------------------------------------- tests */

/* A text answer: the message and the usage; the body has the model, the
 * request's messages, tools, tool_choice, max_tokens, stop and sampling
 * options, and no metadata; no key, no Authorization header. */
void test_text_answer(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, FX_OK_TEXT, 0}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, ",\"temperature\":0.2,\"seed\":7,\"extra_body\":{\"top_k\":20}");
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	json_t *m = json_loads(resp.body.data, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "content")), "There are 3 open cases.");
	json_decref(m);
	assert_true(resp.has_usage);
	assert_int_equal(resp.prompt_tokens, 120);
	assert_int_equal(resp.completion_tokens, 7);
	crmw__response_dispose(&resp);

	assert_int_equal(fx_count(s), 1);
	assert_string_equal(s->reqs[0].method, "POST");
	assert_string_equal(s->reqs[0].path, "/v1/chat/completions");
	char v[256];
	assert_non_null(fx_header(s, 0, "Content-Type", v, sizeof v));
	assert_string_equal(v, "application/json");
	assert_null(fx_header(s, 0, "Authorization", v, sizeof v));
	json_t *body = fx_body_of(s, 0);
	assert_string_equal(json_string_value(json_object_get(body, "model")), "m1");
	assert_int_equal(json_array_size(json_object_get(body, "messages")), 2);
	assert_int_equal(json_array_size(json_object_get(body, "tools")), 1);
	assert_string_equal(json_string_value(json_object_get(body, "tool_choice")), "auto");
	assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 256);
	assert_string_equal(json_string_value(json_array_get(json_object_get(body, "stop"), 0)), "###");
	assert_true(json_real_value(json_object_get(body, "temperature")) == 0.2);
	assert_int_equal(json_integer_value(json_object_get(body, "seed")), 7);
	assert_null(json_object_get(body, "top_p"));
	assert_int_equal(json_integer_value(json_object_get(body, "top_k")), 20);
	assert_null(json_object_get(body, "metadata"));
	assert_null(json_object_get(body, "schema_version"));
	json_decref(body);

	/* no tools in the request (a distill call): neither tools nor tool_choice */
	const char *plain = "{\"schema_version\":1,\"purpose\":\"distill\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
			    "\"tools\":[],\"tool_choice\":\"auto\",\"max_tokens\":64}";
	fx_call(&b, plain, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	body = fx_body_of(s, 1);
	assert_null(json_object_get(body, "tools"));
	assert_null(json_object_get(body, "tool_choice"));
	assert_null(json_object_get(body, "stop"));
	json_decref(body);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* A tool_calls message is passed through as it came. */
void test_tool_calls(void **state)
{
	(void)state;
	const char *answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
			     "[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"issue_soql_query\","
			     "\"arguments\":\"{\\\"query\\\":\\\"SELECT Id FROM Case\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}";
	reply script[] = {{200, NULL, answer, 0}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, NULL);
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	assert_false(resp.has_usage);
	json_t *m = json_loads(resp.body.data, 0, NULL);
	json_t *tc = json_array_get(json_object_get(m, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(tc, "id")), "call_9");
	assert_string_equal(json_string_value(json_object_get(json_object_get(tc, "function"), "arguments")),
			    "{\"query\":\"SELECT Id FROM Case\"}");
	assert_true(json_is_null(json_object_get(m, "content")));
	json_decref(m);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* 200 answers that cannot be used: not JSON (with the position), no
 * choices, an error object.  None is retried. */
void test_bad_answers(void **state)
{
	(void)state;
	reply script[] = {
		{200, NULL, "{\"choices\": [", 0},
		{200, NULL, "{\"choices\": []}", 0},
		{200, NULL, "{\"choices\": [{\"message\": \"hi\"}]}", 0},
		{200, NULL, "{\"error\": {\"message\": \"model is loading\"}}", 0},
		{200, NULL, "", 0},
	};
	server *s = fx_start(script, 5);
	crmw_backend b = fx_backend(s, 0, NULL);
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "/v1/chat/completions is not JSON: ");
	fx_expect_error(&resp, "(line 1, column 14)");
	crmw__response_dispose(&resp);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "has no choices[0].message");
	crmw__response_dispose(&resp);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "has no choices[0].message");
	crmw__response_dispose(&resp);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "the server answered with an error: model is loading");
	crmw__response_dispose(&resp);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "/v1/chat/completions is empty");
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 5);
	/* a request without messages never reaches the server */
	fx_call(&b, "{\"purpose\":\"chat\"}", &resp);
	fx_expect_error(&resp, "the request has no messages");
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 5);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

#endif /* CRMW_HAVE_CURL */
