/*
 * Options and limits: the API key from the environment, the body limit,
 * the embedder over /embeddings, strict option checks.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* The key is read from the environment at each request and sent as a
 * bearer token; it never appears in a message, even when the server echoes
 * it.  A named variable that is unset or empty is an error naming it. */
void test_api_key(void **state)
{
	(void)state;
	const char *key = "sk-test-4f1c9a7e2b";
	assert_int_equal(setenv("CRMW_TEST_HTTP_KEY", key, 1), 0);
	/* the key where the message is cut: no part of it may show */
	char echo[512];
	snprintf(echo, sizeof echo, "{\"error\":{\"message\":\"%0195d %s\"}}", 0, key);
	reply script[] = {
		{200, NULL, FX_OK_TEXT, 0},
		{401, NULL, "{\"error\":{\"message\":\"Incorrect API key provided: sk-test-4f1c9a7e2b.\"}}", 0},
		{500, NULL, "{\"error\":{\"message\":\"sk-test-4f1c9a7e2b\"}}", 0},
		{403, NULL, echo, 0},
	};
	server *s = fx_start(script, 4);
	crmw_backend b = fx_backend(s, 0, ",\"api_key_env\":\"CRMW_TEST_HTTP_KEY\",\"max_retries\":0");
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	char v[256];
	assert_non_null(fx_header(s, 0, "Authorization", v, sizeof v));
	assert_string_equal(v, "Bearer sk-test-4f1c9a7e2b");
	assert_null(strstr(s->reqs[0].body, key));
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "HTTP 401");
	fx_expect_error(&resp, "Incorrect API key provided: ***.");
	assert_null(strstr(resp.body.data, key));
	assert_null(strstr(crmw_last_error(), key));
	crmw__response_dispose(&resp);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "HTTP 500");
	assert_null(strstr(resp.body.data, key));
	crmw__response_dispose(&resp);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "HTTP 403");
	assert_null(strstr(resp.body.data, "sk-"));
	crmw__response_dispose(&resp);

	/* rotated between requests: the new key is sent */
	assert_int_equal(setenv("CRMW_TEST_HTTP_KEY", "sk-rotated", 1), 0);
	fx_call(&b, FX_REQUEST, &resp);
	crmw__response_dispose(&resp);
	assert_non_null(fx_header(s, 4, "Authorization", v, sizeof v));
	assert_string_equal(v, "Bearer sk-rotated");

	/* unset or empty: an error naming the variable; nothing is sent */
	assert_int_equal(unsetenv("CRMW_TEST_HTTP_KEY"), 0);
	size_t before = fx_count(s);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "the environment variable CRMW_TEST_HTTP_KEY (api_key_env) is not set or empty");
	crmw__response_dispose(&resp);
	assert_int_equal(setenv("CRMW_TEST_HTTP_KEY", "", 1), 0);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "CRMW_TEST_HTTP_KEY");
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), before);
	assert_int_equal(unsetenv("CRMW_TEST_HTTP_KEY"), 0);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* A body announced larger than 64 MiB is refused, not retried. */
void test_body_limit(void **state)
{
	(void)state;
	reply script[] = {{200, "Content-Length: 104857600\r\n", "{\"choices\":", 0}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, NULL);
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "/v1/chat/completions is larger than 64 MiB");
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 1);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* embed_model and embed_dim give the table an embedder over /embeddings. */
void test_embed(void **state)
{
	(void)state;
	reply script[] = {
		{200, NULL, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,1,-2,0.25]}]}", 0},
		{200, NULL, "{\"data\":[{\"embedding\":[0.5,1]}]}", 0},
		{400, NULL, "{\"error\":{\"message\":\"no such model\"}}", 0},
	};
	server *s = fx_start(script, 3);
	crmw_backend plain = fx_backend(s, 0, NULL);
	assert_null(plain.embed);
	crmw_backend_dispose(&plain);
	crmw_backend b = fx_backend(s, 0, ",\"embed_model\":\"e5-small\",\"embed_dim\":4");
	assert_non_null(b.embed);
	assert_string_equal(b.embed_name, "e5-small");
	assert_int_equal(b.embed_dim, 4);
	float v[4] = {0};
	assert_int_equal(b.embed(v, 4, "open cases", 10, b.userdata), 0);
	assert_true(v[0] == 0.5f && v[1] == 1.0f && v[2] == -2.0f && v[3] == 0.25f);
	assert_string_equal(s->reqs[0].path, "/v1/embeddings");
	json_t *body = fx_body_of(s, 0);
	assert_string_equal(json_string_value(json_object_get(body, "model")), "e5-small");
	assert_string_equal(json_string_value(json_object_get(body, "input")), "open cases");
	json_decref(body);
	assert_int_not_equal(b.embed(v, 4, "x", 1, b.userdata), 0);
	assert_non_null(strstr(crmw_last_error(), "2 dimensions"));
	assert_int_not_equal(b.embed(v, 4, "x", 1, b.userdata), 0);
	assert_non_null(strstr(crmw_last_error(), "no such model"));
	assert_int_not_equal(b.embed(v, 3, "x", 1, b.userdata), 0);
	assert_int_equal(fx_count(s), 3);
	/* installed on an agent, the copy keeps the embedder */
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* Options are checked strictly. */
void test_options(void **state)
{
	(void)state;
	const char *bad[] = {
		NULL,
		"",
		"{}",
		"not json",
		"[1]",
		"{\"model\":\"m\"}",
		"{\"base_url\":\"http://h/v1\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"\"}",
		"{\"base_url\":\"ftp://h/v1\",\"model\":\"m\"}",
		"{\"base_url\":\"h/v1\",\"model\":\"m\"}",
		"{\"base_url\":\"http://\",\"model\":\"m\"}",
		"{\"base_url\":\"http:///v1\",\"model\":\"m\"}",
		"{\"base_url\":\"http://h/v1?x=1\",\"model\":\"m\"}",
		"{\"base_url\":\"http://h /v1\",\"model\":\"m\"}",
		"{\"base_url\":7,\"model\":\"m\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"modle\":\"m\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"timeout_ms\":0}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"timeout_ms\":\"5s\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"max_retries\":-1}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"backoff_ms\":1.5}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"temperature\":-1}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"top_p\":2}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"seed\":1.5}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"extra_body\":[]}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"extra_body\":{\"messages\":[]}}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"extra_body\":{\"stream\":true}}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"api_key_env\":\"\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"api_key_env\":\"A=B\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"embed_model\":\"e\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"embed_dim\":4}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"embed_model\":\"e\",\"embed_dim\":0}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"requests_per_minute\":0}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"requests_per_minute\":\"60\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"tokens_per_minute\":-5}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"tokens_per_minute\":1.5}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		crmw_backend b;
		memset(&b, 0x5a, sizeof b);
		int rc = crmw_backend_openai_http(&b, bad[i]);
		if (rc != CRMW_EINVALID)
			fail_msg("options %s: %d, expected CRMW_EINVALID", bad[i] ? bad[i] : "NULL", rc);
		assert_null(b.userdata);
		assert_null(b.complete);
		assert_true(strlen(crmw_last_error()) > 0);
		assert_null(strchr(crmw_last_error(), '\n'));
	}
	crmw_backend b;
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"modle\":1}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "unknown option \"modle\""));
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"ftp://h\",\"model\":\"m\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "base_url"));
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"http://h/v1\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "\"model\" is required"));
	assert_int_equal(crmw_backend_openai_http(NULL, "{}"), CRMW_EINVALID);

	/* every option, and credentials in the URL kept out of messages */
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"HTTPS://user:pw@h:8443/v1//\",\"model\":\"m\","
						      "\"api_key_env\":\"K\",\"timeout_ms\":1,\"connect_timeout_ms\":1,"
						      "\"max_retries\":0,\"backoff_ms\":0,\"backoff_max_ms\":0,\"temperature\":0,"
						      "\"top_p\":1,\"seed\":-3,\"extra_body\":{\"chat_template_kwargs\":{}},"
						      "\"embed_model\":\"e\",\"embed_dim\":8}"),
			 CRMW_OK);
	assert_int_equal(b.struct_size, sizeof b);
	assert_int_equal(b.version, CRMW_BACKEND_VERSION);
	assert_non_null(b.complete);
	assert_non_null(b.destroy);
	crmw_backend_dispose(&b);
	assert_null(b.userdata);

	int port;
	int fd = fx_bind_loopback(&port);
	close(fd);
	char o[256];
	snprintf(o, sizeof o, "{\"base_url\":\"http://user:hunter2@127.0.0.1:%d\",\"model\":\"m\",\"max_retries\":0}", port);
	assert_int_equal(crmw_backend_openai_http(&b, o), CRMW_OK);
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "POST http://127.0.0.1:");
	assert_null(strstr(resp.body.data, "hunter2"));
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
}

#endif /* CRMW_HAVE_CURL */
