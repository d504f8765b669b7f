/*
 * The "query" tool set: free-form SOQL and SOSL, the schema as the role
 * sees it, and respond.  issue_soql_query, issue_sosl_query and respond are
 * shared with the crmarena set.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tools/builtin.h"
#include "schema/internal.h"

#include <string.h>

int crmw__tool_query(bcall *c, json_t *args)
{
	return crmw__tool_soql_passthrough(c, crmw__arg_str(args, "query"));
}

int crmw__tool_respond(bcall *c, json_t *args)
{
	const char *s = crmw__arg_str(args, "content");
	crmw__buf_clear(c->out);
	return crmw__buf_puts(c->out, s) ? crmw__tool_fail(c, "TOOL_FAILED: out of memory") : 0;
}

static bool view_object(void *ud, const char *object)
{
	return crmw__role_reads(ud, object);
}

static bool view_field(void *ud, const char *object, const char *field)
{
	return crmw__role_sees(ud, object, field);
}

/* The describe document, without what the role may not read (nor a
 * description that names it). */
static int t_describe(bcall *c, json_t *args)
{
	const crmw_schema *sc = crmw_db_schema(c->db);
	const char *name = crmw_schema_object_lookup(sc, crmw__arg_str(args, "object"));
	const crmw_role *role = crmw__tool_role(c);
	if (!name) {
		crmw__near near;
		crmw__near_init(&near, crmw__arg_str(args, "object"));
		for (int32_t i = 0; i < crmw_schema_object_count(sc); i++)
			if (crmw__role_reads(role, crmw_schema_object_name(sc, i)))
				crmw__near_add(&near, crmw_schema_object_name(sc, i));
		const char *hint = crmw__near_best(&near);
		return crmw__tool_fail(c, "INVALID_TYPE: sObject type '%.80s' is not supported%s%s%s", crmw__arg_str(args, "object"),
			     hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
	}
	if (!crmw__role_reads(role, name))
		return crmw__tool_fail(c, "INSUFFICIENT_ACCESS: role '%s' cannot read '%s'", role->name, name);
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_schema_describe(&b, (crmw_schema *)sc, name)) {
		crmw_buf_dispose(&b);
		return crmw__tool_fail(c, "TOOL_FAILED: %s", crmw_last_error());
	}
	json_t *d = json_loadb(b.data, b.len, 0, NULL);
	crmw_buf_dispose(&b);
	if (!d)
		return crmw__tool_fail(c, "TOOL_FAILED: out of memory");
	crmw__schema_view view = {view_object, view_field, (void *)role};
	const crmw__schema_view *v = role ? &view : NULL;
	const char *od = json_string_value(json_object_get(d, "description"));
	if (od && crmw__schema_names_hidden(sc, v, od))
		json_object_del(d, "description");
	json_t *fields = json_object_get(d, "fields"), *keep = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) {
		if (!crmw__role_sees(role, name, json_string_value(json_object_get(f, "name"))))
			continue;
		/* Only what helps to write a query: drop false flags and repeats. */
		static const char *const noise[] = {"required", "unique", "indexed", "restricted"};
		for (size_t k = 0; k < CRMW_ARRAY_LEN(noise); k++)
			if (json_is_false(json_object_get(f, noise[k])))
				json_object_del(f, noise[k]);
		/* a reference names only objects the role may read; one that
		 * leads to none of them is a plain id to this role */
		json_t *refs = json_object_get(f, "references");
		if (json_is_array(refs)) {
			json_t *shown = json_array();
			size_t k;
			json_t *r;
			json_array_foreach(refs, k, r) {
				if (crmw__role_reads(role, json_string_value(r)))
					json_array_append(shown, r);
			}
			if (json_array_size(shown) == 0) {
				json_object_del(f, "references");
				json_object_del(f, "relationship_name");
				json_decref(shown);
			} else {
				json_object_set_new(f, "references", shown);
			}
		}
		const char *fd = json_string_value(json_object_get(f, "description"));
		if (fd && crmw__schema_names_hidden(sc, v, fd))
			json_object_del(f, "description");
		json_t *label = json_object_get(f, "label");
		if (json_is_string(label) && strcmp(json_string_value(label), json_string_value(json_object_get(f, "name"))) == 0)
			json_object_del(f, "label");
		json_array_append(keep, f);
	}
	json_object_set_new(d, "fields", keep);
	json_t *kids = json_object_get(d, "child_relationships"), *kept = json_array();
	json_array_foreach(kids, i, f) {
		const char *obj = json_string_value(json_object_get(f, "object"));
		const char *via = json_string_value(json_object_get(f, "field"));
		if (obj && via && crmw__role_reads(role, obj) && crmw__role_sees(role, obj, via))
			json_array_append(kept, f);
	}
	json_object_set_new(d, "child_relationships", kept);
	return crmw__tool_put(c, d);
}

static int t_list_objects(bcall *c, json_t *args)
{
	(void)args;
	const crmw_schema *sc = crmw_db_schema(c->db);
	json_t *out = json_array();
	for (int32_t i = 0; out && i < crmw_schema_object_count(sc); i++) {
		const char *name = crmw_schema_object_name(sc, i);
		if (!crmw__role_reads(crmw__tool_role(c), name))
			continue;
		const crmw_object *o = crmw__schema_object(sc, name);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "name", o->name, "label", o->label ? o->label : o->name,
						     "description", o->description ? o->description : ""));
	}
	return crmw__tool_put(c, out);
}

const builtin_tool crmw__tools_query[] = {
	BUILTIN_ISSUE_SOQL_QUERY,
	BUILTIN_ISSUE_SOSL_QUERY,
	{"describe_object",
	 "Describe one CRM object: its fields with their types, descriptions, references (relationship names) and picklist "
	 "values, and its child relationships (for subqueries). Only what your role may read is listed.",
	 "{\"type\":\"object\",\"properties\":{\"object\":{\"type\":\"string\",\"minLength\":1,\"description\":"
	 "\"The object's API name, for example Case or Knowledge__kav.\"}},\"required\":[\"object\"],\"additionalProperties\":false}",
	 t_describe, false, false},
	{"list_objects", "List the CRM objects your role may read, with a one-line description of each.",
	 "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}", t_list_objects, false, false},
	BUILTIN_RESPOND,
	{0},
};
