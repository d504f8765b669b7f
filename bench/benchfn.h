/*
 * bench/benchfn.h: what every benchmark program of bench/ measures with.
 *
 * The clock, percentiles of a set of timings, the peak memory of the
 * process, and a writer for the one-line JSON object a benchmark prints
 * (zstd's programs/benchfn.h plays the same part for its benchmarks).
 * Nothing here knows a benchmark; bench.h is the crmweaver-bench program.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_BENCHFN_H
#define CRMW_BENCHFN_H

#include <stdbool.h>
#include <stdio.h>

/* ------------------------------------------------------------ timing */

/* A monotonic clock, in seconds and in microseconds. */
double bench_now_s(void);
double bench_now_us(void);

/* ------------------------------------------------------- percentiles */

/* qsort() comparison of two doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

/* Quantile q (0..1) of n values sorted ascending: the nearest rank,
 * v[round(q * (n - 1))], so that the median is v[n / 2].  0 when n <= 0. */
double bench_quantile(const double *sorted, int n, double q);

typedef struct bench_pcts {
	double p50, p95;
} bench_pcts;

/* Sort the n timings `t` in place; their p50 and p95 ({0, 0} when n <= 0). */
bench_pcts bench_percentiles(double *t, int n);

/* -------------------------------------------------------------- memory */

/* The peak resident set of this process so far, in KiB (ru_maxrss). */
long bench_peak_rss_kb(void);

/* ---------------------------------------------------------------- JSON */

/*
 * One JSON object written member by member to `out`: bench_json_begin(),
 * then the members, then bench_json_end() (which adds the newline).  Each
 * member's key is a printf format with its arguments, for keys such as
 * "exact_%s_p50_us".  Keys are written as given (benchmarks name them);
 * string values are escaped.
 */
typedef struct bench_json {
	FILE *out;
	bool first;
} bench_json;

void bench_json_begin(bench_json *j, FILE *out);
void bench_json_end(bench_json *j);
/* A number with `prec` decimals, or null when !ok or not finite. */
void bench_json_num(bench_json *j, double v, bool ok, int prec, const char *key, ...)
	__attribute__((format(printf, 5, 6)));
void bench_json_int(bench_json *j, long long v, const char *key, ...) __attribute__((format(printf, 3, 4)));
void bench_json_bool(bench_json *j, bool v, const char *key, ...) __attribute__((format(printf, 3, 4)));
/* A string value (NULL: null). */
void bench_json_str(bench_json *j, const char *s, const char *key, ...) __attribute__((format(printf, 3, 4)));
/* A value that is JSON text already (an array, an object); NULL: null. */
void bench_json_raw(bench_json *j, const char *json, const char *key, ...) __attribute__((format(printf, 3, 4)));

#endif
