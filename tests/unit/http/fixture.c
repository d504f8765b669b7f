/* The shared fixtures of test-http (fixture.h). */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* ------------------------------------------------------ the fake server */


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
int fx_bind_loopback(int *port)
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

server *fx_start(const reply *script, size_t n)
{
	server *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->script = script;
	s->n = n;
	s->fd = fx_bind_loopback(&s->port);
	assert_int_equal(listen(s->fd, 64), 0);
	pthread_mutex_init(&s->mu, NULL);
	atomic_init(&s->stop, false);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
	return s;
}

void fx_stop(server *s)
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

size_t fx_count(server *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The value of header `name` in request i ("" when absent: NULL). */
const char *fx_header(server *s, size_t i, const char *name, char *out, size_t cap)
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

json_t *fx_body_of(server *s, size_t i)
{
	json_t *v = json_loads(s->reqs[i].body, 0, NULL);
	assert_non_null(v);
	return v;
}

/* ------------------------------------------------------------- helpers */

const char *FX_REQUEST =
	"{\"schema_version\":1,\"purpose\":\"chat\","
	"\"messages\":[{\"role\":\"system\",\"content\":\"You are a CRM analyst.\"},"
	"{\"role\":\"user\",\"content\":\"How many open cases?\"}],"
	"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"issue_soql_query\",\"description\":\"Run SOQL\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}}],"
	"\"tool_choice\":\"auto\",\"max_tokens\":256,\"stop\":[\"###\"],"
	"\"metadata\":{\"task_id\":\"t1\",\"family\":\"f\",\"episode_id\":\"e1\",\"turn\":0}}";

const char *FX_OK_TEXT = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
			     "{\"role\":\"assistant\",\"content\":\"There are 3 open cases.\"},\"finish_reason\":\"stop\"}],"
			     "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7,\"total_tokens\":127}}";

/* A table for server s (or a port); `more` (",\"k\":v,...") replaces or
 * adds options. */
crmw_backend fx_backend(server *s, int port, const char *more)
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

void fx_call(crmw_backend *b, const char *json, struct crmw_response *resp)
{
	struct crmw_request req = {json, strlen(json), "chat", NULL};
	memset(resp, 0, sizeof *resp);
	assert_int_equal(b->complete(resp, &req, b->userdata), 0);
}

/* One episode of the task run to its end: the trajectory. */
json_t *fx_run(crmw_agent *a, const json_t *task)
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

double fx_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The response must be an error containing `part`. */
void fx_expect_error(struct crmw_response *resp, const char *part)
{
	assert_int_equal(resp->kind, RESP_ERROR);
	if (getenv("CRMW_TEST_DEBUG"))
		fprintf(stderr, "# %s\n", resp->body.data);
	if (!strstr(resp->body.data, part))
		fail_msg("error \"%s\" does not contain \"%s\"", resp->body.data, part);
	assert_null(strchr(resp->body.data, '\n'));
}

#endif /* CRMW_HAVE_CURL */
