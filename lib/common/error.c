/*
 * Status codes, the per-handle error state and the thread-local last error.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	int32_t code;
	const char *name;
	const char *text;
} status_table[] = {
	{CRMW_OK, "CRMW_OK", "success"},
	{CRMW_ERROR, "CRMW_ERROR", "internal error"},
	{CRMW_EINVALID, "CRMW_EINVALID", "invalid argument"},
	{CRMW_ENOMEM, "CRMW_ENOMEM", "out of memory"},
	{CRMW_ENOTFOUND, "CRMW_ENOTFOUND", "not found"},
	{CRMW_EEXISTS, "CRMW_EEXISTS", "already exists"},
	{CRMW_ESCHEMA, "CRMW_ESCHEMA", "schema violation"},
	{CRMW_EQUERY, "CRMW_EQUERY", "query error"},
	{CRMW_EACCESS, "CRMW_EACCESS", "access denied"},
	{CRMW_ELIMIT, "CRMW_ELIMIT", "limit exceeded"},
	{CRMW_EBACKEND, "CRMW_EBACKEND", "model backend error"},
	{CRMW_EUSER, "CRMW_EUSER", "aborted by a host callback"},
	{CRMW_EIO, "CRMW_EIO", "input/output error"},
	{CRMW_EUNSUPPORTED, "CRMW_EUNSUPPORTED", "not supported by this build"},
	{CRMW_ECANCELED, "CRMW_ECANCELED", "canceled"},
	{CRMW_EFORMAT, "CRMW_EFORMAT", "malformed input"},
	{CRMW_ECORRUPT, "CRMW_ECORRUPT", "corrupt file"},
	{CRMW_EBUSY, "CRMW_EBUSY", "resource busy"},
	{CRMW_ESTATE, "CRMW_ESTATE", "invalid state for this call"},
};

const char *crmw_strerror(int32_t code)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(status_table); i++)
		if (status_table[i].code == code)
			return status_table[i].text;
	return "unknown error";
}

const char *crmw_status_name(int32_t code)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(status_table); i++)
		if (status_table[i].code == code)
			return status_table[i].name;
	return NULL;
}

/*
 * The thread's last error.  A fixed buffer: no allocation on the error path
 * and nothing to free at thread exit.  Longer messages are cut (the handle
 * keeps the full text).
 */
#define LAST_ERROR_MAX 2048
static _Thread_local char last_msg[LAST_ERROR_MAX];
static _Thread_local int32_t last_code;

const char *crmw_last_error(void)
{
	return last_msg;
}

int32_t crmw_last_error_code(void)
{
	return last_code;
}

void crmw_clear_last_error(void)
{
	last_msg[0] = '\0';
	last_code = CRMW_OK;
}

int crmw__verrf(crmw_err *e, int32_t code, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	/* Format into a local buffer first: callers may pass crmw_last_error()
	 * itself as an argument ("%s", crmw_last_error()), and formatting into
	 * the buffer being read would lose the message. */
	char local[sizeof last_msg];
	int n = vsnprintf(local, sizeof local, fmt, ap);
	if (n < 0) {
		snprintf(local, sizeof local, "%s", crmw_strerror(code));
		n = (int)strlen(local);
	}
	if ((size_t)n >= sizeof local)
		crmw__utf8_trim(local);
	memcpy(last_msg, local, sizeof last_msg);
	last_code = code;
	if (e) {
		e->code = code;
		char *msg = NULL;
		if ((size_t)n < sizeof last_msg) {
			msg = crmw__strndup(last_msg, (size_t)n);
		} else {
			msg = malloc((size_t)n + 1);
			if (msg)
				vsnprintf(msg, (size_t)n + 1, fmt, ap2);
		}
		/* Out of memory: keep the old message rather than lose the code. */
		if (msg) {
			free(e->msg);
			e->msg = msg;
		}
	}
	va_end(ap2);
	return code;
}

int crmw__errf(crmw_err *e, int32_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = crmw__verrf(e, code, fmt, ap);
	va_end(ap);
	return rc;
}

void crmw__utf8_trim(char *s)
{
	size_t n = strlen(s), k = 0;
	/* the continuation bytes at the end, then the byte that leads them */
	while (k < n && k < 4 && ((unsigned char)s[n - 1 - k] & 0xC0) == 0x80)
		k++;
	if (k == n)
		return;
	unsigned char lead = (unsigned char)s[n - 1 - k];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (lead >= 0xC0 && need > k + 1)
		s[n - 1 - k] = '\0';
}

size_t crmw__utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

const char *crmw__err_msg(const crmw_err *e)
{
	return (e && e->msg) ? e->msg : "";
}

void crmw__err_clear(crmw_err *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->code = CRMW_OK;
}

void crmw__err_dispose(crmw_err *e)
{
	crmw__err_clear(e);
}

void crmw__handle_dispose(crmw_handle *h)
{
	if (!h)
		return;
	crmw__err_dispose(&h->err);
	crmw__logger_dispose(&h->log);
}

char *crmw__strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *crmw__strdup(const char *s)
{
	return s ? crmw__strndup(s, strlen(s)) : NULL;
}

void crmw_free(void *ptr)
{
	free(ptr);
}

int crmw__sqlerr(crmw_err *e, sqlite3 *sql, int src, const char *what)
{
	int prim = src & 0xff;
	int code = prim == SQLITE_BUSY || prim == SQLITE_LOCKED ? CRMW_EBUSY
		 : prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB ? CRMW_ECORRUPT
		 : prim == SQLITE_READONLY || prim == SQLITE_AUTH || prim == SQLITE_PERM ? CRMW_EACCESS
		 : prim == SQLITE_NOMEM ? CRMW_ENOMEM
		 : prim == SQLITE_CONSTRAINT ? CRMW_EEXISTS
		 : prim == SQLITE_INTERRUPT ? CRMW_ECANCELED
		 : CRMW_EIO;
	const char *msg = sql ? sqlite3_errmsg(sql) : sqlite3_errstr(src);
	/* A full disk, a read-only file system or an I/O error concerns the
	 * file: name it, with the operating system's cause when there is one. */
	bool filewise = prim == SQLITE_FULL || prim == SQLITE_IOERR || prim == SQLITE_READONLY || prim == SQLITE_CANTOPEN;
	const char *file = sql && filewise ? sqlite3_db_filename(sql, "main") : NULL;
	int sys = sql && filewise ? sqlite3_system_errno(sql) : 0;
	if (file && *file && sys)
		return crmw__errf(e, code, "%s: %s: %s (%s)", file, what, msg, strerror(sys));
	if (file && *file)
		return crmw__errf(e, code, "%s: %s: %s", file, what, msg);
	return crmw__errf(e, code, "%s: %s", what, msg);
}

int crmw__sqlite_open_read(struct sqlite3 **out, const char *path, int flags)
{
	char side[4200];
	struct stat sb;
	bool rofs = access(path, W_OK) != 0 && errno == EROFS;
	snprintf(side, sizeof side, "%s-shm", path);
	bool shm = stat(side, &sb) == 0;
	snprintf(side, sizeof side, "%s-wal", path);
	bool wal = stat(side, &sb) == 0 && sb.st_size > 0;
	if (!rofs || shm || wal || strlen(path) > 1300)
		return sqlite3_open_v2(path, out, flags, NULL);
	/* file:PATH?immutable=1, with the characters URIs reserve escaped */
	char uri[4200];
	size_t n = (size_t)snprintf(uri, sizeof uri, "file:%s", path[0] == '/' ? "//" : "");
	for (const char *p = path; *p; p++)
		n += (size_t)snprintf(uri + n, sizeof uri - n, *p == '%' || *p == '?' || *p == '#' ? "%%%02X" : "%c",
				      (unsigned char)*p);
	snprintf(uri + n, sizeof uri - n, "?immutable=1");
	return sqlite3_open_v2(uri, out, flags | SQLITE_OPEN_URI, NULL);
}
