/*
 * crmweaver run: run an agent over a task file with a built-in backend
 * (memory policy, HTTP model, replay, gold), in parallel, writing one
 * trajectory per task; crmweaver eval: the per-family table of a
 * trajectory file.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver run --db ORG.db --tasks TASKS.json --backend memory|http|replay|gold\n"
		"                     [--split train|test|holdout] [--families a,b]\n"
		"                     [--memory MEM.db] [--write-memory] [--replay TRAJ.jsonl]\n"
		"                     [--model-url URL --model NAME] [--api-key-env VAR]\n"
		"                     [--policy JSON] [--agent JSON] [--role ROLE [--bind KEY=VALUE]...]\n"
		"                     [--format trajectory|sft] [--jobs N] [--json] -o TRAJ.jsonl\n"
		"\n"
		"Runs one agent episode per task and writes the trajectories (JSONL, in task order)\n"
		"and a per-family table (as `crmweaver eval`).  Backends:\n"
		"  memory  the memory policy: replays plans of solved tasks from --memory, no model;\n"
		"          it abstains when no plan fits, or, with --model-url, hands the task to\n"
		"          that model (a plan cache in front of a model)\n"
		"  http    an OpenAI-compatible server: --model-url http://HOST:PORT/v1 --model NAME\n"
		"          (the key, if any, from the environment variable named by --api-key-env)\n"
		"  replay  the assistant messages of a trajectory file (--replay)\n"
		"  gold    each task's own gold program: to build memories and SFT data, never to\n"
		"          evaluate\n"
		"--write-memory lets successful episodes write guidelines (with plans) into --memory.\n"
		"--policy and --agent take option objects (docs/backends.md, docs/agent.md).  --format sft\n"
		"writes only the solved episodes, as chat fine-tuning lines {\"messages\", \"tools\"}.\n"
		"--role runs every episode under that role (docs/access.md); a task's context.role can\n"
		"only narrow it.  Without --role the episodes have internal access:\n");
	cli_role_help(f, 20, "");
	fprintf(f,
		"\n"
		"examples:\n"
		"  crmweaver run --db org.db --tasks tasks.json --split train --backend gold \\\n"
		"                --memory mem.db --write-memory -o train.jsonl\n"
		"  crmweaver run --db org.db --tasks tasks.json --split test --backend memory \\\n"
		"                --memory mem.db --jobs 2 -o test.jsonl\n"
		"  crmweaver run --db org.db --tasks tasks.json --backend http \\\n"
		"                --model-url http://127.0.0.1:8080/v1 --model qwen3 -o model.jsonl\n"
		"  crmweaver run --db org.db --tasks tasks.json --backend replay --replay model.jsonl \\\n"
		"                --role tier1.json --bind user_id=005... -o tier1.jsonl\n");
}

static void rollout_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver rollout --db ORG.db --tasks TASKS.json --backend memory|http|replay|gold\n"
		"                         [--group N] [--split S] [--families a,b] [--memory MEM.db]\n"
		"                         [--memory-policy off|retrieve|write] [--model-url URL --model NAME]\n"
		"                         [--format trajectory|sft] [--agent JSON] [--role ROLE [--bind KEY=VALUE]...]\n"
		"                         [--jobs N] [--json] -o TRAJ.jsonl\n"
		"\n"
		"Grouped rollouts for GRPO-style training: N episodes of every task (episode ids\n"
		"<task id>#g0 .. #g<N-1>), each trajectory with its group's statistics:\n"
		"  \"group\": {\"id\", \"size\", \"index\", \"reward_mean\", \"reward_std\", \"advantage\"}\n"
		"where advantage = (reward - mean) / (std + 1e-6), 0 when the group agrees.  With\n"
		"--memory, --memory-policy retrieve (the default) puts guidelines in the prompts and\n"
		"moves their counters; write also writes guidelines back from solved episodes (a\n"
		"solved group corroborates one plan).  --format sft writes the solved episodes as chat\n"
		"fine-tuning lines {\"messages\", \"tools\"} (with --backend gold: SFT warm-up data).\n"
		"--role and --bind: every episode's role, as in crmweaver run.  Other options as in\n"
		"crmweaver run.\n"
		"\n"
		"examples:\n"
		"  crmweaver rollout --db org.db --tasks tasks.json --split train --group 8 --backend http \\\n"
		"                    --model-url http://127.0.0.1:8000/v1 --model policy -o rollouts.jsonl\n"
		"  crmweaver rollout --db org.db --tasks tasks.json --split train --group 1 --backend gold \\\n"
		"                    --format sft -o sft.jsonl\n");
}

static void eval_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver eval --trajectories TRAJ.jsonl [--json]\n"
		"       crmweaver eval TRAJ.jsonl [--json]\n"
		"\n"
		"Prints a per-family table of a trajectory file: tasks, solved (reward 1), accuracy\n"
		"(mean reward), wrong (answered, reward below 1), abstentions, episodes answered by a\n"
		"memory plan, episodes with retrieved memories, mean turns and mean time.  --json gives\n"
		"the shape of `crmweaver tasks score --json` with these counts added per family.\n"
		"\n"
		"example:\n"
		"  crmweaver eval --trajectories test.jsonl\n");
}

int run_quiet;

/* ------------------------------------------------------------------ eval */

fam_stats *stats_row(stats *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		fam_stats *r = realloc(t->rows, cap * sizeof *r);
		if (!r)
			return NULL;
		t->rows = r;
		t->cap = cap;
	}
	fam_stats *r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	return r;
}

void stats_count(fam_stats *r, const json_t *traj)
{
	double reward = json_number_value(json_object_get(traj, "reward"));
	const char *end = json_string_value(json_object_get(traj, "end_reason"));
	r->tasks++;
	r->score += reward;
	r->solved += reward >= 1.0;
	r->abstained += end && strcmp(end, "abstained") == 0;
	r->wrong += end && strcmp(end, "answered") == 0 && reward < 1.0;
	const json_t *plan = json_object_get(traj, "plan");
	r->plans += plan && !json_is_null(plan);
	r->mem_hits += json_array_size(json_object_get(traj, "memory_ids")) > 0;
	r->turns += json_integer_value(json_object_get(traj, "turns"));
	r->ms += (double)json_integer_value(json_object_get(json_object_get(traj, "timings_us"), "total")) / 1000.0;
}

static int stats_add(stats *t, const json_t *traj)
{
	const char *fam = json_string_value(json_object_get(traj, "task_family"));
	fam_stats *r = stats_row(t, fam ? fam : "?");
	if (!r)
		return CRMW_ENOMEM;
	stats_count(r, traj);
	return CRMW_OK;
}

int stats_cmp(const void *a, const void *b)
{
	return strcmp(((const fam_stats *)a)->name, ((const fam_stats *)b)->name);
}

static void stats_print(stats *t, bool as_json, double secs)
{
	qsort(t->rows, t->n, sizeof *t->rows, stats_cmp);
	fam_stats all = {"all", 0, 0, 0, 0, 0, 0, 0, 0, 0};
	for (size_t i = 0; i < t->n; i++) {
		const fam_stats *r = &t->rows[i];
		all.tasks += r->tasks;
		all.solved += r->solved;
		all.wrong += r->wrong;
		all.abstained += r->abstained;
		all.plans += r->plans;
		all.mem_hits += r->mem_hits;
		all.turns += r->turns;
		all.score += r->score;
		all.ms += r->ms;
	}
	if (as_json) {
		json_t *fams = json_object();
		for (size_t i = 0; i < t->n; i++) {
			const fam_stats *r = &t->rows[i];
			json_object_set_new(fams, r->name,
					    json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "tasks",
						      (json_int_t)r->tasks, "score", r->tasks ? r->score / (double)r->tasks : 0.0,
						      "solved", (json_int_t)r->solved, "wrong", (json_int_t)r->wrong,
						      "abstained", (json_int_t)r->abstained, "plans", (json_int_t)r->plans,
						      "memory_hits", (json_int_t)r->mem_hits, "mean_turns",
						      r->tasks ? (double)r->turns / (double)r->tasks : 0.0, "mean_ms",
						      r->tasks ? r->ms / (double)r->tasks : 0.0));
		}
		json_t *o = json_pack("{s:o, s:I, s:f, s:I, s:I, s:I, s:I}", "families", fams, "tasks", (json_int_t)all.tasks,
				      "score", all.tasks ? all.score / (double)all.tasks : 0.0, "solved",
				      (json_int_t)all.solved, "wrong", (json_int_t)all.wrong, "abstained",
				      (json_int_t)all.abstained, "plans", (json_int_t)all.plans);
		if (secs >= 0)
			json_object_set_new(o, "seconds", json_real(secs));
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(o);
		return;
	}
	printf("%-32s %5s %6s %8s %5s %8s %5s %7s %6s %9s\n", "family", "tasks", "solved", "accuracy", "wrong",
	       "abstain", "plans", "memhits", "turns", "ms/task");
	for (size_t i = 0; i <= t->n; i++) {
		const fam_stats *r = i < t->n ? &t->rows[i] : &all;
		if (i == t->n)
			printf("%.*s\n", 97, "-------------------------------------------------------------------------------"
					     "--------------------------------");
		double n = r->tasks ? (double)r->tasks : 1.0;
		printf("%-32.32s %5lld %6lld %8.3f %5lld %8lld %5lld %7lld %6.1f %9.1f\n", r->name, (long long)r->tasks,
		       (long long)r->solved, r->score / n, (long long)r->wrong, (long long)r->abstained,
		       (long long)r->plans, (long long)r->mem_hits, (double)r->turns / n, r->ms / n);
	}
	if (secs >= 0)
		printf("%lld episodes in %.2f s\n", (long long)all.tasks, secs);
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"trajectories", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	bool as_json = false;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			path = optarg;
			break;
		case 'j':
			as_json = true;
			break;
		case 'h':
			eval_usage(stdout);
			return CLI_OK;
		default:
			return cli_bad_option("eval", argv);
		}
	}
	if (!path && optind < argc)
		path = argv[optind++];
	if (optind < argc)
		return cli_error(CLI_USAGE, "eval: unexpected argument '%s' (see crmweaver eval --help)", argv[optind]);
	if (!path)
		return cli_error(CLI_USAGE, "eval: --trajectories TRAJ.jsonl is required (see crmweaver eval --help)");
	FILE *f = fopen(path, "r");
	if (!f)
		return cli_error(CLI_FAIL, "eval: cannot open '%s'", path);
	stats st = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0;
	int rc = CLI_OK;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		json_error_t je;
		json_t *t = json_loadb(line, (size_t)n, 0, &je);
		if (!json_is_object(t)) {
			rc = cli_error(CLI_FAIL, "eval: %s line %lld is not a trajectory object: %s", path,
				       (long long)lineno, t ? "not an object" : je.text);
			json_decref(t);
			break;
		}
		if (stats_add(&st, t)) {
			json_decref(t);
			rc = cli_error(CLI_FAIL, "eval: out of memory");
			break;
		}
		json_decref(t);
	}
	free(line);
	fclose(f);
	if (rc == CLI_OK)
		stats_print(&st, as_json, -1);
	free(st.rows);
	return rc;
}

/* ------------------------------------------------------------------- run */

typedef struct run_ctx {
	const char *db_path;
	crmw_task_set *ts;
	crmw_backend backend; /* installed with destroy = NULL on every agent */
	crmw_memory *mem;
	const crmw_role *role; /* every episode's, NULL: none (internal access) */
	const char *agent_opts;
	char **out;    /* one trajectory per task */
	int *failed;   /* the run itself failed (not the episode) */
	char **errors; /* its message */
	atomic_llong next, done;
	int64_t total;  /* episodes: tasks x group */
	int64_t group;  /* episodes per task */
	bool progress;
	pthread_mutex_t mu; /* the progress line */
} run_ctx;

static void progress(run_ctx *c)
{
	if (!c->progress)
		return;
	long long d = atomic_fetch_add(&c->done, 1) + 1;
	pthread_mutex_lock(&c->mu);
	int width = 30, fill = (int)(d * width / (c->total ? c->total : 1));
	fprintf(stderr, "\r  running [%.*s%*s] %lld/%lld", fill, "##############################", width - fill, "", d,
		(long long)c->total);
	if (d == c->total)
		fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&c->mu);
}

static void *worker(void *arg)
{
	run_ctx *c = arg;
	crmw_db *db = NULL;
	crmw_agent *a = NULL;
	char why[600] = "";
	int rc = crmw_db_open(&db, c->db_path, CRMW_DB_READONLY);
	if (rc)
		snprintf(why, sizeof why, "opening the org: %s", crmw_last_error());
	if (!rc && (rc = crmw_agent_new(&a, db, c->agent_opts)))
		snprintf(why, sizeof why, "agent options: %s", crmw_last_error());
	if (!rc && (rc = crmw_agent_set_backend(a, &c->backend)))
		snprintf(why, sizeof why, "backend: %s", crmw_agent_errmsg(a));
	if (!rc && c->mem && (rc = crmw_agent_set_memory(a, c->mem)))
		snprintf(why, sizeof why, "memory: %s", crmw_agent_errmsg(a));
	if (!rc && (rc = crmw_agent_set_role(a, c->role)))
		snprintf(why, sizeof why, "role: %s", crmw_agent_errmsg(a));
	crmw_buf task = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	for (;;) {
		long long i = atomic_fetch_add(&c->next, 1);
		if (i >= c->total)
			break;
		if (rc) {
			c->failed[i] = 1;
			c->errors[i] = strdup(why);
			progress(c);
			continue;
		}
		int r = crmw_task_set_get(&task, c->ts, i / c->group);
		char opts[400] = "";
		if (!r && c->group > 1) { /* "<task id>#g<k>": the group's episodes */
			json_t *tj = json_loadb(task.data, task.len, 0, NULL);
			const json_t *id = json_object_get(tj, "id");
			json_t *o = json_pack("{s:s+}", "episode_id", json_is_string(id) ? json_string_value(id) : "task", "#g");
			if (o) {
				char k[320];
				snprintf(k, sizeof k, "%.280s%lld", json_string_value(json_object_get(o, "episode_id")),
					 (long long)(i % c->group));
				json_object_set_new(o, "episode_id", json_string(k));
				char *ot = json_dumps(o, JSON_COMPACT);
				snprintf(opts, sizeof opts, "%s", ot ? ot : "");
				free(ot);
			}
			json_decref(o);
			json_decref(tj);
		}
		r = r ? r : crmw_agent_run(&out, a, task.data, opts[0] ? opts : NULL);
		/* An episode that ended badly still has its trajectory. */
		if (out.len > 0)
			c->out[i] = strdup(out.data);
		if (r && r != CRMW_EUSER) {
			c->failed[i] = 1;
			c->errors[i] = strdup(crmw_last_error());
		}
		out.len = 0;
		progress(c);
	}
	crmw_buf_dispose(&task);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	crmw_db_free(db);
	return NULL;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The backend named on the command line; reports its own errors. */
static int make_backend(crmw_backend *out, const char *name, crmw_memory *mem, const char *db_path,
			const char *replay, const char *url, const char *model, const char *key_env,
			const char *policy_opts, crmw_db **gold_db)
{
	int rc;
	crmw_backend http = {0};
	bool have_http = false;
	if (url || model) {
		if (!url || !model)
			return cli_error(CLI_USAGE, "run: --model-url and --model go together");
		json_t *o = json_pack("{s:s, s:s}", "base_url", url, "model", model);
		if (o && key_env)
			json_object_set_new(o, "api_key_env", json_string(key_env));
		char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		rc = t ? crmw_backend_openai_http(&http, t) : CRMW_ENOMEM;
		free(t);
		if (rc)
			return cli_lib_error(rc, "run: HTTP backend");
		have_http = true;
	}
	if (strcmp(name, "http") == 0) {
		if (!have_http)
			return cli_error(CLI_USAGE, "run: --backend http needs --model-url URL and --model NAME");
		*out = http;
		return CLI_OK;
	}
	if (strcmp(name, "memory") == 0) {
		if (!mem) {
			crmw_backend_dispose(&http);
			return cli_error(CLI_USAGE, "run: --backend memory needs --memory MEM.db");
		}
		/* the policy takes the HTTP table over, also when it fails */
		rc = crmw_backend_memory_policy(out, mem, have_http ? &http : NULL, policy_opts);
		return rc ? cli_lib_error(rc, "run: memory policy") : CLI_OK;
	}
	crmw_backend_dispose(&http);
	if (have_http)
		return cli_error(CLI_USAGE, "run: --model-url applies to --backend http and memory only");
	if (strcmp(name, "replay") == 0) {
		if (!replay)
			return cli_error(CLI_USAGE, "run: --backend replay needs --replay TRAJ.jsonl");
		rc = crmw_backend_replay(out, replay, NULL);
		return rc ? cli_lib_error(rc, "run: replay backend") : CLI_OK;
	}
	if (strcmp(name, "gold") == 0) {
		rc = crmw_db_open(gold_db, db_path, CRMW_DB_READONLY);
		rc = rc ? rc : crmw_backend_gold(out, *gold_db, NULL);
		return rc ? cli_lib_error(rc, "run: gold backend") : CLI_OK;
	}
	return cli_error(CLI_USAGE, "run: unknown backend '%s' (memory, http, replay or gold)", name);
}

/* The agent options: --agent's object with --write-memory folded in. */
static char *agent_options(const char *user, bool write_memory, bool has_memory)
{
	(void)has_memory;
	json_error_t je;
	json_t *o = user ? json_loads(user, 0, &je) : json_object();
	if (!json_is_object(o)) {
		json_decref(o);
		cli_error(CLI_USAGE, "run: --agent must be a JSON object");
		return NULL;
	}
	if (write_memory) {
		json_t *m = json_object_get(o, "memory");
		if (!m) {
			m = json_object();
			json_object_set_new(o, "memory", m);
		}
		if (write_memory)
			json_object_set_new(m, "write", json_true());
	}
	char *t = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return t;
}

/* Group statistics into every trajectory of each task's group. */
static void add_group_stats(run_ctx *c)
{
	int64_t ntasks = c->total / c->group;
	double *rewards = calloc((size_t)c->group, sizeof *rewards), *adv = calloc((size_t)c->group, sizeof *adv);
	json_t **tr = calloc((size_t)c->group, sizeof *tr);
	for (int64_t t = 0; rewards && adv && tr && t < ntasks; t++) {
		for (int64_t k = 0; k < c->group; k++) {
			const char *line = c->out[t * c->group + k];
			tr[k] = line ? json_loads(line, 0, NULL) : NULL;
			rewards[k] = json_number_value(json_object_get(tr[k], "reward"));
		}
		crmw_buf st = CRMW_BUF_INIT;
		crmw_group_stats(&st, adv, rewards, (int32_t)c->group);
		json_t *g = json_loads(st.data ? st.data : "{}", 0, NULL);
		crmw_buf_dispose(&st);
		for (int64_t k = 0; k < c->group; k++) {
			if (!tr[k])
				continue;
			json_object_set_new(tr[k], "group",
					    json_pack("{s:O, s:I, s:I, s:O, s:O, s:f}", "id", json_object_get(tr[k], "task_id"),
						      "size", (json_int_t)c->group, "index", (json_int_t)k, "reward_mean",
						      json_object_get(g, "mean"), "reward_std", json_object_get(g, "std"),
						      "advantage", adv[k]));
			char *line = json_dumps(tr[k], JSON_COMPACT);
			if (line) {
				free(c->out[t * c->group + k]);
				c->out[t * c->group + k] = line;
			}
			json_decref(tr[k]);
		}
		json_decref(g);
	}
	free(rewards);
	free(adv);
	free(tr);
}

/* A solved episode as a chat fine-tuning line: {"messages", "tools"}; NULL
 * for the others. */
static char *sft_line(const json_t *t)
{
	if (json_number_value(json_object_get(t, "reward")) < 1.0)
		return NULL;
	json_t *o = json_pack("{s:O, s:O}", "messages", json_object_get(t, "messages"), "tools", json_object_get(t, "tools"));
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static int run_main(int argc, char **argv, bool rollout)
{
	const char *cmd = rollout ? "rollout" : "run";
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"tasks", required_argument, NULL, 't'},
		{"backend", required_argument, NULL, 'b'},
		{"split", required_argument, NULL, 's'},
		{"families", required_argument, NULL, 'f'},
		{"memory", required_argument, NULL, 'm'},
		{"write-memory", no_argument, NULL, 'w'},
		{"replay", required_argument, NULL, 'r'},
		{"model-url", required_argument, NULL, 'u'},
		{"model", required_argument, NULL, 'M'},
		{"api-key-env", required_argument, NULL, 'k'},
		{"policy", required_argument, NULL, 'p'},
		{"agent", required_argument, NULL, 'a'},
		{"jobs", required_argument, NULL, 'J'},
		{"json", no_argument, NULL, 'j'},
		{"output", required_argument, NULL, 'o'},
		{"group", required_argument, NULL, 'g'},
		{"memory-policy", required_argument, NULL, 'P'},
		{"format", required_argument, NULL, 'F'},
		{"role", required_argument, NULL, CLI_OPT_ROLE},
		{"bind", required_argument, NULL, CLI_OPT_BIND},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *mem_policy = NULL, *format = "trajectory";
	int64_t group = rollout ? 4 : 1;
	const char *db_path = NULL, *tasks_path = NULL, *backend = NULL, *split = NULL, *families = NULL;
	const char *mem_path = NULL, *replay = NULL, *url = NULL, *model = NULL, *key_env = NULL;
	const char *policy = NULL, *agent_user = NULL, *out_path = NULL;
	bool write_memory = false, as_json = false;
	int64_t jobs = 1;
	cli_role_opts ro = {0};
	int c, rrc;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:t:b:s:f:m:wr:u:M:k:p:a:J:jo:g:P:F:h", longopts, NULL)) != -1) {
		if (cli_role_arg(&ro, cmd, c, optarg, &rrc)) {
			if (rrc)
				return rrc;
			continue;
		}
		switch (c) {
		case 'd': db_path = optarg; break;
		case 't': tasks_path = optarg; break;
		case 'b': backend = optarg; break;
		case 's': split = optarg; break;
		case 'f': families = optarg; break;
		case 'm': mem_path = optarg; break;
		case 'w': write_memory = true; break;
		case 'r': replay = optarg; break;
		case 'u': url = optarg; break;
		case 'M': model = optarg; break;
		case 'k': key_env = optarg; break;
		case 'p': policy = optarg; break;
		case 'a': agent_user = optarg; break;
		case 'J':
			if (cli_parse_count(cmd, "--jobs", optarg, &jobs))
				return CLI_USAGE;
			break;
		case 'g':
			if (!rollout)
				return cli_error(CLI_USAGE, "run: --group belongs to crmweaver rollout");
			if (cli_parse_count(cmd, "--group", optarg, &group))
				return CLI_USAGE;
			break;
		case 'P': mem_policy = optarg; break;
		case 'F': format = optarg; break;
		case 'j': as_json = true; break;
		case 'o': out_path = optarg; break;
		case 'h':
			(rollout ? rollout_usage : run_usage)(stdout);
			return CLI_OK;
		default:
			return cli_bad_option(cmd, argv);
		}
	}
	if (optind < argc)
		return cli_error(CLI_USAGE, "run: unexpected argument '%s' (see crmweaver run --help)", argv[optind]);
	if (!db_path || !tasks_path || !backend || !out_path)
		return cli_error(CLI_USAGE, "run: --db, --tasks, --backend and -o are required (see crmweaver run --help)");
	if (jobs < 1 || jobs > 256)
		return cli_error(CLI_USAGE, "run: --jobs must be 1 to 256");
	if (group < 1 || group > 1024)
		return cli_error(CLI_USAGE, "rollout: --group must be 1 to 1024");
	if (strcmp(format, "trajectory") != 0 && strcmp(format, "sft") != 0)
		return cli_error(CLI_USAGE, "%s: --format must be trajectory or sft", cmd);
	if (mem_policy) {
		if (strcmp(mem_policy, "off") != 0 && strcmp(mem_policy, "retrieve") != 0 && strcmp(mem_policy, "write") != 0)
			return cli_error(CLI_USAGE, "%s: --memory-policy must be off, retrieve or write", cmd);
		if (strcmp(mem_policy, "write") == 0)
			write_memory = true;
	}
	if (write_memory && !mem_path)
		return cli_error(CLI_USAGE, "%s: --write-memory (or --memory-policy write) needs --memory MEM.db", cmd);

	/* the role, made once on a connection of its own and shared by the
	 * workers' agents (a role holds no connection) */
	crmw_role *role = NULL;
	if (ro.spec || ro.nbinds) {
		crmw_db *rdb = NULL;
		int lrc = crmw_db_open(&rdb, db_path, CRMW_DB_READONLY);
		if (lrc)
			return cli_lib_error(lrc, db_path);
		int crc = cli_make_role(&role, rdb, cmd, &ro);
		crmw_db_free(rdb);
		if (crc)
			return crc;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	crmw_task_set *all = NULL, *ts = NULL;
	int rc = crmw_task_set_load(&all, tasks_path);
	if (rc) {
		crmw_role_free(role);
		return cli_lib_error(rc, "run: loading the tasks");
	}
	if (split || families) {
		json_t *f = json_object();
		if (split)
			json_object_set_new(f, "split", json_string(split));
		if (families)
			json_object_set_new(f, "families", json_string(families));
		char *ft = json_dumps(f, JSON_COMPACT);
		json_decref(f);
		rc = ft ? crmw_task_set_select(&ts, all, ft) : CRMW_ENOMEM;
		free(ft);
		crmw_task_set_free(all);
		if (rc) {
			crmw_role_free(role);
			return cli_lib_error(rc, "run: selecting tasks");
		}
	} else {
		ts = all;
	}
	crmw_memory *mem = NULL;
	if (mem_path && (rc = crmw_memory_open(&mem, mem_path, NULL))) {
		crmw_task_set_free(ts);
		crmw_role_free(role);
		return cli_lib_error(rc, "run: opening the memory");
	}
	run_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	crmw_db *gold_db = NULL;
	int crc = make_backend(&ctx.backend, backend, mem, db_path, replay, url, model, key_env, policy, &gold_db);
	char *agent_opts = crc == CLI_OK ? agent_options(agent_user, write_memory, mem != NULL) : NULL;
	if (crc != CLI_OK || !agent_opts) {
		crmw_backend_dispose(&ctx.backend);
		crmw_db_free(gold_db);
		crmw_memory_free(mem);
		crmw_task_set_free(ts);
		crmw_role_free(role);
		return crc != CLI_OK ? crc : CLI_USAGE;
	}
	ctx.db_path = db_path;
	ctx.role = role;
	ctx.ts = ts;
	ctx.mem = mem;
	ctx.agent_opts = agent_opts;
	if (mem_policy && strcmp(mem_policy, "off") == 0 && strcmp(backend, "memory") != 0)
		ctx.mem = NULL; /* the agents go without it */
	ctx.group = group;
	ctx.total = crmw_task_set_count(ts) * group;
	ctx.out = calloc((size_t)ctx.total + 1, sizeof *ctx.out);
	ctx.errors = calloc((size_t)ctx.total + 1, sizeof *ctx.errors);
	ctx.failed = calloc((size_t)ctx.total + 1, sizeof *ctx.failed);
	ctx.progress = isatty(2) && !as_json;
	pthread_mutex_init(&ctx.mu, NULL);
	crmw_free_fn destroy = ctx.backend.destroy;
	ctx.backend.destroy = NULL; /* shared by the agents; released below */
	if (jobs > ctx.total)
		jobs = ctx.total > 0 ? ctx.total : 1;
	pthread_t th[256];
	int started = 0;
	for (int i = 0; i < jobs && ctx.out && ctx.errors && ctx.failed; i++)
		if (pthread_create(&th[i], NULL, worker, &ctx) == 0)
			started++;
	if (started == 0 && ctx.out && ctx.errors && ctx.failed)
		worker(&ctx);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	ctx.backend.destroy = destroy;
	crmw_backend_dispose(&ctx.backend);
	if (ctx.out && group > 1)
		add_group_stats(&ctx);
	double secs = seconds_since(&t0);

	int result = CLI_OK;
	FILE *f = ctx.out ? fopen(out_path, "w") : NULL;
	if (!f)
		result = cli_error(CLI_FAIL, "run: cannot write '%s': %s", out_path, strerror(errno));
	stats st = {0};
	int64_t failures = 0;
	for (int64_t i = 0; i < ctx.total && ctx.out; i++) {
		if (ctx.failed[i]) {
			if (failures++ == 0)
				cli_error(CLI_FAIL, "run: task %lld: %s", (long long)i, ctx.errors[i] ? ctx.errors[i] : "failed");
		}
		if (!ctx.out[i])
			continue;
		json_t *t = json_loads(ctx.out[i], 0, NULL);
		char *sft = t && strcmp(format, "sft") == 0 ? sft_line(t) : NULL;
		if (f && strcmp(format, "sft") != 0)
			fprintf(f, "%s\n", ctx.out[i]);
		else if (f && sft)
			fprintf(f, "%s\n", sft);
		free(sft);
		if (t)
			stats_add(&st, t);
		json_decref(t);
	}
	if (f && (ferror(f) | fclose(f)) != 0)
		result = cli_error(CLI_FAIL, "run: writing '%s' failed: %s", out_path, strerror(errno));
	if (failures > 0)
		result = cli_error(CLI_FAIL, "run: %lld of %lld tasks could not run", (long long)failures, (long long)ctx.total);
	if ((result == CLI_OK || st.n > 0) && !run_quiet)
		stats_print(&st, as_json, secs);
	for (int64_t i = 0; i < ctx.total && ctx.out; i++) {
		free(ctx.out[i]);
		free(ctx.errors[i]);
	}
	free(ctx.out);
	free(ctx.errors);
	free(ctx.failed);
	free(st.rows);
	pthread_mutex_destroy(&ctx.mu);
	free(agent_opts);
	crmw_db_free(gold_db);
	crmw_memory_free(mem);
	crmw_task_set_free(ts);
	crmw_role_free(role);
	return result;
}

int cmd_run(int argc, char **argv)
{
	return run_main(argc, argv, false);
}

int cmd_rollout(int argc, char **argv)
{
	return run_main(argc, argv, true);
}
