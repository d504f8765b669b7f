/*
 * Running queries: options, the statement cache, the read-only sandbox
 * (authorizer, time budget, row and byte caps, value and memory bounds),
 * parameter binding and the JSON writer that shapes rows into
 * Salesforce-style records.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/internal.h"
#include "query/qfn.h"
#include "query/sqlfn.h"

#include <stddef.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CACHE_MAX 64
#define VALUE_CEILING (64 << 20)  /* the longest value when max_bytes sets no lower one */
#define RAW_MAX_COLUMNS 100       /* columns of one SELECT in raw SQL (at least the widest table) */
#define RAW_CACHE_KIB 2048        /* raw SQL: page cache of the main database, KiB (the sorter's memory) */
#define PROGRESS_STEPS 1000       /* VM steps between clock checks: generated SQL */
#define RAW_PROGRESS_STEPS 100    /* ... raw SQL, where one step may be a call over a long value */

/* ------------------------------------------------------------ options */

static const crmw_query_opts default_opts = {
	.today = "",
	.timeout_ms = 2000,
	.max_rows = 10000,
	.max_bytes = 16 << 20,
	.drop_null_columns = false,
};

int crmw_query_opts_new(crmw_query_opts **out)
{
	if (!out)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_query_opts_new: out is NULL");
	*out = malloc(sizeof **out);
	if (!*out)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	**out = default_opts;
	return CRMW_OK;
}

void crmw_query_opts_free(crmw_query_opts *o)
{
	if (o)
		crmw_role_free(o->role);
	free(o);
}

int crmw_query_opts_set_role(crmw_query_opts *o, const crmw_role *role)
{
	if (!o)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_query_opts_set_role: opts is NULL");
	crmw_role *old = o->role;
	o->role = crmw__role_ref(role);
	crmw_role_free(old);
	return CRMW_OK;
}

int crmw__query_opts_copy(crmw_query_opts *dst, const crmw_query_opts *src)
{
	crmw_role *old = dst->role;
	*dst = src ? *src : default_opts;
	dst->role = crmw__role_ref(dst->role);
	crmw_role_free(old);
	return CRMW_OK;
}

void crmw__query_opts_init(crmw_query_opts *o)
{
	*o = default_opts;
}

int crmw_query_opts_set_today(crmw_query_opts *o, const char *date)
{
	if (!o)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_query_opts_set_today: opts is NULL");
	if (!date) {
		o->today[0] = '\0';
		return CRMW_OK;
	}
	char d[11];
	if (strlen(date) != 10 || crmw__parse_date(date, 10, d))
		return crmw__errf(NULL, CRMW_EINVALID, "today '%s' is not a date (YYYY-MM-DD)", date);
	memcpy(o->today, d, 11);
	return CRMW_OK;
}

static int set_nonneg(int64_t *dst, int64_t v, const char *what)
{
	if (v < 0)
		return crmw__errf(NULL, CRMW_EINVALID, "%s must not be negative", what);
	*dst = v;
	return CRMW_OK;
}

int crmw_query_opts_set_timeout_ms(crmw_query_opts *o, int64_t ms)
{
	return o ? set_nonneg(&o->timeout_ms, ms, "timeout") : crmw__errf(NULL, CRMW_EINVALID, "opts is NULL");
}

int crmw_query_opts_set_max_rows(crmw_query_opts *o, int64_t rows)
{
	return o ? set_nonneg(&o->max_rows, rows, "max_rows") : crmw__errf(NULL, CRMW_EINVALID, "opts is NULL");
}

int crmw_query_opts_set_max_bytes(crmw_query_opts *o, int64_t bytes)
{
	return o ? set_nonneg(&o->max_bytes, bytes, "max_bytes") : crmw__errf(NULL, CRMW_EINVALID, "opts is NULL");
}

int crmw_query_opts_set_drop_null_columns(crmw_query_opts *o, int32_t on)
{
	if (!o)
		return crmw__errf(NULL, CRMW_EINVALID, "opts is NULL");
	o->drop_null_columns = on != 0;
	return CRMW_OK;
}

/* ------------------------------------------------------------ sandbox */

static const char *const allowed_functions[] = {
	"abs", "avg", "count", "max", "min", "sum", "total", "group_concat", "coalesce", "ifnull",
	"iif", "nullif", "instr", "length", "lower", "upper", "ltrim", "rtrim", "trim", "replace",
	"substr", "substring", "round", "like", "glob", "date", "time", "datetime", "julianday",
	"strftime", "unixepoch", "printf", "format", "typeof", "char", "hex", "quote", "unicode",
	"likely", "unlikely", "likelihood", "json", "json_extract", "json_array_length", "json_type",
	"json_valid", "json_quote", "json_array", "json_object", "sqlite_version", "random",
	/* the compiler's own (qfn.c, search.c) */
	"crmw_format", "crmw_distance", "crmw_geo", "crmw_pickrank", "crmw_sosl",
};
static const char *const search_functions[] = {"bm25", "highlight", "snippet", "match"};

bool crmw__sandbox_function_ok(const char *name, bool search)
{
	if (!name)
		return false;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(allowed_functions); i++)
		if (strcasecmp(name, allowed_functions[i]) == 0)
			return true;
	for (size_t i = 0; search && i < CRMW_ARRAY_LEN(search_functions); i++)
		if (strcasecmp(name, search_functions[i]) == 0)
			return true;
	return false;
}

/*
 * The cache as exec.c allocates it: q_cache (internal.h) and the state of
 * the sandbox that only this file reads.  db->qcache points at `c`.
 */
typedef struct xcache {
	q_cache c;            /* first */
	char stmt[56];        /* raw SQL: what the statement is ("DROP TABLE"), "" for a SELECT */
	int64_t value_max;    /* the longest value while a query runs (SQLITE_LIMIT_LENGTH) */
	int max_columns;      /* raw SQL: SQLITE_LIMIT_COLUMN */
	bool raw;             /* the running query is raw SQL */
	bool raw_settings;    /* raw SQL's temporary storage and cache are in force */
	int old_column;
	int old_temp_store;   /* PRAGMA temp_store before the query */
	int old_cache_size;   /* PRAGMA cache_size before the query */
} xcache;

static xcache *xc(q_cache *c)
{
	return (xcache *)c;
}

static const char *action_name(int action)
{
	switch (action) {
	case SQLITE_INSERT: return "INSERT";
	case SQLITE_UPDATE: return "UPDATE";
	case SQLITE_DELETE: return "DELETE";
	case SQLITE_ATTACH: return "ATTACH";
	case SQLITE_DETACH: return "DETACH";
	case SQLITE_TRANSACTION: return "a transaction";
	case SQLITE_SAVEPOINT: return "a savepoint";
	case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TEMP_TABLE: case SQLITE_CREATE_VTABLE: return "CREATE TABLE";
	case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TEMP_INDEX: return "CREATE INDEX";
	case SQLITE_CREATE_VIEW: case SQLITE_CREATE_TEMP_VIEW: return "CREATE VIEW";
	case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TRIGGER";
	case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_TABLE: case SQLITE_DROP_VTABLE: return "DROP TABLE";
	case SQLITE_DROP_INDEX: case SQLITE_DROP_TEMP_INDEX: return "DROP INDEX";
	case SQLITE_DROP_VIEW: case SQLITE_DROP_TEMP_VIEW: return "DROP VIEW";
	case SQLITE_DROP_TRIGGER: case SQLITE_DROP_TEMP_TRIGGER: return "DROP TRIGGER";
	case SQLITE_ALTER_TABLE: return "ALTER TABLE";
	case SQLITE_REINDEX: return "REINDEX";
	case SQLITE_ANALYZE: return "ANALYZE";
	default: return "a statement that writes";
	}
}

/*
 * What kind of statement raw SQL is, from its first keywords, for refusals:
 * the authorizer sees SQLite's own steps (DROP TABLE first deletes from
 * sqlite_master, CREATE first inserts into it), not the statement.  Writes
 * "" for a SELECT (or VALUES) and for what it does not know.
 */
typedef struct sqlscan {
	const char *p, *end;
	int depth;
} sqlscan;

/* The next keyword at any depth (quoted text and comments skipped) into w. */
static bool next_word(sqlscan *s, char *w, size_t cap)
{
	while (s->p < s->end) {
		char c = *s->p;
		if (c == '-' && s->p + 1 < s->end && s->p[1] == '-') {
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (c == '/' && s->p + 1 < s->end && s->p[1] == '*') {
			s->p += 2;
			while (s->p + 1 < s->end && !(s->p[0] == '*' && s->p[1] == '/'))
				s->p++;
			s->p = s->p + 2 < s->end ? s->p + 2 : s->end;
		} else if (c == '\'' || c == '"' || c == '`' || c == '[') {
			char close = c == '[' ? ']' : c;
			for (s->p++; s->p < s->end && *s->p != close; s->p++)
				;
			if (s->p < s->end)
				s->p++;
		} else if (c == '(' || c == ')') {
			s->depth += c == '(' ? 1 : -1;
			s->p++;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') {
			size_t n = 0;
			for (; s->p < s->end && ((*s->p >= 'A' && *s->p <= 'Z') || (*s->p >= 'a' && *s->p <= 'z') ||
						 (*s->p >= '0' && *s->p <= '9') || *s->p == '_');
			     s->p++)
				if (n + 1 < cap)
					w[n++] = (char)(*s->p >= 'a' && *s->p <= 'z' ? *s->p - 32 : *s->p);
			w[n] = '\0';
			return true;
		} else {
			s->p++;
		}
	}
	w[0] = '\0';
	return false;
}

static void statement_kind(const char *sql, size_t len, char *out, size_t cap)
{
	static const char *const plain[] = {"INSERT", "REPLACE", "UPDATE", "DELETE", "ATTACH", "DETACH",
					    "REINDEX", "ANALYZE", "VACUUM", "BEGIN", "COMMIT", "END",
					    "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"};
	sqlscan s = {sql, sql + len, 0};
	char w[24], w2[24];
	out[0] = '\0';
	next_word(&s, w, sizeof w);
	if (strcmp(w, "EXPLAIN") == 0) {
		next_word(&s, w, sizeof w);
		if (strcmp(w, "QUERY") == 0) {
			next_word(&s, w, sizeof w); /* PLAN */
			next_word(&s, w, sizeof w);
		}
	}
	if (strcmp(w, "WITH") == 0) {
		/* The statement follows the common table expressions. */
		while (next_word(&s, w, sizeof w))
			if (s.depth == 0 && (strcmp(w, "SELECT") == 0 || strcmp(w, "VALUES") == 0 || strcmp(w, "INSERT") == 0 ||
					     strcmp(w, "REPLACE") == 0 || strcmp(w, "UPDATE") == 0 || strcmp(w, "DELETE") == 0))
				break;
	}
	for (size_t i = 0; i < CRMW_ARRAY_LEN(plain); i++)
		if (strcmp(w, plain[i]) == 0) {
			snprintf(out, cap, "%s", w);
			return;
		}
	if (strcmp(w, "CREATE") == 0 || strcmp(w, "DROP") == 0 || strcmp(w, "ALTER") == 0) {
		next_word(&s, w2, sizeof w2);
		while (strcmp(w2, "TEMP") == 0 || strcmp(w2, "TEMPORARY") == 0 || strcmp(w2, "UNIQUE") == 0 ||
		       strcmp(w2, "VIRTUAL") == 0)
			next_word(&s, w2, sizeof w2);
		if (strcmp(w2, "TABLE") == 0 || strcmp(w2, "INDEX") == 0 || strcmp(w2, "VIEW") == 0 ||
		    strcmp(w2, "TRIGGER") == 0)
			snprintf(out, cap, "%s %s", w, w2);
		else
			snprintf(out, cap, "%s", w);
	}
}

static int authorize(void *ud, int action, const char *a1, const char *a2, const char *db, const char *trigger)
{
	xcache *x = ud;
	sandbox *sb = &x->c.sb;
	(void)db;
	(void)trigger;
	if (!sb->active)
		return SQLITE_OK; /* the library's own statements */
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_READ:
		if (a1 && (strncasecmp(a1, "sqlite_", 7) == 0 || strncasecmp(a1, "crmw_", 5) == 0)) {
			if (sb->search && strncasecmp(a1, "crmw_fts_", 9) == 0)
				return SQLITE_OK;
			if (!sb->denied[0])
				snprintf(sb->denied, sizeof sb->denied, "table '%s' is not part of the org", a1);
			return SQLITE_DENY;
		}
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		if (crmw__sandbox_function_ok(a2, sb->search))
			return SQLITE_OK;
		if (!sb->denied[0])
			snprintf(sb->denied, sizeof sb->denied, "function %s() is not allowed", a2 ? a2 : "?");
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		/* FTS5 reads the data version of the file; nothing else may. */
		if (sb->search && a1 && strcasecmp(a1, "data_version") == 0)
			return SQLITE_OK;
		if (!sb->denied[0])
			snprintf(sb->denied, sizeof sb->denied, "PRAGMA %s is not allowed", a1 ? a1 : "");
		return SQLITE_DENY;
	default:
		/* Name the statement refused, not the step SQLite asked about. */
		if (!sb->denied[0])
			snprintf(sb->denied, sizeof sb->denied, "only reads are allowed: %s is refused",
				 x->raw && x->stmt[0] ? x->stmt : action_name(action));
		return SQLITE_DENY;
	}
}

static int progress(void *ud)
{
	sandbox *sb = ud;
	if (!sb->has_deadline)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > sb->deadline.tv_sec ||
	    (now.tv_sec == sb->deadline.tv_sec && now.tv_nsec >= sb->deadline.tv_nsec)) {
		sb->timed_out = true;
		return 1;
	}
	return 0;
}

/* For the functions of sqlfn.c: is a running query out of time? */
static bool query_expired(void *ud)
{
	crmw_db *db = ud;
	q_cache *c = db->qcache;
	if (!c || !c->sb.active || !c->sb.has_deadline)
		return false;
	return c->sb.timed_out || progress(&c->sb);
}

/* The longest value a query with these options may make or read. */
static int64_t value_max(const crmw_query_opts *o)
{
	return o->max_bytes > 0 && o->max_bytes < VALUE_CEILING ? o->max_bytes : VALUE_CEILING;
}

static int pragma_int(crmw_db *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (!src && (src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return src;
}

/*
 * Raw SQL's memory, bounded by construction (docs/query.md, "The sandbox"):
 * sorts, DISTINCT, IN lists and materialised subqueries go to temporary
 * files past a small cache instead of growing in memory.  Temporary b-trees
 * keep SQLite's default cache (2 MiB each); a sorter holds as much as the
 * main database's page cache, so that is made small while the query runs.
 */
static void raw_settings_off(crmw_db *db, xcache *x)
{
	if (!x->raw_settings)
		return;
	char sql[96];
	snprintf(sql, sizeof sql, "PRAGMA temp_store = %d; PRAGMA main.cache_size = %d;", x->old_temp_store,
		 x->old_cache_size);
	sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	x->raw_settings = false;
}

static int raw_settings_on(crmw_db *db, xcache *x)
{
	char sql[80];
	int src = pragma_int(db, "PRAGMA temp_store", &x->old_temp_store);
	src = src ? src : pragma_int(db, "PRAGMA main.cache_size", &x->old_cache_size);
	if (!src) {
		x->raw_settings = true; /* from here on, put back whatever happens */
		snprintf(sql, sizeof sql, "PRAGMA temp_store = FILE; PRAGMA main.cache_size = -%d;", RAW_CACHE_KIB);
		src = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	}
	if (src) {
		int rc = crmw__errf(&db->h.err, CRMW_EIO, "QUERY_FAILED: cannot bound the memory of raw SQL (temporary storage): %s",
				    sqlite3_errmsg(db->sql));
		raw_settings_off(db, x);
		return rc;
	}
	return CRMW_OK;
}

/* The widest table of the org: raw SQL's column limit may not be below it
 * (SQLite checks the limit when it reads the schema, too). */
static int raw_max_columns(const crmw_db *db)
{
	int w = 0;
	for (int32_t i = 0; i < db->schema->nobjects; i++)
		if (db->schema->objects[i].nfields > w)
			w = db->schema->objects[i].nfields;
	return w + 16 > RAW_MAX_COLUMNS ? w + 16 : RAW_MAX_COLUMNS;
}

static int sandbox_on(crmw_db *db, xcache *x, const crmw_query_opts *o, int mode)
{
	sandbox *sb = &x->c.sb;
	x->raw = mode == 2;
	x->stmt[0] = '\0';
	/* The pragmas run before the authorizer enforces. */
	if (x->raw) {
		int rc = raw_settings_on(db, x);
		if (rc)
			return rc;
	}
	sb->active = true;
	sb->search = mode == 1;
	sb->denied[0] = '\0';
	sb->timed_out = false;
	sb->has_deadline = false;
	if (o->timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &sb->deadline);
		sb->deadline.tv_sec += o->timeout_ms / 1000;
		sb->deadline.tv_nsec += (o->timeout_ms % 1000) * 1000000L;
		if (sb->deadline.tv_nsec >= 1000000000L) {
			sb->deadline.tv_sec++;
			sb->deadline.tv_nsec -= 1000000000L;
		}
		sb->has_deadline = true;
		sqlite3_progress_handler(db->sql, x->raw ? RAW_PROGRESS_STEPS : PROGRESS_STEPS, progress, sb);
	}
	/* Bounded values (no longer than the result may be), patterns and SQL
	 * while the query runs; raw SQL also a bounded number of columns. */
	x->value_max = value_max(o);
	sb->old_limits[0] = sqlite3_limit(db->sql, SQLITE_LIMIT_LENGTH, (int)x->value_max);
	sb->old_limits[1] = sqlite3_limit(db->sql, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000);
	sb->old_limits[2] = sqlite3_limit(db->sql, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
	if (x->raw) {
		x->max_columns = raw_max_columns(db);
		x->old_column = sqlite3_limit(db->sql, SQLITE_LIMIT_COLUMN, x->max_columns);
	}
	return CRMW_OK;
}

static void sandbox_off(crmw_db *db, xcache *x)
{
	sandbox *sb = &x->c.sb;
	sb->active = false;
	if (sb->has_deadline)
		sqlite3_progress_handler(db->sql, 0, NULL, NULL);
	sqlite3_limit(db->sql, SQLITE_LIMIT_LENGTH, sb->old_limits[0]);
	sqlite3_limit(db->sql, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, sb->old_limits[1]);
	sqlite3_limit(db->sql, SQLITE_LIMIT_SQL_LENGTH, sb->old_limits[2]);
	if (x->raw)
		sqlite3_limit(db->sql, SQLITE_LIMIT_COLUMN, x->old_column);
	raw_settings_off(db, x);
	x->raw = false;
}

/*
 * The cache, and with it the authorizer and the linear-time functions, for
 * this handle.  The functions stay registered for the life of the
 * connection (they read the sandbox through db->qcache, so a cache freed
 * and made again finds them in place).
 */
static void qcache_free(crmw_db *db);

static int get_cache(crmw_db *db, q_cache **out)
{
	if (!db->qcache) {
		xcache *x = calloc(1, sizeof *x);
		if (!x)
			return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		int src = crmw__sqlfn_register(db->sql, query_expired, db);
		src = src ? src : crmw__qfn_register(db->sql);
		src = src ? src : crmw__search_register(db->sql, query_expired, db);
		if (src) {
			free(x);
			return crmw__errf(&db->h.err, src == SQLITE_NOMEM ? CRMW_ENOMEM : CRMW_EIO,
					  "QUERY_FAILED: cannot install the sandbox's functions: %s", sqlite3_errstr(src));
		}
		db->qcache = &x->c;
		db->qcache_free = qcache_free;
		sqlite3_set_authorizer(db->sql, authorize, x);
	}
	*out = db->qcache;
	return CRMW_OK;
}

/* A failed step or prepare, in the words an agent reads. */
static int run_error(crmw_db *db, sandbox *sb, const crmw_query_opts *o, int src)
{
	int prim = src & 0xff;
	xcache *x = xc(db->qcache);
	const char *msg = sqlite3_errmsg(db->sql);
	if (prim == SQLITE_INTERRUPT && sb->timed_out)
		return crmw__errf(&db->h.err, CRMW_ELIMIT,
				  "QUERY_TIMEOUT: the query ran longer than its budget of %lld ms; narrow the WHERE clause or add a LIMIT",
				  (long long)o->timeout_ms);
	/* A denial may surface as SQLITE_AUTH or as an error of whatever needed
	 * the denied thing (a function, a virtual table): the authorizer knows. */
	if (prim == SQLITE_AUTH || sb->denied[0])
		return crmw__errf(&db->h.err, CRMW_EACCESS, "INSUFFICIENT_ACCESS: %s",
				  sb->denied[0] ? sb->denied : "not allowed in a read-only query");
	if (strstr(msg, "pattern too complex"))
		return crmw__errf(&db->h.err, CRMW_ELIMIT, "LIMIT_EXCEEDED: the LIKE pattern is too long (at most 1000 characters)");
	if (prim == SQLITE_TOOBIG)
		return crmw__errf(&db->h.err, CRMW_ELIMIT,
				  "LIMIT_EXCEEDED: a value, or a row being sorted or grouped, is larger than %lld bytes, the most a "
				  "result may hold (max_bytes: crmw_query_opts_set_max_bytes, --max-bytes); select fewer or shorter values",
				  (long long)x->value_max);
	if (x->raw && (strstr(msg, "too many columns") || (strstr(msg, "too many terms") && strstr(msg, " BY clause"))))
		return crmw__errf(&db->h.err, CRMW_ELIMIT,
				  "LIMIT_EXCEEDED: %s; raw SQL may have at most %d columns or terms in one SELECT, ORDER BY or GROUP BY",
				  msg, x->max_columns);
	return crmw__errf(&db->h.err, prim == SQLITE_NOMEM ? CRMW_ENOMEM : CRMW_EQUERY, "%s: %s",
			  prim == SQLITE_ERROR ? "MALFORMED_QUERY" : "QUERY_FAILED", msg);
}

/* -------------------------------------------------------------- cache */

static void finalize_tree(q_compiled *qc)
{
	if (!qc)
		return;
	sqlite3_finalize(qc->st);
	qc->st = NULL;
	for (int i = 0; i < qc->nchildren; i++)
		finalize_tree(qc->children[i]);
}

static void entry_dispose(q_entry *e)
{
	for (int i = 0; i < e->nparts; i++)
		finalize_tree(e->parts[i]);
	crmw__arena_free(&e->arena);
	free(e->text);
	memset(e, 0, sizeof *e);
}

static void qcache_free(crmw_db *db)
{
	q_cache *c = db->qcache;
	if (!c)
		return;
	if (db->sql)
		sqlite3_set_authorizer(db->sql, NULL, NULL);
	for (int i = 0; i < c->n; i++)
		entry_dispose(&c->entries[i]);
	free(c->entries);
	free(c);
	db->qcache = NULL;
}

static int prepare_tree(crmw_db *db, sandbox *sb, const crmw_query_opts *o, q_compiled *qc)
{
	int src = sqlite3_prepare_v3(db->sql, qc->sql, -1, SQLITE_PREPARE_PERSISTENT, &qc->st, NULL);
	if (src)
		return run_error(db, sb, o, src);
	for (int i = 0; i < qc->nchildren; i++) {
		int rc = prepare_tree(db, sb, o, qc->children[i]);
		if (rc)
			return rc;
	}
	return CRMW_OK;
}

/* Parse, compile and prepare a query, or find it in the cache. */
static int lookup(crmw_db *db, sandbox *sb, const crmw_query_opts *o, int mode, const char *text,
		  size_t len, q_entry **out)
{
	q_cache *c = db->qcache;
	const crmw_role *role = o->role;
	uint64_t serial = role ? role->serial : 0;
	for (int i = 0; i < c->n; i++) {
		q_entry *e = &c->entries[i];
		if (e->mode == mode && e->role == serial && e->len == len && memcmp(e->text, text, len) == 0) {
			e->used = ++c->clock;
			*out = e;
			return CRMW_OK;
		}
	}
	q_entry fresh = {.mode = mode, .role = serial, .len = len, .limit = -1};
	if (mode == 2 && role && !role->raw_sql)
		return crmw__errf(&db->h.err, CRMW_EACCESS,
				  "INSUFFICIENT_ACCESS: role '%s' may not run raw SQL; use SOQL or SOSL", role->name);
	int rc = CRMW_OK;
	if (!(fresh.text = crmw__strndup(text, len)))
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	if (mode == 0) {
		q_select *s = NULL;
		q_compiled *qc = NULL;
		rc = crmw__parse_soql(&fresh.arena, text, len, &s, &db->h.err);
		rc = rc ? rc : crmw__compile_soql(db, role, &fresh.arena, s, &qc);
		if (!rc) {
			fresh.parts = crmw__arena_alloc(&fresh.arena, sizeof *fresh.parts);
			if (!fresh.parts)
				rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
			else {
				fresh.parts[0] = qc;
				fresh.nparts = 1;
			}
		}
	} else if (mode == 1) {
		q_search *s = NULL;
		rc = crmw__parse_sosl(&fresh.arena, text, len, &s, &db->h.err);
		rc = rc ? rc : crmw__compile_sosl(db, role, &fresh.arena, s, &fresh.parts, &fresh.nparts);
		if (!rc && s->has_limit)
			fresh.limit = s->limit;
	} else {
		q_compiled *qc = crmw__arena_alloc(&fresh.arena, sizeof *qc);
		fresh.parts = crmw__arena_alloc(&fresh.arena, sizeof *fresh.parts);
		if (!qc || !fresh.parts || !(qc->sql = crmw__arena_strndup(&fresh.arena, text, len)))
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		else {
			qc->id_col = -1;
			fresh.parts[0] = qc;
			fresh.nparts = 1;
		}
	}
	for (int i = 0; !rc && i < fresh.nparts; i++) {
		if (mode == 2) {
			/* Raw SQL: exactly one statement, read-only, no parameters. */
			const char *tail = NULL;
			q_compiled *qc = fresh.parts[0];
			xcache *x = xc(c);
			/* A statement that is not a read is refused by its name before
			 * SQLite looks at it (and at the names in it); a PRAGMA goes to
			 * the authorizer, which names the pragma. */
			statement_kind(text, len, x->stmt, sizeof x->stmt);
			if (x->stmt[0] && strcmp(x->stmt, "PRAGMA") != 0) {
				rc = crmw__errf(&db->h.err, CRMW_EACCESS, "INSUFFICIENT_ACCESS: only reads are allowed: %s is refused",
						x->stmt);
				break;
			}
			int src = sqlite3_prepare_v3(db->sql, qc->sql, (int)len, SQLITE_PREPARE_PERSISTENT, &qc->st, &tail);
			if (src) {
				rc = run_error(db, sb, o, src);
				break;
			}
			if (!qc->st) {
				rc = crmw__errf(&db->h.err, CRMW_EQUERY, "MALFORMED_QUERY: the SQL holds no statement");
				break;
			}
			while (tail && *tail && (*tail == ';' || *tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r'))
				tail++;
			if (tail && *tail) {
				/* the first 40 bytes of the text, cut between characters */
				size_t shown = len > 40 ? 40 : len;
				while (shown > 0 && ((unsigned char)qc->sql[shown] & 0xC0) == 0x80)
					shown--;
				rc = crmw__errf(&db->h.err, CRMW_EACCESS, "INSUFFICIENT_ACCESS: one statement at a time (found more after '%.*s')",
						(int)shown, qc->sql);
				break;
			}
			if (!sqlite3_stmt_readonly(qc->st) && x->stmt[0]) {
				rc = crmw__errf(&db->h.err, CRMW_EACCESS, "INSUFFICIENT_ACCESS: only reads are allowed: %s is refused",
						x->stmt);
				break;
			}
			if (!sqlite3_stmt_readonly(qc->st) || sqlite3_bind_parameter_count(qc->st) > 0) {
				rc = crmw__errf(&db->h.err, CRMW_EACCESS, "INSUFFICIENT_ACCESS: only a read-only SELECT without parameters is allowed");
				break;
			}
		} else {
			rc = prepare_tree(db, sb, o, fresh.parts[i]);
		}
	}
	if (rc) {
		entry_dispose(&fresh);
		return rc;
	}
	/* Insert, evicting the least recently used entry when full. */
	if (c->n == c->cap && c->cap < CACHE_MAX) {
		int cap = c->cap ? c->cap * 2 : 8;
		q_entry *ne = realloc(c->entries, sizeof *ne * (size_t)cap);
		if (!ne) {
			entry_dispose(&fresh);
			return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
		}
		c->entries = ne;
		c->cap = cap;
	}
	int slot = c->n;
	if (c->n == c->cap) {
		slot = 0;
		for (int i = 1; i < c->n; i++)
			if (c->entries[i].used < c->entries[slot].used)
				slot = i;
		entry_dispose(&c->entries[slot]);
	} else {
		c->n++;
	}
	fresh.used = ++c->clock;
	c->entries[slot] = fresh;
	*out = &c->entries[slot];
	return CRMW_OK;
}

/* --------------------------------------------------------------- run */

typedef struct qrun {
	crmw_db *db;
	const crmw_query_opts *o;
	sandbox *sb;
	int64_t today;
	crmw_buf *b;
	bool truncate;   /* cut at the caps instead of failing */
	bool stopped;    /* a cap was reached: count the rest, write nothing */
	bool uncounted;  /* the time budget ran out while counting */
	int64_t shown, total;
} qrun;

static int64_t resolve_today(crmw_db *db, const crmw_query_opts *o)
{
	const char *t = o->today[0] ? o->today : db->now;
	int y, m, d;
	if (t && sscanf(t, "%4d-%2d-%2d", &y, &m, &d) == 3)
		return crmw__days_from_civil(y, m, d);
	time_t now = time(NULL);
	return (int64_t)(now / 86400);
}

static int bind_params(qrun *r, q_compiled *qc, const char *parent_id)
{
	sqlite3_stmt *st = qc->st;
	sqlite3_reset(st);
	for (int i = 0; i < qc->nparams; i++) {
		const q_param *p = &qc->params[i];
		int col = i + 1, src = SQLITE_OK;
		switch (p->kind) {
		case P_VALUE:
			if (p->vkind == CRMW_VAL_INT)
				src = sqlite3_bind_int64(st, col, p->i);
			else if (p->vkind == CRMW_VAL_REAL)
				src = sqlite3_bind_double(st, col, p->d);
			else
				src = sqlite3_bind_text(st, col, p->s, -1, SQLITE_STATIC);
			break;
		case P_RANGE_START:
		case P_RANGE_END: {
			int64_t s, e;
			crmw__datelit_range(p->lit, p->n, r->today, r->db->fiscal_start, &s, &e);
			int y, m, d;
			crmw__civil_from_days(p->kind == P_RANGE_START ? s : e, &y, &m, &d);
			char v[32];
			if (p->datetime)
				snprintf(v, sizeof v, "%04d-%02d-%02dT00:00:00Z", y, m, d);
			else
				snprintf(v, sizeof v, "%04d-%02d-%02d", y, m, d);
			src = sqlite3_bind_text(st, col, v, -1, SQLITE_TRANSIENT);
			break;
		}
		case P_PARENT_ID:
			src = sqlite3_bind_text(st, col, parent_id ? parent_id : "", -1, SQLITE_TRANSIENT);
			break;
		}
		if (src == SQLITE_TOOBIG)
			return crmw__errf(&r->db->h.err, CRMW_ELIMIT,
					  "LIMIT_EXCEEDED: a value in the query is longer than %lld bytes, the most a result may hold "
					  "(max_bytes: crmw_query_opts_set_max_bytes, --max-bytes)",
					  (long long)xc(r->db->qcache)->value_max);
		if (src)
			return crmw__errf(&r->db->h.err, CRMW_ENOMEM, "binding a query parameter failed");
	}
	return CRMW_OK;
}

static int put_value(crmw_buf *b, sqlite3_stmt *st, int col, int32_t ftype)
{
	int t = sqlite3_column_type(st, col);
	if (t == SQLITE_NULL)
		return crmw__buf_puts(b, "null");
	if (ftype == CRMW_FIELD_BOOLEAN)
		return crmw__buf_puts(b, sqlite3_column_int64(st, col) ? "true" : "false");
	if (ftype == CRMW_FIELD_LOCATION && t == SQLITE_TEXT)
		return crmw__location_json(b, (const char *)sqlite3_column_text(st, col), (size_t)sqlite3_column_bytes(st, col));
	if (t == SQLITE_INTEGER) {
		if (ftype == -2)
			return crmw__buf_double(b, (double)sqlite3_column_int64(st, col));
		return crmw__buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
	}
	if (t == SQLITE_FLOAT)
		return crmw__buf_double(b, sqlite3_column_double(st, col));
	if (t == SQLITE_BLOB) {
		/* Org tables hold no blobs; raw SQL may make one: hex text. */
		const unsigned char *p = sqlite3_column_blob(st, col);
		int n = sqlite3_column_bytes(st, col);
		int rc = crmw__buf_putc(b, '"');
		for (int i = 0; !rc && i < n; i++)
			rc = crmw__buf_printf(b, "%02x", p[i]);
		return rc ? rc : crmw__buf_putc(b, '"');
	}
	const char *s = (const char *)sqlite3_column_text(st, col);
	return crmw__buf_json_str(b, s ? s : "", (size_t)sqlite3_column_bytes(st, col));
}

static int run_child(qrun *r, q_compiled *qc, const char *parent_id);

static int put_key(crmw_buf *b, const char *key, bool *first)
{
	int rc = crmw__buf_puts(b, *first ? "" : ",");
	*first = false;
	rc = rc ? rc : crmw__buf_json_str(b, key, strlen(key));
	return rc ? rc : crmw__buf_putc(b, ':');
}

static int put_record(qrun *r, q_compiled *qc, const q_node *node, sqlite3_stmt *st, const bool *keep)
{
	crmw_buf *b = r->b;
	bool first = true;
	int rc = crmw__buf_putc(b, '{');
	for (int i = 0; !rc && i < node->nkids; i++) {
		const q_node *k = &node->kids[i];
		if (keep && !keep[i])
			continue;
		if ((rc = put_key(b, k->key, &first)))
			break;
		switch (k->kind) {
		case N_VALUE:
			rc = put_value(b, st, k->col, k->ftype);
			break;
		case N_PARENT:
			if (sqlite3_column_type(st, k->col) == SQLITE_NULL)
				rc = crmw__buf_puts(b, "null");
			else
				rc = put_record(r, qc, k, st, NULL);
			break;
		case N_CHILD: {
			const char *pid = (const char *)sqlite3_column_text(st, qc->id_col);
			char id[32];
			snprintf(id, sizeof id, "%s", pid ? pid : "");
			rc = run_child(r, k->child, id);
			break;
		}
		}
	}
	if (rc == CRMW_ENOMEM)
		return crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory");
	return rc ? rc : crmw__buf_putc(b, '}') ? crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory") : CRMW_OK;
}

static int check_budget(qrun *r, int64_t rows)
{
	if (r->o->max_rows > 0 && rows > r->o->max_rows)
		return crmw__errf(&r->db->h.err, CRMW_ELIMIT,
				  "LIMIT_EXCEEDED: the query returns more than %lld records; add a LIMIT or narrow the WHERE clause",
				  (long long)r->o->max_rows);
	if (r->o->max_bytes > 0 && (int64_t)r->b->len > r->o->max_bytes)
		return crmw__errf(&r->db->h.err, CRMW_ELIMIT,
				  "LIMIT_EXCEEDED: the result is larger than %lld bytes; select fewer fields or records",
				  (long long)r->o->max_bytes);
	return CRMW_OK;
}

/* The child records of one parent: {"totalSize":n,"done":true,"records":[...]} or null. */
static int run_child(qrun *r, q_compiled *qc, const char *parent_id)
{
	int rc = bind_params(r, qc, parent_id);
	if (rc)
		return rc;
	size_t mark = r->b->len;
	if (crmw__buf_puts(r->b, "{\"totalSize\":"))
		return CRMW_ENOMEM;
	/* Records go after a placeholder for the count; write them, then fix up. */
	crmw_buf *outer = r->b;
	crmw_buf recs = CRMW_BUF_INIT;
	r->b = &recs;
	int64_t n = 0;
	int src;
	while ((src = sqlite3_step(qc->st)) == SQLITE_ROW) {
		if ((rc = crmw__buf_puts(&recs, n ? "," : "")) || (rc = put_record(r, qc, &qc->root, qc->st, NULL)))
			break;
		n++;
	}
	r->b = outer;
	if (!rc && src != SQLITE_DONE)
		rc = run_error(r->db, r->sb, r->o, src);
	sqlite3_reset(qc->st);
	if (!rc) {
		if (n == 0) {
			outer->len = mark;
			rc = crmw__buf_puts(outer, "null");
		} else {
			rc = crmw__buf_printf(outer, "%lld,\"done\":true,\"records\":[", (long long)n);
			rc = rc ? rc : crmw__buf_append(outer, recs.data, recs.len);
			rc = rc ? rc : crmw__buf_puts(outer, "]}");
		}
		if (rc)
			rc = crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(&recs);
	return rc ? rc : r->truncate ? CRMW_OK : check_budget(r, 0);
}

/*
 * After writing record number `n` (1-based) from byte `mark`: with
 * truncation on and a cap passed, take the record back and stop writing.
 * Returns true when the record was taken back.
 */
static bool cut_here(qrun *r, int64_t n, size_t mark)
{
	if (!r->truncate || r->stopped)
		return false;
	bool over = (r->o->max_rows > 0 && n > r->o->max_rows) ||
		    (r->o->max_bytes > 0 && (int64_t)r->b->len > r->o->max_bytes);
	if (!over)
		return false;
	r->b->len = mark;
	r->b->data[mark] = '\0';
	r->stopped = true;
	return true;
}

/* A step result that ends a run early without failing it: running out of
 * time while counting past a cap, or (truncating) a value over the cap. */
static bool count_cut_short(qrun *r, int src)
{
	if (r->stopped && (src & 0xff) == SQLITE_INTERRUPT && r->sb->timed_out) {
		r->uncounted = true;
		return true;
	}
	/* A value longer than the byte cap: no record holding it could be
	 * shown, so a truncating run is cut there (count unknown). */
	if (r->truncate && (src & 0xff) == SQLITE_TOOBIG) {
		r->stopped = true;
		r->uncounted = true;
		return true;
	}
	return false;
}

/* Top-level keys that hold a value in some row (for drop_null_columns). */
static int scan_nonnull(qrun *r, q_compiled *qc, bool *keep)
{
	const q_node *root = &qc->root;
	for (int i = 0; i < root->nkids; i++)
		keep[i] = root->kids[i].kind == N_CHILD;
	int src;
	while ((src = sqlite3_step(qc->st)) == SQLITE_ROW)
		for (int i = 0; i < root->nkids; i++)
			if (!keep[i] && sqlite3_column_type(qc->st, root->kids[i].col) != SQLITE_NULL)
				keep[i] = true;
	if (src != SQLITE_DONE)
		return run_error(r->db, r->sb, r->o, src);
	return bind_params(r, qc, NULL);
}

static int run_soql(qrun *r, q_compiled *qc)
{
	int rc = bind_params(r, qc, NULL);
	if (rc)
		return rc;
	crmw_buf *b = r->b;
	int src;
	if (qc->count_only) {
		src = sqlite3_step(qc->st);
		if (src != SQLITE_ROW)
			return run_error(r->db, r->sb, r->o, src);
		rc = crmw__buf_printf(b, "{\"totalSize\":%lld,\"done\":true,\"records\":[]}",
				      (long long)sqlite3_column_int64(qc->st, 0));
		sqlite3_reset(qc->st);
		return rc ? crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory") : CRMW_OK;
	}
	bool *keep = NULL;
	if (r->o->drop_null_columns && qc->root.nkids > 0) {
		keep = calloc((size_t)qc->root.nkids, sizeof *keep);
		if (!keep)
			return crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory");
		if ((rc = scan_nonnull(r, qc, keep))) {
			free(keep);
			sqlite3_reset(qc->st);
			return rc;
		}
	}
	rc = crmw__buf_putc(b, '[') ? CRMW_ENOMEM : CRMW_OK;
	int64_t n = 0;
	while (!rc && (src = sqlite3_step(qc->st)) == SQLITE_ROW) {
		r->total++;
		if (r->stopped)
			continue;
		size_t mark = b->len;
		if (n && crmw__buf_putc(b, ','))
			rc = CRMW_ENOMEM;
		rc = rc ? rc : put_record(r, qc, &qc->root, qc->st, keep);
		n++;
		if (!rc && cut_here(r, n, mark))
			n--;
		else
			rc = rc ? rc : r->truncate ? CRMW_OK : check_budget(r, n);
	}
	r->shown += n;
	if (!rc && src != SQLITE_DONE && !count_cut_short(r, src))
		rc = run_error(r->db, r->sb, r->o, src);
	if (!rc && crmw__buf_putc(b, ']'))
		rc = CRMW_ENOMEM;
	if (rc == CRMW_ENOMEM)
		crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory");
	sqlite3_reset(qc->st);
	free(keep);
	return rc;
}

/* Hand each row of a flat SOQL result to a callback (the library's own tools). */
static int run_rows(qrun *r, q_compiled *qc, crmw__row_fn fn, void *ud)
{
	if (qc->nchildren > 0 || qc->count_only)
		return crmw__errf(&r->db->h.err, CRMW_EINVALID, "row callbacks take flat SOQL (no subqueries, no COUNT())");
	int rc = bind_params(r, qc, NULL);
	if (rc)
		return rc;
	crmw__row row = {.st = qc->st, .root = &qc->root};
	int src;
	while ((src = sqlite3_step(qc->st)) == SQLITE_ROW) {
		if (fn(ud, &row)) {
			rc = CRMW_EUSER;
			break;
		}
	}
	if (!rc && src != SQLITE_DONE)
		rc = run_error(r->db, r->sb, r->o, src);
	sqlite3_reset(qc->st);
	return rc;
}

int crmw__row_col(const crmw__row *row, const char *key)
{
	for (int i = 0; i < row->root->nkids; i++)
		if (row->root->kids[i].kind == N_VALUE && strcmp(row->root->kids[i].key, key) == 0)
			return row->root->kids[i].col;
	return -1;
}

const char *crmw__row_text(const crmw__row *row, const char *key)
{
	int c = crmw__row_col(row, key);
	return c < 0 ? NULL : (const char *)sqlite3_column_text(row->st, c);
}

double crmw__row_double(const crmw__row *row, const char *key)
{
	int c = crmw__row_col(row, key);
	return c < 0 ? 0 : sqlite3_column_double(row->st, c);
}

bool crmw__row_null(const crmw__row *row, const char *key)
{
	int c = crmw__row_col(row, key);
	return c < 0 || sqlite3_column_type(row->st, c) == SQLITE_NULL;
}

static int run_sosl(qrun *r, q_entry *e)
{
	crmw_buf *b = r->b;
	int rc = crmw__buf_putc(b, '{') ? CRMW_ENOMEM : CRMW_OK;
	int64_t total = 0;
	for (int i = 0; !rc && i < e->nparts; i++) {
		q_compiled *qc = e->parts[i];
		rc = crmw__buf_printf(b, "%s\"%s\":[", i ? "," : "", qc->object) ? CRMW_ENOMEM : CRMW_OK;
		rc = rc ? rc : bind_params(r, qc, NULL);
		int64_t n = 0;
		int src = SQLITE_DONE;
		while (!rc && (e->limit < 0 || total < e->limit) && (src = sqlite3_step(qc->st)) == SQLITE_ROW) {
			total++;
			r->total++;
			if (r->stopped)
				continue;
			size_t mark = b->len;
			if (n && crmw__buf_putc(b, ','))
				rc = CRMW_ENOMEM;
			rc = rc ? rc : put_record(r, qc, &qc->root, qc->st, NULL);
			n++;
			r->shown++;
			if (!rc && cut_here(r, r->shown, mark)) {
				n--;
				r->shown--;
			} else {
				rc = rc ? rc : r->truncate ? CRMW_OK : check_budget(r, total);
			}
		}
		if (!rc && src != SQLITE_DONE && src != SQLITE_ROW && !count_cut_short(r, src))
			rc = run_error(r->db, r->sb, r->o, src);
		sqlite3_reset(qc->st);
		if (!rc && crmw__buf_putc(b, ']'))
			rc = CRMW_ENOMEM;
	}
	if (!rc && crmw__buf_putc(b, '}'))
		rc = CRMW_ENOMEM;
	if (rc == CRMW_ENOMEM)
		crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory");
	return rc;
}

static int run_sql(qrun *r, q_compiled *qc)
{
	sqlite3_stmt *st = qc->st;
	sqlite3_reset(st);
	crmw_buf *b = r->b;
	int ncol = sqlite3_column_count(st);
	int rc = crmw__buf_putc(b, '[') ? CRMW_ENOMEM : CRMW_OK;
	int64_t n = 0;
	int src = SQLITE_DONE;
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		rc = crmw__buf_puts(b, n ? ",{" : "{") ? CRMW_ENOMEM : CRMW_OK;
		bool first = true;
		for (int i = 0; !rc && i < ncol; i++) {
			const char *name = sqlite3_column_name(st, i);
			rc = put_key(b, name ? name : "?", &first);
			rc = rc ? rc : put_value(b, st, i, CRMW_FIELD_STRING);
			/* Value by value: a wide row stops at the cap, not after it. */
			rc = rc ? rc : check_budget(r, n);
		}
		rc = rc ? rc : crmw__buf_putc(b, '}') ? CRMW_ENOMEM : CRMW_OK;
		n++;
		rc = rc ? rc : check_budget(r, n);
	}
	if (!rc && src != SQLITE_DONE)
		rc = run_error(r->db, r->sb, r->o, src);
	if (!rc && crmw__buf_putc(b, ']'))
		rc = CRMW_ENOMEM;
	if (rc == CRMW_ENOMEM)
		crmw__errf(&r->db->h.err, CRMW_ENOMEM, "out of memory");
	sqlite3_reset(st);
	return rc;
}

/* ------------------------------------------------------------- entry */

/*
 * FTS5 connects to its tables (reading sqlite_master and its own shadow
 * tables) the first time a connection uses them.  Do that outside the
 * sandbox, so that the authorizer only ever sees the query's own reads.
 */
static void warm_search_indexes(crmw_db *db)
{
	for (int32_t i = 0; i < db->schema->nobjects; i++) {
		const crmw_object *o = &db->schema->objects[i];
		if (!crmw__object_searchable(o))
			continue;
		char sql[300];
		snprintf(sql, sizeof sql, "SELECT rowid FROM \"crmw_fts_%s\" WHERE 0", o->name);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) == SQLITE_OK)
			sqlite3_step(st);
		sqlite3_finalize(st);
	}
}

static int query_common(crmw_buf *out, crmw_db *db, const char *text, size_t len,
			const crmw_query_opts *opts, int mode, bool explain, const char *fn, crmw__qinfo *info,
			crmw__row_fn row_fn, void *row_ud)
{
	if (!out || !db || !text)
		return crmw__errf(db ? &db->h.err : NULL, CRMW_EINVALID, "%s: NULL argument", fn);
	const crmw_query_opts *o = opts ? opts : &default_opts;
	if (mode < 0)
		mode = crmw__is_sosl(text, len) ? 1 : 0;
	q_cache *cache = NULL;
	int rc = get_cache(db, &cache);
	if (rc) {
		crmw__errf(NULL, rc, "%s", crmw__err_msg(&db->h.err));
		return rc;
	}
	if (mode == 1 && !cache->fts_warm) {
		warm_search_indexes(db);
		cache->fts_warm = true;
	}
	sandbox *sb = &cache->sb;
	if ((rc = sandbox_on(db, xc(cache), o, mode))) {
		crmw__errf(NULL, rc, "%s", crmw__err_msg(&db->h.err));
		return rc;
	}
	q_entry *e = NULL;
	rc = lookup(db, sb, o, mode, text, len, &e);
	crmw_buf b = CRMW_BUF_INIT;
	qrun r = {.db = db, .o = o, .sb = sb, .today = resolve_today(db, o), .b = &b, .truncate = info != NULL};
	if (!rc && explain) {
		rc = crmw__buf_printf(&b, "{\"kind\":\"%s\",\"sql\":[", mode == 0 ? "soql" : mode == 1 ? "sosl" : "sql");
		for (int i = 0; !rc && i < e->nparts; i++) {
			q_compiled *qc = e->parts[i];
			rc = crmw__buf_puts(&b, i ? "," : "");
			rc = rc ? rc : crmw__buf_json_str(&b, qc->sql, strlen(qc->sql));
			for (int k = 0; !rc && k < qc->nchildren; k++) {
				rc = crmw__buf_putc(&b, ',');
				rc = rc ? rc : crmw__buf_json_str(&b, qc->children[k]->sql, strlen(qc->children[k]->sql));
			}
		}
		rc = rc ? rc : crmw__buf_puts(&b, "],\"params\":[");
		for (int i = 0; !rc && i < e->nparts; i++) {
			q_compiled *qc = e->parts[i];
			for (int k = 0; !rc && k < qc->nparams; k++) {
				const q_param *p = &qc->params[k];
				rc = crmw__buf_puts(&b, (i || k) ? "," : "");
				if (rc)
					break;
				if (p->kind == P_VALUE && p->vkind == CRMW_VAL_INT)
					rc = crmw__buf_printf(&b, "%lld", (long long)p->i);
				else if (p->kind == P_VALUE && p->vkind == CRMW_VAL_REAL)
					rc = crmw__buf_double(&b, p->d);
				else if (p->kind == P_VALUE)
					rc = crmw__buf_json_str(&b, p->s, strlen(p->s));
				else if (p->kind == P_PARENT_ID)
					rc = crmw__buf_puts(&b, "{\"parent\":\"Id\"}");
				else {
					int64_t s0, e0;
					crmw__datelit_range(p->lit, p->n, r.today, db->fiscal_start, &s0, &e0);
					int y, m, d;
					crmw__civil_from_days(p->kind == P_RANGE_START ? s0 : e0, &y, &m, &d);
					rc = crmw__buf_printf(&b, "{\"%s\":\"%s\",\"value\":\"%04d-%02d-%02d%s\"}",
							      p->kind == P_RANGE_START ? "range_start" : "range_end",
							      crmw__datelit_name(p->lit), y, m, d,
							      p->datetime ? "T00:00:00Z" : "");
				}
			}
		}
		rc = rc ? rc : crmw__buf_puts(&b, "]}");
		if (rc)
			rc = crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	} else if (!rc) {
		if (row_fn)
			rc = mode == 0 ? run_rows(&r, e->parts[0], row_fn, row_ud)
				       : crmw__errf(&db->h.err, CRMW_EINVALID, "row callbacks take SOQL only");
		else if (mode == 0)
			rc = run_soql(&r, e->parts[0]);
		else if (mode == 1)
			rc = run_sosl(&r, e);
		else
			rc = run_sql(&r, e->parts[0]);
	}
	sandbox_off(db, xc(cache));
	if (rc) {
		crmw_buf_dispose(&b);
		if (rc != CRMW_EUSER || !row_fn)
			crmw__errf(NULL, rc, "%s", crmw__err_msg(&db->h.err));
		return rc;
	}
	if (info) {
		info->truncated = r.stopped;
		info->shown = r.shown;
		info->total = r.uncounted ? -1 : r.total;
	}
	if (row_fn) {
		crmw_buf_dispose(&b);
		return CRMW_OK;
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

int crmw__query_run(crmw_buf *out, crmw_db *db, const char *text, size_t len, const crmw_query_opts *opts,
		    crmw__qinfo *info)
{
	int rc = query_common(out, db, text, len, opts, -1, false, "crmw_query", info, NULL, NULL);
	/* A search index reconnects after another connection changed the
	 * schema; connect it outside the sandbox and try once more. */
	if (rc == CRMW_EACCESS && db && db->qcache && text && crmw__is_sosl(text, len)) {
		db->qcache->fts_warm = false;
		rc = query_common(out, db, text, len, opts, -1, false, "crmw_query", info, NULL, NULL);
	}
	return rc;
}

int crmw_query(crmw_buf *out, crmw_db *db, const char *text, size_t len, const crmw_query_opts *opts)
{
	return crmw__query_run(out, db, text, len, opts, NULL);
}

int crmw_query_sql(crmw_buf *out, crmw_db *db, const char *sql, size_t len, const crmw_query_opts *opts)
{
	return query_common(out, db, sql, len, opts, 2, false, "crmw_query_sql", NULL, NULL, NULL);
}

int crmw_query_explain(crmw_buf *out, crmw_db *db, const char *text, size_t len, const crmw_query_opts *opts)
{
	return query_common(out, db, text, len, opts, -1, true, "crmw_query_explain", NULL, NULL, NULL);
}

int crmw__query_rows(crmw_db *db, const char *text, const crmw_query_opts *opts, crmw__row_fn fn, void *ud)
{
	crmw_buf unused = CRMW_BUF_INIT;
	return query_common(&unused, db, text, strlen(text), opts, 0, false, "crmw__query_rows", NULL, fn, ud);
}
