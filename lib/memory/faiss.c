/*
 * The faiss adapter: the only file that includes the faiss C API (faiss_c.h
 * defines `idx_t` and an enum constant `OK`, which must not leak elsewhere).
 * faiss aborts on some bad arguments, so every input is validated first;
 * exceptions are caught by the C API and come back as error codes.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "memory/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Training points an index_factory string needs: IVF<n> wants 39 n (faiss
 * warns on stderr below that), PQ<m>[x<bits>] 39 * 2^bits per sub-quantiser. */
int64_t crmw__fidx_min_train(const char *factory)
{
	int64_t need = 0;
	for (const char *p = factory; p && *p; p++) {
		if (p != factory && (isalnum((unsigned char)p[-1])))
			continue;
		if (!strncmp(p, "IVF", 3) && isdigit((unsigned char)p[3])) {
			int64_t n = strtoll(p + 3, NULL, 10);
			if (n > 0 && n < (int64_t)1 << 40 && 39 * n > need)
				need = 39 * n;
		} else if (!strncmp(p, "PQ", 2) && isdigit((unsigned char)p[2])) {
			char *end;
			strtol(p + 2, &end, 10);
			long bits = 8;
			if (*end == 'x' && isdigit((unsigned char)end[1]))
				bits = strtol(end + 1, NULL, 10);
			if (bits < 1 || bits > 16)
				bits = 16;
			int64_t n = 39 * ((int64_t)1 << bits);
			if (n > need)
				need = n;
		}
	}
	return need;
}

#if CRMW_HAVE_FAISS

#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/MetaIndexes_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
#include <omp.h>

struct crmw__fidx {
	FaissIndex *index; /* an IndexIDMap owning the inner index */
	int32_t dim;
};

/* faiss's messages start "Error in <C++ signature> at <file>:<line>: ";
 * keep what follows. */
static const char *faiss_msg(void)
{
	const char *m = faiss_get_last_error();
	if (!m)
		return "unknown error";
	if (!strncmp(m, "Error in ", 9)) {
		const char *at = strstr(m, " at ");
		const char *colon = at ? strstr(at + 4, ": ") : NULL;
		if (colon && colon[2])
			return colon + 2;
	}
	return m;
}

static int ferr(crmw_err *e, const char *what)
{
	return crmw__errf(e, CRMW_ERROR, "faiss: %s: %s", what, faiss_msg());
}

int crmw__fidx_check(crmw_err *e, const char *factory, int32_t dim)
{
	FaissIndex *idx = NULL;
	if (!factory || !*factory || faiss_index_factory(&idx, dim, factory, METRIC_INNER_PRODUCT))
		return crmw__errf(e, CRMW_EINVALID, "faiss: bad index description \"%s\": %s", factory ? factory : "",
				  factory && *factory ? faiss_msg() : "empty");
	faiss_Index_free(idx);
	return CRMW_OK;
}

int crmw__fidx_build(crmw__fidx **out, crmw_err *e, const char *factory, int32_t dim, bool ip, const float *x,
		     int32_t stride, const int64_t *ids, int64_t n)
{
	*out = NULL;
	if (!factory || !*factory || dim <= 0 || n <= 0 || stride < dim)
		return crmw__errf(e, CRMW_EINVALID, "faiss: nothing to index");
	int64_t need = crmw__fidx_min_train(factory);
	if (n < need)
		return crmw__errf(e, CRMW_ESTATE,
				  "faiss index \"%s\" needs at least %lld entries to train; the store has %lld", factory,
				  (long long)need, (long long)n);
	FaissIndex *inner = NULL;
	if (faiss_index_factory(&inner, dim, factory, ip ? METRIC_INNER_PRODUCT : METRIC_L2))
		return crmw__errf(e, CRMW_EINVALID, "faiss: bad index description \"%s\": %s", factory, faiss_msg());
	FaissIndexIDMap *map = NULL;
	if (faiss_IndexIDMap_new(&map, inner)) {
		faiss_Index_free(inner);
		return ferr(e, "IndexIDMap");
	}
	faiss_IndexIDMap_set_own_fields(map, 1);
	crmw__fidx *f = calloc(1, sizeof *f);
	if (!f) {
		faiss_Index_free((FaissIndex *)map);
		return crmw__errf(e, CRMW_ENOMEM, "out of memory");
	}
	f->index = (FaissIndex *)map;
	f->dim = dim;
	/* faiss wants rows of exactly `dim` floats */
	const float *rows = x;
	float *packed = NULL;
	if (stride != dim) {
		packed = malloc((size_t)n * (size_t)dim * sizeof(float));
		if (!packed) {
			crmw__fidx_free(f);
			return crmw__errf(e, CRMW_ENOMEM, "out of memory");
		}
		for (int64_t i = 0; i < n; i++)
			memcpy(packed + (size_t)i * (size_t)dim, x + (size_t)i * (size_t)stride, (size_t)dim * sizeof(float));
		rows = packed;
	}
	int rc = CRMW_OK;
	if (!faiss_Index_is_trained(f->index) && faiss_Index_train(f->index, n, rows))
		rc = ferr(e, "training");
	if (!rc && faiss_Index_add_with_ids(f->index, n, rows, (const idx_t *)ids))
		rc = ferr(e, "adding vectors");
	free(packed);
	if (rc) {
		crmw__fidx_free(f);
		return rc;
	}
	*out = f;
	return CRMW_OK;
}

int crmw__fidx_add(crmw__fidx *f, crmw_err *e, const float *x, const int64_t *ids, int64_t n)
{
	if (n <= 0)
		return CRMW_OK;
	if (faiss_Index_add_with_ids(f->index, n, x, (const idx_t *)ids))
		return ferr(e, "adding vectors");
	return CRMW_OK;
}

void crmw__fidx_params(crmw__fidx *f, int32_t ef_search, int32_t nprobe)
{
	FaissParameterSpace *ps = NULL;
	if (faiss_ParameterSpace_new(&ps))
		return;
	/* indexes without the parameter refuse it; that is fine */
	faiss_ParameterSpace_set_index_parameter(ps, f->index, "efSearch", (double)ef_search);
	faiss_ParameterSpace_set_index_parameter(ps, f->index, "nprobe", (double)nprobe);
	faiss_ParameterSpace_free(ps);
}

/*
 * One query on one thread.  faiss opens an OpenMP parallel region even for a
 * single query (HNSW gives every thread of the team its own visited table,
 * IndexIDMap maps the labels in another region), so all but one thread of
 * the team only cost: waking them, then waiting for the slowest, which on a
 * busy machine is one that has no core.  omp_set_num_threads sets the
 * nthreads-var of the calling thread's task, not of the process (libgomp
 * keeps it per thread: other threads' teams keep their size), so the
 * caller's value is put back after the call.
 */
int crmw__fidx_search(crmw__fidx *f, crmw_err *e, const float *q, int32_t k, float *scores, int64_t *ids)
{
	if (k <= 0)
		return CRMW_OK;
	int nthreads = omp_get_max_threads();
	if (nthreads != 1)
		omp_set_num_threads(1);
	int frc = faiss_Index_search(f->index, 1, q, k, scores, (idx_t *)ids);
	if (nthreads != 1)
		omp_set_num_threads(nthreads);
	if (frc)
		return ferr(e, "search");
	return CRMW_OK;
}

int64_t crmw__fidx_ntotal(const crmw__fidx *f)
{
	return f ? (int64_t)faiss_Index_ntotal(f->index) : 0;
}

int crmw__fidx_write(const crmw__fidx *f, crmw_err *e, FILE *fp)
{
	if (faiss_write_index(f->index, fp))
		return crmw__errf(e, CRMW_EIO, "faiss: writing the index: %s", faiss_msg());
	return CRMW_OK;
}

int crmw__fidx_read(crmw__fidx **out, crmw_err *e, FILE *fp)
{
	*out = NULL;
	FaissIndex *idx = NULL;
	if (faiss_read_index(fp, 0, &idx) || !idx)
		return crmw__errf(e, CRMW_ECORRUPT, "faiss: reading the index: %s", faiss_msg());
	if (!faiss_IndexIDMap_cast(idx)) {
		faiss_Index_free(idx);
		return crmw__errf(e, CRMW_ECORRUPT, "faiss: the index file does not hold an id-mapped index");
	}
	crmw__fidx *f = calloc(1, sizeof *f);
	if (!f) {
		faiss_Index_free(idx);
		return crmw__errf(e, CRMW_ENOMEM, "out of memory");
	}
	f->index = idx;
	f->dim = faiss_Index_d(idx);
	*out = f;
	return CRMW_OK;
}

void crmw__fidx_free(crmw__fidx *f)
{
	if (!f)
		return;
	faiss_Index_free(f->index);
	free(f);
}

int crmw__faiss_selftest(void)
{
	enum { D = 4, N = 3 };
	const float xb[N * D] = {
		1, 0, 0, 0,
		0, 1, 0, 0,
		0, 0, 0.6f, 0.8f,
	};
	const int64_t ids[N] = {10, 20, 30};
	const float q[D] = {0, 0, 0.8f, 0.6f};
	crmw__fidx *f = NULL;
	float dist[2];
	int64_t labels[2];
	int rc = crmw__fidx_build(&f, NULL, "Flat", D, true, xb, D, ids, N);
	if (!rc)
		rc = crmw__fidx_search(f, NULL, q, 2, dist, labels);
	if (!rc && (crmw__fidx_ntotal(f) != N || labels[0] != 30 || fabsf(dist[0] - 0.96f) > 1e-5f))
		rc = crmw__errf(NULL, CRMW_ERROR, "faiss: wrong answer (ntotal %lld, label %lld, score %g)",
				(long long)crmw__fidx_ntotal(f), (long long)labels[0], (double)dist[0]);
	crmw__fidx_free(f);
	return rc;
}

#endif /* CRMW_HAVE_FAISS */
