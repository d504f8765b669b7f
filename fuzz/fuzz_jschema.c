/* JSON-Schema checking of random schemas, then validation of random
 * arguments against the ones accepted: "SCHEMA\0ARGUMENTS". */
#include "common.h"

static int echo(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)ud;
	return crmw_buf_set(result, args, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t sn = nul ? (size_t)(nul - data) : size;
	char *schema = fuzz_text(data, sn);
	const char *args = nul ? (const char *)nul + 1 : "{}";
	size_t an = nul ? size - sn - 1 : 2;
	crmw_registry *reg = NULL;
	if (crmw_registry_new(&reg) == CRMW_OK &&
	    crmw_registry_add(reg, "t", "fuzzed", schema, echo, NULL, NULL) == CRMW_OK) {
		crmw_buf out = CRMW_BUF_INIT;
		crmw_registry_validate(&out, reg, "t", args, an);
		crmw_registry_call(&out, reg, "t", args, an);
		crmw_buf_dispose(&out);
	}
	crmw_registry_free(reg);
	free(schema);
	return 0;
}
