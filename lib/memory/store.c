/*
 * The shared-memory store: the handle, the SQLite layout, every write and
 * the cache sync (docs/memory.md).
 *
 * Layout (one SQLite file in WAL mode):
 *   crmw_mem_meta(key, value)      format, embedder, dim, metric, capacity,
 *                                  dedup_threshold, index, uuid, seq,
 *                                  vec_epoch, tomb_floor
 *   crmw_mem_entry(...)            the entries; `seq` is the store sequence
 *                                  of the row's last change (any column but
 *                                  the counters: other handles reload its
 *                                  vector, kind, family and scope, the memory
 *                                  policy its library); `scope` the scope
 *                                  it was written under ("global" or a key)
 *   crmw_mem_tomb(id, seq)         deleted ids, so that other handles drop
 *                                  them from their caches
 * Every write transaction takes SQLite's write lock (BEGIN IMMEDIATE),
 * brings the cache up to date, bumps `seq`, applies its changes to the rows
 * and to the cache, and commits.  A rollback throws the cache away (it is
 * reloaded from the file on the next call).  Other handles notice commits
 * through PRAGMA data_version and load only what changed since their `seq`.
 *
 * Formats: 1 had no `scope` column.  A read-write open of a format 1 store
 * adds it (every entry global) and records format 2; a read-only open puts a
 * temporary view of the same name in front of the table that adds the
 * column as 'global' (the view's `*` picks up the real column once another
 * handle has migrated the file).  Format 1 libraries refuse format 2.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "memory/internal.h"

#include "common/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MEM_FORMAT 2

const char *const crmw__mem_kinds[MEM_KINDS] = {"guideline", "plan", "episode", "fact"};

int crmw__mem_kind(const char *s)
{
	for (int i = 0; s && i < MEM_KINDS; i++)
		if (!strcmp(s, crmw__mem_kinds[i]))
			return i;
	return -1;
}

static const char *const counter_names[5] = {"retrieved", "success", "failure", "helpful", "harmful"};
static const char *const counter_cols[5] = {"n_retrieved", "n_success", "n_failure", "n_helpful", "n_harmful"};

int crmw__mem_sqlerr(crmw_memory *m, int src, const char *what)
{
	return crmw__sqlerr(&m->h.err, m->sql, src, what);
}

void crmw__mem_now(char out[48])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	time_t t = tv.tv_sec;
	gmtime_r(&t, &tm);
	snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

float *crmw__mem_scratch(crmw_memory *m, size_t n)
{
	if (n > m->scratch_cap) {
		float *p = realloc(m->scratch, n * sizeof *p);
		if (!p)
			return NULL;
		m->scratch = p;
		m->scratch_cap = n;
	}
	return m->scratch ? m->scratch : (m->scratch = malloc(sizeof(float)));
}

/* ------------------------------------------------------------ statements */

static int prep(crmw_memory *m, sqlite3_stmt **st, const char *sql)
{
	int src = sqlite3_prepare_v2(m->sql, sql, -1, st, NULL);
	return src ? crmw__mem_sqlerr(m, src, "memory store") : CRMW_OK;
}

static int exec(crmw_memory *m, const char *sql)
{
	int src = sqlite3_exec(m->sql, sql, NULL, NULL, NULL);
	return src ? crmw__mem_sqlerr(m, src, "memory store") : CRMW_OK;
}

/* Run a statement that returns nothing (or whose rows are ignored). */
static int run(crmw_memory *m, sqlite3_stmt *st)
{
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		;
	int rc = src == SQLITE_DONE ? CRMW_OK : crmw__mem_sqlerr(m, src, "memory store");
	sqlite3_reset(st);
	return rc;
}

int crmw__mem_meta_int(crmw_memory *m, const char *key, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT value FROM crmw_mem_meta WHERE key = ?1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int src = sqlite3_step(st);
	*out = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? CRMW_OK : crmw__mem_sqlerr(m, src, "reading the store's metadata");
	sqlite3_finalize(st);
	return rc;
}

static char *meta_text(crmw_memory *m, const char *key)
{
	sqlite3_stmt *st = NULL;
	if (prep(m, &st, "SELECT value FROM crmw_mem_meta WHERE key = ?1"))
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	char *s = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		s = crmw__strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static int meta_set(crmw_memory *m, const char *key, const char *text, const int64_t *num, const double *dbl)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "INSERT INTO crmw_mem_meta(key, value) VALUES (?1, ?2) "
			      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else if (num)
		sqlite3_bind_int64(st, 2, *num);
	else if (dbl)
		sqlite3_bind_double(st, 2, *dbl);
	rc = run(m, st);
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------ the cache */

/* Decode a stored row into the cache. */
static int cache_row(crmw_memory *m, sqlite3_stmt *st)
{
	int64_t id = sqlite3_column_int64(st, 0);
	int kind = crmw__mem_kind((const char *)sqlite3_column_text(st, 1));
	const char *fam = (const char *)sqlite3_column_text(st, 2);
	const void *blob = sqlite3_column_blob(st, 3);
	int bytes = sqlite3_column_bytes(st, 3);
	if (kind < 0 || bytes != m->dim * (int)sizeof(float) || !blob)
		return crmw__errf(&m->h.err, CRMW_ECORRUPT,
				  "memory store %s: entry %lld has a bad kind or an embedding of %d bytes (expected %d)",
				  m->path, (long long)id, bytes, m->dim * (int)sizeof(float));
	const char *scope = (const char *)sqlite3_column_text(st, 4);
	int32_t f = crmw__mx_family(&m->mx, fam, true);
	int32_t sc = crmw__names_id(&m->mx.scopes, scope ? scope : CRMW__MEM_GLOBAL, true);
	if (f == -2 || sc == -2)
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	float v[m->dim];
	memcpy(v, blob, (size_t)bytes);
	if (crmw__mx_put(&m->mx, id, v, (uint8_t)kind, f, sc))
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory loading the memory store");
	return CRMW_OK;
}

static int load_rows(crmw_memory *m, const char *sql, int64_t after)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, sql);
	if (rc)
		return rc;
	if (after >= 0)
		sqlite3_bind_int64(st, 1, after);
	int src;
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW)
		rc = cache_row(m, st);
	if (!rc && src != SQLITE_DONE)
		rc = crmw__mem_sqlerr(m, src, "loading the memory store");
	sqlite3_finalize(st);
	return rc;
}

static int read_version(crmw_memory *m, int64_t *dv)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "PRAGMA data_version");
	if (rc)
		return rc;
	int src = sqlite3_step(st);
	*dv = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = src == SQLITE_ROW ? CRMW_OK : crmw__mem_sqlerr(m, src, "memory store");
	sqlite3_finalize(st);
	return rc;
}

static int full_load(crmw_memory *m, int64_t seq)
{
	crmw__mx_clear(&m->mx);
	m->loaded = false;
	int rc = load_rows(m, "SELECT id, kind, family, embedding, scope FROM crmw_mem_entry ORDER BY id", -1);
	if (!rc) {
		m->loaded = true;
		m->seq = seq;
		crmw__mem_index_recount(m);
	}
	return rc;
}

void crmw__mem_forget(crmw_memory *m, int64_t id)
{
	if (crmw__mx_slot(&m->mx, id) < 0)
		return;
	crmw__mx_remove(&m->mx, id);
	if (m->fidx && id <= m->f_maxid)
		m->f_live--;
}

/* Inside a read (or the write) transaction: bring the cache to the file. */
static int sync_locked(crmw_memory *m)
{
	int64_t seq = 0, floor_ = 0, epoch = 0;
	int rc = crmw__mem_meta_int(m, "seq", &seq);
	if (!rc)
		rc = crmw__mem_meta_int(m, "tomb_floor", &floor_);
	if (!rc)
		rc = crmw__mem_meta_int(m, "vec_epoch", &epoch);
	if (rc)
		return rc;
	m->vec_epoch = epoch;
	if (!m->loaded || m->seq < floor_)
		return full_load(m, seq);
	if (seq == m->seq)
		return CRMW_OK;
	sqlite3_stmt *st = NULL;
	rc = prep(m, &st, "SELECT id FROM crmw_mem_tomb WHERE seq > ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, m->seq);
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		crmw__mem_forget(m, sqlite3_column_int64(st, 0));
	}
	if (src != SQLITE_DONE)
		rc = crmw__mem_sqlerr(m, src, "syncing the memory store");
	sqlite3_finalize(st);
	if (!rc)
		rc = load_rows(m, "SELECT id, kind, family, embedding, scope FROM crmw_mem_entry WHERE seq > ?1", m->seq);
	if (rc) {
		m->loaded = false;
		return rc;
	}
	m->seq = seq;
	return CRMW_OK;
}

int crmw__mem_sync(crmw_memory *m)
{
	if (m->in_txn)
		return m->loaded ? CRMW_OK : sync_locked(m);
	int64_t dv = 0;
	int rc = read_version(m, &dv);
	if (rc)
		return rc;
	if (m->loaded && dv == m->data_version)
		return CRMW_OK;
	rc = exec(m, "BEGIN");
	if (rc)
		return rc;
	rc = sync_locked(m);
	sqlite3_exec(m->sql, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (!rc)
		m->data_version = dv;
	return rc;
}

/* ------------------------------------------------------------ transactions */

int crmw__mem_begin(crmw_memory *m, const char *what, int64_t *seq)
{
	if (m->readonly)
		return crmw__errf(&m->h.err, CRMW_EACCESS, "%s: the memory store %s is open read-only", what, m->path);
	int src = sqlite3_exec(m->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (src)
		return crmw__mem_sqlerr(m, src, what);
	m->in_txn = true;
	int rc = m->loaded ? sync_locked(m) : CRMW_OK;
	if (!rc)
		rc = exec(m, "UPDATE crmw_mem_meta SET value = value + 1 WHERE key = 'seq'");
	if (!rc)
		rc = crmw__mem_meta_int(m, "seq", seq);
	if (rc)
		return crmw__mem_end(m, rc);
	return CRMW_OK;
}

int crmw__mem_end(crmw_memory *m, int rc)
{
	if (!m->in_txn)
		return rc;
	/* Read the sequence and vector epoch inside the transaction: after
	 * COMMIT another handle may already have committed more, and taking its
	 * numbers would mark rows as loaded that this cache never saw.
	 * data_version is left alone: it moves only for other connections'
	 * commits, so the next call still notices them. */
	int64_t seq = 0, epoch = 0;
	if (!rc)
		rc = crmw__mem_meta_int(m, "seq", &seq);
	if (!rc)
		rc = crmw__mem_meta_int(m, "vec_epoch", &epoch);
	if (!rc) {
		int src = sqlite3_exec(m->sql, "COMMIT", NULL, NULL, NULL);
		if (!src) {
			m->in_txn = false;
			if (m->loaded)
				m->seq = seq;
			m->vec_epoch = epoch;
			return CRMW_OK;
		}
		rc = crmw__mem_sqlerr(m, src, "committing to the memory store");
	}
	sqlite3_exec(m->sql, "ROLLBACK", NULL, NULL, NULL);
	m->in_txn = false;
	/* the cache may hold rows that were never committed */
	m->loaded = false;
	crmw__mx_clear(&m->mx);
	return rc;
}

/* ------------------------------------------------------------ open and close */

static const char *const open_keys[] = {
	"create", "readonly", "embedder", "dim", "metric", "capacity", "dedup_threshold", "index",
	"index_min_entries", "ef_search", "nprobe", "quantize", "synchronous", "busy_timeout_ms",
};

static const char schema_sql[] =
	"CREATE TABLE crmw_mem_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE crmw_mem_entry("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL CHECK (kind IN ('guideline','plan','episode','fact')),"
	" title TEXT NOT NULL DEFAULT '',"
	" text TEXT NOT NULL CHECK (length(text) > 0),"
	" query TEXT,"
	" family TEXT,"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" metadata TEXT NOT NULL DEFAULT '{}',"
	" provenance TEXT NOT NULL DEFAULT '[]',"
	" text_hash INTEGER NOT NULL,"
	" embedding BLOB NOT NULL,"
	" n_retrieved INTEGER NOT NULL DEFAULT 0,"
	" n_success INTEGER NOT NULL DEFAULT 0,"
	" n_failure INTEGER NOT NULL DEFAULT 0,"
	" n_helpful INTEGER NOT NULL DEFAULT 0,"
	" n_harmful INTEGER NOT NULL DEFAULT 0,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" scope TEXT NOT NULL DEFAULT 'global');"
	"CREATE INDEX crmw_mem_entry_seq ON crmw_mem_entry(seq);"
	"CREATE INDEX crmw_mem_entry_hash ON crmw_mem_entry(text_hash);"
	"CREATE TABLE crmw_mem_tomb(id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);"
	"CREATE INDEX crmw_mem_tomb_seq ON crmw_mem_tomb(seq);";

static void make_uuid(char out[33])
{
	unsigned char b[16] = {0};
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(b, 1, sizeof b, f) : 0;
	if (f)
		fclose(f);
	if (got != sizeof b) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		uint64_t x = (uint64_t)tv.tv_sec * 1000003u ^ (uint64_t)tv.tv_usec ^ ((uint64_t)getpid() << 32);
		for (int i = 0; i < 16; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			b[i] = (unsigned char)(x >> 56);
		}
	}
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

typedef struct open_opts {
	bool create, readonly;
	const char *embedder, *metric, *index;
	int64_t dim, capacity;
	double dedup;
	bool has_capacity, has_dedup, has_index, has_dim, has_metric, has_embedder;
	bool sync_full;
	int64_t busy;
} open_opts;

static int bad_opt(const char *key, const char *want)
{
	return crmw__errf(NULL, CRMW_EINVALID, "memory options: \"%s\" must be %s", key, want);
}

static int read_open_opts(crmw_memory *m, open_opts *o, const char *options_json)
{
	json_t *opts = NULL;
	int rc = crmw__json_options(&opts, NULL, options_json, "memory options", open_keys, CRMW_ARRAY_LEN(open_keys));
	if (rc)
		return rc;
	*o = (open_opts){.create = true, .embedder = CRMW_EMBEDDER_HASH, .metric = "cosine", .dim = 384,
			 .dedup = 0.97, .sync_full = true, .busy = 5000};
	m->index_min = 20000;
	/* 64: recall@10 about 0.97 at a p50 under 0.31 ms for HNSW32 over 100k
	 * clustered 384-d vectors (docs/benchmarks.md, "Memory") */
	m->ef_search = 64;
	m->nprobe = 16;
	m->quantize = Q_AUTO;
	const char *k;
	json_t *v;
	json_object_foreach(opts, k, v) {
		if (!strcmp(k, "create") || !strcmp(k, "readonly")) {
			if (!json_is_boolean(v))
				rc = bad_opt(k, "true or false");
			else if (k[0] == 'c')
				o->create = json_is_true(v);
			else
				o->readonly = json_is_true(v);
		} else if (!strcmp(k, "embedder")) {
			if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 200)
				rc = bad_opt(k, "a name of 1 to 200 characters");
			else
				o->embedder = json_string_value(v), o->has_embedder = true;
		} else if (!strcmp(k, "dim")) {
			if (!json_is_integer(v) || json_integer_value(v) < 8 || json_integer_value(v) > 8192)
				rc = bad_opt(k, "a whole number from 8 to 8192");
			else
				o->dim = json_integer_value(v), o->has_dim = true;
		} else if (!strcmp(k, "metric")) {
			if (!json_is_string(v) || (strcmp(json_string_value(v), "cosine") && strcmp(json_string_value(v), "ip")))
				rc = bad_opt(k, "\"cosine\" or \"ip\"");
			else
				o->metric = json_string_value(v), o->has_metric = true;
		} else if (!strcmp(k, "capacity")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				rc = bad_opt(k, "a whole number >= 0 (0: unlimited)");
			else
				o->capacity = json_integer_value(v), o->has_capacity = true;
		} else if (!strcmp(k, "dedup_threshold")) {
			if (!json_is_number(v) || !(json_number_value(v) >= -1 && json_number_value(v) <= 2))
				rc = bad_opt(k, "a number from -1 to 2 (above 1: no similarity merging)");
			else
				o->dedup = json_number_value(v), o->has_dedup = true;
		} else if (!strcmp(k, "index")) {
			if (!(json_is_string(v) || json_is_null(v)) || json_string_length(v) > 200)
				rc = bad_opt(k, "a faiss index_factory string (\"Flat\", \"HNSW32\", \"IVF256,Flat\") or null");
			else
				o->index = json_string_value(v), o->has_index = true;
		} else if (!strcmp(k, "index_min_entries")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				rc = bad_opt(k, "a whole number >= 0");
			else
				m->index_min = json_integer_value(v);
		} else if (!strcmp(k, "ef_search") || !strcmp(k, "nprobe")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65536)
				rc = bad_opt(k, "a whole number from 1 to 65536");
			else if (k[0] == 'e')
				m->ef_search = (int32_t)json_integer_value(v);
			else
				m->nprobe = (int32_t)json_integer_value(v);
		} else if (!strcmp(k, "quantize")) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "auto") && strcmp(s, "int8") && strcmp(s, "off")))
				rc = bad_opt(k, "\"auto\", \"int8\" or \"off\"");
			else
				m->quantize = s[0] == 'a' ? Q_AUTO : s[0] == 'i' ? Q_INT8 : Q_OFF;
		} else if (!strcmp(k, "synchronous")) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "full") && strcmp(s, "normal")))
				rc = bad_opt(k, "\"full\" or \"normal\"");
			else
				o->sync_full = s[0] == 'f';
		} else if (!strcmp(k, "busy_timeout_ms")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3600000)
				rc = bad_opt(k, "a whole number of milliseconds from 0 to 3600000");
			else
				o->busy = json_integer_value(v);
		}
		if (rc)
			break;
	}
	if (rc) {
		json_decref(opts);
		return rc;
	}
	/* keep the strings alive: copy them onto the handle before the JSON goes */
	char *emb = crmw__strdup(o->embedder), *met = crmw__strdup(o->metric);
	char *idx = o->index ? crmw__strdup(o->index) : NULL;
	json_decref(opts);
	if (!emb || !met || (o->index && !idx)) {
		free(emb);
		free(met);
		free(idx);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	m->embedder = emb;
	m->factory = idx;
	o->embedder = emb;
	o->index = idx;
	o->metric = met[0] == 'c' ? "cosine" : "ip";
	free(met);
	return CRMW_OK;
}

static int create_layout(crmw_memory *m, const open_opts *o)
{
	char now[48];
	crmw__mem_now(now);
	make_uuid(m->uuid);
	int64_t fmt = MEM_FORMAT, zero = 0;
	int rc = exec(m, schema_sql);
	if (!rc)
		rc = meta_set(m, "format", NULL, &fmt, NULL);
	if (!rc)
		rc = meta_set(m, "embedder", o->embedder, NULL, NULL);
	if (!rc)
		rc = meta_set(m, "dim", NULL, &o->dim, NULL);
	if (!rc)
		rc = meta_set(m, "metric", o->metric, NULL, NULL);
	if (!rc)
		rc = meta_set(m, "capacity", NULL, &o->capacity, NULL);
	if (!rc)
		rc = meta_set(m, "dedup_threshold", NULL, NULL, &o->dedup);
	if (!rc && o->index)
		rc = meta_set(m, "index", o->index, NULL, NULL);
	if (!rc)
		rc = meta_set(m, "uuid", m->uuid, NULL, NULL);
	if (!rc)
		rc = meta_set(m, "created_at", now, NULL, NULL);
	for (int i = 0; !rc && i < 3; i++)
		rc = meta_set(m, (const char *[]){"seq", "vec_epoch", "tomb_floor"}[i], NULL, &zero, NULL);
	return rc;
}

/*
 * A store of format 1 (no scopes).  Read-write: add the column (every entry
 * global) and record format 2, once, under the write lock (another handle
 * may be doing the same).  Read-only: a temporary view named like the table
 * that adds the column as 'global'; temporary objects come first in name
 * resolution, so every statement of this handle reads through it.
 */
static int upgrade_format1(crmw_memory *m)
{
	if (m->readonly)
		return exec(m, "CREATE TEMP VIEW crmw_mem_entry AS SELECT *, 'global' AS scope FROM main.crmw_mem_entry");
	int rc = exec(m, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	int64_t fmt = 0;
	rc = crmw__mem_meta_int(m, "format", &fmt);
	if (!rc && fmt == 1) {
		int64_t two = MEM_FORMAT;
		rc = exec(m, "ALTER TABLE crmw_mem_entry ADD COLUMN scope TEXT NOT NULL DEFAULT 'global'");
		if (!rc)
			rc = meta_set(m, "format", NULL, &two, NULL);
		if (!rc)
			crmw__log(&m->h.log, CRMW_LOG_INFO,
				  "memory store %s: upgraded to format %d (entries carry a scope; existing ones are global)",
				  m->path, MEM_FORMAT);
	}
	int src = sqlite3_exec(m->sql, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (!rc && src) {
		rc = crmw__mem_sqlerr(m, src, "upgrading the memory store");
		sqlite3_exec(m->sql, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

/* Read what the store recorded and check the options against it. */
static int read_layout(crmw_memory *m, const open_opts *o)
{
	int64_t fmt = 0, dim = 0, cap = 0;
	int rc = crmw__mem_meta_int(m, "format", &fmt);
	if (rc)
		return rc;
	if (fmt == 1)
		rc = upgrade_format1(m);
	else if (fmt != MEM_FORMAT)
		return crmw__errf(&m->h.err, CRMW_ECORRUPT, "memory store %s has format %lld; this library reads formats 1 "
				  "and %d", m->path, (long long)fmt, MEM_FORMAT);
	if (rc)
		return rc;
	char *emb = meta_text(m, "embedder"), *met = meta_text(m, "metric"), *uuid = meta_text(m, "uuid");
	if (!crmw__mem_meta_int(m, "dim", &dim) && !crmw__mem_meta_int(m, "capacity", &cap) && emb && met && uuid &&
	    dim >= 8 && dim <= 8192 && strlen(uuid) == 32) {
		if (o->has_embedder && strcmp(o->embedder, emb))
			rc = crmw__errf(&m->h.err, CRMW_EINVALID,
					"memory store %s was built with embedder \"%s\", not \"%s\": embedders never mix",
					m->path, emb, o->embedder);
		else if (o->has_dim && o->dim != dim)
			rc = crmw__errf(&m->h.err, CRMW_EINVALID,
					"memory store %s holds %lld-dimensional embeddings, not %lld", m->path,
					(long long)dim, (long long)o->dim);
		else if (o->has_metric && strcmp(o->metric, met))
			rc = crmw__errf(&m->h.err, CRMW_EINVALID, "memory store %s uses the metric \"%s\", not \"%s\"",
					m->path, met, o->metric);
	} else {
		rc = crmw__errf(&m->h.err, CRMW_ECORRUPT, "memory store %s: its metadata is damaged", m->path);
	}
	if (!rc) {
		free(m->embedder);
		m->embedder = emb;
		emb = NULL;
		m->dim = (int32_t)dim;
		m->cosine = !strcmp(met, "cosine");
		m->capacity = cap;
		memcpy(m->uuid, uuid, 33);
		sqlite3_stmt *st = NULL;
		if (!prep(m, &st, "SELECT value FROM crmw_mem_meta WHERE key = 'dedup_threshold'")) {
			if (sqlite3_step(st) == SQLITE_ROW)
				m->dedup = sqlite3_column_double(st, 0);
			sqlite3_finalize(st);
		}
		if (!o->has_index) {
			free(m->factory);
			m->factory = meta_text(m, "index");
		}
	}
	free(emb);
	free(met);
	free(uuid);
	return rc;
}

/* Options that a later open may change are recorded when given. */
static int record_changes(crmw_memory *m, const open_opts *o)
{
	if (m->readonly || (!o->has_capacity && !o->has_dedup && !o->has_index))
		return CRMW_OK;
	int rc = exec(m, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	if (o->has_capacity) {
		m->capacity = o->capacity;
		rc = meta_set(m, "capacity", NULL, &o->capacity, NULL);
	}
	if (!rc && o->has_dedup) {
		m->dedup = o->dedup;
		rc = meta_set(m, "dedup_threshold", NULL, NULL, &o->dedup);
	}
	if (!rc && o->has_index) {
		if (o->index)
			rc = meta_set(m, "index", o->index, NULL, NULL);
		else
			rc = exec(m, "DELETE FROM crmw_mem_meta WHERE key = 'index'");
	}
	sqlite3_exec(m->sql, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

static int open_sqlite(crmw_memory *m, const open_opts *o, bool *fresh)
{
	struct stat sb;
	bool exists = stat(m->path, &sb) == 0;
	if (!exists && (!o->create || o->readonly))
		return crmw__errf(&m->h.err, CRMW_ENOTFOUND, "memory store %s does not exist", m->path);
	if (exists && S_ISDIR(sb.st_mode))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "memory store %s is a directory", m->path);
	/* SQLite would quietly open a file it cannot write read-only, and fail
	 * later with "unable to open database file" */
	if (exists && !o->readonly && access(m->path, W_OK) != 0)
		return crmw__errf(&m->h.err, CRMW_EACCESS, "memory store %s: cannot open for writing: %s", m->path,
				  strerror(errno));
	int src = o->readonly ? crmw__sqlite_open_read(&m->sql, m->path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX)
			      : sqlite3_open_v2(m->path, &m->sql,
						SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src)
		return crmw__errf(&m->h.err, src == SQLITE_CANTOPEN ? CRMW_EIO : CRMW_ECORRUPT,
				  "cannot open memory store %s: %s", m->path,
				  m->sql ? sqlite3_errmsg(m->sql) : sqlite3_errstr(src));
	sqlite3_busy_timeout(m->sql, (int)o->busy);
	int rc = CRMW_OK;
	if (!o->readonly) {
		/* journal_mode returns a row; a damaged file fails here first */
		src = sqlite3_exec(m->sql, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		int sys = src ? sqlite3_system_errno(m->sql) : 0; /* a full disk, say */
		if (src)
			return crmw__errf(&m->h.err, (src & 0xff) == SQLITE_NOTADB || (src & 0xff) == SQLITE_CORRUPT
							   ? CRMW_ECORRUPT : CRMW_EIO,
					  "memory store %s: %s%s%s%s", m->path, sqlite3_errmsg(m->sql), sys ? " (" : "",
					  sys ? strerror(sys) : "", sys ? ")" : "");
		rc = exec(m, o->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
	}
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	src = sqlite3_prepare_v2(m->sql, "SELECT count(*) FROM sqlite_master WHERE name = 'crmw_mem_meta'", -1, &st,
				 NULL);
	int64_t has = 0;
	if (!src && (src = sqlite3_step(st)) == SQLITE_ROW)
		has = sqlite3_column_int64(st, 0), src = SQLITE_OK;
	sqlite3_finalize(st);
	if (src)
		return crmw__errf(&m->h.err, (src & 0xff) == SQLITE_NOTADB || (src & 0xff) == SQLITE_CORRUPT
						   ? CRMW_ECORRUPT : CRMW_EIO,
				  "memory store %s: %s", m->path, sqlite3_errmsg(m->sql));
	if (!has) {
		/* an empty new file becomes a store; anything else is not ours */
		src = sqlite3_prepare_v2(m->sql, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
		int64_t objects = 0;
		if (!src && sqlite3_step(st) == SQLITE_ROW)
			objects = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (objects)
			return crmw__errf(&m->h.err, CRMW_EINVALID, "%s is a SQLite database but not a memory store",
					  m->path);
		if (o->readonly || !o->create)
			return crmw__errf(&m->h.err, CRMW_ENOTFOUND, "memory store %s is empty", m->path);
		*fresh = true;
	}
	return CRMW_OK;
}

int crmw_memory_open(crmw_memory **out, const char *path, const char *options_json)
{
	if (!out)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_memory_open: out is NULL");
	*out = NULL;
	if (!path || !*path)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_memory_open: no path");
	crmw_memory *m = calloc(1, sizeof *m);
	if (!m || !(m->path = crmw__strdup(path))) {
		free(m);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&m->lock, NULL);
	open_opts o;
	int rc = read_open_opts(m, &o, options_json);
	bool fresh = false;
	if (!rc) {
		m->readonly = o.readonly;
		rc = open_sqlite(m, &o, &fresh);
	}
#if CRMW_HAVE_FAISS
	/* a bad index description is refused before anything records it */
	if (!rc && o.index) {
		int64_t dim = o.dim;
		if (!fresh && !o.has_dim && crmw__mem_meta_int(m, "dim", &dim))
			dim = o.dim;
		rc = crmw__fidx_check(&m->h.err, o.index, (int32_t)dim);
	}
#endif
	if (!rc && fresh) {
		rc = exec(m, "BEGIN IMMEDIATE");
		if (!rc) {
			/* another process may have created it meanwhile */
			int64_t has = 0;
			sqlite3_stmt *st = NULL;
			rc = prep(m, &st, "SELECT count(*) FROM sqlite_master WHERE name = 'crmw_mem_meta'");
			if (!rc && sqlite3_step(st) == SQLITE_ROW)
				has = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
			if (!rc && !has)
				rc = create_layout(m, &o);
			sqlite3_exec(m->sql, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
		}
	}
	if (!rc)
		rc = read_layout(m, &o);
	if (!rc)
		rc = record_changes(m, &o);
	if (rc) {
		/* keep the message: the handle dies here */
		char msg[512];
		snprintf(msg, sizeof msg, "%s", m->h.err.msg ? m->h.err.msg : crmw_last_error());
		crmw_memory_free(m);
		return crmw__errf(NULL, rc, "%s", msg);
	}
	crmw__mx_init(&m->mx, m->dim);
	*out = m;
	return CRMW_OK;
}

void crmw_memory_free(crmw_memory *m)
{
	if (!m)
		return;
	if (m->in_txn)
		crmw__mem_end(m, CRMW_ECANCELED);
	crmw__mem_index_save(m);
#if CRMW_HAVE_FAISS
	crmw__fidx_free(m->fidx);
#endif
	if (m->efree)
		m->efree(m->eud);
	crmw__mx_dispose(&m->mx);
	sqlite3_close_v2(m->sql);
	pthread_mutex_destroy(&m->lock);
	crmw__handle_dispose(&m->h);
	free(m->scratch);
	free(m->mask);
	free(m->embedder);
	free(m->factory);
	free(m->path);
	free(m);
}

const char *crmw_memory_errmsg(const crmw_memory *m)
{
	return m ? crmw__err_msg(&m->h.err) : "";
}

void crmw_memory_set_logger(crmw_memory *m, crmw_log_fn fn, int32_t level, void *userdata, crmw_free_fn userdata_free)
{
	if (m)
		crmw__logger_set(&m->h.log, fn, level, userdata, userdata_free);
}

int32_t crmw_memory_dim(const crmw_memory *m)
{
	return m ? m->dim : 0;
}

int crmw_memory_set_embedder(crmw_memory *m, const char *name, int32_t dim, crmw_embed_fn fn, void *userdata,
			     crmw_free_fn userdata_free)
{
	int rc = CRMW_OK;
	if (!m || !name || !fn)
		rc = crmw__errf(m ? &m->h.err : NULL, CRMW_EINVALID, "crmw_memory_set_embedder: NULL argument");
	else if (strcmp(name, m->embedder))
		rc = crmw__errf(&m->h.err, CRMW_EINVALID,
				"memory store %s was built with embedder \"%s\", not \"%s\": embedders never mix", m->path,
				m->embedder, name);
	else if (dim != m->dim)
		rc = crmw__errf(&m->h.err, CRMW_EINVALID, "memory store %s holds %d-dimensional embeddings, not %d",
				m->path, (int)m->dim, (int)dim);
	if (rc) {
		if (userdata_free)
			userdata_free(userdata);
		return rc;
	}
	pthread_mutex_lock(&m->lock);
	if (m->efree)
		m->efree(m->eud);
	m->efn = fn;
	m->eud = userdata;
	m->efree = userdata_free;
	pthread_mutex_unlock(&m->lock);
	return CRMW_OK;
}

/* ------------------------------------------------------------ vectors */

int crmw__mem_check_vec(crmw_memory *m, float *out, const float *vec, int32_t dim)
{
	if (dim != m->dim)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the vector has %d dimensions; the store holds %d",
				  (int)dim, (int)m->dim);
	double n2 = 0;
	for (int32_t i = 0; i < dim; i++) {
		if (!isfinite(vec[i]))
			return crmw__errf(&m->h.err, CRMW_EINVALID, "the vector holds %s at position %d",
					  isnan(vec[i]) ? "NaN" : "an infinite value", (int)i);
		n2 += (double)vec[i] * vec[i];
	}
	if (!(n2 > 0))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the vector is all zeros");
	if (!isfinite(n2))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the vector's norm overflows");
	double inv = m->cosine ? 1.0 / sqrt(n2) : 1.0;
	for (int32_t i = 0; i < dim; i++)
		out[i] = (float)(vec[i] * inv);
	return CRMW_OK;
}

int crmw__mem_embed_text(crmw_memory *m, float *out, const char *text, size_t len)
{
	if (!text || !len)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "nothing to embed: the text is empty");
	float v[m->dim];
	int rc;
	if (m->efn) {
		memset(v, 0, sizeof v);
		if (m->efn(v, m->dim, text, len, m->eud))
			return crmw__errf(&m->h.err, CRMW_EUSER, "the embedder \"%s\" failed", m->embedder);
	} else if (!strcmp(m->embedder, CRMW_EMBEDDER_HASH)) {
		rc = crmw_embed_hash(v, m->dim, text, len);
		if (rc)
			return crmw__errf(&m->h.err, rc, "%s", crmw_last_error());
	} else {
		return crmw__errf(&m->h.err, CRMW_ESTATE,
				  "memory store %s uses the embedder \"%s\": set it with crmw_memory_set_embedder "
				  "(or pass vectors)",
				  m->path, m->embedder);
	}
	rc = crmw__mem_check_vec(m, out, v, m->dim);
	if (rc && m->efn)
		return crmw__errf(&m->h.err, CRMW_EUSER, "the embedder \"%s\" returned a bad vector: %s", m->embedder,
				  crmw__err_msg(&m->h.err));
	return rc;
}

int crmw_memory_embed(float *out, int32_t dim, crmw_memory *m, const char *text, size_t len)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out || !text);
	if (dim != m->dim)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the output has %d dimensions; the store holds %d", (int)dim,
				  (int)m->dim);
	pthread_mutex_lock(&m->lock);
	int rc = crmw__mem_embed_text(m, out, text, len);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* ------------------------------------------------------------ entry JSON */

int crmw__mem_entry_json(crmw_buf *b, sqlite3_stmt *st)
{
	int rc = crmw__buf_printf(b, "\"id\":%lld,\"kind\":", (long long)sqlite3_column_int64(st, 0));
	static const char *const names[] = {"kind", "title", "text", "query", "family"};
	for (int i = 1; !rc && i <= 5; i++) {
		if (i > 1)
			rc = crmw__buf_printf(b, ",\"%s\":", names[i - 1]);
		if (rc)
			break;
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			rc = crmw__buf_puts(b, "null");
		else
			rc = crmw__buf_json_str(b, (const char *)sqlite3_column_text(st, i),
						(size_t)sqlite3_column_bytes(st, i));
	}
	if (!rc)
		rc = crmw__buf_puts(b, ",\"scope\":");
	if (!rc)
		rc = sqlite3_column_type(st, 16) == SQLITE_NULL
			     ? crmw__buf_puts(b, "\"" CRMW__MEM_GLOBAL "\"")
			     : crmw__buf_json_str(b, (const char *)sqlite3_column_text(st, 16),
						  (size_t)sqlite3_column_bytes(st, 16));
	static const char *const raw[] = {"tags", "metadata", "provenance"};
	for (int i = 0; !rc && i < 3; i++)
		rc = crmw__buf_printf(b, ",\"%s\":%s", raw[i], (const char *)sqlite3_column_text(st, 6 + i));
	int64_t c[5];
	for (int i = 0; i < 5; i++)
		c[i] = sqlite3_column_int64(st, 9 + i);
	if (!rc)
		rc = crmw__buf_printf(b,
				      ",\"counters\":{\"retrieved\":%lld,\"success\":%lld,\"failure\":%lld,\"helpful\":%lld,"
				      "\"harmful\":%lld},\"utility\":%lld,\"created_at\":\"%s\",\"updated_at\":\"%s\"",
				      (long long)c[0], (long long)c[1], (long long)c[2], (long long)c[3], (long long)c[4],
				      (long long)(c[1] + c[3] - c[2] - c[4]), (const char *)sqlite3_column_text(st, 14),
				      (const char *)sqlite3_column_text(st, 15));
	return rc;
}

int crmw_memory_get(crmw_buf *out, crmw_memory *m, int64_t id)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out);
	pthread_mutex_lock(&m->lock);
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT " MEM_ENTRY_COLS " FROM crmw_mem_entry WHERE id = ?1");
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW) {
			crmw__buf_clear(out);
			rc = crmw__buf_putc(out, '{');
			if (!rc)
				rc = crmw__mem_entry_json(out, st);
			if (!rc)
				rc = crmw__buf_putc(out, '}');
			if (rc)
				rc = crmw__errf(&m->h.err, rc, "out of memory");
		} else if (src == SQLITE_DONE) {
			rc = crmw__errf(&m->h.err, CRMW_ENOTFOUND, "no memory entry %lld", (long long)id);
		} else {
			rc = crmw__mem_sqlerr(m, src, "reading a memory entry");
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_get_vector(float *out, int32_t dim, crmw_memory *m, int64_t id)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out);
	if (dim != m->dim)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the output has %d dimensions; the store holds %d", (int)dim,
				  (int)m->dim);
	pthread_mutex_lock(&m->lock);
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT embedding FROM crmw_mem_entry WHERE id = ?1");
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW && sqlite3_column_bytes(st, 0) == dim * (int)sizeof(float))
			memcpy(out, sqlite3_column_blob(st, 0), (size_t)dim * sizeof(float));
		else if (src == SQLITE_ROW)
			rc = crmw__errf(&m->h.err, CRMW_ECORRUPT, "memory entry %lld has a damaged embedding", (long long)id);
		else if (src == SQLITE_DONE)
			rc = crmw__errf(&m->h.err, CRMW_ENOTFOUND, "no memory entry %lld", (long long)id);
		else
			rc = crmw__mem_sqlerr(m, src, "reading a memory entry");
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_count(int64_t *n, crmw_memory *m)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !n);
	pthread_mutex_lock(&m->lock);
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT count(*) FROM crmw_mem_entry");
	if (!rc) {
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW)
			*n = sqlite3_column_int64(st, 0);
		else
			rc = crmw__mem_sqlerr(m, src, "counting memory entries");
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* ------------------------------------------------------------ writes */

/* Lower-case ASCII, whitespace runs to one space, trimmed. */
static char *normalise_text(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(n + 1);
	if (!o)
		return NULL;
	size_t j = 0;
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = j > 0;
			continue;
		}
		if (space)
			o[j++] = ' ';
		space = false;
		o[j++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	o[j] = 0;
	return o;
}

static int64_t text_hash(const char *norm)
{
	return (int64_t)(crmw__fnv1a(CRMW_FNV_OFFSET, norm, strlen(norm)) >> 1);
}

static const char *const entry_keys[] = {
	"text", "kind", "title", "query", "family", "tags", "metadata", "provenance", "scope", "counters",
	/* as written by crmw_memory_get and crmw_memory_export */
	"id", "utility", "created_at", "updated_at", "embedding", "embedder", "score",
};

static bool all_strings(const json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (!json_is_string(v)) return false;
	return true;
}

/* Check an entry document; `patch` allows a partial one. */
static int check_entry(crmw_memory *m, json_t *e, bool patch)
{
	if (!json_is_object(e))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "a memory entry must be a JSON object");
	/* a patch may hold only the first nine (the entry's own fields) */
	int rc = crmw__json_check_keys(&m->h.err, e, "memory entry", "field", entry_keys,
				       patch ? 9 : CRMW_ARRAY_LEN(entry_keys));
	if (rc)
		return rc;
	const char *k;
	json_t *v;
	json_object_foreach(e, k, v) {
		const char *want = NULL;
		if (!strcmp(k, "text"))
			want = json_is_string(v) && json_string_length(v) && strspn(json_string_value(v), " \t\r\n") <
									 json_string_length(v)
				       ? NULL : "a non-empty string";
		else if (!strcmp(k, "kind"))
			want = crmw__mem_kind(json_string_value(v)) >= 0 ? NULL
									   : "\"guideline\", \"plan\", \"episode\" or \"fact\"";
		else if (!strcmp(k, "title"))
			want = json_is_string(v) ? NULL : "a string";
		else if (!strcmp(k, "query") || !strcmp(k, "family"))
			want = json_is_string(v) || json_is_null(v) ? NULL : "a string or null";
		else if (!strcmp(k, "tags") || !strcmp(k, "provenance"))
			want = json_is_array(v) && all_strings(v) ? NULL : "an array of strings";
		else if (!strcmp(k, "metadata"))
			want = json_is_object(v) ? NULL : "an object";
		else if (!strcmp(k, "scope"))
			want = crmw__mem_scope_name(v) ? NULL
						      : "a string of at most 256 bytes without control characters "
							"(\"\" or \"global\": the global scope)";
		else if (!strcmp(k, "counters")) {
			const char *ck;
			json_t *cv;
			json_object_foreach(v, ck, cv) {
				int j = 0;
				while (j < 5 && strcmp(ck, counter_names[j]))
					j++;
				if (j == 5 || !json_is_integer(cv) || json_integer_value(cv) < 0)
					want = "an object of non-negative counts: retrieved, success, failure, helpful, "
					       "harmful";
			}
			if (!json_is_object(v))
				want = "an object";
		} else if (!strcmp(k, "id"))
			want = json_is_integer(v) && json_integer_value(v) > 0 ? NULL : "a positive whole number";
		else if (!strcmp(k, "embedding"))
			want = json_is_array(v) ? NULL : "an array of numbers";
		else if (!strcmp(k, "embedder") || !strcmp(k, "created_at") || !strcmp(k, "updated_at"))
			want = json_is_string(v) ? NULL : "a string";
		if (want)
			return crmw__errf(&m->h.err, CRMW_EINVALID, "memory entry: \"%s\" must be %s", k, want);
	}
	if (!patch && !json_object_get(e, "text"))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "memory entry: \"text\" is required");
	return CRMW_OK;
}

static const char *jstr(json_t *e, const char *k)
{
	return json_string_value(json_object_get(e, k));
}

const char *crmw__mem_scope_name(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (!s || n > 256)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return n ? s : CRMW__MEM_GLOBAL;
}

/* The entry's scope (checked by check_entry): global when it has none. */
static const char *entry_scope(json_t *e)
{
	json_t *v = json_object_get(e, "scope");
	return v ? crmw__mem_scope_name(v) : CRMW__MEM_GLOBAL;
}

/* The text that is embedded: the query when there is one, else title and text. */
static int embed_entry(crmw_memory *m, float *v, json_t *e)
{
	const char *q = jstr(e, "query");
	if (q && *q)
		return crmw__mem_embed_text(m, v, q, strlen(q));
	const char *title = jstr(e, "title"), *text = jstr(e, "text");
	if (!title || !*title)
		return crmw__mem_embed_text(m, v, text, strlen(text));
	size_t a = strlen(title), b = strlen(text);
	char *s = malloc(a + b + 2);
	if (!s)
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	memcpy(s, title, a);
	s[a] = '\n';
	memcpy(s + a + 1, text, b + 1);
	int rc = crmw__mem_embed_text(m, v, s, a + b + 1);
	free(s);
	return rc;
}

/* The union of two JSON string arrays (order kept, no repeats) as text. */
static char *join_arrays(const char *old_text, json_t *add)
{
	json_t *old = NULL;
	if (crmw__json_parse(old_text, strlen(old_text), &old, NULL) || !json_is_array(old)) {
		json_decref(old);
		old = json_array();
	}
	size_t i, j;
	json_t *v, *w;
	json_array_foreach(add, i, v) {
		bool seen = false;
		json_array_foreach(old, j, w) if (json_equal(v, w)) seen = true;
		if (!seen)
			json_array_append(old, v);
	}
	char *s = json_dumps(old, JSON_COMPACT);
	json_decref(old);
	return s;
}

/* Write the cache row of an entry (inside the write transaction). */
static int cache_put(crmw_memory *m, int64_t id, const float *v, int kind, const char *family, const char *scope)
{
	if (!m->loaded)
		return CRMW_OK;
	int32_t f = crmw__mx_family(&m->mx, family, true);
	int32_t sc = crmw__names_id(&m->mx.scopes, scope, true);
	if (f == -2 || sc == -2 || crmw__mx_put(&m->mx, id, v, (uint8_t)kind, f, sc))
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	return CRMW_OK;
}

/* Merge `e` into entry `into`: provenance and tags joined, counters added,
 * metadata keys it lacked added; the row's store sequence becomes `seq`
 * (a reader that caches entries by their sequence sees the change). */
static int merge_into(crmw_memory *m, int64_t into, json_t *e, int64_t seq)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT tags, provenance, metadata FROM crmw_mem_entry WHERE id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, into);
	char *tags = NULL, *prov = NULL, *meta = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_t *empty = json_array();
		json_t *t = json_object_get(e, "tags"), *p = json_object_get(e, "provenance");
		tags = join_arrays((const char *)sqlite3_column_text(st, 0), t ? t : empty);
		prov = join_arrays((const char *)sqlite3_column_text(st, 1), p ? p : empty);
		json_decref(empty);
		json_t *old = NULL;
		const char *mt = (const char *)sqlite3_column_text(st, 2);
		if (!crmw__json_parse(mt, strlen(mt), &old, NULL) && json_is_object(old)) {
			json_t *add = json_object_get(e, "metadata");
			const char *k;
			json_t *v;
			json_object_foreach(add, k, v) if (!json_object_get(old, k)) json_object_set(old, k, v);
			meta = json_dumps(old, JSON_COMPACT | JSON_SORT_KEYS);
		}
		json_decref(old);
	}
	sqlite3_finalize(st);
	if (!tags || !prov || !meta) {
		free(tags);
		free(prov);
		free(meta);
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "merging memory entry %lld", (long long)into);
	}
	char now[48];
	crmw__mem_now(now);
	rc = prep(m, &st, "UPDATE crmw_mem_entry SET tags = ?1, provenance = ?2, metadata = ?3, updated_at = ?4, "
			  "n_retrieved = n_retrieved + ?5, n_success = n_success + ?6, n_failure = n_failure + ?7, "
			  "n_helpful = n_helpful + ?8, n_harmful = n_harmful + ?9, seq = ?11 WHERE id = ?10");
	if (!rc) {
		sqlite3_bind_text(st, 1, tags, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, prov, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, meta, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
		json_t *c = json_object_get(e, "counters");
		for (int i = 0; i < 5; i++)
			sqlite3_bind_int64(st, 5 + i, json_integer_value(json_object_get(c, counter_names[i])));
		sqlite3_bind_int64(st, 10, into);
		sqlite3_bind_int64(st, 11, seq);
		rc = run(m, st);
		sqlite3_finalize(st);
	}
	free(tags);
	free(prov);
	free(meta);
	return rc;
}

/* Delete one row (inside the write transaction): tombstone and cache. */
static int delete_row(crmw_memory *m, int64_t id, int64_t seq, bool *found)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "DELETE FROM crmw_mem_entry WHERE id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = run(m, st);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	*found = sqlite3_changes(m->sql) > 0;
	if (!*found)
		return CRMW_OK;
	rc = prep(m, &st, "INSERT OR REPLACE INTO crmw_mem_tomb(id, seq) VALUES (?1, ?2)");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, seq);
	rc = run(m, st);
	sqlite3_finalize(st);
	if (!rc && m->loaded)
		crmw__mem_forget(m, id);
	return rc;
}

/* Keep the tombstones bounded: forget the oldest beyond 10,000 (handles
 * that are further behind reload everything). */
static int prune_tombs(crmw_memory *m)
{
	int64_t n = 0;
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT count(*) FROM crmw_mem_tomb");
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n <= 10000)
		return CRMW_OK;
	rc = exec(m, "INSERT OR REPLACE INTO crmw_mem_meta(key, value) SELECT 'tomb_floor', seq FROM crmw_mem_tomb "
		     "ORDER BY seq DESC LIMIT 1 OFFSET 5000;"
		     "DELETE FROM crmw_mem_tomb WHERE seq <= (SELECT value FROM crmw_mem_meta WHERE key = 'tomb_floor')");
	return rc;
}

static int evict(crmw_memory *m, int64_t keep, int64_t seq)
{
	if (m->capacity <= 0)
		return CRMW_OK;
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT count(*) FROM crmw_mem_entry");
	if (rc)
		return rc;
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (n <= m->capacity)
		return CRMW_OK;
	rc = prep(m, &st, "SELECT id FROM crmw_mem_entry WHERE id <> ?1 ORDER BY "
			  "n_success + n_helpful - n_failure - n_harmful, n_retrieved, updated_at, id LIMIT ?2");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, keep);
	sqlite3_bind_int64(st, 2, n - m->capacity);
	int64_t *ids = malloc((size_t)(n - m->capacity) * sizeof *ids);
	int64_t got = 0;
	if (!ids) {
		sqlite3_finalize(st);
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	}
	while (got < n - m->capacity && sqlite3_step(st) == SQLITE_ROW)
		ids[got++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	for (int64_t i = 0; !rc && i < got; i++) {
		bool found;
		rc = delete_row(m, ids[i], seq, &found);
	}
	if (got && crmw__log_enabled(&m->h.log, CRMW_LOG_INFO))
		crmw__log(&m->h.log, CRMW_LOG_INFO, "memory store %s: evicted %lld entries (capacity %lld)", m->path,
			  (long long)got, (long long)m->capacity);
	free(ids);
	return rc ? rc : prune_tombs(m);
}

/* The entry (of the same kind, family and scope) that `e` duplicates, or 0.
 * Never one of another scope: a merge would join this entry's provenance to
 * it and hand its id back. */
static int find_duplicate(crmw_memory *m, int64_t *dup, json_t *e, int kind, const char *norm, int64_t hash,
			  const float *v)
{
	*dup = 0;
	const char *family = jstr(e, "family"), *scope = entry_scope(e);
	sqlite3_stmt *st = NULL;
	int rc = prep(m, &st, "SELECT id, text FROM crmw_mem_entry WHERE text_hash = ?1 AND kind = ?2 AND "
			      "family IS ?3 AND scope = ?4 ORDER BY id");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, hash);
	sqlite3_bind_text(st, 2, crmw__mem_kinds[kind], -1, SQLITE_STATIC);
	if (family)
		sqlite3_bind_text(st, 3, family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, scope, -1, SQLITE_STATIC);
	while (!*dup && sqlite3_step(st) == SQLITE_ROW) {
		char *other = normalise_text((const char *)sqlite3_column_text(st, 1));
		if (other && !strcmp(other, norm))
			*dup = sqlite3_column_int64(st, 0);
		free(other);
	}
	sqlite3_finalize(st);
	if (*dup || m->dedup > 1.0)
		return CRMW_OK;
	rc = crmw__mem_sync(m);
	if (rc || !m->mx.n)
		return rc;
	/* the nearest neighbour among the same kind, family and scope */
	int32_t f = crmw__mx_family(&m->mx, family, false);
	int32_t sc = crmw__names_id(&m->mx.scopes, scope, false);
	if ((family && f < 0) || sc < 0)
		return CRMW_OK; /* no entry of that family or scope yet */
	if (!m->mask || m->mask_cap < (size_t)m->mx.n) {
		uint8_t *p = realloc(m->mask, (size_t)m->mx.n);
		if (!p)
			return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		m->mask = p;
		m->mask_cap = (size_t)m->mx.n;
	}
	for (int64_t r = 0; r < m->mx.n; r++)
		m->mask[r] = m->mx.kind[r] == kind && m->mx.family[r] == f && m->mx.scope[r] == sc;
	float s;
	int64_t id;
	mem_topk t = {.k = 1, .score = &s, .id = &id};
	crmw__scan_exact(&t, &m->mx, v, m->mask, (float)m->dedup, false, NULL);
	if (t.n)
		*dup = id;
	return CRMW_OK;
}

static int64_t counter(json_t *e, int i)
{
	return json_integer_value(json_object_get(json_object_get(e, "counters"), counter_names[i]));
}

/* Vector of an import line or an add: given, from "embedding", or embedded. */
static int entry_vector(crmw_memory *m, float *v, json_t *e, const float *vec)
{
	if (vec)
		return crmw__mem_check_vec(m, v, vec, m->dim);
	json_t *emb = json_object_get(e, "embedding");
	if (!emb)
		return embed_entry(m, v, e);
	const char *by = jstr(e, "embedder");
	if (by && strcmp(by, m->embedder))
		return crmw__errf(&m->h.err, CRMW_EINVALID,
				  "the embedding comes from embedder \"%s\"; the store uses \"%s\": embedders never mix", by,
				  m->embedder);
	if ((int64_t)json_array_size(emb) != m->dim)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the embedding has %zu dimensions; the store holds %d",
				  json_array_size(emb), (int)m->dim);
	float raw[m->dim];
	for (int32_t i = 0; i < m->dim; i++) {
		json_t *x = json_array_get(emb, (size_t)i);
		if (!json_is_number(x))
			return crmw__errf(&m->h.err, CRMW_EINVALID, "the embedding holds a non-number at position %d",
					  (int)i);
		raw[i] = (float)json_number_value(x);
	}
	return crmw__mem_check_vec(m, v, raw, m->dim);
}

int crmw__mem_insert(int64_t *id, int32_t *merged, crmw_memory *m, json_t *e, const float *vec, bool dedup,
		     bool keep_id, int64_t seq)
{
	*id = 0;
	*merged = 0;
	int rc = check_entry(m, e, false);
	if (rc)
		return rc;
	float v[m->dim];
	rc = entry_vector(m, v, e, vec);
	if (rc)
		return rc;
	const char *ks = jstr(e, "kind");
	int kind = ks ? crmw__mem_kind(ks) : 0;
	const char *text = jstr(e, "text");
	char *norm = normalise_text(text);
	if (!norm)
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	int64_t hash = text_hash(norm);
	int64_t dup = 0;
	json_t *want_id = keep_id ? json_object_get(e, "id") : NULL;
	if (want_id) {
		sqlite3_stmt *ex = NULL;
		rc = prep(m, &ex, "SELECT 1 FROM crmw_mem_entry WHERE id = ?1");
		if (!rc) {
			sqlite3_bind_int64(ex, 1, json_integer_value(want_id));
			if (sqlite3_step(ex) == SQLITE_ROW)
				rc = crmw__errf(&m->h.err, CRMW_EEXISTS, "memory entry %lld already exists",
						(long long)json_integer_value(want_id));
			sqlite3_finalize(ex);
		}
	}
	if (!rc && dedup)
		rc = find_duplicate(m, &dup, e, kind, norm, hash, v);
	free(norm);
	if (rc)
		return rc;
	if (dup) {
		rc = merge_into(m, dup, e, seq);
		if (!rc) {
			*id = dup;
			*merged = 1;
		}
		return rc;
	}
	char *tags = NULL, *meta = NULL, *prov = NULL;
	json_t *t = json_object_get(e, "tags"), *md = json_object_get(e, "metadata"),
	       *pv = json_object_get(e, "provenance");
	tags = t ? json_dumps(t, JSON_COMPACT) : crmw__strdup("[]");
	meta = md ? json_dumps(md, JSON_COMPACT | JSON_SORT_KEYS) : crmw__strdup("{}");
	prov = pv ? json_dumps(pv, JSON_COMPACT) : crmw__strdup("[]");
	sqlite3_stmt *st = NULL;
	if (!tags || !meta || !prov)
		rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	if (!rc)
		rc = prep(m, &st, "INSERT INTO crmw_mem_entry(id, kind, title, text, query, family, tags, metadata, "
				  "provenance, text_hash, embedding, n_retrieved, n_success, n_failure, n_helpful, "
				  "n_harmful, created_at, updated_at, seq, scope) VALUES "
				  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
	if (!rc) {
		char now[48];
		crmw__mem_now(now);
		json_t *jid = keep_id ? json_object_get(e, "id") : NULL;
		if (jid)
			sqlite3_bind_int64(st, 1, json_integer_value(jid));
		sqlite3_bind_text(st, 2, crmw__mem_kinds[kind], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, jstr(e, "title") ? jstr(e, "title") : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
		if (jstr(e, "query"))
			sqlite3_bind_text(st, 5, jstr(e, "query"), -1, SQLITE_STATIC);
		if (jstr(e, "family"))
			sqlite3_bind_text(st, 6, jstr(e, "family"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, tags, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, meta, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, prov, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, hash);
		sqlite3_bind_blob(st, 11, v, (int)(m->dim * sizeof(float)), SQLITE_STATIC);
		for (int i = 0; i < 5; i++)
			sqlite3_bind_int64(st, 12 + i, counter(e, i));
		const char *ca = jstr(e, "created_at") ? jstr(e, "created_at") : now;
		const char *ua = jstr(e, "updated_at") ? jstr(e, "updated_at") : now;
		sqlite3_bind_text(st, 17, ca, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 18, ua, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 19, seq);
		sqlite3_bind_text(st, 20, entry_scope(e), -1, SQLITE_STATIC);
		int src = sqlite3_step(st);
		if (src != SQLITE_DONE) {
			if ((src & 0xff) == SQLITE_CONSTRAINT && jid)
				rc = crmw__errf(&m->h.err, CRMW_EEXISTS, "memory entry %lld already exists",
						(long long)json_integer_value(jid));
			else
				rc = crmw__mem_sqlerr(m, src, "inserting a memory entry");
		}
		sqlite3_finalize(st);
	}
	free(tags);
	free(meta);
	free(prov);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(m->sql);
	rc = cache_put(m, *id, v, kind, jstr(e, "family"), entry_scope(e));
	if (!rc)
		rc = evict(m, *id, seq);
	return rc;
}

static int parse_doc(crmw_memory *m, json_t **out, const char *text, const char *what)
{
	crmw__json_error je;
	int rc = crmw__json_parse(text, strlen(text), out, &je);
	if (rc)
		return crmw__errf(&m->h.err, rc, "%s is not JSON: %s (line %d, column %d)", what, je.text, je.line,
				  je.column);
	return CRMW_OK;
}

int crmw_memory_add(int64_t *id, int32_t *merged, crmw_memory *m, const char *entry_json, const float *vec,
		    int32_t dim)
{
	if (id)
		*id = 0;
	if (merged)
		*merged = 0;
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !entry_json);
	if (vec && dim != m->dim)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the vector has %d dimensions; the store holds %d", (int)dim,
				  (int)m->dim);
	json_t *e = NULL;
	pthread_mutex_lock(&m->lock);
	int rc = parse_doc(m, &e, entry_json, "the memory entry");
	if (!rc && json_is_object(e)) {
		/* ids, scores and embeddings belong to import, not to add */
		json_object_del(e, "id");
		json_object_del(e, "score");
		json_object_del(e, "utility");
		json_object_del(e, "created_at");
		json_object_del(e, "updated_at");
	}
	int64_t seq = 0, nid = 0;
	int32_t mg = 0;
	if (!rc)
		rc = check_entry(m, e, false);
	if (!rc)
		rc = crmw__mem_begin(m, "adding a memory entry", &seq);
	if (!rc)
		rc = crmw__mem_end(m, crmw__mem_insert(&nid, &mg, m, e, vec, true, false, seq));
	json_decref(e);
	pthread_mutex_unlock(&m->lock);
	if (!rc) {
		if (id)
			*id = nid;
		if (merged)
			*merged = mg;
	}
	return rc;
}

int crmw_memory_update(crmw_memory *m, int64_t id, const char *patch_json)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !patch_json);
	json_t *p = NULL;
	pthread_mutex_lock(&m->lock);
	int rc = parse_doc(m, &p, patch_json, "the patch");
	if (!rc)
		rc = check_entry(m, p, true);
	int64_t seq = 0;
	if (!rc)
		rc = crmw__mem_begin(m, "updating a memory entry", &seq);
	if (rc) {
		json_decref(p);
		pthread_mutex_unlock(&m->lock);
		return rc;
	}
	/* the current row, patched */
	sqlite3_stmt *st = NULL;
	json_t *cur = NULL;
	rc = prep(m, &st, "SELECT kind, title, text, query, family, tags, metadata, provenance, scope "
			  "FROM crmw_mem_entry WHERE id = ?1");
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW) {
			cur = json_object();
			static const char *const cols[] = {"kind", "title", "text", "query", "family"};
			for (int i = 0; i < 5; i++)
				json_object_set_new(cur, cols[i],
						    sqlite3_column_type(st, i) == SQLITE_NULL
							    ? json_null()
							    : json_string((const char *)sqlite3_column_text(st, i)));
			for (int i = 5; i < 8; i++) {
				json_t *x = NULL;
				const char *s = (const char *)sqlite3_column_text(st, i);
				crmw__json_parse(s, strlen(s), &x, NULL);
				json_object_set_new(cur, (const char *[]){"tags", "metadata", "provenance"}[i - 5], x);
			}
			json_object_set_new(cur, "scope", json_string((const char *)sqlite3_column_text(st, 8)));
		} else if (src == SQLITE_DONE) {
			rc = crmw__errf(&m->h.err, CRMW_ENOTFOUND, "no memory entry %lld", (long long)id);
		} else {
			rc = crmw__mem_sqlerr(m, src, "reading a memory entry");
		}
		sqlite3_finalize(st);
	}
	bool reembed = json_object_get(p, "text") || json_object_get(p, "query") || json_object_get(p, "title");
	if (!rc) {
		json_object_update(cur, p);
		if (json_is_null(json_object_get(cur, "query")))
			json_object_del(cur, "query");
		if (json_is_null(json_object_get(cur, "family")))
			json_object_del(cur, "family");
	}
	float v[m->dim];
	if (!rc && reembed)
		rc = embed_entry(m, v, cur);
	if (!rc) {
		char *norm = normalise_text(jstr(cur, "text"));
		char *tags = json_dumps(json_object_get(cur, "tags"), JSON_COMPACT);
		char *meta = json_dumps(json_object_get(cur, "metadata"), JSON_COMPACT | JSON_SORT_KEYS);
		char *prov = json_dumps(json_object_get(cur, "provenance"), JSON_COMPACT);
		char now[48];
		crmw__mem_now(now);
		if (!norm || !tags || !meta || !prov)
			rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		if (!rc)
			rc = prep(m, &st, reembed ? "UPDATE crmw_mem_entry SET kind=?1, title=?2, text=?3, query=?4, family=?5, "
						    "tags=?6, metadata=?7, provenance=?8, text_hash=?9, updated_at=?10, "
						    "seq=?11, scope=?14, embedding=?13 WHERE id=?12"
						  : "UPDATE crmw_mem_entry SET kind=?1, title=?2, text=?3, query=?4, family=?5, "
						    "tags=?6, metadata=?7, provenance=?8, text_hash=?9, updated_at=?10, "
						    "seq=?11, scope=?14 WHERE id=?12");
		if (!rc) {
			sqlite3_bind_text(st, 1, jstr(cur, "kind"), -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, jstr(cur, "title"), -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, jstr(cur, "text"), -1, SQLITE_STATIC);
			if (jstr(cur, "query"))
				sqlite3_bind_text(st, 4, jstr(cur, "query"), -1, SQLITE_STATIC);
			if (jstr(cur, "family"))
				sqlite3_bind_text(st, 5, jstr(cur, "family"), -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, tags, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 7, meta, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 8, prov, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 9, text_hash(norm));
			sqlite3_bind_text(st, 10, now, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 11, seq);
			sqlite3_bind_int64(st, 12, id);
			if (reembed)
				sqlite3_bind_blob(st, 13, v, (int)(m->dim * sizeof(float)), SQLITE_STATIC);
			sqlite3_bind_text(st, 14, entry_scope(cur), -1, SQLITE_STATIC);
			rc = run(m, st);
			sqlite3_finalize(st);
		}
		if (!rc && reembed)
			rc = exec(m, "UPDATE crmw_mem_meta SET value = value + 1 WHERE key = 'vec_epoch'");
		if (!rc && m->loaded) {
			int64_t r = crmw__mx_slot(&m->mx, id);
			if (r >= 0 && !reembed)
				memcpy(v, m->mx.vec + (size_t)r * (size_t)m->mx.stride, (size_t)m->dim * sizeof(float));
			rc = r >= 0 || reembed ? cache_put(m, id, v, crmw__mem_kind(jstr(cur, "kind")), jstr(cur, "family"),
							   entry_scope(cur))
					       : CRMW_OK;
		}
		free(norm);
		free(tags);
		free(meta);
		free(prov);
	}
	rc = crmw__mem_end(m, rc);
	json_decref(cur);
	json_decref(p);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_delete(crmw_memory *m, int64_t id)
{
	if (!m)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_memory_delete: NULL handle");
	pthread_mutex_lock(&m->lock);
	int64_t seq = 0;
	int rc = crmw__mem_begin(m, "deleting a memory entry", &seq);
	if (!rc) {
		bool found = false;
		rc = delete_row(m, id, seq, &found);
		if (!rc && !found)
			rc = crmw__errf(&m->h.err, CRMW_ENOTFOUND, "no memory entry %lld", (long long)id);
		if (!rc)
			rc = prune_tombs(m);
		rc = crmw__mem_end(m, rc);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_feedback(int64_t *updated, crmw_memory *m, const int64_t *ids, size_t n, int32_t event,
			 int64_t amount)
{
	if (updated)
		*updated = 0;
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || (!ids && n));
	if (event < 0 || event > 4)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "unknown memory event %d (0 to 4: retrieved, success, "
							   "failure, helpful, harmful)", (int)event);
	if (amount <= 0)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the amount must be positive, not %lld", (long long)amount);
	if (!n)
		return CRMW_OK;
	pthread_mutex_lock(&m->lock);
	if (m->readonly) {
		int rc = crmw__errf(&m->h.err, CRMW_EACCESS, "memory feedback: the store %s is open read-only", m->path);
		pthread_mutex_unlock(&m->lock);
		return rc;
	}
	int src = sqlite3_exec(m->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	int rc = src ? crmw__mem_sqlerr(m, src, "memory feedback") : CRMW_OK;
	int64_t count = 0;
	if (!rc) {
		char sql[128];
		snprintf(sql, sizeof sql, "UPDATE crmw_mem_entry SET %s = %s + ?1 WHERE id = ?2", counter_cols[event],
			 counter_cols[event]);
		sqlite3_stmt *st = NULL;
		rc = prep(m, &st, sql);
		for (size_t i = 0; !rc && i < n; i++) {
			sqlite3_bind_int64(st, 1, amount);
			sqlite3_bind_int64(st, 2, ids[i]);
			rc = run(m, st);
			count += sqlite3_changes(m->sql);
		}
		sqlite3_finalize(st);
		src = sqlite3_exec(m->sql, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
		if (!rc && src) {
			rc = crmw__mem_sqlerr(m, src, "memory feedback");
			sqlite3_exec(m->sql, "ROLLBACK", NULL, NULL, NULL);
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (!rc && updated)
		*updated = count;
	return rc;
}
