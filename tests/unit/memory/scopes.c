/*
 * Scopes: filtered inside the search, never merged across.
 */

#include "fixture.h"

/* ------------------------------------------------------------ scopes */

static int64_t add_scoped(crmw_memory *m, const char *text, const char *scope, int32_t *merged)
{
	json_t *e = json_pack("{s:s, s:s}", "text", text, "family", "case_subject");
	if (scope)
		json_object_set_new(e, "scope", json_string(scope));
	char *t = json_dumps(e, JSON_COMPACT);
	json_decref(e);
	int64_t id = 0;
	int32_t mg = 0;
	if (crmw_memory_add(&id, &mg, m, t, NULL, 0))
		fail_msg("add: %s", crmw_memory_errmsg(m));
	free(t);
	if (merged)
		*merged = mg;
	return id;
}

static const char *const global_texts[] = {
	"Look up the case first, then read its subject field.",
	"A customer's newest case is the one with the latest CreatedDate.",
	"Subjects of cases are short: answer with the subject only.",
	"Orders and cases belong to the customer's account.",
};

/*
 * Entries carry the scope they were written under; a search for a reader
 * of one scope ranks only that scope's and the global entries: another
 * scope's entry that would rank first is not there, and nothing (count,
 * scores, ids) differs from a store that never held it.  Merges never cross
 * scopes.  List, stats, get, update, export and import carry the scope.
 */
void test_scopes(void **state)
{
	(void)state;
	const char *secret = "Customer A asked for the subject of case 500Sj00000A1b2cDEF: Timeline slip on the "
			     "Acme rollout";
	crmw_memory *m = fx_open_store("scopes.db", "{\"dim\":128}");
	crmw_memory *clean = fx_open_store("scopes-clean.db", "{\"dim\":128}");
	int32_t mg;
	int64_t ga[4];
	for (int i = 0; i < 4; i++) {
		ga[i] = add_scoped(m, global_texts[i], i == 3 ? "" : NULL, &mg);
		add_scoped(clean, global_texts[i], NULL, NULL);
	}
	int64_t a = add_scoped(m, secret, "account:001SjA", &mg);
	int64_t b = add_scoped(m, "Customer B's guideline: check the order status.", "account:001SjB", &mg);
	/* ids of the clean store: the same global entries, then B's */
	add_scoped(clean, "spacer so that ids line up", "account:001SjZ", NULL);
	int64_t cb = add_scoped(clean, "Customer B's guideline: check the order status.", "account:001SjB", NULL);
	assert_int_equal(cb, b);
	json_t *e = fx_get_entry(m, a);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), "account:001SjA");
	json_decref(e);
	e = fx_get_entry(m, ga[3]);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), "global"); /* "" is the global scope */
	json_decref(e);

	/* A's entry ranks first for A's question when nothing filters */
	const char *q = "What is the subject of case 500Sj00000A1b2cDEF? Timeline slip on the Acme rollout";
	char all[512], got[512], want[512];
	fx_hits_text(all, sizeof all, m, q, "{\"k\":1}");
	char first[32];
	snprintf(first, sizeof first, "%lld:", (long long)a);
	assert_true(strncmp(all, first, strlen(first)) == 0);
	/* a reader of B's scope: B's and the global entries only, exactly as a
	 * store without A's entry ranks them, for every k, threshold and engine */
	static const char *const opts[][2] = {
		{"{\"k\":1,\"scope\":\"account:001SjB\"}", "{\"k\":1}"},
		{"{\"k\":3,\"scope\":\"account:001SjB\"}", "{\"k\":3}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\"}", "{\"k\":10}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\",\"min_score\":0.05}", "{\"k\":10,\"min_score\":0.05}"},
		{"{\"k\":2,\"scope\":\"account:001SjB\",\"mmr\":0.5}", "{\"k\":2,\"mmr\":0.5}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\",\"quantize\":\"int8\"}", "{\"k\":10,\"quantize\":\"int8\"}"},
		{"{\"k\":10,\"scope\":\"account:001SjB\",\"tags\":[\"none\"]}", "{\"k\":10,\"tags\":[\"none\"]}"},
		{"{\"k\":10,\"scopes\":[\"global\",\"account:001SjB\"]}", "{\"k\":10}"},
	};
	/* the clean store's spacer is out of the reader's view too */
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		char co[200];
		snprintf(co, sizeof co, "%.*s,\"scope\":\"account:001SjB\"}", (int)strlen(opts[i][1]) - 1, opts[i][1]);
		fx_hits_text(got, sizeof got, m, q, opts[i][0]);
		fx_hits_text(want, sizeof want, clean, q, co);
		if (strcmp(got, want) != 0)
			fail_msg("%s: %s, without A's entry %s", opts[i][0], got, want);
		assert_null(strstr(got, first));
	}
	fx_hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_int_equal(fx_count_hits(got), 5); /* four global entries and B's, not six */
	/* a global reader sees the global entries; A's reader also A's */
	fx_hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"global\"}");
	assert_null(strstr(got, first));
	fx_hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"account:001SjA\"}");
	assert_true(strncmp(got, first, strlen(first)) == 0);
	fx_hits_text(got, sizeof got, m, q, "{\"k\":10,\"scopes\":[\"account:001SjA\"]}");
	assert_int_equal(fx_count_hits(got), 1); /* only A's */
	/* vector and batch searches filter the same way */
	float qv[128];
	assert_int_equal(crmw_memory_embed(qv, 128, m, q, strlen(q)), CRMW_OK);
	int64_t ids[16], ids2[16];
	float sc[16], sc2[16];
	int32_t nh = 0, nh2 = 0;
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, qv, 128, 10, "{\"scope\":\"account:001SjB\"}"), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids2, sc2, &nh2, clean, qv, 128, 10, "{\"scope\":\"account:001SjB\"}"),
			 CRMW_OK);
	assert_int_equal(nh, 5);
	assert_int_equal(nh2, nh);
	for (int i = 0; i < nh; i++) {
		assert_int_equal(ids[i], ids2[i]);
		assert_true(sc[i] == sc2[i]);
		assert_true(ids[i] != a);
	}
	float qb[4 * 128];
	for (int i = 0; i < 4; i++)
		memcpy(qb + i * 128, qv, sizeof qv);
	int64_t bid[4 * 6];
	float bsc[4 * 6];
	assert_int_equal(crmw_memory_search_batch(bid, bsc, m, qb, 4, 128, 6, "{\"scope\":\"account:001SjB\"}"), CRMW_OK);
	for (int i = 0; i < 4 * 6; i++)
		assert_true(bid[i] != a);
	assert_int_equal(bid[5], -1); /* five visible entries: the sixth slot stays empty */
#if CRMW_HAVE_FAISS
	/* faiss over-fetches and filters: the same hits */
	assert_int_equal(crmw_memory_build_index(m, "Flat"), CRMW_OK);
	assert_int_equal(crmw_memory_search_vec(ids, sc, &nh, m, qv, 128, 3, "{\"scope\":\"account:001SjB\",\"engine\":"
									    "\"faiss\"}"),
			 CRMW_OK);
	assert_int_equal(nh, 3);
	for (int i = 0; i < nh; i++)
		assert_int_equal(ids[i], ids2[i]);
#endif

	/* merges never cross scopes: the same text under A and B is two entries */
	int64_t x1 = add_scoped(m, "Read the case before answering.", "account:001SjA", &mg);
	assert_int_equal(mg, 0);
	int64_t x2 = add_scoped(m, "Read the case before answering.", "account:001SjB", &mg);
	assert_int_equal(mg, 0);
	assert_true(x1 != x2);
	int64_t x3 = add_scoped(m, "read the case   before answering.", "account:001SjA", &mg);
	assert_int_equal(mg, 1);
	assert_int_equal(x3, x1);
	int64_t x4 = add_scoped(m, "Read the case before answering.", NULL, &mg);
	assert_int_equal(mg, 0);
	assert_true(x4 != x1 && x4 != x2);
	/* similar vectors do not merge across scopes either */
	float v[128];
	assert_int_equal(crmw_memory_get_vector(v, 128, m, x1), CRMW_OK);
	int64_t x5;
	assert_int_equal(crmw_memory_add(&x5, &mg, m,
					 "{\"text\":\"another wording\",\"family\":\"case_subject\",\"scope\":\"account:001SjC\"}",
					 v, 128),
			 CRMW_OK);
	assert_int_equal(mg, 0);

	/* list and stats */
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, m, "{\"limit\":0,\"scope\":\"account:001SjB\"}"), CRMW_OK);
	assert_null(strstr(out.data, "account:001SjA"));
	assert_null(strstr(out.data, "Customer A"));
	assert_non_null(strstr(out.data, "\"scope\":\"account:001SjB\""));
	assert_non_null(strstr(out.data, "\"scope\":\"global\""));
	assert_int_equal(crmw_memory_list(&out, m, "{\"limit\":0,\"scopes\":[\"account:001SjA\"]}"), CRMW_OK);
	json_t *l = json_loads(out.data, 0, NULL);
	assert_int_equal(json_array_size(l), 2); /* the secret and x1 */
	json_decref(l);
	assert_int_equal(crmw_memory_stats(&out, m), CRMW_OK);
	json_t *st = json_loads(out.data, 0, NULL);
	json_t *scopes = json_object_get(st, "scopes");
	assert_int_equal(json_integer_value(json_object_get(scopes, "global")), 5);
	assert_int_equal(json_integer_value(json_object_get(scopes, "account:001SjA")), 2);
	assert_int_equal(json_integer_value(json_object_get(scopes, "account:001SjB")), 2);
	json_decref(st);

	/* bad scopes */
	static const char *const bad_entries[] = {
		"{\"text\":\"x\",\"scope\":1}", "{\"text\":\"x\",\"scope\":null}", "{\"text\":\"x\",\"scope\":\"a\\nb\"}",
	};
	int64_t id;
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(crmw_memory_add(&id, NULL, m, bad_entries[i], NULL, 0), CRMW_EINVALID);
	char longs[400];
	memset(longs, 'x', sizeof longs);
	snprintf(longs, sizeof longs, "{\"text\":\"x\",\"scope\":\"%0300d\"}", 0);
	assert_int_equal(crmw_memory_add(&id, NULL, m, longs, NULL, 0), CRMW_EINVALID);
	static const char *const bad_opts[] = {
		"{\"scope\":1}", "{\"scope\":[\"a\"]}", "{\"scopes\":[]}", "{\"scopes\":\"a\"}", "{\"scopes\":[1]}",
		"{\"scope\":\"a\",\"scopes\":[\"b\"]}", "{\"scope\":\"\\u0001\"}",
	};
	for (size_t i = 0; i < sizeof bad_opts / sizeof bad_opts[0]; i++) {
		assert_int_equal(crmw_memory_search(&out, m, "x", bad_opts[i]), CRMW_EINVALID);
		assert_int_equal(crmw_memory_list(&out, m, bad_opts[i]), CRMW_EINVALID);
	}

	/* another handle follows a change of scope (the cache row moves) */
	crmw_memory *r = NULL;
	assert_int_equal(crmw_memory_open(&r, fx_tmp_path("scopes.db"), "{\"readonly\":true}"), CRMW_OK);
	fx_hits_text(got, sizeof got, r, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_null(strstr(got, first));
	assert_int_equal(crmw_memory_update(m, a, "{\"scope\":\"account:001SjB\"}"), CRMW_OK);
	fx_hits_text(got, sizeof got, r, q, "{\"k\":1,\"scope\":\"account:001SjB\"}");
	assert_true(strncmp(got, first, strlen(first)) == 0);
	fx_hits_text(got, sizeof got, m, q, "{\"k\":10,\"scope\":\"account:001SjA\"}");
	assert_null(strstr(got, first));
	assert_int_equal(crmw_memory_update(m, a, "{\"scope\":\"account:001SjA\"}"), CRMW_OK);
	fx_hits_text(got, sizeof got, r, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_null(strstr(got, first));
	assert_int_equal(crmw_memory_update(m, a, "{\"scope\":7}"), CRMW_EINVALID);
	crmw_memory_free(r);

	/* export and import keep the scope */
	const char *jl = fx_tmp_path("scopes.jsonl");
	assert_int_equal(crmw_memory_export(m, jl), CRMW_OK);
	FILE *f = fopen(jl, "r");
	char line[8192];
	int with_scope = 0, lines = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		with_scope += strstr(line, "\"scope\":\"") != NULL;
	}
	fclose(f);
	assert_int_equal(with_scope, lines);
	crmw_memory *c = fx_open_store("scopes-copy.db", "{\"dim\":128}");
	int64_t added, merged;
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, "{\"keep_ids\":true}"), CRMW_OK);
	assert_int_equal(merged, 0);
	crmw_buf o2 = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&out, m, "{\"limit\":0}"), CRMW_OK);
	assert_int_equal(crmw_memory_list(&o2, c, "{\"limit\":0}"), CRMW_OK);
	assert_string_equal(out.data, o2.data);
	fx_hits_text(got, sizeof got, c, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	fx_hits_text(want, sizeof want, m, q, "{\"k\":10,\"scope\":\"account:001SjB\"}");
	assert_string_equal(got, want);
	/* an import merges within a scope only: the same file again merges
	 * every line, a copy of A's line under another scope does not */
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 0);
	f = fopen(jl, "w");
	fprintf(f, "{\"text\":\"%s\",\"family\":\"case_subject\",\"scope\":\"account:001SjD\"}\n", secret);
	fclose(f);
	assert_int_equal(crmw_memory_import(&added, &merged, c, jl, NULL), CRMW_OK);
	assert_int_equal(added, 1);
	assert_int_equal(merged, 0);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&o2);
	crmw_memory_free(c);
	crmw_memory_free(clean);
	crmw_memory_free(m);
}
