/*
 * lib/backends/http.c: the OpenAI-compatible chat-completions backend
 * (crmw_backend_openai_http) over libcurl, and its optional embedder
 * (POST {base_url}/embeddings).  docs/backend-http.md describes the options,
 * the retry rules and the messages.
 *
 * The table's state is the parsed options, never written after the
 * constructor: every call makes its own curl handles, so the table may be
 * used by any number of threads at once.  The API key is read from the
 * environment at each request, kept only in the header list of that
 * request (wiped before it is freed) and scrubbed from every message.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "backends/internal.h"
#include "agent/parse.h"

#include <crmweaver/version.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !CRMW_HAVE_CURL

int crmw_backend_openai_http(crmw_backend *out, const char *options_json)
{
	(void)options_json;
	if (out)
		memset(out, 0, sizeof *out);
	return crmw__errf(NULL, CRMW_EUNSUPPORTED,
			  "crmw_backend_openai_http: this libcrmweaver was built without libcurl (meson feature \"curl\")");
}

int crmw_backend_openai_http_check(crmw_buf *report, const char *options_json)
{
	(void)report;
	(void)options_json;
	return crmw__errf(NULL, CRMW_EUNSUPPORTED,
			  "crmw_backend_openai_http_check: this libcrmweaver was built without libcurl (meson feature \"curl\")");
}

int crmw_backend_openai_http_preview(crmw_buf *out, const char *options_json, const char *request_json)
{
	(void)out;
	(void)options_json;
	(void)request_json;
	return crmw__errf(NULL, CRMW_EUNSUPPORTED,
			  "crmw_backend_openai_http_preview: this libcrmweaver was built without libcurl (meson feature \"curl\")");
}

#else /* CRMW_HAVE_CURL */

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <strings.h>
#include <time.h>

#define WHAT "openai_http backend options"
#define MAX_BODY (64u << 20)   /* the largest response body read */
#define SNIPPET 200            /* bytes of a server's error message shown */
#define SLICE_MS 50            /* cancellation is polled at least this often */

/*
 * The client-side rate limiter, shared by every thread using the table
 * (the only state written after the constructor, under its mutex).  Both
 * limits are GCRA schedules: `next_req` is the earliest start of the next
 * request (requests are spaced 60/rpm s apart), `next_tok` the time at which
 * the tokens already granted are paid for at tpm per minute (a request may
 * start while that is at most a minute ahead: a minute's budget of burst).
 * `pause_until` holds every request back after a Retry-After.
 */
typedef struct limiter {
	pthread_mutex_t mu;
	double next_req, next_tok, pause_until; /* CLOCK_MONOTONIC seconds */
} limiter;

typedef struct http {
	char *chat_url, *embed_url;   /* what curl is given */
	char *shown_chat, *shown_embed; /* the same without user:password@, for messages */
	char *model, *embed_model, *key_env;
	long timeout_ms, connect_timeout_ms, backoff_ms, backoff_max_ms;
	int max_retries;
	int32_t embed_dim;
	bool has_temperature, has_top_p, has_seed;
	double temperature, top_p;
	json_int_t seed;
	json_t *extra; /* extra_body or NULL; only read (deep-copied) after construction */
	long rpm, tpm;   /* requests_per_minute, tokens_per_minute (0: no limit) */
	limiter *lim;    /* NULL until the table is complete */
} http;

/* What one request needs while curl runs it. */
typedef struct xfer {
	const crmw_request *req; /* polled for cancellation; NULL for embeddings */
	const char *key;         /* the API key of this request, scrubbed from bodies */
	crmw_buf body;
	bool too_big;
	long retry_after_ms; /* -1: no Retry-After header */
	long est_tokens;     /* the tokens the limiter charged before sending */
	bool transport;      /* the last attempt failed on the way (no HTTP status) */
} xfer;

enum { ATT_OK, ATT_RETRY, ATT_FAIL, ATT_CANCELED };

/* ------------------------------------------------------------- helpers */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* A store the compiler may not drop. */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *q = p;
	while (n--)
		*q++ = 0;
}

/* Append up to `max` bytes of `s` as one line: control characters become
 * spaces, the cut falls on a UTF-8 boundary and is marked with "...". */
static void put_line(char *dst, size_t cap, const char *s, size_t n, size_t max)
{
	size_t at = strlen(dst);
	bool cut = n > max;
	if (cut) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n && at + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[at++] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
	}
	dst[at] = '\0';
	if (cut && at + 4 < cap)
		strcat(dst, "...");
}

/* The first occurrence of s[0..sn) in p[0..n), or NULL. */
static char *find(char *p, size_t n, const char *s, size_t sn)
{
	for (; n >= sn; p++, n--) {
		char *at = memchr(p, s[0], n - sn + 1);
		if (!at)
			return NULL;
		n -= (size_t)(at - p);
		p = at;
		if (memcmp(p, s, sn) == 0)
			return p;
	}
	return NULL;
}

/* Replace every occurrence of `secret` in the `*len` bytes at `text` (NUL
 * terminated) by "***", or by as many stars when the secret is shorter: the
 * text never grows. */
static void redact_n(char *text, size_t *len, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n == 0 || !text)
		return;
	size_t stars = n < 3 ? n : 3;
	char *p = text, *end = text + *len, *at;
	while ((at = find(p, (size_t)(end - p), secret, n)) != NULL) {
		memmove(at + stars, at + n, (size_t)(end - (at + n)) + 1);
		memset(at, '*', stars);
		end -= n - stars;
		p = at + stars;
	}
	*len = (size_t)(end - text);
}

static void redact(char *msg, const char *secret)
{
	size_t len = strlen(msg);
	redact_n(msg, &len, secret);
}

static bool canceled(const xfer *x)
{
	return x->req && crmw_request_canceled(x->req);
}

/* Sleep `ms` milliseconds in slices, giving up early when canceled. */
static bool sleep_unless_canceled(const xfer *x, long ms)
{
	while (ms > 0) {
		if (canceled(x))
			return false;
		long step = ms < SLICE_MS ? ms : SLICE_MS;
		struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return !canceled(x);
}

/* ----------------------------------------------------------- the limiter */

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Wait for the limiter's turn of one attempt that uses `tokens` tokens (an
 * estimate; 0 for a retry, whose tokens were charged already).  False when
 * the request was canceled while it waited. */
static bool limiter_wait(const http *h, const xfer *x, long tokens)
{
	limiter *l = h->lim;
	if (!l)
		return true;
	pthread_mutex_lock(&l->mu);
	double now = mono_s(), start = now;
	if (l->pause_until > start)
		start = l->pause_until;
	if (h->rpm > 0) {
		if (l->next_req > start)
			start = l->next_req;
		l->next_req = start + 60.0 / (double)h->rpm;
	}
	if (h->tpm > 0) {
		/* a minute's budget may be spent at once */
		if (l->next_tok - 60.0 > start)
			start = l->next_tok - 60.0;
		double base = l->next_tok > start ? l->next_tok : start;
		l->next_tok = base + (double)tokens * 60.0 / (double)h->tpm;
	}
	pthread_mutex_unlock(&l->mu);
	/* the turn; then any pause a Retry-After set meanwhile */
	for (;;) {
		long ms = (long)ceil((start - now) * 1000.0);
		if (ms > 0 && !sleep_unless_canceled(x, ms))
			return false;
		pthread_mutex_lock(&l->mu);
		start = l->pause_until;
		pthread_mutex_unlock(&l->mu);
		now = mono_s();
		if (start <= now)
			return !canceled(x);
	}
}

/* A request that used `actual` tokens where `est` were charged: the
 * schedule moves by the difference. */
static void limiter_settle(const http *h, long est, long actual)
{
	limiter *l = h->lim;
	if (!l || h->tpm <= 0 || actual == est)
		return;
	pthread_mutex_lock(&l->mu);
	l->next_tok += (double)(actual - est) * 60.0 / (double)h->tpm;
	pthread_mutex_unlock(&l->mu);
}

/* The server asked to wait `ms` (Retry-After): no request of the table
 * starts before then. */
static void limiter_pause(const http *h, long ms)
{
	limiter *l = h->lim;
	if (!l || ms <= 0)
		return;
	pthread_mutex_lock(&l->mu);
	double until = mono_s() + (double)ms / 1000.0;
	if (until > l->pause_until)
		l->pause_until = until;
	pthread_mutex_unlock(&l->mu);
}

/* --------------------------------------------------------- curl callbacks */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	if (x->body.len + len > MAX_BODY) {
		x->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	return crmw__buf_append(&x->body, p, len) == CRMW_OK ? len : 0;
}

/* Retry-After: delta-seconds or an HTTP date. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof name - 1 && len < 256 && strncasecmp(p, name, sizeof name - 1) == 0) {
		char v[256];
		size_t k = len - (sizeof name - 1);
		memcpy(v, p + sizeof name - 1, k);
		v[k] = '\0';
		char *s = v;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t vl = strcspn(s, "\r\n");
		while (vl > 0 && (s[vl - 1] == ' ' || s[vl - 1] == '\t'))
			vl--;
		s[vl] = '\0';
		char *end;
		long secs = strtol(s, &end, 10);
		if (end != s && *end == '\0' && secs >= 0) {
			x->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000L;
		} else {
			time_t t = curl_getdate(s, NULL);
			if (t != (time_t)-1) {
				time_t now = time(NULL);
				double d = difftime(t, now);
				x->retry_after_ms = d <= 0 ? 0 : d > 86400 ? 86400000L : (long)d * 1000L;
			}
		}
	}
	return len;
}

/* ---------------------------------------------------------------- one POST */

/* Is a transport failure worth another attempt?  Not a bad URL, a missing
 * protocol, an unverifiable certificate or an exhausted machine. */
static bool transport_retryable(CURLcode c)
{
	switch (c) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_FILESIZE_EXCEEDED:
		return false;
	default:
		return true;
	}
}

/* The reason of a non-2xx answer: the server's error message when the body
 * is {"error": {"message": ...}} or {"error": "..."}, else its first bytes. */
static void http_reason(char *why, size_t cap, long status, const char *shown, const crmw_buf *body)
{
	snprintf(why, cap, "HTTP %ld from %s", status, shown);
	if (!body->len)
		return;
	json_t *doc = NULL;
	const char *m = NULL;
	size_t mlen = 0;
	if (crmw__json_parse(body->data, body->len, &doc, NULL) == CRMW_OK) {
		json_t *err = json_object_get(doc, "error");
		json_t *msg = json_is_object(err) ? json_object_get(err, "message") : err;
		if (!json_is_string(msg))
			msg = json_object_get(doc, "message");
		if (json_is_string(msg)) {
			m = json_string_value(msg);
			mlen = json_string_length(msg);
		}
	} else {
		m = body->data;
		mlen = body->len;
	}
	if (m && mlen) {
		strncat(why, ": ", cap - strlen(why) - 1);
		put_line(why, cap, m, mlen, SNIPPET);
	}
	json_decref(doc);
}

/*
 * One attempt: POST `payload` and wait for the answer, polling for
 * cancellation every SLICE_MS.  ATT_OK leaves a 2xx body in x->body; the
 * other results leave a one-line reason in `why`.
 */
static int attempt(CURL *c, xfer *x, const char *shown, char *why, size_t cap)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	crmw__buf_clear(&x->body);
	x->too_big = false;
	x->transport = false;
	x->retry_after_ms = -1;
	CURLM *m = curl_multi_init();
	if (!m || curl_multi_add_handle(m, c) != CURLM_OK) {
		if (m)
			curl_multi_cleanup(m);
		snprintf(why, cap, "out of memory starting a request to %s", shown);
		return ATT_FAIL;
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode res = CURLE_OK;
	CURLMcode mc = CURLM_OK;
	bool stopped = false, done = false;
	for (;;) {
		int running = 0, left;
		mc = curl_multi_perform(m, &running);
		CURLMsg *msg;
		while (mc == CURLM_OK && (msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg == CURLMSG_DONE) {
				res = msg->data.result;
				done = true;
			}
		}
		if (mc != CURLM_OK || done || !running)
			break;
		if (canceled(x)) {
			stopped = true;
			break;
		}
		mc = curl_multi_poll(m, NULL, 0, SLICE_MS, NULL);
		if (mc != CURLM_OK)
			break;
	}
	curl_multi_remove_handle(m, c);
	curl_multi_cleanup(m);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	/* A server may echo the key (in an error message): it goes no further. */
	redact_n(x->body.data, &x->body.len, x->key);
	if (stopped)
		return ATT_CANCELED;
	if (mc != CURLM_OK) {
		snprintf(why, cap, "POST %s: %s", shown, curl_multi_strerror(mc));
		return ATT_FAIL;
	}
	if (!done) {
		snprintf(why, cap, "POST %s: the transfer ended without a result", shown);
		x->transport = true;
		return ATT_RETRY;
	}
	if (res != CURLE_OK) {
		if (x->too_big || res == CURLE_FILESIZE_EXCEEDED) {
			snprintf(why, cap, "the response of %s is larger than %u MiB", shown, MAX_BODY >> 20);
			return ATT_FAIL;
		}
		if (res == CURLE_WRITE_ERROR) {
			snprintf(why, cap, "out of memory reading the response of %s", shown);
			return ATT_FAIL;
		}
		/* curl's detailed text ("Failed to connect to ... port ...",
		 * "Operation timed out after ..."), else its generic one */
		const char *text = errbuf[0] ? errbuf : curl_easy_strerror(res);
		snprintf(why, cap, "POST %s: ", shown);
		put_line(why, cap, text, strlen(text), SNIPPET);
		x->transport = true;
		return transport_retryable(res) ? ATT_RETRY : ATT_FAIL;
	}
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return ATT_OK;
	http_reason(why, cap, status, shown, &x->body);
	bool again = status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
	return again ? ATT_RETRY : ATT_FAIL;
}

/*
 * POST `payload` to `url` with the retry rules, each attempt in its turn of
 * the rate limiter: on ATT_OK x->body holds the answer; otherwise `why`
 * holds the final one-line reason ("canceled" when the request was
 * canceled).  `retry_transport` false: a transport failure is not retried
 * (the pre-flight request).
 */
static int post(const http *h, xfer *x, const char *url, const char *shown, const char *payload, char *why,
		size_t cap, bool retry_transport)
{
	why[0] = '\0';
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(why, cap, "libcurl failed to initialise: %s", curl_easy_strerror(global_rc));
		return ATT_FAIL;
	}
	/* The key, read now: a host may rotate it between requests. */
	char *key = NULL;
	if (h->key_env) {
		const char *env = getenv(h->key_env);
		if (!env || !*env) {
			snprintf(why, cap, "the environment variable %s (api_key_env) is not set or empty", h->key_env);
			return ATT_FAIL;
		}
		if (strpbrk(env, "\r\n")) {
			snprintf(why, cap, "the API key in the environment variable %s contains a line break", h->key_env);
			return ATT_FAIL;
		}
		if (!(key = crmw__strdup(env))) {
			snprintf(why, cap, "out of memory starting a request to %s", shown);
			return ATT_FAIL;
		}
	}
	struct curl_slist *hdrs = NULL, *t;
	bool ok = true;
	static const char *const fixed[] = {"Content-Type: application/json", "Accept: application/json", "Expect:"};
	for (size_t i = 0; ok && i < CRMW_ARRAY_LEN(fixed); i++) {
		t = curl_slist_append(hdrs, fixed[i]);
		ok = t != NULL;
		hdrs = t ? t : hdrs;
	}
	if (ok && key) {
		size_t n = strlen(key) + sizeof "Authorization: Bearer ";
		char *line = malloc(n);
		ok = line != NULL;
		if (line) {
			snprintf(line, n, "Authorization: Bearer %s", key);
			t = curl_slist_append(hdrs, line);
			ok = t != NULL;
			hdrs = t ? t : hdrs;
			wipe(line, n);
			free(line);
		}
	}
	CURL *c = ok ? curl_easy_init() : NULL;
	if (!c) {
		for (t = hdrs; t; t = t->next)
			wipe(t->data, strlen(t->data));
		curl_slist_free_all(hdrs);
		if (key) {
			wipe(key, strlen(key));
			free(key);
		}
		snprintf(why, cap, "out of memory starting a request to %s", shown);
		return ATT_FAIL;
	}
	x->key = key;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(payload));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "libcrmweaver/" CRMW_VERSION_STRING);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);

	int r = ATT_FAIL;
	char last[512] = "";
	int tries = 0;
	for (;;) {
		last[0] = '\0';
		if (!limiter_wait(h, x, tries == 0 ? x->est_tokens : 0)) {
			r = ATT_CANCELED;
			break;
		}
		r = attempt(c, x, shown, last, sizeof last);
		tries++;
		if (x->retry_after_ms >= 0 && r == ATT_RETRY)
			limiter_pause(h, x->retry_after_ms < h->backoff_max_ms ? x->retry_after_ms : h->backoff_max_ms);
		if (r == ATT_RETRY && x->transport && !retry_transport) {
			r = ATT_FAIL;
			break;
		}
		if (r != ATT_RETRY || tries > h->max_retries)
			break;
		/* backoff_ms doubled per retry, or the server's Retry-After; capped */
		long delay = h->backoff_ms;
		for (int i = 1; i < tries && delay < h->backoff_max_ms; i++)
			delay *= 2;
		if (x->retry_after_ms >= 0)
			delay = x->retry_after_ms;
		if (delay > h->backoff_max_ms)
			delay = h->backoff_max_ms;
		if (!sleep_unless_canceled(x, delay)) {
			r = ATT_CANCELED;
			break;
		}
	}
	if (r == ATT_CANCELED)
		snprintf(why, cap, "canceled");
	else if (r == ATT_RETRY)
		snprintf(why, cap, "gave up after %d attempt%s: %s", tries, tries == 1 ? "" : "s", last);
	else if (r == ATT_FAIL)
		snprintf(why, cap, "%s", last);
	curl_easy_cleanup(c);
	for (t = hdrs; t; t = t->next)
		wipe(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
	if (key) {
		redact(why, key);
		wipe(key, strlen(key));
		free(key);
		x->key = NULL;
	}
	return r;
}

/* ------------------------------------------------------------- callbacks */

/* The end (one past) of the JSON value at p (valid JSON: the request was
 * parsed before); NULL when it runs past `end`. */
static const char *value_end(const char *p, const char *end)
{
	if (p < end && (*p == '{' || *p == '['))
		return crmw__json_extent(p, end);
	if (p < end && *p == '"') {
		for (const char *q = p + 1; q < end; q++) {
			if (*q == '\\')
				q++;
			else if (*q == '"')
				return q + 1;
		}
		return NULL;
	}
	const char *q = p; /* a number or a literal */
	while (q < end && *q != ',' && *q != '}' && *q != ']' && *q != ' ' && *q != '\n' && *q != '\t' && *q != '\r')
		q++;
	return q;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The text of the top-level member `key` of the JSON object `text`; false
 * when it is not there (or its name is written with escapes). */
static bool member_text(const char *text, size_t len, const char *key, const char **at, size_t *n)
{
	const char *p = text, *end = text + len;
	size_t kn = strlen(key);
	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return false;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return false;
		const char *k = ++p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		if (p >= end || *p != '"')
			return false; /* an escaped name: not one of ours */
		bool match = (size_t)(p - k) == kn && memcmp(k, key, kn) == 0;
		p = skip_ws(p + 1, end);
		if (p >= end || *p++ != ':')
			return false;
		p = skip_ws(p, end);
		const char *v = p, *e = value_end(p, end);
		if (!e)
			return false;
		if (match) {
			*at = v;
			*n = (size_t)(e - v);
			return true;
		}
		p = skip_ws(e, end);
		if (p >= end || *p != ',')
			return false;
		p++;
	}
}

/*
 * The chat-completions body of a library request.  With the request's text
 * (`rt`), its messages and tools go into the body as they are written there
 * (they are most of the bytes: the tools' schemas, the conversation) and
 * only the rest is written again.
 */
static char *chat_body(const http *h, const json_t *rq, const char *rt, size_t rtlen, char *why, size_t cap)
{
	json_t *b = json_object();
	json_t *extra = h->extra ? json_deep_copy(h->extra) : NULL;
	bool ok = b && (!h->extra || extra);
	const json_t *tools = json_object_get(rq, "tools");
	const json_t *v;
	const char *mt = NULL, *tt = NULL;
	size_t mn = 0, tn = 0;
	bool with_tools = json_array_size(tools) > 0;
	bool splice = rt && member_text(rt, rtlen, "messages", &mt, &mn) &&
		      (!with_tools || (member_text(rt, rtlen, "tools", &tt, &tn) && !json_object_get(extra, "tools")));
	ok = ok && !json_object_set_new(b, "model", json_string(h->model));
	if (ok && !splice)
		ok = !json_object_set(b, "messages", json_object_get(rq, "messages"));
	if (ok && with_tools) {
		if (!splice)
			ok = !json_object_set(b, "tools", (json_t *)tools);
		if (ok && (v = json_object_get(rq, "tool_choice")) != NULL)
			ok = !json_object_set(b, "tool_choice", (json_t *)v);
	}
	if (ok && (v = json_object_get(rq, "max_tokens")) != NULL)
		ok = !json_object_set(b, "max_tokens", (json_t *)v);
	if (ok && json_array_size(json_object_get(rq, "stop")) > 0)
		ok = !json_object_set(b, "stop", json_object_get(rq, "stop"));
	if (ok && h->has_temperature)
		ok = !json_object_set_new(b, "temperature", json_real(h->temperature));
	if (ok && h->has_top_p)
		ok = !json_object_set_new(b, "top_p", json_real(h->top_p));
	if (ok && h->has_seed)
		ok = !json_object_set_new(b, "seed", json_integer(h->seed));
	if (ok && extra)
		ok = !json_object_update(b, extra);
	char *text = ok ? json_dumps(b, JSON_COMPACT) : NULL;
	if (text && splice) {
		/* {...small members...} + ,"messages":M + ,"tools":T + } */
		size_t n = strlen(text);
		char *out = malloc(n + mn + tn + 32);
		if (out) {
			size_t at = n - 1; /* without the closing brace; "model" is always there */
			memcpy(out, text, at);
			memcpy(out + at, ",\"messages\":", 12);
			at += 12;
			memcpy(out + at, mt, mn);
			at += mn;
			if (tt) {
				memcpy(out + at, ",\"tools\":", 9);
				at += 9;
				memcpy(out + at, tt, tn);
				at += tn;
			}
			out[at++] = '}';
			out[at] = '\0';
		}
		free(text);
		text = out;
	}
	if (!text)
		snprintf(why, cap, "out of memory building the request body");
	json_decref(extra);
	json_decref(b);
	return text;
}

static int http_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	const http *h = ud;
	char why[768];
	size_t len;
	const char *rj = crmw_request_json(req, &len);
	json_t *rq = NULL;
	crmw__json_error je;
	int rc = rj ? crmw__json_parse(rj, len, &rq, &je) : CRMW_EINVALID;
	if (rc || !json_is_object(rq) || !json_is_array(json_object_get(rq, "messages"))) {
		json_decref(rq);
		crmw_response_set_error(resp, "the request has no messages");
		return 0;
	}
	char *payload = chat_body(h, rq, rj, len, why, sizeof why);
	json_decref(rq);
	if (!payload)
		return crmw_response_set_error(resp, why), 0;
	xfer x = {.req = req, .body = CRMW_BUF_INIT, .retry_after_ms = -1, .est_tokens = (long)(strlen(payload) / 4)};
	int r = post(h, &x, h->chat_url, h->shown_chat, payload, why, sizeof why, true);
	free(payload);
	if (r != ATT_OK) {
		crmw_buf_dispose(&x.body);
		return crmw_response_set_error(resp, why), 0;
	}
	json_t *doc = NULL;
	rc = x.body.len ? crmw__json_parse(x.body.data, x.body.len, &doc, &je) : CRMW_EFORMAT;
	if (!x.body.len)
		snprintf(why, sizeof why, "the response of %s is empty", h->shown_chat);
	else if (rc == CRMW_ENOMEM)
		snprintf(why, sizeof why, "out of memory reading the response of %s", h->shown_chat);
	else if (rc)
		snprintf(why, sizeof why, "the response of %s is not JSON: %s (line %d, column %d)", h->shown_chat, je.text,
			 je.line, je.column);
	crmw_buf_dispose(&x.body);
	if (rc)
		return crmw_response_set_error(resp, why), 0;
	json_t *msg = json_object_get(json_array_get(json_object_get(doc, "choices"), 0), "message");
	if (!json_is_object(msg)) {
		json_t *err = json_object_get(doc, "error");
		json_t *em = json_is_object(err) ? json_object_get(err, "message") : err;
		if (json_is_string(em)) {
			snprintf(why, sizeof why, "the server answered with an error: ");
			put_line(why, sizeof why, json_string_value(em), json_string_length(em), SNIPPET);
		} else {
			snprintf(why, sizeof why, "the response of %s has no choices[0].message", h->shown_chat);
		}
		json_decref(doc);
		return crmw_response_set_error(resp, why), 0;
	}
	char *text = json_dumps(msg, JSON_COMPACT);
	if (!text || crmw_response_set_message(resp, text, strlen(text)) != CRMW_OK)
		crmw_response_set_error(resp, text ? crmw_last_error() : "out of memory reading the response");
	free(text);
	const json_t *usage = json_object_get(doc, "usage");
	json_t *pt = json_object_get(usage, "prompt_tokens"), *ct = json_object_get(usage, "completion_tokens");
	if (json_is_integer(pt) && json_is_integer(ct) && json_integer_value(pt) >= 0 && json_integer_value(ct) >= 0) {
		crmw_response_set_usage(resp, json_integer_value(pt), json_integer_value(ct));
		json_int_t used = json_integer_value(pt) + json_integer_value(ct);
		limiter_settle(h, x.est_tokens, used > 1000000000 ? 1000000000L : (long)used);
	}
	json_decref(doc);
	return 0;
}

static int http_embed(float *out, int32_t dim, const char *text, size_t len, void *ud)
{
	const http *h = ud;
	char why[768];
	if (dim != h->embed_dim)
		return crmw__errf(NULL, CRMW_EINVALID, "openai_http embeddings: asked for %d dimensions, embed_dim is %d",
				  (int)dim, (int)h->embed_dim);
	json_t *in = json_stringn(text ? text : "", text ? len : 0);
	json_t *b = in ? json_pack("{s:s, s:o}", "model", h->embed_model, "input", in) : NULL;
	char *payload = b ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	if (!payload)
		return crmw__errf(NULL, in ? CRMW_ENOMEM : CRMW_EINVALID, "openai_http embeddings: %s",
				  in ? "out of memory" : "the text is not UTF-8");
	xfer x = {.req = NULL, .body = CRMW_BUF_INIT, .retry_after_ms = -1, .est_tokens = (long)(len / 4)};
	int r = post(h, &x, h->embed_url, h->shown_embed, payload, why, sizeof why, true);
	free(payload);
	if (r != ATT_OK) {
		crmw_buf_dispose(&x.body);
		return crmw__errf(NULL, CRMW_EUSER, "openai_http embeddings: %s", why);
	}
	json_t *doc = NULL;
	crmw__json_error je;
	int rc = crmw__json_parse(x.body.data ? x.body.data : "", x.body.len, &doc, &je);
	crmw_buf_dispose(&x.body);
	if (rc)
		return crmw__errf(NULL, CRMW_EUSER, "openai_http embeddings: the response of %s is not JSON: %s (line %d, column %d)",
				  h->shown_embed, je.text, je.line, je.column);
	json_t *vec = json_object_get(json_array_get(json_object_get(doc, "data"), 0), "embedding");
	rc = CRMW_OK;
	if (!json_is_array(vec))
		rc = crmw__errf(NULL, CRMW_EUSER, "openai_http embeddings: the response of %s has no data[0].embedding",
				h->shown_embed);
	else if (json_array_size(vec) != (size_t)dim)
		rc = crmw__errf(NULL, CRMW_EUSER, "openai_http embeddings: the server returned %zu dimensions, embed_dim is %d",
				json_array_size(vec), (int)dim);
	for (int32_t i = 0; rc == CRMW_OK && i < dim; i++) {
		json_t *f = json_array_get(vec, (size_t)i);
		if (!json_is_number(f) || !isfinite(json_number_value(f)))
			rc = crmw__errf(NULL, CRMW_EUSER, "openai_http embeddings: data[0].embedding[%d] is not a number", (int)i);
		else
			out[i] = (float)json_number_value(f);
	}
	json_decref(doc);
	return rc == CRMW_OK ? 0 : -1;
}

static void http_free(void *ud)
{
	http *h = ud;
	if (!h)
		return;
	free(h->chat_url);
	free(h->embed_url);
	free(h->shown_chat);
	free(h->shown_embed);
	free(h->model);
	free(h->embed_model);
	free(h->key_env);
	json_decref(h->extra);
	if (h->lim) {
		pthread_mutex_destroy(&h->lim->mu);
		free(h->lim);
	}
	free(h);
}

/* ----------------------------------------------------------------- options */

static int bad(const char *key, const char *want)
{
	return crmw__opt_bad(NULL, WHAT, key, want);
}

static int get_long(const json_t *o, const char *key, long lo, long hi, long *out)
{
	int64_t v = *out;
	int rc = crmw__opt_int(NULL, WHAT, o, key, lo, hi, &v);
	*out = (long)v;
	return rc;
}

static int get_real(const json_t *o, const char *key, double lo, double hi, bool *has, double *out)
{
	int rc = crmw__opt_real(NULL, WHAT, o, key, lo, hi, out);
	if (!rc && json_object_get(o, key))
		*has = true;
	return rc;
}

static int get_name(const json_t *o, const char *key, bool required, char **out)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return required ? crmw__errf(NULL, CRMW_EINVALID, WHAT ": \"%s\" is required", key) : CRMW_OK;
	if (!json_is_string(v) || json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
		return bad(key, "a non-empty string");
	*out = crmw__strdup(json_string_value(v));
	return *out ? CRMW_OK : crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
}

/* base_url: http(s)://host[:port][/path], no query or fragment; the
 * endpoint is appended after its trailing slashes.  The shown form drops
 * user:password@ so that messages carry no credentials. */
static int set_urls(http *h, const char *base)
{
	size_t skip = strncasecmp(base, "http://", 7) == 0 ? 7 : strncasecmp(base, "https://", 8) == 0 ? 8 : 0;
	if (!skip)
		return bad("base_url", "an http:// or https:// URL");
	for (const char *p = base; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7F)
			return bad("base_url", "a URL without spaces or control characters");
	if (strpbrk(base, "?#"))
		return bad("base_url", "a URL without a query or a fragment");
	size_t n = strlen(base);
	while (n > skip && base[n - 1] == '/')
		n--;
	const char *host = base + skip;
	size_t auth = strcspn(host, "/");
	if (auth > n - skip)
		auth = n - skip;
	const char *at = NULL;
	for (size_t i = 0; i < auth; i++)
		if (host[i] == '@')
			at = host + i;
	if (auth == 0 || (at && at + 1 == host + auth))
		return bad("base_url", "a URL with a host");
	crmw_buf u = CRMW_BUF_INIT, s = CRMW_BUF_INIT, e = CRMW_BUF_INIT, se = CRMW_BUF_INIT;
	const char *shown_from = at ? at + 1 : host;
	int rc = crmw__buf_printf(&u, "%.*s/chat/completions", (int)n, base);
	rc = rc ? rc : crmw__buf_printf(&s, "%.*s%.*s/chat/completions", (int)skip, base, (int)(base + n - shown_from), shown_from);
	rc = rc ? rc : crmw__buf_printf(&e, "%.*s/embeddings", (int)n, base);
	rc = rc ? rc : crmw__buf_printf(&se, "%.*s%.*s/embeddings", (int)skip, base, (int)(base + n - shown_from), shown_from);
	if (rc) {
		crmw_buf_dispose(&u);
		crmw_buf_dispose(&s);
		crmw_buf_dispose(&e);
		crmw_buf_dispose(&se);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	h->chat_url = u.data;
	h->shown_chat = s.data;
	h->embed_url = e.data;
	h->shown_embed = se.data;
	return CRMW_OK;
}

static const char *const KEYS[] = {
	"base_url",   "model",          "api_key_env", "timeout_ms", "connect_timeout_ms", "max_retries",
	"backoff_ms", "backoff_max_ms", "temperature", "top_p",      "seed",               "extra_body",
	"embed_model", "embed_dim",  "requests_per_minute", "tokens_per_minute",
};

/* Keys of the body that extra_body may not replace. */
static const char *const RESERVED[] = {"model", "messages", "stream"};

static int parse(http *h, const json_t *o)
{
	const json_t *base = json_object_get(o, "base_url");
	if (!base)
		return crmw__errf(NULL, CRMW_EINVALID, WHAT ": \"base_url\" is required");
	if (!json_is_string(base))
		return bad("base_url", "an http:// or https:// URL");
	int rc = set_urls(h, json_string_value(base));
	rc = rc ? rc : get_name(o, "model", true, &h->model);
	rc = rc ? rc : get_name(o, "api_key_env", false, &h->key_env);
	if (!rc && h->key_env && strchr(h->key_env, '='))
		rc = bad("api_key_env", "the name of an environment variable");
	rc = rc ? rc : get_long(o, "timeout_ms", 1, 86400000L, &h->timeout_ms);
	rc = rc ? rc : get_long(o, "connect_timeout_ms", 1, 86400000L, &h->connect_timeout_ms);
	long retries = h->max_retries;
	rc = rc ? rc : get_long(o, "max_retries", 0, 100, &retries);
	h->max_retries = (int)retries;
	rc = rc ? rc : get_long(o, "backoff_ms", 0, 3600000L, &h->backoff_ms);
	rc = rc ? rc : get_long(o, "backoff_max_ms", 0, 3600000L, &h->backoff_max_ms);
	rc = rc ? rc : get_real(o, "temperature", 0, 100, &h->has_temperature, &h->temperature);
	rc = rc ? rc : get_real(o, "top_p", 0, 1, &h->has_top_p, &h->top_p);
	const json_t *seed = json_object_get(o, "seed");
	if (!rc && seed) {
		if (!json_is_integer(seed))
			rc = bad("seed", "an integer");
		h->has_seed = true;
		h->seed = json_integer_value(seed);
	}
	const json_t *extra = json_object_get(o, "extra_body");
	if (!rc && extra) {
		if (!json_is_object(extra))
			rc = bad("extra_body", "an object");
		for (size_t i = 0; !rc && i < CRMW_ARRAY_LEN(RESERVED); i++)
			if (json_object_get(extra, RESERVED[i]))
				rc = crmw__errf(NULL, CRMW_EINVALID, WHAT ": \"extra_body\" may not set \"%s\"", RESERVED[i]);
		if (!rc && !(h->extra = json_deep_copy(extra)))
			rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	rc = rc ? rc : get_long(o, "requests_per_minute", 1, 1000000L, &h->rpm);
	rc = rc ? rc : get_long(o, "tokens_per_minute", 1, 1000000000L, &h->tpm);
	rc = rc ? rc : get_name(o, "embed_model", false, &h->embed_model);
	long dim = 0;
	rc = rc ? rc : get_long(o, "embed_dim", 1, 65536, &dim);
	h->embed_dim = (int32_t)dim;
	if (!rc && (h->embed_model != NULL) != (dim > 0))
		rc = crmw__errf(NULL, CRMW_EINVALID, WHAT ": \"embed_model\" and \"embed_dim\" go together");
	return rc;
}

/* The table's state from its options (the constructor's checks and
 * messages); NULL after setting the error. */
static http *http_new(const char *options_json)
{
	json_t *o = NULL;
	int rc = crmw__json_options(&o, NULL, options_json, WHAT, KEYS, CRMW_ARRAY_LEN(KEYS));
	if (rc == CRMW_EFORMAT)
		rc = crmw__errf(NULL, CRMW_EINVALID, "%s", crmw_last_error());
	if (rc)
		return NULL;
	if (!o) {
		crmw__errf(NULL, CRMW_EINVALID, WHAT ": \"base_url\" and \"model\" are required");
		return NULL;
	}
	http *h = calloc(1, sizeof *h);
	limiter *l = calloc(1, sizeof *l);
	if (!h || !l || pthread_mutex_init(&l->mu, NULL) != 0) {
		free(h);
		free(l);
		json_decref(o);
		crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		return NULL;
	}
	h->lim = l;
	h->timeout_ms = 120000;
	h->connect_timeout_ms = 10000;
	h->max_retries = 4;
	h->backoff_ms = 500;
	h->backoff_max_ms = 30000;
	rc = parse(h, o);
	json_decref(o);
	if (!rc) {
		pthread_once(&global_once, global_init);
		if (global_rc != CURLE_OK)
			rc = crmw__errf(NULL, CRMW_EUNSUPPORTED, "crmw_backend_openai_http: libcurl failed to initialise: %s",
					curl_easy_strerror(global_rc));
	}
	if (rc) {
		http_free(h);
		return NULL;
	}
	return h;
}

int crmw_backend_openai_http(crmw_backend *out, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out);
	memset(out, 0, sizeof *out);
	http *h = http_new(options_json);
	if (!h)
		return crmw_last_error_code();
	out->struct_size = sizeof *out;
	out->version = CRMW_BACKEND_VERSION;
	out->userdata = h;
	out->complete = http_complete;
	if (h->embed_model) {
		out->embed = http_embed;
		out->embed_name = h->embed_model;
		out->embed_dim = h->embed_dim;
	}
	out->destroy = http_free;
	return CRMW_OK;
}

int crmw_backend_openai_http_check(crmw_buf *report, const char *options_json)
{
	http *h = http_new(options_json);
	if (!h)
		return crmw_last_error_code();
	char why[768];
	json_t *rq = json_pack("{s:[{s:s, s:s}], s:i}", "messages", "role", "user", "content", "Reply with OK.",
			       "max_tokens", 1);
	char *payload = rq ? chat_body(h, rq, NULL, 0, why, sizeof why) : NULL;
	json_decref(rq);
	if (!payload) {
		http_free(h);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	xfer x = {.req = NULL, .body = CRMW_BUF_INIT, .retry_after_ms = -1, .est_tokens = 2};
	int r = post(h, &x, h->chat_url, h->shown_chat, payload, why, sizeof why, false);
	free(payload);
	int rc = CRMW_OK;
	json_t *doc = NULL;
	if (r != ATT_OK) {
		rc = crmw__errf(NULL, CRMW_EBACKEND, "pre-flight request to %s failed: %s", h->shown_chat, why);
	} else if (!x.body.len || crmw__json_parse(x.body.data, x.body.len, &doc, NULL) != CRMW_OK ||
		   !json_is_object(json_object_get(json_array_get(json_object_get(doc, "choices"), 0), "message"))) {
		rc = crmw__errf(NULL, CRMW_EBACKEND,
				"pre-flight request to %s failed: the answer is not a chat completion (no choices[0].message)",
				h->shown_chat);
	}
	crmw_buf_dispose(&x.body);
	if (!rc && report) {
		json_t *served = json_object_get(doc, "model");
		json_t *o = json_pack("{s:b, s:s, s:s, s:s?}", "ok", 1, "url", h->shown_chat, "model", h->model,
				      "served_model", json_string_value(served));
		char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		rc = t ? crmw_buf_set(report, t, strlen(t)) : crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		free(t);
	}
	json_decref(doc);
	http_free(h);
	return rc;
}

int crmw_backend_openai_http_preview(crmw_buf *out, const char *options_json, const char *request_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !request_json);
	json_t *rq = NULL;
	crmw__json_error je;
	if (crmw__json_parse(request_json, strlen(request_json), &rq, &je) != CRMW_OK || !json_is_object(rq) ||
	    !json_is_array(json_object_get(rq, "messages"))) {
		json_decref(rq);
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_backend_openai_http_preview: the request is not an object with "
				  "\"messages\"");
	}
	http *h = http_new(options_json);
	if (!h) {
		json_decref(rq);
		return crmw_last_error_code();
	}
	char why[256];
	char *body = chat_body(h, rq, request_json, strlen(request_json), why, sizeof why);
	json_decref(rq);
	json_t *b = body ? json_loads(body, 0, NULL) : NULL;
	free(body);
	json_t *hd = json_pack("{s:s, s:s}", "Content-Type", "application/json", "Accept", "application/json");
	if (hd && h->key_env)
		json_object_set_new(hd, "Authorization", json_string("Bearer ***"));
	json_t *o = b && hd ? json_pack("{s:s, s:s, s:o, s:o}", "method", "POST", "url", h->shown_chat, "headers", hd,
					"body", b)
			    : NULL;
	if (!o) {
		json_decref(b);
		json_decref(hd);
	}
	char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	int rc = t ? crmw_buf_set(out, t, strlen(t)) : crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	free(t);
	http_free(h);
	return rc;
}

#endif /* CRMW_HAVE_CURL */
