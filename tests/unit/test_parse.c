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

/* The shape parse.h promises, whatever the input was. */
static void check_shape(const json_t *p)
{
	assert_true(json_is_string(json_object_get(p, "dialect")));
	assert_true(json_is_string(json_object_get(p, "content")));
	const json_t *th = json_object_get(p, "thinking");
	assert_true(!th || (json_is_string(th) && json_string_length(th) > 0));
	const json_t *errs = json_object_get(p, "errors");
	assert_true(!errs || (json_is_array(errs) && json_array_size(errs) > 0));
	size_t i;
	json_t *x;
	json_array_foreach(errs, i, x) assert_true(json_is_string(x));
	json_array_foreach(json_object_get(p, "actions"), i, x) {
		const char *type = json_string_value(json_object_get(x, "type"));
		assert_non_null(type);
		if (strcmp(type, "tool_call") == 0) {
			assert_true(json_is_string(json_object_get(x, "id")));
			assert_true(json_string_length(json_object_get(x, "name")) > 0);
			assert_true(json_is_object(json_object_get(x, "arguments")));
		} else if (strcmp(type, "execute") == 0) {
			assert_true(json_is_string(json_object_get(x, "query")));
		} else {
			assert_string_equal(type, "respond");
			assert_true(json_is_string(json_object_get(x, "content")));
		}
	}
}

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
	check_shape(out);
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

static const char *errorn(const json_t *p, size_t i)
{
	return json_string_value(json_array_get(json_object_get(p, "errors"), i));
}

static const char *error0(const json_t *p)
{
	return errorn(p, 0);
}

static size_t nerrors(const json_t *p)
{
	return json_array_size(json_object_get(p, "errors"));
}

static const char *content(const json_t *p)
{
	return json_string_value(json_object_get(p, "content"));
}

static const char *thinking(const json_t *p)
{
	return json_string_value(json_object_get(p, "thinking"));
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

/* OpenAI and Anthropic details: a bare list of OpenAI calls, reasoning,
 * thinking blocks, a tool_use input given as a JSON string. */
static void test_messages_more(void **state)
{
	(void)state;
	json_t *p = parse("[{\"id\":\"x9\",\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"k\\\":\\\"v\\\"}\"}}]");
	assert_string_equal(dialect(p), "openai");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "id"), "x9");
	assert_string_equal(arg(p, 0, "k"), "v");
	json_decref(p);
	p = parse("{\"role\":\"assistant\",\"reasoning_content\":\"r1\",\"content\":\"<think>r2</think>Done.\"}\n\n");
	assert_string_equal(dialect(p), "openai");
	assert_string_equal(content(p), "Done.");
	assert_string_equal(thinking(p), "r2\nr1");
	json_decref(p);
	p = parse("{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"a\"},"
		  "{\"type\":\"thinking\",\"thinking\":\"b\"},{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"n\","
		  "\"input\":\"{\\\"q\\\":\\\"1\\\"}\"},{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"m\",\"input\":[]}]}");
	assert_string_equal(dialect(p), "anthropic");
	assert_string_equal(thinking(p), "a\nb");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(arg(p, 0, "q"), "1");
	assert_int_equal(nerrors(p), 1);
	assert_non_null(strstr(error0(p), "arguments of m must be a JSON object"));
	json_decref(p);
	p = parse("{\"role\":\"assistant\",\"tool_calls\":{\"name\":\"a\"}}");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "must be a list"));
	json_decref(p);
	/* a message that is not valid JSON is read as text */
	p = parse("{\"role\":\"assistant\",\"content\":\"hi\"} trailing");
	assert_string_equal(dialect(p), "text");
	json_decref(p);
}

/* Hermes blocks: recovery after a broken block, empty blocks, fences,
 * missing closes between blocks, the text around the calls. */
static void test_hermes_recovery(void **state)
{
	(void)state;
	/* an unclosed string in block 1 does not swallow block 2 */
	json_t *p = parse("<tool_call>{\"name\":\"a\",\"arguments\":{\"x\":\"1}</tool_call> then "
			  "<tool_call>{\"name\":\"b\",\"arguments\":{}}</tool_call>");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "name"), "b");
	assert_string_equal(astr(p, 0, "id"), "id_0");
	assert_int_equal(nerrors(p), 1);
	assert_non_null(strstr(error0(p), "block 1 does not close"));
	assert_string_equal(content(p), "then");
	json_decref(p);
	/* block numbers in messages; empty block */
	p = parse("<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>\n<tool_call>\n</tool_call>\n"
		  "<tool_call>call a()</tool_call>");
	assert_int_equal(nactions(p), 1);
	assert_int_equal(nerrors(p), 2);
	assert_non_null(strstr(errorn(p, 0), "block 2 is empty"));
	assert_non_null(strstr(errorn(p, 1), "block 3 holds no JSON object"));
	assert_non_null(strstr(errorn(p, 1), "Write <tool_call>{\"name\": \"tool_name\", \"arguments\": {...}}</tool_call>."));
	json_decref(p);
	/* the message names the line and column */
	p = parse("<tool_call>{\"name\": \"a\", \"arguments\": {\"x\": tru}}</tool_call>");
	assert_non_null(strstr(error0(p), "The <tool_call> block 1 is not valid JSON (line 1, column "));
	json_decref(p);
	/* a fenced block, a missing close before the next block, text after the last */
	p = parse("<tool_call>\n```json\n{\"name\":\"a\",\"arguments\":{}}\n```\n</tool_call>"
		  "<tool_call>{\"name\":\"b\",\"arguments\":{}}\n<tool_call>{\"name\":\"c\",\"arguments\":{\"n\":1}}\nwaiting");
	assert_int_equal(nactions(p), 3);
	assert_string_equal(astr(p, 2, "name"), "c");
	assert_string_equal(astr(p, 2, "id"), "id_2");
	assert_null(json_object_get(p, "errors"));
	assert_string_equal(content(p), "waiting");
	json_decref(p);
	/* an array inside a block; a call whose arguments are double-encoded */
	p = parse("<tool_call>[{\"name\":\"a\",\"arguments\":{}},{\"name\":\"b\",\"arguments\":\"\\\"{}\\\"\"}]</tool_call>");
	assert_int_equal(nactions(p), 2);
	json_decref(p);
	/* many broken blocks: the list of errors is capped */
	char many[40 * 24 + 1] = "";
	for (int i = 0; i < 40; i++)
		strcat(many, "<tool_call></tool_call>");
	p = parse(many);
	assert_int_equal(nerrors(p), 17);
	assert_non_null(strstr(errorn(p, 16), "24 more problems"));
	json_decref(p);
}

/* Names and keys from the model may be long and multibyte: messages cut
 * them at character boundaries and the parse still succeeds. */
static void test_long_names(void **state)
{
	(void)state;
	char t[4096] = "<tool_call>{\"name\":\"a";
	for (int i = 0; i < 500; i++)
		strcat(t, "\xC3\xA9");
	strcat(t, "\",\"arguments\":[1]}</tool_call>");
	json_t *p = parse(t);
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "must be a JSON object"));
	assert_true(strlen(error0(p)) < 400);
	json_decref(p);
	/* the JSON reader's message quotes 60 bytes of a duplicate key */
	strcpy(t, "<tool_call>{\"name\":\"a\",\"arguments\":{\"a");
	for (int i = 0; i < 40; i++)
		strcat(t, "\xC3\xA9");
	strcat(t, "\":1,\"a");
	for (int i = 0; i < 40; i++)
		strcat(t, "\xC3\xA9");
	strcat(t, "\":2}}</tool_call>");
	p = parse(t);
	assert_non_null(strstr(error0(p), "duplicate object key"));
	json_decref(p);
	/* ids: the default prefix, and a long caller prefix */
	json_t *out = NULL;
	assert_int_equal(crmw__parse_output(&out, "<respond>x</respond>Action: a", 29, NULL), CRMW_OK);
	json_decref(out);
	assert_int_equal(crmw__parse_output(&out, "<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>", 49, NULL), CRMW_OK);
	assert_string_equal(astr(out, 0, "id"), "call_0");
	json_decref(out);
	char prefix[200];
	memset(prefix, 'p', sizeof prefix - 1);
	prefix[sizeof prefix - 1] = '\0';
	crmw__parse_opts o = {prefix, true};
	assert_int_equal(crmw__parse_output(&out, "<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>", 49, &o), CRMW_OK);
	assert_int_equal(strlen(astr(out, 0, "id")), 200);
	json_decref(out);
}

static void test_qwen_more(void **state)
{
	(void)state;
	/* two functions in one block; names and keys trimmed; values JSON or text */
	json_t *p = parse("<tool_call>\n<function= a >\n<parameter= n >\n007\n</parameter>\n<parameter=t>\nline 1\nline 2\n\n"
			  "</parameter>\n</function>\n<function=b>\n<parameter=f>\nfalse\n</parameter>\n</function>\n</tool_call>");
	assert_string_equal(dialect(p), "qwen_xml");
	assert_int_equal(nactions(p), 2);
	assert_string_equal(astr(p, 0, "name"), "a");
	assert_string_equal(arg(p, 0, "n"), "007"); /* not JSON: a string */
	assert_string_equal(arg(p, 0, "t"), "line 1\nline 2\n");
	assert_true(json_is_false(json_object_get(json_object_get(action(p, 1), "arguments"), "f")));
	json_decref(p);
	/* an unclosed function ends at </tool_call>: the next block is its own call */
	p = parse("<tool_call><function=a><parameter=x>1</parameter></tool_call><tool_call><function=b></function></tool_call>");
	assert_int_equal(nactions(p), 2);
	assert_int_equal(json_object_size(json_object_get(action(p, 0), "arguments")), 1);
	assert_string_equal(astr(p, 1, "name"), "b");
	json_decref(p);
	p = parse("<tool_call><function=><parameter=x>1</parameter></function></tool_call>");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "no tool name"));
	json_decref(p);
}

static void test_mistral_more(void **state)
{
	(void)state;
	json_t *p = parse("Sure.[TOOL_CALLS]get_cases[ARGS]{\"statuses\": [\"New\"]}[TOOL_CALLS]b[CALL_ID]abc123XYZ[ARGS]{}");
	assert_string_equal(dialect(p), "mistral");
	assert_int_equal(nactions(p), 2);
	assert_string_equal(astr(p, 0, "name"), "get_cases");
	assert_string_equal(astr(p, 0, "id"), "id_0");
	assert_string_equal(astr(p, 1, "id"), "abc123XYZ");
	assert_string_equal(content(p), "Sure.");
	json_decref(p);
	p = parse("[TOOL_CALLS] {\"name\": \"a\", \"arguments\": {}}");
	assert_int_equal(nactions(p), 1);
	json_decref(p);
	p = parse("[TOOL_CALLS] I cannot.");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "not followed by a JSON list"));
	assert_string_equal(content(p), "I cannot.");
	json_decref(p);
	p = parse("[TOOL_CALLS]a[ARGS]{\"x\": }");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "not valid JSON"));
	json_decref(p);
	p = parse("[TOOL_CALLS] [{\"arguments\": {}}]");
	assert_non_null(strstr(error0(p), "no \"name\""));
	json_decref(p);
}

static void test_llama_action_more(void **state)
{
	(void)state;
	json_t *p = parse("```json\n{\"name\": \"a\", \"arguments\": {\"k\": 1}}\n```\nI will wait.");
	assert_string_equal(dialect(p), "llama");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(content(p), "I will wait.");
	json_decref(p);
	p = parse("[{\"name\": \"a\", \"parameters\": {}}, {\"parameters\": {}}, {\"name\": \"c\", \"parameters\": 5}]");
	assert_string_equal(dialect(p), "llama");
	assert_int_equal(nactions(p), 1);
	assert_int_equal(nerrors(p), 2);
	assert_non_null(strstr(errorn(p, 0), "call 2 has no \"name\""));
	assert_non_null(strstr(errorn(p, 1), "must be a JSON object"));
	json_decref(p);
	/* "Action:" inside prose is not a call */
	p = parse("The Next Action: call the customer back.");
	assert_string_equal(dialect(p), "text");
	assert_int_equal(nactions(p), 0);
	json_decref(p);
	p = parse("Action: call the customer back.");
	assert_string_equal(dialect(p), "text");
	json_decref(p);
	p = parse("Action: get_cases");
	assert_string_equal(dialect(p), "action");
	assert_int_equal(json_object_size(json_object_get(action(p, 0), "arguments")), 0);
	json_decref(p);
	p = parse("  Action: search\n  Action Input: {\"q\": \"x\"}\nObservation: ...");
	assert_string_equal(arg(p, 0, "q"), "x");
	json_decref(p);
	p = parse("Action: a\nAction Input: {\"q\": tru}");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "Action Input of a is not valid JSON"));
	json_decref(p);
	p = parse("Action: \nAction Input: {}");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(error0(p), "names no tool"));
	json_decref(p);
}

static void test_react_more(void **state)
{
	(void)state;
	/* thought + execute + respond in one reply, a fenced query, text between */
	json_t *p = parse("<thought>first</thought> note <execute>\n```sql\nSELECT Id FROM Case\n```\n</execute>"
			  "<thought>second</thought><respond>42</respond>");
	assert_string_equal(dialect(p), "react");
	assert_int_equal(nactions(p), 2);
	assert_string_equal(astr(p, 0, "query"), "SELECT Id FROM Case");
	assert_string_equal(astr(p, 1, "content"), "42");
	assert_non_null(strstr(content(p), "first"));
	assert_non_null(strstr(content(p), "note"));
	assert_non_null(strstr(content(p), "second"));
	json_decref(p);
	/* a thought alone is no action: plain text */
	p = parse("<thought>just thinking</thought>");
	assert_string_equal(dialect(p), "text");
	assert_int_equal(nactions(p), 0);
	assert_non_null(strstr(content(p), "just thinking"));
	json_decref(p);
	/* a fake respond inside a think block is ignored */
	p = parse("<think><respond>no</respond></think><execute>SELECT Id FROM Account</execute>");
	assert_int_equal(nactions(p), 1);
	assert_string_equal(astr(p, 0, "type"), "execute");
	json_decref(p);
	/* a <tool_call> wins over ReAct tags (the first dialect that finds a call) */
	p = parse("<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call><respond>x</respond>");
	assert_string_equal(dialect(p), "hermes");
	assert_int_equal(nactions(p), 1);
	json_decref(p);
}

/* Exactly `len` bytes are read: a heap buffer without a terminating NUL
 * (the address sanitizer catches a read past it). */
static void test_not_terminated(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>",
		"<tool_call>{\"name\":\"a\",\"arguments\":{\"x\":\"",
		"<function=a><parameter=b>1",
		"[TOOL_CALLS]a[CALL_ID]",
		"<think>x",
		"Action: a\nAction Input: {",
		"```json\n{\"name\":\"a\",\"parameters\":{}}",
		"<execute>SELECT",
		"{\"role\":\"assistant\",\"content\":\"x\"}",
		"caf\xC3",
	};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(texts); i++) {
		size_t n = strlen(texts[i]);
		for (size_t cut = 0; cut <= n; cut++) {
			char *b = malloc(cut ? cut : 1);
			assert_non_null(b);
			memcpy(b, texts[i], cut);
			json_decref(parse_n(b, cut));
			free(b);
		}
	}
}

static void test_format_error_text(void **state)
{
	(void)state;
	json_t *p = parse("I think the answer is 5.");
	char *fe = crmw__format_error_text(p, "tools");
	assert_non_null(strstr(fe, "no action"));
	assert_non_null(strstr(fe, "<tool_call>{\"name\""));
	free(fe);
	fe = crmw__format_error_text(p, "react");
	assert_non_null(strstr(fe, "<respond>"));
	assert_null(strstr(fe, "tool_call"));
	free(fe);
	json_decref(p);
	p = parse("<tool_call>{\"name\":\"a\"}{\"arguments\":{}}</tool_call><tool_call>x</tool_call>");
	fe = crmw__format_error_text(p, "react");
	/* each error on its own line, then the reminder */
	assert_non_null(strstr(fe, "block 1 has no \"name\""));
	assert_non_null(strstr(fe, "block 2 holds no JSON object"));
	assert_non_null(strstr(fe, "\nReply with <execute>"));
	free(fe);
	json_decref(p);
}

/* Hostile repetitions stay linear: each is a MiB of one pattern. */
static void test_hostile_sizes(void **state)
{
	(void)state;
	static const char *const units[] = {
		"<tool_call>{</tool_call>", "<tool_call>{\"x</tool_call>", "<tool_call>{}", "<execute>x</execute>",
		"<thought>x</thought>",    "<think>",                      "<function=a><parameter=b>",
		"[TOOL_CALLS]a[CALL_ID]",  "\nAction:",                    "{\"",
		"[",                       "\xFF",
	};
	size_t n = 1 << 20;
	char *b = malloc(n);
	assert_non_null(b);
	for (size_t i = 0; i < CRMW_ARRAY_LEN(units); i++) {
		size_t u = strlen(units[i]);
		for (size_t k = 0; k < n; k++)
			b[k] = units[i][k % u];
		json_decref(parse_n(b, n));
	}
	free(b);
}

static unsigned long long rnd_state = 88172645463325252ULL;

static size_t RND(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (size_t)rnd_state;
}

/* Random mutations of valid outputs (byte flips, truncations, inserted
 * tags and JSON punctuation): never a crash, always CRMW_OK and the shape
 * of parse.h.  Run it under the sanitizers. */
static void test_mutations(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		"<tool_call>{\"name\": \"a\", \"arguments\": {\"q\": \"x</tool_call>\\\"y\"}}</tool_call>",
		"{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"1\",\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}}]}",
		"<think>t</think><tool_call>\n<function=f>\n<parameter=p>\n[1,{\"a\":\"b\"}]\n</parameter>\n</function>\n</tool_call>",
		"[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {}}]",
		"[TOOL_CALLS]a[CALL_ID]x1[ARGS]{\"b\": [1]}",
		"<thought>x</thought><execute>SELECT Id FROM Case</execute><respond>y</respond>",
		"Action: a\nAction Input: {\"k\": [1, 2, {\"z\": null}]}",
		"[{\"type\":\"tool_use\",\"name\":\"a\",\"input\":{\"b\":[]}}]",
		"<|python_tag|>```json\n[{\"name\": \"a\", \"parameters\": {\"x\": \"\\u00e9\"}}]\n```",
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"<tool_call>{}</tool_call>\"}]}",
	};
	static const char *const inserts[] = {"<tool_call>", "</tool_call>", "{", "}", "\"", "\\", "[", "]", "<think>",
					      "</think>", "<function=", "</function>", "<parameter=", "[TOOL_CALLS]",
					      "[ARGS]", "<respond>", "<execute>", "\nAction:", "```", "\xC3", "\xFF", "\0"};
	static const char *const prefixes[] = {"id_", NULL, ""};
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
		/* a heap copy of exactly n bytes: a read past them is caught */
		char *h = malloc(n ? n : 1);
		assert_non_null(h);
		memcpy(h, buf, n);
		json_t *p = NULL;
		crmw__parse_opts o = {prefixes[it % 3], it % 5 != 0};
		int rc = crmw__parse_output(&p, h, n, it % 7 ? &o : NULL);
		if (rc)
			fprintf(stderr, "# parse failed (%d) on %zu bytes: %.*s\n", rc, n, (int)n, buf);
		assert_int_equal(rc, CRMW_OK);
		check_shape(p);
		char *fe = crmw__format_error_text(p, it % 2 ? "react" : "tools");
		assert_non_null(fe);
		free(fe);
		json_decref(p);
		free(h);
	}
}

/* Regression (fuzz-parse): a fenced block whose fence line runs past its
 * </tool_call> made the Qwen XML reader scan from after the block's end to
 * the block's end, i.e. a negative length (heap overflow in memchr).  The
 * input: a fenced, unclosed JSON, then a <function= tag without '>' after
 * invalid UTF-8 and a NUL byte.  Read from a heap copy of exactly its
 * bytes so that ASan sees any read past them. */
static void test_regression_fence_past_block(void **state)
{
	(void)state;
	static const unsigned char in[] = {
		0x3c, 0x74, 0x6f, 0x6f, 0x6c, 0x5f, 0x63, 0x61, 0x6c, 0x6c, 0x3e, 0x60, 0x60, 0x60, 0x7b, 0x67, 0x6c, 0x6d,
		0x65, 0x6e, 0x54, 0x5d, 0x7d, 0x7d, 0x3c, 0x2f, 0x74, 0x6f, 0x6f, 0x6c, 0x5f, 0x63, 0x61, 0x6c, 0x6c, 0x3e,
		0x3c, 0x74, 0x6f, 0x6f, 0x6c, 0x5f, 0x63, 0x61, 0x6c, 0x6c, 0x3e, 0x0a, 0x3c, 0x66, 0x75, 0x6e, 0x63, 0x74,
		0x69, 0x6f, 0x6e, 0x3d, 0x67, 0x65, 0x74, 0x7b, 0x25, 0x22, 0x6f, 0xef, 0x75, 0x74, 0x65, 0xac, 0xf4, 0xac,
		0xac, 0xac, 0x00, 0x6d, 0x65, 0x74, 0x65, 0x72, 0x3d, 0x75, 0x9a, 0x6c, 0x3f, 0x5f, 0x63,
	};
	assert_int_equal(sizeof in, 87);
	char *h = malloc(sizeof in);
	assert_non_null(h);
	memcpy(h, in, sizeof in);
	json_t *p = parse_n(h, sizeof in);
	free(h);
	assert_string_equal(dialect(p), "qwen_xml");
	assert_int_equal(nactions(p), 0);
	/* block 1 is all fence line: nothing in it; block 2's tag never closes */
	assert_int_equal(nerrors(p), 2);
	assert_non_null(strstr(error0(p), "block 1 is empty"));
	assert_non_null(strstr(errorn(p, 1), "is not closed with '>'"));
	json_decref(p);

	/* the same shapes with the tags in other orders, each from a heap copy */
	static const char *const more[] = {
		"<tool_call>```</tool_call><tool_call>\n<function=a>",
		"<tool_call>```x</tool_call>\n<function=a><parameter=b>c",
		"<tool_call>```\n<function=a></tool_call><function=b>",
		"<tool_call>   ```</tool_call>```\n{\"name\":\"a\"}",
		"<tool_call>```json</tool_call>\n",
		"<tool_call>```",
		"<tool_call>\n```\n<function=",
	};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(more); i++) {
		size_t n = strlen(more[i]);
		h = malloc(n);
		assert_non_null(h);
		memcpy(h, more[i], n);
		json_decref(parse_n(h, n));
		free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openai),         cmocka_unit_test(test_anthropic),
		cmocka_unit_test(test_hermes),         cmocka_unit_test(test_think),
		cmocka_unit_test(test_qwen_xml),       cmocka_unit_test(test_mistral_llama_action),
		cmocka_unit_test(test_react),          cmocka_unit_test(test_text_and_bytes),
		cmocka_unit_test(test_messages_more),  cmocka_unit_test(test_hermes_recovery),
		cmocka_unit_test(test_long_names),     cmocka_unit_test(test_qwen_more),
		cmocka_unit_test(test_mistral_more),   cmocka_unit_test(test_llama_action_more),
		cmocka_unit_test(test_react_more),     cmocka_unit_test(test_not_terminated),
		cmocka_unit_test(test_format_error_text), cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_mutations),      cmocka_unit_test(test_regression_fence_past_block),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
