/*
 * lib/schema/internal.h: the schema's in-memory form, shared with the store
 * and (later) the query compiler.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_SCHEMA_INTERNAL_H
#define CRMW_SCHEMA_INTERNAL_H

#include "common/internal.h"
#include <crmweaver/schema.h>

typedef struct crmw_field {
	char *name;
	char *label;
	char *description;
	int32_t type;             /* enum crmw_field_type */
	char **refs;              /* referenced objects (reference type) */
	int32_t nrefs;
	char *relationship;       /* parent relationship name: AccountId -> Account */
	char *child_relationship; /* name of the child list on the parent, NULL = none */
	char **picklist;          /* allowed values (picklist types) */
	int32_t npicklist;
	bool restricted;          /* picklist values outside the list are rejected */
	bool required;
	bool unique;
	bool indexed;             /* a SQLite index (always for references) */
} crmw_field;

typedef struct crmw_object {
	char *name;
	char *label;
	char *label_plural;
	char *key_prefix;         /* 3 characters */
	char *description;
	crmw_field *fields;       /* fields[0] is Id */
	int32_t nfields;
} crmw_object;

struct crmw_schema {
	crmw_handle h;
	char *name;
	crmw_object *objects;
	int32_t nobjects;
};

/* Lookups (case-insensitive); NULL / -1 when absent.  No error is set. */
crmw_object *crmw__schema_object(const crmw_schema *s, const char *name);
int32_t crmw__object_field_index(const crmw_object *o, const char *name);
crmw_field *crmw__object_field(const crmw_object *o, const char *name);
/* The object whose key prefix starts `id` (NULL when none). */
crmw_object *crmw__schema_object_by_prefix(const crmw_schema *s, const char *id);
/* Set ENOTFOUND on the schema, naming the object and the closest name. */
int crmw__schema_no_object(crmw_err *e, const crmw_schema *s, const char *name);
int crmw__schema_no_field(crmw_err *e, const crmw_object *o, const char *name);

/* What a rendering of the schema shows (a role's view: schema sits below
 * the access rules, so the caller decides): objects, and fields of shown
 * objects.  A reference field lists only shown targets; a child
 * relationship shows when its field does. */
typedef struct crmw__schema_view {
	bool (*object)(void *ud, const char *object);
	bool (*field)(void *ud, const char *object, const char *field);
	void *ud;
} crmw__schema_view;
/* Does `text` name, as a whole word, an object the view hides? */
bool crmw__schema_names_hidden(const crmw_schema *s, const crmw__schema_view *v, const char *text);
/* crmw_schema_render as the view shows the schema (NULL view: all). */
int crmw__schema_render_view(crmw_buf *out, crmw_schema *s, const char *objects, const crmw__schema_view *v);


/* Is the value one of the field's picklist values (exact match)? */
bool crmw__picklist_has(const crmw_field *f, const char *v, size_t len);

/* Build the built-in set `name` into an empty schema; CRMW_ENOTFOUND if unknown. */
int crmw__schema_load_builtin(crmw_schema *s, const char *name);

/* Add one object or field from parsed JSON (jansson); used by from_json and
 * the builtin loader.  On error nothing is added. */
struct json_t;
int crmw__schema_add_object_json(crmw_schema *s, struct json_t *obj, bool check_refs);
int crmw__schema_check_refs(crmw_schema *s);

/* A field definition in plain C form: what JSON and the built-in tables are
 * turned into before crmw__object_add_field() checks and copies it. */
typedef struct crmw_field_spec {
	const char *name;
	const char *label;        /* NULL: derived from the name */
	const char *description;
	int32_t type;
	const char *const *refs;
	int32_t nrefs;
	const char *relationship;       /* NULL: derived (AccountId -> Account, X__c -> X__r) */
	const char *child_relationship; /* NULL: derived from the child's plural; "" = none */
	const char *const *picklist;
	int32_t npicklist;
	bool restricted, required, unique, indexed;
} crmw_field_spec;

typedef struct crmw_object_spec {
	const char *name;
	const char *label;        /* NULL: the name without __c */
	const char *label_plural; /* NULL: derived */
	const char *key_prefix;
	const char *description;
} crmw_object_spec;

/* Check and append an object (with only its Id field) / a field.  The
 * error goes to `e`.  check_refs: references must name existing objects. */
int crmw__schema_add_object_spec(crmw_schema *s, crmw_err *e, const crmw_object_spec *spec,
				 crmw_object **added);
int crmw__object_add_field(crmw_schema *s, crmw_err *e, crmw_object *o,
			   const crmw_field_spec *spec, bool check_refs);
/* Remove the last object (undo of an add that failed later). */
void crmw__schema_pop_object(crmw_schema *s);

#endif
