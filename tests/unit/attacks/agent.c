/*
 * The agent and the shared memory: a host registry made for one customer
 * run without a role, a guideline carrying one customer's answer to
 * another, a ReAct prompt naming what the customer cannot read.
 */

#include "fixture.h"

/* ------------------------------------------------ scripted backends */

static json_t *run_task(crmw_agent *a, const char *task)
{
	crmw_buf out = CRMW_BUF_INIT;
	int rc = crmw_agent_run(&out, a, task, NULL);
	if (rc)
		fx_diag("agent: %s", crmw_agent_errmsg(a));
	assert_int_equal(rc, CRMW_OK);
	json_t *t = json_loads(out.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&out);
	return t;
}

/* How many of the values occur in text. */
static int count_in(const char *text, const json_t *values)
{
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(values, i, v) n += text && strstr(text, json_string_value(v)) != NULL;
	return n;
}

/* A host registry made for one customer must not run as the internal role
 * for a task that names no role, nor stay widened after it. */
void test_agent_registry_fails_open(void **state)
{
	(void)state;
	char spec[64], q[200], args[300], call[400];
	snprintf(spec, sizeof spec, "external:%s", fx_me);
	crmw_role *r = fx_make_role(spec, NULL);
	crmw_query_opts *o = fx_opts_for(r);
	crmw_registry *reg;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query", fx_db, o), CRMW_OK);
	snprintf(q, sizeof q, "SELECT Id, Subject FROM Case WHERE AccountId = '%s'", fx_victim);
	snprintf(args, sizeof args, "{\"query\":\"%s\"}", q);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_registry_call(&out, reg, "issue_soql_query", args, strlen(args)), CRMW_OK);
	assert_string_equal(out.data, "[]"); /* restricted before the episode */

	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"max_turns\":4}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	snprintf(call, sizeof call, "<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":%s}</tool_call>", args);
	script s = {.turns = {call}, .n = 1};
	crmw_backend b = fx_backend_of(&s);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	/* refusing to run the task at all is as good as running it restricted */
	const char *task = "{\"id\":\"no-role\",\"family\":\"custom\",\"query\":\"Which cases are open?\"}";
	crmw_buf tb = CRMW_BUF_INIT;
	json_t *tr = crmw_agent_run(&tb, a, task, NULL) == CRMW_OK ? json_loads(tb.data, 0, NULL) : NULL;
	crmw_buf_dispose(&tb);
	const char *obs = json_string_value(json_object_get(
		json_array_get(json_object_get(json_array_get(json_object_get(tr, "decisions"), 0), "actions"), 0), "observation"));
	int during = count_in(obs, fx_victim_subjects);
	assert_int_equal(crmw_registry_call(&out, reg, "issue_soql_query", args, strlen(args)), CRMW_OK);
	int after = count_in(out.data, fx_victim_subjects);
	fx_diag("registry for one customer, task without context.role: the model read %d of the %zu subjects of "
		"another account's cases; after the episode a call on the registry reads %d", during,
		json_array_size(fx_victim_subjects), after);
	json_decref(tr);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_query_opts_free(o);
	crmw_role_free(r);
	assert_int_equal(during, 0);
	assert_int_equal(after, 0);
}

/* A guideline written from customer A's solved episode keeps A's answer,
 * and retrieval puts it into customer B's system prompt. */
void test_memory_crosses_customers(void **state)
{
	(void)state;
	char mpath[400], subject[300], answer[400], task_a[1000], task_b[600], respond[800];
	snprintf(mpath, sizeof mpath, "%s/mem.db", fx_dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db,
					 "{\"tools\":\"query\",\"schema_prompt\":false,\"memory\":{\"write\":true,"
					 "\"distill\":false,\"k\":3,\"min_score\":0.2}}"),
			 CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	fx_sql_one(subject, sizeof subject,
		"SELECT \"Subject\" FROM \"Case\" WHERE \"AccountId\" = ? ORDER BY \"CreatedDate\" DESC LIMIT 1", fx_my_acc);
	snprintf(answer, sizeof answer, "Latest: %s", subject);
	char role_a[64], role_b[64];
	snprintf(role_a, sizeof role_a, "external:%s", fx_me);
	snprintf(role_b, sizeof role_b, "external:%s", fx_victim_contact);
	json_t *ta = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:{s:s}}", "id", "mem-a", "family", "my_latest_case", "query",
			       "What is my most recent case about?", "answer", answer, "reward_metric", "exact_match",
			       "context", "role", role_a);
	char *tj = json_dumps(ta, JSON_COMPACT);
	snprintf(task_a, sizeof task_a, "%s", tj);
	free(tj);
	json_decref(ta);
	json_t *resp = json_pack("{s:s, s:{s:s}}", "name", "respond", "arguments", "content", answer);
	char *rj = json_dumps(resp, JSON_COMPACT);
	snprintf(respond, sizeof respond, "<tool_call>%s</tool_call>", rj);
	free(rj);
	json_decref(resp);
	script sa = {.turns = {"<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":"
			       "\"SELECT Subject FROM Case ORDER BY CreatedDate DESC LIMIT 1\"}}</tool_call>",
			       respond},
		     .n = 2};
	crmw_backend b = fx_backend_of(&sa);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tra = run_task(a, task_a);

	snprintf(task_b, sizeof task_b,
		 "{\"id\":\"mem-b\",\"family\":\"my_latest_case\",\"query\":\"What is my most recent case about?\","
		 "\"answer\":[\"x\"],\"reward_metric\":\"exact_match\",\"context\":{\"role\":\"%s\"}}", role_b);
	script sb = {.turns = {"<tool_call>{\"name\":\"respond\",\"arguments\":{\"content\":\"I cannot tell.\"}}</tool_call>"},
		     .n = 1};
	b = fx_backend_of(&sb);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *trb = run_task(a, task_b);
	const char *sys = json_string_value(json_object_get(json_array_get(json_object_get(trb, "messages"), 0), "content"));
	char head[25]; /* the first 24 characters are enough to tell */
	size_t hn = strlen(subject) < 24 ? strlen(subject) : 24;
	memcpy(head, subject, hn);
	head[hn] = '\0';
	bool leaked = sys && strstr(sys, head);
	fx_diag("memory: customer A's episode: reward %g, memory_written %s; customer B's system prompt %s A's "
		"case subject '%s'", json_number_value(json_object_get(tra, "reward")),
		json_is_object(json_object_get(tra, "memory_written")) ? "yes" : "no", leaked ? "holds" : "does not hold",
		subject);
	json_decref(tra);
	json_decref(trb);
	crmw_agent_free(a);
	crmw_memory_free(mem);
	assert_false(leaked);
}

/* Does text name `name` as a whole identifier? */
static bool has_name(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		bool before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = isalnum((unsigned char)p[n]) || p[n] == '_';
		if (!before && !after)
			return true;
	}
	return false;
}

/* A ReAct episode as a customer: the system prompt describes the org's
 * objects and fields (schema_prompt, on by default in ReAct mode); it must
 * not name those the customer cannot read. */
void test_react_prompt_names(void **state)
{
	(void)state;
	char spec[64], task[300];
	snprintf(spec, sizeof spec, "external:%s", fx_me);
	crmw_role *r = fx_make_role(spec, NULL);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"mode\":\"react\",\"max_turns\":2}"), CRMW_OK);
	snprintf(task, sizeof task, "{\"id\":\"react-names\",\"family\":\"custom\",\"query\":\"My cases?\",\"context\":"
		 "{\"role\":\"%s\"}}", spec);
	crmw_session *x;
	assert_int_equal(crmw_session_new(&x, a, task, NULL), CRMW_OK);
	crmw_buf req = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &req, x), CRMW_OK);
	json_t *rq = json_loads(req.data, 0, NULL);
	const char *sys = json_string_value(json_object_get(json_array_get(json_object_get(rq, "messages"), 0), "content"));
	assert_non_null(sys);
	/* hidden names long enough not to be ordinary words */
	crmw_buf sj = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_to_json(&sj, crmw_db_schema(fx_db)), CRMW_OK);
	json_t *sc = json_loads(sj.data, 0, NULL);
	char named[2000] = "";
	int n = 0;
	size_t i, k;
	json_t *ob, *f;
	json_array_foreach(json_object_get(sc, "objects"), i, ob) {
		const char *on = json_string_value(json_object_get(ob, "name"));
		bool reads = crmw_role_can_read(r, on, NULL) == 1;
		if (!reads && strlen(on) >= 8 && has_name(sys, on)) {
			size_t l = strlen(named);
			snprintf(named + l, sizeof named - l, "%s%s", n++ ? ", " : "", on);
		}
		json_array_foreach(json_object_get(ob, "fields"), k, f) {
			const char *fn = json_string_value(json_object_get(f, "name"));
			if (reads && crmw_role_can_read(r, on, fn) != 1 && strlen(fn) >= 8 && has_name(sys, fn)) {
				size_t l = strlen(named);
				snprintf(named + l, sizeof named - l, "%s%s.%s", n++ ? ", " : "", on, fn);
			}
		}
	}
	fx_diag("ReAct system prompt of a customer's episode (%zu bytes) names %d objects and fields the customer cannot "
	     "read: %.600s", strlen(sys), n, named);
	json_decref(sc);
	crmw_buf_dispose(&sj);
	json_decref(rq);
	crmw_buf_dispose(&req);
	crmw_session_free(x);
	crmw_agent_free(a);
	crmw_role_free(r);
	assert_int_equal(n, 0);
}
