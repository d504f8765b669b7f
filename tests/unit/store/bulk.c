/*
 * Bulk loads: typed records in any order, references to records of the
 * same load, dangling references, large exclusive loads and their journal
 * mode and indexes.
 */

#include "fixture.h"

/* ---------------------------------------------------------------- bulk */

void test_bulk_typed_any_order(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	crmw_schema *s = (crmw_schema *)crmw_db_schema(db);
	int32_t f_acc = crmw_schema_field_index(s, "Contact", "AccountId");
	int32_t f_last = crmw_schema_field_index(s, "Contact", "LastName");
	int32_t f_id = crmw_schema_field_index(s, "Account", "Id");
	int32_t f_state = crmw_schema_field_index(s, "Account", "ShippingState");
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	/* While the load is open, other writes on the handle are refused. */
	fx_expect_fail(db, crmw_record_insert(NULL, db, "User", "{\"LastName\":\"x\"}", 16), CRMW_ESTATE, "bulk load is open");
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
	assert_int_equal(fx_count(db, "Contact"), 1001);
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
void test_bulk_large_exclusive(void **state)
{
	(void)state;
	const char *p = fx_path_in("large.db");
	crmw_db *db = fx_mkdb("crmarena", p, "{\"overwrite\":true}");
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
			assert_int_equal(fx_count(db, "Case"), 0);
		} else {
			assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
			crmw_bulk_free(b);
			assert_int_equal(fx_count(db, "Case"), 10000);
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
void test_bulk_exclusive_with_reader(void **state)
{
	(void)state;
	const char *p = fx_path_in("shared.db");
	crmw_db *db = fx_mkdb("crmarena", p, "{\"overwrite\":true}");
	crmw_db *reader = NULL;
	assert_int_equal(crmw_db_open(&reader, p, CRMW_DB_READONLY), CRMW_OK);
	assert_int_equal(fx_count(reader, "User"), 0);
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, "{\"exclusive\":true}"), CRMW_OK);
	assert_string_equal(journal_mode(p), "wal");
	assert_int_equal(crmw_bulk_add_json(NULL, b, "User", "{\"LastName\":\"R\"}", 16), CRMW_OK);
	assert_int_equal(fx_count(reader, "User"), 0); /* not visible before commit */
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(fx_count(reader, "User"), 1);
	crmw_db_free(reader);
	assert_int_equal(crmw_bulk_begin(&b, db, "{\"exclusive\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_bulk_begin(&b, db, "{\"fast\":true}"), CRMW_EINVALID);
	crmw_db_free(db);
}

/* A reference to a record the load wrote is known without a lookup; one to
 * an id of the right form that the load has not written (yet) is checked at
 * commit like any other: accepted when the record came later, a dangling
 * reference when it never did. */
void test_bulk_references_of_the_load(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("crmarena", ":memory:", "{\"id_seed\":7}");
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
	assert_int_equal(fx_count(db, "Contact"), 2);
	json_t *later = fx_get(db, "Account", future);
	assert_string_equal(json_string_value(json_object_get(later, "LastName")), "B");
	json_decref(later);

	/* an id of the right form the load never writes */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw__db_id_counter(db, acc, &next), CRMW_OK);
	crmw__id_make(never, db->schema->objects[acc].key_prefix, db->id_seed, next + 100);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Account", "{\"LastName\":\"C\"}", 16), CRMW_OK);
	snprintf(json, sizeof json, "{\"LastName\":\"Never\",\"AccountId\":\"%s\"}", never);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Contact", json, strlen(json)), CRMW_OK);
	fx_expect_fail(db, crmw_bulk_commit(b), CRMW_ESCHEMA, "dangling reference");
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
	assert_int_equal(fx_count(db, "Contact"), 2);
	crmw_buf_dispose(&id);
	crmw_buf_dispose(&kase);
	crmw_buf_dispose(&k2);
	crmw_db_free(db);
}

void test_bulk_dangling_rolls_back(void **state)
{
	(void)state;
	org o;
	fx_mkorg(&o, ":memory:");
	crmw_db *db = o.db;
	int64_t before = fx_count(db, "Contact");
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
	fx_expect_fail(db, rc, CRMW_ESCHEMA, "(row 4 of contacts.jsonl), field 'AccountId': no record with Id '001aaaaaaaaaaazAAA'");
	crmw_bulk_free(b);
	assert_int_equal(fx_count(db, "Contact"), before);
	/* The handle works normally after the failed load. */
	INS(db, "Contact", "{\"LastName\":\"After\"}", NULL);
	assert_int_equal(fx_count(db, "Contact"), before + 1);

	/* A bad value in the middle names its row too. */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_set_source(b, "cases.jsonl", 10), CRMW_OK);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "Case", "{\"Subject\":\"a\"}", 15), CRMW_OK);
	rc = crmw_bulk_add_json(NULL, b, "Case", "{\"CreatedDate\":\"2024-02-30\"}", 28);
	fx_expect_fail(db, rc, CRMW_ESCHEMA, "Case, row 11 of cases.jsonl, field 'CreatedDate'");
	crmw_bulk_free(b);
	assert_int_equal(fx_count(db, "Case"), 1);
	fx_org_free(&o);
}
