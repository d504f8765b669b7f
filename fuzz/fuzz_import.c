/* Record import: the first byte picks the format (JSON, JSONL, CSV) and the
 * object, the rest is the file; imported (all or nothing) into one
 * in-memory org that lives for the run. */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static crmw_schema *schema;
	if (!schema && crmw_schema_builtin(&schema, "crmarena"))
		abort();
	static const char *const objects[] = {"Account", "Contact", "Case", "Product2", "Order", "OrderItem"};
	int32_t format = data[0] % 3;
	const char *object = objects[(data[0] / 3) % 6];
	const char *path = fuzz_file(data + 1, size - 1, format == 2 ? ".csv" : ".json");
	static crmw_db *db;
	if (!db && crmw_db_create(&db, ":memory:", schema, NULL))
		abort();
	int64_t n = 0;
	crmw_db_import_file(&n, db, object, format, path);
	return 0;
}
