/*
 * The SOQL and SOSL lexer and recursive-descent parser.  Keywords and names
 * are case-insensitive; every token keeps its line and column for messages.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/ast.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum tkind {
	T_EOF, T_IDENT, T_STRING, T_NUMBER, T_DATE, T_DATETIME, T_BRACED,
	T_LPAREN, T_RPAREN, T_COMMA, T_DOT, T_COLON, T_OP, T_MINUS, T_PLUS
} tkind;

typedef struct token {
	tkind kind;
	const char *start; /* in the source */
	size_t len;
	q_pos pos;
	const char *text;  /* T_STRING/T_BRACED: unescaped; T_DATE/T_DATETIME: normalised */
	int op;            /* T_OP: q_op of = != <> < <= > >= */
} token;

typedef struct parser {
	crmw_arena *a;
	const char *src;
	size_t len, at;
	int line, col;
	token tok;         /* current token */
	crmw_err *err;
	bool failed;
	bool nomem;
	int status;        /* of the error (CRMW_EQUERY, CRMW_ELIMIT, CRMW_ENOMEM) */
	const char *errcode;
	int depth;         /* parentheses and NOTs open */
	int sel_depth;     /* SELECTs open */
	bool in_fn;        /* reading the argument of a function */
	int terms;         /* comparisons so far */
} parser;

static const char *const datelit_names[DL_COUNT] = {
	"YESTERDAY", "TODAY", "TOMORROW",
	"LAST_WEEK", "THIS_WEEK", "NEXT_WEEK",
	"LAST_MONTH", "THIS_MONTH", "NEXT_MONTH",
	"LAST_90_DAYS", "NEXT_90_DAYS",
	"LAST_QUARTER", "THIS_QUARTER", "NEXT_QUARTER",
	"LAST_YEAR", "THIS_YEAR", "NEXT_YEAR",
	"LAST_FISCAL_QUARTER", "THIS_FISCAL_QUARTER", "NEXT_FISCAL_QUARTER",
	"LAST_FISCAL_YEAR", "THIS_FISCAL_YEAR", "NEXT_FISCAL_YEAR",
	"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO",
	"LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
	"LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO",
	"LAST_N_QUARTERS", "NEXT_N_QUARTERS", "N_QUARTERS_AGO",
	"LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO",
	"LAST_N_FISCAL_QUARTERS", "NEXT_N_FISCAL_QUARTERS", "N_FISCAL_QUARTERS_AGO",
	"LAST_N_FISCAL_YEARS", "NEXT_N_FISCAL_YEARS", "N_FISCAL_YEARS_AGO",
};

const char *crmw__datelit_name(int lit)
{
	return lit >= 0 && lit < DL_COUNT ? datelit_names[lit] : "?";
}

bool crmw__datelit_takes_n(int lit)
{
	return lit >= DL_FIRST_N && lit < DL_COUNT;
}

static const struct {
	const char *name;
	q_fn fn;
} fn_names[] = {
	{"COUNT", FN_COUNT}, {"COUNT_DISTINCT", FN_COUNT_DISTINCT}, {"SUM", FN_SUM},
	{"AVG", FN_AVG}, {"MIN", FN_MIN}, {"MAX", FN_MAX},
	{"CALENDAR_MONTH", FN_CALENDAR_MONTH}, {"CALENDAR_QUARTER", FN_CALENDAR_QUARTER},
	{"CALENDAR_YEAR", FN_CALENDAR_YEAR}, {"DAY_IN_MONTH", FN_DAY_IN_MONTH},
	{"DAY_IN_WEEK", FN_DAY_IN_WEEK}, {"DAY_IN_YEAR", FN_DAY_IN_YEAR},
	{"DAY_ONLY", FN_DAY_ONLY}, {"HOUR_IN_DAY", FN_HOUR_IN_DAY},
	{"WEEK_IN_YEAR", FN_WEEK_IN_YEAR}, {"FISCAL_MONTH", FN_FISCAL_MONTH},
	{"FISCAL_QUARTER", FN_FISCAL_QUARTER}, {"FISCAL_YEAR", FN_FISCAL_YEAR},
	{"convertTimezone", FN_CONVERT_TIMEZONE}, {"toLabel", FN_TOLABEL},
	{"convertCurrency", FN_CONVERT_CURRENCY}, {"DISTANCE", FN_DISTANCE},
};

const char *crmw__fn_name(q_fn fn)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(fn_names); i++)
		if (fn_names[i].fn == fn)
			return fn_names[i].name;
	return "?";
}

/* ---------------------------------------------------------------- errors */

static void show_token(const token *t, char *out, size_t n)
{
	/* at most 40 bytes of the token, cut between characters */
	size_t k = crmw__utf8_prefix(t->start, t->len, 40);
	if (t->kind == T_EOF)
		snprintf(out, n, "end of query");
	else
		snprintf(out, n, "'%.*s'", (int)k, t->start);
}

static int vperr(parser *p, int status, const char *code, q_pos pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static int vperr(parser *p, int status, const char *code, q_pos pos, const char *fmt, va_list ap)
{
	if (p->failed)
		return status;
	char msg[600];
	vsnprintf(msg, sizeof msg, fmt, ap);
	crmw__utf8_trim(msg); /* a message cut short never ends in half a character */
	crmw__errf(p->err, status, "%s: %s (line %d, column %d)", code ? code : p->errcode, msg, pos.line, pos.col);
	p->failed = true;
	p->status = status;
	return status;
}

static int perr_at(parser *p, q_pos pos, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int perr_at(parser *p, q_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vperr(p, CRMW_EQUERY, NULL, pos, fmt, ap);
	va_end(ap);
	return rc;
}

/* An error with its own code and status (NUMBER_OUTSIDE_VALID_RANGE, LIMIT_EXCEEDED). */
static int perr_code(parser *p, int status, const char *code, q_pos pos, const char *fmt, ...) CRMW_PRINTF(5, 6);
static int perr_code(parser *p, int status, const char *code, q_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vperr(p, status, code, pos, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The character at s (n > 0 bytes left) for a message, written to out: a
 * whole UTF-8 character, never a part of one nor a byte past n; the code of
 * the byte ("\xE2") when s starts none (invalid UTF-8, a NUL byte).
 */
static const char *show_char(const char *s, size_t n, char out[8])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = u[0] < 0x80 ? 1 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;
	bool ok = u[0] != 0 && (u[0] < 0x80 || (u[0] >= 0xC2 && u[0] <= 0xF4)) && len <= n;
	for (size_t k = 1; ok && k < len; k++)
		ok = (u[k] & 0xC0) == 0x80;
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if (ok && len > 2)
		ok = !(u[0] == 0xE0 && u[1] < 0xA0) && !(u[0] == 0xED && u[1] >= 0xA0) &&
		     !(u[0] == 0xF0 && u[1] < 0x90) && !(u[0] == 0xF4 && u[1] >= 0x90);
	if (ok)
		snprintf(out, 8, "%.*s", (int)len, s);
	else
		snprintf(out, 8, "\\x%02X", u[0]);
	return out;
}

static int unexpected(parser *p, const char *expected)
{
	char shown[64];
	show_token(&p->tok, shown, sizeof shown);
	return perr_at(p, p->tok.pos, "unexpected %s, expected %s", shown, expected);
}

/* ----------------------------------------------------------------- lexer */

static int oom(parser *p)
{
	p->failed = true;
	p->nomem = true;
	p->status = CRMW_ENOMEM;
	return crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
}

static void advance_char(parser *p)
{
	if (p->src[p->at] == '\n') {
		p->line++;
		p->col = 1;
	} else {
		p->col++;
	}
	p->at++;
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int hex4(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return 0;
}

/* Code point cp as UTF-8 into out (at least 5 bytes), NUL-terminated. */
static void put_utf8(unsigned cp, char *out)
{
	unsigned char *u = (unsigned char *)out;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		u[1] = 0;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		u[2] = 0;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		u[3] = 0;
	} else {
		u[0] = (unsigned char)(0xF0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		u[4] = 0;
	}
}

/*
 * \uXXXX after the backslash (p->at at the 'u'): the character, a UTF-16
 * surrogate pair written as two escapes making one.  Writes UTF-8 to out.
 */
static int lex_unicode(parser *p, q_pos at, char out[5])
{
	const char *s = p->src + p->at + 1;
	size_t n = p->len - p->at - 1;
	unsigned cp, lo;
	if (hex4(s, n, &cp))
		return perr_at(p, at, "\\u takes four hexadecimal digits (\\u00e9)");
	size_t used = 5; /* u and four digits */
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return perr_at(p, at, "\\u%04X is the second half of a surrogate pair, with no first half", cp);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (n < 10 || s[4] != '\\' || s[5] != 'u' || hex4(s + 6, n - 6, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return perr_at(p, at, "\\u%04X is the first half of a surrogate pair and needs its second half (\\uDC00 to \\uDFFF)", cp);
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		used = 11;
	}
	if (cp == 0)
		return perr_at(p, at, "a string literal cannot contain a NUL character (\\u0000)");
	put_utf8(cp, out);
	for (size_t i = 0; i < used; i++)
		advance_char(p);
	return CRMW_OK;
}

/* A quoted string: SOQL's escapes \' \" \\ \n \t \r \b \f (also upper
 * case), \uXXXX, and \_ \% (which stay escaped: they matter to LIKE). */
static int lex_string(parser *p, token *t)
{
	char quote = p->src[p->at];
	advance_char(p);
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (;;) {
		if (p->at >= p->len) {
			rc = perr_at(p, t->pos, "unterminated string literal");
			break;
		}
		if (b.len > Q_MAX_LITERAL) {
			rc = perr_code(p, CRMW_ELIMIT, QE_EXCEEDED, t->pos,
				       "a string literal is longer than %d bytes, the longest value a query may hold", Q_MAX_LITERAL);
			break;
		}
		char c = p->src[p->at];
		if (c == quote) {
			advance_char(p);
			break;
		}
		if (c == '\\') {
			q_pos at = {p->line, p->col};
			advance_char(p);
			if (p->at >= p->len) {
				rc = perr_at(p, t->pos, "unterminated string literal");
				break;
			}
			char e = p->src[p->at];
			char one[5] = {0};
			switch (e) {
			case 'n': case 'N': one[0] = '\n'; break;
			case 't': case 'T': one[0] = '\t'; break;
			case 'r': case 'R': one[0] = '\r'; break;
			case 'b': case 'B': one[0] = '\b'; break;
			case 'f': case 'F': one[0] = '\f'; break;
			case '\'': case '"': case '\\': one[0] = e; break;
			case '_': case '%': one[0] = '\\'; one[1] = e; break;
			case 'u':
				/* lex_unicode reads the escape's characters itself */
				if ((rc = lex_unicode(p, at, one)) == CRMW_OK && crmw__buf_puts(&b, one))
					rc = oom(p);
				break;
			default: {
				char shown[8];
				crmw_buf_dispose(&b);
				return perr_at(p, at, "invalid escape sequence '\\%s' in a string",
					       show_char(p->src + p->at, p->len - p->at, shown));
			}
			}
			if (rc)
				break;
			if (e == 'u')
				continue;
			advance_char(p);
			if (crmw__buf_puts(&b, one)) {
				rc = oom(p);
				break;
			}
			continue;
		}
		/* a run of plain bytes at once */
		size_t from = p->at;
		while (p->at < p->len && p->src[p->at] != quote && p->src[p->at] != '\\' && p->at - from < 65536)
			advance_char(p);
		if (crmw__buf_append(&b, p->src + from, p->at - from)) {
			rc = oom(p);
			break;
		}
	}
	/* the value goes on as a C string */
	if (!rc && b.len && memchr(b.data, '\0', b.len))
		rc = perr_at(p, t->pos, "a string literal cannot contain a NUL byte");
	if (!rc) {
		t->text = crmw__arena_strndup(p->a, b.data ? b.data : "", b.len);
		if (!t->text)
			rc = oom(p);
	}
	crmw_buf_dispose(&b);
	return rc;
}

/* SOSL search text in braces: up to the matching '}' (\} escapes one). */
static int lex_braced(parser *p, token *t)
{
	advance_char(p);
	size_t start = p->at;
	while (p->at < p->len && p->src[p->at] != '}') {
		if (p->src[p->at] == '\\' && p->at + 1 < p->len)
			advance_char(p);
		advance_char(p);
	}
	if (p->at >= p->len)
		return perr_at(p, t->pos, "unterminated search text: no closing '}'");
	if (p->at - start > Q_MAX_LITERAL)
		return perr_code(p, CRMW_ELIMIT, QE_EXCEEDED, t->pos,
				 "the search text is longer than %d bytes, the longest value a query may hold", Q_MAX_LITERAL);
	if (memchr(p->src + start, '\0', p->at - start))
		return perr_at(p, t->pos, "the search text cannot contain a NUL byte");
	t->text = crmw__arena_strndup(p->a, p->src + start, p->at - start);
	advance_char(p);
	return t->text ? CRMW_OK : crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
}

static bool looks_like_date(const char *s, size_t n)
{
	return n >= 10 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-' &&
	       isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[6]) && s[7] == '-' &&
	       isdigit((unsigned char)s[8]) && isdigit((unsigned char)s[9]);
}

static int lex(parser *p)
{
	/* Skip white space. */
	while (p->at < p->len && isspace((unsigned char)p->src[p->at]))
		advance_char(p);
	token *t = &p->tok;
	memset(t, 0, sizeof *t);
	t->pos.line = p->line;
	t->pos.col = p->col;
	t->start = p->src + p->at;
	if (p->at >= p->len) {
		t->kind = T_EOF;
		return CRMW_OK;
	}
	char c = p->src[p->at];
	size_t start = p->at;
	if (c == '\'' || c == '"') {
		t->kind = T_STRING;
		int rc = lex_string(p, t);
		t->len = p->at - start;
		return rc;
	}
	if (c == '{') {
		t->kind = T_BRACED;
		int rc = lex_braced(p, t);
		t->len = p->at - start;
		return rc;
	}
	if (looks_like_date(p->src + p->at, p->len - p->at)) {
		/* A date or datetime literal: digits, '-', ':', 'T', '.', 'Z', '+'. */
		size_t e = p->at + 10;
		if (e < p->len && p->src[e] == 'T') {
			e++;
			while (e < p->len && (isdigit((unsigned char)p->src[e]) || (p->src[e] && strchr(":.Z+-", p->src[e]))))
				e++;
		}
		char norm[21];
		size_t n = e - p->at;
		bool dt = n > 10;
		if (dt ? crmw__parse_datetime(p->src + p->at, n, norm) != 0
		       : crmw__parse_date(p->src + p->at, n, norm) != 0) {
			t->len = n;
			return perr_at(p, t->pos, "invalid %s literal '%.*s'", dt ? "datetime" : "date", (int)n, p->src + p->at);
		}
		t->kind = dt ? T_DATETIME : T_DATE;
		t->text = crmw__arena_strndup(p->a, norm, strlen(norm));
		while (p->at < e)
			advance_char(p);
		t->len = n;
		return t->text ? CRMW_OK : crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
	}
	if (isdigit((unsigned char)c) || (c == '.' && p->at + 1 < p->len && isdigit((unsigned char)p->src[p->at + 1]))) {
		while (p->at < p->len && (isdigit((unsigned char)p->src[p->at]) || p->src[p->at] == '.'))
			advance_char(p);
		if (p->at < p->len && (p->src[p->at] == 'e' || p->src[p->at] == 'E')) {
			advance_char(p);
			if (p->at < p->len && (p->src[p->at] == '+' || p->src[p->at] == '-'))
				advance_char(p);
			while (p->at < p->len && isdigit((unsigned char)p->src[p->at]))
				advance_char(p);
		}
		t->kind = T_NUMBER;
		t->len = p->at - start;
		return CRMW_OK;
	}
	if (is_ident_start(c)) {
		while (p->at < p->len && is_ident_char(p->src[p->at]))
			advance_char(p);
		t->kind = T_IDENT;
		t->len = p->at - start;
		return CRMW_OK;
	}
	advance_char(p);
	t->len = 1;
	switch (c) {
	case '(': t->kind = T_LPAREN; return CRMW_OK;
	case ')': t->kind = T_RPAREN; return CRMW_OK;
	case ',': t->kind = T_COMMA; return CRMW_OK;
	case '.': t->kind = T_DOT; return CRMW_OK;
	case ':': t->kind = T_COLON; return CRMW_OK;
	case '-': t->kind = T_MINUS; return CRMW_OK;
	case '+': t->kind = T_PLUS; return CRMW_OK;
	case '=': t->kind = T_OP; t->op = OP_EQ; return CRMW_OK;
	case '!':
		if (p->at < p->len && p->src[p->at] == '=') {
			advance_char(p);
			t->kind = T_OP;
			t->op = OP_NE;
			t->len = 2;
			return CRMW_OK;
		}
		break;
	case '<':
		t->kind = T_OP;
		t->op = OP_LT;
		if (p->at < p->len && (p->src[p->at] == '=' || p->src[p->at] == '>')) {
			t->op = p->src[p->at] == '=' ? OP_LE : OP_NE;
			advance_char(p);
			t->len = 2;
		}
		return CRMW_OK;
	case '>':
		t->kind = T_OP;
		t->op = OP_GT;
		if (p->at < p->len && p->src[p->at] == '=') {
			t->op = OP_GE;
			advance_char(p);
			t->len = 2;
		}
		return CRMW_OK;
	default:
		break;
	}
	char shown[8];
	return perr_at(p, t->pos, "unexpected character '%s'", show_char(t->start, p->len - start, shown));
}

/* ----------------------------------------------------------- helpers */

static bool is_kw(const token *t, const char *kw)
{
	return t->kind == T_IDENT && t->len == strlen(kw) && strncasecmp(t->start, kw, t->len) == 0;
}

static int next(parser *p)
{
	return p->failed ? CRMW_EQUERY : lex(p);
}

static int expect_kw(parser *p, const char *kw)
{
	if (!is_kw(&p->tok, kw))
		return unexpected(p, kw);
	return next(p);
}

static int expect(parser *p, tkind k, const char *what)
{
	if (p->tok.kind != k)
		return unexpected(p, what);
	return next(p);
}

static const char *tok_str(parser *p)
{
	return crmw__arena_strndup(p->a, p->tok.start, p->tok.len);
}

static const char *const reserved[] = {
	"SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "AND",
	"OR", "NOT", "IN", "LIKE", "INCLUDES", "EXCLUDES", "ASC", "DESC", "NULLS", "FIRST",
	"LAST", "NULL", "TRUE", "FALSE", "WITH", "FOR", "USING", "TYPEOF", "RETURNING", "FIND",
	"UPDATE",
};

static bool is_reserved(const token *t)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(reserved); i++)
		if (is_kw(t, reserved[i]))
			return true;
	return false;
}

/* Room for one more item in an arena array of `size`-byte items holding n
 * (capacity *cap, doubled when full): lists grow in the query's arena, not
 * on the stack, and need no freeing on the error paths. */
static void *grow(parser *p, void *items, int n, int *cap, size_t size)
{
	if (n < *cap)
		return items;
	int ncap = *cap ? *cap * 2 : 8;
	void *g = crmw__arena_alloc(p->a, size * (size_t)ncap);
	if (!g) {
		oom(p);
		return NULL;
	}
	if (n)
		memcpy(g, items, size * (size_t)n);
	*cap = ncap;
	return g;
}

/* -------------------------------------------------------------- paths */

/* A keyword followed directly by '.' is a relationship name ("Order.Status"). */
static bool dotted(const parser *p)
{
	return p->at < p->len && p->src[p->at] == '.';
}

static int parse_path(parser *p, q_path *out)
{
	if (p->tok.kind != T_IDENT || (is_reserved(&p->tok) && !dotted(p)))
		return unexpected(p, "a field name");
	const char *parts[16];
	int n = 0;
	out->pos = p->tok.pos;
	const char *start = p->tok.start;
	const char *end = start;
	for (;;) {
		if (n == (int)CRMW_ARRAY_LEN(parts))
			return perr_at(p, out->pos, "relationship path is too long");
		if (!(parts[n++] = tok_str(p)))
			return oom(p);
		end = p->tok.start + p->tok.len;
		if (next(p))
			return CRMW_EQUERY;
		if (p->tok.kind != T_DOT)
			break;
		if (next(p))
			return CRMW_EQUERY;
		if (p->tok.kind != T_IDENT)
			return unexpected(p, "a field name after '.'");
	}
	out->nparts = n;
	out->parts = crmw__arena_alloc(p->a, sizeof *out->parts * (size_t)n);
	out->text = crmw__arena_strndup(p->a, start, (size_t)(end - start));
	if (!out->parts || !out->text)
		return oom(p);
	memcpy(out->parts, parts, sizeof *parts * (size_t)n);
	return CRMW_OK;
}

static q_fn fn_of(const token *t)
{
	if (t->kind != T_IDENT)
		return FN_NONE;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(fn_names); i++)
		if (is_kw(t, fn_names[i].name))
			return fn_names[i].fn;
	return FN_NONE;
}

/* The kind of the token after the current one (a one-token lookahead). */
static tkind peek_kind(parser *p)
{
	size_t at = p->at;
	int line = p->line, col = p->col;
	token save = p->tok;
	bool failed = p->failed;
	tkind k = lex(p) == CRMW_OK ? p->tok.kind : T_EOF;
	p->at = at;
	p->line = line;
	p->col = col;
	p->tok = save;
	p->failed = failed;
	return k;
}

/* At most 40 bytes of s for a message, cut between characters. */
static int shown_len(const char *s)
{
	return (int)crmw__utf8_prefix(s, strlen(s), 40);
}

/*
 * A bind variable (":ids", ":acc.Id", ": n") where a value is expected:
 * Apex substitutes them, and queries here come as text, so the message
 * names the variable and says what to write instead.
 */
static int bind_var(parser *p)
{
	q_pos at = p->tok.pos;
	size_t i = p->at;
	while (i < p->len && (p->src[i] == ' ' || p->src[i] == '\t'))
		i++;
	size_t from = i;
	while (i < p->len && i - from < 40 && (is_ident_char(p->src[i]) || p->src[i] == '.'))
		i++;
	return perr_at(p, at,
		       "bind variables are not supported: write the value of ':%.*s' into the query (queries here are text, not Apex)",
		       (int)(i - from), p->src + from);
}

static int parse_number(parser *p, q_value *v, bool neg);

/* A latitude or longitude of GEOLOCATION(): a number in [-max, max]. */
static int parse_coord(parser *p, double *out, double max, const char *what)
{
	q_value v;
	memset(&v, 0, sizeof v);
	v.pos = p->tok.pos;
	bool neg = false;
	if (p->tok.kind == T_COLON)
		return bind_var(p);
	if (p->tok.kind == T_MINUS || p->tok.kind == T_PLUS) {
		neg = p->tok.kind == T_MINUS;
		if (next(p))
			return CRMW_EQUERY;
	}
	if (p->tok.kind != T_NUMBER)
		return unexpected(p, what);
	if (parse_number(p, &v, neg))
		return CRMW_EQUERY;
	*out = v.kind == V_INT ? (double)v.i : v.d;
	if (!(*out >= -max && *out <= max))
		return perr_at(p, v.pos, "the %s of GEOLOCATION() is a number from %g to %g", what, -max, max);
	return CRMW_OK;
}

/* DISTANCE(field, GEOLOCATION(lat, lon) | field, 'mi' | 'km'), after DISTANCE. */
static int parse_distance(parser *p, q_expr *e)
{
	if (next(p) || next(p)) /* DISTANCE ( */
		return CRMW_EQUERY;
	if (p->tok.kind == T_COLON)
		return bind_var(p);
	if (is_kw(&p->tok, "GEOLOCATION"))
		return perr_at(p, p->tok.pos,
			       "DISTANCE() takes the location field first: DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi')");
	if (parse_path(p, &e->path))
		return CRMW_EQUERY;
	e->has_path = true;
	if (expect(p, T_COMMA, "',' after the location field"))
		return CRMW_EQUERY;
	if (p->tok.kind == T_COLON)
		return bind_var(p);
	if (is_kw(&p->tok, "GEOLOCATION")) {
		if (next(p) || expect(p, T_LPAREN, "'(' after GEOLOCATION") || parse_coord(p, &e->lat, 90, "latitude") ||
		    expect(p, T_COMMA, "',' between latitude and longitude") || parse_coord(p, &e->lon, 180, "longitude") ||
		    expect(p, T_RPAREN, "')' after the longitude"))
			return CRMW_EQUERY;
	} else {
		if (parse_path(p, &e->path2))
			return CRMW_EQUERY;
		e->has_path2 = true;
	}
	if (expect(p, T_COMMA, "',' and the unit 'mi' or 'km'"))
		return CRMW_EQUERY;
	if (p->tok.kind == T_COLON)
		return bind_var(p);
	if (p->tok.kind != T_STRING)
		return unexpected(p, "the unit 'mi' or 'km'");
	if (strcmp(p->tok.text, "km") == 0)
		e->km = true;
	else if (strcmp(p->tok.text, "mi") != 0)
		return perr_at(p, p->tok.pos, "the unit of DISTANCE() is 'mi' or 'km', not '%.*s'", shown_len(p->tok.text),
			       p->tok.text);
	if (next(p))
		return CRMW_EQUERY;
	if (p->tok.kind != T_RPAREN)
		return unexpected(p, "')'");
	return CRMW_OK;
}

/*
 * expr := [FORMAT '('] call [')'] | path;  call := FN '(' [call | path] ')'.
 * A function nests in another at most once (FORMAT counts): refused at
 * the third, where it starts, not after reading any depth of them.
 */
static int parse_expr(parser *p, q_expr *e)
{
	memset(e, 0, sizeof *e);
	q_pos pos = p->tok.pos;
	e->pos = pos;
	const char *start = p->tok.start;
	if (p->tok.kind != T_IDENT)
		return unexpected(p, "a field name or a function");
	q_fn fn = fn_of(&p->tok);
	bool format = is_kw(&p->tok, "FORMAT");
	bool other = is_kw(&p->tok, "GROUPING") || is_kw(&p->tok, "GEOLOCATION") || is_kw(&p->tok, "FIELDS");
	/* A function only when '(' follows: a field may be named "Count". */
	if ((fn != FN_NONE || format || other) && peek_kind(p) == T_LPAREN) {
		if (is_kw(&p->tok, "GROUPING"))
			return perr_at(p, p->tok.pos,
				       "GROUPING() is not supported: it marks the subtotal rows of GROUP BY ROLLUP and CUBE, which this engine does not compute");
		if (is_kw(&p->tok, "GEOLOCATION"))
			return perr_at(p, p->tok.pos, "GEOLOCATION() can only be the second argument of DISTANCE()");
		if (is_kw(&p->tok, "FIELDS"))
			return perr_at(p, p->tok.pos, "FIELDS() can only be an item of the SELECT list");
		if (p->in_fn && format)
			return perr_at(p, p->tok.pos, "FORMAT() goes around other functions, not inside them");
		if (p->in_fn && fn == FN_DISTANCE)
			return perr_at(p, p->tok.pos, "DISTANCE() cannot be inside another function");
		if (format) {
			if (next(p) || next(p)) /* FORMAT ( */
				return CRMW_EQUERY;
			p->in_fn = true;
			int rc = parse_expr(p, e);
			p->in_fn = false;
			if (rc)
				return CRMW_EQUERY;
			e->format = true;
			e->pos = pos;
			e->alias = NULL;
			if (p->tok.kind != T_RPAREN)
				return unexpected(p, "')'");
		} else if (fn == FN_DISTANCE) {
			e->fn = fn;
			if (parse_distance(p, e))
				return CRMW_EQUERY;
		} else {
			e->fn = fn;
			if (next(p) || next(p)) /* FN ( */
				return CRMW_EQUERY;
			if (p->tok.kind == T_RPAREN) {
				if (fn != FN_COUNT)
					return perr_at(p, p->tok.pos, "%s() needs a field", crmw__fn_name(fn));
			} else if (p->tok.kind == T_COLON) {
				return bind_var(p);
			} else if ((fn_of(&p->tok) != FN_NONE || is_kw(&p->tok, "FORMAT")) && peek_kind(p) == T_LPAREN) {
				/* COUNT_DISTINCT(DAY_ONLY(CreatedDate)), DAY_ONLY(convertTimezone(x)) */
				if (p->in_fn)
					return perr_at(p, p->tok.pos, "functions nest at most two deep");
				q_expr in;
				p->in_fn = true;
				int rc = parse_expr(p, &in);
				p->in_fn = false;
				if (rc)
					return CRMW_EQUERY;
				e->inner = in.fn;
				e->has_path = true;
				e->path = in.path;
			} else {
				if (parse_path(p, &e->path))
					return CRMW_EQUERY;
				e->has_path = true;
			}
			if (p->tok.kind != T_RPAREN)
				return unexpected(p, "')'");
		}
		const char *end = p->tok.start + 1;
		e->text = crmw__arena_strndup(p->a, start, (size_t)(end - start));
		if (!e->text)
			return oom(p);
		return next(p);
	}
	if (parse_path(p, &e->path))
		return CRMW_EQUERY;
	e->has_path = true;
	e->text = e->path.text;
	return CRMW_OK;
}

/* ------------------------------------------------------------- values */

static int parse_datelit(parser *p, q_value *v)
{
	for (int i = 0; i < DL_COUNT; i++) {
		if (!is_kw(&p->tok, datelit_names[i]))
			continue;
		v->kind = V_DATELIT;
		v->lit = i;
		q_pos at = p->tok.pos;
		if (next(p))
			return CRMW_EQUERY;
		if (crmw__datelit_takes_n(i)) {
			if (p->tok.kind != T_COLON)
				return perr_at(p, at, "date literal %s needs ':n' (for example %s:7)",
					       datelit_names[i], datelit_names[i]);
			if (next(p))
				return CRMW_EQUERY;
			if (p->tok.kind == T_COLON)
				return bind_var(p);
			if (p->tok.kind != T_NUMBER)
				return unexpected(p, "a whole number after ':'");
			const char *tmp = tok_str(p);
			if (!tmp)
				return oom(p);
			char *endp;
			errno = 0;
			long long n = strtoll(tmp, &endp, 10);
			if (*endp || errno || n < 0 || n > DL_MAX_N)
				return perr_at(p, p->tok.pos, "%s:%s: n must be a whole number from 0 to %d",
					       datelit_names[i], tmp, DL_MAX_N);
			v->i = n;
			return next(p);
		}
		if (p->tok.kind == T_COLON)
			return perr_at(p, p->tok.pos, "date literal %s takes no ':n'", datelit_names[i]);
		return CRMW_OK;
	}
	return 1; /* not a date literal */
}

static int parse_number(parser *p, q_value *v, bool neg)
{
	char tmp[64];
	if (p->tok.len >= sizeof tmp - 1)
		return perr_at(p, p->tok.pos, "number is too long");
	snprintf(tmp, sizeof tmp, "%s%.*s", neg ? "-" : "", (int)p->tok.len, p->tok.start);
	char *end;
	errno = 0;
	if (!memchr(p->tok.start, '.', p->tok.len) && !memchr(p->tok.start, 'e', p->tok.len) &&
	    !memchr(p->tok.start, 'E', p->tok.len)) {
		long long i = strtoll(tmp, &end, 10);
		if (!*end && !errno) {
			v->kind = V_INT;
			v->i = i;
			v->d = (double)i;
			return next(p);
		}
	}
	errno = 0;
	double d = strtod(tmp, &end);
	if (*end || errno)
		return perr_at(p, p->tok.pos, "invalid number '%s'", tmp);
	v->kind = V_REAL;
	v->d = d;
	return next(p);
}

/* Is the token a currency literal: an ISO code and an amount (USD5000)? */
static bool is_currency(const token *t)
{
	if (t->kind != T_IDENT || t->len < 4 || t->len > 40)
		return false;
	for (size_t i = 0; i < t->len; i++)
		if (i < 3 ? !isalpha((unsigned char)t->start[i]) : !isdigit((unsigned char)t->start[i]))
			return false;
	return true;
}

/* USD5000, usd500.01 (a fraction right after the digits belongs to it). */
static int parse_currency(parser *p, q_value *v, bool neg)
{
	char code[4];
	for (int i = 0; i < 3; i++)
		code[i] = (char)toupper((unsigned char)p->tok.start[i]);
	code[3] = '\0';
	const char *from = p->tok.start + 3;
	if (p->at + 1 < p->len && p->src[p->at] == '.' && isdigit((unsigned char)p->src[p->at + 1])) {
		advance_char(p);
		while (p->at < p->len && isdigit((unsigned char)p->src[p->at]))
			advance_char(p);
	}
	p->tok.kind = T_NUMBER;
	p->tok.len = (size_t)(p->src + p->at - from);
	p->tok.start = from;
	if (parse_number(p, v, neg))
		return CRMW_EQUERY;
	if (!(v->currency = crmw__arena_strndup(p->a, code, 3)))
		return oom(p);
	return CRMW_OK;
}

static int parse_value(parser *p, q_value *v)
{
	memset(v, 0, sizeof *v);
	v->pos = p->tok.pos;
	switch (p->tok.kind) {
	case T_STRING:
		v->kind = V_STRING;
		v->s = p->tok.text;
		return next(p);
	case T_NUMBER:
		return parse_number(p, v, false);
	case T_MINUS:
	case T_PLUS: {
		bool neg = p->tok.kind == T_MINUS;
		if (next(p))
			return CRMW_EQUERY;
		if (is_currency(&p->tok))
			return parse_currency(p, v, neg);
		if (p->tok.kind != T_NUMBER)
			return unexpected(p, "a number");
		return parse_number(p, v, neg);
	}
	case T_DATE:
		v->kind = V_DATE;
		v->s = p->tok.text;
		return next(p);
	case T_DATETIME:
		v->kind = V_DATETIME;
		v->s = p->tok.text;
		return next(p);
	case T_IDENT:
		if (is_kw(&p->tok, "NULL")) {
			v->kind = V_NULL;
			return next(p);
		}
		if (is_kw(&p->tok, "TRUE") || is_kw(&p->tok, "FALSE")) {
			v->kind = V_BOOL;
			v->i = is_kw(&p->tok, "TRUE");
			return next(p);
		}
		if (is_currency(&p->tok))
			return parse_currency(p, v, false);
		{
			int rc = parse_datelit(p, v);
			if (rc <= 0)
				return rc;
		}
		return perr_at(p, p->tok.pos,
			       "unexpected '%.*s': a value is a 'quoted string', a number, true, false, null, a date (2024-01-31), a datetime (2024-01-31T08:00:00Z), a date literal (TODAY, LAST_N_DAYS:30) or an amount with its currency (USD5000)",
			       p->tok.len > 60 ? 60 : (int)p->tok.len, p->tok.start);
	case T_COLON:
		return bind_var(p);
	default:
		return unexpected(p, "a value");
	}
}

/* ---------------------------------------------------------- conditions */

static int parse_select_body(parser *p, q_select *s);
static int parse_cond(parser *p, q_cond **out);

#define MAX_LIST_VALUES 20000 /* SQLite binds at most 32766 parameters per statement */

static int parse_value_list(parser *p, q_value *v)
{
	/* after '(' */
	q_value *items = NULL;
	int n = 0, cap = 0;
	v->kind = V_LIST;
	for (;;) {
		if (n == MAX_LIST_VALUES)
			return perr_at(p, p->tok.pos, "too many values in the list (at most %d)", MAX_LIST_VALUES);
		if (!(items = grow(p, items, n, &cap, sizeof *items)))
			return CRMW_ENOMEM;
		if (parse_value(p, &items[n]))
			return CRMW_EQUERY;
		if (items[n].kind == V_DATELIT)
			return perr_at(p, items[n].pos, "date literals cannot be used in a value list");
		n++;
		if (p->tok.kind != T_COMMA)
			break;
		if (next(p))
			return CRMW_EQUERY;
	}
	v->items = items;
	v->nitems = n;
	return expect(p, T_RPAREN, "')'");
}

static int parse_simple(parser *p, q_cond *c)
{
	c->kind = C_CMP;
	c->pos = p->tok.pos;
	if (++p->terms > Q_MAX_TERMS)
		return perr_at(p, p->tok.pos, "too many conditions in one query (at most %d)", Q_MAX_TERMS);
	if (parse_expr(p, &c->lhs))
		return CRMW_EQUERY;
	bool negated = false;
	if (is_kw(&p->tok, "NOT")) {
		negated = true;
		if (next(p))
			return CRMW_EQUERY;
		if (!is_kw(&p->tok, "IN") && !is_kw(&p->tok, "LIKE"))
			return unexpected(p, "IN or LIKE after NOT");
	}
	if (p->tok.kind == T_OP) {
		c->op = (q_op)p->tok.op;
		if (next(p))
			return CRMW_EQUERY;
		if (p->tok.kind == T_LPAREN)
			return perr_at(p, p->tok.pos, "a comparison takes one value; use IN (...) for a list");
		return parse_value(p, &c->rhs);
	}
	if (is_kw(&p->tok, "LIKE")) {
		c->op = negated ? OP_NOT_LIKE : OP_LIKE;
		if (next(p))
			return CRMW_EQUERY;
		if (parse_value(p, &c->rhs))
			return CRMW_EQUERY;
		if (c->rhs.kind != V_STRING)
			return perr_at(p, c->rhs.pos, "LIKE needs a quoted pattern");
		return CRMW_OK;
	}
	bool in = is_kw(&p->tok, "IN"), inc = is_kw(&p->tok, "INCLUDES"), exc = is_kw(&p->tok, "EXCLUDES");
	if (in || inc || exc) {
		c->op = in ? (negated ? OP_NOT_IN : OP_IN) : inc ? OP_INCLUDES : OP_EXCLUDES;
		if (next(p))
			return CRMW_EQUERY;
		if (p->tok.kind == T_COLON)
			return bind_var(p);
		if (p->tok.kind != T_LPAREN)
			return unexpected(p, in ? "'(' after IN" : "'(' and values");
		if (next(p))
			return CRMW_EQUERY;
		c->rhs.pos = p->tok.pos;
		if (is_kw(&p->tok, "SELECT")) {
			if (!in)
				return perr_at(p, p->tok.pos, "only IN and NOT IN take a subquery");
			q_select *sub = crmw__arena_alloc(p->a, sizeof *sub);
			if (!sub)
				return oom(p);
			if (parse_select_body(p, sub))
				return CRMW_EQUERY;
			c->rhs.kind = V_SUBQUERY;
			c->rhs.sub = sub;
			return expect(p, T_RPAREN, "')' after the subquery");
		}
		return parse_value_list(p, &c->rhs);
	}
	if (negated)
		return unexpected(p, "IN or LIKE");
	return unexpected(p, "an operator (=, !=, <, <=, >, >=, LIKE, IN, NOT IN, INCLUDES, EXCLUDES)");
}

static q_cond *new_cond(parser *p, q_ckind k)
{
	q_cond *c = crmw__arena_alloc(p->a, sizeof *c);
	if (!c) {
		oom(p);
		return NULL;
	}
	c->kind = k;
	c->pos = p->tok.pos;
	return c;
}

static int parse_primary(parser *p, q_cond **out)
{
	if (++p->depth > Q_MAX_COND_DEPTH)
		return perr_at(p, p->tok.pos, "conditions nest too deeply (at most %d levels of parentheses and NOT)",
			       Q_MAX_COND_DEPTH);
	int rc;
	if (is_kw(&p->tok, "NOT")) {
		q_cond *c = new_cond(p, C_NOT);
		if (!c || next(p))
			return CRMW_EQUERY;
		if ((rc = parse_primary(p, &c->a)))
			return rc;
		*out = c;
	} else if (p->tok.kind == T_LPAREN) {
		if (next(p) || parse_cond(p, out))
			return CRMW_EQUERY;
		if ((rc = expect(p, T_RPAREN, "')'")))
			return rc;
		(*out)->paren = true;
	} else {
		q_cond *c = new_cond(p, C_CMP);
		if (!c || parse_simple(p, c))
			return CRMW_EQUERY;
		*out = c;
	}
	p->depth--;
	return CRMW_OK;
}

/* operand (KW operand)*: one node with every operand as a kid (a loop, so
 * that a chain of any length costs no stack). */
static int parse_chain(parser *p, const char *kw, q_ckind kind, int (*operand)(parser *, q_cond **),
		       q_cond **out)
{
	q_pos pos = p->tok.pos;
	q_cond **kids = NULL;
	int n = 0, cap = 0;
	for (;;) {
		if (!(kids = grow(p, kids, n, &cap, sizeof *kids)))
			return CRMW_ENOMEM;
		if (operand(p, &kids[n]))
			return CRMW_EQUERY;
		n++;
		if (!is_kw(&p->tok, kw))
			break;
		if (next(p))
			return CRMW_EQUERY;
	}
	if (n == 1) {
		*out = kids[0];
		return CRMW_OK;
	}
	q_cond *c = new_cond(p, kind);
	if (!c)
		return CRMW_ENOMEM;
	c->pos = pos;
	c->kids = kids;
	c->nkids = n;
	*out = c;
	return CRMW_OK;
}

static int parse_and(parser *p, q_cond **out)
{
	return parse_chain(p, "AND", C_AND, parse_primary, out);
}

static int parse_cond(parser *p, q_cond **out)
{
	if (parse_chain(p, "OR", C_OR, parse_and, out))
		return CRMW_EQUERY;
	/* SOQL refuses "a AND b OR c" without parentheses; so do we. */
	if ((*out)->kind == C_OR && !(*out)->paren)
		for (int i = 0; i < (*out)->nkids; i++)
			if ((*out)->kids[i]->kind == C_AND && !(*out)->kids[i]->paren)
				return perr_at(p, (*out)->pos, "mixing AND and OR needs parentheses");
	return CRMW_OK;
}

/* ------------------------------------------------------------- SELECT */

#define MAX_ORDER_ITEMS 64
#define MAX_GROUP_ITEMS 64
#define MAX_SELECT_ITEMS 256
#define MAX_RETURNING 64

static int parse_order(parser *p, q_order **out, int *n)
{
	q_order *items = NULL;
	int k = 0, cap = 0;
	for (;;) {
		if (k == MAX_ORDER_ITEMS)
			return perr_at(p, p->tok.pos, "too many ORDER BY items (at most %d)", MAX_ORDER_ITEMS);
		if (!(items = grow(p, items, k, &cap, sizeof *items)))
			return CRMW_ENOMEM;
		q_order *o = &items[k++];
		if (parse_expr(p, &o->e))
			return CRMW_EQUERY;
		if (is_kw(&p->tok, "ASC") || is_kw(&p->tok, "DESC")) {
			o->desc = is_kw(&p->tok, "DESC");
			if (next(p))
				return CRMW_EQUERY;
		}
		if (is_kw(&p->tok, "NULLS")) {
			if (next(p))
				return CRMW_EQUERY;
			if (is_kw(&p->tok, "FIRST"))
				o->nulls = 1;
			else if (is_kw(&p->tok, "LAST"))
				o->nulls = 2;
			else
				return unexpected(p, "FIRST or LAST after NULLS");
			if (next(p))
				return CRMW_EQUERY;
		}
		if (p->tok.kind != T_COMMA)
			break;
		if (next(p))
			return CRMW_EQUERY;
	}
	*out = items;
	*n = k;
	return CRMW_OK;
}

static int parse_count(parser *p, int64_t *out, const char *what)
{
	if (p->tok.kind == T_COLON)
		return bind_var(p);
	if (p->tok.kind != T_NUMBER)
		return unexpected(p, what);
	const char *tmp = tok_str(p);
	if (!tmp)
		return oom(p);
	char *end;
	errno = 0;
	long long v = strtoll(tmp, &end, 10);
	if (*end || errno || v < 0)
		return perr_at(p, p->tok.pos, "%s must be a whole number, not %s", what, tmp);
	*out = v;
	return next(p);
}

/* Is the current token followed by ',' or FROM?  (A one-token lookahead.) */
static bool alias_follows(parser *p)
{
	size_t at = p->at;
	int line = p->line, col = p->col;
	token save = p->tok;
	bool failed = p->failed;
	bool yes = false;
	if (lex(p) == CRMW_OK)
		yes = p->tok.kind == T_COMMA || is_kw(&p->tok, "FROM");
	p->at = at;
	p->line = line;
	p->col = col;
	p->tok = save;
	p->failed = failed;
	return yes;
}

static int parse_select_inner(parser *p, q_select *s);

static int parse_select_body(parser *p, q_select *s)
{
	s->pos = p->tok.pos;
	if (++p->sel_depth > Q_MAX_SELECT_DEPTH)
		return perr_at(p, p->tok.pos, "subqueries nest too deeply (at most %d levels of SELECT)",
			       Q_MAX_SELECT_DEPTH);
	int rc = parse_select_inner(p, s);
	p->sel_depth--;
	return rc;
}

/* FIELDS(ALL | STANDARD | CUSTOM), at FIELDS. */
static int parse_fields(parser *p, q_item *it)
{
	if (next(p) || next(p)) /* FIELDS ( */
		return CRMW_EQUERY;
	if (is_kw(&p->tok, "ALL"))
		it->fields = FIELDS_ALL;
	else if (is_kw(&p->tok, "STANDARD"))
		it->fields = FIELDS_STANDARD;
	else if (is_kw(&p->tok, "CUSTOM"))
		it->fields = FIELDS_CUSTOM;
	else
		return unexpected(p, "ALL, STANDARD or CUSTOM");
	if (next(p))
		return CRMW_EQUERY;
	return expect(p, T_RPAREN, "')'");
}

/*
 * One item of a SELECT list (or of a SOSL RETURNING object's, `search`):
 * a field, a function with an optional alias, FIELDS(...), or a child
 * subquery.
 */
static int parse_item(parser *p, q_item *it, bool search)
{
	it->pos = p->tok.pos;
	if (is_kw(&p->tok, "TYPEOF"))
		return perr_at(p, p->tok.pos, "TYPEOF is not supported");
	if (p->tok.kind == T_LPAREN) {
		if (search)
			return perr_at(p, p->tok.pos, "RETURNING fields cannot be subqueries");
		/* parse_select_body bounds the nesting (Q_MAX_SELECT_DEPTH) */
		if (next(p))
			return CRMW_EQUERY;
		it->is_sub = true;
		it->sub = crmw__arena_alloc(p->a, sizeof *it->sub);
		if (!it->sub)
			return oom(p);
		if (parse_select_body(p, it->sub) || expect(p, T_RPAREN, "')' after the subquery"))
			return CRMW_EQUERY;
		return CRMW_OK;
	}
	if (is_kw(&p->tok, "FIELDS") && peek_kind(p) == T_LPAREN)
		return parse_fields(p, it);
	if (parse_expr(p, &it->e))
		return CRMW_EQUERY;
	/* An alias: an identifier that is not a keyword.  After a plain field
	 * (allowed in aggregate queries) it must be followed by ',' or FROM, so
	 * that "SELECT Id FORM Case" is reported at FORM. */
	bool fn = it->e.fn != FN_NONE || it->e.format;
	if (p->tok.kind == T_IDENT && !is_reserved(&p->tok) && (fn || (!search && alias_follows(p)))) {
		if (!(it->e.alias = tok_str(p)))
			return oom(p);
		if (next(p))
			return CRMW_EQUERY;
	}
	return CRMW_OK;
}

/* The items of a SELECT list, or of a RETURNING object (`search`). */
static int parse_items(parser *p, q_item **out, int *nout, bool search)
{
	q_item *items = NULL;
	int n = 0, cap = 0;
	for (;;) {
		if (n == MAX_SELECT_ITEMS)
			return perr_at(p, p->tok.pos, "too many fields%s (at most %d)", search ? "" : " in SELECT", MAX_SELECT_ITEMS);
		if (!(items = grow(p, items, n, &cap, sizeof *items)))
			return CRMW_ENOMEM;
		if (parse_item(p, &items[n++], search))
			return CRMW_EQUERY;
		if (p->tok.kind != T_COMMA)
			break;
		if (next(p))
			return CRMW_EQUERY;
	}
	*out = items;
	*nout = n;
	return CRMW_OK;
}

/* UPDATE TRACKING / UPDATE VIEWSTAT, at UPDATE: they write statistics of
 * Knowledge articles, and queries here only read. */
static int parse_update(parser *p)
{
	if (next(p))
		return CRMW_EQUERY;
	if (is_kw(&p->tok, "TRACKING"))
		return perr_at(p, p->tok.pos,
			       "UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only");
	if (is_kw(&p->tok, "VIEWSTAT"))
		return perr_at(p, p->tok.pos,
			       "UPDATE VIEWSTAT is not supported: it counts a view of the Knowledge articles found, and queries here are read-only");
	return unexpected(p, "TRACKING or VIEWSTAT after UPDATE");
}

/* OFFSET n, at OFFSET: at most 2,000, as in Salesforce. */
static int parse_offset(parser *p, int64_t *out, bool *has)
{
	if (next(p))
		return CRMW_EQUERY;
	q_pos at = p->tok.pos;
	if (parse_count(p, out, "OFFSET"))
		return CRMW_EQUERY;
	if (*out > Q_MAX_OFFSET)
		return perr_code(p, CRMW_EQUERY, QE_RANGE, at, "Maximum %s offset allowed is %d (OFFSET %lld)",
				 strcmp(p->errcode, QE_SEARCH) == 0 ? "SOSL" : "SOQL", Q_MAX_OFFSET,
				 (long long)*out);
	*has = true;
	return CRMW_OK;
}

/* FROM Object [alias] [, path alias]...; FROM Parent.Children in a child subquery. */
static int parse_from(parser *p, q_select *s)
{
	if (!is_kw(&p->tok, "FROM")) {
		if (p->tok.kind == T_IDENT && !is_reserved(&p->tok))
			return perr_at(p, p->tok.pos, "unexpected '%.*s', expected FROM or ','",
				       p->tok.len > 60 ? 60 : (int)p->tok.len, p->tok.start);
		return unexpected(p, "FROM");
	}
	if (next(p))
		return CRMW_EQUERY;
	/* Any name may follow FROM, keywords included: "FROM Order". */
	if (p->tok.kind != T_IDENT)
		return unexpected(p, "an object name after FROM");
	s->from_pos = p->tok.pos;
	if (!(s->from = tok_str(p)) || next(p))
		return CRMW_EQUERY;
	if (p->tok.kind == T_DOT) {
		/* Account.Contacts: the compiler takes it in a child subquery only */
		if (next(p))
			return CRMW_EQUERY;
		if (p->tok.kind != T_IDENT)
			return unexpected(p, "a child relationship name after '.'");
		s->from_prefix = s->from;
		if (!(s->from = tok_str(p)) || next(p))
			return CRMW_EQUERY;
		if (p->tok.kind == T_DOT)
			return perr_at(p, p->tok.pos, "FROM takes an object name, not a path");
	}
	if (p->tok.kind == T_IDENT && !is_reserved(&p->tok)) {
		if (!(s->alias = tok_str(p)) || next(p))
			return CRMW_EQUERY;
	}
	/* FROM Contact c, c.Account a: a name for a parent relationship path */
	int cap = 0;
	while (p->tok.kind == T_COMMA) {
		if (next(p))
			return CRMW_EQUERY;
		if (s->nrels == Q_MAX_RELALIASES)
			return perr_at(p, p->tok.pos, "too many relationship aliases in FROM (at most %d)", Q_MAX_RELALIASES);
		if (!(s->rels = grow(p, s->rels, s->nrels, &cap, sizeof *s->rels)))
			return CRMW_ENOMEM;
		q_relalias *r = &s->rels[s->nrels++];
		if (parse_path(p, &r->path))
			return CRMW_EQUERY;
		if (r->path.nparts < 2)
			return perr_at(p, r->path.pos,
				       "FROM takes one object; what follows ',' is a relationship path with an alias (FROM Contact c, c.Account a)");
		if (p->tok.kind != T_IDENT || is_reserved(&p->tok))
			return unexpected(p, "an alias after the relationship path (FROM Contact c, c.Account a)");
		if (!(r->alias = tok_str(p)) || next(p))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "USING"))
		return perr_at(p, p->tok.pos,
			       "USING SCOPE is not supported: filter scopes (mine, team, ...) need the user running the query, which queries here do not have; filter with WHERE");
	return CRMW_OK;
}

static int parse_select_inner(parser *p, q_select *s)
{
	if (expect_kw(p, "SELECT"))
		return CRMW_EQUERY;
	if (parse_items(p, &s->items, &s->nitems, false))
		return CRMW_EQUERY;
	if (parse_from(p, s))
		return CRMW_EQUERY;
	if (is_kw(&p->tok, "WHERE")) {
		if (next(p) || parse_cond(p, &s->where))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "WITH"))
		return perr_at(p, p->tok.pos, "WITH clauses are not supported");
	if (is_kw(&p->tok, "GROUP")) {
		if (next(p) || expect_kw(p, "BY"))
			return CRMW_EQUERY;
		if (is_kw(&p->tok, "ROLLUP") || is_kw(&p->tok, "CUBE"))
			return perr_at(p, p->tok.pos, "GROUP BY ROLLUP and CUBE are not supported: this engine computes no subtotal rows");
		q_expr *g = NULL;
		int k = 0, cap_g = 0;
		for (;;) {
			if (k == MAX_GROUP_ITEMS)
				return perr_at(p, p->tok.pos, "too many GROUP BY fields (at most %d)", MAX_GROUP_ITEMS);
			if (!(g = grow(p, g, k, &cap_g, sizeof *g)))
				return CRMW_ENOMEM;
			if (parse_expr(p, &g[k]))
				return CRMW_EQUERY;
			if (g[k].fn >= FN_COUNT && g[k].fn <= FN_MAX)
				return perr_at(p, g[k].pos, "cannot group by an aggregate");
			k++;
			if (p->tok.kind != T_COMMA)
				break;
			if (next(p))
				return CRMW_EQUERY;
		}
		s->group = g;
		s->ngroup = k;
	}
	if (is_kw(&p->tok, "HAVING")) {
		if (next(p) || parse_cond(p, &s->having))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "ORDER")) {
		if (next(p) || expect_kw(p, "BY") || parse_order(p, &s->order, &s->norder))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "LIMIT")) {
		if (next(p) || parse_count(p, &s->limit, "LIMIT"))
			return CRMW_EQUERY;
		s->has_limit = true;
	}
	if (is_kw(&p->tok, "OFFSET") && parse_offset(p, &s->offset, &s->has_offset))
		return CRMW_EQUERY;
	if (is_kw(&p->tok, "FOR")) {
		if (next(p))
			return CRMW_EQUERY;
		if (is_kw(&p->tok, "UPDATE"))
			return perr_at(p, p->tok.pos, "FOR UPDATE is not allowed: queries are read-only");
		if (!is_kw(&p->tok, "VIEW") && !is_kw(&p->tok, "REFERENCE"))
			return unexpected(p, "VIEW or REFERENCE after FOR");
		if (next(p))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "UPDATE"))
		return parse_update(p);
	return CRMW_OK;
}

static void parser_init(parser *p, crmw_arena *a, const char *text, size_t len, crmw_err *err,
			const char *code)
{
	memset(p, 0, sizeof *p);
	p->a = a;
	p->src = text;
	p->len = len;
	p->line = 1;
	p->col = 1;
	p->err = err;
	p->errcode = code;
}

static int parse_soql(parser *p, q_select **out)
{
	*out = NULL;
	q_select *s = crmw__arena_alloc(p->a, sizeof *s);
	if (!s)
		return oom(p);
	if (lex(p) || parse_select_body(p, s))
		return CRMW_EQUERY;
	if (p->tok.kind != T_EOF) {
		if (p->tok.kind == T_IDENT && (is_kw(&p->tok, "AND") || is_kw(&p->tok, "OR")))
			return unexpected(p, "the end of the query (a condition must follow WHERE)");
		return unexpected(p, "the end of the query");
	}
	*out = s;
	return CRMW_OK;
}

int crmw__parse_soql(crmw_arena *a, const char *text, size_t len, q_select **out, crmw_err *err)
{
	parser p;
	parser_init(&p, a, text, len, err, QE_MALFORMED);
	int rc = parse_soql(&p, out);
	/* a failure's own status: CRMW_ENOMEM, CRMW_ELIMIT for a value over the limit */
	return rc && p.status ? p.status : rc;
}

/* ---------------------------------------------------------------- SOSL */

bool crmw__is_sosl(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	return len - i >= 4 && strncasecmp(text + i, "FIND", 4) == 0 &&
	       (len - i == 4 || !is_ident_char(text[i + 4]));
}

static int parse_returning(parser *p, q_returning *r)
{
	r->pos = p->tok.pos;
	if (p->tok.kind != T_IDENT)
		return unexpected(p, "an object name after RETURNING");
	if (!(r->object = tok_str(p)) || next(p))
		return CRMW_EQUERY;
	if (p->tok.kind != T_LPAREN)
		return CRMW_OK;
	if (next(p))
		return CRMW_EQUERY;
	if (parse_items(p, &r->items, &r->nitems, true))
		return CRMW_EQUERY;
	if (is_kw(&p->tok, "USING"))
		return perr_at(p, p->tok.pos,
			       "USING ListView is not supported: this org has no list views; filter with WHERE");
	if (is_kw(&p->tok, "WHERE")) {
		if (next(p) || parse_cond(p, &r->where))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "ORDER")) {
		if (next(p) || expect_kw(p, "BY") || parse_order(p, &r->order, &r->norder))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "LIMIT")) {
		if (next(p) || parse_count(p, &r->limit, "LIMIT"))
			return CRMW_EQUERY;
		r->has_limit = true;
	}
	if (is_kw(&p->tok, "OFFSET") && parse_offset(p, &r->offset, &r->has_offset))
		return CRMW_EQUERY;
	return expect(p, T_RPAREN, "')'");
}

static int parse_sosl(parser *p, q_search **out);

int crmw__parse_sosl(crmw_arena *a, const char *text, size_t len, q_search **out, crmw_err *err)
{
	parser p;
	parser_init(&p, a, text, len, err, QE_SEARCH);
	int rc = parse_sosl(&p, out);
	return rc && p.status ? p.status : rc;
}

static int parse_sosl(parser *p, q_search **out)
{
	*out = NULL;
	q_search *s = crmw__arena_alloc(p->a, sizeof *s);
	if (!s)
		return oom(p);
	if (lex(p) || expect_kw(p, "FIND"))
		return CRMW_EQUERY;
	s->terms_pos = p->tok.pos;
	if (p->tok.kind == T_COLON)
		return bind_var(p);
	if (p->tok.kind != T_BRACED && p->tok.kind != T_STRING)
		return unexpected(p, "the search text in braces, like {Acme}");
	s->terms = p->tok.text;
	if (next(p))
		return CRMW_EQUERY;
	if (is_kw(&p->tok, "IN")) {
		if (next(p))
			return CRMW_EQUERY;
		if (is_kw(&p->tok, "ALL"))
			s->scope = SC_ALL;
		else if (is_kw(&p->tok, "NAME"))
			s->scope = SC_NAME;
		else if (is_kw(&p->tok, "EMAIL"))
			s->scope = SC_EMAIL;
		else if (is_kw(&p->tok, "PHONE"))
			s->scope = SC_PHONE;
		else if (is_kw(&p->tok, "SIDEBAR"))
			s->scope = SC_ALL;
		else
			return unexpected(p, "ALL, NAME, EMAIL or PHONE");
		if (next(p) || expect_kw(p, "FIELDS"))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "RETURNING")) {
		if (next(p))
			return CRMW_EQUERY;
		q_returning *r = NULL;
		int n = 0, cap = 0;
		for (;;) {
			if (n == MAX_RETURNING)
				return perr_at(p, p->tok.pos, "too many objects after RETURNING (at most %d)", MAX_RETURNING);
			if (!(r = grow(p, r, n, &cap, sizeof *r)))
				return CRMW_ENOMEM;
			if (parse_returning(p, &r[n++]))
				return CRMW_EQUERY;
			if (p->tok.kind != T_COMMA)
				break;
			if (next(p))
				return CRMW_EQUERY;
		}
		s->ret = r;
		s->nret = n;
	}
	if (is_kw(&p->tok, "WITH"))
		return perr_at(p, p->tok.pos, "WITH clauses are not supported");
	if (is_kw(&p->tok, "LIMIT")) {
		if (next(p) || parse_count(p, &s->limit, "LIMIT"))
			return CRMW_EQUERY;
		s->has_limit = true;
	}
	if (is_kw(&p->tok, "UPDATE"))
		return parse_update(p);
	if (p->tok.kind != T_EOF)
		return unexpected(p, "the end of the search");
	*out = s;
	return CRMW_OK;
}
