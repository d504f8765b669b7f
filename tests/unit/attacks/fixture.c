/* The shared fixtures of test-attacks (fixture.h). */

#include "fixture.h"

char fx_dir[256];
char fx_org_path[300];
crmw_db *fx_db;
sqlite3 *fx_truth; /* the org file read directly: the ground truth */
char fx_me[19], fx_my_acc[19], fx_victim[19], fx_victim_contact[19];
json_t *fx_victim_subjects, *fx_hidden_titles;
uint64_t fx_org_hash; /* of the org file (and its WAL) before the attacks */

/* ------------------------------------------------------------- helpers */

/* A TAP diagnostic line (what an attack got). */
void fx_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

/* The first column of a query on the org file, as a JSON array of strings
 * (NULL values left out); "?" parameters are bound from the arguments. */
json_t *fx_sql_col(const char *q, ...)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(fx_truth, q, -1, &st, NULL), SQLITE_OK);
	va_list ap;
	va_start(ap, q);
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
		sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	va_end(ap);
	json_t *out = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	return out;
}

void fx_sql_one(char *out, size_t n, const char *q, ...)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(fx_truth, q, -1, &st, NULL), SQLITE_OK);
	va_list ap;
	va_start(ap, q);
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
		sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	va_end(ap);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* A SOQL string literal of s into out. */
void fx_lit(char *out, size_t n, const char *s)
{
	size_t k = 0;
	out[k++] = '\'';
	for (; *s && k + 3 < n; s++) {
		if (*s == '\\' || *s == '\'')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k++] = '\'';
	out[k] = '\0';
}

crmw_role *fx_make_role(const char *policy, const char *bindings)
{
	crmw_role *r = NULL;
	int rc = crmw_role_new(&r, fx_db, policy, bindings);
	if (rc)
		fx_diag("role: %s", crmw_last_error());
	assert_int_equal(rc, CRMW_OK);
	return r;
}

crmw_query_opts *fx_opts_for(const crmw_role *r)
{
	crmw_query_opts *o;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_rows(o, 0), CRMW_OK);
	if (r)
		assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	return o;
}

/* FNV-1a of the org file and its WAL: every attack must leave them as
 * they were. */
uint64_t fx_hash_org(void)
{
	uint64_t h = 1469598103934665603ull;
	for (int k = 0; k < 2; k++) {
		char p[320];
		snprintf(p, sizeof p, "%s%s", fx_org_path, k ? "-wal" : "");
		FILE *f = fopen(p, "rb");
		if (!f)
			continue;
		int c;
		while ((c = getc(f)) != EOF)
			h = (h ^ (uint64_t)c) * 1099511628211ull;
		fclose(f);
	}
	return h;
}

/* ------------------------------------------------------------ fixtures */

int fx_setup(void **state)
{
	(void)state;
	snprintf(fx_dir, sizeof fx_dir, "/tmp/crmw-attacks-XXXXXX");
	if (!mkdtemp(fx_dir))
		return -1;
	snprintf(fx_org_path, sizeof fx_org_path, "%s/org.db", fx_dir);
	if (crmw_gen(fx_org_path, "{\"profile\":\"b2b\",\"seed\":1,\"scale\":0.05}", NULL, NULL))
		return -1;
	if (crmw_db_open(&fx_db, fx_org_path, CRMW_DB_READONLY))
		return -1;
	if (sqlite3_open_v2(fx_org_path, &fx_truth, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	/* the attacker: a customer with cases; the victim: another account
	 * with two cases or more (its id is what the attacker knows) */
	fx_sql_one(fx_me, sizeof fx_me,
		"SELECT c.\"Id\" FROM \"Contact\" c WHERE EXISTS (SELECT 1 FROM \"Case\" k WHERE k.\"AccountId\" = c.\"AccountId\") "
		"ORDER BY c.\"Id\" LIMIT 1");
	fx_sql_one(fx_my_acc, sizeof fx_my_acc, "SELECT \"AccountId\" FROM \"Contact\" WHERE \"Id\" = ?", fx_me);
	fx_sql_one(fx_victim, sizeof fx_victim,
		"SELECT a.\"Id\" FROM \"Account\" a WHERE a.\"Id\" != ? AND (SELECT count(*) FROM \"Case\" k WHERE k.\"AccountId\" = "
		"a.\"Id\") >= 2 AND EXISTS (SELECT 1 FROM \"Contact\" c WHERE c.\"AccountId\" = a.\"Id\" AND c.\"Email\" IS NOT NULL) "
		"ORDER BY (SELECT count(*) FROM \"Case\" k WHERE k.\"AccountId\" = a.\"Id\"), a.\"Id\" LIMIT 1",
		fx_my_acc);
	fx_sql_one(fx_victim_contact, sizeof fx_victim_contact,
		"SELECT \"Id\" FROM \"Contact\" WHERE \"AccountId\" = ? ORDER BY \"Id\" LIMIT 1", fx_victim);
	fx_victim_subjects = fx_sql_col("SELECT \"Subject\" FROM \"Case\" WHERE \"AccountId\" = ?", fx_victim);
	fx_hidden_titles = fx_sql_col("SELECT \"Title\" FROM \"Knowledge__kav\" WHERE NOT (\"PublishStatus\" = 'Online' AND "
				"\"IsVisibleInCsp\" = 1)");
	fx_org_hash = fx_hash_org();
	return 0;
}

int fx_teardown(void **state)
{
	(void)state;
	json_decref(fx_victim_subjects);
	json_decref(fx_hidden_titles);
	sqlite3_close(fx_truth);
	crmw_db_free(fx_db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
	return system(cmd) == 0 ? 0 : -1;
}


static int script_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	script *s = ud;
	size_t len;
	const char *rj = crmw_request_json(req, &len);
	if (s->requests)
		json_array_append_new(s->requests, json_loads(rj, 0, NULL));
	const char *t = s->calls < s->n ? s->turns[s->calls]
					: "<tool_call>{\"name\":\"respond\",\"arguments\":{\"content\":\"Done.\"}}</tool_call>";
	s->calls++;
	return crmw_response_set_text(resp, t, strlen(t));
}

crmw_backend fx_backend_of(script *s)
{
	crmw_backend b;
	memset(&b, 0, sizeof b);
	b.struct_size = sizeof b;
	b.version = CRMW_BACKEND_VERSION;
	b.userdata = s;
	b.complete = script_complete;
	return b;
}
