/*
 * crmweaver tasks: synthesise tasks from an org, run their gold programs,
 * score predictions, measure them (stats) and their shortcut baselines.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver tasks gen --db ORG.db [--families all|a,b] [--per-family N] [--seed S]\n"
		"                           [--test-share X] [--holdout a,b] [--no-verify] [--json] -o TASKS.json|.jsonl\n"
		"       crmweaver tasks check --db ORG.db --tasks TASKS.json [--json]\n"
		"       crmweaver tasks score --tasks TASKS.json --predictions PRED.jsonl [--json]\n"
		"       crmweaver tasks families [--json]\n"
		"       crmweaver tasks stats --tasks TASKS.json [--against OTHER.json] [--sample N] [--json]\n"
		"       crmweaver tasks baselines --tasks TASKS.json [--db ORG.db] [--split S]\n"
		"                           [--candidates org|results] [--user persona|curriculum]\n"
		"                           [--user-seed N] [--json] [-o BASELINES.json]\n"
		"\n"
		"gen synthesises tasks of every CRMArena and CRMArena-Pro type (docs/tasks.md) from an org\n"
		"made by `crmweaver gen`, each with its gold answer and gold program; by default every gold\n"
		"program is run and a task is kept only when it reaches the reference answer.  A file name\n"
		"ending in .jsonl gets one task per line.\n"
		"\n"
		"check runs every task's gold program against the org and prints per-family pass counts;\n"
		"it exits with 1 when any program does not reach reward 1.\n"
		"\n"
		"stats prints, per family, how varied the tasks are: distinct templates (queries with\n"
		"their entities masked), distinct 4-grams, the share of None answers, the share of the\n"
		"most frequent answer, distinct answers, the largest count threshold and the mix of time\n"
		"phrases; --against prints a second file (a published task file, say) beside it, family\n"
		"by family; --sample N counts only the first N tasks of each family of both.\n"
		"\n"
		"baselines prints, per family, what answers that take a shortcut score on the tasks\n"
		"(docs/tasks.md, \"Shortcut baselines\"): none (always None), majority (the family's most\n"
		"frequent answer in the train split, the task itself left out), refusal, candidates\n"
		"(every candidate answer of the task's kind), guess (the most frequent candidate) and\n"
		"guess_multi_turn (candidates one per turn until the simulated user, --user and\n"
		"--user-seed, ends the talk).  --split scores only that split's tasks; --db gives the\n"
		"org whose ids are the candidates of id answers (without it: the train answers' ids);\n"
		"--candidates results takes instead the ids the replies of each task's gold program\n"
		"show.  -o writes the JSON that `crmweaver eval --baselines FILE` and `crmweaver report\n"
		"--baselines FILE` read.\n"
		"\n"
		"score scores predictions ({\"idx\": N, \"answer\": \"...\"} per line; \"id\" may name the\n"
		"task instead, \"messages\" may carry the episode for privacy tasks) with each task's\n"
		"metric; a task without a prediction scores 0.\n"
		"\n"
		"examples:\n"
		"  crmweaver tasks gen --db org.db --per-family 20 --seed 1 -o tasks.json\n"
		"  crmweaver tasks check --db org.db --tasks tasks.json\n"
		"  crmweaver tasks score --tasks tasks.json --predictions pred.jsonl --json\n"
		"  crmweaver tasks stats --tasks tasks.json --against crmarenapro_b2b_tasks.json --sample 100\n"
		"  crmweaver tasks baselines --db org.db --tasks tasks.json --split test\n");
}

typedef struct fam_row {
	char name[64];
	int64_t tasks, ok, missing;
	double score;
} fam_row;

typedef struct table {
	fam_row *rows;
	size_t n, cap;
} table;

static fam_row *row_of(table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		fam_row *r = realloc(t->rows, cap * sizeof *r);
		if (!r)
			return NULL;
		t->rows = r;
		t->cap = cap;
	}
	fam_row *r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	return r;
}

/* The family of task i (its JSON parsed once). */
static json_t *task_json(const crmw_task_set *ts, int64_t i)
{
	crmw_buf b = CRMW_BUF_INIT;
	json_t *j = NULL;
	if (crmw_task_set_get(&b, ts, i) == CRMW_OK)
		j = json_loadb(b.data, b.len, 0, NULL);
	crmw_buf_dispose(&b);
	return j;
}

static const char *family_of(const json_t *t)
{
	const char *f = json_string_value(json_object_get(t, "family"));
	f = f ? f : json_string_value(json_object_get(t, "task"));
	f = f ? f : json_string_value(json_object_get(t, "type"));
	return f ? f : "?";
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A progress bar on stderr, only when it is a terminal. */
static int on_progress(const char *stage, int64_t done, int64_t total, void *ud)
{
	(void)ud;
	int width = 30, fill = total > 0 ? (int)(done * width / total) : 0;
	if (fill > width)
		fill = width;
	fprintf(stderr, "\r\033[Ksynthesising %s [%.*s%*s] %lld/%lld", stage, fill, "##############################",
		width - fill, "", (long long)done, (long long)total);
	fflush(stderr);
	return 0;
}

static int run_gen(crmw_db *db, const char *opts_json, const char *out_path, bool as_json)
{
	crmw_task_set *ts = NULL;
	crmw_buf report = CRMW_BUF_INIT;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool tty = isatty(2) && !as_json;
	int rc = crmw_task_set_generate_progress(&ts, &report, db, opts_json, tty ? on_progress : NULL, NULL);
	if (tty)
		fprintf(stderr, "\r\033[K");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		crmw_buf_dispose(&report);
		return cli_lib_error(rc, "tasks gen");
	}
	rc = crmw_task_set_save(ts, out_path, ends_with(out_path, ".jsonl") ? CRMW_TASKS_JSONL : CRMW_TASKS_JSON);
	if (rc) {
		crmw_task_set_free(ts);
		crmw_buf_dispose(&report);
		return cli_lib_error(rc, "tasks gen");
	}
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (as_json) {
		printf("%s\n", report.data);
	} else {
		json_t *r = json_loads(report.data, 0, NULL);
		/* copies: drafts identical to a task already made; short: slots left
		 * empty because the org has no other distinct task (docs/tasks.md) */
		printf("%-34s %6s %6s %8s %9s %7s %6s\n", "family", "tasks", "none", "attempts", "rejected", "copies", "short");
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(r, "families"), k, v) {
			printf("%-34s %6lld %6lld %8lld %9lld %7lld %6lld\n", k,
			       (long long)json_integer_value(json_object_get(v, "tasks")),
			       (long long)json_integer_value(json_object_get(v, "none")),
			       (long long)json_integer_value(json_object_get(v, "attempts")),
			       (long long)json_integer_value(json_object_get(v, "rejected")),
			       (long long)json_integer_value(json_object_get(v, "duplicates")),
			       (long long)json_integer_value(json_object_get(v, "short")));
		}
		printf("%lld tasks written to %s in %.2f s\n", (long long)crmw_task_set_count(ts), out_path, secs);
		json_decref(r);
	}
	crmw_task_set_free(ts);
	crmw_buf_dispose(&report);
	return CLI_OK;
}

static void print_table(const table *t, bool as_json, bool scores, int64_t total, double sum, int64_t ok)
{
	if (as_json) {
		json_t *fams = json_object();
		for (size_t i = 0; i < t->n; i++) {
			const fam_row *r = &t->rows[i];
			json_object_set_new(fams, r->name,
					    scores ? json_pack("{s:I, s:f, s:I}", "tasks", (json_int_t)r->tasks, "score",
							       r->tasks ? r->score / (double)r->tasks : 0.0, "missing",
							       (json_int_t)r->missing)
						   : json_pack("{s:I, s:I}", "tasks", (json_int_t)r->tasks, "gold_ok",
							       (json_int_t)r->ok));
		}
		json_t *all = scores ? json_pack("{s:o, s:I, s:f}", "families", fams, "tasks", (json_int_t)total, "score",
						 total ? sum / (double)total : 0.0)
				     : json_pack("{s:o, s:I, s:I}", "families", fams, "tasks", (json_int_t)total, "gold_ok",
						 (json_int_t)ok);
		char *text = json_dumps(all, JSON_COMPACT);
		printf("%s\n", text ? text : "{}");
		free(text);
		json_decref(all);
		return;
	}
	printf("%-34s %6s %8s\n", "family", "tasks", scores ? "score" : "gold_ok");
	for (size_t i = 0; i < t->n; i++) {
		const fam_row *r = &t->rows[i];
		if (scores)
			printf("%-34s %6lld %8.3f\n", r->name, (long long)r->tasks, r->tasks ? r->score / (double)r->tasks : 0.0);
		else
			printf("%-34s %6lld %8lld\n", r->name, (long long)r->tasks, (long long)r->ok);
	}
	if (scores)
		printf("%-34s %6lld %8.3f\n", "all", (long long)total, total ? sum / (double)total : 0.0);
	else
		printf("%-34s %6lld %8lld\n", "all", (long long)total, (long long)ok);
}

static int run_check(crmw_db *db, const crmw_task_set *ts, bool as_json)
{
	table t = {0};
	int64_t n = crmw_task_set_count(ts), ok = 0;
	crmw_buf rep = CRMW_BUF_INIT;
	int rc = CLI_OK;
	for (int64_t i = 0; i < n && rc == CLI_OK; i++) {
		json_t *task = task_json(ts, i);
		fam_row *r = task ? row_of(&t, family_of(task)) : NULL;
		int lrc = r ? crmw_task_check(&rep, ts, i, db) : CRMW_ENOMEM;
		if (lrc) {
			rc = cli_lib_error(lrc, "tasks check");
		} else {
			json_t *j = json_loadb(rep.data, rep.len, 0, NULL);
			r->tasks++;
			if (json_is_true(json_object_get(j, "ok"))) {
				r->ok++;
				ok++;
			} else {
				fprintf(stderr, "crmweaver: tasks check: task %lld (%s): %s\n", (long long)i, r->name,
					json_string_value(json_object_get(j, "error")) ? json_string_value(json_object_get(j, "error"))
										       : "reward below 1");
			}
			json_decref(j);
		}
		json_decref(task);
	}
	if (rc == CLI_OK) {
		print_table(&t, as_json, false, n, 0, ok);
		if (ok != n)
			rc = CLI_FAIL;
	}
	crmw_buf_dispose(&rep);
	free(t.rows);
	return rc;
}

static char *answer_text(const json_t *a)
{
	if (json_is_string(a))
		return strdup(json_string_value(a));
	if (json_is_null(a) || !a)
		return strdup("None");
	if (json_is_array(a)) {
		size_t cap = 64, len = 0;
		char *s = malloc(cap);
		if (!s)
			return NULL;
		s[0] = '\0';
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) {
			const char *piece = json_is_string(v) ? json_string_value(v) : "None";
			size_t need = len + strlen(piece) + 3;
			if (need > cap) {
				cap = need * 2;
				char *ns = realloc(s, cap);
				if (!ns) {
					free(s);
					return NULL;
				}
				s = ns;
			}
			len += (size_t)sprintf(s + len, "%s%s", i ? ", " : "", piece);
		}
		if (len == 0) {
			free(s);
			return strdup("None");
		}
		return s;
	}
	return json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int run_score(const crmw_task_set *ts, const char *pred_path, bool as_json)
{
	FILE *f = fopen(pred_path, "r");
	if (!f)
		return cli_error(CLI_FAIL, "tasks score: cannot open '%s'", pred_path);
	int64_t n = crmw_task_set_count(ts);
	char **answers = calloc((size_t)(n ? n : 1), sizeof *answers);
	char **messages = calloc((size_t)(n ? n : 1), sizeof *messages);
	int rc = answers && messages ? CLI_OK : cli_error(CLI_FAIL, "tasks score: out of memory");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int64_t lineno = 0;
	while (rc == CLI_OK && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		json_error_t e;
		json_t *p = json_loads(line, 0, &e);
		if (!json_is_object(p)) {
			rc = cli_error(CLI_FAIL, "tasks score: %s line %lld: not a JSON object (%s)", pred_path, (long long)lineno,
				       e.text);
			json_decref(p);
			break;
		}
		json_t *idx = json_object_get(p, "idx"), *id = json_object_get(p, "id");
		char key[64];
		if (json_is_string(id))
			snprintf(key, sizeof key, "%s", json_string_value(id));
		else if (json_is_integer(idx))
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(idx));
		else
			key[0] = '\0';
		int64_t k;
		if (!key[0] || !json_object_get(p, "answer")) {
			rc = cli_error(CLI_FAIL, "tasks score: %s line %lld: a prediction needs \"idx\" (or \"id\") and \"answer\"",
				       pred_path, (long long)lineno);
		} else if (crmw_task_set_find(&k, ts, key)) {
			rc = cli_error(CLI_FAIL, "tasks score: %s line %lld: no task with idx or id '%s'", pred_path,
				       (long long)lineno, key);
		} else {
			free(answers[k]);
			free(messages[k]);
			answers[k] = answer_text(json_object_get(p, "answer"));
			json_t *m = json_object_get(p, "messages");
			messages[k] = m ? json_dumps(m, JSON_COMPACT) : NULL;
		}
		json_decref(p);
	}
	free(line);
	fclose(f);
	table t = {0};
	double sum = 0;
	crmw_buf info = CRMW_BUF_INIT;
	for (int64_t i = 0; rc == CLI_OK && i < n; i++) {
		json_t *task = task_json(ts, i);
		fam_row *r = task ? row_of(&t, family_of(task)) : NULL;
		json_decref(task);
		if (!r) {
			rc = cli_error(CLI_FAIL, "tasks score: out of memory");
			break;
		}
		r->tasks++;
		if (!answers[i]) {
			r->missing++;
			continue;
		}
		double s;
		int lrc = crmw_task_score(&s, &info, ts, i, answers[i], messages[i], NULL, NULL);
		if (lrc) {
			rc = cli_lib_error(lrc, "tasks score");
			break;
		}
		r->score += s;
		sum += s;
	}
	if (rc == CLI_OK)
		print_table(&t, as_json, true, n, sum, 0);
	for (int64_t i = 0; answers && messages && i < n; i++) {
		free(answers[i]);
		free(messages[i]);
	}
	free(answers);
	free(messages);
	free(t.rows);
	crmw_buf_dispose(&info);
	return rc;
}

static json_t *stats_of(const char *path, const char *opts, int *rc)
{
	crmw_task_set *ts = NULL;
	crmw_buf out = CRMW_BUF_INIT;
	int lrc = crmw_task_set_load(&ts, path);
	lrc = lrc ? lrc : crmw_task_set_stats(&out, ts, opts);
	crmw_task_set_free(ts);
	json_t *v = lrc ? NULL : json_loads(out.data, 0, NULL);
	crmw_buf_dispose(&out);
	if (lrc)
		*rc = cli_lib_error(lrc, path);
	return v;
}

static void stats_line(const char *label, const json_t *f)
{
	const json_t *t = json_object_get(f, "time");
	printf("  %-9s %5lld %5lld %6lld %5.0f%% %5.0f%% %5lld %4lld   rel %3.0f%% ago %3.0f%% mon %3.0f%% qtr %3.0f%% "
	       "sea %3.0f%% yr %3.0f%%\n",
	       label, (long long)json_integer_value(json_object_get(f, "tasks")),
	       (long long)json_integer_value(json_object_get(f, "templates")),
	       (long long)json_integer_value(json_object_get(f, "fourgrams")),
	       100 * json_number_value(json_object_get(f, "none_share")),
	       100 * json_number_value(json_object_get(f, "top_answer_share")),
	       (long long)json_integer_value(json_object_get(f, "distinct_answers")),
	       (long long)json_integer_value(json_object_get(f, "threshold_max")),
	       100 * json_number_value(json_object_get(t, "relative")), 100 * json_number_value(json_object_get(t, "ago")),
	       100 * json_number_value(json_object_get(t, "month")), 100 * json_number_value(json_object_get(t, "quarter")),
	       100 * json_number_value(json_object_get(t, "season")), 100 * json_number_value(json_object_get(t, "year")));
}

/* tasks stats: one file, or two side by side (the second's families
 * follow the first's; a family only the second has comes after). */
static int run_stats(const char *path, const char *against, int64_t sample, bool as_json)
{
	char opts[64];
	snprintf(opts, sizeof opts, "{\"sample\":%lld}", (long long)sample);
	int rc = CLI_OK;
	json_t *a = stats_of(path, opts, &rc);
	json_t *b = a && against ? stats_of(against, opts, &rc) : NULL;
	if (rc != CLI_OK) {
		json_decref(a);
		return rc;
	}
	if (as_json) {
		json_t *all = b ? json_pack("{s:O, s:O}", "tasks", a, "against", b) : json_incref(a);
		char *text = json_dumps(all, JSON_COMPACT);
		printf("%s\n", text ? text : "null");
		free(text);
		json_decref(all);
	} else {
		printf("%-36s %5s %5s %6s %6s %6s %5s %4s   time phrases\n", "family", "tasks", "tmpl", "4grams", "none",
		       "top", "answ", "thr");
		const char *name;
		json_t *f;
		json_object_foreach(json_object_get(a, "families"), name, f) {
			printf("%s\n", name);
			stats_line(b ? "this" : "", f);
			const json_t *g = b ? json_object_get(json_object_get(b, "families"), name) : NULL;
			if (g)
				stats_line("against", g);
		}
		json_object_foreach(json_object_get(b, "families"), name, f) {
			if (json_object_get(json_object_get(a, "families"), name))
				continue;
			printf("%s\n", name);
			stats_line("against", f);
		}
	}
	json_decref(a);
	json_decref(b);
	return CLI_OK;
}

static int run_baselines(const crmw_task_set *ts, crmw_db *db, const char *split, const char *candidates,
			 const char *user, const char *user_seed, const char *out_path, bool as_json)
{
	json_t *o = json_object();
	if (split)
		json_object_set_new(o, "split", json_string(split));
	if (candidates)
		json_object_set_new(o, "candidates", json_string(candidates));
	if (user || user_seed) {
		json_t *u = json_object();
		if (user)
			json_object_set_new(u, "mode", json_string(user));
		if (user_seed) {
			int64_t seed;
			int rc = cli_parse_count("tasks", "--user-seed", user_seed, &seed);
			if (rc) {
				json_decref(u);
				json_decref(o);
				return rc;
			}
			json_object_set_new(u, "seed", json_integer(seed));
		}
		json_object_set_new(o, "user", u);
	}
	char *ot = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	crmw_buf b = CRMW_BUF_INIT;
	int lrc = ot ? crmw_task_set_baselines(&b, ts, db, ot) : CRMW_ENOMEM;
	free(ot);
	if (lrc) {
		crmw_buf_dispose(&b);
		return cli_lib_error(lrc, "tasks baselines");
	}
	int rc = CLI_OK;
	if (out_path) {
		FILE *f = fopen(out_path, "w");
		bool ok = f && fprintf(f, "%s\n", b.data) >= 0;
		if (f && fclose(f) != 0)
			ok = false;
		if (!ok)
			rc = cli_error(CLI_FAIL, "tasks baselines: cannot write '%s': %s", out_path, strerror(errno));
	}
	if (rc == CLI_OK && as_json) {
		printf("%s\n", b.data);
	} else if (rc == CLI_OK) {
		json_t *doc = json_loads(b.data, 0, NULL);
		baselines_print(json_object_get(doc, "baselines"), NULL);
		json_decref(doc);
		if (out_path)
			fprintf(stderr, "baselines written to %s\n", out_path);
	}
	crmw_buf_dispose(&b);
	return rc;
}

static int run_families(bool as_json)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_task_families(&b);
	if (rc)
		return cli_lib_error(rc, "tasks families");
	if (as_json) {
		printf("%s\n", b.data);
	} else {
		json_t *arr = json_loadb(b.data, b.len, 0, NULL);
		size_t i;
		json_t *f;
		printf("%-34s %-9s %-9s %-18s %s\n", "family", "source", "persona", "metric", "profiles");
		json_array_foreach(arr, i, f) {
			char prof[64] = "";
			size_t k;
			json_t *p;
			json_array_foreach(json_object_get(f, "profiles"), k, p) {
				strncat(prof, k ? "," : "", sizeof prof - strlen(prof) - 1);
				strncat(prof, json_string_value(p), sizeof prof - strlen(prof) - 1);
			}
			printf("%-34s %-9s %-9s %-18s %s\n", json_string_value(json_object_get(f, "name")),
			       json_string_value(json_object_get(f, "source")), json_string_value(json_object_get(f, "persona")),
			       json_string_value(json_object_get(f, "metric")), prof);
		}
		json_decref(arr);
	}
	crmw_buf_dispose(&b);
	return CLI_OK;
}

int cmd_tasks(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "gen") && strcmp(sub, "check") && strcmp(sub, "score") && strcmp(sub, "families") &&
	    strcmp(sub, "stats") && strcmp(sub, "baselines"))
		return cli_error(CLI_USAGE, "tasks: unknown subcommand '%s' (gen, check, score, families, stats, baselines)",
				 sub);
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"families", required_argument, 0, 'f'},
		{"per-family", required_argument, 0, 'n'},
		{"seed", required_argument, 0, 's'},
		{"test-share", required_argument, 0, 'T'},
		{"holdout", required_argument, 0, 'H'},
		{"no-verify", no_argument, 0, 'V'},
		{"tasks", required_argument, 0, 't'},
		{"predictions", required_argument, 0, 'p'},
		{"against", required_argument, 0, 'a'},
		{"sample", required_argument, 0, 'S'},
		{"split", required_argument, 0, 'L'},
		{"candidates", required_argument, 0, 'C'},
		{"user", required_argument, 0, 'U'},
		{"user-seed", required_argument, 0, 'E'},
		{"output", required_argument, 0, 'o'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *db_path = NULL, *families = "all", *tasks_path = NULL, *pred_path = NULL, *out_path = NULL,
		   *holdout = NULL, *test_share = NULL, *against = NULL, *split = NULL, *candidates = NULL, *user = NULL,
		   *user_seed = NULL;
	int64_t per = 10, seed = 0, sample = 0;
	bool as_json = false, verify = true;
	int c, rc = CLI_OK;
	optind = 1;
	opterr = 0;
	argc--;
	argv++;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 'f': families = optarg; break;
		case 'n': rc = cli_parse_count("tasks", "--per-family", optarg, &per); break;
		case 's': rc = cli_parse_count("tasks", "--seed", optarg, &seed); break;
		case 'T': test_share = optarg; break;
		case 'H': holdout = optarg; break;
		case 'V': verify = false; break;
		case 't': tasks_path = optarg; break;
		case 'p': pred_path = optarg; break;
		case 'a': against = optarg; break;
		case 'S': rc = cli_parse_count("tasks", "--sample", optarg, &sample); break;
		case 'L': split = optarg; break;
		case 'C': candidates = optarg; break;
		case 'U': user = optarg; break;
		case 'E': user_seed = optarg; break;
		case 'o': out_path = optarg; break;
		case 'j': as_json = true; break;
		case 'h': usage(stdout); return CLI_OK;
		default: rc = cli_bad_option("tasks", argv); break;
		}
	}
	if (rc != CLI_OK)
		return rc;
	if (optind != argc)
		return cli_error(CLI_USAGE, "tasks %s: unexpected argument '%s'", sub, argv[optind]);
	if (strcmp(sub, "families") == 0)
		return run_families(as_json);
	if (strcmp(sub, "stats") == 0)
		return tasks_path ? run_stats(tasks_path, against, sample, as_json)
				  : cli_error(CLI_USAGE, "tasks stats: --tasks is required (see --help)");
	bool baselines = strcmp(sub, "baselines") == 0;
	if (!baselines && (split || candidates || user || user_seed))
		return cli_error(CLI_USAGE, "tasks %s: --split, --candidates, --user and --user-seed belong to tasks baselines",
				 sub);
	bool gen = strcmp(sub, "gen") == 0, check = strcmp(sub, "check") == 0;
	if ((gen || check) && !db_path)
		return cli_error(CLI_USAGE, "tasks %s: --db is required (see --help)", sub);
	if (gen && !out_path)
		return cli_error(CLI_USAGE, "tasks gen: -o TASKS.json is required");
	if (!gen && !tasks_path)
		return cli_error(CLI_USAGE, "tasks %s: --tasks is required (see --help)", sub);
	if (strcmp(sub, "score") == 0 && !pred_path)
		return cli_error(CLI_USAGE, "tasks score: --predictions is required (see --help)");
	double share = 0.2;
	if (test_share) {
		char *end;
		share = strtod(test_share, &end);
		if (*end || end == test_share || share < 0 || share > 1)
			return cli_error(CLI_USAGE, "tasks gen: --test-share takes a number from 0 to 1, not '%s'", test_share);
	}
	crmw_db *db = NULL;
	if (db_path) {
		int lrc = crmw_db_open(&db, db_path, CRMW_DB_READONLY);
		if (lrc)
			return cli_lib_error(lrc, db_path);
	}
	if (gen) {
		json_t *o = json_pack("{s:s, s:I, s:I, s:f, s:b}", "families", families, "per_family", (json_int_t)per, "seed",
				      (json_int_t)seed, "test_share", share, "verify", verify);
		if (holdout)
			json_object_set_new(o, "holdout", json_string(holdout));
		char *text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		rc = run_gen(db, text, out_path, as_json);
		free(text);
	} else {
		crmw_task_set *ts = NULL;
		int lrc = crmw_task_set_load(&ts, tasks_path);
		if (lrc)
			rc = cli_lib_error(lrc, "tasks");
		else
			rc = check	 ? run_check(db, ts, as_json)
			     : baselines ? run_baselines(ts, db, split, candidates, user, user_seed, out_path, as_json)
					 : run_score(ts, pred_path, as_json);
		crmw_task_set_free(ts);
	}
	crmw_db_free(db);
	return rc;
}
