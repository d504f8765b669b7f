/*
 * Unit tests of the access rules an attacker probes: row rules apply
 * before any condition of the query sees a row (FROM, parent joins, child
 * subqueries, semi-joins, SOSL RETURNING), shown both by the query plans
 * SQLite makes and by a spy that records every value a LIKE is evaluated
 * on; errors that could depend on rows are refused at compile time; a
 * hidden lookup field cannot be read through its relationship; suggestions
 * name only what the role sees; long and deep conditions compile flat.
 * (The attacks themselves, through every route: tests/unit/attacks/ and
 * tests/integration/test_attacks.py.)
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

#include "query/internal.h"

#define ACC_A "001aaaaaaaaaaaaAAA"
#define ACC_B "001bbbbbbbbbbbbAAA"
#define CON_A "003aaaaaaaaaaaaAAA"
#define CON_B "003bbbbbbbbbbbbAAA"
#define USR_1 "005aaaaaaaaaaaaAAA"
#define USR_2 "005bbbbbbbbbbbbAAA"

/* Two customers: A (2 cases, visible to A) and B (1 case, whose subject
 * and e-mail hold the words "SECRET"), two agents. */
static crmw_db *org(void)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_create(&db, ":memory:", s, "{\"now\":\"2024-06-15T12:00:00Z\"}"), CRMW_OK);
	crmw_schema_free(s);
	const char *recs[][2] = {
		{"User", "{\"Id\":\"" USR_1 "\",\"FirstName\":\"Ava\",\"LastName\":\"Stone\"}"},
		{"User", "{\"Id\":\"" USR_2 "\",\"FirstName\":\"Bo\",\"LastName\":\"Reed\"}"},
		{"Account", "{\"Id\":\"" ACC_A "\",\"FirstName\":\"Max\",\"LastName\":\"Ng\",\"ShippingState\":\"CA\"}"},
		{"Account", "{\"Id\":\"" ACC_B "\",\"FirstName\":\"SECRET\",\"LastName\":\"Diaz\",\"ShippingState\":\"NY\"}"},
		{"Contact", "{\"Id\":\"" CON_A "\",\"LastName\":\"Ng\",\"AccountId\":\"" ACC_A "\"}"},
		{"Contact", "{\"Id\":\"" CON_B "\",\"LastName\":\"SECRET-Diaz\",\"Email\":\"secret@b.example\",\"AccountId\":\"" ACC_B
			    "\"}"},
		{"Case", "{\"Subject\":\"Zipper broke\",\"Status\":\"New\",\"AccountId\":\"" ACC_A "\",\"ContactId\":\"" CON_A
			 "\",\"OwnerId\":\"" USR_1 "\",\"CreatedDate\":\"2024-06-14T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"Late parcel\",\"Status\":\"Closed\",\"AccountId\":\"" ACC_A "\",\"OwnerId\":\"" USR_1
			 "\",\"CreatedDate\":\"2024-01-02T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"SECRET merger invoice\",\"Status\":\"Working\",\"AccountId\":\"" ACC_B
			 "\",\"ContactId\":\"" CON_B "\",\"OwnerId\":\"" USR_2 "\",\"CreatedDate\":\"2023-05-02T09:00:00Z\"}"},
		{"Knowledge__kav", "{\"Title\":\"Return policy\",\"FAQ_Answer__c\":\"Thirty days.\",\"UrlName\":\"returns\"}"},
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
	assert_int_equal(crmw_query_opts_set_timeout_ms(o, 0), CRMW_OK); /* no clock in these tests */
	crmw_role_free(r);
	return o;
}

static int query(crmw_db *db, const char *q, const crmw_query_opts *o, crmw_buf *out)
{
	crmw_buf_dispose(out);
	return crmw_query(out, db, q, strlen(q), o);
}

/* The query fails with `code` and a message holding `what`. */
static void fails(crmw_db *db, const char *q, const crmw_query_opts *o, int code, const char *what)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = query(db, q, o, &b);
	crmw_buf_dispose(&b);
	if (rc != code)
		fail_msg("%.120s: expected %s, got %s (%s)", q, crmw_status_name(code), crmw_status_name(rc),
			 crmw_db_errmsg(db));
	if (what && !strstr(crmw_db_errmsg(db), what))
		fail_msg("%.120s: message '%s' lacks '%s'", q, crmw_db_errmsg(db), what);
}

/* ------------------------------------------------- the LIKE spy */

/* Every string a LIKE of the query was evaluated on, while the spy is on:
 * SOQL compiles LIKE to SQLite's like(pattern, value, escape), which the
 * test replaces on the org's connection (it answers "match"). */
static char seen[64][128];
static int nseen;

static void spy_like(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *v = sqlite3_value_text(argv[1]);
	if (v && nseen < 64)
		snprintf(seen[nseen++], sizeof seen[0], "%s", (const char *)v);
	sqlite3_result_int(ctx, 1);
}

static void spy_on(crmw_db *db)
{
	/* after a first query: whatever the sandbox installs, the spy replaces */
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(query(db, "SELECT Id FROM User LIMIT 1", NULL, &b), CRMW_OK);
	crmw_buf_dispose(&b);
	assert_int_equal(sqlite3_create_function(db->sql, "like", 3, SQLITE_UTF8, NULL, spy_like, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_create_function(db->sql, "like", 2, SQLITE_UTF8, NULL, spy_like, NULL, NULL), SQLITE_OK);
	nseen = 0;
}

/* Run q; the LIKE in it must never have seen a value holding SECRET (the
 * other customer's), and must have seen `want` values. */
static void spied(crmw_db *db, const char *q, const crmw_query_opts *o, int want)
{
	bool all = o == NULL; /* no role: every row, the other customer's too */
	nseen = 0;
	crmw_buf b = CRMW_BUF_INIT;
	if (query(db, q, o, &b))
		fail_msg("%s: %s", q, crmw_db_errmsg(db));
	crmw_buf_dispose(&b);
	for (int i = 0; i < nseen; i++)
		if (!all && (strstr(seen[i], "SECRET") || strstr(seen[i], "secret")))
			fail_msg("%s: a LIKE was evaluated on '%s', a row the role may not read", q, seen[i]);
	if (nseen != want)
		fail_msg("%s: the LIKE saw %d values, expected %d", q, nseen, want);
}

/* Row rules filter before the user's conditions, wherever the restricted
 * object appears.  Against the old compiler (the rule ANDed after the
 * user's WHERE, or in a join's ON) the spy saw the other customer's rows. */
static void test_rules_before_predicates(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	spy_on(db);
	/* FROM */
	spied(db, "SELECT Id FROM Case WHERE Subject LIKE 'x%'", o, 2);
	spied(db, "SELECT Id FROM Case WHERE Status != 'Closed' AND Subject LIKE 'x%'", o, 1);
	spied(db, "SELECT COUNT() FROM Case WHERE Subject LIKE 'x%'", o, 2);
	spied(db, "SELECT Status, COUNT(Id) FROM Case WHERE Subject LIKE 'x%' GROUP BY Status", o, 2);
	/* a parent through a relationship path */
	spied(db, "SELECT Id FROM Contact WHERE Account.LastName LIKE 'x%'", o, 1);
	spied(db, "SELECT Id FROM Case WHERE Contact.LastName LIKE 'x%' AND Account.FirstName LIKE 'y%'", o, 3);
	/* child subqueries */
	spied(db, "SELECT Id, (SELECT Id FROM Cases WHERE Subject LIKE 'x%') FROM Account", o, 2);
	/* semi- and anti-joins */
	spied(db, "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Case WHERE Subject LIKE 'x%')", o, 2);
	spied(db, "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact WHERE Email LIKE 'x%')", o, 0);
	/* SOSL RETURNING (the search and the RETURNING condition) */
	spied(db, "FIND {SECRET OR Zipper OR parcel} RETURNING Case(Id WHERE Subject LIKE 'x%')", o, 2);
	spied(db, "FIND {Diaz OR Ng} RETURNING Contact(Id WHERE LastName LIKE 'x%'), Account(Id WHERE LastName LIKE 'x%')",
	      o, 2);
	/* the same queries with no role see everything (the spy works) */
	spied(db, "SELECT Id FROM Case WHERE Subject LIKE 'x%'", NULL, 3);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* The plans SQLite makes: every restricted object is a co-routine or a
 * materialised subquery (never flattened into the query, which would let
 * SQLite order its conditions as it likes) or, for a parent reached
 * through a relationship, a correlated check of its one row (its gate);
 * the internal role's SQL has none of them. */
static int plan_count(crmw_db *db, const char *q, const crmw_query_opts *o, const char *what)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query_explain(&b, db, q, strlen(q), o))
		fail_msg("%s: %s", q, crmw_db_errmsg(db));
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	crmw_buf_dispose(&b);
	assert_non_null(v);
	int n = 0;
	size_t i;
	json_t *sql;
	json_array_foreach(json_object_get(v, "sql"), i, sql) {
		char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", json_string_value(sql));
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db->sql, eqp, -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s: %s", eqp, sqlite3_errmsg(db->sql));
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			if (detail && strstr(detail, what))
				n++;
		}
		sqlite3_finalize(st);
		sqlite3_free(eqp);
	}
	json_decref(v);
	return n;
}

static int subqueries(crmw_db *db, const char *q, const crmw_query_opts *o)
{
	return plan_count(db, q, o, "CO-ROUTINE") + plan_count(db, q, o, "MATERIALIZE") +
	       plan_count(db, q, o, "CORRELATED SCALAR SUBQUERY");
}

static void test_plans(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	assert_int_equal(subqueries(db, "SELECT Id FROM Case WHERE Subject LIKE 'x%'", o), 1);
	assert_int_equal(subqueries(db, "SELECT Id FROM Case WHERE Subject LIKE 'x%'", NULL), 0);
	/* Case (a row source), and its Account and Contact parents (gates) */
	assert_int_equal(subqueries(db, "SELECT Id FROM Case WHERE Account.LastName = 'x' AND Contact.Email = 'y'", o), 3);
	/* the child statement has its own */
	assert_int_equal(subqueries(db, "SELECT Id, (SELECT Id FROM Cases) FROM Account", o), 2);
	assert_int_equal(subqueries(db, "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Case)", o), 2);
	assert_int_equal(subqueries(db, "FIND {Zipper} RETURNING Case(Id), Contact(Id)", o), 2);
	/* this org's articles have no publication fields: all are visible */
	assert_int_equal(subqueries(db, "FIND {Zipper} RETURNING Case(Id), Knowledge__kav(Id)", o), 1);
	/* User has no row rule for a customer: a plain table */
	assert_int_equal(subqueries(db, "SELECT Id FROM User WHERE LastName = 'x'", o), 0);
	/* the internal role compiles exactly like no role */
	crmw_query_opts *in = as(db, "internal", NULL);
	assert_int_equal(subqueries(db, "SELECT Id, (SELECT Id FROM Cases) FROM Contact WHERE Account.LastName = 'x'", in), 0);
	crmw_query_opts_free(in);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* An over-long LIKE pattern used to fail only when a row reached it (an
 * error oracle); now it fails at compile time, whatever the rows. */
static void test_errors_do_not_depend_on_rows(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	char q[1400];
	char pat[1100];
	memset(pat, 'a', sizeof pat - 1);
	pat[sizeof pat - 1] = '\0';
	/* no row matches the first condition, one does, all do: the same error */
	const char *firsts[] = {"Subject = 'nothing'", "Subject LIKE 'Zip%'", "Id != null"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(q, sizeof q, "SELECT Id FROM Case WHERE %s AND Subject LIKE '%s'", firsts[i], pat);
		fails(db, q, o, CRMW_ELIMIT, "LIMIT_EXCEEDED: the LIKE pattern is too long (at most 1000 bytes; this one has 1099)");
		fails(db, q, NULL, CRMW_ELIMIT, "LIMIT_EXCEEDED");
	}
	snprintf(q, sizeof q, "SELECT Id FROM Case WHERE Subject LIKE '%.1000s'", pat);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(query(db, q, o, &b), CRMW_OK); /* 1,000 bytes are fine */
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* A policy that hides a lookup field: the relationship behind it, child
 * subqueries through it and semi-joins on it are refused. */
static void test_hidden_reference_fields(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db,
				"{\"schema_version\":1,\"name\":\"no_owner\",\"default\":\"read\","
				"\"objects\":{\"Case\":{\"hidden_fields\":[\"OwnerId\",\"AccountId\"]}}}",
				NULL);
	const char *denied[] = {
		"SELECT Id FROM Case WHERE OwnerId = '" USR_1 "'",
		"SELECT Owner.Id FROM Case",
		"SELECT Id FROM Case WHERE Owner.Id = '" USR_1 "'",
		"SELECT Id FROM Case WHERE Owner.LastName = 'Stone'",
		"SELECT Owner.LastName, COUNT(Id) FROM Case GROUP BY Owner.LastName",
		"SELECT Id FROM Case ORDER BY Owner.LastName",
		"SELECT Account.Id FROM Case",
		"SELECT Id, (SELECT Id FROM Cases) FROM User",
		"SELECT Id, (SELECT Id FROM Cases) FROM Account",
		"SELECT Id FROM User WHERE Id IN (SELECT OwnerId FROM Case)",
		"SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Case)",
	};
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
		fails(db, denied[i], o, CRMW_EACCESS, "INSUFFICIENT_ACCESS");
	fails(db, "SELECT Owner.Id FROM Case", o, CRMW_EACCESS,
	      "cannot read field 'OwnerId' of 'Case', which relationship 'Owner' in 'Owner.Id' follows");
	fails(db, "SELECT Id, (SELECT Id FROM Cases) FROM User", o, CRMW_EACCESS,
	      "cannot read field 'OwnerId' of 'Case', which child relationship 'Cases' follows");
	/* what the policy leaves visible still works */
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(query(db, "SELECT Id, Contact.LastName FROM Case WHERE Status = 'New'", o, &b), CRMW_OK);
	assert_non_null(strstr(b.data, "\"LastName\":\"Ng\""));
	assert_int_equal(query(db, "SELECT Id, (SELECT Id FROM Cases) FROM Contact", o, &b), CRMW_OK);
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* "Did you mean" names only what the role may read. */
static void test_suggestions(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	crmw_buf b = CRMW_BUF_INIT;
	struct {
		const char *q, *role_hint, *internal_hint;
	} cases[] = {
		/* User's Email is hidden from customers: no hint, a visible one */
		{"SELECT Emial FROM User", NULL, "'Email'"},
		{"SELECT Id FROM User WHERE FirstNme = 'x'", "'FirstName'", "'FirstName'"},
		/* CaseHistory__c cannot be read by customers */
		{"SELECT Id FROM CaseHistry__c", NULL, "'CaseHistory__c'"},
		{"SELECT Id FROM Cse", "'Case'", "'Case'"},
		/* relationships: Owner (User) is readable; Histories__r is not */
		{"SELECT Ownr.LastName FROM Case", "'Owner'", "'Owner'"},
		{"SELECT Id, (SELECT Id FROM Historie__r) FROM Case", NULL, "'Histories__r'"},
		{"FIND {x} RETURNING CaseHistry__c(Id)", NULL, "'CaseHistory__c'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int as_internal = 0; as_internal < 2; as_internal++) {
			const char *want = as_internal ? cases[i].internal_hint : cases[i].role_hint;
			assert_int_not_equal(query(db, cases[i].q, as_internal ? NULL : o, &b), CRMW_OK);
			const char *msg = crmw_db_errmsg(db);
			const char *hint = strstr(msg, "did you mean");
			if (want && (!hint || !strstr(hint, want)))
				fail_msg("%s (%s): '%s' does not suggest %s", cases[i].q, as_internal ? "internal" : "external",
					 msg, want);
			if (!want && hint)
				fail_msg("%s (external): '%s' suggests what the role cannot read", cases[i].q, msg);
		}
	}
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* A condition of n comparisons joined by `op` ("AND" / "OR"). */
static char *chain(int n, const char *op)
{
	size_t cap = (size_t)n * 48 + 64;
	char *q = malloc(cap);
	assert_non_null(q);
	size_t at = (size_t)snprintf(q, cap, "SELECT COUNT() FROM Case WHERE ");
	for (int i = 0; i < n; i++)
		at += (size_t)snprintf(q + at, cap - at, "%s Subject != 's%d'", i ? op : "", i);
	return q;
}

/* Long chains compile flat: 10,000 terms work (the old compiler recursed
 * per term, and SQLite's parser overflowed at about 85); past the cap, a
 * clear error.  The parser and compiler use no stack per term. */
static void test_long_chains(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	crmw_query_opts *in = as(db, "internal", NULL);
	crmw_buf b = CRMW_BUF_INIT;
	const int ns[] = {85, 200, 4097, 10000};
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		char *q = chain(ns[i], "AND");
		if (query(db, q, o, &b))
			fail_msg("%d terms: %s", ns[i], crmw_db_errmsg(db));
		assert_non_null(strstr(b.data, "\"totalSize\":2"));
		free(q);
		q = chain(ns[i], "OR");
		if (query(db, q, in, &b))
			fail_msg("%d terms: %s", ns[i], crmw_db_errmsg(db));
		assert_non_null(strstr(b.data, "\"totalSize\":3"));
		free(q);
	}
	char *q = chain(Q_MAX_TERMS + 1, "AND");
	fails(db, q, o, CRMW_EQUERY, "too many conditions in one query (at most 20000)");
	free(q);
	q = chain(200000, "OR");
	fails(db, q, in, CRMW_EQUERY, "too many conditions");
	free(q);
	crmw_buf_dispose(&b);
	crmw_query_opts_free(in);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* Nesting: the deepest parentheses, NOTs and subqueries allowed compile
 * and run (under negation too, the costliest SQL); one more is a clear
 * error, not a crash or SQLite's "parser stack overflow". */
static void test_nesting_limits(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = as(db, "external:" CON_A, NULL);
	crmw_buf b = CRMW_BUF_INIT;
	/* Shapes of the deepest nesting allowed, inside a semi-join (whose
	 * comparison is the first level) and under negation (the costliest
	 * SQL: COALESCE around every comparison): all compile and run. */
	static const char *const opens[] = {"NOT ", "(", "NOT (", "(NOT "};
	static const int levels[] = {1, 1, 2, 2};
	for (size_t shape = 0; shape < 4; shape++) {
		int k = (Q_MAX_COND_DEPTH - 2) / levels[shape];
		for (int extra = 0; extra < 2; extra++) {
			int n = k + extra * (levels[shape] == 1 ? 1 : 1);
			char inner[2048] = "", q[4096];
			size_t at = 0;
			for (int i = 0; i < n; i++)
				at += (size_t)snprintf(inner + at, sizeof inner - at, "%s", opens[shape]);
			at += (size_t)snprintf(inner + at, sizeof inner - at, "Subject LIKE 'a%%'");
			for (int i = 0; i < n; i++)
				at += (size_t)snprintf(inner + at, sizeof inner - at, "%s", shape ? ")" : "");
			snprintf(q, sizeof q, "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Case WHERE %s AND "
					       "Status != 'x') AND (LastName != 'q' OR ShippingState = 'CA')", inner);
			int rc = query(db, q, o, &b);
			if (!extra && rc)
				fail_msg("%s: %s", q, crmw_db_errmsg(db));
			if (extra && (rc != CRMW_EQUERY || !strstr(crmw_db_errmsg(db), "conditions nest too deeply (at most 16")))
				fail_msg("%s: expected the nesting error, got %s", q, crmw_db_errmsg(db));
		}
	}
	/* 300 nested child subqueries (malformed or not): an error, no crash */
	char *sub = malloc(300 * 30 + 100);
	assert_non_null(sub);
	size_t at = 0;
	for (int i = 0; i < 300; i++)
		at += (size_t)sprintf(sub + at, "SELECT Id, (");
	at += (size_t)sprintf(sub + at, "SELECT Id FROM Cases");
	for (int i = 0; i < 300; i++)
		at += (size_t)sprintf(sub + at, ") FROM Account");
	fails(db, sub, o, CRMW_EQUERY, "subqueries nest too deeply (at most 5 levels of SELECT)");
	sub[at - 14] = '\0'; /* malformed: cut */
	fails(db, sub, o, CRMW_EQUERY, "subqueries nest too deeply");
	free(sub);
	/* SOSL: parentheses in the search text */
	char find[200];
	at = (size_t)snprintf(find, sizeof find, "FIND {");
	for (int i = 0; i < 17; i++)
		at += (size_t)snprintf(find + at, sizeof find - at, "(");
	at += (size_t)snprintf(find + at, sizeof find - at, "zipper");
	for (int i = 0; i < 17; i++)
		at += (size_t)snprintf(find + at, sizeof find - at, ")");
	snprintf(find + at, sizeof find - at, "} RETURNING Case(Id)");
	fails(db, find, o, CRMW_EQUERY, "MALFORMED_SEARCH: parentheses in the search text nest too deeply (at most 16)");
	memmove(find + 6, find + 7, strlen(find + 7) + 1); /* 16 of each: fine */
	char *close = strstr(find, "}");
	memmove(close - 1, close, strlen(close) + 1);
	assert_int_equal(query(db, find, o, &b), CRMW_OK);
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_before_predicates),
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_errors_do_not_depend_on_rows),
		cmocka_unit_test(test_hidden_reference_fields),
		cmocka_unit_test(test_suggestions),
		cmocka_unit_test(test_long_chains),
		cmocka_unit_test(test_nesting_limits),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
