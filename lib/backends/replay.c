/*
 * lib/backends/replay.c: the replay backend.  A trajectory file is read once
 * into a table from the task id (or episode id) to the episode's assistant
 * messages; turn k of an episode answers with recorded message k.  Read-only
 * after construction, so any number of threads may use it.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "backends/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct replay {
	json_t *episodes; /* key -> {"turns": [assistant message, ...], "abstained"?: why} */
	bool by_episode;
} replay;

static void replay_destroy(void *ud)
{
	replay *r = ud;
	if (r) {
		json_decref(r->episodes);
		free(r);
	}
}

static int replay_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	replay *r = ud;
	if (strcmp(crmw_request_purpose(req), "chat") != 0) {
		crmw_response_set_abstain(resp, "the replay backend does not word guidelines");
		return 0;
	}
	if (!crmw__request_session(req)) {
		crmw_response_set_error(resp, "the replay backend needs a request of an episode");
		return 0;
	}
	/* model turn k of the episode: the session knows it and the ids */
	size_t k = (size_t)crmw__session_turn(crmw__request_session(req));
	const char *tid, *fam, *ep;
	crmw__session_ids(crmw__request_session(req), &tid, &fam, &ep);
	const char *key = r->by_episode ? ep : tid;
	const json_t *rec = key ? json_object_get(r->episodes, key) : NULL;
	char why[400];
	if (!rec) {
		snprintf(why, sizeof why, "no recorded episode of %s '%.200s'", r->by_episode ? "episode" : "task",
			 key ? key : "(none)");
		crmw_response_set_error(resp, why);
	} else if (k >= json_array_size(json_object_get(rec, "turns")) && json_is_string(json_object_get(rec, "abstained"))) {
		crmw_response_set_abstain(resp, json_string_value(json_object_get(rec, "abstained")));
	} else if (k >= json_array_size(json_object_get(rec, "turns"))) {
		snprintf(why, sizeof why, "the recording of '%.200s' has %zu model turns; the episode asked for turn %zu",
			 key, json_array_size(json_object_get(rec, "turns")), k + 1);
		crmw_response_set_error(resp, why);
	} else {
		char *t = json_dumps(json_array_get(json_object_get(rec, "turns"), k), JSON_COMPACT);
		if (!t || crmw_response_set_message(resp, t, strlen(t)))
			crmw_response_set_error(resp, "out of memory");
		free(t);
	}
	return 0;
}

/* The assistant messages of one trajectory, as a model would have sent
 * them, and whether it ended by abstaining. */
static json_t *assistant_turns(const json_t *traj)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(traj, "messages"), i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (!role || strcmp(role, "assistant") != 0)
			continue;
		json_t *c = json_deep_copy(m);
		if (json_is_null(json_object_get(c, "content")) && !json_object_get(c, "tool_calls"))
			json_object_set_new(c, "content", json_string(""));
		json_array_append_new(out, c);
	}
	json_t *rec = json_pack("{s:o}", "turns", out);
	const char *end = json_string_value(json_object_get(traj, "end_reason"));
	const char *err = json_string_value(json_object_get(traj, "error"));
	if (rec && end && strcmp(end, "abstained") == 0) /* abstaining is replayed too */
		json_object_set_new(rec, "abstained", json_string(err ? err : "abstained"));
	return rec;
}

int crmw_backend_replay(crmw_backend *out, const char *path, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !path);
	memset(out, 0, sizeof *out);
	static const char *const keys[] = {"match"};
	json_t *o;
	int rc = crmw__json_options(&o, NULL, options_json, "replay backend options", keys, 1);
	if (rc)
		return rc;
	const json_t *match = json_object_get(o, "match");
	bool by_episode = false;
	if (match) {
		const char *mv = json_string_value(match);
		if (!mv || (strcmp(mv, "task_id") != 0 && strcmp(mv, "episode_id") != 0)) {
			json_decref(o);
			return crmw__errf(NULL, CRMW_EINVALID, "replay option \"match\" must be \"task_id\" or \"episode_id\"");
		}
		by_episode = strcmp(mv, "episode_id") == 0;
	}
	json_decref(o);
	FILE *f = fopen(path, "r");
	if (!f)
		return crmw__errf(NULL, errno == ENOENT ? CRMW_ENOTFOUND : CRMW_EIO, "cannot open '%s': %s", path,
				  strerror(errno));
	replay *r = calloc(1, sizeof *r);
	if (!r || !(r->episodes = json_object())) {
		free(r);
		fclose(f);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	r->by_episode = by_episode;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long long lineno = 0;
	while (!rc && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		size_t len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		json_t *t;
		crmw__json_error je;
		if ((rc = crmw__json_parse(line, len, &t, &je))) {
			rc = crmw__errf(NULL, CRMW_EFORMAT, "%s line %lld: not JSON: %s (column %d)", path, lineno, je.text,
					je.column);
			break;
		}
		const char *key = json_string_value(json_object_get(t, by_episode ? "episode_id" : "task_id"));
		if (!json_is_object(t) || !key || !json_is_array(json_object_get(t, "messages"))) {
			json_decref(t);
			rc = crmw__errf(NULL, CRMW_EFORMAT, "%s line %lld: not a trajectory (needs \"%s\" and \"messages\")", path,
					lineno, by_episode ? "episode_id" : "task_id");
			break;
		}
		if (!json_object_get(r->episodes, key)) /* the first recording wins */
			json_object_set_new(r->episodes, key, assistant_turns(t));
		json_decref(t);
	}
	if (!rc && ferror(f))
		rc = crmw__errf(NULL, CRMW_EIO, "reading '%s' failed", path);
	free(line);
	fclose(f);
	if (rc) {
		replay_destroy(r);
		return rc;
	}
	out->struct_size = sizeof *out;
	out->version = CRMW_BACKEND_VERSION;
	out->userdata = r;
	out->complete = replay_complete;
	out->destroy = replay_destroy;
	return CRMW_OK;
}
