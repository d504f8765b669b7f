/*
 * crmweaver-bench gen: generator speed.
 *
 * The default org and a 10x org written to files, best of `repeat` runs,
 * with the generator on its own thread (the default) and, for the 10x org,
 * on the writer's thread too (runs interleaved, so that both see the same
 * machine); records per second and peak memory.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

#include <stdio.h>

enum { RUN_1X, RUN_10X, RUN_10X_ONE_THREAD, RUNS };

static void print_json(const char *profile, int repeat, const int64_t *rows, const double *best, const long *peak)
{
	static const char *const key[RUNS] = {"default", "x10", "x10_one_thread"};
	bench_json j;
	bench_json_begin(&j, stdout);
	bench_json_str(&j, "gen", "benchmark");
	bench_json_str(&j, profile, "profile");
	bench_json_int(&j, repeat, "repeat");
	for (int k = RUN_1X; k <= RUN_10X; k++) {
		bench_json_int(&j, rows[k], "%s_rows", key[k]);
		bench_json_num(&j, best[k], true, 3, "%s_seconds", key[k]);
		bench_json_num(&j, rows[k] / best[k], true, 0, "%s_rows_per_s", key[k]);
		bench_json_int(&j, peak[k], "%s_peak_rss_kb", key[k]);
	}
	bench_json_num(&j, best[RUN_10X_ONE_THREAD], true, 3, "x10_one_thread_seconds");
	bench_json_num(&j, rows[RUN_10X_ONE_THREAD] / best[RUN_10X_ONE_THREAD], true, 0, "x10_one_thread_rows_per_s");
	bench_json_num(&j, best[RUN_10X_ONE_THREAD] / best[RUN_10X], true, 2, "x10_two_threads_speedup");
	bench_json_end(&j);
}

static void print_table(const char *profile, int repeat, const int64_t *rows, const double *best, const long *peak)
{
	static const char *const names[RUNS] = {"default (1x)", "10x", "10x, one thread"};
	printf("generator, profile %s (best of %d, written to files)\n", profile, repeat);
	printf("  %-22s %10s %9s %12s %14s\n", "org", "records", "seconds", "records/s", "peak RSS");
	for (int k = 0; k < RUNS; k++)
		printf("  %-22s %10lld %9.2f %12.0f %11ld KiB\n", names[k], (long long)rows[k], best[k], rows[k] / best[k],
		       peak[k]);
	printf("  two threads vs one at 10x: %.2fx\n", best[RUN_10X_ONE_THREAD] / best[RUN_10X]);
}

int bench_gen(const char *dir, const char *profile, int repeat, bool json)
{
	static const double scales[RUNS] = {1, 10, 10};
	static const int threads[RUNS] = {2, 2, 1};
	double best[RUNS] = {1e30, 1e30, 1e30};
	int64_t rows[RUNS] = {0, 0, 0};
	long peak[RUNS] = {0, 0, 0};
	char path[4200];
	snprintf(path, sizeof path, "%s/gen.db", dir);
	/* The default org's runs first (peak memory only grows), then the 10x
	 * runs with two threads and one, interleaved. */
	static const int phase[][2] = {{RUN_1X, RUN_1X}, {RUN_10X, RUN_10X_ONE_THREAD}};
	for (int ph = 0; ph < 2; ph++) {
		for (int r = 0; r < repeat; r++) {
			for (int k = phase[ph][0]; k <= phase[ph][1]; k++) {
				char opts[256];
				snprintf(opts, sizeof opts,
					 "{\"profile\":\"%s\",\"seed\":1,\"scale\":%g,\"threads\":%d,\"overwrite\":true}",
					 profile, scales[k], threads[k]);
				double t0 = bench_now_s();
				int rc = crmw_gen(path, opts, NULL, NULL);
				double dt = bench_now_s() - t0;
				if (rc) {
					rc = bench_lib_error(rc, "bench gen");
					bench_remove_db(dir, "gen.db");
					return rc;
				}
				if (dt < best[k])
					best[k] = dt;
				peak[k] = bench_peak_rss_kb();
				rows[k] = bench_count_records(path);
			}
		}
	}
	bench_remove_db(dir, "gen.db");
	if (json)
		print_json(profile, repeat, rows, best, peak);
	else
		print_table(profile, repeat, rows, best, peak);
	return BENCH_OK;
}
