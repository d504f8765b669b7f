/*
 * crmweaver gen: generate a synthetic org database.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver gen --profile crmarena|b2b|b2c --seed N [--scale X] [--now DATETIME]\n"
		"                     [--threads 1|2] [--force] [--json] -o ORG.db\n"
		"\n"
		"Generate a synthetic org whose hidden latent variables (agent skill, complaint\n"
		"habits, seasonal spikes, planted policy violations, ...) shape the data.  The\n"
		"same profile, seed and scale give the same content on every run, with one\n"
		"thread or two.\n"
		"\n"
		"options:\n"
		"  --profile NAME  crmarena (a sports retailer, 16 objects), b2b (engineering\n"
		"                  software and hardware for businesses, 27 objects) or b2c\n"
		"                  (consumer electronics, 27 objects)\n"
		"  --seed N        the random seed (default 1)\n"
		"  --scale X       multiply every record count (default 1: about 1,000 cases,\n"
		"                  70,000 order items)\n"
		"  --now DATETIME  the org's \"now\" (default 2024-10-01T00:00:00Z)\n"
		"  --threads N     2 (the default): generate on a second thread while this one\n"
		"                  writes; 1: both on this thread\n"
		"  --force         replace ORG.db if it exists\n"
		"  --json          print a JSON summary instead of a line\n"
		"  -o FILE         the database to write\n"
		"\n"
		"A progress bar is shown on a terminal (stderr).\n"
		"\n"
		"examples:\n"
		"  crmweaver gen --profile crmarena --seed 42 -o org.db\n"
		"  crmweaver gen --profile b2b --seed 7 --scale 10 -o big.db\n");
}

typedef struct progress_state {
	bool tty;
	double start;
	char stage[40];
} progress_state;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_progress(const char *stage, int64_t done, int64_t total, void *ud)
{
	progress_state *p = ud;
	if (!p->tty)
		return 0;
	if (strcmp(stage, "rows") != 0)
		snprintf(p->stage, sizeof p->stage, "%s", stage);
	if (strcmp(stage, "done") == 0) {
		fprintf(stderr, "\r\033[K");
		return 0;
	}
	fprintf(stderr, "\r\033[Kgenerating %-20s %10lld rows  %5.1f s", p->stage,
		(long long)(strcmp(stage, "rows") == 0 ? done : total), now_s() - p->start);
	fflush(stderr);
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, 0, 'p'},
		{"seed", required_argument, 0, 's'},
		{"scale", required_argument, 0, 'x'},
		{"now", required_argument, 0, 'n'},
		{"threads", required_argument, 0, 't'},
		{"force", no_argument, 0, 'f'},
		{"json", no_argument, 0, 'j'},
		{"output", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = NULL, *out = NULL, *now = NULL;
	long long seed = 1;
	int threads = 2;
	double scale = 1.0;
	int force = 0, json = 0, c;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 's':
			errno = 0;
			seed = strtoll(optarg, &end, 10);
			if (errno || *end)
				return cli_error(CLI_USAGE, "gen: --seed must be an integer, not '%s'", optarg);
			break;
		case 'x':
			errno = 0;
			scale = strtod(optarg, &end);
			if (errno || *end || !(scale > 0))
				return cli_error(CLI_USAGE, "gen: --scale must be a positive number, not '%s'", optarg);
			break;
		case 'n': now = optarg; break;
		case 't':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
				return cli_error(CLI_USAGE, "gen: --threads must be 1 or 2, not '%s'", optarg);
			threads = optarg[0] - '0';
			break;
		case 'f': force = 1; break;
		case 'j': json = 1; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return CLI_OK;
		default: return cli_bad_option("gen", argv);
		}
	}
	if (!profile || !out)
		return cli_error(CLI_USAGE, "gen: --profile and -o are required (see --help)");
	if (optind < argc)
		return cli_error(CLI_USAGE, "gen: unexpected argument '%s'", argv[optind]);
	if (strchr(profile, '"') || (now && strchr(now, '"')))
		return cli_error(CLI_USAGE, "gen: bad --profile or --now");
	char options[400];
	snprintf(options, sizeof options, "{\"profile\":\"%s\",\"seed\":%lld,\"scale\":%.17g,\"threads\":%d,\"overwrite\":%s%s%s%s}",
		 profile, seed, scale, threads, force ? "true" : "false", now ? ",\"now\":\"" : "", now ? now : "", now ? "\"" : "");
	progress_state ps = {.tty = isatty(2) && !json, .start = now_s()};
	int rc = crmw_gen(out, options, on_progress, &ps);
	if (rc == CRMW_EEXISTS) /* the library names its option; the CLI's is --force */
		return cli_error(CLI_FAIL, "gen: %s already exists (add --force to replace it)", out);
	if (rc)
		return cli_lib_error(rc, "gen");
	double secs = now_s() - ps.start;
	crmw_db *db = NULL;
	if ((rc = crmw_db_open(&db, out, CRMW_DB_READONLY)))
		return cli_lib_error(rc, out);
	const crmw_schema *s = crmw_db_schema(db);
	int64_t total = 0;
	if (json)
		printf("{\"path\":\"%s\",\"profile\":\"%s\",\"seed\":%lld,\"scale\":%g,\"seconds\":%.3f,\"objects\":{", out, profile, seed, scale, secs);
	for (int32_t i = 0; i < crmw_schema_object_count(s); i++) {
		int64_t n = 0;
		crmw_db_count(&n, db, crmw_schema_object_name(s, i));
		total += n;
		if (json)
			printf("%s\"%s\":%lld", i ? "," : "", crmw_schema_object_name(s, i), (long long)n);
	}
	if (json)
		printf("},\"records\":%lld}\n", (long long)total);
	else
		printf("generated %s: %s org, seed %lld, scale %g, %lld records in %.2f s\n", out, profile, seed, scale,
		       (long long)total, secs);
	crmw_db_free(db);
	return CLI_OK;
}
