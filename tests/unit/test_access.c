/*
 * Unit tests of roles: built-in roles and their bindings, policy documents
 * and every error they can have, enforcement through SOQL (objects, fields,
 * rows, relationship paths, child subqueries, semi-joins, aggregates), SOSL
 * (objects searched, hidden fields never matched), raw SQL, reference
 * counting and the statement cache per role.
 * (The same rules on generated orgs, and through every tool:
 * tests/integration/test_access.py.)
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

#define ACC_A "001aaaaaaaaaaaaAAA"
#define ACC_B "001bbbbbbbbbbbbAAA"
#define CON_A "003aaaaaaaaaaaaAAA"
#define CON_B "003bbbbbbbbbbbbAAA"
#define USR_1 "005aaaaaaaaaaaaAAA"

/* Two customers (A: 2 cases, B: 1), one agent, two articles. */
static crmw_db *org(void)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_create(&db, ":memory:", s, "{\"now\":\"2024-06-15T12:00:00Z\"}"), CRMW_OK);
	crmw_schema_free(s);
	const char *recs[][2] = {
		{"User", "{\"Id\":\"" USR_1 "\",\"FirstName\":\"Ava\",\"LastName\":\"Stone\",\"Email\":\"ava.secret@corp.example\"}"},
		{"Account", "{\"Id\":\"" ACC_A "\",\"FirstName\":\"Max\",\"LastName\":\"Ng\",\"ShippingState\":\"CA\"}"},
		{"Account", "{\"Id\":\"" ACC_B "\",\"FirstName\":\"Zoe\",\"LastName\":\"Diaz\",\"ShippingState\":\"NY\"}"},
		{"Contact", "{\"Id\":\"" CON_A "\",\"LastName\":\"Ng\",\"AccountId\":\"" ACC_A "\"}"},
		{"Contact", "{\"Id\":\"" CON_B "\",\"LastName\":\"Diaz\",\"AccountId\":\"" ACC_B "\"}"},
		{"Case", "{\"Subject\":\"Zipper broke\",\"Status\":\"New\",\"AccountId\":\"" ACC_A "\",\"ContactId\":\"" CON_A
			 "\",\"OwnerId\":\"" USR_1 "\",\"CreatedDate\":\"2024-06-14T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"Late parcel\",\"Status\":\"Closed\",\"AccountId\":\"" ACC_A "\",\"OwnerId\":\"" USR_1
			 "\",\"CreatedDate\":\"2024-01-02T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"Zipper stuck again\",\"Status\":\"Working\",\"AccountId\":\"" ACC_B
			 "\",\"OwnerId\":\"" USR_1 "\",\"CreatedDate\":\"2023-05-02T09:00:00Z\"}"},
		{"Knowledge__kav", "{\"Title\":\"Return policy\",\"FAQ_Answer__c\":\"Thirty days.\",\"UrlName\":\"returns\"}"},
		{"Knowledge__kav", "{\"Title\":\"Zipper care\",\"FAQ_Answer__c\":\"Wax it.\",\"UrlName\":\"zipper\"}"},
	};
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		if (crmw_record_insert(NULL, db, recs[i][0], recs[i][1], strlen(recs[i][1])))
			fail_msg("%s", crmw_db_errmsg(db));
	return db;
}

static crmw_query_opts *as(crmw_db *db, const char *policy, const char *bindings)
{
	crmw_role *r = NULL;
	if (crmw_role_new(&r, db, policy, bindings))
		fail_msg("role %s: %s", policy, crmw_last_error());
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	crmw_role_free(r); /* the options keep their own reference */
	return o;
}

static json_t *run(crmw_db *db, const char *q, const crmw_query_opts *o)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, db, q, strlen(q), o))
		fail_msg("%s: %s", q, crmw_db_errmsg(db));
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&b);
	return v;
}

static int64_t count(crmw_db *db, const char *object, const crmw_query_opts *o)
{
	char q[200];
	snprintf(q, sizeof q, "SELECT COUNT() FROM %s", object);
	json_t *v = run(db, q, o);
	int64_t n = json_integer_value(json_object_get(v, "totalSize"));
	json_decref(v);
	return n;
}

/* The query fails with `code`, and the message contains `what`. */
static void denied(crmw_db *db, const char *q, const crmw_query_opts *o, int code, const char *what)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, db, q, strlen(q), o);
	crmw_buf_dispose(&b);
	if (rc != code)
		fail_msg("%s: expected %s, got %s (%s)", q, crmw_status_name(code), crmw_status_name(rc), crmw_db_errmsg(db));
	if (!strstr(crmw_db_errmsg(db), what))
		fail_msg("%s: message '%s' lacks '%s'", q, crmw_db_errmsg(db), what);
}

/* ------------------------------------------------------------ built-ins */

static void test_builtin_roles(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_role *in = NULL, *ex = NULL;
	assert_int_equal(crmw_role_new(&in, db, "internal", NULL), CRMW_OK);
	assert_string_equal(crmw_role_name(in), "internal");
	assert_int_equal(crmw_role_allows(in, "raw_sql"), 1);
	assert_int_equal(crmw_role_allows(in, "metrics"), 1);
	assert_int_equal(crmw_role_can_read(in, "CaseHistory__c", NULL), 1);
	assert_int_equal(crmw_role_can_read(in, "User", "Email"), 1);

	assert_int_equal(crmw_role_new(&ex, db, "external", NULL), CRMW_OK);
	assert_string_equal(crmw_role_name(ex), "external");
	assert_int_equal(crmw_role_allows(ex, "raw_sql"), 0);
	assert_int_equal(crmw_role_allows(ex, "metrics"), 0);
	assert_int_equal(crmw_role_allows(ex, "fly"), CRMW_EINVALID);
	assert_int_equal(crmw_role_can_read(ex, "Case", NULL), 1);
	assert_int_equal(crmw_role_can_read(ex, "Case", "Subject"), 1);
	assert_int_equal(crmw_role_can_read(ex, "CaseHistory__c", NULL), 0);
	assert_int_equal(crmw_role_can_read(ex, "User", "FirstName"), 1);
	assert_int_equal(crmw_role_can_read(ex, "User", "Email"), 0);
	assert_int_equal(crmw_role_can_read(ex, "Product2", NULL), 1);
	assert_int_equal(crmw_role_can_read(NULL, "Case", NULL), CRMW_EINVALID);
	crmw_role_free(in);
	crmw_role_free(ex);
	crmw_role_free(NULL);

	crmw_role *r = (crmw_role *)1;
	assert_int_equal(crmw_role_new(&r, db, "superuser", NULL), CRMW_ENOTFOUND);
	assert_null(r);
	assert_non_null(strstr(crmw_last_error(), "internal, external"));
	assert_int_equal(crmw_role_new(NULL, db, "internal", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_role_new(&r, NULL, "internal", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_role_new(&r, db, NULL, NULL), CRMW_EINVALID);
	crmw_db_free(db);
}

static void test_bindings(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_role *r = NULL;
	crmw_buf b = CRMW_BUF_INIT;
	/* A contact binds its account too. */
	assert_int_equal(crmw_role_new(&r, db, "external:" CON_A, NULL), CRMW_OK);
	assert_int_equal(crmw_role_describe(&b, r), CRMW_OK);
	json_t *d = json_loads(b.data, 0, NULL);
	json_t *binds = json_object_get(d, "bindings");
	assert_string_equal(json_string_value(json_object_get(binds, "contact_id")), CON_A);
	assert_string_equal(json_string_value(json_object_get(binds, "account_id")), ACC_A);
	assert_int_equal(json_integer_value(json_object_get(d, "schema_version")), 1);
	json_decref(d);
	crmw_role_free(r);
	/* The same through bindings JSON, with a 15-character id. */
	assert_int_equal(crmw_role_new(&r, db, "external", "{\"contact_id\":\"003bbbbbbbbbbbb\"}"), CRMW_OK);
	assert_int_equal(crmw_role_describe(&b, r), CRMW_OK);
	assert_non_null(strstr(b.data, ACC_B));
	crmw_role_free(r);
	/* An account alone. */
	assert_int_equal(crmw_role_new(&r, db, "external:" ACC_B, NULL), CRMW_OK);
	assert_int_equal(crmw_role_describe(&b, r), CRMW_OK);
	assert_non_null(strstr(b.data, "\"account_id\":\"" ACC_B "\""));
	assert_null(strstr(b.data, "contact_id"));
	crmw_role_free(r);
	/* Errors. */
	assert_int_equal(crmw_role_new(&r, db, "external:500aaaaaaaaaaaaAAA", NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "not the Id of a Contact or an Account"));
	assert_int_equal(crmw_role_new(&r, db, "external:003zzzzzzzzzzzzAAA", NULL), CRMW_ENOTFOUND);
	assert_non_null(strstr(crmw_last_error(), "no Contact"));
	assert_int_equal(crmw_role_new(&r, db, "external", "{\"contact_id\":\"not an id\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_role_new(&r, db, "external", "{\"region\":\"CA\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "unknown variable 'region'"));
	assert_int_equal(crmw_role_new(&r, db, "external", "[1]"), CRMW_EINVALID);
	assert_int_equal(crmw_role_new(&r, db, "external", "{oops"), CRMW_EFORMAT);
	assert_null(r);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* ----------------------------------------------------------- enforcement */

static void test_external_soql(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	/* Rows: only the customer's own. */
	assert_int_equal(count(db, "Case", NULL), 3);
	assert_int_equal(count(db, "Case", o), 2);
	assert_int_equal(count(db, "Account", o), 1);
	assert_int_equal(count(db, "Contact", o), 1);
	assert_int_equal(count(db, "Knowledge__kav", o), 2); /* this org records no publication state */
	json_t *v = run(db, "SELECT AccountId, COUNT(Id) n FROM Case GROUP BY AccountId", o);
	assert_int_equal(json_array_size(v), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "AccountId")), ACC_A);
	json_decref(v);
	/* Through relationships: the parent is visible, its owner by name only. */
	v = run(db, "SELECT Subject, Account.ShippingState, Owner.Name FROM Case ORDER BY Subject", o);
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(v, 0), "Owner"), "Name")),
			    "Ava Stone");
	json_decref(v);
	/* A child subquery lists only visible children; semi-joins see only visible rows. */
	v = run(db, "SELECT Id, (SELECT Subject FROM Cases) FROM Account", o);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	v = run(db, "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Case WHERE Subject LIKE 'Zipper%')", o);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	/* Looking up another customer's record by id finds nothing. */
	v = run(db, "SELECT Id FROM Case WHERE AccountId = '" ACC_B "'", o);
	assert_int_equal(json_array_size(v), 0);
	json_decref(v);
	v = run(db, "SELECT Id, Name FROM Account WHERE Id = '" ACC_B "'", o);
	assert_int_equal(json_array_size(v), 0);
	json_decref(v);
	/* Denials name what was denied. */
	denied(db, "SELECT Id FROM CaseHistory__c", o, CRMW_EACCESS, "INSUFFICIENT_ACCESS: role 'external' cannot read 'CaseHistory__c'");
	denied(db, "SELECT Owner.Email FROM Case", o, CRMW_EACCESS, "cannot read field 'Email' of 'User'");
	denied(db, "SELECT Email FROM User", o, CRMW_EACCESS, "field 'Email'");
	denied(db, "SELECT Id FROM User WHERE Email = 'x'", o, CRMW_EACCESS, "field 'Email'");
	denied(db, "SELECT Id FROM User ORDER BY Username", o, CRMW_EACCESS, "field 'Username'");
	denied(db, "SELECT Id, (SELECT Id FROM Histories__r) FROM Case", o, CRMW_EACCESS, "child relationship");
	denied(db, "SELECT Id FROM Case WHERE Id IN (SELECT CaseId__c FROM CaseHistory__c)", o, CRMW_EACCESS,
	       "cannot read 'CaseHistory__c'");
	denied(db, "SELECT COUNT(Id) FROM CaseHistory__c", o, CRMW_EACCESS, "CaseHistory__c");
	/* Raw SQL cannot be held to row rules: refused. */
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query_sql(&b, db, "SELECT 1", 8, o), CRMW_EACCESS);
	assert_non_null(strstr(crmw_db_errmsg(db), "may not run raw SQL"));
	/* Explain shows the row rule as a bound parameter, not text, in a
	 * subquery of its own (test_access_rows.c checks the plans). */
	assert_int_equal(crmw_query_explain(&b, db, "SELECT Id FROM Case", 19, o), CRMW_OK);
	assert_non_null(strstr(b.data, ACC_A));
	assert_non_null(strstr(b.data, "LIMIT -1 OFFSET 0)"));
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

static void test_unbound_fails_closed(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external", NULL);
	denied(db, "SELECT Id FROM Case", o, CRMW_EACCESS, "chosen by :account_id, which is not bound");
	denied(db, "SELECT Subject, Account.Name FROM Case", o, CRMW_EACCESS, "not bound");
	/* Objects without a row rule stay readable. */
	assert_int_equal(count(db, "Knowledge__kav", o), 2);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

static void test_external_sosl(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	json_t *all = run(db, "FIND {zipper} RETURNING Case(Subject)", NULL);
	json_t *mine = run(db, "FIND {zipper} RETURNING Case(Subject)", o);
	assert_int_equal(json_array_size(json_object_get(all, "Case")), 2);
	assert_int_equal(json_array_size(json_object_get(mine, "Case")), 1);
	json_decref(all);
	json_decref(mine);
	/* Searching everywhere skips what the role cannot read. */
	mine = run(db, "FIND {zipper}", o);
	assert_null(json_object_get(mine, "CaseHistory__c"));
	assert_non_null(json_object_get(mine, "Knowledge__kav"));
	json_decref(mine);
	/* A hidden field never matches: the agent's e-mail address stays secret. */
	all = run(db, "FIND {ava.secret} RETURNING User(Id)", NULL);
	assert_int_equal(json_array_size(json_object_get(all, "User")), 1);
	json_decref(all);
	mine = run(db, "FIND {ava.secret} RETURNING User(Id)", o);
	assert_int_equal(json_array_size(json_object_get(mine, "User")), 0);
	json_decref(mine);
	mine = run(db, "FIND {Ava} IN NAME FIELDS RETURNING User(FirstName)", o);
	assert_int_equal(json_array_size(json_object_get(mine, "User")), 1);
	json_decref(mine);
	denied(db, "FIND {zipper} RETURNING CaseHistory__c(Id)", o, CRMW_EACCESS, "CaseHistory__c");
	denied(db, "FIND {Ava} RETURNING User(Email)", o, CRMW_EACCESS, "field 'Email'");
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* ---------------------------------------------------------------- policies */

static void test_custom_policy(void **state)
{
	(void)state;
	crmw_db *db = org();
	const char *policy =
		"{\"schema_version\":1,\"name\":\"west_coast\",\"default\":\"read\",\"raw_sql\":false,\"metrics\":true,"
		"\"objects\":{\"Case\":{\"where\":\"Account.ShippingState = 'CA' AND OwnerId = :user_id\"},"
		"\"Account\":{\"hidden_fields\":[\"ShippingState\"]},"
		"\"User\":{\"fields\":[\"FirstName\",\"LastName\"]},"
		"\"CaseHistory__c\":{\"read\":false}}}";
	crmw_query_opts *o = as(db, policy, "{\"user_id\":\"" USR_1 "\"}");
	assert_int_equal(count(db, "Case", o), 2);  /* A's two cases are in CA */
	assert_int_equal(count(db, "Account", o), 2); /* no row rule on accounts */
	assert_int_equal(count(db, "Contact", o), 2); /* default read */
	/* The rule may read a field the role itself may not. */
	denied(db, "SELECT ShippingState FROM Account", o, CRMW_EACCESS, "cannot read field 'ShippingState' of 'Account'");
	denied(db, "SELECT Id FROM Case WHERE Account.ShippingState = 'CA'", o, CRMW_EACCESS, "ShippingState");
	denied(db, "SELECT Email FROM User", o, CRMW_EACCESS, "'Email'");
	denied(db, "SELECT Id FROM CaseHistory__c", o, CRMW_EACCESS, "west_coast");
	json_t *v = run(db, "SELECT Name FROM User", o); /* Name = FirstName + LastName, both visible */
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	crmw_role *r = NULL;
	assert_int_equal(crmw_role_new(&r, db, policy, "{\"user_id\":\"005zzzzzzzzzzzzAAA\"}"), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	assert_int_equal(count(db, "Case", o), 0);
	/* describe -> policy -> describe is stable. */
	crmw_buf d1 = CRMW_BUF_INIT, d2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_role_describe(&d1, r), CRMW_OK);
	json_t *doc = json_loads(d1.data, 0, NULL);
	json_t *binds = json_incref(json_object_get(doc, "bindings"));
	json_object_del(doc, "bindings");
	char *again = json_dumps(doc, JSON_COMPACT);
	char *bj = json_dumps(binds, JSON_COMPACT);
	crmw_role *r2 = NULL;
	assert_int_equal(crmw_role_new(&r2, db, again, bj), CRMW_OK);
	assert_int_equal(crmw_role_describe(&d2, r2), CRMW_OK);
	assert_string_equal(d1.data, d2.data);
	free(again);
	free(bj);
	json_decref(binds);
	json_decref(doc);
	crmw_buf_dispose(&d1);
	crmw_buf_dispose(&d2);
	crmw_role_free(r2);
	crmw_role_free(r);
	/* Back to no role at all. */
	assert_int_equal(crmw_query_opts_set_role(o, NULL), CRMW_OK);
	assert_int_equal(count(db, "Case", o), 3);
	assert_int_equal(crmw_query_opts_set_role(NULL, NULL), CRMW_EINVALID);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

static void test_policy_errors(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const struct {
		const char *policy;
		int code;
		const char *msg;
	} cases[] = {
		{"{\"objects\":", CRMW_EFORMAT, "not JSON"},
		{"{\"name\":\"x\",\"colour\":1}", CRMW_ESCHEMA, "unknown key \"colour\""},
		{"{\"schema_version\":2}", CRMW_ESCHEMA, "schema_version"},
		{"{\"name\":\"\"}", CRMW_ESCHEMA, "\"name\""},
		{"{\"default\":\"all\"}", CRMW_ESCHEMA, "\"default\""},
		{"{\"raw_sql\":\"yes\"}", CRMW_ESCHEMA, "raw_sql"},
		{"{\"objects\":[]}", CRMW_ESCHEMA, "\"objects\" must be an object"},
		{"{\"objects\":{\"Casse\":{}}}", CRMW_ESCHEMA, "no object 'Casse'; did you mean 'Case'?"},
		{"{\"objects\":{\"Case\":1}}", CRMW_ESCHEMA, "objects.Case must be an object"},
		{"{\"objects\":{\"Case\":{\"read\":1}}}", CRMW_ESCHEMA, "objects.Case.read"},
		{"{\"objects\":{\"Case\":{\"fields\":[\"Subjct\"]}}}", CRMW_ESCHEMA, "'Case' has no field 'Subjct'"},
		{"{\"objects\":{\"Case\":{\"fields\":\"Subject\"}}}", CRMW_ESCHEMA, "a list of field names"},
		{"{\"objects\":{\"Case\":{\"fields\":[\"Subject\"],\"hidden_fields\":[\"Status\"]}}}", CRMW_ESCHEMA, "not both"},
		{"{\"objects\":{\"Case\":{\"where\":7}}}", CRMW_ESCHEMA, "a SOQL condition"},
		{"{\"objects\":{\"Case\":{\"where\":\"Stauts = 'New'\"}}}", CRMW_ESCHEMA, "objects.Case.where: INVALID_FIELD"},
		{"{\"objects\":{\"Case\":{\"where\":\"Status = \"}}}", CRMW_ESCHEMA, "objects.Case.where: MALFORMED_QUERY"},
		{"{\"objects\":{\"Case\":{\"where\":\"AccountId = :region\"}}}", CRMW_ESCHEMA, "unknown variable ':region'"},
		{"{\"objects\":{\"Case\":{\"colour\":\"red\"}}}", CRMW_ESCHEMA, "objects.Case.colour: unknown key"},
		{"[]", CRMW_ENOTFOUND, "no built-in role"},
		{"{\"objects\":{\"Case\":{},\"case\":{}}}", CRMW_ESCHEMA, "given twice"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		crmw_role *r = NULL;
		int rc = crmw_role_new(&r, db, cases[i].policy, NULL);
		if (rc != cases[i].code || !strstr(crmw_last_error(), cases[i].msg))
			fail_msg("%s: got %s '%s', want %s '%s'", cases[i].policy, crmw_status_name(rc), crmw_last_error(),
				 crmw_status_name(cases[i].code), cases[i].msg);
		assert_null(r);
	}
	crmw_db_free(db);
}

/* ------------------------------------------------------------ lifetimes */

static void test_cache_per_role(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *a = as(db, "external:" CON_A, NULL), *b = as(db, "external:" CON_B, NULL),
			*in = as(db, "internal", NULL);
	/* The same text, alternately under three roles and none: each keeps its answer. */
	for (int round = 0; round < 3; round++) {
		assert_int_equal(count(db, "Case", a), 2);
		assert_int_equal(count(db, "Case", b), 1);
		assert_int_equal(count(db, "Case", in), 3);
		assert_int_equal(count(db, "Case", NULL), 3);
	}
	/* Options copy nothing but a reference: a role outlives its maker's handle. */
	crmw_query_opts_free(a);
	crmw_query_opts_free(b);
	crmw_query_opts_free(in);
	crmw_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_roles),
		cmocka_unit_test(test_bindings),
		cmocka_unit_test(test_external_soql),
		cmocka_unit_test(test_unbound_fails_closed),
		cmocka_unit_test(test_external_sosl),
		cmocka_unit_test(test_custom_policy),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_cache_per_role),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
