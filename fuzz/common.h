/*
 * fuzz/common.h: what the libFuzzer harnesses share: a small org made once
 * per process, and writing an input to a temporary file for the importers.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_FUZZ_COMMON_H
#define CRMW_FUZZ_COMMON_H

#include <crmweaver.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * A b2b org at a tiny scale, generated on first use, with a host object
 * Store__c of two location fields (read-only afterwards).
 * The harnesses that use it call it from LLVMFuzzerInitialize, so that no
 * input's coverage includes the generator; it runs on one thread, and the
 * file names below have a fixed width: a fixed-seed run explores the same
 * way every time (scripts/run fuzz-ci).
 */
/* Query options without a time limit: a run's path must not depend on how
 * busy the machine is (fuzz-ci runs each harness twice with one seed and
 * compares the coverage; the 2 s default let a loaded machine take the
 * timeout path in one run only).  The org is small: no query needs long,
 * and libFuzzer's -timeout reports one that hangs. */
static inline const crmw_query_opts *fuzz_query_opts(void)
{
	static crmw_query_opts *o;
	if (!o && (crmw_query_opts_new(&o) || crmw_query_opts_set_timeout_ms(o, 0))) {
		fprintf(stderr, "fuzz: cannot make the query options: %s\n", crmw_last_error());
		abort();
	}
	return o;
}

static inline crmw_db *fuzz_org(void)
{
	static crmw_db *db;
	static char path[256];
	if (db)
		return db;
	snprintf(path, sizeof path, "%s/crmw-fuzz-org-%010d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	if (crmw_gen(path, "{\"profile\":\"b2b\",\"seed\":1,\"scale\":0.05,\"threads\":1,\"overwrite\":true}", NULL, NULL) ||
	    crmw_db_open(&db, path, 0)) {
		fprintf(stderr, "fuzz: cannot make the org: %s\n", crmw_last_error());
		abort();
	}
	/* a host object with location fields (DISTANCE, GEOLOCATION) */
	static const char store[] =
		"{\"name\":\"Store__c\",\"key_prefix\":\"a50\",\"fields\":[{\"name\":\"Name\",\"type\":\"string\"},"
		"{\"name\":\"Region__c\",\"type\":\"picklist\",\"picklist\":[\"West\",\"East\"]},"
		"{\"name\":\"Location__c\",\"type\":\"location\"},{\"name\":\"Depot__c\",\"type\":\"location\"}]}";
	static const char *const stores[] = {
		"{\"Name\":\"San Francisco\",\"Region__c\":\"West\",\"Location__c\":\"37.7749,-122.4194\",\"Depot__c\":\"37.8,-122.27\"}",
		"{\"Name\":\"New York\",\"Region__c\":\"East\",\"Location__c\":\"40.7128,-74.006\"}",
		"{\"Name\":\"Nowhere\"}",
	};
	int rc = crmw_db_add_object(db, store, sizeof store - 1);
	for (size_t i = 0; !rc && i < sizeof stores / sizeof stores[0]; i++)
		rc = crmw_record_insert(NULL, db, "Store__c", stores[i], strlen(stores[i]));
	crmw_db_free(db);
	db = NULL;
	if (rc || crmw_db_open(&db, path, CRMW_DB_READONLY)) {
		fprintf(stderr, "fuzz: cannot make the org: %s\n", crmw_last_error());
		abort();
	}
	return db;
}

/* The input as a NUL-terminated string (freed by the caller). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input written to a temporary file; returns its path (static buffer). */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/crmw-fuzz-%010d%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
		 suffix);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	return path;
}

#endif
