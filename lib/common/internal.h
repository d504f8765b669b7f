/*
 * lib/common/internal.h: helpers shared by every module of the library.
 * Not installed; nothing here is part of the ABI.  Internal functions use
 * the prefix crmw__ (two underscores) and hidden visibility.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_COMMON_INTERNAL_H
#define CRMW_COMMON_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crmw_config.h"
#include <crmweaver/common.h>

#if defined(__GNUC__)
#  define CRMW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define CRMW_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#  define CRMW_PRINTF(f, a)
#  define CRMW_UNUSED_RESULT
#endif

#define CRMW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- errors */

/* The error state of one handle: the code and message of its last failure. */
typedef struct crmw_err {
	int32_t code;
	char *msg; /* heap, NULL when no failure yet */
} crmw_err;

/*
 * Record a failure: formats the message, stores it in `e` (when not NULL)
 * and in the calling thread's last error, and returns `code` so that callers
 * can write `return crmw__errf(&h->err, CRMW_EINVALID, "...", ...)`.
 */
int crmw__errf(crmw_err *e, int32_t code, const char *fmt, ...) CRMW_PRINTF(3, 4);
int crmw__verrf(crmw_err *e, int32_t code, const char *fmt, va_list ap) CRMW_PRINTF(3, 0);

/*
 * The argument guard of a public entry point (libgit2's GIT_ASSERT_ARG, as
 * a refusal): when `missing` holds, record "<function>: NULL argument" on
 * `errp` (may be NULL: the thread's last error only) and return
 * CRMW_EINVALID from the enclosing function.  Every public function checks
 * its pointers with it first, before touching any output:
 *
 *     CRMW__ARGS_NONNULL(db ? &db->h.err : NULL, !out || !db || !path);
 */
#define CRMW__ARGS_NONNULL(errp, missing)                                                              \
	do {                                                                                           \
		if (missing)                                                                           \
			return crmw__errf((errp), CRMW_EINVALID, "%s: NULL argument", __func__);       \
	} while (0)

/* The handle's last message ("" when none); borrowed from `e`. */
const char *crmw__err_msg(const crmw_err *e);

/* Record a failed SQLite call (`src` its result code; `sql` may be NULL):
 * maps the code (BUSY -> CRMW_EBUSY, CORRUPT/NOTADB -> CRMW_ECORRUPT,
 * READONLY/AUTH/PERM -> CRMW_EACCESS, NOMEM, CONSTRAINT -> CRMW_EEXISTS,
 * INTERRUPT -> CRMW_ECANCELED, anything else CRMW_EIO) and formats
 * "<what>: <SQLite's message>"; a full disk, a read-only file or an I/O
 * error gets the database file in front and the system's cause after
 * ("org.db: import: database or disk is full (No space left on device)").
 * Implemented in lib/common/error.c. */
struct sqlite3;
int crmw__sqlerr(crmw_err *e, struct sqlite3 *sql, int src, const char *what);

/* sqlite3_open_v2 for a database opened read-only (`flags` holds
 * SQLITE_OPEN_READONLY).  On a read-only file system SQLite cannot create
 * the -shm file a WAL database needs; when neither it nor a non-empty -wal
 * file is beside the database, every committed page is in the file, which
 * is then opened immutable (file:PATH?immutable=1).  Implemented in
 * lib/common/error.c. */
int crmw__sqlite_open_read(struct sqlite3 **out, const char *path, int flags);

/* Forget the handle's last failure (the thread's last error is kept). */
void crmw__err_clear(crmw_err *e);

/* Free the message; `e` is reusable afterwards. */
void crmw__err_dispose(crmw_err *e);

/* ----------------------------------------------------------------- logging */

/* A handle's log sink.  Zero-initialised = no callback (messages dropped). */
typedef struct crmw_logger {
	crmw_log_fn fn;
	void *userdata;
	crmw_free_fn userdata_free;
	int32_t level; /* highest level delivered */
} crmw_logger;

/* Replace the callback; frees the previous userdata with its free function. */
void crmw__logger_set(crmw_logger *lg, crmw_log_fn fn, int32_t level, void *userdata,
		      crmw_free_fn userdata_free);
/* Free the userdata (if any) and reset to no callback. */
void crmw__logger_dispose(crmw_logger *lg);
/* True when a message at `level` would be delivered (skip costly formatting). */
bool crmw__log_enabled(const crmw_logger *lg, int32_t level);
/* Format and deliver one message.  Messages longer than 4 KiB are cut. */
void crmw__log(const crmw_logger *lg, int32_t level, const char *fmt, ...) CRMW_PRINTF(3, 4);

/* The common part of every handle: its error state and its log sink. */
typedef struct crmw_handle {
	crmw_err err;
	crmw_logger log;
} crmw_handle;

void crmw__handle_dispose(crmw_handle *h);

/* ----------------------------------------------------------------- buffers */

/*
 * Internal writers for crmw_buf.  All keep data NUL-terminated, return
 * CRMW_OK or CRMW_ENOMEM and leave the buffer unchanged on failure.
 */
int crmw__buf_reserve(crmw_buf *b, size_t extra) CRMW_UNUSED_RESULT;
int crmw__buf_append(crmw_buf *b, const void *p, size_t n);
int crmw__buf_puts(crmw_buf *b, const char *s);
int crmw__buf_putc(crmw_buf *b, char c);
int crmw__buf_printf(crmw_buf *b, const char *fmt, ...) CRMW_PRINTF(2, 3);
/* Append `s` (n bytes of UTF-8) as a quoted, escaped JSON string. */
int crmw__buf_json_str(crmw_buf *b, const char *s, size_t n);
/* Append the whole file at `path` (NUL-terminated).  0, or -1 with errno
 * set (ENOMEM when out of memory); what was read so far stays in b. */
int crmw__buf_read_file(crmw_buf *b, const char *path);
/* Append a double as a JSON number in its shortest round-trip form (null
 * for NaN and infinities). */
int crmw__buf_double(crmw_buf *b, double d);
/* Empty the buffer, keeping its memory. */
void crmw__buf_clear(crmw_buf *b);
/* Cut text longer than `max` bytes at a UTF-8 character boundary and append
 * a line "[truncated: the result has N bytes; this shows the first M.
 * <advice>]".  Shorter text is left alone. */
int crmw__buf_cut(crmw_buf *b, size_t max, const char *advice);

/* ------------------------------------------------------------------ names */

/* The closest of candidate names to `name` (edit distance, case
 * insensitive), or NULL when none is close enough to suggest ("did you
 * mean").  Offer candidates one at a time (no array, no cap on their
 * number): crmw__near_init, crmw__near_add for each, crmw__near_best.
 * lib/common/names.c. */
typedef struct crmw__near {
	const char *name;  /* what was written */
	const char *best;  /* borrowed from the candidates */
	size_t best_d;
} crmw__near;
void crmw__near_init(crmw__near *n, const char *name);
void crmw__near_add(crmw__near *n, const char *cand);
const char *crmw__near_best(const crmw__near *n);
/* The same over an array of `n` candidates. */
const char *crmw__closest_name(const char *name, const char *const *cands, size_t n);

/* qsort comparator of an array of C strings (char *), by strcmp. */
static inline int crmw__strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ----------------------------------------------------------------- hashing */

/* FNV-1a over n bytes, continuing from h (start with CRMW_FNV_OFFSET). */
#define CRMW_FNV_OFFSET 0xcbf29ce484222325ULL
static inline uint64_t crmw__fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* splitmix64's finaliser: a bijective 64-bit mix. */
static inline uint64_t crmw__mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* ------------------------------------------------------------------ memory */

/* Duplicate a string; NULL on NULL input or out of memory. */
char *crmw__strdup(const char *s);
char *crmw__strndup(const char *s, size_t n);
/* Cut a NUL-terminated string that ends in part of a UTF-8 character (as
 * snprintf leaves a message it cut short) before that part. */
void crmw__utf8_trim(char *s);
/* The longest prefix of s (n bytes) of at most max bytes that ends between
 * characters: what a message shows of a long value. */
size_t crmw__utf8_prefix(const char *s, size_t n, size_t max);

/* ------------------------------------------------------------------- dates */

/* Normalise a date (YYYY-MM-DD) or datetime (to YYYY-MM-DDTHH:MM:SSZ, UTC);
 * 0 on success, -1 when the text is not one.  See lib/common/date.c. */
int crmw__parse_datetime(const char *s, size_t n, char out[21]);
int crmw__parse_date(const char *s, size_t n, char out[11]);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t crmw__days_from_civil(int y, int m, int d);
void crmw__civil_from_days(int64_t days, int *y, int *m, int *d);
int crmw__days_in_month(int y, int m);
/* A named period: a month ("March"), a quarter ("Q1" to "Q4"), a season
 * ("Spring", "Summer", "Fall"/"Autumn", "Winter" from December) or "Year"
 * (any letter case): its first month and its length in months. */
bool crmw__named_period(const char *name, size_t n, int *start_month, int *months);
/* The same, returning the period's name as the tools spell it ("March",
 * "Q2", "Autumn", "Year": static), or NULL when `name` names none. */
const char *crmw__period_name(const char *name, size_t n, int *start_month, int *months);
/* "January" to "December" for 1 to 12; NULL otherwise. */
const char *crmw__month_name(int m);
/* The day n units before day `end`: unit 'd' (days), 'w' (weeks), 'm'
 * (months) or 'q' (quarters: 3 months), months by the calendar: the same
 * day of the month, or that month's last day when it is shorter (a month
 * before March 31 is the last day of February).  The start of "the past n
 * units" ending at `end`, as the get_start_date tool counts.  n from 0 to
 * 4,000,000 (no overflow; the result may fall before year 1). */
int64_t crmw__days_before(int64_t end, int unit, int64_t n);

/* ----------------------------------------------------------------- periods */

/* What a time expression of a question names (lib/common/period.c). */
enum {
	CRMW__PERIOD_DAY = 1, /* one day: "yesterday", "3 days ago", "2024-03-15", "March 15, 2024" */
	CRMW__PERIOD_RELATIVE, /* "the past 3 months": from `count` units before today up to today */
	CRMW__PERIOD_MONTH,    /* "March 2024" */
	CRMW__PERIOD_QUARTER,  /* "Q2 2023", "the second quarter of 2023" */
	CRMW__PERIOD_SEASON,   /* "Winter 2023": December 2023 to February 2024 */
	CRMW__PERIOD_YEAR,     /* "in 2023", "the year 2023" */
};
/* A word next to the expression changes what it means ("since", "until",
 * "of" as in "the last week of March 2024", "fiscal"; either end of a range
 * or of "Q1 2024 and Q2 2024"): the bounds are those of the expression
 * alone, which is not what was asked. */
#define CRMW__PERIOD_QUALIFIED 1

typedef struct crmw__period {
	int kind;     /* CRMW__PERIOD_* */
	int flags;    /* CRMW__PERIOD_QUALIFIED */
	int unit;     /* relative and "ago": 'd', 'w', 'm' or 'q' (a fortnight is 14 'd', a year 12 'm'); else 0 */
	int64_t count; /* relative and "ago": how many units before today (yesterday 1 'd', today 0, tomorrow -1) */
	const char *name; /* month, quarter and season: the get_period tool's name ("March", "Q2", "Fall"); else NULL */
	int year;     /* named periods and years: the year as written (Winter 2023: 2023) */
	int64_t start, end, last; /* days since 1970-01-01: first day, the day after (exclusive), last day */
	size_t at, len; /* the bytes of the text it was read from, with a leading "in", "over", "during", ... */
} crmw__period;

/*
 * Every time expression of a question, in order, read with the rules every
 * synthesized task states (docs/tasks.md, "Periods"): relative periods up
 * to today ("in the past 3 months", "over the last quarter", "the previous
 * fortnight"), named months, quarters and seasons of a year, years, single
 * days ("yesterday", "two weeks ago", "2024-03-15").  `today` is the day the
 * question is asked (days since 1970-01-01).  ASCII letters in any case;
 * one pass with a bounded look-ahead (linear in n, no allocation); reads no
 * byte at or after text[n].  Writes the first `nmax` into `out` (which may
 * be NULL when nmax is 0) and returns how many there are, which may be more
 * than nmax.
 */
size_t crmw__period_find(const char *text, size_t n, int64_t today, crmw__period *out, size_t nmax);

/* ------------------------------------------------------------------ arenas */

/* A bump allocator for short-lived trees (parsed queries): everything is
 * freed at once.  Allocations are 16-byte aligned. */
typedef struct crmw_arena {
	struct crmw_arena_chunk *head;
	size_t used, cap;
} crmw_arena;

void *crmw__arena_alloc(crmw_arena *a, size_t n); /* zeroed; NULL when out of memory */
char *crmw__arena_strndup(crmw_arena *a, const char *s, size_t n);
void crmw__arena_free(crmw_arena *a);

/* ------------------------------------------------------------------- faiss */

#if CRMW_HAVE_FAISS
/* Builds a small Flat index through the faiss C API and searches it.
 * CRMW_OK when faiss answers correctly; otherwise an error with a message. */
int crmw__faiss_selftest(void);
#endif

#endif /* CRMW_COMMON_INTERNAL_H */
