/*
 * lib/tasks/program_text.c: programs (lib/tasks/program.c) in words.
 *
 * Two renderings of the same notation:
 *  - the short form of an expression, for trajectories: which explanation
 *    computed a value ("$period start of expression 1", "$ref /2 pluck
 *    Id", "$argmin /3"); crmw__prog_explain_json turns the explanation the
 *    interpreter records (crmw__prog_next.explain) into lists of these;
 *  - a guideline for a model (crmw__program_guide): the steps of a family's
 *    induced programs with each argument described by its explanation ("the
 *    first day of the period the question names", "the Id of every item of
 *    step 1's result"), the guards, the answer rule, the definitions every
 *    task of the family gives, and the pitfalls recorded from failed
 *    episodes.  It holds no value of any one task: constants that occur in
 *    a training task's question, definitions or answer, ids, and lines of
 *    the definitions that are not the same in every training task are left
 *    out (docs/agent.md, "Guidelines from programs").
 *
 * Nothing here recurses on the program's nesting: an alternative that is
 * itself an "$any" is named, not opened, and literal structures are
 * rendered to a fixed depth.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ short form */

static const char *op_of(const json_t *e)
{
	const char *k;
	json_t *x;
	if (!json_is_object(e))
		return NULL;
	json_object_foreach((json_t *)e, k, x) if (k[0] == '$') return k;
	return NULL;
}

/* A literal, cut to about 80 bytes (ASCII: a cut never splits a character). */
static int put_json(crmw_buf *b, const json_t *v)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	if (!t)
		return CRMW_ENOMEM;
	size_t n = strlen(t);
	int rc = n > 80 ? crmw__buf_printf(b, "%.77s...", t) : crmw__buf_puts(b, t);
	free(t);
	return rc;
}

static int put_words(crmw_buf *b, const json_t *words)
{
	int rc = crmw__buf_putc(b, '\'');
	size_t i;
	json_t *w;
	json_array_foreach(words, i, w) {
		if (rc)
			break;
		rc = crmw__buf_printf(b, "%s%s", i ? " " : "", json_string_value(w) ? json_string_value(w) : "?");
	}
	return rc ? rc : crmw__buf_putc(b, '\'');
}

static const char *str_or(const json_t *v, const char *dflt)
{
	return json_string_value(v) ? json_string_value(v) : dflt;
}

int crmw__prog_describe(crmw_buf *b, const json_t *e)
{
	const char *op = op_of(e);
	const json_t *a = op ? json_object_get(e, op) : NULL;
	int rc;
	if (!op) {
		rc = crmw__buf_puts(b, "constant ");
		return rc ? rc : put_json(b, e);
	}
	if (strcmp(op, "$lit") == 0) {
		rc = crmw__buf_puts(b, "constant ");
		return rc ? rc : put_json(b, a);
	}
	if (strcmp(op, "$ref") == 0) {
		rc = crmw__buf_printf(b, "$ref %s", str_or(a, "?"));
		if (!rc && json_object_get(e, "pluck"))
			rc = crmw__buf_printf(b, " pluck %s", str_or(json_object_get(e, "pluck"), "?"));
		if (!rc && json_object_get(e, "default")) {
			rc = crmw__buf_puts(b, " default ");
			rc = rc ? rc : put_json(b, json_object_get(e, "default"));
		}
		return rc;
	}
	if (strcmp(op, "$task") == 0) {
		const char *w = str_or(a, "?");
		if (strcmp(w, "id") == 0)
			return crmw__buf_printf(b, "$task id %s #%lld", str_or(json_object_get(e, "prefix"), ""),
						(long long)json_integer_value(json_object_get(e, "index")));
		if (strcmp(w, "field") == 0)
			return crmw__buf_printf(b, "$task field '%.64s'", str_or(json_object_get(e, "name"), "?"));
		return crmw__buf_printf(b, "$task %s (%s)", w, str_or(json_object_get(e, "format"), "datetime"));
	}
	if (strcmp(op, "$number") == 0) {
		rc = crmw__buf_puts(b, "$number after ");
		rc = rc ? rc : put_words(b, json_object_get(a, "after"));
		json_int_t off = json_integer_value(json_object_get(a, "offset"));
		return rc ? rc : off ? crmw__buf_printf(b, " offset %lld", (long long)off) : CRMW_OK;
	}
	if (strcmp(op, "$said") == 0) {
		rc = crmw__buf_puts(b, "$said ");
		rc = rc ? rc : put_words(b, json_object_get(a, "words"));
		return rc ? rc
			  : crmw__buf_printf(b, " -> %lld", (long long)json_integer_value(json_object_get(a, "value")));
	}
	if (strcmp(op, "$quoted") == 0) {
		rc = crmw__buf_puts(b, "$quoted ");
		return rc ? rc : put_json(b, a);
	}
	if (strcmp(op, "$phrase") == 0) {
		rc = crmw__buf_puts(b, "$phrase after ");
		rc = rc ? rc : put_words(b, json_object_get(a, "after"));
		rc = rc ? rc : crmw__buf_puts(b, " before ");
		return rc ? rc : put_words(b, json_object_get(a, "before"));
	}
	if (strcmp(op, "$period") == 0) {
		json_int_t i = json_integer_value(json_object_get(e, "index")), of = json_integer_value(json_object_get(e, "of"));
		rc = crmw__buf_printf(b, "$period %s of expression %lld", str_or(a, "?"), (long long)i + 1);
		if (!rc && of != 1)
			rc = crmw__buf_printf(b, " of %lld", (long long)of);
		return rc ? rc : crmw__buf_printf(b, " (%s)", str_or(json_object_get(e, "format"), "datetime"));
	}
	if (strcmp(op, "$pick") == 0) {
		rc = crmw__buf_printf(b, "$pick %s where %s occurs in the query", str_or(json_object_get(a, "list"), "?"),
				      str_or(json_object_get(a, "match"), "?"));
		if (!rc && json_object_get(a, "field"))
			rc = crmw__buf_printf(b, ", field %s", str_or(json_object_get(a, "field"), "?"));
		return rc;
	}
	if (strcmp(op, "$choose") == 0)
		return crmw__buf_printf(b, "$choose %s of the item of %s whose cues the query says (%zu items have cues)",
					str_or(json_object_get(a, "field"), "?"), str_or(json_object_get(a, "list"), "?"),
					json_object_size(json_object_get(a, "cues")));
	if (strcmp(op, "$distinct") == 0)
		return crmw__buf_printf(b, "$distinct %s of %s", str_or(json_object_get(a, "field"), "?"),
					str_or(json_object_get(a, "list"), "?"));
	if (strcmp(op, "$argmax") == 0 || strcmp(op, "$argmin") == 0 || strcmp(op, "$count") == 0)
		return crmw__buf_printf(b, "%s %s", op, str_or(a, "?"));
	if (strcmp(op, "$any") == 0)
		return crmw__buf_printf(b, "$any of %zu", json_array_size(a));
	if (strcmp(op, "$some") == 0)
		return crmw__buf_printf(b, "$some of %zu readings (those the task fits)", json_array_size(a));
	return crmw__buf_printf(b, "%s", op);
}

/* At most this many alternatives of one value are described (a checked
 * "$any" may hold 256): a trajectory stays small. */
#define EXPLAIN_MAX_ALTS 16

/* The descriptions of an explanation: one per alternative. */
static json_t *alternatives(const json_t *e, int *rc)
{
	json_t *out = json_array();
	const json_t *any = op_of(e) && strcmp(op_of(e), "$any") == 0 ? json_object_get(e, "$any") : NULL;
	size_t i, n = any ? json_array_size(any) : 1, shown = n > EXPLAIN_MAX_ALTS ? EXPLAIN_MAX_ALTS - 1 : n;
	*rc = out ? CRMW_OK : CRMW_ENOMEM;
	for (i = 0; i < shown && !*rc; i++) {
		crmw_buf b = CRMW_BUF_INIT;
		*rc = crmw__prog_describe(&b, any ? json_array_get(any, i) : e);
		if (!*rc && json_array_append_new(out, json_string(b.data ? b.data : "")))
			*rc = CRMW_ENOMEM;
		crmw_buf_dispose(&b);
	}
	if (!*rc && shown < n) {
		char more[64];
		snprintf(more, sizeof more, "and %zu more", n - shown);
		if (json_array_append_new(out, json_string(more)))
			*rc = CRMW_ENOMEM;
	}
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *crmw__prog_explain_json(const json_t *explain)
{
	if (!explain)
		return json_null();
	json_t *out = json_copy((json_t *)explain), *values = json_object();
	int rc = out && values ? CRMW_OK : CRMW_ENOMEM;
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(explain, "values"), k, x) {
		json_t *alts = rc ? NULL : alternatives(x, &rc);
		if (alts && json_object_set_new(values, k, alts))
			rc = CRMW_ENOMEM;
	}
	if (!rc && json_object_set_new(out, "values", values))
		rc = CRMW_ENOMEM;
	else if (rc)
		json_decref(values);
	if (rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ----------------------------------------------------- what is withheld */

static bool word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Does `needle` occur in `hay` at word bounds, ASCII case ignored? */
static bool occurs(const char *hay, const char *needle)
{
	size_t n = strlen(needle), h = hay ? strlen(hay) : 0;
	if (n == 0 || n > h)
		return false;
	for (size_t i = 0; i + n <= h; i++) {
		if (i > 0 && word_char((unsigned char)hay[i - 1]) && word_char((unsigned char)needle[0]))
			continue;
		if (strncasecmp(hay + i, needle, n) != 0)
			continue;
		if (i + n < h && word_char((unsigned char)hay[i + n]) && word_char((unsigned char)needle[n - 1]))
			continue;
		return true;
	}
	return false;
}

/* Does s hold a record id (a word of 15 or 18 letters and digits)? */
static bool holds_id(const char *s)
{
	for (size_t p = 0; s[p];) {
		size_t e = p;
		while (s[e] && isalnum((unsigned char)s[e]))
			e++;
		if (e > p && crmw__is_id_token(s + p, e - p))
			return true;
		p = e > p ? e : p + 1;
	}
	return false;
}

static const char *ex_query(const json_t *x)
{
	return json_string_value(json_object_get(json_object_get(x, "task"), "query"));
}

static const char *ex_required(const json_t *x)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(x, "task"), "metadata"), "required"));
}

static const char *ex_answer(const json_t *x)
{
	return json_string_value(json_object_get(x, "answer"));
}

/* Is `text` (a constant of a program) a value of some training task: an
 * id, or text that occurs in a task's question, definitions or answer?
 * Without `numbers`, an answer of digits only inside the text does not
 * count (a pitfall sentence's call counts and positions are numbers). */
static bool value_in(const json_t *examples, const char *text, bool numbers)
{
	if (holds_id(text))
		return true;
	size_t i;
	json_t *x;
	json_array_foreach(examples, i, x) {
		const char *ans = ex_answer(x);
		bool number = ans && *ans && strspn(ans, "0123456789") == strlen(ans);
		if (occurs(ex_query(x), text) || occurs(ex_required(x), text) || occurs(ans, text) ||
		    (ans && *ans && (numbers || !number) && occurs(text, ans)))
			return true;
	}
	return false;
}

static bool task_value(const json_t *examples, const char *text)
{
	return value_in(examples, text, true);
}

/* Is `word` (a context word of the family's wording, or a field name)
 * an answer or part of one, or an id? */
static bool answer_value(const json_t *examples, const char *word)
{
	if (holds_id(word))
		return true;
	size_t i;
	json_t *x;
	json_array_foreach(examples, i, x) {
		const char *ans = ex_answer(x);
		if (ans && *ans && strcmp(ans, "None") != 0 && (occurs(ans, word) || occurs(word, ans)))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ in words */

typedef struct guide {
	crmw_buf *b;
	const json_t *examples;
	int rc;
} guide;

static void put(guide *g, const char *fmt, ...) CRMW_PRINTF(2, 3);
static void put(guide *g, const char *fmt, ...)
{
	if (g->rc)
		return;
	va_list ap;
	va_start(ap, fmt);
	char small[512];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		g->rc = CRMW_ENOMEM;
		return;
	}
	if ((size_t)n < sizeof small) {
		g->rc = crmw__buf_append(g->b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		g->rc = CRMW_ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	g->rc = crmw__buf_append(g->b, big, (size_t)n);
	free(big);
}

static const char *ordinal_suffix(long long n)
{
	long long t = n % 100;
	if (t >= 11 && t <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* A field name or map key, or "a field" when it may be a value. */
static void put_field(guide *g, const char *f)
{
	if (!f || !*f || strchr(f, ' ') || answer_value(g->examples, f))
		put(g, "a field");
	else
		put(g, "%s", f);
}

/* A pointer into the results ("/1/0/Id"): "the Id of the first item of
 * step 2's result". */
static void put_ref(guide *g, const char *p)
{
	if (!p || p[0] != '/') {
		put(g, "an earlier result");
		return;
	}
	char *end;
	long step = strtol(p + 1, &end, 10);
	/* the segments after the step, innermost first */
	const char *seg[16];
	size_t len[16], n = 0;
	for (const char *s = end; *s == '/' && n < 16;) {
		const char *e = strchr(s + 1, '/');
		size_t l = e ? (size_t)(e - s - 1) : strlen(s + 1);
		seg[n] = s + 1;
		len[n++] = l;
		s += 1 + l;
	}
	for (size_t i = n; i-- > 0;) {
		char f[128];
		/* a key too long to keep whole is no field name of the family */
		snprintf(f, sizeof f, "%.*s", (int)(len[i] < 127 ? len[i] : 0), seg[i]);
		bool num = len[i] > 0 && len[i] < 19;
		for (size_t k = 0; k < len[i]; k++)
			num = num && isdigit((unsigned char)seg[i][k]);
		if (num) {
			long long k = atoll(f) + 1;
			if (k == 1)
				put(g, "the first item of ");
			else
				put(g, "the %lld%s item of ", k, ordinal_suffix(k));
		} else {
			put(g, "the ");
			put_field(g, f);
			put(g, " of ");
		}
	}
	put(g, "step %ld's result", step + 1);
}

static void put_context(guide *g, const json_t *words)
{
	put(g, "'");
	size_t i;
	json_t *w;
	json_array_foreach(words, i, w) {
		const char *s = json_string_value(w);
		put(g, "%s%s", i ? " " : "", s && !answer_value(g->examples, s) ? s : "...");
	}
	put(g, "'");
}

/* A constant: written when it is no value of a training task. */
static void put_constant(guide *g, const json_t *v)
{
	if (json_is_null(v) || (json_is_string(v) && strcmp(json_string_value(v), "None") == 0)) {
		put(g, "None"); /* how an empty answer is written: no value of a task */
		return;
	}
	if (json_is_boolean(v)) {
		put(g, "%s", json_is_true(v) ? "true" : "false");
		return;
	}
	char *t = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *s = json_is_string(v) ? json_string_value(v) : t;
	if (!s) {
		g->rc = g->rc ? g->rc : CRMW_ENOMEM;
		return;
	}
	if (json_is_array(v) && json_array_size(v) == 0)
		put(g, "an empty list");
	else if (json_is_object(v) && json_object_size(v) == 0)
		put(g, "an empty object");
	else if (json_is_array(v) || json_is_object(v) || strlen(s) > 120 || task_value(g->examples, s))
		put(g, "a fixed value (the same in every solved task)");
	else if (json_is_string(v))
		put(g, "\"%s\"", s);
	else
		put(g, "%s", s);
	free(t);
}

static void english(guide *g, const json_t *e, int depth);

/* One explanation (not an "$any"). */
static void english_one(guide *g, const json_t *e, int depth)
{
	const char *op = op_of(e);
	const json_t *a = op ? json_object_get(e, op) : NULL;
	if (!op) {
		if (json_is_array(e) && json_array_size(e) > 0 && depth < 4) {
			put(g, "a list of ");
			size_t i;
			json_t *x;
			json_array_foreach(e, i, x) {
				put(g, "%s(%zu) ", i ? "; " : "", i + 1);
				english(g, x, depth + 1);
			}
		} else if (json_is_object(e) && json_object_size(e) > 0 && depth < 4) {
			put(g, "an object with ");
			const char *k;
			json_t *x;
			bool first = true;
			json_object_foreach((json_t *)e, k, x) {
				put(g, "%s", first ? "" : "; ");
				put_field(g, k);
				put(g, ": ");
				english(g, x, depth + 1);
				first = false;
			}
		} else {
			put_constant(g, e);
		}
		return;
	}
	if (strcmp(op, "$lit") == 0) {
		put_constant(g, a);
	} else if (strcmp(op, "$ref") == 0) {
		const json_t *pl = json_object_get(e, "pluck");
		if (pl) {
			put(g, "the ");
			put_field(g, json_string_value(pl));
			put(g, " of every item of ");
		}
		put_ref(g, json_string_value(a));
		if (json_object_get(e, "default"))
			put(g, " (None when it is missing)");
	} else if (strcmp(op, "$task") == 0) {
		const char *w = str_or(a, "");
		const char *fmt = strcmp(str_or(json_object_get(e, "format"), "datetime"), "date") == 0 ? "YYYY-MM-DD"
													: "YYYY-MM-DDT00:00:00Z";
		if (strcmp(w, "id") == 0) {
			long long k = (long long)json_integer_value(json_object_get(e, "index")) + 1;
			put(g, "the %lld%s id with key prefix %s that the task names (its question or context)", k,
			    ordinal_suffix(k), str_or(json_object_get(e, "prefix"), "?"));
		} else if (strcmp(w, "field") == 0) {
			const char *name = str_or(json_object_get(e, "name"), "");
			if (*name && !answer_value(g->examples, name))
				put(g, "the value of the line '%.64s: ...' of the task's context", name);
			else
				put(g, "the value of a 'label: value' line of the task's context");
		} else {
			put(g, "today's date (%s)", fmt);
		}
	} else if (strcmp(op, "$number") == 0) {
		json_int_t off = json_integer_value(json_object_get(a, "offset"));
		put(g, "the number right after ");
		put_context(g, json_object_get(a, "after"));
		put(g, " in the question");
		if (off)
			put(g, ", %s %lld", off < 0 ? "minus" : "plus", (long long)(off < 0 ? -off : off));
	} else if (strcmp(op, "$said") == 0) {
		put(g, "%lld when the question says ", (long long)json_integer_value(json_object_get(a, "value")));
		put_context(g, json_object_get(a, "words"));
	} else if (strcmp(op, "$quoted") == 0) {
		put_constant(g, a);
		put(g, ", which the question says");
	} else if (strcmp(op, "$phrase") == 0) {
		put(g, "the words between ");
		put_context(g, json_object_get(a, "after"));
		put(g, " and ");
		put_context(g, json_object_get(a, "before"));
		put(g, " in the question");
	} else if (strcmp(op, "$period") == 0) {
		const char *bnd = str_or(a, "");
		const char *fmt = strcmp(str_or(json_object_get(e, "format"), "datetime"), "date") == 0 ? "YYYY-MM-DD"
													: "YYYY-MM-DDT00:00:00Z";
		long long i = (long long)json_integer_value(json_object_get(e, "index")) + 1,
			  of = (long long)json_integer_value(json_object_get(e, "of"));
		put(g, "%s of ", strcmp(bnd, "start") == 0 ? "the first day" : strcmp(bnd, "end") == 0 ? "the day after the last day"
												    : "the last day");
		if (of == 1)
			put(g, "the period the question names");
		else
			put(g, "the %lld%s of the %lld periods the question names", i, ordinal_suffix(i), of);
		put(g, " (%s)", fmt);
	} else if (strcmp(op, "$pick") == 0) {
		const json_t *f = json_object_get(a, "field");
		put(g, "the ");
		if (f)
			put_field(g, json_string_value(f));
		else
			put(g, "item");
		put(g, " of the item of ");
		put_ref(g, json_string_value(json_object_get(a, "list")));
		put(g, " whose ");
		put_field(g, json_string_value(json_object_get(a, "match")));
		put(g, " the question names");
	} else if (strcmp(op, "$choose") == 0) {
		put(g, "the ");
		put_field(g, json_string_value(json_object_get(a, "field")));
		put(g, " of the item of ");
		put_ref(g, json_string_value(json_object_get(a, "list")));
		put(g, " that the words of the question point to (words solved tasks said only with that item)");
	} else if (strcmp(op, "$argmax") == 0 || strcmp(op, "$argmin") == 0) {
		put(g, "the key with the %s value of ", strcmp(op, "$argmax") == 0 ? "largest" : "smallest");
		put_ref(g, json_string_value(a));
	} else if (strcmp(op, "$distinct") == 0) {
		put(g, "the one value of ");
		put_field(g, json_string_value(json_object_get(a, "field")));
		put(g, " shared by every item of ");
		put_ref(g, json_string_value(json_object_get(a, "list")));
		put(g, " (None when it is empty)");
	} else if (strcmp(op, "$count") == 0) {
		put(g, "the number of items of ");
		put_ref(g, json_string_value(a));
	} else if (strcmp(op, "$any") == 0) {
		put(g, "one of %zu agreeing explanations", json_array_size(a));
	} else if (strcmp(op, "$some") == 0) {
		put(g, "one of %zu readings, each of one wording", json_array_size(a));
	} else {
		put(g, "%s", op);
	}
}

/* Is e a constant (a literal, or "$lit")? */
static bool constant(const json_t *e)
{
	const char *op = op_of(e);
	return !op || strcmp(op, "$lit") == 0;
}

/* An explanation; of an "$any", the alternatives that compute from the
 * task or the results first, then at most two others ("equivalently"). */
static void english(guide *g, const json_t *e, int depth)
{
	const char *op = op_of(e);
	const json_t *any = op && strcmp(op, "$any") == 0 ? json_object_get(e, "$any") : NULL;
	const json_t *some = op && strcmp(op, "$some") == 0 ? json_object_get(e, "$some") : NULL;
	if (some && depth < 4) { /* the readings, as the question's wording picks one */
		size_t i;
		json_t *x;
		json_array_foreach(some, i, x) {
			put(g, "%s", i == 0 ? "" : "; or, worded otherwise, ");
			english(g, x, depth + 1);
		}
		return;
	}
	if (!any) {
		english_one(g, e, depth);
		return;
	}
	size_t n = json_array_size(any), shown = 0, i;
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < n && shown < 3; i++) {
			const json_t *x = json_array_get(any, i);
			if (constant(x) != (pass == 1))
				continue;
			put(g, "%s", shown == 0 ? "" : shown == 1 ? " (equivalently: " : "; ");
			english_one(g, x, depth + 1);
			shown++;
		}
	if (shown > 1)
		put(g, ")");
}

static const char *shape_words(const char *s)
{
	static const char *const map[][2] = {{"null", "nothing (null)"}, {"empty", "an empty result"},
					     {"one", "a single item"},    {"many", "several items"},
					     {"map", "a map of values"},  {"scalar", "a single value"}};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(map); i++)
		if (s && strcmp(s, map[i][0]) == 0)
			return map[i][1];
	return "an unknown shape";
}

static void put_shapes(guide *g, const json_t *shapes)
{
	size_t i, n = json_array_size(shapes);
	json_t *s;
	json_array_foreach(shapes, i, s) put(g, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", shape_words(json_string_value(s)));
}

static bool uses_period(const json_t *v)
{
	char *t = json_dumps(v, JSON_COMPACT);
	bool yes = t && strstr(t, "\"$period\"");
	free(t);
	return yes;
}

/* One program: its steps, guards and answer. */
static void put_program(guide *g, const json_t *p, size_t k)
{
	const json_t *steps = json_object_get(p, "steps"), *guards = json_object_get(p, "guards");
	const char *dir = json_string_value(json_object_get(p, "directed"));
	long long support = (long long)json_integer_value(json_object_get(p, "support"));
	put(g, "Way %zu (learned from %lld solved task%s", k + 1, support, support == 1 ? "" : "s");
	if (dir)
		put(g, "; for questions about the %s", strcmp(dir, "max") == 0 ? "largest or highest" : "smallest or lowest");
	put(g, "):\n");
	size_t i, n = json_array_size(steps);
	json_t *st;
	json_array_foreach(steps, i, st) {
		const json_t *args = json_object_get(st, "arguments");
		const char *name = json_string_value(json_object_get(st, "name"));
		if (i + 1 == n) {
			put(g, "  %zu. Answer: ", i + 1);
			english(g, json_object_get(args, "content"), 0);
			put(g, ".\n");
			break;
		}
		put(g, "  %zu. Call %s", i + 1, name ? name : "?");
		if (json_object_size(args) == 0)
			put(g, " with no arguments.\n");
		else
			put(g, " with:\n");
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)args, key, v) {
			put(g, "     - %s: ", key);
			english(g, v, 0);
			put(g, "\n");
		}
		if (json_array_size(json_object_get(st, "shapes"))) {
			put(g, "     Training saw it return ");
			put_shapes(g, json_object_get(st, "shapes"));
			put(g, " (anything else: check the question again).\n");
		}
		size_t gi;
		json_t *gd;
		json_array_foreach(guards, gi, gd) {
			if (json_integer_value(json_object_get(gd, "after")) != (json_int_t)i)
				continue;
			put(g, "     If it returns ");
			put_shapes(g, json_object_get(gd, "shapes"));
			put(g, ", stop and answer: ");
			english(g, json_object_get(gd, "content"), 0);
			put(g, ".\n");
		}
	}
}

/* The lines of the definitions every training task gives alike (the
 * family's policy), without ids or answers. */
static void put_definitions(guide *g)
{
	const json_t *first = NULL;
	size_t i, with = 0;
	json_t *x;
	json_array_foreach(g->examples, i, x) {
		const char *r = ex_required(x);
		if (r && *r) {
			first = first ? first : x;
			with++;
		}
	}
	const char *req = first ? ex_required(first) : NULL;
	size_t kept = 0;
	for (const char *p = req; p && *p && with >= 2 && !g->rc;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = n ? malloc(n + 1) : NULL;
		if (n && !line) {
			g->rc = CRMW_ENOMEM;
			break;
		}
		if (line) {
			memcpy(line, p, n);
			line[n] = '\0';
			/* in every task's definitions, as a whole line */
			bool everywhere = true;
			json_array_foreach(g->examples, i, x) {
				const char *r = ex_required(x);
				if (!everywhere || !r || !*r)
					continue;
				bool found = false;
				for (const char *q = r; *q && !found;) {
					const char *e = strchr(q, '\n');
					size_t m = e ? (size_t)(e - q) : strlen(q);
					found = m == n && memcmp(q, line, n) == 0;
					q += m + (e ? 1 : 0);
				}
				everywhere = found;
			}
			if (everywhere && !answer_value(g->examples, line)) {
				if (kept++ == 0)
					put(g, "Definitions the tasks of this family give:\n");
				put(g, "  %s\n", line);
			}
			free(line);
		}
		p += n + (nl ? 1 : 0);
	}
}

int crmw__program_guide(crmw_buf *out, const json_t *lib, const char *family, const json_t *examples,
			const json_t *pitfalls)
{
	guide g = {out, examples, CRMW_OK};
	size_t i, k = 0, n = 0;
	json_t *p;
	long long tasks = 0;
	bool periods = false;
	json_array_foreach(json_object_get(lib, "programs"), i, p) {
		const char *f = json_string_value(json_object_get(p, "family"));
		if (!f || (family && strcmp(f, family) != 0))
			continue;
		n++;
		tasks += (long long)json_integer_value(json_object_get(p, "support"));
		periods = periods || uses_period(json_object_get(p, "steps")) || uses_period(json_object_get(p, "guards"));
	}
	if (n == 0)
		return CRMW_ENOTFOUND;
	put(&g, "How solved tasks of the family %s were answered: %zu way%s, learned from %lld solved task%s "
		"(the steps are the same for every task of a way; the values come from each task).\n",
	    family ? family : "(any)", n, n == 1 ? "" : "s", tasks, tasks == 1 ? "" : "s");
	if (n > 1)
		put(&g, "Use the way whose steps fit the question; when none fits, solve it yourself.\n");
	json_array_foreach(json_object_get(lib, "programs"), i, p) {
		const char *f = json_string_value(json_object_get(p, "family"));
		if (!f || (family && strcmp(f, family) != 0))
			continue;
		put_program(&g, p, k++);
	}
	if (periods)
		put(&g, "Periods: the dates are the bounds of the time expressions of the question, by the rules "
			"the task states (a period tool gives the same).\n");
	put_definitions(&g);
	/* a pitfall holding a value of a training task (a stored entry anyone
	 * may write) is left out */
	size_t shown = 0;
	json_t *x;
	json_array_foreach(pitfalls, i, x) {
		const char *s = json_string_value(x);
		if (s && !value_in(examples, s, false))
			put(&g, "%s  - %s\n", shown++ ? "" : "Pitfalls seen in failed episodes:\n", s);
	}
	if (!shown)
		put(&g, "Pitfalls seen in failed episodes: none recorded.\n");
	return g.rc;
}
