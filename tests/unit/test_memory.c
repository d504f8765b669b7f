/*
 * Unit tests of the shared-memory store: the built-in embedder, the exact
 * scan (float and int8) against a naive reference, batches, filters,
 * thresholds, MMR, faiss Flat against the exact scan and HNSW/IVF recall,
 * dedup merges, counters, capacity, persistence, the index file (rebuilt
 * when deleted, stale or damaged), other handles' writes, JSONL round trip,
 * threads, a writer killed at random points, scopes (filtered inside the
 * search, never merged across), the upgrade of format 1 stores, and bad
 * input.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

#include "crmw_config.h"

#include <sqlite3.h>

#if CRMW_HAVE_FAISS
#include <omp.h>
#endif

static char g_dir[64];

static const char *tmp_path(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", g_dir, name);
	return buf[i];
}

static void rm_store(const char *path)
{
	char p[300];
	const char *suffix[] = {"", "-wal", "-shm", ".faiss"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		remove(p);
	}
}

static crmw_memory *open_store(const char *name, const char *opts)
{
	const char *path = tmp_path(name);
	rm_store(path);
	crmw_memory *m = NULL;
	int rc = crmw_memory_open(&m, path, opts);
	if (rc)
		fail_msg("open %s: %s", path, crmw_last_error());
	return m;
}

static uint64_t rng = 88172645463325252ull;
static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void rand_unit(float *v, int d)
{
	double n = 0;
	for (int i = 0; i < d; i++) {
		/* roughly Gaussian */
		v[i] = (float)(urand() + urand() + urand() - 1.5);
		n += (double)v[i] * v[i];
	}
	for (int i = 0; i < d; i++)
		v[i] = (float)(v[i] / sqrt(n));
}

static int64_t add_vec(crmw_memory *m, const char *kind, const char *family, int i, const float *v, int d)
{
	char e[256];
	snprintf(e, sizeof e, "{\"text\":\"entry %d\",\"kind\":\"%s\",\"family\":\"%s\",\"tags\":[\"t%d\"]}", i, kind,
		 family, i % 3);
	int64_t id = 0;
	int32_t merged = 0;
	int rc = crmw_memory_add(&id, &merged, m, e, v, d);
	if (rc)
		fail_msg("add: %s", crmw_memory_errmsg(m));
	assert_int_equal(merged, 0);
	return id;
}

/* ------------------------------------------------------------ embedder */

static void test_embedder(void **state)
{
	(void)state;
	float a[256], b[256], c[256];
	const char *t = "Find the agent with the shortest handle time in Q2";
	assert_int_equal(crmw_embed_hash(a, 256, t, strlen(t)), CRMW_OK);
	assert_int_equal(crmw_embed_hash(b, 256, t, strlen(t)), CRMW_OK);
	assert_memory_equal(a, b, sizeof a);
	double n = 0, ab = 0, ac = 0;
	for (int i = 0; i < 256; i++)
		n += (double)a[i] * a[i];
	assert_true(fabs(n - 1) < 1e-5);
	/* case and spacing do not matter; related text is closer than unrelated */
	const char *t2 = "find the   AGENT with the shortest handle time in q2";
	assert_int_equal(crmw_embed_hash(b, 256, t2, strlen(t2)), CRMW_OK);
	assert_memory_equal(a, b, sizeof a);
	const char *rel = "Which agent had the shortest average handle time last quarter?";
	const char *unrel = "List the products ordered by revenue in March";
	assert_int_equal(crmw_embed_hash(b, 256, rel, strlen(rel)), CRMW_OK);
	assert_int_equal(crmw_embed_hash(c, 256, unrel, strlen(unrel)), CRMW_OK);
	for (int i = 0; i < 256; i++) {
		ab += (double)a[i] * b[i];
		ac += (double)a[i] * c[i];
	}
	assert_true(ab > ac + 0.1);
	/* a known value pins the algorithm: change the name when it changes */
	const char *pin = "crmweaver";
	float p[16];
	assert_int_equal(crmw_embed_hash(p, 16, pin, strlen(pin)), CRMW_OK);
	double s = 0;
	for (int i = 0; i < 16; i++)
		s += p[i] * (i + 1);
	assert_true(fabs(s - -13.948068678) < 1e-5);
	const float case_owner[8] = {0, 0.317608f, -0.158804f, 0.158804f, 0.158804f, 0, 0, -0.907452f};
	assert_int_equal(crmw_embed_hash(p, 8, "Case owner", 10), CRMW_OK);
	for (int i = 0; i < 8; i++)
		assert_true(fabsf(p[i] - case_owner[i]) < 1e-5f);
	/* bad input */
	assert_int_equal(crmw_embed_hash(a, 256, "", 0), CRMW_EINVALID);
	assert_int_equal(crmw_embed_hash(a, 256, " ,.;!", 5), CRMW_EINVALID);
	assert_int_equal(crmw_embed_hash(a, 4, t, strlen(t)), CRMW_EINVALID);
	assert_int_equal(crmw_embed_hash(NULL, 256, t, strlen(t)), CRMW_EINVALID);
	/* UTF-8 words count as words */
	assert_int_equal(crmw_embed_hash(a, 256, "\xc3\xa9t\xc3\xa9", 5), CRMW_OK);
}

/* ------------------------------------------------------------ exact scan */

enum { N = 3000, D = 48 };

static void naive_topk(const float *mat, const int64_t *ids, const bool *ok, int n, const float *q, int k,
		       float min_score, int64_t *out_ids, float *out_s, int *nout)
{
	*nout = 0;
	for (int i = 0; i < n; i++) {
		if (ok && !ok[i])
			continue;
		double s = 0;
		for (int j = 0; j < D; j++)
			s += (double)mat[i * D + j] * q[j];
		if (s < min_score)
			continue;
		/* insertion into a sorted list */
		int at = *nout;
		while (at > 0 && (out_s[at - 1] < s || (out_s[at - 1] == (float)s && out_ids[at - 1] > ids[i])))
			at--;
		if (at >= k)
			continue;
		int last = *nout < k ? *nout : k - 1;
		for (int j = last; j > at; j--) {
			out_s[j] = out_s[j - 1];
			out_ids[j] = out_ids[j - 1];
		}
		out_s[at] = (float)s;
		out_ids[at] = ids[i];
		if (*nout < k)
			(*nout)++;
	}
}

static void same_hits(const int64_t *a, const float *as, int na, const int64_t *b, const float *bs, int nb)
{
	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++) {
		assert_true(fabsf(as[i] - bs[i]) < 2e-5f);
		if (a[i] != b[i]) {
			/* only a near-tie may swap */
			assert_true(fabsf(as[i] - bs[i]) < 2e-5f);
			bool found = false;
			for (int j = 0; j < nb; j++)
				found |= b[j] == a[i];
			assert_true(found || i == na - 1);
		}
	}
}

static float *g_mat;
static int64_t g_ids[N];
static int g_fam[N];

static crmw_memory *random_store(const char *name, const char *opts)
{
	crmw_memory *m = open_store(name, opts);
	if (!g_mat) {
		g_mat = malloc(sizeof(float) * N * D);
		for (int i = 0; i < N; i++)
			rand_unit(g_mat + i * D, D);
	}
	char tmp[64];
	const char *kinds[] = {"guideline", "plan"};
	for (int i = 0; i < N; i++) {
		g_fam[i] = i % 5;
		snprintf(tmp, sizeof tmp, "fam%d", g_fam[i]);
		g_ids[i] = add_vec(m, kinds[i % 2], tmp, i, g_mat + i * D, D);
	}
	return m;
}

static void test_exact_scan(void **state)
{
	(void)state;
	crmw_memory *m = random_store("exact.db", "{\"dim\":48,\"dedup_threshold\":1.5,\"synchronous\":\"normal\"}");
	int64_t n = 0;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, N);
	float q[D];
	int64_t ids[50], rid[50];
	float sc[50], rs[50];
	int32_t nh;
	int nr;
	const char *modes[] = {"{\"engine\":\"exact\",\"quantize\":\"off\"}", "{\"engine\":\"exact\",\"quantize\":\"int8\"}"};
	for (int trial = 0; trial < 40; trial++) {
		rand_unit(q, D);
		int k = 1 + trial % 20;
		naive_topk(g_mat, g_ids, NULL, N, q, k, -INFINITY, rid, rs, &nr);
		for (int mo = 0; mo < 2; mo++) {
			assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, k, modes[mo]), CRMW_OK);
			same_hits(ids, sc, nh, rid, rs, nr);
		}
		/* filters: kind plan and family fam2 or fam3, min_score */
		bool ok[N];
		for (int i = 0; i < N; i++)
			ok[i] = i % 2 == 1 && (g_fam[i] == 2 || g_fam[i] == 3);
		naive_topk(g_mat, g_ids, ok, N, q, k, 0.05f, rid, rs, &nr);
		const char *f[] = {
			"{\"kind\":\"plan\",\"family\":[\"fam2\",\"fam3\"],\"min_score\":0.05,\"quantize\":\"off\"}",
			"{\"kind\":[\"plan\"],\"family\":[\"fam2\",\"fam3\",\"nope\"],\"min_score\":0.05,\"quantize\":\"int8\"}",
		};
		for (int mo = 0; mo < 2; mo++) {
			assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, k, f[mo]), CRMW_OK);
			same_hits(ids, sc, nh, rid, rs, nr);
		}
		/* tags go through SQL: tag t1 = i % 3 == 1 */
		for (int i = 0; i < N; i++)
			ok[i] = i % 3 == 1;
		naive_topk(g_mat, g_ids, ok, N, q, k, -INFINITY, rid, rs, &nr);
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, k, "{\"tags\":[\"t1\"]}"), CRMW_OK);
		same_hits(ids, sc, nh, rid, rs, nr);
	}
	/* an exact copy scores 1 and comes first */
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, g_mat + 77 * D, D, 3, NULL), CRMW_OK);
	assert_int_equal(ids[0], g_ids[77]);
	assert_true(fabsf(sc[0] - 1.0f) < 1e-5f);
	/* exclude */
	char ex[64];
	snprintf(ex, sizeof ex, "{\"exclude\":[%lld]}", (long long)g_ids[77]);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, g_mat + 77 * D, D, 3, ex), CRMW_OK);
	assert_true(ids[0] != g_ids[77]);
	/* a threshold nothing reaches */
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 5, "{\"min_score\":1.01}"), CRMW_OK);
	assert_int_equal(nh, 0);

	/* batches equal single searches */
	enum { NQ = 9, K = 7 };
	float qs[NQ * D];
	int64_t bid[NQ * K];
	float bsc[NQ * K];
	for (int i = 0; i < NQ; i++)
		rand_unit(qs + i * D, D);
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"quantize\":\"off\"}"), CRMW_OK);
	for (int i = 0; i < NQ; i++) {
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, qs + i * D, D, K, NULL), CRMW_OK);
		same_hits(bid + i * K, bsc + i * K, K, ids, sc, nh);
	}
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"family\":\"fam1\",\"kind\":\"plan\"}"),
			 CRMW_OK);
	for (int i = 0; i < NQ; i++) {
		assert_int_equal(
			crmw_memory_search_vec(ids, sc, &nh, m, qs + i * D, D, K, "{\"family\":\"fam1\",\"kind\":\"plan\"}"),
			CRMW_OK);
		same_hits(bid + i * K, bsc + i * K, K, ids, sc, nh);
	}
	/* more slots than matches: the rest is -1 */
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"min_score\":0.99}"), CRMW_OK);
	assert_int_equal(bid[0], -1);
	assert_true(isinf(bsc[0]) && bsc[0] < 0);
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"mmr\":0.5}"), CRMW_EINVALID);

	/* MMR: three near copies of one vector and one different vector */
	crmw_memory *m2 = open_store("mmr.db", "{\"dim\":48,\"dedup_threshold\":1.5}");
	float base[D], other[D], v[D];
	rand_unit(base, D);
	rand_unit(other, D);
	int64_t copies[3];
	for (int c = 0; c < 3; c++) {
		for (int i = 0; i < D; i++)
			v[i] = base[i] + 0.01f * (float)c;
		copies[c] = add_vec(m2, "guideline", "f", c, v, D);
	}
	for (int i = 0; i < D; i++)
		v[i] = 0.6f * base[i] + 0.8f * other[i];
	int64_t diverse = add_vec(m2, "guideline", "f", 9, v, D);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m2, base, D, 2, NULL), CRMW_OK);
	assert_int_equal(nh, 2);
	assert_true(ids[1] == copies[0] || ids[1] == copies[1] || ids[1] == copies[2]);
	/* lambda 0.3: a copy scores 0.3 - 0.7 * ~1, the other 0.3 * 0.6 - 0.7 * 0.6 */
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m2, base, D, 2, "{\"mmr\":0.3}"), CRMW_OK);
	assert_int_equal(nh, 2);
	assert_true(ids[0] == copies[0] || ids[0] == copies[1] || ids[0] == copies[2]);
	assert_int_equal(ids[1], diverse);
	crmw_memory_free(m2);
	crmw_memory_free(m);
}

/* ------------------------------------------------------------ faiss */

static void test_faiss(void **state)
{
	(void)state;
	if (!crmw_has_feature("faiss")) {
		crmw_memory *m = open_store("nofaiss.db", "{\"dim\":48}");
		assert_int_equal(crmw_memory_build_index(m, "Flat"), CRMW_EUNSUPPORTED);
		float q[D];
		rand_unit(q, D);
		int64_t ids[5];
		float sc[5];
		int32_t nh;
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 5, "{\"engine\":\"faiss\"}"), CRMW_EUNSUPPORTED);
		crmw_memory_free(m);
		print_message("# no faiss in this build: checked that the faiss engine says so\n");
		return;
	}
	crmw_memory *m = random_store("faiss.db", "{\"dim\":48,\"dedup_threshold\":1.5,\"index\":\"Flat\",\"synchronous\":\"normal\"}");
	float q[D];
	int64_t ids[20], eid[20];
	float sc[20], es[20];
	int32_t nh, ne;
	/* Flat equals the exact scan */
	for (int t = 0; t < 20; t++) {
		rand_unit(q, D);
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 10, "{\"engine\":\"faiss\"}"), CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(eid, es, &ne, m, q, D, 10, "{\"engine\":\"exact\"}"), CRMW_OK);
		same_hits(ids, sc, nh, eid, es, ne);
		/* with a filter (post-filtered, falling back to exact when short) */
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 10, "{\"engine\":\"faiss\",\"family\":\"fam4\"}"),
				 CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(eid, es, &ne, m, q, D, 10, "{\"engine\":\"exact\",\"family\":\"fam4\"}"),
				 CRMW_OK);
		same_hits(ids, sc, nh, eid, es, ne);
	}
	/* the index file exists; deleting an entry hides it; new entries are found */
	const char *ipath = tmp_path("faiss.db.faiss");
	assert_int_equal(access(ipath, F_OK), 0);
	assert_int_equal(crmw_memory_delete(m, g_ids[5]), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, g_mat + 5 * D, D, 3, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_true(ids[0] != g_ids[5]);
	float nv[D];
	rand_unit(nv, D);
	int64_t nid = add_vec(m, "fact", "new", 1, nv, D);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, nv, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_int_equal(ids[0], nid);
	crmw_memory_free(m); /* saves the grown index */

	/* reopen: the index loads from the file and answers the same */
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, tmp_path("faiss.db"), NULL), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, r, nv, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_int_equal(ids[0], nid);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_stats(&b, r), CRMW_OK);
	assert_non_null(strstr(b.data, "\"state\":\"loaded\""));
	/* the search parameters: the defaults (docs/memory.md) */
	assert_non_null(strstr(b.data, "\"ef_search\":64,\"nprobe\":16}"));
#if CRMW_HAVE_FAISS
	/* a search runs faiss on one OpenMP thread, set on the calling thread
	 * only: afterwards its nthreads-var is what it was, whatever it was */
	int omp_before = omp_get_max_threads();
	const int team[] = {3, 1, 2};
	for (int i = 0; i < 3; i++) {
		omp_set_num_threads(team[i]);
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, r, nv, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
		assert_int_equal(ids[0], nid);
		assert_int_equal(omp_get_max_threads(), team[i]);
	}
	omp_set_num_threads(omp_before);
#endif
	crmw_memory_free(r);
	/* deleted file: rebuilt; damaged file: rebuilt with a warning, never a crash */
	assert_int_equal(remove(ipath), 0);
	assert_int_equal(crmw_memory_open(&r, tmp_path("faiss.db"), NULL), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, r, nv, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_int_equal(ids[0], nid);
	crmw_memory_free(r);
	assert_int_equal(access(ipath, F_OK), 0);
	FILE *f = fopen(ipath, "r+b");
	assert_non_null(f);
	fseek(f, 120, SEEK_SET);
	for (int i = 0; i < 4000; i++)
		fputc(0x5a, f);
	fclose(f);
	assert_int_equal(crmw_memory_open(&r, tmp_path("faiss.db"), NULL), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, r, nv, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_int_equal(ids[0], nid);
	/* a changed vector makes the index stale: rebuilt on the next search */
	char patch[64];
	snprintf(patch, sizeof patch, "{\"text\":\"a completely new text %d\"}", 1);
	assert_int_equal(crmw_memory_update(r, nid, patch), CRMW_OK);
	float got[D];
	assert_int_equal(crmw_memory_get_vector(got, D, r, nid), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, r, got, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_int_equal(ids[0], nid);
	assert_true(fabsf(sc[0] - 1) < 1e-5f);
	crmw_memory_free(r);

	/* HNSW32 and IVF recall@10 against the exact scan */
	const char *fac[] = {"HNSW32", "IVF16,Flat"};
	for (int fi = 0; fi < 2; fi++) {
		assert_int_equal(crmw_memory_open(&r, tmp_path("faiss.db"), "{\"nprobe\":4}"), CRMW_OK);
		assert_int_equal(crmw_memory_build_index(r, fac[fi]), CRMW_OK);
		assert_int_equal(crmw_memory_stats(&b, r), CRMW_OK);
		assert_non_null(strstr(b.data, "\"ef_search\":64,\"nprobe\":4}"));
		int hit = 0, tot = 0;
		for (int t = 0; t < 50; t++) {
			rand_unit(q, D);
			assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, r, q, D, 10, "{\"engine\":\"faiss\"}"), CRMW_OK);
			assert_int_equal(crmw_memory_search_vec(eid, es, &ne, r, q, D, 10, "{\"engine\":\"exact\"}"), CRMW_OK);
			for (int i = 0; i < ne; i++) {
				tot++;
				for (int j = 0; j < nh; j++)
					hit += ids[j] == eid[i];
			}
		}
		double recall = (double)hit / tot;
		print_message("# %s recall@10 = %.3f\n", fac[fi], recall);
		assert_true(recall >= (fi == 0 ? 0.95 : 0.5));
		crmw_memory_free(r);
	}
	/* too few points to train, bad factory strings */
	crmw_memory *s = open_store("small.db", "{\"dim\":48}");
	rand_unit(q, D);
	add_vec(s, "guideline", "f", 0, q, D);
	assert_int_equal(crmw_memory_build_index(s, "IVF64,Flat"), CRMW_ESTATE);
	assert_non_null(strstr(crmw_memory_errmsg(s), "2496"));
	assert_int_equal(crmw_memory_build_index(s, "NoSuchIndex"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, s, q, D, 1, "{\"engine\":\"faiss\"}"), CRMW_ESTATE);
	crmw_memory_free(s);
	crmw_buf_dispose(&b);
}

/* ------------------------------------------------------------ writes */

static json_t *get_entry(crmw_memory *m, int64_t id)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_memory_get(&b, m, id))
		return NULL;
	json_t *j = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	return j;
}

static void test_write_path(void **state)
{
	(void)state;
	crmw_memory *m = open_store("write.db", "{\"dim\":128}");
	int64_t a, b, c;
	int32_t mg;
	assert_int_equal(crmw_memory_add(&a, &mg, m,
					 "{\"text\":\"Check the case history before naming the agent.\",\"title\":\"history\","
					 "\"family\":\"handle_time\",\"tags\":[\"x\"],\"provenance\":[\"traj-1\"],"
					 "\"metadata\":{\"source\":\"gold\",\"n\":{\"v\":2}},\"counters\":{\"success\":2}}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 0);
	/* the same text, other spacing and case: merged */
	assert_int_equal(crmw_memory_add(&b, &mg, m,
					 "{\"text\":\"check the case history   before naming the agent.\",\"family\":\"handle_time\","
					 "\"tags\":[\"y\",\"x\"],\"provenance\":[\"traj-2\"],\"counters\":{\"success\":1,\"harmful\":1}}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 1);
	assert_int_equal(b, a);
	json_t *e = get_entry(m, a);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "guideline");
	assert_int_equal(json_array_size(json_object_get(e, "provenance")), 2);
	assert_int_equal(json_array_size(json_object_get(e, "tags")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "counters"), "success")), 3);
	assert_int_equal(json_integer_value(json_object_get(e, "utility")), 2);
	json_decref(e);
	/* the same text in another family is another entry */
	assert_int_equal(crmw_memory_add(&c, &mg, m,
					 "{\"text\":\"Check the case history before naming the agent.\",\"family\":\"transfer_count\"}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 0);
	assert_true(c != a);
	/* near-identical vector (cosine >= threshold): merged */
	float v[128];
	assert_int_equal(crmw_memory_get_vector(v, 128, m, c), CRMW_OK);
	v[0] += 0.01f;
	int64_t d;
	assert_int_equal(crmw_memory_add(&d, &mg, m, "{\"text\":\"other words\",\"family\":\"transfer_count\"}", v, 128),
			 CRMW_OK);
	assert_int_equal(mg, 1);
	assert_int_equal(d, c);
	/* counters */
	int64_t ids[3] = {a, c, 999999}, upd = 0;
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 3, CRMW_MEM_RETRIEVED, 1), CRMW_OK);
	assert_int_equal(upd, 2);
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 1, CRMW_MEM_HELPFUL, 3), CRMW_OK);
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 1, 7, 1), CRMW_EINVALID);
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 1, CRMW_MEM_HELPFUL, 0), CRMW_EINVALID);
	e = get_entry(m, a);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "counters"), "retrieved")), 1);
	assert_int_equal(json_integer_value(json_object_get(e, "utility")), 5);
	json_decref(e);
	/* update re-embeds; search by text finds the new text */
	assert_int_equal(crmw_memory_update(m, c, "{\"text\":\"Quotes above 20 percent discount need approval.\","
						  "\"tags\":[\"pricing\"]}"),
			 CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&out, m, "discount approval for quotes", "{\"k\":1}"), CRMW_OK);
	json_t *hits = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(hits), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(hits, 0), "id")), c);
	assert_non_null(json_object_get(json_array_get(hits, 0), "score"));
	json_decref(hits);
	assert_int_equal(crmw_memory_update(m, 424242, "{\"title\":\"x\"}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_memory_update(m, c, "{\"txt\":\"x\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "text"));
	/* metadata filters through JSON paths; list order */
	assert_int_equal(crmw_memory_list(&out, m, "{\"metadata\":{\"source\":\"gold\",\"n.v\":[1,2]}}"), CRMW_OK);
	hits = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(hits), 1);
	json_decref(hits);
	assert_int_equal(crmw_memory_list(&out, m, "{\"order\":\"utility\",\"desc\":true,\"limit\":1}"), CRMW_OK);
	hits = json_loads(out.data, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(hits, 0), "id")), a);
	json_decref(hits);
	/* delete */
	assert_int_equal(crmw_memory_delete(m, c), CRMW_OK);
	assert_int_equal(crmw_memory_delete(m, c), CRMW_ENOTFOUND);
	assert_null(get_entry(m, c));
	crmw_memory_free(m);

	/* capacity: the least useful entries go, the new one stays */
	m = open_store("cap.db", "{\"dim\":64,\"capacity\":3}");
	int64_t e1, e2, e3, e4;
	assert_int_equal(crmw_memory_add(&e1, NULL, m, "{\"text\":\"alpha rule\",\"counters\":{\"success\":5}}", NULL, 0), 0);
	assert_int_equal(crmw_memory_add(&e2, NULL, m, "{\"text\":\"beta rule\",\"counters\":{\"failure\":2}}", NULL, 0), 0);
	assert_int_equal(crmw_memory_add(&e3, NULL, m, "{\"text\":\"gamma rule\"}", NULL, 0), 0);
	assert_int_equal(crmw_memory_add(&e4, NULL, m, "{\"text\":\"delta rule\",\"counters\":{\"harmful\":9}}", NULL, 0),
			 0);
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 3);
	assert_null(get_entry(m, e2));
	json_t *keep = get_entry(m, e4);
	assert_non_null(keep);
	json_decref(keep);
	crmw_memory_free(m);
	/* persistence: reopen without options keeps the recorded capacity */
	assert_int_equal(crmw_memory_open(&m, tmp_path("cap.db"), NULL), CRMW_OK);
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 3);
	assert_int_equal(crmw_memory_stats(&out, m), CRMW_OK);
	assert_non_null(strstr(out.data, "\"capacity\":3"));
	assert_int_equal(crmw_memory_search(&out, m, "alpha rule", "{\"k\":1}"), CRMW_OK);
	assert_non_null(strstr(out.data, "alpha rule"));
	crmw_memory_free(m);
	crmw_buf_dispose(&out);
}

/* ------------------------------------------------------------ handles */

static void test_handles_and_io(void **state)
{
	(void)state;
	crmw_memory *w = open_store("shared.db", "{\"dim\":64}");
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, tmp_path("shared.db"), "{\"readonly\":true}"), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&out, r, "refund policy", NULL), CRMW_OK);
	assert_string_equal(out.data, "[]");
	int64_t id;
	assert_int_equal(crmw_memory_add(&id, NULL, w, "{\"text\":\"Refunds need a receipt within 30 days.\"}", NULL, 0), 0);
	/* the reader sees the writer's commit on its next call */
	assert_int_equal(crmw_memory_search(&out, r, "refund policy", NULL), CRMW_OK);
	assert_non_null(strstr(out.data, "Refunds need a receipt"));
	assert_int_equal(crmw_memory_delete(w, id), CRMW_OK);
	assert_int_equal(crmw_memory_search(&out, r, "refund policy", NULL), CRMW_OK);
	assert_string_equal(out.data, "[]");
	/* read-only handles refuse writes */
	assert_int_equal(crmw_memory_add(&id, NULL, r, "{\"text\":\"x\"}", NULL, 0), CRMW_EACCESS);
	int64_t one = 1;
	assert_int_equal(crmw_memory_feedback(NULL, r, &one, 1, 0, 1), CRMW_EACCESS);

	/* JSONL round trip */
	const char *texts[] = {"Close cases only after the customer confirms.", "Escalate fraud to the manager.",
			       "Quote discounts above 15% need a VP."};
	for (int i = 0; i < 3; i++) {
		char e[200];
		snprintf(e, sizeof e, "{\"text\":\"%s\",\"kind\":\"%s\",\"provenance\":[\"t%d\"]}", texts[i],
			 i == 2 ? "fact" : "plan", i);
		assert_int_equal(crmw_memory_add(&id, NULL, w, e, NULL, 0), 0);
	}
	const char *jl = tmp_path("shared.jsonl");
	assert_int_equal(crmw_memory_export(w, jl), CRMW_OK);
	crmw_memory *c = open_store("copy.db", "{\"dim\":64}");
	int64_t added, merged;
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, "{\"keep_ids\":true}"), CRMW_OK);
	assert_int_equal(added, 3);
	assert_int_equal(merged, 0);
	crmw_buf o2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, w, "{\"limit\":0}"), CRMW_OK);
	assert_int_equal(crmw_memory_list(&o2, c, "{\"limit\":0}"), CRMW_OK);
	assert_string_equal(out.data, o2.data);
	assert_int_equal(crmw_memory_search(&out, w, "fraud escalation", NULL), CRMW_OK);
	assert_int_equal(crmw_memory_search(&o2, c, "fraud escalation", NULL), CRMW_OK);
	assert_string_equal(out.data, o2.data);
	/* again: every line merges; keep_ids on existing ids fails whole */
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 0);
	assert_int_equal(merged, 3);
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, "{\"keep_ids\":true,\"dedup\":false}"), CRMW_EEXISTS);
	assert_non_null(strstr(crmw_memory_errmsg(c), "line 1"));
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, c), CRMW_OK);
	assert_int_equal(n, 3);
	/* a bad line rolls the whole import back */
	const char *bad = tmp_path("bad.jsonl");
	FILE *f = fopen(bad, "w");
	fprintf(f, "{\"text\":\"fine line\"}\n\n{\"text\":\"\"}\n");
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, bad, NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(c), "line 3"));
	assert_int_equal(crmw_memory_count(&n, c), CRMW_OK);
	assert_int_equal(n, 3);
	f = fopen(bad, "w");
	fprintf(f, "{\"text\":\"x\",\"embedder\":\"minilm\",\"embedding\":[1,2]}\n");
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, bad, NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(c), "never mix"));
	f = fopen(bad, "w");
	fprintf(f, "not json\n");
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, bad, NULL), CRMW_EFORMAT);
	assert_int_equal(crmw_memory_import(&added, &merged, c, tmp_path("missing.jsonl"), NULL), CRMW_ENOTFOUND);
	crmw_memory_free(c);
	crmw_memory_free(r);
	crmw_memory_free(w);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&o2);
}

/* ------------------------------------------------------------ scopes */

/* The hits of a search as "id:score,..." (scores to 6 digits). */
static void hits_text(char *out, size_t cap, crmw_memory *m, const char *text, const char *opts)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_memory_search(&b, m, text, opts))
		fail_msg("search %s: %s", opts ? opts : "", crmw_memory_errmsg(m));
	json_t *a = json_loads(b.data, 0, NULL);
	assert_true(json_is_array(a));
	size_t n = 0, i;
	json_t *h;
	out[0] = '\0';
	json_array_foreach(a, i, h) n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%lld:%.6f,",
							   (long long)json_integer_value(json_object_get(h, "id")),
							   json_number_value(json_object_get(h, "score")));
	json_decref(a);
	crmw_buf_dispose(&b);
}

static int count_hits(const char *hits)
{
	int n = 0;
	for (const char *p = hits; (p = strchr(p, ',')); p++)
		n++;
	return n;
}

static int64_t add_scoped(crmw_memory *m, const char *text, const char *scope, int32_t *merged)
{
	json_t *e = json_pack("{s:s, s:s}", "text", text, "family", "case_subject");
	if (scope)
		json_object_set_new(e, "scope", json_string(scope));
	char *t = json_dumps(e, JSON_COMPACT);
	json_decref(e);
	int64_t id = 0;
	int32_t mg = 0;
	if (crmw_memory_add(&id, &mg, m, t, NULL, 0))
		fail_msg("add: %s", crmw_memory_errmsg(m));
	free(t);
	if (merged)
		*merged = mg;
	return id;
}

static const char *const global_texts[] = {
	"Look up the case first, then read its subject field.",
	"A customer's newest case is the one with the latest CreatedDate.",
	"Subjects of cases are short: answer with the subject only.",
	"Orders and cases belong to the customer's account.",
};

/*
 * Entries carry the scope they were written under; a search for a reader
 * of one scope ranks only that scope's and the global entries: another
 * scope's entry that would rank first is not there, and nothing (count,
 * scores, ids) differs from a store that never held it.  Merges never cross
 * scopes.  List, stats, get, update, export and import carry the scope.
 */
static void test_scopes(void **state)
{
	(void)state;
	const char *secret = "Customer A asked for the subject of case 500Sj00000A1b2cDEF: Timeline slip on the "
			     "Acme rollout";
	crmw_memory *m = open_store("scopes.db", "{\"dim\":128}");
	crmw_memory *clean = open_store("scopes-clean.db", "{\"dim\":128}");
	int32_t mg;
	int64_t ga[4];
	for (int i = 0; i < 4; i++) {
		ga[i] = add_scoped(m, global_texts[i], i == 3 ? "" : NULL, &mg);
		add_scoped(clean, global_texts[i], NULL, NULL);
	}
	int64_t a = add_scoped(m, secret, "account:001SjA", &mg);
	int64_t b = add_scoped(m, "Customer B's guideline: check the order status.", "account:001SjB", &mg);
	/* ids of the clean store: the same global entries, then B's */
	add_scoped(clean, "spacer so that ids line up", "account:001SjZ", NULL);
	int64_t cb = add_scoped(clean, "Customer B's guideline: check the order status.", "account:001SjB", NULL);
	assert_int_equal(cb, b);
	json_t *e = get_entry(m, a);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), "account:001SjA");
	json_decref(e);
	e = get_entry(m, ga[3]);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), "global"); /* "" is the global scope */
	json_decref(e);

	/* A's entry ranks first for A's question when nothing filters */
	const char *q = "What is the subject of case 500Sj00000A1b2cDEF? Timeline slip on the Acme rollout";
	char all[512], got[512], want[512];
	hits_text(all, sizeof all, m, q, "{\"k\":1}");
	char first[32];
	snprintf(first, sizeof first, "%lld:", (long long)a);
	assert_true(strncmp(all, first, strlen(first)) == 0);
	/* a reader of B's scope: B's and the global entries only, exactly as a
	 * store without A's entry ranks them, for every k, threshold and engine */
	static const char *const opts[][2] = {
		{"{\"k\":1,\"scope\":\"account:001SjB\"}", "{\"k\":1}"},
		{"{\"k\":3,\"scope\":\"account:001SjB\"}", "{\"k\":3}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\"}", "{\"k\":10}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\",\"min_score\":0.05}", "{\"k\":10,\"min_score\":0.05}"},
		{"{\"k\":2,\"scope\":\"account:001SjB\",\"mmr\":0.5}", "{\"k\":2,\"mmr\":0.5}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\",\"quantize\":\"int8\"}", "{\"k\":10,\"quantize\":\"int8\"}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\",\"tags\":[\"none\"]}", "{\"k\":10,\"tags\":[\"none\"]}"},
		{"{\"k\":10,\"scopes\":[\"global\",\"account:001SjB\"]}", "{\"k\":10}"},
	};
	/* the clean store's spacer is out of the reader's view too */
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		char co[200];
		snprintf(co, sizeof co, "%.*s,\"scope\":\"account:001SjB\"}", (int)strlen(opts[i][1]) - 1, opts[i][1]);
		hits_text(got, sizeof got, m, q, opts[i][0]);
		hits_text(want, sizeof want, clean, q, co);
		if (strcmp(got, want) != 0)
			fail_msg("%s: %s, without A's entry %s", opts[i][0], got, want);
		assert_null(strstr(got, first));
	}
	hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_int_equal(count_hits(got), 5); /* four global entries and B's, not six */
	/* a global reader sees the global entries; A's reader also A's */
	hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"global\"}");
	assert_null(strstr(got, first));
	hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"account:001SjA\"}");
	assert_true(strncmp(got, first, strlen(first)) == 0);
	hits_text(got, sizeof got, m, q, "{\"k\":10,\"scopes\":[\"account:001SjA\"]}");
	assert_int_equal(count_hits(got), 1); /* only A's */
	/* vector and batch searches filter the same way */
	float qv[128];
	assert_int_equal(crmw_memory_embed(qv, 128, m, q, strlen(q)), CRMW_OK);
	int64_t ids[16], ids2[16];
	float sc[16], sc2[16];
	int32_t nh = 0, nh2 = 0;
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, qv, 128, 10, "{\"scope\":\"account:001SjB\"}"), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids2, sc2, &nh2, clean, qv, 128, 10, "{\"scope\":\"account:001SjB\"}"),
			 CRMW_OK);
	assert_int_equal(nh, 5);
	assert_int_equal(nh2, nh);
	for (int i = 0; i < nh; i++) {
		assert_int_equal(ids[i], ids2[i]);
		assert_true(sc[i] == sc2[i]);
		assert_true(ids[i] != a);
	}
	float qb[4 * 128];
	for (int i = 0; i < 4; i++)
		memcpy(qb + i * 128, qv, sizeof qv);
	int64_t bid[4 * 6];
	float bsc[4 * 6];
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qb, 4, 128, 6, "{\"scope\":\"account:001SjB\"}"), CRMW_OK);
	for (int i = 0; i < 4 * 6; i++)
		assert_true(bid[i] != a);
	assert_int_equal(bid[5], -1); /* five visible entries: the sixth slot stays empty */
#if CRMW_HAVE_FAISS
	/* faiss over-fetches and filters: the same hits */
	assert_int_equal(crmw_memory_build_index(m, "Flat"), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, qv, 128, 3, "{\"scope\":\"account:001SjB\",\"engine\":"
									    "\"faiss\"}"),
			 CRMW_OK);
	assert_int_equal(nh, 3);
	for (int i = 0; i < nh; i++)
		assert_int_equal(ids[i], ids2[i]);
#endif

	/* merges never cross scopes: the same text under A and B is two entries */
	int64_t x1 = add_scoped(m, "Read the case before answering.", "account:001SjA", &mg);
	assert_int_equal(mg, 0);
	int64_t x2 = add_scoped(m, "Read the case before answering.", "account:001SjB", &mg);
	assert_int_equal(mg, 0);
	assert_true(x1 != x2);
	int64_t x3 = add_scoped(m, "read the case   before answering.", "account:001SjA", &mg);
	assert_int_equal(mg, 1);
	assert_int_equal(x3, x1);
	int64_t x4 = add_scoped(m, "Read the case before answering.", NULL, &mg);
	assert_int_equal(mg, 0);
	assert_true(x4 != x1 && x4 != x2);
	/* similar vectors do not merge across scopes either */
	float v[128];
	assert_int_equal(crmw_memory_get_vector(v, 128, m, x1), CRMW_OK);
	int64_t x5;
	assert_int_equal(crmw_memory_add(&x5, &mg, m,
					 "{\"text\":\"another wording\",\"family\":\"case_subject\",\"scope\":\"account:001SjC\"}",
					 v, 128),
			 CRMW_OK);
	assert_int_equal(mg, 0);

	/* list and stats */
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, m, "{\"limit\":0,\"scope\":\"account:001SjB\"}"), CRMW_OK);
	assert_null(strstr(out.data, "account:001SjA"));
	assert_null(strstr(out.data, "Customer A"));
	assert_non_null(strstr(out.data, "\"scope\":\"account:001SjB\""));
	assert_non_null(strstr(out.data, "\"scope\":\"global\""));
	assert_int_equal(crmw_memory_list(&out, m, "{\"limit\":0,\"scopes\":[\"account:001SjA\"]}"), CRMW_OK);
	json_t *l = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(l), 2); /* the secret and x1 */
	json_decref(l);
	assert_int_equal(crmw_memory_stats(&out, m), CRMW_OK);
	json_t *st = json_loads(out.data, 0, NULL);
	json_t *scopes = json_object_get(st, "scopes");
	assert_int_equal(json_integer_value(json_object_get(scopes, "global")), 5);
	assert_int_equal(json_integer_value(json_object_get(scopes, "account:001SjA")), 2);
	assert_int_equal(json_integer_value(json_object_get(scopes, "account:001SjB")), 2);
	json_decref(st);

	/* bad scopes */
	static const char *const bad_entries[] = {
		"{\"text\":\"x\",\"scope\":1}", "{\"text\":\"x\",\"scope\":null}", "{\"text\":\"x\",\"scope\":\"a\\nb\"}",
	};
	int64_t id;
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(crmw_memory_add(&id, NULL, m, bad_entries[i], NULL, 0), CRMW_EINVALID);
	char longs[400];
	memset(longs, 'x', sizeof longs);
	snprintf(longs, sizeof longs, "{\"text\":\"x\",\"scope\":\"%0300d\"}", 0);
	assert_int_equal(crmw_memory_add(&id, NULL, m, longs, NULL, 0), CRMW_EINVALID);
	static const char *const bad_opts[] = {
		"{\"scope\":1}", "{\"scope\":[\"a\"]}", "{\"scopes\":[]}", "{\"scopes\":\"a\"}", "{\"scopes\":[1]}",
		"{\"scope\":\"a\",\"scopes\":[\"b\"]}", "{\"scope\":\"\\u0001\"}",
	};
	for (size_t i = 0; i < sizeof bad_opts / sizeof bad_opts[0]; i++) {
		assert_int_equal(crmw_memory_search(&out, m, "x", bad_opts[i]), CRMW_EINVALID);
		assert_int_equal(crmw_memory_list(&out, m, bad_opts[i]), CRMW_EINVALID);
	}

	/* another handle follows a change of scope (the cache row moves) */
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, tmp_path("scopes.db"), "{\"readonly\":true}"), CRMW_OK);
	hits_text(got, sizeof got, r, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_null(strstr(got, first));
	assert_int_equal(crmw_memory_update(m, a, "{\"scope\":\"account:001SjB\"}"), CRMW_OK);
	hits_text(got, sizeof got, r, q, "{\"k\":1,\"scope\":\"account:001SjB\"}");
	assert_true(strncmp(got, first, strlen(first)) == 0);
	hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"account:001SjA\"}");
	assert_null(strstr(got, first));
	assert_int_equal(crmw_memory_update(m, a, "{\"scope\":\"account:001SjA\"}"), CRMW_OK);
	hits_text(got, sizeof got, r, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_null(strstr(got, first));
	assert_int_equal(crmw_memory_update(m, a, "{\"scope\":7}"), CRMW_EINVALID);
	crmw_memory_free(r);

	/* export and import keep the scope */
	const char *jl = tmp_path("scopes.jsonl");
	assert_int_equal(crmw_memory_export(m, jl), CRMW_OK);
	FILE *f = fopen(jl, "r");
	char line[8192];
	int with_scope = 0, lines = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		with_scope += strstr(line, "\"scope\":\"") != NULL;
	}
	fclose(f);
	assert_int_equal(with_scope, lines);
	crmw_memory *c = open_store("scopes-copy.db", "{\"dim\":128}");
	int64_t added, merged;
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, "{\"keep_ids\":true}"), CRMW_OK);
	assert_int_equal(merged, 0);
	crmw_buf o2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, m, "{\"limit\":0}"), CRMW_OK);
	assert_int_equal(crmw_memory_list(&o2, c, "{\"limit\":0}"), CRMW_OK);
	assert_string_equal(out.data, o2.data);
	hits_text(got, sizeof got, c, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	hits_text(want, sizeof want, m, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_string_equal(got, want);
	/* an import merges within a scope only: the same file again merges
	 * every line, a copy of A's line under another scope does not */
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 0);
	f = fopen(jl, "w");
	fprintf(f, "{\"text\":\"%s\",\"family\":\"case_subject\",\"scope\":\"account:001SjD\"}\n", secret);
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 1);
	assert_int_equal(merged, 0);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&o2);
	crmw_memory_free(c);
	crmw_memory_free(clean);
	crmw_memory_free(m);
}

/* A store of format 1 (before scopes), made by hand with that format's
 * tables: `n` guidelines of family "legacy". */
static void make_format1(const char *path, int n)
{
	rm_store(path);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	const char *ddl =
		"PRAGMA journal_mode=WAL;"
		"CREATE TABLE crmw_mem_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
		"CREATE TABLE crmw_mem_entry(id INTEGER PRIMARY KEY AUTOINCREMENT,"
		" kind TEXT NOT NULL CHECK (kind IN ('guideline','plan','episode','fact')), title TEXT NOT NULL DEFAULT '',"
		" text TEXT NOT NULL CHECK (length(text) > 0), query TEXT, family TEXT, tags TEXT NOT NULL DEFAULT '[]',"
		" metadata TEXT NOT NULL DEFAULT '{}', provenance TEXT NOT NULL DEFAULT '[]', text_hash INTEGER NOT NULL,"
		" embedding BLOB NOT NULL, n_retrieved INTEGER NOT NULL DEFAULT 0, n_success INTEGER NOT NULL DEFAULT 0,"
		" n_failure INTEGER NOT NULL DEFAULT 0, n_helpful INTEGER NOT NULL DEFAULT 0,"
		" n_harmful INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
		" seq INTEGER NOT NULL);"
		"CREATE INDEX crmw_mem_entry_seq ON crmw_mem_entry(seq);"
		"CREATE INDEX crmw_mem_entry_hash ON crmw_mem_entry(text_hash);"
		"CREATE TABLE crmw_mem_tomb(id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);"
		"CREATE INDEX crmw_mem_tomb_seq ON crmw_mem_tomb(seq);"
		"INSERT INTO crmw_mem_meta VALUES ('format', 1), ('embedder', 'crmw-hash-v1'), ('dim', 32),"
		" ('metric', 'cosine'), ('capacity', 0), ('dedup_threshold', 0.97),"
		" ('uuid', '0123456789abcdef0123456789abcdef'), ('created_at', '2026-01-01T00:00:00.000Z'),"
		" ('seq', 1), ('vec_epoch', 0), ('tomb_floor', 0);";
	assert_int_equal(sqlite3_exec(db, ddl, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db,
					    "INSERT INTO crmw_mem_entry(kind, text, family, text_hash, embedding, "
					    "created_at, updated_at, seq) VALUES ('guideline', ?1, 'legacy', ?2, ?3, "
					    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1)",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (int i = 0; i < n; i++) {
		char text[100];
		snprintf(text, sizeof text, "legacy guideline %d about refunds and returns", i);
		float v[32];
		assert_int_equal(crmw_embed_hash(v, 32, text, strlen(text)), CRMW_OK);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, 1000 + i);
		sqlite3_bind_blob(st, 3, v, sizeof v, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int64_t file_format(const char *path, bool *has_scope)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM crmw_mem_meta WHERE key = 'format'", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t fmt = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('crmw_mem_entry') "
						"WHERE name = 'scope'", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*has_scope = sqlite3_column_int64(st, 0) == 1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return fmt;
}

/*
 * A store written before scopes (format 1): a read-only open treats every
 * entry as global and changes nothing; a read-write open adds the column
 * and records format 2, once; a read-only handle opened before that sees
 * the scopes written after it.
 */
static void test_format1_upgrade(void **state)
{
	(void)state;
	const char *path = tmp_path("legacy.db");
	make_format1(path, 3);
	bool has_scope = true;
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, path, "{\"readonly\":true}"), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, r, "{\"limit\":0}"), CRMW_OK);
	json_t *l = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(l), 3);
	size_t i;
	json_t *e;
	json_array_foreach(l, i, e) assert_string_equal(json_string_value(json_object_get(e, "scope")), "global");
	json_decref(l);
	char got[512];
	hits_text(got, sizeof got, r, "refunds and returns", "{\"k\":5,\"scope\":\"account:001SjA\"}");
	assert_int_equal(count_hits(got), 3);
	assert_int_equal(crmw_memory_stats(&out, r), CRMW_OK);
	assert_non_null(strstr(out.data, "\"scopes\":{\"global\":3}"));
	const char *jl = tmp_path("legacy.jsonl");
	assert_int_equal(crmw_memory_export(r, jl), CRMW_OK);
	assert_int_equal(file_format(path, &has_scope), 1);
	assert_false(has_scope);

	/* a read-write open upgrades the file */
	crmw_memory *w = NULL;
	assert_int_equal(crmw_memory_open(&w, path, NULL), CRMW_OK);
	assert_int_equal(file_format(path, &has_scope), 2);
	assert_true(has_scope);
	int64_t id;
	int32_t mg;
	assert_int_equal(crmw_memory_add(&id, &mg, w,
					 "{\"text\":\"Customer A's own refunds and returns note\",\"family\":\"legacy\","
					 "\"scope\":\"account:001SjA\"}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 0);
	assert_int_equal(id, 4);
	/* the read-only handle of before reads the real column now */
	hits_text(got, sizeof got, r, "Customer A's own refunds and returns note", "{\"k\":5,\"scope\":\"account:001SjB\"}");
	assert_null(strstr(got, "4:"));
	hits_text(got, sizeof got, r, "Customer A's own refunds and returns note", "{\"k\":1,\"scope\":\"account:001SjA\"}");
	assert_true(strncmp(got, "4:", 2) == 0);
	assert_int_equal(crmw_memory_list(&out, r, "{\"scope\":\"account:001SjB\",\"limit\":0}"), CRMW_OK);
	assert_null(strstr(out.data, "Customer A"));
	crmw_memory_free(r);
	/* opening again changes nothing; the old entries are global */
	crmw_memory_free(w);
	assert_int_equal(crmw_memory_open(&w, path, NULL), CRMW_OK);
	assert_int_equal(crmw_memory_list(&out, w, "{\"scopes\":[\"global\"],\"limit\":0}"), CRMW_OK);
	l = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(l), 3);
	json_decref(l);
	/* the export of the old store imports as global entries */
	crmw_memory *c = open_store("legacy-copy.db", "{\"dim\":32}");
	int64_t added, merged;
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 3);
	assert_int_equal(crmw_memory_stats(&out, c), CRMW_OK);
	assert_non_null(strstr(out.data, "\"scopes\":{\"global\":3}"));
	crmw_memory_free(c);
	crmw_memory_free(w);
	/* a format this library does not know is refused */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE crmw_mem_meta SET value = 3 WHERE key = 'format'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(crmw_memory_open(&w, path, NULL), CRMW_ECORRUPT);
	assert_non_null(strstr(crmw_last_error(), "format 3"));
	crmw_buf_dispose(&out);
}

/* ------------------------------------------------------------ bad input */

static int fixed_embed(float *out, int32_t dim, const char *text, size_t len, void *ud)
{
	int *calls = ud;
	(*calls)++;
	if (len >= 4 && !memcmp(text, "FAIL", 4))
		return 1;
	for (int i = 0; i < dim; i++)
		out[i] = (float)((text[i % len] * (i + 1)) % 17) - 8.0f;
	if (len >= 3 && !memcmp(text, "NaN", 3))
		out[0] = NAN;
	return 0;
}

static int g_freed;
static void count_free(void *p)
{
	(void)p;
	g_freed++;
}

static void test_bad_input(void **state)
{
	(void)state;
	crmw_memory *m = open_store("bad.db", "{\"dim\":32}");
	float v[32];
	for (int i = 0; i < 32; i++)
		v[i] = 1;
	int64_t id;
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 16), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "16 dimensions"));
	v[3] = NAN;
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 32), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "NaN"));
	v[3] = INFINITY;
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 32), CRMW_EINVALID);
	memset(v, 0, sizeof v);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 32), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"\"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"   \"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"title\":\"no text\"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"kind\":\"rule\"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"famly\":\"a\"}", NULL, 0), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "family"));
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"tags\":[1]}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"counters\":{\"success\":-1}}", NULL, 0),
			 CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":", NULL, 0), CRMW_EFORMAT);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "[1]", NULL, 0), CRMW_EINVALID);
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 0);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"k\":0}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"kk\":3}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "\"k\""));
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"engine\":\"annoy\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"mmr\":2}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"metadata\":{\"a\":{\"b\":1}}}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "nope"), CRMW_EFORMAT);
	crmw_memory_free(m);

	/* mixed embedders: the store remembers its embedder and dimension */
	crmw_memory *x = NULL;
	assert_int_equal(crmw_memory_open(&x, tmp_path("bad.db"), "{\"embedder\":\"minilm\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "never mix"));
	assert_int_equal(crmw_memory_open(&x, tmp_path("bad.db"), "{\"dim\":64}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_open(&x, tmp_path("bad.db"), "{\"dmi\":64}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "dim"));
	assert_int_equal(crmw_memory_open(&x, tmp_path("nothere.db"), "{\"create\":false}"), CRMW_ENOTFOUND);
	/* a host embedder */
	int calls = 0;
	x = open_store("host.db", "{\"embedder\":\"toy-v1\",\"dim\":16}");
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"hello\"}", NULL, 0), CRMW_ESTATE);
	g_freed = 0;
	assert_int_equal(crmw_memory_set_embedder(x, "other", 16, fixed_embed, &calls, count_free), CRMW_EINVALID);
	assert_int_equal(g_freed, 1);
	assert_int_equal(crmw_memory_set_embedder(x, "toy-v1", 8, fixed_embed, &calls, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_memory_set_embedder(x, "toy-v1", 16, fixed_embed, &calls, count_free), CRMW_OK);
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"hello there\"}", NULL, 0), CRMW_OK);
	assert_true(calls >= 1);
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"FAIL now\"}", NULL, 0), CRMW_EUSER);
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"NaN here\"}", NULL, 0), CRMW_EUSER);
	assert_int_equal(crmw_memory_search(&out, x, "hello there", "{\"k\":1}"), CRMW_OK);
	assert_non_null(strstr(out.data, "\"score\":1"));
	crmw_memory_free(x);
	assert_int_equal(g_freed, 2);

	/* not a store; a damaged file */
	const char *p = tmp_path("junk.db");
	FILE *f = fopen(p, "wb");
	for (int i = 0; i < 8192; i++)
		fputc(i * 7 & 0xff, f);
	fclose(f);
	assert_int_equal(crmw_memory_open(&x, p, NULL), CRMW_ECORRUPT);
	crmw_db *db = NULL;
	crmw_schema *sc = NULL;
	assert_int_equal(crmw_schema_builtin(&sc, "crmarena"), CRMW_OK);
	rm_store(tmp_path("org.db"));
	assert_int_equal(crmw_db_create(&db, tmp_path("org.db"), sc, NULL), CRMW_OK);
	crmw_db_free(db);
	crmw_schema_free(sc);
	assert_int_equal(crmw_memory_open(&x, tmp_path("org.db"), NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "not a memory store"));
	/* a store whose pages were overwritten: a clear error, never a crash */
	x = open_store("torn.db", "{\"dim\":16,\"synchronous\":\"normal\"}");
	for (int i = 0; i < 200; i++) {
		char e[64];
		snprintf(e, sizeof e, "{\"text\":\"entry number %d\"}", i);
		assert_int_equal(crmw_memory_add(&id, NULL, x, e, NULL, 0), CRMW_OK);
	}
	crmw_memory_free(x);
	f = fopen(tmp_path("torn.db"), "r+b");
	fseek(f, 4096 * 2, SEEK_SET);
	for (int i = 0; i < 4096 * 4; i++)
		fputc(0xA5, f);
	fclose(f);
	int rc = crmw_memory_open(&x, tmp_path("torn.db"), NULL);
	if (rc == CRMW_OK) {
		rc = crmw_memory_search(&out, x, "entry", NULL);
		crmw_memory_free(x);
	}
	assert_int_equal(rc, CRMW_ECORRUPT);
	crmw_buf_dispose(&out);
}

/* ------------------------------------------------------------ threads */

typedef struct worker {
	crmw_memory *m;
	int t;
	int ok;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	crmw_buf out = CRMW_BUF_INIT;
	for (int i = 0; i < 40; i++) {
		char e[128];
		snprintf(e, sizeof e, "{\"text\":\"thread %d wrote note %d about orders\",\"family\":\"t%d\"}", w->t, i, w->t);
		int64_t id;
		if (crmw_memory_add(&id, NULL, w->m, e, NULL, 0) == CRMW_OK)
			w->ok++;
		if (crmw_memory_search(&out, w->m, "note about orders", "{\"k\":3}") != CRMW_OK)
			w->ok = -1000;
	}
	crmw_buf_dispose(&out);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	crmw_memory *m = open_store("threads.db", "{\"dim\":64,\"synchronous\":\"normal\"}");
	enum { T = 4 };
	pthread_t th[T];
	worker w[T * 2];
	crmw_memory *own[T];
	/* T threads share one handle, T more use a handle each on the same file */
	for (int i = 0; i < T; i++) {
		w[i] = (worker){.m = m, .t = i};
		assert_int_equal(crmw_memory_open(&own[i], tmp_path("threads.db"), "{\"busy_timeout_ms\":20000}"), CRMW_OK);
		w[T + i] = (worker){.m = own[i], .t = T + i};
	}
	pthread_t th2[T];
	for (int i = 0; i < T; i++) {
		pthread_create(&th[i], NULL, work, &w[i]);
		pthread_create(&th2[i], NULL, work, &w[T + i]);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		pthread_join(th2[i], NULL);
	}
	for (int i = 0; i < 2 * T; i++)
		assert_int_equal(w[i].ok, 40);
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 2 * T * 40);
	/* every handle's cache holds every committed entry (a handle that took
	 * another's sequence number after its own COMMIT used to miss rows) */
	float q[64];
	{
		int64_t *all = malloc(sizeof(int64_t) * (size_t)n);
		float *as = malloc(sizeof(float) * (size_t)n);
		int32_t got;
		assert_int_equal(crmw_memory_embed(q, 64, m, "orders", 6), CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(all, as, &got, m, q, 64, (int32_t)n, NULL), CRMW_OK);
		assert_int_equal(got, n);
		for (int i = 0; i < T; i++) {
			assert_int_equal(crmw_memory_search_vec(all, as, &got, own[i], q, 64, (int32_t)n, NULL), CRMW_OK);
			assert_int_equal(got, n);
		}
		free(all);
		free(as);
	}
	/* and they rank alike */
	assert_int_equal(crmw_memory_embed(q, 64, m, "thread 5 wrote note 7 about orders", 35), CRMW_OK);
	for (int i = 0; i < T; i++) {
		int64_t a[3], b[3];
		float sa[3], sb[3];
		int32_t na, nb;
		assert_int_equal(crmw_memory_search_vec(a, sa, &na, m, q, 64, 3, NULL), CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(b, sb, &nb, own[i], q, 64, 3, NULL), CRMW_OK);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, sizeof(int64_t) * (size_t)na);
		assert_true(fabsf(sa[0] - 1) < 1e-5f);
		crmw_memory_free(own[i]);
	}
	crmw_memory_free(m);
}

/* ------------------------------------------------------------ crashes */

/* A child adds entries and reports each committed id through a pipe; the
 * parent kills it at a random moment.  The store must open with every
 * reported entry whole, and nothing half-written. */
static void test_killed_writer(void **state)
{
	(void)state;
	const char *path = tmp_path("crash.db");
	rm_store(path);
	crmw_memory *m = NULL;
	assert_int_equal(crmw_memory_open(&m, path, "{\"dim\":32,\"dedup_threshold\":1.01}"), CRMW_OK);
	crmw_memory_free(m);
	int64_t total_reported = 0;
	for (int round = 0; round < 25; round++) {
		int fd[2];
		assert_int_equal(pipe(fd), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fd[0]);
			crmw_memory *c = NULL;
			if (crmw_memory_open(&c, path, "{\"busy_timeout_ms\":10000}"))
				_exit(3);
			for (int i = 0;; i++) {
				char e[256];
				snprintf(e, sizeof e,
					 "{\"text\":\"round %d entry %d: a guideline long enough to span a few bytes of "
					 "the page\",\"provenance\":[\"r%d\"],\"tags\":[\"crash\"]}",
					 round, i, round);
				int64_t id;
				if (crmw_memory_add(&id, NULL, c, e, NULL, 0))
					_exit(4);
				if (i % 7 == 3) {
					int64_t one = id;
					if (crmw_memory_feedback(NULL, c, &one, 1, CRMW_MEM_SUCCESS, 1))
						_exit(5);
				}
				if (write(fd[1], &id, sizeof id) != sizeof id)
					_exit(6);
			}
		}
		close(fd[1]);
		/* The kill window starts when the child reports its first
		 * commit (a blocking read: no assumption on how soon a busy
		 * machine runs it), then lasts 0 to 30 ms of its writing, so the
		 * kill lands anywhere in a write, and every round has committed
		 * something to check. */
		int64_t id, last = 0;
		int64_t got = 0;
		if (read(fd[0], &id, sizeof id) == sizeof id) {
			last = id;
			got = 1;
		}
		long long ns = (long long)(urand() * 30000000);
		struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(got, 1); /* the child committed before it died */
		while (read(fd[0], &id, sizeof id) == sizeof id) {
			last = id;
			got++;
		}
		close(fd[0]);
		total_reported += got;
		/* every reported entry is there, whole */
		assert_int_equal(crmw_memory_open(&m, path, NULL), CRMW_OK);
		int64_t n = 0;
		assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
		assert_true(n >= total_reported);
		if (last) {
			json_t *e = get_entry(m, last);
			assert_non_null(e);
			assert_non_null(strstr(json_string_value(json_object_get(e, "text")), "entry"));
			json_decref(e);
			float v[32];
			assert_int_equal(crmw_memory_get_vector(v, 32, m, last), CRMW_OK);
		}
		/* and the cache loads every row */
		crmw_buf out = CRMW_BUF_INIT;
		assert_int_equal(crmw_memory_search(&out, m, "guideline long enough", "{\"k\":2,\"tags\":[\"crash\"]}"),
				 CRMW_OK);
		crmw_buf_dispose(&out);
		crmw_memory_free(m);
	}
	print_message("# %lld committed entries survived 25 kills\n", (long long)total_reported);
	assert_true(total_reported >= 25);
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/crmw-memtest-XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
	free(g_mat);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedder),   cmocka_unit_test(test_exact_scan),	 cmocka_unit_test(test_faiss),
		cmocka_unit_test(test_write_path), cmocka_unit_test(test_handles_and_io), cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_threads),	   cmocka_unit_test(test_killed_writer), cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_format1_upgrade),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("memory", tests, setup, teardown);
}
