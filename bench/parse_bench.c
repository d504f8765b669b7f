/*
 * bench/parse_bench: what issue 29's constructs cost to parse and compile,
 * beside the plain queries they stand for.
 *
 *   parse_bench OUT_DIR ITERATIONS
 *
 * Makes OUT_DIR/parse.db: the b2b set and a host object Wide__c of 40
 * fields (Id and 39 custom ones), and a few records.  Pairs of queries:
 *  - fields: SELECT FIELDS(ALL) FROM Wide__c LIMIT 200 beside the same 40
 *    fields named one by one;
 *  - tolabel: SELECT Id, toLabel(Status), toLabel(Priority), Subject FROM
 *    Case WHERE toLabel(Status) = 'New' beside the same without toLabel.
 * Each is timed four ways:
 *  - warm: crmw__parse_soql + crmw__compile_soql (no SQLite), repeated on
 *    one handle: the median of ITERATIONS;
 *  - cold: the same, once on a handle just opened (nothing compiled
 *    before on it): the median of ITERATIONS / 20 fresh handles;
 *  - api warm: crmw_query_explain of one text (a statement-cache hit);
 *  - api cold: crmw_query_explain of a text never seen (LIMIT 1..200 in
 *    turn, more than the cache holds): parse, compile and sqlite3_prepare.
 * Both queries of a pair must give the same records (checked).  Prints a
 * table with the ratios (construct / plain), then one JSON object.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _POSIX_C_SOURCE 200809L
#include "query/internal.h"

#include "benchfn.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "parse_bench: %s: %s\n", what, msg ? msg : "?");
	exit(1);
}

#define NFIELDS 39

static void build(const char *path)
{
	crmw_schema *s = NULL;
	if (crmw_schema_builtin(&s, "b2b"))
		die("schema", crmw_last_error());
	crmw_buf j = CRMW_BUF_INIT;
	crmw__buf_printf(&j, "{\"name\":\"Wide__c\",\"label\":\"Wide\",\"key_prefix\":\"a60\",\"description\":\"Many fields.\",\"fields\":[");
	for (int i = 0; i < NFIELDS; i++) {
		static const char *const types[] = {"string", "double", "date", "picklist", "boolean", "currency"};
		const char *t = types[i % 6];
		crmw__buf_printf(&j, "%s{\"name\":\"F%02d__c\",\"type\":\"%s\"%s}", i ? "," : "", i, t,
				strcmp(t, "picklist") == 0 ? ",\"picklist\":[\"A\",\"B\",\"C\"]" : "");
	}
	crmw__buf_printf(&j, "]}");
	if (crmw_schema_add_object(s, j.data, j.len))
		die("Wide__c", crmw_last_error());
	crmw_buf_dispose(&j);
	crmw_db *db = NULL;
	if (crmw_db_create(&db, path, s, "{\"overwrite\":true,\"now\":\"2024-06-15T00:00:00Z\"}"))
		die("create", crmw_last_error());
	crmw_schema_free(s);
	for (int r = 0; r < 50; r++) {
		crmw_buf rec = CRMW_BUF_INIT;
		crmw__buf_printf(&rec, "{\"F00__c\":\"row %d\",\"F01__c\":%d.5,\"F02__c\":\"2024-01-%02d\",\"F03__c\":\"B\",\"F04__c\":%s}",
				r, r, 1 + r % 28, r % 2 ? "true" : "false");
		if (crmw_record_insert(NULL, db, "Wide__c", rec.data, rec.len))
			die("insert", crmw_db_errmsg(db));
		crmw_buf_dispose(&rec);
		char c[200];
		snprintf(c, sizeof c, "{\"Subject\":\"Case %d\",\"Status\":\"%s\",\"Priority\":\"%s\"}", r, r % 3 ? "New" : "Closed",
			 r % 2 ? "High" : "Low");
		if (crmw_record_insert(NULL, db, "Case", c, strlen(c)))
			die("insert", crmw_db_errmsg(db));
	}
	crmw_db_free(db);
}

static void parse_compile(crmw_db *db, const char *q)
{
	crmw_arena a = {0};
	q_select *s = NULL;
	q_compiled *qc = NULL;
	crmw_err err = {0};
	if (crmw__parse_soql(&a, q, strlen(q), &s, &err) || crmw__compile_soql(db, NULL, &a, s, &qc))
		die(q, err.msg ? err.msg : crmw_db_errmsg(db));
	crmw__err_dispose(&err);
	crmw__arena_free(&a);
}

typedef struct timing {
	double warm, cold, api_warm, api_cold; /* microseconds */
} timing;

/*
 * Both queries of a pair, each sample of one taken right after the other's
 * (the machine is shared: interleaving gives both the same noise); each
 * text is the template and LIMIT's number.
 */
static void measure(const char *path, const char *const tmpl[2], int iters, timing out[2])
{
	char q[2][4096];
	for (int k = 0; k < 2; k++)
		snprintf(q[k], sizeof q[k], "%s%d", tmpl[k], 200);
	crmw_db *db = NULL;
	if (crmw_db_open(&db, path, CRMW_DB_READONLY))
		die("open", crmw_last_error());
	double *v[2] = {malloc(sizeof(double) * (size_t)iters), malloc(sizeof(double) * (size_t)iters)};
	if (!v[0] || !v[1])
		die("memory", "out of memory");
	for (int i = 0; i < 100; i++)
		for (int k = 0; k < 2; k++)
			parse_compile(db, q[k]);
	for (int i = 0; i < iters; i++)
		for (int k = 0; k < 2; k++) {
			double t0 = bench_now_us();
			parse_compile(db, q[k]);
			v[k][i] = bench_now_us() - t0;
		}
	for (int k = 0; k < 2; k++)
		out[k].warm = bench_percentiles(v[k], iters).p50;
	crmw_buf res = CRMW_BUF_INIT;
	for (int i = 0; i < iters; i++)
		for (int k = 0; k < 2; k++) {
			double t0 = bench_now_us();
			if (crmw_query_explain(&res, db, q[k], strlen(q[k]), NULL))
				die(q[k], crmw_db_errmsg(db));
			v[k][i] = bench_now_us() - t0;
		}
	for (int k = 0; k < 2; k++)
		out[k].api_warm = bench_percentiles(v[k], iters).p50;
	for (int i = 0; i < iters; i++)
		for (int k = 0; k < 2; k++) {
			char qi[4096];
			snprintf(qi, sizeof qi, "%s%d", tmpl[k], 1 + i % 200);
			double t0 = bench_now_us();
			if (crmw_query_explain(&res, db, qi, strlen(qi), NULL))
				die(qi, crmw_db_errmsg(db));
			v[k][i] = bench_now_us() - t0;
		}
	for (int k = 0; k < 2; k++)
		out[k].api_cold = bench_percentiles(v[k], iters).p50;
	crmw_buf_dispose(&res);
	crmw_db_free(db);
	int n = iters / 20 > 5 ? iters / 20 : 5;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			if (crmw_db_open(&db, path, CRMW_DB_READONLY))
				die("open", crmw_last_error());
			double t0 = bench_now_us();
			parse_compile(db, q[k]);
			v[k][i] = bench_now_us() - t0;
			crmw_db_free(db);
		}
	for (int k = 0; k < 2; k++) {
		out[k].cold = bench_percentiles(v[k], n).p50;
		free(v[k]);
	}
}

/* The records of two queries are the same. */
static void same_records(const char *path, const char *a, const char *b)
{
	crmw_db *db = NULL;
	if (crmw_db_open(&db, path, CRMW_DB_READONLY))
		die("open", crmw_last_error());
	crmw_buf x = CRMW_BUF_INIT, y = CRMW_BUF_INIT;
	char qa[4096], qb[4096];
	snprintf(qa, sizeof qa, "%s200", a);
	snprintf(qb, sizeof qb, "%s200", b);
	if (crmw_query(&x, db, qa, strlen(qa), NULL) || crmw_query(&y, db, qb, strlen(qb), NULL))
		die("query", crmw_db_errmsg(db));
	if (strcmp(x.data, y.data) != 0)
		die("different records", qa);
	crmw_buf_dispose(&x);
	crmw_buf_dispose(&y);
	crmw_db_free(db);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage", "parse_bench OUT_DIR ITERATIONS");
	int iters = atoi(argv[2]);
	if (iters < 20)
		iters = 20;
	char path[4096];
	snprintf(path, sizeof path, "%s/parse.db", argv[1]);
	build(path);
	char plain_fields[2048];
	size_t k = (size_t)snprintf(plain_fields, sizeof plain_fields, "SELECT Id");
	for (int i = 0; i < NFIELDS; i++)
		k += (size_t)snprintf(plain_fields + k, sizeof plain_fields - k, ", F%02d__c", i);
	snprintf(plain_fields + k, sizeof plain_fields - k, " FROM Wide__c LIMIT ");
	static const struct {
		const char *name, *construct, *plain;
	} pairs[] = {
		{"fields", "SELECT FIELDS(ALL) FROM Wide__c LIMIT ", NULL},
		{"tolabel", "SELECT Id, toLabel(Status), toLabel(Priority), Subject FROM Case WHERE toLabel(Status) = 'New' LIMIT ",
		 "SELECT Id, Status, Priority, Subject FROM Case WHERE Status = 'New' LIMIT "},
	};
	fprintf(stderr, "%-8s %-10s %12s %12s %12s %12s\n", "query", "form", "warm us", "cold us", "api warm us", "api cold us");
	crmw_buf json = CRMW_BUF_INIT;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		const char *plain = pairs[i].plain ? pairs[i].plain : plain_fields;
		same_records(path, pairs[i].construct, plain);
		const char *tmpl[2] = {pairs[i].construct, plain};
		timing t[2];
		measure(path, tmpl, iters, t);
		timing c = t[0], p = t[1];
		fprintf(stderr, "%-8s %-10s %12.2f %12.2f %12.2f %12.2f\n", pairs[i].name, "construct", c.warm, c.cold, c.api_warm,
			c.api_cold);
		fprintf(stderr, "%-8s %-10s %12.2f %12.2f %12.2f %12.2f\n", pairs[i].name, "plain", p.warm, p.cold, p.api_warm, p.api_cold);
		fprintf(stderr, "%-8s %-10s %12.2fx %11.2fx %11.2fx %11.2fx\n", pairs[i].name, "ratio", c.warm / p.warm, c.cold / p.cold,
			c.api_warm / p.api_warm, c.api_cold / p.api_cold);
		crmw__buf_printf(&json,
				",\"%s\":{\"warm_us\":[%.2f,%.2f],\"cold_us\":[%.2f,%.2f],\"api_warm_us\":[%.2f,%.2f],\"api_cold_us\":[%.2f,%.2f],"
				"\"ratio\":{\"warm\":%.3f,\"cold\":%.3f,\"api_warm\":%.3f,\"api_cold\":%.3f}}",
				pairs[i].name, c.warm, p.warm, c.cold, p.cold, c.api_warm, p.api_warm, c.api_cold, p.api_cold,
				c.warm / p.warm, c.cold / p.cold, c.api_warm / p.api_warm, c.api_cold / p.api_cold);
	}
	printf("{\"iterations\":%d%s}\n", iters, json.data ? json.data : "");
	crmw_buf_dispose(&json);
	return 0;
}
