/*
 * lib/gen/internal.h: the generator's random streams, text templates and
 * vocabularies.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_GEN_INTERNAL_H
#define CRMW_GEN_INTERNAL_H

#include "store/internal.h"
#include "gen/vocab.h"
#include <stdarg.h>
#include <crmweaver/gen.h>

/* ------------------------------------------------------------ random */

/* splitmix64: one independent stream per (seed, purpose, index), so that
 * every record's values depend only on the seed and the record's index. */
typedef struct rng {
	uint64_t s;
} rng;

static inline uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline rng rng_stream(uint64_t seed, uint64_t purpose, uint64_t index)
{
	rng r = {seed * 0x9e3779b97f4a7c15ULL ^ (purpose << 40) ^ index};
	rng_next(&r);
	r.s ^= purpose * 0xd1b54a32d192ed03ULL + index * 0x8cb92ba72f3d8dd7ULL;
	return r;
}

/* Uniform in [0, 1). */
static inline double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [0, n). */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32) : 0;
}

static inline double rng_range(rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

/* An approximately normal value (sum of uniforms), mean 0, sd 1. */
static inline double rng_normal(rng *r)
{
	double s = 0;
	for (int i = 0; i < 12; i++)
		s += rng_unit(r);
	return s - 6.0;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)CRMW_ARRAY_LEN(arr))])

/* -------------------------------------------------------------- text */

/* A value for a {slot} of a template. */
typedef struct slot {
	const char *name;
	const char *value;
} slot;

/*
 * Append a rendered template: "[a|b|c]" picks one alternative (nesting
 * allowed), "{name}" inserts a slot's value.  Returns CRMW_OK or
 * CRMW_ENOMEM.
 */
int crmw__render(crmw_buf *out, rng *r, const char *tmpl, const slot *slots, int nslots);

/*
 * A customer's account of a problem: the issue's own description between
 * sentences of context (when and why they bought, what it breaks, what
 * they tried, what they want), so that no two read alike.  The text speaks
 * for a team when the profile's customers are companies.  CRMW_OK or
 * CRMW_ENOMEM.  lib/gen/story.c.
 */
int crmw__case_story(crmw_buf *out, rng *r, const crmw_profile *prof, const crmw_issue *is, const char *product);

/* ------------------------------------------------------------ stream */

/*
 * The generator's row stream (stream.c): the generator describes rows and
 * latent facts, the thread that called crmw_gen writes them, in order.
 * crmw__gs_run calls produce(arg) on a helper thread when threads >= 2 (or on
 * the calling thread) and returns the writer's status; the producer keeps
 * its own status.  crmw__gs_stopped tells the producer the writer has failed.
 * crmw__gs_end gives the id the record will have.  Describing calls fail only
 * with CRMW_ENOMEM, which they do not record on any handle.
 */
typedef struct gen_stream gen_stream;
int crmw__gs_open(gen_stream **out, crmw_db *db, crmw_bulk *bulk, sqlite3_stmt *const *latent, int nlatent,
	    int threads, crmw_progress_fn progress, void *ud);
int crmw__gs_run(gen_stream *s, void (*produce)(void *), void *arg);
bool crmw__gs_stopped(const gen_stream *s);
void crmw__gs_free(gen_stream *s);
int crmw__gs_row(gen_stream *s, const crmw_object *o);
int crmw__gs_text(gen_stream *s, int32_t field, const char *v, size_t n);
int crmw__gs_int(gen_stream *s, int32_t field, int64_t v);
int crmw__gs_real(gen_stream *s, int32_t field, double v);
int crmw__gs_end(gen_stream *s, char id[19]);
int crmw__gs_latent(gen_stream *s, int which, const char *types, va_list ap);
int crmw__gs_stage(gen_stream *s, const char *name, int64_t total);

#endif
