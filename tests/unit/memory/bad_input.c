/*
 * Bad input: clear errors, nothing written.
 */

#include "fixture.h"

/* ------------------------------------------------------------ bad input */

static int fixed_embed(float *out, int32_t dim, const char *text, size_t len, void *ud)
{
	int *calls = ud;
	(*calls)++;
	if (len >= 4 && !memcmp(text, "FAIL", 4))
		return 1;
	for (int i = 0; i < dim; i++)
		out[i] = (float)((text[i % len] * (i + 1)) % 17) - 8.0f;
	if (len >= 3 && !memcmp(text, "NaN", 3))
		out[0] = NAN;
	return 0;
}

static int g_freed;
static void count_free(void *p)
{
	(void)p;
	g_freed++;
}

void test_bad_input(void **state)
{
	(void)state;
	crmw_memory *m = fx_open_store("bad.db", "{\"dim\":32}");
	float v[32];
	for (int i = 0; i < 32; i++)
		v[i] = 1;
	int64_t id;
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 16), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "16 dimensions"));
	v[3] = NAN;
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 32), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "NaN"));
	v[3] = INFINITY;
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 32), CRMW_EINVALID);
	memset(v, 0, sizeof v);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\"}", v, 32), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"\"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"   \"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"title\":\"no text\"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"kind\":\"rule\"}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"famly\":\"a\"}", NULL, 0), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "family"));
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"tags\":[1]}", NULL, 0), CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":\"x\",\"counters\":{\"success\":-1}}", NULL, 0),
			 CRMW_EINVALID);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "{\"text\":", NULL, 0), CRMW_EFORMAT);
	assert_int_equal(crmw_memory_add(&id, NULL, m, "[1]", NULL, 0), CRMW_EINVALID);
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 0);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"k\":0}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"kk\":3}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_memory_errmsg(m), "\"k\""));
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"engine\":\"annoy\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"mmr\":2}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "{\"metadata\":{\"a\":{\"b\":1}}}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_memory_search(&out, m, "x", "nope"), CRMW_EFORMAT);
	crmw_memory_free(m);

	/* mixed embedders: the store remembers its embedder and dimension */
	crmw_memory *x = NULL;
	assert_int_equal(crmw_memory_open(&x, fx_tmp_path("bad.db"), "{\"embedder\":\"minilm\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "never mix"));
	assert_int_equal(crmw_memory_open(&x, fx_tmp_path("bad.db"), "{\"dim\":64}"), CRMW_EINVALID);
	assert_int_equal(crmw_memory_open(&x, fx_tmp_path("bad.db"), "{\"dmi\":64}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "dim"));
	assert_int_equal(crmw_memory_open(&x, fx_tmp_path("nothere.db"), "{\"create\":false}"), CRMW_ENOTFOUND);
	/* a host embedder */
	int calls = 0;
	x = fx_open_store("host.db", "{\"embedder\":\"toy-v1\",\"dim\":16}");
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"hello\"}", NULL, 0), CRMW_ESTATE);
	g_freed = 0;
	assert_int_equal(crmw_memory_set_embedder(x, "other", 16, fixed_embed, &calls, count_free), CRMW_EINVALID);
	assert_int_equal(g_freed, 1);
	assert_int_equal(crmw_memory_set_embedder(x, "toy-v1", 8, fixed_embed, &calls, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_memory_set_embedder(x, "toy-v1", 16, fixed_embed, &calls, count_free), CRMW_OK);
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"hello there\"}", NULL, 0), CRMW_OK);
	assert_true(calls >= 1);
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"FAIL now\"}", NULL, 0), CRMW_EUSER);
	assert_int_equal(crmw_memory_add(&id, NULL, x, "{\"text\":\"NaN here\"}", NULL, 0), CRMW_EUSER);
	assert_int_equal(crmw_memory_search(&out, x, "hello there", "{\"k\":1}"), CRMW_OK);
	assert_non_null(strstr(out.data, "\"score\":1"));
	crmw_memory_free(x);
	assert_int_equal(g_freed, 2);

	/* not a store; a damaged file */
	const char *p = fx_tmp_path("junk.db");
	FILE *f = fopen(p, "wb");
	for (int i = 0; i < 8192; i++)
		fputc(i * 7 & 0xff, f);
	fclose(f);
	assert_int_equal(crmw_memory_open(&x, p, NULL), CRMW_ECORRUPT);
	crmw_db *db = NULL;
	crmw_schema *sc = NULL;
	assert_int_equal(crmw_schema_builtin(&sc, "crmarena"), CRMW_OK);
	fx_rm_store(fx_tmp_path("org.db"));
	assert_int_equal(crmw_db_create(&db, fx_tmp_path("org.db"), sc, NULL), CRMW_OK);
	crmw_db_free(db);
	crmw_schema_free(sc);
	assert_int_equal(crmw_memory_open(&x, fx_tmp_path("org.db"), NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "not a memory store"));
	/* a store whose pages were overwritten: a clear error, never a crash */
	x = fx_open_store("torn.db", "{\"dim\":16,\"synchronous\":\"normal\"}");
	for (int i = 0; i < 200; i++) {
		char e[64];
		snprintf(e, sizeof e, "{\"text\":\"entry number %d\"}", i);
		assert_int_equal(crmw_memory_add(&id, NULL, x, e, NULL, 0), CRMW_OK);
	}
	crmw_memory_free(x);
	f = fopen(fx_tmp_path("torn.db"), "r+b");
	fseek(f, 4096 * 2, SEEK_SET);
	for (int i = 0; i < 4096 * 4; i++)
		fputc(0xA5, f);
	fclose(f);
	int rc = crmw_memory_open(&x, fx_tmp_path("torn.db"), NULL);
	if (rc == CRMW_OK) {
		rc = crmw_memory_search(&out, x, "entry", NULL);
		crmw_memory_free(x);
	}
	assert_int_equal(rc, CRMW_ECORRUPT);
	crmw_buf_dispose(&out);
}
