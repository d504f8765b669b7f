/* SOSL: every input is a FIND statement. */
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_org();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crmw_db *db = fuzz_org();
	char *q = malloc(size + 6);
	if (!q)
		return 0;
	memcpy(q, "FIND ", 5);
	memcpy(q + 5, data, size);
	crmw_buf out = CRMW_BUF_INIT;
	crmw_query(&out, db, q, size + 5, fuzz_query_opts());
	crmw_buf_dispose(&out);
	free(q);
	return 0;
}
