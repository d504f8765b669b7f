/*
 * The built-in tool sets: adding them to a registry, running one call
 * (time budget, role, metrics permission) and the helpers the tools share.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tools/builtin.h"
#include "common/json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tags the registry's built-in tools (its address only). */
static const char builtin_tag = 'b';

/* One registered tool: its definition and the shared context. */
typedef struct btool {
	bctx *ctx;
	const builtin_tool *def;
} btool;

static void ctx_release(bctx *x)
{
	if (x && --x->refs == 0) {
		crmw_role_free(x->opts.role);
		free(x);
	}
}

static void btool_free(void *p)
{
	btool *t = p;
	if (t)
		ctx_release(t->ctx);
	free(t);
}

/* ------------------------------------------------------------ calling */

static int64_t remaining_ms(const bcall *c)
{
	if (!c->has_deadline)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ms = (int64_t)(c->deadline.tv_sec - now.tv_sec) * 1000 + (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms;
}

static int dispatch(const crmw_tool_ctx *ctx, json_t *args, crmw_buf *result, void *userdata)
{
	btool *t = userdata;
	bcall c = {.ctx = t->ctx, .db = t->ctx->db, .out = result, .tool = t->def};
	const crmw_role *role = ctx->role;
	if (t->def->metrics && role && !role->metrics)
		return crmw__tool_fail(&c, "INSUFFICIENT_ACCESS: role '%s' may not see internal metrics, which %s computes", role->name,
			     t->def->name);
	if (!c.db && !t->def->no_db)
		return crmw__tool_fail(&c, "TOOL_FAILED: no org database is connected to the tool set");
	/* The call's own queries: the call's time budget, no caps (the tool
	 * caps what it shows). */
	c.q = t->ctx->opts;
	c.q.role = (crmw_role *)role; /* borrowed for the call */
	if (ctx->episode_today)
		memcpy(c.q.today, ctx->today, sizeof c.q.today);
	c.q.max_rows = 0;
	c.q.max_bytes = 0;
	if (t->ctx->opts.timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &c.deadline);
		c.deadline.tv_sec += t->ctx->opts.timeout_ms / 1000;
		c.deadline.tv_nsec += (t->ctx->opts.timeout_ms % 1000) * 1000000L;
		if (c.deadline.tv_nsec >= 1000000000L) {
			c.deadline.tv_sec++;
			c.deadline.tv_nsec -= 1000000000L;
		}
		c.has_deadline = true;
	}
	int rc = t->def->fn(&c, args);
	if (c.cut && ctx->cut)
		*ctx->cut = true;
	return rc;
}

/* ------------------------------------------------------------- adding */

static const struct {
	const char *name;
	const builtin_tool *tools;
} sets[] = {
	{"query", crmw__tools_query},
	{"crmarena", crmw__tools_crmarena},
	{"pro", crmw__tools_pro},
};

int crmw_registry_add_builtin(crmw_registry *reg, const char *names, crmw_db *db, const crmw_query_opts *opts)
{
	CRMW__ARGS_NONNULL(NULL, !reg || !names);
	/* Resolve every set and check every name before adding anything. */
	const builtin_tool *chosen[CRMW_ARRAY_LEN(sets)];
	size_t nchosen = 0;
	const char *p = names;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		size_t k = 0;
		while (k < CRMW_ARRAY_LEN(sets) && !(strlen(sets[k].name) == n && strncmp(sets[k].name, p, n) == 0))
			k++;
		if (k == CRMW_ARRAY_LEN(sets))
			return crmw__errf(NULL, CRMW_ENOTFOUND, "no built-in tool set '%.*s' (known: query, crmarena, pro)",
					  (int)(n < 60 ? n : 60), p);
		bool dup = false;
		for (size_t i = 0; i < nchosen; i++)
			dup = dup || chosen[i] == sets[k].tools;
		if (!dup)
			chosen[nchosen++] = sets[k].tools;
		p = e ? e + 1 : p + n;
	}
	if (!nchosen)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_registry_add_builtin: no tool set named");
	for (size_t i = 0; i < nchosen; i++)
		for (const builtin_tool *t = chosen[i]; t->name; t++) {
			bool exists = false;
			for (int32_t k = 0; k < crmw_registry_count(reg) && !exists; k++)
				exists = strcmp(crmw_registry_name(reg, k), t->name) == 0;
			if (exists && !crmw__registry_has_tagged(reg, t->name, &builtin_tag))
				return crmw__errf(NULL, CRMW_EEXISTS,
						  "the registry already has a tool named '%s' that is not the built-in one", t->name);
		}
	bctx *x = calloc(1, sizeof *x);
	if (!x)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	x->db = db;
	crmw__query_opts_init(&x->opts);
	crmw__query_opts_copy(&x->opts, opts);
	crmw_query_opts_set_role(&x->opts, NULL); /* the registry's base role holds it */
	x->refs = 1; /* this function's, released below */
	int rc = crmw__registry_base(reg, opts, false);
	for (size_t i = 0; !rc && i < nchosen; i++)
		for (const builtin_tool *t = chosen[i]; !rc && t->name; t++) {
			if (crmw__registry_has_tagged(reg, t->name, &builtin_tag))
				continue; /* shared by two sets: added once */
			btool *bt = malloc(sizeof *bt);
			if (!bt) {
				rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
				break;
			}
			bt->ctx = x;
			bt->def = t;
			x->refs++;
			rc = crmw__registry_add_json(reg, t->name, t->description, t->parameters, dispatch, bt, btool_free,
						     &builtin_tag);
			if (rc) /* a bug in a built-in schema; the registry said which */
				crmw__errf(NULL, rc, "built-in tool %s: %s", t->name, crmw_registry_errmsg(reg));
		}
	ctx_release(x);
	return rc;
}

int crmw_registry_set_query_opts(crmw_registry *reg, const crmw_query_opts *opts)
{
	if (!reg)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_registry_set_query_opts: registry is NULL");
	int rc = crmw__registry_base(reg, opts, true);
	for (int32_t i = 0; !rc && i < crmw_registry_count(reg); i++) {
		btool *t = crmw__registry_tagged(reg, i, &builtin_tag);
		if (!t)
			continue;
		/* shared contexts are set more than once: harmless */
		crmw__query_opts_copy(&t->ctx->opts, opts);
		crmw_query_opts_set_role(&t->ctx->opts, NULL);
	}
	return rc;
}

/* ------------------------------------------------------------ results */

int crmw__tool_fail(bcall *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[1500];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	crmw__buf_clear(c->out);
	if (crmw__buf_puts(c->out, msg))
		crmw__buf_clear(c->out);
	return -1;
}

int crmw__tool_fail_db(bcall *c)
{
	return crmw__tool_fail(c, "%s", crmw_db_errmsg(c->db));
}

int crmw__tool_put(bcall *c, json_t *v)
{
	char *d = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	json_decref(v);
	if (!d)
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	crmw__buf_clear(c->out);
	int rc = crmw__buf_puts(c->out, d);
	free(d);
	return rc ? crmw__tool_fail(c, "TOOL_FAILED: out of memory") : 0;
}

static int notice(bcall *c, int64_t shown, int64_t total)
{
	c->cut = true;
	char tot[40];
	if (total >= 0)
		snprintf(tot, sizeof tot, "%lld", (long long)total);
	else
		snprintf(tot, sizeof tot, "more than %lld", (long long)shown);
	const crmw_query_opts *o = &c->ctx->opts;
	return crmw__buf_printf(c->out,
				"\n[truncated: showing the first %lld of %s records (at most %lld records and %lld bytes per call); "
				"narrow the request or add a LIMIT to see the rest]",
				(long long)shown, tot, (long long)o->max_rows, (long long)o->max_bytes)
		       ? crmw__tool_fail(c, "TOOL_FAILED: out of memory")
		       : 0;
}

int crmw__tool_put_records(bcall *c, json_t *records)
{
	const crmw_query_opts *o = &c->ctx->opts;
	size_t n = json_array_size(records);
	size_t keep = n;
	if (o->max_rows > 0 && (int64_t)keep > o->max_rows)
		keep = (size_t)o->max_rows;
	crmw__buf_clear(c->out);
	int rc = crmw__buf_putc(c->out, '[');
	size_t shown = 0;
	for (size_t i = 0; !rc && i < keep; i++) {
		char *d = json_dumps(json_array_get(records, i), JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		if (!d) {
			rc = CRMW_ENOMEM;
			break;
		}
		size_t mark = c->out->len;
		rc = crmw__buf_puts(c->out, i ? "," : "");
		rc = rc ? rc : crmw__buf_puts(c->out, d);
		free(d);
		if (!rc && o->max_bytes > 0 && (int64_t)c->out->len + 1 > o->max_bytes) {
			c->out->len = mark;
			c->out->data[mark] = '\0';
			break;
		}
		shown++;
	}
	rc = rc ? rc : crmw__buf_putc(c->out, ']');
	json_decref(records);
	if (rc)
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	return shown < n ? notice(c, (int64_t)shown, (int64_t)n) : 0;
}

/* ------------------------------------------------------------ queries */

static int set_budget(bcall *c)
{
	if (!c->has_deadline)
		return 0;
	int64_t ms = remaining_ms(c);
	if (ms <= 0)
		return crmw__tool_fail(c, "QUERY_TIMEOUT: the tool call used up its budget of %lld ms; ask for less at a time",
			     (long long)c->ctx->opts.timeout_ms);
	c->q.timeout_ms = ms;
	return 0;
}

int crmw__tool_soql(bcall *c, const char *text, json_t **out)
{
	*out = NULL;
	if (set_budget(c))
		return -1;
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, c->db, text, strlen(text), &c->q)) {
		crmw_buf_dispose(&b);
		return crmw__tool_fail_db(c);
	}
	int rc = crmw__json_parse(b.data, b.len, out, NULL);
	crmw_buf_dispose(&b);
	return rc ? crmw__tool_fail(c, "TOOL_FAILED: out of memory") : 0;
}

int crmw__tool_soql_passthrough(bcall *c, const char *text)
{
	if (set_budget(c))
		return -1;
	crmw_query_opts q = c->q;
	q.max_rows = c->ctx->opts.max_rows;
	q.max_bytes = c->ctx->opts.max_bytes;
	crmw__qinfo info = {0};
	if (crmw__query_run(c->out, c->db, text, strlen(text), &q, &info))
		return crmw__tool_fail_db(c);
	return info.truncated ? notice(c, info.shown, info.total) : 0;
}

/* --------------------------------------------------------------- SOQL */

int crmw__tool_select(bcall *c, crmw_buf *q, const char *object, const char *const *want, size_t nwant)
{
	const crmw_object *o = crmw__schema_object(crmw_db_schema(c->db), object);
	if (!o || !crmw__role_reads(crmw__tool_role(c), o->name)) {
		crmw_buf_dispose(q);
		return o ? crmw__tool_fail(c, "INSUFFICIENT_ACCESS: role '%s' cannot read '%s'", crmw__tool_role(c)->name, o->name)
			 : crmw__tool_fail(c, "INVALID_TYPE: this org has no %s object", object);
	}
	int rc = crmw__buf_puts(q, "SELECT Id");
	if (want) {
		for (size_t i = 0; !rc && i < nwant; i++) {
			if (strchr(want[i], '.')) { /* a relationship path: the caller knows it exists */
				rc = crmw__buf_printf(q, ", %s", want[i]);
				continue;
			}
			const crmw_field *f = crmw__object_field(o, want[i]);
			if (f && crmw__role_sees(crmw__tool_role(c), o->name, f->name))
				rc = crmw__buf_printf(q, ", %s", f->name);
		}
	} else {
		for (int32_t i = 1; !rc && i < o->nfields; i++)
			if (crmw__role_sees(crmw__tool_role(c), o->name, o->fields[i].name))
				rc = crmw__buf_printf(q, ", %s", o->fields[i].name);
	}
	rc = rc ? rc : crmw__buf_printf(q, " FROM %s", o->name);
	if (rc) {
		crmw_buf_dispose(q);
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	}
	return 0;
}

int crmw__tool_run(bcall *c, crmw_buf *q, int brc, json_t **out)
{
	*out = NULL;
	if (brc) {
		crmw_buf_dispose(q);
		return brc < 0 && c->out->len ? -1 : crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	}
	int rc = crmw__tool_soql(c, q->data, out);
	crmw_buf_dispose(q);
	return rc;
}

int crmw__soql_quote(crmw_buf *b, const char *s)
{
	int rc = crmw__buf_putc(b, '\'');
	while (!rc && *s) {
		size_t run = strcspn(s, "'\\\n\r\t");
		rc = crmw__buf_append(b, s, run);
		s += run;
		if (rc || !*s)
			break;
		const char *esc = *s == '\'' ? "\\'" : *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : "\\t";
		rc = crmw__buf_puts(b, esc);
		s++;
	}
	return rc ? rc : crmw__buf_putc(b, '\'');
}

int crmw__soql_in_list(crmw_buf *b, json_t *strings)
{
	int rc = crmw__buf_putc(b, '(');
	size_t i;
	json_t *v;
	json_array_foreach(strings, i, v) {
		rc = rc ? rc : crmw__buf_puts(b, i ? ", " : "");
		rc = rc ? rc : crmw__soql_quote(b, json_string_value(v) ? json_string_value(v) : "");
	}
	return rc ? rc : crmw__buf_putc(b, ')');
}

int crmw__sosl_braced(crmw_buf *b, const char *s)
{
	int rc = crmw__buf_putc(b, '{');
	for (; !rc && *s; s++) {
		if (strchr("{}\\", *s))
			rc = crmw__buf_putc(b, '\\');
		rc = rc ? rc : crmw__buf_putc(b, *s);
	}
	return rc ? rc : crmw__buf_putc(b, '}');
}

int crmw__tool_run_records(bcall *c, crmw_buf *q, int brc)
{
	if (brc) {
		crmw_buf_dispose(q);
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	}
	int rc = crmw__tool_soql_passthrough(c, q->data);
	crmw_buf_dispose(q);
	return rc;
}

/* {row[key]: row[value], ...} straight into the result. */
typedef struct kv_state {
	crmw_buf *out;
	const char *key, *value;
	int64_t n;
	int rc;
} kv_state;

static int put_number(crmw_buf *b, sqlite3_stmt *st, int col)
{
	if (col < 0 || sqlite3_column_type(st, col) == SQLITE_NULL)
		return crmw__buf_puts(b, "null");
	if (sqlite3_column_type(st, col) == SQLITE_INTEGER)
		return crmw__buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
	return crmw__buf_double(b, sqlite3_column_double(st, col));
}

static int kv_row(void *ud, const crmw__row *row)
{
	kv_state *s = ud;
	const char *k = crmw__row_text(row, s->key);
	if (!k)
		return 0; /* a null key cannot be a JSON key: left out */
	s->rc = crmw__buf_puts(s->out, s->n++ ? "," : "");
	s->rc = s->rc ? s->rc : crmw__buf_json_str(s->out, k, strlen(k));
	s->rc = s->rc ? s->rc : crmw__buf_putc(s->out, ':');
	s->rc = s->rc ? s->rc : put_number(s->out, row->st, crmw__row_col(row, s->value));
	return s->rc;
}

int crmw__tool_soql_object(bcall *c, crmw_buf *q, int brc, const char *key, const char *value)
{
	if (brc || set_budget(c)) {
		crmw_buf_dispose(q);
		return brc ? crmw__tool_fail(c, "TOOL_FAILED: out of memory") : -1;
	}
	crmw__buf_clear(c->out);
	kv_state s = {.out = c->out, .key = key, .value = value};
	int rc = crmw__buf_putc(c->out, '{');
	rc = rc ? rc : crmw__query_rows(c->db, q->data, &c->q, kv_row, &s);
	crmw_buf_dispose(q);
	if (rc == CRMW_EUSER || rc == CRMW_ENOMEM || (!rc && crmw__buf_putc(c->out, '}')))
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	return rc ? crmw__tool_fail_db(c) : 0;
}

/* [row[key], ...] of strings straight into the result, capped like records. */
typedef struct list_state {
	crmw_buf *out;
	const char *key;
	int64_t n, shown, max_rows, max_bytes;
	int rc;
} list_state;

static int list_row(void *ud, const crmw__row *row)
{
	list_state *s = ud;
	const char *v = crmw__row_text(row, s->key);
	s->n++;
	if (s->shown < s->n - 1 || (s->max_rows > 0 && s->shown >= s->max_rows))
		return 0; /* past a cap: counted only */
	size_t mark = s->out->len;
	s->rc = crmw__buf_puts(s->out, s->shown ? "," : "");
	s->rc = s->rc ? s->rc : v ? crmw__buf_json_str(s->out, v, strlen(v)) : crmw__buf_puts(s->out, "null");
	if (!s->rc && s->max_bytes > 0 && (int64_t)s->out->len + 1 > s->max_bytes) {
		s->out->len = mark;
		s->out->data[mark] = '\0';
		return 0;
	}
	s->shown++;
	return s->rc;
}

int crmw__tool_soql_list(bcall *c, crmw_buf *q, int brc, const char *key)
{
	if (brc || set_budget(c)) {
		crmw_buf_dispose(q);
		return brc ? crmw__tool_fail(c, "TOOL_FAILED: out of memory") : -1;
	}
	crmw__buf_clear(c->out);
	list_state s = {.out = c->out, .key = key, .max_rows = c->ctx->opts.max_rows, .max_bytes = c->ctx->opts.max_bytes};
	int rc = crmw__buf_putc(c->out, '[');
	rc = rc ? rc : crmw__query_rows(c->db, q->data, &c->q, list_row, &s);
	crmw_buf_dispose(q);
	if (rc == CRMW_EUSER || rc == CRMW_ENOMEM || (!rc && crmw__buf_putc(c->out, ']')))
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	if (rc)
		return crmw__tool_fail_db(c);
	return s.shown < s.n ? notice(c, s.shown, s.n) : 0;
}

/* ---------------------------------------------------------- arguments */

const char *crmw__arg_str(json_t *args, const char *key)
{
	return json_string_value(json_object_get(args, key));
}

json_t *crmw__arg_arr(json_t *args, const char *key)
{
	json_t *v = json_object_get(args, key);
	return json_is_array(v) ? v : NULL;
}

bool crmw__arg_empty(json_t *args, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(args, *keys);
		if (json_is_array(v) && json_array_size(v) == 0)
			return true;
	}
	return false;
}

bool crmw__arg_datetime(bcall *c, const char *key, const char *s, char out[21])
{
	char d[11];
	size_t n = s ? strlen(s) : 0;
	if (n == 10 && crmw__parse_date(s, n, d) == 0) {
		snprintf(out, 21, "%sT00:00:00Z", d);
		return true;
	}
	if (n >= 16 && crmw__parse_datetime(s, n, out) == 0)
		return true;
	crmw__tool_fail(c, "INVALID_ARGUMENTS: %s '%.60s' is not a date-time in the format 'YYYY-MM-DDTHH:MM:SSZ'", key,
			s ? s : "");
	return false;
}

bool crmw__arg_period(bcall *c, json_t *args, char a[21], char b[21])
{
	return crmw__arg_datetime(c, "start_date", crmw__arg_str(args, "start_date"), a) &&
	       crmw__arg_datetime(c, "end_date", crmw__arg_str(args, "end_date"), b);
}

/* start_date/end_date arguments (either may be absent): *a and *b point to
 * the datetime literals or are NULL.  false: the call failed. */
bool crmw__arg_period_opt(bcall *c, json_t *args, char a[21], char b[21], const char **pa, const char **pb)
{
	const char *sd = crmw__arg_str(args, "start_date"), *ed = crmw__arg_str(args, "end_date");
	*pa = *pb = NULL;
	if (sd && !crmw__arg_datetime(c, "start_date", sd, a))
		return false;
	if (ed && !crmw__arg_datetime(c, "end_date", ed, b))
		return false;
	*pa = sd ? a : NULL;
	*pb = ed ? b : NULL;
	return true;
}

void crmw__arg_day(const char dt[21], char out[11])
{
	int y, m, d;
	int64_t t;
	if (!crmw__parse_epoch(dt, &t)) { /* not reached: the argument was checked */
		snprintf(out, 11, "%.10s", dt);
		return;
	}
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	if (t - days * 86400 > 0)
		days++; /* after midnight: that day's first moment is before dt */
	crmw__civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

bool crmw__parse_epoch(const char *s, int64_t *out)
{
	char norm[21];
	int y, m, d, hh, mi, ss;
	if (!s || crmw__parse_datetime(s, strlen(s), norm) ||
	    sscanf(norm, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &m, &d, &hh, &mi, &ss) != 6)
		return false;
	*out = crmw__days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss;
	return true;
}

void crmw__means_add(means *m, const char *key, double value)
{
	if (!m->sums) {
		m->sums = json_object();
		m->counts = json_object();
	}
	json_t *s = json_object_get(m->sums, key), *n = json_object_get(m->counts, key);
	json_object_set_new(m->sums, key, json_real((s ? json_real_value(s) : 0) + value));
	json_object_set_new(m->counts, key, json_integer(n ? json_integer_value(n) + 1 : 1));
}

json_t *crmw__means_result(means *m)
{
	json_t *out = json_object();
	const char *k;
	json_t *s;
	json_object_foreach(m->sums, k, s) {
		json_object_set_new(out, k, json_real(json_real_value(s) / (double)json_integer_value(json_object_get(m->counts, k))));
	}
	crmw__means_free(m);
	return out;
}

void crmw__means_free(means *m)
{
	json_decref(m->sums);
	json_decref(m->counts);
	m->sums = m->counts = NULL;
}

const crmw_role *crmw__tool_role(bcall *c)
{
	return c->q.role;
}
