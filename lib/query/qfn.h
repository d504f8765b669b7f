/*
 * lib/query/qfn.h: the SQL functions of compiled queries (qfn.c) and of
 * SOSL's wildcard terms (search.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_QUERY_QFN_H
#define CRMW_QUERY_QFN_H

#include "query/sqlfn.h"

#include <sqlite3.h>

/* The kinds of crmw_format(value, kind, currency). */
enum {
	QFN_FORMAT_INT = 1, QFN_FORMAT_DOUBLE, QFN_FORMAT_CURRENCY, QFN_FORMAT_PERCENT,
	QFN_FORMAT_DATE, QFN_FORMAT_DATETIME
};

/* Register crmw_format, crmw_distance, crmw_geo and crmw_pickrank on `db`. */
int crmw__qfn_register(sqlite3 *db);

/* Register crmw_sosl (search.c) on `db`, with FTS5's tokenizer: nothing
 * when SQLite has no FTS5.  `expired` as for crmw__sqlfn_register. */
int crmw__search_register(sqlite3 *db, crmw__sqlfn_expired expired, void *ud);

/* A search's terms: at most this many when one has a wildcard inside. */
#define SOSL_MAX_TERMS 64

#endif
