/*
 * lib/tasks/synth.h: what the synthesis driver (synth.c) and the task
 * families (families.c, superlative.c, probes.c) share.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_TASKS_SYNTH_H
#define CRMW_TASKS_SYNTH_H

#include "tasks/internal.h"
#include "gen/internal.h"
#include "gen/vocab.h"
#include "store/internal.h"

#include <sqlite3.h>

/* Queries whose rows synthesis keeps for the whole run (crmw__syn_cached). */
enum { SYN_ARTICLES, SYN_CONTACTS, SYN_OPP_MISFIT, SYN_OPP_FIT, SYN_CACHE_N };

typedef struct synth {
	crmw_db *db;
	int profile;              /* 1 crmarena, 2 b2b, 4 b2c */
	char profile_name[16];
	const crmw_profile *vocab;
	uint64_t seed;
	int64_t now_days;         /* the org's "now" */
	int64_t start_days;       /* two years before: where the data begins */
	int rc;                   /* the error of the last failed crmw__syn_q */
	json_t *case_products[2]; /* cached: products with at least 1 and 4 cases */
	json_t *cached[SYN_CACHE_N]; /* rows of reference queries that do not change during a run (crmw__syn_cached) */
	int64_t ambiguous;        /* drafts of the family whose wording named two things (counted by make()) */
	int have_mentions;        /* 0 not known yet, 1 the org has crmw_latent_mention, 2 it has not */
	const json_t *answered;   /* the family's answers so far: compact JSON of the answer -> tasks (NULL outside a family) */
} synth;

/* How many tasks of the family so far have `answer` (a string) as their one answer. */
int64_t crmw__syn_answered(const synth *s, const char *answer);

/* One task being made. */
typedef struct draft {
	rng r;
	int64_t today_days;
	char today[11], today_dt[21];
	json_t *answer, *gold, *clauses, *protected_values;
	crmw_buf required;
	const char *persona;
	char lead[128];       /* what the persona's voice says before the request ("" none): clause 0 opens with it */
	const char *audience; /* context.audience: "customer" when the agent talks to a customer */
	char role[64];
} draft;

/* make(): 0 made, 1 rejected (the driver tries again), < 0 an error. */
typedef int (*syn_make_fn)(synth *s, draft *d, bool want_none);

typedef struct syn_family {
	const char *name, *source, *persona, *metric, *skill;
	unsigned profiles;        /* bits: 1 crmarena, 2 b2b, 4 b2c */
	double none_crmarena, none_pro;
	syn_make_fn make;
	bool reads_text; /* the answer needs reading free text (crmw__family_reads_text) */
} syn_family;

extern const syn_family crmw__syn_families[];

/* Periods. */
enum { P_REL = 0, P_MONTH = 1, P_QUARTER = 2, P_SEASON = 3, P_YEAR = 4 };
#define P_ANY 0x1f
#define P_NAMED 0x1e
typedef struct period {
	int kind;
	const char *unit;         /* P_REL: day, week, month, quarter */
	int n;
	const char *pname;        /* month name, Q1..Q4 or season */
	int year;
	int64_t a_days, b_days;   /* [a, b) */
	char a[21], b[21];        /* the same as datetimes */
	char phrase[96];
} period;

/* Rows of a reference query as arrays; NULL on error (s->rc set).
 * types: "s" text, "i" int64, "d" double. */
json_t *crmw__syn_q(synth *s, const char *sql, const char *types, ...);
/* The rows of a query without parameters, run once per synthesis (slot
 * `which`); borrowed, NULL on error (s->rc set). */
const json_t *crmw__syn_cached(synth *s, int which, const char *sql);
const char *crmw__syn_str(const json_t *rows, size_t row, size_t col);
double crmw__syn_num(const json_t *rows, size_t row, size_t col);
json_t *crmw__syn_col(const json_t *rows, size_t col);
char *crmw__syn_json_text(const json_t *v);
/* The id (column 0) with the largest or smallest value (column 1): 0 found,
 * 1 a tie, -1 no rows. */
int crmw__syn_extreme(const json_t *rows, bool max, const char **id);

void crmw__syn_day_text(int64_t days, char out[11]);
int64_t crmw__syn_days(const char *date);
void crmw__syn_today(synth *s, draft *d, int min_days);
void crmw__syn_period(synth *s, draft *d, period *p, int kinds, bool before_data);
/* The past n units (day, week, fortnight, month, quarter) up to today, with its phrase. */
void crmw__syn_relative_period(draft *d, period *p, const char *unit, int n);
/* A relative period of the published mix (quarters, months, weeks, a
 * fortnight, three weeks, a year), at most max_days long (0: any). */
void crmw__syn_relative_any(draft *d, period *p, int max_days);
/* n as a word (small n, half the time) or digits. */
const char *crmw__syn_count_text(draft *d, int n, char buf[16]);
/* The gold program's start and end arguments for a period, as a user of
 * the tools finds them (adds the get_start_date or get_period step): every
 * tool takes [start_date, end_date) with the end get_period returns. */
void crmw__syn_period_args(draft *d, const period *p, json_t **a, json_t **b);

int crmw__syn_step(draft *d, const char *name, json_t *args); /* steals args */
void crmw__syn_expect(draft *d, const char *text);
json_t *crmw__syn_ref(int step, const char *path);
json_t *crmw__syn_ref_text(int step, const char *path);
void crmw__syn_respond_ref(draft *d, int step);
void crmw__syn_respond(draft *d, const char *text);

void crmw__syn_clause(draft *d, const char *tmpl, const slot *slots, int n);
void crmw__syn_required(draft *d, const char *fmt, ...) CRMW_PRINTF(2, 3);
void crmw__syn_answer(draft *d, const char *value);
/* The persona who asks (kind: manager, agent, analyst, sales or customer;
 * CRMArena's roles on its own profile, work styles or customers on the Pro
 * ones) and, half of the time, a sentence in its voice before the request
 * (lib/tasks/phrase.c). */
void crmw__syn_voice(synth *s, draft *d, const char *kind);

#endif
