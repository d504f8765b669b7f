/*
 * lib/query/qfn.h: the SQL functions of compiled queries (qfn.c) and of
 * SOSL's wildcard terms (search.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_QUERY_QFN_H
#define CRMW_QUERY_QFN_H

#include <sqlite3.h>

/* The kinds of crmw_format(value, kind, currency). */
enum {
	QFN_FORMAT_INT = 1, QFN_FORMAT_DOUBLE, QFN_FORMAT_CURRENCY, QFN_FORMAT_PERCENT,
	QFN_FORMAT_DATE, QFN_FORMAT_DATETIME
};

/* Register crmw_format, crmw_distance, crmw_geo and crmw_pickrank on `db`. */
int crmw__qfn_register(sqlite3 *db);

#endif
