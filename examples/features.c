/*
 * examples/features.c: the smallest host of libcrmweaver.  It checks that
 * the library it runs on matches the headers it was built with, then prints
 * the library's version and optional features.
 *
 *   cc features.c $(pkg-config --cflags --libs crmweaver) -o features
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <crmweaver.h>

int main(void)
{
	/* The run-time library may be newer than the headers, never older in
	 * major version (docs/abi.md). */
	if (crmw_version_number() / 10000 != CRMW_VERSION_MAJOR) {
		fprintf(stderr, "libcrmweaver %s does not match headers %s\n",
			crmw_version_string(), CRMW_VERSION_STRING);
		return 1;
	}
	printf("libcrmweaver %s (headers %s)\n", crmw_version_string(), CRMW_VERSION_STRING);

	const char *names[] = {"faiss", "fts5", "curl"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		printf("  %-6s %s\n", names[i], crmw_has_feature(names[i]) ? "yes" : "no");

	crmw_buf json = CRMW_BUF_INIT;
	int rc = crmw_features_json(&json);
	if (rc != CRMW_OK) {
		fprintf(stderr, "crmw_features_json: %s (%s)\n", crmw_last_error(),
			crmw_strerror(rc));
		return 1;
	}
	printf("%s\n", json.data);
	crmw_buf_dispose(&json);
	return 0;
}
