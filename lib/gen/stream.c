/*
 * The generator's row stream (docs/generator.md, "Threads").
 *
 * The generator describes rows, latent facts and stage changes as compact
 * records in chunks; the writer (the thread that called crmw_gen) replays
 * them, in order, into the bulk loader and the latent tables.  With two
 * threads the generator runs on a helper thread, at most GS_CHUNKS chunks
 * ahead of the writer; with one, each chunk is written as soon as it fills.
 * Either way the database receives the same calls in the same order, so
 * its content does not depend on the thread count.
 *
 * The generator never touches the connection.  It predicts each record's
 * id from the object's id counter (read before it starts; ids are made by
 * crmw__id_make from the counter), and the writer checks every prediction
 * against the id the bulk loader gave the record.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gen/internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define GS_CHUNKS 4
#define GS_CHUNK_BYTES (256u * 1024u) /* a chunk is handed over once this full */
#define GS_PROGRESS_EVERY 16384       /* rows between "rows" progress calls */

enum { OP_ROW = 1, OP_TEXT, OP_INT, OP_REAL, OP_NULL, OP_END, OP_LATENT, OP_STAGE };

/* One record; text and ids follow it, padded to 8 bytes. */
typedef struct gs_rec {
	int32_t op;
	int32_t field; /* field or parameter number; OP_LATENT: which statement */
	union {
		int64_t i;
		double d;
		const void *p; /* OP_ROW: the object; OP_STAGE: the stage name */
	} v;
	uint64_t n;            /* OP_TEXT: bytes; OP_LATENT: parameters; OP_STAGE: total */
} gs_rec;

struct gen_stream {
	crmw_db *db;
	crmw_bulk *bulk;
	sqlite3_stmt *const *latent;
	int nlatent;
	int threads;
	crmw_progress_fn progress;
	void *ud;
	/* generator side */
	int64_t *next_id;      /* per object: the counter of the next id */
	int32_t row_obj;       /* object of the row being described, -1 = none */
	crmw_buf *cur;         /* the chunk being filled */
	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	crmw_buf chunk[GS_CHUNKS];
	int queue[GS_CHUNKS], qhead, qlen; /* filled chunks, oldest first */
	int spare[GS_CHUNKS], nspare;      /* empty chunks */
	bool done;             /* the generator handed over its last chunk */
	atomic_bool stop;      /* the writer failed: generating more is useless */
	/* writer side */
	int wrc;
	int64_t rows;
	crmw_buf id;
	/* the generator's run on the helper thread */
	void (*produce)(void *);
	void *arg;
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

int crmw__gs_open(gen_stream **out, crmw_db *db, crmw_bulk *bulk, sqlite3_stmt *const *latent, int nlatent,
	    int threads, crmw_progress_fn progress, void *ud)
{
	*out = NULL;
	gen_stream *s = calloc(1, sizeof *s);
	if (!s || !(s->next_id = calloc((size_t)db->schema->nobjects, sizeof *s->next_id))) {
		free(s);
		return crmw__errf(&db->h.err, CRMW_ENOMEM, "out of memory");
	}
	s->db = db;
	s->bulk = bulk;
	s->latent = latent;
	s->nlatent = nlatent;
	s->threads = threads;
	s->progress = progress;
	s->ud = ud;
	s->row_obj = -1;
	s->cur = &s->chunk[0];
	for (int i = 1; i < GS_CHUNKS; i++)
		s->spare[s->nspare++] = i;
	atomic_init(&s->stop, false);
	int rc = CRMW_OK;
	for (int32_t i = 0; !rc && i < db->schema->nobjects; i++)
		rc = crmw__db_id_counter(db, i, &s->next_id[i]);
	if (rc) {
		free(s->next_id);
		free(s);
		return rc;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->filled, NULL);
	pthread_cond_init(&s->emptied, NULL);
	*out = s;
	return CRMW_OK;
}

void crmw__gs_free(gen_stream *s)
{
	if (!s)
		return;
	for (int i = 0; i < GS_CHUNKS; i++)
		crmw_buf_dispose(&s->chunk[i]);
	crmw_buf_dispose(&s->id);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->filled);
	pthread_cond_destroy(&s->emptied);
	free(s->next_id);
	free(s);
}

bool crmw__gs_stopped(const gen_stream *s)
{
	return atomic_load_explicit(&s->stop, memory_order_relaxed);
}

/* ------------------------------------------------------------ writer */

static void writer_fail(gen_stream *s, int rc)
{
	s->wrc = rc;
	atomic_store_explicit(&s->stop, true, memory_order_relaxed);
}

static int write_latent(gen_stream *s, const gs_rec *r, const unsigned char **pp, const unsigned char *end)
{
	if (r->field < 0 || r->field >= s->nlatent)
		return crmw__errf(&s->db->h.err, CRMW_ERROR, "generator stream: bad latent statement %d", (int)r->field);
	sqlite3_stmt *st = s->latent[r->field];
	const unsigned char *p = *pp;
	for (uint64_t k = 0; k < r->n && p + sizeof(gs_rec) <= end; k++) {
		gs_rec a;
		memcpy(&a, p, sizeof a);
		p += sizeof a;
		if (a.op == OP_TEXT) {
			sqlite3_bind_text(st, a.field, (const char *)p, (int)a.n, SQLITE_STATIC);
			p += pad8((size_t)a.n);
		} else if (a.op == OP_INT) {
			sqlite3_bind_int64(st, a.field, a.v.i);
		} else if (a.op == OP_REAL) {
			sqlite3_bind_double(st, a.field, a.v.d);
		} else {
			sqlite3_bind_null(st, a.field);
		}
	}
	*pp = p;
	int src = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st); /* the texts live in a chunk that is reused */
	return src == SQLITE_DONE ? CRMW_OK : crmw__db_sqlerr(s->db, src, "latent variables");
}

/* Replay one chunk into the database; the first failure stops the stream. */
static void write_chunk(gen_stream *s, const crmw_buf *c)
{
	const unsigned char *p = (const unsigned char *)c->data, *end = p + c->len;
	int rc = CRMW_OK;
	while (!rc && p + sizeof(gs_rec) <= end) {
		gs_rec r;
		memcpy(&r, p, sizeof r);
		p += sizeof r;
		switch (r.op) {
		case OP_ROW:
			rc = crmw_bulk_row_begin(s->bulk, ((const crmw_object *)r.v.p)->name);
			break;
		case OP_TEXT:
			rc = crmw_bulk_set_text(s->bulk, r.field, (const char *)p, (size_t)r.n);
			p += pad8((size_t)r.n);
			break;
		case OP_INT: rc = crmw_bulk_set_int(s->bulk, r.field, r.v.i); break;
		case OP_REAL: rc = crmw_bulk_set_double(s->bulk, r.field, r.v.d); break;
		case OP_NULL: rc = crmw_bulk_set_null(s->bulk, r.field); break;
		case OP_END:
			rc = crmw_bulk_row_end(&s->id, s->bulk);
			if (!rc && (s->id.len != 18 || memcmp(s->id.data, p, 18) != 0))
				rc = crmw__errf(&s->db->h.err, CRMW_ERROR,
						"generator stream: record %lld was given id %.18s where %.18s was expected",
						(long long)s->rows + 1, s->id.data ? s->id.data : "", (const char *)p);
			p += pad8(18);
			if (!rc && ++s->rows % GS_PROGRESS_EVERY == 0 && s->progress &&
			    s->progress("rows", s->rows, 0, s->ud))
				rc = crmw__errf(&s->db->h.err, CRMW_EUSER, "generation aborted by the progress callback");
			break;
		case OP_LATENT: rc = write_latent(s, &r, &p, end); break;
		case OP_STAGE:
			if (s->progress && s->progress((const char *)r.v.p, 0, (int64_t)r.n, s->ud))
				rc = crmw__errf(&s->db->h.err, CRMW_EUSER, "generation aborted by the progress callback");
			break;
		default:
			rc = crmw__errf(&s->db->h.err, CRMW_ERROR, "generator stream: bad record %d", (int)r.op);
		}
	}
	if (rc)
		writer_fail(s, rc);
}

/* ---------------------------------------------------------- generator */

/* Hand the current chunk to the writer and take an empty one. */
static void hand_over(gen_stream *s)
{
	if (s->threads < 2) {
		if (!s->wrc)
			write_chunk(s, s->cur);
		crmw__buf_clear(s->cur);
		return;
	}
	pthread_mutex_lock(&s->mu);
	s->queue[(s->qhead + s->qlen) % GS_CHUNKS] = (int)(s->cur - s->chunk);
	s->qlen++;
	pthread_cond_signal(&s->filled);
	while (s->nspare == 0)
		pthread_cond_wait(&s->emptied, &s->mu);
	s->cur = &s->chunk[s->spare[--s->nspare]];
	pthread_mutex_unlock(&s->mu);
}

static int put(gen_stream *s, const gs_rec *r, const void *data, size_t n)
{
	static const char zeros[8];
	if (crmw__buf_append(s->cur, r, sizeof *r) || (n && crmw__buf_append(s->cur, data, n)) ||
	    (pad8(n) > n && crmw__buf_append(s->cur, zeros, pad8(n) - n)))
		return CRMW_ENOMEM;
	return CRMW_OK;
}

/* After a whole row, fact or stage: hand the chunk over once it is full. */
static void boundary(gen_stream *s)
{
	if (s->cur->len >= GS_CHUNK_BYTES)
		hand_over(s);
}

int crmw__gs_row(gen_stream *s, const crmw_object *o)
{
	s->row_obj = (int32_t)(o - s->db->schema->objects);
	gs_rec r = {.op = OP_ROW, .v.p = o};
	return put(s, &r, NULL, 0);
}

int crmw__gs_text(gen_stream *s, int32_t field, const char *v, size_t n)
{
	gs_rec r = {.op = OP_TEXT, .field = field, .n = n};
	return put(s, &r, v, n);
}

int crmw__gs_int(gen_stream *s, int32_t field, int64_t v)
{
	gs_rec r = {.op = OP_INT, .field = field, .v.i = v};
	return put(s, &r, NULL, 0);
}

int crmw__gs_real(gen_stream *s, int32_t field, double v)
{
	gs_rec r = {.op = OP_REAL, .field = field, .v.d = v};
	return put(s, &r, NULL, 0);
}

int crmw__gs_end(gen_stream *s, char id[19])
{
	const crmw_object *o = &s->db->schema->objects[s->row_obj];
	char made[19];
	crmw__id_make(made, o->key_prefix, s->db->id_seed, s->next_id[s->row_obj]++);
	if (id)
		memcpy(id, made, 19);
	gs_rec r = {.op = OP_END};
	int rc = put(s, &r, made, 18);
	s->row_obj = -1;
	if (!rc)
		boundary(s);
	return rc;
}

int crmw__gs_latent(gen_stream *s, int which, const char *types, va_list ap)
{
	gs_rec r = {.op = OP_LATENT, .field = which, .n = strlen(types)};
	int rc = put(s, &r, NULL, 0);
	for (int i = 0; !rc && types[i]; i++) {
		gs_rec a = {.field = i + 1};
		if (types[i] == 's') {
			const char *v = va_arg(ap, const char *);
			a.op = v ? OP_TEXT : OP_NULL;
			a.n = v ? strlen(v) : 0;
			rc = put(s, &a, v, (size_t)a.n);
		} else if (types[i] == 'i') {
			a.op = OP_INT;
			a.v.i = va_arg(ap, int64_t);
			rc = put(s, &a, NULL, 0);
		} else {
			a.op = OP_REAL;
			a.v.d = va_arg(ap, double);
			rc = put(s, &a, NULL, 0);
		}
	}
	if (!rc)
		boundary(s);
	return rc;
}

int crmw__gs_stage(gen_stream *s, const char *name, int64_t total)
{
	gs_rec r = {.op = OP_STAGE, .v.p = name, .n = (uint64_t)total};
	int rc = put(s, &r, NULL, 0);
	if (!rc)
		boundary(s);
	return rc;
}

/* --------------------------------------------------------------- run */

static void *producer_main(void *arg)
{
	gen_stream *s = arg;
	s->produce(s->arg);
	pthread_mutex_lock(&s->mu);
	if (s->cur->len) {
		s->queue[(s->qhead + s->qlen) % GS_CHUNKS] = (int)(s->cur - s->chunk);
		s->qlen++;
	}
	s->done = true;
	pthread_cond_signal(&s->filled);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int crmw__gs_run(gen_stream *s, void (*produce)(void *), void *arg)
{
	s->produce = produce;
	s->arg = arg;
	pthread_t t;
	if (s->threads >= 2 && pthread_create(&t, NULL, producer_main, s) != 0)
		s->threads = 1; /* no thread to be had: generate and write here */
	if (s->threads < 2) {
		produce(arg);
		if (s->cur->len && !s->wrc)
			write_chunk(s, s->cur);
		crmw__buf_clear(s->cur);
		return s->wrc;
	}
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->qlen == 0 && !s->done)
			pthread_cond_wait(&s->filled, &s->mu);
		if (s->qlen == 0)
			break;
		int i = s->queue[s->qhead];
		s->qhead = (s->qhead + 1) % GS_CHUNKS;
		s->qlen--;
		pthread_mutex_unlock(&s->mu);
		if (!s->wrc)
			write_chunk(s, &s->chunk[i]);
		crmw__buf_clear(&s->chunk[i]);
		pthread_mutex_lock(&s->mu);
		s->spare[s->nspare++] = i;
		pthread_cond_signal(&s->emptied);
	}
	pthread_mutex_unlock(&s->mu);
	pthread_join(t, NULL);
	return s->wrc;
}
