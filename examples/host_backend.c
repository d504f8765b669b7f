/*
 * A host with its own model backend: the callback gets an OpenAI chat
 * request and answers with the model's output.  This "model" calls one tool
 * and then answers with its result, so the example runs with no model.
 * usage: example-host-backend ORG.db
 * SPDX-License-Identifier: Apache-2.0
 */
#include <crmweaver.h>
#include <stdio.h>
#include <string.h>

static int complete(crmw_response *resp, const crmw_request *req, void *userdata)
{
	(void)userdata;
	const char *json = crmw_request_json(req, NULL); /* messages, tools, metadata */
	if (!strstr(json, "\"role\":\"tool\"")) /* first turn: call a tool (any dialect works) */
		return crmw_response_set_text(resp, "<tool_call>{\"name\": \"get_period\", "
						    "\"arguments\": {\"period_name\": \"Q1\", \"year\": 2024}}</tool_call>", 95);
	return crmw_response_set_text(resp, "Q1 2024 starts on 2024-01-01.", 29); /* then answer */
}

int main(int argc, char **argv)
{
	crmw_db *db = NULL;
	crmw_agent *agent = NULL;
	crmw_buf traj = CRMW_BUF_INIT;
	crmw_backend b = {sizeof b, CRMW_BACKEND_VERSION, NULL, complete, NULL, NULL, 0, NULL};
	int rc = argc > 1 ? crmw_db_open(&db, argv[1], CRMW_DB_READONLY) : CRMW_EINVALID;
	rc = rc ? rc : crmw_agent_new(&agent, db, "{\"max_turns\": 5}");
	rc = rc ? rc : crmw_agent_set_backend(agent, &b);
	rc = rc ? rc : crmw_agent_run(&traj, agent, "{\"id\": \"t1\", \"query\": \"When does Q1 2024 start?\"}", NULL);
	if (rc)
		fprintf(stderr, "error: %s\n", crmw_last_error());
	else
		printf("%s\n", traj.data); /* one trajectory JSONL line */
	crmw_buf_dispose(&traj);
	crmw_agent_free(agent);
	crmw_db_free(db);
	return rc ? 1 : 0;
}
