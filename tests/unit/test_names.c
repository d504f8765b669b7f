/*
 * Unit tests of the public names that replaced others (docs/abi.md,
 * "Naming"): each new name does what its documentation says, and each
 * deprecated name it replaces still answers exactly as it does (same
 * results, same status codes), so that programs built before the rename
 * keep working.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

/* ------------------------------------------------------- db loggers */

typedef struct {
	int calls;
	int freed;
	char last[200];
} log_seen;

static void log_cb(int32_t level, const char *message, void *ud)
{
	(void)level;
	log_seen *l = ud;
	l->calls++;
	snprintf(l->last, sizeof l->last, "%s", message);
}

static void log_free(void *ud)
{
	((log_seen *)ud)->freed++;
}

/* One bulk load of one record: the db logs "bulk load committed 1 records"
 * at level info. */
static void load_one(crmw_db *db)
{
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "User", "{\"LastName\":\"Z\"}", 16), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
}

static crmw_db *memdb(void)
{
	crmw_schema *s = NULL;
	crmw_db *db = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	assert_int_equal(crmw_db_create(&db, ":memory:", s, NULL), CRMW_OK);
	crmw_schema_free(s);
	return db;
}

static void test_db_set_logger(void **state)
{
	(void)state;
	crmw_db *db = memdb();
	log_seen a = {0}, b = {0};
	crmw_db_set_logger(db, log_cb, CRMW_LOG_INFO, &a, log_free);
	load_one(db);
	assert_int_equal(a.calls, 1);
	assert_string_equal(a.last, "bulk load committed 1 records");
	/* The deprecated name sets the same sink: it replaces the first one
	 * (whose userdata is freed) and receives the next message. */
	crmw_db_set_log(db, log_cb, CRMW_LOG_INFO, &b, log_free);
	assert_int_equal(a.freed, 1);
	load_one(db);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_string_equal(b.last, "bulk load committed 1 records");
	/* and the new name replaces what the old one set, at its level */
	crmw_db_set_logger(db, log_cb, CRMW_LOG_WARN, &a, NULL);
	assert_int_equal(b.freed, 1);
	load_one(db);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	/* NULL handles are accepted by both names */
	crmw_db_set_logger(NULL, log_cb, CRMW_LOG_INFO, NULL, NULL);
	crmw_db_set_log(NULL, log_cb, CRMW_LOG_INFO, NULL, NULL);
	crmw_db_free(db);
}

/* ------------------------------------------------------- task names */

static void test_task_families(void **state)
{
	(void)state;
	crmw_buf a = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_families(&a), CRMW_OK);
	assert_int_equal(crmw_tasks_families(&b), CRMW_OK);
	assert_non_null(strstr(a.data, "\"name\":\"handle_time\""));
	assert_string_equal(a.data, b.data);
	/* the families whose answers need reading free text (issue 27: the
	 * memory policy's learned rules answer them only behind an option) */
	json_t *fams = json_loads(a.data, 0, NULL);
	assert_non_null(fams);
	static const char *const text_families[] = {"policy_violation_identification", "knowledge_qa", "lead_qualification",
						     "wrong_stage_rectification", "activity_priority", "sales_insight_mining",
						     "quote_approval", "invalid_config"};
	size_t i, reading = 0;
	json_t *f;
	json_array_foreach(fams, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		bool listed = false;
		for (size_t k = 0; k < sizeof text_families / sizeof *text_families; k++)
			listed = listed || strcmp(name, text_families[k]) == 0;
		assert_true(json_is_boolean(json_object_get(f, "answer_reads_text")));
		assert_int_equal(json_is_true(json_object_get(f, "answer_reads_text")), listed);
		reading += listed;
	}
	assert_int_equal(reading, sizeof text_families / sizeof *text_families);
	json_decref(fams);
	assert_int_equal(crmw_task_families(NULL), CRMW_EINVALID);
	assert_int_equal(crmw_tasks_families(NULL), CRMW_EINVALID);
	crmw_buf_dispose(&a);
	crmw_buf_dispose(&b);
}

static int count_calls(const char *stage, int64_t done, int64_t total, void *ud)
{
	(void)stage;
	(void)done;
	(void)total;
	++*(int *)ud;
	return 0;
}

static int stop_at_once(const char *stage, int64_t done, int64_t total, void *ud)
{
	(void)stage;
	(void)done;
	(void)total;
	(void)ud;
	return 1;
}

static void same_tasks(const crmw_task_set *x, const crmw_task_set *y)
{
	crmw_buf a = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_count(x), crmw_task_set_count(y));
	for (int64_t i = 0; i < crmw_task_set_count(x); i++) {
		assert_int_equal(crmw_task_set_get(&a, x, i), CRMW_OK);
		assert_int_equal(crmw_task_set_get(&b, y, i), CRMW_OK);
		assert_string_equal(a.data, b.data);
	}
	crmw_buf_dispose(&a);
	crmw_buf_dispose(&b);
}

static void test_task_set_generate(void **state)
{
	(void)state;
	char dir[] = "/tmp/crmw-names-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/org.db", dir);
	assert_int_equal(crmw_gen(path, "{\"seed\":5,\"scale\":0.2}", NULL, NULL), CRMW_OK);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	const char *opts = "{\"families\":\"handle_time\",\"per_family\":2,\"seed\":3}";

	crmw_task_set *n = NULL, *o = NULL, *np = NULL, *op = NULL;
	crmw_buf rn = CRMW_BUF_INIT, ro = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_generate(&n, &rn, db, opts), CRMW_OK);
	assert_int_equal(crmw_task_set_count(n), 2);
	assert_int_equal(crmw_tasks_generate(&o, &ro, db, opts), CRMW_OK);
	same_tasks(n, o);
	assert_string_equal(rn.data, ro.data);

	int calls_n = 0, calls_o = 0;
	assert_int_equal(crmw_task_set_generate_progress(&np, NULL, db, opts, count_calls, &calls_n), CRMW_OK);
	assert_int_equal(crmw_tasks_generate_progress(&op, NULL, db, opts, count_calls, &calls_o), CRMW_OK);
	assert_int_equal(calls_n, 2);
	assert_int_equal(calls_o, 2);
	same_tasks(n, np);
	same_tasks(n, op);

	/* the same failures with the same codes */
	crmw_task_set *none = NULL;
	assert_int_equal(crmw_task_set_generate_progress(&none, NULL, db, opts, stop_at_once, NULL), CRMW_EUSER);
	assert_int_equal(crmw_tasks_generate_progress(&none, NULL, db, opts, stop_at_once, NULL), CRMW_EUSER);
	assert_int_equal(crmw_task_set_generate(&none, NULL, db, "{\"families\":\"handle_tme\"}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_tasks_generate(&none, NULL, db, "{\"families\":\"handle_tme\"}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_task_set_generate(&none, NULL, db, "{\"per_family\":-1}"), CRMW_EINVALID);
	assert_int_equal(crmw_tasks_generate(&none, NULL, db, "{\"per_family\":-1}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_generate(NULL, NULL, db, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_tasks_generate(NULL, NULL, db, NULL), CRMW_EINVALID);
	assert_null(none);

	crmw_task_set_free(n);
	crmw_task_set_free(o);
	crmw_task_set_free(np);
	crmw_task_set_free(op);
	crmw_buf_dispose(&rn);
	crmw_buf_dispose(&ro);
	crmw_db_free(db);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_set_logger),
		cmocka_unit_test(test_task_families),
		cmocka_unit_test(test_task_set_generate),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
