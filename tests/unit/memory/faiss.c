/*
 * faiss: Flat against the exact scan, the index file (rebuilt when
 * deleted, stale or damaged), search parameters, HNSW and IVF recall.
 */

#include "fixture.h"

/* ------------------------------------------------------------ faiss */

void test_faiss(void **state)
{
	(void)state;
	if (!crmw_has_feature("faiss")) {
		crmw_memory *m = fx_open_store("nofaiss.db", "{\"dim\":48}");
		assert_int_equal(crmw_memory_build_index(m, "Flat"), CRMW_EUNSUPPORTED);
		float q[D];
		fx_rand_unit(q, D);
		int64_t ids[5];
		float sc[5];
		int32_t nh;
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 5, "{\"engine\":\"faiss\"}"), CRMW_EUNSUPPORTED);
		crmw_memory_free(m);
		print_message("# no faiss in this build: checked that the faiss engine says so\n");
		return;
	}
	crmw_memory *m = fx_random_store("faiss.db", "{\"dim\":48,\"dedup_threshold\":1.5,\"index\":\"Flat\",\"synchronous\":\"normal\"}");
	float q[D];
	int64_t ids[20], eid[20];
	float sc[20], es[20];
	int32_t nh, ne;
	/* Flat equals the exact scan */
	for (int t = 0; t < 20; t++) {
		fx_rand_unit(q, D);
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 10, "{\"engine\":\"faiss\"}"), CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(eid, es, &ne, m, q, D, 10, "{\"engine\":\"exact\"}"), CRMW_OK);
		fx_same_hits(ids, sc, nh, eid, es, ne);
		/* with a filter (post-filtered, falling back to exact when short) */
		assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, q, D, 10, "{\"engine\":\"faiss\",\"family\":\"fam4\"}"),
				 CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(eid, es, &ne, m, q, D, 10, "{\"engine\":\"exact\",\"family\":\"fam4\"}"),
				 CRMW_OK);
		fx_same_hits(ids, sc, nh, eid, es, ne);
	}
	/* the index file exists; deleting an entry hides it; new entries are found */
	const char *ipath = fx_tmp_path("faiss.db.faiss");
	assert_int_equal(access(ipath, F_OK), 0);
	assert_int_equal(crmw_memory_delete(m, fx_ids[5]), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, fx_mat + 5 * D, D, 3, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_true(ids[0] != fx_ids[5]);
	float nv[D];
	fx_rand_unit(nv, D);
	int64_t nid = fx_add_vec(m, "fact", "new", 1, nv, D);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, nv, D, 1, "{\"engine\":\"faiss\"}"), CRMW_OK);
	assert_int_equal(ids[0], nid);
	crmw_memory_free(m); /* saves the grown index */

	/* reopen: the index loads from the file and answers the same */
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, fx_tmp_path("faiss.db"), NULL), CRMW_OK);
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
	assert_int_equal(crmw_memory_open(&r, fx_tmp_path("faiss.db"), NULL), CRMW_OK);
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
	assert_int_equal(crmw_memory_open(&r, fx_tmp_path("faiss.db"), NULL), CRMW_OK);
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
		assert_int_equal(crmw_memory_open(&r, fx_tmp_path("faiss.db"), "{\"nprobe\":4}"), CRMW_OK);
		assert_int_equal(crmw_memory_build_index(r, fac[fi]), CRMW_OK);
		assert_int_equal(crmw_memory_stats(&b, r), CRMW_OK);
		assert_non_null(strstr(b.data, "\"ef_search\":64,\"nprobe\":4}"));
		int hit = 0, tot = 0;
		for (int t = 0; t < 50; t++) {
			fx_rand_unit(q, D);
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
	crmw_memory *s = fx_open_store("small.db", "{\"dim\":48}");
	fx_rand_unit(q, D);
	fx_add_vec(s, "guideline", "f", 0, q, D);
	assert_int_equal(crmw_memory_build_index(s, "IVF64,Flat"), CRMW_ESTATE);
	assert_non_null(strstr(crmw_memory_errmsg(s), "2496"));
	assert_int_equal(crmw_memory_build_index(s, "NoSuchIndex"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, s, q, D, 1, "{\"engine\":\"faiss\"}"), CRMW_ESTATE);
	crmw_memory_free(s);
	crmw_buf_dispose(&b);
}
