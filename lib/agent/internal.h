/*
 * lib/agent/internal.h: what the files of the agent module share.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_AGENT_INTERNAL_H
#define CRMW_AGENT_INTERNAL_H

#include "common/internal.h"
#include "query/internal.h"
#include "tools/internal.h"
#include "agent/backend_api.h"
#include <crmweaver/access.h>
#include <crmweaver/agent.h>
#include <crmweaver/backends.h>
#include <crmweaver/query.h>

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

/* A backend table copied from the host, shared by reference count (an
 * agent's copy may outlive a replaced one only while a call is running). */
struct crmw__backend_ref {
	crmw_backend b;
	char *embed_name;
	atomic_int refs;
};

struct crmw_request {
	const char *json;
	size_t len;
	const char *purpose;
	const crmw_session *session; /* canceled when its flag or its agent's generation moved */
};

enum { RESP_NONE = 0, RESP_MESSAGE, RESP_TEXT, RESP_ERROR, RESP_ABSTAIN };

struct crmw_response {
	int kind;
	crmw_buf body; /* the message JSON, the text, the error message or why it abstained */
	int64_t prompt_tokens, completion_tokens;
	bool has_usage;
	/* Set by the built-in memory policy when the answer replays a plan:
	 * {"memory_id", "score", "alignment", "slots", "step"}. */
	json_t *plan;
};

enum { MODE_TOOLS = 0, MODE_REACT = 1 };

typedef struct crmw__agent_opts {
	int mode;
	char *sets;
	int max_turns, max_tokens;
	int64_t max_output, max_observation;
	int schema_prompt; /* -1 until crmw_agent_new resolves it by mode; then 0 or 1 */
	bool privacy_aware, text_answer, multi_turn;
	int user_max_turns;
	bool user_curriculum; /* option "user": "curriculum" (the user that knows the answer) */
	int64_t user_seed;
	char *system_prompt;
	json_t *stop;
	int mem_k;
	double mem_min_score, mem_write_threshold, mem_success;
	bool mem_same_family, mem_write, mem_distill;
	bool mem_programs; /* solved episodes become examples of their family's programs */
	int mem_program_examples; /* the newest that many examples are kept per family and scope */
} crmw__agent_opts;

struct crmw_agent {
	crmw_handle h;
	crmw_db *db;
	crmw__agent_opts o;
	crmw__backend_ref *backend;
	crmw_memory *mem;
	crmw_registry *own_reg; /* the built-in sets (tools mode) */
	crmw_registry *reg;     /* own_reg or the host's */
	crmw_role *role;        /* the host's role for every episode (a reference), NULL: none */
	crmw_approve_fn approve;
	crmw_approve_ctx_fn approve_ctx; /* or this one (they share the userdata) */
	void *approve_ud;
	crmw_free_fn approve_free;
	crmw_user_fn user_fn;
	void *user_ud;
	crmw_free_fn user_free;
	crmw_judge_fn judge_fn; /* the host's judge of privacy probes (crmw_agent_set_judge) */
	void *judge_ud;
	crmw_free_fn judge_free;
	char *schema_text; /* rendered once, for react prompts */
	char *view_text;   /* the same as the role with serial view_serial sees it */
	uint64_t view_serial;
	/* The registry's tools in OpenAI form, exported once per registry
	 * generation (sessions share the value; envs splice the text). */
	json_t *tools_json;
	char *tools_text;
	const crmw_registry *tools_reg;
	uint64_t tools_gen;
	json_t *tools_retired; /* earlier exports, kept for the sessions that borrow them */
	uint64_t sessions;
	atomic_int cancel_gen; /* crmw_agent_cancel moves it: sessions made before end */
};


/* Call the backend on `request_json`; *resp is filled (RESP_* kind). */
int crmw__backend_call(crmw_err *e, crmw__backend_ref *b, struct crmw_response *resp, const char *request_json,
		       size_t len, const char *purpose, const crmw_session *s);
void crmw__response_dispose(struct crmw_response *r);

/* What crmw_agent_run needs of a session: the purpose of the pending
 * request, the cancel flag, and ending the episode because the host aborted
 * (end_reason "aborted"). */
const char *crmw__session_purpose(const crmw_session *s);
/* A model step answered by a built-in plan (`plan` as in crmw_response):
 * counted, and the plan's memory gets the episode's feedback. */
void crmw__session_note_plan(crmw_session *s, const json_t *plan);
/* Feed one response of a backend (the blocking run and the fallback path). */
int crmw__session_feed_response(crmw_session *s, struct crmw_response *resp);
bool crmw__session_canceled(const crmw_session *s);
void crmw__session_abort(crmw_session *s, const char *why);

/* The agent's tools as OpenAI specs (cached; NULL in ReAct mode or when out
 * of memory, see *rc).  Borrowed. */
const json_t *crmw__agent_tools(crmw_agent *a, const char **text, int *rc);

/* Environments (lib/env): move a session to another agent of the same
 * configuration (the one of the thread about to run it); wait for the
 * model's output without building a request; the messages so far. */
void crmw__session_rebind(crmw_session *s, crmw_agent *a);
int crmw__session_arm(crmw_session *s);
const json_t *crmw__session_messages(const crmw_session *s);
int crmw__session_state_done(const crmw_session *s);
double crmw__session_reward(const crmw_session *s, const json_t **info);
const char *crmw__session_end_reason(const crmw_session *s);
/* The episode id becomes the task id followed by `suffix`. */
int crmw__session_episode_suffix(crmw_session *s, const char *suffix);

/* The system prompt of a session (prompt.c).  `guidelines` is the array of
 * memory hits (may be empty).  Caller frees. */
char *crmw__system_prompt(crmw_agent *a, const json_t *task, bool external, const json_t *guidelines,
			  const crmw_role *role);

/* The request asking the backend to word a guideline (prompt.c). */
json_t *crmw__distill_messages(const json_t *task, const char *steps_text, const char *answer);

/*
 * Plans and deterministic guidelines (plan.c).  `calls` is the episode's
 * successful calls [{"name", "arguments", "result"}] in order; `answer` the
 * final answer.  *plan receives {"steps": [...], "slots": [...],
 * "answer_source": "ref"|"slot"|"literal"}; *text the guideline written
 * from it (caller frees).
 */
int crmw__plan_build(json_t **plan, char **text, const json_t *task, const json_t *calls, const char *answer);

/*
 * A plan of crmw__plan_build made fit to keep for an episode under a
 * restricted role (plan.c, docs/agent.md): every literal of its steps that
 * holds a value of the episode (the answer, an entity of the task, a string
 * of a tool result, a name in the query, an id) becomes {"$redacted": kind}
 * (*count of them; such a plan does not replay); slots lose their values
 * (an id keeps its 3-character key prefix, a year a "year" flag) and the
 * value words around them.  `plan` is changed in place; *text receives the
 * guideline text and *query the task's query with its values replaced by
 * placeholders (caller frees both).  CRMW_OK or CRMW_ENOMEM.
 */
int crmw__plan_abstract(json_t *plan, char **text, char **query, int *count, const json_t *task, const json_t *calls,
			const char *answer);

/* The entities of a task (its query and required metadata) as slots
 * [{"name", "kind", "value", "where", "before", "after"}]. */
json_t *crmw__task_slots(const json_t *task);

/*
 * Programs induced from solved episodes (induce.c; the notation is
 * lib/tasks/program.c's).  An episode is {"task", "calls": [{"name",
 * "arguments"}], "results": [...], "answer": text}.
 */
struct crmw__gold_runner;
struct crmw__prog_next;

/* The episode of a task's gold run (*out NULL when the run did not reach
 * reward 1).  CRMW_OK or CRMW_ENOMEM. */
int crmw__induce_episode(json_t **out, struct crmw__gold_runner *r, const json_t *task);

/* The episode (new reference) with every argument of a call after the
 * first that equals an earlier call's whole result (a non-empty list or
 * object) kept once: the argument is null and "same" lists [call,
 * argument, result] (the newest such result); crmw__induce puts them back.
 * A best_region episode passes its period's cases, and then their states,
 * on whole.  NULL when out of memory. */
json_t *crmw__episode_share(const json_t *episode);

/* A library {"version", "programs": [...], "families": {family: {word:
 * count}}} induced from the episodes; a program needs `min_support`
 * episodes (2 when below 1).  NULL with why[] (an episode of the wrong
 * shape, out of memory). */
json_t *crmw__induce(const json_t *episodes, int min_support, char *why, size_t len);

/* A pitfall: what a failed episode (`calls` [{"name", "arguments"}] before
 * respond, their parsed `results`, its `answer`) did otherwise than the
 * family's programs of `lib` would, at the first place it did: answered too
 * early, went on where they answer, called another tool, passed other
 * arguments (named by key), or answered otherwise.  Written in the names of
 * the programs' tools and argument keys only, never a value of the episode
 * (a tool the programs never call is "a tool the solved tasks never call").
 * Appended to *out; nothing when the programs abstain on the task or agree
 * with the whole episode.  CRMW_OK or CRMW_ENOMEM. */
int crmw__induced_pitfall(crmw_buf *out, const json_t *lib, const json_t *task, const char *family, const json_t *calls,
			  const json_t *results, const char *answer);


#endif
