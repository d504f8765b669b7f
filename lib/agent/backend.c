/*
 * lib/agent/backend.c: the backend table (copied, reference counted), the
 * request accessors and the response setters of the backend ABI.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "common/json.h"

#include <stdlib.h>
#include <string.h>

crmw__backend_ref *crmw__backend_ref_get(crmw__backend_ref *b)
{
	if (b)
		atomic_fetch_add(&b->refs, 1);
	return b;
}

void crmw__backend_unref(crmw__backend_ref *b)
{
	if (!b || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	if (b->b.destroy)
		b->b.destroy(b->b.userdata);
	free(b->embed_name);
	free(b);
}

/* Copy a host table: fields the host's header did not know stay zero. */
int crmw__backend_copy(crmw_err *e, crmw__backend_ref **out, const crmw_backend *src)
{
	*out = NULL;
	size_t known = offsetof(crmw_backend, userdata) + sizeof(void *);
	crmw_free_fn destroy = NULL;
	if (src->struct_size >= offsetof(crmw_backend, destroy) + sizeof(crmw_free_fn))
		destroy = src->destroy;
	const char *why = NULL;
	if (src->struct_size < known + sizeof(crmw_complete_fn))
		why = "struct_size is too small: set it to sizeof(crmw_backend)";
	else if (src->version < 1 || src->version > CRMW_BACKEND_VERSION)
		why = "unknown version: set it to CRMW_BACKEND_VERSION";
	else if (!src->complete)
		why = "complete must not be NULL";
	if (why) {
		if (destroy)
			destroy(src->userdata);
		return crmw__errf(e, CRMW_EINVALID, "crmw_agent_set_backend: %s", why);
	}
	crmw__backend_ref *b = calloc(1, sizeof *b);
	if (!b) {
		if (destroy)
			destroy(src->userdata);
		return crmw__errf(e, CRMW_ENOMEM, "out of memory");
	}
	size_t n = src->struct_size < sizeof(crmw_backend) ? src->struct_size : sizeof(crmw_backend);
	memcpy(&b->b, src, n);
	b->b.struct_size = sizeof(crmw_backend);
	b->b.destroy = destroy;
	atomic_init(&b->refs, 1);
	if (b->b.embed) {
		if (!b->b.embed_name || !*b->b.embed_name || b->b.embed_dim < 1) {
			crmw__backend_unref(b);
			return crmw__errf(e, CRMW_EINVALID, "crmw_agent_set_backend: embed needs embed_name and embed_dim");
		}
		b->embed_name = crmw__strdup(b->b.embed_name);
		if (!b->embed_name) {
			crmw__backend_unref(b);
			return crmw__errf(e, CRMW_ENOMEM, "out of memory");
		}
	}
	b->b.embed_name = b->embed_name;
	*out = b;
	return CRMW_OK;
}

void crmw__response_dispose(struct crmw_response *r)
{
	crmw_buf_dispose(&r->body);
	json_decref(r->plan);
	memset(r, 0, sizeof *r);
}

int crmw__backend_call(crmw_err *e, crmw__backend_ref *b, struct crmw_response *resp, const char *request_json,
		       size_t len, const char *purpose, const crmw_session *s)
{
	memset(resp, 0, sizeof *resp);
	struct crmw_request req = {request_json, len, purpose, s};
	int rc = b->b.complete(resp, &req, b->b.userdata);
	if (rc != 0) {
		crmw__response_dispose(resp);
		return crmw__errf(e, CRMW_EUSER, "the backend's complete callback aborted (returned %d)", rc);
	}
	return CRMW_OK;
}

const char *crmw_request_json(const crmw_request *req, size_t *len)
{
	if (len)
		*len = req ? req->len : 0;
	return req ? req->json : NULL;
}

const char *crmw_request_task(const crmw_request *req, size_t *len)
{
	if (len)
		*len = 0;
	return req && req->session ? crmw__session_task_text(req->session, len) : NULL;
}

const char *crmw_request_purpose(const crmw_request *req)
{
	return req ? req->purpose : NULL;
}

const crmw_session *crmw__request_session(const crmw_request *req)
{
	return req ? req->session : NULL;
}

void crmw__response_set_plan(crmw_response *resp, json_t *plan)
{
	json_decref(resp->plan);
	resp->plan = plan;
}

int crmw__backend_forward(crmw__backend_ref *b, crmw_response *resp, const crmw_request *req)
{
	return b->b.complete(resp, req, b->b.userdata);
}

int crmw_request_canceled(const crmw_request *req)
{
	return req && req->session && crmw__session_canceled(req->session) ? 1 : 0;
}

static int set_body(crmw_response *r, int kind, const char *s, size_t n)
{
	crmw__buf_clear(&r->body);
	int rc = crmw__buf_append(&r->body, s, n);
	if (rc)
		return crmw__errf(NULL, rc, "out of memory");
	r->kind = kind;
	return CRMW_OK;
}

int crmw_response_set_message(crmw_response *r, const char *json, size_t len)
{
	CRMW__ARGS_NONNULL(NULL, !r || !json);
	json_t *v;
	crmw__json_error je;
	int rc = crmw__json_parse(json, len, &v, &je);
	if (rc)
		return crmw__errf(NULL, rc, "the assistant message is not JSON: %s (line %d, column %d)", je.text, je.line,
				  je.column);
	bool ok = json_is_object(v) || json_is_array(v);
	json_decref(v);
	if (!ok)
		return crmw__errf(NULL, CRMW_EINVALID, "the assistant message must be a JSON object or an array of content blocks");
	return set_body(r, RESP_MESSAGE, json, len);
}

int crmw_response_set_text(crmw_response *r, const char *text, size_t len)
{
	CRMW__ARGS_NONNULL(NULL, !r || (!text && len));
	return set_body(r, RESP_TEXT, text ? text : "", len);
}

int crmw_response_set_error(crmw_response *r, const char *message)
{
	if (!r)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_response_set_error: NULL response");
	const char *m = message && *message ? message : "the backend failed without a message";
	return set_body(r, RESP_ERROR, m, strlen(m));
}

int crmw_response_set_abstain(crmw_response *r, const char *reason)
{
	if (!r)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_response_set_abstain: NULL response");
	const char *m = reason && *reason ? reason : "the backend abstained";
	return set_body(r, RESP_ABSTAIN, m, strlen(m));
}

void crmw_backend_dispose(crmw_backend *b)
{
	if (!b)
		return;
	if (b->struct_size >= offsetof(crmw_backend, destroy) + sizeof(crmw_free_fn) && b->destroy)
		b->destroy(b->userdata);
	memset(b, 0, sizeof *b);
}

int crmw_response_set_usage(crmw_response *r, int64_t prompt_tokens, int64_t completion_tokens)
{
	if (!r || prompt_tokens < 0 || completion_tokens < 0)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_response_set_usage: NULL response or negative count");
	r->prompt_tokens += prompt_tokens;
	r->completion_tokens += completion_tokens;
	r->has_usage = true;
	return CRMW_OK;
}
