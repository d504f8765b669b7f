/*
 * Shared pieces of the crmweaver command-line program.  The CLI is a host of
 * the public API only: it includes <crmweaver.h> and nothing from lib/.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_CLI_H
#define CRMW_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <crmweaver.h>

/* Exit codes: 0 success, 1 the operation failed, 2 bad usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

/* Print "crmweaver: <message>" on stderr as one line; returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a failed library call: "crmweaver: <what>: <library message>". */
int cli_lib_error(int rc, const char *what);
/* True when argv[i] is -h or --help. */
int cli_is_help(const char *arg);

/* After getopt_long returned '?' or ':': report the offending option. */
int cli_bad_option(const char *cmd, char **argv);
/* The role of --role SPEC on `db`: a built-in name ("internal", "external"),
 * "NAME:ID" (bound to that Contact or Account), or FILE.json holding a
 * policy.  NULL spec: no role (*out = NULL).  Reports its own errors. */
int cli_make_role(crmw_role **out, crmw_db *db, const char *spec);
/* A non-negative whole number for option `what` of `cmd`; reports its own error. */
int cli_parse_count(const char *cmd, const char *what, const char *s, int64_t *out);
/* Parse a format name (json, jsonl, csv) into CRMW_FORMAT_*; -1 if unknown. */
int cli_format(const char *name);

int cmd_features(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_tools(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_memory(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_rollout(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
