/*
 * crmweaver features: the optional features of this build as JSON.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_features(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			printf("usage: crmweaver features [--json]\n"
			       "\n"
			       "Print which optional features this build has (faiss, fts5, curl)\n"
			       "and the versions of the libraries it runs on, as one JSON object.\n"
			       "The output is always JSON; --json is accepted for consistency.\n"
			       "\n"
			       "example:\n"
			       "  crmweaver features\n");
			return CLI_OK;
		}
		if (strcmp(argv[i], "--json") != 0)
			return cli_error(CLI_USAGE, "features: unknown argument '%s'", argv[i]);
	}
	crmw_buf out = CRMW_BUF_INIT;
	int rc = crmw_features_json(&out);
	if (rc)
		return cli_lib_error(rc, "features");
	printf("%s\n", out.data);
	crmw_buf_dispose(&out);
	return CLI_OK;
}
