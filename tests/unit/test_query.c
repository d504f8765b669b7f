/*
 * Unit tests of the query API: options, statuses and messages, explain,
 * the statement cache, budgets, search indexes kept in step with writes.
 * (Conformance of every SOQL/SOSL feature: tests/integration/test_soql.py.)
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

static crmw_db *org(void)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_create(&db, ":memory:", s, "{\"now\":\"2024-06-15T12:00:00Z\"}"), CRMW_OK);
	crmw_schema_free(s);
	const char *recs[][2] = {
		{"User", "{\"Id\":\"005aaaaaaaaaaaaAAA\",\"FirstName\":\"Ava\",\"LastName\":\"Stone\"}"},
		{"Account", "{\"Id\":\"001aaaaaaaaaaaaAAA\",\"LastName\":\"Ng\",\"ShippingState\":\"CA\"}"},
		{"Case", "{\"Subject\":\"Zipper broke\",\"Status\":\"New\",\"AccountId\":\"001aaaaaaaaaaaaAAA\",\"OwnerId\":\"005aaaaaaaaaaaaAAA\",\"CreatedDate\":\"2024-06-14T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"Late parcel\",\"Status\":\"Closed\",\"OwnerId\":\"005aaaaaaaaaaaaAAA\",\"CreatedDate\":\"2024-01-02T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"Secret stuff\",\"Status\":\"Working\",\"CreatedDate\":\"2023-05-02T09:00:00Z\"}"},
	};
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		if (crmw_record_insert(NULL, db, recs[i][0], recs[i][1], strlen(recs[i][1])))
			fail_msg("%s", crmw_db_errmsg(db));
	return db;
}

static json_t *run(crmw_db *db, const char *q, const crmw_query_opts *o)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, db, q, strlen(q), o);
	if (rc)
		fail_msg("%s: %s", q, crmw_db_errmsg(db));
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&b);
	return v;
}

static void test_opts(void **state)
{
	(void)state;
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(o, "2024-02-30"), CRMW_EINVALID);
	assert_int_equal(crmw_query_opts_set_today(o, "tomorrow"), CRMW_EINVALID);
	assert_int_equal(crmw_query_opts_set_today(o, "2024-02-29"), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(o, NULL), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_timeout_ms(o, -1), CRMW_EINVALID);
	assert_int_equal(crmw_query_opts_set_max_rows(o, -5), CRMW_EINVALID);
	assert_int_equal(crmw_query_opts_set_max_bytes(o, 0), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_drop_null_columns(NULL, 1), CRMW_EINVALID);
	crmw_query_opts_free(o);
	crmw_query_opts_free(NULL);
	assert_int_equal(crmw_query_opts_new(NULL), CRMW_EINVALID);
}

static void test_basic_and_today(void **state)
{
	(void)state;
	crmw_db *db = org();
	json_t *v = run(db, "SELECT Subject, Account.ShippingState, Owner.Name FROM Case WHERE Status = 'new'", NULL);
	assert_int_equal(json_array_size(v), 1);
	json_t *r = json_array_get(v, 0);
	assert_string_equal(json_string_value(json_object_get(r, "Subject")), "Zipper broke");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "Account"), "ShippingState")), "CA");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "Owner"), "Name")), "Ava Stone");
	json_decref(v);

	/* TODAY defaults to the org's now (2024-06-15); options override it. */
	v = run(db, "SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:7", NULL);
	assert_int_equal(json_integer_value(json_object_get(v, "totalSize")), 1);
	json_decref(v);
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(o, "2024-01-05"), CRMW_OK);
	v = run(db, "SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:7", o);
	assert_int_equal(json_integer_value(json_object_get(v, "totalSize")), 1);
	json_decref(v);
	assert_int_equal(crmw_query_opts_set_today(o, "2025-01-05"), CRMW_OK);
	v = run(db, "SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:7", o);
	assert_int_equal(json_integer_value(json_object_get(v, "totalSize")), 0);
	json_decref(v);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

static void test_errors_keep_output(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_buf b = CRMW_BUF_INIT;
	const char *ok = "SELECT Id FROM User";
	assert_int_equal(crmw_query(&b, db, ok, strlen(ok), NULL), CRMW_OK);
	char *before = strdup(b.data);
	const char *bad = "SELECT Nmae FROM Account";
	assert_int_equal(crmw_query(&b, db, bad, strlen(bad), NULL), CRMW_EQUERY);
	assert_string_equal(b.data, before); /* unchanged on error */
	assert_non_null(strstr(crmw_db_errmsg(db), "INVALID_FIELD: No such column 'Nmae' on entity 'Account' (line 1, column 8)"));
	assert_string_equal(crmw_last_error(), crmw_db_errmsg(db));
	assert_int_equal(crmw_last_error_code(), CRMW_EQUERY);
	const char *write = "DELETE FROM \"Case\"";
	assert_int_equal(crmw_query_sql(&b, db, write, strlen(write), NULL), CRMW_EACCESS);
	assert_non_null(strstr(crmw_db_errmsg(db), "INSUFFICIENT_ACCESS"));
	assert_int_equal(crmw_query(NULL, db, ok, strlen(ok), NULL), CRMW_EINVALID);
	assert_int_equal(crmw_query(&b, NULL, ok, strlen(ok), NULL), CRMW_EINVALID);
	assert_int_equal(crmw_query(&b, db, NULL, 0, NULL), CRMW_EINVALID);
	/* The text is taken by length: trailing bytes are not read. */
	const char *padded = "SELECT Id FROM User garbage";
	assert_int_equal(crmw_query(&b, db, padded, strlen("SELECT Id FROM User"), NULL), CRMW_OK);
	free(before);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

static void test_explain_binds_literals(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Id FROM Case WHERE Subject = 'Secret stuff' AND CreatedDate = LAST_MONTH LIMIT 5";
	assert_int_equal(crmw_query_explain(&b, db, q, strlen(q), NULL), CRMW_OK);
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "soql");
	const char *sql = json_string_value(json_array_get(json_object_get(v, "sql"), 0));
	assert_non_null(sql);
	/* Literals never appear in the SQL text: they are parameters. */
	assert_null(strstr(sql, "Secret"));
	assert_non_null(strstr(sql, "?1"));
	json_t *params = json_object_get(v, "params");
	assert_string_equal(json_string_value(json_array_get(params, 0)), "Secret stuff");
	json_t *start = json_array_get(params, 1);
	assert_string_equal(json_string_value(json_object_get(start, "range_start")), "LAST_MONTH");
	assert_string_equal(json_string_value(json_object_get(start, "value")), "2024-05-01T00:00:00Z");
	assert_int_equal(json_integer_value(json_array_get(params, 3)), 5);
	json_decref(v);
	const char *s = "FIND {zipper} RETURNING Case(Subject)";
	assert_int_equal(crmw_query_explain(&b, db, s, strlen(s), NULL), CRMW_OK);
	assert_non_null(strstr(b.data, "\"kind\":\"sosl\""));
	assert_non_null(strstr(b.data, "MATCH"));
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

static void test_cache_and_schema_change(void **state)
{
	(void)state;
	crmw_db *db = org();
	for (int i = 0; i < 3; i++) {
		json_t *v = run(db, "SELECT Subject FROM Case ORDER BY Subject", NULL);
		assert_int_equal(json_array_size(v), 3);
		json_decref(v);
	}
	/* Many distinct queries: the cache evicts and keeps answering right. */
	for (int i = 0; i < 200; i++) {
		char q[128];
		snprintf(q, sizeof q, "SELECT Subject FROM Case LIMIT %d", 1 + i % 3);
		json_t *v = run(db, q, NULL);
		assert_int_equal(json_array_size(v), (size_t)(1 + i % 3));
		json_decref(v);
	}
	/* A schema change invalidates compiled queries. */
	const char *fld = "{\"name\":\"Mood__c\",\"type\":\"string\"}";
	assert_int_equal(crmw_db_add_field(db, "Case", fld, strlen(fld)), CRMW_OK);
	crmw_buf id = CRMW_BUF_INIT;
	const char *ins = "{\"Subject\":\"Odd\",\"Mood__c\":\"grumpy zebra\"}";
	assert_int_equal(crmw_record_insert(&id, db, "Case", ins, strlen(ins)), CRMW_OK);
	json_t *v = run(db, "SELECT Subject FROM Case ORDER BY Subject", NULL);
	assert_int_equal(json_array_size(v), 4);
	json_decref(v);
	v = run(db, "SELECT Subject FROM Case WHERE Mood__c = 'GRUMPY ZEBRA'", NULL);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	/* The new text field is searchable. */
	v = run(db, "FIND {zebra} RETURNING Case(Subject)", NULL);
	assert_int_equal(json_array_size(json_object_get(v, "Case")), 1);
	json_decref(v);
	crmw_buf_dispose(&id);
	crmw_db_free(db);
}

static void test_search_follows_writes(void **state)
{
	(void)state;
	crmw_db *db = org();
	json_t *v = run(db, "FIND {zipper} RETURNING Case(Id)", NULL);
	assert_int_equal(json_array_size(json_object_get(v, "Case")), 1);
	const char *id = json_string_value(json_object_get(json_array_get(json_object_get(v, "Case"), 0), "Id"));
	char cid[19];
	snprintf(cid, sizeof cid, "%s", id);
	json_decref(v);
	const char *upd = "{\"Subject\":\"Button missing\"}";
	assert_int_equal(crmw_record_update(db, "Case", cid, upd, strlen(upd)), CRMW_OK);
	v = run(db, "FIND {zipper} RETURNING Case(Id)", NULL);
	assert_int_equal(json_array_size(json_object_get(v, "Case")), 0);
	json_decref(v);
	v = run(db, "FIND {button} RETURNING Case(Id)", NULL);
	assert_int_equal(json_array_size(json_object_get(v, "Case")), 1);
	json_decref(v);
	assert_int_equal(crmw_record_delete(db, "Case", cid), CRMW_OK);
	v = run(db, "FIND {button} RETURNING Case(Id)", NULL);
	assert_int_equal(json_array_size(json_object_get(v, "Case")), 0);
	json_decref(v);
	crmw_db_free(db);
}

static void test_budgets(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_timeout_ms(o, 50), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	const char *loop = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r";
	assert_int_equal(crmw_query_sql(&b, db, loop, strlen(loop), o), CRMW_ELIMIT);
	assert_non_null(strstr(crmw_db_errmsg(db), "QUERY_TIMEOUT"));
	/* The handle works normally afterwards (no authorizer left behind). */
	const char *ins = "{\"LastName\":\"After\"}";
	assert_int_equal(crmw_record_insert(NULL, db, "User", ins, strlen(ins)), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_rows(o, 2), CRMW_OK);
	const char *q = "SELECT Id FROM Case";
	assert_int_equal(crmw_query(&b, db, q, strlen(q), o), CRMW_ELIMIT);
	assert_int_equal(crmw_query_opts_set_max_rows(o, 3), CRMW_OK);
	assert_int_equal(crmw_query(&b, db, q, strlen(q), o), CRMW_OK);
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

static void test_readonly_handle(void **state)
{
	(void)state;
	char path[] = "/tmp/crmw-query-XXXXXX";
	assert_non_null(mkdtemp(path));
	char file[300];
	snprintf(file, sizeof file, "%s/org.db", path);
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2b"), CRMW_OK);
	crmw_db *w = NULL;
	assert_int_equal(crmw_db_create(&w, file, s, NULL), CRMW_OK);
	const char *acc = "{\"Name\":\"Acme Rockets\",\"Industry\":\"Aerospace\"}";
	assert_int_equal(crmw_record_insert(NULL, w, "Account", acc, strlen(acc)), CRMW_OK);
	crmw_db *r = NULL;
	assert_int_equal(crmw_db_open(&r, file, CRMW_DB_READONLY), CRMW_OK);
	json_t *v = run(r, "FIND {rockets} RETURNING Account(Name, Industry)", NULL);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "Account"), 0), "Industry")), "Aerospace");
	json_decref(v);
	crmw_db_free(r);
	crmw_db_free(w);
	crmw_schema_free(s);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void expect_error(crmw_db *db, const crmw_query_opts *o, const char *sql, int code, const char *const *needles)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query_sql(&b, db, sql, strlen(sql), o);
	if (rc != code)
		fail_msg("%s: %d (%s), not %d", sql, rc, rc ? crmw_db_errmsg(db) : b.data, code);
	for (; *needles; needles++)
		if (!strstr(crmw_db_errmsg(db), *needles))
			fail_msg("%s: '%s' lacks '%s'", sql, crmw_db_errmsg(db), *needles);
	crmw_buf_dispose(&b);
}

/* Raw SQL that writes is refused by the name of the statement, not by the
 * first step SQLite takes (DROP TABLE deletes from sqlite_master first). */
static void test_refusals_name_statement(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const char *const cases[][2] = {
		{"DROP TABLE \"Case\"", "DROP TABLE is refused"},
		{"drop table if exists nothing_here", "DROP TABLE is refused"},
		{"DROP INDEX crmw_ix_Case_Status", "DROP INDEX is refused"},
		{"DROP VIEW v", "DROP VIEW is refused"},
		{"DROP TRIGGER t", "DROP TRIGGER is refused"},
		{"CREATE TABLE t (x)", "CREATE TABLE is refused"},
		{"CREATE TEMP TABLE t AS SELECT 1", "CREATE TABLE is refused"},
		{"CREATE VIRTUAL TABLE f USING fts5(x)", "CREATE TABLE is refused"},
		{"CREATE UNIQUE INDEX i ON \"Case\"(\"Subject\")", "CREATE INDEX is refused"},
		{"CREATE VIEW v AS SELECT 1", "CREATE VIEW is refused"},
		{"CREATE TRIGGER tr AFTER INSERT ON \"Case\" BEGIN DELETE FROM \"Case\"; END", "CREATE TRIGGER is refused"},
		{"ALTER TABLE \"Case\" ADD COLUMN x", "ALTER TABLE is refused"},
		{"INSERT INTO \"User\" (\"Id\") VALUES ('005000000000001AAA')", "INSERT is refused"},
		{"REPLACE INTO \"User\" (\"Id\") VALUES ('005000000000001AAA')", "REPLACE is refused"},
		{"UPDATE \"Case\" SET \"Status\" = 'Closed'", "UPDATE is refused"},
		{"DELETE FROM \"Case\"", "DELETE is refused"},
		{"WITH x AS (SELECT 1) DELETE FROM \"Case\" WHERE 1 IN (SELECT * FROM x)", "DELETE is refused"},
		{"  /* a comment */ -- another\n  delete from \"Case\"", "DELETE is refused"},
		{"EXPLAIN DELETE FROM \"Case\"", "DELETE is refused"},
		{"ATTACH DATABASE ':memory:' AS o", "ATTACH is refused"},
		{"DETACH DATABASE o", "DETACH is refused"},
		{"REINDEX", "REINDEX is refused"},
		{"ANALYZE", "ANALYZE is refused"},
		{"VACUUM", "VACUUM is refused"},
		{"BEGIN", "BEGIN is refused"},
		{"COMMIT", "COMMIT is refused"},
		{"ROLLBACK", "ROLLBACK is refused"},
		{"SAVEPOINT s", "SAVEPOINT is refused"},
		{"RELEASE s", "RELEASE is refused"},
		{"PRAGMA table_info(\"Case\")", "PRAGMA table_info is not allowed"},
		{"PRAGMA main.writable_schema = 1", "PRAGMA writable_schema is not allowed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_error(db, NULL, cases[i][0], CRMW_EACCESS, (const char *const[]){"INSUFFICIENT_ACCESS", cases[i][1], NULL});
	/* Reads still run, a WITH ... SELECT among them. */
	crmw_buf b = CRMW_BUF_INIT;
	const char *ok = "WITH r(x) AS (SELECT 1) SELECT x FROM r";
	assert_int_equal(crmw_query_sql(&b, db, ok, strlen(ok), NULL), CRMW_OK);
	assert_string_equal(b.data, "[{\"x\":1}]");
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* No value may be longer than the result may be (max_bytes). */
static void test_value_limit(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_bytes(o, 1000), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	const char *fits = "SELECT length(printf('%.*c', 900, 'a')) AS n";
	assert_int_equal(crmw_query_sql(&b, db, fits, strlen(fits), o), CRMW_OK);
	assert_string_equal(b.data, "[{\"n\":900}]");
	const char *const toobig[] = {"LIMIT_EXCEEDED", "larger than 1000 bytes", "max_bytes", NULL};
	expect_error(db, o, "SELECT length(printf('%.*c', 600, 'a') || printf('%.*c', 600, 'a')) AS n", CRMW_ELIMIT, toobig);
	expect_error(db, o, "SELECT length(replace(printf('%.*c', 600, 'a'), 'a', 'bb')) AS n", CRMW_ELIMIT, toobig);
	expect_error(db, o, "WITH r(x) AS (VALUES (1), (2), (3)) SELECT length(group_concat(printf('%.*c', 400, 'a'))) FROM r",
		     CRMW_ELIMIT, toobig);
	/* printf() gives NULL for a value over the limit, as SQLite does. */
	const char *pf = "SELECT printf('%.*c', 2000, 'a') IS NULL AS n";
	assert_int_equal(crmw_query_sql(&b, db, pf, strlen(pf), o), CRMW_OK);
	assert_string_equal(b.data, "[{\"n\":1}]");
	/* A wide row stops at the byte cap value by value. */
	expect_error(db, o, "SELECT printf('%.*c', 900, 'a') AS a, printf('%.*c', 900, 'b') AS b, printf('%.*c', 900, 'c') AS c",
		     CRMW_ELIMIT, (const char *const[]){"LIMIT_EXCEEDED", "the result is larger than 1000 bytes", NULL});
	/* SOQL: a literal longer than the limit. */
	char q[1400];
	snprintf(q, sizeof q, "SELECT Id FROM Case WHERE Subject = '%01100d'", 0);
	assert_int_equal(crmw_query(&b, db, q, strlen(q), o), CRMW_ELIMIT);
	assert_non_null(strstr(crmw_db_errmsg(db), "a value in the query is longer than 1000 bytes"));
	/* The attack: 20 values of 50 MB were built before the cap was looked at
	 * (2.9 GB); each is now SQLite's NULL for a value over the limit. */
	char big[2000] = "SELECT 1 AS x";
	for (int i = 0; i < 20; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), ", printf('%%.*c', 50000000, 'a') AS c%d", i);
	assert_int_equal(crmw_query_sql(&b, db, big, strlen(big), NULL), CRMW_OK);
	assert_non_null(strstr(b.data, "\"c0\":null"));
	assert_non_null(strstr(b.data, "\"c19\":null"));
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* Raw SQL: a bounded number of columns in one SELECT. */
static void test_raw_columns(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_buf b = CRMW_BUF_INIT;
	char sql[2000] = "SELECT 0 AS c0";
	for (int i = 1; i < 101; i++)
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", %d AS c%d", i, i);
	expect_error(db, NULL, sql, CRMW_ELIMIT, (const char *const[]){"LIMIT_EXCEEDED", "at most 100 columns", NULL});
	const char *wide = "SELECT * FROM \"Case\" a, \"Account\" b LIMIT 1";
	assert_int_equal(crmw_query_sql(&b, db, wide, strlen(wide), NULL), CRMW_OK);
	/* SOQL is not bound by it, and works after raw SQL as before. */
	json_t *v = run(db, "SELECT Subject FROM Case ORDER BY Subject", NULL);
	assert_int_equal(json_array_size(v), 3);
	json_decref(v);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}


/* ---------------------------------------------- regressions: query text */

/* The status of query q of n bytes, read from a heap copy of exactly its
 * bytes so that ASan sees any read past them. */
static int query_n(crmw_db *db, const char *q, size_t n, crmw_buf *out)
{
	char *h = malloc(n ? n : 1);
	assert_non_null(h);
	memcpy(h, q, n);
	int rc = crmw_query(out, db, h, n, NULL);
	free(h);
	return rc;
}

/* jansson takes UTF-8 only: a message that is not would be lost. */
static bool is_utf8(const char *s)
{
	json_t *j = json_string(s);
	json_decref(j);
	return j != NULL;
}

#define LIT(s) s, sizeof s - 1

/* Regression: the lexer quoted one byte of an unexpected character and of
 * an escaped one ('%c'): a curly quote (U+2019, three bytes), which models
 * write for ', gave a message that was not UTF-8, and a NUL byte ended the
 * message inside its quotes.  A whole character is quoted now, or the
 * code of a byte that starts none. */
static void test_regression_lexer_whole_character(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const struct {
		const char *q;
		size_t n;
		const char *msg;
	} cases[] = {
		{LIT("SELECT Id FROM Account WHERE Name = \xe2\x80\x99Ng\xe2\x80\x99"),
		 "unexpected character '\xe2\x80\x99' (line 1, column 37)"},
		{LIT("SELECT Id FROM Account WHERE Name = \xf0\x9f\x98\x80"), "unexpected character '\xf0\x9f\x98\x80'"},
		{LIT("SELECT Id FROM Account WHERE Name = 'N\\\xc3\xa9'"), "invalid escape sequence '\\\xc3\xa9' in a string"},
		/* a character cut by the end of the text, overlong, a surrogate */
		{LIT("SELECT Id FROM Account WHERE Name = \xe2\x80"), "unexpected character '\\xE2' (line 1, column 37)"},
		{LIT("SELECT Id FROM Account WHERE Name = 'N\\\xf0\x9f\x98"), "invalid escape sequence '\\\\xF0'"},
		{LIT("SELECT Id FROM Account WHERE Name = \xc0\xaf"), "unexpected character '\\xC0'"},
		{LIT("SELECT Id FROM Account WHERE Name = \xed\xa0\x80"), "unexpected character '\\xED'"},
		{LIT("SELECT Id FROM Account WHERE Name = \x80"), "unexpected character '\\x80'"},
		/* a NUL byte */
		{LIT("SELECT Id FROM Account WHERE Name = 'x' \0"), "unexpected character '\\x00' (line 1, column 41)"},
		{LIT("SELECT Id FROM Account WHERE Name = 'x\\\0'"), "invalid escape sequence '\\\\x00' in a string"},
		{LIT("FIND {x} \xe2\x80\x99"), "MALFORMED_SEARCH: unexpected character '\xe2\x80\x99' (line 1, column 10)"},
	};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(query_n(db, cases[i].q, cases[i].n, &b), CRMW_EQUERY);
		const char *msg = crmw_db_errmsg(db);
		if (!is_utf8(msg) || !strstr(msg, cases[i].msg))
			fail_msg("case %zu: '%s' does not contain '%s'", i, msg, cases[i].msg);
	}
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: an unexpected token is quoted by its first 40 bytes, and a
 * string or search text with a multi-byte character across byte 40 was cut
 * inside it (the message was not UTF-8).  Each character size at each
 * offset, in SOQL and SOSL. */
static void test_regression_token_cut(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80"};
	static const char *const heads[] = {"SELECT Id FROM Account '", "FIND {x} {"};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t h = 0; h < 2; h++)
		for (size_t c = 0; c < 3; c++)
			for (size_t pad = 0; pad < 4; pad++) {
				char q[200];
				int n = snprintf(q, sizeof q, "%s%.*s", heads[h], (int)pad, "aaa");
				for (int k = 0; k < 20; k++)
					n += snprintf(q + n, sizeof q - (size_t)n, "%s", chars[c]);
				n += snprintf(q + n, sizeof q - (size_t)n, "%s", h ? "}" : "'");
				assert_int_equal(query_n(db, q, (size_t)n, &b), CRMW_EQUERY);
				const char *msg = crmw_db_errmsg(db);
				if (!is_utf8(msg) || !strstr(msg, "unexpected '"))
					fail_msg("%zu/%zu/%zu: %s", h, c, pad, msg);
			}
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: the query is taken by length, but a string literal or search
 * text went on as a C string: a NUL byte in it cut the value there, so
 * Name = 'Ng<NUL>zz' matched the account Ng and FIND {Ng<NUL> zz} searched
 * for Ng alone.  And the datetime scan took a NUL byte for one of ":.Z+-"
 * (strchr finds the terminator), then quoted the literal as invalid up to
 * the NUL, i.e. a valid one.  Such queries are refused now. */
static void test_regression_nul_in_token(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const struct {
		const char *q;
		size_t n;
		const char *msg;
	} cases[] = {
		{LIT("SELECT Id FROM Account WHERE Name = 'Ng\0zz'"), "a string literal cannot contain a NUL byte (line 1, column 37)"},
		{LIT("SELECT Id FROM Account WHERE Name = 'Ng\0"), "unterminated string literal"},
		{LIT("FIND {Ng\0 zz}"), "search text cannot contain a NUL byte (line 1, column 6)"},
		{LIT("FIND {Ng\\\0 zz}"), "search text cannot contain a NUL byte"},
		{LIT("FIND 'Ng\0 zz'"), "a string literal cannot contain a NUL byte"},
		{LIT("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T10:00:00Z\0"),
		 "unexpected character '\\x00' (line 1, column 64)"},
		{LIT("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T\0"), "invalid datetime literal '2024-01-01T'"},
	};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = query_n(db, cases[i].q, cases[i].n, &b);
		const char *msg = rc ? crmw_db_errmsg(db) : b.data;
		if (rc != CRMW_EQUERY || !strstr(msg, cases[i].msg))
			fail_msg("case %zu: rc %d, '%s' does not contain '%s'", i, rc, msg, cases[i].msg);
	}
	/* the same value without the NUL still matches */
	json_t *v = run(db, "SELECT Id FROM Account WHERE Name = 'Ng'", NULL);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: a misplaced SOSL wildcard quoted the whole term before it,
 * however long; the message buffer (600 bytes) then cut a long term inside
 * a multi-byte character (not UTF-8) and lost the wildcard and the
 * position.  Wildcards inside terms are searched now (issue 29); a term too
 * long for one is refused without quoting it, and one that starts with a
 * wildcard is quoted at most 60 bytes, whole characters. */
static void test_regression_sosl_wildcard_term(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80"};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t c = 0; c < 3; c++)
		for (size_t pad = 0; pad < 4; pad++) {
			char q[2000];
			int n = snprintf(q, sizeof q, "FIND {%.*s", (int)pad, "aaa");
			for (int k = 0; k < 400; k++)
				n += snprintf(q + n, sizeof q - (size_t)n, "%s", chars[c]);
			n += snprintf(q + n, sizeof q - (size_t)n, "?}");
			assert_int_equal(query_n(db, q, (size_t)n, &b), CRMW_EQUERY);
			const char *msg = crmw_db_errmsg(db);
			if (!is_utf8(msg) || !strstr(msg, "too long (at most 63 characters) (line 1, column 6)") || strlen(msg) > 200)
				fail_msg("%zu/%zu: %s", c, pad, msg);
			/* a term that starts with a wildcard is quoted, cut between characters */
			n = snprintf(q, sizeof q, "FIND {?%.*s", (int)pad, "aaa");
			for (int k = 0; k < 400; k++)
				n += snprintf(q + n, sizeof q - (size_t)n, "%s", chars[c]);
			n += snprintf(q + n, sizeof q - (size_t)n, "}");
			assert_int_equal(query_n(db, q, (size_t)n, &b), CRMW_EQUERY);
			msg = crmw_db_errmsg(db);
			if (!is_utf8(msg) || !strstr(msg, "a wildcard cannot start a term ('?") || strlen(msg) > 200)
				fail_msg("%zu/%zu: %s", c, pad, msg);
		}
	/* wildcards inside a term are searched since issue 29 */
	const char *q = "FIND {Zi?per}";
	assert_int_equal(query_n(db, q, strlen(q), &b), CRMW_OK);
	assert_non_null(strstr(b.data, "\"Case\":[{\"Id\":"));
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: a string compared with an Id field that is no Id was quoted
 * whole in the message, however long; the compiler's message buffer (800
 * bytes) then cut it inside a multi-byte character (not UTF-8) and lost the
 * position.  At most 40 bytes of it are quoted now, whole characters. */
static void test_regression_invalid_id_value(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80"};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t c = 0; c < 3; c++)
		for (size_t pad = 0; pad < 4; pad++) {
			char q[2500];
			int n = snprintf(q, sizeof q, "SELECT Id FROM Account WHERE Id = '%.*s", (int)pad, "aaa");
			for (int k = 0; k < 500; k++)
				n += snprintf(q + n, sizeof q - (size_t)n, "%s", chars[c]);
			n += snprintf(q + n, sizeof q - (size_t)n, "'");
			assert_int_equal(query_n(db, q, (size_t)n, &b), CRMW_EQUERY);
			const char *msg = crmw_db_errmsg(db);
			if (!is_utf8(msg) || !strstr(msg, "invalid ID field: '") || !strstr(msg, "' (line 1, column 35)"))
				fail_msg("%zu/%zu: %s", c, pad, msg);
		}
	const char *q = "SELECT Id FROM Account WHERE Id = 'not an id'";
	assert_int_equal(query_n(db, q, strlen(q), &b), CRMW_EQUERY);
	assert_non_null(strstr(crmw_db_errmsg(db), "invalid ID field: 'not an id' (line 1, column 35)"));
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: raw SQL with a second statement is refused with the first 40
 * bytes of the text ('%.40s'), which cut a multi-byte character across byte
 * 40 in half (the message was not UTF-8).  From heap copies of exactly the
 * text's bytes. */
static void test_regression_raw_sql_cut(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80"};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t c = 0; c < 3; c++)
		for (size_t pad = 0; pad < 4; pad++) {
			char q[200];
			int n = snprintf(q, sizeof q, "SELECT '%.*s", (int)(28 + pad), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
			for (int k = 0; k < 4; k++)
				n += snprintf(q + n, sizeof q - (size_t)n, "%s", chars[c]);
			n += snprintf(q + n, sizeof q - (size_t)n, "'; SELECT 1");
			char *h = malloc((size_t)n);
			assert_non_null(h);
			memcpy(h, q, (size_t)n);
			assert_int_equal(crmw_query_sql(&b, db, h, (size_t)n, NULL), CRMW_EACCESS);
			free(h);
			const char *msg = crmw_db_errmsg(db);
			if (!is_utf8(msg) || !strstr(msg, "one statement at a time (found more after 'SELECT 'aaaa"))
				fail_msg("%zu/%zu: %s", c, pad, msg);
		}
	const char *q = "SELECT 1; SELECT 2";
	assert_int_equal(crmw_query_sql(&b, db, q, strlen(q), NULL), CRMW_EACCESS);
	assert_non_null(strstr(crmw_db_errmsg(db), "(found more after 'SELECT 1; SELECT 2')"));
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: subqueries in the SELECT list and functions inside functions
 * were read by recursion with no bound (only conditions had one), so
 * SELECT (SELECT (SELECT ... 300 deep (2.4 kB; a level holds the 256 items
 * of a SELECT on the stack) and DAY_ONLY(DAY_ONLY(... 100000 deep overflowed
 * the stack.  Both count towards the bound of conditions now. */
static void test_regression_nesting_bound(void **state)
{
	(void)state;
	crmw_db *db = org();
	static const struct {
		const char *unit;
		size_t n;
		const char *msg;
	} cases[] = {
		{"(SELECT ", 300, "subqueries nest too deeply (at most 5 levels of SELECT)"},
		{"DAY_ONLY(", 100000, "functions nest at most two deep"},
	};
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t u = strlen(cases[i].unit), n = 7 + u * cases[i].n;
		char *q = malloc(n);
		assert_non_null(q);
		memcpy(q, "SELECT ", 7);
		for (size_t k = 0; k < cases[i].n; k++)
			memcpy(q + 7 + k * u, cases[i].unit, u);
		assert_int_equal(query_n(db, q, n, &b), CRMW_EQUERY);
		free(q);
		if (!strstr(crmw_db_errmsg(db), cases[i].msg))
			fail_msg("case %zu: '%s' does not contain '%s'", i, crmw_db_errmsg(db), cases[i].msg);
	}
	/* what nests within the bounds is read as before */
	const char *three = "SELECT DAY_ONLY(DAY_ONLY(DAY_ONLY(CreatedDate))) FROM Case";
	assert_int_equal(query_n(db, three, strlen(three), &b), CRMW_EQUERY);
	assert_non_null(strstr(crmw_db_errmsg(db), "functions nest at most two deep (line 1, column 26)"));
	json_t *v = run(db, "SELECT COUNT_DISTINCT(DAY_ONLY(CreatedDate)) n FROM Case", NULL);
	json_decref(v);
	const char *sub = "SELECT Id, (SELECT Id, (SELECT Id FROM Cases) FROM Cases) FROM Account";
	assert_int_equal(query_n(db, sub, strlen(sub), &b), CRMW_EQUERY);
	assert_null(strstr(crmw_db_errmsg(db), "too deeply"));
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

/* Regression: LIMIT, OFFSET and the n of LAST_N_DAYS:n were read from a
 * copy of the number's first 20 characters, so LIMIT 000000000000000000001
 * (21) ran as LIMIT 0 and LIMIT 00000000000000000000.5 was taken for a
 * whole number.  The whole token is read now. */
static void test_regression_count_digits(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Subject FROM Case ORDER BY Subject LIMIT 000000000000000000001 OFFSET 0000000000000000000001";
	assert_int_equal(query_n(db, q, strlen(q), &b), CRMW_OK);
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_int_equal(json_array_size(v), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "Subject")), "Secret stuff");
	json_decref(v);
	static const struct {
		const char *q, *msg;
	} bad[] = {
		{"SELECT Id FROM Case LIMIT 00000000000000000000.5", "LIMIT must be a whole number, not 00000000000000000000.5"},
		{"SELECT Id FROM Case OFFSET 000000000000000000001e3", "OFFSET must be a whole number"},
		{"SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS:00000000000000000001e9", "n must be a whole number"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = query_n(db, bad[i].q, strlen(bad[i].q), &b);
		if (rc != CRMW_EQUERY || !strstr(crmw_db_errmsg(db), bad[i].msg))
			fail_msg("case %zu: rc %d, %s", i, rc, crmw_db_errmsg(db));
	}
	v = run(db, "SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:00000000000000000007", NULL);
	assert_int_equal(json_integer_value(json_object_get(v, "totalSize")), 1);
	json_decref(v);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_basic_and_today),
		cmocka_unit_test(test_errors_keep_output),
		cmocka_unit_test(test_explain_binds_literals),
		cmocka_unit_test(test_cache_and_schema_change),
		cmocka_unit_test(test_search_follows_writes),
		cmocka_unit_test(test_budgets),
		cmocka_unit_test(test_readonly_handle),
		cmocka_unit_test(test_regression_lexer_whole_character),
		cmocka_unit_test(test_regression_token_cut),
		cmocka_unit_test(test_regression_nul_in_token),
		cmocka_unit_test(test_regression_sosl_wildcard_term),
		cmocka_unit_test(test_regression_invalid_id_value),
		cmocka_unit_test(test_regression_raw_sql_cut),
		cmocka_unit_test(test_regression_nesting_bound),
		cmocka_unit_test(test_regression_count_digits),
		cmocka_unit_test(test_refusals_name_statement),
		cmocka_unit_test(test_value_limit),
		cmocka_unit_test(test_raw_columns),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
