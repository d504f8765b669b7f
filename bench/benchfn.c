/*
 * bench/benchfn.c: the clock, percentiles, peak memory and JSON writer of
 * the benchmark programs (benchfn.h).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "benchfn.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double bench_quantile(const double *sorted, int n, double q)
{
	if (n <= 0)
		return 0;
	int i = (int)(q * (n - 1) + 0.5);
	return sorted[i < 0 ? 0 : i >= n ? n - 1 : i];
}

bench_pcts bench_percentiles(double *t, int n)
{
	bench_pcts r = {0, 0};
	if (n <= 0)
		return r;
	qsort(t, (size_t)n, sizeof *t, bench_cmp_double);
	r.p50 = bench_quantile(t, n, 0.5);
	r.p95 = bench_quantile(t, n, 0.95);
	return r;
}

long bench_peak_rss_kb(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return ru.ru_maxrss;
}

/* ---------------------------------------------------------------- JSON */

void bench_json_begin(bench_json *j, FILE *out)
{
	j->out = out;
	j->first = true;
	fputc('{', out);
}

void bench_json_end(bench_json *j)
{
	fputs("}\n", j->out);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void put_key(bench_json *j, const char *key, va_list ap)
{
	fputs(j->first ? "\"" : ",\"", j->out);
	j->first = false;
	vfprintf(j->out, key, ap);
	fputs("\":", j->out);
}

/* The member's key, from the format `key` and the arguments after it. */
#define PUT_KEY(j, key)                 \
	do {                            \
		va_list ap_;            \
		va_start(ap_, key);     \
		put_key(j, key, ap_);   \
		va_end(ap_);            \
	} while (0)

void bench_json_num(bench_json *j, double v, bool ok, int prec, const char *key, ...)
{
	PUT_KEY(j, key);
	if (ok && isfinite(v))
		fprintf(j->out, "%.*f", prec, v);
	else
		fputs("null", j->out);
}

void bench_json_int(bench_json *j, long long v, const char *key, ...)
{
	PUT_KEY(j, key);
	fprintf(j->out, "%lld", v);
}

void bench_json_bool(bench_json *j, bool v, const char *key, ...)
{
	PUT_KEY(j, key);
	fputs(v ? "true" : "false", j->out);
}

void bench_json_str(bench_json *j, const char *s, const char *key, ...)
{
	PUT_KEY(j, key);
	if (s)
		put_string(j->out, s);
	else
		fputs("null", j->out);
}

void bench_json_raw(bench_json *j, const char *json, const char *key, ...)
{
	PUT_KEY(j, key);
	fputs(json ? json : "null", j->out);
}
