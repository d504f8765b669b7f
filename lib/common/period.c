/*
 * lib/common/period.c: the period resolver.  Reads the time expressions of
 * a question ("in the past 3 months", "Q2 2023", "Winter 2023", "two weeks
 * ago") and returns the days each one covers, with the rules every
 * synthesized task states (lib/tasks/synth.c, docs/tasks.md "Periods"):
 * a period holds its start and not its end; "the past N units" starts N
 * units before today (months by the calendar, crmw__days_before) and ends
 * today; a named month, quarter, season or year starts on its first day and
 * ends when the next one begins; Winter YYYY runs from December 1 of YYYY.
 *
 * The text comes from anyone: one pass over it, trying each word that
 * starts a run of letters or digits; every attempt reads a bounded number
 * of words (each at most WORD_MAX letters, 6 digits, BLANKS_MAX blanks
 * apart), so the work is linear in the length; nothing is allocated and
 * nothing is read at or past text[n].
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <string.h>

#define WORD_MAX 12   /* a word longer than 11 letters is none of ours */
#define BLANKS_MAX 16 /* blanks read between two words of one expression */
#define COUNT_MAX 4000000 /* units counted back (crmw__days_before's bound) */

typedef struct ctx {
	const char *s;
	size_t n;
	int64_t today, min_day, max_day;
	bool today_ok;
} ctx;

static bool is_alpha(unsigned char c)
{
	return (c | 32) >= 'a' && (c | 32) <= 'z';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}
#define IN(w, list) in_list(w, list, CRMW_ARRAY_LEN(list))

/* Past at most BLANKS_MAX blanks from p. */
static size_t skip(const ctx *c, size_t p)
{
	for (int k = 0; k < BLANKS_MAX && p < c->n && is_blank((unsigned char)c->s[p]); k++)
		p++;
	return p;
}

/* The word after blanks from p (ASCII letters up to a byte that is neither
 * a letter nor a digit), lower-cased into w: its end, or 0 when there is
 * none or it is longer than WORD_MAX - 1 letters. */
static size_t word(const ctx *c, size_t p, char w[WORD_MAX])
{
	p = skip(c, p);
	size_t k = 0;
	while (p + k < c->n && is_alpha((unsigned char)c->s[p + k])) {
		if (k + 1 >= WORD_MAX)
			return 0;
		w[k] = (char)(c->s[p + k] | 32);
		k++;
	}
	if (k == 0 || (p + k < c->n && is_digit((unsigned char)c->s[p + k])))
		return 0;
	w[k] = '\0';
	return p + k;
}

/* The word after p is `want`: its end, or 0. */
static size_t word_is(const ctx *c, size_t p, const char *want)
{
	char w[WORD_MAX];
	size_t e = word(c, p, w);
	return e && strcmp(w, want) == 0 ? e : 0;
}

/* Past an optional word: the end of `want` after p, or p. */
static size_t opt_word(const ctx *c, size_t p, const char *want)
{
	size_t e = word_is(c, p, want);
	return e ? e : p;
}

/* Past an optional punctuation byte after blanks. */
static size_t opt_punct(const ctx *c, size_t p, char ch)
{
	size_t q = skip(c, p);
	return q < c->n && c->s[q] == ch ? q + 1 : p;
}

/* Digits after blanks from p, at least one and at most `max`, not followed
 * by a letter or digit unless `suffix` (then the end of the digits): their
 * end, with the value in *v and the count of digits in *nd; or 0. */
static size_t digits_at(const ctx *c, size_t p, int max, bool suffix, int64_t *v, int *nd)
{
	p = skip(c, p);
	int64_t x = 0;
	int k = 0;
	while (p + (size_t)k < c->n && is_digit((unsigned char)c->s[p + (size_t)k])) {
		if (k == max)
			return 0;
		x = x * 10 + (c->s[p + (size_t)k] - '0');
		k++;
	}
	if (k == 0 || (!suffix && p + (size_t)k < c->n && is_alpha((unsigned char)c->s[p + (size_t)k])))
		return 0;
	*v = x;
	if (nd)
		*nd = k;
	return p + (size_t)k;
}

/* A year: exactly four digits, 1 to 9999, that do not go on as a number
 * or a date ("2024-03", "2024/3", "2024.5", "2024,000"). */
static size_t year_at(const ctx *c, size_t p, int *y)
{
	int64_t v;
	int nd;
	size_t e = digits_at(c, p, 4, false, &v, &nd);
	if (!e || nd != 4 || v < 1)
		return 0;
	if (e + 1 < c->n && strchr("-/.,:", c->s[e]) && c->s[e] && is_digit((unsigned char)c->s[e + 1]))
		return 0;
	*y = (int)v;
	return e;
}

/* A comma or "of" before a year, both optional ("in" is not: "did sales
 * fall in 2023"). */
static size_t before_year(const ctx *c, size_t p)
{
	return opt_word(c, opt_punct(c, p, ','), "of");
}

/* A day of the month, 1 to 31, with an optional suffix (15th): its end and
 * whether the suffix was there; or 0. */
static size_t ordinal_at(const ctx *c, size_t p, int *d, bool *suffixed)
{
	int64_t v;
	size_t e = digits_at(c, p, 2, true, &v, NULL);
	if (!e || v < 1 || v > 31)
		return 0;
	*suffixed = false;
	if (e < c->n && is_alpha((unsigned char)c->s[e])) {
		static const char *const sfx[] = {"st", "nd", "rd", "th"};
		char w[WORD_MAX];
		size_t k = 0;
		while (e + k < c->n && is_alpha((unsigned char)c->s[e + k]) && k < 3) {
			w[k] = (char)(c->s[e + k] | 32);
			k++;
		}
		w[k] = '\0';
		if (k != 2 || !IN(w, sfx) || (e + k < c->n && is_alnum((unsigned char)c->s[e + k])))
			return 0;
		e += k;
		*suffixed = true;
	}
	*d = (int)v;
	return e;
}

static const char *const small_numbers[] = {"zero",    "one",     "two",       "three",    "four",
					    "five",    "six",     "seven",     "eight",    "nine",
					    "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
					    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const tens[] = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

static int small_number(const char *w)
{
	for (int i = 0; i < (int)CRMW_ARRAY_LEN(small_numbers); i++)
		if (strcmp(w, small_numbers[i]) == 0)
			return i;
	return -1;
}

/* A count: up to six digits, a number word up to ninety-nine ("twenty-one",
 * "twenty one"), or (when `a`) "a" or "an" for one. */
static size_t count_at(const ctx *c, size_t p, bool a, int64_t *v)
{
	size_t e = digits_at(c, p, 6, false, v, NULL);
	if (e)
		return e;
	char w[WORD_MAX];
	e = word(c, p, w);
	if (!e)
		return 0;
	if (a && (strcmp(w, "a") == 0 || strcmp(w, "an") == 0)) {
		*v = 1;
		return e;
	}
	int k = small_number(w);
	if (k >= 0) {
		*v = k;
		return e;
	}
	for (int i = 0; i < (int)CRMW_ARRAY_LEN(tens); i++) {
		if (strcmp(w, tens[i]) != 0)
			continue;
		*v = 20 + 10 * i;
		size_t q = e < c->n && c->s[e] == '-' ? e + 1 : e, e2 = word(c, q, w);
		int u = e2 ? small_number(w) : -1;
		if (u >= 1 && u <= 9) {
			*v += u;
			e = e2;
		}
		return e;
	}
	return 0;
}

/* A unit of time: its letter (crmw__days_before) and how many of it one
 * is (a fortnight is 14 days, a year 12 months). */
static bool unit_of(const char *w, int *u, int *mul, bool *plural)
{
	static const struct {
		const char *w;
		int u, mul;
	} units[] = {{"day", 'd', 1},   {"week", 'w', 1},    {"fortnight", 'd', 14},
		     {"month", 'm', 1}, {"quarter", 'q', 1}, {"year", 'm', 12}};
	size_t l = strlen(w);
	*plural = l > 1 && w[l - 1] == 's';
	for (size_t i = 0; i < CRMW_ARRAY_LEN(units); i++) {
		size_t ul = strlen(units[i].w);
		if ((l == ul || (*plural && l == ul + 1)) && strncmp(w, units[i].w, ul) == 0) {
			*u = units[i].u;
			*mul = units[i].mul;
			return true;
		}
	}
	return false;
}

/* A month's name or its abbreviation ("Sep", "Sept"): 1 to 12, or 0. */
static int month_of(const char *w)
{
	int sm, months;
	if (crmw__period_name(w, strlen(w), &sm, &months) && months == 1)
		return sm;
	if (strcmp(w, "sept") == 0)
		return 9;
	if (strlen(w) == 3)
		for (int m = 1; m <= 12; m++) {
			const char *name = crmw__month_name(m);
			if ((name[0] | 32) == w[0] && name[1] == w[1] && name[2] == w[2])
				return m;
		}
	return 0;
}

/* "Q1" to "Q4" at p (after blanks): its end and the quarter, or 0. */
static size_t quarter_at(const ctx *c, size_t p, int *q)
{
	p = skip(c, p);
	if (p + 1 >= c->n || (c->s[p] | 32) != 'q' || c->s[p + 1] < '1' || c->s[p + 1] > '4')
		return 0;
	if (p + 2 < c->n && is_alnum((unsigned char)c->s[p + 2]))
		return 0;
	*q = c->s[p + 1] - '0';
	return p + 2;
}

/* ------------------------------------------------------------ the forms */

static size_t set_days(const ctx *c, crmw__period *o, int64_t start, int64_t end, size_t e)
{
	if (start < c->min_day || end - 1 > c->max_day || start >= end)
		return 0;
	o->start = start;
	o->end = end;
	o->last = end - 1;
	return e;
}

static size_t set_day(const ctx *c, crmw__period *o, int64_t day, size_t e)
{
	o->kind = CRMW__PERIOD_DAY;
	return set_days(c, o, day, day + 1, e);
}

static size_t set_date(const ctx *c, crmw__period *o, int y, int m, int d, size_t e)
{
	if (d > crmw__days_in_month(y, m))
		return 0;
	return set_day(c, o, crmw__days_from_civil(y, m, d), e);
}

/* A named period of `months` months from month sm of year y. */
static size_t set_named(const ctx *c, crmw__period *o, int kind, const char *name, int y, int sm, int months, size_t e)
{
	int ey = y + (sm - 1 + months) / 12, em = (sm - 1 + months) % 12 + 1;
	o->kind = kind;
	o->name = name;
	o->year = y;
	return set_days(c, o, crmw__days_from_civil(y, sm, 1), crmw__days_from_civil(ey, em, 1), e);
}

/* From `count` units before today (o->unit, o->count). */
static size_t set_back(const ctx *c, crmw__period *o, bool day, size_t e)
{
	if (!c->today_ok || o->count < 0 || o->count > COUNT_MAX)
		return 0;
	int64_t start = crmw__days_before(c->today, o->unit, o->count);
	return day ? set_day(c, o, start, e) : set_days(c, o, start, c->today, e);
}

/* 2024-03-15 */
static size_t try_iso(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	const char *s = c->s + p;
	if (p + 10 > c->n || s[4] != '-' || s[7] != '-' || (p + 10 < c->n && is_alnum((unsigned char)s[10])))
		return 0;
	int v[3] = {0, 0, 0}, at[3] = {0, 5, 8}, len[3] = {4, 2, 2};
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < len[i]; k++) {
			if (!is_digit((unsigned char)s[at[i] + k]))
				return 0;
			v[i] = v[i] * 10 + (s[at[i] + k] - '0');
		}
	if (v[0] < 1 || v[1] < 1 || v[1] > 12 || v[2] < 1)
		return 0;
	return set_date(c, o, v[0], v[1], v[2], p + 10);
}

/* yesterday, today, tomorrow, the day before yesterday, the day after tomorrow */
static size_t try_day_words(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	char w[WORD_MAX];
	size_t e = word(c, p, w);
	int64_t back;
	if (!e)
		return 0;
	if (strcmp(w, "the") == 0) {
		size_t e2 = word_is(c, e, "day"), e3;
		if (!e2)
			return 0;
		if ((e3 = word_is(c, e2, "before")) && (e = word_is(c, e3, "yesterday")))
			back = 2;
		else if ((e3 = word_is(c, e2, "after")) && (e = word_is(c, e3, "tomorrow")))
			back = -2;
		else
			return 0;
	} else if (strcmp(w, "yesterday") == 0) {
		back = 1;
	} else if (strcmp(w, "today") == 0) {
		back = 0;
	} else if (strcmp(w, "tomorrow") == 0) {
		back = -1;
	} else {
		return 0;
	}
	if (!c->today_ok)
		return 0;
	o->unit = 'd';
	o->count = back;
	return set_day(c, o, c->today - back, e);
}

/* After a relative period: "of" or "in" and a date ("the last week of
 * March 2024", "the past 3 months of 2023"): the words name a part of
 * that period, not the span up to today. */
static bool date_follows(const ctx *c, size_t p)
{
	size_t e = word_is(c, p, "of");
	if (!e && !(e = word_is(c, p, "in")))
		return false;
	static const char *const det[] = {"the", "this", "that", "each", "every", "last", "next"};
	char w[WORD_MAX];
	int y, q, sm, months;
	size_t e2 = word(c, e, w);
	return year_at(c, e, &y) || quarter_at(c, e, &q) ||
	       (e2 && (IN(w, det) || month_of(w) || crmw__period_name(w, strlen(w), &sm, &months)));
}

/* [the] past|last|previous|... [N] unit(s): "the past 3 months", "the last
 * quarter", "the previous fortnight", "past 3 weeks".  Without a count it
 * needs "the" and a singular unit ("last month" alone may be the calendar
 * month before this one). */
static size_t try_relative(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	static const char *const leads[] = {"past", "last", "previous", "preceding", "trailing", "prior"};
	char w[WORD_MAX];
	size_t e = word(c, p, w);
	bool the = e && strcmp(w, "the") == 0;
	if (the)
		e = word(c, e, w);
	if (!e || !IN(w, leads))
		return 0;
	int64_t n = 1;
	size_t e2 = count_at(c, e, false, &n);
	bool counted = e2 != 0;
	if (counted)
		e = e2;
	int u, mul;
	bool plural;
	if (!(e = word(c, e, w)) || !unit_of(w, &u, &mul, &plural))
		return 0;
	if ((!counted && (!the || plural)) || n < 1 || n > COUNT_MAX || date_follows(c, e))
		return 0;
	o->kind = CRMW__PERIOD_RELATIVE;
	o->unit = u;
	o->count = n * mul;
	return set_back(c, o, false, e);
}

/* N unit(s) ago|back: "three days ago", "a fortnight back", "a month ago"
 * (the same day of the month before, or its last day). */
static size_t try_ago(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	static const char *const agos[] = {"ago", "back"};
	int64_t n;
	char w[WORD_MAX];
	int u, mul;
	bool plural;
	size_t e = count_at(c, p, true, &n);
	if (!e || !(e = word(c, e, w)) || !unit_of(w, &u, &mul, &plural) || !(e = word(c, e, w)) || !IN(w, agos))
		return 0;
	if (n < 1 || n > COUNT_MAX)
		return 0;
	o->unit = u;
	o->count = n * mul;
	return set_back(c, o, true, e);
}

/* [the month of] March [,|of] 2024; March 15[th][,] 2024 */
static size_t try_month(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	char w[WORD_MAX];
	size_t e = word(c, p, w);
	bool the_month = e && strcmp(w, "the") == 0;
	if (the_month) {
		size_t e2 = word_is(c, e, "month");
		e = e2 ? word_is(c, e2, "of") : 0;
		e = e ? word(c, e, w) : 0;
	}
	int m = e ? month_of(w) : 0, y, d;
	if (!m)
		return 0;
	bool suffixed;
	size_t e2 = the_month ? 0 : ordinal_at(c, e, &d, &suffixed), e3;
	if (e2 && (e3 = year_at(c, opt_punct(c, e2, ','), &y)))
		return set_date(c, o, y, m, d, e3);
	if (!(e = year_at(c, before_year(c, e), &y)))
		return 0;
	return set_named(c, o, CRMW__PERIOD_MONTH, crmw__month_name(m), y, m, 1, e);
}

/* 15[th] [of] March[,] 2024 */
static size_t try_day_month(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	int d, y, m;
	bool suffixed;
	char w[WORD_MAX];
	size_t e = ordinal_at(c, p, &d, &suffixed);
	if (!e || !(e = word(c, opt_word(c, e, "of"), w)) || !(m = month_of(w)))
		return 0;
	if (!(e = year_at(c, opt_punct(c, e, ','), &y)))
		return 0;
	return set_date(c, o, y, m, d, e);
}

static size_t set_quarter(const ctx *c, crmw__period *o, int q, int y, size_t e)
{
	char qn[2] = {'Q', (char)('0' + q)};
	int sm, months;
	const char *name = crmw__period_name(qn, 2, &sm, &months);
	return set_named(c, o, CRMW__PERIOD_QUARTER, name, y, sm, months, e);
}

/* Q2 [,|of] 2023; 2023 Q2; [the] second|2nd quarter [,|of] 2023 */
static size_t try_quarter(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	int q = 0, y;
	size_t e = quarter_at(c, p, &q), e2;
	if (e)
		return (e = year_at(c, before_year(c, e), &y)) ? set_quarter(c, o, q, y, e) : 0;
	if ((e = year_at(c, p, &y)))
		return (e2 = quarter_at(c, e, &q)) ? set_quarter(c, o, q, y, e2) : 0;
	static const char *const ordinals[] = {"first", "second", "third", "fourth"};
	char w[WORD_MAX];
	e = opt_word(c, p, "the");
	bool suffixed;
	int d;
	if ((e2 = ordinal_at(c, e, &d, &suffixed))) {
		q = suffixed && d <= 4 ? d : 0;
	} else if ((e2 = word(c, e, w))) {
		for (int i = 0; i < 4; i++)
			if (strcmp(w, ordinals[i]) == 0)
				q = i + 1;
	}
	if (!q || !(e = word_is(c, e2, "quarter")) || !(e = year_at(c, before_year(c, e), &y)))
		return 0;
	return set_quarter(c, o, q, y, e);
}

/* [the] Winter|Spring|Summer|Fall|Autumn [,|of] 2023 */
static size_t try_season(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	(void)prep;
	char w[WORD_MAX];
	int sm, months, y;
	size_t e = word(c, opt_word(c, p, "the"), w);
	const char *name = e ? crmw__period_name(w, strlen(w), &sm, &months) : NULL;
	if (!name || months != 3 || name[0] == 'Q' || !(e = year_at(c, before_year(c, e), &y)))
		return 0;
	return set_named(c, o, CRMW__PERIOD_SEASON, name, y, sm, months, e);
}

/* [the] [calendar] year 2023, or a year after "in", "during", ... */
static size_t try_year(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	int y;
	size_t e = opt_word(c, opt_word(c, p, "the"), "calendar"), e2 = word_is(c, e, "year");
	if (e2)
		e = year_at(c, e2, &y);
	else
		e = prep ? year_at(c, p, &y) : 0;
	return e ? set_named(c, o, CRMW__PERIOD_YEAR, NULL, y, 1, 12, e) : 0;
}

typedef size_t (*form_fn)(const ctx *c, size_t p, bool prep, crmw__period *o);

/* The expression that starts at p (after a preposition when prep). */
static size_t expression(const ctx *c, size_t p, bool prep, crmw__period *o)
{
	static const form_fn forms[] = {try_iso,       try_day_words, try_relative, try_ago,  try_month,
					try_day_month, try_quarter,   try_season,   try_year};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(forms); i++) {
		memset(o, 0, sizeof *o);
		size_t e = forms[i](c, p, prep, o);
		if (e)
			return e;
	}
	return 0;
}

/* An expression at p, with the preposition that introduces it. */
static size_t match(const ctx *c, size_t p, crmw__period *o)
{
	static const char *const preps[] = {"in", "over", "during", "within", "for", "across", "throughout", "on"};
	char w[WORD_MAX];
	size_t e = word(c, p, w), q = e ? skip(c, e) : 0, end;
	if (e && IN(w, preps) && q > e && q < c->n && (end = expression(c, q, true, o)) != 0)
		return end;
	return expression(c, p, false, o);
}

/* The word before `at` (across blanks and hyphens: "mid-March") is one
 * that changes what the expression means. */
static bool qualified(const ctx *c, size_t at)
{
	static const char *const words[] = {"of",   "before", "after", "since",   "until", "till",      "through",
					    "thru", "by",     "from",  "to",      "between", "and",     "or",
					    "early", "late",  "mid",   "end",     "beginning", "start", "than",
					    "except", "excluding", "fiscal", "not"};
	size_t p = at;
	for (int k = 0; k < BLANKS_MAX && p > 0 && (is_blank((unsigned char)c->s[p - 1]) || c->s[p - 1] == '-'); k++)
		p--;
	size_t e = p;
	while (p > 0 && is_alpha((unsigned char)c->s[p - 1])) {
		if (e - p + 1 >= WORD_MAX)
			return false;
		p--;
	}
	if (p == e || (p > 0 && is_digit((unsigned char)c->s[p - 1])))
		return false;
	char w[WORD_MAX];
	for (size_t i = p; i < e; i++)
		w[i - p] = (char)(c->s[i] | 32);
	w[e - p] = '\0';
	return IN(w, words);
}

size_t crmw__period_find(const char *text, size_t n, int64_t today, crmw__period *out, size_t nmax)
{
	if (!text)
		return 0;
	ctx c = {text, n, today, crmw__days_from_civil(1, 1, 1), crmw__days_from_civil(9999, 12, 31), false};
	c.today_ok = today >= c.min_day && today <= c.max_day;
	size_t found = 0, p = 0;
	while (p < n) {
		if (!is_alnum((unsigned char)text[p])) {
			p++;
			continue;
		}
		crmw__period o;
		size_t e = match(&c, p, &o);
		if (e) {
			o.at = p;
			o.len = e - p;
			if (qualified(&c, p))
				o.flags |= CRMW__PERIOD_QUALIFIED;
			if (found < nmax)
				out[found] = o;
			found++;
			p = e;
			continue;
		}
		while (p < n && is_alnum((unsigned char)text[p]))
			p++;
	}
	return found;
}
