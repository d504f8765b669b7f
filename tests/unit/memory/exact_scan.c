/*
 * The exact scan (float and int8) against a naive reference: batches,
 * filters, thresholds, MMR.
 */

#include "fixture.h"

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

void test_exact_scan(void **state)
{
	(void)state;
	crmw_memory *m = fx_random_store("exact.db", "{\"dim\":48,\"dedup_threshold\":1.5,\"synchronous\":\"normal\"}");
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
		fx_rand_unit(q, D);
		int k = 1 + trial % 20;
		naive_topk(fx_mat, fx_ids, NULL, N, q, k, -INFINITY, rid, rs, &nr);
		for (int mo = 0; mo < 2; mo++) {
			assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, k, modes[mo]), CRMW_OK);
			fx_same_hits(ids, sc, nh, rid, rs, nr);
		}
		/* filters: kind plan and family fam2 or fam3, min_score */
		bool ok[N];
		for (int i = 0; i < N; i++)
			ok[i] = i % 2 == 1 && (fx_fam[i] == 2 || fx_fam[i] == 3);
		naive_topk(fx_mat, fx_ids, ok, N, q, k, 0.05f, rid, rs, &nr);
		const char *f[] = {
			"{\"kind\":\"plan\",\"family\":[\"fam2\",\"fam3\"],\"min_score\":0.05,\"quantize\":\"off\"}",
			"{\"kind\":[\"plan\"],\"family\":[\"fam2\",\"fam3\",\"nope\"],\"min_score\":0.05,\"quantize\":\"int8\"}",
		};
		for (int mo = 0; mo < 2; mo++) {
			assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, k, f[mo]), CRMW_OK);
			fx_same_hits(ids, sc, nh, rid, rs, nr);
		}
		/* tags go through SQL: tag t1 = i % 3 == 1 */
		for (int i = 0; i < N; i++)
			ok[i] = i % 3 == 1;
		naive_topk(fx_mat, fx_ids, ok, N, q, k, -INFINITY, rid, rs, &nr);
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, k, "{\"tags\":[\"t1\"]}"), CRMW_OK);
		fx_same_hits(ids, sc, nh, rid, rs, nr);
	}
	/* an exact copy scores 1 and comes first */
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, fx_mat + 77 * D, D, 3, NULL), CRMW_OK);
	assert_int_equal(ids[0], fx_ids[77]);
	assert_true(fabsf(sc[0] - 1.0f) < 1e-5f);
	/* exclude */
	char ex[64];
	snprintf(ex, sizeof ex, "{\"exclude\":[%lld]}", (long long)fx_ids[77]);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, fx_mat + 77 * D, D, 3, ex), CRMW_OK);
	assert_true(ids[0] != fx_ids[77]);
	/* a threshold nothing reaches */
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 5, "{\"min_score\":1.01}"), CRMW_OK);
	assert_int_equal(nh, 0);

	/* batches equal single searches */
	enum { NQ = 9, K = 7 };
	float qs[NQ * D];
	int64_t bid[NQ * K];
	float bsc[NQ * K];
	for (int i = 0; i < NQ; i++)
		fx_rand_unit(qs + i * D, D);
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"quantize\":\"off\"}"), CRMW_OK);
	for (int i = 0; i < NQ; i++) {
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, qs + i * D, D, K, NULL), CRMW_OK);
		fx_same_hits(bid + i * K, bsc + i * K, K, ids, sc, nh);
	}
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"family\":\"fam1\",\"kind\":\"plan\"}"),
			 CRMW_OK);
	for (int i = 0; i < NQ; i++) {
		assert_int_equal(
			crmw_memory_search_vec(ids, sc, &nh, m, qs + i * D, D, K, "{\"family\":\"fam1\",\"kind\":\"plan\"}"),
			CRMW_OK);
		fx_same_hits(bid + i * K, bsc + i * K, K, ids, sc, nh);
	}
	/* more slots than matches: the rest is -1 */
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"min_score\":0.99}"), CRMW_OK);
	assert_int_equal(bid[0], -1);
	assert_true(isinf(bsc[0]) && bsc[0] < 0);
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qs, NQ, D, K, "{\"mmr\":0.5}"), CRMW_EINVALID);

	/* MMR: three near copies of one vector and one different vector */
	crmw_memory *m2 = fx_open_store("mmr.db", "{\"dim\":48,\"dedup_threshold\":1.5}");
	float base[D], other[D], v[D];
	fx_rand_unit(base, D);
	fx_rand_unit(other, D);
	int64_t copies[3];
	for (int c = 0; c < 3; c++) {
		for (int i = 0; i < D; i++)
			v[i] = base[i] + 0.01f * (float)c;
		copies[c] = fx_add_vec(m2, "guideline", "f", c, v, D);
	}
	for (int i = 0; i < D; i++)
		v[i] = 0.6f * base[i] + 0.8f * other[i];
	int64_t diverse = fx_add_vec(m2, "guideline", "f", 9, v, D);
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
