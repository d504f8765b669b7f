/*
 * bench/bench.h: the crmweaver-bench program, what its benchmarks share.
 *
 * One file per benchmark (bench_gen.c, bench_tools.c, bench_memory.c,
 * bench_env.c, bench_policy.c, and bench_all.c, which runs them all with
 * their peers), the
 * options and these helpers in bench_main.c, the measuring in benchfn.h.
 * The program is built in the build tree and never installed: it may read
 * the source tree's bench/ scripts and run the other bench programs.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_BENCH_H
#define CRMW_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <crmweaver.h>
#include <jansson.h>

#include "benchfn.h"

/* Exit codes, as the CLI's: 0 success, 1 the benchmark failed, 2 bad usage. */
enum { BENCH_OK = 0, BENCH_FAIL = 1, BENCH_USAGE = 2 };

/* ------------------------------------------------- bench_main.c */

/* "<program>: <message>" on stderr as one line; returns `code`.  The
 * program is "crmweaver" when `crmweaver bench` ran this one, else
 * "crmweaver-bench". */
int bench_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a failed library call: "<program>: <what>: <library message>". */
int bench_lib_error(int rc, const char *what);
/* Records in every object of the org at `path`; -1 when it cannot be read. */
int64_t bench_count_records(const char *path);
/* Remove DIR/NAME and its -wal and -shm files. */
void bench_remove_db(const char *dir, const char *name);
/* "10k" for 10000, "2500" for 2500: how result keys name a store size. */
void bench_size_tag(char *out, size_t n, int64_t size);
/* The folder of the Python peers (env_reference.py, *_bench.py):
 * $CRMW_BENCH_DIR, else the source tree's bench/ this program was built
 * from.  The folder of the other bench programs (store_bench, ...):
 * $CRMW_BENCH_BIN, else this program's own folder. */
const char *bench_script_dir(void);
const char *bench_program_dir(void);
/* This program's path (/proc/self/exe); NULL if it cannot be read. */
const char *bench_self(void);
/* Add "machine" (system, release, arch, cpus, memory_kb) and "date" (UTC,
 * ISO 8601) to a results document, write it to `out` when not NULL
 * (indented, keys sorted) and print it on one line when `json`.  BENCH_OK,
 * or BENCH_FAIL after saying that `what` cannot write `out`. */
int bench_results(json_t *doc, const char *out, bool json, const char *what);

/* ---------------------------------------------------- the benchmarks */

/* Generator speed, default and 10x orgs (bench_gen.c). */
int bench_gen(const char *dir, const char *profile, int repeat, bool json);
/* Built-in tool call latency; the org stays in `dir` (bench_tools.c). */
int bench_tools(const char *dir, int iters, bool json);
/* The RL environment beside its Python reference (bench_env.c). */
int bench_env(const char *dir, int episodes, bool json);

/* Vector search in the shared-memory store (bench_memory.c). */
typedef struct bench_memory_conf {
	int32_t dim;
	int nq, sqlite_nq;
	uint64_t seed;
	bool clustered, use_add;
	int repeat;       /* passes over the queries; the best p50 is kept */
	int ef_search;    /* 0: the library's default */
	unsigned engines; /* bit set of the engines (bench_memory_engines) */
	const char *dir;
	bool json;
} bench_memory_conf;
int bench_memory(const bench_memory_conf *c, const int64_t *sizes, int ns);
/* "exact_int8,hnsw" into the bit set of engines (the load and the exact
 * scan always run); -1 when a name is unknown. */
int bench_memory_engines(const char *s, unsigned *out);

/* The memory policy against today's and the always-None baseline
 * (bench_policy.c, with the evaluation of bench/induce_eval.c). */
typedef struct bench_policy_org {
	char profile[16]; /* b2b, b2c or crmarena */
	int seed;
} bench_policy_org;
typedef struct bench_policy_conf {
	const char *dir;	/* temporary folder: the orgs and memory stores, removed after */
	bench_policy_org orgs[8];
	int norgs;
	double scale;		/* of every org */
	int sizes[8];		/* training tasks per family, ascending */
	int nsizes;
	int agent_max;		/* the agent runs (plans, memory+programs) at sizes up to this */
	const char *out;	/* JSON results file, or NULL */
	bool json;		/* the JSON document on stdout instead of tables */
} bench_policy_conf;
int bench_memory_policy(const bench_policy_conf *c);
/* "b2b:11,crmarena:12" into out[max]: the count, or -1 when it is not such
 * a list (an unknown profile, a seed that is not a whole number from 0 to
 * 1000000, a repeated org, more than max). */
int bench_policy_orgs(const char *s, bench_policy_org *out, int max);

/* Every benchmark with its peers, each in a process of its own (bench_all.c). */
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
int bench_all(const bench_all_conf *c);
/* One of the Python-side parts alone: "store" (bench/store_bench.py) or
 * "query" (bench/query_bench.py), with its JSON on stdout when c->json. */
int bench_peer_part(const char *which, const bench_all_conf *c);

#endif
