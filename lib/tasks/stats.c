/*
 * lib/tasks/stats.c: how varied a task set is, per family
 * (crmw_task_set_stats, `crmweaver tasks stats`): the same numbers for a
 * synthesized file and for a published one, so that the two can be read
 * side by side.
 *
 * A query's template is the query with its entities masked: dates, ids,
 * numbers, years, months, seasons, quarters, US states, quoted text and
 * capitalised names become <date>, <id>, <num>, ... and the rest is lower
 * case.  Two queries that differ only in their entities have the same
 * template; 4-grams are counted over the masked tokens, so the entities
 * do not count as variety either.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ masking */

static const char *const MONTHS[] = {"january", "february", "march",     "april",   "may",      "june",
				     "july",    "august",   "september", "october", "november", "december"};
static const char *const SEASONS[] = {"winter", "spring", "summer", "fall", "autumn"};
static const char *const STATE_CODES =
	"AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
	"OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC";
static const char *const STATE_WORDS[] = {
	"alabama",  "alaska",    "arizona",  "arkansas",    "california", "colorado",     "connecticut", "delaware",
	"florida",  "georgia",   "hawaii",   "idaho",       "illinois",   "indiana",      "iowa",        "kansas",
	"kentucky", "louisiana", "maine",    "maryland",    "massachusetts", "michigan",  "minnesota",   "mississippi",
	"missouri", "montana",   "nebraska", "nevada",      "ohio",       "oklahoma",     "oregon",      "pennsylvania",
	"tennessee", "texas",    "utah",     "vermont",     "virginia",   "washington",   "wisconsin",   "wyoming",
};
/* Two-word state names. */
static const char *const STATE_PAIRS[] = {"new hampshire", "new jersey", "new mexico", "new york", "north carolina",
					  "north dakota", "south carolina", "south dakota", "west virginia",
					  "rhode island"};

/* Does a two-word state name start at `p` (case-insensitively, one space
 * between the words)?  Its length, or 0. */
static size_t state_pair(const char *p)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(STATE_PAIRS); i++) {
		size_t n = strlen(STATE_PAIRS[i]);
		if (strncasecmp(p, STATE_PAIRS[i], n) == 0 && isupper((unsigned char)p[0]) && !isalnum((unsigned char)p[n]))
			return n;
	}
	return 0;
}

static bool in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

static bool is_state_code(const char *w)
{
	if (strlen(w) != 2 || !isupper((unsigned char)w[0]) || !isupper((unsigned char)w[1]))
		return false;
	/* codes of two letters, one space apart; the last has no space after
	 * it (stepping three bytes from it would read past the string) */
	for (const char *p = STATE_CODES;; p += 3) {
		if (p[0] == w[0] && p[1] == w[1])
			return true;
		if (!p[2])
			return false;
	}
}

/* The mask of one word (NULL: keep the word, lower-cased). */
static const char *mask_of(const char *w, bool sentence_start)
{
	size_t n = strlen(w);
	size_t digits = 0, alpha = 0, dashes = 0, upper = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		digits += isdigit(c) != 0;
		alpha += isalpha(c) != 0;
		upper += isupper(c) != 0;
		dashes += c == '-' || c == ':';
	}
	if (digits && dashes && digits + dashes + (n > 10 && (w[10] == 'T' || w[10] == 't')) + alpha >= n &&
	    digits >= 6)
		return "<date>";
	if ((n == 15 || n == 18) && digits && alpha && digits + alpha == n)
		return "<id>";
	if (digits == n && n == 4 && (w[0] == '1' || w[0] == '2'))
		return "<year>";
	if (digits && digits + (n > digits) >= n - 1 && alpha <= 2)
		return "<num>"; /* 12, 3.5, 40%, 2nd, $400 */
	if (n == 2 && (w[0] == 'Q' || w[0] == 'q') && w[1] >= '1' && w[1] <= '4')
		return "<quarter>";
	if (is_state_code(w))
		return "<state>";
	char low[64];
	if (n >= sizeof low)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)w[i]);
	if (isupper((unsigned char)w[0]) && in_list(low, MONTHS, CRMW_ARRAY_LEN(MONTHS)))
		return "<month>";
	if (in_list(low, SEASONS, CRMW_ARRAY_LEN(SEASONS)) && isupper((unsigned char)w[0]))
		return "<season>";
	if (in_list(low, STATE_WORDS, CRMW_ARRAY_LEN(STATE_WORDS)) && isupper((unsigned char)w[0]))
		return "<state>";
	if (isupper((unsigned char)w[0]) && !sentence_start && upper < n)
		return "<name>";
	if (upper == n && n > 1 && !sentence_start)
		return "<name>"; /* an acronym or a code */
	return NULL;
}

/* The masked tokens of `q`, space-separated, into `out`. */
static int mask_query(crmw_buf *out, const char *q)
{
	crmw__buf_clear(out);
	const char *p = q;
	bool start = true;
	const char *last = "";
	char word[256];
	while (*p) {
		unsigned char c = (unsigned char)*p;
		/* quoted text: "..." and curly quotes */
		if (c == '"' || (c == 0xE2 && (unsigned char)p[1] == 0x80 && ((unsigned char)p[2] == 0x9C))) {
			const char *e = c == '"' ? strchr(p + 1, '"') : strstr(p + 3, "\xE2\x80\x9D");
			if (e && e - p < 300) {
				if (strcmp(last, "<q>") != 0 && crmw__buf_puts(out, out->len ? " <q>" : "<q>"))
					return CRMW_ENOMEM;
				last = "<q>";
				p = e + (c == '"' ? 1 : 3);
				start = false;
				continue;
			}
		}
		size_t pair = isupper(c) ? state_pair(p) : 0;
		if (pair) {
			if ((out->len && crmw__buf_putc(out, ' ')) || crmw__buf_puts(out, "<state>"))
				return CRMW_ENOMEM;
			last = "<state>";
			p += pair;
			start = false;
			continue;
		}
		if (isalnum(c) || c >= 0x80 || c == '$') {
			size_t n = 0;
			while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80 || *p == '-' || *p == ':' ||
				      *p == '.' || *p == '%' || *p == '$' || *p == '\'') && n < sizeof word - 1) {
				/* a trailing dot or apostrophe ends the word */
				if ((*p == '.' || *p == '\'' || *p == ':') && !isalnum((unsigned char)p[1]))
					break;
				word[n++] = *p++;
			}
			word[n] = '\0';
			while (n && (word[n - 1] == '-' || word[n - 1] == ':'))
				word[--n] = '\0';
			const char *m = n ? mask_of(word, start) : NULL;
			char low[256];
			for (size_t i = 0; i <= n; i++)
				low[i] = (char)tolower((unsigned char)word[i]);
			const char *tok = m ? m : low;
			/* consecutive names are one name */
			if (!(m && strcmp(m, "<name>") == 0 && strcmp(last, "<name>") == 0) && n) {
				if ((out->len && crmw__buf_putc(out, ' ')) || crmw__buf_puts(out, tok))
					return CRMW_ENOMEM;
			}
			last = m ? m : "";
			start = false;
			continue;
		}
		if (c == '.' || c == '?' || c == '!' || c == '\n')
			start = true;
		p++;
	}
	return CRMW_OK;
}

/* -------------------------------------------------------- time phrases */

enum { T_AGO, T_RELATIVE, T_QUARTER, T_SEASON, T_MONTH, T_DATE, T_YEAR, T_DAY, T_NONE, T_COUNT };
static const char *const TIME_NAMES[T_COUNT] = {"ago",  "relative", "quarter", "season", "month",
						"date", "year",     "day",     "none"};
static const char *const TIME_RE[T_DAY + 1] = {
	"(^|[^a-z])([0-9]+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a few|several) "
	"(days?|weeks?|fortnights?|months?) ago([^a-z]|$)",
	"(^|[^a-z])(past|last|previous|recent|prior) (([0-9]+|two|three|four|five|six|seven|eight|nine|ten|twelve|few|"
	"couple of) )?(days?|weeks?|fortnights?|months?|quarters?|years?)([^a-z]|$)|a fortnight",
	"(^|[^a-z])q[1-4]([^a-z0-9]|$)|(first|second|third|fourth|1st|2nd|3rd|4th) quarter",
	"(^|[^a-z])(winter|spring|summer|fall|autumn)( of)? (19|20)[0-9][0-9]",
	"(^|[^a-z])(january|february|march|april|may|june|july|august|september|october|november|december)"
	"( of)?( (19|20)[0-9][0-9])?([^a-z]|$)",
	"(^|[^0-9])(19|20)[0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
	"(^|[^0-9a-z])(19|20)[0-9][0-9]([^0-9a-z]|$)",
	"(^|[^a-z])(yesterday|today|tomorrow|this week|this month)([^a-z]|$)",
};

/* ------------------------------------------------------------- counting */

/* A set of strings (open addressing on FNV-1a): how many distinct, and
 * how often each was added. */
typedef struct sset {
	char **keys;
	int64_t *counts;
	size_t cap, n;
} sset;

static int sset_add(sset *s, const char *k, size_t len)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **keys = calloc(cap, sizeof *keys);
		int64_t *counts = calloc(cap, sizeof *counts);
		if (!keys || !counts) {
			free(keys);
			free(counts);
			return CRMW_ENOMEM;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			size_t h = (size_t)crmw__fnv1a(CRMW_FNV_OFFSET, s->keys[i], strlen(s->keys[i])) & (cap - 1);
			while (keys[h])
				h = (h + 1) & (cap - 1);
			keys[h] = s->keys[i];
			counts[h] = s->counts[i];
		}
		free(s->keys);
		free(s->counts);
		s->keys = keys;
		s->counts = counts;
		s->cap = cap;
	}
	size_t h = (size_t)crmw__fnv1a(CRMW_FNV_OFFSET, k, len) & (s->cap - 1);
	while (s->keys[h] && (strlen(s->keys[h]) != len || memcmp(s->keys[h], k, len) != 0))
		h = (h + 1) & (s->cap - 1);
	if (!s->keys[h]) {
		if (!(s->keys[h] = crmw__strndup(k, len)))
			return CRMW_ENOMEM;
		s->n++;
	}
	s->counts[h]++;
	return CRMW_OK;
}

static int64_t sset_max(const sset *s)
{
	int64_t m = 0;
	for (size_t i = 0; i < s->cap; i++)
		if (s->keys[i] && s->counts[i] > m)
			m = s->counts[i];
	return m;
}

static void sset_free(sset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->counts);
	memset(s, 0, sizeof *s);
}

typedef struct fam {
	const char *name;
	int64_t tasks, none;
	sset templates, grams, answers;
	int64_t time[T_COUNT];
	int64_t threshold_max, thresholds;
} fam;

/* The task's answer as one comparable text (sorted list), NULL for None. */
static char *answer_key(const json_t *task)
{
	const json_t *a = json_object_get(task, "answer");
	if (!json_is_array(a) || json_array_size(a) == 0)
		return NULL;
	if (json_array_size(a) == 1 && (json_is_null(json_array_get(a, 0)) ||
					(json_is_string(json_array_get(a, 0)) &&
					 strcasecmp(json_string_value(json_array_get(a, 0)), "None") == 0)))
		return NULL;
	json_t *copy = json_deep_copy(a);
	if (!copy)
		return NULL;
	/* insertion sort by the compact JSON of each item: a few items */
	size_t n = json_array_size(copy);
	char **txt = calloc(n, sizeof *txt);
	for (size_t i = 0; txt && i < n; i++)
		txt[i] = json_dumps(json_array_get(copy, i), JSON_COMPACT | JSON_ENCODE_ANY);
	crmw_buf b = CRMW_BUF_INIT;
	for (size_t i = 1; txt && i < n; i++)
		for (size_t j = i; j > 0 && txt[j] && txt[j - 1] && strcmp(txt[j], txt[j - 1]) < 0; j--) {
			char *t = txt[j];
			txt[j] = txt[j - 1];
			txt[j - 1] = t;
		}
	int rc = txt ? CRMW_OK : CRMW_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++)
		rc = crmw__buf_printf(&b, "%s%s", i ? "|" : "", txt[i] ? txt[i] : "?");
	for (size_t i = 0; txt && i < n; i++)
		free(txt[i]);
	free(txt);
	json_decref(copy);
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}

/* "more than N", "at least N", "over N": the largest N. */
static int64_t threshold_of(const char *q, bool *found)
{
	static const char *const words[] = {"more than ", "at least ", "over ", "greater than ", "above "};
	int64_t best = -1;
	for (size_t w = 0; w < CRMW_ARRAY_LEN(words); w++)
		for (const char *p = strstr(q, words[w]); p; p = strstr(p + 1, words[w])) {
			const char *d = p + strlen(words[w]);
			if (isdigit((unsigned char)*d)) {
				int64_t v = strtoll(d, NULL, 10);
				const char *e = d;
				while (isdigit((unsigned char)*e))
					e++;
				/* a count of cases, leads, ...: not money, not a percentage */
				if (*e != '%' && *e != '.' && (d == q || d[-1] != '$') && v > best)
					best = v;
			}
		}
	*found = best >= 0;
	return best;
}

static int add_task(fam *f, const json_t *t, regex_t *re, crmw_buf *mask, int64_t sample)
{
	if (sample > 0 && f->tasks >= sample)
		return CRMW_OK;
	f->tasks++;
	const char *q = json_string_value(json_object_get(t, "query"));
	if (!q)
		q = "";
	char *ak = answer_key(t);
	int rc = ak ? sset_add(&f->answers, ak, strlen(ak)) : CRMW_OK;
	f->none += !ak;
	free(ak);
	rc = rc ? rc : mask_query(mask, q);
	rc = rc ? rc : sset_add(&f->templates, mask->data ? mask->data : "", mask->len);
	/* 4-grams of the masked tokens: the starts of the last four */
	const char *start[4] = {0};
	size_t seen = 0;
	for (const char *p = mask->data; !rc && p && *p;) {
		start[seen % 4] = p;
		seen++;
		const char *e = strchr(p, ' ');
		if (seen >= 4) {
			const char *first = start[seen % 4]; /* the oldest of the four */
			rc = sset_add(&f->grams, first, (size_t)((e ? e : p + strlen(p)) - first));
		}
		p = e ? e + 1 : NULL;
	}
	/* the time phrase: the first kind that matches the lower-cased query */
	char *low = crmw__strdup(q);
	if (!low)
		return CRMW_ENOMEM;
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	int kind = T_NONE;
	for (int k = 0; k <= T_DAY && kind == T_NONE; k++)
		if (regexec(&re[k], low, 0, NULL, 0) == 0)
			kind = k;
	f->time[kind]++;
	bool has;
	int64_t th = threshold_of(low, &has);
	free(low);
	if (has) {
		f->thresholds++;
		if (th > f->threshold_max)
			f->threshold_max = th;
	}
	return rc;
}

int crmw_task_set_stats(crmw_buf *out, const crmw_task_set *ts, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !ts);
	static const char *const keys[] = {"sample"};
	json_t *o = NULL;
	int rc = crmw__json_options(&o, NULL, options_json, "task stats options", keys, CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	int64_t sample = 0;
	const json_t *sv = json_object_get(o, "sample");
	if (sv && (!json_is_integer(sv) || json_integer_value(sv) < 0))
		rc = crmw__errf(NULL, CRMW_EINVALID, "task stats options: \"sample\" must be a whole number (0: all)");
	else if (sv)
		sample = json_integer_value(sv);
	json_decref(o);
	if (rc)
		return rc;
	regex_t re[T_DAY + 1];
	int nre = 0;
	for (; nre <= T_DAY; nre++)
		if (regcomp(&re[nre], TIME_RE[nre], REG_EXTENDED | REG_NOSUB))
			break;
	fam *fams = NULL;
	size_t nfams = 0, cap = 0;
	crmw_buf mask = CRMW_BUF_INIT;
	if (nre <= T_DAY)
		rc = crmw__errf(NULL, CRMW_ENOMEM, "task stats: cannot compile a pattern");
	size_t i;
	json_t *t;
	json_array_foreach(ts->tasks, i, t) {
		if (rc)
			break;
		const char *name = crmw__task_family(t);
		if (!name)
			name = "?";
		size_t k = 0;
		while (k < nfams && strcmp(fams[k].name, name) != 0)
			k++;
		if (k == nfams) {
			if (nfams == cap) {
				size_t nc = cap ? cap * 2 : 16;
				fam *g = realloc(fams, nc * sizeof *g);
				if (!g) {
					rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
					break;
				}
				fams = g;
				cap = nc;
			}
			memset(&fams[nfams], 0, sizeof fams[nfams]);
			fams[nfams++].name = name;
		}
		rc = add_task(&fams[k], t, re, &mask, sample);
	}
	crmw_buf b = CRMW_BUF_INIT;
	int64_t total = 0;
	for (size_t k = 0; k < nfams; k++)
		total += fams[k].tasks;
	if (!rc)
		rc = crmw__buf_printf(&b, "{\"schema_version\":1,\"tasks\":%lld,\"families\":{", (long long)total);
	for (size_t k = 0; !rc && k < nfams; k++) {
		const fam *f = &fams[k];
		int64_t answered = f->tasks - f->none;
		rc = crmw__buf_printf(&b, "%s", k ? "," : "");
		rc = rc ? rc : crmw__buf_json_str(&b, f->name, strlen(f->name));
		rc = rc ? rc
			: crmw__buf_printf(&b,
					   ":{\"tasks\":%lld,\"templates\":%zu,\"fourgrams\":%zu,\"none_share\":%.4f,"
					   "\"top_answer_share\":%.4f,\"distinct_answers\":%zu,\"thresholds\":%lld,"
					   "\"threshold_max\":%lld,\"time\":{",
					   (long long)f->tasks, f->templates.n, f->grams.n,
					   f->tasks ? (double)f->none / (double)f->tasks : 0.0,
					   answered ? (double)sset_max(&f->answers) / (double)answered : 0.0, f->answers.n,
					   (long long)f->thresholds, (long long)(f->thresholds ? f->threshold_max : 0));
		for (int tk = 0; !rc && tk < T_COUNT; tk++)
			rc = crmw__buf_printf(&b, "%s\"%s\":%.4f", tk ? "," : "", TIME_NAMES[tk],
					      f->tasks ? (double)f->time[tk] / (double)f->tasks : 0.0);
		rc = rc ? rc : crmw__buf_puts(&b, "}}");
	}
	if (!rc)
		rc = crmw__buf_puts(&b, "}}");
	if (rc == CRMW_ENOMEM)
		rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	for (size_t k = 0; k < nfams; k++) {
		sset_free(&fams[k].templates);
		sset_free(&fams[k].grams);
		sset_free(&fams[k].answers);
	}
	free(fams);
	for (int k = 0; k < nre; k++)
		regfree(&re[k]);
	crmw_buf_dispose(&mask);
	if (rc) {
		crmw_buf_dispose(&b);
		return rc;
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}
