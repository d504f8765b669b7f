/*
 * crmweaver report: one self-contained HTML page (no network, inline SVG
 * charts, a little inline JavaScript for the filters) over trajectory files:
 * with two or more runs a per-family comparison with deltas; the shortcut
 * baselines when given; per run its metadata, KPIs (backend errors
 * included), accuracy per family and per skill group, turn counts, latency,
 * the memories that answered with their text, and every episode with its
 * answer beside the gold answer, its messages and tool calls, filtered by
 * family and outcome.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver report TRAJ.jsonl [TRAJ.jsonl ...] -o report.html [--title TEXT]\n"
		"                        [--baselines auto|FILE.json] [--tasks TASKS.json] [--db ORG.db]\n"
		"                        [--memory MEM.db]\n"
		"\n"
		"Writes one self-contained HTML file (no network; charts are inline SVG, the filters a\n"
		"little inline JavaScript) over the episodes of the trajectory files (crmweaver run,\n"
		"rollout, demo).  Each file is one run in the page (its name is the label):\n"
		"  - two or more runs: a per-family comparison (accuracy, solved/tasks, the delta to the\n"
		"    first run) and a table of their KPIs;\n"
		"  - --baselines: the shortcut baselines as a table and as columns of the comparison:\n"
		"    auto computes them on the runs' tasks (each once) from --tasks (else the task file\n"
		"    of the first run whose metadata names one) and --db (else that run's org), with the\n"
		"    runs' simulated user (as crmweaver eval --baselines auto); FILE.json reads them (an\n"
		"    array of {\"name\", \"score\", \"families\": {FAMILY: {\"score\"}}});\n"
		"  - per run: its metadata (backend, model, task file, selection, sampling, version, dates:\n"
		"    TRAJ.jsonl.meta.json, written by crmweaver run), KPIs with the backend errors,\n"
		"    accuracy per family and per skill group, turn counts, a latency histogram, the\n"
		"    memories that answered with their text and usefulness, and every episode with its\n"
		"    answer beside the gold answer, its messages and tool calls, filtered by family and\n"
		"    outcome (the filter is also read from the address: report.html#run0:family=F&outcome=wrong).\n"
		"Gold answers come from the trajectories' reward_info, else --tasks (else the task file the\n"
		"run's metadata names); memory texts from --memory (else the run's store).\n"
		"\n"
		"examples:\n"
		"  crmweaver report test.jsonl holdout.jsonl -o report.html\n"
		"  crmweaver report base.jsonl tuned.jsonl --baselines auto -o compare.html\n"
		"  crmweaver report base.jsonl tuned.jsonl --baselines baselines.json -o compare.html\n");
}

/* ------------------------------------------------------------------ html */

static void esc(FILE *f, const char *s, size_t max)
{
	size_t n = 0;
	for (; s && *s && n < max; s++, n++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
	if (s && *s)
		fprintf(f, "&hellip; (%zu more bytes)", strlen(s));
}

typedef struct bar {
	const char *label;
	double value; /* 0..max */
	char note[64];
} bar;

/* A horizontal bar chart. */
static void svg_bars(FILE *f, const char *id, const bar *b, int n, double max, const char *unit)
{
	int h = 22 * n + 10, w = 1000, lx = 330;
	fprintf(f, "<svg id=\"%s\" class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", id, w, h, w,
		h);
	for (int i = 0; i < n; i++) {
		double v = max > 0 ? b[i].value / max : 0;
		int bw = (int)lround(v * (w - lx - 340)); /* room for the note */
		int y = 5 + 22 * i;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", lx - 6, y + 14);
		esc(f, b[i].label, 60);
		fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" class=\"bar\"/>", lx, y + 2, bw > 0 ? bw : 1);
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s%s</text>\n", lx + bw + 6, y + 14, b[i].note, unit);
	}
	fputs("</svg>\n", f);
}

/* A vertical histogram over labelled bins. */
static void svg_hist(FILE *f, const char *id, const char *const *labels, const int64_t *counts, int n)
{
	int64_t max = 1;
	for (int i = 0; i < n; i++)
		max = counts[i] > max ? counts[i] : max;
	int w = 40 * n + 40, h = 180;
	fprintf(f, "<svg id=\"%s\" class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", id, w, h, w,
		h);
	for (int i = 0; i < n; i++) {
		int bh = (int)lround((double)counts[i] / (double)max * 120);
		int x = 20 + 40 * i;
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"30\" height=\"%d\" class=\"bar\"/>", x, 145 - bh, bh > 0 ? bh : 0);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%lld</text>", x + 15, 140 - bh, (long long)counts[i]);
		fprintf(f, "<text x=\"%d\" y=\"165\" text-anchor=\"middle\" class=\"small\">%s</text>\n", x + 15, labels[i]);
	}
	fputs("</svg>\n", f);
}

/* ----------------------------------------------------------------- stats */

static const char *skill_of(const json_t *families, const char *family)
{
	size_t i;
	json_t *f;
	json_array_foreach(families, i, f) {
		if (strcmp(json_string_value(json_object_get(f, "name")), family) == 0)
			return json_string_value(json_object_get(f, "skill"));
	}
	return "host task";
}

static void accuracy_chart(FILE *f, const char *id, fam_stats *g, int n)
{
	qsort(g, (size_t)n, sizeof *g, stats_cmp);
	bar *b = calloc((size_t)n + 1, sizeof *b);
	for (int i = 0; b && i < n; i++) {
		b[i].label = g[i].name;
		b[i].value = g[i].tasks ? g[i].score / (double)g[i].tasks : 0;
		snprintf(b[i].note, sizeof b[i].note, "%.0f%% (%lld/%lld, %lld abst., %lld wrong, %lld err.)", 100 * b[i].value,
			 (long long)g[i].solved, (long long)g[i].tasks, (long long)g[i].abstained, (long long)g[i].wrong,
			 (long long)g[i].errors);
	}
	if (b)
		svg_bars(f, id, b, n, 1.0, "");
	free(b);
}

/* The outcome of an episode, for the filter: solved, wrong, abstained,
 * error (the backend failed) or other (out of turns, canceled, ...). */
static const char *outcome(const json_t *t)
{
	double r = json_number_value(json_object_get(t, "reward"));
	const char *end = json_string_value(json_object_get(t, "end_reason"));
	if (r >= 1.0)
		return "solved";
	if (traj_backend_error(t))
		return "error";
	if (end && strcmp(end, "abstained") == 0)
		return "abstained";
	if (end && strcmp(end, "answered") == 0)
		return "wrong";
	return "other";
}

/* ------------------------------------------------------------- episodes */

static void message_html(FILE *f, const json_t *m)
{
	const char *role = json_string_value(json_object_get(m, "role"));
	fprintf(f, "<div class=\"msg %s\"><b>", role && strspn(role, "abcdefghijklmnopqrstuvwxyz") == strlen(role) ? role : "");
	esc(f, role ? role : "?", 40);
	fputs("</b>", f);
	const char *content = json_string_value(json_object_get(m, "content"));
	if (content && *content) {
		fputs("<pre>", f);
		esc(f, content, strcmp(role ? role : "", "system") == 0 ? 600 : 3000);
		fputs("</pre>", f);
	}
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(m, "tool_calls"), i, c) {
		const json_t *fn = json_object_get(c, "function");
		fputs("<pre class=\"call\">&#8594; ", f);
		esc(f, json_string_value(json_object_get(fn, "name")), 200);
		fputc('(', f);
		const json_t *args = json_object_get(fn, "arguments");
		char *text = json_is_string(args) ? NULL : json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
		esc(f, text ? text : json_string_value(args), 1500);
		free(text);
		fputs(")</pre>", f);
	}
	fputs("</div>\n", f);
}

/* The gold answer as text: reward_info.gold, else the task file's. */
static char *gold_text(const json_t *t, const json_t *gold_by_task)
{
	const json_t *g = json_object_get(json_object_get(t, "reward_info"), "gold");
	if (!g) {
		const char *tid = json_string_value(json_object_get(t, "task_id"));
		g = tid ? json_object_get(gold_by_task, tid) : NULL;
	}
	if (!g)
		return NULL;
	if (json_is_string(g))
		return strdup(json_string_value(g));
	if (json_is_null(g))
		return strdup("None");
	if (json_is_array(g)) {
		size_t cap = 64, len = 0;
		char *out = malloc(cap);
		size_t i;
		json_t *v;
		json_array_foreach(g, i, v) {
			char *one = json_is_string(v) || json_is_null(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			const char *piece = json_is_string(v) ? json_string_value(v) : one ? one : "None";
			size_t need = len + strlen(piece) + 3;
			if (out && need > cap) {
				char *grown = realloc(out, cap = 2 * need);
				if (!grown)
					free(out);
				out = grown;
			}
			if (out)
				len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", piece);
			free(one);
		}
		if (out && len == 0) {
			free(out);
			out = strdup("None");
		}
		return out;
	}
	return json_dumps(g, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void episode_html(FILE *f, const json_t *t, const json_t *gold_by_task)
{
	double r = json_number_value(json_object_get(t, "reward"));
	const char *end = json_string_value(json_object_get(t, "end_reason"));
	const char *oc = outcome(t);
	const char *cls = r >= 1.0 ? "ok" : strcmp(oc, "abstained") == 0 ? "abst" : strcmp(oc, "error") == 0 ? "errep" : "bad";
	const char *fam = json_string_value(json_object_get(t, "task_family"));
	fprintf(f, "<details class=\"ep %s\" data-outcome=\"%s\" data-family=\"", cls, oc);
	esc(f, fam ? fam : "?", 100);
	fputs("\"><summary>", f);
	esc(f, json_string_value(json_object_get(t, "episode_id")), 200);
	fprintf(f, " &middot; %s &middot; reward %.2f &middot; %lld turns &middot; %.1f ms", end ? end : "?", r,
		(long long)json_integer_value(json_object_get(t, "turns")),
		(double)json_integer_value(json_object_get(json_object_get(t, "timings_us"), "total")) / 1000.0);
	const json_t *plan = json_object_get(t, "plan");
	if (plan && !json_is_null(plan))
		fprintf(f, " &middot; plan of memory %lld%s", (long long)json_integer_value(json_object_get(plan, "memory_id")),
			json_is_true(json_object_get(plan, "free_text")) ? " (rules of a family that reads free text)" : "");
	fputs("</summary>\n", f);
	const char *err = json_string_value(json_object_get(t, "error"));
	if (err) {
		fputs("<p class=\"err\">", f);
		esc(f, err, 600);
		fputs("</p>", f);
	}
	fputs("<table class=\"ans\"><tr><th>answer</th><td><code class=\"answer\">", f);
	const char *ans = json_string_value(json_object_get(t, "answer"));
	esc(f, ans ? ans : "(none)", 500);
	fputs("</code></td></tr><tr><th>gold</th><td><code class=\"gold\">", f);
	char *gold = gold_text(t, gold_by_task);
	esc(f, gold ? gold : "(not known: give --tasks)", 500);
	free(gold);
	fputs("</code></td></tr></table>\n", f);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(t, "messages"), i, m) message_html(f, m);
	fputs("</details>\n", f);
}

/* ------------------------------------------------------------ sources */

/* task id -> its gold answer (the "answer" field), from a task file. */
static json_t *gold_map(const char *tasks_path)
{
	json_t *map = json_object();
	crmw_task_set *ts = NULL;
	if (!map || !tasks_path || crmw_task_set_load(&ts, tasks_path) != CRMW_OK)
		return map;
	crmw_buf b = CRMW_BUF_INIT;
	for (int64_t i = 0; i < crmw_task_set_count(ts); i++) {
		if (crmw_task_set_get(&b, ts, i) != CRMW_OK)
			break;
		json_t *t = json_loadb(b.data, b.len, 0, NULL);
		const char *id = json_string_value(json_object_get(t, "id"));
		json_t *a = json_object_get(t, "answer");
		if (id && a)
			json_object_set(map, id, a);
		json_decref(t);
	}
	crmw_buf_dispose(&b);
	crmw_task_set_free(ts);
	return map;
}

static const char *meta_str(const json_t *meta, const char *key)
{
	return json_string_value(json_object_get(meta, key));
}

/* The run's metadata as a table. */
static void meta_html(FILE *f, int s, const json_t *meta)
{
	if (!meta) {
		fprintf(f, "<p class=\"small\" id=\"meta-%d\">No run metadata (TRAJ.jsonl.meta.json is written by crmweaver run "
			   "and rollout).</p>\n",
			s);
		return;
	}
	fprintf(f, "<table class=\"meta\" id=\"meta-%d\">\n", s);
	static const char *const keys[][2] = {{"command", "command"},   {"backend", "backend"},
					      {"model", "model"},       {"model_url", "server"},
					      {"db", "org"},            {"tasks", "task file"},
					      {"tasks_fingerprint", "tasks fingerprint"},
					      {"memory", "memory"},     {"role", "role"},
					      {"crmweaver_version", "crmweaver"}, {"started", "started"},
					      {"finished", "finished"}};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = meta_str(meta, keys[i][0]);
		if (!v)
			continue;
		fprintf(f, "<tr><th>%s</th><td>", keys[i][1]);
		esc(f, v, 300);
		fputs("</td></tr>\n", f);
	}
	json_t *sel = json_object_get(meta, "selection");
	char *st = sel ? json_dumps(sel, JSON_COMPACT) : NULL;
	json_t *http = json_object_get(meta, "http");
	char *ht = json_object_size(http) ? json_dumps(http, JSON_COMPACT) : NULL;
	json_t *agent = json_object_get(meta, "agent");
	char *at = json_object_size(agent) ? json_dumps(agent, JSON_COMPACT) : NULL;
	const char *rows[][2] = {{"selection", st}, {"sampling and HTTP options", ht}, {"agent options", at}};
	for (size_t i = 0; i < 3; i++) {
		if (!rows[i][1])
			continue;
		fprintf(f, "<tr><th>%s</th><td><code>", rows[i][0]);
		esc(f, rows[i][1], 600);
		fputs("</code></td></tr>\n", f);
	}
	free(st);
	free(ht);
	free(at);
	fprintf(f, "<tr><th>episodes</th><td>%lld written of %lld%s</td></tr>\n",
		(long long)json_integer_value(json_object_get(meta, "written")),
		(long long)json_integer_value(json_object_get(meta, "episodes")),
		json_is_true(json_object_get(meta, "complete")) ? "" : " (incomplete: --resume finishes it)");
	fputs("</table>\n", f);
}

/* ------------------------------------------------------------ comparison */

/* The per-family comparison of two or more runs (and the baselines). */
static void compare_html(FILE *f, json_t *const *splits, const char *const *names, int n, const json_t *baselines)
{
	stats *st = calloc((size_t)n, sizeof *st);
	json_t *fams = json_object();
	if (!st || !fams) {
		free(st);
		json_decref(fams);
		return;
	}
	for (int s = 0; s < n; s++) {
		size_t i;
		json_t *t;
		json_array_foreach(splits[s], i, t) {
			stats_add(&st[s], t);
			const char *fam = json_string_value(json_object_get(t, "task_family"));
			json_object_set_new(fams, fam ? fam : "?", json_true());
		}
	}
	size_t nb = json_array_size(baselines);
	fputs("<section id=\"comparison\"><h2>Comparison</h2>\n<p>Accuracy (mean reward) per family, solved of tasks, and "
	      "the change from the first run.</p>\n<table id=\"compare\"><tr><th>family</th>",
	      f);
	for (int s = 0; s < n; s++) {
		fputs("<th>", f);
		esc(f, names[s], 120);
		fputs(s ? "</th><th>&Delta;</th>" : "</th>", f);
	}
	for (size_t b = 0; b < nb; b++) {
		fputs("<th class=\"baseline\">baseline: ", f);
		esc(f, json_string_value(json_object_get(json_array_get(baselines, b), "name")), 80);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	/* the families in name order, then "all" */
	size_t nf = json_object_size(fams);
	const char **order = calloc(nf + 1, sizeof *order);
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(fams, key, v) if (order) order[k++] = key;
	for (size_t a = 1; order && a < k; a++)
		for (size_t b = a; b > 0 && strcmp(order[b - 1], order[b]) > 0; b--) {
			const char *x = order[b];
			order[b] = order[b - 1];
			order[b - 1] = x;
		}
	for (size_t r = 0; order && r <= k; r++) {
		const char *fam = r < k ? order[r] : "all";
		fprintf(f, "<tr class=\"%s\" data-family=\"", r < k ? "fam" : "all");
		esc(f, fam, 100);
		fputs("\"><td>", f);
		esc(f, fam, 100);
		fputs("</td>", f);
		double first = NAN;
		for (int s = 0; s < n; s++) {
			fam_stats one, *g = NULL;
			if (r == k) {
				stats_total(&st[s], &one);
				g = &one;
			} else {
				for (size_t i = 0; i < st[s].n; i++)
					if (strcmp(st[s].rows[i].name, fam) == 0)
						g = &st[s].rows[i];
			}
			if (!g || g->tasks == 0) {
				fputs(s ? "<td>&ndash;</td><td></td>" : "<td>&ndash;</td>", f);
				continue;
			}
			double acc = g->score / (double)g->tasks;
			fprintf(f, "<td class=\"acc\">%.3f <span class=\"small\">(%lld/%lld)</span></td>", acc, (long long)g->solved,
				(long long)g->tasks);
			if (s == 0)
				first = acc;
			else if (isnan(first))
				fputs("<td></td>", f);
			else
				fprintf(f, "<td class=\"delta %s\">%+.3f</td>", acc > first ? "up" : acc < first ? "down" : "same",
					acc - first);
		}
		for (size_t b = 0; b < nb; b++) {
			const json_t *bl = json_array_get(baselines, b);
			const json_t *sc = r == k ? json_object_get(bl, "score")
						  : json_object_get(json_object_get(json_object_get(bl, "families"), fam), "score");
			if (json_is_number(sc))
				fprintf(f, "<td class=\"baseline\">%.3f</td>", json_number_value(sc));
			else
				fputs("<td class=\"baseline\">&ndash;</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h3>KPIs</h3>\n<table id=\"compare-kpi\"><tr><th></th>", f);
	for (int s = 0; s < n; s++) {
		fputs("<th>", f);
		esc(f, names[s], 120);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	static const char *const kpis[] = {"episodes", "accuracy", "solved", "wrong", "abstained", "backend errors",
					   "answered by plans", "mean turns"};
	for (size_t q = 0; q < sizeof kpis / sizeof kpis[0]; q++) {
		fprintf(f, "<tr><td>%s</td>", kpis[q]);
		for (int s = 0; s < n; s++) {
			fam_stats a;
			stats_total(&st[s], &a);
			double nn = a.tasks ? (double)a.tasks : 1;
			switch (q) {
			case 0: fprintf(f, "<td>%lld</td>", (long long)a.tasks); break;
			case 1: fprintf(f, "<td>%.3f</td>", a.score / nn); break;
			case 2: fprintf(f, "<td>%lld</td>", (long long)a.solved); break;
			case 3: fprintf(f, "<td>%lld</td>", (long long)a.wrong); break;
			case 4: fprintf(f, "<td>%lld</td>", (long long)a.abstained); break;
			case 5: fprintf(f, "<td class=\"errors\">%lld</td>", (long long)a.errors); break;
			case 6: fprintf(f, "<td>%lld</td>", (long long)a.plans); break;
			default: fprintf(f, "<td>%.1f</td>", (double)a.turns / nn); break;
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></section>\n", f);
	free(order);
	for (int s = 0; s < n; s++)
		free(st[s].rows);
	free(st);
	json_decref(fams);
}

/* The shortcut baselines (the reward-integrity checks' answers that need no
 * work: they say how much of a score a shortcut would get). */
static void baselines_html(FILE *f, const json_t *baselines)
{
	fputs("<section id=\"baselines\"><h2>Shortcut baselines</h2>\n"
	      "<p>The score of answers that take a shortcut instead of solving the task: a run should be well above "
	      "them.</p>\n<table id=\"baseline-table\"><tr><th>baseline</th><th>score</th><th>families</th></tr>\n",
	      f);
	size_t i;
	json_t *b;
	json_array_foreach(baselines, i, b) {
		const char *desc = json_string_value(json_object_get(b, "description"));
		fputs("<tr class=\"baseline\"><td", f);
		if (desc) {
			fputs(" title=\"", f);
			esc(f, desc, 300);
			fputs("\"", f);
		}
		fputs(">", f);
		esc(f, json_string_value(json_object_get(b, "name")), 120);
		fprintf(f, "</td><td>%.3f</td><td>", json_number_value(json_object_get(b, "score")));
		const char *k;
		json_t *v;
		int first = 1;
		json_object_foreach(json_object_get(b, "families"), k, v) {
			fputs(first ? "" : ", ", f);
			esc(f, k, 80);
			fprintf(f, " %.3f", json_number_value(json_object_get(v, "score")));
			first = 0;
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table></section>\n", f);
}

/* ----------------------------------------------------------------- page */

/* The filters: per run, a family and outcome selection hiding episodes;
 * the address (#run0:family=F&outcome=wrong,error) sets them too. */
static const char FILTER_JS[] =
	"<script>\n"
	"(function(){\n"
	"function apply(sec){\n"
	"  var fam=sec.querySelector('select.ff').value, shown=0, all=0;\n"
	"  var oks={};sec.querySelectorAll('input.fo').forEach(function(c){oks[c.value]=c.checked;});\n"
	"  sec.querySelectorAll('details.ep').forEach(function(e){\n"
	"    var on=(fam===''||e.dataset.family===fam)&&oks[e.dataset.outcome];\n"
	"    e.hidden=!on; all++; if(on)shown++;});\n"
	"  sec.dataset.filterFamily=fam;\n"
	"  sec.querySelector('.shown').textContent=shown+' of '+all+' episodes shown';\n"
	"}\n"
	"function fromHash(){\n"
	"  var h=decodeURIComponent(location.hash.slice(1)); if(!h)return;\n"
	"  h.split(';').forEach(function(part){\n"
	"    var m=/^run(\\d+):(.*)$/.exec(part); if(!m)return;\n"
	"    var sec=document.getElementById('split-'+m[1]); if(!sec)return;\n"
	"    m[2].split('&').forEach(function(kv){\n"
	"      var i=kv.indexOf('='), k=kv.slice(0,i), v=kv.slice(i+1);\n"
	"      if(k==='family')sec.querySelector('select.ff').value=v;\n"
	"      if(k==='outcome'){var want=v.split(',');\n"
	"        sec.querySelectorAll('input.fo').forEach(function(c){c.checked=want.indexOf(c.value)>=0;});}\n"
	"    });\n"
	"    apply(sec);});\n"
	"}\n"
	"document.querySelectorAll('section.split').forEach(function(sec){\n"
	"  sec.querySelectorAll('select.ff,input.fo').forEach(function(c){c.addEventListener('change',function(){apply(sec);});});\n"
	"  apply(sec);});\n"
	"fromHash(); window.addEventListener('hashchange',fromHash);\n"
	"})();\n"
	"</script>\n";

int report_write(const char *path, const char *title, json_t *const *splits, const char *const *names, int nsplits,
		 const report_extra *extra)
{
	report_extra none = {0};
	if (!extra)
		extra = &none;
	FILE *f = fopen(path, "w");
	if (!f)
		return cli_error(CLI_FAIL, "report: cannot write '%s': %s", path, strerror(errno));
	crmw_buf fb = CRMW_BUF_INIT;
	json_t *families = crmw_task_families(&fb) == CRMW_OK ? json_loads(fb.data, 0, NULL) : NULL;
	crmw_buf_dispose(&fb);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
	esc(f, title, 200);
	fputs("</title>\n<style>\n"
	      "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}\n"
	      "h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}\n"
	      "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}\n"
	      "td:first-child,th:first-child{text-align:left}table.meta td,table.ans td{text-align:left}\n"
	      ".chart text{font-size:12px;fill:#333}.chart .small{font-size:10px}.bar{fill:#3b7dd8}.small{font-size:11px;color:#666}\n"
	      ".ep{margin:2px 0;padding:2px 8px;border-left:4px solid #999}.ep.ok{border-color:#2a9d4b}"
	      ".ep.bad{border-color:#d33}.ep.abst{border-color:#bbb}.ep.errep{border-color:#e08a00}\n"
	      ".msg{margin:6px 0 6px 12px}.msg pre{white-space:pre-wrap;margin:2px 0;background:#f6f6f6;padding:4px}\n"
	      ".msg.tool pre{background:#eef5ee}.msg.assistant pre{background:#eef2fa}pre.call{background:#fff6e0}\n"
	      ".err{color:#a33}.kpi{display:inline-block;margin:0 24px 8px 0}.kpi b{font-size:20px;display:block}\n"
	      ".delta.up{color:#2a9d4b}.delta.down{color:#d33}.baseline{color:#666}.filters{margin:8px 0}\n"
	      "code.gold{background:#eaf6ea}code.answer{background:#eef2fa}\n"
	      "</style></head><body>\n<h1>",
	      f);
	esc(f, title, 200);
	fputs("</h1>\n", f);
	if (nsplits >= 2)
		compare_html(f, splits, names, nsplits, extra->baselines);
	if (json_array_size(extra->baselines) > 0)
		baselines_html(f, extra->baselines);
	for (int s = 0; s < nsplits; s++) {
		const json_t *eps = splits[s];
		const json_t *meta = extra->metas ? extra->metas[s] : NULL;
		size_t n = json_array_size(eps);
		stats fam = {0}, sk = {0};
		fam_stats all = {.name = "all"};
		int64_t turns_hist[8] = {0}, lat_hist[8] = {0};
		json_t *mem = json_object(); /* memory id -> [uses, solved] */
		size_t i;
		json_t *t;
		json_array_foreach(eps, i, t) {
			const char *fname = json_string_value(json_object_get(t, "task_family"));
			fam_stats *g = stats_row(&fam, fname ? fname : "?");
			fam_stats *k = stats_row(&sk, skill_of(families, fname ? fname : "?"));
			if (g)
				stats_count(g, t);
			if (k)
				stats_count(k, t);
			stats_count(&all, t);
			const json_t *plan = json_object_get(t, "plan");
			bool used = plan && !json_is_null(plan);
			int64_t tn = json_integer_value(json_object_get(t, "turns"));
			turns_hist[tn <= 0 ? 0 : tn >= 7 ? 7 : tn]++;
			double ms = (double)json_integer_value(json_object_get(json_object_get(t, "timings_us"), "total")) / 1000.0;
			int b = ms < 0.5 ? 0 : ms < 1 ? 1 : ms < 2 ? 2 : ms < 5 ? 3 : ms < 10 ? 4 : ms < 100 ? 5 : ms < 1000 ? 6 : 7;
			lat_hist[b]++;
			if (used) {
				char key[32];
				snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(plan, "memory_id")));
				json_t *u = json_object_get(mem, key);
				if (!u)
					json_object_set_new(mem, key, u = json_pack("[i,i]", 0, 0));
				json_array_set_new(u, 0, json_integer(json_integer_value(json_array_get(u, 0)) + 1));
				json_array_set_new(u, 1, json_integer(json_integer_value(json_array_get(u, 1)) +
								    (json_number_value(json_object_get(t, "reward")) >= 1.0)));
			}
		}
		fprintf(f, "<section class=\"split\" id=\"split-%d\"><h2>", s);
		esc(f, names[s], 200);
		fputs("</h2>\n", f);
		meta_html(f, s, meta);
		double nn = n ? (double)n : 1;
		fprintf(f,
			"<div class=\"kpis\"><div class=\"kpi\"><b>%zu</b>episodes</div><div class=\"kpi\"><b>%.1f%%</b>accuracy</div>"
			"<div class=\"kpi\"><b>%lld</b>solved</div><div class=\"kpi\"><b>%lld</b>wrong</div>"
			"<div class=\"kpi\"><b>%lld</b>abstained</div><div class=\"kpi errors\"><b>%lld</b>backend errors</div>"
			"<div class=\"kpi\"><b>%.1f%%</b>memory hit rate</div>"
			"<div class=\"kpi\"><b>%lld</b>answered by plans</div><div class=\"kpi\"><b>%.1f</b>mean turns</div>"
			"<div class=\"kpi\"><b>%.2f ms</b>mean time</div></div>\n",
			n, 100 * all.score / nn, (long long)all.solved, (long long)all.wrong, (long long)all.abstained,
			(long long)all.errors, 100 * (double)all.mem_hits / nn, (long long)all.plans, (double)all.turns / nn,
			all.ms / nn);
		char *sum = errors_summary(eps);
		if (sum) {
			fputs("<p class=\"err errsum\">", f);
			esc(f, sum, 1200);
			fputs("</p>\n", f);
			free(sum);
		}
		fputs("<h3>Accuracy per family</h3>\n", f);
		char id[64];
		snprintf(id, sizeof id, "acc-family-%d", s);
		accuracy_chart(f, id, fam.rows, (int)fam.n);
		fputs("<h3>Accuracy per skill group</h3>\n", f);
		snprintf(id, sizeof id, "acc-skill-%d", s);
		accuracy_chart(f, id, sk.rows, (int)sk.n);
		static const char *const tl[8] = {"0", "1", "2", "3", "4", "5", "6", "7+"};
		static const char *const ll[8] = {"<0.5ms", "<1ms", "<2ms", "<5ms", "<10ms", "<100ms", "<1s", ">=1s"};
		fputs("<h3>Turns per episode</h3>\n", f);
		snprintf(id, sizeof id, "turns-%d", s);
		svg_hist(f, id, tl, turns_hist, 8);
		fputs("<h3>Latency per episode</h3>\n", f);
		snprintf(id, sizeof id, "latency-%d", s);
		svg_hist(f, id, ll, lat_hist, 8);
		fputs("<h3>Shared memory: the memories that answered</h3>\n", f);
		if (json_object_size(mem) == 0) {
			fputs("<p>No episode was answered by a memory's plan.</p>\n", f);
		} else {
			const char *mp = extra->memory_path ? extra->memory_path : meta_str(meta, "memory");
			crmw_memory *store = NULL;
			if (mp && crmw_memory_open(&store, mp, "{\"create\":false,\"readonly\":true}") != CRMW_OK)
				store = NULL;
			fprintf(f, "<table class=\"mem\" id=\"mem-%d\"><tr><th>memory</th><th>episodes</th><th>solved</th>"
				   "<th>usefulness</th><th>guideline</th></tr>\n",
				s);
			const char *key;
			json_t *u;
			crmw_buf mb = CRMW_BUF_INIT;
			json_object_foreach(mem, key, u) {
				int64_t uses = json_integer_value(json_array_get(u, 0)), ok = json_integer_value(json_array_get(u, 1));
				fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%.0f%%</td><td class=\"memtext\">", key,
					(long long)uses, (long long)ok, uses ? 100.0 * (double)ok / (double)uses : 0.0);
				json_t *e = store && crmw_memory_get(&mb, store, strtoll(key, NULL, 10)) == CRMW_OK
						    ? json_loadb(mb.data, mb.len, 0, NULL)
						    : NULL;
				if (e) {
					fputs("<b>", f);
					esc(f, json_string_value(json_object_get(e, "title")), 200);
					fputs("</b> ", f);
					esc(f, json_string_value(json_object_get(e, "text")), 800);
				} else {
					fputs(store ? "(no longer in the store)" : "(the text is in the memory store: give --memory)", f);
				}
				json_decref(e);
				fputs("</td></tr>\n", f);
			}
			crmw_buf_dispose(&mb);
			crmw_memory_free(store);
			fputs("</table>\n", f);
		}
		json_decref(mem);
		/* the episodes, with their filter */
		const char *tp = extra->tasks_path ? extra->tasks_path : meta_str(meta, "tasks");
		json_t *gold = gold_map(tp);
		qsort(fam.rows, fam.n, sizeof *fam.rows, stats_cmp);
		fprintf(f, "<h3>Episodes</h3>\n<div class=\"filters\" id=\"filters-%d\">family <select class=\"ff\">"
			   "<option value=\"\">all</option>",
			s);
		for (size_t r = 0; r < fam.n; r++) {
			fputs("<option value=\"", f);
			esc(f, fam.rows[r].name, 100);
			fputs("\">", f);
			esc(f, fam.rows[r].name, 100);
			fputs("</option>", f);
		}
		fputs("</select> outcome", f);
		static const char *const outcomes[] = {"solved", "wrong", "abstained", "error", "other"};
		for (size_t o = 0; o < 5; o++)
			fprintf(f, " <label><input type=\"checkbox\" class=\"fo\" value=\"%s\" checked> %s</label>", outcomes[o],
				outcomes[o]);
		fprintf(f, " &middot; <span class=\"shown\" id=\"shown-%d\">%zu of %zu episodes shown</span></div>\n", s, n, n);
		free(fam.rows);
		free(sk.rows);
		json_array_foreach(eps, i, t) episode_html(f, t, gold);
		json_decref(gold);
		fputs("</section>\n", f);
	}
	fputs(FILTER_JS, f);
	fputs("<p class=\"small\">Written by crmweaver report (libcrmweaver ", f);
	fputs(crmw_version_string(), f);
	fputs(").</p>\n</body></html>\n", f);
	json_decref(families);
	if ((ferror(f) | fclose(f)) != 0)
		return cli_error(CLI_FAIL, "report: writing '%s' failed: %s", path, strerror(errno));
	return CLI_OK;
}

/* The trajectories of one JSONL file; reports its own errors. */
json_t *report_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		cli_error(CLI_FAIL, "report: cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	json_t *out = json_array();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long long lineno = 0;
	while (out && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		json_error_t je;
		json_t *t = json_loadb(line, (size_t)n, 0, &je);
		if (!json_is_object(t)) {
			cli_error(CLI_FAIL, "report: %s line %lld is not a trajectory: %s", path, lineno, t ? "not an object" : je.text);
			json_decref(t);
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, t);
	}
	free(line);
	fclose(f);
	return out;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"title", required_argument, NULL, 't'},
		{"baselines", required_argument, NULL, 'B'},
		{"tasks", required_argument, NULL, 'T'},
		{"db", required_argument, NULL, 'd'},
		{"memory", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *title = "libcrmweaver evaluation report";
	report_extra extra = {0};
	const char *bpath = NULL, *db_path = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't': title = optarg; break;
		case 'B': bpath = optarg; break;
		case 'T': extra.tasks_path = optarg; break;
		case 'd': db_path = optarg; break;
		case 'm': extra.memory_path = optarg; break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			return cli_bad_option("report", argv);
		}
	}
	if (optind >= argc)
		return cli_error(CLI_USAGE, "report: name at least one trajectory file (see crmweaver report --help)");
	if (!out)
		return cli_error(CLI_USAGE, "report: -o report.html is required");
	bool bauto = bpath && strcmp(bpath, "auto") == 0;
	if (db_path && !bauto)
		return cli_error(CLI_USAGE, "report: --db serves --baselines auto (see crmweaver report --help)");
	json_t *baselines = NULL;
	if (bpath && !bauto && !(baselines = baselines_load("report", bpath)))
		return CLI_FAIL;
	int n = argc - optind;
	json_t **splits = calloc((size_t)n, sizeof *splits);
	json_t **metas = calloc((size_t)n, sizeof *metas);
	const char **names = calloc((size_t)n, sizeof *names);
	int rc = splits && names && metas ? CLI_OK : cli_error(CLI_FAIL, "report: out of memory");
	for (int i = 0; !rc && i < n; i++) {
		names[i] = argv[optind + i];
		if (!(splits[i] = report_load(names[i])))
			rc = CLI_FAIL;
		metas[i] = run_meta_load(names[i]);
	}
	extra.metas = metas;
	if (!rc && bauto)
		baselines = baselines_auto("report", splits, metas, names, n, extra.tasks_path, db_path, &rc);
	extra.baselines = baselines;
	if (!rc)
		rc = report_write(out, title, splits, names, n, &extra);
	for (int i = 0; splits && metas && i < n; i++) {
		json_decref(splits[i]);
		json_decref(metas[i]);
	}
	free(splits);
	free(metas);
	free(names);
	json_decref(baselines);
	if (!rc)
		fprintf(stderr, "report written to %s\n", out);
	return rc;
}
