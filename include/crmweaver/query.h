/*
 * crmweaver/query.h: SOQL and SOSL over an org database, compiled to SQLite
 * SQL and run in a read-only sandbox.
 *
 * SOQL results are a JSON array of records shaped like Salesforce's REST
 * answer without "attributes": fields in SELECT order, parent fields nested
 * ({"Account": {"Name": "Acme"}}, or "Account": null when there is no
 * parent), child subqueries as {"Cases": {"totalSize": n, "done": true,
 * "records": [...]}} (null when there are none), aggregate columns under
 * their alias or expr0, expr1, ...  A query whose only item is COUNT()
 * gives {"totalSize": n, "done": true, "records": []}.
 *
 * SOSL results are a JSON object {"Account": [records], "Contact": [...]}
 * with one key per object searched.
 *
 * Errors are reported the way Salesforce reports them to an agent: the
 * message (crmw_db_errmsg) starts with a code (MALFORMED_QUERY,
 * MALFORMED_SEARCH, INVALID_FIELD, INVALID_TYPE,
 * INVALID_QUERY_FILTER_OPERATOR, QUERY_TIMEOUT, LIMIT_EXCEEDED,
 * INSUFFICIENT_ACCESS) and names the line and column, for example
 * "INVALID_FIELD: No such column 'Nmae' on entity 'Account' (line 1,
 * column 8); did you mean 'Name'?".  The status is CRMW_EQUERY, CRMW_ELIMIT
 * for budgets, CRMW_EACCESS for sandbox denials.
 *
 * The sandbox: the SQL that runs is one SELECT whose literals are bound
 * parameters; an authorizer allows only reads of the org's own tables (no
 * crmw_ bookkeeping, no sqlite_ tables, no ATTACH, PRAGMA or writes) and a
 * list of side-effect-free functions; each query has a time budget, a row
 * cap and an output byte cap.
 *
 * Compiled statements are cached on the db handle by query text.
 * Thread rules: as for crmw_db (one thread at a time per handle).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_QUERY_H
#define CRMWEAVER_QUERY_H

#include <crmweaver/access.h>
#include <crmweaver/common.h>
#include <crmweaver/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Options of a query: "today", budgets, output shape.  Opaque. @since 0.1 */
typedef struct crmw_query_opts crmw_query_opts;

/**
 * New options with the defaults: today = the org's "now" (crmw_db_now), or
 * the system's date when the org has none; timeout 2000 ms; at most 10000
 * rows; at most 16 MiB of output; null columns kept.
 * @return CRMW_OK, CRMW_EINVALID (NULL out), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_query_opts_new(crmw_query_opts **out);

/** Free options.  NULL is accepted. @since 0.1 */
CRMW_API void crmw_query_opts_free(crmw_query_opts *opts);

/**
 * The day date literals (TODAY, LAST_N_DAYS:n, ...) are relative to,
 * "YYYY-MM-DD"; NULL restores the default.
 * @return CRMW_OK, CRMW_EINVALID (NULL opts, not a date)
 * @since 0.1
 */
CRMW_API int crmw_query_opts_set_today(crmw_query_opts *opts, const char *date);

/**
 * The time budget of one query in milliseconds (0: none).
 * @return CRMW_OK, CRMW_EINVALID (NULL opts, negative value)
 * @since 0.1
 */
CRMW_API int crmw_query_opts_set_timeout_ms(crmw_query_opts *opts, int64_t ms);

/**
 * The most records a query may return (top level; 0: no cap).
 * @return CRMW_OK, CRMW_EINVALID (NULL opts, negative value)
 * @since 0.1
 */
CRMW_API int crmw_query_opts_set_max_rows(crmw_query_opts *opts, int64_t rows);

/**
 * The most bytes of JSON a query may produce (0: no cap).
 * @return CRMW_OK, CRMW_EINVALID (NULL opts, negative value)
 * @since 0.1
 */
CRMW_API int crmw_query_opts_set_max_bytes(crmw_query_opts *opts, int64_t bytes);

/**
 * Leave out of every SOQL record the top-level keys that are null in all
 * records of the result (what the CRMArena harness shows an agent).
 * `on`: non-zero to drop them, 0 to keep them (the default).
 * @return CRMW_OK, CRMW_EINVALID (NULL opts)
 * @since 0.1
 */
CRMW_API int crmw_query_opts_set_drop_null_columns(crmw_query_opts *opts, int32_t on);

/**
 * Run queries as `role` sees the org (see crmweaver/access.h); NULL (the
 * default) reads everything.  The options keep their own reference to the
 * role.  A role made for another org denies what that org lacks.
 * @return CRMW_OK, CRMW_EINVALID (NULL opts)
 * @since 0.1
 */
CRMW_API int crmw_query_opts_set_role(crmw_query_opts *opts, const crmw_role *role);

/**
 * Run a SOQL query, or a SOSL search when the text starts with FIND.  The
 * JSON result replaces the contents of `out`.  `opts` may be NULL for the
 * defaults.
 * @return CRMW_OK, CRMW_EQUERY, CRMW_ELIMIT, CRMW_EACCESS (the sandbox or
 *         the role denied it), CRMW_EINVALID, CRMW_ENOMEM, CRMW_EIO
 * @since 0.1
 */
CRMW_API int crmw_query(crmw_buf *out, crmw_db *db, const char *text, size_t len,
			const crmw_query_opts *opts);

/**
 * Run one raw SQLite SELECT in the same sandbox (the escape hatch of
 * `crmweaver sql`): a JSON array of rows keyed by column name.  Roles
 * without the "raw_sql" capability get CRMW_EACCESS: row and field rules
 * cannot be enforced on raw SQL.
 * @return CRMW_OK, CRMW_EQUERY (SQLite cannot compile or run it),
 *         CRMW_EACCESS (not one read-only SELECT, a table outside the org,
 *         or a role without "raw_sql"), CRMW_ELIMIT (time, row or byte
 *         budget), CRMW_EINVALID (NULL argument), CRMW_ENOMEM, CRMW_EIO
 * @since 0.1
 */
CRMW_API int crmw_query_sql(crmw_buf *out, crmw_db *db, const char *sql, size_t len,
			    const crmw_query_opts *opts);

/**
 * Compile without running: {"kind":"soql"|"sosl","sql":[...],"params":[...]}
 * with the SQL that would run and its bound values (for tests and tools).
 * @return as crmw_query; nothing runs, so CRMW_ELIMIT comes only from the
 *         limits checked while compiling (a too long LIKE pattern, ...)
 * @since 0.1
 */
CRMW_API int crmw_query_explain(crmw_buf *out, crmw_db *db, const char *text, size_t len,
				const crmw_query_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_QUERY_H */
