/*
 * Unit tests of exact_match and fuzzy_match (issue 25, "a scorer you can
 * defend"): every scorer case of the issue with the official behaviour as
 * the expected value (ordinary words in None answers, the forms CRMArena's
 * extractor accepts, ids compared as written, strict equality, Unicode
 * punctuation in F1), and what a policy that games its reward would try
 * (answers that list every candidate, None followed by entities, empty and
 * 100 KB answers, one answer scored as None and as an entity).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

typedef struct scase {
	const char *gold;    /* JSON */
	const char *answer;
	const char *options; /* JSON or NULL */
	double want;
} scase;

static double exact_opts(const char *gold, const char *answer, const char *options)
{
	double s = -1;
	crmw_buf info = CRMW_BUF_INIT;
	int rc = crmw_reward_exact_match_opts(&s, &info, gold, answer, options);
	if (rc != CRMW_OK)
		fail_msg("gold %s, answer '%s', options %s: %s", gold, answer, options ? options : "NULL",
			 crmw_last_error());
	crmw_buf_dispose(&info);
	return s;
}

static void run_cases(const scase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double s = exact_opts(c[i].gold, c[i].answer, c[i].options);
		if (s != c[i].want) {
			crmw_buf info = CRMW_BUF_INIT;
			crmw_reward_exact_match_opts(&s, &info, c[i].gold, c[i].answer, c[i].options);
			fail_msg("case %zu: gold %s, answer '%s', options %s: score %g, expected %g\n# %s", i, c[i].gold,
				 c[i].answer, c[i].options ? c[i].options : "NULL", s, c[i].want, info.data);
		}
	}
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof((cases)[0]))

static double fuzzy(const char *gold, const char *answer)
{
	double s = -1;
	assert_int_equal(crmw_reward_fuzzy_match(&s, NULL, gold, answer), CRMW_OK);
	return s;
}

#define REGION "{\"task\":\"best_region_identification\"}"
#define MONTHLY "{\"task\":\"monthly_trend_analysis\"}"
#define STAGE "{\"task\":\"wrong_stage_rectification\"}"
#define BANT "{\"task\":\"lead_qualification\"}"
#define HANDLE "{\"task\":\"handle_time\"}"

/* A correct None answer scores 1 whatever ordinary words it holds: "may"
 * (May), "OK", "IN", "OR", "ME" (states), "Closed", "Quote" (stages).  The
 * official extractor, a language model, lists none of them. */
static void test_none_with_ordinary_words(void **state)
{
	(void)state;
	static const char *const answers[] = {
		"None. You may want to check again next month.",
		"None \xe2\x80\x94 May I help with anything else?",
		"OK, I checked: there is no such agent.",
		"None. It's OK.",
		"NO STATE QUALIFIES IN THIS PERIOD, SO THE ANSWER IS NONE.",
		"None: no cases were closed IN that quarter OR the previous one.",
		"None. Let ME know if you need anything else.",
		"None - all Closed cases were reviewed.",
		"None; the Quote was accepted and nothing else changed.",
		"There is no violation; the customer requested a Quote and the case is Closed.",
		"None. Hi, ID 12 was checked.",
		"None of the months from January to June stands out.",
		"No agent qualifies.",
		"I could not find any matching record.",
		"N/A",
		"none",
	};
	static const char *const opts[] = {NULL, REGION, MONTHLY, STAGE, BANT, HANDLE};
	for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
		for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) {
			if (exact_opts("[null]", answers[i], opts[k]) != 1.0)
				fail_msg("None answer '%s' (options %s) is not None", answers[i], opts[k] ? opts[k] : "NULL");
		}
	}
	/* each task's own words */
	static const scase own[] = {
		{"[null]", "None. You may need to check the budget.", BANT, 1},
		{"[null]", "None: there is no budget issue.", BANT, 1},
		{"[null]", "The lead is qualified: Budget, Authority, Need and Timeline are all met.", BANT, 1},
		{"[null]", "Yes, the lead can be qualified.", BANT, 1},
		{"[null]", "The current stage is correct.", STAGE, 1},
		{"[null]", "The current stage is Quote, which is correct.", STAGE, 1},
		{"[null]", "None \xe2\x80\x94 the stage is correct; the quote was sent and the deal is not closed yet.", STAGE, 1},
		{"[null]", "No change needed.", STAGE, 1},
		{"[null]", "None, no state had closed cases in May.", REGION, 1},
		{"[null]", "No, there isn't a month that stands out.", MONTHLY, 1},
		{"[null]", "No. Counts from January through June were flat.", MONTHLY, 1},
		{"[null]", "None; the numbers were flat (January\xe2\x80\x93June).", MONTHLY, 1},
	};
	RUN(own);
}

/* Answers that assert an entity are not None, however they start. */
static void test_not_none(void **state)
{
	(void)state;
	static const scase cases[] = {
		/* "None of ..." then an answer */
		{"[null]", "None of the agents qualify... the answer is Texas.", NULL, 0},
		{"[null]", "None of the agents qualify; the answer is Texas.", REGION, 0},
		{"[\"TX\"]", "None of the agents qualify; the answer is Texas.", REGION, 1},
		/* None, then a list */
		{"[null]", "None. Or maybe CA, TX, NY.", NULL, 0},
		{"[null]", "None.\n\nNote: I checked OK, TX and CA.", REGION, 0},
		{"[null]", "None. March and May were tied.", MONTHLY, 0},
		{"[null]", "None, but Discovery would fit the stage better.", STAGE, 0},
		{"[null]", "None \xe2\x80\x94 the lead fails on Budget.", BANT, 0},
		{"[null]", "None 005Wt000003NGtcIAG", HANDLE, 0},
		/* negated None, no None at all, nothing */
		{"[null]", "The answer is not None.", NULL, 0},
		{"[null]", "The lead is not fully qualified.", BANT, 0},
		{"[null]", "I'm not sure.", NULL, 0},
		{"[null]", "", NULL, 0},
		{"[null]", "   ", NULL, 0},
		{"[null]", "\"\"", NULL, 0},
		/* entities */
		{"[null]", "The state with the quickest closures is OK.", NULL, 0},
		{"[null]", "Cases peaked in May.", NULL, 0},
		{"[null]", "May", MONTHLY, 0},
		{"[null]", "The correct stage is Quote.", NULL, 0},
		{"[null]", "quote", STAGE, 0},
		{"[null]", "budget", BANT, 0},
		{"[null]", "ca", REGION, 0},
		/* an entity gold is not met by None */
		{"[\"ka0Wt000000Eq0MIAS\"]", "None", NULL, 0},
		{"[\"TX\"]", "None of the states.", REGION, 0},
	};
	RUN(cases);
	/* as in the official harness, a task's type decides what is read: an id
	 * task's None answer may name a state */
	assert_true(exact_opts("[null]", "None of the agents qualify; the answer is Texas.", HANDLE) == 1.0);
}

/* The forms CRMArena's extractor accepts: any case of stages, BANT factors
 * and state codes where the answer asserts them, state names as codes. */
static void test_accepted_forms(void **state)
{
	(void)state;
	static const scase cases[] = {
		{"[\"CA\"]", "ca", NULL, 1},
		{"[\"CA\"]", "ca", REGION, 1},
		{"[\"CA\"]", "The state is ca.", NULL, 1},
		{"[\"CA\"]", "California", NULL, 1},
		{"[\"CA\"]", "california", REGION, 1},
		{"[\"CA\"]", "California had the quickest closures.", REGION, 1},
		{"[\"CA\"]", "The answer is CA (California).", NULL, 1},
		{"[\"CA\"]", "CA, I think.", NULL, 1},
		{"[\"CA\"]", "['CA']", NULL, 1},
		{"[\"CA\"]", "\xe2\x80\x9c" "CA\xe2\x80\x9d", NULL, 1},
		{"[\"TX\"]", "Based on the data, the state with the quickest case closures is **Texas (TX)**.", REGION, 1},
		{"[\"TX\"]", "Without a doubt, TX is the fastest.", REGION, 1},
		{"[\"TX\"]", "I didn't check every record, but TX is the fastest.", REGION, 1},
		{"[\"TX\"]", "Not CA but TX.", REGION, 1},
		{"[\"OK\"]", "The state with the quickest closures is OK.", REGION, 1},
		{"[\"OK\"]", "Oklahoma", REGION, 1},
		{"[\"OK\"]", "**OK**", REGION, 1},
		{"[\"IN\"]", "Region: IN", REGION, 1},
		{"[\"IN\"]", "Indiana", REGION, 1},
		{"[\"ME\"]", "The region with the quickest closures is ME.", REGION, 1},
		{"[\"OR\"]", "Oregon (OR) closes cases quickest.", REGION, 1},
		{"[\"NY\"]", "new york", REGION, 1},
		{"[\"WV\"]", "West Virginia", REGION, 1},
		{"[\"DC\"]", "Washington, D.C.", REGION, 1},
		{"[\"WA\"]", "Washington", REGION, 1},
		{"[\"Quote\"]", "quote", NULL, 1},
		{"[\"Quote\"]", "quote", STAGE, 1},
		{"[\"Quote\"]", "The stage should be quote.", STAGE, 1},
		{"[\"Quote\"]", "Great, we'll align the Opportunity stage to 'Quote' to reflect the current tasks.", STAGE, 1},
		{"[\"Discovery\"]", "It should be moved to Discovery.", STAGE, 1},
		{"[\"Discovery\"]", "Move it from Quote to Discovery.", STAGE, 1},
		{"[\"Discovery\"]", "The current stage (Quote) is wrong; it should be Discovery.", STAGE, 1},
		{"[\"Negotiation\"]", "The opportunity should be in the Negotiation stage.", STAGE, 1},
		{"[\"Closed\"]", "The stage should be Closed Won.", STAGE, 1},
		{"[\"Closed\"]", "Stage: CLOSED", STAGE, 1},
		{"[\"Budget\"]", "budget", NULL, 1},
		{"[\"Budget\"]", "budget", BANT, 1},
		{"[\"Budget\"]", "The lead fails on budget.", BANT, 1},
		{"[\"Authority\"]", "The lead meets Budget, Need, and Timeline but fails Authority.", BANT, 1},
		{"[\"Authority\"]",
		 "Understood. The lead may not be fully qualified given he lacks final approval authority for the purchase.",
		 BANT, 1},
		{"[\"Authority\",\"Need\"]", "Authority and Need are not met.", BANT, 1},
		{"[\"Need\"]", "There is no clear need.", BANT, 1},
		{"[\"Timeline\"]", "The timeline is unclear; budget, authority and need are confirmed.", BANT, 1},
		{"[\"Budget\",\"Timeline\"]", "It fails on Timeline and Budget; they need approval.", BANT, 1},
		/* the official file writes two factors as one string */
		{"[\"Authority, Need\"]", "Need, Authority", BANT, 1},
		{"[\"May\"]", "may", MONTHLY, 1},
		{"[\"May\"]", "Cases peaked in May.", MONTHLY, 1},
		{"[\"May\"]", "May had the most cases.", MONTHLY, 1},
		{"[\"May\"]", "The month is May 2024.", MONTHLY, 1},
		{"[\"March\"]", "In the past 6 months, march saw significantly more cases.", MONTHLY, 1},
		/* and what they do not accept */
		{"[\"May\"]", "The answer may be June.", MONTHLY, 0},
		{"[\"Need\"]", "You need to check Budget.", BANT, 0},
		{"[\"OR\"]", "Cases closed fastest in OR, then in WA or CA.", REGION, 0},
	};
	RUN(cases);
}

/* Listing candidates never wins: the comparison is a set equality, as the
 * official sorted-list equality. */
static void test_supersets(void **state)
{
	(void)state;
	static const scase cases[] = {
		{"[\"TX\"]",
		 "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
		 "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC",
		 REGION, 0},
		{"[\"TX\"]", "tx, ca, ny, fl, or wa", REGION, 0},
		{"[\"TX\"]", "TX and OK are tied.", REGION, 0},
		{"[\"TX\"]", "TX or OK", REGION, 0},
		{"[\"TX\",\"OK\"]", "TX or OK", REGION, 1},
		{"[\"TX\",\"CA\"]", "TX, ca", REGION, 1},
		{"[\"TX\"]", "Texas or California", REGION, 0},
		{"[\"Closed\"]", "Qualification, Discovery, Quote, Negotiation, Closed", STAGE, 0},
		{"[\"Closed\"]", "The stage is Closed or Negotiation.", STAGE, 0},
		{"[\"Budget\"]", "Budget, Authority, Need, Timeline", BANT, 0},
		{"[\"May\"]",
		 "January, February, March, April, May, June, July, August, September, October, November, December",
		 MONTHLY, 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAG or 005Wt000003NGtdIAG", HANDLE, 0},
		{"[\"005Wt000003NGtcIAG\"]", "None, or 005Wt000003NGtcIAG, or 005Wt000003NGtdIAG", HANDLE, 0},
		/* the same entity twice is one */
		{"[\"TX\"]", "TX. Yes, Texas (TX).", REGION, 1},
		/* a subset is wrong too */
		{"[\"00TWt000002zEpkMAE\",\"00TWt000002zC9fMAE\"]", "00TWt000002zC9fMAE", NULL, 0},
		{"[\"00TWt000002zEpkMAE\",\"00TWt000002zC9fMAE\"]", "- 00TWt000002zC9fMAE\n- 00TWt000002zEpkMAE", NULL, 1},
	};
	RUN(cases);
}

/* Ids as CRMArena compares them: 18 characters as written. */
static void test_ids(void **state)
{
	(void)state;
	static const scase cases[] = {
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAG", NULL, 1},
		{"[\"005Wt000003NGtcIAG\"]", "The best agent is 005Wt000003NGtcIAG (Jane Doe).", NULL, 1},
		{"[\"005Wt000003NGtcIAG\"]", "It is 005Wt000003NGtcIAG's case.", NULL, 1},
		/* 15 characters: rejected by default, accepted in lenient mode */
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtc", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "The agent is 005Wt000003NGtc.", HANDLE, 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtc", "{\"lenient_ids\":true}", 1},
		{"[\"005Wt000003NGtc\"]", "005Wt000003NGtcIAG", "{\"lenient_ids\":true}", 1},
		{"[\"005Wt000003NGtc\"]", "005Wt000003NGtcIAG", NULL, 0},
		/* lenient still compares case-sensitively, and the 18-character form as written */
		{"[\"005Wt000003NGtcIAG\"]", "005wt000003NGtc", "{\"lenient_ids\":true}", 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcAAA", "{\"lenient_ids\":true}", 0},
		/* a wrong suffix, another case, the id inside a longer token */
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcAAA", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "005wt000003ngtciag", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "x005Wt000003NGtcIAG", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "agent_005Wt000003NGtcIAG", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAGx", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAG005Wt000003NGtcIAG", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAG\xc3\xa9", NULL, 0},
		{"[\"005Wt000003NGtcIAG\"]", "\xe2\x80\x9c" "005Wt000003NGtcIAG\xe2\x80\x9d", NULL, 1},
	};
	RUN(cases);
}

/* strict: the function-calling harness's answer == gold, nothing stripped. */
static void test_strict(void **state)
{
	(void)state;
	static const scase cases[] = {
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtcIAG", "{\"strict\":true}", 1},
		{"\"005Wt000003NGtcIAG\"", "005Wt000003NGtcIAG", "{\"strict\":true}", 1},
		{"[\"005Wt000003NGtcIAG\"]", " 005Wt000003NGtcIAG", "{\"strict\":true}", 0},
		{"[\"005Wt000003NGtcIAG\"]", "'005Wt000003NGtcIAG'", "{\"strict\":true}", 0},
		{"[\"005Wt000003NGtcIAG\"]", "The agent is 005Wt000003NGtcIAG.", "{\"strict\":true}", 0},
		{"[\"005Wt000003NGtcIAG\"]", "005Wt000003NGtc", "{\"strict\":true, \"lenient_ids\":true}", 0},
		{"[\"CA\"]", "ca", "{\"strict\":true}", 0},
		{"[null]", "None", "{\"strict\":true}", 1},
		{"null", "None", "{\"strict\":true}", 1},
		{"[null]", "none", "{\"strict\":true}", 0},
		{"[null]", "None.", "{\"strict\":true}", 0},
		{"[\"Budget\",\"Need\"]", "Budget, Need", "{\"strict\":true}", 1},
		{"[\"Budget\",\"Need\"]", "Need, Budget", "{\"strict\":true}", 0},
		/* not strict: the chat harness strips whitespace and quotes */
		{"[\"005Wt000003NGtcIAG\"]", " \"005Wt000003NGtcIAG\" ", "{\"strict\":false}", 1},
	};
	RUN(cases);
}

/* Options and the breakdown. */
static void test_options(void **state)
{
	(void)state;
	double s;
	crmw_buf info = CRMW_BUF_INIT;
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, "[\"CA\"]", "CA", "{\"strict\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, "[\"CA\"]", "CA", "{\"lenient\":true}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "\"lenient\""));
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, "[\"CA\"]", "CA", "{\"task\":3}"), CRMW_EINVALID);
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, "[\"CA\"]", "CA", "{"), CRMW_EFORMAT);
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, "[\"CA\"]", "CA", "[]"), CRMW_EINVALID);
	assert_int_equal(crmw_reward_exact_match_opts(NULL, NULL, "[\"CA\"]", "CA", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, NULL, "CA", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_reward_exact_match_opts(&s, NULL, "[\"CA\"]", NULL, ""), CRMW_OK);
	assert_true(s == 0.0);
	/* the breakdown names what was read and what was left out, and why */
	assert_int_equal(crmw_reward_exact_match_opts(&s, &info, "[null]", "OK, no state qualifies.", REGION), CRMW_OK);
	assert_true(s == 1.0);
	json_t *j = json_loads(info.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "none");
	assert_true(json_is_true(json_object_get(j, "says_none")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "kinds"), 0)), "state");
	json_t *ign = json_array_get(json_object_get(j, "ignored"), 0);
	assert_string_equal(json_string_value(json_object_get(ign, "text")), "OK");
	assert_string_equal(json_string_value(json_object_get(ign, "why")), "ordinary word");
	json_decref(j);
	assert_int_equal(crmw_reward_exact_match_opts(&s, &info, "[\"CA\"]", " CA", "{\"strict\":true}"), CRMW_OK);
	j = json_loads(info.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "strict");
	assert_string_equal(json_string_value(json_object_get(j, "expected")), "CA");
	json_decref(j);
	/* crmw_task_score_opts: exact_match with options, the rest as crmw_task_score */
	const char *text = "[{\"idx\":0,\"type\":\"handle_time\",\"query\":\"q\",\"answer\":\"005Wt000003NGtcIAG\","
			   "\"reward_metric\":\"exact_match\"},"
			   "{\"idx\":1,\"type\":\"knowledge_qa\",\"query\":\"q\",\"answer\":\"Within 30 days\","
			   "\"reward_metric\":\"fuzzy_match\"},"
			   "{\"idx\":2,\"type\":\"best_region_identification\",\"query\":\"q\",\"answer\":null,"
			   "\"reward_metric\":\"exact_match\"}]";
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_parse(&ts, text, strlen(text)), CRMW_OK);
	assert_int_equal(crmw_task_score_opts(&s, NULL, ts, 0, "005Wt000003NGtc", NULL, NULL, NULL, NULL), CRMW_OK);
	assert_true(s == 0.0);
	assert_int_equal(crmw_task_score_opts(&s, NULL, ts, 0, "005Wt000003NGtc", NULL, NULL, NULL,
					      "{\"lenient_ids\":true}"),
			 CRMW_OK);
	assert_true(s == 1.0);
	assert_int_equal(crmw_task_score_opts(&s, &info, ts, 0, "'005Wt000003NGtcIAG'", NULL, NULL, NULL,
					      "{\"strict\":true}"),
			 CRMW_OK);
	assert_true(s == 0.0);
	assert_non_null(strstr(info.data, "\"strict\""));
	assert_int_equal(crmw_task_score_opts(&s, NULL, ts, 1, "\xe2\x80\x9cwithin 30 days\xe2\x80\x9d", NULL, NULL, NULL,
					      "{\"strict\":true}"),
			 CRMW_OK);
	assert_true(s == 1.0);
	/* the task's type reaches the scorer: a None answer naming a month */
	assert_int_equal(crmw_task_score(&s, NULL, ts, 2, "None; no state stands out in May.", NULL, NULL, NULL), CRMW_OK);
	assert_true(s == 1.0);
	assert_int_equal(crmw_task_score_opts(&s, NULL, ts, 0, "x", NULL, NULL, NULL, "{\"task\":\"x\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_score_opts(&s, NULL, ts, 3, "x", NULL, NULL, NULL, "{\"strict\":true}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_score_opts(NULL, NULL, ts, 0, "x", NULL, NULL, NULL, "{\"strict\":true}"), CRMW_EINVALID);
	crmw_task_set_free(ts);
	crmw_buf_dispose(&info);
}

/* F1 with Unicode punctuation and spaces normalised as ASCII punctuation
 * is (lower case, punctuation to spaces, a/an/the dropped). */
static void test_fuzzy_unicode(void **state)
{
	(void)state;
	const char *gold = "[\"Regular calibration and software updates.\"]";
	assert_true(fuzzy(gold, "\xe2\x80\x9cRegular calibration and software updates.\xe2\x80\x9d") == 1.0);
	assert_true(fuzzy(gold, "\xe2\x80\x98regular calibration\xe2\x80\x99 and software updates\xe2\x80\xa6") == 1.0);
	assert_true(fuzzy("[\"don't use it\"]", "don\xe2\x80\x99t use it") == 1.0);
	assert_true(fuzzy("[\"within 30 days\"]", "within\xc2\xa0" "30\xe2\x80\x89" "days") == 1.0);
	assert_true(fuzzy("[\"end-to-end encryption\"]", "end\xe2\x80\x93to\xe2\x80\x94" "end encryption") == 1.0);
	assert_true(fuzzy("[\"30 days\"]", "\xc2\xab" "30 days\xc2\xbb \xe2\x80\x94 \xc2\xbf") == 1.0);
	assert_true(fuzzy("[\"30 days\"]", "\xef\xbc\x88" "30 days\xef\xbc\x89\xe3\x80\x82") == 1.0);
	assert_true(fuzzy("[\"\xc3\x89mile Zola\"]", "\xc3\xa9mile zola") == 1.0);
	/* invisible characters do not split or change a word */
	assert_true(fuzzy("[\"calibration\"]", "cali\xc2\xad" "bra\xe2\x80\x8btion") == 1.0);
	/* half the tokens: a typographic quote does not cost a token any more */
	double f = fuzzy("[\"software updates\"]", "\xe2\x80\x9csoftware\xe2\x80\x9d");
	assert_true(f > 0.66 && f < 0.67);
	/* as the official f1_score: nothing shared is 0, also when both are empty */
	assert_true(fuzzy("[\"the\"]", "a") == 0.0);
	assert_true(fuzzy("[\"x\"]", "") == 0.0);
	/* undecodable bytes are word characters, compared as they are */
	assert_true(fuzzy("[\"abc\"]", "a\xff" "bc") == 0.0);
	double s;
	crmw_buf info = CRMW_BUF_INIT;
	assert_int_equal(crmw_reward_fuzzy_match(&s, &info, "[\"A\xe2\x80\x99s plan\"]", "a s plan"), CRMW_OK);
	assert_true(s == 1.0);
	json_t *j = json_loads(info.data, 0, NULL);
	assert_true(json_is_true(json_object_get(j, "exact_match")));
	json_decref(j);
	crmw_buf_dispose(&info);
}

/* The one invariant a hedging policy would break: no answer scores 1 both
 * against None and against an entity gold of the same task. */
static void test_no_answer_is_both(void **state)
{
	(void)state;
	static const char *const answers[] = {
		"None", "None, TX", "None. Or maybe TX", "None of the states; TX", "TX", "tx", "Texas", "OK", "ok",
		"OK, TX", "None or TX", "Not TX", "No TX", "TX? None?", "None (TX)", "none / TX", "None, OK",
		"No state other than TX", "The state is none other than TX", "Neither None nor TX",
		"May", "may", "None, May", "None - May I say TX", "Quote", "quote", "None, quote", "The stage is none",
		"Budget", "budget", "None, budget", "fails budget, none", "Closed", "None; stage Closed",
		"005Wt000003NGtcIAG", "None 005Wt000003NGtcIAG", "None 005Wt000003NGtc",
	};
	static const struct {
		const char *task, *golds[4];
	} tasks[] = {
		{"best_region_identification", {"[\"TX\"]", "[\"OK\"]", "[\"CA\"]", NULL}},
		{"monthly_trend_analysis", {"[\"May\"]", "[\"June\"]", NULL}},
		{"wrong_stage_rectification", {"[\"Quote\"]", "[\"Closed\"]", NULL}},
		{"lead_qualification", {"[\"Budget\"]", "[\"Budget\",\"Need\"]", NULL}},
		{"handle_time", {"[\"005Wt000003NGtcIAG\"]", NULL}},
		{"", {"[\"TX\"]", "[\"May\"]", "[\"Quote\"]", "[\"Budget\"]"}},
	};
	for (size_t t = 0; t < sizeof tasks / sizeof *tasks; t++) {
		for (int lenient = 0; lenient < 2; lenient++) {
			char opts[128];
			snprintf(opts, sizeof opts, "{\"task\":\"%s\", \"lenient_ids\":%s}", tasks[t].task,
				 lenient ? "true" : "false");
			for (size_t a = 0; a < sizeof answers / sizeof *answers; a++) {
				double none = exact_opts("[null]", answers[a], opts);
				for (size_t g = 0; g < 4 && tasks[t].golds[g]; g++) {
					if (none == 1.0 && exact_opts(tasks[t].golds[g], answers[a], opts) == 1.0)
						fail_msg("'%s' scores 1 both as None and as %s (%s)", answers[a],
							 tasks[t].golds[g], opts);
				}
			}
		}
	}
}

/* Long and odd answers: 100 KB of candidates, of None, of undecodable
 * bytes; past 1 MiB an answer is not read. */
static void test_large_answers(void **state)
{
	(void)state;
	size_t n = 100 * 1024;
	char *a = malloc(n + 64);
	assert_non_null(a);
	/* every state, over and over */
	static const char codes[] = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
				    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC ";
	for (size_t i = 0; i < n; i++)
		a[i] = codes[i % (sizeof codes - 1)];
	a[n] = '\0';
	assert_true(exact_opts("[\"TX\"]", a, REGION) == 0.0);
	assert_true(exact_opts("[null]", a, REGION) == 0.0);
	/* "OK " 34000 times: one entity, OK */
	for (size_t i = 0; i < n; i++)
		a[i] = "OK "[i % 3];
	a[n - n % 3] = '\0';
	assert_true(exact_opts("[\"OK\"]", a, REGION) == 1.0);
	/* distinct ids */
	size_t len = 0;
	for (unsigned i = 0; len + 20 < n; i++)
		len += (size_t)sprintf(a + len, "005Wt%010uAAA ", i);
	assert_true(exact_opts("[\"005Wt0000000007AAA\"]", a, HANDLE) == 0.0);
	assert_true(exact_opts("[null]", a, HANDLE) == 0.0);
	/* None, over and over, then one month at the very end */
	for (size_t i = 0; i < n; i++)
		a[i] = "None. "[i % 6];
	a[n] = '\0';
	assert_true(exact_opts("[null]", a, MONTHLY) == 1.0);
	strcpy(a + n - 10, " June.");
	assert_true(exact_opts("[null]", a, MONTHLY) == 0.0);
	assert_true(exact_opts("[\"June\"]", a, MONTHLY) == 1.0);
	/* bytes that are not UTF-8, one sentence with no end */
	for (size_t i = 0; i < n; i++)
		a[i] = (char)(0x80 + (i * 7919) % 0x7F);
	a[n] = '\0';
	assert_true(exact_opts("[null]", a, NULL) == 0.0);
	assert_true(exact_opts("[\"TX\"]", a, NULL) == 0.0);
	assert_true(fuzzy("[\"x\"]", a) == 0.0);
	/* one long negated list */
	static const char neg[] = "None of CA, TX or NY qualifies. ";
	for (size_t i = 0; i < n; i++)
		a[i] = neg[i % (sizeof neg - 1)];
	a[n - n % (sizeof neg - 1)] = '\0';
	assert_true(exact_opts("[null]", a, REGION) == 1.0);
	assert_true(exact_opts("[\"TX\"]", a, REGION) == 0.0);
	assert_true(fuzzy("[\"none of CA\"]", a) < 0.01);
	free(a);
	/* over 1 MiB: 0, without reading */
	size_t big = ((size_t)1 << 20) + 10;
	char *b = malloc(big + 1);
	assert_non_null(b);
	memset(b, ' ', big);
	memcpy(b, "TX", 2);
	b[big] = '\0';
	crmw_buf info = CRMW_BUF_INIT;
	double s;
	assert_int_equal(crmw_reward_exact_match_opts(&s, &info, "[\"TX\"]", b, NULL), CRMW_OK);
	/* stripped of its spaces it is the gold: the direct test comes first */
	assert_true(s == 1.0);
	memcpy(b + big - 2, "TX", 2);
	assert_int_equal(crmw_reward_exact_match_opts(&s, &info, "[\"TX\"]", b, NULL), CRMW_OK);
	assert_true(s == 0.0);
	assert_non_null(strstr(info.data, "too_long"));
	crmw_buf_dispose(&info);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_with_ordinary_words),
		cmocka_unit_test(test_not_none),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_supersets),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_fuzzy_unicode),
		cmocka_unit_test(test_no_answer_is_both),
		cmocka_unit_test(test_large_answers),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("reward", tests, NULL, NULL);
}
