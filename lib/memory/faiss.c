/*
 * The faiss adapter: the only file that includes the faiss C API (faiss_c.h
 * defines `idx_t` and an enum constant `OK`, which must not leak elsewhere).
 * faiss aborts on many bad arguments, so every caller validates first.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#if CRMW_HAVE_FAISS

#include <math.h>

#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>

int crmw__faiss_selftest(void)
{
	enum { D = 4, N = 3 };
	const float xb[N * D] = {
		1, 0, 0, 0,
		0, 1, 0, 0,
		0, 0, 0.6f, 0.8f,
	};
	const float q[D] = {0, 0, 0.8f, 0.6f};
	FaissIndex *index = NULL;
	float dist[2];
	idx_t labels[2];
	int rc = CRMW_OK;

	if (faiss_index_factory(&index, D, "Flat", METRIC_INNER_PRODUCT))
		return crmw__errf(NULL, CRMW_ERROR, "faiss: index_factory failed: %s",
				  faiss_get_last_error());
	if (faiss_Index_add(index, N, xb) ||
	    faiss_Index_search(index, 1, q, 2, dist, labels)) {
		rc = crmw__errf(NULL, CRMW_ERROR, "faiss: add/search failed: %s",
				faiss_get_last_error());
	} else if (faiss_Index_ntotal(index) != N || labels[0] != 2 ||
		   fabsf(dist[0] - 0.96f) > 1e-5f) {
		rc = crmw__errf(NULL, CRMW_ERROR,
				"faiss: wrong answer (ntotal %lld, label %lld, score %g)",
				(long long)faiss_Index_ntotal(index), (long long)labels[0],
				(double)dist[0]);
	}
	faiss_Index_free(index);
	return rc;
}

#endif /* CRMW_HAVE_FAISS */
