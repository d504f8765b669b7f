/*
 * lib/agent/plan.c: plans distilled from a solved episode, for the shared
 * memory, and what it takes to replay one on a new task.
 *
 * The task's entities become slots: ids, dates, numbers (also spelled out:
 * "four"), period names (months, quarters, seasons next to a year), quoted
 * strings, and phrases of the task that a call used verbatim ("stresslab"
 * in "find the stresslab I ordered").  Each slot keeps the words around it
 * ("before", "after"), which is how a new task's entity is told apart from
 * another of the same kind.  In the calls, a value becomes
 *   {"$slot": "sN"}                 a task entity ("as": "number" for numbers)
 *   {"$ref": "/N/path"}             a value of an earlier result (the gold
 *                                   programs' notation; the latest result first)
 *   {"$ref": "/N", "pluck": "F"}    field F of each record of result N
 *   {"$date": {...}, "suffix": ".."} a date computed from slots: a bound of a
 *                                   named period of a year, or a date some
 *                                   days/weeks/months/quarters/years before
 *                                   another
 *   {"$template": "..{sN}.."}       a string embedding entities
 * and anything else stays a literal.  A deterministic guideline text is
 * written from the plan.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "common/json.h"
#include "tasks/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ words */

static bool wordc(char c)
{
	return isalnum((unsigned char)c) || c == '\'';
}

/* Up to `max` words before position i (or after position j) on the same
 * line, lower case, joined by one space. */
static json_t *context(const char *s, size_t n, size_t i, size_t j, int max, bool before)
{
	char buf[160];
	size_t len = 0;
	int words = 0;
	if (before) {
		size_t p = i;
		size_t starts[8], ends[8];
		while (p > 0 && words < max) {
			while (p > 0 && !wordc(s[p - 1]) && s[p - 1] != '\n')
				p--;
			if (p == 0 || s[p - 1] == '\n')
				break;
			size_t e = p;
			while (p > 0 && wordc(s[p - 1]))
				p--;
			starts[words] = p;
			ends[words] = e;
			words++;
		}
		for (int w = words - 1; w >= 0; w--)
			for (size_t k = starts[w]; k < ends[w] && len + 2 < sizeof buf; k++) {
				if (k == starts[w] && len > 0)
					buf[len++] = ' ';
				buf[len++] = (char)tolower((unsigned char)s[k]);
			}
	} else {
		size_t p = j;
		while (p < n && words < max) {
			while (p < n && !wordc(s[p]) && s[p] != '\n')
				p++;
			if (p >= n || s[p] == '\n')
				break;
			if (len > 0 && len + 2 < sizeof buf)
				buf[len++] = ' ';
			while (p < n && wordc(s[p])) {
				if (len + 1 < sizeof buf)
					buf[len++] = (char)tolower((unsigned char)s[p]);
				p++;
			}
			words++;
		}
	}
	return json_stringn(buf, len);
}

/* ------------------------------------------------------------------ slots */

static const json_t *slot_by_value(const json_t *slots, const char *v, size_t n)
{
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) {
		const json_t *x = json_object_get(s, "value");
		if (json_string_length(x) == n && memcmp(json_string_value(x), v, n) == 0)
			return s;
	}
	return NULL;
}

static const json_t *slot_named(const json_t *slots, const char *name)
{
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			return s;
	}
	return NULL;
}

/* Add a slot for text s[i, j) (its value `v`, `vn` bytes). */
static int add_slot(json_t *slots, const char *kind, const char *v, size_t vn, const char *s, size_t n, size_t i,
		    size_t j, const char *where)
{
	if (vn == 0 || slot_by_value(slots, v, vn))
		return CRMW_OK;
	char name[16];
	snprintf(name, sizeof name, "s%zu", json_array_size(slots));
	json_t *slot = json_pack("{s:s, s:s, s:s%, s:s, s:o, s:o}", "name", name, "kind", kind, "value", v, vn, "where",
				 where, "before", context(s, n, i, j, 3, true), "after", context(s, n, i, j, 2, false));
	return slot && json_array_append_new(slots, slot) == 0 ? CRMW_OK : CRMW_ENOMEM;
}

static bool is_date_at(const char *s, size_t n, size_t i)
{
	static const char pat[] = "dddd-dd-dd";
	if (i + 10 > n)
		return false;
	for (size_t k = 0; k < 10; k++)
		if (pat[k] == 'd' ? !isdigit((unsigned char)s[i + k]) : s[i + k] != '-')
			return false;
	return i + 10 == n || !isalnum((unsigned char)s[i + 10]) || s[i + 10] == 'T';
}

static int number_word(const char *s, size_t n)
{
	static const char *const w[] = {"one", "two", "three", "four",  "five",   "six",
					"seven", "eight", "nine", "ten", "eleven", "twelve"};
	for (int k = 0; k < 12; k++)
		if (strlen(w[k]) == n && strncasecmp(s, w[k], n) == 0)
			return k + 1;
	return 0;
}

/* "second quarter": the quarter's number, else 0. */
static int ordinal_quarter(const char *s, size_t n, size_t i, size_t j)
{
	static const char *const ord[] = {"first", "second", "third", "fourth"};
	size_t k = j;
	while (k < n && s[k] == ' ')
		k++;
	if (k == j || k + 7 > n || strncasecmp(s + k, "quarter", 7) != 0 || (k + 7 < n && isalnum((unsigned char)s[k + 7])))
		return 0;
	for (int q = 0; q < 4; q++)
		if (strlen(ord[q]) == j - i && strncasecmp(s + i, ord[q], j - i) == 0)
			return q + 1;
	return 0;
}

/* A 4-digit year within the next three words after position j. */
static bool year_follows(const char *s, size_t n, size_t j)
{
	for (int words = 0; j < n && words < 3; words++) {
		while (j < n && !isalnum((unsigned char)s[j]))
			j++;
		size_t k = j;
		while (k < n && isalnum((unsigned char)s[k]))
			k++;
		if (k - j == 4 && isdigit((unsigned char)s[j]) && isdigit((unsigned char)s[j + 3]))
			return true;
		j = k;
	}
	return false;
}

/* The entities of one text. */
static int scan_slots(json_t *slots, const char *s, const char *where)
{
	if (!s)
		return CRMW_OK;
	size_t n = strlen(s);
	int rc = CRMW_OK;
	for (size_t i = 0; i < n && !rc;) {
		unsigned char c = (unsigned char)s[i];
		if ((c == '\'' || c == '"') && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
			const char *end = memchr(s + i + 1, (int)c, n - i - 1);
			if (end && end - (s + i + 1) >= 2 && end - (s + i + 1) <= 80) {
				size_t j = (size_t)(end - s) + 1;
				rc = add_slot(slots, "text", s + i + 1, (size_t)(end - (s + i + 1)), s, n, i, j, where);
				i = j;
				continue;
			}
			i++;
			continue;
		}
		if (!isalnum(c)) {
			i++;
			continue;
		}
		if ((i == 0 || !isalnum((unsigned char)s[i - 1])) && is_date_at(s, n, i)) {
			rc = add_slot(slots, "date", s + i, 10, s, n, i, i + 10, where);
			i += 10;
			continue;
		}
		size_t j = i;
		while (j < n && isalnum((unsigned char)s[j]))
			j++;
		bool digits = true;
		for (size_t k = i; k < j; k++)
			digits = digits && isdigit((unsigned char)s[k]);
		int sm, months, w, q = ordinal_quarter(s, n, i, j);
		if (q > 0) {
			char v[4] = {'Q', (char)('0' + q), 0, 0};
			size_t k = j;
			while (k < n && s[k] == ' ')
				k++;
			rc = add_slot(slots, "period", v, 2, s, n, i, k + 7, where);
			j = k + 7;
		} else if (crmw__is_id_token(s + i, j - i)) {
			rc = add_slot(slots, "id", s + i, j - i, s, n, i, j, where);
		} else if (digits) {
			size_t k = j;
			if (k + 1 < n && s[k] == '.' && isdigit((unsigned char)s[k + 1]))
				for (k++; k < n && isdigit((unsigned char)s[k]); k++)
					;
			rc = add_slot(slots, "number", s + i, k - i, s, n, i, k, where);
			j = k;
		} else if ((w = number_word(s + i, j - i)) > 0) {
			char v[8];
			snprintf(v, sizeof v, "%d", w);
			rc = add_slot(slots, "number", v, strlen(v), s, n, i, j, where);
		} else if (crmw__named_period(s + i, j - i, &sm, &months) && months < 12 &&
			   (j - i == 2 || year_follows(s, n, j))) {
			char v[16];
			snprintf(v, sizeof v, "%.*s", (int)(j - i), s + i);
			v[0] = (char)toupper((unsigned char)v[0]);
			rc = add_slot(slots, "period", v, strlen(v), s, n, i, j, where);
		}
		i = j;
	}
	return rc;
}

static const char *required_text(const json_t *task)
{
	return json_string_value(json_object_get(json_object_get(task, "metadata"), "required"));
}

json_t *crmw__task_slots(const json_t *task)
{
	json_t *slots = json_array();
	if (slots && (scan_slots(slots, json_string_value(json_object_get(task, "query")), "query") ||
		      scan_slots(slots, required_text(task), "metadata"))) {
		json_decref(slots);
		return NULL;
	}
	return slots;
}

/* A literal the calls took verbatim from the task text, at word bounds. */
static int phrase_slot(json_t *slots, const json_t *task, const char *v)
{
	size_t vn = strlen(v);
	if (vn < 2 || vn > 80 || slot_by_value(slots, v, vn))
		return CRMW_OK;
	const char *texts[2] = {json_string_value(json_object_get(task, "query")), required_text(task)};
	const char *wheres[2] = {"query", "metadata"};
	for (int t = 0; t < 2; t++) {
		const char *s = texts[t];
		if (!s)
			continue;
		size_t n = strlen(s);
		for (size_t i = 0; i + vn <= n; i++) {
			if (strncasecmp(s + i, v, vn) != 0)
				continue;
			if ((i > 0 && isalnum((unsigned char)s[i - 1])) || (i + vn < n && isalnum((unsigned char)s[i + vn])))
				continue;
			return add_slot(slots, "phrase", s + i, vn, s, n, i, i + vn, wheres[t]);
		}
	}
	return CRMW_OK;
}

/* ------------------------------------------------------------------ dates */

typedef struct ymd {
	int y, m, d;
} ymd;

static bool parse_ymd(const char *s, ymd *out)
{
	if (!s || !is_date_at(s, strlen(s), 0))
		return false;
	out->y = atoi(s);
	out->m = atoi(s + 5);
	out->d = atoi(s + 8);
	return out->m >= 1 && out->m <= 12 && out->d >= 1 && out->d <= 31;
}

static ymd add_months(ymd a, int64_t months)
{
	int64_t total = (int64_t)a.y * 12 + (a.m - 1) + months;
	ymd r = {(int)(total / 12), (int)(total % 12) + 1, a.d};
	int dim = crmw__days_in_month(r.y, r.m);
	if (r.d > dim)
		r.d = dim;
	return r;
}

static ymd add_days(ymd a, int64_t days)
{
	ymd r;
	crmw__civil_from_days(crmw__days_from_civil(a.y, a.m, a.d) + days, &r.y, &r.m, &r.d);
	return r;
}

static const char *const units[] = {"day", "week", "month", "quarter", "year"};

static ymd minus(ymd a, int64_t n, const char *unit)
{
	if (strcmp(unit, "day") == 0)
		return add_days(a, -n);
	if (strcmp(unit, "week") == 0)
		return add_days(a, -7 * n);
	return add_months(a, -n * (strcmp(unit, "month") == 0 ? 1 : strcmp(unit, "quarter") == 0 ? 3 : 12));
}

/* Bounds of a named period of a year: its first day, its last day, the day
 * after it. */
static bool period_bound(const char *name, int year, const char *bound, ymd *out)
{
	int sm, months;
	if (!crmw__named_period(name, strlen(name), &sm, &months))
		return false;
	ymd start = {year, sm, 1};
	ymd after = add_months(start, months);
	*out = strcmp(bound, "start") == 0 ? start : strcmp(bound, "after") == 0 ? after : add_days(after, -1);
	return true;
}

static bool same(ymd a, ymd b)
{
	return a.y == b.y && a.m == b.m && a.d == b.d;
}

static bool is_year(const json_t *slot)
{
	const char *v = json_string_value(json_object_get(slot, "value"));
	if (!v) /* a slot of an abstracted plan (crmw__plan_abstract) */
		return json_is_true(json_object_get(slot, "year"));
	return strcmp(json_string_value(json_object_get(slot, "kind")), "number") == 0 && strlen(v) == 4 &&
	       atoi(v) >= 1900 && atoi(v) <= 2100;
}

/* Explain a date string by the slots, or NULL. */
static json_t *date_of(const json_t *slots, const char *s)
{
	ymd d;
	if (!parse_ymd(s, &d))
		return NULL;
	const char *suffix = s + 10;
	static const char *const bounds[] = {"start", "last", "after"};
	size_t i, k;
	json_t *p, *y;
	/* a bound of a named period of a year, or of the year itself */
	json_array_foreach(slots, k, y) {
		if (!is_year(y))
			continue;
		int year = atoi(json_string_value(json_object_get(y, "value")));
		json_t *periods = json_array();
		json_array_foreach(slots, i, p) {
			if (strcmp(json_string_value(json_object_get(p, "kind")), "period") == 0)
				json_array_append(periods, p);
		}
		json_array_append_new(periods, json_null()); /* the whole year */
		json_array_foreach(periods, i, p) {
			const char *name = p && !json_is_null(p) ? json_string_value(json_object_get(p, "value")) : "Year";
			for (size_t b = 0; b < 3; b++) {
				ymd v;
				if (!period_bound(name, year, bounds[b], &v) || !same(v, d))
					continue;
				json_t *spec = json_pack("{s:O, s:s}", "year", json_object_get(y, "name"), "bound", bounds[b]);
				if (spec && p && !json_is_null(p))
					json_object_set(spec, "period", json_object_get(p, "name"));
				json_decref(periods);
				return json_pack("{s:o, s:s}", "$date", spec, "suffix", suffix);
			}
		}
		json_decref(periods);
	}
	/* some units before another date of the task */
	json_t *t, *nslot;
	json_array_foreach(slots, k, t) {
		ymd from;
		if (strcmp(json_string_value(json_object_get(t, "kind")), "date") != 0 ||
		    !parse_ymd(json_string_value(json_object_get(t, "value")), &from))
			continue;
		json_array_foreach(slots, i, nslot) {
			if (strcmp(json_string_value(json_object_get(nslot, "kind")), "number") != 0 || is_year(nslot))
				continue;
			long n = strtol(json_string_value(json_object_get(nslot, "value")), NULL, 10);
			if (n < 1 || n > 3660)
				continue;
			for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
				if (same(minus(from, n, units[u]), d))
					return json_pack("{s:{s:O, s:O, s:s}, s:s}", "$date", "from", json_object_get(t, "name"),
							 "minus", json_object_get(nslot, "name"), "unit", units[u], "suffix",
							 suffix);
		}
	}
	return NULL;
}

/* ------------------------------------------------------------ references */

/* Find `v` inside `node`; writes the JSON pointer below it into `path`. */
static bool find_value(const json_t *node, const json_t *v, char *path, size_t cap, size_t len)
{
	if (json_equal(node, v)) {
		path[len] = '\0';
		return true;
	}
	if (json_is_array(node)) {
		size_t i;
		json_t *x;
		json_array_foreach(node, i, x) {
			int w = snprintf(path + len, cap - len, "/%zu", i);
			if (w > 0 && (size_t)w < cap - len && find_value(x, v, path, cap, len + (size_t)w))
				return true;
		}
	} else if (json_is_object(node)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)node, k, x) {
			if (strchr(k, '/') || strchr(k, '~'))
				continue;
			int w = snprintf(path + len, cap - len, "/%s", k);
			if (w > 0 && (size_t)w < cap - len && find_value(x, v, path, cap, len + (size_t)w))
				return true;
		}
	}
	return false;
}

/* The latest earlier result holding `v`. */
static json_t *ref_to(const json_t *results, size_t upto, const json_t *v)
{
	char path[512];
	for (size_t i = upto; i-- > 0;) {
		int w = snprintf(path, sizeof path, "/%zu", i);
		if (find_value(json_array_get(results, i), v, path, sizeof path, (size_t)w))
			return json_pack("{s:s}", "$ref", path);
	}
	return NULL;
}

/* An array that is one field of every record of an earlier result. */
static json_t *pluck_of(const json_t *results, size_t upto, const json_t *v)
{
	size_t n = json_array_size(v);
	for (size_t i = upto; n > 0 && i-- > 0;) {
		const json_t *r = json_array_get(results, i);
		if (json_array_size(r) != n || !json_is_object(json_array_get(r, 0)))
			continue;
		const char *k;
		json_t *x;
		json_object_foreach(json_array_get(r, 0), k, x) {
			bool all = true;
			for (size_t e = 0; e < n && all; e++)
				all = json_equal(json_object_get(json_array_get(r, e), k), json_array_get(v, e));
			if (all) {
				char path[32];
				snprintf(path, sizeof path, "/%zu", i);
				return json_pack("{s:s, s:s}", "$ref", path, "pluck", k);
			}
		}
	}
	return NULL;
}

/* ------------------------------------------------------------- templates */

/* Does slot value v (kind) match at s+p with word bounds? */
static bool bounded(const char *s, size_t p, size_t vn, const char *kind)
{
	if (p > 0 && isalnum((unsigned char)s[p - 1]))
		return false;
	char after = s[p + vn];
	if (after == '\0' || !isalnum((unsigned char)after))
		return true;
	return strcmp(kind, "date") == 0 && after == 'T';
}

/* "..{s0}.." when `s` contains slot values at word bounds, else NULL. */
static json_t *template_of(const json_t *slots, const char *s)
{
	crmw_buf b = CRMW_BUF_INIT;
	bool any = false;
	for (const char *p = s; *p;) {
		size_t i, best = 0;
		json_t *x;
		const char *name = NULL;
		json_array_foreach(slots, i, x) {
			const char *v = json_string_value(json_object_get(x, "value"));
			const char *kind = json_string_value(json_object_get(x, "kind"));
			size_t n = strlen(v);
			if (n > best && strncmp(p, v, n) == 0 && bounded(s, (size_t)(p - s), n, kind)) {
				best = n;
				name = json_string_value(json_object_get(x, "name"));
			}
		}
		int rc;
		if (name) {
			rc = crmw__buf_printf(&b, "{%s}", name);
			p += best;
			any = true;
		} else {
			rc = *p == '{' || *p == '}' ? crmw__buf_printf(&b, "%c%c", *p, *p) : crmw__buf_putc(&b, *p);
			p++;
		}
		if (rc) {
			crmw_buf_dispose(&b);
			return NULL;
		}
	}
	json_t *out = any ? json_pack("{s:s}", "$template", b.data) : NULL;
	crmw_buf_dispose(&b);
	return out;
}

/* A JSON number as the text a task would hold ("42", "3.5"). */
static void number_text(char out[64], const json_t *v)
{
	if (json_is_integer(v))
		snprintf(out, 64, "%lld", (long long)json_integer_value(v));
	else
		snprintf(out, 64, "%.15g", json_real_value(v));
}

/* A copy of object or array `v` with each member passed through `fn`; NULL
 * when `fn` returns NULL for one (or out of memory). */
static json_t *map_members(const json_t *v, json_t *(*fn)(const json_t *x, void *ud), void *ud)
{
	json_t *out = json_is_object(v) ? json_object() : json_array();
	const char *k;
	size_t i;
	json_t *x;
	if (out && json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			json_t *r = fn(x, ud);
			if (!r || json_object_set_new(out, k, r)) {
				json_decref(out);
				return NULL;
			}
		}
	} else if (out) {
		json_array_foreach(v, i, x) {
			json_t *r = fn(x, ud);
			if (!r || json_array_append_new(out, r)) {
				json_decref(out);
				return NULL;
			}
		}
	}
	return out;
}

/* --------------------------------------------------------- generalising */

static json_t *generalise(const json_t *v, const json_t *slots, const json_t *results, size_t upto)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		const json_t *slot = slot_by_value(slots, s, json_string_length(v));
		if (slot)
			return json_pack("{s:O}", "$slot", json_object_get(slot, "name"));
		json_t *r = json_string_length(v) >= 3 ? ref_to(results, upto, v) : NULL;
		if (!r)
			r = date_of(slots, s);
		if (!r)
			r = template_of(slots, s);
		return r ? r : json_deep_copy(v);
	}
	if (json_is_integer(v) || json_is_real(v)) {
		char num[64];
		number_text(num, v);
		const json_t *slot = slot_by_value(slots, num, strlen(num));
		return slot ? json_pack("{s:O, s:s}", "$slot", json_object_get(slot, "name"), "as", "number")
			    : json_deep_copy(v);
	}
	if (json_is_array(v) || json_is_object(v)) {
		json_t *r = json_array_size(v) > 0 || json_object_size(v) > 0 ? ref_to(results, upto, v) : NULL;
		if (!r && json_is_array(v))
			r = pluck_of(results, upto, v);
		if (r)
			return r;
	}
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) json_array_append_new(out, generalise(x, slots, results, upto));
		return out;
	}
	if (json_is_object(v)) {
		json_t *out = json_object();
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) json_object_set_new(out, k, generalise(x, slots, results, upto));
		return out;
	}
	return json_deep_copy(v);
}

/* Phrase slots for the literal strings of the calls found in the task. */
static int collect_phrases(json_t *slots, const json_t *task, const json_t *v)
{
	if (json_is_string(v))
		return phrase_slot(slots, task, json_string_value(v));
	int rc = CRMW_OK;
	size_t i;
	const char *k;
	json_t *x;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) rc = rc ? rc : collect_phrases(slots, task, x);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) rc = rc ? rc : collect_phrases(slots, task, x);
	}
	return rc;
}

/* ----------------------------------------------------------------- text */

static int describe_value(crmw_buf *b, const json_t *g)
{
	const char *slot = json_string_value(json_object_get(g, "$slot"));
	const char *ref = json_string_value(json_object_get(g, "$ref"));
	const char *tpl = json_string_value(json_object_get(g, "$template"));
	const json_t *date = json_object_get(g, "$date");
	if (slot)
		return crmw__buf_printf(b, "<%s from the task>", slot);
	if (ref) {
		const char *p = ref + 1;
		long step = strtol(p, NULL, 10);
		const char *rest = strchr(p, '/');
		const char *pluck = json_string_value(json_object_get(g, "pluck"));
		if (pluck)
			return crmw__buf_printf(b, "<the %s of each record of step %ld's result>", pluck, step + 1);
		return rest ? crmw__buf_printf(b, "<%s of step %ld's result>", rest, step + 1)
			    : crmw__buf_printf(b, "<step %ld's result>", step + 1);
	}
	if (date) {
		const char *from = json_string_value(json_object_get(date, "from"));
		if (from)
			return crmw__buf_printf(b, "<%s minus %s %ss>", from,
						json_string_value(json_object_get(date, "minus")),
						json_string_value(json_object_get(date, "unit")));
		const char *period = json_string_value(json_object_get(date, "period"));
		return crmw__buf_printf(b, "<%s of %s %s>", json_string_value(json_object_get(date, "bound")),
					period ? period : "the year", json_string_value(json_object_get(date, "year")));
	}
	if (tpl)
		return crmw__buf_printf(b, "\"%.120s\"", tpl);
	if (json_object_get(g, "$redacted"))
		return crmw__buf_puts(b, "<a value of the solved task, left out>");
	char *t = json_dumps(g, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!t)
		return CRMW_ENOMEM;
	int rc = strlen(t) > 80 ? crmw__buf_printf(b, "%.77s...", t) : crmw__buf_puts(b, t);
	free(t);
	return rc;
}

static int describe_step(crmw_buf *b, size_t i, const json_t *step)
{
	int rc = crmw__buf_printf(b, "%zu. %s(", i + 1, json_string_value(json_object_get(step, "name")));
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach(json_object_get(step, "arguments"), k, v) {
		rc = rc ? rc : crmw__buf_printf(b, "%s%s=", first ? "" : ", ", k);
		rc = rc ? rc : describe_value(b, v);
		first = false;
	}
	return rc ? rc : crmw__buf_puts(b, ")\n");
}

/* The guideline text of a plan: the task's shape, then the steps. */
static int plan_text(crmw_buf *b, const char *shape, const json_t *steps, const char *source)
{
	int rc = crmw__buf_printf(b, "For tasks like \"%s\":\n", shape ? shape : "");
	size_t i;
	json_t *st;
	json_array_foreach(steps, i, st) {
		if (rc)
			break;
		rc = describe_step(b, i, st);
	}
	if (!rc && strcmp(source, "literal") == 0 && json_array_size(steps) > 1)
		rc = crmw__buf_puts(b, "The answer was read from the results above, not copied from one field.\n");
	return rc;
}

int crmw__plan_build(json_t **plan_out, char **text_out, const json_t *task, const json_t *calls, const char *answer)
{
	*plan_out = NULL;
	*text_out = NULL;
	json_t *slots = crmw__task_slots(task), *steps = json_array(), *results = json_array();
	int rc = slots && steps && results ? CRMW_OK : CRMW_ENOMEM;
	size_t i;
	json_t *c;
	json_array_foreach(calls, i, c) {
		if (!rc)
			rc = collect_phrases(slots, task, json_object_get(c, "arguments"));
	}
	json_array_foreach(calls, i, c) {
		if (rc)
			break;
		json_t *g = generalise(json_object_get(c, "arguments"), slots, results, i);
		rc = !g || json_array_append_new(steps, json_pack("{s:O, s:o}", "name", json_object_get(c, "name"),
								  "arguments", g))
			     ? CRMW_ENOMEM
			     : CRMW_OK;
		rc = rc ? rc : json_array_append(results, json_object_get(c, "result")) ? CRMW_ENOMEM : CRMW_OK;
	}
	/* The answer: a slot, a value of an earlier result (as text), or a literal. */
	const char *source = "literal";
	json_t *content = NULL;
	if (!rc && answer) {
		const json_t *slot = slot_by_value(slots, answer, strlen(answer));
		json_t *as = json_string(answer);
		json_t *r = slot || !as ? NULL : ref_to(results, json_array_size(results), as);
		if (slot) {
			content = json_pack("{s:O}", "$slot", json_object_get(slot, "name"));
			source = "slot";
		} else if (r) {
			json_object_set_new(r, "as", json_string("text"));
			content = r;
			source = "ref";
		} else {
			content = json_incref(as);
		}
		json_decref(as);
		rc = !content || json_array_append_new(steps, json_pack("{s:s, s:{s:o}}", "name", "respond", "arguments",
									"content", content))
			     ? CRMW_ENOMEM
			     : CRMW_OK;
	}
	crmw_buf b = CRMW_BUF_INIT;
	if (!rc) {
		const char *query = json_string_value(json_object_get(task, "query"));
		json_t *tq = query ? template_of(slots, query) : NULL;
		const char *shape = tq ? json_string_value(json_object_get(tq, "$template")) : query;
		rc = plan_text(&b, shape, steps, source);
		json_decref(tq);
	}
	if (rc) {
		crmw_buf_dispose(&b);
		json_decref(slots);
		json_decref(steps);
		json_decref(results);
		return CRMW_ENOMEM;
	}
	json_decref(results);
	*plan_out = json_pack("{s:o, s:o, s:s}", "steps", steps, "slots", slots, "answer_source", source);
	*text_out = b.data;
	return *plan_out ? CRMW_OK : CRMW_ENOMEM;
}

/* ----------------------------------------------------------- abstraction */

/*
 * A plan written back under a restricted role keeps no value of the episode
 * (docs/agent.md, "Write-back under a restricted role").  The values are
 *  - the answer (unless the episode read nothing: then it can hold only the
 *    query's values, which are checked as such),
 *  - every entity of the task (the slot values),
 *  - every string of a tool result, every number of one with three
 *    characters or more ("1", "42" and list positions identify nothing, and
 *    every plan holds such numbers), keys of results that are not field
 *    names (with a space or a digit),
 *  - names: the words of the query with a capital letter that do not start a
 *    sentence (and "I"),
 *  - anything shaped like a record Id.
 * Values of one or two characters are matched as whole words, longer ones
 * anywhere, ASCII case ignored.
 */

typedef struct vals {
	const char **v; /* borrowed from the JSON they came from */
	size_t *len;
	size_t n, cap;
	json_t *names; /* the query's names (owned) */
} vals;

static int vals_add(vals *vs, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n < 2)
		return CRMW_OK;
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 64;
		const char **v = realloc(vs->v, cap * sizeof *v);
		if (!v)
			return CRMW_ENOMEM;
		vs->v = v;
		size_t *len = realloc(vs->len, cap * sizeof *len);
		if (!len)
			return CRMW_ENOMEM;
		vs->len = len;
		vs->cap = cap;
	}
	vs->v[vs->n] = s;
	vs->len[vs->n++] = n;
	return CRMW_OK;
}

/* Every value of a result; iterative (results nest as deep as a model
 * likes), with an explicit stack. */
static int vals_of_result(vals *vs, const json_t *root, json_t *numbers)
{
	json_t *stack = json_array();
	int rc = stack && !json_array_append(stack, (json_t *)root) ? CRMW_OK : CRMW_ENOMEM;
	while (!rc && json_array_size(stack)) {
		size_t top = json_array_size(stack) - 1;
		json_t *v = json_incref(json_array_get(stack, top));
		json_array_remove(stack, top);
		if (json_is_string(v)) {
			rc = vals_add(vs, json_string_value(v), json_string_length(v));
		} else if (json_is_integer(v) || json_is_real(v)) {
			char num[64];
			number_text(num, v);
			if (strlen(num) >= 3) {
				/* kept alive by `numbers` until the values are done with */
				json_t *t = json_string(num);
				rc = t && !json_array_append_new(numbers, t) ? vals_add(vs, json_string_value(t), strlen(num))
									     : CRMW_ENOMEM;
			}
		} else if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) if (!rc && json_array_append(stack, x)) rc = CRMW_ENOMEM;
		} else if (json_is_object(v)) {
			const char *k;
			json_t *x;
			json_object_foreach(v, k, x) {
				if (!rc && (strchr(k, ' ') || strpbrk(k, "0123456789")))
					rc = vals_add(vs, k, strlen(k));
				if (!rc && json_array_append(stack, x))
					rc = CRMW_ENOMEM;
			}
		}
		json_decref(v);
	}
	json_decref(stack);
	return rc;
}

static bool word_at(const char *s, size_t i)
{
	return isalnum((unsigned char)s[i]);
}

/* The query's names: words with a capital letter that do not open a
 * sentence, "I" aside; a sentence's first word counts when it has a capital
 * after its first letter ("StressLab"). */
static json_t *query_names(const char *q)
{
	json_t *out = json_array();
	bool start = true;
	for (size_t i = 0; out && q && q[i];) {
		if (!word_at(q, i)) {
			if (strchr(".?!:;\n", q[i]))
				start = true;
			i++;
			continue;
		}
		size_t j = i;
		while (word_at(q, j) || ((q[j] == '\'' || q[j] == '-') && word_at(q, j + 1) && j > i))
			j++;
		bool later_cap = false;
		for (size_t k = i + 1; k < j; k++)
			later_cap = later_cap || isupper((unsigned char)q[k]);
		bool i_word = q[i] == 'I' && (j == i + 1 || q[i + 1] == '\'');
		if (!i_word && (later_cap || (!start && isupper((unsigned char)q[i]))))
			json_array_append_new(out, json_stringn(q + i, j - i));
		start = false;
		i = j;
	}
	return out;
}

/* Does value v (n bytes) stand at s[i]? */
static bool value_at(const char *s, size_t i, const char *v, size_t n)
{
	if (strncasecmp(s + i, v, n) != 0)
		return false;
	if (n > 3)
		return true;
	return (i == 0 || !word_at(s, i - 1)) && !word_at(s, i + n);
}

/* The length of the longest value of `vs` at s[i], 0 when none. */
static size_t longest_value(const vals *vs, const char *s, size_t i)
{
	size_t best = 0;
	for (size_t k = 0; k < vs->n; k++)
		if (vs->len[k] > best && tolower((unsigned char)s[i]) == tolower((unsigned char)vs->v[k][0]) &&
		    value_at(s, i, vs->v[k], vs->len[k]))
			best = vs->len[k];
	return best;
}

/* The word at s[i] (letters, digits, inner ' and -): its length. */
static size_t word_len(const char *s, size_t i)
{
	size_t j = i;
	while (word_at(s, j) || ((s[j] == '\'' || s[j] == '-') && j > i && word_at(s, j + 1)))
		j++;
	return j - i;
}

/* Is w (n bytes) a name of the query, or a part of one of three characters
 * or more between its hyphens or apostrophes ("okafor" of "Okafor-50")? */
static bool is_name(const vals *vs, const char *w, size_t n)
{
	size_t i;
	json_t *x;
	json_array_foreach(vs->names, i, x) {
		const char *s = json_string_value(x);
		size_t len = json_string_length(x);
		if (len == n && strncasecmp(s, w, n) == 0)
			return true;
		for (size_t k = 0; n >= 3 && k + n <= len; k++)
			if ((k == 0 || !word_at(s, k - 1)) && (k + n == len || !word_at(s, k + n)) &&
			    strncasecmp(s + k, w, n) == 0)
				return true;
	}
	return false;
}

static bool has_digit(const char *w, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (isdigit((unsigned char)w[k]))
			return true;
	return false;
}

/* Does `s` hold a value?  `names`: also a name; `alone`: a name only where
 * it is all of `s` or inside quotes ('...', "...", as in SOQL text, where
 * unquoted words are field and object names). */
static bool holds_value(const vals *vs, const char *s, bool names, bool alone)
{
	char quote = 0;
	for (size_t i = 0; s[i];) {
		if (longest_value(vs, s, i))
			return true;
		if ((s[i] == '\'' || s[i] == '"') && (!quote || quote == s[i]) && (i == 0 || !word_at(s, i - 1))) {
			quote = quote ? 0 : s[i];
			i++;
			continue;
		}
		if (!word_at(s, i) || (i > 0 && word_at(s, i - 1))) {
			i++;
			continue;
		}
		size_t n = word_len(s, i);
		if (crmw__is_id_token(s + i, n))
			return true;
		if (names && is_name(vs, s + i, n) && (!alone || quote || (i == 0 && !s[n])))
			return true;
		i += n;
	}
	return false;
}

/* Is w (n bytes) a value, or a word of three letters or more of one
 * ("stresslab" of "professional stresslab")? */
static bool word_of_value(const vals *vs, const char *w, size_t n)
{
	for (size_t k = 0; k < vs->n; k++) {
		const char *v = vs->v[k];
		size_t len = vs->len[k];
		if (len == n && strncasecmp(v, w, n) == 0)
			return true;
		if (len <= n || n < 3)
			continue;
		for (size_t i = 0; i + n <= len; i++)
			if ((i == 0 || !word_at(v, i - 1)) && (i + n == len || !word_at(v, i + n)) &&
			    strncasecmp(v + i, w, n) == 0)
				return true;
	}
	return false;
}

/*
 * `s` with its values replaced: slot values by "{sN}" (`kinds`: "{kind}"),
 * other values and words of the task's own values (`own`: the entities and
 * the answer) by "{value}", names by "{name}", ids by "{id}", words with a
 * digit by "{number}".  NULL when out of memory.
 */
static char *scrub(const char *s, const json_t *slots, const vals *vs, const vals *own, bool kinds)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, "");
	for (size_t i = 0; !rc && s[i];) {
		size_t best = 0, n;
		const json_t *slot = NULL;
		size_t k;
		json_t *x;
		json_array_foreach(slots, k, x) {
			const char *v = json_string_value(json_object_get(x, "value"));
			size_t vn = v ? strlen(v) : 0;
			if (vn > best && strncmp(s + i, v, vn) == 0 &&
			    bounded(s, i, vn, json_string_value(json_object_get(x, "kind")))) {
				best = vn;
				slot = x;
			}
		}
		if (slot) {
			rc = crmw__buf_printf(&b, "{%s}", json_string_value(json_object_get(slot, kinds ? "kind" : "name")));
			i += best;
		} else if ((n = longest_value(vs, s, i)) > 0) {
			rc = crmw__buf_puts(&b, "{value}");
			i += n;
		} else if (word_at(s, i) && (i == 0 || !word_at(s, i - 1))) {
			n = word_len(s, i);
			if (crmw__is_id_token(s + i, n))
				rc = crmw__buf_puts(&b, "{id}");
			else if (is_name(vs, s + i, n))
				rc = crmw__buf_puts(&b, "{name}");
			else if (word_of_value(own, s + i, n))
				rc = crmw__buf_puts(&b, "{value}");
			else if (has_digit(s + i, n))
				rc = crmw__buf_puts(&b, "{number}");
			else
				rc = crmw__buf_append(&b, s + i, n);
			i += n;
		} else {
			rc = crmw__buf_putc(&b, s[i++]);
		}
	}
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}

/* The words of a slot's context (lower case, as plan_build keeps them) that
 * are values or words of values become "_"; a context still holding a value
 * is dropped whole. */
static json_t *scrub_context(const json_t *ctx, const vals *vs)
{
	const char *c = json_string_value(ctx);
	if (!c)
		return json_string("");
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, "");
	for (const char *p = c; !rc && *p;) {
		size_t n = strcspn(p, " ");
		bool value = crmw__is_id_token(p, n) || has_digit(p, n) || is_name(vs, p, n) || word_of_value(vs, p, n);
		rc = b.len ? crmw__buf_putc(&b, ' ') : CRMW_OK;
		rc = rc ? rc : value ? crmw__buf_putc(&b, '_') : crmw__buf_append(&b, p, n);
		p += n + (p[n] == ' ');
	}
	json_t *out = rc ? NULL : json_string(holds_value(vs, b.data, true, false) ? "" : b.data);
	crmw_buf_dispose(&b);
	return out;
}

static json_t *redacted(const char *kind, int *count)
{
	(*count)++;
	return json_pack("{s:s}", "$redacted", kind);
}

/* Does a JSON pointer (or a field name) name a value? */
static bool path_holds_value(const vals *vs, const char *p)
{
	while (p && *p) {
		if (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		bool index = n > 0 && strspn(p, "0123456789") >= n;
		if (!index) {
			if (crmw__is_id_token(p, n) || is_name(vs, p, n))
				return true;
			for (size_t k = 0; k < vs->n; k++)
				if (vs->len[k] == n && strncasecmp(vs->v[k], p, n) == 0)
					return true;
		}
		p += n;
	}
	return false;
}

typedef struct redact_ctx {
	const vals *vs;
	bool alone;
	int *count;
} redact_ctx;

static json_t *redact_member(const json_t *x, void *ud);

/* A generalised value with every literal that holds a value of the episode
 * replaced by {"$redacted": kind}.  `alone` as in holds_value (false for the
 * answer's text, which is prose: a name anywhere in it counts).  NULL when
 * out of memory. */
static json_t *redact(const json_t *v, const vals *vs, bool alone, int *count)
{
	if (json_is_object(v)) {
		if (json_object_get(v, "$slot"))
			return json_deep_copy(v);
		const char *ref = json_string_value(json_object_get(v, "$ref"));
		if (ref) {
			const char *pluck = json_string_value(json_object_get(v, "pluck"));
			return path_holds_value(vs, ref) || (pluck && path_holds_value(vs, pluck)) ? redacted("ref", count)
												 : json_deep_copy(v);
		}
		if (json_object_get(v, "$date")) {
			const char *suffix = json_string_value(json_object_get(v, "suffix"));
			return suffix && holds_value(vs, suffix, true, alone) ? redacted("date", count) : json_deep_copy(v);
		}
		const char *tpl = json_string_value(json_object_get(v, "$template"));
		if (tpl) {
			/* the literal parts: the template without its {sN} */
			crmw_buf b = CRMW_BUF_INIT;
			int rc = crmw__buf_puts(&b, "");
			for (const char *p = tpl; !rc && *p; p++) {
				const char *e = *p == '{' && p[1] != '{' ? strchr(p, '}') : NULL;
				if (e) {
					rc = crmw__buf_putc(&b, ' ');
					p = e;
				} else {
					rc = crmw__buf_putc(&b, *p);
					p += (*p == '{' || *p == '}') && p[1] == *p;
				}
			}
			bool bad = !rc && holds_value(vs, b.data, true, alone);
			crmw_buf_dispose(&b);
			return rc ? NULL : bad ? redacted("text", count) : json_deep_copy(v);
		}
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) if (holds_value(vs, k, true, true)) return redacted("object", count);
	}
	if (json_is_object(v) || json_is_array(v)) {
		redact_ctx c = {vs, alone, count};
		return map_members(v, redact_member, &c);
	}
	if (json_is_string(v))
		return holds_value(vs, json_string_value(v), true, alone) ? redacted("text", count) : json_deep_copy(v);
	if (json_is_integer(v) || json_is_real(v)) {
		char num[64];
		number_text(num, v);
		for (size_t k = 0; k < vs->n; k++)
			if (vs->len[k] == strlen(num) && strncmp(vs->v[k], num, vs->len[k]) == 0)
				return redacted("number", count);
	}
	return json_deep_copy(v);
}

static json_t *redact_member(const json_t *x, void *ud)
{
	redact_ctx *c = ud;
	return redact(x, c->vs, c->alone, c->count);
}

int crmw__plan_abstract(json_t *plan, char **text, char **query, int *count, const json_t *task, const json_t *calls,
			const char *answer)
{
	*text = NULL;
	*query = NULL;
	*count = 0;
	const char *q = json_string_value(json_object_get(task, "query"));
	json_t *slots = json_object_get(plan, "slots"), *numbers = json_array();
	vals vs = {.names = query_names(q)}, own = {0};
	int rc = numbers && vs.names ? CRMW_OK : CRMW_ENOMEM;
	size_t i;
	json_t *x;
	if (!rc && answer && json_array_size(calls) > 0)
		rc = vals_add(&vs, answer, strlen(answer));
	if (!rc && answer && json_array_size(calls) > 0)
		rc = vals_add(&own, answer, strlen(answer));
	json_array_foreach(slots, i, x) {
		const char *v = json_string_value(json_object_get(x, "value"));
		if (!rc && v)
			rc = vals_add(&vs, v, strlen(v));
		if (!rc && v)
			rc = vals_add(&own, v, strlen(v));
	}
	json_array_foreach(calls, i, x) if (!rc) rc = vals_of_result(&vs, json_object_get(x, "result"), numbers);
	/* the steps, then the slots (their values are what the steps name) */
	json_t *steps = rc ? NULL : json_array();
	json_array_foreach(json_object_get(plan, "steps"), i, x) {
		if (rc || !steps)
			break;
		const char *name = json_string_value(json_object_get(x, "name"));
		json_t *args = redact(json_object_get(x, "arguments"), &vs, !name || strcmp(name, "respond") != 0, count);
		if (!args || json_array_append_new(steps, json_pack("{s:O, s:o}", "name", json_object_get(x, "name"),
								    "arguments", args)))
			rc = CRMW_ENOMEM;
	}
	if (!rc && !steps)
		rc = CRMW_ENOMEM;
	json_t *aslots = rc ? NULL : json_array();
	json_array_foreach(slots, i, x) {
		if (rc || !aslots)
			break;
		const char *kind = json_string_value(json_object_get(x, "kind"));
		const char *v = json_string_value(json_object_get(x, "value"));
		json_t *a = json_pack("{s:O, s:O, s:O, s:o, s:o}", "name", json_object_get(x, "name"), "kind",
				      json_object_get(x, "kind"), "where", json_object_get(x, "where"), "before",
				      scrub_context(json_object_get(x, "before"), &vs), "after",
				      scrub_context(json_object_get(x, "after"), &vs));
		if (a && strcmp(kind, "id") == 0 && v && strlen(v) >= 3)
			json_object_set_new(a, "prefix", json_stringn(v, 3)); /* the object's key prefix */
		if (a && is_year(x))
			json_object_set_new(a, "year", json_true());
		if (!a || json_array_append_new(aslots, a))
			rc = CRMW_ENOMEM;
	}
	char *shape = NULL;
	crmw_buf b = CRMW_BUF_INIT;
	if (!rc) {
		shape = q ? scrub(q, slots, &vs, &own, false) : crmw__strdup("");
		*query = q ? scrub(q, slots, &vs, &own, true) : NULL;
		const char *source = json_string_value(json_object_get(plan, "answer_source"));
		rc = !shape || (q && !*query) ? CRMW_ENOMEM : plan_text(&b, shape, steps, source ? source : "literal");
		if (!rc && *count)
			rc = crmw__buf_printf(&b, "(%d value%s of the solved task left out: this plan does not replay.)\n",
					      *count, *count == 1 ? "" : "s");
	}
	if (!rc) {
		json_object_set(plan, "steps", steps);
		json_object_set(plan, "slots", aslots);
		*text = b.data;
	} else {
		crmw_buf_dispose(&b);
		free(*query);
		*query = NULL;
	}
	free(shape);
	json_decref(steps);
	json_decref(aslots);
	json_decref(numbers);
	json_decref(vs.names);
	free(vs.v);
	free(vs.len);
	free(own.v);
	free(own.len);
	return rc;
}

/* ----------------------------------------------------------------- shape */

/* The plan with every slot name replaced by its kind: plans of the same
 * shape do the same thing on different entities. */
static json_t *canon(const json_t *v, const json_t *slots)
{
	if (json_is_object(v)) {
		json_t *out = json_object();
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			const json_t *slot = json_is_string(x) && strcmp(k, "$slot") == 0 ? slot_named(slots, json_string_value(x))
											 : NULL;
			if (slot) {
				json_object_set(out, k, json_object_get(slot, "kind"));
			} else if (strcmp(k, "$date") == 0 && json_is_object(x)) {
				json_t *d = json_object();
				const char *dk;
				json_t *dv;
				json_object_foreach(x, dk, dv) {
					const json_t *ds = json_is_string(dv) ? slot_named(slots, json_string_value(dv)) : NULL;
					json_object_set(d, dk, ds && strcmp(dk, "bound") != 0 && strcmp(dk, "unit") != 0
								       ? json_object_get(ds, "kind")
								       : dv);
				}
				json_object_set_new(out, k, d);
			} else if (strcmp(k, "$template") == 0 && json_is_string(x)) {
				crmw_buf b = CRMW_BUF_INIT;
				for (const char *p = json_string_value(x); *p; p++) {
					const char *e = *p == '{' && p[1] != '{' ? strchr(p, '}') : NULL;
					char name[32];
					const json_t *s = NULL;
					if (e && (size_t)(e - p) < sizeof name) {
						snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
						s = slot_named(slots, name);
					}
					if (s) {
						crmw__buf_printf(&b, "{%s}", json_string_value(json_object_get(s, "kind")));
						p = e;
					} else {
						crmw__buf_putc(&b, *p);
					}
				}
				json_object_set_new(out, k, json_stringn(b.data ? b.data : "", b.len));
				crmw_buf_dispose(&b);
			} else {
				json_object_set_new(out, k, canon(x, slots));
			}
		}
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) json_array_append_new(out, canon(x, slots));
		return out;
	}
	return json_deep_copy(v);
}

char *crmw__plan_shape(const json_t *plan)
{
	json_t *c = canon(json_object_get(plan, "steps"), json_object_get(plan, "slots"));
	char *s = c ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(c);
	return s;
}

/* ------------------------------------------------------------- alignment */

/* How many context words agree (the nearest first). */
static int context_score(const json_t *m, const json_t *n)
{
	int score = 0;
	const char *mb = json_string_value(json_object_get(m, "before")), *nb = json_string_value(json_object_get(n, "before"));
	const char *ma = json_string_value(json_object_get(m, "after")), *na = json_string_value(json_object_get(n, "after"));
	if (mb && nb) {
		/* compare from the end, word by word */
		const char *pm = mb + strlen(mb), *pn = nb + strlen(nb);
		while (pm > mb && pn > nb) {
			const char *sm = pm, *sn = pn;
			while (sm > mb && sm[-1] != ' ')
				sm--;
			while (sn > nb && sn[-1] != ' ')
				sn--;
			if (pm - sm != pn - sn || strncmp(sm, sn, (size_t)(pm - sm)) != 0)
				break;
			score++;
			pm = sm > mb ? sm - 1 : sm;
			pn = sn > nb ? sn - 1 : sn;
		}
	}
	if (ma && na) {
		const char *pm = ma, *pn = na;
		while (*pm && *pn) {
			size_t lm = strcspn(pm, " "), ln = strcspn(pn, " ");
			if (lm != ln || strncmp(pm, pn, lm) != 0)
				break;
			score++;
			pm += lm + (pm[lm] == ' ');
			pn += ln + (pn[ln] == ' ');
		}
	}
	return score;
}

static bool has_context(const json_t *slot)
{
	return json_string_length(json_object_get(slot, "before")) > 0 || json_string_length(json_object_get(slot, "after")) > 0;
}

/* A phrase slot on a new task: the words between the memory's context. */
static json_t *phrase_in(const json_t *mslot, const json_t *task)
{
	const char *before = json_string_value(json_object_get(mslot, "before"));
	const char *after = json_string_value(json_object_get(mslot, "after"));
	const char *where = json_string_value(json_object_get(mslot, "where"));
	const char *s = strcmp(where ? where : "", "metadata") == 0 ? required_text(task)
								   : json_string_value(json_object_get(task, "query"));
	if (!s || !before || !*before)
		return NULL;
	/* lower-cased copy with runs of non-word characters as one space, and
	 * the map back to the original */
	size_t n = strlen(s);
	char *low = malloc(n + 1);
	size_t *map = malloc((n + 1) * sizeof *map);
	json_t *out = NULL;
	if (!low || !map)
		goto done;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (wordc(s[i])) {
			map[m] = i;
			low[m++] = (char)tolower((unsigned char)s[i]);
		} else if (m > 0 && low[m - 1] != ' ') {
			map[m] = i;
			low[m++] = ' ';
		}
	}
	low[m] = '\0';
	map[m] = n;
	size_t bl = strlen(before);
	for (char *p = strstr(low, before); p; p = strstr(p + 1, before)) {
		size_t at = (size_t)(p - low);
		if ((at > 0 && low[at - 1] != ' ') || (low[at + bl] != ' ' && low[at + bl] != '\0'))
			continue;
		size_t start = at + bl + (low[at + bl] == ' ');
		size_t end;
		if (after && *after) {
			char *q = strstr(low + start, after);
			while (q && q > low + start && q[-1] != ' ')
				q = strstr(q + 1, after);
			if (!q || q == low + start)
				continue;
			end = (size_t)(q - low) - 1; /* the space before */
		} else {
			end = start;
			while (end < m && low[end] != '\n')
				end++;
		}
		if (end <= start || end - start > 80)
			continue;
		size_t a = map[start], z = map[end - 1] + 1;
		while (z > a && !isalnum((unsigned char)s[z - 1]))
			z--;
		if (z > a)
			out = json_stringn(s + a, z - a);
		break;
	}
done:
	free(low);
	free(map);
	return out;
}

/* The slot names a value uses. */
static void used_slots(const json_t *v, json_t *names)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			if (json_is_string(x) && strcmp(k, "$slot") == 0) {
				json_object_set_new(names, json_string_value(x), json_true());
			} else if (strcmp(k, "$date") == 0 && json_is_object(x)) {
				static const char *const keys[] = {"year", "period", "from", "minus"};
				for (size_t d = 0; d < 4; d++) {
					const char *nm = json_string_value(json_object_get(x, keys[d]));
					if (nm)
						json_object_set_new(names, nm, json_true());
				}
			} else if (strcmp(k, "$template") == 0 && json_is_string(x)) {
				for (const char *p = json_string_value(x); (p = strchr(p, '{'));) {
					const char *e = strchr(p, '}');
					if (!e)
						break;
					if (p[1] == '{') {
						p += 2;
						continue;
					}
					char name[32];
					if ((size_t)(e - p) < sizeof name) {
						snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
						json_object_set_new(names, name, json_true());
					}
					p = e + 1;
				}
			} else {
				used_slots(x, names);
			}
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) used_slots(x, names);
	}
}

static int counts_as(const json_t *slot, const char *what, const char *where)
{
	if (strcmp(json_string_value(json_object_get(slot, "where")), where) != 0)
		return 0;
	if (strcmp(what, "year") == 0)
		return is_year(slot);
	return strcmp(json_string_value(json_object_get(slot, "kind")), what) == 0;
}

int crmw__plan_align(json_t **bindings, char *why, size_t whylen, const json_t *plan, const json_t *task)
{
	*bindings = NULL;
	const json_t *mslots = json_object_get(plan, "slots");
	json_t *nslots = crmw__task_slots(task), *names = json_object(), *out = json_object();
	if (!nslots || !names || !out) {
		json_decref(nslots);
		json_decref(names);
		json_decref(out);
		return CRMW_ENOMEM;
	}
	used_slots(json_object_get(plan, "steps"), names);
	int rc = CRMW_OK;
	const char *name;
	json_t *unused;
	json_object_foreach(names, name, unused) {
		const json_t *ms = slot_named(mslots, name);
		if (!ms) {
			snprintf(why, whylen, "the plan names slot %s, which it does not define", name);
			rc = CRMW_ENOTFOUND;
			break;
		}
		const char *kind = json_string_value(json_object_get(ms, "kind"));
		const char *where = json_string_value(json_object_get(ms, "where"));
		/* an abstracted plan's slots have no value: ids keep their key prefix */
		const char *mval = json_string_value(json_object_get(ms, "value"));
		const char *prefix = mval ? mval : json_string_value(json_object_get(ms, "prefix"));
		char label[80];
		if (mval)
			snprintf(label, sizeof label, "'%.60s'", mval);
		else
			snprintf(label, sizeof label, "%.60s", name);
		if (strcmp(kind, "phrase") == 0) {
			json_t *v = phrase_in(ms, task);
			if (!v && mval) {
				/* the same words elsewhere in the task: a constant of the
				 * family ("quote", "Not Started") rather than an entity */
				json_t *probe = json_array();
				if (probe && phrase_slot(probe, task, mval) == CRMW_OK && json_array_size(probe) == 1)
					v = json_string(mval);
				json_decref(probe);
			}
			if (!v) {
				snprintf(why, whylen, "no phrase of the task stands where the plan's %s stood (after '%.40s')",
					 label, json_string_value(json_object_get(ms, "before")));
				rc = CRMW_ENOTFOUND;
				break;
			}
			json_object_set_new(out, name, v);
			continue;
		}
		/* candidates of the same kind and place (ids: the same object) */
		const json_t *best = NULL;
		int best_score = -1, ties = 0, candidates = 0;
		size_t i;
		json_t *ns;
		json_array_foreach(nslots, i, ns) {
			const char *nv = json_string_value(json_object_get(ns, "value"));
			if (strcmp(json_string_value(json_object_get(ns, "kind")), kind) != 0 ||
			    strcmp(json_string_value(json_object_get(ns, "where")), where) != 0)
				continue;
			if (strcmp(kind, "id") == 0 && (!prefix || strncmp(nv, prefix, 3) != 0))
				continue;
			if (is_year(ms) != is_year(ns))
				continue;
			candidates++;
			int sc = context_score(ms, ns);
			if (sc > best_score) {
				best = ns;
				best_score = sc;
				ties = 0;
			} else if (sc == best_score) {
				ties++;
			}
		}
		if (!best) {
			snprintf(why, whylen, "the task has no %s%s like the plan's %s (in its %s)", kind,
				 strcmp(kind, "id") == 0 ? " of that object" : "", label, where);
			rc = CRMW_ENOTFOUND;
			break;
		}
		if (candidates > 1 && (ties > 0 || (best_score == 0 && has_context(ms)))) {
			snprintf(why, whylen, "the task has %d %ss that could stand for the plan's %s", candidates, kind,
				 label);
			rc = CRMW_ENOTFOUND;
			break;
		}
		json_object_set(out, name, json_object_get(best, "value"));
	}
	/* The task must not name more, or fewer, periods, years or records
	 * than the plan's task did: an entity the plan would ignore (a month
	 * in a task solved by a plan for whole years) changes the question. */
	static const char *const counted[] = {"period", "year", "id"};
	for (size_t c = 0; !rc && c < 3; c++) {
		for (int w = 0; !rc && w < 2; w++) {
			const char *place = w ? "metadata" : "query";
			int cm = 0, cn = 0;
			size_t i;
			json_t *x;
			json_array_foreach(mslots, i, x) cm += counts_as(x, counted[c], place);
			json_array_foreach(nslots, i, x) cn += counts_as(x, counted[c], place);
			if (cm != cn) {
				snprintf(why, whylen, "the task names %d %s%s in its %s where the plan's task named %d", cn,
					 counted[c], cn == 1 ? "" : "s", place, cm);
				rc = CRMW_ENOTFOUND;
			}
		}
	}
	json_decref(nslots);
	json_decref(names);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*bindings = out;
	return CRMW_OK;
}

/* ------------------------------------------------------------ resolution */

/* Does the pointer pass only through lists of one item (within a step's
 * result)?  Picking item k of a longer list is a choice the model made by
 * reading it (the issue that fits a case, the product that was meant); the
 * same position in another task's list means nothing.  *len gets the length
 * of the first longer list. */
static bool only_choice(const json_t *results, const char *p, size_t *len)
{
	const json_t *cur = results;
	bool top = true;
	while (cur && *p == '/') {
		const char *e = strchr(p + 1, '/');
		size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
		char tok[64];
		snprintf(tok, sizeof tok, "%.*s", (int)(n < 63 ? n : 63), p + 1);
		if (json_is_array(cur)) {
			if (!top && json_array_size(cur) > 1) {
				*len = json_array_size(cur);
				return false;
			}
			cur = json_array_get(cur, (size_t)strtol(tok, NULL, 10));
		} else {
			cur = json_object_get(cur, tok);
		}
		top = false;
		p += 1 + n;
	}
	return true;
}

static const char *bound(const json_t *b, const json_t *spec, const char *key)
{
	const char *name = json_string_value(json_object_get(spec, key));
	return name ? json_string_value(json_object_get(b, name)) : NULL;
}

typedef struct resolve_ctx {
	const json_t *b, *results;
	char *why;
	size_t whylen;
} resolve_ctx;

static json_t *resolve_member(const json_t *x, void *ud)
{
	resolve_ctx *c = ud;
	return crmw__plan_resolve(x, c->b, c->results, c->why, c->whylen);
}

json_t *crmw__plan_resolve(const json_t *v, const json_t *b, const json_t *results, char *why, size_t whylen)
{
	if (json_is_object(v)) {
		const json_t *slot = json_object_get(v, "$slot");
		const json_t *ref = json_object_get(v, "$ref");
		const json_t *tpl = json_object_get(v, "$template");
		const json_t *date = json_object_get(v, "$date");
		const char *as = json_string_value(json_object_get(v, "as"));
		if (json_is_string(slot)) {
			const char *val = json_string_value(json_object_get(b, json_string_value(slot)));
			if (!val) {
				snprintf(why, whylen, "slot %s is not bound", json_string_value(slot));
				return NULL;
			}
			if (as && strcmp(as, "number") == 0) {
				char *end;
				double d = strtod(val, &end);
				if (*end) {
					snprintf(why, whylen, "slot %s ('%.40s') is not a number", json_string_value(slot), val);
					return NULL;
				}
				return strchr(val, '.') ? json_real(d) : json_integer((json_int_t)d);
			}
			return json_string(val);
		}
		if (json_is_string(ref)) {
			const json_t *x = crmw__json_pointer(results, json_string_value(ref));
			if (!x) {
				snprintf(why, whylen, "the results have nothing at %.200s", json_string_value(ref));
				return NULL;
			}
			size_t len = 0;
			if (!only_choice(results, json_string_value(ref), &len)) {
				snprintf(why, whylen,
					 "the plan takes one item (%.200s) of a list of %zu: which one was the model's choice", 
					 json_string_value(ref), len);
				return NULL;
			}
			const char *pluck = json_string_value(json_object_get(v, "pluck"));
			if (pluck) {
				if (!json_is_array(x)) {
					snprintf(why, whylen, "%.200s is not a list of records", json_string_value(ref));
					return NULL;
				}
				json_t *out = json_array();
				size_t i;
				json_t *r;
				json_array_foreach(x, i, r) {
					const json_t *f = json_object_get(r, pluck);
					if (!f) {
						snprintf(why, whylen, "a record of %.200s has no %.60s", json_string_value(ref), pluck);
						json_decref(out);
						return NULL;
					}
					json_array_append(out, (json_t *)f);
				}
				return out;
			}
			if (as && strcmp(as, "text") == 0) {
				char *t = crmw__answer_text(x);
				json_t *out = t ? json_string(t) : NULL;
				free(t);
				return out;
			}
			return json_deep_copy(x);
		}
		if (json_is_string(tpl)) {
			crmw_buf o = CRMW_BUF_INIT;
			int rc = CRMW_OK;
			for (const char *p = json_string_value(tpl); *p && !rc; p++) {
				if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
					rc = crmw__buf_putc(&o, *p++);
					continue;
				}
				const char *e = *p == '{' ? strchr(p, '}') : NULL;
				if (e) {
					char name[32];
					snprintf(name, sizeof name, "%.*s", (int)(e - p - 1 < 31 ? e - p - 1 : 31), p + 1);
					const char *val = json_string_value(json_object_get(b, name));
					if (!val) {
						snprintf(why, whylen, "slot %s is not bound", name);
						crmw_buf_dispose(&o);
						return NULL;
					}
					rc = crmw__buf_puts(&o, val);
					p = e;
				} else {
					rc = crmw__buf_putc(&o, *p);
				}
			}
			json_t *out = rc ? NULL : json_stringn(o.data ? o.data : "", o.len);
			crmw_buf_dispose(&o);
			return out;
		}
		if (json_is_object(date)) {
			ymd d;
			const char *from = bound(b, date, "from");
			const char *year = bound(b, date, "year");
			const char *suffix = json_string_value(json_object_get(v, "suffix"));
			bool ok = false;
			if (json_object_get(date, "from")) {
				const char *n = bound(b, date, "minus");
				const char *unit = json_string_value(json_object_get(date, "unit"));
				ymd f;
				if (from && n && unit && parse_ymd(from, &f) && atol(n) > 0) {
					d = minus(f, atol(n), unit);
					ok = true;
				}
			} else if (year) {
				const char *period = json_object_get(date, "period") ? bound(b, date, "period") : "Year";
				const char *bd = json_string_value(json_object_get(date, "bound"));
				ok = period && bd && period_bound(period, atoi(year), bd, &d);
			}
			if (!ok) {
				snprintf(why, whylen, "a date of the plan cannot be computed from the task");
				return NULL;
			}
			char buf[64];
			snprintf(buf, sizeof buf, "%04d-%02d-%02d%.40s", d.y, d.m, d.d, suffix ? suffix : "");
			return json_string(buf);
		}
	}
	if (json_is_object(v) || json_is_array(v)) {
		resolve_ctx c = {b, results, why, whylen};
		return map_members(v, resolve_member, &c);
	}
	return json_deep_copy(v);
}
