/*
 * lib/tools/internal.h: the JSON Schema checker and validator of tool
 * arguments.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_TOOLS_INTERNAL_H
#define CRMW_TOOLS_INTERNAL_H

#include "common/internal.h"
#include <crmweaver/tools.h>

#include <jansson.h>
#include <regex.h>

/* Compiled patterns of one schema, found by their schema node. */
typedef struct jschema_re {
	json_t *node;
	regex_t re;
} jschema_re;

typedef struct jschema {
	json_t *root;
	jschema_re *res;
	int nres;
} jschema;

/* Check a schema (known keywords, types, compilable patterns).  On error
 * writes the JSON pointer and a reason into why.  Takes a reference to root. */
int crmw__jschema_compile(jschema *s, json_t *root, char *why, size_t whylen);
void crmw__jschema_free(jschema *s);

/*
 * Validate (and, where "x-coerce" allows, coerce) `*value` in place.  On
 * failure: CRMW_EINVALID with the JSON pointer of the problem in `path` and
 * a reason in `msg`.
 */
int crmw__jschema_validate(const jschema *s, json_t **value, char *path, size_t pathlen, char *msg,
			   size_t msglen);

/* A deep copy of a schema without the library's extension keywords. */
json_t *crmw__jschema_public(json_t *schema);

/* Append a GBNF rule for values of `schema` named `rule` (and the rules it
 * needs, named rule-1, rule-2, ...). */
int crmw__jschema_gbnf(crmw_buf *out, json_t *schema, const char *rule);

/* The cap on a tool reply in an agent's episode by default (its option
 * max_observation_bytes), and the cap every gold program runs under: a gold
 * reply that an episode could not show whole fails the gold run. */
#define CRMW__OBSERVATION_BYTES 262144

/* A number that changes whenever a tool is added or removed (caches of the
 * exported specs compare it). */
uint64_t crmw__registry_generation(const crmw_registry *r);

/* What a call runs under (crmweaver/tools.h).  An episode fills one for each
 * call; a plain crmw_registry_call runs under the registry's own. */
struct crmw_tool_ctx {
	const crmw_role *role;   /* NULL: unrestricted */
	const crmw_role *base;   /* the registry base role `role` is already narrowed by */
	char today[11];          /* "YYYY-MM-DD", "" = the org's "now" */
	bool episode_today;      /* the task chose the day: built-in tools use it over their own */
	const char *task_id, *episode_id; /* NULL outside an episode */
	bool *cut;               /* set by a tool that cut its result at a cap (the registry's own) */
};

/* crmw_registry_call under an episode's context (NULL: the registry's own).
 * When ctx->base is not the registry's base role (it changed during the
 * episode), the call runs under the two narrowed together. */
int crmw__registry_call_ctx(crmw_buf *result, crmw_registry *reg, const char *name, const char *args_json,
			    size_t len, const crmw_tool_ctx *ctx);
/* The same; *cut (may be NULL) says whether the result was cut: by the
 * registry's output cap or by a built-in tool's row or byte cap (the result
 * then ends with a "[truncated: ...]" notice).  A cut result is not the
 * whole answer: gold programs fail on one. */
int crmw__registry_call_cut(crmw_buf *result, crmw_registry *reg, const char *name, const char *args_json,
			    size_t len, const crmw_tool_ctx *ctx, bool *cut);
/* The registry's "today" ("" when none). */
const char *crmw__registry_today(const crmw_registry *reg);

#endif
