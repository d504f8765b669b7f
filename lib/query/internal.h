/*
 * lib/query/internal.h: compiled queries and the statement cache.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_QUERY_INTERNAL_H
#define CRMW_QUERY_INTERNAL_H

#include "query/ast.h"
#include "store/internal.h"
#include <crmweaver/access.h>
#include <crmweaver/query.h>

#include <stdatomic.h>

#include <time.h>

/* ------------------------------------------------------------ roles */

enum { FM_ALL, FM_ONLY, FM_HIDDEN };
enum { VAR_ACCOUNT, VAR_CONTACT, VAR_USER, ROLE_NVARS };

/* The variables one part of a role bound: a role made by crmw_role_new has
 * one part; an intersection keeps the parts of both sides, so that each row
 * rule is bound with the variables of the role it came from. */
typedef struct acl_part {
	char *owner;             /* the name of the role the part came from (messages) */
	char *vars[ROLE_NVARS];
} acl_part;

/* A row rule: a SOQL condition with :variables, bound with its part's. */
typedef struct acl_rule {
	char *where;
	int part;                /* index into the role's parts */
} acl_rule;

/* One object's permissions in a role. */
typedef struct acl_obj {
	char *name;        /* canonical object name */
	bool read;
	int fmode;         /* FM_ALL: every field; FM_ONLY: just `fields`; FM_HIDDEN: all but `fields` */
	char **fields;
	int nfields;
	acl_rule *rules;   /* a record is visible when every rule accepts it (none: every row) */
	int nrules;
} acl_obj;

struct crmw_role {
	atomic_int refs;
	char *name;
	bool default_read; /* objects not listed */
	bool raw_sql, metrics;
	acl_obj *objs;
	int nobjs;
	char *vars[ROLE_NVARS]; /* the bindings (of an intersection: those its parts agree on) */
	acl_part *parts;
	int nparts;
	bool unrestricted; /* reads everything: compiled like no role at all */
	uint64_t serial;   /* distinguishes compiled queries per role (0 = unrestricted) */
};

/* A new reference to `r` (NULL stays NULL). */
crmw_role *crmw__role_ref(const crmw_role *r);
/* Make *slot a new reference to `r`, releasing the one it held. */
void crmw__role_set(crmw_role **slot, const crmw_role *r);
/* The role's entry for `object`, NULL when the default applies. */
const acl_obj *crmw__role_obj(const crmw_role *r, const char *object);
/* May the role read the object / the field (row rules aside)?  NULL role: yes. */
bool crmw__role_reads(const crmw_role *r, const char *object);
bool crmw__role_sees(const crmw_role *r, const char *object, const char *field);
/* The row rule of `o` as "SELECT Id FROM <o> WHERE ..." with the variables
 * bound (NULL: every row; several rules are joined with AND, each bound
 * with its own part's variables); CRMW_EACCESS (in `err`) when a variable is
 * unbound. */
int crmw__role_rule(const crmw_role *r, const crmw_object *o, crmw_arena *a, const char **out, crmw_err *err);
/* `a` narrowed by `b` (crmw_role_intersect), where NULL is no restriction:
 * *out is a new reference, NULL when both are NULL. */
int crmw__role_narrow(crmw_role **out, const crmw_role *a, const crmw_role *b);
/* The shared-memory scope of a role (docs/access.md, "Roles and shared
 * memory"): "internal" for an unrestricted role (and NULL), "account:<Id>"
 * for a customer (the built-in external role, or one that reads no more,
 * bound to an account), else "role:<name>" and its bound variables in order
 * (";account_id=<Id>;contact_id=<Id>;user_id=<Id>"), the name %-escaped. */
int crmw__role_scope(crmw_buf *out, const crmw_role *r);

struct crmw_query_opts {
	char today[11];       /* "" = default */
	crmw_role *role;      /* a reference, NULL = unrestricted */
	int64_t timeout_ms;
	int64_t max_rows;
	int64_t max_bytes;
	bool drop_null_columns;
};

/* A bound parameter: a fixed value, an end of a date-literal range, or the
 * parent record's Id (child subqueries). */
typedef enum q_pkind { P_VALUE, P_RANGE_START, P_RANGE_END, P_PARENT_ID } q_pkind;

typedef struct q_param {
	q_pkind kind;
	int vkind;       /* P_VALUE: CRMW_VAL_* */
	int64_t i;
	double d;
	const char *s;
	int lit;         /* P_RANGE_*: the date literal */
	int64_t n;
	bool datetime;   /* P_RANGE_*: compare as datetimes */
} q_param;

typedef enum q_nkind { N_VALUE, N_PARENT, N_CHILD } q_nkind;

struct q_compiled;

/* The shape of a result record: a tree of keys over the statement's columns. */
typedef struct q_node {
	q_nkind kind;
	const char *key;
	int col;          /* N_VALUE: the value; N_PARENT: the parent's Id (null: no parent) */
	int32_t ftype;    /* N_VALUE: the field type, -1 for counts, -2 for doubles */
	struct q_node *kids;
	int nkids, capkids;
	struct q_compiled *child; /* N_CHILD */
} q_node;

typedef struct q_compiled {
	const char *sql;
	q_param *params;
	int nparams;
	sqlite3_stmt *st;
	q_node root;      /* kids = top-level keys */
	bool count_only;  /* SELECT COUNT() FROM ... */
	int id_col;       /* root Id column for child subqueries, -1 if none */
	struct q_compiled **children;
	int nchildren;
	const char *object; /* FROM object (SOSL: the object searched) */
} q_compiled;

/* A cache entry: one query text, compiled (SOQL: one statement tree; SOSL:
 * one statement per object searched). */
typedef struct q_entry {
	char *text;
	size_t len;
	int mode;          /* 0 SOQL, 1 SOSL, 2 SQL */
	uint64_t role;     /* the serial of the role it was compiled for */
	int64_t limit;     /* SOSL: the overall LIMIT, -1 for none */
	crmw_arena arena;  /* owns the compiled trees */
	q_compiled **parts;
	int nparts;
	uint64_t used;     /* LRU clock */
} q_entry;

/* The sandbox of one query (see exec.c).  Its authorizer stays installed
 * on the connection while the cache exists: installing an authorizer
 * expires every prepared statement, so it is switched on and off instead. */
typedef struct sandbox {
	bool active;           /* a query is running: enforce */
	bool search;           /* SOSL: the FTS tables may be read */
	char denied[300];      /* the first thing refused */
	struct timespec deadline;
	bool has_deadline;
	bool timed_out;
	int old_limits[3];
} sandbox;

typedef struct q_cache {
	q_entry *entries;
	int n, cap;
	uint64_t clock;
	bool fts_warm;   /* the search indexes are connected */
	sandbox sb;
} q_cache;

/* What a truncating run showed. */
typedef struct crmw__qinfo {
	bool truncated;  /* a row or byte cap cut the result */
	int64_t shown;   /* records written */
	int64_t total;   /* records the query had (-1: the time budget ended the count) */
} crmw__qinfo;

/* crmw_query, but with `info` (not NULL) a result over the row or byte cap
 * is cut at a record boundary instead of failing, and info says so. */
int crmw__query_run(crmw_buf *out, crmw_db *db, const char *text, size_t len, const crmw_query_opts *opts,
		    crmw__qinfo *info);

/* One row of a flat SOQL result, for the library's own tools: values by
 * their key in the record (field name or alias).  Valid during the callback. */
typedef struct crmw__row {
	sqlite3_stmt *st;
	const q_node *root;
} crmw__row;
typedef int (*crmw__row_fn)(void *ud, const crmw__row *row); /* non-zero stops: CRMW_EUSER */
int crmw__row_col(const crmw__row *row, const char *key);            /* -1 when absent */
const char *crmw__row_text(const crmw__row *row, const char *key);   /* NULL for null or absent */
double crmw__row_double(const crmw__row *row, const char *key);
bool crmw__row_null(const crmw__row *row, const char *key);
/* Run flat SOQL (no child subqueries) in the sandbox with the role and
 * budgets of `opts`, handing each row to `fn` instead of writing JSON. */
int crmw__query_rows(crmw_db *db, const char *text, const crmw_query_opts *opts, crmw__row_fn fn, void *ud);

/* Copy options (taking a reference to the role); NULL src copies the defaults.
 * `dst` must be initialised (crmw__query_opts_init) or a previous copy. */
int crmw__query_opts_copy(crmw_query_opts *dst, const crmw_query_opts *src);
void crmw__query_opts_init(crmw_query_opts *o);

/* Compile a parsed SELECT on `db` as `role` sees the org (NULL: all of it)
 * into `out` (statements not yet prepared). */
int crmw__compile_soql(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_select *s, q_compiled **out);
/* Compile a role's row rule with no role applied, errors into `err` (to check a policy). */
int crmw__compile_rule_check(crmw_db *db, crmw_arena *a, const q_select *s, crmw_err *err, q_compiled **out);
/* SOSL terms with wildcards inside: the search as crmw_sosl's program
 * (search.c) and the columns it reads (the scope's, that the role sees). */
typedef struct q_eval {
	const char *program;
	const char **cols;
	int ncols;
} q_eval;
/* Compile a SELECT that must also match an FTS5 query (none: match
 * nothing), and the exact check `eval` when it is not NULL. */
int crmw__compile_search_select(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_select *s,
				const char *fts_match, bool none, const q_eval *eval, q_compiled **out);
/* Compile a parsed SOSL search: one q_compiled per object searched. */
int crmw__compile_sosl(crmw_db *db, const crmw_role *role, crmw_arena *a, const q_search *s, q_compiled ***out,
		       int *n);

/* The [start, end) day range of a date literal relative to `today` (days
 * since 1970); fiscal quarters and years start in month fiscal_start (1-12). */
void crmw__datelit_range(int lit, int64_t n, int64_t today, int fiscal_start, int64_t *start, int64_t *end);

/* Is `name` a SQL function the sandbox allows? */
bool crmw__sandbox_function_ok(const char *name, bool search);

#endif
