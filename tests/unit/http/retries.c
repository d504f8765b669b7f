/*
 * Retries and errors: backoff and Retry-After, giving up, errors that are
 * not retried, timeouts, refused connections, requests_per_minute.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* 429 then 200: retried after the backoff; Retry-After is honoured, and
 * capped by backoff_max_ms. */
void test_retry(void **state)
{
	(void)state;
	reply script[] = {{429, NULL, "{\"error\":{\"message\":\"slow down\"}}", 0}, {200, NULL, FX_OK_TEXT, 0}};
	server *s = fx_start(script, 2);
	crmw_backend b = fx_backend(s, 0, NULL);
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	assert_int_equal(resp.prompt_tokens, 120);
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 2);
	assert_string_equal(s->reqs[0].body, s->reqs[1].body);
	crmw_backend_dispose(&b);
	fx_stop(s);

	/* Retry-After: 1 with room under the cap: about a second */
	reply ra[] = {{503, "Retry-After: 1 \r\n", "busy", 0}, {200, NULL, FX_OK_TEXT, 0}};
	s = fx_start(ra, 2);
	b = fx_backend(s, 0, ",\"backoff_max_ms\":5000");
	double t0 = fx_now_ms();
	fx_call(&b, FX_REQUEST, &resp);
	double took = fx_now_ms() - t0;
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	assert_true(took >= 950);
	assert_true(took < 4000);
	crmw_backend_dispose(&b);
	fx_stop(s);

	/* Retry-After: 30 capped at backoff_max_ms */
	reply capped[] = {{502, "Retry-After: 30\r\n", "", 0}, {200, NULL, FX_OK_TEXT, 0}};
	s = fx_start(capped, 2);
	b = fx_backend(s, 0, NULL);
	t0 = fx_now_ms();
	fx_call(&b, FX_REQUEST, &resp);
	took = fx_now_ms() - t0;
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	assert_true(took < 1000);
	assert_int_equal(fx_count(s), 2);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* 500 every time: max_retries + 1 attempts with doubling delays, then a
 * message that says so with the last status and the server's message. */
void test_give_up(void **state)
{
	(void)state;
	reply script[] = {{500, NULL, "{\"error\":{\"message\":\"the model crashed\"}}", 0}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, ",\"max_retries\":2,\"backoff_ms\":40,\"backoff_max_ms\":1000");
	struct crmw_response resp;
	double t0 = fx_now_ms();
	fx_call(&b, FX_REQUEST, &resp);
	double took = fx_now_ms() - t0;
	fx_expect_error(&resp, "gave up after 3 attempts: HTTP 500 from http://127.0.0.1:");
	fx_expect_error(&resp, "/v1/chat/completions: the model crashed");
	assert_int_equal(fx_count(s), 3);
	assert_true(took >= 115); /* 40 + 80 ms */
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	fx_stop(s);

	/* no retries: one attempt; a non-JSON body is shown on one line */
	reply html[] = {{502, NULL, "<html>\r\n<body>Bad gateway</body>\r\n</html>", 0}};
	s = fx_start(html, 1);
	b = fx_backend(s, 0, ",\"max_retries\":0");
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "gave up after 1 attempt: HTTP 502");
	fx_expect_error(&resp, "<html>  <body>Bad gateway</body>");
	assert_int_equal(fx_count(s), 1);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* 400, 401 and 404 are not retried; the server's message is shown, cut. */
void test_client_errors(void **state)
{
	(void)state;
	static char longmsg[2048];
	memset(longmsg, 0, sizeof longmsg);
	strcpy(longmsg, "{\"error\":{\"message\":\"");
	for (int i = 0; i < 1000; i++)
		strcat(longmsg, "x");
	strcat(longmsg, "\"}}");
	reply script[] = {
		{400, NULL, "{\"error\":{\"message\":\"'messages' must not be empty\",\"type\":\"invalid_request_error\"}}", 0},
		{404, NULL, "{\"error\":\"model 'm1' not found\"}", 0},
		{401, NULL, longmsg, 0},
	};
	server *s = fx_start(script, 3);
	crmw_backend b = fx_backend(s, 0, NULL);
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "HTTP 400 from http://127.0.0.1:");
	fx_expect_error(&resp, ": 'messages' must not be empty");
	assert_null(strstr(resp.body.data, "gave up"));
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 1);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "HTTP 404");
	fx_expect_error(&resp, "model 'm1' not found");
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 2);
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "HTTP 401");
	fx_expect_error(&resp, "xxx...");
	assert_true(strlen(resp.body.data) < 320);
	crmw__response_dispose(&resp);
	assert_int_equal(fx_count(s), 3);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* A server slower than timeout_ms: a timeout, retried, then given up. */
void test_timeout(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, FX_OK_TEXT, 2000}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, ",\"timeout_ms\":200,\"max_retries\":1");
	struct crmw_response resp;
	double t0 = fx_now_ms();
	fx_call(&b, FX_REQUEST, &resp);
	double took = fx_now_ms() - t0;
	fx_expect_error(&resp, "gave up after 2 attempts: POST http://127.0.0.1:");
	fx_expect_error(&resp, "timed out after");
	assert_true(took >= 400 && took < 1500);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

/* Nothing listens: the connection is refused, retried, given up. */
void test_refused(void **state)
{
	(void)state;
	int port;
	int fd = fx_bind_loopback(&port);
	close(fd);
	crmw_backend b = fx_backend(NULL, port, ",\"max_retries\":1");
	struct crmw_response resp;
	fx_call(&b, FX_REQUEST, &resp);
	fx_expect_error(&resp, "gave up after 2 attempts: POST http://127.0.0.1:");
	fx_expect_error(&resp, "Failed to connect to 127.0.0.1 port");
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
}

/* requests_per_minute: three calls take at least two intervals (a lower
 * bound measured around the calls: a slow machine only makes it longer);
 * tokens_per_minute is accepted and a generous budget does not hold back. */
void test_rate_limit(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, FX_OK_TEXT, 0}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, ",\"requests_per_minute\":600");
	struct crmw_response resp;
	double t0 = fx_now_ms();
	for (int i = 0; i < 3; i++) {
		fx_call(&b, FX_REQUEST, &resp);
		assert_int_equal(resp.kind, RESP_MESSAGE);
		crmw__response_dispose(&resp);
	}
	assert_true(fx_now_ms() - t0 >= 200.0 - 1.0);
	crmw_backend_dispose(&b);
	b = fx_backend(s, 0, ",\"tokens_per_minute\":1000000000");
	fx_call(&b, FX_REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	assert_int_equal(fx_count(s), 4);
	fx_stop(s);
}

#endif /* CRMW_HAVE_CURL */
