/*
 * Bulk loads: one transaction, cached INSERT statements, values checked as
 * they come, references checked once at commit with one anti-join per
 * reference field.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/internal.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Where the rows of one object came from, for error messages. */
typedef struct rowmap {
	int64_t *rowid;
	int64_t *row;
	int32_t *source;
	size_t n, cap;
} rowmap;

/* A set of 18-character ids known to exist (open addressing; an empty slot
 * starts with NUL, which no id does: one cache line per probe). */
typedef struct idset {
	char (*keys)[18];
	size_t cap, n;
} idset;

#define IDSET_MAX (1u << 20) /* about 19 MiB of keys at most */
#define DEFER_INDEXES_AT 4096

static uint64_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < 18; i++)
		h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
	return h;
}

static bool idset_has(const idset *s, const char *id)
{
	if (!s->cap)
		return false;
	for (size_t i = id_hash(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->keys[i][0])
			return false;
		if (memcmp(s->keys[i], id, 18) == 0)
			return true;
	}
}

static void idset_put(idset *s, const char *id);

static void idset_grow(idset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	idset big = {calloc(cap, 18), cap, 0};
	if (!big.keys)
		return; /* out of memory only makes the cache smaller: the database lookups stay */
	for (size_t i = 0; i < s->cap; i++)
		if (s->keys[i][0])
			idset_put(&big, s->keys[i]);
	free(s->keys);
	*s = big;
}

static void idset_put(idset *s, const char *id)
{
	if ((s->n + 1) * 2 > s->cap) {
		if (s->cap >= IDSET_MAX)
			return;
		idset_grow(s);
		if ((s->n + 1) * 2 > s->cap)
			return;
	}
	size_t i = id_hash(id) & (s->cap - 1);
	while (s->keys[i][0])
		i = (i + 1) & (s->cap - 1);
	memcpy(s->keys[i], id, 18);
	s->n++;
}

struct crmw_bulk {
	crmw_db *db;
	idset known;          /* referenced ids found in the database */
	bool **unresolved;    /* per object and field: a reference not found yet */
	bool open;      /* the transaction is open */
	bool committed;
	int64_t count;
	int64_t *first_rowid; /* per object: rows above this were added by the load */
	int64_t *added;       /* per object: rows added by the load */
	bool *deferred;       /* per object: secondary indexes dropped until commit */
	int64_t *first_counter; /* per object: the id counter when the load began */
	crmw_idform *idform;    /* per object: how its generated ids look */
	bool journal_switched; /* the load runs with a rollback journal */
	rowmap *rows;         /* per object (only when a source is set) */
	char **sources;
	int32_t nsources;
	int64_t next_row;     /* row number of the next record, 0 = none */
	/* The typed row being built. */
	int32_t row_obj;      /* -1 = none */
	int32_t last_obj;     /* object of the previous row, -1 = none */
	crmw_val *vals;
	int32_t nvals;
	crmw_buf text;        /* copies of text set through crmw_bulk_set_text */
	size_t *text_off;     /* per field: offset into text, or SIZE_MAX */
};

static void restore_journal(crmw_bulk *b);

int crmw_bulk_begin(crmw_bulk **out, crmw_db *db, const char *options_json)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !out || !db);
	*out = NULL;
	bool exclusive = false;
	static const char *const keys[] = {"exclusive"};
	json_t *opts;
	int rc = crmw__json_options(&opts, &db->h.err, options_json, "crmw_bulk_begin options", keys,
				    CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	json_t *ex = json_object_get(opts, "exclusive");
	if (ex && !json_is_boolean(ex))
		rc = crmw__errf(&db->h.err, CRMW_EINVALID, "crmw_bulk_begin options: \"exclusive\" must be true or false");
	exclusive = json_is_true(ex);
	json_decref(opts);
	if (rc)
		return rc;
	rc = crmw__db_writable(db, "bulk load");
	if (rc)
		return rc;
	crmw_bulk *b = calloc(1, sizeof *b);
	int32_t n = db->schema->nobjects;
	if (b) {
		b->first_rowid = calloc((size_t)n, sizeof *b->first_rowid);
		b->rows = calloc((size_t)n, sizeof *b->rows);
		b->unresolved = calloc((size_t)n, sizeof *b->unresolved);
		b->added = calloc((size_t)n, sizeof *b->added);
		b->deferred = calloc((size_t)n, sizeof *b->deferred);
		b->first_counter = calloc((size_t)n, sizeof *b->first_counter);
		b->idform = calloc((size_t)n, sizeof *b->idform);
	}
	if (!b || !b->first_rowid || !b->rows || !b->unresolved || !b->added || !b->deferred || !b->first_counter ||
	    !b->idform) {
		if (b) {
			free(b->first_rowid);
			free(b->rows);
			free(b->unresolved);
			free(b->added);
			free(b->deferred);
			free(b->first_counter);
			free(b->idform);
		}
		free(b);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	b->db = db;
	b->row_obj = -1;
	b->last_obj = -1;
	for (int32_t i = 0; i < n; i++) {
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT coalesce(max(rowid), 0) FROM \"%s\"", db->schema->objects[i].name);
		sqlite3_stmt *st = NULL;
		int src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
		if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
			b->first_rowid[i] = sqlite3_column_int64(st, 0);
			src = SQLITE_OK;
		}
		sqlite3_finalize(st);
		if (src) {
			rc = crmw__db_sqlerr(db, src, "bulk load");
			crmw_bulk_free(b);
			return rc;
		}
	}
	if (exclusive) {
		/* A rollback journal writes each new page once, where WAL writes it
		 * twice (log, then checkpoint).  It needs this to be the only
		 * connection: otherwise SQLite keeps WAL and so do we. */
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode = DELETE", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		    strcmp((const char *)sqlite3_column_text(st, 0), "delete") == 0)
			b->journal_switched = true;
		sqlite3_finalize(st);
	}
	if ((rc = crmw__db_exec(db, "BEGIN IMMEDIATE;"))) {
		restore_journal(b);
		crmw_bulk_free(b);
		return rc;
	}
	b->open = true;
	db->in_bulk = true;
	/* Search indexes are filled once at commit (see crmw__db_fts_triggers). */
	if ((rc = crmw__db_fts_triggers(db, false))) {
		crmw_bulk_free(b); /* rolls back */
		return rc;
	}
	for (int32_t i = 0; i < n; i++) {
		if ((rc = crmw__db_id_counter(db, i, &b->first_counter[i]))) {
			crmw_bulk_free(b); /* rolls back */
			return rc;
		}
		crmw__id_form(&b->idform[i], db->schema->objects[i].key_prefix, db->id_seed);
	}
	*out = b;
	return CRMW_OK;
}

static void restore_journal(crmw_bulk *b)
{
	if (!b->journal_switched)
		return;
	b->journal_switched = false;
	sqlite3_stmt *st = NULL;
	const char *mode = NULL;
	if (sqlite3_prepare_v2(b->db->sql, "PRAGMA journal_mode = WAL", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal") != 0)
		crmw__log(&b->db->h.log, CRMW_LOG_WARN,
			  "bulk load: could not return the database to WAL mode (journal mode %s)",
			  mode ? mode : "unknown");
	sqlite3_finalize(st);
}

static void rollback(crmw_bulk *b)
{
	if (!b->open)
		return;
	sqlite3_exec(b->db->sql, "ROLLBACK;", NULL, NULL, NULL);
	crmw__db_after_rollback(b->db);
	b->open = false;
	b->db->in_bulk = false;
	restore_journal(b);
}

void crmw_bulk_free(crmw_bulk *b)
{
	if (!b)
		return;
	rollback(b);
	if (b->db) {
		for (int32_t i = 0; i < b->db->schema->nobjects; i++) {
			free(b->rows[i].rowid);
			free(b->rows[i].row);
			free(b->rows[i].source);
			free(b->unresolved[i]);
		}
	}
	free(b->unresolved);
	free(b->added);
	free(b->deferred);
	free(b->first_counter);
	free(b->idform);
	free(b->known.keys);
	for (int32_t i = 0; i < b->nsources; i++)
		free(b->sources[i]);
	free(b->sources);
	free(b->rows);
	free(b->first_rowid);
	free(b->vals);
	free(b->text_off);
	crmw_buf_dispose(&b->text);
	free(b);
}

int64_t crmw_bulk_count(const crmw_bulk *b)
{
	return b ? b->count : 0;
}

static int check_open(crmw_bulk *b, const char *what)
{
	if (!b->open)
		return crmw__errf(&b->db->h.err, CRMW_ESTATE, "%s: the bulk load is %s", what,
				  b->committed ? "committed" : "rolled back after an error");
	return CRMW_OK;
}

int crmw_bulk_set_source(crmw_bulk *b, const char *source, int64_t row)
{
	if (!b)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_bulk_set_source: NULL bulk");
	if (!source) {
		b->next_row = 0;
		return CRMW_OK;
	}
	if (b->nsources == 0 || strcmp(b->sources[b->nsources - 1], source) != 0) {
		char **p = realloc(b->sources, (size_t)(b->nsources + 1) * sizeof *p);
		if (!p)
			return crmw__errf(&b->db->h.err, CRMW_ENOMEM, "out of memory");
		b->sources = p;
		if (!(p[b->nsources] = crmw__strdup(source)))
			return crmw__errf(&b->db->h.err, CRMW_ENOMEM, "out of memory");
		b->nsources++;
	}
	b->next_row = row;
	return CRMW_OK;
}

/* "Case row 12 of cases.csv" or "Case record 12" */
static void where_of(crmw_bulk *b, const crmw_object *o, char *out, size_t n)
{
	if (b->next_row > 0 && b->nsources > 0)
		snprintf(out, n, "%s, row %lld of %s", o->name, (long long)b->next_row,
			 b->sources[b->nsources - 1]);
	else
		snprintf(out, n, "%s, record %lld of the load", o->name, (long long)b->count + 1);
}

static int remember_row(crmw_bulk *b, int32_t obj)
{
	if (b->next_row <= 0 || b->nsources == 0)
		return CRMW_OK;
	rowmap *m = &b->rows[obj];
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		int64_t *r1 = realloc(m->rowid, cap * sizeof *r1);
		if (r1)
			m->rowid = r1;
		int64_t *r2 = realloc(m->row, cap * sizeof *r2);
		if (r2)
			m->row = r2;
		int32_t *r3 = realloc(m->source, cap * sizeof *r3);
		if (r3)
			m->source = r3;
		if (!r1 || !r2 || !r3)
			return crmw__errf(&b->db->h.err, CRMW_ENOMEM, "out of memory");
		m->cap = cap;
	}
	m->rowid[m->n] = sqlite3_last_insert_rowid(b->db->sql);
	m->row[m->n] = b->next_row;
	m->source[m->n] = b->nsources - 1;
	m->n++;
	return CRMW_OK;
}

/*
 * Whether the reference `v` is the id of a record this load wrote: made from
 * its object's id counter (crmw__id_make), between the counter's
 * value when the load began and now (every id the load took from the counter
 * belongs to a record written, or the load has failed).  No lookup, no
 * memory: a 10x org refers to more records than the known-id cache holds.
 */
static bool written_by_load(crmw_bulk *b, const crmw_val *v)
{
	/* The value check made sure the id's key prefix is one the field refers to. */
	crmw_db *db = b->db;
	if (v->n != 18)
		return false;
	int32_t t = 0;
	while (t < db->schema->nobjects && memcmp(db->schema->objects[t].key_prefix, v->s, 3) != 0)
		t++;
	int64_t c, next;
	return t < db->schema->nobjects && crmw__id_counter_of(v->s, &b->idform[t], &c) && c >= b->first_counter[t] &&
	       crmw__db_id_counter(db, t, &next) == CRMW_OK && c < next;
}

/*
 * Look each reference of a written row up (once per distinct id, thanks to
 * the cache).  References not found yet may point at records later in the
 * load: their fields are checked again at commit.
 */
static int note_references(crmw_bulk *b, int32_t obj, const crmw_val *vals)
{
	crmw_db *db = b->db;
	const crmw_object *o = &db->schema->objects[obj];
	for (int32_t i = 1; i < o->nfields; i++) {
		const crmw_field *f = &o->fields[i];
		if (f->type != CRMW_FIELD_REFERENCE || vals[i].kind != CRMW_VAL_TEXT)
			continue;
		if (b->unresolved[obj] && b->unresolved[obj][i])
			continue; /* checked at commit anyway */
		if (written_by_load(b, &vals[i]) || idset_has(&b->known, vals[i].s))
			continue;
		bool found = false;
		int rc = crmw__db_ref_exists(db, f, vals[i].s, vals[i].n, &found);
		if (rc)
			return rc;
		if (found) {
			idset_put(&b->known, vals[i].s);
			continue;
		}
		if (!b->unresolved[obj] && !(b->unresolved[obj] = calloc((size_t)o->nfields, sizeof(bool))))
			return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		b->unresolved[obj][i] = true;
	}
	return CRMW_OK;
}

/* Write one checked record; any failure ends the load (rolled back).  The
 * record writer is given an empty location: messages start with ": ..." and
 * the location is only formatted here, when something failed. */
static int write_row(crmw_bulk *b, int32_t obj, crmw_val *vals, crmw_buf *id_out)
{
	crmw_db *db = b->db;
	const crmw_object *o = &db->schema->objects[obj];
	char id[19];
	int rc = CRMW_OK;
	/* A large load into an empty table builds its secondary indexes once at
	 * commit (a sort) instead of row by row. */
	if (++b->added[obj] == DEFER_INDEXES_AT && b->first_rowid[obj] == 0 && !b->deferred[obj]) {
		if ((rc = crmw__db_secondary_indexes(db, obj, false))) {
			rollback(b);
			return rc;
		}
		b->deferred[obj] = true;
	}
	rc = crmw__record_check_required(db, o, vals, "");
	rc = rc ? rc : crmw__record_write(db, obj, vals, "", id);
	if (rc && rc != CRMW_ENOMEM) {
		char where[300];
		where_of(b, o, where, sizeof where);
		crmw__errf(&db->h.err, rc, "%s%s", where, crmw__err_msg(&db->h.err));
	}
	rc = rc ? rc : remember_row(b, obj);
	rc = rc ? rc : note_references(b, obj, vals);
	if (!rc && id_out) {
		crmw__buf_clear(id_out);
		if (crmw__buf_append(id_out, id, 18))
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	if (rc) {
		rollback(b);
		return rc;
	}
	b->count++;
	if (b->next_row > 0)
		b->next_row++;
	return CRMW_OK;
}

int crmw__bulk_add_object(crmw_buf *id_out, crmw_bulk *b, const crmw_object *o, json_t *root)
{
	crmw_db *db = b->db;
	int rc = check_open(b, "bulk add");
	if (rc)
		return rc;
	int32_t obj = crmw__db_objindex(db, o);
	char where[300];
	if (!json_is_object(root)) {
		where_of(b, o, where, sizeof where);
		rc = crmw__errf(&db->h.err, CRMW_EFORMAT, "%s: a record must be a JSON object", where);
		rollback(b);
		return rc;
	}
	crmw_val *vals = calloc((size_t)o->nfields, sizeof *vals);
	if (!vals) {
		rollback(b);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	const char *key;
	json_t *jv;
	json_object_foreach(root, key, jv) {
		if (strcmp(key, "attributes") == 0)
			continue;
		int32_t fi = crmw__object_field_index(o, key);
		if (fi < 0) {
			crmw__schema_no_field(&db->h.err, o, key);
			where_of(b, o, where, sizeof where);
			rc = crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s: %s", where, crmw__err_msg(&db->h.err));
			break;
		}
		char why[200];
		if (crmw__val_from_json(&vals[fi], db->schema, o, &o->fields[fi], jv, why, sizeof why)) {
			where_of(b, o, where, sizeof where);
			rc = crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s, field '%s': %s", where,
					o->fields[fi].name, why);
			break;
		}
	}
	if (rc)
		rollback(b);
	else
		rc = write_row(b, obj, vals, id_out);
	free(vals);
	return rc;
}

int crmw_bulk_add_json(crmw_buf *id_out, crmw_bulk *b, const char *object, const char *json, size_t len)
{
	CRMW__ARGS_NONNULL(b ? &b->db->h.err : NULL, !b || !object || !json);
	crmw_db *db = b->db;
	int rc = check_open(b, "bulk add");
	if (rc)
		return rc;
	crmw_object *o = crmw__db_object(db, object);
	if (!o) {
		rollback(b);
		return CRMW_ENOTFOUND;
	}
	crmw__json_error jerr;
	json_t *root = NULL;
	if ((rc = crmw__json_parse(json, len, &root, &jerr))) {
		char where[300];
		where_of(b, o, where, sizeof where);
		rc = crmw__errf(&db->h.err, rc, "%s: bad JSON at column %d: %s", where, jerr.column, jerr.text);
		rollback(b);
		return rc;
	}
	rc = crmw__bulk_add_object(id_out, b, o, root);
	json_decref(root);
	return rc;
}

/* Fail the load with a message (used by importers for malformed input). */
int crmw__bulk_fail(crmw_bulk *b, int code, const char *msg)
{
	int rc = crmw__errf(&b->db->h.err, code, "%s", msg);
	rollback(b);
	return rc;
}

crmw_db *crmw__bulk_db(crmw_bulk *b)
{
	return b->db;
}

/* ---------------------------------------------------------- typed rows */

int crmw_bulk_row_begin(crmw_bulk *b, const char *object)
{
	CRMW__ARGS_NONNULL(b ? &b->db->h.err : NULL, !b || !object);
	int rc = check_open(b, "bulk row");
	if (rc)
		return rc;
	/* Loads write many rows of one object in a row: try the last one first. */
	crmw_object *o = b->last_obj >= 0 && strcmp(b->db->schema->objects[b->last_obj].name, object) == 0
				 ? &b->db->schema->objects[b->last_obj]
				 : crmw__db_object(b->db, object);
	if (!o) {
		rollback(b);
		return CRMW_ENOTFOUND;
	}
	b->last_obj = crmw__db_objindex(b->db, o);
	if (o->nfields > b->nvals) {
		crmw_val *v = realloc(b->vals, (size_t)o->nfields * sizeof *v);
		size_t *t = v ? realloc(b->text_off, (size_t)o->nfields * sizeof *t) : NULL;
		if (v)
			b->vals = v;
		if (t)
			b->text_off = t;
		if (!v || !t) {
			rollback(b);
			return crmw__errf(&b->db->h.err, CRMW_ENOMEM, "out of memory");
		}
		b->nvals = o->nfields;
	}
	for (int32_t i = 0; i < o->nfields; i++) {
		b->vals[i].kind = CRMW_VAL_NULL;
		b->text_off[i] = SIZE_MAX;
	}
	crmw__buf_clear(&b->text);
	b->row_obj = crmw__db_objindex(b->db, o);
	return CRMW_OK;
}

static int row_field(crmw_bulk *b, int32_t field, const char *what, const crmw_field **f)
{
	int rc = check_open(b, what);
	if (rc)
		return rc;
	if (b->row_obj < 0)
		return crmw__errf(&b->db->h.err, CRMW_ESTATE, "%s: no row begun (crmw_bulk_row_begin)", what);
	const crmw_object *o = &b->db->schema->objects[b->row_obj];
	if (field < 0 || field >= o->nfields)
		return crmw__errf(&b->db->h.err, CRMW_EINVALID, "%s: %s has no field number %d", what,
				  o->name, (int)field);
	*f = &o->fields[field];
	return CRMW_OK;
}

static int type_error(crmw_bulk *b, const crmw_field *f, const char *why)
{
	const crmw_object *o = &b->db->schema->objects[b->row_obj];
	char where[300];
	where_of(b, o, where, sizeof where);
	int rc = crmw__errf(&b->db->h.err, CRMW_ESCHEMA, "%s, field '%s': %s", where, f->name, why);
	rollback(b);
	return rc;
}

int crmw_bulk_set_text(crmw_bulk *b, int32_t field, const char *s, size_t len)
{
	const crmw_field *f;
	CRMW__ARGS_NONNULL(b ? &b->db->h.err : NULL, !b || !s);
	int rc = row_field(b, field, "bulk set", &f);
	if (rc)
		return rc;
	/* Copy the text: the host's buffer may change before the row ends. */
	size_t off = b->text.len;
	if (crmw__buf_append(&b->text, s, len) || crmw__buf_putc(&b->text, '\0')) {
		rollback(b);
		return crmw__errf(&b->db->h.err, CRMW_ENOMEM, "out of memory");
	}
	b->text_off[field] = off;
	char why[200];
	const crmw_object *o = &b->db->schema->objects[b->row_obj];
	crmw_val *v = &b->vals[field];
	if (crmw__val_from_text(v, b->db->schema, o, f, b->text.data + off, len, why, sizeof why))
		return type_error(b, f, why);
	return CRMW_OK;
}

int crmw_bulk_set_int(crmw_bulk *b, int32_t field, int64_t v)
{
	const crmw_field *f;
	if (!b)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_bulk_set_int: NULL bulk");
	int rc = row_field(b, field, "bulk set", &f);
	if (rc)
		return rc;
	crmw_val *val = &b->vals[field];
	b->text_off[field] = SIZE_MAX;
	switch (f->type) {
	case CRMW_FIELD_BOOLEAN:
		if (v != 0 && v != 1)
			return type_error(b, f, "a boolean takes 0 or 1");
		/* fall through */
	case CRMW_FIELD_INT:
		val->kind = CRMW_VAL_INT;
		val->i = v;
		return CRMW_OK;
	case CRMW_FIELD_DOUBLE:
	case CRMW_FIELD_CURRENCY:
	case CRMW_FIELD_PERCENT:
		val->kind = CRMW_VAL_REAL;
		val->d = (double)v;
		return CRMW_OK;
	default:
		return type_error(b, f, "an integer is not a valid value for this field type");
	}
}

int crmw_bulk_set_double(crmw_bulk *b, int32_t field, double v)
{
	const crmw_field *f;
	if (!b)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_bulk_set_double: NULL bulk");
	int rc = row_field(b, field, "bulk set", &f);
	if (rc)
		return rc;
	if (v != v || v - v != 0)
		return type_error(b, f, "NaN and infinities are not valid numbers");
	crmw_val *val = &b->vals[field];
	b->text_off[field] = SIZE_MAX;
	switch (f->type) {
	case CRMW_FIELD_DOUBLE:
	case CRMW_FIELD_CURRENCY:
	case CRMW_FIELD_PERCENT:
		val->kind = CRMW_VAL_REAL;
		val->d = v;
		return CRMW_OK;
	case CRMW_FIELD_INT:
		if (v != (double)(int64_t)v)
			return type_error(b, f, "not an integer");
		val->kind = CRMW_VAL_INT;
		val->i = (int64_t)v;
		return CRMW_OK;
	default:
		return type_error(b, f, "a number is not a valid value for this field type");
	}
}

int crmw_bulk_set_null(crmw_bulk *b, int32_t field)
{
	const crmw_field *f;
	if (!b)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_bulk_set_null: NULL bulk");
	int rc = row_field(b, field, "bulk set", &f);
	if (rc)
		return rc;
	b->vals[field].kind = CRMW_VAL_NULL;
	b->text_off[field] = SIZE_MAX;
	return CRMW_OK;
}

int crmw_bulk_row_end(crmw_buf *id_out, crmw_bulk *b)
{
	if (!b)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_bulk_row_end: NULL bulk");
	int rc = check_open(b, "bulk row end");
	if (rc)
		return rc;
	if (b->row_obj < 0)
		return crmw__errf(&b->db->h.err, CRMW_ESTATE, "bulk row end: no row begun");
	int32_t obj = b->row_obj;
	const crmw_object *o = &b->db->schema->objects[obj];
	/* The text buffer may have moved while it grew: re-point text values. */
	for (int32_t i = 0; i < o->nfields; i++)
		if (b->text_off[i] != SIZE_MAX && b->vals[i].kind == CRMW_VAL_TEXT &&
		    b->vals[i].s != b->vals[i].buf)
			b->vals[i].s = b->text.data + b->text_off[i];
	b->row_obj = -1;
	return write_row(b, obj, b->vals, id_out);
}

/* ------------------------------------------------------------- commit */

static void source_of(crmw_bulk *b, int32_t obj, int64_t rowid, char *out, size_t n)
{
	rowmap *m = &b->rows[obj];
	size_t lo = 0, hi = m->n;
	out[0] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->rowid[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && m->rowid[lo] == rowid)
		snprintf(out, n, " (row %lld of %s)", (long long)m->row[lo], b->sources[m->source[lo]]);
}

static int check_references(crmw_bulk *b)
{
	crmw_db *db = b->db;
	const crmw_schema *s = db->schema;
	for (int32_t i = 0; i < s->nobjects; i++) {
		const crmw_object *o = &s->objects[i];
		if (!b->unresolved[i])
			continue;
		for (int32_t j = 1; j < o->nfields; j++) {
			const crmw_field *f = &o->fields[j];
			if (f->type != CRMW_FIELD_REFERENCE || !b->unresolved[i][j])
				continue;
			crmw_buf sql = CRMW_BUF_INIT;
			int rc = crmw__buf_printf(&sql,
						  "SELECT c.rowid, c.\"Id\", c.\"%s\" FROM \"%s\" c WHERE c.rowid > ?1 "
						  "AND c.\"%s\" IS NOT NULL",
						  f->name, o->name, f->name);
			for (int32_t k = 0; !rc && k < f->nrefs; k++)
				rc = crmw__buf_printf(&sql, " AND NOT EXISTS (SELECT 1 FROM \"%s\" p WHERE p.\"Id\" = c.\"%s\")",
						      f->refs[k], f->name);
			rc = rc ? rc : crmw__buf_puts(&sql, " LIMIT 1");
			if (rc) {
				crmw_buf_dispose(&sql);
				return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
			}
			sqlite3_stmt *st = NULL;
			int src = sqlite3_prepare_v2(db->sql, sql.data, -1, &st, NULL);
			crmw_buf_dispose(&sql);
			if (src)
				return crmw__db_sqlerr(db, src, "checking references");
			sqlite3_bind_int64(st, 1, b->first_rowid[i]);
			src = sqlite3_step(st);
			if (src == SQLITE_ROW) {
				char from[400];
				source_of(b, i, sqlite3_column_int64(st, 0), from, sizeof from);
				rc = crmw__errf(&db->h.err, CRMW_ESCHEMA,
						"%s %s%s, field '%s': no record with Id '%s' (dangling reference)",
						o->name, (const char *)sqlite3_column_text(st, 1), from, f->name,
						(const char *)sqlite3_column_text(st, 2));
			} else if (src != SQLITE_DONE) {
				rc = crmw__db_sqlerr(db, src, "checking references");
			}
			sqlite3_finalize(st);
			if (rc)
				return rc;
		}
	}
	return CRMW_OK;
}

/* Building an index sorts.  SQLite's sorter hands sorted runs to helper
 * threads only when its temporary files are files (not with temp_store =
 * MEMORY, the store's default) and a run is smaller than the data (a small
 * cache).  Measured on two cores, a 10x b2b org: 288k records/s with the
 * sort on one thread, 330-344k with 1 MiB runs on two.  The settings are
 * put back once the transaction has ended: temp_store cannot change while a
 * temporary database is in use. */
static void sort_settings(crmw_db *db, bool bulk)
{
	sqlite3_exec(db->sql,
		     bulk ? "PRAGMA threads = 2; PRAGMA cache_size = 250; PRAGMA temp_store = FILE;"
			  : "PRAGMA threads = 0; " CRMW__DB_CACHE_PRAGMAS,
		     NULL, NULL, NULL);
}

/* Build an object's deferred indexes.  Sorting in files needs room in
 * SQLite's temporary directory (SQLITE_TMPDIR, TMPDIR, /var/tmp, /tmp); when
 * that is full or unwritable and the transaction survived, sort in memory. */
static int build_indexes(crmw_bulk *b, int32_t obj, bool *in_files)
{
	crmw_db *db = b->db;
	int rc = crmw__db_secondary_indexes(db, obj, true);
	int src = sqlite3_errcode(db->sql);
	if (rc && *in_files && !sqlite3_get_autocommit(db->sql) &&
	    (src == SQLITE_FULL || src == SQLITE_IOERR || src == SQLITE_CANTOPEN)) {
		crmw__log(&db->h.log, CRMW_LOG_WARN, "sorting %s's index keys in temporary files failed (%s); sorting in memory",
			  db->schema->objects[obj].name, sqlite3_errmsg(db->sql));
		*in_files = false;
		sort_settings(db, false);
		rc = crmw__db_secondary_indexes(db, obj, true);
	}
	return rc;
}

int crmw_bulk_commit(crmw_bulk *b)
{
	if (!b)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_bulk_commit: NULL bulk");
	int rc = check_open(b, "bulk commit");
	if (rc)
		return rc;
	rc = check_references(b);
	sort_settings(b->db, true);
	bool in_files = true;
	for (int32_t i = 0; !rc && i < b->db->schema->nobjects; i++) {
		if (b->deferred[i])
			rc = build_indexes(b, i, &in_files);
		if (!rc && b->added[i])
			rc = crmw__db_fts_append(b->db, i, b->first_rowid[i]);
	}
	rc = rc ? rc : crmw__db_fts_triggers(b->db, true);
	rc = rc ? rc : crmw__db_save_ids(b->db);
	rc = rc ? rc : crmw__db_exec(b->db, "COMMIT;");
	if (rc)
		rollback(b);
	sort_settings(b->db, false);
	if (rc)
		return rc;
	b->open = false;
	b->committed = true;
	b->db->in_bulk = false;
	restore_journal(b);
	crmw__log(&b->db->h.log, CRMW_LOG_INFO, "bulk load committed %lld records", (long long)b->count);
	return CRMW_OK;
}
