/*
 * Every construct under a role: the fields it touches and the records the
 * rule keeps.
 */

#include "fixture.h"

/* Every construct obeys the role: the fields it touches and the records the rule keeps. */
void test_roles(void **state)
{
	(void)state;
	crmw_query_opts *o = fx_as_role(fx_db, "{\"schema_version\":1,\"name\":\"t\",\"default\":\"read\","
				       "\"objects\":{\"Store__c\":{\"hidden_fields\":[\"Location__c\"]},"
				       "\"Account\":{\"hidden_fields\":[\"Industry\",\"NumberOfEmployees\"]}}}");
	fx_check_error(fx_db, "SELECT Name FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(1, 2), 'mi')", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Location__c' of 'Store__c' (line 1, column 45)", o, __LINE__);
	fx_check_error(fx_db, "SELECT Name FROM Store__c WHERE DISTANCE(Depot__c, Location__c, 'km') < 1", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Location__c' of 'Store__c' (line 1, column 52)", o, __LINE__);
	fx_check_error(fx_db, "SELECT Location__Latitude__s FROM Store__c", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Location__c' of 'Store__c' (line 1, column 8)", o, __LINE__);
	fx_check_error(fx_db, "SELECT LastName, toLabel(a.Industry) FROM Contact c, c.Account a", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Industry' of 'Account' in 'a.Industry' (line 1, column 26)", o, __LINE__);
	fx_check_error(fx_db, "SELECT FORMAT(NumberOfEmployees) n FROM Account", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'NumberOfEmployees' of 'Account' (line 1, column 15)", o, __LINE__);
	fx_check_error(fx_db, "SELECT Name FROM Account ORDER BY Industry", CRMW_EACCESS,
		    "INSUFFICIENT_ACCESS: role 't' cannot read field 'Industry' of 'Account' (line 1, column 35)", o, __LINE__);
	json_t *got = fx_soql(fx_db, "SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Globex'", o);
	json_t *want = fx_sql_rows(fx_ref, "SELECT Id, Name, Phone, ShippingState, Description FROM Account WHERE Name = 'Globex'");
	fx_compare(got, want, true, "FIELDS(STANDARD) without the hidden fields", "", __LINE__);
	json_decref(got);
	json_decref(want);
	crmw_query_opts_free(o);
	/* a customer (John Smith of Acme Dynamics) sees the cases of Acme only, with wildcards and FIELDS too */
	crmw_role *r = NULL;
	assert_int_equal(crmw_role_new(&r, fx_db, "external:" C1, NULL), CRMW_OK);
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	crmw_role_free(r);
	got = fx_soql(fx_db, "FIND {1?3 OR Ord?r} RETURNING Case(Subject, toLabel(Status) ORDER BY Status)", o);
	want = fx_sql_rows(fx_ref, "SELECT Subject, Status FROM \"Case\" WHERE AccountId = '" A1 "' AND Subject LIKE 'Order%' "
			     "ORDER BY " STATUS_RANK);
	fx_compare(json_object_get(got, "Case"), want, true, "a customer's wildcard search", "", __LINE__);
	json_decref(got);
	json_decref(want);
	got = fx_soql(fx_db, "SELECT Subject, a.Name FROM Case c, c.Account a WHERE Subject LIKE 'Order%' ORDER BY Status", o);
	want = fx_sql_rows(fx_ref, "SELECT Subject, '" A1 "' AS \"?Account\", 'Acme Dynamics' AS \"Account.Name\" FROM \"Case\" "
			     "WHERE AccountId = '" A1 "' AND Subject LIKE 'Order%' ORDER BY " STATUS_RANK);
	fx_compare(got, want, true, "a customer's relationship alias", "", __LINE__);
	json_decref(got);
	json_decref(want);
	got = fx_soql(fx_db, "SELECT COUNT() FROM Case WHERE CreatedDate = THIS_FISCAL_YEAR", o);
	want = fx_sql_rows(fx_ref, "SELECT count(*) AS n FROM \"Case\" WHERE AccountId = '" A1 "' AND CreatedDate >= '2024-01-01T00:00:00Z' "
			     "AND CreatedDate < '2025-01-01T00:00:00Z'");
	assert_int_equal(json_integer_value(json_object_get(got, "totalSize")),
			 json_integer_value(json_object_get(json_array_get(want, 0), "n")));
	json_decref(got);
	json_decref(want);
	crmw_query_opts_free(o);
}
