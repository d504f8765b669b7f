/*
 * The SQL functions compiled SOQL calls for what SQLite has no function
 * of its own: FORMAT() (crmw_format), DISTANCE() and the parts of a
 * location (crmw_distance, crmw_geo), ORDER BY a picklist in its defined
 * order (crmw_pickrank).  SOSL's wildcard terms are in search.c.  Each
 * takes time linear in its arguments, gives NULL for a NULL or malformed
 * argument (raw SQL may call them with anything) and fails only when out
 * of memory.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/qfn.h"
#include "query/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- FORMAT */

/* The digits of |v| rounded to `decimals` places, grouped by thousands
 * ("1,234.50"), after `prefix`; NULL when out of memory. */
static char *group_number(double v, int decimals, const char *prefix, const char *suffix)
{
	char raw[400];
	bool neg = v < 0;
	if (decimals >= 0)
		snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
	else
		snprintf(raw, sizeof raw, "%.15g", fabs(v));
	if (strchr(raw, 'e') || strchr(raw, 'n') || strchr(raw, 'i')) /* 1e+20, nan, inf: as they are */
		return sqlite3_mprintf("%s%s%s%s", neg ? "-" : "", prefix, raw, suffix);
	/* a value that rounds to zero has no sign */
	bool zero = strspn(raw, "0.") == strlen(raw);
	const char *dot = strchr(raw, '.');
	size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
	char out[600];
	size_t k = 0;
	for (size_t i = 0; i < ilen; i++) {
		if (i && (ilen - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = raw[i];
	}
	out[k] = '\0';
	return sqlite3_mprintf("%s%s%s%s%s", neg && !zero ? "-" : "", prefix, out, dot ? dot : "", suffix);
}

static char *format_date(const char *s, bool datetime)
{
	int y, mo, d, h = 0, mi = 0;
	if (!s || strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3)
		return NULL;
	if (!datetime)
		return sqlite3_mprintf("%d/%d/%d", mo, d, y);
	if (strlen(s) < 16 || sscanf(s + 11, "%2d:%2d", &h, &mi) != 2)
		return NULL;
	return sqlite3_mprintf("%d/%d/%d, %d:%02d %s", mo, d, y, h % 12 ? h % 12 : 12, mi, h < 12 ? "AM" : "PM");
}

/* crmw_format(value, kind, currency): FORMAT() in the en_US locale. */
static void fn_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	int kind = sqlite3_value_int(argv[1]);
	const char *code = (const char *)sqlite3_value_text(argv[2]);
	double v = sqlite3_value_double(argv[0]);
	bool num = sqlite3_value_type(argv[0]) == SQLITE_INTEGER || sqlite3_value_type(argv[0]) == SQLITE_FLOAT;
	char *out = NULL;
	char prefix[8];
	switch (kind) {
	case QFN_FORMAT_INT:
		out = num ? group_number(v, 0, "", "") : NULL;
		break;
	case QFN_FORMAT_DOUBLE:
		out = num ? group_number(v, v == floor(v) && fabs(v) < 1e15 ? 0 : -1, "", "") : NULL;
		break;
	case QFN_FORMAT_PERCENT:
		out = num ? group_number(v, v == floor(v) && fabs(v) < 1e15 ? 0 : -1, "", "%") : NULL;
		break;
	case QFN_FORMAT_CURRENCY:
		if (!code || strlen(code) != 3 || !num)
			return;
		snprintf(prefix, sizeof prefix, "%s", strcmp(code, "USD") == 0 ? "$" : code);
		if (prefix[0] != '$')
			strcat(prefix, " ");
		out = group_number(v, 2, prefix, "");
		break;
	case QFN_FORMAT_DATE:
	case QFN_FORMAT_DATETIME:
		out = format_date((const char *)sqlite3_value_text(argv[0]), kind == QFN_FORMAT_DATETIME);
		if (!out && sqlite3_value_text(argv[0]))
			return; /* not a date: NULL */
		break;
	default:
		return;
	}
	if (!out) {
		if (num || kind == QFN_FORMAT_DATE || kind == QFN_FORMAT_DATETIME)
			sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

/* ---------------------------------------------------------- locations */

static bool location_of(sqlite3_value *v, double *lat, double *lon)
{
	if (sqlite3_value_type(v) != SQLITE_TEXT)
		return false;
	return crmw__location_parse((const char *)sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v), lat, lon);
}

/* The great-circle distance between two points (the haversine formula) on
 * a sphere of the given radius. */
static double haversine(double lat1, double lon1, double lat2, double lon2, double radius)
{
	const double rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
	if (a > 1)
		a = 1;
	return 2 * radius * asin(sqrt(a));
}

/* crmw_distance(location, lat, lon, radius) or crmw_distance(location, location, radius). */
static void fn_distance(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	double lat1, lon1, lat2, lon2, radius;
	if (!location_of(argv[0], &lat1, &lon1))
		return;
	if (argc == 4) {
		if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL)
			return;
		lat2 = sqlite3_value_double(argv[1]);
		lon2 = sqlite3_value_double(argv[2]);
		if (!(lat2 >= -90 && lat2 <= 90 && lon2 >= -180 && lon2 <= 180))
			return;
	} else if (!location_of(argv[1], &lat2, &lon2)) {
		return;
	}
	radius = sqlite3_value_double(argv[argc - 1]);
	if (!(radius > 0) || !isfinite(radius))
		return;
	sqlite3_result_double(ctx, haversine(lat1, lon1, lat2, lon2, radius));
}

/* crmw_geo(location, 0 | 1): its latitude or longitude. */
static void fn_geo(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	double lat, lon;
	if (location_of(argv[0], &lat, &lon))
		sqlite3_result_double(ctx, sqlite3_value_int(argv[1]) ? lon : lat);
}

/* ----------------------------------------------------------- picklists */

/* A picklist's values as crmw_pickrank receives them: each value as its
 * length in decimal, ':', and its bytes ("3:New7:Working"). */
typedef struct picklist {
	int n;
	const char **vals;
	size_t *lens;
	char *text; /* owns the bytes */
} picklist;

static void picklist_free(void *p)
{
	picklist *pl = p;
	if (!pl)
		return;
	sqlite3_free(pl->vals);
	sqlite3_free(pl->lens);
	sqlite3_free(pl->text);
	sqlite3_free(pl);
}

static picklist *picklist_parse(const char *s, size_t n)
{
	picklist *pl = sqlite3_malloc64(sizeof *pl);
	if (!pl)
		return NULL;
	memset(pl, 0, sizeof *pl);
	size_t cap = 0;
	for (size_t i = 0; i < n;) {
		size_t len = 0, j = i;
		while (j < n && s[j] >= '0' && s[j] <= '9' && len < n)
			len = len * 10 + (size_t)(s[j++] - '0');
		if (j == i || j >= n || s[j] != ':' || len > n - j - 1)
			break; /* malformed: the values read so far */
		j++;
		if ((size_t)pl->n == cap) {
			cap = cap ? cap * 2 : 16;
			const char **v = sqlite3_realloc64(pl->vals, cap * sizeof *v);
			size_t *l = v ? sqlite3_realloc64(pl->lens, cap * sizeof *l) : NULL;
			if (v)
				pl->vals = v;
			if (l)
				pl->lens = l;
			if (!v || !l) {
				picklist_free(pl);
				return NULL;
			}
		}
		pl->vals[pl->n] = s + j; /* into text, below */
		pl->lens[pl->n++] = len;
		i = j + len;
	}
	pl->text = sqlite3_malloc64(n + 1);
	if (!pl->text) {
		picklist_free(pl);
		return NULL;
	}
	memcpy(pl->text, s, n);
	for (int k = 0; k < pl->n; k++)
		pl->vals[k] = pl->text + (pl->vals[k] - s);
	return pl;
}

/* crmw_pickrank(value, list): the value's place in the picklist's defined
 * order (0-based, ignoring case); values outside it after all of them;
 * NULL for NULL. */
static void fn_pickrank(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	picklist *pl = sqlite3_get_auxdata(ctx, 1), *own = NULL;
	if (!pl) {
		const char *s = (const char *)sqlite3_value_text(argv[1]);
		if (!s && sqlite3_value_type(argv[1]) != SQLITE_NULL) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		if (!(own = picklist_parse(s ? s : "", s ? (size_t)sqlite3_value_bytes(argv[1]) : 0))) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		pl = own;
	}
	const char *x = (const char *)sqlite3_value_text(argv[0]);
	size_t xn = (size_t)sqlite3_value_bytes(argv[0]);
	int rank = pl->n;
	for (int k = 0; x && k < pl->n; k++)
		if (pl->lens[k] == xn && sqlite3_strnicmp(pl->vals[k], x, (int)xn) == 0) {
			rank = k;
			break;
		}
	if (own) /* kept for the next row while the list is a constant (SQLite frees it otherwise) */
		sqlite3_set_auxdata(ctx, 1, own, picklist_free);
	sqlite3_result_int(ctx, rank);
}

int crmw__qfn_register(sqlite3 *db)
{
	static const struct {
		const char *name;
		int nargs;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{"crmw_format", 3, fn_format},     {"crmw_distance", 4, fn_distance}, {"crmw_distance", 3, fn_distance},
		{"crmw_geo", 2, fn_geo},           {"crmw_pickrank", 2, fn_pickrank},
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		int rc = sqlite3_create_function_v2(db, fns[i].name, fns[i].nargs,
						    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, fns[i].fn,
						    NULL, NULL, NULL);
		if (rc)
			return rc;
	}
	return SQLITE_OK;
}
