/*
 * crmweaver schema: print a schema as JSON or as the text an agent sees.
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
		"usage: crmweaver schema (--set crmarena|b2b|b2c | --db ORG.db) [--object NAME[,NAME...]]\n"
		"                        (--json | --prompt)\n"
		"\n"
		"Print a built-in schema set or the schema stored in an org database.\n"
		"\n"
		"options:\n"
		"  --set NAME      a built-in set: crmarena (16 objects), b2b or b2c (27 objects)\n"
		"  --db FILE       the schema saved inside an org database\n"
		"  --object NAMES  only these objects (comma-separated); with --json one name\n"
		"                  prints its describe document, with child relationships\n"
		"  --json          the schema as JSON (the default)\n"
		"  --prompt        the schema as the text an agent sees in its prompt\n"
		"\n"
		"examples:\n"
		"  crmweaver schema --set b2b --json\n"
		"  crmweaver schema --set crmarena --object Case --json\n"
		"  crmweaver schema --db org.db --prompt\n");
}

/* Prints {"schema_version":1,"name":..,"objects":[describe of each listed object]}. */
static int print_subset(crmw_schema *schema, const char *list)
{
	crmw_buf one = CRMW_BUF_INIT;
	char name[256];
	int rc = CRMW_OK, n_done = 0;
	/* Describe all first, so that an unknown name prints nothing. */
	size_t cap = 0;
	char **docs = NULL;
	for (const char *p = list; *p && !rc;) {
		const char *q = strchr(p, ',');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		rc = crmw_schema_describe(&one, schema, name);
		if (!rc) {
			if ((size_t)n_done == cap) {
				cap = cap ? cap * 2 : 8;
				char **nd = realloc(docs, cap * sizeof *docs);
				if (!nd) {
					rc = CRMW_ENOMEM;
					break;
				}
				docs = nd;
			}
			docs[n_done++] = strdup(one.data);
		}
		p = q ? q + 1 : p + n;
	}
	if (!rc) {
		printf("{\"schema_version\":1,\"name\":\"%s\",\"objects\":[", crmw_schema_name(schema));
		for (int i = 0; i < n_done; i++)
			printf("%s%s", i ? "," : "", docs[i]);
		printf("]}\n");
	}
	for (int i = 0; i < n_done; i++)
		free(docs[i]);
	free(docs);
	crmw_buf_dispose(&one);
	return rc;
}

int cmd_schema(int argc, char **argv)
{
	static const struct option opts[] = {
		{"set", required_argument, 0, 's'},
		{"db", required_argument, 0, 'd'},
		{"object", required_argument, 0, 'o'},
		{"json", no_argument, 0, 'j'},
		{"prompt", no_argument, 0, 'p'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *set = NULL, *db_path = NULL, *object = NULL;
	int prompt = 0, json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': set = optarg; break;
		case 'd': db_path = optarg; break;
		case 'o': object = optarg; break;
		case 'j': json = 1; break;
		case 'p': prompt = 1; break;
		case 'h': usage(stdout); return CLI_OK;
		default: return cli_bad_option("schema", argv);
		}
	}
	if (optind < argc)
		return cli_error(CLI_USAGE, "schema: unexpected argument '%s'", argv[optind]);
	if (!!set + !!db_path != 1)
		return cli_error(CLI_USAGE, "schema: give exactly one of --set or --db");
	if (json && prompt)
		return cli_error(CLI_USAGE, "schema: --json and --prompt exclude each other");

	crmw_schema *schema = NULL;
	crmw_db *db = NULL;
	int rc;
	if (set) {
		if ((rc = crmw_schema_builtin(&schema, set)))
			return cli_lib_error(rc, "schema");
	} else {
		if ((rc = crmw_db_open(&db, db_path, CRMW_DB_READONLY)))
			return cli_lib_error(rc, db_path);
		if ((rc = crmw_schema_clone(&schema, crmw_db_schema(db)))) {
			crmw_db_free(db);
			return cli_lib_error(rc, "schema");
		}
		crmw_db_free(db);
	}
	crmw_buf out = CRMW_BUF_INIT;
	if (prompt) {
		rc = crmw_schema_render(&out, schema, object);
	} else if (object && !strchr(object, ',')) {
		rc = crmw_schema_describe(&out, schema, object);
	} else if (object) {
		rc = print_subset(schema, object);
		if (!rc) {
			crmw_schema_free(schema);
			return CLI_OK;
		}
	} else {
		rc = crmw_schema_to_json(&out, schema);
	}
	if (rc) {
		cli_error(CLI_FAIL, "schema: %s", crmw_schema_errmsg(schema)[0] ? crmw_schema_errmsg(schema) : crmw_last_error());
		crmw_schema_free(schema);
		crmw_buf_dispose(&out);
		return CLI_FAIL;
	}
	fputs(out.data, stdout);
	if (out.len == 0 || out.data[out.len - 1] != '\n')
		fputc('\n', stdout);
	crmw_buf_dispose(&out);
	crmw_schema_free(schema);
	return CLI_OK;
}
