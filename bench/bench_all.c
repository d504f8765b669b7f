/*
 * crmweaver bench all: every benchmark with its peers in one run.
 *
 * Each part runs in a process of its own, so that its peak memory is its
 * own: this program's other benchmarks (gen, memory, env) with --json, and
 * the Python-side scripts of bench/ (store, query, tools), which run the
 * library side themselves and their Python sqlite3 peers in the same run.
 * The results are gathered into one JSON document (-o FILE, or stdout with
 * --json) and a summary table: size, p50/p95 or rate, the peer's value, the
 * ratio and peak memory.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "bench.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef CRMW_BENCH_DIR
#define CRMW_BENCH_DIR "bench"
#endif
#ifndef CRMW_BENCH_BIN
#define CRMW_BENCH_BIN "build/bench"
#endif

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A folder from the environment or the compile-time default. */
static const char *folder(const char *env, const char *def)
{
	const char *d = getenv(env);
	return d && *d ? d : def;
}

static bool quotable(const char *s)
{
	return !strchr(s, '\'');
}

/* snprintf that tells whether everything fitted. */
static bool fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool fmt(char *out, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int w = vsnprintf(out, n, f, ap);
	va_end(ap);
	return w >= 0 && (size_t)w < n;
}

/* Run `cmd` through the shell; its standard output is parsed as JSON when
 * `capture` (else it goes to stderr, beside the part's own table). */
static json_t *run_part(const char *name, const char *cmd, bool capture, const char *json_file, bool quiet)
{
	if (!quiet)
		fprintf(stderr, "== bench %s\n", name);
	double t0 = wall_s();
	json_t *r = NULL;
	json_error_t je;
	int st;
	if (capture) {
		FILE *f = popen(cmd, "r");
		if (!f)
			return NULL;
		r = json_loadf(f, JSON_DISABLE_EOF_CHECK, &je);
		char sink[4096];
		while (fread(sink, 1, sizeof sink, f) > 0) {
		}
		st = pclose(f);
	} else {
		char full[13000];
		snprintf(full, sizeof full, "%s 1>&2", cmd);
		st = system(full);
		if (st == 0 && json_file)
			r = json_load_file(json_file, 0, &je);
	}
	if (st != 0 || !json_is_object(r)) {
		fprintf(stderr, "bench all: %s failed (exit status %d): %s\n", name, st, cmd);
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "wall_seconds", json_real(wall_s() - t0));
	return r;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : -1;
}

/* One line of the summary.  `rate` values are per second (bigger is
 * better); others are latencies in microseconds (smaller is better).  The
 * ratio is how many times better libcrmweaver is than the peer. */
static void line(const char *what, const char *size, double p50, double p95, bool rate, const char *peer,
		 double peer_v, double rss_kb)
{
	char a[32] = "-", b[32] = "-", c[32] = "-", d[32] = "-", e[32] = "-";
	if (p50 >= 0)
		snprintf(a, sizeof a, rate ? "%.0f/s" : "%.1f us", p50);
	if (p95 >= 0)
		snprintf(b, sizeof b, "%.1f us", p95);
	if (peer_v >= 0)
		snprintf(c, sizeof c, rate ? "%.0f/s" : "%.1f us", peer_v);
	if (p50 > 0 && peer_v > 0)
		snprintf(d, sizeof d, "%.2fx", rate ? p50 / peer_v : peer_v / p50);
	if (rss_kb > 0)
		snprintf(e, sizeof e, "%.0f MiB", rss_kb / 1024);
	printf("  %-44s %-10s %12s %10s  %-30s %12s %7s %8s\n", what, size, a, b, peer ? peer : "-", c, d, e);
}

static void summary(const json_t *res, const char *sizes)
{
	printf("\nsummary (ratio: how many times faster libcrmweaver is than the peer)\n");
	printf("  %-44s %-10s %12s %10s  %-30s %12s %7s %8s\n", "benchmark", "size", "crmw p50", "p95", "peer",
	       "peer p50", "ratio", "peak");
	const char *profiles[] = {"crmarena", "b2b", "b2c"};
	for (int i = 0; i < 3; i++) {
		char key[32], what[64], size[32];
		snprintf(key, sizeof key, "gen_%s", profiles[i]);
		const json_t *g = json_object_get(res, key);
		if (!g)
			continue;
		snprintf(what, sizeof what, "generator %s, default org", profiles[i]);
		snprintf(size, sizeof size, "%.0f rec", num(g, "default_rows"));
		line(what, size, num(g, "default_rows_per_s"), -1, true, NULL, -1, num(g, "default_peak_rss_kb"));
		snprintf(what, sizeof what, "generator %s, 10x org", profiles[i]);
		snprintf(size, sizeof size, "%.0f rec", num(g, "x10_rows"));
		line(what, size, num(g, "x10_rows_per_s"), -1, true, "same, one thread", num(g, "x10_one_thread_rows_per_s"),
		     num(g, "x10_peak_rss_kb"));
	}
	const json_t *s = json_object_get(res, "store");
	if (s) {
		char size[32];
		snprintf(size, sizeof size, "%.0f rows", num(s, "rows"));
		line("bulk insert OrderItem, typed setters", size, num(s, "crmw_typed_rows_per_s"), -1, true,
		     "python sqlite3 executemany", num(s, "python_sqlite3_executemany_rows_per_s"), num(s, "crmw_peak_rss_kb"));
		line("bulk insert OrderItem, JSON records", size, num(s, "crmw_json_rows_per_s"), -1, true,
		     "python sqlite3 executemany", num(s, "python_sqlite3_executemany_rows_per_s"), num(s, "crmw_peak_rss_kb"));
		line("  (peer tuned: journal, indexes after)", size, num(s, "crmw_typed_rows_per_s"), -1, true,
		     "python sqlite3 tuned", num(s, "python_sqlite3_tuned_rows_per_s"), -1);
	}
	const json_t *q = json_object_get(res, "query");
	if (q) {
		static const char *const parts[][2] = {{"point", "SOQL point lookup, 2 parent fields"},
						       {"analytic", "SOQL closed cases of a half year"},
						       {"aggregate", "SOQL GROUP BY over 4 quarters"},
						       {"sosl", "SOSL one word over cases"}};
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
			char k50[64], k95[64], kp[64];
			snprintf(k50, sizeof k50, "%s_p50_us", parts[i][0]);
			snprintf(k95, sizeof k95, "%s_p95_us", parts[i][0]);
			snprintf(kp, sizeof kp, "python_%s_p50_us", parts[i][0]);
			line(parts[i][1], i == 3 ? "1000 cases" : "2000 cases", num(q, k50), num(q, k95), false,
			     "python sqlite3 + json", num(q, kp), num(q, "peak_rss_kb"));
		}
	}
	const json_t *t = json_object_get(res, "tools");
	if (t) {
		static const char *const parts[][2] = {{"period", "tool get_period"},
						       {"cases", "tool get_cases"},
						       {"handled", "tool get_agent_handled_cases_by_period"},
						       {"issues", "tool get_issue_counts"},
						       {"search", "tool search_knowledge_articles (SOSL)"},
						       {"soql", "tool issue_soql_query"},
						       {"cases_customer", "tool get_cases, customer role"}};
		char size[32];
		snprintf(size, sizeof size, "%.0f rec", num(t, "records"));
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
			char k50[64], k95[64], kp[64];
			snprintf(k50, sizeof k50, "%s_p50_us", parts[i][0]);
			snprintf(k95, sizeof k95, "%s_p95_us", parts[i][0]);
			snprintf(kp, sizeof kp, "python_%s_p50_us", parts[i][0]);
			line(parts[i][1], size, num(t, k50), num(t, k95), false, "python function + sqlite3", num(t, kp),
			     num(t, "peak_rss_kb"));
		}
	}
	const json_t *m = json_object_get(res, "memory");
	if (m) {
		const json_t *sz;
		size_t i;
		json_array_foreach(json_object_get(m, "sizes"), i, sz) {
			char tag[32], size[32], k[96], k95[96], kp[96], kr[96];
			bench_size_tag(tag, sizeof tag, (int64_t)json_integer_value(sz));
			if (!fmt(size, sizeof size, "%s x %lld", tag, (long long)json_integer_value(json_object_get(m, "dim"))))
				size[0] = '\0';
			static const char *const peers[][2] = {{"faiss_flat", "faiss IndexFlatIP"},
							       {"hnsw", "faiss HNSW32"},
							       {"sqlite_scan", "SQLite brute-force scan"}};
			snprintf(k, sizeof k, "exact_%s_p50_us", tag);
			snprintf(k95, sizeof k95, "exact_%s_p95_us", tag);
			snprintf(kr, sizeof kr, "exact_%s_peak_rss_kb", tag);
			for (size_t j = 0; j < sizeof peers / sizeof peers[0]; j++) {
				snprintf(kp, sizeof kp, "%s_%s_p50_us", peers[j][0], tag);
				if (num(m, kp) < 0)
					continue; /* not built with faiss, or not run */
				line("memory search top-10, exact scan", size, num(m, k), num(m, k95), false, peers[j][1],
				     num(m, kp), num(m, kr));
			}
			snprintf(k, sizeof k, "exact_int8_%s_p50_us", tag);
			snprintf(k95, sizeof k95, "exact_int8_%s_p95_us", tag);
			snprintf(kp, sizeof kp, "faiss_flat_%s_p50_us", tag);
			line("memory search top-10, int8 scan", size, num(m, k), num(m, k95), false, "faiss IndexFlatIP",
			     num(m, kp), -1);
		}
	}
	const json_t *e = json_object_get(res, "env");
	if (e) {
		char size[32];
		snprintf(size, sizeof size, "%.0f rec", num(e, "org_records"));
		line("env step (tool call + observation)", size, num(e, "step_p50_us"), num(e, "step_p95_us"), false,
		     "python reference env", num(e, "python_step_p50_us"), -1);
		line("env reset", size, num(e, "reset_p50_us"), num(e, "reset_p95_us"), false, "python reference env",
		     num(e, "python_reset_p50_us"), -1);
		line("env reward", size, num(e, "reward_p50_us"), num(e, "reward_p95_us"), false, "python reference env",
		     num(e, "python_reward_p50_us"), -1);
		line("env batch throughput, 1 thread", size, num(e, "throughput_1_thread_steps_per_s"), -1, true, NULL, -1,
		     -1);
		line("env batch throughput, 2 threads", size, num(e, "throughput_2_threads_steps_per_s"), -1, true, NULL, -1,
		     -1);
	}
	(void)sizes;
}

int bench_all(const bench_all_conf *c)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return cli_error(CLI_FAIL, "bench all: cannot find this program's path (/proc/self/exe)");
	self[n] = '\0';
	const char *src = folder("CRMW_BENCH_DIR", CRMW_BENCH_DIR);
	const char *bin = folder("CRMW_BENCH_BIN", CRMW_BENCH_BIN);
	if (!quotable(self) || !quotable(src) || !quotable(bin) || !quotable(c->dir) || !quotable(c->sizes))
		return cli_error(CLI_USAGE, "bench all: paths with a single quote are not supported");
	/* Then every command below fits its buffer. */
	if (strlen(self) > 1000 || strlen(src) > 1000 || strlen(bin) > 1000 || strlen(c->dir) > 1000 ||
	    strlen(c->sizes) > 200)
		return cli_error(CLI_USAGE, "bench all: paths longer than 1000 bytes are not supported");
	bool python = system("command -v python3 >/dev/null 2>&1") == 0;
	json_t *res = json_object();
	char cmd[12000], file[4400], script[4400], exe[4400];
	int failed = 0;
	double t0 = wall_s();
	const char *profiles[] = {"crmarena", "b2b", "b2c"};
	for (int i = 0; i < 3; i++) {
		if (c->profile && strcmp(c->profile, profiles[i]) != 0)
			continue;
		(void)fmt(cmd, sizeof cmd, "'%s' bench gen --profile %s --repeat %d --dir '%s' --json", self, profiles[i],
			 c->repeat, c->dir);
		char key[32];
		snprintf(key, sizeof key, "gen_%s", profiles[i]);
		json_t *r = run_part(key, cmd, true, NULL, c->json);
		failed += !r;
		if (r)
			json_object_set_new(res, key, r);
	}
	/* store, query, tools: the bench scripts run the library side (the bench
	 * programs, or this one) and their Python peers in the same run. */
	static const char *const py_parts[] = {"store", "query", "tools"};
	for (size_t i = 0; i < 3; i++) {
		(void)fmt(script, sizeof script, "%s/%s_bench.py", src, py_parts[i]);
		if (i < 2)
			(void)fmt(exe, sizeof exe, "%s/%s_bench", bin, py_parts[i]);
		else
			(void)fmt(exe, sizeof exe, "%s", self);
		if (!python || access(script, R_OK) != 0 || access(exe, X_OK) != 0) {
			fprintf(stderr, "bench all: %s skipped: needs python3, %s and %s (set CRMW_BENCH_DIR and CRMW_BENCH_BIN)\n",
				py_parts[i], script, exe);
			failed++;
			continue;
		}
		(void)fmt(file, sizeof file, "%s/%s.json", c->dir, py_parts[i]);
		if (i == 0)
			(void)fmt(cmd, sizeof cmd, "python3 '%s' --exe '%s' --rows %lld --repeat %d --json '%s'", script, exe,
				 (long long)c->rows, c->repeat, file);
		else
			(void)fmt(cmd, sizeof cmd, "python3 '%s' --exe '%s' --iterations %d --json '%s'", script, exe,
				 i == 1 ? c->iterations * 10 : c->iterations, file);
		json_t *r = run_part(py_parts[i], cmd, false, file, c->json);
		failed += !r;
		if (r)
			json_object_set_new(res, py_parts[i], r);
		remove(file);
	}
	(void)fmt(cmd, sizeof cmd, "'%s' bench memory --sizes '%s' --queries %d --repeat %d --dir '%s' --json", self,
		 c->sizes, c->queries, c->repeat, c->dir);
	json_t *r = run_part("memory", cmd, true, NULL, c->json);
	failed += !r;
	if (r)
		json_object_set_new(res, "memory", r);
	(void)fmt(cmd, sizeof cmd, "'%s' bench env --iterations %d --dir '%s' --json", self, c->env_episodes, c->dir);
	r = run_part("env", cmd, true, NULL, c->json);
	failed += !r;
	if (r)
		json_object_set_new(res, "env", r);

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
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:f, s:i}", "benchmark", "all", "version", crmw_version_string(),
				"machine", machine, "results", res, "wall_seconds", wall_s() - t0, "failed_parts", failed);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(doc, "date", json_string(stamp));
	int rc = CLI_OK;
	if (c->out && json_dump_file(doc, c->out, JSON_INDENT(1) | JSON_SORT_KEYS) != 0)
		rc = cli_error(CLI_FAIL, "bench all: cannot write %s", c->out);
	if (c->json) {
		char *text = json_dumps(doc, JSON_SORT_KEYS);
		if (text)
			printf("%s\n", text);
		free(text);
	} else {
		summary(res, c->sizes);
		printf("\n%d part(s) failed or skipped; %.0f s in all%s%s\n", failed, wall_s() - t0,
		       c->out ? "; results in " : "", c->out ? c->out : "");
	}
	json_decref(doc);
	if (!rc && failed)
		rc = CLI_FAIL;
	return rc;
}
