/*
 * Search, list and statistics of the memory store: filters, the choice of
 * engine (exact scan or faiss), MMR, the faiss index file, JSON output.
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
#include <unistd.h>

/* ------------------------------------------------------------ options */

static const char *const search_keys[] = {
	"k", "min_score", "kind", "family", "tags", "metadata", "mmr", "fetch_k", "engine", "quantize", "exclude",
	"scope", "scopes",
};
static const char *const list_keys[] = {
	"kind", "family", "tags", "metadata", "order", "desc", "limit", "offset", "scope", "scopes",
};

enum { ENGINE_AUTO, ENGINE_EXACT, ENGINE_FAISS };

typedef struct sopts {
	json_t *doc;
	int32_t k, fetch_k;
	float min_score;
	json_t *kind, *family, *tags, *metadata, *exclude; /* borrowed from doc */
	json_t *scopes; /* owned: the scopes an entry may have (canonical names), NULL: any */
	double mmr;                                          /* < 0: off */
	int engine, quantize;
	/* list */
	const char *order;
	bool desc;
	int64_t limit, offset;
} sopts;

static void sopts_dispose(sopts *o)
{
	json_decref(o->doc);
	json_decref(o->scopes);
	o->doc = o->scopes = NULL;
}

static bool strings_or_string(json_t *v)
{
	if (json_is_string(v))
		return true;
	if (!json_is_array(v) || !json_array_size(v))
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
	return true;
}

static int bad(crmw_memory *m, const char *what, const char *key, const char *want)
{
	return crmw__errf(&m->h.err, CRMW_EINVALID, "%s: \"%s\" must be %s", what, key, want);
}

/* Metadata filter values: scalars, or non-empty arrays of scalars. */
static bool filter_value(json_t *v)
{
	if (json_is_array(v)) {
		if (!json_array_size(v))
			return false;
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) if (json_is_array(x) || json_is_object(x) || json_is_null(x)) return false;
		return true;
	}
	return !json_is_object(v);
}

static int read_sopts(crmw_memory *m, sopts *o, const char *options_json, bool list)
{
	memset(o, 0, sizeof *o);
	o->k = 5;
	o->min_score = -INFINITY;
	o->mmr = -1;
	o->engine = ENGINE_AUTO;
	o->quantize = m->quantize;
	o->order = "id";
	o->limit = 100;
	const char *what = list ? "list options" : "search options";
	int rc = list ? crmw__json_options(&o->doc, &m->h.err, options_json, what, list_keys, CRMW_ARRAY_LEN(list_keys))
		      : crmw__json_options(&o->doc, &m->h.err, options_json, what, search_keys,
					   CRMW_ARRAY_LEN(search_keys));
	if (rc)
		return rc;
	const char *k;
	json_t *v;
	json_object_foreach(o->doc, k, v) {
		if (!strcmp(k, "k")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000)
				return bad(m, what, k, "a whole number from 1 to 10000");
			o->k = (int32_t)json_integer_value(v);
		} else if (!strcmp(k, "fetch_k")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000)
				return bad(m, what, k, "a whole number from 1 to 10000");
			o->fetch_k = (int32_t)json_integer_value(v);
		} else if (!strcmp(k, "min_score")) {
			if (!json_is_number(v) || !isfinite(json_number_value(v)))
				return bad(m, what, k, "a number");
			o->min_score = (float)json_number_value(v);
		} else if (!strcmp(k, "kind")) {
			if (!strings_or_string(v))
				return bad(m, what, k, "a kind or a non-empty array of kinds");
			json_t *one = json_is_string(v) ? v : NULL;
			size_t i;
			json_t *x;
			if (one && crmw__mem_kind(json_string_value(one)) < 0)
				return bad(m, what, k, "\"guideline\", \"plan\", \"episode\" or \"fact\"");
			json_array_foreach(v, i, x) if (crmw__mem_kind(json_string_value(x)) < 0) return bad(
				m, what, k, "\"guideline\", \"plan\", \"episode\" or \"fact\"");
			o->kind = v;
		} else if (!strcmp(k, "family")) {
			if (!strings_or_string(v))
				return bad(m, what, k, "a family or a non-empty array of families");
			o->family = v;
		} else if (!strcmp(k, "tags")) {
			if (!json_is_array(v) || !strings_or_string(v))
				return bad(m, what, k, "a non-empty array of strings");
			o->tags = v;
		} else if (!strcmp(k, "metadata")) {
			if (!json_is_object(v) || !json_object_size(v))
				return bad(m, what, k, "a non-empty object of path: value");
			const char *mk;
			json_t *mv;
			json_object_foreach(v, mk, mv) {
				if (!*mk || !filter_value(mv))
					return crmw__errf(&m->h.err, CRMW_EINVALID,
							  "%s: metadata filter \"%s\" must map a path to a scalar or a "
							  "non-empty array of scalars",
							  what, mk);
			}
			o->metadata = v;
		} else if (!strcmp(k, "mmr")) {
			if (json_is_true(v))
				o->mmr = 0.5;
			else if (json_is_false(v))
				o->mmr = -1;
			else if (json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 1)
				o->mmr = json_number_value(v);
			else
				return bad(m, what, k, "true, false or a number from 0 to 1");
		} else if (!strcmp(k, "engine")) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "auto") && strcmp(s, "exact") && strcmp(s, "faiss")))
				return bad(m, what, k, "\"auto\", \"exact\" or \"faiss\"");
			o->engine = s[0] == 'a' ? ENGINE_AUTO : s[0] == 'e' ? ENGINE_EXACT : ENGINE_FAISS;
		} else if (!strcmp(k, "quantize")) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "auto") && strcmp(s, "int8") && strcmp(s, "off")))
				return bad(m, what, k, "\"auto\", \"int8\" or \"off\"");
			o->quantize = s[0] == 'a' ? Q_AUTO : s[0] == 'i' ? Q_INT8 : Q_OFF;
		} else if (!strcmp(k, "scope") || !strcmp(k, "scopes")) {
			/* "scope": what a reader of that scope sees (its own and the
			 * global entries); "scopes": exactly these */
			if (o->scopes)
				return crmw__errf(&m->h.err, CRMW_EINVALID, "%s: give \"scope\" or \"scopes\", not both", what);
			bool one = k[5] == '\0';
			if (one ? !json_is_string(v) : !json_is_array(v) || !json_array_size(v) || json_array_size(v) > 10000)
				return bad(m, what, k,
					   one ? "a scope (a string; \"\" or \"global\": the global scope)"
					       : "a non-empty array of at most 10000 scopes");
			if (!(o->scopes = json_array()))
				return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
			if (one && json_array_append_new(o->scopes, json_string(CRMW__MEM_GLOBAL)))
				return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
			size_t i, n = one ? 1 : json_array_size(v);
			for (i = 0; i < n; i++) {
				const char *sc = crmw__mem_scope_name(one ? v : json_array_get(v, i));
				if (!sc)
					return bad(m, what, k,
						   "made of strings of at most 256 bytes without control characters");
				if (json_array_append_new(o->scopes, json_string(sc)))
					return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
			}
		} else if (!strcmp(k, "exclude")) {
			size_t i;
			json_t *x;
			if (!json_is_array(v))
				return bad(m, what, k, "an array of entry ids");
			json_array_foreach(v, i, x) if (!json_is_integer(x)) return bad(m, what, k, "an array of entry ids");
			o->exclude = v;
		} else if (!strcmp(k, "order")) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "id") && strcmp(s, "utility") && strcmp(s, "updated") && strcmp(s, "retrieved")))
				return bad(m, what, k, "\"id\", \"utility\", \"updated\" or \"retrieved\"");
			o->order = s;
		} else if (!strcmp(k, "desc")) {
			if (!json_is_boolean(v))
				return bad(m, what, k, "true or false");
			o->desc = json_is_true(v);
		} else if (!strcmp(k, "limit") || !strcmp(k, "offset")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return bad(m, what, k, "a whole number >= 0");
			if (k[0] == 'l')
				o->limit = json_integer_value(v);
			else
				o->offset = json_integer_value(v);
		}
	}
	if (!o->fetch_k)
		o->fetch_k = o->mmr >= 0 ? 4 * o->k : o->k;
	if (o->fetch_k < o->k)
		o->fetch_k = o->k;
	return CRMW_OK;
}

/* ------------------------------------------------------------ SQL filters */

/* A JSON path for json_extract from "a.b": $."a"."b" (keys quoted). */
static int path_of(crmw_buf *b, const char *key)
{
	int rc = crmw__buf_putc(b, '$');
	const char *p = key;
	while (!rc && *p) {
		const char *e = strchr(p, '.');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		rc = crmw__buf_puts(b, ".\"");
		for (size_t i = 0; !rc && i < n; i++)
			rc = p[i] == '"' || p[i] == '\\' ? crmw__buf_printf(b, "\\%c", p[i]) : crmw__buf_putc(b, p[i]);
		if (!rc)
			rc = crmw__buf_putc(b, '"');
		p += n;
		if (*p == '.')
			p++;
	}
	return rc;
}

/* `head` and one parameter per value of `values`, then ")". */
static int in_list(crmw_buf *w, json_t *params, const char *head, json_t *values)
{
	int rc = crmw__buf_puts(w, head);
	size_t i;
	json_t *x;
	json_array_foreach(values, i, x) {
		if (rc)
			break;
		rc = crmw__buf_puts(w, i ? ",?" : "?");
		json_array_append(params, x);
	}
	return rc ? rc : crmw__buf_putc(w, ')');
}

/* WHERE conditions for the filters; `params` receives the values to bind. */
static int where_sql(crmw_buf *w, json_t *params, const sopts *o)
{
	int rc = crmw__buf_puts(w, " WHERE 1");
	json_t *lists[2] = {o->kind, o->family};
	const char *cols[2] = {"kind", "family"};
	for (int l = 0; !rc && l < 2; l++) {
		json_t *v = lists[l];
		if (!v)
			continue;
		rc = crmw__buf_printf(w, " AND %s IN (", cols[l]);
		size_t n = json_is_string(v) ? 1 : json_array_size(v);
		for (size_t i = 0; !rc && i < n; i++) {
			rc = crmw__buf_puts(w, i ? ",?" : "?");
			json_array_append(params, json_is_string(v) ? v : json_array_get(v, i));
		}
		if (!rc)
			rc = crmw__buf_putc(w, ')');
	}
	size_t i;
	json_t *x;
	json_array_foreach(o->tags, i, x) {
		if (rc)
			break;
		rc = crmw__buf_puts(w, " AND EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)");
		json_array_append(params, x);
	}
	const char *k;
	json_t *v;
	json_object_foreach(o->metadata, k, v) {
		if (rc)
			break;
		crmw_buf p = CRMW_BUF_INIT;
		rc = path_of(&p, k);
		if (!rc)
			json_array_append_new(params, json_string(p.data));
		crmw_buf_dispose(&p);
		size_t n = json_is_array(v) ? json_array_size(v) : 1;
		if (!rc)
			rc = crmw__buf_puts(w, " AND json_extract(metadata, ?) IN (");
		for (size_t j = 0; !rc && j < n; j++) {
			rc = crmw__buf_puts(w, j ? ",?" : "?");
			json_array_append(params, json_is_array(v) ? json_array_get(v, j) : v);
		}
		if (!rc)
			rc = crmw__buf_putc(w, ')');
	}
	if (!rc && o->scopes)
		rc = in_list(w, params, " AND scope IN (", o->scopes);
	if (!rc && o->exclude && json_array_size(o->exclude))
		rc = in_list(w, params, " AND id NOT IN (", o->exclude);
	return rc;
}

static void bind_params(sqlite3_stmt *st, json_t *params, int first)
{
	size_t i;
	json_t *v;
	json_array_foreach(params, i, v) {
		int at = first + (int)i;
		if (json_is_string(v))
			sqlite3_bind_text(st, at, json_string_value(v), -1, SQLITE_TRANSIENT);
		else if (json_is_integer(v))
			sqlite3_bind_int64(st, at, json_integer_value(v));
		else if (json_is_real(v))
			sqlite3_bind_double(st, at, json_real_value(v));
		else if (json_is_boolean(v))
			sqlite3_bind_int(st, at, json_is_true(v));
		else
			sqlite3_bind_null(st, at);
	}
}

/* Build the row mask of the filters (NULL *mask when there are none). */
static int build_mask(crmw_memory *m, const sopts *o, uint8_t **mask)
{
	*mask = NULL;
	if (!o->kind && !o->family && !o->tags && !o->metadata && !o->exclude && !o->scopes)
		return CRMW_OK;
	mem_matrix *mx = &m->mx;
	size_t n = mx->n ? (size_t)mx->n : 1;
	if (m->mask_cap < n) {
		uint8_t *p = realloc(m->mask, n);
		if (!p)
			return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		m->mask = p;
		m->mask_cap = n;
	}
	*mask = m->mask;
	if (!o->tags && !o->metadata) {
		/* in memory: kinds, families and scopes as small integers */
		bool kinds[MEM_KINDS] = {false};
		int32_t fams[64], scs[64];
		int nf = 0, ns = 0;
		bool fam_any = !o->family, fam_many = false, sc_many = false;
		if (o->kind) {
			size_t nk = json_is_string(o->kind) ? 1 : json_array_size(o->kind);
			for (size_t i = 0; i < nk; i++)
				kinds[crmw__mem_kind(json_string_value(json_is_string(o->kind) ? o->kind
												  : json_array_get(o->kind, i)))] = true;
		} else {
			for (int i = 0; i < MEM_KINDS; i++)
				kinds[i] = true;
		}
		if (o->family) {
			size_t nfam = json_is_string(o->family) ? 1 : json_array_size(o->family);
			for (size_t i = 0; i < nfam; i++) {
				const char *f = json_string_value(json_is_string(o->family) ? o->family
											   : json_array_get(o->family, i));
				int32_t x = crmw__mx_family(mx, f, false);
				if (x < 0)
					continue;
				if (nf == 64) {
					fam_many = true;
					break;
				}
				fams[nf++] = x;
			}
		}
		size_t i;
		json_t *x;
		json_array_foreach(o->scopes, i, x) {
			int32_t y = crmw__names_id(&mx->scopes, json_string_value(x), false);
			if (y < 0)
				continue; /* no entry has it */
			if (ns == 64) {
				sc_many = true;
				break;
			}
			scs[ns++] = y;
		}
		if (!fam_many && !sc_many) {
			for (int64_t r = 0; r < mx->n; r++) {
				bool ok = kinds[mx->kind[r]];
				if (ok && !fam_any) {
					ok = false;
					for (int j = 0; j < nf && !ok; j++)
						ok = mx->family[r] == fams[j];
				}
				if (ok && o->scopes) {
					ok = false;
					for (int j = 0; j < ns && !ok; j++)
						ok = mx->scope[r] == scs[j];
				}
				(*mask)[r] = ok;
			}
			json_array_foreach(o->exclude, i, x) {
				int64_t r = crmw__mx_slot(mx, json_integer_value(x));
				if (r >= 0)
					(*mask)[r] = 0;
			}
			return CRMW_OK;
		}
	}
	/* through SQL */
	memset(*mask, 0, (size_t)mx->n);
	crmw_buf w = CRMW_BUF_INIT;
	json_t *params = json_array();
	int rc = crmw__buf_puts(&w, "SELECT id FROM crmw_mem_entry");
	if (!rc)
		rc = where_sql(&w, params, o);
	sqlite3_stmt *st = NULL;
	if (rc)
		rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	else {
		int src = sqlite3_prepare_v2(m->sql, w.data, -1, &st, NULL);
		if (src)
			rc = crmw__mem_sqlerr(m, src, "filtering memory entries");
	}
	if (!rc) {
		bind_params(st, params, 1);
		int src;
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t r = crmw__mx_slot(mx, sqlite3_column_int64(st, 0));
			if (r >= 0)
				(*mask)[r] = 1;
		}
		if (src != SQLITE_DONE)
			rc = crmw__mem_sqlerr(m, src, "filtering memory entries");
	}
	sqlite3_finalize(st);
	json_decref(params);
	crmw_buf_dispose(&w);
	return rc;
}

/* ------------------------------------------------------------ faiss index */

static char *index_path(const crmw_memory *m)
{
	size_t n = strlen(m->path);
	char *p = malloc(n + 7);
	if (p)
		snprintf(p, n + 7, "%s.faiss", m->path);
	return p;
}

#define FIDX_MAGIC "CRMWFIX1"

/* The vectors in an index file, from its header (-1: unreadable). */
static int64_t index_file_count(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char magic[8], head[600];
	uint32_t fl = 0, len = 0;
	int64_t n = -1;
	if (fread(magic, 1, 8, f) == 8 && !memcmp(magic, FIDX_MAGIC, 8) && fread(&fl, sizeof fl, 1, f) == 1 &&
	    fl < 256 && !fseek(f, fl, SEEK_CUR) && fread(&len, sizeof len, 1, f) == 1 && len < sizeof head &&
	    fread(head, 1, len, f) == len) {
		json_t *h = NULL;
		if (!crmw__json_parse(head, len, &h, NULL) && json_is_integer(json_object_get(h, "ntotal")))
			n = json_integer_value(json_object_get(h, "ntotal"));
		json_decref(h);
	}
	fclose(f);
	return n;
}

void crmw__mem_index_recount(crmw_memory *m)
{
	if (!m->fidx)
		return;
	int64_t live = 0;
	for (int64_t r = 0; r < m->mx.n; r++)
		live += m->mx.ids[r] <= m->f_maxid;
	m->f_live = live;
}

#if CRMW_HAVE_FAISS

#define FIDX_END "CRMWFEND"

/* A 64-bit checksum of `len` bytes of `f` from its current position, read
 * in blocks (word-wise multiply-xor: several GB/s).  -1 on a short read. */
static int checksum_range(FILE *f, uint64_t len, uint64_t *out)
{
	enum { BLK = 1 << 16 };
	uint64_t buf[BLK / 8];
	uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
	while (len) {
		size_t n = len < BLK ? (size_t)len : BLK;
		if (fread(buf, 1, n, f) != n)
			return -1;
		if (n % 8)
			memset((char *)buf + n, 0, 8 - n % 8);
		for (size_t i = 0; i < (n + 7) / 8; i++) {
			h ^= buf[i];
			h *= 0xff51afd7ed558ccdull;
			h ^= h >> 32;
		}
		len -= n;
	}
	*out = h;
	return 0;
}

static int index_write(crmw_memory *m)
{
	char *path = index_path(m);
	if (!path)
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		free(path);
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	}
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	int rc = CRMW_OK;
	FILE *f = fopen(tmp, "w+b");
	if (!f) {
		rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
	} else {
		char head[600];
		int hn = snprintf(head, sizeof head,
				  "{\"uuid\":\"%s\",\"dim\":%d,\"metric\":\"%s\",\"epoch\":%lld,\"maxid\":%lld,"
				  "\"ntotal\":%lld}",
				  m->uuid, (int)m->dim, m->cosine ? "cosine" : "ip", (long long)m->f_epoch,
				  (long long)m->f_maxid, (long long)crmw__fidx_ntotal(m->fidx));
		uint32_t fl = (uint32_t)strlen(m->factory);
		uint32_t len = (uint32_t)hn;
		if (fwrite(FIDX_MAGIC, 1, 8, f) != 8 || fwrite(&fl, sizeof fl, 1, f) != 1 ||
		    fwrite(m->factory, 1, fl, f) != fl || fwrite(&len, sizeof len, 1, f) != 1 ||
		    fwrite(head, 1, (size_t)hn, f) != (size_t)hn)
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
		long start = rc ? 0 : ftell(f);
		if (!rc && (rc = crmw__fidx_write(m->fidx, &m->h.err, f)))
			rc = crmw__errf(&m->h.err, rc, "cannot write %s: %s", tmp, crmw_last_error());
		/* trailer: payload length and checksum, so that a damaged file is
		 * caught before faiss parses it */
		if (!rc) {
			uint64_t plen = 0, sum = 0;
			long end;
			if (fflush(f) || (end = ftell(f)) < start || fseek(f, start, SEEK_SET) ||
			    (plen = (uint64_t)(end - start), checksum_range(f, plen, &sum)) || fseek(f, 0, SEEK_END) ||
			    fwrite(&plen, sizeof plen, 1, f) != 1 || fwrite(&sum, sizeof sum, 1, f) != 1 ||
			    fwrite(FIDX_END, 1, 8, f) != 8)
				rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
		}
		if (!rc && (fflush(f) || fsync(fileno(f))))
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
		if (fclose(f) && !rc)
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot write %s: %s", tmp, strerror(errno));
		if (!rc && rename(tmp, path))
			rc = crmw__errf(&m->h.err, CRMW_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		if (rc)
			remove(tmp);
	}
	free(tmp);
	free(path);
	if (!rc)
		m->f_dirty = false;
	return rc;
}

/* From the payload's start: does the trailer's checksum match?  Leaves the
 * file at the payload's start. */
static bool payload_ok(FILE *f)
{
	long start = ftell(f);
	uint64_t plen = 0, sum = 0, got = 0;
	char end[8];
	if (start < 0 || fseek(f, -24, SEEK_END))
		return false;
	long tail = ftell(f);
	if (tail < start || fread(&plen, sizeof plen, 1, f) != 1 || fread(&sum, sizeof sum, 1, f) != 1 ||
	    fread(end, 1, 8, f) != 8 || memcmp(end, FIDX_END, 8) || plen != (uint64_t)(tail - start))
		return false;
	if (fseek(f, start, SEEK_SET) || checksum_range(f, plen, &got) || got != sum)
		return false;
	return fseek(f, start, SEEK_SET) == 0;
}

/* Load PATH.faiss when it belongs to this store, this factory and the
 * current vector epoch; *ok = false when it is missing, stale or damaged. */
static void index_load(crmw_memory *m, bool *ok)
{
	*ok = false;
	char *path = index_path(m);
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f) {
		free(path);
		return;
	}
	char magic[8];
	uint32_t fl = 0, len = 0;
	char fac[256], head[600];
	const char *why = NULL;
	if (fread(magic, 1, 8, f) != 8 || memcmp(magic, FIDX_MAGIC, 8) || fread(&fl, sizeof fl, 1, f) != 1 ||
	    fl >= sizeof fac || fread(fac, 1, fl, f) != fl || fread(&len, sizeof len, 1, f) != 1 || len >= sizeof head ||
	    fread(head, 1, len, f) != len) {
		why = "its header is damaged";
	} else {
		fac[fl] = 0;
		head[len] = 0;
		json_t *h = NULL;
		if (crmw__json_parse(head, len, &h, NULL) || !json_is_object(h)) {
			why = "its header is damaged";
		} else if (strcmp(fac, m->factory)) {
			why = "it holds another index type";
		} else if (strcmp(json_string_value(json_object_get(h, "uuid")) ?: "", m->uuid) ||
			   json_integer_value(json_object_get(h, "dim")) != m->dim) {
			why = "it belongs to another store";
		} else if (json_integer_value(json_object_get(h, "epoch")) != m->vec_epoch) {
			why = "entries changed their vectors since it was built";
		} else if (!payload_ok(f)) {
			why = "its checksum does not match (damaged)";
		} else {
			crmw__fidx *fx = NULL;
			if (crmw__fidx_read(&fx, &m->h.err, f)) {
				why = "faiss cannot read it";
			} else {
				m->fidx = fx;
				m->f_epoch = m->vec_epoch;
				m->f_maxid = json_integer_value(json_object_get(h, "maxid"));
				m->f_dirty = false;
				crmw__mem_index_recount(m);
				*ok = true;
			}
		}
		json_decref(h);
	}
	fclose(f);
	if (why)
		crmw__log(&m->h.log, CRMW_LOG_WARN, "memory store %s: rebuilding the faiss index %s: %s", m->path, path,
			  why);
	free(path);
}

static int index_build(crmw_memory *m)
{
	crmw__fidx_free(m->fidx);
	m->fidx = NULL;
	int64_t maxid = 0;
	for (int64_t r = 0; r < m->mx.n; r++)
		if (m->mx.ids[r] > maxid)
			maxid = m->mx.ids[r];
	crmw__log(&m->h.log, CRMW_LOG_INFO, "memory store %s: building the faiss index \"%s\" over %lld entries",
		  m->path, m->factory, (long long)m->mx.n);
	int rc = crmw__fidx_build(&m->fidx, &m->h.err, m->factory, m->dim, true, m->mx.vec, m->mx.stride, m->mx.ids,
				  m->mx.n);
	if (rc)
		return rc;
	m->f_epoch = m->vec_epoch;
	m->f_maxid = maxid;
	m->f_live = m->mx.n;
	m->f_seq = m->seq;
	m->f_dirty = true;
	return CRMW_OK;
}

/* Make the index current: load or build it, add entries newer than it. */
static int index_ready(crmw_memory *m)
{
	if (m->fidx && (m->f_epoch != m->vec_epoch ||
			(crmw__fidx_ntotal(m->fidx) > 0 && 4 * (crmw__fidx_ntotal(m->fidx) - m->f_live) > crmw__fidx_ntotal(m->fidx)))) {
		crmw__fidx_free(m->fidx);
		m->fidx = NULL;
	}
	bool fresh_build = false;
	if (!m->fidx) {
		bool ok = false;
		index_load(m, &ok);
		if (!ok) {
			int rc = index_build(m);
			if (rc)
				return rc;
			fresh_build = true;
		}
		crmw__fidx_params(m->fidx, m->ef_search, m->nprobe);
		m->f_seq = -1;
	}
	/* nothing changed since the last search: no walk over the ids */
	if (m->f_seq == m->seq)
		return CRMW_OK;
	/* entries added since: ids above f_maxid */
	int64_t nadd = 0, maxid = m->f_maxid;
	for (int64_t r = 0; r < m->mx.n; r++)
		nadd += m->mx.ids[r] > m->f_maxid;
	if (nadd) {
		float *x = malloc((size_t)nadd * (size_t)m->dim * sizeof(float));
		int64_t *ids = malloc((size_t)nadd * sizeof *ids);
		if (!x || !ids) {
			free(x);
			free(ids);
			return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		}
		int64_t j = 0;
		for (int64_t r = 0; r < m->mx.n; r++) {
			if (m->mx.ids[r] <= m->f_maxid)
				continue;
			memcpy(x + (size_t)j * (size_t)m->dim, m->mx.vec + (size_t)r * (size_t)m->mx.stride,
			       (size_t)m->dim * sizeof(float));
			ids[j++] = m->mx.ids[r];
			if (m->mx.ids[r] > maxid)
				maxid = m->mx.ids[r];
		}
		int rc = crmw__fidx_add(m->fidx, &m->h.err, x, ids, nadd);
		free(x);
		free(ids);
		if (rc)
			return rc;
		m->f_maxid = maxid;
		m->f_live += nadd;
		m->f_dirty = true;
	}
	m->f_seq = m->seq;
	if (fresh_build && !m->readonly && index_write(m))
		crmw__log(&m->h.log, CRMW_LOG_WARN, "memory store %s: %s", m->path, crmw__err_msg(&m->h.err));
	return CRMW_OK;
}

#endif /* CRMW_HAVE_FAISS */

void crmw__mem_index_save(crmw_memory *m)
{
#if CRMW_HAVE_FAISS
	if (m->fidx && m->f_dirty && !m->readonly && index_write(m))
		crmw__log(&m->h.log, CRMW_LOG_WARN, "memory store %s: %s", m->path, crmw__err_msg(&m->h.err));
#else
	(void)m;
#endif
}

int crmw_memory_build_index(crmw_memory *m, const char *factory)
{
	if (!m)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_memory_build_index: NULL handle");
#if !CRMW_HAVE_FAISS
	(void)factory;
	return crmw__errf(&m->h.err, CRMW_EUNSUPPORTED, "this build of libcrmweaver has no faiss");
#else
	if (factory && (!*factory || strlen(factory) > 200))
		return crmw__errf(&m->h.err, CRMW_EINVALID, "a faiss index description has 1 to 200 characters");
	pthread_mutex_lock(&m->lock);
	int rc = CRMW_OK;
	if (!factory && !m->factory)
		rc = crmw__errf(&m->h.err, CRMW_ESTATE,
				"memory store %s has no faiss index configured: give a factory string (\"HNSW32\")",
				m->path);
	if (!rc)
		rc = crmw__mem_sync(m);
	if (!rc && !m->mx.n)
		rc = crmw__errf(&m->h.err, CRMW_ESTATE, "memory store %s is empty: nothing to index", m->path);
	char *old = m->factory;
	if (!rc && factory) {
		m->factory = crmw__strdup(factory);
		if (!m->factory) {
			m->factory = old;
			rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		}
	}
	if (!rc)
		rc = index_build(m);
	if (!rc)
		crmw__fidx_params(m->fidx, m->ef_search, m->nprobe);
	if (!rc && factory && !m->readonly) {
		/* record the factory */
		sqlite3_stmt *st = NULL;
		int src = sqlite3_prepare_v2(m->sql,
					     "INSERT INTO crmw_mem_meta(key, value) VALUES ('index', ?1) "
					     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
					     -1, &st, NULL);
		if (!src) {
			sqlite3_bind_text(st, 1, factory, -1, SQLITE_STATIC);
			src = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(m->sql);
		}
		sqlite3_finalize(st);
		if (src)
			rc = crmw__mem_sqlerr(m, src, "recording the index type");
	}
	if (!rc && !m->readonly)
		rc = index_write(m);
	if (rc && factory && m->factory != old) {
		free(m->factory);
		m->factory = old;
		crmw__fidx_free(m->fidx);
		m->fidx = NULL;
	} else if (m->factory != old) {
		free(old);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
#endif
}

/* ------------------------------------------------------------ search */

/* Use faiss for this search? */
static int pick_faiss(crmw_memory *m, const sopts *o, bool *use)
{
	*use = false;
	if (o->engine == ENGINE_EXACT)
		return CRMW_OK;
#if !CRMW_HAVE_FAISS
	if (o->engine == ENGINE_FAISS)
		return crmw__errf(&m->h.err, CRMW_EUNSUPPORTED, "this build of libcrmweaver has no faiss");
	return CRMW_OK;
#else
	if (o->engine == ENGINE_FAISS) {
		if (!m->factory)
			return crmw__errf(&m->h.err, CRMW_ESTATE,
					  "memory store %s has no faiss index: open it with {\"index\": \"HNSW32\"} or "
					  "call crmw_memory_build_index",
					  m->path);
		int64_t need = crmw__fidx_min_train(m->factory);
		if (m->mx.n < need || !m->mx.n)
			return crmw__errf(&m->h.err, CRMW_ESTATE,
					  "faiss index \"%s\" needs at least %lld entries to train; the store has %lld",
					  m->factory, (long long)(need ? need : 1), (long long)m->mx.n);
		*use = true;
		return CRMW_OK;
	}
	*use = m->factory && m->mx.n > 0 && m->mx.n >= m->index_min && m->mx.n >= crmw__fidx_min_train(m->factory);
	return CRMW_OK;
#endif
}

/* The core: hits of one normalised query into t (t->k slots). */
static int search_core(crmw_memory *m, mem_topk *t, const float *q, const sopts *o)
{
	int rc = crmw__mem_sync(m);
	if (rc)
		return rc;
	uint8_t *mask = NULL;
	rc = build_mask(m, o, &mask);
	bool use_faiss = false;
	if (!rc)
		rc = pick_faiss(m, o, &use_faiss);
	if (rc)
		return rc;
	t->n = 0;
#if CRMW_HAVE_FAISS
	if (use_faiss) {
		rc = index_ready(m);
		if (rc)
			return rc;
		int64_t total = crmw__fidx_ntotal(m->fidx);
		int64_t dead = total - m->f_live;
		int64_t fetch = t->k + dead + (mask ? 9 * (int64_t)t->k : 0);
		if (fetch > total)
			fetch = total;
		float *sc = malloc((size_t)fetch * sizeof *sc);
		int64_t *ids = malloc((size_t)fetch * sizeof *ids);
		if (!sc || !ids) {
			free(sc);
			free(ids);
			return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		}
		rc = crmw__fidx_search(m->fidx, &m->h.err, q, (int32_t)fetch, sc, ids);
		for (int64_t i = 0; !rc && i < fetch; i++) {
			if (ids[i] < 0)
				continue;
			int64_t r = crmw__mx_slot(&m->mx, ids[i]);
			if (r < 0 || (mask && !mask[r]) || !(sc[i] >= o->min_score))
				continue;
			crmw__topk_push(t, sc[i], ids[i]);
		}
		free(sc);
		free(ids);
		if (rc)
			return rc;
		crmw__topk_sort(t);
		/* filters left too few: fall back to the exact scan */
		if (t->n == t->k || (!mask && !dead) || fetch == total)
			return CRMW_OK;
	}
#endif
	bool q8 = o->quantize == Q_INT8 || (o->quantize == Q_AUTO && m->mx.n >= 20000);
	if (q8 && crmw__mx_enable_q8(&m->mx))
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory for the int8 copy of the vectors");
	float *scratch = q8 ? crmw__mem_scratch(m, (size_t)(m->mx.n ? m->mx.n : 1)) : NULL;
	if (q8 && !scratch)
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	crmw__scan_exact(t, &m->mx, q, mask, o->min_score, q8, scratch);
	return CRMW_OK;
}

/* Maximal marginal relevance: pick k of the candidates in t greedily. */
static int mmr_select(crmw_memory *m, mem_topk *t, int32_t k, double lambda)
{
	int32_t n = t->n;
	if (n <= 1) {
		if (t->n > k)
			t->n = k;
		return CRMW_OK;
	}
	const float **vec = malloc((size_t)n * sizeof *vec);
	float *maxsim = malloc((size_t)n * sizeof *maxsim);
	bool *taken = calloc((size_t)n, sizeof *taken);
	float *sel_s = malloc((size_t)k * sizeof *sel_s);
	int64_t *sel_id = malloc((size_t)k * sizeof *sel_id);
	if (!vec || !maxsim || !taken || !sel_s || !sel_id) {
		free(vec);
		free(maxsim);
		free(taken);
		free(sel_s);
		free(sel_id);
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	}
	for (int32_t i = 0; i < n; i++) {
		int64_t r = crmw__mx_slot(&m->mx, t->id[i]);
		vec[i] = r >= 0 ? m->mx.vec + (size_t)r * (size_t)m->mx.stride : NULL;
		maxsim[i] = -INFINITY;
	}
	int32_t ns = 0;
	while (ns < k && ns < n) {
		int32_t best = -1;
		double bv = -INFINITY;
		for (int32_t i = 0; i < n; i++) {
			if (taken[i])
				continue;
			double v = lambda * t->score[i] - (ns ? (1 - lambda) * maxsim[i] : 0);
			if (v > bv) {
				bv = v;
				best = i;
			}
		}
		if (best < 0)
			break;
		taken[best] = true;
		sel_s[ns] = t->score[best];
		sel_id[ns++] = t->id[best];
		for (int32_t i = 0; i < n; i++) {
			if (taken[i] || !vec[i] || !vec[best])
				continue;
			float s = crmw__dot(vec[i], vec[best], m->dim);
			if (s > maxsim[i])
				maxsim[i] = s;
		}
	}
	memcpy(t->score, sel_s, (size_t)ns * sizeof *sel_s);
	memcpy(t->id, sel_id, (size_t)ns * sizeof *sel_id);
	t->n = ns;
	free(vec);
	free(maxsim);
	free(taken);
	free(sel_s);
	free(sel_id);
	return CRMW_OK;
}

static int search_hits(crmw_memory *m, mem_topk *t, const float *q, const sopts *o)
{
	int rc = search_core(m, t, q, o);
	if (!rc && o->mmr >= 0)
		rc = mmr_select(m, t, o->k, o->mmr);
	return rc;
}

static int hits_json(crmw_buf *out, crmw_memory *m, const mem_topk *t)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(m->sql, "SELECT " MEM_ENTRY_COLS " FROM crmw_mem_entry WHERE id = ?1", -1, &st,
				     NULL);
	if (src)
		return crmw__mem_sqlerr(m, src, "reading memory entries");
	crmw__buf_clear(out);
	int rc = crmw__buf_putc(out, '[');
	bool first = true;
	for (int32_t i = 0; !rc && i < t->n; i++) {
		sqlite3_bind_int64(st, 1, t->id[i]);
		src = sqlite3_step(st);
		if (src == SQLITE_ROW) {
			rc = crmw__buf_printf(out, "%s{\"score\":%.7g,", first ? "" : ",", (double)t->score[i]);
			if (!rc)
				rc = crmw__mem_entry_json(out, st);
			if (!rc)
				rc = crmw__buf_putc(out, '}');
			first = false;
		} else if (src != SQLITE_DONE) {
			sqlite3_finalize(st);
			return crmw__mem_sqlerr(m, src, "reading memory entries");
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = crmw__buf_putc(out, ']');
	return rc ? crmw__errf(&m->h.err, rc, "out of memory") : CRMW_OK;
}

static int with_topk(crmw_memory *m, mem_topk *t, int32_t k, float **sc, int64_t **ids)
{
	*sc = malloc((size_t)k * sizeof **sc);
	*ids = malloc((size_t)k * sizeof **ids);
	if (!*sc || !*ids) {
		free(*sc);
		free(*ids);
		return crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	}
	*t = (mem_topk){.k = k, .score = *sc, .id = *ids};
	return CRMW_OK;
}

int crmw_memory_search(crmw_buf *out, crmw_memory *m, const char *text, const char *options_json)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out || !text);
	pthread_mutex_lock(&m->lock);
	sopts o;
	float q[m->dim];
	int rc = read_sopts(m, &o, options_json, false);
	if (!rc)
		rc = crmw__mem_embed_text(m, q, text, strlen(text));
	mem_topk t;
	float *sc = NULL;
	int64_t *ids = NULL;
	if (!rc)
		rc = with_topk(m, &t, o.fetch_k, &sc, &ids);
	if (!rc) {
		rc = search_hits(m, &t, q, &o);
		if (!rc)
			rc = hits_json(out, m, &t);
		free(sc);
		free(ids);
	}
	sopts_dispose(&o);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_search_vec(int64_t *ids, float *scores, int32_t *n_hits, crmw_memory *m, const float *q,
			   int32_t dim, int32_t k, const char *options_json)
{
	if (n_hits)
		*n_hits = 0;
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !ids || !scores || !n_hits || !q);
	if (k < 1 || k > 10000)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "k must be from 1 to 10000, not %d", (int)k);
	pthread_mutex_lock(&m->lock);
	sopts o;
	float qn[m->dim > 0 ? m->dim : 1];
	int rc = read_sopts(m, &o, options_json, false);
	if (!rc && json_object_get(o.doc, "k") && o.k != k)
		rc = crmw__errf(&m->h.err, CRMW_EINVALID, "search options: \"k\" (%d) differs from the k argument (%d)",
				(int)o.k, (int)k);
	if (!rc) {
		o.k = k;
		if (!json_object_get(o.doc, "fetch_k") || o.fetch_k < k)
			o.fetch_k = o.mmr >= 0 ? 4 * k : k;
		rc = crmw__mem_check_vec(m, qn, q, dim);
	}
	mem_topk t;
	float *sc = NULL;
	int64_t *tid = NULL;
	if (!rc)
		rc = with_topk(m, &t, o.fetch_k, &sc, &tid);
	if (!rc) {
		rc = search_hits(m, &t, qn, &o);
		if (!rc) {
			int32_t n = t.n < k ? t.n : k;
			memcpy(ids, t.id, (size_t)n * sizeof *ids);
			memcpy(scores, t.score, (size_t)n * sizeof *scores);
			*n_hits = n;
		}
		free(sc);
		free(tid);
	}
	sopts_dispose(&o);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_search_batch(int64_t *ids, float *scores, crmw_memory *m, const float *q, int32_t nq, int32_t dim,
			     int32_t k, const char *options_json)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !ids || !scores || !q);
	if (k < 1 || k > 10000 || nq < 1)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "k must be from 1 to 10000 and nq at least 1 (k %d, nq %d)",
				  (int)k, (int)nq);
	if (dim != m->dim)
		return crmw__errf(&m->h.err, CRMW_EINVALID, "the vectors have %d dimensions; the store holds %d",
				  (int)dim, (int)m->dim);
	for (size_t i = 0; i < (size_t)nq * (size_t)k; i++) {
		ids[i] = -1;
		scores[i] = -INFINITY;
	}
	pthread_mutex_lock(&m->lock);
	sopts o;
	int rc = read_sopts(m, &o, options_json, false);
	if (!rc && o.mmr >= 0)
		rc = crmw__errf(&m->h.err, CRMW_EINVALID, "search options: \"mmr\" is not available for batches");
	float *qn = NULL;
	if (!rc) {
		qn = malloc((size_t)nq * (size_t)dim * sizeof *qn);
		if (!qn)
			rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	}
	for (int32_t i = 0; !rc && i < nq; i++) {
		rc = crmw__mem_check_vec(m, qn + (size_t)i * (size_t)dim, q + (size_t)i * (size_t)dim, dim);
		if (rc)
			rc = crmw__errf(&m->h.err, rc, "query %d: %s", (int)i, crmw__err_msg(&m->h.err));
	}
	bool use_faiss = false;
	if (!rc)
		rc = crmw__mem_sync(m);
	if (!rc)
		rc = pick_faiss(m, &o, &use_faiss);
	if (!rc && (use_faiss || nq < 4)) {
		/* one by one (faiss, or too few queries for a matrix product) */
		o.k = k;
		o.fetch_k = k;
		mem_topk t = {.k = k};
		for (int32_t i = 0; !rc && i < nq; i++) {
			t.score = scores + (size_t)i * (size_t)k;
			t.id = ids + (size_t)i * (size_t)k;
			rc = search_core(m, &t, qn + (size_t)i * (size_t)dim, &o);
			for (int32_t j = t.n; j < k; j++) {
				t.id[j] = -1;
				t.score[j] = -INFINITY;
			}
		}
	} else if (!rc) {
		uint8_t *mask = NULL;
		rc = build_mask(m, &o, &mask);
		mem_topk *tops = rc ? NULL : malloc((size_t)nq * sizeof *tops);
		if (!rc && !tops)
			rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
		if (!rc) {
			for (int32_t i = 0; i < nq; i++)
				tops[i] = (mem_topk){.k = k, .score = scores + (size_t)i * (size_t)k,
						     .id = ids + (size_t)i * (size_t)k};
			rc = crmw__scan_batch(tops, &m->mx, qn, nq, mask, o.min_score);
			if (rc)
				rc = crmw__errf(&m->h.err, rc, "out of memory");
			for (int32_t i = 0; !rc && i < nq; i++)
				for (int32_t j = tops[i].n; j < k; j++) {
					tops[i].id[j] = -1;
					tops[i].score[j] = -INFINITY;
				}
		}
		free(tops);
	}
	free(qn);
	sopts_dispose(&o);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* ------------------------------------------------------------ list and stats */

/* crmw_memory_list; with `versions`, [[id, seq], ...] instead of the entries. */
static int list_rows(crmw_buf *out, crmw_memory *m, const char *options_json, bool versions)
{
	pthread_mutex_lock(&m->lock);
	sopts o;
	int rc = read_sopts(m, &o, options_json, true);
	crmw_buf w = CRMW_BUF_INIT;
	json_t *params = json_array();
	if (!rc) {
		const char *ord = !strcmp(o.order, "utility") ? "n_success + n_helpful - n_failure - n_harmful"
				  : !strcmp(o.order, "updated") ? "updated_at"
				  : !strcmp(o.order, "retrieved") ? "n_retrieved"
								   : "id";
		if (crmw__buf_puts(&w, versions ? "SELECT id, seq FROM crmw_mem_entry" : "SELECT " MEM_ENTRY_COLS " FROM crmw_mem_entry") ||
		    where_sql(&w, params, &o) ||
		    crmw__buf_printf(&w, " ORDER BY %s %s, id %s LIMIT %lld OFFSET %lld", ord, o.desc ? "DESC" : "ASC",
				     o.desc ? "DESC" : "ASC", (long long)(o.limit ? o.limit : -1), (long long)o.offset))
			rc = crmw__errf(&m->h.err, CRMW_ENOMEM, "out of memory");
	}
	sqlite3_stmt *st = NULL;
	if (!rc) {
		int src = sqlite3_prepare_v2(m->sql, w.data, -1, &st, NULL);
		if (src)
			rc = crmw__mem_sqlerr(m, src, "listing memory entries");
	}
	if (!rc) {
		bind_params(st, params, 1);
		crmw__buf_clear(out);
		rc = crmw__buf_putc(out, '[');
		int src;
		bool first = true;
		while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
			if (versions) {
				rc = crmw__buf_printf(out, "%s[%lld,%lld]", first ? "" : ",", (long long)sqlite3_column_int64(st, 0),
						      (long long)sqlite3_column_int64(st, 1));
				first = false;
				continue;
			}
			rc = crmw__buf_puts(out, first ? "{" : ",{");
			if (!rc)
				rc = crmw__mem_entry_json(out, st);
			if (!rc)
				rc = crmw__buf_putc(out, '}');
			first = false;
		}
		if (rc)
			rc = crmw__errf(&m->h.err, rc, "out of memory");
		else if (src != SQLITE_DONE)
			rc = crmw__mem_sqlerr(m, src, "listing memory entries");
		else
			rc = crmw__buf_putc(out, ']');
	}
	sqlite3_finalize(st);
	json_decref(params);
	crmw_buf_dispose(&w);
	sopts_dispose(&o);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int crmw_memory_list(crmw_buf *out, crmw_memory *m, const char *options_json)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out);
	return list_rows(out, m, options_json, false);
}

int crmw__memory_list_versions(crmw_buf *out, crmw_memory *m, const char *options_json)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out);
	return list_rows(out, m, options_json, true);
}

int crmw__memory_seq(crmw_memory *m, int64_t *seq)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !seq);
	pthread_mutex_lock(&m->lock);
	int rc = crmw__mem_meta_int(m, "seq", seq);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* {"name": count, ...} of one column. */
static int group_counts(crmw_memory *m, crmw_buf *out, const char *col)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT %s, count(*) FROM crmw_mem_entry WHERE %s IS NOT NULL GROUP BY 1 ORDER BY 1",
		 col, col);
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(m->sql, sql, -1, &st, NULL);
	if (src)
		return crmw__mem_sqlerr(m, src, "memory statistics");
	int rc = crmw__buf_putc(out, '{');
	bool first = true;
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (!first)
			rc = crmw__buf_putc(out, ',');
		first = false;
		if (!rc)
			rc = crmw__buf_json_str(out, (const char *)sqlite3_column_text(st, 0),
						(size_t)sqlite3_column_bytes(st, 0));
		if (!rc)
			rc = crmw__buf_printf(out, ":%lld", (long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = crmw__buf_putc(out, '}');
	return rc;
}

int crmw_memory_stats(crmw_buf *out, crmw_memory *m)
{
	CRMW__ARGS_NONNULL(m ? &m->h.err : NULL, !m || !out);
	pthread_mutex_lock(&m->lock);
	int rc;
	int src = sqlite3_exec(m->sql, "BEGIN", NULL, NULL, NULL);
	rc = src ? crmw__mem_sqlerr(m, src, "memory statistics") : CRMW_OK;
	sqlite3_stmt *st = NULL;
	int64_t n = 0, c[5] = {0};
	if (!rc) {
		src = sqlite3_prepare_v2(m->sql,
					 "SELECT count(*), total(n_retrieved), total(n_success), total(n_failure), "
					 "total(n_helpful), total(n_harmful) FROM crmw_mem_entry",
					 -1, &st, NULL);
		if (!src && sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 0);
			for (int i = 0; i < 5; i++)
				c[i] = (int64_t)sqlite3_column_double(st, 1 + i);
		} else {
			rc = crmw__mem_sqlerr(m, src ? src : sqlite3_errcode(m->sql), "memory statistics");
		}
		sqlite3_finalize(st);
	}
	crmw__buf_clear(out);
	if (!rc) {
		rc = crmw__buf_puts(out, "{\"path\":");
		if (!rc)
			rc = crmw__buf_json_str(out, m->path, strlen(m->path));
		if (!rc)
			rc = crmw__buf_printf(out, ",\"entries\":%lld,\"kinds\":", (long long)n);
		if (!rc)
			rc = group_counts(m, out, "kind");
		if (!rc)
			rc = crmw__buf_puts(out, ",\"families\":");
		if (!rc)
			rc = group_counts(m, out, "family");
		if (!rc)
			rc = crmw__buf_puts(out, ",\"scopes\":");
		if (!rc)
			rc = group_counts(m, out, "scope");
		if (!rc)
			rc = crmw__buf_puts(out, ",\"embedder\":");
		if (!rc)
			rc = crmw__buf_json_str(out, m->embedder, strlen(m->embedder));
		if (!rc)
			rc = crmw__buf_printf(out,
					      ",\"dim\":%d,\"metric\":\"%s\",\"capacity\":%lld,\"dedup_threshold\":%.6g,"
					      "\"counters\":{\"retrieved\":%lld,\"success\":%lld,\"failure\":%lld,"
					      "\"helpful\":%lld,\"harmful\":%lld},\"uuid\":\"%s\"",
					      (int)m->dim, m->cosine ? "cosine" : "ip", (long long)m->capacity, m->dedup,
					      (long long)c[0], (long long)c[1], (long long)c[2], (long long)c[3],
					      (long long)c[4], m->uuid);
	}
	sqlite3_exec(m->sql, "COMMIT", NULL, NULL, NULL);
	/* the index */
	if (!rc) {
		char *ip = index_path(m);
		struct stat sb;
		const char *state = !m->factory ? "none"
				    : m->fidx   ? (m->f_epoch == m->vec_epoch ? "loaded" : "stale")
				    : ip && stat(ip, &sb) == 0 ? "on disk"
							       : "missing";
		rc = crmw__buf_puts(out, ",\"index\":{\"factory\":");
		if (!rc)
			rc = m->factory ? crmw__buf_json_str(out, m->factory, strlen(m->factory)) : crmw__buf_puts(out, "null");
		if (!rc)
			rc = crmw__buf_puts(out, ",\"file\":");
		if (!rc)
			rc = ip ? crmw__buf_json_str(out, ip, strlen(ip)) : crmw__buf_puts(out, "null");
		if (!rc)
		{
			int64_t in_index = 0;
#if CRMW_HAVE_FAISS
			if (m->fidx)
				in_index = crmw__fidx_ntotal(m->fidx);
			else
#endif
				if (ip && m->factory)
				in_index = index_file_count(ip);
			if (!rc)
				rc = in_index >= 0 ? crmw__buf_printf(out, ",\"state\":\"%s\",\"entries\":%lld", state,
								      (long long)in_index)
						   : crmw__buf_printf(out, ",\"state\":\"damaged\",\"entries\":0");
			if (!rc)
				rc = crmw__buf_printf(out, ",\"ef_search\":%d,\"nprobe\":%d}", (int)m->ef_search,
						      (int)m->nprobe);
		}
		free(ip);
		struct stat fb;
		int64_t bytes = stat(m->path, &fb) == 0 ? (int64_t)fb.st_size : 0;
		if (!rc)
			rc = crmw__buf_printf(out, ",\"file_bytes\":%lld}", (long long)bytes);
		if (rc)
			rc = crmw__errf(&m->h.err, rc, "out of memory");
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}
