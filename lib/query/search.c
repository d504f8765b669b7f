/*
 * SOSL terms with wildcards inside (Jo?n, J*n, 1?3): FTS5 matches only
 * whole tokens and token prefixes, so sosl.c gives FTS5 a looser query
 * (each such term by its prefix before the first wildcard, a NOT of one
 * left out) and checks every record it finds with crmw_sosl(program,
 * column...), which evaluates the whole search exactly on the record's own
 * tokens, made by FTS5's own tokenizer with the search index's options.
 *
 * The program is the search in postfix, one instruction after another:
 *   'W' len ':' text   a word or quoted phrase: its tokens, in a row, in one column
 *   'P' len ':' text   the same, the last token a prefix (john*)
 *   'X' len ':' text   a term with wildcards: some token matches it whole
 *   '&' '|' '-'        AND, OR, AND NOT of the two operands before
 * A wildcard takes the kind of the character before it, as in Salesforce:
 * after a digit, '?' is one digit and '*' any number of digits; after
 * anything else, letters (p?n matches pin, not p1n).
 *
 * The function reads only the columns it is given (the search scope's
 * fields the role may read), takes time linear in their text times the
 * program's size (at most SOSL_MAX_TERMS terms of at most
 * Q_MAX_WILDCARD_TERM characters), and stops when the query's time is up.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/qfn.h"
#include "query/internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECK_EVERY 4096 /* tokens read between looks at the clock */

typedef struct span {
	size_t off, len; /* into a buffer of token bytes */
} span;

/* One leaf of the program: its tokens, or its pattern. */
typedef struct leaf {
	char op;               /* 'W', 'P', 'X' */
	span *toks;            /* W, P: into prog->bytes */
	int ntoks;
	/* X: the pattern, as elements */
	int nel;
	unsigned *cp;          /* the literal's code point (or 0) */
	char *kind;            /* 'L' literal, '?' one, '*' any number */
	bool *digit;           /* a wildcard's class: digits, else letters */
} leaf;

typedef struct prog {
	char *ops;             /* the instructions: 'W' 'P' 'X' (a leaf, in order) or '&' '|' '-' */
	int nops;
	leaf *leaves;
	int nleaves;
	char *bytes;           /* the leaves' tokens */
	size_t nbytes, capbytes;
	bool *stack;           /* evaluation */
} prog;

/* What the function keeps for its connection. */
typedef struct searchfn {
	fts5_tokenizer tk;
	Fts5Tokenizer *inst;
	crmw__sqlfn_expired expired;
	void *ud;
	/* the current record's tokens: per column, spans into bytes */
	char *bytes;
	size_t nbytes, capbytes;
	span *toks;
	int ntoks, captoks;
	int *colstart;         /* first token of each column, then the end (ncols + 1) */
	int ncols, capcols;
	int64_t since_check;   /* tokens read since the clock was last read */
	bool stop;             /* out of time */
	bool nomem;
} searchfn;

/* ------------------------------------------------------------- UTF-8 */

static unsigned utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned c = s[*i];
	size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (*i + len > n)
		len = n - *i;
	unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
	for (size_t k = 1; k < len; k++)
		cp = (cp << 6) | (s[*i + k] & 0x3F);
	*i += len;
	return cp;
}

static bool is_digit_cp(unsigned cp)
{
	return cp >= '0' && cp <= '9';
}

/* ----------------------------------------------------------- tokens */

typedef struct collect {
	char **bytes;
	size_t *nbytes, *capbytes;
	span **toks;
	int *ntoks, *captoks;
	bool nomem;
} collect;

static int on_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
	(void)start;
	(void)end;
	collect *c = ctx;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if (*c->nbytes + (size_t)n > *c->capbytes) {
		size_t cap = *c->capbytes ? *c->capbytes * 2 : 256;
		while (cap < *c->nbytes + (size_t)n)
			cap *= 2;
		char *b = realloc(*c->bytes, cap);
		if (!b) {
			c->nomem = true;
			return SQLITE_NOMEM;
		}
		*c->bytes = b;
		*c->capbytes = cap;
	}
	if (*c->ntoks == *c->captoks) {
		int cap = *c->captoks ? *c->captoks * 2 : 64;
		span *t = realloc(*c->toks, sizeof *t * (size_t)cap);
		if (!t) {
			c->nomem = true;
			return SQLITE_NOMEM;
		}
		*c->toks = t;
		*c->captoks = cap;
	}
	memcpy(*c->bytes + *c->nbytes, tok, (size_t)n);
	(*c->toks)[(*c->ntoks)++] = (span){*c->nbytes, (size_t)n};
	*c->nbytes += (size_t)n;
	return SQLITE_OK;
}

/* ----------------------------------------------------------- program */

static void prog_free(void *p)
{
	prog *g = p;
	if (!g)
		return;
	for (int i = 0; i < g->nleaves; i++) {
		free(g->leaves[i].toks);
		free(g->leaves[i].cp);
		free(g->leaves[i].kind);
		free(g->leaves[i].digit);
	}
	free(g->leaves);
	free(g->ops);
	free(g->bytes);
	free(g->stack);
	free(g);
}

/* The tokens of text (a leaf W or P, or a literal run of X) into g->bytes. */
static bool tokenize_into(searchfn *f, prog *g, const char *text, size_t n, span **toks, int *ntoks)
{
	int cap = 0;
	*toks = NULL;
	*ntoks = 0;
	collect c = {&g->bytes, &g->nbytes, &g->capbytes, toks, ntoks, &cap, false};
	if (n && f->tk.xTokenize(f->inst, &c, FTS5_TOKENIZE_QUERY, text, (int)n, on_token) != SQLITE_OK)
		return false;
	return !c.nomem;
}

/* A pattern term: literal runs folded by the tokenizer, wildcards between. */
static bool parse_pattern(searchfn *f, prog *g, leaf *lf, const char *text, size_t n)
{
	lf->cp = malloc(sizeof *lf->cp * (n + 1));
	lf->kind = malloc(n + 1);
	lf->digit = malloc(sizeof *lf->digit * (n + 1));
	if (!lf->cp || !lf->kind || !lf->digit)
		return false;
	bool prev_digit = false;
	for (size_t i = 0; i < n;) {
		if (text[i] == '?' || text[i] == '*') {
			lf->kind[lf->nel] = text[i];
			lf->cp[lf->nel] = 0;
			lf->digit[lf->nel++] = prev_digit;
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && text[j] != '?' && text[j] != '*')
			j++;
		span *toks;
		int nt;
		size_t mark = g->nbytes;
		if (!tokenize_into(f, g, text + i, j - i, &toks, &nt)) {
			free(toks);
			return false;
		}
		/* the folded characters of the run (its tokens joined) */
		for (int k = 0; k < nt; k++) {
			const unsigned char *s = (const unsigned char *)g->bytes + toks[k].off;
			for (size_t q = 0; q < toks[k].len && (size_t)lf->nel < n;) {
				unsigned cp = utf8_next(s, toks[k].len, &q);
				lf->kind[lf->nel] = 'L';
				lf->cp[lf->nel] = cp;
				lf->digit[lf->nel++] = false;
				prev_digit = is_digit_cp(cp);
			}
		}
		free(toks);
		g->nbytes = mark;
		i = j;
	}
	return true;
}

/* Read the program text; NULL when it is malformed (or out of memory). */
static prog *prog_parse(searchfn *f, const char *s, size_t n, bool *nomem)
{
	prog *g = calloc(1, sizeof *g);
	if (!g || !(g->ops = malloc(n + 1)) || !(g->leaves = calloc(n + 1, sizeof *g->leaves)) ||
	    !(g->stack = malloc(n + 1))) {
		prog_free(g);
		*nomem = true;
		return NULL;
	}
	int depth = 0;
	for (size_t i = 0; i < n;) {
		char op = s[i++];
		if (op == '&' || op == '|' || op == '-') {
			if (depth < 2)
				goto bad;
			depth--;
			g->ops[g->nops++] = op;
			continue;
		}
		if (op != 'W' && op != 'P' && op != 'X')
			goto bad;
		size_t len = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && len <= n)
			len = len * 10 + (size_t)(s[i++] - '0');
		if (i >= n || s[i] != ':' || len > n - i - 1)
			goto bad;
		i++;
		leaf *lf = &g->leaves[g->nleaves++];
		lf->op = op;
		bool ok = op == 'X' ? parse_pattern(f, g, lf, s + i, len) : tokenize_into(f, g, s + i, len, &lf->toks, &lf->ntoks);
		if (!ok) {
			*nomem = true;
			prog_free(g);
			return NULL;
		}
		if (op == 'X' && lf->nel > 63)
			goto bad;
		i += len;
		g->ops[g->nops++] = op;
		depth++;
	}
	if (depth != 1)
		goto bad;
	return g;
bad:
	prog_free(g);
	return NULL;
}

/* -------------------------------------------------------- evaluation */

static bool tok_eq(const searchfn *f, span t, const prog *g, span w)
{
	return t.len == w.len && memcmp(f->bytes + t.off, g->bytes + w.off, w.len) == 0;
}

/* W/P: the leaf's tokens in a row within one column. */
static bool match_phrase(searchfn *f, const prog *g, const leaf *lf)
{
	if (lf->ntoks == 0)
		return false;
	for (int c = 0; c < f->ncols; c++) {
		int from = f->colstart[c], to = f->colstart[c + 1];
		for (int t = from; t + lf->ntoks <= to; t++) {
			bool ok = true;
			for (int k = 0; ok && k < lf->ntoks; k++) {
				span tok = f->toks[t + k], w = lf->toks[k];
				if (k == lf->ntoks - 1 && lf->op == 'P')
					ok = tok.len >= w.len && memcmp(f->bytes + tok.off, g->bytes + w.off, w.len) == 0;
				else
					ok = tok_eq(f, tok, g, w);
			}
			if (ok)
				return true;
		}
	}
	return false;
}

/* X: does one token match the pattern whole?  The states matched so far
 * as bits (at most 63 elements), one step per character. */
static bool match_pattern(searchfn *f, const leaf *lf)
{
	int m = lf->nel;
	for (int t = 0; t < f->ntoks; t++) {
		uint64_t st = 1;
		for (int i = 0; i < m; i++) /* a '*' may match nothing */
			if ((st >> i & 1) && lf->kind[i] == '*')
				st |= (uint64_t)1 << (i + 1);
		const unsigned char *s = (const unsigned char *)f->bytes + f->toks[t].off;
		size_t n = f->toks[t].len;
		for (size_t q = 0; q < n && st;) {
			unsigned cp = utf8_next(s, n, &q);
			bool dg = is_digit_cp(cp);
			uint64_t nx = 0;
			for (int i = 0; i < m; i++) {
				if (!(st >> i & 1))
					continue;
				char k = lf->kind[i];
				if (k == 'L' ? lf->cp[i] == cp : lf->digit[i] == dg)
					nx |= (uint64_t)1 << (k == '*' ? i : i + 1);
			}
			for (int i = 0; i < m; i++)
				if ((nx >> i & 1) && lf->kind[i] == '*')
					nx |= (uint64_t)1 << (i + 1);
			st = nx;
		}
		if (st >> m & 1)
			return true;
	}
	return false;
}

static bool evaluate(searchfn *f, prog *g)
{
	int sp = 0, li = 0;
	for (int i = 0; i < g->nops; i++) {
		char op = g->ops[i];
		if (op == '&' || op == '|' || op == '-') {
			bool b = g->stack[--sp], a = g->stack[--sp];
			g->stack[sp++] = op == '&' ? a && b : op == '|' ? a || b : a && !b;
			continue;
		}
		const leaf *lf = &g->leaves[li++];
		g->stack[sp++] = lf->op == 'X' ? match_pattern(f, lf) : match_phrase(f, g, lf);
	}
	return sp == 1 && g->stack[0];
}

/* crmw_sosl(program, column...): does the record match the search? */
static void fn_sosl(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	searchfn *f = sqlite3_user_data(ctx);
	prog *g = sqlite3_get_auxdata(ctx, 0), *own = NULL;
	if (!g) {
		const char *s = (const char *)sqlite3_value_text(argv[0]);
		bool nomem = false;
		if (s)
			own = prog_parse(f, s, (size_t)sqlite3_value_bytes(argv[0]), &nomem);
		if (nomem || (!s && sqlite3_value_type(argv[0]) != SQLITE_NULL)) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		if (!own)
			return; /* no program: NULL */
		g = own;
	}
	/* the record's tokens, column by column */
	if (argc > f->capcols) {
		int *cs = realloc(f->colstart, sizeof *cs * (size_t)argc);
		if (!cs) {
			prog_free(own);
			sqlite3_result_error_nomem(ctx);
			return;
		}
		f->colstart = cs;
		f->capcols = argc;
	}
	f->nbytes = 0;
	f->ntoks = 0;
	f->ncols = argc - 1;
	collect c = {&f->bytes, &f->nbytes, &f->capbytes, &f->toks, &f->ntoks, &f->captoks, false};
	int rc = SQLITE_OK;
	for (int i = 1; i < argc && !rc; i++) {
		f->colstart[i - 1] = f->ntoks;
		const char *t = (const char *)sqlite3_value_text(argv[i]);
		int n = sqlite3_value_bytes(argv[i]);
		int before = f->ntoks;
		if (t && n)
			rc = f->tk.xTokenize(f->inst, &c, FTS5_TOKENIZE_DOCUMENT, t, n, on_token);
		/* the clock, now and then: a record's text is at most a value long */
		f->since_check += f->ntoks - before + 1;
		if (!rc && f->expired && f->since_check >= CHECK_EVERY) {
			f->since_check = 0;
			if (f->expired(f->ud))
				rc = SQLITE_INTERRUPT;
		}
	}
	f->colstart[f->ncols] = f->ntoks;
	if (rc || c.nomem) {
		prog_free(own);
		if (rc == SQLITE_INTERRUPT)
			sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
		else
			sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_int(ctx, evaluate(f, g));
	if (own) /* kept while the program is a constant of the statement */
		sqlite3_set_auxdata(ctx, 0, own, prog_free);
}

static void searchfn_free(void *p)
{
	searchfn *f = p;
	if (!f)
		return;
	if (f->inst)
		f->tk.xDelete(f->inst);
	free(f->bytes);
	free(f->toks);
	free(f->colstart);
	free(f);
}

int crmw__search_register(sqlite3 *db, crmw__sqlfn_expired expired, void *ud)
{
	/* FTS5's API, asked of the connection (SQLite's documented way) */
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (!api)
		return SQLITE_OK; /* no FTS5: no search, no function */
	searchfn *f = calloc(1, sizeof *f);
	if (!f)
		return SQLITE_NOMEM;
	f->expired = expired;
	f->ud = ud;
	void *tud = NULL;
	/* the search indexes' tokenizer and options (lib/store/db.c) */
	const char *args[] = {"remove_diacritics", "2"};
	int rc = api->xFindTokenizer(api, "unicode61", &tud, &f->tk);
	rc = rc ? rc : f->tk.xCreate(tud, args, 2, &f->inst);
	if (rc) {
		f->inst = NULL;
		searchfn_free(f);
		return rc;
	}
	return sqlite3_create_function_v2(db, "crmw_sosl", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, f,
					  fn_sosl, NULL, NULL, searchfn_free);
}
