/*
 * SOQL and SOSL as real Salesforce code writes them (issue 29): one group
 * of cases per row of the table, written from Salesforce's SOQL and
 * SOSL reference.  A query that returns records is compared, as data, with
 * SQL written by hand and run straight on the org file with SQLite; a query
 * Salesforce refuses, or that is not supported here, is compared with its
 * exact status and message.
 *
 * Two orgs: "main" (the b2b set and a host object Store__c with two
 * location fields; currency USD, fiscal year from January) and "fiscal"
 * (the b2b set; currency EUR, fiscal year from April, named by the year it
 * ends in).  Today is 2024-06-15 in both.
 * SPDX-License-Identifier: Apache-2.0
 */

#include "fixture.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tolabel),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_search_scope),
		cmocka_unit_test(test_format_currency),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_prefixed_child),
		cmocka_unit_test(test_currency_literals),
		cmocka_unit_test(test_fiscal),
		cmocka_unit_test(test_update_tracking),
		cmocka_unit_test(test_relationship_aliases),
		cmocka_unit_test(test_using_listview),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_boolean_null),
		cmocka_unit_test(test_picklist_order),
		cmocka_unit_test(test_bind_variables),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_messages_whole_characters),
		cmocka_unit_test(test_nul_in_like),
		cmocka_unit_test(test_huge_literal),
		cmocka_unit_test(test_search_nesting),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_sosl_wildcards),
		cmocka_unit_test(test_roles),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("soql-conformance", tests, fx_setup, fx_teardown);
}
