/*
 * lib/tasks/usersim.c: the simulated user of multi-turn episodes.  The
 * built-in user reveals the task clause by clause and stops when the agent's
 * message solves the task; a host callback can speak instead.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"

#include <string.h>

#define STOP "###STOP###"

struct crmw_user_sim {
	json_t *task;
	json_t *history; /* OpenAI-format messages, from the user's side of view: user = the simulated user */
	size_t next_clause;
	int turns, max_turns;
	bool done;
	crmw_user_fn fn;
	void *userdata;
};

CRMW_API int crmw_user_sim_new(crmw_user_sim **out, const crmw_task_set *ts, int64_t i, const char *options_json)
{
	if (!out || !ts)
		return crmw__errf(NULL, CRMW_EINVALID, "out and ts must not be NULL");
	*out = NULL;
	if (i < 0 || i >= crmw_task_set_count(ts))
		return crmw__errf(NULL, CRMW_EINVALID, "task index %lld is out of range (the set has %lld tasks)",
				  (long long)i, (long long)crmw_task_set_count(ts));
	int max_turns = 10;
	if (options_json) {
		json_t *o;
		crmw__json_error e;
		int rc = crmw__json_parse(options_json, strlen(options_json), &o, &e);
		if (rc)
			return crmw__errf(NULL, rc, "user options are not JSON: %s", e.text);
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v) {
			if (strcmp(k, "max_turns") != 0 || !json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 1000) {
				int bad_rc = crmw__errf(NULL, CRMW_EINVALID, "bad user option '%s' (known: max_turns, 1 to 1000)", k);
				json_decref(o);
				return bad_rc;
			}
			max_turns = (int)json_integer_value(v);
		}
		if (!json_is_object(o)) {
			json_decref(o);
			return crmw__errf(NULL, CRMW_EINVALID, "user options must be a JSON object");
		}
		json_decref(o);
	}
	crmw_user_sim *u = calloc(1, sizeof *u);
	if (!u)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	u->task = json_deep_copy(json_array_get(ts->tasks, (size_t)i));
	u->history = json_array();
	u->max_turns = max_turns;
	if (!u->task || !u->history) {
		crmw_user_sim_free(u);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	*out = u;
	return CRMW_OK;
}

CRMW_API int crmw_user_sim_set_callback(crmw_user_sim *u, crmw_user_fn fn, void *userdata)
{
	if (!u)
		return crmw__errf(NULL, CRMW_EINVALID, "u is NULL");
	u->fn = fn;
	u->userdata = userdata;
	return CRMW_OK;
}

CRMW_API int crmw_user_sim_done(const crmw_user_sim *u)
{
	return u && u->done;
}

CRMW_API void crmw_user_sim_free(crmw_user_sim *u)
{
	if (!u)
		return;
	json_decref(u->task);
	json_decref(u->history);
	free(u);
}

/* The clauses of the task: context.clauses, or the whole query. */
static const json_t *clauses(const crmw_user_sim *u, json_t **owned)
{
	const json_t *c = json_object_get(json_object_get(u->task, "context"), "clauses");
	*owned = NULL;
	if (json_is_array(c) && json_array_size(c) > 0)
		return c;
	*owned = json_pack("[O]", json_object_get(u->task, "query"));
	return *owned;
}

static int builtin_reply(crmw_user_sim *u, const char *agent, crmw_buf *text)
{
	json_t *owned;
	const json_t *cl = clauses(u, &owned);
	int rc = CRMW_OK;
	if (!agent) {
		rc = crmw__buf_puts(text, json_string_value(json_array_get(cl, 0)));
		u->next_clause = 1;
		json_decref(owned);
		return rc;
	}
	double score = 0;
	json_t *msgs = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(u->history, i, m) {
		/* the reward reads the agent's messages as "assistant" */
		json_array_append(msgs, m);
	}
	json_array_remove(msgs, json_array_size(msgs) - 1); /* the agent's message is passed as the answer */
	rc = crmw__task_reward(&score, NULL, u->task, agent, msgs, NULL, NULL);
	json_decref(msgs);
	if (rc) {
		json_decref(owned);
		return rc;
	}
	if (score >= 1.0 || u->turns + 1 >= u->max_turns) {
		rc = crmw__buf_puts(text, STOP);
	} else if (u->next_clause < json_array_size(cl)) {
		rc = crmw__buf_puts(text, json_string_value(json_array_get(cl, u->next_clause++)));
	} else {
		rc = crmw__buf_printf(text, "That is all I can tell you. To sum up: %s",
				      json_string_value(json_object_get(u->task, "query")));
	}
	json_decref(owned);
	return rc;
}

CRMW_API int crmw_user_sim_reply(crmw_buf *out, crmw_user_sim *u, const char *agent_message)
{
	if (!out || !u)
		return crmw__errf(NULL, CRMW_EINVALID, "out and u must not be NULL");
	if (u->done)
		return crmw__errf(NULL, CRMW_ECANCELED, "the conversation is over: the user said " STOP);
	if (agent_message)
		json_array_append_new(u->history, json_pack("{s:s, s:s}", "role", "assistant", "content", agent_message));
	crmw_buf text = CRMW_BUF_INIT;
	int rc;
	if (u->fn) {
		json_t *req = json_pack("{s:O, s:i, s:O}", "task", u->task, "turn", u->turns, "history", u->history);
		char *rt = req ? json_dumps(req, JSON_COMPACT) : NULL;
		json_decref(req);
		if (!rt)
			return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		int urc = u->fn(&text, rt, u->userdata);
		free(rt);
		rc = urc ? crmw__errf(NULL, CRMW_EUSER, "the user callback failed (returned %d)", urc) : CRMW_OK;
		if (!rc && (!text.data || !*text.data))
			rc = crmw__errf(NULL, CRMW_EUSER, "the user callback wrote nothing");
	} else {
		rc = builtin_reply(u, agent_message, &text);
	}
	if (!rc) {
		u->turns++;
		if (strstr(text.data, STOP))
			u->done = true;
		json_array_append_new(u->history, json_pack("{s:s, s:s}", "role", "user", "content", text.data));
		crmw__buf_clear(out);
		rc = crmw__buf_append(out, text.data, text.len);
	}
	crmw_buf_dispose(&text);
	return rc;
}
