/*
 * The schema registry: objects, fields, checks, lookups, JSON in and out.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "schema/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

static const char *const type_names[] = {
	"id", "string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
	"boolean", "int", "double", "currency", "percent", "date", "datetime", "reference",
	"location",
};

const char *crmw_field_type_name(int32_t type)
{
	if (type < 0 || (size_t)type >= CRMW_ARRAY_LEN(type_names))
		return NULL;
	return type_names[type];
}

static int32_t type_from_name(const char *s)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(type_names); i++)
		if (strcmp(s, type_names[i]) == 0)
			return (int32_t)i;
	return -1;
}

/* ------------------------------------------------------------ lifetime */

static void field_dispose(crmw_field *f)
{
	free(f->name);
	free(f->label);
	free(f->description);
	for (int32_t i = 0; i < f->nrefs; i++)
		free(f->refs[i]);
	free(f->refs);
	free(f->relationship);
	free(f->child_relationship);
	for (int32_t i = 0; i < f->npicklist; i++)
		free(f->picklist[i]);
	free(f->picklist);
	memset(f, 0, sizeof *f);
}

static void object_dispose(crmw_object *o)
{
	for (int32_t i = 0; i < o->nfields; i++)
		field_dispose(&o->fields[i]);
	free(o->fields);
	free(o->name);
	free(o->label);
	free(o->label_plural);
	free(o->key_prefix);
	free(o->description);
	memset(o, 0, sizeof *o);
}

void crmw_schema_free(crmw_schema *s)
{
	if (!s)
		return;
	for (int32_t i = 0; i < s->nobjects; i++)
		object_dispose(&s->objects[i]);
	free(s->objects);
	free(s->name);
	crmw__handle_dispose(&s->h);
	free(s);
}

static bool valid_name(const char *s)
{
	if (!s || !isalpha((unsigned char)s[0]))
		return false;
	size_t n = 0;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '_')
			return false;
	return n <= 80;
}

int crmw_schema_new(crmw_schema **out, const char *name)
{
	if (!out)
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_schema_new: out is NULL");
	*out = NULL;
	if (!name || !name[0])
		name = "custom";
	if (!valid_name(name))
		return crmw__errf(NULL, CRMW_EINVALID,
				  "schema name '%s' must be letters, digits and '_'", name);
	crmw_schema *s = calloc(1, sizeof *s);
	if (!s || !(s->name = crmw__strdup(name))) {
		free(s);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	*out = s;
	return CRMW_OK;
}

const char *crmw_schema_errmsg(const crmw_schema *s)
{
	return s ? crmw__err_msg(&s->h.err) : "";
}

const char *crmw_schema_name(const crmw_schema *s)
{
	return s ? s->name : NULL;
}

int32_t crmw_schema_object_count(const crmw_schema *s)
{
	return s ? s->nobjects : 0;
}

const char *crmw_schema_object_name(const crmw_schema *s, int32_t i)
{
	if (!s || i < 0 || i >= s->nobjects)
		return NULL;
	return s->objects[i].name;
}

/* ------------------------------------------------------------- lookups */

crmw_object *crmw__schema_object(const crmw_schema *s, const char *name)
{
	if (!s || !name)
		return NULL;
	for (int32_t i = 0; i < s->nobjects; i++)
		if (strcasecmp(s->objects[i].name, name) == 0)
			return &s->objects[i];
	return NULL;
}

int32_t crmw__object_field_index(const crmw_object *o, const char *name)
{
	if (!o || !name)
		return -1;
	for (int32_t i = 0; i < o->nfields; i++)
		if (strcasecmp(o->fields[i].name, name) == 0)
			return i;
	return -1;
}

crmw_field *crmw__object_field(const crmw_object *o, const char *name)
{
	int32_t i = crmw__object_field_index(o, name);
	return i < 0 ? NULL : &o->fields[i];
}

crmw_object *crmw__schema_object_by_prefix(const crmw_schema *s, const char *id)
{
	if (!s || !id || strlen(id) < 3)
		return NULL;
	for (int32_t i = 0; i < s->nobjects; i++)
		if (memcmp(s->objects[i].key_prefix, id, 3) == 0)
			return &s->objects[i];
	return NULL;
}

const char *crmw_schema_object_lookup(const crmw_schema *s, const char *object)
{
	crmw_object *o = crmw__schema_object(s, object);
	return o ? o->name : NULL;
}

int crmw__schema_no_object(crmw_err *e, const crmw_schema *s, const char *name)
{
	crmw__near near;
	crmw__near_init(&near, name);
	for (int32_t i = 0; i < s->nobjects; i++)
		crmw__near_add(&near, s->objects[i].name);
	const char *hint = crmw__near_best(&near);
	if (hint)
		return crmw__errf(e, CRMW_ENOTFOUND, "no object '%s' (did you mean '%s'?)", name, hint);
	return crmw__errf(e, CRMW_ENOTFOUND, "no object '%s'", name);
}

int crmw__schema_no_field(crmw_err *e, const crmw_object *o, const char *name)
{
	crmw__near near;
	crmw__near_init(&near, name);
	for (int32_t i = 0; i < o->nfields; i++)
		crmw__near_add(&near, o->fields[i].name);
	const char *hint = crmw__near_best(&near);
	if (hint)
		return crmw__errf(e, CRMW_ENOTFOUND, "no field '%s' on object '%s' (did you mean '%s'?)",
				  name, o->name, hint);
	return crmw__errf(e, CRMW_ENOTFOUND, "no field '%s' on object '%s'", name, o->name);
}

int32_t crmw_schema_field_index(crmw_schema *s, const char *object, const char *field)
{
	if (!s || !object || !field)
		return crmw__errf(s ? &s->h.err : NULL, CRMW_EINVALID,
				  "crmw_schema_field_index: NULL argument");
	crmw_object *o = crmw__schema_object(s, object);
	if (!o)
		return crmw__schema_no_object(&s->h.err, s, object);
	int32_t i = crmw__object_field_index(o, field);
	if (i < 0)
		return crmw__schema_no_field(&s->h.err, o, field);
	return i;
}

bool crmw__picklist_has(const crmw_field *f, const char *v, size_t len)
{
	for (int32_t i = 0; i < f->npicklist; i++)
		if (strlen(f->picklist[i]) == len && memcmp(f->picklist[i], v, len) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------- definitions */

static char *derive_plural(const char *label)
{
	size_t n = strlen(label);
	char *p = malloc(n + 3);
	if (!p)
		return NULL;
	memcpy(p, label, n + 1);
	char last = n ? label[n - 1] : 0;
	char before = n > 1 ? label[n - 2] : 0;
	if (last == 'y' && before && !strchr("aeiouAEIOU", before)) {
		strcpy(p + n - 1, "ies");
	} else if (last == 's' || last == 'x' || (last == 'h' && (before == 'c' || before == 's'))) {
		strcpy(p + n, "es");
	} else {
		strcpy(p + n, "s");
	}
	return p;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A label from an API name: "Issue__c" -> "Issue", "VoiceCallTranscript__c" -> "VoiceCallTranscript". */
static char *derive_label(const char *name)
{
	size_t n = strlen(name);
	if (ends_with(name, "__c") || ends_with(name, "__r"))
		n -= 3;
	else if (ends_with(name, "__kav"))
		n -= 5;
	return crmw__strndup(name, n);
}

static char *derive_relationship(const char *field)
{
	size_t n = strlen(field);
	if (ends_with(field, "__c")) {
		char *r = crmw__strdup(field);
		if (r)
			r[n - 1] = 'r';
		return r;
	}
	if (n > 2 && ends_with(field, "Id"))
		return crmw__strndup(field, n - 2);
	size_t m = n + 4;
	char *r = malloc(m);
	if (r)
		snprintf(r, m, "%s__r", field);
	return r;
}

/* Child relationship names already used on `parent` (by any field of any object). */
static bool child_name_taken(const crmw_schema *s, const char *parent, const char *name)
{
	for (int32_t i = 0; i < s->nobjects; i++) {
		const crmw_object *o = &s->objects[i];
		for (int32_t j = 0; j < o->nfields; j++) {
			const crmw_field *f = &o->fields[j];
			if (!f->child_relationship)
				continue;
			for (int32_t k = 0; k < f->nrefs; k++)
				if (strcasecmp(f->refs[k], parent) == 0 &&
				    strcasecmp(f->child_relationship, name) == 0)
					return true;
		}
	}
	const crmw_object *p = crmw__schema_object(s, parent);
	return p && crmw__object_field_index(p, name) >= 0;
}

static char *derive_child_relationship(const crmw_schema *s, const crmw_object *child,
				       const crmw_field_spec *spec, const char *relationship)
{
	/* "Cases", "EmailMessages", custom children "CaseHistories__r". */
	char *plural = derive_plural(child->name);
	if (!plural)
		return NULL;
	char base[256];
	size_t pn = strlen(plural);
	bool custom = ends_with(child->name, "__c");
	if (custom) {
		char *label = derive_label(child->name);
		free(plural);
		if (!label)
			return NULL;
		plural = derive_plural(label);
		free(label);
		if (!plural)
			return NULL;
		pn = strlen(plural);
	}
	snprintf(base, sizeof base, "%.*s%s", (int)pn, plural, custom ? "__r" : "");
	bool taken = false;
	for (int32_t k = 0; k < spec->nrefs; k++)
		taken = taken || child_name_taken(s, spec->refs[k], base);
	if (taken) {
		/* A second child list of the same object on one parent: prefix the
		 * relationship ("RelatedToEmailMessages"). */
		char rel[128];
		snprintf(rel, sizeof rel, "%s", relationship);
		if (ends_with(rel, "__r"))
			rel[strlen(rel) - 3] = '\0';
		snprintf(base, sizeof base, "%s%.*s%s", rel, (int)pn, plural, custom ? "__r" : "");
	}
	free(plural);
	return crmw__strdup(base);
}

static int grow(void **arr, int32_t n, size_t elem)
{
	/* Grow to n + 1 elements (arrays are small; exact sizing is fine). */
	void *p = realloc(*arr, (size_t)(n + 1) * elem);
	if (!p)
		return CRMW_ENOMEM;
	*arr = p;
	return CRMW_OK;
}

static char **dup_list(const char *const *v, int32_t n)
{
	if (n == 0)
		return NULL;
	char **out = calloc((size_t)n, sizeof *out);
	if (!out)
		return NULL;
	for (int32_t i = 0; i < n; i++) {
		if (!(out[i] = crmw__strdup(v[i]))) {
			for (int32_t j = 0; j < i; j++)
				free(out[j]);
			free(out);
			return NULL;
		}
	}
	return out;
}

int crmw__object_add_field(crmw_schema *s, crmw_err *e, crmw_object *o,
			   const crmw_field_spec *spec, bool check_refs)
{
	const char *name = spec->name;
	if (!valid_name(name))
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object '%s': field name '%s' must start with a letter and hold only letters, digits and '_' (at most 80)",
				  o->name, name ? name : "(null)");
	if (crmw__object_field_index(o, name) >= 0)
		return crmw__errf(e, CRMW_EEXISTS, "object '%s' already has a field '%s'", o->name, name);
	if (!crmw_field_type_name(spec->type))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s', field '%s': unknown type %d",
				  o->name, name, (int)spec->type);
	if (spec->type == CRMW_FIELD_ID && o->nfields > 0)
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object '%s', field '%s': only the implicit Id field has type id",
				  o->name, name);
	bool is_ref = spec->type == CRMW_FIELD_REFERENCE;
	if (is_ref && spec->nrefs < 1)
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object '%s', field '%s': a reference must name at least one object",
				  o->name, name);
	if (!is_ref && spec->nrefs > 0)
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object '%s', field '%s': only reference fields have references",
				  o->name, name);
	for (int32_t i = 0; i < spec->nrefs; i++) {
		if (!spec->refs[i] || !spec->refs[i][0])
			return crmw__errf(e, CRMW_ESCHEMA, "object '%s', field '%s': empty reference",
					  o->name, name);
		if (check_refs && !crmw__schema_object(s, spec->refs[i]) &&
		    strcasecmp(spec->refs[i], o->name) != 0)
			return crmw__errf(e, CRMW_ESCHEMA,
					  "object '%s', field '%s': references unknown object '%s'",
					  o->name, name, spec->refs[i]);
	}
	bool is_pick = spec->type == CRMW_FIELD_PICKLIST || spec->type == CRMW_FIELD_MULTIPICKLIST;
	if (!is_pick && spec->npicklist > 0)
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object '%s', field '%s': only picklist fields have picklist values",
				  o->name, name);
	for (int32_t i = 0; i < spec->npicklist; i++) {
		const char *v = spec->picklist[i];
		if (!v || !v[0])
			return crmw__errf(e, CRMW_ESCHEMA,
					  "object '%s', field '%s': empty picklist value", o->name, name);
		if (spec->type == CRMW_FIELD_MULTIPICKLIST && strchr(v, ';'))
			return crmw__errf(e, CRMW_ESCHEMA,
					  "object '%s', field '%s': multi-select value '%s' contains ';'",
					  o->name, name, v);
		for (int32_t j = 0; j < i; j++)
			if (strcmp(v, spec->picklist[j]) == 0)
				return crmw__errf(e, CRMW_ESCHEMA,
						  "object '%s', field '%s': duplicate picklist value '%s'",
						  o->name, name, v);
	}
	if (spec->relationship && !valid_name(spec->relationship))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s', field '%s': bad relationship name '%s'",
				  o->name, name, spec->relationship);
	if (spec->child_relationship && spec->child_relationship[0] &&
	    !valid_name(spec->child_relationship))
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object '%s', field '%s': bad child relationship name '%s'",
				  o->name, name, spec->child_relationship);

	crmw_field f = {0};
	f.type = spec->type;
	f.restricted = is_pick && spec->restricted;
	f.required = spec->required;
	f.unique = spec->unique;
	f.indexed = spec->indexed || is_ref || spec->unique;
	f.nrefs = spec->nrefs;
	f.npicklist = spec->npicklist;
	bool ok = (f.name = crmw__strdup(name)) != NULL;
	ok = ok && (f.label = spec->label ? crmw__strdup(spec->label) : derive_label(name));
	ok = ok && (f.description = crmw__strdup(spec->description ? spec->description : ""));
	ok = ok && (spec->nrefs == 0 || (f.refs = dup_list(spec->refs, spec->nrefs)));
	ok = ok && (spec->npicklist == 0 || (f.picklist = dup_list(spec->picklist, spec->npicklist)));
	if (ok && is_ref) {
		f.relationship = spec->relationship ? crmw__strdup(spec->relationship)
						    : derive_relationship(name);
		ok = f.relationship != NULL;
		if (ok && crmw__object_field_index(o, f.relationship) >= 0) {
			int rc = crmw__errf(e, CRMW_ESCHEMA,
					    "object '%s', field '%s': relationship name '%s' is also a field name",
					    o->name, name, f.relationship);
			field_dispose(&f);
			return rc;
		}
		for (int32_t i = 0; ok && i < o->nfields; i++) {
			if (o->fields[i].relationship &&
			    strcasecmp(o->fields[i].relationship, f.relationship) == 0) {
				int rc = crmw__errf(e, CRMW_ESCHEMA,
						    "object '%s', field '%s': relationship name '%s' is taken by field '%s'",
						    o->name, name, f.relationship, o->fields[i].name);
				field_dispose(&f);
				return rc;
			}
		}
		if (ok && spec->child_relationship) {
			if (spec->child_relationship[0]) {
				for (int32_t k = 0; k < spec->nrefs; k++) {
					if (child_name_taken(s, spec->refs[k], spec->child_relationship)) {
						int rc = crmw__errf(e, CRMW_ESCHEMA,
								    "object '%s', field '%s': child relationship '%s' is already used on '%s'",
								    o->name, name, spec->child_relationship,
								    spec->refs[k]);
						field_dispose(&f);
						return rc;
					}
				}
				ok = (f.child_relationship = crmw__strdup(spec->child_relationship)) != NULL;
			}
		} else if (ok) {
			ok = (f.child_relationship = derive_child_relationship(s, o, spec, f.relationship)) != NULL;
		}
	}
	if (!ok || grow((void **)&o->fields, o->nfields, sizeof *o->fields)) {
		field_dispose(&f);
		return crmw__errf(e, CRMW_ENOMEM, "out of memory");
	}
	o->fields[o->nfields++] = f;
	return CRMW_OK;
}

static bool valid_prefix(const char *p)
{
	if (!p || strlen(p) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (!isalnum((unsigned char)p[i]))
			return false;
	return true;
}

int crmw__schema_add_object_spec(crmw_schema *s, crmw_err *e, const crmw_object_spec *spec,
				 crmw_object **added)
{
	const char *name = spec->name;
	if (!valid_name(name))
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object name '%s' must start with a letter and hold only letters, digits and '_' (at most 80)",
				  name ? name : "(null)");
	if (strncasecmp(name, "crmw_", 5) == 0 || strncasecmp(name, "sqlite_", 7) == 0)
		return crmw__errf(e, CRMW_ESCHEMA,
				  "object name '%s' is reserved (crmw_ and sqlite_ names belong to the library)",
				  name);
	if (crmw__schema_object(s, name))
		return crmw__errf(e, CRMW_EEXISTS, "the schema already has an object '%s'", name);
	if (!spec->key_prefix)
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s' needs a \"key_prefix\" of 3 letters or digits", name);
	if (!valid_prefix(spec->key_prefix))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s': key prefix '%s' must be 3 letters or digits", name,
				  spec->key_prefix);
	for (int32_t i = 0; i < s->nobjects; i++)
		if (memcmp(s->objects[i].key_prefix, spec->key_prefix, 3) == 0)
			return crmw__errf(e, CRMW_EEXISTS,
					  "object '%s': key prefix '%s' is already used by '%s'", name,
					  spec->key_prefix, s->objects[i].name);
	crmw_object o = {0};
	bool ok = (o.name = crmw__strdup(name)) != NULL;
	ok = ok && (o.label = spec->label ? crmw__strdup(spec->label) : derive_label(name));
	ok = ok && (o.label_plural = spec->label_plural ? crmw__strdup(spec->label_plural)
							: derive_plural(o.label));
	ok = ok && (o.key_prefix = crmw__strdup(spec->key_prefix));
	ok = ok && (o.description = crmw__strdup(spec->description ? spec->description : ""));
	if (!ok || grow((void **)&s->objects, s->nobjects, sizeof *s->objects)) {
		object_dispose(&o);
		return crmw__errf(e, CRMW_ENOMEM, "out of memory");
	}
	s->objects[s->nobjects++] = o;
	crmw_object *op = &s->objects[s->nobjects - 1];
	char desc[160];
	snprintf(desc, sizeof desc, "Unique id of the %s record (key prefix %s).", op->label,
		 op->key_prefix);
	crmw_field_spec id = {.name = "Id", .label = "Id", .description = desc,
			      .type = CRMW_FIELD_ID, .unique = true};
	int rc = crmw__object_add_field(s, e, op, &id, false);
	if (rc) {
		crmw__schema_pop_object(s);
		return rc;
	}
	if (added)
		*added = op;
	return CRMW_OK;
}

void crmw__schema_pop_object(crmw_schema *s)
{
	if (s->nobjects > 0)
		object_dispose(&s->objects[--s->nobjects]);
}

int crmw__schema_check_refs(crmw_schema *s)
{
	for (int32_t i = 0; i < s->nobjects; i++) {
		crmw_object *o = &s->objects[i];
		for (int32_t j = 0; j < o->nfields; j++) {
			crmw_field *f = &o->fields[j];
			for (int32_t k = 0; k < f->nrefs; k++) {
				crmw_object *t = crmw__schema_object(s, f->refs[k]);
				if (!t)
					return crmw__errf(&s->h.err, CRMW_ESCHEMA,
							  "object '%s', field '%s': references unknown object '%s'",
							  o->name, f->name, f->refs[k]);
				/* Keep the canonical spelling. */
				if (strcmp(t->name, f->refs[k]) != 0) {
					char *c = crmw__strdup(t->name);
					if (!c)
						return crmw__errf(&s->h.err, CRMW_ENOMEM, "out of memory");
					free(f->refs[k]);
					f->refs[k] = c;
				}
			}
		}
	}
	return CRMW_OK;
}

/* ------------------------------------------------------------ JSON in */

typedef struct str_list {
	const char *v[512];
	int32_t n;
} str_list;

static int json_str_list(crmw_err *e, json_t *arr, str_list *out, const char *what,
			 const char *obj, const char *field)
{
	out->n = 0;
	if (!arr)
		return CRMW_OK;
	if (!json_is_array(arr))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s', field '%s': \"%s\" must be an array of strings",
				  obj, field, what);
	if (json_array_size(arr) > CRMW_ARRAY_LEN(out->v))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s', field '%s': too many %s (at most %zu)",
				  obj, field, what, CRMW_ARRAY_LEN(out->v));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return crmw__errf(e, CRMW_ESCHEMA,
					  "object '%s', field '%s': \"%s\"[%zu] is not a string", obj,
					  field, what, i);
		out->v[out->n++] = json_string_value(v);
	}
	return CRMW_OK;
}

static int json_opt_str(crmw_err *e, json_t *o, const char *key, const char **out,
			const char *where)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return CRMW_OK;
	if (!json_is_string(v))
		return crmw__errf(e, CRMW_ESCHEMA, "%s: \"%s\" must be a string", where, key);
	*out = json_string_value(v);
	return CRMW_OK;
}

static int json_opt_bool(crmw_err *e, json_t *o, const char *key, bool *out, const char *where)
{
	json_t *v = json_object_get(o, key);
	*out = false;
	if (!v || json_is_null(v))
		return CRMW_OK;
	if (!json_is_boolean(v))
		return crmw__errf(e, CRMW_ESCHEMA, "%s: \"%s\" must be true or false", where, key);
	*out = json_is_true(v);
	return CRMW_OK;
}

static int check_keys(crmw_err *e, json_t *o, const char *const *allowed, size_t n,
		      const char *where)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		bool ok = false;
		for (size_t i = 0; i < n && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			const char *hint = crmw__closest_name(key, allowed, n);
			if (hint)
				return crmw__errf(e, CRMW_ESCHEMA, "%s: unknown key \"%s\" (did you mean \"%s\"?)",
						  where, key, hint);
			return crmw__errf(e, CRMW_ESCHEMA, "%s: unknown key \"%s\"", where, key);
		}
	}
	return CRMW_OK;
}

static int field_from_json(crmw_schema *s, crmw_err *e, crmw_object *o, json_t *jf,
			   bool check_refs)
{
	static const char *const keys[] = {
		"name", "label", "type", "description", "references", "relationship_name",
		"child_relationship_name", "picklist", "restricted", "required", "unique", "indexed",
	};
	char where[200];
	if (!json_is_object(jf))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s': a field must be a JSON object", o->name);
	json_t *jn = json_object_get(jf, "name");
	if (!json_is_string(jn))
		return crmw__errf(e, CRMW_ESCHEMA, "object '%s': a field has no \"name\"", o->name);
	crmw_field_spec spec = {.name = json_string_value(jn)};
	snprintf(where, sizeof where, "object '%s', field '%s'", o->name, spec.name);
	int rc = check_keys(e, jf, keys, CRMW_ARRAY_LEN(keys), where);
	json_t *jt = json_object_get(jf, "type");
	if (!rc && !json_is_string(jt))
		rc = crmw__errf(e, CRMW_ESCHEMA, "%s: no \"type\"", where);
	if (!rc && (spec.type = type_from_name(json_string_value(jt))) < 0) {
		const char *hint = crmw__closest_name(json_string_value(jt), type_names,
						      CRMW_ARRAY_LEN(type_names));
		rc = crmw__errf(e, CRMW_ESCHEMA, "%s: unknown type \"%s\"%s%s%s", where,
				json_string_value(jt), hint ? " (did you mean \"" : "",
				hint ? hint : "", hint ? "\"?)" : "");
	}
	if (rc)
		return rc;
	if (strcasecmp(spec.name, "Id") == 0) {
		/* The implicit Id may be listed (as type id) but not redefined. */
		if (spec.type != CRMW_FIELD_ID)
			return crmw__errf(e, CRMW_ESCHEMA, "%s: Id is implicit and has type \"id\"", where);
		return CRMW_OK;
	}
	str_list refs, pick;
	if ((rc = json_opt_str(e, jf, "label", &spec.label, where)) ||
	    (rc = json_opt_str(e, jf, "description", &spec.description, where)) ||
	    (rc = json_opt_str(e, jf, "relationship_name", &spec.relationship, where)) ||
	    (rc = json_opt_str(e, jf, "child_relationship_name", &spec.child_relationship, where)) ||
	    (rc = json_opt_bool(e, jf, "restricted", &spec.restricted, where)) ||
	    (rc = json_opt_bool(e, jf, "required", &spec.required, where)) ||
	    (rc = json_opt_bool(e, jf, "unique", &spec.unique, where)) ||
	    (rc = json_opt_bool(e, jf, "indexed", &spec.indexed, where)) ||
	    (rc = json_str_list(e, json_object_get(jf, "references"), &refs, "references", o->name, spec.name)) ||
	    (rc = json_str_list(e, json_object_get(jf, "picklist"), &pick, "picklist", o->name, spec.name)))
		return rc;
	/* A missing child_relationship_name derives one; JSON null means none. */
	json_t *jc = json_object_get(jf, "child_relationship_name");
	if (jc && json_is_null(jc))
		spec.child_relationship = "";
	spec.refs = refs.v;
	spec.nrefs = refs.n;
	spec.picklist = pick.v;
	spec.npicklist = pick.n;
	return crmw__object_add_field(s, e, o, &spec, check_refs);
}

int crmw__schema_add_object_json(crmw_schema *s, json_t *jo, bool check_refs)
{
	static const char *const keys[] = {
		"name", "label", "label_plural", "key_prefix", "description", "fields",
		"child_relationships",
	};
	crmw_err *e = &s->h.err;
	if (!json_is_object(jo))
		return crmw__errf(e, CRMW_ESCHEMA, "an object definition must be a JSON object");
	json_t *jn = json_object_get(jo, "name");
	if (!json_is_string(jn))
		return crmw__errf(e, CRMW_ESCHEMA, "an object definition has no \"name\"");
	char where[160];
	snprintf(where, sizeof where, "object '%s'", json_string_value(jn));
	crmw_object_spec spec = {.name = json_string_value(jn)};
	int rc = check_keys(e, jo, keys, CRMW_ARRAY_LEN(keys), where);
	if (!rc && ((rc = json_opt_str(e, jo, "label", &spec.label, where)) ||
		    (rc = json_opt_str(e, jo, "label_plural", &spec.label_plural, where)) ||
		    (rc = json_opt_str(e, jo, "key_prefix", &spec.key_prefix, where)) ||
		    (rc = json_opt_str(e, jo, "description", &spec.description, where))))
		return rc;
	if (rc)
		return rc;
	json_t *jf = json_object_get(jo, "fields");
	if (jf && !json_is_array(jf))
		return crmw__errf(e, CRMW_ESCHEMA, "%s: \"fields\" must be an array", where);
	crmw_object *o = NULL;
	if ((rc = crmw__schema_add_object_spec(s, e, &spec, &o)))
		return rc;
	size_t i;
	json_t *f;
	json_array_foreach(jf, i, f) {
		if ((rc = field_from_json(s, e, o, f, check_refs))) {
			crmw__schema_pop_object(s);
			return rc;
		}
	}
	return CRMW_OK;
}

static json_t *parse(crmw_err *e, const char *json, size_t len, const char *what)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		crmw__errf(e, CRMW_EFORMAT, "%s: bad JSON at line %d, column %d: %s", what,
			   jerr.line, jerr.column, jerr.text);
	return root;
}

int crmw_schema_from_json(crmw_schema **out, const char *json, size_t len)
{
	CRMW__ARGS_NONNULL(NULL, !out || !json);
	*out = NULL;
	json_t *root = parse(NULL, json, len, "schema");
	if (!root)
		return CRMW_EFORMAT;
	static const char *const keys[] = {"schema_version", "name", "objects"};
	int rc = CRMW_OK;
	crmw_schema *s = NULL;
	if (!json_is_object(root)) {
		rc = crmw__errf(NULL, CRMW_ESCHEMA, "schema: the document must be a JSON object");
		goto done;
	}
	if ((rc = check_keys(NULL, root, keys, CRMW_ARRAY_LEN(keys), "schema")))
		goto done;
	json_t *ver = json_object_get(root, "schema_version");
	if (ver && (!json_is_integer(ver) || json_integer_value(ver) != 1)) {
		rc = crmw__errf(NULL, CRMW_ESCHEMA, "schema: unsupported schema_version (this library reads 1)");
		goto done;
	}
	json_t *jname = json_object_get(root, "name");
	if (jname && !json_is_string(jname)) {
		rc = crmw__errf(NULL, CRMW_ESCHEMA, "schema: \"name\" must be a string");
		goto done;
	}
	json_t *objs = json_object_get(root, "objects");
	if (!json_is_array(objs)) {
		rc = crmw__errf(NULL, CRMW_ESCHEMA, "schema: \"objects\" must be an array");
		goto done;
	}
	if ((rc = crmw_schema_new(&s, jname ? json_string_value(jname) : NULL)))
		goto done;
	size_t i;
	json_t *jo;
	json_array_foreach(objs, i, jo) {
		if ((rc = crmw__schema_add_object_json(s, jo, false)))
			goto done;
	}
	rc = crmw__schema_check_refs(s);
done:
	if (rc) {
		/* The handle's message is lost with it: keep it as the thread's. */
		if (s)
			crmw__errf(NULL, rc, "%s", crmw__err_msg(&s->h.err));
		crmw_schema_free(s);
	} else {
		*out = s;
	}
	json_decref(root);
	return rc;
}

int crmw_schema_add_object(crmw_schema *s, const char *object_json, size_t len)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !s || !object_json);
	json_t *jo = parse(&s->h.err, object_json, len, "object");
	if (!jo)
		return CRMW_EFORMAT;
	int rc = crmw__schema_add_object_json(s, jo, true);
	json_decref(jo);
	return rc;
}

int crmw_schema_add_field(crmw_schema *s, const char *object, const char *field_json, size_t len)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !s || !object || !field_json);
	crmw_object *o = crmw__schema_object(s, object);
	if (!o)
		return crmw__schema_no_object(&s->h.err, s, object);
	json_t *jf = parse(&s->h.err, field_json, len, "field");
	if (!jf)
		return CRMW_EFORMAT;
	int32_t before = o->nfields;
	int rc = field_from_json(s, &s->h.err, o, jf, true);
	if (!rc && o->nfields == before)
		rc = crmw__errf(&s->h.err, CRMW_EEXISTS, "object '%s' already has a field 'Id'", o->name);
	json_decref(jf);
	return rc;
}

int crmw_schema_clone(crmw_schema **out, const crmw_schema *s)
{
	CRMW__ARGS_NONNULL(NULL, !out || !s);
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_schema_to_json(&b, s);
	if (!rc)
		rc = crmw_schema_from_json(out, b.data, b.len);
	crmw_buf_dispose(&b);
	return rc;
}

/* ----------------------------------------------------------- JSON out */

static int put_key_str(crmw_buf *b, const char *key, const char *v, bool comma)
{
	int rc = crmw__buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
	if (!rc)
		rc = v ? crmw__buf_json_str(b, v, strlen(v)) : crmw__buf_puts(b, "null");
	return rc;
}

static int put_str_array(crmw_buf *b, const char *key, char **v, int32_t n)
{
	int rc = crmw__buf_printf(b, ",\"%s\":[", key);
	for (int32_t i = 0; !rc && i < n; i++) {
		if (i)
			rc = crmw__buf_putc(b, ',');
		if (!rc)
			rc = crmw__buf_json_str(b, v[i], strlen(v[i]));
	}
	if (!rc)
		rc = crmw__buf_putc(b, ']');
	return rc;
}

static int field_json(crmw_buf *b, const crmw_field *f)
{
	int rc = put_key_str(b, "name", f->name, false);
	rc = rc ? rc : put_key_str(b, "label", f->label, true);
	rc = rc ? rc : put_key_str(b, "type", crmw_field_type_name(f->type), true);
	if (!rc && f->type == CRMW_FIELD_REFERENCE) {
		rc = put_str_array(b, "references", f->refs, f->nrefs);
		rc = rc ? rc : put_key_str(b, "relationship_name", f->relationship, true);
		rc = rc ? rc : put_key_str(b, "child_relationship_name", f->child_relationship, true);
	}
	if (!rc && (f->type == CRMW_FIELD_PICKLIST || f->type == CRMW_FIELD_MULTIPICKLIST)) {
		rc = put_str_array(b, "picklist", f->picklist, f->npicklist);
		rc = rc ? rc : crmw__buf_printf(b, ",\"restricted\":%s", f->restricted ? "true" : "false");
	}
	if (!rc)
		rc = crmw__buf_printf(b, ",\"required\":%s,\"unique\":%s,\"indexed\":%s",
				      f->required ? "true" : "false", f->unique ? "true" : "false",
				      f->indexed ? "true" : "false");
	rc = rc ? rc : put_key_str(b, "description", f->description, true);
	return rc;
}

static int child_relationships_json(crmw_buf *b, const crmw_schema *s, const crmw_object *parent)
{
	int rc = crmw__buf_puts(b, ",\"child_relationships\":[");
	bool first = true;
	for (int32_t i = 0; !rc && i < s->nobjects; i++) {
		const crmw_object *o = &s->objects[i];
		for (int32_t j = 0; !rc && j < o->nfields; j++) {
			const crmw_field *f = &o->fields[j];
			if (!f->child_relationship)
				continue;
			for (int32_t k = 0; !rc && k < f->nrefs; k++) {
				if (strcasecmp(f->refs[k], parent->name) != 0)
					continue;
				rc = crmw__buf_puts(b, first ? "{" : ",{");
				first = false;
				rc = rc ? rc : put_key_str(b, "name", f->child_relationship, false);
				rc = rc ? rc : put_key_str(b, "object", o->name, true);
				rc = rc ? rc : put_key_str(b, "field", f->name, true);
				rc = rc ? rc : crmw__buf_putc(b, '}');
			}
		}
	}
	return rc ? rc : crmw__buf_putc(b, ']');
}

static int object_json(crmw_buf *b, const crmw_schema *s, const crmw_object *o, bool children)
{
	int rc = crmw__buf_putc(b, '{');
	rc = rc ? rc : put_key_str(b, "name", o->name, false);
	rc = rc ? rc : put_key_str(b, "label", o->label, true);
	rc = rc ? rc : put_key_str(b, "label_plural", o->label_plural, true);
	rc = rc ? rc : put_key_str(b, "key_prefix", o->key_prefix, true);
	rc = rc ? rc : put_key_str(b, "description", o->description, true);
	rc = rc ? rc : crmw__buf_puts(b, ",\"fields\":[");
	for (int32_t j = 0; !rc && j < o->nfields; j++) {
		rc = crmw__buf_puts(b, j ? ",{" : "{");
		rc = rc ? rc : field_json(b, &o->fields[j]);
		rc = rc ? rc : crmw__buf_putc(b, '}');
	}
	rc = rc ? rc : crmw__buf_putc(b, ']');
	if (!rc && children)
		rc = child_relationships_json(b, s, o);
	return rc ? rc : crmw__buf_putc(b, '}');
}

int crmw_schema_to_json(crmw_buf *out, const crmw_schema *s)
{
	CRMW__ARGS_NONNULL(NULL, !out || !s);
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, "{\"schema_version\":1");
	rc = rc ? rc : put_key_str(&b, "name", s->name, true);
	rc = rc ? rc : crmw__buf_puts(&b, ",\"objects\":[");
	for (int32_t i = 0; !rc && i < s->nobjects; i++) {
		if (i)
			rc = crmw__buf_putc(&b, ',');
		rc = rc ? rc : object_json(&b, s, &s->objects[i], false);
	}
	rc = rc ? rc : crmw__buf_puts(&b, "]}");
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

int crmw_schema_describe(crmw_buf *out, crmw_schema *s, const char *object)
{
	CRMW__ARGS_NONNULL(s ? &s->h.err : NULL, !out || !s || !object);
	crmw_object *o = crmw__schema_object(s, object);
	if (!o)
		return crmw__schema_no_object(&s->h.err, s, object);
	crmw_buf b = CRMW_BUF_INIT;
	if (object_json(&b, s, o, true)) {
		crmw_buf_dispose(&b);
		return crmw__errf(&s->h.err, CRMW_ENOMEM, "out of memory");
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

/* ------------------------------------------------------- prompt text */

/* What a view shows (NULL: everything). */
static bool shows_object(const crmw__schema_view *v, const char *object)
{
	return !v || v->object(v->ud, object);
}

static bool shows_field(const crmw__schema_view *v, const char *object, const char *field)
{
	return !v || (v->object(v->ud, object) && v->field(v->ud, object, field));
}

bool crmw__schema_names_hidden(const crmw_schema *s, const crmw__schema_view *v, const char *text)
{
	for (int32_t i = 0; v && i < s->nobjects; i++) {
		const char *name = s->objects[i].name;
		size_t n = strlen(name);
		if (shows_object(v, name))
			continue;
		for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
			bool before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
			bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
			if (before && after)
				return true;
		}
	}
	return false;
}

static int render_field(crmw_buf *b, const crmw_schema *s, const crmw_field *f, const crmw__schema_view *v)
{
	int rc = crmw__buf_printf(b, "  - %s (%s", f->name, crmw_field_type_name(f->type));
	int nshown = 0;
	for (int32_t k = 0; f->type == CRMW_FIELD_REFERENCE && k < f->nrefs; k++)
		nshown += shows_object(v, f->refs[k]);
	if (!rc && nshown) {
		rc = crmw__buf_puts(b, " to ");
		for (int32_t k = 0, n = 0; !rc && k < f->nrefs; k++)
			if (shows_object(v, f->refs[k]))
				rc = crmw__buf_printf(b, "%s%s", n++ ? " or " : "", f->refs[k]);
		if (!rc)
			rc = crmw__buf_printf(b, "; relationship %s", f->relationship);
	}
	if (!rc && f->npicklist > 0) {
		rc = crmw__buf_puts(b, "; one of ");
		for (int32_t k = 0; !rc && k < f->npicklist; k++)
			rc = crmw__buf_printf(b, "%s'%s'", k ? ", " : "", f->picklist[k]);
	}
	if (!rc)
		rc = crmw__buf_puts(b, ")");
	/* a description that points at an object the view hides is left out */
	if (!rc && f->description[0] && !crmw__schema_names_hidden(s, v, f->description))
		rc = crmw__buf_printf(b, ": %s", f->description);
	return rc ? rc : crmw__buf_putc(b, '\n');
}

static int render_object(crmw_buf *b, const crmw_schema *s, const crmw_object *o, const crmw__schema_view *v)
{
	int rc = crmw__buf_printf(b, "\n%s (key prefix %s)", o->name, o->key_prefix);
	if (!rc && o->description[0] && !crmw__schema_names_hidden(s, v, o->description))
		rc = crmw__buf_printf(b, ": %s", o->description);
	rc = rc ? rc : crmw__buf_putc(b, '\n');
	for (int32_t j = 0; !rc && j < o->nfields; j++)
		if (shows_field(v, o->name, o->fields[j].name))
			rc = render_field(b, s, &o->fields[j], v);
	/* Child relationships, for parent-to-child subqueries. */
	bool first = true;
	for (int32_t i = 0; !rc && i < s->nobjects; i++) {
		const crmw_object *c = &s->objects[i];
		for (int32_t j = 0; !rc && j < c->nfields; j++) {
			const crmw_field *f = &c->fields[j];
			if (!f->child_relationship || !shows_field(v, c->name, f->name))
				continue;
			for (int32_t k = 0; !rc && k < f->nrefs; k++) {
				if (strcasecmp(f->refs[k], o->name) != 0)
					continue;
				rc = crmw__buf_printf(b, "%s%s (%s.%s)",
						      first ? "  Child relationships: " : ", ",
						      f->child_relationship, c->name, f->name);
				first = false;
			}
		}
	}
	if (!rc && !first)
		rc = crmw__buf_putc(b, '\n');
	return rc;
}

int crmw_schema_render(crmw_buf *out, crmw_schema *s, const char *objects)
{
	return crmw__schema_render_view(out, s, objects, NULL);
}

int crmw__schema_render_view(crmw_buf *out, crmw_schema *s, const char *objects, const crmw__schema_view *v)
{
	if (!out || !s)
		return crmw__errf(s ? &s->h.err : NULL, CRMW_EINVALID, "crmw_schema_render: NULL argument");
	/* Resolve the selection first so that an unknown name fails cleanly. */
	bool *want = calloc((size_t)s->nobjects + 1, sizeof *want);
	if (!want)
		return crmw__errf(&s->h.err, CRMW_ENOMEM, "out of memory");
	int rc = CRMW_OK;
	if (objects && objects[0]) {
		const char *p = objects;
		while (*p && !rc) {
			const char *q = strchr(p, ',');
			size_t n = q ? (size_t)(q - p) : strlen(p);
			while (n && isspace((unsigned char)*p)) {
				p++;
				n--;
			}
			while (n && isspace((unsigned char)p[n - 1]))
				n--;
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)n, p);
			crmw_object *o = n ? crmw__schema_object(s, name) : NULL;
			if (n && !o)
				rc = crmw__schema_no_object(&s->h.err, s, name);
			else if (o)
				want[o - s->objects] = true;
			p = q ? q + 1 : p + strlen(p);
		}
	} else {
		for (int32_t i = 0; i < s->nobjects; i++)
			want[i] = true;
	}
	for (int32_t i = 0; i < s->nobjects; i++)
		want[i] = want[i] && shows_object(v, s->objects[i].name);
	crmw_buf b = CRMW_BUF_INIT;
	if (!rc) {
		int mrc = crmw__buf_puts(&b, "Objects:");
		bool first = true;
		for (int32_t i = 0; !mrc && i < s->nobjects; i++) {
			if (!want[i])
				continue;
			mrc = crmw__buf_printf(&b, "%s%s", first ? " " : ", ", s->objects[i].name);
			first = false;
		}
		mrc = mrc ? mrc : crmw__buf_putc(&b, '\n');
		for (int32_t i = 0; !mrc && i < s->nobjects; i++)
			if (want[i])
				mrc = render_object(&b, s, &s->objects[i], v);
		if (mrc)
			rc = crmw__errf(&s->h.err, CRMW_ENOMEM, "out of memory");
	}
	free(want);
	if (rc) {
		crmw_buf_dispose(&b);
		return rc;
	}
	crmw_buf_dispose(out);
	*out = b;
	return CRMW_OK;
}

int crmw_schema_builtin(crmw_schema **out, const char *set)
{
	CRMW__ARGS_NONNULL(NULL, !out || !set);
	*out = NULL;
	crmw_schema *s = NULL;
	int rc = crmw_schema_new(&s, set);
	if (rc == CRMW_EINVALID)
		rc = crmw__errf(NULL, CRMW_ENOTFOUND,
				"no built-in schema set '%s' (known: crmarena, b2b, b2c)", set);
	if (rc)
		return rc;
	rc = crmw__schema_load_builtin(s, set);
	if (!rc)
		rc = crmw__schema_check_refs(s);
	if (rc) {
		crmw__errf(NULL, rc, "%s", crmw__err_msg(&s->h.err));
		crmw_schema_free(s);
		return rc;
	}
	*out = s;
	return CRMW_OK;
}
