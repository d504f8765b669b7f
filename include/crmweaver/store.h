/*
 * crmweaver/store.h: the SQLite database of one CRM org: create and open,
 * records, bulk loading, import and export.
 *
 * Storage layout (a contract: tools and tests read it directly):
 *  - one table per object, named by its API name ("Case", "Order"), one
 *    column per field API name, `Id TEXT PRIMARY KEY`;
 *  - datetimes as YYYY-MM-DDTHH:MM:SSZ (UTC), dates as YYYY-MM-DD, booleans
 *    as 0/1, numbers as INTEGER or REAL, text as TEXT, NULL for empty;
 *  - an index on every reference field and on the fields marked indexed;
 *  - library bookkeeping (the schema, id counters, the org's "now") in
 *    tables whose names start with crmw_, which queries never see.
 * A database opened with crmw_db_open() needs nothing else: the schema is
 * stored inside it.
 *
 * Values: every value written is checked against its field: types, dates
 * and datetimes (normalised to the stored form; offsets such as +0000 and
 * fractions of a second are accepted and converted to UTC), picklist values
 * of restricted picklists, required fields, uniqueness, and references (the
 * referenced record must exist and be of a referenced object).  Errors name
 * the object, the field, the record or row, and the value, and nothing is
 * written.
 *
 * Records cross the ABI as JSON objects {"Id": "...", "Field": value, ...}.
 *
 * Errors of SQLite itself map to CRMW_EIO (I/O, a full disk), CRMW_EBUSY
 * (another writer holds the lock), CRMW_ECORRUPT (a damaged file) and
 * CRMW_ENOMEM; the @return lines below list them as "SQLite errors".
 *
 * Thread rules: a crmw_db handle is used by one thread at a time.  Open the
 * same file several times (read-only) for concurrent readers; SQLite's WAL
 * mode lets them read while one writer writes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_STORE_H
#define CRMWEAVER_STORE_H

#include <crmweaver/common.h>
#include <crmweaver/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open org database.  Opaque. @since 0.1 */
typedef struct crmw_db crmw_db;

/** Flags of crmw_db_open(). @since 0.1 */
enum crmw_db_flags {
	CRMW_DB_READONLY = 1 /**< open for reading only (many readers may share a file) */
};

/**
 * Create a new org database for `schema` (copied) at `path` (":memory:" for
 * a private in-memory database).  `options_json` may be NULL or a JSON
 * object with:
 *  - "overwrite": true to replace an existing file (default false: an
 *    existing file is an error, CRMW_EEXISTS);
 *  - "id_seed": an integer that makes generated ids differ between orgs
 *    (default 0); the same seed and insert order give the same ids;
 *  - "now": "YYYY-MM-DDTHH:MM:SSZ", the org's reference "now" (optional);
 *  - "currency": the org's one currency, an ISO 4217 code (default "USD"):
 *    what SOQL's currency literals (Amount > USD5000) and FORMAT() use;
 *  - "fiscal_year_start_month": 1 to 12 (default 1, January): the fiscal
 *    year of SOQL's FISCAL_ date functions and date literals;
 *  - "fiscal_year_named_by": "end" (default) or "start": which calendar
 *    year names a fiscal year that does not start in January.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad option value),
 *         CRMW_EFORMAT (options not a JSON object), CRMW_EEXISTS (the file
 *         exists and "overwrite" is false), CRMW_EACCESS (the file cannot be
 *         written), CRMW_EIO, CRMW_ENOMEM.  On failure no file is left
 *         behind.
 * @since 0.1
 */
CRMW_API int crmw_db_create(crmw_db **out, const char *path, const crmw_schema *schema,
			    const char *options_json);

/**
 * Open an existing org database.  `flags` is 0 (read-write) or
 * CRMW_DB_READONLY.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, unknown flags),
 *         CRMW_ENOTFOUND (no such file), CRMW_EACCESS (read-write open of a
 *         file that cannot be written), CRMW_ECORRUPT (not an org database,
 *         or damaged), CRMW_EIO, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_db_open(crmw_db **out, const char *path, uint32_t flags);

/** Close the database and free the handle.  NULL is accepted. @since 0.1 */
CRMW_API void crmw_db_free(crmw_db *db);

/** The message of the last failure on this handle ("" if none). Borrowed. @since 0.1 */
CRMW_API const char *crmw_db_errmsg(const crmw_db *db);

/**
 * Set the handle's log callback (NULL to remove it) and the most verbose
 * level it receives.  The previous userdata is freed with its free function.
 * @deprecated Use crmw_db_set_logger, the same call under the name the
 *             other handles' log setters have; this name stays exported
 *             for every 0.x release.
 * @since 0.1
 */
CRMW_API void crmw_db_set_log(crmw_db *db, crmw_log_fn fn, int32_t level, void *userdata,
			      crmw_free_fn userdata_free);

/**
 * Deliver the handle's log messages at or above `level` to `fn` (NULL: drop
 * them).  The previous userdata is freed with its free function.
 * @since 0.1
 */
CRMW_API void crmw_db_set_logger(crmw_db *db, crmw_log_fn fn, int32_t level, void *userdata,
				 crmw_free_fn userdata_free);

/**
 * The database's schema.  Borrowed: valid until the handle is freed or its
 * schema changes (crmw_db_add_object / crmw_db_add_field).  Do not modify it.
 * @since 0.1
 */
CRMW_API const crmw_schema *crmw_db_schema(const crmw_db *db);

/**
 * The org's reference "now" (YYYY-MM-DDTHH:MM:SSZ) set at creation or by a
 * generator, or NULL when none was set.  Borrowed.
 * @since 0.1
 */
CRMW_API const char *crmw_db_now(const crmw_db *db);

/**
 * Add an object (JSON as in crmw_schema_add_object) to the schema and create
 * its table, in one transaction.  On failure the schema is unchanged.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, or as
 *         crmw_schema_add_object), CRMW_EEXISTS, CRMW_ESCHEMA, CRMW_EFORMAT
 *         (as crmw_schema_add_object), CRMW_EACCESS (read-only),
 *         CRMW_ESTATE (a bulk load is open), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_db_add_object(crmw_db *db, const char *object_json, size_t len);

/**
 * Add a field (JSON as in crmw_schema_add_field) to an object and its table.
 * A required field cannot be added to an object that already has records.
 * On failure the schema and the table are unchanged.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, or as
 *         crmw_schema_add_field), CRMW_ENOTFOUND (no such object),
 *         CRMW_EEXISTS, CRMW_EFORMAT (as crmw_schema_add_field),
 *         CRMW_ESCHEMA (a bad definition, or a required field for an object
 *         with records), CRMW_EACCESS (read-only), CRMW_ESTATE (a bulk load
 *         is open), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_db_add_field(crmw_db *db, const char *object, const char *field_json, size_t len);

/**
 * The number of records of an object, into `*out`.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (no such
 *         object; the message suggests the closest name), SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_db_count(int64_t *out, crmw_db *db, const char *object);

/* ------------------------------------------------------------------ ids */

/**
 * Make an 18-character Salesforce-style id from a 15-character one by
 * appending its case-safe suffix.  `out` receives 19 bytes (NUL included).
 * @return CRMW_OK, CRMW_EINVALID (not 15 letters or digits)
 * @since 0.1
 */
CRMW_API int crmw_id_to18(char out[19], const char *id15);

/**
 * Check an id: 18 letters or digits whose last 3 are the case-safe suffix
 * of the first 15 (or, with `allow15`, a 15-character id).
 * @return 1 when valid, 0 when not
 * @since 0.1
 */
CRMW_API int crmw_id_valid(const char *id, int32_t allow15);

/* -------------------------------------------------------------- records */

/**
 * Insert one record.  Without an "Id" key the library generates one (with
 * the object's key prefix); an explicit Id must be a valid id of this
 * object and not yet used.  The new record's Id is written to `id_out`
 * (may be NULL).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (unknown
 *         object), CRMW_ESCHEMA (unknown field, bad value, missing required
 *         field, dangling reference), CRMW_EEXISTS (duplicate Id or unique
 *         value), CRMW_EFORMAT (not a JSON object), CRMW_EACCESS
 *         (read-only), CRMW_ESTATE (a bulk load is open), CRMW_ENOMEM,
 *         SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_record_insert(crmw_buf *id_out, crmw_db *db, const char *object,
				const char *json, size_t len);

/**
 * Update the given fields of record `id` (other fields keep their values;
 * JSON null clears a field).  The JSON may repeat the same Id, not another.
 * @return as crmw_record_insert, and CRMW_ENOTFOUND for an unknown id
 * @since 0.1
 */
CRMW_API int crmw_record_update(crmw_db *db, const char *object, const char *id,
				const char *json, size_t len);

/**
 * Insert the record, or update it when its "Id" exists.  The record's Id
 * goes to `id_out` (may be NULL).
 * @return as crmw_record_insert
 * @since 0.1
 */
CRMW_API int crmw_record_upsert(crmw_buf *id_out, crmw_db *db, const char *object,
				const char *json, size_t len);

/**
 * Delete record `id`.  A record that other records reference cannot be
 * deleted (CRMW_ESCHEMA, naming a referencing record).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (unknown
 *         object or id), CRMW_ESCHEMA (still referenced), CRMW_EACCESS
 *         (read-only), CRMW_ESTATE (a bulk load is open), SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_record_delete(crmw_db *db, const char *object, const char *id);

/**
 * Read record `id` as a JSON object with every field (null for empty ones),
 * in schema order.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (unknown
 *         object or id), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_record_get(crmw_buf *out, crmw_db *db, const char *object, const char *id);

/** An iterator over the records of one object, in Id order. @since 0.1 */
typedef struct crmw_record_iter crmw_record_iter;

/**
 * Start iterating over `object`.  The iterator must be freed before the db.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (no such
 *         object), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_record_iter_new(crmw_record_iter **out, crmw_db *db, const char *object);

/**
 * Write the next record as JSON into `out`.
 * @return 1 when a record was written, 0 at the end; CRMW_EINVALID (NULL
 *         argument), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_record_iter_next(crmw_buf *out, crmw_record_iter *it);

/** Free an iterator.  NULL is accepted. @since 0.1 */
CRMW_API void crmw_record_iter_free(crmw_record_iter *it);

/* ----------------------------------------------------------------- bulk */

/**
 * A bulk load: many records of any objects written in one transaction with
 * prepared statements.  Values are checked as they are added; each
 * reference is looked up once per distinct id, and references to records
 * not yet written are checked again at commit (so records may come in any
 * order).  Any error ends the load and rolls all of it back; later calls
 * return CRMW_ESTATE.  Freeing an uncommitted load rolls it back.  While a
 * bulk load is open, use the db handle only through it.
 * @since 0.1
 */
typedef struct crmw_bulk crmw_bulk;

/**
 * Begin a bulk load.  `options_json` may be NULL or {"exclusive": true}: the
 * load may then run with a rollback journal instead of WAL (each new page is
 * written once instead of twice) when this handle is the only connection to
 * the file; otherwise it stays in WAL.  The database is back in WAL mode
 * when the load ends.  In every mode, a table that was empty when the load
 * began has its non-unique indexes built once at commit after its first 4096
 * rows.  Readers of other connections see nothing of the load before commit.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad options), CRMW_EACCESS
 *         (read-only), CRMW_ESTATE (a load is already open), CRMW_ENOMEM,
 *         SQLite errors (CRMW_EBUSY: another connection is writing)
 * @since 0.1
 */
CRMW_API int crmw_bulk_begin(crmw_bulk **out, crmw_db *db, const char *options_json);

/**
 * Name the source of the following records (a file name, or NULL) and the
 * row number of the next one; error messages then say "row N of SOURCE".
 * Each added record advances the row number by one.  The load is not ended
 * by a failure of this call.
 * @return CRMW_OK, CRMW_EINVALID (NULL bulk), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_bulk_set_source(crmw_bulk *bulk, const char *source, int64_t row);

/**
 * Add one record given as a JSON object (as crmw_record_insert); its Id
 * goes to `id_out` (may be NULL).  Any failure but CRMW_EINVALID and
 * CRMW_ESTATE ends the load (rolled back).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ESTATE (the load
 *         has ended), CRMW_ENOTFOUND (unknown object), CRMW_EFORMAT (not a
 *         JSON object), CRMW_ESCHEMA (unknown field, bad value, missing
 *         required field), CRMW_EEXISTS (duplicate Id or unique value),
 *         CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_bulk_add_json(crmw_buf *id_out, crmw_bulk *bulk, const char *object,
				const char *json, size_t len);

/**
 * The typed fast path: start a record of `object`, set fields by index
 * (crmw_schema_field_index; 0 is Id, optional), end the record.  Unset
 * fields are NULL.  Text values are converted and checked as JSON strings
 * would be; numbers must suit the field type.  Beginning a row drops a row
 * begun and not ended.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ESTATE (the load
 *         has ended), CRMW_ENOTFOUND (unknown object: the load ends),
 *         CRMW_ENOMEM (the load ends)
 * @since 0.1
 */
CRMW_API int crmw_bulk_row_begin(crmw_bulk *bulk, const char *object);

/**
 * Set field number `field` of the row begun to `len` bytes of text (copied),
 * converted and checked as a JSON string would be (a date, a number, a
 * picklist value, a reference...).  A value the field does not accept ends
 * the load.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, or the object has no field
 *         `field`: the load stays open), CRMW_ESTATE (no row begun, or the
 *         load has ended), CRMW_ESCHEMA (a bad value: the load ends),
 *         CRMW_ENOMEM (the load ends)
 * @since 0.1
 */
CRMW_API int crmw_bulk_set_text(crmw_bulk *bulk, int32_t field, const char *s, size_t len);

/**
 * Set field number `field` of the row begun to an integer: for int, double,
 * currency and percent fields, and booleans (0 or 1).  Any other field type
 * ends the load.
 * @return CRMW_OK, CRMW_EINVALID (NULL bulk, or the object has no field
 *         `field`: the load stays open), CRMW_ESTATE (no row begun, or the
 *         load has ended), CRMW_ESCHEMA (the field takes no integer, or a
 *         boolean other than 0 or 1: the load ends)
 * @since 0.1
 */
CRMW_API int crmw_bulk_set_int(crmw_bulk *bulk, int32_t field, int64_t v);

/**
 * Set field number `field` of the row begun to a finite number: for double,
 * currency and percent fields, and int fields when `v` is a whole number.
 * Anything else ends the load.
 * @return CRMW_OK, CRMW_EINVALID (NULL bulk, or the object has no field
 *         `field`: the load stays open), CRMW_ESTATE (no row begun, or the
 *         load has ended), CRMW_ESCHEMA (NaN, an infinity, a fraction for an
 *         int field, or a field that takes no number: the load ends)
 * @since 0.1
 */
CRMW_API int crmw_bulk_set_double(crmw_bulk *bulk, int32_t field, double v);

/**
 * Set field number `field` of the row begun back to NULL (a required field
 * left NULL fails at crmw_bulk_row_end).
 * @return CRMW_OK, CRMW_EINVALID (NULL bulk, or the object has no field
 *         `field`), CRMW_ESTATE (no row begun, or the load has ended)
 * @since 0.1
 */
CRMW_API int crmw_bulk_set_null(crmw_bulk *bulk, int32_t field);

/**
 * Write the row begun; its Id goes to `id_out` (may be NULL).  Any failure
 * but CRMW_EINVALID and CRMW_ESTATE ends the load (rolled back).
 * @return CRMW_OK, CRMW_EINVALID (NULL bulk), CRMW_ESTATE (no row begun,
 *         or the load has ended), CRMW_ESCHEMA (a missing required field),
 *         CRMW_EEXISTS (duplicate Id or unique value), CRMW_ENOMEM, SQLite
 *         errors
 * @since 0.1
 */
CRMW_API int crmw_bulk_row_end(crmw_buf *id_out, crmw_bulk *bulk);

/**
 * Check every reference written by the load and commit.  On any error the
 * whole load is rolled back.  The handle stays valid (for crmw_bulk_free).
 * @return CRMW_OK, CRMW_EINVALID (NULL bulk), CRMW_ESTATE (the load has
 *         ended), CRMW_ESCHEMA (a dangling reference: the message names the
 *         object, record, field, value and source row), CRMW_ENOMEM, SQLite
 *         errors
 * @since 0.1
 */
CRMW_API int crmw_bulk_commit(crmw_bulk *bulk);

/**
 * The number of records added so far.
 * @return the count (0 for a NULL bulk)
 * @since 0.1
 */
CRMW_API int64_t crmw_bulk_count(const crmw_bulk *bulk);

/** Free the load, rolling it back if it was not committed. NULL accepted. @since 0.1 */
CRMW_API void crmw_bulk_free(crmw_bulk *bulk);

/* ------------------------------------------------------ import / export */

/** File formats of import and export. @since 0.1 */
enum crmw_format {
	CRMW_FORMAT_JSON = 0,  /**< a JSON array of records */
	CRMW_FORMAT_JSONL = 1, /**< one JSON record per line */
	CRMW_FORMAT_CSV = 2    /**< RFC 4180 CSV with a header row of field names */
};

/**
 * Import one file of records of `object` (all or nothing).  Field names in
 * the file are matched case-insensitively; an empty CSV cell is NULL.
 * `count_out` (may be NULL) receives the number of records.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, unknown format),
 *         CRMW_ENOTFOUND (unknown object, no such file), CRMW_EFORMAT
 *         (malformed JSON, JSONL or CSV; the message names the row),
 *         CRMW_ESCHEMA (unknown field, bad value, missing required field,
 *         dangling reference), CRMW_EEXISTS (duplicate Id or unique value),
 *         CRMW_EACCESS (read-only), CRMW_ESTATE (a bulk load is open),
 *         CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_db_import_file(int64_t *count_out, crmw_db *db, const char *object,
				 int32_t format, const char *path);

/**
 * Import a folder holding one file per object, named <Object>.json,
 * <Object>.jsonl or <Object>.csv (all or nothing, in one transaction).
 * Files that name no object are an error.
 * @return as crmw_db_import_file; CRMW_ENOTFOUND also for a missing folder
 *         or one without such files, CRMW_ESCHEMA also for a file that names
 *         no object
 * @since 0.1
 */
CRMW_API int crmw_db_import_dir(int64_t *count_out, crmw_db *db, const char *dir);

/**
 * Import a CRMArena-style SQLite dump: one table per object named by its API
 * name, columns named by field, datetimes like 2024-05-26T06:58:00.000+0000.
 * Tables of objects the schema lacks are skipped (and logged); so are, with
 * `ignore_unknown_columns`, columns it lacks (otherwise they are an error).
 * All or nothing.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (no such
 *         file), CRMW_ECORRUPT (not a readable SQLite database),
 *         CRMW_ESCHEMA (an unknown column, a bad value, a dangling
 *         reference), CRMW_EEXISTS, CRMW_EACCESS (read-only), CRMW_ESTATE
 *         (a bulk load is open), CRMW_EIO, CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_db_import_sqlite(int64_t *count_out, crmw_db *db, const char *dump_path,
				   int32_t ignore_unknown_columns);

/**
 * Export one object to a file in a crmw_format.  The file is written under
 * a temporary name and renamed: it is whole or not there.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, unknown format),
 *         CRMW_ENOTFOUND (no such object), CRMW_EIO, CRMW_ENOMEM, SQLite
 *         errors
 * @since 0.1
 */
CRMW_API int crmw_db_export_file(crmw_db *db, const char *object, int32_t format, const char *path);

/**
 * Export every object to `<dir>/<Object>.<ext>` plus `<dir>/schema.json`
 * (the schema as crmw_schema_to_json writes it).  The folder is created if
 * needed.
 * @return as crmw_db_export_file
 * @since 0.1
 */
CRMW_API int crmw_db_export_dir(crmw_db *db, int32_t format, const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_STORE_H */
