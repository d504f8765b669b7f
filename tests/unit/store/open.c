/*
 * Creating and opening an org file, and the errors of opening one.
 */

#include "fixture.h"

/* ----------------------------------------------------- create and open */

void test_create_open(void **state)
{
	(void)state;
	const char *p = fx_path_in("org.db");
	org o;
	fx_mkorg(&o, p);
	crmw_db_free(o.db);
	o.db = NULL;

	crmw_db *db = NULL;
	assert_int_equal(crmw_db_open(&db, p, CRMW_DB_READONLY), CRMW_OK);
	assert_string_equal(crmw_schema_name(crmw_db_schema(db)), "crmarena");
	assert_int_equal(crmw_schema_object_count(crmw_db_schema(db)), 16);
	assert_int_equal(fx_count(db, "Case"), 1);
	json_t *c = fx_get(db, "Case", o.kase.data);
	assert_string_equal(json_string_value(json_object_get(c, "CreatedDate")), "2024-05-26T06:58:00Z");
	json_decref(c);
	/* Read-only handles refuse writes. */
	fx_expect_fail(db, crmw_record_insert(NULL, db, "User", "{\"LastName\":\"X\"}", 16), CRMW_EACCESS, "read-only");
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
	assert_int_equal(crmw_db_create(&db, fx_path_in("now.db"), s, "{\"now\":\"2025-01-02T03:04:05+0100\"}"), CRMW_OK);
	assert_string_equal(crmw_db_now(db), "2025-01-02T02:04:05Z");
	crmw_db_free(db);
	assert_int_equal(crmw_db_open(&db, fx_path_in("now.db"), CRMW_DB_READONLY), CRMW_OK);
	assert_string_equal(crmw_db_now(db), "2025-01-02T02:04:05Z");
	crmw_db_free(db);
	crmw_schema_free(s);
	fx_org_free(&o);
}

void test_open_errors(void **state)
{
	(void)state;
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_open(&db, fx_path_in("missing.db"), 0), CRMW_ENOTFOUND);
	assert_null(db);
	/* A SQLite file that is not an org. */
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(fx_path_in("plain.db"), &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(crmw_db_open(&db, fx_path_in("plain.db"), 0), CRMW_ECORRUPT);
	assert_non_null(strstr(crmw_last_error(), "not a libcrmweaver org database"));
	/* Not SQLite at all. */
	FILE *f = fopen(fx_path_in("junk.db"), "w");
	fputs("this is not a database, just some text that goes on for a while........", f);
	fclose(f);
	assert_int_equal(crmw_db_open(&db, fx_path_in("junk.db"), 0), CRMW_ECORRUPT);
	assert_int_equal(crmw_db_open(&db, fx_path_in("missing.db"), 0x80), CRMW_EINVALID);
}
