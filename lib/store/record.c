/*
 * Records: insert, update, upsert, delete, get, iterate.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/internal.h"
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ------------------------------------------------------------ output */

int crmw__record_json(crmw_buf *b, const crmw_object *o, sqlite3_stmt *st, int first_col)
{
	int rc = crmw__buf_putc(b, '{');
	for (int32_t i = 0; !rc && i < o->nfields; i++) {
		const crmw_field *f = &o->fields[i];
		int col = first_col + i;
		rc = crmw__buf_printf(b, "%s\"%s\":", i ? "," : "", f->name);
		if (rc)
			break;
		int t = sqlite3_column_type(st, col);
		if (t == SQLITE_NULL) {
			rc = crmw__buf_puts(b, "null");
		} else if (f->type == CRMW_FIELD_BOOLEAN) {
			rc = crmw__buf_puts(b, sqlite3_column_int64(st, col) ? "true" : "false");
		} else if (f->type == CRMW_FIELD_LOCATION) {
			rc = crmw__location_json(b, (const char *)sqlite3_column_text(st, col),
						 (size_t)sqlite3_column_bytes(st, col));
		} else if (t == SQLITE_INTEGER) {
			rc = crmw__buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
		} else if (t == SQLITE_FLOAT) {
			rc = crmw__buf_double(b, sqlite3_column_double(st, col));
		} else {
			const char *s = (const char *)sqlite3_column_text(st, col);
			rc = crmw__buf_json_str(b, s ? s : "", (size_t)sqlite3_column_bytes(st, col));
		}
	}
	return rc ? rc : crmw__buf_putc(b, '}');
}

/* ------------------------------------------------------------- write */

int crmw__record_check_required(crmw_db *db, const crmw_object *o, const crmw_val *vals,
				const char *where)
{
	for (int32_t i = 1; i < o->nfields; i++)
		if (o->fields[i].required && vals[i].kind == CRMW_VAL_NULL)
			return crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s: required field '%s' is missing",
					  where, o->fields[i].name);
	return CRMW_OK;
}

/* Which unique field did a constraint failure hit?  (For the message.) */
static void constraint_message(crmw_db *db, const crmw_object *o, const crmw_val *vals,
			       const char *where, int src)
{
	const char *msg = sqlite3_errmsg(db->sql);
	if (src == SQLITE_CONSTRAINT_PRIMARYKEY || strstr(msg, ".Id")) {
		crmw__errf(&db->h.err, CRMW_EEXISTS, "%s: a %s record with Id '%.*s' already exists",
			   where, o->name, (int)vals[0].n, vals[0].s);
		return;
	}
	for (int32_t i = 1; i < o->nfields; i++) {
		char needle[200];
		snprintf(needle, sizeof needle, "%s.%s", o->name, o->fields[i].name);
		if (o->fields[i].unique && strstr(msg, needle)) {
			char shown[80] = "";
			if (vals[i].kind == CRMW_VAL_TEXT)
				crmw__val_show(shown, sizeof shown, vals[i].s, vals[i].n);
			crmw__errf(&db->h.err, CRMW_EEXISTS,
				   "%s: field '%s' must be unique and '%s' is already used", where,
				   o->fields[i].name, shown);
			return;
		}
	}
	crmw__errf(&db->h.err, CRMW_EEXISTS, "%s: %s", where, msg);
}

int crmw__record_write(crmw_db *db, int32_t obj, crmw_val *vals, const char *where,
		       char id_out[19])
{
	const crmw_object *o = &db->schema->objects[obj];
	int rc = crmw__db_prepare_object(db, obj);
	if (rc)
		return rc;
	char gen[19];
	if (vals[0].kind == CRMW_VAL_NULL) {
		if ((rc = crmw__db_next_id(db, obj, gen)))
			return rc;
		vals[0].kind = CRMW_VAL_TEXT;
		vals[0].s = gen;
		vals[0].n = 18;
	}
	sqlite3_stmt *st = db->objs[obj].insert;
	for (int32_t i = 0; i < o->nfields; i++)
		crmw__val_bind(st, i + 1, &vals[i]);
	/* Every column is bound on each write: no need to clear bindings. */
	int src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src != SQLITE_DONE) {
		if ((src & 0xff) == SQLITE_CONSTRAINT) {
			constraint_message(db, o, vals, where, src);
			return CRMW_EEXISTS;
		}
		return crmw__db_sqlerr(db, src, where);
	}
	if (id_out) {
		memcpy(id_out, vals[0].s, 18);
		id_out[18] = '\0';
	}
	return CRMW_OK;
}

/* Parse `json` into vals (one per field, NULL when absent).  Sets present[i]
 * for each field given.  `where` names the record for messages. */
static int record_from_json(crmw_db *db, const crmw_object *o, json_t *root, crmw_val *vals,
			    bool *present, const char *where)
{
	if (!json_is_object(root))
		return crmw__errf(&db->h.err, CRMW_EFORMAT, "%s: a record must be a JSON object", where);
	const char *key;
	json_t *jv;
	json_object_foreach(root, key, jv) {
		if (strcmp(key, "attributes") == 0)
			continue; /* Salesforce REST records carry this; it is no field */
		int32_t fi = crmw__object_field_index(o, key);
		if (fi < 0)
			return crmw__schema_no_field(&db->h.err, o, key) == CRMW_ENOTFOUND
				       ? crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s: %s", where,
						    crmw__err_msg(&db->h.err))
				       : CRMW_ESCHEMA;
		if (present[fi])
			return crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s: field '%s' is given twice", where,
					  o->fields[fi].name);
		present[fi] = true;
		char why[200];
		if (crmw__val_from_json(&vals[fi], db->schema, o, &o->fields[fi], jv, why, sizeof why))
			return crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s, field '%s': %s", where,
					  o->fields[fi].name, why);
	}
	return CRMW_OK;
}

/* Every reference in vals must point at an existing record. */
static int check_refs_now(crmw_db *db, const crmw_object *o, const crmw_val *vals,
			  const bool *present, const char *where)
{
	for (int32_t i = 1; i < o->nfields; i++) {
		const crmw_field *f = &o->fields[i];
		if (f->type != CRMW_FIELD_REFERENCE || vals[i].kind != CRMW_VAL_TEXT ||
		    (present && !present[i]))
			continue;
		bool found = false;
		int rc = crmw__db_ref_exists(db, f, vals[i].s, vals[i].n, &found);
		if (rc)
			return rc;
		if (!found)
			return crmw__errf(&db->h.err, CRMW_ESCHEMA,
					  "%s, field '%s': no record with Id '%.*s' (dangling reference)",
					  where, f->name, (int)vals[i].n, vals[i].s);
	}
	return CRMW_OK;
}

typedef struct parsed {
	json_t *root;
	crmw_val *vals;
	bool *present;
} parsed;

static void parsed_free(parsed *p)
{
	json_decref(p->root);
	free(p->vals);
	free(p->present);
}

static int parse_record(crmw_db *db, const crmw_object *o, const char *json, size_t len,
			parsed *p, const char *where)
{
	memset(p, 0, sizeof *p);
	crmw__json_error jerr;
	int prc = crmw__json_parse(json, len, &p->root, &jerr);
	if (prc)
		return crmw__errf(&db->h.err, prc, "%s: bad JSON at line %d, column %d: %s", where, jerr.line,
				  jerr.column, jerr.text);
	p->vals = calloc((size_t)o->nfields, sizeof *p->vals);
	p->present = calloc((size_t)o->nfields, sizeof *p->present);
	if (!p->vals || !p->present)
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	return record_from_json(db, o, p->root, p->vals, p->present, where);
}

static int set_id_out(crmw_db *db, crmw_buf *id_out, const char *id)
{
	if (!id_out)
		return CRMW_OK;
	crmw__buf_clear(id_out);
	if (crmw__buf_append(id_out, id, 18))
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	return CRMW_OK;
}

static int insert_parsed(crmw_db *db, crmw_object *o, parsed *p, char id[19], const char *where)
{
	int rc = crmw__record_check_required(db, o, p->vals, where);
	if (!rc)
		rc = check_refs_now(db, o, p->vals, NULL, where);
	if (!rc)
		rc = crmw__record_write(db, crmw__db_objindex(db, o), p->vals, where, id);
	if (!rc)
		rc = crmw__db_save_ids(db);
	return rc;
}

static int begin(crmw_db *db)
{
	return crmw__db_exec(db, "SAVEPOINT crmw_record;");
}

static int end(crmw_db *db, int rc)
{
	if (rc == CRMW_OK) {
		int c = crmw__db_exec(db, "RELEASE crmw_record;");
		if (c == CRMW_OK)
			return CRMW_OK;
		rc = c;
	}
	sqlite3_exec(db->sql, "ROLLBACK TO crmw_record; RELEASE crmw_record;", NULL, NULL, NULL);
	crmw__db_after_rollback(db);
	return rc;
}

static int record_exists(crmw_db *db, int32_t oi, const char *id, bool *found)
{
	int rc = crmw__db_prepare_object(db, oi);
	if (rc)
		return rc;
	sqlite3_stmt *st = db->objs[oi].exists;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int src = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return crmw__db_sqlerr(db, src, "lookup");
	*found = src == SQLITE_ROW;
	return CRMW_OK;
}

/* What every write of one record starts with: the handle writable for
 * `verb`, the object known, the place named for messages ("insert into
 * Case", "update of Case 500..."), and the JSON (when given) parsed. */
static int write_start(crmw_db *db, const char *verb, const char *object, const char *id, const char *json,
		       size_t len, crmw_object **o, parsed *p, char *where, size_t wn)
{
	int rc = crmw__db_writable(db, verb);
	if (rc)
		return rc;
	if (!(*o = crmw__db_object(db, object)))
		return CRMW_ENOTFOUND;
	if (id)
		snprintf(where, wn, "%s of %s %.18s", verb, (*o)->name, id);
	else
		snprintf(where, wn, "%s into %s", verb, (*o)->name);
	return json ? parse_record(db, *o, json, len, p, where) : CRMW_OK;
}

int crmw_record_insert(crmw_buf *id_out, crmw_db *db, const char *object, const char *json,
		       size_t len)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !json);
	crmw_object *o;
	char where[200], id[19];
	parsed p = {0};
	int rc = write_start(db, "insert", object, NULL, json, len, &o, &p, where, sizeof where);
	if (!rc && !(rc = begin(db)))
		rc = end(db, insert_parsed(db, o, &p, id, where));
	if (!rc)
		rc = set_id_out(db, id_out, id);
	parsed_free(&p);
	return rc;
}

static int update_parsed(crmw_db *db, crmw_object *o, parsed *p, const char *id, const char *where)
{
	int32_t oi = crmw__db_objindex(db, o);
	bool found = false;
	int rc = record_exists(db, oi, id, &found);
	if (rc)
		return rc;
	if (!found)
		return crmw__errf(&db->h.err, CRMW_ENOTFOUND, "%s: no %s record with Id '%s'", where,
				  o->name, id);
	for (int32_t i = 1; i < o->nfields; i++)
		if (p->present[i] && o->fields[i].required && p->vals[i].kind == CRMW_VAL_NULL)
			return crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s: required field '%s' cannot be cleared",
					  where, o->fields[i].name);
	if ((rc = check_refs_now(db, o, p->vals, p->present, where)))
		return rc;
	crmw_buf sql = CRMW_BUF_INIT;
	int n = 0;
	rc = crmw__buf_printf(&sql, "UPDATE \"%s\" SET ", o->name);
	for (int32_t i = 1; !rc && i < o->nfields; i++)
		if (p->present[i])
			rc = crmw__buf_printf(&sql, "%s\"%s\" = ?", n++ ? ", " : "", o->fields[i].name);
	rc = rc ? rc : crmw__buf_puts(&sql, " WHERE \"Id\" = ?");
	if (rc) {
		crmw_buf_dispose(&sql);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	if (n == 0) {
		crmw_buf_dispose(&sql);
		return CRMW_OK; /* nothing to change */
	}
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db->sql, sql.data, -1, &st, NULL);
	crmw_buf_dispose(&sql);
	if (src)
		return crmw__db_sqlerr(db, src, where);
	int col = 1;
	for (int32_t i = 1; i < o->nfields; i++)
		if (p->present[i])
			crmw__val_bind(st, col++, &p->vals[i]);
	sqlite3_bind_text(st, col, id, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src != SQLITE_DONE) {
		if ((src & 0xff) == SQLITE_CONSTRAINT) {
			p->vals[0].kind = CRMW_VAL_TEXT;
			p->vals[0].s = id;
			p->vals[0].n = strlen(id);
			constraint_message(db, o, p->vals, where, src);
			rc = CRMW_EEXISTS;
		} else {
			rc = crmw__db_sqlerr(db, src, where);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int crmw_record_update(crmw_db *db, const char *object, const char *id, const char *json, size_t len)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !id || !json);
	crmw_object *o;
	char where[200];
	parsed p = {0};
	int rc = write_start(db, "update", object, id, json, len, &o, &p, where, sizeof where);
	if (!rc && p.present[0] && (p.vals[0].n != strlen(id) || memcmp(p.vals[0].s, id, p.vals[0].n)))
		rc = crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s: the record's Id cannot change", where);
	if (!rc && !(rc = begin(db)))
		rc = end(db, update_parsed(db, o, &p, id, where));
	parsed_free(&p);
	return rc;
}

int crmw_record_upsert(crmw_buf *id_out, crmw_db *db, const char *object, const char *json,
		       size_t len)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !json);
	crmw_object *o;
	char where[200], id[19];
	parsed p = {0};
	int rc = write_start(db, "upsert", object, NULL, json, len, &o, &p, where, sizeof where);
	bool found = false;
	if (!rc && p.vals[0].kind == CRMW_VAL_TEXT) {
		memcpy(id, p.vals[0].s, 18);
		id[18] = '\0';
		rc = record_exists(db, crmw__db_objindex(db, o), id, &found);
	}
	if (!rc && !(rc = begin(db)))
		rc = end(db, found ? update_parsed(db, o, &p, id, where) : insert_parsed(db, o, &p, id, where));
	if (!rc)
		rc = set_id_out(db, id_out, id);
	parsed_free(&p);
	return rc;
}

int crmw_record_delete(crmw_db *db, const char *object, const char *id)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !id);
	crmw_object *o;
	char where[200]; /* unused: delete words its own messages */
	int rc = write_start(db, "delete", object, id, NULL, 0, &o, NULL, where, sizeof where);
	if (rc)
		return rc;
	bool found = false;
	if ((rc = record_exists(db, crmw__db_objindex(db, o), id, &found)))
		return rc;
	if (!found)
		return crmw__errf(&db->h.err, CRMW_ENOTFOUND, "delete: no %s record with Id '%s'", o->name, id);
	/* Refuse while any record references this one. */
	const crmw_schema *s = db->schema;
	for (int32_t i = 0; i < s->nobjects; i++) {
		const crmw_object *c = &s->objects[i];
		for (int32_t j = 1; j < c->nfields; j++) {
			const crmw_field *f = &c->fields[j];
			bool points_here = false;
			for (int32_t k = 0; k < f->nrefs; k++)
				points_here = points_here || strcmp(f->refs[k], o->name) == 0;
			if (!points_here)
				continue;
			char sql[400];
			snprintf(sql, sizeof sql, "SELECT \"Id\" FROM \"%s\" WHERE \"%s\" = ? LIMIT 1", c->name, f->name);
			sqlite3_stmt *st = NULL;
			int src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
			if (src)
				return crmw__db_sqlerr(db, src, "delete");
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			src = sqlite3_step(st);
			if (src == SQLITE_ROW) {
				rc = crmw__errf(&db->h.err, CRMW_ESCHEMA,
						"delete: %s %s is referenced by %s %s (field %s); delete or change that record first",
						o->name, id, c->name, (const char *)sqlite3_column_text(st, 0), f->name);
			} else if (src != SQLITE_DONE) {
				rc = crmw__db_sqlerr(db, src, "delete");
			}
			sqlite3_finalize(st);
			if (rc)
				return rc;
		}
	}
	char sql[200];
	snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE \"Id\" = ?", o->name);
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
		src = src == SQLITE_DONE ? SQLITE_OK : src;
	}
	sqlite3_finalize(st);
	return src ? crmw__db_sqlerr(db, src, "delete") : CRMW_OK;
}

int crmw_record_get(crmw_buf *out, crmw_db *db, const char *object, const char *id)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !out || !db || !object || !id);
	crmw_object *o = crmw__db_object(db, object);
	if (!o)
		return CRMW_ENOTFOUND;
	int32_t oi = crmw__db_objindex(db, o);
	int rc = crmw__db_prepare_object(db, oi);
	if (rc)
		return rc;
	sqlite3_stmt *st = db->objs[oi].get;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		crmw_buf b = CRMW_BUF_INIT;
		if (crmw__record_json(&b, o, st, 0)) {
			crmw_buf_dispose(&b);
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		} else {
			crmw_buf_dispose(out);
			*out = b;
		}
	} else if (src == SQLITE_DONE) {
		rc = crmw__errf(&db->h.err, CRMW_ENOTFOUND, "no %s record with Id '%s'", o->name, id);
	} else {
		rc = crmw__db_sqlerr(db, src, "get");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* ------------------------------------------------------------ iterate */

struct crmw_record_iter {
	crmw_db *db;
	const crmw_object *o;
	sqlite3_stmt *st;
	bool done;
};

int crmw_record_iter_new(crmw_record_iter **out, crmw_db *db, const char *object)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !out || !db || !object);
	*out = NULL;
	crmw_object *o = crmw__db_object(db, object);
	if (!o)
		return CRMW_ENOTFOUND;
	crmw_record_iter *it = calloc(1, sizeof *it);
	if (!it)
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	int rc = crmw__db_prepare_scan(db, o, &it->st);
	if (rc) {
		free(it);
		return rc;
	}
	it->db = db;
	it->o = o;
	*out = it;
	return CRMW_OK;
}

int crmw_record_iter_next(crmw_buf *out, crmw_record_iter *it)
{
	CRMW__ARGS_NONNULL(NULL, !out || !it);
	if (it->done)
		return 0;
	int src = sqlite3_step(it->st);
	if (src == SQLITE_DONE) {
		it->done = true;
		return 0;
	}
	if (src != SQLITE_ROW)
		return crmw__db_sqlerr(it->db, src, "iterate");
	crmw__buf_clear(out);
	if (crmw__record_json(out, it->o, it->st, 0))
		return crmw__errf(&it->db->h.err, CRMW_ENOMEM, "out of memory");
	return 1;
}

void crmw_record_iter_free(crmw_record_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}
