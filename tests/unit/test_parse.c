/*
 * Unit tests of the model-output parser: every dialect, each failure case
 * of the contract (lib/agent/parse.h), and random mutations of valid
 * outputs that must never crash it.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "agent/parse.h"

static json_t *parse_n(const char *text, size_t n)
{
	json_t *out = NULL;
	crmw__parse_opts o = {"id_", true};
	int rc = crmw__parse_output(&out, text, n, &o);
	if (rc)
		fprintf(stderr, "# parse failed (%d) on %zu bytes: %.*s\n", rc, n, (int)n, text);
	assert_int_equal(rc, CRMW_OK);
	assert_non_null(out);
	assert_true(json_is_array(json_object_get(out, "actions")));
	assert_true(json_is_string(json_object_get(out, "dialect")));
	assert_true(json_is_string(json_object_get(out, "content")));
	return out;
}

static json_t *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static const char *dialect(const json_t *p)
{
	return json_string_value(json_object_get(p, "dialect"));
}

static size_t nactions(const json_t *p)
{
	return json_array_size(json_object_get(p, "actions"));
}

static const json_t *action(const json_t *p, size_t i)
{
	return json_array_get(json_object_get(p, "actions"), i);
}

static const char *astr(const json_t *p, size_t i, const char *key)
{
	return json_string_value(json_object_get(action(p, i), key));
}

static const char *arg(const json_t *p, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_object_get(action(p, i), "arguments"), key));
}

static const char *error0(const json_t *p)
{
	return json_string_value(json_array_get(json_object_get(p, "errors"), 0));
}

static void test_openai(void **state)
{
	(void)state;
	/* arguments as a JSON string, as an object, and double-encoded */
	json_t *p = parse("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
			  "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":\\\"1\\\"}\"}},"
			  "{\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":{\"y\":\"2\"}}},"
			  "{\"function\":{\"name\":\"c\",\"arguments\":\"\\\"{\\\\\\\"z\\\\\\\":\\\\\\\"3\\\\\\\"}\\\"\"}}]}");
	assert_string_equal(dialect(p), "openai");
	assert_int_equal(nactions(p), 3);
	assert_string_equal(astr(p, 0, "id"), "c1");
	assert_string_equal(astr(p, 0, "name"), "a");
	assert_string_equal(arg(p, 0, "x"), "1");
	assert_string_equal(astr(p, 1, "id"), "id_1"); /* generated */
	assert_string_equal(arg(p, 1, "y"), "2");
	assert_string_equal(arg(p, 2, "z"), "3");
	assert_null(json_object_get(p, "errors"));
	json_decref(p);
	/* empty arguments, bad arguments, a call without a name */
	p = parse("{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"a\",\"arguments\":\"\"}},"
		  "{\"function\":{\"name\":\"b\",\"arguments\":\"{oops\"}},{\"function\":{\"name\":\"c\",\"arguments\":\"[1]\"}},"
		  "{\"function\":{\"arguments\":\"{}\"}}]}");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "name"), "a");
	assert_int_equal(json_array_size(json_object_get(p, "errors")), 3);
	assert_non_null(strstr(error0(p), "not valid JSON"));
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(p, "errors"), 1)), "must be a JSON object"));
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(p, "errors"), 2)), "no \"name\""));
	json_decref(p);
	/* content text is kept; a plain message has no action */
	p = parse("{\"role\":\"assistant\",\"content\":\"The answer is 42.\"}");
	assert_int_equal(nactions(p), 0);
	assert_string_equal(json_string_value(json_object_get(p, "content")), "The answer is 42.");
	json_decref(p);
	/* a Hermes call inside an OpenAI content string */
	p = parse("{\"role\":\"assistant\",\"content\":\"<tool_call>{\\\"name\\\":\\\"h\\\",\\\"arguments\\\":{}}</tool_call>\"}");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "name"), "h");
	json_decref(p);
}

static void test_anthropic(void **state)
{
	(void)state;
	json_t *p = parse("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
			  "{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"get_cases\",\"input\":{\"statuses\":[\"New\"]}}]}");
	assert_string_equal(dialect(p), "anthropic");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "id"), "toolu_9");
	assert_string_equal(json_string_value(json_object_get(p, "content")), "Checking.");
	json_decref(p);
	/* the bare array of blocks; a block without a name */
	p = parse("[{\"type\":\"tool_use\",\"name\":\"a\",\"input\":{}},{\"type\":\"tool_use\",\"input\":{}}]");
	assert_string_equal(dialect(p), "anthropic");
	assert_int_equal(nactions(p), 1);
	assert_non_null(strstr(error0(p), "no \"name\""));
	json_decref(p);
}

static void test_hermes(void **state)
{
	(void)state;
	json_t *p = parse("Let me look.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"q\": \"x</tool_call>y\"}}\n</tool_call>\n"
			  "<tool_call>{\"name\":\"b\",\"parameters\":{}}{\"name\":\"c\",\"arguments\":{}}</tool_call>");
	assert_string_equal(dialect(p), "hermes");
	assert_int_equal(nactions(p), 3);
	assert_string_equal(arg(p, 0, "q"), "x</tool_call>y"); /* the closing tag inside a string */
	assert_string_equal(astr(p, 1, "name"), "b");             /* "parameters" */
	assert_string_equal(astr(p, 2, "name"), "c");             /* glued objects */
	assert_string_equal(astr(p, 2, "id"), "id_2");
	assert_string_equal(json_string_value(json_object_get(p, "content")), "Let me look.");
	json_decref(p);
	/* one per line; a missing </tool_call> at the end */
	p = parse("<tool_call>\n{\"name\":\"a\",\"arguments\":{}}\n{\"name\":\"b\",\"arguments\":{}}\n");
	assert_int_equal(nactions(p), 2);
	json_decref(p);
	/* invalid JSON: an error that says what was expected */
	p = parse("<tool_call>{\"name\": \"a\", \"arguments\": {\"x\": tru}}</tool_call>");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "<tool_call> block 1 is not valid"));
	assert_non_null(strstr(error0(p), "\"arguments\""));
	json_decref(p);
	p = parse("<tool_call>{\"name\": \"a\", \"arguments\": {\"x\": \"1}</tool_call>");
	assert_non_null(strstr(error0(p), "does not close"));
	json_decref(p);
	p = parse("<tool_call>get_cases()</tool_call>");
	assert_non_null(strstr(error0(p), "holds no JSON object"));
	json_decref(p);
	p = parse("<tool_call>{\"arguments\": {}}</tool_call>");
	assert_non_null(strstr(error0(p), "no \"name\""));
	json_decref(p);
	p = parse("<tool_call>{\"name\": \"a\", \"arguments\": [1, 2]}</tool_call>");
	assert_non_null(strstr(error0(p), "must be a JSON object"));
	json_decref(p);
}

static void test_think(void **state)
{
	(void)state;
	json_t *p = parse("<think>Maybe <tool_call>{\"name\":\"fake\",\"arguments\":{}}</tool_call>?</think>\n"
			  "<tool_call>{\"name\":\"real\",\"arguments\":{}}</tool_call>");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "name"), "real");
	assert_non_null(strstr(json_string_value(json_object_get(p, "thinking")), "fake"));
	json_decref(p);
	/* unterminated leading think: all thinking, no action */
	p = parse("  <think>I will call <tool_call>{\"name\":\"x\",\"arguments\":{}}</tool_call>");
	assert_int_equal(nactions(p), 0);
	assert_string_equal(json_string_value(json_object_get(p, "content")), "");
	json_decref(p);
	/* the template opened the think block: text before </think> is thinking */
	p = parse("hmm, the period first</think><respond>May</respond>");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "content"), "May");
	assert_string_equal(json_string_value(json_object_get(p, "thinking")), "hmm, the period first");
	json_decref(p);
}

static void test_qwen_xml(void **state)
{
	(void)state;
	json_t *p = parse("<tool_call>\n<function=get_cases>\n<parameter=statuses>\n[\"Closed\"]\n</parameter>\n"
			  "<parameter=start_date>\n2024-01-01T00:00:00Z\n</parameter>\n</function>\n</tool_call>");
	assert_string_equal(dialect(p), "qwen_xml");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "name"), "get_cases");
	assert_true(json_is_array(json_object_get(json_object_get(action(p, 0), "arguments"), "statuses")));
	assert_string_equal(arg(p, 0, "start_date"), "2024-01-01T00:00:00Z");
	json_decref(p);
	p = parse("<function=a><parameter=n>5</parameter></function><function=b></function>");
	assert_int_equal(nactions(p), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(action(p, 0), "arguments"), "n")), 5);
	json_decref(p);
	p = parse("<function=a");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "not closed"));
	json_decref(p);
}

static void test_mistral_llama_action(void **state)
{
	(void)state;
	json_t *p = parse("[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"x\": 1}}, {\"name\": \"b\", \"arguments\": {}}]");
	assert_string_equal(dialect(p), "mistral");
	assert_int_equal(nactions(p), 2);
	json_decref(p);
	p = parse("[TOOL_CALLS] {\"name\": \"a\", \"arguments\": {\"x\": }");
	assert_int_equal(nactions(p), 0);
	assert_non_null(error0(p));
	json_decref(p);
	p = parse("{\"name\": \"get_period\", \"parameters\": {\"period_name\": \"Q1\", \"year\": 2024}}");
	assert_string_equal(dialect(p), "llama");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(arg(p, 0, "period_name"), "Q1");
	json_decref(p);
	p = parse("<|python_tag|>```json\n[{\"name\": \"a\", \"parameters\": {}}]\n```");
	assert_string_equal(dialect(p), "llama");
	assert_int_equal(nactions(p), 1);
	json_decref(p);
	/* a JSON object that is not a call is plain text */
	p = parse("{\"answer\": 5}");
	assert_string_equal(dialect(p), "text");
	assert_int_equal(nactions(p), 0);
	json_decref(p);
	p = parse("Thought: need cases\nAction: get_cases\nAction Input: {\"statuses\": [\"New\"]}\n");
	assert_string_equal(dialect(p), "action");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "name"), "get_cases");
	assert_string_equal(json_string_value(json_object_get(p, "content")), "Thought: need cases");
	json_decref(p);
	p = parse("Action: search\nAction Input: zipper issues");
	assert_string_equal(arg(p, 0, "input"), "zipper issues");
	json_decref(p);
	p = parse("Action: search\nAction Input: {\"q\": ");
	assert_int_equal(nactions(p), 0);
	json_decref(p);
}

static void test_react(void **state)
{
	(void)state;
	json_t *p = parse("<thought>Count the cases.</thought>\n<execute>SELECT COUNT() FROM Case</execute>");
	assert_string_equal(dialect(p), "react");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "type"), "execute");
	assert_string_equal(astr(p, 0, "query"), "SELECT COUNT() FROM Case");
	assert_string_equal(json_string_value(json_object_get(p, "content")), "Count the cases.");
	json_decref(p);
	p = parse("<respond> 005Zb2eFvfCsGiRIEV </respond>");
	assert_string_equal(astr(p, 0, "type"), "respond");
	assert_string_equal(astr(p, 0, "content"), "005Zb2eFvfCsGiRIEV");
	json_decref(p);
	p = parse("<submit>None</submit>");
	assert_string_equal(astr(p, 0, "type"), "respond");
	assert_string_equal(astr(p, 0, "content"), "None");
	json_decref(p);
	p = parse("<execute>SELECT Id FROM Case"); /* unclosed: to the end */
	assert_string_equal(astr(p, 0, "query"), "SELECT Id FROM Case");
	json_decref(p);
	/* ReAct off: the tags are text */
	json_t *out = NULL;
	crmw__parse_opts o = {NULL, false};
	assert_int_equal(crmw__parse_output(&out, "<respond>x</respond>", 20, &o), CRMW_OK);
	assert_int_equal(nactions(out), 0);
	json_decref(out);
}

static void test_text_and_bytes(void **state)
{
	(void)state;
	json_t *p = parse("The agent is 005Zb2eFvfCsGiRIEV.");
	assert_string_equal(dialect(p), "text");
	assert_int_equal(nactions(p), 0);
	json_decref(p);
	p = parse("");
	assert_int_equal(nactions(p), 0);
	assert_string_equal(json_string_value(json_object_get(p, "content")), "");
	char *fe = crmw__format_error_text(p, "tools");
	assert_non_null(strstr(fe, "empty"));
	assert_non_null(strstr(fe, "respond tool"));
	free(fe);
	fe = crmw__format_error_text(p, "react");
	assert_non_null(strstr(fe, "<execute>"));
	free(fe);
	json_decref(p);
	p = parse("<tool_call>{bad</tool_call>");
	fe = crmw__format_error_text(p, "tools");
	assert_non_null(strstr(fe, "<tool_call> block 1"));
	free(fe);
	json_decref(p);
	/* invalid UTF-8 becomes U+FFFD */
	p = parse("caf\xC3 \xFF ok");
	assert_non_null(strstr(json_string_value(json_object_get(p, "content")), "\xEF\xBF\xBD"));
	json_decref(p);
	/* only len bytes are read */
	const char buf[] = "<respond>A</respond><respond>B</respond>";
	p = parse_n(buf, 20);
	assert_int_equal(nactions(p), 1);
	json_decref(p);
	/* NUL bytes inside */
	p = parse_n("ab\0cd", 5);
	assert_int_equal(nactions(p), 0);
	json_decref(p);
	json_t *out = (json_t *)1;
	assert_int_equal(crmw__parse_output(&out, NULL, 3, NULL), CRMW_EINVALID);
}

static unsigned long long rnd_state = 88172645463325252ULL;

static size_t RND(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (size_t)rnd_state;
}

/* Random mutations of valid outputs: never a crash, always a result. */
static void test_mutations(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		"<tool_call>{\"name\": \"a\", \"arguments\": {\"q\": \"x</tool_call>\\\"y\"}}</tool_call>",
		"{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"1\",\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}}]}",
		"<think>t</think><tool_call>\n<function=f>\n<parameter=p>\n[1,{\"a\":\"b\"}]\n</parameter>\n</function>\n</tool_call>",
		"[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {}}]",
		"<thought>x</thought><execute>SELECT Id FROM Case</execute><respond>y</respond>",
		"Action: a\nAction Input: {\"k\": [1, 2, {\"z\": null}]}",
		"[{\"type\":\"tool_use\",\"name\":\"a\",\"input\":{\"b\":[]}}]",
	};
	static const char *const inserts[] = {"<tool_call>", "</tool_call>", "{", "}", "\"", "\\", "[", "<think>",
					      "</think>", "<function=", "<parameter=", "[TOOL_CALLS]", "<respond>", "\xC3", "\0"};
	char buf[512];
	for (int it = 0; it < 20000; it++) {
		const char *s = seeds[RND() % CRMW_ARRAY_LEN(seeds)];
		size_t n = strlen(s);
		memcpy(buf, s, n);
		int edits = 1 + (int)(RND() % 4);
		for (int e = 0; e < edits; e++) {
			int kind = (int)(RND() % 3);
			if (kind == 0 && n > 0) {
				size_t at = RND() % n;
				buf[at] = (char)(RND() & 0xFF);
			} else if (kind == 1 && n > 0) {
				n = RND() % n;
			} else {
				const char *ins = inserts[RND() % CRMW_ARRAY_LEN(inserts)];
				size_t k = strlen(ins) ? strlen(ins) : 1, at = n ? RND() % n : 0;
				if (n + k < sizeof buf) {
					memmove(buf + at + k, buf + at, n - at);
					memcpy(buf + at, ins, k);
					n += k;
				}
			}
		}
		json_t *p = parse_n(buf, n);
		json_decref(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openai),         cmocka_unit_test(test_anthropic),
		cmocka_unit_test(test_hermes),         cmocka_unit_test(test_think),
		cmocka_unit_test(test_qwen_xml),       cmocka_unit_test(test_mistral_llama_action),
		cmocka_unit_test(test_react),          cmocka_unit_test(test_text_and_bytes),
		cmocka_unit_test(test_mutations),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
