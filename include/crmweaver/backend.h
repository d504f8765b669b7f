/*
 * crmweaver/backend.h: the model-backend ABI.  The host supplies inference;
 * the library builds every request and reads every response.
 *
 * A backend is a small versioned table of callbacks (crmw_backend) that the
 * host fills and the library copies.  For each model call the library hands
 * `complete` an opaque request, whose JSON is an OpenAI chat-completions
 * envelope (docs/backend.md):
 *
 *   {"schema_version": 1, "purpose": "chat" | "distill",
 *    "messages": [{"role": "system", "content": "..."}, ...],
 *    "tools": [{"type": "function", "function": {...}}],   (tools mode only)
 *    "tool_choice": "auto", "max_tokens": 2048, "stop": [...],
 *    "metadata": {"task_id", "family", "episode_id", "turn"}}
 *
 * and the callback answers through an opaque response: the assistant message
 * as JSON ({"role": "assistant", "content": ..., "tool_calls": [...]}, or an
 * Anthropic content array), plain text, or an error.  Whatever dialect the
 * model wrote its tool calls in is parsed by the library.
 *
 * Threads: `complete` and `embed` run on the thread that called the library
 * (crmw_agent_run), never on a hidden thread.  The request and response are
 * valid only during the call.
 *
 * ABI promise: crmw_backend only grows at its end; `struct_size` and
 * `version` tell the library which fields the host knows.  A host built
 * against an older header keeps working.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_BACKEND_H
#define CRMWEAVER_BACKEND_H

#include <crmweaver/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of crmw_backend this header describes. @since 0.1 */
#define CRMW_BACKEND_VERSION 1

/** One model call's request.  Opaque, borrowed for the call. @since 0.1 */
typedef struct crmw_request crmw_request;

/** Where `complete` writes its answer.  Opaque, borrowed for the call. @since 0.1 */
typedef struct crmw_response crmw_response;

/**
 * Answer one request: call the model and set the response with
 * crmw_response_set_message, crmw_response_set_text or
 * crmw_response_set_error.  Return 0; a non-zero return aborts the episode
 * (reported as CRMW_EUSER).  A call that sets nothing is a backend error.
 * @since 0.1
 */
typedef int (*crmw_complete_fn)(crmw_response *resp, const crmw_request *req, void *userdata);

/**
 * Embed a text into `dim` floats (for a memory store created with the host
 * embedder named `embed_name`).  Return 0, non-zero on failure.
 * @since 0.1
 */
typedef int (*crmw_backend_embed_fn)(float *out, int32_t dim, const char *text, size_t len, void *userdata);

/**
 * The backend table.  Fill it with zeros, set `struct_size` to
 * sizeof(crmw_backend) and `version` to CRMW_BACKEND_VERSION, then the
 * fields.  The library copies the table; `destroy` (may be NULL) is called
 * on `userdata` once, when the last agent using the copy is freed (or when
 * installing it fails).
 * @since 0.1
 */
typedef struct crmw_backend {
	uint32_t struct_size;          /**< sizeof(crmw_backend) as the host compiled it */
	uint32_t version;              /**< CRMW_BACKEND_VERSION */
	void *userdata;                /**< passed to every callback */
	crmw_complete_fn complete;     /**< required */
	crmw_backend_embed_fn embed;   /**< optional: NULL */
	const char *embed_name;        /**< the embedder's name (copied); required with embed */
	int32_t embed_dim;             /**< its dimension; required with embed */
	crmw_free_fn destroy;          /**< optional: frees userdata */
} crmw_backend;

/**
 * The request as JSON (see the top of this file).  `*len` (may be NULL)
 * receives its length.  Borrowed: valid during the call.
 * @since 0.1
 */
CRMW_API const char *crmw_request_json(const crmw_request *req, size_t *len);

/**
 * The task of the episode as JSON, as the agent sees it: the task record
 * without its gold answer and gold program ("answer", "gold" removed), with
 * its "query", "metadata", "persona", "context" and family.  `*len` (may be
 * NULL) receives its length.  NULL when the request belongs to no episode.
 * Borrowed: valid during the call.
 * @since 0.1
 */
CRMW_API const char *crmw_request_task(const crmw_request *req, size_t *len);

/** "chat" (a turn of the episode) or "distill" (write a guideline). Borrowed. @since 0.1 */
CRMW_API const char *crmw_request_purpose(const crmw_request *req);

/**
 * 1 when the host canceled the episode (crmw_session_cancel, from any
 * thread) since the request was made: a backend that streams or waits may
 * poll this and give up early with crmw_response_set_error.
 * @return 1 when canceled, else 0 (also for NULL and outside an episode)
 * @since 0.1
 */
CRMW_API int crmw_request_canceled(const crmw_request *req);

/**
 * Answer with an assistant message as JSON: an OpenAI message object
 * ({"role", "content", "tool_calls"}), or Anthropic content (an object with a
 * "content" array of blocks, or the array itself).  Copied.  The JSON is
 * checked to be well-formed; its meaning is parsed later (unparseable tool
 * calls become a format-error observation for the model, not an error here).
 * @return CRMW_OK, CRMW_EFORMAT (not JSON), CRMW_EINVALID (NULL argument,
 *         JSON that is neither an object nor an array), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_response_set_message(crmw_response *resp, const char *json, size_t len);

/**
 * Answer with the model's raw text (any tool-call dialect).  Copied.
 * @return CRMW_OK, CRMW_EINVALID (NULL resp, NULL text with len > 0),
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_response_set_text(crmw_response *resp, const char *text, size_t len);

/**
 * The model call failed: the episode ends with end_reason "backend_error"
 * and this message (copied; NULL or "" gives a message saying none was
 * given).
 * @return CRMW_OK, CRMW_EINVALID (NULL resp), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_response_set_error(crmw_response *resp, const char *message);

/**
 * Decline to answer: the backend has nothing it is confident in (the
 * built-in memory policy does this when no plan fits).  The episode ends
 * with end_reason "abstained", no answer and reward 0; shared-memory
 * counters are not moved.  `reason` (may be NULL) is copied.
 * @return CRMW_OK, CRMW_EINVALID (NULL resp), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_response_set_abstain(crmw_response *resp, const char *reason);

/**
 * Token counts the model reported for this call (added to the episode's
 * usage).
 * @return CRMW_OK, CRMW_EINVALID (NULL resp, a negative count)
 * @since 0.1
 */
CRMW_API int crmw_response_set_usage(crmw_response *resp, int64_t prompt_tokens, int64_t completion_tokens);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_BACKEND_H */
