/*
 * Calendar dates and the date and datetime formats of the storage layout.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>


static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int crmw__days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t crmw__days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void crmw__civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool parse_ymd(const char *s, size_t n, int *y, int *m, int *d)
{
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
		return false;
	return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= crmw__days_in_month(*y, *m);
}

int crmw__parse_date(const char *s, size_t n, char out[11])
{
	int y, m, d;
	if (!parse_ymd(s, n, &y, &m, &d))
		return -1;
	if (n != 10) {
		/* A datetime at midnight UTC is accepted for a date. */
		char dt[21];
		if (crmw__parse_datetime(s, n, dt) != 0 || strcmp(dt + 10, "T00:00:00Z") != 0)
			return -1;
		memcpy(out, dt, 10);
		out[10] = '\0';
		return 0;
	}
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 11);
	return 0;
}

/*
 * Accepted: YYYY-MM-DD, YYYY-MM-DD{T| }HH:MM[:SS[.fraction]][Z|+HH|+HHMM|+HH:MM|-...]
 * A missing zone means UTC.  Output: YYYY-MM-DDTHH:MM:SSZ in UTC (fractions
 * of a second are dropped: the storage layout keeps whole seconds).
 */
int crmw__parse_datetime(const char *s, size_t n, char out[21])
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (!parse_ymd(s, n, &y, &mo, &d))
		return -1;
	size_t p = 10;
	int offset_min = 0;
	if (p < n) {
		if (s[p] != 'T' && s[p] != ' ')
			return -1;
		p++;
		if (p + 5 > n || s[p + 2] != ':' || !digits(s + p, 2, &h) || !digits(s + p + 3, 2, &mi))
			return -1;
		p += 5;
		if (p < n && s[p] == ':') {
			if (p + 3 > n || !digits(s + p + 1, 2, &sec))
				return -1;
			p += 3;
			if (p < n && s[p] == '.') {
				p++;
				size_t start = p;
				while (p < n && isdigit((unsigned char)s[p]))
					p++;
				if (p == start)
					return -1;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
		if (p < n) {
			if (s[p] == 'Z' || s[p] == 'z') {
				p++;
			} else if (s[p] == '+' || s[p] == '-') {
				int sign = s[p] == '-' ? -1 : 1, oh, om = 0;
				p++;
				if (p + 2 > n || !digits(s + p, 2, &oh))
					return -1;
				p += 2;
				if (p < n && s[p] == ':')
					p++;
				if (p + 2 <= n && digits(s + p, 2, &om))
					p += 2;
				if (oh > 23 || om > 59)
					return -1;
				offset_min = sign * (oh * 60 + om);
			} else {
				return -1;
			}
		}
		if (p != n)
			return -1;
	}
	/* To UTC: local time minus the offset. */
	int64_t t = crmw__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t rem = t - days * 86400;
	crmw__civil_from_days(days, &y, &mo, &d);
	if (y < 1 || y > 9999)
		return -1;
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, (int)(rem / 3600),
		 (int)(rem % 3600 / 60), (int)(rem % 60));
	memcpy(out, tmp, 21);
	return 0;
}


/* Every named period: its first month and its length in months.  The
 * first twelve are the months, in order (crmw__month_name). */
static const struct {
	const char *name;
	int start, months;
} named[] = {
	{"January", 1, 1},  {"February", 2, 1}, {"March", 3, 1},     {"April", 4, 1},    {"May", 5, 1},
	{"June", 6, 1},     {"July", 7, 1},     {"August", 8, 1},    {"September", 9, 1}, {"October", 10, 1},
	{"November", 11, 1}, {"December", 12, 1}, {"Q1", 1, 3},        {"Q2", 4, 3},       {"Q3", 7, 3},
	{"Q4", 10, 3},      {"Spring", 3, 3},   {"Summer", 6, 3},    {"Fall", 9, 3},     {"Autumn", 9, 3},
	{"Winter", 12, 3},  {"Year", 1, 12},
};

const char *crmw__month_name(int m)
{
	return m >= 1 && m <= 12 ? named[m - 1].name : NULL;
}

const char *crmw__period_name(const char *name, size_t n, int *start_month, int *months)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(named); i++) {
		const char *k = named[i].name;
		size_t j = 0;
		while (j < n && k[j] && tolower((unsigned char)name[j]) == tolower((unsigned char)k[j]))
			j++;
		if (j == n && !k[j]) {
			*start_month = named[i].start;
			*months = named[i].months;
			return k;
		}
	}
	return NULL;
}

bool crmw__named_period(const char *name, size_t n, int *start_month, int *months)
{
	return crmw__period_name(name, n, start_month, months) != NULL;
}

int64_t crmw__days_before(int64_t end, int unit, int64_t n)
{
	if (unit == 'd')
		return end - n;
	if (unit == 'w')
		return end - 7 * n;
	int y, m, d;
	crmw__civil_from_days(end, &y, &m, &d);
	int64_t total = (int64_t)y * 12 + (m - 1) - n * (unit == 'q' ? 3 : 1);
	int64_t yy = total >= 0 ? total / 12 : -((11 - total) / 12); /* floor, also before year 0 */
	int mm = (int)(total - yy * 12) + 1;
	int dim = crmw__days_in_month((int)yy, mm);
	return crmw__days_from_civil((int)yy, mm, d > dim ? dim : d);
}
