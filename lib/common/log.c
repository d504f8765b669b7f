/*
 * Per-handle log sinks.  The library never writes to stdout or stderr: a
 * message goes to the handle's callback or nowhere.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <stdio.h>

const char *crmw_log_level_name(int32_t level)
{
	switch (level) {
	case CRMW_LOG_ERROR: return "error";
	case CRMW_LOG_WARN: return "warn";
	case CRMW_LOG_INFO: return "info";
	case CRMW_LOG_DEBUG: return "debug";
	default: return "?";
	}
}

void crmw__logger_set(crmw_logger *lg, crmw_log_fn fn, int32_t level, void *userdata,
		      crmw_free_fn userdata_free)
{
	/* Free the old userdata only when it is really replaced. */
	if (lg->userdata_free && lg->userdata != userdata)
		lg->userdata_free(lg->userdata);
	lg->fn = fn;
	lg->userdata = userdata;
	lg->userdata_free = userdata_free;
	lg->level = level;
}

void crmw__logger_dispose(crmw_logger *lg)
{
	if (lg && lg->userdata_free)
		lg->userdata_free(lg->userdata);
	if (lg)
		*lg = (crmw_logger){0};
}

bool crmw__log_enabled(const crmw_logger *lg, int32_t level)
{
	return lg && lg->fn && level <= lg->level;
}

void crmw__log(const crmw_logger *lg, int32_t level, const char *fmt, ...)
{
	if (!crmw__log_enabled(lg, level))
		return;
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	lg->fn(level, msg, lg->userdata);
}
