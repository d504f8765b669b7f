/*
 * Unit tests of roles: built-in roles and their bindings, policy documents
 * and every error they can have, enforcement through SOQL (objects, fields,
 * rows, relationship paths, child subqueries, semi-joins, aggregates), SOSL
 * (objects searched, hidden fields never matched), raw SQL, reference
 * counting and the statement cache per role; intersections of roles
 * (objects, fields, rows, capabilities, bindings kept per part, describe).
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
	assert_non_null(strstr(crmw_last_error(), "bindings: unknown variable \"region\""));
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
		{"{\"objects\":{\"Case\":{\"colour\":\"red\"}}}", CRMW_ESCHEMA, "objects.Case: unknown key \"colour\""},
		{"{\"objects\":{\"Case\":{\"feilds\":[]}}}", CRMW_ESCHEMA, "objects.Case: unknown key \"feilds\" (did you mean \"fields\"?)"},
		{"{\"nmae\":\"x\"}", CRMW_ESCHEMA, "role policy: unknown key \"nmae\" (did you mean \"name\"?)"},
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

/* --------------------------------------------------------- intersections */

static crmw_role *mk(crmw_db *db, const char *policy, const char *bindings)
{
	crmw_role *r = NULL;
	if (crmw_role_new(&r, db, policy, bindings))
		fail_msg("role %s: %s", policy, crmw_last_error());
	return r;
}

static crmw_role *meet(const crmw_role *a, const crmw_role *b)
{
	crmw_role *r = NULL;
	if (crmw_role_intersect(&r, a, b))
		fail_msg("intersect: %s", crmw_last_error());
	assert_non_null(r);
	return r;
}

static crmw_query_opts *opts_of(const crmw_role *r)
{
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	return o;
}

static int64_t count_as(crmw_db *db, const char *object, const crmw_role *r)
{
	crmw_query_opts *o = opts_of(r);
	int64_t n = count(db, object, o);
	crmw_query_opts_free(o);
	return n;
}

static void denied_as(crmw_db *db, const char *q, const crmw_role *r, int code, const char *what)
{
	crmw_query_opts *o = opts_of(r);
	denied(db, q, o, code, what);
	crmw_query_opts_free(o);
}

static void test_intersect_identity(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_role *in = mk(db, "internal", NULL), *ex = mk(db, "external:" CON_A, NULL), *r = (crmw_role *)1;
	/* internal is the identity; a role with itself is itself */
	r = meet(in, ex);
	assert_ptr_equal(r, ex);
	crmw_role_free(r);
	r = meet(ex, in);
	assert_ptr_equal(r, ex);
	crmw_role_free(r);
	r = meet(ex, ex);
	assert_ptr_equal(r, ex);
	crmw_role_free(r);
	r = meet(in, in);
	assert_ptr_equal(r, in);
	crmw_role_free(r);
	/* an unrestricted policy is the identity too */
	crmw_role *all = mk(db, "{\"name\":\"everything\",\"default\":\"read\",\"raw_sql\":true,\"metrics\":true}", NULL);
	r = meet(all, ex);
	assert_ptr_equal(r, ex);
	crmw_role_free(r);
	crmw_role_free(all);
	/* the references are the caller's: ex outlives its maker's */
	r = meet(in, ex);
	crmw_role_free(ex);
	assert_int_equal(count_as(db, "Case", r), 2);
	crmw_role_free(r);
	/* NULL arguments */
	r = (crmw_role *)1;
	assert_int_equal(crmw_role_intersect(&r, NULL, in), CRMW_EINVALID);
	assert_null(r);
	assert_int_equal(crmw_role_intersect(&r, in, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_role_intersect(NULL, in, in), CRMW_EINVALID);
	assert_null(crmw_role_binding(NULL, "user_id"));
	assert_null(crmw_role_binding(in, NULL));
	assert_null(crmw_role_binding(in, "user_id"));
	crmw_role_free(in);
	crmw_db_free(db);
}

static void test_intersect_objects_capabilities(void **state)
{
	(void)state;
	crmw_db *db = org();
	/* a: reads everything but CaseHistory__c, raw SQL, no metrics; b: the customer */
	crmw_role *a = mk(db, "{\"name\":\"tier1\",\"default\":\"read\",\"raw_sql\":true,\"metrics\":false,"
			      "\"objects\":{\"CaseHistory__c\":{\"read\":false}}}", NULL);
	crmw_role *b = mk(db, "{\"name\":\"lean\",\"default\":\"read\",\"raw_sql\":true,\"metrics\":true,"
			      "\"objects\":{\"Knowledge__kav\":{\"read\":false}}}", NULL);
	crmw_role *r = meet(a, b);
	assert_string_equal(crmw_role_name(r), "tier1 & lean");
	assert_int_equal(crmw_role_can_read(r, "Case", NULL), 1);
	assert_int_equal(crmw_role_can_read(r, "CaseHistory__c", NULL), 0); /* a denies */
	assert_int_equal(crmw_role_can_read(r, "Knowledge__kav", NULL), 0); /* b denies */
	assert_int_equal(crmw_role_can_read(r, "Opportunity", NULL), 1);    /* both by default */
	assert_int_equal(crmw_role_allows(r, "raw_sql"), 1);
	assert_int_equal(crmw_role_allows(r, "metrics"), 0);
	denied_as(db, "SELECT Id FROM Knowledge__kav", r, CRMW_EACCESS, "role 'tier1 & lean' cannot read 'Knowledge__kav'");
	denied_as(db, "SELECT Id FROM CaseHistory__c", r, CRMW_EACCESS, "cannot read 'CaseHistory__c'");
	assert_int_equal(count_as(db, "Case", r), 3);
	/* with the customer: the default of none wins, and so does "no raw SQL" */
	crmw_role *ex = mk(db, "external:" CON_A, NULL), *rx = meet(r, ex);
	assert_string_equal(crmw_role_name(rx), "tier1 & lean & external");
	assert_int_equal(crmw_role_can_read(rx, "Opportunity", NULL), 0);
	assert_int_equal(crmw_role_can_read(rx, "Product2", NULL), 1);
	assert_int_equal(crmw_role_can_read(rx, "Knowledge__kav", NULL), 0);
	assert_int_equal(crmw_role_allows(rx, "raw_sql"), 0);
	crmw_query_opts *o = opts_of(rx);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_query_sql(&out, db, "SELECT 1", 8, o), CRMW_EACCESS);
	assert_non_null(strstr(crmw_db_errmsg(db), "may not run raw SQL"));
	crmw_buf_dispose(&out);
	crmw_query_opts_free(o);
	/* raw SQL where both allow it */
	o = opts_of(r);
	assert_int_equal(crmw_query_sql(&out, db, "SELECT 1 AS one", 15, o), CRMW_OK);
	crmw_buf_dispose(&out);
	crmw_query_opts_free(o);
	crmw_role_free(rx);
	crmw_role_free(ex);
	crmw_role_free(r);
	crmw_role_free(a);
	crmw_role_free(b);
	crmw_db_free(db);
}

static void test_intersect_fields(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const struct {
		const char *a, *b;     /* the User entries of the two policies */
		const char *seen[6];   /* visible in the intersection */
		const char *hidden[6]; /* not visible */
	} cases[] = {
		/* only ∩ only: the fields both list */
		{"{\"fields\":[\"FirstName\",\"LastName\",\"Alias\"]}", "{\"fields\":[\"LastName\",\"FirstName\",\"Email\"]}",
		 {"Id", "FirstName", "LastName"}, {"Alias", "Email", "Username"}},
		/* only ∩ hidden: listed by one, not hidden by the other */
		{"{\"fields\":[\"FirstName\",\"LastName\",\"Email\"]}", "{\"hidden_fields\":[\"Email\"]}",
		 {"Id", "FirstName", "LastName"}, {"Email", "Username", "Alias"}},
		{"{\"hidden_fields\":[\"Email\"]}", "{\"fields\":[\"FirstName\",\"Email\"]}",
		 {"Id", "FirstName"}, {"Email", "LastName"}},
		/* hidden ∩ hidden: hidden by either */
		{"{\"hidden_fields\":[\"Email\"]}", "{\"hidden_fields\":[\"Username\",\"Email\"]}",
		 {"Id", "FirstName", "Alias"}, {"Email", "Username"}},
		/* every field ∩ x: x */
		{"{}", "{\"hidden_fields\":[\"Email\"]}", {"FirstName", "Username"}, {"Email"}},
		{"{\"fields\":[\"Alias\"]}", "{}", {"Id", "Alias"}, {"FirstName", "Email"}},
		/* not listed (the default) ∩ x: x */
		{NULL, "{\"fields\":[\"Alias\"]}", {"Alias"}, {"Email"}},
		/* denied ∩ anything: nothing */
		{"{\"read\":false}", "{\"fields\":[\"Alias\"]}", {NULL}, {"Id", "Alias"}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char pa[300], pb[300];
		snprintf(pa, sizeof pa, "{\"name\":\"a\",\"default\":\"read\"%s%s%s}", cases[i].a ? ",\"objects\":{\"User\":" : "",
			 cases[i].a ? cases[i].a : "", cases[i].a ? "}" : "");
		snprintf(pb, sizeof pb, "{\"name\":\"b\",\"default\":\"read\",\"objects\":{\"User\":%s}}", cases[i].b);
		crmw_role *a = mk(db, pa, NULL), *b = mk(db, pb, NULL);
		for (int side = 0; side < 2; side++) { /* both orders */
			crmw_role *r = side ? meet(b, a) : meet(a, b);
			for (int k = 0; k < 6 && cases[i].seen[k]; k++)
				if (crmw_role_can_read(r, "User", cases[i].seen[k]) != 1)
					fail_msg("case %zu: %s should be visible", i, cases[i].seen[k]);
			for (int k = 0; k < 6 && cases[i].hidden[k]; k++)
				if (crmw_role_can_read(r, "User", cases[i].hidden[k]) != 0)
					fail_msg("case %zu: %s should be hidden", i, cases[i].hidden[k]);
			crmw_role_free(r);
		}
		crmw_role_free(a);
		crmw_role_free(b);
	}
	/* enforced by the compiler and SOSL: a field hidden by either never matches */
	crmw_role *a = mk(db, "{\"name\":\"a\",\"default\":\"read\",\"objects\":{\"User\":{\"hidden_fields\":[\"Username\"]}}}", NULL);
	crmw_role *b = mk(db, "{\"name\":\"b\",\"default\":\"read\",\"objects\":{\"User\":{\"hidden_fields\":[\"Email\"]}}}", NULL);
	crmw_role *r = meet(a, b);
	denied_as(db, "SELECT Email FROM User", r, CRMW_EACCESS, "role 'a & b' cannot read field 'Email' of 'User'");
	denied_as(db, "SELECT Id FROM User ORDER BY Username", r, CRMW_EACCESS, "field 'Username'");
	crmw_query_opts *o = opts_of(r);
	json_t *v = run(db, "FIND {ava.secret} RETURNING User(Id)", o);
	assert_int_equal(json_array_size(json_object_get(v, "User")), 0);
	json_decref(v);
	v = run(db, "SELECT FirstName FROM User", o);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	crmw_query_opts_free(o);
	crmw_role_free(r);
	crmw_role_free(a);
	crmw_role_free(b);
	crmw_db_free(db);
}

static void test_intersect_rows(void **state)
{
	(void)state;
	crmw_db *db = org();
	/* open cases only (A: 1 of 2 open, B: 1 open) */
	crmw_role *open = mk(db, "{\"name\":\"open\",\"default\":\"read\",\"objects\":{\"Case\":{\"where\":\"Status != 'Closed'\"}}}", NULL);
	crmw_role *ca = mk(db, "external:" CON_A, NULL), *cb = mk(db, "external:" CON_B, NULL);
	assert_int_equal(count_as(db, "Case", open), 2);
	crmw_role *r = meet(open, ca);
	assert_int_equal(count_as(db, "Case", r), 1); /* both rules: A's open case */
	crmw_query_opts *o = opts_of(r);
	json_t *v = run(db, "SELECT Subject FROM Case", o);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "Subject")), "Zipper broke");
	json_decref(v);
	/* joins, child subqueries and aggregates see only rows both accept */
	v = run(db, "SELECT Id, (SELECT Subject FROM Cases) FROM Account", o);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(v, 0), "Cases"), "totalSize")), 1);
	json_decref(v);
	v = run(db, "SELECT Status, COUNT(Id) n FROM Case GROUP BY Status", o);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	/* explain: both rules, each bound */
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query_explain(&b, db, "SELECT Id FROM Case", 19, o), CRMW_OK);
	assert_non_null(strstr(b.data, ACC_A));
	assert_non_null(strstr(b.data, "Closed"));
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_role_free(r);
	/* two customers: nothing of either */
	r = meet(ca, cb);
	assert_string_equal(crmw_role_name(r), "external & external");
	assert_int_equal(count_as(db, "Case", r), 0);
	assert_int_equal(count_as(db, "Account", r), 0);
	assert_int_equal(count_as(db, "Product2", r), count_as(db, "Product2", NULL)); /* the catalogue stays */
	crmw_role_free(r);
	/* the rule may read what the role may not, in both parts */
	crmw_role *west = mk(db,
			     "{\"name\":\"west\",\"default\":\"read\",\"objects\":{"
			     "\"Case\":{\"where\":\"Account.ShippingState = 'CA'\"},"
			     "\"Account\":{\"hidden_fields\":[\"ShippingState\"]}}}",
			     NULL);
	r = meet(west, cb); /* B is in NY */
	assert_int_equal(count_as(db, "Case", r), 0);
	crmw_role_free(r);
	r = meet(west, ca);
	assert_int_equal(count_as(db, "Case", r), 2);
	denied_as(db, "SELECT ShippingState FROM Account", r, CRMW_EACCESS, "ShippingState");
	crmw_role_free(r);
	crmw_role_free(west);
	crmw_role_free(open);
	crmw_role_free(ca);
	crmw_role_free(cb);
	crmw_db_free(db);
}

static void test_intersect_bindings_apart(void **state)
{
	(void)state;
	crmw_db *db = org();
	const char *mine = "{\"name\":\"mine\",\"default\":\"read\",\"objects\":{\"Case\":{\"where\":\"AccountId = :account_id\"},"
			   "\"Account\":{\"where\":\"Id = :account_id\"}}}";
	/* bound to B, intersected with the customer A: each rule keeps its own
	 * account, so no case is both A's and B's */
	crmw_role *mb = mk(db, mine, "{\"account_id\":\"" ACC_B "\",\"user_id\":\"" USR_1 "\"}");
	crmw_role *ca = mk(db, "external:" CON_A, NULL);
	crmw_role *r = meet(mb, ca);
	assert_int_equal(count_as(db, "Case", r), 0);
	assert_int_equal(count_as(db, "Account", r), 0);
	/* the bindings: those the parts agree on; a clash reads as unbound */
	assert_null(crmw_role_binding(r, "account_id"));
	assert_string_equal(crmw_role_binding(r, "contact_id"), CON_A);
	assert_string_equal(crmw_role_binding(r, "user_id"), USR_1);
	assert_null(crmw_role_binding(r, "region"));
	crmw_role_free(r);
	/* bound to A: A's cases */
	crmw_role *ma = mk(db, mine, "{\"account_id\":\"" ACC_A "\"}");
	r = meet(ma, ca);
	assert_int_equal(count_as(db, "Case", r), 2);
	assert_string_equal(crmw_role_binding(r, "account_id"), ACC_A);
	crmw_role_free(r);
	/* unbound in one part, bound in the other: the unbound rule still fails
	 * closed (the other part's account does not leak into it), and its
	 * message names the part */
	crmw_role *mu = mk(db, mine, NULL);
	r = meet(mu, ca);
	denied_as(db, "SELECT Id FROM Case", r, CRMW_EACCESS, "role 'mine' sees only some 'Case' records, chosen by :account_id");
	assert_null(crmw_role_binding(r, "account_id"));
	assert_int_equal(count_as(db, "Product2", r), 0); /* mine lists Product2 as default read, external reads it */
	crmw_role_free(r);
	r = meet(ca, mu); /* the other order */
	denied_as(db, "SELECT Id FROM Case", r, CRMW_EACCESS, "role 'mine'");
	crmw_role_free(r);
	crmw_role_free(mu);
	crmw_role_free(ma);
	crmw_role_free(mb);
	crmw_role_free(ca);
	crmw_db_free(db);
}

/* describe -> crmw_role_new -> describe gives the same text, and the role
 * made from it sees the same rows. */
static void same_again(crmw_db *db, const crmw_role *r)
{
	crmw_buf d1 = CRMW_BUF_INIT, d2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_role_describe(&d1, r), CRMW_OK);
	json_t *doc = json_loads(d1.data, 0, NULL);
	assert_non_null(doc);
	json_t *binds = json_incref(json_object_get(doc, "bindings"));
	json_object_del(doc, "bindings");
	char *again = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER), *bj = json_dumps(binds, JSON_COMPACT);
	crmw_role *r2 = NULL;
	if (crmw_role_new(&r2, db, again, bj))
		fail_msg("describe is not a policy: %s\n%s", crmw_last_error(), again);
	assert_int_equal(crmw_role_describe(&d2, r2), CRMW_OK);
	if (strcmp(d1.data, d2.data) != 0) {
		fprintf(stderr, "D1 %s\nD2 %s\n", d1.data, d2.data);
		fail_msg("describe changed when made again");
	}
	static const char *const objs[] = {"Case", "Account", "Contact", "User", "Product2"};
	for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
		if (crmw_role_can_read(r, objs[i], NULL) != 1)
			continue;
		crmw_query_opts *o1 = opts_of(r), *o2 = opts_of(r2);
		char q[100];
		snprintf(q, sizeof q, "SELECT COUNT() FROM %s", objs[i]);
		crmw_buf x = CRMW_BUF_INIT, y = CRMW_BUF_INIT;
		int rx = crmw_query(&x, db, q, strlen(q), o1), ry = crmw_query(&y, db, q, strlen(q), o2);
		assert_int_equal(rx, ry);
		if (rx == CRMW_OK)
			assert_string_equal(x.data, y.data);
		crmw_buf_dispose(&x);
		crmw_buf_dispose(&y);
		crmw_query_opts_free(o1);
		crmw_query_opts_free(o2);
	}
	free(again);
	free(bj);
	json_decref(binds);
	json_decref(doc);
	crmw_buf_dispose(&d1);
	crmw_buf_dispose(&d2);
	crmw_role_free(r2);
}

static void test_intersect_describe(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_role *tier1 = mk(db,
			      "{\"name\":\"tier1\",\"default\":\"read\",\"raw_sql\":false,\"metrics\":true,\"objects\":{"
			      "\"Case\":{\"where\":\"Status != 'Closed' AND OwnerId = :user_id\"},"
			      "\"User\":{\"hidden_fields\":[\"Email\"]}}}",
			      "{\"user_id\":\"" USR_1 "\"}");
	crmw_role *ca = mk(db, "external:" CON_A, NULL), *r = meet(tier1, ca);
	crmw_buf d = CRMW_BUF_INIT;
	assert_int_equal(crmw_role_describe(&d, r), CRMW_OK);
	json_t *doc = json_loads(d.data, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "tier1 & external");
	assert_string_equal(json_string_value(json_object_get(doc, "default")), "none");
	assert_false(json_is_true(json_object_get(doc, "raw_sql")));
	assert_false(json_is_true(json_object_get(doc, "metrics")));
	json_t *objs = json_object_get(doc, "objects"), *binds = json_object_get(doc, "bindings");
	/* the two rules, joined, with the variables kept (the parts agree) */
	assert_string_equal(json_string_value(json_object_get(json_object_get(objs, "Case"), "where")),
			    "(Status != 'Closed' AND OwnerId = :user_id) AND (AccountId = :account_id)");
	json_t *uf = json_object_get(json_object_get(objs, "User"), "fields");
	assert_int_equal(json_array_size(uf), 4); /* external's, none of them hidden by tier1 */
	assert_string_equal(json_string_value(json_object_get(binds, "user_id")), USR_1);
	assert_string_equal(json_string_value(json_object_get(binds, "account_id")), ACC_A);
	assert_string_equal(json_string_value(json_object_get(binds, "contact_id")), CON_A);
	json_decref(doc);
	assert_int_equal(count_as(db, "Case", r), 1);
	same_again(db, r);
	crmw_role_free(r);
	/* parts bound differently: the clashing values are written out */
	crmw_role *cb = mk(db, "external:" CON_B, NULL);
	r = meet(ca, cb);
	assert_int_equal(crmw_role_describe(&d, r), CRMW_OK);
	assert_non_null(strstr(d.data, "(AccountId = '" ACC_A "') AND (AccountId = '" ACC_B "')"));
	assert_null(strstr(d.data, "\"account_id\""));
	same_again(db, r);
	crmw_role_free(r);
	/* an unbound part stays unbound */
	crmw_role *ex = mk(db, "external", NULL);
	r = meet(ex, ca);
	assert_int_equal(crmw_role_describe(&d, r), CRMW_OK);
	assert_non_null(strstr(d.data, "(AccountId = :account_id) AND (AccountId = '" ACC_A "')"));
	same_again(db, r);
	crmw_role_free(r);
	/* three parts, and a name cut at 64 bytes */
	crmw_role *r2 = meet(tier1, ca), *r3 = meet(r2, cb);
	assert_string_equal(crmw_role_name(r3), "tier1 & external & external");
	assert_int_equal(count_as(db, "Case", r3), 0);
	same_again(db, r3);
	crmw_role *longer = r3;
	for (int i = 0; i < 4; i++) {
		crmw_role *n = meet(longer, i % 2 ? ca : tier1);
		if (longer != r3)
			crmw_role_free(longer);
		longer = n;
	}
	assert_true(strlen(crmw_role_name(longer)) <= 64);
	assert_non_null(strstr(crmw_role_name(longer), "..."));
	same_again(db, longer);
	crmw_role_free(longer);
	crmw_role_free(r3);
	crmw_role_free(r2);
	crmw_role_free(ex);
	crmw_role_free(cb);
	crmw_role_free(ca);
	crmw_role_free(tier1);
	crmw_buf_dispose(&d);
	crmw_db_free(db);
}

static void test_intersect_cache(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_role *open = mk(db, "{\"name\":\"open\",\"default\":\"read\",\"objects\":{\"Case\":{\"where\":\"Status != 'Closed'\"}}}", NULL);
	crmw_role *ca = mk(db, "external:" CON_A, NULL), *r = meet(open, ca);
	/* the same text under each part and the intersection: each its own answer */
	for (int round = 0; round < 3; round++) {
		assert_int_equal(count_as(db, "Case", open), 2);
		assert_int_equal(count_as(db, "Case", ca), 2);
		assert_int_equal(count_as(db, "Case", r), 1);
		assert_int_equal(count_as(db, "Case", NULL), 3);
	}
	crmw_role_free(r);
	crmw_role_free(ca);
	crmw_role_free(open);
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
		cmocka_unit_test(test_intersect_identity),
		cmocka_unit_test(test_intersect_objects_capabilities),
		cmocka_unit_test(test_intersect_fields),
		cmocka_unit_test(test_intersect_rows),
		cmocka_unit_test(test_intersect_bindings_apart),
		cmocka_unit_test(test_intersect_describe),
		cmocka_unit_test(test_intersect_cache),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
