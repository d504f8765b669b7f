/*
 * crmweaver-bench all: every benchmark with its peers in one run; and
 * crmweaver-bench store|query: one of its Python-side parts alone.
 *
 * Each part runs in a process of its own, so that its peak memory is its
 * own: this program's other benchmarks (gen, memory, env) with --json, and
 * the Python-side scripts of bench/ (store, query, tools), which run the
 * library side themselves (store_bench, query_bench, this program) and
 * their Python sqlite3 peers in the same run.
 * The results are gathered into one JSON document (-o FILE, or stdout with
 * --json) and a summary table: size, p50/p95 or rate, the peer's value, the
 * ratio and peak memory.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Run `cmd` through the shell.  Without `json_file`, its standard output
 * is parsed as JSON; with one, the part writes its JSON there and its
 * table goes to stdout when `table`, else to stderr. */
static json_t *run_part(const char *name, const char *cmd, const char *json_file, bool table, bool quiet)
{
	if (!quiet)
		fprintf(stderr, "== bench %s\n", name);
	double t0 = bench_now_s();
	json_t *r = NULL;
	json_error_t je;
	int st;
	if (!json_file) {
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
		snprintf(full, sizeof full, "%s%s", cmd, table ? "" : " 1>&2");
		fflush(stdout);
		st = system(full);
		if (st == 0)
			r = json_load_file(json_file, 0, &je);
		remove(json_file);
	}
	if (st != 0 || !json_is_object(r)) {
		bench_error(BENCH_FAIL, "bench %s failed (exit status %d): %s", name, st, cmd);
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "wall_seconds", json_real(bench_now_s() - t0));
	return r;
}

/* The paths the parts' commands quote; reports why they cannot be used. */
static int check_paths(const char *self, const bench_all_conf *c)
{
	const char *src = bench_script_dir(), *bin = bench_program_dir();
	if (!self)
		return bench_error(BENCH_FAIL, "bench all: cannot find this program's path (/proc/self/exe)");
	if (!quotable(self) || !quotable(src) || !quotable(bin) || !quotable(c->dir) || !quotable(c->sizes))
		return bench_error(BENCH_USAGE, "bench all: paths with a single quote are not supported");
	/* Then every command below fits its buffer. */
	if (strlen(self) > 1000 || strlen(src) > 1000 || strlen(bin) > 1000 || strlen(c->dir) > 1000 ||
	    strlen(c->sizes) > 200)
		return bench_error(BENCH_USAGE, "bench all: paths longer than 1000 bytes are not supported");
	return BENCH_OK;
}

/* A Python-side part: "store", "query" or "tools" (bench/<which>_bench.py
 * with its library side, the bench program of that name or this one).
 * NULL after reporting why it did not run or failed. */
static json_t *peer_part(const char *which, const char *self, const bench_all_conf *c, bool table)
{
	char cmd[12000], file[4400], script[4400], exe[4400];
	(void)fmt(script, sizeof script, "%s/%s_bench.py", bench_script_dir(), which);
	if (strcmp(which, "tools") == 0)
		(void)fmt(exe, sizeof exe, "%s", self);
	else
		(void)fmt(exe, sizeof exe, "%s/%s_bench", bench_program_dir(), which);
	if (system("command -v python3 >/dev/null 2>&1") != 0 || access(script, R_OK) != 0 || access(exe, X_OK) != 0) {
		bench_error(BENCH_FAIL, "bench %s skipped: needs python3, %s and %s (set CRMW_BENCH_DIR and CRMW_BENCH_BIN)",
			    which, script, exe);
		return NULL;
	}
	(void)fmt(file, sizeof file, "%s/%s.json", c->dir, which);
	if (strcmp(which, "store") == 0)
		(void)fmt(cmd, sizeof cmd, "python3 '%s' --exe '%s' --rows %lld --repeat %d --json '%s'", script, exe,
			  (long long)c->rows, c->repeat, file);
	else
		(void)fmt(cmd, sizeof cmd, "python3 '%s' --exe '%s' --iterations %d --json '%s'", script, exe,
			  strcmp(which, "query") == 0 ? c->iterations * 10 : c->iterations, file);
	return run_part(which, cmd, file, table, c->json || table);
}

int bench_peer_part(const char *which, const bench_all_conf *c)
{
	const char *self = bench_self();
	int rc = check_paths(self, c);
	if (rc)
		return rc;
	json_t *r = peer_part(which, self, c, !c->json);
	if (!r)
		return BENCH_FAIL;
	if (c->json) {
		char *text = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(10));
		if (text)
			printf("%s\n", text);
		free(text);
	}
	json_decref(r);
	return BENCH_OK;
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

/* The generator lines of each profile that ran. */
static void summary_gen(const json_t *res)
{
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
}

static void summary_store(const json_t *s)
{
	char size[32];
	snprintf(size, sizeof size, "%.0f rows", num(s, "rows"));
	line("bulk insert OrderItem, typed setters", size, num(s, "crmw_typed_rows_per_s"), -1, true,
	     "python sqlite3 executemany", num(s, "python_sqlite3_executemany_rows_per_s"), num(s, "crmw_peak_rss_kb"));
	line("bulk insert OrderItem, JSON records", size, num(s, "crmw_json_rows_per_s"), -1, true,
	     "python sqlite3 executemany", num(s, "python_sqlite3_executemany_rows_per_s"), num(s, "crmw_peak_rss_kb"));
	line("  (peer tuned: journal, indexes after)", size, num(s, "crmw_typed_rows_per_s"), -1, true,
	     "python sqlite3 tuned", num(s, "python_sqlite3_tuned_rows_per_s"), -1);
}

/* One line per measured call of a part whose keys are <key>_p50_us,
 * <key>_p95_us and python_<key>_p50_us: parts[i] = {key, what, size}. */
static void summary_latencies(const json_t *o, const char *const (*parts)[3], size_t n, const char *peer)
{
	for (size_t i = 0; i < n; i++) {
		char k50[64], k95[64], kp[64];
		snprintf(k50, sizeof k50, "%s_p50_us", parts[i][0]);
		snprintf(k95, sizeof k95, "%s_p95_us", parts[i][0]);
		snprintf(kp, sizeof kp, "python_%s_p50_us", parts[i][0]);
		line(parts[i][1], parts[i][2], num(o, k50), num(o, k95), false, peer, num(o, kp), num(o, "peak_rss_kb"));
	}
}

static void summary_memory(const json_t *m)
{
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
			line("memory search top-10, exact scan", size, num(m, k), num(m, k95), false, peers[j][1], num(m, kp),
			     num(m, kr));
		}
		snprintf(k, sizeof k, "exact_int8_%s_p50_us", tag);
		snprintf(k95, sizeof k95, "exact_int8_%s_p95_us", tag);
		snprintf(kp, sizeof kp, "faiss_flat_%s_p50_us", tag);
		line("memory search top-10, int8 scan", size, num(m, k), num(m, k95), false, "faiss IndexFlatIP", num(m, kp),
		     -1);
	}
}

static void summary_env(const json_t *e)
{
	char size[32];
	snprintf(size, sizeof size, "%.0f rec", num(e, "org_records"));
	line("env step (tool call + observation)", size, num(e, "step_p50_us"), num(e, "step_p95_us"), false,
	     "python reference env", num(e, "python_step_p50_us"), -1);
	line("env reset", size, num(e, "reset_p50_us"), num(e, "reset_p95_us"), false, "python reference env",
	     num(e, "python_reset_p50_us"), -1);
	line("env reward", size, num(e, "reward_p50_us"), num(e, "reward_p95_us"), false, "python reference env",
	     num(e, "python_reward_p50_us"), -1);
	line("env batch throughput, 1 thread", size, num(e, "throughput_1_thread_steps_per_s"), -1, true, NULL, -1, -1);
	line("env batch throughput, 2 threads", size, num(e, "throughput_2_threads_steps_per_s"), -1, true, NULL, -1, -1);
}

static void summary(const json_t *res)
{
	printf("\nsummary (ratio: how many times faster libcrmweaver is than the peer)\n");
	printf("  %-44s %-10s %12s %10s  %-30s %12s %7s %8s\n", "benchmark", "size", "crmw p50", "p95", "peer",
	       "peer p50", "ratio", "peak");
	summary_gen(res);
	const json_t *part;
	if ((part = json_object_get(res, "store")))
		summary_store(part);
	if ((part = json_object_get(res, "query"))) {
		static const char *const parts[][3] = {{"point", "SOQL point lookup, 2 parent fields", "2000 cases"},
						       {"analytic", "SOQL closed cases of a half year", "2000 cases"},
						       {"aggregate", "SOQL GROUP BY over 4 quarters", "2000 cases"},
						       {"sosl", "SOSL one word over cases", "1000 cases"}};
		summary_latencies(part, parts, sizeof parts / sizeof parts[0], "python sqlite3 + json");
	}
	if ((part = json_object_get(res, "tools"))) {
		char size[32];
		snprintf(size, sizeof size, "%.0f rec", num(part, "records"));
		const char *const parts[][3] = {{"period", "tool get_period", size},
						{"cases", "tool get_cases", size},
						{"handled", "tool get_agent_handled_cases_by_period", size},
						{"issues", "tool get_issue_counts", size},
						{"search", "tool search_knowledge_articles (SOSL)", size},
						{"soql", "tool issue_soql_query", size},
						{"cases_customer", "tool get_cases, customer role", size}};
		summary_latencies(part, parts, sizeof parts / sizeof parts[0], "python function + sqlite3");
	}
	if ((part = json_object_get(res, "memory")))
		summary_memory(part);
	if ((part = json_object_get(res, "env")))
		summary_env(part);
}

int bench_all(const bench_all_conf *c)
{
	const char *self = bench_self();
	int rc = check_paths(self, c);
	if (rc)
		return rc;
	json_t *res = json_object();
	char cmd[12000];
	int failed = 0;
	double t0 = bench_now_s();
	const char *profiles[] = {"crmarena", "b2b", "b2c"};
	for (int i = 0; i < 3; i++) {
		if (c->profile && strcmp(c->profile, profiles[i]) != 0)
			continue;
		(void)fmt(cmd, sizeof cmd, "'%s' gen --profile %s --repeat %d --dir '%s' --json", self, profiles[i],
			  c->repeat, c->dir);
		char key[32];
		snprintf(key, sizeof key, "gen_%s", profiles[i]);
		json_t *r = run_part(key, cmd, NULL, false, c->json);
		failed += !r;
		if (r)
			json_object_set_new(res, key, r);
	}
	/* store, query, tools: the bench scripts run the library side (the bench
	 * programs, or this one) and their Python peers in the same run. */
	static const char *const py_parts[] = {"store", "query", "tools"};
	for (size_t i = 0; i < 3; i++) {
		json_t *r = peer_part(py_parts[i], self, c, false);
		failed += !r;
		if (r)
			json_object_set_new(res, py_parts[i], r);
	}
	(void)fmt(cmd, sizeof cmd, "'%s' memory --sizes '%s' --queries %d --repeat %d --dir '%s' --json", self,
		  c->sizes, c->queries, c->repeat, c->dir);
	json_t *r = run_part("memory", cmd, NULL, false, c->json);
	failed += !r;
	if (r)
		json_object_set_new(res, "memory", r);
	(void)fmt(cmd, sizeof cmd, "'%s' env --iterations %d --dir '%s' --json", self, c->env_episodes, c->dir);
	r = run_part("env", cmd, NULL, false, c->json);
	failed += !r;
	if (r)
		json_object_set_new(res, "env", r);

	json_t *doc = json_pack("{s:s, s:s, s:o, s:f, s:i}", "benchmark", "all", "version", crmw_version_string(),
				"results", res, "wall_seconds", bench_now_s() - t0, "failed_parts", failed);
	rc = bench_results(doc, c->out, c->json, "bench all");
	if (!c->json) {
		summary(res);
		printf("\n%d part(s) failed or skipped; %.0f s in all%s%s\n", failed, bench_now_s() - t0,
		       c->out ? "; results in " : "", c->out ? c->out : "");
	}
	json_decref(doc);
	if (!rc && failed)
		rc = BENCH_FAIL;
	return rc;
}
