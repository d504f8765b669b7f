/*
 * SOQL and SOSL as real Salesforce code writes them (issue 29): one group
 * of cases per row of the table, written from Salesforce's SOQL and
 * SOSL reference.  A query that returns records is compared, as data, with
 * SQL written by hand and run straight on the org file with SQLite; a query
 * Salesforce refuses, or that is not supported here, is compared with its
 * exact status and message.
 *
 * Two orgs: "main" (the b2b set and a host object Store__c with two
 * location fields; currency USD, fiscal year from January) and "fiscal"
 * (the b2b set; currency EUR, fiscal year from April, named by the year it
 * ends in).  Today is 2024-06-15 in both.
 * SPDX-License-Identifier: Apache-2.0
 */
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

static char dir[256], main_path[300], fiscal_path[300];
static crmw_db *db, *db2;  /* the orgs, through the library */
static sqlite3 *ref, *ref2; /* the same files, for SQL written by hand */
static crmw_query_opts *opts;

/* ------------------------------------------------------------ the orgs */

static const char *const store_json =
	"{\"name\": \"Store__c\", \"label\": \"Store\", \"key_prefix\": \"a50\", \"description\": \"A shop.\","
	" \"fields\": ["
	"  {\"name\": \"Name\", \"type\": \"string\"},"
	"  {\"name\": \"Region__c\", \"type\": \"picklist\", \"picklist\": [\"West\", \"East\", \"North\"], \"restricted\": true},"
	"  {\"name\": \"Location__c\", \"type\": \"location\"},"
	"  {\"name\": \"Depot__c\", \"type\": \"location\"},"
	"  {\"name\": \"Rating__c\", \"type\": \"double\"}]}";

static void ins(crmw_db *d, const char *object, const char *json)
{
	if (crmw_record_insert(NULL, d, object, json, strlen(json)))
		fail_msg("insert %s %s: %s", object, json, crmw_db_errmsg(d));
}

static crmw_db *make_org(const char *path, const char *options, bool stores)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2b"), CRMW_OK);
	if (stores)
		assert_int_equal(crmw_schema_add_object(s, store_json, strlen(store_json)), CRMW_OK);
	crmw_db *d = NULL;
	if (crmw_db_create(&d, path, s, options))
		fail_msg("create: %s", crmw_last_error());
	crmw_schema_free(s);
	return d;
}

/* ids with no capital letter: their case-safe suffix is AAA */
#define U1 "005zz0000000001AAA"
#define A1 "001zz0000000001AAA"
#define A2 "001zz0000000002AAA"
#define A3 "001zz0000000003AAA"
#define C1 "003zz0000000001AAA"

static void fill_main(crmw_db *d)
{
	ins(d, "User", "{\"Id\":\"" U1 "\",\"FirstName\":\"Ava\",\"LastName\":\"Stone\"}");
	ins(d, "Account", "{\"Id\":\"" A1 "\",\"Name\":\"Acme Dynamics\",\"Industry\":\"Technology\",\"NumberOfEmployees\":19283}");
	ins(d, "Account", "{\"Id\":\"" A2 "\",\"Name\":\"Globex\",\"Industry\":\"Energy\",\"NumberOfEmployees\":850}");
	ins(d, "Account", "{\"Id\":\"" A3 "\",\"Name\":\"Initech\"}");
	ins(d, "Contact", "{\"Id\":\"" C1 "\",\"FirstName\":\"John\",\"LastName\":\"Smith\",\"Email\":\"john.smith@acme.com\",\"AccountId\":\"" A1 "\"}");
	ins(d, "Contact", "{\"FirstName\":\"Joan\",\"LastName\":\"Doe\",\"Email\":\"jane@example.com\",\"AccountId\":\"" A1 "\"}");
	ins(d, "Contact", "{\"FirstName\":\"Jon\",\"LastName\":\"Roe\",\"Email\":\"jon@globex.com\",\"AccountId\":\"" A2 "\"}");
	ins(d, "Contact", "{\"FirstName\":\"Johan\",\"LastName\":\"Ng\",\"Email\":\"johan@example.org\"}");
	ins(d, "Contact", "{\"FirstName\":\"Jo1n\",\"LastName\":\"Bot\",\"AccountId\":\"" A3 "\"}");
	ins(d, "Contact", "{\"FirstName\":\"Jane\",\"LastName\":\"Public\",\"Email\":\"jane@example.com\",\"AccountId\":\"" A2 "\"}");
	ins(d, "Lead", "{\"FirstName\":\"Jane\",\"LastName\":\"Lead\",\"Company\":\"Hooli\",\"Email\":\"jane@example.com\"}");
	ins(d, "Lead", "{\"FirstName\":\"Bob\",\"LastName\":\"Other\",\"Company\":\"Hooli\",\"Email\":\"bob@example.org\"}");
	const char *cases[] = {
		"{\"Subject\":\"Order 123 late\",\"ContactId\":\"" C1 "\",\"Status\":\"Working\",\"Priority\":\"High\",\"AccountId\":\"" A1 "\",\"CreatedDate\":\"2024-06-14T09:30:00Z\"}",
		"{\"Subject\":\"Order 1a3 broken\",\"Status\":\"New\",\"Priority\":\"Low\",\"AccountId\":\"" A1 "\",\"CreatedDate\":\"2024-04-02T15:05:00Z\"}",
		"{\"Subject\":\"Order 143 missing\",\"Status\":\"Closed\",\"Priority\":\"Critical\",\"AccountId\":\"" A2 "\",\"CreatedDate\":\"2024-03-31T23:00:00Z\"}",
		"{\"Subject\":\"Caf\\u00e9\\tnoir\",\"Status\":\"Escalated\",\"AccountId\":\"" A2 "\",\"CreatedDate\":\"2023-12-31T10:00:00Z\"}",
		"{\"Subject\":\"\\ud83d\\ude00 smile\",\"Status\":\"Zebra\",\"Priority\":\"Medium\",\"CreatedDate\":\"2023-07-01T00:00:00Z\"}",
		"{\"Subject\":\"Invoice delay\",\"Status\":\"Aardvark\",\"Priority\":\"Medium\",\"CreatedDate\":\"2022-02-01T08:00:00Z\"}",
		"{\"Subject\":\"No status\",\"CreatedDate\":\"2024-07-01T00:00:00Z\"}",
		"{\"Subject\":\"Waiting\",\"Status\":\"Waiting on Customer\",\"Priority\":\"Low\",\"AccountId\":\"" A3 "\",\"CreatedDate\":\"2024-01-15T12:00:00Z\"}",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ins(d, "Case", cases[i]);
	const char *opps[] = {
		"{\"Name\":\"O1\",\"StageName\":\"Quote\",\"Amount\":1234.5,\"Probability\":12.5,\"CloseDate\":\"2024-03-09\",\"AccountId\":\"" A1 "\",\"CreatedDate\":\"2024-01-05T13:45:00Z\"}",
		"{\"Name\":\"O2\",\"StageName\":\"Closed\",\"Amount\":999.99,\"Probability\":90,\"CloseDate\":\"2024-04-01\",\"AccountId\":\"" A1 "\",\"CreatedDate\":\"2024-02-05T00:10:00Z\"}",
		"{\"Name\":\"O3\",\"StageName\":\"Qualification\",\"Amount\":5000,\"Probability\":10,\"CloseDate\":\"2023-12-31\",\"AccountId\":\"" A2 "\",\"CreatedDate\":\"2023-11-20T18:00:00Z\"}",
		"{\"Name\":\"O4\",\"StageName\":\"Negotiation\",\"Amount\":5000.01,\"Probability\":75,\"CloseDate\":\"2024-06-30\",\"CreatedDate\":\"2024-05-01T12:00:00Z\"}",
		"{\"Name\":\"O5\",\"StageName\":\"Discovery\",\"Amount\":250000.25,\"Probability\":33.3,\"CloseDate\":\"2021-05-17\",\"CreatedDate\":\"2021-01-01T07:00:00Z\"}",
		"{\"Name\":\"O6\",\"StageName\":\"Quote\",\"Amount\":500.01,\"CloseDate\":\"2025-03-31\",\"CreatedDate\":\"2024-06-15T23:59:00Z\"}",
		"{\"Name\":\"O7\",\"StageName\":\"Quote\",\"Amount\":600,\"CloseDate\":\"2022-04-01\",\"CreatedDate\":\"2022-03-01T00:00:00Z\"}",
		"{\"Name\":\"O8\",\"CreatedDate\":\"2020-01-01T00:00:00Z\"}",
	};
	for (size_t i = 0; i < sizeof opps / sizeof opps[0]; i++)
		ins(d, "Opportunity", opps[i]);
	ins(d, "Product2", "{\"Name\":\"P on\",\"IsActive\":true}");
	ins(d, "Product2", "{\"Name\":\"P off\",\"IsActive\":false}");
	ins(d, "Product2", "{\"Name\":\"P on too\",\"IsActive\":true}");
	ins(d, "Store__c", "{\"Name\":\"San Francisco\",\"Region__c\":\"West\",\"Location__c\":{\"latitude\":37.7749,\"longitude\":-122.4194},\"Depot__c\":\"37.8044,-122.2712\",\"Rating__c\":4.5}");
	ins(d, "Store__c", "{\"Name\":\"Oakland\",\"Region__c\":\"West\",\"Location__c\":\"37.8044, -122.2712\",\"Depot__c\":\"37.7749,-122.4194\",\"Rating__c\":3}");
	ins(d, "Store__c", "{\"Name\":\"Los Angeles\",\"Region__c\":\"West\",\"Location__c\":\"34.0522,-118.2437\",\"Rating__c\":4}");
	ins(d, "Store__c", "{\"Name\":\"New York\",\"Region__c\":\"East\",\"Location__c\":\"40.7128,-74.006\",\"Depot__c\":\"40.7128,-74.006\",\"Rating__c\":5}");
	ins(d, "Store__c", "{\"Name\":\"Nowhere\",\"Region__c\":\"North\",\"Rating__c\":1}");
	ins(d, "Store__c", "{\"Name\":\"Antipode\",\"Location__c\":\"-37.7749,57.5806\"}");
}

static void fill_fiscal(crmw_db *d)
{
	const char *opps[] = {
		"{\"Name\":\"F1\",\"Amount\":1234.5,\"CloseDate\":\"2024-03-31\",\"CreatedDate\":\"2024-03-31T23:59:59Z\"}",
		"{\"Name\":\"F2\",\"Amount\":99,\"CloseDate\":\"2024-04-01\",\"CreatedDate\":\"2024-04-01T00:00:00Z\"}",
		"{\"Name\":\"F3\",\"Amount\":5000,\"CloseDate\":\"2024-06-30\",\"CreatedDate\":\"2024-06-30T12:00:00Z\"}",
		"{\"Name\":\"F4\",\"Amount\":7,\"CloseDate\":\"2024-07-01\",\"CreatedDate\":\"2024-07-01T00:00:00Z\"}",
		"{\"Name\":\"F5\",\"Amount\":8,\"CloseDate\":\"2023-10-15\",\"CreatedDate\":\"2023-10-15T00:00:00Z\"}",
		"{\"Name\":\"F6\",\"Amount\":9,\"CloseDate\":\"2021-04-01\",\"CreatedDate\":\"2021-04-01T00:00:00Z\"}",
		"{\"Name\":\"F7\",\"Amount\":10,\"CloseDate\":\"2021-03-31\",\"CreatedDate\":\"2021-03-31T00:00:00Z\"}",
		"{\"Name\":\"F8\",\"Amount\":11,\"CloseDate\":\"2025-03-31\",\"CreatedDate\":\"2025-03-31T10:00:00Z\"}",
		"{\"Name\":\"F9\",\"Amount\":12,\"CloseDate\":\"2025-04-01\",\"CreatedDate\":\"2025-04-01T10:00:00Z\"}",
		"{\"Name\":\"F10\",\"Amount\":13,\"CloseDate\":\"2023-12-31\",\"CreatedDate\":\"2024-01-01T00:00:00Z\"}",
	};
	for (size_t i = 0; i < sizeof opps / sizeof opps[0]; i++)
		ins(d, "Opportunity", opps[i]);
}

/* SQLite's math functions, when the library was built without them. */
static void fn_math(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	intptr_t which = (intptr_t)sqlite3_user_data(ctx);
	double x = sqlite3_value_double(argv[0]), r = 0;
	switch (which) {
	case 0: r = sin(x); break;
	case 1: r = cos(x); break;
	case 2: r = asin(x); break;
	case 3: r = sqrt(x); break;
	case 4: r = x * M_PI / 180; break;
	default: r = pow(x, sqlite3_value_double(argv[argc - 1])); break;
	}
	sqlite3_result_double(ctx, r);
}

static sqlite3 *open_ref(const char *path)
{
	sqlite3 *r = NULL;
	assert_int_equal(sqlite3_open_v2(path, &r, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(r, "SELECT sin(1) + radians(1) + pow(2, 2)", -1, &st, NULL) != SQLITE_OK) {
		const char *names[] = {"sin", "cos", "asin", "sqrt", "radians", "pow"};
		for (intptr_t i = 0; i < 6; i++)
			sqlite3_create_function(r, names[i], i == 5 ? 2 : 1, SQLITE_UTF8, (void *)i, fn_math, NULL, NULL);
	}
	sqlite3_finalize(st);
	return r;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/crmw-conf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof main_path, "%s/main.db", dir);
	snprintf(fiscal_path, sizeof fiscal_path, "%s/fiscal.db", dir);
	db = make_org(main_path, "{\"now\":\"2024-06-15T12:00:00Z\"}", true);
	fill_main(db);
	db2 = make_org(fiscal_path,
		       "{\"now\":\"2024-06-15T12:00:00Z\",\"currency\":\"EUR\",\"fiscal_year_start_month\":4}", false);
	fill_fiscal(db2);
	ref = open_ref(main_path);
	ref2 = open_ref(fiscal_path);
	assert_int_equal(crmw_query_opts_new(&opts), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(opts, "2024-06-15"), CRMW_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	crmw_query_opts_free(opts);
	crmw_db_free(db);
	crmw_db_free(db2);
	sqlite3_close(ref);
	sqlite3_close(ref2);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* --------------------------------------------------------- comparing */

static json_t *soql(crmw_db *d, const char *q, const crmw_query_opts *o)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, d, q, strlen(q), o ? o : opts))
		fail_msg("%s\n  -> %s", q, crmw_db_errmsg(d));
	json_error_t e;
	json_t *v = json_loadb(b.data, b.len, 0, &e);
	if (!v)
		fail_msg("%s: not JSON: %s", q, e.text);
	crmw_buf_dispose(&b);
	return v;
}

/*
 * The rows of hand-written SQL as records: a column "A.B" goes into
 * object A; a column "?A" makes A null when it is null (a missing parent);
 * "bool:X" is a boolean; "json:X" is JSON text (a child list).
 */
static json_t *sql_rows(sqlite3 *r, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(r, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("hand-written SQL: %s\n  %s", sqlite3_errmsg(r), sql);
	json_t *rows = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *rec = json_object();
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);
			int t = sqlite3_column_type(st, i);
			json_t *v;
			bool as_bool = strncmp(name, "bool:", 5) == 0, as_json = strncmp(name, "json:", 5) == 0;
			if (as_bool || as_json)
				name += 5;
			if (t == SQLITE_NULL)
				v = json_null();
			else if (as_bool)
				v = json_boolean(sqlite3_column_int(st, i));
			else if (as_json)
				v = json_loads((const char *)sqlite3_column_text(st, i), 0, NULL);
			else if (t == SQLITE_INTEGER)
				v = json_integer(sqlite3_column_int64(st, i));
			else if (t == SQLITE_FLOAT)
				v = json_real(sqlite3_column_double(st, i));
			else
				v = json_string((const char *)sqlite3_column_text(st, i));
			assert_non_null(v);
			if (name[0] == '?') {
				if (t == SQLITE_NULL)
					json_object_set(rec, name + 1, json_null());
				else
					json_object_set_new(rec, name + 1, json_object());
				json_decref(v);
				continue;
			}
			const char *dot = strchr(name, '.');
			if (!dot) {
				json_object_set_new(rec, name, v);
				continue;
			}
			char parent[64];
			snprintf(parent, sizeof parent, "%.*s", (int)(dot - name), name);
			json_t *p = json_object_get(rec, parent);
			if (json_is_null(p)) {
				json_decref(v);
				continue;
			}
			if (!p) {
				p = json_object();
				json_object_set_new(rec, parent, p);
			}
			json_object_set_new(p, dot + 1, v);
		}
		json_array_append_new(rows, rec);
	}
	sqlite3_finalize(st);
	return rows;
}

/* Equal as data: numbers by value (relative 1e-9), arrays in order. */
static bool same_value(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return x == y || fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *k;
		json_t *v;
		json_object_foreach(a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !same_value(v, w))
				return false;
		}
		return true;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same_value(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal(a, b);
}

/* Equal as sets of records (each record of a matched by one of b). */
static bool same_set(json_t *a, json_t *b)
{
	size_t n = json_array_size(a);
	if (n != json_array_size(b))
		return false;
	bool *used = calloc(n ? n : 1, 1);
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		ok = false;
		for (size_t j = 0; !ok && j < n; j++)
			if (!used[j] && same_value(json_array_get(a, i), json_array_get(b, j)))
				ok = used[j] = true;
	}
	free(used);
	return ok;
}

static void compare(json_t *got, json_t *want, bool ordered, const char *what, const char *q, int line)
{
	bool ok = ordered ? same_value(got, want) : same_set(got, want);
	if (!ok) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
		fail_msg("line %d: %s\n  %s\n  got  %.1500s\n  want %.1500s", line, what, q, g, w);
	}
}

/* A SOQL query against hand-written SQL, as data. */
static void check_rows(crmw_db *d, sqlite3 *r, const char *q, const char *sql, bool ordered, int line)
{
	json_t *got = soql(d, q, NULL), *want = sql_rows(r, sql);
	compare(got, want, ordered, "records", q, line);
	json_decref(got);
	json_decref(want);
}
#define ROWS(q, sql) check_rows(db, ref, q, sql, false, __LINE__)
#define ROWS_ORDERED(q, sql) check_rows(db, ref, q, sql, true, __LINE__)
#define ROWS2(q, sql) check_rows(db2, ref2, q, sql, false, __LINE__)

/* SELECT COUNT() against a count in SQL. */
static void check_count(crmw_db *d, sqlite3 *r, const char *q, const char *sql, int line)
{
	json_t *got = soql(d, q, NULL), *want = sql_rows(r, sql);
	json_int_t n = json_integer_value(json_object_get(got, "totalSize"));
	json_int_t m = json_integer_value(json_object_get(json_array_get(want, 0), "n"));
	if (n != m)
		fail_msg("line %d: %s\n  totalSize %lld, want %lld", line, q, (long long)n, (long long)m);
	json_decref(got);
	json_decref(want);
}
#define COUNT(q, sql) check_count(db, ref, q, sql, __LINE__)
#define COUNT2(q, sql) check_count(db2, ref2, q, sql, __LINE__)

/* A SOSL search: each object's records against hand-written SQL. */
static void check_search(crmw_db *d, const char *q, const char *const *objects, const char *const *sqls, int n, bool ordered,
			 int line)
{
	json_t *got = soql(d, q, NULL);
	if (json_object_size(got) != (size_t)n)
		fail_msg("line %d: %s: %zu objects, want %d", line, q, json_object_size(got), n);
	for (int i = 0; i < n; i++) {
		json_t *recs = json_object_get(got, objects[i]);
		if (!recs)
			fail_msg("line %d: %s: no key %s", line, q, objects[i]);
		json_t *want = sql_rows(d == db ? ref : ref2, sqls[i]);
		compare(recs, want, ordered, objects[i], q, line);
		json_decref(want);
	}
	json_decref(got);
}
/* A search of one object. */
#define SEARCH(q, object, sql)                                                  \
	do {                                                                    \
		const char *o_[] = {object}, *s_[] = {sql};                     \
		check_search(db, q, o_, s_, 1, false, __LINE__);                \
	} while (0)
#define SEARCH_ORDERED(q, object, sql)                                          \
	do {                                                                    \
		const char *o_[] = {object}, *s_[] = {sql};                     \
		check_search(db, q, o_, s_, 1, true, __LINE__);                 \
	} while (0)

/* A refusal: the exact status and message. */
static void check_error(crmw_db *d, const char *q, int status, const char *msg, const crmw_query_opts *o, int line)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, d, q, strlen(q), o ? o : opts);
	crmw_buf_dispose(&b);
	if (rc != status || strcmp(crmw_db_errmsg(d), msg) != 0)
		fail_msg("line %d: %s\n  got  %s %s\n  want %s %s", line, q, crmw_status_name(rc), crmw_db_errmsg(d),
			 crmw_status_name(status), msg);
	if (strcmp(crmw_last_error(), msg) != 0)
		fail_msg("line %d: %s: crmw_last_error() is '%s'", line, q, crmw_last_error());
}
#define ERR(q, msg) check_error(db, q, CRMW_EQUERY, msg, NULL, __LINE__)
#define ERR2(q, msg) check_error(db2, q, CRMW_EQUERY, msg, NULL, __LINE__)
#define ERR_STATUS(q, status, msg) check_error(db, q, status, msg, NULL, __LINE__)

/* Is s (n bytes) whole UTF-8 characters? */
static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = u[i] < 0x80 ? 1 : u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC2 ? 2 : 0;
		if (!len || i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((u[i + k] & 0xC0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

static crmw_query_opts *as_role(crmw_db *d, const char *policy)
{
	crmw_role *r = NULL;
	if (crmw_role_new(&r, d, policy, NULL))
		fail_msg("role: %s", crmw_last_error());
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(o, "2024-06-15"), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	crmw_role_free(r);
	return o;
}

/* The SQL of a date as Salesforce's en_US FORMAT() writes it. */
#define MDY(x) "CAST(strftime('%m', " x ") AS INT) || '/' || CAST(strftime('%d', " x ") AS INT) || '/' || strftime('%Y', " x ")"

/* ---------------------------------------------------------- the rows */

/* toLabel(field) in SELECT and WHERE: labels are the values (no translations). */
static void test_tolabel(void **state)
{
	(void)state;
	ROWS("SELECT Subject, toLabel(Status) FROM Case WHERE toLabel(Status) = 'working'",
	     "SELECT Subject, Status FROM \"Case\" WHERE Status = 'working' COLLATE NOCASE");
	ROWS("SELECT Subject, Status, toLabel(Status) translated FROM Case WHERE toLabel(Status) IN ('New', 'Closed')",
	     "SELECT Subject, Status, Status AS translated FROM \"Case\" WHERE Status IN ('New', 'Closed')");
	ROWS("SELECT LastName, toLabel(Account.Industry) FROM Contact WHERE AccountId != null",
	     "SELECT c.LastName, a.Id AS \"?Account\", a.Industry AS \"Account.Industry\" FROM Contact c "
	     "JOIN Account a ON a.Id = c.AccountId");
	ROWS("SELECT toLabel(Industry) ind, COUNT(Id) n FROM Account GROUP BY Industry",
	     "SELECT Industry AS ind, count(Id) AS n FROM Account GROUP BY Industry");
	SEARCH("FIND {Acme} RETURNING Account(Name, toLabel(Industry) WHERE toLabel(Industry) = 'Technology')", "Account",
	       "SELECT Name, Industry FROM Account WHERE Name LIKE '%acme%' AND Industry = 'Technology'");
	ERR("SELECT toLabel(Amount) FROM Opportunity",
	    "INVALID_FIELD: toLabel() works on picklist fields, and 'Amount' is a currency (line 1, column 8)");
	ERR("SELECT Status FROM Case ORDER BY toLabel(Status)",
	    "MALFORMED_QUERY: toLabel() cannot be used in ORDER BY: a picklist sorts in its defined order (line 1, column 34)");
	ERR("SELECT Status, toLabel(Status) FROM Case",
	    "MALFORMED_QUERY: duplicate field selected: toLabel(Status) (give the function an alias) (line 1, column 16)");
}

/* DISTANCE and GEOLOCATION in SELECT, WHERE, ORDER BY, SOQL and SOSL, over a host object's location fields. */
#define LAT(x) "CAST(substr(" x ", 1, instr(" x ", ',') - 1) AS REAL)"
#define LON(x) "CAST(substr(" x ", instr(" x ", ',') + 1) AS REAL)"
#define HAV(lat1, lon1, lat2, lon2, r)                                                                          \
	"(2 * " r " * asin(sqrt(pow(sin(radians(" lat2 " - " lat1 ") / 2), 2) + cos(radians(" lat1 ")) * "       \
	"cos(radians(" lat2 ")) * pow(sin(radians(" lon2 " - " lon1 ") / 2), 2))))"
#define MI "(6371.0 / 1.609344)"
#define SF_MI HAV(LAT("Location__c"), LON("Location__c"), "37.775", "-122.418", MI)

static void test_distance(void **state)
{
	(void)state;
	ROWS_ORDERED("SELECT Name, DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') dist FROM Store__c "
		     "WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') < 20 "
		     "ORDER BY DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi')",
		     "SELECT Name, " SF_MI " AS dist FROM Store__c WHERE " SF_MI " < 20 ORDER BY " SF_MI);
	/* > is outside the radius; a record without a location has no distance */
	ROWS("SELECT Name FROM Store__c WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'km') > 500",
	     "SELECT Name FROM Store__c WHERE " HAV(LAT("Location__c"), LON("Location__c"), "37.775", "-122.418", "6371.0") " > 500");
	ROWS("SELECT Name FROM Store__c WHERE NOT DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'km') < 500",
	     "SELECT Name FROM Store__c WHERE coalesce(NOT " HAV(LAT("Location__c"), LON("Location__c"), "37.775", "-122.418", "6371.0") " < 500, 1)");
	/* two location fields; DESC puts the nulls last */
	ROWS_ORDERED("SELECT Name, DISTANCE(Location__c, Depot__c, 'km') FROM Store__c ORDER BY DISTANCE(Location__c, Depot__c, 'km') DESC, Name",
		     "SELECT Name, " HAV(LAT("Location__c"), LON("Location__c"), LAT("Depot__c"), LON("Depot__c"), "6371.0") " AS expr0 "
		     "FROM Store__c ORDER BY expr0 IS NULL, expr0 DESC, Name");
	/* the compound value and its parts */
	ROWS("SELECT Name, Location__c, Location__Latitude__s, Location__Longitude__s FROM Store__c WHERE Location__Latitude__s > 35",
	     "SELECT Name, json_object('latitude', " LAT("Location__c") ", 'longitude', " LON("Location__c") ") AS \"json:Location__c\", "
	     LAT("Location__c") " AS Location__Latitude__s, " LON("Location__c") " AS Location__Longitude__s FROM Store__c "
	     "WHERE " LAT("Location__c") " > 35");
	ROWS("SELECT Name, Location__c FROM Store__c WHERE Location__Latitude__s = null",
	     "SELECT Name, NULL AS Location__c FROM Store__c WHERE Location__c IS NULL");
	/* SOSL */
	SEARCH_ORDERED("FIND {West} RETURNING Store__c(Name, DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') d "
		       "WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') < 400 "
		       "ORDER BY DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi'))",
		       "Store__c", "SELECT Name, " SF_MI " AS d FROM Store__c WHERE Region__c = 'West' AND " SF_MI " < 400 ORDER BY d");
	ERR("SELECT Name FROM Store__c WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') = 20",
	    "INVALID_QUERY_FILTER_OPERATOR: DISTANCE() in WHERE compares with < or > and a number (DISTANCE(...) < 20) (line 1, column 33)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(GEOLOCATION(37.775, -122.418), Location__c, 'mi')",
	    "MALFORMED_QUERY: DISTANCE() takes the location field first: DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') (line 1, column 45)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(97, 0), 'mi')",
	    "MALFORMED_QUERY: the latitude of GEOLOCATION() is a number from -90 to 90 (line 1, column 70)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(1, 2), 'miles')",
	    "MALFORMED_QUERY: the unit of DISTANCE() is 'mi' or 'km', not 'miles' (line 1, column 77)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(Name, GEOLOCATION(1, 2), 'mi')",
	    "INVALID_FIELD: DISTANCE() needs a location field, and 'Name' is a string (line 1, column 45)");
	ERR("SELECT Name FROM Store__c WHERE Location__c != null",
	    "INVALID_FIELD: location field 'Location__c' can only be selected, or measured with DISTANCE() (line 1, column 33)");
	ERR("SELECT Name FROM Store__c GROUP BY DISTANCE(Location__c, GEOLOCATION(1, 2), 'mi')",
	    "MALFORMED_QUERY: DISTANCE() cannot be used in GROUP BY (line 1, column 36)");
	ERR("SELECT Name FROM Store__c WHERE Name = GEOLOCATION(1, 2)",
	    "MALFORMED_QUERY: unexpected 'GEOLOCATION': a value is a 'quoted string', a number, true, false, null, a date (2024-01-31), a datetime (2024-01-31T08:00:00Z), a date literal (TODAY, LAST_N_DAYS:30) or an amount with its currency (USD5000) (line 1, column 40)");
	/* an org without a location field says so */
	ERR2("SELECT Id FROM Account WHERE DISTANCE(Name, GEOLOCATION(37.775, -122.418), 'mi') < 20",
	     "INVALID_FIELD: DISTANCE() needs a location field, and 'Name' is a string; this org has no location field (a host object can have one: field type \"location\") (line 1, column 39)");
	/* a location the store refuses */
	const char *bad = "{\"Name\":\"x\",\"Location__c\":\"91,0\"}";
	assert_int_equal(crmw_record_insert(NULL, db, "Store__c", bad, strlen(bad)), CRMW_ESCHEMA);
	bad = "{\"Name\":\"x\",\"Location__c\":{\"latitude\":1}}";
	assert_int_equal(crmw_record_insert(NULL, db, "Store__c", bad, strlen(bad)), CRMW_ESCHEMA);
	/* the records API writes a location as Salesforce does */
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Id FROM Store__c WHERE Name = 'Los Angeles'";
	json_t *v = soql(db, q, NULL);
	const char *id = json_string_value(json_object_get(json_array_get(v, 0), "Id"));
	assert_int_equal(crmw_record_get(&b, db, "Store__c", id), CRMW_OK);
	json_t *rec = json_loads(b.data, 0, NULL);
	json_t *loc = json_object_get(rec, "Location__c");
	assert_true(json_real_value(json_object_get(loc, "latitude")) == 34.0522);
	assert_true(json_real_value(json_object_get(loc, "longitude")) == -118.2437);
	json_decref(rec);
	json_decref(v);
	crmw_buf_dispose(&b);
}

/* SOSL IN EMAIL / NAME / PHONE FIELDS when an object searched has no such field. */
static void test_search_scope(void **state)
{
	(void)state;
	const char *objects[] = {"Contact", "Lead", "Account"};
	const char *sqls[] = {
		"SELECT c.Id, trim(coalesce(c.FirstName, '') || ' ' || coalesce(c.LastName, '')) AS Name FROM Contact c "
		"JOIN crmw_fts_Contact f ON f.rowid = c.rowid WHERE f.crmw_fts_Contact MATCH '{Email} : \"jane@example.com\"'",
		"SELECT l.Id, trim(coalesce(l.FirstName, '') || ' ' || coalesce(l.LastName, '')) AS Name FROM Lead l "
		"JOIN crmw_fts_Lead f ON f.rowid = l.rowid WHERE f.crmw_fts_Lead MATCH '{Email} : \"jane@example.com\"'",
		"SELECT Id, Name FROM Account WHERE 0",
	};
	check_search(db, "FIND {jane@example.com} IN EMAIL FIELDS RETURNING Contact(Id, Name), Lead(Id, Name), Account(Id, Name)",
		     objects, sqls, 3, false, __LINE__);
	const char *o2[] = {"Case", "Account"};
	const char *s2[] = {"SELECT Subject FROM \"Case\" WHERE 0", "SELECT Name FROM Account WHERE Phone LIKE '%555%'"};
	check_search(db, "FIND {555} IN PHONE FIELDS RETURNING Case(Subject), Account(Name)", o2, s2, 2, false, __LINE__);
	const char *o3[] = {"Case", "Contact"};
	const char *s3[] = {"SELECT Subject FROM \"Case\" WHERE 0", "SELECT LastName FROM Contact WHERE FirstName = 'Joan'"};
	check_search(db, "FIND {Joan} IN NAME FIELDS RETURNING Case(Subject), Contact(LastName)", o3, s3, 2, false, __LINE__);
	/* without RETURNING: only the objects with an email field are searched */
	json_t *v = soql(db, "FIND {jane} IN EMAIL FIELDS", NULL);
	const char *k;
	json_t *recs;
	json_object_foreach(v, k, recs) {
		bool has_email = strcmp(k, "User") == 0 || strcmp(k, "Contact") == 0 || strcmp(k, "Lead") == 0 ||
				 strcmp(k, "EmailMessage") == 0;
		if (!has_email)
			fail_msg("FIND IN EMAIL FIELDS searched %s", k);
	}
	assert_int_equal(json_array_size(json_object_get(v, "Contact")), 2);
	assert_int_equal(json_array_size(json_object_get(v, "Lead")), 1);
	json_decref(v);
}

/* FORMAT(field) and convertCurrency(field): en_US formats; one currency, so converting is the identity. */
#define INTF(x) "CASE WHEN " x " IS NULL THEN NULL ELSE printf('%,d', " x ") END"
#define MONEY(x) "'$' || printf('%,d', CAST(" x " AS INT)) || '.' || substr(printf('%.2f', " x "), -2)"
static void test_format_currency(void **state)
{
	(void)state;
	ROWS("SELECT Name, FORMAT(Amount) amt, FORMAT(CloseDate), FORMAT(Probability) p, convertCurrency(Amount), "
	     "FORMAT(convertCurrency(Amount)) conv, FORMAT(CreatedDate) made FROM Opportunity WHERE Amount != null",
	     "SELECT Name, " MONEY("Amount") " AS amt, " MDY("CloseDate") " AS CloseDate, "
	     "CASE WHEN Probability = CAST(Probability AS INT) THEN CAST(CAST(Probability AS INT) AS TEXT) ELSE CAST(Probability AS TEXT) END || '%' AS p, "
	     "Amount, " MONEY("Amount") " AS conv, " MDY("CreatedDate") " || ', ' || ((CAST(strftime('%H', CreatedDate) AS INT) + 11) % 12 + 1) "
	     "|| ':' || strftime('%M', CreatedDate) || CASE WHEN CAST(strftime('%H', CreatedDate) AS INT) < 12 THEN ' AM' ELSE ' PM' END AS made "
	     "FROM Opportunity WHERE Amount IS NOT NULL");
	ROWS("SELECT Name, FORMAT(NumberOfEmployees) FROM Account",
	     "SELECT Name, " INTF("NumberOfEmployees") " AS NumberOfEmployees FROM Account");
	ROWS("SELECT FORMAT(SUM(Amount)) total, FORMAT(MIN(CloseDate)) firstClose, FORMAT(COUNT(Id)) n FROM Opportunity",
	     "SELECT " MONEY("sum(Amount)") " AS total, " MDY("min(CloseDate)") " AS firstClose, printf('%,d', count(Id)) AS n FROM Opportunity");
	ROWS("SELECT Name, FORMAT(Account.NumberOfEmployees) FROM Opportunity WHERE AccountId != null",
	     "SELECT o.Name, a.Id AS \"?Account\", " INTF("a.NumberOfEmployees") " AS \"Account.NumberOfEmployees\" FROM Opportunity o "
	     "JOIN Account a ON a.Id = o.AccountId");
	SEARCH("FIND {Acme} RETURNING Account(Name, FORMAT(NumberOfEmployees) n)", "Account",
	       "SELECT Name, " INTF("NumberOfEmployees") " AS n FROM Account WHERE Name LIKE '%acme%'");
	/* the org's currency is EUR in the fiscal org */
	ROWS2("SELECT Name, FORMAT(Amount) a FROM Opportunity WHERE Name IN ('F1', 'F3')",
	      "SELECT Name, 'EUR ' || printf('%,d', CAST(Amount AS INT)) || '.' || substr(printf('%.2f', Amount), -2) AS a "
	      "FROM Opportunity WHERE Name IN ('F1', 'F3')");
	ERR("SELECT Name FROM Opportunity WHERE convertCurrency(Amount) > 100",
	    "MALFORMED_QUERY: convertCurrency() cannot be used in WHERE; compare with an amount in the org's currency (Amount > USD5000) (line 1, column 36)");
	ERR("SELECT Name FROM Opportunity ORDER BY convertCurrency(Amount)",
	    "MALFORMED_QUERY: convertCurrency() cannot be used in ORDER BY: records sort and group by the converted amounts already (line 1, column 39)");
	ERR("SELECT convertCurrency(Probability) FROM Opportunity",
	    "INVALID_FIELD: convertCurrency() works on currency fields, and 'Probability' is a percent (line 1, column 8)");
	ERR("SELECT SUM(convertCurrency(Amount)) FROM Opportunity",
	    "MALFORMED_QUERY: convertCurrency() cannot be used inside SUM() (line 1, column 8)");
	ERR("SELECT FORMAT(Name) FROM Opportunity",
	    "INVALID_FIELD: FORMAT() works on number, currency, percent, date and dateTime fields, and 'Name' is a string (line 1, column 8)");
	ERR("SELECT Name FROM Opportunity WHERE FORMAT(Amount) = '1'",
	    "MALFORMED_QUERY: FORMAT() can only be used in SELECT, not in WHERE (line 1, column 36)");
	ERR("SELECT FORMAT(FORMAT(Amount)) FROM Opportunity",
	    "MALFORMED_QUERY: FORMAT() goes around other functions, not inside them (line 1, column 15)");
	ERR("SELECT MIN(FORMAT(CloseDate)) FROM Opportunity",
	    "MALFORMED_QUERY: FORMAT() goes around other functions, not inside them (line 1, column 12)");
	ERR("SELECT MIN(DISTANCE(Location__c, GEOLOCATION(1, 2), 'mi')) FROM Store__c",
	    "MALFORMED_QUERY: DISTANCE() cannot be inside another function (line 1, column 12)");
	ERR("SELECT FORMAT(SUM(DAY_ONLY(CreatedDate))) FROM Opportunity",
	    "MALFORMED_QUERY: functions nest at most two deep (line 1, column 19)");
}

/* FIELDS(STANDARD), FIELDS(ALL), FIELDS(CUSTOM) with their LIMIT rule; field security applies. */
static void test_fields(void **state)
{
	(void)state;
	ROWS_ORDERED("SELECT FIELDS(ALL) FROM Store__c ORDER BY Name LIMIT 200",
		     "SELECT Id, Name, Region__c, "
		     "CASE WHEN Location__c IS NULL THEN NULL ELSE json_object('latitude', " LAT("Location__c") ", 'longitude', " LON("Location__c") ") END AS \"json:Location__c\", "
		     "CASE WHEN Depot__c IS NULL THEN NULL ELSE json_object('latitude', " LAT("Depot__c") ", 'longitude', " LON("Depot__c") ") END AS \"json:Depot__c\", "
		     "Rating__c FROM Store__c ORDER BY Name");
	ROWS("SELECT FIELDS(STANDARD) FROM Store__c", "SELECT Id, Name FROM Store__c");
	ROWS("SELECT Name, FIELDS(CUSTOM) FROM Store__c WHERE Location__Longitude__s = null LIMIT 10",
	     "SELECT Name, Region__c, NULL AS Location__c, NULL AS Depot__c, Rating__c FROM Store__c WHERE Location__c IS NULL");
	ROWS("SELECT FIELDS(STANDARD) FROM Product2",
	     "SELECT Id, Name, Description, IsActive AS \"bool:IsActive\" FROM Product2");
	ROWS("SELECT Name, (SELECT FIELDS(STANDARD) FROM Account.Contacts) FROM Account",
	     "SELECT a.Name, (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_object('totalSize', count(*), 'done', json('true'), "
	     "'records', json_group_array(json_object('Id', c.Id, 'FirstName', c.FirstName, 'LastName', c.LastName, "
	     "'Email', c.Email, 'AccountId', c.AccountId))) END FROM Contact c WHERE c.AccountId = a.Id) AS \"json:Contacts\" FROM Account a");
	/* a role that hides a field: FIELDS() leaves it out */
	crmw_query_opts *o = as_role(db, "{\"schema_version\":1,\"name\":\"t\",\"default\":\"read\","
				       "\"objects\":{\"Store__c\":{\"hidden_fields\":[\"Rating__c\",\"Depot__c\"]}}}");
	json_t *got = soql(db, "SELECT FIELDS(ALL) FROM Store__c WHERE Name = 'Oakland' LIMIT 1", o);
	json_t *want = sql_rows(ref, "SELECT Id, Name, Region__c, json_object('latitude', 37.8044, 'longitude', -122.2712) "
				     "AS \"json:Location__c\" FROM Store__c WHERE Name = 'Oakland'");
	compare(got, want, true, "FIELDS(ALL) under a role", "", __LINE__);
	json_decref(got);
	json_decref(want);
	check_error(db, "SELECT Rating__c FROM Store__c", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Rating__c' of 'Store__c' (line 1, column 8)", o, __LINE__);
	crmw_query_opts_free(o);
	ERR("SELECT FIELDS(ALL) FROM Store__c",
	    "MALFORMED_QUERY: The SOQL FIELDS function must have a LIMIT of at most 200: FIELDS(ALL) selects an unbounded set of fields (FIELDS(STANDARD) needs no LIMIT) (line 1, column 8)");
	ERR("SELECT FIELDS(CUSTOM) FROM Store__c LIMIT 201",
	    "MALFORMED_QUERY: The SOQL FIELDS function must have a LIMIT of at most 200: FIELDS(CUSTOM) selects an unbounded set of fields (FIELDS(STANDARD) needs no LIMIT) (line 1, column 8)");
	ERR("SELECT Id, FIELDS(ALL) FROM Store__c LIMIT 200", "MALFORMED_QUERY: duplicate field selected: Id (line 1, column 12)");
	ERR("SELECT FIELDS(EVERYTHING) FROM Store__c",
	    "MALFORMED_QUERY: unexpected 'EVERYTHING', expected ALL, STANDARD or CUSTOM (line 1, column 15)");
	ERR("SELECT COUNT(Id), FIELDS(STANDARD) FROM Store__c",
	    "MALFORMED_QUERY: FIELDS() cannot be used in an aggregate query (line 1, column 19)");
	ERR("SELECT Id FROM Store__c WHERE FIELDS(ALL) = null",
	    "MALFORMED_QUERY: FIELDS() can only be an item of the SELECT list (line 1, column 31)");
}

/* (SELECT LastName FROM Account.Contacts): the child relationship named after the outer object. */
static void test_prefixed_child(void **state)
{
	(void)state;
	const char *want =
		"SELECT a.Name, (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_object('totalSize', count(*), 'done', json('true'), "
		"'records', json_group_array(json_object('LastName', c.LastName))) END FROM Contact c WHERE c.AccountId = a.Id) "
		"AS \"json:Contacts\" FROM Account a";
	ROWS("SELECT Name, (SELECT LastName FROM Account.Contacts) FROM Account", want);
	ROWS("SELECT Name, (SELECT LastName FROM acc.Contacts) FROM Account acc", want);
	ERR("SELECT Name, (SELECT LastName FROM Case.Contacts) FROM Account",
	    "INVALID_FIELD: Didn't understand relationship 'Case.Contacts' in FROM part of query call: a child relationship is named after the outer query's object, 'Account' (line 1, column 36)");
	ERR("SELECT LastName FROM Account.Contacts",
	    "MALFORMED_QUERY: FROM takes an object name, not a path: 'Account.Contacts' names a child relationship, which only a subquery in SELECT reads (line 1, column 22)");
	ERR("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Account.Contacts)",
	    "MALFORMED_QUERY: FROM takes an object name, not a path: 'Account.Contacts' names a child relationship, which only a subquery in SELECT reads (line 1, column 59)");
}

/* Currency literals: the org's own currency is the number; another is refused (one currency, no rates). */
static void test_currency_literals(void **state)
{
	(void)state;
	ROWS("SELECT Name FROM Opportunity WHERE Amount > USD5000", "SELECT Name FROM Opportunity WHERE Amount > 5000");
	ROWS("SELECT Name FROM Opportunity WHERE Amount IN (usd500.01, usd600)",
	     "SELECT Name FROM Opportunity WHERE Amount IN (500.01, 600)");
	ROWS("SELECT Name FROM Opportunity WHERE Amount > -USD1 AND Amount <= usd1234.50",
	     "SELECT Name FROM Opportunity WHERE Amount > -1 AND Amount <= 1234.5");
	SEARCH("FIND {O1 OR O4} RETURNING Opportunity(Name WHERE Amount > USD5000)", "Opportunity",
	       "SELECT Name FROM Opportunity WHERE Name = 'O4'");
	ROWS2("SELECT Name FROM Opportunity WHERE Amount >= EUR5000", "SELECT Name FROM Opportunity WHERE Amount >= 5000");
	ERR("SELECT Name FROM Opportunity WHERE Amount > EUR5000",
	    "MALFORMED_QUERY: currency EUR is not active in this org: it has one currency, USD, and no conversion rates (line 1, column 45)");
	ERR2("SELECT Name FROM Opportunity WHERE Amount > USD5000",
	     "MALFORMED_QUERY: currency USD is not active in this org: it has one currency, EUR, and no conversion rates (line 1, column 45)");
	ERR("SELECT Name FROM Opportunity WHERE Amount IN (USD500, 600)",
	    "MALFORMED_QUERY: an IN list cannot mix amounts with and without a currency code (line 1, column 55)");
	ERR("SELECT Name FROM Opportunity WHERE Probability > USD5",
	    "INVALID_FIELD: an amount with a currency code (USD5) compares with currency fields, and 'Probability' is a percent (line 1, column 50)");
	ERR("SELECT StageName FROM Opportunity GROUP BY StageName HAVING SUM(Amount) > USD5",
	    "MALFORMED_QUERY: an amount with a currency code (USD5) cannot be compared with an aggregate, which is in the org's currency; write the number (line 1, column 75)");
}

/* Fiscal date literals and functions: calendar years by default, the org's fiscal start month otherwise. */
static void test_fiscal(void **state)
{
	(void)state;
	/* main org: the fiscal year is the calendar year */
	COUNT("SELECT COUNT() FROM Opportunity WHERE CloseDate = THIS_FISCAL_QUARTER",
	      "SELECT count(*) AS n FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2024-07-01'");
	COUNT("SELECT COUNT() FROM Opportunity WHERE CloseDate = LAST_FISCAL_YEAR",
	      "SELECT count(*) AS n FROM Opportunity WHERE CloseDate >= '2023-01-01' AND CloseDate < '2024-01-01'");
	COUNT("SELECT COUNT() FROM Opportunity WHERE CreatedDate = LAST_N_FISCAL_YEARS:3",
	      "SELECT count(*) AS n FROM Opportunity WHERE CreatedDate >= '2021-01-01T00:00:00Z' AND CreatedDate < '2024-01-01T00:00:00Z'");
	ROWS("SELECT Name, FISCAL_YEAR(CloseDate) y, FISCAL_QUARTER(CloseDate) q, FISCAL_MONTH(CloseDate) m FROM Opportunity",
	     "SELECT Name, CAST(strftime('%Y', CloseDate) AS INT) AS y, (CAST(strftime('%m', CloseDate) AS INT) + 2) / 3 AS q, "
	     "CAST(strftime('%m', CloseDate) AS INT) AS m FROM Opportunity");
	/* fiscal org: the year starts in April and is named by the year it ends in */
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2025-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_QUARTER",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2024-07-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = NEXT_FISCAL_QUARTER",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-07-01' AND CloseDate < '2024-10-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = LAST_FISCAL_QUARTER",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-01-01' AND CloseDate < '2024-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = N_FISCAL_QUARTERS_AGO:2",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2023-10-01' AND CloseDate < '2024-01-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = LAST_N_FISCAL_YEARS:3",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2021-04-01' AND CloseDate < '2024-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = NEXT_N_FISCAL_YEARS:1",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2025-04-01' AND CloseDate < '2026-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = N_FISCAL_YEARS_AGO:3",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2021-04-01' AND CloseDate < '2022-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate < THIS_FISCAL_YEAR",
	      "SELECT Name FROM Opportunity WHERE CloseDate < '2024-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CreatedDate = LAST_N_FISCAL_QUARTERS:2",
	      "SELECT Name FROM Opportunity WHERE CreatedDate >= '2023-10-01T00:00:00Z' AND CreatedDate < '2024-04-01T00:00:00Z'");
	ROWS2("SELECT Name, FISCAL_YEAR(CloseDate) y, FISCAL_QUARTER(CloseDate) q, FISCAL_MONTH(CloseDate) m FROM Opportunity",
	      "SELECT Name, CAST(strftime('%Y', CloseDate) AS INT) + (CAST(strftime('%m', CloseDate) AS INT) >= 4) AS y, "
	      "(CAST(strftime('%m', CloseDate) AS INT) + 8) % 12 / 3 + 1 AS q, (CAST(strftime('%m', CloseDate) AS INT) + 8) % 12 + 1 AS m "
	      "FROM Opportunity");
	ROWS2("SELECT FISCAL_YEAR(CloseDate) fy, COUNT(Id) n FROM Opportunity GROUP BY FISCAL_YEAR(CloseDate)",
	      "SELECT CAST(strftime('%Y', CloseDate) AS INT) + (CAST(strftime('%m', CloseDate) AS INT) >= 4) AS fy, count(Id) AS n "
	      "FROM Opportunity GROUP BY fy");
	ERR("SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_FISCAL_YEARS",
	    "MALFORMED_QUERY: date literal LAST_N_FISCAL_YEARS needs ':n' (for example LAST_N_FISCAL_YEARS:7) (line 1, column 46)");
	ERR("SELECT Id FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR:2",
	    "MALFORMED_QUERY: date literal THIS_FISCAL_YEAR takes no ':n' (line 1, column 62)");
	ERR("SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_FISCAL_QUARTERS:100001",
	    "MALFORMED_QUERY: LAST_N_FISCAL_QUARTERS:100001: n must be a whole number from 0 to 100000 (line 1, column 69)");
	/* the settings are checked */
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2b"), CRMW_OK);
	crmw_db *d = NULL;
	assert_int_equal(crmw_db_create(&d, ":memory:", s, "{\"fiscal_year_start_month\":13}"), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_db_create options: \"fiscal_year_start_month\" '13' is not a month from 1 to 12");
	assert_int_equal(crmw_db_create(&d, ":memory:", s, "{\"currency\":\"usd\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_db_create(&d, ":memory:", s, "{\"fiscal_year_named_by\":\"middle\"}"), CRMW_EINVALID);
	crmw_schema_free(s);
	/* and kept in the file */
	crmw_db *again = NULL;
	assert_int_equal(crmw_db_open(&again, fiscal_path, CRMW_DB_READONLY), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR AND Amount > EUR10";
	assert_int_equal(crmw_query(&b, again, q, strlen(q), opts), CRMW_OK);
	json_t *got = json_loads(b.data, 0, NULL),
	       *want = sql_rows(ref2, "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2025-04-01' AND Amount > 10");
	compare(got, want, false, "settings after reopening", q, __LINE__);
	json_decref(got);
	json_decref(want);
	crmw_buf_dispose(&b);
	crmw_db_free(again);
}

/* UPDATE TRACKING / UPDATE VIEWSTAT: writes, refused; UPDATE is never an alias. */
static void test_update_tracking(void **state)
{
	(void)state;
	ERR("SELECT Title FROM Knowledge__kav WHERE Title LIKE 'a%' UPDATE TRACKING",
	    "MALFORMED_QUERY: UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only (line 1, column 63)");
	ERR("SELECT Title FROM Knowledge__kav UPDATE VIEWSTAT",
	    "MALFORMED_QUERY: UPDATE VIEWSTAT is not supported: it counts a view of the Knowledge articles found, and queries here are read-only (line 1, column 41)");
	ERR("SELECT Title FROM Knowledge__kav FOR VIEW UPDATE TRACKING",
	    "MALFORMED_QUERY: UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only (line 1, column 50)");
	ERR("SELECT Title FROM Knowledge__kav UPDATE",
	    "MALFORMED_QUERY: unexpected end of query, expected TRACKING or VIEWSTAT after UPDATE (line 1, column 40)");
	check_error(db, "FIND {Apex} RETURNING Knowledge__kav(Title) UPDATE TRACKING", CRMW_EQUERY,
		    "MALFORMED_SEARCH: UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only (line 1, column 52)",
		    NULL, __LINE__);
	check_error(db, "FIND {Apex} UPDATE VIEWSTAT", CRMW_EQUERY,
		    "MALFORMED_SEARCH: UPDATE VIEWSTAT is not supported: it counts a view of the Knowledge articles found, and queries here are read-only (line 1, column 20)",
		    NULL, __LINE__);
	/* a keyword is never an alias */
	ERR("SELECT Id FROM Case Update WHERE Status = 'New'",
	    "MALFORMED_QUERY: unexpected 'WHERE', expected TRACKING or VIEWSTAT after UPDATE (line 1, column 28)");
	ERR("SELECT Id FROM Case c, c.Account Where", "MALFORMED_QUERY: unexpected 'Where', expected an alias after the relationship path (FROM Contact c, c.Account a) (line 1, column 34)");
}

/* Relationship aliases in FROM: FROM Contact c, c.Account a. */
static void test_relationship_aliases(void **state)
{
	(void)state;
	COUNT("SELECT count() FROM Contact c, c.Account a WHERE a.Name = 'Acme Dynamics'",
	      "SELECT count(*) AS n FROM Contact c JOIN Account a ON a.Id = c.AccountId WHERE a.Name = 'Acme Dynamics'");
	ROWS("SELECT c.LastName, a.Name FROM Contact c, c.Account a WHERE a.Industry = 'Energy' OR a.Name = null",
	     "SELECT c.LastName, a.Id AS \"?Account\", a.Name AS \"Account.Name\" FROM Contact c LEFT JOIN Account a ON a.Id = c.AccountId "
	     "WHERE a.Industry = 'Energy' OR a.Name IS NULL");
	/* an alias of an alias's path, and the object's name instead of its alias */
	ROWS("SELECT Subject, ct.LastName, a.Name FROM Case, Case.Contact ct, ct.Account a WHERE a.Industry != null",
	     "SELECT c.Subject, json_object('LastName', ct.LastName, 'Account', json_object('Name', a.Name)) AS \"json:Contact\" "
	     "FROM \"Case\" c JOIN Contact ct ON ct.Id = c.ContactId JOIN Account a ON a.Id = ct.AccountId WHERE a.Industry IS NOT NULL");
	ERR("SELECT Id FROM Contact c, c.Account c", "MALFORMED_QUERY: alias 'c' is given twice in FROM (line 1, column 27)");
	ERR("SELECT Id FROM Contact c, c.Acount a",
	    "INVALID_FIELD: Didn't understand relationship 'Acount' in field path 'c.Acount' on entity 'Contact' (line 1, column 27); did you mean 'Account'?");
	ERR("SELECT Id FROM Contact c, c.LastName n",
	    "INVALID_FIELD: Didn't understand relationship 'LastName' in field path 'c.LastName' on entity 'Contact' (line 1, column 27)");
	ERR("SELECT Id FROM Contact c, Account a",
	    "MALFORMED_QUERY: FROM takes one object; what follows ',' is a relationship path with an alias (FROM Contact c, c.Account a) (line 1, column 27)");
	ERR("SELECT Id FROM Contact c, c.Account a, a.Owner b, b.Manager d, d.Owner e, e.Owner f, f.Owner g, g.Owner h, h.Owner i, i.Owner j",
	    "MALFORMED_QUERY: too many relationship aliases in FROM (at most 8) (line 1, column 119)");
}

/* SOSL RETURNING Account(Id, Name USING ListView=...): no list views here. */
static void test_using_listview(void **state)
{
	(void)state;
	check_error(db, "FIND {Acme} RETURNING Account(Id, Name USING ListView=Recent)", CRMW_EQUERY,
		    "MALFORMED_SEARCH: USING ListView is not supported: this org has no list views; filter with WHERE (line 1, column 40)",
		    NULL, __LINE__);
	ERR("SELECT Id FROM Account USING SCOPE mine",
	    "MALFORMED_QUERY: USING SCOPE is not supported: filter scopes (mine, team, ...) need the user running the query, which queries here do not have; filter with WHERE (line 1, column 24)");
}

/* The documented escapes: \uXXXX and the upper-case \N \R \T \B \F. */
static void test_escapes(void **state)
{
	(void)state;
	ROWS("SELECT Subject FROM Case WHERE Subject = 'Caf\\u00e9\\Tnoir'",
	     "SELECT Subject FROM \"Case\" WHERE Subject = 'Caf' || char(233) || char(9) || 'noir'");
	ROWS("SELECT Subject FROM Case WHERE Subject = 'CAF\\u00e9\\tNOIR'",
	     "SELECT Subject FROM \"Case\" WHERE Subject = 'Caf' || char(233) || char(9) || 'noir'");
	ROWS("SELECT Subject FROM Case WHERE Subject = '\\uD83D\\uDE00 smile'",
	     "SELECT Subject FROM \"Case\" WHERE Subject = char(128512) || ' smile'");
	ROWS("SELECT Subject FROM Case WHERE Subject IN ('\\u0057aiting', '\\N', '\\R', '\\B', '\\F', 'Waiting\\u0021')",
	     "SELECT Subject FROM \"Case\" WHERE Subject IN (char(10), char(13), char(8), char(12), 'Waiting')");
	ERR("SELECT Id FROM Case WHERE Subject = '\\u00e'",
	    "MALFORMED_QUERY: \\u takes four hexadecimal digits (\\u00e9) (line 1, column 38)");
	ERR("SELECT Id FROM Case WHERE Subject = '\\uDE00'",
	    "MALFORMED_QUERY: \\uDE00 is the second half of a surrogate pair, with no first half (line 1, column 38)");
	ERR("SELECT Id FROM Case WHERE Subject = '\\uD83D x'",
	    "MALFORMED_QUERY: \\uD83D is the first half of a surrogate pair and needs its second half (\\uDC00 to \\uDFFF) (line 1, column 38)");
	ERR("SELECT Id FROM Case WHERE Subject = '\\q'", "MALFORMED_QUERY: invalid escape sequence '\\q' in a string (line 1, column 38)");
}

/* A boolean compared with null: = null is = false, != null is = true. */
static void test_boolean_null(void **state)
{
	(void)state;
	ROWS("SELECT Name, IsActive FROM Product2 WHERE IsActive = null",
	     "SELECT Name, IsActive AS \"bool:IsActive\" FROM Product2 WHERE IsActive = 0");
	ROWS("SELECT Name FROM Product2 WHERE IsActive != null", "SELECT Name FROM Product2 WHERE IsActive = 1");
	ROWS("SELECT Name FROM Product2 WHERE NOT IsActive = null", "SELECT Name FROM Product2 WHERE IsActive = 1");
	ROWS("SELECT LastName FROM Lead WHERE IsConverted = null", "SELECT LastName FROM Lead WHERE IsConverted = 0");
	/* other fields keep their nulls */
	ROWS("SELECT Name FROM Account WHERE Industry = null", "SELECT Name FROM Account WHERE Industry IS NULL");
}

/* ORDER BY a picklist sorts in the picklist's defined order (values outside it after, alphabetically). */
#define STATUS_RANK                                                                                                \
	"CASE lower(Status) WHEN 'new' THEN 0 WHEN 'working' THEN 1 WHEN 'escalated' THEN 2 WHEN 'waiting on customer' " \
	"THEN 3 WHEN 'closed' THEN 4 ELSE 5 END"
static void test_picklist_order(void **state)
{
	(void)state;
	ROWS_ORDERED("SELECT Subject, Status FROM Case ORDER BY Status",
		     "SELECT Subject, Status FROM \"Case\" ORDER BY Status IS NOT NULL, " STATUS_RANK ", Status COLLATE NOCASE");
	ROWS_ORDERED("SELECT Subject FROM Case ORDER BY Status DESC NULLS FIRST",
		     "SELECT Subject FROM \"Case\" ORDER BY Status IS NOT NULL, " STATUS_RANK " DESC, Status COLLATE NOCASE DESC");
	ROWS_ORDERED("SELECT Name FROM Opportunity ORDER BY StageName NULLS LAST, Name",
		     "SELECT Name FROM Opportunity ORDER BY StageName IS NULL, CASE StageName WHEN 'Qualification' THEN 0 "
		     "WHEN 'Discovery' THEN 1 WHEN 'Quote' THEN 2 WHEN 'Negotiation' THEN 3 WHEN 'Closed' THEN 4 END, Name");
	ROWS_ORDERED("SELECT LastName FROM Contact WHERE AccountId != null ORDER BY Account.Industry, LastName",
		     "SELECT c.LastName FROM Contact c JOIN Account a ON a.Id = c.AccountId ORDER BY a.Industry IS NOT NULL, "
		     "CASE a.Industry WHEN 'Technology' THEN 0 WHEN 'Energy' THEN 2 END, c.LastName");
	ROWS_ORDERED("SELECT Status, COUNT(Id) n FROM Case GROUP BY Status ORDER BY Status DESC",
		     "SELECT Status, count(Id) AS n FROM \"Case\" GROUP BY Status ORDER BY Status IS NULL, " STATUS_RANK " DESC, Status COLLATE NOCASE DESC");
	SEARCH_ORDERED("FIND {Order} RETURNING Case(Subject ORDER BY Status)", "Case",
		       "SELECT Subject FROM \"Case\" WHERE Subject LIKE 'Order%' ORDER BY " STATUS_RANK);
}

/* Bind variables: the documented "not supported", wherever a value goes. */
static void test_bind_variables(void **state)
{
	(void)state;
	const char *why = "into the query (queries here are text, not Apex)";
	char msg[300];
#define BIND(q, var, col)                                                                                            \
	snprintf(msg, sizeof msg, "MALFORMED_QUERY: bind variables are not supported: write the value of ':%s' %s (line 1, column %d)", \
		 var, why, col);                                                                                      \
	ERR(q, msg)
	BIND("SELECT Id FROM Case WHERE Id IN :ids", "ids", 33);
	BIND("SELECT Id FROM Case WHERE Id NOT IN :ids", "ids", 37);
	BIND("SELECT Id FROM Case WHERE Id = :c.Id", "c.Id", 32);
	BIND("SELECT Id FROM Case WHERE Status IN ('New', :other)", "other", 45);
	BIND("SELECT Id FROM Case LIMIT :n", "n", 27);
	BIND("SELECT Id FROM Case LIMIT 5 OFFSET :skip", "skip", 36);
	BIND("SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS::days", "days", 53);
	BIND("SELECT Id FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(:lat, :lon), 'mi')", "lat", 68);
	BIND("SELECT Id FROM Store__c ORDER BY DISTANCE(Location__c, :here, 'mi')", "here", 56);
	BIND("SELECT Id FROM Case WHERE Status INCLUDES :x", "x", 43);
	check_error(db, "FIND :term IN ALL FIELDS", CRMW_EQUERY,
		    "MALFORMED_SEARCH: bind variables are not supported: write the value of ':term' into the query (queries here are text, not Apex) (line 1, column 6)",
		    NULL, __LINE__);
	check_error(db, "FIND {x} RETURNING Case(Id WHERE Id IN :ids)", CRMW_EQUERY,
		    "MALFORMED_SEARCH: bind variables are not supported: write the value of ':ids' into the query (queries here are text, not Apex) (line 1, column 40)",
		    NULL, __LINE__);
#undef BIND
}

/* GROUPING() with ROLLUP/CUBE: not supported, with the reason. */
static void test_grouping(void **state)
{
	(void)state;
	ERR("SELECT Status, GROUPING(Status) g, COUNT(Id) FROM Case GROUP BY ROLLUP(Status)",
	    "MALFORMED_QUERY: GROUPING() is not supported: it marks the subtotal rows of GROUP BY ROLLUP and CUBE, which this engine does not compute (line 1, column 16)");
	ERR("SELECT Status, COUNT(Id) FROM Case GROUP BY CUBE(Status)",
	    "MALFORMED_QUERY: GROUP BY ROLLUP and CUBE are not supported: this engine computes no subtotal rows (line 1, column 45)");
	ERR("SELECT Status FROM Case GROUP BY Status HAVING GROUPING(Status) = 1",
	    "MALFORMED_QUERY: GROUPING() is not supported: it marks the subtotal rows of GROUP BY ROLLUP and CUBE, which this engine does not compute (line 1, column 48)");
	/* a field may still be called Grouping */
	ERR("SELECT Grouping FROM Case", "INVALID_FIELD: No such column 'Grouping' on entity 'Case' (line 1, column 8)");
}

/* Error messages never hold half of a multi-byte character. */
static void test_messages_whole_characters(void **state)
{
	(void)state;
	ERR("SELECT \xc3\x91" "ame FROM Account", "MALFORMED_QUERY: unexpected character '\xc3\x91' (line 1, column 8)");
	/* a value shown in a message is cut between characters */
	char q[400];
	char word[200] = "J\xc3\xa9";
	for (int i = 0; i < 40; i++)
		strcat(word, "\xc3\xa9");
	strcat(word, "?");
	snprintf(q, sizeof q, "FIND {*%s}", word);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, db, q, strlen(q), opts), CRMW_EQUERY);
	assert_true(valid_utf8(crmw_db_errmsg(db), strlen(crmw_db_errmsg(db))));
	assert_non_null(strstr(crmw_db_errmsg(db), "a wildcard cannot start a term"));
	snprintf(q, sizeof q, "SELECT Id FROM Case WHERE Id = '%s'", word);
	assert_int_equal(crmw_query(&b, db, q, strlen(q), opts), CRMW_EQUERY);
	assert_true(valid_utf8(crmw_db_errmsg(db), strlen(crmw_db_errmsg(db))));
	/* every cut of a long message: every byte of a query made of multi-byte characters */
	char big[3000];
	size_t n = (size_t)snprintf(big, sizeof big, "SELECT Id FROM Case WHERE Subject = 'x' AND ");
	while (n < sizeof big - 8) {
		memcpy(big + n, "\xe2\x82\xac", 3);
		n += 3;
	}
	for (size_t cut = 44; cut < n; cut += 97) {
		assert_int_not_equal(crmw_query(&b, db, big, cut, opts), CRMW_OK);
		assert_true(valid_utf8(crmw_last_error(), strlen(crmw_last_error())));
		assert_true(valid_utf8(crmw_db_errmsg(db), strlen(crmw_db_errmsg(db))));
	}
	crmw_buf_dispose(&b);
}

/* A NUL byte inside a LIKE pattern (C API): refused, never a shorter pattern. */
static void test_nul_in_like(void **state)
{
	(void)state;
	static const char q[] = "SELECT Id FROM Case WHERE Subject LIKE '%\0zzz'";
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, db, q, sizeof q - 1, opts), CRMW_EQUERY);
	assert_string_equal(crmw_db_errmsg(db), "MALFORMED_QUERY: a string literal cannot contain a NUL byte (line 1, column 40)");
	assert_null(b.data);
	ERR("SELECT Id FROM Case WHERE Subject LIKE '%\\u0000zzz'",
	    "MALFORMED_QUERY: a string literal cannot contain a NUL character (\\u0000) (line 1, column 42)");
	static const char s[] = "FIND {a\0b}";
	assert_int_equal(crmw_query(&b, db, s, sizeof s - 1, opts), CRMW_EQUERY);
	assert_string_equal(crmw_db_errmsg(db), "MALFORMED_SEARCH: the search text cannot contain a NUL byte (line 1, column 6)");
}

/* A string literal over 64 MiB: LIMIT_EXCEEDED, when the query is read. */
static void test_huge_literal(void **state)
{
	(void)state;
	size_t n = (64u << 20) + 10;
	char *q = malloc(n + 64);
	assert_non_null(q);
	size_t k = (size_t)sprintf(q, "SELECT Id FROM Case WHERE Subject = '");
	memset(q + k, 'a', n);
	k += n;
	q[k++] = '\'';
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_bytes(o, 0), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, db, q, k, o), CRMW_ELIMIT);
	assert_string_equal(crmw_db_errmsg(db),
			    "LIMIT_EXCEEDED: a string literal is longer than 67108864 bytes, the longest value a query may hold (line 1, column 37)");
	k = (size_t)sprintf(q, "FIND {");
	memset(q + k, 'a', n);
	k += n;
	q[k++] = '}';
	assert_int_equal(crmw_query(&b, db, q, k, o), CRMW_ELIMIT);
	assert_string_equal(crmw_db_errmsg(db),
			    "LIMIT_EXCEEDED: the search text is longer than 67108864 bytes, the longest value a query may hold (line 1, column 6)");
	crmw_query_opts_free(o);
	free(q);
}

/* SOSL search text nested deeply: its own limit and message, never FTS5's parser. */
static void test_search_nesting(void **state)
{
	(void)state;
	char q[2000];
	size_t n = (size_t)sprintf(q, "FIND {");
	for (int i = 0; i < 99; i++)
		n += (size_t)sprintf(q + n, "a OR (");
	n += (size_t)sprintf(q + n, "b");
	for (int i = 0; i < 99; i++)
		q[n++] = ')';
	q[n++] = '}';
	q[n] = '\0';
	check_error(db, q, CRMW_EQUERY,
		    "MALFORMED_SEARCH: parentheses in the search text nest too deeply (at most 16) (line 1, column 6)", NULL, __LINE__);
	/* 16 levels with every operator at each, with and without wildcards */
	for (int wild = 0; wild < 2; wild++) {
		n = (size_t)sprintf(q, "FIND {");
		for (int i = 0; i < 16; i++)
			n += (size_t)sprintf(q + n, "(Order AND NOT yy%d) OR (", i);
		n += (size_t)sprintf(q + n, wild ? "Ord?r" : "Order");
		for (int i = 0; i < 16; i++)
			q[n++] = ')';
		n += (size_t)sprintf(q + n, "} RETURNING Case(Subject)");
		json_t *v = soql(db, q, NULL);
		json_t *want = sql_rows(ref, "SELECT Subject FROM \"Case\" WHERE Subject LIKE 'Order%'");
		compare(json_object_get(v, "Case"), want, false, "16 levels", q, __LINE__);
		json_decref(v);
		json_decref(want);
	}
}

/* OFFSET above 2,000: Salesforce's NUMBER_OUTSIDE_VALID_RANGE. */
static void test_offset(void **state)
{
	(void)state;
	ROWS("SELECT Id FROM Case ORDER BY Id LIMIT 5 OFFSET 2000", "SELECT Id FROM \"Case\" WHERE 0");
	ROWS_ORDERED("SELECT Subject FROM Case ORDER BY Subject LIMIT 2 OFFSET 3",
		     "SELECT Subject FROM \"Case\" ORDER BY Subject COLLATE NOCASE LIMIT 2 OFFSET 3");
	ERR("SELECT Id FROM Case OFFSET 2001",
	    "NUMBER_OUTSIDE_VALID_RANGE: Maximum SOQL offset allowed is 2000 (OFFSET 2001) (line 1, column 28)");
	ERR("SELECT Name, (SELECT Id FROM Contacts OFFSET 5000) FROM Account",
	    "NUMBER_OUTSIDE_VALID_RANGE: Maximum SOQL offset allowed is 2000 (OFFSET 5000) (line 1, column 46)");
	check_error(db, "FIND {Acme} RETURNING Account(Name LIMIT 1 OFFSET 99999999999)", CRMW_EQUERY,
		    "NUMBER_OUTSIDE_VALID_RANGE: Maximum SOSL offset allowed is 2000 (OFFSET 99999999999) (line 1, column 51)",
		    NULL, __LINE__);
}

/* SOSL wildcards: ? (one character) and * inside a term; a wildcard takes the kind of the character before it. */
static void test_sosl_wildcards(void **state)
{
	(void)state;
	const char *objs[] = {"Contact"};
	const char *a[] = {"SELECT FirstName FROM Contact WHERE FirstName IN ('John', 'Joan')"};
	check_search(db, "FIND {Jo?n} IN NAME FIELDS RETURNING Contact(FirstName)", objs, a, 1, false, __LINE__);
	const char *b[] = {"SELECT FirstName FROM Contact WHERE lower(FirstName) GLOB 'j*n' AND FirstName NOT GLOB '*[0-9]*'"};
	check_search(db, "FIND {J*n} IN NAME FIELDS RETURNING Contact(FirstName)", objs, b, 1, false, __LINE__);
	const char *c[] = {"SELECT FirstName FROM Contact WHERE lower(FirstName) GLOB 'j*n' AND FirstName NOT GLOB '*[0-9]*' AND FirstName != 'Jon'"};
	check_search(db, "FIND {J*n AND NOT \"jon\"} IN NAME FIELDS RETURNING Contact(FirstName)", objs, c, 1, false, __LINE__);
	const char *d[] = {"SELECT FirstName FROM Contact WHERE FirstName IN ('John', 'Joan', 'Jane')"};
	check_search(db, "FIND {Jo?n OR Ja*} IN NAME FIELDS RETURNING Contact(FirstName)", objs, d, 1, false, __LINE__);
	const char *e[] = {"SELECT FirstName FROM Contact WHERE FirstName IN ('John', 'Joan')"};
	check_search(db, "FIND {(Jo?n OR Jon) NOT Jon} RETURNING Contact(FirstName)", objs, e, 1, false, __LINE__);
	/* a digit's wildcard is a digit: 1?3 is 123 and 143, not 1a3 */
	const char *cases[] = {"Case"};
	const char *f[] = {"SELECT Subject FROM \"Case\" WHERE Subject IN ('Order 123 late', 'Order 143 missing')"};
	check_search(db, "FIND {1?3} RETURNING Case(Subject)", cases, f, 1, false, __LINE__);
	const char *g[] = {"SELECT Subject FROM \"Case\" WHERE Subject = 'Order 123 late'"};
	check_search(db, "FIND {\"order 123\" AND 1*3 AND lat?} RETURNING Case(Subject)", cases, g, 1, false, __LINE__);
	/* diacritics fold as in the index: Caf? matches café */
	const char *h[] = {"SELECT Subject FROM \"Case\" WHERE Subject LIKE 'Caf%'"};
	check_search(db, "FIND {C?f?} RETURNING Case(Subject)", cases, h, 1, false, __LINE__);
	/* a hidden field never matches, with or without a wildcard */
	crmw_query_opts *o = as_role(db, "{\"schema_version\":1,\"name\":\"t\",\"default\":\"read\","
				       "\"objects\":{\"Contact\":{\"hidden_fields\":[\"Email\"]}}}");
	json_t *v = soql(db, "FIND {jan?} RETURNING Contact(FirstName)", o);
	json_t *want = sql_rows(ref, "SELECT FirstName FROM Contact WHERE FirstName = 'Jane'");
	compare(json_object_get(v, "Contact"), want, false, "hidden field", "", __LINE__);
	json_decref(v);
	json_decref(want);
	crmw_query_opts_free(o);
	check_error(db, "FIND {*son}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a wildcard cannot start a term ('*son'): put it in the middle or at the end (line 1, column 6)", NULL, __LINE__);
	check_error(db, "FIND {?on}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a wildcard cannot start a term ('?on'): put it in the middle or at the end (line 1, column 6)", NULL, __LINE__);
	check_error(db, "FIND {jo-?n}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a term with a wildcard inside holds only letters, digits, '?' and '*' ('jo-?n') (line 1, column 6)", NULL, __LINE__);
	check_error(db, "FIND {a\\bc?d}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a term with a wildcard inside cannot hold escaped characters (line 1, column 6)", NULL, __LINE__);
	char q[1000];
	size_t n = (size_t)sprintf(q, "FIND {");
	for (int i = 0; i < 63; i++)
		q[n++] = (char)('a' + i % 26);
	sprintf(q + n, "?}");
	check_error(db, q, CRMW_EQUERY,
		    "MALFORMED_SEARCH: a term with a wildcard inside is too long (at most 63 characters) (line 1, column 6)", NULL, __LINE__);
	n = (size_t)sprintf(q, "FIND {a?c");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(q + n, " w%d", i);
	sprintf(q + n, "}");
	check_error(db, q, CRMW_EQUERY,
		    "MALFORMED_SEARCH: a search with a wildcard inside a term may have at most 64 terms (line 1, column 6)", NULL, __LINE__);
	/* a trailing * alone stays FTS5's prefix query */
	const char *i2[] = {"SELECT FirstName FROM Contact WHERE FirstName LIKE 'jo%'"};
	check_search(db, "FIND {jo*} IN NAME FIELDS RETURNING Contact(FirstName)", objs, i2, 1, false, __LINE__);
}

/* Every construct obeys the role: the fields it touches and the records the rule keeps. */
static void test_roles(void **state)
{
	(void)state;
	crmw_query_opts *o = as_role(db, "{\"schema_version\":1,\"name\":\"t\",\"default\":\"read\","
				       "\"objects\":{\"Store__c\":{\"hidden_fields\":[\"Location__c\"]},"
				       "\"Account\":{\"hidden_fields\":[\"Industry\",\"NumberOfEmployees\"]}}}");
	check_error(db, "SELECT Name FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(1, 2), 'mi')", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Location__c' of 'Store__c' (line 1, column 45)", o, __LINE__);
	check_error(db, "SELECT Name FROM Store__c WHERE DISTANCE(Depot__c, Location__c, 'km') < 1", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Location__c' of 'Store__c' (line 1, column 52)", o, __LINE__);
	check_error(db, "SELECT Location__Latitude__s FROM Store__c", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Location__c' of 'Store__c' (line 1, column 8)", o, __LINE__);
	check_error(db, "SELECT LastName, toLabel(a.Industry) FROM Contact c, c.Account a", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Industry' of 'Account' in 'a.Industry' (line 1, column 26)", o, __LINE__);
	check_error(db, "SELECT FORMAT(NumberOfEmployees) n FROM Account", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'NumberOfEmployees' of 'Account' (line 1, column 15)", o, __LINE__);
	check_error(db, "SELECT Name FROM Account ORDER BY Industry", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Industry' of 'Account' (line 1, column 35)", o, __LINE__);
	json_t *got = soql(db, "SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Globex'", o);
	json_t *want = sql_rows(ref, "SELECT Id, Name, Phone, ShippingState, Description FROM Account WHERE Name = 'Globex'");
	compare(got, want, true, "FIELDS(STANDARD) without the hidden fields", "", __LINE__);
	json_decref(got);
	json_decref(want);
	crmw_query_opts_free(o);
	/* a customer (John Smith of Acme Dynamics) sees the cases of Acme only, with wildcards and FIELDS too */
	crmw_role *r = NULL;
	assert_int_equal(crmw_role_new(&r, db, "external:" C1, NULL), CRMW_OK);
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	crmw_role_free(r);
	got = soql(db, "FIND {1?3 OR Ord?r} RETURNING Case(Subject, toLabel(Status) ORDER BY Status)", o);
	want = sql_rows(ref, "SELECT Subject, Status FROM \"Case\" WHERE AccountId = '" A1 "' AND Subject LIKE 'Order%' "
			     "ORDER BY " STATUS_RANK);
	compare(json_object_get(got, "Case"), want, true, "a customer's wildcard search", "", __LINE__);
	json_decref(got);
	json_decref(want);
	got = soql(db, "SELECT Subject, a.Name FROM Case c, c.Account a WHERE Subject LIKE 'Order%' ORDER BY Status", o);
	want = sql_rows(ref, "SELECT Subject, '" A1 "' AS \"?Account\", 'Acme Dynamics' AS \"Account.Name\" FROM \"Case\" "
			     "WHERE AccountId = '" A1 "' AND Subject LIKE 'Order%' ORDER BY " STATUS_RANK);
	compare(got, want, true, "a customer's relationship alias", "", __LINE__);
	json_decref(got);
	json_decref(want);
	got = soql(db, "SELECT COUNT() FROM Case WHERE CreatedDate = THIS_FISCAL_YEAR", o);
	want = sql_rows(ref, "SELECT count(*) AS n FROM \"Case\" WHERE AccountId = '" A1 "' AND CreatedDate >= '2024-01-01T00:00:00Z' "
			     "AND CreatedDate < '2025-01-01T00:00:00Z'");
	assert_int_equal(json_integer_value(json_object_get(got, "totalSize")),
			 json_integer_value(json_object_get(json_array_get(want, 0), "n")));
	json_decref(got);
	json_decref(want);
	crmw_query_opts_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tolabel),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_search_scope),
		cmocka_unit_test(test_format_currency),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_prefixed_child),
		cmocka_unit_test(test_currency_literals),
		cmocka_unit_test(test_fiscal),
		cmocka_unit_test(test_update_tracking),
		cmocka_unit_test(test_relationship_aliases),
		cmocka_unit_test(test_using_listview),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_boolean_null),
		cmocka_unit_test(test_picklist_order),
		cmocka_unit_test(test_bind_variables),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_messages_whole_characters),
		cmocka_unit_test(test_nul_in_like),
		cmocka_unit_test(test_huge_literal),
		cmocka_unit_test(test_search_nesting),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_sosl_wildcards),
		cmocka_unit_test(test_roles),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("soql-conformance", tests, setup, teardown);
}
