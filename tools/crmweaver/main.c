/*
 * crmweaver: the command-line program of libcrmweaver.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const cli_command commands[] = {
	{"features", "print the build's optional features and library versions (JSON)", cmd_features},
	{"gen", "generate a synthetic org database with hidden latent variables", cmd_gen},
	{"bench", "measure the library (generation speed; see bench/ for the peer comparisons)", cmd_bench},
	{"schema", "print a schema set or an org's schema as JSON or prompt text", cmd_schema},
	{"import", "load records into an org database (crmarena-sqlite, json, jsonl, csv)", cmd_import},
	{"export", "write an org's records to files (jsonl, json, csv)", cmd_export},
	{"query", "run SOQL or SOSL against an org (JSON records)", cmd_query},
	{"sql", "run one read-only SQLite SELECT against an org", cmd_sql},
	{"tools", "list the built-in tool sets (OpenAI, Anthropic, Hermes, GBNF) or call a tool", cmd_tools},
	{"tasks", "synthesise tasks with gold programs, check them, score predictions", cmd_tasks},
	{"memory", "the shared-memory store: add, search, list, export and import memories", cmd_memory},
	{"run", "run an agent over tasks with a built-in backend (memory policy, HTTP model, replay, gold)", cmd_run},
	{"rollout", "grouped rollouts with group statistics and advantages (RL), or SFT chat data", cmd_rollout},
	{"report", "a self-contained HTML report (charts, episodes) of trajectory files", cmd_report},
	{"demo", "the whole system in one command: org, tasks, memory, agent runs, table and report", cmd_demo},
	{"eval", "the per-family table (accuracy, abstentions, plans, turns, time) of trajectories", cmd_eval},
};

/* One line on stderr: control characters in the message (a damaged
 * database's schema names end up in SQLite's messages) are written as '?'. */
int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	char small[512], *msg = small;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (!msg)
		msg = small; /* out of memory: the message cut at its first 511 bytes */
	fputs("crmweaver: ", stderr);
	for (const char *p = msg; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
	fputc('\n', stderr);
	if (msg != small)
		free(msg);
	return code;
}

int cli_lib_error(int rc, const char *what)
{
	const char *msg = crmw_last_error();
	if (!msg || !msg[0])
		msg = crmw_strerror(rc);
	size_t n = strlen(what); /* the library's message may already start with the file's name */
	if (!strncmp(msg, what, n) && (msg[n] == ':' || msg[n] == ' '))
		return cli_error(CLI_FAIL, "%s", msg);
	return cli_error(CLI_FAIL, "%s: %s", what, msg);
}

int cli_bad_option(const char *cmd, char **argv)
{
	if (optopt && optopt != '?')
		return cli_error(CLI_USAGE, "%s: option '-%c' is unknown or needs a value (see --help)", cmd, optopt);
	return cli_error(CLI_USAGE, "%s: option '%s' is unknown or needs a value (see 'crmweaver %s --help')",
			 cmd, argv[optind - 1], cmd);
}

int cli_format(const char *name)
{
	if (strcmp(name, "json") == 0)
		return CRMW_FORMAT_JSON;
	if (strcmp(name, "jsonl") == 0)
		return CRMW_FORMAT_JSONL;
	if (strcmp(name, "csv") == 0)
		return CRMW_FORMAT_CSV;
	return -1;
}

void cli_role_help(FILE *f, int col, const char *prefix)
{
	int w = col - 3, p = (int)strlen(prefix);
	fprintf(f,
		"  %-*s %sinternal (default), external:CONTACT_ID (a customer),\n"
		"  %-*s %*sor FILE.json holding a role policy\n"
		"  %-*s %sbind the policy's variable KEY (account_id, contact_id,\n"
		"  %-*s %*suser_id) to the record Id VALUE; repeat for each variable\n",
		w, "--role ROLE", prefix, w, "", p, "", w, "--bind KEY=VALUE", prefix, w, "", p, "");
}

int cli_role_arg(cli_role_opts *r, const char *cmd, int c, const char *value, int *rc)
{
	*rc = CLI_OK;
	if (c == CLI_OPT_ROLE) {
		if (r->spec)
			*rc = cli_error(CLI_USAGE, "%s: --role is given twice", cmd);
		r->spec = value;
		return 1;
	}
	if (c != CLI_OPT_BIND)
		return 0;
	const char *eq = strchr(value, '=');
	if (!eq || eq == value || !eq[1]) {
		*rc = cli_error(CLI_USAGE, "%s: --bind takes KEY=VALUE (for example user_id=005...), not '%s'", cmd, value);
		return 1;
	}
	for (int i = 0; i < r->nbinds; i++)
		if (strncmp(r->binds[i], value, (size_t)(eq - value + 1)) == 0) {
			*rc = cli_error(CLI_USAGE, "%s: --bind %.*s is given twice", cmd, (int)(eq - value), value);
			return 1;
		}
	if (r->nbinds == CLI_MAX_BINDS) {
		*rc = cli_error(CLI_USAGE, "%s: at most %d --bind options", cmd, CLI_MAX_BINDS);
		return 1;
	}
	r->binds[r->nbinds++] = value;
	return 1;
}

/* The --bind options as the bindings JSON of crmw_role_new (caller frees). */
static char *bindings_json(const cli_role_opts *r)
{
	json_t *o = json_object();
	for (int i = 0; o && i < r->nbinds; i++) {
		const char *eq = strchr(r->binds[i], '=');
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(eq - r->binds[i]), r->binds[i]);
		json_object_set_new(o, key, json_string(eq + 1));
	}
	char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return t;
}

/* Does the role use :var in a rule?  (contact_id also binds account_id.) */
static bool role_uses(const crmw_role *role, const char *var)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_role_describe(&b, role)) {
		crmw_buf_dispose(&b);
		return true; /* out of memory: let the library decide */
	}
	json_t *d = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	bool used = false;
	const char *name;
	json_t *spec;
	char want[80];
	snprintf(want, sizeof want, ":%s", strcmp(var, "contact_id") == 0 ? "account_id" : var);
	json_object_foreach(json_object_get(d, "objects"), name, spec) {
		const char *w = json_string_value(json_object_get(spec, "where"));
		for (const char *p = w ? strstr(w, want) : NULL; p && !used; p = strstr(p + 1, want)) {
			char next = p[strlen(want)];
			used = !(next == '_' || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
				 (next >= '0' && next <= '9'));
		}
	}
	json_decref(d);
	return used;
}

int cli_make_role(crmw_role **out, crmw_db *db, const char *cmd, const cli_role_opts *r)
{
	*out = NULL;
	const char *spec = r->spec;
	if (!spec) {
		if (r->nbinds)
			return cli_error(CLI_USAGE, "%s: --bind %s needs --role (the policy whose variables it binds)", cmd,
					 r->binds[0]);
		return CLI_OK;
	}
	/* A file holding a JSON policy, or a built-in name with an optional Id. */
	size_t n = strlen(spec);
	char *text = NULL;
	if (n > 5 && strcmp(spec + n - 5, ".json") == 0) {
		FILE *f = fopen(spec, "rb");
		if (!f)
			return cli_error(CLI_FAIL, "--role %s: %s", spec, strerror(errno));
		size_t cap = 1 << 16, len = 0;
		text = malloc(cap + 1);
		while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
			len += n;
			if (len == cap) {
				char *t = realloc(text, (cap *= 2) + 1);
				if (!t)
					free(text);
				text = t;
			}
		}
		fclose(f);
		if (!text)
			return cli_error(CLI_FAIL, "--role %s: out of memory", spec);
		text[len] = '\0';
	}
	char *binds = r->nbinds ? bindings_json(r) : NULL;
	int rc = r->nbinds && !binds ? CRMW_ENOMEM : crmw_role_new(out, db, text ? text : spec, binds);
	free(text);
	free(binds);
	if (rc)
		return cli_error(rc == CRMW_ENOMEM ? CLI_FAIL : CLI_USAGE, "--role %s: %s", spec, crmw_last_error());
	for (int i = 0; i < r->nbinds; i++) {
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(strchr(r->binds[i], '=') - r->binds[i]), r->binds[i]);
		if (!role_uses(*out, key)) {
			cli_error(CLI_USAGE, "%s: --bind %s: role '%s' has no variable :%s", cmd, key, crmw_role_name(*out), key);
			crmw_role_free(*out);
			*out = NULL;
			return CLI_USAGE;
		}
	}
	return CLI_OK;
}

int cli_parse_count(const char *cmd, const char *what, const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return cli_error(CLI_USAGE, "%s: %s must be a whole number, not '%s'", cmd, what, s);
	*out = v;
	return CLI_OK;
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver [--version | --help] <command> [options]\n"
		"\n"
		"CRM business agents: data model, SOQL/SOSL, tools, tasks, shared memory, RL.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n"
		"Run 'crmweaver <command> --help' for a command's options.\n"
		"\n"
		"examples:\n"
		"  crmweaver --version\n"
		"  crmweaver features\n"
		"  crmweaver gen --profile crmarena --seed 42 -o org.db\n"
		"  crmweaver schema --set b2b --prompt\n"
		"  crmweaver import --db org.db --set crmarena --format crmarena-sqlite dump.db\n"
		"  crmweaver export --db org.db --format jsonl -o org-export/\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (cli_is_help(cmd)) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("crmweaver %s\n", crmw_version_string());
		if (strcmp(crmw_version_string(), CRMW_VERSION_STRING) != 0)
			return cli_error(CLI_FAIL, "library %s does not match headers %s",
					 crmw_version_string(), CRMW_VERSION_STRING);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (cmd[0] == '-')
		return cli_error(CLI_USAGE, "unknown option '%s' (see 'crmweaver --help')", cmd);
	return cli_error(CLI_USAGE, "unknown command '%s' (see 'crmweaver --help')", cmd);
}
