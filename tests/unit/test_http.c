/*
 * Unit tests of the OpenAI-compatible HTTP backend (lib/backends/http.c)
 * against a scripted HTTP/1.1 server on 127.0.0.1: the request body and
 * headers, answers with text and tool calls, retries with backoff and
 * Retry-After, giving up, errors that are not retried, malformed answers,
 * timeouts, refused connections, the API key, the body limit, threads,
 * embeddings, options, and whole agent episodes (answered, canceled).
 * Built without curl, only the constructor's CRMW_EUNSUPPORTED is checked.
 * SPDX-License-Identifier: Apache-2.0
 */
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

/* ------------------------------------------------------ the fake server */

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

static bool stopping(server *s)
{
	return atomic_load(&s->stop);
}

static void send_all(int c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(c, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* Read one request, record it, answer it from the script. */
static void handle(server *s, int c)
{
	struct timeval tv = {5, 0};
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	size_t len = 0, cap = 1 << 16, head = 0, clen = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		ssize_t k = recv(c, buf + len, cap - len - 1, 0);
		if (k <= 0)
			break;
		len += (size_t)k;
		buf[len] = '\0';
		if (!head) {
			char *e = strstr(buf, "\r\n\r\n");
			if (!e)
				continue;
			head = (size_t)(e - buf) + 4;
			for (char *l = strstr(buf, "\r\n"); l && l < e; l = strstr(l + 2, "\r\n"))
				if (strncasecmp(l + 2, "Content-Length:", 15) == 0)
					clen = strtoul(l + 17, NULL, 10);
		}
		if (len >= head + clen)
			break;
	}
	if (!head) {
		free(buf);
		return;
	}
	pthread_mutex_lock(&s->mu);
	const reply *r = &s->script[s->next < s->n ? s->next : s->n - 1];
	s->next++;
	if (s->nreqs < MAX_SEEN) {
		seen *q = &s->reqs[s->nreqs++];
		sscanf(buf, "%15s %255s", q->method, q->path);
		char *eol = strstr(buf, "\r\n");
		q->headers = strndup(eol + 2, head - (size_t)(eol + 2 - buf));
		q->body = strndup(buf + head, len - head);
	}
	pthread_mutex_unlock(&s->mu);
	free(buf);
	for (int waited = 0; waited < r->delay_ms && !stopping(s); waited += 10)
		usleep(10000);
	if (stopping(s))
		return;
	const char *extra = r->headers ? r->headers : "";
	const char *body = r->body ? r->body : "";
	char top[1024];
	int n = snprintf(top, sizeof top, "HTTP/1.1 %d Scripted\r\nContent-Type: application/json\r\nConnection: close\r\n%s", r->status,
			 extra);
	if (!strstr(extra, "Content-Length"))
		n += snprintf(top + n, sizeof top - (size_t)n, "Content-Length: %zu\r\n", strlen(body));
	snprintf(top + n, sizeof top - (size_t)n, "\r\n");
	send_all(c, top, strlen(top));
	send_all(c, body, strlen(body));
}

static void *serve(void *arg)
{
	server *s = arg;
	while (!stopping(s)) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		handle(s, c);
		close(c);
	}
	return NULL;
}

/* A socket bound to 127.0.0.1 on a free port. */
static int bind_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t al = sizeof a;
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static server *start(const reply *script, size_t n)
{
	server *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->script = script;
	s->n = n;
	s->fd = bind_loopback(&s->port);
	assert_int_equal(listen(s->fd, 64), 0);
	pthread_mutex_init(&s->mu, NULL);
	atomic_init(&s->stop, false);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
	return s;
}

static void stop(server *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	close(s->fd);
	for (size_t i = 0; i < s->nreqs; i++) {
		free(s->reqs[i].headers);
		free(s->reqs[i].body);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static size_t count(server *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The value of header `name` in request i ("" when absent: NULL). */
static const char *header(server *s, size_t i, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *l = s->reqs[i].headers; l && *l; l = strstr(l, "\r\n") ? strstr(l, "\r\n") + 2 : NULL) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			const char *v = l + n + 1;
			while (*v == ' ')
				v++;
			size_t k = strcspn(v, "\r\n");
			snprintf(out, cap, "%.*s", (int)k, v);
			return out;
		}
	}
	return NULL;
}

static json_t *body_of(server *s, size_t i)
{
	json_t *v = json_loads(s->reqs[i].body, 0, NULL);
	assert_non_null(v);
	return v;
}

/* ------------------------------------------------------------- helpers */

static const char *REQUEST =
	"{\"schema_version\":1,\"purpose\":\"chat\","
	"\"messages\":[{\"role\":\"system\",\"content\":\"You are a CRM analyst.\"},"
	"{\"role\":\"user\",\"content\":\"How many open cases?\"}],"
	"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"issue_soql_query\",\"description\":\"Run SOQL\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}}],"
	"\"tool_choice\":\"auto\",\"max_tokens\":256,\"stop\":[\"###\"],"
	"\"metadata\":{\"task_id\":\"t1\",\"family\":\"f\",\"episode_id\":\"e1\",\"turn\":0}}";

static const char *OK_TEXT = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
			     "{\"role\":\"assistant\",\"content\":\"There are 3 open cases.\"},\"finish_reason\":\"stop\"}],"
			     "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7,\"total_tokens\":127}}";

/* A table for server s (or a port); `more` (",\"k\":v,...") replaces or
 * adds options. */
static crmw_backend backend(server *s, int port, const char *more)
{
	char url[64], extra[1024];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/", s ? s->port : port);
	json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "base_url", url, "model", "m1", "timeout_ms", 3000,
			      "connect_timeout_ms", 1000, "backoff_ms", 10, "backoff_max_ms", 50);
	assert_non_null(o);
	if (more) {
		snprintf(extra, sizeof extra, "{%s}", more + 1);
		json_t *m = json_loads(extra, 0, NULL);
		assert_non_null(m);
		json_object_update(o, m);
		json_decref(m);
	}
	char *text = json_dumps(o, JSON_COMPACT);
	assert_non_null(text);
	json_decref(o);
	crmw_backend b;
	int rc = crmw_backend_openai_http(&b, text);
	if (rc)
		fprintf(stderr, "# %s\n", crmw_last_error());
	free(text);
	assert_int_equal(rc, CRMW_OK);
	return b;
}

static void call(crmw_backend *b, const char *json, struct crmw_response *resp)
{
	struct crmw_request req = {json, strlen(json), "chat", NULL};
	memset(resp, 0, sizeof *resp);
	assert_int_equal(b->complete(resp, &req, b->userdata), 0);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The response must be an error containing `part`. */
static void expect_error(struct crmw_response *resp, const char *part)
{
	assert_int_equal(resp->kind, RESP_ERROR);
	if (getenv("CRMW_TEST_DEBUG"))
		fprintf(stderr, "# %s\n", resp->body.data);
	if (!strstr(resp->body.data, part))
		fail_msg("error \"%s\" does not contain \"%s\"", resp->body.data, part);
	assert_null(strchr(resp->body.data, '\n'));
}

/* ---------------------------------------------------------------- tests */

/* A text answer: the message and the usage; the body has the model, the
 * request's messages, tools, tool_choice, max_tokens, stop and sampling
 * options, and no metadata; no key, no Authorization header. */
static void test_text_answer(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, OK_TEXT, 0}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, ",\"temperature\":0.2,\"seed\":7,\"extra_body\":{\"top_k\":20}");
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	json_t *m = json_loads(resp.body.data, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "content")), "There are 3 open cases.");
	json_decref(m);
	assert_true(resp.has_usage);
	assert_int_equal(resp.prompt_tokens, 120);
	assert_int_equal(resp.completion_tokens, 7);
	crmw__response_dispose(&resp);

	assert_int_equal(count(s), 1);
	assert_string_equal(s->reqs[0].method, "POST");
	assert_string_equal(s->reqs[0].path, "/v1/chat/completions");
	char v[256];
	assert_non_null(header(s, 0, "Content-Type", v, sizeof v));
	assert_string_equal(v, "application/json");
	assert_null(header(s, 0, "Authorization", v, sizeof v));
	json_t *body = body_of(s, 0);
	assert_string_equal(json_string_value(json_object_get(body, "model")), "m1");
	assert_int_equal(json_array_size(json_object_get(body, "messages")), 2);
	assert_int_equal(json_array_size(json_object_get(body, "tools")), 1);
	assert_string_equal(json_string_value(json_object_get(body, "tool_choice")), "auto");
	assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 256);
	assert_string_equal(json_string_value(json_array_get(json_object_get(body, "stop"), 0)), "###");
	assert_true(json_real_value(json_object_get(body, "temperature")) == 0.2);
	assert_int_equal(json_integer_value(json_object_get(body, "seed")), 7);
	assert_null(json_object_get(body, "top_p"));
	assert_int_equal(json_integer_value(json_object_get(body, "top_k")), 20);
	assert_null(json_object_get(body, "metadata"));
	assert_null(json_object_get(body, "schema_version"));
	json_decref(body);

	/* no tools in the request (a distill call): neither tools nor tool_choice */
	const char *plain = "{\"schema_version\":1,\"purpose\":\"distill\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
			    "\"tools\":[],\"tool_choice\":\"auto\",\"max_tokens\":64}";
	call(&b, plain, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	body = body_of(s, 1);
	assert_null(json_object_get(body, "tools"));
	assert_null(json_object_get(body, "tool_choice"));
	assert_null(json_object_get(body, "stop"));
	json_decref(body);
	crmw_backend_dispose(&b);
	stop(s);
}

/* A tool_calls message is passed through as it came. */
static void test_tool_calls(void **state)
{
	(void)state;
	const char *answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
			     "[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"issue_soql_query\","
			     "\"arguments\":\"{\\\"query\\\":\\\"SELECT Id FROM Case\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}";
	reply script[] = {{200, NULL, answer, 0}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, NULL);
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	assert_false(resp.has_usage);
	json_t *m = json_loads(resp.body.data, 0, NULL);
	json_t *tc = json_array_get(json_object_get(m, "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(tc, "id")), "call_9");
	assert_string_equal(json_string_value(json_object_get(json_object_get(tc, "function"), "arguments")),
			    "{\"query\":\"SELECT Id FROM Case\"}");
	assert_true(json_is_null(json_object_get(m, "content")));
	json_decref(m);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	stop(s);
}

/* 429 then 200: retried after the backoff; Retry-After is honoured, and
 * capped by backoff_max_ms. */
static void test_retry(void **state)
{
	(void)state;
	reply script[] = {{429, NULL, "{\"error\":{\"message\":\"slow down\"}}", 0}, {200, NULL, OK_TEXT, 0}};
	server *s = start(script, 2);
	crmw_backend b = backend(s, 0, NULL);
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	assert_int_equal(resp.prompt_tokens, 120);
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 2);
	assert_string_equal(s->reqs[0].body, s->reqs[1].body);
	crmw_backend_dispose(&b);
	stop(s);

	/* Retry-After: 1 with room under the cap: about a second */
	reply ra[] = {{503, "Retry-After: 1 \r\n", "busy", 0}, {200, NULL, OK_TEXT, 0}};
	s = start(ra, 2);
	b = backend(s, 0, ",\"backoff_max_ms\":5000");
	double t0 = now_ms();
	call(&b, REQUEST, &resp);
	double took = now_ms() - t0;
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	assert_true(took >= 950);
	assert_true(took < 4000);
	crmw_backend_dispose(&b);
	stop(s);

	/* Retry-After: 30 capped at backoff_max_ms */
	reply capped[] = {{502, "Retry-After: 30\r\n", "", 0}, {200, NULL, OK_TEXT, 0}};
	s = start(capped, 2);
	b = backend(s, 0, NULL);
	t0 = now_ms();
	call(&b, REQUEST, &resp);
	took = now_ms() - t0;
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	assert_true(took < 1000);
	assert_int_equal(count(s), 2);
	crmw_backend_dispose(&b);
	stop(s);
}

/* 500 every time: max_retries + 1 attempts with doubling delays, then a
 * message that says so with the last status and the server's message. */
static void test_give_up(void **state)
{
	(void)state;
	reply script[] = {{500, NULL, "{\"error\":{\"message\":\"the model crashed\"}}", 0}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, ",\"max_retries\":2,\"backoff_ms\":40,\"backoff_max_ms\":1000");
	struct crmw_response resp;
	double t0 = now_ms();
	call(&b, REQUEST, &resp);
	double took = now_ms() - t0;
	expect_error(&resp, "gave up after 3 attempts: HTTP 500 from http://127.0.0.1:");
	expect_error(&resp, "/v1/chat/completions: the model crashed");
	assert_int_equal(count(s), 3);
	assert_true(took >= 115); /* 40 + 80 ms */
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	stop(s);

	/* no retries: one attempt; a non-JSON body is shown on one line */
	reply html[] = {{502, NULL, "<html>\r\n<body>Bad gateway</body>\r\n</html>", 0}};
	s = start(html, 1);
	b = backend(s, 0, ",\"max_retries\":0");
	call(&b, REQUEST, &resp);
	expect_error(&resp, "gave up after 1 attempt: HTTP 502");
	expect_error(&resp, "<html>  <body>Bad gateway</body>");
	assert_int_equal(count(s), 1);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	stop(s);
}

/* 400, 401 and 404 are not retried; the server's message is shown, cut. */
static void test_client_errors(void **state)
{
	(void)state;
	static char longmsg[2048];
	memset(longmsg, 0, sizeof longmsg);
	strcpy(longmsg, "{\"error\":{\"message\":\"");
	for (int i = 0; i < 1000; i++)
		strcat(longmsg, "x");
	strcat(longmsg, "\"}}");
	reply script[] = {
		{400, NULL, "{\"error\":{\"message\":\"'messages' must not be empty\",\"type\":\"invalid_request_error\"}}", 0},
		{404, NULL, "{\"error\":\"model 'm1' not found\"}", 0},
		{401, NULL, longmsg, 0},
	};
	server *s = start(script, 3);
	crmw_backend b = backend(s, 0, NULL);
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	expect_error(&resp, "HTTP 400 from http://127.0.0.1:");
	expect_error(&resp, ": 'messages' must not be empty");
	assert_null(strstr(resp.body.data, "gave up"));
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 1);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "HTTP 404");
	expect_error(&resp, "model 'm1' not found");
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 2);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "HTTP 401");
	expect_error(&resp, "xxx...");
	assert_true(strlen(resp.body.data) < 320);
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 3);
	crmw_backend_dispose(&b);
	stop(s);
}

/* 200 answers that cannot be used: not JSON (with the position), no
 * choices, an error object.  None is retried. */
static void test_bad_answers(void **state)
{
	(void)state;
	reply script[] = {
		{200, NULL, "{\"choices\": [", 0},
		{200, NULL, "{\"choices\": []}", 0},
		{200, NULL, "{\"choices\": [{\"message\": \"hi\"}]}", 0},
		{200, NULL, "{\"error\": {\"message\": \"model is loading\"}}", 0},
		{200, NULL, "", 0},
	};
	server *s = start(script, 5);
	crmw_backend b = backend(s, 0, NULL);
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	expect_error(&resp, "/v1/chat/completions is not JSON: ");
	expect_error(&resp, "(line 1, column 14)");
	crmw__response_dispose(&resp);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "has no choices[0].message");
	crmw__response_dispose(&resp);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "has no choices[0].message");
	crmw__response_dispose(&resp);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "the server answered with an error: model is loading");
	crmw__response_dispose(&resp);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "/v1/chat/completions is empty");
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 5);
	/* a request without messages never reaches the server */
	call(&b, "{\"purpose\":\"chat\"}", &resp);
	expect_error(&resp, "the request has no messages");
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 5);
	crmw_backend_dispose(&b);
	stop(s);
}

/* A server slower than timeout_ms: a timeout, retried, then given up. */
static void test_timeout(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, OK_TEXT, 2000}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, ",\"timeout_ms\":200,\"max_retries\":1");
	struct crmw_response resp;
	double t0 = now_ms();
	call(&b, REQUEST, &resp);
	double took = now_ms() - t0;
	expect_error(&resp, "gave up after 2 attempts: POST http://127.0.0.1:");
	expect_error(&resp, "timed out after");
	assert_true(took >= 400 && took < 1500);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	stop(s);
}

/* Nothing listens: the connection is refused, retried, given up. */
static void test_refused(void **state)
{
	(void)state;
	int port;
	int fd = bind_loopback(&port);
	close(fd);
	crmw_backend b = backend(NULL, port, ",\"max_retries\":1");
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	expect_error(&resp, "gave up after 2 attempts: POST http://127.0.0.1:");
	expect_error(&resp, "Failed to connect to 127.0.0.1 port");
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
}

/* The key is read from the environment at each request and sent as a
 * bearer token; it never appears in a message, even when the server echoes
 * it.  A named variable that is unset or empty is an error naming it. */
static void test_api_key(void **state)
{
	(void)state;
	const char *key = "sk-test-4f1c9a7e2b";
	assert_int_equal(setenv("CRMW_TEST_HTTP_KEY", key, 1), 0);
	/* the key where the message is cut: no part of it may show */
	char echo[512];
	snprintf(echo, sizeof echo, "{\"error\":{\"message\":\"%0195d %s\"}}", 0, key);
	reply script[] = {
		{200, NULL, OK_TEXT, 0},
		{401, NULL, "{\"error\":{\"message\":\"Incorrect API key provided: sk-test-4f1c9a7e2b.\"}}", 0},
		{500, NULL, "{\"error\":{\"message\":\"sk-test-4f1c9a7e2b\"}}", 0},
		{403, NULL, echo, 0},
	};
	server *s = start(script, 4);
	crmw_backend b = backend(s, 0, ",\"api_key_env\":\"CRMW_TEST_HTTP_KEY\",\"max_retries\":0");
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	char v[256];
	assert_non_null(header(s, 0, "Authorization", v, sizeof v));
	assert_string_equal(v, "Bearer sk-test-4f1c9a7e2b");
	assert_null(strstr(s->reqs[0].body, key));
	call(&b, REQUEST, &resp);
	expect_error(&resp, "HTTP 401");
	expect_error(&resp, "Incorrect API key provided: ***.");
	assert_null(strstr(resp.body.data, key));
	assert_null(strstr(crmw_last_error(), key));
	crmw__response_dispose(&resp);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "HTTP 500");
	assert_null(strstr(resp.body.data, key));
	crmw__response_dispose(&resp);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "HTTP 403");
	assert_null(strstr(resp.body.data, "sk-"));
	crmw__response_dispose(&resp);

	/* rotated between requests: the new key is sent */
	assert_int_equal(setenv("CRMW_TEST_HTTP_KEY", "sk-rotated", 1), 0);
	call(&b, REQUEST, &resp);
	crmw__response_dispose(&resp);
	assert_non_null(header(s, 4, "Authorization", v, sizeof v));
	assert_string_equal(v, "Bearer sk-rotated");

	/* unset or empty: an error naming the variable; nothing is sent */
	assert_int_equal(unsetenv("CRMW_TEST_HTTP_KEY"), 0);
	size_t before = count(s);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "the environment variable CRMW_TEST_HTTP_KEY (api_key_env) is not set or empty");
	crmw__response_dispose(&resp);
	assert_int_equal(setenv("CRMW_TEST_HTTP_KEY", "", 1), 0);
	call(&b, REQUEST, &resp);
	expect_error(&resp, "CRMW_TEST_HTTP_KEY");
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), before);
	assert_int_equal(unsetenv("CRMW_TEST_HTTP_KEY"), 0);
	crmw_backend_dispose(&b);
	stop(s);
}

/* A body announced larger than 64 MiB is refused, not retried. */
static void test_body_limit(void **state)
{
	(void)state;
	reply script[] = {{200, "Content-Length: 104857600\r\n", "{\"choices\":", 0}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, NULL);
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	expect_error(&resp, "/v1/chat/completions is larger than 64 MiB");
	crmw__response_dispose(&resp);
	assert_int_equal(count(s), 1);
	crmw_backend_dispose(&b);
	stop(s);
}

/* One table, several threads at once. */
typedef struct worker {
	crmw_backend *b;
	int ok;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < 5; i++) {
		struct crmw_request req = {REQUEST, strlen(REQUEST), "chat", NULL};
		struct crmw_response resp;
		memset(&resp, 0, sizeof resp);
		if (w->b->complete(&resp, &req, w->b->userdata) == 0 && resp.kind == RESP_MESSAGE &&
		    resp.prompt_tokens == 120)
			w->ok++;
		crmw__response_dispose(&resp);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, OK_TEXT, 0}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, NULL);
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
	assert_int_equal(count(s), 20);
	crmw_backend_dispose(&b);
	stop(s);
}

/* embed_model and embed_dim give the table an embedder over /embeddings. */
static void test_embed(void **state)
{
	(void)state;
	reply script[] = {
		{200, NULL, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,1,-2,0.25]}]}", 0},
		{200, NULL, "{\"data\":[{\"embedding\":[0.5,1]}]}", 0},
		{400, NULL, "{\"error\":{\"message\":\"no such model\"}}", 0},
	};
	server *s = start(script, 3);
	crmw_backend plain = backend(s, 0, NULL);
	assert_null(plain.embed);
	crmw_backend_dispose(&plain);
	crmw_backend b = backend(s, 0, ",\"embed_model\":\"e5-small\",\"embed_dim\":4");
	assert_non_null(b.embed);
	assert_string_equal(b.embed_name, "e5-small");
	assert_int_equal(b.embed_dim, 4);
	float v[4] = {0};
	assert_int_equal(b.embed(v, 4, "open cases", 10, b.userdata), 0);
	assert_true(v[0] == 0.5f && v[1] == 1.0f && v[2] == -2.0f && v[3] == 0.25f);
	assert_string_equal(s->reqs[0].path, "/v1/embeddings");
	json_t *body = body_of(s, 0);
	assert_string_equal(json_string_value(json_object_get(body, "model")), "e5-small");
	assert_string_equal(json_string_value(json_object_get(body, "input")), "open cases");
	json_decref(body);
	assert_int_not_equal(b.embed(v, 4, "x", 1, b.userdata), 0);
	assert_non_null(strstr(crmw_last_error(), "2 dimensions"));
	assert_int_not_equal(b.embed(v, 4, "x", 1, b.userdata), 0);
	assert_non_null(strstr(crmw_last_error(), "no such model"));
	assert_int_not_equal(b.embed(v, 3, "x", 1, b.userdata), 0);
	assert_int_equal(count(s), 3);
	/* installed on an agent, the copy keeps the embedder */
	crmw_backend_dispose(&b);
	stop(s);
}

/* Options are checked strictly. */
static void test_options(void **state)
{
	(void)state;
	const char *bad[] = {
		NULL,
		"",
		"{}",
		"not json",
		"[1]",
		"{\"model\":\"m\"}",
		"{\"base_url\":\"http://h/v1\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"\"}",
		"{\"base_url\":\"ftp://h/v1\",\"model\":\"m\"}",
		"{\"base_url\":\"h/v1\",\"model\":\"m\"}",
		"{\"base_url\":\"http://\",\"model\":\"m\"}",
		"{\"base_url\":\"http:///v1\",\"model\":\"m\"}",
		"{\"base_url\":\"http://h/v1?x=1\",\"model\":\"m\"}",
		"{\"base_url\":\"http://h /v1\",\"model\":\"m\"}",
		"{\"base_url\":7,\"model\":\"m\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"modle\":\"m\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"timeout_ms\":0}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"timeout_ms\":\"5s\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"max_retries\":-1}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"backoff_ms\":1.5}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"temperature\":-1}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"top_p\":2}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"seed\":1.5}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"extra_body\":[]}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"extra_body\":{\"messages\":[]}}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"extra_body\":{\"stream\":true}}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"api_key_env\":\"\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"api_key_env\":\"A=B\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"embed_model\":\"e\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"embed_dim\":4}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"embed_model\":\"e\",\"embed_dim\":0}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"requests_per_minute\":0}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"requests_per_minute\":\"60\"}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"tokens_per_minute\":-5}",
		"{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"tokens_per_minute\":1.5}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		crmw_backend b;
		memset(&b, 0x5a, sizeof b);
		int rc = crmw_backend_openai_http(&b, bad[i]);
		if (rc != CRMW_EINVALID)
			fail_msg("options %s: %d, expected CRMW_EINVALID", bad[i] ? bad[i] : "NULL", rc);
		assert_null(b.userdata);
		assert_null(b.complete);
		assert_true(strlen(crmw_last_error()) > 0);
		assert_null(strchr(crmw_last_error(), '\n'));
	}
	crmw_backend b;
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"modle\":1}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "unknown option \"modle\""));
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"ftp://h\",\"model\":\"m\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "base_url"));
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"http://h/v1\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "\"model\" is required"));
	assert_int_equal(crmw_backend_openai_http(NULL, "{}"), CRMW_EINVALID);

	/* every option, and credentials in the URL kept out of messages */
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"HTTPS://user:pw@h:8443/v1//\",\"model\":\"m\","
						      "\"api_key_env\":\"K\",\"timeout_ms\":1,\"connect_timeout_ms\":1,"
						      "\"max_retries\":0,\"backoff_ms\":0,\"backoff_max_ms\":0,\"temperature\":0,"
						      "\"top_p\":1,\"seed\":-3,\"extra_body\":{\"chat_template_kwargs\":{}},"
						      "\"embed_model\":\"e\",\"embed_dim\":8}"),
			 CRMW_OK);
	assert_int_equal(b.struct_size, sizeof b);
	assert_int_equal(b.version, CRMW_BACKEND_VERSION);
	assert_non_null(b.complete);
	assert_non_null(b.destroy);
	crmw_backend_dispose(&b);
	assert_null(b.userdata);

	int port;
	int fd = bind_loopback(&port);
	close(fd);
	char o[256];
	snprintf(o, sizeof o, "{\"base_url\":\"http://user:hunter2@127.0.0.1:%d\",\"model\":\"m\",\"max_retries\":0}", port);
	assert_int_equal(crmw_backend_openai_http(&b, o), CRMW_OK);
	struct crmw_response resp;
	call(&b, REQUEST, &resp);
	expect_error(&resp, "POST http://127.0.0.1:");
	assert_null(strstr(resp.body.data, "hunter2"));
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
}

/* ------------------------------------------------- whole agent episodes */

static char dir[256];

static crmw_db *small_org(json_t **task)
{
	snprintf(dir, sizeof dir, "/tmp/crmw-http-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof path, "%s/org.db", dir);
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2c\",\"seed\":3,\"scale\":0.05}", NULL, NULL), CRMW_OK);
	crmw_db *db;
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	crmw_task_set *ts;
	assert_int_equal(crmw_tasks_generate(&ts, NULL, db, "{\"per_family\":1,\"seed\":2}"), CRMW_OK);
	assert_true(crmw_task_set_count(ts) > 0);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, ts, 0), CRMW_OK);
	*task = json_loads(b.data, 0, NULL);
	assert_non_null(*task);
	crmw_buf_dispose(&b);
	crmw_task_set_free(ts);
	return db;
}

static void drop_org(crmw_db *db)
{
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

typedef struct canceller {
	crmw_agent *a;
	server *s;
} canceller;

static void *cancel_later(void *arg)
{
	canceller *c = arg;
	for (int i = 0; i < 500 && count(c->s) == 0; i++)
		usleep(10000);
	usleep(100000);
	crmw_agent_cancel(c->a);
	return NULL;
}

static json_t *run(crmw_agent *a, const json_t *task)
{
	char *tj = json_dumps(task, JSON_COMPACT);
	assert_non_null(tj);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_OK);
	free(tj);
	json_t *tr = json_loads(out.data, 0, NULL);
	assert_non_null(tr);
	crmw_buf_dispose(&out);
	return tr;
}

/* A tool call, then a final answer: the episode ends "answered", with the
 * usage of both calls; the second request carries the tool's result.  Then
 * canceled episodes: waiting for a slow server or to retry ends promptly;
 * and a failing server ends the episode with its reason. */
static void test_agent_episode(void **state)
{
	(void)state;
	json_t *task;
	crmw_db *db = small_org(&task);
	const char *call1 = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
			    "\"type\":\"function\",\"function\":{\"name\":\"issue_soql_query\",\"arguments\":"
			    "\"{\\\"query\\\":\\\"SELECT Id FROM Case LIMIT 1\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
			    "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20}}";
	const char *final = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"The answer is 42.\"},"
			    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":150,\"completion_tokens\":5}}";
	reply script[] = {{200, NULL, call1, 0}, {200, NULL, final, 0}};
	server *s = start(script, 2);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":4}"), CRMW_OK);
	crmw_backend b = backend(s, 0, NULL);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = run(a, task);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
	assert_string_equal(json_string_value(json_object_get(tr, "answer")), "The answer is 42.");
	assert_int_equal(json_integer_value(json_object_get(tr, "turns")), 2);
	json_t *usage = json_object_get(tr, "usage");
	assert_int_equal(json_integer_value(json_object_get(usage, "prompt_tokens")), 250);
	assert_int_equal(json_integer_value(json_object_get(usage, "completion_tokens")), 25);
	json_decref(tr);
	assert_int_equal(count(s), 2);
	json_t *second = body_of(s, 1);
	json_t *msgs = json_object_get(second, "messages");
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "role")), "tool");
	assert_string_equal(json_string_value(json_object_get(last, "tool_call_id")), "call_1");
	assert_true(json_array_size(json_object_get(second, "tools")) > 0);
	assert_null(json_object_get(second, "metadata"));
	json_decref(second);
	stop(s);

	/* canceled while the server is slow */
	reply slow[] = {{200, NULL, final, 3000}};
	s = start(slow, 1);
	b = backend(s, 0, NULL);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	canceller c = {a, s};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	double t0 = now_ms();
	tr = run(a, task);
	double took = now_ms() - t0;
	pthread_join(th, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	assert_true(took < 1500);
	json_decref(tr);
	stop(s);

	/* canceled while waiting to retry */
	reply busy[] = {{503, "Retry-After: 3\r\n", "", 0}};
	s = start(busy, 1);
	b = backend(s, 0, ",\"backoff_max_ms\":5000");
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	c.s = s;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	t0 = now_ms();
	tr = run(a, task);
	took = now_ms() - t0;
	pthread_join(th, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	assert_true(took < 1500);
	assert_int_equal(count(s), 1);
	json_decref(tr);

	/* a server that fails: backend_error with the reason */
	reply down[] = {{400, NULL, "{\"error\":{\"message\":\"context length exceeded\"}}", 0}};
	server *s2 = start(down, 1);
	b = backend(s2, 0, NULL);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = run(a, task);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "context length exceeded"));
	json_decref(tr);
	crmw_agent_free(a);
	stop(s2);
	stop(s);
	json_decref(task);
	drop_org(db);
}


/* The options JSON of a table for port `port` with `more` (",\"k\":v"). */
static char *options_for(int port, const char *more)
{
	static char buf[1024];
	snprintf(buf, sizeof buf,
		 "{\"base_url\":\"http://127.0.0.1:%d/v1\",\"model\":\"m1\",\"timeout_ms\":3000,\"connect_timeout_ms\":1000,"
		 "\"backoff_ms\":10,\"backoff_max_ms\":50%s}",
		 port, more ? more : "");
	return buf;
}

/* The pre-flight request: one completion of one token with the sampling
 * options; the report names the served model; a wrong model's 404, an
 * answer that is not a chat completion and bad options fail with a message;
 * a refused connection fails at once (no retry). */
static void test_check(void **state)
{
	(void)state;
	reply ok[] = {{200, NULL, "{\"model\":\"served-1\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"OK\"}}]}", 0}};
	server *s = start(ok, 1);
	crmw_buf rep = CRMW_BUF_INIT;
	assert_int_equal(crmw_backend_openai_http_check(&rep, options_for(s->port, ",\"temperature\":0.5,\"extra_body\":{\"top_k\":3}")),
			 CRMW_OK);
	json_t *r = json_loads(rep.data, 0, NULL);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_string_equal(json_string_value(json_object_get(r, "served_model")), "served-1");
	assert_string_equal(json_string_value(json_object_get(r, "model")), "m1");
	json_decref(r);
	assert_int_equal(count(s), 1);
	json_t *b = body_of(s, 0);
	assert_int_equal(json_integer_value(json_object_get(b, "max_tokens")), 1);
	assert_string_equal(json_string_value(json_object_get(b, "model")), "m1");
	assert_true(json_real_value(json_object_get(b, "temperature")) == 0.5);
	assert_int_equal(json_integer_value(json_object_get(b, "top_k")), 3);
	assert_null(json_object_get(b, "tools"));
	json_decref(b);
	stop(s);

	reply missing[] = {{404, NULL, "{\"error\":{\"message\":\"The model `m1` does not exist.\"}}", 0}};
	s = start(missing, 1);
	assert_int_equal(crmw_backend_openai_http_check(&rep, options_for(s->port, NULL)), CRMW_EBACKEND);
	assert_non_null(strstr(crmw_last_error(), "pre-flight request to http://127.0.0.1:"));
	assert_non_null(strstr(crmw_last_error(), "HTTP 404"));
	assert_non_null(strstr(crmw_last_error(), "does not exist"));
	assert_int_equal(count(s), 1); /* a 404 is not retried */
	stop(s);

	reply other[] = {{200, NULL, "{\"data\":[]}", 0}};
	s = start(other, 1);
	assert_int_equal(crmw_backend_openai_http_check(NULL, options_for(s->port, NULL)), CRMW_EBACKEND);
	assert_non_null(strstr(crmw_last_error(), "not a chat completion"));
	stop(s);

	int port;
	int fd = bind_loopback(&port);
	close(fd);
	assert_int_equal(crmw_backend_openai_http_check(NULL, options_for(port, ",\"max_retries\":5")),
			 CRMW_EBACKEND);
	assert_non_null(strstr(crmw_last_error(), "Failed to connect"));
	assert_null(strstr(crmw_last_error(), "gave up")); /* one attempt, not six */
	assert_int_equal(crmw_backend_openai_http_check(NULL, "{\"model\":\"m\"}"), CRMW_EINVALID);
	crmw_buf_dispose(&rep);
}

/* The request that would be sent, without sending it: POST, the endpoint
 * without credentials, the key hidden, the body of a real call. */
static void test_preview(void **state)
{
	(void)state;
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_backend_openai_http_preview(&out,
							  "{\"base_url\":\"http://user:pw@127.0.0.1:9/v1\",\"model\":\"m1\","
							  "\"api_key_env\":\"CRMW_TEST_NO_SUCH_KEY\",\"seed\":3}",
							  REQUEST),
			 CRMW_OK);
	json_t *p = json_loads(out.data, 0, NULL);
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(p, "url")), "http://127.0.0.1:9/v1/chat/completions");
	assert_null(strstr(out.data, "pw"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "headers"), "Authorization")), "Bearer ***");
	json_t *b = json_object_get(p, "body");
	assert_string_equal(json_string_value(json_object_get(b, "model")), "m1");
	assert_int_equal(json_integer_value(json_object_get(b, "seed")), 3);
	assert_int_equal(json_integer_value(json_object_get(b, "max_tokens")), 256);
	assert_int_equal(json_array_size(json_object_get(b, "tools")), 1);
	assert_null(json_object_get(b, "metadata"));
	json_decref(p);
	/* the messages and tools go into the body as the request wrote them: text
	 * with quotes, braces and escapes inside strings, members in any order */
	const char *tricky = "{\"max_tokens\":9,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"t\","
			     "\"description\":\"a } ] \\\" ,\\\\\",\"parameters\":{\"type\":\"object\"}}}],"
			     "\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"}]\\\" and {\\u00e9}\"}],"
			     "\"metadata\":{\"turn\":0},\"tool_choice\":\"auto\"}";
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{\"base_url\":\"http://h/v1\",\"model\":\"m\"}", tricky),
			 CRMW_OK);
	json_t *want = json_loads(tricky, 0, NULL), *got = json_loads(out.data, 0, NULL);
	assert_non_null(want);
	assert_non_null(got);
	json_t *gb = json_object_get(got, "body");
	assert_true(json_equal(json_object_get(gb, "messages"), json_object_get(want, "messages")));
	assert_true(json_equal(json_object_get(gb, "tools"), json_object_get(want, "tools")));
	assert_int_equal(json_integer_value(json_object_get(gb, "max_tokens")), 9);
	assert_null(json_object_get(gb, "metadata"));
	json_decref(want);
	json_decref(got);
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{\"base_url\":\"http://h/v1\",\"model\":\"m\"}", "{}"),
			 CRMW_EINVALID);
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{\"model\":\"m\"}", REQUEST), CRMW_EINVALID);
	crmw_buf_dispose(&out);
}

/* requests_per_minute: three calls take at least two intervals (a lower
 * bound measured around the calls: a slow machine only makes it longer);
 * tokens_per_minute is accepted and a generous budget does not hold back. */
static void test_rate_limit(void **state)
{
	(void)state;
	reply script[] = {{200, NULL, OK_TEXT, 0}};
	server *s = start(script, 1);
	crmw_backend b = backend(s, 0, ",\"requests_per_minute\":600");
	struct crmw_response resp;
	double t0 = now_ms();
	for (int i = 0; i < 3; i++) {
		call(&b, REQUEST, &resp);
		assert_int_equal(resp.kind, RESP_MESSAGE);
		crmw__response_dispose(&resp);
	}
	assert_true(now_ms() - t0 >= 200.0 - 1.0);
	crmw_backend_dispose(&b);
	b = backend(s, 0, ",\"tokens_per_minute\":1000000000");
	call(&b, REQUEST, &resp);
	assert_int_equal(resp.kind, RESP_MESSAGE);
	crmw__response_dispose(&resp);
	crmw_backend_dispose(&b);
	assert_int_equal(count(s), 4);
	stop(s);
}

int main(void)
{
	/* loopback only: no proxy from the environment */
	const char *proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
		unsetenv(proxies[i]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_answer),
		cmocka_unit_test(test_tool_calls),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_give_up),
		cmocka_unit_test(test_client_errors),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_api_key),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_embed),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_agent_episode),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_rate_limit),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !CRMW_HAVE_CURL */

/* Built without curl: the constructor says so, and nothing else runs. */
static void test_unsupported(void **state)
{
	(void)state;
	crmw_backend b;
	memset(&b, 0x5a, sizeof b);
	assert_int_equal(crmw_backend_openai_http(&b, "{\"base_url\":\"http://127.0.0.1:1/v1\",\"model\":\"m\"}"),
			 CRMW_EUNSUPPORTED);
	assert_non_null(strstr(crmw_last_error(), "curl"));
	assert_null(b.complete);
	assert_null(b.userdata);
	assert_int_equal(crmw_backend_openai_http_check(NULL, "{}"), CRMW_EUNSUPPORTED);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_backend_openai_http_preview(&out, "{}", "{}"), CRMW_EUNSUPPORTED);
	crmw_buf_dispose(&out);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsupported),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
