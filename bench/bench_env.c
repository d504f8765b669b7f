/*
 * crmweaver-bench env: the RL environment.
 *
 * Reset, step (a tool call and its observation) and reward latencies with
 * a scripted policy, side by side with a Python reference environment
 * (bench/env_reference.py: the same tools over the same org file through
 * sqlite3, on the same episodes) in the same run; batch throughput with one
 * and two threads; the heap of idle environments.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tool calls per episode (the policy's three calls, twice); untimed
 * episodes first; environments of the throughput and idle-memory runs. */
enum { STEPS = 6, CALLS = 3, WARMUP = 20, NENV = 256, ROUNDS = 12, IDLE = 2048 };

/* One side's latencies in microseconds. */
typedef struct env_times {
	double *reset, *step, *reward;
	int nreset, nstep, nreward;
	int cap; /* episodes the arrays hold (step: cap * STEPS) */
} env_times;

typedef struct env_run {
	char org[4200];
	crmw_db *db;
	crmw_task_set *ts;
	int64_t ntasks;
	int episodes;
	char out[CALLS][300];       /* the scripted policy's outputs */
	const char *outputs[CALLS];
	env_times lib, py;
	bool have_py;
	double thr1, thr2, idle_kib;
} env_run;

static bool times_alloc(env_times *t, int episodes)
{
	t->cap = episodes;
	t->reset = calloc((size_t)episodes, sizeof *t->reset);
	t->step = calloc((size_t)episodes * STEPS, sizeof *t->step);
	t->reward = calloc((size_t)episodes, sizeof *t->reward);
	return t->reset && t->step && t->reward;
}

static void times_free(env_times *t)
{
	free(t->reset);
	free(t->step);
	free(t->reward);
}

/* The scripted policy: three calls around a quarter of the year before the
 * first task's today. */
static void env_policy(env_run *x)
{
	crmw_buf b = CRMW_BUF_INIT;
	crmw_task_set_get(&b, x->ts, 0);
	json_t *t0 = json_loads(b.data ? b.data : "", 0, NULL);
	crmw_buf_dispose(&b);
	const char *today = json_string_value(json_object_get(json_object_get(t0, "context"), "today"));
	int year = today ? atoi(today) - 1 : 2023;
	json_decref(t0);
	snprintf(x->out[0], sizeof x->out[0],
		 "<tool_call>{\"name\": \"get_period\", \"arguments\": {\"period_name\": \"Q3\", \"year\": %d}}</tool_call>", year);
	snprintf(x->out[1], sizeof x->out[1],
		 "<tool_call>{\"name\": \"get_agent_handled_cases_by_period\", \"arguments\": {\"start_date\": "
		 "\"%d-07-01T00:00:00Z\", \"end_date\": \"%d-10-01T00:00:00Z\"}}</tool_call>",
		 year, year);
	snprintf(x->out[2], sizeof x->out[2],
		 "<tool_call>{\"name\": \"get_cases\", \"arguments\": {\"start_date\": \"%d-07-01T00:00:00Z\", "
		 "\"end_date\": \"%d-10-01T00:00:00Z\", \"statuses\": [\"Closed\"]}}</tool_call>",
		 year, year);
	for (int k = 0; k < CALLS; k++)
		x->outputs[k] = x->out[k];
}

/* One timed episode's record for the peer: the task, the outputs, the answer. */
static json_t *episode_json(const env_run *x, json_t *task, const char *answer)
{
	json_t *o = json_array();
	for (int k = 0; k < STEPS; k++)
		json_array_append_new(o, json_string(x->outputs[k % CALLS]));
	return json_pack("{s:{s:O, s:O, s:O, s:O}, s:o, s:s}", "task", "id", json_object_get(task, "id"), "query",
			 json_object_get(task, "query"), "today", json_object_get(json_object_get(task, "context"), "today"),
			 "answer", json_object_get(task, "answer"), "outputs", o, "answer", answer);
}

/* The library: WARMUP untimed episodes, then x->episodes timed ones, each
 * recorded into `eps` for the peer. */
static int env_episodes(env_run *x, json_t *eps)
{
	crmw_env_pool *p = NULL;
	crmw_env *e = NULL;
	crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT, info = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
	int rc = crmw_env_pool_new(&p, x->org, "{\"workers\":0,\"memory\":\"off\",\"agent\":{\"max_turns\":1000}}");
	rc = rc ? rc : crmw_env_pool_set_tasks(p, x->ts);
	rc = rc ? rc : crmw_env_new(&e, p);
	for (int i = 0; !rc && i < x->episodes + WARMUP; i++) {
		int64_t ti = i % x->ntasks;
		char r[64];
		snprintf(r, sizeof r, "{\"index\":%lld}", (long long)ti);
		double t = bench_now_us();
		rc = crmw_env_reset(&obs, e, r);
		double tr = bench_now_us() - t;
		for (int k = 0; !rc && k < STEPS; k++) {
			const char *o = x->outputs[k % CALLS];
			t = bench_now_us();
			rc = crmw_env_step(&out, e, o, strlen(o));
			if (i >= WARMUP)
				x->lib.step[x->lib.nstep++] = bench_now_us() - t;
		}
		rc = rc ? rc : crmw_task_set_get(&b, x->ts, ti);
		json_t *tj = rc ? NULL : json_loads(b.data, 0, NULL);
		const char *answer = json_string_value(json_array_get(json_object_get(tj, "answer"), 0));
		double score = 0;
		t = bench_now_us();
		rc = rc ? rc : crmw_task_score(&score, &info, x->ts, ti, answer ? answer : "None", NULL, NULL, NULL);
		double tw = bench_now_us() - t;
		if (!rc && i >= WARMUP) {
			x->lib.reset[x->lib.nreset++] = tr;
			x->lib.reward[x->lib.nreward++] = tw;
			json_array_append_new(eps, episode_json(x, tj, answer ? answer : "None"));
		}
		json_decref(tj);
	}
	if (rc)
		bench_lib_error(rc, e ? crmw_env_errmsg(e) : "bench env");
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&info);
	crmw_env_free(e);
	crmw_env_pool_free(p);
	return rc ? BENCH_FAIL : BENCH_OK;
}

/* Run bench/env_reference.py on the org and the episodes file; its
 * latencies into *py.  False when python3 or the script is missing or
 * the script failed. */
static bool python_reference(const char *org, const char *episodes, env_times *py)
{
	char script[4300], cmd[13000];
	snprintf(script, sizeof script, "%s/env_reference.py", bench_script_dir());
	if (access(script, R_OK) != 0 || strchr(script, '\'') || strchr(org, '\'') || strchr(episodes, '\''))
		return false; /* the paths are quoted for the shell below */
	int w = snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s'", script, org, episodes);
	if (w < 0 || (size_t)w >= sizeof cmd)
		return false;
	FILE *f = popen(cmd, "r");
	if (!f)
		return false;
	json_error_t je;
	json_t *r = json_loadf(f, 0, &je);
	int st = pclose(f);
	if (!r || st != 0) {
		json_decref(r);
		return false;
	}
	double *out[3] = {py->reset, py->step, py->reward};
	int *n[3] = {&py->nreset, &py->nstep, &py->nreward};
	const int cap[3] = {py->cap, py->cap * STEPS, py->cap};
	static const char *const keys[3] = {"reset_us", "step_us", "reward_us"};
	for (int k = 0; k < 3; k++) {
		size_t i;
		json_t *v;
		*n[k] = 0;
		json_array_foreach(json_object_get(r, keys[k]), i, v) {
			if (*n[k] < cap[k])
				out[k][(*n[k])++] = json_number_value(v);
		}
	}
	json_decref(r);
	return true;
}

/* The peer, on the same episodes and tool specs (written to `epath`). */
static void env_peer(env_run *x, json_t *eps, const char *epath)
{
	crmw_registry *reg = NULL;
	crmw_buf specs = CRMW_BUF_INIT;
	if (!crmw_registry_new(&reg) && !crmw_registry_add_builtin(reg, "query,crmarena,pro", x->db, NULL) &&
	    !crmw_registry_export(&specs, reg, CRMW_TOOLS_OPENAI)) {
		json_t *spec = json_pack("{s:o, s:O}", "tools", json_loads(specs.data, 0, NULL), "episodes", eps);
		if (spec && json_dump_file(spec, epath, JSON_COMPACT) == 0)
			x->have_py = python_reference(x->org, epath, &x->py);
		json_decref(spec);
	}
	crmw_buf_dispose(&specs);
	crmw_registry_free(reg);
	remove(epath);
}

/* Steps per second over `nenv` environments in batches, with `workers`. */
static double env_throughput(const char *org, const crmw_task_set *ts, int workers, const char *const *outputs,
			     int nenv, int rounds)
{
	char opts[200];
	snprintf(opts, sizeof opts, "{\"workers\":%d,\"memory\":\"off\",\"agent\":{\"max_turns\":1000}}", workers);
	crmw_env_pool *p;
	if (crmw_env_pool_new(&p, org, opts))
		return 0;
	crmw_env_pool_set_tasks(p, ts);
	crmw_env **envs = calloc((size_t)nenv, sizeof *envs);
	crmw_buf *outs = calloc((size_t)nenv, sizeof *outs);
	const char **in = calloc((size_t)nenv, sizeof *in);
	size_t *lens = calloc((size_t)nenv, sizeof *lens);
	crmw_buf obs = CRMW_BUF_INIT;
	double rate = 0;
	int rc = envs && outs && in && lens ? 0 : -1;
	for (int i = 0; !rc && i < nenv; i++) {
		char r[64];
		snprintf(r, sizeof r, "{\"index\":%d,\"tools\":false}", i % (int)crmw_task_set_count(ts));
		rc = crmw_env_new(&envs[i], p) || crmw_env_reset(&obs, envs[i], r);
	}
	double t0 = bench_now_s();
	for (int round = 0; !rc && round < rounds; round++) {
		for (int i = 0; i < nenv; i++) {
			in[i] = outputs[(round + i) % CALLS];
			lens[i] = strlen(in[i]);
		}
		rc = crmw_env_step_batch(p, envs, in, lens, outs, NULL, nenv);
	}
	if (!rc)
		rate = (double)nenv * rounds / (bench_now_s() - t0);
	for (int i = 0; i < nenv && envs; i++) {
		crmw_env_free(envs[i]);
		crmw_buf_dispose(&outs[i]);
	}
	crmw_buf_dispose(&obs);
	free(envs);
	free(outs);
	free(in);
	free(lens);
	crmw_env_pool_free(p);
	return rate;
}

/* The heap each of IDLE environments holds after its reset, in KiB. */
static double env_idle_kib(const char *org, const crmw_task_set *ts, int64_t ntasks)
{
	crmw_env_pool *q = NULL;
	if (crmw_env_pool_new(&q, org, "{\"workers\":0,\"memory\":\"off\"}"))
		return 0;
	crmw_env_pool_set_tasks(q, ts);
	crmw_env **many = calloc(IDLE, sizeof *many);
	crmw_env *warm = NULL;
	crmw_buf obs = CRMW_BUF_INIT;
	double kib = 0;
	if (many && !crmw_env_new(&warm, q) && !crmw_env_reset(&obs, warm, "{\"index\":0}")) {
		/* the pool's shared context exists before measuring */
		struct mallinfo2 m0 = mallinfo2();
		for (int i = 0; i < IDLE; i++) {
			char r[64];
			snprintf(r, sizeof r, "{\"index\":%d,\"tools\":false}", (int)(i % ntasks));
			if (!crmw_env_new(&many[i], q))
				crmw_env_reset(&obs, many[i], r);
		}
		struct mallinfo2 m1 = mallinfo2();
		kib = ((double)m1.uordblks - (double)m0.uordblks) / 1024.0 / IDLE;
	}
	for (int i = 0; many && i < IDLE; i++)
		crmw_env_free(many[i]);
	crmw_env_free(warm);
	crmw_buf_dispose(&obs);
	free(many);
	crmw_env_pool_free(q);
	return kib;
}

/* p50/p95 of the steps of call k (steps cycle through the calls); before
 * the steps are sorted. */
static bench_pcts call_pcts(const env_times *t, int k)
{
	double *a = calloc((size_t)t->nstep + 1, sizeof *a);
	int n = 0;
	for (int j = 0; a && j < t->nstep; j++)
		if ((j % STEPS) % CALLS == k)
			a[n++] = t->step[j];
	bench_pcts r = bench_percentiles(a, n);
	free(a);
	return r;
}

typedef struct env_summary {
	bench_pcts step, reset, reward;
	bench_pcts call[CALLS];
} env_summary;

static env_summary summarise(env_times *t)
{
	env_summary s;
	for (int k = 0; k < CALLS; k++)
		s.call[k] = call_pcts(t, k);
	s.step = bench_percentiles(t->step, t->nstep);
	s.reset = bench_percentiles(t->reset, t->nreset);
	s.reward = bench_percentiles(t->reward, t->nreward);
	return s;
}

static const char *const call_key[CALLS] = {"get_period", "handled_by_period", "get_cases"};

static void print_json(const env_run *x, const env_summary *c, const env_summary *p, int64_t records)
{
	bench_json j;
	bench_json_begin(&j, stdout);
	bench_json_str(&j, "env", "benchmark");
	bench_json_int(&j, records, "org_records");
	bench_json_int(&j, x->episodes, "episodes");
	bench_json_int(&j, x->lib.nstep, "steps");
	bench_json_num(&j, c->step.p50, true, 2, "step_p50_us");
	bench_json_num(&j, c->step.p95, true, 2, "step_p95_us");
	bench_json_num(&j, c->reset.p50, true, 2, "reset_p50_us");
	bench_json_num(&j, c->reset.p95, true, 2, "reset_p95_us");
	bench_json_num(&j, c->reward.p50, true, 3, "reward_p50_us");
	bench_json_num(&j, c->reward.p95, true, 3, "reward_p95_us");
	if (x->have_py) {
		bench_json_num(&j, p->step.p50, true, 2, "python_step_p50_us");
		bench_json_num(&j, p->step.p95, true, 2, "python_step_p95_us");
		bench_json_num(&j, p->reset.p50, true, 2, "python_reset_p50_us");
		bench_json_num(&j, p->reset.p95, true, 2, "python_reset_p95_us");
		bench_json_num(&j, p->reward.p50, true, 3, "python_reward_p50_us");
		bench_json_num(&j, p->step.p50 / c->step.p50, true, 2, "step_speedup_vs_python");
		bench_json_num(&j, p->reset.p50 / c->reset.p50, true, 2, "reset_speedup_vs_python");
		bench_json_num(&j, p->reward.p50 / c->reward.p50, true, 2, "reward_speedup_vs_python");
	} else {
		bench_json_raw(&j, NULL, "step_speedup_vs_python");
	}
	for (int k = 0; k < CALLS; k++) {
		bench_json_num(&j, c->call[k].p50, true, 2, "step_%s_p50_us", call_key[k]);
		if (x->have_py)
			bench_json_num(&j, p->call[k].p50, true, 2, "python_step_%s_p50_us", call_key[k]);
	}
	bench_json_num(&j, x->thr1, true, 0, "throughput_1_thread_steps_per_s");
	bench_json_num(&j, x->thr2, true, 0, "throughput_2_threads_steps_per_s");
	bench_json_num(&j, x->idle_kib, true, 1, "idle_env_kib");
	bench_json_end(&j);
}

static void print_table(const env_run *x, const env_summary *cs, const env_summary *ps, int64_t records)
{
	printf("RL environment, b2b org (%lld records), scripted policy: %d episodes x %d tool calls\n",
	       (long long)records, x->episodes, STEPS);
	printf("  %-30s %10s %10s %14s %14s %8s\n", "", "p50", "p95", "python p50", "python p95", "ratio");
	static const char *const label[3] = {"step (tool call + observation)", "reset", "reward"};
	const bench_pcts c[3] = {cs->step, cs->reset, cs->reward}, py[3] = {ps->step, ps->reset, ps->reward};
	for (int k = 0; k < 3; k++) {
		if (x->have_py)
			printf("  %-30s %8.2fus %8.2fus %12.2fus %12.2fus %7.1fx\n", label[k], c[k].p50, c[k].p95, py[k].p50,
			       py[k].p95, py[k].p50 / c[k].p50);
		else
			printf("  %-30s %8.2fus %8.2fus %14s %14s %8s\n", label[k], c[k].p50, c[k].p95, "-", "-", "-");
	}
	static const char *const clabel[CALLS] = {"  get_period (no query)", "  get_agent_handled_cases_by_period",
						  "  get_cases (a quarter's closed cases)"};
	for (int k = 0; k < CALLS; k++) {
		if (x->have_py)
			printf("  %-30s %8.2fus %10s %12.2fus %14s %7.1fx\n", clabel[k], cs->call[k].p50, "", ps->call[k].p50, "",
			       ps->call[k].p50 / cs->call[k].p50);
		else
			printf("  %-30s %8.2fus\n", clabel[k], cs->call[k].p50);
	}
	if (!x->have_py)
		printf("  (python3 or %s/env_reference.py not found: set CRMW_BENCH_DIR)\n", bench_script_dir());
	printf("  batch throughput, %d environments: %.0f steps/s on 1 thread, %.0f steps/s on 2 (%.2fx)\n", NENV,
	       x->thr1, x->thr2, x->thr1 > 0 ? x->thr2 / x->thr1 : 0);
	printf("  %d idle environments (after reset): %.1f KiB of heap each\n", IDLE, x->idle_kib);
}

int bench_env(const char *dir, int episodes, bool json)
{
	env_run x = {.episodes = episodes};
	char epath[4200];
	snprintf(x.org, sizeof x.org, "%s/org.db", dir);
	snprintf(epath, sizeof epath, "%s/episodes.json", dir);
	int rc = crmw_gen(x.org, "{\"profile\":\"b2b\",\"seed\":1,\"overwrite\":true}", NULL, NULL);
	if (rc) {
		rc = bench_lib_error(rc, "bench env: gen");
		bench_remove_db(dir, "org.db");
		return rc;
	}
	rc = crmw_db_open(&x.db, x.org, CRMW_DB_READONLY);
	rc = rc ? rc : crmw_tasks_generate(&x.ts, NULL, x.db, "{\"families\":\"handle_time\",\"per_family\":40,\"seed\":1}");
	if (rc)
		rc = bench_lib_error(rc, "bench env: tasks");
	else if (!times_alloc(&x.lib, episodes) || !times_alloc(&x.py, episodes))
		rc = bench_error(BENCH_FAIL, "bench env: out of memory");
	json_t *eps = json_array();
	if (!rc) {
		x.ntasks = crmw_task_set_count(x.ts);
		env_policy(&x);
		rc = env_episodes(&x, eps);
	}
	if (!rc) {
		env_peer(&x, eps, epath);
		x.thr1 = env_throughput(x.org, x.ts, 0, x.outputs, NENV, ROUNDS);
		x.thr2 = env_throughput(x.org, x.ts, 1, x.outputs, NENV, ROUNDS);
		x.idle_kib = env_idle_kib(x.org, x.ts, x.ntasks);
		int64_t records = bench_count_records(x.org);
		env_summary c = summarise(&x.lib), p = summarise(&x.py);
		if (json)
			print_json(&x, &c, &p, records);
		else
			print_table(&x, &c, &p, records);
	}
	json_decref(eps);
	times_free(&x.lib);
	times_free(&x.py);
	crmw_task_set_free(x.ts);
	crmw_db_free(x.db);
	bench_remove_db(dir, "org.db");
	return rc;
}
