/*
 * crmweaver report: one self-contained HTML page (no network, inline SVG
 * charts) over trajectory files: accuracy per family and per skill group,
 * turn counts, latency, shared-memory hits and usefulness, and every
 * episode with its messages and tool calls.
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
		"\n"
		"Writes one self-contained HTML file (no network; charts are inline SVG) over the\n"
		"episodes of the trajectory files (crmweaver run, rollout, demo): accuracy per family\n"
		"and per skill group, turn counts, a latency histogram, shared-memory hit rate and the\n"
		"usefulness of each memory that answered, and every episode with its messages and\n"
		"tool calls.  Each file is one split in the page (its name is the label).\n"
		"\n"
		"example:\n"
		"  crmweaver report test.jsonl holdout.jsonl -o report.html\n");
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
		snprintf(b[i].note, sizeof b[i].note, "%.0f%% (%lld/%lld, %lld abstained, %lld wrong)", 100 * b[i].value,
			 (long long)g[i].solved, (long long)g[i].tasks, (long long)g[i].abstained, (long long)g[i].wrong);
	}
	if (b)
		svg_bars(f, id, b, n, 1.0, "");
	free(b);
}

/* ------------------------------------------------------------- episodes */

static void message_html(FILE *f, const json_t *m)
{
	const char *role = json_string_value(json_object_get(m, "role"));
	fprintf(f, "<div class=\"msg %s\"><b>%s</b>", role ? role : "", role ? role : "?");
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
		esc(f, json_string_value(json_object_get(fn, "arguments")), 1500);
		fputs(")</pre>", f);
	}
	fputs("</div>\n", f);
}

static void episode_html(FILE *f, const json_t *t)
{
	double r = json_number_value(json_object_get(t, "reward"));
	const char *end = json_string_value(json_object_get(t, "end_reason"));
	const char *cls = r >= 1.0 ? "ok" : end && strcmp(end, "abstained") == 0 ? "abst" : "bad";
	fprintf(f, "<details class=\"ep %s\"><summary>", cls);
	esc(f, json_string_value(json_object_get(t, "episode_id")), 200);
	fprintf(f, " &middot; %s &middot; reward %.2f &middot; %lld turns &middot; %.1f ms", end ? end : "?", r,
		(long long)json_integer_value(json_object_get(t, "turns")),
		(double)json_integer_value(json_object_get(json_object_get(t, "timings_us"), "total")) / 1000.0);
	const json_t *plan = json_object_get(t, "plan");
	if (plan && !json_is_null(plan))
		fprintf(f, " &middot; plan of memory %lld", (long long)json_integer_value(json_object_get(plan, "memory_id")));
	fputs("</summary>\n", f);
	const char *err = json_string_value(json_object_get(t, "error"));
	if (err) {
		fputs("<p class=\"err\">", f);
		esc(f, err, 600);
		fputs("</p>", f);
	}
	fputs("<p>answer: <code>", f);
	const char *ans = json_string_value(json_object_get(t, "answer"));
	esc(f, ans ? ans : "(none)", 500);
	fputs("</code></p>\n", f);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(t, "messages"), i, m) message_html(f, m);
	fputs("</details>\n", f);
}

/* ----------------------------------------------------------------- page */

int report_write(const char *path, const char *title, json_t *const *splits, const char *const *names, int nsplits)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return cli_error(CLI_FAIL, "report: cannot write '%s': %s", path, strerror(errno));
	crmw_buf fb = CRMW_BUF_INIT;
	json_t *families = crmw_task_families(&fb) == CRMW_OK ? json_loads(fb.data, 0, NULL) : NULL;
	crmw_buf_dispose(&fb);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
	esc(f, title, 200);
	fputs("</title>\n<style>\n"
	      "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1040px;color:#222}\n"
	      "h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}\n"
	      "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}\n"
	      "td:first-child,th:first-child{text-align:left}\n"
	      ".chart text{font-size:12px;fill:#333}.chart .small{font-size:10px}.bar{fill:#3b7dd8}\n"
	      ".ep{margin:2px 0;padding:2px 8px;border-left:4px solid #999}.ep.ok{border-color:#2a9d4b}"
	      ".ep.bad{border-color:#d33}.ep.abst{border-color:#bbb}\n"
	      ".msg{margin:6px 0 6px 12px}.msg pre{white-space:pre-wrap;margin:2px 0;background:#f6f6f6;padding:4px}\n"
	      ".msg.tool pre{background:#eef5ee}.msg.assistant pre{background:#eef2fa}pre.call{background:#fff6e0}\n"
	      ".err{color:#a33}.kpi{display:inline-block;margin:0 24px 8px 0}.kpi b{font-size:20px;display:block}\n"
	      "</style></head><body>\n<h1>",
	      f);
	esc(f, title, 200);
	fputs("</h1>\n", f);
	for (int s = 0; s < nsplits; s++) {
		const json_t *eps = splits[s];
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
		double nn = n ? (double)n : 1;
		fprintf(f,
			"<div class=\"kpi\"><b>%zu</b>episodes</div><div class=\"kpi\"><b>%.1f%%</b>accuracy</div>"
			"<div class=\"kpi\"><b>%lld</b>solved</div><div class=\"kpi\"><b>%lld</b>wrong</div>"
			"<div class=\"kpi\"><b>%lld</b>abstained</div><div class=\"kpi\"><b>%.1f%%</b>memory hit rate</div>"
			"<div class=\"kpi\"><b>%lld</b>answered by plans</div><div class=\"kpi\"><b>%.1f</b>mean turns</div>"
			"<div class=\"kpi\"><b>%.2f ms</b>mean time</div>\n",
			n, 100 * all.score / nn, (long long)all.solved, (long long)all.wrong, (long long)all.abstained,
			100 * (double)all.mem_hits / nn, (long long)all.plans, (double)all.turns / nn, all.ms / nn);
		fputs("<h3>Accuracy per family</h3>\n", f);
		char id[64];
		snprintf(id, sizeof id, "acc-family-%d", s);
		accuracy_chart(f, id, fam.rows, (int)fam.n);
		fputs("<h3>Accuracy per skill group</h3>\n", f);
		snprintf(id, sizeof id, "acc-skill-%d", s);
		accuracy_chart(f, id, sk.rows, (int)sk.n);
		free(fam.rows);
		free(sk.rows);
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
			fputs("<table class=\"mem\"><tr><th>memory</th><th>episodes</th><th>solved</th><th>usefulness</th></tr>\n", f);
			const char *key;
			json_t *u;
			json_object_foreach(mem, key, u) {
				int64_t uses = json_integer_value(json_array_get(u, 0)), ok = json_integer_value(json_array_get(u, 1));
				fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%.0f%%</td></tr>\n", key, (long long)uses,
					(long long)ok, uses ? 100.0 * (double)ok / (double)uses : 0.0);
			}
			fputs("</table>\n", f);
		}
		json_decref(mem);
		fputs("<h3>Episodes</h3>\n", f);
		json_array_foreach(eps, i, t) episode_html(f, t);
		fputs("</section>\n", f);
	}
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
		cli_error(CLI_FAIL, "report: cannot open '%s'", path);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *title = "libcrmweaver evaluation report";
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't': title = optarg; break;
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
	int n = argc - optind;
	json_t **splits = calloc((size_t)n, sizeof *splits);
	const char **names = calloc((size_t)n, sizeof *names);
	int rc = splits && names ? CLI_OK : cli_error(CLI_FAIL, "report: out of memory");
	for (int i = 0; !rc && i < n; i++) {
		names[i] = argv[optind + i];
		if (!(splits[i] = report_load(names[i])))
			rc = CLI_FAIL;
	}
	if (!rc)
		rc = report_write(out, title, splits, names, n);
	for (int i = 0; splits && i < n; i++)
		json_decref(splits[i]);
	free(splits);
	free(names);
	if (!rc)
		fprintf(stderr, "report written to %s\n", out);
	return rc;
}
