/*
 * RL rollouts: a pool of environments over one org, a group of episodes of
 * the same task stepped in a batch, and the group's advantages.  The "policy"
 * here is scripted; a trainer puts its model's samples in outputs[].
 * usage: example-rollouts ORG.db
 * SPDX-License-Identifier: Apache-2.0
 */
#include <crmweaver.h>
#include <stdio.h>
#include <string.h>

enum { GROUP = 4 };

int main(int argc, char **argv)
{
	crmw_db *db = NULL;
	crmw_task_set *tasks = NULL;
	crmw_env_pool *pool = NULL;
	crmw_env *envs[GROUP] = {0};
	crmw_buf obs = CRMW_BUF_INIT, outs[GROUP] = {CRMW_BUF_INIT, CRMW_BUF_INIT, CRMW_BUF_INIT, CRMW_BUF_INIT};
	crmw_buf stats = CRMW_BUF_INIT;
	/* two samples answer after looking, two answer at once */
	const char *call = "<tool_call>{\"name\": \"get_period\", \"arguments\": {\"period_name\": \"Q1\", \"year\": 2024}}</tool_call>";
	const char *outputs[GROUP];
	size_t lens[GROUP];
	int rc = argc > 1 ? crmw_db_open(&db, argv[1], CRMW_DB_READONLY) : CRMW_EINVALID;
	rc = rc ? rc : crmw_task_set_generate(&tasks, NULL, db, "{\"families\": \"knowledge_qa\", \"per_family\": 2}");
	rc = rc ? rc : crmw_env_pool_new(&pool, argv[1], "{\"workers\": 1, \"memory\": \"off\"}");
	rc = rc ? rc : crmw_env_pool_set_tasks(pool, tasks);
	for (int i = 0; !rc && i < GROUP; i++) {
		rc = crmw_env_new(&envs[i], pool);
		rc = rc ? rc : crmw_env_reset(&obs, envs[i], "{\"index\": 0, \"tools\": false}");
		outputs[i] = i < 2 ? call : "I am not sure.";
		lens[i] = strlen(outputs[i]);
	}
	rc = rc ? rc : crmw_env_step_batch(pool, envs, outputs, lens, outs, NULL, GROUP);
	double rewards[GROUP];
	for (int i = 0; !rc && i < GROUP; i++) {
		printf("episode %d: %.120s...\n", i, outs[i].data);
		rewards[i] = strstr(outs[i].data, "\"done\":true") ? 0.0 : 1.0; /* a stand-in reward */
	}
	rc = rc ? rc : crmw_group_stats(&stats, NULL, rewards, GROUP);
	if (!rc)
		printf("group: %s\n", stats.data);
	if (rc)
		fprintf(stderr, "error: %s\n", crmw_last_error());
	for (int i = 0; i < GROUP; i++) {
		crmw_env_free(envs[i]);
		crmw_buf_dispose(&outs[i]);
	}
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&stats);
	crmw_env_pool_free(pool);
	crmw_task_set_free(tasks);
	crmw_db_free(db);
	return rc ? 1 : 0;
}
