/*
 * lib/tools/builtin.h: the built-in tool sets (query, crmarena, pro) and
 * the helpers their tools share: running SOQL inside the call's time
 * budget, building SOQL with quoted values, reading records, writing
 * results with truncation notices.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_TOOLS_BUILTIN_H
#define CRMW_TOOLS_BUILTIN_H

#include "query/internal.h"
#include "tools/internal.h"

#include <time.h>

/* What the tools of one crmw_registry_add_builtin() call share. */
typedef struct bctx {
	int refs;               /* tools holding it (one registry, one thread) */
	crmw_db *db;            /* borrowed; NULL: the tools can be listed, not called */
	crmw_query_opts opts;   /* today, budgets (no role: calls run under their context's) */
} bctx;

/* One call of a built-in tool. */
typedef struct bcall {
	bctx *ctx;
	crmw_db *db;
	crmw_query_opts q;      /* for the call's own queries: no row or byte cap */
	struct timespec deadline;
	bool has_deadline;
	bool cut;               /* the result was cut at a cap (a truncation notice) */
	crmw_buf *out;
	const struct builtin_tool *tool;
} bcall;

/* A tool: writes its result into c->out and returns 0, or writes the
 * reason ("CODE: message" or a plain message) and returns -1. */
typedef int (*builtin_fn)(bcall *c, json_t *args);

typedef struct builtin_tool {
	const char *name;
	const char *description;
	const char *parameters;  /* JSON Schema text */
	builtin_fn fn;
	bool metrics;            /* computes internal metrics: the role must allow "metrics" */
	bool no_db;              /* works on its arguments only */
} builtin_tool;

/* The sets, each ending with a zeroed entry. */
extern const builtin_tool crmw__tools_query[];
extern const builtin_tool crmw__tools_crmarena[];
extern const builtin_tool crmw__tools_pro[];

/* The tools the query and crmarena sets share (set_query.c). */
int crmw__tool_query(bcall *c, json_t *args);
int crmw__tool_respond(bcall *c, json_t *args);

/* What every tool that takes a period says about its ends: one convention,
 * the one get_period returns. */
#define BUILTIN_PERIOD_RULE                                                                                          \
	"The period is [start_date, end_date): it holds start_date but not end_date, so the end_date that get_period " \
	"returns (the first moment after a named period) or today (the end of the past N days) goes in as it is."
/* The same for tools that compare date fields (a contract's signature day). */
#define BUILTIN_PERIOD_RULE_DAYS                                                                                     \
	BUILTIN_PERIOD_RULE " A day counts at its first moment (00:00:00Z): a contract signed on the day end_date "     \
	"falls on is in the period only when end_date is later than midnight."
/* What every list filter says. */
#define BUILTIN_EMPTY_LIST " An empty list matches nothing."

#define BUILTIN_QUERY_PARAM(what)                                                                                    \
	"{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1,\"description\":\"The " what \
	"\"}},\"required\":[\"query\"],\"additionalProperties\":false}"

#define BUILTIN_ISSUE_SOQL_QUERY                                                                                     \
	{"issue_soql_query",                                                                                         \
	 "Run a SOQL (Salesforce Object Query Language) query on the CRM and return the matching records as JSON. "  \
	 "Supports relationship paths (Account.Name), child subqueries, semi-joins, aggregates with GROUP BY and "   \
	 "HAVING, ORDER BY, LIMIT, OFFSET and date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...). Errors come " \
	 "back as 'CODE: message' with the line and column.",                                                        \
	 BUILTIN_QUERY_PARAM("SOQL query, for example SELECT Id, Subject FROM Case WHERE Status = 'New' LIMIT 10."), \
	 crmw__tool_query, false, false}

#define BUILTIN_ISSUE_SOSL_QUERY                                                                                     \
	{"issue_sosl_query",                                                                                         \
	 "Run a SOSL (Salesforce Object Search Language) full-text search across objects and return the matches as " \
	 "JSON keyed by object name. Example: FIND {broken zipper} IN ALL FIELDS RETURNING Case(Id, Subject), "       \
	 "Knowledge__kav(Id, Title).",                                                                                \
	 BUILTIN_QUERY_PARAM("SOSL search, starting with FIND."), crmw__tool_query, false, false}

#define BUILTIN_RESPOND                                                                                              \
	{"respond", "Give your final answer to the user. Call it once, when you are done; the content is the answer.", \
	 "{\"type\":\"object\",\"properties\":{\"content\":{\"type\":\"string\",\"description\":\"The answer.\"}},"  \
	 "\"required\":[\"content\"],\"additionalProperties\":false}",                                                  \
	 crmw__tool_respond, false, true}

/* The tool registry's hooks for built-ins (registry.c). */
typedef int (*crmw__json_tool_fn)(const crmw_tool_ctx *ctx, json_t *args, crmw_buf *result, void *userdata);
int crmw__registry_add_json(crmw_registry *reg, const char *name, const char *description,
			    const char *parameters_json, crmw__json_tool_fn fn, void *userdata,
			    crmw_free_fn userdata_free, const void *tag);
/* The userdata of tool `i` when it was added with `tag`, else NULL. */
void *crmw__registry_tagged(crmw_registry *reg, int32_t i, const void *tag);
/* Does the registry hold `name` added with `tag`? */
bool crmw__registry_has_tagged(crmw_registry *reg, const char *name, const void *tag);
/* The base role and today of options given to the registry: with `replace`
 * they become the registry's (crmw_registry_set_query_opts); else the role
 * narrows the base role and a set today replaces the registry's
 * (crmw_registry_add_builtin).  NULL opts: the defaults. */
int crmw__registry_base(crmw_registry *reg, const crmw_query_opts *opts, bool replace);

/* ------------------------------------------------------------ helpers */

/* Fail the call: the message (printf) becomes the tool's error text. */
int crmw__tool_fail(bcall *c, const char *fmt, ...) CRMW_PRINTF(2, 3);
/* Fail with the db's last error (a query that failed). */
int crmw__tool_fail_db(bcall *c);
/* Write `v` (a reference is taken over) as compact JSON into the result. */
int crmw__tool_put(bcall *c, json_t *v);
/* Write a list of records, at most the options' max_rows of them and at
 * most max_bytes, with a truncation notice after the JSON when cut. */
int crmw__tool_put_records(bcall *c, json_t *records);

/* Run SOQL (or SOSL) within the call's budget; *out receives the parsed
 * JSON result.  On failure the call has failed (crmw__tool_fail_db). */
int crmw__tool_soql(bcall *c, const char *text, json_t **out);
/* Run SOQL/SOSL as the model wrote it: capped, truncated with a notice. */
int crmw__tool_soql_passthrough(bcall *c, const char *text);

/* SOQL building: a quoted string literal; an IN list of quoted strings. */
int crmw__soql_quote(crmw_buf *b, const char *s);
int crmw__soql_in_list(crmw_buf *b, json_t *strings);
/* SOSL search text between braces, with the reserved characters escaped. */
int crmw__sosl_braced(crmw_buf *b, const char *s);

/* "SELECT Id, <fields> FROM <object>" with those of `want` (NULL: all
 * fields) that the object has and the role may read; -1 (the call failed,
 * `q` disposed) when the org has no such object or the role cannot read it. */
int crmw__tool_select(bcall *c, crmw_buf *q, const char *object, const char *const *want, size_t nwant);
/* Run the SOQL in `q` (disposed), `brc` the status of building it. */
int crmw__tool_run(bcall *c, crmw_buf *q, int brc, json_t **out);
/* The same, writing its records straight into the result (capped, with a
 * truncation notice): no parsing and re-writing of the JSON. */
int crmw__tool_run_records(bcall *c, crmw_buf *q, int brc);

/* Run SOQL (in `q`, disposed) whose rows become {row[key]: row[value]}
 * (rows with a null key left out), written straight into the result. */
int crmw__tool_soql_object(bcall *c, crmw_buf *q, int brc, const char *key, const char *value);
/* Run SOQL whose rows become the list [row[key], ...], capped like records. */
int crmw__tool_soql_list(bcall *c, crmw_buf *q, int brc, const char *key);

/* Means per key, in first-seen order: crmw__means_add() each value, crmw__means_result()
 * gives {key: mean} and frees the accumulator. */
typedef struct means {
	json_t *sums, *counts;
} means;
void crmw__means_add(means *m, const char *key, double value);
json_t *crmw__means_result(means *m);
void crmw__means_free(means *m);

/* Argument readers (the schema has already been checked). */
const char *crmw__arg_str(json_t *args, const char *key);          /* NULL when absent or null */
json_t *crmw__arg_arr(json_t *args, const char *key);              /* NULL when absent or null; empty lists too */
/* Does one of the list arguments named in `keys` (NULL-terminated) hold an
 * empty list?  A filter by an empty list matches nothing: the tool answers
 * with an empty result without a query. */
bool crmw__arg_empty(json_t *args, const char *const *keys);

/* A date or datetime argument as a SOQL datetime literal (YYYY-MM-DDTHH:MM:SSZ);
 * false (and the call failed) when it is neither. */
bool crmw__arg_datetime(bcall *c, const char *key, const char *s, char out[21]);
/* The required start_date and end_date arguments as datetime literals. */
bool crmw__arg_period(bcall *c, json_t *args, char a[21], char b[21]);
/* The optional start_date and end_date: *pa and *pb point to the literals
 * in a and b, or are NULL when the argument is absent. */
bool crmw__arg_period_opt(bcall *c, json_t *args, char a[21], char b[21], const char **pa, const char **pb);
/* The first day whose first moment (00:00:00Z) is at or after the datetime
 * literal `dt`: a date field D lies in [start, end) exactly when
 * D >= crmw__arg_day(start) and D < crmw__arg_day(end). */
void crmw__arg_day(const char dt[21], char out[11]);
/* Seconds since 1970 of a record's datetime value; false when it is not one. */
bool crmw__parse_epoch(const char *s, int64_t *out);

/* The role of the call (NULL: unrestricted). */
const crmw_role *crmw__tool_role(bcall *c);

#endif
