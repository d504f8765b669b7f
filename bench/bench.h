/*
 * tools/crmweaver/bench.h: what cmd_bench.c and cmd_bench_all.c share.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_CLI_BENCH_H
#define CRMW_CLI_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_all_conf {
	const char *dir;     /* temporary folder for every part's files */
	const char *profile; /* one generator profile, or NULL for all three */
	const char *sizes;   /* memory store sizes, "10000,100000" */
	const char *out;     /* JSON results file, or NULL */
	int repeat;
	int iterations;      /* tool calls; SOQL point lookups are 10x this */
	int env_episodes;
	int queries;         /* memory search queries per size */
	int64_t rows;        /* bulk insert rows */
	bool json;           /* the JSON document on stdout instead of tables */
} bench_all_conf;

/* "10k" for 10000, "2500" for 2500: how result keys name a store size. */
void bench_size_tag(char *out, size_t n, int64_t size);

/* crmweaver bench all (cmd_bench_all.c). */
int bench_all(const bench_all_conf *c);

#endif
