/*
 * Record ids: their form, the counter they encode, and the same ids from
 * the same seed.
 */

#include "fixture.h"

/* ------------------------------------------------------------------ ids */

void test_ids(void **state)
{
	(void)state;
	char id[19];
	assert_int_equal(crmw_id_to18(id, "001aaaaaaaaaaaa"), CRMW_OK);
	assert_string_equal(id, "001aaaaaaaaaaaaAAA"); /* no upper case: suffix AAA */
	assert_int_equal(crmw_id_to18(id, "001AAAAAAAAAAAA"), CRMW_OK);
	/* First chunk "001AA": bits 3,4 -> 24 = 'Y'; the rest all upper: 31 = '5'. */
	assert_string_equal(id, "001AAAAAAAAAAAAY55");
	assert_true(crmw_id_valid("001AAAAAAAAAAAAY55", 0));
	assert_false(crmw_id_valid("001AAAAAAAAAAAAY56", 0));
	assert_false(crmw_id_valid("001AAAAAAAAAAAA", 0));
	assert_true(crmw_id_valid("001AAAAAAAAAAAA", 1));
	assert_false(crmw_id_valid("001AAAAAAAAAA-AY55", 0));
	assert_false(crmw_id_valid(NULL, 1));
	assert_int_equal(crmw_id_to18(id, "short"), CRMW_EINVALID);
	assert_int_equal(crmw_id_to18(id, "001aaaaaaaaaa!a"), CRMW_EINVALID);
}

/* Generated ids decode back to their counter; ids of another seed, prefix
 * or suffix, or not generated at all, do not. */
void test_id_counter_of(void **state)
{
	(void)state;
	const int64_t counters[] = {0, 1, 61, 62, 12345, (int64_t)1 << 40};
	crmw_idform f42, f43, fcase;
	crmw__id_form(&f42, "001", 42);
	crmw__id_form(&f43, "001", 43);
	crmw__id_form(&fcase, "500", 42);
	assert_true(memcmp(f42.head, f43.head, 5) != 0); /* the seeds differ in the id */
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		char id[19];
		int64_t c = -1;
		crmw__id_make(id, "001", 42, counters[i]);
		assert_true(crmw__id_counter_of(id, &f42, &c));
		assert_int_equal(c, counters[i]);
		assert_false(crmw__id_counter_of(id, &f43, &c));
		assert_false(crmw__id_counter_of(id, &fcase, &c));
		id[17] = id[17] == 'A' ? 'B' : 'A'; /* a wrong case suffix */
		assert_false(crmw__id_counter_of(id, &f42, &c));
	}
	int64_t c;
	assert_false(crmw__id_counter_of("001aaaaaaaaaaaaAAA", &f42, &c));
}

void test_generated_ids_deterministic(void **state)
{
	(void)state;
	crmw_buf a1 = CRMW_BUF_INIT, a2 = CRMW_BUF_INIT, b1 = CRMW_BUF_INIT, c1 = CRMW_BUF_INIT;
	crmw_db *x = fx_mkdb("b2b", ":memory:", "{\"id_seed\":42}");
	crmw_db *y = fx_mkdb("b2b", ":memory:", "{\"id_seed\":42}");
	crmw_db *z = fx_mkdb("b2b", ":memory:", "{\"id_seed\":43}");
	INS(x, "Account", "{\"Name\":\"Acme\"}", &a1);
	INS(x, "Account", "{\"Name\":\"Beta\"}", &a2);
	INS(y, "Account", "{\"Name\":\"Other\"}", &b1);
	INS(z, "Account", "{\"Name\":\"Acme\"}", &c1);
	assert_int_equal(a1.len, 18);
	assert_true(strncmp(a1.data, "001", 3) == 0);
	assert_true(crmw_id_valid(a1.data, 0));
	assert_string_not_equal(a1.data, a2.data);
	assert_string_equal(a1.data, b1.data); /* same seed, same order */
	assert_string_not_equal(a1.data, c1.data);
	/* Ids grow with the counter, like Salesforce's. */
	assert_true(strncmp(a1.data, a2.data, 15) < 0);
	crmw_db_free(x);
	crmw_db_free(y);
	crmw_db_free(z);
	crmw_buf_dispose(&a1);
	crmw_buf_dispose(&a2);
	crmw_buf_dispose(&b1);
	crmw_buf_dispose(&c1);
}
