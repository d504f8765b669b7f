/*
 * Unit tests of the period resolver (lib/common/period.c) and the calendar
 * arithmetic it shares with the task synthesizer and the get_start_date
 * tool (crmw__days_before): every form by hand (leap years, month ends,
 * Winter across the year, Q4 into the next year, words and digits, the
 * end of the buffer, no period, a 1 MB input), then every task the
 * synthesizer makes on the three profiles whose gold program passes dates:
 * the resolver, given only the query and the task's today, finds exactly
 * the bounds the gold program's tools computed.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

#include "common/internal.h"
#include "tasks/internal.h"
#include "tasks/synth.h"

/* Days since 1970-01-01 of YYYY-MM-DD. */
static int64_t day(const char *ymd)
{
	int y, m, d;
	assert_int_equal(sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d), 3);
	return crmw__days_from_civil(y, m, d);
}

/* The expressions of `text` as asked on `today`, the text copied into a
 * buffer of exactly its length (no NUL after it: a read past the end is
 * caught by AddressSanitizer). */
static size_t find(const char *text, const char *today, crmw__period *out, size_t nmax)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, text, n);
	size_t k = crmw__period_find(copy, n, day(today), out, nmax);
	free(copy);
	return k;
}

/* `text` holds exactly one plain expression of `kind`, [start, end), read
 * from the bytes `span`; returns it. */
static crmw__period one(const char *text, const char *today, int kind, const char *start, const char *end, const char *span)
{
	crmw__period p[4];
	size_t k = find(text, today, p, 4);
	if (k != 1)
		fail_msg("\"%s\": %zu expressions, expected 1", text, k);
	char a[11], b[11];
	crmw__syn_day_text(p[0].start, a);
	crmw__syn_day_text(p[0].end, b);
	if (p[0].kind != kind || p[0].start != day(start) || p[0].end != day(end))
		fail_msg("\"%s\" on %s: kind %d [%s, %s), expected kind %d [%s, %s)", text, today, p[0].kind, a, b, kind, start,
			 end);
	assert_int_equal(p[0].last, p[0].end - 1);
	assert_int_equal(p[0].flags, 0);
	if (span) {
		const char *at = strstr(text, span);
		assert_non_null(at);
		assert_int_equal(p[0].at, (size_t)(at - text));
		assert_int_equal(p[0].len, strlen(span));
	}
	return p[0];
}

static void none(const char *text, const char *today)
{
	crmw__period p[2];
	size_t k = find(text, today, p, 2);
	if (k != 0)
		fail_msg("\"%s\": %zu expressions (the first at %zu, %zu bytes), expected none", text, k, p[0].at, p[0].len);
}

/* ------------------------------------------------------------ arithmetic */

static void test_days_before(void **state)
{
	(void)state;
	int64_t end = day("2024-05-31");
	assert_int_equal(crmw__days_before(end, 'd', 14), day("2024-05-17"));
	assert_int_equal(crmw__days_before(end, 'w', 3), day("2024-05-10"));
	assert_int_equal(crmw__days_before(end, 'm', 3), day("2024-02-29")); /* clamped, leap year */
	assert_int_equal(crmw__days_before(day("2023-05-31"), 'm', 3), day("2023-02-28"));
	assert_int_equal(crmw__days_before(end, 'q', 1), day("2024-02-29"));
	assert_int_equal(crmw__days_before(end, 'm', 12), day("2023-05-31"));
	assert_int_equal(crmw__days_before(day("2024-02-29"), 'm', 12), day("2023-02-28"));
	assert_int_equal(crmw__days_before(day("2024-01-15"), 'q', 2), day("2023-07-15"));
	assert_int_equal(crmw__days_before(end, 'm', 0), end);
	/* before year 1: months counted with a floor, not C's truncation */
	int y, m, d;
	crmw__civil_from_days(crmw__days_before(day("0001-03-15"), 'm', 5), &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 10);
	assert_int_equal(d, 15);
	crmw__civil_from_days(crmw__days_before(day("9999-12-31"), 'm', 4000000), &y, &m, &d);
	assert_true(y < 1);
	/* the named periods, in one table */
	int sm, months;
	assert_string_equal(crmw__period_name("autumn", 6, &sm, &months), "Autumn");
	assert_int_equal(sm, 9);
	assert_string_equal(crmw__period_name("q4", 2, &sm, &months), "Q4");
	assert_int_equal(sm, 10);
	assert_int_equal(months, 3);
	assert_true(crmw__named_period("WINTER", 6, &sm, &months) && sm == 12 && months == 3);
	assert_true(crmw__named_period("year", 4, &sm, &months) && months == 12);
	assert_false(crmw__named_period("Q5", 2, &sm, &months));
	assert_false(crmw__named_period("Q1\0", 3, &sm, &months));
	assert_false(crmw__named_period("Marc", 4, &sm, &months));
	assert_false(crmw__named_period("", 0, &sm, &months));
	assert_string_equal(crmw__month_name(2), "February");
	assert_null(crmw__month_name(13));
}

/* ---------------------------------------------------------------- forms */

static void test_relative(void **state)
{
	(void)state;
	/* the leads the synthesizer writes, digits and words alike */
	one("Who had the most transfers in the past 3 months?", "2024-05-31", CRMW__PERIOD_RELATIVE, "2024-02-29",
	    "2024-05-31", "in the past 3 months");
	one("Who had the most transfers in the past three months?", "2024-05-31", CRMW__PERIOD_RELATIVE, "2024-02-29",
	    "2024-05-31", "in the past three months");
	crmw__period p = one("Over the last quarter, which agent was fastest?", "2023-05-31", CRMW__PERIOD_RELATIVE,
			     "2023-02-28", "2023-05-31", "Over the last quarter");
	assert_int_equal(p.unit, 'q');
	assert_int_equal(p.count, 1);
	p = one("the past fortnight", "2024-03-10", CRMW__PERIOD_RELATIVE, "2024-02-25", "2024-03-10", NULL);
	assert_int_equal(p.unit, 'd');
	assert_int_equal(p.count, 14);
	one("during the previous two weeks", "2024-03-10", CRMW__PERIOD_RELATIVE, "2024-02-25", "2024-03-10", NULL);
	p = one("within the past year", "2024-02-29", CRMW__PERIOD_RELATIVE, "2023-02-28", "2024-02-29", NULL);
	assert_int_equal(p.unit, 'm');
	assert_int_equal(p.count, 12);
	one("across the past 6 quarters", "2024-08-31", CRMW__PERIOD_RELATIVE, "2023-02-28", "2024-08-31", NULL);
	one("over the previous 21 days", "2024-01-10", CRMW__PERIOD_RELATIVE, "2023-12-20", "2024-01-10", NULL);
	one("for the past twenty-one days", "2024-01-10", CRMW__PERIOD_RELATIVE, "2023-12-20", "2024-01-10", NULL);
	one("for the past twenty one days", "2024-01-10", CRMW__PERIOD_RELATIVE, "2023-12-20", "2024-01-10", NULL);
	one("IN THE LAST ELEVEN MONTHS", "2024-01-31", CRMW__PERIOD_RELATIVE, "2023-02-28", "2024-01-31", NULL);
	one("in the past 1 month", "2024-03-31", CRMW__PERIOD_RELATIVE, "2024-02-29", "2024-03-31", NULL);
	one("during the past week", "2024-01-03", CRMW__PERIOD_RELATIVE, "2023-12-27", "2024-01-03", NULL);
	one("over the past 2 fortnights", "2024-01-29", CRMW__PERIOD_RELATIVE, "2024-01-01", "2024-01-29", NULL);
	/* a count names the span without "the" */
	one("sales over past 3 weeks", "2024-01-22", CRMW__PERIOD_RELATIVE, "2024-01-01", "2024-01-22", "over past 3 weeks");
	/* what does not name a span up to today */
	none("How did last month go?", "2024-01-22");       /* maybe the calendar month before */
	none("in the past few days", "2024-01-22");          /* no count */
	none("over the past months", "2024-01-22");          /* no count */
	none("in the past 0 days", "2024-01-22");
	none("the last quarter of 2023", "2024-01-22");      /* Q4 2023, not the 3 months to today */
	none("the last 2 quarters of 2023", "2024-01-22");
	none("the past 3 months of the year", "2024-01-22");
	none("the last Id in the list, past 3 rows", "2024-01-22");
	none("the past 9999999 days", "2024-01-22");         /* seven digits: not a count */
	none("over the past 3000000 years", "2024-01-22");   /* before year 1 */
	/* "the last week of March 2024": the month, marked as qualified */
	crmw__period q[2];
	assert_int_equal(find("in the last week of March 2024", "2024-06-01", q, 2), 1);
	assert_int_equal(q[0].kind, CRMW__PERIOD_MONTH);
	assert_int_equal(q[0].flags, CRMW__PERIOD_QUALIFIED);
	/* today out of the calendar: nothing relative to it */
	const char *far = "in the past 3 days, yesterday, in March 2024";
	assert_int_equal(crmw__period_find(far, strlen(far), INT64_MAX, q, 2), 1);
	assert_int_equal(q[0].kind, CRMW__PERIOD_MONTH);
}

static void test_named(void **state)
{
	(void)state;
	crmw__period p = one("in March 2024", "2024-06-01", CRMW__PERIOD_MONTH, "2024-03-01", "2024-04-01", "in March 2024");
	assert_string_equal(p.name, "March");
	assert_int_equal(p.year, 2024);
	one("What happened in March of 2024?", "2024-06-01", CRMW__PERIOD_MONTH, "2024-03-01", "2024-04-01",
	    "in March of 2024");
	p = one("throughout february 2024", "2024-06-01", CRMW__PERIOD_MONTH, "2024-02-01", "2024-03-01", NULL);
	assert_int_equal(p.last, day("2024-02-29")); /* leap year */
	p = one("over Feb, 2023", "2024-06-01", CRMW__PERIOD_MONTH, "2023-02-01", "2023-03-01", NULL);
	assert_int_equal(p.last, day("2023-02-28"));
	one("for Sept 2023", "2024-06-01", CRMW__PERIOD_MONTH, "2023-09-01", "2023-10-01", NULL);
	one("for the month of December 2023", "2024-06-01", CRMW__PERIOD_MONTH, "2023-12-01", "2024-01-01", NULL);
	/* quarters: Q4 ends when the next year begins */
	p = one("in Q2 2023", "2024-06-01", CRMW__PERIOD_QUARTER, "2023-04-01", "2023-07-01", "in Q2 2023");
	assert_string_equal(p.name, "Q2");
	one("during q4 of 2023", "2024-06-01", CRMW__PERIOD_QUARTER, "2023-10-01", "2024-01-01", NULL);
	one("in the second quarter of 2023", "2024-06-01", CRMW__PERIOD_QUARTER, "2023-04-01", "2023-07-01", NULL);
	one("during the 4th quarter of 2023", "2024-06-01", CRMW__PERIOD_QUARTER, "2023-10-01", "2024-01-01", NULL);
	one("the 2023 Q1 numbers", "2024-06-01", CRMW__PERIOD_QUARTER, "2023-01-01", "2023-04-01", "2023 Q1");
	/* seasons: Winter YYYY from December 1 of YYYY to the end of February */
	p = one("in Winter 2023", "2024-06-01", CRMW__PERIOD_SEASON, "2023-12-01", "2024-03-01", NULL);
	assert_int_equal(p.last, day("2024-02-29"));
	assert_int_equal(p.year, 2023);
	assert_string_equal(p.name, "Winter");
	p = one("during the winter of 2022", "2024-06-01", CRMW__PERIOD_SEASON, "2022-12-01", "2023-03-01", NULL);
	assert_int_equal(p.last, day("2023-02-28"));
	one("over the spring of 2023", "2024-06-01", CRMW__PERIOD_SEASON, "2023-03-01", "2023-06-01", NULL);
	one("throughout Summer 2023", "2024-06-01", CRMW__PERIOD_SEASON, "2023-06-01", "2023-09-01", NULL);
	p = one("in Autumn 2023", "2024-06-01", CRMW__PERIOD_SEASON, "2023-09-01", "2023-12-01", NULL);
	assert_string_equal(p.name, "Autumn");
	p = one("in the fall of 2023", "2024-06-01", CRMW__PERIOD_SEASON, "2023-09-01", "2023-12-01", NULL);
	assert_string_equal(p.name, "Fall");
	/* years: after a preposition, or "the year" */
	p = one("in 2023", "2024-06-01", CRMW__PERIOD_YEAR, "2023-01-01", "2024-01-01", "in 2023");
	assert_null(p.name);
	one("over the year 2020", "2024-06-01", CRMW__PERIOD_YEAR, "2020-01-01", "2021-01-01", "over the year 2020");
	one("throughout 2023.", "2024-06-01", CRMW__PERIOD_YEAR, "2023-01-01", "2024-01-01", NULL);
	one("Did sales fall in 2023?", "2024-06-01", CRMW__PERIOD_YEAR, "2023-01-01", "2024-01-01", "in 2023");
	none("2023 was a good year", "2024-06-01");
	none("in 2023-05", "2024-06-01");
	none("in 20234 cases", "2024-06-01");
	none("order 2023 Q5 in March", "2024-06-01");
	none("in Q2, we", "2024-06-01");
	none("Winter Jacket 2", "2024-06-01");
	none("in 0000", "2024-06-01");
	none("Winter 9999", "2024-06-01"); /* ends after 9999 */
	crmw__period q[2];
	assert_int_equal(find("Q4 9999", "2024-06-01", q, 2), 1); /* ends on the last day there is */
	assert_int_equal(q[0].last, day("9999-12-31"));
}

static void test_days(void **state)
{
	(void)state;
	crmw__period p = one("My order arrived yesterday.", "2024-03-01", CRMW__PERIOD_DAY, "2024-02-29", "2024-03-01",
			     "yesterday");
	assert_int_equal(p.count, 1);
	one("today", "2024-03-01", CRMW__PERIOD_DAY, "2024-03-01", "2024-03-02", NULL);
	one("the day before yesterday", "2024-03-01", CRMW__PERIOD_DAY, "2024-02-28", "2024-02-29", NULL);
	/* "ago" and "back", as customers say it */
	p = one("the glove I bought three days ago", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-28", "2024-02-29",
		"three days ago");
	assert_int_equal(p.unit, 'd');
	assert_int_equal(p.count, 3);
	one("I bought 5 days back", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-26", "2024-02-27", NULL);
	one("a week ago", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-24", "2024-02-25", NULL);
	one("one week back", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-24", "2024-02-25", NULL);
	one("a fortnight ago", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-17", "2024-02-18", NULL);
	one("fourteen days ago", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-17", "2024-02-18", NULL);
	one("3 weeks ago", "2024-03-02", CRMW__PERIOD_DAY, "2024-02-10", "2024-02-11", NULL);
	one("a month ago", "2024-03-15", CRMW__PERIOD_DAY, "2024-02-15", "2024-02-16", NULL);
	one("a month ago", "2024-03-31", CRMW__PERIOD_DAY, "2024-02-29", "2024-03-01", NULL); /* clamped */
	one("a year ago", "2024-02-29", CRMW__PERIOD_DAY, "2023-02-28", "2023-03-01", NULL);
	/* dates */
	one("on 2024-02-29", "2024-06-01", CRMW__PERIOD_DAY, "2024-02-29", "2024-03-01", "on 2024-02-29");
	one("on March 15, 2024", "2024-06-01", CRMW__PERIOD_DAY, "2024-03-15", "2024-03-16", NULL);
	one("on the 15th of March 2024", "2024-06-01", CRMW__PERIOD_DAY, "2024-03-15", "2024-03-16", "15th of March 2024");
	none("on 2023-02-29", "2024-06-01");
	none("on February 30, 2024", "2024-06-01");
	none("at 2024-03-15T10:00:00Z", "2024-06-01");
	none("a few days ago", "2024-06-01");
	none("0 days ago", "2024-06-01");
}

static void test_qualified(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"since March 2024", "until yesterday", "between January and March 2024", "mid-March 2024",
		"before Q2 2023",   "the fiscal year 2023", "from 2024-01-01", "not in 2023",
	};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(texts); i++) {
		crmw__period p[2];
		if (find(texts[i], "2024-06-01", p, 2) != 1 || !(p[0].flags & CRMW__PERIOD_QUALIFIED))
			fail_msg("\"%s\": not one qualified expression", texts[i]);
	}
	/* a sentence's end is no qualifier */
	one("Up to you. In 2023, who led?", "2024-06-01", CRMW__PERIOD_YEAR, "2023-01-01", "2024-01-01", "In 2023");
}

static void test_several_and_limits(void **state)
{
	(void)state;
	crmw__period p[8];
	const char *text = "Compare Q1 2024 with the past 3 months, and yesterday with 2 days ago.";
	assert_int_equal(find(text, "2024-06-15", p, 8), 4);
	assert_int_equal(p[0].kind, CRMW__PERIOD_QUARTER);
	assert_int_equal(p[1].kind, CRMW__PERIOD_RELATIVE);
	assert_int_equal(p[2].kind, CRMW__PERIOD_DAY);
	assert_int_equal(p[2].flags, CRMW__PERIOD_QUALIFIED); /* "and yesterday" */
	assert_int_equal(p[3].start, day("2024-06-13"));
	assert_true(p[0].at < p[1].at && p[1].at + p[1].len <= p[2].at);
	/* fewer slots than expressions: the count of all, the first ones written */
	memset(p, 0x5a, sizeof p);
	assert_int_equal(find(text, "2024-06-15", p, 1), 4);
	assert_int_equal(p[0].kind, CRMW__PERIOD_QUARTER);
	assert_int_equal(p[1].kind, 0x5a5a5a5a);
	assert_int_equal(crmw__period_find(text, strlen(text), day("2024-06-15"), NULL, 0), 4);
	/* no period, nothing, NULL */
	none("Which agent closed the most cases? Return only the Id.", "2024-06-15");
	none("", "2024-06-15");
	assert_int_equal(crmw__period_find(NULL, 5, 0, p, 8), 0);
	/* at the very end of the buffer, cut anywhere */
	const char *tail = "Who was fastest in the past 3 months";
	size_t n = strlen(tail);
	for (size_t cut = 0; cut <= n; cut++) {
		char *b = malloc(cut ? cut : 1);
		assert_non_null(b);
		memcpy(b, tail, cut);
		size_t k = crmw__period_find(b, cut, day("2024-06-15"), p, 8);
		free(b);
		/* "in the past 3 month" still reads as months; shorter cuts as nothing */
		assert_int_equal(k, cut >= n - 1 ? 1 : 0);
	}
	one("in 2023", "2024-06-15", CRMW__PERIOD_YEAR, "2023-01-01", "2024-01-01", NULL);
	one("ago 2 days ago", "2024-06-15", CRMW__PERIOD_DAY, "2024-06-13", "2024-06-14", "2 days ago");
	/* bytes that are no ASCII letters are word bounds */
	one("\xc3\xa9t\xc3\xa9 in 2023\xe2\x80\x94", "2024-06-15", CRMW__PERIOD_YEAR, "2023-01-01", "2024-01-01", NULL);
	assert_int_equal(crmw__period_find("in\0 2023", 8, day("2024-06-15"), p, 8), 0);
}

/* A megabyte of text of each kind that makes a naive scanner slow (long
 * words, long runs of blanks and digits, expressions back to back, leads
 * with nothing after them): one pass each, nothing read past the end. */
static void test_long_input(void **state)
{
	(void)state;
	size_t n = (size_t)1 << 20;
	char *b = malloc(n);
	assert_non_null(b);
	static const char *const units[] = {"a", " ", "7", "in the past ", "the past 3 ", "Q2 2023 ", "in ", "twenty-",
					    "yesterday "};
	int64_t today = day("2024-06-15");
	for (size_t u = 0; u < CRMW_ARRAY_LEN(units); u++) {
		size_t ul = strlen(units[u]);
		for (size_t i = 0; i < n; i++)
			b[i] = units[u][i % ul];
		size_t k = crmw__period_find(b, n, today, NULL, 0);
		if (u == 5)
			assert_int_equal(k, n / ul + (n % ul >= 7));
		else if (u == 8)
			assert_int_equal(k, n / ul + (n % ul >= 9));
		else
			assert_int_equal(k, 0);
	}
	free(b);
}

/* ------------------------------------------- the synthesizer's own tasks */

/* The families whose gold programs pass dates. */
static const char *const dated_families[] = {
	"handle_time",        "transfer_count",    "top_issue_identification",      "monthly_trend_analysis",
	"best_region_identification", "sales_amount_understanding", "sales_cycle_understanding",
	"conversion_rate_comprehension", "sales_insight_mining", "named_entity_disambiguation",
};

typedef struct tally {
	char family[64];
	int checked, without, read; /* read: tasks without dates where the resolver read one */
} tally;

/* The day of a gold argument (a date or a datetime at midnight). */
static int64_t arg_day(const json_t *v, const char *what)
{
	const char *s = json_string_value(v);
	if (!s || strlen(s) < 10 || (strlen(s) > 10 && strcmp(s + 10, "T00:00:00Z") != 0))
		fail_msg("a gold %s that is no day: %s", what, s ? s : "(not a string)");
	return day(s);
}

/* Checks every task of a generated set; counts per family into t. */
static void check_set(crmw_db *db, crmw_task_set *ts, tally *t, size_t *nt, const char *label)
{
	crmw__gold_runner r;
	assert_int_equal(crmw__gold_runner_init(&r, db), CRMW_OK);
	crmw_buf text = CRMW_BUF_INIT;
	for (int64_t i = 0; i < crmw_task_set_count(ts); i++) {
		assert_int_equal(crmw_task_set_get(&text, ts, i), CRMW_OK);
		json_t *task = json_loads(text.data, 0, NULL);
		assert_non_null(task);
		json_t *report = NULL;
		char *answer = NULL;
		assert_int_equal(crmw__gold_run(&r, task, &report, &answer), CRMW_OK);
		/* the bounds the gold program's tools were called with */
		int64_t a = 0, b = 0;
		int bounds = 0;
		size_t k;
		json_t *st;
		json_array_foreach(json_object_get(report, "steps"), k, st) {
			const json_t *args = json_object_get(st, "arguments");
			const json_t *sa = json_object_get(args, "start_date"), *sb = json_object_get(args, "end_date");
			const json_t *pd = json_object_get(args, "purchase_date");
			int64_t x, y;
			if (sa && sb) {
				x = arg_day(sa, "start_date");
				y = arg_day(sb, "end_date");
			} else if (pd) {
				x = arg_day(pd, "purchase_date");
				y = x + 1;
			} else {
				continue;
			}
			if (bounds && (x != a || y != b))
				fail_msg("%s task %lld: two periods in one gold program", label, (long long)i);
			a = x;
			b = y;
			bounds = 1;
		}
		const char *family = json_string_value(json_object_get(task, "family"));
		const char *query = json_string_value(json_object_get(task, "query"));
		const char *today = json_string_value(json_object_get(json_object_get(task, "context"), "today"));
		size_t f = 0;
		while (f < *nt && strcmp(t[f].family, family) != 0)
			f++;
		if (f == *nt) {
			assert_true(*nt < 40);
			snprintf(t[f].family, sizeof t[f].family, "%s", family);
			t[f].checked = t[f].without = t[f].read = 0;
			(*nt)++;
		}
		if (bounds) {
			assert_non_null(today);
			crmw__period p[4];
			size_t found = crmw__period_find(query, strlen(query), day(today), p, 4);
			char ga[11], gb[11], fa[11] = "-", fb[11] = "-";
			crmw__syn_day_text(a, ga);
			crmw__syn_day_text(b, gb);
			if (found) {
				crmw__syn_day_text(p[0].start, fa);
				crmw__syn_day_text(p[0].end, fb);
			}
			if (found != 1 || p[0].flags || p[0].start != a || p[0].end != b)
				fail_msg("%s task %lld (%s, today %s): gold [%s, %s), the resolver found %zu expressions, the "
					 "first [%s, %s) flags %d: %s",
					 label, (long long)i, family, today, ga, gb, found, fa, fb, found ? p[0].flags : 0, query);
			t[f].checked++;
		} else {
			t[f].without++;
			t[f].read += crmw__period_find(query, strlen(query), today ? day(today) : 0, NULL, 0) > 0;
		}
		json_decref(report);
		free(answer);
		json_decref(task);
	}
	crmw_buf_dispose(&text);
	crmw__gold_runner_dispose(&r);
}

static void test_synthesized_tasks(void **state)
{
	(void)state;
	char dir[] = "/tmp/crmw-period-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const profiles[] = {"b2b", "b2c", "crmarena"};
	int total = 0;
	for (size_t pi = 0; pi < CRMW_ARRAY_LEN(profiles); pi++) {
		tally t[40];
		size_t nt = 0;
		for (int seed = 1; seed <= 2; seed++) {
			char path[128], opts[160], label[64];
			snprintf(path, sizeof path, "%s/%s-%d.db", dir, profiles[pi], seed);
			snprintf(opts, sizeof opts, "{\"profile\":\"%s\",\"seed\":%d,\"scale\":0.3,\"overwrite\":true}",
				 profiles[pi], seed);
			assert_int_equal(crmw_gen(path, opts, NULL, NULL), CRMW_OK);
			crmw_db *db;
			assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
			crmw_task_set *ts;
			snprintf(opts, sizeof opts, "{\"per_family\":50,\"seed\":%d}", 10 + seed);
			assert_int_equal(crmw_tasks_generate(&ts, NULL, db, opts), CRMW_OK);
			snprintf(label, sizeof label, "%s seed %d", profiles[pi], seed);
			check_set(db, ts, t, &nt, label);
			crmw_task_set_free(ts);
			crmw_db_free(db);
			unlink(path);
		}
		int checked = 0;
		for (size_t f = 0; f < nt; f++) {
			print_message("# %s: %s: %d tasks with dates checked, %d without (a time expression in %d of "
				      "them)\n",
				      profiles[pi], t[f].family, t[f].checked, t[f].without, t[f].read);
			checked += t[f].checked;
			bool dated = false;
			for (size_t d = 0; d < CRMW_ARRAY_LEN(dated_families); d++)
				dated = dated || strcmp(t[f].family, dated_families[d]) == 0;
			if (dated && t[f].checked == 0)
				fail_msg("%s: no task of %s was checked", profiles[pi], t[f].family);
		}
		print_message("# %s: %d tasks checked, 0 mismatches\n", profiles[pi], checked);
		assert_true(checked > 0);
		total += checked;
	}
	assert_true(total > 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_before),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_qualified),
		cmocka_unit_test(test_several_and_limits),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_synthesized_tasks),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
