/*
 * Shared pieces of the crmweaver command-line program.  The CLI is a host of
 * the public API only: it includes <crmweaver.h> and nothing from lib/.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_CLI_H
#define CRMW_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
/* --role SPEC and its --bind KEY=VALUE options, as a subcommand collects
 * them: cli_role_arg() takes both while getopt runs, cli_make_role() makes
 * the role once the org is open. */
enum { CLI_OPT_ROLE = 0x100, CLI_OPT_BIND = 0x101 }; /* getopt_long's values of --role and --bind */
#define CLI_MAX_BINDS 8
typedef struct cli_role_opts {
	const char *spec;                   /* --role, NULL: none */
	const char *binds[CLI_MAX_BINDS];   /* --bind, as given */
	int nbinds;
} cli_role_opts;
/* The --help lines of --role and --bind (indented by two, the text at
 * `col`, each line of it after `prefix`). */
void cli_role_help(FILE *f, int col, const char *prefix);
/* Take option `c` (CLI_OPT_ROLE for --role, CLI_OPT_BIND for --bind) with
 * its value; 1 when it was one of them (*rc: CLI_OK or a reported usage
 * error), 0 otherwise. */
int cli_role_arg(cli_role_opts *r, const char *cmd, int c, const char *value, int *rc);
/* The role of --role SPEC on `db` with the variables of --bind: SPEC is a
 * built-in name ("internal", "external"), "NAME:ID" (bound to that Contact or
 * Account), or FILE.json holding a policy.  No --role: no role (*out =
 * NULL), and --bind is an error.  A --bind of a variable the role never
 * uses is an error too.  Reports its own errors (usage: CLI_USAGE). */
int cli_make_role(crmw_role **out, crmw_db *db, const char *cmd, const cli_role_opts *r);
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
