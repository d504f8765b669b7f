/*
 * Handles and files: other handles' writes, read-only handles, the JSONL
 * round trip, embedders, damaged files.
 */

#include "fixture.h"

/* ------------------------------------------------------------ handles */

void test_handles_and_io(void **state)
{
	(void)state;
	crmw_memory *w = fx_open_store("shared.db", "{\"dim\":64}");
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, fx_tmp_path("shared.db"), "{\"readonly\":true}"), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&out, r, "refund policy", NULL), CRMW_OK);
	assert_string_equal(out.data, "[]");
	int64_t id;
	assert_int_equal(crmw_memory_add(&id, NULL, w, "{\"text\":\"Refunds need a receipt within 30 days.\"}", NULL, 0), 0);
	/* the reader sees the writer's commit on its next call */
	assert_int_equal(crmw_memory_search(&out, r, "refund policy", NULL), CRMW_OK);
	assert_non_null(strstr(out.data, "Refunds need a receipt"));
	assert_int_equal(crmw_memory_delete(w, id), CRMW_OK);
	assert_int_equal(crmw_memory_search(&out, r, "refund policy", NULL), CRMW_OK);
	assert_string_equal(out.data, "[]");
	/* read-only handles refuse writes */
	assert_int_equal(crmw_memory_add(&id, NULL, r, "{\"text\":\"x\"}", NULL, 0), CRMW_EACCESS);
	int64_t one = 1;
	assert_int_equal(crmw_memory_feedback(NULL, r, &one, 1, 0, 1), CRMW_EACCESS);

	/* JSONL round trip */
	const char *texts[] = {"Close cases only after the customer confirms.", "Escalate fraud to the manager.",
			       "Quote discounts above 15% need a VP."};
	for (int i = 0; i < 3; i++) {
		char e[200];
		snprintf(e, sizeof e, "{\"text\":\"%s\",\"kind\":\"%s\",\"provenance\":[\"t%d\"]}", texts[i],
			 i == 2 ? "fact" : "plan", i);
		assert_int_equal(crmw_memory_add(&id, NULL, w, e, NULL, 0), 0);
	}
	const char *jl = fx_tmp_path("shared.jsonl");
	assert_int_equal(crmw_memory_export(w, jl), CRMW_OK);
	crmw_memory *c = fx_open_store("copy.db", "{\"dim\":64}");
	int64_t added, merged;
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, "{\"keep_ids\":true}"), CRMW_OK);
	assert_int_equal(added, 3);
	assert_int_equal(merged, 0);
	crmw_buf o2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, w, "{\"limit\":0}"), CRMW_OK);
	assert_int_equal(crmw_memory_list(&o2, c, "{\"limit\":0}"), CRMW_OK);
	assert_string_equal(out.data, o2.data);
	assert_int_equal(crmw_memory_search(&out, w, "fraud escalation", NULL), CRMW_OK);
	assert_int_equal(crmw_memory_search(&o2, c, "fraud escalation", NULL), CRMW_OK);
	assert_string_equal(out.data, o2.data);
	/* again: every line merges; keep_ids on existing ids fails whole */
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 0);
	assert_int_equal(merged, 3);
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, "{\"keep_ids\":true,\"dedup\":false}"), CRMW_EEXISTS);
	assert_non_null(strstr(crmw_memory_errmsg(c), "line 1"));
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, c), CRMW_OK);
	assert_int_equal(n, 3);
	/* a bad line rolls the whole import back */
	const char *bad = fx_tmp_path("bad.jsonl");
	FILE *f = fopen(bad, "w");
	fprintf(f, "{\"text\":\"fine line\"}\n\n{\"text\":\"\"}\n");
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, bad, NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(c), "line 3"));
	assert_int_equal(crmw_memory_count(&n, c), CRMW_OK);
	assert_int_equal(n, 3);
	f = fopen(bad, "w");
	fprintf(f, "{\"text\":\"x\",\"embedder\":\"minilm\",\"embedding\":[1,2]}\n");
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, bad, NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(c), "never mix"));
	f = fopen(bad, "w");
	fprintf(f, "not json\n");
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, bad, NULL), CRMW_EFORMAT);
	assert_int_equal(crmw_memory_import(&added, &merged, c, fx_tmp_path("missing.jsonl"), NULL), CRMW_ENOTFOUND);
	crmw_memory_free(c);
	crmw_memory_free(r);
	crmw_memory_free(w);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&o2);
}
