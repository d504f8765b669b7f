/*
 * Linear-time stand-ins for SQLite's superlinear string functions.
 *
 * The sandbox's time budget is a progress handler, which SQLite calls
 * between VM steps and never inside one function call.  SQLite's instr(),
 * replace(), trim(X,Y), ltrim(X,Y), rtrim(X,Y), LIKE and GLOB take time
 * n*m in one call (instr() of a 4 kB needle in an 8 MB haystack: seconds;
 * ltrim() of 8 MB with a 50,000-character set, or LIKE '%<990 a's>b%' over
 * 8 MB: minutes).  These replace them on the library's connections and give
 * exactly SQLite 3.40's results (NULL handling, result types, blobs, UTF-8
 * as SQLite reads it, malformed sequences included, the same errors) in
 * time linear in their input:
 *
 *  - instr(), replace(): glibc's memmem (Two-Way above 256 bytes of needle, a
 *    hashed Horspool below, at most n*256), one scan for each match found.
 *  - trim family: a trie of the set's characters, walked once per run of
 *    continuation bytes.
 *  - LIKE, GLOB: every token but % (*) matches exactly one character, so a
 *    pattern is literal segments between stars: the first anchored at the
 *    start, the last at the end, each one between at its leftmost place
 *    after the one before (greedy leftmost placement finds a match whenever
 *    there is one).  A segment of plain characters is found with KMP, one
 *    with _ ? or [...] in it by bit-parallel matching (shift-and, a word of
 *    state per 64 tokens; the sandbox's 1000-byte pattern limit keeps that
 *    to 16 words).  Compiled patterns are kept as auxiliary data while the
 *    pattern is a constant or a bound parameter.
 *  - printf(), format(): linear in their output already, except %c with a
 *    precision, which loops that many times even past the length limit;
 *    such a call gives SQLite's NULL at once (see fn_printf).
 *
 * Long calls ask the sandbox whether the query's time is up, before they
 * start and every CHECK_EVERY characters, and fail with SQLITE_INTERRUPT
 * when it is.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* memmem */
#include "query/sqlfn.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_EVERY (1 << 16) /* bytes or characters of work between clock checks */
#define NONE INT_MAX          /* no character of a trim set */
#define MAX_WORDS 16          /* shift-and state of a LIKE/GLOB segment, in 64-bit words */

enum { FN_GLOB = 4 };

#define MAX_ARGS 127 /* SQLITE_MAX_FUNCTION_ARG */

typedef struct fnctx {
	crmw__sqlfn_expired expired;
	void *ud;
	int flags;              /* trim: 1 left, 2 right; like/glob: FN_GLOB */
	bool blobs_never_match; /* SQLITE_LIKE_DOESNT_MATCH_BLOBS */
	sqlite3 *plain;         /* printf: a connection with SQLite's own printf() */
	sqlite3_stmt **call;    /* printf: "SELECT printf(?1, ..., ?n)" by n */
} fnctx;

static void fnctx_free(void *v)
{
	fnctx *f = v;
	if (!f)
		return;
	for (int i = 0; f->call && i <= MAX_ARGS; i++)
		sqlite3_finalize(f->call[i]);
	sqlite3_free(f->call);
	sqlite3_close(f->plain);
	sqlite3_free(f);
}

/* True, with the call failed, when the query's time is up. */
static bool expired(sqlite3_context *ctx)
{
	const fnctx *f = sqlite3_user_data(ctx);
	if (f->expired && f->expired(f->ud)) {
		sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------- UTF-8 */

/* sqlite3Utf8Trans1 */
static const unsigned char trans1[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
};

static bool is_cont(unsigned char b)
{
	return (b & 0xc0) == 0x80;
}

/* One character as sqlite3Utf8Read() reads it: a byte below 0xc0 alone, or
 * a lead byte with every continuation byte after it (any number); what is
 * malformed reads as U+FFFD.  The text ends with a NUL, which is not passed. */
static uint32_t utf8_read(const unsigned char **pz)
{
	const unsigned char *z = *pz;
	uint32_t c = *z++;
	if (c >= 0xc0) {
		c = trans1[c - 0xc0];
		while (is_cont(*z))
			c = (c << 6) + (0x3f & *z++);
		if (c < 0x80 || (c & 0xFFFFF800) == 0xD800 || (c & 0xFFFFFFFE) == 0xFFFE)
			c = 0xFFFD;
	}
	*pz = z;
	return c;
}

/* SQLITE_SKIP_UTF8: the same characters, not decoded. */
static const unsigned char *utf8_skip(const unsigned char *z)
{
	if (*z++ >= 0xc0)
		while (is_cont(*z))
			z++;
	return z;
}

/* ------------------------------------------------------------- instr */

static void fn_instr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	int th = sqlite3_value_type(argv[0]), tn = sqlite3_value_type(argv[1]);
	if (th == SQLITE_NULL || tn == SQLITE_NULL)
		return;
	int nh = sqlite3_value_bytes(argv[0]);
	int nn = sqlite3_value_bytes(argv[1]);
	if (nn <= 0) {
		sqlite3_result_int(ctx, 1);
		return;
	}
	sqlite3_value *c1 = NULL, *c2 = NULL;
	const unsigned char *h, *nd;
	bool text = true;
	if (th == SQLITE_BLOB && tn == SQLITE_BLOB) {
		h = sqlite3_value_blob(argv[0]);
		nd = sqlite3_value_blob(argv[1]);
		text = false;
	} else if (th != SQLITE_BLOB && tn != SQLITE_BLOB) {
		h = sqlite3_value_text(argv[0]);
		nd = sqlite3_value_text(argv[1]);
	} else {
		/* One blob, one not: both as text, without changing the arguments. */
		h = (c1 = sqlite3_value_dup(argv[0])) ? sqlite3_value_text(c1) : NULL;
		nh = h ? sqlite3_value_bytes(c1) : 0;
		nd = h && (c2 = sqlite3_value_dup(argv[1])) ? sqlite3_value_text(c2) : NULL;
		nn = nd ? sqlite3_value_bytes(c2) : 0;
	}
	if (!nd || (nh && !h)) {
		sqlite3_result_error_nomem(ctx);
	} else if (nh < CHECK_EVERY || !expired(ctx)) {
		/* SQLite steps through the haystack a character at a time (text) or
		 * a byte at a time (blobs) and compares bytes.  A needle that starts
		 * with a continuation byte can match only at the first byte; any
		 * other matches only where a character starts. */
		int pos = 0;
		if (nn <= nh) {
			const unsigned char *at;
			if (text && is_cont(nd[0]))
				at = memcmp(h, nd, (size_t)nn) == 0 ? h : NULL;
			else
				at = memmem(h, (size_t)nh, nd, (size_t)nn);
			if (at) {
				pos = 1;
				if (!text)
					pos += (int)(at - h);
				else
					for (const unsigned char *p = h + 1; p <= at; p++)
						pos += !is_cont(*p);
			}
		}
		sqlite3_result_int(ctx, pos);
	}
	sqlite3_value_free(c1);
	sqlite3_value_free(c2);
}

/* ----------------------------------------------------------- replace */

static void fn_replace(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *s = sqlite3_value_text(argv[0]);
	if (!s)
		return;
	int ns = sqlite3_value_bytes(argv[0]);
	const unsigned char *p = sqlite3_value_text(argv[1]);
	if (!p)
		return;
	if (!p[0]) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	int np = sqlite3_value_bytes(argv[1]);
	const unsigned char *r = sqlite3_value_text(argv[2]);
	if (!r)
		return;
	int nr = sqlite3_value_bytes(argv[2]);
	int64_t limit = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1);
	/* SQLite allocates the input's size plus one first. */
	if ((int64_t)ns + 1 > limit) {
		sqlite3_result_error_toobig(ctx);
		return;
	}
	if (ns >= CHECK_EVERY && expired(ctx))
		return;
	const unsigned char *end = s + ns;
	int64_t len = ns;
	if (nr > np) {
		/* Growing: count the matches first (SQLite fails once the output
		 * passes the length limit). */
		for (const unsigned char *at = s; end - at >= np && (at = memmem(at, (size_t)(end - at), p, (size_t)np));
		     at += np) {
			len += nr - np;
			if (len > limit) {
				sqlite3_result_error_toobig(ctx);
				return;
			}
		}
	}
	unsigned char *out = sqlite3_malloc64((uint64_t)(nr > np ? len : ns) + 1);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	size_t j = 0;
	const unsigned char *from = s;
	for (const unsigned char *at = s; end - at >= np && (at = memmem(at, (size_t)(end - at), p, (size_t)np)); at += np) {
		memcpy(out + j, from, (size_t)(at - from));
		j += (size_t)(at - from);
		memcpy(out + j, r, (size_t)nr);
		j += (size_t)nr;
		from = at + np;
	}
	memcpy(out + j, from, (size_t)(end - from));
	j += (size_t)(end - from);
	out[j] = '\0';
	sqlite3_result_text(ctx, (const char *)out, (int)j, sqlite3_free);
}

/* -------------------------------------------------------------- trim */

/*
 * SQLite cuts the set into characters as SQLITE_SKIP_UTF8 does and, at each
 * end, takes away the first character of the set (in set order) whose bytes
 * are there.  A character is either one byte below 0xc0 (ASCII or a stray
 * continuation byte) or a lead byte with all the continuation bytes after
 * it.  The first kind is a table lookup; the second is a trie walked along a
 * run of continuation bytes.
 */
typedef struct tnode {
	int child, sibling; /* 0 = none (node 0 is the root) */
	int term;           /* the first set index of a character ending here, NONE */
	int sub;            /* the least `term` in this subtree */
	unsigned char byte;
} tnode;

typedef struct trimset {
	int single[256]; /* one-byte characters: their first set index, NONE */
	tnode *node;
	int nnode, cap;
	int maxlen; /* the longest lead-byte character, in bytes */
} trimset;

static int trie_child(const trimset *t, int n, unsigned char b)
{
	for (int c = t->node[n].child; c; c = t->node[c].sibling)
		if (t->node[c].byte == b)
			return c;
	return 0;
}

static int trie_add(trimset *t, const unsigned char *z, const unsigned char *e, int idx)
{
	int n = 0;
	if (idx < t->node[0].sub)
		t->node[0].sub = idx;
	for (; z < e; z++) {
		int c = trie_child(t, n, *z);
		if (!c) {
			if (t->nnode == t->cap) {
				int cap = t->cap * 2;
				tnode *nn = sqlite3_realloc64(t->node, sizeof *nn * (uint64_t)cap);
				if (!nn)
					return SQLITE_NOMEM;
				t->node = nn;
				t->cap = cap;
			}
			c = t->nnode++;
			t->node[c] = (tnode){.child = 0, .sibling = t->node[n].child, .term = NONE, .sub = NONE, .byte = *z};
			t->node[n].child = c;
		}
		n = c;
		if (idx < t->node[n].sub)
			t->node[n].sub = idx;
	}
	if (idx < t->node[n].term)
		t->node[n].term = idx;
	return SQLITE_OK;
}

/* Bytes to take from the start of z[0..n): 0 for none. */
static unsigned trim_left_one(const trimset *t, const unsigned char *z, unsigned n)
{
	if (z[0] < 0xc0)
		return t->single[z[0]] == NONE ? 0 : 1;
	int best = NONE;
	unsigned len = 0, d = 1;
	for (int nd = trie_child(t, 0, z[0]); nd; nd = trie_child(t, nd, z[d++])) {
		if (t->node[nd].term < best) {
			best = t->node[nd].term;
			len = d;
		}
		/* Stop where nothing deeper comes earlier in the set. */
		if (t->node[nd].sub >= best || d >= n || !is_cont(z[d]))
			break;
	}
	return len;
}

static void fn_trim(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	const unsigned char *z = sqlite3_value_text(argv[0]);
	if (!z)
		return;
	unsigned n = (unsigned)sqlite3_value_bytes(argv[0]);
	const unsigned char *set = sqlite3_value_text(argv[1]);
	if (!set)
		return;
	size_t nset = strlen((const char *)set);
	int64_t nchar = 0;
	for (const unsigned char *p = set; *p; p = utf8_skip(p))
		nchar++;
	if (nchar == 0) {
		sqlite3_result_text(ctx, (const char *)z, (int)n, SQLITE_TRANSIENT);
		return;
	}
	/* SQLite allocates a pointer and a length per character of the set. */
	if (nchar * (int64_t)(sizeof(char *) + sizeof(unsigned)) >
	    sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1)) {
		sqlite3_result_error_toobig(ctx);
		return;
	}
	if (n + nset >= CHECK_EVERY && expired(ctx))
		return;
	int flags = ((const fnctx *)sqlite3_user_data(ctx))->flags;
	trimset t = {.cap = 16};
	int *dterm = NULL;
	if (!(t.node = sqlite3_malloc64(sizeof *t.node * (uint64_t)t.cap)))
		goto oom;
	t.node[0] = (tnode){.term = NONE, .sub = NONE};
	t.nnode = 1;
	for (int i = 0; i < 256; i++)
		t.single[i] = NONE;
	int idx = 0;
	for (const unsigned char *p = set; *p; idx++) {
		const unsigned char *e = utf8_skip(p);
		if (*p < 0xc0) {
			if (t.single[*p] == NONE)
				t.single[*p] = idx;
		} else {
			if (trie_add(&t, p, e, idx))
				goto oom;
			if (e - p > t.maxlen)
				t.maxlen = (int)(e - p);
		}
		p = e;
	}
	if (flags & 1) {
		unsigned len;
		while (n > 0 && (len = trim_left_one(&t, z, n)) > 0) {
			z += len;
			n -= len;
		}
	}
	if ((flags & 2) && n > 0) {
		if (t.maxlen > 0 && !(dterm = sqlite3_malloc64(sizeof *dterm * (uint64_t)t.maxlen)))
			goto oom;
		/* Taking from the end, a lead-byte character can only be a whole
		 * run of continuation bytes with the lead byte before it; the run
		 * is walked once (dterm[k]: the character of lead + k bytes). */
		bool in_run = false, lead = false;
		unsigned q = 0, nw = 0;
		while (n > 0) {
			unsigned char b = z[n - 1];
			unsigned len = 1;
			if (b < 0x80) {
				in_run = false;
				if (t.single[b] == NONE)
					break;
			} else if (b >= 0xc0) {
				in_run = false;
				int nd = trie_child(&t, 0, b);
				if (!nd || t.node[nd].term == NONE)
					break;
			} else {
				if (!in_run) {
					in_run = true;
					for (q = n - 1; q > 0 && is_cont(z[q - 1]); q--)
						;
					lead = q > 0 && z[q - 1] >= 0xc0;
					nw = 0;
					for (int nd = lead ? trie_child(&t, 0, z[q - 1]) : 0; nd; nd = trie_child(&t, nd, z[q + nw - 1])) {
						dterm[nw++] = t.node[nd].term;
						if (q + nw - 1 >= n)
							break;
					}
				}
				int ia = t.single[b];
				unsigned r = n - q;
				int ib = lead && r < nw ? dterm[r] : NONE;
				if (ia == NONE && ib == NONE)
					break;
				if (ib < ia) {
					len = r + 1;
					in_run = false;
				} else if (n - 1 == q) {
					in_run = false;
				}
			}
			n -= len;
		}
	}
	sqlite3_result_text(ctx, (const char *)z, (int)n, SQLITE_TRANSIENT);
	sqlite3_free(dterm);
	sqlite3_free(t.node);
	return;
oom:
	sqlite3_free(dterm);
	sqlite3_free(t.node);
	sqlite3_result_error_nomem(ctx);
}

/* --------------------------------------------------------- LIKE, GLOB */

enum { T_LIT, T_ONE, T_SET, T_STAR };

typedef struct ptok {
	int kind;
	uint32_t v;      /* T_LIT: the character (folded for LIKE) */
	bool invert;     /* T_SET: [^...] */
	int set, nset;   /* T_SET: its ranges */
} ptok;

typedef struct pseg {
	int first, len; /* tokens */
	int *fail;      /* plain characters only: KMP failure function */
	bool ascii_plain; /* ... all of them ASCII */
	int words;      /* with wildcards: shift-and state words */
	uint64_t *ascii;   /* [128][words]: the tokens a character below 128 matches */
	uint32_t *brk;     /* above: intervals [128, brk[0]), [brk[0], brk[1]), ... */
	int nbrk;
	uint64_t *other;   /* [nbrk + 1][words] */
} pseg;

typedef struct pattern {
	bool glob, has_esc;
	uint32_t esc;
	bool never;      /* malformed: matches nothing */
	bool star;       /* has a % (*) */
	bool slow;       /* a wildcard segment too long for MAX_WORDS */
	ptok *tok;
	int ntok;
	uint32_t (*range)[2];
	int nrange;
	pseg *seg;
	int nseg;
} pattern;

static uint32_t fold(uint32_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static void pattern_free(void *v)
{
	pattern *p = v;
	if (!p)
		return;
	for (int i = 0; i < p->nseg; i++) {
		sqlite3_free(p->seg[i].fail);
		sqlite3_free(p->seg[i].ascii);
		sqlite3_free(p->seg[i].brk);
		sqlite3_free(p->seg[i].other);
	}
	sqlite3_free(p->seg);
	sqlite3_free(p->tok);
	sqlite3_free(p->range);
	sqlite3_free(p);
}

static bool tok_match(const pattern *p, const ptok *t, uint32_t c)
{
	switch (t->kind) {
	case T_LIT:
		return t->v == (p->glob ? c : fold(c));
	case T_ONE:
		return true;
	default: {
		bool in = false;
		for (int i = t->set; !in && i < t->set + t->nset; i++)
			in = c >= p->range[i][0] && c <= p->range[i][1];
		return in != t->invert;
	}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* KMP (plain segment) or shift-and tables (segment with wildcards). */
static int seg_prepare(pattern *p, pseg *s)
{
	const ptok *t = p->tok + s->first;
	bool plain = true;
	for (int j = 0; j < s->len; j++)
		plain = plain && t[j].kind == T_LIT;
	if (plain) {
		s->ascii_plain = true;
		for (int j = 0; j < s->len; j++)
			s->ascii_plain = s->ascii_plain && t[j].v < 128;
		if (!(s->fail = sqlite3_malloc64(sizeof *s->fail * (uint64_t)s->len)))
			return SQLITE_NOMEM;
		s->fail[0] = 0;
		for (int j = 1, k = 0; j < s->len; j++) {
			while (k > 0 && t[j].v != t[k].v)
				k = s->fail[k - 1];
			if (t[j].v == t[k].v)
				k++;
			s->fail[j] = k;
		}
		return SQLITE_OK;
	}
	s->words = (s->len + 63) / 64;
	if (s->words > MAX_WORDS) {
		p->slow = true;
		return SQLITE_OK;
	}
	int w = s->words;
	/* Breakpoints above 127: where some literal or range starts or ends. */
	int cap = 1;
	for (int j = 0; j < s->len; j++)
		cap += t[j].kind == T_LIT ? 2 : t[j].kind == T_SET ? 2 * t[j].nset : 0;
	if (!(s->brk = sqlite3_malloc64(sizeof *s->brk * (uint64_t)cap)))
		return SQLITE_NOMEM;
	int nb = 0;
	for (int j = 0; j < s->len; j++) {
		if (t[j].kind == T_LIT && t[j].v >= 128) {
			s->brk[nb++] = t[j].v;
			if (t[j].v != UINT32_MAX)
				s->brk[nb++] = t[j].v + 1;
		}
		for (int i = t[j].set; t[j].kind == T_SET && i < t[j].set + t[j].nset; i++) {
			uint32_t lo = p->range[i][0], hi = p->range[i][1];
			if (lo > hi || hi < 128)
				continue;
			s->brk[nb++] = lo < 128 ? 128 : lo;
			if (hi != UINT32_MAX)
				s->brk[nb++] = hi + 1;
		}
	}
	qsort(s->brk, (size_t)nb, sizeof *s->brk, cmp_u32);
	int u = 0;
	for (int i = 0; i < nb; i++)
		if (s->brk[i] > 128 && (u == 0 || s->brk[u - 1] != s->brk[i]))
			s->brk[u++] = s->brk[i];
	s->nbrk = u;
	s->ascii = sqlite3_malloc64(sizeof *s->ascii * 128 * (uint64_t)w);
	s->other = sqlite3_malloc64(sizeof *s->other * (uint64_t)(u + 1) * (uint64_t)w);
	if (!s->ascii || !s->other)
		return SQLITE_NOMEM;
	memset(s->ascii, 0, sizeof *s->ascii * 128 * (size_t)w);
	memset(s->other, 0, sizeof *s->other * (size_t)(u + 1) * (size_t)w);
	for (int j = 0; j < s->len; j++) {
		uint64_t bit = UINT64_C(1) << (j % 64);
		for (uint32_t c = 0; c < 128; c++)
			if ((p->glob || fold(c) == c) && tok_match(p, &t[j], c))
				s->ascii[c * (uint32_t)w + (uint32_t)(j / 64)] |= bit;
		for (int i = 0; i <= u; i++)
			if (tok_match(p, &t[j], i == 0 ? 128 : s->brk[i - 1]))
				s->other[(size_t)i * (size_t)w + (size_t)(j / 64)] |= bit;
	}
	return SQLITE_OK;
}

/*
 * Read the pattern as patternCompare() does: % (*) any characters, _ (?)
 * one, the escape character (LIKE) making the next one plain, [...] a set
 * (GLOB); for LIKE, an escape equal to % or _ turns that wildcard off.
 */
static int pattern_compile(pattern **out, const unsigned char *z, bool glob, bool has_esc, uint32_t esc)
{
	pattern *p = sqlite3_malloc64(sizeof *p);
	if (!p)
		return SQLITE_NOMEM;
	memset(p, 0, sizeof *p);
	p->glob = glob;
	p->has_esc = has_esc;
	p->esc = esc;
	uint32_t all = glob ? '*' : '%', one = glob ? '?' : '_', other = glob ? '[' : has_esc ? esc : 0;
	if (!glob && has_esc) {
		if (esc == all)
			all = 0;
		if (esc == one)
			one = 0;
	}
	size_t n = strlen((const char *)z);
	p->tok = sqlite3_malloc64(sizeof *p->tok * (n + 1));
	p->range = sqlite3_malloc64(sizeof *p->range * (n + 1));
	if (!p->tok || !p->range)
		goto oom;
	uint32_t c;
	while (!p->never && (c = utf8_read(&z)) != 0) {
		ptok t = {.kind = T_LIT, .v = glob ? c : fold(c)};
		if (c == all) {
			t.kind = T_STAR;
		} else if (c == other && !glob) {
			if ((c = utf8_read(&z)) == 0)
				p->never = true; /* a trailing escape */
			t.v = fold(c);
		} else if (c == other) {
			t.kind = T_SET;
			t.set = p->nrange;
			uint32_t prior = 0, c2 = utf8_read(&z);
			if (c2 == '^') {
				t.invert = true;
				c2 = utf8_read(&z);
			}
			if (c2 == ']') {
				p->range[p->nrange][0] = p->range[p->nrange][1] = ']';
				p->nrange++;
				c2 = utf8_read(&z);
			}
			while (c2 && c2 != ']') {
				if (c2 == '-' && z[0] != ']' && z[0] != 0 && prior > 0) {
					c2 = utf8_read(&z);
					p->range[p->nrange][0] = prior;
					p->range[p->nrange][1] = c2;
					prior = 0;
				} else {
					p->range[p->nrange][0] = p->range[p->nrange][1] = c2;
					prior = c2;
				}
				p->nrange++;
				c2 = utf8_read(&z);
			}
			if (c2 == 0)
				p->never = true; /* an unfinished set */
			t.nset = p->nrange - t.set;
		} else if (c == one) {
			t.kind = T_ONE;
		}
		p->tok[p->ntok++] = t;
	}
	/* A run of stars and single wildcards matches what its single
	 * wildcards followed by one star do. */
	int k = 0;
	for (int i = 0; i < p->ntok;) {
		if (p->tok[i].kind != T_STAR && p->tok[i].kind != T_ONE) {
			p->tok[k++] = p->tok[i++];
			continue;
		}
		int ones = 0, stars = 0;
		for (; i < p->ntok && (p->tok[i].kind == T_STAR || p->tok[i].kind == T_ONE); i++)
			p->tok[i].kind == T_ONE ? ones++ : stars++;
		while (ones-- > 0)
			p->tok[k++] = (ptok){.kind = T_ONE};
		if (stars)
			p->tok[k++] = (ptok){.kind = T_STAR};
	}
	p->ntok = k;
	/* Segments between stars. */
	int nseg = 1;
	for (int i = 0; i < p->ntok; i++)
		nseg += p->tok[i].kind == T_STAR;
	p->star = nseg > 1;
	if (!(p->seg = sqlite3_malloc64(sizeof *p->seg * (uint64_t)nseg)))
		goto oom;
	memset(p->seg, 0, sizeof *p->seg * (size_t)nseg);
	p->nseg = nseg;
	for (int i = 0, s = 0; s < nseg; s++) {
		p->seg[s].first = i;
		while (i < p->ntok && p->tok[i].kind != T_STAR)
			i++;
		p->seg[s].len = i - p->seg[s].first;
		i++;
		/* The first and last are matched in place; the ones between are searched. */
		if (s > 0 && s < nseg - 1 && seg_prepare(p, &p->seg[s]))
			goto oom;
	}
	*out = p;
	return SQLITE_OK;
oom:
	pattern_free(p);
	return SQLITE_NOMEM;
}

typedef struct mctx {
	sqlite3_context *ctx;
	unsigned left; /* characters until the next clock check */
	bool stop;     /* time is up: the call has failed */
} mctx;

static bool tick(mctx *m)
{
	if (--m->left == 0) {
		m->left = CHECK_EVERY;
		m->stop = m->stop || expired(m->ctx);
	}
	return m->stop;
}

/* Match segment `s` in place at *pos (string ends at `end`), moving *pos
 * past it; *work (may be NULL) counts the characters compared. */
static bool seg_at(const pattern *p, const pseg *s, const unsigned char *z, size_t *pos, size_t end, size_t *work)
{
	const unsigned char *q = z + *pos;
	const ptok *t = p->tok + s->first;
	for (int j = 0; j < s->len; j++) {
		if (work)
			++*work;
		if (q >= z + end)
			return false;
		uint32_t c = *q < 0x80 ? *q++ : utf8_read(&q);
		if (c == 0)
			return false; /* the text ends at its first NUL */
		if (t[j].kind == T_LIT ? t[j].v != (p->glob ? c : fold(c)) : !tok_match(p, &t[j], c))
			return false;
	}
	*pos = (size_t)(q - z);
	return true;
}

/*
 * The common case fast: a segment that starts with an ASCII character.
 * Where it can start is found with memchr/strcspn (ASCII bytes always
 * start a character) and checked in place.  The checks may compare at most
 * twice the bytes skipped (plus 64 characters); past that *pos is where the
 * linear search goes on.  Returns the end of a match, -1 for none, -2 to go
 * on from *pos.
 */
static int64_t seg_find_fast(const pattern *p, const pseg *s, const unsigned char *z, size_t *pos, size_t limit)
{
	uint32_t c0 = p->tok[s->first].v;
	char stop[3] = {(char)c0, 0, 0};
	bool both = !p->glob && c0 >= 'a' && c0 <= 'z';
	if (both)
		stop[1] = (char)(c0 - 32);
	size_t budget = 64, work = 0;
	while (*pos < limit) {
		const unsigned char *at = z + *pos, *hit;
		if (both) {
			/* The text ends with a NUL (at or after limit). */
			hit = at + strcspn((const char *)at, stop);
			if (hit >= z + limit)
				return -1;
		} else if (!(hit = memchr(at, (int)c0, limit - *pos))) {
			return -1;
		}
		budget += 2 * (size_t)(hit - at);
		size_t e = (size_t)(hit - z);
		if (s->ascii_plain) {
			/* ASCII characters match ASCII bytes only: compare bytes. */
			const ptok *t = p->tok + s->first;
			int j = 1;
			for (; j < s->len && e + (size_t)j < limit; j++)
				if ((p->glob ? z[e + (size_t)j] : fold(z[e + (size_t)j])) != t[j].v)
					break;
			work += (size_t)j;
			if (j == s->len)
				return (int64_t)(e + (size_t)j);
		} else if (seg_at(p, s, z, &e, limit, &work)) {
			return (int64_t)e;
		}
		*pos = (size_t)(hit - z) + 1;
		if (work > budget)
			return -2;
	}
	return -1;
}

/* The end of the leftmost match of `s` in z[pos..limit), or -1. */
static int64_t seg_find(const pattern *p, const pseg *s, const unsigned char *z, size_t pos, size_t limit, mctx *m)
{
	const ptok *t = p->tok + s->first;
	if (t[0].kind == T_LIT && t[0].v < 128) {
		int64_t r = seg_find_fast(p, s, z, &pos, limit);
		if (r != -2)
			return r;
	}
	const unsigned char *q = z + pos, *e = z + limit;
	if (s->fail) {
		int k = 0;
		while (q < e) {
			if (tick(m))
				return -1;
			uint32_t c = utf8_read(&q);
			if (!p->glob)
				c = fold(c);
			while (k > 0 && t[k].v != c)
				k = s->fail[k - 1];
			if (t[k].v == c && ++k == s->len)
				return q - z;
		}
		return -1;
	}
	int w = s->words;
	uint64_t d[MAX_WORDS] = {0};
	uint64_t last = UINT64_C(1) << ((s->len - 1) % 64);
	while (q < e) {
		if (tick(m))
			return -1;
		uint32_t c = utf8_read(&q);
		const uint64_t *mask;
		if (!p->glob)
			c = fold(c);
		if (c < 128) {
			mask = s->ascii + c * (uint32_t)w;
		} else {
			int lo = 0, hi = s->nbrk; /* the number of breakpoints <= c */
			while (lo < hi) {
				int mid = (lo + hi) / 2;
				if (s->brk[mid] <= c)
					lo = mid + 1;
				else
					hi = mid;
			}
			mask = s->other + (size_t)lo * (size_t)w;
		}
		uint64_t carry = 1;
		for (int i = 0; i < w; i++) {
			uint64_t next = (d[i] << 1) | carry;
			carry = d[i] >> 63;
			d[i] = next & mask[i];
		}
		if (d[w - 1] & last)
			return q - z;
	}
	return -1;
}

/* The classic backtracking matcher, for patterns whose wildcard segments are
 * too long for the tables (over MAX_WORDS * 64 tokens: longer than the
 * sandbox lets a pattern be).  Time n * m, no recursion. */
static bool match_slow(const pattern *p, const unsigned char *z, size_t n, mctx *m)
{
	size_t si = 0, star_si = 0;
	int pi = 0, star_pi = -1;
	while (si < n) {
		if (tick(m))
			return false;
		if (pi < p->ntok && p->tok[pi].kind != T_STAR) {
			const unsigned char *q = z + si;
			if (tok_match(p, &p->tok[pi], utf8_read(&q))) {
				si = (size_t)(q - z);
				pi++;
				continue;
			}
		}
		if (pi < p->ntok && p->tok[pi].kind == T_STAR) {
			star_pi = pi++;
			star_si = si;
		} else if (star_pi >= 0) {
			pi = star_pi + 1;
			star_si = (size_t)(utf8_skip(z + star_si) - z);
			si = star_si;
		} else {
			return false;
		}
	}
	while (pi < p->ntok && p->tok[pi].kind == T_STAR)
		pi++;
	return pi == p->ntok;
}

/* Does the text z (`bytes` long, ending at its first NUL) match?
 * m->stop when time ran out. */
static bool pattern_match(const pattern *p, const unsigned char *z, size_t bytes, mctx *m)
{
	if (p->never)
		return false;
	/* Where the text ends, when the pattern needs to know. */
	const unsigned char *nul = p->slow || (p->star && (p->nseg > 2 || p->seg[p->nseg - 1].len > 0))
					   ? memchr(z, 0, bytes)
					   : NULL;
	size_t n = nul ? (size_t)(nul - z) : bytes;
	if (p->slow)
		return match_slow(p, z, n, m);
	size_t pos = 0;
	if (!seg_at(p, &p->seg[0], z, &pos, n, NULL))
		return false;
	if (!p->star)
		return pos == n || z[pos] == 0;
	const pseg *last = &p->seg[p->nseg - 1];
	size_t tail = n;
	if (last->len > 0) {
		/* The last segment ends the string: find where its characters start. */
		size_t chars = 0;
		for (const unsigned char *q = z + pos; q < z + n; q = utf8_skip(q))
			chars++;
		if (chars < (size_t)last->len)
			return false;
		const unsigned char *q = z + pos;
		for (size_t i = 0; i < chars - (size_t)last->len; i++)
			q = utf8_skip(q);
		tail = (size_t)(q - z);
		size_t at = tail;
		if (!seg_at(p, last, z, &at, n, NULL))
			return false;
	}
	for (int s = 1; s < p->nseg - 1; s++) {
		int64_t e = seg_find(p, &p->seg[s], z, pos, tail, m);
		if (e < 0)
			return false;
		pos = (size_t)e;
	}
	return true;
}

/* sqlite3Utf8CharLen(z, -1) */
static int utf8_chars(const unsigned char *z)
{
	int n = 0;
	for (; *z; z = utf8_skip(z))
		n++;
	return n;
}

static void fn_like(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const fnctx *f = sqlite3_user_data(ctx);
	bool glob = f->flags & FN_GLOB;
	if (f->blobs_never_match &&
	    (sqlite3_value_type(argv[0]) == SQLITE_BLOB || sqlite3_value_type(argv[1]) == SQLITE_BLOB)) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (sqlite3_value_bytes(argv[0]) >
	    sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1)) {
		sqlite3_result_error(ctx, "LIKE or GLOB pattern too complex", -1);
		return;
	}
	uint32_t esc = 0;
	if (argc == 3) {
		const unsigned char *e = sqlite3_value_text(argv[2]);
		if (!e)
			return;
		if (utf8_chars(e) != 1) {
			sqlite3_result_error(ctx, "ESCAPE expression must be a single character", -1);
			return;
		}
		esc = utf8_read(&e);
	}
	const unsigned char *pat = sqlite3_value_text(argv[0]);
	const unsigned char *z = sqlite3_value_text(argv[1]);
	if (!pat || !z)
		return;
	size_t n = (size_t)sqlite3_value_bytes(argv[1]);
	pattern *p = sqlite3_get_auxdata(ctx, 0);
	bool fresh = !p || p->has_esc != (argc == 3) || p->esc != esc;
	if (fresh && pattern_compile(&p, pat, glob, argc == 3, esc)) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	mctx m = {.ctx = ctx, .left = CHECK_EVERY};
	m.stop = n >= CHECK_EVERY && expired(ctx);
	bool hit = !m.stop && pattern_match(p, z, n, &m);
	if (!m.stop)
		sqlite3_result_int(ctx, hit);
	/* Kept while the pattern is a constant or a bound parameter; SQLite
	 * may free it at once, so it is handed over last. */
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, p, pattern_free);
}

/* ------------------------------------------------------------ printf */

/*
 * SQLite's printf() and format() are linear in their output, which the
 * length limit bounds, with one exception: %c with a precision repeats its
 * character precision times in a loop that goes on after the output has
 * passed the limit (printf('%.*c', 2000000000, 'x') loops for many seconds
 * to give NULL).  This reads the format as sqlite3_str_vappendf() does,
 * taking arguments in the same order, and gives that NULL at once; any
 * other call runs SQLite's own printf() on a private connection (the
 * function cannot be reached on this one once it is replaced).
 */
static bool printf_overflows(const unsigned char *f, int argc, sqlite3_value **argv, int64_t limit)
{
	int next = 1; /* argv[0] is the format */
#define INT_ARG() (next < argc ? sqlite3_value_int64(argv[next++]) : 0)
	for (; *f; f++) {
		if (*f != '%')
			continue;
		unsigned c = *++f;
		if (c == 0)
			break;
		int64_t precision = -1;
		bool done = false;
		do {
			switch (c) {
			case '-': case '+': case ' ': case '#': case '!': case '0': case ',':
				break;
			default:
				done = true;
				break;
			case 'l':
				if ((c = *++f) == 'l')
					c = *++f;
				done = true;
				break;
			case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
				while ((c = *++f) >= '0' && c <= '9')
					;
				if (c != '.' && c != 'l')
					done = true;
				else
					f--;
				break;
			case '*':
				(void)INT_ARG();
				if ((c = f[1]) != '.' && c != 'l') {
					c = *++f;
					done = true;
				}
				break;
			case '.':
				c = *++f;
				if (c == '*') {
					int p = (int)INT_ARG();
					precision = p >= 0 ? p : p >= -2147483647 ? -p : -1;
					c = *++f;
				} else {
					unsigned px = 0;
					while (c >= '0' && c <= '9') {
						px = px * 10 + c - '0';
						c = *++f;
					}
					precision = px & 0x7fffffff;
				}
				if (c == 'l')
					--f;
				else
					done = true;
				break;
			}
		} while (!done && (c = *++f) != 0);
		switch (c) {
		case 'n': case '%':
			break;
		case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': case 'p': case 'r':
		case 'f': case 'e': case 'E': case 'g': case 'G':
		case 's': case 'z': case 'q': case 'Q': case 'w':
			next += next < argc;
			break;
		case 'c':
			next += next < argc;
			if (precision > limit)
				return true; /* at least `precision` bytes: too big, NULL */
			break;
		default:
			return false; /* SQLite stops writing here */
		}
	}
	return false;
#undef INT_ARG
}

static void fn_printf(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	fnctx *f = sqlite3_user_data(ctx);
	int limit = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1);
	const unsigned char *fmt = argc >= 1 ? sqlite3_value_text(argv[0]) : NULL;
	if (!fmt)
		return;
	if (printf_overflows(fmt, argc, argv, limit))
		return; /* SQLite's result: NULL */
	if (argc > MAX_ARGS) {
		sqlite3_result_error(ctx, "too many arguments on function printf", -1);
		return;
	}
	if (!f->plain) {
		if (sqlite3_open_v2(":memory:", &f->plain, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)) {
			sqlite3_close(f->plain);
			f->plain = NULL;
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	if (!f->call) {
		if (!(f->call = sqlite3_malloc64(sizeof *f->call * (MAX_ARGS + 1)))) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		memset(f->call, 0, sizeof *f->call * (MAX_ARGS + 1));
	}
	sqlite3_stmt *st = f->call[argc];
	if (!st) {
		char sql[16 + 6 * MAX_ARGS];
		int n = snprintf(sql, sizeof sql, "SELECT printf(");
		for (int i = 1; i <= argc; i++)
			n += snprintf(sql + n, sizeof sql - (size_t)n, "%s?%d", i > 1 ? "," : "", i);
		snprintf(sql + n, sizeof sql - (size_t)n, ")");
		if (sqlite3_prepare_v2(f->plain, sql, -1, &f->call[argc], NULL)) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		st = f->call[argc];
	}
	sqlite3_limit(f->plain, SQLITE_LIMIT_LENGTH, limit);
	int rc = SQLITE_OK;
	for (int i = 0; !rc && i < argc; i++)
		rc = sqlite3_bind_value(st, i + 1, argv[i]);
	if (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
		rc = SQLITE_OK;
	}
	if (rc)
		sqlite3_result_error_code(ctx, rc == SQLITE_TOOBIG ? SQLITE_TOOBIG : SQLITE_NOMEM);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* ------------------------------------------------------------ register */

int crmw__sqlfn_register(sqlite3 *db, crmw__sqlfn_expired is_expired, void *ud)
{
	static const struct {
		const char *name;
		int nargs, flags;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{"instr", 2, 0, fn_instr},  {"replace", 3, 0, fn_replace}, {"trim", 2, 3, fn_trim},
		{"ltrim", 2, 1, fn_trim},   {"rtrim", 2, 2, fn_trim},      {"like", 2, 0, fn_like},
		{"like", 3, 0, fn_like},    {"glob", 2, FN_GLOB, fn_like}, {"printf", -1, 0, fn_printf},
		{"format", -1, 0, fn_printf},
	};
	bool blobs = sqlite3_compileoption_used("LIKE_DOESNT_MATCH_BLOBS") != 0;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		fnctx *f = sqlite3_malloc64(sizeof *f);
		if (!f)
			return SQLITE_NOMEM;
		*f = (fnctx){.expired = is_expired, .ud = ud, .flags = fns[i].flags, .blobs_never_match = blobs};
		/* The destructor runs when the function goes, also when this fails. */
		int rc = sqlite3_create_function_v2(db, fns[i].name, fns[i].nargs,
						    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, f, fns[i].fn,
						    NULL, NULL, fnctx_free);
		if (rc)
			return rc;
	}
	return SQLITE_OK;
}
