/*
 * lib/backends/gold.c: the gold backend.  Each task's gold program is run once
 * per episode over the org (its steps with their arguments resolved); turn
 * k of the episode answers with step k as an OpenAI tool call, and the last
 * turn with the program's answer.  For building memories and SFT data only.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "backends/internal.h"
#include "tasks/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The programs of the episodes in flight, by episode id. */
typedef struct gold_episode {
	char *episode_id;
	json_t *steps; /* [{"name", "arguments"}] resolved, respond last */
	char *error;   /* the program could not run: the reason */
	struct gold_episode *next;
} gold_episode;

typedef struct gold {
	pthread_mutex_t mu;
	crmw__gold_runner runner;
	gold_episode *episodes;
	size_t n_episodes;
} gold;

#define MAX_EPISODES 65536 /* a bound on forgotten episodes (never ended) */

static void episode_free(gold_episode *e)
{
	free(e->episode_id);
	json_decref(e->steps);
	free(e->error);
	free(e);
}

static void gold_destroy(void *ud)
{
	gold *g = ud;
	if (!g)
		return;
	while (g->episodes) {
		gold_episode *e = g->episodes;
		g->episodes = e->next;
		episode_free(e);
	}
	crmw__gold_runner_dispose(&g->runner);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

/* Run the task's program; the episode record owns the resolved steps. */
static gold_episode *run_program(gold *g, const json_t *task, const char *episode_id)
{
	gold_episode *e = calloc(1, sizeof *e);
	if (!e || !(e->episode_id = crmw__strdup(episode_id))) {
		free(e);
		return NULL;
	}
	json_t *report = NULL;
	char *answer = NULL;
	if (!json_is_array(json_object_get(task, "gold"))) {
		e->error = crmw__strdup("the task has no gold program");
	} else if (crmw__gold_run(&g->runner, task, &report, &answer)) {
		e->error = crmw__strdup(crmw_last_error());
	} else if (!json_is_true(json_object_get(report, "ok")) && !answer) {
		const char *why = json_string_value(json_object_get(report, "error"));
		char buf[600];
		snprintf(buf, sizeof buf, "the gold program failed: %s", why ? why : "no answer");
		e->error = crmw__strdup(buf);
	} else {
		e->steps = json_incref(json_object_get(report, "steps"));
		/* The respond step carries the answer as text. */
		json_t *last = json_array_get(e->steps, json_array_size(e->steps) - 1);
		if (last && answer)
			json_object_set_new(last, "answer", json_string(answer));
	}
	json_decref(report);
	free(answer);
	if (!e->steps && !e->error) {
		episode_free(e);
		return NULL;
	}
	return e;
}

/* The assistant message for one resolved step. */
static char *step_message(const json_t *step, size_t k)
{
	const char *name = json_string_value(json_object_get(step, "name"));
	json_t *msg;
	if (name && strcmp(name, "respond") == 0) {
		const char *ans = json_string_value(json_object_get(step, "answer"));
		msg = json_pack("{s:s, s:s}", "role", "assistant", "content", ans ? ans : "");
	} else {
		char *args = json_dumps(json_object_get(step, "arguments"), JSON_COMPACT);
		char id[32];
		snprintf(id, sizeof id, "call_gold_%zu", k);
		msg = args ? json_pack("{s:s, s:n, s:[{s:s, s:s, s:{s:s, s:s}}]}", "role", "assistant", "content",
				       "tool_calls", "id", id, "type", "function", "function", "name", name ? name : "",
				       "arguments", args)
			   : NULL;
		free(args);
	}
	char *t = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	return t;
}

/* The tool call of the episode's last turn whose reply was cut at a cap
 * (its action says "truncated"), or NULL. */
static const char *cut_call(const crmw_session *s)
{
	const json_t *dec = crmw__session_last_decision(s);
	size_t i;
	json_t *act;
	json_array_foreach(json_object_get(dec, "actions"), i, act) {
		if (json_is_true(json_object_get(act, "truncated"))) {
			const char *name = json_string_value(json_object_get(act, "name"));
			return name ? name : "a tool";
		}
	}
	return NULL;
}

static int gold_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	gold *g = ud;
	if (strcmp(crmw_request_purpose(req), "chat") != 0)
		return crmw_response_set_abstain(resp, "the gold backend does not word guidelines"), 0;
	if (!crmw__request_session(req))
		return crmw_response_set_error(resp, "the gold backend needs a request of an episode"), 0;
	/* turn k answers with step k: the session knows both, no need to parse
	 * the conversation again */
	size_t k = (size_t)crmw__session_turn(crmw__request_session(req));
	const char *tid, *fam, *ep;
	crmw__session_ids(crmw__request_session(req), &tid, &fam, &ep);
	pthread_mutex_lock(&g->mu);
	gold_episode **pp = &g->episodes;
	while (*pp && strcmp((*pp)->episode_id, ep) != 0)
		pp = &(*pp)->next;
	if (!*pp || k == 0) {
		if (*pp) { /* an episode id used again: start over */
			gold_episode *old = *pp;
			*pp = old->next;
			episode_free(old);
			g->n_episodes--;
		}
		gold_episode *e = run_program(g, crmw__session_task(crmw__request_session(req)), ep);
		if (!e) {
			pthread_mutex_unlock(&g->mu);
			return crmw_response_set_error(resp, "out of memory"), 0;
		}
		if (g->n_episodes >= MAX_EPISODES) { /* drop the oldest */
			gold_episode **q = &g->episodes;
			while ((*q)->next)
				q = &(*q)->next;
			episode_free(*q);
			*q = NULL;
			g->n_episodes--;
		}
		e->next = g->episodes;
		g->episodes = e;
		g->n_episodes++;
		pp = &g->episodes;
	}
	gold_episode *e = *pp;
	char *msg = NULL;
	char err[700] = "";
	bool last = false;
	const char *cut = k > 0 ? cut_call(crmw__request_session(req)) : NULL;
	if (e->error) {
		snprintf(err, sizeof err, "%s", e->error);
		last = true;
	} else if (cut) {
		/* The episode showed less than the program read: its next steps
		 * would use what the model never saw.  Not a demonstration. */
		snprintf(err, sizeof err,
			 "the reply of %s (step %zu of the gold program) was cut at the episode's cap on a tool reply "
			 "(max_observation_bytes): a gold episode must see every reply whole",
			 cut, k - 1);
		last = true;
	} else if (k >= json_array_size(e->steps)) {
		snprintf(err, sizeof err, "the gold program has %zu steps; the episode asked for step %zu",
			 json_array_size(e->steps), k + 1);
		last = true;
	} else {
		msg = step_message(json_array_get(e->steps, k), k);
		last = k + 1 == json_array_size(e->steps);
		if (!msg)
			snprintf(err, sizeof err, "out of memory");
	}
	if (last) {
		*pp = e->next;
		episode_free(e);
		g->n_episodes--;
	}
	pthread_mutex_unlock(&g->mu);
	if (!msg)
		return crmw_response_set_error(resp, err), 0;
	int rc = crmw_response_set_message(resp, msg, strlen(msg));
	free(msg);
	if (rc)
		crmw_response_set_error(resp, crmw_last_error());
	return 0;
}

int crmw_backend_gold(crmw_backend *out, crmw_db *db, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !db);
	memset(out, 0, sizeof *out);
	json_t *o;
	int rc = crmw__json_options(&o, NULL, options_json, "gold backend options", NULL, 0);
	if (rc)
		return rc;
	json_decref(o);
	gold *g = calloc(1, sizeof *g);
	if (!g)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	if (pthread_mutex_init(&g->mu, NULL)) {
		free(g);
		return crmw__errf(NULL, CRMW_ENOMEM, "crmw_backend_gold: cannot make a mutex");
	}
	rc = crmw__gold_runner_init(&g->runner, db);
	if (rc) {
		pthread_mutex_destroy(&g->mu);
		free(g);
		return crmw__errf(NULL, rc, "crmw_backend_gold: %s", crmw_last_error());
	}
	out->struct_size = sizeof *out;
	out->version = CRMW_BACKEND_VERSION;
	out->userdata = g;
	out->complete = gold_complete;
	out->destroy = gold_destroy;
	return CRMW_OK;
}
