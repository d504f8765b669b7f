/*
 * crmweaver eval: the per-family table of a trajectory file; and what run,
 * rollout, eval and report share: the episode counts (stats_*), backend
 * errors and their one-line summary, the run metadata beside a trajectory
 * file, baselines.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

static void eval_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver eval --trajectories TRAJ.jsonl [--baselines auto|FILE.json]\n"
		"                      [--tasks TASKS.json] [--db ORG.db] [--json]\n"
		"       crmweaver eval TRAJ.jsonl [--json]\n"
		"\n"
		"Prints a per-family table of a trajectory file: tasks, solved (reward 1), accuracy\n"
		"(mean reward), wrong (answered, reward below 1), abstentions, backend errors (the\n"
		"model server failed: the episode has no answer), episodes answered by a memory plan,\n"
		"episodes with retrieved memories, mean turns and mean time.  An episode whose plan\n"
		"followed rules learned in a family that reads free text (the memory policy's option\n"
		"free_text) is not counted as answered by a plan: a line after the table counts such\n"
		"episodes (\"free_text_plans\" in --json).  When episodes ended on a backend error,\n"
		"one line on stderr counts each distinct error.  --json gives the\n"
		"shape of `crmweaver tasks score --json` with these counts added per family, and\n"
		"\"baselines\": the shortcut baselines of --baselines, empty without it.\n"
		"\n"
		"--baselines auto computes, on the tasks of the run (each once), what answers that take\n"
		"a shortcut score (docs/tasks.md, \"Shortcut baselines\"): always None, the family's\n"
		"most frequent answer in the task file's train split (the task itself left out; a\n"
		"family without train tasks, or a file without splits: its other tasks of the file), a\n"
		"refusal, every candidate answer of the task's kind, the most frequent candidate, and\n"
		"candidates guessed one per turn with the run's simulated user (the persona user for\n"
		"single-turn runs).  The task file is --tasks, else the one the run's metadata\n"
		"(TRAJ.jsonl.meta.json) names; the org is --db, else the run's (without one the\n"
		"candidates of id answers are the ids of the train answers).  A table of the baselines\n"
		"beside the run's accuracy, family by family, follows the run's table.\n"
		"--baselines FILE.json reads them instead (an array of {\"name\", \"score\", \"families\":\n"
		"{FAMILY: {\"score\"}}}, or an object with such a \"baselines\" array, as written by\n"
		"`crmweaver tasks baselines -o`); a file named auto is ./auto.\n"
		"\n"
		"examples:\n"
		"  crmweaver eval --trajectories test.jsonl\n"
		"  crmweaver eval test.jsonl --baselines auto\n");
}

/* ----------------------------------------------------------------- stats */

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

bool traj_backend_error(const json_t *traj)
{
	const char *end = json_string_value(json_object_get(traj, "end_reason"));
	return end && strcmp(end, "backend_error") == 0;
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
	r->errors += traj_backend_error(traj);
	const json_t *plan = json_object_get(traj, "plan");
	bool used = plan && !json_is_null(plan), free_text = used && json_is_true(json_object_get(plan, "free_text"));
	r->plans += used && !free_text;
	r->free_text_plans += free_text;
	r->mem_hits += json_array_size(json_object_get(traj, "memory_ids")) > 0;
	r->turns += json_integer_value(json_object_get(traj, "turns"));
	r->ms += (double)json_integer_value(json_object_get(json_object_get(traj, "timings_us"), "total")) / 1000.0;
}

int stats_add(stats *t, const json_t *traj)
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

void stats_total(const stats *t, fam_stats *all)
{
	memset(all, 0, sizeof *all);
	snprintf(all->name, sizeof all->name, "all");
	for (size_t i = 0; i < t->n; i++) {
		const fam_stats *r = &t->rows[i];
		all->tasks += r->tasks;
		all->solved += r->solved;
		all->wrong += r->wrong;
		all->abstained += r->abstained;
		all->errors += r->errors;
		all->plans += r->plans;
		all->free_text_plans += r->free_text_plans;
		all->mem_hits += r->mem_hits;
		all->turns += r->turns;
		all->score += r->score;
		all->ms += r->ms;
	}
}

void stats_print(stats *t, bool as_json, double secs, const json_t *baselines)
{
	qsort(t->rows, t->n, sizeof *t->rows, stats_cmp);
	fam_stats all;
	stats_total(t, &all);
	if (as_json) {
		json_t *fams = json_object();
		for (size_t i = 0; i < t->n; i++) {
			const fam_stats *r = &t->rows[i];
			json_object_set_new(fams, r->name,
					    json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "tasks",
						      (json_int_t)r->tasks, "score", r->tasks ? r->score / (double)r->tasks : 0.0,
						      "solved", (json_int_t)r->solved, "wrong", (json_int_t)r->wrong,
						      "abstained", (json_int_t)r->abstained, "errors", (json_int_t)r->errors,
						      "plans", (json_int_t)r->plans, "free_text_plans",
						      (json_int_t)r->free_text_plans, "memory_hits", (json_int_t)r->mem_hits,
						      "mean_turns", r->tasks ? (double)r->turns / (double)r->tasks : 0.0, "mean_ms",
						      r->tasks ? r->ms / (double)r->tasks : 0.0));
		}
		json_t *bl = baselines ? json_incref((json_t *)baselines) : json_array();
		json_t *o = json_pack("{s:o, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "families", fams, "tasks",
				      (json_int_t)all.tasks, "score", all.tasks ? all.score / (double)all.tasks : 0.0, "solved",
				      (json_int_t)all.solved, "wrong", (json_int_t)all.wrong, "abstained",
				      (json_int_t)all.abstained, "errors", (json_int_t)all.errors, "plans", (json_int_t)all.plans,
				      "free_text_plans", (json_int_t)all.free_text_plans, "baselines", bl);
		if (o && secs >= 0)
			json_object_set_new(o, "seconds", json_real(secs));
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(o);
		return;
	}
	printf("%-32s %5s %6s %8s %5s %8s %6s %5s %7s %6s %9s\n", "family", "tasks", "solved", "accuracy", "wrong",
	       "abstain", "errors", "plans", "memhits", "turns", "ms/task");
	for (size_t i = 0; i <= t->n; i++) {
		const fam_stats *r = i < t->n ? &t->rows[i] : &all;
		if (i == t->n)
			printf("%.*s\n", 104, "-------------------------------------------------------------------------------"
					      "----------------------------------------");
		double n = r->tasks ? (double)r->tasks : 1.0;
		printf("%-32.32s %5lld %6lld %8.3f %5lld %8lld %6lld %5lld %7lld %6.1f %9.1f\n", r->name, (long long)r->tasks,
		       (long long)r->solved, r->score / n, (long long)r->wrong, (long long)r->abstained, (long long)r->errors,
		       (long long)r->plans, (long long)r->mem_hits, (double)r->turns / n, r->ms / n);
	}
	if (all.free_text_plans)
		printf("%lld episode(s) followed rules learned in families whose answers need reading free text "
		       "(memory policy option free_text): not counted in plans\n",
		       (long long)all.free_text_plans);
	baselines_print(baselines, t);
	if (secs >= 0)
		printf("%lld episodes in %.2f s\n", (long long)all.tasks, secs);
}

/* ----------------------------------------------------------- errors */

/* The message with curl's varying "after N ms" and "after N milliseconds"
 * folded to "after N ms", so that one cause counts once. */
static char *fold_error(const char *m)
{
	size_t n = strlen(m);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (strncmp(m + i, "after ", 6) == 0 && isdigit((unsigned char)m[i + 6])) {
			size_t j = i + 6;
			while (isdigit((unsigned char)m[j]))
				j++;
			if (strncmp(m + j, " ms", 3) == 0 || strncmp(m + j, " milliseconds", 13) == 0) {
				memcpy(out + o, "after N ms", 10);
				o += 10;
				i = j + (strncmp(m + j, " ms", 3) == 0 && strncmp(m + j, " milliseconds", 13) != 0 ? 3 : 13);
				continue;
			}
		}
		out[o++] = m[i++];
	}
	out[o] = '\0';
	return out;
}

char *errors_summary(const json_t *trajs)
{
	json_t *count = json_object(); /* folded message -> count, in first-seen order */
	size_t i, n = 0;
	json_t *t;
	json_array_foreach(trajs, i, t) {
		if (!traj_backend_error(t))
			continue;
		n++;
		const char *e = json_string_value(json_object_get(t, "error"));
		char *f = fold_error(e && *e ? e : "(no message)");
		if (!f || !count)
			continue;
		json_t *c = json_object_get(count, f);
		json_object_set_new(count, f, json_integer(json_integer_value(c) + 1));
		free(f);
	}
	if (n == 0) {
		json_decref(count);
		return NULL;
	}
	char *line = malloc(1200);
	if (!line) {
		json_decref(count);
		return NULL;
	}
	int at = snprintf(line, 1200, "%zu of %zu episodes ended on a backend error: ", n, json_array_size(trajs));
	const char *k;
	json_t *v;
	size_t shown = 0, distinct = json_object_size(count);
	json_object_foreach(count, k, v) {
		if (shown == 3)
			break;
		if (at < 1100)
			at += snprintf(line + at, (size_t)(1200 - at), "%s\"%.*s%s\" (%lld)", shown ? "; " : "", 300, k,
				       strlen(k) > 300 ? "..." : "", (long long)json_integer_value(v));
		shown++;
	}
	if (distinct > shown && at < 1150)
		snprintf(line + at, (size_t)(1200 - at), "; and %zu other error%s", distinct - shown,
			 distinct - shown == 1 ? "" : "s");
	json_decref(count);
	return line;
}

/* ----------------------------------------------------------- metadata */

json_t *run_meta_load(const char *traj_path)
{
	char p[4200];
	if (snprintf(p, sizeof p, "%s.meta.json", traj_path) >= (int)sizeof p)
		return NULL;
	json_t *m = json_load_file(p, 0, NULL);
	if (!json_is_object(m)) {
		json_decref(m);
		return NULL;
	}
	return m;
}

json_t *baselines_load(const char *cmd, const char *path)
{
	json_error_t je;
	json_t *b = json_load_file(path, 0, &je);
	if (!b) {
		cli_error(CLI_FAIL, "%s: --baselines %s: %s", cmd, path, je.text);
		return NULL;
	}
	if (json_is_object(b) && json_is_array(json_object_get(b, "baselines"))) {
		json_t *a = json_incref(json_object_get(b, "baselines"));
		json_decref(b);
		b = a;
	}
	size_t i;
	json_t *x;
	bool ok = json_is_array(b);
	json_array_foreach(b, i, x) ok = ok && json_is_object(x) && json_is_string(json_object_get(x, "name")) &&
					json_is_number(json_object_get(x, "score"));
	if (!ok) {
		cli_error(CLI_FAIL, "%s: --baselines %s: not an array of {\"name\", \"score\", \"families\"}", cmd, path);
		json_decref(b);
		return NULL;
	}
	return b;
}

/* A path a run's metadata recorded (as given to crmweaver run, from the
 * directory it ran in): as it is, else beside the trajectory file. */
static char *meta_path(const char *recorded, const char *traj_path)
{
	if (!recorded)
		return NULL;
	if (access(recorded, R_OK) == 0 || recorded[0] == '/')
		return strdup(recorded);
	const char *slash = strrchr(traj_path, '/');
	if (!slash)
		return strdup(recorded);
	size_t n = (size_t)(slash - traj_path) + 1 + strlen(recorded) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%.*s/%s", (int)(slash - traj_path), traj_path, recorded);
	if (p && access(p, R_OK) != 0) {
		free(p);
		return strdup(recorded);
	}
	return p;
}

/* The user of a multi-turn run, as baseline options: the first trajectory
 * with a built-in user decides; a host's user cannot be replayed, so the
 * persona user stands in.  NULL for single-turn runs. */
static json_t *run_user(json_t *const *trajs, int n)
{
	for (int k = 0; k < n; k++) {
		size_t i;
		json_t *t;
		json_array_foreach(trajs[k], i, t) {
			const json_t *u = json_object_get(t, "user");
			const char *mode = json_string_value(json_object_get(u, "mode"));
			if (!mode)
				continue;
			if (strcmp(mode, "persona") != 0 && strcmp(mode, "curriculum") != 0)
				mode = "persona";
			return json_pack("{s:s, s:O, s:O}", "mode", mode, "seed", json_object_get(u, "seed"), "max_turns",
					 json_object_get(u, "max_turns"));
		}
	}
	return NULL;
}

json_t *baselines_auto(const char *cmd, json_t *const *trajs, json_t *const *metas, const char *const *names, int n,
		       const char *tasks_path, const char *db_path, int *status)
{
	char *tp = tasks_path ? strdup(tasks_path) : NULL, *dp = db_path ? strdup(db_path) : NULL;
	for (int k = 0; k < n; k++) {
		if (!tp)
			tp = meta_path(json_string_value(json_object_get(metas[k], "tasks")), names[k]);
		if (!dp)
			dp = meta_path(json_string_value(json_object_get(metas[k], "db")), names[k]);
	}
	json_t *result = NULL, *ids = json_array(), *seen = json_object(), *opts = NULL;
	crmw_task_set *ts = NULL;
	crmw_db *db = NULL;
	crmw_buf b = CRMW_BUF_INIT, tb = CRMW_BUF_INIT;
	int rc = CLI_OK;
	if (!tp) {
		rc = cli_error(CLI_USAGE,
			       "%s: --baselines auto needs the task file the run used: give --tasks (the run's metadata, "
			       "TRAJ.jsonl.meta.json, names none)",
			       cmd);
		goto done;
	}
	int lrc = crmw_task_set_load(&ts, tp);
	if (lrc) {
		rc = cli_lib_error(lrc, tp);
		goto done;
	}
	if (dp && (lrc = crmw_db_open(&db, dp, CRMW_DB_READONLY))) {
		rc = cli_lib_error(lrc, dp);
		goto done;
	}
	if (!db)
		cli_error(CLI_OK,
			  "%s: no org (--db, or the run's metadata): the candidates of id answers are the ids of the "
			  "train split's answers",
			  cmd);
	/* the tasks the runs ran, once each; each must be the run's task */
	for (int k = 0; rc == CLI_OK && k < n; k++) {
		size_t i;
		json_t *t;
		json_array_foreach(trajs[k], i, t) {
			const char *id = json_string_value(json_object_get(t, "task_id"));
			const char *fam = json_string_value(json_object_get(t, "task_family"));
			int64_t at;
			if (!id) {
				rc = cli_error(CLI_FAIL, "%s: %s: episode %zu has no task_id", cmd, names[k], i + 1);
				break;
			}
			if (json_object_get(seen, id))
				continue;
			json_t *task = NULL;
			if (crmw_task_set_find(&at, ts, id) == CRMW_OK && crmw_task_set_get(&tb, ts, at) == CRMW_OK)
				task = json_loadb(tb.data, tb.len, 0, NULL);
			const char *tf = json_string_value(json_object_get(task, "family"));
			tf = tf ? tf : json_string_value(json_object_get(task, "task"));
			bool ok = task && (!fam || (tf && strcmp(tf, fam) == 0));
			json_decref(task);
			if (!ok) {
				rc = cli_error(CLI_FAIL, "%s: %s does not hold the task %s of %s (%s): not the run's task file", cmd,
					       tp, id, names[k], fam ? fam : "no family");
				break;
			}
			json_object_set_new(seen, id, json_true());
			json_array_append_new(ids, json_string(id));
		}
	}
	if (rc != CLI_OK)
		goto done;
	opts = json_pack("{s:O}", "task_ids", ids);
	json_t *user = run_user(trajs, n);
	if (opts && user)
		json_object_set_new(opts, "user", user);
	else
		json_decref(user);
	char *ot = opts ? json_dumps(opts, JSON_COMPACT) : NULL;
	lrc = ot ? crmw_task_set_baselines(&b, ts, db, ot) : CRMW_ENOMEM;
	free(ot);
	if (lrc) {
		rc = cli_lib_error(lrc, "baselines");
		goto done;
	}
	json_t *doc = json_loads(b.data, 0, NULL);
	result = json_incref(json_object_get(doc, "baselines"));
	json_decref(doc);
	if (!result)
		rc = cli_error(CLI_FAIL, "%s: out of memory", cmd);
done:
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&tb);
	crmw_task_set_free(ts);
	crmw_db_free(db);
	json_decref(opts);
	json_decref(ids);
	json_decref(seen);
	free(tp);
	free(dp);
	*status = rc;
	if (rc != CLI_OK) {
		json_decref(result);
		return NULL;
	}
	return result;
}

/* The width of a baseline's column: its name, 6 to 16 characters. */
static int bl_width(const json_t *bl)
{
	size_t n = strlen(json_string_value(json_object_get(bl, "name")));
	return n < 6 ? 6 : n > 16 ? 16 : (int)n;
}

static void bl_cells(const json_t *baselines, const char *family)
{
	size_t b;
	json_t *bl;
	json_array_foreach(baselines, b, bl) {
		const json_t *sc = family ? json_object_get(json_object_get(json_object_get(bl, "families"), family), "score")
					  : json_object_get(bl, "score");
		if (json_is_number(sc))
			printf(" %*.3f", bl_width(bl), json_number_value(sc));
		else
			printf(" %*s", bl_width(bl), "-");
	}
	printf("\n");
}

void baselines_print(const json_t *baselines, const stats *run)
{
	if (json_array_size(baselines) == 0)
		return;
	printf("%s\n%-32s %5s", run ? "\nshortcut baselines on the same tasks (docs/tasks.md, \"Shortcut baselines\"):" : "",
	       "family", "tasks");
	if (run)
		printf(" %8s", "run");
	size_t b;
	json_t *bl;
	json_array_foreach(baselines, b, bl)
		printf(" %*.*s", bl_width(bl), bl_width(bl), json_string_value(json_object_get(bl, "name")));
	printf("\n");
	/* the run's families, else the baselines' (in the first one's order) */
	const json_t *fams = json_object_get(json_array_get(baselines, 0), "families");
	size_t rows = run ? run->n : json_object_size(fams);
	const char *k = NULL;
	void *it = json_object_iter((json_t *)fams);
	int64_t total = 0;
	double acc = 0;
	for (size_t r = 0; r < rows; r++) {
		int64_t tasks;
		if (run) {
			k = run->rows[r].name;
			tasks = run->rows[r].tasks;
		} else {
			k = json_object_iter_key(it);
			tasks = json_integer_value(json_object_get(json_object_iter_value(it), "tasks"));
			it = json_object_iter_next((json_t *)fams, it);
		}
		total += tasks;
		printf("%-32.32s %5lld", k, (long long)tasks);
		if (run) {
			acc += run->rows[r].score;
			printf(" %8.3f", tasks ? run->rows[r].score / (double)tasks : 0.0);
		}
		bl_cells(baselines, k);
	}
	printf("%-32s %5lld", "all", (long long)total);
	if (run)
		printf(" %8.3f", total ? acc / (double)total : 0.0);
	bl_cells(baselines, NULL);
}

/* ------------------------------------------------------------------ eval */

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"trajectories", required_argument, NULL, 't'},
		{"baselines", required_argument, NULL, 'B'},
		{"tasks", required_argument, NULL, 'T'},
		{"db", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL, *bpath = NULL, *tasks_path = NULL, *db_path = NULL;
	bool as_json = false;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:B:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			path = optarg;
			break;
		case 'B':
			bpath = optarg;
			break;
		case 'T':
			tasks_path = optarg;
			break;
		case 'd':
			db_path = optarg;
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
	bool bauto = bpath && strcmp(bpath, "auto") == 0;
	if ((tasks_path || db_path) && !bauto)
		return cli_error(CLI_USAGE, "eval: --tasks and --db serve --baselines auto (see crmweaver eval --help)");
	json_t *baselines = NULL;
	if (bpath && !bauto && !(baselines = baselines_load("eval", bpath)))
		return CLI_FAIL;
	FILE *f = fopen(path, "r");
	if (!f) {
		json_decref(baselines);
		return cli_error(CLI_FAIL, "eval: cannot open '%s': %s", path, strerror(errno));
	}
	stats st = {0};
	json_t *all = json_array();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0;
	int rc = all ? CLI_OK : cli_error(CLI_FAIL, "eval: out of memory");
	while (rc == CLI_OK && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		json_error_t je;
		json_t *t = json_loadb(line, (size_t)n, 0, &je);
		if (!json_is_object(t)) {
			rc = cli_error(CLI_FAIL, "eval: %s line %lld is not a trajectory object: %s", path, (long long)lineno,
				       t ? "not an object" : je.text);
			json_decref(t);
			break;
		}
		if (stats_add(&st, t) || json_array_append_new(all, t)) {
			rc = cli_error(CLI_FAIL, "eval: out of memory");
			break;
		}
	}
	free(line);
	fclose(f);
	if (rc == CLI_OK && bauto) {
		json_t *meta = run_meta_load(path);
		const char *name = path;
		baselines = baselines_auto("eval", &all, &meta, &name, 1, tasks_path, db_path, &rc);
		json_decref(meta);
	}
	if (rc == CLI_OK) {
		stats_print(&st, as_json, -1, baselines);
		char *sum = errors_summary(all);
		if (sum)
			cli_error(CLI_OK, "eval: %s", sum);
		free(sum);
	}
	json_decref(all);
	json_decref(baselines);
	free(st.rows);
	return rc;
}
