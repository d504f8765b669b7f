/*
 * lib/tasks/program.c: programs over the tool registry, and their one
 * interpreter.  Gold programs (a task's "gold") and the programs induced
 * from solved episodes (lib/agent/induce.c) are one notation:
 *
 *   program  := [step, ...]                          (a gold program)
 *             | {"steps": [step, ...], "guards": [guard, ...], ...}
 *   step     := {"name": tool, "arguments": {key: value, ...},
 *                "shapes": [shape, ...]?, "expect_contains": [...]?}
 *               the last step, and only it, is {"name": "respond",
 *               "arguments": {"content": value}}
 *   guard    := {"after": k, "shapes": [shape, ...], "content": value,
 *               "path": [[shape, ...], ...]?}
 *               an early exit: when step k's result has one of the shapes,
 *               answer `content` instead of going on.  "path" lists the
 *               routes its training episodes took: for each, the shapes of
 *               steps 0 to k-1 (k shapes).  Results of a shape their step
 *               never saw go on toward the guard while they are the start
 *               of one of its routes (a period with no cases at all on the
 *               way to "no agent qualifies"), and abstain as soon as they
 *               are not; results that are the start of a route of a guard
 *               further on went on in training, so no guard fires there
 *   shape    := "null" | "empty" | "one" | "many" | "map" | "scalar"
 *   value    := a literal (JSON; objects and arrays hold values) | expr
 *   expr     := an object with one "$" key:
 *     {"$lit": json}                      json as it is
 *     {"$ref": "/N/path", "as": "text"?, "default": json?, "pluck": "F"?}
 *                                         step N's result at the path (gold's);
 *                                         pluck: field F of every item of the list
 *     {"$task": "today", "format": "date"|"datetime"}
 *     {"$task": "id", "prefix": "003", "index": i}
 *                                         the i-th distinct id with that key prefix
 *                                         in the query, metadata.required, context.role
 *     {"$task": "field", "name": "Lead's region"}
 *                                         the value of metadata.required's "name: value" line
 *     {"$number": {"after": [words], "offset": k}}
 *                                         the number of the query right after the words, + k
 *                                         (not one of a time expression: a period's number
 *                                         is read by "$period" alone)
 *     {"$said": {"words": [words], "value": n}}
 *                                         n when the query says the words (next to
 *                                         each other) and no number outside a time
 *                                         expression: a count said in words ("any
 *                                         cases": 0)
 *     {"$phrase": {"after": [words], "before": [words]}}
 *                                         the shortest text between the two contexts
 *     {"$quoted": "text", "said": "span"?}
 *                                         the text, when the query says the span (whole
 *                                         words, any case), or without one each of its
 *                                         words (crmw__prog_says_each_word): a constant
 *                                         whose every word the query of every training
 *                                         task said, so a value of the query, not of the
 *                                         family ("slim notebook" of "Slim 2-in-1
 *                                         Notebook", the span)
 *     {"$period": "start"|"end"|"last", "format": "date"|"datetime",
 *      "index": i, "of": n}               a bound of the i-th of the query's n periods
 *                                         (lib/common/period.c; end is exclusive)
 *     {"$pick": {"list": "/N/path", "match": "F", "field": "G"?}}
 *                                         the one item whose field F occurs in the query
 *     {"$choose": {"list": "/N/path", "field": "F", "catalogue": "hash",
 *                  "cues": {value: ["w", "w w", ...]}, "words": {value: {"w": n}},
 *                  "tasks": {value: n}}}
 *                                         the field F of the one item of the list whose
 *                                         value of F has a cue the query says (a word or
 *                                         a pair of words next to each other, not a name,
 *                                         as crmw__prog_add_words counts them), two of them
 *                                         single words, when no word of the query is one of
 *                                         one other item's words only, none is in no item's
 *                                         words (names aside), its words make the item 20
 *                                         times likelier than any other (naive Bayes over
 *                                         the items' tasks), it says no other item's text,
 *                                         and the list hashes to the catalogue
 *                                         (crmw__prog_list_hash); else it abstains.
 *                                         The tokens crmw__prog_ctx.around marks (the
 *                                         wording around the question, set by the memory
 *                                         policy) are not read, but for the words that
 *                                         tell an item (around_telling) in a sentence
 *                                         whose key (crmw__prog_sentence_key) is not in
 *                                         the optional "shared": [key, ...]; such a
 *                                         sentence in the optional "owned": {key: value}
 *                                         abstains unless the item's value is that value,
 *                                         and a shared sentence that says a cue of another
 *                                         item kept for it in the optional "shared_cues":
 *                                         {key: [cue, ...]} (the item's tasks said it
 *                                         there) abstains; with the optional "names":
 *                                         {name: value, or ""}, a name alone (no
 *                                         capitalised word beside it) is read as a word:
 *                                         one not there, or another item's, abstains
 *     {"$argmax": "/N/path"}, {"$argmin": "/N/path"}
 *                                         the key of the largest/smallest value of a map
 *     {"$distinct": {"list": "/N/path", "field": "F"}}
 *                                         the one distinct value of F over the items
 *     {"$count": "/N/path"}               the size of a list or map
 *     {"$any": [value, ...]}              every alternative, which must agree
 *     {"$some": [value, ...]}             the alternatives the task fits, which must
 *                                         agree; at least one must fit.  An alternative
 *                                         fits unless it fails for want of what it reads
 *                                         in the task (a number, phrase or period not
 *                                         there, or found twice): each is a reading of one
 *                                         wording ("more than N", "over N") learned from
 *                                         its own tasks
 *
 * Words are ASCII-lower-cased tokens (runs of ASCII letters and digits,
 * runs of non-ASCII characters; any other non-blank byte is a token of its
 * own).  A value that cannot be
 * computed makes the interpreter abstain with the reason; programs read
 * from a store are checked first (crmw__program_check): bounded sizes and
 * depth, known operators and keys, references to earlier steps only.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* memmem */
#include "tasks/internal.h"
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY(...) (snprintf(why, len, __VA_ARGS__), (json_t *)NULL)

/* ------------------------------------------------------------- the task */

static bool alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static const char *const number_words[] = {"zero",    "one",     "two",      "three",    "four",
					   "five",    "six",     "seven",    "eight",    "nine",
					   "ten",     "eleven",  "twelve",   "thirteen", "fourteen",
					   "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};

/* Split s into tokens; the lower-cased copy of s is kept beside it. */
static int tokenize(crmw__prog_ctx *c)
{
	const char *s = c->query;
	size_t n = strlen(s), cap = 0;
	c->low = malloc(n + 1);
	if (!c->low)
		return CRMW_ENOMEM;
	for (size_t i = 0; i <= n; i++)
		c->low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] | 32) : s[i];
	for (size_t p = 0; p < n;) {
		unsigned char ch = (unsigned char)s[p];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			p++;
			continue;
		}
		size_t e = p + 1;
		if (alnum(ch))
			while (e < n && (alnum((unsigned char)s[e]) ||
					 (s[e] == '\'' && e + 1 < n && alnum((unsigned char)s[e + 1]))))
				e++;
		else if (ch >= 0x80) /* a run of non-ASCII characters, never cut inside one */
			while (e < n && (unsigned char)s[e] >= 0x80)
				e++;
		if (c->ntok == cap) {
			size_t nc = cap ? 2 * cap : 64;
			crmw__prog_tok *t = realloc(c->tok, nc * sizeof *t);
			if (!t)
				return CRMW_ENOMEM;
			c->tok = t;
			cap = nc;
		}
		crmw__prog_tok *t = &c->tok[c->ntok++];
		t->at = p;
		t->len = e - p;
		t->num = -1;
		if (t->len <= 18) {
			bool dig = true;
			int64_t v = 0;
			for (size_t i = p; i < e && dig; i++) {
				dig = s[i] >= '0' && s[i] <= '9';
				v = v * 10 + (s[i] - '0');
			}
			if (dig)
				t->num = v;
			for (size_t w = 0; !dig && w < sizeof number_words / sizeof *number_words; w++)
				if (strlen(number_words[w]) == t->len && memcmp(c->low + p, number_words[w], t->len) == 0)
					t->num = (int64_t)w;
		}
		p = e;
	}
	return CRMW_OK;
}

/* The ids of s not yet seen (`set`: id -> true) appended to c->ids. */
static int add_ids(crmw__prog_ctx *c, json_t *set, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	for (size_t p = 0; p < n;) {
		if (!alnum((unsigned char)s[p])) {
			p++;
			continue;
		}
		size_t e = p;
		while (e < n && alnum((unsigned char)s[e]))
			e++;
		if (crmw__is_id_token(s + p, e - p) && !json_object_getn(set, s + p, e - p)) {
			json_t *id = json_stringn(s + p, e - p);
			if (!id || json_array_append_new(c->ids, id) || json_object_setn_new(set, s + p, e - p, json_true()))
				return CRMW_ENOMEM;
		}
		p = e;
	}
	return CRMW_OK;
}

int crmw__prog_ctx_init(crmw__prog_ctx *c, const json_t *task, const json_t *results)
{
	memset(c, 0, sizeof *c);
	c->results = results;
	c->task = task;
	const char *q = json_string_value(json_object_get(task, "query"));
	c->query = q ? q : "";
	const json_t *ctx = json_object_get(task, "context");
	const char *today = json_string_value(json_object_get(ctx, "today"));
	char d[11];
	if (today && crmw__parse_date(today, strlen(today), d) == 0) {
		c->has_today = true;
		c->today = crmw__days_from_civil(atoi(d), atoi(d + 5), atoi(d + 8));
		c->nper = crmw__period_find(c->query, strlen(c->query), c->today, c->per, CRMW__PROG_MAX_PERIODS);
	}
	c->ids = json_array();
	json_t *set = json_object();
	int rc = c->ids && set ? tokenize(c) : CRMW_ENOMEM;
	const json_t *req = json_object_get(json_object_get(task, "metadata"), "required");
	rc = rc ? rc : add_ids(c, set, c->query);
	rc = rc ? rc : add_ids(c, set, json_string_value(req));
	rc = rc ? rc : add_ids(c, set, json_string_value(json_object_get(ctx, "role")));
	json_decref(set);
	if (rc)
		crmw__prog_ctx_dispose(c);
	return rc;
}

bool crmw__prog_field_next(const char **at, const char **label, size_t *llen, const char **value, size_t *vlen)
{
	const char *p = *at;
	while (p && *p) {
		/* a line ends at a line feed or a carriage return (either alone) */
		const char *end = p + strcspn(p, "\r\n"), *l = p;
		*at = p = *end ? end + 1 : end;
		while (l < end && (*l == '#' || *l == '-' || *l == '*' || *l == ' ' || *l == '\t'))
			l++;
		const char *colon = memchr(l, ':', (size_t)(end - l));
		if (!colon || colon == l || (size_t)(colon - l) > CRMW__PROG_MAX_LABEL || colon + 1 == end || colon[1] != ' ')
			continue;
		const char *v = colon + 1, *ve = end;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (v == ve)
			continue;
		*label = l;
		*llen = (size_t)(colon - l);
		*value = v;
		*vlen = (size_t)(ve - v);
		return true;
	}
	return false;
}

void crmw__prog_ctx_dispose(crmw__prog_ctx *c)
{
	free(c->tok);
	free(c->low);
	json_decref(c->ids);
	memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------- evaluation */

static const char *const shape_names[] = {"null", "empty", "one", "many", "map", "scalar"};

const char *crmw__prog_shape(const json_t *v)
{
	if (!v || json_is_null(v))
		return "null";
	if (json_is_array(v))
		return json_array_size(v) == 0 ? "empty" : json_array_size(v) == 1 ? "one" : "many";
	if (json_is_object(v))
		return json_object_size(v) == 0 ? "empty" : "map";
	if (json_is_string(v) && json_string_length(v) == 0)
		return "empty";
	return "scalar";
}

static bool words_at(const crmw__prog_ctx *c, size_t i, const json_t *words)
{
	size_t n = json_array_size(words);
	if (i + n > c->ntok)
		return false;
	for (size_t k = 0; k < n; k++) {
		const crmw__prog_tok *t = &c->tok[i + k];
		const char *w = json_string_value(json_array_get(words, k));
		if (!w || strlen(w) != t->len || memcmp(c->low + t->at, w, t->len) != 0)
			return false;
	}
	return true;
}

/* One evaluation: the task, and what it may still spend.  Every value it
 * reads or makes is paid for (a node, and the bytes of its strings), as is
 * the scanning of the query, so that a small program cannot make a large
 * value (the same result referenced thousands of times) or a long search. */
typedef struct ev_run {
	const crmw__prog_ctx *c;
	size_t spent;
	bool nomem;  /* out of memory: an error, not an abstention */
	bool costly; /* the budget is spent */
	/* the explanation (crmw__prog_next.explain): NULL, or path -> the
	 * expression that computed the value there (every leaf of an argument
	 * object, the answer), kept while not inside an expression */
	json_t *trace;
	int inside;	  /* > 0: inside an expression, nothing recorded */
	size_t plen;	  /* the path so far; (size_t)-1: too long, nothing recorded */
	char path[160];
} ev_run;

#define NOMEM() (r->nomem = true, WHY("out of memory"))
#define COSTLY() (r->costly = true, WHY("the program is too costly"))

/* Pay for `units` of work; false when that passes the budget. */
static bool pay(ev_run *r, size_t units)
{
	if (r->costly || units > CRMW__PROG_MAX_COST - r->spent) {
		r->costly = true;
		return false;
	}
	r->spent += units;
	return true;
}

/* Pay for a value read or made: its nodes (CRMW__PROG_NODE_COST each)
 * and the bytes of its strings and keys. */
static bool pay_value(ev_run *r, const json_t *v)
{
	size_t nodes = 0, bytes = 0, left = r->costly ? 0 : CRMW__PROG_MAX_COST - r->spent;
	int m = crmw__json_measure(v, (size_t)-1, &nodes, left / CRMW__PROG_NODE_COST, &bytes, left);
	if (m < 0) {
		r->nomem = true;
		return false;
	}
	if (m > 0)
		r->costly = true;
	return m == 0 && pay(r, nodes * CRMW__PROG_NODE_COST + bytes);
}

/* The reason a payment failed. */
static json_t *unpaid(ev_run *r, char *why, size_t len)
{
	return r->nomem ? NOMEM() : COSTLY();
}

static json_t *date_value(int64_t days, const char *format, ev_run *r, char *why, size_t len)
{
	int y, m, d;
	crmw__civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return WHY("a date out of range");
	char buf[32];
	if (format && strcmp(format, "date") == 0)
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	else
		snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", y, m, d);
	json_t *v = json_string(buf);
	return v ? v : NOMEM();
}

/* The referenced result, borrowed; NULL with a reason when missing. */
static const json_t *ref_at(ev_run *r, const json_t *p, char *why, size_t len)
{
	const char *s = json_string_value(p);
	const json_t *v = s && s[0] == '/' ? crmw__json_pointer(r->c->results, s) : NULL;
	if (!v)
		snprintf(why, len, "\"%s\" names no earlier result", s ? s : "?");
	return v;
}

static json_t *ev(const json_t *e, ev_run *r, int depth, bool text, int *cls, char *why, size_t len);

static json_t *ev_ref(const json_t *e, ev_run *r, int *cls, char *why, size_t len)
{
	const json_t *v = ref_at(r, json_object_get(e, "$ref"), why, len);
	*cls = CRMW__PROG_RESULT;
	if (!v)
		v = json_object_get(e, "default");
	if (!v)
		return NULL;
	if (!pay_value(r, v))
		return unpaid(r, why, len);
	json_t *out;
	const char *pluck = json_string_value(json_object_get(e, "pluck"));
	if (pluck) {
		if (!json_is_array(v))
			return WHY("pluck \"%s\": %s is not a list", pluck, json_string_value(json_object_get(e, "$ref")));
		out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			json_t *f = json_object_get(x, pluck);
			if (!f || !out || json_array_append(out, f)) {
				json_decref(out);
				return f ? NOMEM() : WHY("pluck \"%s\": item %zu has no such field", pluck, i);
			}
		}
	} else {
		out = json_incref((json_t *)v);
	}
	const char *as = json_string_value(json_object_get(e, "as"));
	if (out && as && strcmp(as, "text") == 0) {
		char *t = crmw__answer_text(out);
		json_decref(out);
		out = t ? json_string(t) : NULL;
		free(t);
		if (!out)
			return NOMEM();
	}
	return out;
}

/* The value of the task's "name: value" line (two lines of one name must
 * agree). */
static json_t *ev_field(const json_t *e, ev_run *r, char *why, size_t len)
{
	const char *name = json_string_value(json_object_get(e, "name"));
	const char *at = json_string_value(json_object_get(json_object_get(r->c->task, "metadata"), "required"));
	const char *l, *v, *found = NULL;
	size_t ll, vl, flen = 0;
	if (!name)
		return WHY("\"$task\": \"field\" needs a \"name\"");
	size_t nlen = strlen(name);
	if (!pay(r, at ? strlen(at) : 0))
		return COSTLY();
	while (crmw__prog_field_next(&at, &l, &ll, &v, &vl)) {
		if (ll != nlen || memcmp(l, name, ll) != 0)
			continue;
		if (found && (flen != vl || memcmp(found, v, vl) != 0))
			return WHY("the task gives '%.60s' twice: '%.*s' and '%.*s'", name, (int)(flen > 60 ? 60 : flen), found,
				   (int)(vl > 60 ? 60 : vl), v);
		found = v;
		flen = vl;
	}
	if (!found)
		return WHY("the task gives no '%.60s'", name);
	json_t *x = json_stringn(found, flen);
	return x ? x : WHY("the task's '%.60s' is not valid text", name);
}

static json_t *ev_task(const json_t *e, ev_run *r, char *why, size_t len)
{
	const crmw__prog_ctx *c = r->c;
	const char *what = json_string_value(json_object_get(e, "$task"));
	if (!what)
		return WHY("\"$task\" must be \"today\", \"id\" or \"field\"");
	if (strcmp(what, "today") == 0) {
		if (!c->has_today)
			return WHY("the task has no date of today");
		return date_value(c->today, json_string_value(json_object_get(e, "format")), r, why, len);
	}
	if (strcmp(what, "field") == 0)
		return ev_field(e, r, why, len);
	const char *prefix = json_string_value(json_object_get(e, "prefix"));
	json_int_t want = json_integer_value(json_object_get(e, "index")), k = 0;
	size_t i;
	json_t *x;
	if (!pay(r, json_array_size(c->ids)))
		return COSTLY();
	json_array_foreach(c->ids, i, x) {
		if (prefix && strncmp(json_string_value(x), prefix, strlen(prefix)) != 0)
			continue;
		if (k++ == want)
			return json_incref(x);
	}
	return WHY("the task has no id %lld with prefix '%s'", (long long)want, prefix ? prefix : "");
}

static json_t *ev_number(const json_t *e, ev_run *r, char *why, size_t len)
{
	const json_t *a = json_object_get(e, "$number"), *after = json_object_get(a, "after");
	json_int_t off = json_integer_value(json_object_get(a, "offset"));
	size_t n = json_array_size(after);
	if (off < -CRMW__PROG_MAX_OFFSET || off > CRMW__PROG_MAX_OFFSET)
		return WHY("an offset beyond %d", CRMW__PROG_MAX_OFFSET);
	const crmw__prog_ctx *c = r->c;
	if (!pay(r, c->ntok * (n + 1)))
		return COSTLY();
	int64_t found = -1;
	for (size_t i = n; i < c->ntok; i++) {
		/* a time expression's number is the period's (its bounds are
		 * "$period"), never a count: a library induced before this rule
		 * may still read it */
		if (c->tok[i].num < 0 || crmw__prog_tok_in_period(c, i) || !words_at(c, i - n, after))
			continue;
		if (found >= 0 && found != c->tok[i].num)
			return WHY("two numbers follow the words: %lld and %lld", (long long)found, (long long)c->tok[i].num);
		found = c->tok[i].num;
	}
	if (found < 0)
		return WHY("no number of the query follows the words");
	json_t *v = json_integer(found + off);
	return v ? v : NOMEM();
}

bool crmw__prog_says(const crmw__prog_ctx *c, const json_t *words)
{
	size_t n = json_array_size(words);
	for (size_t i = 0; n && i + n <= c->ntok; i++)
		if (words_at(c, i, words))
			return true;
	return false;
}

static json_t *ev_said(const json_t *e, ev_run *r, char *why, size_t len)
{
	const json_t *a = json_object_get(e, "$said"), *w = json_object_get(a, "words");
	const crmw__prog_ctx *c = r->c;
	size_t n = json_array_size(w);
	if (!pay(r, c->ntok * (n + 2)))
		return COSTLY();
	/* a count said in words, not one given in figures ("handling over 2
	 * cases" also says "over"): a number outside a time expression is
	 * another wording's */
	for (size_t i = 0; i < c->ntok; i++)
		if (c->tok[i].num >= 0 && !crmw__prog_tok_in_period(c, i))
			return WHY("the query gives a number (%lld), not the words", (long long)c->tok[i].num);
	if (!crmw__prog_says(c, w))
		return WHY("the query does not say the words");
	json_t *v = json_integer(json_integer_value(json_object_get(a, "value")));
	return v ? v : NOMEM();
}

/* Is the query's token i the word s[p, e), any case? */
static bool tok_is(const crmw__prog_ctx *c, size_t i, const char *s, size_t p, size_t e)
{
	const crmw__prog_tok *t = &c->tok[i];
	if (t->len != e - p)
		return false;
	for (size_t k = 0; k < t->len; k++) {
		char ch = s[p + k];
		if (c->low[t->at + k] != ((ch >= 'A' && ch <= 'Z') ? (char)(ch | 32) : ch))
			return false;
	}
	return true;
}

/* The end of the word of s that starts at p, as tokenize cuts it. */
static size_t word_end(const char *s, size_t p, size_t n)
{
	size_t e = p + 1;
	while (e < n && (alnum((unsigned char)s[e]) || (s[e] == '\'' && e + 1 < n && alnum((unsigned char)s[e + 1]))))
		e++;
	return e;
}

bool crmw__prog_words_span(const crmw__prog_ctx *c, const char *s, size_t *from, size_t *to)
{
	size_t n = strlen(s);
	for (size_t i0 = 0; i0 < c->ntok; i0++) {
		size_t at = i0, p = 0, found = 0;
		bool ok = true;
		while (ok) {
			while (p < n && !alnum((unsigned char)s[p]))
				p++;
			if (p >= n)
				break;
			size_t e = word_end(s, p, n);
			if (found == 0) {
				ok = tok_is(c, i0, s, p, e);
			} else {
				ok = false;
				for (size_t k = at + 1; k < c->ntok && k <= at + 6 && !ok; k++)
					if (tok_is(c, k, s, p, e)) {
						at = k;
						ok = true;
					}
			}
			found += ok;
			p = e;
		}
		if (ok && found) {
			*from = c->tok[i0].at;
			*to = c->tok[at].at + c->tok[at].len;
			return true;
		}
	}
	return false;
}

bool crmw__prog_says_each_word(const crmw__prog_ctx *c, const char *s)
{
	bool any = false;
	for (size_t p = 0, n = strlen(s); p < n;) {
		if (!alnum((unsigned char)s[p])) {
			p++;
			continue;
		}
		size_t e = word_end(s, p, n); /* "men's" is one word */
		bool found = false;
		for (size_t i = 0; i < c->ntok && !found; i++)
			found = tok_is(c, i, s, p, e);
		if (!found)
			return false;
		any = true;
		p = e;
	}
	return any;
}

static json_t *ev_quoted(const json_t *e, ev_run *r, char *why, size_t len)
{
	const char *t = json_string_value(json_object_get(e, "$quoted"));
	const char *said = json_string_value(json_object_get(e, "said"));
	if (!pay(r, r->c->ntok * (strlen(t) + 1) + strlen(r->c->low) + 1))
		return COSTLY();
	if (said && !crmw__prog_in_query(r->c, said))
		return WHY("the query does not say '%.80s', which the query of every training task said", said);
	if (!said && !crmw__prog_says_each_word(r->c, t))
		return WHY("the query does not say each word of '%.80s', which the query of every training task said", t);
	json_t *v = json_string(t);
	return v ? v : NOMEM();
}

static json_t *ev_phrase(const json_t *e, ev_run *r, char *why, size_t len)
{
	const json_t *a = json_object_get(e, "$phrase"), *l = json_object_get(a, "after"), *rt = json_object_get(a, "before");
	const crmw__prog_ctx *c = r->c;
	size_t nl = json_array_size(l), nr = json_array_size(rt);
	json_t *found = NULL;
	if (!pay(r, c->ntok * (nr + 1 + 9 * (nl + 1))))
		return COSTLY();
	for (size_t j = nl + 1; j + nr <= c->ntok; j++) {
		if (!words_at(c, j, rt))
			continue;
		/* the nearest left context before the right one, at most 8 words away */
		for (size_t i = j - 1; i + 8 >= j && i >= nl; i--) {
			if (!words_at(c, i - nl, l))
				continue;
			const crmw__prog_tok *a0 = &c->tok[i], *a1 = &c->tok[j - 1];
			json_t *p = json_stringn(c->query + a0->at, a1->at + a1->len - a0->at);
			if (!p) {
				json_decref(found);
				return WHY("the phrase between the words is not valid text");
			}
			if (!pay(r, json_string_length(p))) {
				json_decref(found);
				json_decref(p);
				return COSTLY();
			}
			if (found && !json_equal(found, p)) {
				json_t *t = WHY("the contexts hold two phrases: '%s' and '%s'", json_string_value(found),
						json_string_value(p));
				json_decref(found);
				json_decref(p);
				return t;
			}
			json_decref(found);
			found = p;
			break;
		}
	}
	return found ? found : WHY("no phrase of the query stands between the words");
}

static json_t *ev_period(const json_t *e, ev_run *r, char *why, size_t len)
{
	const crmw__prog_ctx *c = r->c;
	const char *b = json_string_value(json_object_get(e, "$period"));
	if (!b)
		return WHY("\"$period\" must be \"start\", \"end\" or \"last\"");
	json_int_t i = json_integer_value(json_object_get(e, "index")), of = json_integer_value(json_object_get(e, "of"));
	if ((json_int_t)c->nper != of)
		return WHY("the query has %zu time expression(s), the program %lld", c->nper, (long long)of);
	if (c->nper > CRMW__PROG_MAX_PERIODS || i < 0 || i >= of)
		return WHY("no time expression %lld", (long long)i);
	const crmw__period *p = &c->per[i];
	if (p->flags & CRMW__PERIOD_QUALIFIED)
		return WHY("the time expression '%.*s' is qualified by the word before it", (int)p->len, c->query + p->at);
	int64_t d = strcmp(b, "start") == 0 ? p->start : strcmp(b, "end") == 0 ? p->end : p->last;
	return date_value(d, json_string_value(json_object_get(e, "format")), r, why, len);
}

bool crmw__prog_in_query(const crmw__prog_ctx *c, const char *s)
{
	size_t n = strlen(s), qn = strlen(c->low);
	char w[CRMW__PROG_MAX_MATCH];
	if (n == 0 || n > qn || n > sizeof w)
		return false;
	for (size_t k = 0; k < n; k++)
		w[k] = (s[k] >= 'A' && s[k] <= 'Z') ? (char)(s[k] | 32) : s[k];
	/* linear: every occurrence found by memmem, then its word boundaries */
	const char *end = c->low + qn;
	for (const char *at = c->low; (size_t)(end - at) >= n && (at = memmem(at, (size_t)(end - at), w, n)) != NULL; at++) {
		size_t p = (size_t)(at - c->low);
		if ((p == 0 || !alnum((unsigned char)c->low[p - 1])) && (p + n == qn || !alnum((unsigned char)c->low[p + n])))
			return true;
	}
	return false;
}

static json_t *ev_pick(const json_t *e, ev_run *r, char *why, size_t len)
{
	const json_t *a = json_object_get(e, "$pick");
	const json_t *list = ref_at(r, json_object_get(a, "list"), why, len);
	const char *m = json_string_value(json_object_get(a, "match"));
	const char *f = json_string_value(json_object_get(a, "field"));
	if (!list)
		return NULL;
	if (!json_is_array(list) || !m)
		return WHY("pick: not a list, or no field to match");
	const json_t *hit = NULL;
	size_t i, qn = strlen(r->c->low);
	json_t *x;
	json_array_foreach(list, i, x) {
		const json_t *mv = json_object_get(x, m);
		const char *v = json_string_value(mv);
		if (!pay(r, 1 + (v ? qn : 0)))
			return COSTLY();
		if (!v || !crmw__prog_in_query(r->c, v))
			continue;
		if (hit)
			return WHY("pick: two items' %s occur in the query", m);
		hit = x;
	}
	if (!hit)
		return WHY("pick: no item's %s occurs in the query", m);
	const json_t *v = f ? json_object_get(hit, f) : hit;
	if (!v)
		return WHY("pick: the item has no field %s", f);
	return pay_value(r, v) ? json_incref((json_t *)v) : unpaid(r, why, len);
}

bool crmw__prog_tok_is_name(const crmw__prog_ctx *c, size_t i)
{
	const crmw__prog_tok *t = &c->tok[i];
	if (t->len > 40 || c->query[t->at] < 'A' || c->query[t->at] > 'Z')
		return false;
	size_t k = t->at;
	while (k > 0 && c->query[k - 1] == ' ')
		k--;
	return k > 0 && !strchr(".?!:\n\t", c->query[k - 1]);
}

bool crmw__prog_tok_in_period(const crmw__prog_ctx *c, size_t i)
{
	size_t at = c->tok[i].at;
	for (size_t k = 0; k < c->nper && k < CRMW__PROG_MAX_PERIODS; k++)
		if (at >= c->per[k].at && at < c->per[k].at + c->per[k].len)
			return true;
	return false;
}

/* Is token i a word as crmw__prog_add_words counts them: it starts with a
 * letter, and it is no number, id or word of a time expression? */
bool crmw__prog_tok_is_word(const crmw__prog_ctx *c, size_t i)
{
	const crmw__prog_tok *t = &c->tok[i];
	return t->num < 0 && t->len <= 40 && c->low[t->at] >= 'a' && c->low[t->at] <= 'z' &&
	       !crmw__is_id_token(c->query + t->at, t->len) && !crmw__prog_tok_in_period(c, i);
}

int crmw__prog_add_words(json_t *words, const crmw__prog_ctx *c, const uint8_t *skip)
{
	json_t *seen = json_object();
	int rc = seen ? 0 : CRMW_ENOMEM;
	size_t prev = (size_t)-1; /* the word before, for the pair */
	for (size_t i = 0; i < c->ntok && !rc; i++) {
		const crmw__prog_tok *t = &c->tok[i];
		if ((skip && skip[i]) || !crmw__prog_tok_is_word(c, i)) {
			prev = (size_t)-1;
			continue;
		}
		/* the word, and the pair it makes with the word before ("the least"
		 * is not "at least") */
		char w[2][84];
		snprintf(w[0], sizeof w[0], "%.*s", (int)t->len, c->low + t->at);
		if (prev != (size_t)-1)
			snprintf(w[1], sizeof w[1], "%.*s %.*s", (int)c->tok[prev].len, c->low + c->tok[prev].at, (int)t->len,
				 c->low + t->at);
		for (int k = 0; k < (prev != (size_t)-1 ? 2 : 1) && !rc; k++) {
			if (json_object_get(seen, w[k]))
				continue;
			json_int_t n = json_integer_value(json_object_get(words, w[k]));
			rc = json_object_set_new(seen, w[k], json_true()) || json_object_set_new(words, w[k], json_integer(n + 1))
				     ? CRMW_ENOMEM
				     : 0;
		}
		prev = i;
	}
	json_decref(seen);
	return rc;
}

/* One past the last token of the sentence that starts at token `start`:
 * a sentence ends with "?", "!", a "." before a space or a line's end,
 * or a line's end; the last one with the query. */
size_t crmw__prog_sentence_end(const crmw__prog_ctx *c, size_t start)
{
	for (size_t i = start + 1; i < c->ntok; i++) {
		const crmw__prog_tok *t = &c->tok[i - 1];
		char ch = c->query[t->at], after = c->query[t->at + t->len];
		bool stop = t->len == 1 && (ch == '?' || ch == '!' || (ch == '.' && (after == ' ' || after == '\n')));
		for (size_t k = t->at + t->len; k < c->tok[i].at && !stop; k++)
			stop = c->query[k] == '\n';
		if (stop)
			return i;
	}
	return c->ntok;
}

/* The key of the sentence of tokens [from, to) in the memory
 * policy's "sentences": FNV-1a of its tokens, lowercased, one space apart, in 16
 * hex digits.  False for a sentence with a number, an id or a period in
 * it, or without a word: such a sentence is the question's own, never the
 * wording around it, and the library keeps none of its values. */
bool crmw__prog_sentence_key(const crmw__prog_ctx *c, size_t from, size_t to, char key[17])
{
	uint64_t h = CRMW_FNV_OFFSET;
	bool word = false;
	for (size_t i = from; i < to; i++) {
		const crmw__prog_tok *t = &c->tok[i];
		if (t->num >= 0 || crmw__is_id_token(c->query + t->at, t->len) || crmw__prog_tok_in_period(c, i))
			return false;
		word = word || (c->low[t->at] >= 'a' && c->low[t->at] <= 'z');
		if (i > from)
			h = crmw__fnv1a(h, " ", 1);
		h = crmw__fnv1a(h, c->low + t->at, t->len);
	}
	snprintf(key, 17, "%016llx", (unsigned long long)h);
	return word;
}

int crmw__prog_list_hash(char out[17], const json_t *list)
{
	char *t = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!t)
		return CRMW_ENOMEM;
	snprintf(out, 17, "%016llx", (unsigned long long)crmw__fnv1a(CRMW_FNV_OFFSET, t, strlen(t)));
	free(t);
	return CRMW_OK;
}

/* Is w one of the strings of item v's list in `lists` ({value: [...]})? */
static bool item_has(const json_t *lists, const char *v, const char *w)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(lists, v), i, x) if (strcmp(json_string_value(x), w) == 0) return true;
	return false;
}

/* The item other than `hit` whose tasks said w, NULL when none did, and
 * "" when two or more did ("words": {item: {word: n}}). */
static const char *other_with(const json_t *words, const char *hit, const char *w)
{
	const char *k, *one = NULL;
	json_t *ws;
	json_object_foreach((json_t *)words, k, ws) {
		if (strcmp(k, hit) == 0 || !json_object_get(ws, w))
			continue;
		if (one)
			return "";
		one = k;
	}
	return one;
}

/* The value of the one item of the list whose cues the query's words `qw`
 * say, or NULL (why[]: none, or two). */
static const json_t *cued_item(const json_t *a, const json_t *list, const char *f, const json_t *qw, char *why,
			       size_t len)
{
	const json_t *hit = NULL;
	const char *said = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		const json_t *v = json_object_get(x, f);
		const json_t *cs = json_is_string(v) ? json_object_get(json_object_get(a, "cues"), json_string_value(v)) : NULL;
		if (!cs || (hit && json_equal(hit, v)))
			continue;
		size_t k;
		json_t *c;
		const char *w = NULL;
		json_array_foreach(cs, k, c) if (!w && json_object_get(qw, json_string_value(c))) w = json_string_value(c);
		if (!w)
			continue;
		if (hit) {
			snprintf(why, len, "choose: the query says cues of two items: '%s' of %.40s and '%s' of %.40s", said,
				 json_string_value(hit), w, json_string_value(v));
			return NULL;
		}
		hit = v;
		said = w;
	}
	if (!hit)
		snprintf(why, len, "choose: the query says no cue of an item of %s", json_string_value(json_object_get(a, "list")));
	return hit;
}

bool crmw__prog_tok_unreadable(const crmw__prog_ctx *c, size_t i)
{
	const crmw__prog_tok *t = &c->tok[i];
	unsigned char ch = (unsigned char)c->low[t->at];
	if (ch >= 0x80)
		return true;
	if (ch < '0' || ch > '9' || t->num >= 0 || crmw__is_id_token(c->query + t->at, t->len))
		return false;
	for (size_t k = 0; k < t->len; k++)
		if (c->low[t->at + k] >= 'a' && c->low[t->at + k] <= 'z')
			return true;
	return false;
}

/* How much likelier the query's words make the item `hit` than the next
 * likeliest item, in nats: a Bernoulli naive Bayes over the items' tasks
 * ("tasks": {item: N}, "words": {item: {word: n}}): every single-word cue
 * of any item is present in the query (its single words, names aside,
 * `qw`) or not, with p = (n + 1) / (N + 2) for the item, and the prior is N
 * over the tasks of all items.  Cues only: the wording around requests
 * (every item's words) told the items of unequal size apart by chance, and
 * vetoed right choices.  *nomem when out of memory. */
static double choose_margin(const json_t *a, const char *hit, const json_t *qw, bool *nomem)
{
	const json_t *words = json_object_get(a, "words"), *tasks = json_object_get(a, "tasks");
	double total = 0, best_other = -HUGE_VAL, mine = -HUGE_VAL;
	const char *k, *w;
	json_t *x, *n, *ws;
	json_t *vocab = json_object();
	*nomem = !vocab;
	json_object_foreach(json_object_get(a, "cues"), k, ws) {
		size_t i;
		json_array_foreach(ws, i, n) {
			w = json_string_value(n);
			if (!*nomem && !strchr(w, ' ') && !json_object_get(vocab, w))
				*nomem = json_object_set_new(vocab, w, json_true()) != 0;
		}
	}
	json_object_foreach((json_t *)tasks, k, x) total += (double)json_integer_value(x);
	json_object_foreach(*nomem ? NULL : (json_t *)tasks, k, x) {
		double nk = (double)json_integer_value(x);
		ws = json_object_get(words, k);
		if (nk <= 0 || total <= 0)
			continue;
		double score = log(nk / total);
		json_object_foreach(vocab, w, n) {
			double p = ((double)json_integer_value(json_object_get(ws, w)) + 1) / (nk + 2);
			score += json_object_get(qw, w) ? log(p) : log1p(-p);
		}
		if (strcmp(k, hit) == 0)
			mine = score;
		else if (score > best_other)
			best_other = score;
	}
	json_decref(vocab);
	return mine - best_other;
}

/* Is a token beside token i (before or after it, past a hyphen that joins
 * them, "E-Reader", "Wi-Fi", or a possessive's apostrophe, "Kids' Road") a
 * name too: a capitalised word, not "I", that training said as a name
 * ("names": "Digital" of "Digital Blender gets hot", where it starts a
 * sentence) or that no item's tasks said?  A known word in capitals is
 * none (a fourteenth review's attacks: "Hacked" beside "Was" in "(OUR
 * OMEGA HUB WAS HACKED.)", beside "I" in "It was Hacked I think."). */
static bool name_beside(const crmw__prog_ctx *c, size_t i, const json_t *words, const json_t *names)
{
	for (int d = -1; d <= 1; d += 2) {
		if ((d < 0 && i == 0) || (d > 0 && i + 1 >= c->ntok))
			continue;
		size_t j = d < 0 ? i - 1 : i + 1;
		const crmw__prog_tok *h = &c->tok[j];
		if (h->len == 1 && (c->query[h->at] == '-' || c->query[h->at] == '\'') && (d < 0 ? j > 0 : j + 1 < c->ntok)) {
			size_t f = d < 0 ? j - 1 : j + 1; /* the word past the mark */
			const crmw__prog_tok *lo = &c->tok[d < 0 ? f : i], *hi = &c->tok[d < 0 ? i : f];
			bool glued = lo->at + lo->len == h->at && (c->query[h->at] == '\'' || h->at + 1 == hi->at);
			if (glued)
				j = f;
		}
		const crmw__prog_tok *t = &c->tok[j];
		if (!crmw__prog_tok_is_word(c, j) || c->query[t->at] < 'A' || c->query[t->at] > 'Z')
			continue;
		char w[48];
		snprintf(w, sizeof w, "%.*s", (int)t->len, c->low + t->at);
		if (strcmp(w, "i") != 0 && (json_object_get(names, w) || !other_with(words, "", w)))
			return true;
	}
	return false;
}

/* The margin choose_margin asks: the query's words make the item twenty
 * times likelier than any other. */
#define CHOOSE_MARGIN 3.0

/* Does the query, cued to item `hit`, hold too little for it or a word
 * of another item?  It must say two single-word cues of the item (a word
 * of any request, "for", may be one item's by chance); every word of it
 * that the item's tasks never said must be one of at least two other
 * items' words (the wording of requests), and all its words must make the
 * item far likelier than any other (choose_margin: "an" and "in",
 * security's cues by chance in a small training, beside a data export
 * request's own words); no text of a kind the words never hold (another
 * script); a name no cue of another item, nor one of two names in a row of
 * one other item's words only ("a Data Export"); and no other item's text
 * (its Name) may occur in it.  The tokens `unread` marks (around_unread)
 * are none of these: `qw` lacks them and the loop skips them.  1 when it
 * does (why[]), 0 when not, -1 out of memory. */
static int other_item_said(const json_t *a, const json_t *list, const char *f, const json_t *hit, const json_t *qw,
			   const crmw__prog_ctx *c, const uint8_t *unread, char *why, size_t len)
{
	const json_t *words = json_object_get(a, "words"), *own = json_object_get(words, json_string_value(hit));
	const json_t *cues = json_object_get(a, "cues"), *names = json_object_get(a, "names");
	const char *h = json_string_value(hit);
	size_t i, nsaid = 0;
	json_t *x;
	json_array_foreach(json_object_get(cues, h), i, x) {
		const char *cue = json_string_value(x);
		nsaid += !strchr(cue, ' ') && json_object_get(qw, cue);
	}
	if (nsaid < 2) {
		snprintf(why, len, "choose: the query says %zu single-word cue(s) of %.40s, not two", nsaid, h);
		return 1;
	}
	const char *prev_name = NULL; /* the name before, when a word of one other item only */
	char prev[48] = "";
	for (i = 0; i < c->ntok; i++) {
		const crmw__prog_tok *t = &c->tok[i];
		char w[48];
		snprintf(w, sizeof w, "%.*s", (int)t->len, c->low + t->at);
		const char *name_of = NULL;
		if (unread[i]) { /* the wording around the question */
			prev_name = NULL;
			prev[0] = '\0';
			continue;
		}
		if (crmw__prog_tok_unreadable(c, i)) {
			snprintf(why, len, "choose: the query says '%.40s', text its words cannot hold", w);
			return 1;
		}
		if (crmw__prog_tok_is_word(c, i) && !json_object_get(own, w) && crmw__prog_tok_is_name(c, i)) {
			/* a name: a cue of another item ("Security" in "has a Security
			 * Vulnerability"), not a word its tasks said once ("Slim" when a
			 * subject began "Slim Neo Laptop not charging") */
			const char *k;
			json_object_foreach((json_t *)cues, k, x) if (strcmp(k, h) != 0 && item_has(cues, k, w)) {
				snprintf(why, len, "choose: the query says the name '%s', a cue of %.40s, not of %.40s", w, k, h);
				return 1;
			}
			name_of = other_with(words, h, w);
			if (name_of && *name_of && prev_name && strcmp(name_of, prev_name) == 0) {
				snprintf(why, len, "choose: the query says the names '%s %s', words of %.40s's tasks only, not of %.40s's",
					 prev, w, name_of, h);
				return 1;
			}
			/* a name alone (a product's has two words or three) is read as
			 * a word: one that no two tasks said, as a name or a word, or
			 * that one other item's tasks only said, abstains (a review's
			 * attack: "(Our Omega Hub was Hacked.)" reported a security
			 * incident in a billing case) */
			const char *one = name_of ? name_of : json_string_value(json_object_get(names, w));
			if (names && !name_beside(c, i, words, names) && (!one || (*one && strcmp(one, h) != 0))) {
				if (one)
					snprintf(why, len, "choose: the query says the name '%.*s', alone, of %.40s's tasks only, not of %.40s's",
						 (int)(t->len > 40 ? 40 : t->len), c->query + t->at, one, h);
				else
					snprintf(why, len, "choose: the query says the name '%.*s', alone, that no two tasks said",
						 (int)(t->len > 40 ? 40 : t->len), c->query + t->at);
				return 1;
			}
		} else if (crmw__prog_tok_is_word(c, i) && !json_object_get(own, w)) {
			const char *other = other_with(words, h, w);
			if (!other) {
				snprintf(why, len, "choose: the query's word '%s' was said by no task that made the choice", w);
				return 1;
			}
			if (*other) {
				snprintf(why, len, "choose: the query says '%s', a word of %.40s's tasks only, not of %.40s's", w, other, h);
				return 1;
			}
		}
		prev_name = name_of && *name_of ? name_of : NULL;
		snprintf(prev, sizeof prev, "%s", w);
	}
	bool nomem;
	double m = choose_margin(a, h, qw, &nomem);
	if (nomem)
		return -1;
	if (m < CHOOSE_MARGIN) {
		snprintf(why, len, "choose: the query's words make %.40s only %.1f times likelier than another item", h,
			 m > -50 ? exp(m) : 0.0);
		return 1;
	}
	json_array_foreach(list, i, x) {
		if (json_equal(json_object_get(x, f), hit))
			continue;
		const char *k;
		json_t *v;
		json_object_foreach(x, k, v) {
			const char *s = json_string_value(v);
			if (s && strlen(s) >= 3 && strlen(s) <= CRMW__PROG_MAX_MATCH && crmw__prog_in_query(c, s)) {
				snprintf(why, len, "choose: the query says '%.60s', the %.40s of another item than %.40s", s, k, h);
				return 1;
			}
		}
	}
	return 0;
}

/* Is w a cue of any item ("cues": {item: [w, ...]})? */
static bool cue_of_any(const json_t *cues, const char *w)
{
	const char *k;
	json_t *ws;
	json_object_foreach((json_t *)cues, k, ws) if (item_has(cues, k, w)) return true;
	return false;
}

/* Is the string s in the array `a`? */
bool crmw__prog_array_has(const json_t *a, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) if (strcmp(json_string_value(x), s) == 0) return true;
	return false;
}

/* Does the list hold an item whose field f no training task chose (no
 * count in "tasks")? */
static bool unseen_item(const json_t *a, const json_t *list, const char *f)
{
	const json_t *tasks = json_object_get(a, "tasks");
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		const char *v = json_string_value(json_object_get(x, f));
		if (v && !json_object_get(tasks, v))
			return true;
	}
	return false;
}

/* Would "$choose" learn something from the word w of a sentence around
 * the question: a cue of an item, a word of one item's tasks only (an
 * item of one training task has no cue, and only its words tell it: a
 * second review's attack quoted "We need a full export of our project
 * data."), or, when the list holds an item training never chose, a word
 * of no item's tasks (it may be that item's)? */
static bool around_telling(const json_t *a, const char *w, bool unseen)
{
	if (cue_of_any(json_object_get(a, "cues"), w))
		return true;
	if (strchr(w, ' '))
		return false;
	const char *one = other_with(json_object_get(a, "words"), "", w);
	return one ? *one != '\0' : unseen;
}

/* The tokens of the sentences around the question (c->around) that
 * "$choose" does not read: all of a sentence that the training tasks of
 * two items or more said ("shared": the wording of requests, "Just return
 * the agent's Id."), and of the others all but the words and pairs of
 * words that would tell an item (around_telling).  Induction learns
 * nothing from these sentences; what it learned from the rest of the
 * training counts wherever the query says it but in such wording: a
 * review's attack quoted "Please send a revised invoice." in the questions
 * of three other families, and a delivery case that asked for one went to
 * delivery.  What is left unread is a word of two items or more (harmless
 * anyway) or of none ("status" in "I need this for a status report.",
 * said in training only there).  A mark per token (all 0 without marks),
 * or NULL when out of memory. */
static uint8_t *around_unread(const crmw__prog_ctx *c, const json_t *a, const json_t *list, const char *f)
{
	uint8_t *out = calloc(c->ntok ? c->ntok : 1, 1);
	uint8_t *wording = out && c->around ? calloc(c->ntok, 1) : NULL; /* a shared sentence's */
	if (out && c->around && !wording) {
		free(out);
		return NULL;
	}
	const json_t *shared = json_object_get(a, "shared");
	bool unseen = c->around && unseen_item(a, list, f);
	for (size_t s = 0, e; out && c->around && s < c->ntok; s = e) {
		char key[17];
		e = crmw__prog_sentence_end(c, s);
		memcpy(out + s, c->around + s, e - s);
		if (c->around[s] && crmw__prog_sentence_key(c, s, e, key) && crmw__prog_array_has(shared, key))
			memset(wording + s, 1, e - s);
	}
	for (size_t i = 0; out && c->around && i < c->ntok; i++) {
		if (c->around[i] && crmw__prog_tok_unreadable(c, i))
			out[i] = 0; /* text no word of training holds (a third review's attack: "データ"), shared or not */
		if (!c->around[i] || wording[i] || !crmw__prog_tok_is_word(c, i))
			continue;
		char w[96];
		const crmw__prog_tok *t = &c->tok[i];
		snprintf(w, sizeof w, "%.*s", (int)(t->len > 40 ? 40 : t->len), c->low + t->at);
		if (around_telling(a, w, unseen))
			out[i] = 0;
		if (i > 0 && c->around[i - 1] && !wording[i - 1] && crmw__prog_tok_is_word(c, i - 1)) {
			const crmw__prog_tok *p = &c->tok[i - 1];
			snprintf(w, sizeof w, "%.*s %.*s", (int)(p->len > 40 ? 40 : p->len), c->low + p->at,
				 (int)(t->len > 40 ? 40 : t->len), c->low + t->at);
			if (around_telling(a, w, unseen))
				out[i - 1] = out[i] = 0;
		}
	}
	free(wording);
	return out;
}

/* Does the query hold a sentence around the question that two training
 * tasks or more of another item said, and no task of any other item
 * ("owned": {key: item})?  A customer's own line ("I want a full export
 * of our project data.") quoted in other families' questions too is
 * still that item's (a third review's attack: read as wording, the export
 * request went to billing with the rest of the case).  1 (why[]) or 0. */
static int other_items_line(const json_t *a, const char *hit, const crmw__prog_ctx *c, char *why, size_t len)
{
	const json_t *owned = json_object_get(a, "owned");
	for (size_t s = 0, e; owned && c->around && s < c->ntok; s = e) {
		char key[17];
		e = crmw__prog_sentence_end(c, s);
		const char *by = NULL;
		if (c->around[s] && crmw__prog_sentence_key(c, s, e, key))
			by = json_string_value(json_object_get(owned, key));
		if (by && strcmp(by, hit) != 0) {
			const crmw__prog_tok *t0 = &c->tok[s], *t1 = &c->tok[e - 1];
			snprintf(why, len, "choose: the query says '%.*s', a line of %.40s's tasks only, not of %.40s's",
				 (int)(t1->at + t1->len - t0->at > 80 ? 80 : t1->at + t1->len - t0->at), c->query + t0->at, by, hit);
			return 1;
		}
	}
	return 0;
}

/* Does the query hold a sentence around the question that tasks of two
 * items or more said ("shared", so not read), with a cue of an item other
 * than `hit` that a task of that item said in it ("shared_cues": {key:
 * [cue, ...]})?  Induction learned nothing from such a sentence; its cues
 * were learned from the item's other tasks and are that item's (review
 * 12: a billing case that reported "Our security team found an exposed
 * service." too, a line one security and one delivery task said, went to
 * billing).  1 (why[]), 0, or -1 out of memory. */
static int shared_line_cue(const json_t *a, const char *hit, const crmw__prog_ctx *c, char *why, size_t len)
{
	const json_t *sc = json_object_get(a, "shared_cues"), *cues = json_object_get(a, "cues");
	if (!json_object_size(sc) || !c->around)
		return 0;
	uint8_t *skip = malloc(c->ntok ? c->ntok : 1);
	int out = skip ? 0 : -1;
	for (size_t s = 0, e; !out && s < c->ntok; s = e) {
		char key[17];
		e = crmw__prog_sentence_end(c, s);
		const json_t *said = NULL;
		if (c->around[s] && crmw__prog_sentence_key(c, s, e, key))
			said = json_object_get(sc, key);
		if (!said)
			continue;
		for (size_t i = 0; i < c->ntok; i++)
			skip[i] = i < s || i >= e; /* names too: "Please copy our Security Team." (review 13) */
		json_t *ws = json_object();
		out = ws && !crmw__prog_add_words(ws, c, skip) ? 0 : -1;
		const char *w, *k;
		json_t *x, *y;
		json_object_foreach(out ? NULL : ws, w, x) {
			if (out || !crmw__prog_array_has(said, w) || item_has(cues, hit, w))
				continue;
			json_object_foreach((json_t *)cues, k, y) if (!out && item_has(cues, k, w)) {
				const crmw__prog_tok *t0 = &c->tok[s], *t1 = &c->tok[e - 1];
				snprintf(why, len, "choose: the query says '%s' in '%.*s', a cue of %.40s, whose tasks said that line, not of %.40s",
					 w, (int)(t1->at + t1->len - t0->at > 80 ? 80 : t1->at + t1->len - t0->at), c->query + t0->at, k,
					 hit);
				out = 1;
			}
		}
		json_decref(ws);
	}
	free(skip);
	return out;
}

static json_t *ev_choose(const json_t *e, ev_run *r, char *why, size_t len)
{
	const json_t *a = json_object_get(e, "$choose");
	const json_t *list = ref_at(r, json_object_get(a, "list"), why, len);
	const char *f = json_string_value(json_object_get(a, "field"));
	if (!list)
		return NULL;
	if (!json_is_array(list) || !f || !json_is_object(json_object_get(a, "cues")))
		return WHY("choose: not a list, or no field or cues");
	const crmw__prog_ctx *c = r->c;
	size_t nw = 0, qn = strlen(c->low);
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(a, "cues"), k, x) nw += json_array_size(x);
	size_t ni = json_object_size(json_object_get(a, "words"));
	/* each query word looked up in every item's words and cues, each
	 * item's text looked for in the query, and each sentence in "shared" */
	if (!pay(r, 16 * c->ntok * (2 * ni + 1) + 8 * c->ntok * nw + json_array_size(list) * (8 + qn) +
			c->ntok * json_array_size(json_object_get(a, "shared")) +
			16 * c->ntok * (json_object_size(json_object_get(a, "shared_cues")) > 0)) ||
	    !pay_value(r, list))
		return COSTLY();
	char hash[17];
	if (crmw__prog_list_hash(hash, list))
		return NOMEM();
	const char *want = json_string_value(json_object_get(a, "catalogue"));
	if (!want || strcmp(want, hash) != 0)
		return WHY("choose: %s is not the list of training (the catalogue changed)", json_string_value(json_object_get(a, "list")));
	/* the query's words, names and the sentences around the question aside
	 * (cues and words were learned so) */
	uint8_t *unread = around_unread(c, a, list, f);
	uint8_t *skip = unread ? calloc(c->ntok ? c->ntok : 1, 1) : NULL;
	json_t *qw = skip ? json_object() : NULL;
	for (size_t i = 0; skip && i < c->ntok; i++)
		skip[i] = crmw__prog_tok_is_name(c, i) || unread[i];
	int rc = qw ? crmw__prog_add_words(qw, c, skip) : CRMW_ENOMEM;
	free(skip);
	if (rc) {
		free(unread);
		json_decref(qw);
		return NOMEM();
	}
	const json_t *hit = cued_item(a, list, f, qw, why, len);
	int out = hit ? other_item_said(a, list, f, hit, qw, c, unread, why, len) : 1;
	out = out ? out : other_items_line(a, json_string_value(hit), c, why, len);
	out = out ? out : shared_line_cue(a, json_string_value(hit), c, why, len);
	free(unread);
	json_decref(qw);
	if (out < 0)
		return NOMEM();
	if (out)
		return NULL;
	return pay_value(r, hit) ? json_incref((json_t *)hit) : unpaid(r, why, len);
}

static json_t *ev_arg(const json_t *e, const char *op, ev_run *r, char *why, size_t len)
{
	const json_t *m = ref_at(r, json_object_get(e, op), why, len);
	if (!m)
		return NULL;
	bool max = strcmp(op, "$argmax") == 0;
	if (!json_is_object(m))
		return WHY("%s: not a map", op);
	if (!pay(r, json_object_size(m)))
		return COSTLY();
	const char *best = NULL, *k;
	double bv = 0;
	bool tie = false;
	json_t *v;
	json_object_foreach((json_t *)m, k, v) {
		if (!json_is_number(v))
			return WHY("%s: the value of '%s' is not a number", op, k);
		double x = json_number_value(v);
		if (!best || (max ? x > bv : x < bv)) {
			best = k;
			bv = x;
			tie = false;
		} else if (x == bv) {
			tie = true;
		}
	}
	if (tie)
		return WHY("%s: a tie", op);
	json_t *out = best ? json_string(best) : json_null();
	return out ? out : NOMEM();
}

static json_t *ev_distinct(const json_t *e, ev_run *r, char *why, size_t len)
{
	const json_t *a = json_object_get(e, "$distinct");
	const json_t *list = ref_at(r, json_object_get(a, "list"), why, len);
	const char *f = json_string_value(json_object_get(a, "field"));
	if (!list)
		return NULL;
	if (!json_is_array(list) || !f)
		return WHY("distinct: not a list, or no field");
	if (!pay(r, json_array_size(list)))
		return COSTLY();
	const json_t *one = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		const json_t *v = json_object_get(x, f);
		if (!v)
			return WHY("distinct: item %zu has no field %s", i, f);
		if (one && !json_equal(one, v))
			return WHY("distinct: %s has more than one value", f);
		one = v;
	}
	if (one && !pay_value(r, one))
		return unpaid(r, why, len);
	return one ? json_incref((json_t *)one) : json_null();
}

/* Do two values agree: as JSON, or, for an answer (text), as the text
 * they are answered with. */
static bool agree(ev_run *r, const json_t *a, const json_t *b, bool text)
{
	if (json_equal(a, b))
		return true;
	if (!text)
		return false;
	char *x = json_is_string(a) ? NULL : crmw__answer_text(a), *y = json_is_string(b) ? NULL : crmw__answer_text(b);
	const char *sx = x ? x : json_string_value(a), *sy = y ? y : json_string_value(b);
	if (!sx || !sy)
		r->nomem = true; /* crmw__answer_text fails only out of memory */
	bool eq = sx && sy && strcmp(sx, sy) == 0;
	free(x);
	free(y);
	return eq;
}

static json_t *ev_any(const json_t *e, ev_run *r, int depth, bool text, int *cls, char *why, size_t len)
{
	const json_t *alts = json_object_get(e, "$any");
	json_t *first = NULL;
	size_t i;
	json_t *x;
	int worst = 0;
	crmw_buf reasons = CRMW_BUF_INIT;
	bool bad = false;
	json_array_foreach(alts, i, x) {
		char w[300] = "";
		int k = 0;
		json_t *v = ev(x, r, depth + 1, text, &k, w, sizeof w);
		if (!v) {
			bad = true;
			worst = k > worst ? k : worst;
			crmw__buf_printf(&reasons, "%s[%zu] %s", reasons.len ? "; " : "", i, w);
		} else if (first && !agree(r, first, v, text)) {
			bad = true;
			worst = worst ? worst : CRMW__PROG_DISAGREE;
			char *a = json_dumps(first, JSON_COMPACT | JSON_ENCODE_ANY), *b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			crmw__buf_printf(&reasons, "%s[%zu] gives %.60s, [0] %.60s", reasons.len ? "; " : "", i, b ? b : "?",
					 a ? a : "?");
			free(a);
			free(b);
		}
		if (v && !first)
			first = v;
		else
			json_decref(v);
	}
	if (!first && !bad)
		bad = true;
	if (bad) {
		json_decref(first);
		*cls = worst ? worst : CRMW__PROG_RESULT;
		snprintf(why, len, "explanations disagree: %s", reasons.data ? reasons.data : "none");
		crmw_buf_dispose(&reasons);
		return NULL;
	}
	crmw_buf_dispose(&reasons);
	return first;
}

/* "$some": the readings the task fits compute the value and agree, and at
 * least one fits.  A reading the task does not fit fails for want of
 * something of the task (CRMW__PROG_TASK), as a program the task does not
 * fit drops out beside the others (crmw__induced_next): that is what the
 * readings were before they were one program.  Any other failure fails
 * "$some". */
static json_t *ev_some(const json_t *e, ev_run *r, int depth, bool text, int *cls, char *why, size_t len)
{
	const json_t *alts = json_object_get(e, "$some");
	json_t *first = NULL;
	size_t i, from = 0;
	json_t *x;
	crmw_buf reasons = CRMW_BUF_INIT;
	json_array_foreach(alts, i, x) {
		char w[300] = "";
		int k = 0;
		json_t *v = ev(x, r, depth + 1, text, &k, w, sizeof w);
		if (!v && k == CRMW__PROG_TASK) {
			crmw__buf_printf(&reasons, "%s[%zu] %s", reasons.len ? "; " : "", i, w);
			continue;
		}
		if (!v) {
			json_decref(first);
			crmw_buf_dispose(&reasons);
			*cls = k ? k : CRMW__PROG_RESULT;
			return WHY("reading [%zu]: %s", i, w);
		}
		if (first && !agree(r, first, v, text)) {
			char *a = json_dumps(first, JSON_COMPACT | JSON_ENCODE_ANY), *b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(why, len, "readings disagree: [%zu] gives %.60s, [%zu] %.60s", i, b ? b : "?", from, a ? a : "?");
			free(a);
			free(b);
			json_decref(first);
			json_decref(v);
			crmw_buf_dispose(&reasons);
			*cls = CRMW__PROG_DISAGREE;
			return NULL;
		}
		if (first) {
			json_decref(v);
		} else {
			first = v;
			from = i;
		}
	}
	if (!first) {
		*cls = CRMW__PROG_TASK;
		snprintf(why, len, "no reading fits the task: %s", reasons.data ? reasons.data : "none");
	}
	crmw_buf_dispose(&reasons);
	return first;
}

/* Record the expression that computes the value at the current path. */
static void trace_leaf(ev_run *r, const json_t *e)
{
	if (!r->trace || r->inside || r->plen == (size_t)-1)
		return;
	if (json_object_set(r->trace, r->path, (json_t *)e))
		r->nomem = true;
}

/* Go down to member `key` (or item `i` when key is NULL); returns the
 * length to come back to. */
static size_t trace_down(ev_run *r, const char *key, size_t i)
{
	size_t was = r->plen;
	if (!r->trace || r->inside || was == (size_t)-1)
		return was;
	int n = key ? snprintf(r->path + was, sizeof r->path - was, "%s%s", was ? "/" : "", key)
		    : snprintf(r->path + was, sizeof r->path - was, "%s%zu", was ? "/" : "", i);
	r->plen = n > 0 && (size_t)n < sizeof r->path - was ? was + (size_t)n : (size_t)-1;
	return was;
}

static void trace_up(ev_run *r, size_t was)
{
	r->plen = was;
	if (was != (size_t)-1)
		r->path[was] = '\0';
}

static json_t *ev_op(const json_t *e, const char *k, const json_t *x, ev_run *r, int depth, bool text, int *cls,
		     char *why, size_t len);

static json_t *ev(const json_t *e, ev_run *r, int depth, bool text, int *cls, char *why, size_t len)
{
	if (depth > CRMW__PROG_MAX_DEPTH)
		return WHY("a value nested deeper than %d levels", CRMW__PROG_MAX_DEPTH);
	if (!pay(r, CRMW__PROG_NODE_COST + json_string_length(e)))
		return COSTLY();
	if (json_is_array(e)) {
		json_t *out = json_array();
		size_t i;
		json_t *x;
		if (json_array_size(e) == 0)
			trace_leaf(r, e);
		json_array_foreach(e, i, x) {
			size_t was = trace_down(r, NULL, i);
			json_t *v = out ? ev(x, r, depth + 1, text, cls, why, len) : NOMEM();
			trace_up(r, was);
			if (!v || json_array_append_new(out, v)) {
				json_decref(out);
				return v ? NOMEM() : NULL;
			}
		}
		return out;
	}
	if (!json_is_object(e) || json_object_size(e) == 0) {
		trace_leaf(r, e);
		json_t *v = json_is_object(e) ? json_object() : json_incref((json_t *)e);
		return v ? v : NOMEM();
	}
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)e, k, x) {
		if (k[0] != '$')
			continue;
		trace_leaf(r, e);
		r->inside++;
		json_t *v = ev_op(e, k, x, r, depth, text, cls, why, len);
		r->inside--;
		return v;
	}
	json_t *out = json_object();
	json_object_foreach((json_t *)e, k, x) {
		size_t was = trace_down(r, k, 0);
		json_t *v = out ? ev(x, r, depth + 1, text, cls, why, len) : NOMEM();
		trace_up(r, was);
		if (!v || json_object_set_new(out, k, v)) {
			json_decref(out);
			return v ? NOMEM() : NULL;
		}
	}
	return out;
}

/* An expression: the operator `k` (a "$" key of e) with its operand x. */
static json_t *ev_op(const json_t *e, const char *k, const json_t *x, ev_run *r, int depth, bool text, int *cls,
		     char *why, size_t len)
{
	*cls = CRMW__PROG_TASK;
	if (strcmp(k, "$lit") == 0)
		return pay_value(r, x) ? json_incref((json_t *)x) : unpaid(r, why, len);
	if (strcmp(k, "$ref") == 0)
		return ev_ref(e, r, cls, why, len);
	if (strcmp(k, "$task") == 0)
		return ev_task(e, r, why, len);
	if (strcmp(k, "$number") == 0)
		return ev_number(e, r, why, len);
	if (strcmp(k, "$phrase") == 0)
		return ev_phrase(e, r, why, len);
	if (strcmp(k, "$said") == 0)
		return ev_said(e, r, why, len);
	if (strcmp(k, "$quoted") == 0)
		return ev_quoted(e, r, why, len);
	if (strcmp(k, "$period") == 0)
		return ev_period(e, r, why, len);
	if (strcmp(k, "$any") == 0)
		return ev_any(e, r, depth, text, cls, why, len);
	if (strcmp(k, "$some") == 0)
		return ev_some(e, r, depth, text, cls, why, len);
	*cls = CRMW__PROG_RESULT;
	if (strcmp(k, "$pick") == 0)
		return ev_pick(e, r, why, len);
	if (strcmp(k, "$choose") == 0)
		return ev_choose(e, r, why, len);
	if (strcmp(k, "$argmax") == 0 || strcmp(k, "$argmin") == 0)
		return ev_arg(e, k, r, why, len);
	if (strcmp(k, "$distinct") == 0)
		return ev_distinct(e, r, why, len);
	if (strcmp(k, "$count") == 0) {
		const json_t *v = ref_at(r, x, why, len);
		if (!v)
			return NULL;
		if (!json_is_array(v) && !json_is_object(v))
			return WHY("count: not a list or a map");
		json_t *n = json_integer((json_int_t)(json_is_array(v) ? json_array_size(v) : json_object_size(v)));
		return n ? n : NOMEM();
	}
	*cls = CRMW__PROG_RESULT;
	return WHY("unknown operator \"%s\"", k);
}

/* An evaluation; with `trace`, the expression of every leaf is recorded
 * there under its path below `root`. */
static json_t *eval_traced(const json_t *expr, const crmw__prog_ctx *c, bool text, int *cls, char *why, size_t len,
			   json_t *trace, const char *root)
{
	int k = 0;
	ev_run run = {.c = c, .trace = trace}, *r = &run;
	snprintf(r->path, sizeof r->path, "%s", root ? root : "");
	r->plen = strlen(r->path);
	why[0] = '\0';
	json_t *v = ev(expr, r, 0, text, &k, why, len);
	if (v && r->nomem) { /* an alternative failed for want of memory */
		json_decref(v);
		v = NULL;
	}
	if (!v && r->nomem) {
		k = CRMW__PROG_NOMEM;
		snprintf(why, len, "out of memory");
	} else if (!v && r->costly) {
		k = CRMW__PROG_RESULT;
		snprintf(why, len, "the program is too costly (more than %d units of work for a value)", CRMW__PROG_MAX_COST);
	}
	if (cls)
		*cls = v ? 0 : k ? k : CRMW__PROG_RESULT;
	return v;
}

json_t *crmw__program_eval_as(const json_t *expr, const crmw__prog_ctx *c, bool text, int *cls, char *why, size_t len)
{
	return eval_traced(expr, c, text, cls, why, len, NULL, NULL);
}

json_t *crmw__program_eval(const json_t *expr, const crmw__prog_ctx *c, int *cls, char *why, size_t len)
{
	return crmw__program_eval_as(expr, c, false, cls, why, len);
}

/* ------------------------------------------------------------- checking */

typedef struct check {
	size_t nodes;
	char *why;
	size_t len;
} check;

#define bad(k, ...) (snprintf((k)->why, (k)->len, __VA_ARGS__), false)

static bool is_words(const json_t *w)
{
	if (!json_is_array(w) || json_array_size(w) > 8)
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(w, i, x) if (!json_is_string(x) || json_string_length(x) == 0 ||
					 json_string_length(x) > 64) return false;
	return true;
}

/* A key of crmw__prog_sentence_key: 16 lowercase hex digits. */
static bool is_sentence_key(const char *h)
{
	return h && strlen(h) == 16 && strspn(h, "0123456789abcdef") == 16;
}

/* A cue or word of "$choose": a word or two, one space apart, no capital. */
static bool is_cue_text(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 129 || *s == ' ' || s[n - 1] == ' ')
		return false;
	int spaces = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return false;
		spaces += *p == ' ';
	}
	return spaces <= 1;
}

static bool is_cue(const json_t *w)
{
	return is_cue_text(json_string_value(w));
}

/* A pointer into the results of steps before `step`. */
static bool is_ref(const json_t *p, long step)
{
	const char *s = json_string_value(p);
	if (!s || s[0] != '/' || s[1] < '0' || s[1] > '9' || strlen(s) > 512)
		return false;
	char *end;
	long n = strtol(s + 1, &end, 10);
	return (*end == '\0' || *end == '/') && n < step;
}

static bool only_keys(check *k, const json_t *o, const char *op, const char *const *keys)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (!keys[i])
			return bad(k, "%s: unknown key \"%s\"", op, key);
	}
	return true;
}

/* A literal (of "$lit", or a "default") held at `depth`: counted toward
 * the bounds on values and nesting like any other, without recursion. */
static bool check_literal(check *k, const json_t *v, int depth)
{
	if (depth > CRMW__PROG_MAX_DEPTH)
		return bad(k, "a value nested deeper than %s levels%s", "16", "");
	int m = crmw__json_measure(v, (size_t)(CRMW__PROG_MAX_DEPTH - depth), &k->nodes, CRMW__PROG_MAX_NODES, NULL, 0);
	if (m < 0)
		return bad(k, "out of memory checking a value%s%s", "", "");
	if (m > 0 && k->nodes > CRMW__PROG_MAX_NODES)
		return bad(k, "more than %s values%s", "20000", "");
	if (m > 0)
		return bad(k, "a value nested deeper than %s levels%s", "16", "");
	return true;
}

static bool check_value(check *k, const json_t *e, long step, int depth)
{
	if (++k->nodes > CRMW__PROG_MAX_NODES)
		return bad(k, "more than %s values%s", "20000", "");
	if (depth > CRMW__PROG_MAX_DEPTH)
		return bad(k, "a value nested deeper than %s levels%s", "16", "");
	size_t i;
	json_t *x;
	if (json_is_array(e)) {
		json_array_foreach(e, i, x) if (!check_value(k, x, step, depth + 1)) return false;
		return true;
	}
	if (!json_is_object(e))
		return true;
	const char *key;
	json_object_foreach((json_t *)e, key, x) {
		if (key[0] != '$')
			continue;
		const json_t *a = x;
		if (strcmp(key, "$lit") == 0)
			return check_literal(k, a, depth + 1) && only_keys(k, e, key, (const char *const[]){"$lit", NULL});
		if (strcmp(key, "$ref") == 0) {
			if (!is_ref(a, step))
				return bad(k, "\"$ref\" must point into an earlier step's result (\"/N/...\")%s%s", "", "");
			const json_t *as = json_object_get(e, "as"), *pl = json_object_get(e, "pluck");
			if (as && !(json_is_string(as) && strcmp(json_string_value(as), "text") == 0))
				return bad(k, "\"as\" must be \"text\"%s%s", "", "");
			if (pl && !json_is_string(pl))
				return bad(k, "\"pluck\" must be a field name%s%s", "", "");
			if (json_object_get(e, "default") && !check_literal(k, json_object_get(e, "default"), depth + 1))
				return false;
			return only_keys(k, e, key, (const char *const[]){"$ref", "as", "default", "pluck", NULL});
		}
		if (strcmp(key, "$task") == 0) {
			const char *w = json_string_value(a);
			const json_t *f = json_object_get(e, "format");
			if (f && (!json_is_string(f) || (strcmp(json_string_value(f), "date") && strcmp(json_string_value(f), "datetime"))))
				return bad(k, "\"format\" must be \"date\" or \"datetime\"%s%s", "", "");
			if (w && strcmp(w, "today") == 0)
				return only_keys(k, e, key, (const char *const[]){"$task", "format", NULL});
			if (w && strcmp(w, "id") == 0) {
				const json_t *p = json_object_get(e, "prefix"), *n = json_object_get(e, "index");
				if (!json_is_string(p) || json_string_length(p) > 18 || !json_is_integer(n) ||
				    json_integer_value(n) < 0 || json_integer_value(n) > 1000)
					return bad(k, "\"$task\": \"id\" needs a \"prefix\" and an \"index\" (0 to 1000)%s%s", "", "");
				return only_keys(k, e, key, (const char *const[]){"$task", "prefix", "index", NULL});
			}
			if (w && strcmp(w, "field") == 0) {
				const json_t *n = json_object_get(e, "name");
				if (!json_is_string(n) || json_string_length(n) == 0 || json_string_length(n) > CRMW__PROG_MAX_LABEL ||
				    strchr(json_string_value(n), ':') || strchr(json_string_value(n), '\n'))
					return bad(k, "\"$task\": \"field\" needs a \"name\" (1 to %d bytes, no ':' or line break)%s",
						   CRMW__PROG_MAX_LABEL, "");
				return only_keys(k, e, key, (const char *const[]){"$task", "name", NULL});
			}
			return bad(k, "\"$task\" must be \"today\", \"id\" or \"field\"%s%s", "", "");
		}
		if (strcmp(key, "$quoted") == 0) {
			const char *t = json_string_value(a), *said = json_string_value(json_object_get(e, "said"));
			if (!t || !*t || strlen(t) > CRMW__PROG_MAX_MATCH ||
			    (json_object_get(e, "said") && (!said || !*said || strlen(said) > CRMW__PROG_MAX_MATCH)))
				return bad(k, "%s needs a text of 1 to %d bytes, and \"said\" one too if any", key, CRMW__PROG_MAX_MATCH);
			return only_keys(k, e, key, (const char *const[]){key, "said", NULL});
		}
		if (strcmp(key, "$said") == 0) {
			const json_t *w = json_object_get(a, "words");
			if (!json_is_object(a) || !is_words(w) || json_array_size(w) == 0 ||
			    !json_is_integer(json_object_get(a, "value")) ||
			    !only_keys(k, a, key, (const char *const[]){"words", "value", NULL}))
				return bad(k, "%s needs {\"words\": [1 to 8 words], \"value\": integer}%s", key, "");
			return only_keys(k, e, key, (const char *const[]){key, NULL});
		}
		if (strcmp(key, "$number") == 0 || strcmp(key, "$phrase") == 0) {
			bool num = key[1] == 'n';
			const json_t *off = json_object_get(a, "offset");
			if (!json_is_object(a) || !is_words(json_object_get(a, "after")) ||
			    (num ? !json_is_integer(off) || json_integer_value(off) < -CRMW__PROG_MAX_OFFSET ||
					json_integer_value(off) > CRMW__PROG_MAX_OFFSET
				 : !is_words(json_object_get(a, "before"))) ||
			    !only_keys(k, a, key, num ? (const char *const[]){"after", "offset", NULL}
						      : (const char *const[]){"after", "before", NULL}))
				return bad(k, num ? "%s needs {\"after\": [up to 8 words], \"offset\": integer}%s"
						  : "%s needs {\"after\": [up to 8 words], \"before\": [up to 8 words]}%s",
					   key, "");
			return only_keys(k, e, key, (const char *const[]){key, NULL});
		}
		if (strcmp(key, "$period") == 0) {
			const char *b = json_string_value(a);
			const json_t *f = json_object_get(e, "format"), *ix = json_object_get(e, "index"), *of = json_object_get(e, "of");
			if (!b || (strcmp(b, "start") && strcmp(b, "end") && strcmp(b, "last")) || !json_is_integer(ix) ||
			    !json_is_integer(of) || json_integer_value(ix) < 0 || json_integer_value(ix) >= json_integer_value(of) ||
			    json_integer_value(of) > CRMW__PROG_MAX_PERIODS ||
			    (f && (!json_is_string(f) || (strcmp(json_string_value(f), "date") && strcmp(json_string_value(f), "datetime")))))
				return bad(k, "\"$period\" needs \"start\", \"end\" or \"last\", an \"index\" below \"of\" (at most 8)%s%s", "", "");
			return only_keys(k, e, key, (const char *const[]){"$period", "format", "index", "of", NULL});
		}
		if (strcmp(key, "$pick") == 0 || strcmp(key, "$distinct") == 0) {
			bool pick = key[1] == 'p';
			const char *f2 = pick ? "match" : "field";
			const json_t *g = json_object_get(a, "field");
			if (!json_is_object(a) || !is_ref(json_object_get(a, "list"), step) ||
			    !json_is_string(json_object_get(a, f2)) || (pick && g && !json_is_string(g)) ||
			    !only_keys(k, a, key, pick ? (const char *const[]){"list", "match", "field", NULL}
						       : (const char *const[]){"list", "field", NULL}))
				return bad(k, "%s needs {\"list\": \"/N/...\" of an earlier step, \"%s\": field}", key, f2);
			return only_keys(k, e, key, (const char *const[]){key, NULL});
		}
		if (strcmp(key, "$choose") == 0) {
			const json_t *cues = json_object_get(a, "cues"), *words = json_object_get(a, "words"),
				     *tasks = json_object_get(a, "tasks");
			const char *cat = json_string_value(json_object_get(a, "catalogue"));
			bool ok = json_is_object(a) && is_ref(json_object_get(a, "list"), step) &&
				  json_is_string(json_object_get(a, "field")) && json_is_object(cues) && json_is_object(words) &&
				  json_is_object(tasks) && json_object_size(cues) <= CRMW__PROG_MAX_CHOICES &&
				  json_object_size(words) <= CRMW__PROG_MAX_CHOICES && json_object_size(tasks) <= CRMW__PROG_MAX_CHOICES &&
				  cat && strlen(cat) == 16 && strspn(cat, "0123456789abcdef") == 16;
			const char *v, *w;
			json_t *cs, *n;
			json_object_foreach((json_t *)cues, v, cs) {
				ok = ok && json_is_array(cs) && json_array_size(cs) <= CRMW__PROG_MAX_CUES;
				json_array_foreach(cs, i, x) ok = ok && is_cue(x);
			}
			json_object_foreach((json_t *)words, v, cs) {
				ok = ok && json_is_object(cs) && json_object_size(cs) <= CRMW__PROG_MAX_ITEM_WORDS;
				json_object_foreach(cs, w, n) ok = ok && is_cue_text(w) && !strchr(w, ' ') && json_is_integer(n) &&
								 json_integer_value(n) > 0 && json_integer_value(n) <= 1000000;
			}
			json_object_foreach((json_t *)tasks, v, n) ok = ok && json_is_integer(n) && json_integer_value(n) > 0 &&
								  json_integer_value(n) <= 1000000;
			const json_t *shared = json_object_get(a, "shared"), *owned = json_object_get(a, "owned");
			ok = ok && (!shared || (json_is_array(shared) && json_array_size(shared) <= CRMW__PROG_MAX_SHARED)) &&
			     (!owned || (json_is_object(owned) && json_object_size(owned) <= CRMW__PROG_MAX_SHARED));
			json_array_foreach(shared, i, x) ok = ok && is_sentence_key(json_string_value(x));
			json_object_foreach((json_t *)owned, w, n) ok = ok && is_sentence_key(w) && json_is_string(n);
			const json_t *names = json_object_get(a, "names");
			ok = ok && (!names || (json_is_object(names) && json_object_size(names) <= CRMW__PROG_MAX_ITEM_WORDS));
			json_object_foreach((json_t *)names, w, n) ok = ok && is_cue_text(w) && !strchr(w, ' ') && json_is_string(n);
			const json_t *shared_cues = json_object_get(a, "shared_cues");
			ok = ok && (!shared_cues || (json_is_object(shared_cues) && json_object_size(shared_cues) <= CRMW__PROG_MAX_SHARED));
			json_object_foreach((json_t *)shared_cues, w, cs) {
				ok = ok && is_sentence_key(w) && json_is_array(cs) && json_array_size(cs) > 0 &&
				     json_array_size(cs) <= CRMW__PROG_MAX_CUES;
				json_array_foreach(cs, i, x) ok = ok && is_cue(x);
			}
			if (!ok || !only_keys(k, a, key,
					      (const char *const[]){"list", "field", "catalogue", "cues", "words", "tasks", "shared", "owned",
								    "shared_cues", "names", NULL}))
				return bad(k,
					   "\"$choose\" needs {\"list\": \"/N/...\" of an earlier step, \"field\": field, \"catalogue\": 16 "
					   "hex digits, \"cues\": {value: [up to %d words or pairs]}, \"words\": {value: {word: count}} (up to "
					   "%s words), \"tasks\": {value: count}} for up to 64 items, and \"shared\": [sentence key, ...], "
					   "\"owned\": {sentence key: value}, \"shared_cues\": {sentence key: [1 to %d cues]}, \"names\": "
					   "{name: value or \"\"} (up to 4096 each) if any",
					   CRMW__PROG_MAX_CUES, "4096", CRMW__PROG_MAX_CUES);
			return only_keys(k, e, key, (const char *const[]){key, NULL});
		}
		if (strcmp(key, "$argmax") == 0 || strcmp(key, "$argmin") == 0 || strcmp(key, "$count") == 0) {
			if (!is_ref(a, step))
				return bad(k, "%s must point into an earlier step's result%s", key, "");
			return only_keys(k, e, key, (const char *const[]){key, NULL});
		}
		if (strcmp(key, "$any") == 0 || strcmp(key, "$some") == 0) {
			if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > CRMW__PROG_MAX_ANY)
				return bad(k, "\"%s\" must be a list of 1 to 256 values", key);
			json_array_foreach(a, i, x) if (!check_value(k, x, step, depth + 1)) return false;
			return only_keys(k, e, key, (const char *const[]){key, NULL});
		}
		return bad(k, "unknown operator \"%s\"%s", key, "");
	}
	json_object_foreach((json_t *)e, key, x) if (!check_value(k, x, step, depth + 1)) return false;
	return true;
}

/* Is `n` the name of a shape? */
static bool shape_known(const char *n)
{
	for (size_t j = 0; n && j < CRMW_ARRAY_LEN(shape_names); j++)
		if (strcmp(n, shape_names[j]) == 0)
			return true;
	return false;
}

static bool check_shapes(check *k, const json_t *s)
{
	if (!json_is_array(s) || json_array_size(s) > CRMW_ARRAY_LEN(shape_names))
		return bad(k, "\"shapes\" must be a list of shapes%s%s", "", "");
	size_t i;
	json_t *x;
	json_array_foreach(s, i, x) if (!shape_known(json_string_value(x))) return bad(
		k, "unknown shape \"%s\" (null, empty, one, many, map or scalar)%s",
		json_string_value(x) ? json_string_value(x) : "?", "");
	return true;
}

/* A guard's optional "path": at most CRMW__PROG_MAX_STEPS routes, each the
 * shapes of the `after` steps before it. */
static bool check_path(check *k, const json_t *p, size_t after)
{
	if (!p)
		return true;
	if (!json_is_array(p) || json_array_size(p) > CRMW__PROG_MAX_STEPS)
		return bad(k, "\"path\" must be a list of at most %d routes%s", CRMW__PROG_MAX_STEPS, "");
	size_t i, j;
	json_t *r, *x;
	json_array_foreach(p, i, r) {
		if (!json_is_array(r) || json_array_size(r) != after)
			return bad(k, "a route of \"path\" must list %zu shapes%s", after, "");
		json_array_foreach(r, j, x) if (!shape_known(json_string_value(x))) return bad(
			k, "unknown shape \"%s\" in \"path\"%s", json_string_value(x) ? json_string_value(x) : "?", "");
	}
	return true;
}

static const json_t *steps_of(const json_t *program)
{
	return json_is_array(program) ? program : json_object_get(program, "steps");
}

int crmw__program_check(const json_t *program, char *why, size_t len)
{
	check k = {0, why, len};
	char pre[64] = "";
	why[0] = '\0';
	const json_t *steps = steps_of(program);
	if (!json_is_array(steps) || json_array_size(steps) == 0 || json_array_size(steps) > CRMW__PROG_MAX_STEPS) {
		snprintf(why, len, "a program is a list of 1 to %d steps, or an object with \"steps\"", CRMW__PROG_MAX_STEPS);
		return CRMW_EINVALID;
	}
	if (json_is_object(program) &&
	    !only_keys(&k, program, "program",
		       (const char *const[]){"steps", "guards", "family", "support", "docs", "negatives", "negative", "episodes", "words", "seen", "solved", "directed", "unapplied",
						 "version", NULL}))
		return CRMW_EINVALID;
	size_t i, n = json_array_size(steps);
	json_t *st;
	json_array_foreach(steps, i, st) {
		snprintf(pre, sizeof pre, "step %zu: ", i);
		const char *name = json_string_value(json_object_get(st, "name"));
		const json_t *args = json_object_get(st, "arguments");
		bool respond = name && strcmp(name, "respond") == 0;
		if (!json_is_object(st) || !name || json_string_length(json_object_get(st, "name")) > 128)
			(void)bad(&k, "a step is an object with a \"name\"%s%s", "", "");
		else if (args && !json_is_object(args))
			(void)bad(&k, "\"arguments\" must be an object%s%s", "", "");
		else if (respond != (i + 1 == n))
			(void)bad(&k, "%s%s", respond ? "respond must be the last step" : "the last step must be respond", "");
		else if (respond && !json_object_get(args, "content"))
			(void)bad(&k, "respond needs \"arguments\": {\"content\": ...}%s%s", "", "");
		else if (!only_keys(&k, st, "a step", (const char *const[]){"name", "arguments", "shapes", "expect_contains", NULL}))
			;
		else if (json_object_get(st, "shapes") && !check_shapes(&k, json_object_get(st, "shapes")))
			;
		else if (!args || check_value(&k, args, (long)i, 0))
			continue;
		goto fail;
	}
	const json_t *guards = json_object_get(program, "guards");
	if (guards && (!json_is_array(guards) || json_array_size(guards) > CRMW__PROG_MAX_STEPS)) {
		snprintf(why, len, "\"guards\" must be a list of at most %d guards", CRMW__PROG_MAX_STEPS);
		return CRMW_EINVALID;
	}
	json_array_foreach(guards, i, st) {
		snprintf(pre, sizeof pre, "guard %zu: ", i);
		const json_t *after = json_object_get(st, "after");
		if (!json_is_object(st) || !json_is_integer(after) || json_integer_value(after) < 0 ||
		    json_integer_value(after) >= (json_int_t)n - 1)
			(void)bad(&k, "\"after\" must name a step before respond%s%s", "", "");
		else if (!json_object_get(st, "content"))
			(void)bad(&k, "a guard needs a \"content\"%s%s", "", "");
		else if (!only_keys(&k, st, "a guard", (const char *const[]){"after", "shapes", "content", "support", "path", NULL}))
			;
		else if (!check_shapes(&k, json_object_get(st, "shapes")))
			;
		else if (!check_path(&k, json_object_get(st, "path"), (size_t)json_integer_value(after)))
			;
		else if (check_value(&k, json_object_get(st, "content"), (long)json_integer_value(after) + 1, 0))
			continue;
		goto fail;
	}
	return CRMW_OK;
fail:;
	char tmp[400];
	snprintf(tmp, sizeof tmp, "%s", why);
	snprintf(why, len, "%s%s", pre, tmp);
	return CRMW_EINVALID;
}

/* ----------------------------------------------------------- next step */

static bool shape_in(const json_t *shapes, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(shapes, i, x) if (json_is_string(x) && strcmp(json_string_value(x), s) == 0) return true;
	return false;
}

bool crmw__prog_on_route(const json_t *guard, const json_t *results, size_t n)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(guard, "path"), i, r) {
		bool on = json_array_size(r) >= n;
		for (size_t j = 0; on && j < n; j++) {
			const char *sh = json_string_value(json_array_get(r, j));
			on = sh && strcmp(sh, crmw__prog_shape(json_array_get(results, j))) == 0;
		}
		if (on)
			return true;
	}
	return false;
}

/* The program goes on toward a guard after a result of a shape its step
 * never saw (crmw__program_next_ctx): the explanation says which guards'
 * routes the k results so far begin, {"toward": [index, ...]}.  false when
 * out of memory. */
static bool toward_explained(json_t *explain, const json_t *program, const json_t *results, size_t k)
{
	json_t *toward = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(program, "guards"), i, g) {
		if (toward && json_integer_value(json_object_get(g, "after")) >= (json_int_t)k && crmw__prog_on_route(g, results, k) &&
		    json_array_append_new(toward, json_integer((json_int_t)i))) {
			json_decref(toward);
			toward = NULL;
		}
	}
	return toward && !json_object_set_new(explain, "toward", toward);
}

void crmw__prog_next_clear(crmw__prog_next *n)
{
	json_decref(n->explain);
	json_decref(n->arguments);
	free(n->answer);
	memset(n, 0, sizeof *n);
}

/* With c->explain, out->explain = {"values": {}} to record into (and
 * false when out of memory). */
static bool explain_start(crmw__prog_next *out, const crmw__prog_ctx *c)
{
	if (!c->explain)
		return true;
	out->explain = json_pack("{s:{}}", "values");
	return out->explain != NULL;
}

static int answer_of(crmw__prog_next *out, const json_t *content, const crmw__prog_ctx *c)
{
	int cls = 0;
	json_t *v = eval_traced(content, c, true, &cls, out->why, sizeof out->why,
				json_object_get(out->explain, "values"), "answer");
	if (!v) {
		json_decref(out->explain);
		out->explain = NULL;
		out->kind = CRMW__PROG_ABSTAIN;
		out->cls = cls;
		return cls == CRMW__PROG_NOMEM ? CRMW_ENOMEM : CRMW_OK;
	}
	out->answer = json_is_string(v) ? crmw__strdup(json_string_value(v)) : crmw__answer_text(v);
	json_decref(v);
	if (!out->answer)
		return CRMW_ENOMEM;
	out->kind = CRMW__PROG_ANSWER;
	return CRMW_OK;
}

int crmw__program_next_ctx(crmw__prog_next *out, const json_t *program, const crmw__prog_ctx *c)
{
	memset(out, 0, sizeof *out);
	const json_t *steps = steps_of(program);
	size_t k = json_array_size(c->results), n = json_array_size(steps);
	out->step = (int)k;
	out->kind = CRMW__PROG_ABSTAIN;
	out->cls = CRMW__PROG_RESULT;
	if (k + 1 > n) {
		snprintf(out->why, sizeof out->why, "%zu results for a program of %zu tool calls", k, n - 1);
		return CRMW_OK;
	}
	size_t off = k; /* below: the first result of a shape its step never saw */
	if (k > 0) {
		const json_t *last = json_array_get(c->results, k - 1);
		const char *shape = crmw__prog_shape(last);
		const json_t *seen = json_object_get(json_array_get(steps, k - 1), "shapes");
		/* the first result of a shape its step never saw (k: none) */
		off = k;
		for (size_t j = 0; j < k && off == k; j++) {
			const json_t *sj = json_object_get(json_array_get(steps, j), "shapes");
			if (sj && !shape_in(sj, crmw__prog_shape(json_array_get(c->results, j))))
				off = j;
		}
		size_t i;
		json_t *g;
		/* a guard further on whose episodes' results began so: in
		 * training, these results went on */
		bool toward = false;
		json_array_foreach(json_object_get(program, "guards"), i, g) toward =
			toward || (json_integer_value(json_object_get(g, "after")) >= (json_int_t)k && crmw__prog_on_route(g, c->results, k));
		json_array_foreach(json_object_get(program, "guards"), i, g) {
			if (json_integer_value(json_object_get(g, "after")) != (json_int_t)(k - 1) ||
			    !shape_in(json_object_get(g, "shapes"), shape))
				continue;
			if (off < k - 1 && !crmw__prog_on_route(g, c->results, k - 1))
				continue; /* an earlier result its episodes never had */
			if ((seen && shape_in(seen, shape)) || toward) {
				snprintf(out->why, sizeof out->why,
					 "step %zu's result is %s: in training it both ended the program and went on", k - 1, shape);
				return CRMW_OK;
			}
			out->guard = (int)i + 1;
			if (!explain_start(out, c) ||
			    (out->explain && json_object_set_new(out->explain, "guard",
								 json_pack("{s:i, s:I, s:s}", "index", (int)i, "after",
									   (json_int_t)(k - 1), "shape", shape))))
				return CRMW_ENOMEM;
			return answer_of(out, json_object_get(g, "content"), c);
		}
		if (off < k && !toward) {
			snprintf(out->why, sizeof out->why, "step %zu (%s) returned %s, a shape never seen in training", off,
				 json_string_value(json_object_get(json_array_get(steps, off), "name")),
				 crmw__prog_shape(json_array_get(c->results, off)));
			return CRMW_OK;
		}
	}
	const json_t *st = json_array_get(steps, k);
	const json_t *args = json_object_get(st, "arguments");
	if (!explain_start(out, c))
		return CRMW_ENOMEM;
	if (out->explain && off < k && !toward_explained(out->explain, program, c->results, k))
		return CRMW_ENOMEM;
	if (k + 1 == n)
		return answer_of(out, json_object_get(args, "content"), c);
	int cls = 0;
	json_t *v = args ? eval_traced(args, c, false, &cls, out->why, sizeof out->why,
				       json_object_get(out->explain, "values"), NULL)
			 : json_object();
	if (!v) {
		json_decref(out->explain);
		out->explain = NULL;
		out->cls = cls;
		return cls == CRMW__PROG_NOMEM || !args ? CRMW_ENOMEM : CRMW_OK;
	}
	/* the caller may change what it gets: a copy, not the results' values */
	out->arguments = json_deep_copy(v);
	json_decref(v);
	if (!out->arguments)
		return CRMW_ENOMEM;
	out->name = json_string_value(json_object_get(st, "name"));
	out->kind = CRMW__PROG_CALL;
	out->cls = 0;
	return CRMW_OK;
}

int crmw__program_fits_task(bool *fits, const json_t *program, const crmw__prog_ctx *c, char *why, size_t len)
{
	*fits = true;
	json_t *none = json_array();
	if (!none)
		return CRMW_ENOMEM;
	crmw__prog_ctx t = *c; /* the task's words and periods, no result */
	t.results = none;
	t.explain = false;
	const json_t *steps = steps_of(program);
	size_t n = json_array_size(steps);
	int rc = CRMW_OK;
	for (size_t k = 0; k < n && *fits && !rc; k++) {
		const json_t *st = json_array_get(steps, k);
		const char *key;
		json_t *arg;
		json_object_foreach((json_t *)json_object_get(st, "arguments"), key, arg) {
			int cls = 0;
			char w[300];
			json_t *v = crmw__program_eval_as(arg, &t, k + 1 == n, &cls, w, sizeof w);
			json_decref(v);
			if (!v && cls == CRMW__PROG_NOMEM) {
				rc = CRMW_ENOMEM;
				break;
			}
			if (!v && cls == CRMW__PROG_TASK) {
				*fits = false;
				snprintf(why, len, "step %zu (%s) does not fit the task: %s", k,
					 json_string_value(json_object_get(st, "name")), w);
				break;
			}
		}
	}
	json_decref(none);
	return rc;
}

int crmw__program_next(crmw__prog_next *out, const json_t *program, const json_t *task, const json_t *results)
{
	crmw__prog_ctx c;
	memset(out, 0, sizeof *out);
	if (crmw__prog_ctx_init(&c, task, results))
		return CRMW_ENOMEM;
	c.explain = true;
	int rc = crmw__program_next_ctx(out, program, &c);
	crmw__prog_ctx_dispose(&c);
	return rc;
}
