/*
 * Org databases: create, open, the tables of the storage layout, the schema
 * kept inside the file, id counters.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/internal.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define ORG_FORMAT "crmweaver-org-1"

int crmw__db_sqlerr(crmw_db *db, int src, const char *what)
{
	return crmw__sqlerr(db ? &db->h.err : NULL, db ? db->sql : NULL, src, what);
}

int crmw__db_exec(crmw_db *db, const char *sql)
{
	int src = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	return src == SQLITE_OK ? CRMW_OK : crmw__db_sqlerr(db, src, "sqlite");
}

int32_t crmw__db_objindex(const crmw_db *db, const crmw_object *o)
{
	return (int32_t)(o - db->schema->objects);
}

crmw_object *crmw__db_object(crmw_db *db, const char *name)
{
	crmw_object *o = crmw__schema_object(db->schema, name);
	if (!o)
		crmw__schema_no_object(&db->h.err, db->schema, name ? name : "(null)");
	return o;
}

int crmw__db_writable(crmw_db *db, const char *what)
{
	if (db->readonly)
		return crmw__errf(&db->h.err, CRMW_EACCESS, "%s: the database is open read-only", what);
	if (db->in_bulk)
		return crmw__errf(&db->h.err, CRMW_ESTATE, "%s: a bulk load is open on this handle", what);
	return CRMW_OK;
}

/* ------------------------------------------------------------- DDL */

static const char *column_type(int32_t t)
{
	switch (t) {
	case CRMW_FIELD_BOOLEAN:
	case CRMW_FIELD_INT:
		return "INTEGER";
	case CRMW_FIELD_DOUBLE:
	case CRMW_FIELD_CURRENCY:
	case CRMW_FIELD_PERCENT:
		return "REAL";
	default:
		return "TEXT";
	}
}

static int field_index_ddl(crmw_buf *b, const crmw_object *o, const crmw_field *f)
{
	if (!f->indexed || f->type == CRMW_FIELD_ID)
		return CRMW_OK;
	return crmw__buf_printf(b, "CREATE %sINDEX IF NOT EXISTS \"crmw_ix_%s_%s\" ON \"%s\"(\"%s\");\n",
				f->unique ? "UNIQUE " : "", o->name, f->name, o->name, f->name);
}

bool crmw__field_searchable(const crmw_field *f)
{
	switch (f->type) {
	case CRMW_FIELD_STRING: case CRMW_FIELD_TEXTAREA: case CRMW_FIELD_EMAIL:
	case CRMW_FIELD_PHONE: case CRMW_FIELD_URL: case CRMW_FIELD_PICKLIST:
	case CRMW_FIELD_MULTIPICKLIST:
		return true;
	default:
		return false;
	}
}

bool crmw__object_searchable(const crmw_object *o)
{
	for (int32_t i = 1; i < o->nfields; i++)
		if (crmw__field_searchable(&o->fields[i]))
			return true;
	return false;
}

/* Column lists of the search index: `"A", "B"` with a prefix per column. */
static int fts_cols(crmw_buf *b, const crmw_object *o, const char *prefix)
{
	int rc = CRMW_OK, n = 0;
	for (int32_t i = 1; !rc && i < o->nfields; i++)
		if (crmw__field_searchable(&o->fields[i]))
			rc = crmw__buf_printf(b, "%s%s\"%s\"", n++ ? ", " : "", prefix, o->fields[i].name);
	return rc;
}

/* The triggers that keep "crmw_fts_<O>" in step with "<O>". */
static int fts_triggers_ddl(crmw_buf *b, const crmw_object *o)
{
	const char *n = o->name;
	int rc = crmw__buf_printf(b, "CREATE TRIGGER \"crmw_fts_ai_%s\" AFTER INSERT ON \"%s\" BEGIN "
				     "INSERT INTO \"crmw_fts_%s\"(rowid, ", n, n, n);
	rc = rc ? rc : fts_cols(b, o, "");
	rc = rc ? rc : crmw__buf_puts(b, ") VALUES (new.rowid, ");
	rc = rc ? rc : fts_cols(b, o, "new.");
	rc = rc ? rc : crmw__buf_puts(b, "); END;\n");
	for (int k = 0; !rc && k < 2; k++) {
		/* delete: remove the old row; update: remove the old, add the new. */
		rc = crmw__buf_printf(b, "CREATE TRIGGER \"crmw_fts_a%s_%s\" AFTER %s ON \"%s\" BEGIN "
				      "INSERT INTO \"crmw_fts_%s\"(\"crmw_fts_%s\", rowid, ",
				      k ? "u" : "d", n, k ? "UPDATE" : "DELETE", n, n, n);
		rc = rc ? rc : fts_cols(b, o, "");
		rc = rc ? rc : crmw__buf_puts(b, ") VALUES ('delete', old.rowid, ");
		rc = rc ? rc : fts_cols(b, o, "old.");
		rc = rc ? rc : crmw__buf_puts(b, ");");
		if (!rc && k) {
			rc = crmw__buf_printf(b, " INSERT INTO \"crmw_fts_%s\"(rowid, ", n);
			rc = rc ? rc : fts_cols(b, o, "");
			rc = rc ? rc : crmw__buf_puts(b, ") VALUES (new.rowid, ");
			rc = rc ? rc : fts_cols(b, o, "new.");
			rc = rc ? rc : crmw__buf_puts(b, ");");
		}
		rc = rc ? rc : crmw__buf_puts(b, " END;\n");
	}
	return rc;
}

static int fts_drop_triggers_ddl(crmw_buf *b, const crmw_object *o)
{
	return crmw__buf_printf(b, "DROP TRIGGER IF EXISTS \"crmw_fts_ai_%s\"; DROP TRIGGER IF EXISTS \"crmw_fts_ad_%s\"; "
				   "DROP TRIGGER IF EXISTS \"crmw_fts_au_%s\";\n", o->name, o->name, o->name);
}

/* The search index of an object, its triggers, and a rebuild from the rows. */
static int fts_ddl(crmw_buf *b, const crmw_object *o, bool rebuild)
{
	if (!crmw__object_searchable(o))
		return CRMW_OK;
	int rc = crmw__buf_printf(b, "CREATE VIRTUAL TABLE \"crmw_fts_%s\" USING fts5(", o->name);
	rc = rc ? rc : fts_cols(b, o, "");
	rc = rc ? rc : crmw__buf_printf(b, ", content='%s', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');\n",
					 o->name);
	rc = rc ? rc : fts_triggers_ddl(b, o);
	if (!rc && rebuild)
		rc = crmw__buf_printf(b, "INSERT INTO \"crmw_fts_%s\"(\"crmw_fts_%s\") VALUES ('rebuild');\n", o->name, o->name);
	return rc;
}

int crmw__db_secondary_indexes(crmw_db *db, int32_t obj, bool create)
{
	const crmw_object *o = &db->schema->objects[obj];
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (int32_t i = 1; !rc && i < o->nfields; i++) {
		const crmw_field *f = &o->fields[i];
		if (!f->indexed || f->unique)
			continue;
		rc = create ? field_index_ddl(&b, o, f)
			    : crmw__buf_printf(&b, "DROP INDEX \"crmw_ix_%s_%s\";\n", o->name, f->name);
	}

	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	if (b.len)
		rc = crmw__db_exec(db, b.data);
	crmw_buf_dispose(&b);
	return rc;
}

int crmw__db_fts_triggers(crmw_db *db, bool create)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (int32_t i = 0; !rc && i < db->schema->nobjects; i++) {
		const crmw_object *o = &db->schema->objects[i];
		if (crmw__object_searchable(o))
			rc = create ? fts_triggers_ddl(&b, o) : fts_drop_triggers_ddl(&b, o);
	}
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	if (b.len)
		rc = crmw__db_exec(db, b.data);
	crmw_buf_dispose(&b);
	return rc;
}

int crmw__db_fts_append(crmw_db *db, int32_t obj, int64_t after_rowid)
{
	const crmw_object *o = &db->schema->objects[obj];
	if (!crmw__object_searchable(o))
		return CRMW_OK;
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_printf(&b, "INSERT INTO \"crmw_fts_%s\"(rowid, ", o->name);
	rc = rc ? rc : fts_cols(&b, o, "");
	rc = rc ? rc : crmw__buf_puts(&b, ") SELECT rowid, ");
	rc = rc ? rc : fts_cols(&b, o, "");
	rc = rc ? rc : crmw__buf_printf(&b, " FROM \"%s\" WHERE rowid > %lld", o->name, (long long)after_rowid);
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	rc = crmw__db_exec(db, b.data);
	crmw_buf_dispose(&b);
	return rc;
}

static int object_ddl(crmw_buf *b, const crmw_object *o)
{
	int rc = crmw__buf_printf(b, "CREATE TABLE \"%s\" (\"Id\" TEXT PRIMARY KEY NOT NULL", o->name);
	for (int32_t i = 1; !rc && i < o->nfields; i++)
		rc = crmw__buf_printf(b, ", \"%s\" %s", o->fields[i].name, column_type(o->fields[i].type));
	rc = rc ? rc : crmw__buf_puts(b, ") STRICT;\n");
	for (int32_t i = 1; !rc && i < o->nfields; i++)
		rc = field_index_ddl(b, o, &o->fields[i]);
	rc = rc ? rc : fts_ddl(b, o, false);
	return rc;
}

static int save_meta(crmw_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db->sql,
				     "INSERT INTO crmw_meta(key, value) VALUES (?1, ?2) "
				     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
				     -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
		src = src == SQLITE_DONE ? SQLITE_OK : src;
	}
	sqlite3_finalize(st);
	return src == SQLITE_OK ? CRMW_OK : crmw__db_sqlerr(db, src, "saving org metadata");
}

static int save_schema(crmw_db *db)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_schema_to_json(&b, db->schema);
	if (rc)
		return crmw__errf(&db->h.err, rc, "%s", crmw_last_error());
	rc = save_meta(db, "schema", b.data);
	crmw_buf_dispose(&b);
	return rc;
}

/* ---------------------------------------------------- statement cache */

static void objstate_dispose(crmw_objstate *st)
{
	sqlite3_finalize(st->insert);
	sqlite3_finalize(st->get);
	sqlite3_finalize(st->exists);
	memset(st, 0, sizeof *st);
	st->next_id = -1;
}

static int sync_objstates(crmw_db *db)
{
	int32_t n = db->schema->nobjects;
	if (n > db->nobjs) {
		crmw_objstate *p = realloc(db->objs, (size_t)n * sizeof *p);
		if (!p)
			return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		for (int32_t i = db->nobjs; i < n; i++) {
			memset(&p[i], 0, sizeof p[i]);
			p[i].next_id = -1;
		}
		db->objs = p;
		db->nobjs = n;
	}
	return CRMW_OK;
}

int crmw__db_prepare_object(crmw_db *db, int32_t obj)
{
	crmw_objstate *st = &db->objs[obj];
	if (st->get)
		return CRMW_OK;
	const crmw_object *o = &db->schema->objects[obj];
	crmw_buf cols = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (int32_t i = 0; !rc && i < o->nfields; i++)
		rc = crmw__buf_printf(&cols, "%s\"%s\"", i ? ", " : "", o->fields[i].name);
	if (!rc && !db->readonly) {
		rc = crmw__buf_printf(&b, "INSERT INTO \"%s\" (%s) VALUES (", o->name, cols.data);
		for (int32_t i = 0; !rc && i < o->nfields; i++)
			rc = crmw__buf_puts(&b, i ? ", ?" : "?");
		rc = rc ? rc : crmw__buf_putc(&b, ')');
		if (!rc) {
			int src = sqlite3_prepare_v3(db->sql, b.data, -1, SQLITE_PREPARE_PERSISTENT,
						     &st->insert, NULL);
			if (src)
				rc = crmw__db_sqlerr(db, src, o->name);
		}
	}
	if (!rc) {
		crmw__buf_clear(&b);
		rc = crmw__buf_printf(&b, "SELECT %s FROM \"%s\" WHERE \"Id\" = ?", cols.data, o->name);
		int src = rc ? SQLITE_OK
			     : sqlite3_prepare_v3(db->sql, b.data, -1, SQLITE_PREPARE_PERSISTENT, &st->get, NULL);
		if (src)
			rc = crmw__db_sqlerr(db, src, o->name);
	}
	if (!rc) {
		crmw__buf_clear(&b);
		rc = crmw__buf_printf(&b, "SELECT 1 FROM \"%s\" WHERE \"Id\" = ?", o->name);
		int src = rc ? SQLITE_OK
			     : sqlite3_prepare_v3(db->sql, b.data, -1, SQLITE_PREPARE_PERSISTENT, &st->exists, NULL);
		if (src)
			rc = crmw__db_sqlerr(db, src, o->name);
	}
	crmw_buf_dispose(&cols);
	crmw_buf_dispose(&b);
	if (rc == CRMW_ENOMEM)
		crmw__errf(&db->h.err, rc, "out of memory");
	if (rc) {
		sqlite3_finalize(st->insert);
		sqlite3_finalize(st->get);
		sqlite3_finalize(st->exists);
		st->insert = st->get = st->exists = NULL;
	}
	return rc;
}

int crmw__db_prepare_scan(crmw_db *db, const crmw_object *o, sqlite3_stmt **out)
{
	*out = NULL;
	crmw_buf sql = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&sql, "SELECT ");
	for (int32_t i = 0; !rc && i < o->nfields; i++)
		rc = crmw__buf_printf(&sql, "%s\"%s\"", i ? ", " : "", o->fields[i].name);
	rc = rc ? rc : crmw__buf_printf(&sql, " FROM \"%s\" ORDER BY \"Id\"", o->name);
	if (rc) {
		crmw_buf_dispose(&sql);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	int src = sqlite3_prepare_v2(db->sql, sql.data, -1, out, NULL);
	crmw_buf_dispose(&sql);
	return src ? crmw__db_sqlerr(db, src, o->name) : CRMW_OK;
}

int crmw__db_ref_exists(crmw_db *db, const crmw_field *f, const char *id, size_t n, bool *found)
{
	*found = false;
	for (int32_t k = 0; k < f->nrefs && !*found; k++) {
		crmw_object *t = crmw__schema_object(db->schema, f->refs[k]);
		if (!t || memcmp(id, t->key_prefix, 3) != 0)
			continue;
		int32_t ti = crmw__db_objindex(db, t);
		int rc = crmw__db_prepare_object(db, ti);
		if (rc)
			return rc;
		sqlite3_stmt *st = db->objs[ti].exists;
		sqlite3_bind_text(st, 1, id, (int)n, SQLITE_STATIC);
		int src = sqlite3_step(st);
		*found = src == SQLITE_ROW;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (src != SQLITE_ROW && src != SQLITE_DONE)
			return crmw__db_sqlerr(db, src, "checking a reference");
	}
	return CRMW_OK;
}

/* ----------------------------------------------------------------- ids */

static int load_id_counter(crmw_db *db, int32_t obj)
{
	crmw_objstate *st = &db->objs[obj];
	if (st->next_id >= 0)
		return CRMW_OK;
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(db->sql, "SELECT next FROM crmw_ids WHERE object = ?", -1, &q, NULL);
	if (src)
		return crmw__db_sqlerr(db, src, "reading id counters");
	sqlite3_bind_text(q, 1, db->schema->objects[obj].name, -1, SQLITE_STATIC);
	src = sqlite3_step(q);
	st->next_id = src == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 1;
	sqlite3_finalize(q);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return crmw__db_sqlerr(db, src, "reading id counters");
	return CRMW_OK;
}

int crmw__db_id_counter(crmw_db *db, int32_t obj, int64_t *next)
{
	int rc = load_id_counter(db, obj);
	*next = rc ? 0 : db->objs[obj].next_id;
	return rc;
}

int crmw__db_next_id(crmw_db *db, int32_t obj, char out[19])
{
	int rc = load_id_counter(db, obj);
	if (rc)
		return rc;
	crmw_objstate *st = &db->objs[obj];
	crmw__id_make(out, db->schema->objects[obj].key_prefix, db->id_seed, st->next_id++);
	st->id_dirty = true;
	return CRMW_OK;
}

int crmw__db_save_ids(crmw_db *db)
{
	sqlite3_stmt *q = NULL;
	for (int32_t i = 0; i < db->nobjs; i++) {
		crmw_objstate *st = &db->objs[i];
		if (!st->id_dirty)
			continue;
		if (!q) {
			int src = sqlite3_prepare_v2(db->sql,
						     "INSERT INTO crmw_ids(object, next) VALUES (?1, ?2) "
						     "ON CONFLICT(object) DO UPDATE SET next = excluded.next",
						     -1, &q, NULL);
			if (src)
				return crmw__db_sqlerr(db, src, "saving id counters");
		}
		sqlite3_bind_text(q, 1, db->schema->objects[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, st->next_id);
		int src = sqlite3_step(q);
		sqlite3_reset(q);
		if (src != SQLITE_DONE) {
			sqlite3_finalize(q);
			return crmw__db_sqlerr(db, src, "saving id counters");
		}
		st->id_dirty = false;
	}
	sqlite3_finalize(q);
	return CRMW_OK;
}

/* Forget cached counters (after a rollback, they may be ahead). */
static void reload_ids(crmw_db *db)
{
	for (int32_t i = 0; i < db->nobjs; i++) {
		db->objs[i].next_id = -1;
		db->objs[i].id_dirty = false;
	}
}

/* ------------------------------------------------------ create / open */

static int db_alloc(crmw_db **out)
{
	crmw_db *db = calloc(1, sizeof *db);
	if (!db)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	memcpy(db->currency, "USD", 4);
	db->fiscal_start = 1;
	db->fiscal_by_end = true;
	*out = db;
	return CRMW_OK;
}

/* The org settings (docs/data-model.md): check one; put it into db. */
static int set_setting(crmw_db *db, const char *key, const char *value, crmw_err *err)
{
	if (strcmp(key, "currency") == 0) {
		if (strlen(value) != 3 || !isupper((unsigned char)value[0]) || !isupper((unsigned char)value[1]) ||
		    !isupper((unsigned char)value[2]))
			return crmw__errf(err, CRMW_EINVALID, "\"currency\" '%.40s' is not an ISO 4217 code (three capital letters)",
					  value);
		memcpy(db->currency, value, 4);
	} else if (strcmp(key, "fiscal_year_start_month") == 0) {
		char *end;
		long m = strtol(value, &end, 10);
		if (*end || m < 1 || m > 12)
			return crmw__errf(err, CRMW_EINVALID, "\"fiscal_year_start_month\" '%.40s' is not a month from 1 to 12",
					  value);
		db->fiscal_start = (int)m;
	} else if (strcmp(key, "fiscal_year_named_by") == 0) {
		if (strcmp(value, "end") != 0 && strcmp(value, "start") != 0)
			return crmw__errf(err, CRMW_EINVALID, "\"fiscal_year_named_by\" is \"start\" or \"end\", not '%.40s'",
					  value);
		db->fiscal_by_end = value[0] == 'e';
	}
	return CRMW_OK;
}

static const char *const setting_keys[] = {"currency", "fiscal_year_start_month", "fiscal_year_named_by"};

static void db_close(crmw_db *db)
{
	crmw__db_forget_queries(db);
	for (int32_t i = 0; i < db->nobjs; i++)
		objstate_dispose(&db->objs[i]);
	free(db->objs);
	db->objs = NULL;
	db->nobjs = 0;
	if (db->sql)
		sqlite3_close_v2(db->sql);
	db->sql = NULL;
}

void crmw_db_free(crmw_db *db)
{
	if (!db)
		return;
	db_close(db);
	crmw_schema_free(db->schema);
	free(db->now);
	crmw__handle_dispose(&db->h);
	free(db);
}

static int tune(crmw_db *db)
{
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, 5000);
	return crmw__db_exec(db, CRMW__DB_CACHE_PRAGMAS);
}

/* 0, or the errno of a failed removal of the database file itself */
static int remove_db_files(const char *path)
{
	char p[4096];
	int err = unlink(path) != 0 && errno != ENOENT ? errno : 0;
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-journal", path);
	unlink(p);
	return err;
}

int crmw_db_create(crmw_db **out, const char *path, const crmw_schema *schema,
		   const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !path || !schema);
	*out = NULL;
	bool memory = strcmp(path, ":memory:") == 0;
	bool overwrite = false;
	json_int_t seed = 0;
	const char *now = NULL;
	json_t *opts = NULL;
	/* the settings, checked now, kept in the new database's crmw_meta */
	crmw_db probe;
	memset(&probe, 0, sizeof probe);
	char settings[3][16] = {"", "", ""};
	static const char *const keys[] = {"overwrite", "id_seed", "now", "currency", "fiscal_year_start_month",
					   "fiscal_year_named_by"};
	int rc = crmw__json_options(&opts, NULL, options_json, "crmw_db_create options", keys, CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	const char *key;
	json_t *v;
	json_object_foreach(opts, key, v) {
		int k = -1;
		for (int i = 0; i < (int)CRMW_ARRAY_LEN(setting_keys); i++)
			if (strcmp(key, setting_keys[i]) == 0)
				k = i;
		const char *want = NULL;
		if (strcmp(key, "overwrite") == 0) {
			if (json_is_boolean(v))
				overwrite = json_is_true(v);
			else
				want = "true or false";
		} else if (strcmp(key, "id_seed") == 0) {
			if (json_is_integer(v))
				seed = json_integer_value(v);
			else
				want = "an integer";
		} else if (strcmp(key, "now") == 0) {
			if (json_is_string(v))
				now = json_string_value(v);
			else
				want = "a datetime string";
		} else if (json_is_string(v) && json_string_length(v) < sizeof settings[0]) {
			snprintf(settings[k], sizeof settings[k], "%s", json_string_value(v));
		} else if (json_is_integer(v) && strcmp(key, "fiscal_year_start_month") == 0) {
			snprintf(settings[k], sizeof settings[k], "%lld", (long long)json_integer_value(v));
		} else {
			want = strcmp(key, "fiscal_year_start_month") == 0 ? "a month from 1 to 12" : "a short string";
		}
		if (want)
			rc = crmw__errf(NULL, CRMW_EINVALID, "crmw_db_create options: \"%s\" must be %s", key, want);
		else if (k >= 0 && (rc = set_setting(&probe, key, settings[k], NULL)))
			crmw__errf(NULL, rc, "crmw_db_create options: %s", crmw_last_error());
		if (rc) {
			json_decref(opts);
			return rc;
		}
	}
	char now_norm[21] = "";
	if (now && crmw__parse_datetime(now, strlen(now), now_norm)) {
		/* `now` lives in opts: report before releasing it. */
		rc = crmw__errf(NULL, CRMW_EINVALID, "crmw_db_create options: \"now\" '%s' is not a datetime", now);
		json_decref(opts);
		return rc;
	}
	struct stat sb;
	if (!memory && stat(path, &sb) == 0) {
		if (!overwrite) {
			json_decref(opts);
			return crmw__errf(NULL, CRMW_EEXISTS, "%s already exists (use overwrite to replace it)", path);
		}
		int err = remove_db_files(path);
		if (err) {
			json_decref(opts);
			return crmw__errf(NULL, err == EROFS || err == EACCES || err == EPERM ? CRMW_EACCESS : CRMW_EIO,
					  "cannot replace %s: %s", path, strerror(err));
		}
	}
	crmw_db *db = NULL;
	rc = db_alloc(&db);
	if (rc) {
		json_decref(opts);
		return rc;
	}
	db->id_seed = (uint64_t)seed;
	for (int k = 0; !rc && k < (int)CRMW_ARRAY_LEN(setting_keys); k++)
		if (settings[k][0])
			rc = set_setting(db, setting_keys[k], settings[k], NULL);
	rc = rc ? rc : crmw_schema_clone(&db->schema, schema);
	if (!rc && now_norm[0] && !(db->now = crmw__strdup(now_norm)))
		rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	json_decref(opts);
	if (rc) {
		crmw_db_free(db);
		return rc;
	}
	int src = sqlite3_open_v2(path, &db->sql,
				  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src) {
		/* SQLite's last errno comes from its read-only retry: ask the folder */
		char dir[4096];
		const char *slash = strrchr(path, '/');
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
		int sys = access(dir, W_OK | X_OK) != 0 ? errno : db->sql ? sqlite3_system_errno(db->sql) : 0;
		rc = crmw__errf(&db->h.err, (src & 0xff) == SQLITE_NOMEM ? CRMW_ENOMEM : CRMW_EIO, "cannot create %s: %s",
				path, sys ? strerror(sys) : db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(src));
		goto fail;
	}
	if ((rc = tune(db)))
		goto fail;
	if (!memory && (rc = crmw__db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")))
		goto fail;
	crmw_buf ddl = CRMW_BUF_INIT;
	rc = crmw__buf_puts(&ddl,
			    "BEGIN;\n"
			    "CREATE TABLE crmw_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT) STRICT;\n"
			    "CREATE TABLE crmw_ids (object TEXT PRIMARY KEY NOT NULL, next INTEGER NOT NULL) STRICT;\n");
	for (int32_t i = 0; !rc && i < db->schema->nobjects; i++)
		rc = object_ddl(&ddl, &db->schema->objects[i]);
	if (rc) {
		crmw_buf_dispose(&ddl);
		rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		goto fail;
	}
	rc = crmw__db_exec(db, ddl.data);
	crmw_buf_dispose(&ddl);
	char seedtxt[32];
	snprintf(seedtxt, sizeof seedtxt, "%lld", (long long)seed);
	if (!rc)
		rc = save_meta(db, "format", ORG_FORMAT);
	if (!rc)
		rc = save_meta(db, "library_version", CRMW_VERSION_STRING);
	if (!rc)
		rc = save_meta(db, "id_seed", seedtxt);
	if (!rc && db->now)
		rc = save_meta(db, "now", db->now);
	for (int k = 0; !rc && k < (int)CRMW_ARRAY_LEN(setting_keys); k++)
		if (settings[k][0])
			rc = save_meta(db, setting_keys[k], settings[k]);
	if (!rc)
		rc = save_schema(db);
	if (!rc)
		rc = crmw__db_exec(db, "COMMIT;");
	if (!rc)
		rc = sync_objstates(db);
	if (rc)
		goto fail;
	*out = db;
	return CRMW_OK;
fail:
	crmw__errf(NULL, rc, "%s", crmw__err_msg(&db->h.err));
	crmw_db_free(db);
	if (!memory)
		remove_db_files(path);
	return rc;
}

/* Orgs written before search indexes existed get them on a read-write open. */
static int ensure_search_indexes(crmw_db *db)
{
	crmw_buf ddl = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (int32_t i = 0; !rc && i < db->schema->nobjects; i++) {
		const crmw_object *o = &db->schema->objects[i];
		if (!crmw__object_searchable(o))
			continue;
		char sql[300];
		snprintf(sql, sizeof sql, "SELECT 1 FROM sqlite_master WHERE name = 'crmw_fts_%s'", o->name);
		sqlite3_stmt *st = NULL;
		int src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
		bool have = src == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (src)
			rc = crmw__db_sqlerr(db, src, "checking search indexes");
		else if (!have && fts_ddl(&ddl, o, true))
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	if (!rc && ddl.len) {
		crmw__log(&db->h.log, CRMW_LOG_INFO, "building missing search indexes");
		crmw_buf all = CRMW_BUF_INIT;
		if (crmw__buf_printf(&all, "BEGIN; %s COMMIT;", ddl.data))
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		else if ((rc = crmw__db_exec(db, all.data)))
			sqlite3_exec(db->sql, "ROLLBACK;", NULL, NULL, NULL);
		crmw_buf_dispose(&all);
	}
	crmw_buf_dispose(&ddl);
	return rc;
}

static int load_meta(crmw_db *db, const char *key, char **out)
{
	*out = NULL;
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db->sql, "SELECT value FROM crmw_meta WHERE key = ?", -1, &st, NULL);
	if (src)
		return crmw__db_sqlerr(db, src, "reading org metadata");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW && sqlite3_column_text(st, 0))
		*out = crmw__strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return crmw__db_sqlerr(db, src, "reading org metadata");
	return CRMW_OK;
}

int crmw_db_open(crmw_db **out, const char *path, uint32_t flags)
{
	CRMW__ARGS_NONNULL(NULL, !out || !path);
	*out = NULL;
	if (flags & ~(uint32_t)CRMW_DB_READONLY)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_db_open: unknown flags 0x%x", flags);
	struct stat sb;
	if (stat(path, &sb) != 0)
		return crmw__errf(NULL, errno == ENOENT ? CRMW_ENOTFOUND : CRMW_EIO, "%s: %s", path,
				  strerror(errno));
	crmw_db *db = NULL;
	int rc = db_alloc(&db);
	if (rc)
		return rc;
	db->readonly = flags & CRMW_DB_READONLY;
	char *format = NULL, *schema_json = NULL, *seed = NULL;
	/* SQLite would quietly open a file it cannot write read-only, and fail
	 * later with a less clear message */
	if (!db->readonly && access(path, W_OK) != 0) {
		rc = crmw__errf(&db->h.err, CRMW_EACCESS, "%s: cannot open for writing: %s", path, strerror(errno));
		goto done;
	}
	int src = db->readonly ? crmw__sqlite_open_read(&db->sql, path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX)
			       : sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src) {
		rc = crmw__db_sqlerr(db, src, path);
		goto done;
	}
	if ((rc = tune(db)))
		goto done;
	/* A bulk load that was cut off may have left the file in rollback
	 * journal mode: org databases are WAL. */
	if (!db->readonly && (rc = crmw__db_exec(db, "PRAGMA journal_mode = WAL;"))) {
		if (rc == CRMW_EIO || rc == CRMW_ECORRUPT)
			rc = crmw__errf(&db->h.err, CRMW_ECORRUPT, "%s is not a libcrmweaver org database (%s)",
					path, crmw__err_msg(&db->h.err));
		goto done;
	}
	if ((rc = load_meta(db, "format", &format))) {
		if (rc == CRMW_EIO || rc == CRMW_ECORRUPT)
			rc = crmw__errf(&db->h.err, CRMW_ECORRUPT,
					"%s is not a libcrmweaver org database (%s)", path,
					crmw__err_msg(&db->h.err));
		goto done;
	}
	if (!format || strcmp(format, ORG_FORMAT) != 0) {
		rc = crmw__errf(&db->h.err, CRMW_ECORRUPT,
				"%s is not a libcrmweaver org database (format '%s', expected '%s')", path,
				format ? format : "none", ORG_FORMAT);
		goto done;
	}
	if ((rc = load_meta(db, "schema", &schema_json)) || (rc = load_meta(db, "id_seed", &seed)) ||
	    (rc = load_meta(db, "now", &db->now)))
		goto done;
	if (!schema_json) {
		rc = crmw__errf(&db->h.err, CRMW_ECORRUPT, "%s: the org database holds no schema", path);
		goto done;
	}
	if ((rc = crmw_schema_from_json(&db->schema, schema_json, strlen(schema_json)))) {
		rc = crmw__errf(&db->h.err, CRMW_ECORRUPT, "%s: the stored schema is damaged: %s", path,
				crmw_last_error());
		goto done;
	}
	db->id_seed = seed ? strtoull(seed, NULL, 10) : 0;
	for (int k = 0; !rc && k < (int)CRMW_ARRAY_LEN(setting_keys); k++) {
		char *val = NULL;
		rc = load_meta(db, setting_keys[k], &val);
		if (!rc && val && set_setting(db, setting_keys[k], val, NULL))
			rc = crmw__errf(&db->h.err, CRMW_ECORRUPT, "%s: the org setting %s is damaged: %s", path, setting_keys[k],
					crmw_last_error());
		free(val);
	}
	rc = rc ? rc : sync_objstates(db);
	if (!rc && !db->readonly)
		rc = ensure_search_indexes(db);
done:
	free(format);
	free(schema_json);
	free(seed);
	if (rc) {
		crmw__errf(NULL, rc, "%s", crmw__err_msg(&db->h.err));
		crmw_db_free(db);
		return rc;
	}
	*out = db;
	return CRMW_OK;
}

const char *crmw_db_errmsg(const crmw_db *db)
{
	return db ? crmw__err_msg(&db->h.err) : "";
}

void crmw_db_set_logger(crmw_db *db, crmw_log_fn fn, int32_t level, void *userdata,
			crmw_free_fn userdata_free)
{
	if (db)
		crmw__logger_set(&db->h.log, fn, level, userdata, userdata_free);
}

/* The name before crmw_db_set_logger (deprecated, still exported). */
void crmw_db_set_log(crmw_db *db, crmw_log_fn fn, int32_t level, void *userdata,
		     crmw_free_fn userdata_free)
{
	crmw_db_set_logger(db, fn, level, userdata, userdata_free);
}

const crmw_schema *crmw_db_schema(const crmw_db *db)
{
	return db ? db->schema : NULL;
}

const char *crmw_db_now(const crmw_db *db)
{
	return db ? db->now : NULL;
}

int crmw_db_count(int64_t *out, crmw_db *db, const char *object)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !out || !db || !object);
	crmw_object *o = crmw__db_object(db, object);
	if (!o)
		return CRMW_ENOTFOUND;
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", o->name);
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return src == SQLITE_OK ? CRMW_OK : crmw__db_sqlerr(db, src, "count");
}

/* ------------------------------------------------ schema changes */

int crmw_db_add_object(crmw_db *db, const char *object_json, size_t len)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object_json);
	int rc = crmw__db_writable(db, "add object");
	if (rc)
		return rc;
	crmw__db_forget_queries(db);
	rc = crmw_schema_add_object(db->schema, object_json, len);
	if (rc)
		return crmw__errf(&db->h.err, rc, "%s", crmw_schema_errmsg(db->schema));
	crmw_buf ddl = CRMW_BUF_INIT;
	if (crmw__buf_puts(&ddl, "BEGIN;\n") ||
	    object_ddl(&ddl, &db->schema->objects[db->schema->nobjects - 1])) {
		rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	} else if (!(rc = crmw__db_exec(db, ddl.data)) && !(rc = save_schema(db)) &&
		   !(rc = crmw__db_exec(db, "COMMIT;"))) {
		rc = sync_objstates(db);
	} else {
		sqlite3_exec(db->sql, "ROLLBACK;", NULL, NULL, NULL);
	}
	crmw_buf_dispose(&ddl);
	if (rc && db->schema->nobjects > db->nobjs)
		crmw__schema_pop_object(db->schema);
	return rc;
}

int crmw_db_add_field(crmw_db *db, const char *object, const char *field_json, size_t len)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !field_json);
	int rc = crmw__db_writable(db, "add field");
	if (rc)
		return rc;
	crmw_object *o = crmw__db_object(db, object);
	if (!o)
		return CRMW_ENOTFOUND;
	int32_t oi = crmw__db_objindex(db, o);
	int64_t count = 0;
	if ((rc = crmw_db_count(&count, db, o->name)))
		return rc;
	/* Try on a copy first: the live schema changes only when the table does. */
	crmw_schema *copy = NULL;
	if ((rc = crmw_schema_clone(&copy, db->schema)))
		return crmw__errf(&db->h.err, rc, "%s", crmw_last_error());
	if ((rc = crmw_schema_add_field(copy, o->name, field_json, len))) {
		rc = crmw__errf(&db->h.err, rc, "%s", crmw_schema_errmsg(copy));
		crmw_schema_free(copy);
		return rc;
	}
	crmw_object *co = &copy->objects[oi];
	crmw_field *f = &co->fields[co->nfields - 1];
	if (f->required && count > 0) {
		rc = crmw__errf(&db->h.err, CRMW_ESCHEMA,
				"cannot add required field '%s' to '%s': it already has %lld records",
				f->name, co->name, (long long)count);
		crmw_schema_free(copy);
		return rc;
	}
	crmw__db_forget_queries(db);
	crmw_buf ddl = CRMW_BUF_INIT;
	bool refts = crmw__field_searchable(f);
	crmw_object *oo = &db->schema->objects[oi];
	if (crmw__buf_printf(&ddl, "BEGIN;\nALTER TABLE \"%s\" ADD COLUMN \"%s\" %s;\n", co->name,
			     f->name, column_type(f->type)) ||
	    field_index_ddl(&ddl, co, f) ||
	    (refts && crmw__object_searchable(oo) &&
	     (fts_drop_triggers_ddl(&ddl, oo) ||
	      crmw__buf_printf(&ddl, "DROP TABLE IF EXISTS \"crmw_fts_%s\";\n", oo->name))) ||
	    (refts && fts_ddl(&ddl, co, true))) {
		crmw_buf_dispose(&ddl);
		crmw_schema_free(copy);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	crmw_schema *old = db->schema;
	db->schema = copy;
	if ((rc = crmw__db_exec(db, ddl.data)) || (rc = save_schema(db)) ||
	    (rc = crmw__db_exec(db, "COMMIT;"))) {
		sqlite3_exec(db->sql, "ROLLBACK;", NULL, NULL, NULL);
		db->schema = old;
		crmw_schema_free(copy);
	} else {
		crmw_schema_free(old);
		/* Statements of every object named the old column lists. */
		for (int32_t i = 0; i < db->nobjs; i++) {
			int64_t next = db->objs[i].next_id;
			bool dirty = db->objs[i].id_dirty;
			objstate_dispose(&db->objs[i]);
			db->objs[i].next_id = next;
			db->objs[i].id_dirty = dirty;
		}
	}
	crmw_buf_dispose(&ddl);
	return rc;
}

void crmw__db_after_rollback(crmw_db *db)
{
	reload_ids(db);
}

void crmw__stmt_bindv(sqlite3_stmt *st, const char *types, va_list ap)
{
	for (int i = 0; types && types[i]; i++) {
		if (types[i] == 's')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
		else if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
	}
}
