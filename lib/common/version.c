/*
 * Version and optional features of this build.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <string.h>

#include <jansson.h>
#include <sqlite3.h>
#if CRMW_HAVE_CURL
#include <curl/curl.h>
#endif

const char *crmw_version_string(void)
{
	return CRMW_VERSION_STRING;
}

uint32_t crmw_version_number(void)
{
	return (uint32_t)CRMW_VERSION_NUMBER;
}

static int have_fts5(void)
{
	/* Ask the SQLite library that is actually loaded, not the headers. */
	return sqlite3_compileoption_used("ENABLE_FTS5") ? 1 : 0;
}

int crmw_has_feature(const char *name)
{
	if (!name)
		return 0;
	if (strcmp(name, "faiss") == 0)
		return CRMW_HAVE_FAISS;
	if (strcmp(name, "curl") == 0)
		return CRMW_HAVE_CURL;
	if (strcmp(name, "fts5") == 0)
		return have_fts5();
	return 0;
}

static int put_lib(crmw_buf *b, bool *first, const char *name, const char *ver)
{
	int rc = crmw__buf_puts(b, *first ? "" : ",");
	*first = false;
	if (!rc)
		rc = crmw__buf_json_str(b, name, strlen(name));
	if (!rc)
		rc = crmw__buf_putc(b, ':');
	if (!rc)
		rc = crmw__buf_json_str(b, ver, strlen(ver));
	return rc;
}

int crmw_features_json(crmw_buf *out)
{
	if (!out)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_features_json: out is NULL");
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_printf(&b,
		"{\"schema_version\":1,\"version\":\"%s\",\"features\":"
		"{\"faiss\":%s,\"fts5\":%s,\"curl\":%s},\"libraries\":{",
		CRMW_VERSION_STRING,
		crmw_has_feature("faiss") ? "true" : "false",
		crmw_has_feature("fts5") ? "true" : "false",
		crmw_has_feature("curl") ? "true" : "false");
	bool first = true;
	if (!rc)
		rc = put_lib(&b, &first, "sqlite", sqlite3_libversion());
	if (!rc)
		rc = put_lib(&b, &first, "jansson", jansson_version_str());
#if CRMW_HAVE_CURL
	if (!rc)
		rc = put_lib(&b, &first, "curl", curl_version_info(CURLVERSION_NOW)->version);
#endif
#if CRMW_HAVE_FAISS
	if (!rc && CRMW_FAISS_VERSION[0])
		rc = put_lib(&b, &first, "faiss", CRMW_FAISS_VERSION);
#endif
	if (!rc)
		rc = crmw__buf_puts(&b, "}}");
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(NULL, CRMW_ENOMEM, "crmw_features_json: out of memory");
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}
