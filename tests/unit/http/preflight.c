/*
 * The pre-flight check and the preview of the request that would be sent.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* The options JSON of a table for port `port` with `more` (",\"k\":v"). */
static char *options_for(int port, const char *more)
{
	static char buf[1024];
	snprintf(buf, sizeof buf,
		 "{\"base_url\":\"http://127.0.0.1:%d/v1\",\"model\":\"m1\",\"timeout_ms\":3000,\"connect_timeout_ms\":1000,"
		 "\"backoff_ms\":10,\"backoff_max_ms\":50%s}",
		 port, more ? more : "");
	return buf;
}

/* The pre-flight request: one completion of one token with the sampling
 * options; the report names the served model; a wrong model's 404, an
 * answer that is not a chat completion and bad options fail with a message;
 * a refused connection fails at once (no retry). */
void test_check(void **state)
{
	(void)state;
	reply ok[] = {{200, NULL, "{\"model\":\"served-1\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"OK\"}}]}", 0}};
	server *s = fx_start(ok, 1);
	crmw_buf rep = CRMW_BUF_INIT;
	assert_int_equal(crmw_backend_openai_http_check(&rep, options_for(s->port, ",\"temperature\":0.5,\"extra_body\":{\"top_k\":3}")),
			 CRMW_OK);
	json_t *r = json_loads(rep.data, 0, NULL);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_string_equal(json_string_value(json_object_get(r, "served_model")), "served-1");
	assert_string_equal(json_string_value(json_object_get(r, "model")), "m1");
	json_decref(r);
	assert_int_equal(fx_count(s), 1);
	json_t *b = fx_body_of(s, 0);
	assert_int_equal(json_integer_value(json_object_get(b, "max_tokens")), 1);
	assert_string_equal(json_string_value(json_object_get(b, "model")), "m1");
	assert_true(json_real_value(json_object_get(b, "temperature")) == 0.5);
	assert_int_equal(json_integer_value(json_object_get(b, "top_k")), 3);
	assert_null(json_object_get(b, "tools"));
	json_decref(b);
	fx_stop(s);

	reply missing[] = {{404, NULL, "{\"error\":{\"message\":\"The model `m1` does not exist.\"}}", 0}};
	s = fx_start(missing, 1);
	assert_int_equal(crmw_backend_openai_http_check(&rep, options_for(s->port, NULL)), CRMW_EBACKEND);
	assert_non_null(strstr(crmw_last_error(), "pre-flight request to http://127.0.0.1:"));
	assert_non_null(strstr(crmw_last_error(), "HTTP 404"));
	assert_non_null(strstr(crmw_last_error(), "does not exist"));
	assert_int_equal(fx_count(s), 1); /* a 404 is not retried */
	fx_stop(s);

	reply other[] = {{200, NULL, "{\"data\":[]}", 0}};
	s = fx_start(other, 1);
	assert_int_equal(crmw_backend_openai_http_check(NULL, options_for(s->port, NULL)), CRMW_EBACKEND);
	assert_non_null(strstr(crmw_last_error(), "not a chat completion"));
	fx_stop(s);

	int port;
	int fd = fx_bind_loopback(&port);
	close(fd);
	assert_int_equal(crmw_backend_openai_http_check(NULL, options_for(port, ",\"max_retries\":5")),
			 CRMW_EBACKEND);
	assert_non_null(strstr(crmw_last_error(), "Failed to connect"));
	assert_null(strstr(crmw_last_error(), "gave up")); /* one attempt, not six */
	assert_int_equal(crmw_backend_openai_http_check(NULL, "{\"model\":\"m\"}"), CRMW_EINVALID);
	crmw_buf_dispose(&rep);
}

/* The request that would be sent, without sending it: POST, the endpoint
 * without credentials, the key hidden, the body of a real call. */
void test_preview(void **state)
{
	(void)state;
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_backend_openai_http_preview(&out,
							  "{\"base_url\":\"http://user:pw@127.0.0.1:9/v1\",\"model\":\"m1\","
							  "\"api_key_env\":\"CRMW_TEST_NO_SUCH_KEY\",\"seed\":3}",
							  FX_REQUEST),
			 CRMW_OK);
	json_t *p = json_loads(out.data, 0, NULL);
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(p, "url")), "http://127.0.0.1:9/v1/chat/completions");
	assert_null(strstr(out.data, "pw"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "headers"), "Authorization")), "Bearer ***");
	json_t *b = json_object_get(p, "body");
	assert_string_equal(json_string_value(json_object_get(b, "model")), "m1");
	assert_int_equal(json_integer_value(json_object_get(b, "seed")), 3);
	assert_int_equal(json_integer_value(json_object_get(b, "max_tokens")), 256);
	assert_int_equal(json_array_size(json_object_get(b, "tools")), 1);
	assert_null(json_object_get(b, "metadata"));
	json_decref(p);
	/* the messages and tools go into the body as the request wrote them: text
	 * with quotes, braces and escapes inside strings, members in any order */
	const char *tricky = "{\"max_tokens\":9,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"t\","
			     "\"description\":\"a } ] \\\" ,\\\\\",\"parameters\":{\"type\":\"object\"}}}],"
			     "\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"}]\\\" and {\\u00e9}\"}],"
			     "\"metadata\":{\"turn\":0},\"tool_choice\":\"auto\"}";
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{\"base_url\":\"http://h/v1\",\"model\":\"m\"}", tricky),
			 CRMW_OK);
	json_t *want = json_loads(tricky, 0, NULL), *got = json_loads(out.data, 0, NULL);
	assert_non_null(want);
	assert_non_null(got);
	json_t *gb = json_object_get(got, "body");
	assert_true(json_equal(json_object_get(gb, "messages"), json_object_get(want, "messages")));
	assert_true(json_equal(json_object_get(gb, "tools"), json_object_get(want, "tools")));
	assert_int_equal(json_integer_value(json_object_get(gb, "max_tokens")), 9);
	assert_null(json_object_get(gb, "metadata"));
	json_decref(want);
	json_decref(got);
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{\"base_url\":\"http://h/v1\",\"model\":\"m\"}", "{}"),
			 CRMW_EINVALID);
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{\"model\":\"m\"}", FX_REQUEST), CRMW_EINVALID);
	crmw_buf_dispose(&out);
}

#endif /* CRMW_HAVE_CURL */
