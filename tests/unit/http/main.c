/*
 * Unit tests of the OpenAI-compatible HTTP backend (lib/backends/http.c)
 * against a scripted HTTP/1.1 server on 127.0.0.1: the request body and
 * headers, answers with text and tool calls, retries with backoff and
 * Retry-After, giving up, errors that are not retried, malformed answers,
 * timeouts, refused connections, the API key, the body limit, threads,
 * embeddings, options, whole agent episodes (answered, canceled), and the
 * memory policy in front of it (every abstention handed to the model).
 * Built without curl, only the constructor's CRMW_EUNSUPPORTED is checked.
 * SPDX-License-Identifier: Apache-2.0
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

int main(void)
{
	/* loopback only: no proxy from the environment */
	const char *proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
		unsetenv(proxies[i]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_answer),
		cmocka_unit_test(test_tool_calls),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_give_up),
		cmocka_unit_test(test_client_errors),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_api_key),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_embed),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_agent_episode),
		cmocka_unit_test(test_plan_cache_handoffs),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_rate_limit),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !CRMW_HAVE_CURL */

/* Built without curl: the constructor says so, and nothing else runs. */
static void test_unsupported(void **state)
{
	(void)state;
	crmw_backend b;
	memset(&b, 0x5a, sizeof b);
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"http://127.0.0.1:1/v1\",\"model\":\"m\"}"),
			 CRMW_EUNSUPPORTED);
	assert_non_null(strstr(crmw_last_error(), "curl"));
	assert_null(b.complete);
	assert_null(b.userdata);
	assert_int_equal(crmw_backend_openai_http_check(NULL, "{}"), CRMW_EUNSUPPORTED);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{}", "{}"), CRMW_EUNSUPPORTED);
	crmw_buf_dispose(&out);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsupported),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
