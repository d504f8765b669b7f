/* placeholder: being written (issue 10) */
#include "agent/internal.h"
CRMW_API int crmw_backend_openai_http(crmw_backend *out, const char *options_json)
{
	(void)out;
	(void)options_json;
	return crmw__errf(NULL, CRMW_EUNSUPPORTED, "crmw_backend_openai_http: not written yet");
}
