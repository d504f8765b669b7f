/*
 * crmweaver/memory.h: the shared-memory store (CRMWeaver's "shared
 * memories"): guidelines, plans, episodes and facts learned from solved
 * tasks, with embeddings, retrieved by similarity for new tasks, written back
 * with provenance and usefulness counters.
 *
 * One store is one SQLite file (WAL).  SQLite is the source of truth; the
 * in-memory search matrix and the optional faiss index beside the file are
 * caches that are rebuilt from it whenever they are missing or stale.
 * See docs/memory.md for the storage layout, the embedder, the engines and
 * the numbers.
 *
 * Scopes: every entry records the scope it was written under, "global" (any
 * reader sees it) or a key such as the scope of the role whose episode wrote
 * it ("internal", "account:<AccountId>"; see docs/access.md).  Searches and
 * lists given a reader's "scope" rank and return only that scope's and the
 * global entries; the filter applies inside the search, before the best k
 * are taken.  Calls without one see every entry (a host's own view).
 *
 * Threads and processes: a crmw_memory handle may be shared by threads (its
 * calls are serialised by a lock inside the handle); many handles, in one
 * process or several, may open the same file: readers never block, writers
 * take turns (SQLite's write lock, waited for up to "busy_timeout_ms").  A
 * handle sees every other handle's committed writes on its next call.
 *
 * Errors of SQLite itself map to CRMW_EIO (I/O, a full disk), CRMW_EBUSY
 * (another writer held the lock past "busy_timeout_ms"), CRMW_ECORRUPT (a
 * damaged file) and CRMW_ENOMEM; the @return lines below list them as
 * "SQLite errors".  Every call that reads entries first catches up with
 * other handles' writes, so any of them may return one.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_MEMORY_H
#define CRMWEAVER_MEMORY_H

#include <crmweaver/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open shared-memory store.  @since 0.1 */
typedef struct crmw_memory crmw_memory;

/** The name of the built-in embedder (feature hashing, no model).  @since 0.1 */
#define CRMW_EMBEDDER_HASH "crmw-hash-v1"

/**
 * A host embedder: write the embedding of `text` (`len` bytes of UTF-8) as
 * `dim` floats into `out`.  Return 0 on success, non-zero to fail (the call
 * that needed the embedding then fails with CRMW_EUSER).  Called on the
 * thread that called the library, with the handle's lock held: it must not
 * call back into the same crmw_memory.
 * @since 0.1
 */
typedef int (*crmw_embed_fn)(float *out, int32_t dim, const char *text, size_t len, void *userdata);

/**
 * The built-in deterministic embedder: feature hashing of normalised word
 * unigrams, word bigrams and character trigrams with sublinear (1 + ln tf)
 * weights, signed buckets, L2-normalised.  The same text always gives the
 * same vector, on every machine.  `dim` >= 8.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, dim < 8, text without a
 *         letter or digit)
 * @since 0.1
 */
CRMW_API int crmw_embed_hash(float *out, int32_t dim, const char *text, size_t len);

/**
 * Open (or create) the store at `path`.  `options_json` (NULL for defaults)
 * is a JSON object with:
 *  - "create": create the file when missing (default true);
 *  - "readonly": open read-only (default false; every write then fails with
 *    CRMW_EACCESS);
 *  - "embedder": the embedder's name, recorded when the store is created
 *    (default CRMW_EMBEDDER_HASH); any other name means a host embedder set
 *    with crmw_memory_set_embedder.  Opening an existing store with another
 *    name or dimension fails with CRMW_EINVALID: embedders never mix;
 *  - "dim": the embedding dimension, recorded at creation (default 384);
 *  - "metric": "cosine" (vectors are L2-normalised on the way in, default)
 *    or "ip" (raw inner product), recorded at creation;
 *  - "capacity": the most entries kept (0 = unlimited, default); recorded, a
 *    later open may change it; inserting beyond it evicts the least useful;
 *  - "dedup_threshold": cosine at or above which an insert of the same kind
 *    and family merges into the existing entry (default 0.97; 1.01 turns
 *    similarity merging off; equal normalised text always merges);
 *  - "index": a faiss index_factory string ("Flat", "HNSW32", "IVF256,Flat",
 *    "IVF256,PQ16", ...) for the faiss engine (default none); recorded;
 *  - "index_min_entries": the size from which the "auto" engine uses that
 *    index instead of the exact scan (default 20000);
 *  - "ef_search", "nprobe": faiss search parameters (defaults 64 and 16;
 *    ef_search is HNSW's candidate list: higher finds more of the true
 *    top k, slower);
 *  - "quantize": "auto" (int8 scan with exact float rescoring from 20,000
 *    entries), "int8" or "off";
 *  - "synchronous": "full" (default: committed entries survive power loss)
 *    or "normal" (survive a crash of the process);
 *  - "busy_timeout_ms": how long a writer waits for another (default 5000).
 * A store written before scopes existed (format 1) is upgraded by a
 * read-write open (its entries become global); a read-only open reads its
 * entries as global and changes nothing.
 * @return CRMW_OK, CRMW_EINVALID (bad options, embedder mismatch),
 *         CRMW_ENOTFOUND (missing and "create" false), CRMW_ECORRUPT (not a
 *         memory store, or damaged), CRMW_EIO, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_memory_open(crmw_memory **out, const char *path, const char *options_json);

/**
 * Close the store: saves a faiss index that changed since it was loaded,
 * frees everything.  Accepts NULL.
 * @since 0.1
 */
CRMW_API void crmw_memory_free(crmw_memory *m);

/** The handle's last error message ("" when none); borrowed.  @since 0.1 */
CRMW_API const char *crmw_memory_errmsg(const crmw_memory *m);

/**
 * Deliver the handle's log messages at or above `level` to `fn` (NULL: drop
 * them).  The previous userdata is freed with its free function.
 * @since 0.1
 */
CRMW_API void crmw_memory_set_logger(crmw_memory *m, crmw_log_fn fn, int32_t level, void *userdata,
				     crmw_free_fn userdata_free);

/**
 * Use a host embedder for texts.  `name` and `dim` must equal what the store
 * recorded at creation (CRMW_EINVALID otherwise: mixing embedders is an
 * error).  `userdata_free` (may be NULL) is called on `userdata` when the
 * embedder is replaced or the handle freed, and also when this call fails.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, another name or dimension
 *         than the store recorded)
 * @since 0.1
 */
CRMW_API int crmw_memory_set_embedder(crmw_memory *m, const char *name, int32_t dim, crmw_embed_fn fn, void *userdata,
				      crmw_free_fn userdata_free);

/**
 * The embedding dimension of the store.
 * @return the dimension (0 for a NULL handle)
 * @since 0.1
 */
CRMW_API int32_t crmw_memory_dim(const crmw_memory *m);

/**
 * Embed `text` with the store's embedder into `out` (`dim` floats, which
 * must equal crmw_memory_dim), normalised when the metric is cosine.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, wrong dimension, a text
 *         with nothing to embed), CRMW_ESTATE (a host embedder is recorded
 *         but none is set), CRMW_EUSER (the embedder failed or returned a
 *         bad vector)
 * @since 0.1
 */
CRMW_API int crmw_memory_embed(float *out, int32_t dim, crmw_memory *m, const char *text, size_t len);

/**
 * Insert an entry.  `entry_json` is an object with "text" (required,
 * non-empty), "kind" ("guideline" default, "plan", "episode", "fact"),
 * "title", "query" (the task query it came from), "family", "tags" (array of
 * strings), "metadata" (object), "provenance" (array of trajectory ids),
 * "scope" (a string of at most 256 bytes without control characters; "" or
 * absent: "global") and optionally "counters" (object of non-negative
 * starting counts, as in crmw_memory_get).  `vec` (NULL: embed "query" when present, otherwise
 * title and text) holds `dim` floats.  An entry of the same kind and family
 * whose normalised text is equal, or whose vector is at least
 * "dedup_threshold" similar, absorbs the new one (provenance and tags
 * joined, counters added): then *merged = 1 and *id is that entry's (never
 * an entry of another scope).  When
 * the insert takes the store beyond its capacity, the least useful other
 * entries are evicted in the same transaction.
 * `id` and `merged` may be NULL.
 * @return CRMW_OK, CRMW_EINVALID (bad JSON field, empty text, wrong
 *         dimension, NaN or infinite or all-zero vector), CRMW_EFORMAT (not
 *         JSON), CRMW_EACCESS (read-only), CRMW_ESTATE (a host embedder is
 *         recorded but none is set), CRMW_EUSER (the embedder failed),
 *         CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_add(int64_t *id, int32_t *merged, crmw_memory *m, const char *entry_json, const float *vec,
			     int32_t dim);

/**
 * Change an entry: `patch_json` holds any of "kind", "title", "text",
 * "query", "family", "tags", "metadata", "provenance", "scope" (replaced).
 * A new "text" or "query" re-embeds the entry.
 * @return CRMW_OK, CRMW_ENOTFOUND (no such entry), CRMW_EINVALID (NULL
 *         argument, a bad field), CRMW_EFORMAT (not JSON), CRMW_EACCESS
 *         (read-only), CRMW_ESTATE, CRMW_EUSER (re-embedding, as
 *         crmw_memory_add), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_update(crmw_memory *m, int64_t id, const char *patch_json);

/**
 * Delete an entry.
 * @return CRMW_OK, CRMW_EINVALID (NULL handle), CRMW_ENOTFOUND (no such
 *         entry), CRMW_EACCESS (read-only), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_delete(crmw_memory *m, int64_t id);

/**
 * One entry as JSON: {"id","kind","title","text","query","family","scope",
 * "tags","metadata","provenance","counters":{"retrieved","success","failure",
 * "helpful","harmful"},"utility","created_at","updated_at"}.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND (no such
 *         entry), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_get(crmw_buf *out, crmw_memory *m, int64_t id);

/**
 * The stored vector of entry `id` (`dim` floats, which must equal
 * crmw_memory_dim).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, wrong dimension),
 *         CRMW_ENOTFOUND (no such entry), CRMW_ECORRUPT (a damaged vector),
 *         SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_get_vector(float *out, int32_t dim, crmw_memory *m, int64_t id);

/**
 * The number of entries, into `*n`.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_count(int64_t *n, crmw_memory *m);

/** Usefulness events for crmw_memory_feedback.  @since 0.1 */
enum crmw_memory_event {
	CRMW_MEM_RETRIEVED = 0, /**< put into an agent's context */
	CRMW_MEM_SUCCESS = 1,   /**< retrieved in an episode that succeeded */
	CRMW_MEM_FAILURE = 2,   /**< retrieved in an episode that failed */
	CRMW_MEM_HELPFUL = 3,   /**< voted helpful */
	CRMW_MEM_HARMFUL = 4    /**< voted harmful */
};

/**
 * Add `amount` (> 0) to counter `event` of each of `n` entries, in one
 * transaction.  Ids that no longer exist are skipped; `*updated` (may be
 * NULL) receives how many were counted.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, unknown event, amount not
 *         positive), CRMW_EACCESS (read-only), SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_feedback(int64_t *updated, crmw_memory *m, const int64_t *ids, size_t n, int32_t event,
				  int64_t amount);

/**
 * Search by text (embedded with the store's embedder).  `options_json`
 * (NULL for defaults) is an object with:
 *  - "k": how many (default 5, at most 10000);
 *  - "min_score": drop hits scoring below it;
 *  - "kind", "family": a string or an array of strings (any of);
 *  - "tags": an array of strings the entry must all carry;
 *  - "metadata": an object of path -> value (a scalar, or an array: any of)
 *    that the entry's metadata must match ("a.b" is metadata.a.b);
 *  - "mmr": a number in [0, 1] (the relevance weight lambda; true = 0.5):
 *    diversify the k hits by maximal marginal relevance among "fetch_k"
 *    candidates (default 4 k, at most 10000);
 *  - "engine": "auto" (default), "exact" or "faiss";
 *  - "quantize": overrides the store's option for this search;
 *  - "exclude": an array of entry ids to leave out;
 *  - "scope": a reader's scope: only the entries of that scope and the
 *    global ones ("" or "global": the global ones only);
 *  - "scopes": a non-empty array: only the entries of exactly these scopes
 *    (not with "scope").
 * Every filter applies before the best k are taken: what it leaves out
 * changes neither the count nor the scores of the hits.
 * Writes a JSON array, best first (ties: smaller id first), of
 * {"id","score","kind","title","text","query","family","scope","tags",
 * "metadata","provenance","counters","utility"}.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad options, nothing to
 *         embed), CRMW_EFORMAT (options not JSON), CRMW_ESTATE (no host
 *         embedder set, or a faiss index that cannot be trained yet),
 *         CRMW_EUSER (the embedder failed), CRMW_EUNSUPPORTED ("faiss" in a
 *         build without it), CRMW_ECORRUPT (a damaged index file),
 *         CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_search(crmw_buf *out, crmw_memory *m, const char *text, const char *options_json);

/**
 * Search by vector, without JSON on the way out (the hot path).  `q` holds
 * `dim` floats; `ids` and `scores` have room for `k` hits; `*n_hits`
 * receives how many were found.  Options as crmw_memory_search ("k", if
 * given, must equal `k`).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, `k` not from 1 to 10000,
 *         wrong dimension, a NaN, infinite or all-zero vector, bad options),
 *         CRMW_EFORMAT (options not JSON), CRMW_ESTATE (a faiss index that
 *         cannot be trained yet), CRMW_EUNSUPPORTED ("faiss" in a build
 *         without it), CRMW_ECORRUPT, CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_search_vec(int64_t *ids, float *scores, int32_t *n_hits, crmw_memory *m, const float *q,
				    int32_t dim, int32_t k, const char *options_json);

/**
 * Search `nq` query vectors at once (`q` is nq x dim, row-major); the exact
 * engine computes the scores with one BLAS sgemm per block of entries.  Row i
 * of `ids`/`scores` (nq x k) holds query i's hits; unused slots get id -1
 * and score -INFINITY.  MMR is not available here.
 * @return as crmw_memory_search_vec; CRMW_EINVALID also for `nq` < 1 and
 *         for "mmr"
 * @since 0.1
 */
CRMW_API int crmw_memory_search_batch(int64_t *ids, float *scores, crmw_memory *m, const float *q, int32_t nq,
				      int32_t dim, int32_t k, const char *options_json);

/**
 * List entries as a JSON array (as crmw_memory_get).  `options_json`: the
 * filters of crmw_memory_search ("kind", "family", "tags", "metadata",
 * "scope", "scopes"),
 * "order" ("id" default, "utility", "updated", "retrieved"), "desc"
 * (bool), "limit" (default 100, 0 = all), "offset".
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad options),
 *         CRMW_EFORMAT (options not JSON), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_list(crmw_buf *out, crmw_memory *m, const char *options_json);

/**
 * Statistics as JSON: {"path","entries","kinds":{...},"families":{...},"scopes":{...},
 * "embedder","dim","metric","capacity","dedup_threshold","index":{"factory",
 * "file","state","entries","ef_search","nprobe"},"counters":{...},
 * "file_bytes"} ("ef_search" and "nprobe": the handle's search parameters).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_stats(crmw_buf *out, crmw_memory *m);

/**
 * Export every entry as JSONL (one crmw_memory_get object per line, plus
 * "embedding" as an array of floats and "embedder") to `path` ("-" is not
 * accepted; write to a file).  The file is written whole or not at all.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, "-"), CRMW_EIO,
 *         CRMW_ECORRUPT (a damaged vector), CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_export(crmw_memory *m, const char *path);

/**
 * Import a JSONL file written by crmw_memory_export (or by hand: lines need
 * only "text") in one transaction: all lines or none.  Lines with an
 * "embedding" must come from the same embedder ("embedder" when given) and
 * dimension; lines without one are embedded.  Deduplication applies unless
 * `options_json` says {"dedup": false}; {"keep_ids": true} keeps the
 * lines' ids (an id already present is an error).  `*added` and `*merged`
 * (may be NULL) count the outcome.  Errors name the line.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad options, a bad line),
 *         CRMW_EFORMAT (options or a line not JSON), CRMW_ENOTFOUND (no such
 *         file), CRMW_EEXISTS (with "keep_ids": an id already present),
 *         CRMW_EACCESS (read-only), CRMW_ESTATE, CRMW_EUSER (embedding, as
 *         crmw_memory_add), CRMW_EIO, CRMW_ENOMEM, SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_import(int64_t *added, int64_t *merged, crmw_memory *m, const char *path,
				const char *options_json);

/**
 * Build (or rebuild) the faiss index of the store now and save it beside the
 * file (PATH.faiss).  `factory` NULL: the recorded one; otherwise it is
 * recorded.  Without faiss in the build: CRMW_EUNSUPPORTED.  Too few entries
 * to train the index: CRMW_ESTATE, naming how many it needs.
 * @return CRMW_OK, CRMW_EINVALID (NULL handle, a bad factory string),
 *         CRMW_EUNSUPPORTED (no faiss), CRMW_ESTATE (no factory given or
 *         recorded, an empty store, too few entries to train), CRMW_EIO
 *         (writing the index file), CRMW_ERROR (faiss failed), CRMW_ENOMEM,
 *         SQLite errors
 * @since 0.1
 */
CRMW_API int crmw_memory_build_index(crmw_memory *m, const char *factory);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_MEMORY_H */
