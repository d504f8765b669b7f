/*
 * lib/env/env.c: RL environments over agent sessions.
 *
 * A pool keeps "contexts": an org connection (read-only) and an agent with
 * the pool's options, each used by one thread at a time.  A thread that
 * resets or steps an environment borrows an idle context (or makes one),
 * moves the environment's session onto that context's agent and gives the
 * context back; so environments are only sessions, and any number of
 * threads can work on different environments at once.  Batch steps are
 * spread over the pool's worker threads, which borrow contexts the same way.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "common/json.h"
#include <crmweaver/env.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MEM_OFF, MEM_RETRIEVE, MEM_WRITE };

typedef struct ctx {
	crmw_db *db;
	crmw_agent *a;
} ctx;

typedef struct batch {
	crmw_env *const *envs;
	const char *const *outputs;
	const size_t *lens;
	crmw_buf *outs;
	int *rcs;
	int32_t n;
	atomic_int next, done;
} batch;

struct crmw_env_pool {
	crmw_handle h;
	char *org_path;
	char *agent_opts;
	int mem_policy;
	crmw_memory *mem;
	crmw_role *role; /* every episode's (a reference), NULL: none */
	const crmw_task_set *tasks;
	pthread_mutex_t mu; /* the contexts */
	ctx **idle, **all;
	size_t nidle, nall, cap;
	atomic_ullong serial;
	/* workers */
	int nworkers;
	pthread_t *threads;
	pthread_mutex_t wmu;
	pthread_cond_t wake, finished;
	batch *job;
	uint64_t job_gen;
	int job_users; /* workers inside the job: it lives on its caller's stack */
	bool stop;
	pthread_mutex_t batch_mu; /* one batch at a time */
};

struct crmw_env {
	crmw_handle h;
	crmw_env_pool *p;
	crmw_session *s;
	size_t seen; /* messages already given to the trainer */
	uint64_t id;
	uint64_t resets;
};

/* --------------------------------------------------------------- contexts */

static void ctx_free(ctx *c)
{
	if (!c)
		return;
	crmw_agent_free(c->a);
	crmw_db_free(c->db);
	free(c);
}

static ctx *ctx_get(crmw_env_pool *p, crmw_err *e)
{
	pthread_mutex_lock(&p->mu);
	if (p->nidle > 0) {
		ctx *c = p->idle[--p->nidle];
		pthread_mutex_unlock(&p->mu);
		return c;
	}
	pthread_mutex_unlock(&p->mu);
	ctx *c = calloc(1, sizeof *c);
	int rc = c ? crmw_db_open(&c->db, p->org_path, CRMW_DB_READONLY) : CRMW_ENOMEM;
	if (!rc && (rc = crmw_agent_new(&c->a, c->db, p->agent_opts)))
		crmw__errf(NULL, rc, "agent options: %s", crmw_last_error());
	pthread_mutex_lock(&p->mu);
	if (!rc && p->mem && p->mem_policy != MEM_OFF)
		rc = crmw_agent_set_memory(c->a, p->mem);
	if (!rc)
		rc = crmw_agent_set_role(c->a, p->role);
	if (!rc && p->nall == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		ctx **a = realloc(p->all, cap * sizeof *a), **b = a ? realloc(p->idle, cap * sizeof *b) : NULL;
		if (a)
			p->all = a;
		if (b)
			p->idle = b;
		if (a && b)
			p->cap = cap;
		else
			rc = CRMW_ENOMEM;
	}
	if (!rc)
		p->all[p->nall++] = c;
	pthread_mutex_unlock(&p->mu);
	if (rc) {
		crmw__errf(e, rc, "cannot open a context on '%s': %s", p->org_path, crmw_last_error());
		ctx_free(c);
		return NULL;
	}
	return c;
}

static void ctx_put(crmw_env_pool *p, ctx *c)
{
	pthread_mutex_lock(&p->mu);
	p->idle[p->nidle++] = c; /* cap >= nall >= nidle + 1 */
	pthread_mutex_unlock(&p->mu);
}

/* ------------------------------------------------------------------ pool */

static void *worker_main(void *arg);

int crmw_env_pool_new(crmw_env_pool **out, const char *org_path, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !org_path);
	*out = NULL;
	static const char *const keys[] = {"agent", "workers", "memory"};
	json_t *o;
	int rc = crmw__json_options(&o, NULL, options_json, "environment options", keys, 3);
	if (rc)
		return rc;
	const json_t *agent = json_object_get(o, "agent"), *workers = json_object_get(o, "workers");
	const char *mem = json_string_value(json_object_get(o, "memory"));
	int policy = MEM_RETRIEVE;
	const char *bad = NULL;
	if (agent && !json_is_object(agent))
		bad = "\"agent\" must be an object of agent options";
	else if (workers && (!json_is_integer(workers) || json_integer_value(workers) < 0 || json_integer_value(workers) > 256))
		bad = "\"workers\" must be an integer from 0 to 256";
	else if (json_object_get(o, "memory") && !mem)
		bad = "\"memory\" must be \"off\", \"retrieve\" or \"write\"";
	else if (mem && strcmp(mem, "off") == 0)
		policy = MEM_OFF;
	else if (mem && strcmp(mem, "write") == 0)
		policy = MEM_WRITE;
	else if (mem && strcmp(mem, "retrieve") != 0)
		bad = "\"memory\" must be \"off\", \"retrieve\" or \"write\"";
	if (bad) {
		json_decref(o);
		return crmw__errf(NULL, CRMW_EINVALID, "environment option %s", bad);
	}
	/* the agent options, with the memory policy folded in: no model words
	 * guidelines in an environment */
	json_t *ao = agent ? json_deep_copy(agent) : json_object();
	json_t *m = json_object_get(ao, "memory");
	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(ao, "memory", m);
	}
	json_object_set_new(m, "distill", json_false());
	json_object_set_new(m, "write", json_boolean(policy == MEM_WRITE));
	crmw_env_pool *p = calloc(1, sizeof *p);
	if (!p) {
		json_decref(ao);
		json_decref(o);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	p->agent_opts = json_dumps(ao, JSON_COMPACT);
	p->org_path = crmw__strdup(org_path);
	p->mem_policy = policy;
	int nworkers = workers ? (int)json_integer_value(workers) : 1; /* started below */
	json_decref(ao);
	json_decref(o);
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->wmu, NULL);
	pthread_mutex_init(&p->batch_mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->finished, NULL);
	atomic_init(&p->serial, 0);
	if (!p->agent_opts || !p->org_path) {
		crmw_env_pool_free(p);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	/* one context now: bad options and a bad org fail here, not later */
	ctx *c = ctx_get(p, &p->h.err);
	if (!c) {
		rc = crmw_last_error_code();
		crmw__errf(NULL, rc ? rc : CRMW_EIO, "%s", crmw__err_msg(&p->h.err));
		crmw_env_pool_free(p);
		return rc ? rc : CRMW_EIO;
	}
	ctx_put(p, c);
	if (nworkers > 0 && !(p->threads = calloc((size_t)nworkers, sizeof *p->threads))) {
		crmw_env_pool_free(p);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	for (int i = 0; i < nworkers; i++, p->nworkers++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
			crmw_env_pool_free(p);
			return crmw__errf(NULL, CRMW_ENOMEM, "cannot start a worker thread");
		}
	}
	*out = p;
	return CRMW_OK;
}

void crmw_env_pool_free(crmw_env_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->wmu);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->wmu);
	for (int i = 0; i < p->nworkers; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	for (size_t i = 0; i < p->nall; i++)
		ctx_free(p->all[i]);
	free(p->all);
	free(p->idle);
	free(p->agent_opts);
	free(p->org_path);
	crmw_role_free(p->role);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->wmu);
	pthread_mutex_destroy(&p->batch_mu);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->finished);
	crmw__handle_dispose(&p->h);
	free(p);
}

const char *crmw_env_pool_errmsg(const crmw_env_pool *p)
{
	return p ? crmw__err_msg(&p->h.err) : "";
}

int crmw_env_pool_set_tasks(crmw_env_pool *p, const crmw_task_set *tasks)
{
	if (!p)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_env_pool_set_tasks: NULL pool");
	pthread_mutex_lock(&p->mu);
	p->tasks = tasks;
	pthread_mutex_unlock(&p->mu);
	return CRMW_OK;
}

int crmw_env_pool_set_memory(crmw_env_pool *p, crmw_memory *mem)
{
	if (!p)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_env_pool_set_memory: NULL pool");
	int rc = CRMW_OK;
	pthread_mutex_lock(&p->mu);
	if (p->nidle != p->nall) {
		rc = crmw__errf(&p->h.err, CRMW_EBUSY, "crmw_env_pool_set_memory: environments are being reset or stepped");
	} else {
		p->mem = mem;
		for (size_t i = 0; i < p->nall && !rc; i++)
			rc = crmw_agent_set_memory(p->all[i]->a, p->mem_policy == MEM_OFF ? NULL : mem);
		if (rc)
			crmw__errf(&p->h.err, rc, "%s", crmw_last_error());
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int crmw_env_pool_set_role(crmw_env_pool *p, const crmw_role *role)
{
	if (!p)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_env_pool_set_role: NULL pool");
	int rc = CRMW_OK;
	pthread_mutex_lock(&p->mu);
	if (p->nidle != p->nall) {
		rc = crmw__errf(&p->h.err, CRMW_EBUSY, "crmw_env_pool_set_role: environments are being reset or stepped");
	} else {
		crmw__role_set(&p->role, role);
		for (size_t i = 0; i < p->nall && !rc; i++)
			rc = crmw_agent_set_role(p->all[i]->a, p->role);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* ----------------------------------------------------------- environments */

int crmw_env_new(crmw_env **out, crmw_env_pool *p)
{
	CRMW__ARGS_NONNULL(p ? &p->h.err : NULL, !out || !p);
	crmw_env *e = calloc(1, sizeof *e);
	if (!e) {
		*out = NULL;
		return crmw__errf(&p->h.err, CRMW_ENOMEM, "out of memory");
	}
	e->p = p;
	e->id = atomic_fetch_add(&p->serial, 1);
	*out = e;
	return CRMW_OK;
}

/* Free the episode's session on a context of this thread. */
static void drop_session(crmw_env *e, ctx *c)
{
	if (!e->s)
		return;
	crmw__session_rebind(e->s, c->a);
	crmw_session_free(e->s);
	e->s = NULL;
	e->seen = 0;
}

void crmw_env_free(crmw_env *e)
{
	if (!e)
		return;
	if (e->s) {
		ctx *c = ctx_get(e->p, &e->h.err);
		if (c) {
			drop_session(e, c);
			ctx_put(e->p, c);
		}
	}
	crmw__handle_dispose(&e->h);
	free(e);
}

const char *crmw_env_errmsg(const crmw_env *e)
{
	return e ? crmw__err_msg(&e->h.err) : "";
}

/* SplitMix64: a seed to a well-spread index. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static int json_text(crmw_buf *b, const json_t *v)
{
	return crmw__json_write(b, v);
}

static int messages_from(crmw_buf *b, const json_t *msgs, size_t from)
{
	int rc = crmw__buf_putc(b, '[');
	for (size_t i = from; i < json_array_size(msgs) && !rc; i++) {
		rc = i > from ? crmw__buf_putc(b, ',') : CRMW_OK;
		rc = rc ? rc : json_text(b, json_array_get(msgs, i));
	}
	return rc ? rc : crmw__buf_putc(b, ']');
}

int crmw_env_reset(crmw_buf *obs, crmw_env *e, const char *reset_json)
{
	CRMW__ARGS_NONNULL(e ? &e->h.err : NULL, !obs || !e || !reset_json);
	crmw_env_pool *p = e->p;
	static const char *const keys[] = {"task", "index", "seed", "episode_id", "tools"};
	json_t *o;
	int rc = crmw__json_options(&o, &e->h.err, reset_json, "reset", keys, 5);
	if (rc)
		return rc;
	const json_t *task = json_object_get(o, "task"), *index = json_object_get(o, "index"),
		     *seed = json_object_get(o, "seed"), *ep = json_object_get(o, "episode_id");
	bool with_tools = !json_is_false(json_object_get(o, "tools"));
	crmw_buf text = CRMW_BUF_INIT;
	int given = (task != NULL) + (index != NULL) + (seed != NULL);
	if (given != 1) {
		rc = crmw__errf(&e->h.err, CRMW_EINVALID, "reset needs exactly one of \"task\", \"index\" and \"seed\"");
	} else if (ep && (!json_is_string(ep) || json_string_length(ep) == 0 || json_string_length(ep) > 256)) {
		rc = crmw__errf(&e->h.err, CRMW_EINVALID, "reset \"episode_id\" must be a string of 1 to 256 bytes");
	} else if (task) {
		rc = json_is_object(task) ? json_text(&text, task)
					  : crmw__errf(&e->h.err, CRMW_EINVALID, "reset \"task\" must be a task object");
	} else {
		int64_t n = p->tasks ? crmw_task_set_count(p->tasks) : 0;
		if (n <= 0) {
			rc = crmw__errf(&e->h.err, CRMW_ESTATE, "reset by index or seed needs the pool's tasks (crmw_env_pool_set_tasks)");
		} else if (index && (!json_is_integer(index) || json_integer_value(index) < 0 || json_integer_value(index) >= n)) {
			rc = crmw__errf(&e->h.err, CRMW_EINVALID, "reset \"index\" must be an integer from 0 to %lld", (long long)n - 1);
		} else if (seed && !json_is_integer(seed)) {
			rc = crmw__errf(&e->h.err, CRMW_EINVALID, "reset \"seed\" must be an integer");
		} else {
			int64_t i = index ? json_integer_value(index) : (int64_t)(mix((uint64_t)json_integer_value(seed)) % (uint64_t)n);
			rc = crmw_task_set_get(&text, p->tasks, i);
		}
	}
	char epid[300];
	if (!rc) {
		if (ep)
			snprintf(epid, sizeof epid, "%s", json_string_value(ep));
		else
			epid[0] = '\0';
	}
	json_decref(o);
	if (rc) {
		crmw_buf_dispose(&text);
		return rc;
	}
	ctx *c = ctx_get(p, &e->h.err);
	if (!c) {
		crmw_buf_dispose(&text);
		return crmw__errf(&e->h.err, CRMW_ENOMEM, "%s", crmw__err_msg(&e->h.err));
	}
	drop_session(e, c);
	e->resets++;
	char sopts[400] = "";
	if (epid[0]) {
		json_t *so = json_pack("{s:s}", "episode_id", epid);
		char *st = so ? json_dumps(so, JSON_COMPACT) : NULL;
		snprintf(sopts, sizeof sopts, "%s", st ? st : "");
		free(st);
		json_decref(so);
	}
	rc = crmw_session_new(&e->s, c->a, text.data, sopts[0] ? sopts : NULL);
	crmw_buf_dispose(&text);
	if (rc) {
		crmw__errf(&e->h.err, rc, "%s", crmw_last_error());
		ctx_put(p, c);
		return rc;
	}
	if (!epid[0]) { /* unique in the pool: the agent's own counter is per context */
		char sfx[64];
		snprintf(sfx, sizeof sfx, "#e%llu.%llu", (unsigned long long)e->id, (unsigned long long)e->resets);
		rc = crmw__session_episode_suffix(e->s, sfx);
	}
	rc = rc ? rc : crmw__session_arm(e->s);
	const char *tools_text = NULL;
	if (!rc && with_tools)
		crmw__agent_tools(c->a, &tools_text, &rc);
	crmw__buf_clear(obs);
	if (!rc) {
		const json_t *msgs = crmw__session_messages(e->s);
		const char *tid, *fam, *eid;
		crmw__session_ids(e->s, &tid, &fam, &eid);
		json_t *ids = json_pack("[s,s,s]", tid, fam, eid);
		rc = ids ? crmw__buf_puts(obs, "{\"task_id\":") : CRMW_ENOMEM;
		rc = rc ? rc : json_text(obs, json_array_get(ids, 0));
		rc = rc ? rc : crmw__buf_puts(obs, ",\"family\":");
		rc = rc ? rc : json_text(obs, json_array_get(ids, 1));
		rc = rc ? rc : crmw__buf_puts(obs, ",\"episode_id\":");
		rc = rc ? rc : json_text(obs, json_array_get(ids, 2));
		json_decref(ids);
		rc = rc ? rc : crmw__buf_puts(obs, ",\"turn\":0,\"messages\":");
		rc = rc ? rc : messages_from(obs, msgs, 0);
		if (!rc && tools_text) {
			rc = crmw__buf_puts(obs, ",\"tools\":");
			rc = rc ? rc : crmw__buf_puts(obs, tools_text);
		}
		rc = rc ? rc : crmw__buf_putc(obs, '}');
		e->seen = json_array_size(msgs);
		if (rc)
			rc = crmw__errf(&e->h.err, CRMW_ENOMEM, "out of memory");
	} else {
		crmw__errf(&e->h.err, rc, "%s", crmw_last_error());
	}
	ctx_put(p, c);
	return rc;
}

int crmw_env_step(crmw_buf *out, crmw_env *e, const char *output, size_t len)
{
	CRMW__ARGS_NONNULL(e ? &e->h.err : NULL, !out || !e || (!output && len));
	if (!e->s)
		return crmw__errf(&e->h.err, CRMW_ESTATE, "no episode: call crmw_env_reset first");
	if (crmw__session_state_done(e->s))
		return crmw__errf(&e->h.err, CRMW_ESTATE, "the episode is over: call crmw_env_reset");
	ctx *c = ctx_get(e->p, &e->h.err);
	if (!c)
		return crmw__errf(&e->h.err, CRMW_ENOMEM, "%s", crmw__err_msg(&e->h.err));
	crmw__session_rebind(e->s, c->a);
	int rc = crmw_session_feed(e->s, output ? output : "", len);
	if (rc == CRMW_EUSER) /* a callback aborted: the episode ended, that is the step's result */
		rc = CRMW_OK;
	if (!rc && !crmw__session_state_done(e->s))
		rc = crmw__session_arm(e->s);
	if (rc) {
		crmw__errf(&e->h.err, rc, "%s", crmw_session_errmsg(e->s));
		ctx_put(e->p, c);
		return rc;
	}
	bool done = crmw__session_state_done(e->s) != 0;
	const json_t *msgs = crmw__session_messages(e->s);
	const json_t *dec = crmw__session_last_decision(e->s);
	crmw__buf_clear(out);
	rc = crmw__buf_puts(out, "{\"messages\":");
	rc = rc ? rc : messages_from(out, msgs, e->seen);
	const json_t *rinfo = NULL;
	double reward = crmw__session_reward(e->s, &rinfo);
	if (!rc) {
		if (done && rinfo) {
			char num[40];
			snprintf(num, sizeof num, "%.17g", reward);
			if (!strpbrk(num, ".eEni")) /* a JSON real, as in trajectories */
				strcat(num, ".0");
			rc = crmw__buf_printf(out, ",\"reward\":%s", num);
		}
		else
			rc = crmw__buf_puts(out, ",\"reward\":null");
	}
	rc = rc ? rc : crmw__buf_printf(out, ",\"done\":%s,\"info\":{\"turn\":%d,\"actions\":[", done ? "true" : "false",
					 crmw__session_turn(e->s));
	size_t i;
	json_t *act;
	bool first = true;
	json_array_foreach(json_object_get(dec, "actions"), i, act) {
		if (rc)
			break;
		rc = crmw__buf_puts(out, first ? "{\"name\":" : ",{\"name\":");
		first = false;
		const json_t *name = json_object_get(act, "name");
		rc = rc ? rc : json_text(out, name ? name : json_object_get(act, "type"));
		rc = rc ? rc : crmw__buf_puts(out, ",\"status\":");
		rc = rc ? rc : json_text(out, json_object_get(act, "status"));
		rc = rc ? rc : crmw__buf_putc(out, '}');
	}
	rc = rc ? rc : crmw__buf_putc(out, ']');
	const json_t *fe = json_object_get(dec, "format_error");
	if (!rc && fe)
		rc = crmw__buf_puts(out, ",\"format_error\":") || json_text(out, fe);
	if (!rc && done) {
		const char *end = crmw__session_end_reason(e->s);
		rc = crmw__buf_printf(out, ",\"end_reason\":\"%s\"", end ? end : ""); /* a fixed word */
		if (!rc && rinfo)
			rc = crmw__buf_puts(out, ",\"reward_info\":") || json_text(out, rinfo) ? CRMW_ENOMEM : 0;
		const json_t *ans = json_object_get(dec, "answer");
		if (!rc && ans)
			rc = crmw__buf_puts(out, ",\"answer\":") || json_text(out, ans) ? CRMW_ENOMEM : 0;
	}
	rc = rc ? rc : crmw__buf_puts(out, "}}");
	e->seen = json_array_size(msgs);
	ctx_put(e->p, c);
	return rc ? crmw__errf(&e->h.err, CRMW_ENOMEM, "out of memory") : CRMW_OK;
}

int crmw_env_trajectory(crmw_buf *out, crmw_env *e)
{
	CRMW__ARGS_NONNULL(e ? &e->h.err : NULL, !out || !e);
	if (!e->s)
		return crmw__errf(&e->h.err, CRMW_ESTATE, "no episode: call crmw_env_reset first");
	return crmw_session_trajectory(out, e->s);
}

/* ------------------------------------------------------------------ batch */

static void run_batch(batch *b)
{
	for (;;) {
		int i = atomic_fetch_add(&b->next, 1);
		if (i >= b->n)
			return;
		int rc = crmw_env_step(&b->outs[i], b->envs[i], b->outputs[i], b->lens[i]);
		if (b->rcs)
			b->rcs[i] = rc;
		atomic_fetch_add(&b->done, 1);
	}
}

static void *worker_main(void *arg)
{
	crmw_env_pool *p = arg;
	uint64_t seen = 0;
	pthread_mutex_lock(&p->wmu);
	for (;;) {
		while (!p->stop && (p->job == NULL || p->job_gen == seen))
			pthread_cond_wait(&p->wake, &p->wmu);
		if (p->stop)
			break;
		seen = p->job_gen;
		batch *b = p->job;
		p->job_users++;
		pthread_mutex_unlock(&p->wmu);
		run_batch(b);
		pthread_mutex_lock(&p->wmu);
		if (--p->job_users == 0 && atomic_load(&b->done) == b->n)
			pthread_cond_broadcast(&p->finished);
	}
	pthread_mutex_unlock(&p->wmu);
	return NULL;
}

int crmw_env_step_batch(crmw_env_pool *p, crmw_env *const *envs, const char *const *outputs,
				 const size_t *lens, crmw_buf *outs, int *rcs, int32_t n)
{
	CRMW__ARGS_NONNULL(p ? &p->h.err : NULL, !p || n < 0 || (n > 0 && (!envs || !outputs || !lens || !outs)));
	for (int32_t i = 0; i < n; i++)
		if (!envs[i] || envs[i]->p != p)
			return crmw__errf(&p->h.err, CRMW_EINVALID, "crmw_env_step_batch: environment %d is not of this pool", i);
	/* The steps' statuses are collected also when the host does not ask
	 * for them: the call reports the first failure either way. */
	int *own = NULL;
	if (!rcs && n > 0 && !(rcs = own = malloc((size_t)n * sizeof *own)))
		return crmw__errf(&p->h.err, CRMW_ENOMEM, "out of memory");
	batch b = {envs, outputs, lens, outs, rcs, n, 0, 0};
	atomic_init(&b.next, 0);
	atomic_init(&b.done, 0);
	pthread_mutex_lock(&p->batch_mu);
	if (p->nworkers > 0 && n > 1) {
		pthread_mutex_lock(&p->wmu);
		p->job = &b;
		p->job_gen++;
		pthread_cond_broadcast(&p->wake);
		pthread_mutex_unlock(&p->wmu);
		run_batch(&b); /* the calling thread helps */
		pthread_mutex_lock(&p->wmu);
		/* every step done, and no worker still inside run_batch(&b): a
		 * late one would read the batch after this frame is gone */
		while (atomic_load(&b.done) < n || p->job_users > 0)
			pthread_cond_wait(&p->finished, &p->wmu);
		p->job = NULL;
		pthread_mutex_unlock(&p->wmu);
	} else {
		run_batch(&b);
	}
	pthread_mutex_unlock(&p->batch_mu);
	int rc = CRMW_OK;
	for (int32_t i = 0; i < n && !rc; i++)
		if (rcs[i])
			rc = crmw__errf(&p->h.err, rcs[i], "step %d: %s", i, crmw_env_errmsg(envs[i]));
	free(own);
	return rc;
}

/* ------------------------------------------------------------------ groups */

int crmw_group_stats(crmw_buf *out, double *advantages, const double *rewards, int32_t n)
{
	if (n < 0 || (n > 0 && !rewards))
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_group_stats: bad argument");
	double mean = 0, var = 0;
	for (int32_t i = 0; i < n; i++)
		mean += rewards[i];
	mean = n ? mean / n : 0;
	for (int32_t i = 0; i < n; i++)
		var += (rewards[i] - mean) * (rewards[i] - mean);
	double sd = n ? sqrt(var / n) : 0;
	int rc = out ? (crmw__buf_clear(out), crmw__buf_printf(out, "{\"size\":%d,\"mean\":%.17g,\"std\":%.17g,\"advantages\":[",
							       n, mean, sd))
		     : CRMW_OK;
	for (int32_t i = 0; i < n; i++) {
		double adv = sd > 0 ? (rewards[i] - mean) / (sd + 1e-6) : 0.0;
		if (advantages)
			advantages[i] = adv;
		if (out && !rc)
			rc = crmw__buf_printf(out, "%s%.17g", i ? "," : "", adv);
	}
	if (out && !rc)
		rc = crmw__buf_puts(out, "]}");
	return rc ? crmw__errf(NULL, CRMW_ENOMEM, "out of memory") : CRMW_OK;
}
