/*
 * The built-in embedder.
 */

#include "fixture.h"

/* ------------------------------------------------------------ embedder */

void test_embedder(void **state)
{
	(void)state;
	float a[256], b[256], c[256];
	const char *t = "Find the agent with the shortest handle time in Q2";
	assert_int_equal(crmw_embed_hash(a, 256, t, strlen(t)), CRMW_OK);
	assert_int_equal(crmw_embed_hash(b, 256, t, strlen(t)), CRMW_OK);
	assert_memory_equal(a, b, sizeof a);
	double n = 0, ab = 0, ac = 0;
	for (int i = 0; i < 256; i++)
		n += (double)a[i] * a[i];
	assert_true(fabs(n - 1) < 1e-5);
	/* case and spacing do not matter; related text is closer than unrelated */
	const char *t2 = "find the   AGENT with the shortest handle time in q2";
	assert_int_equal(crmw_embed_hash(b, 256, t2, strlen(t2)), CRMW_OK);
	assert_memory_equal(a, b, sizeof a);
	const char *rel = "Which agent had the shortest average handle time last quarter?";
	const char *unrel = "List the products ordered by revenue in March";
	assert_int_equal(crmw_embed_hash(b, 256, rel, strlen(rel)), CRMW_OK);
	assert_int_equal(crmw_embed_hash(c, 256, unrel, strlen(unrel)), CRMW_OK);
	for (int i = 0; i < 256; i++) {
		ab += (double)a[i] * b[i];
		ac += (double)a[i] * c[i];
	}
	assert_true(ab > ac + 0.1);
	/* a known value pins the algorithm: change the name when it changes */
	const char *pin = "crmweaver";
	float p[16];
	assert_int_equal(crmw_embed_hash(p, 16, pin, strlen(pin)), CRMW_OK);
	double s = 0;
	for (int i = 0; i < 16; i++)
		s += p[i] * (i + 1);
	assert_true(fabs(s - -13.948068678) < 1e-5);
	const float case_owner[8] = {0, 0.317608f, -0.158804f, 0.158804f, 0.158804f, 0, 0, -0.907452f};
	assert_int_equal(crmw_embed_hash(p, 8, "Case owner", 10), CRMW_OK);
	for (int i = 0; i < 8; i++)
		assert_true(fabsf(p[i] - case_owner[i]) < 1e-5f);
	/* bad input */
	assert_int_equal(crmw_embed_hash(a, 256, "", 0), CRMW_EINVALID);
	assert_int_equal(crmw_embed_hash(a, 256, " ,.;!", 5), CRMW_EINVALID);
	assert_int_equal(crmw_embed_hash(a, 4, t, strlen(t)), CRMW_EINVALID);
	assert_int_equal(crmw_embed_hash(NULL, 256, t, strlen(t)), CRMW_EINVALID);
	/* UTF-8 words count as words */
	assert_int_equal(crmw_embed_hash(a, 256, "\xc3\xa9t\xc3\xa9", 5), CRMW_OK);
}
