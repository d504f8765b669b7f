/*
 * The write path: dedup merges, counters, updates, metadata filters,
 * deletes, capacity, persistence.
 */

#include "fixture.h"

/* ------------------------------------------------------------ writes */

void test_write_path(void **state)
{
	(void)state;
	crmw_memory *m = fx_open_store("write.db", "{\"dim\":128}");
	int64_t a, b, c;
	int32_t mg;
	assert_int_equal(crmw_memory_add(&a, &mg, m,
					 "{\"text\":\"Check the case history before naming the agent.\",\"title\":\"history\","
					 "\"family\":\"handle_time\",\"tags\":[\"x\"],\"provenance\":[\"traj-1\"],"
					 "\"metadata\":{\"source\":\"gold\",\"n\":{\"v\":2}},\"counters\":{\"success\":2}}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 0);
	/* the same text, other spacing and case: merged */
	assert_int_equal(crmw_memory_add(&b, &mg, m,
					 "{\"text\":\"check the case history   before naming the agent.\",\"family\":\"handle_time\","
					 "\"tags\":[\"y\",\"x\"],\"provenance\":[\"traj-2\"],\"counters\":{\"success\":1,\"harmful\":1}}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 1);
	assert_int_equal(b, a);
	json_t *e = fx_get_entry(m, a);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "guideline");
	assert_int_equal(json_array_size(json_object_get(e, "provenance")), 2);
	assert_int_equal(json_array_size(json_object_get(e, "tags")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "counters"), "success")), 3);
	assert_int_equal(json_integer_value(json_object_get(e, "utility")), 2);
	json_decref(e);
	/* the same text in another family is another entry */
	assert_int_equal(crmw_memory_add(&c, &mg, m,
					 "{\"text\":\"Check the case history before naming the agent.\",\"family\":\"transfer_count\"}",
					 NULL, 0),
			 CRMW_OK);
	assert_int_equal(mg, 0);
	assert_true(c != a);
	/* near-identical vector (cosine >= threshold): merged */
	float v[128];
	assert_int_equal(crmw_memory_get_vector(v, 128, m, c), CRMW_OK);
	v[0] += 0.01f;
	int64_t d;
	assert_int_equal(crmw_memory_add(&d, &mg, m, "{\"text\":\"other words\",\"family\":\"transfer_count\"}", v, 128),
			 CRMW_OK);
	assert_int_equal(mg, 1);
	assert_int_equal(d, c);
	/* counters */
	int64_t ids[3] = {a, c, 999999}, upd = 0;
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 3, CRMW_MEM_RETRIEVED, 1), CRMW_OK);
	assert_int_equal(upd, 2);
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 1, CRMW_MEM_HELPFUL, 3), CRMW_OK);
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 1, 7, 1), CRMW_EINVALID);
	assert_int_equal(crmw_memory_feedback(&upd, m, ids, 1, CRMW_MEM_HELPFUL, 0), CRMW_EINVALID);
	e = fx_get_entry(m, a);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "counters"), "retrieved")), 1);
	assert_int_equal(json_integer_value(json_object_get(e, "utility")), 5);
	json_decref(e);
	/* update re-embeds; search by text finds the new text */
	assert_int_equal(crmw_memory_update(m, c, "{\"text\":\"Quotes above 20 percent discount need approval.\","
						  "\"tags\":[\"pricing\"]}"),
			 CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&out, m, "discount approval for quotes", "{\"k\":1}"), CRMW_OK);
	json_t *hits = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(hits), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(hits, 0), "id")), c);
	assert_non_null(json_object_get(json_array_get(hits, 0), "score"));
	json_decref(hits);
	assert_int_equal(crmw_memory_update(m, 424242, "{\"title\":\"x\"}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_memory_update(m, c, "{\"txt\":\"x\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "text"));
	/* metadata filters through JSON paths; list order */
	assert_int_equal(crmw_memory_list(&out, m, "{\"metadata\":{\"source\":\"gold\",\"n.v\":[1,2]}}"), CRMW_OK);
	hits = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(hits), 1);
	json_decref(hits);
	assert_int_equal(crmw_memory_list(&out, m, "{\"order\":\"utility\",\"desc\":true,\"limit\":1}"), CRMW_OK);
	hits = json_loads(out.data, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(hits, 0), "id")), a);
	json_decref(hits);
	/* delete */
	assert_int_equal(crmw_memory_delete(m, c), CRMW_OK);
	assert_int_equal(crmw_memory_delete(m, c), CRMW_ENOTFOUND);
	assert_null(fx_get_entry(m, c));
	crmw_memory_free(m);

	/* capacity: the least useful entries go, the new one stays */
	m = fx_open_store("cap.db", "{\"dim\":64,\"capacity\":3}");
	int64_t e1, e2, e3, e4;
	assert_int_equal(crmw_memory_add(&e1, NULL, m, "{\"text\":\"alpha rule\",\"counters\":{\"success\":5}}", NULL, 0), 0);
	assert_int_equal(crmw_memory_add(&e2, NULL, m, "{\"text\":\"beta rule\",\"counters\":{\"failure\":2}}", NULL, 0), 0);
	assert_int_equal(crmw_memory_add(&e3, NULL, m, "{\"text\":\"gamma rule\"}", NULL, 0), 0);
	assert_int_equal(crmw_memory_add(&e4, NULL, m, "{\"text\":\"delta rule\",\"counters\":{\"harmful\":9}}", NULL, 0),
			 0);
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 3);
	assert_null(fx_get_entry(m, e2));
	json_t *keep = fx_get_entry(m, e4);
	assert_non_null(keep);
	json_decref(keep);
	crmw_memory_free(m);
	/* persistence: reopen without options keeps the recorded capacity */
	assert_int_equal(crmw_memory_open(&m, fx_tmp_path("cap.db"), NULL), CRMW_OK);
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 3);
	assert_int_equal(crmw_memory_stats(&out, m), CRMW_OK);
	assert_non_null(strstr(out.data, "\"capacity\":3"));
	assert_int_equal(crmw_memory_search(&out, m, "alpha rule", "{\"k\":1}"), CRMW_OK);
	assert_non_null(strstr(out.data, "alpha rule"));
	crmw_memory_free(m);
	crmw_buf_dispose(&out);
}
