/*
 * The tool registry: tools, validated calls with errors a model can read,
 * and the tool specs as OpenAI, Anthropic, Hermes/Qwen text and GBNF.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tools/builtin.h"
#include "common/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tool {
	char *name;
	char *description;
	jschema schema;
	crmw_tool_fn fn;
	crmw_tool_ctx_fn cfn;    /* a host tool that reads the call's context */
	crmw__json_tool_fn jfn;  /* built-ins: the parsed arguments, no text round trip */
	const void *tag;         /* who added it (built-in sets), or NULL */
	void *userdata;
	crmw_free_fn userdata_free;
} tool;

struct crmw_registry {
	crmw_handle h;
	tool *tools;
	int32_t n, cap;
	int64_t max_output;      /* bytes of a result, 0 = no cap */
	uint64_t generation;     /* moves with every add and remove */
	crmw_role *role;         /* the base role (a reference), NULL = unrestricted */
	char today[11];          /* the base "today", "" = the org's "now" */
};

uint64_t crmw__registry_generation(const crmw_registry *r)
{
	return r ? r->generation : 0;
}

int crmw_registry_new(crmw_registry **out)
{
	if (!out)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_registry_new: out is NULL");
	*out = calloc(1, sizeof **out);
	return *out ? CRMW_OK : crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
}

static void tool_dispose(tool *t)
{
	if (t->userdata_free)
		t->userdata_free(t->userdata);
	free(t->name);
	free(t->description);
	crmw__jschema_free(&t->schema);
	memset(t, 0, sizeof *t);
}

void crmw_registry_free(crmw_registry *r)
{
	if (!r)
		return;
	for (int32_t i = 0; i < r->n; i++)
		tool_dispose(&r->tools[i]);
	free(r->tools);
	crmw_role_free(r->role);
	crmw__handle_dispose(&r->h);
	free(r);
}

const char *crmw_registry_errmsg(const crmw_registry *r)
{
	return r ? crmw__err_msg(&r->h.err) : "";
}

int32_t crmw_registry_count(const crmw_registry *r)
{
	return r ? r->n : 0;
}

const char *crmw_registry_name(const crmw_registry *r, int32_t i)
{
	return r && i >= 0 && i < r->n ? r->tools[i].name : NULL;
}

static tool *find(const crmw_registry *r, const char *name)
{
	for (int32_t i = 0; name && i < r->n; i++)
		if (strcmp(r->tools[i].name, name) == 0)
			return &r->tools[i];
	return NULL;
}

static const char *closest(const crmw_registry *r, const char *name)
{
	crmw__near near;
	crmw__near_init(&near, name ? name : "");
	for (int32_t i = 0; i < r->n; i++)
		crmw__near_add(&near, r->tools[i].name);
	return crmw__near_best(&near);
}

static bool valid_tool_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* The callback of a tool: one of three kinds. */
typedef struct tool_fns {
	crmw_tool_fn fn;
	crmw_tool_ctx_fn cfn;
	crmw__json_tool_fn jfn;
} tool_fns;

static int add_tool(crmw_registry *r, const char *name, const char *description, const char *parameters_json,
		    tool_fns fns, const void *tag, void *userdata, crmw_free_fn userdata_free)
{
	int rc = CRMW_OK;
	json_t *root = NULL;
	tool t = {0};
	if (!r) {
		rc = crmw__errf(NULL, CRMW_EINVALID, "crmw_registry_add: registry is NULL");
		goto fail;
	}
	if (!valid_tool_name(name)) {
		rc = crmw__errf(&r->h.err, CRMW_EINVALID,
				"tool name '%s' must be 1 to 64 letters, digits, '_' or '-'", name ? name : "(null)");
		goto fail;
	}
	if (!fns.fn && !fns.cfn && !fns.jfn) {
		rc = crmw__errf(&r->h.err, CRMW_EINVALID, "tool '%s': the callback is NULL", name);
		goto fail;
	}
	if (find(r, name)) {
		rc = crmw__errf(&r->h.err, CRMW_EEXISTS, "a tool named '%s' already exists", name);
		goto fail;
	}
	json_error_t jerr;
	root = parameters_json ? json_loads(parameters_json, JSON_REJECT_DUPLICATES, &jerr)
			       : json_pack("{s:s, s:{}}", "type", "object", "properties");
	if (!root) {
		rc = parameters_json ? crmw__errf(&r->h.err, CRMW_EFORMAT, "tool '%s': the parameters are not JSON (line %d: %s)",
						  name, jerr.line, jerr.text)
				     : crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
		goto fail;
	}
	json_t *type = json_object_get(root, "type");
	if (!json_is_object(root) || !json_is_string(type) || strcmp(json_string_value(type), "object") != 0) {
		rc = crmw__errf(&r->h.err, CRMW_ESCHEMA, "tool '%s': the parameters must be an object schema ({\"type\": \"object\", ...})",
				name);
		goto fail;
	}
	char why[400];
	if ((rc = crmw__jschema_compile(&t.schema, root, why, sizeof why))) {
		rc = rc == CRMW_ENOMEM ? crmw__errf(&r->h.err, rc, "out of memory")
				       : crmw__errf(&r->h.err, CRMW_ESCHEMA, "tool '%s': invalid parameters schema at %s", name, why);
		goto fail;
	}
	t.name = crmw__strdup(name);
	t.description = crmw__strdup(description ? description : "");
	t.fn = fns.fn;
	t.cfn = fns.cfn;
	t.jfn = fns.jfn;
	t.tag = tag;
	if (!t.name || !t.description) {
		rc = crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
		goto fail;
	}
	if (r->n == r->cap) {
		int32_t cap = r->cap ? r->cap * 2 : 16;
		tool *nt = realloc(r->tools, sizeof *nt * (size_t)cap);
		if (!nt) {
			rc = crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
			goto fail;
		}
		r->tools = nt;
		r->cap = cap;
	}
	t.userdata = userdata;
	t.userdata_free = userdata_free;
	r->tools[r->n++] = t;
	r->generation++;
	json_decref(root);
	return CRMW_OK;
fail:
	/* The registry owns userdata from the call on, also when adding fails. */
	if (userdata_free)
		userdata_free(userdata);
	free(t.name);
	free(t.description);
	crmw__jschema_free(&t.schema);
	json_decref(root);
	return rc;
}

int crmw_registry_add(crmw_registry *r, const char *name, const char *description,
		      const char *parameters_json, crmw_tool_fn fn, void *userdata, crmw_free_fn userdata_free)
{
	return add_tool(r, name, description, parameters_json, (tool_fns){.fn = fn}, NULL, userdata, userdata_free);
}

int crmw_registry_add_ctx(crmw_registry *r, const char *name, const char *description, const char *parameters_json,
			  crmw_tool_ctx_fn fn, void *userdata, crmw_free_fn userdata_free)
{
	return add_tool(r, name, description, parameters_json, (tool_fns){.cfn = fn}, NULL, userdata, userdata_free);
}

int crmw__registry_add_json(crmw_registry *r, const char *name, const char *description, const char *parameters_json,
			    crmw__json_tool_fn fn, void *userdata, crmw_free_fn userdata_free, const void *tag)
{
	return add_tool(r, name, description, parameters_json, (tool_fns){.jfn = fn}, tag, userdata, userdata_free);
}

void *crmw__registry_tagged(crmw_registry *r, int32_t i, const void *tag)
{
	return i >= 0 && i < r->n && r->tools[i].tag == tag ? r->tools[i].userdata : NULL;
}

bool crmw__registry_has_tagged(crmw_registry *r, const char *name, const void *tag)
{
	const tool *t = find(r, name);
	return t && t->tag == tag;
}

int crmw__registry_base(crmw_registry *r, const crmw_query_opts *opts, bool replace)
{
	const crmw_role *role = opts ? opts->role : NULL;
	crmw_role *next = NULL;
	if (replace)
		next = crmw__role_ref(role);
	else if (crmw__role_narrow(&next, r->role, role))
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	crmw_role_free(r->role);
	r->role = next;
	if (replace || (opts && opts->today[0]))
		memcpy(r->today, opts ? opts->today : "", opts ? sizeof r->today : 1);
	return CRMW_OK;
}

int crmw_registry_set_role(crmw_registry *r, const crmw_role *role)
{
	if (!r)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_registry_set_role: registry is NULL");
	crmw__role_set(&r->role, role);
	return CRMW_OK;
}

const crmw_role *crmw_registry_role(const crmw_registry *r)
{
	return r ? r->role : NULL;
}

const char *crmw__registry_today(const crmw_registry *r)
{
	return r->today;
}

const crmw_role *crmw_tool_ctx_role(const crmw_tool_ctx *ctx)
{
	return ctx ? ctx->role : NULL;
}

const char *crmw_tool_ctx_binding(const crmw_tool_ctx *ctx, const char *name)
{
	return ctx ? crmw_role_binding(ctx->role, name) : NULL;
}

const char *crmw_tool_ctx_today(const crmw_tool_ctx *ctx)
{
	return ctx ? ctx->today : NULL;
}

const char *crmw_tool_ctx_task_id(const crmw_tool_ctx *ctx)
{
	return ctx ? ctx->task_id : NULL;
}

const char *crmw_tool_ctx_episode_id(const crmw_tool_ctx *ctx)
{
	return ctx ? ctx->episode_id : NULL;
}

int crmw_registry_set_max_output(crmw_registry *r, int64_t bytes)
{
	if (!r || bytes < 0)
		return crmw__errf(r ? &r->h.err : NULL, CRMW_EINVALID, "crmw_registry_set_max_output: %s",
				  r ? "bytes must not be negative" : "registry is NULL");
	r->max_output = bytes;
	return CRMW_OK;
}

int crmw_registry_remove(crmw_registry *r, const char *name)
{
	CRMW__ARGS_NONNULL(r ? &r->h.err : NULL, !r || !name);
	tool *t = find(r, name);
	if (!t)
		return crmw__errf(&r->h.err, CRMW_ENOTFOUND, "no tool named '%s'", name);
	tool_dispose(t);
	int32_t i = (int32_t)(t - r->tools);
	memmove(&r->tools[i], &r->tools[i + 1], sizeof *r->tools * (size_t)(r->n - i - 1));
	r->n--;
	r->generation++;
	return CRMW_OK;
}

/* ---------------------------------------------------------------- specs */

static json_t *spec(const tool *t)
{
	json_t *params = crmw__jschema_public(t->schema.root);
	return params ? json_pack("{s:s, s:s, s:o}", "name", t->name, "description", t->description, "parameters", params)
		      : NULL;
}

static int dump_into(crmw_registry *r, crmw_buf *out, json_t *v, size_t flags)
{
	char *d = v ? json_dumps(v, flags) : NULL;
	json_decref(v);
	if (!d)
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, d);
	free(d);
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

static int unknown(crmw_registry *r, crmw_buf *result, const char *name)
{
	const char *hint = closest(r, name);
	char msg[300];
	snprintf(msg, sizeof msg, "no tool named '%.80s'%s%s%s", name ? name : "", hint ? "; did you mean '" : "",
		 hint ? hint : "", hint ? "'?" : "");
	if (result) {
		json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", "UNKNOWN_TOOL", "message", msg);
		if (e && hint)
			json_object_set_new(json_object_get(e, "error"), "suggestion", json_string(hint));
		dump_into(r, result, e, JSON_COMPACT);
	}
	return crmw__errf(&r->h.err, CRMW_ENOTFOUND, "%s", msg);
}

int crmw_registry_describe(crmw_buf *out, crmw_registry *r, const char *name)
{
	CRMW__ARGS_NONNULL(r ? &r->h.err : NULL, !out || !r || !name);
	tool *t = find(r, name);
	if (!t)
		return unknown(r, NULL, name);
	return dump_into(r, out, spec(t), JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* ---------------------------------------------------------------- calls */

static int error_result(crmw_registry *r, crmw_buf *result, int rc, const char *code, const char *path,
			const char *msg)
{
	if (result) {
		json_t *e = path ? json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "path", path, "message", msg)
				 : json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);
		dump_into(r, result, e, JSON_COMPACT);
	}
	if (path)
		return crmw__errf(&r->h.err, rc, "%s at %s: %s", code, path, msg);
	return crmw__errf(&r->h.err, rc, "%s: %s", code, msg);
}

/* Parse and validate; on success *args holds the (coerced) arguments. */
static int check_args(crmw_registry *r, crmw_buf *err, const tool *t, const char *json, size_t len, json_t **args)
{
	*args = NULL;
	crmw__json_error jerr = {0};
	json_t *v = NULL;
	if (len == 0)
		v = json_object();
	else if (crmw__json_parse(json, len, &v, &jerr) == CRMW_ENOMEM)
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	if (!v) {
		char msg[300];
		snprintf(msg, sizeof msg, "the arguments are not valid JSON (column %d: %s)", jerr.column, jerr.text);
		return error_result(r, err, CRMW_EFORMAT, "BAD_JSON", NULL, msg);
	}
	char path[512], msg[512];
	int rc = crmw__jschema_validate(&t->schema, &v, path, sizeof path, msg, sizeof msg);
	if (rc) {
		json_decref(v);
		if (rc == CRMW_ENOMEM)
			return crmw__errf(&r->h.err, rc, "out of memory");
		return error_result(r, err, CRMW_EINVALID, "INVALID_ARGUMENTS", path, msg);
	}
	*args = v;
	return CRMW_OK;
}

int crmw_registry_validate(crmw_buf *error, crmw_registry *r, const char *name, const char *args_json, size_t len)
{
	CRMW__ARGS_NONNULL(r ? &r->h.err : NULL, !r || !name || (!args_json && len));
	tool *t = find(r, name);
	if (!t)
		return unknown(r, error, name);
	json_t *args = NULL;
	int rc = check_args(r, error, t, args_json ? args_json : "", len, &args);
	json_decref(args);
	return rc;
}

/* Run the tool's callback under `ctx`; *cb receives its return. */
static int run_tool(crmw_registry *r, const tool *t, const crmw_tool_ctx *ctx, json_t *args, crmw_buf *out, int *cb)
{
	if (t->jfn) {
		*cb = t->jfn(ctx, args, out, t->userdata);
		json_decref(args);
		return CRMW_OK;
	}
	char *text = json_dumps(args, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(args);
	if (!text)
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	*cb = t->cfn ? t->cfn(ctx, text, strlen(text), out, t->userdata) : t->fn(text, strlen(text), out, t->userdata);
	free(text);
	return CRMW_OK;
}

int crmw_registry_call(crmw_buf *result, crmw_registry *r, const char *name, const char *args_json, size_t len)
{
	return crmw__registry_call_ctx(result, r, name, args_json, len, NULL);
}

int crmw__registry_call_ctx(crmw_buf *result, crmw_registry *r, const char *name, const char *args_json, size_t len,
			    const crmw_tool_ctx *ectx)
{
	return crmw__registry_call_cut(result, r, name, args_json, len, ectx, NULL);
}

int crmw__registry_call_cut(crmw_buf *result, crmw_registry *r, const char *name, const char *args_json, size_t len,
			    const crmw_tool_ctx *ectx, bool *cut_out)
{
	bool cut = false;
	if (cut_out)
		*cut_out = false;
	if (!result || !r || (!args_json && len))
		return crmw__errf(r ? &r->h.err : NULL, CRMW_EINVALID, "crmw_registry_call: NULL argument");
	tool *t = find(r, name);
	if (!t)
		return unknown(r, result, name);
	json_t *args = NULL;
	int rc = check_args(r, result, t, args_json ? args_json : "", len, &args);
	if (rc)
		return rc;
	/* The call's context: the episode's, never wider than the base role. */
	crmw_tool_ctx ctx = {.role = r->role, .base = r->role};
	crmw_role *narrowed = NULL;
	if (ectx) {
		ctx = *ectx;
		if (ectx->base != r->role && (rc = crmw__role_narrow(&narrowed, r->role, ectx->role))) {
			json_decref(args);
			return crmw__errf(&r->h.err, rc, "out of memory");
		}
		if (ectx->base != r->role)
			ctx.role = narrowed;
	}
	if (!ctx.today[0])
		memcpy(ctx.today, r->today, sizeof ctx.today);
	ctx.cut = &cut;
	crmw_buf out = CRMW_BUF_INIT;
	int cb = 0;
	rc = run_tool(r, t, &ctx, args, &out, &cb);
	crmw_role_free(narrowed);
	if (rc)
		return rc;
	if (cb != 0) {
		/* "CODE: message" keeps its code (INSUFFICIENT_ACCESS, MALFORMED_QUERY, ...). */
		char msg[2048], code[64] = "TOOL_FAILED";
		const char *m = out.data && out.len ? out.data : "the tool failed";
		size_t k = 0;
		while (k < sizeof code - 1 && (isupper((unsigned char)m[k]) || m[k] == '_'))
			k++;
		if (k >= 3 && m[k] == ':' && m[k + 1] == ' ') {
			memcpy(code, m, k);
			code[k] = '\0';
			m += k + 2;
		}
		snprintf(msg, sizeof msg, "%s", m);
		crmw_buf_dispose(&out);
		return error_result(r, result, CRMW_EUSER, code, NULL, msg);
	}
	if (!out.data && crmw__buf_append(&out, "", 0)) {
		crmw_buf_dispose(&out);
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	}
	if (r->max_output > 0 && out.len > (size_t)r->max_output) {
		cut = true;
		if (crmw__buf_cut(&out, (size_t)r->max_output, "Ask for less (fewer fields or records) to see the rest.")) {
			crmw_buf_dispose(&out);
			return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
		}
	}
	crmw_buf_dispose(result);
	*result = out;
	if (cut_out)
		*cut_out = cut;
	return CRMW_OK;
}

/* --------------------------------------------------------------- export */

static int export_hermes(crmw_registry *r, crmw_buf *out)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b,
				"# Tools\n\n"
				"Functions you can call to work with the CRM are described below as JSON, one per line, "
				"between <tools> and </tools>:\n<tools>\n");
	for (int32_t i = 0; !rc && i < r->n; i++) {
		json_t *fn = spec(&r->tools[i]);
		json_t *wrapped = fn ? json_pack("{s:s, s:o}", "type", "function", "function", fn) : NULL;
		char *d = wrapped ? json_dumps(wrapped, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(wrapped);
		rc = d ? crmw__buf_printf(&b, "%s\n", d) : CRMW_ENOMEM;
		free(d);
	}
	rc = rc ? rc : crmw__buf_puts(&b,
				      "</tools>\n\n"
				      "To call a function, reply with a JSON object naming it and giving its arguments, "
				      "between <tool_call> and </tool_call>:\n"
				      "<tool_call>\n{\"name\": \"<function name>\", \"arguments\": {<arguments as JSON>}}\n</tool_call>\n");
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

static int export_gbnf(crmw_registry *r, crmw_buf *out)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, "# Plain text, or exactly one call of one of these tools.\n"
				    "root ::= tool-call | text\n"
				    "text ::= [^<] [^\\x00]*\n"
				    "tool-call ::= \"<tool_call>\" ws (");
	for (int32_t i = 0; !rc && i < r->n; i++)
		rc = crmw__buf_printf(&b, "%scall-%d", i ? " | " : "", (int)i);
	if (r->n == 0)
		rc = rc ? rc : crmw__buf_puts(&b, "\"{}\"");
	rc = rc ? rc : crmw__buf_puts(&b, ") ws \"</tool_call>\"\n");
	for (int32_t i = 0; !rc && i < r->n; i++) {
		json_t *name = json_string(r->tools[i].name);
		char *lit = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
		json_decref(name);
		if (!lit) {
			rc = CRMW_ENOMEM;
			break;
		}
		/* The name as a GBNF string literal of the JSON string. */
		crmw_buf q = CRMW_BUF_INIT;
		rc = crmw__buf_putc(&q, '"');
		for (const char *p = lit; !rc && *p; p++)
			rc = (*p == '"' || *p == '\\') ? crmw__buf_printf(&q, "\\%c", *p) : crmw__buf_putc(&q, *p);
		rc = rc ? rc : crmw__buf_putc(&q, '"');
		free(lit);
		rc = rc ? rc : crmw__buf_printf(&b, "call-%d ::= \"{\" ws \"\\\"name\\\"\" ws \":\" ws %s ws \",\" ws "
						    "\"\\\"arguments\\\"\" ws \":\" ws args-%d ws \"}\"\n", (int)i, q.data, (int)i);
		crmw_buf_dispose(&q);
		char rule[32];
		snprintf(rule, sizeof rule, "args-%d", (int)i);
		json_t *pub = crmw__jschema_public(r->tools[i].schema.root);
		rc = rc ? rc : pub ? crmw__jschema_gbnf(&b, pub, rule) : CRMW_ENOMEM;
		json_decref(pub);
	}
	rc = rc ? rc : crmw__buf_puts(&b,
				      "value ::= object | array | string | number | (\"true\" | \"false\" | \"null\")\n"
				      "object ::= \"{\" ws (string ws \":\" ws value (ws \",\" ws string ws \":\" ws value)*)? ws \"}\"\n"
				      "array ::= \"[\" ws (value (ws \",\" ws value)*)? ws \"]\"\n"
				      "string ::= \"\\\"\" ([^\"\\\\\\x00-\\x1f] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4}))* \"\\\"\"\n"
				      "integer ::= \"-\"? (\"0\" | [1-9] [0-9]*)\n"
				      "number ::= integer (\".\" [0-9]+)? ([eE] [-+]? [0-9]+)?\n"
				      "ws ::= [ \\t\\n]*\n");
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(&r->h.err, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

int crmw_registry_export(crmw_buf *out, crmw_registry *r, int32_t format)
{
	CRMW__ARGS_NONNULL(r ? &r->h.err : NULL, !out || !r);
	if (format == CRMW_TOOLS_HERMES)
		return export_hermes(r, out);
	if (format == CRMW_TOOLS_GBNF)
		return export_gbnf(r, out);
	if (format != CRMW_TOOLS_OPENAI && format != CRMW_TOOLS_ANTHROPIC)
		return crmw__errf(&r->h.err, CRMW_EINVALID, "unknown tools format %d", (int)format);
	json_t *list = json_array();
	for (int32_t i = 0; list && i < r->n; i++) {
		const tool *t = &r->tools[i];
		json_t *params = crmw__jschema_public(t->schema.root);
		json_t *item = !params ? NULL
			     : format == CRMW_TOOLS_OPENAI
				     ? json_pack("{s:s, s:{s:s, s:s, s:o}}", "type", "function", "function", "name", t->name,
						 "description", t->description, "parameters", params)
				     : json_pack("{s:s, s:s, s:o}", "name", t->name, "description", t->description,
						 "input_schema", params);
		if (!item || json_array_append_new(list, item)) {
			json_decref(list);
			list = NULL;
		}
	}
	return dump_into(r, out, list, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
}
