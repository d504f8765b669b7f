/*
 * JSONL export and import of the memory store.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "memory/internal.h"

#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int crmw_memory_export(crmw_memory *m, const char *path)
{
	if (!m || !path || !*path)
		return crmw__errf(m ? &m->h.err : NULL, CRMW_EINVALID, "crmw_memory_export: no path");
	if (!strcmp(path, "-"))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "crmw_memory_export: write to a file, not \"-\"");
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	if (!tmp)
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	pthread_mutex_lock(&m->lock);
	int rc = CRMW_OK;
	FILE *f = fopen(tmp, "wb");
	if (!f)
		rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
	sqlite3_stmt *st = NULL;
	int src = SQLITE_OK;
	if (!rc) {
		src = sqlite3_exec(m->sql, "BEGIN", NULL, NULL, NULL);
		if (!src)
			src = sqlite3_prepare_v2(m->sql,
						 "SELECT " MEM_ENTRY_COLS ", embedding FROM crmw_mem_entry ORDER BY id", -1,
						 &st, NULL);
		if (src)
			rc = crmw__mem_sqlerr(m, src, "exporting the memory store");
	}
	crmw_buf line = CRMW_BUF_INIT;
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		crmw__buf_clear(&line);
		rc = crmw__buf_putc(&line, '{');
		if (!rc)
			rc = crmw__mem_entry_json(&line, st);
		if (!rc)
			rc = crmw__buf_puts(&line, ",\"embedder\":");
		if (!rc)
			rc = crmw__buf_json_str(&line, m->embedder, strlen(m->embedder));
		if (!rc)
			rc = crmw__buf_puts(&line, ",\"embedding\":[");
		const float *v = sqlite3_column_blob(st, 17);
		int bytes = sqlite3_column_bytes(st, 17);
		if (!rc && bytes != m->dim * (int)sizeof(float))
			rc = crmw__errf(&m->h.err, CRMW_ECORRUPT, "memory entry %lld has a damaged embedding",
					(long long)sqlite3_column_int64(st, 0));
		for (int32_t i = 0; !rc && i < m->dim; i++)
			rc = crmw__buf_printf(&line, i ? ",%.9g" : "%.9g", (double)v[i]);
		if (!rc)
			rc = crmw__buf_puts(&line, "]}\n");
		if (rc && rc != CRMW_ECORRUPT)
			rc = crmw__errf(&m->h.err, rc, "out of memory");
		if (!rc && fwrite(line.data, 1, line.len, f) != line.len)
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
	}
	if (!rc && src != SQLITE_DONE)
		rc = crmw__mem_sqlerr(m, src, "exporting the memory store");
	crmw_buf_dispose(&line);
	sqlite3_finalize(st);
	sqlite3_exec(m->sql, "COMMIT", NULL, NULL, NULL);
	if (f) {
		if (!rc && (fflush(f) || fsync(fileno(f))))
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
		if (fclose(f) && !rc)
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
		if (!rc && rename(tmp, path))
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", path, strerror(errno));
		if (rc)
			remove(tmp);
	}
	pthread_mutex_unlock(&m->lock);
	free(tmp);
	return rc;
}

static const char *const import_keys[] = {"dedup", "keep_ids"};

int crmw_memory_import(int64_t *added, int64_t *merged, crmw_memory *m, const char *path, const char *options_json)
{
	if (added)
		*added = 0;
	if (merged)
		*merged = 0;
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !path);
	json_t *opts = NULL;
	int rc = crmw__json_options(&opts, &m->h.err, options_json, "import options", import_keys,
				    CRMW_ARRAY_LEN(import_keys));
	if (rc)
		return rc;
	json_t *d = json_object_get(opts, "dedup"), *k = json_object_get(opts, "keep_ids");
	if ((d && !json_is_boolean(d)) || (k && !json_is_boolean(k))) {
		json_decref(opts);
		return crmw__errf(&m->h.err, CRMW_EINVALID, "import options: \"dedup\" and \"keep_ids\" are true or false");
	}
	bool dedup = !d || json_is_true(d), keep = k && json_is_true(k);
	json_decref(opts);
	FILE *f = fopen(path, "rb");
	if (!f)
		return crmw__errf(&m->h.err, errno == ENOENT ? CRMW_ENOTFOUND : CRMW_EIO, "cannot read %s: %s", path,
				  strerror(errno));
	pthread_mutex_lock(&m->lock);
	int64_t seq = 0, na = 0, nm = 0, lineno = 0;
	rc = crmw__mem_begin(m, "importing into the memory store", &seq);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (!rc && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		json_t *e = NULL;
		crmw__json_error je;
		rc = crmw__json_parse(line, (size_t)len, &e, &je);
		if (rc) {
			rc = crmw__errf(&m->h.err, rc, "%s line %lld: not JSON: %s (column %d)", path, (long long)lineno,
					je.text, je.column);
			break;
		}
		int64_t id = 0;
		int32_t mg = 0;
		rc = crmw__mem_insert(&id, &mg, m, e, NULL, dedup, keep, seq);
		json_decref(e);
		if (rc) {
			char msg[600];
			snprintf(msg, sizeof msg, "%s", crmw__err_msg(&m->h.err));
			rc = crmw__errf(&m->h.err, rc, "%s line %lld: %s", path, (long long)lineno, msg);
		} else if (mg) {
			nm++;
		} else {
			na++;
		}
	}
	if (!rc && ferror(f))
		rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot read %s: %s", path, strerror(errno));
	/* ids chosen by the file may sit below the faiss index's newest: rebuild it */
	if (!rc && keep && na) {
		int src = sqlite3_exec(m->sql, "UPDATE crmw_mem_meta SET value = value + 1 WHERE key = 'vec_epoch'", NULL,
				       NULL, NULL);
		if (src)
			rc = crmw__mem_sqlerr(m, src, "importing into the memory store");
	}
	rc = crmw__mem_end(m, rc);
	pthread_mutex_unlock(&m->lock);
	free(line);
	fclose(f);
	if (!rc) {
		if (added)
			*added = na;
		if (merged)
			*merged = nm;
	}
	return rc;
}
