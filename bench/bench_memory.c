/*
 * crmweaver-bench memory: vector search in the shared-memory store.
 *
 * Every engine side by side in one run on the same store: the exact scan
 * (float, and int8 with float rescoring), the batched exact search (sgemm),
 * faiss Flat and HNSW32 through the library, and the peer: a brute-force
 * scan in SQLite (a SQL query over the stored blobs with a C dot()
 * function), the one place a benchmark uses SQLite directly (on the store's
 * file, read-only).  Top-10 by inner product of unit vectors (cosine).
 * Recall@10 is measured against a naive double-precision scan over the
 * vectors read back from the store; a hit counts when its true score
 * reaches the 10th best true score (less 1e-5, so that float rounding of
 * exact ties is not a miss).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The peer's query, on the table and column of the store's layout (docs/memory.md). */
#define MEM_SQL_SCAN "SELECT id, dot(embedding, ?1) AS s FROM crmw_mem_entry ORDER BY s DESC LIMIT 10"

/* MEM_REPORTED: a failure already reported (library codes are <= 0). */
enum { MEM_K = 10, MEM_BATCH = 64, MEM_WARMUP = 10, MEM_REPORTED = 1 };

/* The engines, in the order of the table. */
enum { E_STORE, E_EXACT, E_INT8, E_BATCH, E_FLAT, E_HNSW, E_SQLITE, E_COUNT };
static const char *const mem_key[E_COUNT] = {"store", "exact", "exact_int8", "exact_batch", "faiss_flat", "hnsw",
					     "sqlite_scan"};
static const char *const mem_label[E_COUNT] = {
	"store: load entries", "exact scan, float", "exact scan, int8 + rescoring", "exact batch (64/call, sgemm)",
	"faiss Flat", "faiss HNSW32", "SQLite scan (SQL, C dot())",
};

typedef struct mem_res {
	bool ran;
	const char *note;   /* why it did not run */
	double build_s;     /* < 0: not applicable */
	double load_s;      /* open + first search; < 0: not applicable */
	double p50, p95;    /* microseconds per query */
	double recall;      /* < 0: not measured */
	int nq;             /* queries timed */
	int ef_search;      /* HNSW: the handle's ef_search (from its stats) */
	long peak_kb;       /* ru_maxrss when the engine was done */
} mem_res;

typedef bench_memory_conf mem_conf;

typedef struct mem_size {
	int64_t n;
	char label[24];
	int64_t file_bytes;
	mem_res r[E_COUNT];
} mem_size;

static uint64_t mix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A standard normal deviate (Box-Muller; one of the pair is dropped). */
static double gauss(uint64_t *s)
{
	double u = ((double)(mix64(s) >> 11) + 0.5) * 0x1.0p-53;
	double v = (double)(mix64(s) >> 11) * 0x1.0p-53;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void unit(float *v, int32_t dim)
{
	double s = 0;
	for (int32_t j = 0; j < dim; j++)
		s += (double)v[j] * v[j];
	float inv = (float)(1.0 / sqrt(s));
	for (int32_t j = 0; j < dim; j++)
		v[j] *= inv;
}

/*
 * n unit vectors.  Clustered (the default, because embeddings of text gather
 * by topic): n/100 random unit centres, each point a centre plus Gaussian
 * noise of the same norm (cosine to its centre about 0.7).  Uniform:
 * normalised Gaussian vectors (uniform on the sphere), where every point is
 * about as far from a query as every other: the worst case for a graph
 * index such as HNSW.
 */
static void mem_vectors(float *x, int64_t n, int32_t dim, uint64_t seed, bool clustered)
{
	uint64_t s = seed * 0x100000001B3ull + 1;
	float *cent = NULL;
	int64_t nc = n / 100 > 0 ? n / 100 : 1;
	if (clustered) {
		cent = malloc(sizeof *cent * (size_t)nc * (size_t)dim);
		for (int64_t c = 0; c < nc; c++) {
			for (int32_t j = 0; j < dim; j++)
				cent[c * dim + j] = (float)gauss(&s);
			unit(cent + c * dim, dim);
		}
	}
	double sd = 1.0 / sqrt((double)dim);
	for (int64_t i = 0; i < n; i++) {
		float *v = x + i * dim;
		const float *c = clustered ? cent + (int64_t)(mix64(&s) % (uint64_t)nc) * dim : NULL;
		for (int32_t j = 0; j < dim; j++)
			v[j] = c ? c[j] + (float)(gauss(&s) * sd) : (float)gauss(&s);
		unit(v, dim);
	}
	free(cent);
}

/* Queries: perturbed copies of stored vectors (noise of norm about 0.5, so
 * the source scores about 0.89 and the other nine hits are its neighbours). */
static void mem_queries(float *q, int nq, const float *x, int64_t n, int32_t dim, uint64_t seed)
{
	uint64_t s = seed * 0x100000001B3ull + 77;
	double sd = 0.5 / sqrt((double)dim);
	for (int i = 0; i < nq; i++) {
		const float *src = x + (int64_t)(mix64(&s) % (uint64_t)n) * dim;
		for (int32_t j = 0; j < dim; j++)
			q[(int64_t)i * dim + j] = src[j] + (float)(gauss(&s) * sd);
		unit(q + (int64_t)i * dim, dim);
	}
}

/* The reference: the K best true scores of each query by a naive scan in
 * double precision; `thr[i]` gets query i's K-th best. */
static double dot_d(const float *a, const float *b, int32_t dim)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int32_t j = 0;
	for (; j + 4 <= dim; j += 4) {
		s0 += (double)a[j] * b[j];
		s1 += (double)a[j + 1] * b[j + 1];
		s2 += (double)a[j + 2] * b[j + 2];
		s3 += (double)a[j + 3] * b[j + 3];
	}
	for (; j < dim; j++)
		s0 += (double)a[j] * b[j];
	return (s0 + s1) + (s2 + s3);
}

static void mem_truth(double *thr, const float *rows, int64_t n, const float *q, int nq, int32_t dim)
{
	for (int i = 0; i < nq; i++) {
		double best[MEM_K];
		int nb = 0;
		const float *qi = q + (int64_t)i * dim;
		for (int64_t r = 0; r < n; r++) {
			double s = dot_d(rows + r * dim, qi, dim);
			if (nb == MEM_K && s <= best[MEM_K - 1])
				continue;
			int p = nb < MEM_K ? nb++ : MEM_K - 1;
			while (p > 0 && best[p - 1] < s) {
				best[p] = best[p - 1];
				p--;
			}
			best[p] = s;
		}
		thr[i] = nb ? best[nb - 1] : -1e30;
	}
}

typedef struct mem_ids {
	int64_t *sorted; /* ids ascending */
	int64_t *row;    /* row of sorted[i] */
	int64_t n;
} mem_ids;

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int64_t mem_row_of(const mem_ids *ix, int64_t id)
{
	int64_t lo = 0, hi = ix->n - 1;
	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (ix->sorted[mid] == id)
			return ix->row[mid];
		if (ix->sorted[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Recall@K of hits `got` (nq x K, -1 for none) against the reference. */
static double mem_recall(const int64_t *got, int nq, const double *thr, const float *rows, const mem_ids *ix,
			 const float *q, int32_t dim, int64_t n)
{
	double sum = 0;
	int want = n < MEM_K ? (int)n : MEM_K;
	for (int i = 0; i < nq; i++) {
		int hit = 0;
		for (int a = 0; a < MEM_K; a++) {
			int64_t id = got[(int64_t)i * MEM_K + a];
			bool dup = false;
			for (int b = 0; b < a; b++)
				dup = dup || got[(int64_t)i * MEM_K + b] == id;
			int64_t r = id < 0 || dup ? -1 : mem_row_of(ix, id);
			if (r >= 0 && dot_d(rows + r * dim, q + (int64_t)i * dim, dim) >= thr[i] - 1e-5)
				hit++;
		}
		sum += (double)(hit > want ? want : hit) / want;
	}
	return sum / nq;
}

/* p50 and p95 of one pass over the queries; of several passes, the one with
 * the best p50 is kept (r->nq == 0 before the first). */
static void mem_pcts(double *t, int n, mem_res *r)
{
	bench_pcts p = bench_percentiles(t, n);
	if (r->nq == 0 || p.p50 < r->p50) {
		r->p50 = p.p50;
		r->p95 = p.p95;
	}
	r->nq = n;
}

/* Time crmw_memory_search_vec over every query, `passes` times (after
 * MEM_WARMUP untimed ones); hits go to `got` (nq x K). */
static int mem_time_vec(mem_res *r, int64_t *got, crmw_memory *m, const float *q, int nq, int32_t dim,
			const char *opts, double *ts, int passes)
{
	int64_t ids[MEM_K];
	float sc[MEM_K];
	int32_t nh = 0;
	for (int i = 0; i < MEM_WARMUP && i < nq; i++) {
		int rc = crmw_memory_search_vec(ids, sc, &nh, m, q + (int64_t)i * dim, dim, MEM_K, opts);
		if (rc)
			return rc;
	}
	for (int pass = 0; pass < passes; pass++) {
		for (int i = 0; i < nq; i++) {
			double t0 = bench_now_s();
			int rc = crmw_memory_search_vec(ids, sc, &nh, m, q + (int64_t)i * dim, dim, MEM_K, opts);
			ts[i] = (bench_now_s() - t0) * 1e6;
			if (rc)
				return rc;
			for (int a = 0; a < MEM_K; a++)
				got[(int64_t)i * MEM_K + a] = a < nh ? ids[a] : -1;
		}
		mem_pcts(ts, nq, r);
	}
	return CRMW_OK;
}

static void mem_path(char *out, size_t n, const mem_conf *c, int64_t size, const char *suffix)
{
	snprintf(out, n, "%s/memory-%lld.db%s", c->dir, (long long)size, suffix);
}

static void mem_remove_files(const mem_conf *c, int64_t size)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal", ".faiss", ".jsonl"};
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char p[4300];
		mem_path(p, sizeof p, c, size, sfx[i]);
		remove(p);
	}
}

/* A float in [-1, 1] as fixed-point text with 9 decimals (fast; the
 * reference is computed from the vectors read back, not from these). */
static char *put_f(char *p, float v)
{
	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	uint64_t u = (uint64_t)((double)v * 1e9 + 0.5);
	*p++ = (char)('0' + (int)(u / 1000000000u));
	*p++ = '.';
	u %= 1000000000u;
	for (int d = 8; d >= 0; d--) {
		p[d] = (char)('0' + (int)(u % 10));
		u /= 10;
	}
	return p + 9;
}

/* Load the n entries: crmw_memory_import of a JSONL file (one transaction,
 * no deduplication, the ids kept) or one crmw_memory_add per entry (a
 * transaction each, similarity merging off).  `ids` receives the ids. */
static int mem_load(double *secs, int64_t *ids, crmw_memory *m, const mem_conf *c, const float *x, int64_t n)
{
	int32_t dim = c->dim;
	if (c->use_add) {
		char entry[64];
		double t0 = bench_now_s();
		for (int64_t i = 0; i < n; i++) {
			snprintf(entry, sizeof entry, "{\"text\":\"bench entry %lld\"}", (long long)i);
			int32_t merged = 0;
			int rc = crmw_memory_add(&ids[i], &merged, m, entry, x + i * dim, dim);
			if (rc)
				return rc;
			if (merged) {
				bench_error(BENCH_FAIL, "bench memory: entry %lld was merged into %lld", (long long)i, (long long)ids[i]);
				return MEM_REPORTED;
			}
		}
		*secs = bench_now_s() - t0;
		return CRMW_OK;
	}
	char path[4300];
	mem_path(path, sizeof path, c, n, ".jsonl");
	FILE *f = fopen(path, "w");
	if (!f) {
		bench_error(BENCH_FAIL, "bench memory: cannot write %s", path);
		return MEM_REPORTED;
	}
	char *line = malloc((size_t)dim * 14 + 128);
	for (int64_t i = 0; i < n; i++) {
		char *p = line + sprintf(line, "{\"id\":%lld,\"text\":\"bench entry %lld\",\"embedding\":[", (long long)(i + 1),
					 (long long)i);
		for (int32_t j = 0; j < dim; j++) {
			if (j)
				*p++ = ',';
			p = put_f(p, x[i * dim + j]);
		}
		*p++ = ']';
		*p++ = '}';
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
		ids[i] = i + 1;
	}
	free(line);
	if (fclose(f)) {
		bench_error(BENCH_FAIL, "bench memory: cannot write %s", path);
		return MEM_REPORTED;
	}
	int64_t added = 0, merged = 0;
	double t0 = bench_now_s();
	int rc = crmw_memory_import(&added, &merged, m, path, "{\"dedup\":false,\"keep_ids\":true}");
	*secs = bench_now_s() - t0;
	remove(path);
	if (!rc && (added != n || merged)) {
		bench_error(BENCH_FAIL, "bench memory: import added %lld and merged %lld of %lld", (long long)added,
			  (long long)merged, (long long)n);
		return MEM_REPORTED;
	}
	return rc;
}

/* ------------------------------------------------ the peer: SQLite scan */

static float dot_f(const float *a, const float *b, int32_t n)
{
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
	int32_t j = 0;
	for (; j + 8 <= n; j += 8) {
		s0 += a[j] * b[j];
		s1 += a[j + 1] * b[j + 1];
		s2 += a[j + 2] * b[j + 2];
		s3 += a[j + 3] * b[j + 3];
		s4 += a[j + 4] * b[j + 4];
		s5 += a[j + 5] * b[j + 5];
		s6 += a[j + 6] * b[j + 6];
		s7 += a[j + 7] * b[j + 7];
	}
	for (; j < n; j++)
		s0 += a[j] * b[j];
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

typedef struct sql_dot_buf {
	float *v;
	int32_t cap; /* floats per vector */
} sql_dot_buf;

/* dot(a, b): the inner product of two float32 blobs of equal size. */
static void sql_dot(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const void *a = sqlite3_value_blob(argv[0]), *b = sqlite3_value_blob(argv[1]);
	int na = sqlite3_value_bytes(argv[0]), nb = sqlite3_value_bytes(argv[1]);
	sql_dot_buf *buf = sqlite3_user_data(ctx);
	int32_t n = na / (int)sizeof(float);
	if (!a || !b || na != nb || na % (int)sizeof(float) || n > buf->cap) {
		sqlite3_result_null(ctx);
		return;
	}
	if (((uintptr_t)a | (uintptr_t)b) % sizeof(float) != 0) { /* blobs need not be aligned */
		memcpy(buf->v, a, (size_t)na);
		memcpy(buf->v + n, b, (size_t)nb);
		a = buf->v;
		b = buf->v + n;
	}
	sqlite3_result_double(ctx, dot_f(a, b, n));
}

/* One query of the peer; its hits into `got` (K slots, may be NULL). */
static int sql_scan_one(sqlite3_stmt *st, const float *q, int32_t dim, int64_t *got)
{
	sqlite3_bind_blob(st, 1, q, (int)(sizeof(float) * (size_t)dim), SQLITE_STATIC);
	int a = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (got && a < MEM_K)
			got[a] = sqlite3_column_int64(st, 0);
		a++;
	}
	for (; got && a < MEM_K; a++)
		got[a] = -1;
	return rc == SQLITE_DONE ? sqlite3_reset(st) : rc;
}

/* The peer: `SELECT id, dot(embedding, ?1) ... ORDER BY s DESC LIMIT 10` on
 * the store's file, opened read-only by SQLite itself, with memory-mapped
 * I/O and a page cache large enough for the table (its best setting). */
static int mem_sqlite(mem_res *r, int64_t *got, const char *path, const float *q, int nq, int32_t dim, double *ts,
		      int passes)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	sql_dot_buf buf = {malloc(sizeof(float) * 2 * (size_t)dim), dim};
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-1048576", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "dot", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, &buf,
						sql_dot, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, MEM_SQL_SCAN, -1, &st, NULL);
	if (rc == SQLITE_OK) /* one untimed query */
		rc = sql_scan_one(st, q, dim, NULL);
	for (int pass = 0; rc == SQLITE_OK && pass < passes; pass++) {
		for (int i = 0; rc == SQLITE_OK && i < nq; i++) {
			double t0 = bench_now_s();
			rc = sql_scan_one(st, q + (int64_t)i * dim, dim, got + (int64_t)i * MEM_K);
			ts[i] = (bench_now_s() - t0) * 1e6;
		}
		if (rc == SQLITE_OK)
			mem_pcts(ts, nq, r);
	}
	if (rc != SQLITE_OK)
		bench_error(BENCH_FAIL, "bench memory: SQLite scan of %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(buf.v);
	return rc != SQLITE_OK ? MEM_REPORTED : CRMW_OK;
}

/* Report a failed library call on `m` (or the thread's last error). */
static int mem_fail(int rc, crmw_memory *m, const char *what)
{
	const char *msg = m ? crmw_memory_errmsg(m) : crmw_last_error();
	if (!msg || !msg[0])
		msg = crmw_strerror(rc);
	return bench_error(BENCH_FAIL, "bench memory: %s: %s", what, msg);
}

/* Reopen the store and time the open plus one search with `opts`. */
static int mem_reopen(crmw_memory **m, double *secs, const char *path, const char *open_opts, const float *q,
		      int32_t dim, const char *opts)
{
	crmw_memory_free(*m);
	*m = NULL;
	int64_t ids[MEM_K];
	float sc[MEM_K];
	int32_t nh;
	double t0 = bench_now_s();
	int rc = crmw_memory_open(m, path, open_opts);
	if (rc)
		return mem_fail(rc, NULL, "open");
	rc = crmw_memory_search_vec(ids, sc, &nh, *m, q, dim, MEM_K, opts);
	*secs = bench_now_s() - t0;
	return rc ? mem_fail(rc, *m, opts) : BENCH_OK;
}

static const char *const OPT_EXACT = "{\"engine\":\"exact\",\"quantize\":\"off\"}";
static const char *const OPT_INT8 = "{\"engine\":\"exact\",\"quantize\":\"int8\"}";
static const char *const OPT_BATCH = "{\"engine\":\"exact\"}";
static const char *const OPT_FAISS = "{\"engine\":\"faiss\"}";

/* What the engines of one size share. */
typedef struct mem_ctx {
	const mem_conf *c;
	mem_size *S;
	crmw_memory *m;
	char path[4300], open_opts[256];
	int64_t n;
	int32_t dim;
	int nq;
	const float *q, *rows; /* queries; the stored vectors (row i = ix.row of its id) */
	mem_ids ix;
	const double *thr;     /* each query's 10th best true score */
	int64_t *got;          /* hits, nq x K */
	double *ts;            /* times, nq */
} mem_ctx;

static double mem_ctx_recall(const mem_ctx *x, int nq)
{
	return mem_recall(x->got, nq, x->thr, x->rows, &x->ix, x->q, x->dim, x->n);
}

static void mem_done(mem_res *r, const mem_ctx *x, int nq)
{
	r->recall = mem_ctx_recall(x, nq);
	r->ran = true;
	r->peak_kb = bench_peak_rss_kb();
}

/* Exact, float (the matrix is loaded already). */
static int eng_exact(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_EXACT];
	r->build_s = -1;
	int rc = mem_time_vec(r, x->got, x->m, x->q, x->nq, x->dim, OPT_EXACT, x->ts, x->c->repeat);
	if (rc)
		return mem_fail(rc, x->m, OPT_EXACT);
	mem_done(r, x, x->nq);
	return BENCH_OK;
}

/* Exact, int8: the first search makes the int8 copy. */
static int eng_int8(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_INT8];
	int64_t ids[MEM_K];
	float sc[MEM_K];
	int32_t nh;
	double t0 = bench_now_s();
	int rc = crmw_memory_search_vec(ids, sc, &nh, x->m, x->q, x->dim, MEM_K, OPT_INT8);
	r->build_s = bench_now_s() - t0;
	r->load_s = -1;
	if (rc || (rc = mem_time_vec(r, x->got, x->m, x->q, x->nq, x->dim, OPT_INT8, x->ts, x->c->repeat)))
		return mem_fail(rc, x->m, OPT_INT8);
	mem_done(r, x, x->nq);
	return BENCH_OK;
}

/* Exact, batches of MEM_BATCH queries: the time per query of each call
 * (one untimed call first). */
static int eng_batch(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_BATCH];
	float *bs = malloc(sizeof *bs * MEM_BATCH * MEM_K);
	if (!bs)
		return bench_error(BENCH_FAIL, "bench memory: out of memory");
	int nb = 0, nq = x->nq;
	int rc = crmw_memory_search_batch(x->got, bs, x->m, x->q, nq < MEM_BATCH ? nq : MEM_BATCH, x->dim, MEM_K, OPT_BATCH);
	for (int pass = 0; !rc && pass < x->c->repeat; pass++) {
		nb = 0;
		for (int b = 0; !rc && b < nq; b += MEM_BATCH) {
			int cnt = nq - b < MEM_BATCH ? nq - b : MEM_BATCH;
			double t0 = bench_now_s();
			rc = crmw_memory_search_batch(x->got + (int64_t)b * MEM_K, bs, x->m, x->q + (int64_t)b * x->dim, cnt,
						      x->dim, MEM_K, OPT_BATCH);
			x->ts[nb++] = (bench_now_s() - t0) * 1e6 / cnt;
		}
		if (!rc)
			mem_pcts(x->ts, nb, r);
	}
	free(bs);
	if (rc)
		return mem_fail(rc, x->m, "search_batch");
	r->nq = nq;
	r->build_s = r->load_s = -1;
	mem_done(r, x, nq);
	return BENCH_OK;
}

/* faiss Flat or HNSW32: build, reopen (which loads the saved index), search. */
static int eng_faiss(mem_ctx *x, int e)
{
	mem_res *r = &x->S->r[e];
	const char *factory = e == E_FLAT ? "Flat" : "HNSW32";
	double t0 = bench_now_s();
	int rc = crmw_memory_build_index(x->m, factory);
	if (rc)
		return mem_fail(rc, x->m, factory);
	r->build_s = bench_now_s() - t0;
	if (mem_reopen(&x->m, &r->load_s, x->path, x->open_opts, x->q, x->dim, OPT_FAISS))
		return BENCH_FAIL;
	if ((rc = mem_time_vec(r, x->got, x->m, x->q, x->nq, x->dim, OPT_FAISS, x->ts, x->c->repeat)))
		return mem_fail(rc, x->m, OPT_FAISS);
	mem_done(r, x, x->nq);
	/* the ef_search the handle searched with (the library's default unless
	 * --ef-search), as its stats report it */
	crmw_buf st = CRMW_BUF_INIT;
	if (!crmw_memory_stats(&st, x->m)) {
		json_t *doc = json_loadb(st.data, st.len, 0, NULL);
		json_t *ef = json_object_get(json_object_get(doc, "index"), "ef_search");
		r->ef_search = json_is_integer(ef) ? (int)json_integer_value(ef) : 0;
		json_decref(doc);
	}
	crmw_buf_dispose(&st);
	return BENCH_OK;
}

/* The peer, on the first --sqlite-queries queries. */
static int eng_sqlite(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_SQLITE];
	int sq = x->c->sqlite_nq < x->nq ? x->c->sqlite_nq : x->nq;
	if (mem_sqlite(r, x->got, x->path, x->q, sq, x->dim, x->ts, x->c->repeat))
		return BENCH_FAIL;
	r->build_s = r->load_s = -1;
	mem_done(r, x, sq);
	return BENCH_OK;
}

/* Open the store and load the n generated vectors `v`; their ids into `ids`. */
static int mem_store(mem_ctx *x, int64_t *ids, const float *v)
{
	mem_res *r = &x->S->r[E_STORE];
	int rc = crmw_memory_open(&x->m, x->path, x->open_opts);
	if (rc)
		return mem_fail(rc, NULL, x->path);
	if ((rc = mem_load(&r->build_s, ids, x->m, x->c, v, x->n))) {
		if (rc != MEM_REPORTED)
			mem_fail(rc, x->m, x->c->use_add ? "add" : "import");
		return BENCH_FAIL;
	}
	r->ran = true;
	r->load_s = r->p50 = r->p95 = r->recall = -1;
	r->peak_kb = bench_peak_rss_kb();
	return BENCH_OK;
}

/* The reference, from the vectors as the store holds them, read back over
 * the generated ones `v` (the bench keeps one copy): the row of each id,
 * and each query's K-th best true score into `thr`. */
static int mem_reference(mem_ctx *x, float *v, const int64_t *ids, double *thr)
{
	const int64_t n = x->n;
	const int32_t dim = x->dim;
	float *back = malloc(sizeof *back * (size_t)dim);
	if (!back)
		return bench_error(BENCH_FAIL, "bench memory: out of memory");
	double maxdiff = 0;
	for (int64_t i = 0; i < n; i++) {
		int rc = crmw_memory_get_vector(back, dim, x->m, ids[i]);
		if (rc) {
			free(back);
			return mem_fail(rc, x->m, "get_vector");
		}
		for (int32_t j = 0; j < dim; j++) {
			double d = fabs((double)back[j] - v[i * dim + j]);
			maxdiff = d > maxdiff ? d : maxdiff;
		}
		memcpy(v + i * dim, back, sizeof *back * (size_t)dim);
		x->ix.sorted[2 * i] = ids[i];
		x->ix.sorted[2 * i + 1] = i;
	}
	free(back);
	if (maxdiff > 1e-5)
		return bench_error(BENCH_FAIL, "bench memory: the store holds other vectors than were added (max difference %g)",
				   maxdiff);
	qsort(x->ix.sorted, (size_t)n, 2 * sizeof(int64_t), cmp_pair);
	for (int64_t i = 0; i < n; i++) {
		x->ix.row[i] = x->ix.sorted[2 * i + 1];
		x->ix.sorted[i] = x->ix.sorted[2 * i];
	}
	x->ix.n = n;
	mem_truth(thr, v, n, x->q, x->nq, dim);
	x->rows = v;
	x->thr = thr;
	return BENCH_OK;
}

/* Every engine asked for, on the loaded store (closed before the peer). */
static int mem_engines(mem_ctx *x)
{
	const mem_conf *c = x->c;
	mem_size *S = x->S;
	if (eng_exact(x))
		return BENCH_FAIL;
	if ((c->engines & 1u << E_INT8) && eng_int8(x))
		return BENCH_FAIL;
	if ((c->engines & 1u << E_BATCH) && eng_batch(x))
		return BENCH_FAIL;
	for (int e = E_FLAT; e <= E_HNSW; e++) {
		if (!crmw_has_feature("faiss"))
			S->r[e].note = "skipped: this build has no faiss";
		else if ((c->engines & 1u << e) && eng_faiss(x, e))
			return BENCH_FAIL;
	}
	crmw_memory_free(x->m);
	x->m = NULL;
	struct stat sb;
	S->file_bytes = stat(x->path, &sb) == 0 ? (int64_t)sb.st_size : -1;
	if ((c->engines & 1u << E_SQLITE) && eng_sqlite(x))
		return BENCH_FAIL;
	for (int e = 0; e < E_COUNT; e++)
		if (!S->r[e].ran && !S->r[e].note)
			S->r[e].note = "skipped (--engines)";
	return BENCH_OK;
}

/* One store of S->n entries through every engine asked for. */
static int mem_run_size(mem_size *S, const mem_conf *c)
{
	mem_ctx x = {.c = c, .S = S, .n = S->n, .dim = c->dim, .nq = c->nq};
	const int64_t n = S->n;
	const int32_t dim = c->dim;
	mem_path(x.path, sizeof x.path, c, n, "");
	mem_remove_files(c, n);
	if (c->ef_search > 0)
		snprintf(x.open_opts, sizeof x.open_opts,
			 "{\"synchronous\":\"normal\",\"dim\":%d,\"dedup_threshold\":1.01,\"ef_search\":%d}", dim, c->ef_search);
	else
		snprintf(x.open_opts, sizeof x.open_opts, "{\"synchronous\":\"normal\",\"dim\":%d,\"dedup_threshold\":1.01}",
			 dim);

	float *v = malloc(sizeof *v * (size_t)n * (size_t)dim);
	float *q = malloc(sizeof *q * (size_t)x.nq * (size_t)dim);
	int64_t *ids = malloc(sizeof *ids * (size_t)n);
	double *thr = malloc(sizeof *thr * (size_t)x.nq);
	x.got = malloc(sizeof *x.got * (size_t)x.nq * MEM_K);
	x.ts = malloc(sizeof *x.ts * (size_t)x.nq);
	x.ix.sorted = malloc(sizeof(int64_t) * 2 * (size_t)n);
	x.ix.row = malloc(sizeof(int64_t) * (size_t)n);
	int rc = BENCH_FAIL;
	if (!v || !q || !ids || !thr || !x.got || !x.ts || !x.ix.sorted || !x.ix.row) {
		bench_error(BENCH_FAIL, "bench memory: out of memory");
	} else {
		mem_vectors(v, n, dim, c->seed, c->clustered);
		mem_queries(q, x.nq, v, n, dim, c->seed);
		x.q = q;
		/* load; reopen (the first exact search loads the matrix); the
		 * reference; the engines */
		if (!mem_store(&x, ids, v) &&
		    !mem_reopen(&x.m, &S->r[E_EXACT].load_s, x.path, x.open_opts, q, dim, OPT_EXACT) &&
		    !mem_reference(&x, v, ids, thr))
			rc = mem_engines(&x);
	}
	crmw_memory_free(x.m);
	mem_remove_files(c, n);
	free(v);
	free(q);
	free(ids);
	free(thr);
	free(x.got);
	free(x.ts);
	free(x.ix.sorted);
	free(x.ix.row);
	return rc;
}

int bench_memory_engines(const char *s, unsigned *out)
{
	unsigned set = 1u << E_STORE | 1u << E_EXACT;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int e = E_COUNT;
		if (!strcmp(tok, "all"))
			set = ~0u;
		else {
			for (e = E_EXACT; e < E_COUNT; e++)
				if (!strcmp(tok, mem_key[e]))
					break;
			if (e == E_COUNT)
				return -1;
			set |= 1u << e;
		}
	}
	*out = set;
	return 0;
}

static const mem_size *mem_find(const mem_size *S, int ns, int64_t n)
{
	for (int i = 0; i < ns; i++)
		if (S[i].n == n)
			return &S[i];
	return NULL;
}

/* The run's parameters. */
static void mem_json_params(bench_json *j, const mem_size *S, int ns, const mem_conf *c)
{
	char sizes[8 * 24 + 2] = "[";
	for (int i = 0; i < ns && i < 8; i++)
		snprintf(sizes + strlen(sizes), sizeof sizes - strlen(sizes), "%s%lld", i ? "," : "", (long long)S[i].n);
	strcat(sizes, "]");
	bench_json_str(j, "memory", "benchmark");
	bench_json_raw(j, sizes, "sizes");
	bench_json_int(j, c->dim, "dim");
	bench_json_int(j, MEM_K, "k");
	bench_json_int(j, c->nq, "queries");
	bench_json_int(j, c->sqlite_nq < c->nq ? c->sqlite_nq : c->nq, "sqlite_queries");
	bench_json_int(j, c->repeat, "repeat");
	bench_json_int(j, MEM_BATCH, "batch");
	bench_json_str(j, c->clustered ? "clustered" : "uniform", "data");
	bench_json_str(j, "perturbed stored vectors", "query_kind");
	bench_json_int(j, (long long)c->seed, "seed");
	bench_json_str(j, c->use_add ? "add" : "import", "load");
	bench_json_bool(j, crmw_has_feature("faiss"), "faiss");
	/* the ef_search HNSW searched with: --ef-search, or the library's default */
	int ef = c->ef_search;
	for (int i = 0; i < ns && ef <= 0; i++)
		ef = S[i].r[E_HNSW].ef_search;
	bench_json_num(j, ef, ef > 0, 0, "ef_search");
	bench_json_bool(j, c->ef_search <= 0, "ef_search_default");
}

/* One size's results: each engine's latency, recall, times and memory,
 * and the exact scan's ratios. */
static void mem_json_size(bench_json *j, const mem_size *s)
{
	const char *L = s->label;
	const mem_res *st = &s->r[E_STORE];
	bench_json_num(j, st->build_s, st->ran, 3, "store_%s_build_s", L);
	bench_json_num(j, s->n / st->build_s, st->ran, 0, "store_%s_entries_per_s", L);
	bench_json_int(j, s->file_bytes, "store_%s_file_bytes", L);
	for (int e = E_EXACT; e < E_COUNT; e++) {
		const mem_res *r = &s->r[e];
		const char *K = mem_key[e];
		bench_json_num(j, r->p50, r->ran, 2, "%s_%s_p50_us", K, L);
		bench_json_num(j, r->p95, r->ran, 2, "%s_%s_p95_us", K, L);
		bench_json_num(j, r->recall, r->ran, 4, "%s_%s_recall_at_10", K, L);
		if (e == E_INT8 || e == E_FLAT || e == E_HNSW)
			bench_json_num(j, r->build_s, r->ran, 3, "%s_%s_build_s", K, L);
		if (e == E_EXACT || e == E_FLAT || e == E_HNSW)
			bench_json_num(j, r->load_s, r->ran, 3, "%s_%s_load_s", K, L);
		bench_json_num(j, (double)r->peak_kb, r->ran, 0, "%s_%s_peak_rss_kb", K, L);
	}
	const mem_res *ex = &s->r[E_EXACT];
	static const int vs[] = {E_FLAT, E_HNSW, E_SQLITE, E_INT8, E_BATCH};
	for (size_t v = 0; v < sizeof vs / sizeof vs[0]; v++) {
		const mem_res *o = &s->r[vs[v]];
		bench_json_num(j, o->p50 / ex->p50, o->ran && ex->ran, 3, "exact_%s_speedup_vs_%s", L, mem_key[vs[v]]);
	}
}

static void mem_print_json(const mem_size *S, int ns, const mem_conf *c)
{
	bench_json j;
	bench_json_begin(&j, stdout);
	mem_json_params(&j, S, ns, c);
	for (int i = 0; i < ns; i++)
		mem_json_size(&j, &S[i]);
	/* The guide's unsuffixed ratios: at the largest size. */
	const mem_size *big = &S[ns - 1];
	bench_json_num(&j, big->r[E_FLAT].p50 / big->r[E_EXACT].p50, big->r[E_FLAT].ran, 3, "exact_speedup_vs_faiss_flat");
	bench_json_num(&j, big->r[E_SQLITE].p50 / big->r[E_EXACT].p50, big->r[E_SQLITE].ran, 3,
		       "exact_speedup_vs_sqlite_scan");
	/* The targets of issue 8, when their sizes ran (null: not measured). */
	static const struct {
		const char *key;
		int64_t n;
		int e;
		double max_us, min_recall;
	} targets[] = {
		{"target_exact_10k_met", 10000, E_EXACT, 300, 0.999},
		{"target_exact_int8_10k_met", 10000, E_INT8, 300, 0.999},
		{"target_exact_100k_met", 100000, E_EXACT, 3000, 0.999},
		{"target_exact_int8_100k_met", 100000, E_INT8, 3000, 0.999},
		{"target_hnsw_100k_met", 100000, E_HNSW, 500, 0.95},
	};
	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
		const mem_size *sz = mem_find(S, ns, targets[t].n);
		if (!sz)
			continue;
		const mem_res *r = &sz->r[targets[t].e];
		if (!r->ran)
			bench_json_raw(&j, NULL, "%s", targets[t].key);
		else
			bench_json_bool(&j, r->p50 <= targets[t].max_us && r->recall >= targets[t].min_recall, "%s",
					targets[t].key);
	}
	bench_json_int(&j, bench_peak_rss_kb(), "peak_rss_kb");
	bench_json_end(&j);
}

/* One target of issue 8: met or not, by `r` (and by the int8 scan `r8`,
 * whose results are the float scan's, when given). */
static void mem_target(const char *what, const mem_res *r, const mem_res *r8, double max_us, double min_recall)
{
	printf("target: %s: ", what);
	if (!r->ran) {
		printf("not measured (%s)\n", r->note ? r->note : "did not run");
		return;
	}
	printf("%s (%.1f us", r->p50 <= max_us && r->recall >= min_recall ? "met" : "NOT met", r->p50);
	if (min_recall > 0)
		printf(", recall %.3f", r->recall);
	if (r8 && r8->ran)
		printf("; int8 scan + rescoring: %s, %.1f us", r8->p50 <= max_us && r8->recall >= 0.999 ? "met" : "NOT met",
		       r8->p50);
	printf(")\n");
}

static void mem_print_table(const mem_size *S, int ns, const mem_conf *c)
{
	printf("memory: vector search, dim %d, top-%d, %s unit vectors (seed %llu); %d queries, perturbed copies of\n"
	       "stored vectors (SQLite scan: the first %d); recall@10 against a naive double-precision scan\n",
	       c->dim, MEM_K, c->clustered ? "clustered" : "uniform random", (unsigned long long)c->seed, c->nq,
	       c->sqlite_nq < c->nq ? c->sqlite_nq : c->nq);
	printf("  %-30s %8s %8s %8s %10s %10s %9s %9s %10s\n", "engine", "entries", "build s", "load s", "p50 us",
	       "p95 us", "recall@10", "p50/exact", "peak RSS");
	for (int i = 0; i < ns; i++) {
		const mem_size *s = &S[i];
		for (int e = 0; e < E_COUNT; e++) {
			const mem_res *r = &s->r[e];
			char label[64], b[16] = "-", l[16] = "-", p5[16] = "-", p9[16] = "-", rc[16] = "-", ra[16] = "-";
			snprintf(label, sizeof label, "%s%s", mem_label[e],
				 e == E_STORE ? (c->use_add ? " (add)" : " (import)") : "");
			if (e == E_HNSW && r->ran && r->ef_search > 0)
				snprintf(label, sizeof label, "%s, ef_search %d", mem_label[e], r->ef_search);
			if (!r->ran) {
				printf("  %-30s %8lld  %s\n", label, (long long)s->n, r->note ? r->note : "did not run");
				continue;
			}
			if (r->build_s >= 0)
				snprintf(b, sizeof b, "%.2f", r->build_s);
			if (r->load_s >= 0)
				snprintf(l, sizeof l, "%.2f", r->load_s);
			if (e != E_STORE) {
				snprintf(p5, sizeof p5, "%.1f", r->p50);
				snprintf(p9, sizeof p9, "%.1f", r->p95);
				snprintf(rc, sizeof rc, "%.3f", r->recall);
				snprintf(ra, sizeof ra, "%.2fx", r->p50 / s->r[E_EXACT].p50);
			}
			printf("  %-30s %8lld %8s %8s %10s %10s %9s %9s %6ld MiB\n", label, (long long)s->n, b, l, p5, p9, rc,
			       ra, r->peak_kb / 1024);
		}
	}
	const mem_size *s10 = mem_find(S, ns, 10000), *s100 = mem_find(S, ns, 100000);
	if (s10)
		mem_target("exact p50 at 10k <= 300 us", &s10->r[E_EXACT], &s10->r[E_INT8], 300, 0);
	if (s100) {
		mem_target("exact p50 at 100k <= 3000 us", &s100->r[E_EXACT], &s100->r[E_INT8], 3000, 0);
		mem_target(c->clustered ? "HNSW32 p50 at 100k <= 500 us with recall@10 >= 0.95 (clustered data)"
					: "HNSW32 p50 at 100k <= 500 us with recall@10 >= 0.95 (uniform data: the worst case)",
			   &s100->r[E_HNSW], NULL, 500, 0.95);
	}
}

int bench_memory(const bench_memory_conf *c, const int64_t *sizes, int ns)
{
	mem_size *S = calloc((size_t)ns, sizeof *S);
	if (!S)
		return bench_error(BENCH_FAIL, "bench memory: out of memory");
	int rc = BENCH_OK;
	for (int i = 0; i < ns && !rc; i++) {
		S[i].n = sizes[i];
		bench_size_tag(S[i].label, sizeof S[i].label, sizes[i]);
		rc = mem_run_size(&S[i], c);
	}
	if (!rc && c->json)
		mem_print_json(S, ns, c);
	else if (!rc)
		mem_print_table(S, ns, c);
	free(S);
	return rc;
}

/* "10000,100000" (or "10k,100k") into sizes; the count, or -1 after an error. */
