/* The shared fixtures of test-store (fixture.h). */

#include "fixture.h"

char fx_tmpdir[256];

int fx_setup_dir(void **state)
{
	(void)state;
	snprintf(fx_tmpdir, sizeof fx_tmpdir, "/tmp/crmw-store-XXXXXX");
	return mkdtemp(fx_tmpdir) ? 0 : -1;
}

int fx_teardown_dir(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

const char *fx_path_in(const char *name)
{
	static char p[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(p[k], sizeof p[k], "%s/%s", fx_tmpdir, name);
	return p[k];
}

crmw_db *fx_mkdb(const char *set, const char *path, const char *opts)
{
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, set), CRMW_OK);
	crmw_db *db = NULL;
	int rc = crmw_db_create(&db, path, s, opts);
	if (rc)
		fail_msg("create: %s", crmw_last_error());
	crmw_schema_free(s);
	return db;
}

void fx_ins(crmw_db *db, const char *obj, const char *json, crmw_buf *id, int line)
{
	int rc = crmw_record_insert(id, db, obj, json, strlen(json));
	if (rc)
		fail_msg("line %d: insert %s: %s", line, obj, crmw_db_errmsg(db));
}

json_t *fx_get(crmw_db *db, const char *obj, const char *id)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_record_get(&b, db, obj, id);
	if (rc)
		fail_msg("get %s %s: %s", obj, id, crmw_db_errmsg(db));
	json_t *v = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&b);
	return v;
}

int64_t fx_count(crmw_db *db, const char *obj)
{
	int64_t n = -1;
	assert_int_equal(crmw_db_count(&n, db, obj), CRMW_OK);
	return n;
}

void fx_expect_fail(crmw_db *db, int rc, int want, const char *needle)
{
	if (rc != want || !strstr(crmw_db_errmsg(db), needle))
		fail_msg("rc %d '%s', want %d containing '%s'", rc, crmw_db_errmsg(db), want, needle);
}

void fx_mkorg(org *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->db = fx_mkdb("crmarena", path, "{\"id_seed\":7,\"overwrite\":true}");
	INS(o->db, "User", "{\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Username\":\"ada@example.com\"}", &o->user);
	INS(o->db, "Account", "{\"FirstName\":\"Bo\",\"LastName\":\"Chen\",\"ShippingState\":\"CA\"}", &o->account);
	char json[256];
	snprintf(json, sizeof json, "{\"LastName\":\"Chen\",\"AccountId\":\"%s\",\"OwnerId\":\"%s\"}",
		 o->account.data, o->user.data);
	INS(o->db, "Contact", json, &o->contact);
	snprintf(json, sizeof json,
		 "{\"Subject\":\"Zipper broke\",\"Status\":\"New\",\"AccountId\":\"%s\",\"ContactId\":\"%s\","
		 "\"OwnerId\":\"%s\",\"CreatedDate\":\"2024-05-26T06:58:00.000+0000\"}",
		 o->account.data, o->contact.data, o->user.data);
	INS(o->db, "Case", json, &o->kase);
}

void fx_org_free(org *o)
{
	crmw_db_free(o->db);
	crmw_buf_dispose(&o->user);
	crmw_buf_dispose(&o->account);
	crmw_buf_dispose(&o->contact);
	crmw_buf_dispose(&o->kase);
}
