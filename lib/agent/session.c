/*
 * lib/agent/session.c: one episode.  A small state machine: a request for
 * the model is handed out (crmw_session_next), the model's output comes back
 * (crmw_session_feed), is parsed into actions that run against the org, and
 * the observations go into the next request, until an answer, the turn
 * limit, an error or a cancellation ends it.  Then the reward, the memory
 * counters and (optionally) a guideline written back, possibly worded by the
 * model through one more "distill" request.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "agent/parse.h"
#include "common/json.h"
#include "query/internal.h"
#include "tasks/internal.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ST_CHAT_READY, ST_CHAT_WAIT, ST_DISTILL_READY, ST_DISTILL_WAIT, ST_DONE };

struct crmw_session {
	crmw_handle h;
	crmw_agent *a;
	json_t *task;
	bool has_answer, external;
	char *task_id, *family, *episode_id;
	crmw_query_opts *opts;
	json_t *messages, *decisions, *calls, *step_times, *mem_hits;
	const json_t *tools; /* the agent's export, borrowed (never incref'd: shared across threads) */
	int turn, state;
	char *request; /* the pending request */
	size_t request_len;
	char *answer;
	const char *end_reason;
	char *error;
	double reward;
	json_t *reward_info; /* NULL: no reward (the task has no answer) */
	crmw_task_set *user_ts;
	crmw_user_sim *user;
	int64_t prompt_tokens, completion_tokens;
	bool has_usage;
	int64_t t0, t_req, t_end, model_us, tools_us;
	atomic_int canceled;
	int cancel_gen; /* the agent's generation when the session was made */
	int64_t mem_written;
	bool mem_merged;
	char *mem_note;
	char *mem_scope;   /* the role's memory scope (crmw__role_scope) */
	char *mem_query;   /* restricted roles: the query kept with the guideline, values replaced */
	int mem_left_out;  /* restricted roles: values left out of the plan */
	json_t *plan;
	char *plan_text;
	char *task_text; /* the task without its gold (crmw_request_task) */
	size_t task_text_len;
	json_t *plan_used; /* the built-in plan that answered (crmw__session_note_plan) */
	json_t *turn_plan; /* the plan of the turn being fed: its decision's "plan" */
	crmw_role *host_role; /* crmw_session_new_as's role (a reference), used when has_host_role */
	bool has_host_role;
	crmw_role *reg_base;  /* the registry's base role the episode's role was narrowed by (a reference) */
	int64_t chat_calls, plan_calls;
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int nomem(crmw_session *s)
{
	return crmw__errf(&s->h.err, CRMW_ENOMEM, "out of memory");
}

/* Append with a check: jansson's setters fail only when out of memory. */
static int push(json_t *arr, json_t *v)
{
	return v && json_array_append_new(arr, v) == 0 ? CRMW_OK : CRMW_ENOMEM;
}

/* --------------------------------------------------------------- the task */

static char *task_id_of(const json_t *task)
{
	const json_t *id = json_object_get(task, "id");
	if (json_is_string(id))
		return crmw__strdup(json_string_value(id));
	const json_t *idx = json_object_get(task, "idx");
	char buf[32];
	if (json_is_integer(idx)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(idx));
		return crmw__strdup(buf);
	}
	return crmw__strdup("task");
}

static int load_task(crmw_session *s, const char *task_json)
{
	json_t *t;
	crmw__json_error je;
	int rc = crmw__json_parse(task_json, strlen(task_json), &t, &je);
	if (rc)
		return crmw__errf(&s->h.err, rc, "the task is not JSON: %s (line %d, column %d)", je.text, je.line,
				  je.column);
	s->task = t;
	if (!json_is_object(t) || !json_is_string(json_object_get(t, "query")) ||
	    json_string_length(json_object_get(t, "query")) == 0)
		return crmw__errf(&s->h.err, CRMW_EINVALID, "the task must be an object with a non-empty \"query\"");
	char why[256];
	if (json_object_get(t, "answer")) {
		if (crmw__task_check_record(t, why, sizeof why))
			return crmw__errf(&s->h.err, CRMW_EINVALID, "bad task: %s", why);
		s->has_answer = true;
	}
	const char *fam = NULL;
	for (const char *const *k = (const char *const[]){"family", "task", "type", NULL}; *k && !fam; k++)
		fam = json_string_value(json_object_get(t, *k));
	s->family = crmw__strdup(fam ? fam : "custom");
	s->task_id = task_id_of(t);
	return s->family && s->task_id ? CRMW_OK : nomem(s);
}

/*
 * Today and role from the task's context.  The episode's role is the
 * registry's base role, narrowed by the host's (the session's, else the
 * agent's), narrowed by the task's: the task can only take access away.
 */
static int task_opts(crmw_session *s)
{
	int rc = crmw_query_opts_new(&s->opts);
	if (rc)
		return crmw__errf(&s->h.err, rc, "%s", crmw_last_error());
	const json_t *ctx = json_object_get(s->task, "context");
	const char *today = json_string_value(json_object_get(ctx, "today"));
	const char *role_text = json_string_value(json_object_get(ctx, "role"));
	if (today && (rc = crmw_query_opts_set_today(s->opts, today)))
		return crmw__errf(&s->h.err, CRMW_EINVALID, "bad task context.today: %s", crmw_last_error());
	crmw_role *task_role = NULL, *host = NULL, *role = NULL;
	if (role_text && strcmp(role_text, "internal") != 0) {
		rc = crmw_role_new(&task_role, s->a->db, role_text, NULL);
		if (rc)
			return crmw__errf(&s->h.err, CRMW_EINVALID, "bad task context.role: %s", crmw_last_error());
		s->external = strncmp(role_text, "external", 8) == 0;
	}
	const crmw_role *host_role = s->has_host_role ? s->host_role : s->a->role;
	s->reg_base = crmw__role_ref(crmw_registry_role(s->a->reg));
	rc = crmw__role_narrow(&host, s->reg_base, host_role);
	rc = rc ? rc : crmw__role_narrow(&role, host, task_role);
	rc = rc ? rc : crmw_query_opts_set_role(s->opts, role);
	crmw_role_free(role); /* the options hold their own reference */
	crmw_role_free(host);
	crmw_role_free(task_role);
	if (rc)
		return crmw__errf(&s->h.err, rc, "%s", crmw_last_error());
	if (host_role && strncmp(crmw_role_name(host_role), "external", 8) == 0)
		s->external = true; /* the host serves a customer */
	const char *audience = json_string_value(json_object_get(ctx, "audience"));
	if (audience && strcmp(audience, "customer") == 0)
		s->external = true; /* a customer-facing task with the access the task's role gives */
	if (s->a->o.max_observation > 0)
		crmw_query_opts_set_max_bytes(s->opts, s->a->o.max_observation * 4);
	return CRMW_OK;
}

/* The context of the episode's tool calls and approvals. */
static void tool_ctx(const crmw_session *s, crmw_tool_ctx *ctx)
{
	*ctx = (crmw_tool_ctx){.role = s->opts->role, .base = s->reg_base, .episode_today = s->opts->today[0] != '\0',
			       .task_id = s->task_id, .episode_id = s->episode_id};
	const char *now = crmw_db_now(s->a->db);
	const char *day = ctx->episode_today ? s->opts->today : crmw__registry_today(s->a->reg);
	if (!day[0] && now && strlen(now) >= 10)
		day = now;
	snprintf(ctx->today, sizeof ctx->today, "%.10s", day);
}

/* ----------------------------------------------------------------- memory */

/* The ids of the retrieved entries (at most 100: "k" is capped there). */
static size_t hit_ids(const crmw_session *s, int64_t ids[100])
{
	size_t n = json_array_size(s->mem_hits);
	for (size_t i = 0; i < n && i < 100; i++)
		ids[i] = json_integer_value(json_object_get(json_array_get(s->mem_hits, i), "id"));
	return n < 100 ? n : 100;
}

/* Is the episode's role restricted (its entries are its own and keep no
 * value of it)?  Unrestricted roles read and write the "internal" scope. */
static bool mem_restricted(const crmw_session *s)
{
	return !s->mem_scope || strcmp(s->mem_scope, "internal") != 0;
}

const char *crmw__session_mem_scope(const crmw_session *s)
{
	return s && s->mem_scope ? s->mem_scope : "global"; /* none: the global entries only */
}

/* The tag of the guidelines written from programs (write_program_guide). */
#define GUIDE_TAG "program-guide"

/* Search the guidelines the episode may read for its query: the k best
 * (leaving out `except`, a hit), or with `guide` the family's program
 * guide (one, any score).  *hits: a new array. */
static int search_guidelines(crmw_session *s, json_t **hits, bool guide, const json_t *except)
{
	crmw_agent *a = s->a;
	*hits = NULL;
	json_t *o = json_pack("{s:i, s:f, s:s, s:s}", "k", guide ? 1 : a->o.mem_k, "min_score",
			      guide ? -1.0 : a->o.mem_min_score, "kind", "guideline", "scope", s->mem_scope);
	if (o && (guide || a->o.mem_same_family) && s->family && json_object_set_new(o, "family", json_string(s->family)))
		json_decref(o), o = NULL;
	if (o && guide && json_object_set_new(o, "tags", json_pack("[s]", GUIDE_TAG)))
		json_decref(o), o = NULL;
	if (o && except && json_object_set_new(o, "exclude", json_pack("[O]", json_object_get(except, "id"))))
		json_decref(o), o = NULL;
	char *ot = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!ot)
		return nomem(s);
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_memory_search(&b, a->mem, json_string_value(json_object_get(s->task, "query")), ot);
	free(ot);
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&s->h.err, rc, "memory retrieval failed: %s", crmw_memory_errmsg(a->mem));
	}
	rc = crmw__json_parse(b.data, b.len, hits, NULL);
	crmw_buf_dispose(&b);
	if (rc)
		return crmw__errf(&s->h.err, rc, "memory retrieval gave no JSON");
	return CRMW_OK;
}

/* The episode's guidelines: those of its role's scope and the global ones
 * (docs/access.md, "Roles and shared memory"); the store applies the scope
 * inside the search, before the k best are taken.  With memory.programs,
 * the family's program guide comes first (docs/agent.md). */
static int retrieve(crmw_session *s)
{
	crmw_agent *a = s->a;
	s->mem_hits = json_array();
	if (!s->mem_hits)
		return nomem(s);
	/* the scope is needed also without a store: the memory policy has its own */
	crmw_buf sb = CRMW_BUF_INIT;
	if (crmw__role_scope(&sb, s->opts ? s->opts->role : NULL)) {
		crmw_buf_dispose(&sb);
		return nomem(s);
	}
	s->mem_scope = sb.data;
	if (!a->mem || a->o.mem_k <= 0)
		return CRMW_OK;
	/* with programs, the family's program guide first, whatever its score */
	json_t *guide = NULL;
	int rc = a->o.mem_programs && s->family ? search_guidelines(s, &guide, true, NULL) : CRMW_OK;
	json_t *hits = NULL;
	rc = rc ? rc : search_guidelines(s, &hits, false, json_array_get(guide, 0));
	if (!rc && json_array_size(guide) && json_array_insert(hits, 0, json_array_get(guide, 0)))
		rc = crmw__errf(&s->h.err, CRMW_ENOMEM, "out of memory");
	json_decref(guide);
	if (rc) {
		json_decref(hits);
		return rc;
	}
	/* An episode keeps its hits to the end; a guideline's provenance grows
	 * with every episode that corroborates it, so it is not kept here. */
	size_t hi;
	json_t *hv;
	json_array_foreach(hits, hi, hv) json_object_del(hv, "provenance");
	json_decref(s->mem_hits);
	s->mem_hits = hits;
	int64_t ids[100];
	size_t n = hit_ids(s, ids);
	if (n == 0)
		return CRMW_OK;
	rc = crmw_memory_feedback(NULL, a->mem, ids, n, CRMW_MEM_RETRIEVED, 1);
	if (rc)
		crmw__log(&a->h.log, CRMW_LOG_WARN, "memory: counting retrievals failed: %s", crmw_memory_errmsg(a->mem));
	return CRMW_OK;
}

static void feedback(crmw_session *s)
{
	int64_t ids[101];
	size_t n = hit_ids(s, ids);
	json_int_t pid = json_integer_value(json_object_get(s->plan_used, "memory_id"));
	bool seen = pid <= 0;
	for (size_t i = 0; i < n && !seen; i++)
		seen = ids[i] == pid;
	if (!seen)
		ids[n++] = pid;
	if (!s->a->mem || n == 0 || !s->reward_info)
		return;
	int ev = s->reward >= s->a->o.mem_success ? CRMW_MEM_SUCCESS : CRMW_MEM_FAILURE;
	if (crmw_memory_feedback(NULL, s->a->mem, ids, n, ev, 1))
		crmw__log(&s->a->h.log, CRMW_LOG_WARN, "memory: updating counters failed: %s",
			  crmw_memory_errmsg(s->a->mem));
}

/* Why nothing (or not what was asked) was written back: "what[: detail]". */
static void note(crmw_session *s, const char *what, const char *detail)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
	free(s->mem_note);
	s->mem_note = crmw__strdup(buf);
}

/* Write-backs that read an entry and write it again are serialised in the
 * process, so that concurrent episodes (environments, --jobs) lose no
 * corroboration: a guideline's add (which may merge into an entry) and
 * corroborate()'s read and rewrite of an entry take the same lock. */
static pthread_mutex_t writeback_mu = PTHREAD_MUTEX_INITIALIZER;

/* Write the guideline (`text`, `source` "distilled" or "trajectory"). */
static void write_guideline(crmw_session *s, const char *text, const char *source)
{
	crmw_buf title = CRMW_BUF_INIT;
	size_t i;
	json_t *st;
	int rc = crmw__buf_printf(&title, "%s:", s->family);
	json_array_foreach(json_object_get(s->plan, "steps"), i, st) {
		if (rc || title.len > 160)
			break;
		rc = crmw__buf_printf(&title, "%s%s", i ? " -> " : " ", json_string_value(json_object_get(st, "name")));
	}
	/* a restricted role's guideline is kept in its scope with the query's
	 * values replaced (crmw__plan_abstract) */
	json_t *query = s->mem_query ? json_string(s->mem_query) : json_incref(json_object_get(s->task, "query"));
	json_t *e = rc || !query
			    ? NULL
			    : json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:[s], s:{s:O, s:s, s:s, s:s, s:f}, s:[s]}",
					"kind", "guideline", "title", title.data, "text", text, "query", query, "family",
					s->family, "scope", crmw__session_mem_scope(s), "tags",
					s->a->o.mode == MODE_REACT ? "react" : "tools", "metadata", "plan", s->plan, "task_id",
					s->task_id, "source", source, "mode", s->a->o.mode == MODE_REACT ? "react" : "tools",
					"reward", s->reward, "provenance", s->episode_id);
	json_decref(query);
	if (e && mem_restricted(s))
		json_object_set_new(json_object_get(e, "metadata"), "values_left_out", json_integer(s->mem_left_out));
	crmw_buf_dispose(&title);
	char *ej = e ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	if (!ej) {
		note(s, "out of memory writing the guideline", NULL);
		return;
	}
	int32_t merged = 0;
	/* an add may merge into an entry that corroborate() is rewriting */
	pthread_mutex_lock(&writeback_mu);
	rc = crmw_memory_add(&s->mem_written, &merged, s->a->mem, ej, NULL, 0);
	pthread_mutex_unlock(&writeback_mu);
	free(ej);
	if (rc) {
		s->mem_written = 0;
		note(s, "writing the guideline failed", crmw_memory_errmsg(s->a->mem));
	} else {
		s->mem_merged = merged != 0;
	}
}

/* One more solved episode followed the plan of retrieved entry `h`. */
static void corroborate(crmw_session *s, const json_t *h)
{
	json_int_t id = json_integer_value(json_object_get(h, "id"));
	pthread_mutex_lock(&writeback_mu);
	crmw_buf cur = CRMW_BUF_INIT;
	json_t *fresh = NULL;
	if (crmw_memory_get(&cur, s->a->mem, id) == CRMW_OK)
		crmw__json_parse(cur.data, cur.len, &fresh, NULL);
	crmw_buf_dispose(&cur);
	if (!fresh) { /* the retrieved copy has no provenance (see retrieve): never write a stale one */
		note(s, "corroborating the guideline failed", crmw_memory_errmsg(s->a->mem));
		pthread_mutex_unlock(&writeback_mu);
		return;
	}
	h = fresh;
	json_t *md = json_deep_copy(json_object_get(h, "metadata"));
	json_t *prov = json_deep_copy(json_object_get(h, "provenance"));
	if (!json_is_object(md))
		md = json_object();
	if (!json_is_array(prov)) {
		json_decref(prov);
		prov = json_array();
	}
	json_int_t support = json_integer_value(json_object_get(md, "support"));
	json_object_set_new(md, "support", json_integer((support > 0 ? support : 1) + 1));
	json_array_append_new(prov, json_string(s->episode_id));
	json_t *patch = json_pack("{s:o, s:o}", "metadata", md, "provenance", prov);
	char *pt = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
	json_decref(patch);
	if (!pt || crmw_memory_update(s->a->mem, id, pt)) {
		note(s, "corroborating the guideline failed", pt ? crmw_memory_errmsg(s->a->mem) : "out of memory");
	} else {
		s->mem_written = id;
		s->mem_merged = true;
		note(s, "not written: a retrieved guideline with the same plan was corroborated", NULL);
	}
	free(pt);
	json_decref(fresh);
	pthread_mutex_unlock(&writeback_mu);
}

static json_t *parsed_calls(const json_t *calls);

/* Programs (docs/backends.md, "Programs"; agent option memory.programs): a
 * solved episode of an unrestricted role becomes an example of its family's program entry (kind
 * "plan", tag "program", one entry per family and scope), whose programs
 * are induced again from its examples, the newest memory.program_examples
 * of them (default 100: at 40, a family's variants kept too few tasks each
 * and the memory policy solved 57% of b2b seed 11's structured test tasks
 * where the same programs induced offline from 100 solve 79%; at 100, 73%).
 * A restricted role's episode is not kept: its examples would hold its
 * values.  An example over PROGRAM_EXAMPLE_BYTES (long results) is not kept
 * either; an argument that equals an earlier call's result counts once
 * (crmw__episode_share). */
#define PROGRAM_EXAMPLE_BYTES (64 * 1024)

/* What an example keeps of the task: what the programs read (no gold, no answer). */
static json_t *example_task(const json_t *task)
{
	const json_t *ctx = json_object_get(task, "context");
	json_t *v = json_pack("{s:O?, s:O?, s:O?, s:{s:O?, s:O?}, s:{s:O?}}", "id", json_object_get(task, "id"), "family",
			      json_object_get(task, "family"), "query", json_object_get(task, "query"), "context", "today",
			      json_object_get(ctx, "today"), "role", json_object_get(ctx, "role"), "metadata", "required",
			      json_object_get(json_object_get(task, "metadata"), "required"));
	return v;
}

/* The family's program entry of the session's scope, or NULL (none, or a failure: *rc). */
static json_t *program_entry(crmw_session *s, int *rc)
{
	/* its own scope's entry only ("scopes"): "scope" would also list the
	 * global entries, and this one's examples would go into one of them,
	 * where every reader sees them */
	json_t *o = json_pack("{s:s, s:s, s:[s], s:[s], s:i}", "kind", "plan", "family", s->family, "tags", "program",
			      "scopes", crmw__session_mem_scope(s), "limit", 1);
	char *ot = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	crmw_buf b = CRMW_BUF_INIT;
	json_t *list = NULL;
	*rc = ot ? crmw_memory_list(&b, s->a->mem, ot) : CRMW_ENOMEM;
	if (!*rc && crmw__json_parse(b.data, b.len, &list, NULL))
		*rc = CRMW_ENOMEM;
	free(ot);
	crmw_buf_dispose(&b);
	json_t *e = json_incref(json_array_get(list, 0));
	json_decref(list);
	return e;
}

/* The guideline written from the family's programs (docs/agent.md,
 * "Guidelines from programs"): one per family and scope (kind "guideline",
 * tag "program-guide"), rewritten whenever the programs are induced again,
 * deleted when none is left.  Its text holds no value of the examples
 * (crmw__program_guide).  The pitfalls are the program entry's metadata
 * "pitfalls" (strings; record_pitfall).  Called under
 * writeback_mu. */
static void write_program_guide(crmw_session *s, const json_t *lib, const json_t *examples, const json_t *pitfalls,
				int64_t entry)
{
	crmw_memory *m = s->a->mem;
	const char *scope = crmw__session_mem_scope(s);
	json_t *o = json_pack("{s:s, s:s, s:[s], s:[s], s:i}", "kind", "guideline", "family", s->family, "tags", GUIDE_TAG,
			      "scopes", scope, "limit", 1);
	char *ot = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	crmw_buf b = CRMW_BUF_INIT, text = CRMW_BUF_INIT;
	json_t *list = NULL;
	int rc = ot ? crmw_memory_list(&b, m, ot) : CRMW_ENOMEM;
	free(ot);
	if (!rc && crmw__json_parse(b.data, b.len, &list, NULL))
		rc = CRMW_ENOMEM;
	crmw_buf_dispose(&b);
	int64_t old = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	json_decref(list);
	int grc = rc ? rc : crmw__program_guide(&text, lib, s->family, examples, pitfalls);
	if (grc == CRMW_ENOTFOUND) { /* no program left: the old guide describes none */
		rc = old > 0 ? crmw_memory_delete(m, old) : CRMW_OK;
	} else if (!grc) {
		json_t *w = old > 0 ? json_pack("{s:s, s:{s:s, s:I, s:I}}", "text", text.data, "metadata", "source", "programs",
						"program_entry", (json_int_t)entry, "support", (json_int_t)json_array_size(examples))
				    : json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:s, s:I, s:I}}", "kind", "guideline",
						"title", "steps learned from solved tasks of the family", "text", text.data, "family",
						s->family, "scope", scope, "tags", GUIDE_TAG, "metadata", "source", "programs",
						"program_entry", (json_int_t)entry, "support",
						(json_int_t)json_array_size(examples));
		char *wt = w ? json_dumps(w, JSON_COMPACT) : NULL;
		json_decref(w);
		int32_t merged = 0;
		int64_t added = 0;
		rc = !wt ? CRMW_ENOMEM : old > 0 ? crmw_memory_update(m, old, wt) : crmw_memory_add(&added, &merged, m, wt, NULL, 0);
		free(wt);
		if (!rc && merged)
			note(s, "the program guide merged into an alike guideline", NULL);
	} else {
		rc = grc;
	}
	crmw_buf_dispose(&text);
	if (rc)
		note(s, "writing the program guide failed", rc == CRMW_ENOMEM ? "out of memory" : crmw_memory_errmsg(m));
}

/* The episode's tool calls ({"name", "arguments"}, respond left out) and
 * their results parsed into *cs and *rs; false when a result was cut at a
 * cap or is no JSON (or out of memory: *cs or *rs NULL). */
static bool episode_calls(const crmw_session *s, json_t **cs, json_t **rs)
{
	*cs = json_array();
	*rs = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(s->calls, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const json_t *rt = json_object_get(c, "result_text");
		json_t *res = NULL;
		if (!name || strcmp(name, "respond") == 0)
			continue;
		if (!json_is_string(rt) || crmw__json_parse(json_string_value(rt), json_string_length(rt), &res, NULL))
			return false;
		/* both: each takes its value, even when it fails */
		int bad = json_array_append_new(*cs, json_pack("{s:s, s:O}", "name", name, "arguments", json_object_get(c, "arguments")));
		if (json_array_append_new(*rs, res) || bad) {
			json_decref(*cs);
			json_decref(*rs);
			*cs = *rs = NULL;
			return true;
		}
	}
	return true;
}

/* A failed episode of a family with programs: what it did otherwise than
 * them (crmw__induced_pitfall: tool and argument names, no value) joins
 * the program entry's metadata "pitfalls" (distinct, the newest
 * PITFALLS_MAX), and the family's guide is written again with it.  The
 * entry must exist (a solved episode made it); the same roles as
 * learn_program. */
#define PITFALLS_MAX 8

static void record_pitfall(crmw_session *s)
{
	json_t *cs, *rs;
	if (!episode_calls(s, &cs, &rs) || !cs || !rs) {
		if (!cs || !rs)
			note(s, "out of memory recording the pitfall", NULL);
		json_decref(cs);
		json_decref(rs);
		return;
	}
	pthread_mutex_lock(&writeback_mu);
	int rc;
	json_t *e = program_entry(s, &rc), *nmd = NULL;
	const json_t *md = json_object_get(e, "metadata"), *lib = json_object_get(md, "library");
	crmw_buf b = CRMW_BUF_INIT;
	if (!rc && json_is_object(lib))
		rc = crmw__induced_pitfall(&b, lib, s->task, s->family, cs, rs, s->answer);
	bool known = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(md, "pitfalls"), i, x) {
		known = known || (json_is_string(x) && b.data && strcmp(json_string_value(x), b.data) == 0);
	}
	if (!rc && b.len && !known) {
		json_t *pits = json_is_array(json_object_get(md, "pitfalls")) ? json_deep_copy(json_object_get(md, "pitfalls"))
									       : json_array();
		nmd = json_deep_copy(md);
		if (!pits || !nmd || json_array_append_new(pits, json_string(b.data)))
			rc = CRMW_ENOMEM;
		while (!rc && json_array_size(pits) > PITFALLS_MAX)
			json_array_remove(pits, 0);
		if (!rc) {
			json_t *w = json_object_set(nmd, "pitfalls", pits) ? NULL : json_pack("{s:O}", "metadata", nmd);
			char *text = w ? json_dumps(w, JSON_COMPACT) : NULL;
			json_decref(w);
			int64_t id = json_integer_value(json_object_get(e, "id"));
			rc = !text ? CRMW_ENOMEM : crmw_memory_update(s->a->mem, id, text);
			free(text);
			if (!rc) {
				write_program_guide(s, lib, json_object_get(md, "examples"), pits, id);
				note(s, "a pitfall recorded", b.data);
			}
		}
		json_decref(pits);
	}
	pthread_mutex_unlock(&writeback_mu);
	if (rc)
		note(s, "recording the pitfall failed", rc == CRMW_ENOMEM ? "out of memory" : crmw_memory_errmsg(s->a->mem));
	crmw_buf_dispose(&b);
	json_decref(nmd);
	json_decref(e);
	json_decref(cs);
	json_decref(rs);
}

static void learn_program(crmw_session *s)
{
	json_t *cs, *rs, *task = example_task(s->task);
	bool whole = episode_calls(s, &cs, &rs); /* every result read back as JSON (none cut at a cap) */
	json_t *full = whole && cs && rs && task
			       ? json_pack("{s:O, s:O, s:O, s:s}", "task", task, "calls", cs, "results", rs, "answer",
					   s->answer ? s->answer : "")
			       : NULL;
	/* an argument that was an earlier result kept once */
	json_t *ex = full ? crmw__episode_share(full) : NULL;
	json_decref(full);
	json_decref(cs);
	json_decref(rs);
	json_decref(task);
	if (!ex) {
		if (whole)
			note(s, "out of memory keeping the example", NULL);
		return; /* a result cut at a cap (or no JSON): not an example */
	}
	char *et = json_dumps(ex, JSON_COMPACT);
	size_t elen = et ? strlen(et) : 0;
	free(et);
	if (elen > PROGRAM_EXAMPLE_BYTES) {
		json_decref(ex);
		return; /* results too long to keep as an example */
	}
	pthread_mutex_lock(&writeback_mu);
	int rc;
	json_t *e = program_entry(s, &rc);
	const json_t *md = json_object_get(e, "metadata");
	json_t *examples = json_is_array(json_object_get(md, "examples")) ? json_deep_copy(json_object_get(md, "examples"))
									   : json_array();
	json_t *prov = json_is_array(json_object_get(e, "provenance")) ? json_deep_copy(json_object_get(e, "provenance"))
								       : json_array();
	if (!rc && (!examples || !prov))
		rc = CRMW_ENOMEM;
	if (!rc && json_array_append(examples, ex))
		rc = CRMW_ENOMEM;
	json_decref(ex);
	if (!rc && json_array_append_new(prov, json_string(s->episode_id ? s->episode_id : "")))
		rc = CRMW_ENOMEM;
	while (!rc && json_array_size(examples) > (size_t)s->a->o.mem_program_examples)
		json_array_remove(examples, 0);
	while (!rc && json_array_size(prov) > (size_t)s->a->o.mem_program_examples)
		json_array_remove(prov, 0);
	char why[300] = "";
	json_t *lib = rc ? NULL : crmw__induce(examples, 2, why, sizeof why);
	if (!rc && !lib)
		rc = CRMW_ENOMEM;
	json_t *nmd = rc ? NULL
			 : json_pack("{s:O, s:O, s:I}", "examples", examples, "library", lib, "support",
				     (json_int_t)json_array_size(examples));
	/* the pitfalls of failed episodes (record_pitfall), kept */
	if (nmd && json_is_array(json_object_get(md, "pitfalls")) &&
	    json_object_set(nmd, "pitfalls", json_object_get(md, "pitfalls")))
		rc = CRMW_ENOMEM;
	char *text = NULL;
	if (nmd && !rc) {
		int64_t id = json_integer_value(json_object_get(e, "id"));
		json_t *w = e ? json_pack("{s:O, s:O}", "metadata", nmd, "provenance", prov)
			      : json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:O, s:O}", "kind", "plan", "title", "programs",
					  "text", "programs learned from solved episodes of the family", "family", s->family,
					  "scope", crmw__session_mem_scope(s), "tags", "program", "metadata", nmd,
					  "provenance", prov);
		text = w ? json_dumps(w, JSON_COMPACT) : NULL;
		json_decref(w);
		int32_t merged = 0;
		int64_t added = 0;
		rc = !text ? CRMW_ENOMEM : e ? crmw_memory_update(s->a->mem, id, text)
					      : crmw_memory_add(&added, &merged, s->a->mem, text, NULL, 0);
		if (!rc)
			write_program_guide(s, lib, examples, json_object_get(md, "pitfalls"), e ? id : added);
	}
	pthread_mutex_unlock(&writeback_mu);
	if (rc)
		note(s, "keeping the example failed", rc == CRMW_ENOMEM ? "out of memory" : crmw_memory_errmsg(s->a->mem));
	free(text);
	json_decref(nmd);
	json_decref(lib);
	json_decref(examples);
	json_decref(prov);
	json_decref(e);
}

/* After the reward: counters, and the write-back decision. */
static void memory_after(crmw_session *s, bool count)
{
	crmw_agent *a = s->a;
	s->state = ST_DONE;
	if (!a->mem)
		return;
	if (count)
		feedback(s);
	if (!a->o.mem_write || !count)
		return;
	if (!s->reward_info || s->reward < a->o.mem_success) {
		note(s, "not written: the episode did not succeed", NULL);
		if (s->reward_info && a->o.mem_programs && !mem_restricted(s) && s->family)
			record_pitfall(s);
		return;
	}
	json_t *calls = parsed_calls(s->calls);
	if (a->o.mem_programs && !mem_restricted(s) && s->family && s->answer)
		learn_program(s);
	int prc = calls ? crmw__plan_build(&s->plan, &s->plan_text, s->task, calls, s->answer) : CRMW_ENOMEM;
	if (!prc && mem_restricted(s)) {
		/* a customer's (or any restricted role's) episode: nothing of its
		 * values is kept, in the text, the query, the plan or the slots */
		char *text = NULL;
		prc = crmw__plan_abstract(s->plan, &text, &s->mem_query, &s->mem_left_out, s->task, calls, s->answer);
		if (!prc) {
			free(s->plan_text);
			s->plan_text = text;
		}
	}
	json_decref(calls);
	if (prc) {
		note(s, "out of memory building the plan", NULL);
		return;
	}
	/* A close guideline of the episode's own scope that did the same thing
	 * is corroborated (its "support" grows) instead of written again; a
	 * close one with another plan does not stop this one being written, nor
	 * does one of another scope (the global ones: an episode never writes
	 * into entries other roles read). */
	char *shape = crmw__plan_shape(s->plan);
	size_t i;
	json_t *h;
	json_array_foreach(s->mem_hits, i, h) {
		if (!shape || json_number_value(json_object_get(h, "score")) < a->o.mem_write_threshold)
			continue;
		const char *hs = json_string_value(json_object_get(h, "scope"));
		if (!hs || strcmp(hs, crmw__session_mem_scope(s)) != 0)
			continue;
		const json_t *md = json_object_get(h, "metadata");
		char *other = json_object_get(md, "plan") ? crmw__plan_shape(json_object_get(md, "plan")) : NULL;
		bool same_plan = other && strcmp(other, shape) == 0;
		free(other);
		if (!same_plan)
			continue;
		free(shape);
		corroborate(s, h);
		return;
	}
	free(shape);
	/* a model's wording may repeat any value it saw: restricted roles keep
	 * the text written from the abstracted plan */
	if (a->backend && a->o.mem_distill && !mem_restricted(s))
		s->state = ST_DISTILL_READY;
	else
		write_guideline(s, s->plan_text, "trajectory");
}

/* --------------------------------------------------------- ending episodes */

static void finish(crmw_session *s, const char *reason, const char *error)
{
	if (s->end_reason)
		return;
	s->end_reason = reason;
	s->t_end = now_us();
	if (error && !s->error)
		s->error = crmw__strdup(error);
	if (s->has_answer && !s->answer) {
		/* No answer earns nothing, whatever the metric: an episode that
		 * abstained or failed did not refuse a privacy probe either. */
		s->reward = 0;
		s->reward_info = json_pack("{s:b, s:s}", "answered", 0, "end_reason", reason);
	} else if (s->has_answer) {
		json_t *info = NULL;
		double score = 0;
		int rc = crmw__task_reward(&score, &info, s->task, s->answer ? s->answer : "", s->messages, s->a->judge_fn,
					   s->a->judge_ud);
		if (rc) {
			info = json_pack("{s:s}", "error", crmw_last_error());
			score = 0;
		}
		s->reward = score;
		s->reward_info = info ? info : json_object();
	}
	bool counted = strcmp(reason, "answered") == 0 || strcmp(reason, "max_turns") == 0 ||
		       strcmp(reason, "user_stop") == 0;
	memory_after(s, counted);
}

/* End the episode now (canceled, aborted, the backend failed): a pending
 * distillation gives way to the guideline written from the trajectory. */
static void end_now(crmw_session *s, const char *reason, const char *why)
{
	if (s->state == ST_DISTILL_READY || s->state == ST_DISTILL_WAIT)
		write_guideline(s, s->plan_text, "trajectory");
	else
		finish(s, reason, why);
	s->state = ST_DONE;
}

void crmw__session_abort(crmw_session *s, const char *why)
{
	if (s && s->state != ST_DONE)
		end_now(s, "aborted", why);
}

void crmw__session_rebind(crmw_session *s, crmw_agent *a)
{
	if (s->a == a)
		return;
	s->a = a; /* the old agent is left alone: another thread may be using it */
	s->cancel_gen = atomic_load(&a->cancel_gen);
}

int crmw__session_arm(crmw_session *s)
{
	if (s->state == ST_DISTILL_READY) /* no model to word it: the plan's text */
		end_now(s, "answered", NULL);
	if (s->state != ST_CHAT_READY)
		return s->state == ST_DONE ? CRMW_OK : crmw__errf(&s->h.err, CRMW_ESTATE, "the episode is not ready");
	s->state = ST_CHAT_WAIT;
	s->t_req = now_us();
	return CRMW_OK;
}

const json_t *crmw__session_messages(const crmw_session *s)
{
	return s->messages;
}

int crmw__session_state_done(const crmw_session *s)
{
	return s->state == ST_DONE;
}

double crmw__session_reward(const crmw_session *s, const json_t **info)
{
	if (info)
		*info = s->reward_info;
	return s->reward;
}

const char *crmw__session_end_reason(const crmw_session *s)
{
	return s->end_reason;
}

const json_t *crmw__session_last_decision(const crmw_session *s)
{
	size_t n = json_array_size(s->decisions);
	return n ? json_array_get(s->decisions, n - 1) : NULL;
}

int crmw__session_turn(const crmw_session *s)
{
	return s->turn;
}

void crmw__session_ids(const crmw_session *s, const char **task_id, const char **family, const char **episode_id)
{
	*task_id = s->task_id;
	*family = s->family;
	*episode_id = s->episode_id;
}

int crmw__session_episode_suffix(crmw_session *s, const char *suffix)
{
	char buf[400];
	snprintf(buf, sizeof buf, "%.200s%.100s", s->task_id, suffix);
	char *id = crmw__strdup(buf);
	if (!id)
		return nomem(s);
	free(s->episode_id);
	s->episode_id = id;
	return CRMW_OK;
}

/* Written when a backend first asks (crmw_request_task), on the thread
 * running the session: most episodes never need it. */
const char *crmw__session_task_text(const crmw_session *cs, size_t *len)
{
	crmw_session *s = (crmw_session *)cs;
	if (!s->task_text) {
		/* what a backend may see: everything but the solution and the
		 * values a probe protects */
		json_t *pub = crmw__task_view(s->task);
		if (pub) {
			if (!json_object_get(pub, "family"))
				json_object_set_new(pub, "family", json_string(s->family));
			s->task_text = json_dumps(pub, JSON_COMPACT);
			s->task_text_len = s->task_text ? strlen(s->task_text) : 0;
			json_decref(pub);
		}
	}
	if (len)
		*len = s->task_text_len;
	return s->task_text;
}

const json_t *crmw__session_task(const crmw_session *s)
{
	return s->task;
}

void crmw__session_note_plan(crmw_session *s, const json_t *plan)
{
	s->plan_calls++;
	if (!s->plan_used && plan)
		s->plan_used = json_deep_copy(plan);
	json_decref(s->turn_plan);
	s->turn_plan = plan ? json_deep_copy(plan) : NULL;
}

const char *crmw__session_purpose(const crmw_session *s)
{
	return s->state == ST_DISTILL_WAIT ? "distill" : "chat";
}

bool crmw__session_canceled(const crmw_session *s)
{
	return atomic_load(&s->canceled) != 0 || atomic_load(&s->a->cancel_gen) != s->cancel_gen;
}

/* --------------------------------------------------------------- creation */

static int first_message(crmw_session *s)
{
	crmw_agent *a = s->a;
	const char *query = json_string_value(json_object_get(s->task, "query"));
	if (!a->o.multi_turn)
		return push(s->messages, json_pack("{s:s, s:s}", "role", "user", "content", query)) ? nomem(s) : CRMW_OK;
	if (a->o.user_curriculum && !s->has_answer && !a->user_fn)
		return crmw__errf(&s->h.err, CRMW_EINVALID,
				  "the curriculum user needs a task with an \"answer\" (it judges answers), or a user "
				  "callback (crmw_agent_set_user)");
	json_t *arr = json_pack("[O]", s->task);
	int rc = arr ? crmw__task_set_wrap(&s->user_ts, arr) : CRMW_ENOMEM;
	if (rc)
		return crmw__errf(&s->h.err, rc, "out of memory");
	char uo[128];
	snprintf(uo, sizeof uo, "{\"max_turns\":%d,\"mode\":\"%s\",\"seed\":%lld}", a->o.user_max_turns,
		 a->o.user_curriculum ? "curriculum" : "persona", (long long)a->o.user_seed);
	rc = crmw_user_sim_new(&s->user, s->user_ts, 0, uo);
	if (!rc && a->user_fn)
		rc = crmw_user_sim_set_callback(s->user, a->user_fn, a->user_ud);
	crmw_buf b = CRMW_BUF_INIT;
	rc = rc ? rc : crmw_user_sim_reply(&b, s->user, NULL);
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&s->h.err, rc, "the simulated user: %s", crmw_last_error());
	}
	rc = push(s->messages, json_pack("{s:s, s:s}", "role", "user", "content", b.data));
	crmw_buf_dispose(&b);
	return rc ? nomem(s) : CRMW_OK;
}

int crmw_session_new(crmw_session **out, crmw_agent *a, const char *task_json, const char *options_json)
{
	return crmw_session_new_as(out, a, NULL, task_json, options_json);
}

int crmw_session_new_as(crmw_session **out, crmw_agent *a, const crmw_role *role, const char *task_json,
				 const char *options_json)
{
	if (!out || !a || !task_json)
		return crmw__errf(a ? &a->h.err : NULL, CRMW_EINVALID, "crmw_session_new: NULL argument");
	*out = NULL;
	crmw_session *s = calloc(1, sizeof *s);
	if (!s)
		return crmw__errf(&a->h.err, CRMW_ENOMEM, "out of memory");
	s->a = a;
	s->host_role = crmw__role_ref(role);
	s->has_host_role = role != NULL;
	atomic_init(&s->canceled, 0);
	s->cancel_gen = atomic_load(&a->cancel_gen);
	s->messages = json_array();
	s->decisions = json_array();
	s->calls = json_array();
	s->step_times = json_array();
	int rc = s->messages && s->decisions && s->calls && s->step_times ? CRMW_OK : nomem(s);
	rc = rc ? rc : load_task(s, task_json);
	static const char *const keys[] = {"episode_id"};
	json_t *o = NULL;
	rc = rc ? rc : crmw__json_options(&o, &s->h.err, options_json, "session options", keys, 1);
	if (!rc) {
		const json_t *ep = json_object_get(o, "episode_id");
		char buf[300];
		if (ep && (!json_is_string(ep) || json_string_length(ep) == 0 || json_string_length(ep) > 256))
			rc = crmw__errf(&s->h.err, CRMW_EINVALID, "session option \"episode_id\" must be a string of 1 to 256 bytes");
		snprintf(buf, sizeof buf, "%.200s#%llu", s->task_id, (unsigned long long)a->sessions);
		s->episode_id = rc ? NULL : crmw__strdup(ep ? json_string_value(ep) : buf);
		if (!rc && !s->episode_id)
			rc = nomem(s);
	}
	json_decref(o);
	a->sessions++;
	rc = rc ? rc : task_opts(s);
	rc = rc ? rc : retrieve(s);
	if (!rc) {
		char *sys = crmw__system_prompt(a, s->task, s->external, s->mem_hits, s->opts ? s->opts->role : NULL);
		rc = sys ? push(s->messages, json_pack("{s:s, s:s}", "role", "system", "content", sys)) : CRMW_ENOMEM;
		free(sys);
		if (rc)
			rc = nomem(s);
	}
	rc = rc ? rc : first_message(s);
	if (!rc && a->o.mode == MODE_TOOLS) {
		const json_t *tools = crmw__agent_tools(a, NULL, &rc);
		if (rc)
			rc = crmw__errf(&s->h.err, rc, "exporting the tools failed: %s", crmw_last_error());
		else
			s->tools = tools; /* borrowed: the agent keeps every export until it is freed */
	}
	if (rc) {
		crmw__errf(NULL, rc, "%s", crmw__err_msg(&s->h.err));
		crmw_session_free(s);
		return rc;
	}
	s->t0 = now_us();
	s->state = ST_CHAT_READY;
	*out = s;
	return CRMW_OK;
}

void crmw_session_free(crmw_session *s)
{
	if (!s)
		return;
	json_decref(s->task);
	json_decref(s->messages);
	json_decref(s->decisions);
	json_decref(s->calls);
	json_decref(s->step_times);
	json_decref(s->mem_hits);
	json_decref(s->reward_info);
	json_decref(s->plan);
	json_decref(s->plan_used);
	json_decref(s->turn_plan);
	free(s->task_text);
	free(s->plan_text);
	free(s->mem_note);
	free(s->mem_scope);
	free(s->mem_query);
	free(s->task_id);
	free(s->family);
	free(s->episode_id);
	free(s->request);
	free(s->answer);
	free(s->error);
	crmw_query_opts_free(s->opts);
	crmw_role_free(s->host_role);
	crmw_role_free(s->reg_base);
	crmw_user_sim_free(s->user);
	crmw_task_set_free(s->user_ts);
	crmw__handle_dispose(&s->h);
	free(s);
}

const char *crmw_session_errmsg(const crmw_session *s)
{
	return s ? crmw__err_msg(&s->h.err) : "";
}

const crmw_role *crmw_session_role(const crmw_session *s)
{
	return s && s->opts ? s->opts->role : NULL;
}

int crmw_session_done(const crmw_session *s)
{
	return s && s->state == ST_DONE;
}

void crmw_session_cancel(crmw_session *s)
{
	if (s)
		atomic_store(&s->canceled, 1);
}

/* ---------------------------------------------------------------- requests */

static int make_request(crmw_session *s, bool distill)
{
	crmw_agent *a = s->a;
	json_t *msgs = distill ? crmw__distill_messages(s->task, s->plan_text, s->answer) : json_incref(s->messages);
	json_t *r = msgs ? json_pack("{s:i, s:s, s:o, s:i}", "schema_version", 1, "purpose", distill ? "distill" : "chat",
				     "messages", msgs, "max_tokens", a->o.max_tokens)
			 : NULL;
	if (r && !distill && s->tools)
		json_object_set_new(r, "tool_choice", json_string("auto"));
	if (r && a->o.stop && !distill)
		json_object_set(r, "stop", a->o.stop);
	if (r)
		json_object_set_new(r, "metadata", json_pack("{s:s, s:s, s:s, s:i}", "task_id", s->task_id, "family",
							      s->family, "episode_id", s->episode_id, "turn", s->turn));
	char *t = r ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(r);
	if (!t)
		return nomem(s);
	if (!distill && s->tools) {
		/* the tools spliced in as text: the shared value is never touched
		 * (its reference count is not thread-safe to move) */
		const char *tt = NULL;
		int trc;
		crmw__agent_tools(a, &tt, &trc);
		size_t n = strlen(t), tn = tt ? strlen(tt) : 0;
		char *u = tt ? malloc(n + tn + 16) : NULL;
		if (!u) {
			free(t);
			return nomem(s);
		}
		memcpy(u, t, n - 1); /* without the closing brace */
		memcpy(u + n - 1, ",\"tools\":", 9);
		memcpy(u + n + 8, tt, tn);
		u[n + 8 + tn] = '}';
		u[n + 9 + tn] = '\0';
		free(t);
		t = u;
	}
	free(s->request);
	s->request = t;
	s->request_len = strlen(t);
	s->state = distill ? ST_DISTILL_WAIT : ST_CHAT_WAIT;
	s->t_req = now_us();
	return CRMW_OK;
}

static int put(crmw_session *s, crmw_buf *out, const char *t, size_t n)
{
	crmw__buf_clear(out);
	return crmw__buf_append(out, t, n) ? nomem(s) : CRMW_OK;
}

int crmw_session_next(int32_t *step, crmw_buf *out, crmw_session *s)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !step || !out || !s);
	if (s->state != ST_DONE && crmw__session_canceled(s))
		end_now(s, "canceled", "canceled by the host");
	int rc = CRMW_OK;
	if (s->state == ST_CHAT_READY || s->state == ST_DISTILL_READY)
		rc = make_request(s, s->state == ST_DISTILL_READY);
	if (rc)
		return rc;
	if (s->state == ST_DONE) {
		*step = CRMW_STEP_DONE;
		return crmw_session_trajectory(out, s);
	}
	*step = CRMW_STEP_MODEL;
	return put(s, out, s->request, s->request_len);
}

/* ----------------------------------------------------------------- actions */

static json_t *observation_json(const char *text, size_t n)
{
	return json_stringn(text ? text : "", text ? n : 0);
}

/* The host's approval: 1 allowed, 0 vetoed (reason in `why`), -1 aborted. */
static int approve(crmw_session *s, const char *id, const char *name, const json_t *args, crmw_buf *why)
{
	crmw_agent *a = s->a;
	if (!a->approve && !a->approve_ctx)
		return 1;
	json_t *c = json_pack("{s:s, s:s, s:O, s:i, s:s, s:s}", "id", id ? id : "", "name", name, "arguments", args,
			      "turn", s->turn, "task_id", s->task_id, "episode_id", s->episode_id);
	char *t = c ? json_dumps(c, JSON_COMPACT) : NULL;
	json_decref(c);
	if (!t)
		return -1;
	int32_t allow = 1;
	crmw_tool_ctx ctx;
	tool_ctx(s, &ctx);
	int rc = a->approve_ctx ? a->approve_ctx(&allow, why, &ctx, t, a->approve_ud)
				: a->approve(&allow, why, t, a->approve_ud);
	free(t);
	if (rc != 0)
		return -1;
	return allow ? 1 : 0;
}

/* Record a successful call for plans: its result parsed as JSON when it is. */
static void remember_call(crmw_session *s, const char *name, const json_t *args, const char *out, size_t n)
{
	/* kept as text: parsed only when a plan is built (write-back) */
	push(s->calls, json_pack("{s:s, s:O, s:s%}", "name", name, "arguments", args, "result_text", out ? out : "", n));
}

/* The calls with their results parsed, for plans. */
static json_t *parsed_calls(const json_t *calls)
{
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(calls, i, c) {
		const char *t = json_string_value(json_object_get(c, "result_text"));
		size_t n = json_string_length(json_object_get(c, "result_text"));
		json_t *res;
		if (crmw__json_parse(t ? t : "", n, &res, NULL))
			res = json_stringn(t ? t : "", n);
		json_array_append_new(out, json_pack("{s:O, s:O, s:o}", "name", json_object_get(c, "name"), "arguments",
						     json_object_get(c, "arguments"), "result", res));
	}
	return out;
}

/* Run one tool call or query; fills the action's status and observation. */
static int run_action(crmw_session *s, json_t *act, crmw_buf *obs)
{
	crmw_agent *a = s->a;
	const char *type = json_string_value(json_object_get(act, "type"));
	bool exec = strcmp(type, "execute") == 0;
	const char *name = exec ? "execute" : json_string_value(json_object_get(act, "name"));
	json_t *args = exec ? json_pack("{s:O}", "query", json_object_get(act, "query")) : json_incref(json_object_get(act, "arguments"));
	if (!args)
		return nomem(s);
	crmw_buf why = CRMW_BUF_INIT;
	int ok = approve(s, json_string_value(json_object_get(act, "id")), name, args, &why);
	if (ok < 0) {
		json_decref(args);
		crmw_buf_dispose(&why);
		return crmw__errf(&s->h.err, CRMW_EUSER, "the approver aborted the episode at the call of %s", name);
	}
	int64_t t = now_us();
	int rc = CRMW_OK;
	const char *status = "ok";
	bool cut = false; /* the observation is not the whole result */
	crmw__buf_clear(obs);
	if (!ok) {
		json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", "VETOED", "message",
				      why.data && why.len ? why.data : "The host did not allow this call.");
		char *et = e ? json_dumps(e, JSON_COMPACT) : NULL;
		json_decref(e);
		rc = et ? crmw__buf_puts(obs, et) : CRMW_ENOMEM;
		free(et);
		status = "vetoed";
	} else if (exec) {
		const char *q = json_string_value(json_object_get(act, "query"));
		rc = crmw_query(obs, a->db, q, strlen(q), s->opts);
		if (rc == CRMW_OK) {
			if (a->mem && a->o.mem_write) /* for the plan */
				remember_call(s, name, args, obs->data, obs->len);
		} else if (rc != CRMW_ENOMEM) {
			crmw__buf_clear(obs);
			rc = crmw__buf_printf(obs, "Error (%s): %s", crmw_status_name(rc), crmw_last_error());
			status = "error";
		}
		if (!rc && a->o.max_observation > 0 && obs->len > (size_t)a->o.max_observation) {
			cut = true;
			rc = crmw__buf_cut(obs, (size_t)a->o.max_observation, "Select fewer fields or add a LIMIT.");
		}
	} else {
		/* under the episode's context: the registry itself is not changed */
		crmw_tool_ctx ctx;
		tool_ctx(s, &ctx);
		char *at = json_dumps(args, JSON_COMPACT);
		if (!at) {
			rc = CRMW_ENOMEM;
		} else {
			rc = crmw__registry_call_cut(obs, a->reg, name, at, strlen(at), &ctx, &cut);
			free(at);
		}
		if (rc == CRMW_OK) {
			if (a->mem && a->o.mem_write) /* for the plan */
				remember_call(s, name, args, obs->data, obs->len);
		} else if (rc == CRMW_ENOTFOUND)
			status = "unknown_tool", rc = CRMW_OK;
		else if (rc == CRMW_EINVALID || rc == CRMW_EFORMAT)
			status = "invalid", rc = CRMW_OK;
		else if (rc != CRMW_ENOMEM)
			status = "error", rc = CRMW_OK;
	}
	s->tools_us += now_us() - t;
	crmw_buf_dispose(&why);
	json_decref(args);
	if (rc == CRMW_ENOMEM)
		return nomem(s);
	json_object_set_new(act, "status", json_string(status));
	json_object_set_new(act, "observation", observation_json(obs->data, obs->len));
	if (cut) /* cut at a cap, with a notice: trainers and the gold backend see it */
		json_object_set_new(act, "truncated", json_true());
	return CRMW_OK;
}

/* The answer a respond call carries. */
static char *respond_content(const json_t *act)
{
	const json_t *c = json_object_get(act, "content");
	if (!c)
		c = json_object_get(json_object_get(act, "arguments"), "content");
	if (json_is_string(c))
		return crmw__strdup(json_string_value(c));
	return c ? crmw__answer_text(c) : NULL;
}

static bool is_respond(const json_t *act)
{
	const char *type = json_string_value(json_object_get(act, "type"));
	if (strcmp(type, "respond") == 0)
		return true;
	return strcmp(type, "tool_call") == 0 && strcmp(json_string_value(json_object_get(act, "name")), "respond") == 0;
}

/* The assistant message kept in the conversation. */
static json_t *assistant_message(crmw_session *s, const json_t *parsed, const char *raw, size_t n)
{
	const char *dialect = json_string_value(json_object_get(parsed, "dialect"));
	bool json_in = strcmp(dialect, "openai") == 0 || strcmp(dialect, "anthropic") == 0;
	json_t *calls = json_array();
	size_t i;
	json_t *act;
	bool tags = false;
	json_array_foreach(json_object_get(parsed, "actions"), i, act) {
		const char *type = json_string_value(json_object_get(act, "type"));
		if (strcmp(type, "tool_call") != 0) {
			tags = true;
			continue;
		}
		char *args = json_dumps(json_object_get(act, "arguments"), JSON_COMPACT);
		push(calls, json_pack("{s:O, s:s, s:{s:O, s:s}}", "id", json_object_get(act, "id"), "type", "function",
				      "function", "name", json_object_get(act, "name"), "arguments", args ? args : "{}"));
		free(args);
	}
	json_t *m = json_pack("{s:s}", "role", "assistant");
	if (!m) {
		json_decref(calls);
		return NULL;
	}
	if (s->a->o.mode == MODE_REACT || tags || (!json_in && json_array_size(calls) == 0)) {
		/* What the model wrote, minus its thinking. */
		const char *content = json_string_value(json_object_get(parsed, "content"));
		json_object_set_new(m, "content", json_in || json_object_get(parsed, "thinking") ? json_string(content ? content : "")
										       : json_stringn(raw, n));
	} else {
		const char *content = json_string_value(json_object_get(parsed, "content"));
		json_object_set_new(m, "content", content && *content ? json_string(content) : json_null());
	}
	if (json_array_size(calls) > 0 && s->a->o.mode == MODE_TOOLS)
		json_object_set_new(m, "tool_calls", calls);
	else
		json_decref(calls);
	return m;
}

static int user_turn(crmw_session *s, const char *answer, bool *stop)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_user_sim_reply(&b, s->user, answer);
	if (rc) {
		crmw_buf_dispose(&b);
		if (rc == CRMW_ECANCELED) {
			*stop = true;
			return CRMW_OK;
		}
		return crmw__errf(&s->h.err, rc == CRMW_ENOMEM ? rc : CRMW_EUSER, "the simulated user: %s",
				  crmw_last_error());
	}
	*stop = crmw_user_sim_done(s->user) != 0;
	if (!*stop)
		rc = push(s->messages, json_pack("{s:s, s:s}", "role", "user", "content", b.data)) ? nomem(s) : CRMW_OK;
	crmw_buf_dispose(&b);
	return rc;
}

static int process(crmw_session *s, const char *raw, size_t n, json_t *dec)
{
	crmw_agent *a = s->a;
	bool was_cut = false;
	if ((int64_t)n > a->o.max_output) {
		/* Only the first max_output bytes are read, cut at a character boundary. */
		n = (size_t)a->o.max_output;
		while (n > 0 && ((unsigned char)raw[n] & 0xC0) == 0x80)
			n--;
		was_cut = true;
	}
	char prefix[48];
	snprintf(prefix, sizeof prefix, "call_%d_", s->turn);
	crmw__parse_opts po = {prefix, true};
	json_t *parsed = NULL;
	int rc = crmw__parse_output(&parsed, raw, n, &po);
	if (rc)
		return nomem(s);
	json_t *errors = json_object_get(parsed, "errors");
	if (was_cut) {
		char m[160];
		snprintf(m, sizeof m, "Your reply was longer than %lld bytes and was cut there; write shorter replies.",
			 (long long)a->o.max_output);
		if (!errors) {
			errors = json_array();
			json_object_set_new(parsed, "errors", errors);
		}
		json_array_append_new(errors, json_string(m));
	}
	json_object_set(dec, "dialect", json_object_get(parsed, "dialect"));
	json_t *actions = json_object_get(parsed, "actions");
	json_object_set(dec, "actions", actions);
	if (errors)
		json_object_set(dec, "errors", errors);
	json_t *am = assistant_message(s, parsed, raw, n);
	rc = push(s->messages, am) ? nomem(s) : CRMW_OK;

	bool react = a->o.mode == MODE_REACT;
	char *answer = NULL;
	bool answered = false;
	size_t i;
	json_t *act;
	crmw_buf obs = CRMW_BUF_INIT, react_obs = CRMW_BUF_INIT, fmt = CRMW_BUF_INIT;
	json_t *respond_call = NULL;
	json_array_foreach(actions, i, act) {
		if (rc)
			break;
		const char *type = json_string_value(json_object_get(act, "type"));
		if (answered) {
			json_object_set_new(act, "status", json_string("not_run"));
			continue;
		}
		if (is_respond(act)) {
			answer = respond_content(act);
			if (!answer) {
				json_object_set_new(act, "status", json_string("invalid"));
				rc = crmw__buf_puts(&fmt, "The respond call needs a \"content\" string with the answer.\n");
				continue;
			}
			json_object_set_new(act, "status", json_string("ok"));
			answered = true;
			if (strcmp(type, "tool_call") == 0)
				respond_call = act;
			continue;
		}
		bool tool = strcmp(type, "tool_call") == 0;
		if (tool == react) {
			json_object_set_new(act, "status", json_string("invalid"));
			rc = crmw__buf_puts(&fmt, react ? "Tool calls are not available here: read the org with <execute>SOQL "
							  "or SOSL</execute>.\n"
							: "<execute> is not available here: use the tools.\n");
			continue;
		}
		rc = run_action(s, act, &obs);
		if (rc)
			break;
		if (tool) {
			/* the action's observation, shared (one copy of a large text) */
			rc = push(s->messages, json_pack("{s:s, s:O, s:O, s:O}", "role", "tool", "tool_call_id",
							 json_object_get(act, "id"), "name", json_object_get(act, "name"),
							 "content", json_object_get(act, "observation")))
				     ? nomem(s)
				     : CRMW_OK;
		} else {
			rc = crmw__buf_printf(&react_obs, "%sObservation (query %zu):\n", react_obs.len ? "\n\n" : "", i + 1);
			rc = rc ? rc : crmw__buf_append(&react_obs, obs.data ? obs.data : "", obs.len);
		}
	}
	if (!rc && json_array_size(actions) == 0) {
		const char *content = json_string_value(json_object_get(parsed, "content"));
		if (!react && !errors && a->o.text_answer && content && *content) {
			answer = crmw__strdup(content);
			answered = answer != NULL;
		}
	}
	if (!rc && !answered && (errors || json_array_size(actions) == 0 || fmt.len)) {
		char *ft = json_array_size(actions) == 0 || errors ? crmw__format_error_text(parsed, react ? "react" : "tools")
								   : NULL;
		if (ft)
			rc = crmw__buf_puts(&fmt, ft);
		free(ft);
	}
	if (!rc && react_obs.len)
		rc = push(s->messages, json_pack("{s:s, s:s}", "role", "user", "content", react_obs.data)) ? CRMW_ENOMEM : 0;
	if (!rc && fmt.len && !answered) {
		json_object_set_new(dec, "format_error", json_string(fmt.data));
		rc = push(s->messages, json_pack("{s:s, s:s}", "role", "user", "content", fmt.data)) ? CRMW_ENOMEM : 0;
	}
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&react_obs);
	crmw_buf_dispose(&fmt);
	json_decref(parsed);
	if (rc) {
		free(answer);
		return rc == CRMW_EUSER ? rc : nomem(s);
	}
	if (answered) {
		free(s->answer);
		s->answer = answer;
		json_object_set_new(dec, "answer", json_string(answer));
		if (s->user) {
			if (respond_call)
				rc = push(s->messages, json_pack("{s:s, s:O, s:s, s:s}", "role", "tool", "tool_call_id",
								 json_object_get(respond_call, "id"), "name", "respond",
								 "content", "Sent to the user."))
					     ? nomem(s)
					     : CRMW_OK;
			bool stop = false;
			rc = rc ? rc : user_turn(s, answer, &stop);
			if (rc)
				return rc;
			if (stop)
				finish(s, "answered", NULL);
		} else {
			finish(s, "answered", NULL);
		}
	}
	return CRMW_OK;
}

static void record_decision(crmw_session *s, json_t *dec, int64_t model_us, int64_t tools_us)
{
	json_object_set_new(dec, "done", json_boolean(s->end_reason != NULL));
	if (s->end_reason)
		json_object_set_new(dec, "end_reason", json_string(s->end_reason));
	push(s->decisions, dec);
	push(s->step_times, json_pack("{s:i, s:I, s:I}", "turn", s->turn, "model_us", (json_int_t)model_us, "tools_us",
				      (json_int_t)tools_us));
}

int crmw_session_feed(crmw_session *s, const char *output, size_t len)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !s || (!output && len));
	if (s->state != ST_CHAT_WAIT && s->state != ST_DISTILL_WAIT)
		return crmw__errf(&s->h.err, CRMW_ESTATE,
				  s->state == ST_DONE ? "the episode is over" : "no request is pending: call crmw_session_next first");
	int64_t model = now_us() - s->t_req;
	s->model_us += model;
	if (!output)
		output = "";
	if (s->state == ST_DISTILL_WAIT) {
		json_t *parsed = NULL;
		crmw__parse_opts po = {NULL, false};
		const char *text = NULL;
		if (crmw__parse_output(&parsed, output, len, &po) == CRMW_OK)
			text = json_string_value(json_object_get(parsed, "content"));
		if (text && strlen(text) >= 20 && json_array_size(json_object_get(parsed, "actions")) == 0) {
			write_guideline(s, text, "distilled");
		} else {
			write_guideline(s, s->plan_text, "trajectory");
			if (!s->mem_note)
				note(s, "the distilled guideline was unusable (empty, too short or a tool call); the "
					      "trajectory's was written", NULL);
		}
		json_decref(parsed);
		s->state = ST_DONE;
		return CRMW_OK;
	}
	s->chat_calls++;
	if (crmw__session_canceled(s)) {
		end_now(s, "canceled", "canceled by the host");
		return CRMW_OK;
	}
	/* a turn a built-in plan or program answered: which, and why */
	json_t *plan = s->turn_plan;
	s->turn_plan = NULL;
	json_t *dec = json_pack("{s:i}", "turn", s->turn);
	if (!dec)
		json_decref(plan);
	if (!dec || (plan && json_object_set_new(dec, "plan", plan))) { /* set_new releases plan */
		json_decref(dec);
		return nomem(s);
	}
	int64_t tools0 = s->tools_us;
	int rc = process(s, output, len, dec);
	if (rc == CRMW_EUSER) {
		finish(s, "aborted", crmw__err_msg(&s->h.err));
		record_decision(s, dec, model, s->tools_us - tools0);
		s->turn++;
		return crmw__errf(&s->h.err, CRMW_EUSER, "%s", s->error ? s->error : "aborted");
	}
	if (rc) {
		json_decref(dec);
		return rc;
	}
	s->turn++;
	if (!s->end_reason && s->turn >= s->a->o.max_turns)
		finish(s, "max_turns", NULL);
	record_decision(s, dec, model, s->tools_us - tools0);
	if (s->state == ST_CHAT_WAIT)
		s->state = ST_CHAT_READY;
	return CRMW_OK;
}

int crmw_session_feed_error(crmw_session *s, const char *message)
{
	if (!s)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_session_feed_error: NULL session");
	if (s->state != ST_CHAT_WAIT && s->state != ST_DISTILL_WAIT)
		return crmw__errf(&s->h.err, CRMW_ESTATE, "no request is pending");
	s->model_us += now_us() - s->t_req;
	if (s->state == ST_DISTILL_WAIT || crmw__session_canceled(s)) {
		end_now(s, "canceled", "canceled by the host");
		return CRMW_OK;
	}
	s->chat_calls++;
	char buf[1024];
	snprintf(buf, sizeof buf, "the backend failed: %s", message && *message ? message : "no message");
	json_t *dec = json_pack("{s:i, s:s}", "turn", s->turn, "backend_error", buf);
	finish(s, "backend_error", buf);
	if (dec)
		record_decision(s, dec, 0, 0);
	return CRMW_OK;
}

int crmw_session_feed_abstain(crmw_session *s, const char *reason)
{
	if (!s)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_session_feed_abstain: NULL session");
	if (s->state != ST_CHAT_WAIT && s->state != ST_DISTILL_WAIT)
		return crmw__errf(&s->h.err, CRMW_ESTATE, "no request is pending");
	s->model_us += now_us() - s->t_req;
	if (s->state == ST_DISTILL_WAIT) {
		/* Declining to word a guideline: the trajectory's text is written. */
		write_guideline(s, s->plan_text, "trajectory");
		s->state = ST_DONE;
		return CRMW_OK;
	}
	char buf[1024]; /* declining is neither a model call nor a plan's */
	snprintf(buf, sizeof buf, "%s", reason && *reason ? reason : "the backend abstained");
	json_t *dec = json_pack("{s:i, s:s}", "turn", s->turn, "abstained", buf);
	finish(s, "abstained", buf);
	if (dec)
		record_decision(s, dec, 0, 0);
	return CRMW_OK;
}

int crmw__session_feed_response(crmw_session *s, struct crmw_response *resp)
{
	if (resp->has_usage)
		crmw_session_feed_usage(s, resp->prompt_tokens, resp->completion_tokens);
	if (resp->plan && (resp->kind == RESP_MESSAGE || resp->kind == RESP_TEXT))
		crmw__session_note_plan(s, resp->plan);
	switch (resp->kind) {
	case RESP_ERROR:
		return crmw_session_feed_error(s, resp->body.data);
	case RESP_ABSTAIN:
		return crmw_session_feed_abstain(s, resp->body.data);
	case RESP_NONE:
		return crmw_session_feed_error(s, "the backend's complete callback set no response");
	default:
		return crmw_session_feed(s, resp->body.data ? resp->body.data : "", resp->body.len);
	}
}

int crmw_session_feed_usage(crmw_session *s, int64_t prompt_tokens, int64_t completion_tokens)
{
	if (!s || prompt_tokens < 0 || completion_tokens < 0)
		return crmw__errf(s ? &s->h.err : NULL, CRMW_EINVALID, "crmw_session_feed_usage: bad argument");
	s->prompt_tokens += prompt_tokens;
	s->completion_tokens += completion_tokens;
	s->has_usage = true;
	return CRMW_OK;
}

/* ------------------------------------------------------------------ output */

static int dump(crmw_session *s, crmw_buf *out, json_t *v)
{
	char *t = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (!t)
		return nomem(s);
	int rc = put(s, out, t, strlen(t));
	free(t);
	return rc;
}

int crmw_session_decision(crmw_buf *out, crmw_session *s)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !out || !s);
	size_t n = json_array_size(s->decisions);
	return dump(s, out, n ? json_incref(json_array_get(s->decisions, n - 1)) : json_object());
}

int crmw_session_trajectory(crmw_buf *out, crmw_session *s)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !out || !s);
	json_t *ids = json_array(), *scores = json_array();
	size_t i;
	json_t *h;
	json_array_foreach(s->mem_hits, i, h) {
		json_array_append(ids, json_object_get(h, "id"));
		json_array_append(scores, json_object_get(h, "score"));
	}
	int64_t end = s->end_reason ? s->t_end : now_us();
	json_t *t = json_pack("{s:i, s:s, s:s, s:s, s:s, s:O, s:o*, s:s?, s:o, s:o, s:i, s:s?, s:s?, s:O, s:b}",
			      "schema_version", 1, "task_id", s->task_id, "task_family", s->family, "episode_id",
			      s->episode_id, "mode", s->a->o.mode == MODE_REACT ? "react" : "tools", "messages",
			      s->messages, "tools", s->tools ? json_deep_copy(s->tools) : NULL, "answer", s->answer, "memory_ids", ids, "memory_scores",
			      scores, "turns", s->turn, "end_reason", s->end_reason, "error", s->error, "decisions",
			      s->decisions, "done", s->state == ST_DONE);
	if (!t)
		return nomem(s);
	if (!s->answer)
		json_object_set_new(t, "answer", json_null());
	if (!s->tools)
		json_object_set_new(t, "tools", json_array());
	json_object_set_new(t, "reward", s->reward_info ? json_real(s->reward) : json_null());
	json_object_set(t, "reward_info", s->reward_info ? s->reward_info : json_null());
	json_t *mw = json_null();
	if (s->mem_written > 0)
		mw = json_pack("{s:I, s:b}", "id", (json_int_t)s->mem_written, "merged", s->mem_merged);
	json_object_set_new(t, "memory_written", mw);
	json_object_set(t, "plan", s->plan_used ? s->plan_used : json_null());
	/* which user spoke: the gold-blind persona, the curriculum user or the host's */
	json_object_set_new(t, "user", s->user ? json_pack("{s:s, s:I, s:i}", "mode", crmw__user_sim_mode(s->user), "seed",
							  (json_int_t)s->a->o.user_seed, "max_turns", s->a->o.user_max_turns)
					      : json_null());
	json_object_set_new(t, "backend_calls", json_pack("{s:I, s:I}", "model", (json_int_t)(s->chat_calls - s->plan_calls),
							  "plan", (json_int_t)s->plan_calls));
	if (s->mem_note)
		json_object_set_new(t, "memory_note", json_string(s->mem_note));
	json_object_set_new(t, "timings_us", json_pack("{s:I, s:I, s:I, s:O}", "total", (json_int_t)(end - s->t0), "model",
						       (json_int_t)s->model_us, "tools", (json_int_t)s->tools_us,
						       "steps", s->step_times));
	json_object_set_new(t, "usage", s->has_usage ? json_pack("{s:I, s:I}", "prompt_tokens",
								  (json_int_t)s->prompt_tokens, "completion_tokens",
								  (json_int_t)s->completion_tokens)
						     : json_null());
	return dump(s, out, t);
}
