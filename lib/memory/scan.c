/*
 * The exact engine of the memory store: every vector in one aligned matrix,
 * scanned with vectorised kernels (float, or int8 with exact rescoring), and
 * batches of queries through BLAS sgemm.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "memory/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#if defined(__x86_64__) && defined(__GNUC__)
#  include <immintrin.h>
#  define MEM_X86 1
#else
#  define MEM_X86 0
#endif

/* --------------------------------------------------------------- kernels */

/* Plain C with eight independent accumulators, so that even a baseline
 * (SSE2) build pipelines the multiply-adds. */
static float dot_c(const float *a, const float *b, int32_t n)
{
	float s[8] = {0};
	int32_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			s[j] += a[i + j] * b[i + j];
	for (; i < n; i++)
		s[0] += a[i] * b[i];
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static int32_t dot8_c(const int8_t *a, const int8_t *b, int32_t n)
{
	int32_t s = 0;
	for (int32_t i = 0; i < n; i++)
		s += (int32_t)a[i] * (int32_t)b[i];
	return s;
}

#if MEM_X86
__attribute__((target("avx2,fma"))) static float dot_avx2(const float *a, const float *b, int32_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	int32_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	__m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
	__m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
	h = _mm_add_ps(h, _mm_movehl_ps(h, h));
	h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
	float r = _mm_cvtss_f32(h);
	for (; i < n; i++)
		r += a[i] * b[i];
	return r;
}

/* int8 x int8 with maddubs: |a| (unsigned) times b carrying a's sign; the
 * pair sums stay below 2 * 127 * 127 < 32768, so nothing saturates. */
__attribute__((target("avx2"))) static int32_t dot8_avx2(const int8_t *a, const int8_t *b, int32_t n)
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i acc = _mm256_setzero_si256();
	int32_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(a + i));
		__m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
		__m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
	}
	__m128i h = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
	h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
	h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
	int32_t r = _mm_cvtsi128_si32(h);
	for (; i < n; i++)
		r += (int32_t)a[i] * (int32_t)b[i];
	return r;
}
#endif

typedef float (*dot_fn)(const float *, const float *, int32_t);
typedef int32_t (*dot8_fn)(const int8_t *, const int8_t *, int32_t);

static dot_fn g_dot;
static dot8_fn g_dot8;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void pick_kernels(void)
{
	g_dot = dot_c;
	g_dot8 = dot8_c;
#if MEM_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		g_dot = dot_avx2;
		g_dot8 = dot8_avx2;
	}
#endif
}

static void kernels(void)
{
	pthread_once(&g_once, pick_kernels);
}

float crmw__dot(const float *a, const float *b, int32_t n)
{
	kernels();
	return g_dot(a, b, n);
}

/* ----------------------------------------------------------------- top-k */

static inline bool worse(float s1, int64_t id1, float s2, int64_t id2)
{
	return s1 < s2 || (s1 == s2 && id1 > id2);
}

/* A min-heap on "worse": the root is the current k-th best. */
void crmw__topk_push(mem_topk *t, float score, int64_t id)
{
	if (t->k <= 0)
		return;
	int32_t i;
	if (t->n < t->k) {
		i = t->n++;
		while (i > 0) {
			int32_t p = (i - 1) / 2;
			if (!worse(score, id, t->score[p], t->id[p]))
				break;
			t->score[i] = t->score[p];
			t->id[i] = t->id[p];
			i = p;
		}
		t->score[i] = score;
		t->id[i] = id;
		return;
	}
	if (!worse(t->score[0], t->id[0], score, id))
		return;
	i = 0;
	for (;;) {
		int32_t l = 2 * i + 1, r = l + 1, m = i;
		float ms = score;
		int64_t mi = id;
		if (l < t->n && worse(t->score[l], t->id[l], ms, mi)) {
			m = l;
			ms = t->score[l];
			mi = t->id[l];
		}
		if (r < t->n && worse(t->score[r], t->id[r], ms, mi))
			m = r;
		if (m == i)
			break;
		t->score[i] = t->score[m];
		t->id[i] = t->id[m];
		i = m;
	}
	t->score[i] = score;
	t->id[i] = id;
}

static inline bool topk_wants(const mem_topk *t, float s, int64_t id)
{
	return t->n < t->k || worse(t->score[0], t->id[0], s, id);
}

/* Best first (insertion sort: k is small). */
void crmw__topk_sort(mem_topk *t)
{
	for (int32_t i = 1; i < t->n; i++) {
		float s = t->score[i];
		int64_t id = t->id[i];
		int32_t j = i - 1;
		while (j >= 0 && worse(t->score[j], t->id[j], s, id)) {
			t->score[j + 1] = t->score[j];
			t->id[j + 1] = t->id[j];
			j--;
		}
		t->score[j + 1] = s;
		t->id[j + 1] = id;
	}
}

/* ---------------------------------------------------------------- matrix */

static int32_t round_up(int32_t n, int32_t m)
{
	return (n + m - 1) / m * m;
}

void crmw__mx_init(mem_matrix *mx, int32_t dim)
{
	memset(mx, 0, sizeof *mx);
	mx->dim = dim;
	mx->stride = round_up(dim, 16);
	mx->stride8 = round_up(dim, 32);
}

void crmw__mx_clear(mem_matrix *mx)
{
	mx->n = 0;
	if (mx->hkeys)
		memset(mx->hkeys, 0, mx->hcap * sizeof *mx->hkeys);
}

void crmw__mx_dispose(mem_matrix *mx)
{
	free(mx->vec);
	free(mx->ids);
	free(mx->kind);
	free(mx->family);
	free(mx->scope);
	mem_names *names[2] = {&mx->fams, &mx->scopes};
	for (int k = 0; k < 2; k++) {
		for (int32_t i = 0; i < names[k]->n; i++)
			free(names[k]->s[i]);
		free(names[k]->s);
		free(names[k]->slot);
	}
	free(mx->hkeys);
	free(mx->hvals);
	free(mx->q8);
	free(mx->q8scale);
	free(mx->q8err);
	free(mx->q8norm);
	int32_t dim = mx->dim;
	crmw__mx_init(mx, dim);
}

static size_t hslot(const mem_matrix *mx, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 20) & (mx->hcap - 1);
}

int64_t crmw__mx_slot(const mem_matrix *mx, int64_t id)
{
	if (!mx->hcap || id <= 0)
		return -1;
	for (size_t i = hslot(mx, id);; i = (i + 1) & (mx->hcap - 1)) {
		if (mx->hkeys[i] == id)
			return mx->hvals[i];
		if (!mx->hkeys[i])
			return -1;
	}
}

static void hset(mem_matrix *mx, int64_t id, int64_t row)
{
	size_t i = hslot(mx, id);
	while (mx->hkeys[i] && mx->hkeys[i] != id)
		i = (i + 1) & (mx->hcap - 1);
	mx->hkeys[i] = id;
	mx->hvals[i] = row;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void hdel(mem_matrix *mx, int64_t id)
{
	size_t mask = mx->hcap - 1, i = hslot(mx, id);
	while (mx->hkeys[i] != id) {
		if (!mx->hkeys[i])
			return;
		i = (i + 1) & mask;
	}
	size_t j = i;
	for (;;) {
		mx->hkeys[i] = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!mx->hkeys[j])
				return;
			size_t home = hslot(mx, mx->hkeys[j]);
			/* move j into the hole at i unless its home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		mx->hkeys[i] = mx->hkeys[j];
		mx->hvals[i] = mx->hvals[j];
		i = j;
	}
}

static int hgrow(mem_matrix *mx, size_t need)
{
	if (need * 2 <= mx->hcap)
		return CRMW_OK;
	size_t cap = mx->hcap ? mx->hcap : 64;
	while (need * 2 > cap)
		cap *= 2;
	int64_t *k = calloc(cap, sizeof *k), *v = malloc(cap * sizeof *v);
	if (!k || !v) {
		free(k);
		free(v);
		return CRMW_ENOMEM;
	}
	int64_t *ok = mx->hkeys, *ov = mx->hvals;
	size_t ocap = mx->hcap;
	mx->hkeys = k;
	mx->hvals = v;
	mx->hcap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (ok[i])
			hset(mx, ok[i], ov[i]);
	free(ok);
	free(ov);
	return CRMW_OK;
}

static void *grow_aligned(void *old, size_t old_bytes, size_t bytes)
{
	void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
	if (p && old)
		memcpy(p, old, old_bytes);
	if (p)
		free(old);
	return p;
}

static int reserve(mem_matrix *mx, int64_t need)
{
	if (need <= mx->cap)
		return hgrow(mx, (size_t)need);
	int64_t cap = mx->cap ? mx->cap : 256;
	while (cap < need)
		cap *= 2;
	size_t fs = (size_t)mx->stride * sizeof(float);
	float *vec = grow_aligned(mx->vec, (size_t)mx->n * fs, (size_t)cap * fs);
	if (!vec)
		return CRMW_ENOMEM;
	mx->vec = vec;
	int64_t *ids = realloc(mx->ids, (size_t)cap * sizeof *ids);
	if (!ids)
		return CRMW_ENOMEM;
	mx->ids = ids;
	uint8_t *kind = realloc(mx->kind, (size_t)cap);
	if (!kind)
		return CRMW_ENOMEM;
	mx->kind = kind;
	int32_t *fam = realloc(mx->family, (size_t)cap * sizeof *fam);
	if (!fam)
		return CRMW_ENOMEM;
	mx->family = fam;
	int32_t *scope = realloc(mx->scope, (size_t)cap * sizeof *scope);
	if (!scope)
		return CRMW_ENOMEM;
	mx->scope = scope;
	if (mx->has_q8) {
		int8_t *q8 = grow_aligned(mx->q8, (size_t)mx->n * (size_t)mx->stride8, (size_t)cap * (size_t)mx->stride8);
		if (!q8)
			return CRMW_ENOMEM;
		mx->q8 = q8;
		float **arrs[3] = {&mx->q8scale, &mx->q8err, &mx->q8norm};
		for (int i = 0; i < 3; i++) {
			float *p = realloc(*arrs[i], (size_t)cap * sizeof(float));
			if (!p)
				return CRMW_ENOMEM;
			*arrs[i] = p;
		}
	}
	mx->cap = cap;
	return hgrow(mx, (size_t)need);
}

static uint32_t name_hash(const char *s)
{
	uint64_t h = crmw__fnv1a(CRMW_FNV_OFFSET, s, strlen(s));
	return (uint32_t)(h ^ (h >> 32));
}

/* Index i (0-based) into the open-addressed table. */
static void names_slot_set(mem_names *t, int32_t i)
{
	uint32_t mask = t->scap - 1;
	uint32_t j = name_hash(t->s[i]) & mask;
	while (t->slot[j])
		j = (j + 1) & mask;
	t->slot[j] = i + 1;
}

int32_t crmw__names_id(mem_names *t, const char *s, bool add)
{
	if (!s)
		return -1;
	if (t->scap) {
		uint32_t mask = t->scap - 1;
		for (uint32_t j = name_hash(s) & mask; t->slot[j]; j = (j + 1) & mask)
			if (!strcmp(t->s[t->slot[j] - 1], s))
				return t->slot[j] - 1;
	}
	if (!add)
		return -1;
	if (t->n == t->cap) {
		int32_t cap = t->cap ? t->cap * 2 : 16;
		char **p = realloc(t->s, (size_t)cap * sizeof *p);
		if (!p)
			return -2;
		t->s = p;
		t->cap = cap;
	}
	/* at most half full */
	if ((uint32_t)(t->n + 1) * 2 > t->scap) {
		uint32_t scap = t->scap ? t->scap * 2 : 32;
		int32_t *slot = calloc(scap, sizeof *slot);
		if (!slot)
			return -2;
		free(t->slot);
		t->slot = slot;
		t->scap = scap;
		for (int32_t i = 0; i < t->n; i++)
			names_slot_set(t, i);
	}
	char *c = crmw__strdup(s);
	if (!c)
		return -2;
	t->s[t->n] = c;
	names_slot_set(t, t->n);
	return t->n++;
}

int32_t crmw__mx_family(mem_matrix *mx, const char *family, bool add)
{
	return crmw__names_id(&mx->fams, family, add);
}

/* Quantise row `r`: symmetric per-row scale; keeps the residual's norm and
 * the dequantised row's norm for the error bound of the int8 scan. */
static void quantise_row(mem_matrix *mx, int64_t r)
{
	const float *x = mx->vec + (size_t)r * (size_t)mx->stride;
	int8_t *q = mx->q8 + (size_t)r * (size_t)mx->stride8;
	float amax = 0;
	for (int32_t i = 0; i < mx->dim; i++)
		amax = fmaxf(amax, fabsf(x[i]));
	float scale = amax > 0 ? amax / 127.0f : 1.0f;
	double err = 0, norm = 0;
	for (int32_t i = 0; i < mx->dim; i++) {
		float v = nearbyintf(x[i] / scale);
		v = fminf(127.0f, fmaxf(-127.0f, v));
		q[i] = (int8_t)v;
		double d = (double)x[i] - (double)v * scale;
		err += d * d;
		norm += (double)v * scale * (double)v * scale;
	}
	memset(q + mx->dim, 0, (size_t)(mx->stride8 - mx->dim));
	mx->q8scale[r] = scale;
	mx->q8err[r] = (float)sqrt(err);
	mx->q8norm[r] = (float)sqrt(norm);
}

int crmw__mx_enable_q8(mem_matrix *mx)
{
	if (mx->has_q8)
		return CRMW_OK;
	size_t cap = mx->cap ? (size_t)mx->cap : 1;
	mx->q8 = aligned_alloc(64, (cap * (size_t)mx->stride8 + 63) / 64 * 64);
	mx->q8scale = malloc(cap * sizeof(float));
	mx->q8err = malloc(cap * sizeof(float));
	mx->q8norm = malloc(cap * sizeof(float));
	if (!mx->q8 || !mx->q8scale || !mx->q8err || !mx->q8norm) {
		free(mx->q8);
		free(mx->q8scale);
		free(mx->q8err);
		free(mx->q8norm);
		mx->q8 = NULL;
		mx->q8scale = mx->q8err = mx->q8norm = NULL;
		return CRMW_ENOMEM;
	}
	mx->has_q8 = true;
	for (int64_t r = 0; r < mx->n; r++)
		quantise_row(mx, r);
	return CRMW_OK;
}

int crmw__mx_put(mem_matrix *mx, int64_t id, const float *v, uint8_t kind, int32_t family, int32_t scope)
{
	int64_t r = crmw__mx_slot(mx, id);
	if (r < 0) {
		if (reserve(mx, mx->n + 1))
			return CRMW_ENOMEM;
		r = mx->n++;
		mx->ids[r] = id;
		hset(mx, id, r);
	}
	float *row = mx->vec + (size_t)r * (size_t)mx->stride;
	memcpy(row, v, (size_t)mx->dim * sizeof(float));
	memset(row + mx->dim, 0, (size_t)(mx->stride - mx->dim) * sizeof(float));
	mx->kind[r] = kind;
	mx->family[r] = family;
	mx->scope[r] = scope;
	if (mx->has_q8)
		quantise_row(mx, r);
	return CRMW_OK;
}

void crmw__mx_remove(mem_matrix *mx, int64_t id)
{
	int64_t r = crmw__mx_slot(mx, id);
	if (r < 0)
		return;
	hdel(mx, id);
	int64_t last = --mx->n;
	if (r != last) {
		memcpy(mx->vec + (size_t)r * (size_t)mx->stride, mx->vec + (size_t)last * (size_t)mx->stride,
		       (size_t)mx->stride * sizeof(float));
		mx->ids[r] = mx->ids[last];
		mx->kind[r] = mx->kind[last];
		mx->family[r] = mx->family[last];
		mx->scope[r] = mx->scope[last];
		if (mx->has_q8) {
			memcpy(mx->q8 + (size_t)r * (size_t)mx->stride8, mx->q8 + (size_t)last * (size_t)mx->stride8,
			       (size_t)mx->stride8);
			mx->q8scale[r] = mx->q8scale[last];
			mx->q8err[r] = mx->q8err[last];
			mx->q8norm[r] = mx->q8norm[last];
		}
		hset(mx, mx->ids[r], r);
	}
}

/* ------------------------------------------------------------------ scans */

static void scan_float(mem_topk *t, const mem_matrix *mx, const float *q, const uint8_t *mask, float min_score)
{
	const float *row = mx->vec;
	for (int64_t r = 0; r < mx->n; r++, row += mx->stride) {
		if (mask && !mask[r])
			continue;
		float s = g_dot(row, q, mx->stride);
		if (s >= min_score && topk_wants(t, s, mx->ids[r]))
			crmw__topk_push(t, s, mx->ids[r]);
	}
}

/*
 * int8 scan with exact rescoring.  With x = x^ + ex (x^ the dequantised row)
 * and q = q^ + eq:  q.x - q^.x^ = q.ex + eq.x^, so
 *     |q.x - approx| <= |q| |ex| + |eq| |x^|  (+ float rounding slack).
 * Pass 1 finds L, the k-th best lower bound; every row whose upper bound
 * reaches max(L, min_score) is rescored in float.  Any row of the true top k
 * scores at least L, so it is among them: the result is exact.
 */
static void scan_q8(mem_topk *t, const mem_matrix *mx, const float *q, const uint8_t *mask, float min_score,
		    float *approx)
{
	int32_t dim = mx->dim;
	float amax = 0;
	for (int32_t i = 0; i < dim; i++)
		amax = fmaxf(amax, fabsf(q[i]));
	float qs = amax > 0 ? amax / 127.0f : 1.0f;
	int8_t q8[mx->stride8] __attribute__((aligned(64)));
	double qn2 = 0, eq2 = 0;
	for (int32_t i = 0; i < dim; i++) {
		float v = fminf(127.0f, fmaxf(-127.0f, nearbyintf(q[i] / qs)));
		q8[i] = (int8_t)v;
		double d = (double)q[i] - (double)v * qs;
		eq2 += d * d;
		qn2 += (double)q[i] * q[i];
	}
	memset(q8 + dim, 0, (size_t)(mx->stride8 - dim));
	float qn = (float)sqrt(qn2), eqn = (float)sqrt(eq2);
	float slack = 4e-7f * (float)dim; /* relative float error of the float kernel, generous */

	mem_topk lb = {.k = t->k};
	float lbs[t->k > 0 ? t->k : 1];
	int64_t lbi[t->k > 0 ? t->k : 1];
	lb.score = lbs;
	lb.id = lbi;
	const int8_t *row = mx->q8;
	for (int64_t r = 0; r < mx->n; r++, row += mx->stride8) {
		if (mask && !mask[r])
			continue;
		float a = qs * mx->q8scale[r] * (float)g_dot8(row, q8, mx->stride8);
		approx[r] = a;
		float bound = qn * mx->q8err[r] + eqn * mx->q8norm[r] + slack * qn * (mx->q8norm[r] + mx->q8err[r]);
		float low = a - bound;
		if (topk_wants(&lb, low, mx->ids[r]))
			crmw__topk_push(&lb, low, mx->ids[r]);
	}
	float floor_ = lb.n == lb.k ? lb.score[0] : -INFINITY;
	if (min_score > floor_)
		floor_ = min_score;
	const float *frow = mx->vec;
	for (int64_t r = 0; r < mx->n; r++, frow += mx->stride) {
		if (mask && !mask[r])
			continue;
		float bound = qn * mx->q8err[r] + eqn * mx->q8norm[r] + slack * qn * (mx->q8norm[r] + mx->q8err[r]);
		if (approx[r] + bound < floor_)
			continue;
		float s = g_dot(frow, q, mx->stride);
		if (s >= min_score && topk_wants(t, s, mx->ids[r]))
			crmw__topk_push(t, s, mx->ids[r]);
	}
}

void crmw__scan_exact(mem_topk *t, const mem_matrix *mx, const float *q, const uint8_t *mask, float min_score,
		      bool use_q8, float *scratch)
{
	kernels();
	/* the query padded to the stride, aligned */
	float qp[mx->stride] __attribute__((aligned(64)));
	memcpy(qp, q, (size_t)mx->dim * sizeof(float));
	memset(qp + mx->dim, 0, (size_t)(mx->stride - mx->dim) * sizeof(float));
	t->n = 0;
	if (use_q8 && mx->has_q8 && t->k > 0)
		scan_q8(t, mx, qp, mask, min_score, scratch);
	else
		scan_float(t, mx, qp, mask, min_score);
	crmw__topk_sort(t);
}

int crmw__scan_batch(mem_topk *tops, const mem_matrix *mx, const float *q, int32_t nq, const uint8_t *mask,
		     float min_score)
{
	enum { BLOCK = 2048 };
	float *c = malloc((size_t)nq * BLOCK * sizeof(float));
	if (!c)
		return CRMW_ENOMEM;
	for (int32_t i = 0; i < nq; i++)
		tops[i].n = 0;
	for (int64_t r0 = 0; r0 < mx->n; r0 += BLOCK) {
		int32_t nb = (int32_t)(mx->n - r0 < BLOCK ? mx->n - r0 : BLOCK);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nq, nb, mx->dim, 1.0f, q, mx->dim,
			    mx->vec + (size_t)r0 * (size_t)mx->stride, mx->stride, 0.0f, c, nb);
		for (int32_t i = 0; i < nq; i++) {
			const float *ci = c + (size_t)i * (size_t)nb;
			mem_topk *t = &tops[i];
			for (int32_t j = 0; j < nb; j++) {
				int64_t r = r0 + j;
				if (mask && !mask[r])
					continue;
				float s = ci[j];
				if (s >= min_score && topk_wants(t, s, mx->ids[r]))
					crmw__topk_push(t, s, mx->ids[r]);
			}
		}
	}
	free(c);
	for (int32_t i = 0; i < nq; i++)
		crmw__topk_sort(&tops[i]);
	return CRMW_OK;
}
