/*
 * Unit tests of the schema registry (public API).
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

static json_t *to_json(const crmw_schema *s)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_to_json(&b, s), CRMW_OK);
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&b);
	return v;
}

static json_t *field_of(json_t *obj, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(obj, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
			return f;
	return NULL;
}

static json_t *describe(crmw_schema *s, const char *object)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_describe(&b, s, object), CRMW_OK);
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&b);
	return v;
}

static void test_builtin_sets(void **state)
{
	(void)state;
	const struct { const char *name; int n; } sets[] = {{"crmarena", 16}, {"b2b", 27}, {"b2c", 27}};
	for (size_t i = 0; i < 3; i++) {
		crmw_schema *s = NULL;
		assert_int_equal(crmw_schema_builtin(&s, sets[i].name), CRMW_OK);
		assert_int_equal(crmw_schema_object_count(s), sets[i].n);
		assert_string_equal(crmw_schema_name(s), sets[i].name);
		assert_string_equal(crmw_schema_object_name(s, 0), "User");
		assert_null(crmw_schema_object_name(s, sets[i].n));
		assert_null(crmw_schema_object_name(s, -1));
		crmw_schema_free(s);
	}
}

static void test_builtin_unknown(void **state)
{
	(void)state;
	crmw_schema *s = (crmw_schema *)1;
	assert_int_equal(crmw_schema_builtin(&s, "b2x"), CRMW_ENOTFOUND);
	assert_null(s);
	assert_non_null(strstr(crmw_last_error(), "crmarena, b2b, b2c"));
	assert_int_equal(crmw_schema_builtin(&s, "no spaces allowed"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_schema_builtin(NULL, "b2b"), CRMW_EINVALID);
}

static void test_key_prefixes_and_relationships(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2b"), CRMW_OK);
	json_t *all = to_json(s);
	const struct { const char *obj, *prefix; } pf[] = {
		{"Account", "001"}, {"Contact", "003"}, {"User", "005"}, {"Case", "500"},
		{"Opportunity", "006"}, {"Lead", "00Q"}, {"Quote", "0Q0"}, {"Order", "801"},
		{"OrderItem", "802"}, {"Product2", "01t"}, {"Knowledge__kav", "ka0"},
	};
	size_t i;
	json_t *o;
	for (size_t k = 0; k < sizeof pf / sizeof pf[0]; k++) {
		bool found = false;
		json_array_foreach(json_object_get(all, "objects"), i, o) {
			if (strcmp(json_string_value(json_object_get(o, "name")), pf[k].obj) == 0) {
				assert_string_equal(json_string_value(json_object_get(o, "key_prefix")), pf[k].prefix);
				found = true;
			}
		}
		assert_true(found);
	}
	json_decref(all);

	json_t *c = describe(s, "case"); /* case-insensitive */
	assert_string_equal(json_string_value(json_object_get(c, "name")), "Case");
	json_t *f = field_of(c, "AccountId");
	assert_string_equal(json_string_value(json_object_get(f, "relationship_name")), "Account");
	f = field_of(c, "OwnerId");
	assert_string_equal(json_string_value(json_object_get(f, "relationship_name")), "Owner");
	f = field_of(c, "IssueId__c");
	assert_string_equal(json_string_value(json_object_get(f, "relationship_name")), "IssueId__r");
	/* Child relationships of Case: EmailMessages, LiveChatTranscripts, Histories__r. */
	json_t *kids = json_object_get(c, "child_relationships");
	bool emails = false, hist = false;
	json_array_foreach(kids, i, o) {
		const char *n = json_string_value(json_object_get(o, "name"));
		if (strcmp(n, "EmailMessages") == 0) {
			emails = true;
			assert_string_equal(json_string_value(json_object_get(o, "field")), "ParentId");
		}
		hist = hist || strcmp(n, "Histories__r") == 0;
	}
	assert_true(emails && hist);
	json_decref(c);

	json_t *acc = describe(s, "Account");
	bool cases = false;
	json_array_foreach(json_object_get(acc, "child_relationships"), i, o)
		cases = cases || strcmp(json_string_value(json_object_get(o, "name")), "Cases") == 0;
	assert_true(cases);
	json_decref(acc);

	/* Polymorphic reference. */
	json_t *em = describe(s, "EmailMessage");
	f = field_of(em, "RelatedToId");
	assert_int_equal(json_array_size(json_object_get(f, "references")), 2);
	json_decref(em);
	crmw_schema_free(s);
}

static void test_json_roundtrip(void **state)
{
	(void)state;
	const char *sets[] = {"crmarena", "b2b", "b2c"};
	for (size_t i = 0; i < 3; i++) {
		crmw_schema *s = NULL, *t = NULL;
		assert_int_equal(crmw_schema_builtin(&s, sets[i]), CRMW_OK);
		crmw_buf a = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
		assert_int_equal(crmw_schema_to_json(&a, s), CRMW_OK);
		assert_int_equal(crmw_schema_from_json(&t, a.data, a.len), CRMW_OK);
		assert_int_equal(crmw_schema_to_json(&b, t), CRMW_OK);
		assert_string_equal(a.data, b.data);
		crmw_schema *c = NULL;
		assert_int_equal(crmw_schema_clone(&c, t), CRMW_OK);
		crmw_buf_dispose(&b);
		assert_int_equal(crmw_schema_to_json(&b, c), CRMW_OK);
		assert_string_equal(a.data, b.data);
		crmw_buf_dispose(&a);
		crmw_buf_dispose(&b);
		crmw_schema_free(s);
		crmw_schema_free(t);
		crmw_schema_free(c);
	}
}

static const char host_schema[] =
	"{\"schema_version\":1,\"name\":\"shop\",\"objects\":["
	"{\"name\":\"Store__c\",\"key_prefix\":\"a10\",\"description\":\"A shop.\",\"fields\":["
	"  {\"name\":\"Name\",\"type\":\"string\",\"required\":true},"
	"  {\"name\":\"Region__c\",\"type\":\"picklist\",\"picklist\":[\"North\",\"South\"],\"restricted\":true}]},"
	"{\"name\":\"Visit__c\",\"key_prefix\":\"a11\",\"fields\":["
	"  {\"name\":\"Store__c\",\"type\":\"reference\",\"references\":[\"Store__c\"]},"
	"  {\"name\":\"When__c\",\"type\":\"datetime\",\"indexed\":true}]}]}";

static void test_host_schema(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_from_json(&s, host_schema, strlen(host_schema)), CRMW_OK);
	assert_string_equal(crmw_schema_name(s), "shop");
	assert_int_equal(crmw_schema_object_count(s), 2);
	json_t *v = describe(s, "Visit__c");
	json_t *f = field_of(v, "Store__c");
	assert_string_equal(json_string_value(json_object_get(f, "relationship_name")), "Store__r");
	assert_string_equal(json_string_value(json_object_get(f, "child_relationship_name")), "Visits__r");
	assert_string_equal(json_string_value(json_object_get(v, "label")), "Visit");
	json_decref(v);

	/* Add an object and a field at run time. */
	const char *obj = "{\"name\":\"Note__c\",\"key_prefix\":\"a12\",\"fields\":["
			  "{\"name\":\"VisitId__c\",\"type\":\"reference\",\"references\":[\"visit__c\"]}]}";
	assert_int_equal(crmw_schema_add_object(s, obj, strlen(obj)), CRMW_OK);
	assert_int_equal(crmw_schema_object_count(s), 3);
	const char *fld = "{\"name\":\"Rating__c\",\"type\":\"int\",\"description\":\"1 to 5\"}";
	assert_int_equal(crmw_schema_add_field(s, "note__c", fld, strlen(fld)), CRMW_OK);
	assert_int_equal(crmw_schema_field_index(s, "Note__c", "rating__c"), 2);
	assert_int_equal(crmw_schema_field_index(s, "Note__c", "Id"), 0);
	assert_string_equal(crmw_schema_object_lookup(s, "NOTE__C"), "Note__c");
	assert_null(crmw_schema_object_lookup(s, "Nope"));
	crmw_schema_free(s);
}

typedef struct bad_case {
	const char *json;
	int code;
	const char *needle;
} bad_case;

static void test_bad_objects(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	const bad_case cases[] = {
		{"{\"name\":\"Case\",\"key_prefix\":\"zzz\"}", CRMW_EEXISTS, "already has an object 'Case'"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"500\"}", CRMW_EEXISTS, "already used by 'Case'"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"50\"}", CRMW_ESCHEMA, "key prefix '50'"},
		{"{\"name\":\"crmw_x\",\"key_prefix\":\"a20\"}", CRMW_ESCHEMA, "reserved"},
		{"{\"name\":\"9bad\",\"key_prefix\":\"a20\"}", CRMW_ESCHEMA, "must start with a letter"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"feilds\":[]}", CRMW_ESCHEMA, "did you mean \"fields\""},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"A\",\"type\":\"strng\"}]}",
		 CRMW_ESCHEMA, "did you mean \"string\""},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"A\",\"type\":\"reference\",\"references\":[\"Nope\"]}]}",
		 CRMW_ESCHEMA, "unknown object 'Nope'"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"A\",\"type\":\"reference\"}]}",
		 CRMW_ESCHEMA, "at least one object"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"A\",\"type\":\"string\",\"picklist\":[\"x\"]}]}",
		 CRMW_ESCHEMA, "only picklist fields"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"A\",\"type\":\"picklist\",\"picklist\":[\"x\",\"x\"]}]}",
		 CRMW_ESCHEMA, "duplicate picklist value 'x'"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"A\",\"type\":\"string\"},{\"name\":\"a\",\"type\":\"int\"}]}",
		 CRMW_EEXISTS, "already has a field 'a'"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"Account\",\"type\":\"string\"},"
		 "{\"name\":\"AccountId\",\"type\":\"reference\",\"references\":[\"Account\"]}]}",
		 CRMW_ESCHEMA, "also a field name"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"Id\",\"type\":\"string\"}]}",
		 CRMW_ESCHEMA, "Id is implicit"},
		{"{\"name\":\"X__c\",\"key_prefix\":\"a20\",\"fields\":[{\"name\":\"R\",\"type\":\"reference\",\"references\":[\"Case\"],"
		 "\"child_relationship_name\":\"EmailMessages\"}]}",
		 CRMW_ESCHEMA, "already used on 'Case'"},
		{"{\"name\":\"X__c\" \"key_prefix\":\"a20\"}", CRMW_EFORMAT, "bad JSON"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int before = crmw_schema_object_count(s);
		int rc = crmw_schema_add_object(s, cases[i].json, strlen(cases[i].json));
		if (rc != cases[i].code || !strstr(crmw_schema_errmsg(s), cases[i].needle))
			fail_msg("case %zu: rc %d, message '%s' (want %d, '%s')", i, rc,
				 crmw_schema_errmsg(s), cases[i].code, cases[i].needle);
		/* Nothing half-added. */
		assert_int_equal(crmw_schema_object_count(s), before);
		assert_null(crmw_schema_object_lookup(s, "X__c"));
	}
	crmw_schema_free(s);
}

static void test_from_json_errors(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	const char *bad[] = {
		"[]",
		"{\"objects\":{}}",
		"{\"schema_version\":2,\"objects\":[]}",
		"{\"objects\":[],\"extra\":1}",
		"{\"objects\":[{\"name\":\"A\",\"key_prefix\":\"a01\",\"fields\":[{\"name\":\"B\",\"type\":\"reference\",\"references\":[\"Missing\"]}]}]}",
		"not json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = crmw_schema_from_json(&s, bad[i], strlen(bad[i]));
		assert_true(rc == CRMW_ESCHEMA || rc == CRMW_EFORMAT);
		assert_null(s);
		assert_true(strlen(crmw_last_error()) > 0);
	}
	/* Forward references within one document are fine. */
	const char *fwd = "{\"objects\":[{\"name\":\"A\",\"key_prefix\":\"a01\",\"fields\":[{\"name\":\"BId\",\"type\":\"reference\",\"references\":[\"b\"]}]},"
			  "{\"name\":\"B\",\"key_prefix\":\"a02\"}]}";
	assert_int_equal(crmw_schema_from_json(&s, fwd, strlen(fwd)), CRMW_OK);
	json_t *a = describe(s, "A");
	/* The reference is kept with the object's canonical spelling. */
	assert_string_equal(json_string_value(json_array_get(json_object_get(field_of(a, "BId"), "references"), 0)), "B");
	json_decref(a);
	crmw_schema_free(s);
}

static void test_lookup_suggestions(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	assert_int_equal(crmw_schema_field_index(s, "Case", "Subjct"), CRMW_ENOTFOUND);
	assert_non_null(strstr(crmw_schema_errmsg(s), "did you mean 'Subject'"));
	assert_int_equal(crmw_schema_field_index(s, "Csae", "Subject"), CRMW_ENOTFOUND);
	assert_non_null(strstr(crmw_schema_errmsg(s), "did you mean 'Case'"));
	assert_int_equal(crmw_schema_field_index(s, "Case", "Zzzzzzzzzz"), CRMW_ENOTFOUND);
	assert_null(strstr(crmw_schema_errmsg(s), "did you mean"));
	assert_int_equal(crmw_schema_field_index(s, NULL, "x"), CRMW_EINVALID);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_describe(&b, s, "Acount"), CRMW_ENOTFOUND);
	assert_non_null(strstr(crmw_schema_errmsg(s), "'Account'"));
	crmw_buf_dispose(&b);
	crmw_schema_free(s);
}

static void test_render(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2b"), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_render(&b, s, NULL), CRMW_OK);
	assert_true(strncmp(b.data, "Objects: User, Account,", 23) == 0);
	assert_non_null(strstr(b.data, "\nOpportunity (key prefix 006): "));
	assert_non_null(strstr(b.data, "  - StageName (picklist; one of 'Qualification', 'Discovery', 'Quote', 'Negotiation', 'Closed'): "));
	assert_non_null(strstr(b.data, "  - RelatedToId (reference to Case or Opportunity; relationship RelatedTo): "));
	/* Every object of the set appears once as a header. */
	for (int32_t i = 0; i < crmw_schema_object_count(s); i++) {
		char hdr[128];
		snprintf(hdr, sizeof hdr, "\n%s (key prefix ", crmw_schema_object_name(s, i));
		const char *p = strstr(b.data, hdr);
		assert_non_null(p);
		assert_null(strstr(p + 1, hdr));
	}
	assert_int_equal(crmw_schema_render(&b, s, " Case , lead"), CRMW_OK);
	assert_true(strncmp(b.data, "Objects: Case, Lead\n", 20) == 0);
	assert_null(strstr(b.data, "\nAccount (key prefix"));
	/* An unknown object fails and leaves the buffer as it was. */
	char *before = strdup(b.data);
	assert_int_equal(crmw_schema_render(&b, s, "Case,Nope"), CRMW_ENOTFOUND);
	assert_string_equal(b.data, before);
	free(before);
	crmw_buf_dispose(&b);
	crmw_schema_free(s);
}

static void test_field_type_names(void **state)
{
	(void)state;
	assert_string_equal(crmw_field_type_name(CRMW_FIELD_ID), "id");
	assert_string_equal(crmw_field_type_name(CRMW_FIELD_DATETIME), "datetime");
	assert_string_equal(crmw_field_type_name(CRMW_FIELD_REFERENCE), "reference");
	assert_string_equal(crmw_field_type_name(CRMW_FIELD_LOCATION), "location");
	assert_null(crmw_field_type_name(17));
	assert_null(crmw_field_type_name(-1));
}

static void test_new_and_free(void **state)
{
	(void)state;
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_new(&s, NULL), CRMW_OK);
	assert_string_equal(crmw_schema_name(s), "custom");
	assert_int_equal(crmw_schema_object_count(s), 0);
	crmw_schema_free(s);
	assert_int_equal(crmw_schema_new(&s, "bad name"), CRMW_EINVALID);
	crmw_schema_free(NULL);
	assert_string_equal(crmw_schema_errmsg(NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_sets),
		cmocka_unit_test(test_builtin_unknown),
		cmocka_unit_test(test_key_prefixes_and_relationships),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_host_schema),
		cmocka_unit_test(test_bad_objects),
		cmocka_unit_test(test_from_json_errors),
		cmocka_unit_test(test_lookup_suggestions),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_field_type_names),
		cmocka_unit_test(test_new_and_free),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
