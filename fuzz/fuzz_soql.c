/* SOQL (and anything else) through the compiler and the sandbox. */
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
	crmw_buf out = CRMW_BUF_INIT;
	crmw_query(&out, db, (const char *)data, size, fuzz_query_opts());
	crmw_buf_dispose(&out);
	return 0;
}
