/*
 * crmweaver run / rollout: run an agent over a task file with a built-in
 * backend (memory policy, HTTP model, replay, gold), in parallel.  Each
 * trajectory is appended to the output as its episode ends (one write per
 * line); a finished run is rewritten in task order.  SIGINT and SIGTERM let
 * the episodes in flight finish for a grace period, then stop with a summary;
 * --resume runs only the episodes a file does not hold yet.  Backend errors
 * are counted, summarised on stderr and can fail the run; an HTTP server is
 * checked by one request before the run, and K connection failures in a row
 * stop it.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver run --db ORG.db --tasks TASKS.json --backend memory|http|replay|gold\n"
		"                     [--split train|test|holdout] [--families a,b] [--task-id ID[,ID]]...\n"
		"                     [--memory MEM.db] [--write-memory] [--replay TRAJ.jsonl]\n"
		"                     [--model-url URL --model NAME] [--api-key-env VAR] [HTTP options]\n"
		"                     [--policy JSON] [--agent JSON] [--role ROLE [--bind KEY=VALUE]...]\n"
		"                     [--format trajectory|sft] [--sft-arguments string|object]\n"
		"                     [--sft-tools inline|header|side] [--resume] [--grace SECONDS]\n"
		"                     [--dry-run] [--no-preflight] [--stop-after K] [--error-threshold X]\n"
		"                     [--jobs N] [--json] -o TRAJ.jsonl\n"
		"\n"
		"Runs one agent episode per task and writes the trajectories (JSONL) and a per-family\n"
		"table (as `crmweaver eval`).  Backends:\n"
		"  memory  the memory policy: replays plans of solved tasks from --memory, no model;\n"
		"          it abstains when no plan fits, or, with --model-url, hands the task to\n"
		"          that model (a plan cache in front of a model)\n"
		"  http    an OpenAI-compatible server: --model-url http://HOST:PORT/v1 --model NAME\n"
		"          (the key, if any, from the environment variable named by --api-key-env)\n"
		"  replay  the assistant messages of a trajectory file (--replay)\n"
		"  gold    each task's own gold program: to build memories and SFT data, never to\n"
		"          evaluate\n"
		"\n"
		"Tasks: --split, --families and --task-id pick them; a name the task file does not have\n"
		"is an error, and so is a selection without a task.\n"
		"\n"
		"Output: each trajectory is appended to TRAJ.jsonl as its episode ends; when every\n"
		"episode has ended the file is rewritten in task order, and TRAJ.jsonl.meta.json holds\n"
		"the run's metadata (backend, model, task file, selection, version, dates).\n"
		"  --resume          keep the episodes TRAJ.jsonl holds (checked against the task file\n"
		"                    and the selection) and run the others, and again those that ended\n"
		"                    on a backend error\n"
		"  --grace SECONDS   on SIGINT or SIGTERM, let the episodes in flight finish for this\n"
		"                    long (default 30; a second signal stops at once), then stop: the\n"
		"                    file holds every finished episode, --resume runs the rest; the exit\n"
		"                    status is 130 (SIGINT) or 143 (SIGTERM)\n"
		"\n"
		"Backend errors (the model server failed; the episode has no answer) are a column of the\n"
		"table and one line on stderr counting each distinct error.\n"
		"  --error-threshold X  exit 1 when at least this share of the episodes ended on a\n"
		"                    backend error (default 1: only when every one did)\n"
		"  --stop-after K    stop the run after K episodes in a row failed to reach the server\n"
		"                    (connection refused, timeouts; default 3, 0: never)\n"
		"  --no-preflight    skip the one-token request that checks an HTTP server and model\n"
		"                    before the run\n"
		"  --dry-run         print the first request (for HTTP: method, URL, headers and body)\n"
		"                    and exit, sending nothing\n"
		"\n"
		"HTTP options (docs/backend-http.md), for --backend http and memory with --model-url:\n"
		"  --temperature X  --top-p X  --seed N  --timeout-ms N  --connect-timeout-ms N\n"
		"  --max-retries N  --backoff-ms N  --backoff-max-ms N  --extra-body JSON\n"
		"  --embed-model NAME --embed-dim N     the server's embeddings for the memory\n"
		"  --requests-per-minute N  --tokens-per-minute N   a client-side rate limit over every\n"
		"                    job (a Retry-After holds back every request until it passed)\n"
		"\n"
		"Memory: without --write-memory the store is opened read-only and must exist (nothing\n"
		"in it changes, counters included); --write-memory creates it when missing and lets\n"
		"successful episodes write guidelines (with plans) into it.\n"
		"--policy and --agent take option objects (docs/backends.md, docs/agent.md).\n"
		"--format sft writes only the solved episodes, as chat fine-tuning lines\n"
		"{\"messages\", \"tools\"} (the trajectories go to TRAJ.jsonl.journal.jsonl until the run\n"
		"ends); --sft-arguments object writes tool-call arguments as JSON objects instead of\n"
		"strings; --sft-tools header writes the tools once as a first line {\"tools\": [...]},\n"
		"side writes them once to TRAJ.jsonl.tools.json (a line whose tools differ keeps its own).\n"
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
		"  crmweaver run --db org.db --tasks tasks.json --backend http --jobs 4 \\\n"
		"                --model-url http://127.0.0.1:8080/v1 --model qwen3 --temperature 0.6 \\\n"
		"                --extra-body '{\"chat_template_kwargs\": {\"enable_thinking\": false}}' \\\n"
		"                --requests-per-minute 60 -o model.jsonl\n"
		"  crmweaver run ... -o model.jsonl --resume          # after Ctrl-C: the other episodes\n"
		"  crmweaver run --db org.db --tasks tasks.json --backend replay --replay model.jsonl \\\n"
		"                --role tier1.json --bind user_id=005... -o tier1.jsonl\n");
}

static void rollout_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver rollout --db ORG.db --tasks TASKS.json --backend memory|http|replay|gold\n"
		"                         [--group N] [--split S] [--families a,b] [--task-id ID] [--memory MEM.db]\n"
		"                         [--memory-policy off|retrieve|write] [--model-url URL --model NAME]\n"
		"                         [HTTP options] [--format trajectory|sft] [--agent JSON]\n"
		"                         [--role ROLE [--bind KEY=VALUE]...] [--resume] [--jobs N] [--json]\n"
		"                         -o TRAJ.jsonl\n"
		"\n"
		"Grouped rollouts for GRPO-style training: N episodes of every task (episode ids\n"
		"<task id>#g0 .. #g<N-1>), each trajectory with its group's statistics:\n"
		"  \"group\": {\"id\", \"size\", \"index\", \"reward_mean\", \"reward_std\", \"advantage\"}\n"
		"where advantage = (reward - mean) / (std + 1e-6), 0 when the group agrees (added when\n"
		"the file is rewritten in task order at the end).  With --memory, --memory-policy\n"
		"retrieve (the default) puts guidelines in the prompts and moves their counters; write\n"
		"also writes guidelines back from solved episodes (a solved group corroborates one plan);\n"
		"off leaves the store alone.  --format sft writes the solved episodes as chat fine-tuning\n"
		"lines {\"messages\", \"tools\"} (with --backend gold: SFT warm-up data).  Every other\n"
		"option (the HTTP options, --resume, --grace, --dry-run, --stop-after, the SFT options)\n"
		"as in crmweaver run.\n"
		"\n"
		"examples:\n"
		"  crmweaver rollout --db org.db --tasks tasks.json --split train --group 8 --backend http \\\n"
		"                    --model-url http://127.0.0.1:8000/v1 --model policy -o rollouts.jsonl\n"
		"  crmweaver rollout --db org.db --tasks tasks.json --split train --group 1 --backend gold \\\n"
		"                    --format sft --sft-arguments object --sft-tools side -o sft.jsonl\n");
}

int run_quiet;

/* ------------------------------------------------------------- options */

enum {
	O_TASK_ID = 0x200, O_RESUME, O_GRACE, O_DRY_RUN, O_NO_PREFLIGHT, O_STOP_AFTER, O_ERR_THRESHOLD,
	O_TEMPERATURE, O_TOP_P, O_SEED, O_TIMEOUT, O_CONNECT_TIMEOUT, O_MAX_RETRIES, O_BACKOFF, O_BACKOFF_MAX,
	O_EXTRA_BODY, O_RPM, O_TPM, O_EMBED_MODEL, O_EMBED_DIM, O_SFT_ARGS, O_SFT_TOOLS,
};

typedef struct run_opts {
	bool rollout;
	const char *cmd;
	const char *db_path, *tasks_path, *backend, *split, *families, *mem_path, *replay, *url, *model, *key_env;
	const char *policy, *agent_user, *out_path, *mem_policy, *format, *sft_args, *sft_tools;
	json_t *ids;  /* --task-id values, in order */
	json_t *http; /* the HTTP options given on the command line (without base_url, model) */
	int64_t jobs, group, stop_after;
	double grace_s, error_threshold;
	bool write_memory, as_json, resume, dry_run, preflight;
	cli_role_opts ro;
} run_opts;

/* A number in [lo, hi] for option `what`; reports its own error. */
static int parse_real(const char *cmd, const char *what, const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return cli_error(CLI_USAGE, "%s: %s must be a number from %g to %g, not '%s'", cmd, what, lo, hi, s);
	*out = v;
	return CLI_OK;
}

/* An HTTP option: a whole number in [lo, hi] under `key`. */
static int http_int(run_opts *o, const char *key, const char *what, const char *s, int64_t lo, int64_t hi)
{
	int64_t v;
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		return cli_error(CLI_USAGE, "%s: %s must be a whole number from %lld to %lld, not '%s'", o->cmd, what,
				 (long long)lo, (long long)hi, s);
	v = x;
	json_object_set_new(o->http, key, json_integer(v));
	return CLI_OK;
}

static int http_real(run_opts *o, const char *key, const char *what, const char *s, double lo, double hi)
{
	double v;
	if (parse_real(o->cmd, what, s, lo, hi, &v))
		return CLI_USAGE;
	json_object_set_new(o->http, key, json_real(v));
	return CLI_OK;
}

/* --task-id A,B (repeatable): every id once, in order. */
static int add_ids(run_opts *o, const char *s)
{
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 0)
			return cli_error(CLI_USAGE, "%s: --task-id has an empty id in '%s'", o->cmd, s);
		json_t *id = json_stringn(p, n);
		if (!id)
			return cli_error(CLI_USAGE, "%s: --task-id '%s' is not UTF-8", o->cmd, s);
		json_array_append_new(o->ids, id);
		p += n;
		if (*p == ',')
			p++;
	}
	return CLI_OK;
}

/* ------------------------------------------------------------ the tasks */

/* The tasks of the selection, with every name checked against the file:
 * an unknown split, family or task id is a usage error, an empty selection
 * a failure.  Reports its own errors. */
static int select_tasks(crmw_task_set **out, crmw_task_set *all, const run_opts *o)
{
	*out = NULL;
	int64_t n = crmw_task_set_count(all);
	json_t *tasks = json_array(), *splits = json_object(), *fams = json_object(), *ids = json_object();
	int rc = tasks && splits && fams && ids ? CLI_OK : cli_error(CLI_FAIL, "%s: out of memory", o->cmd);
	crmw_buf b = CRMW_BUF_INIT;
	for (int64_t i = 0; rc == CLI_OK && i < n; i++) {
		json_t *t = crmw_task_set_get(&b, all, i) == CRMW_OK ? json_loadb(b.data, b.len, 0, NULL) : NULL;
		if (!t) {
			rc = cli_error(CLI_FAIL, "%s: reading task %lld failed", o->cmd, (long long)i);
			break;
		}
		const char *s = json_string_value(json_object_get(t, "split"));
		const char *f = json_string_value(json_object_get(t, "family"));
		const char *id = json_string_value(json_object_get(t, "id"));
		json_object_set_new(splits, s ? s : "", json_true());
		json_object_set_new(fams, f ? f : "", json_true());
		if (id)
			json_object_set_new(ids, id, json_true());
		json_array_append_new(tasks, t);
	}
	crmw_buf_dispose(&b);
	if (rc == CLI_OK && o->split && strcmp(o->split, "train") && strcmp(o->split, "test") && strcmp(o->split, "holdout"))
		rc = cli_error(CLI_USAGE, "%s: unknown split '%s' (train, test or holdout)", o->cmd, o->split);
	if (rc == CLI_OK && o->split && !json_object_get(splits, o->split)) {
		char have[300] = "";
		const char *k;
		json_t *v;
		json_object_foreach(splits, k, v) if (*k) snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s",
								     have[0] ? ", " : "", k);
		rc = cli_error(CLI_USAGE, "%s: %s has no task of split '%s' (it has: %s)", o->cmd, o->tasks_path, o->split,
			       have[0] ? have : "no split at all");
	}
	json_t *want_fams = json_object();
	for (const char *p = o->families; rc == CLI_OK && p && *p;) {
		size_t k = strcspn(p, ",");
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(k < 127 ? k : 127), p);
		if (k == 0 || !json_object_get(fams, name))
			rc = cli_error(CLI_USAGE, "%s: %s has no task of family '%s' (crmweaver tasks families lists them)",
				       o->cmd, o->tasks_path, name);
		json_object_set_new(want_fams, name, json_true());
		p += k;
		if (*p == ',')
			p++;
	}
	size_t i;
	json_t *v;
	json_array_foreach(o->ids, i, v) {
		if (rc == CLI_OK && !json_object_get(ids, json_string_value(v)))
			rc = cli_error(CLI_USAGE, "%s: %s has no task with id '%s'", o->cmd, o->tasks_path, json_string_value(v));
	}
	json_t *picked = json_array();
	json_array_foreach(tasks, i, v) {
		if (rc != CLI_OK)
			break;
		const char *s = json_string_value(json_object_get(v, "split"));
		const char *f = json_string_value(json_object_get(v, "family"));
		const char *id = json_string_value(json_object_get(v, "id"));
		if (o->split && (!s || strcmp(s, o->split)))
			continue;
		if (o->families && (!f || !json_object_get(want_fams, f)))
			continue;
		bool in = json_array_size(o->ids) == 0;
		size_t k;
		json_t *w;
		json_array_foreach(o->ids, k, w) in = in || (id && strcmp(id, json_string_value(w)) == 0);
		if (in)
			json_array_append(picked, v);
	}
	if (rc == CLI_OK && json_array_size(picked) == 0)
		rc = cli_error(CLI_FAIL, "%s: no task of %s matches --split, --families and --task-id together", o->cmd,
			       o->tasks_path);
	if (rc == CLI_OK) {
		char *text = json_dumps(picked, JSON_COMPACT);
		int lrc = text ? crmw_task_set_parse(out, text, strlen(text)) : CRMW_ENOMEM;
		free(text);
		if (lrc)
			rc = cli_lib_error(lrc, "selecting tasks");
	}
	json_decref(picked);
	json_decref(want_fams);
	json_decref(tasks);
	json_decref(splits);
	json_decref(fams);
	json_decref(ids);
	return rc;
}

/* FNV-1a (64 bits) over the selected tasks as the library gives them: the
 * fingerprint --resume checks the file against. */
static char *tasks_fingerprint(const crmw_task_set *ts)
{
	uint64_t h = 1469598103934665603ULL;
	crmw_buf b = CRMW_BUF_INIT;
	for (int64_t i = 0; i < crmw_task_set_count(ts); i++) {
		if (crmw_task_set_get(&b, ts, i) != CRMW_OK) {
			crmw_buf_dispose(&b);
			return NULL;
		}
		for (size_t k = 0; k <= b.len; k++) { /* the NUL separates tasks */
			h ^= (unsigned char)(k < b.len ? b.data[k] : 0);
			h *= 1099511628211ULL;
		}
	}
	crmw_buf_dispose(&b);
	char *s = malloc(32);
	if (s)
		snprintf(s, 32, "fnv1a64:%016llx", (unsigned long long)h);
	return s;
}

/* ------------------------------------------------------------------ run */

typedef struct run_ctx {
	const run_opts *o;
	const char *db_path;
	crmw_task_set *ts;
	crmw_backend backend; /* installed with destroy = NULL on every agent */
	crmw_memory *mem;
	const crmw_role *role; /* every episode's, NULL: none (internal access) */
	const char *agent_opts;
	char **task_ids;       /* per task: its id (episode ids are made from it) */
	char **out;            /* per episode: its trajectory line, NULL until it ended */
	json_t **summary;      /* per episode: summarize() of it */
	int *failed;           /* per episode: the run itself failed (not the episode) */
	char **errors;         /* its message */
	int64_t *queue;        /* the episodes to run, in order */
	int64_t nqueue;
	atomic_llong next, done;
	int64_t total, group;
	int fd;                /* the journal (TRAJ.jsonl, or its .journal.jsonl for sft) */
	int write_errno;       /* the first failed append */
	bool progress;
	pthread_mutex_t mu;    /* the journal, the progress line, the agents, the failure run */
	crmw_agent **agents;   /* per worker: its agent while it runs (canceled from main) */
	atomic_int stop;       /* take no new episode */
	int64_t consec;        /* episodes in a row that did not reach the server */
	int fast_stop;         /* --stop-after fired */
	char *stop_reason;
	int pipe_w;            /* wakes the main thread: 'w' a worker ended, 'f' fast stop */
} run_ctx;

typedef struct worker_arg {
	run_ctx *c;
	int index;
} worker_arg;

static void progress(run_ctx *c)
{
	long long d = atomic_fetch_add(&c->done, 1) + 1;
	if (!c->progress)
		return;
	pthread_mutex_lock(&c->mu);
	long long total = (long long)c->nqueue;
	int width = 30, fill = (int)(d * width / (total ? total : 1));
	fprintf(stderr, "\r  running [%.*s%*s] %lld/%lld", fill, "##############################", width - fill, "", d,
		total);
	if (d == total)
		fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&c->mu);
}

static void wake(run_ctx *c, char what)
{
	ssize_t w;
	do
		w = write(c->pipe_w, &what, 1);
	while (w < 0 && errno == EINTR);
}

/* Cancel the episodes in flight (thread-safe). */
static void cancel_all(run_ctx *c)
{
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < (int)c->o->jobs; i++)
		if (c->agents[i])
			crmw_agent_cancel(c->agents[i]);
	pthread_mutex_unlock(&c->mu);
}

/* A backend error that says the server was not reached: a transport
 * failure, after retries or not (docs/backend-http.md, "Errors"). */
static bool connection_failure(const char *e)
{
	if (!e)
		return false;
	if (strncmp(e, "the backend failed: ", 20) == 0) /* the session's words around the backend's */
		e += 20;
	if (strncmp(e, "gave up after ", 14) == 0) {
		const char *colon = strstr(e, ": ");
		e = colon ? colon + 2 : e;
	}
	return strncmp(e, "POST ", 5) == 0;
}

/* Append one line to the journal: one write(2), so that a crash leaves
 * whole lines (a torn last line is dropped by --resume). */
static void journal_append(run_ctx *c, const char *line)
{
	size_t n = strlen(line);
	char *buf = malloc(n + 1);
	if (!buf) {
		if (!c->write_errno)
			c->write_errno = ENOMEM;
		return;
	}
	memcpy(buf, line, n);
	buf[n] = '\n';
	size_t at = 0;
	while (at < n + 1) {
		ssize_t w = write(c->fd, buf + at, n + 1 - at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!c->write_errno)
				c->write_errno = w < 0 ? errno : EIO;
			break;
		}
		at += (size_t)w;
	}
	free(buf);
}

static char *episode_id(const run_ctx *c, int64_t i)
{
	const char *tid = c->task_ids[i / c->group];
	size_t n = strlen(tid) + 32;
	char *s = malloc(n);
	if (!s)
		return NULL;
	if (c->o->rollout)
		snprintf(s, n, "%s#g%lld", tid, (long long)(i % c->group));
	else
		snprintf(s, n, "%s#%lld", tid, (long long)i);
	return s;
}

/* What the table and the error summary need of a trajectory: a small
 * object (the whole parsed trajectory of every episode would not fit in
 * memory for long runs). */
static json_t *summarize(const json_t *t)
{
	const json_t *plan = json_object_get(t, "plan");
	json_t *s = json_pack("{s:O?, s:O?, s:O?, s:O?, s:b, s:[], s:O?, s:{s:O?}}", "task_family",
			      json_object_get(t, "task_family"), "reward", json_object_get(t, "reward"), "end_reason",
			      json_object_get(t, "end_reason"), "error", json_object_get(t, "error"), "has_plan",
			      plan && !json_is_null(plan), "memory_ids", "turns", json_object_get(t, "turns"), "timings_us",
			      "total", json_object_get(json_object_get(t, "timings_us"), "total"));
	if (s && json_object_get(s, "has_plan") == json_true()) /* and whether it read free-text families' rules */
		json_object_set_new(s, "plan", json_is_true(json_object_get(plan, "free_text"))
						       ? json_pack("{s:b}", "free_text", 1)
						       : json_true());
	json_object_del(s, "has_plan");
	if (s && json_array_size(json_object_get(t, "memory_ids")) > 0)
		json_array_append_new(json_object_get(s, "memory_ids"), json_integer(0));
	return s;
}

/* One episode's end: keep it, append it, count a failure run. */
static void finished(run_ctx *c, int64_t i, const char *line)
{
	json_t *t = json_loads(line, 0, NULL);
	const char *end = json_string_value(json_object_get(t, "end_reason"));
	bool canceled = end && strcmp(end, "canceled") == 0;
	if (canceled && atomic_load(&c->stop)) {
		json_decref(t); /* stopped by us: not written, --resume runs it again */
		return;
	}
	bool conn = traj_backend_error(t) && connection_failure(json_string_value(json_object_get(t, "error")));
	json_t *sum = t ? summarize(t) : NULL;
	pthread_mutex_lock(&c->mu);
	c->out[i] = strdup(line);
	c->summary[i] = sum;
	if (!c->out[i]) {
		c->failed[i] = 1;
		c->errors[i] = NULL;
	} else {
		journal_append(c, line);
	}
	c->consec = conn ? c->consec + 1 : 0;
	bool fire = conn && c->o->stop_after > 0 && c->consec >= c->o->stop_after && !c->fast_stop;
	if (fire) {
		c->fast_stop = 1;
		char msg[900];
		snprintf(msg, sizeof msg, "%lld episodes in a row did not reach the server (last: %.700s)",
			 (long long)c->consec, json_string_value(json_object_get(t, "error")));
		c->stop_reason = strdup(msg);
		atomic_store(&c->stop, 1);
	}
	pthread_mutex_unlock(&c->mu);
	json_decref(t);
	if (fire)
		wake(c, 'f');
}

static void *worker(void *arg)
{
	worker_arg *wa = arg;
	run_ctx *c = wa->c;
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
	pthread_mutex_lock(&c->mu);
	c->agents[wa->index] = a;
	pthread_mutex_unlock(&c->mu);
	crmw_buf task = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	for (;;) {
		if (atomic_load(&c->stop))
			break;
		long long k = atomic_fetch_add(&c->next, 1);
		if (k >= c->nqueue)
			break;
		int64_t i = c->queue[k];
		if (rc) {
			c->failed[i] = 1;
			c->errors[i] = strdup(why);
			progress(c);
			continue;
		}
		int r = crmw_task_set_get(&task, c->ts, i / c->group);
		char *eid = episode_id(c, i);
		json_t *eo = eid ? json_pack("{s:s}", "episode_id", eid) : NULL;
		char *opts = eo ? json_dumps(eo, JSON_COMPACT) : NULL;
		json_decref(eo);
		free(eid);
		r = r ? r : !opts ? CRMW_ENOMEM : crmw_agent_run(&out, a, task.data, opts);
		free(opts);
		/* An episode that ended badly still has its trajectory. */
		if (out.len > 0)
			finished(c, i, out.data);
		if (r && r != CRMW_EUSER) {
			c->failed[i] = 1;
			c->errors[i] = strdup(crmw_last_error());
		}
		out.len = 0;
		progress(c);
	}
	crmw_buf_dispose(&task);
	crmw_buf_dispose(&out);
	pthread_mutex_lock(&c->mu);
	c->agents[wa->index] = NULL;
	pthread_mutex_unlock(&c->mu);
	crmw_agent_free(a);
	crmw_db_free(db);
	wake(c, 'w');
	return NULL;
}

static double now_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------- signals */

static volatile sig_atomic_t got_signal;
static int signal_pipe = -1;

static void on_signal(int sig)
{
	int saved = errno;
	got_signal = sig;
	if (signal_pipe >= 0) {
		char b = 's';
		ssize_t w = write(signal_pipe, &b, 1);
		(void)w;
	}
	errno = saved;
}

/* --------------------------------------------------------- the backend */

/* The HTTP options: the command line's with base_url, model and the key. */
static char *http_options(const run_opts *o)
{
	json_t *h = json_deep_copy(o->http);
	if (!h)
		return NULL;
	json_object_set_new(h, "base_url", json_string(o->url));
	json_object_set_new(h, "model", json_string(o->model));
	if (o->key_env)
		json_object_set_new(h, "api_key_env", json_string(o->key_env));
	char *t = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	return t;
}

static bool uses_http(const run_opts *o)
{
	return o->url != NULL;
}

/* The backend named on the command line; reports its own errors. */
static int make_backend(crmw_backend *out, const run_opts *o, crmw_memory *mem, crmw_db **gold_db)
{
	int rc;
	crmw_backend http = {0};
	bool have_http = false;
	const char *cmd = o->cmd;
	if (o->url || o->model) {
		if (!o->url || !o->model)
			return cli_error(CLI_USAGE, "%s: --model-url and --model go together", cmd);
		char *t = http_options(o);
		rc = t ? crmw_backend_openai_http(&http, t) : CRMW_ENOMEM;
		free(t);
		if (rc)
			return cli_error(rc == CRMW_EINVALID ? CLI_USAGE : CLI_FAIL, "%s: HTTP backend: %s", cmd,
					 crmw_last_error());
		have_http = true;
	} else if (json_object_size(o->http) > 0) {
		return cli_error(CLI_USAGE, "%s: the HTTP options need --model-url and --model", cmd);
	}
	if (strcmp(o->backend, "http") == 0) {
		if (!have_http)
			return cli_error(CLI_USAGE, "%s: --backend http needs --model-url URL and --model NAME", cmd);
		*out = http;
		return CLI_OK;
	}
	if (strcmp(o->backend, "memory") == 0) {
		if (!mem) {
			crmw_backend_dispose(&http);
			return cli_error(CLI_USAGE, "%s: --backend memory needs --memory MEM.db", cmd);
		}
		/* the policy takes the HTTP table over, also when it fails */
		rc = crmw_backend_memory_policy(out, mem, have_http ? &http : NULL, o->policy);
		return rc ? cli_lib_error(rc, "run: memory policy") : CLI_OK;
	}
	crmw_backend_dispose(&http);
	if (have_http)
		return cli_error(CLI_USAGE, "%s: --model-url applies to --backend http and memory only", cmd);
	if (strcmp(o->backend, "replay") == 0) {
		if (!o->replay)
			return cli_error(CLI_USAGE, "%s: --backend replay needs --replay TRAJ.jsonl", cmd);
		rc = crmw_backend_replay(out, o->replay, NULL);
		return rc ? cli_lib_error(rc, "run: replay backend") : CLI_OK;
	}
	if (strcmp(o->backend, "gold") == 0) {
		rc = crmw_db_open(gold_db, o->db_path, CRMW_DB_READONLY);
		rc = rc ? rc : crmw_backend_gold(out, *gold_db, NULL);
		return rc ? cli_lib_error(rc, "run: gold backend") : CLI_OK;
	}
	return cli_error(CLI_USAGE, "%s: unknown backend '%s' (memory, http, replay or gold)", cmd, o->backend);
}

/* The agent options: --agent's object with --write-memory folded in. */
static char *agent_options(const run_opts *o, bool write_memory)
{
	json_error_t je;
	json_t *a = o->agent_user ? json_loads(o->agent_user, 0, &je) : json_object();
	if (!json_is_object(a)) {
		json_decref(a);
		cli_error(CLI_USAGE, "%s: --agent must be a JSON object", o->cmd);
		return NULL;
	}
	if (write_memory) {
		json_t *m = json_object_get(a, "memory");
		if (!json_is_object(m)) {
			m = json_object();
			json_object_set_new(a, "memory", m);
		}
		json_object_set_new(m, "write", json_true());
	}
	char *t = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return t;
}

/* ----------------------------------------------------------- outputs */

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

/* A solved episode as a chat fine-tuning line: {"messages", "tools"} (the
 * tools left out when they are `shared`); NULL for the others.  With
 * `args_object`, tool-call arguments become JSON objects. */
static char *sft_line(const json_t *t, bool args_object, const json_t *shared)
{
	if (json_number_value(json_object_get(t, "reward")) < 1.0)
		return NULL;
	json_t *msgs = json_deep_copy(json_object_get(t, "messages"));
	size_t i, k;
	json_t *m, *call;
	json_array_foreach(msgs, i, m) {
		if (!args_object)
			break;
		json_array_foreach(json_object_get(m, "tool_calls"), k, call) {
			json_t *fn = json_object_get(call, "function");
			const char *args = json_string_value(json_object_get(fn, "arguments"));
			json_t *obj = args ? json_loads(args, JSON_DECODE_ANY, NULL) : NULL;
			if (json_is_object(obj))
				json_object_set_new(fn, "arguments", obj);
			else
				json_decref(obj);
		}
	}
	const json_t *tools = json_object_get(t, "tools");
	json_t *o = json_pack("{s:o}", "messages", msgs ? msgs : json_array());
	if (o && !(shared && json_equal(tools, shared)))
		json_object_set(o, "tools", (json_t *)tools);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* Write `path` whole: a temporary file beside it, flushed, then renamed. */
static int write_whole(const char *cmd, const char *path, char **lines, int64_t n, const char *head)
{
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return cli_error(CLI_FAIL, "%s: cannot write '%s': %s", cmd, tmp, strerror(errno));
	if (head)
		fprintf(f, "%s\n", head);
	for (int64_t i = 0; i < n; i++)
		if (lines[i])
			fprintf(f, "%s\n", lines[i]);
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	int err = errno;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		err = bad ? err : errno;
		unlink(tmp);
		return cli_error(CLI_FAIL, "%s: writing '%s' failed: %s", cmd, path, strerror(err));
	}
	return CLI_OK;
}

static void iso_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The base URL without user:password@ (for the metadata). */
static json_t *shown_url(const char *url)
{
	if (!url)
		return json_null();
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	size_t auth = strcspn(host, "/");
	const char *at = memchr(host, '@', auth);
	if (!at)
		return json_string(url);
	char buf[4200];
	snprintf(buf, sizeof buf, "%.*s%s", (int)(host - url), url, at + 1);
	return json_string(buf);
}

static json_t *meta_new(const run_opts *o, const char *fingerprint, int64_t total)
{
	char now[32];
	iso_now(now, sizeof now);
	json_t *http = json_deep_copy(o->http);
	json_error_t je;
	json_t *agent = o->agent_user ? json_loads(o->agent_user, 0, &je) : json_object();
	json_t *m = json_pack("{s:i, s:s, s:s, s:s, s:o, s:s?, s:s?, s:s, s:s, s:s, s:{s:s?, s:s?, s:O}, s:I, s:I, s:s?,"
			      " s:b, s:s?, s:o, s:o, s:s?, s:I, s:s, s:n, s:b}",
			      "schema_version", 1, "command", o->cmd, "crmweaver_version", crmw_version_string(), "backend",
			      o->backend, "model_url", shown_url(o->url), "model", o->model, "replay", o->replay, "db",
			      o->db_path, "tasks", o->tasks_path, "tasks_fingerprint", fingerprint, "selection", "split",
			      o->split, "families",
			      o->families, "task_ids", o->ids, "episodes", (json_int_t)total, "group", (json_int_t)o->group,
			      "memory", o->mem_path, "write_memory", o->write_memory, "role", o->ro.spec, "http",
			      http ? http : json_object(), "agent", json_is_object(agent) ? agent : json_object(), "format",
			      o->format, "jobs", (json_int_t)o->jobs, "started", now, "finished", "complete", 0);
	if (agent && !json_is_object(agent))
		json_decref(agent);
	return m;
}

static void meta_write(const char *cmd, const char *out_path, json_t *meta)
{
	char p[4300];
	snprintf(p, sizeof p, "%s.meta.json", out_path);
	char *t = json_dumps(meta, JSON_INDENT(2));
	char *lines[1] = {t};
	if (t)
		write_whole(cmd, p, lines, 1, NULL);
	free(t);
}

/* --------------------------------------------------------------- resume */

/*
 * Read the episodes `path` holds into c->out: every line must be one of the
 * run's episodes, once; an episode that ended on a backend error is left
 * out (it runs again).  A last line without its newline (a crash in the
 * middle of a write) is dropped and the file cut before it.  Reports its own
 * errors.
 */
static int resume_read(run_ctx *c, const char *path, int64_t *kept)
{
	const run_opts *o = c->o;
	*kept = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return CLI_OK; /* nothing yet: --resume runs everything */
		return cli_error(CLI_FAIL, "%s: --resume: cannot read '%s': %s", o->cmd, path, strerror(errno));
	}
	json_t *index = json_object(); /* episode id -> its index */
	for (int64_t i = 0; index && i < c->total; i++) {
		char *eid = episode_id(c, i);
		if (eid)
			json_object_set_new(index, eid, json_integer(i));
		free(eid);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long long lineno = 0;
	off_t good = 0;
	int64_t dropped = 0;
	int rc = index ? CLI_OK : cli_error(CLI_FAIL, "%s: out of memory", o->cmd);
	while (rc == CLI_OK && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			fprintf(stderr, "crmweaver: %s: --resume: %s line %lld is cut short (a crash while writing it): "
					"dropped\n",
				o->cmd, path, lineno);
			break;
		}
		if (n == 1) {
			good += n;
			continue;
		}
		json_error_t je;
		json_t *t = json_loadb(line, (size_t)n, 0, &je);
		const char *eid = json_string_value(json_object_get(t, "episode_id"));
		json_t *at = eid ? json_object_get(index, eid) : NULL;
		if (!json_is_object(t))
			rc = cli_error(CLI_FAIL, "%s: --resume: %s line %lld is not a trajectory: %s", o->cmd, path, lineno,
				       t ? "not an object" : je.text);
		else if (!at)
			rc = cli_error(CLI_FAIL,
				       "%s: --resume: %s line %lld: episode '%s' is not one of this run's (another task file, "
				       "selection or --group?)",
				       o->cmd, path, lineno, eid ? eid : "(no episode_id)");
		else if (c->out[json_integer_value(at)])
			rc = cli_error(CLI_FAIL, "%s: --resume: %s line %lld: episode '%s' is there twice", o->cmd, path,
				       lineno, eid);
		else if (strcmp(json_string_value(json_object_get(t, "task_id")) ? json_string_value(json_object_get(t, "task_id")) : "",
				c->task_ids[json_integer_value(at) / c->group]) != 0)
			rc = cli_error(CLI_FAIL, "%s: --resume: %s line %lld: episode '%s' has another task id", o->cmd, path,
				       lineno, eid);
		if (rc == CLI_OK && traj_backend_error(t)) {
			dropped++; /* the server failed: run it again */
		} else if (rc == CLI_OK) {
			line[n - 1] = '\0';
			char *copy = strdup(line);
			if (!copy)
				rc = cli_error(CLI_FAIL, "%s: out of memory", o->cmd);
			c->out[json_integer_value(at)] = copy;
			c->summary[json_integer_value(at)] = summarize(t);
			(*kept)++;
		}
		good += n;
		json_decref(t);
	}
	free(line);
	fclose(f);
	json_decref(index);
	if (rc == CLI_OK && dropped > 0) {
		/* the file without the episodes that run again, in the order kept */
		rc = write_whole(o->cmd, path, c->out, c->total, NULL);
	} else if (rc == CLI_OK) {
		struct stat sb;
		if (stat(path, &sb) == 0 && sb.st_size > good && truncate(path, good) != 0)
			rc = cli_error(CLI_FAIL, "%s: --resume: cannot cut '%s': %s", o->cmd, path, strerror(errno));
	}
	return rc;
}

/* ------------------------------------------------------------ dry run */

/* Print the first request of the first episode to run, send nothing. */
static int dry_run(run_ctx *c, int64_t first)
{
	const run_opts *o = c->o;
	crmw_db *db = NULL;
	crmw_agent *a = NULL;
	crmw_session *s = NULL;
	crmw_buf task = CRMW_BUF_INIT, req = CRMW_BUF_INIT, shown = CRMW_BUF_INIT;
	int32_t step = 0;
	char *eid = episode_id(c, first);
	json_t *eo = eid ? json_pack("{s:s}", "episode_id", eid) : NULL;
	char *opts = eo ? json_dumps(eo, JSON_COMPACT) : NULL;
	int rc = crmw_db_open(&db, c->db_path, CRMW_DB_READONLY);
	rc = rc ? rc : crmw_agent_new(&a, db, c->agent_opts);
	rc = rc ? rc : c->mem ? crmw_agent_set_memory(a, c->mem) : CRMW_OK;
	rc = rc ? rc : crmw_agent_set_role(a, c->role);
	rc = rc ? rc : crmw_task_set_get(&task, c->ts, first / c->group);
	rc = rc ? rc : crmw_session_new(&s, a, task.data, opts);
	rc = rc ? rc : crmw_session_next(&step, &req, s);
	int result = CLI_OK;
	if (rc) {
		result = cli_lib_error(rc, "dry run");
	} else if (step != CRMW_STEP_MODEL) {
		result = cli_error(CLI_FAIL, "%s: --dry-run: the first episode ends before any model request", o->cmd);
	} else {
		const char *text = req.data;
		char *http = uses_http(o) ? http_options(o) : NULL;
		if (http) {
			int prc = crmw_backend_openai_http_preview(&shown, http, req.data);
			if (prc)
				result = cli_lib_error(prc, "dry run");
			text = shown.data;
		}
		free(http);
		json_t *j = result == CLI_OK ? json_loads(text, 0, NULL) : NULL;
		char *pretty = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		if (result == CLI_OK) {
			printf("%s\n", pretty ? pretty : text);
			fprintf(stderr, "crmweaver: %s: dry run: the first request of episode %s (%s backend); nothing was "
					"sent\n",
				o->cmd, eid ? eid : "?", o->backend);
		}
		free(pretty);
		json_decref(j);
	}
	crmw_session_free(s);
	crmw_agent_free(a);
	crmw_db_free(db);
	crmw_buf_dispose(&task);
	crmw_buf_dispose(&req);
	crmw_buf_dispose(&shown);
	json_decref(eo);
	free(opts);
	free(eid);
	return result;
}

/* ------------------------------------------------------------- the run */

static int run_episodes(run_ctx *c, int *stopped_by)
{
	const run_opts *o = c->o;
	int pfd[2];
	if (pipe(pfd) != 0)
		return cli_error(CLI_FAIL, "%s: pipe: %s", o->cmd, strerror(errno));
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	c->pipe_w = pfd[1];
	/* the workers never see the signals: the main thread takes them */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	got_signal = 0;
	signal_pipe = pfd[1];
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int jobs = (int)o->jobs;
	pthread_t *th = calloc((size_t)jobs, sizeof *th);
	worker_arg *wa = calloc((size_t)jobs, sizeof *wa);
	int started = 0;
	for (int i = 0; th && wa && i < jobs; i++) {
		wa[started].c = c;
		wa[started].index = started;
		if (pthread_create(&th[started], NULL, worker, &wa[started]) == 0)
			started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	int live = started, signals = 0;
	double deadline = -1;
	bool forced = false;
	if (started == 0 && wa) {
		wa[0].c = c;
		wa[0].index = 0;
		worker(&wa[0]); /* no thread: this one (its wake-up byte is drained below) */
	}
	while (live > 0) {
		int timeout = -1;
		if (forced)
			timeout = 100; /* cancel again until every worker is out */
		else if (deadline >= 0)
			timeout = (int)fmax(0.0, ceil((deadline - now_mono()) * 1000.0));
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		int pr = poll(&p, 1, timeout);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr == 0) {
			forced = true;
			cancel_all(c);
			continue;
		}
		char buf[64];
		ssize_t n = pr > 0 ? read(pfd[0], buf, sizeof buf) : 0;
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] == 'w') {
				live--;
			} else if (buf[k] == 'f') {
				cancel_all(c); /* the server is gone: the episodes in flight only wait */
			} else if (buf[k] == 's') {
				signals++;
				atomic_store(&c->stop, 1);
				if (!*stopped_by)
					*stopped_by = (int)got_signal;
				if (signals == 1 && o->grace_s > 0) {
					if (c->progress)
						fputc('\n', stderr);
					fprintf(stderr,
						"crmweaver: %s: %s: letting the episodes in flight finish (at most %g s; "
						"a second signal stops them now)\n",
						o->cmd, got_signal == SIGTERM ? "SIGTERM" : "interrupted", o->grace_s);
					deadline = now_mono() + o->grace_s;
				} else {
					forced = true;
					cancel_all(c);
				}
			}
		}
		if (forced)
			cancel_all(c);
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	signal_pipe = -1;
	close(pfd[0]);
	close(pfd[1]);
	free(th);
	free(wa);
	return th || started ? CLI_OK : cli_error(CLI_FAIL, "%s: out of memory", o->cmd);
}

static void opts_free(run_opts *o)
{
	json_decref(o->ids);
	json_decref(o->http);
}

/* The long options of run and rollout. */
static const struct option run_longopts[] = {
	{"db", required_argument, NULL, 'd'},
	{"tasks", required_argument, NULL, 't'},
	{"backend", required_argument, NULL, 'b'},
	{"split", required_argument, NULL, 's'},
	{"families", required_argument, NULL, 'f'},
	{"task-id", required_argument, NULL, O_TASK_ID},
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
	{"resume", no_argument, NULL, O_RESUME},
	{"grace", required_argument, NULL, O_GRACE},
	{"dry-run", no_argument, NULL, O_DRY_RUN},
	{"no-preflight", no_argument, NULL, O_NO_PREFLIGHT},
	{"stop-after", required_argument, NULL, O_STOP_AFTER},
	{"error-threshold", required_argument, NULL, O_ERR_THRESHOLD},
	{"temperature", required_argument, NULL, O_TEMPERATURE},
	{"top-p", required_argument, NULL, O_TOP_P},
	{"seed", required_argument, NULL, O_SEED},
	{"timeout-ms", required_argument, NULL, O_TIMEOUT},
	{"connect-timeout-ms", required_argument, NULL, O_CONNECT_TIMEOUT},
	{"max-retries", required_argument, NULL, O_MAX_RETRIES},
	{"backoff-ms", required_argument, NULL, O_BACKOFF},
	{"backoff-max-ms", required_argument, NULL, O_BACKOFF_MAX},
	{"extra-body", required_argument, NULL, O_EXTRA_BODY},
	{"requests-per-minute", required_argument, NULL, O_RPM},
	{"tokens-per-minute", required_argument, NULL, O_TPM},
	{"embed-model", required_argument, NULL, O_EMBED_MODEL},
	{"embed-dim", required_argument, NULL, O_EMBED_DIM},
	{"sft-arguments", required_argument, NULL, O_SFT_ARGS},
	{"sft-tools", required_argument, NULL, O_SFT_TOOLS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* One invocation of run or rollout, from its options to its exit code: what
 * it holds (released by run_state_free, whatever phase it reached) and what
 * the phases hand on to each other. */
typedef struct run_state {
	run_opts o;
	crmw_role *role;
	crmw_task_set *ts;
	crmw_memory *mem;
	crmw_db *gold_db;
	char *agent_opts;
	run_ctx ctx;
	bool mu_init;          /* ctx.mu was initialised */
	int64_t ntasks;
	bool sft;
	char journal[4300], path[4300];
	char *fingerprint;
	json_t *meta, *trajs;
	stats st;
	int stopped_by;
	int64_t kept;          /* --resume: episodes the file held already */
	int64_t written, failures;
	const char *first_failure;
	double t0;
} run_state;

static void run_opts_init(run_opts *o, bool rollout)
{
	memset(o, 0, sizeof *o);
	o->rollout = rollout;
	o->cmd = rollout ? "rollout" : "run";
	o->format = "trajectory";
	o->sft_args = "string";
	o->sft_tools = "inline";
	o->group = rollout ? 4 : 1;
	o->jobs = 1;
	o->grace_s = 30;
	o->stop_after = 3;
	o->error_threshold = 1.0;
	o->preflight = true;
	o->ids = json_array();
	o->http = json_object();
}

/* --extra-body: a JSON object, passed to the server as it is. */
static int extra_body(run_opts *o, const char *s)
{
	json_error_t je;
	int rc = CLI_OK;
	json_t *x = json_loads(s, 0, &je);
	if (!json_is_object(x))
		rc = cli_error(CLI_USAGE, "%s: --extra-body must be a JSON object (%s)", o->cmd,
			       x ? "not an object" : je.text);
	else
		json_object_set(o->http, "extra_body", x);
	json_decref(x);
	return rc;
}

/* The command line into `o`; *help is set (and nothing else read) on
 * --help, which printed the usage.  Reports its own errors. */
static int run_getopt(run_opts *o, int argc, char **argv, bool *help)
{
	const char *cmd = o->cmd;
	int c, rrc = CLI_OK;
	opterr = 0;
	optind = 1;
	while (rrc == CLI_OK &&
	       (c = getopt_long(argc, argv, ":d:t:b:s:f:m:wr:u:M:k:p:a:J:jo:g:P:F:h", run_longopts, NULL)) != -1) {
		if (cli_role_arg(&o->ro, cmd, c, optarg, &rrc))
			continue;
		switch (c) {
		case 'd': o->db_path = optarg; break;
		case 't': o->tasks_path = optarg; break;
		case 'b': o->backend = optarg; break;
		case 's': o->split = optarg; break;
		case 'f': o->families = optarg; break;
		case O_TASK_ID: rrc = add_ids(o, optarg); break;
		case 'm': o->mem_path = optarg; break;
		case 'w': o->write_memory = true; break;
		case 'r': o->replay = optarg; break;
		case 'u': o->url = optarg; break;
		case 'M': o->model = optarg; break;
		case 'k': o->key_env = optarg; break;
		case 'p': o->policy = optarg; break;
		case 'a': o->agent_user = optarg; break;
		case 'J': rrc = cli_parse_count(cmd, "--jobs", optarg, &o->jobs); break;
		case 'g':
			if (!o->rollout)
				rrc = cli_error(CLI_USAGE, "run: --group belongs to crmweaver rollout");
			else
				rrc = cli_parse_count(cmd, "--group", optarg, &o->group);
			break;
		case 'P': o->mem_policy = optarg; break;
		case 'F': o->format = optarg; break;
		case 'j': o->as_json = true; break;
		case 'o': o->out_path = optarg; break;
		case O_RESUME: o->resume = true; break;
		case O_GRACE: rrc = parse_real(cmd, "--grace", optarg, 0, 86400, &o->grace_s); break;
		case O_DRY_RUN: o->dry_run = true; break;
		case O_NO_PREFLIGHT: o->preflight = false; break;
		case O_STOP_AFTER: rrc = cli_parse_count(cmd, "--stop-after", optarg, &o->stop_after); break;
		case O_ERR_THRESHOLD: rrc = parse_real(cmd, "--error-threshold", optarg, 0, 1, &o->error_threshold); break;
		case O_TEMPERATURE: rrc = http_real(o, "temperature", "--temperature", optarg, 0, 100); break;
		case O_TOP_P: rrc = http_real(o, "top_p", "--top-p", optarg, 0, 1); break;
		case O_SEED: rrc = http_int(o, "seed", "--seed", optarg, INT64_MIN, INT64_MAX); break;
		case O_TIMEOUT: rrc = http_int(o, "timeout_ms", "--timeout-ms", optarg, 1, 86400000); break;
		case O_CONNECT_TIMEOUT: rrc = http_int(o, "connect_timeout_ms", "--connect-timeout-ms", optarg, 1, 86400000); break;
		case O_MAX_RETRIES: rrc = http_int(o, "max_retries", "--max-retries", optarg, 0, 100); break;
		case O_BACKOFF: rrc = http_int(o, "backoff_ms", "--backoff-ms", optarg, 0, 3600000); break;
		case O_BACKOFF_MAX: rrc = http_int(o, "backoff_max_ms", "--backoff-max-ms", optarg, 0, 3600000); break;
		case O_RPM: rrc = http_int(o, "requests_per_minute", "--requests-per-minute", optarg, 1, 1000000); break;
		case O_TPM: rrc = http_int(o, "tokens_per_minute", "--tokens-per-minute", optarg, 1, 1000000000); break;
		case O_EMBED_DIM: rrc = http_int(o, "embed_dim", "--embed-dim", optarg, 1, 65536); break;
		case O_EMBED_MODEL: json_object_set_new(o->http, "embed_model", json_string(optarg)); break;
		case O_EXTRA_BODY: rrc = extra_body(o, optarg); break;
		case O_SFT_ARGS: o->sft_args = optarg; break;
		case O_SFT_TOOLS: o->sft_tools = optarg; break;
		case 'h':
			(o->rollout ? rollout_usage : run_usage)(stdout);
			*help = true;
			return CLI_OK;
		default:
			rrc = cli_bad_option(cmd, argv);
		}
	}
	if (rrc == CLI_OK && optind < argc)
		rrc = cli_error(CLI_USAGE, "%s: unexpected argument '%s' (see crmweaver %s --help)", cmd, argv[optind], cmd);
	return rrc;
}

/* The options together: what is required, the values of the word options and
 * the combinations.  Reports its own errors. */
static int run_check(run_opts *o)
{
	const char *cmd = o->cmd;
	int usage = CLI_OK;
	if (!o->db_path || !o->tasks_path || !o->backend || !o->out_path)
		usage = cli_error(CLI_USAGE, "%s: --db, --tasks, --backend and -o are required (see crmweaver %s --help)", cmd,
				  cmd);
	else if (o->jobs < 1 || o->jobs > 256)
		usage = cli_error(CLI_USAGE, "%s: --jobs must be 1 to 256", cmd);
	else if (o->group < 1 || o->group > 1024)
		usage = cli_error(CLI_USAGE, "rollout: --group must be 1 to 1024");
	else if (strcmp(o->format, "trajectory") != 0 && strcmp(o->format, "sft") != 0)
		usage = cli_error(CLI_USAGE, "%s: --format must be trajectory or sft", cmd);
	else if (strcmp(o->sft_args, "string") != 0 && strcmp(o->sft_args, "object") != 0)
		usage = cli_error(CLI_USAGE, "%s: --sft-arguments must be string or object", cmd);
	else if (strcmp(o->sft_tools, "inline") != 0 && strcmp(o->sft_tools, "header") != 0 &&
		 strcmp(o->sft_tools, "side") != 0)
		usage = cli_error(CLI_USAGE, "%s: --sft-tools must be inline, header or side", cmd);
	else if (strcmp(o->format, "sft") != 0 &&
		 (strcmp(o->sft_args, "string") != 0 || strcmp(o->sft_tools, "inline") != 0))
		usage = cli_error(CLI_USAGE, "%s: --sft-arguments and --sft-tools go with --format sft", cmd);
	else if (o->mem_policy && strcmp(o->mem_policy, "off") != 0 && strcmp(o->mem_policy, "retrieve") != 0 &&
		 strcmp(o->mem_policy, "write") != 0)
		usage = cli_error(CLI_USAGE, "%s: --memory-policy must be off, retrieve or write", cmd);
	if (usage == CLI_OK && o->mem_policy && strcmp(o->mem_policy, "write") == 0)
		o->write_memory = true;
	if (usage == CLI_OK && o->write_memory && !o->mem_path)
		usage = cli_error(CLI_USAGE, "%s: --write-memory (or --memory-policy write) needs --memory MEM.db", cmd);
	return usage;
}

/* The role (--role, --bind), made once on a connection of its own and
 * shared by the workers' agents (a role holds no connection). */
static int open_role(run_state *s)
{
	if (!s->o.ro.spec && !s->o.ro.nbinds)
		return CLI_OK;
	crmw_db *rdb = NULL;
	int lrc = crmw_db_open(&rdb, s->o.db_path, CRMW_DB_READONLY);
	if (lrc)
		return cli_lib_error(lrc, s->o.db_path);
	int crc = cli_make_role(&s->role, rdb, s->o.cmd, &s->o.ro);
	crmw_db_free(rdb);
	return crc;
}

/* The memory: read-only unless the run writes to it (nothing else may
 * change it, the counters included); a missing store is an error then. */
static int open_memory(run_state *s)
{
	const run_opts *o = &s->o;
	bool mem_writes = o->write_memory || (o->rollout && (!o->mem_policy || strcmp(o->mem_policy, "off") != 0));
	if (!o->mem_path)
		return CLI_OK;
	struct stat sb;
	if (!mem_writes && stat(o->mem_path, &sb) != 0)
		return cli_error(CLI_FAIL, "%s: --memory %s: no such store (give an existing one; --write-memory creates it)",
				 o->cmd, o->mem_path);
	json_t *mo = json_pack("{s:b, s:b}", "create", mem_writes, "readonly", !mem_writes);
	char *mt = mo ? json_dumps(mo, JSON_COMPACT) : NULL;
	json_decref(mo);
	int rc = mt ? crmw_memory_open(&s->mem, o->mem_path, mt) : CRMW_ENOMEM;
	free(mt);
	if (rc)
		return cli_lib_error(rc, "run: opening the memory");
	return CLI_OK;
}

/* Everything the episodes use: the role, the selected tasks, the memory,
 * the backend and the agents' options.  Reports its own errors. */
static int run_open(run_state *s)
{
	int rc = open_role(s);
	if (rc)
		return rc;
	s->t0 = now_mono();
	crmw_task_set *all = NULL;
	rc = crmw_task_set_load(&all, s->o.tasks_path);
	if (rc)
		return cli_lib_error(rc, "run: loading the tasks");
	rc = select_tasks(&s->ts, all, &s->o);
	crmw_task_set_free(all);
	if (rc)
		return rc;
	rc = open_memory(s);
	if (rc)
		return rc;
	s->ctx.o = &s->o;
	rc = make_backend(&s->ctx.backend, &s->o, s->mem, &s->gold_db);
	s->agent_opts = rc == CLI_OK ? agent_options(&s->o, s->o.write_memory) : NULL;
	if (rc != CLI_OK || !s->agent_opts)
		return rc != CLI_OK ? rc : CLI_USAGE;
	return CLI_OK;
}

/* The run's context: the per-episode arrays and the task ids. */
static int run_setup(run_state *s)
{
	const run_opts *o = &s->o;
	run_ctx *ctx = &s->ctx;
	ctx->db_path = o->db_path;
	ctx->role = s->role;
	ctx->ts = s->ts;
	ctx->mem = s->mem;
	ctx->agent_opts = s->agent_opts;
	if (o->mem_policy && strcmp(o->mem_policy, "off") == 0 && strcmp(o->backend, "memory") != 0)
		ctx->mem = NULL; /* the agents go without it */
	ctx->group = o->group;
	s->ntasks = crmw_task_set_count(s->ts);
	ctx->total = s->ntasks * o->group;
	ctx->fd = -1;
	ctx->out = calloc((size_t)ctx->total + 1, sizeof *ctx->out);
	ctx->summary = calloc((size_t)ctx->total + 1, sizeof *ctx->summary);
	ctx->errors = calloc((size_t)ctx->total + 1, sizeof *ctx->errors);
	ctx->failed = calloc((size_t)ctx->total + 1, sizeof *ctx->failed);
	ctx->queue = calloc((size_t)ctx->total + 1, sizeof *ctx->queue);
	ctx->task_ids = calloc((size_t)s->ntasks + 1, sizeof *ctx->task_ids);
	ctx->agents = calloc((size_t)o->jobs, sizeof *ctx->agents);
	pthread_mutex_init(&ctx->mu, NULL);
	s->mu_init = true;
	int result = ctx->out && ctx->summary && ctx->errors && ctx->failed && ctx->queue && ctx->task_ids && ctx->agents
			     ? CLI_OK
			     : cli_error(CLI_FAIL, "%s: out of memory", o->cmd);
	crmw_buf tb = CRMW_BUF_INIT;
	for (int64_t i = 0; result == CLI_OK && i < s->ntasks; i++) {
		json_t *t = crmw_task_set_get(&tb, s->ts, i) == CRMW_OK ? json_loadb(tb.data, tb.len, 0, NULL) : NULL;
		const char *id = json_string_value(json_object_get(t, "id"));
		char idx[32];
		snprintf(idx, sizeof idx, "task%lld", (long long)i);
		ctx->task_ids[i] = strdup(id ? id : idx);
		json_decref(t);
		if (!ctx->task_ids[i])
			result = cli_error(CLI_FAIL, "%s: out of memory", o->cmd);
	}
	crmw_buf_dispose(&tb);
	return result;
}

/* The fingerprint of the tasks and, with --resume, the episodes the file
 * holds (checked against the task file); then the queue of the others. */
static int run_prepare(run_state *s, int result)
{
	const run_opts *o = &s->o;
	const char *cmd = o->cmd;
	run_ctx *ctx = &s->ctx;
	s->sft = strcmp(o->format, "sft") == 0;
	snprintf(s->journal, sizeof s->journal, s->sft ? "%s.journal.jsonl" : "%s", o->out_path);
	s->fingerprint = result == CLI_OK ? tasks_fingerprint(s->ts) : NULL;
	if (result == CLI_OK && !s->fingerprint)
		result = cli_error(CLI_FAIL, "%s: out of memory", cmd);
	if (result == CLI_OK && o->resume && !o->dry_run) {
		json_t *old = run_meta_load(o->out_path);
		const char *ofp = json_string_value(json_object_get(old, "tasks_fingerprint"));
		if (ofp && strcmp(ofp, s->fingerprint) != 0)
			result = cli_error(CLI_FAIL,
					   "%s: --resume: the tasks of this run are not those %s was written from (the task "
					   "file or the selection changed; %s.meta.json)",
					   cmd, o->out_path, o->out_path);
		else if (old && json_integer_value(json_object_get(old, "group")) != o->group)
			result = cli_error(CLI_FAIL, "%s: --resume: %s was written with --group %lld", cmd, o->out_path,
					   (long long)json_integer_value(json_object_get(old, "group")));
		if (result == CLI_OK)
			result = resume_read(ctx, s->journal, &s->kept);
		json_decref(old);
	}
	for (int64_t i = 0; result == CLI_OK && i < ctx->total; i++)
		if (!ctx->out[i])
			ctx->queue[ctx->nqueue++] = i;
	return result;
}

/* Before the first episode: the pre-flight request (the server answers, the
 * model exists), the metadata, the journal opened. */
static int run_start(run_state *s, int result)
{
	const run_opts *o = &s->o;
	const char *cmd = o->cmd;
	run_ctx *ctx = &s->ctx;
	if (result == CLI_OK && uses_http(o) && o->preflight && ctx->nqueue > 0) {
		char *http = http_options(o);
		crmw_buf rep = CRMW_BUF_INIT;
		int prc = http ? crmw_backend_openai_http_check(&rep, http) : CRMW_ENOMEM;
		if (prc)
			result = cli_error(CLI_FAIL, "%s: %s (nothing was run; --no-preflight skips this check)", cmd,
					   crmw_last_error());
		crmw_buf_dispose(&rep);
		free(http);
	}
	if (result == CLI_OK) {
		s->meta = meta_new(o, s->fingerprint, ctx->total);
		if (s->meta)
			meta_write(cmd, o->out_path, s->meta);
		int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (o->resume ? 0 : O_TRUNC);
		ctx->fd = open(s->journal, flags, 0666);
		if (ctx->fd < 0)
			result = cli_error(CLI_FAIL, "%s: cannot write '%s': %s", cmd, s->journal, strerror(errno));
		else if (s->sft && !o->resume)
			unlink(o->out_path); /* an older SFT file is not this run's */
	}
	if (result == CLI_OK && s->kept > 0 && !o->as_json)
		fprintf(stderr, "crmweaver: %s: --resume: %lld of %lld episodes are in %s; running the other %lld\n", cmd,
			(long long)s->kept, (long long)ctx->total, s->journal, (long long)ctx->nqueue);
	return result;
}

/* The episodes of the queue, then the backend released and the journal
 * closed. */
static int run_execute(run_state *s, int result)
{
	run_ctx *ctx = &s->ctx;
	if (result == CLI_OK && ctx->nqueue > 0) {
		ctx->progress = isatty(2) && !s->o.as_json;
		if (s->o.jobs > ctx->nqueue)
			s->o.jobs = ctx->nqueue;
		crmw_free_fn destroy = ctx->backend.destroy;
		ctx->backend.destroy = NULL; /* shared by the agents; released below */
		result = run_episodes(ctx, &s->stopped_by);
		ctx->backend.destroy = destroy;
	}
	crmw_backend_dispose(&ctx->backend);
	if (ctx->fd >= 0) {
		if (fsync(ctx->fd) != 0 && errno != EINVAL && !ctx->write_errno)
			ctx->write_errno = errno;
		close(ctx->fd);
		ctx->fd = -1;
	}
	if (result == CLI_OK && ctx->write_errno)
		result = cli_error(CLI_FAIL, "%s: appending to '%s' failed: %s", s->o.cmd, s->journal,
				   strerror(ctx->write_errno));
	return result;
}

/* The counts, over every episode the file holds. */
static void run_count(run_state *s)
{
	run_ctx *ctx = &s->ctx;
	s->trajs = json_array();
	for (int64_t i = 0; i < ctx->total && ctx->out; i++) {
		if (ctx->failed[i] && !ctx->out[i]) {
			if (s->failures++ == 0)
				s->first_failure = ctx->errors[i] ? ctx->errors[i] : "failed";
		}
		if (!ctx->out[i])
			continue;
		s->written++;
		json_t *t = ctx->summary[i];
		if (t) {
			stats_add(&s->st, t);
			json_array_append(s->trajs, t);
		}
	}
}

/* A finished SFT run: the file made from the journal (and the tool list
 * beside it or at its head, with --sft-tools side or header). */
static int write_sft(run_state *s)
{
	const run_opts *o = &s->o;
	const char *cmd = o->cmd;
	run_ctx *ctx = &s->ctx;
	int result = CLI_OK;
	const json_t *shared = NULL;
	json_t *first = NULL;
	bool once = strcmp(o->sft_tools, "inline") != 0;
	for (int64_t i = 0; once && !first && i < ctx->total; i++) {
		json_t *t = json_loads(ctx->out[i], 0, NULL);
		if (t && json_number_value(json_object_get(t, "reward")) >= 1.0)
			first = json_incref(json_object_get(t, "tools"));
		json_decref(t);
	}
	shared = first;
	char **lines = calloc((size_t)ctx->total + 1, sizeof *lines);
	for (int64_t i = 0; lines && i < ctx->total; i++) {
		json_t *t = json_loads(ctx->out[i], 0, NULL);
		lines[i] = t ? sft_line(t, strcmp(o->sft_args, "object") == 0, shared) : NULL;
		json_decref(t);
	}
	char *head = NULL;
	if (shared && strcmp(o->sft_tools, "header") == 0) {
		json_t *h = json_pack("{s:O}", "tools", shared);
		head = h ? json_dumps(h, JSON_COMPACT) : NULL;
		json_decref(h);
	}
	if (shared && strcmp(o->sft_tools, "side") == 0) {
		snprintf(s->path, sizeof s->path, "%s.tools.json", o->out_path);
		char *tt = json_dumps(shared, JSON_COMPACT);
		char *one[1] = {tt};
		result = tt ? write_whole(cmd, s->path, one, 1, NULL) : cli_error(CLI_FAIL, "%s: out of memory", cmd);
		free(tt);
	}
	if (!lines)
		result = cli_error(CLI_FAIL, "%s: out of memory", cmd);
	if (result == CLI_OK)
		result = write_whole(cmd, o->out_path, lines, ctx->total, head);
	if (result == CLI_OK)
		unlink(s->journal);
	for (int64_t i = 0; lines && i < ctx->total; i++)
		free(lines[i]);
	free(lines);
	free(head);
	json_decref(first);
	return result;
}

/* The exit code of a run whose steps all went through: interrupted,
 * stopped fast, episodes that could not run, or too many backend errors. */
static int run_verdict(run_state *s)
{
	const run_opts *o = &s->o;
	const char *cmd = o->cmd;
	run_ctx *ctx = &s->ctx;
	int result = CLI_OK;
	fam_stats tot;
	stats_total(&s->st, &tot);
	int64_t missing = ctx->total - s->written;
	if (s->stopped_by) {
		cli_error(CLI_OK, "%s: %s: %lld of %lld episodes are in %s; --resume runs the other %lld", cmd,
			  s->stopped_by == SIGTERM ? "stopped by SIGTERM" : "interrupted", (long long)s->written,
			  (long long)ctx->total, s->journal, (long long)missing);
		result = 128 + s->stopped_by;
	} else if (ctx->fast_stop) {
		result = cli_error(CLI_FAIL,
				   "%s: stopped: %s; %lld of %lld episodes are in %s (check the server, then run again "
				   "with --resume)",
				   cmd, ctx->stop_reason ? ctx->stop_reason : "the server is unreachable", (long long)s->written,
				   (long long)ctx->total, s->journal);
	} else if (s->failures > 0) {
		cli_error(CLI_FAIL, "%s: episode %lld: %s", cmd, (long long)ctx->queue[0], s->first_failure);
		result = cli_error(CLI_FAIL, "%s: %lld of %lld episodes could not run", cmd, (long long)s->failures,
				   (long long)ctx->total);
	} else if (tot.tasks > 0 && tot.errors > 0 && (double)tot.errors >= o->error_threshold * (double)tot.tasks - 1e-9) {
		result = cli_error(CLI_FAIL, "%s: %lld of %lld episodes ended on a backend error (--error-threshold %g)", cmd,
				   (long long)tot.errors, (long long)tot.tasks, o->error_threshold);
	}
	return result;
}

/* The end of a run that got as far as the episodes: a finished run's file
 * in task order (group statistics added) or its SFT file, the metadata, the
 * scores and the error summary printed, and the verdict. */
static int run_report(run_state *s, int result)
{
	const run_opts *o = &s->o;
	const char *cmd = o->cmd;
	run_ctx *ctx = &s->ctx;
	run_count(s);
	bool complete = result == CLI_OK && s->written == ctx->total;
	if (complete) {
		if (o->group > 1)
			add_group_stats(ctx);
		result = !s->sft ? write_whole(cmd, o->out_path, ctx->out, ctx->total, NULL) : write_sft(s);
	}
	if (s->meta) {
		char now[32];
		iso_now(now, sizeof now);
		json_object_set_new(s->meta, "finished", json_string(now));
		json_object_set_new(s->meta, "complete", json_boolean(complete));
		json_object_set_new(s->meta, "written", json_integer(s->written));
		fam_stats tot;
		stats_total(&s->st, &tot);
		json_object_set_new(s->meta, "errors", json_integer(tot.errors));
		meta_write(cmd, o->out_path, s->meta);
	}
	if (s->st.n > 0 && !run_quiet && (result == CLI_OK || s->stopped_by || ctx->fast_stop))
		stats_print(&s->st, o->as_json, now_mono() - s->t0, NULL);
	char *sum = errors_summary(s->trajs);
	if (sum)
		cli_error(CLI_OK, "%s: %s", cmd, sum);
	free(sum);
	return result == CLI_OK ? run_verdict(s) : result;
}

/* Releases what a run holds, whatever phase it reached. */
static void run_state_free(run_state *s)
{
	run_ctx *ctx = &s->ctx;
	crmw_backend_dispose(&ctx->backend);
	for (int64_t i = 0; i < ctx->total && ctx->out; i++) {
		free(ctx->out[i]);
		free(ctx->errors[i]);
		if (ctx->summary)
			json_decref(ctx->summary[i]);
	}
	free(ctx->summary);
	for (int64_t i = 0; ctx->task_ids && i < s->ntasks; i++)
		free(ctx->task_ids[i]);
	free(ctx->out);
	free(ctx->errors);
	free(ctx->failed);
	free(ctx->queue);
	free(ctx->task_ids);
	free(ctx->agents);
	free(ctx->stop_reason);
	free(s->st.rows);
	free(s->fingerprint);
	json_decref(s->trajs);
	json_decref(s->meta);
	if (s->mu_init)
		pthread_mutex_destroy(&ctx->mu);
	free(s->agent_opts);
	crmw_db_free(s->gold_db);
	crmw_memory_free(s->mem);
	crmw_task_set_free(s->ts);
	crmw_role_free(s->role);
	opts_free(&s->o);
}

/* run and rollout: the options, what the run uses, the episodes (or one
 * dry run), the report; every phase reports its own errors. */
static int run_main(int argc, char **argv, bool rollout)
{
	run_state s;
	memset(&s, 0, sizeof s);
	run_opts_init(&s.o, rollout);
	bool help = false;
	int result = run_getopt(&s.o, argc, argv, &help);
	if (result == CLI_OK && !help)
		result = run_check(&s.o);
	if (result == CLI_OK && !help)
		result = run_open(&s);
	if (result == CLI_OK && !help) {
		result = run_prepare(&s, run_setup(&s));
		if (result == CLI_OK && s.o.dry_run)
			result = s.ctx.nqueue > 0
					 ? dry_run(&s.ctx, s.ctx.queue[0])
					 : cli_error(CLI_OK, "%s: --dry-run: every episode is done already", s.o.cmd);
		else
			result = run_report(&s, run_execute(&s, run_start(&s, result)));
	}
	run_state_free(&s);
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
