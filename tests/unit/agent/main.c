/*
 * Unit tests of the agent runtime: scripted C backends drive episodes on
 * generated tasks (function calling in several tool-call dialects, ReAct),
 * step-wise against blocking runs, shared memories in the loop (retrieval,
 * counters, write-back with plans, distillation; customers' scopes as an
 * attacker sees them), limits, cancellation,
 * failing and garbage backends, vetoed calls and bad input.
 * SPDX-License-Identifier: Apache-2.0
 */

#include "fixture.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tools_episodes),
		cmocka_unit_test(test_messages_shape),
		cmocka_unit_test(test_stepwise_equals_blocking),
		cmocka_unit_test(test_react_episode),
		cmocka_unit_test(test_react_generated),
		cmocka_unit_test(test_memory_loop),
		cmocka_unit_test(test_memory_customers),
		cmocka_unit_test(test_memory_scope_keys),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_backends),
		cmocka_unit_test(test_veto),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_multi_turn),
		cmocka_unit_test(test_bad_input),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
