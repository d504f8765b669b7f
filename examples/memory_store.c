/*
 * The shared-memory store on its own: add guidelines, search them by
 * meaning, count what helped.
 * usage: example-memory-store DIR
 * SPDX-License-Identifier: Apache-2.0
 */
#include <crmweaver.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/memory.db", argc > 1 ? argv[1] : ".");
	crmw_memory *m = NULL;
	crmw_buf hits = CRMW_BUF_INIT;
	int64_t id = 0;
	int rc = crmw_memory_open(&m, path, NULL);
	rc = rc ? rc : crmw_memory_add(&id, NULL, m, "{\"kind\":\"guideline\",\"family\":\"case_routing\","
						   "\"text\":\"Route a case to the agent who closed the most cases of its issue.\"}",
				       NULL, 0);
	rc = rc ? rc : crmw_memory_add(NULL, NULL, m, "{\"kind\":\"guideline\",\"family\":\"quote_approval\","
						     "\"text\":\"Quotes above a 20 percent discount need a manager.\"}",
				       NULL, 0);
	rc = rc ? rc : crmw_memory_search(&hits, m, "which agent should get this new case", "{\"k\":1}");
	if (!rc)
		printf("closest guideline: %s\n", hits.data);
	rc = rc ? rc : crmw_memory_feedback(NULL, m, &id, 1, CRMW_MEM_SUCCESS, 1); /* it helped once */
	if (rc)
		fprintf(stderr, "error: %s\n", crmw_last_error());
	crmw_buf_dispose(&hits);
	crmw_memory_free(m);
	return rc ? 1 : 0;
}
