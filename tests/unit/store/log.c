/*
 * The log callback: delivered from the level up, its userdata freed once.
 */

#include "fixture.h"

typedef struct log_seen {
	int calls, freed;
	char last[256];
} log_seen;

static void log_cb(int32_t level, const char *msg, void *ud)
{
	log_seen *l = ud;
	(void)level;
	l->calls++;
	snprintf(l->last, sizeof l->last, "%s", msg);
}

static void log_free(void *ud)
{
	((log_seen *)ud)->freed++;
}

void test_log_callback(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	log_seen l = {0};
	crmw_db_set_log(db, log_cb, CRMW_LOG_INFO, &l, log_free);
	crmw_bulk *b = NULL;
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_add_json(NULL, b, "User", "{\"LastName\":\"Z\"}", 16), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(l.calls, 1);
	assert_string_equal(l.last, "bulk load committed 1 records");
	/* Below the level: not delivered. */
	crmw_db_set_log(db, log_cb, CRMW_LOG_WARN, &l, log_free);
	assert_int_equal(l.freed, 0); /* same userdata: not freed */
	assert_int_equal(crmw_bulk_begin(&b, db, NULL), CRMW_OK);
	assert_int_equal(crmw_bulk_commit(b), CRMW_OK);
	crmw_bulk_free(b);
	assert_int_equal(l.calls, 1);
	crmw_db_free(db);
	assert_int_equal(l.freed, 1);
}
