/*
 * lib/agent/parse.c: the model-output parser (contract in parse.h).  Every
 * dialect ends as one list of actions; JSON is located with a string-aware
 * extent scanner and parsed by the library's strict reader.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/parse.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pstate {
	const crmw__parse_opts *o;
	json_t *actions, *errors;
	crmw_buf content, thinking;
	const char *dialect;
	int ncalls;   /* calls so far: the index of generated ids */
	int retries;  /* values re-read from the raw end of their block */
	int nerrors;  /* errors seen (only the first MAX_ERRORS are kept) */
	bool oom;
} pstate;

/* ------------------------------------------------------------ utilities */

/* A NUL-terminated copy of n bytes with invalid UTF-8 replaced by U+FFFD. */
static char *clean_utf8(const char *s, size_t n)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw__buf_append(&b, "", 0) || crmw__buf_reserve(&b, n + 1)) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		bool ok = k > 0 && i + k <= n && c != 0;
		for (size_t j = 1; ok && j < k; j++)
			ok = ((unsigned char)s[i + j] & 0xC0) == 0x80;
		if (ok && k == 2)
			ok = c >= 0xC2;
		if (ok && k == 3) {
			unsigned char d = (unsigned char)s[i + 1];
			ok = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0);
		}
		if (ok && k == 4) {
			unsigned char d = (unsigned char)s[i + 1];
			ok = c <= 0xF4 && !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
		}
		int rc = ok ? crmw__buf_append(&b, s + i, k) : crmw__buf_puts(&b, "\xEF\xBF\xBD");
		if (rc) {
			crmw_buf_dispose(&b);
			return NULL;
		}
		i += ok ? k : 1;
	}
	return b.data;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/*
 * Every scan below reads a range [p, end) of one buffer and is written so
 * that a range with p > end (a position computed past the end it is checked
 * against) reads nothing: the helpers return NULL or their start, never
 * cast a negative length to size_t.  Callers still keep p <= end; the
 * helpers are the second line.
 */

/* The first c in [p, end), or NULL. */
static const char *find_chr(const char *p, const char *end, char c)
{
	return p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
}

/* Find `needle` in [p, end). */
static const char *find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	for (; p + n <= end; p++)
		if (*p == needle[0] && memcmp(p, needle, n) == 0)
			return p;
	return NULL;
}

/* The end (one past) of the JSON object or array starting at p, aware of
 * strings; NULL when it does not close before `end`. */
const char *crmw__json_extent(const char *p, const char *end)
{
	int depth = 0;
	bool str = false, esc = false;
	for (const char *q = p; q < end; q++) {
		char c = *q;
		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				return q + 1;
			if (depth < 0)
				return NULL;
		}
	}
	return NULL;
}

/* Bytes of `s` to show in a message: at most 80, cut at a character
 * boundary (names come from the model and may be long). */
static int clipn(const char *s)
{
	size_t n = strlen(s);
	if (n <= 80)
		return (int)n;
	n = 80;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/* Record one message for the model.  The formatted text goes through
 * clean_utf8: a part cut by a length limit (the JSON reader's message, or
 * this buffer) must not turn into a failure. */
#define MAX_ERRORS 16

static void add_error(pstate *st, const char *fmt, ...) CRMW_PRINTF(2, 3);
static void add_error(pstate *st, const char *fmt, ...)
{
	if (st->nerrors++ >= MAX_ERRORS)
		return; /* counted; crmw__parse_output adds one line for the rest */
	char buf[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char *c = clean_utf8(buf, strlen(buf));
	json_t *s = c ? json_string(c) : NULL;
	free(c);
	if (!s || json_array_append_new(st->errors, s))
		st->oom = true;
}

static void add_text(crmw_buf *b, const char *p, size_t n, bool *oom)
{
	if (n && crmw__buf_append(b, p, n))
		*oom = true;
}

/* [p, e) appended; nothing when the range is empty or inverted. */
static void add_span(crmw_buf *b, const char *p, const char *e, bool *oom)
{
	if (p < e)
		add_text(b, p, (size_t)(e - p), oom);
}

/* Thinking parts are joined with newlines. */
static void add_thinking(pstate *st, const char *t, size_t n)
{
	if (n && st->thinking.len)
		add_text(&st->thinking, "\n", 1, &st->oom);
	add_text(&st->thinking, t, n, &st->oom);
}

static void add_action(pstate *st, json_t *a)
{
	if (!a || json_array_append_new(st->actions, a))
		st->oom = true;
}

/* Where a call was written, for messages: "<tool_call> block 2", and how
 * the dialect writes a call ("<tool_call>{...}</tool_call>"). */
typedef struct where {
	const char *what;
	int n;
	const char *form;
} where;

#define FORM_JSON "{\"name\": \"tool_name\", \"arguments\": {...}}"
#define FORM_HERMES "<tool_call>" FORM_JSON "</tool_call>"
#define FORM_MISTRAL "[TOOL_CALLS] [" FORM_JSON "]"

/* arguments: an object, a JSON string of one, or a string of such a string
 * (double-encoded).  NULL (and an error) when it is none of these. */
static json_t *arguments_of(pstate *st, const json_t *v, const char *name)
{
	if (!v || json_is_null(v))
		return json_object();
	if (json_is_object(v))
		return json_deep_copy(v);
	json_t *cur = json_incref((json_t *)v);
	for (int round = 0; round < 2 && json_is_string(cur); round++) {
		const char *s = json_string_value(cur);
		size_t n = json_string_length(cur);
		json_t *p = NULL;
		crmw__json_error je;
		if (skip_ws(s, s + n) == s + n) {
			json_decref(cur);
			return json_object();
		}
		if (crmw__json_parse(s, n, &p, &je)) {
			add_error(st,
				  "The arguments of %.*s are not valid JSON (line %d, column %d: %s). Give the arguments as "
				  "a JSON object, like {\"key\": \"value\"}.",
				  clipn(name), name, je.line, je.column, je.text);
			json_decref(cur);
			return NULL;
		}
		json_decref(cur);
		cur = p;
	}
	if (json_is_object(cur))
		return cur;
	json_decref(cur);
	add_error(st,
		  "The arguments of %.*s must be a JSON object, like {\"name\": \"%.*s\", \"arguments\": {\"key\": "
		  "\"value\"}}.",
		  clipn(name), name, clipn(name), name);
	return NULL;
}

static void add_call(pstate *st, const char *id, const char *name, json_t *args)
{
	crmw_buf gen = CRMW_BUF_INIT;
	if (!id || !*id) {
		if (crmw__buf_printf(&gen, "%s%d", st->o && st->o->id_prefix ? st->o->id_prefix : "call_", st->ncalls)) {
			json_decref(args);
			st->oom = true;
			return;
		}
		id = gen.data;
	}
	st->ncalls++;
	add_action(st, json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_call", "id", id, "name", name, "arguments", args));
	crmw_buf_dispose(&gen);
}

/* One call object: {"name", "arguments"|"parameters"|"input", "id"?}, or
 * OpenAI's {"id", "function": {"name", "arguments"}}. */
static void call_from_object(pstate *st, const json_t *o, const where *w)
{
	if (!json_is_object(o)) {
		add_error(st, "The %s %d is not a JSON object. Write %s.", w->what, w->n, w->form);
		return;
	}
	const json_t *fn = json_object_get(o, "function");
	const json_t *src = json_is_object(fn) ? fn : o;
	const char *name = json_string_value(json_object_get(src, "name"));
	if (!name && json_is_string(fn))
		name = json_string_value(fn);
	if (!name || !*name) {
		add_error(st, "The %s %d has no \"name\" (the tool to call). Write %s.", w->what, w->n, w->form);
		return;
	}
	const json_t *a = json_object_get(src, "arguments");
	if (!a)
		a = json_object_get(src, "parameters");
	if (!a)
		a = json_object_get(src, "input");
	json_t *args = arguments_of(st, a, name);
	if (args)
		add_call(st, json_string_value(json_object_get(o, "id")), name, args);
}

/*
 * Parse the JSON values (call objects or arrays of them) glued in [p, end),
 * separated by nothing, whitespace, commas or semicolons.  Returns where
 * the values stop.  A value that does not close or does not parse is an
 * error; the scan then resumes at `resume` when given (the raw end of the
 * block: the value probably ended there), otherwise the rest is given up.
 * *nvalues counts the values seen.
 */
static const char *json_calls(pstate *st, const char *p, const char *end, const where *w, const char *resume,
			      int *nvalues)
{
	for (;;) {
		p = skip_ws(p, end);
		while (p < end && (*p == ',' || *p == ';'))
			p = skip_ws(p + 1, end);
		if (p >= end || (*p != '{' && *p != '['))
			return p;
		(*nvalues)++;
		/* A value read past the raw end of its block may have cost a scan
		 * to the end of the text: only a few such values are given a second
		 * chance at `resume` (no quadratic time on hostile input). */
		const char *e = crmw__json_extent(p, end);
		if (!e) {
			add_error(st, "The JSON in the %s %d does not close (a brace, bracket or quote is missing). Write %s.",
				  w->what, w->n, w->form);
			if (resume && resume > p && st->retries++ < 8)
				return resume;
			return end;
		}
		json_t *v;
		crmw__json_error je;
		if (crmw__json_parse(p, (size_t)(e - p), &v, &je)) {
			add_error(st, "The %s %d is not valid JSON (line %d, column %d: %s). Write %s.", w->what, w->n,
				  je.line, je.column, je.text, w->form);
			if (resume && resume > p && resume < e && st->retries++ < 8)
				return resume;
		} else if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) call_from_object(st, x, w);
			json_decref(v);
		} else {
			call_from_object(st, v, w);
			json_decref(v);
		}
		p = e;
	}
}

/* ------------------------------------------------------------ dialects */

static bool starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	return p <= end && (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* A finder that remembers its last answer, so that looking for the same tag
 * again and again from increasing positions stays linear in the text. */
typedef struct cfind {
	const char *needle, *end;
	const char *from, *at; /* the first match at or after from (NULL: none) */
	bool valid;
} cfind;

static const char *cfind_next(cfind *c, const char *p)
{
	if (c->valid && p >= c->from && (!c->at || p <= c->at))
		return c->at;
	c->valid = true;
	c->from = p;
	c->at = find(p, c->end, c->needle);
	return c->at;
}

#define FORM_XML "<tool_call><function=tool_name><parameter=key>value</parameter></function></tool_call>"

/* <function=NAME><parameter=P>v</parameter>...</function> at p, within
 * [p, end).  Returns where it stops. */
static const char *qwen_function(pstate *st, const char *p, const char *end)
{
	p += strlen("<function=");
	const char *gt = find_chr(p, end, '>');
	if (!gt) {
		add_error(st, "A <function=NAME> tag is not closed with '>'. Write %s.", FORM_XML);
		return end;
	}
	const char *ne = gt;
	p = skip_ws(p, ne);
	while (ne > p && is_ws(ne[-1]))
		ne--;
	const char *fend = find(gt, end, "</function>");
	const char *stop = fend ? fend : end;
	if (p == ne) {
		add_error(st, "A <function=> tag has no tool name. Write %s.", FORM_XML);
		return fend ? fend + strlen("</function>") : end;
	}
	char *name = crmw__strndup(p, (size_t)(ne - p));
	json_t *args = json_object();
	if (!name || !args) {
		st->oom = true;
		free(name);
		json_decref(args);
		return end;
	}
	for (const char *q = gt + 1; (q = find(q, stop, "<parameter=")) != NULL;) {
		q += strlen("<parameter=");
		const char *pg = find_chr(q, stop, '>');
		if (!pg)
			break;
		const char *ve = find(pg + 1, stop, "</parameter>");
		const char *vend = ve ? ve : stop;
		const char *v = pg + 1;
		if (v < vend && *v == '\n')
			v++;
		const char *w = vend;
		if (w > v && w[-1] == '\n')
			w--;
		const char *k = skip_ws(q, pg), *ke = pg;
		while (ke > k && is_ws(ke[-1]))
			ke--;
		char *key = crmw__strndup(k, (size_t)(ke - k));
		json_t *val = NULL;
		if (crmw__json_parse(v, (size_t)(w - v), &val, NULL))
			val = json_stringn(v, (size_t)(w - v));
		if (!key)
			json_decref(val);
		if (!key || !val || json_object_set_new(args, key, val)) /* set_new frees val on failure */
			st->oom = true;
		free(key);
		q = ve ? ve + strlen("</parameter>") : stop;
	}
	add_call(st, NULL, name, args);
	free(name);
	return fend ? fend + strlen("</function>") : end;
}

/* Hermes/Qwen: <tool_call>...</tool_call> blocks. */
static bool parse_tool_call_blocks(pstate *st, const char *s, const char *end)
{
	cfind opens = {.needle = "<tool_call>", .end = end}, closes = {.needle = "</tool_call>", .end = end};
	const char *p = cfind_next(&opens, s);
	if (!p)
		return false;
	st->dialect = "hermes";
	const char *prev = s;
	for (int block = 1; p; block++) {
		add_span(&st->content, prev, p, &st->oom);
		const char *body = p + strlen("<tool_call>");
		const char *raw = cfind_next(&closes, body); /* the first </tool_call>, maybe inside a string */
		/* The fence line and the XML form end at the raw close: a fence
		 * line that runs past it belongs to no block (the XML reader was
		 * once handed a start past its end here). */
		const char *lim = raw ? raw : end;
		const char *q = skip_ws(body, lim);
		if (starts(q, lim, "```")) { /* a fenced block: skip the fence line */
			const char *nl = find_chr(q, lim, '\n');
			q = nl ? skip_ws(nl, lim) : lim;
		}
		if (starts(q, lim, "<function=")) {
			st->dialect = "qwen_xml";
			while (starts(q, lim, "<function="))
				q = skip_ws(qwen_function(st, q, lim), lim);
		} else {
			where w = {"<tool_call> block", block, FORM_HERMES};
			int nv = 0;
			q = json_calls(st, q, end, &w, raw, &nv);
			if (nv == 0 && (q == end || q == raw))
				add_error(st, "The <tool_call> block %d is empty. Write %s.", block, FORM_HERMES);
			else if (nv == 0)
				add_error(st, "The <tool_call> block %d holds no JSON object. Write %s.", block, FORM_HERMES);
		}
		/* The block ends at its </tool_call>; when another <tool_call>
		 * comes first (or none is left), the close was left out. */
		const char *close = cfind_next(&closes, q), *next = cfind_next(&opens, q);
		if (close && (!next || close < next))
			prev = close + strlen("</tool_call>");
		else
			prev = q;
		p = cfind_next(&opens, prev);
	}
	add_span(&st->content, prev, end, &st->oom);
	return true;
}

static bool parse_bare_functions(pstate *st, const char *s, const char *end)
{
	const char *p = find(s, end, "<function=");
	if (!p)
		return false;
	st->dialect = "qwen_xml";
	const char *prev = s;
	while (p) {
		add_span(&st->content, prev, p, &st->oom);
		prev = qwen_function(st, p, end);
		p = find(prev, end, "<function=");
	}
	add_span(&st->content, prev, end, &st->oom);
	return true;
}

/* Mistral's newer form after [TOOL_CALLS]: NAME[ARGS]{json}, optionally
 * NAME[CALL_ID]ID[ARGS]{json}.  Returns where it stops (q when it is not
 * that form). */
static const char *mistral_args_call(pstate *st, const char *q, const char *end, const where *w, int *nvalues)
{
	const char *ne = q;
	while (ne < end && *ne != '[' && *ne != '{' && !is_ws(*ne))
		ne++;
	const char *a = ne, *id = NULL, *ide = NULL;
	if (starts(a, end, "[CALL_ID]")) {
		/* ids are short: a bounded search keeps many markers linear */
		id = a + strlen("[CALL_ID]");
		ide = find(id, (size_t)(end - id) > 256 ? id + 256 : end, "[ARGS]");
		a = ide ? ide : end;
	}
	if (ne == q || !starts(a, end, "[ARGS]"))
		return q;
	(*nvalues)++;
	a = skip_ws(a + strlen("[ARGS]"), end);
	char *name = crmw__strndup(q, (size_t)(ne - q));
	char *cid = id ? crmw__strndup(id, (size_t)(ide - id)) : NULL;
	if (!name || (id && !cid)) {
		st->oom = true;
		free(name);
		free(cid);
		return end;
	}
	const char *e = a < end && *a == '{' ? crmw__json_extent(a, end) : NULL;
	json_t *v = NULL;
	crmw__json_error je = {0};
	if (!e) {
		add_error(st, "The arguments of %.*s after [ARGS] (%s %d) are not a complete JSON object. Write %s.",
			  clipn(name), name, w->what, w->n, w->form);
		e = end;
	} else if (crmw__json_parse(a, (size_t)(e - a), &v, &je)) {
		add_error(st, "The arguments of %.*s after [ARGS] (%s %d) are not valid JSON (line %d, column %d: %s). Write %s.",
			  clipn(name), name, w->what, w->n, je.line, je.column, je.text, w->form);
	} else {
		json_t *args = arguments_of(st, v, name);
		if (args)
			add_call(st, cid, name, args);
		json_decref(v);
	}
	free(name);
	free(cid);
	return e;
}

static bool parse_mistral(pstate *st, const char *s, const char *end)
{
	const char *p = find(s, end, "[TOOL_CALLS]");
	if (!p)
		return false;
	st->dialect = "mistral";
	const char *prev = s;
	for (int n = 1; p; n++) {
		add_span(&st->content, prev, p, &st->oom);
		where w = {"[TOOL_CALLS] entry", n, FORM_MISTRAL};
		const char *q = skip_ws(p + strlen("[TOOL_CALLS]"), end);
		int nv = 0;
		if (q < end && (*q == '{' || *q == '['))
			q = json_calls(st, q, end, &w, NULL, &nv);
		else
			q = mistral_args_call(st, q, end, &w, &nv);
		if (nv == 0)
			add_error(st, "The [TOOL_CALLS] marker %d is not followed by a JSON list of calls. Write %s.", n,
				  FORM_MISTRAL);
		prev = q;
		p = find(q, end, "[TOOL_CALLS]");
	}
	add_span(&st->content, prev, end, &st->oom);
	return true;
}

static const char *const REACT_OPEN[] = {"<thought>", "<execute>", "<respond>", "<submit>"};
static const char *const REACT_CLOSE[] = {"</thought>", "</execute>", "</respond>", "</submit>"};

/* The first ReAct tag at or after p: its position and index, the start of
 * its inner text and its closing tag (NULL when unclosed). */
static const char *next_tag(cfind *opens, const char *p, const char *end, size_t *which, const char **in,
			    const char **close)
{
	const char *best = NULL;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(REACT_OPEN); i++) {
		const char *f = cfind_next(&opens[i], p);
		if (f && (!best || f < best)) {
			best = f;
			*which = i;
		}
	}
	if (!best)
		return NULL;
	*in = best + strlen(REACT_OPEN[*which]);
	*close = find(*in, end, REACT_CLOSE[*which]);
	return best;
}

/* [*a, *b) without surrounding whitespace and without a Markdown code fence
 * around it ("```sql\n...\n```"). */
static void trim_fenced(const char **a, const char **b)
{
	const char *p = skip_ws(*a, *b), *e = *b;
	while (e > p && is_ws(e[-1]))
		e--;
	if (starts(p, e, "```")) {
		const char *nl = find_chr(p, e, '\n');
		if (nl && e - nl >= 4 && memcmp(e - 3, "```", 3) == 0) {
			p = skip_ws(nl + 1, e - 3);
			e -= 3;
			while (e > p && is_ws(e[-1]))
				e--;
		}
	}
	*a = p;
	*b = e;
}

/* ReAct tags.  Returns true when an action tag was found; thoughts and the
 * text between the tags are content. */
static bool parse_react(pstate *st, const char *s, const char *end)
{
	cfind opens[CRMW_ARRAY_LEN(REACT_OPEN)];
	for (size_t i = 0; i < CRMW_ARRAY_LEN(REACT_OPEN); i++)
		opens[i] = (cfind){.needle = REACT_OPEN[i], .end = end};
	bool any = false;
	size_t bi = 0;
	const char *in, *ce, *prev = s, *tag;
	size_t content0 = st->content.len;
	for (const char *p = s; p < end && (tag = next_tag(opens, p, end, &bi, &in, &ce)) != NULL;) {
		const char *iend = ce ? ce : end;
		add_span(&st->content, prev, tag, &st->oom);
		if (bi == 0) {
			add_span(&st->content, in, iend, &st->oom);
			add_text(&st->content, "\n", 1, &st->oom);
		} else {
			any = true;
			const char *a = in, *b = iend;
			trim_fenced(&a, &b);
			json_t *v = json_stringn(a, (size_t)(b - a));
			if (bi == 1)
				add_action(st, json_pack("{s:s, s:o}", "type", "execute", "query", v));
			else
				add_action(st, json_pack("{s:s, s:o}", "type", "respond", "content", v));
		}
		prev = p = ce ? ce + strlen(REACT_CLOSE[bi]) : end;
	}
	if (!any) {
		st->content.len = content0; /* not ReAct: the text is read again by the next dialect */
		if (st->content.data)
			st->content.data[content0] = '\0';
		return false;
	}
	add_span(&st->content, prev, end, &st->oom);
	st->dialect = "react";
	return true;
}

#define FORM_ACTION "Action: tool_name, then on the next line Action Input: {\"key\": \"value\"}"

/* "Action:" at the start of a line (after spaces) in [s, end), or NULL. */
static const char *action_line(const char *s, const char *end)
{
	for (const char *p = s; (p = find(p, end, "Action:")) != NULL; p += 7) {
		const char *b = p;
		while (b > s && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b == s || b[-1] == '\n')
			return p;
	}
	return NULL;
}

/* Action: NAME / Action Input: {json} (or a plain string input). */
static bool parse_action_lines(pstate *st, const char *s, const char *end)
{
	const char *p = action_line(s, end);
	if (!p)
		return false;
	const char *nm = p + 7; /* the name is on the same line */
	while (nm < end && (*nm == ' ' || *nm == '\t'))
		nm++;
	const char *nl = find_chr(nm, end, '\n');
	const char *ne = nl ? nl : end;
	while (ne > nm && is_ws(ne[-1]))
		ne--;
	const char *in = find(nl ? nl : end, end, "Action Input:");
	bool word = true;
	for (const char *q = nm; q < ne && word; q++)
		word = !is_ws(*q);
	if (!in && !word)
		return false; /* prose such as "Action: call the customer back" */
	st->dialect = "action";
	add_span(&st->content, s, p, &st->oom);
	char *name = crmw__strndup(nm, (size_t)(ne - nm));
	if (!name) {
		st->oom = true;
		return true;
	}
	json_t *args = NULL;
	if (in) {
		const char *a = skip_ws(in + 13, end);
		const char *e = (a < end && (*a == '{' || *a == '[')) ? crmw__json_extent(a, end) : NULL;
		if (e) {
			crmw__json_error je;
			json_t *v;
			if (crmw__json_parse(a, (size_t)(e - a), &v, &je)) {
				add_error(st, "The Action Input of %.*s is not valid JSON (line %d, column %d: %s). Write %s.",
					  clipn(name), name, je.line, je.column, je.text, FORM_ACTION);
			} else {
				args = arguments_of(st, v, name);
				json_decref(v);
			}
		} else if (a < end && (*a == '{' || *a == '[')) {
			add_error(st, "The Action Input of %.*s does not close (a brace, bracket or quote is missing). Write %s.",
				  clipn(name), name, FORM_ACTION);
		} else {
			const char *le = find_chr(a, end, '\n');
			const char *b = le ? le : end;
			while (b > a && is_ws(b[-1]))
				b--;
			args = json_pack("{s:s%}", "input", a, (size_t)(b - a));
			if (!args)
				st->oom = true;
		}
	} else {
		args = json_object();
		if (!args)
			st->oom = true;
	}
	if (!*name) {
		add_error(st, "The line \"Action:\" names no tool. Write %s.", FORM_ACTION);
		json_decref(args);
	} else if (args) {
		add_call(st, NULL, name, args);
	}
	free(name);
	return true;
}

/* Llama 3: the whole text is a call object or an array of them, maybe
 * after <|python_tag|> or inside a ```json fence. */
static bool parse_llama(pstate *st, const char *s, const char *end)
{
	const char *p = skip_ws(s, end);
	if (starts(p, end, "<|python_tag|>"))
		p = skip_ws(p + strlen("<|python_tag|>"), end);
	const char *e = end, *after = end;
	if (starts(p, end, "```")) {
		const char *nl = find_chr(p, end, '\n');
		const char *fe = nl ? find(nl, end, "```") : NULL;
		if (!nl || !fe)
			return false;
		p = skip_ws(nl + 1, fe);
		e = fe;
		after = fe + 3; /* text after the fence is content */
	}
	while (e > p && is_ws(e[-1]))
		e--;
	if (p >= e || (*p != '{' && *p != '['))
		return false;
	json_t *v;
	if (crmw__json_parse(p, (size_t)(e - p), &v, NULL))
		return false;
	const json_t *first = json_is_array(v) ? json_array_get(v, 0) : v;
	bool calls = json_is_object(first) && json_is_string(json_object_get(first, "name")) &&
		     (json_object_get(first, "parameters") || json_object_get(first, "arguments"));
	if (calls) {
		st->dialect = "llama";
		add_span(&st->content, after, end, &st->oom);
		if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) {
				where w = {"call", (int)i + 1, FORM_JSON};
				call_from_object(st, x, &w);
			}
		} else {
			where w = {"call", 1, FORM_JSON};
			call_from_object(st, v, &w);
		}
	}
	json_decref(v);
	return calls;
}

/* Think blocks out of `s` (a NUL-terminated copy): returns the rest. */
static char *strip_think(pstate *st, const char *s)
{
	crmw_buf out = CRMW_BUF_INIT;
	const char *end = s + strlen(s);
	const char *p = s;
	/* A reply that starts inside a think block (the template opened it). */
	const char *close = find(s, end, "</think>");
	const char *open = find(s, end, "<think>");
	if (close && (!open || close < open)) {
		if (close > s)
			add_thinking(st, s, (size_t)(close - s));
		p = close + strlen("</think>");
	}
	while ((open = find(p, end, "<think>")) != NULL) {
		add_span(&out, p, open, &st->oom);
		const char *in = open + strlen("<think>");
		close = find(in, end, "</think>");
		if (!close) {
			/* Unterminated: a leading one is thinking to the end (the
			 * model stopped while thinking); a later one is text. */
			const char *o = out.data ? out.data : "";
			if (skip_ws(o, o + out.len) == o + out.len) {
				if (in < end)
					add_thinking(st, in, (size_t)(end - in));
			} else {
				add_span(&out, open, end, &st->oom);
			}
			p = end;
			break;
		}
		add_thinking(st, in, (size_t)(close - in));
		p = close + strlen("</think>");
	}
	add_span(&out, p, end, &st->oom);
	if (!out.data && crmw__buf_append(&out, "", 0))
		st->oom = true;
	return out.data;
}

static void parse_text(pstate *st, const char *text)
{
	char *t = strip_think(st, text);
	if (!t) {
		st->oom = true;
		return;
	}
	const char *end = t + strlen(t);
	const char *d0 = st->dialect;
	bool react = !st->o || st->o->react;
	bool found = parse_tool_call_blocks(st, t, end) || parse_bare_functions(st, t, end) ||
		     parse_mistral(st, t, end) || (react && parse_react(st, t, end)) || parse_llama(st, t, end) ||
		     parse_action_lines(st, t, end);
	if (!found) {
		add_span(&st->content, t, end, &st->oom);
		st->dialect = d0 ? d0 : "text";
	} else if (d0) {
		st->dialect = d0; /* a JSON message keeps its dialect */
	}
	free(t);
}

/* --------------------------------------------------------- JSON messages */

static bool is_block_array(const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (!json_is_object(x) || !json_is_string(json_object_get(x, "type")))
			return false;
	}
	return true;
}

/* Anthropic content blocks (text, thinking, tool_use).  A list of OpenAI
 * tool calls ({"type": "function", "function": {...}}) has the same shape
 * and is read too. */
static void parse_blocks(pstate *st, const json_t *blocks)
{
	bool anthropic = false;
	crmw_buf text = CRMW_BUF_INIT;
	size_t i;
	json_t *b;
	json_array_foreach(blocks, i, b) {
		const char *type = json_string_value(json_object_get(b, "type"));
		if (strcmp(type, "text") == 0) {
			anthropic = true;
			const json_t *t = json_object_get(b, "text");
			if (json_is_string(t)) {
				if (text.len)
					add_text(&text, "\n", 1, &st->oom);
				add_text(&text, json_string_value(t), json_string_length(t), &st->oom);
			}
		} else if (strcmp(type, "thinking") == 0) {
			anthropic = true;
			const json_t *t = json_object_get(b, "thinking");
			if (json_is_string(t))
				add_thinking(st, json_string_value(t), json_string_length(t));
		} else if (strcmp(type, "tool_use") == 0) {
			anthropic = true;
			const char *name = json_string_value(json_object_get(b, "name"));
			if (!name || !*name) {
				add_error(st,
					  "The tool_use block %zu has no \"name\" (the tool to call). Write {\"type\": "
					  "\"tool_use\", \"id\": ..., \"name\": \"tool_name\", \"input\": {...}}.",
					  i + 1);
				continue;
			}
			json_t *args = arguments_of(st, json_object_get(b, "input"), name);
			if (args)
				add_call(st, json_string_value(json_object_get(b, "id")), name, args);
		} else if (strcmp(type, "function") == 0 || json_is_object(json_object_get(b, "function"))) {
			where w = {"tool call", (int)i + 1, FORM_JSON};
			call_from_object(st, b, &w);
		}
	}
	if (!st->dialect || anthropic)
		st->dialect = anthropic ? "anthropic" : "openai";
	if (text.len)
		parse_text(st, text.data);
	crmw_buf_dispose(&text);
}

static void parse_message(pstate *st, const json_t *m)
{
	const json_t *content = json_object_get(m, "content");
	st->dialect = "openai";
	if (is_block_array(content)) {
		parse_blocks(st, content);
	} else if (json_is_string(content)) {
		parse_text(st, json_string_value(content));
	}
	const json_t *reasoning = json_object_get(m, "reasoning_content");
	if (!json_is_string(reasoning))
		reasoning = json_object_get(m, "reasoning");
	if (json_is_string(reasoning))
		add_thinking(st, json_string_value(reasoning), json_string_length(reasoning));
	const json_t *calls = json_object_get(m, "tool_calls");
	if (json_is_array(calls)) {
		size_t i;
		json_t *c;
		json_array_foreach(calls, i, c) {
			where w = {"tool call", (int)i + 1, FORM_JSON};
			call_from_object(st, c, &w);
		}
	} else if (calls && !json_is_null(calls)) {
		add_error(st, "\"tool_calls\" must be a list of calls, like [{\"id\": ..., \"type\": \"function\", "
			      "\"function\": {\"name\": \"tool_name\", \"arguments\": \"{...}\"}}].");
	}
}

/* ------------------------------------------------------------------ API */

static void trim_buf(crmw_buf *b)
{
	if (!b->data)
		return;
	size_t a = 0, e = b->len;
	while (a < e && is_ws(b->data[a]))
		a++;
	while (e > a && is_ws(b->data[e - 1]))
		e--;
	memmove(b->data, b->data + a, e - a);
	b->len = e - a;
	b->data[b->len] = '\0';
}

int crmw__parse_output(json_t **out, const char *text, size_t len, const crmw__parse_opts *opts)
{
	if (!out || (!text && len))
		return CRMW_EINVALID;
	*out = NULL;
	pstate st = {.o = opts, .actions = json_array(), .errors = json_array()};
	char *t = clean_utf8(text ? text : "", len);
	if (!t || !st.actions || !st.errors) {
		free(t);
		json_decref(st.actions);
		json_decref(st.errors);
		return CRMW_ENOMEM;
	}
	const char *b = skip_ws(t, t + strlen(t));
	json_t *v = NULL;
	bool done = false;
	if ((*b == '{' || *b == '[') && crmw__json_parse(t, strlen(t), &v, NULL) == CRMW_OK) {
		if (json_is_object(v) && (json_object_get(v, "role") || json_object_get(v, "tool_calls") ||
					  json_object_get(v, "content"))) {
			parse_message(&st, v);
			done = true;
		} else if (is_block_array(v)) {
			parse_blocks(&st, v);
			done = true;
		}
		json_decref(v);
	}
	if (!done)
		parse_text(&st, t);
	free(t);
	if (st.nerrors > MAX_ERRORS) {
		char m[96];
		snprintf(m, sizeof m, "There were %d more problems like these.", st.nerrors - MAX_ERRORS);
		json_t *js = json_string(m);
		if (!js || json_array_append_new(st.errors, js))
			st.oom = true;
	}
	trim_buf(&st.content);
	trim_buf(&st.thinking);
	json_t *r = st.oom ? NULL
			   : json_pack("{s:s, s:s, s:o}", "dialect", st.dialect ? st.dialect : "text", "content",
				       st.content.data ? st.content.data : "", "actions", st.actions);
	if (!st.oom)
		st.actions = NULL;
	if (r && st.thinking.len && json_object_set_new(r, "thinking", json_string(st.thinking.data))) {
		json_decref(r);
		r = NULL;
	}
	if (r && json_array_size(st.errors) && json_object_set(r, "errors", st.errors)) {
		json_decref(r);
		r = NULL;
	}
	json_decref(st.actions);
	json_decref(st.errors);
	crmw_buf_dispose(&st.content);
	crmw_buf_dispose(&st.thinking);
	if (!r)
		return CRMW_ENOMEM;
	*out = r;
	return CRMW_OK;
}

char *crmw__format_error_text(const json_t *parsed, const char *mode)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(parsed, "errors"), i, e) {
		if (!rc && json_is_string(e))
			rc = crmw__buf_printf(&b, "%s\n", json_string_value(e));
	}
	if (!rc && b.len == 0) {
		const char *content = json_string_value(json_object_get(parsed, "content"));
		rc = crmw__buf_puts(&b, content && *content ? "Your reply had no action.\n" : "Your reply was empty.\n");
	}
	if (!rc)
		rc = crmw__buf_puts(&b, mode && strcmp(mode, "react") == 0
						? "Reply with <execute>one SOQL or SOSL query</execute> to read the org, or "
						  "<respond>the final answer</respond>."
						: "Call a tool in the tool-calling format (or write <tool_call>{\"name\": "
						  "\"tool_name\", \"arguments\": {...}}</tool_call>), and give the final answer "
						  "with the respond tool.");
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}
