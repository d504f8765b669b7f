/*
 * bench/store_bench: bulk-load speed of the org store.
 *
 *   store_bench OUT_DIR ROWS
 *
 * Creates crmarena orgs in OUT_DIR and bulk-loads ROWS OrderItem records
 * (three references, two numbers, a generated id; three reference indexes)
 * into a file database, through the typed path and through the JSON path,
 * each in one exclusive bulk load (values and references checked; secondary
 * indexes built at commit; a rollback journal instead of WAL while loading).
 * Also writes OUT_DIR/empty.db, an org with the parents only, for the Python
 * sqlite3 baseline in bench/store_bench.py.  Prints one JSON object.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmweaver.h>

#include "benchfn.h"

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, msg);
	exit(1);
}

typedef struct parents {
	char order[10][19], product[10][19], entry[10][19];
} parents;

static crmw_db *make_org(const char *path, parents *p)
{
	crmw_schema *s = NULL;
	if (crmw_schema_builtin(&s, "crmarena"))
		die("schema", crmw_last_error());
	crmw_db *db = NULL;
	if (crmw_db_create(&db, path, s, "{\"overwrite\":true,\"id_seed\":1}"))
		die(path, crmw_last_error());
	crmw_schema_free(s);
	crmw_buf id = CRMW_BUF_INIT, pb = CRMW_BUF_INIT, acc = CRMW_BUF_INIT;
	char json[256];
#define INS(obj, js, out) \
	if (crmw_record_insert((out), db, (obj), (js), strlen(js))) die(obj, crmw_db_errmsg(db))
	INS("Account", "{\"LastName\":\"Bench\"}", &acc);
	INS("Pricebook2", "{\"Name\":\"Standard\",\"IsActive\":true}", &pb);
	for (int i = 0; i < 10; i++) {
		snprintf(json, sizeof json, "{\"Name\":\"Product %d\",\"IsActive\":true}", i);
		INS("Product2", json, &id);
		memcpy(p->product[i], id.data, 19);
		snprintf(json, sizeof json, "{\"Pricebook2Id\":\"%s\",\"Product2Id\":\"%s\",\"UnitPrice\":%d.5}",
			 pb.data, p->product[i], 10 + i);
		INS("PricebookEntry", json, &id);
		memcpy(p->entry[i], id.data, 19);
		snprintf(json, sizeof json,
			 "{\"AccountId\":\"%s\",\"Pricebook2Id\":\"%s\",\"Status\":\"Activated\",\"EffectiveDate\":\"2024-01-%02d\"}",
			 acc.data, pb.data, i + 1);
		INS("Order", json, &id);
		memcpy(p->order[i], id.data, 19);
	}
#undef INS
	crmw_buf_dispose(&id);
	crmw_buf_dispose(&pb);
	crmw_buf_dispose(&acc);
	return db;
}

static double load_typed(crmw_db *db, const parents *p, long rows)
{
	crmw_schema *s = (crmw_schema *)crmw_db_schema(db);
	int32_t f_order = crmw_schema_field_index(s, "OrderItem", "OrderId");
	int32_t f_prod = crmw_schema_field_index(s, "OrderItem", "Product2Id");
	int32_t f_qty = crmw_schema_field_index(s, "OrderItem", "Quantity");
	int32_t f_price = crmw_schema_field_index(s, "OrderItem", "UnitPrice");
	int32_t f_entry = crmw_schema_field_index(s, "OrderItem", "PricebookEntryId");
	double t0 = bench_now_s();
	crmw_bulk *b = NULL;
	if (crmw_bulk_begin(&b, db, "{\"exclusive\":true}"))
		die("bulk", crmw_db_errmsg(db));
	for (long i = 0; i < rows; i++) {
		int k = (int)(i % 10);
		if (crmw_bulk_row_begin(b, "OrderItem") ||
		    crmw_bulk_set_text(b, f_order, p->order[k], 18) ||
		    crmw_bulk_set_text(b, f_prod, p->product[k], 18) ||
		    crmw_bulk_set_text(b, f_entry, p->entry[k], 18) ||
		    crmw_bulk_set_double(b, f_qty, (double)(1 + i % 5)) ||
		    crmw_bulk_set_double(b, f_price, 10.5 + k) ||
		    crmw_bulk_row_end(NULL, b))
			die("typed row", crmw_db_errmsg(db));
	}
	if (crmw_bulk_commit(b))
		die("commit", crmw_db_errmsg(db));
	crmw_bulk_free(b);
	return bench_now_s() - t0;
}

static double load_json(crmw_db *db, const parents *p, long rows)
{
	char json[400];
	double t0 = bench_now_s();
	crmw_bulk *b = NULL;
	if (crmw_bulk_begin(&b, db, "{\"exclusive\":true}"))
		die("bulk", crmw_db_errmsg(db));
	for (long i = 0; i < rows; i++) {
		int k = (int)(i % 10);
		int n = snprintf(json, sizeof json,
				 "{\"OrderId\":\"%s\",\"Product2Id\":\"%s\",\"PricebookEntryId\":\"%s\","
				 "\"Quantity\":%ld,\"UnitPrice\":%.1f}",
				 p->order[k], p->product[k], p->entry[k], 1 + i % 5, 10.5 + k);
		if (crmw_bulk_add_json(NULL, b, "OrderItem", json, (size_t)n))
			die("json row", crmw_db_errmsg(db));
	}
	if (crmw_bulk_commit(b))
		die("commit", crmw_db_errmsg(db));
	crmw_bulk_free(b);
	return bench_now_s() - t0;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: store_bench OUT_DIR ROWS [typed|json|both]\n");
		return 2;
	}
	const char *mode = argc == 4 ? argv[3] : "both";
	long rows = atol(argv[2]);
	char path[4096];
	parents p;

	snprintf(path, sizeof path, "%s/empty.db", argv[1]);
	crmw_db_free(make_org(path, &p));

	snprintf(path, sizeof path, "%s/typed.db", argv[1]);
	crmw_db *db = make_org(path, &p);
	double typed = strcmp(mode, "json") ? load_typed(db, &p, rows) : 1e-9;
	int64_t n = 0;
	crmw_db_count(&n, db, "OrderItem");
	crmw_db_free(db);
	if (strcmp(mode, "json") && n != rows)
		die("typed", "row count mismatch");

	snprintf(path, sizeof path, "%s/json.db", argv[1]);
	db = make_org(path, &p);
	double js = strcmp(mode, "typed") ? load_json(db, &p, rows) : 1e-9;
	crmw_db_free(db);

	printf("{\"rows\":%ld,\"typed_s\":%.4f,\"typed_rows_per_s\":%.0f,\"json_s\":%.4f,"
	       "\"json_rows_per_s\":%.0f,\"peak_rss_kb\":%ld,"
	       "\"orders\":[\"%s\"],\"products\":[\"%s\"],\"entries\":[\"%s\"]}\n",
	       rows, typed, rows / typed, js, rows / js, bench_peak_rss_kb(), p.order[0], p.product[0], p.entry[0]);
	return 0;
}
