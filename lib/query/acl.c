/*
 * Roles: policies of object, field and row read permissions, checked
 * against the org when a role is made and enforced by the SOQL/SOSL
 * compiler (soql.c, sosl.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "query/internal.h"
#include "common/json.h"

#include <ctype.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const var_names[ROLE_NVARS] = {"account_id", "contact_id", "user_id"};

static atomic_uint_fast64_t next_serial = 1;

/* ---------------------------------------------------------- lifetime */

static void role_dispose(crmw_role *r)
{
	for (int i = 0; i < r->nobjs; i++) {
		acl_obj *o = &r->objs[i];
		free(o->name);
		for (int k = 0; k < o->nfields; k++)
			free(o->fields[k]);
		free(o->fields);
		for (int k = 0; k < o->nrules; k++)
			free(o->rules[k].where);
		free(o->rules);
	}
	free(r->objs);
	for (int i = 0; i < ROLE_NVARS; i++)
		free(r->vars[i]);
	for (int p = 0; p < r->nparts; p++) {
		free(r->parts[p].owner);
		for (int i = 0; i < ROLE_NVARS; i++)
			free(r->parts[p].vars[i]);
	}
	free(r->parts);
	free(r->name);
	free(r);
}

void crmw_role_free(crmw_role *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		role_dispose(r);
}

crmw_role *crmw__role_ref(const crmw_role *r)
{
	crmw_role *m = (crmw_role *)r;
	if (m)
		atomic_fetch_add(&m->refs, 1);
	return m;
}

void crmw__role_set(crmw_role **slot, const crmw_role *r)
{
	crmw_role *old = *slot;
	*slot = crmw__role_ref(r);
	crmw_role_free(old);
}

/* ----------------------------------------------------------- lookups */

const acl_obj *crmw__role_obj(const crmw_role *r, const char *object)
{
	for (int i = 0; r && i < r->nobjs; i++)
		if (strcasecmp(r->objs[i].name, object) == 0)
			return &r->objs[i];
	return NULL;
}

bool crmw__role_reads(const crmw_role *r, const char *object)
{
	if (!r)
		return true;
	const acl_obj *o = crmw__role_obj(r, object);
	return o ? o->read : r->default_read;
}

bool crmw__role_sees(const crmw_role *r, const char *object, const char *field)
{
	if (!r)
		return true;
	const acl_obj *o = crmw__role_obj(r, object);
	if (!o)
		return r->default_read;
	if (!o->read)
		return false;
	if (strcasecmp(field, "Id") == 0 || o->fmode == FM_ALL)
		return true;
	bool listed = false;
	for (int k = 0; k < o->nfields && !listed; k++)
		listed = strcasecmp(o->fields[k], field) == 0;
	return o->fmode == FM_ONLY ? listed : !listed;
}

static int var_index(const char *name, size_t n)
{
	for (int i = 0; i < ROLE_NVARS; i++)
		if (strlen(var_names[i]) == n && strncmp(var_names[i], name, n) == 0)
			return i;
	return -1;
}

/*
 * The next :variable of a "where" condition at or after `p`, outside string
 * literals: its name in [*name, *name + *n) (without the ':'); NULL when
 * there is none.  *start receives where the reference begins (its ':').
 */
static const char *next_var(const char *p, const char **start, const char **name, size_t *n)
{
	while (*p) {
		if (*p == '\'') {
			p++;
			while (*p && *p != '\'')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (*p)
				p++;
			continue;
		}
		if (*p == ':' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
			const char *q = p + 1;
			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			*start = p;
			*name = p + 1;
			*n = (size_t)(q - p - 1);
			return q;
		}
		p++;
	}
	return NULL;
}

/* The known variables a condition uses, as a bit mask (1 << VAR_*). */
static unsigned rule_uses(const char *where)
{
	unsigned m = 0;
	const char *start, *name, *p = where;
	size_t n;
	while ((p = next_var(p, &start, &name, &n))) {
		int v = var_index(name, n);
		if (v >= 0)
			m |= 1u << v;
	}
	return m;
}

/*
 * Copy a "where" condition into `out` with its :variables replaced by
 * quoted values of `vars` (or by `dummy` when unbound and dummy is set);
 * the variables in the mask `keep` stay as they are.  *bad receives the
 * first unknown or unbound variable's name (NUL-terminated, at most 63
 * bytes); the return is CRMW_ESCHEMA (unknown), CRMW_EACCESS (unbound) or
 * CRMW_ENOMEM.
 */
static int subst_vars(char *const vars[ROLE_NVARS], unsigned keep, const char *where, const char *dummy, crmw_buf *out,
		      char bad[64])
{
	bad[0] = '\0';
	int rc = CRMW_OK;
	const char *p = where, *start, *name, *q;
	size_t n;
	while (!rc && (q = next_var(p, &start, &name, &n))) {
		rc = crmw__buf_append(out, p, (size_t)(start - p));
		int v = var_index(name, n);
		if (v < 0 || (!(keep & (1u << v)) && !vars[v] && !dummy)) {
			snprintf(bad, 64, "%.*s", (int)(n < 60 ? n : 60), name);
			return v < 0 ? CRMW_ESCHEMA : CRMW_EACCESS;
		}
		if (!rc)
			rc = keep & (1u << v) ? crmw__buf_append(out, start, (size_t)(q - start))
					      : crmw__buf_printf(out, "'%s'", vars[v] ? vars[v] : dummy);
		p = q;
	}
	return rc ? rc : crmw__buf_puts(out, p);
}

int crmw__role_rule(const crmw_role *r, const crmw_object *o, crmw_arena *a, const char **out, crmw_err *err)
{
	*out = NULL;
	const acl_obj *ao = crmw__role_obj(r, o->name);
	if (!ao || !ao->nrules)
		return CRMW_OK;
	crmw_buf b = CRMW_BUF_INIT;
	char bad[64];
	const char *owner = r->name;
	int rc = crmw__buf_printf(&b, "SELECT Id FROM %s WHERE ", o->name);
	/* several rules (an intersection): each in parentheses, all must hold */
	bool many = ao->nrules > 1;
	for (int k = 0; !rc && k < ao->nrules; k++) {
		const acl_part *pt = &r->parts[ao->rules[k].part];
		rc = crmw__buf_puts(&b, k ? ") AND (" : many ? "(" : "");
		rc = rc ? rc : subst_vars(pt->vars, 0, ao->rules[k].where, NULL, &b, bad);
		if (rc == CRMW_EACCESS)
			owner = pt->owner;
	}
	rc = rc ? rc : crmw__buf_puts(&b, many ? ")" : "");
	if (rc == CRMW_EACCESS)
		rc = crmw__errf(err, CRMW_EACCESS,
				"INSUFFICIENT_ACCESS: role '%s' sees only some '%s' records, chosen by :%s, which is not bound; "
				"make the role for a customer (for example \"%s:<Contact Id>\")",
				owner, o->name, bad, owner);
	else if (rc)
		rc = crmw__errf(err, CRMW_ENOMEM, "out of memory");
	else if (!(*out = crmw__arena_strndup(a, b.data, b.len)))
		rc = crmw__errf(err, CRMW_ENOMEM, "out of memory");
	crmw_buf_dispose(&b);
	return rc;
}

/* ------------------------------------------------------------ policy */

static int perr(const char *fmt, ...) CRMW_PRINTF(1, 2);
static int perr(const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return crmw__errf(NULL, CRMW_ESCHEMA, "role policy: %s", msg);
}

/* A policy's keys are checked as every options document's are
 * (crmw__json_check_keys: the closest known key suggested); a policy is a
 * definition, so the code stays CRMW_ESCHEMA. */
static int policy_keys(json_t *obj, const char *where, const char *const *keys, size_t nkeys)
{
	char what[320];
	snprintf(what, sizeof what, "role policy%s%s", where ? ": " : "", where ? where : "");
	if (!crmw__json_check_keys(NULL, obj, what, "key", keys, nkeys))
		return CRMW_OK;
	return crmw__errf(NULL, CRMW_ESCHEMA, "%s", crmw_last_error());
}

static int want_bool(json_t *v, const char *where, bool *out)
{
	if (!json_is_boolean(v))
		return perr("%s must be true or false", where);
	*out = json_is_true(v);
	return CRMW_OK;
}

/* Compile "SELECT Id FROM <o> WHERE <where>" to prove the rule is valid. */
static int check_rule(crmw_db *db, const crmw_object *o, const char *where)
{
	static char *const none[ROLE_NVARS];
	crmw_buf b = CRMW_BUF_INIT;
	char bad[64];
	int rc = crmw__buf_printf(&b, "SELECT Id FROM %s WHERE ", o->name);
	rc = rc ? rc : subst_vars(none, 0, where, "000000000000000AAA", &b, bad);
	if (rc == CRMW_ESCHEMA) {
		crmw_buf_dispose(&b);
		return perr("objects.%s.where: unknown variable ':%s' (known: :account_id, :contact_id, :user_id)", o->name,
			    bad);
	}
	if (rc) {
		crmw_buf_dispose(&b);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	crmw_arena a = {0};
	crmw_err e = {0};
	q_select *s = NULL;
	q_compiled *qc = NULL;
	rc = crmw__parse_soql(&a, b.data, b.len, &s, &e);
	rc = rc ? rc : crmw__compile_rule_check(db, &a, s, &e, &qc);
	if (rc == CRMW_ENOMEM)
		rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	else if (rc)
		rc = perr("objects.%s.where: %s", o->name, crmw__err_msg(&e));
	crmw__err_dispose(&e);
	crmw__arena_free(&a);
	crmw_buf_dispose(&b);
	return rc;
}

static int parse_fields(acl_obj *ao, const crmw_object *o, json_t *v, const char *key)
{
	if (!json_is_array(v))
		return perr("objects.%s.%s must be a list of field names", o->name, key);
	if (json_array_size(v) > 0 && !(ao->fields = calloc(json_array_size(v), sizeof *ao->fields)))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	size_t i;
	json_t *f;
	json_array_foreach(v, i, f) {
		const char *name = json_string_value(f);
		if (!name)
			return perr("objects.%s.%s[%zu] must be a field name", o->name, key, i);
		const crmw_field *fd = crmw__object_field(o, name);
		if (!fd)
			return perr("objects.%s.%s: '%s' has no field '%s'", o->name, key, o->name, name);
		if (!(ao->fields[ao->nfields++] = crmw__strdup(fd->name)))
			return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	return CRMW_OK;
}

static int parse_object(crmw_role *r, crmw_db *db, const char *name, json_t *spec)
{
	const crmw_object *o = crmw__schema_object(db->schema, name);
	if (!o) {
		crmw__near near;
		crmw__near_init(&near, name);
		for (int32_t i = 0; i < db->schema->nobjects; i++)
			crmw__near_add(&near, db->schema->objects[i].name);
		const char *hint = crmw__near_best(&near);
		return perr("objects: the org has no object '%s'%s%s%s", name, hint ? "; did you mean '" : "",
			    hint ? hint : "", hint ? "'?" : "");
	}
	if (!json_is_object(spec))
		return perr("objects.%s must be an object", o->name);
	if (crmw__role_obj(r, o->name))
		return perr("objects.%s is given twice", o->name);
	acl_obj *ao = &r->objs[r->nobjs++];
	memset(ao, 0, sizeof *ao);
	ao->read = true;
	if (!(ao->name = crmw__strdup(o->name)))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	const char *key;
	json_t *v;
	static const char *const obj_keys[] = {"read", "fields", "hidden_fields", "where"};
	char at[280];
	snprintf(at, sizeof at, "objects.%s", o->name);
	int rc = policy_keys(spec, at, obj_keys, CRMW_ARRAY_LEN(obj_keys));
	json_object_foreach(spec, key, v) {
		if (rc)
			return rc;
		char where[300];
		snprintf(where, sizeof where, "objects.%s.%s", o->name, key);
		if (strcmp(key, "read") == 0) {
			rc = want_bool(v, where, &ao->read);
		} else if (strcmp(key, "fields") == 0 || strcmp(key, "hidden_fields") == 0) {
			if (ao->fmode != FM_ALL)
				return perr("objects.%s: give either \"fields\" or \"hidden_fields\", not both", o->name);
			ao->fmode = key[0] == 'f' ? FM_ONLY : FM_HIDDEN;
			rc = parse_fields(ao, o, v, key);
		} else if (strcmp(key, "where") == 0) {
			if (!json_is_string(v) || !json_string_length(v))
				return perr("%s must be a SOQL condition", where);
			if (!(ao->rules = calloc(1, sizeof *ao->rules)) ||
			    !(ao->rules[0].where = crmw__strdup(json_string_value(v))))
				return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
			ao->nrules = 1; /* bound with the role's own variables: part 0 */
		}
	}
	if (rc)
		return rc;
	if (ao->nrules && ao->read)
		rc = check_rule(db, o, ao->rules[0].where);
	return rc;
}

static int parse_policy(crmw_role *r, crmw_db *db, json_t *p)
{
	if (!json_is_object(p))
		return perr("the policy must be a JSON object");
	json_t *objs = json_object_get(p, "objects");
	if (objs && !json_is_object(objs))
		return perr("\"objects\" must be an object keyed by object name");
	size_t n = objs ? json_object_size(objs) : 0;
	if (n && !(r->objs = calloc(n, sizeof *r->objs)))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	static const char *const keys[] = {"schema_version", "name", "default", "raw_sql", "metrics", "objects"};
	int rc = policy_keys(p, NULL, keys, CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	const char *key;
	json_t *v;
	json_object_foreach(p, key, v) {
		if (strcmp(key, "schema_version") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) != 1)
				return perr("schema_version %s is not supported (this library reads 1)",
					    json_is_integer(v) ? "given" : "must be an integer and");
		} else if (strcmp(key, "name") == 0) {
			const char *s = json_string_value(v);
			if (!s || !*s || strlen(s) > 64)
				return perr("\"name\" must be a string of 1 to 64 characters");
			if (!(r->name = crmw__strdup(s)))
				return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		} else if (strcmp(key, "default") == 0) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "read") && strcmp(s, "none")))
				return perr("\"default\" must be \"read\" or \"none\"");
			r->default_read = strcmp(s, "read") == 0;
		} else if (strcmp(key, "raw_sql") == 0) {
			rc = want_bool(v, "raw_sql", &r->raw_sql);
		} else if (strcmp(key, "metrics") == 0) {
			rc = want_bool(v, "metrics", &r->metrics);
		} else if (strcmp(key, "objects") == 0) {
			const char *oname;
			json_t *spec;
			json_object_foreach(objs, oname, spec) {
				if ((rc = parse_object(r, db, oname, spec)))
					return rc;
			}
		}
		if (rc)
			return rc;
	}
	if (!r->name && !(r->name = crmw__strdup("custom")))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	return CRMW_OK;
}

/* --------------------------------------------------------- built-ins */

/* The customer's own records. */
static const struct {
	const char *object, *where;
} external_rows[] = {
	{"Account", "Id = :account_id"},
	{"Contact", "AccountId = :account_id"},
	{"Case", "AccountId = :account_id"},
	{"EmailMessage", "ParentId IN (SELECT Id FROM Case WHERE AccountId = :account_id)"},
	{"LiveChatTranscript", "AccountId = :account_id"},
	{"Order", "AccountId = :account_id"},
	{"OrderItem", "OrderId IN (SELECT Id FROM Order WHERE AccountId = :account_id)"},
	{"Quote", "AccountId = :account_id"},
	{"QuoteLineItem", "QuoteId IN (SELECT Id FROM Quote WHERE AccountId = :account_id)"},
	{"Contract", "AccountId = :account_id"},
	/* The catalogue, open to all. */
	{"Product2", NULL},
	{"Pricebook2", NULL},
	{"PricebookEntry", NULL},
	{"ProductCategory", NULL},
	{"ProductCategoryProduct", NULL},
	{"Issue__c", NULL},
};

static const char *const external_user_fields[] = {"Id", "FirstName", "LastName", "Alias"};

/* Is `where` valid on this org? (Built-in rules are dropped, with their object, when not.) */
static bool rule_compiles(crmw_db *db, const char *object, const char *where)
{
	const crmw_object *o = crmw__schema_object(db->schema, object);
	return o && check_rule(db, o, where) == CRMW_OK;
}

static json_t *builtin_policy(crmw_db *db, const char *name)
{
	json_t *p = NULL;
	if (strcmp(name, "internal") == 0) {
		p = json_pack("{s:i, s:s, s:s, s:b, s:b, s:{}}", "schema_version", 1, "name", "internal", "default", "read",
			      "raw_sql", 1, "metrics", 1, "objects");
		return p;
	}
	if (strcmp(name, "external") != 0)
		return NULL;
	p = json_pack("{s:i, s:s, s:s, s:b, s:b, s:{}}", "schema_version", 1, "name", "external", "default", "none",
		      "raw_sql", 0, "metrics", 0, "objects");
	json_t *objs = p ? json_object_get(p, "objects") : NULL;
	if (!objs) {
		json_decref(p);
		return NULL;
	}
	const crmw_schema *sc = db->schema;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(external_rows); i++) {
		if (!crmw__schema_object(sc, external_rows[i].object))
			continue;
		if (external_rows[i].where && !rule_compiles(db, external_rows[i].object, external_rows[i].where))
			continue; /* this org lacks what the rule needs: deny the object */
		json_t *spec = external_rows[i].where ? json_pack("{s:s}", "where", external_rows[i].where) : json_object();
		json_object_set_new(objs, external_rows[i].object, spec);
	}
	/* Published articles meant for customers, where the org records that. */
	const crmw_object *kb = crmw__schema_object(sc, "Knowledge__kav");
	if (kb) {
		char where[200] = "";
		if (crmw__object_field(kb, "PublishStatus"))
			strcat(where, "PublishStatus = 'Online'");
		if (crmw__object_field(kb, "IsVisibleInCsp"))
			strcat(strcat(where, where[0] ? " AND " : ""), "IsVisibleInCsp = true");
		json_object_set_new(objs, "Knowledge__kav", where[0] ? json_pack("{s:s}", "where", where) : json_object());
	}
	/* Users by name only. */
	const crmw_object *user = crmw__schema_object(sc, "User");
	if (user) {
		json_t *fields = json_array();
		for (size_t i = 0; i < CRMW_ARRAY_LEN(external_user_fields); i++)
			if (crmw__object_field(user, external_user_fields[i]))
				json_array_append_new(fields, json_string(external_user_fields[i]));
		json_object_set_new(objs, "User", json_pack("{s:o}", "fields", fields));
	}
	return p;
}

/* ---------------------------------------------------------- bindings */

static int bind_var(crmw_role *r, int v, const char *value)
{
	if (!value || !crmw_id_valid(value, 1))
		return crmw__errf(NULL, CRMW_EINVALID, "binding %s: '%s' is not a record Id", var_names[v],
				  value ? value : "(null)");
	char id[19];
	if (strlen(value) == 15)
		crmw_id_to18(id, value);
	else
		snprintf(id, sizeof id, "%s", value);
	free(r->vars[v]);
	if (!(r->vars[v] = crmw__strdup(id)))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	return CRMW_OK;
}

/* account_id from the bound contact, when not bound itself. */
static int derive_account(crmw_role *r, crmw_db *db)
{
	if (!r->vars[VAR_CONTACT] || r->vars[VAR_ACCOUNT])
		return CRMW_OK;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, "SELECT \"AccountId\" FROM \"Contact\" WHERE \"Id\" = ?1", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return crmw__errf(NULL, CRMW_ENOTFOUND, "binding contact_id: this org has no Contact object with an AccountId");
	}
	sqlite3_bind_text(st, 1, r->vars[VAR_CONTACT], -1, SQLITE_STATIC);
	int rc = CRMW_OK;
	int src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		const char *acc = (const char *)sqlite3_column_text(st, 0);
		if (acc)
			rc = bind_var(r, VAR_ACCOUNT, acc);
	} else if (src == SQLITE_DONE) {
		rc = crmw__errf(NULL, CRMW_ENOTFOUND, "binding contact_id: no Contact has Id '%s'", r->vars[VAR_CONTACT]);
	} else {
		rc = crmw__errf(NULL, CRMW_EIO, "binding contact_id: %s", sqlite3_errmsg(db->sql));
	}
	sqlite3_finalize(st);
	return rc;
}

static int parse_bindings(crmw_role *r, const char *json)
{
	json_t *b;
	int rc = crmw__json_keyed(&b, NULL, json, "bindings", "variable", var_names, ROLE_NVARS);
	const char *key;
	json_t *v;
	json_object_foreach(b, key, v) {
		if (rc)
			break;
		if (!json_is_null(v))
			rc = bind_var(r, var_index(key, strlen(key)), json_string_value(v));
	}
	json_decref(b);
	return rc;
}

/* ------------------------------------------------------------ making */

static int part_copy(acl_part *p, const char *owner, char *const vars[ROLE_NVARS])
{
	if (!(p->owner = crmw__strdup(owner)))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	for (int v = 0; v < ROLE_NVARS; v++)
		if (vars[v] && !(p->vars[v] = crmw__strdup(vars[v])))
			return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	return CRMW_OK;
}

static bool listed(const acl_obj *o, const char *field)
{
	for (int k = 0; k < o->nfields; k++)
		if (strcasecmp(o->fields[k], field) == 0)
			return true;
	return false;
}

/*
 * Append to o->fields the fields of `from` that are (with `in` true) or are
 * not (false) listed in `filter`, skipping those `o` lists already; no
 * filter: all of them.
 */
static int fields_add(acl_obj *o, const acl_obj *from, const acl_obj *filter, bool in)
{
	if (!from->nfields)
		return CRMW_OK;
	char **f = realloc(o->fields, sizeof *f * (size_t)(o->nfields + from->nfields));
	if (!f)
		return CRMW_ENOMEM;
	o->fields = f;
	for (int k = 0; k < from->nfields; k++) {
		const char *name = from->fields[k];
		if (listed(o, name) || (filter && listed(filter, name) != in))
			continue;
		if (!(o->fields[o->nfields] = crmw__strdup(name)))
			return CRMW_ENOMEM;
		o->nfields++;
	}
	return CRMW_OK;
}

/* Whether the role reads everything, and its serial for the statement cache. */
static void role_seal(crmw_role *r)
{
	r->unrestricted = r->default_read && r->raw_sql && r->metrics;
	for (int i = 0; i < r->nobjs && r->unrestricted; i++)
		r->unrestricted = r->objs[i].read && r->objs[i].fmode == FM_ALL && !r->objs[i].nrules;
	r->serial = r->unrestricted ? 0 : atomic_fetch_add(&next_serial, 1);
}

int crmw_role_new(crmw_role **out, crmw_db *db, const char *policy, const char *bindings_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !db || !policy);
	*out = NULL;
	crmw_role *r = calloc(1, sizeof *r);
	if (!r)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	atomic_init(&r->refs, 1);
	int rc = CRMW_OK;
	json_t *p = NULL;
	const char *s = policy;
	while (isspace((unsigned char)*s))
		s++;
	char who[64] = "";
	if (*s == '{') {
		crmw__json_error je;
		if ((rc = crmw__json_parse(policy, strlen(policy), &p, &je)))
			rc = crmw__errf(NULL, rc, "role policy: not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
	} else {
		char name[64];
		const char *colon = strchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), s);
		if (colon)
			snprintf(who, sizeof who, "%s", colon + 1);
		if (n >= 63 || !(p = builtin_policy(db, name)))
			rc = crmw__errf(NULL, CRMW_ENOTFOUND, "no built-in role '%s' (built-in: internal, external; or give a JSON policy)",
					name);
	}
	rc = rc ? rc : parse_policy(r, db, p);
	json_decref(p);
	if (!rc && who[0]) {
		const crmw_object *o = crmw__schema_object_by_prefix(db->schema, who);
		if (o && strcmp(o->name, "Contact") == 0)
			rc = bind_var(r, VAR_CONTACT, who);
		else if (o && strcmp(o->name, "Account") == 0)
			rc = bind_var(r, VAR_ACCOUNT, who);
		else
			rc = crmw__errf(NULL, CRMW_EINVALID, "role '%s': '%s' is not the Id of a Contact or an Account", policy, who);
	}
	if (!rc && bindings_json)
		rc = parse_bindings(r, bindings_json);
	rc = rc ? rc : derive_account(r, db);
	/* one part: the rules are bound with the role's own variables */
	if (!rc && !(r->parts = calloc(1, sizeof *r->parts)))
		rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	if (!rc) {
		r->nparts = 1;
		rc = part_copy(&r->parts[0], r->name, r->vars);
	}
	if (rc) {
		role_dispose(r);
		return rc;
	}
	role_seal(r);
	*out = r;
	return CRMW_OK;
}

/* ------------------------------------------------------- intersections */

/* An entry of `r` for `name` as the intersection reads it: the listed
 * one, or the default (every field, every row, read = the default). */
static acl_obj obj_or_default(const crmw_role *r, const char *name)
{
	const acl_obj *o = crmw__role_obj(r, name);
	return o ? *o : (acl_obj){.read = r->default_read, .fmode = FM_ALL};
}

/* The fields both `a` and `b` show: FM_ALL is the identity; only A and
 * only B: only A∩B; only A, hidden B: only A∖B; hidden A and hidden B:
 * hidden A∪B. */
static int meet_fields(acl_obj *out, const acl_obj *a, const acl_obj *b)
{
	if (a->fmode == FM_ALL || b->fmode == FM_ALL) {
		const acl_obj *x = a->fmode == FM_ALL ? b : a;
		out->fmode = x->fmode;
		return fields_add(out, x, NULL, false);
	}
	if (a->fmode == FM_HIDDEN && b->fmode == FM_HIDDEN) {
		out->fmode = FM_HIDDEN;
		int rc = fields_add(out, a, NULL, false);
		return rc ? rc : fields_add(out, b, NULL, false);
	}
	const acl_obj *only = a->fmode == FM_ONLY ? a : b, *other = only == a ? b : a;
	out->fmode = FM_ONLY;
	return fields_add(out, only, other, other->fmode == FM_ONLY);
}

/* The rules of `from` (parts numbered from `part0`) appended to `o`. */
static int rules_add(acl_obj *o, const acl_obj *from, int part0)
{
	for (int k = 0; k < from->nrules; k++) {
		acl_rule *r = &o->rules[o->nrules];
		if (!(r->where = crmw__strdup(from->rules[k].where)))
			return CRMW_ENOMEM;
		r->part = part0 + from->rules[k].part;
		o->nrules++;
	}
	return CRMW_OK;
}

/* "a & b", at most 64 bytes (a policy's "name"), cut at a character. */
static char *meet_name(const char *a, const char *b)
{
	char name[65];
	int n = snprintf(name, sizeof name, "%s & %s", a, b);
	if (n >= (int)sizeof name) {
		size_t k = sizeof name - 4;
		while (k > 0 && ((unsigned char)name[k] & 0xC0) == 0x80)
			k--;
		memcpy(name + k, "...", 4);
	}
	return crmw__strdup(name);
}

/* An intersection's bindings: a variable is bound when every part that
 * binds it agrees and no rule needs it from a part that left it unbound. */
static int meet_vars(crmw_role *r)
{
	for (int v = 0; v < ROLE_NVARS; v++) {
		const char *val = NULL;
		bool clash = false;
		for (int p = 0; p < r->nparts && !clash; p++) {
			const char *x = r->parts[p].vars[v];
			clash = x && val && strcmp(x, val) != 0;
			val = val ? val : x;
		}
		for (int i = 0; i < r->nobjs && val && !clash; i++)
			for (int k = 0; k < r->objs[i].nrules && !clash; k++)
				clash = !r->parts[r->objs[i].rules[k].part].vars[v] &&
					(rule_uses(r->objs[i].rules[k].where) & (1u << v));
		if (val && !clash && !(r->vars[v] = crmw__strdup(val)))
			return CRMW_ENOMEM;
	}
	return CRMW_OK;
}

static int meet(crmw_role *r, const crmw_role *a, const crmw_role *b)
{
	if (!(r->name = meet_name(a->name, b->name)))
		return CRMW_ENOMEM;
	r->default_read = a->default_read && b->default_read;
	r->raw_sql = a->raw_sql && b->raw_sql;
	r->metrics = a->metrics && b->metrics;
	/* the parts of a, then those of b */
	r->parts = calloc((size_t)(a->nparts + b->nparts), sizeof *r->parts);
	if (!r->parts)
		return CRMW_ENOMEM;
	for (int p = 0; p < a->nparts + b->nparts; p++, r->nparts++) {
		const acl_part *from = p < a->nparts ? &a->parts[p] : &b->parts[p - a->nparts];
		if (part_copy(&r->parts[p], from->owner, from->vars))
			return CRMW_ENOMEM;
	}
	/* every object either lists, in a's order then b's */
	int cap = a->nobjs + b->nobjs;
	if (cap && !(r->objs = calloc((size_t)cap, sizeof *r->objs)))
		return CRMW_ENOMEM;
	for (int i = 0; i < cap; i++) {
		const char *name = i < a->nobjs ? a->objs[i].name : b->objs[i - a->nobjs].name;
		if (crmw__role_obj(r, name))
			continue; /* listed by both */
		acl_obj x = obj_or_default(a, name), y = obj_or_default(b, name);
		acl_obj *o = &r->objs[r->nobjs++];
		if (!(o->name = crmw__strdup(name)))
			return CRMW_ENOMEM;
		o->read = x.read && y.read;
		if (!o->read)
			continue; /* denied: its fields and rows do not matter */
		if (meet_fields(o, &x, &y))
			return CRMW_ENOMEM;
		if (x.nrules + y.nrules && !(o->rules = calloc((size_t)(x.nrules + y.nrules), sizeof *o->rules)))
			return CRMW_ENOMEM;
		if (rules_add(o, &x, 0) || rules_add(o, &y, a->nparts))
			return CRMW_ENOMEM;
	}
	return meet_vars(r);
}

int crmw__role_narrow(crmw_role **out, const crmw_role *a, const crmw_role *b)
{
	*out = NULL;
	/* no restriction (NULL or unrestricted) is the identity */
	if (!a || a->unrestricted || a == b) {
		*out = crmw__role_ref(b && !b->unrestricted ? b : a);
		return CRMW_OK;
	}
	if (!b || b->unrestricted) {
		*out = crmw__role_ref(a);
		return CRMW_OK;
	}
	crmw_role *r = calloc(1, sizeof *r);
	if (!r)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	atomic_init(&r->refs, 1);
	if (meet(r, a, b)) {
		role_dispose(r);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	role_seal(r);
	*out = r;
	return CRMW_OK;
}

int crmw_role_intersect(crmw_role **out, const crmw_role *a, const crmw_role *b)
{
	if (!out || !a || !b) {
		if (out)
			*out = NULL;
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_role_intersect: NULL argument");
	}
	return crmw__role_narrow(out, a, b);
}

/* ------------------------------------------------------------ queries */

const char *crmw_role_name(const crmw_role *r)
{
	return r ? r->name : NULL;
}

int crmw_role_can_read(const crmw_role *r, const char *object, const char *field)
{
	CRMW__ARGS_NONNULL(NULL, !r || !object);
	return field ? crmw__role_sees(r, object, field) : crmw__role_reads(r, object);
}

int crmw_role_allows(const crmw_role *r, const char *capability)
{
	CRMW__ARGS_NONNULL(NULL, !r || !capability);
	if (strcmp(capability, "raw_sql") == 0)
		return r->raw_sql;
	if (strcmp(capability, "metrics") == 0)
		return r->metrics;
	return crmw__errf(NULL, CRMW_EINVALID, "unknown capability '%s' (known: raw_sql, metrics)", capability);
}

/*
 * The "where" of an object as a policy states it, to be made again with the
 * bindings `vars` (those describe lists): each rule's variables stay where the bindings hold the
 * value of the rule's own part, and become quoted values where they do not
 * (an intersection of parts bound differently); several rules are joined
 * with AND.  NULL when out of memory.
 */
static char *describe_rules(const crmw_role *r, char *const vars[ROLE_NVARS], const acl_obj *o)
{
	crmw_buf b = CRMW_BUF_INIT;
	char bad[64];
	int rc = CRMW_OK;
	bool many = o->nrules > 1;
	for (int k = 0; !rc && k < o->nrules; k++) {
		const acl_part *pt = &r->parts[o->rules[k].part];
		unsigned keep = 0;
		for (int v = 0; v < ROLE_NVARS; v++)
			if (!pt->vars[v] || (vars[v] && strcmp(vars[v], pt->vars[v]) == 0))
				keep |= 1u << v; /* the same value, or unbound in both (meet_vars) */
		rc = crmw__buf_puts(&b, k ? ") AND (" : many ? "(" : "");
		rc = rc ? rc : subst_vars(pt->vars, keep, o->rules[k].where, NULL, &b, bad);
	}
	rc = rc ? rc : crmw__buf_puts(&b, many ? ")" : "");
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}

const char *crmw_role_binding(const crmw_role *r, const char *name)
{
	int v = r && name ? var_index(name, strlen(name)) : -1;
	return v < 0 ? NULL : r->vars[v];
}

int crmw_role_describe(crmw_buf *out, const crmw_role *r)
{
	CRMW__ARGS_NONNULL(NULL, !out || !r);
	json_t *p = json_pack("{s:i, s:s, s:s, s:b, s:b}", "schema_version", 1, "name", r->name, "default",
			      r->default_read ? "read" : "none", "raw_sql", r->raw_sql, "metrics", r->metrics);
	json_t *objs = json_object(), *binds = json_object();
	int rc = p && objs && binds ? CRMW_OK : CRMW_ENOMEM;
	/* The bindings to list.  Made again, a role binding contact_id alone
	 * binds account_id too: an intersection that leaves account_id unbound
	 * writes its contact out as values instead. */
	char *vars[ROLE_NVARS];
	memcpy(vars, r->vars, sizeof vars);
	if (r->nparts > 1 && vars[VAR_CONTACT] && !vars[VAR_ACCOUNT])
		vars[VAR_CONTACT] = NULL;
	for (int i = 0; !rc && i < r->nobjs; i++) {
		const acl_obj *o = &r->objs[i];
		json_t *spec = json_object();
		if (!spec) {
			rc = CRMW_ENOMEM;
			break;
		}
		json_object_set_new(spec, "read", json_boolean(o->read));
		if (o->fmode != FM_ALL) {
			json_t *f = json_array();
			for (int k = 0; f && k < o->nfields; k++)
				json_array_append_new(f, json_string(o->fields[k]));
			json_object_set_new(spec, o->fmode == FM_ONLY ? "fields" : "hidden_fields", f);
		}
		if (o->nrules) {
			char *w = describe_rules(r, vars, o);
			if (!w)
				rc = CRMW_ENOMEM;
			json_object_set_new(spec, "where", json_string(w ? w : ""));
			free(w);
		}
		json_object_set_new(objs, o->name, spec);
	}
	for (int v = 0; !rc && v < ROLE_NVARS; v++)
		if (vars[v])
			json_object_set_new(binds, var_names[v], json_string(vars[v]));
	char *text = NULL;
	if (!rc) {
		json_object_set(p, "objects", objs);
		json_object_set(p, "bindings", binds);
		text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text)
			rc = CRMW_ENOMEM;
	}
	json_decref(objs);
	json_decref(binds);
	json_decref(p);
	if (!rc) {
		crmw_buf b = CRMW_BUF_INIT;
		rc = crmw__buf_puts(&b, text);
		if (!rc) {
			crmw_buf_dispose(out);
			*out = b;
		}
	}
	free(text);
	return rc ? crmw__errf(NULL, CRMW_ENOMEM, "out of memory") : CRMW_OK;
}

/* ------------------------------------------------------ memory scopes */

/* Does the role read no customer's records but its account's: the built-in
 * external role, or a policy that reads no more than it (named "external",
 * nothing by default, no raw SQL or metrics, the customer objects under the
 * built-in row rules, the catalogue, articles and users under rules without
 * variables)? */
static bool reads_as_customer(const crmw_role *r)
{
	if (strcmp(r->name, "external") != 0 || r->default_read || r->raw_sql || r->metrics || !r->vars[VAR_ACCOUNT])
		return false;
	for (int i = 0; i < r->nobjs; i++) {
		const acl_obj *o = &r->objs[i];
		if (!o->read)
			continue;
		if (o->nrules > 1)
			return false; /* an intersection: not the built-in rule alone */
		const char *where = o->nrules ? o->rules[0].where : NULL;
		size_t k = 0;
		while (k < CRMW_ARRAY_LEN(external_rows) && strcmp(external_rows[k].object, o->name) != 0)
			k++;
		if (k < CRMW_ARRAY_LEN(external_rows) && external_rows[k].where)
			/* a customer object: exactly the built-in rule */
			if (!where || strcmp(where, external_rows[k].where) != 0)
				return false;
		if (k == CRMW_ARRAY_LEN(external_rows) && strcmp(o->name, "Knowledge__kav") != 0 &&
		    strcmp(o->name, "User") != 0)
			return false;
		if ((k == CRMW_ARRAY_LEN(external_rows) || !external_rows[k].where) && where && strchr(where, ':'))
			return false;
	}
	return true;
}

int crmw__role_scope(crmw_buf *out, const crmw_role *r)
{
	crmw__buf_clear(out);
	if (!r || r->unrestricted)
		return crmw__buf_puts(out, "internal");
	if (reads_as_customer(r))
		return crmw__buf_printf(out, "account:%s", r->vars[VAR_ACCOUNT]);
	int rc = crmw__buf_puts(out, "role:");
	for (const unsigned char *p = (const unsigned char *)r->name; !rc && *p; p++)
		rc = isalnum(*p) || *p == '_' || *p == '-' || *p == '.' ? crmw__buf_putc(out, (char)*p)
									 : crmw__buf_printf(out, "%%%02X", *p);
	for (int v = 0; !rc && v < ROLE_NVARS; v++)
		if (r->vars[v])
			rc = crmw__buf_printf(out, ";%s=%s", var_names[v], r->vars[v]);
	return rc;
}
