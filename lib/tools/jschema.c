/*
 * A JSON Schema subset for tool arguments: checking schemas, validating
 * (and coercing where allowed) values, and deriving GBNF grammars.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tools/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_keywords[] = {
	"type", "properties", "required", "additionalProperties", "enum", "const", "items",
	"minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	"minLength", "maxLength", "pattern", "format", "oneOf", "anyOf", "allOf", "description",
	"title", "default", "examples", "$schema", "x-coerce",
};
static const char *const known_types[] = {"string", "integer", "number", "boolean", "object", "array", "null"};
static const char *const known_formats[] = {"date", "date-time", "email"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ checking */

typedef struct cctx {
	jschema *s;
	char *why;
	size_t whylen;
} cctx;

static int bad(cctx *c, const char *path, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int bad(cctx *c, const char *path, const char *fmt, ...)
{
	char m[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	snprintf(c->why, c->whylen, "%s: %s", path[0] ? path : "/", m);
	return CRMW_ESCHEMA;
}

static int check(cctx *c, json_t *sc, const char *path, int depth)
{
	if (depth > 32)
		return bad(c, path, "%s", "schema nests too deeply");
	if (json_is_true(sc) || json_is_false(sc))
		return CRMW_OK;
	if (!json_is_object(sc))
		return bad(c, path, "%s", "a schema must be an object (or true/false)");
	const char *key;
	json_t *v;
	char sub[512];
	json_object_foreach(sc, key, v) {
		if (!in_list(key, known_keywords, CRMW_ARRAY_LEN(known_keywords))) {
			const char *hint = crmw__closest_name(key, known_keywords, CRMW_ARRAY_LEN(known_keywords));
			char m[200];
			snprintf(m, sizeof m, "unknown keyword \"%s\"%s%s%s", key, hint ? " (did you mean \"" : "",
				 hint ? hint : "", hint ? "\"?)" : "");
			return bad(c, path, "%s", m);
		}
	}
	json_t *t = json_object_get(sc, "type");
	if (t) {
		if (json_is_string(t)) {
			if (!in_list(json_string_value(t), known_types, CRMW_ARRAY_LEN(known_types)))
				return bad(c, path, "unknown type \"%s\"", json_string_value(t));
		} else if (json_is_array(t) && json_array_size(t) > 0) {
			size_t i;
			json_t *x;
			json_array_foreach(t, i, x)
				if (!json_is_string(x) || !in_list(json_string_value(x), known_types, CRMW_ARRAY_LEN(known_types)))
					return bad(c, path, "%s", "\"type\" lists an unknown type");
		} else {
			return bad(c, path, "%s", "\"type\" must be a type name or a list of them");
		}
	}
	json_t *p = json_object_get(sc, "properties");
	if (p) {
		if (!json_is_object(p))
			return bad(c, path, "%s", "\"properties\" must be an object");
		json_object_foreach(p, key, v) {
			snprintf(sub, sizeof sub, "%s/properties/%s", path, key);
			int rc = check(c, v, sub, depth + 1);
			if (rc)
				return rc;
		}
	}
	json_t *r = json_object_get(sc, "required");
	if (r) {
		size_t i;
		json_t *x;
		if (!json_is_array(r))
			return bad(c, path, "%s", "\"required\" must be a list of names");
		json_array_foreach(r, i, x) {
			if (!json_is_string(x))
				return bad(c, path, "%s", "\"required\" must be a list of names");
			if (p && !json_object_get(p, json_string_value(x)))
				return bad(c, path, "\"required\" names \"%s\", which is not in \"properties\"", json_string_value(x));
		}
	}
	json_t *ap = json_object_get(sc, "additionalProperties");
	if (ap && !json_is_boolean(ap)) {
		snprintf(sub, sizeof sub, "%s/additionalProperties", path);
		int rc = check(c, ap, sub, depth + 1);
		if (rc)
			return rc;
	}
	json_t *items = json_object_get(sc, "items");
	if (items) {
		snprintf(sub, sizeof sub, "%s/items", path);
		int rc = check(c, items, sub, depth + 1);
		if (rc)
			return rc;
	}
	static const char *const alts[] = {"oneOf", "anyOf", "allOf"};
	for (size_t a = 0; a < 3; a++) {
		json_t *l = json_object_get(sc, alts[a]);
		if (!l)
			continue;
		if (!json_is_array(l) || json_array_size(l) == 0)
			return bad(c, path, "\"%s\" must be a non-empty list of schemas", alts[a]);
		size_t i;
		json_t *x;
		json_array_foreach(l, i, x) {
			snprintf(sub, sizeof sub, "%s/%s/%zu", path, alts[a], i);
			int rc = check(c, x, sub, depth + 1);
			if (rc)
				return rc;
		}
	}
	json_t *e = json_object_get(sc, "enum");
	if (e && (!json_is_array(e) || json_array_size(e) == 0))
		return bad(c, path, "%s", "\"enum\" must be a non-empty list");
	static const char *const nums[] = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};
	for (size_t i = 0; i < 4; i++) {
		json_t *n = json_object_get(sc, nums[i]);
		if (n && !json_is_number(n))
			return bad(c, path, "\"%s\" must be a number", nums[i]);
	}
	static const char *const counts[] = {"minItems", "maxItems", "minLength", "maxLength"};
	for (size_t i = 0; i < 4; i++) {
		json_t *n = json_object_get(sc, counts[i]);
		if (n && (!json_is_integer(n) || json_integer_value(n) < 0))
			return bad(c, path, "\"%s\" must be a whole number", counts[i]);
	}
	json_t *f = json_object_get(sc, "format");
	if (f && (!json_is_string(f) || !in_list(json_string_value(f), known_formats, CRMW_ARRAY_LEN(known_formats))))
		return bad(c, path, "%s", "\"format\" must be \"date\", \"date-time\" or \"email\"");
	json_t *co = json_object_get(sc, "x-coerce");
	if (co && !json_is_boolean(co))
		return bad(c, path, "%s", "\"x-coerce\" must be true or false");
	json_t *pat = json_object_get(sc, "pattern");
	if (pat) {
		if (!json_is_string(pat))
			return bad(c, path, "%s", "\"pattern\" must be a string");
		jschema_re *nr = realloc(c->s->res, sizeof *nr * (size_t)(c->s->nres + 1));
		if (!nr)
			return CRMW_ENOMEM;
		c->s->res = nr;
		int err = regcomp(&nr[c->s->nres].re, json_string_value(pat), REG_EXTENDED | REG_NOSUB);
		if (err) {
			char m[200];
			regerror(err, &nr[c->s->nres].re, m, sizeof m);
			return bad(c, path, "\"pattern\" is not a POSIX extended regular expression: %s", m);
		}
		nr[c->s->nres].node = sc;
		c->s->nres++;
	}
	return CRMW_OK;
}

int crmw__jschema_compile(jschema *s, json_t *root, char *why, size_t whylen)
{
	memset(s, 0, sizeof *s);
	cctx c = {s, why, whylen};
	int rc = check(&c, root, "", 0);
	if (rc) {
		crmw__jschema_free(s);
		return rc;
	}
	s->root = json_incref(root);
	return CRMW_OK;
}

void crmw__jschema_free(jschema *s)
{
	for (int i = 0; i < s->nres; i++)
		regfree(&s->res[i].re);
	free(s->res);
	json_decref(s->root);
	memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------- validation */

typedef struct vctx {
	const jschema *s;
	char *path;
	size_t pathlen;
	char *msg;
	size_t msglen;
} vctx;

static const char *type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static bool is_type(const json_t *v, const char *t)
{
	if (strcmp(t, "integer") == 0)
		return json_is_integer(v) || (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
					      fabs(json_real_value(v)) < 9e15);
	if (strcmp(t, "number") == 0)
		return json_is_number(v);
	return strcmp(type_of(v), t) == 0;
}

static int vfail(vctx *c, const char *path, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int vfail(vctx *c, const char *path, const char *fmt, ...)
{
	snprintf(c->path, c->pathlen, "%s", path[0] ? path : "/");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, c->msglen, fmt, ap);
	va_end(ap);
	return CRMW_EINVALID;
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void show(const json_t *v, char *out, size_t n)
{
	char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(out, n, "%.60s%s", d ? d : "?", d && strlen(d) > 60 ? "..." : "");
	free(d);
}

/* Try to read a string as the schema's scalar type (x-coerce). */
static json_t *coerce(json_t *v, const char *type)
{
	if (!json_is_string(v))
		return NULL;
	const char *s = json_string_value(v);
	char *end;
	errno = 0;
	if (strcmp(type, "integer") == 0) {
		long long i = strtoll(s, &end, 10);
		return (*s && !*end && !errno) ? json_integer(i) : NULL;
	}
	if (strcmp(type, "number") == 0) {
		double d = strtod(s, &end);
		return (*s && !*end && !errno && isfinite(d)) ? json_real(d) : NULL;
	}
	if (strcmp(type, "boolean") == 0) {
		if (strcmp(s, "true") == 0)
			return json_true();
		if (strcmp(s, "false") == 0)
			return json_false();
	}
	return NULL;
}

/* JSON Pointer paths (RFC 6901), built without printf: validation runs on
 * every tool call, over every item of every array argument. */
static void path_key(char *out, size_t cap, const char *path, const char *key)
{
	size_t n = strlen(path);
	if (n >= cap - 1)
		n = cap - 2;
	memmove(out, path, n);
	out[n++] = '/';
	for (; key && *key && n < cap - 2; key++) {
		if (*key == '~' || *key == '/') {
			out[n++] = '~';
			out[n++] = *key == '~' ? '0' : '1';
		} else {
			out[n++] = *key;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

static void path_index(char *out, size_t cap, const char *path, size_t i)
{
	char digits[24];
	size_t k = sizeof digits;
	digits[--k] = '\0';
	do {
		digits[--k] = (char)('0' + i % 10);
		i /= 10;
	} while (i && k > 0);
	path_key(out, cap, path, digits + k);
}

static int validate(vctx *c, json_t *sc, json_t **vp, const char *path, int depth);

static int validate_alt(vctx *c, json_t *list, json_t **vp, const char *path, int depth, const char *kind)
{
	size_t i, matches = 0;
	json_t *x, *winner = NULL;
	char first_path[512] = "", first_msg[512] = "";
	json_array_foreach(list, i, x) {
		json_t *copy = json_deep_copy(*vp);
		if (!copy)
			return CRMW_ENOMEM;
		char p2[512], m2[512];
		vctx c2 = {c->s, p2, sizeof p2, m2, sizeof m2};
		int rc = validate(&c2, x, &copy, path, depth + 1);
		if (rc == CRMW_ENOMEM) {
			json_decref(copy);
			json_decref(winner);
			return rc;
		}
		if (rc == CRMW_OK) {
			matches++;
			if (!winner)
				winner = copy;
			else
				json_decref(copy);
			if (strcmp(kind, "anyOf") == 0)
				break;
		} else {
			if (!first_msg[0]) {
				snprintf(first_path, sizeof first_path, "%s", p2);
				snprintf(first_msg, sizeof first_msg, "%s", m2);
			}
			json_decref(copy);
		}
	}
	if (matches == 0)
		return vfail(c, first_path, "matches none of the allowed forms (first: %s)", first_msg);
	if (strcmp(kind, "oneOf") == 0 && matches > 1) {
		json_decref(winner);
		return vfail(c, path, "matches more than one of the allowed forms");
	}
	json_decref(*vp);
	*vp = winner;
	return CRMW_OK;
}

/* The keywords of one kind, each a function: type (with coercion), enum
 * and const, then those of strings, numbers, arrays and objects, then the
 * combinators.  Each returns CRMW_OK or the failure of validate(). */
static int v_type(vctx *c, json_t *sc, json_t **vp, const char *path)
{
	json_t *v = *vp;
	char shown[100];
	json_t *t = json_object_get(sc, "type");
	if (!t)
		return CRMW_OK;
	bool okt = false;
	size_t i;
	json_t *x;
	if (json_is_string(t))
		okt = is_type(v, json_string_value(t));
	else
		json_array_foreach(t, i, x) okt = okt || is_type(v, json_string_value(x));
	if (!okt && json_is_true(json_object_get(sc, "x-coerce"))) {
		json_t *n = NULL;
		if (json_is_string(t))
			n = coerce(v, json_string_value(t));
		else
			json_array_foreach(t, i, x) if (!n) n = coerce(v, json_string_value(x));
		if (n) {
			json_decref(*vp);
			*vp = v = n;
			okt = true;
		}
	}
	if (!okt) {
		char want[100] = "";
		if (json_is_string(t))
			snprintf(want, sizeof want, "%s", json_string_value(t));
		else
			json_array_foreach(t, i, x) {
				size_t l = strlen(want);
				snprintf(want + l, sizeof want - l, "%s%s", i ? " or " : "", json_string_value(x));
			}
		show(v, shown, sizeof shown);
		return vfail(c, path, "expected %s, got %s %s", want, type_of(v), shown);
	}
	/* An integral real for an integer: store it as an integer. */
	if (json_is_string(t) && strcmp(json_string_value(t), "integer") == 0 && json_is_real(v)) {
		json_t *n = json_integer((json_int_t)json_real_value(v));
		if (!n)
			return CRMW_ENOMEM;
		json_decref(*vp);
		*vp = v = n;
	}
	return CRMW_OK;
}

static int v_enum_const(vctx *c, json_t *sc, const json_t *v, const char *path)
{
	char shown[100];
	json_t *e = json_object_get(sc, "enum");
	if (e) {
		bool found = false;
		size_t i;
		json_t *x;
		json_array_foreach(e, i, x) found = found || json_equal(x, v);
		if (!found) {
			char opts[300];
			show(v, shown, sizeof shown);
			char *d = json_dumps(e, JSON_COMPACT);
			snprintf(opts, sizeof opts, "%.250s", d ? d : "");
			free(d);
			return vfail(c, path, "%s is not one of %s", shown, opts);
		}
	}
	json_t *k = json_object_get(sc, "const");
	if (k && !json_equal(k, v)) {
		show(k, shown, sizeof shown);
		return vfail(c, path, "must be %s", shown);
	}
	return CRMW_OK;
}

static int v_string(vctx *c, json_t *sc, const json_t *v, const char *path)
{
	const char *s = json_string_value(v);
	size_t n = utf8_len(s);
	json_t *mn = json_object_get(sc, "minLength"), *mx = json_object_get(sc, "maxLength");
	if (mn && (json_int_t)n < json_integer_value(mn))
		return vfail(c, path, "must have at least %lld characters", (long long)json_integer_value(mn));
	if (mx && (json_int_t)n > json_integer_value(mx))
		return vfail(c, path, "must have at most %lld characters", (long long)json_integer_value(mx));
	json_t *pat = json_object_get(sc, "pattern");
	if (pat) {
		for (int i = 0; i < c->s->nres; i++)
			if (c->s->res[i].node == sc && regexec(&c->s->res[i].re, s, 0, NULL, 0) != 0)
				return vfail(c, path, "'%.60s' does not match the pattern %s", s, json_string_value(pat));
	}
	json_t *f = json_object_get(sc, "format");
	if (f) {
		const char *fm = json_string_value(f);
		char norm[21];
		if (strcmp(fm, "date") == 0 && (strlen(s) != 10 || crmw__parse_date(s, 10, norm)))
			return vfail(c, path, "'%.60s' is not a date (YYYY-MM-DD)", s);
		if (strcmp(fm, "date-time") == 0 && (strlen(s) < 16 || crmw__parse_datetime(s, strlen(s), norm)))
			return vfail(c, path, "'%.60s' is not a date-time (YYYY-MM-DDTHH:MM:SSZ)", s);
		if (strcmp(fm, "email") == 0) {
			const char *at = strchr(s, '@');
			if (!at || at == s || !strchr(at, '.') || strchr(s, ' '))
				return vfail(c, path, "'%.60s' is not an e-mail address", s);
		}
	}
	return CRMW_OK;
}

static int v_number(vctx *c, json_t *sc, const json_t *v, const char *path)
{
	double d = json_number_value(v);
	json_t *x;
	if ((x = json_object_get(sc, "minimum")) && d < json_number_value(x))
		return vfail(c, path, "must be at least %g", json_number_value(x));
	if ((x = json_object_get(sc, "maximum")) && d > json_number_value(x))
		return vfail(c, path, "must be at most %g", json_number_value(x));
	if ((x = json_object_get(sc, "exclusiveMinimum")) && d <= json_number_value(x))
		return vfail(c, path, "must be more than %g", json_number_value(x));
	if ((x = json_object_get(sc, "exclusiveMaximum")) && d >= json_number_value(x))
		return vfail(c, path, "must be less than %g", json_number_value(x));
	return CRMW_OK;
}

static int v_array(vctx *c, json_t *sc, json_t *v, const char *path, int depth)
{
	char sub[512];
	size_t n = json_array_size(v);
	json_t *mn = json_object_get(sc, "minItems"), *mx = json_object_get(sc, "maxItems");
	if (mn && (json_int_t)n < json_integer_value(mn))
		return vfail(c, path, "must have at least %lld items", (long long)json_integer_value(mn));
	if (mx && (json_int_t)n > json_integer_value(mx))
		return vfail(c, path, "must have at most %lld items", (long long)json_integer_value(mx));
	json_t *items = json_object_get(sc, "items");
	for (size_t i = 0; items && i < n; i++) {
		json_t *item = json_incref(json_array_get(v, i));
		path_index(sub, sizeof sub, path, i);
		int rc = validate(c, items, &item, sub, depth + 1);
		if (!rc && item != json_array_get(v, i))
			json_array_set(v, i, item);
		json_decref(item);
		if (rc)
			return rc;
	}
	return CRMW_OK;
}

static int v_object(vctx *c, json_t *sc, json_t *v, const char *path, int depth)
{
	char sub[512];
	json_t *props = json_object_get(sc, "properties");
	json_t *req = json_object_get(sc, "required");
	size_t i;
	json_t *x;
	json_array_foreach(req, i, x) {
		if (!json_object_get(v, json_string_value(x))) {
			path_key(sub, sizeof sub, path, json_string_value(x));
			return vfail(c, sub, "missing required property '%s'", json_string_value(x));
		}
	}
	json_t *ap = json_object_get(sc, "additionalProperties");
	const char *key;
	json_t *val;
	void *tmp;
	json_object_foreach_safe(v, tmp, key, val) {
		json_t *psc = props ? json_object_get(props, key) : NULL;
		path_key(sub, sizeof sub, path, key);
		if (!psc) {
			if (json_is_false(ap)) {
				crmw__near near;
				crmw__near_init(&near, key);
				const char *pk;
				json_t *pv;
				json_object_foreach(props, pk, pv) crmw__near_add(&near, pk);
				const char *hint = crmw__near_best(&near);
				return vfail(c, sub, "unknown property '%s'%s%s%s", key, hint ? " (did you mean '" : "",
					     hint ? hint : "", hint ? "'?)" : "");
			}
			psc = json_is_object(ap) ? ap : NULL;
		}
		if (!psc)
			continue;
		json_t *item = json_incref(val);
		int rc = validate(c, psc, &item, sub, depth + 1);
		if (!rc && item != val)
			json_object_set(v, key, item);
		json_decref(item);
		if (rc)
			return rc;
	}
	return CRMW_OK;
}

static int v_combinators(vctx *c, json_t *sc, json_t **vp, const char *path, int depth)
{
	json_t *all = json_object_get(sc, "allOf");
	if (all) {
		size_t i;
		json_t *x;
		json_array_foreach(all, i, x) {
			int rc = validate(c, x, vp, path, depth + 1);
			if (rc)
				return rc;
		}
	}
	json_t *any = json_object_get(sc, "anyOf");
	if (any) {
		int rc = validate_alt(c, any, vp, path, depth, "anyOf");
		if (rc)
			return rc;
	}
	json_t *one = json_object_get(sc, "oneOf");
	if (one)
		return validate_alt(c, one, vp, path, depth, "oneOf");
	return CRMW_OK;
}

static int validate(vctx *c, json_t *sc, json_t **vp, const char *path, int depth)
{
	if (depth > 64)
		return vfail(c, path, "the value nests too deeply");
	if (json_is_true(sc))
		return CRMW_OK;
	if (json_is_false(sc))
		return vfail(c, path, "no value is allowed here");
	int rc = v_type(c, sc, vp, path);
	json_t *v = *vp; /* coerced, maybe */
	rc = rc ? rc : v_enum_const(c, sc, v, path);
	if (!rc && json_is_string(v))
		rc = v_string(c, sc, v, path);
	if (!rc && json_is_number(v))
		rc = v_number(c, sc, v, path);
	if (!rc && json_is_array(v))
		rc = v_array(c, sc, v, path, depth);
	if (!rc && json_is_object(v))
		rc = v_object(c, sc, v, path, depth);
	return rc ? rc : v_combinators(c, sc, vp, path, depth);
}

int crmw__jschema_validate(const jschema *s, json_t **value, char *path, size_t pathlen, char *msg,
			   size_t msglen)
{
	vctx c = {s, path, pathlen, msg, msglen};
	path[0] = msg[0] = '\0';
	return validate(&c, s->root, value, "", 0);
}

/* ------------------------------------------------------------- export */

static void strip(json_t *sc)
{
	if (json_is_object(sc)) {
		json_object_del(sc, "x-coerce");
		const char *k;
		json_t *v;
		json_object_foreach(sc, k, v) strip(v);
	} else if (json_is_array(sc)) {
		size_t i;
		json_t *v;
		json_array_foreach(sc, i, v) strip(v);
	}
}

json_t *crmw__jschema_public(json_t *schema)
{
	json_t *copy = json_deep_copy(schema);
	if (copy)
		strip(copy);
	return copy;
}

/* ------------------------------------------------------------ grammar */

static int gbnf_value(crmw_buf *out, json_t *sc, const char *rule, int *counter);

static int gbnf_literal(crmw_buf *b, json_t *v)
{
	/* A JSON literal as a GBNF string: quotes and backslashes escaped. */
	char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!d)
		return CRMW_ENOMEM;
	int rc = crmw__buf_putc(b, '"');
	for (const char *p = d; !rc && *p; p++)
		rc = (*p == '"' || *p == '\\') ? crmw__buf_printf(b, "\\%c", *p) : crmw__buf_putc(b, *p);
	rc = rc ? rc : crmw__buf_putc(b, '"');
	free(d);
	return rc;
}

static int gbnf_value(crmw_buf *out, json_t *sc, const char *rule, int *counter)
{
	crmw_buf body = CRMW_BUF_INIT, extra = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	json_t *e = json_is_object(sc) ? json_object_get(sc, "enum") : NULL;
	json_t *k = json_is_object(sc) ? json_object_get(sc, "const") : NULL;
	json_t *t = json_is_object(sc) ? json_object_get(sc, "type") : NULL;
	const char *type = json_is_string(t) ? json_string_value(t) : NULL;
	if (e) {
		size_t i;
		json_t *x;
		json_array_foreach(e, i, x) {
			rc = rc ? rc : crmw__buf_puts(&body, i ? " | " : "");
			rc = rc ? rc : gbnf_literal(&body, x);
		}
	} else if (k) {
		rc = gbnf_literal(&body, k);
	} else if (type && strcmp(type, "object") == 0) {
		/* Required properties in their declared order, then each optional
		 * one or not; with no required property, any of them in any order. */
		json_t *props = json_object_get(sc, "properties");
		json_t *req = json_object_get(sc, "required");
		const char *key;
		json_t *psc;
		crmw_buf reqs = CRMW_BUF_INIT, opts = CRMW_BUF_INIT;
		int nreq = 0, nopt = 0;
		json_object_foreach(props, key, psc) {
			bool required = false;
			size_t i;
			json_t *x;
			json_array_foreach(req, i, x) required = required || strcmp(json_string_value(x), key) == 0;
			char sub[160];
			snprintf(sub, sizeof sub, "%s-%d", rule, ++*counter);
			rc = rc ? rc : gbnf_value(&extra, psc, sub, counter);
			json_t *name = json_string(key);
			crmw_buf lit = CRMW_BUF_INIT;
			rc = rc ? rc : (name ? gbnf_literal(&lit, name) : CRMW_ENOMEM);
			json_decref(name);
			if (!rc && required)
				rc = crmw__buf_printf(&reqs, "%s%s ws \":\" ws %s", nreq++ ? " \",\" ws " : "", lit.data, sub);
			else if (!rc)
				rc = crmw__buf_printf(&opts, "%s%s ws \":\" ws %s", nopt++ ? " | " : "", lit.data, sub);
			crmw_buf_dispose(&lit);
		}
		if (!rc && nreq) {
			rc = crmw__buf_printf(&body, "\"{\" ws %s", reqs.data);
			if (!rc && nopt)
				rc = crmw__buf_printf(&body, " (\",\" ws (%s))*", opts.data);
			rc = rc ? rc : crmw__buf_puts(&body, " ws \"}\"");
		} else if (!rc && nopt) {
			rc = crmw__buf_printf(&body, "\"{\" ws ((%s) (\",\" ws (%s))*)? ws \"}\"", opts.data, opts.data);
		} else if (!rc) {
			rc = crmw__buf_puts(&body, "\"{\" ws \"}\"");
		}
		crmw_buf_dispose(&reqs);
		crmw_buf_dispose(&opts);
	} else if (type && strcmp(type, "array") == 0) {
		char sub[160];
		snprintf(sub, sizeof sub, "%s-%d", rule, ++*counter);
		json_t *items = json_object_get(sc, "items");
		rc = items ? gbnf_value(&extra, items, sub, counter) : crmw__buf_printf(&extra, "%s ::= value\n", sub);
		rc = rc ? rc : crmw__buf_printf(&body, "\"[\" ws (%s ws (\",\" ws %s ws)*)? \"]\"", sub, sub);
	} else if (type && strcmp(type, "string") == 0) {
		rc = crmw__buf_puts(&body, "string");
	} else if (type && strcmp(type, "integer") == 0) {
		rc = crmw__buf_puts(&body, "integer");
	} else if (type && strcmp(type, "number") == 0) {
		rc = crmw__buf_puts(&body, "number");
	} else if (type && strcmp(type, "boolean") == 0) {
		rc = crmw__buf_puts(&body, "(\"true\" | \"false\")");
	} else if (type && strcmp(type, "null") == 0) {
		rc = crmw__buf_puts(&body, "\"null\"");
	} else {
		rc = crmw__buf_puts(&body, "value");
	}
	rc = rc ? rc : crmw__buf_printf(out, "%s ::= %s\n", rule, body.data);
	if (!rc && extra.len)
		rc = crmw__buf_append(out, extra.data, extra.len);
	crmw_buf_dispose(&body);
	crmw_buf_dispose(&extra);
	return rc;
}

int crmw__jschema_gbnf(crmw_buf *out, json_t *schema, const char *rule)
{
	int counter = 0;
	return gbnf_value(out, schema, rule, &counter);
}
