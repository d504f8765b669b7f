/*
 * The upgrade of a format 1 store (before scopes).
 */

#include "fixture.h"

/* A store of format 1 (before scopes), made by hand with that format's
 * tables: `n` guidelines of family "legacy". */
static void make_format1(const char *path, int n)
{
	fx_rm_store(path);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	const char *ddl =
		"PRAGMA journal_mode=WAL;"
		"CREATE TABLE crmw_mem_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
		"CREATE TABLE crmw_mem_entry(id INTEGER PRIMARY KEY AUTOINCREMENT,"
		" kind TEXT NOT NULL CHECK (kind IN ('guideline','plan','episode','fact')), title TEXT NOT NULL DEFAULT '',"
		" text TEXT NOT NULL CHECK (length(text) > 0), query TEXT, family TEXT, tags TEXT NOT NULL DEFAULT '[]',"
		" metadata TEXT NOT NULL DEFAULT '{}', provenance TEXT NOT NULL DEFAULT '[]', text_hash INTEGER NOT NULL,"
		" embedding BLOB NOT NULL, n_retrieved INTEGER NOT NULL DEFAULT 0, n_success INTEGER NOT NULL DEFAULT 0,"
		" n_failure INTEGER NOT NULL DEFAULT 0, n_helpful INTEGER NOT NULL DEFAULT 0,"
		" n_harmful INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
		" seq INTEGER NOT NULL);"
		"CREATE INDEX crmw_mem_entry_seq ON crmw_mem_entry(seq);"
		"CREATE INDEX crmw_mem_entry_hash ON crmw_mem_entry(text_hash);"
		"CREATE TABLE crmw_mem_tomb(id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);"
		"CREATE INDEX crmw_mem_tomb_seq ON crmw_mem_tomb(seq);"
		"INSERT INTO crmw_mem_meta VALUES ('format', 1), ('embedder', 'crmw-hash-v1'), ('dim', 32),"
		" ('metric', 'cosine'), ('capacity', 0), ('dedup_threshold', 0.97),"
		" ('uuid', '0123456789abcdef0123456789abcdef'), ('created_at', '2026-01-01T00:00:00.000Z'),"
		" ('seq', 1), ('vec_epoch', 0), ('tomb_floor', 0);";
	assert_int_equal(sqlite3_exec(db, ddl, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db,
					    "INSERT INTO crmw_mem_entry(kind, text, family, text_hash, embedding, "
					    "created_at, updated_at, seq) VALUES ('guideline', ?1, 'legacy', ?2, ?3, "
					    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1)",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (int i = 0; i < n; i++) {
		char text[100];
		snprintf(text, sizeof text, "legacy guideline %d about refunds and returns", i);
		float v[32];
		assert_int_equal(crmw_embed_hash(v, 32, text, strlen(text)), CRMW_OK);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, 1000 + i);
		sqlite3_bind_blob(st, 3, v, sizeof v, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int64_t file_format(const char *path, bool *has_scope)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM crmw_mem_meta WHERE key = 'format'", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t fmt = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('crmw_mem_entry') "
						"WHERE name = 'scope'", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*has_scope = sqlite3_column_int64(st, 0) == 1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return fmt;
}

/*
 * A store written before scopes (format 1): a read-only open treats every
 * entry as global and changes nothing; a read-write open adds the column
 * and records format 2, once; a read-only handle opened before that sees
 * the scopes written after it.
 */
void test_format1_upgrade(void **state)
{
	(void)state;
	const char *path = fx_tmp_path("legacy.db");
	make_format1(path, 3);
	bool has_scope = true;
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, path, "{\"readonly\":true}"), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, r, "{\"limit\":0}"), CRMW_OK);
	json_t *l = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(l), 3);
	size_t i;
	json_t *e;
	json_array_foreach(l, i, e) assert_string_equal(json_string_value(json_object_get(e, "scope")), "global");
	json_decref(l);
	char got[512];
	fx_hits_text(got, sizeof got, r, "refunds and returns", "{\"k\":5,\"scope\":\"account:001SjA\"}");
	assert_int_equal(fx_count_hits(got), 3);
	assert_int_equal(crmw_memory_stats(&out, r), CRMW_OK);
	assert_non_null(strstr(out.data, "\"scopes\":{\"global\":3}"));
	const char *jl = fx_tmp_path("legacy.jsonl");
	assert_int_equal(crmw_memory_export(r, jl), CRMW_OK);
	assert_int_equal(file_format(path, &has_scope), 1);
	assert_false(has_scope);

	/* a read-write open upgrades the file */
	crmw_memory *w = NULL;
	assert_int_equal(crmw_memory_open(&w, path, NULL), CRMW_OK);
	assert_int_equal(file_format(path, &has_scope), 2);
	assert_true(has_scope);
	int64_t id;
	int32_t mg;
	assert_int_equal(crmw_memory_add(&id, &mg, w,
					 "{\"text\":\"Customer A's own refunds and returns note\",\"family\":\"legacy\","
					 "\"scope\":\"account:001SjA\"}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 0);
	assert_int_equal(id, 4);
	/* the read-only handle of before reads the real column now */
	fx_hits_text(got, sizeof got, r, "Customer A's own refunds and returns note", "{\"k\":5,\"scope\":\"account:001SjB\"}");
	assert_null(strstr(got, "4:"));
	fx_hits_text(got, sizeof got, r, "Customer A's own refunds and returns note", "{\"k\":1,\"scope\":\"account:001SjA\"}");
	assert_true(strncmp(got, "4:", 2) == 0);
	assert_int_equal(crmw_memory_list(&out, r, "{\"scope\":\"account:001SjB\",\"limit\":0}"), CRMW_OK);
	assert_null(strstr(out.data, "Customer A"));
	crmw_memory_free(r);
	/* opening again changes nothing; the old entries are global */
	crmw_memory_free(w);
	assert_int_equal(crmw_memory_open(&w, path, NULL), CRMW_OK);
	assert_int_equal(crmw_memory_list(&out, w, "{\"scopes\":[\"global\"],\"limit\":0}"), CRMW_OK);
	l = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(l), 3);
	json_decref(l);
	/* the export of the old store imports as global entries */
	crmw_memory *c = fx_open_store("legacy-copy.db", "{\"dim\":32}");
	int64_t added, merged;
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 3);
	assert_int_equal(crmw_memory_stats(&out, c), CRMW_OK);
	assert_non_null(strstr(out.data, "\"scopes\":{\"global\":3}"));
	crmw_memory_free(c);
	crmw_memory_free(w);
	/* a format this library does not know is refused */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE crmw_mem_meta SET value = 3 WHERE key = 'format'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(crmw_memory_open(&w, path, NULL), CRMW_ECORRUPT);
	assert_non_null(strstr(crmw_last_error(), "format 3"));
	crmw_buf_dispose(&out);
}
