/*
 * lib/query/sqlfn.h: linear-time stand-ins for SQLite's superlinear string
 * functions (see sqlfn.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_QUERY_SQLFN_H
#define CRMW_QUERY_SQLFN_H

#include <sqlite3.h>
#include <stdbool.h>

/* Has the running query used up its time?  Called by the functions before
 * and during long work; true makes the call fail with SQLITE_INTERRUPT. */
typedef bool (*crmw__sqlfn_expired)(void *ud);

/*
 * Register instr(X,Y), replace(X,Y,Z), trim/ltrim/rtrim(X,Y), like(A,B),
 * like(A,B,E), glob(A,B), printf(...) and format(...) on `db`, replacing
 * SQLite's built-ins for this connection with implementations that give the
 * same results in time linear in their input and output.  `expired` (may be NULL) and `ud` are kept for the life
 * of the connection.  Returns an SQLite result code; on failure the
 * functions registered so far stay (each gives SQLite's results).
 */
int crmw__sqlfn_register(sqlite3 *db, crmw__sqlfn_expired expired, void *ud);

#endif
