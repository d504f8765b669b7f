/*
 * lib/agent/agent.c: the agent handle (options, backend, memory, registry,
 * callbacks), the blocking run built on the step-wise session, and the
 * public parser entry point.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "agent/parse.h"
#include "common/json.h"
#include "memory/internal.h"
#include "schema/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const OPTION_KEYS[] = {
	"mode", "tools", "max_turns", "max_tokens", "max_output_bytes", "max_observation_bytes", "schema_prompt",
	"privacy_aware", "system_prompt", "text_answer", "multi_turn", "user_max_turns", "user", "user_seed", "stop",
	"memory",
};
static const char *const MEMORY_KEYS[] = {
	"k", "min_score", "same_family", "write", "write_threshold", "distill", "success", "programs", "program_examples",
};

/* Every agent option is read with the common option readers, under one name. */
#define OPTS "agent options"

static int bad(crmw_err *e, const char *key, const char *want)
{
	return crmw__opt_bad(e, OPTS, key, want);
}

static int get_int(crmw_err *e, const json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	return crmw__opt_int(e, OPTS, o, key, lo, hi, out);
}

static int get_bool(crmw_err *e, const json_t *o, const char *key, bool *out)
{
	return crmw__opt_bool(e, OPTS, o, key, out);
}

static int get_num(crmw_err *e, const json_t *o, const char *key, double lo, double hi, double *out)
{
	return crmw__opt_real(e, OPTS, o, key, lo, hi, out);
}

static int get_str(crmw_err *e, const json_t *o, const char *key, char **out)
{
	return crmw__opt_str(e, OPTS, o, key, out);
}

static int parse_options(crmw_err *e, crmw__agent_opts *o, const char *text)
{
	json_t *v;
	int rc = crmw__json_options(&v, e, text, "agent options", OPTION_KEYS, CRMW_ARRAY_LEN(OPTION_KEYS));
	if (rc || !v)
		return rc;
	const char *mode = json_string_value(json_object_get(v, "mode"));
	if (json_object_get(v, "mode")) {
		if (mode && strcmp(mode, "tools") == 0)
			o->mode = MODE_TOOLS;
		else if (mode && strcmp(mode, "react") == 0)
			o->mode = MODE_REACT;
		else
			rc = bad(e, "mode", "\"tools\" or \"react\"");
	}
	int64_t n;
	n = o->max_turns;
	rc = rc ? rc : get_int(e, v, "max_turns", 1, 1000, &n);
	o->max_turns = (int)n;
	n = o->max_tokens;
	rc = rc ? rc : get_int(e, v, "max_tokens", 1, 1 << 20, &n);
	o->max_tokens = (int)n;
	rc = rc ? rc : get_int(e, v, "max_output_bytes", 64, INT64_C(1) << 30, &o->max_output);
	rc = rc ? rc : get_int(e, v, "max_observation_bytes", 0, INT64_C(1) << 30, &o->max_observation);
	n = o->user_max_turns;
	rc = rc ? rc : get_int(e, v, "user_max_turns", 1, 1000, &n);
	o->user_max_turns = (int)n;
	rc = rc ? rc : get_int(e, v, "user_seed", 0, INT64_C(1) << 53, &o->user_seed);
	const json_t *user = json_object_get(v, "user");
	if (!rc && user) {
		const char *m = json_string_value(user);
		if (m && (strcmp(m, "persona") == 0 || strcmp(m, "curriculum") == 0))
			o->user_curriculum = strcmp(m, "curriculum") == 0;
		else
			rc = bad(e, "user", "\"persona\" (the gold-blind user, default) or \"curriculum\" (the user that "
					    "knows the answer)");
	}
	bool sp = false;
	if (!rc && json_object_get(v, "schema_prompt")) {
		rc = get_bool(e, v, "schema_prompt", &sp);
		o->schema_prompt = sp ? 1 : 0;
	}
	rc = rc ? rc : get_bool(e, v, "privacy_aware", &o->privacy_aware);
	rc = rc ? rc : get_bool(e, v, "text_answer", &o->text_answer);
	rc = rc ? rc : get_bool(e, v, "multi_turn", &o->multi_turn);
	rc = rc ? rc : get_str(e, v, "system_prompt", &o->system_prompt);
	rc = rc ? rc : get_str(e, v, "tools", &o->sets);
	const json_t *stop = json_object_get(v, "stop");
	if (!rc && stop) {
		size_t i;
		json_t *x;
		bool ok = json_is_array(stop) && json_array_size(stop) <= 16;
		json_array_foreach(stop, i, x) ok = ok && json_is_string(x) && json_string_length(x) > 0;
		if (!ok)
			rc = bad(e, "stop", "an array of at most 16 non-empty strings");
		else
			o->stop = json_deep_copy(stop);
	}
	const json_t *mem = json_object_get(v, "memory");
	if (!rc && mem) {
		if (!json_is_object(mem))
			rc = bad(e, "memory", "an object");
		rc = rc ? rc
			: crmw__json_check_keys(e, (json_t *)mem, "agent option \"memory\"", "key", MEMORY_KEYS,
						CRMW_ARRAY_LEN(MEMORY_KEYS));
		n = o->mem_k;
		rc = rc ? rc : get_int(e, mem, "k", 0, 100, &n);
		o->mem_k = (int)n;
		rc = rc ? rc : get_num(e, mem, "min_score", -1, 1, &o->mem_min_score);
		rc = rc ? rc : get_num(e, mem, "write_threshold", -1, 1.01, &o->mem_write_threshold);
		rc = rc ? rc : get_num(e, mem, "success", 0, 1, &o->mem_success);
		rc = rc ? rc : get_bool(e, mem, "same_family", &o->mem_same_family);
		rc = rc ? rc : get_bool(e, mem, "write", &o->mem_write);
		rc = rc ? rc : get_bool(e, mem, "distill", &o->mem_distill);
		rc = rc ? rc : get_bool(e, mem, "programs", &o->mem_programs);
		n = o->mem_program_examples;
		rc = rc ? rc : get_int(e, mem, "program_examples", 2, 1000, &n);
		o->mem_program_examples = (int)n;
	}
	json_decref(v);
	return rc;
}

static void opts_dispose(crmw__agent_opts *o)
{
	free(o->sets);
	free(o->system_prompt);
	json_decref(o->stop);
	memset(o, 0, sizeof *o);
}

int crmw_agent_new(crmw_agent **out, crmw_db *db, const char *options_json)
{
	if (!out || !db)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_new: out and db must not be NULL");
	*out = NULL;
	crmw_agent *a = calloc(1, sizeof *a);
	if (!a)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	a->db = db;
	atomic_init(&a->cancel_gen, 0);
	a->o = (crmw__agent_opts){
		.mode = MODE_TOOLS,
		.max_turns = 20,
		.max_tokens = 2048,
		.max_output = 65536,
		.max_observation = CRMW__OBSERVATION_BYTES,
		.schema_prompt = -1,
		.text_answer = true,
		.user_max_turns = 10,
		.mem_k = 3,
		.mem_min_score = 0.35,
		.mem_write_threshold = 0.9,
		.mem_success = 1.0,
		.mem_distill = true,
		.mem_program_examples = 100,
	};
	int rc = parse_options(&a->h.err, &a->o, options_json);
	const crmw_schema *schema = crmw_db_schema(db);
	if (!rc && !a->o.sets) {
		a->o.sets = crmw__strdup(crmw__schema_object(schema, "Opportunity") ? "query,crmarena,pro" : "query,crmarena");
		if (!a->o.sets)
			rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	if (!rc) {
		/* the built-in sets' options: an episode's results are capped by the
		 * observation size; the today and role are the episode's */
		crmw_query_opts *qo = NULL;
		rc = crmw_query_opts_new(&qo);
		if (!rc && a->o.max_observation > 0)
			crmw_query_opts_set_max_bytes(qo, a->o.max_observation * 4);
		rc = rc ? rc : crmw_registry_new(&a->own_reg);
		rc = rc ? rc : crmw_registry_add_builtin(a->own_reg, a->o.sets, db, qo);
		crmw_query_opts_free(qo);
		rc = rc ? rc : crmw_registry_set_max_output(a->own_reg, a->o.max_observation);
		if (rc)
			crmw__errf(NULL, rc, "agent option \"tools\": %s", crmw_registry_errmsg(a->own_reg));
		a->reg = a->own_reg;
	}
	if (a->o.schema_prompt < 0)
		a->o.schema_prompt = a->o.mode == MODE_REACT;
	if (!rc && a->o.schema_prompt) {
		crmw_buf b = CRMW_BUF_INIT;
		rc = crmw_schema_render(&b, (crmw_schema *)schema, NULL);
		a->schema_text = rc ? NULL : b.data;
		if (rc)
			crmw_buf_dispose(&b);
	}
	if (rc) {
		crmw_agent_free(a);
		return rc;
	}
	*out = a;
	return CRMW_OK;
}

void crmw_agent_free(crmw_agent *a)
{
	if (!a)
		return;
	crmw__backend_unref(a->backend);
	crmw_registry_free(a->own_reg);
	crmw_role_free(a->role);
	if (a->approve_free)
		a->approve_free(a->approve_ud);
	if (a->user_free)
		a->user_free(a->user_ud);
	if (a->judge_free)
		a->judge_free(a->judge_ud);
	free(a->schema_text);
	free(a->view_text);
	json_decref(a->tools_json);
	json_decref(a->tools_retired);
	free(a->tools_text);
	opts_dispose(&a->o);
	crmw__handle_dispose(&a->h);
	free(a);
}

const char *crmw_agent_errmsg(const crmw_agent *a)
{
	return a ? crmw__err_msg(&a->h.err) : "";
}

void crmw_agent_set_logger(crmw_agent *a, crmw_log_fn fn, int32_t level, void *userdata,
				    crmw_free_fn userdata_free)
{
	if (!a) {
		if (userdata_free)
			userdata_free(userdata);
		return;
	}
	crmw__logger_set(&a->h.log, fn, level, userdata, userdata_free);
}

static int embed_via_backend(float *out, int32_t dim, const char *text, size_t len, void *ud)
{
	crmw__backend_ref *b = ud;
	return b->b.embed(out, dim, text, len, b->b.userdata);
}

static void unref_backend(void *ud)
{
	crmw__backend_unref(ud);
}

/* Let the memory store embed with the backend when it recorded that embedder. */
static int connect_embedder(crmw_agent *a)
{
	if (!a->mem || !a->backend || !a->backend->b.embed || strcmp(a->mem->embedder, a->backend->embed_name) != 0)
		return CRMW_OK;
	int rc = crmw_memory_set_embedder(a->mem, a->backend->embed_name, a->backend->b.embed_dim, embed_via_backend,
					  crmw__backend_ref_get(a->backend), unref_backend);
	return rc ? crmw__errf(&a->h.err, rc, "%s", crmw_memory_errmsg(a->mem)) : CRMW_OK;
}

int crmw_agent_set_backend(crmw_agent *a, const crmw_backend *backend)
{
	if (!a) {
		if (backend && backend->struct_size >= sizeof(crmw_backend) && backend->destroy)
			backend->destroy(backend->userdata);
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_set_backend: NULL agent");
	}
	crmw__backend_ref *b = NULL;
	if (backend) {
		int rc = crmw__backend_copy(&a->h.err, &b, backend);
		if (rc)
			return rc;
	}
	crmw__backend_unref(a->backend);
	a->backend = b;
	return connect_embedder(a);
}

int crmw_agent_set_memory(crmw_agent *a, crmw_memory *m)
{
	if (!a)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_set_memory: NULL agent");
	a->mem = m;
	return connect_embedder(a);
}

const json_t *crmw__agent_tools(crmw_agent *a, const char **text, int *rc)
{
	*rc = CRMW_OK;
	if (text)
		*text = NULL;
	if (a->o.mode != MODE_TOOLS)
		return NULL;
	uint64_t gen = crmw__registry_generation(a->reg);
	if (!a->tools_json || a->tools_reg != a->reg || a->tools_gen != gen) {
		/* sessions may still borrow the old export: keep it to the end */
		if (a->tools_json) {
			if (!a->tools_retired)
				a->tools_retired = json_array();
			if (!a->tools_retired || json_array_append_new(a->tools_retired, a->tools_json)) {
				*rc = CRMW_ENOMEM;
				return NULL;
			}
		}
		free(a->tools_text);
		a->tools_json = NULL;
		a->tools_text = NULL;
		crmw_buf b = CRMW_BUF_INIT;
		*rc = crmw_registry_export(&b, a->reg, CRMW_TOOLS_OPENAI);
		if (!*rc && crmw__json_parse(b.data, b.len, &a->tools_json, NULL))
			*rc = CRMW_ENOMEM;
		if (!*rc && !(a->tools_text = json_dumps(a->tools_json, JSON_COMPACT)))
			*rc = CRMW_ENOMEM;
		crmw_buf_dispose(&b);
		if (*rc) {
			json_decref(a->tools_json);
			a->tools_json = NULL;
			return NULL;
		}
		a->tools_reg = a->reg;
		a->tools_gen = gen;
	}
	if (text)
		*text = a->tools_text;
	return a->tools_json;
}

int crmw_agent_set_registry(crmw_agent *a, crmw_registry *reg)
{
	if (!a)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_set_registry: NULL agent");
	a->reg = reg ? reg : a->own_reg;
	return CRMW_OK;
}

int crmw_agent_set_role(crmw_agent *a, const crmw_role *role)
{
	if (!a)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_set_role: NULL agent");
	crmw__role_set(&a->role, role);
	return CRMW_OK;
}

/* One approver, of either kind. */
static int set_approver(crmw_agent *a, crmw_approve_fn fn, crmw_approve_ctx_fn cfn, void *userdata,
			crmw_free_fn userdata_free, const char *who)
{
	if (!a) {
		if (userdata_free)
			userdata_free(userdata);
		return crmw__errf(NULL, CRMW_EINVALID, "%s: NULL agent", who);
	}
	if (a->approve_free)
		a->approve_free(a->approve_ud);
	bool any = fn || cfn;
	a->approve = fn;
	a->approve_ctx = cfn;
	a->approve_ud = any ? userdata : NULL;
	a->approve_free = any ? userdata_free : NULL;
	return CRMW_OK;
}

int crmw_agent_set_approver(crmw_agent *a, crmw_approve_fn fn, void *userdata, crmw_free_fn userdata_free)
{
	return set_approver(a, fn, NULL, userdata, userdata_free, "crmw_agent_set_approver");
}

int crmw_agent_set_approver_ctx(crmw_agent *a, crmw_approve_ctx_fn fn, void *userdata,
					 crmw_free_fn userdata_free)
{
	return set_approver(a, NULL, fn, userdata, userdata_free, "crmw_agent_set_approver_ctx");
}

int crmw_agent_set_user(crmw_agent *a, crmw_user_fn fn, void *userdata, crmw_free_fn userdata_free)
{
	if (!a) {
		if (userdata_free)
			userdata_free(userdata);
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_set_user: NULL agent");
	}
	if (a->user_free)
		a->user_free(a->user_ud);
	a->user_fn = fn;
	a->user_ud = fn ? userdata : NULL;
	a->user_free = fn ? userdata_free : NULL;
	return CRMW_OK;
}

int crmw_agent_set_judge(crmw_agent *a, crmw_judge_fn fn, void *userdata, crmw_free_fn userdata_free)
{
	if (!a) {
		if (userdata_free)
			userdata_free(userdata);
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_agent_set_judge: NULL agent");
	}
	if (a->judge_free)
		a->judge_free(a->judge_ud);
	a->judge_fn = fn;
	a->judge_ud = fn ? userdata : NULL;
	a->judge_free = fn ? userdata_free : NULL;
	return CRMW_OK;
}

void crmw_agent_cancel(crmw_agent *a)
{
	if (a)
		atomic_fetch_add(&a->cancel_gen, 1);
}

int crmw_agent_run(crmw_buf *out, crmw_agent *a, const char *task_json, const char *options_json)
{
	CRMW__ARGS_NONNULL(a ? &a->h.err : NULL, !out || !a || !task_json);
	if (!a->backend)
		return crmw__errf(&a->h.err, CRMW_ESTATE, "crmw_agent_run: no backend (crmw_agent_set_backend)");
	crmw__backend_ref *b = crmw__backend_ref_get(a->backend);
	crmw_session *s;
	int rc = crmw_session_new(&s, a, task_json, options_json);
	if (rc) {
		crmw__backend_unref(b);
		return crmw__errf(&a->h.err, rc, "%s", crmw_last_error());
	}
	crmw_buf req = CRMW_BUF_INIT;
	for (;;) {
		int32_t step;
		rc = crmw_session_next(&step, &req, s);
		if (rc || step == CRMW_STEP_DONE)
			break;
		struct crmw_response resp;
		rc = crmw__backend_call(&a->h.err, b, &resp, req.data, req.len, crmw__session_purpose(s),
					s);
		if (rc) {
			/* The host aborted: end the episode, keep the code. */
			crmw__session_abort(s, crmw__err_msg(&a->h.err));
			break;
		}
		rc = crmw__session_feed_response(s, &resp);
		crmw__response_dispose(&resp);
		if (rc)
			break;
	}
	int trc = crmw_session_trajectory(out, s);
	if (!rc)
		rc = trc;
	else if (rc != CRMW_ENOMEM)
		crmw__errf(&a->h.err, rc, "%s", crmw_session_errmsg(s));
	crmw_buf_dispose(&req);
	crmw_session_free(s);
	crmw__backend_unref(b);
	return rc;
}

int crmw_parse_model_output(crmw_buf *out, const char *output, size_t len, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || (!output && len));
	static const char *const keys[] = {"id_prefix"};
	json_t *o;
	int rc = crmw__json_options(&o, NULL, options_json, "parser options", keys, 1);
	if (rc)
		return rc;
	const json_t *pfx = json_object_get(o, "id_prefix");
	if (pfx && (!json_is_string(pfx) || json_string_length(pfx) > 64)) {
		json_decref(o);
		return crmw__errf(NULL, CRMW_EINVALID, "parser option \"id_prefix\" must be a string of at most 64 bytes");
	}
	crmw__parse_opts po = {json_string_value(pfx), true};
	json_t *parsed = NULL;
	rc = crmw__parse_output(&parsed, output ? output : "", len, &po);
	json_decref(o);
	if (rc)
		return crmw__errf(NULL, rc, "parsing the model output failed: %s", crmw_strerror(rc));
	json_object_set_new(parsed, "schema_version", json_integer(1));
	char *t = json_dumps(parsed, JSON_COMPACT);
	json_decref(parsed);
	if (!t)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	crmw__buf_clear(out);
	rc = crmw__buf_puts(out, t);
	free(t);
	return rc ? crmw__errf(NULL, rc, "out of memory") : CRMW_OK;
}
