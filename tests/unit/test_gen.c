/*
 * Unit tests of crmw_gen's API: options, progress and abort, cleanup.
 * (Content, consistency and latent effects: tests/integration/test_gen.py.)
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
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

#include <crmweaver.h>

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-gen-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

typedef struct seen {
	int calls, stages, stop_at;
	bool done;
	char last[64];
	pthread_t caller;
	bool other_thread;   /* a call came from another thread */
	char log[8192];      /* "stage done total;" of every call */
	size_t loglen;
} seen;

static int progress(const char *stage, int64_t done, int64_t total, void *ud)
{
	seen *s = ud;
	(void)done;
	(void)total;
	s->calls++;
	if (!pthread_equal(pthread_self(), s->caller))
		s->other_thread = true;
	if (s->loglen < sizeof s->log - 100)
		s->loglen += (size_t)snprintf(s->log + s->loglen, sizeof s->log - s->loglen, "%s %lld %lld;", stage,
					      (long long)done, (long long)total);
	if (strcmp(stage, "rows") != 0)
		s->stages++;
	if (strcmp(stage, "done") == 0)
		s->done = true;
	snprintf(s->last, sizeof s->last, "%s", stage);
	return s->stop_at && s->calls >= s->stop_at;
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static void test_generates_and_reports(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/org.db", dir);
	seen s = {.caller = pthread_self()};
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2c\",\"seed\":3,\"scale\":0.05}", progress, &s), CRMW_OK);
	assert_true(s.stages >= 8);
	assert_true(s.done);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	assert_string_equal(crmw_schema_name(crmw_db_schema(db)), "b2c");
	assert_string_equal(crmw_db_now(db), "2024-10-01T00:00:00Z");
	int64_t n = 0;
	assert_int_equal(crmw_db_count(&n, db, "Case"), CRMW_OK);
	assert_int_equal(n, 50);
	crmw_db_free(db);
	/* An existing file needs overwrite. */
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2c\",\"scale\":0.05}", NULL, NULL), CRMW_EEXISTS);
	assert_int_equal(crmw_gen(path, "{\"profile\":\"crmarena\",\"scale\":0.05,\"overwrite\":true,"
					 "\"now\":\"2022-03-01T00:00:00Z\"}", NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	assert_string_equal(crmw_db_now(db), "2022-03-01T00:00:00Z");
	crmw_db_free(db);
}

static void test_abort_leaves_nothing(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/aborted.db", dir);
	/* Early (a stage) and late (rows of order items, with the generator on
	 * its own thread well ahead of the writer), on one thread and on two. */
	static const char *const opts[] = {"{\"scale\":0.2}", "{\"scale\":0.2,\"threads\":1}",
					   "{\"scale\":2,\"threads\":2}", "{\"scale\":2,\"threads\":1}"};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		seen s = {.stop_at = i < 2 ? 5 : 12, .caller = pthread_self()};
		assert_int_equal(crmw_gen(path, opts[i], progress, &s), CRMW_EUSER);
		assert_int_equal(s.calls, s.stop_at); /* no call after the abort */
		assert_false(s.other_thread);
		assert_non_null(strstr(crmw_last_error(), "aborted"));
		assert_false(exists(path));
		char wal[160];
		snprintf(wal, sizeof wal, "%s-journal", path);
		assert_false(exists(wal));
	}
}

/* Two threads (the generator ahead of the writer) and one thread make the
 * same calls to the progress callback, all on the calling thread. */
static void test_threads_same_progress(void **state)
{
	(void)state;
	char p1[128], p2[128];
	snprintf(p1, sizeof p1, "%s/t1.db", dir);
	snprintf(p2, sizeof p2, "%s/t2.db", dir);
	static seen s1, s2;
	memset(&s1, 0, sizeof s1);
	memset(&s2, 0, sizeof s2);
	s1.caller = s2.caller = pthread_self();
	assert_int_equal(crmw_gen(p1, "{\"profile\":\"b2b\",\"scale\":0.5,\"threads\":1}", progress, &s1), CRMW_OK);
	assert_int_equal(crmw_gen(p2, "{\"profile\":\"b2b\",\"scale\":0.5,\"threads\":2}", progress, &s2), CRMW_OK);
	assert_false(s1.other_thread);
	assert_false(s2.other_thread);
	assert_true(s1.calls > 12); /* stages and rows every 16384 records */
	assert_string_equal(s1.log, s2.log);
}

static void test_bad_options(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/bad.db", dir);
	const char *bad[] = {
		"{\"profile\":\"b2x\"}", "{\"scale\":0}", "{\"scale\":-1}", "{\"scale\":\"big\"}",
		"{\"seed\":1.5}", "{\"now\":\"yesterday\"}", "{\"colour\":\"red\"}", "[]",
		"{\"threads\":0}", "{\"threads\":65}", "{\"threads\":\"two\"}", "{\"threads\":1.5}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(crmw_gen(path, bad[i], NULL, NULL), CRMW_EINVALID);
		assert_false(exists(path));
	}
	/* read as every options document is: not JSON is CRMW_EFORMAT, as in
	 * crmw_db_create; the closest known option is named */
	assert_int_equal(crmw_gen(path, "not json", NULL, NULL), CRMW_EFORMAT);
	assert_int_equal(crmw_gen(path, "{\"sead\":2}", NULL, NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "did you mean \"seed\""));
	assert_int_equal(crmw_gen(path, "{\"overwrite\":1}", NULL, NULL), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_gen options: \"overwrite\" must be true or false");
	assert_false(exists(path));
	assert_int_equal(crmw_gen(NULL, NULL, NULL, NULL), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_gen: NULL argument");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generates_and_reports),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_threads_same_progress),
		cmocka_unit_test(test_bad_options),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("gen", tests, setup, teardown);
}
