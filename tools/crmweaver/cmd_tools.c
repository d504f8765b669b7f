/*
 * crmweaver tools: list the built-in tool sets in the formats models
 * expect, and call one tool against an org.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver tools list --set SETS [--format text|json|openai|anthropic|hermes|gbnf]\n"
		"       crmweaver tools call --db ORG.db --set SETS [--role ROLE [--bind KEY=VALUE]...]\n"
		"                            [--today YYYY-MM-DD] [--max-rows N] [--max-bytes N]\n"
		"                            [--timeout-ms N] NAME 'JSON-ARGS'\n"
		"\n"
		"The built-in tool sets (docs/tools.md): query, crmarena, pro; several may be\n"
		"combined with commas (crmarena,pro).\n"
		"\n"
		"list prints the tools: one line each (text, the default), their specs as JSON\n"
		"(json), as OpenAI or Anthropic tools, as a Hermes/Qwen system prompt, or as a\n"
		"GBNF grammar of \"plain text or one tool call\" for constrained decoding.\n"
		"\n"
		"call validates the arguments against the tool's schema, runs the tool and\n"
		"prints its result.  A failed call prints the error the model would see\n"
		"({\"error\":{\"code\":..,\"message\":..}}) on stdout, a one-line summary on\n"
		"stderr, and exits with 1.\n"
		"\n"
		"options:\n"
		"  --set SETS        the tool sets\n"
		"  --format F        (list) the output format\n"
		"  --db FILE         (call) the org database\n");
	cli_role_help(f, 20, "(call) ");
	fprintf(f,
		"  --today DATE      (call) the episode's today (default: the org's own \"now\")\n"
		"  --max-rows N      (call) records shown per call before a truncation notice (default 10000)\n"
		"  --max-bytes N     (call) bytes shown per call before a truncation notice (default 16 MiB)\n"
		"  --timeout-ms N    (call) the time budget of the call (default 2000)\n"
		"\n"
		"examples:\n"
		"  crmweaver tools list --set crmarena --format openai\n"
		"  crmweaver tools call --db org.db --set crmarena get_period '{\"period_name\":\"Q3\",\"year\":2023}'\n"
		"  crmweaver tools call --db org.db --set query --role external:003... \\\n"
		"      issue_soql_query '{\"query\":\"SELECT Id, Subject FROM Case\"}'\n"
		"  crmweaver tools call --db org.db --set crmarena --role tier1.json --bind user_id=005... \\\n"
		"      get_cases '{\"statuses\":[\"New\"]}'\n");
}

static int list_tools(crmw_registry *reg, const char *format)
{
	crmw_buf out = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	if (strcmp(format, "text") == 0) {
		for (int32_t i = 0; i < crmw_registry_count(reg); i++) {
			const char *name = crmw_registry_name(reg, i);
			rc = crmw_registry_describe(&out, reg, name);
			if (rc)
				break;
			/* The first sentence of the description. */
			const char *d = strstr(out.data, "\"description\":\"");
			d = d ? d + 15 : "";
			printf("%-40s ", name);
			for (size_t n = 0; d[n] && d[n] != '"' && !(d[n] == '.' && (d[n + 1] == ' ' || d[n + 1] == '"')); n++) {
				if (d[n] == '\\' && d[n + 1])
					n++; /* a JSON escape: \" or \\ */
				fputc(d[n], stdout);
			}
			fputc('\n', stdout);
		}
	} else if (strcmp(format, "json") == 0) {
		fputc('[', stdout);
		for (int32_t i = 0; i < crmw_registry_count(reg) && !rc; i++) {
			rc = crmw_registry_describe(&out, reg, crmw_registry_name(reg, i));
			if (!rc)
				printf("%s%s", i ? "," : "", out.data);
		}
		fputs("]\n", stdout);
	} else {
		static const struct {
			const char *name;
			int32_t format;
		} formats[] = {
			{"openai", CRMW_TOOLS_OPENAI},
			{"anthropic", CRMW_TOOLS_ANTHROPIC},
			{"hermes", CRMW_TOOLS_HERMES},
			{"gbnf", CRMW_TOOLS_GBNF},
		};
		size_t k = 0;
		while (k < sizeof formats / sizeof formats[0] && strcmp(formats[k].name, format) != 0)
			k++;
		if (k == sizeof formats / sizeof formats[0]) {
			crmw_buf_dispose(&out);
			return cli_error(CLI_USAGE, "tools list: unknown format '%s' (text, json, openai, anthropic, hermes, gbnf)",
					 format);
		}
		rc = crmw_registry_export(&out, reg, formats[k].format);
		if (!rc) {
			fwrite(out.data, 1, out.len, stdout);
			if (out.len && out.data[out.len - 1] != '\n')
				fputc('\n', stdout);
		}
	}
	crmw_buf_dispose(&out);
	return rc ? cli_error(CLI_FAIL, "tools list: %s", crmw_registry_errmsg(reg)) : CLI_OK;
}

int cmd_tools(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	const char *sub = argv[1];
	bool call = strcmp(sub, "call") == 0;
	if (!call && strcmp(sub, "list") != 0)
		return cli_error(CLI_USAGE, "tools: unknown subcommand '%s' (list, call)", sub);
	static const struct option opts[] = {
		{"set", required_argument, 0, 's'},
		{"format", required_argument, 0, 'f'},
		{"db", required_argument, 0, 'd'},
		{"role", required_argument, 0, CLI_OPT_ROLE},
		{"bind", required_argument, 0, CLI_OPT_BIND},
		{"today", required_argument, 0, 't'},
		{"max-rows", required_argument, 0, 'm'},
		{"max-bytes", required_argument, 0, 'b'},
		{"timeout-ms", required_argument, 0, 'T'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *sets = NULL, *format = "text", *db_path = NULL;
	cli_role_opts ro = {0};
	crmw_query_opts *qo = NULL;
	if (crmw_query_opts_new(&qo))
		return cli_lib_error(CRMW_ENOMEM, "tools");
	int c, rc = CLI_OK;
	int64_t v;
	optind = 1;
	opterr = 0;
	argc--;
	argv++;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_role_arg(&ro, "tools", c, optarg, &rc))
			continue;
		switch (c) {
		case 's': sets = optarg; break;
		case 'f': format = optarg; break;
		case 'j': format = "json"; break;
		case 'd': db_path = optarg; break;
		case 't':
			if (crmw_query_opts_set_today(qo, optarg))
				rc = cli_error(CLI_USAGE, "tools: --today takes a date YYYY-MM-DD, not '%s'", optarg);
			break;
		case 'm':
			if (!(rc = cli_parse_count("tools", "--max-rows", optarg, &v)))
				crmw_query_opts_set_max_rows(qo, v);
			break;
		case 'b':
			if (!(rc = cli_parse_count("tools", "--max-bytes", optarg, &v)))
				crmw_query_opts_set_max_bytes(qo, v);
			break;
		case 'T':
			if (!(rc = cli_parse_count("tools", "--timeout-ms", optarg, &v)))
				crmw_query_opts_set_timeout_ms(qo, v);
			break;
		case 'h': usage(stdout); crmw_query_opts_free(qo); return CLI_OK;
		default: rc = cli_bad_option("tools", argv); break;
		}
	}
	if (rc == CLI_OK && !sets)
		rc = cli_error(CLI_USAGE, "tools %s: --set is required (query, crmarena, pro; see --help)", sub);
	if (rc == CLI_OK && !call && (ro.spec || ro.nbinds))
		rc = cli_error(CLI_USAGE, "tools list: --role and --bind belong to tools call");
	if (rc == CLI_OK && call && !db_path)
		rc = cli_error(CLI_USAGE, "tools call: --db is required (see --help)");
	if (rc == CLI_OK && call && optind != argc - 2)
		rc = cli_error(CLI_USAGE, "tools call: give the tool's NAME and its JSON arguments (quote them)");
	if (rc == CLI_OK && !call && optind != argc)
		rc = cli_error(CLI_USAGE, "tools list: unexpected argument '%s'", argv[optind]);
	crmw_db *db = NULL;
	if (rc == CLI_OK && call) {
		int lrc = crmw_db_open(&db, db_path, CRMW_DB_READONLY);
		if (lrc)
			rc = cli_lib_error(lrc, db_path);
	}
	crmw_role *role = NULL;
	if (rc == CLI_OK && db && (rc = cli_make_role(&role, db, "tools call", &ro)) == CLI_OK) {
		crmw_query_opts_set_role(qo, role);
		crmw_role_free(role);
	}
	crmw_registry *reg = NULL;
	if (rc == CLI_OK && crmw_registry_new(&reg))
		rc = cli_lib_error(CRMW_ENOMEM, "tools");
	if (rc == CLI_OK && crmw_registry_add_builtin(reg, sets, db, qo))
		rc = cli_error(CLI_USAGE, "tools: %s", crmw_last_error());
	if (rc == CLI_OK && !call)
		rc = list_tools(reg, format);
	if (rc == CLI_OK && call) {
		const char *name = argv[optind], *args = argv[optind + 1];
		crmw_buf out = CRMW_BUF_INIT;
		int lrc = crmw_registry_call(&out, reg, name, args, strlen(args));
		if (out.data) {
			fwrite(out.data, 1, out.len, stdout);
			fputc('\n', stdout);
		}
		if (lrc)
			rc = cli_error(CLI_FAIL, "tools call %s: %s", name, crmw_registry_errmsg(reg));
		crmw_buf_dispose(&out);
	}
	crmw_registry_free(reg);
	crmw_db_free(db);
	crmw_query_opts_free(qo);
	return rc;
}
