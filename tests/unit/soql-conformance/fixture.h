/* test-soql-conformance: what its aspect files share (fixture.c) and the list of its
 * tests (main.c runs them). */
#ifndef CRMW_TEST_SOQL_CONFORMANCE_FIXTURE_H
#define CRMW_TEST_SOQL_CONFORMANCE_FIXTURE_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include <crmweaver.h>

/* ids with no capital letter: their case-safe suffix is AAA */
#define U1 "005zz0000000001AAA"
#define A1 "001zz0000000001AAA"
#define A2 "001zz0000000002AAA"
#define A3 "001zz0000000003AAA"
#define C1 "003zz0000000001AAA"

#define ROWS(q, sql) fx_check_rows(fx_db, fx_ref, q, sql, false, __LINE__)
#define ROWS_ORDERED(q, sql) fx_check_rows(fx_db, fx_ref, q, sql, true, __LINE__)
#define ROWS2(q, sql) fx_check_rows(fx_db2, fx_ref2, q, sql, false, __LINE__)

#define COUNT(q, sql) fx_check_count(fx_db, fx_ref, q, sql, __LINE__)
#define COUNT2(q, sql) fx_check_count(fx_db2, fx_ref2, q, sql, __LINE__)

/* A search of one object. */
#define SEARCH(q, object, sql)                                                  \
	do {                                                                    \
		const char *o_[] = {object}, *s_[] = {sql};                     \
		fx_check_search(fx_db, q, o_, s_, 1, false, __LINE__);          \
	} while (0)
#define SEARCH_ORDERED(q, object, sql)                                          \
	do {                                                                    \
		const char *o_[] = {object}, *s_[] = {sql};                     \
		fx_check_search(fx_db, q, o_, s_, 1, true, __LINE__);           \
	} while (0)

#define ERR(q, msg) fx_check_error(fx_db, q, CRMW_EQUERY, msg, NULL, __LINE__)
#define ERR2(q, msg) fx_check_error(fx_db2, q, CRMW_EQUERY, msg, NULL, __LINE__)
#define ERR_STATUS(q, status, msg) fx_check_error(fx_db, q, status, msg, NULL, __LINE__)

/* A location field's latitude and longitude in SQL (its text is "lat,lon"). */
#define LAT(x) "CAST(substr(" x ", 1, instr(" x ", ',') - 1) AS REAL)"
#define LON(x) "CAST(substr(" x ", instr(" x ", ',') + 1) AS REAL)"

/* The rank of a case's Status in the picklist's order, in SQL. */
#define STATUS_RANK                                                                                                \
	"CASE lower(Status) WHEN 'new' THEN 0 WHEN 'working' THEN 1 WHEN 'escalated' THEN 2 WHEN 'waiting on customer' " \
	"THEN 3 WHEN 'closed' THEN 4 ELSE 5 END"

/* The two orgs (the header comment of main.c): through the library, and the
 * same files opened with SQLite for SQL written by hand. */
extern char fx_dir[256], fx_main_path[300], fx_fiscal_path[300];
extern crmw_db *fx_db, *fx_db2;
extern sqlite3 *fx_ref, *fx_ref2;
extern crmw_query_opts *fx_opts; /* today is 2024-06-15 */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Comparing (fixture.c): a query's records against SQL, as data. */
json_t *fx_soql(crmw_db *d, const char *q, const crmw_query_opts *o);
json_t *fx_sql_rows(sqlite3 *r, const char *sql);
void fx_compare(json_t *got, json_t *want, bool ordered, const char *what, const char *q, int line);
void fx_check_rows(crmw_db *d, sqlite3 *r, const char *q, const char *sql, bool ordered, int line);
void fx_check_count(crmw_db *d, sqlite3 *r, const char *q, const char *sql, int line);
void fx_check_search(crmw_db *d, const char *q, const char *const *objects, const char *const *sqls, int n, bool ordered,
		     int line);
void fx_check_error(crmw_db *d, const char *q, int status, const char *msg, const crmw_query_opts *o, int line);
/* Query options for a role of policy `policy` (free them). */
crmw_query_opts *fx_as_role(crmw_db *d, const char *policy);

/* The tests, by aspect (main.c lists them in the order they run). */

/* select.c */
void test_tolabel(void **state);
void test_distance(void **state);
void test_format_currency(void **state);

/* relationships.c */
void test_fields(void **state);
void test_prefixed_child(void **state);
void test_relationship_aliases(void **state);

/* dates_currency.c */
void test_currency_literals(void **state);
void test_fiscal(void **state);

/* sosl.c */
void test_search_scope(void **state);
void test_using_listview(void **state);
void test_search_nesting(void **state);
void test_sosl_wildcards(void **state);

/* literals.c */
void test_escapes(void **state);
void test_boolean_null(void **state);
void test_bind_variables(void **state);
void test_nul_in_like(void **state);
void test_huge_literal(void **state);

/* refusals.c */
void test_update_tracking(void **state);
void test_picklist_order(void **state);
void test_grouping(void **state);
void test_messages_whole_characters(void **state);
void test_offset(void **state);

/* roles.c */
void test_roles(void **state);

#endif
