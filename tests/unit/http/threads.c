/*
 * One table used by several threads at once.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* One table, several threads at once. */
typedef struct worker {
	crmw_backend *b;
	int ok;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < 5; i++) {
		struct crmw_request req = {FX_REQUEST, strlen(FX_REQUEST), "chat", NULL};
		struct crmw_response resp;
		memset(&resp, 0, sizeof resp);
		if (w->b->complete(&resp, &req, w->b->userdata) == 0 && resp.kind == RESP_MESSAGE &&
		    resp.prompt_tokens == 120)
			w->ok++;
		crmw__response_dispose(&resp);
	}
	return NULL;
}

void test_threads(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, FX_OK_TEXT, 0}};
	server *s = fx_start(script, 1);
	crmw_backend b = fx_backend(s, 0, NULL);
	pthread_t th[4];
	worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (worker){&b, 0};
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 5);
	}
	assert_int_equal(fx_count(s), 20);
	crmw_backend_dispose(&b);
	fx_stop(s);
}

#endif /* CRMW_HAVE_CURL */
