/*
 * A strict JSON reader (RFC 8259) that builds jansson values.  jansson's
 * own reader decodes through a character stream and reaches about 60 MB/s;
 * tool arguments, tool results and model output cross this path on every
 * call, so the library reads JSON here: one pass over the bytes, strings
 * without escapes copied in one piece, UTF-8 checked with an ASCII fast
 * path.  Accepts exactly what jansson accepts with JSON_REJECT_DUPLICATES
 * and JSON_DECODE_ANY, minus NUL characters in strings.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/json.h"
#include <stdarg.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

typedef struct jp {
	const unsigned char *s;
	size_t n, i;
	int depth;
	crmw_buf scratch;
	crmw__json_error *err;
} jp;

static json_t *fail(jp *p, const char *fmt, ...) CRMW_PRINTF(2, 3);
static json_t *fail(jp *p, const char *fmt, ...)
{
	if (p->err && !p->err->text[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err->text, sizeof p->err->text, fmt, ap);
		va_end(ap);
		p->err->offset = p->i;
		int line = 1, col = 1;
		for (size_t k = 0; k < p->i && k < p->n; k++) {
			if (p->s[k] == '\n') {
				line++;
				col = 1;
			} else if ((p->s[k] & 0xC0) != 0x80) {
				col++;
			}
		}
		p->err->line = line;
		p->err->column = col;
	}
	return NULL;
}

static void skip_ws(jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\r' || p->s[p->i] == '\t'))
		p->i++;
}

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = c & (0x7F >> len);
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static int put_utf8(crmw_buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return crmw__buf_append(b, u, n);
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		unsigned c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * A string at p->i (the opening quote): start and len point into the input
 * when it has no escapes, else into p->scratch.  false on error.
 */
static bool read_string(jp *p, const char **start, size_t *len)
{
	p->i++; /* the quote */
	size_t from = p->i;
	/* Fast path: no escapes. */
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		if (c == '"') {
			*start = (const char *)p->s + from;
			*len = p->i - from;
			p->i++;
			return true;
		}
		if (c == '\\')
			break;
		if (c < 0x20) {
			fail(p, "control character U+%04X in a string", c);
			return false;
		}
		if (c < 0x80) {
			p->i++;
			continue;
		}
		size_t k = utf8_len(p->s + p->i, p->n - p->i);
		if (!k) {
			fail(p, "invalid UTF-8 in a string");
			return false;
		}
		p->i += k;
	}
	if (p->i >= p->n) {
		fail(p, "unterminated string");
		return false;
	}
	/* Escapes: decode into the scratch buffer. */
	crmw__buf_clear(&p->scratch);
	if (crmw__buf_append(&p->scratch, p->s + from, p->i - from)) {
		fail(p, "out of memory");
		return false;
	}
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		int rc = CRMW_OK;
		if (c == '"') {
			*start = p->scratch.data;
			*len = p->scratch.len;
			p->i++;
			return true;
		}
		if (c < 0x20) {
			fail(p, "control character U+%04X in a string", c);
			return false;
		}
		if (c == '\\') {
			if (p->i + 1 >= p->n)
				break;
			unsigned char e = p->s[p->i + 1];
			const char *one = NULL;
			switch (e) {
			case '"': one = "\""; break;
			case '\\': one = "\\"; break;
			case '/': one = "/"; break;
			case 'b': one = "\b"; break;
			case 'f': one = "\f"; break;
			case 'n': one = "\n"; break;
			case 'r': one = "\r"; break;
			case 't': one = "\t"; break;
			case 'u': break;
			default: fail(p, "invalid escape '\\%c'", e >= 0x20 && e < 0x7F ? e : '?'); return false;
			}
			if (one) {
				rc = crmw__buf_putc(&p->scratch, one[0]);
				p->i += 2;
			} else {
				unsigned cp;
				if (p->i + 6 > p->n || hex4(p->s + p->i + 2, &cp)) {
					fail(p, "invalid \\u escape");
					return false;
				}
				p->i += 6;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					unsigned lo;
					if (p->i + 6 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u' || hex4(p->s + p->i + 2, &lo) ||
					    lo < 0xDC00 || lo > 0xDFFF) {
						fail(p, "a high surrogate without its low surrogate");
						return false;
					}
					p->i += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					fail(p, "a low surrogate without its high surrogate");
					return false;
				}
				if (cp == 0) {
					fail(p, "\\u0000 is not allowed in strings");
					return false;
				}
				rc = put_utf8(&p->scratch, cp);
			}
		} else if (c < 0x80) {
			rc = crmw__buf_putc(&p->scratch, (char)c);
			p->i++;
		} else {
			size_t k = utf8_len(p->s + p->i, p->n - p->i);
			if (!k) {
				fail(p, "invalid UTF-8 in a string");
				return false;
			}
			rc = crmw__buf_append(&p->scratch, p->s + p->i, k);
			p->i += k;
		}
		if (rc) {
			fail(p, "out of memory");
			return false;
		}
	}
	fail(p, "unterminated string");
	return false;
}

static json_t *read_number(jp *p)
{
	size_t from = p->i;
	bool real = false;
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n || !(p->s[p->i] >= '0' && p->s[p->i] <= '9'))
		return fail(p, "invalid number");
	if (p->s[p->i] == '0') {
		p->i++;
		if (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			return fail(p, "a number cannot start with 0");
	} else {
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		real = true;
		p->i++;
		if (p->i >= p->n || !(p->s[p->i] >= '0' && p->s[p->i] <= '9'))
			return fail(p, "invalid number: a digit must follow '.'");
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		real = true;
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (p->i >= p->n || !(p->s[p->i] >= '0' && p->s[p->i] <= '9'))
			return fail(p, "invalid number: the exponent has no digits");
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	char buf[64];
	size_t len = p->i - from;
	char *num = len < sizeof buf ? buf : malloc(len + 1);
	if (!num)
		return fail(p, "out of memory");
	memcpy(num, p->s + from, len);
	num[len] = '\0';
	json_t *v;
	errno = 0;
	if (!real) {
		long long x = strtoll(num, NULL, 10);
		v = errno == ERANGE ? NULL : json_integer(x);
		if (errno == ERANGE) {
			size_t at = p->i;
			p->i = from;
			fail(p, "too big integer");
			p->i = at;
		}
	} else {
		double d = strtod(num, NULL);
		v = (errno == ERANGE && isinf(d)) ? NULL : json_real(d);
		if (!v && !(p->err && p->err->text[0])) {
			p->i = from;
			fail(p, "real number overflow");
		}
	}
	if (num != buf)
		free(num);
	return v ? v : fail(p, "out of memory");
}

static json_t *read_value(jp *p);

static json_t *read_array(jp *p)
{
	json_t *a = json_array();
	if (!a)
		return fail(p, "out of memory");
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == ']') {
		p->i++;
		return a;
	}
	for (;;) {
		json_t *v = read_value(p);
		if (!v || json_array_append_new(a, v)) {
			json_decref(a);
			return v ? fail(p, "out of memory") : NULL;
		}
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			return a;
		}
		json_decref(a);
		return fail(p, "expected ',' or ']' in an array");
	}
}

static json_t *read_object(jp *p)
{
	json_t *o = json_object();
	if (!o)
		return fail(p, "out of memory");
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		return o;
	}
	crmw_buf key = CRMW_BUF_INIT;
	for (;;) {
		skip_ws(p);
		if (p->i >= p->n || p->s[p->i] != '"') {
			fail(p, "expected a string key in an object");
			break;
		}
		const char *k;
		size_t klen;
		if (!read_string(p, &k, &klen))
			break;
		/* The key may live in the scratch buffer, which the value reuses. */
		crmw__buf_clear(&key);
		if (crmw__buf_append(&key, k, klen)) {
			fail(p, "out of memory");
			break;
		}
		if (json_object_getn(o, key.data, key.len)) {
			/* at most 60 bytes of the key, cut between characters */
			size_t shown = key.len > 60 ? 60 : key.len;
			while (shown > 0 && shown < key.len && ((unsigned char)key.data[shown] & 0xC0) == 0x80)
				shown--;
			fail(p, "duplicate object key '%.*s'", (int)shown, key.data);
			break;
		}
		skip_ws(p);
		if (p->i >= p->n || p->s[p->i] != ':') {
			fail(p, "expected ':' after an object key");
			break;
		}
		p->i++;
		json_t *v = read_value(p);
		if (!v)
			break;
		if (json_object_setn_new_nocheck(o, key.data, key.len, v)) {
			fail(p, "out of memory");
			break;
		}
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			crmw_buf_dispose(&key);
			return o;
		}
		fail(p, "expected ',' or '}' in an object");
		break;
	}
	crmw_buf_dispose(&key);
	json_decref(o);
	return NULL;
}

static bool literal(jp *p, const char *word)
{
	size_t n = strlen(word);
	if (p->n - p->i >= n && memcmp(p->s + p->i, word, n) == 0) {
		p->i += n;
		return true;
	}
	return false;
}

static json_t *read_value(jp *p)
{
	skip_ws(p);
	if (p->i >= p->n)
		return fail(p, "unexpected end of input");
	unsigned char c = p->s[p->i];
	if (c == '{' || c == '[') {
		if (++p->depth > MAX_DEPTH)
			return fail(p, "nested more than %d levels deep", MAX_DEPTH);
		json_t *v = c == '{' ? read_object(p) : read_array(p);
		p->depth--;
		return v;
	}
	if (c == '"') {
		const char *s;
		size_t len;
		if (!read_string(p, &s, &len))
			return NULL;
		json_t *v = json_stringn_nocheck(s, len);
		return v ? v : fail(p, "out of memory");
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return read_number(p);
	if (literal(p, "true"))
		return json_true();
	if (literal(p, "false"))
		return json_false();
	if (literal(p, "null"))
		return json_null();
	return fail(p, "unexpected character '%c'", c >= 0x20 && c < 0x7F ? c : '?');
}

int crmw__json_parse(const char *text, size_t len, json_t **out, crmw__json_error *err)
{
	*out = NULL;
	crmw__json_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	jp p = {.s = (const unsigned char *)text, .n = len, .err = err};
	json_t *v = text ? read_value(&p) : fail(&p, "no input");
	if (v) {
		skip_ws(&p);
		if (p.i < p.n) {
			json_decref(v);
			v = fail(&p, "extra data after the JSON value");
		}
	}
	crmw_buf_dispose(&p.scratch);
	if (!v)
		return strcmp(err->text, "out of memory") == 0 ? CRMW_ENOMEM : CRMW_EFORMAT;
	*out = v;
	return CRMW_OK;
}

int crmw__json_check_keys(crmw_err *e, json_t *obj, const char *what, const char *noun, const char *const *keys,
			  size_t nkeys)
{
	const char *k;
	json_t *x;
	json_object_foreach(obj, k, x) {
		size_t i = 0;
		while (i < nkeys && strcmp(keys[i], k))
			i++;
		if (i == nkeys) {
			const char *near = crmw__closest_name(k, keys, nkeys);
			return crmw__errf(e, CRMW_EINVALID, "%s: unknown %s \"%s\"%s%s%s", what, noun, k,
					  near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
		}
	}
	return CRMW_OK;
}

int crmw__json_keyed(json_t **out, crmw_err *e, const char *text, const char *what, const char *noun,
		     const char *const *keys, size_t nkeys)
{
	*out = NULL;
	if (!text || !*text)
		return CRMW_OK;
	crmw__json_error je;
	json_t *v = NULL;
	int rc = crmw__json_parse(text, strlen(text), &v, &je);
	if (rc)
		return crmw__errf(e, rc, "%s are not JSON: %s (line %d, column %d)", what, je.text, je.line, je.column);
	if (!json_is_object(v)) {
		json_decref(v);
		return crmw__errf(e, CRMW_EINVALID, "%s must be a JSON object", what);
	}
	rc = crmw__json_check_keys(e, v, what, noun, keys, nkeys);
	if (rc) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return CRMW_OK;
}

int crmw__opt_bad(crmw_err *e, const char *what, const char *key, const char *want)
{
	return crmw__errf(e, CRMW_EINVALID, "%s: \"%s\" must be %s", what, key, want);
}

int crmw__opt_int(crmw_err *e, const char *what, const json_t *o, const char *key, int64_t lo, int64_t hi,
		  int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return CRMW_OK;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		char want[96];
		snprintf(want, sizeof want, "an integer from %lld to %lld", (long long)lo, (long long)hi);
		return crmw__opt_bad(e, what, key, want);
	}
	*out = json_integer_value(v);
	return CRMW_OK;
}

int crmw__opt_real(crmw_err *e, const char *what, const json_t *o, const char *key, double lo, double hi,
		   double *out)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return CRMW_OK;
	if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi)) {
		char want[96];
		snprintf(want, sizeof want, "a number from %g to %g", lo, hi);
		return crmw__opt_bad(e, what, key, want);
	}
	*out = json_number_value(v);
	return CRMW_OK;
}

int crmw__opt_bool(crmw_err *e, const char *what, const json_t *o, const char *key, bool *out)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return CRMW_OK;
	if (!json_is_boolean(v))
		return crmw__opt_bad(e, what, key, "true or false");
	*out = json_is_true(v);
	return CRMW_OK;
}

int crmw__opt_str(crmw_err *e, const char *what, const json_t *o, const char *key, char **out)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return CRMW_OK;
	if (!json_is_string(v))
		return crmw__opt_bad(e, what, key, "a string");
	char *s = crmw__strdup(json_string_value(v));
	if (!s)
		return crmw__errf(e, CRMW_ENOMEM, "out of memory");
	free(*out);
	*out = s;
	return CRMW_OK;
}

int crmw__json_options(json_t **out, crmw_err *e, const char *text, const char *what, const char *const *keys,
		       size_t nkeys)
{
	return crmw__json_keyed(out, e, text, what, "option", keys, nkeys);
}

int crmw__json_write(crmw_buf *b, const json_t *v)
{
	char num[48];
	int rc = CRMW_OK;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		rc = crmw__buf_putc(b, '{');
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach((json_t *)v, k, x) {
			if (rc)
				break;
			rc = first ? CRMW_OK : crmw__buf_putc(b, ',');
			first = false;
			rc = rc ? rc : crmw__buf_json_str(b, k, strlen(k));
			rc = rc ? rc : crmw__buf_putc(b, ':');
			rc = rc ? rc : crmw__json_write(b, x);
		}
		return rc ? rc : crmw__buf_putc(b, '}');
	}
	case JSON_ARRAY: {
		rc = crmw__buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
			rc = i ? crmw__buf_putc(b, ',') : CRMW_OK;
			rc = rc ? rc : crmw__json_write(b, json_array_get(v, i));
		}
		return rc ? rc : crmw__buf_putc(b, ']');
	}
	case JSON_STRING:
		return crmw__buf_json_str(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return crmw__buf_puts(b, num);
	case JSON_REAL:
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
		if (!strpbrk(num, ".eEni"))
			strcat(num, ".0");
		return crmw__buf_puts(b, num);
	case JSON_TRUE:
		return crmw__buf_puts(b, "true");
	case JSON_FALSE:
		return crmw__buf_puts(b, "false");
	default:
		return crmw__buf_puts(b, "null");
	}
}

/* An array index: "0" or digits without a leading zero, below 10^18. */
static bool pointer_index(const char *t, size_t n, size_t *out)
{
	if (n == 0 || n > 18 || (t[0] == '0' && n > 1))
		return false;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		k = k * 10 + (size_t)(t[i] - '0');
	}
	*out = k;
	return true;
}

const json_t *crmw__json_pointer(const json_t *root, const char *p)
{
	if (*p == '\0')
		return root;
	if (*p != '/')
		return NULL;
	const json_t *cur = root;
	char small[256], *tok = small;
	size_t cap = sizeof small;
	while (cur && *p == '/') {
		p++;
		size_t raw = strcspn(p, "/"), n = 0;
		if (raw >= cap) {
			/* a long key: never cut, or the rest of the path would be lost */
			char *big = malloc(raw + 1);
			if (!big) {
				cur = NULL;
				break;
			}
			if (tok != small)
				free(tok);
			tok = big;
			cap = raw + 1;
		}
		for (const char *end = p + raw; p < end;) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
				tok[n++] = p[1] == '0' ? '~' : '/';
				p += 2;
				continue;
			}
			tok[n++] = *p++;
		}
		tok[n] = '\0';
		size_t k;
		if (json_is_array(cur))
			cur = pointer_index(tok, n, &k) ? json_array_get(cur, k) : NULL;
		else if (json_is_object(cur))
			cur = json_object_getn(cur, tok, n);
		else
			cur = NULL;
	}
	if (tok != small)
		free(tok);
	return cur;
}

int crmw__json_measure(const json_t *v, size_t max_depth, size_t *nodes, size_t max_nodes, size_t *bytes,
		       size_t max_bytes)
{
	typedef struct frame {
		const json_t *v;
		size_t i;  /* arrays: the next index */
		void *it;  /* objects: the next member */
	} frame;
	frame small[32], *st = small;
	size_t cap = sizeof small / sizeof *small, n = 0;
	int rc = 0;
	const json_t *x = v;
	for (;;) {
		/* x: the next value to count, at depth n */
		if (x) {
			if (++*nodes > max_nodes || n > max_depth) {
				rc = 1;
				break;
			}
			if (bytes && json_is_string(x) && (*bytes += json_string_length(x)) > max_bytes) {
				rc = 1;
				break;
			}
			if ((json_is_array(x) && json_array_size(x)) || (json_is_object(x) && json_object_size(x))) {
				if (n == cap) {
					frame *b = malloc(2 * cap * sizeof *b);
					if (!b) {
						rc = -1;
						break;
					}
					memcpy(b, st, n * sizeof *b);
					if (st != small)
						free(st);
					st = b;
					cap *= 2;
				}
				st[n++] = (frame){x, 0, json_is_object(x) ? json_object_iter((json_t *)x) : NULL};
			}
		}
		if (n == 0)
			break;
		frame *f = &st[n - 1];
		if (json_is_array(f->v)) {
			x = f->i < json_array_size(f->v) ? json_array_get(f->v, f->i++) : NULL;
		} else if (f->it) {
			const char *k = json_object_iter_key(f->it);
			x = json_object_iter_value(f->it);
			f->it = json_object_iter_next((json_t *)f->v, f->it);
			if (bytes && (*bytes += strlen(k)) > max_bytes) {
				rc = 1;
				break;
			}
		} else {
			x = NULL;
		}
		if (!x)
			n--;
	}
	if (st != small)
		free(st);
	return rc;
}
