/*
 * SOSL: the search text becomes an FTS5 query over each object's search
 * index (crmw_fts_<Object>, kept in step with the records by triggers), and
 * each RETURNING object a SELECT compiled like SOQL.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/internal.h"
#include "query/qfn.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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
	crmw__utf8_trim(msg);
	return crmw__errf(&db->h.err, CRMW_EQUERY, "%s: %s (line %d, column %d)", QE_SEARCH, msg, pos.line, pos.col);
}

#define MAX_SEARCH_DEPTH 16

static bool word_char(char c)
{
	return c && !isspace((unsigned char)c) && c != '(' && c != ')' && c != '"';
}

/* The search text, read into a list of items. */
typedef enum sk { SK_LP, SK_RP, SK_AND, SK_OR, SK_NOT, SK_PHRASE, SK_WORD, SK_PREFIX, SK_WILD } sk;

typedef struct sitem {
	sk kind;
	const char *text; /* SK_PHRASE, SK_WORD, SK_PREFIX (without its '*'), SK_WILD: unescaped */
} sitem;

typedef struct sterms {
	sitem *items;
	int n, cap;
	int terms;
	bool wild; /* a term has a wildcard inside (Jo?n, J*n) */
} sterms;

static int add_item(crmw_arena *a, sterms *t, sk kind, const char *text, size_t n)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		sitem *g = crmw__arena_alloc(a, sizeof *g * (size_t)cap);
		if (!g)
			return CRMW_ENOMEM;
		if (t->n)
			memcpy(g, t->items, sizeof *g * (size_t)t->n);
		t->items = g;
		t->cap = cap;
	}
	sitem *it = &t->items[t->n++];
	it->kind = kind;
	it->text = NULL;
	if (text && !(it->text = crmw__arena_strndup(a, text, n)))
		return CRMW_ENOMEM;
	return CRMW_OK;
}

/* A term with a wildcard inside: letters and digits, '?' and '*', not first. */
static int check_wild(crmw_db *db, const q_search *s, const char *w, size_t n)
{
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)w[i] & 0xC0) != 0x80;
	if (w[0] == '*' || w[0] == '?')
		return serr(db, s->terms_pos, "a wildcard cannot start a term ('%.*s'): put it in the middle or at the end",
			    (int)crmw__utf8_prefix(w, n, 60), w);
	if (chars > Q_MAX_WILDCARD_TERM)
		return serr(db, s->terms_pos, "a term with a wildcard inside is too long (at most %d characters)",
			    Q_MAX_WILDCARD_TERM);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && (unsigned char)w[i] < 0x80 && w[i] != '*' && w[i] != '?')
			return serr(db, s->terms_pos,
				    "a term with a wildcard inside holds only letters, digits, '?' and '*' ('%.*s')",
				    (int)crmw__utf8_prefix(w, n, 60), w);
	return CRMW_OK;
}

/*
 * Read SOSL search text: words (several must all match: an AND goes
 * between), "quoted phrases", a trailing * (a prefix), wildcards inside a
 * term (? one character, * any number), AND / OR / AND NOT / NOT and
 * parentheses; a backslash escapes a reserved character.
 */
static int read_terms(crmw_db *db, crmw_arena *a, const q_search *s, sterms *out)
{
	const char *t = s->terms;
	size_t n = strlen(t), i = 0;
	int rc = CRMW_OK;
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
			if (!need_operand)
				rc = add_item(a, out, SK_AND, NULL, 0);
			rc = rc ? rc : add_item(a, out, SK_LP, NULL, 0);
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
			rc = add_item(a, out, SK_RP, NULL, 0);
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
			if (!need_operand)
				rc = rc ? rc : add_item(a, out, SK_AND, NULL, 0);
			rc = rc ? rc : add_item(a, out, SK_PHRASE, word.data ? word.data : "", word.len);
			out->terms++;
			need_operand = false;
			i = j + 1;
			continue;
		}
		/* A word, or an operator. */
		size_t j = i;
		crmw__buf_clear(&word);
		bool prefix = false, wild = false, escaped = false;
		while (j < n && word_char(t[j])) {
			if (t[j] == '\\' && j + 1 < n) {
				rc = rc ? rc : crmw__buf_putc(&word, t[j + 1]);
				escaped = true;
				j += 2;
				continue;
			}
			if (t[j] == '*' && (j + 1 == n || !word_char(t[j + 1])) && word.len > 0 && !wild) {
				prefix = true;
				j++;
				break;
			}
			if (t[j] == '*' || t[j] == '?')
				wild = true;
			rc = rc ? rc : crmw__buf_putc(&word, t[j]);
			j++;
		}
		if (rc)
			break;
		const char *w = word.data ? word.data : "";
		if (wild) {
			if (escaped) {
				rc = serr(db, s->terms_pos, "a term with a wildcard inside cannot hold escaped characters");
				break;
			}
			if ((rc = check_wild(db, s, w, word.len)))
				break;
			if (!need_operand)
				rc = add_item(a, out, SK_AND, NULL, 0);
			rc = rc ? rc : add_item(a, out, SK_WILD, w, word.len);
			out->terms++;
			out->wild = true;
			need_operand = false;
			i = j;
			continue;
		}
		bool is_and = strcmp(w, "AND") == 0 || strcmp(w, "and") == 0;
		bool is_or = strcmp(w, "OR") == 0 || strcmp(w, "or") == 0;
		bool is_not = strcmp(w, "NOT") == 0 || strcmp(w, "not") == 0;
		if (!prefix && !escaped && (is_and || is_or || is_not)) {
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
					rc = add_item(a, out, SK_NOT, NULL, 0);
					j = k + 3;
				} else {
					rc = add_item(a, out, SK_AND, NULL, 0);
				}
			} else {
				rc = add_item(a, out, is_or ? SK_OR : SK_NOT, NULL, 0);
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
			if (!need_operand)
				rc = add_item(a, out, SK_AND, NULL, 0);
			rc = rc ? rc : add_item(a, out, prefix ? SK_PREFIX : SK_WORD, w, word.len);
			out->terms++;
			need_operand = false;
		}
		i = j;
	}
	crmw_buf_dispose(&word);
	if (rc)
		return rc == CRMW_ENOMEM ? crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory") : rc;
	if (depth)
		return serr(db, s->terms_pos, "unbalanced '(' in the search text");
	if (out->terms == 0)
		return serr(db, s->terms_pos, "the search text has no term to look for");
	if (need_operand)
		return serr(db, s->terms_pos, "the search text ends with an operator");
	if (out->wild && out->terms > SOSL_MAX_TERMS)
		return serr(db, s->terms_pos, "a search with a wildcard inside a term may have at most %d terms", SOSL_MAX_TERMS);
	return CRMW_OK;
}

/* A term as FTS5 reads it: a quoted phrase, "" for a quote inside; a
 * term with wildcards inside by its prefix before the first one. */
static int put_phrase(crmw_buf *out, const sitem *it)
{
	const char *w = it->text;
	size_t n = it->kind == SK_WILD ? strcspn(w, "?*") : strlen(w);
	int rc = crmw__buf_putc(out, '"');
	for (size_t k = 0; !rc && k < n; k++)
		rc = w[k] == '"' ? crmw__buf_puts(out, "\"\"") : crmw__buf_putc(out, w[k]);
	rc = rc ? rc : crmw__buf_putc(out, '"');
	return rc ? rc : (it->kind == SK_PREFIX || it->kind == SK_WILD) ? crmw__buf_puts(out, " *") : CRMW_OK;
}

/* The FTS5 query of a search without wildcards inside terms. */
static int plain_fts(const sterms *t, crmw_buf *out)
{
	int rc = CRMW_OK;
	for (int i = 0; !rc && i < t->n; i++) {
		switch (t->items[i].kind) {
		case SK_LP: rc = crmw__buf_putc(out, '('); break;
		case SK_RP: rc = crmw__buf_putc(out, ')'); break;
		case SK_AND: rc = crmw__buf_puts(out, " AND "); break;
		case SK_OR: rc = crmw__buf_puts(out, " OR "); break;
		case SK_NOT: rc = crmw__buf_puts(out, " NOT "); break;
		default: rc = put_phrase(out, &t->items[i]); break;
		}
	}
	return rc;
}

static int prec(sk k)
{
	return k == SK_NOT ? 3 : k == SK_AND ? 2 : k == SK_OR ? 1 : 0;
}

/* One operand of the looser query: its FTS5 text, and whether it matches
 * exactly the records the search's part does (no wildcard term inside). */
typedef struct loose {
	crmw_buf q;
	bool exact;
	int prec; /* of its operator (0: a term): parentheses only where precedence needs them */
} loose;

/*
 * A search with wildcards inside terms: the program crmw_sosl runs on each
 * record (the search in postfix, FTS5's precedence: NOT, AND, OR, each
 * from the left) and a looser FTS5 query that finds every record the
 * search matches (and perhaps more): a term with wildcards is its prefix;
 * "a NOT b" is "a" when b holds one.  Parentheses nest at most 16 deep and
 * terms are at most SOSL_MAX_TERMS: the stacks are small, and on the heap.
 */
static int wild_fts(crmw_db *db, crmw_arena *a, const sterms *t, crmw_buf *fts, const char **program)
{
	int rc = CRMW_OK;
	int *post = malloc(sizeof *post * (size_t)t->n), *ops = malloc(sizeof *ops * (size_t)t->n);
	loose *st = calloc((size_t)t->n + 1, sizeof *st);
	int npost = 0, nops = 0, sp = 0;
	crmw_buf prog = CRMW_BUF_INIT;
	if (!post || !ops || !st) {
		rc = CRMW_ENOMEM;
		goto done;
	}
	/* shunting-yard */
	for (int i = 0; i < t->n; i++) {
		sk k = t->items[i].kind;
		if (k == SK_LP) {
			ops[nops++] = i;
		} else if (k == SK_RP) {
			while (nops && t->items[ops[nops - 1]].kind != SK_LP)
				post[npost++] = ops[--nops];
			nops--; /* the '(' (read_terms balanced them) */
		} else if (prec(k)) {
			while (nops && prec(t->items[ops[nops - 1]].kind) >= prec(k))
				post[npost++] = ops[--nops];
			ops[nops++] = i;
		} else {
			post[npost++] = i;
		}
	}
	while (nops)
		post[npost++] = ops[--nops];
	for (int i = 0; !rc && i < npost; i++) {
		const sitem *it = &t->items[post[i]];
		if (!prec(it->kind)) {
			char op = it->kind == SK_WILD ? 'X' : it->kind == SK_PREFIX ? 'P' : 'W';
			rc = crmw__buf_printf(&prog, "%c%zu:%s", op, strlen(it->text), it->text);
			loose *l = &st[sp++];
			memset(l, 0, sizeof *l);
			l->exact = it->kind != SK_WILD;
			rc = rc ? rc : put_phrase(&l->q, it);
			continue;
		}
		rc = crmw__buf_putc(&prog, it->kind == SK_AND ? '&' : it->kind == SK_OR ? '|' : '-');
		loose *l = &st[sp - 2], *r = &st[sp - 1];
		if (it->kind == SK_NOT && !r->exact) {
			/* a NOT b, b looser than it is: a, looser still */
			l->exact = false;
		} else if (!rc) {
			/* "a AND b AND c" stays flat (FTS5's parser has a small
			 * stack): the left side in parentheses when it binds less,
			 * the right one when it binds no more */
			int p = prec(it->kind);
			bool pl = l->prec && l->prec < p, pr = r->prec && r->prec <= p;
			crmw_buf both = CRMW_BUF_INIT;
			rc = crmw__buf_printf(&both, "%s%s%s %s %s%s%s", pl ? "(" : "", l->q.data, pl ? ")" : "",
					      it->kind == SK_AND ? "AND" : it->kind == SK_OR ? "OR" : "NOT", pr ? "(" : "", r->q.data,
					      pr ? ")" : "");
			crmw_buf_dispose(&l->q);
			l->q = both;
			l->exact = l->exact && r->exact;
			l->prec = p;
		}
		crmw_buf_dispose(&r->q);
		sp--;
	}
	if (!rc && sp == 1)
		rc = crmw__buf_append(fts, st[0].q.data, st[0].q.len);
	if (!rc && !(*program = crmw__arena_strndup(a, prog.data, prog.len)))
		rc = CRMW_ENOMEM;
done:
	for (int i = 0; st && i < sp; i++)
		crmw_buf_dispose(&st[i].q);
	crmw_buf_dispose(&prog);
	free(post);
	free(ops);
	free(st);
	return rc ? crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory") : CRMW_OK;
}

/* SOSL search text -> an FTS5 query (and the exact check of wildcards). */
static int to_fts(crmw_db *db, crmw_arena *a, const q_search *s, crmw_buf *out, const char **program)
{
	sterms t;
	memset(&t, 0, sizeof t);
	*program = NULL;
	int rc = read_terms(db, a, s, &t);
	if (rc)
		return rc;
	if (t.wild)
		return wild_fts(db, a, &t, out, program);
	return plain_fts(&t, out) ? crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory") : CRMW_OK;
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
	const char *program = NULL;
	int rc = to_fts(db, a, s, &fts, &program);
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
		/* the exact check of wildcards reads the scope's fields the role sees */
		q_eval ev = {program, NULL, 0};
		if (program && nscope) {
			ev.cols = crmw__arena_alloc(a, sizeof *ev.cols * (size_t)nscope);
			if (!ev.cols) {
				rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
				break;
			}
			for (int32_t i = 1; i < o->nfields; i++)
				if (in_scope(&o->fields[i], s->scope) && crmw__role_sees(role, o->name, o->fields[i].name))
					ev.cols[ev.ncols++] = o->fields[i].name;
		}
		q_compiled *qc = NULL;
		rc = crmw__compile_search_select(db, role, a, &sel, match, nscope == 0, program ? &ev : NULL, &qc);
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
