/*
 * Value checks: every value written to an org database passes through here
 * and comes out in the stored form of its field type.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

void crmw__val_show(char *out, size_t outlen, const char *s, size_t n)
{
	size_t max = 60;
	if (n > max)
		snprintf(out, outlen, "%.*s...", (int)max, s);
	else
		snprintf(out, outlen, "%.*s", (int)n, s);
}

/* ------------------------------------------------------------ numbers */

static bool parse_int(const char *s, size_t n, int64_t *out)
{
	char tmp[32];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(tmp, &end, 10);
	if (errno || *end || isspace((unsigned char)tmp[0]))
		return false;
	*out = v;
	return true;
}

static bool parse_real(const char *s, size_t n, double *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* strtod also reads hex, inf and nan: plain decimal only. */
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)tmp[i]) && !strchr("+-.eE", tmp[i]))
			return false;
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* ---------------------------------------------------------- locations */

static bool trim_real(const char *s, size_t n, double *out)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return parse_real(s, n, out);
}

bool crmw__location_parse(const char *s, size_t n, double *lat, double *lon)
{
	const char *comma = s ? memchr(s, ',', n) : NULL;
	if (!comma)
		return false;
	size_t k = (size_t)(comma - s);
	return trim_real(s, k, lat) && trim_real(comma + 1, n - k - 1, lon) && *lat >= -90 && *lat <= 90 &&
	       *lon >= -180 && *lon <= 180;
}

int crmw__location_json(crmw_buf *b, const char *s, size_t n)
{
	double lat, lon;
	if (!crmw__location_parse(s, n, &lat, &lon))
		return crmw__buf_puts(b, "null");
	int rc = crmw__buf_puts(b, "{\"latitude\":");
	rc = rc ? rc : crmw__buf_double(b, lat);
	rc = rc ? rc : crmw__buf_puts(b, ",\"longitude\":");
	rc = rc ? rc : crmw__buf_double(b, lon);
	return rc ? rc : crmw__buf_putc(b, '}');
}

/* A checked location in its stored form, "lat,lon". */
static int set_location(crmw_val *v, double lat, double lon, char *why, size_t whylen)
{
	if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
		snprintf(why, whylen, "%.17g,%.17g is not a location (latitude -90 to 90, longitude -180 to 180)", lat, lon);
		return CRMW_ESCHEMA;
	}
	snprintf(v->buf, sizeof v->buf, "%.15g,%.15g", lat, lon);
	v->kind = CRMW_VAL_TEXT;
	v->s = v->buf;
	v->n = strlen(v->buf);
	return CRMW_OK;
}

/* -------------------------------------------------------------- text */

static void set_text(crmw_val *v, const char *s, size_t n)
{
	v->kind = CRMW_VAL_TEXT;
	v->s = s;
	v->n = n;
}

static void set_buf(crmw_val *v)
{
	v->kind = CRMW_VAL_TEXT;
	v->s = v->buf;
	v->n = strlen(v->buf);
}

/* why = "'<value>' <text>" */
static int fail(char *why, size_t whylen, const char *s, size_t n, const char *text)
{
	char shown[80];
	crmw__val_show(shown, sizeof shown, s, n);
	snprintf(why, whylen, "'%s' %s", shown, text);
	return CRMW_ESCHEMA;
}

static bool valid_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || (unsigned char)s[i] < 0x20)
			return false;
	return memchr(at, '.', (size_t)(s + n - at)) != NULL;
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	while (p < e) {
		unsigned c = *p;
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!len || p + len > e)
			return false;
		if (len == 1) {
			if (c == 0)
				return false;
		} else {
			uint32_t cp = c & (0x7f >> len);
			for (size_t i = 1; i < len; i++) {
				if ((p[i] & 0xc0) != 0x80)
					return false;
				cp = (cp << 6) | (p[i] & 0x3f);
			}
			if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
			    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				return false;
		}
		p += len;
	}
	return true;
}

static int check_ref_id(crmw_val *v, const crmw_schema *s, const crmw_object *o,
			const crmw_field *f, const char *text, size_t n, char *why, size_t whylen)
{
	char id[19];
	if (n == 15) {
		char tmp[16];
		memcpy(tmp, text, 15);
		tmp[15] = '\0';
		if (crmw_id_to18(id, tmp) != CRMW_OK)
			return fail(why, whylen, text, n, "is not a record id");
	} else if (n == 18) {
		memcpy(id, text, 18);
		id[18] = '\0';
		if (!crmw_id_valid(id, 0))
			return fail(why, whylen, text, n, "is not a valid 18-character record id");
	} else {
		return fail(why, whylen, text, n, "is not a record id (18 letters and digits)");
	}
	if (f->type == CRMW_FIELD_ID) {
		if (memcmp(id, o->key_prefix, 3) != 0) {
			char shown[80];
			crmw__val_show(shown, sizeof shown, text, n);
			snprintf(why, whylen, "id '%s' does not start with %s's key prefix %s", shown,
				 o->name, o->key_prefix);
			return CRMW_ESCHEMA;
		}
	} else {
		/* The object of the id's key prefix must be one of the targets
		 * (references hold canonical object names). */
		const crmw_object *t = crmw__schema_object_by_prefix(s, id);
		bool ok = false;
		for (int32_t k = 0; t && k < f->nrefs && !ok; k++)
			ok = strcmp(t->name, f->refs[k]) == 0;
		if (!ok) {
			char shown[80], targets[200] = "";
			crmw__val_show(shown, sizeof shown, text, n);
			for (int32_t k = 0; k < f->nrefs; k++) {
				size_t l = strlen(targets);
				snprintf(targets + l, sizeof targets - l, "%s%s", k ? " or " : "", f->refs[k]);
			}
			snprintf(why, whylen, "'%s' is not the id of a %s record", shown, targets);
			return CRMW_ESCHEMA;
		}
	}
	memcpy(v->buf, id, 19);
	set_buf(v);
	return CRMW_OK;
}

int crmw__val_from_text(crmw_val *v, const crmw_schema *s, const crmw_object *o,
			const crmw_field *f, const char *text, size_t n, char *why, size_t whylen)
{
	v->kind = CRMW_VAL_NULL;
	if (!valid_utf8(text, n))
		return fail(why, whylen, text, n, "is not valid UTF-8 text");
	switch (f->type) {
	case CRMW_FIELD_ID:
	case CRMW_FIELD_REFERENCE:
		if (n == 0) /* an empty reference is no reference */
			return CRMW_OK;
		return check_ref_id(v, s, o, f, text, n, why, whylen);
	case CRMW_FIELD_EMAIL:
		if (n && !valid_email(text, n))
			return fail(why, whylen, text, n, "is not an e-mail address");
		set_text(v, text, n);
		return CRMW_OK;
	case CRMW_FIELD_PICKLIST:
		if (n && f->restricted && !crmw__picklist_has(f, text, n))
			return fail(why, whylen, text, n, "is not one of the field's picklist values");
		set_text(v, text, n);
		return CRMW_OK;
	case CRMW_FIELD_MULTIPICKLIST:
		if (f->restricted) {
			for (size_t p = 0; p < n;) {
				const char *semi = memchr(text + p, ';', n - p);
				size_t e = semi ? (size_t)(semi - text) : n;
				if (!crmw__picklist_has(f, text + p, e - p))
					return fail(why, whylen, text, n, "holds a value outside the field's picklist");
				p = e + 1;
			}
		}
		set_text(v, text, n);
		return CRMW_OK;
	case CRMW_FIELD_BOOLEAN:
		if (n == 0)
			return CRMW_OK;
		if ((n == 4 && strncasecmp(text, "true", 4) == 0) || (n == 1 && text[0] == '1')) {
			v->kind = CRMW_VAL_INT;
			v->i = 1;
			return CRMW_OK;
		}
		if ((n == 5 && strncasecmp(text, "false", 5) == 0) || (n == 1 && text[0] == '0')) {
			v->kind = CRMW_VAL_INT;
			v->i = 0;
			return CRMW_OK;
		}
		return fail(why, whylen, text, n, "is not a boolean (true or false)");
	case CRMW_FIELD_INT:
		if (n == 0)
			return CRMW_OK;
		if (!parse_int(text, n, &v->i)) {
			double d;
			if (!parse_real(text, n, &d) || d != floor(d) || fabs(d) > 9e15)
				return fail(why, whylen, text, n, "is not an integer");
			v->i = (int64_t)d;
		}
		v->kind = CRMW_VAL_INT;
		return CRMW_OK;
	case CRMW_FIELD_DOUBLE:
	case CRMW_FIELD_CURRENCY:
	case CRMW_FIELD_PERCENT:
		if (n == 0)
			return CRMW_OK;
		if (!parse_real(text, n, &v->d))
			return fail(why, whylen, text, n, "is not a number");
		v->kind = CRMW_VAL_REAL;
		return CRMW_OK;
	case CRMW_FIELD_DATE:
		if (n == 0)
			return CRMW_OK;
		if (crmw__parse_date(text, n, v->buf))
			return fail(why, whylen, text, n, "is not a valid date (YYYY-MM-DD)");
		set_buf(v);
		return CRMW_OK;
	case CRMW_FIELD_DATETIME:
		if (n == 0)
			return CRMW_OK;
		if (crmw__parse_datetime(text, n, v->buf))
			return fail(why, whylen, text, n, "is not a valid datetime (YYYY-MM-DDTHH:MM:SSZ)");
		set_buf(v);
		return CRMW_OK;
	case CRMW_FIELD_LOCATION: {
		if (n == 0)
			return CRMW_OK;
		double lat, lon;
		if (!crmw__location_parse(text, n, &lat, &lon))
			return fail(why, whylen, text, n,
				    "is not a location (\"latitude,longitude\": latitude -90 to 90, longitude -180 to 180)");
		return set_location(v, lat, lon, why, whylen);
	}
	default: /* string, textarea, phone, url */
		set_text(v, text, n);
		return CRMW_OK;
	}
}

int crmw__val_from_json(crmw_val *v, const crmw_schema *s, const crmw_object *o,
			const crmw_field *f, json_t *j, char *why, size_t whylen)
{
	v->kind = CRMW_VAL_NULL;
	if (!j || json_is_null(j))
		return CRMW_OK;
	if (json_is_string(j)) {
		const char *t = json_string_value(j);
		size_t n = json_string_length(j);
		return crmw__val_from_text(v, s, o, f, t, n, why, whylen);
	}
	if (json_is_boolean(j)) {
		if (f->type != CRMW_FIELD_BOOLEAN)
		{
			snprintf(why, whylen, "%s: a boolean is not a valid value here",
				 json_is_true(j) ? "true" : "false");
			return CRMW_ESCHEMA;
		}
		v->kind = CRMW_VAL_INT;
		v->i = json_is_true(j);
		return CRMW_OK;
	}
	if (json_is_number(j)) {
		double d = json_number_value(j);
		switch (f->type) {
		case CRMW_FIELD_INT:
			if (json_is_integer(j)) {
				v->i = json_integer_value(j);
			} else if (d == floor(d) && fabs(d) <= 9e15) {
				v->i = (int64_t)d;
			} else {
				snprintf(why, whylen, "%g is not an integer", d);
				return CRMW_ESCHEMA;
			}
			v->kind = CRMW_VAL_INT;
			return CRMW_OK;
		case CRMW_FIELD_DOUBLE:
		case CRMW_FIELD_CURRENCY:
		case CRMW_FIELD_PERCENT:
			v->kind = CRMW_VAL_REAL;
			v->d = d;
			return CRMW_OK;
		case CRMW_FIELD_BOOLEAN:
			if (json_is_integer(j) && (json_integer_value(j) == 0 || json_integer_value(j) == 1)) {
				v->kind = CRMW_VAL_INT;
				v->i = json_integer_value(j);
				return CRMW_OK;
			}
			break;
		case CRMW_FIELD_STRING:
		case CRMW_FIELD_TEXTAREA:
		case CRMW_FIELD_PHONE:
		case CRMW_FIELD_PICKLIST:
			/* A number where text is expected keeps its JSON spelling. */
			if (json_is_integer(j))
				snprintf(v->buf, sizeof v->buf, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
			else
				snprintf(v->buf, sizeof v->buf, "%.17g", d);
			return crmw__val_from_text(v, s, o, f, v->buf, strlen(v->buf), why, whylen);
		default:
			break;
		}
		snprintf(why, whylen, "the number %.17g is not a valid value here", d);
		return CRMW_ESCHEMA;
	}
	if (json_is_object(j) && f->type == CRMW_FIELD_LOCATION) {
		/* Salesforce's form of a geolocation: {"latitude": x, "longitude": y} */
		json_t *la = json_object_get(j, "latitude"), *lo = json_object_get(j, "longitude");
		if (json_object_size(j) == 2 && json_is_number(la) && json_is_number(lo))
			return set_location(v, json_number_value(la), json_number_value(lo), why, whylen);
		snprintf(why, whylen, "a location is {\"latitude\": number, \"longitude\": number}");
		return CRMW_ESCHEMA;
	}
	snprintf(why, whylen, "%s: objects and arrays are not field values",
		 json_is_array(j) ? "an array" : "an object");
	return CRMW_ESCHEMA;
}

int crmw__val_bind(sqlite3_stmt *st, int col, const crmw_val *v)
{
	switch (v->kind) {
	case CRMW_VAL_INT: return sqlite3_bind_int64(st, col, v->i);
	case CRMW_VAL_REAL: return sqlite3_bind_double(st, col, v->d);
		/* The value outlives the statement's next step: no copy needed. */
	case CRMW_VAL_TEXT: return sqlite3_bind_text64(st, col, v->s, v->n, SQLITE_STATIC, SQLITE_UTF8);
	default: return sqlite3_bind_null(st, col);
	}
}
