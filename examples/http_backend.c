/*
 * The agent with a real model behind an OpenAI-compatible server (llama.cpp's
 * llama-server, vLLM, Ollama, a hosted API).
 * usage: example-http-backend ORG.db BASE_URL MODEL   (e.g. http://127.0.0.1:8080/v1)
 * The key, if the server needs one, comes from $OPENAI_API_KEY.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <crmweaver.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s ORG.db BASE_URL MODEL\n", argv[0]);
		return 2;
	}
	char opts[2048];
	snprintf(opts, sizeof opts,
		 "{\"base_url\": \"%s\", \"model\": \"%s\", \"api_key_env\": \"OPENAI_API_KEY\", \"timeout_ms\": 60000}",
		 argv[2], argv[3]);
	crmw_db *db = NULL;
	crmw_agent *agent = NULL;
	crmw_backend http;
	crmw_buf traj = CRMW_BUF_INIT;
	int rc = crmw_db_open(&db, argv[1], CRMW_DB_READONLY);
	rc = rc ? rc : crmw_agent_new(&agent, db, "{\"max_turns\": 10}");
	rc = rc ? rc : crmw_backend_openai_http(&http, opts);
	rc = rc ? rc : crmw_agent_set_backend(agent, &http); /* the agent owns it now */
	rc = rc ? rc : crmw_agent_run(&traj, agent, "{\"id\": \"t1\", \"query\": \"When does Q1 2024 start?\"}", NULL);
	if (rc)
		fprintf(stderr, "error: %s\n", crmw_last_error());
	else
		printf("%s\n", traj.data);
	crmw_buf_dispose(&traj);
	crmw_agent_free(agent);
	crmw_db_free(db);
	return rc ? 1 : 0;
}
