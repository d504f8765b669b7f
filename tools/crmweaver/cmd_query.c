/*
 * crmweaver query / sql: SOQL, SOSL and read-only SQL against an org.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f, bool sql)
{
	if (sql) {
		fprintf(f,
			"usage: crmweaver sql --db ORG.db [--role ROLE [--bind KEY=VALUE]...] [--timeout-ms N]\n"
			"                     [--max-rows N] 'SELECT ...'\n"
			"\n"
			"Run one read-only SQLite SELECT over the org's tables (the escape hatch).\n"
			"The sandbox of `crmweaver query` applies: no writes, no PRAGMA or ATTACH,\n"
			"no crmw_ or sqlite_ tables, a time budget and row and size caps.  Only a\n"
			"role with the raw_sql capability may run it (row rules cannot hold here).\n"
			"Prints a JSON array of rows keyed by column name.\n"
			"\n"
			"options:\n");
		cli_role_help(f, 23, "");
		fprintf(f,
			"\n"
			"example:\n"
			"  crmweaver sql --db org.db 'SELECT \"Status\", count(*) AS n FROM \"Case\" GROUP BY 1'\n");
		return;
	}
	fprintf(f,
		"usage: crmweaver query --db ORG.db [--today YYYY-MM-DD] [--role ROLE [--bind KEY=VALUE]...]\n"
		"                       [--max-rows N] [--max-bytes N] [--timeout-ms N] [--drop-null-columns]\n"
		"                       'SOQL or SOSL'\n"
		"\n"
		"Run a SOQL query (prints a JSON array of records) or a SOSL search, which\n"
		"starts with FIND (prints a JSON object of records per object), as a role\n"
		"sees the org.\n"
		"\n"
		"options:\n"
		"  --today DATE         the day TODAY, LAST_N_DAYS:n, ... are relative to\n"
		"                       (default: the org's own \"now\")\n");
	cli_role_help(f, 23, "");
	fprintf(f,
		"  --max-rows N         fail with LIMIT_EXCEEDED beyond N records (default 10000)\n"
		"  --max-bytes N        fail beyond N bytes of output (default 16 MiB)\n"
		"  --timeout-ms N       fail with QUERY_TIMEOUT after N ms (default 2000)\n"
		"  --drop-null-columns  leave out fields that are null in every record\n"
		"\n"
		"examples:\n"
		"  crmweaver query --db org.db 'SELECT Name, (SELECT Subject FROM Cases) FROM Account LIMIT 5'\n"
		"  crmweaver query --db org.db --today 2024-06-01 \\\n"
		"      'SELECT OwnerId, COUNT(Id) n FROM Case WHERE CreatedDate = LAST_N_MONTHS:3 GROUP BY OwnerId'\n"
		"  crmweaver query --db org.db 'FIND {zipper} IN ALL FIELDS RETURNING Case(Subject)'\n"
		"  crmweaver query --db org.db --role tier1.json --bind user_id=005... 'SELECT Subject FROM Case'\n");
}

static int run(int argc, char **argv, bool sql)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"today", required_argument, 0, 't'},
		{"role", required_argument, 0, CLI_OPT_ROLE},
		{"bind", required_argument, 0, CLI_OPT_BIND},
		{"max-rows", required_argument, 0, 'm'},
		{"max-bytes", required_argument, 0, 'b'},
		{"timeout-ms", required_argument, 0, 'T'},
		{"drop-null-columns", no_argument, 0, 'n'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *cmd = sql ? "sql" : "query";
	const char *db_path = NULL;
	cli_role_opts ro = {0};
	crmw_query_opts *qo = NULL;
	if (crmw_query_opts_new(&qo))
		return cli_lib_error(CRMW_ENOMEM, cmd);
	int c, rc = CLI_OK;
	int64_t v;
	optind = 1;
	opterr = 0;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_role_arg(&ro, cmd, c, optarg, &rc))
			continue;
		switch (c) {
		case 'd': db_path = optarg; break;
		case 't':
			if (sql || crmw_query_opts_set_today(qo, optarg))
				rc = cli_error(CLI_USAGE, "%s: --today takes a date YYYY-MM-DD%s", cmd, sql ? " and applies to query only" : "");
			break;
		case 'm':
			if (!(rc = cli_parse_count(cmd, "--max-rows", optarg, &v)))
				crmw_query_opts_set_max_rows(qo, v);
			break;
		case 'b':
			if (!(rc = cli_parse_count(cmd, "--max-bytes", optarg, &v)))
				crmw_query_opts_set_max_bytes(qo, v);
			break;
		case 'T':
			if (!(rc = cli_parse_count(cmd, "--timeout-ms", optarg, &v)))
				crmw_query_opts_set_timeout_ms(qo, v);
			break;
		case 'n': crmw_query_opts_set_drop_null_columns(qo, 1); break;
		case 'j': break; /* the output is always JSON */
		case 'h': usage(stdout, sql); crmw_query_opts_free(qo); return CLI_OK;
		default: rc = cli_bad_option(cmd, argv); break;
		}
	}
	if (rc == CLI_OK && !db_path)
		rc = cli_error(CLI_USAGE, "%s: --db is required (see --help)", cmd);
	if (rc == CLI_OK && optind != argc - 1)
		rc = cli_error(CLI_USAGE, "%s: give exactly one query (quote it)", cmd);
	if (rc != CLI_OK) {
		crmw_query_opts_free(qo);
		return rc;
	}
	const char *text = argv[optind];
	crmw_db *db = NULL;
	int lrc = crmw_db_open(&db, db_path, CRMW_DB_READONLY);
	if (lrc) {
		crmw_query_opts_free(qo);
		return cli_lib_error(lrc, db_path);
	}
	crmw_role *role = NULL;
	if ((rc = cli_make_role(&role, db, cmd, &ro))) {
		crmw_db_free(db);
		crmw_query_opts_free(qo);
		return rc;
	}
	crmw_query_opts_set_role(qo, role);
	crmw_role_free(role);
	crmw_buf out = CRMW_BUF_INIT;
	lrc = sql ? crmw_query_sql(&out, db, text, strlen(text), qo) : crmw_query(&out, db, text, strlen(text), qo);
	if (lrc) {
		rc = cli_error(CLI_FAIL, "%s", crmw_db_errmsg(db));
	} else {
		fwrite(out.data, 1, out.len, stdout);
		fputc('\n', stdout);
	}
	crmw_buf_dispose(&out);
	crmw_db_free(db);
	crmw_query_opts_free(qo);
	return rc;
}

int cmd_query(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_sql(int argc, char **argv)
{
	return run(argc, argv, true);
}
