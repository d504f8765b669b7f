/*
 * lib/tasks/synth.c: task synthesis.  The driver (options, families,
 * None quotas, verification by running the gold programs, ids and splits)
 * and the shared pieces the families use: a SQL helper for the reference
 * solutions, periods and their phrases, gold-program steps, personas and the
 * metadata texts.  The families themselves are in families.c (and
 * superlative.c, probes.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/synth.h"
#include "common/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ SQL helper */

json_t *crmw__syn_q(synth *s, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	int src = sqlite3_prepare_v2(s->db->sql, sql, -1, &st, NULL);
	if (src) {
		s->rc = crmw__db_sqlerr(s->db, src, "task synthesis");
		return NULL;
	}
	va_list ap;
	va_start(ap, types);
	crmw__stmt_bindv(st, types, ap);
	va_end(ap);
	json_t *rows = json_array();
	int ncol = sqlite3_column_count(st);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_array();
		for (int c = 0; c < ncol; c++) {
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_INTEGER:
				json_array_append_new(row, json_integer(sqlite3_column_int64(st, c)));
				break;
			case SQLITE_FLOAT:
				json_array_append_new(row, json_real(sqlite3_column_double(st, c)));
				break;
			case SQLITE_NULL:
				json_array_append_new(row, json_null());
				break;
			default:
				json_array_append_new(row, json_string((const char *)sqlite3_column_text(st, c)));
			}
		}
		json_array_append_new(rows, row);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		json_decref(rows);
		s->rc = crmw__db_sqlerr(s->db, src, "task synthesis");
		return NULL;
	}
	return rows;
}

const json_t *crmw__syn_cached(synth *s, int which, const char *sql)
{
	if (!s->cached[which])
		s->cached[which] = crmw__syn_q(s, sql, NULL);
	return s->cached[which];
}

const char *crmw__syn_str(const json_t *rows, size_t row, size_t col)
{
	return json_string_value(json_array_get(json_array_get(rows, row), col));
}

double crmw__syn_num(const json_t *rows, size_t row, size_t col)
{
	return json_number_value(json_array_get(json_array_get(rows, row), col));
}

json_t *crmw__syn_col(const json_t *rows, size_t col)
{
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_array_append(out, json_array_get(r, col));
	}
	return out;
}

char *crmw__syn_json_text(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

int crmw__syn_extreme(const json_t *rows, bool max, const char **id)
{
	size_t n = json_array_size(rows);
	if (n == 0)
		return -1;
	size_t best = 0;
	for (size_t i = 1; i < n; i++) {
		double v = crmw__syn_num(rows, i, 1), b = crmw__syn_num(rows, best, 1);
		if (max ? v > b : v < b)
			best = i;
	}
	double bv = crmw__syn_num(rows, best, 1);
	for (size_t i = 0; i < n; i++) {
		if (i != best && fabs(crmw__syn_num(rows, i, 1) - bv) <= 1e-9 * fmax(1.0, fabs(bv)))
			return 1; /* a tie, or too close to call */
	}
	*id = crmw__syn_str(rows, best, 0);
	return 0;
}

/* --------------------------------------------------------------- dates */

void crmw__syn_day_text(int64_t days, char out[11])
{
	int y, m, d;
	crmw__civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static void dt_text(int64_t days, char out[21])
{
	char d[11];
	crmw__syn_day_text(days, d);
	snprintf(out, 21, "%sT00:00:00Z", d);
}

int64_t crmw__syn_days(const char *date)
{
	int y, m, d;
	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	return crmw__days_from_civil(y, m, d);
}

void crmw__syn_today(synth *s, draft *d, int min_days)
{
	int64_t lo = s->start_days + min_days, hi = s->now_days;
	int64_t t = lo >= hi ? hi : lo + (int64_t)rng_below(&d->r, (uint32_t)(hi - lo));
	d->today_days = t;
	crmw__syn_day_text(t, d->today);
	dt_text(t, d->today_dt);
}

static const char *const number_words[] = {"zero", "one", "two",   "three", "four", "five", "six",
					   "seven", "eight", "nine", "ten",  "eleven", "twelve"};

int64_t crmw__syn_answered(const synth *s, const char *answer)
{
	json_t *a = json_pack("[s]", answer);
	char *key = a && s->answered ? json_dumps(a, JSON_COMPACT) : NULL;
	int64_t n = key ? json_integer_value(json_object_get(s->answered, key)) : 0;
	free(key);
	json_decref(a);
	return n;
}

/* N as a word (small N, half the time) or digits. */
const char *crmw__syn_count_text(draft *d, int n, char buf[16])
{
	if (n >= 0 && n <= 12 && rng_below(&d->r, 2) == 0)
		return number_words[n];
	snprintf(buf, 16, "%d", n);
	return buf;
}

static const char *const ordinals[] = {"first", "second", "third", "fourth"};
static const char *const seasons[] = {"Winter", "Spring", "Summer", "Fall", "Autumn"};

static void lower_first(char *s)
{
	if (*s >= 'A' && *s <= 'Z')
		*s = (char)(*s - 'A' + 'a');
}

/* A named period of `kind` containing day `day`. */
static void named_period(draft *d, period *p, int kind, int64_t day)
{
	int y, m, dd;
	crmw__civil_from_days(day, &y, &m, &dd);
	int sm, months;
	p->kind = kind;
	p->pname = NULL;
	switch (kind) {
	case P_MONTH:
		sm = m;
		months = 1;
		p->pname = crmw__month_names[m - 1];
		p->year = y;
		break;
	case P_QUARTER: {
		static const char *const q[] = {"Q1", "Q2", "Q3", "Q4"};
		sm = 3 * ((m - 1) / 3) + 1;
		months = 3;
		p->pname = q[(m - 1) / 3];
		p->year = y;
		break;
	}
	case P_SEASON: {
		int si = m == 12 || m <= 2 ? 0 : m <= 5 ? 1 : m <= 8 ? 2 : 3;
		if (si == 3 && rng_below(&d->r, 2))
			si = 4; /* Autumn */
		p->pname = seasons[si];
		sm = si == 0 ? 12 : si == 1 ? 3 : si == 2 ? 6 : 9;
		p->year = si == 0 && m <= 2 ? y - 1 : y; /* Winter YYYY starts in December of YYYY */
		y = p->year;
		months = 3;
		break;
	}
	default:
		sm = 1;
		months = 12;
		p->year = y;
		break;
	}
	int64_t a = crmw__days_from_civil(y, sm, 1);
	int ey = y + (sm - 1 + months) / 12, em = (sm - 1 + months) % 12 + 1;
	p->a_days = a;
	p->b_days = crmw__days_from_civil(ey, em, 1);
	dt_text(p->a_days, p->a);
	dt_text(p->b_days, p->b);
	const char *tm = NULL;
	char buf[96];
	switch (kind) {
	case P_MONTH:
		tm = "[in {m} {y}|in {m} {y}|during {m} {y}|in {m} of {y}|over {m} {y}|for {m} {y}|throughout {m} {y}]";
		break;
	case P_QUARTER:
		tm = "[in {q} {y}|in {q} of {y}|during {q} {y}|in the {o} quarter of {y}|during the {o} quarter of {y}|over "
		     "{q} {y}|for {q} {y}]";
		break;
	case P_SEASON:
		tm = "[in {s} {y}|in {s} {y}|during {s} {y}|in the {ls} of {y}|during the {ls} of {y}|over the {ls} of "
		     "{y}|throughout {s} {y}]";
		break;
	default:
		tm = "[in {y}|during {y}|over the year {y}|throughout {y}]";
		break;
	}
	char ys[8], ls[16];
	snprintf(ys, sizeof ys, "%d", p->year);
	snprintf(ls, sizeof ls, "%s", p->pname ? p->pname : "");
	lower_first(ls);
	const char *ord = p->pname && p->pname[0] == 'Q' ? ordinals[p->pname[1] - '1'] : "";
	slot sl[] = {{"m", p->pname}, {"y", ys}, {"q", p->pname}, {"o", ord}, {"s", p->pname}, {"ls", ls}};
	crmw_buf out = CRMW_BUF_INIT;
	crmw__render(&out, &d->r, tm, sl, (int)CRMW_ARRAY_LEN(sl));
	snprintf(buf, sizeof buf, "%s", out.data ? out.data : "");
	crmw_buf_dispose(&out);
	snprintf(p->phrase, sizeof p->phrase, "%s", buf);
}

/* How a relative period is introduced: "in the past 3 months". */
static const char *const relative_leads[] = {"in the past", "over the past", "over the last", "during the past",
					      "within the past", "in the last", "for the past", "during the last",
					      "across the past", "over the previous"};

void crmw__syn_relative_period(draft *d, period *p, const char *unit, int n)
{
	char nb[16];
	memset(p, 0, sizeof *p);
	const char *lead = relative_leads[rng_below(&d->r, CRMW_ARRAY_LEN(relative_leads))];
	bool fortnight = strcmp(unit, "fortnight") == 0, year = strcmp(unit, "year") == 0;
	if (fortnight)
		snprintf(p->phrase, sizeof p->phrase, "%s fortnight", lead);
	else if (year)
		snprintf(p->phrase, sizeof p->phrase, "%s year", lead);
	else if (n == 1)
		snprintf(p->phrase, sizeof p->phrase, "%s %s", lead, unit);
	else
		snprintf(p->phrase, sizeof p->phrase, "%s %s %ss", lead, crmw__syn_count_text(d, n, nb), unit);
	p->kind = P_REL;
	p->unit = fortnight ? "day" : year ? "month" : unit;
	p->n = fortnight ? 14 : year ? 12 : n;
	p->b_days = d->today_days;
	p->a_days = crmw__days_before(p->b_days, p->unit[0], p->n); /* the get_start_date tool's arithmetic */
	dt_text(p->a_days, p->a);
	dt_text(p->b_days, p->b);
}

/* A relative period as the published sets ask them: mostly quarters and
 * months, some weeks, a few fortnights, three-week spans and years.  At
 * most `max_days` long (0: no limit). */
void crmw__syn_relative_any(draft *d, period *p, int max_days)
{
	for (int tries = 0; tries < 8; tries++) {
		uint32_t u = rng_below(&d->r, 100);
		if (u < 36)
			crmw__syn_relative_period(d, p, "quarter", 1 + (int)rng_below(&d->r, 6));
		else if (u < 72)
			crmw__syn_relative_period(d, p, "month", 1 + (int)rng_below(&d->r, 11));
		else if (u < 93)
			crmw__syn_relative_period(d, p, "week", 1 + (int)rng_below(&d->r, 6));
		else if (u < 96)
			crmw__syn_relative_period(d, p, "fortnight", 14);
		else if (u < 98)
			crmw__syn_relative_period(d, p, "day", rng_below(&d->r, 2) ? 14 : 21);
		else
			crmw__syn_relative_period(d, p, "year", 1);
		if (!max_days || p->b_days - p->a_days <= max_days)
			return;
	}
	crmw__syn_relative_period(d, p, "week", 2 + (int)rng_below(&d->r, 3));
}

void crmw__syn_period(synth *s, draft *d, period *p, int kinds, bool before_data)
{
	(void)s;
	int choices[6], n = 0;
	for (int k = 0; k < 5; k++)
		if (kinds & (1 << k))
			choices[n++] = k;
	/* The published mix: about two thirds relative periods, then seasons,
	 * months and quarters, almost never a bare year. */
	static const int weight[5] = {66, 12, 10, 11, 1};
	int total = 0;
	for (int k = 0; k < n; k++)
		total += weight[choices[k]];
	int x = (int)rng_below(&d->r, (uint32_t)total), kind = choices[n - 1];
	for (int k = 0; k < n; k++) {
		if (x < weight[choices[k]]) {
			kind = choices[k];
			break;
		}
		x -= weight[choices[k]];
	}
	memset(p, 0, sizeof *p);
	if (kind == P_REL && !before_data) {
		crmw__syn_relative_any(d, p, 0);
		return;
	}
	if (kind == P_REL)
		kind = P_QUARTER;
	/* A named period that has ended by today (or, for None tasks, one
	 * before the org's data begins). */
	int64_t lo = before_data ? s->start_days - 700 : s->start_days - 30;
	int64_t hi = before_data ? s->start_days - 400 : d->today_days - 1;
	for (int tries = 0; tries < 40; tries++) {
		int64_t day = lo + (int64_t)rng_below(&d->r, (uint32_t)(hi > lo ? hi - lo : 1));
		named_period(d, p, kind, day);
		if (p->b_days <= d->today_days && (!before_data || p->b_days <= s->start_days))
			return;
	}
	named_period(d, p, P_MONTH, d->today_days - 40);
}

/* ----------------------------------------------------------- the draft */

int crmw__syn_step(draft *d, const char *name, json_t *args)
{
	json_array_append_new(d->gold, json_pack("{s:s, s:o}", "name", name, "arguments", args ? args : json_object()));
	return (int)json_array_size(d->gold) - 1;
}

void crmw__syn_expect(draft *d, const char *text)
{
	json_t *st = json_array_get(d->gold, json_array_size(d->gold) - 1);
	json_t *e = json_object_get(st, "expect_contains");
	if (!e) {
		e = json_array();
		json_object_set_new(st, "expect_contains", e);
	}
	json_array_append_new(e, json_string(text));
}

json_t *crmw__syn_ref(int step, const char *path)
{
	char p[96];
	snprintf(p, sizeof p, "/%d%s", step, path ? path : "");
	return json_pack("{s:s}", "$ref", p);
}

json_t *crmw__syn_ref_text(int step, const char *path)
{
	json_t *r = crmw__syn_ref(step, path);
	json_object_set_new(r, "as", json_string("text"));
	json_object_set_new(r, "default", json_null());
	return r;
}

void crmw__syn_respond_ref(draft *d, int step)
{
	crmw__syn_step(d, "respond", json_pack("{s:o}", "content", crmw__syn_ref_text(step, "")));
}

void crmw__syn_respond(draft *d, const char *text)
{
	crmw__syn_step(d, "respond", json_pack("{s:s}", "content", text));
}

void crmw__syn_period_args(draft *d, const period *p, json_t **a, json_t **b)
{
	if (p->kind == P_REL) {
		int k = crmw__syn_step(d, "get_start_date",
				 json_pack("{s:s, s:s, s:i}", "end_date", d->today_dt, "period", p->unit, "interval_count", p->n));
		*a = crmw__syn_ref(k, "");
		*b = json_string(d->today_dt);
	} else if (p->kind == P_YEAR) {
		*a = json_string(p->a);
		*b = json_string(p->b);
	} else {
		int k = crmw__syn_step(d, "get_period", json_pack("{s:s, s:i}", "period_name", p->pname, "year", p->year));
		*a = crmw__syn_ref(k, "/start_date");
		*b = crmw__syn_ref(k, "/end_date");
	}
}

void crmw__syn_clause(draft *d, const char *tmpl, const slot *slots, int n)
{
	crmw_buf out = CRMW_BUF_INIT;
	if (crmw__render(&out, &d->r, tmpl, slots, n) == 0 && out.data) {
		/* capitalise the first letter of a clause */
		if (out.data[0] >= 'a' && out.data[0] <= 'z')
			out.data[0] = (char)(out.data[0] - 'a' + 'A');
		json_array_append_new(d->clauses, json_string(out.data));
	}
	crmw_buf_dispose(&out);
}

void crmw__syn_required(draft *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char line[2048];
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	crmw__buf_puts(&d->required, line);
}

void crmw__syn_answer(draft *d, const char *value)
{
	json_array_append_new(d->answer, value ? json_string(value) : json_null());
}

/* What every task carries as optional domain details. */
static const char domain_details[] =
	"# Domain details\n"
	"## Quarters\n"
	"- Q1 runs from January 1 to March 31, Q2 from April 1 to June 30, Q3 from July 1 to September 30 and Q4 from "
	"October 1 to December 31 (all inclusive).\n"
	"## Seasons\n"
	"- Winter YYYY runs from December 1 of YYYY to the last day of February of the next year; Spring is March to "
	"May, Summer June to August, Fall (or Autumn) September to November.\n"
	"## Periods\n"
	"- A period holds its start and not its end: records from the start up to, not including, the end.\n"
	"- \"The past N days, weeks, months or quarters\" (a quarter is three months, a fortnight is 14 days) starts "
	"that long before today and ends today (at its first moment: today's own records are not in it).\n"
	"- A named month, quarter, season or year starts on its first day and ends when the next one begins.\n"
	"- A month with significantly more cases is one with more cases than every other month of the period.\n";

/* ----------------------------------------------------------- the driver */

static void draft_dispose(draft *d)
{
	json_decref(d->answer);
	json_decref(d->gold);
	json_decref(d->clauses);
	json_decref(d->protected_values);
	crmw_buf_dispose(&d->required);
}

static void draft_reset(draft *d)
{
	draft_dispose(d);
	memset(d, 0, sizeof *d);
	d->answer = json_array();
	d->gold = json_array();
	d->clauses = json_array();
}

static json_t *draft_task(synth *s, draft *d, const syn_family *f)
{
	crmw_buf q = CRMW_BUF_INIT;
	size_t i;
	json_t *c;
	if (d->lead[0] && json_array_size(d->clauses)) { /* the persona's voice opens the first clause */
		crmw_buf first = CRMW_BUF_INIT;
		crmw__buf_printf(&first, "%s %s", d->lead, json_string_value(json_array_get(d->clauses, 0)));
		json_array_set_new(d->clauses, 0, json_string(first.data ? first.data : ""));
		crmw_buf_dispose(&first);
	}
	json_array_foreach(d->clauses, i, c) {
		if (i)
			crmw__buf_putc(&q, ' ');
		crmw__buf_puts(&q, json_string_value(c));
	}
	json_t *ctx = json_pack("{s:s, s:s, s:O}", "role", d->role[0] ? d->role : "internal", "profile", s->profile_name,
				"clauses", d->clauses);
	if (d->today[0])
		json_object_set_new(ctx, "today", json_string(d->today));
	if (d->protected_values)
		json_object_set(ctx, "protected", d->protected_values);
	if (d->audience)
		json_object_set_new(ctx, "audience", json_string(d->audience));
	json_t *t = json_pack("{s:s, s:s, s:s, s:O, s:s, s:{s:s, s:s}, s:o, s:O}", "task", f->name, "family", f->name, "query",
			      q.data ? q.data : "", "answer", d->answer, "reward_metric", f->metric, "metadata", "required",
			      d->required.data ? d->required.data : "", "optional", domain_details, "context", ctx, "gold",
			      d->gold);
	if (t)
		json_object_set_new(t, "persona", json_string(d->persona ? d->persona : ""));
	crmw_buf_dispose(&q);
	return t;
}

/*
 * The identity of a task (docs/tasks.md, "Identical tasks"): its family,
 * query, required metadata without the line of today's date, and gold
 * answer.  Two tasks with one identity are the same task: whatever day it
 * is asked on, a policy that memorised one answers the other.  Caller frees;
 * NULL when out of memory.
 */
static char *task_identity(const syn_family *f, const draft *d, const json_t *task)
{
	crmw_buf k = CRMW_BUF_INIT;
	const char *req = d->required.data ? d->required.data : "";
	char today[40] = "";
	if (d->today[0])
		snprintf(today, sizeof today, "- Today's date: %s\n", d->today);
	const char *at = today[0] ? strstr(req, today) : NULL;
	char *answer = json_dumps(json_object_get(task, "answer"), JSON_COMPACT | JSON_ENCODE_ANY);
	int rc = crmw__buf_printf(&k, "%s\x1f%s\x1f", f->name, json_string_value(json_object_get(task, "query")));
	rc = rc ? rc : crmw__buf_append(&k, req, at ? (size_t)(at - req) : strlen(req));
	rc = rc ? rc : at ? crmw__buf_puts(&k, at + strlen(today)) : 0;
	rc = rc ? rc : answer ? crmw__buf_printf(&k, "\x1f%s", answer) : CRMW_ENOMEM;
	free(answer);
	if (rc) {
		crmw_buf_dispose(&k);
		return NULL;
	}
	return k.data;
}

static bool profile_has(const syn_family *f, int profile)
{
	return (f->profiles & (unsigned)profile) != 0;
}

int crmw_task_families(crmw_buf *out)
{
	CRMW__ARGS_NONNULL(NULL, !out);
	json_t *arr = json_array();
	for (const syn_family *f = crmw__syn_families; f->name; f++) {
		json_t *profiles = json_array();
		if (f->profiles & 1)
			json_array_append_new(profiles, json_string("crmarena"));
		if (f->profiles & 2)
			json_array_append_new(profiles, json_string("b2b"));
		if (f->profiles & 4)
			json_array_append_new(profiles, json_string("b2c"));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:f, s:f}, s:b}", "name", f->name,
						     "source", f->source, "persona", f->persona, "metric", f->metric, "skill",
						     f->skill, "profiles", profiles, "none_share", "crmarena", f->none_crmarena,
						     "pro", f->none_pro, "answer_reads_text", f->reads_text));
	}
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (!text)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	crmw__buf_clear(out);
	int rc = crmw__buf_puts(out, text);
	free(text);
	return rc;
}

bool crmw__family_reads_text(const char *family)
{
	for (const syn_family *f = crmw__syn_families; family && f->name; f++)
		if (strcmp(f->name, family) == 0)
			return f->reads_text;
	return false;
}

/* The name before crmw_task_families (deprecated, still exported). */
int crmw_tasks_families(crmw_buf *out)
{
	return crmw_task_families(out);
}



static int parse_options(synth *s, const char *options_json, json_t **opts)
{
	(void)s;
	static const char *const keys[] = {"families", "per_family", "seed", "test_share", "holdout", "verify"};
	int rc = crmw__json_options(opts, NULL, options_json, "task options", keys, CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	const char *k;
	json_t *v;
	json_object_foreach(*opts, k, v) {
		const char *want =
			strcmp(k, "families") == 0     ? (json_is_string(v) || json_is_array(v) ? NULL
												: "\"all\", \"a,b\" or a list of families")
			: strcmp(k, "per_family") == 0 ? (json_is_integer(v) && json_integer_value(v) >= 0 &&
									  json_integer_value(v) <= 100000
								  ? NULL
								  : "an integer from 0 to 100000")
			: strcmp(k, "seed") == 0       ? (json_is_integer(v) ? NULL : "an integer")
			: strcmp(k, "test_share") == 0 ? (json_is_number(v) && json_number_value(v) >= 0 &&
									  json_number_value(v) <= 1
								  ? NULL
								  : "a number from 0 to 1")
			: strcmp(k, "holdout") == 0    ? (json_is_array(v) || json_is_string(v) ? NULL : "a list of families")
						       : (json_is_boolean(v) ? NULL : "true or false");
		if (want)
			return crmw__errf(NULL, CRMW_EINVALID, "task options: \"%s\" must be %s", k, want);
	}
	return CRMW_OK;
}

/* Every name in the list option must be a family (that applies to the profile). */
static int check_listed(const json_t *list, int profile, const char *what)
{
	json_t *names = json_array();
	if (json_is_string(list)) {
		const char *p = json_string_value(list);
		while (*p) {
			while (*p == ' ')
				p++;
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			while (len && p[len - 1] == ' ')
				len--;
			if (len)
				json_array_append_new(names, json_stringn(p, len));
			p = e ? e + 1 : p + strlen(p);
		}
	} else {
		json_array_extend(names, (json_t *)list);
	}
	size_t i;
	json_t *v;
	const char *cands[64];
	size_t nc = 0;
	for (const syn_family *f = crmw__syn_families; f->name && nc < 64; f++)
		cands[nc++] = f->name;
	int rc = CRMW_OK;
	json_array_foreach(names, i, v) {
		const char *n = json_string_value(v);
		if (!n) {
			rc = crmw__errf(NULL, CRMW_EINVALID, "%s: family names must be strings", what);
			break;
		}
		const syn_family *f = crmw__syn_families;
		while (f->name && strcmp(f->name, n) != 0)
			f++;
		if (!f->name) {
			const char *near = crmw__closest_name(n, cands, nc);
			rc = crmw__errf(NULL, CRMW_ENOTFOUND, "%s: unknown task family '%s'%s%s%s", what, n,
					near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
			break;
		}
		if (profile && !profile_has(f, profile)) {
			rc = crmw__errf(NULL, CRMW_EUNSUPPORTED, "%s: task family '%s' does not apply to this org's profile", what,
					n);
			break;
		}
	}
	json_decref(names);
	return rc;
}

static int load_org(synth *s, crmw_db *db)
{
	s->db = db;
	json_t *meta = crmw__syn_q(s, "SELECT key, value FROM crmw_latent_meta", NULL);
	if (!meta) {
		crmw__err_clear(&db->h.err);
		return crmw__errf(NULL, CRMW_EINVALID,
				  "this org has no latent variables: task synthesis needs an org made by crmweaver gen");
	}
	size_t i;
	json_t *r;
	const char *prof = NULL, *now = NULL;
	json_array_foreach(meta, i, r) {
		const char *k = json_string_value(json_array_get(r, 0)), *v = json_string_value(json_array_get(r, 1));
		if (k && strcmp(k, "profile") == 0)
			prof = v;
		else if (k && strcmp(k, "now") == 0)
			now = v;
	}
	int rc = CRMW_OK;
	if (!prof || !now) {
		rc = crmw__errf(NULL, CRMW_EINVALID, "this org's latent variables have no profile or now");
	} else {
		snprintf(s->profile_name, sizeof s->profile_name, "%s", prof);
		s->profile = strcmp(prof, "crmarena") == 0 ? 1 : strcmp(prof, "b2b") == 0 ? 2 : strcmp(prof, "b2c") == 0 ? 4 : 0;
		s->now_days = crmw__syn_days(now);
		s->start_days = s->now_days - 730;
		if (!s->profile)
			rc = crmw__errf(NULL, CRMW_EINVALID, "unknown org profile '%s'", prof);
		for (const crmw_profile *p = crmw__profiles; p->name; p++)
			if (strcmp(p->name, prof) == 0)
				s->vocab = p;
	}
	json_decref(meta);
	return rc;
}

static int generate(crmw_task_set **out, crmw_buf *report, crmw_db *db, const char *options_json,
		    crmw_progress_fn progress, void *userdata);

int crmw_task_set_generate(crmw_task_set **out, crmw_buf *report, crmw_db *db, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !db);
	return generate(out, report, db, options_json, NULL, NULL);
}

int crmw_task_set_generate_progress(crmw_task_set **out, crmw_buf *report, crmw_db *db,
					     const char *options_json, crmw_progress_fn progress, void *userdata)
{
	CRMW__ARGS_NONNULL(NULL, !out || !db);
	return generate(out, report, db, options_json, progress, userdata);
}

/* The names before crmw_task_set_generate[_progress] (deprecated, still
 * exported). */
int crmw_tasks_generate(crmw_task_set **out, crmw_buf *report, crmw_db *db, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !db);
	return generate(out, report, db, options_json, NULL, NULL);
}

int crmw_tasks_generate_progress(crmw_task_set **out, crmw_buf *report, crmw_db *db, const char *options_json,
					  crmw_progress_fn progress, void *userdata)
{
	CRMW__ARGS_NONNULL(NULL, !out || !db);
	return generate(out, report, db, options_json, progress, userdata);
}

/* Drafts in a row that are copies of tasks made before a family is taken to
 * have no other task of that kind; the attempts a slot may take then. */
#define DUP_LIMIT 128
#define MAX_ATTEMPTS_DUPS 8000
/* The largest share of a family's non-None slots one answer may take, and
 * the attempts of a slot after which it no longer holds (a family with few
 * possible answers still fills its slots). */
#define ANSWER_CAP 0.28
#define CAP_ATTEMPTS 250

/* One call of generate: the options, the org, the gold runner, and what is
 * made over the families. */
typedef struct gen_run {
	synth s;
	crmw_db *db;
	crmw_progress_fn progress;
	void *userdata;
	json_t *opts;
	const json_t *fams, *holdout; /* the options of those names */
	bool all;                     /* every family of the profile */
	int64_t per, seed;
	double test_share;
	crmw__gold_runner run;
	bool have_runner;
	json_t *tasks, *rep;
	json_t *seen; /* identities of the tasks made, as keys */
	draft d;
	int64_t nsel, done; /* slots of the selected families, slots filled */
} gen_run;

/* One family's run over its slots, and its line of the report. */
typedef struct fam_run {
	const syn_family *f;
	int fi;          /* its index in crmw__syn_families (the random streams) */
	int64_t cap;     /* tasks one non-None answer may answer */
	json_t *answered; /* answer (compact JSON) -> tasks made with it */
	bool used_up[2]; /* no distinct task with (1) or without (0) a None answer is left */
	int64_t made, nones, attempts, rejected, disagree, dups, cuts, shortfall, skewed;
} fam_run;

/* What became of a draft: passed over (rejected by its family, an answer
 * with its share, a failed gold program), a copy of a task made, or new. */
enum { DRAFT_NEXT, DRAFT_DUP, DRAFT_NEW };

/* The options and the org: the families and holdout checked against the
 * profile, the gold runner made when the tasks are verified. */
static int gen_setup(gen_run *g, const char *options_json)
{
	int rc = parse_options(&g->s, options_json, &g->opts);
	if (rc)
		return rc;
	rc = load_org(&g->s, g->db);
	g->fams = json_object_get(g->opts, "families");
	g->all = !g->fams || (json_is_string(g->fams) && strcmp(json_string_value(g->fams), "all") == 0);
	if (!rc && !g->all)
		rc = check_listed(g->fams, g->s.profile, "families");
	g->holdout = json_object_get(g->opts, "holdout");
	if (!rc && g->holdout)
		rc = check_listed(g->holdout, 0, "holdout");
	if (rc)
		return rc;
	const json_t *opts = g->opts;
	g->per = json_object_get(opts, "per_family") ? json_integer_value(json_object_get(opts, "per_family")) : 10;
	g->seed = json_integer_value(json_object_get(opts, "seed"));
	g->test_share = json_object_get(opts, "test_share") ? json_number_value(json_object_get(opts, "test_share")) : 0.2;
	g->s.seed = (uint64_t)g->seed;
	if (!json_is_false(json_object_get(opts, "verify"))) {
		rc = crmw__gold_runner_init(&g->run, g->db);
		if (rc)
			return rc;
		g->have_runner = true;
	}
	return CRMW_OK;
}

/* A new task's gold program run on the org: *ok when it reaches the
 * answer.  A reply cut at the caps and a disagreement are counted and
 * logged. */
static int gold_check(gen_run *g, fam_run *fr, json_t *t, bool *ok)
{
	json_t *check = NULL;
	int rc = crmw__gold_run(&g->run, t, &check, NULL);
	*ok = !rc && json_is_true(json_object_get(check, "ok"));
	if (!rc && !*ok && json_is_true(json_object_get(check, "cut"))) {
		/* a reply longer than an episode shows: the task is rejected, not
		 * the gold program's fault */
		fr->cuts++;
		crmw__log(&g->db->h.log, CRMW_LOG_INFO, "%s: a gold reply was cut, task rejected: %.300s", fr->f->name,
			  json_string_value(json_object_get(check, "error")));
	} else if (!rc && !*ok) {
		fr->disagree++;
		char *why = crmw__syn_json_text(check);
		crmw__log(&g->db->h.log, CRMW_LOG_WARN, "%s: gold program disagrees: %.600s", fr->f->name, why ? why : "");
		free(why);
	}
	json_decref(check);
	return rc;
}

/* Attempt `attempt` at slot i, asking the family for a None answer or not
 * (wn): *task is set when the draft is kept, *outcome says what became of
 * it. */
static int gen_attempt(gen_run *g, fam_run *fr, int64_t i, int attempt, bool wn, json_t **task, int *outcome)
{
	synth *s = &g->s;
	draft *d = &g->d;
	const syn_family *f = fr->f;
	*outcome = DRAFT_NEXT;
	draft_reset(d);
	d->r = rng_stream(s->seed ^ 0x7a5b3c1dULL, (uint64_t)(fr->fi + 1) * 0x10001ULL + (uint64_t)attempt, (uint64_t)i);
	int mr = f->make(s, d, wn);
	if (mr < 0)
		return mr;
	if (mr > 0) {
		fr->rejected++;
		return CRMW_OK;
	}
	/* a draft whose answer has its share already is drawn again (until the
	 * last attempts of the slot) */
	char *akey = json_dumps(d->answer, JSON_COMPACT);
	const json_t *seen_a = akey ? json_object_get(fr->answered, akey) : NULL;
	bool none_answer = json_array_size(d->answer) == 0 || json_is_null(json_array_get(d->answer, 0));
	if (!none_answer && seen_a && json_integer_value(seen_a) >= fr->cap && attempt < CAP_ATTEMPTS) {
		fr->skewed++;
		free(akey);
		return CRMW_OK;
	}
	json_t *t = draft_task(s, d, f);
	char *key = t ? task_identity(f, d, t) : NULL;
	if (!key || !akey) {
		free(key);
		free(akey);
		json_decref(t);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	if (json_object_get(g->seen, key)) { /* the same task again */
		free(akey);
		fr->dups++;
		*outcome = DRAFT_DUP;
		json_decref(t);
		free(key);
		return CRMW_OK;
	}
	*outcome = DRAFT_NEW;
	bool ok = true;
	int rc = g->have_runner ? gold_check(g, fr, t, &ok) : CRMW_OK;
	if (!ok) {
		free(key);
		free(akey);
		json_decref(t);
		return rc;
	}
	if (!none_answer && akey)
		json_object_set_new(fr->answered, akey, json_integer(json_integer_value(seen_a) + 1));
	free(akey);
	if (json_object_set_new(g->seen, key, json_true())) {
		free(key);
		json_decref(t);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	free(key);
	*task = t;
	if (json_is_null(json_array_get(json_object_get(t, "answer"), 0)))
		fr->nones++;
	return CRMW_OK;
}

/* Slot i of the family, which wants a None answer or not: *task is the
 * task made, NULL when none was; *met_dup when a draft was a copy. */
static int gen_slot(gen_run *g, fam_run *fr, int64_t i, bool want_none, json_t **task, bool *met_dup)
{
	int64_t slot_dups = 0, run_dups = 0; /* copies of the wanted kind: in the slot, in a row */
	int rc = CRMW_OK;
	for (int attempt = 0; !rc && !*task; attempt++) {
		/* A slot that meets tasks already made keeps looking for a new one
		 * (the org may hold a rare one) until DUP_LIMIT of its drafts in a
		 * row were copies: then the org has no other of this kind, and
		 * giving up on the quota would skew it.  Otherwise 400 attempts,
		 * the last 100 without the quota. */
		if (run_dups >= DUP_LIMIT) {
			fr->used_up[want_none] = true;
			break;
		}
		if (attempt >= (slot_dups ? MAX_ATTEMPTS_DUPS : 400))
			break;
		bool wn = attempt < 300 || slot_dups ? want_none : !want_none; /* give up on the quota last */
		fr->attempts++;
		int outcome;
		rc = gen_attempt(g, fr, i, attempt, wn, task, &outcome);
		if (outcome == DRAFT_DUP) {
			*met_dup = true;
			if (wn == want_none) { /* a copy of the kind the slot wants */
				slot_dups++;
				run_dups++;
			}
		} else if (outcome == DRAFT_NEW) {
			run_dups = 0; /* copies in a row only */
		}
	}
	return rc;
}

/* A task made for slot i: its id, split and index, then the progress. */
static int gen_keep(gen_run *g, const syn_family *f, json_t *task, int64_t i)
{
	char id[96];
	snprintf(id, sizeof id, "%s-%lld-%04lld", f->name, (long long)g->seed, (long long)i);
	json_object_set_new(task, "id", json_string(id));
	double u = (double)(crmw__mix64(crmw__fnv1a(CRMW_FNV_OFFSET, id, strlen(id))) >> 11) * (1.0 / 9007199254740992.0);
	const char *split = g->holdout && crmw__listed(g->holdout, f->name) ? "holdout" : u < g->test_share ? "test" : "train";
	json_object_set_new(task, "split", json_string(split));
	json_object_set_new(task, "idx", json_integer((json_int_t)json_array_size(g->tasks)));
	json_array_append_new(g->tasks, task);
	if (g->progress && g->progress("tasks", ++g->done, g->nsel * g->per, g->userdata) != 0)
		return crmw__errf(NULL, CRMW_EUSER, "task synthesis canceled by the progress callback");
	return CRMW_OK;
}

/* The tasks of one family: an exact quota of None answers spread over its
 * slots, no answer over its share, no copies; its line of the report. */
static int gen_family(gen_run *g, const syn_family *f, int fi)
{
	fam_run fr;
	memset(&fr, 0, sizeof fr);
	fr.f = f;
	fr.fi = fi;
	int64_t per = g->per;
	double share = g->s.profile == 1 ? f->none_crmarena : f->none_pro;
	/* Answer balance: no non-None answer may answer more than ANSWER_CAP of
	 * the family's non-None slots (at least 2). */
	int64_t quota_none = (int64_t)floor((double)per * share + 1e-9);
	fr.cap = (int64_t)floor(ANSWER_CAP * (double)(per - quota_none));
	if (fr.cap < 2)
		fr.cap = 2;
	fr.answered = json_object();
	g->s.answered = fr.answered;
	g->s.ambiguous = 0;
	int rc = CRMW_OK;
	for (int64_t i = 0; !rc && i < per; i++) {
		/* An exact quota of None answers, spread over the family. */
		bool want_none = floor((double)(i + 1) * share + 1e-9) > floor((double)i * share + 1e-9);
		if (fr.used_up[want_none]) {
			fr.shortfall++; /* not made up with the other kind: the None share stays */
			continue;
		}
		json_t *task = NULL;
		bool met_dup = false; /* a copy of either kind */
		rc = gen_slot(g, &fr, i, want_none, &task, &met_dup);
		if (rc)
			break;
		if (!task && met_dup) {
			fr.shortfall++; /* every distinct task this slot could be is made */
			continue;
		}
		if (!task) {
			rc = crmw__errf(NULL, CRMW_EINVALID,
					"cannot make a '%s' task from this org after %d attempts (is the org too small?)", f->name,
					400);
			break;
		}
		fr.made++;
		rc = gen_keep(g, f, task, i);
	}
	if (fr.shortfall)
		crmw__log(&g->db->h.log, CRMW_LOG_WARN, "%s: %lld distinct tasks, not %lld: the org has no other (%lld left out)",
			  f->name, (long long)fr.made, (long long)per, (long long)fr.shortfall);
	g->s.answered = NULL;
	json_decref(fr.answered);
	json_object_set_new(g->rep, f->name,
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "tasks", (json_int_t)fr.made, "none",
				      (json_int_t)fr.nones, "attempts", (json_int_t)fr.attempts, "rejected",
				      (json_int_t)fr.rejected, "disagreements", (json_int_t)fr.disagree, "duplicates",
				      (json_int_t)fr.dups, "short", (json_int_t)fr.shortfall, "cut", (json_int_t)fr.cuts,
				      "ambiguous", (json_int_t)g->s.ambiguous, "skewed", (json_int_t)fr.skewed));
	return rc;
}

/* Everything released; the report written and the task set made when
 * every family went through. */
static int gen_finish(gen_run *g, int rc, crmw_task_set **out, crmw_buf *report)
{
	synth *s = &g->s;
	json_decref(g->seen);
	draft_dispose(&g->d);
	json_decref(s->case_products[0]);
	json_decref(s->case_products[1]);
	for (int k = 0; k < SYN_CACHE_N; k++)
		json_decref(s->cached[k]);
	if (g->have_runner)
		crmw__gold_runner_dispose(&g->run);
	json_decref(g->opts);
	if (!rc && report) {
		json_t *r = json_pack("{s:O, s:I}", "families", g->rep, "tasks", (json_int_t)json_array_size(g->tasks));
		char *text = crmw__syn_json_text(r);
		crmw__buf_clear(report);
		rc = text ? crmw__buf_puts(report, text) : crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		free(text);
		json_decref(r);
	}
	json_decref(g->rep);
	if (rc) {
		json_decref(g->tasks);
		return rc;
	}
	return crmw__task_set_wrap(out, g->tasks);
}

static int generate(crmw_task_set **out, crmw_buf *report, crmw_db *db, const char *options_json,
		    crmw_progress_fn progress, void *userdata)
{
	*out = NULL;
	gen_run g;
	memset(&g, 0, sizeof g);
	g.db = db;
	g.progress = progress;
	g.userdata = userdata;
	int rc = gen_setup(&g, options_json);
	if (rc) {
		json_decref(g.opts);
		return rc;
	}
	g.tasks = json_array();
	g.rep = json_object();
	g.seen = json_object();
	for (const syn_family *f = crmw__syn_families; f->name; f++)
		g.nsel += profile_has(f, g.s.profile) && (g.all || crmw__listed(g.fams, f->name));
	int fi = 0;
	for (const syn_family *f = crmw__syn_families; !rc && f->name; f++, fi++) {
		if (!profile_has(f, g.s.profile) || (!g.all && !crmw__listed(g.fams, f->name)))
			continue;
		rc = gen_family(&g, f, fi);
	}
	return gen_finish(&g, rc, out, report);
}
