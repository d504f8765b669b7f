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

/** Formats of crmw_registry_export(). @since 0.1 */
enum crmw_tools_format {
	CRMW_TOOLS_OPENAI = 0,    /**< [{"type":"function","function":{name, description, parameters}}] */
	CRMW_TOOLS_ANTHROPIC = 1, /**< [{"name", "description", "input_schema"}] */
	CRMW_TOOLS_HERMES = 2,    /**< system prompt text with <tools> and the <tool_call> format */
	CRMW_TOOLS_GBNF = 3       /**< a llama.cpp grammar: plain text, or one <tool_call> of these tools */
};

/** A new empty registry. @since 0.1 */
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

/** Remove a tool. @return CRMW_OK, CRMW_ENOTFOUND @since 0.1 */
CRMW_API int crmw_registry_remove(crmw_registry *reg, const char *name);

/** Number of tools. @since 0.1 */
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
 * @return CRMW_OK, CRMW_EINVALID (invalid arguments), CRMW_ENOTFOUND,
 *         CRMW_EFORMAT (not JSON)
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

/** Every tool's spec in one of the crmw_tools_format formats. @since 0.1 */
CRMW_API int crmw_registry_export(crmw_buf *out, crmw_registry *reg, int32_t format);

/**
 * Cap the size of every call's result at `bytes` (0: no cap, the default).
 * A longer result is cut at a UTF-8 character boundary and followed by a
 * line "[truncated: ...]" that says how much was left out.
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
 * of `opts` (NULL: the defaults): its "today", its role (every tool obeys
 * it; tools that compute internal metrics need the role's "metrics"
 * capability), its time budget (for the whole call, however many queries
 * it runs), and its row and byte caps, which here cut a long result with a
 * "[truncated: ...]" notice instead of failing.
 * @return CRMW_OK, CRMW_ENOTFOUND (unknown set), CRMW_EEXISTS, CRMW_EINVALID,
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_registry_add_builtin(crmw_registry *reg, const char *sets, crmw_db *db,
				       const crmw_query_opts *opts);

/**
 * Replace the options of every built-in tool already in the registry (a new
 * episode's "today" or role).  The options are copied.
 * @since 0.1
 */
CRMW_API int crmw_registry_set_query_opts(crmw_registry *reg, const crmw_query_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_TOOLS_H */
