/*
 * The plan cache in front of a model (issue 27): the memory policy with
 * the HTTP backend as its fallback, as `crmweaver run --backend memory
 * --model-url` composes them.  Every abstention of the policy reaches the
 * model, which then sees the calls the policy already made.
 */

#include "fixture.h"

#if CRMW_HAVE_CURL

/* ---------------------------------------------------------- host tools */

/* get_sales: a map of the items and the counts per rep; for the product
 * 01tSHAPESHAPESHAPE a list instead (a shape training never saw). */
static int get_sales(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)len;
	(void)ud;
	if (strstr(args, "01tSHAPESHAPESHAPE"))
		return crmw__buf_puts(result, "[1,2]");
	return crmw__buf_puts(result, "{\"items\":[{\"Id\":\"x1\"},{\"Id\":\"x2\"}],\"counts\":{\"005X\":4,\"005Y\":6}}");
}

static int get_deals(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)args;
	(void)len;
	(void)ud;
	return crmw__buf_puts(result, "[{\"Stage\":\"Won\"},{\"Stage\":\"Lost\"}]");
}

/* The approver vetoes get_deals in the task "veto". */
static int approve(int32_t *allow, crmw_buf *reason, const crmw_tool_ctx *ctx, const char *call, void *ud)
{
	(void)ud;
	const char *task = crmw_tool_ctx_task_id(ctx);
	*allow = !(task && strcmp(task, "veto") == 0 && strstr(call, "get_deals"));
	if (!*allow)
		crmw__buf_puts(reason, "not this one");
	return 0;
}

/* ------------------------------------------------------------ programs */

/* A solved episode: the rep with the most sales of a product among reps
 * with at least `least` deals. */
static json_t *sales(int k, const char *product, int least, const char *top)
{
	char q[200], calls[400], results[300];
	snprintf(q, sizeof q, "Which rep sold the most of product %s among reps with at least %d deals?", product, least);
	snprintf(calls, sizeof calls,
		 "[{\"name\":\"get_sales\",\"arguments\":{\"product_id\":\"%s\",\"min\":%d}},"
		 "{\"name\":\"get_deals\",\"arguments\":{\"ids\":[\"%c1\",\"%c2\"]}}]",
		 product, least - 1, 'a' + k, 'a' + k);
	snprintf(results, sizeof results,
		 "[{\"items\":[{\"Id\":\"%c1\"},{\"Id\":\"%c2\"}],\"counts\":{\"005A\":%d,\"005B\":%d}},"
		 "[{\"Stage\":\"Won\"},{\"Stage\":\"Lost\"}]]",
		 'a' + k, 'a' + k, strcmp(top, "005A") == 0 ? 9 : 1, strcmp(top, "005A") == 0 ? 2 : 7);
	json_t *e = json_pack("{s:{s:s, s:s, s:s, s:{s:s}}, s:o, s:o, s:s}", "task", "id", "train", "family", "sales",
			      "query", q, "context", "today", "2024-05-01", "calls", json_loads(calls, 0, NULL), "results",
			      json_loads(results, 0, NULL), "answer", top);
	assert_non_null(e);
	return e;
}

/* A program entry of the family, as the session writes one. */
static void add_programs(crmw_memory *mem, const char *family, json_t *lib)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:o, s:[]}}", "kind", "plan", "title", "programs",
			      "text", "programs learned from solved episodes of the family", "family", family, "scope",
			      "global", "tags", "program", "metadata", "library", lib, "examples");
	char *t = json_dumps(e, JSON_COMPACT);
	assert_non_null(t);
	assert_int_equal(crmw_memory_add(NULL, NULL, mem, t, NULL, 0), CRMW_OK);
	free(t);
	json_decref(e);
}

static json_t *run_task(crmw_agent *a, const char *id, const char *family, const char *query)
{
	json_t *t = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "id", id, "task", family, "family", family, "query", query,
			      "context", "today", "2024-06-01");
	assert_non_null(t);
	json_t *tr = fx_run(a, t);
	json_decref(t);
	return tr;
}

/* The policy's calls (ids "prog_...") in a request's messages, each
 * answered by a tool message. */
static int policy_calls(const json_t *body)
{
	const json_t *msgs = json_object_get(body, "messages");
	int n = 0;
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		size_t k;
		json_t *c;
		json_array_foreach(json_object_get(m, "tool_calls"), k, c) {
			const char *id = json_string_value(json_object_get(c, "id"));
			if (!id || strncmp(id, "prog_", 5) != 0)
				continue;
			bool answered = false;
			size_t j;
			json_t *t;
			json_array_foreach(msgs, j, t) answered = answered || (json_string_value(json_object_get(t, "tool_call_id")) &&
									     strcmp(json_string_value(json_object_get(t, "tool_call_id")), id) == 0);
			assert_true(answered);
			n++;
		}
	}
	return n;
}

/* N tasks; the policy answers k of them alone; the model receives exactly
 * the other N - k, once each, whatever made the policy abstain: no program
 * of the family, programs whose expressions do not fit, programs that
 * disagree, a call vetoed half-way, a result of a shape never seen
 * half-way; and it sees the policy's calls made before it. */
void test_plan_cache_handoffs(void **state)
{
	(void)state;
	char dir[64] = "/tmp/crmw-cache-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	crmw_schema *schema;
	crmw_db *db;
	assert_int_equal(crmw_schema_builtin(&schema, "b2c"), CRMW_OK);
	assert_int_equal(crmw_db_create(&db, ":memory:", schema, NULL), CRMW_OK);
	crmw_schema_free(schema);
	snprintf(path, sizeof path, "%s/mem.db", dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, path, NULL), CRMW_OK);

	/* the programs: one family learned from three episodes; another whose
	 * two programs call different tools and no word tells them apart */
	json_t *eps = json_pack("[o, o, o]", sales(0, "01tAAAAAAAAAAAAAAA", 3, "005A"), sales(1, "01tBBBBBBBBBBBBBBB", 2, "005B"),
				sales(2, "01tCCCCCCCCCCCCCCC", 5, "005A"));
	char why[300];
	json_t *lib = crmw__induce(eps, 2, why, sizeof why);
	if (!lib || json_array_size(json_object_get(lib, "programs")) != 1)
		fail_msg("induce: %s", why);
	json_decref(eps);
	add_programs(mem, "sales", lib);
	add_programs(mem, "dis",
		     json_loads("{\"version\":1,\"families\":{},\"programs\":["
				"{\"family\":\"dis\",\"support\":2,\"docs\":2,\"words\":{},\"steps\":[{\"name\":\"get_deals\",\"arguments\":{}},"
				"{\"name\":\"respond\",\"arguments\":{\"content\":{\"$count\":\"/0\"}}}]},"
				"{\"family\":\"dis\",\"support\":2,\"docs\":2,\"words\":{},\"steps\":[{\"name\":\"get_sales\",\"arguments\":{}},"
				"{\"name\":\"respond\",\"arguments\":{\"content\":{\"$count\":\"/0\"}}}]}]}",
				0, NULL));

	crmw_registry *reg;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "get_sales", "Sales of a product", "{\"type\":\"object\"}", get_sales, NULL, NULL),
			 CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "get_deals", "Deals", "{\"type\":\"object\"}", get_deals, NULL, NULL), CRMW_OK);

	/* the model: every request answered with a text */
	reply script[] = {{200, NULL, FX_OK_TEXT, 0}};
	server *s = fx_start(script, 1);
	crmw_backend http = fx_backend(s, 0, NULL), policy;
	assert_int_equal(crmw_backend_memory_policy(&policy, mem, &http, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":6}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(a, &policy), CRMW_OK);
	assert_int_equal(crmw_agent_set_approver_ctx(a, approve, NULL, NULL), CRMW_OK);

	static const struct {
		const char *id, *family, *query;
		int policy_calls; /* the calls the policy makes before it abstains; -1: it answers */
		const char *answer;
	} tasks[] = {
		{"ok-1", "sales", "Which rep sold the most of product 01tDDDDDDDDDDDDDDD among reps with at least 4 deals?", -1,
		 "005Y"},
		{"none", "other", "How many open cases?", 0, NULL},
		{"nofit", "sales", "Which rep sold the most of product 01tEEEEEEEEEEEEEEE?", 0, NULL},
		{"dis", "dis", "How many deals?", 0, NULL},
		{"veto", "sales", "Which rep sold the most of product 01tFFFFFFFFFFFFFFF among reps with at least 6 deals?", 2,
		 NULL},
		{"shape", "sales", "Which rep sold the most of product 01tSHAPESHAPESHAPE among reps with at least 6 deals?", 1,
		 NULL},
		{"ok-2", "sales", "Which rep sold the most of product 01tGGGGGGGGGGGGGGG among reps with at least 9 deals?", -1,
		 "005Y"},
	};
	size_t n = sizeof tasks / sizeof *tasks, by_policy = 0, handed = 0;
	for (size_t i = 0; i < n; i++) {
		size_t before = fx_count(s);
		json_t *tr = run_task(a, tasks[i].id, tasks[i].family, tasks[i].query);
		const json_t *calls = json_object_get(tr, "backend_calls");
		const char *answer = json_string_value(json_object_get(tr, "answer"));
		assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
		if (tasks[i].policy_calls < 0) {
			/* answered by the program alone, each turn explained */
			by_policy++;
			assert_int_equal(fx_count(s), before);
			assert_string_equal(answer, tasks[i].answer);
			assert_int_equal(json_integer_value(json_object_get(calls, "model")), 0);
			assert_int_equal(json_integer_value(json_object_get(calls, "plan")), 3);
			const json_t *last = json_array_get(json_object_get(tr, "decisions"), 2);
			const json_t *ex = json_object_get(json_object_get(last, "plan"), "explain");
			assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(ex, "values"), "answer"), 0)),
					    "$argmax /0/counts");
			const json_t *first = json_object_get(json_object_get(json_array_get(json_object_get(tr, "decisions"), 0), "plan"),
							      "explain");
			assert_non_null(json_object_get(json_object_get(first, "values"), "min"));
		} else {
			/* handed to the model once, after the policy's calls */
			assert_int_equal(fx_count(s), before + 1);
			assert_string_equal(answer, "There are 3 open cases.");
			assert_int_equal(json_integer_value(json_object_get(calls, "model")), 1);
			assert_int_equal(json_integer_value(json_object_get(calls, "plan")), tasks[i].policy_calls);
			json_t *body = fx_body_of(s, before);
			int made = policy_calls(body);
			if (made != tasks[i].policy_calls)
				fail_msg("%s: the model saw %d of the policy's calls, %d were made", tasks[i].id, made,
					 tasks[i].policy_calls);
			json_decref(body);
			handed++;
		}
		json_decref(tr);
	}
	assert_int_equal(by_policy, 2);
	assert_int_equal(fx_count(s), n - by_policy);
	assert_int_equal(handed, n - by_policy);

	crmw_agent_free(a);
	fx_stop(s);
	crmw_registry_free(reg);
	crmw_memory_free(mem);
	crmw_db_free(db);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif /* CRMW_HAVE_CURL */
