/*
 * Import and export of records: JSON, JSONL and CSV per object, whole orgs
 * as folders, and CRMArena-style SQLite dumps.  Every import is one bulk
 * load: all or nothing.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/internal.h"
#include "common/json.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

/* Imports may use a rollback journal while they load (see crmw_bulk_begin). */
#define IMPORT_OPTIONS "{\"exclusive\":true}"

static const char *format_ext(int32_t format)
{
	switch (format) {
	case CRMW_FORMAT_JSON: return "json";
	case CRMW_FORMAT_JSONL: return "jsonl";
	case CRMW_FORMAT_CSV: return "csv";
	default: return NULL;
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Read a whole file.  NUL-terminated; *len excludes the NUL. */
static int read_file(crmw_db *db, const char *path, char **out, size_t *len)
{
	*out = NULL;
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw__buf_read_file(&b, path) || (!b.data && crmw__buf_append(&b, "", 0))) {
		int e = errno;
		crmw_buf_dispose(&b);
		return crmw__errf(&db->h.err, e == ENOENT ? CRMW_ENOTFOUND : e == ENOMEM ? CRMW_ENOMEM : CRMW_EIO, "%s: %s",
				  path, strerror(e));
	}
	*out = b.data;
	*len = b.len;
	return CRMW_OK;
}

/* ------------------------------------------------------------- JSON */

static int import_json_text(crmw_bulk *bulk, const crmw_object *o, const char *path,
			    const char *text, size_t len)
{
	crmw_db *db = crmw__bulk_db(bulk);
	crmw__json_error jerr;
	json_t *root = NULL;
	int prc = crmw__json_parse(text, len, &root, &jerr);
	char msg[600];
	if (prc) {
		snprintf(msg, sizeof msg, "%s: bad JSON at line %d, column %d: %s", path, jerr.line,
			 jerr.column, jerr.text);
		return crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
	}
	if (!json_is_array(root)) {
		json_decref(root);
		snprintf(msg, sizeof msg, "%s: expected a JSON array of %s records", path, o->name);
		return crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
	}
	int rc = crmw_bulk_set_source(bulk, base_name(path), 1);
	size_t i;
	json_t *rec;
	json_array_foreach(root, i, rec) {
		if (rc)
			break;
		rc = crmw__bulk_add_object(NULL, bulk, o, rec);
	}
	json_decref(root);
	(void)db;
	return rc;
}

static int import_jsonl_text(crmw_bulk *bulk, const crmw_object *o, const char *path,
			     const char *text, size_t len)
{
	int64_t line = 0;
	int rc = CRMW_OK;
	for (size_t p = 0; p < len && !rc;) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - text) : len;
		line++;
		size_t s = p;
		while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		if (s < e) {
			crmw__json_error jerr;
			json_t *rec = NULL;
			if (crmw__json_parse(text + s, e - s, &rec, &jerr)) {
				char msg[600];
				snprintf(msg, sizeof msg, "%s: bad JSON on line %lld, column %d: %s", path,
					 (long long)line, jerr.column, jerr.text);
				return crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
			}
			rc = crmw_bulk_set_source(bulk, base_name(path), line);
			rc = rc ? rc : crmw__bulk_add_object(NULL, bulk, o, rec);
			json_decref(rec);
		}
		p = e + 1;
	}
	return rc;
}

/* -------------------------------------------------------------- CSV */

typedef struct csv_cell {
	size_t off, len;
	bool quoted;
} csv_cell;

typedef struct csv_reader {
	const char *text;
	size_t len, pos;
	int64_t line;        /* line of the current position */
	crmw_buf unquoted;   /* cell text with "" collapsed */
	csv_cell *cells;
	size_t ncells, cap;
} csv_reader;

/* Read one record; 1 = got one, 0 = end, -1 = malformed (msg set). */
static int csv_next(csv_reader *r, char *msg, size_t msglen)
{
	r->ncells = 0;
	crmw__buf_clear(&r->unquoted);
	if (r->pos >= r->len)
		return 0;
	for (;;) {
		if (r->ncells == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 32;
			csv_cell *c = realloc(r->cells, cap * sizeof *c);
			if (!c) {
				snprintf(msg, msglen, "out of memory");
				return -1;
			}
			r->cells = c;
			r->cap = cap;
		}
		csv_cell *cell = &r->cells[r->ncells++];
		cell->off = r->unquoted.len;
		cell->quoted = false;
		if (r->pos < r->len && r->text[r->pos] == '"') {
			cell->quoted = true;
			int64_t start_line = r->line;
			r->pos++;
			for (;;) {
				if (r->pos >= r->len) {
					snprintf(msg, msglen, "unterminated quoted cell starting on line %lld",
						 (long long)start_line);
					return -1;
				}
				char c = r->text[r->pos++];
				if (c == '"') {
					if (r->pos < r->len && r->text[r->pos] == '"') {
						r->pos++;
					} else {
						break;
					}
				}
				if (c == '\n')
					r->line++;
				if (crmw__buf_putc(&r->unquoted, c)) {
					snprintf(msg, msglen, "out of memory");
					return -1;
				}
			}
			if (r->pos < r->len && !strchr(",\r\n", r->text[r->pos])) {
				snprintf(msg, msglen, "line %lld: text after a closing quote", (long long)r->line);
				return -1;
			}
		} else {
			size_t s = r->pos;
			while (r->pos < r->len && !strchr(",\r\n", r->text[r->pos])) {
				if (r->text[r->pos] == '"') {
					snprintf(msg, msglen, "line %lld: a quote inside an unquoted cell",
						 (long long)r->line);
					return -1;
				}
				r->pos++;
			}
			if (crmw__buf_append(&r->unquoted, r->text + s, r->pos - s)) {
				snprintf(msg, msglen, "out of memory");
				return -1;
			}
		}
		cell->len = r->unquoted.len - cell->off;
		if (crmw__buf_putc(&r->unquoted, '\0')) {
			snprintf(msg, msglen, "out of memory");
			return -1;
		}
		if (r->pos >= r->len)
			return 1;
		char c = r->text[r->pos++];
		if (c == ',')
			continue;
		if (c == '\r' && r->pos < r->len && r->text[r->pos] == '\n')
			r->pos++;
		r->line++;
		return 1;
	}
}

static int import_csv_text(crmw_bulk *bulk, const crmw_object *o, const char *path,
			   const char *text, size_t len)
{
	crmw_db *db = crmw__bulk_db(bulk);
	csv_reader r = {.text = text, .len = len, .line = 1};
	/* Skip a UTF-8 byte order mark. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		r.pos = 3;
	char msg[600], why[300];
	int32_t *colfield = NULL;
	size_t ncols = 0;
	int rc = CRMW_OK;
	int got = csv_next(&r, why, sizeof why);
	if (got <= 0) {
		snprintf(msg, sizeof msg, "%s: %s", path, got == 0 ? "empty file (no header row)" : why);
		rc = crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
		goto done;
	}
	ncols = r.ncells;
	colfield = calloc(ncols, sizeof *colfield);
	if (!colfield) {
		rc = crmw__bulk_fail(bulk, CRMW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t c = 0; c < ncols; c++) {
		const char *name = r.unquoted.data + r.cells[c].off;
		int32_t fi = crmw__object_field_index(o, name);
		if (fi < 0) {
			crmw__schema_no_field(&db->h.err, o, name);
			snprintf(msg, sizeof msg, "%s, header column %zu: %s", path, c + 1, crmw__err_msg(&db->h.err));
			rc = crmw__bulk_fail(bulk, CRMW_ESCHEMA, msg);
			goto done;
		}
		for (size_t k = 0; k < c; k++)
			if (colfield[k] == fi) {
				snprintf(msg, sizeof msg, "%s: column '%s' appears twice in the header", path, name);
				rc = crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
				goto done;
			}
		colfield[c] = fi;
	}
	int64_t row = 0;
	while (!rc) {
		int64_t line = r.line;
		got = csv_next(&r, why, sizeof why);
		if (got == 0)
			break;
		if (got < 0) {
			snprintf(msg, sizeof msg, "%s: %s", path, why);
			rc = crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
			break;
		}
		row++;
		/* A blank line (one empty unquoted cell) is skipped. */
		if (r.ncells == 1 && r.cells[0].len == 0 && !r.cells[0].quoted)
			continue;
		if (r.ncells != ncols) {
			snprintf(msg, sizeof msg, "%s, line %lld: %zu cells where the header has %zu", path,
				 (long long)line, r.ncells, ncols);
			rc = crmw__bulk_fail(bulk, CRMW_EFORMAT, msg);
			break;
		}
		rc = crmw_bulk_set_source(bulk, base_name(path), line);
		rc = rc ? rc : crmw_bulk_row_begin(bulk, o->name);
		for (size_t c = 0; !rc && c < ncols; c++) {
			const csv_cell *cell = &r.cells[c];
			if (cell->len == 0 && !cell->quoted)
				rc = crmw_bulk_set_null(bulk, colfield[c]);
			else
				rc = crmw_bulk_set_text(bulk, colfield[c], r.unquoted.data + cell->off, cell->len);
		}
		rc = rc ? rc : crmw_bulk_row_end(NULL, bulk);
	}
done:
	free(colfield);
	free(r.cells);
	crmw_buf_dispose(&r.unquoted);
	return rc;
}

static int import_into(crmw_bulk *bulk, const crmw_object *o, int32_t format, const char *path)
{
	crmw_db *db = crmw__bulk_db(bulk);
	char *text = NULL;
	size_t len = 0;
	int rc = read_file(db, path, &text, &len);
	if (rc) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", crmw__err_msg(&db->h.err));
		crmw__bulk_fail(bulk, rc, msg);
		return rc;
	}
	switch (format) {
	case CRMW_FORMAT_JSON: rc = import_json_text(bulk, o, path, text, len); break;
	case CRMW_FORMAT_JSONL: rc = import_jsonl_text(bulk, o, path, text, len); break;
	default: rc = import_csv_text(bulk, o, path, text, len); break;
	}
	free(text);
	crmw__log(&db->h.log, CRMW_LOG_INFO, "import %s into %s: %s", path, o->name,
		  rc ? "failed" : "ok");
	return rc;
}

static int finish(crmw_bulk *bulk, int rc, int64_t *count_out)
{
	if (!rc)
		rc = crmw_bulk_commit(bulk);
	if (!rc && count_out)
		*count_out = crmw_bulk_count(bulk);
	crmw_bulk_free(bulk);
	return rc;
}

int crmw_db_import_file(int64_t *count_out, crmw_db *db, const char *object, int32_t format,
			const char *path)
{
	if (count_out)
		*count_out = 0;
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !path);
	if (!format_ext(format))
		return crmw__errf(&db->h.err, CRMW_EINVALID, "import: unknown format %d", (int)format);
	crmw_object *o = crmw__db_object(db, object);
	if (!o)
		return CRMW_ENOTFOUND;
	crmw_bulk *bulk = NULL;
	int rc = crmw_bulk_begin(&bulk, db, IMPORT_OPTIONS);
	if (rc)
		return rc;
	return finish(bulk, import_into(bulk, o, format, path), count_out);
}

static int format_of(const char *name, size_t *stem)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return -1;
	*stem = (size_t)(dot - name);
	if (strcmp(dot, ".json") == 0)
		return CRMW_FORMAT_JSON;
	if (strcmp(dot, ".jsonl") == 0)
		return CRMW_FORMAT_JSONL;
	if (strcmp(dot, ".csv") == 0)
		return CRMW_FORMAT_CSV;
	return -1;
}

int crmw_db_import_dir(int64_t *count_out, crmw_db *db, const char *dir)
{
	if (count_out)
		*count_out = 0;
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !dir);
	DIR *d = opendir(dir);
	if (!d)
		return crmw__errf(&db->h.err, errno == ENOENT ? CRMW_ENOTFOUND : CRMW_EIO, "%s: %s", dir,
				  strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = CRMW_OK;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t stem;
		if (e->d_name[0] == '.' || format_of(e->d_name, &stem) < 0 ||
		    strcmp(e->d_name, "schema.json") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **p = realloc(names, cap * sizeof *p);
			if (!p) {
				rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
				break;
			}
			names = p;
		}
		if (!(names[n] = crmw__strdup(e->d_name))) {
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc && n == 0)
		rc = crmw__errf(&db->h.err, CRMW_ENOTFOUND,
				"%s holds no <Object>.json, .jsonl or .csv files", dir);
	/* Check every file names an object before loading anything. */
	for (size_t i = 0; !rc && i < n; i++) {
		size_t stem;
		format_of(names[i], &stem);
		char obj[256];
		snprintf(obj, sizeof obj, "%.*s", (int)stem, names[i]);
		if (!crmw__schema_object(db->schema, obj)) {
			crmw__schema_no_object(&db->h.err, db->schema, obj);
			rc = crmw__errf(&db->h.err, CRMW_ESCHEMA, "%s/%s: %s", dir, names[i],
					crmw__err_msg(&db->h.err));
		}
	}
	crmw_bulk *bulk = NULL;
	if (!rc) {
		qsort(names, n, sizeof *names, crmw__strptr_cmp);
		rc = crmw_bulk_begin(&bulk, db, IMPORT_OPTIONS);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		size_t stem;
		int fmt = format_of(names[i], &stem);
		char obj[256], path[4096];
		snprintf(obj, sizeof obj, "%.*s", (int)stem, names[i]);
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		rc = import_into(bulk, crmw__schema_object(db->schema, obj), fmt, path);
	}
	if (bulk)
		rc = finish(bulk, rc, count_out);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* ------------------------------------------------------ SQLite dumps */

int crmw_db_import_sqlite(int64_t *count_out, crmw_db *db, const char *dump_path,
			  int32_t ignore_unknown_columns)
{
	if (count_out)
		*count_out = 0;
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !dump_path);
	struct stat sb;
	if (stat(dump_path, &sb) != 0)
		return crmw__errf(&db->h.err, CRMW_ENOTFOUND, "%s: %s", dump_path, strerror(errno));
	sqlite3 *dump = NULL;
	int src = sqlite3_open_v2(dump_path, &dump, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (src) {
		int rc = crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", dump_path, sqlite3_errstr(src));
		sqlite3_close_v2(dump);
		return rc;
	}
	sqlite3_stmt *tables = NULL;
	src = sqlite3_prepare_v2(dump,
				 "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
				 -1, &tables, NULL);
	if (src) {
		int rc = crmw__errf(&db->h.err, CRMW_ECORRUPT, "%s is not a readable SQLite database: %s",
				    dump_path, sqlite3_errmsg(dump));
		sqlite3_close_v2(dump);
		return rc;
	}
	crmw_bulk *bulk = NULL;
	int rc = crmw_bulk_begin(&bulk, db, IMPORT_OPTIONS);
	char msg[800];
	const char *source = base_name(dump_path);
	while (!rc && (src = sqlite3_step(tables)) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(tables, 0);
		const crmw_object *o = crmw__schema_object(db->schema, table);
		if (!o) {
			crmw__log(&db->h.log, CRMW_LOG_WARN, "%s: table '%s' names no object of the schema; skipped",
				  dump_path, table);
			continue;
		}
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);
		sqlite3_stmt *rows = NULL;
		src = sql ? sqlite3_prepare_v2(dump, sql, -1, &rows, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
		if (src) {
			snprintf(msg, sizeof msg, "%s, table %s: %s", dump_path, table, sqlite3_errmsg(dump));
			rc = crmw__bulk_fail(bulk, CRMW_ECORRUPT, msg);
			break;
		}
		int ncols = sqlite3_column_count(rows);
		int32_t *colfield = calloc((size_t)ncols + 1, sizeof *colfield);
		if (!colfield) {
			sqlite3_finalize(rows);
			rc = crmw__bulk_fail(bulk, CRMW_ENOMEM, "out of memory");
			break;
		}
		for (int c = 0; !rc && c < ncols; c++) {
			const char *cname = sqlite3_column_name(rows, c);
			colfield[c] = crmw__object_field_index(o, cname);
			if (colfield[c] >= 0)
				continue;
			if (ignore_unknown_columns) {
				crmw__log(&db->h.log, CRMW_LOG_WARN, "%s: column %s.%s names no field; skipped",
					  dump_path, table, cname);
				continue;
			}
			crmw__schema_no_field(&db->h.err, o, cname);
			snprintf(msg, sizeof msg, "%s, table %s: %s (ignore unknown columns to skip it)",
				 dump_path, table, crmw__err_msg(&db->h.err));
			rc = crmw__bulk_fail(bulk, CRMW_ESCHEMA, msg);
		}
		int64_t row = 0;
		if (!rc)
			rc = crmw_bulk_set_source(bulk, source, 1);
		while (!rc && (src = sqlite3_step(rows)) == SQLITE_ROW) {
			row++;
			char src_name[300];
			snprintf(src_name, sizeof src_name, "%s table %s", source, table);
			rc = crmw_bulk_set_source(bulk, src_name, row);
			rc = rc ? rc : crmw_bulk_row_begin(bulk, o->name);
			for (int c = 0; !rc && c < ncols; c++) {
				int32_t fi = colfield[c];
				if (fi < 0)
					continue;
				const crmw_field *f = &o->fields[fi];
				switch (sqlite3_column_type(rows, c)) {
				case SQLITE_NULL:
					rc = crmw_bulk_set_null(bulk, fi);
					break;
				case SQLITE_INTEGER:
					if (f->type == CRMW_FIELD_INT || f->type == CRMW_FIELD_BOOLEAN ||
					    f->type == CRMW_FIELD_DOUBLE || f->type == CRMW_FIELD_CURRENCY ||
					    f->type == CRMW_FIELD_PERCENT) {
						rc = crmw_bulk_set_int(bulk, fi, sqlite3_column_int64(rows, c));
						break;
					}
					/* fall through */
				case SQLITE_FLOAT:
					if (sqlite3_column_type(rows, c) == SQLITE_FLOAT &&
					    (f->type == CRMW_FIELD_DOUBLE || f->type == CRMW_FIELD_CURRENCY ||
					     f->type == CRMW_FIELD_PERCENT || f->type == CRMW_FIELD_INT)) {
						rc = crmw_bulk_set_double(bulk, fi, sqlite3_column_double(rows, c));
						break;
					}
					/* fall through */
				default: {
					const char *t = (const char *)sqlite3_column_text(rows, c);
					int n = sqlite3_column_bytes(rows, c);
					/* Empty text in a non-text field means "no value". */
					if (n == 0 && f->type >= CRMW_FIELD_BOOLEAN)
						rc = crmw_bulk_set_null(bulk, fi);
					else
						rc = crmw_bulk_set_text(bulk, fi, t ? t : "", (size_t)n);
				}
				}
			}
			rc = rc ? rc : crmw_bulk_row_end(NULL, bulk);
		}
		if (!rc && src != SQLITE_DONE) {
			snprintf(msg, sizeof msg, "%s, table %s: %s", dump_path, table, sqlite3_errmsg(dump));
			rc = crmw__bulk_fail(bulk, CRMW_ECORRUPT, msg);
		}
		free(colfield);
		sqlite3_finalize(rows);
	}
	if (!rc && src != SQLITE_DONE) {
		snprintf(msg, sizeof msg, "%s: %s", dump_path, sqlite3_errmsg(dump));
		rc = crmw__bulk_fail(bulk, CRMW_ECORRUPT, msg);
	}
	sqlite3_finalize(tables);
	sqlite3_close_v2(dump);
	if (bulk)
		rc = finish(bulk, rc, count_out);
	return rc;
}

/* ------------------------------------------------------------ export */

static int csv_cell_out(crmw_buf *b, const char *s, size_t n)
{
	bool quote = n == 0 || s[0] == ' ' || s[n - 1] == ' ';
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote)
		return crmw__buf_append(b, s, n);
	int rc = crmw__buf_putc(b, '"');
	for (size_t i = 0; !rc && i < n; i++)
		rc = s[i] == '"' ? crmw__buf_puts(b, "\"\"") : crmw__buf_putc(b, s[i]);
	return rc ? rc : crmw__buf_putc(b, '"');
}

static int csv_row(crmw_buf *b, const crmw_object *o, sqlite3_stmt *st)
{
	int rc = CRMW_OK;
	for (int32_t i = 0; !rc && i < o->nfields; i++) {
		if (i)
			rc = crmw__buf_putc(b, ',');
		int t = sqlite3_column_type(st, i);
		if (rc || t == SQLITE_NULL)
			continue;
		if (o->fields[i].type == CRMW_FIELD_BOOLEAN)
			rc = crmw__buf_puts(b, sqlite3_column_int64(st, i) ? "true" : "false");
		else if (t == SQLITE_INTEGER)
			rc = crmw__buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, i));
		else if (t == SQLITE_FLOAT)
			rc = crmw__buf_double(b, sqlite3_column_double(st, i));
		else
			rc = csv_cell_out(b, (const char *)sqlite3_column_text(st, i),
					  (size_t)sqlite3_column_bytes(st, i));
	}
	return rc ? rc : crmw__buf_puts(b, "\r\n");
}

int crmw_db_export_file(crmw_db *db, const char *object, int32_t format, const char *path)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !object || !path);
	if (!format_ext(format))
		return crmw__errf(&db->h.err, CRMW_EINVALID, "export: unknown format %d", (int)format);
	crmw_object *o = crmw__db_object(db, object);
	if (!o)
		return CRMW_ENOTFOUND;
	sqlite3_stmt *st = NULL;
	int rc = crmw__db_prepare_scan(db, o, &st);
	if (rc)
		return rc;
	int src = SQLITE_DONE;
	/* Write to a temporary name and rename: no half-written file on failure. */
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		sqlite3_finalize(st);
		return crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", tmp, strerror(errno));
	}
	crmw_buf b = CRMW_BUF_INIT;
	if (format == CRMW_FORMAT_CSV) {
		for (int32_t i = 0; !rc && i < o->nfields; i++)
			rc = crmw__buf_printf(&b, "%s%s", i ? "," : "", o->fields[i].name);
		rc = rc ? rc : crmw__buf_puts(&b, "\r\n");
	} else if (format == CRMW_FORMAT_JSON) {
		rc = crmw__buf_puts(&b, "[");
	}
	int64_t n = 0;
	int err = 0; /* errno of the failed write */
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (format == CRMW_FORMAT_CSV) {
			rc = csv_row(&b, o, st);
		} else {
			if (format == CRMW_FORMAT_JSON)
				rc = crmw__buf_puts(&b, n ? ",\n" : "\n");
			rc = rc ? rc : crmw__record_json(&b, o, st, 0);
			if (!rc && format == CRMW_FORMAT_JSONL)
				rc = crmw__buf_putc(&b, '\n');
		}
		n++;
		if (!rc && b.len > (1u << 20)) {
			if (fwrite(b.data, 1, b.len, f) != b.len)
				rc = CRMW_EIO, err = errno;
			crmw__buf_clear(&b);
		}
	}
	if (!rc && src != SQLITE_DONE)
		rc = crmw__db_sqlerr(db, src, "export");
	else if (!rc && format == CRMW_FORMAT_JSON)
		rc = crmw__buf_puts(&b, n ? "\n]\n" : "]\n");
	if (!rc && b.len && fwrite(b.data, 1, b.len, f) != b.len)
		rc = CRMW_EIO, err = errno;
	crmw_buf_dispose(&b);
	sqlite3_finalize(st);
	/* on disk before it takes the old file's name */
	if (!rc && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		rc = CRMW_EIO, err = errno;
	if (fclose(f) != 0 && !rc)
		rc = CRMW_EIO, err = errno;
	if (!rc && rename(tmp, path) != 0)
		rc = CRMW_EIO, err = errno;
	if (rc) {
		remove(tmp);
		if (rc == CRMW_EIO)
			return crmw__errf(&db->h.err, CRMW_EIO, "export to %s failed: %s", path, strerror(err));
		if (rc == CRMW_ENOMEM)
			return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		return rc;
	}
	return CRMW_OK;
}

static int mkdir_p(crmw_db *db, const char *dir)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		return crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", p, strerror(errno));
	return CRMW_OK;
}

int crmw_db_export_dir(crmw_db *db, int32_t format, const char *dir)
{
	CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !db || !dir);
	const char *ext = format_ext(format);
	if (!ext)
		return crmw__errf(&db->h.err, CRMW_EINVALID, "export: unknown format %d", (int)format);
	int rc = mkdir_p(db, dir);
	for (int32_t i = 0; !rc && i < db->schema->nobjects; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s.%s", dir, db->schema->objects[i].name, ext);
		rc = crmw_db_export_file(db, db->schema->objects[i].name, format, path);
	}
	if (rc)
		return rc;
	crmw_buf js = CRMW_BUF_INIT;
	if ((rc = crmw_schema_to_json(&js, db->schema)))
		return crmw__errf(&db->h.err, rc, "%s", crmw_last_error());
	char path[4096], tmp[4200];
	snprintf(path, sizeof path, "%s/schema.json", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f || fwrite(js.data, 1, js.len, f) != js.len || fputc('\n', f) == EOF || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		rc = crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", path, strerror(errno));
	if (f && fclose(f) != 0 && !rc)
		rc = crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", path, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = crmw__errf(&db->h.err, CRMW_EIO, "%s: %s", path, strerror(errno));
	if (rc && f)
		remove(tmp);
	crmw_buf_dispose(&js);
	return rc;
}
