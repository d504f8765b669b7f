/*
 * Unit tests of lib/query/sqlfn.c, the linear-time stand-ins for SQLite's
 * instr, replace, trim, ltrim, rtrim, like, glob, printf and format:
 *  - differential: thousands of random short inputs (UTF-8, malformed
 *    UTF-8, empty strings, NULLs, numbers, blobs, embedded NULs, escapes,
 *    GLOB sets) through SQLite's own function on a plain connection and
 *    through ours on another; results (type and bytes) and errors must be
 *    equal;
 *  - the attacks that escaped the time budget and the byte cap, which now
 *    end with a result or the budget's error (never asserted on time).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <crmweaver.h>

#include "query/internal.h"
#include "query/sqlfn.h"

/* ------------------------------------------------------- differential */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Pieces random strings are made of: the wildcards and set syntax of both
 * LIKE and GLOB, letters in both cases, UTF-8, malformed UTF-8 (stray
 * continuation bytes, lone lead bytes, overlong and over-long sequences). */
static const char *const pieces[] = {
	"a", "a", "b", "A", "B", "z", "Z", "%", "%", "_", "*", "*", "?", "[", "]", "^", "-", "\\", "x",
	"\xc3\xa9",           /* é */
	"\xc3\x89",           /* É */
	"\xe2\x82\xac",       /* € */
	"\xf0\x9f\x98\x80",   /* an emoji */
	"\x80", "\xbf",       /* stray continuation bytes */
	"\xc3",               /* a lead byte alone */
	"\xe2\x82",           /* a short sequence */
	"\xc0\x80",           /* overlong NUL */
	"\xef\xbf\xbd",       /* U+FFFD itself */
	"\xf4\x80\x80\x80\x80\x80", /* a lead byte with too many continuation bytes */
	"\xff", " ",
};

/* A random byte string of up to `max` pieces into buf (not NUL-terminated). */
static int rand_bytes(unsigned char *buf, int max)
{
	int n = 0, k = (int)rnd((uint32_t)max + 1);
	for (int i = 0; i < k; i++) {
		const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
		size_t l = strlen(p);
		memcpy(buf + n, p, l);
		n += (int)l;
	}
	if (n > 0 && rnd(40) == 0)
		buf[rnd((uint32_t)n)] = '\0'; /* an embedded NUL */
	return n;
}

/* Bind a random value: mostly text, sometimes NULL, a number or a blob. */
static void bind_random(sqlite3_stmt *a, sqlite3_stmt *b, int col, int max)
{
	unsigned char buf[256];
	uint32_t kind = rnd(20);
	if (kind == 0) {
		sqlite3_bind_null(a, col);
		sqlite3_bind_null(b, col);
	} else if (kind == 1) {
		int64_t v = (int64_t)rnd(2000) - 1000;
		sqlite3_bind_int64(a, col, v);
		sqlite3_bind_int64(b, col, v);
	} else if (kind == 2) {
		double v = ((double)rnd(100000) - 50000) / 64.0;
		sqlite3_bind_double(a, col, v);
		sqlite3_bind_double(b, col, v);
	} else if (kind == 3) {
		int n = rand_bytes(buf, max);
		sqlite3_bind_blob(a, col, buf, n, SQLITE_TRANSIENT);
		sqlite3_bind_blob(b, col, buf, n, SQLITE_TRANSIENT);
	} else {
		int n = rand_bytes(buf, max);
		sqlite3_bind_text(a, col, (const char *)buf, n, SQLITE_TRANSIENT);
		sqlite3_bind_text(b, col, (const char *)buf, n, SQLITE_TRANSIENT);
	}
}

static void show_value(char *out, size_t cap, sqlite3_stmt *st, int col)
{
	int t = sqlite3_column_type(st, col);
	const unsigned char *p = t == SQLITE_BLOB ? sqlite3_column_blob(st, col) : sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	size_t k = (size_t)snprintf(out, cap, "type %d: ", t);
	for (int i = 0; p && i < n && k + 5 < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, p[i] >= 32 && p[i] < 127 ? "%c" : "\\x%02x", p[i]);
}

static void show_args(char *out, size_t cap, sqlite3_stmt *st)
{
	size_t k = 0;
	out[0] = '\0';
	char *sql = sqlite3_expanded_sql(st);
	if (sql) {
		for (const unsigned char *p = (const unsigned char *)sql; *p && k + 5 < cap; p++)
			k += (size_t)snprintf(out + k, cap - k, *p >= 32 && *p < 127 ? "%c" : "\\x%02x", *p);
		sqlite3_free(sql);
	}
}

/* Step both statements and require the same outcome. */
static void same_outcome(sqlite3 *ref_db, sqlite3 *our_db, sqlite3_stmt *ref, sqlite3_stmt *our)
{
	int ra = sqlite3_step(ref), rb = sqlite3_step(our);
	char args[1200], va[600], vb[600];
	if (ra != rb || (ra != SQLITE_ROW && strcmp(sqlite3_errmsg(ref_db), sqlite3_errmsg(our_db)) != 0)) {
		show_args(args, sizeof args, ref);
		fail_msg("%s: SQLite %d (%s), ours %d (%s)", args, ra, sqlite3_errmsg(ref_db), rb, sqlite3_errmsg(our_db));
	}
	if (ra == SQLITE_ROW) {
		int ta = sqlite3_column_type(ref, 0), tb = sqlite3_column_type(our, 0);
		bool same = ta == tb;
		if (same && ta == SQLITE_INTEGER)
			same = sqlite3_column_int64(ref, 0) == sqlite3_column_int64(our, 0);
		else if (same && ta == SQLITE_FLOAT)
			same = sqlite3_column_double(ref, 0) == sqlite3_column_double(our, 0);
		else if (same && ta != SQLITE_NULL) {
			const void *a = ta == SQLITE_BLOB ? sqlite3_column_blob(ref, 0) : (const void *)sqlite3_column_text(ref, 0);
			const void *b = ta == SQLITE_BLOB ? sqlite3_column_blob(our, 0) : (const void *)sqlite3_column_text(our, 0);
			int na = sqlite3_column_bytes(ref, 0), nb = sqlite3_column_bytes(our, 0);
			same = na == nb && (na == 0 || memcmp(a, b, (size_t)na) == 0);
		}
		if (!same) {
			show_args(args, sizeof args, ref);
			show_value(va, sizeof va, ref, 0);
			show_value(vb, sizeof vb, our, 0);
			fail_msg("%s\n  SQLite: %s\n  ours:   %s", args, va, vb);
		}
	}
	sqlite3_reset(ref);
	sqlite3_reset(our);
	sqlite3_clear_bindings(ref);
	sqlite3_clear_bindings(our);
}

typedef struct pair {
	sqlite3 *ref, *our;
} pair;

static int setup_pair(void **state)
{
	pair *p = calloc(1, sizeof *p);
	assert_non_null(p);
	assert_int_equal(sqlite3_open(":memory:", &p->ref), SQLITE_OK);
	assert_int_equal(sqlite3_open(":memory:", &p->our), SQLITE_OK);
	assert_int_equal(crmw__sqlfn_register(p->our, NULL, NULL), SQLITE_OK);
	*state = p;
	return 0;
}

static int teardown_pair(void **state)
{
	pair *p = *state;
	sqlite3_close(p->ref);
	sqlite3_close(p->our);
	free(p);
	return 0;
}

static void prepare2(pair *p, const char *sql, sqlite3_stmt **a, sqlite3_stmt **b)
{
	if (sqlite3_prepare_v2(p->ref, sql, -1, a, NULL) || sqlite3_prepare_v2(p->our, sql, -1, b, NULL))
		fail_msg("%s: %s / %s", sql, sqlite3_errmsg(p->ref), sqlite3_errmsg(p->our));
}

static void set_limits(pair *p, int length, int like)
{
	sqlite3_limit(p->ref, SQLITE_LIMIT_LENGTH, length);
	sqlite3_limit(p->our, SQLITE_LIMIT_LENGTH, length);
	sqlite3_limit(p->ref, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, like);
	sqlite3_limit(p->our, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, like);
}

/* `rounds` calls of `sql` with `nargs` random arguments of up to `max` pieces. */
static void differential(pair *p, const char *sql, int nargs, int max, int rounds)
{
	sqlite3_stmt *a, *b;
	prepare2(p, sql, &a, &b);
	for (int i = 0; i < rounds; i++) {
		for (int k = 1; k <= nargs; k++)
			bind_random(a, b, k, k == 1 ? max : max / 2 + 1);
		same_outcome(p->ref, p->our, a, b);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
}

static void test_diff_instr_replace_trim(void **state)
{
	pair *p = *state;
	set_limits(p, 1000000, 50000);
	differential(p, "SELECT instr(?1, ?2)", 2, 12, 6000);
	differential(p, "SELECT replace(?1, ?2, ?3)", 3, 12, 6000);
	for (const char *const *f = (const char *const[]){"trim", "ltrim", "rtrim", NULL}; *f; f++) {
		char sql[64];
		snprintf(sql, sizeof sql, "SELECT %s(?1, ?2)", *f);
		differential(p, sql, 2, 14, 6000);
	}
	/* The length limit: SQLite's errors for too big a result or set. */
	set_limits(p, 40, 50000);
	differential(p, "SELECT replace(?1, ?2, ?3)", 3, 16, 3000);
	differential(p, "SELECT trim(?1, ?2)", 2, 16, 3000);
}

/* Runs of continuation bytes and sets whose characters are prefixes of one
 * another, in every order: what the trie and the end-of-string walk handle. */
static void test_diff_trim_malformed(void **state)
{
	pair *p = *state;
	set_limits(p, 1000000, 50000);
	static const char *const set_parts[] = {"\xc3", "\xc3\x80", "\xc3\x80\x80", "\x80", "\xc3\x81", "a", "\xe2\x80\x80\x80"};
	static const char *const in_parts[] = {"\xc3", "\x80", "\x81", "a", "\xe2", "b"};
	const char *fns[] = {"SELECT trim(?1, ?2)", "SELECT ltrim(?1, ?2)", "SELECT rtrim(?1, ?2)"};
	for (int f = 0; f < 3; f++) {
		sqlite3_stmt *a, *b;
		prepare2(p, fns[f], &a, &b);
		for (int i = 0; i < 4000; i++) {
			char in[128] = "", set[128] = "";
			for (int k = (int)rnd(12); k > 0; k--)
				strcat(in, in_parts[rnd(sizeof in_parts / sizeof in_parts[0])]);
			for (int k = (int)rnd(5); k > 0; k--)
				strcat(set, set_parts[rnd(sizeof set_parts / sizeof set_parts[0])]);
			sqlite3_bind_text(a, 1, in, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(b, 1, in, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(a, 2, set, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(b, 2, set, -1, SQLITE_TRANSIENT);
			same_outcome(p->ref, p->our, a, b);
		}
		sqlite3_finalize(a);
		sqlite3_finalize(b);
	}
}

static void test_diff_like_glob(void **state)
{
	pair *p = *state;
	set_limits(p, 1000000, 50000);
	/* like(pattern, string) is `string LIKE pattern`. */
	differential(p, "SELECT like(?1, ?2)", 2, 10, 20000);
	differential(p, "SELECT glob(?1, ?2)", 2, 10, 20000);
	differential(p, "SELECT like(?1, ?2, ?3)", 3, 10, 8000);
	/* Escapes that are one character, wildcards among them. */
	const char *escs[] = {"\\", "%", "_", "x", "\xc3\xa9", "\x80", "[", "a"};
	for (size_t e = 0; e < sizeof escs / sizeof escs[0]; e++) {
		char sql[64];
		snprintf(sql, sizeof sql, "SELECT ?2 LIKE ?1 ESCAPE '%s'", escs[e]);
		differential(p, sql, 2, 10, 3000);
	}
	/* The pattern length limit, and blobs. */
	set_limits(p, 1000000, 6);
	differential(p, "SELECT like(?1, ?2)", 2, 6, 3000);
	differential(p, "SELECT glob(?1, ?2)", 2, 6, 3000);
	/* Long strings with few distinct characters: leftmost placement,
	 * segments between stars, many candidate positions. */
	set_limits(p, 1000000, 50000);
	sqlite3_stmt *a, *b;
	prepare2(p, "SELECT like(?1, ?2), 0 UNION ALL SELECT glob(?3, ?2), 1 ORDER BY 2", &a, &b);
	for (int i = 0; i < 3000; i++) {
		char s[200], pat[40], gpat[40];
		int n = (int)rnd(60), m = (int)rnd(14);
		for (int k = 0; k < n; k++)
			s[k] = "abAB"[rnd(rnd(3) ? 2 : 4)];
		s[n] = '\0';
		for (int k = 0; k < m; k++) {
			pat[k] = "ab%%_A"[rnd(6)];
			gpat[k] = "ab**?["[rnd(rnd(8) ? 5 : 6)];
		}
		pat[m] = gpat[m] = '\0';
		sqlite3_bind_text(a, 1, pat, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(b, 1, pat, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 2, s, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(b, 2, s, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 3, gpat, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(b, 3, gpat, -1, SQLITE_TRANSIENT);
		for (int row = 0; row < 2; row++) {
			int ra = sqlite3_step(a), rb = sqlite3_step(b);
			assert_int_equal(ra, SQLITE_ROW);
			assert_int_equal(rb, SQLITE_ROW);
			if (sqlite3_column_int(a, 0) != sqlite3_column_int(b, 0))
				fail_msg("'%s' %s '%s': SQLite %d, ours %d", s, row ? "GLOB" : "LIKE", row ? gpat : pat,
					 sqlite3_column_int(a, 0), sqlite3_column_int(b, 0));
		}
		sqlite3_reset(a);
		sqlite3_reset(b);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
}

/* A pattern that is a constant keeps its compiled form across rows: the
 * same answers with a changing string and a changing escape. */
static void test_like_constant_pattern(void **state)
{
	pair *p = *state;
	set_limits(p, 1000000, 50000);
	const char *sql = "WITH s(x, e) AS (VALUES ('abc', '\\'), ('a%c', '\\'), ('aXc', 'X'), ('a_c', '_'), ('ABC', '\\'),"
			  " (NULL, '\\'), ('a%c', NULL)) SELECT group_concat(coalesce(x LIKE 'a\\%c' ESCAPE e, 'n') ||"
			  " (x LIKE '%B%') || (x GLOB '*[a-c]') || coalesce(x LIKE 'aX_' ESCAPE e, 'n'), ',') FROM s";
	sqlite3_stmt *a, *b;
	prepare2(p, sql, &a, &b);
	same_outcome(p->ref, p->our, a, b);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
}

/* printf/format: formats made of random directives with random arguments,
 * with a small length limit so that the %c shortcut is taken. */
static void test_diff_printf(void **state)
{
	pair *p = *state;
	static const char *const conv[] = {"d", "i", "u", "x", "X", "o", "f", "e", "E", "g", "G", "s", "z", "q", "Q", "w",
					   "c", "c", "c", "%", "n", "p", "r", "T", "S", "y", "", "!"};
	static const char *const flags[] = {"", "", "-", "+", " ", "#", "!", "0", ",", "l", "ll", "-0"};
	for (int limit = 0; limit < 2; limit++) {
		set_limits(p, limit ? 64 : 100000, 50000);
		sqlite3_stmt *a[6], *b[6];
		for (int n = 0; n < 6; n++) {
			char sql[96] = "SELECT printf(?1";
			for (int k = 2; k <= n + 1; k++)
				snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", ?%d", k);
			strcat(sql, ")");
			prepare2(p, sql, &a[n], &b[n]);
		}
		for (int i = 0; i < 6000; i++) {
			char fmt[160] = "";
			for (int d = (int)rnd(4); d >= 0; d--) {
				if (rnd(3) == 0)
					strcat(fmt, rnd(2) ? "ab" : "\xc3\xa9 ");
				strcat(fmt, "%");
				strcat(fmt, flags[rnd(sizeof flags / sizeof flags[0])]);
				uint32_t w = rnd(4);
				if (w == 1)
					snprintf(fmt + strlen(fmt), sizeof fmt - strlen(fmt), "%u", rnd(12));
				else if (w == 2)
					strcat(fmt, "*");
				uint32_t pr = rnd(4);
				if (pr == 1)
					snprintf(fmt + strlen(fmt), sizeof fmt - strlen(fmt), ".%u", rnd(rnd(4) ? 12 : 300));
				else if (pr == 2)
					strcat(fmt, ".*");
				strcat(fmt, conv[rnd(sizeof conv / sizeof conv[0])]);
			}
			int n = (int)rnd(6);
			sqlite3_bind_text(a[n], 1, fmt, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(b[n], 1, fmt, -1, SQLITE_TRANSIENT);
			for (int k = 2; k <= n + 1; k++) {
				uint32_t kind = rnd(6);
				if (kind < 3) {
					/* widths and precisions, some over the limit */
					int64_t v = (int64_t)rnd(kind == 0 ? 400 : 20) - (kind == 2 ? 10 : 0);
					sqlite3_bind_int64(a[n], k, v);
					sqlite3_bind_int64(b[n], k, v);
				} else {
					bind_random(a[n], b[n], k, 4);
				}
			}
			same_outcome(p->ref, p->our, a[n], b[n]);
		}
		for (int n = 0; n < 6; n++) {
			sqlite3_finalize(a[n]);
			sqlite3_finalize(b[n]);
		}
	}
	/* format() is printf(); no arguments, and a NULL format, give NULL. */
	set_limits(p, 100000, 50000);
	sqlite3_stmt *a, *b;
	prepare2(p, "SELECT format('%d-%s', 7, 'x') || coalesce(printf(NULL), 'N') || coalesce(printf(), 'N')", &a, &b);
	same_outcome(p->ref, p->our, a, b);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
}

/* ------------------------------------------------------------ attacks */

static crmw_db *org(void)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "crmarena"), CRMW_OK);
	crmw_db *db = NULL;
	assert_int_equal(crmw_db_create(&db, ":memory:", s, NULL), CRMW_OK);
	crmw_schema_free(s);
	return db;
}

/* The query ends with a result equal to `want` (when not NULL) or with the
 * time budget's error; never anything else. */
static void ends_in_budget(crmw_db *db, const crmw_query_opts *o, const char *sql, const char *want)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query_sql(&b, db, sql, strlen(sql), o);
	if (rc == CRMW_ELIMIT)
		assert_non_null(strstr(crmw_db_errmsg(db), "QUERY_TIMEOUT"));
	else if (rc != CRMW_OK)
		fail_msg("%.80s: %s", sql, crmw_db_errmsg(db));
	else if (want && strcmp(b.data, want) != 0)
		fail_msg("%.80s: %s, not %s", sql, b.data, want);
	crmw_buf_dispose(&b);
}

static void test_attacks_end_in_budget(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_timeout_ms(o, 100), CRMW_OK);
	/* Each took seconds to minutes in one call before (n*m); printf's %c
	 * looped its precision even past the length limit. */
	static const char *const attacks[][2] = {
		{"SELECT instr(printf('%.*c', 8000000, 'a'), printf('%.*c', 4000, 'a') || 'b') AS n",
		 "[{\"n\":0}]"},
		{"SELECT length(replace(printf('%.*c', 8000000, 'a'), printf('%.*c', 4000, 'a') || 'b', 'x')) AS n",
		 "[{\"n\":8000000}]"},
		{"SELECT length(ltrim(printf('%.*c', 8000000, 'a'), printf('%.*c', 50000, 'b') || 'a')) AS n",
		 "[{\"n\":0}]"},
		{"SELECT length(rtrim(printf('%.*c', 8000000, 'a'), printf('%.*c', 50000, 'b') || 'a')) AS n",
		 "[{\"n\":0}]"},
		{"SELECT length(trim(printf('%.*c', 4000000, '\xc3\xa9'), printf('%.*c', 50000, '\xc3\xa8') || '\xc3\xa9')) AS n",
		 "[{\"n\":0}]"},
		{"SELECT printf('%.*c', 8000000, 'a') LIKE '%' || printf('%.*c', 990, 'a') || 'b%' AS n",
		 "[{\"n\":0}]"},
		{"SELECT printf('%.*c', 8000000, 'a') LIKE '%' || printf('%.*c', 990, '_') || 'b%' AS n",
		 "[{\"n\":0}]"},
		{"SELECT printf('%.*c', 8000000, 'a') GLOB '*' || printf('%.*c', 990, 'a') || 'b*' AS n",
		 "[{\"n\":0}]"},
		{"SELECT printf('%.*c', 8000000, 'a') GLOB '*' || printf('%.*c', 300, '[a]') || 'b*' AS n",
		 "[{\"n\":0}]"},
		{"SELECT printf('%.*c', 2000000, 'a') GLOB '*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*b' AS n",
		 "[{\"n\":0}]"},
		{"SELECT printf('%.*c', 2147483647, 'a') IS NULL AS n",
		 "[{\"n\":1}]"},
	};
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
		ends_in_budget(db, o, attacks[i][0], attacks[i][1]);
	/* Many of them in a row: each checks the clock before its work. */
	ends_in_budget(db, o,
		       "WITH s(v) AS (SELECT printf('%.*c', 4000000, 'a')) SELECT instr(v, 'b') + instr(v, 'c') + instr(v, 'd') +"
		       " instr(v, 'e') + instr(v, 'f') + instr(v, 'g') + instr(v, 'h') + instr(v, 'i') + instr(v, 'j') +"
		       " instr(v, 'k') + instr(v, 'l') + instr(v, 'm') + instr(v, 'n') + instr(v, 'o') + instr(v, 'p') AS n FROM s",
		       "[{\"n\":0}]");
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

static int pragma(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Raw SQL's settings (temporary storage, cache, limits) are the
 * connection's own again after every query, failed ones too. */
static void test_sandbox_state_restored(void **state)
{
	(void)state;
	crmw_db *db = org();
	crmw_buf b = CRMW_BUF_INIT;
	const char *first = "SELECT 1 AS x";
	assert_int_equal(crmw_query_sql(&b, db, first, strlen(first), NULL), CRMW_OK);
	int ts = pragma(db->sql, "PRAGMA temp_store"), cs = pragma(db->sql, "PRAGMA main.cache_size");
	int len = sqlite3_limit(db->sql, SQLITE_LIMIT_LENGTH, -1), col = sqlite3_limit(db->sql, SQLITE_LIMIT_COLUMN, -1);
	assert_int_equal(ts, 2); /* the store's MEMORY */
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_timeout_ms(o, 20), CRMW_OK);
	const char *runs[] = {
		"SELECT count(*) FROM (SELECT x FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 3000)"
		" SELECT x FROM r) ORDER BY x DESC)",
		"WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
		"DROP TABLE \"Case\"", "SELECT nosuchfunction(1)", "SELECT 'a' || zeroblob(10)",
	};
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		crmw_query_sql(&b, db, runs[i], strlen(runs[i]), o);
		assert_int_equal(pragma(db->sql, "PRAGMA temp_store"), ts);
		assert_int_equal(pragma(db->sql, "PRAGMA main.cache_size"), cs);
		assert_int_equal(sqlite3_limit(db->sql, SQLITE_LIMIT_LENGTH, -1), len);
		assert_int_equal(sqlite3_limit(db->sql, SQLITE_LIMIT_COLUMN, -1), col);
	}
	crmw_buf_dispose(&b);
	crmw_query_opts_free(o);
	crmw_db_free(db);
}

/* A truncating run (the tools' passthrough) cuts at a value longer than the
 * byte cap instead of failing: no record holding it could be shown. */
static void test_truncating_run_cuts_at_long_value(void **state)
{
	(void)state;
	crmw_db *db = org();
	char rec[3200];
	const char *subjects[] = {"A", "B", "C"};
	for (int i = 0; i < 3; i++) {
		snprintf(rec, sizeof rec, "{\"Subject\":\"%s\",\"Description\":\"%0*d\"}", subjects[i], i == 1 ? 3000 : 10, 0);
		assert_int_equal(crmw_record_insert(NULL, db, "Case", rec, strlen(rec)), CRMW_OK);
	}
	crmw_query_opts o;
	crmw__query_opts_init(&o);
	o.max_bytes = 1000;
	crmw__qinfo info = {0};
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Subject, Description FROM Case";
	assert_int_equal(crmw__query_run(&b, db, q, strlen(q), &o, &info), CRMW_OK);
	assert_true(info.truncated);
	assert_int_equal(info.shown, 1);
	assert_int_equal(info.total, -1);
	assert_non_null(strstr(b.data, "\"Subject\":\"A\""));
	/* Without truncation it is the value limit's error. */
	assert_int_equal(crmw_query(&b, db, q, strlen(q), &o), CRMW_ELIMIT);
	assert_non_null(strstr(crmw_db_errmsg(db), "larger than 1000 bytes"));
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_diff_instr_replace_trim, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_diff_trim_malformed, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_diff_like_glob, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_like_constant_pattern, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_diff_printf, setup_pair, teardown_pair),
		cmocka_unit_test(test_attacks_end_in_budget),
		cmocka_unit_test(test_sandbox_state_restored),
		cmocka_unit_test(test_truncating_run_cuts_at_long_value),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("sqlfn", tests, NULL, NULL);
}
