/* The shared fixtures of test-memory (fixture.h). */

#include "fixture.h"

char fx_dir[64];

const char *fx_tmp_path(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", fx_dir, name);
	return buf[i];
}

void fx_rm_store(const char *path)
{
	char p[300];
	const char *suffix[] = {"", "-wal", "-shm", ".faiss"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		remove(p);
	}
}

crmw_memory *fx_open_store(const char *name, const char *opts)
{
	const char *path = fx_tmp_path(name);
	fx_rm_store(path);
	crmw_memory *m = NULL;
	int rc = crmw_memory_open(&m, path, opts);
	if (rc)
		fail_msg("open %s: %s", path, crmw_last_error());
	return m;
}

static uint64_t rng = 88172645463325252ull;
double fx_urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

void fx_rand_unit(float *v, int d)
{
	double n = 0;
	for (int i = 0; i < d; i++) {
		/* roughly Gaussian */
		v[i] = (float)(fx_urand() + fx_urand() + fx_urand() - 1.5);
		n += (double)v[i] * v[i];
	}
	for (int i = 0; i < d; i++)
		v[i] = (float)(v[i] / sqrt(n));
}

int64_t fx_add_vec(crmw_memory *m, const char *kind, const char *family, int i, const float *v, int d)
{
	char e[256];
	snprintf(e, sizeof e, "{\"text\":\"entry %d\",\"kind\":\"%s\",\"family\":\"%s\",\"tags\":[\"t%d\"]}", i, kind,
		 family, i % 3);
	int64_t id = 0;
	int32_t merged = 0;
	int rc = crmw_memory_add(&id, &merged, m, e, v, d);
	if (rc)
		fail_msg("add: %s", crmw_memory_errmsg(m));
	assert_int_equal(merged, 0);
	return id;
}

void fx_same_hits(const int64_t *a, const float *as, int na, const int64_t *b, const float *bs, int nb)
{
	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++) {
		assert_true(fabsf(as[i] - bs[i]) < 2e-5f);
		if (a[i] != b[i]) {
			/* only a near-tie may swap */
			assert_true(fabsf(as[i] - bs[i]) < 2e-5f);
			bool found = false;
			for (int j = 0; j < nb; j++)
				found |= b[j] == a[i];
			assert_true(found || i == na - 1);
		}
	}
}

float *fx_mat;
int64_t fx_ids[N];
int fx_fam[N];

crmw_memory *fx_random_store(const char *name, const char *opts)
{
	crmw_memory *m = fx_open_store(name, opts);
	if (!fx_mat) {
		fx_mat = malloc(sizeof(float) * N * D);
		for (int i = 0; i < N; i++)
			fx_rand_unit(fx_mat + i * D, D);
	}
	char tmp[64];
	const char *kinds[] = {"guideline", "plan"};
	for (int i = 0; i < N; i++) {
		fx_fam[i] = i % 5;
		snprintf(tmp, sizeof tmp, "fam%d", fx_fam[i]);
		fx_ids[i] = fx_add_vec(m, kinds[i % 2], tmp, i, fx_mat + i * D, D);
	}
	return m;
}

json_t *fx_get_entry(crmw_memory *m, int64_t id)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_memory_get(&b, m, id))
		return NULL;
	json_t *j = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	return j;
}

/* The hits of a search as "id:score,..." (scores to 6 digits). */
void fx_hits_text(char *out, size_t cap, crmw_memory *m, const char *text, const char *opts)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_memory_search(&b, m, text, opts))
		fail_msg("search %s: %s", opts ? opts : "", crmw_memory_errmsg(m));
	json_t *a = json_loads(b.data, 0, NULL);
	assert_true(json_is_array(a));
	size_t n = 0, i;
	json_t *h;
	out[0] = '\0';
	json_array_foreach(a, i, h) n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%lld:%.6f,",
							   (long long)json_integer_value(json_object_get(h, "id")),
							   json_number_value(json_object_get(h, "score")));
	json_decref(a);
	crmw_buf_dispose(&b);
}

int fx_count_hits(const char *hits)
{
	int n = 0;
	for (const char *p = hits; (p = strchr(p, ',')); p++)
		n++;
	return n;
}

int fx_setup(void **state)
{
	(void)state;
	snprintf(fx_dir, sizeof fx_dir, "/tmp/crmw-memtest-XXXXXX");
	return mkdtemp(fx_dir) ? 0 : -1;
}

int fx_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", fx_dir);
	free(fx_mat);
	return system(cmd) == 0 ? 0 : -1;
}
