/*
 * Run last: after every attack, the org file is byte-identical.
 */

#include "fixture.h"

/* Run last: after every attack above, the org file is byte-identical. */
void test_org_unchanged(void **state)
{
	(void)state;
	assert_true(fx_hash_org() == fx_org_hash);
}
