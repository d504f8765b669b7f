/*
 * bench/query_bench: SOQL latency on a CRMArena-size org.
 *
 *   query_bench OUT_DIR ITERATIONS
 *
 * Builds OUT_DIR/org.db (200 users, 1000 accounts and contacts, 2000 cases
 * over 2023-2024 with owners and closing dates, their history rows) with the
 * bulk loader, then times, through crmw_query (parse + compile-or-cache +
 * execute + JSON):
 *  - point: a lookup by Id with two parent fields, cycling over 32 ids (warm
 *    statement cache); point_cold: the same with a new query text each time;
 *  - analytic: the closed cases of a half year with owner and dates (what an
 *    average-handle-time computation reads), about 400 records;
 *  - aggregate: cases per agent over four quarters (GROUP BY, COUNT, MIN, MAX);
 *  - sosl: a one-word SOSL search over the cases of a generated default
 *    CRMArena org (OUT_DIR/gen.db: crmw_gen, seed 1; about 140 matches, real
 *    subjects and descriptions in the search index).
 * Prints one JSON object with p50/p95 in microseconds and the ids used, for
 * bench/query_bench.py to run the same queries through Python's sqlite3.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmweaver.h>

#include "benchfn.h"

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "query_bench: %s: %s\n", what, msg);
	exit(1);
}

static char case_ids[32][19];

static void build(const char *path)
{
	crmw_schema *s = NULL;
	if (crmw_schema_builtin(&s, "crmarena"))
		die("schema", crmw_last_error());
	crmw_db *db = NULL;
	if (crmw_db_create(&db, path, s, "{\"overwrite\":true,\"id_seed\":3,\"now\":\"2024-12-31T00:00:00Z\"}"))
		die(path, crmw_last_error());
	crmw_schema_free(s);
	crmw_bulk *b = NULL;
	if (crmw_bulk_begin(&b, db, "{\"exclusive\":true}"))
		die("bulk", crmw_db_errmsg(db));
	crmw_buf id = CRMW_BUF_INIT;
	static char users[200][19], accounts[1000][19], contacts[1000][19];
	char json[512];
	srand(7);
#define ADD(obj, out) \
	do { if (crmw_bulk_add_json(&id, b, obj, json, strlen(json))) die(obj, crmw_db_errmsg(db)); \
	     memcpy(out, id.data, 19); } while (0)
	for (int i = 0; i < 200; i++) {
		snprintf(json, sizeof json, "{\"FirstName\":\"Agent%d\",\"LastName\":\"L%d\",\"Email\":\"a%d@x.example\"}", i, i % 37, i);
		ADD("User", users[i]);
	}
	static const char *states[] = {"CA", "NY", "TX", "WA", "FL", "IL", "MA", "OR"};
	for (int i = 0; i < 1000; i++) {
		snprintf(json, sizeof json, "{\"FirstName\":\"C%d\",\"LastName\":\"Doe\",\"ShippingState\":\"%s\"}", i, states[i % 8]);
		ADD("Account", accounts[i]);
		snprintf(json, sizeof json, "{\"LastName\":\"Doe\",\"AccountId\":\"%s\",\"OwnerId\":\"%s\"}", accounts[i], users[i % 200]);
		ADD("Contact", contacts[i]);
	}
	char cid[19];
	for (int i = 0; i < 2000; i++) {
		int day = rand() % 730, hour = rand() % 20;
		int y = 2023 + day / 365, doy = day % 365, m = 1 + doy / 31 > 12 ? 12 : 1 + doy / 31, d = 1 + doy % 28;
		bool closed = rand() % 4 != 0;
		char closed_s[64] = "null";
		if (closed)
			snprintf(closed_s, sizeof closed_s, "\"%04d-%02d-%02dT%02d:30:00Z\"", y, m, d, hour + 1 + rand() % 3);
		snprintf(json, sizeof json,
			 "{\"Subject\":\"Issue %d\",\"Status\":\"%s\",\"Priority\":\"Medium\",\"AccountId\":\"%s\",\"ContactId\":\"%s\","
			 "\"OwnerId\":\"%s\",\"CreatedDate\":\"%04d-%02d-%02dT%02d:00:00Z\",\"ClosedDate\":%s}",
			 i, closed ? "Closed" : "Working", accounts[i % 1000], contacts[i % 1000], users[rand() % 200], y, m, d, hour, closed_s);
		ADD("Case", cid);
		if (i < 32)
			memcpy(case_ids[i], cid, 19);
		snprintf(json, sizeof json, "{\"CaseId__c\":\"%s\",\"Field__c\":\"Owner Assignment\",\"NewValue__c\":\"%s\",\"CreatedDate\":\"%04d-%02d-%02dT%02d:00:00Z\"}",
			 cid, users[i % 200], y, m, d, hour);
		char hid[19];
		ADD("CaseHistory__c", hid);
	}
#undef ADD
	if (crmw_bulk_commit(b))
		die("commit", crmw_db_errmsg(db));
	crmw_bulk_free(b);
	crmw_buf_dispose(&id);
	crmw_db_free(db);
}

static void time_query(crmw_db *db, crmw_query_opts *o, const char *what, int iters, double *p50, double *p95,
		       const char *(*text)(int i, char *buf, size_t n), size_t *bytes)
{
	double *t = malloc(sizeof *t * (size_t)iters);
	crmw_buf out = CRMW_BUF_INIT;
	char buf[512];
	for (int i = -50; i < iters; i++) { /* 50 warm-up runs */
		const char *q = text(i < 0 ? 0 : i, buf, sizeof buf);
		double t0 = bench_now_us();
		if (crmw_query(&out, db, q, strlen(q), o))
			die(what, crmw_db_errmsg(db));
		double dt = bench_now_us() - t0;
		if (i >= 0)
			t[i] = dt;
	}
	*bytes = out.len;
	bench_pcts p = bench_percentiles(t, iters);
	*p50 = p.p50;
	*p95 = p.p95;
	crmw_buf_dispose(&out);
	free(t);
}

static const char *q_point(int i, char *buf, size_t n)
{
	snprintf(buf, n, "SELECT Id, Subject, Status, Account.ShippingState, Owner.Email FROM Case WHERE Id = '%s'", case_ids[i % 32]);
	return buf;
}

static int cold_counter;
static const char *q_point_cold(int i, char *buf, size_t n)
{
	/* A new text every time (LIMIT varies): always parsed and compiled. */
	snprintf(buf, n, "SELECT Id, Subject, Status, Account.ShippingState, Owner.Email FROM Case WHERE Id = '%s' LIMIT %d",
		 case_ids[i % 32], 1000 + cold_counter++);
	return buf;
}

static const char *q_analytic(int i, char *buf, size_t n)
{
	(void)i;
	snprintf(buf, n, "SELECT Id, OwnerId, CreatedDate, ClosedDate FROM Case WHERE Status = 'Closed' "
			 "AND CreatedDate >= 2024-01-01T00:00:00Z AND CreatedDate < 2024-07-01T00:00:00Z");
	return buf;
}

static const char *q_aggregate(int i, char *buf, size_t n)
{
	(void)i;
	snprintf(buf, n, "SELECT OwnerId, COUNT(Id) n, MIN(CreatedDate), MAX(ClosedDate) FROM Case "
			 "WHERE CreatedDate = LAST_N_QUARTERS:4 AND Status = 'Closed' GROUP BY OwnerId");
	return buf;
}

static const char *q_sosl(int i, char *buf, size_t n)
{
	(void)i;
	snprintf(buf, n, "FIND {damaged} IN ALL FIELDS RETURNING Case(Id, Subject)");
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: query_bench OUT_DIR ITERATIONS\n");
		return 2;
	}
	int iters = atoi(argv[2]);
	char path[4096];
	snprintf(path, sizeof path, "%s/org.db", argv[1]);
	build(path);
	crmw_db *db = NULL;
	if (crmw_db_open(&db, path, CRMW_DB_READONLY))
		die(path, crmw_last_error());
	crmw_query_opts *o = NULL;
	crmw_query_opts_new(&o);
	double p[4][2];
	size_t bytes[4];
	time_query(db, o, "point", iters, &p[0][0], &p[0][1], q_point, &bytes[0]);
	time_query(db, o, "point_cold", iters, &p[1][0], &p[1][1], q_point_cold, &bytes[1]);
	time_query(db, o, "analytic", iters / 10 + 1, &p[2][0], &p[2][1], q_analytic, &bytes[2]);
	time_query(db, o, "aggregate", iters / 10 + 1, &p[3][0], &p[3][1], q_aggregate, &bytes[3]);
	char gen_path[4200];
	snprintf(gen_path, sizeof gen_path, "%s/gen.db", argv[1]);
	if (crmw_gen(gen_path, "{\"profile\":\"crmarena\",\"seed\":1,\"overwrite\":true}", NULL, NULL))
		die(gen_path, crmw_last_error());
	crmw_db *gdb = NULL;
	if (crmw_db_open(&gdb, gen_path, CRMW_DB_READONLY))
		die(gen_path, crmw_last_error());
	double sosl[2];
	size_t sosl_bytes;
	time_query(gdb, o, "sosl", iters / 10 + 1, &sosl[0], &sosl[1], q_sosl, &sosl_bytes);
	crmw_db_free(gdb);
	printf("{\"org\":\"%s\",\"gen_org\":\"%s\",\"sosl_p50_us\":%.2f,\"sosl_p95_us\":%.2f,\"sosl_bytes\":%zu,",
	       path, gen_path, sosl[0], sosl[1], sosl_bytes);
	printf("\"peak_rss_kb\":%ld,\"cases\":2000,\"iterations\":%d,"
	       "\"point_p50_us\":%.2f,\"point_p95_us\":%.2f,\"point_cold_p50_us\":%.2f,\"point_cold_p95_us\":%.2f,"
	       "\"analytic_p50_us\":%.2f,\"analytic_p95_us\":%.2f,\"analytic_bytes\":%zu,"
	       "\"aggregate_p50_us\":%.2f,\"aggregate_p95_us\":%.2f,\"case_ids\":[",
	       bench_peak_rss_kb(), iters, p[0][0], p[0][1], p[1][0], p[1][1], p[2][0], p[2][1], bytes[2], p[3][0], p[3][1]);
	for (int i = 0; i < 32; i++)
		printf("%s\"%s\"", i ? "," : "", case_ids[i]);
	printf("]}\n");
	crmw_query_opts_free(o);
	crmw_db_free(db);
	return 0;
}
