/*
 * crmweaver bench: the benchmarks that need nothing but the library.
 * (The ones compared with Python peers live in bench/, see docs/benchmarks.md.)
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int64_t count_records(const char *path)
{
	crmw_db *db = NULL;
	if (crmw_db_open(&db, path, CRMW_DB_READONLY))
		return -1;
	const crmw_schema *s = crmw_db_schema(db);
	int64_t total = 0;
	for (int32_t i = 0; i < crmw_schema_object_count(s); i++) {
		int64_t n = 0;
		crmw_db_count(&n, db, crmw_schema_object_name(s, i));
		total += n;
	}
	crmw_db_free(db);
	return total;
}

/* Generation speed: the default org and a 10x org, written to files. */
static int bench_gen(const char *dir, const char *profile, int repeat, bool json)
{
	const double scales[] = {1, 10};
	double best[2] = {1e30, 1e30};
	int64_t rows[2] = {0, 0};
	long peak[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		char path[4200], opts[256];
		snprintf(path, sizeof path, "%s/gen-%g.db", dir, scales[k]);
		snprintf(opts, sizeof opts, "{\"profile\":\"%s\",\"seed\":1,\"scale\":%g,\"overwrite\":true}", profile, scales[k]);
		for (int r = 0; r < repeat; r++) {
			double t0 = now_s();
			int rc = crmw_gen(path, opts, NULL, NULL);
			double dt = now_s() - t0;
			if (rc)
				return cli_lib_error(rc, "bench gen");
			if (dt < best[k])
				best[k] = dt;
		}
		peak[k] = peak_kb();
		rows[k] = count_records(path);
		char p[4300];
		remove(path);
		snprintf(p, sizeof p, "%s-wal", path);
		remove(p);
		snprintf(p, sizeof p, "%s-shm", path);
		remove(p);
	}
	if (json) {
		printf("{\"benchmark\":\"gen\",\"profile\":\"%s\",\"repeat\":%d,"
		       "\"default_rows\":%lld,\"default_seconds\":%.3f,\"default_rows_per_s\":%.0f,\"default_peak_rss_kb\":%ld,"
		       "\"x10_rows\":%lld,\"x10_seconds\":%.3f,\"x10_rows_per_s\":%.0f,\"x10_peak_rss_kb\":%ld}\n",
		       profile, repeat, (long long)rows[0], best[0], rows[0] / best[0], peak[0], (long long)rows[1], best[1],
		       rows[1] / best[1], peak[1]);
	} else {
		printf("generator, profile %s (best of %d, written to files)\n", profile, repeat);
		printf("  %-12s %10s %9s %12s %14s\n", "org", "records", "seconds", "records/s", "peak RSS");
		printf("  %-12s %10lld %9.2f %12.0f %11ld KiB\n", "default (1x)", (long long)rows[0], best[0], rows[0] / best[0], peak[0]);
		printf("  %-12s %10lld %9.2f %12.0f %11ld KiB\n", "10x", (long long)rows[1], best[1], rows[1] / best[1], peak[1]);
	}
	return CLI_OK;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, 0, 'p'},
		{"repeat", required_argument, 0, 'r'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = "b2b";
	int repeat = 3, json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'r': repeat = atoi(optarg); break;
		case 'j': json = 1; break;
		case 'h':
			printf("usage: crmweaver bench [gen] [--profile P] [--repeat N] [--json]\n"
			       "\n"
			       "Benchmarks that need only the library (best of N runs):\n"
			       "  gen    generation speed of the default org and a 10x org, and peak memory\n"
			       "\n"
			       "The benchmarks compared side by side with Python peers are bench/*.py\n"
			       "(docs/benchmarks.md).\n"
			       "\n"
			       "example:\n"
			       "  crmweaver bench gen --profile b2b --json\n");
			return CLI_OK;
		default: return cli_bad_option("bench", argv);
		}
	}
	if (repeat < 1 || repeat > 100)
		return cli_error(CLI_USAGE, "bench: --repeat must be 1 to 100");
	const char *which = optind < argc ? argv[optind] : "gen";
	if (optind + 1 < argc)
		return cli_error(CLI_USAGE, "bench: one benchmark at a time");
	if (strcmp(which, "gen") != 0 && strcmp(which, "all") != 0)
		return cli_error(CLI_USAGE, "bench: unknown benchmark '%s' (available: gen)", which);
	char dir[] = "/tmp/crmweaver-bench-XXXXXX";
	if (!mkdtemp(dir))
		return cli_error(CLI_FAIL, "bench: cannot make a temporary folder");
	int rc = bench_gen(dir, profile, repeat, json);
	rmdir(dir);
	return rc;
}
