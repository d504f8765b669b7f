/* placeholder */
#include "agent/internal.h"
CRMW_API int crmw_backend_gold(crmw_backend *out, crmw_db *db, const char *o) { (void)out; (void)db; (void)o; return CRMW_EUNSUPPORTED; }
