/*
 * lib/agent/plan.c: plans distilled from a solved episode, for the shared
 * memory.  The task's entities (ids, dates, numbers, quoted strings in its
 * query and required metadata) become slots; arguments that came from an
 * earlier result become {"$ref": "/N/path"} references (the gold programs'
 * notation); strings that embed an entity become {"$template": "..{s0}.."}.
 * A deterministic guideline text is written from the plan.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "tasks/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ slots */

static bool has_slot(const json_t *slots, const char *v, size_t n)
{
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) {
		const json_t *x = json_object_get(s, "value");
		if (json_string_length(x) == n && memcmp(json_string_value(x), v, n) == 0)
			return true;
	}
	return false;
}

static int add_slot(json_t *slots, const char *kind, const char *v, size_t n, const char *where)
{
	if (n == 0 || has_slot(slots, v, n))
		return CRMW_OK;
	char name[16];
	snprintf(name, sizeof name, "s%zu", json_array_size(slots));
	json_t *val = json_stringn(v, n);
	if (!val)
		return CRMW_ENOMEM;
	return json_array_append_new(slots, json_pack("{s:s, s:s, s:o, s:s}", "name", name, "kind", kind, "value", val,
						      "where", where))
		       ? CRMW_ENOMEM
		       : CRMW_OK;
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
				rc = add_slot(slots, "text", s + i + 1, (size_t)(end - (s + i + 1)), where);
				i = (size_t)(end - s) + 1;
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
			rc = add_slot(slots, "date", s + i, 10, where);
			i += 10;
			continue;
		}
		size_t j = i;
		while (j < n && isalnum((unsigned char)s[j]))
			j++;
		bool digits = true;
		for (size_t k = i; k < j; k++)
			digits = digits && isdigit((unsigned char)s[k]);
		if (crmw__is_id_token(s + i, j - i)) {
			rc = add_slot(slots, "id", s + i, j - i, where);
		} else if (digits) {
			size_t k = j;
			if (k + 1 < n && s[k] == '.' && isdigit((unsigned char)s[k + 1]))
				for (k++; k < n && isdigit((unsigned char)s[k]); k++)
					;
			rc = add_slot(slots, "number", s + i, k - i, where);
			j = k;
		}
		i = j;
	}
	return rc;
}

/* --------------------------------------------------------- generalising */

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

static json_t *ref_to(const json_t *results, size_t upto, const json_t *v)
{
	char path[512];
	for (size_t i = 0; i < upto; i++) {
		int w = snprintf(path, sizeof path, "/%zu", i);
		if (find_value(json_array_get(results, i), v, path, sizeof path, (size_t)w))
			return json_pack("{s:s}", "$ref", path);
	}
	return NULL;
}

static const char *slot_equal(const json_t *slots, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(slots, i, x) {
		if (strcmp(json_string_value(json_object_get(x, "value")), s) == 0)
			return json_string_value(json_object_get(x, "name"));
	}
	return NULL;
}

/* "..{s0}.." when `s` contains slot values, else NULL. */
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
			size_t n = strlen(v);
			if (n > best && strncmp(p, v, n) == 0) {
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

static json_t *generalise(const json_t *v, const json_t *slots, const json_t *results, size_t upto)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		const char *name = slot_equal(slots, s);
		if (name)
			return json_pack("{s:s}", "$slot", name);
		json_t *r = json_string_length(v) >= 3 ? ref_to(results, upto, v) : NULL;
		if (!r)
			r = template_of(slots, s);
		return r ? r : json_deep_copy(v);
	}
	if (json_is_integer(v) || json_is_real(v)) {
		char num[64];
		if (json_is_integer(v))
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		else
			snprintf(num, sizeof num, "%.15g", json_real_value(v));
		const char *name = slot_equal(slots, num);
		return name ? json_pack("{s:s, s:s}", "$slot", name, "as", "number") : json_deep_copy(v);
	}
	if (json_is_array(v)) {
		json_t *r = json_array_size(v) > 0 ? ref_to(results, upto, v) : NULL;
		if (r)
			return r;
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

/* ----------------------------------------------------------------- text */

static int describe_value(crmw_buf *b, const json_t *g)
{
	const char *slot = json_string_value(json_object_get(g, "$slot"));
	const char *ref = json_string_value(json_object_get(g, "$ref"));
	const char *tpl = json_string_value(json_object_get(g, "$template"));
	if (slot)
		return crmw__buf_printf(b, "<%s from the task>", slot);
	if (ref) {
		const char *p = ref + 1;
		long step = strtol(p, NULL, 10);
		const char *rest = strchr(p, '/');
		return rest ? crmw__buf_printf(b, "<%s of step %ld's result>", rest, step + 1)
			    : crmw__buf_printf(b, "<step %ld's result>", step + 1);
	}
	if (tpl)
		return crmw__buf_printf(b, "\"%.120s\"", tpl);
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

int crmw__plan_build(json_t **plan_out, char **text_out, const json_t *task, const json_t *calls, const char *answer)
{
	*plan_out = NULL;
	*text_out = NULL;
	json_t *slots = json_array(), *steps = json_array(), *results = json_array();
	int rc = slots && steps && results ? CRMW_OK : CRMW_ENOMEM;
	const char *query = json_string_value(json_object_get(task, "query"));
	rc = rc ? rc : scan_slots(slots, query, "query");
	rc = rc ? rc : scan_slots(slots, json_string_value(json_object_get(json_object_get(task, "metadata"), "required")),
				  "metadata");
	size_t i;
	json_t *c;
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
		const char *name = slot_equal(slots, answer);
		json_t *as = json_string(answer);
		json_t *r = name ? NULL : ref_to(results, json_array_size(results), as);
		if (name) {
			content = json_pack("{s:s}", "$slot", name);
			source = "slot";
		} else if (r) {
			json_object_set_new(r, "as", json_string("text"));
			content = r;
			source = "ref";
		} else {
			content = json_incref(as);
		}
		json_decref(as);
		rc = json_array_append_new(steps, json_pack("{s:s, s:{s:o}}", "name", "respond", "arguments", "content",
							    content))
			     ? CRMW_ENOMEM
			     : CRMW_OK;
	}
	crmw_buf b = CRMW_BUF_INIT;
	if (!rc) {
		json_t *tq = query ? template_of(slots, query) : NULL;
		const char *shape = tq ? json_string_value(json_object_get(tq, "$template")) : query;
		rc = crmw__buf_printf(&b, "For tasks like \"%s\":\n", shape ? shape : "");
		json_decref(tq);
		json_t *st;
		json_array_foreach(steps, i, st) {
			if (rc)
				break;
			rc = describe_step(&b, i, st);
		}
		if (!rc && strcmp(source, "literal") == 0)
			rc = crmw__buf_puts(&b, "The answer was read from the results above, not copied from one field.\n");
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
