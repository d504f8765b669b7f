/*
 * lib/store/internal.h: the org database handle and the value checks shared
 * by records, bulk loads and imports.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_STORE_INTERNAL_H
#define CRMW_STORE_INTERNAL_H

#include "schema/internal.h"
#include <crmweaver/store.h>

#include <sqlite3.h>
#include <stdarg.h>

struct json_t;

/* Per-object state of an open database: cached statements and id counter. */
typedef struct crmw_objstate {
	sqlite3_stmt *insert;  /* INSERT INTO "O" (all columns) VALUES (?...) */
	sqlite3_stmt *get;     /* SELECT all columns FROM "O" WHERE Id = ? */
	sqlite3_stmt *exists;  /* SELECT 1 FROM "O" WHERE Id = ? */
	int64_t next_id;       /* next id counter; -1 = not loaded */
	bool id_dirty;         /* next_id changed since it was saved */
} crmw_objstate;

struct crmw_db {
	crmw_handle h;
	sqlite3 *sql;
	crmw_schema *schema;
	crmw_objstate *objs;   /* one per schema object, same order */
	int32_t nobjs;
	bool readonly;
	bool in_bulk;
	uint64_t id_seed;
	char *now;
	/* org settings (crmw_db_create options, kept in crmw_meta) */
	char currency[4];      /* ISO 4217 code: the org's one currency */
	int fiscal_start;      /* the fiscal year's first month, 1-12 */
	bool fiscal_by_end;    /* a fiscal year is named by the calendar year it ends in */
	/* Compiled queries belong to lib/query, which sets both when it makes
	 * its cache; store frees them through the hook (it never calls up). */
	struct q_cache *qcache;
	void (*qcache_free)(crmw_db *db);
};

/* A checked value ready to bind. */
enum { CRMW_VAL_NULL = 0, CRMW_VAL_INT, CRMW_VAL_REAL, CRMW_VAL_TEXT };
typedef struct crmw_val {
	int kind;
	int64_t i;
	double d;
	const char *s; /* TEXT: points into the input or into buf */
	size_t n;
	char buf[48];  /* normalised dates, ids, locations, numbers printed as text */
} crmw_val;

/* Convert input to the stored form of field `f` of object `o`.  On error
 * writes a short reason ("not a valid datetime") into why and returns
 * CRMW_ESCHEMA. */
int crmw__val_from_text(crmw_val *v, const crmw_schema *s, const crmw_object *o,
			const crmw_field *f, const char *text, size_t n, char *why, size_t whylen);
int crmw__val_from_json(crmw_val *v, const crmw_schema *s, const crmw_object *o,
			const crmw_field *f, struct json_t *j, char *why, size_t whylen);
int crmw__val_bind(sqlite3_stmt *st, int col, const crmw_val *v);
/* A location value ("lat,lon" as stored, n bytes): false unless it is two
 * finite numbers with |lat| <= 90 and |lon| <= 180. */
bool crmw__location_parse(const char *s, size_t n, double *lat, double *lon);
/* A stored location as Salesforce writes it: {"latitude":..,"longitude":..}. */
int crmw__location_json(crmw_buf *b, const char *s, size_t n);

/* Print a value for an error message (cut to a sane length). */
void crmw__val_show(char *out, size_t outlen, const char *s, size_t n);


/* Ids. */
void crmw__id_make(char out[19], const char *prefix, uint64_t seed, int64_t counter);
/* What crmw__id_make puts in every id of a prefix and seed: the first five
 * characters and the counter's offset. */
typedef struct crmw_idform {
	char head[5];
	uint64_t offset;
} crmw_idform;
void crmw__id_form(crmw_idform *f, const char *prefix, uint64_t seed);
/* The counter an 18-character id was made from by crmw__id_make with this
 * form; false when it was not made so. */
bool crmw__id_counter_of(const char id[18], const crmw_idform *f, int64_t *counter);
int crmw__db_next_id(crmw_db *db, int32_t obj, char out[19]);
/* The counter crmw__db_next_id will make the object's next id from (for a
 * writer that predicts ids, like the generator's stream). */
int crmw__db_id_counter(crmw_db *db, int32_t obj, int64_t *next);
int crmw__db_save_ids(crmw_db *db);
/* Forget cached id counters after a rollback (they may be ahead of the file). */
void crmw__db_after_rollback(crmw_db *db);

/* Map a SQLite result code to a status and set the db's message. */
int crmw__db_sqlerr(crmw_db *db, int src, const char *what);
int crmw__db_exec(crmw_db *db, const char *sql);
/* The page cache and temporary storage of every open store (a bulk commit
 * changes them while it builds indexes and puts these back). */
#define CRMW__DB_CACHE_PRAGMAS "PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;"
/* Bind the variadic arguments to ?1, ?2...: "s" text (copied), "i" int64_t,
 * "d" double; types may be NULL. */
void crmw__stmt_bindv(sqlite3_stmt *st, const char *types, va_list ap);
/* Drop or create the non-unique indexes of an object (bulk loads defer them). */
int crmw__db_secondary_indexes(crmw_db *db, int32_t obj, bool create);
/* Drop or create the triggers that keep every search index in step, and add
 * the rows above a rowid to an object's search index (bulk loads index once
 * at commit: a statement touching FTS5 tables costs a savepoint on each). */
int crmw__db_fts_triggers(crmw_db *db, bool create);
int crmw__db_fts_append(crmw_db *db, int32_t obj, int64_t after_rowid);
/* Text fields are in the object's FTS5 search index "crmw_fts_<Object>". */
bool crmw__field_searchable(const crmw_field *f);
bool crmw__object_searchable(const crmw_object *o);
/* Forget compiled queries: after schema changes and on close. */
static inline void crmw__db_forget_queries(crmw_db *db)
{
	if (db->qcache_free)
		db->qcache_free(db);
}
int32_t crmw__db_objindex(const crmw_db *db, const crmw_object *o);
crmw_object *crmw__db_object(crmw_db *db, const char *name); /* sets ENOTFOUND */
int crmw__db_prepare_object(crmw_db *db, int32_t obj);
/* SELECT every field of every record of `o`, in Id order (schema column order). */
int crmw__db_prepare_scan(crmw_db *db, const crmw_object *o, sqlite3_stmt **out);
int crmw__db_writable(crmw_db *db, const char *what);
/* Does a record with this id exist in any of the field's referenced objects? */
int crmw__db_ref_exists(crmw_db *db, const crmw_field *f, const char *id, size_t n, bool *found);

/* Append record `st` (columns in schema order) as JSON to b. */
int crmw__record_json(crmw_buf *b, const crmw_object *o, sqlite3_stmt *st, int first_col);

/* The record writer shared by insert and bulk: vals has o->nfields entries. */
int crmw__record_check_required(crmw_db *db, const crmw_object *o, const crmw_val *vals,
				const char *where);
int crmw__record_write(crmw_db *db, int32_t obj, crmw_val *vals, const char *where,
		       char id_out[19]);

/* Bulk internals used by the importers. */
int crmw__bulk_add_object(crmw_buf *id_out, crmw_bulk *b, const crmw_object *o, struct json_t *root);
int crmw__bulk_fail(crmw_bulk *b, int code, const char *msg);
crmw_db *crmw__bulk_db(crmw_bulk *b);

#endif
