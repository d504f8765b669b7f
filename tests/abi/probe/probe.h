/* A tiny library whose ABI the abi-check test changes on purpose. */
#include <stdint.h>
typedef struct probe_opts {
	int32_t size;
#ifdef PROBE_GROW_STRUCT
	int64_t added_in_middle;
#endif
	int32_t flags;
} probe_opts;
#ifdef PROBE_CHANGE_SIGNATURE
int probe_run(const probe_opts *o, int64_t n, int extra);
#else
int probe_run(const probe_opts *o, int32_t n);
#endif
#ifdef PROBE_ADD_SYMBOL
int probe_new(void);
#endif
#ifndef PROBE_REMOVE_SYMBOL
int probe_old(void);
#endif
