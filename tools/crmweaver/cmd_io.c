/*
 * crmweaver import / export: records in and out of an org database.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int load_schema_file(crmw_schema **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cli_error(CLI_FAIL, "import: cannot read %s", path);
		return CRMW_EIO;
	}
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[65536];
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n > cap) {
			cap = (len + n) * 2;
			char *t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				cli_error(CLI_FAIL, "import: out of memory reading %s", path);
				return CRMW_ENOMEM;
			}
			text = t;
		}
		memcpy(text + len, chunk, n);
		len += n;
	}
	fclose(f);
	int rc = crmw_schema_from_json(out, text ? text : "", len);
	free(text);
	if (rc)
		cli_error(CLI_FAIL, "import: %s: %s", path, crmw_last_error());
	return rc;
}

static void import_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver import --db ORG.db [--set crmarena|b2b|b2c] --format FORMAT\n"
		"                        [--object NAME] [--ignore-unknown-columns] [--json] SOURCE\n"
		"\n"
		"Load records into an org database, all or nothing: any bad value, unknown\n"
		"field or dangling reference rolls the whole import back.\n"
		"\n"
		"formats and sources:\n"
		"  crmarena-sqlite  a CRMArena-style SQLite dump (one table per object)\n"
		"  json|jsonl|csv   with --object NAME: one file of that object's records;\n"
		"                   without: a folder of <Object>.json/.jsonl/.csv files\n"
		"\n"
		"options:\n"
		"  --db FILE        the org database; a missing one is created with the schema\n"
		"                   of --set, else of SOURCE/schema.json (an exported folder),\n"
		"                   else, for crmarena-sqlite, the crmarena set\n"
		"  --set NAME       the built-in schema for a new database\n"
		"  --ignore-unknown-columns   skip dump columns the schema lacks (else an error)\n"
		"  --json           print {\"records\": N} instead of a summary line\n"
		"\n"
		"examples:\n"
		"  crmweaver import --db org.db --set crmarena --format crmarena-sqlite crmarena.db\n"
		"  crmweaver import --db org.db --format csv --object Case cases.csv\n"
		"  crmweaver import --db org.db --format jsonl export-dir/\n");
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"set", required_argument, 0, 's'},
		{"format", required_argument, 0, 'f'},
		{"object", required_argument, 0, 'o'},
		{"ignore-unknown-columns", no_argument, 0, 'i'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *db_path = NULL, *set = NULL, *format = NULL, *object = NULL;
	int ignore = 0, json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 's': set = optarg; break;
		case 'f': format = optarg; break;
		case 'o': object = optarg; break;
		case 'i': ignore = 1; break;
		case 'j': json = 1; break;
		case 'h': import_usage(stdout); return CLI_OK;
		default: return cli_bad_option("import", argv);
		}
	}
	if (!db_path || !format)
		return cli_error(CLI_USAGE, "import: --db and --format are required (see --help)");
	if (optind != argc - 1)
		return cli_error(CLI_USAGE, "import: give exactly one SOURCE (file, folder or dump)");
	const char *source = argv[optind];
	bool dump = strcmp(format, "crmarena-sqlite") == 0;
	int fmt = dump ? -1 : cli_format(format);
	if (!dump && fmt < 0)
		return cli_error(CLI_USAGE, "import: unknown format '%s' (crmarena-sqlite, json, jsonl, csv)", format);
	if (dump && object)
		return cli_error(CLI_USAGE, "import: --object does not apply to crmarena-sqlite");

	crmw_db *db = NULL;
	struct stat sb;
	bool created = false;
	int rc;
	if (stat(db_path, &sb) != 0) {
		/* A new database: the schema comes from --set, from the schema.json
		 * of an exported folder, or (for a CRMArena dump) the crmarena set. */
		crmw_schema *schema = NULL;
		char schema_path[4096];
		snprintf(schema_path, sizeof schema_path, "%s/schema.json", source);
		if (set) {
			rc = crmw_schema_builtin(&schema, set);
		} else if (dump) {
			rc = crmw_schema_builtin(&schema, "crmarena");
		} else if (!object && stat(schema_path, &sb) == 0) {
			if (load_schema_file(&schema, schema_path))
				return CLI_FAIL;
			rc = CRMW_OK;
		} else {
			return cli_error(CLI_FAIL, "import: %s does not exist (add --set to create it)", db_path);
		}
		if (rc)
			return cli_lib_error(rc, "import");
		rc = crmw_db_create(&db, db_path, schema, NULL);
		crmw_schema_free(schema);
		if (rc)
			return cli_lib_error(rc, db_path);
		created = true;
	} else {
		if (set)
			return cli_error(CLI_USAGE, "import: %s exists; --set only applies to a new database", db_path);
		if ((rc = crmw_db_open(&db, db_path, 0)))
			return cli_lib_error(rc, db_path);
	}
	int64_t n = 0;
	if (dump)
		rc = crmw_db_import_sqlite(&n, db, source, ignore);
	else if (object)
		rc = crmw_db_import_file(&n, db, object, fmt, source);
	else
		rc = crmw_db_import_dir(&n, db, source);
	if (rc) {
		cli_error(CLI_FAIL, "import: %s", crmw_db_errmsg(db));
		crmw_db_free(db);
		if (created)
			remove(db_path);
		return CLI_FAIL;
	}
	crmw_db_free(db);
	if (json)
		printf("{\"records\":%lld}\n", (long long)n);
	else
		printf("imported %lld records into %s\n", (long long)n, db_path);
	return CLI_OK;
}

static void export_usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver export --db ORG.db --format jsonl|json|csv [--object NAME] -o PATH\n"
		"\n"
		"Write an org's records: without --object, every object to PATH/<Object>.<ext>\n"
		"plus PATH/schema.json (PATH is created); with --object, that object to the\n"
		"file PATH.  `crmweaver import --format F PATH` reads a folder back.\n"
		"\n"
		"examples:\n"
		"  crmweaver export --db org.db --format jsonl -o org-export\n"
		"  crmweaver export --db org.db --format csv --object Case -o cases.csv\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"format", required_argument, 0, 'f'},
		{"object", required_argument, 0, 'O'},
		{"output", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *db_path = NULL, *format = "jsonl", *object = NULL, *out = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 'f': format = optarg; break;
		case 'O': object = optarg; break;
		case 'o': out = optarg; break;
		case 'h': export_usage(stdout); return CLI_OK;
		default: return cli_bad_option("export", argv);
		}
	}
	if (!db_path || !out)
		return cli_error(CLI_USAGE, "export: --db and -o are required (see --help)");
	if (optind < argc)
		return cli_error(CLI_USAGE, "export: unexpected argument '%s'", argv[optind]);
	int fmt = cli_format(format);
	if (fmt < 0)
		return cli_error(CLI_USAGE, "export: unknown format '%s' (jsonl, json, csv)", format);
	crmw_db *db = NULL;
	int rc = crmw_db_open(&db, db_path, CRMW_DB_READONLY);
	if (rc)
		return cli_lib_error(rc, db_path);
	rc = object ? crmw_db_export_file(db, object, fmt, out) : crmw_db_export_dir(db, fmt, out);
	if (rc) {
		cli_error(CLI_FAIL, "export: %s", crmw_db_errmsg(db));
		crmw_db_free(db);
		return CLI_FAIL;
	}
	crmw_db_free(db);
	return CLI_OK;
}
