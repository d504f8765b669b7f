/*
 * Import (CSV, JSON, JSONL, a crmarena dump) and export, and the round
 * trip between them.
 */

#include "fixture.h"

/* -------------------------------------------------------- import/export */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

void test_import_csv(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	const char *p = fx_path_in("issues.csv");
	write_file(p,
		   "\xEF\xBB\xBFName,description__c\r\n"
		   "Broken zipper,\"Zips that \"\"split\"\", jam\r\nor tear\"\r\n"
		   "Late delivery,\r\n"
		   "\"\",Quoted empty name\r\n");
	int64_t n = 0;
	assert_int_equal(crmw_db_import_file(&n, db, "Issue__c", CRMW_FORMAT_CSV, p), CRMW_OK);
	assert_int_equal(n, 3);
	crmw_record_iter *it = NULL;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_record_iter_new(&it, db, "Issue__c"), CRMW_OK);
	json_t *rows[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(crmw_record_iter_next(&b, it), 1);
		rows[i] = json_loadb(b.data, b.len, 0, NULL);
	}
	crmw_record_iter_free(it);
	assert_string_equal(json_string_value(json_object_get(rows[0], "Description__c")),
			    "Zips that \"split\", jam\r\nor tear");
	assert_true(json_is_null(json_object_get(rows[1], "Description__c"))); /* empty cell */
	assert_string_equal(json_string_value(json_object_get(rows[2], "Name")), ""); /* quoted empty */
	for (int i = 0; i < 3; i++)
		json_decref(rows[i]);

	const struct { const char *text, *needle; int code; } bad[] = {
		{"Name,Descripton__c\nx,y\n", "did you mean 'Description__c'", CRMW_ESCHEMA},
		{"Name\n\"open\n", "unterminated quoted cell starting on line 2", CRMW_EFORMAT},
		{"Name,Description__c\na,b\nc\n", "line 3: 1 cells where the header has 2", CRMW_EFORMAT},
		{"Name,Name\na,b\n", "appears twice", CRMW_EFORMAT},
		{"", "empty file", CRMW_EFORMAT},
		{"Name\na\"b\n", "a quote inside an unquoted cell", CRMW_EFORMAT},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(p, bad[i].text);
		int rc = crmw_db_import_file(&n, db, "Issue__c", CRMW_FORMAT_CSV, p);
		if (rc != bad[i].code || !strstr(crmw_db_errmsg(db), bad[i].needle))
			fail_msg("case %zu: rc %d '%s'", i, rc, crmw_db_errmsg(db));
		assert_int_equal(n, 0);
	}
	/* A bad value in row 3 rolls back rows 1 and 2 too. */
	write_file(fx_path_in("products.csv"), "Name,IsActive\nA,true\nB,false\nC,perhaps\n");
	fx_expect_fail(db, crmw_db_import_file(&n, db, "Product2", CRMW_FORMAT_CSV, fx_path_in("products.csv")),
		    CRMW_ESCHEMA, "row 4 of products.csv, field 'IsActive': 'perhaps' is not a boolean");
	assert_int_equal(fx_count(db, "Product2"), 0);
	assert_int_equal(fx_count(db, "Issue__c"), 3);
	fx_expect_fail(db, crmw_db_import_file(&n, db, "Issue__c", CRMW_FORMAT_CSV, fx_path_in("nope.csv")),
		    CRMW_ENOTFOUND, "nope.csv");
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

void test_import_json_jsonl(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	write_file(fx_path_in("u.json"), "[{\"LastName\":\"A\"},{\"LastName\":\"B\",\"attributes\":{\"type\":\"User\"}}]");
	int64_t n = 0;
	assert_int_equal(crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSON, fx_path_in("u.json")), CRMW_OK);
	assert_int_equal(n, 2);
	write_file(fx_path_in("u.jsonl"), "{\"LastName\":\"C\"}\n\n{\"LastName\":\"D\"}\r\n");
	assert_int_equal(crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSONL, fx_path_in("u.jsonl")), CRMW_OK);
	assert_int_equal(n, 2);
	write_file(fx_path_in("bad.jsonl"), "{\"LastName\":\"E\"}\n{\"LastName\":\n");
	fx_expect_fail(db, crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSONL, fx_path_in("bad.jsonl")),
		    CRMW_EFORMAT, "bad JSON on line 2");
	write_file(fx_path_in("bad.json"), "{\"LastName\":\"E\"}");
	fx_expect_fail(db, crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSON, fx_path_in("bad.json")),
		    CRMW_EFORMAT, "expected a JSON array");
	write_file(fx_path_in("bad2.jsonl"), "{\"LastName\":\"E\"}\n{\"FirstName\":\"no last\"}\n");
	fx_expect_fail(db, crmw_db_import_file(&n, db, "User", CRMW_FORMAT_JSONL, fx_path_in("bad2.jsonl")),
		    CRMW_ESCHEMA, "User, row 2 of bad2.jsonl: required field 'LastName' is missing");
	assert_int_equal(fx_count(db, "User"), 4);
	crmw_db_free(db);
}

static void export_all(crmw_db *db, char ***out, size_t *n)
{
	/* Every record of every object, as JSON lines, in a stable order. */
	const crmw_schema *s = crmw_db_schema(db);
	size_t cap = 0;
	*n = 0;
	*out = NULL;
	for (int32_t i = 0; i < crmw_schema_object_count(s); i++) {
		crmw_record_iter *it = NULL;
		assert_int_equal(crmw_record_iter_new(&it, db, crmw_schema_object_name(s, i)), CRMW_OK);
		crmw_buf b = CRMW_BUF_INIT;
		while (crmw_record_iter_next(&b, it) == 1) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = realloc(*out, cap * sizeof **out);
			}
			(*out)[(*n)++] = strdup(b.data);
		}
		crmw_buf_dispose(&b);
		crmw_record_iter_free(it);
	}
}

void test_export_import_roundtrip(void **state)
{
	(void)state;
	const int formats[] = {CRMW_FORMAT_JSONL, CRMW_FORMAT_JSON, CRMW_FORMAT_CSV};
	for (size_t k = 0; k < 3; k++) {
		org o;
		fx_mkorg(&o, ":memory:");
		/* Awkward values: quotes, commas, newlines, unicode, numbers, booleans. */
		INS(o.db, "Product2", "{\"Name\":\"Ball, \\\"pro\\\"\\nline2 — ünï\",\"IsActive\":true,\"External_ID__c\":\" padded \"}", NULL);
		INS(o.db, "Pricebook2", "{\"Name\":\"Std\",\"IsActive\":false,\"ValidFrom\":\"2024-01-01T00:00:00Z\"}", NULL);
		char dir[64];
		snprintf(dir, sizeof dir, "export-%zu", k);
		assert_int_equal(crmw_db_export_dir(o.db, formats[k], fx_path_in(dir)), CRMW_OK);
		struct stat sb;
		char schema_path[600];
		snprintf(schema_path, sizeof schema_path, "%s/schema.json", fx_path_in(dir));
		assert_int_equal(stat(schema_path, &sb), 0);

		crmw_db *copy = fx_mkdb("crmarena", ":memory:", NULL);
		int64_t n = 0;
		int rc = crmw_db_import_dir(&n, copy, fx_path_in(dir));
		if (rc)
			fail_msg("format %zu: %s", k, crmw_db_errmsg(copy));
		assert_int_equal(n, 6);
		char **a, **b;
		size_t na, nb;
		export_all(o.db, &a, &na);
		export_all(copy, &b, &nb);
		assert_int_equal(na, nb);
		for (size_t i = 0; i < na; i++) {
			assert_string_equal(a[i], b[i]);
			free(a[i]);
			free(b[i]);
		}
		free(a);
		free(b);
		crmw_db_free(copy);
		fx_org_free(&o);
	}
	/* A folder with a file that names no object fails before loading. */
	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	mkdir(fx_path_in("weird"), 0777);
	write_file(fx_path_in("weird/Accounts.jsonl"), "{}\n");
	int64_t n = 0;
	fx_expect_fail(db, crmw_db_import_dir(&n, db, fx_path_in("weird")), CRMW_ESCHEMA, "did you mean 'Account'");
	crmw_db_free(db);
}

void test_import_crmarena_dump(void **state)
{
	(void)state;
	/* A dump in CRMArena's layout: tables named by object, datetimes with
	 * milliseconds and +0000, booleans as text, an extra table. */
	const char *dump = fx_path_in("dump.db");
	remove(dump);
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(dump, &raw), SQLITE_OK);
	const char *sql =
		"CREATE TABLE User (Id TEXT, FirstName TEXT, LastName TEXT, Username TEXT);"
		"INSERT INTO User VALUES ('005Wt000003NIc7IAG','Ava','Stone','ava@x.com');"
		"CREATE TABLE Account (Id TEXT, FirstName TEXT, LastName TEXT, ShippingState TEXT);"
		"INSERT INTO Account VALUES ('001Wt00000PFj3zIAD','Max','Ng','TX');"
		"CREATE TABLE \"Case\" (Id TEXT, Subject TEXT, Status TEXT, AccountId TEXT, OwnerId TEXT,"
		"  CreatedDate TEXT, ClosedDate TEXT);"
		"INSERT INTO \"Case\" VALUES ('500Wt00000DDJ5nIAH','Strap snapped','Closed','001Wt00000PFj3zIAD',"
		"  '005Wt000003NIc7IAG','2024-05-26T06:58:00.000+0000','2024-05-28T10:00:00.000+0000');"
		"CREATE TABLE Product2 (Id TEXT, Name TEXT, IsActive TEXT);"
		"INSERT INTO Product2 VALUES ('01tWt000006hV8LIAU','Trail Shoe','true');"
		"CREATE TABLE Pricebook2 (Id TEXT, Name TEXT, IsActive INTEGER, ValidFrom TEXT);"
		"INSERT INTO Pricebook2 VALUES ('01sWt000000JQxGIAW','Standard',1,'2020-01-01T00:00:00.000+0000');"
		"CREATE TABLE PricebookEntry (Id TEXT, Pricebook2Id TEXT, Product2Id TEXT, UnitPrice REAL);"
		"INSERT INTO PricebookEntry VALUES ('01uWt000002mVHpIAM','01sWt000000JQxGIAW','01tWt000006hV8LIAU',89.99);"
		"CREATE TABLE sync_log (x TEXT);";
	char *err = NULL;
	if (sqlite3_exec(raw, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(raw);

	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	int64_t n = 0;
	int rc = crmw_db_import_sqlite(&n, db, dump, 0);
	if (rc)
		fail_msg("%s", crmw_db_errmsg(db));
	assert_int_equal(n, 6);
	json_t *c = fx_get(db, "Case", "500Wt00000DDJ5nIAH");
	assert_string_equal(json_string_value(json_object_get(c, "CreatedDate")), "2024-05-26T06:58:00Z");
	assert_string_equal(json_string_value(json_object_get(c, "ClosedDate")), "2024-05-28T10:00:00Z");
	json_decref(c);
	json_t *p = fx_get(db, "Product2", "01tWt000006hV8LIAU");
	assert_true(json_is_true(json_object_get(p, "IsActive")));
	json_decref(p);
	json_t *e = fx_get(db, "PricebookEntry", "01uWt000002mVHpIAM");
	assert_true(json_real_value(json_object_get(e, "UnitPrice")) == 89.99);
	json_decref(e);

	/* Unknown columns are an error unless ignored; bad dump data rolls back. */
	assert_int_equal(sqlite3_open(dump, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
				      "CREATE TABLE Issue__c (Id TEXT, Name TEXT, Severity TEXT);"
				      "INSERT INTO Issue__c VALUES ('a01Wt00000aaaaaIAA','Tear','high');",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	crmw_db *db2 = fx_mkdb("crmarena", ":memory:", NULL);
	fx_expect_fail(db2, crmw_db_import_sqlite(&n, db2, dump, 0), CRMW_ESCHEMA, "table Issue__c: no field 'Severity'");
	assert_int_equal(fx_count(db2, "Case"), 0);
	assert_int_equal(crmw_db_import_sqlite(&n, db2, dump, 1), CRMW_OK);
	assert_int_equal(n, 7);
	/* Importing the same dump again: duplicate ids, nothing added. */
	fx_expect_fail(db2, crmw_db_import_sqlite(&n, db2, dump, 1), CRMW_EEXISTS, "already exists");
	assert_int_equal(fx_count(db2, "Case"), 1);
	fx_expect_fail(db2, crmw_db_import_sqlite(&n, db2, fx_path_in("no-such-dump.db"), 0), CRMW_ENOTFOUND, "no-such-dump.db");
	crmw_db_free(db2);
	crmw_db_free(db);
}
