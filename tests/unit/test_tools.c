/*
 * Unit tests of the tool registry: every validator keyword passing and
 * failing, coercion, error results, registry misuse, exports.
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

#include <crmweaver.h>

static int echo(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)ud;
	/* The tool sees the validated, coerced arguments. */
	json_t *v = json_loadb(args, len, 0, NULL);
	assert_non_null(v);
	json_t *out = json_pack("{s:o}", "echo", v);
	char *d = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	result->len = 0;
	size_t n = strlen(d);
	char *p = realloc(result->data, n + 1);
	assert_non_null(p);
	memcpy(p, d, n + 1);
	result->data = p;
	result->len = n;
	result->cap = n + 1;
	free(d);
	return 0;
}

typedef struct vcase {
	const char *schema;
	const char *args;
	bool ok;
	const char *needle; /* in the error, or in the echoed arguments */
} vcase;

#define OBJ(props) "{\"type\":\"object\",\"properties\":{" props "}}"

static const vcase cases[] = {
	/* type */
	{OBJ("\"a\":{\"type\":\"string\"}"), "{\"a\":\"x\"}", true, NULL},
	{OBJ("\"a\":{\"type\":\"string\"}"), "{\"a\":5}", false, "\"path\":\"/a\",\"message\":\"expected string, got integer 5\""},
	{OBJ("\"a\":{\"type\":\"integer\"}"), "{\"a\":5.0}", true, "\"a\":5}"},
	{OBJ("\"a\":{\"type\":\"integer\"}"), "{\"a\":5.5}", false, "expected integer"},
	{OBJ("\"a\":{\"type\":\"number\"}"), "{\"a\":5}", true, NULL},
	{OBJ("\"a\":{\"type\":\"boolean\"}"), "{\"a\":\"true\"}", false, "expected boolean"},
	{OBJ("\"a\":{\"type\":[\"string\",\"null\"]}"), "{\"a\":null}", true, NULL},
	{OBJ("\"a\":{\"type\":[\"string\",\"null\"]}"), "{\"a\":1}", false, "expected string or null"},
	{OBJ("\"a\":{\"type\":\"array\"}"), "{\"a\":{}}", false, "expected array"},
	/* coercion only where the schema says so */
	{OBJ("\"a\":{\"type\":\"integer\",\"x-coerce\":true}"), "{\"a\":\"5\"}", true, "\"a\":5}"},
	{OBJ("\"a\":{\"type\":\"integer\",\"x-coerce\":true}"), "{\"a\":\"5x\"}", false, "expected integer"},
	{OBJ("\"a\":{\"type\":\"integer\"}"), "{\"a\":\"5\"}", false, "expected integer, got string"},
	{OBJ("\"a\":{\"type\":\"number\",\"x-coerce\":true}"), "{\"a\":\"2.5\"}", true, "\"a\":2.5"},
	{OBJ("\"a\":{\"type\":\"boolean\",\"x-coerce\":true}"), "{\"a\":\"false\"}", true, "\"a\":false"},
	/* properties, required, additionalProperties */
	{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}", "{}", false,
	 "\"path\":\"/a\",\"message\":\"missing required property 'a'\""},
	{"{\"type\":\"object\",\"properties\":{\"start_date\":{\"type\":\"string\"}},\"additionalProperties\":false}",
	 "{\"start_dat\":\"x\"}", false, "unknown property 'start_dat' (did you mean 'start_date'?)"},
	{"{\"type\":\"object\",\"properties\":{},\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":1,\"y\":2}", true, NULL},
	{"{\"type\":\"object\",\"properties\":{},\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":\"1\"}", false, "/x"},
	{"{\"type\":\"object\",\"properties\":{}}", "{\"anything\":1}", true, NULL},
	/* enum, const */
	{OBJ("\"a\":{\"enum\":[\"low\",\"high\"]}"), "{\"a\":\"high\"}", true, NULL},
	{OBJ("\"a\":{\"enum\":[\"low\",\"high\"]}"), "{\"a\":\"mid\"}", false, "\\\"mid\\\" is not one of [\\\"low\\\",\\\"high\\\"]"},
	{OBJ("\"a\":{\"const\":3}"), "{\"a\":3}", true, NULL},
	{OBJ("\"a\":{\"const\":3}"), "{\"a\":4}", false, "must be 3"},
	/* items, minItems, maxItems */
	{OBJ("\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"maxItems\":2}"), "{\"a\":[\"x\"]}", true, NULL},
	{OBJ("\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"), "{\"a\":[\"x\",7]}", false, "\"path\":\"/a/1\""},
	{OBJ("\"a\":{\"type\":\"array\",\"minItems\":1}"), "{\"a\":[]}", false, "at least 1 items"},
	{OBJ("\"a\":{\"type\":\"array\",\"maxItems\":1}"), "{\"a\":[1,2]}", false, "at most 1 items"},
	{OBJ("\"a\":{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"x-coerce\":true}}"), "{\"a\":[\"1\",2]}", true, "\"a\":[1,2]"},
	/* minimum, maximum, exclusive */
	{OBJ("\"a\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10}"), "{\"a\":10}", true, NULL},
	{OBJ("\"a\":{\"type\":\"integer\",\"minimum\":1}"), "{\"a\":0}", false, "at least 1"},
	{OBJ("\"a\":{\"type\":\"integer\",\"maximum\":10}"), "{\"a\":11}", false, "at most 10"},
	{OBJ("\"a\":{\"type\":\"number\",\"exclusiveMinimum\":0}"), "{\"a\":0}", false, "more than 0"},
	{OBJ("\"a\":{\"type\":\"number\",\"exclusiveMaximum\":1}"), "{\"a\":1}", false, "less than 1"},
	/* minLength, maxLength (characters, not bytes) */
	{OBJ("\"a\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}"), "{\"a\":\"\\u00e9\\u00e9\\u00e9\"}", true, NULL},
	{OBJ("\"a\":{\"type\":\"string\",\"minLength\":2}"), "{\"a\":\"x\"}", false, "at least 2 characters"},
	{OBJ("\"a\":{\"type\":\"string\",\"maxLength\":3}"), "{\"a\":\"abcd\"}", false, "at most 3 characters"},
	/* pattern (POSIX extended) */
	{OBJ("\"a\":{\"type\":\"string\",\"pattern\":\"^500[A-Za-z0-9]{15}$\"}"), "{\"a\":\"500Wt00000DDJ5nIAH\"}", true, NULL},
	{OBJ("\"a\":{\"type\":\"string\",\"pattern\":\"^500[A-Za-z0-9]{15}$\"}"), "{\"a\":\"001Wt00000DDJ5nIAH\"}", false, "does not match the pattern"},
	/* format */
	{OBJ("\"start_date\":{\"type\":\"string\",\"format\":\"date\"}"), "{\"start_date\":\"2024-02-29\"}", true, NULL},
	{OBJ("\"start_date\":{\"type\":\"string\",\"format\":\"date\"}"), "{\"start_date\":\"2024-13-01\"}", false,
	 "\"path\":\"/start_date\",\"message\":\"'2024-13-01' is not a date (YYYY-MM-DD)\""},
	{OBJ("\"t\":{\"type\":\"string\",\"format\":\"date-time\"}"), "{\"t\":\"2024-02-29T10:00:00Z\"}", true, NULL},
	{OBJ("\"t\":{\"type\":\"string\",\"format\":\"date-time\"}"), "{\"t\":\"2024-02-29\"}", false, "not a date-time"},
	{OBJ("\"e\":{\"type\":\"string\",\"format\":\"email\"}"), "{\"e\":\"nobody\"}", false, "not an e-mail"},
	/* nested objects */
	{OBJ("\"o\":{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"integer\"}},\"required\":[\"p\"]}"), "{\"o\":{\"p\":1}}", true, NULL},
	{OBJ("\"o\":{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"integer\"}},\"required\":[\"p\"]}"), "{\"o\":{}}", false, "\"path\":\"/o/p\""},
	/* oneOf, anyOf, allOf */
	{OBJ("\"a\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\",\"format\":\"date\"}]}"), "{\"a\":\"2024-01-01\"}", true, NULL},
	{OBJ("\"a\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\",\"format\":\"date\"}]}"), "{\"a\":\"soon\"}", false, "matches none"},
	{OBJ("\"a\":{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\"}]}"), "{\"a\":1.5}", true, NULL},
	{OBJ("\"a\":{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\"}]}"), "{\"a\":1}", false, "more than one"},
	{OBJ("\"a\":{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":5}]}"), "{\"a\":4}", false, "at least 5"},
	/* arguments that are not an object or not JSON */
	{OBJ(""), "[1]", false, "expected object"},
	{OBJ(""), "{\"a\":", false, "\"code\":\"BAD_JSON\""},
};

static void test_validator_keywords(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		crmw_registry *r = NULL;
		assert_int_equal(crmw_registry_new(&r), CRMW_OK);
		if (crmw_registry_add(r, "t", "test", cases[i].schema, echo, NULL, NULL))
			fail_msg("case %zu: schema rejected: %s", i, crmw_registry_errmsg(r));
		crmw_buf out = CRMW_BUF_INIT;
		int rc = crmw_registry_call(&out, r, "t", cases[i].args, strlen(cases[i].args));
		bool ok = rc == CRMW_OK;
		if (ok != cases[i].ok || (cases[i].needle && !strstr(out.data, cases[i].needle)))
			fail_msg("case %zu (%s with %s): rc %d, result %s", i, cases[i].schema, cases[i].args, rc, out.data);
		/* Failures are JSON a model can read, with a code. */
		if (!ok) {
			json_t *e = json_loads(out.data, 0, NULL);
			assert_non_null(e);
			assert_non_null(json_string_value(json_object_get(json_object_get(e, "error"), "code")));
			json_decref(e);
		}
		crmw_buf_dispose(&out);
		crmw_registry_free(r);
	}
}

static void test_bad_schemas(void **state)
{
	(void)state;
	const struct { const char *schema; const char *needle; } bad[] = {
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"tpye\":\"string\"}}}", "/properties/a: unknown keyword \"tpye\" (did you mean \"type\"?)"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"str\"}}}", "unknown type \"str\""},
		{"{\"type\":\"object\",\"properties\":{},\"required\":[\"a\"]}", "\"required\" names \"a\""},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"(\"}}}", "not a POSIX extended regular expression"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"format\":\"uuid\"}}}", "\"format\" must be"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"minLength\":-1}}}", "whole number"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[]}}}", "non-empty"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"anyOf\":{}}}}", "non-empty list"},
		{"{\"type\":\"array\"}", "must be an object schema"},
		{"{\"type\":\"object\",\"properties\":{\"a\":5}}", "a schema must be an object"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		crmw_registry *r = NULL;
		assert_int_equal(crmw_registry_new(&r), CRMW_OK);
		int rc = crmw_registry_add(r, "t", "test", bad[i].schema, echo, NULL, NULL);
		if (rc != CRMW_ESCHEMA || !strstr(crmw_registry_errmsg(r), bad[i].needle))
			fail_msg("case %zu: rc %d '%s'", i, rc, crmw_registry_errmsg(r));
		assert_int_equal(crmw_registry_count(r), 0);
		crmw_registry_free(r);
	}
}

static int freed;
static void count_free(void *ud)
{
	(void)ud;
	freed++;
}

static int failing(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)args;
	(void)len;
	(void)ud;
	static const char msg[] = "the CRM said no";
	result->data = malloc(sizeof msg);
	memcpy(result->data, msg, sizeof msg);
	result->len = sizeof msg - 1;
	result->cap = sizeof msg;
	return 1;
}

static void test_registry_misuse_and_lifecycle(void **state)
{
	(void)state;
	crmw_registry *r = NULL;
	assert_int_equal(crmw_registry_new(&r), CRMW_OK);
	freed = 0;
	assert_int_equal(crmw_registry_add(r, "get_cases", "d", NULL, echo, &freed, count_free), CRMW_OK);
	assert_int_equal(crmw_registry_add(r, "get_cases", "d", NULL, echo, &freed, count_free), CRMW_EEXISTS);
	assert_int_equal(freed, 1); /* userdata of a failed add is released */
	assert_int_equal(crmw_registry_add(r, "bad name!", "d", NULL, echo, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_registry_add(r, "", "d", NULL, echo, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_registry_add(r, "no_cb", "d", NULL, NULL, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_registry_add(r, "not_json", "d", "{", echo, NULL, NULL), CRMW_EFORMAT);
	assert_int_equal(crmw_registry_add(r, "fails", "d", NULL, failing, NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_count(r), 2);
	assert_string_equal(crmw_registry_name(r, 1), "fails");
	assert_null(crmw_registry_name(r, 2));

	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_registry_call(&out, r, "get_case", "{}", 2), CRMW_ENOTFOUND);
	assert_non_null(strstr(out.data, "\"code\":\"UNKNOWN_TOOL\""));
	assert_non_null(strstr(out.data, "did you mean 'get_cases'?"));
	assert_non_null(strstr(out.data, "\"suggestion\":\"get_cases\""));
	assert_int_equal(crmw_registry_call(&out, r, "fails", "{}", 2), CRMW_EUSER);
	assert_non_null(strstr(out.data, "\"code\":\"TOOL_FAILED\""));
	assert_non_null(strstr(out.data, "the CRM said no"));
	/* Empty arguments mean {}. */
	assert_int_equal(crmw_registry_call(&out, r, "get_cases", "", 0), CRMW_OK);
	assert_string_equal(out.data, "{\"echo\":{}}");
	assert_int_equal(crmw_registry_validate(&out, r, "get_cases", "[]", 2), CRMW_EINVALID);

	assert_int_equal(crmw_registry_describe(&out, r, "get_cases"), CRMW_OK);
	assert_non_null(strstr(out.data, "\"name\":\"get_cases\""));
	assert_int_equal(crmw_registry_remove(r, "get_cases"), CRMW_OK);
	assert_int_equal(freed, 2);
	assert_int_equal(crmw_registry_remove(r, "get_cases"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_registry_add(r, "again", "d", NULL, echo, &freed, count_free), CRMW_OK);
	crmw_buf_dispose(&out);
	crmw_registry_free(r);
	assert_int_equal(freed, 3);
	crmw_registry_free(NULL);
}

static void test_exports(void **state)
{
	(void)state;
	crmw_registry *r = NULL;
	assert_int_equal(crmw_registry_new(&r), CRMW_OK);
	const char *s1 = "{\"type\":\"object\",\"properties\":{\"case_id\":{\"type\":\"string\",\"description\":\"The case\"},"
			 "\"limit\":{\"type\":\"integer\",\"x-coerce\":true},\"mode\":{\"enum\":[\"a\",\"b\"]}},\"required\":[\"case_id\"]}";
	assert_int_equal(crmw_registry_add(r, "get_case", "Read one case.", s1, echo, NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_add(r, "respond", "Give the final answer.",
					   "{\"type\":\"object\",\"properties\":{\"content\":{\"type\":\"string\"}},\"required\":[\"content\"]}",
					   echo, NULL, NULL), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_registry_export(&out, r, CRMW_TOOLS_OPENAI), CRMW_OK);
	json_t *v = json_loads(out.data, 0, NULL);
	assert_true(json_is_array(v) && json_array_size(v) == 2);
	json_t *f = json_object_get(json_array_get(v, 0), "function");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "type")), "function");
	assert_string_equal(json_string_value(json_object_get(f, "name")), "get_case");
	assert_null(strstr(out.data, "x-coerce")); /* library extensions stay inside */
	json_decref(v);
	assert_int_equal(crmw_registry_export(&out, r, CRMW_TOOLS_ANTHROPIC), CRMW_OK);
	v = json_loads(out.data, 0, NULL);
	assert_non_null(json_object_get(json_array_get(v, 1), "input_schema"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 1), "name")), "respond");
	json_decref(v);
	assert_int_equal(crmw_registry_export(&out, r, CRMW_TOOLS_HERMES), CRMW_OK);
	assert_non_null(strstr(out.data, "<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"get_case\""));
	assert_non_null(strstr(out.data, "</tools>"));
	assert_non_null(strstr(out.data, "<tool_call>"));
	assert_int_equal(crmw_registry_export(&out, r, CRMW_TOOLS_GBNF), CRMW_OK);
	assert_non_null(strstr(out.data, "root ::= tool-call | text"));
	assert_non_null(strstr(out.data, "tool-call ::= \"<tool_call>\" ws (call-0 | call-1) ws \"</tool_call>\""));
	assert_non_null(strstr(out.data, "\"\\\"get_case\\\"\""));
	assert_non_null(strstr(out.data, "\"\\\"a\\\"\" | \"\\\"b\\\"\"")); /* the enum */
	assert_non_null(strstr(out.data, "args-1 ::= \"{\" ws \"\\\"content\\\"\" ws \":\" ws args-1-1 ws \"}\""));
	/* Every rule used is defined. */
	const char *used[] = {"ws", "string", "integer", "value", "args-0", "args-1", "call-0", "call-1", "text"};
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++) {
		char def[40];
		snprintf(def, sizeof def, "\n%s ::= ", used[i]);
		assert_non_null(strstr(out.data, def));
	}
	assert_int_equal(crmw_registry_export(&out, r, 99), CRMW_EINVALID);
	crmw_buf_dispose(&out);
	crmw_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_keywords),
		cmocka_unit_test(test_bad_schemas),
		cmocka_unit_test(test_registry_misuse_and_lifecycle),
		cmocka_unit_test(test_exports),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("tools", tests, NULL, NULL);
}
