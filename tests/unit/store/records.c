/*
 * Single records: values normalised or refused, update, upsert, delete,
 * iteration, and schema changes at run time.
 */

#include "fixture.h"

/* ------------------------------------------------------------ records */

void test_values_normalised(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("b2b", ":memory:", NULL);
	crmw_buf acc = CRMW_BUF_INIT, opp = CRMW_BUF_INIT, ev = CRMW_BUF_INIT, ct = CRMW_BUF_INIT;
	INS(db, "Account", "{\"Name\":\"Acme\",\"NumberOfEmployees\":\"250\",\"Industry\":\"Space Mining\"}", &acc);
	char json[512];
	snprintf(json, sizeof json,
		 "{\"Name\":\"Deal\",\"AccountId\":\"%s\",\"StageName\":\"Discovery\",\"Amount\":\"1234.5\","
		 "\"Probability\":40,\"CloseDate\":\"2024-02-29\",\"CreatedDate\":\"2024-01-31T23:30:00-05:00\"}",
		 acc.data);
	INS(db, "Opportunity", json, &opp);
	snprintf(json, sizeof json,
		 "{\"WhatId\":\"%s\",\"IsAllDayEvent\":\"TRUE\",\"DurationInMinutes\":30.0,"
		 "\"StartDateTime\":\"2024-03-01 09:15\"}", opp.data);
	INS(db, "Event", json, &ev);
	/* A 15-character reference is widened to 18. */
	snprintf(json, sizeof json, "{\"AccountId\":\"%.15s\",\"CustomerSignedDate\":\"2024-03-01T00:00:00Z\"}", acc.data);
	INS(db, "Contract", json, &ct);

	json_t *a = fx_get(db, "Account", acc.data);
	assert_int_equal(json_integer_value(json_object_get(a, "NumberOfEmployees")), 250);
	/* Industry is an unrestricted picklist: other values are kept. */
	assert_string_equal(json_string_value(json_object_get(a, "Industry")), "Space Mining");
	assert_true(json_is_null(json_object_get(a, "Phone")));
	json_decref(a);
	json_t *o = fx_get(db, "Opportunity", opp.data);
	assert_true(json_real_value(json_object_get(o, "Amount")) == 1234.5);
	assert_true(json_number_value(json_object_get(o, "Probability")) == 40.0);
	assert_string_equal(json_string_value(json_object_get(o, "CloseDate")), "2024-02-29");
	assert_string_equal(json_string_value(json_object_get(o, "CreatedDate")), "2024-02-01T04:30:00Z");
	json_decref(o);
	json_t *e = fx_get(db, "Event", ev.data);
	assert_true(json_is_true(json_object_get(e, "IsAllDayEvent")));
	assert_int_equal(json_integer_value(json_object_get(e, "DurationInMinutes")), 30);
	assert_string_equal(json_string_value(json_object_get(e, "StartDateTime")), "2024-03-01T09:15:00Z");
	json_decref(e);
	json_t *c = fx_get(db, "Contract", ct.data);
	assert_string_equal(json_string_value(json_object_get(c, "AccountId")), acc.data);
	assert_string_equal(json_string_value(json_object_get(c, "CustomerSignedDate")), "2024-03-01");
	json_decref(c);
	crmw_buf_dispose(&acc);
	crmw_buf_dispose(&opp);
	crmw_buf_dispose(&ev);
	crmw_buf_dispose(&ct);
	crmw_db_free(db);
}

void test_bad_values(void **state)
{
	(void)state;
	org o;
	fx_mkorg(&o, ":memory:");
	crmw_db *db = o.db;
	int64_t cases = fx_count(db, "Case");
	char json[512];
	const struct { const char *obj, *json; int code; const char *needle; } bad[] = {
		{"Case", "{\"Subjct\":\"x\"}", CRMW_ESCHEMA, "no field 'Subjct' on object 'Case' (did you mean 'Subject'?)"},
		{"Case", "{\"CreatedDate\":\"2024-13-01T00:00:00Z\"}", CRMW_ESCHEMA, "field 'CreatedDate': '2024-13-01T00:00:00Z' is not a valid datetime"},
		{"Case", "{\"CreatedDate\":\"2023-02-29T00:00:00Z\"}", CRMW_ESCHEMA, "'2023-02-29T00:00:00Z' is not a valid datetime"},
		{"Case", "{\"ClosedDate\":\"yesterday\"}", CRMW_ESCHEMA, "field 'ClosedDate'"},
		{"Order", "{\"Status\":\"Shipped\"}", CRMW_ESCHEMA, "field 'Status': 'Shipped' is not one of the field's picklist values"},
		{"Order", "{\"EffectiveDate\":\"2024-01-01T10:00:00Z\"}", CRMW_ESCHEMA, "not a valid date"},
		{"Product2", "{\"IsActive\":\"maybe\"}", CRMW_ESCHEMA, "'maybe' is not a boolean"},
		{"OrderItem", "{\"Quantity\":\"lots\"}", CRMW_ESCHEMA, "'lots' is not a number"},
		{"OrderItem", "{\"Quantity\":[1]}", CRMW_ESCHEMA, "arrays are not field values"},
		{"Case", "{\"AccountId\":\"001000000000000AAB\"}", CRMW_ESCHEMA, "is not a valid 18-character record id"},
		{"Case", "{\"AccountId\":\"003aaaaaaaaaaaaAAA\"}", CRMW_ESCHEMA, "is not the id of a Account record"},
		{"Case", "{\"AccountId\":\"001aaaaaaaaaaaaAAA\"}", CRMW_ESCHEMA, "no record with Id '001aaaaaaaaaaaaAAA' (dangling reference)"},
		{"Case", "{\"Id\":\"001aaaaaaaaaaaaAAA\"}", CRMW_ESCHEMA, "does not start with Case's key prefix 500"},
		{"User", "{\"FirstName\":\"NoLast\"}", CRMW_ESCHEMA, "required field 'LastName' is missing"},
		{"User", "{\"LastName\":\"Dup\",\"Username\":\"ada@example.com\"}", CRMW_EEXISTS, "field 'Username' must be unique"},
		{"User", "{\"LastName\":\"X\",\"Email\":\"not-an-address\"}", CRMW_ESCHEMA, "is not an e-mail address"},
		{"User", "[1,2]", CRMW_EFORMAT, "a record must be a JSON object"},
		{"User", "{\"LastName\":", CRMW_EFORMAT, "bad JSON"},
		{"Nope", "{}", CRMW_ENOTFOUND, "no object 'Nope'"},
		{"User", "{\"LastName\":\"a\",\"lastname\":\"b\"}", CRMW_ESCHEMA, "given twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = crmw_record_insert(NULL, db, bad[i].obj, bad[i].json, strlen(bad[i].json));
		if (rc != bad[i].code || !strstr(crmw_db_errmsg(db), bad[i].needle))
			fail_msg("case %zu: rc %d '%s'", i, rc, crmw_db_errmsg(db));
	}
	/* Duplicate Id. */
	snprintf(json, sizeof json, "{\"Id\":\"%s\",\"Subject\":\"again\"}", o.kase.data);
	fx_expect_fail(db, crmw_record_insert(NULL, db, "Case", json, strlen(json)), CRMW_EEXISTS, "already exists");
	/* Nothing was written by any failure. */
	assert_int_equal(fx_count(db, "Case"), cases);
	assert_int_equal(fx_count(db, "User"), 1);
	fx_org_free(&o);
}

void test_update_upsert_delete(void **state)
{
	(void)state;
	org o;
	fx_mkorg(&o, ":memory:");
	crmw_db *db = o.db;
	const char *upd = "{\"Status\":\"Closed\",\"ClosedDate\":\"2024-05-27T08:00:00Z\",\"Description\":null}";
	assert_int_equal(crmw_record_update(db, "Case", o.kase.data, upd, strlen(upd)), CRMW_OK);
	json_t *c = fx_get(db, "Case", o.kase.data);
	assert_string_equal(json_string_value(json_object_get(c, "Status")), "Closed");
	assert_string_equal(json_string_value(json_object_get(c, "Subject")), "Zipper broke"); /* kept */
	assert_string_equal(json_string_value(json_object_get(c, "ClosedDate")), "2024-05-27T08:00:00Z");
	json_decref(c);

	fx_expect_fail(db, crmw_record_update(db, "Case", "500aaaaaaaaaaaaAAA", upd, strlen(upd)), CRMW_ENOTFOUND, "no Case record");
	const char *clear = "{\"LastName\":null}";
	fx_expect_fail(db, crmw_record_update(db, "User", o.user.data, clear, strlen(clear)), CRMW_ESCHEMA, "cannot be cleared");
	const char *dangling = "{\"OwnerId\":\"005aaaaaaaaaaaaAAA\"}";
	fx_expect_fail(db, crmw_record_update(db, "Case", o.kase.data, dangling, strlen(dangling)), CRMW_ESCHEMA, "dangling");
	const char *other_id = "{\"Id\":\"500aaaaaaaaaaaaAAA\"}";
	fx_expect_fail(db, crmw_record_update(db, "Case", o.kase.data, other_id, strlen(other_id)), CRMW_ESCHEMA, "cannot change");

	/* Upsert: update when the Id exists, insert when not. */
	char json[256];
	crmw_buf id = CRMW_BUF_INIT;
	snprintf(json, sizeof json, "{\"Id\":\"%s\",\"Priority\":\"High\"}", o.kase.data);
	assert_int_equal(crmw_record_upsert(&id, db, "Case", json, strlen(json)), CRMW_OK);
	assert_string_equal(id.data, o.kase.data);
	c = fx_get(db, "Case", o.kase.data);
	assert_string_equal(json_string_value(json_object_get(c, "Priority")), "High");
	assert_string_equal(json_string_value(json_object_get(c, "Status")), "Closed");
	json_decref(c);
	const char *fresh = "{\"Id\":\"500aaaaaaaaaaabAAA\",\"Subject\":\"new\"}";
	assert_int_equal(crmw_record_upsert(&id, db, "Case", fresh, strlen(fresh)), CRMW_OK);
	assert_string_equal(id.data, "500aaaaaaaaaaabAAA");
	assert_int_equal(fx_count(db, "Case"), 2);

	/* Delete: refused while referenced, allowed once free. */
	fx_expect_fail(db, crmw_record_delete(db, "Account", o.account.data), CRMW_ESCHEMA, "is referenced by");
	assert_int_equal(fx_count(db, "Account"), 1);
	assert_int_equal(crmw_record_delete(db, "Case", "500aaaaaaaaaaabAAA"), CRMW_OK);
	fx_expect_fail(db, crmw_record_delete(db, "Case", "500aaaaaaaaaaabAAA"), CRMW_ENOTFOUND, "no Case record");
	assert_int_equal(fx_count(db, "Case"), 1);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_record_get(&b, db, "Case", "500aaaaaaaaaaabAAA"), CRMW_ENOTFOUND);
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&id);
	fx_org_free(&o);
}

void test_iterate(void **state)
{
	(void)state;
	crmw_db *db = fx_mkdb("crmarena", ":memory:", NULL);
	for (int i = 0; i < 25; i++) {
		char json[64];
		snprintf(json, sizeof json, "{\"Name\":\"Issue %02d\"}", i);
		INS(db, "Issue__c", json, NULL);
	}
	crmw_record_iter *it = NULL;
	assert_int_equal(crmw_record_iter_new(&it, db, "issue__c"), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	int n = 0, r;
	char last[19] = "";
	while ((r = crmw_record_iter_next(&b, it)) == 1) {
		json_t *v = json_loadb(b.data, b.len, 0, NULL);
		assert_non_null(v);
		const char *id = json_string_value(json_object_get(v, "Id"));
		assert_true(strcmp(last, id) < 0); /* Id order */
		snprintf(last, sizeof last, "%s", id);
		json_decref(v);
		n++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(crmw_record_iter_next(&b, it), 0);
	assert_int_equal(n, 25);
	crmw_record_iter_free(it);
	assert_int_equal(crmw_record_iter_new(&it, db, "Nope"), CRMW_ENOTFOUND);
	crmw_buf_dispose(&b);
	crmw_db_free(db);
}

void test_runtime_schema_changes(void **state)
{
	(void)state;
	const char *p = fx_path_in("custom.db");
	crmw_db *db = fx_mkdb("crmarena", p, "{\"overwrite\":true}");
	const char *obj = "{\"name\":\"Survey__c\",\"key_prefix\":\"a50\",\"fields\":["
			  "{\"name\":\"CaseId__c\",\"type\":\"reference\",\"references\":[\"Case\"]},"
			  "{\"name\":\"Score__c\",\"type\":\"int\"}]}";
	assert_int_equal(crmw_db_add_object(db, obj, strlen(obj)), CRMW_OK);
	crmw_buf id = CRMW_BUF_INIT;
	INS(db, "Survey__c", "{\"Score__c\":5}", &id);
	assert_true(strncmp(id.data, "a50", 3) == 0);
	const char *fld = "{\"name\":\"Comment__c\",\"type\":\"textarea\"}";
	assert_int_equal(crmw_db_add_field(db, "Survey__c", fld, strlen(fld)), CRMW_OK);
	INS(db, "Survey__c", "{\"Score__c\":4,\"Comment__c\":\"fine\"}", NULL);
	const char *req = "{\"name\":\"Must__c\",\"type\":\"string\",\"required\":true}";
	fx_expect_fail(db, crmw_db_add_field(db, "Survey__c", req, strlen(req)), CRMW_ESCHEMA, "already has 2 records");
	const char *dup = "{\"name\":\"Case\",\"key_prefix\":\"a51\"}";
	assert_int_equal(crmw_db_add_object(db, dup, strlen(dup)), CRMW_EEXISTS);
	crmw_db_free(db);
	/* The changed schema is in the file. */
	assert_int_equal(crmw_db_open(&db, p, CRMW_DB_READONLY), CRMW_OK);
	assert_int_equal(crmw_schema_field_index((crmw_schema *)crmw_db_schema(db), "Survey__c", "Comment__c"), 3);
	assert_int_equal(fx_count(db, "Survey__c"), 2);
	crmw_db_free(db);
	crmw_buf_dispose(&id);
}
