/* placeholder */
#include "agent/internal.h"
CRMW_API int crmw_backend_replay(crmw_backend *out, const char *p, const char *o) { (void)out; (void)p; (void)o; return CRMW_EUNSUPPORTED; }
