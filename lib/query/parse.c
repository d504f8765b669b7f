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
	"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO",
	"LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
	"LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO",
	"LAST_N_QUARTERS", "NEXT_N_QUARTERS", "N_QUARTERS_AGO",
	"LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO",
};

const char *crmw__datelit_name(int lit)
{
	return lit >= 0 && lit < DL_COUNT ? datelit_names[lit] : "?";
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
	{"CONVERTTIMEZONE", FN_CONVERT_TIMEZONE},
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
	size_t k = t->len > 40 ? 40 : t->len;
	while (k > 0 && k < t->len && ((unsigned char)t->start[k] & 0xC0) == 0x80)
		k--;
	if (t->kind == T_EOF)
		snprintf(out, n, "end of query");
	else
		snprintf(out, n, "'%.*s'", (int)k, t->start);
}

static int perr_at(parser *p, q_pos pos, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int perr_at(parser *p, q_pos pos, const char *fmt, ...)
{
	if (p->failed)
		return CRMW_EQUERY;
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	crmw__errf(p->err, CRMW_EQUERY, "%s: %s (line %d, column %d)", p->errcode, msg, pos.line, pos.col);
	p->failed = true;
	return CRMW_EQUERY;
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

/* A quoted string: SOQL escapes \' \" \\ \n \t \r \b \f \_ \% (the last two
 * stay escaped: they matter to LIKE). */
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
		char c = p->src[p->at];
		if (c == quote) {
			advance_char(p);
			break;
		}
		if (c == '\\') {
			advance_char(p);
			if (p->at >= p->len) {
				rc = perr_at(p, t->pos, "unterminated string literal");
				break;
			}
			char e = p->src[p->at];
			const char *put = NULL;
			char one[3] = {0};
			switch (e) {
			case 'n': one[0] = '\n'; break;
			case 't': one[0] = '\t'; break;
			case 'r': one[0] = '\r'; break;
			case 'b': one[0] = '\b'; break;
			case 'f': one[0] = '\f'; break;
			case '\'': case '"': case '\\': one[0] = e; break;
			case '_': case '%': one[0] = '\\'; one[1] = e; break;
			default: {
				q_pos at = {p->line, p->col - 1};
				char shown[8];
				crmw_buf_dispose(&b);
				return perr_at(p, at, "invalid escape sequence '\\%s' in a string",
					       show_char(p->src + p->at, p->len - p->at, shown));
			}
			}
			put = one;
			advance_char(p);
			if (crmw__buf_puts(&b, put)) {
				rc = crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
				p->failed = true;
				break;
			}
			continue;
		}
		if (crmw__buf_putc(&b, c)) {
			rc = crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
			p->failed = true;
			break;
		}
		advance_char(p);
	}
	/* the value goes on as a C string */
	if (!rc && b.len && memchr(b.data, '\0', b.len))
		rc = perr_at(p, t->pos, "a string literal cannot contain a NUL byte");
	if (!rc) {
		t->text = crmw__arena_strndup(p->a, b.data ? b.data : "", b.len);
		if (!t->text) {
			rc = crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
			p->failed = true;
		}
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
};

static bool is_reserved(const token *t)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(reserved); i++)
		if (is_kw(t, reserved[i]))
			return true;
	return false;
}

static int oom(parser *p)
{
	p->failed = true;
	p->nomem = true;
	return crmw__errf(p->err, CRMW_ENOMEM, "out of memory");
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

/* expr := FN '(' [expr] ')' | path */
static int parse_expr(parser *p, q_expr *e)
{
	memset(e, 0, sizeof *e);
	e->pos = p->tok.pos;
	const char *start = p->tok.start;
	if (p->tok.kind != T_IDENT)
		return unexpected(p, "a field name or a function");
	q_fn fn = fn_of(&p->tok);
	if (fn != FN_NONE) {
		/* A function only when '(' follows: a field may be named "Count". */
		size_t save_at = p->at;
		int save_line = p->line, save_col = p->col;
		token save = p->tok;
		if (next(p))
			return CRMW_EQUERY;
		if (p->tok.kind == T_LPAREN) {
			e->fn = fn;
			if (next(p))
				return CRMW_EQUERY;
			if (p->tok.kind == T_RPAREN) {
				if (fn != FN_COUNT)
					return perr_at(p, p->tok.pos, "%s() needs a field", crmw__fn_name(fn));
			} else {
				q_fn inner = fn_of(&p->tok);
				if (inner >= FN_CALENDAR_MONTH) {
					/* COUNT_DISTINCT(DAY_ONLY(CreatedDate)), DAY_ONLY(convertTimezone(x)) */
					q_expr in;
					/* one function inside another, no deeper: refused at
					 * the third, not after reading any depth of them */
					if (p->in_fn)
						return perr_at(p, p->tok.pos, "functions nest at most two deep");
					p->in_fn = true;
					int rc = parse_expr(p, &in);
					p->in_fn = false;
					if (rc)
						return CRMW_EQUERY;
					if (in.fn == FN_NONE || in.inner != FN_NONE)
						return perr_at(p, in.pos, "functions nest at most two deep");
					e->inner = in.fn;
					e->has_path = true;
					e->path = in.path;
				} else {
					if (parse_path(p, &e->path))
						return CRMW_EQUERY;
					e->has_path = true;
				}
			}
			if (p->tok.kind != T_RPAREN)
				return unexpected(p, "')'");
			const char *end = p->tok.start + 1;
			e->text = crmw__arena_strndup(p->a, start, (size_t)(end - start));
			if (!e->text)
				return oom(p);
			return next(p);
		}
		/* Not a call: rewind and read a path. */
		p->at = save_at;
		p->line = save_line;
		p->col = save_col;
		p->tok = save;
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
		if (i >= DL_LAST_N_DAYS) {
			if (p->tok.kind != T_COLON)
				return perr_at(p, at, "date literal %s needs ':n' (for example %s:7)",
					       datelit_names[i], datelit_names[i]);
			if (next(p))
				return CRMW_EQUERY;
			if (p->tok.kind != T_NUMBER)
				return unexpected(p, "a whole number after ':'");
			const char *tmp = tok_str(p);
			if (!tmp)
				return oom(p);
			char *endp;
			errno = 0;
			long long n = strtoll(tmp, &endp, 10);
			if (*endp || errno || n < 0 || n > 100000)
				return perr_at(p, p->tok.pos, "%s:%s: n must be a whole number from 0 to 100000",
					       datelit_names[i], tmp);
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
		{
			int rc = parse_datelit(p, v);
			if (rc <= 0)
				return rc;
		}
		return perr_at(p, p->tok.pos,
			       "unexpected '%.*s': a value is a 'quoted string', a number, true, false, null, a date (2024-01-31), a datetime (2024-01-31T08:00:00Z) or a date literal (TODAY, LAST_N_DAYS:30)",
			       (int)p->tok.len, p->tok.start);
	case T_COLON:
		return perr_at(p, p->tok.pos, "bind variables (:name) are not supported; write the value");
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
		if (p->tok.kind != T_LPAREN)
			return unexpected(p, "'(' after IN");
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

static int parse_select_inner(parser *p, q_select *s)
{
	if (expect_kw(p, "SELECT"))
		return CRMW_EQUERY;
	q_item *items = NULL;
	int n = 0, cap = 0;
	for (;;) {
		if (n == MAX_SELECT_ITEMS)
			return perr_at(p, p->tok.pos, "too many fields in SELECT (at most %d)", MAX_SELECT_ITEMS);
		if (!(items = grow(p, items, n, &cap, sizeof *items)))
			return CRMW_ENOMEM;
		q_item *it = &items[n++];
		it->pos = p->tok.pos;
		if (is_kw(&p->tok, "TYPEOF"))
			return perr_at(p, p->tok.pos, "TYPEOF is not supported");
		if (p->tok.kind == T_LPAREN) {
			/* parse_select_body bounds the nesting (Q_MAX_SELECT_DEPTH) */
			if (next(p))
				return CRMW_EQUERY;
			it->is_sub = true;
			it->sub = crmw__arena_alloc(p->a, sizeof *it->sub);
			if (!it->sub)
				return oom(p);
			if (parse_select_body(p, it->sub) || expect(p, T_RPAREN, "')' after the subquery"))
				return CRMW_EQUERY;
		} else {
			if (parse_expr(p, &it->e))
				return CRMW_EQUERY;
			/* An alias: an identifier that is not a keyword.  After a plain
			 * field (allowed in aggregate queries) it must be followed by ',' or
			 * FROM, so that "SELECT Id FORM Case" is reported at FORM. */
			if (p->tok.kind == T_IDENT && !is_reserved(&p->tok) &&
			    (it->e.fn != FN_NONE || alias_follows(p))) {
				if (!(it->e.alias = tok_str(p)) || next(p))
					return CRMW_EQUERY;
			}
		}
		if (p->tok.kind != T_COMMA)
			break;
		if (next(p))
			return CRMW_EQUERY;
	}
	s->items = items;
	s->nitems = n;

	if (!is_kw(&p->tok, "FROM")) {
		if (p->tok.kind == T_IDENT && !is_reserved(&p->tok))
			return perr_at(p, p->tok.pos, "unexpected '%.*s', expected FROM or ','",
				       (int)p->tok.len, p->tok.start);
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
	if (p->tok.kind == T_DOT)
		return perr_at(p, p->tok.pos, "FROM takes an object name, not a path");
	if (p->tok.kind == T_IDENT && !is_reserved(&p->tok)) {
		if (!(s->alias = tok_str(p)) || next(p))
			return CRMW_EQUERY;
	}
	if (is_kw(&p->tok, "USING"))
		return perr_at(p, p->tok.pos, "USING SCOPE is not supported");
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
			return perr_at(p, p->tok.pos, "GROUP BY ROLLUP and CUBE are not supported");
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
	if (is_kw(&p->tok, "OFFSET")) {
		if (next(p) || parse_count(p, &s->offset, "OFFSET"))
			return CRMW_EQUERY;
		s->has_offset = true;
	}
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

int crmw__parse_soql(crmw_arena *a, const char *text, size_t len, q_select **out, crmw_err *err)
{
	parser p;
	parser_init(&p, a, text, len, err, QE_MALFORMED);
	*out = NULL;
	q_select *s = crmw__arena_alloc(a, sizeof *s);
	if (!s)
		return crmw__errf(err, CRMW_ENOMEM, "out of memory");
	if (lex(&p) || parse_select_body(&p, s))
		return p.nomem ? CRMW_ENOMEM : CRMW_EQUERY;
	if (p.tok.kind != T_EOF) {
		if (p.tok.kind == T_IDENT && (is_kw(&p.tok, "AND") || is_kw(&p.tok, "OR")))
			return unexpected(&p, "the end of the query (a condition must follow WHERE)");
		return unexpected(&p, "the end of the query");
	}
	*out = s;
	return CRMW_OK;
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
	q_path *f = NULL;
	int n = 0, cap = 0;
	for (;;) {
		if (n == MAX_SELECT_ITEMS)
			return perr_at(p, p->tok.pos, "too many fields (at most %d)", MAX_SELECT_ITEMS);
		if (!(f = grow(p, f, n, &cap, sizeof *f)))
			return CRMW_ENOMEM;
		if (parse_path(p, &f[n++]))
			return CRMW_EQUERY;
		if (p->tok.kind != T_COMMA)
			break;
		if (next(p))
			return CRMW_EQUERY;
	}
	r->fields = f;
	r->nfields = n;
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
	if (is_kw(&p->tok, "OFFSET")) {
		if (next(p) || parse_count(p, &r->offset, "OFFSET"))
			return CRMW_EQUERY;
		r->has_offset = true;
	}
	return expect(p, T_RPAREN, "')'");
}

int crmw__parse_sosl(crmw_arena *a, const char *text, size_t len, q_search **out, crmw_err *err)
{
	parser p;
	parser_init(&p, a, text, len, err, QE_SEARCH);
	*out = NULL;
	q_search *s = crmw__arena_alloc(a, sizeof *s);
	if (!s)
		return crmw__errf(err, CRMW_ENOMEM, "out of memory");
	if (lex(&p) || expect_kw(&p, "FIND"))
		return CRMW_EQUERY;
	s->terms_pos = p.tok.pos;
	if (p.tok.kind != T_BRACED && p.tok.kind != T_STRING)
		return unexpected(&p, "the search text in braces, like {Acme}");
	s->terms = p.tok.text;
	if (next(&p))
		return CRMW_EQUERY;
	if (is_kw(&p.tok, "IN")) {
		if (next(&p))
			return CRMW_EQUERY;
		if (is_kw(&p.tok, "ALL"))
			s->scope = SC_ALL;
		else if (is_kw(&p.tok, "NAME"))
			s->scope = SC_NAME;
		else if (is_kw(&p.tok, "EMAIL"))
			s->scope = SC_EMAIL;
		else if (is_kw(&p.tok, "PHONE"))
			s->scope = SC_PHONE;
		else if (is_kw(&p.tok, "SIDEBAR"))
			s->scope = SC_ALL;
		else
			return unexpected(&p, "ALL, NAME, EMAIL or PHONE");
		if (next(&p) || expect_kw(&p, "FIELDS"))
			return CRMW_EQUERY;
	}
	if (is_kw(&p.tok, "RETURNING")) {
		if (next(&p))
			return CRMW_EQUERY;
		q_returning *r = NULL;
		int n = 0, cap = 0;
		for (;;) {
			if (n == MAX_RETURNING)
				return perr_at(&p, p.tok.pos, "too many objects after RETURNING (at most %d)", MAX_RETURNING);
			if (!(r = grow(&p, r, n, &cap, sizeof *r)))
				return CRMW_ENOMEM;
			if (parse_returning(&p, &r[n++]))
				return CRMW_EQUERY;
			if (p.tok.kind != T_COMMA)
				break;
			if (next(&p))
				return CRMW_EQUERY;
		}
		s->ret = r;
		s->nret = n;
	}
	if (is_kw(&p.tok, "WITH"))
		return perr_at(&p, p.tok.pos, "WITH clauses are not supported");
	if (is_kw(&p.tok, "LIMIT")) {
		if (next(&p) || parse_count(&p, &s->limit, "LIMIT"))
			return CRMW_EQUERY;
		s->has_limit = true;
	}
	if (p.tok.kind != T_EOF)
		return unexpected(&p, "the end of the search");
	*out = s;
	return CRMW_OK;
}
