/*
 * tests/unit/test_program.c: the program notation and its interpreter
 * (lib/tasks/program.c) and induction from episodes (lib/agent/induce.c),
 * on hand-made episodes: every explanation and answer kind, a guard learned
 * from None variants, unseen result shapes, disagreeing explanations,
 * programs that choose by words, and malformed programs.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "agent/internal.h"
#include "tasks/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *task(const char *id, const char *family, const char *query, const char *today, const char *required)
{
	json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:{s:s}}", "id", id, "task", family, "family", family, "query", query,
			      "context", "today", today, "metadata", "required", required ? required : "");
	assert_non_null(t);
	return t;
}

static json_t *episode(json_t *t, const char *calls, const char *results, const char *answer)
{
	json_t *e = json_pack("{s:o,s:o,s:o,s:s}", "task", t, "calls", json_loads(calls, 0, NULL), "results",
			      json_loads(results, 0, NULL), "answer", answer);
	assert_non_null(e);
	assert_non_null(json_object_get(e, "calls"));
	assert_non_null(json_object_get(e, "results"));
	return e;
}

/* The next step of the library for a task, with the results given as text. */
static void next(crmw__prog_next *nx, const json_t *lib, const json_t *t, const char *results)
{
	json_t *r = json_loads(results, 0, NULL);
	assert_non_null(r);
	assert_int_equal(crmw__induced_next(nx, lib, t, crmw__task_family(t), r), CRMW_OK);
	json_decref(r);
}

static void expect_call(const json_t *lib, const json_t *t, const char *results, const char *name, const char *args)
{
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	if (nx.kind != CRMW__PROG_CALL)
		fail_msg("expected a call of %s, got kind %d: %s", name, nx.kind, nx.why);
	assert_string_equal(nx.name, name);
	json_t *want = json_loads(args, 0, NULL);
	if (!json_equal(want, nx.arguments)) {
		char *got = json_dumps(nx.arguments, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("arguments of %s: %s", name, got);
	}
	json_decref(want);
	crmw__prog_next_clear(&nx);
}

static void expect_answer(const json_t *lib, const json_t *t, const char *results, const char *answer)
{
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	if (nx.kind != CRMW__PROG_ANSWER)
		fail_msg("expected the answer %s, got kind %d: %s", answer, nx.kind, nx.why);
	assert_string_equal(nx.answer, answer);
	crmw__prog_next_clear(&nx);
}

static void expect_abstain(const json_t *lib, const json_t *t, const char *results, const char *why)
{
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	if (nx.kind != CRMW__PROG_ABSTAIN)
		fail_msg("expected an abstention (%s), got kind %d", why, nx.kind);
	if (!strstr(nx.why, why))
		fail_msg("abstained for another reason (not %s): %s", why, nx.why);
	crmw__prog_next_clear(&nx);
}

/* Three solved episodes of one family: every argument explanation. */
static json_t *sales_episode(const char *id, const char *product, const char *widget, int least, int months,
			     const char *today, const char *start, const char *top)
{
	char q[400], calls[1200], results[600];
	char k = (char)(product[3] | 32); /* the items' ids differ from task to task */
	snprintf(q, sizeof q,
		 "Which rep sold the most of the %s among reps with at least %d deals in the past %d months? Product %s.",
		 widget, least, months, product);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"get_sales\",\"arguments\":{\"product_id\":\"%s\",\"start\":\"%sT00:00:00Z\","
		 "\"end\":\"%sT00:00:00Z\",\"min\":%d,\"name\":\"%s\",\"asked\":\"%s\"}},"
		 "{\"name\":\"get_deals\",\"arguments\":{\"ids\":[\"%c1\",\"%c2\",\"%c3\"],\"item\":\"%c%c\"}}]",
		 product, start, today, least - 1, widget, today, k, k, k, k,
		 strcmp(widget, "Blue Widget") == 0 ? '1' : strcmp(widget, "Red Gadget") == 0 ? '2' : '3');
	snprintf(results, sizeof results,
		 "[{\"items\":[{\"Id\":\"%c1\",\"Name\":\"Blue Widget\"},{\"Id\":\"%c2\",\"Name\":\"Red Gadget\"},"
		 "{\"Id\":\"%c3\",\"Name\":\"Green Gizmo\"}],\"counts\":{\"005A\":%d,\"005B\":%d}},"
		 "[{\"Stage\":\"Won\",\"Amount\":3},{\"Stage\":\"Won\",\"Amount\":4}]]",
		 k, k, k, strcmp(top, "005A") == 0 ? 9 : 2, strcmp(top, "005A") == 0 ? 1 : 7);
	return episode(task(id, "sales", q, today, NULL), calls, results, top);
}

/* The library induced from the episodes (released). */
static json_t *induced(json_t *eps)
{
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	if (!lib)
		fail_msg("induce: %s", why);
	json_decref(eps);
	return lib;
}

/* The three sales episodes. */
static json_t *sales_episodes(void)
{
	json_t *eps = json_array();
	json_array_append_new(eps, sales_episode("s-1", "01tAAAAAAAAAAAAAAA", "Blue Widget", 3, 2, "2024-03-15", "2024-01-15", "005A"));
	json_array_append_new(eps, sales_episode("s-2", "01tBBBBBBBBBBBBBBB", "Red Gadget", 1, 4, "2023-08-31", "2023-04-30", "005B"));
	json_array_append_new(eps, sales_episode("s-3", "01tCCCCCCCCCCCCCCC", "Green Gizmo", 5, 1, "2024-05-10", "2024-04-10", "005B"));
	return eps;
}

/* The library induced from the three sales episodes, and a new task of theirs. */
static json_t *sales_library(void)
{
	return induced(sales_episodes());
}

static json_t *sales_task(void)
{
	return task("s-9", "sales",
		    "Which rep sold the most of the Green Gizmo among reps with at least 2 deals in the past 3 months? "
		    "Product 01tDDDDDDDDDDDDDDD.",
		    "2024-06-30", NULL);
}

static void test_explanations(void **state)
{
	(void)state;
	char why[300];
	json_t *lib = sales_library();
	const json_t *progs = json_object_get(lib, "programs");
	assert_int_equal(json_array_size(progs), 1);
	const json_t *p = json_array_get(progs, 0);
	assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_OK);
	char *text = json_dumps(p, JSON_COMPACT);
	/* the kinds of explanation the values needed */
	assert_non_null(strstr(text, "{\"$task\":\"id\",\"prefix\":\"01t\",\"index\":0}"));
	assert_non_null(strstr(text, "\"$period\":\"start\""));
	assert_non_null(strstr(text, "\"$period\":\"end\""));
	assert_non_null(strstr(text, "\"offset\":-1"));
	assert_non_null(strstr(text, "\"$phrase\""));
	assert_non_null(strstr(text, "{\"$task\":\"today\",\"format\":\"date\"}"));
	assert_non_null(strstr(text, "\"pluck\":\"Id\""));
	assert_non_null(strstr(text, "\"$pick\""));
	assert_non_null(strstr(text, "\"$argmax\":\"/0/counts\""));
	free(text);
	/* a new task: every value computed from it and from the results */
	json_t *t = sales_task();
	expect_call(lib, t, "[]", "get_sales",
		    "{\"product_id\":\"01tDDDDDDDDDDDDDDD\",\"start\":\"2024-03-30T00:00:00Z\",\"end\":\"2024-06-30T00:00:00Z\","
		    "\"min\":1,\"name\":\"Green Gizmo\",\"asked\":\"2024-06-30\"}");
	const char *r0 = "[{\"items\":[{\"Id\":\"b1\",\"Name\":\"Green Gizmo\"},{\"Id\":\"b2\",\"Name\":\"Red Gadget\"}],"
			 "\"counts\":{\"005X\":4,\"005Y\":6}}]";
	expect_call(lib, t, r0, "get_deals", "{\"ids\":[\"b1\",\"b2\"],\"item\":\"b1\"}");
	expect_answer(lib, t,
		      "[{\"items\":[{\"Id\":\"b1\",\"Name\":\"Green Gizmo\"},{\"Id\":\"b2\",\"Name\":\"Red Gadget\"}],"
		      "\"counts\":{\"005X\":4,\"005Y\":6}},[{\"Stage\":\"Won\"},{\"Stage\":\"Lost\"}]]",
		      "005Y");
	/* a task the explanations do not fit: no number after "least" */
	json_t *t2 = task("s-10", "sales", "Which rep sold the most of the Green Gizmo in the past 3 months? Product 01tDDDDDDDDDDDDDDD.",
			  "2024-06-30", NULL);
	expect_abstain(lib, t2, "[]", "no number of the query follows the words");
	/* two items of the list occur in the query: the pick abstains */
	json_t *t3 = task("s-11", "sales",
			  "Which rep sold the most of the Green Gizmo among reps with at least 2 deals in the past 3 months? "
			  "Product 01tDDDDDDDDDDDDDDD of the Red Gadget.",
			  "2024-06-30", NULL);
	expect_abstain(lib, t3, "[]", "explanations disagree");
	json_t *pick = json_loads("{\"steps\":[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":"
				  "{\"$pick\":{\"list\":\"/0/items\",\"match\":\"Name\",\"field\":\"Id\"}}}}]}",
				  0, NULL);
	json_t *rr = json_loads(r0, 0, NULL);
	crmw__prog_next nx;
	assert_int_equal(crmw__program_check(pick, why, sizeof why), CRMW_OK);
	assert_int_equal(crmw__program_next(&nx, pick, t3, rr), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	assert_string_equal(nx.why, "pick: two items' Name occur in the query");
	crmw__prog_next_clear(&nx);
	assert_int_equal(crmw__program_next(&nx, pick, t, rr), CRMW_OK);
	assert_string_equal(nx.answer, "b1");
	crmw__prog_next_clear(&nx);
	json_decref(pick);
	json_decref(rr);
	json_decref(t);
	json_decref(t2);
	json_decref(t3);
	json_decref(lib);
}

/* The order of a call's arguments is not part of what the call does: an
 * episode whose tool call lists the same arguments in another order (a
 * host's JSON, a store's round trip) is one of the program's own tasks,
 * not a counterexample that silences it.  Found through the agent: one
 * top-issue episode out of 40 had its period bounds before the ids, and
 * its program abstained on every task. */
static json_t *reversed_arguments(json_t *e)
{
	json_t *calls = json_object_get(e, "calls");
	size_t i;
	json_t *c;
	json_array_foreach(calls, i, c) {
		json_t *args = json_object_get(c, "arguments"), *rev = json_object();
		const char *keys[16];
		size_t n = 0;
		const char *k;
		json_t *v;
		json_object_foreach(args, k, v) if (n < 16) keys[n++] = k;
		while (n--)
			json_object_set(rev, keys[n], json_object_get(args, keys[n]));
		json_object_set_new(c, "arguments", rev);
	}
	return e;
}

static void test_argument_order(void **state)
{
	(void)state;
	json_t *eps = sales_episodes();
	reversed_arguments(json_array_get(eps, 2));
	json_t *lib = induced(eps), *ref = sales_library();
	const json_t *progs = json_object_get(lib, "programs");
	assert_int_equal(json_array_size(progs), 1);
	const json_t *p = json_array_get(progs, 0);
	assert_int_equal(json_integer_value(json_object_get(p, "docs")), 3);
	assert_int_equal(json_integer_value(json_object_get(p, "negatives")), 0);
	/* the same library as with every argument in the tools' order */
	assert_true(json_equal(lib, ref));
	json_t *t = sales_task();
	expect_call(lib, t, "[]", "get_sales",
		    "{\"product_id\":\"01tDDDDDDDDDDDDDDD\",\"start\":\"2024-03-30T00:00:00Z\",\"end\":\"2024-06-30T00:00:00Z\","
		    "\"min\":1,\"name\":\"Green Gizmo\",\"asked\":\"2024-06-30\"}");
	json_decref(t);
	json_decref(ref);
	json_decref(lib);
}

/* Answers: count, the one distinct value, argmin, a constant (no call). */
static void test_answers(void **state)
{
	(void)state;
	json_t *eps = json_array();
	const char *stages[] = {"Won", "Lost", "Open"};
	for (int i = 0; i < 3; i++) {
		char q[200], calls[300], results[400], id[16];
		snprintf(id, sizeof id, "c-%d", i);
		snprintf(q, sizeof q, "How many deals does account 001AAAAAAAAAAAAAA%c have, and in which stage?", 'A' + i);
		snprintf(calls, sizeof calls, "[{\"name\":\"deals\",\"arguments\":{\"account\":\"001AAAAAAAAAAAAAA%c\"}}]", 'A' + i);
		crmw_buf b = CRMW_BUF_INIT;
		crmw__buf_puts(&b, "[[");
		for (int k = 0; k <= i + 1; k++)
			crmw__buf_printf(&b, "%s{\"Id\":\"d%d\",\"Stage\":\"%s\"}", k ? "," : "", k, stages[i]);
		crmw__buf_puts(&b, "]]");
		snprintf(results, sizeof results, "%s", b.data);
		crmw_buf_dispose(&b);
		char ans[8];
		snprintf(ans, sizeof ans, "%d", i + 2);
		json_array_append_new(eps, episode(task(id, "count", q, "2024-01-01", NULL), calls, results, ans));
		snprintf(id, sizeof id, "d-%d", i);
		json_array_append_new(eps, episode(task(id, "stage", q, "2024-01-01", NULL), calls, results, stages[i]));
		snprintf(id, sizeof id, "r-%d", i);
		json_array_append_new(eps, episode(task(id, "refusal", "What is the home address of Jane Roe?", "2024-01-01", NULL),
						   "[]", "[]", "I cannot share that."));
	}
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	json_t *t = task("c-9", "count", "How many deals does account 001ZZZZZZZZZZZZZZZ have, and in which stage?", "2024-02-01", NULL);
	expect_call(lib, t, "[]", "deals", "{\"account\":\"001ZZZZZZZZZZZZZZZ\"}");
	const char *r = "[[{\"Id\":\"x\",\"Stage\":\"Won\"},{\"Id\":\"y\",\"Stage\":\"Won\"},{\"Id\":\"z\",\"Stage\":\"Won\"},"
			"{\"Id\":\"w\",\"Stage\":\"Won\"},{\"Id\":\"v\",\"Stage\":\"Won\"}]]";
	expect_answer(lib, t, r, "5");
	json_object_set_new(t, "task", json_string("stage"));
	json_object_set_new(t, "family", json_string("stage"));
	expect_answer(lib, t, r, "Won");
	/* the one distinct value: two values abstain */
	expect_abstain(lib, t, "[[{\"Id\":\"x\",\"Stage\":\"Won\"},{\"Id\":\"y\",\"Stage\":\"Lost\"}]]", "more than one value");
	json_object_set_new(t, "task", json_string("refusal"));
	json_object_set_new(t, "family", json_string("refusal"));
	expect_answer(lib, t, "[]", "I cannot share that.");
	json_decref(t);
	json_decref(lib);
	json_decref(eps);
	/* argmin over a map, and the text at a path that is missing: None */
	json_t *prog = json_loads("{\"steps\":[{\"name\":\"m\",\"arguments\":{}},{\"name\":\"respond\",\"arguments\":"
				  "{\"content\":{\"$argmin\":\"/0\"}}}]}",
				  0, NULL);
	assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_OK);
	crmw__prog_next nx;
	json_t *tt = task("x", "x", "q", "2024-01-01", NULL), *res = json_loads("[{\"a\":3,\"b\":1.5,\"c\":2}]", 0, NULL);
	assert_int_equal(crmw__program_next(&nx, prog, tt, res), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ANSWER);
	assert_string_equal(nx.answer, "b");
	crmw__prog_next_clear(&nx);
	json_decref(prog);
	prog = json_loads("[{\"name\":\"m\",\"arguments\":{}},{\"name\":\"respond\",\"arguments\":"
			  "{\"content\":{\"$ref\":\"/0/0/Id\",\"as\":\"text\",\"default\":null}}}]",
			  0, NULL);
	json_decref(res);
	res = json_loads("[[]]", 0, NULL);
	assert_int_equal(crmw__program_next(&nx, prog, tt, res), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ANSWER);
	assert_string_equal(nx.answer, "None");
	crmw__prog_next_clear(&nx);
	json_decref(prog);
	json_decref(res);
	json_decref(tt);
}

/* None variants: episodes that stop after an empty result become a guard;
 * a result of a shape training never saw abstains. */
/* Four episodes of "find": two find the product and its owner, two find
 * nothing and answer None. */
static json_t *find_library(void)
{
	json_t *eps = json_array();
	const char *words[] = {"widget", "gadget", "gizmo", "sprocket"};
	for (int i = 0; i < 4; i++) {
		char q[200], calls[400], results[300], id[16], ans[32];
		snprintf(q, sizeof q, "Show me the %s I bought last week.", words[i]);
		snprintf(id, sizeof id, "n-%d", i);
		if (i < 2) {
			snprintf(calls, sizeof calls,
				 "[{\"name\":\"search\",\"arguments\":{\"term\":\"%s\"}},"
				 "{\"name\":\"owner\",\"arguments\":{\"id\":\"p%d\"}}]",
				 words[i], i);
			snprintf(results, sizeof results, "[[{\"Id\":\"p%d\"}],{\"Owner\":\"005%015d\"}]", i, i);
			snprintf(ans, sizeof ans, "005%015d", i);
		} else {
			snprintf(calls, sizeof calls, "[{\"name\":\"search\",\"arguments\":{\"term\":\"%s\"}}]", words[i]);
			snprintf(results, sizeof results, "[[]]");
			snprintf(ans, sizeof ans, "None");
		}
		json_array_append_new(eps, episode(task(id, "find", q, "2024-01-01", NULL), calls, results, ans));
	}
	return induced(eps);
}

static void test_guard_and_shapes(void **state)
{
	(void)state;
	json_t *lib = find_library();
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	const json_t *g = json_array_get(json_object_get(json_array_get(json_object_get(lib, "programs"), 0), "guards"), 0);
	assert_non_null(g);
	assert_int_equal(json_integer_value(json_object_get(g, "after")), 0);
	json_t *t = task("n-9", "find", "Show me the lamp I bought last week.", "2024-02-01", NULL);
	expect_call(lib, t, "[]", "search", "{\"term\":\"lamp\"}");
	expect_call(lib, t, "[[{\"Id\":\"q7\"}]]", "owner", "{\"id\":\"q7\"}");
	expect_answer(lib, t, "[[{\"Id\":\"q7\"}],{\"Owner\":\"005X\"}]", "005X");
	/* the guard: the search found nothing */
	expect_answer(lib, t, "[[]]", "None");
	/* two products found: never seen, so no answer */
	expect_abstain(lib, t, "[[{\"Id\":\"q7\"},{\"Id\":\"q8\"}]]", "a shape never seen in training");
	/* the words of the tasks it solves to the end; those the guard ended
	 * answered before any direction was taken */
	const json_t *seen = json_object_get(json_array_get(json_object_get(lib, "programs"), 0), "seen");
	assert_non_null(json_object_get(seen, "widget"));
	assert_null(json_object_get(seen, "gizmo"));
	json_decref(t);
	json_decref(lib);
}

/* A guard's path: the early exits of "no agent qualifies" came after a
 * first step that found cases and after one that found none at all (a
 * period before the data).  The full episodes never saw that empty first
 * result; on the way to the guard it goes on, and the guard answers.  Off
 * the path (an empty first result, then agents) it abstains, as a library
 * without paths (stored before them) does at once. */
static void test_guard_path(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const first[] = {"{\"a\":4,\"b\":2}", "{\"a\":1,\"c\":7}", "{\"a\":3}", "{}", "{\"b\":1}"};
	for (int i = 0; i < 5; i++) {
		char q[200], calls[500], results[300], id[16];
		snprintf(q, sizeof q, "Which agent handled the most cases in quarter %d among agents with more than %d cases?", i + 1,
			 i < 2 ? 1 : 5);
		snprintf(id, sizeof id, "g-%d", i);
		if (i < 2) { /* full: some agents qualify, the one with most */
			snprintf(calls, sizeof calls,
				 "[{\"name\":\"handled\",\"arguments\":{\"q\":%d}},{\"name\":\"qualified\",\"arguments\":{\"n\":1}},"
				 "{\"name\":\"find_max\",\"arguments\":{}}]",
				 i + 1);
			snprintf(results, sizeof results, "[%s,[\"%s\",\"%s\"],[\"%s\"]]", first[i], i ? "a" : "a", i ? "c" : "b",
				 i ? "c" : "a");
			json_array_append_new(eps, episode(task(id, "qual", q, "2024-01-01", NULL), calls, results, i ? "c" : "a"));
		} else { /* none qualifies: the first result has cases, or none */
			snprintf(calls, sizeof calls,
				 "[{\"name\":\"handled\",\"arguments\":{\"q\":%d}},{\"name\":\"qualified\",\"arguments\":{\"n\":5}}]", i + 1);
			snprintf(results, sizeof results, "[%s,[]]", first[i]);
			json_array_append_new(eps, episode(task(id, "qual", q, "2024-01-01", NULL), calls, results, "None"));
		}
	}
	json_t *lib = induced(eps);
	json_t *prog = json_array_get(json_object_get(lib, "programs"), 0);
	assert_non_null(prog);
	const json_t *g = json_array_get(json_object_get(prog, "guards"), 0);
	assert_non_null(g);
	assert_int_equal(json_integer_value(json_object_get(g, "after")), 1);
	/* the full episodes' first step saw maps only; the guard's took two
	 * routes to it, through a map and through an empty map */
	const json_t *seen0 = json_object_get(json_array_get(json_object_get(prog, "steps"), 0), "shapes");
	assert_int_equal(json_array_size(seen0), 1);
	assert_string_equal(json_string_value(json_array_get(seen0, 0)), "map");
	json_t *want = json_loads("[[\"map\"],[\"empty\"]]", 0, NULL);
	assert_true(json_equal(json_object_get(g, "path"), want));
	json_decref(want);
	json_t *t = task("g-9", "qual", "Which agent handled the most cases in quarter 9 among agents with more than 5 cases?",
			 "2024-02-01", NULL);
	/* no case at all in the period: on to the guard, which answers */
	expect_call(lib, t, "[{}]", "qualified", "{\"n\":5}");
	expect_answer(lib, t, "[{},[]]", "None");
	/* the explanation of that call names the guard it goes toward */
	crmw__prog_next nx;
	json_t *res = json_loads("[{}]", 0, NULL);
	assert_int_equal(crmw__program_next(&nx, prog, t, res), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_CALL);
	json_t *tw = json_object_get(nx.explain, "toward");
	assert_true(json_is_array(tw) && json_array_size(tw) == 1 && json_integer_value(json_array_get(tw, 0)) == 0);
	crmw__prog_next_clear(&nx);
	json_decref(res);
	res = json_loads("[{\"a\":2}]", 0, NULL); /* on the steps' own shapes: none */
	assert_int_equal(crmw__program_next(&nx, prog, t, res), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_CALL);
	assert_null(json_object_get(nx.explain, "toward"));
	crmw__prog_next_clear(&nx);
	json_decref(res);
	/* off the path: an empty first result, then agents */
	expect_abstain(lib, t, "[{},[\"a\"]]", "step 0 (handled) returned empty, a shape never seen in training");
	/* a library stored before paths: the empty first result abstains */
	json_object_del((json_t *)g, "path");
	expect_abstain(lib, t, "[{}]", "step 0 (handled) returned empty, a shape never seen in training");
	json_decref(t);
	json_decref(lib);
}

#define REVIEW21_Q "Which agent handled the most cases in quarter %d among agents with more than %d cases?"

/* Episodes of review 21's programs: `n` of them, ids `tag`-0..., each
 * the first `calls` of handled (its quarter, from `q`), qualified, ranked
 * and find_max, with results[i] (the list's items, without its brackets)
 * and answers[i]; the threshold of the query is `more`. */
static void review21_episodes(json_t *eps, const char *tag, int n, int calls, int q, int more,
			      const char *const results[], const char *const answers[])
{
	static const char *const names[] = {"qualified", "ranked", "find_max"};
	for (int i = 0; i < n; i++) {
		char qq[200], cl[600], res[300], id[16];
		snprintf(qq, sizeof qq, REVIEW21_Q, q + i, more);
		snprintf(id, sizeof id, "%s-%d", tag, i);
		int w = snprintf(cl, sizeof cl, "[{\"name\":\"handled\",\"arguments\":{\"q\":%d}}", q + i);
		for (int k = 1; k < calls; k++)
			w += snprintf(cl + w, sizeof cl - (size_t)w, ",{\"name\":\"%s\",\"arguments\":{}}", names[k - 1]);
		snprintf(cl + w, sizeof cl - (size_t)w, "]");
		snprintf(res, sizeof res, "[%s]", results[i]);
		json_array_append_new(eps, episode(task(id, "qual", qq, "2024-01-01", NULL), cl, res, answers[i]));
	}
}

/* The two full episodes of review 21's programs: four calls, two agents
 * qualify. */
static void review21_full(json_t *eps)
{
	static const char *const res[] = {"{\"a\":4,\"b\":2},[\"a\",\"b\"],[\"a\",\"b\"],[\"a\"]",
					  "{\"a\":4,\"b\":2},[\"a\",\"b\"],[\"a\",\"b\"],[\"b\"]"};
	static const char *const ans[] = {"a", "b"};
	review21_episodes(eps, "f", 2, 4, 1, 1, res, ans);
}

/* review 21, attack 1: the same route both ended and went on.  The early
 * exits after step 1 ("no agent qualifies" -> None) came after a first
 * step with cases and after one with none; two other prefix episodes, on
 * exactly the route (no case at all, no agent qualifies), went on to a
 * third call and answered its one item.  The full episodes never saw an
 * empty first result, so `seen` cannot tell that the route went on: the
 * new rule answers None where its own training episodes called `ranked`
 * and answered "d"/"e".  The old code abstained at step 0. */
static void test_review21_path_ended_and_went_on(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review21_full(eps);
	/* guard after 1: no agent qualifies, with cases and without */
	static const char *const g1[] = {"{\"a\":3},[]", "{},[]"}, *const none[] = {"None", "None"};
	review21_episodes(eps, "g", 2, 2, 3, 5, g1, none);
	/* guard after 2: the same route (no case, nobody qualifies) went on */
	static const char *const h[] = {"{},[],[\"d\"]", "{},[],[\"e\"]"}, *const hans[] = {"d", "e"};
	review21_episodes(eps, "h", 2, 3, 5, 5, h, hans);
	json_t *lib = induced(eps);
	json_t *t = task("h-9", "qual", "Which agent handled the most cases in quarter 9 among agents with more than 5 cases?",
			 "2024-02-01", NULL);
	expect_call(lib, t, "[{}]", "qualified", "{}");
	/* training: {} then [] both answered None (g-1) and went on (h-0, h-1):
	 * a careful interpreter abstains here */
	expect_abstain(lib, t, "[{},[]]", "both ended the program and went on");
	json_decref(t);
	json_decref(lib);
}

/* review 21, attack 2: the path is a product of per-step unions, not the
 * routes the guard's episodes took.  Guard after 2: (cases, nobody, ...)
 * and (no case, one agent, ...) both ended with nobody ranked; the route
 * (no case, nobody) was never taken, yet it answers.  (Here None is
 * probably right: a literal guard's content; shown for the mechanism.) */
static void test_review21_path_product(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review21_full(eps);
	static const char *const route[] = {"{\"a\":3},[],[]", "{},[\"a\"],[]"}, *const none[] = {"None", "None"};
	review21_episodes(eps, "g", 2, 3, 3, 5, route, none);
	json_t *lib = induced(eps);
	json_t *t = task("g-9", "qual", "Which agent handled the most cases in quarter 9 among agents with more than 5 cases?",
			 "2024-02-01", NULL);
	/* ({}, []) : no guard episode took it */
	expect_abstain(lib, t, "[{},[]]", "never seen in training");
	json_decref(t);
	json_decref(lib);
}

#define REVIEW21_PROG                                                                                          \
	"{\"steps\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"respond\",\"arguments\":{\"content\":1}}],"       \
	"\"guards\":[{\"after\":%d,\"shapes\":[\"empty\"],\"content\":1,\"path\":%s}]}"

/* review 21, attack 3: crafted "path" values from a store are refused;
 * no route, or routes of the right length, pass. */
static void test_review21_path_check(void **state)
{
	(void)state;
	static const struct {
		int after;
		const char *path, *why;
	} bad[] = {
		{1, "null", "must be a list of at most"},
		{1, "{\"0\":[\"map\"]}", "must be a list of at most"},
		{1, "[\"map\"]", "a route of \"path\" must list 1 shapes"},
		{1, "[[\"map\",\"map\"]]", "a route of \"path\" must list 1 shapes"},
		{1, "[[]]", "a route of \"path\" must list 1 shapes"},
		{1, "[[3]]", "unknown shape \"?\" in \"path\""},
		{1, "[[\"vast\"]]", "unknown shape \"vast\" in \"path\""},
		{0, "[[\"map\"]]", "a route of \"path\" must list 0 shapes"},
	};
	char why[400], text[600];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(text, sizeof text, REVIEW21_PROG, bad[i].after, bad[i].path);
		json_t *p = json_loads(text, 0, NULL);
		assert_non_null(p);
		assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_EINVALID);
		if (!strstr(why, bad[i].why))
			fail_msg("path %s: '%s' does not say '%s'", bad[i].path, why, bad[i].why);
		json_decref(p);
	}
	static const char *const good[] = {"[]", "[[\"map\"],[\"empty\"]]"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(text, sizeof text, REVIEW21_PROG, 1, good[i]);
		json_t *p = json_loads(text, 0, NULL);
		assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_OK);
		json_decref(p);
	}
}

/* The number of a time expression is the period's, never a count: two
 * training tasks whose count was their period's number (b2c seed 272,
 * "the previous 2 quarters ... more than 2 cases") left "the number after
 * 'previous'" as the count's one explanation, and a task of another count
 * then asked with its period's number (a wrong answer).  Neither
 * induction nor the interpreter reads it now. */
static void test_period_number_no_count(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const qs[] = {
		"Which agent had the highest score over the previous 2 quarters among agents who handled more than 2 cases?",
		"Which agent had the highest score during the previous 3 quarters among agents handling over 3 cases?"};
	for (int i = 0; i < 2; i++) {
		char calls[200], id[16];
		snprintf(id, sizeof id, "pn-%d", i);
		snprintf(calls, sizeof calls, "[{\"name\":\"qualified\",\"arguments\":{\"n\":%d}}]", i + 2);
		json_array_append_new(eps, episode(task(id, "pn", qs[i], "2024-01-01", NULL), calls, "[[\"a\"]]", "a"));
	}
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	char *text = json_dumps(lib, JSON_COMPACT);
	assert_null(strstr(text, "\"previous\"")); /* no explanation reads it */
	free(text);
	json_t *t = task("pn-9", "pn",
			 "Which agent had the highest score over the previous 2 quarters among agents handling over 1 case?",
			 "2024-02-01", NULL);
	expect_abstain(lib, t, "[]", "");
	json_decref(t);
	/* a stored program that reads it: the task does not fit */
	json_t *prog = json_loads("{\"steps\":[{\"name\":\"qualified\",\"arguments\":{\"n\":{\"$number\":{\"after\":[\"previous\"],"
				  "\"offset\":0}}}},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$ref\":\"/0/0\"}}}]}",
				  0, NULL);
	assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_OK);
	crmw__prog_next nx;
	t = task("pn-8", "pn", "Which agent had the highest score over the previous 2 quarters among agents with over 1 case?",
		 "2024-02-01", NULL);
	json_t *res = json_array();
	assert_int_equal(crmw__program_next(&nx, prog, t, res), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	assert_non_null(strstr(nx.why, "no number of the query follows the words"));
	crmw__prog_next_clear(&nx);
	json_decref(res);
	json_decref(t);
	json_decref(prog);
	json_decref(lib);
	json_decref(eps);
}

/* Two ways of solving the same question: the words decide, or it abstains;
 * disagreeing explanations abstain with every reason. */
/* Episodes of a family: the call `first` (a call's JSON) then find_max or
 * find_min of the map it returns; `prefix` before the query, `tag` in the
 * ids. */
static void map_episodes(json_t *eps, const char *family, const char *prefix, const char *tag, const char *first,
			 const char *word, bool high, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[300], calls[400], id[48], results[200];
		snprintf(q, sizeof q, "%s%sWhich agent had the %s %s in quarter %d?", prefix, *prefix ? " " : "", word, family,
			 i + 1);
		snprintf(id, sizeof id, "%s-%s%d", family, tag, i);
		snprintf(calls, sizeof calls, "[%s,{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}}]", first,
			 high ? "find_max" : "find_min", i);
		const char *ans = high ? (i > 5 ? "a" : "b") : (i < 5 ? "a" : "b");
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"%s\"]]", i, ans);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* Episodes of a family answered by find_max or find_min of a map. */
static void directed_episodes(json_t *eps, const char *family, const char *word, bool high, int n, int from)
{
	map_episodes(eps, family, "", "", "{\"name\":\"scores\",\"arguments\":{}}", word, high, n, from);
}

/* The lowest task of a family whose training had only highest ones
 * abstains: "lowest" is a direction word learned from another family
 * whose training had both; a word seen only with the other direction in
 * its own family vetoes a program even once. */
static void test_direction_words(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 4, 0);
	directed_episodes(eps, "cost", "highest", true, 3, 0);
	directed_episodes(eps, "cost", "lowest", false, 3, 10);
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	assert_string_equal(json_string_value(json_object_get(json_object_get(lib, "directions"), "lowest")), "min");
	assert_string_equal(json_string_value(json_object_get(json_object_get(lib, "directions"), "highest")), "max");
	json_t *t = task("score-9", "score", "Which agent had the highest score in quarter 7?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	json_object_set_new(t, "query", json_string("Which agent had the lowest score in quarter 7?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'lowest' tells the lowest in training");
	json_decref(t);
	json_decref(lib);
	/* once: "smallest" with one lowest task of the family, never with the highest */
	json_array_clear(eps);
	directed_episodes(eps, "score", "highest", true, 4, 0);
	directed_episodes(eps, "score", "smallest", false, 1, 10);
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	t = task("score-9", "score", "Which agent had the smallest score in quarter 7?", "2024-01-01", NULL);
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'smallest' was seen in training only with tasks answered by an argmin");
	json_decref(t);
	json_decref(lib);
	json_decref(eps);
}

/* The evidence of a side:
 *  - an episode's side is read from the latest map holding its answer
 *    (the map it was taken from): a "fewest transfers" task whose agent
 *    handled the most cases, in a transfers map of one agent, is a tie,
 *    not an argmax (it put "fewest" on the highest side, and the word
 *    stopped telling any direction);
 *  - a direction word with weak evidence in its own family ("greatest"
 *    twice among 8 highest tasks and 3 lowest) supports its side when the
 *    families with both sides, pooled, give it the evidence. */
static void test_direction_evidence(void **state)
{
	(void)state;
	json_t *eps = json_array();
	for (int i = 0; i < 3; i++) {
		char q[160], id[32];
		snprintf(q, sizeof q, "Which agent made the fewest transfers in week %d?", i + 1);
		snprintf(id, sizeof id, "transfers-%d", i);
		json_array_append_new(
			eps, episode(task(id, "transfers", q, "2024-01-01", NULL),
				     "[{\"name\":\"handled\",\"arguments\":{}},{\"name\":\"transfers\",\"arguments\":{}},"
				     "{\"name\":\"find_min\",\"arguments\":{\"values\":{\"a\":1}}}]",
				     "[{\"a\":9,\"b\":2},{\"a\":1},[\"a\"]]", "a"));
	}
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	const json_t *sides = json_object_get(json_object_get(lib, "sides"), "transfers");
	assert_null(json_object_get(json_object_get(sides, "max"), "fewest"));
	json_decref(lib);

	json_array_clear(eps);
	directed_episodes(eps, "score", "highest", true, 6, 6);
	directed_episodes(eps, "score", "strongest", true, 2, 12);
	directed_episodes(eps, "score", "lowest", false, 3, 0);
	directed_episodes(eps, "cost", "strongest", true, 2, 6);
	directed_episodes(eps, "cost", "lowest", false, 8, -4);
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	assert_string_equal(json_string_value(json_object_get(json_object_get(lib, "directions"), "strongest")), "max");
	json_t *t = task("score-99", "score", "Which agent had the strongest score in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	/* the other side's direction word still vetoes it */
	json_object_set_new(t, "query", json_string("Which agent had the strongest score, the lowest cost in quarter 40?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "program 0 (score): vetoed: the word 'lowest' tells the lowest");
	/* pooled over one family only, the same counts are no evidence (a
	 * word of the lexicon, "greatest", would be: test_direction_lexicon) */
	json_decref(lib);
	json_array_clear(eps);
	directed_episodes(eps, "score", "highest", true, 6, 6);
	directed_episodes(eps, "score", "strongest", true, 2, 12);
	directed_episodes(eps, "score", "lowest", false, 3, 0);
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	json_object_set_new(t, "query", json_string("Which agent had the strongest score in quarter 40?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "no word of the query was seen only with the family's argmax tasks");
	json_decref(lib);

	/* a word that a tie solved by the other side's program said (a tie
	 * marks no side), and a task of this side said too, does not veto
	 * this side's programs */
	json_array_clear(eps);
	directed_episodes(eps, "score", "highest", true, 3, 6);
	directed_episodes(eps, "score", "highest", true, 1, 5); /* a tie, answered by find_max */
	directed_episodes(eps, "score", "lowest", false, 3, 0);
	directed_episodes(eps, "score", "kindly lowest", false, 1, 5); /* a tie, answered by find_min */
	for (int i = 0; i < 2; i++) { /* the other way of this side: find_max with a limit */
		char q[160], id[32], calls[300], results[120];
		snprintf(q, sizeof q, "Which agent had the highest score in quarter %d, kindly?", 30 + i);
		snprintf(id, sizeof id, "score-top-%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"find_max\",\"arguments\":{\"values\":"
			 "{\"a\":%d,\"b\":5},\"limit\":1}}]",
			 8 + i);
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"a\"]]", 8 + i);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, results, "a"));
	}
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	assert_true(json_array_size(json_object_get(lib, "programs")) >= 3);
	json_object_set_new(t, "query", json_string("Kindly: which agent had the highest score in quarter 40?"));
	crmw__prog_next nx;
	next(&nx, lib, t, "[{\"a\":1,\"b\":2}]");
	if (nx.kind == CRMW__PROG_ABSTAIN && strstr(nx.why, "'kindly' was seen with the tasks of the family's argmin programs"))
		fail_msg("a word of this side's tasks vetoed it: %s", nx.why);
	crmw__prog_next_clear(&nx);
	json_decref(t);
	json_decref(lib);
	json_decref(eps);
}

/* Transfer episodes: the cases each agent handled, the transfers of the
 * agents with any, then find_max or find_min of those.  A tie is a lowest
 * question where one agent made transfers (a map of one), and that agent
 * handled the most cases. */
static void transfer_episodes(json_t *eps, const char *who, const char *word, int kind, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[160], id[32], calls[300], results[200];
		snprintf(q, sizeof q, "Which %s made the %s transfers in week %d?", who, word, i + 1);
		snprintf(id, sizeof id, "transfers-%d", i);
		char m[64];
		if (kind == 0)
			snprintf(m, sizeof m, "{\"a\":%d,\"b\":1,\"c\":2}", i + 3);
		else if (kind == 1)
			snprintf(m, sizeof m, "{\"a\":%d,\"b\":0,\"c\":9}", i + 3);
		else
			snprintf(m, sizeof m, "{\"a\":%d}", i + 3);
		const char *ans = kind == 1 ? "b" : "a";
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"handled\",\"arguments\":{}},{\"name\":\"transfers\",\"arguments\":{}},"
			 "{\"name\":\"%s\",\"arguments\":{\"values\":%s}}]",
			 kind == 0 ? "find_max" : "find_min", m);
		snprintf(results, sizeof results, "[{\"a\":9,\"b\":2,\"c\":4},%s,[\"%s\"]]", m, ans);
		json_array_append_new(eps, episode(task(id, "transfers", q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* A tie takes the side of its calls' other episodes.  "Which agent made
 * the fewest transfers", where one agent made any (a tie), was a find_min
 * task whose words counted against the argmax program as if it were an
 * argmax: a highest question with a word of the argmax tasks had too
 * little evidence against them and abstained.  Leaving the ties' words
 * out of the counterexamples instead made "fewest" invisible: on a fresh
 * org, the argmax program answered "which team member reassigned the
 * fewest cases" (a word of its tasks, "team", selected it).  The tie's
 * words now count on the side of its calls, so "fewest" tells the lowest
 * and the highest question is answered. */
static void test_direction_tie_side(void **state)
{
	(void)state;
	json_t *eps = json_array();
	transfer_episodes(eps, "team member", "highest", 0, 4, 0);
	transfer_episodes(eps, "agent", "largest", 0, 4, 4);
	transfer_episodes(eps, "agent", "least", 1, 2, 8);
	transfer_episodes(eps, "agent", "fewest", 2, 3, 10);
	directed_episodes(eps, "score", "highest", true, 6, 6);
	directed_episodes(eps, "score", "lowest", false, 6, 0);
	json_t *lib = induced(eps);
	const json_t *sides = json_object_get(json_object_get(lib, "sides"), "transfers");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sides, "min"), "fewest")), 3);
	assert_null(json_object_get(json_object_get(sides, "max"), "fewest"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(lib, "directions"), "fewest")), "min");
	json_t *t = task("transfers-99", "transfers", "Which team member made the highest transfers in week 40?", "2024-01-01", NULL);
	static const char *const before = "[{\"a\":3,\"b\":8,\"c\":1},{\"a\":2,\"b\":7,\"c\":4}]";
	expect_call(lib, t, before, "find_max", "{\"values\":{\"a\":2,\"b\":7,\"c\":4}}");
	/* the attack: the argmax program's own word with the ties' word */
	json_object_set_new(t, "query", json_string("Which team member made the fewest transfers in week 40?"));
	crmw__prog_next nx;
	next(&nx, lib, t, before);
	if (nx.kind == CRMW__PROG_CALL && strcmp(nx.name, "find_max") == 0)
		fail_msg("the argmax program answered a fewest question");
	crmw__prog_next_clear(&nx);
	json_decref(t);
	json_decref(lib);

	/* calls with both sides among their episodes give a tie none */
	eps = json_array();
	transfer_episodes(eps, "agent", "highest", 0, 3, 0);
	transfer_episodes(eps, "agent", "lowest", 1, 3, 3);
	transfer_episodes(eps, "agent", "fewest", 2, 3, 6);
	for (size_t i = 0; i < json_array_size(eps); i++) { /* one tool for both */
		json_t *call = json_array_get(json_object_get(json_array_get(eps, i), "calls"), 2);
		json_object_set_new(call, "name", json_string("find_extreme"));
	}
	lib = induced(eps);
	sides = json_object_get(json_object_get(lib, "sides"), "transfers");
	assert_null(json_object_get(json_object_get(sides, "min"), "fewest"));
	assert_null(json_object_get(json_object_get(sides, "max"), "fewest"));
	json_decref(lib);
}

/* A review's attack on the side rule: every task of a family trained on
 * highest questions only ends with a lookup of the answer ({"a": 7}, a map
 * of one number).  Reading the side from that last map alone made them
 * ties, the program lost its direction and answered a lowest question
 * with its argmax; the program's direction is read from every map. */
static void test_direction_lookup(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "cost", "highest", true, 3, 6);
	directed_episodes(eps, "cost", "lowest", false, 3, 0);
	for (int i = 6; i < 10; i++) {
		char q[160], id[32], calls[300], results[200];
		snprintf(q, sizeof q, "Which agent had the highest score in quarter %d?", i + 1);
		snprintf(id, sizeof id, "score-%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"find_max\",\"arguments\":{\"values\":"
			 "{\"a\":%d,\"b\":5}}},{\"name\":\"lookup\",\"arguments\":{\"id\":\"a\"}}]",
			 i);
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"a\"],{\"a\":%d}]", i, i + 20);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, results, "a"));
	}
	json_t *lib = induced(eps);
	size_t i;
	json_t *p;
	bool found = false;
	json_array_foreach(json_object_get(lib, "programs"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "family")), "score") != 0)
			continue;
		found = true;
		assert_string_equal(json_string_value(json_object_get(p, "directed")), "max");
	}
	assert_true(found);
	json_t *t = task("score-99", "score", "Which agent had the lowest score in quarter 40?", "2024-01-01", NULL);
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'lowest' tells the lowest in training");
	json_decref(t);
	json_decref(lib);
}

/* Variants that read a value from the task their own ways ("more than N",
 * "at least N" less one) make one program of two readings ("$some"), each
 * learned from its own tasks; a task that fits neither is out of the
 * program from the start, not only when it reaches that step.  (The "at
 * least" tasks' first call's end is explained by today and by the period's
 * end alike, since their months ended on the day asked; the program keeps
 * the period's end, which all six tasks share.) */
static json_t *count_episode(const char *id, const char *month, const char *start, const char *end, const char *today,
			     const char *cond, int n, int arg)
{
	char q[200], calls[400];
	snprintf(q, sizeof q, "Who made the most transfers in %s among agents with %s %d cases?", month, cond, n);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"handled\",\"arguments\":{\"start\":\"%sT00:00:00Z\",\"end\":\"%sT00:00:00Z\"}},"
		 "{\"name\":\"qualified\",\"arguments\":{\"n\":%d}}]",
		 start, end, arg);
	return episode(task(id, "count", q, today, NULL), calls, "[{\"a\":5,\"b\":1},[\"a\"]]", "a");
}

/* Three "more than N" tasks of count_episode. */
static json_t *more_than_three(void)
{
	json_t *eps = json_array();
	json_array_append_new(eps, count_episode("c-1", "June 2023", "2023-06-01", "2023-07-01", "2024-01-10", "more than", 2, 2));
	json_array_append_new(eps, count_episode("c-2", "March 2023", "2023-03-01", "2023-04-01", "2024-02-11", "more than", 3, 3));
	json_array_append_new(eps, count_episode("c-3", "October 2022", "2022-10-01", "2022-11-01", "2023-05-20", "more than", 1, 1));
	return eps;
}

static void test_fits_task(void **state)
{
	(void)state;
	json_t *eps = more_than_three();
	json_array_append_new(eps, count_episode("c-4", "May 2023", "2023-05-01", "2023-06-01", "2023-06-01", "at least", 3, 2));
	json_array_append_new(eps, count_episode("c-5", "August 2022", "2022-08-01", "2022-09-01", "2022-09-01", "at least", 2, 1));
	json_array_append_new(eps, count_episode("c-6", "April 2021", "2021-04-01", "2021-05-01", "2021-05-01", "at least", 5, 4));
	json_t *lib = induced(eps);
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	const json_t *prog = json_array_get(json_object_get(lib, "programs"), 0);
	const json_t *n = json_object_get(
		json_object_get(json_array_get(json_object_get(prog, "steps"), 1), "arguments"), "n");
	assert_int_equal(json_array_size(json_object_get(n, "$some")), 2);
	char why[300];
	assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_OK);
	json_t *t = task("c-9", "count", "Who made the most transfers in June 2023 among agents with more than 4 cases?",
			 "2024-03-03", NULL);
	expect_call(lib, t, "[]", "handled", "{\"start\":\"2023-06-01T00:00:00Z\",\"end\":\"2023-07-01T00:00:00Z\"}");
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":4}");
	json_decref(t);
	t = task("c-10", "count", "Who made the most transfers in June 2023 among agents with at least 7 cases?",
		 "2024-03-03", NULL);
	expect_call(lib, t, "[]", "handled", "{\"start\":\"2023-06-01T00:00:00Z\",\"end\":\"2023-07-01T00:00:00Z\"}");
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":6}");
	json_decref(t);
	/* neither reading fits "over 4": the reason names the step */
	t = task("c-11", "count", "Who made the most transfers in June 2023 among agents with over 4 cases?", "2024-03-03",
		 NULL);
	crmw__prog_ctx c;
	assert_int_equal(crmw__prog_ctx_init(&c, t, NULL), 0);
	bool fits = true;
	assert_int_equal(crmw__program_fits_task(&fits, prog, &c, why, sizeof why), CRMW_OK);
	assert_false(fits);
	assert_non_null(strstr(why, "step 1 (qualified) does not fit the task"));
	assert_non_null(strstr(why, "no reading fits the task"));
	crmw__prog_ctx_dispose(&c);
	json_decref(t);
	json_decref(lib);
}

/* Episodes of a directed family whose queries start with a wording that
 * says nothing of the direction ("I'm reviewing.", "Quick one."). */
static void worded_episodes(json_t *eps, const char *family, const char *prefix, const char *word, bool high, int n,
			    int from)
{
	size_t at = json_array_size(eps);
	directed_episodes(eps, family, word, high, n, from);
	for (size_t i = at; i < json_array_size(eps); i++) {
		json_t *t = json_object_get(json_array_get(eps, i), "task");
		char q[300];
		snprintf(q, sizeof q, "%s %s", prefix, json_string_value(json_object_get(t, "query")));
		json_object_set_new(t, "query", json_string(q));
	}
}

/* The direction is told by the words that tell it, not by the wording
 * around the question: a wording seen once with the other side of this
 * family and with both sides of another family does not veto; a query
 * with no word of its program's side abstains; a name the training never
 * saw does not veto; a word means what it meant in its own family's
 * training ("best": the lowest cost, the highest score). */
static void test_direction_wording(void **state)
{
	(void)state;
	json_t *eps = json_array();
	worded_episodes(eps, "score", "I'm reviewing.", "highest", true, 1, 0);
	worded_episodes(eps, "score", "Quick one.", "highest", true, 3, 1);
	worded_episodes(eps, "score", "Quick one.", "lowest", false, 4, 10);
	worded_episodes(eps, "cost", "I'm reviewing.", "lowest", false, 1, 0);
	worded_episodes(eps, "cost", "Quick one.", "lowest", false, 3, 1);
	worded_episodes(eps, "cost", "I'm reviewing.", "highest", true, 1, 10);
	worded_episodes(eps, "cost", "Quick one.", "highest", true, 3, 11);
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	/* "reviewing" came once with a highest score, and with both sides of cost */
	json_t *t = task("score-9", "score", "I'm reviewing. Which agent had the lowest score in quarter 7?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	json_object_set_new(t, "query", json_string("I'm reviewing. Which agent had the highest score in quarter 7?"));
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	/* no word of either side */
	json_object_set_new(t, "query", json_string("Quick one. Which agent had the score in quarter 7?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "no word of the query was seen only with the family's");
	json_decref(t);
	json_decref(lib);

	/* "Need this fast." came twice with highest scores, never with a lowest
	 * one, and on both sides of cost: the wording of the tasks a lowest
	 * program would answer wrongly vetoes nothing */
	json_array_clear(eps);
	worded_episodes(eps, "score", "Need this fast.", "highest", true, 2, 0);
	worded_episodes(eps, "score", "Quick one.", "highest", true, 2, 2);
	worded_episodes(eps, "score", "Quick one.", "lowest", false, 4, 10);
	worded_episodes(eps, "cost", "Need this fast.", "lowest", false, 1, 0);
	worded_episodes(eps, "cost", "Quick one.", "lowest", false, 3, 1);
	worded_episodes(eps, "cost", "Need this fast.", "highest", true, 1, 10);
	worded_episodes(eps, "cost", "Quick one.", "highest", true, 3, 11);
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	t = task("score-9", "score", "Need this fast. Which agent had the lowest score in quarter 7?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	json_decref(t);
	json_decref(lib);

	/* "least" on both sides ("at least 2 deals"), and a wording seen twice
	 * with the highest tasks only: too little to tell the highest side
	 * (as often on the lowest side, it would have been seen there about
	 * twice), so a "least score" question is not answered by the highest
	 * program (through the agent: 3 wrong transfer counts of 138) */
	json_array_clear(eps);
	for (int i = 0; i < 16; i++) {
		bool high = i < 8;
		char q[200], id[32], calls[300], results[200];
		snprintf(q, sizeof q, "%sWhich agent had the %s score among agents with at least 2 deals in quarter %d?",
			 high && i < 2 ? "Keep it brief. " : "", high ? "highest" : "lowest", i + 1);
		snprintf(id, sizeof id, "score-%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}}]",
			 high ? "find_max" : "find_min", i % 8 < 5 ? i % 8 : 9);
		const char *ans = (i % 8 < 5) == high ? "b" : "a";
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"%s\"]]", i % 8 < 5 ? i % 8 : 9, ans);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, results, ans));
	}
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	t = task("score-99", "score", "Keep it brief. Which agent had the least score among agents with at least 2 deals in quarter 7?",
		 "2024-01-01", NULL);
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "no word of the query was seen only with the family's argmax tasks");
	json_object_set_new(t, "query", json_string("Which agent had the highest score among agents with at least 2 deals in quarter 7?"));
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	json_decref(t);
	json_decref(lib);

	/* a family of one side: "most" tasks about products */
	json_array_clear(eps);
	static const char *const products[] = {"Lamp", "Kettle", "Toaster", "Radio"};
	for (int i = 0; i < 4; i++) {
		char q[200], id[32];
		snprintf(q, sizeof q, "What was the %s's most common problem in quarter %d?", products[i], i + 1);
		snprintf(id, sizeof id, "top-%d", i);
		json_array_append_new(eps, episode(task(id, "top", q, "2024-01-01", NULL),
						   "[{\"name\":\"problems\",\"arguments\":{}}]",
						   i % 2 ? "[{\"x\":1,\"y\":4}]" : "[{\"x\":3,\"y\":2}]", i % 2 ? "y" : "x"));
	}
	directed_episodes(eps, "score", "highest", true, 3, 0);
	directed_episodes(eps, "score", "least", false, 3, 10);
	for (int i = 0; i < 2; i++) /* "rarest" in another family's questions */
		json_array_append_new(eps, episode(task(i ? "kb-1" : "kb-0", "kb", i ? "Which stamp is the rarest?" : "Which coin is the rarest?",
							"2024-01-01", NULL),
						   "[{\"name\":\"catalogue\",\"arguments\":{}}]", "[{\"x\":1}]", "x"));
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	t = task("top-9", "top", "What was the Blender's most common problem in quarter 3?", "2024-01-01", NULL);
	expect_call(lib, t, "[]", "problems", "{}");
	expect_answer(lib, t, "[{\"x\":1,\"y\":4}]", "y");
	/* the same word, not a name: never seen, and it may flip the direction */
	json_object_set_new(t, "query", json_string("What was the blender's most common problem in quarter 3?"));
	expect_abstain(lib, t, "[]", "'blender's most', a word before a direction word that no training query said so");
	json_object_set_new(t, "query", json_string("Rarest? What was the Blender's most common problem in quarter 3?"));
	expect_abstain(lib, t, "[]", "'rarest' was never seen in the family's training");
	/* a word of the other side in another family */
	json_object_set_new(t, "query", json_string("What was the Blender's least common problem in quarter 3?"));
	expect_abstain(lib, t, "[]", "'least' tells the lowest in training");
	json_decref(t);
	json_decref(lib);

	/* "weakest" said once, by a task whose values tie (no side of its own):
	 * its program's side is the word's */
	json_array_clear(eps);
	directed_episodes(eps, "rate", "highest", true, 3, 0);
	directed_episodes(eps, "rate", "lowest", false, 3, 10);
	directed_episodes(eps, "rate", "weakest", false, 1, 5);
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	t = task("rate-9", "rate", "Which agent had the weakest rate in quarter 7?", "2024-01-01", NULL);
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'weakest' was seen with the tasks of the family's argmin programs only");
	json_decref(t);
	json_decref(lib);

	/* "best": the lowest cost, the highest score */
	json_array_clear(eps);
	directed_episodes(eps, "cost", "best", false, 3, 10);
	directed_episodes(eps, "cost", "highest", true, 3, 0);
	directed_episodes(eps, "score", "best", true, 3, 0);
	directed_episodes(eps, "score", "lowest", false, 3, 10);
	lib = crmw__induce(eps, 2, why, sizeof why);
	assert_non_null(lib);
	t = task("cost-9", "cost", "Which agent had the best cost in quarter 7?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	json_decref(t);
	t = task("score-9", "score", "Which agent had the best score in quarter 7?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	json_decref(t);
	json_decref(lib);
	json_decref(eps);
}

/* A word the family's training never saw but three other families' did,
 * with the tasks of both sides and no family more than once on one side
 * only, is the wording around a question ("Preparing the review."): it
 * does not veto a query that holds a strong word of the program's side.
 * Seen in two families, or on one side of a family with both with the
 * evidence of a side ("weakest" twice among the lowest tasks, three
 * highest ones), or only in families without directions ("the lowest fee",
 * "the most recent note": the review's attacks), it still does. */
static void add_chat(json_t *eps, const char *family, const char *query)
{
	char id[64];
	snprintf(id, sizeof id, "%s-%zu", family, json_array_size(eps));
	json_array_append_new(eps, episode(task(id, family, query, "2024-01-01", NULL),
					   "[{\"name\":\"lookup\",\"arguments\":{}}]", "[{\"x\":1}]", "x"));
}

static void test_direction_generic_word(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	add_chat(eps, "kb", "Preparing the review. Where is the handbook? Weakest link.");
	add_chat(eps, "faq", "Preparing the review. How do refunds work?");
	add_chat(eps, "notes", "Preparing the review. Who wrote this note? Weakest link.");
	add_chat(eps, "kb", "Keep it tidy. Where is the policy?");
	add_chat(eps, "faq", "Keep it tidy. How do returns work?");
	worded_episodes(eps, "rate", "Preparing the review.", "greatest", true, 1, 0);
	directed_episodes(eps, "rate", "greatest", true, 2, 1);
	directed_episodes(eps, "rate", "weakest", false, 2, 10);
	worded_episodes(eps, "cost", "Preparing the review. Keep it tidy.", "cheapest", false, 1, 10);
	directed_episodes(eps, "cost", "cheapest", false, 2, 11);
	directed_episodes(eps, "cost", "dearest", true, 2, 0);
	json_t *lib = induced(eps);
	json_t *t = task("score-9", "score", "Preparing the review. Which agent had the lowest score in quarter 7?", "2024-01-01",
			 NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	json_object_set_new(t, "query", json_string("Preparing the review. Which agent had the highest score in quarter 7?"));
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	/* two other families with directions, one side each: "keep" is a word of one side of cost only once */
	json_object_set_new(t, "query", json_string("Keep it tidy. Which agent had the lowest score in quarter 7?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'keep' was never seen in the family's training");
	/* three families, but twice on the lowest side of rate */
	json_object_set_new(t, "query", json_string("Which agent had the lowest score, the weakest, in quarter 7?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'weakest' was never seen in the family's training");
	json_decref(t);
	json_decref(lib);

	/* the review's attacks: a family of one side, and the other side's word
	 * said only in families without directions */
	static const char *const words[] = {"minimum", "lowest", "least", "smallest"};
	static const char *const chat[][3] = {
		{"What is the minimum order?", "Is there a minimum fee?", "Minimum age for the plan?"},
		{"Which plan has the lowest fee?", "What is the lowest tier?", "Lowest price for a refund?"},
		{"Which accounts have at least 3 cases?", "Who wrote at least 2 notes?", "Give at least one policy."},
		{"What is the smallest plan?", "Smallest refund allowed?", "Which is the smallest office?"},
	};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
		eps = json_array();
		directed_episodes(eps, "score", "highest", true, 4, 0);
		directed_episodes(eps, "cost", "highest", true, 3, 0);
		directed_episodes(eps, "cost", "cheapest", false, 3, 10);
		add_chat(eps, "kb", chat[k][0]);
		add_chat(eps, "faq", chat[k][1]);
		add_chat(eps, "notes", chat[k][2]);
		lib = induced(eps);
		char q[200];
		snprintf(q, sizeof q, "Which agent had the %s score in quarter 7?", words[k]);
		t = task("score-9", "score", q, "2024-01-01", NULL);
		crmw__prog_next nx;
		next(&nx, lib, t, "[{\"a\":1,\"b\":2}]");
		if (nx.kind != CRMW__PROG_ABSTAIN)
			fail_msg("'%s' answered by %s", q, nx.kind == CRMW__PROG_CALL ? nx.name : "an answer");
		crmw__prog_next_clear(&nx);
		json_decref(t);
		json_decref(lib);
	}
	eps = json_array();
	directed_episodes(eps, "cost", "lowest", false, 4, 10);
	directed_episodes(eps, "score", "highest", true, 3, 0);
	directed_episodes(eps, "score", "lowest", false, 3, 10);
	add_chat(eps, "kb", "What is the most recent policy?");
	add_chat(eps, "faq", "Which refund was the most recent?");
	add_chat(eps, "notes", "Open the most recent note.");
	lib = induced(eps);
	t = task("cost-9", "cost", "Which agent had the most cost in quarter 7?", "2024-01-01", NULL);
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'most'");
	json_decref(t);
	json_decref(lib);

	/* sightings that tell no side: in a family of one side ("mood", every
	 * task a highest one), or twice among the ten lowest tasks of a family
	 * with ten highest ones (as often on the highest side, the wording would
	 * have been seen there about twice).  Each vetoed before: "This is for
	 * the weekly report." stopped 11 of b2b 11's 40-task transfer counts. */
	for (int seen = 2; seen <= 4; seen += 2) {
		eps = json_array();
		directed_episodes(eps, "score", "highest", true, 8, 0);
		directed_episodes(eps, "score", "lowest", false, 8, 10);
		worded_episodes(eps, "mood", "This is for the review.", "highest", true, 4, 0);
		directed_episodes(eps, "cost", "highest", true, 10, 0);
		worded_episodes(eps, "cost", "This is for the review.", "lowest", false, seen, 10);
		directed_episodes(eps, "cost", "lowest", false, 10 - seen, 20);
		add_chat(eps, "kb", "This is for the review. Where is the handbook?");
		add_chat(eps, "faq", "This is for the review. How do refunds work?");
		lib = induced(eps);
		t = task("score-9", "score", "This is for the review. Which agent had the lowest score in quarter 7?", "2024-01-01",
			 NULL);
		if (seen == 2) {
			expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
		} else { /* four of ten, never with the highest: the evidence of a side */
			expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "was never seen in the family's training");
		}
		json_decref(t);
		json_decref(lib);
	}
}

/* Twelve episodes of "score": the highest and the lowest in turn, answered
 * by find_max or find_min of the same map. */
static json_t *score_library(void)
{
	json_t *eps = json_array();
	for (int i = 0; i < 12; i++) {
		bool high = i % 2 == 0;
		char q[200], calls[300], id[16];
		snprintf(q, sizeof q, "Which agent had the %s score in quarter %d?", high ? "highest" : "lowest", i + 1);
		snprintf(id, sizeof id, "m-%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}}]",
			 high ? "find_max" : "find_min", i);
		char results[200];
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"%s\"]]", i, high ? (i > 5 ? "a" : "b") : (i < 5 ? "a" : "b"));
		char ans[4];
		snprintf(ans, sizeof ans, "%s", high ? (i > 5 ? "a" : "b") : (i < 5 ? "a" : "b"));
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, results, ans));
	}
	return induced(eps);
}

static void test_disagreement(void **state)
{
	(void)state;
	char why[300];
	json_t *lib = score_library();
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 2);
	json_t *t = task("m-9", "score", "Which agent had the highest score in quarter 7?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	json_object_set_new(t, "query", json_string("Which agent had the lowest score in quarter 7?"));
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	/* a word no training query had, where a word decides the direction */
	json_object_set_new(t, "query", json_string("Which agent had the best score in quarter 7?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'best' was never seen in training");
	/* with no family given, a task of another kind finds nothing */
	crmw__prog_next nx;
	json_t *r = json_array();
	json_object_set_new(t, "query", json_string("What is the warranty of the lamp?"));
	assert_int_equal(crmw__induced_next(&nx, lib, t, NULL, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	crmw__prog_next_clear(&nx);
	json_decref(r);
	json_decref(t);
	json_decref(lib);
	/* $any whose alternatives disagree: every reason given */
	json_t *prog = json_loads("{\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$any\":[\"a\","
				  "{\"$number\":{\"after\":[\"than\"],\"offset\":0}}]}}}]}",
				  0, NULL);
	assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_OK);
	t = task("z", "z", "more than 4", "2024-01-01", NULL);
	r = json_array();
	assert_int_equal(crmw__program_next(&nx, prog, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	assert_int_equal(nx.cls, CRMW__PROG_DISAGREE);
	assert_non_null(strstr(nx.why, "explanations disagree: [1] gives 4, [0] \"a\""));
	crmw__prog_next_clear(&nx);
	json_decref(prog);
	json_decref(r);
	json_decref(t);
}

/* Does any value of the library's programs hold a "$some"? */
static bool has_some(const json_t *v)
{
	if (json_is_object(v) && json_object_get(v, "$some"))
		return true;
	const char *k;
	size_t i;
	json_t *x;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x) if (has_some(x)) return true;
	if (json_is_array(v))
		json_array_foreach(v, i, x) if (has_some(x)) return true;
	return false;
}

/* Two "more than N" tasks and two "at least N" ones (less one), the
 * latter worded with conditions c4 and c5. */
static json_t *at_least_beside(const char *c4, const char *c5)
{
	json_t *eps = json_array();
	json_array_append_new(eps, count_episode("c-1", "June 2023", "2023-06-01", "2023-07-01", "2024-01-10", "more than", 2, 2));
	json_array_append_new(eps, count_episode("c-2", "March 2023", "2023-03-01", "2023-04-01", "2024-02-11", "more than", 3, 3));
	json_array_append_new(eps, count_episode("c-4", "May 2023", "2023-05-01", "2023-06-01", "2023-09-01", c4, 3, 2));
	json_array_append_new(eps, count_episode("c-5", "July 2022", "2022-07-01", "2022-08-01", "2023-02-01", c5, 5, 4));
	return eps;
}

/* Parts join as readings only when each has min_support tasks of its
 * own, and when no reading computes a wrong value on another part's task:
 * "more than 9 deals and at least 3 cases" is read 9 by the "more than"
 * reading, so those tasks stay a program of their own. */
static void test_some_parts(void **state)
{
	(void)state;
	json_t *eps = more_than_three();
	/* one "over" task: a reading of one task is no reading */
	json_array_append_new(eps, count_episode("c-4", "May 2023", "2023-05-01", "2023-06-01", "2023-09-01", "over", 3, 3));
	json_t *lib = induced(json_incref(eps));
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	assert_false(has_some(lib));
	json_t *t = task("c-9", "count", "Who made the most transfers in June 2023 among agents with over 4 cases?",
			 "2024-03-03", NULL);
	expect_abstain(lib, t, "[]", "does not fit the task");
	json_decref(t);
	json_decref(lib);
	/* a second "over" task makes it a reading */
	json_array_append_new(eps, count_episode("c-5", "July 2022", "2022-07-01", "2022-08-01", "2023-02-01", "over", 5, 5));
	lib = induced(eps);
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	assert_true(has_some(lib));
	t = task("c-9", "count", "Who made the most transfers in June 2023 among agents with over 4 cases?", "2024-03-03",
		 NULL);
	expect_call(lib, t, "[]", "handled", "{\"start\":\"2023-06-01T00:00:00Z\",\"end\":\"2023-07-01T00:00:00Z\"}");
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":4}");
	json_decref(t);
	json_decref(lib);
	/* the "at least" tasks also say "more than 9 deals" */
	lib = induced(at_least_beside("more than 9 deals and at least", "more than 7 deals and at least"));
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 2);
	assert_false(has_some(lib));
	json_decref(lib);
	/* the "at least" tasks say "more than" twice: the "more than" reading
	 * does not fit them (two numbers), and they are a reading of their own */
	lib = induced(at_least_beside("more than 9 deals, more than 8 calls and at least",
				      "more than 7 deals, more than 6 calls and at least"));
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	assert_true(has_some(lib));
	t = task("c-9", "count",
		 "Who made the most transfers in June 2023 among agents with more than 5 deals, more than 4 calls and at "
		 "least 4 cases?",
		 "2024-03-03", NULL);
	expect_call(lib, t, "[]", "handled", "{\"start\":\"2023-06-01T00:00:00Z\",\"end\":\"2023-07-01T00:00:00Z\"}");
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":3}");
	json_decref(t);
	json_decref(lib);
}

/* Does the library hold {"$said": {"words": [w...]}} (words one space apart)? */
static bool has_said(const json_t *v, const char *words)
{
	const json_t *a = json_object_get(v, "$said");
	if (a) {
		char buf[200] = "";
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(a, "words"), i, x) {
			size_t n = strlen(buf);
			snprintf(buf + n, sizeof buf - n, "%s%s", i ? " " : "", json_string_value(x));
		}
		return strcmp(buf, words) == 0;
	}
	const char *k;
	size_t i;
	json_t *x;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x) if (has_said(x, words)) return true;
	if (json_is_array(v))
		json_array_foreach(v, i, x) if (has_said(x, words)) return true;
	return false;
}

/* A count said in words: "agents who handled any cases" asks for more than
 * 0 with no number.  It is learned as {"$said": {"words", "value"}}, only
 * from words that no task of another count said: a "more than 2" task
 * that also says "the" and "agents" leaves "the" out, which alone made a
 * program of every "0" task and blocked the others on b2b 11. */
static json_t *zero_episode(const char *id, const char *month, const char *start, const char *end, const char *today,
			    const char *how)
{
	char q[200], calls[400];
	snprintf(q, sizeof q, "Who made the most transfers in %s among agents who handled %s?", month, how);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"handled\",\"arguments\":{\"start\":\"%sT00:00:00Z\",\"end\":\"%sT00:00:00Z\"}},"
		 "{\"name\":\"qualified\",\"arguments\":{\"n\":0}}]",
		 start, end);
	return episode(task(id, "count", q, today, NULL), calls, "[{\"a\":5,\"b\":1},[\"a\"]]", "a");
}

static json_t *any_episode(const char *id, const char *month, const char *start, const char *end, const char *today)
{
	return zero_episode(id, month, start, end, today, "any cases");
}

/* The refutation is the family's: a task of other calls
 * ("handled_by_team", then "qualified") that says "return" with a count of
 * 2 keeps "return" from meaning 0 in the two "any cases" tasks that happen
 * to say it. */
static void test_said_refuted(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const months[][3] = {{"June 2023", "2023-06-01", "2023-07-01"},
						{"March 2023", "2023-03-01", "2023-04-01"},
						{"May 2023", "2023-05-01", "2023-06-01"}};
	for (int i = 0; i < 2; i++) {
		json_t *e = any_episode(i ? "a-2" : "a-1", months[i][0], months[i][1], months[i][2], "2024-01-10");
		json_t *t = json_object_get(e, "task");
		char q[300];
		snprintf(q, sizeof q, "%s Return only the Id.", json_string_value(json_object_get(t, "query")));
		json_object_set_new(t, "query", json_string(q));
		json_array_append_new(eps, e);
	}
	char calls[400];
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"handled_by_team\",\"arguments\":{\"start\":\"%sT00:00:00Z\",\"end\":\"%sT00:00:00Z\"}},"
		 "{\"name\":\"qualified\",\"arguments\":{\"n\":2}}]",
		 months[2][1], months[2][2]);
	json_array_append_new(eps, episode(task("r-1", "count",
						"Who made the most transfers in May 2023 among agents with more than 2 "
						"cases? Return only the Id.",
						"2024-01-10", NULL),
					   calls, "[{\"a\":5,\"b\":1},[\"a\"]]", "a"));
	/* two more of that count, so that "any" has its evidence */
	for (int i = 0; i < 2; i++)
		json_array_append_new(eps, episode(task(i ? "r-3" : "r-2", "count",
							"Who made the most transfers in May 2023 among agents with more "
							"than 2 cases?",
							"2024-01-10", NULL),
						   calls, "[{\"a\":5,\"b\":1},[\"a\"]]", "a"));
	json_t *lib = induced(eps);
	assert_true(has_said(lib, "any"));
	assert_false(has_said(lib, "return"));
	json_decref(lib);
}

static void test_said_count(void **state)
{
	(void)state;
	json_t *eps = more_than_three();
	json_array_append_new(eps, any_episode("a-1", "June 2023", "2023-06-01", "2023-07-01", "2024-01-10"));
	json_array_append_new(eps, any_episode("a-2", "March 2023", "2023-03-01", "2023-04-01", "2024-02-11"));
	json_t *lib = induced(eps);
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	assert_true(has_some(lib));
	assert_true(has_said(lib, "any"));
	assert_true(has_said(lib, "any cases"));
	assert_false(has_said(lib, "the"));
	assert_false(has_said(lib, "agents"));
	json_t *t = task("a-9", "count", "Who made the most transfers in May 2023 among agents who handled any cases?",
			 "2024-03-03", NULL);
	expect_call(lib, t, "[]", "handled", "{\"start\":\"2023-05-01T00:00:00Z\",\"end\":\"2023-06-01T00:00:00Z\"}");
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":0}");
	json_decref(t);
	t = task("a-10", "count", "Who made the most transfers in May 2023 among agents with more than 4 cases?",
		 "2024-03-03", NULL);
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":4}");
	json_decref(t);
	/* a count in figures beside the words: the words do not fit ("among
	 * agents handling over 2 cases" in a training where "over" came only
	 * with "any cases" made a wrong answer on three fresh orgs) */
	t = task("a-11", "count",
		 "Who made the most transfers in May 2023 among agents with more than 4 cases among agents who handled any "
		 "cases?",
		 "2024-03-03", NULL);
	expect_call(lib, t, "[{\"a\":5,\"b\":1}]", "qualified", "{\"n\":4}");
	json_decref(t);
	json_decref(lib);
	/* two "any" tasks beside two of another count: "any" said twice, never
	 * among the two others, is no evidence (2 * 2 / 2 < 3) */
	eps = json_array();
	json_array_append_new(eps, any_episode("a-1", "June 2023", "2023-06-01", "2023-07-01", "2024-01-10"));
	json_array_append_new(eps, any_episode("a-2", "March 2023", "2023-03-01", "2023-04-01", "2024-02-11"));
	json_array_append_new(eps, count_episode("c-1", "October 2022", "2022-10-01", "2022-11-01", "2023-05-20", "more than", 2, 2));
	json_array_append_new(eps, count_episode("c-2", "July 2022", "2022-07-01", "2022-08-01", "2023-02-01", "more than", 5, 5));
	lib = induced(eps);
	assert_false(has_said(lib, "any"));
	json_decref(lib);
}

/* Attacks of a review on $said: words common by chance to the tasks of a
 * count, and a negation or a count in unread words, read as that count. */

/* The next step for a "count" task of that query is no call of `name`. */
static void expect_no_call_with(const json_t *lib, const char *query, const char *results, const char *name)
{
	json_t *t = task("x-1", "count", query, "2024-03-03", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	if (nx.kind == CRMW__PROG_CALL && strcmp(nx.name, name) == 0) {
		char *got = json_dumps(nx.arguments, JSON_COMPACT);
		fail_msg("'%s': called %s %s", query, nx.name, got ? got : "?");
	}
	crmw__prog_next_clear(&nx);
	json_decref(t);
}

/* A program answering a field of its last result (no direction, so no
 * veto of words never seen): a count in words the tokeniser does not read
 * ("thirty"), or a negation, beside "any cases". */
static json_t *field_episode(const char *id, const char *month, const char *start, const char *end, const char *how,
			     int n, const char *who)
{
	char q[200], calls[400], res[200];
	snprintf(q, sizeof q, "Which agent made the most transfers in %s among agents who handled %s?", month, how);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"handled\",\"arguments\":{\"start\":\"%sT00:00:00Z\",\"end\":\"%sT00:00:00Z\"}},"
		 "{\"name\":\"qualified\",\"arguments\":{\"n\":%d}}]",
		 start, end, n);
	snprintf(res, sizeof res, "[{\"rows\":3},{\"Top\":\"%s\"}]", who);
	return episode(task(id, "count", q, "2024-01-10", NULL), calls, res, who);
}

static void test_review4_said_no_direction(void **state)
{
	(void)state;
	json_t *eps = json_array();
	json_array_append_new(eps, field_episode("a-1", "June 2023", "2023-06-01", "2023-07-01", "any cases", 0, "005A"));
	json_array_append_new(eps, field_episode("a-2", "March 2023", "2023-03-01", "2023-04-01", "any cases", 0, "005B"));
	json_array_append_new(eps, field_episode("c-1", "October 2022", "2022-10-01", "2022-11-01", "more than 2 cases", 2, "005C"));
	json_array_append_new(eps, field_episode("c-2", "July 2022", "2022-07-01", "2022-08-01", "more than 5 cases", 5, "005D"));
	json_t *lib = induced(eps);
	static const char *const qs[] = {
		"Which agent made the most transfers in May 2023 among agents who handled any cases, thirty or more?",
		"Which agent made the most transfers in May 2023 among agents who never handled any cases?",
	};
	for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
		expect_no_call_with(lib, qs[i], "[{\"rows\":3}]", "qualified");
	json_decref(lib);
}

static void test_review4_said_chance_words(void **state)
{
	(void)state;
	/* the two "0" tasks share only "agents who handled" */
	json_t *eps = json_array();
	json_array_append_new(eps, zero_episode("a-1", "June 2023", "2023-06-01", "2023-07-01", "2024-01-10", "any cases"));
	json_array_append_new(eps, zero_episode("a-2", "March 2023", "2023-03-01", "2023-04-01", "2024-01-10", "at least a case"));
	json_array_append_new(eps, count_episode("c-1", "October 2022", "2022-10-01", "2022-11-01", "2023-05-20", "more than", 2, 2));
	json_array_append_new(eps, count_episode("c-2", "July 2022", "2022-07-01", "2022-08-01", "2023-02-01", "more than", 5, 5));
	json_t *lib = induced(eps);
	assert_false(has_said(lib, "handled"));
	static const char *const qs[] = {
		"Who made the most transfers in May 2023 among agents who handled at most a case?",
		"Who made the most transfers in May 2023 among agents who handled more than a case?",
		"Who made the most transfers in May 2023 among agents who handled a dozen cases?",
	};
	for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
		expect_no_call_with(lib, qs[i], "[{\"a\":5,\"b\":1}]", "qualified");
	json_decref(lib);
}

/* "$some": the readings the task fits agree and one fits.  A reading the
 * task does not fit (what it reads is not there, found twice, or one of
 * its "$any" fails on it) is left out, as a program the task does not fit
 * drops out beside the others; a reading that fails on a result and two
 * readings that disagree abstain. */
static void some_case(const json_t *prog, const char *query, int kind, int cls, const char *said)
{
	json_t *t = task("s", "s", query, "2024-01-01", NULL), *r = json_array();
	crmw__prog_next nx;
	assert_int_equal(crmw__program_next(&nx, prog, t, r), CRMW_OK);
	if (nx.kind != kind || (kind == CRMW__PROG_ABSTAIN && nx.cls != cls))
		fail_msg("%s: kind %d cls %d: %s", query, nx.kind, nx.cls, nx.why);
	const char *text = kind == CRMW__PROG_ANSWER ? nx.answer : nx.why;
	if (!strstr(text, said))
		fail_msg("%s: '%s' does not say '%s'", query, text, said);
	crmw__prog_next_clear(&nx);
	json_decref(r);
	json_decref(t);
}

static void test_some_readings(void **state)
{
	(void)state;
	char why[300];
	json_t *prog = json_loads(
		"{\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$some\":["
		"{\"$number\":{\"after\":[\"than\"],\"offset\":0}},"
		"{\"$number\":{\"after\":[\"least\"],\"offset\":-1}},"
		"{\"$any\":[{\"$number\":{\"after\":[\"over\"],\"offset\":0}},"
		"{\"$number\":{\"after\":[\"handling\",\"over\"],\"offset\":0}}]}]}}}]}",
		0, NULL);
	assert_non_null(prog);
	assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_OK);
	some_case(prog, "agents with more than 4 cases", CRMW__PROG_ANSWER, 0, "4");
	some_case(prog, "agents with at least 5 cases", CRMW__PROG_ANSWER, 0, "4");
	some_case(prog, "agents handling over 6 cases", CRMW__PROG_ANSWER, 0, "6");
	/* two readings fit and agree */
	some_case(prog, "more than 4 cases, so at least 5", CRMW__PROG_ANSWER, 0, "4");
	/* a reading that finds two numbers does not fit */
	some_case(prog, "more than 4 cases and more than 6 deals, at least 5 calls", CRMW__PROG_ANSWER, 0, "4");
	/* two readings fit and disagree */
	some_case(prog, "more than 4 cases and at least 2 deals", CRMW__PROG_ABSTAIN, CRMW__PROG_DISAGREE,
		  "readings disagree");
	/* none fits: the task does not fit the program */
	some_case(prog, "agents with any cases", CRMW__PROG_ABSTAIN, CRMW__PROG_TASK, "no reading fits the task");
	/* "over 6" without "handling over": the third reading does not fit */
	some_case(prog, "agents with over 6 cases", CRMW__PROG_ABSTAIN, CRMW__PROG_TASK, "no reading fits the task");
	json_decref(prog);
	/* a reading that fails on a result is no "not fitting" */
	prog = json_loads("[{\"name\":\"q\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$some\":["
			  "{\"$ref\":\"/0/missing\"},{\"$number\":{\"after\":[\"than\"],\"offset\":0}}]}}}]",
			  0, NULL);
	assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_OK);
	json_t *t = task("s", "s", "more than 4", "2024-01-01", NULL), *r = json_pack("[{s:i}]", "x", 1);
	crmw__prog_next nx;
	assert_int_equal(crmw__program_next(&nx, prog, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	assert_int_equal(nx.cls, CRMW__PROG_RESULT);
	crmw__prog_next_clear(&nx);
	json_decref(r);
	json_decref(t);
	json_decref(prog);
	/* malformed */
	static const char *const bad[] = {
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$some\":[]}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$some\":{\"a\":1}}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$some\":[1],\"x\":2}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$some\":[{\"$ref\":\"/0\"}]}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$said\":{\"words\":[],\"value\":0}}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$said\":{\"words\":[\"any\"],\"value\":\"0\"}}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$said\":{\"words\":[\"any\"],\"value\":0,\"x\":1}}}}]",
		"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$said\":[\"any\"]}}}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		prog = json_loads(bad[i], 0, NULL);
		assert_non_null(prog);
		assert_int_equal(crmw__program_check(prog, why, sizeof why), CRMW_EINVALID);
		json_decref(prog);
	}
}

/* ------------------------------------------------------- explanations told */

/* The explanation of the library's next step for a task, described
 * (crmw__prog_explain_json); fails unless it is a call or an answer. */
static json_t *explained(const json_t *lib, const json_t *t, const char *results)
{
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	if (nx.kind == CRMW__PROG_ABSTAIN)
		fail_msg("abstained: %s", nx.why);
	assert_non_null(nx.explain);
	json_t *ex = crmw__prog_explain_json(nx.explain);
	assert_non_null(ex);
	crmw__prog_next_clear(&nx);
	return ex;
}

/* The alternatives recorded for a value, as one text ("a | b"). */
static void expect_alts(const json_t *ex, const char *path, const char *want)
{
	const json_t *alts = json_object_get(json_object_get(ex, "values"), path);
	crmw_buf b = CRMW_BUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(alts, i, x) crmw__buf_printf(&b, "%s%s", i ? " | " : "", json_string_value(x));
	if (!alts || strcmp(b.data ? b.data : "", want) != 0) {
		char *all = json_dumps(ex, JSON_COMPACT);
		fail_msg("%s: got '%s', want '%s' (%s)", path, b.data ? b.data : "(none)", want, all);
	}
	crmw_buf_dispose(&b);
}

/* Trajectories explain answers (issue 27): for each argument and the
 * answer, the alternatives that computed it and agreed; the guard that
 * fired; the programs that agreed; the words that decided. */
static void test_explain(void **state)
{
	(void)state;
	json_t *lib = sales_library(), *t = sales_task();
	json_t *ex = explained(lib, t, "[]");
	expect_alts(ex, "product_id",
		    "$task id 01t #0 | $phrase after 'product' before '.' | $phrase after '? product' before '.'");
	expect_alts(ex, "start", "$period start of expression 1 (datetime)");
	expect_alts(ex, "end", "$task today (datetime) | $period end of expression 1 (datetime)");
	expect_alts(ex, "min", "$number after 'least' offset -1 | $number after 'at least' offset -1");
	expect_alts(ex, "asked", "$task today (date) | $period end of expression 1 (date)");
	assert_int_equal(json_array_size(json_object_get(ex, "programs")), 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(ex, "programs"), 0)), 0);
	assert_null(json_object_get(ex, "guard"));
	assert_null(json_object_get(ex, "words")); /* one program: no word decided */
	json_decref(ex);
	const char *r0 = "[{\"items\":[{\"Id\":\"b1\",\"Name\":\"Green Gizmo\"},{\"Id\":\"b2\",\"Name\":\"Red Gadget\"}],"
			 "\"counts\":{\"005X\":4,\"005Y\":6}}]";
	ex = explained(lib, t, r0);
	expect_alts(ex, "ids", "$ref /0/items pluck Id");
	expect_alts(ex, "item", "$pick /0/items where Name occurs in the query, field Id");
	json_decref(ex);
	ex = explained(lib, t,
		       "[{\"items\":[{\"Id\":\"b1\",\"Name\":\"Green Gizmo\"},{\"Id\":\"b2\",\"Name\":\"Red Gadget\"}],"
		       "\"counts\":{\"005X\":4,\"005Y\":6}},[{\"Stage\":\"Won\"},{\"Stage\":\"Lost\"}]]");
	expect_alts(ex, "answer", "$argmax /0/counts");
	json_decref(ex);
	json_decref(t);
	json_decref(lib);

	/* the guard that fired, and its answer's explanations */
	lib = find_library();
	t = task("n-9", "find", "Show me the lamp I bought last week.", "2024-02-01", NULL);
	ex = explained(lib, t, "[[]]");
	const json_t *g = json_object_get(ex, "guard");
	assert_int_equal(json_integer_value(json_object_get(g, "index")), 0);
	assert_int_equal(json_integer_value(json_object_get(g, "after")), 0);
	assert_string_equal(json_string_value(json_object_get(g, "shape")), "empty");
	expect_alts(ex, "answer", "constant \"None\" | $ref /0 default null");
	json_decref(ex);
	ex = explained(lib, t, "[[{\"Id\":\"q7\"}]]");
	expect_alts(ex, "id", "$ref /0/0/Id");
	json_decref(ex);
	json_decref(t);
	json_decref(lib);

	/* two programs, and the words that told a program's tasks from those it
	 * would answer wrongly */
	lib = score_library();
	t = task("m-9", "score", "Which agent had the lowest score in quarter 7?", "2024-01-01", NULL);
	ex = explained(lib, t, "[{\"a\":1,\"b\":2}]");
	expect_alts(ex, "values", "$ref /0");
	char *text = json_dumps(json_object_get(ex, "words"), JSON_COMPACT);
	assert_non_null(text);
	if (!strstr(text, "\"lowest\"") || strstr(text, "\"highest\"") || !strstr(text, "\"told_direction_by\""))
		fail_msg("the deciding words: %s", text);
	free(text);
	json_decref(ex);
	json_decref(t);
	json_decref(lib);

	/* a context that does not ask for it records nothing (induction's replays) */
	json_t *prog = json_loads("{\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$any\":[\"4\","
				  "{\"$number\":{\"after\":[\"than\"],\"offset\":0}}]}}}]}",
				  0, NULL);
	t = task("z", "z", "more than 4", "2024-01-01", NULL);
	json_t *r = json_array();
	crmw__prog_ctx c;
	assert_int_equal(crmw__prog_ctx_init(&c, t, r), CRMW_OK);
	crmw__prog_next nx;
	assert_int_equal(crmw__program_next_ctx(&nx, prog, &c), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ANSWER);
	assert_null(nx.explain);
	crmw__prog_next_clear(&nx);
	c.explain = true;
	assert_int_equal(crmw__program_next_ctx(&nx, prog, &c), CRMW_OK);
	ex = crmw__prog_explain_json(nx.explain);
	expect_alts(ex, "answer", "constant \"4\" | $number after 'than'");
	json_decref(ex);
	crmw__prog_next_clear(&nx);
	crmw__prog_ctx_dispose(&c);
	json_decref(prog);

	/* a long constant of non-ASCII text is cut whole characters at a time,
	 * and at most 16 alternatives are described */
	json_t *alts = json_array();
	for (int i = 0; i < 20; i++)
		json_array_append_new(alts, json_pack("{s:s}", "$lit", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
							       "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"));
	prog = json_pack("{s:[{s:s, s:{s:{s:o}}}]}", "steps", "name", "respond", "arguments", "content", "$any", alts);
	assert_int_equal(crmw__program_next(&nx, prog, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ANSWER);
	ex = crmw__prog_explain_json(nx.explain);
	assert_non_null(ex);
	const json_t *list = json_object_get(json_object_get(ex, "values"), "answer");
	assert_int_equal(json_array_size(list), 16);
	assert_string_equal(json_string_value(json_array_get(list, 15)), "and 5 more");
	assert_non_null(strstr(json_string_value(json_array_get(list, 0)), "constant \"\\u00E9"));
	json_decref(ex);
	crmw__prog_next_clear(&nx);
	json_decref(prog);
	json_decref(r);
	json_decref(t);
}

/* ------------------------------------------------------- guides for models */

/* A sales episode whose task carries definitions: the family's policy
 * (the same in every task) and lines of its own (an id, today's date). */
static json_t *defined_episode(const char *id, const char *product, const char *widget, int least, int months,
			       const char *today, const char *start, const char *top)
{
	json_t *e = sales_episode(id, product, widget, least, months, today, start, top);
	char req[400];
	snprintf(req, sizeof req,
		 "## Sales ranking\n- A rep's sales are the deals they closed in the period.\n- Product Id: %s\n"
		 "- Today's date: %s\n",
		 product, today);
	json_object_set_new(json_object_get(json_object_get(e, "task"), "metadata"), "required", json_string(req));
	return e;
}

/* Does `w` occur in `text` as a whole word (case ignored)? */
static bool has_word(const char *text, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = text; (p = strcasestr(p, w)) != NULL; p++) {
		bool left = p == text || !isalnum((unsigned char)p[-1]), right = !isalnum((unsigned char)p[n]);
		if (left && right)
			return true;
	}
	return false;
}

/* Guidelines for a model written from programs (issue 27): the steps with
 * each argument described by its explanation, the guards, the answer rule,
 * the family's definitions; and no value of any training task. */
static void test_guide(void **state)
{
	(void)state;
	json_t *eps = json_array();
	json_array_append_new(eps, defined_episode("s-1", "01tAAAAAAAAAAAAAAA", "Blue Widget", 13, 14, "2024-03-15", "2023-01-15", "005Alpha"));
	json_array_append_new(eps, defined_episode("s-2", "01tBBBBBBBBBBBBBBB", "Red Gadget", 17, 16, "2023-08-31", "2022-04-30", "005Bravo"));
	json_array_append_new(eps, defined_episode("s-3", "01tCCCCCCCCCCCCCCC", "Green Gizmo", 25, 11, "2024-05-10", "2023-06-10", "005Bravo"));
	/* the answers are keys of the counts */
	size_t i;
	json_t *e;
	json_array_foreach(eps, i, e) {
		const char *top = json_string_value(json_object_get(e, "answer"));
		json_t *counts = json_object_get(json_array_get(json_object_get(e, "results"), 0), "counts");
		json_t *fixed = json_pack("{s:i, s:i}", top, 9, strcmp(top, "005Alpha") ? "005Alpha" : "005Charlie", 2);
		json_object_update(counts, fixed);
		json_object_del(counts, "005A");
		json_object_del(counts, "005B");
		json_decref(fixed);
	}
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	if (!lib || json_array_size(json_object_get(lib, "programs")) != 1)
		fail_msg("induce: %s", lib ? "not one program" : why);
	crmw_buf b = CRMW_BUF_INIT;
	json_t *pit = json_array();
	assert_int_equal(crmw__program_guide(&b, lib, "sales", eps, pit), CRMW_OK);
	const char *g = b.data;
	if (getenv("CRMW_TEST_VERBOSE"))
		fprintf(stderr, "%s", g);
	/* the steps, each argument by its explanation */
	static const char *const want[] = {
		"How solved tasks of the family sales were answered: 1 way, learned from 3 solved tasks",
		"1. Call get_sales with:",
		"- product_id: the 1st id with key prefix 01t that the task names",
		"- start: the first day of the period the question names (YYYY-MM-DDT00:00:00Z)",
		"- min: the number right after 'least' in the question, minus 1",
		"- name: the words between 'the' and 'among' in the question",
		"- asked: today's date (YYYY-MM-DD)",
		"Training saw it return a map of values (anything else: check the question again).",
		"2. Call get_deals with:",
		"- ids: the Id of every item of the items of step 1's result",
		"- item: the Id of the item of the items of step 1's result whose Name the question names",
		"3. Answer: the key with the largest value of the counts of step 1's result.",
		"Definitions the tasks of this family give:\n  ## Sales ranking\n  - A rep's sales are the deals they closed in the period.\n",
		"Pitfalls seen in failed episodes: none recorded.",
	};
	for (size_t k = 0; k < sizeof want / sizeof *want; k++)
		if (!strstr(g, want[k]))
			fail_msg("the guide lacks \"%s\"", want[k]);
	/* no value of any training task: ids, names, numbers, dates, answers */
	static const char *const values[] = {
		"01tAAAAAAAAAAAAAAA", "01tBBBBBBBBBBBBBBB", "01tCCCCCCCCCCCCCCC", "Blue Widget", "Red Gadget", "Green Gizmo",
		"Blue", "Widget", "Gadget", "Gizmo", "13", "17", "25", "14", "16", "11", "12", "24", "2024-03-15",
		"2023-08-31", "2024-05-10", "2023-01-15", "2022-04-30", "2023-06-10", "005Alpha", "005Bravo",
		"005Charlie", "a1", "b1", "c1", "Product Id",
	};
	for (size_t k = 0; k < sizeof values / sizeof *values; k++)
		if (has_word(g, values[k]))
			fail_msg("the guide holds the value '%s'", values[k]);
	assert_null(strstr(g, "Today's date:")); /* a line of one task's definitions */
	/* a constant that is a value of a task is described, not written; one
	 * that is not is written; pitfalls recorded are listed */
	crmw__buf_clear(&b);
	json_t *consts = json_loads("{\"version\":1,\"programs\":[{\"family\":\"f\",\"support\":2,\"steps\":["
				    "{\"name\":\"q\",\"arguments\":{\"status\":\"Closed Won\",\"who\":\"Blue Widget\","
				    "\"said\":{\"$quoted\":\"open deals\"},\"term\":{\"$quoted\":\"Blue Widget\"}}},"
				    "{\"name\":\"respond\",\"arguments\":{\"content\":{\"$count\":\"/0\"}}}]}]}",
				    0, NULL);
	json_array_append_new(pit, json_string("Counting the open deals too."));
	assert_int_equal(crmw__program_guide(&b, consts, "f", eps, pit), CRMW_OK);
	assert_non_null(strstr(b.data, "- status: \"Closed Won\""));
	assert_non_null(strstr(b.data, "- who: a fixed value (the same in every solved task)"));
	assert_non_null(strstr(b.data, "- said: \"open deals\", which the question says"));
	assert_non_null(strstr(b.data, "- term: a fixed value (the same in every solved task), which the question says"));
	assert_non_null(strstr(b.data, "2. Answer: the number of items of step 1's result."));
	assert_non_null(strstr(b.data, "Pitfalls seen in failed episodes:\n  - Counting the open deals too."));
	crmw__buf_clear(&b);
	assert_int_equal(crmw__program_guide(&b, consts, "other", eps, NULL), CRMW_ENOTFOUND);
	json_decref(consts);
	json_decref(pit);
	crmw_buf_dispose(&b);
	json_decref(lib);
	json_decref(eps);
}

/* Programs from a store an attacker may have written: bounded, checked. */
/* Routing episodes whose state is only in the task's required context
 * ("## Lead's region: MT"), never in the query; the policy's own lines
 * ("- Territory: the territory whose ...") are "label: value" lines too. */
static json_t *routing_episode(const char *id, const char *query, const char *region, const char *terr, const char *owner)
{
	char req[400], calls[300], results[300];
	snprintf(req, sizeof req,
		 "## Routing policy\n- Territory: the territory that lists the lead's state\n- Lead Id: 00Q%015d\n"
		 "## Lead's region: %s\n",
		 atoi(id + 2), region);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"get_territories\",\"arguments\":{\"state\":\"%s\"}},"
		 "{\"name\":\"get_owner\",\"arguments\":{\"territory_id\":\"%s\"}}]",
		 region, terr);
	snprintf(results, sizeof results, "[[{\"Id\":\"%s\"}],{\"OwnerId\":\"%s\"}]", terr, owner);
	return episode(task(id, "routing", query, "2024-05-01", req), calls, results, owner);
}

static json_t *routing_library(void)
{
	json_t *eps = json_array();
	json_array_append_new(eps, routing_episode("r-1", "Which agent should take this lead?", "MT", "0MI1", "005A"));
	json_array_append_new(eps, routing_episode("r-2", "Who should own this lead?", "TX", "0MI2", "005B"));
	json_array_append_new(eps, routing_episode("r-3", "Route this lead: which agent?", "CA", "0MI3", "005C"));
	return induced(eps);
}

static void test_context_field(void **state)
{
	(void)state;
	/* the reader of "label: value" lines */
	const char *text = "## Lead's region: NV \r\n- Empty:   \nno colon here\nkey:value\n  * Owner: 005X\n- Note: a: b";
	const char *at = text, *l, *v;
	size_t ll, vl;
	static const char *const want[][2] = {{"Lead's region", "NV"}, {"Owner", "005X"}, {"Note", "a: b"}};
	for (size_t i = 0; i < 3; i++) {
		assert_true(crmw__prog_field_next(&at, &l, &ll, &v, &vl));
		assert_int_equal(ll, strlen(want[i][0]));
		assert_memory_equal(l, want[i][0], ll);
		assert_int_equal(vl, strlen(want[i][1]));
		assert_memory_equal(v, want[i][1], vl);
	}
	assert_false(crmw__prog_field_next(&at, &l, &ll, &v, &vl));
	/* lines that end at a carriage return alone (a review's case: the value
	 * ran on into the next line) */
	at = "## Lead's region: NV\r## Other: x\r";
	assert_true(crmw__prog_field_next(&at, &l, &ll, &v, &vl));
	assert_int_equal(vl, 2);
	assert_memory_equal(v, "NV", 2);
	assert_true(crmw__prog_field_next(&at, &l, &ll, &v, &vl));
	assert_int_equal(ll, 5);
	assert_false(crmw__prog_field_next(&at, &l, &ll, &v, &vl));

	json_t *lib = routing_library();
	const json_t *p = json_array_get(json_object_get(lib, "programs"), 0);
	assert_int_equal(json_array_size(json_object_get(lib, "programs")), 1);
	json_t *want_arg = json_pack("{s:s,s:s}", "$task", "field", "name", "Lead's region");
	assert_true(json_equal(json_object_get(json_object_get(json_array_get(json_object_get(p, "steps"), 0), "arguments"), "state"),
			       want_arg));
	json_decref(want_arg);

	/* a new lead: the region is read from its context */
	json_t *t = task("r-9", "routing", "Which agent should this lead go to?", "2024-06-01",
			 "## Routing policy\n- Lead Id: 00Q000000000000009\n## Lead's region: NV\n");
	expect_call(lib, t, "[]", "get_territories", "{\"state\":\"NV\"}");
	json_t *ex = explained(lib, t, "[]");
	expect_alts(ex, "state", "$task field 'Lead's region'");
	json_decref(ex);
	/* a model's guideline names the line, never a value of it */
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__program_guide(&b, lib, "routing", NULL, NULL), CRMW_OK);
	if (!strstr(b.data, "state: the value of the line 'Lead's region: ...' of the task's context"))
		fail_msg("guide: %s", b.data);
	assert_null(strstr(b.data, "MT"));
	assert_null(strstr(b.data, "NV"));
	assert_non_null(strstr(b.data, "Pitfalls seen in failed episodes: none recorded."));
	crmw_buf_dispose(&b);
	/* a pitfall's call count equal to a numeric answer is shown; one that
	 * holds an id is not, and then none is */
	json_t *exs = json_pack("[{s:{s:s,s:s},s:s}]", "task", "query", "Who?", "id", "r-1", "answer", "2");
	json_t *pits = json_pack("[s]", "answered after 2 tool calls, before calling get_owner");
	assert_int_equal(crmw__program_guide(&b, lib, "routing", exs, pits), CRMW_OK);
	if (!strstr(b.data, "Pitfalls seen in failed episodes:\n  - answered after 2 tool calls, before calling get_owner\n"))
		fail_msg("guide: %s", b.data);
	crmw_buf_dispose(&b);
	json_decref(pits);
	pits = json_pack("[s]", "called get_owner for 005MqKCnxO5PCplITG");
	assert_int_equal(crmw__program_guide(&b, lib, "routing", exs, pits), CRMW_OK);
	assert_null(strstr(b.data, "005Mq"));
	assert_non_null(strstr(b.data, "Pitfalls seen in failed episodes: none recorded."));
	crmw_buf_dispose(&b);
	json_decref(pits);
	json_decref(exs);
	expect_call(lib, t, "[[{\"Id\":\"0MI9\"}]]", "get_owner", "{\"territory_id\":\"0MI9\"}");
	expect_answer(lib, t, "[[{\"Id\":\"0MI9\"}],{\"OwnerId\":\"005Z\"}]", "005Z");
	json_decref(t);
	/* no region given, or two that differ: nothing to read */
	t = task("r-10", "routing", "Which agent should take this lead?", "2024-06-01", "- Lead Id: 00Q000000000000010\n");
	expect_abstain(lib, t, "[]", "the task gives no 'Lead's region'");
	json_decref(t);
	t = task("r-11", "routing", "Which agent should take this lead?", "2024-06-01",
		 "## Lead's region: NV\n## Lead's region: OR\n");
	expect_abstain(lib, t, "[]", "the task gives 'Lead's region' twice: 'NV' and 'OR'");
	json_decref(t);
	/* the same line given twice with one value is read */
	t = task("r-12", "routing", "Which agent should take this lead?", "2024-06-01",
		 "## Lead's region: NV\n- Lead's region: NV\n");
	expect_call(lib, t, "[]", "get_territories", "{\"state\":\"NV\"}");
	json_decref(t);
	json_decref(lib);

	/* a line that says the same in every example does not replace the
	 * constant (a review's case: a new task's 'Working' was passed on) */
	json_t *eps0 = json_array();
	for (int i = 0; i < 3; i++) {
		char id[8], req[200], calls[200];
		snprintf(id, sizeof id, "c-%d", i);
		snprintf(req, sizeof req, "- Lead status: Open\n- Lead Id: 00Q00000000000000%d\n", i);
		snprintf(calls, sizeof calls, "[{\"name\":\"find_leads\",\"arguments\":{\"status\":\"Open\",\"owner\":\"005N\"}}]");
		json_array_append_new(eps0, episode(task(id, "leads", "How many open leads are there?", "2024-05-01", req), calls,
						    "[[{\"Id\":\"a\"},{\"Id\":\"b\"}]]", "2"));
	}
	lib = induced(eps0);
	t = task("c-9", "leads", "How many open leads are there?", "2024-06-01", "- Lead status: Open\n");
	expect_call(lib, t, "[]", "find_leads", "{\"status\":\"Open\",\"owner\":\"005N\"}");
	json_decref(t);
	t = task("c-10", "leads", "How many open leads are there?", "2024-06-01", "- Lead status: Working\n");
	expect_abstain(lib, t, "[]", "disagree");
	json_decref(t);
	json_decref(lib);

	/* a value the query holds is read from the query, not from a line */
	json_t *eps = json_array();
	json_array_append_new(eps, routing_episode("r-1", "Which agent takes a lead from MT today?", "MT", "0MI1", "005A"));
	json_array_append_new(eps, routing_episode("r-2", "Which agent takes a lead from TX today?", "TX", "0MI2", "005B"));
	lib = induced(eps);
	char *text2 = json_dumps(lib, JSON_COMPACT);
	assert_non_null(strstr(text2, "\"$phrase\""));
	assert_null(strstr(text2, "\"field\""));
	free(text2);
	json_decref(lib);
}

/* Pitfalls: what a failed episode did otherwise than the programs, in the
 * programs' tool and argument names only. */
static void expect_pitfall(const json_t *lib, const json_t *t, const char *calls, const char *results, const char *answer,
			   const char *want)
{
	json_t *c = json_loads(calls, 0, NULL), *r = json_loads(results, 0, NULL);
	assert_non_null(c);
	assert_non_null(r);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__induced_pitfall(&b, lib, t, "routing", c, r, answer), CRMW_OK);
	const char *got = b.data ? b.data : "";
	if (strcmp(got, want) != 0)
		fail_msg("pitfall '%s', want '%s'", got, want);
	/* never a value of the episode */
	static const char *const values[] = {"NV", "MT", "0MI", "005", "nv_lookup", "Jane"};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++)
		if (strstr(got, values[i]))
			fail_msg("the pitfall '%s' holds '%s'", got, values[i]);
	crmw_buf_dispose(&b);
	json_decref(c);
	json_decref(r);
}

static void test_pitfalls(void **state)
{
	(void)state;
	json_t *lib = routing_library();
	json_t *t = task("r-9", "routing", "Which agent should this lead go to?", "2024-06-01",
			 "## Routing policy\n- Lead Id: 00Q000000000000009\n## Lead's region: NV\n");
	const char *terr = "{\"name\":\"get_territories\",\"arguments\":{\"state\":\"NV\"}}";
	/* answered before the second call */
	expect_pitfall(lib, t, "[{\"name\":\"get_territories\",\"arguments\":{\"state\":\"NV\"}}]", "[[{\"Id\":\"0MI9\"}]]",
		       "0MI9", "answered after 1 tool call, before calling get_owner");
	expect_pitfall(lib, t, "[]", "[]", "005Z", "answered after 0 tool calls, before calling get_territories");
	/* another state than the task's line gives */
	expect_pitfall(lib, t, "[{\"name\":\"get_territories\",\"arguments\":{\"state\":\"MT\"}}]", "[[{\"Id\":\"0MI1\"}]]",
		       "005A", "called get_territories with another state than the solved tasks compute (call 1)");
	/* another tool: named only when the programs call it */
	expect_pitfall(lib, t, "[{\"name\":\"get_owner\",\"arguments\":{\"territory_id\":\"0MI1\"}}]", "[{\"OwnerId\":\"005A\"}]",
		       "005A", "called get_owner as call 1, where the solved tasks call get_territories");
	expect_pitfall(lib, t, "[{\"name\":\"nv_lookup\",\"arguments\":{}}]", "[[]]", "005A",
		       "called a tool the solved tasks never call as call 1, where the solved tasks call get_territories");
	/* the right calls, another answer */
	char calls[300];
	snprintf(calls, sizeof calls, "[%s,{\"name\":\"get_owner\",\"arguments\":{\"territory_id\":\"0MI9\"}}]", terr);
	const char *results = "[[{\"Id\":\"0MI9\"}],{\"OwnerId\":\"005Z\"}]";
	expect_pitfall(lib, t, calls, results, "0MI9", "answered otherwise than the answer rule after 2 tool calls");
	/* what the programs do: nothing to tell */
	expect_pitfall(lib, t, calls, results, "005Z", "");
	expect_pitfall(lib, t, calls, results, NULL, "ended without an answer after 2 tool calls");
	/* a stored library whose step computes its whole arguments: the keys
	 * are the episode's values, never written (a review's attack) */
	json_t *crafted = json_deep_copy(lib);
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(crafted, "programs"), 0), "steps"), 1),
			    "arguments", json_pack("{s:s}", "$ref", "/0/0"));
	char why[300];
	assert_int_equal(crmw__program_check(json_array_get(json_object_get(crafted, "programs"), 0), why, sizeof why), CRMW_OK);
	expect_pitfall(crafted, t, calls, "[[{\"Id\":\"0MI9\",\"Jane Doe\":1}],{\"OwnerId\":\"005Z\"}]", "005Z",
		       "called get_owner with other arguments than the solved tasks compute (call 2)");
	json_decref(crafted);
	json_decref(t);
	/* a task the programs abstain on (no region): nothing to tell */
	t = task("r-10", "routing", "Which agent should take this lead?", "2024-06-01", "- Lead Id: 00Q000000000000010\n");
	expect_pitfall(lib, t, "[]", "[]", "005Z", "");
	json_decref(t);
	json_decref(lib);
}

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *prog, *why;
	} bad[] = {
		{"42", "a program is a list of 1 to 64 steps"},
		{"[]", "a program is a list of 1 to 64 steps"},
		{"[{\"name\":\"x\"}]", "step 0: the last step must be respond"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":\"a\"}},{\"name\":\"x\"}]", "step 0: respond must be the last step"},
		{"[{\"name\":\"respond\",\"arguments\":{}}]", "respond needs"},
		{"[{\"name\":\"x\",\"arguments\":{\"a\":{\"$ref\":\"/1\"}}},{\"name\":\"respond\",\"arguments\":{\"content\":1}}]",
		 "step 0: \"$ref\" must point into an earlier step's result"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$eval\":\"rm -rf\"}}}]", "unknown operator \"$eval\""},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$number\":{\"after\":[\"a\"]}}}}]", "$number needs"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$period\":\"start\",\"index\":3,\"of\":2}}}]", "\"$period\" needs"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$task\":\"password\"}}}]", "\"$task\" must be"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$task\":\"field\"}}}]", "\"field\" needs a \"name\""},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$task\":\"field\",\"name\":\"a: b\"}}}]",
		 "no ':' or line break"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$task\":\"field\",\"name\":\"\"}}}]", "\"field\" needs"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$task\":\"field\",\"name\":\"a\",\"index\":1}}}]",
		 "unknown key \"index\""},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$ref\":\"/0\",\"as\":\"html\"}}}]", "must point into an earlier"},
		{"{\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}],\"guards\":[{\"after\":0,\"shapes\":[],"
		 "\"content\":1}]}",
		 "guard 0: \"after\" must name a step before respond"},
		{"{\"steps\":[{\"name\":\"a\",\"shapes\":[\"huge\"]},{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}",
		 "unknown shape \"huge\""},
		{"{\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}],\"owner\":\"me\"}", "unknown key \"owner\""},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$any\":[]}}}]", "\"$any\" must be a list of 1 to 256 values"},
		/* "after" + 1 overflowed */
		{"{\"steps\":[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":1}}],"
		 "\"guards\":[{\"after\":9223372036854775807,\"shapes\":[],\"content\":1}]}",
		 "guard 0: \"after\" must name a step before respond"},
		{"[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$number\":{\"after\":[\"top\"],\"offset\":1001}}}}]",
		 "$number needs"},
		/* a guard's path: routes of one shape per step before it
		 * (test_review21_path_check has more) */
		{"{\"steps\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"respond\",\"arguments\":{\"content\":1}}],"
		 "\"guards\":[{\"after\":1,\"shapes\":[\"empty\"],\"content\":1,\"path\":[[]]}]}",
		 "guard 0: a route of \"path\" must list 1 shapes"},
	};
	char why[400];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *p = json_loads(bad[i].prog, JSON_DECODE_ANY, NULL);
		assert_non_null(p);
		assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_EINVALID);
		if (!strstr(why, bad[i].why))
			fail_msg("program %zu: '%s' does not say '%s'", i, why, bad[i].why);
		json_decref(p);
	}
	/* deep nesting is refused, not recursed into without bound */
	crmw_buf b = CRMW_BUF_INIT;
	crmw__buf_puts(&b, "[{\"name\":\"respond\",\"arguments\":{\"content\":");
	for (int i = 0; i < 400; i++)
		crmw__buf_putc(&b, '[');
	for (int i = 0; i < 400; i++)
		crmw__buf_putc(&b, ']');
	crmw__buf_puts(&b, "}}]");
	json_t *p = json_loads(b.data, 0, NULL);
	assert_non_null(p);
	assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_EINVALID);
	assert_non_null(strstr(why, "nested deeper than 16"));
	/* and the interpreter refuses it too when run unchecked */
	crmw__prog_next nx;
	json_t *t = task("x", "x", "q", "2024-01-01", NULL), *r = json_array();
	assert_int_equal(crmw__program_next(&nx, p, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	assert_non_null(strstr(nx.why, "nested deeper than 16"));
	crmw__prog_next_clear(&nx);
	json_decref(p);
	crmw_buf_dispose(&b);
	/* literals count toward the same bounds ($lit and "default" were not walked) */
	static const struct {
		const char *open, *close;
		int n;
		const char *why;
	} lits[] = {
		{"{\"$lit\":", "}", 1000, "nested deeper than 16"},
		{"{\"$ref\":\"/0\",\"default\":", "}", 1000, "nested deeper than 16"},
		{"{\"$lit\":", "}", 16, "nested deeper than 16"},
		{"{\"$lit\":", "}", 15, NULL},
	};
	for (size_t i = 0; i < sizeof lits / sizeof *lits; i++) {
		b = (crmw_buf)CRMW_BUF_INIT;
		crmw__buf_printf(&b, "[{\"name\":\"q\"},{\"name\":\"respond\",\"arguments\":{\"content\":%s", lits[i].open);
		for (int j = 0; j < lits[i].n; j++)
			crmw__buf_putc(&b, '[');
		for (int j = 0; j < lits[i].n; j++)
			crmw__buf_putc(&b, ']');
		crmw__buf_printf(&b, "%s}}]", lits[i].close);
		p = json_loads(b.data, 0, NULL);
		assert_non_null(p);
		int rc = crmw__program_check(p, why, sizeof why);
		if (lits[i].why ? rc != CRMW_EINVALID || !strstr(why, lits[i].why) : rc != CRMW_OK)
			fail_msg("literal %zu: %d '%s'", i, rc, why);
		json_decref(p);
		crmw_buf_dispose(&b);
	}
	b = (crmw_buf)CRMW_BUF_INIT;
	crmw__buf_puts(&b, "[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$lit\":[");
	for (int i = 0; i < 100000; i++)
		crmw__buf_printf(&b, "%s1", i ? "," : "");
	crmw__buf_puts(&b, "]}}}]");
	p = json_loads(b.data, 0, NULL);
	assert_non_null(p);
	assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_EINVALID);
	assert_non_null(strstr(why, "more than 20000 values"));
	json_decref(p);
	crmw_buf_dispose(&b);
	/* a $number offset beyond the bound, run unchecked, is refused too (found + offset overflowed) */
	p = json_loads("[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$number\":{\"after\":[\"top\"],"
		       "\"offset\":9223372036854775807}}}}]",
		       0, NULL);
	json_t *top = task("x", "x", "top 5 deals", "2024-01-01", NULL);
	assert_int_equal(crmw__program_next(&nx, p, top, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	assert_non_null(strstr(nx.why, "an offset beyond 1000"));
	crmw__prog_next_clear(&nx);
	json_decref(top);
	json_decref(p);
	/* an episode of the wrong shape is named */
	json_t *eps = json_pack("[{s:o}]", "task", task("y", "y", "q", "2024-01-01", NULL));
	assert_null(crmw__induce(eps, 2, why, sizeof why));
	assert_string_equal(why, "episode 0: needs task, calls, results (as many) and answer");
	json_decref(eps);
	json_decref(t);
	json_decref(r);
}

/* A library from a store anyone may write: every program is checked, and
 * every field of the library read, before it runs. */
static void test_untrusted_library(void **state)
{
	(void)state;
	static const struct {
		const char *lib, *family, *why;
	} cases[] = {
		/* a negative $period index (unchecked, it read before the periods) */
		{"{\"programs\":[{\"family\":\"f\",\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":"
		 "{\"$period\":\"start\",\"index\":-100000000,\"of\":0}}}]}]}",
		 "f", "program 0 (f): skipped: step 0: \"$period\" needs"},
		/* steps without a name (same_action compared them) */
		{"{\"programs\":[{\"family\":\"f\",\"steps\":[{\"arguments\":{}},{\"name\":\"respond\",\"arguments\":{\"content\":1}}]},"
		 "{\"family\":\"f\",\"steps\":[{\"arguments\":{}},{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "program 1 (f): skipped: step 0: a step is an object with a \"name\""},
		/* a program without a family beside one with (fits_unlabelled) */
		{"{\"families\":{\"f\":{\"hello\":1}},\"programs\":["
		 "{\"family\":\"f\",\"words\":{\"hello\":1},\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]},"
		 "{\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 NULL, "program 1 (?): skipped: \"family\" is not a text"},
		{"{\"programs\":[{\"family\":7,\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}", NULL,
		 "skipped: \"family\" is not a text"},
		{"{\"programs\":[{\"family\":\"f\",\"words\":[1],\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"words\" are not counts"},
		{"{\"programs\":[{\"family\":\"f\",\"negative\":{\"x\":\"y\"},\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"negative\" are not counts"},
		{"{\"programs\":[{\"family\":\"f\",\"seen\":{\"x\":null},\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"seen\" are not counts"},
		{"{\"programs\":[{\"family\":\"f\",\"docs\":\"9\",\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"docs\" is not a count"},
		{"{\"programs\":[{\"family\":\"f\",\"negatives\":1.5,\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"negatives\" is not a count"},
		{"{\"programs\":[{\"family\":\"f\",\"support\":-1,\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"support\" is not a count"},
		{"{\"programs\":[{\"family\":\"f\",\"solved\":{},\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"solved\" is not a count"},
		{"{\"programs\":[{\"family\":\"f\",\"seen\":{},\"directed\":1,\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
		 "f", "skipped: \"directed\" is not \"max\" or \"min\""},
		{"{\"programs\":[],\"families\":[]}", "f", "the library is malformed: \"families\" is not an object"},
		{"{\"programs\":[],\"families\":{\"f\":{\"a\":\"b\"}}}", NULL, "the library is malformed: a family's words"},
		{"{\"programs\":[],\"directions\":{\"a\":2}}", "f", "the library is malformed: a direction"},
		{"{\"programs\":[],\"sides\":{\"f\":{\"max\":3}}}", "f", "the library is malformed: a family's sides"},
		{"{\"programs\":[],\"sides\":{\"f\":{\"max\":{},\"min\":{},\"tie_min\":{\"a\":-1}}}}", "f",
		 "the library is malformed: a family's tie words are not counts"},
		{"{\"programs\":[],\"sides\":{\"f\":{\"max\":{},\"min\":{},\"tie_max\":[1]}}}", "f",
		 "the library is malformed: a family's tie words are not counts"},
		{"{\"programs\":[],\"sides\":{\"f\":{\"max\":{},\"min\":{},\"echo_max\":{\"a\":\"1\"}}}}", "f",
		 "the library is malformed: a family's echo words are not counts"},
		{"{\"programs\":[],\"sides\":{\"f\":{\"max\":{},\"min\":{},\"echo_min\":3}}}", "f",
		 "the library is malformed: a family's echo words are not counts"},
		{"{\"programs\":[],\"directed_words\":\"x\"}", "f", "the library is malformed: \"directed_words\""},
		{"{\"programs\":[],\"sentences\":[]}", "f", "the library is malformed: \"sentences\" is not an object"},
		{"{\"programs\":[],\"sentences\":{\"f\":{\"seen\":{\"0123456789abcdef\":-2}}}}", "f",
		 "the library is malformed: a family's sentences are not"},
		{"{\"programs\":[],\"sentences\":{\"f\":{\"none\":{\"0123456789abcdef\":\"3\"}}}}", "f",
		 "the library is malformed: a family's sentences are not"},
		{"{\"programs\":[],\"sentences\":{\"f\":7}}", "f", "the library is malformed: a family's sentences are not"},
		{"{\"programs\":{}}", "f", "the library is malformed: \"programs\" is not a list"},
		{"[]", "f", "the library is malformed: not an object"},
	};
	json_t *t = task("t", "f", "hello", "2024-05-01", NULL), *r = json_array();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *lib = json_loads(cases[i].lib, JSON_DECODE_ANY, NULL);
		assert_non_null(lib);
		crmw__prog_next nx, nc;
		assert_int_equal(crmw__induced_next(&nx, lib, t, cases[i].family, r), CRMW_OK);
		if (nx.kind != CRMW__PROG_ABSTAIN || !strstr(nx.why, cases[i].why))
			fail_msg("library %zu: kind %d, '%s' does not say '%s'", i, nx.kind, nx.why, cases[i].why);
		/* checked once (crmw__induced_check), it says the same */
		json_t *once = crmw__induced_check(lib);
		assert_non_null(once);
		assert_int_equal(crmw__induced_next_checked(&nc, lib, once, t, cases[i].family, r), CRMW_OK);
		assert_int_equal(nc.kind, nx.kind);
		assert_string_equal(nc.why, nx.why);
		crmw__prog_next_clear(&nc);
		json_decref(once);
		crmw__prog_next_clear(&nx);
		json_decref(lib);
	}
	/* a good program beside a bad one still answers, checked at once or
	 * in advance */
	json_t *lib = json_loads("{\"programs\":[{\"family\":\"f\",\"steps\":[{\"name\":\"respond\",\"arguments\":{\"content\":5}}]},"
				 "{\"family\":\"f\",\"steps\":[{\"arguments\":{}},{\"name\":\"respond\",\"arguments\":{\"content\":1}}]}]}",
				 0, NULL);
	expect_answer(lib, t, "[]", "5");
	json_t *checks = crmw__induced_check(lib);
	assert_non_null(checks);
	assert_non_null(json_object_get(json_object_get(checks, "skipped"), "1"));
	assert_null(json_object_get(json_object_get(checks, "skipped"), "0"));
	crmw__prog_next nk;
	assert_int_equal(crmw__induced_next_checked(&nk, lib, checks, t, "f", r), CRMW_OK);
	assert_int_equal(nk.kind, CRMW__PROG_ANSWER);
	assert_string_equal(nk.answer, "5");
	crmw__prog_next_clear(&nk);
	json_decref(checks);
	json_decref(lib);
	/* and the interpreter refuses a negative period index run unchecked */
	json_t *p = json_loads("[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$period\":\"start\",\"index\":-1,\"of\":1}}}]", 0, NULL);
	json_t *t2 = task("t", "f", "deals in the past 3 months", "2024-05-01", NULL);
	crmw__prog_next nx;
	assert_int_equal(crmw__program_next(&nx, p, t2, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	if (!strstr(nx.why, "no time expression -1"))
		fail_msg("%s", nx.why);
	crmw__prog_next_clear(&nx);
	json_decref(p);
	json_decref(t2);
	json_decref(t);
	json_decref(r);
}

/* Non-ASCII text is tokenized a character run at a time: a phrase never
 * cuts a character, and induction reads a number after "€". */
static void test_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *prog, *query, *answer;
	} cases[] = {
		{"{\"$phrase\":{\"after\":[\"x\"],\"before\":[]}}", "x \u00e9", "\u00e9"},
		{"{\"$phrase\":{\"after\":[],\"before\":[\"y\"]}}", "\u00e9y", "\u00e9"},
		{"{\"$phrase\":{\"after\":[\"to\"],\"before\":[\"now\"]}}", "ship to M\u00fcnchen \u20ac now", "M\u00fcnchen \u20ac"},
		{"{\"$number\":{\"after\":[\"\u20ac\"],\"offset\":0}}", "deals over \u20ac5000 now", "5000"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[300];
		snprintf(text, sizeof text, "[{\"name\":\"respond\",\"arguments\":{\"content\":%s}}]", cases[i].prog);
		json_t *p = json_loads(text, 0, NULL), *t = task("u", "u", cases[i].query, "2024-05-01", NULL), *r = json_array();
		assert_non_null(p);
		crmw__prog_next nx;
		assert_int_equal(crmw__program_next(&nx, p, t, r), CRMW_OK);
		if (nx.kind != CRMW__PROG_ANSWER || strcmp(nx.answer, cases[i].answer) != 0)
			fail_msg("case %zu: kind %d answer '%s' why '%s'", i, nx.kind, nx.answer ? nx.answer : "", nx.why);
		crmw__prog_next_clear(&nx);
		json_decref(p);
		json_decref(t);
		json_decref(r);
	}
	/* the phrase as a call's argument, which failed with CRMW_ENOMEM */
	json_t *p = json_loads("[{\"name\":\"q\",\"arguments\":{\"x\":{\"$phrase\":{\"after\":[\"x\"],\"before\":[]}}}},"
			       "{\"name\":\"respond\",\"arguments\":{\"content\":1}}]",
			       0, NULL);
	json_t *t = task("u", "u", "x \u00e9", "2024-05-01", NULL), *r = json_array();
	crmw__prog_next nx;
	assert_int_equal(crmw__program_next(&nx, p, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_CALL);
	json_t *want = json_pack("{s:s}", "x", "\u00e9");
	assert_true(json_equal(want, nx.arguments));
	json_decref(want);
	crmw__prog_next_clear(&nx);
	json_decref(p);
	json_decref(t);
	/* induction on "€5000" */
	json_t *eps = json_array();
	for (int i = 0; i < 3; i++) {
		char q[64], id[8], calls[64];
		snprintf(q, sizeof q, "deals over \u20ac%d now", 5000 + 1000 * i);
		snprintf(id, sizeof id, "e%d", i);
		snprintf(calls, sizeof calls, "[{\"name\":\"q\",\"arguments\":{\"min\":%d}}]", 5000 + 1000 * i);
		json_array_append_new(eps, episode(task(id, "f", q, "2024-05-01", NULL), calls, "[[1]]", "1"));
	}
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	if (!lib)
		fail_msg("induce: %s", why);
	t = task("n", "f", "deals over \u20ac9000 now", "2024-05-01", NULL);
	expect_call(lib, t, "[]", "q", "{\"min\":9000}");
	json_decref(t);
	json_decref(lib);
	json_decref(eps);
	json_decref(r);
}

/* A small checked program cannot make a large value or a long search:
 * one evaluation has a budget of work (CRMW__PROG_MAX_COST). */
static void test_cost_bounds(void **state)
{
	(void)state;
	char why[400];
	crmw__prog_next nx;
	/* 2,000 references to one 50 KB result: 100 MB as arguments */
	crmw_buf b = CRMW_BUF_INIT;
	crmw__buf_puts(&b, "[{\"name\":\"q\"},{\"name\":\"q\",\"arguments\":{\"x\":[");
	for (int i = 0; i < 2000; i++)
		crmw__buf_printf(&b, "%s{\"$ref\":\"/0/0\"}", i ? "," : "");
	crmw__buf_puts(&b, "]}},{\"name\":\"respond\",\"arguments\":{\"content\":1}}]");
	json_t *p = json_loads(b.data, 0, NULL);
	assert_non_null(p);
	assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_OK);
	char *big = malloc(50001);
	memset(big, 'x', 50000);
	big[50000] = '\0';
	json_t *r = json_pack("[[s]]", big), *t = task("c", "c", "q", "2024-01-01", NULL);
	free(big);
	assert_int_equal(crmw__program_next(&nx, p, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	if (!strstr(nx.why, "the program is too costly"))
		fail_msg("%s", nx.why);
	crmw__prog_next_clear(&nx);
	json_decref(p);
	json_decref(t);
	crmw_buf_dispose(&b);
	/* a few references are paid for */
	p = json_loads("[{\"name\":\"q\"},{\"name\":\"q\",\"arguments\":{\"x\":[{\"$ref\":\"/0/0\"},{\"$ref\":\"/0/0\"}]}},"
		       "{\"name\":\"respond\",\"arguments\":{\"content\":1}}]",
		       0, NULL);
	assert_int_equal(crmw__program_next(&nx, p, t = task("c", "c", "q", "2024-01-01", NULL), r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_CALL);
	crmw__prog_next_clear(&nx);
	json_decref(p);
	json_decref(r);
	json_decref(t);
	/* 2,048 $number over a query of 8,000 words */
	b = (crmw_buf)CRMW_BUF_INIT;
	crmw__buf_puts(&b, "[{\"name\":\"respond\",\"arguments\":{\"content\":{\"$any\":[");
	for (int j = 0; j < 8; j++) {
		crmw__buf_printf(&b, "%s{\"$any\":[", j ? "," : "");
		for (int i = 0; i < 256; i++)
			crmw__buf_printf(&b, "%s{\"$number\":{\"after\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"b\"],\"offset\":0}}",
					 i ? "," : "");
		crmw__buf_puts(&b, "]}");
	}
	crmw__buf_puts(&b, "]}}}]");
	p = json_loads(b.data, 0, NULL);
	assert_non_null(p);
	assert_int_equal(crmw__program_check(p, why, sizeof why), CRMW_OK);
	crmw_buf q = CRMW_BUF_INIT;
	for (int i = 0; i < 8000; i++)
		crmw__buf_puts(&q, "a ");
	crmw__buf_puts(&q, "7");
	t = task("c", "c", q.data, "2024-01-01", NULL);
	r = json_array();
	assert_int_equal(crmw__program_next(&nx, p, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	if (!strstr(nx.why, "the program is too costly"))
		fail_msg("%.200s", nx.why);
	crmw__prog_next_clear(&nx);
	json_decref(p);
	json_decref(t);
	json_decref(r);
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&q);
	/* $pick looks for values of at most 256 bytes, at word boundaries */
	char name[301];
	memset(name, 'n', 300);
	name[300] = '\0';
	char query[400];
	snprintf(query, sizeof query, "about %s and Acme", name);
	t = task("c", "c", query, "2024-01-01", NULL);
	crmw__prog_ctx c;
	assert_int_equal(crmw__prog_ctx_init(&c, t, NULL), CRMW_OK);
	assert_false(crmw__prog_in_query(&c, name));
	name[256] = '\0';
	assert_false(crmw__prog_in_query(&c, name)); /* inside a word */
	assert_true(crmw__prog_in_query(&c, "ACME"));
	assert_true(crmw__prog_in_query(&c, "about"));
	assert_false(crmw__prog_in_query(&c, "acm"));
	assert_false(crmw__prog_in_query(&c, "bout"));
	crmw__prog_ctx_dispose(&c);
	json_decref(t);
	snprintf(query, sizeof query, "about %s and Acme", name);
	t = task("c", "c", query, "2024-01-01", NULL);
	assert_int_equal(crmw__prog_ctx_init(&c, t, NULL), CRMW_OK);
	assert_true(crmw__prog_in_query(&c, name)); /* 256 bytes */
	crmw__prog_ctx_dispose(&c);
	json_decref(t);
	/* many ids: each once, in order */
	crmw_buf ids = CRMW_BUF_INIT;
	for (int i = 0; i < 3000; i++)
		crmw__buf_printf(&ids, "001A%014d 001A%014d ", i, i / 2);
	t = task("c", "c", ids.data, "2024-01-01", NULL);
	assert_int_equal(crmw__prog_ctx_init(&c, t, NULL), CRMW_OK);
	assert_int_equal(json_array_size(c.ids), 3000);
	assert_string_equal(json_string_value(json_array_get(c.ids, 1)), "001A00000000000001");
	assert_string_equal(json_string_value(json_array_get(c.ids, 2999)), "001A00000000002999");
	crmw__prog_ctx_dispose(&c);
	json_decref(t);
	crmw_buf_dispose(&ids);
}

/* Out of memory is an error (CRMW_ENOMEM), never an abstention: with
 * jansson failing after n allocations, the interpreter either calls or
 * says so, wherever the failure falls ("$any" wrapped the reason, and the
 * text "out of memory" was what told it apart). */
static size_t allocs_left;
static void *failing_malloc(size_t n)
{
	if (allocs_left == 0)
		return NULL;
	allocs_left--;
	return malloc(n);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	json_t *p = json_loads("[{\"name\":\"q\"},{\"name\":\"q\",\"arguments\":{\"x\":{\"$any\":[{\"$ref\":\"/0\",\"as\":\"text\"},"
			       "{\"$ref\":\"/0\",\"as\":\"text\"}]},\"y\":[1,{\"$lit\":{\"a\":1}}]}},"
			       "{\"name\":\"respond\",\"arguments\":{\"content\":1}}]",
			       0, NULL);
	json_t *t = task("m", "m", "q", "2024-01-01", NULL), *r = json_loads("[[\"a\",\"b\"]]", 0, NULL);
	assert_non_null(p);
	bool done = false;
	for (size_t n = 0; n < 400 && !done; n++) {
		crmw__prog_next nx;
		allocs_left = n;
		json_set_alloc_funcs(failing_malloc, free);
		int rc = crmw__program_next(&nx, p, t, r);
		json_set_alloc_funcs(malloc, free);
		if (rc == CRMW_OK && nx.kind != CRMW__PROG_CALL)
			fail_msg("%zu allocations: kind %d, rc %d: %s", n, nx.kind, rc, nx.why);
		if (rc != CRMW_OK)
			assert_int_equal(rc, CRMW_ENOMEM);
		done = rc == CRMW_OK;
		crmw__prog_next_clear(&nx);
	}
	assert_true(done);
	json_decref(p);
	json_decref(t);
	json_decref(r);
}

/* Gold programs run on the same interpreter: $ref with as/default. */
static void test_gold_notation(void **state)
{
	(void)state;
	json_t *gold = json_loads("[{\"name\":\"a\",\"arguments\":{\"x\":1}},"
				  "{\"name\":\"b\",\"arguments\":{\"ids\":{\"$ref\":\"/0/items\"},\"n\":{\"$ref\":\"/0/n\"}}},"
				  "{\"name\":\"respond\",\"arguments\":{\"content\":{\"$ref\":\"/1\",\"as\":\"text\",\"default\":null}}}]",
				  0, NULL);
	char why[300];
	assert_int_equal(crmw__program_check(gold, why, sizeof why), CRMW_OK);
	json_t *t = task("g", "g", "q", "2024-01-01", NULL);
	json_t *r = json_loads("[{\"items\":[\"p\",\"q\"],\"n\":2}]", 0, NULL);
	crmw__prog_next nx;
	assert_int_equal(crmw__program_next(&nx, gold, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_CALL);
	assert_string_equal(nx.name, "b");
	char *a = json_dumps(nx.arguments, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(a, "{\"ids\":[\"p\",\"q\"],\"n\":2}");
	free(a);
	crmw__prog_next_clear(&nx);
	json_array_append_new(r, json_loads("[\"x\",\"y\"]", 0, NULL));
	assert_int_equal(crmw__program_next(&nx, gold, t, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ANSWER);
	assert_string_equal(nx.answer, "x, y");
	crmw__prog_next_clear(&nx);
	json_decref(r);
	json_decref(t);
	json_decref(gold);
}

/* A program's direction is what its answer computes.  Both tasks of this
 * argmax program hold their answer at the top of one map and at the
 * bottom of another (the agent with the longest handle time also handled
 * the fewest cases), so reading every map made them ties and left the
 * program without a direction: it answered a "lowest" question with its
 * argmax (a fresh org of the evaluation, b2c seed 22, at 40 tasks per
 * family).  Its answer's only explanation is an argmax. */
static void test_direction_answer(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "cost", "highest", true, 3, 0);
	directed_episodes(eps, "cost", "lowest", false, 3, 10);
	/* /0 and /1 hold the answer at the top of one and the bottom of the
	 * other; /2 is the map the answer is the argmax of; /3 the pick */
	static const char *const results[] = {
		"[{\"a\":1,\"b\":9},{\"a\":3,\"b\":1},{\"a\":7,\"b\":5},[\"a\"]]",
		"[{\"a\":3,\"b\":6},{\"a\":4,\"b\":0},{\"a\":2,\"b\":8},[\"b\"]]"};
	for (int i = 0; i < 2; i++) {
		char q[160], id[32];
		snprintf(q, sizeof q, "Which agent had the highest score in week %d?", i + 1);
		snprintf(id, sizeof id, "score-%d", i);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL),
						   "[{\"name\":\"handled\",\"arguments\":{}},{\"name\":\"cases\",\"arguments\":{}},"
						   "{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"pick\",\"arguments\":{}}]",
						   results[i], i ? "b" : "a"));
	}
	json_t *lib = induced(eps);
	size_t i;
	json_t *p;
	bool found = false;
	json_array_foreach(json_object_get(lib, "programs"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "family")), "score") != 0)
			continue;
		found = true;
		const char *d = json_string_value(json_object_get(p, "directed"));
		if (!d)
			fail_msg("the argmax program has no direction");
		assert_string_equal(d, "max");
	}
	assert_true(found);
	json_t *t = task("score-9", "score", "Which agent had the lowest score in week 9?", "2024-01-01", NULL);
	expect_abstain(lib, t, "[]", "'lowest' tells the lowest in training");
	json_object_set_new(t, "query", json_string("Which agent had the highest score in week 9?"));
	expect_call(lib, t, "[]", "handled", "{}");
	json_decref(t);
	json_decref(lib);
}

/* A word that training saw only with the other side's tasks, by chance
 * ("Kindly note." before two highest questions), keeps a lowest program
 * off its question only while the question's own direction word has no
 * more evidence: against "lowest" said with eight lowest tasks it tells
 * nothing (it vetoed 'the fewest transfers' questions by the dozen at 40
 * and 100 tasks per family); against "lowest" said three times it still
 * vetoes, and a direction word of the other side always does. */
static void test_direction_outweighed(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "lowest", false, 8, 0);
	worded_episodes(eps, "score", "Kindly note.", "highest", true, 2, 10);
	directed_episodes(eps, "score", "highest", true, 6, 12);
	json_t *lib = induced(eps);
	assert_string_equal(json_string_value(json_object_get(json_object_get(lib, "directions"), "kindly")), "max");
	json_t *t = task("score-99", "score", "Kindly note. Which agent had the lowest score in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	json_object_set_new(t, "query", json_string("Kindly note. Which agent had the highest score in quarter 40?"));
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	json_object_set_new(t, "query", json_string("Which agent had the lowest score in quarter 40? The highest?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "tells the highest in training");
	json_decref(lib);

	/* a learned word of three sightings outweighs nothing; a word of the
	 * lexicon confirmed by the same three does (test_direction_lexicon) */
	eps = json_array();
	directed_episodes(eps, "score", "weakest", false, 3, 0);
	worded_episodes(eps, "score", "Kindly note.", "highest", true, 2, 10);
	directed_episodes(eps, "score", "highest", true, 1, 12);
	lib = induced(eps);
	json_object_set_new(t, "query", json_string("Kindly note. Which agent had the weakest score in quarter 40?"));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "tells the highest in training");
	json_decref(t);
	json_decref(lib);
}

/* Three routing tasks of the same calls, each a case told in its own
 * words and routed to its own agent, and a fourth of their wording (a
 * case no training task was about). */
static json_t *routed_same_calls(const char *calls)
{
	static const char *const said[] = {"My kettle leaks.", "The kettle drips on the table.", "Water comes out of my kettle."};
	json_t *eps = json_array();
	for (int i = 0; i < 3; i++) {
		char q[200], id[32], results[200], answer[32];
		snprintf(q, sizeof q, "Route this new case to the right agent. %s", said[i]);
		snprintf(id, sizeof id, "route-%d", i);
		snprintf(results, sizeof results, "[[{\"OwnerId\":\"005A00000000000%03d\"}]]", i);
		snprintf(answer, sizeof answer, "005A00000000000%03d", i);
		json_array_append_new(eps, episode(task(id, "route", q, "2024-01-01", NULL), calls, results, answer));
	}
	return eps;
}

static json_t *new_routing_task(void)
{
	return task("route-9", "route", "Route this new case to the right agent. My printer jams.", "2024-01-01", NULL);
}

/* A record id is a value of one task's data, never a constant of a
 * program: three routing tasks of one org that came about the same issue
 * made a program that looked every case up under that issue, and it
 * answered every other routing task of the org with the same agent (57
 * wrong answers on crmarena seed 33 at 100 tasks per family). */
static void test_record_id_constant(void **state)
{
	(void)state;
	json_t *lib = induced(routed_same_calls("[{\"name\":\"get_cases\",\"arguments\":{\"issue_ids\":[\"a01A00000000000AAA\"],"
						"\"statuses\":[\"Closed\"]}}]"));
	json_t *t = new_routing_task();
	expect_abstain(lib, t, "[]", "no program");
	json_decref(t);
	json_decref(lib);

	/* the same with the issue named in every task: read from the task */
	json_t *eps = json_array();
	for (int i = 0; i < 3; i++) {
		char q[200], id[32], results[200], calls[300], issue[32], answer[32];
		snprintf(issue, sizeof issue, "a01A00000000000A%02d", i);
		snprintf(q, sizeof q, "Route this new case to the right agent. Issue %s.", issue);
		snprintf(id, sizeof id, "route-%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"get_cases\",\"arguments\":{\"issue_ids\":[\"%s\"],\"statuses\":[\"Closed\"]}}]", issue);
		snprintf(results, sizeof results, "[[{\"OwnerId\":\"005A00000000000%03d\"}]]", i);
		snprintf(answer, sizeof answer, "005A00000000000%03d", i);
		json_array_append_new(eps, episode(task(id, "route", q, "2024-01-01", NULL), calls, results, answer));
	}
	lib = induced(eps);
	t = task("route-9", "route", "Route this new case to the right agent. Issue a01A00000000000B77.", "2024-01-01", NULL);
	expect_call(lib, t, "[]", "get_cases", "{\"issue_ids\":[\"a01A00000000000B77\"],\"statuses\":[\"Closed\"]}");
	expect_answer(lib, t, "[[{\"OwnerId\":\"005A00000000000777\"}]]", "005A00000000000777");
	json_decref(t);
	json_decref(lib);
}

/* A review's attacks on the direction and constant rules.
 * A: a direction word of the other side, said rarely in training
 * ("highest": 2 of 8 argmax tasks, the rest say "top"), is outweighed by a
 * common word of the program's side ("lowest": 8 argmin tasks) in a query
 * that says both: the argmin program answers a question that asks for the
 * highest (before outweighing: 'highest' vetoed it; the veto word is an antonym of a word of the program's side in the same slot, "the highest" and "the lowest", and is never outweighed). */
static void test_review_rare_other_word(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "lowest", false, 8, 0);
	directed_episodes(eps, "score", "highest", true, 2, 10);
	directed_episodes(eps, "score", "top", true, 6, 12);
	/* a wording said with both sides */
	worded_episodes(eps, "score", "Ignore the noise.", "lowest", false, 1, 8);
	worded_episodes(eps, "score", "Ignore the noise.", "top", true, 1, 18);
	json_t *lib = induced(eps);
	assert_string_equal(json_string_value(json_object_get(json_object_get(lib, "directions"), "highest")), "max");
	/* a compound question: no single argmax/argmin of one map answers it */
	json_t *t = task("score-99", "score", "Which agent had the highest score in the quarter the agent had the lowest score?",
			 "2024-01-01", NULL);
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "");
	/* the question asks for the highest; the lowest is what it is not */
	json_object_set_new(t, "query", json_string("Which agent had the highest score in quarter 40? Ignore the lowest."));
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "");
	json_decref(t);
	json_decref(lib);
}

/* B: a constant that is a record id (the org's standard price
 * book, the same in every task of the family) with a second explanation
 * that held by chance in training (the opportunity's own price book, the
 * standard one in every training task).  Before the id rule the argument was
 * "$any" of both and a task where they differ abstained; with the constant
 * left out the chance path answered alone; an id constant now checks the
 * other explanations without explaining a value alone. */
static void test_review_id_constant_any(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const opp[] = {"Acme renewal", "Globex expansion", "Initech pilot"};
	for (int i = 0; i < 3; i++) {
		char q[200], id[32], results[300], answer[16];
		snprintf(q, sizeof q, "What is the list price of the first product for the %s deal?", opp[i]);
		snprintf(id, sizeof id, "price-%d", i);
		snprintf(results, sizeof results,
			 "[{\"Name\":\"%s\",\"Pricebook2Id\":\"01s000000000001AAA\"},[{\"UnitPrice\":\"%d\"}]]", opp[i], 10 + i);
		snprintf(answer, sizeof answer, "%d", 10 + i);
		json_array_append_new(eps, episode(task(id, "price", q, "2024-01-01", NULL),
						   "[{\"name\":\"get_opportunity\",\"arguments\":{}},"
						   "{\"name\":\"get_prices\",\"arguments\":{\"pricebook_id\":\"01s000000000001AAA\"}}]",
						   results, answer));
	}
	json_t *lib = induced(eps);
	json_t *t = task("price-9", "price", "What is the list price of the first product for the Umbrella renewal deal?",
			 "2024-01-01", NULL);
	expect_call(lib, t, "[]", "get_opportunity", "{}");
	/* the two explanations disagree: either may be the family's */
	expect_abstain(lib, t, "[{\"Name\":\"Umbrella renewal\",\"Pricebook2Id\":\"01s000000000077ZZZ\"}]", "");
	json_decref(t);
	json_decref(lib);
}

/* C: a program directed by its answer ($argmax) where every task
 * it solved is a tie over the maps loses the words of its counterexamples
 * that tie (they are dropped from "negative"), and nothing else keeps it
 * off their questions.  Three "highest score" tasks answered by the
 * argmax of /2 (the answer at the top of /0 and the bottom of /1, or the
 * reverse), and three tasks of the same calls "excluding transfers" whose
 * answer no expression gives (a tie in /0, the middle of /1 and /2):
 * before the answer's direction the program was undirected and "excluding" (seen only
 * with its counterexamples) vetoed it; with it, dropping the ties' words
 * answered them by the argmax; the ties' words are dropped only when the
 * direction is read from the tasks' maps. */
static void test_review_tie_counterexamples(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const calls = "[{\"name\":\"handled\",\"arguments\":{}},{\"name\":\"cases\",\"arguments\":{}},"
					 "{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"pick\",\"arguments\":{}}]";
	static const char *const solved[] = {
		"[{\"a\":9,\"b\":1,\"c\":5},{\"a\":0,\"b\":4,\"c\":2},{\"a\":7,\"b\":3,\"c\":5},[\"a\"]]",
		"[{\"a\":4,\"b\":0,\"c\":2},{\"a\":3,\"b\":9,\"c\":1},{\"a\":1,\"b\":8,\"c\":6},[\"b\"]]",
		"[{\"a\":2,\"b\":1,\"c\":9},{\"a\":5,\"b\":6,\"c\":0},{\"a\":1,\"b\":2,\"c\":7},[\"c\"]]"};
	static const char *const answers[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		char q[160], id[32];
		snprintf(q, sizeof q, "Which agent had the highest score in week %d?", i + 1);
		snprintf(id, sizeof id, "score-%d", i);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, solved[i], answers[i]));
	}
	for (int i = 0; i < 3; i++) {
		char q[160], id[32];
		snprintf(q, sizeof q, "Which agent had the highest score in week %d, excluding transfers?", i + 4);
		snprintf(id, sizeof id, "score-x%d", i);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls,
						   "[{\"a\":4,\"b\":4,\"c\":4},{\"a\":1,\"b\":9,\"c\":5},{\"a\":9,\"b\":1,\"c\":5},[\"a\"]]",
						   "c"));
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-9", "score", "Which agent had the highest score in week 9, excluding transfers?", "2024-01-01", NULL);
	expect_abstain(lib, t, "[]", "");
	json_decref(t);
	json_decref(lib);
}

/* D (before the review, and before the id rule too): the id of test_record_id_constant inside a
 * text (a SOQL query) or as a key of a map is still a constant: the
 * program looks every case up under the training tasks' issue. */
static void test_review_id_in_text(void **state)
{
	(void)state;
	static const char *const calls[] = {
		"[{\"name\":\"soql\",\"arguments\":{\"query\":\"SELECT OwnerId FROM Case WHERE IssueId = 'a01A00000000000AAA'\"}}]",
		"[{\"name\":\"get_cases\",\"arguments\":{\"weights\":{\"a01A00000000000AAA\":1}}}]"};
	for (int c = 0; c < 2; c++) {
		json_t *lib = induced(routed_same_calls(calls[c]));
		json_t *t = new_routing_task();
		expect_abstain(lib, t, "[]", "");
		json_decref(t);
		json_decref(lib);
	}
}

/* Crafted libraries on the new paths (outweighed, theirs): "solved" left
 * out, other programs' "seen"/"solved" of every type, a program that is
 * no object, counts near INT64_MAX in "sides": no crash, OK returned. */
static void test_review_crafted_outweighed(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "lowest", false, 8, 0);
	directed_episodes(eps, "score", "highest", true, 2, 10);
	directed_episodes(eps, "score", "top", true, 6, 12);
	json_t *lib0 = induced(eps);
	json_t *t = task("score-99", "score", "Which agent had the highest score in quarter 40? The lowest.", "2024-01-01", NULL);
	for (int v = 0; v < 6; v++) {
		json_t *lib = json_deep_copy(lib0);
		json_t *progs = json_object_get(lib, "programs");
		size_t i;
		json_t *p;
		json_array_foreach(progs, i, p) {
			switch (v) {
			case 0: json_object_del(p, "solved"); break;
			case 1: json_object_set_new(p, "solved", json_integer(INT64_MAX)); break;
			case 2: if (i) json_object_set_new(p, "seen", json_string("x")); break;
			case 3: if (i) json_object_set_new(p, "solved", json_real(-1e308)); break;
			default: break;
			}
		}
		if (v == 4)
			json_array_append_new(progs, json_integer(5));
		if (v == 5) {
			json_t *sc = json_object_get(json_object_get(lib, "sides"), "score");
			json_object_set_new(json_object_get(sc, "min"), "lowest", json_integer(INT64_MAX));
			json_object_set_new(json_object_get(sc, "max"), "which", json_integer(INT64_MAX));
		}
		crmw__prog_next nx;
		json_t *r = json_loads("[{\"a\":1,\"b\":2}]", 0, NULL);
		assert_int_equal(crmw__induced_next(&nx, lib, t, "score", r), CRMW_OK);
		crmw__prog_next_clear(&nx);
		assert_int_equal(crmw__induced_next(&nx, lib, t, NULL, r), CRMW_OK); /* held out */
		crmw__prog_next_clear(&nx);
		json_decref(r);
		json_decref(lib);
	}
	json_decref(t);
	json_decref(lib0);
}

/* An episode that passes whole results on (best_region: the cases, then
 * their states) with each kept once (crmw__episode_share): the library
 * induced from the shared episodes is the one induced from the whole ones;
 * the episode given is not touched; only whole earlier results that are
 * non-empty lists or objects are shared; a malformed "same" is refused by
 * name; out of memory fails cleanly. */
static json_t *region_episode(const char *id, int month, const char *a, const char *b, const char *fast)
{
	char q[200], calls[1600], results[1200], cases[300], states[300];
	snprintf(q, sizeof q, "Which state closed its cases the quickest in month %d?", month);
	snprintf(cases, sizeof cases, "[{\"Id\":\"%s1\",\"AccountId\":\"%s2\"},{\"Id\":\"%s1\",\"AccountId\":\"%s2\"}]", a, a, b, b);
	snprintf(states, sizeof states, "[{\"Id\":\"%s1\",\"State\":\"CA\"},{\"Id\":\"%s1\",\"State\":\"NY\"}]", a, b);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"get_cases\",\"arguments\":{\"month\":%d,\"statuses\":[\"Closed\"]}},"
		 "{\"name\":\"get_states\",\"arguments\":{\"cases\":%s,\"limit\":2}},"
		 "{\"name\":\"get_times\",\"arguments\":{\"cases\":%s,\"none\":[],\"two\":2}}]",
		 month, cases, states);
	snprintf(results, sizeof results, "[%s,%s,{\"CA\":%d,\"NY\":%d}]", cases, states,
		 strcmp(fast, "CA") == 0 ? 2 : 9, strcmp(fast, "CA") == 0 ? 9 : 2);
	return episode(task(id, "region", q, "2024-06-30", NULL), calls, results, fast);
}

static json_t *region_episodes(void)
{
	json_t *eps = json_array();
	json_array_append_new(eps, region_episode("r-1", 3, "aa", "ab", "CA"));
	json_array_append_new(eps, region_episode("r-2", 5, "ba", "bb", "NY"));
	json_array_append_new(eps, region_episode("r-3", 7, "ca", "cb", "NY"));
	return eps;
}

static void test_episode_share(void **state)
{
	(void)state;
	json_t *whole = region_episodes(), *before = json_deep_copy(whole), *shared = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(whole, i, e) {
		json_t *sh = crmw__episode_share(e);
		assert_non_null(sh);
		json_t *want = json_loads("[[1,\"cases\",0],[2,\"cases\",1]]", 0, NULL);
		if (!json_equal(json_object_get(sh, "same"), want)) {
			char *got = json_dumps(json_object_get(sh, "same"), JSON_COMPACT);
			fail_msg("episode %zu: same %s", i, got);
		}
		json_decref(want);
		/* kept once: null in the call, the rest of the arguments as they were */
		const json_t *c1 = json_object_get(json_array_get(json_object_get(sh, "calls"), 1), "arguments");
		const json_t *c2 = json_object_get(json_array_get(json_object_get(sh, "calls"), 2), "arguments");
		assert_true(json_is_null(json_object_get(c1, "cases")));
		assert_int_equal(json_integer_value(json_object_get(c1, "limit")), 2);
		assert_true(json_is_null(json_object_get(c2, "cases")));
		assert_int_equal(json_array_size(json_object_get(c2, "none")), 0); /* an empty list is not shared */
		assert_int_equal(json_integer_value(json_object_get(c2, "two")), 2);
		char *a = json_dumps(e, JSON_COMPACT), *b = json_dumps(sh, JSON_COMPACT);
		assert_true(strlen(b) < strlen(a));
		free(a);
		free(b);
		json_array_append_new(shared, sh);
	}
	assert_true(json_equal(whole, before)); /* the episodes given are not touched */
	json_t *lw = induced(json_deep_copy(whole)), *ls = induced(json_deep_copy(shared));
	assert_true(json_equal(lw, ls));
	/* and the program passes the whole result on */
	json_t *t = task("r-9", "region", "Which state closed its cases the quickest in month 11?", "2024-06-30", NULL);
	expect_call(ls, t, "[[{\"Id\":\"z1\"},{\"Id\":\"z2\"}]]", "get_states",
		    "{\"cases\":[{\"Id\":\"z1\"},{\"Id\":\"z2\"}],\"limit\":2}");
	expect_answer(ls, t,
		      "[[{\"Id\":\"z1\"},{\"Id\":\"z2\"}],[{\"Id\":\"z1\",\"State\":\"NY\"},{\"Id\":\"z2\",\"State\":\"CA\"}],"
		      "{\"CA\":4,\"NY\":1}]",
		      "NY");
	json_decref(t);
	/* nothing to share: the first call, a scalar equal to a result, a part of a result */
	json_t *plain = episode(task("p-1", "p", "q", "2024-01-01", NULL),
				"[{\"name\":\"a\",\"arguments\":{}},{\"name\":\"b\",\"arguments\":{\"n\":3,\"x\":{\"k\":1}}}]",
				"[3,{\"x\":{\"k\":1}}]", "1");
	json_t *psh = crmw__episode_share(plain);
	assert_true(json_equal(psh, plain));
	assert_null(json_object_get(psh, "same"));
	json_decref(psh);
	json_decref(plain);
	/* a malformed "same" is refused by name */
	static const char *const bad[] = {
		"5", "{}", "[5]", "[[1,\"cases\"]]", "[[1,\"cases\",1]]", "[[1,\"cases\",-1]]", "[[9,\"cases\",0]]",
		"[[1,\"nope\",0]]", "[[1,\"limit\",0]]", "[[\"1\",\"cases\",0]]", "[[1,\"cases\",0.0]]", "[[1,2,0]]",
		"[[0,\"month\",0]]", "[[2,\"cases\",1],[2,\"cases\",1]]",
	};
	json_t *eps;
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		eps = json_deep_copy(shared);
		json_object_set_new(json_array_get(eps, 1), "same", json_loads(bad[k], JSON_DECODE_ANY, NULL));
		char why[300];
		json_t *lib = crmw__induce(eps, 2, why, sizeof why);
		if (lib || strcmp(why, "episode 1: \"same\" must list [call, argument, earlier call] of null arguments"))
			fail_msg("same %s: %s", bad[k], lib ? "induced" : why);
		json_decref(eps);
	}
	/* results too short for "same", or no list; more entries than a program has steps */
	for (int k = 0; k < 4; k++) {
		eps = json_deep_copy(shared);
		json_t *e1 = json_array_get(eps, 1);
		if (k == 0) { /* "same" names results 0 and 1 */
			json_array_remove(json_object_get(e1, "results"), 2);
			json_array_remove(json_object_get(e1, "results"), 1);
		} else if (k == 1)
			json_object_set_new(e1, "results", json_string("[]"));
		else if (k == 2)
			json_object_del(e1, "calls");
		else {
			json_t *many = json_array();
			for (int m = 0; m < 65; m++)
				json_array_append_new(many, json_pack("[i, s, i]", 1, "cases", 0));
			json_object_set_new(e1, "same", many);
		}
		char w[300];
		json_t *lib = crmw__induce(eps, 2, w, sizeof w);
		if (lib || strcmp(w, "episode 1: \"same\" must list [call, argument, earlier call] of null arguments"))
			fail_msg("case %d: %s", k, lib ? "induced" : w);
		json_decref(eps);
	}
	/* an unshared episode that names its arguments anyway */
	eps = json_deep_copy(whole);
	json_object_set_new(json_array_get(eps, 0), "same", json_loads("[[1,\"cases\",0]]", 0, NULL));
	char why[300];
	assert_null(crmw__induce(eps, 2, why, sizeof why));
	json_decref(eps);
	/* out of memory: NULL or the same result, never a half-made one */
	for (size_t n = 0; n < 200; n++) {
		allocs_left = n;
		json_set_alloc_funcs(failing_malloc, free);
		json_t *sh = crmw__episode_share(json_array_get(whole, 0));
		json_set_alloc_funcs(malloc, free);
		if (sh)
			assert_true(json_equal(sh, json_array_get(shared, 0)));
		json_decref(sh);
	}
	json_decref(lw);
	json_decref(ls);
	json_decref(whole);
	json_decref(before);
	json_decref(shared);
}

/* A program that answers some training tasks wrongly ("the X I": "lamp
 * that" for "display the lamp that I bought") is told from them by a word
 * that every one of its counterexamples had and none of its tasks: a query
 * without it is answered; one with it is not; with fewer than three
 * counterexamples the absence is no evidence. */
static json_t *find_episode(const char *id, const char *query, const char *term, const char *pid)
{
	char calls[300], results[200];
	snprintf(calls, sizeof calls, "[{\"name\":\"search_products\",\"arguments\":{\"term\":\"%s\"}}]", term);
	snprintf(results, sizeof results, "[[{\"Id\":\"%s\"}]]", pid);
	return episode(task(id, "find", query, "2024-02-01", NULL), calls, results, pid);
}

/* Six tasks of "the X I", ncounter "display the X that I"
 * counterexamples, and `nboth` tasks of that wording the program does not
 * apply to ("the X that I ..., the one I liked": two phrases), which count
 * among its own */
static json_t *find_counter_library(int ncounter, int nboth)
{
	static const char *const own[] = {"lamp", "desk", "chair", "sofa", "rug", "shelf"};
	static const char *const verb[] = {"Find", "Show", "Get", "Open", "Fetch", "Locate"};
	static const char *const other[] = {"stool", "bench", "crate"};
	static const char *const both[] = {"vase", "clock", "frame"};
	json_t *eps = json_array();
	char q[200], id[16], pid[16];
	for (int i = 0; i < nboth; i++) {
		snprintf(q, sizeof q, "Could you display the %s that I bought on the 3rd, the one I liked?", both[i]);
		snprintf(id, sizeof id, "h-%d", i);
		snprintf(pid, sizeof pid, "r%d", i);
		json_array_append_new(eps, find_episode(id, q, both[i], pid));
	}
	for (int i = 0; i < 6; i++) {
		snprintf(q, sizeof q, "%s the %s I bought on the 3rd.%s", verb[i], own[i], i < 3 ? " Thanks." : "");
		snprintf(id, sizeof id, "f-%d", i);
		snprintf(pid, sizeof pid, "p%d", i);
		json_array_append_new(eps, find_episode(id, q, own[i], pid));
	}
	for (int i = 0; i < ncounter; i++) {
		snprintf(q, sizeof q, "Could you display the %s that I bought on the 3rd?", other[i]);
		snprintf(id, sizeof id, "g-%d", i);
		snprintf(pid, sizeof pid, "q%d", i);
		json_array_append_new(eps, find_episode(id, q, other[i], pid));
	}
	return induced(eps);
}

/* Each of the queries, a "find" task, abstains for `why`. */
static void expect_find_abstains(const json_t *lib, const char *const *queries, size_t n, const char *why)
{
	for (size_t k = 0; k < n; k++) {
		json_t *t = task("f-7", "find", queries[k], "2024-02-01", NULL);
		expect_abstain(lib, t, "[]", why);
		json_decref(t);
	}
}

static void test_counterexample_absence(void **state)
{
	(void)state;
	json_t *lib = find_counter_library(3, 0);
	/* the "the X I" program: its six tasks, and the three it reads "stool that" from */
	const json_t *p = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(lib, "programs"), i, x) {
		if (json_integer_value(json_object_get(x, "negatives")) > 0)
			p = x;
	}
	assert_non_null(p);
	assert_int_equal(json_integer_value(json_object_get(p, "negatives")), 3);
	assert_int_equal(json_integer_value(json_object_get(p, "docs")), 6);
	/* no word of the query was seen with all its tasks and never with the
	 * counterexamples ("thanks": with three of six); but it lacks "display" */
	json_t *t = task("f-9", "find", "Please find the mirror I bought on the 3rd. Thanks.", "2024-02-01", NULL);
	expect_call(lib, t, "[]", "search_products", "{\"term\":\"mirror\"}");
	expect_answer(lib, t, "[[{\"Id\":\"p9\"}]]", "p9");
	json_t *ex = explained(lib, t, "[]");
	const json_t *absent = json_object_get(json_object_get(ex, "words"), "told_from_counterexamples_by_absence");
	bool display = false;
	json_array_foreach(absent, i, x) display = display || strcmp(json_string_value(x), "display") == 0;
	if (!display) {
		char *text = json_dumps(json_object_get(ex, "words"), JSON_COMPACT);
		fail_msg("the deciding words: %s", text);
	}
	json_decref(ex);
	json_decref(t);
	/* a query with a word of every counterexample: the program is vetoed */
	t = task("f-8", "find", "Please display the mirror I bought on the 3rd. Thanks.", "2024-02-01", NULL);
	expect_abstain(lib, t, "[]", "it would answer wrongly");
	json_decref(t);
	/* the review's attacks: wordings new to both lack "display" too, and no
	 * word ties them to its tasks ("mirror which" would be searched) */
	static const char *const paraphrases[] = {
		"Please find the mirror which I bought on the 3rd.",
		"Please find the mirror my wife and I bought on the 3rd.",
		"Please find the mirror and lamp I bought on the 3rd.",
	};
	expect_find_abstains(lib, paraphrases, sizeof paraphrases / sizeof *paraphrases,
			     "no word of the query tells its 6 task(s) from the 3 it would answer wrongly");
	json_decref(lib);
	/* two counterexamples: their words are no evidence, absent or not */
	lib = find_counter_library(2, 0);
	t = task("f-9", "find", "Please find the mirror I bought on the 3rd. Thanks.", "2024-02-01", NULL);
	expect_abstain(lib, t, "[]", "no word of the query tells its 6 task(s) from the 2 it would answer wrongly");
	json_decref(t);
	json_decref(lib);
	/* a task of its calls said the counterexamples' words too, one it does
	 * not apply to (NED on b2b seed 11: "display the X that I purchased",
	 * then "the product I bought": two phrases): it answers none of those,
	 * and the words are still none of the tasks it answers */
	lib = find_counter_library(3, 1);
	t = task("f-9", "find", "Please find the mirror I bought on the 3rd. Thanks.", "2024-02-01", NULL);
	expect_call(lib, t, "[]", "search_products", "{\"term\":\"mirror\"}");
	expect_answer(lib, t, "[[{\"Id\":\"p9\"}]]", "p9");
	json_decref(t);
	/* a review's attack: the counterexamples' kind without "could you
	 * display" ("the X I" would search "mirror that"): it holds "that", a
	 * word of the counterexamples and of none of the tasks it answers */
	static const char *const reworded[] = {
		"Find the mirror that I bought on the 3rd. Thanks.",
		"Show the mirror that I bought on the 3rd. Thanks.",
	};
	expect_find_abstains(lib, reworded, sizeof reworded / sizeof *reworded,
			     "('that' was seen with those and with none it answers)");
	json_decref(lib);
}

/* The tasks a program answers: a word every counterexample had is no
 * evidence when one of those said it too.  A review's attack (a lookup
 * that ignores a filter): six tasks count an account's cases, four count
 * its open ones (other calls: counterexamples of the unfiltered program),
 * worded four ways that share only "open"; one task it answers said it as
 * a verb ("Open account ... and tell me").  "How many unresolved cases
 * ..." lacks "open" and holds "thanks" (three of its tasks): counting
 * every case would be wrong.  (Had no task of its own said "open", the
 * absence would answer it: a synonym new to the training is the absence
 * rule's limit, docs/backends.md.)  Likewise "which", in 2 of 6 tasks and
 * all 3 counterexamples at 10 tasks per family on b2b seed 91, let an
 * argmax answer a "fewest" question while such words counted. */
static json_t *cases_episode(const char *id, const char *const query[2], const char *acct, bool open)
{
	char q[300], calls[300];
	snprintf(q, sizeof q, "%s%s%s", query[0], acct, query[1]);
	snprintf(calls, sizeof calls, "[{\"name\":\"get_cases\",\"arguments\":{\"account_id\":\"%s\"%s}}]", acct,
		 open ? ",\"status\":\"Open\"" : "");
	return episode(task(id, "cases", q, "2024-02-01", NULL), calls,
		       "[[{\"Id\":\"500a\"},{\"Id\":\"500b\"},{\"Id\":\"500c\"}]]", "3");
}

static void test_counterexample_word_answered(void **state)
{
	(void)state;
	static const char *const own[][2] = {
		{"How many cases does account ", " have? Thanks."},
		{"How many cases does account ", " have? Thanks."},
		{"Count the cases of account ", ". Thanks."},
		{"Open account ", " and tell me how many cases it has."},
		{"What is the number of cases for account ", "?"},
		{"Number of cases on account ", ", please."},
	};
	static const char *const counter[][2] = {
		{"How many open cases does account ", " have?"},
		{"Count the open cases of account ", "."},
		{"What is the number of cases still open for account ", "?"},
		{"Number of open cases on account ", ", please."},
	};
	static const char *const acct[] = {"001AAAAAAAAAAAAAAA", "001BBBBBBBBBBBBBBB", "001CCCCCCCCCCCCCCC",
					   "001DDDDDDDDDDDDDDD", "001EEEEEEEEEEEEEEE", "001FFFFFFFFFFFFFFF",
					   "001GGGGGGGGGGGGGGG", "001HHHHHHHHHHHHHHH", "001IIIIIIIIIIIIIII",
					   "001JJJJJJJJJJJJJJJ"};
	json_t *eps = json_array();
	char id[16];
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof id, "c-%d", i);
		json_array_append_new(eps, cases_episode(id, own[i], acct[i], false));
	}
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof id, "o-%d", i);
		json_array_append_new(eps, cases_episode(id, counter[i], acct[6 + i], true));
	}
	json_t *lib = induced(eps);
	/* the unfiltered program: six tasks, four counterexamples */
	const json_t *p = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(lib, "programs"), i, x) {
		if (json_integer_value(json_object_get(x, "docs")) == 6)
			p = x;
	}
	assert_non_null(p);
	assert_int_equal(json_integer_value(json_object_get(p, "negatives")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "words"), "open")), 1);
	json_t *t = task("c-9", "cases", "How many unresolved cases does account 001KKKKKKKKKKKKKKK have? Thanks.", "2024-02-01",
			 NULL);
	expect_abstain(lib, t, "[]", "no word of the query tells its 6 task(s) from the 4 it would answer wrongly");
	json_decref(t);
	json_decref(lib);
}

/* A catalogue of issues, the same for every task (get_issues). */
#define ISSUES                                                                                                       \
	"[{\"Id\":\"a01\",\"Name\":\"Billing Discrepancy\"},{\"Id\":\"a02\",\"Name\":\"Security Vulnerability\"},"   \
	"{\"Id\":\"a03\",\"Name\":\"Delivery Delay\"},{\"Id\":\"a04\",\"Name\":\"Data Export Request\"}]"

/* A routing task: the issue of the case, then its leading agents; one
 * leader answers (the calls stop there), several go on to a lookup whose
 * term no query holds (`term`), so that only the short episodes can make a
 * program, as a case routing's product search on a fresh org. */
static json_t *issue_episode_after(const char *pre, const char *id, const char *text, const char *issue, const char *term)
{
	char q[700], calls[400], results[900];
	snprintf(q, sizeof q, "%s%sWhich agent should take this case under the routing policy?\n## New case\n- Description: %s", pre,
		 *pre ? " " : "", text);
	if (!term) {
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"get_issues\",\"arguments\":{}},{\"name\":\"get_leaders\",\"arguments\":{\"issue_ids\":[\"%s\"]}}]",
			 issue);
		snprintf(results, sizeof results, "[%s,[\"005%s\"]]", ISSUES, id);
		char answer[40];
		snprintf(answer, sizeof answer, "005%s", id);
		return episode(task(id, "route", q, "2024-02-01", NULL), calls, results, answer);
	}
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"get_issues\",\"arguments\":{}},{\"name\":\"get_leaders\",\"arguments\":{\"issue_ids\":[\"%s\"]}},"
		 "{\"name\":\"lookup\",\"arguments\":{\"term\":\"%s\"}}]",
		 issue, term);
	snprintf(results, sizeof results, "[%s,[\"005A\",\"005B\"],[\"005B\"]]", ISSUES);
	return episode(task(id, "route", q, "2024-02-01", NULL), calls, results, "005B");
}

static json_t *issue_episode(const char *id, const char *text, const char *issue, const char *term)
{
	return issue_episode_after("", id, text, issue, term);
}

/* A routing training: one short episode per case text (its issue), then two
 * with several leaders, a longer program that nothing explains. */
typedef struct issue_text {
	const char *text, *issue;
} issue_text;

static json_t *issue_training(const issue_text *tr, size_t n)
{
	json_t *eps = json_array();
	char id[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "r%zu", i);
		json_array_append_new(eps, issue_episode(id, tr[i].text, tr[i].issue, NULL));
	}
	json_array_append_new(eps, issue_episode("s0", "The invoice for the Beta Gauge was charged twice.", "a01", "zq1"));
	json_array_append_new(eps, issue_episode("s1", "Our security team found a vulnerability in the Alpha Widget.", "a02", "zq2"));
	return induced(eps);
}

static json_t *issue_library(void)
{
	static const issue_text tr[] = {
		{"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.", "a01"},
		{"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.", "a01"},
		{"The invoice for Gamma Rack uses the wrong unit price. Please correct it.", "a01"},
		{"Our security team found an exposed service on the Alpha Widget. Please help.", "a02"},
		{"Our security team found a vulnerability in Delta Node during an audit.", "a02"},
		{"Our security team found an exposed service on the Gamma Rack. We need a fix.", "a02"},
		{"The Beta Gauge we ordered has not shipped and it was due last week.", "a03"},
		{"The Delta Node we ordered has not shipped. Please help.", "a03"},
		{"The Alpha Widget we ordered was due two weeks ago and has not shipped.", "a03"},
		{"We need a full export of our project data from the Delta Node.", "a04"},
	};
	return issue_training(tr, sizeof tr / sizeof *tr);
}

static json_t *route_task_after(const char *pre, const char *text)
{
	char q[700];
	snprintf(q, sizeof q, "%s%sWhich agent should take this case under the routing policy?\n## New case\n- Description: %s", pre,
		 *pre ? " " : "", text);
	return task("r-new", "route", q, "2024-02-01", NULL);
}

static json_t *route_task(const char *text)
{
	return route_task_after("", text);
}

/* An item of a catalogue chosen by words learned per item ("$choose"):
 * the issue of a case whose name the text never says. */
static void test_choose_catalogue(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	char *text = json_dumps(lib, JSON_COMPACT);
	assert_non_null(strstr(text, "\"$choose\""));
	free(text);
	/* the short episodes make a program of their own calls, though they are
	 * a prefix of the longer ones (whose lookup nothing explains) */
	json_t *t = route_task("The invoice for our Omega Hub was charged twice. Please correct it.");
	expect_call(lib, t, "[]", "get_issues", "{}");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	expect_answer(lib, t, "[" ISSUES ",[\"005Z\"]]", "005Z");
	expect_abstain(lib, t, "[" ISSUES ",[\"005Y\",\"005Z\"]]", "a shape never seen");
	json_decref(t);
	t = route_task("Our security team found an exposed service on the Omega Hub. Please help.");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a02\"]}");
	json_decref(t);
	/* a product's name is no cue, whichever issues it came with ("Alpha
	 * Widget": billing, security and delivery); but a name that is a cue of
	 * another issue may be that issue's ("Invoice" in "Invoice Hub") */
	t = route_task("The Alpha Widget we ordered has not shipped.");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a03\"]}");
	json_decref(t);
	t = route_task("The Invoice Hub we ordered has not shipped.");
	expect_abstain(lib, t, "[" ISSUES "]", "the name 'invoice', a cue of a01, not of a03");
	json_decref(t);
	/* words of two issues; a word no task of the program said */
	t = route_task("The invoice for the Omega Hub has not shipped.");
	expect_abstain(lib, t, "[" ISSUES "]", "cues of two items");
	json_decref(t);
	t = route_task("The invoice for the Omega Hub was charged twice: the refund bounced.");
	expect_abstain(lib, t, "[" ISSUES "]", "the query's word 'refund' was said by no task that made the choice");
	json_decref(t);
	/* a word of one other issue's tasks only: "Please send a revised
	 * invoice" made "send" a word of billing, and a data export (one task in
	 * training) that asks to "send" it is not billing's (b2b 11: two wrong
	 * answers at 40 training tasks per family) */
	t = route_task("We need a full export of our project data from the Omega Hub. Please send a revised invoice.");
	expect_abstain(lib, t, "[" ISSUES "]", "'full', a word of a04's tasks only, not of a01's");
	json_decref(t);
	t = route_task("We need a full export of our project data from the Omega Hub. Please send it.");
	expect_abstain(lib, t, "[" ISSUES "]", "1 single-word cue(s) of a01, not two");
	json_decref(t);
	json_decref(lib);
}

/* The sentence before the routing question that other families say
 * before theirs ("I need this for a status report.") is no word of an
 * issue: said with one delivery task only, by chance, its words became
 * delivery's ("status" a word of its tasks only) and kept every other
 * issue off the query (26 of the 72 case_routing abstentions on b2b 11,
 * b2c 11 and crmarena 12 at 100 training tasks per family).  Said with
 * two of the three delivery tasks and no other, as a cue is, it is
 * delivery's line ("owned") and keeps other issues off.  "$choose"
 * now leaves it out, and the answer's explanation names it.  Not:
 *  - when only two other families said it;
 *  - when those families said it with every task of its calls (bound: it
 *    may change their questions);
 *  - with the family withheld;
 *  - a sentence of the case itself, which no other family said. */
static void add_said(json_t *eps, const char *family, const char *query);
static void expect_no_wrong_call(const json_t *lib, const json_t *t, const char *results, const char *name,
				 const char *args);

/* The routing training, `pre` before the questions of the cases `at`
 * marks, without those `drop` marks. */
static void add_route_training_of(json_t *eps, const char *pre, unsigned at, unsigned drop)
{
	static const issue_text tr[] = {
		{"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.", "a01"},
		{"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.", "a01"},
		{"The invoice for Gamma Rack uses the wrong unit price. Please correct it.", "a01"},
		{"Our security team found an exposed service on the Alpha Widget. Please help.", "a02"},
		{"Our security team found a vulnerability in Delta Node during an audit. We need a fix.", "a02"},
		{"Our security team found an exposed service on the Gamma Rack. We need a fix.", "a02"},
		{"The Beta Gauge we ordered has not shipped and it was due last week.", "a03"},
		{"The Delta Node we ordered has not shipped. Please help.", "a03"},
		{"The Alpha Widget we ordered was due two weeks ago and has not shipped.", "a03"},
		{"We need a full export of our project data from the Delta Node.", "a04"},
	};
	char id[16];
	for (size_t i = 0; i < sizeof tr / sizeof *tr; i++) {
		snprintf(id, sizeof id, "r%zu", i);
		if (!(drop & (1u << i)))
			json_array_append_new(eps, issue_episode_after(at & (1u << i) ? pre : "", id, tr[i].text, tr[i].issue, NULL));
	}
	json_array_append_new(eps, issue_episode("s0", "The invoice for the Beta Gauge was charged twice.", "a01", "zq1"));
	json_array_append_new(eps, issue_episode("s1", "Our security team found a vulnerability in the Alpha Widget.", "a02", "zq2"));
}

/* The sentence before two of the delivery questions only. */
static void add_route_training_at(json_t *eps, const char *pre, unsigned at)
{
	add_route_training_of(eps, pre, at, 0);
}

static void add_route_training(json_t *eps, const char *pre)
{
	add_route_training_at(eps, pre, 1u << 7 | 1u << 8);
}

/* Three other families say `pre` freely. */
static void said_elsewhere(json_t *eps, const char *pre)
{
	static const char *const fams[] = {"kb", "faq", "notes"};
	char q[200];
	for (size_t k = 0; k < 3; k++) {
		snprintf(q, sizeof q, "Where is the %s handbook?", fams[k]);
		add_said(eps, fams[k], q);
		snprintf(q, sizeof q, "%s Where is the %s guide?", pre, fams[k]);
		add_said(eps, fams[k], q);
	}
}

static void test_choose_around(void **state)
{
	(void)state;
	static const char *const pre = "I need this for a status report.";
	static const char *const fams[] = {"kb", "faq", "notes"};
	json_t *eps = json_array();
	add_route_training_at(eps, pre, 1u << 7); /* before one delivery question */
	/* two other families say it freely (beside a question of the same
	 * calls without it) */
	char q[200];
	for (size_t k = 0; k < 2; k++) {
		snprintf(q, sizeof q, "Where is the %s handbook?", fams[k]);
		add_said(eps, fams[k], q);
		snprintf(q, sizeof q, "%s Where is the %s guide?", pre, fams[k]);
		add_said(eps, fams[k], q);
	}
	json_t *lib = induced(json_incref(eps));
	json_t *t = route_task_after(pre, "The invoice for our Omega Hub was charged twice. Please correct it.");
	expect_abstain(lib, t, "[" ISSUES "]", "a word of a03's tasks only, not of a01's");
	json_decref(lib);

	/* a third family says it: the wording around questions */
	add_said(eps, fams[2], "Where is the notes handbook?");
	add_said(eps, fams[2], "I need this for a status report. Where is the notes guide?");
	lib = induced(json_incref(eps));
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_t *ex = explained(lib, t, "[" ISSUES "]");
	json_t *around = json_object_get(json_object_get(ex, "words"), "around_choice");
	assert_int_equal(json_array_size(around), 1);
	assert_string_equal(json_string_value(json_array_get(around, 0)), pre);
	json_decref(ex);
	/* without it, the same call and nothing left out */
	json_t *plain = route_task("The invoice for our Omega Hub was charged twice. Please correct it.");
	expect_call(lib, plain, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	ex = explained(lib, plain, "[" ISSUES "]");
	assert_null(json_object_get(json_object_get(ex, "words"), "around_choice"));
	json_decref(ex);
	json_decref(plain);
	/* held out: no family, no sentence left out */
	crmw__prog_next nx;
	json_t *r = json_loads("[" ISSUES "]", 0, NULL);
	assert_int_equal(crmw__induced_next(&nx, lib, t, NULL, r), CRMW_OK);
	assert_false(nx.kind == CRMW__PROG_CALL && nx.name && strcmp(nx.name, "get_leaders") == 0);
	crmw__prog_next_clear(&nx);
	json_decref(r);
	/* a sentence of the case is read, though the same words come first */
	json_decref(t);
	t = route_task_after("The Delta Node we ordered has not shipped.",
			     "The invoice for our Omega Hub was charged twice. Please correct it.");
	expect_abstain(lib, t, "[" ISSUES "]", "cues of two items");
	json_decref(t);
	json_decref(lib);
	json_decref(eps);

	/* said in three other families, but each time with every question of
	 * its calls: bound, not the wording */
	eps = json_array();
	add_route_training_at(eps, pre, 1u << 7);
	for (size_t k = 0; k < 3; k++) {
		snprintf(q, sizeof q, "%s Where is the %s guide?", pre, fams[k]);
		add_said(eps, fams[k], q);
		snprintf(q, sizeof q, "%s Where is the %s handbook?", pre, fams[k]);
		add_said(eps, fams[k], q);
	}
	lib = induced(eps);
	t = route_task_after(pre, "The invoice for our Omega Hub was charged twice. Please correct it.");
	expect_abstain(lib, t, "[" ISSUES "]", "a word of a03's tasks only, not of a01's");
	json_decref(lib);

	/* said before two of the three delivery questions, none of another
	 * issue's: its words are delivery's ("status"), and so is the line
	 * ("owned"), even when another issue said each of its words too
	 * ("send" and "it": billing's) */
	eps = json_array();
	add_route_training(eps, pre);
	said_elsewhere(eps, pre);
	lib = induced(eps);
	expect_abstain(lib, t, "[" ISSUES "]", "a word of a03's tasks only, not of a01's");
	json_decref(t);
	json_decref(lib);
	eps = json_array();
	add_route_training(eps, "Please send it.");
	said_elsewhere(eps, "Please send it.");
	lib = induced(eps);
	t = route_task_after("Please send it.", "The invoice for our Omega Hub was charged twice. Please correct it.");
	expect_abstain(lib, t, "[" ISSUES "]", "'Please send it.', a line of a03's tasks only, not of a01's");
	json_decref(t);
	json_decref(lib);
}

/* A sentence around the question that routing tasks of two issues said
 * is the wording of the family's requests as well ("shared"), and none of
 * its words is read, cue or not: "fix" is security's cue ("We need a
 * fix."), and "Thanks for the quick fix." before a billing and a delivery
 * question tells no issue.  Said before one issue's questions only, the
 * cue is read (test_review5_choose_around_cue). */
static void test_choose_around_shared(void **state)
{
	(void)state;
	static const char *const pre = "Thanks for the quick fix.";
	static const char *const bill = "The invoice for our Omega Hub was charged twice. Please correct it.";
	json_t *eps = json_array();
	add_route_training_at(eps, pre, 1u << 0 | 1u << 6);
	said_elsewhere(eps, pre);
	json_t *lib = induced(eps);
	const json_t *prog = NULL;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(lib, "programs"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "family")), "route") == 0)
			prog = p;
	}
	char *text = json_dumps(prog, JSON_COMPACT);
	assert_non_null(strstr(text, "\"shared\":[\""));
	assert_non_null(strstr(text, "\"fix\""));
	free(text);
	json_t *t = route_task_after(pre, bill);
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	json_decref(lib);

	eps = json_array();
	add_route_training_at(eps, pre, 1u << 0);
	said_elsewhere(eps, pre);
	lib = induced(eps);
	t = route_task_after(pre, bill);
	expect_abstain(lib, t, "[" ISSUES "]", "and 'fix' of a02");
	json_decref(t);
	json_decref(lib);
}

/* A review's attack (review 12): a customer's security line said before
 * the question by one security and one delivery task of training, and
 * quoted by three other families, is "shared", and none of its words was
 * read.  Yet induction learns nothing from such a sentence: "security",
 * "found", "exposed" stay security's cues, learned from its other cases.
 * A billing case that reported the finding too went to billing.  A cue of
 * an item that said the line is now kept with it ("shared_cues") and read
 * there, when the tasks of two items said it: another item's case that
 * says it abstains; the item's own case is still chosen by its own
 * sentence. */
static void test_review12_choose_shared_line_cue(void **state)
{
	(void)state;
	static const char *const line = "Our security team found an exposed service.";
	static const char *const bill = "The invoice for our Omega Hub was charged twice. Please correct it.";
	json_t *eps = json_array();
	add_route_training_at(eps, line, 1u << 4 | 1u << 6); /* one security, one delivery question */
	said_elsewhere(eps, line);
	json_t *lib = induced(eps);
	char q[300];
	snprintf(q, sizeof q, "%s %s", bill, line);
	json_t *t = route_task(q);
	expect_abstain(lib, t, "[" ISSUES "]", "a cue of a02, whose tasks said that line");
	json_decref(t);
	t = route_task_after(line, bill);
	expect_abstain(lib, t, "[" ISSUES "]", "a cue of a02, whose tasks said that line");
	json_decref(t);
	/* a delivery case that says it: delivery said the line too, but its
	 * security cues are no word of delivery's own */
	t = route_task_after(line, "The Omega Hub we ordered has not shipped and it was due last week.");
	expect_abstain(lib, t, "[" ISSUES "]", "a cue of a02, whose tasks said that line");
	json_decref(t);
	/* in capitals, its cues are names by position, and still security's
	 * (review 13: "Our Security Team Found An Exposed Service.") */
	t = route_task_after("Our Security Team Found An Exposed Service.", bill);
	expect_abstain(lib, t, "[" ISSUES "]", "a cue of a02, whose tasks said that line");
	json_decref(t);
	t = route_task_after("OUR SECURITY TEAM FOUND AN EXPOSED SERVICE.", bill);
	expect_abstain(lib, t, "[" ISSUES "]", "a cue of a02, whose tasks said that line");
	json_decref(t);
	/* security's own case: the line's cues are its own */
	t = route_task_after(line, "Our security team found a vulnerability in the Omega Hub. We need a fix.");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a02\"]}");
	json_decref(t);
	json_decref(lib);

	/* said with the cases of three issues, the line is the wording of
	 * cases, as a request is ("Just return the agent's Id.", whose "return"
	 * is a returns issue's cue): its cues are not kept, and a billing case
	 * that quotes it goes to billing */
	eps = json_array();
	add_route_training_at(eps, line, 1u << 4 | 1u << 6 | 1u << 9);
	said_elsewhere(eps, line);
	lib = induced(eps);
	t = route_task_after(line, bill);
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	json_decref(lib);
}

/* A review's attack on the sentences around the question (2d68430).
 * A sentence of the case itself ("Please send a revised invoice.", a
 * customer's stock line that other families quote before their own
 * questions) is no wording around the routing question: it holds a cue
 * of billing that billing's training said outside that sentence too
 * ("The invoice for ... was charged twice.").  Left out, the rest ("The
 * Omega Hub we ordered has not shipped.") cued delivery alone, and a case
 * that says cues of two issues (as "The invoice for the Omega Hub has not
 * shipped." in test_choose_catalogue) was routed to delivery.  A cue
 * learned from the rest of the training is now read wherever the query
 * says it, and induction learns none from those sentences. */
static void test_review5_choose_around_cue(void **state)
{
	(void)state;
	json_t *eps = json_array();
	add_route_training(eps, "");
	said_elsewhere(eps, "Please send a revised invoice.");
	json_t *lib = induced(eps);
	json_t *t = route_task("The Omega Hub we ordered has not shipped. Please send a revised invoice.");
	expect_abstain(lib, t, "[" ISSUES "]", "cues of two items: 'invoice' of a01");
	/* the same on a line of its own */
	json_decref(t);
	t = route_task("The Omega Hub we ordered has not shipped.\nPlease send a revised invoice.");
	expect_abstain(lib, t, "[" ISSUES "]", "cues of two items: 'invoice' of a01");
	json_decref(t);
	json_decref(lib);
}

/* Three other families quote `line`; a billing case of the induced
 * `eps` that asks for it too must abstain (`why`), and never call for
 * another issue than the data export's. */
static void billing_with_line_abstains(json_t *eps, const char *line, const char *why)
{
	char text[300];
	said_elsewhere(eps, line);
	json_t *lib = induced(eps);
	snprintf(text, sizeof text, "The invoice for our Omega Hub was charged twice. %s", line);
	json_t *t = route_task(text);
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a04\"]}");
	expect_abstain(lib, t, "[" ISSUES "]", why);
	json_decref(t);
	json_decref(lib);
}

/* Two training cases of the data export issue that end with `line`. */
static void add_export_lines(json_t *eps, const char *line)
{
	char text[300];
	snprintf(text, sizeof text, "The Delta Node holds it. %s", line);
	json_array_append_new(eps, issue_episode_after("", "r9", text, "a04", NULL));
	snprintf(text, sizeof text, "The Gamma Rack holds it. %s", line);
	json_array_append_new(eps, issue_episode_after("", "r10", text, "a04", NULL));
}

/* A second review's attack (37ba99e): a word of one other item's tasks
 * only, in a sentence around the question, was not read.  A data export
 * (one training task: no cue, only its words tell it, as "'full', a word
 * of a04's tasks only" in test_choose_catalogue) asked for in a
 * customer's line that other families quote went to billing, which
 * f46d69a refused.  Such words are read now, and so is a word no task
 * said when the catalogue holds an issue training never chose. */
static void test_review6_choose_around_words(void **state)
{
	(void)state;
	json_t *eps = json_array();
	add_route_training(eps, "");
	billing_with_line_abstains(eps, "We need a full export of our project data.", "a word of a04's tasks only");

	/* a line of words no task said, when no training task chose the data
	 * export issue: they may be that issue's */
	eps = json_array();
	add_route_training_of(eps, "", 0, 1u << 9);
	billing_with_line_abstains(eps, "Please export everything.",
				   "the query's word 'export' was said by no task that made the choice");
}

/* A third review's attack on the sentences around the question (8e0ddee):
 * the customer line a data export case itself says ("I want a full
 * export of our project data."), quoted by three other families, is an
 * around sentence in the data export's own training tasks too: induction
 * learns nothing from it there, so its words are no issue's words, and at
 * answer time a word of no item's tasks in an around sentence is not read
 * (the catalogue holds no unchosen issue).  A billing case that also asks
 * for that export went to billing; f46d69a refused ("cues of two items:
 * ... 'a full' of a04"), as test_review6_choose_around_words asks of such
 * a case.  Such a line, said with one item's tasks only as a cue is, is
 * now that item's ("owned"). */
static void test_review7_choose_around_own_line(void **state)
{
	(void)state;
	static const char *const stock = "I want a full export of our project data.";
	json_t *eps = json_array();
	add_route_training_of(eps, "", 0, 1u << 9);
	add_export_lines(eps, stock); /* the data export cases of training say the line itself */
	billing_with_line_abstains(eps, stock, "of a04's tasks only, not of a01's"); /* a word of them, or the line */
}

/* The same attack in another script: when the catalogue holds an issue no
 * training task chose (the data export), a word no task said in a quoted
 * line is read (8e0ddee), but a token of another script ("データ": data)
 * is never a word (tok_is_word), so around_unread leaves it unread and
 * other_item_said skips it before tok_unreadable, which f46d69a applied
 * ("text its words cannot hold").  "Please send the データ." quoted by
 * three other families sent a billing case that asks for a data export to
 * billing.  Such text is read now. */
static void test_review7_choose_around_script(void **state)
{
	(void)state;
	json_t *eps = json_array();
	add_route_training_of(eps, "", 0, 1u << 9);
	billing_with_line_abstains(eps, "Please send the データ.", "text its words cannot hold");
}

/* A fourth review's attacks (4807f3f).  First (get_leaders a01; f46d69a
 * abstained: "the query says 'データ', text its words cannot hold").  The fix of
 * test_review7_choose_around_script reads text of another script only in
 * around sentences that are not "shared": around_unread clears the mark
 * for tok_unreadable tokens only when !wording[i].  Here the data export's
 * stock line (said by two a04 tasks, so it would be a04's "owned" line)
 * was also said by ONE delivery task by chance: that single task makes it
 * "shared", so the whole line, データ included, goes unread.  The billing
 * case that also asks for the data export then goes to billing.  The same
 * line without the chance a03 task abstains ("owned").  Fix: in
 * around_unread, drop "!wording[i]" from the tok_unreadable test so that
 * text of another script is always read. */
static void test_review8_choose_around_shared_script(void **state)
{
	(void)state;
	static const char *const stock = "Please send the データ.";
	json_t *eps = json_array();
	add_route_training_of(eps, "", 0, 1u << 9);
	add_export_lines(eps, stock);
	json_array_append_new(eps, issue_episode_after("", "r11", "The Beta Gauge we ordered has not shipped. Please send the データ.",
						       "a03", NULL));
	billing_with_line_abstains(eps, stock, "text its words cannot hold");
}

/* The fourth review's second attack (4807f3f: get_leaders a01; f46d69a abstained
 * "'archive', a word of a04's tasks only, not of a01's").  A line said only
 * by a04 tasks, two of a04's eight, and quoted by three other families: it
 * is an around sentence, so induction learns none of its words ("archive",
 * "auditors" become words of no item), and it is not "owned" because
 * n * (total - nk) / nk = 2 * 11 / 8 < WORD_EVIDENCE.  At answer time its
 * words are words of no item (and no item is unchosen), so nothing in it is
 * read, and the billing case that asks for the archive goes to billing.
 * This is wider than the documented residual ("words that no training
 * task said, or only one task said"): any number of tasks of one large
 * item that stays below the evidence bar is skipped in the same way.
 * f46d69a read "archive" as a word of a04 only.  Fix: make a sentence
 * "owned" when >= 2 tasks of one item said it and no other item's task
 * did, without the WORD_EVIDENCE test (other_item_said asks no evidence of
 * "a word of one other item's tasks only" either). */
static void test_review8_choose_around_weak_owner(void **state)
{
	(void)state;
	static const char *const stock = "Please send the archive to our auditors.";
	static const char *const prod[] = {"Alpha Widget", "Beta Gauge", "Gamma Rack", "Omega Hub",
					   "Sigma Box",	   "Theta Pod",	 "Zeta Hub"};
	json_t *eps = json_array();
	add_route_training(eps, "");
	char id[16], text[200];
	for (size_t i = 0; i < sizeof prod / sizeof *prod; i++) {
		snprintf(id, sizeof id, "x%zu", i);
		snprintf(text, sizeof text, "We need a full export of our project data from the %s.%s%s", prod[i], i < 2 ? " " : "",
			 i < 2 ? stock : "");
		json_array_append_new(eps, issue_episode_after("", id, text, "a04", NULL));
	}
	billing_with_line_abstains(eps, stock, "of a04's tasks only, not of a01's"); /* a word of them, or the line */
}

/* A fifth review's attack (0ab2655: get_leaders a01; f46d69a abstained,
 * "'archive', a word of a04's tasks only, not of a01's" or cues of two
 * items).  Two data export tasks of training each say a different
 * customer line about the archive ("Please send the archive to our
 * auditors.", "Our auditors need the archive."), both quoted by three
 * other families: each is an around sentence, said by ONE task, so neither
 * is "owned", and induction learns no word from either.  "archive" and
 * "auditors", said by two a04 tasks and no other item's, are no item's
 * words at all, and at answer time a word of no item in an around
 * sentence is not read.  A billing case that also asks for the archive
 * goes to billing.  Such words are the item's now, as its line is. */
static void test_review9_choose_around_split_lines(void **state)
{
	(void)state;
	static const char *const l1 = "Please send the archive to our auditors.";
	static const char *const l2 = "Our auditors need the archive.";
	json_t *eps = json_array();
	add_route_training(eps, "");
	char text[200];
	snprintf(text, sizeof text, "We need a full export of our project data from the Sigma Box. %s", l1);
	json_array_append_new(eps, issue_episode_after("", "x0", text, "a04", NULL));
	snprintf(text, sizeof text, "We need a full export of our project data from the Theta Pod. %s", l2);
	json_array_append_new(eps, issue_episode_after("", "x1", text, "a04", NULL));
	said_elsewhere(eps, l2);
	billing_with_line_abstains(eps, l1, "a word of a04's tasks only, not of a01's");
}

/* Out of memory while choosing is an error, never an abstention. */
static void test_choose_out_of_memory(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	const json_t *prog = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(lib, "programs"), i, x) {
		char *text = json_dumps(x, JSON_COMPACT);
		if (strstr(text, "\"$choose\""))
			prog = x;
		free(text);
	}
	assert_non_null(prog);
	json_t *t = route_task("The invoice for our Omega Hub was charged twice. Please correct it.");
	json_t *r = json_loads("[" ISSUES "]", 0, NULL);
	assert_non_null(r);
	bool done = false;
	for (size_t n = 0; n < 20000 && !done; n++) {
		crmw__prog_next nx;
		allocs_left = n;
		json_set_alloc_funcs(failing_malloc, free);
		int rc = crmw__program_next(&nx, prog, t, r);
		json_set_alloc_funcs(malloc, free);
		if (rc == CRMW_OK && (nx.kind != CRMW__PROG_CALL || strcmp(nx.name, "get_leaders") != 0))
			fail_msg("%zu allocations: kind %d: %s", n, nx.kind, nx.why);
		if (rc != CRMW_OK)
			assert_int_equal(rc, CRMW_ENOMEM);
		done = rc == CRMW_OK;
		crmw__prog_next_clear(&nx);
	}
	assert_true(done);
	json_decref(r);
	json_decref(t);
	json_decref(lib);
}

/* Only a catalogue is chosen from: a list that differs between the tasks
 * (a customer's purchases) is no set of items whose words training can
 * learn.  And "$choose" is checked like any expression. */
static void test_choose_not_catalogue(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const q[] = {"Which of my orders had the broken lamp?", "Which of my orders had the broken lamp again?",
					"Which of my orders had the torn rug?", "Which of my orders had the torn rug again?"};
	for (int i = 0; i < 4; i++) {
		char id[8], calls[200], results[300], ans[16];
		snprintf(id, sizeof id, "o%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"get_orders\",\"arguments\":{}},{\"name\":\"get_order\",\"arguments\":{\"id\":\"801%d%s\"}}]", i,
			 i < 2 ? "L" : "R");
		snprintf(results, sizeof results, "[[{\"Id\":\"801%dL\"},{\"Id\":\"801%dR\"}],{\"Total\":%d}]", i, i, i);
		snprintf(ans, sizeof ans, "%d", i);
		json_array_append_new(eps, episode(task(id, "orders", q[i], "2024-02-01", NULL), calls, results, ans));
	}
	json_t *lib = crmw__induce(eps, 2, (char[300]){0}, 300);
	json_decref(eps);
	assert_non_null(lib);
	char *text = json_dumps(lib, JSON_COMPACT);
	assert_null(strstr(text, "\"$choose\""));
	free(text);
	json_decref(lib);
	static const char *const bad[] = {
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/0\",\"field\":\"Id\","
		"\"cues\":{\"x\":[\"Upper\"]}}}}}]",
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/0\",\"field\":\"Id\","
		"\"cues\":{\"x\":[\"three word cue\"]}}}}}]",
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/0\",\"field\":\"Id\","
		"\"cues\":[\"x\"]}}}}]",
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/1\",\"field\":\"Id\","
		"\"cues\":{}}}}}]",
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/0\",\"field\":\"Id\","
		"\"catalogue\":\"0123456789abcdef\",\"cues\":{},\"words\":{\"x\":[\"two words\"]}}}}}]",
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/0\",\"field\":\"Id\","
		"\"cues\":{},\"words\":{}}}}}]",
		"[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{\"list\":\"/0\",\"field\":\"Id\","
		"\"cues\":{},\"also\":1}}}}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *prog = json_loads(bad[i], 0, NULL);
		char why[300];
		assert_non_null(prog);
		if (crmw__program_check(prog, why, sizeof why) != CRMW_EINVALID)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(why, "$choose"));
		json_decref(prog);
	}
	/* "shared": sentence keys, 16 hex digits each */
	static const char *const head = "[{\"name\":\"a\"},{\"name\":\"respond\",\"arguments\":{\"content\":{\"$choose\":{"
					"\"list\":\"/0\",\"field\":\"Id\",\"catalogue\":\"0123456789abcdef\",\"cues\":{\"x\":[\"w\"]},"
					"\"words\":{\"x\":{\"w\":2}},\"tasks\":{\"x\":2}";
	static const char *const shared[] = {"", ",\"shared\":[\"0123456789abcdef\"]",
					     /* "shared_cues": {sentence key: [1 to 32 cues]} */
					     ",\"shared_cues\":{\"0123456789abcdef\":[\"w\",\"w x\"]}",
					     /* "names": {name: item, or ""} */
					     ",\"names\":{\"monday\":\"\",\"wi\":\"x\"}",
					     ",\"names\":{\"Monday\":\"\"}", ",\"names\":{\"monday\":2}", ",\"names\":{\"two words\":\"\"}",
					     ",\"names\":[\"monday\"]",
					     ",\"shared\":[\"0123456789ABCDEF\"]", ",\"shared\":[\"0123\"]",
					     ",\"shared\":\"0123456789abcdef\"", ",\"shared\":[1]",
					     ",\"shared_cues\":{\"0123\":[\"w\"]}", ",\"shared_cues\":{\"0123456789abcdef\":[]}",
					     ",\"shared_cues\":{\"0123456789abcdef\":[\"W\"]}", ",\"shared_cues\":{\"0123456789abcdef\":\"w\"}",
					     ",\"shared_cues\":[\"w\"]", NULL};
	for (size_t i = 0; i < sizeof shared / sizeof *shared; i++) {
		char src[1200], why[300];
		if (!shared[i]) { /* 33 cues */
			int n = snprintf(src, sizeof src, "%s,\"shared_cues\":{\"0123456789abcdef\":[", head);
			for (int k = 0; k < 33; k++)
				n += snprintf(src + n, sizeof src - (size_t)n, "%s\"w%c\"", k ? "," : "", 'a' + k % 26);
			snprintf(src + n, sizeof src - (size_t)n, "]}}}}}]");
		} else {
			snprintf(src, sizeof src, "%s%s}}}}]", head, shared[i]);
		}
		json_t *prog = json_loads(src, 0, NULL);
		assert_non_null(prog);
		if (crmw__program_check(prog, why, sizeof why) != (i < 4 ? CRMW_OK : CRMW_EINVALID))
			fail_msg("%s: %s", i < 4 ? "refused" : "accepted", src);
		json_decref(prog);
	}
}

/* Abstaining, or the right call of `name`: any other call or an answer fails. */
static void expect_no_wrong_call(const json_t *lib, const json_t *t, const char *results, const char *name, const char *right)
{
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	if (nx.kind == CRMW__PROG_ANSWER)
		fail_msg("answered %s where it should abstain", nx.answer);
	if (nx.kind == CRMW__PROG_CALL) {
		json_t *want = json_loads(right, 0, NULL);
		bool ok = strcmp(nx.name, name) == 0 && json_equal(want, nx.arguments);
		json_decref(want);
		if (!ok) {
			char *got = json_dumps(nx.arguments, JSON_COMPACT | JSON_SORT_KEYS);
			fail_msg("a wrong call: %s %s (right: %s, or abstain)", nx.name, got, right);
		}
	}
	crmw__prog_next_clear(&nx);
}

/* A constant that the query of every training task said is a value of
 * the query (crmarena 203, a wrong answer at 100 training tasks): the two
 * routing tasks whose issues had several leaders were both about one
 * product, so the product search's term was the same text in both, and no
 * expression read it ("apex rangefinder" of "Tour Apex Rangefinder").  As
 * a constant it searched that product for a case about another one, and
 * the case was routed as theirs were.  It is kept now as "$quoted": the
 * text, for a query that says it. */
/* Six routing cases of one leader each, and two of several leaders whose
 * product search (`term`) no expression reads: s0, a billing case, and s1,
 * a security one. */
static json_t *product_training(const char *s0, const char *s1, const char *term)
{
	static const issue_text tr[] = {
		{"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.", "a01"},
		{"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.", "a01"},
		{"The invoice for Gamma Rack uses the wrong unit price. Please correct it.", "a01"},
		{"Our security team found an exposed service on the Alpha Widget. Please help.", "a02"},
		{"Our security team found a vulnerability in Delta Node during an audit.", "a02"},
		{"Our security team found an exposed service on the Gamma Rack. We need a fix.", "a02"},
	};
	json_t *eps = json_array();
	char id[16];
	for (size_t i = 0; i < sizeof tr / sizeof *tr; i++) {
		snprintf(id, sizeof id, "r%zu", i);
		json_array_append_new(eps, issue_episode(id, tr[i].text, tr[i].issue, NULL));
	}
	json_array_append_new(eps, issue_episode("s0", s0, "a01", term));
	json_array_append_new(eps, issue_episode("s1", s1, "a02", term));
	return induced(eps);
}

static void test_constant_said_by_every_query(void **state)
{
	(void)state;
	json_t *lib = product_training("The invoice for the Omega Hub was charged twice.",
				       "Our security team found a vulnerability in the Omega Hub.", "omega hub");
	static const char *const several = "[" ISSUES ",[\"005A\",\"005B\"]]";
	json_t *t = route_task("The invoice for the Omega Hub was charged twice. Please correct it.");
	expect_call(lib, t, several, "lookup", "{\"term\":\"omega hub\"}");
	json_decref(t);
	t = route_task("The invoice for the Sigma Relay was charged twice. Please correct it.");
	expect_abstain(lib, t, several, "the query does not say 'Omega Hub', which the query of every training task said");
	json_decref(t);
	char *text = json_dumps(lib, JSON_COMPACT);
	assert_non_null(strstr(text, "{\"$quoted\":\"omega hub\",\"said\":\"Omega Hub\"}"));
	free(text);
	json_decref(lib);

	/* a term whose words the queries say apart (review 13: the generator's
	 * term for "Slim 2-in-1 Notebook" leaves out the word with digits) */
	lib = product_training("The invoice for the Slim 2-in-1 Notebook was charged twice.",
			       "Our security team found a vulnerability in the Slim 2-in-1 Notebook.", "slim notebook");
	t = route_task("The invoice for the Slim 2-in-1 Notebook was charged twice. Please correct it.");
	expect_call(lib, t, several, "lookup", "{\"term\":\"slim notebook\"}");
	json_decref(t);
	t = route_task("The invoice for the Pro Notebook was charged twice. Please correct it.");
	expect_abstain(lib, t, several, "the query does not say 'Slim 2-in-1 Notebook'");
	json_decref(t);
	/* its words apart in another product's name (review 14: "Studio Neo
	 * Laptop" says the words of "studio laptop") */
	t = route_task("The invoice for the Slim Apex 2-in-1 Notebook was charged twice. Please correct it.");
	expect_abstain(lib, t, several, "the query does not say 'Slim 2-in-1 Notebook'");
	json_decref(t);
	json_decref(lib);

	/* the same words in two spans: each word is asked */
	lib = product_training("The invoice for the Slim 2-in-1 Notebook was charged twice.",
			       "Our security team found a vulnerability in the Slim Notebook.", "slim notebook");
	t = route_task("The invoice for the Pro Notebook was charged twice. Please correct it.");
	expect_abstain(lib, t, several, "the query does not say each word of 'slim notebook'");
	json_decref(t);
	json_decref(lib);
	/* the notation: a text of 1 to 256 bytes, nothing else */
	static const char *const quoted[] = {"\"omega hub\"", "\"\"", "3", "[\"omega\"]", "\"x\",\"also\":1"};
	for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++) {
		char src[300], why[300];
		snprintf(src, sizeof src,
			 "[{\"name\":\"lookup\",\"arguments\":{\"term\":{\"$quoted\":%s}}},"
			 "{\"name\":\"respond\",\"arguments\":{\"content\":\"x\"}}]",
			 quoted[i]);
		json_t *prog = json_loads(src, 0, NULL);
		assert_non_null(prog);
		if (crmw__program_check(prog, why, sizeof why) != (i == 0 ? CRMW_OK : CRMW_EINVALID))
			fail_msg("%s: %s", i == 0 ? "refused" : "accepted", src);
		json_decref(prog);
	}
}

/* A review's attack (review 12): a capitalised word that no task said,
 * inside a sentence, passed as a name, and names are no words of the
 * query: "Hacked" in "(Our Omega Hub was Hacked.)" and "Hacker" in "A
 * Hacker charged ..." kept a billing case that also reported a security
 * incident on billing.  A name alone (no name beside it, as a product's
 * two or three) that no two tasks said, as a name or a word, or one other
 * item's tasks only, now abstains; "Omega Hub", two names, is still a
 * product's name. */
static void test_review12_choose_lone_name(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	json_t *t = route_task("The invoice for our Omega Hub was charged twice. (Our Omega Hub was Hacked.)");
	expect_abstain(lib, t, "[" ISSUES "]", "the name 'Hacked', alone, that no two tasks said");
	json_decref(t);
	t = route_task("A Hacker charged the invoice for our Omega Hub twice.");
	expect_abstain(lib, t, "[" ISSUES "]", "the name 'Hacker', alone, that no two tasks said");
	json_decref(t);
	/* a known word in capitals, or "I", beside it is no name (review 14) */
	static const char *const beside[] = {
		"The invoice for our Omega Hub was charged twice. (OUR OMEGA HUB WAS HACKED.)",
		"The invoice for our Omega Hub was charged twice. It was Hacked I think.",
		"The invoice for our Omega Hub was charged twice. (Our Omega Hub was Hacked Twice.)",
		"The invoice for our Omega Hub was charged twice. We think it is a Hacked Invoice.",
	};
	for (size_t k = 0; k < sizeof beside / sizeof *beside; k++) {
		t = route_task(beside[k]);
		expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a02\"]}");
		json_decref(t);
	}
	/* a product's name of two words no task said; a name two items' tasks said */
	t = route_task("The invoice for our Sigma Relay was charged twice. Please send a revised invoice.");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	t = route_task("The invoice for our Gamma Rack was charged twice.");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	/* two names joined by a hyphen are a name ("E-Reader"), so are two
	 * after a possessive ("Kids' Omega") */
	static const char *const named[] = {
		"The invoice for our E-Reader was charged twice. Please send a revised invoice.",
		"The invoice for our Kids' Omega was charged twice. Please send a revised invoice.",
	};
	for (size_t k = 0; k < sizeof named / sizeof *named; k++) {
		t = route_task(named[k]);
		expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
		json_decref(t);
	}
	json_decref(lib);

	/* a name alone that two tasks of one other item said is that item's
	 * ("Monday" of two delivery cases), as a word would be */
	static const issue_text tr[] = {
		{"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.", "a01"},
		{"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.", "a01"},
		{"The invoice for Gamma Rack uses the wrong unit price. Please correct it.", "a01"},
		{"Our security team found an exposed service on the Alpha Widget. Please help.", "a02"},
		{"Our security team found a vulnerability in Delta Node during an audit.", "a02"},
		{"Our security team found an exposed service on the Gamma Rack. We need a fix.", "a02"},
		{"The Beta Gauge we ordered has not shipped and it was due on Monday.", "a03"},
		{"The Delta Node we ordered has not shipped since Monday. Please help.", "a03"},
		{"The Alpha Widget we ordered was due two weeks ago and has not shipped.", "a03"},
		{"We need a full export of our project data from the Delta Node.", "a04"},
		{"Delta Node invoices list the wrong unit price. Please correct it.", "a01"},
		{"Delta Node orders have not shipped. Please help.", "a03"},
	};
	lib = issue_training(tr, sizeof tr / sizeof *tr);
	t = route_task("The invoice for our Omega Hub was charged twice on Monday. Please send a revised invoice.");
	expect_abstain(lib, t, "[" ISSUES "]", "the name 'Monday', alone, of a03's tasks only, not of a01's");
	json_decref(t);
	/* a capitalised word that starts a sentence, a word of two items there
	 * and a name training said elsewhere ("the Delta Node"), is a name
	 * beside the next one */
	t = route_task("Delta Blender was charged twice. Please send a revised invoice.");
	expect_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	json_decref(lib);
}

/* A review's attacks on "$choose" (four, each answered wrongly at first):
 * an issue's name said as a name ("has a Security Vulnerability") hid the
 * words that tell it, so "we ordered" chose delivery; */
static void test_review_choose_name_hides_issue(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	json_t *t = route_task("The Beta Gauge we ordered has a Security Vulnerability.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a02\"]}");
	json_decref(t);
	t = route_task("The Beta Gauge we ordered has a Duplicate Invoice.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	json_decref(lib);
}

/* a word of any request ("for", billing's "the invoice for") was the one
 * cue of a data export request whose own words were seen with other issues
 * too; */
static void test_review_choose_common_word_cue(void **state)
{
	(void)state;
	static const issue_text tr[] = {
		{"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.", "a01"},
		{"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.", "a01"},
		{"The invoice for Gamma Rack uses the wrong unit price of the data export add-on. Please correct it.", "a01"},
		{"Our security team found an exposed service on the Alpha Widget. Please help.", "a02"},
		{"Our security team found a vulnerability in Delta Node during an audit.", "a02"},
		{"Our security team found an exposed service on the Gamma Rack. We need a fix.", "a02"},
		{"The Beta Gauge we ordered has not shipped and it was due last week.", "a03"},
		{"The Delta Node we ordered has not shipped. Please help.", "a03"},
		{"The Alpha Widget we ordered was due two weeks ago and has not shipped.", "a03"},
		{"We need a full export of our project data from the Delta Node.", "a04"},
		{"Please export our data from the Alpha Widget.", "a04"},
	};
	json_t *lib = issue_training(tr, sizeof tr / sizeof *tr);
	json_t *t = route_task("We need the export of our data for the Gamma Rack.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a04\"]}");
	json_decref(t);
	json_decref(lib);
}

/* the catalogue changed after training (billing is a05 now), and the cues
 * of an item no longer listed went unread; */
static void test_review_choose_catalogue_changed(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	json_t *t = route_task("The invoice for the Beta Gauge has not shipped.");
	expect_abstain(lib, t, "[" ISSUES "]", "cues of two items");
	static const char changed[] =
		"[[{\"Id\":\"a05\",\"Name\":\"Billing Discrepancy\"},{\"Id\":\"a02\",\"Name\":\"Security Vulnerability\"},"
		"{\"Id\":\"a03\",\"Name\":\"Delivery Delay\"},{\"Id\":\"a04\",\"Name\":\"Data Export Request\"}]]";
	expect_abstain(lib, t, changed, "the catalogue changed");
	json_decref(t);
	json_decref(lib);
}

/* and a longer task that the program stopped short of for another reason
 * than a result's shape (a name it could not read) was no counterexample,
 * so its words no longer kept the program off a manager question. */
static json_t *owner_episode(const char *id, const char *q, const char *acct, const char *user, const char *boss)
{
	char calls[300], results[200];
	if (!boss) {
		snprintf(calls, sizeof calls, "[{\"name\":\"find_account\",\"arguments\":{\"name\":\"%s\"}}]", acct);
		snprintf(results, sizeof results, "[{\"Owner\":\"%s\"}]", user);
		return episode(task(id, "owner", q, "2024-02-01", NULL), calls, results, user);
	}
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"find_account\",\"arguments\":{\"name\":\"%s\"}},{\"name\":\"get_user\",\"arguments\":{\"term\":"
		 "\"zq%s\"}}]",
		 acct, id);
	snprintf(results, sizeof results, "[{\"Owner\":\"%s\"},{\"Manager\":\"%s\"}]", user, boss);
	return episode(task(id, "owner", q, "2024-02-01", NULL), calls, results, boss);
}

static void test_review_stops_short_not_shape(void **state)
{
	(void)state;
	json_t *eps = json_array();
	json_array_append_new(eps, owner_episode("o1", "Who owns the account Acme Corp?", "Acme Corp", "005A", NULL));
	json_array_append_new(eps, owner_episode("o2", "Who owns the account Initech?", "Initech", "005B", NULL));
	json_array_append_new(eps, owner_episode("o3", "Who owns the account Umbrella Labs?", "Umbrella Labs", "005C", NULL));
	json_array_append_new(eps,
			      owner_episode("o4", "Which manager oversees the owner of our biggest customer?", "Hooli", "005D", "005M"));
	json_array_append_new(eps,
			      owner_episode("o5", "Which manager oversees the owner of our oldest customer?", "Vandelay", "005E", "005N"));
	json_t *lib = induced(eps);
	json_t *t = task("o-new", "owner", "Which manager oversees the owner of the account Globex?", "2024-02-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[{\"Owner\":\"005G\"}]");
	if (nx.kind == CRMW__PROG_ANSWER)
		fail_msg("answered the owner %s to a manager question", nx.answer);
	crmw__prog_next_clear(&nx);
	json_decref(t);
	json_decref(lib);
}

/* A second review's attacks on "$choose" (each a wrong call at first):
 * "an" and "in", security's cues by chance in a small training, carried a
 * data export request whose own words billing's tasks had said too; */
static void test_review3_choose_chance_shared_words(void **state)
{
	(void)state;
	static const issue_text tr[] = {
		{"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.", "a01"},
		{"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.", "a01"},
		{"The invoice for Gamma Rack charges us for a full export of our project data from last year. Please correct it.",
		 "a01"},
		{"Our security team found an exposed service on the Alpha Widget. Please help.", "a02"},
		{"Our security team found a vulnerability in Delta Node during an audit.", "a02"},
		{"Our security team found an exposed service on the Gamma Rack. We need a fix.", "a02"},
		{"The Beta Gauge we ordered has not shipped and it was due last week.", "a03"},
		{"The Delta Node we ordered has not shipped. Please help.", "a03"},
		{"The Alpha Widget we ordered was due two weeks ago and has not shipped.", "a03"},
		{"We need a full export of our project data from the Delta Node.", "a04"},
	};
	json_t *lib = issue_training(tr, sizeof tr / sizeof *tr);
	json_t *t = route_task("We need an export of our project data in full from the Omega Hub.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a04\"]}");
	json_decref(t);
	json_decref(lib);
}

/* an issue's words written as names ("a Data Export") went unread; */
static void test_review3_choose_name_of_uncued_item(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	json_t *t = route_task("We need a Data Export on the Omega Hub in an Excel Sheet.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a04\"]}");
	json_decref(t);
	json_decref(lib);
}

/* words in another script were no words at all ("the invoice was issued
 * twice", in Russian); */
static void test_review3_choose_non_ascii_words(void **state)
{
	(void)state;
	json_t *lib = issue_library();
	json_t *t = route_task("Our team found this in the Omega Hub: \xd1\x81\xd1\x87\xd1\x91\xd1\x82 "
			       "\xd0\xb2\xd1\x8b\xd1\x81\xd1\x82\xd0\xb0\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd "
			       "\xd0\xb4\xd0\xb2\xd0\xb0\xd0\xb6\xd0\xb4\xd1\x8b.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a01\"]}");
	json_decref(t);
	json_decref(lib);
}

/* and a longer task the program called otherwise on (billing's constant
 * issue for a security case) was dropped as one it stops short of. */
static void test_review3_stops_short_after_wrong_call(void **state)
{
	(void)state;
	static const char *const bill[] = {
		"The invoice for our Alpha Widget was charged twice. Please send a revised invoice.",
		"We think it is wrong: the invoice for the Beta Gauge lists more seats. Please send a revised invoice.",
		"The invoice for Gamma Rack uses the wrong unit price. Please correct it.",
		"The invoice for the Delta Node was charged twice.",
	};
	json_t *eps = json_array();
	char id[16];
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof id, "r%d", i);
		json_array_append_new(eps, issue_episode(id, bill[i], "a01", NULL));
	}
	json_array_append_new(eps, issue_episode("s0", "Our security team found an exposed service on the Alpha Widget.", "a02", "zq1"));
	json_array_append_new(eps, issue_episode("s1", "Our security team found a vulnerability in the Beta Gauge.", "a02", "zq2"));
	json_t *lib = induced(eps);
	json_t *t = route_task("Our security team found an exposed service on the Omega Hub.");
	expect_no_wrong_call(lib, t, "[" ISSUES "]", "get_leaders", "{\"issue_ids\":[\"a02\"]}");
	json_decref(t);
	json_decref(lib);
}

/* The number of a time expression explains no value: two
 * tasks whose count ("3 cases or fewer") came in two wordings shared only
 * "the number after 'last', minus 2" ("the last 5 weeks"), and a program of
 * it asked for agents with more than 0 cases on "the last two weeks" (b2b
 * seed 71: a wrong answer where the answer was None). */
static void test_period_number_offset(void **state)
{
	(void)state;
	json_t *eps = json_array();
	json_array_append_new(eps, episode(task("h-1", "handle", "Which agent was slowest in the last 5 weeks? Skip agents with 3 "
							 "cases or fewer.", "2024-03-01", NULL),
					   "[{\"name\":\"qualified\",\"arguments\":{\"n\":3}}]", "[[\"005A\"]]", "005A"));
	json_array_append_new(eps, episode(task("h-2", "handle", "Which agent was slowest in the last 4 weeks? Leave out agents that "
							 "closed 2 cases or fewer.", "2024-03-01", NULL),
					   "[{\"name\":\"qualified\",\"arguments\":{\"n\":2}}]", "[[\"005B\"]]", "005B"));
	json_t *lib = induced(eps);
	json_t *t = task("h-9", "handle", "Which agent was slowest in the last two weeks? Leave out agents who handled 3 cases or "
					  "fewer.", "2024-03-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[]");
	if (nx.kind == CRMW__PROG_CALL) {
		char *a = json_dumps(nx.arguments, JSON_COMPACT);
		fail_msg("called %s with %s", nx.name, a);
	}
	crmw__prog_next_clear(&nx);
	/* nor as itself: a period's values are its bounds ($period), and a
	 * count equal to its number is a coincidence of the training
	 * (test_period_number_no_count) */
	eps = json_array();
	json_array_append_new(eps, episode(task("w-1", "weeks", "Cases of the last 3 weeks?", "2024-03-01", NULL),
					   "[{\"name\":\"count\",\"arguments\":{\"weeks\":3}}]", "[7]", "7"));
	json_array_append_new(eps, episode(task("w-2", "weeks", "Cases of the last 5 weeks?", "2024-03-01", NULL),
					   "[{\"name\":\"count\",\"arguments\":{\"weeks\":5}}]", "[9]", "9"));
	json_t *wl = induced(eps);
	json_t *w = task("w-9", "weeks", "Cases of the last 6 weeks?", "2024-03-01", NULL);
	expect_abstain(wl, w, "[]", "");
	json_decref(w);
	json_decref(wl);
	json_decref(t);
	json_decref(lib);
}

/* Adversarial review of the tie-side and one-sided-family rules: each
 * query is unambiguous, and the library must not take the wrong action
 * (abstaining is fine). */
static void expect_not(const json_t *lib, const json_t *t, const char *results, int kind, const char *what)
{
	crmw__prog_next nx;
	next(&nx, lib, t, results);
	bool bad = nx.kind == kind && (kind == CRMW__PROG_CALL ? strcmp(nx.name, what) == 0 : strcmp(nx.answer, what) == 0);
	crmw__prog_next_clear(&nx);
	if (bad)
		fail_msg("'%s' got the wrong %s %s", json_string_value(json_object_get(t, "query")),
			 kind == CRMW__PROG_CALL ? "call" : "answer", what);
}

/* Score tasks that keep the agents with at least 2 deals (qualified)
 * before the argmax or argmin; agent c, the best or worst of all, never
 * qualifies. */
static void qualified_episodes(json_t *eps, const char *word, bool high, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[200], calls[400], id[32], results[200];
		snprintf(q, sizeof q, "Which agent had the %s score among agents with at least 2 deals in quarter %d?", word, i + 1);
		snprintf(id, sizeof id, "score-q%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"qualified\",\"arguments\":{}},"
			 "{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}}]",
			 high ? "find_max" : "find_min", i % 2 ? 2 : 8);
		const char *ans = (i % 2 == 0) == high ? "a" : "b";
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5,\"c\":%d},{\"a\":%d,\"b\":5},[\"%s\"]]", i % 2 ? 2 : 8,
			 high ? 99 : -99, i % 2 ? 2 : 8, ans);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* Every counterexample of a directed program went the other way, so it
 * has "negatives": 0 and usable no longer asks for a word that tells its
 * tasks from them; but they were another kind of task too (a filter of
 * qualified agents), seen in training only with "lowest".  Only
 * counterexamples of its own calls but the direction's count as told
 * apart by the direction (twin_keys). */
static void test_review_hidden_counterexample(void **state)
{
	(void)state;
	static const char *const q = "Which agent had the highest score among agents with at least 2 deals in quarter 40?";
	/* one filtered lowest task: the plain argmax program skips the filter */
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	qualified_episodes(eps, "lowest", false, 1, 10);
	directed_episodes(eps, "cost", "highest", true, 10, 0);
	directed_episodes(eps, "cost", "lowest", false, 10, 100);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", q, "2024-01-01", NULL);
	expect_not(lib, t, "[{\"a\":1,\"b\":5,\"c\":9}]", CRMW__PROG_CALL, "find_max");
	expect_not(lib, t, "[{\"a\":1,\"b\":5,\"c\":9},[\"c\"]]", CRMW__PROG_ANSWER, "c");
	json_decref(lib);
	/* two: the filtered argmin program answers the highest question */
	eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	qualified_episodes(eps, "lowest", false, 2, 10);
	lib = induced(eps);
	expect_not(lib, t, "[{\"a\":1,\"b\":5,\"c\":9},{\"a\":1,\"b\":5}]", CRMW__PROG_CALL, "find_min");
	expect_not(lib, t, "[{\"a\":1,\"b\":5,\"c\":9},{\"a\":1,\"b\":5},[\"a\"]]", CRMW__PROG_ANSWER, "a");
	json_decref(t);
	json_decref(lib);
}

/* A tie whose calls are those of the highest tasks: a "fewest transfers"
 * question where one agent made any, answered right by find_max (a
 * policy's slip that the tie rewarded).  It takes the highest side, so
 * "fewest" is said on both sides of transfers, stops being a direction
 * word and becomes the wording around questions everywhere: a family
 * trained on "most" questions only answered "the fewest cases" with its
 * argmax.  A word only ties put on a side is now no sighting there
 * (pooled_sides). */
static void test_review_tie_wrong_side(void **state)
{
	(void)state;
	json_t *eps = json_array();
	transfer_episodes(eps, "agent", "highest", 0, 4, 0);
	transfer_episodes(eps, "agent", "fewest", 1, 3, 4);
	size_t at = json_array_size(eps);
	transfer_episodes(eps, "agent", "fewest", 2, 1, 7);
	json_object_set_new(json_array_get(json_object_get(json_array_get(eps, at), "calls"), 2), "name", json_string("find_max"));
	directed_episodes(eps, "cases", "most", true, 4, 0);
	json_t *lib = induced(eps);
	json_t *t = task("cases-99", "cases", "Which agent had the fewest cases in quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, "[{\"a\":1,\"b\":5}]", CRMW__PROG_CALL, "find_max");
	expect_not(lib, t, "[{\"a\":1,\"b\":5},[\"b\"]]", CRMW__PROG_ANSWER, "b");
	json_decref(t);
	json_decref(lib);
}

/* A word new to the family ("second"), said only in families of one side
 * ("For the second half of the year.", twice in each) and in a chat one:
 * with "highest" strong in the query it no longer vetoed, and "the second
 * highest score" was answered by the argmax (the highest).  A word of the
 * question's own sentence is not wording (directed_sentence_words). */
static void test_review_generic_one_sided(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	worded_episodes(eps, "deals", "For the second half of the year.", "most", true, 2, 0);
	worded_episodes(eps, "activity", "For the second half of the year.", "least", false, 2, 10);
	add_chat(eps, "kb", "Open the second policy.");
	add_chat(eps, "faq", "What is the second step?");
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Which agent had the second highest score in quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, "[{\"a\":1,\"b\":5,\"c\":9}]", CRMW__PROG_CALL, "find_max");
	json_object_set_new(t, "query", json_string("Which agent had the second lowest score in quarter 40?"));
	expect_not(lib, t, "[{\"a\":1,\"b\":5,\"c\":9}]", CRMW__PROG_CALL, "find_min");
	json_decref(t);
	json_decref(lib);
}

/* An episode of a family without directions: its answer is read, not
 * the largest or smallest of anything. */
static void add_said(json_t *eps, const char *family, const char *query)
{
	char id[64];
	snprintf(id, sizeof id, "%s-%zu", family, json_array_size(eps));
	json_array_append_new(eps, episode(task(id, family, query, "2024-01-01", NULL),
					   "[{\"name\":\"lookup\",\"arguments\":{}}]", "[{\"title\":\"x\"}]", "x"));
}

/* Families of both sides, three most and three least questions each,
 * answered by find_max and find_min. */
static void both_sides(json_t *eps, const char *const *families, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		directed_episodes(eps, families[k], "most", true, 3, 0);
		directed_episodes(eps, families[k], "least", false, 3, 10);
	}
}

/* A family (both_sides) saying `prefix` freely, before one more of its
 * most (`high`) or least questions, answered by the same calls as its
 * questions without it.  Said on one side per family: a word seen on both
 * sides of one family is the wording around a question already
 * (pooled_sides). */
static void free_say(json_t *eps, const char *family, const char *prefix, bool high)
{
	static int at = 20;
	worded_episodes(eps, family, prefix, high ? "most" : "least", high, 1, at++);
}

/* A sentence said, whole, before the questions of at least three other
 * families, each time beside tasks of the same calls without it (free),
 * with tasks of both sides, is the wording around a question: its words,
 * new to the family, no longer stop its programs, and the answer's
 * explanation names it.  Not:
 *  - with two other families only;
 *  - for a task without its family (held out);
 *  - a sentence other families said only before questions of one side
 *    ("Mind the gap.", before three families' lowest questions): it may
 *    be what tells that side;
 *  - a sentence said only in families without directions: they cannot
 *    tell whether it changes a direction's question;
 *  - a sentence that holds a direction word ("Skip the highest entry."):
 *    it changes what the question asks;
 *  - a sentence the family's own training says with calls of its own
 *    ("Only count open ones.", answered by other calls);
 *  - a sentence with a number, an id or a period, which the library does
 *    not keep. */
static void test_wording_sentence(void **state)
{
	(void)state;
	static const char *const results = "[{\"a\":1,\"b\":2}]";
	static const char *const fams[] = {"deals", "visits", "calls", "trips"};
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 4, 10);
	/* said twice by chance with the family's lowest questions (too few to
	 * tell a side, one_sided_in; enough to keep the argmax program off it
	 * without this rule) */
	worded_episodes(eps, "score", "Hope your day is going well.", "lowest", false, 2, 20);
	both_sides(eps, fams, 4);
	free_say(eps, "deals", "Hope your day is going well.", true);
	free_say(eps, "visits", "Hope your day is going well.", false);
	free_say(eps, "deals", "Skip the highest entry.", true);
	free_say(eps, "visits", "Skip the highest entry.", false);
	free_say(eps, "calls", "Skip the highest entry.", true);
	free_say(eps, "deals", "Wait 3 days.", true);
	free_say(eps, "visits", "Wait 3 days.", false);
	free_say(eps, "calls", "Wait 3 days.", true);
	add_said(eps, "kb", "Be kind. Where is the handbook?");
	add_said(eps, "faq", "Be kind. How do refunds work?");
	add_said(eps, "notes", "Be kind. Who wrote this note?");
	json_t *lib = induced(json_incref(eps));
	/* kept by key and side, without the sentences with a number: "hope
	 * your day ...", "skip the highest entry ."; "which agent had the most
	 * deals in quarter n ?" has a number */
	const json_t *deals = json_object_get(json_object_get(lib, "sentences"), "deals");
	assert_int_equal(json_object_size(json_object_get(deals, "seen")), 2);
	assert_int_equal(json_object_size(json_object_get(deals, "max")), 2);
	assert_int_equal(json_object_size(json_object_get(deals, "min")), 0);
	assert_int_equal(json_object_size(json_object_get(deals, "bound")), 0);
	json_t *t = task("score-99", "score", "Hope your day is going well. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	expect_abstain(lib, t, results, "'hope' was seen with the tasks of the family's argmin programs only");
	json_object_set_new(t, "query", json_string("Be kind. Which agent had the lowest score in quarter 40?"));
	expect_abstain(lib, t, results, "'be' was never seen in the family's training");
	json_decref(lib);

	free_say(eps, "calls", "Hope your day is going well.", true);
	lib = induced(json_incref(eps));
	json_object_set_new(t, "query", json_string("Hope your day is going well. Which agent had the highest score in quarter 40?"));
	expect_call(lib, t, results, "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	json_t *ex = explained(lib, t, results);
	json_t *said = json_object_get(json_object_get(ex, "words"), "wording");
	assert_int_equal(json_array_size(said), 1);
	assert_string_equal(json_string_value(json_array_get(said, 0)), "Hope your day is going well.");
	json_decref(ex);
	json_object_set_new(t, "query", json_string("Which agent had the highest score in quarter 40? Hope your day is going well."));
	expect_call(lib, t, results, "find_max", "{\"values\":{\"a\":1,\"b\":2}}");
	/* held out: no family, no wording */
	crmw__prog_next nx;
	json_t *r = json_loads(results, 0, NULL);
	assert_int_equal(crmw__induced_next(&nx, lib, t, NULL, r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ABSTAIN);
	crmw__prog_next_clear(&nx);
	json_decref(r);
	/* a direction word in it: not the wording */
	json_object_set_new(t, "query", json_string("Skip the highest entry. Which agent had the lowest score in quarter 40?"));
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_min");
	json_decref(lib);

	/* said by this family with calls of their own (four tasks, each the
	 * only one of its calls: no program of theirs), freely elsewhere */
	for (int i = 0; i < 4; i++) {
		char q[200], id[32], calls[300];
		snprintf(q, sizeof q, "Only count open ones. Which agent had the highest score in quarter %d?", 30 + i);
		snprintf(id, sizeof id, "score-open-%d", i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"open_scores_%d\",\"arguments\":{}},{\"name\":\"find_max\","
			 "\"arguments\":{\"values\":{\"a\":1,\"b\":5}}}]",
			 i);
		json_array_append_new(eps, episode(task(id, "score", q, "2024-01-01", NULL), calls, "[{\"a\":1,\"b\":5},[\"b\"]]", "b"));
	}
	free_say(eps, "deals", "Only count open ones.", true);
	free_say(eps, "visits", "Only count open ones.", false);
	free_say(eps, "calls", "Only count open ones.", true);
	/* said freely in three families, and in each also with calls of its
	 * own (the second of the map) */
	for (size_t k = 0; k < 3; k++) {
		free_say(eps, fams[k], "Skip the top result.", k != 1);
		for (int i = 0; i < 2; i++) {
			char q[200], id[48];
			snprintf(q, sizeof q, "Skip the top result. Which agent had the most %s in quarter %d?", fams[k], 50 + i);
			snprintf(id, sizeof id, "%s-second-%d", fams[k], i);
			json_array_append_new(eps, episode(task(id, fams[k], q, "2024-01-01", NULL),
							   "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"find_second\","
							   "\"arguments\":{\"values\":{\"a\":1,\"b\":5,\"c\":9}}}]",
							   "[{\"a\":1,\"b\":5,\"c\":9},[\"b\"]]", "b"));
		}
	}
	lib = induced(json_incref(eps));
	json_object_set_new(t, "query", json_string("Only count open ones. Which agent had the highest score in quarter 40?"));
	expect_not(lib, t, results, CRMW__PROG_CALL, "scores");
	json_object_set_new(t, "query", json_string("Skip the top result. Which agent had the highest score in quarter 40?"));
	expect_not(lib, t, results, CRMW__PROG_CALL, "scores");
	json_decref(lib);
	json_decref(eps);

	/* said only before other families' lowest questions */
	eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	both_sides(eps, fams, 3);
	for (size_t k = 0; k < 3; k++)
		free_say(eps, fams[k], "Mind the gap.", false);
	lib = induced(eps);
	json_object_set_new(t, "query", json_string("Mind the gap. Which agent had the highest score in quarter 40?"));
	expect_abstain(lib, t, results, "'mind' was never seen in the family's training");
	json_decref(lib);
	json_decref(t);
}

/* Review of wording_tokens (88797e2): a sentence said whole in three
 * other families is taken for the wording around the question, but the
 * sentences other families say are also filters, exclusions and answer
 * formats, and "no side" is what honest training gives such sentences
 * (an answer that is neither the largest nor the smallest, or a name
 * looked up after the argmax).  Before 88797e2 each query below
 * abstained (a word new to the family); each call or answer refused here
 * is wrong. */

/* "Skip the top result." before most questions, answered by the second
 * of the map (find_second): neither its largest nor its smallest, so the
 * episodes have no side ("none"). */
static void runner_up_episodes(json_t *eps, const char *family, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[200], calls[300], id[32], results[200];
		snprintf(q, sizeof q, "Skip the top result. Which agent had the most %s in quarter %d?", family, i + 1);
		snprintf(id, sizeof id, "%s-r%d", family, i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},"
			 "{\"name\":\"find_second\",\"arguments\":{\"values\":{\"a\":%d,\"b\":50,\"c\":99}}}]",
			 i);
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":50,\"c\":99},[\"b\"]]", i);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, results, "b"));
	}
}

/* Three families learn that "Skip the top result." asks for the runner-up
 * (and answer it right); the score family never saw the sentence, takes
 * it for wording and answers the top agent, the one to skip. */
static void test_review_wording_runner_up(void **state)
{
	(void)state;
	static const char *const results = "[{\"a\":1,\"b\":50,\"c\":99}]";
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++) {
		directed_episodes(eps, fams[k], "most", true, 3, 0);
		runner_up_episodes(eps, fams[k], 3, 20);
	}
	json_t *lib = induced(eps);
	json_t *t = task("deals-99", "deals", "Skip the top result. Which agent had the most deals in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, results, "find_second", "{\"values\":{\"a\":1,\"b\":50,\"c\":99}}"); /* its own family: right */
	json_decref(t);
	t = task("score-99", "score", "Skip the top result. Which agent had the highest score in quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_max");
	expect_not(lib, t, "[{\"a\":1,\"b\":50,\"c\":99},[\"c\"]]", CRMW__PROG_ANSWER, "c");
	json_object_set_new(t, "query", json_string("Which agent had the highest score in quarter 40? Skip the top result."));
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* Lookup families (no direction) say an exclusion, an answer format and a
 * filter before their questions; a directed family's program ignores
 * each. */
static void test_review_wording_lookup(void **state)
{
	(void)state;
	static const char *const results = "[{\"a\":1,\"b\":2}]";
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	static const char *const said[] = {"Skip the top result.", "Give the full name, not the id.", "Only count closed cases."};
	for (int k = 0; k < 3; k++) {
		char q[200];
		snprintf(q, sizeof q, "%s Where is the handbook?", said[k]);
		add_said(eps, "kb", q);
		snprintf(q, sizeof q, "%s How do refunds work?", said[k]);
		add_said(eps, "faq", q);
		snprintf(q, sizeof q, "%s Who wrote this note?", said[k]);
		add_said(eps, "notes", q);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Skip the top result. Which agent had the highest score in quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_max");
	/* the agent's id "b", where its full name was asked */
	json_object_set_new(t, "query", json_string("Give the full name, not the id. Which agent had the highest score in quarter 40?"));
	expect_not(lib, t, "[{\"a\":1,\"b\":2},[\"b\"]]", CRMW__PROG_ANSWER, "b");
	/* the lowest over every case, closed or not */
	json_object_set_new(t, "query", json_string("Only count closed cases. Which agent had the lowest score in quarter 40?"));
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_min");
	json_decref(t);
	json_decref(lib);
}

/* Directed episodes answered by the agent's name, looked up after the
 * argmax or argmin: the answer is in no map of numbers, so they have no
 * side, and their sentences count as "none". */
static void named_episodes(json_t *eps, const char *family, const char *prefix, const char *word, bool high, int n,
			   int from)
{
	for (int i = from; i < from + n; i++) {
		char q[300], calls[400], id[32], results[300], ans[32];
		snprintf(q, sizeof q, "%s Which agent had the %s %s in quarter %d?", prefix, word, family, i + 1);
		snprintf(id, sizeof id, "%s-n%d", family, i);
		const char *ag = high ? (i > 5 ? "a" : "b") : (i < 5 ? "a" : "b");
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}},"
			 "{\"name\":\"agent_name\",\"arguments\":{\"id\":\"%s\"}}]",
			 high ? "find_max" : "find_min", i, ag);
		snprintf(ans, sizeof ans, "Agent %s%d", ag, i);
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"%s\"],{\"name\":\"%s\"}]", i, ag, ans);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* A sentence said only before the lowest questions of three families
 * (what test_wording_sentence's "Mind the gap." keeps out) still counts
 * as said without a direction when those families answer with a name.
 * Here it is what tells the direction ("Focus on the laggards."), and a
 * family trained on one side answers it with its argmax. */
static void test_review_wording_named_side(void **state)
{
	(void)state;
	static const char *const results = "[{\"a\":1,\"b\":5}]";
	json_t *eps = json_array();
	directed_episodes(eps, "cases", "standout", true, 4, 0);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++)
		named_episodes(eps, fams[k], "Focus on the laggards.", "standout", false, 2, 10);
	json_t *lib = induced(eps);
	json_t *t = task("cases-99", "cases", "Focus on the laggards. Which agent had the standout cases in quarter 40?",
			 "2024-01-01", NULL);
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	/* the same with "Mind the gap.": answered where the commit's test
	 * expects an abstention for a sentence of one side */
	eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	for (int k = 0; k < 3; k++)
		named_episodes(eps, fams[k], "Mind the gap.", "least", false, 2, 10);
	json_decref(lib);
	lib = induced(eps);
	t = task("score-99", "score", "Mind the gap. Which agent had the highest score in quarter 40?", "2024-01-01", NULL);
	expect_abstain(lib, t, results, "'mind' was never seen in the family's training");
	json_decref(t);
	json_decref(lib);
}

/* A filter said before directed questions of three families, of both
 * sides pooled (one family's most questions, two families' least ones),
 * in a small training: before 88797e2 a word new to the family needed a
 * strong direction word (generic_word, DIRECTION_STRONG) and 4 + 4 score
 * tasks give too little; the sentence rule asks for none. */
static void test_review_wording_weak(void **state)
{
	(void)state;
	static const char *const results = "[{\"a\":1,\"b\":2}]";
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 4, 0);
	directed_episodes(eps, "score", "lowest", false, 4, 10);
	worded_episodes(eps, "deals", "Only count closed cases.", "most", true, 2, 0);
	worded_episodes(eps, "visits", "Only count closed cases.", "least", false, 2, 10);
	worded_episodes(eps, "calls", "Only count closed cases.", "least", false, 2, 10);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	expect_not(lib, t, results, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* The second review of wording_tokens (d3e9745): "free" in other families
 * is not "free" here.  Each query below was answered wrongly at d3e9745,
 * where 0f9e9f3 abstained; a sentence this family never said is now set
 * aside only beside a strong direction word, which none of these
 * trainings gives. */

/* Directed episodes whose first call filters by an argument VALUE:
 * scores(status) then find_max or find_min; `prefix` before the query. */
static void status_episodes(json_t *eps, const char *family, const char *prefix, const char *status, const char *word,
			    bool high, int n, int from)
{
	char first[200];
	snprintf(first, sizeof first, "{\"name\":\"scores\",\"arguments\":{\"status\":%s}}", status);
	map_episodes(eps, family, prefix, "s", first, word, high, n, from);
}

/* A filter by an argument's value: three families answer "Only count
 * closed cases." with scores(status=["Closed"]) where their other tasks
 * call scores(status=["Open","Closed"]): same calls, same argument keys,
 * same side, so the sentence is "free" there.  The score family (always
 * every status) takes it for wording and calls scores with every status. */
static void test_review2_wording_value_filter(void **state)
{
	(void)state;
	static const char *const all = "[\"Open\",\"Closed\"]", *const closed = "[\"Closed\"]";
	json_t *eps = json_array();
	status_episodes(eps, "score", "", all, "highest", true, 4, 0);
	status_episodes(eps, "score", "", all, "lowest", false, 4, 10);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++) {
		status_episodes(eps, fams[k], "", all, "most", true, 3, 0);
		status_episodes(eps, fams[k], "", all, "least", false, 3, 10);
		status_episodes(eps, fams[k], "Only count closed cases.", closed, k == 1 ? "least" : "most", k != 1, 1, 20);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[]");
	char *args = nx.arguments ? json_dumps(nx.arguments, JSON_COMPACT) : NULL;
	bool bad = nx.kind == CRMW__PROG_CALL && args && strstr(args, "Open");
	if (bad)
		fail_msg("called %s %s for closed cases only", nx.name, args);
	free(args);
	crmw__prog_next_clear(&nx);
	expect_not(lib, t, "[{\"a\":1,\"b\":2}]", CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* Directed episodes of calls `call` (no arguments) then find_max or
 * find_min, `prefix` before the query. */
static void called_episodes(json_t *eps, const char *family, const char *prefix, const char *call, const char *word,
			    bool high, int n, int from)
{
	char first[200];
	snprintf(first, sizeof first, "{\"name\":\"%s\",\"arguments\":{}}", call);
	map_episodes(eps, family, prefix, "c", first, word, high, n, from);
}

/* A variant reached by two wordings: three families answer both "Only
 * count closed cases." and "Closed cases only, please." with calls of
 * their own (closed_scores), on both sides.  Each sentence's tasks share
 * their unit with the other sentence's, so neither is bound: both are the
 * wording, and the score family (which never saw either) calls scores. */
static void test_review2_wording_two_wordings(void **state)
{
	(void)state;
	json_t *eps = json_array();
	called_episodes(eps, "score", "", "scores", "highest", true, 4, 0);
	called_episodes(eps, "score", "", "scores", "lowest", false, 4, 10);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++) {
		called_episodes(eps, fams[k], "", "scores", "most", true, 3, 0);
		called_episodes(eps, fams[k], "", "scores", "least", false, 3, 10);
		called_episodes(eps, fams[k], "Only count closed cases.", "closed_scores", k == 1 ? "least" : "most", k != 1, 1, 20);
		called_episodes(eps, fams[k], "Closed cases only, please.", "closed_scores", k == 1 ? "least" : "most", k != 1, 1, 30);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	expect_not(lib, t, "[]", CRMW__PROG_CALL, "scores");
	json_decref(t);
	json_decref(lib);
}


/* The same at a score family of one side (top_issue's "most common"
 * questions: 12 highest tasks), where old generic_word asks for a strong
 * direction word pooled over families of both sides and has none. */
static void test_review2_wording_value_filter_one_side(void **state)
{
	(void)state;
	static const char *const all = "[\"Open\",\"Closed\"]", *const closed = "[\"Closed\"]";
	json_t *eps = json_array();
	status_episodes(eps, "score", "", all, "highest", true, 12, 0);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++) {
		status_episodes(eps, fams[k], "", all, "most", true, 6, 0);
		status_episodes(eps, fams[k], "", all, "least", false, 6, 10);
		status_episodes(eps, fams[k], "Only count closed cases.", closed, k == 1 ? "least" : "most", k != 1, 1, 20);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[]");
	char *args = nx.arguments ? json_dumps(nx.arguments, JSON_COMPACT) : NULL;
	bool bad = nx.kind == CRMW__PROG_CALL && args && strstr(args, "Open");
	if (bad)
		fail_msg("called %s %s for closed cases only", nx.name, args);
	free(args);
	crmw__prog_next_clear(&nx);
	json_decref(t);
	json_decref(lib);
}

/* The same variant also asked inline ("the most closed deals"), as a
 * generator with two templates does: the sentence's tasks share their
 * unit with the inline ones, so it is free.  A score family of one side
 * (12 highest tasks; old generic_word has no strong direction word)
 * calls scores over every case. */
static void test_review2_wording_inline_twin(void **state)
{
	(void)state;
	json_t *eps = json_array();
	called_episodes(eps, "score", "", "scores", "highest", true, 12, 0);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++) {
		called_episodes(eps, fams[k], "", "scores", "most", true, 3, 0);
		called_episodes(eps, fams[k], "", "scores", "least", false, 3, 10);
		called_episodes(eps, fams[k], "", "closed_scores", "most closed", true, 2, 20);
		called_episodes(eps, fams[k], "", "closed_scores", "least closed", false, 2, 30);
		called_episodes(eps, fams[k], "Only count closed cases.", "closed_scores", k == 1 ? "least" : "most", k != 1, 1, 40);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	expect_not(lib, t, "[]", CRMW__PROG_CALL, "scores");
	json_decref(t);
	json_decref(lib);
}

/* A sentence that is a no-op for the families that said it ("Leave out
 * inactive agents.": their maps had no inactive agent, the same calls
 * answered with and without it) and a filter for the score family,
 * trained on one side without it: the score family's program answers
 * over every agent. */
static void test_review2_wording_noop_elsewhere(void **state)
{
	(void)state;
	json_t *eps = json_array();
	called_episodes(eps, "score", "", "scores", "highest", true, 12, 0);
	const char *fams[] = {"deals", "visits", "calls"};
	for (int k = 0; k < 3; k++) {
		called_episodes(eps, fams[k], "", "scores", "most", true, 3, 0);
		called_episodes(eps, fams[k], "", "scores", "least", false, 3, 10);
		called_episodes(eps, fams[k], "Leave out inactive agents.", "scores", k == 1 ? "least" : "most", k != 1, 1, 40);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Leave out inactive agents. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	/* the top agent of every agent, inactive "a" included */
	expect_not(lib, t, "[{\"a\":9,\"b\":5}]", CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* Episodes of a family answered by find_max or find_min, asked "Name the
 * agent who had the <word> <family> in quarter N." or, with
 * `find`, "Find the agent with the <word> <family> in quarter N." */
static void phrased_episodes(json_t *eps, const char *family, bool find, const char *word, bool high, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[200], calls[300], id[48], results[200];
		if (find)
			snprintf(q, sizeof q, "Find the agent with the %s %s in quarter %d.", word, family, i + 1);
		else
			snprintf(q, sizeof q, "Name the agent who had the %s %s in quarter %d.", word, family, i + 1);
		snprintf(id, sizeof id, "%s-p%d", family, i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}}]",
			 high ? "find_max" : "find_min", i);
		const char *ans = high ? (i > 5 ? "a" : "b") : (i < 5 ? "a" : "b");
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"%s\"]]", i, ans);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* Small, uneven sides (ten tasks per family): the lowest questions of two
 * families all said "the agent with", by chance, and the highest ones
 * mostly "most", "highest" four times.  Pooled and scaled by the sides'
 * sizes, the pair "agent with" (six of six lowest tasks) was a strong
 * lowest word and outweighed "highest" (four of twenty), so the argmin
 * answered "the agent with the highest score" (a fresh org, b2b 101: "the
 * sales agent with the highest sales amount").  A direction word of the
 * other side is now outweighed only by a word said three times as often. */
static void test_direction_chance_pair(void **state)
{
	(void)state;
	json_t *eps = json_array();
	static const char *const fams[] = {"score", "deals"};
	for (int k = 0; k < 2; k++) {
		phrased_episodes(eps, fams[k], false, "most", true, 8, 0);
		phrased_episodes(eps, fams[k], false, "top", true, 2, 8);
		phrased_episodes(eps, fams[k], true, "least", false, 3, 10);
	}
	json_t *lib = induced(eps);
	/* "top", a learned word, is too weak against "agent with" (a word of
	 * the lexicon would not be: test_direction_lexicon) */
	json_t *t = task("score-99", "score", "Find the agent with the top score in quarter 40.", "2024-01-01", NULL);
	expect_not(lib, t, "[{\"a\":1,\"b\":2}]", CRMW__PROG_CALL, "find_min");
	expect_abstain(lib, t, "[{\"a\":1,\"b\":2}]", "'top' tells the highest in training");
	/* the lowest question is still answered */
	json_object_set_new(t, "query", json_string("Find the agent with the least score in quarter 40."));
	expect_call(lib, t, "[{\"a\":1,\"b\":2}]", "find_min", "{\"values\":{\"a\":1,\"b\":2}}");
	json_decref(t);
	json_decref(lib);
}

/* English words for the largest and the smallest (lexicon_side), once
 * training has seen them on their side only, outweigh the words training
 * saw with the other side by chance.  At 40 training tasks per family,
 * "team" said with three of 20 handle time questions of the highest and
 * none of the lowest kept the argmin off "which team member had the
 * shortest average handle time", where "shortest" (three sightings) was
 * too weak to outweigh it.  The lexicon does not lower the guard:
 *  - a word of the other side's lexicon in the query keeps the veto;
 *  - a word before it that no training query said there ("second") stops
 *    it, however weak the word's learned evidence;
 *  - a lexicon word training saw on the other side (in any family) or
 *    never saw confirms nothing. */
static json_t *team_training(void)
{
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 6, 0);
	worded_episodes(eps, "score", "Our team asks.", "highest", true, 3, 6);
	directed_episodes(eps, "score", "shortest", false, 3, 10);
	return eps;
}

static void test_direction_lexicon(void **state)
{
	(void)state;
	const char *res = "[{\"a\":1,\"b\":5}]";
	json_t *eps = team_training();
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Our team asks. Which agent had the shortest score in quarter 40?", "2024-01-01",
			 NULL);
	expect_call(lib, t, res, "find_min", "{\"values\":{\"a\":1,\"b\":5}}");
	json_object_set_new(t, "query", json_string("Our team asks. Which agent had the highest score in quarter 40?"));
	expect_call(lib, t, res, "find_max", "{\"values\":{\"a\":1,\"b\":5}}");
	/* the other side's word */
	json_object_set_new(t, "query", json_string("Our team asks. Which agent had the shortest score, not the highest, in quarter 40?"));
	expect_not(lib, t, res, CRMW__PROG_CALL, "find_min");
	expect_abstain(lib, t, res, "program 1 (score): vetoed: the word 'our' tells the highest in training");
	/* a modifier before it, and a word of the lexicon training never said */
	json_object_set_new(t, "query", json_string("Our team asks. Which agent had the second shortest score in quarter 40?"));
	expect_abstain(lib, t, res, "'second shortest', a word before a direction word");
	json_object_set_new(t, "query", json_string("Our team asks. Which agent had the smallest score in quarter 40?"));
	expect_abstain(lib, t, res, "'smallest' was never seen in training");
	json_decref(lib);
	/* "shortest" said once beside another family's highest task: no longer
	 * a word of one side, it outweighs nothing */
	eps = team_training();
	directed_episodes(eps, "streak", "shortest", true, 1, 0);
	directed_episodes(eps, "streak", "lowest", false, 2, 1);
	lib = induced(eps);
	json_object_set_new(t, "query", json_string("Our team asks. Which agent had the shortest score in quarter 40?"));
	expect_not(lib, t, res, CRMW__PROG_CALL, "find_max");
	expect_abstain(lib, t, res, "program 1 (score): vetoed: the word 'our' tells the highest in training");
	json_decref(t);
	json_decref(lib);
}

/* A direction word one family said, always beside its template's words:
 * the highest questions of "score" said "highest" three times, each after
 * "Name the agent who had", which all eleven said; the lowest questions of
 * two families all said "Find the agent with".  Each "highest" sighting
 * sat beside a commoner word of the highest ("name"), and "agent with" is
 * a word of the lowest in two families: a rule that discounted such
 * sightings ("the team", said by chance beside "longest" in 40-task
 * trainings of handle time) sent this highest question to the argmin.
 * The other side's word must still be outweighed three times over. */
static void test_direction_one_family_word(void **state)
{
	(void)state;
	json_t *eps = json_array();
	phrased_episodes(eps, "score", false, "most", true, 8, 0);
	phrased_episodes(eps, "score", false, "highest", true, 3, 8);
	phrased_episodes(eps, "score", true, "least", false, 3, 11);
	phrased_episodes(eps, "deals", false, "most", true, 8, 0);
	phrased_episodes(eps, "deals", true, "least", false, 3, 11);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Find the agent with the highest score in quarter 40.", "2024-01-01", NULL);
	expect_not(lib, t, "[{\"a\":1,\"b\":2}]", CRMW__PROG_CALL, "find_min");
	json_decref(t);
	json_decref(lib);
}

/* A tenth review's attacks on the direction checks: what changes the
 * question where no word check looks.
 *  - "second", said in the family's own training on both sides ("For the
 *    second half of the year."), is a word its programs saw, and the pair
 *    "second highest", new, was never checked: the argmax answered "the
 *    second highest score";
 *  - "2nd" starts with a digit and is no word: the argmax answered "the
 *    2nd highest", with plain training;
 *  - a correction in another script ("不，要最低的。", "Нет, самый
 *    низкий.": no, the lowest) is no word either.
 * A pair of a word and a strong direction word (next to it or across a
 * hyphen, "second-highest") that no training query said vetoes a directed
 * program, and so does text no word check reads. */
static void test_review10_direction_modifier(void **state)
{
	(void)state;
	const char *res = "[{\"a\":1,\"b\":5,\"c\":9}]";
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 6, 0);
	worded_episodes(eps, "score", "For the second half of the year.", "highest", true, 2, 6);
	directed_episodes(eps, "score", "lowest", false, 6, 10);
	worded_episodes(eps, "score", "For the second half of the year.", "lowest", false, 2, 16);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Which agent had the second highest score in quarter 40?", "2024-01-01", NULL);
	expect_abstain(lib, t, res, "'second highest', a word before a direction word that no training query said so");
	json_object_set_new(t, "query", json_string("Which agent had the second lowest score in quarter 40?"));
	expect_abstain(lib, t, res, "'second lowest', a word before a direction word");
	json_object_set_new(t, "query", json_string("Which agent had the second-highest score in quarter 40?"));
	expect_abstain(lib, t, res, "'second-highest', a word before a direction word");
	/* the pairs training said still answer */
	json_object_set_new(t, "query", json_string("For the second half of the year. Which agent had the highest score in quarter 40?"));
	expect_call(lib, t, res, "find_max", "{\"values\":{\"a\":1,\"b\":5,\"c\":9}}");
	json_decref(lib);

	eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	lib = induced(eps);
	json_object_set_new(t, "query", json_string("Which agent had the 2nd highest score in quarter 40?"));
	expect_abstain(lib, t, res, "the query says '2nd', text no word check reads");
	json_object_set_new(t, "query", json_string("Which agent had the 3rd lowest score in quarter 40?"));
	expect_abstain(lib, t, res, "the query says '3rd', text no word check reads");
	json_object_set_new(t, "query", json_string("Which agent had the highest score in quarter 40? "
						    "\u4e0d\uff0c\u8981\u6700\u4f4e\u7684\u3002"));
	expect_abstain(lib, t, res, "text no word check reads");
	json_object_set_new(t, "query", json_string("Which agent had the highest score in quarter 40? "
						    "\u041d\u0435\u0442, \u0441\u0430\u043c\u044b\u0439 "
						    "\u043d\u0438\u0437\u043a\u0438\u0439."));
	expect_abstain(lib, t, res, "the query says '\u041d\u0435\u0442', text no word check reads");
	/* an id and a period are read elsewhere */
	json_object_set_new(t, "query", json_string("Which agent had the highest score in quarter 40?"));
	expect_call(lib, t, res, "find_max", "{\"values\":{\"a\":1,\"b\":5,\"c\":9}}");
	json_decref(t);
	json_decref(lib);
}

/* An eleventh review's attacks on the blind spots above, each answered by
 * the argmax before: a rank in digits before the direction word ("the 2
 * highest", "#2", "(2)", "N-1 highest"; glued, "2-highest" is read as a
 * product's "2-in-1", and after it, "highest-1", as "over 3" cases), the
 * modifier capitalised ("Second highest", "SECOND HIGHEST": a name before,
 * and names are values), and marks between it and the direction word
 * ("second--highest", "second (highest)", "second_highest", "second /
 * highest"). */
static void test_review11_direction_marks(void **state)
{
	(void)state;
	static const char *const plain[] = {
		"Which agent had the #2 highest score in quarter 40?", "Which agent had the 2 highest score in quarter 40?",
		"Which agent had the (2) highest score in quarter 40?", "Which agent had the N-1 highest score in quarter 40?",
		"Which agent had the Second highest score in quarter 40?",
		"Which agent had the SECOND HIGHEST score in quarter 40?"};
	static const char *const marked[] = {"Which agent had the second--highest score in quarter 40?",
					     "Which agent had the second (highest) score in quarter 40?",
					     "Which agent had the second_highest score in quarter 40?",
					     "Which agent had the second / highest score in quarter 40?"};
	const char *res = "[{\"a\":1,\"b\":5,\"c\":9}]";
	json_t *eps = json_array();
	directed_episodes(eps, "score", "highest", true, 8, 0);
	directed_episodes(eps, "score", "lowest", false, 8, 10);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "", "2024-01-01", NULL);
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
		json_object_set_new(t, "query", json_string(plain[i]));
		expect_abstain(lib, t, res, i < 4 ? "a number beside a direction word" : "a word before a direction word");
	}
	json_decref(lib);
	eps = json_array();
	directed_episodes(eps, "score", "highest", true, 6, 0);
	worded_episodes(eps, "score", "For the second half of the year.", "highest", true, 2, 6);
	directed_episodes(eps, "score", "lowest", false, 6, 10);
	worded_episodes(eps, "score", "For the second half of the year.", "lowest", false, 2, 16);
	lib = induced(eps);
	for (size_t i = 0; i < sizeof marked / sizeof *marked; i++) {
		json_object_set_new(t, "query", json_string(marked[i]));
		expect_abstain(lib, t, res, "a word before a direction word");
	}
	json_decref(t);
	json_decref(lib);
}

/* The fifteenth review, of be8e89a (lexicon_side / lexical_side): attacks
 * on direction_veto.  Every test asserts the right behaviour (no wrong
 * call; an abstention is fine): each failed at be8e89a, where dd63a86
 * abstained.  The echo rule (echo_words, echo_only) closed them.
 *
 * Mechanism common to all: a lexicon word that training saw on one side
 * only (lexical_side, any count >= 1) raises `weight` to 1e9 whenever the
 * query holds no lexicon word of the other side.  Then every other-side
 * word that is NOT in the lexicon ("worst", "fastest", "least" alone,
 * "excluding", "not", "drop-off", ...) is outweighed, however strongly
 * training learned it, unless antonym() fires (same word before both, e.g.
 * "the worst" / "the most").  The lexicon word need not qualify the
 * measure: a filter ("agents with the most open cases"), a name ("the Most
 * Valuable campaign"), a threshold ("at most 2"), another sentence, or a
 * clause that excludes the top agent all count. */

/* Episodes answered by find_max or find_min of a map; fmt holds one %d
 * (the quarter). */
static void review_lex_episodes(json_t *eps, const char *family, const char *fmt, bool high, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[400], calls[400], id[64], results[200];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(q, sizeof q, fmt, i + 1);
#pragma GCC diagnostic pop
		snprintf(id, sizeof id, "%s-rl%d-%d", family, high, i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":%d,\"b\":5}}}]",
			 high ? "find_max" : "find_min", i);
		const char *ans = high ? (i > 5 ? "a" : "b") : (i < 5 ? "a" : "b");
		snprintf(results, sizeof results, "[{\"a\":%d,\"b\":5},[\"%s\"]]", i, ans);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* Episodes of a family with no direction (a count). */
static void review_lex_count_episodes(json_t *eps, const char *family, const char *fmt, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[400], id[64], results[100], ans[16];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(q, sizeof q, fmt, i + 1);
#pragma GCC diagnostic pop
		snprintf(id, sizeof id, "%s-rc%d", family, i);
		snprintf(results, sizeof results, "[{\"count\":%d}]", i + 3);
		snprintf(ans, sizeof ans, "%d", i + 3);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL),
						   "[{\"name\":\"count_open\",\"arguments\":{}}]", results, ans));
	}
}

static const char *const review_lex_res = "[{\"a\":1,\"b\":5}]";

static void review_lex_query(json_t *t, const char *q)
{
	json_object_set_new(t, "query", json_string(q));
}

/* A score family whose lowest questions say "highest"/"lowest" and also
 * "scored worst"; its highest ones also "scored the most points"; a filter
 * clause on both sides; campaign names on both sides; a count family (no
 * direction) says "at most".  `k` scales the sides (1: 13 tasks a side). */
static json_t *review_lex_score_training(int k)
{
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6 * k, 0);
	review_lex_episodes(eps, "score", "Which agent scored the most points in quarter %d?", true, 3 * k, 100);
	review_lex_episodes(eps, "score", "Among agents with at least 2 open cases, which agent had the highest score in quarter %d?",
			    true, 2, 200);
	review_lex_episodes(eps, "score", "Which agent had the highest score for the Spring Promo campaign in quarter %d?", true, 2,
			    300);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6 * k, 400);
	review_lex_episodes(eps, "score", "Which agent scored worst in quarter %d?", false, 3 * k, 500);
	review_lex_episodes(eps, "score", "Among agents with at least 2 open cases, which agent had the lowest score in quarter %d?",
			    false, 2, 600);
	review_lex_episodes(eps, "score", "Which agent had the lowest score for the Summer Sale campaign in quarter %d?", false, 2,
			    700);
	review_lex_count_episodes(eps, "open", "How many agents had at most 2 open cases in quarter %d?", 3, 0);
	return eps;
}

/* The score training of scale k (review_lex_score_training): `sane`, when
 * not NULL, is answered by the argmin; no query of `queries` (ending in
 * NULL) by the argmax. */
static void lex_no_argmax(int k, const char *sane, const char *const *queries)
{
	json_t *lib = induced(review_lex_score_training(k));
	json_t *t = task("score-99", "score", sane ? sane : queries[0], "2024-01-01", NULL);
	if (sane)
		expect_call(lib, t, review_lex_res, "find_min", "{\"values\":{\"a\":1,\"b\":5}}");
	for (size_t i = 0; queries[i]; i++) {
		review_lex_query(t, queries[i]);
		expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	}
	json_decref(t);
	json_decref(lib);
}

/* A1: a lexicon word in a filter clause ("the most open cases") lets the
 * argmax answer a worst-score question, also with the filter in another
 * sentence.  be8e89a: find_max; dd63a86: abstains ("worst" / "most" veto
 * each program). */
static void test_review_lex_filter_clause(void **state)
{
	(void)state;
	lex_no_argmax(1, "Which agent scored worst in quarter 40?",
		      (const char *const[]){"Among agents with the most open cases, which agent scored worst in quarter 40?",
					    "Which agent scored worst in quarter 40? Among agents with the most open cases.", NULL});
}

/* A2: "at most" of a threshold (the pair said by a count family, so the
 * blind spot lets it through).  be8e89a: find_max; dd63a86: abstains. */
static void test_review_lex_at_most(void **state)
{
	(void)state;
	lex_no_argmax(1, NULL,
		      (const char *const[]){"Among agents with at most 2 open cases, which agent scored worst in quarter 40?", NULL});
}

/* A3: a lexicon word inside a name, capitalised or quoted.  be8e89a:
 * find_max; dd63a86: abstains. */
static void test_review_lex_in_name(void **state)
{
	(void)state;
	lex_no_argmax(1, "Which agent scored worst for the Summer Sale campaign in quarter 40?",
		      (const char *const[]){"Which agent scored worst for the Most Valuable campaign in quarter 40?",
					    "Which agent scored worst for the \"Most Valuable\" campaign in quarter 40?", NULL});
}

/* A4: no amount of training evidence for the other side's learned word
 * helps: 30 "worst"-or-"lowest" tasks against 30 highest ones.  be8e89a:
 * find_max; dd63a86: abstains. */
static void test_review_lex_strong_other_word(void **state)
{
	(void)state;
	lex_no_argmax(3, NULL,
		      (const char *const[]){"Among agents with the most open cases, which agent scored worst in quarter 40?", NULL});
}

/* A5: the lexicon word qualifies another thing than the measure ("the
 * longest cases"), the direction of the measure is a learned word
 * ("fastest": the lowest handle time).  be8e89a: find_max; dd63a86: abstains. */
static void test_review_lex_other_noun(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "handle", "Which agent had the longest handle time in quarter %d?", true, 8, 0);
	review_lex_episodes(eps, "handle", "Which agent closed cases fastest in quarter %d?", false, 8, 10);
	json_t *lib = induced(eps);
	json_t *t = task("handle-99", "handle", "Which agent closed cases fastest in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, review_lex_res, "find_min", "{\"values\":{\"a\":1,\"b\":5}}"); /* sanity */
	review_lex_query(t, "Which agent closed the longest cases fastest in quarter 40?");
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* A7: an inverse measure: "the highest drop-off" is the lowest conversion;
 * "drop-off" was seen with two lowest tasks.  be8e89a: find_max; dd63a86:
 * abstains ('drop' tells the lowest). */
static void test_review_lex_inverse_measure(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "conv", "Which agent had the highest conversion rate in quarter %d?", true, 3, 0);
	review_lex_episodes(eps, "conv", "Which agent converted best in quarter %d?", true, 3, 20);
	review_lex_episodes(eps, "conv", "Which agent had the lowest conversion rate in quarter %d?", false, 3, 10);
	review_lex_episodes(eps, "conv", "Which agent had the lowest conversion rate after drop-off in quarter %d?", false, 2, 30);
	json_t *lib = induced(eps);
	json_t *t = task("conv-99", "conv", "Which agent had the highest drop-off in quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* A8: "least" without "the" (only the pair is in the lexicon): it is
 * not `contrary`, so "the most" of a filter outweighs it.  be8e89a: find_max;
 * dd63a86: abstains. */
static void test_review_lex_least_alone(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "deals", "Which agent closed the most deals in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "deals", "Among agents with at least 2 open cases, which agent closed the most deals in quarter %d?",
			    true, 2, 50);
	review_lex_episodes(eps, "deals", "Which agent closed the least deals in quarter %d?", false, 3, 10);
	review_lex_episodes(eps, "deals", "Which agent closed least deals in quarter %d?", false, 3, 20);
	review_lex_episodes(eps, "deals", "Among agents with at least 2 open cases, which agent closed least deals in quarter %d?",
			    false, 2, 60);
	json_t *lib = induced(eps);
	json_t *t = task("deals-99", "deals", "Which agent closed least deals in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, review_lex_res, "find_min", "{\"values\":{\"a\":1,\"b\":5}}"); /* sanity */
	review_lex_query(t, "Among agents with the most open cases, which agent closed least deals in quarter 40?");
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* A9: "the most recent quarter", said by chance only beside highest
 * questions (two of eight), in a worst question.  be8e89a: find_max; dd63a86:
 * abstains. */
static void test_review_lex_most_recent(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent had the highest score in the most recent quarter, quarter %d?", true, 2, 20);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 5, 10);
	review_lex_episodes(eps, "score", "Which agent scored worst in quarter %d?", false, 3, 30);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Which agent scored worst in the most recent quarter, quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* The sixteenth review, of db478a4: wording said in six families, and echoes
 * of a redundant template ("performed worst, with the lowest score"). */
/* Review 16 of be8e89a and db478a4: wording sentences said freely in six
 * other families (a WIDE_FAMILIES rule of db478a4, dropped for these
 * attacks), and the lexicon's echo rule (comparison_shaped closes its
 * two).  Each query is unambiguous; the library must not take the wrong
 * action (abstaining is fine).  Each failed at db478a4 where dd63a86
 * abstained or answered right. */

static const char *const r16_fams[] = {"deals", "visits", "calls", "trips", "leads", "tickets"};

/* 1. test_review2_wording_value_filter_one_side with six families instead
 * of three: "Only count closed cases." answered by scores(status=Closed)
 * where their other tasks call scores(status=[Open,Closed]): same key,
 * same side, so free in six families.  The score family (one side, weak
 * "highest") set it aside at db478a4 and called scores over every status. */
static void test_review16_wide_value_filter_one_side(void **state)
{
	(void)state;
	static const char *const all = "[\"Open\",\"Closed\"]", *const closed = "[\"Closed\"]";
	json_t *eps = json_array();
	status_episodes(eps, "score", "", all, "highest", true, 12, 0);
	for (int k = 0; k < 6; k++) {
		status_episodes(eps, r16_fams[k], "", all, "most", true, 6, 0);
		status_episodes(eps, r16_fams[k], "", all, "least", false, 6, 10);
		status_episodes(eps, r16_fams[k], "Only count closed cases.", closed, k % 2 ? "least" : "most", k % 2 == 0, 1, 20);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[]");
	char *args = nx.arguments ? json_dumps(nx.arguments, JSON_COMPACT) : NULL;
	bool bad = nx.kind == CRMW__PROG_CALL && args && strstr(args, "Open");
	if (bad)
		fail_msg("called %s %s for closed cases only", nx.name, args);
	free(args);
	crmw__prog_next_clear(&nx);
	json_decref(t);
	json_decref(lib);
}

/* 2. The same with a score family of both sides and a small training
 * (4 + 4 tasks: "highest" and "lowest" too weak to be strong). */
static void test_review16_wide_value_filter_both(void **state)
{
	(void)state;
	static const char *const all = "[\"Open\",\"Closed\"]", *const closed = "[\"Closed\"]";
	json_t *eps = json_array();
	status_episodes(eps, "score", "", all, "highest", true, 4, 0);
	status_episodes(eps, "score", "", all, "lowest", false, 4, 10);
	for (int k = 0; k < 6; k++) {
		status_episodes(eps, r16_fams[k], "", all, "most", true, 3, 0);
		status_episodes(eps, r16_fams[k], "", all, "least", false, 3, 10);
		status_episodes(eps, r16_fams[k], "Only count closed cases.", closed, k % 2 ? "least" : "most", k % 2 == 0, 1, 20);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the lowest score in quarter 40?",
			 "2024-01-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[]");
	char *args = nx.arguments ? json_dumps(nx.arguments, JSON_COMPACT) : NULL;
	bool bad = nx.kind == CRMW__PROG_CALL && args && strstr(args, "Open");
	if (bad)
		fail_msg("called %s %s for closed cases only", nx.name, args);
	free(args);
	crmw__prog_next_clear(&nx);
	json_decref(t);
	json_decref(lib);
}

/* 3. test_review2_wording_noop_elsewhere with six families: "Leave out
 * inactive agents." changed nothing where it was said (no inactive agent
 * in their maps); the score family answers over every agent. */
static void test_review16_wide_noop_elsewhere(void **state)
{
	(void)state;
	json_t *eps = json_array();
	called_episodes(eps, "score", "", "scores", "highest", true, 12, 0);
	for (int k = 0; k < 6; k++) {
		called_episodes(eps, r16_fams[k], "", "scores", "most", true, 3, 0);
		called_episodes(eps, r16_fams[k], "", "scores", "least", false, 3, 10);
		called_episodes(eps, r16_fams[k], "Leave out inactive agents.", "scores", k % 2 ? "least" : "most", k % 2 == 0, 1, 40);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Leave out inactive agents. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	/* the top agent of every agent, inactive "a" included */
	expect_not(lib, t, "[{\"a\":9,\"b\":5}]", CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* 4. test_review2_wording_two_wordings with six families: a filter reached
 * by two wordings (closed_scores), neither bound. */
static void test_review16_wide_two_wordings(void **state)
{
	(void)state;
	json_t *eps = json_array();
	called_episodes(eps, "score", "", "scores", "highest", true, 4, 0);
	called_episodes(eps, "score", "", "scores", "lowest", false, 4, 10);
	for (int k = 0; k < 6; k++) {
		called_episodes(eps, r16_fams[k], "", "scores", "most", true, 3, 0);
		called_episodes(eps, r16_fams[k], "", "scores", "least", false, 3, 10);
		called_episodes(eps, r16_fams[k], "Only count closed cases.", "closed_scores", k % 2 ? "least" : "most", k % 2 == 0, 1, 20);
		called_episodes(eps, r16_fams[k], "Closed cases only, please.", "closed_scores", k % 2 ? "least" : "most", k % 2 == 0, 1, 30);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Only count closed cases. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	expect_not(lib, t, "[]", CRMW__PROG_CALL, "scores");
	json_decref(t);
	json_decref(lib);
}


/* The echo rule: "worst" said in training only beside "lowest" (a
 * generator's "Which agent performed worst, with the lowest score ...?"),
 * "best" only beside "highest".  Every sighting of "worst" is an echo of
 * "lowest", so a confirmed "most" or "highest" elsewhere in the query
 * outweighs it, where "worst" is what the question asks. */
static json_t *r16_echo_training(void)
{
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent performed best, with the highest score in quarter %d?", true, 3, 100);
	review_lex_episodes(eps, "score", "Which agent scored the most points in quarter %d?", true, 3, 150);
	review_lex_episodes(eps, "score", "Among agents with at least 2 open cases, which agent had the highest score in quarter %d?",
			    true, 2, 200);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6, 400);
	review_lex_episodes(eps, "score", "Which agent performed worst, with the lowest score in quarter %d?", false, 3, 500);
	review_lex_episodes(eps, "score", "Which agent scored the fewest points in quarter %d?", false, 3, 550);
	review_lex_episodes(eps, "score", "Among agents with at least 2 open cases, which agent had the lowest score in quarter %d?",
			    false, 2, 600);
	/* another family asks for the most and the fewest open cases */
	review_lex_episodes(eps, "open", "Which agent had the most open cases in quarter %d?", true, 4, 0);
	review_lex_episodes(eps, "open", "Which agent had the fewest open cases in quarter %d?", false, 4, 10);
	return eps;
}

/* 5. review 15's A1 again, with "worst" an echo: "the most open cases" is a
 * filter; the question is who performed worst among them. */
static void test_review16_echo_filter_clause(void **state)
{
	(void)state;
	json_t *lib = induced(r16_echo_training());
	json_t *t = task("score-99", "score", "Which agent performed worst, with the lowest score in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, review_lex_res, "find_min", "{\"values\":{\"a\":1,\"b\":5}}"); /* sanity */
	review_lex_query(t, "Among agents with the most open cases, which agent performed worst in quarter 40?");
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	review_lex_query(t, "Which agent performed worst in quarter 40, among agents with the most open cases?");
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* 6. The echo outweighed in the filter clause, the lexicon word in the
 * question: each asks the largest over the agents who performed worst
 * (or the open cases of the worst-scoring agents), which the plain argmax
 * of the scores is not. */
static void test_review16_echo_worst_clause(void **state)
{
	(void)state;
	json_t *lib = induced(r16_echo_training());
	json_t *t = task("score-99", "score", "Among agents which performed worst in quarter 40, which agent scored the most points?",
			 "2024-01-01", NULL);
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	review_lex_query(t, "Among agents with the worst score in quarter 40, which agent had the most open cases?");
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* Episodes of a family: scores then find_max or find_min of a map keyed
 * by `a` and `b` (ids or full names), answered by the key; `prefix`
 * before "Which agent had the <word> <family> in quarter N?". */
static void r16_keyed_episodes(json_t *eps, const char *family, const char *prefix, const char *a, const char *b,
			       const char *word, bool high, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[300], calls[400], id[64], results[300];
		snprintf(q, sizeof q, "%s%sWhich agent had the %s %s in quarter %d?", prefix, *prefix ? " " : "", word, family, i + 1);
		snprintf(id, sizeof id, "%s-k%d-%d", family, high, i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"%s\":%d,\"%s\":5}}}]",
			 high ? "find_max" : "find_min", a, i, b);
		const char *ans = high ? (i > 5 ? a : b) : (i < 5 ? a : b);
		snprintf(results, sizeof results, "[{\"%s\":%d,\"%s\":5},[\"%s\"]]", a, i, b, ans);
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, results, ans));
	}
}

/* 7. An answer format: six families whose maps are keyed by the agents'
 * full names say "Give the full name, not the id." before some of their
 * questions of both sides: a no-op there (the same calls answer without
 * it).  The score family's map is keyed by ids; it answers the id. */
static void test_review16_wide_answer_format(void **state)
{
	(void)state;
	json_t *eps = json_array();
	r16_keyed_episodes(eps, "score", "", "005A", "005B", "highest", true, 12, 0);
	for (int k = 0; k < 6; k++) {
		r16_keyed_episodes(eps, r16_fams[k], "", "Ann Lee", "Bo Chan", "most", true, 3, 0);
		r16_keyed_episodes(eps, r16_fams[k], "", "Ann Lee", "Bo Chan", "least", false, 3, 10);
		r16_keyed_episodes(eps, r16_fams[k], "Give the full name, not the id.", "Ann Lee", "Bo Chan", k % 2 ? "least" : "most",
				   k % 2 == 0, 1, 20);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Give the full name, not the id. Which agent had the highest score in quarter 40?",
			 "2024-01-01", NULL);
	expect_not(lib, t, "[{\"005A\":9,\"005B\":5},[\"005A\"]]", CRMW__PROG_ANSWER, "005A");
	json_decref(t);
	json_decref(lib);
}

/* 8. A sentence that flips the direction without a learned direction word:
 * six families ask "Which agent had the top <x>?" (their argmax) and
 * "... the bottom <x>?" (their argmin); three of them also "Lower is
 * better. Which agent had the top <x>?" (their argmin), three "Lower is
 * better. Which agent had the bottom <x>?" (their argmax).  The sentence
 * is free there (the same calls and side as their least and most
 * questions), on both sides pooled, and "top" is said on both sides of a
 * family (no direction word).  The score family, trained on "top score"
 * questions only, sets the sentence aside and answers the highest score;
 * dd63a86 abstained ('lower' new to the family). */
static void test_review16_wide_lower_is_better(void **state)
{
	(void)state;
	json_t *eps = json_array();
	directed_episodes(eps, "score", "top", true, 12, 0);
	for (int k = 0; k < 6; k++) {
		directed_episodes(eps, r16_fams[k], "most", true, 3, 0);
		directed_episodes(eps, r16_fams[k], "least", false, 3, 10);
		directed_episodes(eps, r16_fams[k], "top", true, 1, 20);
		directed_episodes(eps, r16_fams[k], "bottom", false, 1, 30);
		/* one side per family: its words are no wording of one family */
		worded_episodes(eps, r16_fams[k], "Lower is better.", k % 2 ? "bottom" : "top", k % 2 == 1, 1, 21);
	}
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Lower is better. Which agent had the top score in quarter 40?", "2024-01-01", NULL);
	expect_not(lib, t, "[{\"a\":1,\"b\":5}]", CRMW__PROG_CALL, "find_max");
	json_decref(t);
	json_decref(lib);
}

/* The eighteenth review's attacks on a rule tried and dropped (1da757a,
 * reverted by 4db5d6a): a word said on a side only beside a superlative
 * that the family's training saw on that side only ("top", "worst", not
 * the lexicon's words) was an echo too.  In each, training says a word
 * that tells a direction without being a word of degree
 * ("underperforming", "lagging", "leading", "trailing", "ahead") on one
 * side only, always beside such a superlative: a real one ("worst"), or
 * one by chance ("latest", the "least" of "at least", "suggest", "Top
 * priority:", or a "top" that only ties said).  It became an echo, and
 * the lexicon word of the other side outweighed it.  Each test asserts
 * the right behaviour (abstaining is fine); each failed at 1da757a, and
 * 9bf21d9 abstained. */

/* Induces `eps` (taken): the query `sane` gets the call `call`, and no
 * query of `queries` (ending in NULL) gets it. */
static void trained_refuses(json_t *eps, const char *sane, const char *call, const char *const *queries)
{
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", sane, "2024-01-01", NULL);
	expect_call(lib, t, review_lex_res, call, "{\"values\":{\"a\":1,\"b\":5}}");
	for (size_t i = 0; queries[i]; i++) {
		review_lex_query(t, queries[i]);
		expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, call);
	}
	json_decref(t);
	json_decref(lib);
}

/* R18-1: "worst", a real superlative of the lowest, makes
 * "underperforming" an echo; as a filter beside "highest", the argmax over
 * all agents is wrong (the top scorer is not underperforming). */
static void test_review18_underperforming_filter(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6, 100);
	review_lex_episodes(eps, "score", "Which agent was underperforming, with the worst score in quarter %d?", false, 6, 200);
	trained_refuses(eps, "Which agent had the highest score in quarter 40?", "find_max",
			(const char *const[]){
				"Which underperforming agent had the highest score in quarter 40?",
				NULL});
}

/* R18-2: "latest" ("Based on the latest report,"), an "-est" word said by
 * chance with the lowest questions only, makes "lagging" an echo. */
static void test_review18_latest_lagging(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 4, 100);
	review_lex_episodes(eps, "score", "Based on the latest report, which agent was lagging behind in quarter %d?", false, 6, 200);
	trained_refuses(eps, "Which agent had the highest score in quarter 40?", "find_max",
			(const char *const[]){
				"Which agent lagging behind had the highest score in quarter 40?",
				NULL});
}

/* R18-3: "least" of "at least 2 open cases" (a threshold, no direction),
 * said with the highest questions only, is a superlative of the highest:
 * "leading" and "among" become echoes, and the argmin answers a question
 * about the leading agents. */
static void test_review18_at_least_leading(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Among agents with at least 2 open cases, which agent was leading in quarter %d?", true, 6,
			    100);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6, 200);
	trained_refuses(eps, "Which agent had the lowest score in quarter 40?", "find_min",
			(const char *const[]){
				"Which leading agent had the lowest score in quarter 40?",
				"Among leading agents, which agent had the lowest score in quarter 40?",
				NULL});
}

/* R18-4: "suggest" ends in "est": "Can you suggest which agent was
 * trailing" makes "trailing" (and "was") echoes of the lowest. */
static void test_review18_suggest_trailing(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6, 100);
	review_lex_episodes(eps, "score", "Can you suggest which agent was trailing in quarter %d?", false, 6, 200);
	trained_refuses(eps, "Which agent had the highest score in quarter 40?", "find_max",
			(const char *const[]){
				"Which agent was trailing the highest score in quarter 40?",
				"Which trailing agent had the highest score in quarter 40?",
				NULL});
}

/* R18-5: "Top priority:" opens the "ahead" questions (highest) only:
 * "top", a noun here, makes "ahead" an echo of the highest. */
static void test_review18_top_priority_ahead(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Top priority: which agent was ahead in quarter %d?", true, 6, 100);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6, 200);
	trained_refuses(eps, "Which agent had the lowest score in quarter 40?", "find_min",
			(const char *const[]){
				"Which agent ahead had the lowest score in quarter 40?",
				NULL});
}

/* Tie episodes: both agents score 5, so either call is right; the calls
 * of `high` give them their side (direction_sides). */
static void review18_tie_episodes(json_t *eps, const char *family, const char *fmt, bool high, int n, int from)
{
	for (int i = from; i < from + n; i++) {
		char q[400], calls[400], id[64];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(q, sizeof q, fmt, i + 1);
#pragma GCC diagnostic pop
		snprintf(id, sizeof id, "%s-rt%d-%d", family, high, i);
		snprintf(calls, sizeof calls,
			 "[{\"name\":\"scores\",\"arguments\":{}},{\"name\":\"%s\",\"arguments\":{\"values\":{\"a\":5,\"b\":5}}}]",
			 high ? "find_max" : "find_min");
		json_array_append_new(eps, episode(task(id, family, q, "2024-01-01", NULL), calls, "[{\"a\":5,\"b\":5},[\"a\"]]", "a"));
	}
}

/* R18-6: ties answered by find_min put "top" on the min side (a highest
 * word; pooled_sides counts no tie sighting, but echo_words' ">= 2" reads
 * "min", ties included), so it tells the lowest for echo_words and
 * "underperforming", said in the same ties, becomes an echo: the argmax
 * answers "Which underperforming agent had the highest score". */
static void test_review18_tie_top(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the highest score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent had the lowest score in quarter %d?", false, 6, 100);
	review18_tie_episodes(eps, "score", "Which underperforming agent had the top score in quarter %d?", false, 4, 200);
	trained_refuses(eps, "Which agent had the highest score in quarter 40?", "find_max",
			(const char *const[]){"Which underperforming agent had the highest score in quarter 40?", NULL});
}


/* A word of the other side's lexicon that training never said with tasks
 * answered this way stops a program of a family with both sides, though
 * no learned evidence does: "biggest" said only by ties (no sighting of
 * a side, as b2b 251's was said only in a None task at 40 training tasks
 * per family), "sales figures" with the lowest questions only, and the
 * argmin answered "which agent had the biggest sales figures" (four
 * wrong answers on b2b 251 at 9f44613). */
static void test_direction_lexicon_unconfirmed(void **state)
{
	(void)state;
	json_t *eps = json_array();
	review_lex_episodes(eps, "score", "Which agent had the top score in quarter %d?", true, 6, 0);
	review_lex_episodes(eps, "score", "Which agent had the lowest sales figures in quarter %d?", false, 8, 100);
	review18_tie_episodes(eps, "score", "Which agent had the biggest score in quarter %d?", true, 2, 200);
	json_t *lib = induced(eps);
	json_t *t = task("score-99", "score", "Which agent had the lowest sales figures in quarter 40?", "2024-01-01", NULL);
	expect_call(lib, t, review_lex_res, "find_min", "{\"values\":{\"a\":1,\"b\":5}}");
	review_lex_query(t, "Which agent had the biggest sales figures in quarter 40?");
	expect_not(lib, t, review_lex_res, CRMW__PROG_CALL, "find_min");
	expect_abstain(lib, t, review_lex_res, "the word 'biggest' tells the highest, and no training query answered by an argmin");
	json_decref(t);
	json_decref(lib);
}

/* The nineteenth review: a program whose reason for being skipped, cut
 * to the reason's buffer, ends inside a UTF-8 character (a crafted
 * unknown key of 300 "\u00e9"): crmw__induced_check failed (json_string
 * refuses such text, read as out of memory) where crmw__induced_next skips
 * the program and answers with the good one. */
static void test_review19_check_cut_reason(void **state)
{
	(void)state;
	char key[1024] = "";
	for (int i = 0; i < 300; i++)
		strcat(key, "\xc3\xa9"); /* é */
	json_t *bad = json_pack("{s:s, s:[{s:s, s:{s:i}}], s:i}", "family", "f", "steps", "name", "respond", "arguments",
				"content", 1, key, 1);
	json_t *good = json_pack("{s:s, s:[{s:s, s:{s:i}}]}", "family", "f", "steps", "name", "respond", "arguments",
				 "content", 5);
	json_t *lib = json_pack("{s:[o, o]}", "programs", good, bad);
	assert_non_null(lib);
	json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:{s:s}}", "id", "t", "task", "f", "family", "f", "query", "hello",
			      "context", "today", "2024-05-01", "metadata", "required", "");
	json_t *r = json_array();
	crmw__prog_next nx, nc;
	/* unchecked: the bad program skipped, the good one answers */
	assert_int_equal(crmw__induced_next(&nx, lib, t, "f", r), CRMW_OK);
	assert_int_equal(nx.kind, CRMW__PROG_ANSWER);
	assert_string_equal(nx.answer, "5");
	/* checked in advance: the same */
	json_t *checks = crmw__induced_check(lib);
	assert_non_null(checks); /* fails on 9f44613: NULL */
	assert_int_equal(crmw__induced_next_checked(&nc, lib, checks, t, "f", r), CRMW_OK);
	assert_int_equal(nc.kind, nx.kind);
	assert_string_equal(nc.answer, nx.answer);
	crmw__prog_next_clear(&nc);
	crmw__prog_next_clear(&nx);
	json_decref(checks);
	json_decref(lib);
	json_decref(t);
	json_decref(r);
}

/* An answer the episodes' results hold in their text is the data's, not
 * the family's: three tasks that read call transcripts and answered
 * "Circuit Lane" (the competitor the transcripts named most) made it a
 * constant answer, and every later task was answered so (b2c 132 at 10
 * training tasks per family, sales insight: 13 wrong answers at
 * 9f44613).  A constant the results do not hold (a refusal's text) still
 * explains an answer. */
static void test_answer_read_from_data(void **state)
{
	(void)state;
	json_t *eps = json_array();
	for (int i = 0; i < 3; i++) {
		char id[32], q[128];
		snprintf(id, sizeof id, "insight-%d", i);
		snprintf(q, sizeof q, "Which competitor did our calls name most in quarter %d?", i + 1);
		json_array_append_new(eps, episode(task(id, "insight", q, "2024-01-01", NULL),
						   "[{\"name\":\"transcripts\",\"arguments\":{}}]",
						   "[[\"They compared us with Circuit Lane.\",\"Circuit Lane again.\"]]", "Circuit Lane"));
		snprintf(id, sizeof id, "secret-%d", i);
		snprintf(q, sizeof q, "What is the home address of customer %d?", i + 1);
		json_array_append_new(eps, episode(task(id, "secret", q, "2024-01-01", NULL), "[]", "[]",
						   "I cannot share that."));
	}
	json_t *lib = induced(eps);
	json_t *t = task("insight-99", "insight", "Which competitor did our calls name most in quarter 40?", "2024-01-01", NULL);
	crmw__prog_next nx;
	next(&nx, lib, t, "[[\"Only Other Co came up.\",\"Other Co again.\"]]");
	if (nx.kind == CRMW__PROG_ANSWER)
		fail_msg("answered '%s', the training's data", nx.answer);
	crmw__prog_next_clear(&nx);
	json_decref(t);
	t = task("secret-99", "secret", "What is the home address of customer 40?", "2024-01-01", NULL);
	expect_answer(lib, t, "[]", "I cannot share that.");
	json_decref(t);
	json_decref(lib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explanations),   cmocka_unit_test(test_answers), cmocka_unit_test(test_argument_order),
		cmocka_unit_test(test_guard_and_shapes), cmocka_unit_test(test_guard_path), cmocka_unit_test(test_period_number_no_count), cmocka_unit_test(test_review21_path_ended_and_went_on),
		cmocka_unit_test(test_review21_path_product), cmocka_unit_test(test_review21_path_check), cmocka_unit_test(test_disagreement),
		cmocka_unit_test(test_direction_words), cmocka_unit_test(test_direction_wording), cmocka_unit_test(test_direction_generic_word),
		cmocka_unit_test(test_direction_evidence), cmocka_unit_test(test_direction_tie_side),
		cmocka_unit_test(test_fits_task),
		cmocka_unit_test(test_some_readings), cmocka_unit_test(test_some_parts), cmocka_unit_test(test_said_count),
		cmocka_unit_test(test_said_refuted), cmocka_unit_test(test_review4_said_chance_words),
		cmocka_unit_test(test_review4_said_no_direction), cmocka_unit_test(test_direction_lookup),
		cmocka_unit_test(test_direction_answer), cmocka_unit_test(test_direction_outweighed),
		cmocka_unit_test(test_direction_one_family_word), cmocka_unit_test(test_review10_direction_modifier),
		cmocka_unit_test(test_review11_direction_marks),
		cmocka_unit_test(test_record_id_constant), cmocka_unit_test(test_review_rare_other_word),
		cmocka_unit_test(test_review_id_constant_any), cmocka_unit_test(test_review_tie_counterexamples),
		cmocka_unit_test(test_review_id_in_text), cmocka_unit_test(test_review_crafted_outweighed),
		cmocka_unit_test(test_context_field), cmocka_unit_test(test_pitfalls),
		cmocka_unit_test(test_malformed),      cmocka_unit_test(test_gold_notation),
		cmocka_unit_test(test_untrusted_library), cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_cost_bounds),      cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_explain),          cmocka_unit_test(test_guide),
		cmocka_unit_test(test_episode_share), cmocka_unit_test(test_counterexample_absence), cmocka_unit_test(test_counterexample_word_answered),
		cmocka_unit_test(test_choose_catalogue), cmocka_unit_test(test_choose_around),
		cmocka_unit_test(test_choose_around_shared), cmocka_unit_test(test_review12_choose_shared_line_cue), cmocka_unit_test(test_review5_choose_around_cue),
		cmocka_unit_test(test_review6_choose_around_words), cmocka_unit_test(test_review7_choose_around_own_line),
		cmocka_unit_test(test_review7_choose_around_script),
		cmocka_unit_test(test_review8_choose_around_shared_script), cmocka_unit_test(test_review8_choose_around_weak_owner),
		cmocka_unit_test(test_review9_choose_around_split_lines),
		cmocka_unit_test(test_choose_not_catalogue),
		cmocka_unit_test(test_choose_out_of_memory),
		cmocka_unit_test(test_constant_said_by_every_query), cmocka_unit_test(test_review12_choose_lone_name), cmocka_unit_test(test_review_choose_name_hides_issue), cmocka_unit_test(test_review_choose_common_word_cue),
		cmocka_unit_test(test_review_choose_catalogue_changed), cmocka_unit_test(test_review_stops_short_not_shape),
		cmocka_unit_test(test_review3_choose_chance_shared_words), cmocka_unit_test(test_review3_choose_name_of_uncued_item),
		cmocka_unit_test(test_review3_choose_non_ascii_words), cmocka_unit_test(test_review3_stops_short_after_wrong_call),
		cmocka_unit_test(test_period_number_offset), cmocka_unit_test(test_review_hidden_counterexample),
		cmocka_unit_test(test_review_tie_wrong_side), cmocka_unit_test(test_review_generic_one_sided),
		cmocka_unit_test(test_wording_sentence), cmocka_unit_test(test_review_wording_runner_up),
		cmocka_unit_test(test_review_wording_lookup), cmocka_unit_test(test_review_wording_named_side),
		cmocka_unit_test(test_review_wording_weak),
		cmocka_unit_test(test_review2_wording_value_filter),
		cmocka_unit_test(test_review2_wording_two_wordings),
		cmocka_unit_test(test_review2_wording_value_filter_one_side),
		cmocka_unit_test(test_review2_wording_inline_twin),
		cmocka_unit_test(test_review2_wording_noop_elsewhere), cmocka_unit_test(test_direction_chance_pair),
		cmocka_unit_test(test_direction_lexicon),
		cmocka_unit_test(test_review16_wide_value_filter_one_side), cmocka_unit_test(test_review16_wide_value_filter_both), cmocka_unit_test(test_review16_wide_noop_elsewhere), cmocka_unit_test(test_review16_wide_two_wordings), cmocka_unit_test(test_review16_echo_filter_clause), cmocka_unit_test(test_review16_echo_worst_clause), cmocka_unit_test(test_review16_wide_answer_format), cmocka_unit_test(test_review16_wide_lower_is_better),
		cmocka_unit_test(test_review18_underperforming_filter), cmocka_unit_test(test_review18_latest_lagging),
		cmocka_unit_test(test_review18_at_least_leading), cmocka_unit_test(test_review18_suggest_trailing),
		cmocka_unit_test(test_review18_top_priority_ahead), cmocka_unit_test(test_review18_tie_top),
		cmocka_unit_test(test_direction_lexicon_unconfirmed), cmocka_unit_test(test_review19_check_cut_reason),
		cmocka_unit_test(test_answer_read_from_data),
		cmocka_unit_test(test_review_lex_filter_clause), cmocka_unit_test(test_review_lex_at_most), cmocka_unit_test(test_review_lex_in_name), cmocka_unit_test(test_review_lex_strong_other_word), cmocka_unit_test(test_review_lex_other_noun), cmocka_unit_test(test_review_lex_inverse_measure), cmocka_unit_test(test_review_lex_least_alone), cmocka_unit_test(test_review_lex_most_recent),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("program", tests, NULL, NULL);
}
