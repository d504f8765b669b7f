/*
 * The soak test: for CRMW_SOAK_SECONDS seconds, many RL
 * environments go through reset / step / close cycles in batches over the
 * pool's workers (scripted model outputs: gold tool calls and answers,
 * garbage, wrong answers, stalls, abandoned episodes) with the "write" memory
 * policy, while separate threads add, change, vote on, search and delete
 * entries of the same memory store (one through the pool's handle, one
 * through a handle of its own).  The process's resident set is sampled every
 * second; after the warm-up (the first third) it must not grow by more than
 * CRMW_SOAK_RSS_MIB MiB.  At the end: every solved episode is in exactly one
 * guideline's provenance, every vote is in the counters, no step failed.
 * Leaks are the sanitisers' or valgrind's to find at exit: everything is
 * freed.
 *
 * Environment: CRMW_SOAK_SECONDS (default 20; 6 under AddressSanitizer;
 * hours are fine), CRMW_SOAK_ENVS (default 128), CRMW_SOAK_RSS_MIB (default
 * 16; 0 skips the check, as under valgrind and AddressSanitizer, whose own
 * allocators keep freed memory); for finding what grows: CRMW_SOAK_WRITERS
 * (0 to 2, default 2) and CRMW_SOAK_MEMORY (the pool's memory policy,
 * default "write"; other policies fail the write-back checks).  Output: TAP.
 *
 * The RSS bound: after the warm-up everything the soak holds is fixed in
 * size (the environments, four org connections with page caches of at most
 * the 3.7 MB org each, two memory handles, about 100 entries), so growth
 * beyond allocator noise is a leak or an unbounded cache.  Measured growth
 * after the warm-up is 2 to 4 MiB at ~3,000 steps/s; 16 MiB leaves room for
 * faster machines while catching a 100-byte-per-episode leak within minutes
 * of a long run (before the fix of mem_hits keeping provenance, 20 s grew
 * 10 MiB and an hour would have grown by gigabytes).
 * SPDX-License-Identifier: Apache-2.0
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <crmweaver.h>

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif
#ifndef SOAK_ASAN
#define SOAK_ASAN 0
#endif

/* ------------------------------------------------------------------- TAP */

static int n_tests;
static int n_failed;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++n_tests);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	n_failed += !cond;
}

static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* The first unexpected event of each kind is shown; all are counted. */
static pthread_mutex_t note_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_long n_unexpected;

static void unexpected(const char *fmt, ...)
{
	if (atomic_fetch_add(&n_unexpected, 1) >= 10)
		return;
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&note_mu);
	printf("# unexpected: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&note_mu);
	va_end(ap);
}

/* ----------------------------------------------------------------- setup */

static char dir[256];
static char org_path[300], mem_path[300];
static crmw_task_set *tasks;
static int64_t n_tasks;
static json_t *scripts; /* per task: the gold backend's assistant messages, as text */
static long seconds;
static int n_envs;
static const char *mem_opts = "{\"dim\":128,\"synchronous\":\"normal\",\"busy_timeout_ms\":120000}";
static atomic_bool stop;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long env_long(const char *name, long def, long lo, long hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long x = strtol(v, &end, 10);
	return *end || x < lo || x > hi ? def : x;
}

/* The gold backend's assistant messages of every task, through the agent loop. */
static int record(crmw_db *db)
{
	crmw_agent *a;
	crmw_backend g;
	if (crmw_agent_new(&a, db, NULL))
		return -1;
	if (crmw_backend_gold(&g, db, NULL) || crmw_agent_set_backend(a, &g)) {
		crmw_agent_free(a);
		return -1;
	}
	scripts = json_array();
	crmw_buf t = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	int rc = 0;
	for (int64_t i = 0; i < n_tasks && !rc; i++) {
		if (crmw_task_set_get(&t, tasks, i) || crmw_agent_run(&out, a, t.data, NULL)) {
			rc = -1;
			break;
		}
		json_t *tr = json_loadb(out.data, out.len, 0, NULL), *msgs = json_array();
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(tr, "messages"), k, m) {
			if (strcmp(json_string_value(json_object_get(m, "role")), "assistant") == 0) {
				char *text = json_dumps(m, JSON_COMPACT);
				json_array_append_new(msgs, json_string(text));
				free(text);
			}
		}
		if (json_real_value(json_object_get(tr, "reward")) != 1.0 || json_array_size(msgs) == 0)
			rc = -1;
		json_array_append_new(scripts, msgs);
		json_decref(tr);
	}
	crmw_buf_dispose(&t);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	return rc;
}

static const char *script(int64_t task, size_t turn)
{
	return json_string_value(json_array_get(json_array_get(scripts, (size_t)task), turn));
}

static size_t script_len(int64_t task)
{
	return json_array_size(json_array_get(scripts, (size_t)task));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* xorshift64*: the threads' own random streams */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int rnd_below(uint64_t *s, int n)
{
	return (int)(rnd(s) % (uint64_t)n);
}

/* ------------------------------------------------------------------ RSS */

enum { MAX_SAMPLES = 1 << 16 };
static long rss_samples[MAX_SAMPLES]; /* KiB, one a second */
static atomic_int n_samples;

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void *sampler(void *arg)
{
	(void)arg;
	double t0 = now_s();
	int k = 0;
	while (!atomic_load(&stop) && k < MAX_SAMPLES) {
		double next = t0 + k + 1;
		while (!atomic_load(&stop) && now_s() < next)
			usleep(20000);
		if (atomic_load(&stop))
			break;
		rss_samples[k++] = rss_kib();
		atomic_store(&n_samples, k);
	}
	return NULL;
}

/* --------------------------------------------------------- environments */

/* What an episode's outputs are. */
enum kind {
	K_GOLD,    /* the gold script: solved */
	K_NOISY,   /* the gold script with garbage in between: solved */
	K_WRONG,   /* some gold steps, then a wrong answer */
	K_STALL,   /* garbage until max_turns */
	K_ABANDON, /* some gold steps, then reset or closed mid-episode */
	K_N
};
static const char *const kind_names[K_N] = {"gold", "noisy", "wrong", "stall", "abandon"};

enum { MAX_TURNS = 16 };

/* Outputs that are not an answer: each must give a format error or a failed
 * action, never end the episode before max_turns. */
static const char *const garbage[] = {
	"",
	"<tool_call>{\"name\": \"get_cases\", \"arguments\": {",
	"{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"no_such_tool\",\"arguments\":\"{}\"}}]}",
	"{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"respond\",\"arguments\":\"{not json\"}}]}",
	"<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":42}}</tool_call>",
	"<tool_call>\xff\xfe</tool_call>",
};
enum { N_GARBAGE = sizeof garbage / sizeof garbage[0] };
static const char *const wrong_answer = "I could not find it; my best guess is 42 and Acme Corporation.";

typedef struct slot {
	crmw_env *e;
	int kind;
	int64_t task;
	size_t next;     /* the next script step */
	int turn;        /* steps taken in this episode */
	int garbage_due; /* K_NOISY: garbage outputs still to come */
	int stop_at;     /* K_WRONG, K_ABANDON: the gold steps before */
	bool live;       /* an episode is in progress */
	bool used;       /* had an episode */
	int last_out;    /* what the last output was: 0 script, 1 garbage, 2 answer */
} slot;

typedef struct stats {
	long episodes[K_N], steps, batches, resets, closes, garbage_fed, garbage_flagged, solved, written, answered_wrong,
		stalled, abandoned;
} stats;

typedef struct driver {
	crmw_env_pool *p;
	slot *slots;
	int n;
	uint64_t seed;
	stats st;
	int failed_rc; /* the first failing status, if any */
} driver;

static void start_episode(driver *d, slot *s, crmw_buf *obs)
{
	uint64_t *r = &d->seed;
	if (s->used && rnd_below(r, 4) == 0) { /* close and open a fresh one */
		crmw_env_free(s->e);
		s->e = NULL;
		d->st.closes++;
	}
	if (!s->e) {
		int rc = crmw_env_new(&s->e, d->p);
		if (rc) {
			unexpected("crmw_env_new: %s", crmw_strerror(rc));
			d->failed_rc = d->failed_rc ? d->failed_rc : rc;
			return;
		}
	}
	int x = rnd_below(r, 100);
	s->kind = x < 45 ? K_GOLD : x < 70 ? K_NOISY : x < 85 ? K_WRONG : x < 92 ? K_STALL : K_ABANDON;
	s->task = rnd_below(r, (int)n_tasks);
	if (s->kind == K_ABANDON && script_len(s->task) < 2) /* nothing to walk away from */
		s->kind = K_GOLD;
	s->next = 0;
	s->turn = 0;
	s->garbage_due = s->kind == K_NOISY ? 1 + rnd_below(r, 3) : 0;
	s->stop_at = (int)(script_len(s->task) > 1 ? rnd_below(r, (int)script_len(s->task) - 1) : 0);
	char reset[96];
	if (rnd_below(r, 2))
		snprintf(reset, sizeof reset, "{\"index\":%" PRId64 "}", s->task);
	else
		snprintf(reset, sizeof reset, "{\"index\":%" PRId64 ",\"tools\":false}", s->task);
	int rc = crmw_env_reset(obs, s->e, reset);
	if (rc || !strstr(obs->data, "\"turn\":0")) {
		unexpected("reset: %s (%s)", crmw_strerror(rc), crmw_env_errmsg(s->e));
		d->failed_rc = d->failed_rc ? d->failed_rc : (rc ? rc : CRMW_ERROR);
		return;
	}
	d->st.resets++;
	d->st.episodes[s->kind]++;
	s->live = true;
	s->used = true;
}

/* The output slot `s` gives at its next step. */
static const char *next_output(driver *d, slot *s, size_t *len)
{
	uint64_t *r = &d->seed;
	const char *o;
	s->last_out = 0;
	switch (s->kind) {
	case K_NOISY:
		if (s->garbage_due > 0 && (s->next + 1 >= script_len(s->task) || rnd_below(r, 3) == 0)) {
			s->garbage_due--;
			s->last_out = 1;
		}
		break;
	case K_STALL:
		s->last_out = 1;
		break;
	case K_WRONG:
		if ((int)s->next == s->stop_at)
			s->last_out = 2;
		break;
	default:
		break;
	}
	if (s->last_out == 1) {
		o = garbage[rnd_below(r, N_GARBAGE)];
		d->st.garbage_fed++;
	} else if (s->last_out == 2) {
		o = wrong_answer;
	} else {
		o = script(s->task, s->next++);
	}
	*len = strlen(o);
	return o;
}

/* Check one step's result against what the output was. */
static void check_step(driver *d, slot *s, const crmw_buf *out)
{
	json_t *j = json_loadb(out->data, out->len, 0, NULL);
	if (!j) {
		unexpected("a step's output is not JSON");
		return;
	}
	s->turn++;
	bool done = json_is_true(json_object_get(j, "done"));
	json_t *info = json_object_get(j, "info");
	json_t *rw = json_object_get(j, "reward");
	const char *why = json_string_value(json_object_get(info, "end_reason"));
	const char *status = json_string_value(json_object_get(json_array_get(json_object_get(info, "actions"), 0), "status"));
	if (json_integer_value(json_object_get(info, "turn")) != s->turn)
		unexpected("turn %lld, expected %d", (long long)json_integer_value(json_object_get(info, "turn")), s->turn);
	if (s->last_out == 1) {
		if (json_object_get(info, "format_error") || (status && strcmp(status, "ok") != 0))
			d->st.garbage_flagged++;
		if (done && !(s->turn == MAX_TURNS && why && strcmp(why, "max_turns") == 0))
			unexpected("garbage ended an episode at turn %d (%s)", s->turn, why ? why : "?");
	}
	if (done) {
		s->live = false;
		double reward = json_real_value(rw);
		if (!json_is_real(rw))
			unexpected("done without a reward");
		if (reward >= 1.0) {
			/* the episode says where it was written back */
			d->st.solved++;
			crmw_buf tb = CRMW_BUF_INIT;
			json_t *tr = NULL;
			if (crmw_env_trajectory(&tb, s->e) == CRMW_OK)
				tr = json_loadb(tb.data, tb.len, 0, NULL);
			json_t *mw = json_object_get(tr, "memory_written");
			if (json_integer_value(json_object_get(mw, "id")) > 0)
				d->st.written++;
			else
				unexpected("a solved episode was not written back: %s",
					   tr ? json_string_value(json_object_get(tr, "memory_note")) : "no trajectory");
			json_decref(tr);
			crmw_buf_dispose(&tb);
		}
		if (s->kind == K_GOLD || s->kind == K_NOISY) {
			if (reward != 1.0 || !why || strcmp(why, "answered") != 0 || s->next != script_len(s->task))
				unexpected("a %s episode of task %lld ended with %s, reward %g", kind_names[s->kind],
					   (long long)s->task, why ? why : "?", reward);
		} else if (s->kind == K_WRONG) {
			d->st.answered_wrong += reward < 1.0;
			if (s->last_out != 2 || !why || strcmp(why, "answered") != 0)
				unexpected("a wrong answer ended with %s", why ? why : "?");
		} else if (s->kind == K_STALL) {
			d->st.stalled++;
			if (reward != 0 || !why || strcmp(why, "max_turns") != 0 || s->turn != MAX_TURNS)
				unexpected("a stalled episode ended with %s at turn %d", why ? why : "?", s->turn);
		} else {
			unexpected("an abandoned episode ended by itself");
		}
	} else {
		if (!json_is_null(rw))
			unexpected("a reward before the end");
		if (s->last_out == 0 && (!status || strcmp(status, "ok") != 0))
			unexpected("a gold step of task %lld gave %s", (long long)s->task, status ? status : "no action");
		if (s->last_out == 2)
			unexpected("a wrong answer did not end the episode");
	}
	json_decref(j);
}

static void *drive(void *arg)
{
	driver *d = arg;
	crmw_env **envs = calloc((size_t)d->n, sizeof *envs);
	const char **outputs = calloc((size_t)d->n, sizeof *outputs);
	size_t *lens = calloc((size_t)d->n, sizeof *lens);
	crmw_buf *outs = calloc((size_t)d->n, sizeof *outs);
	int *rcs = calloc((size_t)d->n, sizeof *rcs);
	slot **which = calloc((size_t)d->n, sizeof *which);
	crmw_buf obs = CRMW_BUF_INIT;
	if (!envs || !outputs || !lens || !outs || !rcs || !which) {
		unexpected("out of memory");
		d->failed_rc = CRMW_ENOMEM;
		atomic_store(&stop, true);
	}
	while (!atomic_load(&stop) && !d->failed_rc) {
		int32_t m = 0;
		for (int i = 0; i < d->n && !d->failed_rc; i++) {
			slot *s = &d->slots[i];
			if (s->live && s->kind == K_ABANDON && (int)s->next >= s->stop_at && s->turn > 0) {
				/* walk away: a reset (abandons it) or a close */
				d->st.abandoned++;
				s->live = false;
				if (rnd_below(&d->seed, 2)) {
					crmw_env_free(s->e);
					s->e = NULL;
					d->st.closes++;
				}
			}
			if (!s->live)
				start_episode(d, s, &obs);
			if (d->failed_rc)
				break;
			envs[m] = s->e;
			which[m] = s;
			outputs[m] = next_output(d, s, &lens[m]);
			m++;
		}
		if (d->failed_rc || m == 0)
			break;
		int rc = crmw_env_step_batch(d->p, envs, outputs, lens, outs, rcs, m);
		d->st.batches++;
		d->st.steps += m;
		for (int32_t k = 0; k < m; k++) {
			if (rcs[k]) {
				unexpected("step: %s (%s)", crmw_strerror(rcs[k]), crmw_env_errmsg(envs[k]));
				d->failed_rc = d->failed_rc ? d->failed_rc : rcs[k];
				continue;
			}
			check_step(d, which[k], &outs[k]);
		}
		if (rc && !d->failed_rc)
			d->failed_rc = rc;
	}
	/* episodes still going are abandoned by the close */
	for (int i = 0; i < d->n; i++) {
		crmw_env_free(d->slots[i].e);
		d->slots[i].e = NULL;
	}
	for (int i = 0; i < d->n; i++)
		crmw_buf_dispose(&outs[i]);
	crmw_buf_dispose(&obs);
	free(envs);
	free(outputs);
	free(lens);
	free(outs);
	free(rcs);
	free(which);
	return NULL;
}

/* ------------------------------------------------------- memory writers */

enum { WRITER_LIVE = 32 };

typedef struct writer {
	int no;
	crmw_memory *m; /* shared with the pool, or its own */
	bool own;
	uint64_t seed;
	int64_t ids[WRITER_LIVE];
	int64_t helpful[WRITER_LIVE], harmful[WRITER_LIVE];
	int live;
	long adds, deletes, votes, updates, searches, checks;
	int64_t helpful_total, harmful_total;
	int failed_rc;
	char failed_what[64];
} writer;

static void wfail(writer *w, int rc, const char *what)
{
	if (!w->failed_rc) {
		w->failed_rc = rc ? rc : CRMW_ERROR;
		snprintf(w->failed_what, sizeof w->failed_what, "%s", what);
		unexpected("writer %d: %s: %s (%s)", w->no, what, crmw_strerror(rc), crmw_memory_errmsg(w->m));
	}
}

/* Text of pseudo-words, so that no two entries are near duplicates. */
static void words(writer *w, char *out, size_t cap, int n)
{
	static const char letters[] = "abcdefghiklmnoprstuvwyz";
	size_t k = 0;
	for (int i = 0; i < n && k + 12 < cap; i++) {
		int len = 4 + rnd_below(&w->seed, 6);
		for (int c = 0; c < len; c++)
			out[k++] = letters[rnd_below(&w->seed, (int)sizeof letters - 1)];
		out[k++] = ' ';
	}
	out[k ? k - 1 : 0] = 0;
}

/* The helpful and harmful counters of entry `id` equal what this writer gave. */
static void check_counters(writer *w, int slot_no)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_memory_get(&b, w->m, w->ids[slot_no]);
	if (rc) {
		wfail(w, rc, "get");
	} else {
		json_t *j = json_loadb(b.data, b.len, 0, NULL);
		json_t *c = json_object_get(j, "counters");
		json_int_t h = json_integer_value(json_object_get(c, "helpful"));
		json_int_t x = json_integer_value(json_object_get(c, "harmful"));
		if (h != w->helpful[slot_no] || x != w->harmful[slot_no])
			unexpected("writer %d: entry %lld counts helpful %lld harmful %lld, expected %lld and %lld", w->no,
				   (long long)w->ids[slot_no], (long long)h, (long long)x, (long long)w->helpful[slot_no],
				   (long long)w->harmful[slot_no]);
		json_decref(j);
		w->checks++;
	}
	crmw_buf_dispose(&b);
}

static void writer_add(writer *w)
{
	if (w->live == WRITER_LIVE) { /* the oldest goes */
		int rc = crmw_memory_delete(w->m, w->ids[0]);
		if (rc)
			return wfail(w, rc, "delete");
		w->helpful_total -= w->helpful[0];
		w->harmful_total -= w->harmful[0];
		memmove(w->ids, w->ids + 1, (WRITER_LIVE - 1) * sizeof w->ids[0]);
		memmove(w->helpful, w->helpful + 1, (WRITER_LIVE - 1) * sizeof w->helpful[0]);
		memmove(w->harmful, w->harmful + 1, (WRITER_LIVE - 1) * sizeof w->harmful[0]);
		w->live--;
		w->deletes++;
	}
	char text[200];
	words(w, text, sizeof text, 10);
	json_t *e = json_pack("{s:s, s:s, s:s+, s:[s], s:{s:i, s:I}, s:[s]}", "kind", "guideline", "text", text, "family",
			      "soak-w", w->no ? "1" : "0", "tags", "soak", "metadata", "writer", w->no, "seq",
			      (json_int_t)w->adds, "provenance", "soak-writer");
	char *ej = json_dumps(e, JSON_COMPACT);
	json_decref(e);
	int64_t id = 0;
	int32_t merged = 0;
	int rc = crmw_memory_add(&id, &merged, w->m, ej, NULL, 0);
	free(ej);
	if (rc)
		return wfail(w, rc, "add");
	if (merged)
		unexpected("writer %d: an entry of random words merged into %lld", w->no, (long long)id);
	w->ids[w->live] = id;
	w->helpful[w->live] = 0;
	w->harmful[w->live] = 0;
	w->live++;
	w->adds++;
}

static void writer_vote(writer *w)
{
	int64_t ids[3];
	int slots[3];
	int n = 1 + rnd_below(&w->seed, 3);
	if (n > w->live)
		n = w->live;
	int first = rnd_below(&w->seed, w->live);
	for (int i = 0; i < n; i++) {
		slots[i] = (first + i) % w->live;
		ids[i] = w->ids[slots[i]];
	}
	bool helpful = rnd_below(&w->seed, 4) != 0;
	int amount = 1 + rnd_below(&w->seed, 3);
	int64_t updated = -1;
	int rc = crmw_memory_feedback(&updated, w->m, ids, (size_t)n, helpful ? CRMW_MEM_HELPFUL : CRMW_MEM_HARMFUL, amount);
	if (rc)
		return wfail(w, rc, "feedback");
	if (updated != n)
		unexpected("writer %d: feedback counted %lld of %d", w->no, (long long)updated, n);
	for (int i = 0; i < n; i++) {
		if (helpful)
			w->helpful[slots[i]] += amount;
		else
			w->harmful[slots[i]] += amount;
	}
	if (helpful)
		w->helpful_total += (int64_t)amount * n;
	else
		w->harmful_total += (int64_t)amount * n;
	w->votes++;
}

static void writer_update(writer *w)
{
	int k = rnd_below(&w->seed, w->live);
	char text[200], patch[400];
	if (rnd_below(&w->seed, 2)) {
		words(w, text, sizeof text, 10);
		snprintf(patch, sizeof patch, "{\"text\":\"%s\"}", text);
	} else {
		snprintf(patch, sizeof patch, "{\"metadata\":{\"writer\":%d,\"rev\":%ld},\"tags\":[\"soak\",\"rev\"]}", w->no,
			 w->updates);
	}
	int rc = crmw_memory_update(w->m, w->ids[k], patch);
	if (rc)
		return wfail(w, rc, "update");
	w->updates++;
}

static void writer_search(writer *w)
{
	char text[120], opts[96];
	words(w, text, sizeof text, 5);
	crmw_buf b = CRMW_BUF_INIT;
	bool own_family = rnd_below(&w->seed, 2);
	if (own_family)
		snprintf(opts, sizeof opts, "{\"k\":4,\"family\":\"soak-w%d\"}", w->no);
	else
		snprintf(opts, sizeof opts, "{\"k\":5,\"mmr\":0.7}");
	int rc = crmw_memory_search(&b, w->m, text, opts);
	if (rc) {
		crmw_buf_dispose(&b);
		return wfail(w, rc, "search");
	}
	json_t *hits = json_loadb(b.data, b.len, 0, NULL);
	if (!json_is_array(hits))
		unexpected("writer %d: search gave no array", w->no);
	size_t i;
	json_t *h;
	char fam[16];
	snprintf(fam, sizeof fam, "soak-w%d", w->no);
	json_array_foreach(hits, i, h) {
		const char *f = json_string_value(json_object_get(h, "family"));
		if (own_family && (!f || strcmp(f, fam) != 0))
			unexpected("writer %d: a family-filtered search gave family %s", w->no, f ? f : "null");
	}
	json_decref(hits);
	crmw_buf_dispose(&b);
	/* and by vector, the hot path */
	float q[128];
	int64_t ids[8];
	float scores[8];
	int32_t n = 0;
	rc = crmw_memory_embed(q, 128, w->m, text, strlen(text));
	rc = rc ? rc : crmw_memory_search_vec(ids, scores, &n, w->m, q, 128, 8, NULL);
	if (rc)
		return wfail(w, rc, "search_vec");
	w->searches++;
}

static void *write_loop(void *arg)
{
	writer *w = arg;
	while (!atomic_load(&stop) && !w->failed_rc) {
		int x = rnd_below(&w->seed, 100);
		if (w->live < 4 || x < 15)
			writer_add(w);
		else if (x < 55)
			writer_vote(w);
		else if (x < 70)
			writer_update(w);
		else if (x < 95)
			writer_search(w);
		else
			check_counters(w, rnd_below(&w->seed, w->live));
		usleep(1000); /* the environments get most of the two cores */
	}
	return NULL;
}

/* ------------------------------------------------------------------ main */

int main(void)
{
	seconds = env_long("CRMW_SOAK_SECONDS", SOAK_ASAN ? 6 : 20, 1, 30L * 24 * 3600);
	n_envs = (int)env_long("CRMW_SOAK_ENVS", 128, 2, 100000);
	int n_writers = (int)env_long("CRMW_SOAK_WRITERS", 2, 0, 2);
	long bound_mib = env_long("CRMW_SOAK_RSS_MIB", SOAK_ASAN ? 0 : 16, 0, 1L << 20);
	diag("soak: %ld s, %d environments, RSS bound %ld MiB%s", seconds, n_envs, bound_mib, bound_mib ? "" : " (off)");

	/* a small org, its tasks and the gold outputs */
	double t0 = now_s();
	snprintf(dir, sizeof dir, "%s/crmw-soak-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp %s\n", dir);
		return 1;
	}
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	snprintf(mem_path, sizeof mem_path, "%s/mem.db", dir);
	crmw_db *db = NULL;
	int rc = crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":11,\"scale\":0.1}", NULL, NULL);
	rc = rc ? rc : crmw_db_open(&db, org_path, CRMW_DB_READONLY);
	rc = rc ? rc : crmw_tasks_generate(&tasks, NULL, db, "{\"per_family\":2,\"seed\":5}");
	if (!rc) {
		n_tasks = crmw_task_set_count(tasks);
		rc = n_tasks > 0 ? record(db) : -1;
	}
	crmw_db_free(db);
	ok(rc == 0, "setup: an org, %lld tasks and their gold outputs (%.1f s)", (long long)n_tasks, now_s() - t0);
	if (rc) {
		printf("# %s\n1..%d\n", crmw_last_error(), n_tests);
		json_decref(scripts);
		crmw_task_set_free(tasks);
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		return 1;
	}

	/* the shared memory, the pool, the second handle */
	crmw_memory *mem = NULL, *mem2 = NULL;
	crmw_env_pool *pool = NULL;
	char popts[256];
	/* CRMW_SOAK_MEMORY: the pool's memory policy (default "write"; "off" and
	 * "retrieve" help to tell what grows; the write-back check then fails) */
	const char *policy = getenv("CRMW_SOAK_MEMORY") ? getenv("CRMW_SOAK_MEMORY") : "write";
	snprintf(popts, sizeof popts,
		 "{\"workers\":2,\"memory\":\"%.16s\",\"agent\":{\"max_turns\":%d,\"memory\":{\"k\":3,\"min_score\":0.1}}}",
		 policy, MAX_TURNS);
	rc = crmw_memory_open(&mem, mem_path, mem_opts);
	rc = rc ? rc : crmw_memory_open(&mem2, mem_path, mem_opts);
	rc = rc ? rc : crmw_env_pool_new(&pool, org_path, popts);
	rc = rc ? rc : crmw_env_pool_set_tasks(pool, tasks);
	rc = rc ? rc : crmw_env_pool_set_memory(pool, mem);
	ok(rc == 0, "a memory store (two handles) and a pool with the \"write\" policy");
	if (rc) {
		printf("# %s\n1..%d\n", crmw_last_error(), n_tests);
		return 1;
	}

	/* the soak */
	enum { DRIVERS = 2, WRITERS = 2 };
	driver drv[DRIVERS];
	writer wr[WRITERS];
	slot *slots = calloc((size_t)n_envs, sizeof *slots);
	pthread_t th_d[DRIVERS], th_w[WRITERS], th_s;
	memset(drv, 0, sizeof drv);
	memset(wr, 0, sizeof wr);
	for (int i = 0; i < DRIVERS; i++) {
		int first = i * n_envs / DRIVERS, last = (i + 1) * n_envs / DRIVERS;
		drv[i] = (driver){.p = pool, .slots = slots + first, .n = last - first, .seed = 0x9E3779B97F4A7C15ULL * (i + 1)};
	}
	for (int i = 0; i < WRITERS; i++) {
		wr[i].no = i;
		wr[i].own = i == 1;
		wr[i].m = i == 1 ? mem2 : mem;
		wr[i].seed = 0xD1B54A32D192ED03ULL * (i + 7);
	}
	double start = now_s();
	pthread_create(&th_s, NULL, sampler, NULL);
	for (int i = 0; i < DRIVERS; i++)
		pthread_create(&th_d[i], NULL, drive, &drv[i]);
	for (int i = 0; i < n_writers; i++)
		pthread_create(&th_w[i], NULL, write_loop, &wr[i]);
	while (now_s() - start < (double)seconds) {
		usleep(100000);
		bool failed = false;
		for (int i = 0; i < DRIVERS; i++)
			failed |= drv[i].failed_rc != 0;
		for (int i = 0; i < WRITERS; i++)
			failed |= wr[i].failed_rc != 0;
		if (failed)
			break;
	}
	atomic_store(&stop, true);
	for (int i = 0; i < DRIVERS; i++)
		pthread_join(th_d[i], NULL);
	for (int i = 0; i < n_writers; i++)
		pthread_join(th_w[i], NULL);
	pthread_join(th_s, NULL);
	double took = now_s() - start;

	stats st = {0};
	int drc = 0;
	for (int i = 0; i < DRIVERS; i++) {
		for (int k = 0; k < K_N; k++)
			st.episodes[k] += drv[i].st.episodes[k];
		st.steps += drv[i].st.steps;
		st.batches += drv[i].st.batches;
		st.resets += drv[i].st.resets;
		st.closes += drv[i].st.closes;
		st.garbage_fed += drv[i].st.garbage_fed;
		st.garbage_flagged += drv[i].st.garbage_flagged;
		st.solved += drv[i].st.solved;
		st.written += drv[i].st.written;
		st.answered_wrong += drv[i].st.answered_wrong;
		st.stalled += drv[i].st.stalled;
		st.abandoned += drv[i].st.abandoned;
		drc = drc ? drc : drv[i].failed_rc;
	}
	diag("%.1f s: %ld steps in %ld batches (%.0f steps/s), %ld resets, %ld closes", took, st.steps, st.batches,
	     (double)st.steps / took, st.resets, st.closes);
	diag("episodes: gold %ld, noisy %ld, wrong %ld, stall %ld, abandon %ld; solved %ld, wrong answers %ld, stalled "
	     "%ld, abandoned %ld",
	     st.episodes[K_GOLD], st.episodes[K_NOISY], st.episodes[K_WRONG], st.episodes[K_STALL], st.episodes[K_ABANDON],
	     st.solved, st.answered_wrong, st.stalled, st.abandoned);
	for (int i = 0; i < WRITERS; i++)
		diag("writer %d (%s handle): %ld adds, %ld deletes, %ld votes, %ld updates, %ld searches, %ld checks", i,
		     wr[i].own ? "own" : "shared", wr[i].adds, wr[i].deletes, wr[i].votes, wr[i].updates, wr[i].searches,
		     wr[i].checks);

	ok(drc == 0 && st.steps > 0, "every reset and step returned CRMW_OK (%ld steps)", st.steps);
	ok(st.garbage_fed > 0 && st.garbage_flagged == st.garbage_fed,
	   "every garbage output became a format error or a failed action (%ld of %ld)", st.garbage_flagged,
	   st.garbage_fed);
	ok(st.solved > 0, "episodes were solved (%ld)", st.solved);
	ok(st.written == st.solved, "every solved episode reports its write-back (%ld of %ld)", st.written, st.solved);
	int wrc = 0;
	for (int i = 0; i < WRITERS; i++)
		wrc = wrc ? wrc : wr[i].failed_rc;
	ok(wrc == 0, "every memory writer call returned CRMW_OK");

	/* every solved episode is in exactly one guideline's provenance; the
	 * writers' counters are what they gave */
	crmw_buf b = CRMW_BUF_INIT;
	rc = crmw_memory_list(&b, mem, "{\"limit\":0}");
	json_t *all = rc ? NULL : json_loadb(b.data, b.len, 0, NULL);
	int64_t prov = 0, env_entries = 0, w_entries[WRITERS] = {0}, w_helpful[WRITERS] = {0}, w_harmful[WRITERS] = {0};
	size_t i;
	json_t *x;
	json_array_foreach(all, i, x) {
		const char *fam = json_string_value(json_object_get(x, "family"));
		json_t *c = json_object_get(x, "counters");
		if (fam && strncmp(fam, "soak-w", 6) == 0) {
			int no = fam[6] - '0';
			if (no >= 0 && no < WRITERS) {
				w_entries[no]++;
				w_helpful[no] += json_integer_value(json_object_get(c, "helpful"));
				w_harmful[no] += json_integer_value(json_object_get(c, "harmful"));
			}
		} else {
			env_entries++;
			prov += (int64_t)json_array_size(json_object_get(x, "provenance"));
			if (json_integer_value(json_object_get(c, "helpful")) || json_integer_value(json_object_get(c, "harmful")))
				unexpected("a written-back guideline has votes");
		}
	}
	diag("memory: %zu entries (%lld written back by environments holding %lld provenance ids)", json_array_size(all),
	     (long long)env_entries, (long long)prov);
	ok(all && prov == st.solved, "every solved episode is in one guideline's provenance (%lld of %ld)", (long long)prov,
	   st.solved);
	bool counters_ok = all != NULL;
	for (int k = 0; k < WRITERS; k++) {
		counters_ok &= w_entries[k] == wr[k].live && w_helpful[k] == wr[k].helpful_total &&
			       w_harmful[k] == wr[k].harmful_total && wr[k].adds - wr[k].deletes == wr[k].live;
		for (int s = 0; s < wr[k].live; s++)
			check_counters(&wr[k], s);
		diag("writer %d: %lld entries, helpful %lld (gave %lld), harmful %lld (gave %lld)", k,
		     (long long)w_entries[k], (long long)w_helpful[k], (long long)wr[k].helpful_total,
		     (long long)w_harmful[k], (long long)wr[k].harmful_total);
	}
	ok(counters_ok, "the writers' entries and counters are exactly what they added and gave");
	json_decref(all);
	crmw_buf_dispose(&b);
	ok(atomic_load(&n_unexpected) == 0, "nothing unexpected (%ld)", atomic_load(&n_unexpected));

	/* RSS: samples, and the growth after the warm-up */
	int ns = atomic_load(&n_samples);
	int warm = ns / 3;
	long base = ns ? rss_samples[warm < ns ? warm : ns - 1] : 0, peak = base, lo = base;
	char line[400];
	size_t len = 0;
	line[0] = 0;
	for (int k = 0; k < ns; k++) {
		if (k >= warm) {
			peak = rss_samples[k] > peak ? rss_samples[k] : peak;
			lo = rss_samples[k] < lo ? rss_samples[k] : lo;
		}
		len += (size_t)snprintf(line + len, sizeof line - len, "%s%ld", len ? " " : "", rss_samples[k] / 1024);
		if (len > sizeof line - 24 || k == ns - 1) {
			diag("RSS MiB, one a second: %s", line);
			len = 0;
			line[0] = 0;
		}
	}
	long growth = peak - base;
	{ /* what the resident set is made of at the end */
		FILE *f = fopen("/proc/self/status", "r");
		char l[128], parts[200] = "";
		size_t pl = 0;
		while (f && fgets(l, sizeof l, f))
			if (strncmp(l, "RssAnon:", 8) == 0 || strncmp(l, "RssFile:", 8) == 0 || strncmp(l, "RssShmem:", 9) == 0) {
				l[strcspn(l, "\n")] = 0;
				pl += (size_t)snprintf(parts + pl, sizeof parts - pl, "%s%s", pl ? ", " : "", l);
			}
		if (f)
			fclose(f);
		diag("RSS at the end: %s", parts);
	}
	diag("RSS: %d samples, warm-up %d s; after it %.1f MiB to %.1f MiB (start %.1f, growth %.1f MiB)", ns, warm,
	     lo / 1024.0, peak / 1024.0, ns ? rss_samples[0] / 1024.0 : 0.0, growth / 1024.0);
	if (bound_mib == 0 || ns < 3)
		printf("ok %d - RSS growth after the warm-up under the bound # SKIP %s\n", ++n_tests,
		       ns < 3 ? "too few samples" : "no bound (sanitiser or valgrind allocator)");
	else
		ok(growth <= bound_mib * 1024, "RSS grew %.1f MiB after the warm-up (bound %ld MiB)", growth / 1024.0,
		   bound_mib);

	crmw_env_pool_free(pool);
	crmw_memory_free(mem2);
	crmw_memory_free(mem);
	free(slots);
	json_decref(scripts);
	crmw_task_set_free(tasks);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
