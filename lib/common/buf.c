/*
 * crmw_buf: the growable output buffer shared by host and library.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int crmw_buf_set(crmw_buf *buf, const void *data, size_t len)
{
	CRMW__ARGS_NONNULL(NULL, !buf || (!data && len));
	crmw__buf_clear(buf);
	return crmw__buf_append(buf, data, len) ? crmw__errf(NULL, CRMW_ENOMEM, "out of memory") : CRMW_OK;
}

void crmw_buf_dispose(crmw_buf *buf)
{
	if (!buf)
		return;
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

int crmw__buf_reserve(crmw_buf *b, size_t extra)
{
	/* Room for len + extra bytes and the terminating NUL. */
	if (extra > SIZE_MAX - b->len - 1)
		return CRMW_ENOMEM;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return CRMW_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return CRMW_ENOMEM;
	b->data = p;
	b->cap = cap;
	return CRMW_OK;
}

int crmw__buf_append(crmw_buf *b, const void *p, size_t n)
{
	if (crmw__buf_reserve(b, n))
		return CRMW_ENOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CRMW_OK;
}

int crmw__buf_puts(crmw_buf *b, const char *s)
{
	return crmw__buf_append(b, s, strlen(s));
}

int crmw__buf_putc(crmw_buf *b, char c)
{
	return crmw__buf_append(b, &c, 1);
}

int crmw__buf_printf(crmw_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CRMW_ERROR;
	if (crmw__buf_reserve(b, (size_t)n))
		return CRMW_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CRMW_OK;
}

int crmw__buf_json_str(crmw_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = b->len;
	/* Worst case every byte becomes \u00XX. */
	if (n > (SIZE_MAX - 2) / 6 || crmw__buf_reserve(b, n * 6 + 2))
		return CRMW_ENOMEM;
	char *o = b->data + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		case '\b': *o++ = '\\'; *o++ = 'b'; break;
		case '\f': *o++ = '\\'; *o++ = 'f'; break;
		default:
			if (c < 0x20) {
				*o++ = '\\'; *o++ = 'u'; *o++ = '0'; *o++ = '0';
				*o++ = hex[c >> 4]; *o++ = hex[c & 15];
			} else {
				*o++ = (char)c;
			}
		}
	}
	*o++ = '"';
	b->len = start + (size_t)(o - (b->data + start));
	b->data[b->len] = '\0';
	return CRMW_OK;
}

void crmw__buf_clear(crmw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int crmw__buf_cut(crmw_buf *b, size_t max, const char *advice)
{
	if (b->len <= max)
		return CRMW_OK;
	size_t cut = max, full = b->len;
	while (cut > 0 && ((unsigned char)b->data[cut] & 0xC0) == 0x80)
		cut--;
	b->len = cut;
	b->data[cut] = '\0';
	return crmw__buf_printf(b, "\n[truncated: the result has %zu bytes; this shows the first %zu.%s%s]", full, cut,
				advice && *advice ? " " : "", advice ? advice : "");
}

int crmw__buf_read_file(crmw_buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	int err = 0;
	for (;;) {
		/* read straight into the buffer, 64 KiB at a time (nothing on
		 * the stack: callers may run on small threads) */
		if (crmw__buf_reserve(b, 65536)) {
			err = ENOMEM;
			break;
		}
		size_t n = fread(b->data + b->len, 1, b->cap - b->len - 1, f);
		b->len += n;
		b->data[b->len] = '\0';
		if (n == 0) {
			if (ferror(f))
				err = errno ? errno : EIO;
			break;
		}
	}
	fclose(f);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int crmw__buf_double(crmw_buf *b, double d)
{
	char tmp[40];
	if (!isfinite(d))
		return crmw__buf_puts(b, "null");
	snprintf(tmp, sizeof tmp, "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof tmp, "%.17g", d);
	/* Keep it a JSON number that reads back as a double where it was one. */
	return crmw__buf_puts(b, tmp);
}
