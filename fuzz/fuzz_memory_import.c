/* Memory JSONL import into a fresh store. */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, ".jsonl");
	char store[300];
	snprintf(store, sizeof store, "%s.mem", path);
	unlink(store);
	crmw_memory *m = NULL;
	if (crmw_memory_open(&m, store, "{\"dim\":16}") == CRMW_OK) {
		int64_t added = 0, merged = 0;
		crmw_memory_import(&added, &merged, m, path, NULL);
	}
	crmw_memory_free(m);
	unlink(store);
	return 0;
}
