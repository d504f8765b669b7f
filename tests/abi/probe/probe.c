#include "probe.h"
#ifdef PROBE_CHANGE_SIGNATURE
int probe_run(const probe_opts *o, int64_t n, int extra) { return o->flags + (int)n + extra; }
#else
int probe_run(const probe_opts *o, int32_t n) { return o->flags + n; }
#endif
#ifdef PROBE_ADD_SYMBOL
int probe_new(void) { return 1; }
#endif
#ifndef PROBE_REMOVE_SYMBOL
int probe_old(void) { return 2; }
#endif
