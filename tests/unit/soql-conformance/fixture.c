/* The shared fixtures of test-soql-conformance (fixture.h). */

#include "fixture.h"

char fx_dir[256], fx_main_path[300], fx_fiscal_path[300];
crmw_db *fx_db, *fx_db2;  /* the orgs, through the library */
sqlite3 *fx_ref, *fx_ref2; /* the same files, for SQL written by hand */
crmw_query_opts *fx_opts;

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

int fx_setup(void **state)
{
	(void)state;
	snprintf(fx_dir, sizeof fx_dir, "%s/crmw-conf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(fx_dir));
	snprintf(fx_main_path, sizeof fx_main_path, "%s/main.db", fx_dir);
	snprintf(fx_fiscal_path, sizeof fx_fiscal_path, "%s/fiscal.db", fx_dir);
	fx_db = make_org(fx_main_path, "{\"now\":\"2024-06-15T12:00:00Z\"}", true);
	fill_main(fx_db);
	fx_db2 = make_org(fx_fiscal_path,
		       "{\"now\":\"2024-06-15T12:00:00Z\",\"currency\":\"EUR\",\"fiscal_year_start_month\":4}", false);
	fill_fiscal(fx_db2);
	fx_ref = open_ref(fx_main_path);
	fx_ref2 = open_ref(fx_fiscal_path);
	assert_int_equal(crmw_query_opts_new(&fx_opts), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_today(fx_opts, "2024-06-15"), CRMW_OK);
	return 0;
}

int fx_teardown(void **state)
{
	(void)state;
	crmw_query_opts_free(fx_opts);
	crmw_db_free(fx_db);
	crmw_db_free(fx_db2);
	sqlite3_close(fx_ref);
	sqlite3_close(fx_ref2);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* --------------------------------------------------------- comparing */

json_t *fx_soql(crmw_db *d, const char *q, const crmw_query_opts *o)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, d, q, strlen(q), o ? o : fx_opts))
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
json_t *fx_sql_rows(sqlite3 *r, const char *sql)
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

void fx_compare(json_t *got, json_t *want, bool ordered, const char *what, const char *q, int line)
{
	bool ok = ordered ? same_value(got, want) : same_set(got, want);
	if (!ok) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
		fail_msg("line %d: %s\n  %s\n  got  %.1500s\n  want %.1500s", line, what, q, g, w);
	}
}

/* A SOQL query against hand-written SQL, as data. */
void fx_check_rows(crmw_db *d, sqlite3 *r, const char *q, const char *sql, bool ordered, int line)
{
	json_t *got = fx_soql(d, q, NULL), *want = fx_sql_rows(r, sql);
	fx_compare(got, want, ordered, "records", q, line);
	json_decref(got);
	json_decref(want);
}

/* SELECT COUNT() against a count in SQL. */
void fx_check_count(crmw_db *d, sqlite3 *r, const char *q, const char *sql, int line)
{
	json_t *got = fx_soql(d, q, NULL), *want = fx_sql_rows(r, sql);
	json_int_t n = json_integer_value(json_object_get(got, "totalSize"));
	json_int_t m = json_integer_value(json_object_get(json_array_get(want, 0), "n"));
	if (n != m)
		fail_msg("line %d: %s\n  totalSize %lld, want %lld", line, q, (long long)n, (long long)m);
	json_decref(got);
	json_decref(want);
}

/* A SOSL search: each object's records against hand-written SQL. */
void fx_check_search(crmw_db *d, const char *q, const char *const *objects, const char *const *sqls, int n, bool ordered,
			 int line)
{
	json_t *got = fx_soql(d, q, NULL);
	if (json_object_size(got) != (size_t)n)
		fail_msg("line %d: %s: %zu objects, want %d", line, q, json_object_size(got), n);
	for (int i = 0; i < n; i++) {
		json_t *recs = json_object_get(got, objects[i]);
		if (!recs)
			fail_msg("line %d: %s: no key %s", line, q, objects[i]);
		json_t *want = fx_sql_rows(d == fx_db ? fx_ref : fx_ref2, sqls[i]);
		fx_compare(recs, want, ordered, objects[i], q, line);
		json_decref(want);
	}
	json_decref(got);
}

/* A refusal: the exact status and message. */
void fx_check_error(crmw_db *d, const char *q, int status, const char *msg, const crmw_query_opts *o, int line)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, d, q, strlen(q), o ? o : fx_opts);
	crmw_buf_dispose(&b);
	if (rc != status || strcmp(crmw_db_errmsg(d), msg) != 0)
		fail_msg("line %d: %s\n  got  %s %s\n  want %s %s", line, q, crmw_status_name(rc), crmw_db_errmsg(d),
			 crmw_status_name(status), msg);
	if (strcmp(crmw_last_error(), msg) != 0)
		fail_msg("line %d: %s: crmw_last_error() is '%s'", line, q, crmw_last_error());
}

crmw_query_opts *fx_as_role(crmw_db *d, const char *policy)
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
