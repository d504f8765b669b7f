/*
 * The period resolver (lib/common/period.c) on any bytes: the first two
 * choose today (0xffff: a today outside the calendar), the rest is the
 * question.  Aborts when an expression is out of order or out of the text,
 * has bounds that do not hold together, or reads differently alone (the
 * bytes it was read from, resolved by themselves, give the same bounds).
 */
#include "common.h"

#include "common/internal.h"

#define MAXP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned v = data[0] | (unsigned)data[1] << 8;
	int64_t today = v == 0xffff ? INT64_MAX : crmw__days_from_civil(1990, 1, 1) + v;
	const char *text = (const char *)data + 2;
	size_t n = size - 2;
	static crmw__period p[MAXP];
	size_t k = crmw__period_find(text, n, today, p, MAXP);
	if (crmw__period_find(text, n, today, NULL, 0) != k)
		abort();
	int64_t lo = crmw__days_from_civil(1, 1, 1), hi = crmw__days_from_civil(9999, 12, 31);
	size_t prev = 0;
	for (size_t i = 0; i < k && i < MAXP; i++) {
		const crmw__period *e = &p[i];
		if (e->len == 0 || e->at < prev || e->at + e->len > n || e->kind < CRMW__PERIOD_DAY ||
		    e->kind > CRMW__PERIOD_YEAR || e->start >= e->end || e->last != e->end - 1 || e->start < lo || e->last > hi)
			abort();
		if (e->kind == CRMW__PERIOD_DAY && e->end != e->start + 1)
			abort();
		if (e->kind == CRMW__PERIOD_RELATIVE && (e->end != today || e->count < 1))
			abort();
		prev = e->at + e->len;
		crmw__period alone;
		if (crmw__period_find(text + e->at, e->len, today, &alone, 1) != 1 || alone.at != 0 ||
		    alone.len != e->len || alone.kind != e->kind || alone.start != e->start || alone.end != e->end)
			abort();
	}
	return 0;
}
