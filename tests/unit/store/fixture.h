/* test-store: what its aspect files share (fixture.c) and the list of its
 * tests (main.c runs them). */
#ifndef CRMW_TEST_STORE_FIXTURE_H
#define CRMW_TEST_STORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include <crmweaver.h>

#include "store/internal.h" /* crmw__id_make, crmw__id_counter_of, id counters */

#define INS(db, obj, json, idbuf) fx_ins((db), (obj), (json), (idbuf), __LINE__)

/* A small crmarena org: a user, an account, a contact, a case. */
typedef struct org {
	crmw_db *db;
	crmw_buf user, account, contact, kase;
} org;

/* The temporary directory of the group (setup and teardown below). */
extern char fx_tmpdir[256];
int fx_setup_dir(void **state);
int fx_teardown_dir(void **state);

/* A path in fx_tmpdir (eight rotating buffers). */
const char *fx_path_in(const char *name);
crmw_db *fx_mkdb(const char *set, const char *path, const char *opts);
void fx_ins(crmw_db *db, const char *obj, const char *json, crmw_buf *id, int line);
json_t *fx_get(crmw_db *db, const char *obj, const char *id);
int64_t fx_count(crmw_db *db, const char *obj);
void fx_expect_fail(crmw_db *db, int rc, int want, const char *needle);
void fx_mkorg(org *o, const char *path);
void fx_org_free(org *o);

/* The tests, by aspect (main.c lists them in the order they run). */

/* ids.c */
void test_ids(void **state);
void test_id_counter_of(void **state);
void test_generated_ids_deterministic(void **state);

/* open.c */
void test_create_open(void **state);
void test_open_errors(void **state);

/* records.c */
void test_values_normalised(void **state);
void test_bad_values(void **state);
void test_update_upsert_delete(void **state);
void test_iterate(void **state);
void test_runtime_schema_changes(void **state);

/* bulk.c */
void test_bulk_typed_any_order(void **state);
void test_bulk_large_exclusive(void **state);
void test_bulk_exclusive_with_reader(void **state);
void test_bulk_references_of_the_load(void **state);
void test_bulk_dangling_rolls_back(void **state);

/* import_export.c */
void test_import_csv(void **state);
void test_import_json_jsonl(void **state);
void test_export_import_roundtrip(void **state);
void test_import_crmarena_dump(void **state);

/* log.c */
void test_log_callback(void **state);

#endif
