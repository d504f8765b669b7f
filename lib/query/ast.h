/*
 * lib/query/ast.h: the syntax trees of SOQL and SOSL, built by parse.c and
 * compiled to SQL by soql.c / sosl.c.  All nodes live in one arena.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_QUERY_AST_H
#define CRMW_QUERY_AST_H

#include "common/internal.h"

/* Salesforce error codes, in the messages an agent reads. */
#define QE_MALFORMED "MALFORMED_QUERY"
#define QE_SEARCH "MALFORMED_SEARCH"
#define QE_FIELD "INVALID_FIELD"
#define QE_TYPE "INVALID_TYPE"
#define QE_OPERATOR "INVALID_QUERY_FILTER_OPERATOR"
#define QE_LIMIT "QUERY_TOO_COMPLICATED"
#define QE_EXCEEDED "LIMIT_EXCEEDED"
#define QE_ACCESS "INSUFFICIENT_ACCESS"
#define QE_RANGE "NUMBER_OUTSIDE_VALID_RANGE"

typedef struct q_pos {
	int line, col;
} q_pos;

/* Date literals (TODAY, LAST_N_DAYS:n, ...). */
typedef enum q_datelit {
	DL_YESTERDAY, DL_TODAY, DL_TOMORROW,
	DL_LAST_WEEK, DL_THIS_WEEK, DL_NEXT_WEEK,
	DL_LAST_MONTH, DL_THIS_MONTH, DL_NEXT_MONTH,
	DL_LAST_90_DAYS, DL_NEXT_90_DAYS,
	DL_LAST_QUARTER, DL_THIS_QUARTER, DL_NEXT_QUARTER,
	DL_LAST_YEAR, DL_THIS_YEAR, DL_NEXT_YEAR,
	DL_LAST_FISCAL_QUARTER, DL_THIS_FISCAL_QUARTER, DL_NEXT_FISCAL_QUARTER,
	DL_LAST_FISCAL_YEAR, DL_THIS_FISCAL_YEAR, DL_NEXT_FISCAL_YEAR,
	/* with :n (DL_FIRST_N and after) */
	DL_LAST_N_DAYS, DL_NEXT_N_DAYS, DL_N_DAYS_AGO,
	DL_LAST_N_WEEKS, DL_NEXT_N_WEEKS, DL_N_WEEKS_AGO,
	DL_LAST_N_MONTHS, DL_NEXT_N_MONTHS, DL_N_MONTHS_AGO,
	DL_LAST_N_QUARTERS, DL_NEXT_N_QUARTERS, DL_N_QUARTERS_AGO,
	DL_LAST_N_YEARS, DL_NEXT_N_YEARS, DL_N_YEARS_AGO,
	DL_LAST_N_FISCAL_QUARTERS, DL_NEXT_N_FISCAL_QUARTERS, DL_N_FISCAL_QUARTERS_AGO,
	DL_LAST_N_FISCAL_YEARS, DL_NEXT_N_FISCAL_YEARS, DL_N_FISCAL_YEARS_AGO,
	DL_COUNT
} q_datelit;
#define DL_FIRST_N DL_LAST_N_DAYS
#define DL_MAX_N 100000 /* the largest n of LAST_N_DAYS:n and the others */

typedef enum q_vkind {
	V_NULL, V_BOOL, V_INT, V_REAL, V_STRING, V_DATE, V_DATETIME, V_DATELIT, V_LIST, V_SUBQUERY
} q_vkind;

struct q_select;

typedef struct q_value {
	q_vkind kind;
	q_pos pos;
	int64_t i;         /* V_BOOL, V_INT, V_DATELIT's n */
	double d;          /* V_REAL */
	const char *s;     /* V_STRING (unescaped), V_DATE/V_DATETIME (normalised) */
	const char *currency; /* V_INT/V_REAL written with an ISO code (USD5000): the code, upper case */
	int lit;           /* V_DATELIT: q_datelit */
	struct q_value *items; /* V_LIST */
	int nitems;
	struct q_select *sub;  /* V_SUBQUERY */
} q_value;

typedef struct q_path {
	const char **parts;
	int nparts;
	q_pos pos;
	const char *text; /* as written, for messages */
} q_path;

/* Functions: aggregates and date functions. */
typedef enum q_fn {
	FN_NONE = 0,
	FN_COUNT, FN_COUNT_DISTINCT, FN_SUM, FN_AVG, FN_MIN, FN_MAX,
	FN_CALENDAR_MONTH, FN_CALENDAR_QUARTER, FN_CALENDAR_YEAR, FN_DAY_IN_MONTH,
	FN_DAY_IN_WEEK, FN_DAY_IN_YEAR, FN_DAY_ONLY, FN_HOUR_IN_DAY, FN_WEEK_IN_YEAR,
	FN_FISCAL_MONTH, FN_FISCAL_QUARTER, FN_FISCAL_YEAR,
	FN_CONVERT_TIMEZONE,
	/* not date functions (FN_TOLABEL and after) */
	FN_TOLABEL, FN_CONVERT_CURRENCY, FN_DISTANCE
} q_fn;
#define FN_IS_DATE(f) ((f) >= FN_CALENDAR_MONTH && (f) <= FN_CONVERT_TIMEZONE)

/* A field path, or a function of one (COUNT() has no path).  FORMAT() is
 * a flag around any of them: FORMAT(MIN(CloseDate)) is MIN with `format`. */
typedef struct q_expr {
	q_fn fn;
	q_fn inner;      /* a function inside another: COUNT_DISTINCT(DAY_ONLY(x)) */
	bool format;     /* FORMAT(...) */
	bool has_path;
	q_path path;
	/* DISTANCE(path, path2 | GEOLOCATION(lat, lon), 'mi' | 'km') */
	bool has_path2;
	q_path path2;
	double lat, lon;
	bool km;
	const char *alias;
	q_pos pos;
	const char *text;
} q_expr;

enum { FIELDS_NONE, FIELDS_ALL, FIELDS_STANDARD, FIELDS_CUSTOM };

typedef struct q_item {
	bool is_sub;
	int fields;      /* FIELDS(ALL | STANDARD | CUSTOM) */
	q_expr e;
	struct q_select *sub;
	q_pos pos;
} q_item;

typedef enum q_op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LIKE, OP_NOT_LIKE, OP_IN, OP_NOT_IN,
	OP_INCLUDES, OP_EXCLUDES
} q_op;

typedef enum q_ckind { C_AND, C_OR, C_NOT, C_CMP } q_ckind;

/* A condition: C_AND and C_OR hold their operands as one list (a chain
 * "a AND b AND c" is one node with three kids, so nothing walks a chain
 * recursively); C_NOT holds `a`. */
typedef struct q_cond {
	q_ckind kind;
	struct q_cond *a;       /* C_NOT */
	struct q_cond **kids;   /* C_AND, C_OR: at least two */
	int nkids;
	q_expr lhs;
	q_op op;
	q_value rhs;
	q_pos pos;
	bool paren; /* written in parentheses */
} q_cond;

typedef struct q_order {
	q_expr e;
	bool desc;
	int nulls; /* 0 default, 1 first, 2 last */
} q_order;

/* A relationship alias in FROM: "FROM Contact c, c.Account a". */
typedef struct q_relalias {
	q_path path;
	const char *alias;
} q_relalias;

typedef struct q_select {
	q_item *items;
	int nitems;
	const char *from;
	const char *from_prefix; /* "Account" of "FROM Account.Contacts" (child subqueries) */
	q_pos from_pos;
	const char *alias;
	q_relalias *rels;
	int nrels;
	q_cond *where;
	q_expr *group;
	int ngroup;
	q_cond *having;
	q_order *order;
	int norder;
	bool has_limit, has_offset;
	int64_t limit, offset;
	q_pos pos;
} q_select;

/* SOSL */
typedef enum q_scope { SC_ALL, SC_NAME, SC_EMAIL, SC_PHONE } q_scope;

typedef struct q_returning {
	const char *object;
	q_pos pos;
	q_item *items;   /* none: Id */
	int nitems;
	q_cond *where;
	q_order *order;
	int norder;
	bool has_limit, has_offset;
	int64_t limit, offset;
} q_returning;

typedef struct q_search {
	const char *terms; /* the search text, braces or quotes removed */
	q_pos terms_pos;
	q_scope scope;
	q_returning *ret;
	int nret;
	bool has_limit;
	int64_t limit;
} q_search;

/* Limits of the parser (docs/query.md, "Limits"). */
#define Q_MAX_COND_DEPTH 16    /* nested parentheses and NOTs (SQLite's parser stack bounds the SQL) */
#define Q_MAX_SELECT_DEPTH 5   /* nested SELECTs (child subqueries, semi-joins) */
#define Q_MAX_TERMS 20000      /* comparisons in one query */
#define Q_MAX_LIKE_PATTERN 1000 /* bytes of a LIKE pattern (the sandbox's SQLite limit) */
#define Q_MAX_OFFSET 2000      /* OFFSET, as Salesforce */
#define Q_MAX_RELALIASES 8     /* relationship aliases in FROM */
#define Q_MAX_LITERAL (64 << 20) /* bytes of a string literal or search text: the longest value a query holds */
#define Q_MAX_WILDCARD_TERM 63 /* characters of a SOSL term with a wildcard inside */

/*
 * Parse SOQL or SOSL.  On error returns CRMW_EQUERY with a message like
 * "MALFORMED_QUERY: unexpected 'FORM' (line 1, column 15); expected FROM"
 * in `err`.  Nodes are allocated in `a`.
 */
int crmw__parse_soql(crmw_arena *a, const char *text, size_t len, q_select **out, crmw_err *err);
int crmw__parse_sosl(crmw_arena *a, const char *text, size_t len, q_search **out, crmw_err *err);
/* Is this text a SOSL search (starts with FIND)? */
bool crmw__is_sosl(const char *text, size_t len);

const char *crmw__datelit_name(int lit);
/* Does the date literal take ":n"? */
bool crmw__datelit_takes_n(int lit);
const char *crmw__fn_name(q_fn fn);

#endif
