/*
 * Unit tests of crmw_env_step_batch's status: the first failing step (in
 * index order) is the call's result whether or not the host asks for each
 * step's status (it returned CRMW_OK for a batch with a failed step when
 * `rcs` was NULL), on the calling thread alone and over workers.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <crmweaver.h>

static char dir[64], org_path[128];
static crmw_task_set *tasks;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-envb-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	crmw_db *db = NULL;
	if (crmw_gen(org_path, "{\"seed\":2,\"scale\":0.2}", NULL, NULL) ||
	    crmw_db_open(&db, org_path, CRMW_DB_READONLY))
		return -1;
	int rc = crmw_task_set_generate(&tasks, NULL, db, "{\"families\":\"handle_time\",\"per_family\":1}");
	crmw_db_free(db);
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	crmw_task_set_free(tasks);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Three environments; only the first has an episode, so stepping the other
 * two fails with CRMW_ESTATE ("no episode"). */
static void batch_reports_failure(const char *pool_options)
{
	crmw_env_pool *p = NULL;
	assert_int_equal(crmw_env_pool_new(&p, org_path, pool_options), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	crmw_env *envs[3];
	crmw_buf outs[3] = {CRMW_BUF_INIT, CRMW_BUF_INIT, CRMW_BUF_INIT}, obs = CRMW_BUF_INIT;
	for (int i = 0; i < 3; i++)
		assert_int_equal(crmw_env_new(&envs[i], p), CRMW_OK);
	const char *outputs[3] = {"I do not know.", "I do not know.", "I do not know."};
	size_t lens[3] = {14, 14, 14};

	/* with the statuses asked for */
	assert_int_equal(crmw_env_reset(&obs, envs[0], "{\"index\":0}"), CRMW_OK);
	int rcs[3] = {1, 1, 1};
	assert_int_equal(crmw_env_step_batch(p, envs, outputs, lens, outs, rcs, 3), CRMW_ESTATE);
	assert_int_equal(rcs[0], CRMW_OK);
	assert_int_equal(rcs[1], CRMW_ESTATE);
	assert_int_equal(rcs[2], CRMW_ESTATE);
	assert_non_null(strstr(crmw_env_pool_errmsg(p), "step 1: "));

	/* without them: the same result (this returned CRMW_OK) */
	assert_int_equal(crmw_env_reset(&obs, envs[0], "{\"index\":0}"), CRMW_OK);
	assert_int_equal(crmw_env_step_batch(p, envs, outputs, lens, outs, NULL, 3), CRMW_ESTATE);
	assert_non_null(strstr(crmw_env_pool_errmsg(p), "step 1: "));
	assert_int_equal(crmw_last_error_code(), CRMW_ESTATE);

	/* a batch whose steps all succeed is CRMW_OK either way */
	assert_int_equal(crmw_env_reset(&obs, envs[0], "{\"index\":0}"), CRMW_OK);
	assert_int_equal(crmw_env_step_batch(p, envs, outputs, lens, outs, NULL, 1), CRMW_OK);
	assert_non_null(strstr(outs[0].data, "\"done\":true"));
	assert_int_equal(crmw_env_step_batch(p, envs, outputs, lens, outs, NULL, 0), CRMW_OK);

	for (int i = 0; i < 3; i++) {
		crmw_env_free(envs[i]);
		crmw_buf_dispose(&outs[i]);
	}
	crmw_buf_dispose(&obs);
	crmw_env_pool_free(p);
}

static void test_calling_thread(void **state)
{
	(void)state;
	batch_reports_failure("{\"workers\":0}");
}

static void test_workers(void **state)
{
	(void)state;
	batch_reports_failure("{\"workers\":2}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calling_thread),
		cmocka_unit_test(test_workers),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
