/*
 * SOSL: the search text becomes an FTS5 query over each object's search
 * index (crmw_fts_<Object>, kept in step with the records by triggers), and
 * each RETURNING object a SELECT compiled like SOQL.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int serr(crmw_db *db, q_pos pos, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int serr(crmw_db *db, q_pos pos, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return crmw__errf(&db->h.err, CRMW_EQUERY, "%s: %s (line %d, column %d)", QE_SEARCH, msg, pos.line, pos.col);
}

#define MAX_SEARCH_DEPTH 16

static bool word_char(char c)
{
	return c && !isspace((unsigned char)c) && c != '(' && c != ')' && c != '"';
}

/*
 * SOSL search text -> FTS5 query: words become quoted phrases ("word"),
 * a trailing * a prefix ("wor" *), "quoted phrases" stay phrases, AND / OR /
 * AND NOT / NOT and parentheses map to FTS5's operators, and adjacent terms
 * are ANDed.  Backslash escapes a reserved character.
 */
static int to_fts(crmw_db *db, const q_search *s, crmw_buf *out)
{
	const char *t = s->terms;
	size_t n = strlen(t), i = 0;
	int terms = 0, rc = CRMW_OK;
	bool need_operand = true; /* at the start, after an operator or '(' */
	int depth = 0;
	crmw_buf word = CRMW_BUF_INIT;
	while (i < n && !rc) {
		char c = t[i];
		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		if (c == '(') {
			/* FTS5's own parser has a small stack: deeper nesting would
			 * fail there, with SQLite's words and code */
			if (depth == MAX_SEARCH_DEPTH) {
				rc = serr(db, s->terms_pos, "parentheses in the search text nest too deeply (at most %d)",
					  MAX_SEARCH_DEPTH);
				break;
			}
			rc = crmw__buf_puts(out, need_operand ? "(" : " AND (");
			need_operand = true;
			depth++;
			i++;
			continue;
		}
		if (c == ')') {
			if (depth == 0 || need_operand) {
				rc = serr(db, s->terms_pos, "unbalanced ')' in the search text");
				break;
			}
			rc = crmw__buf_putc(out, ')');
			depth--;
			i++;
			continue;
		}
		if (c == '"') {
			size_t j = i + 1;
			crmw__buf_clear(&word);
			while (j < n && t[j] != '"') {
				if (t[j] == '\\' && j + 1 < n)
					j++;
				rc = rc ? rc : crmw__buf_putc(&word, t[j]);
				j++;
			}
			if (j >= n) {
				rc = serr(db, s->terms_pos, "unterminated \" in the search text");
				break;
			}
			rc = rc ? rc : crmw__buf_puts(out, need_operand ? "\"" : " AND \"");
			for (size_t k = 0; !rc && k < word.len; k++)
				rc = word.data[k] == '"' ? crmw__buf_puts(out, "\"\"") : crmw__buf_putc(out, word.data[k]);
			rc = rc ? rc : crmw__buf_putc(out, '"');
			terms++;
			need_operand = false;
			i = j + 1;
			continue;
		}
		/* A word, or an operator. */
		size_t j = i;
		crmw__buf_clear(&word);
		bool prefix = false;
		while (j < n && word_char(t[j])) {
			if (t[j] == '\\' && j + 1 < n) {
				rc = rc ? rc : crmw__buf_putc(&word, t[j + 1]);
				j += 2;
				continue;
			}
			if (t[j] == '*' && (j + 1 == n || !word_char(t[j + 1])) && word.len > 0) {
				prefix = true;
				j++;
				break;
			}
			if (t[j] == '*' || t[j] == '?') {
				/* the term up to the wildcard: its last 60 bytes at most, from a character boundary */
				size_t from = j - i + 1 > 60 ? j + 1 - 60 : i;
				while (from < j && ((unsigned char)t[from] & 0xC0) == 0x80)
					from++;
				rc = serr(db, s->terms_pos, "wildcards are supported only at the end of a term ('%s%.*s')",
					  from > i ? "..." : "", (int)(j - from + 1), t + from);
				break;
			}
			rc = rc ? rc : crmw__buf_putc(&word, t[j]);
			j++;
		}
		if (rc)
			break;
		const char *w = word.data ? word.data : "";
		bool is_and = strcmp(w, "AND") == 0 || strcmp(w, "and") == 0;
		bool is_or = strcmp(w, "OR") == 0 || strcmp(w, "or") == 0;
		bool is_not = strcmp(w, "NOT") == 0 || strcmp(w, "not") == 0;
		if (!prefix && (is_and || is_or || is_not)) {
			if (need_operand) {
				rc = serr(db, s->terms_pos, "%s needs a term before it", w);
				break;
			}
			if (is_and) {
				/* AND NOT -> NOT */
				size_t k = j;
				while (k < n && isspace((unsigned char)t[k]))
					k++;
				if (k + 3 <= n && strncasecmp(t + k, "NOT", 3) == 0 && (k + 3 == n || !word_char(t[k + 3]))) {
					rc = crmw__buf_puts(out, " NOT ");
					j = k + 3;
				} else {
					rc = crmw__buf_puts(out, " AND ");
				}
			} else {
				rc = crmw__buf_puts(out, is_or ? " OR " : " NOT ");
			}
			need_operand = true;
			i = j;
			continue;
		}
		/* Words with no letter or digit would match nothing: skip them. */
		bool has_alnum = false;
		for (size_t k = 0; k < word.len; k++)
			has_alnum = has_alnum || isalnum((unsigned char)word.data[k]) || (unsigned char)word.data[k] >= 0x80;
		if (has_alnum) {
			rc = crmw__buf_puts(out, need_operand ? "\"" : " AND \"");
			for (size_t k = 0; !rc && k < word.len; k++)
				rc = word.data[k] == '"' ? crmw__buf_puts(out, "\"\"") : crmw__buf_putc(out, word.data[k]);
			rc = rc ? rc : crmw__buf_puts(out, prefix ? "\" *" : "\"");
			terms++;
			need_operand = false;
		}
		i = j;
	}
	crmw_buf_dispose(&word);
	if (rc)
		return rc == CRMW_ENOMEM ? crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory") : rc;
	if (depth)
		return serr(db, s->terms_pos, "unbalanced '(' in the search text");
	if (terms == 0)
		return serr(db, s->terms_pos, "the search text has no term to look for");
	if (need_operand)
		return serr(db, s->terms_pos, "the search text ends with an operator");
	return CRMW_OK;
}

/* Is field f of o in the search scope? */
static bool in_scope(const crmw_field *f, q_scope scope)
{
	if (!crmw__field_searchable(f))
		return false;
	switch (scope) {
	case SC_EMAIL: return f->type == CRMW_FIELD_EMAIL;
	case SC_PHONE: return f->type == CRMW_FIELD_PHONE;
	case SC_NAME: {
		static const char *const names[] = {"Name", "FirstName", "LastName", "Title", "Subject", "Company"};
		for (size_t i = 0; i < CRMW_ARRAY_LEN(names); i++)
			if (strcmp(f->name, names[i]) == 0)
				return true;
		return false;
	}
	default: return true;
	}
}

int crmw__compile_sosl(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_search *s, q_compiled ***out,
		       int *nout)
{
	if (role && role->unrestricted)
		role = NULL;
	*out = NULL;
	*nout = 0;
	crmw_buf fts = CRMW_BUF_INIT;
	int rc = to_fts(db, s, &fts);
	if (rc) {
		crmw_buf_dispose(&fts);
		return rc;
	}
	const crmw_schema *sc = db->schema;
	int n = s->nret;
	if (n == 0)
		for (int32_t i = 0; i < sc->nobjects; i++)
			n += crmw__object_searchable(&sc->objects[i]);
	q_compiled **parts = crmw__arena_alloc(a, sizeof *parts * (size_t)(n ? n : 1));
	if (!parts) {
		crmw_buf_dispose(&fts);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	int k = 0;
	for (int32_t oi = 0; !rc && (s->nret ? k < s->nret : oi < sc->nobjects); oi++) {
		const q_returning *r = s->nret ? &s->ret[k] : NULL;
		const crmw_object *o = r ? crmw__schema_object(sc, r->object) : &sc->objects[oi];
		/* Searching everywhere means everywhere the role may read. */
		if (!r && (!crmw__object_searchable(o) || !crmw__role_reads(role, o->name)))
			continue;
		if (!o) {
			/* a suggestion names only an object the role may read */
			crmw__near near;
			crmw__near_init(&near, r->object);
			for (int32_t i = 0; i < sc->nobjects; i++)
				if (crmw__role_reads(role, sc->objects[i].name))
					crmw__near_add(&near, sc->objects[i].name);
			const char *hint = crmw__near_best(&near);
			rc = crmw__errf(&db->h.err, CRMW_EQUERY, "%s: sObject type '%s' is not supported (line %d, column %d)%s%s%s",
					QE_TYPE, r->object, r->pos.line, r->pos.col, hint ? "; did you mean '" : "",
					hint ? hint : "", hint ? "'?" : "");
			break;
		}
		if (!crmw__object_searchable(o)) {
			rc = crmw__errf(&db->h.err, CRMW_EQUERY, "%s: entity '%s' has no text fields to search (line %d, column %d)",
					QE_TYPE, o->name, r->pos.line, r->pos.col);
			break;
		}
		for (int i = 0; r && i < r->nitems && !rc; i++) {
			const q_item *it = &r->items[i];
			q_fn fn = it->e.fn;
			if (it->fields)
				rc = serr(db, it->pos, "FIELDS() cannot be used in RETURNING; name the fields");
			else if (fn != FN_NONE && fn != FN_TOLABEL && fn != FN_CONVERT_CURRENCY && fn != FN_DISTANCE)
				rc = serr(db, it->pos, "%s() cannot be used in RETURNING (toLabel, convertCurrency, FORMAT and DISTANCE can)",
					  crmw__fn_name(fn));
		}
		if (rc)
			break;
		/* The FTS5 query, limited to the fields of the scope that the
		 * role may read (a hidden field must not match either). */
		crmw_buf q = CRMW_BUF_INIT;
		int ncols = 0, nscope = 0;
		for (int32_t i = 1; i < o->nfields; i++)
			if (crmw__field_searchable(&o->fields[i])) {
				ncols++;
				nscope += in_scope(&o->fields[i], s->scope) && crmw__role_sees(role, o->name, o->fields[i].name);
			}
		/* Searching everywhere, an object with no field in the scope (no
		 * email field for IN EMAIL FIELDS) is not searched; one named in
		 * RETURNING is, and matches nothing. */
		if (!r && nscope == 0) {
			crmw_buf_dispose(&q);
			continue;
		}
		if (nscope && nscope < ncols) {
			rc = crmw__buf_puts(&q, "{");
			for (int32_t i = 1; !rc && i < o->nfields; i++)
				if (in_scope(&o->fields[i], s->scope) && crmw__role_sees(role, o->name, o->fields[i].name))
					rc = crmw__buf_printf(&q, "\"%s\" ", o->fields[i].name);
			rc = rc ? rc : crmw__buf_printf(&q, "} : (%s)", fts.data);
		} else {
			rc = crmw__buf_puts(&q, fts.data);
		}
		if (rc) {
			crmw_buf_dispose(&q);
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
			break;
		}
		/* The SELECT: the listed fields (Id by default) of matching records. */
		q_select sel;
		memset(&sel, 0, sizeof sel);
		sel.from = o->name;
		sel.from_pos = r ? r->pos : s->terms_pos;
		sel.pos = sel.from_pos;
		if (r && r->nitems) {
			sel.items = r->items;
			sel.nitems = r->nitems;
		} else {
			static const char *const id_part = "Id";
			q_item *items = crmw__arena_alloc(a, sizeof *items);
			if (!items) {
				crmw_buf_dispose(&q);
				rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
				break;
			}
			items->e.has_path = true;
			items->e.path.parts = (const char **)&id_part;
			items->e.path.nparts = 1;
			items->e.path.text = items->e.text = "Id";
			items->e.path.pos = items->e.pos = items->pos = sel.pos;
			sel.items = items;
			sel.nitems = 1;
		}
		if (r) {
			sel.where = r->where;
			sel.order = r->order;
			sel.norder = r->norder;
			sel.has_limit = r->has_limit;
			sel.limit = r->limit;
			sel.has_offset = r->has_offset;
			sel.offset = r->offset;
		}
		if (s->has_limit && (!sel.has_limit || sel.limit > s->limit)) {
			sel.has_limit = true;
			sel.limit = s->limit;
		}
		const char *match = crmw__arena_strndup(a, q.data, q.len);
		crmw_buf_dispose(&q);
		if (!match) {
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
			break;
		}
		q_compiled *qc = NULL;
		rc = crmw__compile_search_select(db, role, a, &sel, match, nscope == 0, &qc);
		if (!rc) {
			qc->object = o->name;
			parts[k++] = qc;
		}
	}
	crmw_buf_dispose(&fts);
	if (rc)
		return rc;
	*out = parts;
	*nout = k;
	return CRMW_OK;
}
