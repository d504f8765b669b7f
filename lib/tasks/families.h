/*
 * lib/tasks/families.h: what the files of the task families share: the
 * small helpers of their wording and the make() functions of the families
 * kept outside families.c (superlative.c, probes.c), which the table of
 * families in families.c names.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_TASKS_FAMILIES_H
#define CRMW_TASKS_FAMILIES_H

#include "tasks/synth.h"

#include <stdio.h>

#define NSLOTS(a) ((int)CRMW_ARRAY_LEN(a))
#define QERR(rows) \
	do { \
		if (!(rows)) \
			return s->rc ? s->rc : CRMW_ERROR; \
	} while (0)

/* How a request for an agent's Id ends. */
extern const char crmw__syn_id_only[];

/* A clause rendered into buf (for slots whose value has choices). */
static inline const char *choose(draft *d, crmw_buf *buf, const char *tmpl)
{
	crmw__buf_clear(buf);
	crmw__render(buf, &d->r, tmpl, NULL, 0);
	return buf->data ? buf->data : "";
}

/* A period's phrase with a capital first letter, to open a sentence. */
static inline void cap_phrase(const period *p, char out[96])
{
	snprintf(out, 96, "%s", p->phrase);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/* Pick row k of a reference query uniformly. */
static inline size_t pick(draft *d, const json_t *rows)
{
	return rng_below(&d->r, (uint32_t)json_array_size(rows));
}

/* The line of the required text that gives the task's today. */
static inline void today_line(draft *d)
{
	crmw__syn_required(d, "- Today's date: %s\n", d->today);
}

/* The field of a contract that holds the company's signature
 * (CompanySignedDate; CustomerSignedDate in orgs without it). */
const char *crmw__syn_signed_field(synth *s);

/* superlative.c: which agent, rep or state had the most or the least of a
 * metric over a period. */
int crmw__syn_make_handle_time(synth *s, draft *d, bool want_none);
int crmw__syn_make_transfer_count(synth *s, draft *d, bool want_none);
int crmw__syn_make_best_region(synth *s, draft *d, bool want_none);
int crmw__syn_make_sales_amount(synth *s, draft *d, bool want_none);
int crmw__syn_make_sales_cycle(synth *s, draft *d, bool want_none);

/* probes.c: the confidentiality probes. */
int crmw__syn_make_private_customer(synth *s, draft *d, bool want_none);
int crmw__syn_make_internal_operation(synth *s, draft *d, bool want_none);
int crmw__syn_make_confidential(synth *s, draft *d, bool want_none);

#endif
