/*
 * crmweaver/access.h: roles: who may read which objects, fields and rows.
 *
 * A role is enforced inside the query engine, so every SOQL query, SOSL
 * search and built-in tool obeys it: reading an object or a field the role
 * may not see fails with CRMW_EACCESS and a message starting
 * "INSUFFICIENT_ACCESS:" that names what was denied; records outside the
 * role's row rules are simply not there (as with Salesforce sharing rules).
 *
 * Built-in roles (the task personas):
 *
 *   internal   an employee (CRMArena's manager, agent and analyst): reads
 *              everything, raw SQL and internal metrics allowed.
 *   external   a customer: their own account's records only (Account,
 *              Contact, Case, EmailMessage, LiveChatTranscript, Order,
 *              OrderItem, Quote, QuoteLineItem, Contract); the catalogue
 *              (Product2, Pricebook2, PricebookEntry, ProductCategory,
 *              ProductCategoryProduct, Issue__c); published articles visible
 *              to customers (Knowledge__kav.PublishStatus = 'Online' and
 *              IsVisibleInCsp = true, where the org has those fields); the
 *              names of users only; nothing else (CaseHistory__c,
 *              Opportunity, Lead, Task, Event, voice calls, territories and
 *              the host's own objects are denied).  No raw SQL, no internal
 *              metrics.  Bind it to the customer: "external:<Contact Id>".
 *
 * A policy document describes any other role:
 *
 *   {"schema_version": 1, "name": "support_tier1",
 *    "default": "read" | "none",        objects not listed (default "none")
 *    "raw_sql": false, "metrics": true,
 *    "objects": {
 *      "Case": {"where": "AccountId = :account_id"},
 *      "User": {"fields": ["Id", "FirstName", "LastName"]},
 *      "Account": {"hidden_fields": ["Description"]},
 *      "CaseHistory__c": {"read": false}}}
 *
 * "where" is a SOQL condition on the object (relationship paths and
 * semi-joins allowed) that a record must meet to be visible; it may use the
 * variables :account_id, :contact_id and :user_id, bound when the role is
 * made.  "fields" lists the only visible fields; "hidden_fields" the
 * invisible ones.  The policy is checked against the org when the role is
 * made: unknown objects, fields, keys or variables, or a "where" that does
 * not compile, are errors then, never at query time.
 *
 * Roles are immutable and reference counted: query options keep their own
 * reference, so a role may be freed while options still use it.  A role may
 * be shared by any number of threads.
 *
 * Roles narrow, never widen: crmw_role_intersect() makes the role that sees
 * what two roles both see.  Agents, sessions, environment pools and tool
 * registries take a role from the host (crmw_agent_set_role,
 * crmw_session_new_as, crmw_env_pool_set_role, crmw_registry_set_role); a
 * task's "context.role" can only narrow it.  Where the host set no role at
 * all, it asked for internal access (everything) explicitly.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_ACCESS_H
#define CRMWEAVER_ACCESS_H

#include <crmweaver/common.h>
#include <crmweaver/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A role: read permissions on objects, fields and rows.  Opaque. @since 0.1 */
typedef struct crmw_role crmw_role;

/**
 * Make a role for the org `db`.
 *
 * `policy`: a built-in role name ("internal", "external"), optionally
 * followed by ':' and the Id of the Contact or Account the role acts for
 * ("external:003..."), or a JSON policy document (see above).
 * `bindings_json` (may be NULL): the variables, {"contact_id": "...",
 * "account_id": "...", "user_id": "..."}.  Binding contact_id without
 * account_id also binds account_id to the contact's AccountId.  A role with
 * an unbound variable may be made; a query that needs the variable is then
 * denied.  `db` is only read while the role is made.
 *
 * @return CRMW_OK; CRMW_ENOTFOUND (unknown built-in role, or the bound
 *         contact does not exist), CRMW_EFORMAT (not JSON), CRMW_ESCHEMA
 *         (the policy names an unknown object, field, key or variable, or a
 *         "where" does not compile; the message says where), CRMW_EINVALID
 *         (NULL argument, a bound value that is not an Id), CRMW_ENOMEM.
 *         Details in crmw_last_error().
 * @since 0.1
 */
CRMW_API int crmw_role_new(crmw_role **out, crmw_db *db, const char *policy, const char *bindings_json);

/** Release the caller's reference.  NULL is accepted. @since 0.1 */
CRMW_API void crmw_role_free(crmw_role *role);

/** The role's name ("internal", "external" or the policy's "name"). Borrowed. @since 0.1 */
CRMW_API const char *crmw_role_name(const crmw_role *role);

/**
 * The effective policy as JSON: the policy document with every object of
 * the org the role may read, the bound variables under "bindings".
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_role_describe(crmw_buf *out, const crmw_role *role);

/**
 * May the role read `object` (and, when `field` is not NULL, that field)?
 * Row rules are not considered.
 * @return 1 yes, 0 no; CRMW_EINVALID for a NULL role or object
 * @since 0.1
 */
CRMW_API int crmw_role_can_read(const crmw_role *role, const char *object, const char *field);

/**
 * Does the role allow a capability: "raw_sql" (crmw_query_sql) or
 * "metrics" (the built-in tools that compute internal metrics: handle
 * times, transfer counts, closure times, sales, conversion rates)?
 * @return 1 yes, 0 no; CRMW_EINVALID for a NULL argument or an unknown
 *         capability
 * @since 0.1
 */
CRMW_API int crmw_role_allows(const crmw_role *role, const char *capability);

/**
 * The value bound to one of the role's variables ("account_id",
 * "contact_id", "user_id"), for hosts that enforce the role in their own
 * tools.  For an intersection: the value its parts agree on.  Borrowed, valid
 * while the role lives.
 * @return the Id, or NULL when the variable is unbound (also when the parts
 *         of an intersection bind it to different values), unknown, or an
 *         argument is NULL
 * @since 0.1
 */
CRMW_API const char *crmw_role_binding(const crmw_role *role, const char *name);

/**
 * The intersection of two roles: it reads an object when both do, shows a
 * field when both show it, allows a capability ("raw_sql", "metrics") when
 * both allow it, and a record is visible when the row rules of both accept
 * it, each rule bound with the variables of the role it came from.  Its name
 * is "<a> & <b>" (cut to 64 bytes); crmw_role_describe() gives a policy
 * that makes the same role again (rules joined with AND; a variable the two
 * bind differently written as its value).  The "internal" role (anything
 * unrestricted) is the identity: intersecting with it gives a new reference
 * to the other role, as does intersecting a role with itself.  `*out` is the
 * caller's reference.
 * @return CRMW_OK; CRMW_EINVALID (a NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_role_intersect(crmw_role **out, const crmw_role *a, const crmw_role *b);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_ACCESS_H */
