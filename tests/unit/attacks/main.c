/*
 * Attacks on access control through the C API, the agent loop, the shared
 * memory and small thread stacks (cmocka).  Each test is an attack that
 * tries to read what a role may not, and asserts what a correct library
 * does: the attack recovers nothing, the process is not killed, a registry
 * restricted to one customer stays restricted.  The "# ..." lines say what
 * each attack recovered and how many queries it took.
 *
 * - error oracles: the role's row rule is evaluated after the query's own
 *   WHERE, so a condition that fails only when evaluated (a LIKE pattern
 *   longer than the sandbox's 1,000 characters) placed after a condition on
 *   a hidden value tells whether a hidden record meets it; a binary search
 *   over ranges reads the value character by character (C API with the
 *   built-in customer role and with a policy, SOSL, the agent loop in tools
 *   and ReAct mode);
 * - a host registry made for one customer runs an episode without a role
 *   as the internal role, and stays widened after it;
 * - a guideline written from one customer's episode carries its answer into
 *   another customer's system prompt;
 * - a customer's ReAct system prompt describes objects and fields the
 *   customer cannot read;
 * - deep conditions and nested subqueries, and threads with 128 KiB stacks,
 *   in child processes (a crash is a signal there, not a failed run);
 * - a property test: random queries under random policies return only
 *   records and values the policy lets the role read, and COUNT() counts
 *   only those (the ground truth is SQL written here, on the org file).
 * SPDX-License-Identifier: Apache-2.0
 */

#include "fixture.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capi_error_oracle),
		cmocka_unit_test(test_policy_error_oracle),
		cmocka_unit_test(test_agent_error_oracle),
		cmocka_unit_test(test_agent_registry_fails_open),
		cmocka_unit_test(test_memory_crosses_customers),
		cmocka_unit_test(test_react_prompt_names),
		cmocka_unit_test(test_deep_where),
		cmocka_unit_test(test_nested_children),
		cmocka_unit_test(test_small_stack),
		cmocka_unit_test(test_property_random_roles),
		cmocka_unit_test(test_org_unchanged),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("attacks", tests, fx_setup, fx_teardown);
}
