/*
 * The built-in embedder (CRMW_EMBEDDER_HASH, "crmw-hash-v1"): feature
 * hashing with no model, the same vector on every machine.
 *
 * Text is normalised (ASCII letters lower-cased; every byte that is not an
 * ASCII letter or digit and not part of a multi-byte UTF-8 character
 * separates words).  Features: each word (weight 1.0), each pair of
 * neighbouring words (0.7) and each character trigram of the word padded
 * with boundary marks (0.35).  A feature seen tf times weighs w (1 + ln tf);
 * its 64-bit hash picks a bucket and a sign.  The result is L2-normalised.
 * Changing any of this changes the embedder: give it a new name.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "memory/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { F_WORD = 1, F_PAIR = 2, F_TRI = 3 };

static const float class_weight[4] = {0, 1.0f, 0.7f, 0.35f};

static uint64_t seed_of(int cls)
{
	return CRMW_FNV_OFFSET ^ ((uint64_t)cls * 0x9E3779B97F4A7C15ull);
}

/* Counting table: feature hash -> (class, tf).  Open addressing. */
typedef struct feat {
	uint64_t h;
	uint32_t tf;
	uint8_t cls;
} feat;

typedef struct ftab {
	feat *v;
	size_t cap, n;
} ftab;

static int ftab_add(ftab *t, uint64_t h, int cls)
{
	if (h == 0)
		h = 1;
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		feat *v = calloc(cap, sizeof *v);
		if (!v)
			return CRMW_ENOMEM;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->v[i].h)
				continue;
			size_t j = (size_t)t->v[i].h & (cap - 1);
			while (v[j].h)
				j = (j + 1) & (cap - 1);
			v[j] = t->v[i];
		}
		free(t->v);
		t->v = v;
		t->cap = cap;
	}
	size_t j = (size_t)h & (t->cap - 1);
	while (t->v[j].h && t->v[j].h != h)
		j = (j + 1) & (t->cap - 1);
	if (!t->v[j].h) {
		t->v[j].h = h;
		t->v[j].cls = (uint8_t)cls;
		t->n++;
	}
	t->v[j].tf++;
	return CRMW_OK;
}

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int crmw_embed_hash(float *out, int32_t dim, const char *text, size_t len)
{
	CRMW__ARGS_NONNULL(NULL, !out || (!text && len));
	if (dim < 8)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_embed_hash: dimension %d is below 8", (int)dim);
	unsigned char *low = malloc(len + 1);
	if (!low)
		return crmw__errf(NULL, CRMW_ENOMEM, "crmw_embed_hash: out of memory");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		low[i] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
	}
	ftab t = {0};
	int rc = CRMW_OK;
	uint64_t prev = 0;
	bool have_prev = false;
	size_t i = 0;
	while (i < len && !rc) {
		if (!word_byte(low[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < len && word_byte(low[i]))
			i++;
		size_t n = i - s;
		uint64_t w = crmw__fnv1a(seed_of(F_WORD), low + s, n);
		rc = ftab_add(&t, crmw__mix64(w), F_WORD);
		if (!rc && have_prev) {
			uint64_t p = prev * 31 + w;
			rc = ftab_add(&t, crmw__mix64(crmw__fnv1a(seed_of(F_PAIR), (const unsigned char *)&p, sizeof p)), F_PAIR);
		}
		prev = w;
		have_prev = true;
		/* trigrams of "<word>" with '\x01' and '\x02' as boundary marks */
		for (size_t j = 0; !rc && j + 3 <= n + 2; j++) {
			unsigned char g[3];
			for (int k = 0; k < 3; k++) {
				size_t at = j + (size_t)k; /* position in the padded word */
				g[k] = at == 0 ? 1 : at == n + 1 ? 2 : low[s + at - 1];
			}
			rc = ftab_add(&t, crmw__mix64(crmw__fnv1a(seed_of(F_TRI), g, 3)), F_TRI);
		}
	}
	free(low);
	if (rc) {
		free(t.v);
		return crmw__errf(NULL, rc, "crmw_embed_hash: out of memory");
	}
	if (!t.n) {
		free(t.v);
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_embed_hash: the text has no letter or digit");
	}
	double *acc = calloc((size_t)dim, sizeof *acc);
	if (!acc) {
		free(t.v);
		return crmw__errf(NULL, CRMW_ENOMEM, "crmw_embed_hash: out of memory");
	}
	for (size_t j = 0; j < t.cap; j++) {
		const feat *f = &t.v[j];
		if (!f->h)
			continue;
		double wt = class_weight[f->cls] * (1.0 + log((double)f->tf));
		uint64_t h = f->h;
		acc[(h >> 1) % (uint64_t)dim] += (h & 1) ? -wt : wt;
	}
	free(t.v);
	double norm = 0;
	for (int32_t d = 0; d < dim; d++)
		norm += acc[d] * acc[d];
	norm = sqrt(norm);
	for (int32_t d = 0; d < dim; d++)
		out[d] = norm > 0 ? (float)(acc[d] / norm) : 0.0f;
	free(acc);
	if (!(norm > 0)) {
		/* every feature cancelled out: astronomically rare, but say so */
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_embed_hash: the text's features cancel out");
	}
	return CRMW_OK;
}
