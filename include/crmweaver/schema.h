/*
 * crmweaver/schema.h: the schema registry: CRM objects, their fields, types,
 * references, relationships and picklists.
 *
 * A schema is a list of objects (Account, Case, ...) in the Salesforce
 * sense.  Every object has an implicit `Id` field (type id) holding an
 * 18-character Salesforce-style id that starts with the object's 3-character
 * key prefix.  Names are matched case-insensitively, as in Salesforce, and
 * kept with the spelling they were defined with.
 *
 * Three built-in sets mirror the published benchmark orgs:
 *  - "crmarena": the 16 objects of the CRMArena org (a B2C retailer);
 *  - "b2b":      the 27 objects of the CRMArena-Pro B2B org (Account is a company);
 *  - "b2c":      the 27 objects of the CRMArena-Pro B2C org (Account is a person).
 *
 * Schemas are also read from and written to JSON (the format is documented in
 * docs/data-model.md, "JSON form"; `crmweaver schema --json` prints it):
 *
 *   {"schema_version":1, "name":"b2b",
 *    "objects":[{"name":"Case", "label":"Case", "label_plural":"Cases",
 *                "key_prefix":"500", "description":"...",
 *                "fields":[{"name":"AccountId", "type":"reference",
 *                           "references":["Account"], "relationship_name":"Account",
 *                           "child_relationship_name":"Cases",
 *                           "required":false, "unique":false, "indexed":true,
 *                           "description":"..."}, ...]}, ...]}
 *
 * Thread rules: a schema handle is used by one thread at a time; a schema
 * that is no longer modified may be read from many threads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_SCHEMA_H
#define CRMWEAVER_SCHEMA_H

#include <crmweaver/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A schema: objects and fields.  Opaque. @since 0.1 */
typedef struct crmw_schema crmw_schema;

/**
 * Field types.  The JSON name of each type is given in brackets; it is what
 * crmw_schema_from_json() accepts and crmw_schema_to_json() writes.
 * @since 0.1
 */
enum crmw_field_type {
	CRMW_FIELD_ID = 0,        /**< ["id"] the record's own 18-character id */
	CRMW_FIELD_STRING = 1,    /**< ["string"] short text */
	CRMW_FIELD_TEXTAREA = 2,  /**< ["textarea"] long text (searchable by SOSL) */
	CRMW_FIELD_EMAIL = 3,     /**< ["email"] an e-mail address */
	CRMW_FIELD_PHONE = 4,     /**< ["phone"] a phone number */
	CRMW_FIELD_URL = 5,       /**< ["url"] a URL or URL name */
	CRMW_FIELD_PICKLIST = 6,  /**< ["picklist"] one value of a list */
	CRMW_FIELD_MULTIPICKLIST = 7, /**< ["multipicklist"] values of a list joined by ';' */
	CRMW_FIELD_BOOLEAN = 8,   /**< ["boolean"] stored 0/1 */
	CRMW_FIELD_INT = 9,       /**< ["int"] 64-bit integer */
	CRMW_FIELD_DOUBLE = 10,   /**< ["double"] floating point */
	CRMW_FIELD_CURRENCY = 11, /**< ["currency"] an amount of money */
	CRMW_FIELD_PERCENT = 12,  /**< ["percent"] a percentage (5 means 5%) */
	CRMW_FIELD_DATE = 13,     /**< ["date"] stored YYYY-MM-DD */
	CRMW_FIELD_DATETIME = 14, /**< ["datetime"] stored YYYY-MM-DDTHH:MM:SSZ (UTC) */
	CRMW_FIELD_REFERENCE = 15, /**< ["reference"] the id of a record of one of the referenced objects */
	CRMW_FIELD_LOCATION = 16  /**< ["location"] a latitude and a longitude (Salesforce's geolocation
				       field); input {"latitude": 37.775, "longitude": -122.418} or
				       "37.775,-122.418"; for DISTANCE() in queries.  @since 0.1 */
};

/** The JSON name of a field type ("datetime"), or NULL if unknown. @since 0.1 */
CRMW_API const char *crmw_field_type_name(int32_t type);

/**
 * Create an empty schema called `name` (NULL or "" gives "custom").
 * @return CRMW_OK, CRMW_EINVALID (NULL out, bad name), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_new(crmw_schema **out, const char *name);

/**
 * Create a copy of a built-in schema set: "crmarena", "b2b" or "b2c".
 * @return CRMW_OK, CRMW_ENOTFOUND (unknown set, message lists the known
 *         ones), CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_builtin(crmw_schema **out, const char *set);

/**
 * Read a schema from its JSON form (see the top of this header).  Every
 * object and field is checked: names, types, key prefixes, picklists, and
 * that every reference names an object of the same schema.
 * @return CRMW_OK, CRMW_EFORMAT (not JSON), CRMW_ESCHEMA (a bad definition;
 *         the message names the object and field), CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_from_json(crmw_schema **out, const char *json, size_t len);

/**
 * A deep copy of `schema`; `*out` belongs to the caller.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_clone(crmw_schema **out, const crmw_schema *schema);

/** Free a schema.  NULL is accepted.  @since 0.1 */
CRMW_API void crmw_schema_free(crmw_schema *schema);

/** The message of the last failure on this schema ("" if none). Borrowed. @since 0.1 */
CRMW_API const char *crmw_schema_errmsg(const crmw_schema *schema);

/** The schema's name ("b2b", or the name given at creation). Borrowed. @since 0.1 */
CRMW_API const char *crmw_schema_name(const crmw_schema *schema);

/**
 * Write the whole schema as JSON into `out` (replacing its contents).
 * crmw_schema_from_json() of the result gives an equal schema.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_to_json(crmw_buf *out, const crmw_schema *schema);

/**
 * Add an object, given as one JSON object of the "objects" array.  Its
 * references may name objects already in the schema or itself.
 * @return CRMW_OK, CRMW_EEXISTS (name or key prefix taken), CRMW_ESCHEMA,
 *         CRMW_EFORMAT, CRMW_EINVALID, CRMW_ENOMEM.  On error the schema is
 *         unchanged.
 * @since 0.1
 */
CRMW_API int crmw_schema_add_object(crmw_schema *schema, const char *object_json, size_t len);

/**
 * Add a field to an existing object, given as one JSON object of a
 * "fields" array.
 * @return CRMW_OK, CRMW_ENOTFOUND (no such object), CRMW_EEXISTS,
 *         CRMW_ESCHEMA, CRMW_EFORMAT, CRMW_EINVALID, CRMW_ENOMEM.  On error
 *         the schema is unchanged.
 * @since 0.1
 */
CRMW_API int crmw_schema_add_field(crmw_schema *schema, const char *object,
				   const char *field_json, size_t len);

/**
 * The number of objects (indexes 0 to count - 1 of crmw_schema_object_name).
 * @return the count (0 for a NULL schema)
 * @since 0.1
 */
CRMW_API int32_t crmw_schema_object_count(const crmw_schema *schema);

/** The name of object `i` (0-based, in definition order), or NULL when out
 *  of range.  Borrowed.  @since 0.1 */
CRMW_API const char *crmw_schema_object_name(const crmw_schema *schema, int32_t i);

/**
 * The canonical spelling of an object name matched case-insensitively
 * ("case" gives "Case"), or NULL when the schema has no such object.
 * @since 0.1
 */
CRMW_API const char *crmw_schema_object_lookup(const crmw_schema *schema, const char *object);

/**
 * The index of a field of an object (0 is always Id), matched
 * case-insensitively.
 * @return the index (>= 0); CRMW_ENOTFOUND when the object or the field
 *         does not exist (the schema's message names it and suggests the
 *         closest name), CRMW_EINVALID for a NULL argument
 * @since 0.1
 */
CRMW_API int32_t crmw_schema_field_index(crmw_schema *schema, const char *object,
					 const char *field);

/**
 * Describe one object as JSON: its definition as in crmw_schema_to_json()
 * plus "child_relationships":[{"name":"Cases","object":"Case","field":"AccountId"}]
 * (the children that reference it).
 * @return CRMW_OK, CRMW_ENOTFOUND (with a suggestion), CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_describe(crmw_buf *out, crmw_schema *schema, const char *object);

/**
 * Render the schema as the text an agent sees in its prompt: a line listing
 * the objects, then per object a header line and one line per field with its
 * type, description, references and picklist values.  `objects` limits the
 * output to a comma-separated list of object names (NULL or "" = all).
 * @return CRMW_OK, CRMW_ENOTFOUND (an unknown object in the list),
 *         CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_schema_render(crmw_buf *out, crmw_schema *schema, const char *objects);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_SCHEMA_H */
