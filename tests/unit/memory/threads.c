/*
 * Threads adding and searching one store at once.
 */

#include "fixture.h"

/* ------------------------------------------------------------ threads */

typedef struct worker {
	crmw_memory *m;
	int t;
	int ok;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	crmw_buf out = CRMW_BUF_INIT;
	for (int i = 0; i < 40; i++) {
		char e[128];
		snprintf(e, sizeof e, "{\"text\":\"thread %d wrote note %d about orders\",\"family\":\"t%d\"}", w->t, i, w->t);
		int64_t id;
		if (crmw_memory_add(&id, NULL, w->m, e, NULL, 0) == CRMW_OK)
			w->ok++;
		if (crmw_memory_search(&out, w->m, "note about orders", "{\"k\":3}") != CRMW_OK)
			w->ok = -1000;
	}
	crmw_buf_dispose(&out);
	return NULL;
}

void test_threads(void **state)
{
	(void)state;
	crmw_memory *m = fx_open_store("threads.db", "{\"dim\":64,\"synchronous\":\"normal\"}");
	enum { T = 4 };
	pthread_t th[T];
	worker w[T * 2];
	crmw_memory *own[T];
	/* T threads share one handle, T more use a handle each on the same file */
	for (int i = 0; i < T; i++) {
		w[i] = (worker){.m = m, .t = i};
		assert_int_equal(crmw_memory_open(&own[i], fx_tmp_path("threads.db"), "{\"busy_timeout_ms\":20000}"), CRMW_OK);
		w[T + i] = (worker){.m = own[i], .t = T + i};
	}
	pthread_t th2[T];
	for (int i = 0; i < T; i++) {
		pthread_create(&th[i], NULL, work, &w[i]);
		pthread_create(&th2[i], NULL, work, &w[T + i]);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		pthread_join(th2[i], NULL);
	}
	for (int i = 0; i < 2 * T; i++)
		assert_int_equal(w[i].ok, 40);
	int64_t n;
	assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
	assert_int_equal(n, 2 * T * 40);
	/* every handle's cache holds every committed entry (a handle that took
	 * another's sequence number after its own COMMIT used to miss rows) */
	float q[64];
	{
		int64_t *all = malloc(sizeof(int64_t) * (size_t)n);
		float *as = malloc(sizeof(float) * (size_t)n);
		int32_t got;
		assert_int_equal(crmw_memory_embed(q, 64, m, "orders", 6), CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(all, as, &got, m, q, 64, (int32_t)n, NULL), CRMW_OK);
		assert_int_equal(got, n);
		for (int i = 0; i < T; i++) {
			assert_int_equal(crmw_memory_search_vec(all, as, &got, own[i], q, 64, (int32_t)n, NULL), CRMW_OK);
			assert_int_equal(got, n);
		}
		free(all);
		free(as);
	}
	/* and they rank alike */
	assert_int_equal(crmw_memory_embed(q, 64, m, "thread 5 wrote note 7 about orders", 35), CRMW_OK);
	for (int i = 0; i < T; i++) {
		int64_t a[3], b[3];
		float sa[3], sb[3];
		int32_t na, nb;
		assert_int_equal(crmw_memory_search_vec(a, sa, &na, m, q, 64, 3, NULL), CRMW_OK);
		assert_int_equal(crmw_memory_search_vec(b, sb, &nb, own[i], q, 64, 3, NULL), CRMW_OK);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, sizeof(int64_t) * (size_t)na);
		assert_true(fabsf(sa[0] - 1) < 1e-5f);
		crmw_memory_free(own[i]);
	}
	crmw_memory_free(m);
}
