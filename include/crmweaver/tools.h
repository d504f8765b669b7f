/*
 * crmweaver/tools.h: the tool registry: tools with JSON-Schema parameters,
 * validated calls, and the tool specs in the formats models expect.
 *
 * A tool is a name, a description written for a model, a JSON Schema for
 * its arguments, and a callback.  Every call is validated against the
 * schema first; a call that fails validation, names no tool, or whose
 * callback fails still produces a JSON result a model can read:
 *
 *   {"error": {"code": "INVALID_ARGUMENTS", "path": "/start_date",
 *              "message": "'2024-13-01' is not a date (YYYY-MM-DD)"}}
 *
 * Supported JSON Schema keywords: type (one or a list), properties,
 * required, additionalProperties (true, false or a schema), enum, const,
 * items, minItems, maxItems, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, minLength, maxLength (in characters), pattern (POSIX
 * extended regular expression), format ("date", "date-time", "email"),
 * oneOf, anyOf, allOf, description, title, default, examples.  Any other
 * keyword makes the schema invalid, so typos do not pass silently.  The
 * extension keyword "x-coerce": true lets a string stand for an integer,
 * number or boolean ("5", "2.5", "true") in that part of the schema; nothing
 * else is ever coerced.
 *
 * Roles: a registry has a base role (crmw_registry_set_role, or the role of
 * the options given to crmw_registry_add_builtin): every call runs under it,
 * and an agent's episode can only narrow it (by the role the host gave the
 * agent, the session or the environment pool, and by the task's
 * "context.role").  No role means the host asked for internal access
 * (everything).  The built-in tools enforce the call's role through the
 * query engine; tools added with crmw_registry_add_ctx receive it, with its
 * bindings, the day and the episode, in a crmw_tool_ctx.
 *
 * Thread rules: a registry is used by one thread at a time; callbacks run on
 * the calling thread.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_TOOLS_H
#define CRMWEAVER_TOOLS_H

#include <crmweaver/common.h>
#include <crmweaver/query.h>
#include <crmweaver/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A set of tools.  Opaque. @since 0.1 */
typedef struct crmw_registry crmw_registry;

/**
 * A tool's implementation.  `args_json` holds `len` bytes of the validated
 * (and, where the schema allows, coerced) arguments as a JSON object; write
 * the result (JSON or plain text) into `result`.  Return 0 on success; a
 * non-zero return is reported to the model as a TOOL_FAILED error carrying
 * whatever the callback wrote into `result` as its message.
 * @since 0.1
 */
typedef int (*crmw_tool_fn)(const char *args_json, size_t len, crmw_buf *result, void *userdata);

/**
 * What a tool call runs under: its role, the role's bound variables, the
 * day, and (in an agent's episode) the task and the episode.  Opaque; read
 * it with the crmw_tool_ctx_* accessors, during the callback only.
 * @since 0.1
 */
typedef struct crmw_tool_ctx crmw_tool_ctx;

/**
 * A tool's implementation that receives the call's context (see
 * crmw_registry_add_ctx); otherwise as crmw_tool_fn.  `ctx` is borrowed and
 * valid during the call only.
 * @since 0.1
 */
typedef int (*crmw_tool_ctx_fn)(const crmw_tool_ctx *ctx, const char *args_json, size_t len, crmw_buf *result,
				void *userdata);

/**
 * The role of the call: in an episode, the episode's (the registry's base
 * role narrowed by the host's and the task's roles); outside, the
 * registry's base role.  Borrowed, valid during the call.
 * @return the role, or NULL when nothing restricts the call (the host asked
 *         for internal access) or `ctx` is NULL
 * @since 0.1
 */
CRMW_API const crmw_role *crmw_tool_ctx_role(const crmw_tool_ctx *ctx);

/**
 * A variable bound by the call's role ("account_id", "contact_id",
 * "user_id"), as crmw_role_binding.  Borrowed, valid during the call.
 * @return the Id, or NULL (no role, unbound, unknown name, NULL argument)
 * @since 0.1
 */
CRMW_API const char *crmw_tool_ctx_binding(const crmw_tool_ctx *ctx, const char *name);

/**
 * The day the call is relative to, "YYYY-MM-DD": the task's
 * "context.today" in an episode that has one, else the registry's (from the
 * options of crmw_registry_add_builtin or crmw_registry_set_query_opts),
 * else, in an episode, the org's "now" (crmw_db_now).  Borrowed, valid
 * during the call.
 * @return the date, or "" when none is known (outside an episode, with no
 *         "today" in the registry's options: the org's "now" applies); NULL
 *         for a NULL ctx
 * @since 0.1
 */
CRMW_API const char *crmw_tool_ctx_today(const crmw_tool_ctx *ctx);

/**
 * The task id of the episode making the call.  Borrowed, valid during the call.
 * @return the id, or NULL outside an episode (a plain crmw_registry_call)
 * @since 0.1
 */
CRMW_API const char *crmw_tool_ctx_task_id(const crmw_tool_ctx *ctx);

/**
 * The episode id of the episode making the call.  Borrowed, valid during the call.
 * @return the id, or NULL outside an episode
 * @since 0.1
 */
CRMW_API const char *crmw_tool_ctx_episode_id(const crmw_tool_ctx *ctx);

/** Formats of crmw_registry_export(). @since 0.1 */
enum crmw_tools_format {
	CRMW_TOOLS_OPENAI = 0,    /**< [{"type":"function","function":{name, description, parameters}}] */
	CRMW_TOOLS_ANTHROPIC = 1, /**< [{"name", "description", "input_schema"}] */
	CRMW_TOOLS_HERMES = 2,    /**< system prompt text with <tools> and the <tool_call> format */
	CRMW_TOOLS_GBNF = 3       /**< a llama.cpp grammar: plain text, or one <tool_call> of these tools */
};

/**
 * A new empty registry.
 * @return CRMW_OK, CRMW_EINVALID (NULL out), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_new(crmw_registry **out);

/** Free a registry (and each tool's userdata through its free function). NULL accepted. @since 0.1 */
CRMW_API void crmw_registry_free(crmw_registry *reg);

/** The message of the last failure on this registry. Borrowed. @since 0.1 */
CRMW_API const char *crmw_registry_errmsg(const crmw_registry *reg);

/**
 * Add a tool.  `name`: letters, digits, '_' and '-', at most 64 characters
 * (what every model API accepts).  `parameters_json`: the JSON Schema of the
 * arguments, an object schema (NULL: no arguments).  The registry copies
 * everything; `userdata_free` (may be NULL) is called on `userdata` when the
 * tool is removed or the registry freed — also when adding fails.
 * @return CRMW_OK, CRMW_EEXISTS (the name is taken), CRMW_EINVALID (bad name,
 *         NULL callback), CRMW_ESCHEMA (the schema is invalid: the message
 *         gives the JSON pointer of the problem), CRMW_EFORMAT, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_add(crmw_registry *reg, const char *name, const char *description,
			       const char *parameters_json, crmw_tool_fn fn, void *userdata,
			       crmw_free_fn userdata_free);

/**
 * Add a tool whose callback receives the call's context (its role and
 * bindings, the day, the task and the episode): everything else as
 * crmw_registry_add.  A host tool that reads data should enforce
 * crmw_tool_ctx_role() itself (the built-in tools do it in the query engine).
 * @return CRMW_OK, CRMW_EEXISTS, CRMW_EINVALID (bad name, NULL callback),
 *         CRMW_ESCHEMA, CRMW_EFORMAT, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_add_ctx(crmw_registry *reg, const char *name, const char *description,
				   const char *parameters_json, crmw_tool_ctx_fn fn, void *userdata,
				   crmw_free_fn userdata_free);

/**
 * Remove a tool (its userdata is freed with its free function).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND
 * @since 0.1
 */
CRMW_API int crmw_registry_remove(crmw_registry *reg, const char *name);

/**
 * The number of tools (indexes 0 to count - 1 of crmw_registry_name).
 * @return the count (0 for a NULL registry)
 * @since 0.1
 */
CRMW_API int32_t crmw_registry_count(const crmw_registry *reg);

/** The name of tool `i` (in the order added), or NULL. Borrowed. @since 0.1 */
CRMW_API const char *crmw_registry_name(const crmw_registry *reg, int32_t i);

/**
 * One tool's spec as {"name", "description", "parameters"}.
 * @return CRMW_OK, CRMW_ENOTFOUND (with the closest name), CRMW_EINVALID
 * @since 0.1
 */
CRMW_API int crmw_registry_describe(crmw_buf *out, crmw_registry *reg, const char *name);

/**
 * Validate the arguments of a call without making it.  On failure `error`
 * (may be NULL) receives the JSON error a model would see.
 * @return CRMW_OK, CRMW_EINVALID (invalid arguments, NULL argument),
 *         CRMW_ENOTFOUND (no such tool), CRMW_EFORMAT (not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_validate(crmw_buf *error, crmw_registry *reg, const char *name,
				    const char *args_json, size_t len);

/**
 * Call a tool: validate the arguments, then run the callback.  `result`
 * always receives something a model can read: the callback's output, or a
 * JSON error with "code" UNKNOWN_TOOL (with the closest name), BAD_JSON,
 * INVALID_ARGUMENTS (with the JSON pointer "path" of the first problem) or
 * TOOL_FAILED.
 * @return CRMW_OK; CRMW_ENOTFOUND, CRMW_EFORMAT, CRMW_EINVALID, CRMW_EUSER
 *         (the callback failed), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_call(crmw_buf *result, crmw_registry *reg, const char *name,
				const char *args_json, size_t len);

/**
 * Every tool's spec in one of the crmw_tools_format formats.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, unknown format),
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_export(crmw_buf *out, crmw_registry *reg, int32_t format);

/**
 * Cap the size of every call's result at `bytes` (0: no cap, the default).
 * A longer result is cut at a UTF-8 character boundary and followed by a
 * line "[truncated: ...]" that says how much was left out.
 * @return CRMW_OK, CRMW_EINVALID (NULL registry, negative bytes)
 * @since 0.1
 */
CRMW_API int crmw_registry_set_max_output(crmw_registry *reg, int64_t bytes);

/**
 * Add built-in tool sets (docs/tools.md documents every tool):
 *
 *   query     issue_soql_query, issue_sosl_query, describe_object,
 *             list_objects, respond
 *   crmarena  the 27 function-calling tools of CRMArena, with their names,
 *             parameters and semantics (dates as YYYY-MM-DDTHH:MM:SSZ)
 *   pro       what CRMArena-Pro's tasks need beyond those: leads,
 *             opportunities, quotes and line items, contracts, sales and
 *             conversion metrics, territories, tasks and events, voice-call
 *             transcripts, knowledge search
 *
 * `sets` names one or more, comma-separated ("crmarena,pro").  A tool that
 * two sets share (issue_soql_query, issue_sosl_query, respond) is added
 * once; any other name already in the registry is CRMW_EEXISTS and adds
 * nothing.
 *
 * The tools query `db` (borrowed: it must outlive the registry; NULL makes
 * tools that can be listed and exported but whose calls fail) with a copy
 * of `opts` (NULL: the defaults): its "today" (which also becomes the
 * registry's, when set), its role, its time budget (for the whole call,
 * however many queries it runs), and its row and byte caps, which here cut
 * a long result with a "[truncated: ...]" notice instead of failing.  The
 * role narrows the registry's base role (see crmw_registry_set_role): every
 * tool of the registry obeys it, tools that compute internal metrics need
 * the role's "metrics" capability, and an agent's episodes can only narrow
 * it further.  No role in `opts` leaves the base role as it was.
 * @return CRMW_OK, CRMW_ENOTFOUND (unknown set), CRMW_EEXISTS, CRMW_EINVALID,
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_add_builtin(crmw_registry *reg, const char *sets, crmw_db *db,
				       const crmw_query_opts *opts);

/**
 * Replace the options of every built-in tool already in the registry, and
 * the registry's base role and "today" with those of `opts` (NULL: the
 * defaults, no role: internal access).  The options are copied.  An agent
 * using the registry does not call this: its episodes narrow the base role
 * for their own calls and leave the registry as it was.
 * @return CRMW_OK, CRMW_EINVALID (NULL registry)
 * @since 0.1
 */
CRMW_API int crmw_registry_set_query_opts(crmw_registry *reg, const crmw_query_opts *opts);

/**
 * Set the registry's base role (a new reference is kept; NULL: no
 * restriction, which is the host asking for internal access).  It replaces
 * the base role, also one that crmw_registry_add_builtin's options set.
 * Every call runs under it: plain calls (crmw_registry_call) as it is, an
 * agent's episodes narrowed by the agent's, session's or pool's role and by
 * the task's "context.role", never wider.
 * @return CRMW_OK, CRMW_EINVALID (NULL registry)
 * @since 0.1
 */
CRMW_API int crmw_registry_set_role(crmw_registry *reg, const crmw_role *role);

/**
 * The registry's base role.  Borrowed: valid until the base role changes or
 * the registry is freed.
 * @return the role, or NULL when the registry has none (internal access) or
 *         `reg` is NULL
 * @since 0.1
 */
CRMW_API const crmw_role *crmw_registry_role(const crmw_registry *reg);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_TOOLS_H */
