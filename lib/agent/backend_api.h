/*
 * lib/agent/backend_api.h: what the agent module offers the built-in
 * backends of lib/backends beyond the public ABI (backend.h): the session
 * behind a request, a replayed plan on a response, a backend table held by
 * reference (a fallback), and the plans of shared memories.  Nothing else
 * of the agent's structures is visible there.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_AGENT_BACKEND_API_H
#define CRMW_AGENT_BACKEND_API_H

#include "common/internal.h"
#include <crmweaver/agent.h>
#include <crmweaver/backend.h>

#include <jansson.h>
#include <stddef.h>

/* A backend table copied from the host, shared by reference count (defined
 * in agent/internal.h). */
typedef struct crmw__backend_ref crmw__backend_ref;

/* Backend references: copy a host table (checks it; on failure calls its
 * destroy), take and drop references. */
int crmw__backend_copy(crmw_err *e, crmw__backend_ref **out, const crmw_backend *src);
void crmw__backend_unref(crmw__backend_ref *b);
crmw__backend_ref *crmw__backend_ref_get(crmw__backend_ref *b);
/* Hand a request on to the table `b` holds (its complete callback). */
int crmw__backend_forward(crmw__backend_ref *b, crmw_response *resp, const crmw_request *req);

/* The session a request comes from; NULL for a request built outside an
 * episode (crmw_backend_openai_http_preview, a host's own calls). */
const crmw_session *crmw__request_session(const crmw_request *req);
/* A response answered by replaying a plan of a shared memory: `plan` is
 * {"memory_id", "score", "alignment", "slots", "step"}; the response takes
 * the reference. */
void crmw__response_set_plan(crmw_response *resp, json_t *plan);

/* The task as the backend may see it (no answer, no gold program), as JSON
 * text owned by the session; and the whole task (the gold backend only). */
const char *crmw__session_task_text(const crmw_session *s, size_t *len);
const json_t *crmw__session_task(const crmw_session *s);
/* The shared-memory scope the episode reads and writes under (its role's,
 * crmw__role_scope; "internal" before retrieval or without a memory).
 * Borrowed. */
const char *crmw__session_mem_scope(const crmw_session *s);
const json_t *crmw__session_last_decision(const crmw_session *s);
int crmw__session_turn(const crmw_session *s);
void crmw__session_ids(const crmw_session *s, const char **task_id, const char **family, const char **episode_id);

/* A plan's shape: its steps with slot names replaced by their kinds (JSON
 * text, caller frees): equal shapes do the same thing to other entities. */
char *crmw__plan_shape(const json_t *plan);

/* Bind the slots a plan uses to the entities of a new task: *bindings gets
 * {"sN": "value"}.  CRMW_ENOTFOUND with `why` when a slot has no unique
 * counterpart. */
int crmw__plan_align(json_t **bindings, char *why, size_t whylen, const json_t *plan, const json_t *task);

/* A plan value with its slots, dates, templates and references resolved
 * against the bindings and the earlier results; NULL with `why`. */
json_t *crmw__plan_resolve(const json_t *v, const json_t *bindings, const json_t *results, char *why, size_t whylen);

/* Programs induced from solved episodes (lib/agent/induce.c; the
 * interpreter's types in lib/tasks/internal.h). */
struct crmw__prog_next;
/* The next call, the answer, or an abstention with every program's reason,
 * for a task of `family` (NULL: the family is not known) given the results
 * so far.  CRMW_OK or CRMW_ENOMEM; release *out with crmw__prog_next_clear. */
int crmw__induced_next(struct crmw__prog_next *out, const json_t *lib, const json_t *task, const char *family,
		       const json_t *results);
/* What crmw__induced_next checks of a library on every call (a store
 * anyone may write), made once for many calls: {"malformed": why} for a
 * library it refuses, else {"skipped": {index: why}} for the programs it
 * skips.  A new object, or NULL when out of memory. */
json_t *crmw__induced_check(const json_t *lib);
/* crmw__induced_next with the checks crmw__induced_check made of this
 * very library (NULL: checked here, as crmw__induced_next does). */
int crmw__induced_next_checked(struct crmw__prog_next *out, const json_t *lib, const json_t *checks, const json_t *task,
			       const char *family, const json_t *results);
/* The direction words of a library's "sides" ({family: {"max": counts,
 * "min": counts}}) as crmw__induce computes them: pooled over the families
 * with both sides, a word counted twice or more on one side and never on
 * the other.  A new object, or NULL when out of memory. */
json_t *crmw__direction_words(const json_t *sides);

#endif
