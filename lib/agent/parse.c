/*
 * lib/agent/parse.c: the model-output parser (contract in parse.h).  Every
 * dialect ends as one list of actions; JSON is located with a string-aware
 * extent scanner and parsed by the library's strict reader.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/parse.h"
#include "common/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pstate {
	const crmw__parse_opts *o;
	json_t *actions, *errors;
	crmw_buf content, thinking;
	const char *dialect;
	int ncalls, nblocks;
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
static const char *json_extent(const char *p, const char *end)
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

static void add_error(pstate *st, const char *fmt, ...) CRMW_PRINTF(2, 3);
static void add_error(pstate *st, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_t *s = json_string(buf);
	if (!s || json_array_append_new(st->errors, s))
		st->oom = true;
}

static void add_text(crmw_buf *b, const char *p, size_t n, bool *oom)
{
	if (n && crmw__buf_append(b, p, n))
		*oom = true;
}

static void add_action(pstate *st, json_t *a)
{
	if (!a || json_array_append_new(st->actions, a))
		st->oom = true;
}

/* arguments: an object, a JSON string of one, or a string of such a string. */
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
		const char *b = skip_ws(s, s + n);
		json_t *p = NULL;
		crmw__json_error je;
		if (b == s + n) {
			json_decref(cur);
			return json_object();
		}
		if (crmw__json_parse(s, n, &p, &je)) {
			add_error(st, "The arguments of %s are not valid JSON (%s, line %d, column %d). Give the arguments as a JSON object.",
				  name, je.text, je.line, je.column);
			json_decref(cur);
			return NULL;
		}
		json_decref(cur);
		cur = p;
	}
	if (json_is_object(cur))
		return cur;
	json_decref(cur);
	add_error(st, "The arguments of %s must be a JSON object, like {\"name\": \"%s\", \"arguments\": {\"key\": \"value\"}}.", name,
		  name);
	return NULL;
}

static void add_call(pstate *st, const char *id, const char *name, json_t *args)
{
	char gen[96];
	if (!id || !*id) {
		snprintf(gen, sizeof gen, "%s%d", st->o && st->o->id_prefix ? st->o->id_prefix : "call_", st->ncalls);
		id = gen;
	}
	st->ncalls++;
	add_action(st, json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_call", "id", id, "name", name, "arguments", args));
}

/* One call object {"name", "arguments"|"parameters", "id"?}. */
static void call_from_object(pstate *st, const json_t *o, int which)
{
	if (!json_is_object(o)) {
		add_error(st, "Tool call %d is not a JSON object. Write {\"name\": \"tool_name\", \"arguments\": {...}}.", which);
		return;
	}
	const json_t *fn = json_object_get(o, "function");
	const json_t *src = json_is_object(fn) ? fn : o;
	const char *name = json_string_value(json_object_get(src, "name"));
	if (!name && json_is_string(fn))
		name = json_string_value(fn);
	if (!name || !*name) {
		add_error(st, "Tool call %d has no \"name\". Write {\"name\": \"tool_name\", \"arguments\": {...}}.", which);
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

/* Parse JSON values (objects or arrays of objects) glued in [p, end). */
static const char *json_calls(pstate *st, const char *p, const char *end, const char *what)
{
	for (;;) {
		p = skip_ws(p, end);
		while (p < end && (*p == ',' || *p == ';'))
			p = skip_ws(p + 1, end);
		if (p >= end || (*p != '{' && *p != '['))
			return p;
		const char *e = json_extent(p, end);
		int which = ++st->nblocks;
		if (!e) {
			add_error(st, "The JSON of %s %d does not close (a brace or quote is missing). Write {\"name\": \"tool_name\", \"arguments\": {...}}.",
				  what, which);
			return end;
		}
		json_t *v;
		crmw__json_error je;
		if (crmw__json_parse(p, (size_t)(e - p), &v, &je)) {
			add_error(st, "The JSON of %s %d is not valid (%s, line %d, column %d). Write {\"name\": \"tool_name\", \"arguments\": {...}}.",
				  what, which, je.text, je.line, je.column);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) call_from_object(st, x, which);
			json_decref(v);
		} else {
			call_from_object(st, v, which);
			json_decref(v);
		}
		p = e;
	}
}

/* ------------------------------------------------------------ dialects */

/* <function=NAME><parameter=P>v</parameter>...</function> in [p, end). */
static const char *qwen_function(pstate *st, const char *p, const char *end)
{
	p += strlen("<function=");
	const char *gt = memchr(p, '>', (size_t)(end - p));
	if (!gt) {
		add_error(st, "%s", "A <function=NAME> tag is not closed with '>'. Write <function=tool_name><parameter=key>value</parameter></function>.");
		return end;
	}
	char *name = crmw__strndup(p, (size_t)(gt - p));
	const char *fend = find(gt, end, "</function>");
	const char *stop = fend ? fend : end;
	json_t *args = json_object();
	if (!name || !args) {
		st->oom = true;
		free(name);
		json_decref(args);
		return end;
	}
	for (const char *q = gt + 1; (q = find(q, stop, "<parameter=")) != NULL;) {
		q += strlen("<parameter=");
		const char *pg = memchr(q, '>', (size_t)(stop - q));
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
		char *key = crmw__strndup(q, (size_t)(pg - q));
		json_t *val = NULL;
		if (crmw__json_parse(v, (size_t)(w - v), &val, NULL))
			val = json_stringn(v, (size_t)(w - v));
		if (!key || !val || json_object_set_new(args, key, val))
			st->oom = true;
		free(key);
		q = ve ? ve + strlen("</parameter>") : stop;
	}
	if (*name)
		add_call(st, NULL, name, args);
	else {
		json_decref(args);
		add_error(st, "%s", "A <function=> tag has no tool name.");
	}
	free(name);
	return fend ? fend + strlen("</function>") : end;
}

/* Hermes/Qwen: <tool_call>...</tool_call> blocks. */
static bool parse_tool_call_blocks(pstate *st, const char *s, const char *end)
{
	const char *p = find(s, end, "<tool_call>");
	if (!p)
		return false;
	st->dialect = "hermes";
	const char *prev = s;
	while (p) {
		add_text(&st->content, prev, (size_t)(p - prev), &st->oom);
		const char *q = skip_ws(p + strlen("<tool_call>"), end);
		if (find(q, q + 10 <= end ? q + 10 : end, "<function=") == q) {
			st->dialect = "qwen_xml";
			q = qwen_function(st, q, end);
			q = skip_ws(q, end);
		} else {
			const char *before = q;
			q = json_calls(st, q, end, "<tool_call> block");
			if (q == before && q < end && strncmp(q, "</tool_call>", 12) != 0)
				add_error(st, "%s", "A <tool_call> block holds no JSON object. Write <tool_call>{\"name\": \"tool_name\", \"arguments\": {...}}</tool_call>.");
		}
		const char *close = find(q, end, "</tool_call>");
		prev = close ? close + strlen("</tool_call>") : end;
		p = find(prev, end, "<tool_call>");
	}
	add_text(&st->content, prev, (size_t)(end - prev), &st->oom);
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
		add_text(&st->content, prev, (size_t)(p - prev), &st->oom);
		prev = qwen_function(st, p, end);
		p = find(prev, end, "<function=");
	}
	add_text(&st->content, prev, (size_t)(end - prev), &st->oom);
	return true;
}

static bool parse_mistral(pstate *st, const char *s, const char *end)
{
	const char *p = find(s, end, "[TOOL_CALLS]");
	if (!p)
		return false;
	st->dialect = "mistral";
	add_text(&st->content, s, (size_t)(p - s), &st->oom);
	const char *q = json_calls(st, p + strlen("[TOOL_CALLS]"), end, "[TOOL_CALLS] entry");
	add_text(&st->content, q, (size_t)(end - q), &st->oom);
	return true;
}

static const char *const REACT_TAGS[] = {"thought", "execute", "respond", "submit"};

/* The first ReAct tag in [p, end): its position, index in REACT_TAGS, the
 * start of its inner text and its closing tag (NULL when unclosed). */
static const char *next_tag(const char *p, const char *end, size_t *which, const char **in, const char **close)
{
	const char *best = NULL;
	char tag[16];
	for (size_t i = 0; i < CRMW_ARRAY_LEN(REACT_TAGS); i++) {
		snprintf(tag, sizeof tag, "<%s>", REACT_TAGS[i]);
		const char *f = find(p, best ? best : end, tag);
		if (f && (!best || f < best)) {
			best = f;
			*which = i;
		}
	}
	if (!best)
		return NULL;
	*in = best + strlen(REACT_TAGS[*which]) + 2;
	snprintf(tag, sizeof tag, "</%s>", REACT_TAGS[*which]);
	*close = find(*in, end, tag);
	return best;
}

/* ReAct tags.  Returns true when an action tag was found; thoughts and the
 * text between the tags are content. */
static bool parse_react(pstate *st, const char *s, const char *end)
{
	bool any = false;
	size_t bi;
	const char *in, *ce, *prev = s, *tag;
	for (const char *p = s; p < end && (tag = next_tag(p, end, &bi, &in, &ce)) != NULL;) {
		const char *iend = ce ? ce : end;
		add_text(&st->content, prev, (size_t)(tag - prev), &st->oom);
		if (bi == 0) {
			add_text(&st->content, in, (size_t)(iend - in), &st->oom);
			add_text(&st->content, "\n", 1, &st->oom);
		} else {
			any = true;
			const char *a = skip_ws(in, iend), *b = iend;
			while (b > a && is_ws(b[-1]))
				b--;
			json_t *v = json_stringn(a, (size_t)(b - a));
			if (bi == 1)
				add_action(st, json_pack("{s:s, s:o}", "type", "execute", "query", v));
			else
				add_action(st, json_pack("{s:s, s:o}", "type", "respond", "content", v));
		}
		prev = p = ce ? ce + strlen(REACT_TAGS[bi]) + 3 : end;
	}
	if (!any) {
		crmw__buf_clear(&st->content);
		return false;
	}
	add_text(&st->content, prev, (size_t)(end - prev), &st->oom);
	st->dialect = "react";
	return true;
}

/* Action: NAME / Action Input: {json} */
static bool parse_action_lines(pstate *st, const char *s, const char *end)
{
	const char *p = find(s, end, "Action:");
	if (!p || (p > s && p[-1] != '\n' && !is_ws(p[-1])))
		return false;
	st->dialect = "action";
	add_text(&st->content, s, (size_t)(p - s), &st->oom);
	const char *nm = skip_ws(p + 7, end);
	const char *nl = nm < end ? memchr(nm, '\n', (size_t)(end - nm)) : NULL;
	const char *ne = nl ? nl : end;
	while (ne > nm && is_ws(ne[-1]))
		ne--;
	char *name = crmw__strndup(nm, (size_t)(ne - nm));
	const char *in = find(nl ? nl : end, end, "Action Input:");
	json_t *args = NULL;
	if (in) {
		const char *a = skip_ws(in + 13, end);
		const char *e = (a < end && (*a == '{' || *a == '[')) ? json_extent(a, end) : NULL;
		if (e) {
			crmw__json_error je;
			json_t *v;
			if (crmw__json_parse(a, (size_t)(e - a), &v, &je)) {
				add_error(st, "The Action Input of %s is not valid JSON (%s, line %d, column %d).", name ? name : "?",
					  je.text, je.line, je.column);
			} else {
				args = arguments_of(st, v, name ? name : "?");
				json_decref(v);
			}
		} else if (a < end && (*a == '{' || *a == '[')) {
			add_error(st, "The Action Input of %s does not close (a brace or quote is missing).", name ? name : "?");
		} else if (a < end) {
			const char *le = memchr(a, '\n', (size_t)(end - a));
			const char *b = le ? le : end;
			while (b > a && is_ws(b[-1]))
				b--;
			args = json_pack("{s:s%}", "input", a, (size_t)(b - a));
		}
	} else {
		args = json_object();
	}
	if (!name || !*name)
		add_error(st, "%s", "The line \"Action:\" names no tool. Write Action: tool_name, then Action Input: {...}.");
	else if (args)
		add_call(st, NULL, name, json_incref(args));
	json_decref(args);
	free(name);
	return true;
}

/* Llama 3: the whole text is a call object or an array of them. */
static bool parse_llama(pstate *st, const char *s, const char *end)
{
	const char *p = skip_ws(s, end);
	if (end - p >= 14 && memcmp(p, "<|python_tag|>", 14) == 0)
		p = skip_ws(p + 14, end);
	const char *e = end;
	if (end - p >= 3 && memcmp(p, "```", 3) == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *fe = nl ? find(nl, end, "```") : NULL;
		if (!nl || !fe)
			return false;
		p = skip_ws(nl + 1, fe);
		e = fe;
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
		int which = ++st->nblocks;
		if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) call_from_object(st, x, which);
		} else {
			call_from_object(st, v, which);
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
		add_text(&st->thinking, s, (size_t)(close - s), &st->oom);
		p = close + strlen("</think>");
	}
	while ((open = find(p, end, "<think>")) != NULL) {
		add_text(&out, p, (size_t)(open - p), &st->oom);
		const char *in = open + strlen("<think>");
		close = find(in, end, "</think>");
		if (!close) {
			bool leading = skip_ws(out.data ? out.data : "", (out.data ? out.data : "") + out.len) ==
				       (out.data ? out.data : "") + out.len;
			if (leading) {
				add_text(&st->thinking, in, (size_t)(end - in), &st->oom);
				p = end;
			} else {
				add_text(&out, open, (size_t)(end - open), &st->oom);
				p = end;
			}
			break;
		}
		if (st->thinking.len)
			add_text(&st->thinking, "\n", 1, &st->oom);
		add_text(&st->thinking, in, (size_t)(close - in), &st->oom);
		p = close + strlen("</think>");
	}
	add_text(&out, p, (size_t)(end - p), &st->oom);
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
		add_text(&st->content, t, (size_t)(end - t), &st->oom);
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

static void parse_blocks(pstate *st, const json_t *blocks)
{
	st->dialect = "anthropic";
	crmw_buf text = CRMW_BUF_INIT;
	size_t i;
	json_t *b;
	json_array_foreach(blocks, i, b) {
		const char *type = json_string_value(json_object_get(b, "type"));
		if (strcmp(type, "text") == 0) {
			const char *t = json_string_value(json_object_get(b, "text"));
			if (t) {
				if (text.len)
					add_text(&text, "\n", 1, &st->oom);
				add_text(&text, t, strlen(t), &st->oom);
			}
		} else if (strcmp(type, "thinking") == 0) {
			const char *t = json_string_value(json_object_get(b, "thinking"));
			if (t)
				add_text(&st->thinking, t, strlen(t), &st->oom);
		} else if (strcmp(type, "tool_use") == 0) {
			const char *name = json_string_value(json_object_get(b, "name"));
			int which = ++st->nblocks;
			if (!name || !*name) {
				add_error(st, "The tool_use block %d has no \"name\".", which);
				continue;
			}
			json_t *args = arguments_of(st, json_object_get(b, "input"), name);
			if (args)
				add_call(st, json_string_value(json_object_get(b, "id")), name, args);
		}
	}
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
	if (json_is_string(reasoning))
		add_text(&st->thinking, json_string_value(reasoning), json_string_length(reasoning), &st->oom);
	const json_t *calls = json_object_get(m, "tool_calls");
	if (json_is_array(calls)) {
		if (strcmp(st->dialect, "anthropic") != 0)
			st->dialect = "openai";
		size_t i;
		json_t *c;
		json_array_foreach(calls, i, c) call_from_object(st, c, (int)i + 1);
	} else if (calls && !json_is_null(calls)) {
		add_error(st, "%s", "\"tool_calls\" must be a list of calls.");
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
	trim_buf(&st.content);
	trim_buf(&st.thinking);
	json_t *r = st.oom ? NULL
			   : json_pack("{s:s, s:s, s:o}", "dialect", st.dialect ? st.dialect : "text", "content",
				       st.content.data ? st.content.data : "", "actions", st.actions);
	if (!st.oom)
		st.actions = NULL;
	if (r && st.thinking.len)
		json_object_set_new(r, "thinking", json_string(st.thinking.data));
	if (r && json_array_size(st.errors))
		json_object_set(r, "errors", st.errors);
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
		rc = rc ? rc : crmw__buf_printf(&b, "%s\n", json_string_value(e));
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
