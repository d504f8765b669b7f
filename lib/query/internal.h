/*
 * lib/query/internal.h: compiled queries and the statement cache.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_QUERY_INTERNAL_H
#define CRMW_QUERY_INTERNAL_H

#include "query/ast.h"
#include "store/internal.h"
#include <crmweaver/query.h>

#include <time.h>

struct crmw_query_opts {
	char today[11];       /* "" = default */
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

/* Compile a parsed SELECT on `db` into `out` (statements not yet prepared). */
int crmw__compile_soql(crmw_db *db, crmw_arena *a, const q_select *s, q_compiled **out);
/* Compile a SELECT that must also match an FTS5 query (none: match nothing). */
int crmw__compile_search_select(crmw_db *db, crmw_arena *a, const q_select *s, const char *fts_match,
				bool none, q_compiled **out);
/* Compile a parsed SOSL search: one q_compiled per object searched. */
int crmw__compile_sosl(crmw_db *db, crmw_arena *a, const q_search *s, q_compiled ***out, int *n);

/* The [start, end) day range of a date literal relative to `today` (days since 1970). */
void crmw__datelit_range(int lit, int64_t n, int64_t today, int64_t *start, int64_t *end);

/* Is `name` a SQL function the sandbox allows? */
bool crmw__sandbox_function_ok(const char *name, bool search);

#endif
