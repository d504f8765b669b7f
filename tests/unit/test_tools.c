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
#include <time.h>
#include <unistd.h>

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


/* ------------------------------------------- regressions: a generated org */

static char gen_dir[64];
static crmw_db *gen_db;

/* A small generated B2B org (cases, case history, leads, deals, contracts,
 * quotes), made once for the tests below. */
static crmw_db *b2b_org(void)
{
	if (gen_db)
		return gen_db;
	snprintf(gen_dir, sizeof gen_dir, "/tmp/crmw-ttools-XXXXXX");
	assert_non_null(mkdtemp(gen_dir));
	char path[128];
	snprintf(path, sizeof path, "%s/org.db", gen_dir);
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2b\",\"seed\":5,\"scale\":0.2}", NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_db_open(&gen_db, path, CRMW_DB_READONLY), CRMW_OK);
	return gen_db;
}

static int drop_org(void **state)
{
	(void)state;
	crmw_db_free(gen_db);
	gen_db = NULL;
	if (gen_dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", gen_dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* Column `col` of the first row of a raw SQL query on the org, or fail. */
static char *sql_first(crmw_db *db, const char *sql, const char *col)
{
	crmw_buf out = CRMW_BUF_INIT;
	if (crmw_query_sql(&out, db, sql, strlen(sql), NULL))
		fail_msg("%s: %s", sql, crmw_last_error());
	json_t *rows = json_loads(out.data, 0, NULL);
	crmw_buf_dispose(&out);
	const char *v = json_string_value(json_object_get(json_array_get(rows, 0), col));
	if (!v)
		fail_msg("%s: no row with %s", sql, col);
	char *r = strdup(v);
	json_decref(rows);
	return r;
}

/* Regression: an empty list of ids was taken for "no filter", so
 * get_cases(agent_ids=[]) listed every agent's cases and a plan for "no
 * agent qualifies" came back with an agent.  Every list filter of every
 * built-in tool: an empty list matches nothing. */
static void test_regression_empty_id_lists(void **state)
{
	(void)state;
	crmw_db *db = b2b_org();
	crmw_registry *reg = NULL;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query,crmarena,pro", db, NULL), CRMW_OK);
	static const char P[] = "\"start_date\":\"2000-01-01T00:00:00Z\",\"end_date\":\"2100-01-01T00:00:00Z\"";
	static const struct {
		const char *tool, *args, *want; /* args after the period when they start with ',' */
	} empty[] = {
		{"get_cases", "{\"agent_ids\":[]}", "[]"},
		{"get_cases", "{\"agent_ids\":[],\"statuses\":[\"Closed\"]}", "[]"},
		{"get_cases", "{\"case_ids\":[]}", "[]"},
		{"get_cases", "{\"order_item_ids\":[]}", "[]"},
		{"get_cases", "{\"issue_ids\":[]}", "[]"},
		{"get_cases", "{\"statuses\":[]}", "[]"},
		{"get_agent_transferred_cases_by_period", ",\"qualified_agent_ids\":[]}", "{}"},
		{"get_issue_counts", ",\"order_item_ids\":[]}", "{}"},
		{"get_purchase_history", "{\"account_id\":\"001000000000000AAA\",\"purchase_date\":\"2024-01-01\","
					 "\"related_product_ids\":[]}", "[]"},
		{"get_shipping_state", "{\"cases\":[]}", "[]"},
		{"get_leads", "{\"owner_ids\":[]}", "[]"},
		{"get_leads", "{\"statuses\":[],\"is_converted\":false}", "[]"},
		{"get_opportunities", "{\"owner_ids\":[]}", "[]"},
		{"get_opportunities", "{\"stages\":[]}", "[]"},
		{"get_quotes", "{\"opportunity_ids\":[]}", "[]"},
		{"get_quotes", "{\"owner_ids\":[],\"statuses\":[\"Accepted\"]}", "[]"},
		{"get_quotes", "{\"statuses\":[]}", "[]"},
		{"get_contracts", "{\"statuses\":[]}", "[]"},
		{"get_territory_users", "{\"territory_ids\":[]}", "[]"},
	};
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		char args[400];
		if (empty[i].args[0] == ',')
			snprintf(args, sizeof args, "{%s%s", P, empty[i].args);
		else
			snprintf(args, sizeof args, "%s", empty[i].args);
		char *r = call(reg, empty[i].tool, args, CRMW_OK);
		if (strcmp(r, empty[i].want) != 0)
			fail_msg("%s %s: an empty list must match nothing, got %.200s", empty[i].tool, args, r);
		free(r);
	}
	/* get_tasks: the statuses filter of a record with tasks */
	char *opp = sql_first(db, "SELECT WhatId FROM Task WHERE WhatId LIKE '006%' LIMIT 1", "WhatId");
	char args[200];
	snprintf(args, sizeof args, "{\"what_id\":\"%s\",\"statuses\":[]}", opp);
	char *r = call(reg, "get_tasks", args, CRMW_OK);
	assert_string_equal(r, "[]");
	free(r);
	snprintf(args, sizeof args, "{\"what_id\":\"%s\"}", opp);
	r = call(reg, "get_tasks", args, CRMW_OK);
	assert_string_not_equal(r, "[]");
	free(r);
	free(opp);
	/* not vacuous: the same filters with a real id find something */
	char *agent = sql_first(db, "SELECT OldValue__c FROM CaseHistory__c WHERE OldValue__c IS NOT NULL LIMIT 1", "OldValue__c");
	snprintf(args, sizeof args, "{%s,\"qualified_agent_ids\":[\"%s\"]}", P, agent);
	r = call(reg, "get_agent_transferred_cases_by_period", args, CRMW_OK);
	assert_non_null(strstr(r, agent));
	free(r);
	free(agent);
	agent = sql_first(db, "SELECT OwnerId FROM \"Case\" WHERE OwnerId IS NOT NULL LIMIT 1", "OwnerId");
	snprintf(args, sizeof args, "{\"agent_ids\":[\"%s\"]}", agent);
	r = call(reg, "get_cases", args, CRMW_OK);
	assert_non_null(strstr(r, agent));
	free(r);
	free(agent);
	/* absent filters still mean "no filter"; none at all is still an error */
	r = call(reg, "get_cases", "{}", CRMW_EUSER);
	assert_non_null(strstr(r, "At least one filter"));
	free(r);
	crmw_registry_free(reg);
}

/* The same day a given number of days later, as a datetime literal. */
static void day_after(const char *dt, int days, char out[32])
{
	int y, m, d;
	assert_int_equal(sscanf(dt, "%4d-%2d-%2d", &y, &m, &d), 3);
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days, .tm_hour = 12};
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, strlen(dt) > 10 ? dt + 10 : "");
}

/* Sum of the numbers of a JSON object (a tool's {id: value}). */
static double sum_values(const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	if (!json_is_object(o))
		fail_msg("not an object: %.200s", text);
	double s = 0;
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		s += json_number_value(v);
	}
	json_decref(o);
	return s;
}

/* Regression: the sales tools and get_contracts took an inclusive last day,
 * and the case-history tools and get_issue_counts an inclusive end, while
 * get_period returns the first moment after the period: following
 * get_period with them counted the next period's first day.  Every tool
 * takes [start_date, end_date): a record at the start is in, one at the end
 * is not; a date field counts at its first moment (00:00:00Z); and every
 * such tool's description says so. */
static void test_regression_period_ends(void **state)
{
	(void)state;
	crmw_db *db = b2b_org();
	crmw_registry *reg = NULL;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query,crmarena,pro", db, NULL), CRMW_OK);
	/* moments that some record has exactly */
	char *moved = sql_first(db, "SELECT CreatedDate FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' AND "
				    "OldValue__c IS NOT NULL ORDER BY CreatedDate LIMIT 1 OFFSET 20", "CreatedDate");
	char *once = sql_first(db, "SELECT MIN(CreatedDate) m FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' "
				   "GROUP BY CaseId__c HAVING COUNT(*) = 1 ORDER BY 1 LIMIT 1 OFFSET 20", "m");
	char *issue_case = sql_first(db, "SELECT Id FROM \"Case\" WHERE IssueId__c IS NOT NULL AND OrderItemId__c IS NOT NULL "
					 "ORDER BY CreatedDate LIMIT 1 OFFSET 20", "Id");
	char q[300];
	snprintf(q, sizeof q, "SELECT CreatedDate, OrderItemId__c FROM \"Case\" WHERE Id = '%s'", issue_case);
	char *case_at = sql_first(db, q, "CreatedDate");
	char *item = sql_first(db, q, "OrderItemId__c");
	char *lead_at = sql_first(db, "SELECT CreatedDate FROM Lead ORDER BY CreatedDate LIMIT 1 OFFSET 20", "CreatedDate");
	char *opp_at = sql_first(db, "SELECT CreatedDate FROM Opportunity ORDER BY CreatedDate LIMIT 1 OFFSET 20", "CreatedDate");
	char *signed_day = sql_first(db, "SELECT c.CompanySignedDate d FROM Contract c JOIN Opportunity o ON o.ContractID__c = c.Id "
					 "JOIN OpportunityLineItem l ON l.OpportunityId = o.Id WHERE c.CompanySignedDate IS NOT NULL "
					 "ORDER BY 1 LIMIT 1 OFFSET 20", "d");
	char signed_at[21];
	snprintf(signed_at, sizeof signed_at, "%.10sT00:00:00Z", signed_day);
	static const struct {
		const char *tool;
		bool item; /* the case's order item as order_item_ids */
		const char *empty;
		int at; /* which moment: 0 transfer, 1 single assignment, 2 case, 3 lead, 4 deal, 5 signature */
	} tools[] = {
		{"get_agent_handled_cases_by_period", false, "{}", 0},
		{"get_agent_transferred_cases_by_period", false, "{}", 0},
		{"get_non_transferred_case_ids", false, "[]", 1},
		{"get_cases", false, "[]", 2},
		{"get_issue_counts", true, "{}", 2},
		{"get_leads", false, "[]", 3},
		{"get_agent_lead_conversion_rates", false, "{}", 3},
		{"get_opportunities", false, "[]", 4},
		{"get_agent_sales_amounts", false, "{}", 5},
		{"get_agent_sales_cycles", false, "{}", 5},
		{"get_contracts", false, "[]", 5},
	};
	const char *at[] = {moved, once, case_at, lead_at, opp_at, signed_at};
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		const char *m = at[tools[i].at];
		char extra[100] = "", args[400], later[32];
		if (tools[i].item)
			snprintf(extra, sizeof extra, ",\"order_item_ids\":[\"%s\"]", item);
		/* [m, m) is empty, whatever lies at m */
		snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"%s}", m, m, extra);
		char *r = call(reg, tools[i].tool, args, CRMW_OK);
		if (strcmp(r, tools[i].empty) != 0)
			fail_msg("%s: the period [%s, %s) holds nothing, got %.300s", tools[i].tool, m, m, r);
		free(r);
		/* [m, a day later) holds what lies at m */
		day_after(m, 1, later);
		snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"%s}", m, later, extra);
		r = call(reg, tools[i].tool, args, CRMW_OK);
		if (strcmp(r, tools[i].empty) == 0)
			fail_msg("%s: the period [%s, %s) holds the record at its start", tools[i].tool, m, later);
		free(r);
	}
	/* a contract signed on a day is signed at its first moment: in a
	 * period that ends at noon that day, not in one that starts at noon */
	char noon[21], args[300];
	snprintf(noon, sizeof noon, "%.10sT12:00:00Z", signed_day);
	snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"}", signed_at, noon);
	char *r = call(reg, "get_contracts", args, CRMW_OK);
	assert_string_not_equal(r, "[]");
	free(r);
	char later[32];
	day_after(signed_at, 1, later);
	snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"}", noon, later);
	r = call(reg, "get_contracts", args, CRMW_OK);
	char field[64];
	snprintf(field, sizeof field, "\"CompanySignedDate\":\"%.10s\"", signed_day);
	if (strstr(r, field))
		fail_msg("get_contracts [%s, %s) holds a contract signed at %.10s 00:00: %.300s", noon, later, signed_day, r);
	free(r);
	/* adjacent periods split a count: the record at the seam is counted once */
	char before[32], after[32];
	day_after(moved, -40, before);
	day_after(moved, 40, after);
	static const char *const counting[] = {"get_agent_handled_cases_by_period", "get_agent_transferred_cases_by_period"};
	for (size_t i = 0; i < 2; i++) {
		double parts = 0;
		const char *ends[3] = {before, moved, after};
		for (int k = 0; k < 2; k++) {
			snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"}", ends[k], ends[k + 1]);
			r = call(reg, counting[i], args, CRMW_OK);
			parts += sum_values(r);
			free(r);
		}
		snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"}", before, after);
		r = call(reg, counting[i], args, CRMW_OK);
		if (sum_values(r) != parts)
			fail_msg("%s: [a, m) and [m, b) count %g, [a, b) %g", counting[i], parts, sum_values(r));
		free(r);
	}
	/* the same in days: sales split at a signature day add up */
	day_after(signed_at, -60, before);
	day_after(signed_at, 60, after);
	{
		double parts = 0;
		const char *ends[3] = {before, signed_at, after};
		for (int k = 0; k < 2; k++) {
			snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"}", ends[k], ends[k + 1]);
			r = call(reg, "get_agent_sales_amounts", args, CRMW_OK);
			parts += sum_values(r);
			free(r);
		}
		snprintf(args, sizeof args, "{\"start_date\":\"%s\",\"end_date\":\"%s\"}", before, after);
		r = call(reg, "get_agent_sales_amounts", args, CRMW_OK);
		double whole = sum_values(r);
		if (whole - parts > 0.05 || parts - whole > 0.05)
			fail_msg("get_agent_sales_amounts: [a, m) and [m, b) sell %.2f, [a, b) %.2f", parts, whole);
		free(r);
	}
	/* every tool that takes a period says how its ends are read */
	crmw_buf spec = CRMW_BUF_INIT;
	assert_int_equal(crmw_registry_export(&spec, reg, CRMW_TOOLS_OPENAI), CRMW_OK);
	json_t *specs = json_loads(spec.data, 0, NULL);
	size_t k, n = 0;
	json_t *t;
	json_array_foreach(specs, k, t) {
		json_t *fn = json_object_get(t, "function");
		json_t *props = json_object_get(json_object_get(fn, "parameters"), "properties");
		if (!json_object_get(props, "start_date") && !json_object_get(props, "end_date"))
			continue;
		n++;
		const char *d = json_string_value(json_object_get(fn, "description"));
		if (!strstr(d, "[start_date, end_date)"))
			fail_msg("%s: the description does not state the period convention: %s",
				 json_string_value(json_object_get(fn, "name")), d);
	}
	assert_int_equal(n, 13); /* the 11 above, get_start_date and get_voice_call_transcripts */
	json_decref(specs);
	crmw_buf_dispose(&spec);
	free(moved);
	free(once);
	free(issue_case);
	free(case_at);
	free(item);
	free(lead_at);
	free(opp_at);
	free(signed_day);
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
		cmocka_unit_test(test_regression_empty_id_lists),
		cmocka_unit_test(test_regression_period_ends),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("tools", tests, NULL, drop_org);
}
