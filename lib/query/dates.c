/*
 * Date literals as day ranges [start, end) relative to "today", with
 * Salesforce's rules: weeks start on Sunday (the en_US locale), quarters on
 * January, April, July and October; LAST_N_DAYS:n and LAST_90_DAYS include
 * today; NEXT_N_DAYS:n and NEXT_90_DAYS start tomorrow; the N-weeks,
 * -months, -quarters and -years forms leave out the current period.  Fiscal
 * quarters and years start in the org's fiscal start month.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/internal.h"

/* Day 0 (1970-01-01) was a Thursday: weekday 0 = Sunday. */
static int64_t week_start(int64_t day)
{
	int64_t wd = ((day % 7) + 7 + 4) % 7;
	return day - wd;
}

static int64_t month_start(int y, int m)
{
	return crmw__days_from_civil(y, m, 1);
}

/* Add k months to (y, m). */
static void add_months(int *y, int *m, int64_t k)
{
	int64_t t = (int64_t)*y * 12 + (*m - 1) + k;
	*y = (int)(t >= 0 ? t / 12 : (t - 11) / 12);
	*m = (int)(t - (int64_t)*y * 12) + 1;
}

void crmw__datelit_range(int lit, int64_t n, int64_t today, int fiscal_start, int64_t *start, int64_t *end)
{
	int y, m, d;
	crmw__civil_from_days(today, &y, &m, &d);
	int qm = ((m - 1) / 3) * 3 + 1; /* first month of this quarter */
	if (fiscal_start < 1 || fiscal_start > 12)
		fiscal_start = 1;
	int since = (m - fiscal_start + 12) % 12; /* months since the fiscal year began */
	int fqy = y, fqm = m, fyy = y, fym = m;   /* this fiscal quarter's and year's first months */
	add_months(&fqy, &fqm, -(since % 3));
	add_months(&fyy, &fym, -since);
	int64_t ws = week_start(today);
	int yy, mm;
	switch (lit) {
	case DL_YESTERDAY: *start = today - 1; *end = today; return;
	case DL_TODAY: *start = today; *end = today + 1; return;
	case DL_TOMORROW: *start = today + 1; *end = today + 2; return;
	case DL_LAST_WEEK: *start = ws - 7; *end = ws; return;
	case DL_THIS_WEEK: *start = ws; *end = ws + 7; return;
	case DL_NEXT_WEEK: *start = ws + 7; *end = ws + 14; return;
	case DL_LAST_90_DAYS: *start = today - 90; *end = today + 1; return;
	case DL_NEXT_90_DAYS: *start = today + 1; *end = today + 91; return;
	case DL_LAST_N_DAYS: *start = today - n; *end = today + 1; return;
	case DL_NEXT_N_DAYS: *start = today + 1; *end = today + 1 + n; return;
	case DL_N_DAYS_AGO: *start = today - n; *end = today - n + 1; return;
	case DL_LAST_N_WEEKS: *start = ws - 7 * n; *end = ws; return;
	case DL_NEXT_N_WEEKS: *start = ws + 7; *end = ws + 7 + 7 * n; return;
	case DL_N_WEEKS_AGO: *start = ws - 7 * n; *end = ws - 7 * n + 7; return;
	default: break;
	}
	/* Month-based ranges: [first month, first month after). */
	int64_t from = 0, count = 0; /* in months, relative to the period start */
	int base_y = y, base_m = m, unit = 1;
	switch (lit) {
	case DL_LAST_MONTH: from = -1; count = 1; break;
	case DL_THIS_MONTH: from = 0; count = 1; break;
	case DL_NEXT_MONTH: from = 1; count = 1; break;
	case DL_LAST_N_MONTHS: from = -n; count = n; break;
	case DL_NEXT_N_MONTHS: from = 1; count = n; break;
	case DL_N_MONTHS_AGO: from = -n; count = 1; break;
	case DL_LAST_QUARTER: base_m = qm; unit = 3; from = -1; count = 1; break;
	case DL_THIS_QUARTER: base_m = qm; unit = 3; from = 0; count = 1; break;
	case DL_NEXT_QUARTER: base_m = qm; unit = 3; from = 1; count = 1; break;
	case DL_LAST_N_QUARTERS: base_m = qm; unit = 3; from = -n; count = n; break;
	case DL_NEXT_N_QUARTERS: base_m = qm; unit = 3; from = 1; count = n; break;
	case DL_N_QUARTERS_AGO: base_m = qm; unit = 3; from = -n; count = 1; break;
	case DL_LAST_YEAR: base_m = 1; unit = 12; from = -1; count = 1; break;
	case DL_THIS_YEAR: base_m = 1; unit = 12; from = 0; count = 1; break;
	case DL_NEXT_YEAR: base_m = 1; unit = 12; from = 1; count = 1; break;
	case DL_LAST_N_YEARS: base_m = 1; unit = 12; from = -n; count = n; break;
	case DL_NEXT_N_YEARS: base_m = 1; unit = 12; from = 1; count = n; break;
	case DL_N_YEARS_AGO: base_m = 1; unit = 12; from = -n; count = 1; break;
	case DL_LAST_FISCAL_QUARTER: base_y = fqy; base_m = fqm; unit = 3; from = -1; count = 1; break;
	case DL_THIS_FISCAL_QUARTER: base_y = fqy; base_m = fqm; unit = 3; from = 0; count = 1; break;
	case DL_NEXT_FISCAL_QUARTER: base_y = fqy; base_m = fqm; unit = 3; from = 1; count = 1; break;
	case DL_LAST_N_FISCAL_QUARTERS: base_y = fqy; base_m = fqm; unit = 3; from = -n; count = n; break;
	case DL_NEXT_N_FISCAL_QUARTERS: base_y = fqy; base_m = fqm; unit = 3; from = 1; count = n; break;
	case DL_N_FISCAL_QUARTERS_AGO: base_y = fqy; base_m = fqm; unit = 3; from = -n; count = 1; break;
	case DL_LAST_FISCAL_YEAR: base_y = fyy; base_m = fym; unit = 12; from = -1; count = 1; break;
	case DL_THIS_FISCAL_YEAR: base_y = fyy; base_m = fym; unit = 12; from = 0; count = 1; break;
	case DL_NEXT_FISCAL_YEAR: base_y = fyy; base_m = fym; unit = 12; from = 1; count = 1; break;
	case DL_LAST_N_FISCAL_YEARS: base_y = fyy; base_m = fym; unit = 12; from = -n; count = n; break;
	case DL_NEXT_N_FISCAL_YEARS: base_y = fyy; base_m = fym; unit = 12; from = 1; count = n; break;
	case DL_N_FISCAL_YEARS_AGO: base_y = fyy; base_m = fym; unit = 12; from = -n; count = 1; break;
	default: *start = today; *end = today + 1; return;
	}
	yy = base_y;
	mm = base_m;
	add_months(&yy, &mm, from * unit);
	*start = month_start(yy, mm);
	add_months(&yy, &mm, count * unit);
	*end = month_start(yy, mm);
}
