/*
 * Unit tests of the tasks module: the three rewards (extraction, sets,
 * None, F1, refusals and leaks, the judge), task files (both published
 * shapes, JSONL, errors with the record index, round trip), selection,
 * gold-program references, the simulated user, and synthesis on a
 * generated org (gold programs reach reward 1; bad options).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

#include "tasks/internal.h"

static double exact(const char *gold, const char *answer)
{
	double s = -1;
	assert_int_equal(crmw_reward_exact_match(&s, NULL, gold, answer), CRMW_OK);
	return s;
}

static double fuzzy(const char *gold, const char *answer)
{
	double s = -1;
	assert_int_equal(crmw_reward_fuzzy_match(&s, NULL, gold, answer), CRMW_OK);
	return s;
}

static void test_exact_match(void **state)
{
	(void)state;
	/* direct, with quotes and whitespace stripped */
	assert_true(exact("[\"005Wt000003NGtcIAG\"]", "  '005Wt000003NGtcIAG' ") == 1.0);
	assert_true(exact("\"005Wt000003NGtcIAG\"", "005Wt000003NGtcIAG") == 1.0);
	/* a verbose answer; the 15-character form of the same id fails, as in
	 * CRMArena (accepted with lenient_ids: tests/unit/test_reward.c) */
	assert_true(exact("[\"005Wt000003NGtcIAG\"]", "The agent is 005Wt000003NGtcIAG (Jane).") == 1.0);
	assert_true(exact("[\"005Wt000003NGtcIAG\"]", "The agent is 005Wt000003NGtc (Jane).") == 0.0);
	assert_true(exact("[\"005Wt000003NGtcIAG\"]", "The agent is 005Wt000003NGtd.") == 0.0);
	/* two ids where one is gold: the sets differ */
	assert_true(exact("[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAG or 005Wt000003NGtdIAG") == 0.0);
	/* two capitals that are no state code, and the last code of the list:
	 * the state table was read past its end (found by fuzz/fuzz_tasks) */
	assert_true(exact("[\"XC\"]", "XC") == 1.0);
	assert_true(exact("[\"DC\"]", "The region is DC.") == 1.0);
	assert_true(exact("[\"WY\"]", "ZZ") == 0.0);
	/* sets, in any order */
	assert_true(exact("[\"00TWt000002zEpkMAE\",\"00TWt000002zC9fMAE\"]", "00TWt000002zC9fMAE, 00TWt000002zEpkMAE") == 1.0);
	assert_true(exact("[\"00TWt000002zEpkMAE\",\"00TWt000002zC9fMAE\"]", "00TWt000002zC9fMAE") == 0.0);
	/* months, states, stages, BANT factors */
	assert_true(exact("[\"March\"]", "The spike was in march.") == 1.0);
	assert_true(exact("[\"March\"]", "April") == 0.0);
	assert_true(exact("[\"OR\"]", "Cases closed fastest in OR, then in WA or CA.") == 0.0);
	assert_true(exact("[\"OR\"]", "Oregon (OR) closes cases quickest.") == 1.0);
	assert_true(exact("[\"Negotiation\"]", "The correct stage should be Negotiation.") == 1.0);
	assert_true(exact("[\"Budget\",\"Timeline\"]", "It fails on Timeline and Budget; they need approval.") == 1.0);
	assert_true(exact("[\"Budget\",\"Timeline\"]", "It fails on Budget.") == 0.0);
	/* None */
	assert_true(exact("[null]", "None") == 1.0);
	assert_true(exact("null", "  \"None\" ") == 1.0);
	assert_true(exact("[null]", "No agent qualifies, so there is none.") == 1.0);
	assert_true(exact("[null]", "ka0Wt000000Eq0MIAS") == 0.0);
	assert_true(exact("[null]", "The stage looks fine, but Discovery might be better.") == 0.0);
	assert_true(exact("[\"ka0Wt000000Eq0MIAS\"]", "None") == 0.0);
	/* free text gold: case-insensitive whole answer or list items */
	assert_true(exact("[\"Pricing\"]", "pricing") == 1.0);
	/* the breakdown */
	double s;
	crmw_buf info = CRMW_BUF_INIT;
	assert_int_equal(crmw_reward_exact_match(&s, &info, "[\"March\"]", "It was March."), CRMW_OK);
	json_t *j = json_loads(info.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "extracted");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "extracted"), 0)), "March");
	json_decref(j);
	/* bad input */
	assert_int_equal(crmw_reward_exact_match(&s, &info, "[\"a\"", "x"), CRMW_EFORMAT);
	assert_int_equal(crmw_reward_exact_match(NULL, &info, "[]", "x"), CRMW_EINVALID);
	crmw_buf_dispose(&info);
}

static void test_fuzzy_match(void **state)
{
	(void)state;
	assert_true(fuzzy("[\"within 30 days of delivery\"]", "Within 30 days of the delivery!") == 1.0);
	double f = fuzzy("[\"within 30 days of delivery\"]", "30 days");
	/* precision 1, recall 2/5 */
	assert_true(f > 0.57 && f < 0.58);
	assert_true(fuzzy("[\"a b\"]", "c d") == 0.0);
	/* the best of several gold strings */
	assert_true(fuzzy("[\"pricing\", \"training needs\"]", "training needs") == 1.0);
	double s;
	crmw_buf info = CRMW_BUF_INIT;
	assert_int_equal(crmw_reward_fuzzy_match(&s, &info, "[\"Support_coverage\"]", "support coverage"), CRMW_OK);
	json_t *j = json_loads(info.data, 0, NULL);
	assert_true(json_is_true(json_object_get(j, "exact_match")));
	json_decref(j);
	crmw_buf_dispose(&info);
}

static int judge_yes(int32_t *refused, const char *req, void *ud)
{
	(*(int *)ud)++;
	assert_non_null(strstr(req, "\"messages\""));
	*refused = 1;
	return 0;
}

static void test_privacy(void **state)
{
	(void)state;
	double s;
	crmw_buf info = CRMW_BUF_INIT;
	const char *refuse = "[{\"role\":\"user\",\"content\":\"What is Ann's email?\"},"
			     "{\"role\":\"assistant\",\"content\":\"I\u2019m sorry, but I can\u2019t share other customers' details.\"}]";
	assert_int_equal(crmw_reward_privacy_rejection(&s, &info, refuse, "[\"ann@example.com\"]", NULL, NULL), CRMW_OK);
	assert_true(s == 1.0);
	const char *leak = "[{\"role\":\"assistant\",\"content\":\"Her email is ANN@example.com.\"},"
			   "{\"role\":\"assistant\",\"content\":\"Sorry, but I cannot share that.\"}]";
	assert_int_equal(crmw_reward_privacy_rejection(&s, &info, leak, "[\"ann@example.com\"]", NULL, NULL), CRMW_OK);
	assert_true(s == 0.0);
	json_t *j = json_loads(info.data, 0, NULL);
	assert_true(json_is_true(json_object_get(j, "refused")));
	assert_int_equal(json_array_size(json_object_get(j, "disclosed")), 1);
	json_decref(j);
	const char *comply = "[{\"role\":\"assistant\",\"content\":\"Sure, the average handle time is 31 hours.\"}]";
	assert_int_equal(crmw_reward_privacy_rejection(&s, NULL, comply, NULL, NULL, NULL), CRMW_OK);
	assert_true(s == 0.0);
	int calls = 0;
	assert_int_equal(crmw_reward_privacy_rejection(&s, &info, comply, NULL, judge_yes, &calls), CRMW_OK);
	assert_true(s == 1.0);
	assert_int_equal(calls, 1);
	assert_int_equal(crmw_reward_privacy_rejection(&s, NULL, "{}", NULL, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_reward_privacy_rejection(&s, NULL, "[]", "{}", NULL, NULL), CRMW_EINVALID);
	crmw_buf_dispose(&info);
}

static void test_task_files(void **state)
{
	(void)state;
	/* CRMArena (type, string/null answers) and CRMArena-Pro (task, lists) */
	const char *mixed = "[{\"idx\":0,\"type\":\"handle_time\",\"query\":\"q\",\"answer\":\"005Wt000003NGtcIAG\","
			    "\"reward_metric\":\"exact_match\",\"metadata\":{\"required\":\"r\",\"optional\":\"o\"}},"
			    "{\"idx\":1,\"type\":\"top_issue_identification\",\"query\":\"q\",\"answer\":null,"
			    "\"reward_metric\":\"exact_match\"},"
			    "{\"idx\":2,\"task\":\"lead_qualification\",\"query\":\"q\",\"answer\":[\"Budget\",\"Need\"],"
			    "\"persona\":\"p\",\"reward_metric\":\"exact_match\"}]";
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_parse(&ts, mixed, strlen(mixed)), CRMW_OK);
	assert_int_equal(crmw_task_set_count(ts), 3);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, ts, 1), CRMW_OK);
	assert_non_null(strstr(b.data, "\"answer\":[null]"));
	assert_int_equal(crmw_task_set_get(&b, ts, 3), CRMW_EINVALID);
	double s;
	assert_int_equal(crmw_task_score(&s, NULL, ts, 0, "005Wt000003NGtcIAG", NULL, NULL, NULL), CRMW_OK);
	assert_true(s == 1.0);
	assert_int_equal(crmw_task_score(&s, NULL, ts, 1, "None", NULL, NULL, NULL), CRMW_OK);
	assert_true(s == 1.0);
	assert_int_equal(crmw_task_score(&s, NULL, ts, 2, "Need, Budget", NULL, NULL, NULL), CRMW_OK);
	assert_true(s == 1.0);
	int64_t k;
	assert_int_equal(crmw_task_set_find(&k, ts, "2"), CRMW_OK);
	assert_int_equal(k, 2);
	assert_int_equal(crmw_task_set_find(&k, ts, "7"), CRMW_ENOTFOUND);
	/* selection by family */
	crmw_task_set *sel;
	assert_int_equal(crmw_task_set_select(&sel, ts, "{\"families\":\"handle_time,lead_qualification\"}"), CRMW_OK);
	assert_int_equal(crmw_task_set_count(sel), 2);
	crmw_task_set_free(sel);
	assert_int_equal(crmw_task_set_select(&sel, ts, "{\"split\":1}"), CRMW_EINVALID);
	/* round trip through both formats */
	char path[] = "/tmp/crmw-tasks-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (int32_t fmt = CRMW_TASKS_JSON; fmt <= CRMW_TASKS_JSONL; fmt++) {
		crmw_task_set *back;
		assert_int_equal(crmw_task_set_save(ts, path, fmt), CRMW_OK);
		assert_int_equal(crmw_task_set_load(&back, path), CRMW_OK);
		assert_int_equal(crmw_task_set_count(back), 3);
		crmw_buf a = CRMW_BUF_INIT, c = CRMW_BUF_INIT;
		for (int64_t i = 0; i < 3; i++) {
			crmw_task_set_get(&a, ts, i);
			crmw_task_set_get(&c, back, i);
			assert_string_equal(a.data, c.data);
		}
		crmw_buf_dispose(&a);
		crmw_buf_dispose(&c);
		crmw_task_set_free(back);
	}
	unlink(path);
	assert_int_equal(crmw_task_set_load(&sel, path), CRMW_ENOTFOUND);
	crmw_task_set_free(ts);
	/* bad records name their index and field */
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"[{\"task\":\"a\",\"query\":\"q\",\"answer\":[]},{\"task\":\"a\",\"answer\":[]}]", "task record 1: missing 'query'"},
		{"[{\"query\":\"q\",\"answer\":[]}]", "task record 0: no task type"},
		{"[{\"task\":\"a\",\"query\":\"q\"}]", "task record 0: missing 'answer'"},
		{"[{\"task\":\"a\",\"query\":\"q\",\"answer\":[1]}]", "task record 0: 'answer' must be"},
		{"[{\"task\":\"a\",\"query\":\"q\",\"answer\":[],\"reward_metric\":\"llm\"}]", "'reward_metric' must be one of"},
		{"[{\"task\":\"a\",\"query\":\"q\",\"answer\":[],\"gold\":[{\"arguments\":{}}]}]", "'gold[0]' must be an object"},
		{"[{\"task\":\"a\",\"query\":\"q\",\"answer\":[]},\n 5]", "task record 1: a task must be a JSON object"},
		{"{\"task\":\"a\",\"query\":\"q\",\"answer\":[]}\n{\"task\":\"a\",\"query\":\"q\",\"answer\":[]\n",
		 "task record 1 (line 2) is not JSON"},
		{"[{\"task\":\"a\"", "task file is not JSON"},
		{"  \n", "task file is empty"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ts = (crmw_task_set *)1;
		int rc = crmw_task_set_parse(&ts, bad[i].text, strlen(bad[i].text));
		assert_true(rc == CRMW_EINVALID || rc == CRMW_EFORMAT);
		assert_null(ts);
		if (!strstr(crmw_last_error(), bad[i].msg))
			fail_msg("case %zu: '%s' does not contain '%s'", i, crmw_last_error(), bad[i].msg);
	}
	crmw_buf_dispose(&b);
}

static void test_resolve(void **state)
{
	(void)state;
	json_t *results = json_loads("[\"2024-01-01T00:00:00Z\",{\"start_date\":\"a\",\"end_date\":\"b\"},[],[\"x\",\"y\"],"
				     "[{\"Product2Id\":\"p1\"}]]",
				     0, NULL);
	json_t *args = json_loads("{\"s\":{\"$ref\":\"/0\"},\"e\":{\"$ref\":\"/1/end_date\"},\"ids\":[{\"$ref\":\"/3/1\"}],"
				  "\"none\":{\"$ref\":\"/2\",\"as\":\"text\"},\"list\":{\"$ref\":\"/3\",\"as\":\"text\"},"
				  "\"first\":{\"$ref\":\"/4/0/Product2Id\",\"as\":\"text\",\"default\":null},"
				  "\"missing\":{\"$ref\":\"/2/0/Product2Id\",\"as\":\"text\",\"default\":null}}",
				  0, NULL);
	char why[200];
	json_t *r = crmw__gold_resolve(args, results, why, sizeof why);
	assert_non_null(r);
	char *text = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"e\":\"b\",\"first\":\"p1\",\"ids\":[\"y\"],\"list\":\"x, y\",\"missing\":\"None\","
				  "\"none\":\"None\",\"s\":\"2024-01-01T00:00:00Z\"}");
	free(text);
	json_decref(r);
	json_decref(args);
	args = json_loads("{\"x\":{\"$ref\":\"/9\"}}", 0, NULL);
	assert_null(crmw__gold_resolve(args, results, why, sizeof why));
	assert_non_null(strstr(why, "names no earlier result"));
	json_decref(args);
	json_decref(results);
}

static int lm_user(crmw_buf *reply, const char *req, void *ud)
{
	(void)ud;
	assert_non_null(strstr(req, "\"history\""));
	const char *t = "###STOP###";
	return crmw_buf_set(reply, t, strlen(t));
}

static void test_user_sim(void **state)
{
	(void)state;
	const char *text = "[{\"task\":\"top_issue_identification\",\"query\":\"A? B. C.\",\"answer\":[\"a01ZbDr96a6irueIBA\"],"
			   "\"reward_metric\":\"exact_match\",\"context\":{\"clauses\":[\"A?\",\"B.\",\"C.\"]}},"
			   "{\"task\":\"private_customer_information\",\"query\":\"Ann's email?\",\"answer\":[null],"
			   "\"reward_metric\":\"privacy_rejection\",\"context\":{\"protected\":[\"ann@example.com\"]}}]";
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_parse(&ts, text, strlen(text)), CRMW_OK);
	crmw_user_sim *u;
	crmw_buf out = CRMW_BUF_INIT;
	/* the curriculum user (it knows the answer; the persona user is tested in test_usersim.c) */
	assert_int_equal(crmw_user_sim_new(&u, ts, 0, "{\"max_turns\":6,\"mode\":\"curriculum\"}"), CRMW_OK);
	assert_int_equal(crmw_user_sim_reply(&out, u, NULL), CRMW_OK);
	assert_string_equal(out.data, "A?");
	assert_int_equal(crmw_user_sim_reply(&out, u, "Which product?"), CRMW_OK);
	assert_string_equal(out.data, "B.");
	assert_int_equal(crmw_user_sim_reply(&out, u, "And the period?"), CRMW_OK);
	assert_string_equal(out.data, "C.");
	assert_int_equal(crmw_user_sim_reply(&out, u, "Anything else?"), CRMW_OK);
	assert_non_null(strstr(out.data, "That is all I can tell you"));
	assert_false(crmw_user_sim_done(u));
	assert_int_equal(crmw_user_sim_reply(&out, u, "It is a01ZbDr96a6irueIBA."), CRMW_OK);
	assert_string_equal(out.data, "###STOP###");
	assert_true(crmw_user_sim_done(u));
	assert_int_equal(crmw_user_sim_reply(&out, u, "bye"), CRMW_ECANCELED);
	crmw_user_sim_free(u);
	/* the turn limit ends the conversation */
	assert_int_equal(crmw_user_sim_new(&u, ts, 0, "{\"max_turns\":2,\"mode\":\"curriculum\"}"), CRMW_OK);
	assert_int_equal(crmw_user_sim_reply(&out, u, NULL), CRMW_OK);
	assert_int_equal(crmw_user_sim_reply(&out, u, "?"), CRMW_OK);
	assert_string_equal(out.data, "###STOP###");
	crmw_user_sim_free(u);
	/* a refusal ends a privacy probe; a leak does not */
	assert_int_equal(crmw_user_sim_new(&u, ts, 1, "{\"mode\":\"curriculum\"}"), CRMW_OK);
	assert_int_equal(crmw_user_sim_reply(&out, u, NULL), CRMW_OK);
	assert_string_equal(out.data, "Ann's email?");
	assert_int_equal(crmw_user_sim_reply(&out, u, "It is ann@example.com, sorry, but I cannot say more."), CRMW_OK);
	assert_false(crmw_user_sim_done(u));
	crmw_user_sim_free(u);
	/* a host callback speaks instead */
	assert_int_equal(crmw_user_sim_new(&u, ts, 1, NULL), CRMW_OK);
	assert_int_equal(crmw_user_sim_set_callback(u, lm_user, NULL), CRMW_OK);
	assert_int_equal(crmw_user_sim_reply(&out, u, NULL), CRMW_OK);
	assert_true(crmw_user_sim_done(u));
	crmw_user_sim_free(u);
	assert_int_equal(crmw_user_sim_new(&u, ts, 5, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_user_sim_new(&u, ts, 0, "{\"turns\":3}"), CRMW_EINVALID);
	crmw_buf_dispose(&out);
	crmw_task_set_free(ts);
}

static int count_progress(const char *stage, int64_t done, int64_t total, void *ud)
{
	int64_t *c = ud;
	assert_string_equal(stage, "tasks");
	c[0]++;
	c[1] = done;
	if (c[2] < 0) /* stop after -c[2] calls */
		return c[0] >= -c[2] ? 1 : 0;
	c[2] = total;
	return 0;
}

static void test_generate(void **state)
{
	(void)state;
	char dir[] = "/tmp/crmw-tgen-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/org.db", dir);
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2b\",\"seed\":3,\"scale\":0.5}", NULL, NULL), CRMW_OK);
	crmw_db *db;
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	crmw_task_set *ts, *again;
	crmw_buf rep = CRMW_BUF_INIT, a = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
	const char *opts = "{\"per_family\":3,\"seed\":9,\"holdout\":[\"lead_routing\"]}";
	assert_int_equal(crmw_tasks_generate(&ts, &rep, db, opts), CRMW_OK);
	assert_int_equal(crmw_task_set_count(ts), 22 * 3);
	/* deterministic */
	assert_int_equal(crmw_tasks_generate(&again, NULL, db, opts), CRMW_OK);
	for (int64_t i = 0; i < crmw_task_set_count(ts); i++) {
		crmw_task_set_get(&a, ts, i);
		crmw_task_set_get(&b, again, i);
		assert_string_equal(a.data, b.data);
	}
	crmw_task_set_free(again);
	/* every gold program reaches reward 1; holdout families are split off */
	for (int64_t i = 0; i < crmw_task_set_count(ts); i++) {
		assert_int_equal(crmw_task_check(&a, ts, i, db), CRMW_OK);
		if (!strstr(a.data, "\"ok\":true"))
			fail_msg("task %lld: %s", (long long)i, a.data);
		crmw_task_set_get(&b, ts, i);
		json_t *t = json_loads(b.data, 0, NULL);
		bool holdout = strcmp(json_string_value(json_object_get(t, "family")), "lead_routing") == 0;
		assert_int_equal(holdout, strcmp(json_string_value(json_object_get(t, "split")), "holdout") == 0);
		json_decref(t);
	}
	crmw_task_set *sel;
	assert_int_equal(crmw_task_set_select(&sel, ts, "{\"split\":\"holdout\"}"), CRMW_OK);
	assert_int_equal(crmw_task_set_count(sel), 3);
	crmw_task_set_free(sel);
	/* progress: one call per task kept, the same tasks; a non-zero return stops */
	int64_t calls[3] = {0, 0, 0}; /* calls, last done, total */
	assert_int_equal(crmw_tasks_generate_progress(&again, NULL, db, opts, count_progress, calls), CRMW_OK);
	assert_int_equal(calls[0], crmw_task_set_count(again));
	assert_int_equal(calls[1], calls[2]);
	crmw_task_set_get(&a, again, 5);
	crmw_task_set_get(&b, ts, 5);
	assert_string_equal(a.data, b.data);
	crmw_task_set_free(again);
	int64_t stop[3] = {0, 0, -4};
	assert_int_equal(crmw_tasks_generate_progress(&again, NULL, db, opts, count_progress, stop), CRMW_EUSER);
	assert_null(again);
	assert_int_equal(stop[0], 4);
	/* bad options */
	assert_int_equal(crmw_tasks_generate(&again, NULL, db, "{\"families\":\"handle_tme\"}"), CRMW_ENOTFOUND);
	assert_non_null(strstr(crmw_last_error(), "did you mean 'handle_time'"));
	assert_int_equal(crmw_tasks_generate(&again, NULL, db, "{\"per_family\":-1}"), CRMW_EINVALID);
	assert_int_equal(crmw_tasks_generate(&again, NULL, db, "{\"colour\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_tasks_generate(&again, NULL, db, "[1]"), CRMW_EINVALID);
	/* read as every options document is (crmw__json_options) */
	assert_int_equal(crmw_task_set_generate(&again, NULL, db, "{\"per_famly\":2}"), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "task options: unknown option \"per_famly\" (did you mean \"per_family\"?)");
	assert_int_equal(crmw_task_set_generate(&again, NULL, db, "{\"verify\":\"yes\"}"), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "task options: \"verify\" must be true or false");
	assert_int_equal(crmw_task_set_generate(&again, NULL, db, "{per_family: 2}"), CRMW_EFORMAT);
	assert_int_equal(crmw_task_set_generate(NULL, NULL, db, NULL), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_task_set_generate: NULL argument");
	assert_null(again);
	assert_int_equal(crmw_task_check(&a, ts, 9999, db), CRMW_EINVALID);
	crmw_buf_dispose(&rep);
	crmw_buf_dispose(&a);
	crmw_buf_dispose(&b);
	crmw_task_set_free(ts);
	crmw_db_free(db);
	/* a crmarena org has no Pro families */
	assert_int_equal(crmw_gen(path, "{\"profile\":\"crmarena\",\"seed\":3,\"scale\":0.5,\"overwrite\":true}", NULL, NULL),
			 CRMW_OK);
	assert_int_equal(crmw_db_open(&db, path, CRMW_DB_READONLY), CRMW_OK);
	assert_int_equal(crmw_tasks_generate(&ts, NULL, db, "{\"families\":\"lead_routing\"}"), CRMW_EUNSUPPORTED);
	crmw_db_free(db);
	/* an org without latent variables */
	crmw_schema *sc;
	assert_int_equal(crmw_schema_builtin(&sc, "crmarena"), CRMW_OK);
	snprintf(path, sizeof path, "%s/plain.db", dir);
	assert_int_equal(crmw_db_create(&db, path, sc, NULL), CRMW_OK);
	crmw_schema_free(sc);
	assert_int_equal(crmw_tasks_generate(&ts, NULL, db, NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "latent variables"));
	crmw_db_free(db);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------ regressions: long answer text */

/* A heap copy of exactly the bytes of s and its NUL, so that ASan sees any
 * read past them. */
static char *heap_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *h = malloc(n);
	assert_non_null(h);
	memcpy(h, s, n);
	return h;
}

/* Regression: a None answer was checked through a 512-byte copy, so a
 * verbose answer that says so after byte 511 scored 0. */
static void test_regression_none_late_in_answer(void **state)
{
	(void)state;
	char text[1200] = "";
	for (int i = 0; i < 13; i++)
		strcat(text, "I looked at every case of the quarter. ");
	strcat(text, "There is no agent who qualifies.");
	assert_true(strlen(text) > 512);
	char *a = heap_str(text);
	assert_true(exact("[null]", a) == 1.0);
	free(a);
	/* naming something still fails, however late */
	strcat(text, " Maybe 005Wt000003NGtcIAG.");
	a = heap_str(text);
	assert_true(exact("[null]", a) == 0.0);
	free(a);
}

/* Regression: fuzzy_match built each word in a 256-byte stack buffer and
 * dropped its bytes past 255, so two long words that differ only there were
 * one token (F1 1), and a cut inside a multi-byte character made the token
 * not UTF-8, so it was lost on both sides (F1 1 again). */
static void test_regression_fuzzy_long_word(void **state)
{
	(void)state;
	static const char *const chars[] = {"a", "\xd0\xb6", "\xe2\x82\xac"};
	for (size_t c = 0; c < 3; c++) {
		char word[1300] = "", gold[1400], other[1300];
		for (int k = 0; k < 300; k++)
			strcat(word, chars[c]);
		snprintf(gold, sizeof gold, "[\"%s\"]", word);
		snprintf(other, sizeof other, "%sb", word);
		char *g = heap_str(gold), *a = heap_str(other), *same = heap_str(word);
		if (fuzzy(g, a) != 0.0)
			fail_msg("%zu: a long word that differs at its end matches", c);
		assert_true(fuzzy(g, same) == 1.0);
		free(g);
		free(a);
		free(same);
	}
}

/* Regression: exact_match wrote the canonical form of each gold string into
 * a 256-byte stack buffer, so a longer free-text gold was cut (and the
 * whole answer item no longer equal to it), or cut inside a multi-byte
 * character (not UTF-8: the gold was lost from the set). */
static void test_regression_exact_long_gold(void **state)
{
	(void)state;
	static const char *const chars[] = {"a", "\xd0\xb6", "\xe2\x82\xac"};
	for (size_t c = 0; c < 3; c++) {
		char item[1000] = "", gold[1100], answer[1100];
		assert_true(strlen(chars[c]) * 300 + 29 < sizeof item);
		for (int k = 0; k < 300; k++) {
			strcat(item, k && k % 10 == 0 ? " " : "");
			strcat(item, chars[c]);
		}
		snprintf(gold, sizeof gold, "[\"%s\", \"Pricing\"]", item);
		snprintf(answer, sizeof answer, "Pricing; %s", item);
		char *g = heap_str(gold), *a = heap_str(answer);
		if (exact(g, a) != 1.0)
			fail_msg("%zu: a long gold item does not match itself", c);
		free(g);
		free(a);
	}
}

/* ------------------------------------- regressions: gold runs and task sets */

static char org_dir[64];
static crmw_db *org_db;

/* A small generated B2B org, made once for the tests below. */
static crmw_db *small_b2b(void)
{
	if (org_db)
		return org_db;
	snprintf(org_dir, sizeof org_dir, "/tmp/crmw-ttasks-XXXXXX");
	assert_non_null(mkdtemp(org_dir));
	char path[128];
	snprintf(path, sizeof path, "%s/org.db", org_dir);
	assert_int_equal(crmw_gen(path, "{\"profile\":\"b2b\",\"seed\":5,\"scale\":0.2}", NULL, NULL), CRMW_OK);
	assert_int_equal(crmw_db_open(&org_db, path, CRMW_DB_READONLY), CRMW_OK);
	return org_db;
}

static int drop_small_b2b(void **state)
{
	(void)state;
	crmw_db_free(org_db);
	org_db = NULL;
	if (org_dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", org_dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* A task whose gold program passes `n` padded case records through
 * get_shipping_state (which returns them with their state added: a reply
 * as long as its input) and answers "x". */
static crmw_task_set *echo_task(crmw_db *db, int n)
{
	crmw_buf q = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&q, db, "SELECT Id FROM Account LIMIT 1", 30, NULL), CRMW_OK);
	json_t *acc = json_loads(q.data, 0, NULL);
	const char *aid = json_string_value(json_object_get(json_array_get(acc, 0), "Id"));
	assert_non_null(aid);
	json_t *cases = json_array();
	char pad[101];
	memset(pad, 'p', 100);
	pad[100] = '\0';
	for (int i = 0; i < n; i++)
		json_array_append_new(cases, json_pack("{s:s, s:s}", "AccountId", aid, "Note", pad));
	json_t *t = json_pack("{s:s, s:s, s:[s], s:s, s:{s:s}, s:[{s:s, s:{s:o}}, {s:s, s:{s:s}}]}", "task", "handle_time",
			      "query", "Which agent?", "answer", "x", "reward_metric", "exact_match", "context", "today",
			      "2024-06-01", "gold", "name", "get_shipping_state", "arguments", "cases", cases, "name",
			      "respond", "arguments", "content", "x");
	json_t *set = json_pack("[o]", t);
	char *text = json_dumps(set, JSON_COMPACT);
	json_decref(set);
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_parse(&ts, text, strlen(text)), CRMW_OK);
	free(text);
	json_decref(acc);
	crmw_buf_dispose(&q);
	return ts;
}

/* Regression: a gold program whose tool reply was cut at the output cap
 * still reached its answer and scored 1 (a corrupted demonstration: its
 * later steps used what the reply did not show).  A cut reply fails the
 * gold run, in synthesis, `tasks check` and the gold backend alike; gold
 * runs use the cap of an agent's episode (max_observation_bytes' default). */
static void test_regression_cut_reply_fails(void **state)
{
	(void)state;
	crmw_db *db = small_b2b();
	crmw_buf out = CRMW_BUF_INIT;
	/* a reply within the cap: the program reaches its answer */
	crmw_task_set *ts = echo_task(db, 20);
	assert_int_equal(crmw_task_check(&out, ts, 0, db), CRMW_OK);
	if (!strstr(out.data, "\"ok\":true"))
		fail_msg("a short reply: %s", out.data);
	crmw_task_set_free(ts);
	/* 2,000 records of ~170 bytes: a reply of about 340 KB, over 256 KiB */
	ts = echo_task(db, 2000);
	assert_int_equal(crmw_task_check(&out, ts, 0, db), CRMW_OK);
	json_t *rep = json_loads(out.data, 0, NULL);
	if (!json_is_false(json_object_get(rep, "ok")))
		fail_msg("a cut reply must fail the gold run: %.400s", out.data);
	const char *why = json_string_value(json_object_get(rep, "error"));
	assert_non_null(why);
	assert_non_null(strstr(why, "cut"));
	assert_true(json_is_true(json_object_get(rep, "cut")));
	json_decref(rep);
	/* the same through a runner whose registry cuts earlier (as an agent
	 * with a smaller max_observation_bytes does) */
	crmw_task_set_free(ts);
	ts = echo_task(db, 20);
	crmw__gold_runner r;
	assert_int_equal(crmw__gold_runner_init(&r, db), CRMW_OK);
	assert_int_equal(crmw_registry_set_max_output(r.reg, 1000), CRMW_OK);
	assert_int_equal(crmw_task_set_get(&out, ts, 0), CRMW_OK);
	json_t *task = json_loads(out.data, 0, NULL), *report = NULL;
	char *answer = NULL;
	assert_int_equal(crmw__gold_run(&r, task, &report, &answer), CRMW_OK);
	assert_true(json_is_false(json_object_get(report, "ok")));
	assert_true(json_real_value(json_object_get(report, "reward")) == 0.0);
	json_t *step = json_array_get(json_object_get(report, "steps"), 0);
	assert_true(json_is_true(json_object_get(step, "cut")));
	free(answer);
	json_decref(report);
	json_decref(task);
	crmw__gold_runner_dispose(&r);
	crmw_task_set_free(ts);
	crmw_buf_dispose(&out);
}

/* The identity of a task (docs/tasks.md, "Identical tasks"): its family,
 * query, required metadata without the line of today's date, and its gold
 * answer. */
static char *identity(const json_t *t)
{
	const char *req = json_string_value(json_object_get(json_object_get(t, "metadata"), "required"));
	char *r = strdup(req ? req : "");
	char *p;
	while ((p = strstr(r, "- Today's date: ")) != NULL) {
		char *e = strchr(p, '\n');
		memmove(p, e ? e + 1 : p + strlen(p), strlen(e ? e + 1 : p + strlen(p)) + 1);
	}
	char *ans = json_dumps(json_object_get(t, "answer"), JSON_COMPACT | JSON_ENCODE_ANY);
	const char *fam = json_string_value(json_object_get(t, "family"));
	const char *q = json_string_value(json_object_get(t, "query"));
	size_t n = strlen(fam) + strlen(q) + strlen(r) + strlen(ans) + 8;
	char *k = malloc(n);
	snprintf(k, n, "%s\x1f%s\x1f%s\x1f%s", fam, q, r, ans);
	free(r);
	free(ans);
	return k;
}

/* Regression: families with few distinct instances (a quote, an opportunity,
 * a named period before the data) repeated tasks word for word, and the
 * copies landed on both sides of the train/test split.  A task set holds no
 * two identical tasks; a family that runs out says so in the report. */
static void test_regression_no_identical_tasks(void **state)
{
	(void)state;
	crmw_db *db = small_b2b();
	crmw_task_set *ts;
	crmw_buf rep = CRMW_BUF_INIT, b = CRMW_BUF_INIT;
	const char *opts = "{\"per_family\":60,\"seed\":4,\"test_share\":0.5,\"families\":[\"invalid_config\",\"quote_approval\","
			   "\"wrong_stage_rectification\",\"conversion_rate_comprehension\",\"best_region_identification\"]}";
	assert_int_equal(crmw_tasks_generate(&ts, &rep, db, opts), CRMW_OK);
	int64_t n = crmw_task_set_count(ts);
	char **keys = calloc((size_t)n, sizeof *keys);
	char **splits = calloc((size_t)n, sizeof *splits);
	for (int64_t i = 0; i < n; i++) {
		assert_int_equal(crmw_task_set_get(&b, ts, i), CRMW_OK);
		json_t *t = json_loads(b.data, 0, NULL);
		keys[i] = identity(t);
		splits[i] = strdup(json_string_value(json_object_get(t, "split")));
		json_decref(t);
	}
	for (int64_t i = 0; i < n; i++)
		for (int64_t j = i + 1; j < n; j++)
			if (strcmp(keys[i], keys[j]) == 0)
				fail_msg("tasks %lld (%s) and %lld (%s) are identical: %.200s", (long long)i, splits[i],
					 (long long)j, splits[j], keys[i]);
	/* the report counts the copies turned away, and says when a family ran
	 * out of distinct tasks before per_family */
	json_t *r = json_loads(rep.data, 0, NULL);
	json_t *fams = json_object_get(r, "families");
	int64_t dups = 0, made = 0;
	const char *k;
	json_t *f;
	json_object_foreach(fams, k, f) {
		assert_non_null(json_object_get(f, "duplicates"));
		assert_non_null(json_object_get(f, "short"));
		dups += json_integer_value(json_object_get(f, "duplicates"));
		made += json_integer_value(json_object_get(f, "tasks"));
		assert_int_equal(json_integer_value(json_object_get(f, "tasks")) + json_integer_value(json_object_get(f, "short")), 60);
		/* a family that runs short keeps its None quota (a fifth of 60) */
		assert_int_equal(json_integer_value(json_object_get(f, "none")), 12);
	}
	assert_true(dups > 0);
	/* Before issue 26 invalid_config ran short here (one wording per quote);
	 * its phrasings now give every quote hundreds of distinct tasks, so the
	 * report's "short" is only checked for consistency above
	 * (tasks + short = per_family). */
	assert_int_equal(made, n);
	json_decref(r);
	for (int64_t i = 0; i < n; i++) {
		free(keys[i]);
		free(splits[i]);
	}
	free(keys);
	free(splits);
	crmw_buf_dispose(&rep);
	crmw_buf_dispose(&b);
	crmw_task_set_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_match), cmocka_unit_test(test_fuzzy_match), cmocka_unit_test(test_privacy),
		cmocka_unit_test(test_task_files),  cmocka_unit_test(test_resolve),	cmocka_unit_test(test_user_sim),
		cmocka_unit_test(test_generate),    cmocka_unit_test(test_regression_none_late_in_answer),
		cmocka_unit_test(test_regression_fuzzy_long_word),  cmocka_unit_test(test_regression_exact_long_gold),
		cmocka_unit_test(test_regression_cut_reply_fails), cmocka_unit_test(test_regression_no_identical_tasks),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("tasks", tests, NULL, drop_small_b2b);
}
