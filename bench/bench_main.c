/*
 * crmweaver-bench: the benchmarks of libcrmweaver beside their peers.
 *
 *   crmweaver-bench [gen|tools|memory|env|store|query|memory-policy|all] [options]
 *
 * Built in the build tree and never installed (docs/benchmarks.md); the
 * installed-looking form `crmweaver bench ...` of a build tree's CLI runs
 * this program with argv[0] "crmweaver", and its messages then start with
 * "crmweaver: " as the CLI's do.  This file: the options, the temporary
 * folder, and the helpers every benchmark uses (bench.h).
 * SPDX-License-Identifier: Apache-2.0
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "bench.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef CRMW_BENCH_SOURCE_DIR
#error "bench/meson.build defines CRMW_BENCH_SOURCE_DIR, the source tree's bench/"
#endif

/* "crmweaver" when run by `crmweaver bench`, else this program's name. */
static const char *prog = "crmweaver-bench";
static bool via_cli;

/* ------------------------------------------------------------ helpers */

int bench_error(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int bench_lib_error(int rc, const char *what)
{
	const char *msg = crmw_last_error();
	if (!msg || !msg[0])
		msg = crmw_strerror(rc);
	size_t n = strlen(what); /* the library's message may already start with the file's name */
	if (!strncmp(msg, what, n) && (msg[n] == ':' || msg[n] == ' '))
		return bench_error(BENCH_FAIL, "%s", msg);
	return bench_error(BENCH_FAIL, "%s: %s", what, msg);
}

int64_t bench_count_records(const char *path)
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

void bench_remove_db(const char *dir, const char *name)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char p[4400];
		snprintf(p, sizeof p, "%s/%s%s", dir, name, sfx[i]);
		remove(p);
	}
}

void bench_size_tag(char *out, size_t n, int64_t size)
{
	if (size % 1000 == 0)
		snprintf(out, n, "%lldk", (long long)(size / 1000));
	else
		snprintf(out, n, "%lld", (long long)size);
}

const char *bench_self(void)
{
	static char self[4096];
	if (!self[0]) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n <= 0)
			return NULL;
		self[n] = '\0';
	}
	return self;
}

const char *bench_script_dir(void)
{
	const char *d = getenv("CRMW_BENCH_DIR");
	return d && *d ? d : CRMW_BENCH_SOURCE_DIR;
}

const char *bench_program_dir(void)
{
	static char dir[4096];
	const char *d = getenv("CRMW_BENCH_BIN");
	if (d && *d)
		return d;
	const char *self = bench_self();
	const char *slash = self ? strrchr(self, '/') : NULL;
	if (!slash)
		return ".";
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - self), self);
	return dir;
}

int bench_results(json_t *doc, const char *out, bool json, const char *what)
{
	struct utsname u;
	json_t *machine = json_object();
	if (uname(&u) == 0) {
		json_object_set_new(machine, "system", json_string(u.sysname));
		json_object_set_new(machine, "release", json_string(u.release));
		json_object_set_new(machine, "arch", json_string(u.machine));
	}
	json_object_set_new(machine, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(machine, "memory_kb",
			    json_integer((json_int_t)sysconf(_SC_PHYS_PAGES) * (sysconf(_SC_PAGESIZE) / 1024)));
	json_object_set_new(doc, "machine", machine);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(doc, "date", json_string(stamp));
	int rc = BENCH_OK;
	if (out && json_dump_file(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS) != 0)
		rc = bench_error(BENCH_FAIL, "%s: cannot write %s", what, out);
	if (json) {
		char *text = json_dumps(doc, JSON_SORT_KEYS);
		if (text)
			printf("%s\n", text);
		free(text);
	}
	return rc;
}

/* ------------------------------------------------------------ options */

typedef struct bench_opts {
	const char *which;      /* the benchmark */
	const char *profile;
	bool profile_set;
	const char *sizes_arg;  /* --sizes as given (bench all passes it on) */
	bool sizes_set;
	int64_t sizes[8];
	int nsizes;
	const char *out;        /* -o */
	const char *keep;       /* --keep (tools) */
	const char *base;       /* --dir */
	int repeat, iters;
	bool iters_set, queries_set, json;
	int64_t rows;
	bench_memory_conf mc;
	bench_policy_conf pc;   /* memory-policy */
} bench_opts;

/* A whole number of option `what` in lo..hi; reports its own error. */
static int count_opt(const char *what, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return bench_error(BENCH_USAGE, "bench: %s must be a whole number, not '%s'", what, s);
	if (v < lo || v > hi)
		return bench_error(BENCH_USAGE, "bench: %s must be %lld to %lld", what, (long long)lo, (long long)hi);
	*out = v;
	return BENCH_OK;
}

static int count_int(const char *what, const char *s, int lo, int hi, int *out)
{
	int64_t v;
	int rc = count_opt(what, s, lo, hi, &v);
	if (!rc)
		*out = (int)v;
	return rc;
}

/* The train split holds at most 105 tasks of a family (150, 30% test). */
#define POLICY_MAX_TRAIN 105

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* "10000,100000" (or "10k,100k") into sizes, each of lo to hi, all
 * different; the count, or -1 after an error (which names `what`, the
 * sizes' unit and `example`). */
static int parse_sizes(int64_t *out, int max, const char *s, int64_t lo, int64_t hi, const char *what,
		       const char *example)
{
	int n = 0;
	const char *p = s;
	for (;;) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		bool ok = end != p && !errno && *p >= '0' && *p <= '9';
		if (ok && (*end == 'k' || *end == 'K'))
			v *= 1000, end++;
		else if (ok && (*end == 'm' || *end == 'M'))
			v *= 1000000, end++;
		ok = ok && (!*end || *end == ',') && v >= lo && v <= hi && n < max;
		for (int i = 0; ok && i < n; i++)
			ok = out[i] != v;
		if (!ok) {
			bench_error(BENCH_USAGE, "bench: --sizes takes up to %d different sizes of %lld to %lld %s, as in %s (not '%s')",
				    max, (long long)lo, (long long)hi, what, example, s);
			return -1;
		}
		out[n++] = v;
		if (!*end)
			return n;
		p = end + 1;
	}
}

/* --scale: a number above 0 and at most 10. */
static int scale_opt(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 10)
		return bench_error(BENCH_USAGE, "bench: --scale must be a number above 0 and at most 10, not '%s'", s);
	*out = v;
	return BENCH_OK;
}

static void usage(void)
{
	const char *me = via_cli ? "crmweaver bench" : "crmweaver-bench";
	int w = (int)strlen(me);
	printf("usage: %s [gen|tools|memory|env|store|query] [--profile P] [--repeat N]\n"
	       "       %*s [--iterations N] [--rows N] [--keep DIR] [--dir DIR] [--json]\n"
	       "       %s memory [--sizes 10000,100000] [--dim 384] [--queries 1000]\n"
	       "       %*s [--sqlite-queries 200] [--repeat 3] [--data clustered|uniform]\n"
	       "       %*s [--load import|add] [--ef-search N]\n"
	       "       %*s [--engines all|exact_int8,exact_batch,faiss_flat,\n"
	       "       %*s hnsw,sqlite_scan] [--seed 1] [--dir DIR] [--json]\n"
	       "       %s memory-policy [--orgs b2b:11,b2c:11,crmarena:12] [--scale 0.5]\n"
	       "       %*s [--sizes 10,40,100] [--agent-max N] [--dir DIR] [-o FILE]\n"
	       "       %*s [--json]\n"
	       "       %s all [--profile P] [--repeat 3] [--iterations 2000] [--rows 300000]\n"
	       "       %*s [--sizes 10000,100000] [--queries 1000] [--dir DIR] [-o FILE]\n"
	       "       %*s [--json]\n",
	       me, w, "", me, w, "", w, "", w, "", w, "", me, w, "", w, "", me, w, "", w, "");
	printf("\n"
	       "The benchmarks run from a build tree and are not installed: build/bench/crmweaver-bench,\n"
	       "or 'crmweaver bench' of the build tree's crmweaver (docs/benchmarks.md).\n"
	       "\n"
	       "Benchmarks:\n"
	       "  gen     generation speed of the default org and a 10x org, and peak memory\n"
	       "          (best of --repeat runs), the 10x org also with one thread\n"
	       "  tools   latency of built-in tool calls on the default CRMArena org, p50 and p95\n"
	       "          over --iterations calls (default 2000); --keep DIR keeps the org there\n"
	       "          (bench/tools_bench.py runs them beside Python functions over sqlite3)\n"
	       "  memory  vector search in the shared-memory store, top-10, one store per size of\n"
	       "          seeded random unit vectors (--data clustered, the default: 100 per\n"
	       "          random centre, like embeddings of text; uniform: uniform on the sphere,\n"
	       "          the worst case for HNSW): the exact scan (float and int8), batched\n"
	       "          exact search, faiss Flat and HNSW32 (when built with faiss) and a\n"
	       "          brute-force SQL scan in SQLite; build time, p50/p95 latency over\n"
	       "          --queries perturbed copies of stored vectors (the best of --repeat\n"
	       "          passes), recall@10, peak memory; --engines picks engines (the load\n"
	       "          and the float scan always run)\n"
	       "  env     the RL environment: reset, step (a tool call with its observation) and\n"
	       "          reward latencies, p50/p95, over --iterations episodes (default 300) of a\n"
	       "          scripted policy, beside the Python reference environment\n"
	       "          (bench/env_reference.py: the same tools over the same file through\n"
	       "          sqlite3) in the same run; batch throughput on 1 and 2 threads; the\n"
	       "          memory of 2,048 idle environments\n"
	       "  store   bulk insert of --rows OrderItem rows (default 300000) beside Python\n"
	       "          sqlite3 executemany (bench/store_bench.py with bench/store_bench)\n"
	       "  query   SOQL and SOSL latency over 10x --iterations point lookups (20000)\n"
	       "          beside Python sqlite3 (bench/query_bench.py with bench/query_bench)\n"
	       "  memory-policy\n"
	       "          what the memory policy answers with no model, on orgs and seeds the code\n"
	       "          was not developed on (--orgs PROFILE:SEED,..., each at --scale; 150 tasks\n"
	       "          per family, 30%% test): for each training size of --sizes (tasks per\n"
	       "          family), every test task scored by its reward under programs induced\n"
	       "          from the gold episodes of the first N train tasks of each family (and,\n"
	       "          at the largest size, held out: the family's programs taken out and its\n"
	       "          label withheld), under today's memory policy through the agent (a store\n"
	       "          trained by the gold backend on the same tasks; plans only, and with\n"
	       "          programs; at every size, or at sizes up to --agent-max N only: the\n"
	       "          agent's runs at 100 are more than half of the run), and answering\n"
	       "          None; solved/wrong/abstained per family and policy, totals of\n"
	       "          the structured families, the time to induce and to answer (p50, p90);\n"
	       "          -o FILE writes every number as one JSON document (--json prints it\n"
	       "          instead of the tables)\n"
	       "  all     every benchmark with its peers, each in a process of its own: gen for\n"
	       "          the three profiles (or --profile), store bulk insert (--rows) and SOQL\n"
	       "          and SOSL (10x --iterations lookups), tools, memory (--sizes,\n"
	       "          --queries) and env; then a summary table of sizes, p50, p95, peer\n"
	       "          values, ratios and peak memory.  -o FILE writes every result as one\n"
	       "          JSON document (--json prints it instead of the tables)\n"
	       "\n"
	       "The Python peers are found in $CRMW_BENCH_DIR (default: the source tree's bench/)\n"
	       "and the other bench programs in $CRMW_BENCH_BIN (default: this program's folder).\n"
	       "Files go to a temporary folder in --dir (default $TMPDIR or /tmp), removed after.\n"
	       "\n"
	       "examples:\n"
	       "  %s gen --profile b2b --json\n"
	       "  %s memory --sizes 10000,100000 --json\n"
	       "  %s memory-policy --orgs b2b:11 --sizes 10,40 -o policy.json\n"
	       "  %s all -o bench-results.json\n",
	       me, me, me, me);
}

/* Parse argv into *o: BENCH_OK, BENCH_USAGE after a reported error, or -1
 * after --help. */
static int parse_options(bench_opts *o, int argc, char **argv)
{
	enum { O_SIZES = 256, O_DIM, O_QUERIES, O_DIR, O_DATA, O_LOAD, O_EF, O_SQLQ, O_SEED, O_ENGINES, O_ROWS, O_ORGS,
	       O_SCALE, O_AGENT_MAX };
	static const struct option opts[] = {
		{"profile", required_argument, 0, 'p'},   {"repeat", required_argument, 0, 'r'},
		{"iterations", required_argument, 0, 'i'}, {"keep", required_argument, 0, 'k'},
		{"json", no_argument, 0, 'j'},             {"sizes", required_argument, 0, O_SIZES},
		{"dim", required_argument, 0, O_DIM},      {"queries", required_argument, 0, O_QUERIES},
		{"dir", required_argument, 0, O_DIR},      {"data", required_argument, 0, O_DATA},
		{"load", required_argument, 0, O_LOAD},    {"ef-search", required_argument, 0, O_EF},
		{"sqlite-queries", required_argument, 0, O_SQLQ}, {"seed", required_argument, 0, O_SEED},
		{"engines", required_argument, 0, O_ENGINES}, {"rows", required_argument, 0, O_ROWS},
		{"orgs", required_argument, 0, O_ORGS},    {"scale", required_argument, 0, O_SCALE},
		{"agent-max", required_argument, 0, O_AGENT_MAX},
		{"output", required_argument, 0, 'o'},     {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int64_t seed;
	int c, rc = BENCH_OK;
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			o->profile_set = true;
			break;
		case 'o': o->out = optarg; break;
		case 'k': o->keep = optarg; break;
		case 'j': o->json = true; break;
		case O_DIR: o->base = optarg; break;
		case O_ROWS: rc = count_opt("--rows", optarg, 100, 100000000, &o->rows); break;
		case 'r': rc = count_int("--repeat", optarg, 1, 100, &o->repeat); break;
		case 'i':
			rc = count_int("--iterations", optarg, 10, 10000000, &o->iters);
			o->iters_set = true;
			break;
		case O_DIM: rc = count_int("--dim", optarg, 8, 4096, &o->mc.dim); break;
		case O_QUERIES:
			rc = count_int("--queries", optarg, 10, 100000, &o->mc.nq);
			o->queries_set = true;
			break;
		case O_SQLQ: rc = count_int("--sqlite-queries", optarg, 10, 100000, &o->mc.sqlite_nq); break;
		case O_EF: rc = count_int("--ef-search", optarg, 1, 100000, &o->mc.ef_search); break;
		case O_SEED:
			rc = count_opt("--seed", optarg, 0, INT64_MAX, &seed);
			o->mc.seed = (uint64_t)seed;
			break;
		case O_SIZES: /* read below, by the benchmark's rules */
			o->sizes_arg = optarg;
			o->sizes_set = true;
			break;
		case O_ORGS:
			if ((o->pc.norgs = bench_policy_orgs(optarg, o->pc.orgs, 8)) < 0)
				return bench_error(BENCH_USAGE, "bench: --orgs takes up to 8 different PROFILE:SEED "
								"(b2b, b2c or crmarena; seed 0 to 1000000), as in b2b:11,crmarena:12 "
								"(not '%s')", optarg);
			break;
		case O_SCALE: rc = scale_opt(optarg, &o->pc.scale); break;
		case O_AGENT_MAX: rc = count_int("--agent-max", optarg, 0, 1000, &o->pc.agent_max); break;
		case O_ENGINES:
			if (bench_memory_engines(optarg, &o->mc.engines))
				return bench_error(BENCH_USAGE, "bench: --engines takes all or some of exact_int8, exact_batch, "
								"faiss_flat, hnsw, sqlite_scan (comma-separated), not '%s'", optarg);
			break;
		case O_DATA:
			if (strcmp(optarg, "uniform") != 0 && strcmp(optarg, "clustered") != 0)
				return bench_error(BENCH_USAGE, "bench: --data must be uniform or clustered");
			o->mc.clustered = optarg[0] == 'c';
			break;
		case O_LOAD:
			if (strcmp(optarg, "import") != 0 && strcmp(optarg, "add") != 0)
				return bench_error(BENCH_USAGE, "bench: --load must be import or add");
			o->mc.use_add = optarg[0] == 'a';
			break;
		case 'h': usage(); return -1;
		default:
			if (optopt && optopt != '?')
				return bench_error(BENCH_USAGE, "bench: option '-%c' is unknown or needs a value (see --help)", optopt);
			return bench_error(BENCH_USAGE, "bench: option '%s' is unknown or needs a value (see --help)",
					   argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	o->which = optind < argc ? argv[optind] : "gen";
	if (optind + 1 < argc)
		return bench_error(BENCH_USAGE, "bench: one benchmark at a time");
	static const char *const known[] = {"gen", "tools", "memory", "env", "store", "query", "memory-policy", "all"};
	size_t i = 0;
	while (i < sizeof known / sizeof known[0] && strcmp(o->which, known[i]) != 0)
		i++;
	if (i == sizeof known / sizeof known[0])
		return bench_error(BENCH_USAGE,
				   "bench: unknown benchmark '%s' (available: gen, tools, memory, env, store, query, "
				   "memory-policy, all)",
				   o->which);
	bool policy = strcmp(o->which, "memory-policy") == 0;
	if (o->out && !policy && strcmp(o->which, "all") != 0)
		return bench_error(BENCH_USAGE,
				   "bench: -o is for bench all and memory-policy (the others print JSON with --json)");
	if (policy) {
		int64_t sz[8];
		int n = parse_sizes(sz, 8, o->sizes_set ? o->sizes_arg : "10,40,100", 1, POLICY_MAX_TRAIN,
				    "training tasks per family", "10,40,100");
		if (n < 0)
			return BENCH_USAGE;
		qsort(sz, (size_t)n, sizeof *sz, cmp_int64);
		for (int k = 0; k < n; k++)
			o->pc.sizes[k] = (int)sz[k];
		o->pc.nsizes = n;
	} else if (o->sizes_set && (o->nsizes = parse_sizes(o->sizes, 8, o->sizes_arg, 100, 10000000, "entries",
								 "10000,100000")) < 0) {
		return BENCH_USAGE;
	}
	return BENCH_OK;
}

/* -------------------------------------------------------------- main */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

/* One benchmark in the temporary folder `dir`. */
static int run(bench_opts *o, const char *dir)
{
	const char *w = o->which;
	/* env's episodes: --iterations, 300 unless given */
	int episodes = o->iters_set ? o->iters : 300;
	bench_all_conf ac = {.dir = dir, .profile = o->profile_set ? o->profile : NULL, .sizes = o->sizes_arg,
			     .out = o->out, .repeat = o->repeat, .iterations = o->iters, .env_episodes = episodes,
			     .queries = o->mc.nq, .rows = o->rows, .json = o->json};
	if (strcmp(w, "all") == 0)
		return bench_all(&ac);
	if (strcmp(w, "store") == 0 || strcmp(w, "query") == 0)
		return bench_peer_part(w, &ac);
	if (strcmp(w, "gen") == 0)
		return bench_gen(dir, o->profile, o->repeat, o->json);
	if (strcmp(w, "tools") == 0) {
		int rc = bench_tools(o->keep ? o->keep : dir, o->iters, o->json);
		if (!o->keep)
			bench_remove_db(dir, "org.db");
		return rc;
	}
	if (strcmp(w, "env") == 0)
		return bench_env(dir, episodes, o->json);
	if (strcmp(w, "memory-policy") == 0) {
		o->pc.dir = dir;
		o->pc.out = o->out;
		o->pc.json = o->json;
		return bench_memory_policy(&o->pc);
	}
	o->mc.dir = dir;
	o->mc.json = o->json;
	o->mc.repeat = o->repeat;
	return bench_memory(&o->mc, o->sizes, o->nsizes);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	via_cli = strcmp(base, "crmweaver") == 0;
	prog = via_cli ? "crmweaver" : "crmweaver-bench";

	bench_opts o = {.profile = "b2b", .sizes_arg = "10000,100000", .sizes = {10000, 100000}, .nsizes = 2,
			.repeat = 3, .iters = 2000, .rows = 300000,
			.mc = {.dim = 384, .nq = 1000, .sqlite_nq = 200, .seed = 1, .clustered = true, .engines = ~0u},
			.pc = {.orgs = {{"b2b", 11}, {"b2c", 11}, {"crmarena", 12}}, .norgs = 3, .scale = 0.5,
				.agent_max = POLICY_MAX_TRAIN}};
	int rc = parse_options(&o, argc, argv);
	if (rc)
		return rc < 0 ? BENCH_OK : rc;
	if (!o.base || !*o.base)
		o.base = getenv("TMPDIR");
	if (!o.base || !*o.base)
		o.base = "/tmp";
	char dir[4096];
	if (snprintf(dir, sizeof dir, "%s/crmweaver-bench-XXXXXX", o.base) >= (int)sizeof dir - 200)
		return bench_error(BENCH_USAGE, "bench: --dir is too long");
	if (!mkdtemp(dir))
		return bench_error(BENCH_FAIL, "bench: cannot make a temporary folder in %s: %s", o.base, strerror(errno));
	rc = run(&o, dir);
	/* bench all's parts run in processes of their own, which may leave
	 * files when they fail, and memory-policy stops where it fails: remove
	 * the whole folder.  The others remove their files themselves (the
	 * tests check that they do). */
	if (strcmp(o.which, "all") == 0 || strcmp(o.which, "memory-policy") == 0)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		rmdir(dir);
	return rc;
}
