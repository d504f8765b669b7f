/*
 * crmweaver/backends.h: the built-in model backends.  Each constructor fills
 * a crmw_backend table (backend.h) that the host installs with
 * crmw_agent_set_backend, like a table of its own.  The table owns private
 * state through `userdata`: installing it hands that state to the agent
 * (freed with the last agent using it); a table that is never installed must
 * be released with crmw_backend_dispose.
 *
 *  - crmw_backend_memory_policy: answers from shared memories alone (plans
 *    of solved tasks replayed with the new task's entities), no model; it
 *    abstains when no plan fits, or hands over to a fallback backend (a plan
 *    cache in front of a model).
 *  - crmw_backend_openai_http: an OpenAI-compatible chat-completions server
 *    (llama.cpp, vLLM, Ollama, hosted APIs); needs the `curl` feature.
 *  - crmw_backend_replay: the assistant messages of recorded trajectories.
 *  - crmw_backend_gold: each task's own gold program (to build memories and
 *    SFT data from a training split; never to evaluate).
 *
 * Threads: every built-in backend may be used by several agents on several
 * threads at once.  To share one table between agents, install it on each
 * with `destroy` set to NULL and call crmw_backend_dispose on the original
 * once every agent is freed.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_BACKENDS_H
#define CRMWEAVER_BACKENDS_H

#include <crmweaver/backend.h>
#include <crmweaver/memory.h>
#include <crmweaver/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Release a table filled by a constructor of this file (or by the host) that
 * was never installed: calls its destroy on its userdata, then zeroes it.
 * NULL and zeroed tables are accepted.
 * @since 0.1
 */
CRMW_API void crmw_backend_dispose(crmw_backend *b);

/**
 * The memory policy.  For each new task it searches `mem` (borrowed: it must
 * outlive every agent using the table) for guidelines that carry a plan and
 * replays the first one it is confident in, one tool call per turn, through
 * the agent loop.  Confident means: the plan ends with an answer read from
 * the task or from a result (a literal answer only when the plan calls no
 * tool, as refusals do); at least `min_support` solved tasks followed the
 * same plan (counted over the guidelines found and their "support"); and
 * every slot the plan uses aligns with exactly one entity of the new task
 * (ids of the same object, numbers, dates, period names, quoted strings and
 * phrases, told apart by the words around them).  It never sees the task's
 * gold answer or program (crmw_request_task hides them).  Options (JSON,
 * may be NULL):
 *   {"k": 10,              guidelines considered per task (1 to 100)
 *    "min_score": 0.6,     lowest similarity of a usable guideline
 *    "margin": 0.05,       a rival plan this close in score abstains (0 to 2)
 *    "min_support": 2,     solved tasks that must agree on the plan
 *                          (and examples a program needs)
 *    "max_new_words": 0,   query words a plan never saw (-1: no check)
 *    "same_family": true,  only guidelines of the task's family
 *    "programs": true,     first the programs induced from solved episodes
 *                          (agent option memory.programs; docs/backends.md)
 *    "free_text": false}   learned rules (plans and programs) also for the
 *                          families whose answers need reading free text
 *                          ("answer_reads_text" in crmw_task_families); off,
 *                          such a task goes to the fallback or abstains, and
 *                          with the family withheld no rule learned from
 *                          such a family answers.  On, their answers carry
 *                          "free_text": true in the trajectory's "plan", to
 *                          be counted apart from the results with no model
 * With `fallback` (may be NULL) every request the policy cannot answer with
 * confidence goes to that backend instead: the policy works as a plan cache
 * in front of a model.  The fallback table is taken over as by
 * crmw_agent_set_backend (its destroy runs when the policy's does, or at
 * once when this call fails).  Without it the policy abstains
 * (crmw_response_set_abstain: end_reason "abstained").  Trajectories count
 * the calls answered by plans ("backend_calls") and name the plan ("plan").
 * @return CRMW_OK, CRMW_EINVALID (NULL out or mem, bad option or fallback)
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): the policy is a research baseline; what counts as
 *               confident (the support count, the slot alignment) and its
 *               options are still being tuned against measurements.
 * @since 0.1
 */
CRMW_API int crmw_backend_memory_policy(crmw_backend *out, crmw_memory *mem, const crmw_backend *fallback,
					const char *options_json);

/**
 * An OpenAI-compatible chat-completions backend over HTTP.  Options (JSON):
 *   {"base_url": "http://127.0.0.1:8080/v1",   required; "/chat/completions" is appended
 *    "model": "NAME",                           required
 *    "api_key_env": "OPENAI_API_KEY",           the environment variable holding the key
 *    "timeout_ms": 120000, "connect_timeout_ms": 10000,
 *    "max_retries": 4, "backoff_ms": 500, "backoff_max_ms": 30000,
 *    "temperature": 0.0, "top_p": 1.0, "seed": 1, "extra_body": {...},
 *    "requests_per_minute": N, "tokens_per_minute": N}   (since 0.1: a client-side limiter)
 * 429 and 5xx answers and transport failures are retried with exponential
 * backoff (Retry-After honoured); every other failure, and the last one, is
 * a backend error with a one-line reason.  The key is never logged or put
 * into a message.  With "requests_per_minute" the table's requests (from
 * every thread using it) start at least 60/N seconds apart; with
 * "tokens_per_minute" they spend at most N tokens a minute (a request is
 * charged a quarter of its body's bytes before it is sent, corrected by the
 * usage the server reports).  A Retry-After holds back every request of the
 * table until it has passed (docs/backend-http.md).
 * @return CRMW_OK, CRMW_EINVALID (bad options), CRMW_EUNSUPPORTED (built
 *         without curl)
 * @since 0.1
 */
CRMW_API int crmw_backend_openai_http(crmw_backend *out, const char *options_json);

/**
 * A pre-flight check of an OpenAI-compatible server: with the options of
 * crmw_backend_openai_http, POST one chat completion of one token ("Reply
 * with OK.", max_tokens 1, the sampling options and extra_body) and check
 * that the answer is a chat completion.  A transport failure (connection
 * refused, DNS, timeout) is not retried, so a missing server fails at once;
 * 429 and 5xx follow the retry options.  `report` (may be NULL) receives
 * {"ok": true, "url", "model", "served_model"?} ("served_model": the
 * answer's "model").  The message of a failure names the URL and the
 * server's reason (e.g. "HTTP 404 from ...: model 'x' not found").
 * @return CRMW_OK, CRMW_EBACKEND (the request failed), CRMW_EINVALID (bad
 *         options), CRMW_EUNSUPPORTED (built without curl), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_backend_openai_http_check(crmw_buf *report, const char *options_json);

/**
 * The HTTP request the backend with these options would send for the
 * library request `request_json` (the envelope a backend's `complete`
 * receives: crmw_request_json, or crmw_session_next's output), without
 * sending it: {"method": "POST", "url", "headers", "body"}.  The URL has no
 * credentials and an API key shows as "Bearer ***".
 * @return CRMW_OK, CRMW_EINVALID (bad options or request), CRMW_EUNSUPPORTED
 *         (built without curl), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_backend_openai_http_preview(crmw_buf *out, const char *options_json, const char *request_json);

/**
 * Replays recorded episodes: the trajectory JSONL at `path` (crmw_agent_run
 * or `crmweaver run` output) is read once; a request is answered with the
 * next assistant message of the recorded episode of the same task (by
 * task_id; options {"match": "task_id" | "episode_id"}).  A task without a
 * recording, or a conversation that ran past it, is a backend error.
 * @return CRMW_OK, CRMW_EINVALID, CRMW_ENOTFOUND, CRMW_EIO, CRMW_EFORMAT
 * @since 0.1
 */
CRMW_API int crmw_backend_replay(crmw_backend *out, const char *path, const char *options_json);

/**
 * Replays each task's gold program (its "gold" calls, run once over `db`,
 * borrowed) as tool calls, then answers with the program's answer.  For
 * building memories and SFT data from a training split only: it reads the
 * gold solution, so its accuracy says nothing about a model.
 * @return CRMW_OK, CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_backend_gold(crmw_backend *out, crmw_db *db, const char *options_json);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_BACKENDS_H */
