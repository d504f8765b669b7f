/*
 * Unit tests of the shared-memory store: the built-in embedder, the exact
 * scan (float and int8) against a naive reference, batches, filters,
 * thresholds, MMR, faiss Flat against the exact scan and HNSW/IVF recall,
 * dedup merges, counters, capacity, persistence, the index file (rebuilt
 * when deleted, stale or damaged), other handles' writes, JSONL round trip,
 * threads, a writer killed at random points, scopes (filtered inside the
 * search, never merged across), the upgrade of format 1 stores, and bad
 * input.
 * SPDX-License-Identifier: Apache-2.0
 */

#include "fixture.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedder),   cmocka_unit_test(test_exact_scan),	 cmocka_unit_test(test_faiss),
		cmocka_unit_test(test_write_path), cmocka_unit_test(test_handles_and_io), cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_threads),	   cmocka_unit_test(test_killed_writer), cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_format1_upgrade),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("memory", tests, fx_setup, fx_teardown);
}
