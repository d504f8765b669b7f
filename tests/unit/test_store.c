/*
 * Unit tests of the org store: create/open, ids, records, values, bulk
 * loads, import and export.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include <crmweaver.h>

#include "store/internal.h" /* crmw__id_make, crmw__id_counter_of, id counters */

static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/crmw-store-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path_in(const char *name)
{
	static char p[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
	return p[k];
}

static crmw_db *mkdb(const char *set, const char *path, const char *opts)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, set), CRMW_OK);
	crmw_db *db = NULL;
	int rc = crmw_db_create(&db, path, s, opts);
	if (rc)
		fail_msg("create: %s", crmw_last_error());
	crmw_schema_free(s);
	return db;
}

#define INS(db, obj, json, idbuf) ins((db), (obj), (json), (idbuf), __LINE__)
static void ins(crmw_db *db, const char *obj, const char *json, crmw_buf *id, int line)
{
	int rc = crmw_record_insert(id, db, obj, json, strlen(json));
	if (rc)
		fail_msg("line %d: insert %s: %s", line, obj, crmw_db_errmsg(db));
}

static json_t *get(crmw_db *db, const char *obj, const char *id)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_record_get(&b, db, obj, id);
	if (rc)
		fail_msg("get %s %s: %s", obj, id, crmw_db_errmsg(db));
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&b);
	return v;
}

static int64_t count(crmw_db *db, const char *obj)
{
	int64_t n = -1;
	assert_int_equal(crmw_db_count(&n, db, obj), CRMW_OK);
	return n;
}

static void expect_fail(crmw_db *db, int rc, int want, const char *needle)
{
	if (rc != want || !strstr(crmw_db_errmsg(db), needle))
		fail_msg("rc %d '%s', want %d containing '%s'", rc, crmw_db_errmsg(db), want, needle);
}

/* A small crmarena org: a user, an account, a contact, a case. */
typedef struct org {
	crmw_db *db;
	crmw_buf user, account, contact, kase;
} org;

static void mkorg(org *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->db = mkdb("crmarena", path, "{\"id_seed\":7,\"overwrite\":true}");
	INS(o->db, "User", "{\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Username\":\"ada@example.com\"}", &o->user);
	INS(o->db, "Account", "{\"FirstName\":\"Bo\",\"LastName\":\"Chen\",\"ShippingState\":\"CA\"}", &o->account);
	char json[256];
	snprintf(json, sizeof json, "{\"LastName\":\"Chen\",\"AccountId\":\"%s\",\"OwnerId\":\"%s\"}",
		 o->account.data, o->user.data);
	INS(o->db, "Contact", json, &o->contact);
	snprintf(json, sizeof json,
		 "{\"Subject\":\"Zipper broke\",\"Status\":\"New\",\"AccountId\":\"%s\",\"ContactId\":\"%s\","
		 "\"OwnerId\":\"%s\",\"CreatedDate\":\"2024-05-26T06:58:00.000+0000\"}",
		 o->account.data, o->contact.data, o->user.data);
	INS(o->db, "Case", json, &o->kase);
}

static void org_free(org *o)
{
	crmw_db_free(o->db);
	crmw_buf_dispose(&o->user);
	crmw_buf_dispose(&o->account);
	crmw_buf_dispose(&o->contact);
	crmw_buf_dispose(&o->kase);
}

/* ------------------------------------------------------------------ ids */

static void test_ids(void **state)
{
	(void)state;
	char id[19];
	assert_int_equal(crmw_id_to18(id, "001aaaaaaaaaaaa"), CRMW_OK);
	assert_string_equal(id, "001aaaaaaaaaaaaAAA"); /* no upper case: suffix AAA */
	assert_int_equal(crmw_id_to18(id, "001AAAAAAAAAAAA"), CRMW_OK);
	/* First chunk "001AA": bits 3,4 -> 24 = 'Y'; the rest all upper: 31 = '5'. */
	assert_string_equal(id, "001AAAAAAAAAAAAY55");
	assert_true(crmw_id_valid("001AAAAAAAAAAAAY55", 0));
	assert_false(crmw_id_valid("001AAAAAAAAAAAAY56", 0));
	assert_false(crmw_id_valid("001AAAAAAAAAAAA", 0));
	assert_true(crmw_id_valid("001AAAAAAAAAAAA", 1));
	assert_false(crmw_id_valid("001AAAAAAAAAA-AY55", 0));
	assert_false(crmw_id_valid(NULL, 1));
	assert_int_equal(crmw_id_to18(id, "short"), CRMW_EINVALID);
	assert_int_equal(crmw_id_to18(id, "001aaaaaaaaaa!a"), CRMW_EINVALID);
}

/* Generated ids decode back to their counter; ids of another seed, prefix
 * or suffix, or not generated at all, do not. */
static void test_id_counter_of(void **state)
{
	(void)state;
	const int64_t counters[] = {0, 1, 61, 62, 12345, (int64_t)1 << 40};
	crmw_idform f42, f43, fcase;
	crmw__id_form(&f42, "001", 42);
	crmw__id_form(&f43, "001", 43);
	crmw__id_form(&fcase, "500", 42);
	assert_true(memcmp(f42.head, f43.head, 5) != 0); /* the seeds differ in the id */
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		char id[19];
		int64_t c = -1;
		crmw__id_make(id, "001", 42, counters[i]);
		assert_true(crmw__id_counter_of(id, &f42, &c));
		assert_int_equal(c, counters[i]);
		assert_false(crmw__id_counter_of(id, &f43, &c));
		assert_false(crmw__id_counter_of(id, &fcase, &c));
		id[17] = id[17] == 'A' ? 'B' : 'A'; /* a wrong case suffix */
		assert_false(crmw__id_counter_of(id, &f42, &c));
	}
	int64_t c;
	assert_false(crmw__id_counter_of("001aaaaaaaaaaaaAAA", &f42, &c));
}

static void test_generated_ids_deterministic(void **state)
{
	(void)state;
	crmw_buf a1 = CRMW_BUF_INIT, a2 = CRMW_BUF_INIT, b1 = CRMW_BUF_INIT, c1 = CRMW_BUF_INIT;
	crmw_db *x = mkdb("b2b", ":memory:", "{\"id_seed\":42}");
	crmw_db *y = mkdb("b2b", ":memory:", "{\"id_seed\":42}");
	crmw_db *z = mkdb("b2b", ":memory:", "{\"id_seed\":43}");
	INS(x, "Account", "{\"Name\":\"Acme\"}", &a1);
	INS(x, "Account", "{\"Name\":\"Beta\"}", &a2);
	INS(y, "Account", "{\"Name\":\"Other\"}", &b1);
	INS(z, "Account", "{\"Name\":\"Acme\"}", &c1);
	assert_int_equal(a1.len, 18);
	assert_true(strncmp(a1.data, "001", 3) == 0);
	assert_true(crmw_id_valid(a1.data, 0));
	assert_string_not_equal(a1.data, a2.data);
	assert_string_equal(a1.data, b1.data); /* same seed, same order */
	assert_string_not_equal(a1.data, c1.data);
	/* Ids grow with the counter, like Salesforce's. */
	assert_true(strncmp(a1.data, a2.data, 15) < 0);
	crmw_db_free(x);
	crmw_db_free(y);
	crmw_db_free(z);
	crmw_buf_dispose(&a1);
	crmw_buf_dispose(&a2);
	crmw_buf_dispose(&b1);
	crmw_buf_dispose(&c1);
}

/* ----------------------------------------------------- create and open */

static void test_create_open(void **state)
{
	(void)state;
	const char *p = path_in("org.db");
	org o;
	mkorg(&o, p);
	crmw_db_free(o.db);
	o.db = NULL;

	crmw_db *db = NULL;
	assert_int_equal(crmw_db_open(&db, p, CRMW_DB_READONLY), CRMW_OK);
	assert_string_equal(crmw_schema_name(crmw_db_schema(db)), "crmarena");
	assert_int_equal(crmw_schema_object_count(crmw_db_schema(db)), 16);
	assert_int_equal(count(db, "Case"), 1);
	json_t *c = get(db, "Case", o.kase.data);
	assert_string_equal(json_string_value(json_object_get(c, "CreatedDate")), "2024-05-26T06:58:00Z");
	json_decref(c);
	/* Read-only handles refuse writes. */
	expect_fail(db, crmw_record_insert(NULL, db, "User", "{\"LastName\":\"X\"}", 16), CRMW_EACCESS, "read-only");
	crmw_db_free(db);

	/* The storage layout: one table per object, Id TEXT PRIMARY KEY. */
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open_v2(p, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT \"Id\", \"Subject\", \"CreatedDate\" FROM \"Case\"", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), o.kase.data);
	assert_string_equal((const char *)sqlite3_column_text(st, 2), "2024-05-26T06:58:00Z");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name = 'crmw_ix_Case_AccountId'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(raw);

	/* Reopen read-write: generated ids continue without collisions. */
	assert_int_equal(crmw_db_open(&db, p, 0), CRMW_OK);
	crmw_buf id = CRMW_BUF_INIT;
	INS(db, "User", "{\"LastName\":\"Second\"}", &id);
	assert_string_not_equal(id.data, o.user.data);
	crmw_buf_dispose(&id);
	crmw_db_free(db);

	/* Create refuses an existing file unless told to overwrite. */
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2c"), CRMW_OK);
	assert_int_equal(crmw_db_create(&db, p, s, NULL), CRMW_EEXISTS);
	assert_null(db);
	assert_int_equal(crmw_db_create(&db, p, s, "{\"overwrite\":true}"), CRMW_OK);
	assert_int_equal(crmw_schema_object_count(crmw_db_schema(db)), 27);
	crmw_db_free(db);
	assert_int_equal(crmw_db_create(&db, p, s, "{\"bogus\":1}"), CRMW_EINVALID);
	/* the options of every call are read one way (crmw__json_options): the
	 * same mistake, the same code and wording, here and in crmw_bulk_begin */
	assert_int_equal(crmw_db_create(&db, p, s, "{\"overwrite\":tru}"), CRMW_EFORMAT);
	assert_non_null(strstr(crmw_last_error(), "crmw_db_create options are not JSON"));
	assert_int_equal(crmw_db_create(&db, p, s, "[true]"), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_db_create options must be a JSON object");
	assert_int_equal(crmw_db_create(&db, p, s, "{\"overwrit\":true}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "did you mean \"overwrite\""));
	assert_int_equal(crmw_db_create(&db, p, s, "{\"overwrite\":1}"), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_db_create options: \"overwrite\" must be true or false");
	assert_int_equal(crmw_db_create(&db, p, s, "{\"id_seed\":\"7\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_db_create(&db, p, s, "{\"currency\":\"a currency code far too long\"}"), CRMW_EINVALID);
	assert_null(db);
	assert_int_equal(crmw_db_open(&db, p, 0), CRMW_OK);
	crmw_bulk *bk = NULL;
	assert_int_equal(crmw_bulk_begin(&bk, db, "{\"exclusive\":tru}"), CRMW_EFORMAT);
	assert_non_null(strstr(crmw_db_errmsg(db), "crmw_bulk_begin options are not JSON"));
	assert_int_equal(crmw_bulk_begin(&bk, db, "[true]"), CRMW_EINVALID);
	assert_int_equal(crmw_bulk_begin(&bk, db, "{\"exclusiv\":true}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_db_errmsg(db), "did you mean \"exclusive\""));
	assert_int_equal(crmw_bulk_begin(&bk, db, "{\"exclusive\":\"yes\"}"), CRMW_EINVALID);
	assert_string_equal(crmw_db_errmsg(db), "crmw_bulk_begin options: \"exclusive\" must be true or false");
	assert_null(bk);
	assert_int_equal(crmw_bulk_begin(&bk, db, ""), CRMW_OK);
	crmw_bulk_free(bk);
	crmw_db_free(db);
	db = NULL;
	assert_int_equal(crmw_db_create(&db, p, s, "{\"now\":\"yesterday\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_db_create(&db, path_in("now.db"), s, "{\"now\":\"2025-01-02T03:04:05+0100\"}"), CRMW_OK);
	assert_string_equal(crmw_db_now(db), "2025-01-02T02:04:05Z");
	crmw_db_free(db);
	assert_int_equal(crmw_db_open(&db, path_in("now.db"), CRMW_DB_READONLY), CRMW_OK);
	assert_string_equal(crmw_db_now(db), "2025-01-02T02:04:05Z");
	crmw_db_free(db);
	crmw_schema_free(s);
	org_free(&o);
}

static void test_open_errors(void **state)
{
	(void)state;
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_open(&db, path_in("missing.db"), 0), CRMW_ENOTFOUND);
	assert_null(db);
	/* A SQLite file that is not an org. */
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(path_in("plain.db"), &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(crmw_db_open(&db, path_in("plain.db"), 0), CRMW_ECORRUPT);
	assert_non_null(strstr(crmw_last_error(), "not a libcrmweaver org database"));
	/* Not SQLite at all. */
	FILE *f = fopen(path_in("junk.db"), "w");
	fputs("this is not a database, just some text that goes on for a while........", f);
	fclose(f);
	assert_int_equal(crmw_db_open(&db, path_in("junk.db"), 0), CRMW_ECORRUPT);
	assert_int_equal(crmw_db_open(&db, path_in("missing.db"), 0x80), CRMW_EINVALID);
}

/* ------------------------------------------------------------ records */

static void test_values_normalised(void **state)
{
	(void)state;
	crmw_db *db = mkdb("b2b", ":memory:", NULL);
	crmw_buf acc = CRMW_BUF_INIT, opp = CRMW_BUF_INIT, ev = CRMW_BUF_INIT, ct = CRMW_BUF_INIT;
	INS(db, "Account", "{\"Name\":\"Acme\",\"NumberOfEmployees\":\"250\",\"Industry\":\"Space Mining\"}", &acc);
	char json[512];
	snprintf(json, sizeof json,
		 "{\"Name\":\"Deal\",\"AccountId\":\"%s\",\"StageName\":\"Discovery\",\"Amount\":\"1234.5\","
		 "\"Probability\":40,\"CloseDate\":\"2024-02-29\",\"CreatedDate\":\"2024-01-31T23:30:00-05:00\"}",
		 acc.data);
	INS(db, "Opportunity", json, &opp);
	snprintf(json, sizeof json,
		 "{\"WhatId\":\"%s\",\"IsAllDayEvent\":\"TRUE\",\"DurationInMinutes\":30.0,"
		 "\"StartDateTime\":\"2024-03-01 09:15\"}", opp.data);
	INS(db, "Event", json, &ev);
	/* A 15-character reference is widened to 18. */
	snprintf(json, sizeof json, "{\"AccountId\":\"%.15s\",\"CustomerSignedDate\":\"2024-03-01T00:00:00Z\"}", acc.data);
	INS(db, "Contract", json, &ct);

	json_t *a = get(db, "Account", acc.data);
	assert_int_equal(json_integer_value(json_object_get(a, "NumberOfEmployees")), 250);
	/* Industry is an unrestricted picklist: other values are kept. */
	assert_string_equal(json_string_value(json_object_get(a, "Industry")), "Space Mining");
	assert_true(json_is_null(json_object_get(a, "Phone")));
	json_decref(a);
	json_t *o = get(db, "Opportunity", opp.data);
	assert_true(json_real_value(json_object_get(o, "Amount")) == 1234.5);
	assert_true(json_number_value(json_object_get(o, "Probability")) == 40.0);
	assert_string_equal(json_string_value(json_object_get(o, "CloseDate")), "2024-02-29");
	assert_string_equal(json_string_value(json_object_get(o, "CreatedDate")), "2024-02-01T04:30:00Z");
	json_decref(o);
	json_t *e = get(db, "Event", ev.data);
	assert_true(json_is_true(json_object_get(e, "IsAllDayEvent")));
	assert_int_equal(json_integer_value(json_object_get(e, "DurationInMinutes")), 30);
	assert_string_equal(json_string_value(json_object_get(e, "StartDateTime")), "2024-03-01T09:15:00Z");
	json_decref(e);
	json_t *c = get(db, "Contract", ct.data);
	assert_string_equal(json_string_value(json_object_get(c, "AccountId")), acc.data);
	assert_string_equal(json_string_value(json_object_get(c, "CustomerSignedDate")), "2024-03-01");
	json_decref(c);
	crmw_buf_dispose(&acc);
	crmw_buf_dispose(&opp);
	crmw_buf_dispose(&ev);
	crmw_buf_dispose(&ct);
	crmw_db_free(db);
}

static void test_bad_values(void **state)
{
	(void)state;
	org o;
	mkorg(&o, ":memory:");
	crmw_db *db = o.db;
	int64_t cases = count(db, "Case");
	char json[512];
	const struct { const char *obj, *json; int code; const char *needle; } bad[] = {
		{"Case", "{\"Subjct\":\"x\"}", CRMW_ESCHEMA, "no field 'Subjct' on object 'Case' (did you mean 'Subject'?)"},
		{"Case", "{\"CreatedDate\":\"2024-13-01T00:00:00Z\"}", CRMW_ESCHEMA, "field 'CreatedDate': '2024-13-01T00:00:00Z' is not a valid datetime"},
		{"Case", "{\"CreatedDate\":\"2023-02-29T00:00:00Z\"}", CRMW_ESCHEMA, "'2023-02-29T00:00:00Z' is not a valid datetime"},
		{"Case", "{\"ClosedDate\":\"yesterday\"}", CRMW_ESCHEMA, "field 'ClosedDate'"},
		{"Order", "{\"Status\":\"Shipped\"}", CRMW_ESCHEMA, "field 'Status': 'Shipped' is not one of the field's picklist values"},
		{"Order", "{\"EffectiveDate\":\"2024-01-01T10:00:00Z\"}", CRMW_ESCHEMA, "not a valid date"},
		{"Product2", "{\"IsActive\":\"maybe\"}", CRMW_ESCHEMA, "'maybe' is not a boolean"},
		{"OrderItem", "{\"Quantity\":\"lots\"}", CRMW_ESCHEMA, "'lots' is not a number"},
		{"OrderItem", "{\"Quantity\":[1]}", CRMW_ESCHEMA, "arrays are not field values"},
		{"Case", "{\"AccountId\":\"001000000000000AAB\"}", CRMW_ESCHEMA, "is not a valid 18-character record id"},
		{"Case", "{\"AccountId\":\"003aaaaaaaaaaaaAAA\"}", CRMW_ESCHEMA, "is not the id of a Account record"},
		{"Case", "{\"AccountId\":\"001aaaaaaaaaaaaAAA\"}", CRMW_ESCHEMA, "no record with Id '001aaaaaaaaaaaaAAA' (dangling reference)"},
		{"Case", "{\"Id\":\"001aaaaaaaaaaaaAAA\"}", CRMW_ESCHEMA, "does not start with Case's key prefix 500"},
		{"User", "{\"FirstName\":\"NoLast\"}", CRMW_ESCHEMA, "required field 'LastName' is missing"},
		{"User", "{\"LastName\":\"Dup\",\"Username\":\"ada@example.com\"}", CRMW_EEXISTS, "field 'Username' must be unique"},
		{"User", "{\"LastName\":\"X\",\"Email\":\"not-an-address\"}", CRMW_ESCHEMA, "is not an e-mail address"},
		{"User", "[1,2]", CRMW_EFORMAT, "a record must be a JSON object"},
		{"User", "{\"LastName\":", CRMW_EFORMAT, "bad JSON"},
		{"Nope", "{}", CRMW_ENOTFOUND, "no object 'Nope'"},
		{"User", "{\"LastName\":\"a\",\"lastname\":\"b\"}", CRMW_ESCHEMA, "given twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = crmw_record_insert(NULL, db, bad[i].obj, bad[i].json, strlen(bad[i].json));
		if (rc != bad[i].code || !strstr(crmw_db_errmsg(db), bad[i].needle))
			fail_msg("case %zu: rc %d '%s'", i, rc, crmw_db_errmsg(db));
	}
	/* Duplicate Id. */
	snprintf(json, sizeof json, "{\"Id\":\"%s\",\"Subject\":\"again\"}", o.kase.data);
	expect_fail(db, crmw_record_insert(NULL, db, "Case", json, strlen(json)), CRMW_EEXISTS, "already exists");
	/* Nothing was written by any failure. */
	assert_int_equal(count(db, "Case"), cases);
	assert_int_equal(count(db, "User"), 1);
	org_free(&o);
}

static void test_update_upsert_delete(void **state)
{
	(void)state;
	org o;
	mkorg(&o, ":memory:");
	crmw_db *db = o.db;
	const char *upd = "{\"Status\":\"Closed\",\"ClosedDate\":\"2024-05-27T08:00:00Z\",\"Description\":null}";
	assert_int_equal(crmw_record_update(db, "Case", o.kase.data, upd, strlen(upd)), CRMW_OK);
	json_t *c = get(db, "Case", o.kase.data);
	assert_string_equal(json_string_value(json_object_get(c, "Status")), "Closed");
	assert_string_equal(json_string_value(json_object_get(c, "Subject")), "Zipper broke"); /* kept */
	assert_string_equal(json_string_value(json_object_get(c, "ClosedDate")), "2024-05-27T08:00:00Z");
	json_decref(c);

	expect_fail(db, crmw_record_update(db, "Case", "500aaaaaaaaaaaaAAA", upd, strlen(upd)), CRMW_ENOTFOUND, "no Case record");
	const char *clear = "{\"LastName\":null}";
	expect_fail(db, crmw_record_update(db, "User", o.user.data, clear, strlen(clear)), CRMW_ESCHEMA, "cannot be cleared");
	const char *dangling = "{\"OwnerId\":\"005aaaaaaaaaaaaAAA\"}";
	expect_fail(db, crmw_record_update(db, "Case", o.kase.data, dangling, strlen(dangling)), CRMW_ESCHEMA, "dangling");
	const char *other_id = "{\"Id\":\"500aaaaaaaaaaaaAAA\"}";
	expect_fail(db, crmw_record_update(db, "Case", o.kase.data, other_id, strlen(other_id)), CRMW_ESCHEMA, "cannot change");

	/* Upsert: update when the Id exists, insert when not. */
	char json[256];
	crmw_buf id = CRMW_BUF_INIT;
	snprintf(json, sizeof json, "{\"Id\":\"%s\",\"Priority\":\"High\"}", o.kase.data);
	assert_int_equal(crmw_record_upsert(&id, db, "Case", json, strlen(json)), CRMW_OK);
	assert_string_equal(id.data, o.kase.data);
	c = get(db, "Case", o.kase.data);
	assert_string_equal(json_string_value(json_object_get(c, "Priority")), "High");
	assert_string_equal(json_string_value(json_object_get(c, "Status")), "Closed");
	json_decref(c);
	const char *fresh = "{\"Id\":\"500aaaaaaaaaaabAAA\",\"Subject\":\"new\"}";
	assert_int_equal(crmw_record_upsert(&id, db, "Case", fresh, strlen(fresh)), CRMW_OK);
	assert_string_equal(id.data, "500aaaaaaaaaaabAAA");
	assert_int_equal(count(db, "Case"), 2);

	/* Delete: refused while referenced, allowed once free. */
	expect_fail(db, crmw_record_delete(db, "Account", o.account.data), CRMW_ESCHEMA, "is referenced by");
	assert_int_equal(count(db, "Account"), 1);
	assert_int_equal(crmw_record_delete(db, "Case", "500aaaaaaaaaaabAAA"), CRMW_OK);
	expect_fail(db, crmw_record_delete(db, "Case", "500aaaaaaaaaaabAAA"), CRMW_ENOTFOUND, "no Case record");
	assert_int_equal(count(db, "Case"), 1);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_record_get(&b, db, "Case", "500aaaaaaaaaaabAAA"), CRMW_ENOTFOUND);
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&id);
	org_free(&o);
}

static void test_iterate(void **state)
{
	(void)state;
	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	for (int i = 0; i < 25; i++) {
		char json[64];
		snprintf(json, sizeof json, "{\"Name\":\"Issue %02d\"}", i);
		INS(db, "Issue__c", json, NULL);
	}
	crmw_record_iter *it = NULL;
	assert_int_equal(crmw_record_iter_new(&it, db, "issue__c"), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	int n = 0, r;
	char last[19] = "";
	while ((r = crmw_record_iter_next(&b, it)) == 1) {
		json_t *v = json_loadb(b.data, b.len, 0, NULL);
		assert_non_null(v);
		const char *id = json_string_value(json_object_get(v, "Id"));
		assert_true(strcmp(last, id) < 0); /* Id order */
		snprintf(last, sizeof last, "%s", id);
		json_decref(v);
		n++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(crmw_record_iter_next(&b, it), 0);
	assert_int_equal(n, 25);
	crmw_record_iter_free(it);
	assert_int_equal(crmw_record_iter_new(&it, db, "Nope"), CRMW_ENOTFOUND);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

static void test_runtime_schema_changes(void **state)
{
	(void)state;
	const char *p = path_in("custom.db");
	crmw_db *db = mkdb("crmarena", p, "{\"overwrite\":true}");
	const char *obj = "{\"name\":\"Survey__c\",\"key_prefix\":\"a50\",\"fields\":["
			  "{\"name\":\"CaseId__c\",\"type\":\"reference\",\"references\":[\"Case\"]},"
			  "{\"name\":\"Score__c\",\"type\":\"int\"}]}";
	assert_int_equal(crmw_db_add_object(db, obj, strlen(obj)), CRMW_OK);
	crmw_buf id = CRMW_BUF_INIT;
	INS(db, "Survey__c", "{\"Score__c\":5}", &id);
	assert_true(strncmp(id.data, "a50", 3) == 0);
	const char *fld = "{\"name\":\"Comment__c\",\"type\":\"textarea\"}";
	assert_int_equal(crmw_db_add_field(db, "Survey__c", fld, strlen(fld)), CRMW_OK);
	INS(db, "Survey__c", "{\"Score__c\":4,\"Comment__c\":\"fine\"}", NULL);
	const char *req = "{\"name\":\"Must__c\",\"type\":\"string\",\"required\":true}";
	expect_fail(db, crmw_db_add_field(db, "Survey__c", req, strlen(req)), CRMW_ESCHEMA, "already has 2 records");
	const char *dup = "{\"name\":\"Case\",\"key_prefix\":\"a51\"}";
	assert_int_equal(crmw_db_add_object(db, dup, strlen(dup)), CRMW_EEXISTS);
	crmw_db_free(db);
	/* The changed schema is in the file. */
	assert_int_equal(crmw_db_open(&db, p, CRMW_DB_READONLY), CRMW_OK);
	assert_int_equal(crmw_schema_field_index((crmw_schema *)crmw_db_schema(db), "Survey__c", "Comment__c"), 3);
	assert_int_equal(count(db, "Survey__c"), 2);
	crmw_db_free(db);
	crmw_buf_dispose(&id);
}

/* ---------------------------------------------------------------- bulk */

static void test_bulk_typed_any_order(void **state)
{
	(void)state;
	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	crmw_schema *s = (crmw_schema *)crmw_db_schema(db);
	int32_t f_acc = crmw_schema_field_index(s, "Contact", "AccountId");
	int32_t f_last = crmw_schema_field_index(s, "Contact", "LastName");
	int32_t f_id = crmw_schema_field_index(s, "Account", "Id");
	int32_t f_state = crmw_schema_field_index(s, "Account", "ShippingState");
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	/* While the load is open, other writes on the handle are refused. */
	expect_fail(db, crmw_record_insert(NULL, db, "User", "{\"LastName\":\"x\"}", 16), CRMW_ESTATE, "bulk load is open");
	/* The child first: references are checked at commit. */
	const char *acc = "001aaaaaaaaaaaaAAA";
	assert_int_equal(crmw_bulk_row_begin(b, "Contact"), CRMW_OK);
	assert_int_equal(crmw_bulk_set_text(b, f_acc, acc, 18), CRMW_OK);
	assert_int_equal(crmw_bulk_set_text(b, f_last, "Lee", 3), CRMW_OK);
	assert_int_equal(crmw_bulk_row_end(NULL, b), CRMW_OK);
	assert_int_equal(crmw_bulk_row_begin(b, "Account"), CRMW_OK);
	assert_int_equal(crmw_bulk_set_text(b, f_id, acc, 18), CRMW_OK);
	assert_int_equal(crmw_bulk_set_text(b, f_state, "NY", 2), CRMW_OK);
	assert_int_equal(crmw_bulk_row_end(NULL, b), CRMW_OK);
	for (int i = 0; i < 1000; i++) {
		char txt[32];
		int n = snprintf(txt, sizeof txt, "Person %d", i);
		assert_int_equal(crmw_bulk_row_begin(b, "Contact"), CRMW_OK);
		assert_int_equal(crmw_bulk_set_text(b, f_last, txt, (size_t)n), CRMW_OK);
		assert_int_equal(crmw_bulk_set_text(b, f_acc, acc, 18), CRMW_OK);
		assert_int_equal(crmw_bulk_row_end(NULL, b), CRMW_OK);
	}
	assert_int_equal(crmw_bulk_count(b), 1002);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_ESTATE);
	crmw_bulk_free(b);
	assert_int_equal(count(db, "Contact"), 1001);
	/* Text set by value was copied: every name is intact. */
	crmw_record_iter *it = NULL;
	assert_int_equal(crmw_record_iter_new(&it, db, "Contact"), CRMW_OK);
	crmw_buf r = CRMW_BUF_INIT;
	int persons = 0;
	while (crmw_record_iter_next(&r, it) == 1)
		persons += strstr(r.data, "\"LastName\":\"Person ") != NULL;
	assert_int_equal(persons, 1000);
	crmw_record_iter_free(it);
	crmw_buf_dispose(&r);

	/* Typed setters check types. */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_row_begin(b, "OrderItem"), CRMW_OK);
	int32_t f_qty = crmw_schema_field_index(s, "OrderItem", "Quantity");
	assert_int_equal(crmw_bulk_set_double(b, f_qty, 0.0 / 0.0), CRMW_ESCHEMA);
	/* The failure ended the load: it is rolled back and refuses more work. */
	assert_int_equal(crmw_bulk_row_begin(b, "OrderItem"), CRMW_ESTATE);
	crmw_bulk_free(b);
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_row_begin(b, "Account"), CRMW_OK);
	assert_int_equal(crmw_bulk_set_int(b, f_state, 5), CRMW_ESCHEMA);
	crmw_bulk_free(b);
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_set_int(b, 1, 5), CRMW_ESTATE); /* no row begun */
	crmw_bulk_free(b);
	crmw_db_free(db);
}

static const char *journal_mode(const char *path)
{
	static char mode[32];
	sqlite3 *raw = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return mode;
}

static int index_count(crmw_db *db, const char *path, const char *table)
{
	(void)db;
	sqlite3 *raw = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND name LIKE 'crmw_ix_%'", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return n;
}

/* A large exclusive load: rollback journal while loading, indexes built at
 * commit, WAL and every index back afterwards; a failed one changes nothing. */
static void test_bulk_large_exclusive(void **state)
{
	(void)state;
	const char *p = path_in("large.db");
	crmw_db *db = mkdb("crmarena", p, "{\"overwrite\":true}");
	crmw_buf acc = CRMW_BUF_INIT;
	INS(db, "Account", "{\"LastName\":\"Big\"}", &acc);
	int before = index_count(db, p, "Case");
	assert_true(before >= 5);
	crmw_schema *s = (crmw_schema *)crmw_db_schema(db);
	int32_t f_acc = crmw_schema_field_index(s, "Case", "AccountId");
	int32_t f_created = crmw_schema_field_index(s, "Case", "CreatedDate");
	for (int attempt = 0; attempt < 2; attempt++) {
		crmw_bulk *b = NULL;
		assert_int_equal(crmw_bulk_begin(&b, db, "{\"exclusive\":true}"), CRMW_OK);
		for (int i = 0; i < 10000; i++) {
			assert_int_equal(crmw_bulk_row_begin(b, "Case"), CRMW_OK);
			assert_int_equal(crmw_bulk_set_text(b, f_acc, acc.data, 18), CRMW_OK);
			assert_int_equal(crmw_bulk_set_text(b, f_created, "2024-01-01T00:00:00Z", 20), CRMW_OK);
			assert_int_equal(crmw_bulk_row_end(NULL, b), CRMW_OK);
		}
		if (attempt == 0) {
			/* A dangling reference found at commit: everything rolls back. */
			assert_int_equal(crmw_bulk_row_begin(b, "Case"), CRMW_OK);
			assert_int_equal(crmw_bulk_set_text(b, f_acc, "001aaaaaaaaaaaaAAA", 18), CRMW_OK);
			assert_int_equal(crmw_bulk_row_end(NULL, b), CRMW_OK);
			assert_int_equal(crmw_bulk_commit(b), CRMW_ESCHEMA);
			crmw_bulk_free(b);
			assert_int_equal(count(db, "Case"), 0);
		} else {
			assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
			crmw_bulk_free(b);
			assert_int_equal(count(db, "Case"), 10000);
		}
		assert_int_equal(index_count(db, p, "Case"), before);
		assert_string_equal(journal_mode(p), "wal");
	}
	/* The recreated indexes are the ones queries use. */
	sqlite3 *raw = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(p, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "EXPLAIN QUERY PLAN SELECT Id FROM \"Case\" WHERE AccountId = 'x'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 3), "crmw_ix_Case_AccountId"));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	crmw_buf_dispose(&acc);
	crmw_db_free(db);
}

/* With a second connection open, an exclusive load stays in WAL. */
static void test_bulk_exclusive_with_reader(void **state)
{
	(void)state;
	const char *p = path_in("shared.db");
	crmw_db *db = mkdb("crmarena", p, "{\"overwrite\":true}");
	crmw_db *reader = NULL;
	assert_int_equal(crmw_db_open(&reader, p, CRMW_DB_READONLY), CRMW_OK);
	assert_int_equal(count(reader, "User"), 0);
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, "{\"exclusive\":true}"), CRMW_OK);
	assert_string_equal(journal_mode(p), "wal");
	assert_int_equal(crmw_bulk_add_json(NULL, b, "User", "{\"LastName\":\"R\"}", 16), CRMW_OK);
	assert_int_equal(count(reader, "User"), 0); /* not visible before commit */
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(count(reader, "User"), 1);
	crmw_db_free(reader);
	assert_int_equal(crmw_bulk_begin(&b, db, "{\"exclusive\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_bulk_begin(&b, db, "{\"fast\":true}"), CRMW_EINVALID);
	crmw_db_free(db);
}

/* A reference to a record the load wrote is known without a lookup; one to
 * an id of the right form that the load has not written (yet) is checked at
 * commit like any other: accepted when the record came later, a dangling
 * reference when it never did. */
static void test_bulk_references_of_the_load(void **state)
{
	(void)state;
	crmw_db *db = mkdb("crmarena", ":memory:", "{\"id_seed\":7}");
	int32_t acc = crmw__db_objindex(db, crmw__db_object(db, "Account"));
	char json[200], future[19], never[19];
	crmw_buf id = CRMW_BUF_INIT;
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	int64_t next;
	assert_int_equal(crmw__db_id_counter(db, acc, &next), CRMW_OK);
	assert_int_equal(crmw_bulk_add_json(&id, b, "Account", "{\"LastName\":\"A\"}", 16), CRMW_OK);
	snprintf(json, sizeof json, "{\"LastName\":\"Now\",\"AccountId\":\"%s\"}", id.data);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Contact", json, strlen(json)), CRMW_OK);
	/* the account the counter gives two records on */
	crmw__id_make(future, db->schema->objects[acc].key_prefix, db->id_seed, next + 3);
	snprintf(json, sizeof json, "{\"LastName\":\"Later\",\"AccountId\":\"%s\"}", future);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Contact", json, strlen(json)), CRMW_OK);
	/* a case id in an account field */
	crmw_buf kase = CRMW_BUF_INIT;
	snprintf(json, sizeof json, "{\"Subject\":\"s\",\"AccountId\":\"%s\"}", id.data);
	assert_int_equal(crmw_bulk_add_json(&kase, b, "Case", json, strlen(json)), CRMW_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(crmw_bulk_add_json(NULL, b, "Account", "{\"LastName\":\"B\"}", 16), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(count(db, "Contact"), 2);
	json_t *later = get(db, "Account", future);
	assert_string_equal(json_string_value(json_object_get(later, "LastName")), "B");
	json_decref(later);

	/* an id of the right form the load never writes */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw__db_id_counter(db, acc, &next), CRMW_OK);
	crmw__id_make(never, db->schema->objects[acc].key_prefix, db->id_seed, next + 100);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Account", "{\"LastName\":\"C\"}", 16), CRMW_OK);
	snprintf(json, sizeof json, "{\"LastName\":\"Never\",\"AccountId\":\"%s\"}", never);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Contact", json, strlen(json)), CRMW_OK);
	expect_fail(db, crmw_bulk_commit(b), CRMW_ESCHEMA, "dangling reference");
	crmw_bulk_free(b);

	/* a record of another object the load wrote, in an account field */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	crmw_buf k2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_bulk_add_json(&k2, b, "Case", "{\"Subject\":\"t\"}", 15), CRMW_OK);
	snprintf(json, sizeof json, "{\"LastName\":\"Wrong\",\"AccountId\":\"%s\"}", k2.data);
	int rc = crmw_bulk_add_json(NULL, b, "Contact", json, strlen(json));
	if (rc == CRMW_OK)
		rc = crmw_bulk_commit(b);
	assert_int_equal(rc, CRMW_ESCHEMA);
	crmw_bulk_free(b);
	assert_int_equal(count(db, "Contact"), 2);
	crmw_buf_dispose(&id);
	crmw_buf_dispose(&kase);
	crmw_buf_dispose(&k2);
	crmw_db_free(db);
}

static void test_bulk_dangling_rolls_back(void **state)
{
	(void)state;
	org o;
	mkorg(&o, ":memory:");
	crmw_db *db = o.db;
	int64_t before = count(db, "Contact");
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_set_source(b, "contacts.jsonl", 1), CRMW_OK);
	char json[200];
	for (int i = 0; i < 5; i++) {
		/* Row 4 points at an account that does not exist. */
		snprintf(json, sizeof json, "{\"LastName\":\"R%d\",\"AccountId\":\"%s\"}", i,
			 i == 3 ? "001aaaaaaaaaaazAAA" : o.account.data);
		assert_int_equal(crmw_bulk_add_json(NULL, b, "Contact", json, strlen(json)), CRMW_OK);
	}
	int rc = crmw_bulk_commit(b);
	expect_fail(db, rc, CRMW_ESCHEMA, "(row 4 of contacts.jsonl), field 'AccountId': no record with Id '001aaaaaaaaaaazAAA'");
	crmw_bulk_free(b);
	assert_int_equal(count(db, "Contact"), before);
	/* The handle works normally after the failed load. */
	INS(db, "Contact", "{\"LastName\":\"After\"}", NULL);
	assert_int_equal(count(db, "Contact"), before + 1);

	/* A bad value in the middle names its row too. */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_set_source(b, "cases.jsonl", 10), CRMW_OK);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Case", "{\"Subject\":\"a\"}", 15), CRMW_OK);
	rc = crmw_bulk_add_json(NULL, b, "Case", "{\"CreatedDate\":\"2024-02-30\"}", 28);
	expect_fail(db, rc, CRMW_ESCHEMA, "Case, row 11 of cases.jsonl, field 'CreatedDate'");
	crmw_bulk_free(b);
	assert_int_equal(count(db, "Case"), 1);
	org_free(&o);
}

/* -------------------------------------------------------- import/export */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_import_csv(void **state)
{
	(void)state;
	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	const char *p = path_in("issues.csv");
	write_file(p,
		   "\xEF\xBB\xBFName,description__c\r\n"
		   "Broken zipper,\"Zips that \"\"split\"\", jam\r\nor tear\"\r\n"
		   "Late delivery,\r\n"
		   "\"\",Quoted empty name\r\n");
	int64_t n = 0;
	assert_int_equal(crmw_db_import_file(&n, db, "Issue__c", CRMW_FORMAT_CSV, p), CRMW_OK);
	assert_int_equal(n, 3);
	crmw_record_iter *it = NULL;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_record_iter_new(&it, db, "Issue__c"), CRMW_OK);
	json_t *rows[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(crmw_record_iter_next(&b, it), 1);
		rows[i] = json_loadb(b.data, b.len, 0, NULL);
	}
	crmw_record_iter_free(it);
	assert_string_equal(json_string_value(json_object_get(rows[0], "Description__c")),
			    "Zips that \"split\", jam\r\nor tear");
	assert_true(json_is_null(json_object_get(rows[1], "Description__c"))); /* empty cell */
	assert_string_equal(json_string_value(json_object_get(rows[2], "Name")), ""); /* quoted empty */
	for (int i = 0; i < 3; i++)
		json_decref(rows[i]);

	const struct { const char *text, *needle; int code; } bad[] = {
		{"Name,Descripton__c\nx,y\n", "did you mean 'Description__c'", CRMW_ESCHEMA},
		{"Name\n\"open\n", "unterminated quoted cell starting on line 2", CRMW_EFORMAT},
		{"Name,Description__c\na,b\nc\n", "line 3: 1 cells where the header has 2", CRMW_EFORMAT},
		{"Name,Name\na,b\n", "appears twice", CRMW_EFORMAT},
		{"", "empty file", CRMW_EFORMAT},
		{"Name\na\"b\n", "a quote inside an unquoted cell", CRMW_EFORMAT},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(p, bad[i].text);
		int rc = crmw_db_import_file(&n, db, "Issue__c", CRMW_FORMAT_CSV, p);
		if (rc != bad[i].code || !strstr(crmw_db_errmsg(db), bad[i].needle))
			fail_msg("case %zu: rc %d '%s'", i, rc, crmw_db_errmsg(db));
		assert_int_equal(n, 0);
	}
	/* A bad value in row 3 rolls back rows 1 and 2 too. */
	write_file(path_in("products.csv"), "Name,IsActive\nA,true\nB,false\nC,perhaps\n");
	expect_fail(db, crmw_db_import_file(&n, db, "Product2", CRMW_FORMAT_CSV, path_in("products.csv")),
		    CRMW_ESCHEMA, "row 4 of products.csv, field 'IsActive': 'perhaps' is not a boolean");
	assert_int_equal(count(db, "Product2"), 0);
	assert_int_equal(count(db, "Issue__c"), 3);
	expect_fail(db, crmw_db_import_file(&n, db, "Issue__c", CRMW_FORMAT_CSV, path_in("nope.csv")),
		    CRMW_ENOTFOUND, "nope.csv");
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

static void test_import_json_jsonl(void **state)
{
	(void)state;
	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	write_file(path_in("u.json"), "[{\"LastName\":\"A\"},{\"LastName\":\"B\",\"attributes\":{\"type\":\"User\"}}]");
	int64_t n = 0;
	assert_int_equal(crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSON, path_in("u.json")), CRMW_OK);
	assert_int_equal(n, 2);
	write_file(path_in("u.jsonl"), "{\"LastName\":\"C\"}\n\n{\"LastName\":\"D\"}\r\n");
	assert_int_equal(crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSONL, path_in("u.jsonl")), CRMW_OK);
	assert_int_equal(n, 2);
	write_file(path_in("bad.jsonl"), "{\"LastName\":\"E\"}\n{\"LastName\":\n");
	expect_fail(db, crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSONL, path_in("bad.jsonl")),
		    CRMW_EFORMAT, "bad JSON on line 2");
	write_file(path_in("bad.json"), "{\"LastName\":\"E\"}");
	expect_fail(db, crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSON, path_in("bad.json")),
		    CRMW_EFORMAT, "expected a JSON array");
	write_file(path_in("bad2.jsonl"), "{\"LastName\":\"E\"}\n{\"FirstName\":\"no last\"}\n");
	expect_fail(db, crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSONL, path_in("bad2.jsonl")),
		    CRMW_ESCHEMA, "User, row 2 of bad2.jsonl: required field 'LastName' is missing");
	assert_int_equal(count(db, "User"), 4);
	crmw_db_free(db);
}

static void export_all(crmw_db *db, char ***out, size_t *n)
{
	/* Every record of every object, as JSON lines, in a stable order. */
	const crmw_schema *s = crmw_db_schema(db);
	size_t cap = 0;
	*n = 0;
	*out = NULL;
	for (int32_t i = 0; i < crmw_schema_object_count(s); i++) {
		crmw_record_iter *it = NULL;
		assert_int_equal(crmw_record_iter_new(&it, db, crmw_schema_object_name(s, i)), CRMW_OK);
		crmw_buf b = CRMW_BUF_INIT;
		while (crmw_record_iter_next(&b, it) == 1) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = realloc(*out, cap * sizeof **out);
			}
			(*out)[(*n)++] = strdup(b.data);
		}
		crmw_buf_dispose(&b);
		crmw_record_iter_free(it);
	}
}

static void test_export_import_roundtrip(void **state)
{
	(void)state;
	const int formats[] = {CRMW_FORMAT_JSONL, CRMW_FORMAT_JSON, CRMW_FORMAT_CSV};
	for (size_t k = 0; k < 3; k++) {
		org o;
		mkorg(&o, ":memory:");
		/* Awkward values: quotes, commas, newlines, unicode, numbers, booleans. */
		INS(o.db, "Product2", "{\"Name\":\"Ball, \\\"pro\\\"\\nline2 — ünï\",\"IsActive\":true,\"External_ID__c\":\" padded \"}", NULL);
		INS(o.db, "Pricebook2", "{\"Name\":\"Std\",\"IsActive\":false,\"ValidFrom\":\"2024-01-01T00:00:00Z\"}", NULL);
		char dir[64];
		snprintf(dir, sizeof dir, "export-%zu", k);
		assert_int_equal(crmw_db_export_dir(o.db, formats[k], path_in(dir)), CRMW_OK);
		struct stat sb;
		char schema_path[600];
		snprintf(schema_path, sizeof schema_path, "%s/schema.json", path_in(dir));
		assert_int_equal(stat(schema_path, &sb), 0);

		crmw_db *copy = mkdb("crmarena", ":memory:", NULL);
		int64_t n = 0;
		int rc = crmw_db_import_dir(&n, copy, path_in(dir));
		if (rc)
			fail_msg("format %zu: %s", k, crmw_db_errmsg(copy));
		assert_int_equal(n, 6);
		char **a, **b;
		size_t na, nb;
		export_all(o.db, &a, &na);
		export_all(copy, &b, &nb);
		assert_int_equal(na, nb);
		for (size_t i = 0; i < na; i++) {
			assert_string_equal(a[i], b[i]);
			free(a[i]);
			free(b[i]);
		}
		free(a);
		free(b);
		crmw_db_free(copy);
		org_free(&o);
	}
	/* A folder with a file that names no object fails before loading. */
	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	mkdir(path_in("weird"), 0777);
	write_file(path_in("weird/Accounts.jsonl"), "{}\n");
	int64_t n = 0;
	expect_fail(db, crmw_db_import_dir(&n, db, path_in("weird")), CRMW_ESCHEMA, "did you mean 'Account'");
	crmw_db_free(db);
}

static void test_import_crmarena_dump(void **state)
{
	(void)state;
	/* A dump in CRMArena's layout: tables named by object, datetimes with
	 * milliseconds and +0000, booleans as text, an extra table. */
	const char *dump = path_in("dump.db");
	remove(dump);
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(dump, &raw), SQLITE_OK);
	const char *sql =
		"CREATE TABLE User (Id TEXT, FirstName TEXT, LastName TEXT, Username TEXT);"
		"INSERT INTO User VALUES ('005Wt000003NIc7IAG','Ava','Stone','ava@x.com');"
		"CREATE TABLE Account (Id TEXT, FirstName TEXT, LastName TEXT, ShippingState TEXT);"
		"INSERT INTO Account VALUES ('001Wt00000PFj3zIAD','Max','Ng','TX');"
		"CREATE TABLE \"Case\" (Id TEXT, Subject TEXT, Status TEXT, AccountId TEXT, OwnerId TEXT,"
		"  CreatedDate TEXT, ClosedDate TEXT);"
		"INSERT INTO \"Case\" VALUES ('500Wt00000DDJ5nIAH','Strap snapped','Closed','001Wt00000PFj3zIAD',"
		"  '005Wt000003NIc7IAG','2024-05-26T06:58:00.000+0000','2024-05-28T10:00:00.000+0000');"
		"CREATE TABLE Product2 (Id TEXT, Name TEXT, IsActive TEXT);"
		"INSERT INTO Product2 VALUES ('01tWt000006hV8LIAU','Trail Shoe','true');"
		"CREATE TABLE Pricebook2 (Id TEXT, Name TEXT, IsActive INTEGER, ValidFrom TEXT);"
		"INSERT INTO Pricebook2 VALUES ('01sWt000000JQxGIAW','Standard',1,'2020-01-01T00:00:00.000+0000');"
		"CREATE TABLE PricebookEntry (Id TEXT, Pricebook2Id TEXT, Product2Id TEXT, UnitPrice REAL);"
		"INSERT INTO PricebookEntry VALUES ('01uWt000002mVHpIAM','01sWt000000JQxGIAW','01tWt000006hV8LIAU',89.99);"
		"CREATE TABLE sync_log (x TEXT);";
	char *err = NULL;
	if (sqlite3_exec(raw, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(raw);

	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	int64_t n = 0;
	int rc = crmw_db_import_sqlite(&n, db, dump, 0);
	if (rc)
		fail_msg("%s", crmw_db_errmsg(db));
	assert_int_equal(n, 6);
	json_t *c = get(db, "Case", "500Wt00000DDJ5nIAH");
	assert_string_equal(json_string_value(json_object_get(c, "CreatedDate")), "2024-05-26T06:58:00Z");
	assert_string_equal(json_string_value(json_object_get(c, "ClosedDate")), "2024-05-28T10:00:00Z");
	json_decref(c);
	json_t *p = get(db, "Product2", "01tWt000006hV8LIAU");
	assert_true(json_is_true(json_object_get(p, "IsActive")));
	json_decref(p);
	json_t *e = get(db, "PricebookEntry", "01uWt000002mVHpIAM");
	assert_true(json_real_value(json_object_get(e, "UnitPrice")) == 89.99);
	json_decref(e);

	/* Unknown columns are an error unless ignored; bad dump data rolls back. */
	assert_int_equal(sqlite3_open(dump, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
				      "CREATE TABLE Issue__c (Id TEXT, Name TEXT, Severity TEXT);"
				      "INSERT INTO Issue__c VALUES ('a01Wt00000aaaaaIAA','Tear','high');",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	crmw_db *db2 = mkdb("crmarena", ":memory:", NULL);
	expect_fail(db2, crmw_db_import_sqlite(&n, db2, dump, 0), CRMW_ESCHEMA, "table Issue__c: no field 'Severity'");
	assert_int_equal(count(db2, "Case"), 0);
	assert_int_equal(crmw_db_import_sqlite(&n, db2, dump, 1), CRMW_OK);
	assert_int_equal(n, 7);
	/* Importing the same dump again: duplicate ids, nothing added. */
	expect_fail(db2, crmw_db_import_sqlite(&n, db2, dump, 1), CRMW_EEXISTS, "already exists");
	assert_int_equal(count(db2, "Case"), 1);
	expect_fail(db2, crmw_db_import_sqlite(&n, db2, path_in("no-such-dump.db"), 0), CRMW_ENOTFOUND, "no-such-dump.db");
	crmw_db_free(db2);
	crmw_db_free(db);
}

typedef struct log_seen {
	int calls, freed;
	char last[256];
} log_seen;

static void log_cb(int32_t level, const char *msg, void *ud)
{
	log_seen *l = ud;
	(void)level;
	l->calls++;
	snprintf(l->last, sizeof l->last, "%s", msg);
}

static void log_free(void *ud)
{
	((log_seen *)ud)->freed++;
}

static void test_log_callback(void **state)
{
	(void)state;
	crmw_db *db = mkdb("crmarena", ":memory:", NULL);
	log_seen l = {0};
	crmw_db_set_log(db, log_cb, CRMW_LOG_INFO, &l, log_free);
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "User", "{\"LastName\":\"Z\"}", 16), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(l.calls, 1);
	assert_string_equal(l.last, "bulk load committed 1 records");
	/* Below the level: not delivered. */
	crmw_db_set_log(db, log_cb, CRMW_LOG_WARN, &l, log_free);
	assert_int_equal(l.freed, 0); /* same userdata: not freed */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(l.calls, 1);
	crmw_db_free(db);
	assert_int_equal(l.freed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_id_counter_of),
		cmocka_unit_test(test_generated_ids_deterministic),
		cmocka_unit_test(test_create_open),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_values_normalised),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_update_upsert_delete),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_runtime_schema_changes),
		cmocka_unit_test(test_bulk_typed_any_order),
		cmocka_unit_test(test_bulk_references_of_the_load),
		cmocka_unit_test(test_bulk_dangling_rolls_back),
		cmocka_unit_test(test_bulk_large_exclusive),
		cmocka_unit_test(test_bulk_exclusive_with_reader),
		cmocka_unit_test(test_import_csv),
		cmocka_unit_test(test_import_json_jsonl),
		cmocka_unit_test(test_export_import_roundtrip),
		cmocka_unit_test(test_import_crmarena_dump),
		cmocka_unit_test(test_log_callback),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("store", tests, setup_dir, teardown_dir);
}
