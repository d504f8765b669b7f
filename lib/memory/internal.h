/*
 * lib/memory/internal.h: the shared-memory store (docs/memory.md).
 *
 *  store.c   the handle, the SQLite layout, every write (add with dedup,
 *            update, delete, feedback, eviction) and the cache sync
 *  search.c  filters, engine choice, MMR, JSON output, list and stats
 *  scan.c    the exact engine: the matrix, float and int8 kernels, top-k,
 *            batched sgemm
 *  embed.c   the built-in feature-hashing embedder
 *  io.c      JSONL export and import
 *  faiss.c   the faiss adapter (the only file that includes faiss)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_MEMORY_INTERNAL_H
#define CRMW_MEMORY_INTERNAL_H

#include "common/internal.h"

#include <pthread.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>

#include <crmweaver/memory.h>

/* ------------------------------------------------------------- the matrix */

/* Interned names (families, scopes): a string <-> a small index, hashed, so
 * that a store with one scope per customer interns in constant time. */
typedef struct mem_names {
	char **s;
	int32_t n, cap;
	int32_t *slot; /* index + 1, 0 = empty; open addressing */
	uint32_t scap; /* a power of two, 0 before the first name */
} mem_names;

/* The index of `s` (added when `add`): -1 for NULL or unknown, -2 when out of memory. */
int32_t crmw__names_id(mem_names *t, const char *s, bool add);

/*
 * Every entry's vector in one contiguous, 64-byte aligned block (rows of
 * `stride` floats, zero padded), with its id, kind, family and scope, and an
 * id -> row hash.  Deleting moves the last row into the hole.  The int8 copy
 * (per-row scale, quantisation error norm and norm of the dequantised row)
 * exists once an int8 scan asked for it and is kept current from then on.
 */
typedef struct mem_matrix {
	int32_t dim, stride, stride8;
	int64_t n, cap;
	float *vec;
	int64_t *ids;
	uint8_t *kind;
	int32_t *family; /* index into fams, -1 for none */
	int32_t *scope;  /* index into scopes */
	mem_names fams, scopes;
	int64_t *hkeys; /* 0 = empty */
	int64_t *hvals;
	size_t hcap;
	int8_t *q8;
	float *q8scale, *q8err, *q8norm;
	bool has_q8;
} mem_matrix;

void crmw__mx_init(mem_matrix *mx, int32_t dim);
void crmw__mx_dispose(mem_matrix *mx);
void crmw__mx_clear(mem_matrix *mx);
int64_t crmw__mx_slot(const mem_matrix *mx, int64_t id); /* -1 when absent */
int32_t crmw__mx_family(mem_matrix *mx, const char *family, bool add); /* -1: none / unknown; -2 ENOMEM */
/* Insert or replace the row of `id`.  CRMW_OK or CRMW_ENOMEM. */
int crmw__mx_put(mem_matrix *mx, int64_t id, const float *v, uint8_t kind, int32_t family, int32_t scope);
void crmw__mx_remove(mem_matrix *mx, int64_t id);
int crmw__mx_enable_q8(mem_matrix *mx);

/* Kernels (runtime dispatch: AVX2/FMA when the CPU has it). */
float crmw__dot(const float *a, const float *b, int32_t n);

/* Top-k: best score first, ties by smaller id. */
typedef struct mem_topk {
	int32_t k, n;
	float *score;
	int64_t *id;
} mem_topk;
void crmw__topk_push(mem_topk *t, float score, int64_t id);
void crmw__topk_sort(mem_topk *t);

/*
 * Exact search of one (normalised) query over the rows where mask[row] is
 * non-zero (mask NULL: every row); hits scoring below min_score are dropped.
 * `use_q8`: scan the int8 copy, then rescore in float every row whose error
 * bound keeps it in reach of the k-th best; the result is the same as the
 * float scan's.  `scratch` holds n floats.
 */
void crmw__scan_exact(mem_topk *t, const mem_matrix *mx, const float *q, const uint8_t *mask, float min_score,
		      bool use_q8, float *scratch);
/* Many queries at once with sgemm; tops[i] receives query i's hits. */
int crmw__scan_batch(mem_topk *tops, const mem_matrix *mx, const float *q, int32_t nq, const uint8_t *mask,
		     float min_score);

/* --------------------------------------------------------------- faiss */

typedef struct crmw__fidx crmw__fidx;
/* Points an index of `factory` needs before it can be trained (0: none). */
int64_t crmw__fidx_min_train(const char *factory);
#if CRMW_HAVE_FAISS
/* CRMW_OK when faiss understands the factory string for `dim`. */
int crmw__fidx_check(crmw_err *e, const char *factory, int32_t dim);
int crmw__fidx_build(crmw__fidx **out, crmw_err *e, const char *factory, int32_t dim, bool ip, const float *x,
		     int32_t stride, const int64_t *ids, int64_t n);
int crmw__fidx_add(crmw__fidx *f, crmw_err *e, const float *x, const int64_t *ids, int64_t n);
int crmw__fidx_search(crmw__fidx *f, crmw_err *e, const float *q, int32_t k, float *scores, int64_t *ids);
void crmw__fidx_params(crmw__fidx *f, int32_t ef_search, int32_t nprobe);
int64_t crmw__fidx_ntotal(const crmw__fidx *f);
int crmw__fidx_write(const crmw__fidx *f, crmw_err *e, FILE *fp);
int crmw__fidx_read(crmw__fidx **out, crmw_err *e, FILE *fp);
void crmw__fidx_free(crmw__fidx *f);
#endif

/* ---------------------------------------------------------- the handle */

enum { MEM_KINDS = 4 };
extern const char *const crmw__mem_kinds[MEM_KINDS];
int crmw__mem_kind(const char *s); /* -1 when unknown */

enum { Q_OFF = 0, Q_INT8 = 1, Q_AUTO = 2 };

struct crmw_memory {
	crmw_handle h;
	pthread_mutex_t lock;
	sqlite3 *sql;
	char *path;
	bool readonly;

	/* recorded in the store */
	char *embedder;
	int32_t dim;
	bool cosine;
	int64_t capacity;
	double dedup;
	char *factory; /* NULL: no faiss index */
	char uuid[33];

	/* options of this handle */
	int64_t index_min;
	int32_t ef_search, nprobe;
	int32_t quantize;

	crmw_embed_fn efn;
	void *eud;
	crmw_free_fn efree;

	/* the cache: rows as of store sequence `seq` */
	mem_matrix mx;
	bool loaded, in_txn;
	int64_t seq, data_version, vec_epoch;

	/* the faiss index: built at vector epoch `f_epoch`, holds ids <= f_maxid;
	 * caught up with the cache as of store sequence `f_seq` */
	crmw__fidx *fidx;
	int64_t f_epoch, f_maxid, f_live, f_seq;
	bool f_dirty;

	float *scratch;
	size_t scratch_cap;
	uint8_t *mask;
	size_t mask_cap;
};

/* store.c */
int crmw__mem_sqlerr(crmw_memory *m, int src, const char *what);
int crmw__mem_sync(crmw_memory *m);
int crmw__mem_meta_int(crmw_memory *m, const char *key, int64_t *out);
int crmw__mem_entry_json(crmw_buf *b, sqlite3_stmt *st); /* row of MEM_ENTRY_COLS */
int crmw__mem_embed_text(crmw_memory *m, float *out, const char *text, size_t len);
int crmw__mem_check_vec(crmw_memory *m, float *out, const float *vec, int32_t dim);
int crmw__mem_insert(int64_t *id, int32_t *merged, crmw_memory *m, json_t *entry, const float *vec, bool dedup,
		     bool keep_id, int64_t seq);
int crmw__mem_begin(crmw_memory *m, const char *what, int64_t *seq);
int crmw__mem_end(crmw_memory *m, int rc);
void crmw__mem_now(char out[48]);
float *crmw__mem_scratch(crmw_memory *m, size_t n);

/* The entries crmw_memory_list lists under the same options, as
 * [[id, seq], ...] (seq: the store sequence of the entry's last change;
 * counters excepted): what a reader that caches entries needs to see which
 * changed.  Errors as crmw_memory_list's. */
int crmw__memory_list_versions(crmw_buf *out, crmw_memory *m, const char *options_json);
/* The store sequence: it grows with every change of an entry (counters
 * excepted).  Listing versions reads every row (their large metadata
 * included); this reads one. */
int crmw__memory_seq(crmw_memory *m, int64_t *seq);

/* The columns crmw__mem_entry_json reads, in order. */
#define MEM_ENTRY_COLS                                                                                               \
	"id, kind, title, text, query, family, tags, metadata, provenance, n_retrieved, n_success, n_failure, "       \
	"n_helpful, n_harmful, created_at, updated_at, scope"

/* The scope of entries visible to every reader (docs/memory.md, "Scopes"). */
#define CRMW__MEM_GLOBAL "global"
/* The scope named by a JSON value ("" is the global one), or NULL when it is
 * not a string of 1 to 256 bytes without control characters. */
const char *crmw__mem_scope_name(const json_t *v);

/* Drop `id` from the cache (and from the faiss index's live count). */
void crmw__mem_forget(crmw_memory *m, int64_t id);

/* search.c */
/* Save the faiss index when it changed since it was loaded (errors logged). */
void crmw__mem_index_save(crmw_memory *m);
/* After the cache was reloaded: recount the index's live entries. */
void crmw__mem_index_recount(crmw_memory *m);

#endif
