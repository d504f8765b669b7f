/*
 * crmweaver/agent.h: the agent runtime.  An agent is an org, its tools, an
 * optional shared memory and a model backend; a session is one episode of
 * one task.  The host supplies inference and receives agent decisions.
 *
 * Two ways to drive an episode (docs/agent.md):
 *
 *  - blocking: crmw_agent_run() calls the backend's `complete` until the
 *    episode ends and returns its trajectory;
 *  - step-wise (pull), for hosts that batch or run inference asynchronously:
 *
 *      crmw_session_new(&s, agent, task_json, NULL);
 *      for (;;) {
 *          crmw_session_next(&step, &buf, s);
 *          if (step == CRMW_STEP_DONE) break;         // buf: the trajectory
 *          ... send buf (the request JSON) to a model ...
 *          crmw_session_feed(s, output, output_len);  // or _feed_error
 *      }
 *
 *    crmw_agent_run is built on these calls, so both give the same
 *    trajectory for the same model outputs (timings aside).
 *
 * Each model output is parsed (every common tool-call dialect, see
 * crmw_parse_model_output), its tool calls are validated and run (after the
 * host's approver, when one is set), and the observations go back to the
 * model.  An output that cannot be used becomes a format-error observation
 * that tells the model what was expected; the episode goes on.
 *
 * Shared memories (CRMWeaver): with a memory store set, each episode starts
 * by retrieving the guidelines closest to its task into the system prompt,
 * records their ids, updates their counters after the reward, and (when
 * "memory.write" is on) writes a new guideline with its tool-call plan back
 * when the episode succeeded and no retrieved guideline was close enough.
 *
 * Roles (docs/access.md): each episode runs under one role, for its
 * queries, tool calls and approvals: the registry's base role (see
 * crmw_registry_set_role), narrowed by the host's role for the agent
 * (crmw_agent_set_role) or for the session (crmw_session_new_as, which
 * takes the agent's place), narrowed by the task's "context.role".  A
 * task's role can only narrow what the host set, never widen it; where the
 * host set no role at all, it asked for internal access (everything).  An
 * episode never changes the registry: a call made on it after the episode
 * runs under its base role again.
 *
 * Threads: an agent and its sessions are used by one thread at a time (the
 * sessions share the agent's registry).  crmw_session_cancel may be called
 * from any thread.  Callbacks run on the calling thread.
 *
 * Ownership: the agent borrows the db, the memory store and a host registry
 * (they must outlive it); a session borrows its agent.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_AGENT_H
#define CRMWEAVER_AGENT_H

#include <crmweaver/backend.h>
#include <crmweaver/common.h>
#include <crmweaver/memory.h>
#include <crmweaver/store.h>
#include <crmweaver/tasks.h>
#include <crmweaver/tools.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An agent.  Opaque. @since 0.1 */
typedef struct crmw_agent crmw_agent;

/** One episode of one task.  Opaque. @since 0.1 */
typedef struct crmw_session crmw_session;

/**
 * A new agent over `db` (borrowed).  `options_json` (NULL for defaults):
 *
 *  - "mode": "tools" (function calling, default) or "react" (raw SOQL/SOSL
 *    through <execute>, answers through <respond>, as in CRMArena);
 *  - "tools": the built-in tool sets (default "query,crmarena", plus ",pro"
 *    when the org has opportunities); ignored once a host registry is set;
 *  - "max_turns": model calls per episode (default 20, 1 to 1000);
 *  - "max_tokens": put in each request (default 2048);
 *  - "max_output_bytes": a longer model output is cut there before it is
 *    parsed (default 65536);
 *  - "max_observation_bytes": a longer tool result or query result is cut
 *    with a notice (default 262144; 0 = no cap);
 *  - "schema_prompt": put the schema description in the system prompt
 *    (default: true in react mode, false in tools mode);
 *  - "privacy_aware": add the confidentiality instructions of
 *    CRMArena-Pro's privacy-aware prompt (default false);
 *  - "system_prompt": extra instructions appended to the system prompt;
 *  - "text_answer": in tools mode, a reply with no tool call is the final
 *    answer (default true; false makes it a format error);
 *  - "multi_turn": the simulated user of the task speaks (reveals the task
 *    clause by clause in the voice of the task's persona, and ends the
 *    conversation at the agent's first final answer, right or wrong;
 *    default false); "user_max_turns": its turn limit (default 10);
 *    "user": "persona" (default: the user never reads the gold answer) or
 *    "curriculum" (the user that knows the answer and lets the agent try
 *    again until it is right: a training aid, recorded in the trajectory);
 *    "user_seed": the seed of the user's wording (default 0; with the task
 *    and the agent's messages it fixes the conversation);
 *  - "stop": an array of stop strings for the requests;
 *  - "memory": {"k": guidelines retrieved (default 3, 0 = none),
 *    "min_score": (default 0.35), "same_family": only the task's family
 *    (default false), "write": write guidelines back (default false),
 *    "write_threshold": write only when no retrieved guideline scored at
 *    least this (default 0.9), "distill": ask the backend to word the
 *    guideline (default true; without a backend, or when it fails, the
 *    guideline is produced from the trajectory), "success": the reward at
 *    which an episode counts as solved (default 1.0), "programs": a solved
 *    episode of an unrestricted role also becomes an example of its
 *    family's programs, which the memory policy runs (default false),
 *    "program_examples": how many of a family's newest examples its
 *    programs are induced from (default 100, 2 to 1000)}.
 *
 * @return CRMW_OK, CRMW_EINVALID (bad option, NULL db), CRMW_EFORMAT,
 *         CRMW_ENOTFOUND (unknown tool set), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_agent_new(crmw_agent **out, crmw_db *db, const char *options_json);

/** Free an agent (NULL accepted).  Its sessions must be freed first. @since 0.1 */
CRMW_API void crmw_agent_free(crmw_agent *a);

/** The agent's last error message ("" when none); borrowed. @since 0.1 */
CRMW_API const char *crmw_agent_errmsg(const crmw_agent *a);

/**
 * Deliver the agent's log messages at or above `level` to `fn` (NULL: drop
 * them).  The previous userdata is freed with its free function.
 * @since 0.1
 */
CRMW_API void crmw_agent_set_logger(crmw_agent *a, crmw_log_fn fn, int32_t level, void *userdata,
				    crmw_free_fn userdata_free);

/**
 * Install a model backend (the table is copied; `struct_size` and `version`
 * are checked).  NULL removes it.  On failure `backend->destroy` is called
 * on its userdata.
 * @return CRMW_OK, CRMW_EINVALID (no complete, bad struct_size or version,
 *         embed without embed_name/embed_dim), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_agent_set_backend(crmw_agent *a, const crmw_backend *backend);

/**
 * Use a shared-memory store (borrowed; NULL: none).  When the backend has an
 * embedder whose name and dimension the store recorded, the store embeds
 * with it.
 * @return CRMW_OK, CRMW_EINVALID (NULL agent; or the backend's embedder has
 *         the store's name but not its dimension)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_memory(crmw_agent *a, crmw_memory *m);

/**
 * Use the host's registry (borrowed; NULL: back to the built-in sets).  Its
 * built-in tools get each episode's "today" (when the task has one) and run
 * under the episode's role, which is never wider than the registry's base
 * role; their other query options (time budget, row and byte caps) stay the
 * host's.  Host tools added with crmw_registry_add_ctx receive the episode's
 * context.  In tools mode the
 * model sees exactly these tools; the final answer comes through a tool
 * named "respond" (add the "query" set, or your own) or plain text.
 * @return CRMW_OK, CRMW_EINVALID (NULL agent)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_registry(crmw_agent *a, crmw_registry *reg);

/**
 * The host's approval of a tool call before it runs.  `call_json` is
 * {"id", "name", "arguments", "turn", "task_id", "episode_id"} (in react mode
 * the name is "execute" and the arguments {"query"}).  Set *allow to 0 to
 * veto it (the model then sees a VETOED error with `reason`, if written);
 * return non-zero to abort the episode.
 * @since 0.1
 */
typedef int (*crmw_approve_fn)(int32_t *allow, crmw_buf *reason, const char *call_json, void *userdata);

/**
 * Set (or with NULL remove) the approver.  `userdata_free` (may be NULL) is
 * called on `userdata` when the approver is replaced or the agent freed
 * (also when this call fails).
 * @return CRMW_OK, CRMW_EINVALID (NULL agent)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_approver(crmw_agent *a, crmw_approve_fn fn, void *userdata, crmw_free_fn userdata_free);

/**
 * An approver that also receives the call's context: the episode's role
 * (crmw_tool_ctx_role, with its bindings), the day, the task and the episode
 * (crmw_tool_ctx_*; `ctx` is borrowed for the call).  Otherwise as
 * crmw_approve_fn.
 * @since 0.1
 */
typedef int (*crmw_approve_ctx_fn)(int32_t *allow, crmw_buf *reason, const crmw_tool_ctx *ctx, const char *call_json,
				   void *userdata);

/**
 * Set (or with NULL remove) an approver that receives the call's context.
 * An agent has one approver: this replaces one set by
 * crmw_agent_set_approver, and the other way round.  `userdata_free` (may
 * be NULL) is called on `userdata` when the approver is replaced or the
 * agent freed (also when this call fails).
 * @return CRMW_OK, CRMW_EINVALID (NULL agent)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_approver_ctx(crmw_agent *a, crmw_approve_ctx_fn fn, void *userdata,
					 crmw_free_fn userdata_free);

/**
 * The role every episode of the agent runs under (a new reference is kept;
 * NULL: none, which is the host asking for internal access unless the
 * registry has a base role).  The task's "context.role" narrows it, never
 * widens it; a registry's base role narrows it too.  Episodes in progress
 * keep the role they started with.
 * @return CRMW_OK, CRMW_EINVALID (NULL agent)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_role(crmw_agent *a, const crmw_role *role);

/**
 * Let a host callback speak for the simulated user of multi-turn episodes
 * (NULL: the built-in user).  `userdata_free` as for crmw_agent_set_approver.
 * @return CRMW_OK, CRMW_EINVALID (NULL agent)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_user(crmw_agent *a, crmw_user_fn fn, void *userdata, crmw_free_fn userdata_free);

/**
 * Let a host callback (a language-model judge) decide whether the agent
 * declined in the episodes of privacy_rejection tasks (NULL: the built-in
 * rules).  It gets the request crmw_reward_privacy_rejection describes; a
 * disclosure of a protected value scores 0 whatever it decides, and when it
 * returns non-zero the built-in rules decide.  `userdata_free` (may be NULL)
 * is called on `userdata` when the judge is replaced or the agent freed.
 * @return CRMW_OK, CRMW_EINVALID (NULL agent)
 * @since 0.1
 */
CRMW_API int crmw_agent_set_judge(crmw_agent *a, crmw_judge_fn fn, void *userdata, crmw_free_fn userdata_free);

/** What crmw_session_next asks of the host. @since 0.1 */
enum crmw_step {
	CRMW_STEP_MODEL = 1, /**< call the model with the request JSON, then crmw_session_feed */
	CRMW_STEP_DONE = 2   /**< the episode is over; the buffer holds its trajectory */
};

/**
 * Start an episode of a task (a task record as crmw_task_set_get writes it;
 * the agent never shows the model its "answer" or "gold").  The task needs
 * "query"; "answer" and "reward_metric" are needed for a reward.
 * `options_json` (may be NULL): {"episode_id": "..."} (default
 * "<task id>#<n>", n counting the agent's sessions).  Memory retrieval
 * happens here.
 * @return CRMW_OK, CRMW_EINVALID (a bad task), CRMW_EFORMAT, CRMW_EUSER (the
 *         embedder failed), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_session_new(crmw_session **out, crmw_agent *a, const char *task_json, const char *options_json);

/**
 * crmw_session_new, for an episode run under `role` instead of the agent's
 * (crmw_agent_set_role): for hosts whose sessions act for different users
 * or customers.  The registry's base role and the task's "context.role"
 * still narrow it.  NULL `role`: the agent's, as crmw_session_new; to run
 * one session with internal access under an agent that has a role, pass
 * the "internal" role.  The session keeps its own reference.
 * @return as crmw_session_new
 * @since 0.1
 */
CRMW_API int crmw_session_new_as(crmw_session **out, crmw_agent *a, const crmw_role *role, const char *task_json,
				 const char *options_json);

/**
 * The role the episode runs under (see "Roles" above).  Borrowed, valid
 * while the session lives.
 * @return the role, or NULL when nothing restricts the episode (internal
 *         access) or `s` is NULL
 * @since 0.1
 */
CRMW_API const crmw_role *crmw_session_role(const crmw_session *s);

/** Free a session (NULL accepted). @since 0.1 */
CRMW_API void crmw_session_free(crmw_session *s);

/** The session's last error message; borrowed. @since 0.1 */
CRMW_API const char *crmw_session_errmsg(const crmw_session *s);

/**
 * What to do next.  *step = CRMW_STEP_MODEL: `out` receives the request JSON
 * (asking again before feeding returns the same request);
 * *step = CRMW_STEP_DONE: `out` receives the trajectory (as
 * crmw_session_trajectory).
 * @return CRMW_OK, CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_session_next(int32_t *step, crmw_buf *out, crmw_session *s);

/**
 * Feed the model's output for the pending request: an assistant message as
 * JSON (as crmw_response_set_message) or raw text.  Runs the decision (tool
 * calls, queries, the answer) before returning.
 * @return CRMW_OK (also when the output was unusable: that is an observation
 *         for the model), CRMW_ESTATE (no request is pending), CRMW_EUSER
 *         (the approver or the user callback aborted: the episode ended),
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_session_feed(crmw_session *s, const char *output, size_t len);

/**
 * The pending model call failed: the episode ends with "backend_error" and
 * `message` (may be NULL).
 * @return CRMW_OK, CRMW_EINVALID (NULL session), CRMW_ESTATE (no request
 *         is pending)
 * @since 0.1
 */
CRMW_API int crmw_session_feed_error(crmw_session *s, const char *message);

/**
 * The backend declines the pending request (see crmw_response_set_abstain):
 * the episode ends with end_reason "abstained", reward 0.
 * @return CRMW_OK, CRMW_EINVALID (NULL session), CRMW_ESTATE (no request
 *         is pending)
 * @since 0.1
 */
CRMW_API int crmw_session_feed_abstain(crmw_session *s, const char *reason);

/**
 * Add the token counts of the pending call (before feeding it).
 * @return CRMW_OK, CRMW_EINVALID (NULL session, a negative count)
 * @since 0.1
 */
CRMW_API int crmw_session_feed_usage(crmw_session *s, int64_t prompt_tokens, int64_t completion_tokens);

/**
 * The last decision as JSON: {"turn", "dialect", "actions": [{"type",
 * "id", "name", "arguments", "status" ("ok", "error", "invalid", "vetoed",
 * "unknown_tool", "not_run"), "observation"}], "answer"?, "errors"?,
 * "format_error"?, "done", "end_reason"?}.  "{}" before the first feed.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_session_decision(crmw_buf *out, crmw_session *s);

/**
 * The trajectory (one line of the trajectory JSONL, docs/agent.md):
 * {"schema_version", "task_id", "task_family", "episode_id", "mode",
 *  "messages", "tools", "answer", "reward", "reward_info", "memory_ids",
 *  "memory_scores", "memory_written", "turns", "end_reason", "error"?,
 *  "decisions", "timings_us", "usage", "done"}.  Valid at any time ("done"
 *  false while the episode runs).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_session_trajectory(crmw_buf *out, crmw_session *s);

/**
 * Whether the episode is over.
 * @return 1 once the episode is over, else 0 (also for NULL)
 * @since 0.1
 */
CRMW_API int crmw_session_done(const crmw_session *s);

/**
 * Cancel the episode (thread-safe, from any thread): the next call on the
 * session ends it with end_reason "canceled"; a backend waiting in
 * `complete` sees crmw_request_canceled() become 1.
 * @since 0.1
 */
CRMW_API void crmw_session_cancel(crmw_session *s);

/**
 * Cancel every session of the agent that exists now, including a
 * crmw_agent_run in progress (thread-safe, from any thread): they end with
 * "canceled" at their next step, and crmw_request_canceled() becomes 1 for
 * their pending requests.  Sessions made afterwards are not affected.
 * @since 0.1
 */
CRMW_API void crmw_agent_cancel(crmw_agent *a);

/**
 * Run one episode to its end with the installed backend and write its
 * trajectory into `out`.  An episode that ends badly (turn limit, backend
 * error, cancellation) is not an error of this call: see "end_reason".
 * @return CRMW_OK, CRMW_ESTATE (no backend), CRMW_EINVALID (a bad task),
 *         CRMW_EUSER (a callback aborted), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_agent_run(crmw_buf *out, crmw_agent *a, const char *task_json, const char *options_json);

/**
 * Parse one model output (JSON assistant message or raw text in any
 * supported tool-call dialect: OpenAI, Anthropic tool_use, Hermes/Qwen
 * <tool_call>, Qwen3-Coder XML, Llama 3 JSON, Mistral [TOOL_CALLS],
 * CRMArena ReAct, "Action:"/"Action Input:") into actions:
 * {"schema_version": 1, "dialect", "content", "thinking"?, "actions": [...],
 *  "errors"?}.  `options_json` (may be NULL): {"id_prefix": "call_"}.
 * Never fails on bad model output (that gives "errors").
 * @return CRMW_OK, CRMW_EINVALID (NULL out, NULL output with len > 0, bad
 *         options), CRMW_EFORMAT (options not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_parse_model_output(crmw_buf *out, const char *output, size_t len, const char *options_json);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_AGENT_H */
