/* The model-output parser: every tool-call dialect, any bytes. */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crmw_buf out = CRMW_BUF_INIT;
	if (crmw_parse_model_output(&out, (const char *)data, size, NULL) != CRMW_OK)
		abort(); /* documented never to fail on any bytes */
	crmw_buf_dispose(&out);
	return 0;
}
