/*
 * Unit tests of crmw_task_set_stats: templates with masked entities,
 * 4-grams, None and top-answer shares, distinct answers, thresholds and
 * the kinds of time phrase, on hand-made task files whose numbers are
 * known; options and errors.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

static json_t *stats(const char *tasks, const char *opts)
{
	crmw_task_set *ts = NULL;
	if (crmw_task_set_parse(&ts, tasks, strlen(tasks)))
		fail_msg("parse: %s", crmw_last_error());
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_stats(&out, ts, opts), CRMW_OK);
	json_t *v = json_loads(out.data, 0, NULL);
	assert_non_null(v);
	crmw_buf_dispose(&out);
	crmw_task_set_free(ts);
	return v;
}

static const json_t *family(const json_t *v, const char *name)
{
	const json_t *f = json_object_get(json_object_get(v, "families"), name);
	if (!f)
		fail_msg("no family %s", name);
	return f;
}

static long long num(const json_t *f, const char *key)
{
	return json_integer_value(json_object_get(f, key));
}

static double share(const json_t *f, const char *key)
{
	return json_number_value(json_object_get(f, key));
}

static double time_share(const json_t *f, const char *kind)
{
	return json_number_value(json_object_get(json_object_get(f, "time"), kind));
}

#define T(fam, q, a) "{\"task\":\"" fam "\",\"query\":\"" q "\",\"answer\":" a ",\"reward_metric\":\"exact_match\"}"

/* Queries that differ only in their entities are one template. */
static void test_templates(void **state)
{
	(void)state;
	const char *tasks =
		"[" T("a", "Which agent closed the most cases for Acme Rockets in the past 3 weeks?", "[\"005000000000001AAA\"]")
		"," T("a", "Which agent closed the most cases for Zeta Corp in the past 12 weeks?", "[\"005000000000002AAA\"]")
		"," T("a", "Which agent closed the most cases for Beta Ltd in the past 3 months?", "[\"005000000000001AAA\"]")
		"," T("a", "Who handled more than 4 cases in Q3 2023 in CA?", "[null]")
		"," T("a", "Who handled more than 2 cases in Q1 2022 in New York?", "[\"005000000000003AAA\"]")
		"," T("b", "What happened on 2024-03-02 to case 500000000000001AAA?", "[\"x\"]")
		"," T("b", "What happened on 2023-11-30 to case 500000000000002AAA?", "[\"y\"]")
		"]";
	json_t *v = stats(tasks, NULL);
	const json_t *a = family(v, "a");
	assert_int_equal(num(a, "tasks"), 5);
	/* names, numbers, quarters, years and states masked: 2 templates
	 * ("weeks" and "months" differ) + 1 */
	assert_int_equal(num(a, "templates"), 3);
	assert_true(share(a, "none_share") > 0.19 && share(a, "none_share") < 0.21);
	/* 2 of the 4 answers are the same agent */
	assert_true(share(a, "top_answer_share") > 0.49 && share(a, "top_answer_share") < 0.51);
	assert_int_equal(num(a, "distinct_answers"), 3);
	assert_int_equal(num(a, "thresholds"), 2);
	assert_int_equal(num(a, "threshold_max"), 4);
	assert_true(time_share(a, "relative") > 0.59 && time_share(a, "relative") < 0.61);
	assert_true(time_share(a, "quarter") > 0.39 && time_share(a, "quarter") < 0.41);
	const json_t *b = family(v, "b");
	assert_int_equal(num(b, "templates"), 1); /* dates and ids masked */
	assert_int_equal(num(b, "distinct_answers"), 2);
	assert_true(time_share(b, "date") > 0.99);
	json_decref(v);
}

/* Regression: a word of two capitals that is no state code ("XY", "HQ")
 * made the code lookup step past the end of its table (AddressSanitizer:
 * global-buffer-overflow in is_state_code, on `tasks stats` of a b2b set);
 * "DC", the last code, and a code-like word are both read right. */
static void test_regression_state_table_end(void **state)
{
	(void)state;
	const char *tasks = "[" T("c", "Which agent in DC sent the HQ report?", "[\"005000000000001AAA\"]")
			    "," T("c", "Which agent in TX sent the XY report?", "[\"005000000000002AAA\"]")
			    "," T("c", "Which agent in ZZ sent the XY report?", "[\"005000000000002AAA\"]") "]";
	json_t *v = stats(tasks, NULL);
	/* DC and TX are states, HQ and XY codes (names): one template; ZZ is
	 * no state, so the third is the same template too (<name> both) */
	assert_int_equal(num(family(v, "c"), "templates"), 2);
	json_decref(v);
}

/* Every kind of time phrase, one query each. */
static void test_time_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *q, *kind;
	} cases[] = {
		{"Which product did I buy two weeks ago?", "ago"},
		{"Which product did I buy a fortnight ago?", "ago"},
		{"Who was quickest over the past 5 months?", "relative"},
		{"Who was quickest in the last quarter?", "relative"},
		{"Who was quickest over a fortnight?", "relative"},
		{"Who was quickest in Q2 2023?", "quarter"},
		{"Who was quickest in the third quarter of 2022?", "quarter"},
		{"Who was quickest in Winter 2023?", "season"},
		{"Who was quickest in February 2021?", "month"},
		{"Who was quickest in 2023?", "year"},
		{"What did I buy on 2024-03-02?", "date"},
		{"Who was quickest yesterday?", "day"},
		{"Who is the best agent for this case?", "none"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char tasks[600];
		snprintf(tasks, sizeof tasks, "[{\"task\":\"t\",\"query\":\"%s\",\"answer\":[\"x\"],\"reward_metric\":\"exact_match\"}]",
			 cases[i].q);
		json_t *v = stats(tasks, NULL);
		if (time_share(family(v, "t"), cases[i].kind) < 0.99)
			fail_msg("'%s' is not counted as %s", cases[i].q, cases[i].kind);
		json_decref(v);
	}
}

/* 4-grams count masked tokens; "sample" takes the first N of each family. */
static void test_fourgrams_and_sample(void **state)
{
	(void)state;
	const char *tasks = "[" T("f", "one two three four five", "[\"a\"]") "," T("f", "one two three four six", "[\"b\"]")
			    "," T("f", "Alpha said one two three", "[\"c\"]") "]";
	json_t *v = stats(tasks, NULL);
	/* one two three four / two three four five / two three four six /
	 * alpha said one two ("Alpha" starts the sentence) / said one two three */
	assert_int_equal(num(family(v, "f"), "fourgrams"), 5);
	json_decref(v);
	v = stats(tasks, "{\"sample\":1}");
	assert_int_equal(num(family(v, "f"), "tasks"), 1);
	assert_int_equal(num(family(v, "f"), "fourgrams"), 2);
	json_decref(v);
	crmw_task_set *ts = NULL;
	assert_int_equal(crmw_task_set_parse(&ts, tasks, strlen(tasks)), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_stats(&out, ts, "{\"sample\":-1}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_stats(&out, ts, "{\"sampel\":1}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "did you mean \"sample\""));
	assert_int_equal(crmw_task_set_stats(&out, ts, "{not json"), CRMW_EFORMAT);
	assert_int_equal(crmw_task_set_stats(NULL, ts, NULL), CRMW_EINVALID);
	crmw_buf_dispose(&out);
	crmw_task_set_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_regression_state_table_end),
		cmocka_unit_test(test_time_kinds),
		cmocka_unit_test(test_fourgrams_and_sample),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
