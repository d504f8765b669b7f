/* test-http: what its aspect files share (fixture.c) and the list of its
 * tests (main.c runs them). */
#ifndef CRMW_TEST_HTTP_FIXTURE_H
#define CRMW_TEST_HTTP_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

#include "agent/internal.h"

#if CRMW_HAVE_CURL

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* One scripted answer: the status, extra header lines ("Name: value\r\n"
 * each; a Content-Length among them replaces the real one), the body and a
 * delay before answering. */
typedef struct reply {
	int status;
	const char *headers;
	const char *body;
	int delay_ms;
} reply;

/* One request as the server read it. */
typedef struct seen {
	char method[16];
	char path[256];
	char *headers; /* the header lines after the request line */
	char *body;
} seen;

#define MAX_SEEN 64

typedef struct server {
	int fd, port;
	pthread_t th;
	pthread_mutex_t mu;
	const reply *script;
	size_t n, next; /* past the end the last reply repeats */
	seen reqs[MAX_SEEN];
	size_t nreqs;
	atomic_bool stop;
} server;

/* The fake server (fixture.c): started on a script of replies, it records
 * what it read; stopped, it is freed. */
int fx_bind_loopback(int *port);
server *fx_start(const reply *script, size_t n);
void fx_stop(server *s);
size_t fx_count(server *s);
const char *fx_header(server *s, size_t i, const char *name, char *out, size_t cap);
json_t *fx_body_of(server *s, size_t i);
crmw_backend fx_backend(server *s, int port, const char *more);
void fx_call(crmw_backend *b, const char *json, struct crmw_response *resp);
json_t *fx_run(crmw_agent *a, const json_t *task);
double fx_now_ms(void);
void fx_expect_error(struct crmw_response *resp, const char *part);

/* A request of the chat purpose with a tool, and a text answer to it. */
extern const char *FX_REQUEST;
extern const char *FX_OK_TEXT;

/* The tests, by aspect (main.c lists them in the order they run). */

/* answers.c */
void test_text_answer(void **state);
void test_tool_calls(void **state);
void test_bad_answers(void **state);

/* retries.c */
void test_retry(void **state);
void test_give_up(void **state);
void test_client_errors(void **state);
void test_timeout(void **state);
void test_refused(void **state);
void test_rate_limit(void **state);

/* options.c */
void test_api_key(void **state);
void test_body_limit(void **state);
void test_embed(void **state);
void test_options(void **state);

/* threads.c */
void test_threads(void **state);

/* episodes.c */
void test_agent_episode(void **state);

/* cache.c */
void test_plan_cache_handoffs(void **state);

/* preflight.c */
void test_check(void **state);
void test_preview(void **state);


#endif /* CRMW_HAVE_CURL */

#endif
