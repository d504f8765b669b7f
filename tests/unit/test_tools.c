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
	int rc = crmw_buf_set(result, d, strlen(d));
	free(d);
	return rc;
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
	crmw_buf_set(result, msg, sizeof msg - 1);
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

/* ------------------------------------------------------ built-in sets */

static const char *const crmarena_tools[] = {
	"get_agents_with_max_cases", "get_agents_with_min_cases", "calculate_average_handle_time", "get_start_date",
	"get_period", "get_agent_handled_cases_by_period", "get_qualified_agent_ids_by_case_count", "get_cases",
	"get_non_transferred_case_ids", "get_agent_transferred_cases_by_period", "get_shipping_state",
	"calculate_region_average_closure_times", "get_order_item_ids_by_product", "get_issue_counts",
	"find_id_with_max_value", "find_id_with_min_value", "get_account_id_by_contact_id", "get_purchase_history",
	"get_month_to_case_count", "search_knowledge_articles", "search_products", "get_issues",
	"get_email_messages_by_case_id", "get_livechat_transcript_by_case_id", "respond", "issue_soql_query",
	"issue_sosl_query",
};

static crmw_db *small_org(void)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_create(&db, ":memory:", s, "{\"now\":\"2024-06-15T12:00:00Z\"}"), CRMW_OK);
	crmw_schema_free(s);
	for (int i = 0; i < 5; i++) {
		char rec[300];
		snprintf(rec, sizeof rec, "{\"Subject\":\"Case %d\",\"Status\":\"New\",\"CreatedDate\":\"2024-06-%02dT09:00:00Z\"}",
			 i, 10 + i);
		assert_int_equal(crmw_record_insert(NULL, db, "Case", rec, strlen(rec)), CRMW_OK);
	}
	return db;
}

static char *call(crmw_registry *reg, const char *name, const char *args, int want)
{
	crmw_buf out = CRMW_BUF_INIT;
	int rc = crmw_registry_call(&out, reg, name, args, strlen(args));
	if (rc != want)
		fail_msg("%s %s: got %s, want %s: %s", name, args, crmw_status_name(rc), crmw_status_name(want),
			 out.data ? out.data : crmw_registry_errmsg(reg));
	char *s = strdup(out.data ? out.data : "");
	crmw_buf_dispose(&out);
	return s;
}

static void test_builtin_sets(void **state)
{
	(void)state;
	crmw_db *db = small_org();
	crmw_registry *reg = NULL;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	/* The crmarena set is exactly CRMArena's 27 tools. */
	assert_int_equal(crmw_registry_add_builtin(reg, "crmarena", db, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_count(reg), 27);
	for (size_t i = 0; i < sizeof crmarena_tools / sizeof crmarena_tools[0]; i++) {
		bool found = false;
		for (int32_t k = 0; k < crmw_registry_count(reg); k++)
			found = found || strcmp(crmw_registry_name(reg, k), crmarena_tools[i]) == 0;
		if (!found)
			fail_msg("crmarena set lacks %s", crmarena_tools[i]);
	}
	/* Shared tools are added once; adding a set twice adds nothing. */
	assert_int_equal(crmw_registry_add_builtin(reg, " query , crmarena", db, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_count(reg), 29);
	assert_int_equal(crmw_registry_add_builtin(reg, "pro", db, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_count(reg), 29 + 18);
	/* Unknown sets and empty lists add nothing. */
	assert_int_equal(crmw_registry_add_builtin(reg, "query,sales", db, NULL), CRMW_ENOTFOUND);
	assert_non_null(strstr(crmw_last_error(), "no built-in tool set 'sales'"));
	assert_int_equal(crmw_registry_add_builtin(reg, "", db, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_registry_add_builtin(NULL, "query", db, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_registry_count(reg), 47);
	crmw_registry_free(reg);

	/* A host tool with a built-in's name blocks the whole set. */
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "respond", "mine", NULL, echo, NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query", db, NULL), CRMW_EEXISTS);
	assert_non_null(strstr(crmw_last_error(), "'respond'"));
	assert_int_equal(crmw_registry_count(reg), 1);
	crmw_registry_free(reg);
	crmw_db_free(db);
}

static void test_builtin_calls(void **state)
{
	(void)state;
	crmw_db *db = small_org();
	crmw_registry *reg = NULL;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(o, "2024-06-14"), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query,crmarena", db, o), CRMW_OK);
	/* The options were copied: changing them later changes nothing... */
	assert_int_equal(crmw_query_opts_set_today(o, "2024-06-12"), CRMW_OK);
	char *r = call(reg, "issue_soql_query", "{\"query\":\"SELECT COUNT() FROM Case WHERE CreatedDate = TODAY\"}", CRMW_OK);
	assert_non_null(strstr(r, "\"totalSize\":1"));
	free(r);
	/* ...until they are set again (a new episode). */
	assert_int_equal(crmw_registry_set_query_opts(reg, o), CRMW_OK);
	r = call(reg, "issue_soql_query", "{\"query\":\"SELECT Subject FROM Case WHERE CreatedDate = TODAY\"}", CRMW_OK);
	assert_string_equal(r, "[{\"Subject\":\"Case 2\"}]");
	free(r);
	/* Query errors keep their code. */
	r = call(reg, "issue_soql_query", "{\"query\":\"SELECT Nope FROM Case\"}", CRMW_EUSER);
	assert_non_null(strstr(r, "\"code\":\"INVALID_FIELD\""));
	assert_non_null(strstr(r, "No such column 'Nope'"));
	free(r);
	/* Row cap: the first records and a notice with the total. */
	assert_int_equal(crmw_query_opts_set_max_rows(o, 2), CRMW_OK);
	assert_int_equal(crmw_registry_set_query_opts(reg, o), CRMW_OK);
	r = call(reg, "issue_soql_query", "{\"query\":\"SELECT Subject FROM Case ORDER BY Subject\"}", CRMW_OK);
	assert_non_null(strstr(r, "[{\"Subject\":\"Case 0\"},{\"Subject\":\"Case 1\"}]\n[truncated: showing the first 2 of 5 records"));
	free(r);
	r = call(reg, "get_cases", "{\"statuses\":[\"New\"]}", CRMW_OK);
	assert_non_null(strstr(r, "showing the first 2 of 5 records"));
	free(r);
	/* Byte cap: whole records only. */
	assert_int_equal(crmw_query_opts_set_max_rows(o, 0), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_bytes(o, 70), CRMW_OK);
	assert_int_equal(crmw_registry_set_query_opts(reg, o), CRMW_OK);
	r = call(reg, "issue_soql_query", "{\"query\":\"SELECT Subject FROM Case ORDER BY Subject\"}", CRMW_OK);
	assert_non_null(strstr(r, "[{\"Subject\":\"Case 0\"},{\"Subject\":\"Case 1\"},{\"Subject\":\"Case 2\"}]\n[truncated: showing the first 3 of 5"));
	free(r);
	/* Pure tools and validation. */
	r = call(reg, "get_period", "{\"period_name\":\"Q4\",\"year\":\"2023\"}", CRMW_OK);
	assert_string_equal(r, "{\"start_date\":\"2023-10-01T00:00:00Z\",\"end_date\":\"2024-01-01T00:00:00Z\"}");
	free(r);
	r = call(reg, "get_period", "{\"period_name\":\"Q5\",\"year\":2023}", CRMW_EINVALID);
	assert_non_null(strstr(r, "\"path\":\"/period_name\""));
	free(r);
	r = call(reg, "find_id_with_max_value", "{\"values_by_id\":{\"a\":1,\"b\":3,\"c\":3}}", CRMW_OK);
	assert_string_equal(r, "[\"b\",\"c\"]");
	free(r);
	r = call(reg, "find_id_with_min_value", "{\"values_by_id\":{}}", CRMW_OK);
	assert_string_equal(r, "null");
	free(r);
	r = call(reg, "find_id_with_min_value", "{\"values_by_id\":{\"a\":\"x\"}}", CRMW_EINVALID);
	assert_non_null(strstr(r, "/values_by_id/a"));
	free(r);
	/* Values reach SOQL and SOSL quoted: quotes, backslashes, braces and
	 * control characters are data, never syntax. */
	assert_int_equal(crmw_query_opts_set_max_bytes(o, 0), CRMW_OK);
	assert_int_equal(crmw_registry_set_query_opts(reg, o), CRMW_OK);
	r = call(reg, "get_cases", "{\"statuses\":[\"It's \\\\ odd\\n\\t\\r\", \"New\"]}", CRMW_OK);
	assert_non_null(strstr(r, "\"Id\""));
	assert_null(strstr(r, "truncated"));
	free(r);
	r = call(reg, "get_cases", "{\"statuses\":[\"' OR Status != '\"]}", CRMW_OK);
	assert_string_equal(r, "[]");
	free(r);
	r = call(reg, "search_products", "{\"search_term\":\"zip'per \\\\ } {x\"}", CRMW_OK);
	assert_string_equal(r, "[]");
	free(r);
	r = call(reg, "respond", "{\"content\":\"005xx\"}", CRMW_OK);
	assert_string_equal(r, "005xx");
	free(r);
	crmw_query_opts_free(o);
	crmw_registry_free(reg);

	/* Without a database: listable, pure tools work, the others say why. */
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "crmarena", NULL, NULL), CRMW_OK);
	r = call(reg, "get_start_date", "{\"end_date\":\"2024-05-31T10:00:00Z\",\"period\":\"quarter\",\"interval_count\":1}", CRMW_OK);
	assert_string_equal(r, "\"2024-02-29T10:00:00Z\"");
	free(r);
	r = call(reg, "get_issues", "{}", CRMW_EUSER);
	assert_non_null(strstr(r, "no org database"));
	free(r);
	crmw_registry_free(reg);
	crmw_db_free(db);
}

static int big(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)args;
	(void)len;
	(void)ud;
	/* 40 two-byte characters: 80 bytes. */
	result->len = 0;
	char *p = realloc(result->data, 81);
	assert_non_null(p);
	for (int i = 0; i < 40; i++)
		memcpy(p + 2 * i, "\xc3\xa9", 2);
	p[80] = '\0';
	result->data = p;
	result->len = 80;
	result->cap = 81;
	return 0;
}

static int failing_with(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)args;
	(void)len;
	const char *msg = ud;
	free(result->data);
	result->data = strdup(msg);
	result->len = strlen(msg);
	result->cap = result->len + 1;
	return 1;
}

static void test_output_cap_and_error_codes(void **state)
{
	(void)state;
	crmw_registry *reg = NULL;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "big", "", NULL, big, NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "coded", "", NULL, failing_with, "RATE_LIMITED: slow down", NULL), CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "plain", "", NULL, failing_with, "it broke: badly", NULL), CRMW_OK);
	assert_int_equal(crmw_registry_set_max_output(reg, -1), CRMW_EINVALID);
	assert_int_equal(crmw_registry_set_max_output(reg, 11), CRMW_OK);
	char *r = call(reg, "big", "{}", CRMW_OK);
	/* Cut at a character boundary (10 bytes, not 11), and said so. */
	assert_memory_equal(r, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n[truncated: the result has 80 bytes; this shows the first 10.", 62);
	free(r);
	assert_int_equal(crmw_registry_set_max_output(reg, 0), CRMW_OK);
	r = call(reg, "big", "{}", CRMW_OK);
	assert_int_equal(strlen(r), 80);
	free(r);
	r = call(reg, "coded", "{}", CRMW_EUSER);
	assert_string_equal(r, "{\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\"}}");
	free(r);
	r = call(reg, "plain", "{}", CRMW_EUSER);
	assert_string_equal(r, "{\"error\":{\"code\":\"TOOL_FAILED\",\"message\":\"it broke: badly\"}}");
	free(r);
	crmw_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_keywords),
		cmocka_unit_test(test_bad_schemas),
		cmocka_unit_test(test_registry_misuse_and_lifecycle),
		cmocka_unit_test(test_exports),
		cmocka_unit_test(test_builtin_sets),
		cmocka_unit_test(test_builtin_calls),
		cmocka_unit_test(test_output_cap_and_error_codes),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("tools", tests, NULL, NULL);
}
