/*
 * Unit tests of the org store: create/open, ids, records, values, bulk
 * loads, import and export.
 * SPDX-License-Identifier: Apache-2.0
 */

#include "fixture.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_id_counter_of),
		cmocka_unit_test(test_generated_ids_deterministic),
		cmocka_unit_test(test_create_open),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_values_normalised),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_update_upsert_delete),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_runtime_schema_changes),
		cmocka_unit_test(test_bulk_typed_any_order),
		cmocka_unit_test(test_bulk_references_of_the_load),
		cmocka_unit_test(test_bulk_dangling_rolls_back),
		cmocka_unit_test(test_bulk_large_exclusive),
		cmocka_unit_test(test_bulk_exclusive_with_reader),
		cmocka_unit_test(test_import_csv),
		cmocka_unit_test(test_import_json_jsonl),
		cmocka_unit_test(test_export_import_roundtrip),
		cmocka_unit_test(test_import_crmarena_dump),
		cmocka_unit_test(test_log_callback),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("store", tests, fx_setup_dir, fx_teardown_dir);
}
