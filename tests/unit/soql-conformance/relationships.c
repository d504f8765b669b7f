/*
 * FIELDS() and its LIMIT rule, child subqueries named after the outer
 * object, relationship aliases in FROM.
 */

#include "fixture.h"

/* FIELDS(STANDARD), FIELDS(ALL), FIELDS(CUSTOM) with their LIMIT rule; field security applies. */
void test_fields(void **state)
{
	(void)state;
	ROWS_ORDERED("SELECT FIELDS(ALL) FROM Store__c ORDER BY Name LIMIT 200",
		     "SELECT Id, Name, Region__c, "
		     "CASE WHEN Location__c IS NULL THEN NULL ELSE json_object('latitude', " LAT("Location__c") ", 'longitude', " LON("Location__c") ") END AS \"json:Location__c\", "
		     "CASE WHEN Depot__c IS NULL THEN NULL ELSE json_object('latitude', " LAT("Depot__c") ", 'longitude', " LON("Depot__c") ") END AS \"json:Depot__c\", "
		     "Rating__c FROM Store__c ORDER BY Name");
	ROWS("SELECT FIELDS(STANDARD) FROM Store__c", "SELECT Id, Name FROM Store__c");
	ROWS("SELECT Name, FIELDS(CUSTOM) FROM Store__c WHERE Location__Longitude__s = null LIMIT 10",
	     "SELECT Name, Region__c, NULL AS Location__c, NULL AS Depot__c, Rating__c FROM Store__c WHERE Location__c IS NULL");
	ROWS("SELECT FIELDS(STANDARD) FROM Product2",
	     "SELECT Id, Name, Description, IsActive AS \"bool:IsActive\" FROM Product2");
	ROWS("SELECT Name, (SELECT FIELDS(STANDARD) FROM Account.Contacts) FROM Account",
	     "SELECT a.Name, (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_object('totalSize', count(*), 'done', json('true'), "
	     "'records', json_group_array(json_object('Id', c.Id, 'FirstName', c.FirstName, 'LastName', c.LastName, "
	     "'Email', c.Email, 'AccountId', c.AccountId))) END FROM Contact c WHERE c.AccountId = a.Id) AS \"json:Contacts\" FROM Account a");
	/* a role that hides a field: FIELDS() leaves it out */
	crmw_query_opts *o = fx_as_role(fx_db, "{\"schema_version\":1,\"name\":\"t\",\"default\":\"read\","
				       "\"objects\":{\"Store__c\":{\"hidden_fields\":[\"Rating__c\",\"Depot__c\"]}}}");
	json_t *got = fx_soql(fx_db, "SELECT FIELDS(ALL) FROM Store__c WHERE Name = 'Oakland' LIMIT 1", o);
	json_t *want = fx_sql_rows(fx_ref, "SELECT Id, Name, Region__c, json_object('latitude', 37.8044, 'longitude', -122.2712) "
				     "AS \"json:Location__c\" FROM Store__c WHERE Name = 'Oakland'");
	fx_compare(got, want, true, "FIELDS(ALL) under a role", "", __LINE__);
	json_decref(got);
	json_decref(want);
	fx_check_error(fx_db, "SELECT Rating__c FROM Store__c", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Rating__c' of 'Store__c' (line 1, column 8)", o, __LINE__);
	crmw_query_opts_free(o);
	ERR("SELECT FIELDS(ALL) FROM Store__c",
	    "MALFORMED_QUERY: The SOQL FIELDS function must have a LIMIT of at most 200: FIELDS(ALL) selects an unbounded set of fields (FIELDS(STANDARD) needs no LIMIT) (line 1, column 8)");
	ERR("SELECT FIELDS(CUSTOM) FROM Store__c LIMIT 201",
	    "MALFORMED_QUERY: The SOQL FIELDS function must have a LIMIT of at most 200: FIELDS(CUSTOM) selects an unbounded set of fields (FIELDS(STANDARD) needs no LIMIT) (line 1, column 8)");
	ERR("SELECT Id, FIELDS(ALL) FROM Store__c LIMIT 200", "MALFORMED_QUERY: duplicate field selected: Id (line 1, column 12)");
	ERR("SELECT FIELDS(EVERYTHING) FROM Store__c",
	    "MALFORMED_QUERY: unexpected 'EVERYTHING', expected ALL, STANDARD or CUSTOM (line 1, column 15)");
	ERR("SELECT COUNT(Id), FIELDS(STANDARD) FROM Store__c",
	    "MALFORMED_QUERY: FIELDS() cannot be used in an aggregate query (line 1, column 19)");
	ERR("SELECT Id FROM Store__c WHERE FIELDS(ALL) = null",
	    "MALFORMED_QUERY: FIELDS() can only be an item of the SELECT list (line 1, column 31)");
}

/* (SELECT LastName FROM Account.Contacts): the child relationship named after the outer object. */
void test_prefixed_child(void **state)
{
	(void)state;
	const char *want =
		"SELECT a.Name, (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_object('totalSize', count(*), 'done', json('true'), "
		"'records', json_group_array(json_object('LastName', c.LastName))) END FROM Contact c WHERE c.AccountId = a.Id) "
		"AS \"json:Contacts\" FROM Account a";
	ROWS("SELECT Name, (SELECT LastName FROM Account.Contacts) FROM Account", want);
	ROWS("SELECT Name, (SELECT LastName FROM acc.Contacts) FROM Account acc", want);
	ERR("SELECT Name, (SELECT LastName FROM Case.Contacts) FROM Account",
	    "INVALID_FIELD: Didn't understand relationship 'Case.Contacts' in FROM part of query call: a child relationship is named after the outer query's object, 'Account' (line 1, column 36)");
	ERR("SELECT LastName FROM Account.Contacts",
	    "MALFORMED_QUERY: FROM takes an object name, not a path: 'Account.Contacts' names a child relationship, which only a subquery in SELECT reads (line 1, column 22)");
	ERR("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Account.Contacts)",
	    "MALFORMED_QUERY: FROM takes an object name, not a path: 'Account.Contacts' names a child relationship, which only a subquery in SELECT reads (line 1, column 59)");
}

/* Relationship aliases in FROM: FROM Contact c, c.Account a. */
void test_relationship_aliases(void **state)
{
	(void)state;
	COUNT("SELECT count() FROM Contact c, c.Account a WHERE a.Name = 'Acme Dynamics'",
	      "SELECT count(*) AS n FROM Contact c JOIN Account a ON a.Id = c.AccountId WHERE a.Name = 'Acme Dynamics'");
	ROWS("SELECT c.LastName, a.Name FROM Contact c, c.Account a WHERE a.Industry = 'Energy' OR a.Name = null",
	     "SELECT c.LastName, a.Id AS \"?Account\", a.Name AS \"Account.Name\" FROM Contact c LEFT JOIN Account a ON a.Id = c.AccountId "
	     "WHERE a.Industry = 'Energy' OR a.Name IS NULL");
	/* an alias of an alias's path, and the object's name instead of its alias */
	ROWS("SELECT Subject, ct.LastName, a.Name FROM Case, Case.Contact ct, ct.Account a WHERE a.Industry != null",
	     "SELECT c.Subject, json_object('LastName', ct.LastName, 'Account', json_object('Name', a.Name)) AS \"json:Contact\" "
	     "FROM \"Case\" c JOIN Contact ct ON ct.Id = c.ContactId JOIN Account a ON a.Id = ct.AccountId WHERE a.Industry IS NOT NULL");
	ERR("SELECT Id FROM Contact c, c.Account c", "MALFORMED_QUERY: alias 'c' is given twice in FROM (line 1, column 27)");
	ERR("SELECT Id FROM Contact c, c.Acount a",
	    "INVALID_FIELD: Didn't understand relationship 'Acount' in field path 'c.Acount' on entity 'Contact' (line 1, column 27); did you mean 'Account'?");
	ERR("SELECT Id FROM Contact c, c.LastName n",
	    "INVALID_FIELD: Didn't understand relationship 'LastName' in field path 'c.LastName' on entity 'Contact' (line 1, column 27)");
	ERR("SELECT Id FROM Contact c, Account a",
	    "MALFORMED_QUERY: FROM takes one object; what follows ',' is a relationship path with an alias (FROM Contact c, c.Account a) (line 1, column 27)");
	ERR("SELECT Id FROM Contact c, c.Account a, a.Owner b, b.Manager d, d.Owner e, e.Owner f, f.Owner g, g.Owner h, h.Owner i, i.Owner j",
	    "MALFORMED_QUERY: too many relationship aliases in FROM (at most 8) (line 1, column 119)");
}
