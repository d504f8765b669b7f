/*
 * The SOQL compiler: a parsed SELECT becomes one SQLite SELECT with numbered
 * parameters (?1, ?2, ...), plus the tree that shapes its rows into
 * Salesforce-style records.  Every name is resolved against the schema here,
 * so the SQL only ever names real tables and columns, always quoted.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/internal.h"
#include "query/qfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REL_DEPTH 5
#define MAX_JOINS 64

typedef struct join {
	const char *key;            /* canonical relationship chain: "Account.Owner" */
	int alias[8];               /* one per target of a polymorphic reference */
	const crmw_object *obj[8];
	const char *gate[8];        /* the target's row rule on the joined row, NULL: none */
	int ntargets;
} join;

typedef struct cctx {
	crmw_db *db;
	const crmw_role *role;      /* NULL: every object, field and row */
	crmw_arena *a;
	crmw_err *err;
	const crmw_object *root;
	const char *alias;          /* the FROM alias, or NULL */
	int prefix;                 /* table alias prefix, distinct per (sub)query */
	int *next_alias;            /* shared counter */
	join *joins;                /* in the arena: this SELECT's joins */
	int njoins, capjoins;
	crmw_buf join_sql;
	/* Parameters are shared by a query and its semi-join subqueries. */
	q_param **params;
	int *nparams, *capparams;
	bool aggregate;
	int exprn;
	int semi_depth;
	const char *fts_match;      /* SOSL: the FTS5 query this SELECT must match */
	bool fts_none;              /* SOSL: the object has no field in the search scope */
	const q_eval *fts_eval;     /* SOSL: terms with wildcards, checked on each record (search.c) */
	const char *same_row;       /* SEL_SOURCE: the source holds just this alias's row */
	const q_relalias *rels;     /* FROM's relationship aliases, paths written from the FROM object */
	int nrels;
	bool failed;
} cctx;

/* Where an expression is (what it may be). */
typedef enum clause { CL_SELECT, CL_WHERE, CL_HAVING, CL_GROUP, CL_ORDER } clause;


/* What compile_select writes. */
typedef enum sel_mode {
	SEL_QUERY,  /* a query or child subquery: columns shaped by a q_compiled */
	SEL_SEMI,   /* a semi-join: one Id column */
	SEL_SOURCE  /* a role's row rule as a row source: rowid and every column */
} sel_mode;

typedef struct rexpr {
	const char *sql;            /* the SQL expression */
	const crmw_field *field;    /* for plain fields and function arguments */
	int32_t type;               /* result type: field type, -1 count/int, -2 double */
	const char *chain[MAX_REL_DEPTH + 1]; /* canonical relationship names */
	const char *exists[MAX_REL_DEPTH + 1]; /* SQL of each parent's Id */
	int nchain;
	const char *name;           /* canonical field name */
	bool is_agg, is_fn;
	bool wrapper;               /* toLabel/convertCurrency/FORMAT of a field: keyed like the field */
	const char *base;           /* the SQL before such a wrapper */
} rexpr;

/* ------------------------------------------------------------- errors */

/* The one place a compile error is worded: "CODE: message (line, column)",
 * with a "; did you mean" hint moved after the position. */
static int vcerr(cctx *c, int status, const char *code, q_pos pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static int vcerr(cctx *c, int status, const char *code, q_pos pos, const char *fmt, va_list ap)
{
	if (c->failed)
		return status;
	char msg[800];
	vsnprintf(msg, sizeof msg, fmt, ap);
	crmw__utf8_trim(msg); /* a message cut short never ends in half a character */
	c->failed = true;
	char *hint = strstr(msg, "; did you mean");
	if (hint) {
		*hint = '\0';
		return crmw__errf(c->err, status, "%s: %s (line %d, column %d); %s", code, msg, pos.line, pos.col, hint + 2);
	}
	return crmw__errf(c->err, status, "%s: %s (line %d, column %d)", code, msg, pos.line, pos.col);
}

static int cerr(cctx *c, const char *code, q_pos pos, const char *fmt, ...) CRMW_PRINTF(4, 5);
static int cerr(cctx *c, const char *code, q_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vcerr(c, CRMW_EQUERY, code, pos, fmt, ap);
	va_end(ap);
	return rc;
}

static int cerr_status(cctx *c, int status, const char *code, q_pos pos, const char *fmt, ...) CRMW_PRINTF(5, 6);
static int cerr_status(cctx *c, int status, const char *code, q_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vcerr(c, status, code, pos, fmt, ap);
	va_end(ap);
	return rc;
}

/* INSUFFICIENT_ACCESS: the role may not read something the query names. */
static int cdeny(cctx *c, q_pos pos, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int cdeny(cctx *c, q_pos pos, const char *fmt, ...)
{
	char what[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	crmw__utf8_trim(what);
	return cerr_status(c, CRMW_EACCESS, QE_ACCESS, pos, "role '%s' %s", c->role->name, what);
}

static int coom(cctx *c)
{
	c->failed = true;
	return crmw__errf(c->err, CRMW_ENOMEM, "out of memory");
}

static char *adup(cctx *c, const char *s)
{
	char *d = crmw__arena_strndup(c->a, s, strlen(s));
	if (!d)
		coom(c);
	return d;
}

static char *afmt(cctx *c, const char *fmt, ...) CRMW_PRINTF(2, 3);
static char *afmt(cctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *d = n >= 0 ? crmw__arena_alloc(c->a, (size_t)n + 1) : NULL;
	if (!d) {
		coom(c);
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}

/* ---------------------------------------------------------- params */

static int add_param(cctx *c, q_param p)
{
	if (*c->nparams == *c->capparams) {
		int cap = *c->capparams ? *c->capparams * 2 : 16;
		q_param *np = crmw__arena_alloc(c->a, sizeof *np * (size_t)cap);
		if (!np)
			return coom(c), -1;
		if (*c->nparams)
			memcpy(np, *c->params, sizeof *np * (size_t)*c->nparams);
		*c->params = np;
		*c->capparams = cap;
	}
	(*c->params)[(*c->nparams)++] = p;
	return *c->nparams; /* 1-based: ?N */
}

static int param_text(cctx *c, const char *s)
{
	q_param p = {.kind = P_VALUE, .vkind = CRMW_VAL_TEXT, .s = s};
	return add_param(c, p);
}

static int param_int(cctx *c, int64_t i)
{
	q_param p = {.kind = P_VALUE, .vkind = CRMW_VAL_INT, .i = i};
	return add_param(c, p);
}

static int param_real(cctx *c, double d)
{
	q_param p = {.kind = P_VALUE, .vkind = CRMW_VAL_REAL, .d = d};
	return add_param(c, p);
}

/* ----------------------------------------------------------- types */

static bool is_text_type(int32_t t)
{
	return t == CRMW_FIELD_STRING || t == CRMW_FIELD_TEXTAREA || t == CRMW_FIELD_EMAIL ||
	       t == CRMW_FIELD_PHONE || t == CRMW_FIELD_URL || t == CRMW_FIELD_PICKLIST ||
	       t == CRMW_FIELD_MULTIPICKLIST;
}

static bool is_num_type(int32_t t)
{
	return t == CRMW_FIELD_INT || t == CRMW_FIELD_DOUBLE || t == CRMW_FIELD_CURRENCY ||
	       t == CRMW_FIELD_PERCENT || t == -1 || t == -2;
}

static bool is_id_type(int32_t t)
{
	return t == CRMW_FIELD_ID || t == CRMW_FIELD_REFERENCE;
}

static const char *type_word(int32_t t)
{
	switch (t) {
	case CRMW_FIELD_DATE: return "date";
	case CRMW_FIELD_DATETIME: return "dateTime";
	case CRMW_FIELD_BOOLEAN: return "boolean";
	case CRMW_FIELD_ID: case CRMW_FIELD_REFERENCE: return "id";
	case -1: return "integer";
	case -2: return "double";
	default:
		if (is_num_type(t))
			return "number";
		return "string";
	}
}

/* ------------------------------------------------------------ paths */

static join *find_join(cctx *c, const char *key)
{
	for (int i = 0; i < c->njoins; i++)
		if (strcmp(c->joins[i].key, key) == 0)
			return &c->joins[i];
	return NULL;
}

static const char *table_alias(cctx *c, int alias)
{
	return afmt(c, "q%d_t%d", c->prefix, alias);
}

/*
 * Suggestions name only what the role can see: a hint must not reveal a
 * field, relationship or object that the role may not read.
 */

/* May the role follow relationship field f of o (the field visible, and
 * some object it leads to readable)? */
static bool role_follows(const cctx *c, const crmw_object *o, const crmw_field *f)
{
	if (!crmw__role_sees(c->role, o->name, f->name))
		return false;
	for (int32_t k = 0; k < f->nrefs; k++)
		if (crmw__role_reads(c->role, f->refs[k]))
			return true;
	return false;
}

static const char *suggest_relationship(const cctx *c, const crmw_object *o, const char *name)
{
	crmw__near near;
	crmw__near_init(&near, name);
	for (int32_t i = 0; i < o->nfields; i++)
		if (o->fields[i].relationship && role_follows(c, o, &o->fields[i]))
			crmw__near_add(&near, o->fields[i].relationship);
	return crmw__near_best(&near);
}

static const char *suggest_field(const cctx *c, const crmw_object *o, const char *name)
{
	crmw__near near;
	crmw__near_init(&near, name);
	for (int32_t i = 0; i < o->nfields; i++)
		if (crmw__role_sees(c->role, o->name, o->fields[i].name))
			crmw__near_add(&near, o->fields[i].name);
	return crmw__near_best(&near);
}

static const char *suggest_object(const cctx *c, const char *name)
{
	const crmw_schema *sc = c->db->schema;
	crmw__near near;
	crmw__near_init(&near, name);
	for (int32_t i = 0; i < sc->nobjects; i++)
		if (crmw__role_reads(c->role, sc->objects[i].name))
			crmw__near_add(&near, sc->objects[i].name);
	return crmw__near_best(&near);
}

static int row_source(cctx *c, const crmw_object *o, const crmw_field *via, const char *same_row, const char **out);
static int row_gate(cctx *c, const crmw_object *o, const char *alias, const char **out);

/* A column of a joined row as the query may read it: behind the row's
 * gate (its row rule) when it has one, so that a parent the role may not
 * read reads as null to every expression of the query (CASE evaluates its
 * THEN only when the WHEN holds: no condition of the user sees the value). */
static const char *gated(cctx *c, const char *gate, const char *expr)
{
	return gate ? afmt(c, "CASE WHEN %s THEN %s END", gate, expr) : expr;
}

/* The path with a relationship alias of FROM ("a.Name" after "FROM Contact
 * c, c.Account a") written out from the FROM object ("Account.Name"), or
 * NULL when its first part names none. */
static const q_path *unalias(cctx *c, const q_path *p, q_path *buf)
{
	if (p->nparts < 2)
		return NULL;
	for (int k = 0; k < c->nrels; k++) {
		const q_path *rp = &c->rels[k].path;
		if (strcasecmp(p->parts[0], c->rels[k].alias) != 0)
			continue;
		*buf = *p;
		buf->nparts = rp->nparts + p->nparts - 1;
		const char **parts = crmw__arena_alloc(c->a, sizeof *parts * (size_t)buf->nparts);
		if (!parts) {
			coom(c);
			return NULL;
		}
		memcpy(parts, rp->parts, sizeof *parts * (size_t)rp->nparts);
		memcpy(parts + rp->nparts, p->parts + 1, sizeof *parts * (size_t)(p->nparts - 1));
		buf->parts = parts;
		return buf;
	}
	return NULL;
}

/* Location__Latitude__s / Location__Longitude__s: the parts of a location
 * field Location__c of o (NULL when name is none). */
static const crmw_field *location_part(const crmw_object *o, const char *name, bool *longitude)
{
	size_t n = strlen(name);
	static const char *const sfx[] = {"__Latitude__s", "__Longitude__s"};
	for (int k = 0; k < 2; k++) {
		size_t m = strlen(sfx[k]);
		if (n <= m || strcasecmp(name + n - m, sfx[k]) != 0 || n - m > 200)
			continue;
		char base[210];
		snprintf(base, sizeof base, "%.*s__c", (int)(n - m), name);
		const crmw_field *f = crmw__object_field(o, base);
		if (!f) {
			base[n - m] = '\0';
			f = crmw__object_field(o, base);
		}
		if (f && f->type == CRMW_FIELD_LOCATION) {
			*longitude = k == 1;
			return f;
		}
	}
	return NULL;
}

static int resolve_path(cctx *c, const q_path *p0, rexpr *out)
{
	memset(out, 0, sizeof *out);
	int i = 0;
	const crmw_schema *s = c->db->schema;
	q_path unaliased;
	const q_path *p = c->nrels ? unalias(c, p0, &unaliased) : NULL;
	if (c->failed)
		return CRMW_ENOMEM;
	bool written_out = p != NULL;
	if (!p)
		p = p0;
	if (p->nparts > 1 && !written_out) {
		bool is_rel = false;
		for (int32_t k = 0; k < c->root->nfields; k++)
			if (c->root->fields[k].relationship &&
			    strcasecmp(c->root->fields[k].relationship, p->parts[0]) == 0)
				is_rel = true;
		if (!is_rel && ((c->alias && strcasecmp(p->parts[0], c->alias) == 0) ||
				strcasecmp(p->parts[0], c->root->name) == 0))
			i = 1; /* "Case.Subject", "c.Subject" */
	}
	const crmw_object *cur[8] = {c->root};
	int ncur = 1;
	const char *cur_alias[8] = {table_alias(c, 0)};
	const char *cur_gate[8] = {NULL};
	char key[512] = "";
	for (; i < p->nparts - 1; i++) {
		if (out->nchain >= MAX_REL_DEPTH)
			return cerr(c, QE_FIELD, p->pos, "'%s': relationship paths go at most %d levels deep",
				    p->text, MAX_REL_DEPTH);
		if (ncur > 1)
			return cerr(c, QE_FIELD, p->pos,
				    "'%s': a polymorphic relationship can only be followed to a field", p->text);
		const crmw_object *o = cur[0];
		const crmw_field *f = NULL;
		for (int32_t k = 0; k < o->nfields && !f; k++)
			if (o->fields[k].relationship && strcasecmp(o->fields[k].relationship, p->parts[i]) == 0)
				f = &o->fields[k];
		if (!f) {
			const crmw_field *plain = crmw__object_field(o, p->parts[i]);
			if (plain && plain->type == CRMW_FIELD_REFERENCE && role_follows(c, o, plain))
				return cerr(c, QE_FIELD, p->pos,
					    "Didn't understand relationship '%s' in field path '%s': '%s' is a field of entity '%s'; its relationship is '%s'",
					    p->parts[i], p->text, plain->name, o->name, plain->relationship);
			const char *hint = suggest_relationship(c, o, p->parts[i]);
			return cerr(c, QE_FIELD, p->pos,
				    "Didn't understand relationship '%s' in field path '%s' on entity '%s'%s%s%s",
				    p->parts[i], p->text, o->name, hint ? "; did you mean '" : "",
				    hint ? hint : "", hint ? "'?" : "");
		}
		/* A hop reads the lookup field it follows: a hidden field must not
		 * be read through its relationship ("Owner.Id" for OwnerId). */
		if (!crmw__role_sees(c->role, o->name, f->name))
			return cdeny(c, p->pos, "cannot read field '%s' of '%s', which relationship '%s' in '%s' follows",
				     f->name, o->name, f->relationship, p->text);
		size_t kl = strlen(key);
		snprintf(key + kl, sizeof key - kl, "%s%s", kl ? "." : "", f->relationship);
		join *j = find_join(c, key);
		if (!j) {
			if (c->njoins == MAX_JOINS)
				return cerr(c, QE_LIMIT, p->pos, "too many relationships in one query (at most %d)", MAX_JOINS);
			if (c->njoins == c->capjoins) {
				int cap = c->capjoins ? c->capjoins * 2 : 8;
				join *g = crmw__arena_alloc(c->a, sizeof *g * (size_t)cap);
				if (!g)
					return coom(c);
				if (c->njoins)
					memcpy(g, c->joins, sizeof *g * (size_t)c->njoins);
				c->joins = g;
				c->capjoins = cap;
			}
			/* The role must be able to read what the relationship leads
			 * to (for a polymorphic one, some of it: the rest stays null). */
			int readable = 0;
			for (int32_t k = 0; k < f->nrefs && k < 8; k++)
				readable += crmw__role_reads(c->role, f->refs[k]);
			if (!readable)
				return cdeny(c, p->pos, "cannot read '%s', where relationship '%s' of '%s' in '%s' leads",
					     f->refs[0], f->relationship, o->name, p->text);
			j = &c->joins[c->njoins++];
			memset(j, 0, sizeof *j);
			if (!(j->key = adup(c, key)))
				return CRMW_ENOMEM;
			for (int32_t k = 0; k < f->nrefs && k < 8; k++) {
				const crmw_object *t = crmw__schema_object(s, f->refs[k]);
				int al = ++*c->next_alias;
				j->alias[k] = al;
				j->obj[k] = t;
				j->ntargets++;
				const char *ta = table_alias(c, al);
				/* A parent the role may not read joins nothing (reads as
				 * null); one it reads in part is joined as it is, and each
				 * of its columns read behind its gate (gated()).  A gate
				 * checks one row, where a row source (the form of the
				 * FROM object) would read every row the rule keeps. */
				bool visible = crmw__role_reads(c->role, t->name);
				int rc = visible ? row_gate(c, t, ta, &j->gate[k]) : CRMW_OK;
				if (rc)
					return rc;
				const char *key_sql = gated(c, cur_gate[0], afmt(c, "%s.\"%s\"", cur_alias[0], f->name));
				if (!key_sql ||
				    crmw__buf_printf(&c->join_sql, " LEFT JOIN \"%s\" %s ON %s.\"Id\" = %s%s", t->name, ta, ta,
						     key_sql, visible ? "" : " AND 0"))
					return coom(c);
			}
		}
		ncur = j->ntargets;
		for (int k = 0; k < ncur; k++) {
			cur[k] = j->obj[k];
			cur_alias[k] = table_alias(c, j->alias[k]);
			cur_gate[k] = j->gate[k];
		}
		out->chain[out->nchain] = f->relationship;
		if (ncur == 1) {
			out->exists[out->nchain] = gated(c, cur_gate[0], afmt(c, "%s.\"Id\"", cur_alias[0]));
		} else {
			crmw_buf b = CRMW_BUF_INIT;
			int rc = crmw__buf_puts(&b, "COALESCE(");
			for (int k = 0; !rc && k < ncur; k++)
				rc = crmw__buf_printf(&b, "%s%s", k ? ", " : "",
						      gated(c, cur_gate[k], afmt(c, "%s.\"Id\"", cur_alias[k])));
			rc = rc ? rc : crmw__buf_putc(&b, ')');
			out->exists[out->nchain] = rc ? NULL : adup(c, b.data);
			crmw_buf_dispose(&b);
		}
		out->nchain++;
	}
	const char *fname = p->parts[p->nparts - 1];
	const crmw_field *f = crmw__object_field(cur[0], fname);
	if (!f && ncur == 1 && strcasecmp(fname, "Name") == 0 && crmw__object_field(cur[0], "FirstName") &&
	    crmw__object_field(cur[0], "LastName")) {
		/* Salesforce's compound Name of people (User, Contact, person
		 * Account, Lead): "First Last". */
		if (!crmw__role_sees(c->role, cur[0]->name, "FirstName") || !crmw__role_sees(c->role, cur[0]->name, "LastName"))
			return cdeny(c, p->pos, "cannot read field 'Name' (FirstName, LastName) of '%s' in '%s'", cur[0]->name,
				     p->text);
		out->type = CRMW_FIELD_STRING;
		out->name = "Name";
		out->sql = gated(c, cur_gate[0],
				 afmt(c, "NULLIF(trim(coalesce(%s.\"FirstName\", '') || ' ' || coalesce(%s.\"LastName\", '')), '')",
				      cur_alias[0], cur_alias[0]));
		return c->failed ? CRMW_EQUERY : CRMW_OK;
	}
	bool longitude = false;
	const crmw_field *loc = f || ncur != 1 ? NULL : location_part(cur[0], fname, &longitude);
	if (loc) {
		/* a part of a location, as a number */
		if (!crmw__role_sees(c->role, cur[0]->name, loc->name))
			return cdeny(c, p->pos, "cannot read field '%s' of '%s'%s%s%s", loc->name, cur[0]->name,
				     p->nparts > 1 ? " in '" : "", p->nparts > 1 ? p->text : "", p->nparts > 1 ? "'" : "");
		out->type = CRMW_FIELD_DOUBLE;
		out->name = adup(c, fname);
		out->sql = gated(c, cur_gate[0], afmt(c, "crmw_geo(%s.\"%s\", %d)", cur_alias[0], loc->name, longitude));
		return c->failed ? CRMW_EQUERY : CRMW_OK;
	}
	if (!f) {
		const char *hint = suggest_field(c, cur[0], fname);
		return cerr(c, QE_FIELD, p->pos, "No such column '%s' on entity '%s'%s%s%s", fname, cur[0]->name,
			    hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
	}
	for (int k = 1; k < ncur; k++)
		if (!crmw__object_field(cur[k], fname))
			return cerr(c, QE_FIELD, p->pos,
				    "'%s': field '%s' exists on '%s' but not on '%s', which the relationship can also point to",
				    p->text, fname, cur[0]->name, cur[k]->name);
	for (int k = 0; k < ncur; k++)
		if (crmw__role_reads(c->role, cur[k]->name) && !crmw__role_sees(c->role, cur[k]->name, f->name))
			return cdeny(c, p->pos, "cannot read field '%s' of '%s'%s%s%s", f->name, cur[k]->name,
				     p->nparts > 1 ? " in '" : "", p->nparts > 1 ? p->text : "", p->nparts > 1 ? "'" : "");
	out->field = f;
	out->type = f->type;
	out->name = f->name;
	if (ncur == 1) {
		out->sql = gated(c, cur_gate[0], afmt(c, "%s.\"%s\"", cur_alias[0], f->name));
	} else {
		crmw_buf b = CRMW_BUF_INIT;
		int rc = crmw__buf_puts(&b, "COALESCE(");
		for (int k = 0; !rc && k < ncur; k++)
			rc = crmw__buf_printf(&b, "%s%s", k ? ", " : "",
					      gated(c, cur_gate[k], afmt(c, "%s.\"%s\"", cur_alias[k], f->name)));
		rc = rc ? rc : crmw__buf_putc(&b, ')');
		out->sql = rc ? NULL : adup(c, b.data);
		crmw_buf_dispose(&b);
	}
	return c->failed ? CRMW_EQUERY : CRMW_OK;
}

/* --------------------------------------------------- expressions */

static bool is_agg(q_fn fn)
{
	return fn >= FN_COUNT && fn <= FN_MAX;
}

static int apply_datefn(cctx *c, q_fn fn, rexpr *r, q_pos pos, const char *text)
{
	int32_t t = r->type;
	if (!FN_IS_DATE(fn))
		return cerr(c, QE_MALFORMED, pos, "%s() is not a date function", crmw__fn_name(fn));
	if (t != CRMW_FIELD_DATE && t != CRMW_FIELD_DATETIME)
		return cerr(c, QE_FIELD, pos, "%s() needs a date or dateTime field, and '%s' is a %s",
			    crmw__fn_name(fn), r->name ? r->name : text, type_word(t));
	const char *x = r->sql;
	const char *sql = NULL;
	int32_t out = -1;
	/* The fiscal year starts in the org's fiscal start month fs: a month's
	 * place in it is (m - fs + 12) % 12, and it is named by the calendar
	 * year it starts in, or ends in.  With fs = 1 these are the calendar
	 * functions, and the SQL is theirs. */
	int fs = c->db->fiscal_start;
	bool fiscal = fs > 1 && (fn == FN_FISCAL_MONTH || fn == FN_FISCAL_QUARTER || fn == FN_FISCAL_YEAR);
	/* The org's settings (numbers from 1 to 12, not the query's literals)
	 * are written into the SQL, so that the same function is the same SQL
	 * text wherever it is (GROUP BY FISCAL_YEAR(x) and SELECT FISCAL_YEAR(x)). */
	int shift = 12 - fs + 1, start = fs;
	switch (fn) {
	case FN_CALENDAR_MONTH: case FN_FISCAL_MONTH:
		sql = fiscal ? afmt(c, "((CAST(strftime('%%m', %s) AS INTEGER) + %d - 1) %% 12 + 1)", x, shift)
			     : afmt(c, "CAST(strftime('%%m', %s) AS INTEGER)", x);
		break;
	case FN_CALENDAR_QUARTER: case FN_FISCAL_QUARTER:
		sql = fiscal ? afmt(c, "((CAST(strftime('%%m', %s) AS INTEGER) + %d - 1) %% 12 / 3 + 1)", x, shift)
			     : afmt(c, "((CAST(strftime('%%m', %s) AS INTEGER) + 2) / 3)", x);
		break;
	case FN_CALENDAR_YEAR: case FN_FISCAL_YEAR:
		sql = fiscal ? afmt(c, "(CAST(strftime('%%Y', %s) AS INTEGER) - (CAST(strftime('%%m', %s) AS INTEGER) < %d) + %d)",
				    x, x, start, c->db->fiscal_by_end ? 1 : 0)
			     : afmt(c, "CAST(strftime('%%Y', %s) AS INTEGER)", x);
		break;
	case FN_DAY_IN_MONTH:
		sql = afmt(c, "CAST(strftime('%%d', %s) AS INTEGER)", x); break;
	case FN_DAY_IN_WEEK:
		sql = afmt(c, "(CAST(strftime('%%w', %s) AS INTEGER) + 1)", x); break;
	case FN_DAY_IN_YEAR:
		sql = afmt(c, "CAST(strftime('%%j', %s) AS INTEGER)", x); break;
	case FN_WEEK_IN_YEAR:
		sql = afmt(c, "((CAST(strftime('%%j', %s) AS INTEGER) + 6) / 7)", x); break;
	case FN_HOUR_IN_DAY:
		if (t != CRMW_FIELD_DATETIME)
			return cerr(c, QE_FIELD, pos, "HOUR_IN_DAY() needs a dateTime field");
		sql = afmt(c, "CAST(strftime('%%H', %s) AS INTEGER)", x); break;
	case FN_DAY_ONLY:
		if (t != CRMW_FIELD_DATETIME)
			return cerr(c, QE_FIELD, pos, "DAY_ONLY() needs a dateTime field");
		sql = afmt(c, "date(%s)", x);
		out = CRMW_FIELD_DATE;
		break;
	case FN_CONVERT_TIMEZONE:
		/* Stored times are UTC and so is the org: the identity. */
		sql = x;
		out = t;
		break;
	default:
		return cerr(c, QE_MALFORMED, pos, "%s() is not a date function", crmw__fn_name(fn));
	}
	r->sql = sql;
	r->type = out;
	r->is_fn = true;
	return c->failed ? CRMW_EQUERY : CRMW_OK;
}

/* Does the org have a location field anywhere (for messages)? */
static bool org_has_location(const cctx *c)
{
	const crmw_schema *sc = c->db->schema;
	for (int32_t i = 0; i < sc->nobjects; i++)
		for (int32_t k = 0; k < sc->objects[i].nfields; k++)
			if (sc->objects[i].fields[k].type == CRMW_FIELD_LOCATION)
				return true;
	return false;
}

/* DISTANCE(field, GEOLOCATION(lat, lon) | field, 'mi' | 'km'): the
 * great-circle distance (haversine, on a sphere of 6,371.0 km). */
static int resolve_distance(cctx *c, const q_expr *e, rexpr *r)
{
	rexpr a, b;
	const q_path *paths[2] = {&e->path, &e->path2};
	rexpr *rs[2] = {&a, &b};
	for (int k = 0; k < (e->has_path2 ? 2 : 1); k++) {
		int rc = resolve_path(c, paths[k], rs[k]);
		if (rc)
			return rc;
		if (rs[k]->type != CRMW_FIELD_LOCATION)
			return cerr(c, QE_FIELD, paths[k]->pos, "DISTANCE() needs a location field, and '%s' is a %s%s",
				    paths[k]->text, crmw_field_type_name(rs[k]->type) ? crmw_field_type_name(rs[k]->type) : "value",
				    org_has_location(c) ? ""
							: "; this org has no location field (a host object can have one: field type \"location\")");
	}
	int radius = param_real(c, e->km ? 6371.0 : 6371.0 / 1.609344);
	if (radius < 0)
		return CRMW_ENOMEM;
	if (e->has_path2) {
		r->sql = afmt(c, "crmw_distance(%s, %s, ?%d)", a.sql, b.sql, radius);
	} else {
		int lat = param_real(c, e->lat), lon = param_real(c, e->lon);
		if (lat < 0 || lon < 0)
			return CRMW_ENOMEM;
		r->sql = afmt(c, "crmw_distance(%s, ?%d, ?%d, ?%d)", a.sql, lat, lon, radius);
	}
	r->type = -2;
	r->is_fn = true;
	return c->failed ? CRMW_EQUERY : CRMW_OK;
}

/* FORMAT(): the value as the en_US locale shows it, as text. */
static int apply_format(cctx *c, rexpr *r, const q_expr *e)
{
	int kind;
	switch (r->type) {
	case CRMW_FIELD_INT: case -1: kind = QFN_FORMAT_INT; break;
	case CRMW_FIELD_DOUBLE: case -2: kind = QFN_FORMAT_DOUBLE; break;
	case CRMW_FIELD_CURRENCY: kind = QFN_FORMAT_CURRENCY; break;
	case CRMW_FIELD_PERCENT: kind = QFN_FORMAT_PERCENT; break;
	case CRMW_FIELD_DATE: kind = QFN_FORMAT_DATE; break;
	case CRMW_FIELD_DATETIME: kind = QFN_FORMAT_DATETIME; break;
	default:
		return cerr(c, QE_FIELD, e->pos, "FORMAT() works on number, currency, percent, date and dateTime fields, and '%s' is a %s",
			    r->name ? r->name : e->text, crmw_field_type_name(r->type) ? crmw_field_type_name(r->type) : "value");
	}
	int code = param_text(c, c->db->currency);
	if (code < 0)
		return CRMW_ENOMEM;
	r->sql = afmt(c, "crmw_format(%s, %d, ?%d)", r->sql, kind, code);
	r->type = CRMW_FIELD_STRING;
	return c->failed ? CRMW_EQUERY : CRMW_OK;
}

/* What a clause is called in messages. */
static const char *clause_name(clause cl)
{
	return cl == CL_WHERE ? "WHERE" : cl == CL_HAVING ? "HAVING" : cl == CL_GROUP ? "GROUP BY" : cl == CL_ORDER ? "ORDER BY" : "SELECT";
}

/* The functions a clause may not hold, with the reason. */
static int check_clause(cctx *c, const q_expr *e, clause cl)
{
	if (e->format && cl != CL_SELECT)
		return cerr(c, QE_MALFORMED, e->pos, "FORMAT() can only be used in SELECT, not in %s", clause_name(cl));
	if (e->fn == FN_CONVERT_CURRENCY && (cl == CL_WHERE || cl == CL_HAVING))
		return cerr(c, QE_MALFORMED, e->pos,
			    "convertCurrency() cannot be used in %s; compare with an amount in the org's currency (Amount > %s5000)",
			    clause_name(cl), c->db->currency);
	if (e->fn == FN_CONVERT_CURRENCY && cl != CL_SELECT)
		return cerr(c, QE_MALFORMED, e->pos, "convertCurrency() cannot be used in %s: records sort and group by the converted amounts already",
			    clause_name(cl));
	if (e->fn == FN_TOLABEL && cl == CL_ORDER)
		return cerr(c, QE_MALFORMED, e->pos, "toLabel() cannot be used in ORDER BY: a picklist sorts in its defined order");
	if (e->fn == FN_TOLABEL && (cl == CL_GROUP || cl == CL_HAVING))
		return cerr(c, QE_MALFORMED, e->pos, "toLabel() cannot be used in %s", clause_name(cl));
	if (e->fn == FN_DISTANCE && (cl == CL_GROUP || cl == CL_HAVING))
		return cerr(c, QE_MALFORMED, e->pos, "DISTANCE() cannot be used in %s", clause_name(cl));
	if (e->inner != FN_NONE && !FN_IS_DATE(e->inner))
		return cerr(c, QE_MALFORMED, e->pos, "%s() cannot be used inside %s()", crmw__fn_name(e->inner),
			    crmw__fn_name(e->fn));
	if (e->inner != FN_NONE && (e->fn == FN_TOLABEL || e->fn == FN_CONVERT_CURRENCY))
		return cerr(c, QE_MALFORMED, e->pos, "%s() takes a field, not a function", crmw__fn_name(e->fn));
	return CRMW_OK;
}

static int resolve_expr(cctx *c, const q_expr *e, rexpr *r, bool allow_agg, clause cl)
{
	memset(r, 0, sizeof *r);
	int rc = check_clause(c, e, cl);
	if (rc)
		return rc;
	if (is_agg(e->fn) && !allow_agg)
		return cerr(c, QE_MALFORMED, e->pos, "aggregate %s() is not allowed here", crmw__fn_name(e->fn));
	if (e->fn == FN_DISTANCE) {
		rc = resolve_distance(c, e, r);
		return rc ? rc : e->format ? apply_format(c, r, e) : CRMW_OK;
	}
	if (e->fn == FN_COUNT && !e->has_path) {
		r->sql = "count(*)";
		r->type = -1;
		r->is_agg = true;
		return e->format ? apply_format(c, r, e) : CRMW_OK;
	}
	if ((rc = resolve_path(c, &e->path, r)))
		return rc;
	r->base = r->sql;
	/* a location is read whole, or measured by DISTANCE() */
	if (r->type == CRMW_FIELD_LOCATION && (cl != CL_SELECT || e->fn != FN_NONE))
		return cerr(c, QE_FIELD, e->pos, "location field '%s' can only be selected, or measured with DISTANCE()",
			    r->name);
	if (e->inner != FN_NONE && (rc = apply_datefn(c, e->inner, r, e->pos, e->text)))
		return rc;
	switch (e->fn) {
	case FN_NONE:
		r->wrapper = e->format;
		return e->format ? apply_format(c, r, e) : CRMW_OK;
	case FN_TOLABEL:
		/* The org's picklists have no translations: a label is its value. */
		if (r->type != CRMW_FIELD_PICKLIST && r->type != CRMW_FIELD_MULTIPICKLIST)
			return cerr(c, QE_FIELD, e->pos, "toLabel() works on picklist fields, and '%s' is a %s", r->name,
				    crmw_field_type_name(r->type) ? crmw_field_type_name(r->type) : "value");
		r->wrapper = true;
		return CRMW_OK;
	case FN_CONVERT_CURRENCY:
		/* One currency: the user's is the org's, and converting is the identity. */
		if (r->type != CRMW_FIELD_CURRENCY)
			return cerr(c, QE_FIELD, e->pos, "convertCurrency() works on currency fields, and '%s' is a %s", r->name,
				    crmw_field_type_name(r->type) ? crmw_field_type_name(r->type) : "value");
		r->wrapper = true;
		return e->format ? apply_format(c, r, e) : CRMW_OK;
	default:
		break;
	}
	if (!is_agg(e->fn)) {
		rc = apply_datefn(c, e->fn, r, e->pos, e->text);
		return rc ? rc : e->format ? apply_format(c, r, e) : CRMW_OK;
	}
	const char *x = r->sql;
	int32_t t = r->type;
	switch (e->fn) {
	case FN_COUNT:
		r->sql = afmt(c, "count(%s)", x);
		r->type = -1;
		break;
	case FN_COUNT_DISTINCT:
		r->sql = afmt(c, "count(DISTINCT %s)", x);
		r->type = -1;
		break;
	case FN_SUM:
	case FN_AVG:
		if (!is_num_type(t))
			return cerr(c, QE_MALFORMED, e->pos, "field '%s' of type %s cannot be aggregated with %s()",
				    e->path.text, type_word(t), crmw__fn_name(e->fn));
		r->sql = afmt(c, "%s(%s)", e->fn == FN_SUM ? "sum" : "avg", x);
		r->type = e->fn == FN_AVG ? -2 : t;
		break;
	case FN_MIN:
	case FN_MAX:
		if (t == CRMW_FIELD_BOOLEAN || t == CRMW_FIELD_TEXTAREA || t == CRMW_FIELD_MULTIPICKLIST)
			return cerr(c, QE_MALFORMED, e->pos, "field '%s' of type %s cannot be aggregated with %s()",
				    e->path.text, type_word(t), crmw__fn_name(e->fn));
		r->sql = afmt(c, "%s(%s)", e->fn == FN_MIN ? "min" : "max", x);
		break;
	default:
		break;
	}
	r->is_agg = true;
	if (c->failed)
		return CRMW_EQUERY;
	return e->format ? apply_format(c, r, e) : CRMW_OK;
}

/* ------------------------------------------------------ conditions */

static int compile_cond(cctx *c, const q_cond *q, crmw_buf *b, bool negated, bool having);
static int compile_select(cctx *c, const q_select *s, crmw_buf *out, sel_mode mode, q_compiled *qc,
			  const crmw_field *parent_via);

/* Widen a 15-character id to 18; check the form. */
static const char *id_value(cctx *c, const q_value *v)
{
	size_t n = strlen(v->s);
	if (n == 15) {
		char id[19];
		if (crmw_id_to18(id, v->s) == CRMW_OK)
			return adup(c, id);
	} else if (n == 18 && crmw_id_valid(v->s, 0)) {
		return v->s;
	}
	crmw_clear_last_error();
	return NULL;
}

static const char *quote_hint(int32_t t)
{
	return t == CRMW_FIELD_DATE || t == CRMW_FIELD_DATETIME || is_num_type(t) || t == CRMW_FIELD_BOOLEAN
		       ? "should not be enclosed in quotes"
		       : "should be enclosed in quotes";
}

/* One scalar value for lhs of type t: "?N", with COLLATE for text. */
static int value_sql(cctx *c, const rexpr *lhs, const q_value *v, const char *what, crmw_buf *b)
{
	int32_t t = lhs->type;
	int idx = -1;
	const char *name = lhs->name ? lhs->name : what;
	if (v->currency) {
		/* An amount in a currency (USD5000): the org has one currency, so
		 * an amount in it is the number, and one in another is an error. */
		if (lhs->is_agg)
			return cerr(c, QE_MALFORMED, v->pos,
				    "an amount with a currency code (%s%g) cannot be compared with an aggregate, which is in the org's currency; write the number",
				    v->currency, v->kind == V_INT ? (double)v->i : v->d);
		if (t != CRMW_FIELD_CURRENCY)
			return cerr(c, QE_FIELD, v->pos,
				    "an amount with a currency code (%s%g) compares with currency fields, and '%s' is a %s", v->currency,
				    v->kind == V_INT ? (double)v->i : v->d, name,
				    crmw_field_type_name(t) ? crmw_field_type_name(t) : type_word(t));
		if (strcmp(v->currency, c->db->currency) != 0)
			return cerr(c, QE_MALFORMED, v->pos,
				    "currency %s is not active in this org: it has one currency, %s, and no conversion rates", v->currency,
				    c->db->currency);
	}
	switch (v->kind) {
	case V_STRING:
		if (is_id_type(t)) {
			const char *id = id_value(c, v);
			if (!id) {
				/* an Id has 18 characters: at most 40 bytes of the value */
				return cerr(c, QE_OPERATOR, v->pos, "invalid ID field: '%.*s'",
					    (int)crmw__utf8_prefix(v->s, strlen(v->s), 40), v->s);
			}
			idx = param_text(c, id);
		} else if (is_text_type(t)) {
			idx = param_text(c, v->s);
		}
		break;
	case V_INT:
		if (t == CRMW_FIELD_DOUBLE || t == CRMW_FIELD_CURRENCY || t == CRMW_FIELD_PERCENT || t == -2)
			idx = param_real(c, (double)v->i);
		else if (t == CRMW_FIELD_INT || t == -1)
			idx = param_int(c, v->i);
		break;
	case V_REAL:
		if (is_num_type(t))
			idx = param_real(c, v->d);
		break;
	case V_BOOL:
		if (t == CRMW_FIELD_BOOLEAN)
			idx = param_int(c, v->i);
		break;
	case V_DATE:
		if (t == CRMW_FIELD_DATE)
			idx = param_text(c, v->s);
		break;
	case V_DATETIME:
		if (t == CRMW_FIELD_DATETIME)
			idx = param_text(c, v->s);
		break;
	default:
		break;
	}
	if (c->failed)
		return CRMW_EQUERY;
	if (idx < 0)
		return cerr(c, QE_FIELD, v->pos, "value of filter criterion for field '%s' must be of type %s and %s",
			    name, type_word(t), quote_hint(t));
	int rc = crmw__buf_printf(b, "?%d", idx);
	return rc ? coom(c) : CRMW_OK;
}

static const char *collate(int32_t t)
{
	return is_text_type(t) ? " COLLATE NOCASE" : "";
}

static int compile_cmp(cctx *c, const q_cond *q, crmw_buf *b, bool negated, bool having)
{
	rexpr lhs;
	int rc = resolve_expr(c, &q->lhs, &lhs, having, having ? CL_HAVING : CL_WHERE);
	if (rc)
		return rc;
	if (!having && lhs.is_agg)
		return cerr(c, QE_MALFORMED, q->lhs.pos, "aggregates belong in HAVING, not WHERE");
	const q_value *v = &q->rhs;
	const char *x = lhs.sql;
	int32_t t = lhs.type;
	q_op op = q->op;
	if (q->lhs.fn == FN_DISTANCE &&
	    ((op != OP_LT && op != OP_GT) || (v->kind != V_INT && v->kind != V_REAL) || v->currency))
		return cerr(c, QE_OPERATOR, q->pos, "DISTANCE() in WHERE compares with < or > and a number (DISTANCE(...) < 20)");
	/* A boolean is never null: "= null" means false, "!= null" true. */
	q_value as_bool;
	if (v->kind == V_NULL && t == CRMW_FIELD_BOOLEAN && (op == OP_EQ || op == OP_NE)) {
		as_bool = *v;
		as_bool.kind = V_BOOL;
		as_bool.i = op == OP_NE;
		v = &as_bool;
		op = OP_EQ;
	}
	/* Two-valued logic like SOQL's: a comparison with a null field is false,
	 * and its negation true.  Plain SQL is enough where NULL counts as false. */
	const char *pre = negated ? "COALESCE(" : "(";
	const char *post = negated ? ", 0)" : ")";

	if (v->kind == V_NULL) {
		if (op != OP_EQ && op != OP_NE)
			return cerr(c, QE_OPERATOR, q->pos, "null can only be compared with = or !=");
		return crmw__buf_printf(b, "(%s IS %sNULL)", x, op == OP_EQ ? "" : "NOT ") ? coom(c) : CRMW_OK;
	}
	if (v->kind == V_DATELIT) {
		if (t != CRMW_FIELD_DATE && t != CRMW_FIELD_DATETIME)
			return cerr(c, QE_FIELD, v->pos, "date literal %s cannot be compared with field '%s' of type %s",
				    crmw__datelit_name(v->lit), lhs.name ? lhs.name : q->lhs.text, type_word(t));
		q_param ps = {.kind = P_RANGE_START, .lit = v->lit, .n = v->i, .datetime = t == CRMW_FIELD_DATETIME};
		q_param pe = ps;
		pe.kind = P_RANGE_END;
		/* Bind only the ends the comparison uses. */
		bool use_s = op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_GE;
		bool use_e = op == OP_EQ || op == OP_NE || op == OP_LE || op == OP_GT;
		int is = use_s ? add_param(c, ps) : 0, ie = use_e ? add_param(c, pe) : 0;
		if (is < 0 || ie < 0)
			return CRMW_ENOMEM;
		switch (op) {
		case OP_EQ: rc = crmw__buf_printf(b, "%s%s >= ?%d AND %s < ?%d%s", pre, x, is, x, ie, post); break;
		case OP_NE: rc = crmw__buf_printf(b, "COALESCE(%s < ?%d OR %s >= ?%d, 1)", x, is, x, ie); break;
		case OP_LT: rc = crmw__buf_printf(b, "%s%s < ?%d%s", pre, x, is, post); break;
		case OP_LE: rc = crmw__buf_printf(b, "%s%s < ?%d%s", pre, x, ie, post); break;
		case OP_GT: rc = crmw__buf_printf(b, "%s%s >= ?%d%s", pre, x, ie, post); break;
		case OP_GE: rc = crmw__buf_printf(b, "%s%s >= ?%d%s", pre, x, is, post); break;
		default:
			return cerr(c, QE_OPERATOR, q->pos, "date literals take =, !=, <, <=, > or >=");
		}
		return rc ? coom(c) : CRMW_OK;
	}
	switch (op) {
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
		static const char *const sym[] = {"=", "<>", "<", "<=", ">", ">="};
		if (op >= OP_LT && (t == CRMW_FIELD_BOOLEAN || t == CRMW_FIELD_MULTIPICKLIST || t == CRMW_FIELD_TEXTAREA))
			return cerr(c, QE_OPERATOR, q->pos, "invalid operator on field '%s' of type %s",
				    lhs.name, crmw_field_type_name(t));
		if (t == CRMW_FIELD_TEXTAREA)
			return cerr(c, QE_FIELD, q->lhs.pos, "field '%s' is a long text area and cannot be filtered; use SOSL or LIKE",
				    lhs.name);
		if (crmw__buf_printf(b, op == OP_NE ? "COALESCE(%s%s <> " : "%s%s%s %s ", op == OP_NE ? x : pre,
				     op == OP_NE ? collate(t) : x, op == OP_NE ? "" : collate(t), op == OP_NE ? "" : sym[op]))
			return coom(c);
		if ((rc = value_sql(c, &lhs, v, q->lhs.text, b)))
			return rc;
		return crmw__buf_puts(b, op == OP_NE ? ", 1)" : post) ? coom(c) : CRMW_OK;
	}
	case OP_LIKE:
	case OP_NOT_LIKE:
		if (!is_text_type(t) || t == CRMW_FIELD_MULTIPICKLIST)
			return cerr(c, QE_OPERATOR, q->pos, "LIKE works on text fields, not on '%s' of type %s",
				    lhs.name ? lhs.name : q->lhs.text, crmw_field_type_name(t) ? crmw_field_type_name(t) : type_word(t));
		/* Refused here, not by SQLite when the pattern is first compared
		 * with a row: whether an error happens must never depend on
		 * which rows there are. */
		if (strlen(v->s) > Q_MAX_LIKE_PATTERN)
			return cerr_status(c, CRMW_ELIMIT, QE_EXCEEDED, v->pos,
					   "the LIKE pattern is too long (at most %d bytes; this one has %zu)", Q_MAX_LIKE_PATTERN,
					   strlen(v->s));
		{
			int idx = param_text(c, v->s);
			if (idx < 0)
				return CRMW_ENOMEM;
			if (op == OP_LIKE)
				rc = crmw__buf_printf(b, "%s%s LIKE ?%d ESCAPE '\\'%s", pre, x, idx, post);
			else
				rc = crmw__buf_printf(b, "COALESCE(%s NOT LIKE ?%d ESCAPE '\\', 1)", x, idx);
		}
		return rc ? coom(c) : CRMW_OK;
	case OP_IN:
	case OP_NOT_IN: {
		bool not_in = op == OP_NOT_IN;
		if (v->kind == V_SUBQUERY) {
			if (!is_id_type(t))
				return cerr(c, QE_MALFORMED, q->lhs.pos, "a semi-join needs an Id or reference field on the left, not '%s'",
					    lhs.name ? lhs.name : q->lhs.text);
			crmw_buf sub = CRMW_BUF_INIT;
			c->semi_depth++;
			rc = compile_select(c, v->sub, &sub, SEL_SEMI, NULL, NULL);
			c->semi_depth--;
			if (!rc)
				rc = crmw__buf_printf(b, not_in ? "COALESCE(%s NOT IN (%s), 1)" : "%s%s IN (%s)%s",
						      not_in ? x : pre, not_in ? sub.data : x, not_in ? "" : sub.data,
						      not_in ? "" : post)
					     ? coom(c)
					     : CRMW_OK;
			crmw_buf_dispose(&sub);
			return rc;
		}
		if (crmw__buf_printf(b, not_in ? "COALESCE(%s%s NOT IN (" : "%s%s%s IN (", not_in ? x : pre,
				     not_in ? collate(t) : x, not_in ? "" : collate(t)))
			return coom(c);
		for (int i = 0; i < v->nitems; i++) {
			if (i && crmw__buf_puts(b, ", "))
				return coom(c);
			if (i && !v->items[i].currency != !v->items[0].currency)
				return cerr(c, QE_MALFORMED, v->items[i].pos,
					    "an IN list cannot mix amounts with and without a currency code");
			if (v->items[i].kind == V_NULL)
				return cerr(c, QE_OPERATOR, v->items[i].pos, "null cannot be used in an IN list");
			if ((rc = value_sql(c, &lhs, &v->items[i], q->lhs.text, b)))
				return rc;
		}
		return crmw__buf_puts(b, not_in ? "), 1)" : ")") || (!not_in && crmw__buf_puts(b, post)) ? coom(c) : CRMW_OK;
	}
	case OP_INCLUDES:
	case OP_EXCLUDES: {
		if (t != CRMW_FIELD_MULTIPICKLIST)
			return cerr(c, QE_OPERATOR, q->pos, "INCLUDES and EXCLUDES work on multi-select picklists, not on '%s'",
				    lhs.name ? lhs.name : q->lhs.text);
		bool exc = op == OP_EXCLUDES;
		if (crmw__buf_puts(b, exc ? "NOT COALESCE((" : "COALESCE(("))
			return coom(c);
		for (int i = 0; i < v->nitems; i++) {
			const q_value *it = &v->items[i];
			if (it->kind != V_STRING)
				return cerr(c, QE_FIELD, it->pos, "INCLUDES and EXCLUDES take quoted values");
			/* 'a;b' means both a and b. */
			if (crmw__buf_puts(b, i ? " OR (" : "("))
				return coom(c);
			const char *val = it->s;
			int part = 0;
			/* each value becomes a LIKE pattern '%;value;%' (see LIKE) */
			if (strlen(val) + 4 > Q_MAX_LIKE_PATTERN)
				return cerr_status(c, CRMW_ELIMIT, QE_EXCEEDED, it->pos,
						   "an INCLUDES or EXCLUDES value is too long (at most %d bytes)",
						   Q_MAX_LIKE_PATTERN - 4);
			while (1) {
				const char *semi = strchr(val, ';');
				size_t n = semi ? (size_t)(semi - val) : strlen(val);
				const char *one = crmw__arena_strndup(c->a, val, n);
				int idx = one ? param_text(c, one) : -1;
				if (idx < 0)
					return coom(c);
				if (crmw__buf_printf(b, "%s(';' || %s || ';') LIKE ('%%;' || ?%d || ';%%')", part++ ? " AND " : "", x, idx))
					return coom(c);
				if (!semi)
					break;
				val = semi + 1;
			}
			if (crmw__buf_putc(b, ')'))
				return coom(c);
		}
		return crmw__buf_puts(b, "), 0)") ? coom(c) : CRMW_OK;
	}
	}
	return cerr(c, QE_OPERATOR, q->pos, "unsupported operator");
}

/*
 * The operands kids[0..n) of an AND or OR as SQL.  SQLite parses
 * "a AND b AND c" into a tree as deep as the chain, and refuses trees
 * deeper than 1,000 (and nested parentheses deeper than its parser stack),
 * so a long chain is written as a flat chain of at most CHAIN operands,
 * each of which may be a parenthesised chain of the same kind: depth grows
 * with log(n) / log(CHAIN), and nothing here recurses per operand.
 */
#define CHAIN 64

static int compile_chain(cctx *c, q_cond *const *kids, int n, bool and, crmw_buf *b, bool negated, bool having)
{
	int block = 1; /* operands per group: CHAIN^levels */
	while (n / block > CHAIN)
		block *= CHAIN;
	if (crmw__buf_putc(b, '('))
		return coom(c);
	for (int i = 0; i < n; i += block) {
		if (i && crmw__buf_puts(b, and ? " AND " : " OR "))
			return coom(c);
		int m = n - i < block ? n - i : block;
		int rc = m == 1 ? compile_cond(c, kids[i], b, negated, having)
				: compile_chain(c, kids + i, m, and, b, negated, having);
		if (rc)
			return rc;
	}
	return crmw__buf_putc(b, ')') ? coom(c) : CRMW_OK;
}

static int compile_cond(cctx *c, const q_cond *q, crmw_buf *b, bool negated, bool having)
{
	int rc;
	switch (q->kind) {
	case C_AND:
	case C_OR:
		return compile_chain(c, q->kids, q->nkids, q->kind == C_AND, b, negated, having);
	case C_NOT:
		if (crmw__buf_puts(b, "(NOT "))
			return coom(c);
		if ((rc = compile_cond(c, q->a, b, !negated, having)))
			return rc;
		return crmw__buf_putc(b, ')') ? coom(c) : CRMW_OK;
	case C_CMP:
		return compile_cmp(c, q, b, negated, having);
	}
	return CRMW_ERROR;
}

/* ------------------------------------------------------- output tree */

static q_node *add_kid(cctx *c, q_node *parent, q_nkind kind, const char *key)
{
	for (int i = 0; i < parent->nkids; i++)
		if (parent->kids[i].kind == kind && kind == N_PARENT && strcmp(parent->kids[i].key, key) == 0)
			return &parent->kids[i];
	if (parent->nkids == parent->capkids) {
		int cap = parent->capkids ? parent->capkids * 2 : 8;
		q_node *k = crmw__arena_alloc(c->a, sizeof *k * (size_t)cap);
		if (!k) {
			coom(c);
			return NULL;
		}
		if (parent->nkids)
			memcpy(k, parent->kids, sizeof *k * (size_t)parent->nkids);
		parent->kids = k;
		parent->capkids = cap;
	}
	q_node *n = &parent->kids[parent->nkids++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->key = key;
	n->col = -1;
	return n;
}

static bool has_value_key(const q_node *parent, const char *key)
{
	for (int i = 0; i < parent->nkids; i++)
		if (parent->kids[i].kind != N_PARENT && strcasecmp(parent->kids[i].key, key) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ SELECT */

static int add_col(crmw_buf *sel, int *ncols, const char *sql)
{
	if (crmw__buf_printf(sel, "%s%s", *ncols ? ", " : "", sql))
		return CRMW_ENOMEM;
	return (*ncols)++;
}

static int compile_child(cctx *c, const q_item *it, q_compiled *parent, q_node *node);

/*
 * "FROM Contact c, c.Account a": each alias's path written out from the
 * FROM object (earlier aliases expanded), checked to lead to an object the
 * role may read; resolve_path then reads "a.Name" as "Account.Name".
 */
static int expand_relaliases(cctx *x, const q_select *s)
{
	q_relalias *rels = crmw__arena_alloc(x->a, sizeof *rels * (size_t)s->nrels);
	if (!rels)
		return coom(x);
	for (int i = 0; i < s->nrels; i++) {
		const q_relalias *r = &s->rels[i];
		bool twice = s->alias && strcasecmp(s->alias, r->alias) == 0;
		for (int k = 0; k < i; k++)
			twice = twice || strcasecmp(rels[k].alias, r->alias) == 0;
		if (twice)
			return cerr(x, QE_MALFORMED, r->path.pos, "alias '%s' is given twice in FROM", r->alias);
		x->rels = rels;
		x->nrels = i;
		q_path buf;
		const q_path *p = unalias(x, &r->path, &buf);
		if (x->failed)
			return CRMW_ENOMEM;
		q_path w = p ? *p : r->path;
		if (!p) {
			/* "c.Account": from the FROM object, named or aliased */
			bool is_rel = false;
			for (int32_t k = 0; k < x->root->nfields; k++)
				is_rel = is_rel || (x->root->fields[k].relationship &&
						    strcasecmp(x->root->fields[k].relationship, w.parts[0]) == 0);
			if (!is_rel && ((x->alias && strcasecmp(w.parts[0], x->alias) == 0) ||
					strcasecmp(w.parts[0], x->root->name) == 0)) {
				w.parts++;
				w.nparts--;
			}
		}
		/* it must lead to an object: read that object's Id */
		q_path idp = w;
		const char **parts = crmw__arena_alloc(x->a, sizeof *parts * (size_t)(w.nparts + 1));
		if (!parts)
			return coom(x);
		memcpy(parts, w.parts, sizeof *parts * (size_t)w.nparts);
		parts[w.nparts] = "Id";
		idp.parts = parts;
		idp.nparts = w.nparts + 1;
		rexpr tmp;
		x->nrels = 0; /* w is written out already */
		int rc = resolve_path(x, &idp, &tmp);
		if (rc)
			return rc;
		rels[i].path = w;
		rels[i].alias = r->alias;
	}
	x->rels = rels;
	x->nrels = s->nrels;
	return CRMW_OK;
}

/*
 * One expression of a SELECT list into the statement's columns and the
 * record's shape: a field under its relationships ("Account": {"Name"}),
 * toLabel/convertCurrency/FORMAT of a field keyed like the field (or by
 * its alias), a function or aggregate by its alias or exprN.
 */
static int select_resolved(cctx *x, const q_expr *e, rexpr r, const rexpr *groups, int ng, bool semi, q_node *root,
			   crmw_buf *sel, int *ncols)
{
	if (x->aggregate && !r.is_agg) {
		/* a wrapper of a grouped field is grouped: toLabel(Status) by Status */
		const char *plain = r.wrapper && r.base ? r.base : r.sql;
		bool grouped = false;
		for (int g = 0; g < ng && !grouped; g++)
			grouped = strcmp(groups[g].sql, plain) == 0 || strcmp(groups[g].sql, r.sql) == 0;
		if (!grouped)
			return cerr(x, QE_MALFORMED, e->pos, "Field must be grouped or aggregated: %s", e->text);
	}
	if (semi) {
		if (!is_id_type(r.type))
			return cerr(x, QE_MALFORMED, e->pos, "a semi-join subquery must select an Id or reference field, not '%s'",
				    e->text);
		return add_col(sel, ncols, r.sql) < 0 ? coom(x) : CRMW_OK;
	}
	/* Where the value goes in the record. */
	q_node *parent = root;
	const char *key;
	if (x->aggregate || r.is_fn) {
		key = e->alias ? e->alias : (r.is_agg || r.is_fn) ? afmt(x, "expr%d", x->exprn++) : r.name;
	} else if (e->alias && r.wrapper) {
		key = e->alias; /* toLabel(Account.Industry) ind: {"ind": ...} */
	} else {
		if (e->alias)
			return cerr(x, QE_MALFORMED, e->pos, "'%s %s': field aliases are only allowed in aggregate queries", e->text,
				    e->alias);
		for (int k = 0; k < r.nchain && parent; k++) {
			q_node *pn = add_kid(x, parent, N_PARENT, r.chain[k]);
			if (pn && pn->col < 0 && (pn->col = add_col(sel, ncols, r.exists[k])) < 0)
				return coom(x);
			parent = pn;
		}
		key = r.name;
	}
	if (!parent || !key)
		return coom(x);
	if (has_value_key(parent, key))
		return cerr(x, QE_MALFORMED, e->pos, "duplicate field selected: %s%s", e->text,
			    r.wrapper && !e->alias ? " (give the function an alias)" : "");
	q_node *leaf = add_kid(x, parent, N_VALUE, key);
	if (!leaf)
		return coom(x);
	leaf->ftype = r.type;
	leaf->col = add_col(sel, ncols, r.sql);
	return leaf->col < 0 ? coom(x) : CRMW_OK;
}

static int select_expr(cctx *x, const q_expr *e, const rexpr *groups, int ng, bool semi, q_node *root, crmw_buf *sel,
		       int *ncols)
{
	rexpr r;
	int rc = resolve_expr(x, e, &r, true, CL_SELECT);
	return rc ? rc : select_resolved(x, e, r, groups, ng, semi, root, sel, ncols);
}

/* A picklist's values as crmw_pickrank reads them: "3:New7:Working". */
static const char *picklist_arg(cctx *c, const crmw_field *f)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (int32_t i = 0; !rc && i < f->npicklist; i++)
		rc = crmw__buf_printf(&b, "%zu:%s", strlen(f->picklist[i]), f->picklist[i]);
	const char *out = rc ? NULL : crmw__arena_strndup(c->a, b.data ? b.data : "", b.len);
	crmw_buf_dispose(&b);
	if (!out)
		coom(c);
	return out;
}

/* The shape of a SELECT list, checked before anything is compiled: COUNT()
 * alone, FIELDS() with its LIMIT rule and outside aggregates, a semi-join's
 * one column and clauses.  Sets x->aggregate. */
static int check_items(cctx *x, const q_select *s, bool semi)
{
	for (int i = 0; i < s->nitems; i++)
		if (!s->items[i].is_sub && s->items[i].e.fn == FN_COUNT && !s->items[i].e.has_path && s->nitems > 1)
			return cerr(x, QE_MALFORMED, s->items[i].pos,
				    "COUNT() must be the only item in SELECT; use COUNT(Id) with other fields");
	x->aggregate = s->ngroup > 0;
	for (int i = 0; i < s->nitems; i++)
		if (!s->items[i].is_sub && is_agg(s->items[i].e.fn))
			x->aggregate = true;
	for (int i = 0; i < s->nitems; i++) {
		const q_item *it = &s->items[i];
		if (!it->fields)
			continue;
		if (x->aggregate)
			return cerr(x, QE_MALFORMED, it->pos, "FIELDS() cannot be used in an aggregate query");
		/* Salesforce's rule: the set of fields is not bounded, the rows must be */
		if (it->fields != FIELDS_STANDARD && !(s->has_limit && s->limit <= 200))
			return cerr(x, QE_MALFORMED, it->pos,
				  "The SOQL FIELDS function must have a LIMIT of at most 200: FIELDS(%s) selects an unbounded set of fields (FIELDS(STANDARD) needs no LIMIT)",
				  it->fields == FIELDS_ALL ? "ALL" : "CUSTOM");
	}
	if (semi) {
		if (s->nitems != 1 || s->items[0].is_sub || s->items[0].fields || s->items[0].e.fn != FN_NONE ||
		    s->items[0].e.format)
			return cerr(x, QE_MALFORMED, s->pos, "a semi-join subquery selects exactly one Id or reference field");
		if (s->ngroup || s->having || s->norder || s->has_offset)
			return cerr(x, QE_MALFORMED, s->pos, "a semi-join subquery cannot use GROUP BY, HAVING, ORDER BY or OFFSET");
	}
	if (semi && x->semi_depth > 1)
		return cerr(x, QE_MALFORMED, s->pos, "semi-join subqueries nest only one level deep");
	return CRMW_OK;
}

/* SOSL's search over one object's rows (c: the search's context): the
 * FTS5 index joined to them and matched, or no row at all (fts_none), and
 * the exact check of terms with wildcards inside; appended to `where`. */
static int search_conds(cctx *c, cctx *x, const crmw_object *o, const q_select *s, bool restricted, crmw_buf *where)
{
	int idx = c->fts_none ? 0 : param_text(x, c->fts_match);
	/* Over a subquery of the role's rows the join is a CROSS JOIN:
	 * SQLite then reads those rows first and looks each one up in
	 * the search index, instead of walking every match of the index. */
	if (idx < 0 ||
	    (c->fts_none ? crmw__buf_printf(where, "0%s", s->where ? " AND " : "")
			 : (crmw__buf_printf(&x->join_sql, " %sJOIN \"crmw_fts_%s\" %s_fts ON %s_fts.rowid = %s.rowid",
					     restricted ? "CROSS " : "", o->name, table_alias(x, 0), table_alias(x, 0),
					     table_alias(x, 0)) ||
			    crmw__buf_printf(where, "%s_fts.\"crmw_fts_%s\" MATCH ?%d%s", table_alias(x, 0), o->name,
					     idx, s->where ? " AND " : ""))))
		return coom(x);
	/* Terms with wildcards inside: the index found the records that
	 * may match, and each is checked exactly, on its own columns (the
	 * row source's: only records the role reads get here). */
	if (c->fts_eval && !c->fts_none) {
		int pidx = param_text(x, c->fts_eval->program);
		int rc = pidx < 0 || crmw__buf_printf(where, "%scrmw_sosl(?%d", s->where ? "" : " AND ", pidx);
		for (int k = 0; !rc && k < c->fts_eval->ncols; k++)
			rc = crmw__buf_printf(where, ", %s.\"%s\"", table_alias(x, 0), c->fts_eval->cols[k]);
		rc = rc ? rc : crmw__buf_printf(where, ")%s", s->where ? " AND " : "");
		if (rc)
			return coom(x);
	}
	return CRMW_OK;
}

/* FIELDS(): the object's fields the role sees, in the schema's order
 * (custom fields are those named ...__c), each selected as a field of the
 * FROM object is. */
static int select_fields(cctx *x, const q_item *it, const crmw_object *o, const rexpr *groups, int ng, q_node *root,
			 crmw_buf *sel, int *ncols)
{
	int rc = CRMW_OK;
	for (int32_t k = 0; k < o->nfields && !rc; k++) {
		const crmw_field *f = &o->fields[k];
		size_t n = strlen(f->name);
		bool custom = n > 3 && strcasecmp(f->name + n - 3, "__c") == 0;
		if ((it->fields == FIELDS_CUSTOM && !custom) || (it->fields == FIELDS_STANDARD && custom) ||
		    !crmw__role_sees(x->role, o->name, f->name))
			continue;
		/* the field is known: read as resolve_path reads a field of
		 * the FROM object, without looking it up by name */
		q_expr e;
		memset(&e, 0, sizeof e);
		e.has_path = true;
		e.path.parts = (const char **)&f->name;
		e.path.nparts = 1;
		e.path.pos = e.pos = it->pos;
		e.path.text = e.text = f->name;
		rexpr r;
		memset(&r, 0, sizeof r);
		r.field = f;
		r.type = f->type;
		r.name = f->name;
		r.sql = r.base = afmt(x, "%s.\"%s\"", table_alias(x, 0), f->name);
		rc = r.sql ? select_resolved(x, &e, r, groups, ng, false, root, sel, ncols) : coom(x);
	}
	return rc;
}

/* ORDER BY: each key resolved and checked (sortable; grouped or
 * aggregated in an aggregate query), a picklist in its defined order. */
static int compile_order(cctx *x, const q_select *s, const rexpr *groups, int ng, crmw_buf *tail)
{
	int rc = CRMW_OK;
	for (int i = 0; i < s->norder && !rc; i++) {
		rexpr r;
		if ((rc = resolve_expr(x, &s->order[i].e, &r, x->aggregate, CL_ORDER)))
			break;
		if (r.type == CRMW_FIELD_TEXTAREA || r.type == CRMW_FIELD_MULTIPICKLIST) {
			rc = cerr(x, QE_MALFORMED, s->order[i].e.pos, "field '%s' cannot be sorted", s->order[i].e.text);
			break;
		}
		if (x->aggregate && !r.is_agg) {
			bool grouped = false;
			for (int g = 0; g < ng && !grouped; g++)
				grouped = strcmp(groups[g].sql, r.sql) == 0;
			if (!grouped) {
				rc = cerr(x, QE_MALFORMED, s->order[i].e.pos, "ORDER BY field must be grouped or aggregated: %s",
					  s->order[i].e.text);
				break;
			}
		}
		const char *nulls = s->order[i].nulls == 1 ? " NULLS FIRST" : s->order[i].nulls == 2 ? " NULLS LAST" : "";
		const char *dir = s->order[i].desc ? " DESC" : "";
		if (r.type == CRMW_FIELD_PICKLIST && r.field && r.field->npicklist > 0) {
			/* A picklist sorts in its defined order, values outside it after
			 * them (alphabetically: only an unrestricted picklist has any). */
			const char *list = picklist_arg(x, r.field);
			int idx = list ? param_text(x, list) : -1;
			if (idx < 0) {
				rc = CRMW_ENOMEM;
				break;
			}
			rc = crmw__buf_printf(tail, "%scrmw_pickrank(%s, ?%d)%s%s", i ? ", " : " ORDER BY ", r.sql, idx, dir, nulls);
			if (!rc && !r.field->restricted)
				rc = crmw__buf_printf(tail, ", %s COLLATE NOCASE%s%s", r.sql, dir, nulls);
			rc = rc ? coom(x) : CRMW_OK;
			continue;
		}
		rc = crmw__buf_printf(tail, "%s%s%s%s%s", i ? ", " : " ORDER BY ", r.sql, collate(r.type), dir, nulls)
			     ? coom(x)
			     : CRMW_OK;
	}
	return rc;
}

/*
 * Compile one SELECT into `out`.  semi: a semi-join subquery (one Id
 * column).  qc: where the output tree goes (NULL for semi-joins).
 * parent_via: for a child subquery, the reference to the parent record,
 * matched against parameter ?1.
 */
static int compile_select(cctx *c, const q_select *s, crmw_buf *out, sel_mode mode, q_compiled *qc,
			  const crmw_field *parent_via)
{
	if (s->from_prefix)
		return cerr(c, QE_MALFORMED, s->from_pos,
			    "FROM takes an object name, not a path: '%s.%s' names a child relationship, which only a subquery in SELECT reads",
			    s->from_prefix, s->from);
	const crmw_object *o = crmw__schema_object(c->db->schema, s->from);
	if (!o) {
		const char *hint = suggest_object(c, s->from);
		return cerr(c, QE_TYPE, s->from_pos, "sObject type '%s' is not supported%s%s%s", s->from,
			    hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
	}
	if (!crmw__role_reads(c->role, o->name))
		return cdeny(c, s->from_pos, "cannot read '%s'", o->name);
	bool semi = mode == SEL_SEMI;
	/* A fresh alias space for this SELECT (semi-joins nest). */
	cctx sub = *c;
	sub.root = o;
	sub.alias = s->alias;
	sub.prefix = ++*c->next_alias;
	sub.joins = NULL;
	sub.njoins = sub.capjoins = 0;
	sub.exprn = 0;
	sub.fts_match = NULL; /* nested queries do not search */
	sub.fts_none = false;
	sub.fts_eval = NULL;
	sub.rels = NULL;
	sub.nrels = 0;
	memset(&sub.join_sql, 0, sizeof sub.join_sql);
	cctx *x = &sub;
	int rc = CRMW_OK;
	crmw_buf sel = CRMW_BUF_INIT, where = CRMW_BUF_INIT, tail = CRMW_BUF_INIT;
	int ncols = 0;
	const char *src = NULL;

	bool count_only = mode == SEL_QUERY && s->nitems == 1 && !s->items[0].is_sub && !s->items[0].fields &&
			  s->items[0].e.fn == FN_COUNT && !s->items[0].e.has_path && !s->items[0].e.format;
	if ((rc = check_items(x, s, semi)))
		goto done;
	if (s->nrels && (rc = expand_relaliases(x, s)))
		goto done;
	/*
	 * The rows: the object's table, or, when the role reads only some of
	 * its records, a subquery of just those (row_source).  Every condition
	 * below, the user's and the search's, sees only rows the role may
	 * read.  A child subquery's parent filter is trusted, so it goes
	 * inside that subquery too (where its index stays usable).
	 */
	if (mode == SEL_SOURCE)
		src = afmt(x, "\"%s\"", o->name);
	else
		rc = row_source(x, o, parent_via, NULL, &src);
	if (rc || !src) {
		rc = rc ? rc : CRMW_ENOMEM;
		goto done;
	}
	bool restricted = src[0] == '(';
	/* WHERE first: its joins are shared with the select list. */
	if (parent_via && crmw__buf_printf(&where, "%s.\"%s\" = ?1%s", table_alias(x, 0), parent_via->name,
					   s->where ? " AND " : "")) {
		rc = coom(x);
		goto done;
	}
	if ((c->fts_match || c->fts_none) && (rc = search_conds(c, x, o, s, restricted, &where)))
		goto done;
	if (s->where && (rc = compile_cond(x, s->where, &where, false, false)))
		goto done;
	if (mode == SEL_SOURCE && c->same_row &&
	    crmw__buf_printf(&where, "%s%s.rowid = %s.rowid", where.len ? " AND " : "", table_alias(x, 0), c->same_row)) {
		rc = coom(x);
		goto done;
	}

	/* GROUP BY */
	rexpr *groups = s->ngroup ? crmw__arena_alloc(x->a, sizeof *groups * (size_t)s->ngroup) : NULL;
	int ng = 0;
	if (s->ngroup && !groups) {
		rc = coom(x);
		goto done;
	}
	for (int i = 0; i < s->ngroup; i++) {
		if ((rc = resolve_expr(x, &s->group[i], &groups[ng], false, CL_GROUP)))
			goto done;
		if (groups[ng].type == CRMW_FIELD_TEXTAREA || groups[ng].type == CRMW_FIELD_MULTIPICKLIST) {
			rc = cerr(x, QE_MALFORMED, s->group[i].pos, "field '%s' cannot be grouped", s->group[i].text);
			goto done;
		}
		ng++;
	}

	/* SELECT list (a row source has every column instead) */
	q_node *root = qc ? &qc->root : NULL;
	for (int i = 0; i < s->nitems && !rc && mode != SEL_SOURCE; i++) {
		const q_item *it = &s->items[i];
		if (it->is_sub) {
			if (semi || !qc) {
				rc = cerr(x, QE_MALFORMED, it->pos, "subqueries in SELECT are only allowed in the outer query");
				break;
			}
			if (x->aggregate) {
				rc = cerr(x, QE_MALFORMED, it->pos, "an aggregate query cannot have a child subquery");
				break;
			}
			rc = compile_child(x, it, qc, root);
			continue;
		}
		if (count_only) {
			if (add_col(&sel, &ncols, "count(*)") < 0)
				rc = coom(x);
			break;
		}
		if (!it->fields) {
			rc = select_expr(x, &it->e, groups, ng, semi, root, &sel, &ncols);
			if (semi)
				break;
			continue;
		}
		rc = select_fields(x, it, o, groups, ng, root, &sel, &ncols);
	}
	if (rc)
		goto done;
	if (qc && qc->nchildren > 0) {
		qc->id_col = add_col(&sel, &ncols, afmt(x, "%s.\"Id\"", table_alias(x, 0)));
		if (qc->id_col < 0) {
			rc = coom(x);
			goto done;
		}
	}

	/* GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET */
	for (int g = 0; g < ng && !rc; g++)
		rc = crmw__buf_printf(&tail, "%s%s", g ? ", " : " GROUP BY ", groups[g].sql) ? coom(x) : CRMW_OK;
	if (!rc && s->having) {
		if (!x->aggregate) {
			rc = cerr(x, QE_MALFORMED, s->pos, "HAVING needs GROUP BY or aggregates");
			goto done;
		}
		if (crmw__buf_puts(&tail, " HAVING "))
			rc = coom(x);
		else
			rc = compile_cond(x, s->having, &tail, false, true);
	}
	/* SOSL's relevance order, FTS5's rank, weighs terms by how many
	 * records hold them, the ones the role may not read included: over
	 * some of an object's records the order is the records' own. */
	if (!rc && c->fts_match && !c->fts_none && s->norder == 0)
		rc = crmw__buf_printf(&tail, " ORDER BY %s%s", table_alias(x, 0), restricted ? ".rowid" : "_fts.rank")
			     ? coom(x)
			     : CRMW_OK;
	rc = rc ? rc : compile_order(x, s, groups, ng, &tail);
	if (!rc && s->has_limit) {
		int idx = param_int(x, s->limit);
		rc = idx < 0 ? CRMW_ENOMEM : crmw__buf_printf(&tail, " LIMIT ?%d", idx) ? coom(x) : CRMW_OK;
	}
	if (!rc && s->has_offset) {
		int idx = param_int(x, s->offset);
		if (!s->has_limit)
			rc = crmw__buf_puts(&tail, " LIMIT -1") ? coom(x) : CRMW_OK;
		rc = rc ? rc : idx < 0 ? CRMW_ENOMEM : crmw__buf_printf(&tail, " OFFSET ?%d", idx) ? coom(x) : CRMW_OK;
	}
	if (rc)
		goto done;

	/* Assemble. */
	bool limited_count = count_only && (s->has_limit || s->has_offset);
	if (limited_count)
		rc = crmw__buf_puts(out, "SELECT count(*) FROM (SELECT 1");
	else if (mode == SEL_SOURCE)
		rc = crmw__buf_printf(out, "SELECT %s.rowid AS \"rowid\", %s.*", table_alias(x, 0), table_alias(x, 0));
	else
		rc = crmw__buf_printf(out, "SELECT %s", sel.data ? sel.data : "1");
	rc = rc ? rc : crmw__buf_printf(out, " FROM %s %s%s", src, table_alias(x, 0),
					 x->join_sql.data ? x->join_sql.data : "");
	if (!rc && where.len)
		rc = crmw__buf_printf(out, " WHERE %s", where.data);
	rc = rc ? rc : crmw__buf_puts(out, tail.data ? tail.data : "");
	if (!rc && limited_count)
		rc = crmw__buf_puts(out, ")");
	if (rc)
		rc = coom(x);
	if (!rc && qc) {
		qc->count_only = count_only;
		qc->object = o->name;
	}
done:
	crmw_buf_dispose(&sel);
	crmw_buf_dispose(&where);
	crmw_buf_dispose(&tail);
	crmw_buf_dispose(&x->join_sql);
	c->failed = x->failed;
	return rc;
}

/*
 * The rows of `o` the role may read, as a FROM source: the object's table
 * when nothing limits its rows (no role, or no row rule), else
 *
 *   (SELECT t.rowid AS "rowid", t.* FROM "O" t ... WHERE <rule> LIMIT -1 OFFSET 0)
 *
 * (with "t.<via> = ?1 AND" first for a child subquery).  SQLite neither
 * flattens a subquery with LIMIT and OFFSET into the query around it nor
 * pushes that query's conditions down into it, so the rule filters the
 * rows before any condition of the user sees one: no error and no result
 * can depend on a record the role may not read.  tests/unit/test_access_rows.c
 * checks the plans.  The rule is trusted: it is compiled with no role, so
 * that it may read what it needs (and cannot recurse).
 */
static int row_source(cctx *c, const crmw_object *o, const crmw_field *via, const char *same_row, const char **out)
{
	*out = NULL;
	const char *text = NULL;
	int rc = c->role ? crmw__role_rule(c->role, o, c->a, &text, c->err) : CRMW_OK;
	if (rc) {
		c->failed = true;
		return rc;
	}
	if (!text)
		return (*out = afmt(c, "\"%s\"", o->name)) ? CRMW_OK : CRMW_ENOMEM;
	q_select *rule = NULL;
	if ((rc = crmw__parse_soql(c->a, text, strlen(text), &rule, c->err))) {
		c->failed = true;
		return rc;
	}
	cctx rc_ctx = *c;
	rc_ctx.role = NULL;
	rc_ctx.semi_depth = 0;
	rc_ctx.fts_match = NULL;
	rc_ctx.fts_none = false;
	rc_ctx.fts_eval = NULL;
	rc_ctx.same_row = same_row;
	crmw_buf sql = CRMW_BUF_INIT;
	rc = compile_select(&rc_ctx, rule, &sql, SEL_SOURCE, NULL, via);
	c->failed = rc_ctx.failed;
	if (!rc && !(*out = afmt(c, "(%s LIMIT -1 OFFSET 0)", sql.data)))
		rc = CRMW_ENOMEM;
	crmw_buf_dispose(&sql);
	return rc;
}

/* The row rule of `o` checked on the row of `alias` (an EXISTS over a row
 * source holding just that row), or NULL when the role reads every row. */
static int row_gate(cctx *c, const crmw_object *o, const char *alias, const char **out)
{
	*out = NULL;
	const char *src = NULL;
	int rc = row_source(c, o, NULL, alias, &src);
	if (rc || src[0] != '(')
		return rc;
	return (*out = afmt(c, "EXISTS %s", src)) ? CRMW_OK : CRMW_ENOMEM;
}

/* (SELECT ... FROM Cases ...) in the SELECT list of the outer query. */
static int compile_child(cctx *c, const q_item *it, q_compiled *parent, q_node *root)
{
	const q_select *s = it->sub;
	const crmw_schema *sc = c->db->schema;
	const crmw_object *child = NULL;
	const crmw_field *via = NULL;
	for (int32_t i = 0; i < sc->nobjects && !via; i++) {
		const crmw_object *o = &sc->objects[i];
		for (int32_t j = 0; j < o->nfields && !via; j++) {
			const crmw_field *f = &o->fields[j];
			if (!f->child_relationship || strcasecmp(f->child_relationship, s->from) != 0)
				continue;
			for (int32_t k = 0; k < f->nrefs; k++)
				if (strcmp(f->refs[k], c->root->name) == 0) {
					child = o;
					via = f;
				}
		}
	}
	if (!via) {
		crmw__near near;
		crmw__near_init(&near, s->from);
		for (int32_t i = 0; i < sc->nobjects; i++) {
			const crmw_object *o = &sc->objects[i];
			for (int32_t j = 0; j < o->nfields; j++) {
				const crmw_field *f = &o->fields[j];
				for (int32_t k = 0; k < f->nrefs && f->child_relationship; k++)
					if (strcmp(f->refs[k], c->root->name) == 0 && crmw__role_reads(c->role, o->name) &&
					    crmw__role_sees(c->role, o->name, f->name))
						crmw__near_add(&near, f->child_relationship);
			}
		}
		const char *hint = crmw__near_best(&near);
		return cerr(c, QE_FIELD, s->from_pos,
			    "Didn't understand relationship '%s' in FROM part of query call; '%s' has no child relationship of that name%s%s%s",
			    s->from, c->root->name, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
	}
	/* "FROM Account.Contacts": the prefix names the outer query's object */
	if (s->from_prefix && strcasecmp(s->from_prefix, c->root->name) != 0 &&
	    !(c->alias && strcasecmp(s->from_prefix, c->alias) == 0))
		return cerr(c, QE_FIELD, s->from_pos,
			    "Didn't understand relationship '%s.%s' in FROM part of query call: a child relationship is named after the outer query's object, '%s'",
			    s->from_prefix, s->from, c->root->name);
	if (!crmw__role_reads(c->role, child->name))
		return cdeny(c, s->from_pos, "cannot read '%s', the records of child relationship '%s'", child->name, s->from);
	/* The children are found through their lookup field: a hidden one
	 * must not be read that way (which cases a user owns, say). */
	if (!crmw__role_sees(c->role, child->name, via->name))
		return cdeny(c, s->from_pos, "cannot read field '%s' of '%s', which child relationship '%s' follows",
			     via->name, child->name, s->from);
	for (int i = 0; i < s->nitems; i++) {
		if (s->items[i].is_sub)
			return cerr(c, QE_MALFORMED, s->items[i].pos, "child subqueries nest only one level deep");
		if (is_agg(s->items[i].e.fn) || FN_IS_DATE(s->items[i].e.fn) || s->items[i].e.inner)
			return cerr(c, QE_MALFORMED, s->items[i].pos, "a child subquery cannot aggregate");
	}
	if (s->ngroup || s->having)
		return cerr(c, QE_MALFORMED, s->pos, "a child subquery cannot use GROUP BY or HAVING");

	q_compiled *cq = crmw__arena_alloc(c->a, sizeof *cq);
	if (!cq)
		return coom(c);
	cq->id_col = -1;
	/* Compile as a query on the child object, then add the parent filter. */
	q_select copy = *s;
	copy.from = child->name;
	copy.from_prefix = NULL;
	cctx cc = *c;
	cc.params = (q_param **)&cq->params;
	int nparams = 0, capparams = 0;
	cc.nparams = &nparams;
	cc.capparams = &capparams;
	crmw_buf sql = CRMW_BUF_INIT;
	/* The parent condition is parameter 1. */
	q_param pp = {.kind = P_PARENT_ID};
	if (add_param(&cc, pp) != 1)
		return CRMW_ENOMEM;
	int rc = compile_select(&cc, &copy, &sql, SEL_QUERY, cq, via);
	c->failed = cc.failed;
	if (rc) {
		crmw_buf_dispose(&sql);
		return rc;
	}
	cq->sql = adup(c, sql.data);
	crmw_buf_dispose(&sql);
	cq->nparams = nparams;
	if (!cq->sql)
		return CRMW_ENOMEM;
	/* Record the relationship field for execution. */
	q_node *n = add_kid(c, root, N_CHILD, via->child_relationship);
	if (!n)
		return CRMW_ENOMEM;
	n->child = cq;
	cq->object = afmt(c, "%s", via->name);
	q_compiled **kids = crmw__arena_alloc(c->a, sizeof *kids * (size_t)(parent->nchildren + 1));
	if (!kids)
		return coom(c);
	if (parent->nchildren)
		memcpy(kids, parent->children, sizeof *kids * (size_t)parent->nchildren);
	kids[parent->nchildren++] = cq;
	parent->children = kids;
	return CRMW_OK;
}

static int compile_top(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_select *s, crmw_err *err,
		       q_compiled **out)
{
	*out = NULL;
	q_compiled *qc = crmw__arena_alloc(a, sizeof *qc);
	if (!qc)
		return crmw__errf(err, CRMW_ENOMEM, "out of memory");
	qc->id_col = -1;
	int next_alias = 0, nparams = 0, capparams = 0;
	cctx c = {
		.db = db, .role = role && !role->unrestricted ? role : NULL, .a = a, .err = err,
		.next_alias = &next_alias, .params = &qc->params, .nparams = &nparams, .capparams = &capparams,
	};
	crmw_buf sql = CRMW_BUF_INIT;
	int rc = compile_select(&c, s, &sql, SEL_QUERY, qc, NULL);
	if (!rc) {
		qc->sql = crmw__arena_strndup(a, sql.data, sql.len);
		if (!qc->sql)
			rc = crmw__errf(err, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(&sql);
	qc->nparams = nparams;
	if (!rc)
		*out = qc;
	return rc;
}

int crmw__compile_soql(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_select *s, q_compiled **out)
{
	return compile_top(db, role, a, s, &db->h.err, out);
}

int crmw__compile_rule_check(crmw_db *db, crmw_arena *a, const q_select *s, crmw_err *err, q_compiled **out)
{
	return compile_top(db, NULL, a, s, err, out);
}

int crmw__compile_search_select(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_select *s,
				const char *fts_match, bool none, const q_eval *eval, q_compiled **out)
{
	*out = NULL;
	q_compiled *qc = crmw__arena_alloc(a, sizeof *qc);
	if (!qc)
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	qc->id_col = -1;
	int next_alias = 0, nparams = 0, capparams = 0;
	cctx c = {
		.db = db, .role = role && !role->unrestricted ? role : NULL, .a = a, .err = &db->h.err,
		.next_alias = &next_alias, .params = &qc->params, .nparams = &nparams, .capparams = &capparams,
		.fts_match = fts_match, .fts_none = none, .fts_eval = eval,
	};
	crmw_buf sql = CRMW_BUF_INIT;
	int rc = compile_select(&c, s, &sql, SEL_QUERY, qc, NULL);
	if (!rc && qc->nchildren)
		rc = crmw__errf(&db->h.err, CRMW_EQUERY, "MALFORMED_SEARCH: RETURNING fields cannot be subqueries");
	if (!rc && !(qc->sql = crmw__arena_strndup(a, sql.data, sql.len)))
		rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	crmw_buf_dispose(&sql);
	qc->nparams = nparams;
	if (!rc)
		*out = qc;
	return rc;
}
