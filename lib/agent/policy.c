/* placeholder */
#include "agent/internal.h"
CRMW_API int crmw_backend_memory_policy(crmw_backend *out, crmw_memory *m, const crmw_backend *f, const char *o) { (void)out; (void)m; (void)f; (void)o; return CRMW_EUNSUPPORTED; }
