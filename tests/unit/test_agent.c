/*
 * Unit tests of the agent runtime: scripted C backends drive episodes on
 * generated tasks (function calling in several tool-call dialects, ReAct),
 * step-wise against blocking runs, shared memories in the loop (retrieval,
 * counters, write-back with plans, distillation; customers' scopes as an
 * attacker sees them), limits, cancellation,
 * failing and garbage backends, vetoed calls and bad input.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
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

#include "agent/internal.h"
#include "query/internal.h"
#include "tasks/internal.h"

#include <ctype.h>
#include <sqlite3.h>
#include <strings.h>

static char dir[256];
static char org_path[300];
static crmw_db *db;
static crmw_task_set *tasks;

/* ------------------------------------------------------------ fixtures */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-agent-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	if (crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":5,\"scale\":0.3}", NULL, NULL))
		return -1;
	if (crmw_db_open(&db, org_path, CRMW_DB_READONLY))
		return -1;
	return crmw_tasks_generate(&tasks, NULL, db, "{\"per_family\":4,\"seed\":11}") ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	crmw_task_set_free(tasks);
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static json_t *task_json(int64_t i)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, tasks, i), CRMW_OK);
	json_t *t = json_loads(b.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&b);
	return t;
}

static char *dumps(const json_t *v)
{
	char *t = json_dumps(v, JSON_COMPACT);
	assert_non_null(t);
	return t;
}

/* ------------------------------------------------ the gold-following model */

/* Dialects the scripted model writes its calls in, one per turn in turn. */
enum { D_OPENAI, D_OPENAI_OBJ, D_HERMES, D_ANTHROPIC, D_QWEN_XML, D_MISTRAL, D_LLAMA, D_N };

typedef struct model {
	const json_t *task; /* its gold program is the script */
	int dialect;        /* -1: rotate */
	int calls;          /* complete() calls */
	int distills;
	const char *distill_text;
	int fail_at;        /* set an error at this call (-1 never) */
	bool garbage;
	bool nothing;
	int abort_at;
	bool wait_cancel;
	volatile int waiting;
	int64_t prompt_tokens;
} model;

/* The results the model has seen: the content of every tool message. */
static json_t *seen_results(const json_t *req)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(req, "messages"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "role")), "tool") != 0)
			continue;
		const char *c = json_string_value(json_object_get(m, "content"));
		json_t *v = json_loads(c, JSON_DECODE_ANY, NULL);
		json_array_append_new(out, v ? v : json_string(c));
	}
	return out;
}

static char call_text[1 << 22];

static void write_call(crmw_response *resp, int dialect, int turn, const char *name, json_t *args)
{
	char *a = dumps(args);
	int kind = 0; /* 0 call_text, 1 message */
	switch (dialect) {
	case D_OPENAI: {
		json_t *m = json_pack("{s:s, s:n, s:[{s:s, s:s, s:{s:s, s:s}}]}", "role", "assistant", "content",
				      "tool_calls", "id", "c1", "type", "function", "function", "name", name, "arguments", a);
		char *t = dumps(m);
		snprintf(call_text, sizeof call_text, "%s", t);
		free(t);
		json_decref(m);
		kind = 1;
		break;
	}
	case D_OPENAI_OBJ: {
		/* arguments as an object, plus a double-encoded sibling never happens: one call */
		json_t *m = json_pack("{s:s, s:s, s:[{s:s, s:{s:s, s:O}}]}", "role", "assistant", "content", "Looking.",
				      "tool_calls", "type", "function", "function", "name", name, "arguments", args);
		char *t = dumps(m);
		snprintf(call_text, sizeof call_text, "%s", t);
		free(t);
		json_decref(m);
		kind = 1;
		break;
	}
	case D_HERMES:
		snprintf(call_text, sizeof call_text, "<think>I need %s.</think>\n<tool_call>\n{\"name\": \"%s\", \"arguments\": %s}\n</tool_call>",
			 name, name, a);
		break;
	case D_ANTHROPIC: {
		json_t *m = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s, s:s, s:O}]}", "role", "assistant", "content", "type",
				      "text", "text", "Let me check.", "type", "tool_use", "id", "toolu_1", "name", name,
				      "input", args);
		char *t = dumps(m);
		snprintf(call_text, sizeof call_text, "%s", t);
		free(t);
		json_decref(m);
		kind = 1;
		break;
	}
	case D_QWEN_XML: {
		int n = snprintf(call_text, sizeof call_text, "<tool_call>\n<function=%s>\n", name);
		const char *k;
		json_t *v;
		json_object_foreach(args, k, v) {
			char *vt = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			n += snprintf(call_text + n, sizeof call_text - (size_t)n, "<parameter=%s>\n%s\n</parameter>\n", k, vt);
			free(vt);
		}
		snprintf(call_text + n, sizeof call_text - (size_t)n, "</function>\n</tool_call>");
		break;
	}
	case D_MISTRAL:
		snprintf(call_text, sizeof call_text, "[TOOL_CALLS] [{\"name\": \"%s\", \"arguments\": %s}]", name, a);
		break;
	default:
		snprintf(call_text, sizeof call_text, "{\"name\": \"%s\", \"parameters\": %s}", name, a);
		break;
	}
	(void)turn;
	free(a);
	if (kind)
		assert_int_equal(crmw_response_set_message(resp, call_text, strlen(call_text)), CRMW_OK);
	else
		assert_int_equal(crmw_response_set_text(resp, call_text, strlen(call_text)), CRMW_OK);
}

static int gold_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	model *m = ud;
	int call = m->calls++;
	size_t len;
	const char *rj = crmw_request_json(req, &len);
	assert_non_null(rj);
	assert_int_equal(strlen(rj), len);
	if (m->abort_at == call)
		return 7;
	if (m->fail_at == call)
		return crmw_response_set_error(resp, "HTTP 503 from the model server"), 0;
	if (m->nothing)
		return 0;
	if (m->wait_cancel) {
		m->waiting = 1;
		for (int i = 0; i < 5000 && !crmw_request_canceled(req); i++)
			usleep(1000);
		assert_true(crmw_request_canceled(req));
		return crmw_response_set_error(resp, "canceled"), 0;
	}
	if (m->garbage) {
		const char *g = "<tool_call>{\"name\": \"get_cases\", \"arguments\": {oops</tool_call>";
		return crmw_response_set_text(resp, g, strlen(g)), 0;
	}
	json_t *r = json_loads(rj, 0, NULL);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "schema_version")), 1);
	if (strcmp(crmw_request_purpose(req), "distill") == 0) {
		m->distills++;
		json_decref(r);
		const char *t = m->distill_text ? m->distill_text : "";
		crmw_response_set_text(resp, t, strlen(t));
		return 0;
	}
	/* The model never sees the gold answer. */
	char *ans = dumps(json_object_get(m->task, "gold"));
	assert_null(strstr(rj, "\"gold\""));
	free(ans);
	json_t *results = seen_results(r);
	size_t step = json_array_size(results);
	const json_t *gold = json_object_get(m->task, "gold");
	const json_t *st = json_array_get(gold, step);
	assert_non_null(st);
	char why[300] = "";
	json_t *args = crmw__gold_resolve(json_object_get(st, "arguments"), results, why, sizeof why);
	assert_non_null(args);
	int d = m->dialect >= 0 ? m->dialect : call % D_N;
	write_call(resp, d, call, json_string_value(json_object_get(st, "name")), args);
	if (m->prompt_tokens)
		crmw_response_set_usage(resp, m->prompt_tokens, 10);
	json_decref(args);
	json_decref(results);
	json_decref(r);
	return 0;
}

static int destroyed;
static void count_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}

static crmw_backend table(crmw_complete_fn fn, void *ud)
{
	crmw_backend b;
	memset(&b, 0, sizeof b);
	b.struct_size = sizeof b;
	b.version = CRMW_BACKEND_VERSION;
	b.userdata = ud;
	b.complete = fn;
	return b;
}

static crmw_backend backend_of(model *m)
{
	return table(gold_complete, m);
}

static model new_model(const json_t *task)
{
	model m;
	memset(&m, 0, sizeof m);
	m.task = task;
	m.dialect = -1;
	m.fail_at = -1;
	m.abort_at = -1;
	return m;
}

static json_t *run(crmw_agent *a, const json_t *task, const char *opts)
{
	crmw_buf out = CRMW_BUF_INIT;
	char *tj = dumps(task);
	int rc = crmw_agent_run(&out, a, tj, opts);
	free(tj);
	assert_int_equal(rc, CRMW_OK);
	json_t *t = json_loads(out.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&out);
	return t;
}

/* ---------------------------------------------------------------- tests */

/* Every generated task solved by following its gold program through the
 * agent loop, in every dialect in turn: reward 1 each time. */
static void test_tools_episodes(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	int64_t n = crmw_task_set_count(tasks);
	assert_true(n >= 60);
	int solved = 0;
	for (int64_t i = 0; i < n; i++) {
		json_t *t = task_json(i);
		model m = new_model(t);
		m.dialect = (int)(i % D_N);
		if (i % 3 == 0)
			m.dialect = -1;
		crmw_backend b = backend_of(&m);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *tr = run(a, t, NULL);
		const char *why = json_string_value(json_object_get(tr, "end_reason"));
		if (json_real_value(json_object_get(tr, "reward")) == 1.0)
			solved++;
		else if (getenv("CRMW_TEST_DEBUG"))
			fprintf(stderr, "%s\n", dumps(json_object_get(tr, "decisions")));
		else
			fprintf(stderr, "# task %lld (%s) dialect %d: end %s, answer %s, gold %s\n", (long long)i,
				json_string_value(json_object_get(t, "family")), m.dialect, why,
				json_string_value(json_object_get(tr, "answer")), dumps(json_object_get(t, "answer")));
		assert_string_equal(why, "answered");
		assert_int_equal(json_integer_value(json_object_get(tr, "turns")), json_array_size(json_object_get(t, "gold")));
		assert_int_equal(json_integer_value(json_object_get(tr, "schema_version")), 1);
		assert_true(json_array_size(json_object_get(tr, "tools")) > 40);
		assert_true(json_is_object(json_object_get(tr, "timings_us")));
		json_decref(tr);
		json_decref(t);
	}
	assert_int_equal(solved, n);
	crmw_agent_free(a);
}

/* The messages are valid OpenAI chat messages: every tool message answers a
 * call of the assistant message before it. */
static void test_messages_shape(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\": 30}"), CRMW_OK);
	json_t *t = task_json(0);
	model m = new_model(t);
	m.dialect = D_HERMES;
	m.prompt_tokens = 100;
	crmw_backend b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = run(a, t, NULL);
	json_t *msgs = json_object_get(tr, "messages");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")), "system");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "role")), "user");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
			    json_string_value(json_object_get(t, "query")));
	json_t *open = json_object();
	size_t i;
	json_t *msg;
	json_array_foreach(msgs, i, msg) {
		const char *role = json_string_value(json_object_get(msg, "role"));
		if (strcmp(role, "assistant") == 0) {
			json_object_clear(open);
			size_t k;
			json_t *c;
			json_array_foreach(json_object_get(msg, "tool_calls"), k, c) {
				const char *args = json_string_value(json_object_get(json_object_get(c, "function"), "arguments"));
				assert_non_null(args); /* a JSON string, as the API wants */
				json_object_set_new(open, json_string_value(json_object_get(c, "id")), json_true());
			}
			/* the Hermes markup became tool_calls; the thinking is not kept */
			const char *content = json_string_value(json_object_get(msg, "content"));
			assert_true(!content || !strstr(content, "<tool_call>"));
		} else if (strcmp(role, "tool") == 0) {
			assert_non_null(json_object_get(open, json_string_value(json_object_get(msg, "tool_call_id"))));
		}
	}
	json_decref(open);
	/* usage adds up over the turns */
	json_t *u = json_object_get(tr, "usage");
	assert_int_equal(json_integer_value(json_object_get(u, "prompt_tokens")), 100 * m.calls);
	assert_int_equal(json_integer_value(json_object_get(u, "completion_tokens")), 10 * m.calls);
	/* decisions: one per turn, with validated arguments and observations */
	json_t *decs = json_object_get(tr, "decisions");
	assert_int_equal(json_array_size(decs), m.calls);
	json_t *d0 = json_array_get(decs, 0);
	assert_string_equal(json_string_value(json_object_get(d0, "dialect")), "hermes");
	json_t *act = json_array_get(json_object_get(d0, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(act, "status")), "ok");
	assert_non_null(json_object_get(act, "observation"));
	json_decref(tr);
	json_decref(t);
	crmw_agent_free(a);
}

/* Step-wise and blocking runs give the same trajectory (timings aside). */
static void test_stepwise_equals_blocking(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	for (int64_t i = 0; i < crmw_task_set_count(tasks); i += 7) {
		json_t *t = task_json(i);
		model m1 = new_model(t);
		crmw_backend b = backend_of(&m1);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *blocking = run(a, t, "{\"episode_id\":\"e1\"}");

		model m2 = new_model(t);
		crmw_session *s;
		char *tj = dumps(t);
		assert_int_equal(crmw_session_new(&s, a, tj, "{\"episode_id\":\"e1\"}"), CRMW_OK);
		free(tj);
		crmw_buf buf = CRMW_BUF_INIT, again = CRMW_BUF_INIT;
		int32_t step;
		assert_int_equal(crmw_session_feed(s, "x", 1), CRMW_ESTATE); /* nothing asked yet */
		for (;;) {
			assert_int_equal(crmw_session_next(&step, &buf, s), CRMW_OK);
			if (step == CRMW_STEP_DONE)
				break;
			assert_int_equal(step, CRMW_STEP_MODEL);
			assert_int_equal(crmw_session_next(&step, &again, s), CRMW_OK); /* asked twice: same request */
			assert_string_equal(buf.data, again.data);
			/* the host's own inference: the same scripted model, written through a response */
			struct crmw_response resp;
			memset(&resp, 0, sizeof resp);
			json_t *r = json_loads(buf.data, 0, NULL);
			json_t *results = seen_results(r);
			const json_t *st = json_array_get(json_object_get(t, "gold"), json_array_size(results));
			char why[200];
			json_t *args = crmw__gold_resolve(json_object_get(st, "arguments"), results, why, sizeof why);
			int call = m2.calls++;
			write_call(&resp, call % D_N, call, json_string_value(json_object_get(st, "name")), args);
			assert_int_equal(crmw_session_feed(s, resp.body.data, resp.body.len), CRMW_OK);
			crmw__response_dispose(&resp);
			json_decref(args);
			json_decref(results);
			json_decref(r);
		}
		assert_int_equal(crmw_session_done(s), 1);
		assert_int_equal(crmw_session_feed(s, "x", 1), CRMW_ESTATE); /* over */
		json_t *stepwise = json_loads(buf.data, 0, NULL);
		assert_non_null(stepwise);
		json_object_del(stepwise, "timings_us");
		json_object_del(blocking, "timings_us");
		char *x = dumps(stepwise), *y = dumps(blocking);
		assert_string_equal(x, y);
		free(x);
		free(y);
		crmw_buf_dispose(&buf);
		crmw_buf_dispose(&again);
		crmw_session_free(s);
		json_decref(stepwise);
		json_decref(blocking);
		json_decref(t);
	}
	crmw_agent_free(a);
}

/* ReAct: raw SOQL through <execute>, the answer through <respond>. */
static int react_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	const char *case_id = ud;
	json_t *r = json_loads(crmw_request_json(req, NULL), 0, NULL);
	json_t *msgs = json_object_get(r, "messages");
	const char *sys = json_string_value(json_object_get(json_array_get(msgs, 0), "content"));
	assert_non_null(strstr(sys, "<execute>"));
	assert_non_null(strstr(sys, "Case")); /* the schema is in the prompt */
	assert_null(json_object_get(r, "tools"));
	size_t n = json_array_size(msgs);
	char text[4096];
	if (n == 2) {
		snprintf(text, sizeof text, "<thought>Read the case.</thought>\n<execute>SELECT Subject FROM Case WHERE Id = '%s'</execute>",
			 case_id);
	} else if (n == 4) {
		/* a bad query first: the error comes back as an observation */
		snprintf(text, sizeof text, "<thought>Again.</thought><execute>SELECT Nope FROM Case</execute>");
	} else if (n == 6) {
		const char *obs = json_string_value(json_object_get(json_array_get(msgs, 3), "content"));
		const char *arr = strchr(obs, '[');
		json_t *rows = json_loads(arr, JSON_DISABLE_EOF_CHECK, NULL);
		assert_non_null(rows);
		const char *err = json_string_value(json_object_get(json_array_get(msgs, 5), "content"));
		assert_non_null(strstr(err, "Nope"));
		snprintf(text, sizeof text, "<thought>Found it.</thought>\n<respond>%s</respond>",
			 json_string_value(json_object_get(json_array_get(rows, 0), "Subject")));
		json_decref(rows);
	} else {
		fail_msg("unexpected conversation length %zu", n);
	}
	json_decref(r);
	return crmw_response_set_text(resp, text, strlen(text));
}

static void test_react_episode(void **state)
{
	(void)state;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, db, "SELECT Id, Subject FROM Case ORDER BY Id LIMIT 1", 48, NULL), CRMW_OK);
	json_t *rows = json_loads(b.data, 0, NULL);
	const char *id = json_string_value(json_object_get(json_array_get(rows, 0), "Id"));
	json_t *task = json_pack("{s:s, s:s++, s:[O], s:s}", "family", "custom", "query", "What is the subject of case ",
				 id, "?", "answer", json_object_get(json_array_get(rows, 0), "Subject"), "reward_metric",
				 "exact_match");
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"mode\":\"react\"}"), CRMW_OK);
	crmw_backend be = table(react_complete, (void *)id);
	assert_int_equal(crmw_agent_set_backend(a, &be), CRMW_OK);
	json_t *tr = run(a, task, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
	assert_true(json_real_value(json_object_get(tr, "reward")) == 1.0);
	assert_string_equal(json_string_value(json_object_get(tr, "mode")), "react");
	json_t *d1 = json_array_get(json_object_get(tr, "decisions"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d1, "actions"), 0), "status")),
			    "error");
	json_decref(tr);
	json_decref(task);
	json_decref(rows);
	crmw_buf_dispose(&b);
	crmw_agent_free(a);
}

/* ReAct on generated case_routing tasks: the scripted model counts the closed
 * cases of the issue per agent with one SOQL aggregate and answers with the
 * top agent (the routing policy's first rule). */
typedef struct routing_model {
	const char *issue;
	bool tie;
} routing_model;

static int routing_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	routing_model *rm = ud;
	json_t *r = json_loads(crmw_request_json(req, NULL), 0, NULL);
	json_t *msgs = json_object_get(r, "messages");
	char text[1024];
	if (json_array_size(msgs) == 2) {
		snprintf(text, sizeof text,
			 "<thought>Count closed cases of the issue per agent.</thought>\n<execute>SELECT OwnerId, COUNT(Id) n FROM "
			 "Case WHERE IssueId__c = '%s' AND Status = 'Closed' GROUP BY OwnerId ORDER BY COUNT(Id) DESC LIMIT 2</execute>",
			 rm->issue);
	} else {
		const char *obs = json_string_value(json_object_get(json_array_get(msgs, 3), "content"));
		json_t *rows = json_loads(strchr(obs, '['), JSON_DISABLE_EOF_CHECK, NULL);
		assert_non_null(rows);
		json_t *a0 = json_array_get(rows, 0), *a1 = json_array_get(rows, 1);
		rm->tie = a1 && json_integer_value(json_object_get(a0, "n")) == json_integer_value(json_object_get(a1, "n"));
		snprintf(text, sizeof text, "<thought>The top agent.</thought><respond>%s</respond>",
			 json_string_value(json_object_get(a0, "OwnerId")));
		json_decref(rows);
	}
	json_decref(r);
	return crmw_response_set_text(resp, text, strlen(text));
}

static void test_react_generated(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"mode\":\"react\"}"), CRMW_OK);
	int solved = 0;
	for (int64_t i = 0; i < crmw_task_set_count(tasks); i++) {
		json_t *t = task_json(i);
		if (strcmp(json_string_value(json_object_get(t, "family")), "case_routing") != 0) {
			json_decref(t);
			continue;
		}
		routing_model rm = {json_string_value(
					    json_array_get(json_object_get(json_array_get(json_object_get(t, "gold"), 0), "expect_contains"), 0)),
				    false};
		assert_non_null(rm.issue);
		crmw_backend b = table(routing_complete, &rm);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *tr = run(a, t, NULL);
		assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
		if (!rm.tie) {
			assert_true(json_real_value(json_object_get(tr, "reward")) == 1.0);
			solved++;
		}
		json_decref(tr);
		json_decref(t);
	}
	assert_true(solved >= 1);
	crmw_agent_free(a);
}

/* Memory: the first task writes a guideline with its plan; a second task of
 * the same family retrieves it, and its counters move with the reward. */
static void test_memory_loop(void **state)
{
	(void)state;
	char mpath[400];
	snprintf(mpath, sizeof mpath, "%s/mem.db", dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"memory\":{\"write\":true,\"k\":3,\"min_score\":0.2,\"same_family\":true}}"),
			 CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	/* two tasks of one family with a multi-step program */
	int64_t first = -1, second = -1;
	for (int64_t i = 0; i < crmw_task_set_count(tasks) && second < 0; i++) {
		json_t *t = task_json(i);
		if (strcmp(json_string_value(json_object_get(t, "family")), "handle_time") == 0)
			first < 0 ? (first = i) : (second = i);
		json_decref(t);
	}
	assert_true(second > first && first >= 0);
	json_t *t1 = task_json(first), *t2 = task_json(second);
	model m = new_model(t1);
	crmw_backend b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr1 = run(a, t1, NULL);
	assert_true(json_real_value(json_object_get(tr1, "reward")) == 1.0);
	assert_int_equal(json_array_size(json_object_get(tr1, "memory_ids")), 0);
	json_t *w = json_object_get(tr1, "memory_written");
	assert_true(json_is_object(w));
	int64_t gid = json_integer_value(json_object_get(w, "id"));
	assert_true(gid > 0);
	/* without distill text the guideline came from the trajectory */
	crmw_buf e = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	json_t *entry = json_loads(e.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(entry, "kind")), "guideline");
	assert_string_equal(json_string_value(json_object_get(entry, "family")), "handle_time");
	/* an internal role's guideline: as before scopes, in the internal scope */
	assert_string_equal(json_string_value(json_object_get(entry, "scope")), "internal");
	assert_string_equal(json_string_value(json_object_get(entry, "query")), json_string_value(json_object_get(t1, "query")));
	json_t *md = json_object_get(entry, "metadata");
	assert_null(json_object_get(md, "values_left_out"));
	assert_string_equal(json_string_value(json_object_get(md, "source")), "trajectory");
	json_t *plan = json_object_get(md, "plan");
	json_t *steps = json_object_get(plan, "steps");
	assert_int_equal(json_array_size(steps), json_array_size(json_object_get(t1, "gold")));
	/* later steps take earlier results by reference, as the gold program does */
	char *ps = dumps(steps);
	assert_non_null(strstr(ps, "\"$ref\":\"/0/start_date\""));
	free(ps);
	assert_string_equal(json_string_value(json_object_get(plan, "answer_source")), "ref");
	assert_non_null(strstr(json_string_value(json_object_get(entry, "text")), "get_period"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(entry, "provenance"), 0)),
			    json_string_value(json_object_get(tr1, "episode_id")));
	json_decref(entry);

	/* the second task retrieves it and puts it in the prompt */
	model m2 = new_model(t2);
	crmw_backend b2 = backend_of(&m2);
	assert_int_equal(crmw_agent_set_backend(a, &b2), CRMW_OK);
	json_t *tr2 = run(a, t2, NULL);
	assert_true(json_real_value(json_object_get(tr2, "reward")) == 1.0);
	json_t *ids = json_object_get(tr2, "memory_ids");
	assert_int_equal(json_array_size(ids), 1);
	assert_int_equal(json_integer_value(json_array_get(ids, 0)), gid);
	const char *sys = json_string_value(json_object_get(json_array_get(json_object_get(tr2, "messages"), 0), "content"));
	assert_non_null(strstr(sys, "Guidelines from similar tasks"));
	assert_non_null(strstr(sys, "get_agent_handled_cases_by_period"));
	/* a guideline close enough was retrieved: nothing new is written (the
	 * hash embedder puts two handle_time questions above 0.9 only when they
	 * are near copies; otherwise a second guideline is written) */
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	entry = json_loads(e.data, 0, NULL);
	json_t *c = json_object_get(entry, "counters");
	assert_int_equal(json_integer_value(json_object_get(c, "retrieved")), 1);
	assert_int_equal(json_integer_value(json_object_get(c, "success")), 1);
	assert_int_equal(json_integer_value(json_object_get(c, "failure")), 0);
	json_decref(entry);

	/* a failed episode counts as a failure of what it retrieved */
	model m3 = new_model(t2);
	m3.fail_at = 0;
	crmw_backend b3 = backend_of(&m3);
	assert_int_equal(crmw_agent_set_backend(a, &b3), CRMW_OK);
	json_t *tr3 = run(a, t2, NULL);
	assert_string_equal(json_string_value(json_object_get(tr3, "end_reason")), "backend_error");
	assert_true(json_is_null(json_object_get(tr3, "memory_written")));
	/* backend errors are not the memory's fault: no failure counted */
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	entry = json_loads(e.data, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(entry, "counters"), "failure")), 0);
	json_decref(entry);

	/* distillation: the backend words the guideline */
	crmw_memory_free(mem);
	snprintf(mpath, sizeof mpath, "%s/mem2.db", dir);
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	model m4 = new_model(t1);
	m4.distill_text = "Resolve the period first, then count only the cases that were never transferred.";
	crmw_backend b4 = backend_of(&m4);
	assert_int_equal(crmw_agent_set_backend(a, &b4), CRMW_OK);
	json_t *tr4 = run(a, t1, NULL);
	assert_int_equal(m4.distills, 1);
	gid = json_integer_value(json_object_get(json_object_get(tr4, "memory_written"), "id"));
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	entry = json_loads(e.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(entry, "text")), m4.distill_text);
	assert_string_equal(json_string_value(json_object_get(json_object_get(entry, "metadata"), "source")), "distilled");
	json_decref(entry);

	/* an unusable distillation falls back to the trajectory's guideline */
	crmw_memory_free(mem);
	snprintf(mpath, sizeof mpath, "%s/mem3.db", dir);
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	model m5 = new_model(t1);
	m5.distill_text = "";
	crmw_backend b5 = backend_of(&m5);
	assert_int_equal(crmw_agent_set_backend(a, &b5), CRMW_OK);
	json_t *tr5 = run(a, t1, NULL);
	assert_non_null(json_string_value(json_object_get(tr5, "memory_note")));
	gid = json_integer_value(json_object_get(json_object_get(tr5, "memory_written"), "id"));
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	entry = json_loads(e.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(entry, "metadata"), "source")), "trajectory");
	json_decref(entry);

	crmw_buf_dispose(&e);
	json_decref(tr1);
	json_decref(tr2);
	json_decref(tr3);
	json_decref(tr4);
	json_decref(tr5);
	json_decref(t1);
	json_decref(t2);
	crmw_agent_free(a);
	crmw_memory_free(mem);
}

/* ------------------------------------------------- memory across customers */

/* A SOQL query's records (as `role` sees the org; NULL: all of it). */
static json_t *records(const char *soql, const char *role_text)
{
	crmw_query_opts *o;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	crmw_role *r = NULL;
	if (role_text) {
		assert_int_equal(crmw_role_new(&r, db, role_text, NULL), CRMW_OK);
		assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	}
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, db, soql, strlen(soql), o))
		fail_msg("%s: %s", soql, crmw_last_error());
	json_t *v = json_loads(b.data, 0, NULL);
	assert_true(json_is_array(v));
	crmw_buf_dispose(&b);
	crmw_role_free(r);
	crmw_query_opts_free(o);
	return v;
}

static char *scope_of(const char *role_text)
{
	crmw_role *r;
	assert_int_equal(crmw_role_new(&r, db, role_text, NULL), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__role_scope(&b, r), CRMW_OK);
	crmw_role_free(r);
	return b.data;
}

/* A customer of the org: a contact with cases, the names, and the newest of
 * the cases as the contact sees them. */
typedef struct customer {
	char contact[19], account[19], role[40];
	char first[64], last[64], account_name[128];
	char subject[256];
	char *scope;
} customer;

static void customer_of(customer *c, const json_t *row)
{
	memset(c, 0, sizeof *c);
	snprintf(c->contact, sizeof c->contact, "%s", json_string_value(json_object_get(row, "ContactId")));
	snprintf(c->account, sizeof c->account, "%s", json_string_value(json_object_get(row, "AccountId")));
	snprintf(c->role, sizeof c->role, "external:%s", c->contact);
	char q[200];
	snprintf(q, sizeof q, "SELECT FirstName, LastName FROM Contact WHERE Id = '%s'", c->contact);
	json_t *r = records(q, NULL);
	snprintf(c->first, sizeof c->first, "%s", json_string_value(json_object_get(json_array_get(r, 0), "FirstName")));
	snprintf(c->last, sizeof c->last, "%s", json_string_value(json_object_get(json_array_get(r, 0), "LastName")));
	json_decref(r);
	snprintf(q, sizeof q, "SELECT Name FROM Account WHERE Id = '%s'", c->account);
	r = records(q, NULL);
	snprintf(c->account_name, sizeof c->account_name, "%s", json_string_value(json_object_get(json_array_get(r, 0), "Name")));
	json_decref(r);
	r = records("SELECT Id, Subject, Status, CreatedDate FROM Case ORDER BY CreatedDate DESC LIMIT 3", c->role);
	assert_true(json_array_size(r) >= 2);
	snprintf(c->subject, sizeof c->subject, "%s", json_string_value(json_object_get(json_array_get(r, 0), "Subject")));
	json_decref(r);
	c->scope = scope_of(c->role);
	char want[40];
	snprintf(want, sizeof want, "account:%s", c->account);
	assert_string_equal(c->scope, want);
}

/* The customer's question about their newest case: names, an account name
 * and a quoted text in the query; the answer is a case subject read from a
 * result. */
static json_t *subject_task(const customer *c, const char *id, const char *quoted)
{
	char q[600];
	snprintf(q, sizeof q,
		 "Hi, this is %s %s from %s. What is the subject of my most recent case? Ignore the one titled '%s'.",
		 c->first, c->last, c->account_name, quoted);
	json_t *t = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:[s], s:s, s:[{s:s, s:{s:s}}, {s:s, s:{s:{s:s}}}]}", "id",
			      id, "family", "case_subject", "query", q, "context", "role", c->role, "today", "2025-01-01",
			      "answer", c->subject, "reward_metric", "fuzzy_match", "gold", "name", "issue_soql_query",
			      "arguments", "query",
			      "SELECT Id, Subject, Status, CreatedDate FROM Case ORDER BY CreatedDate DESC LIMIT 3", "name",
			      "respond", "arguments", "content", "$ref", "/0/0/Subject");
	assert_non_null(t);
	return t;
}

/* Record ids in a text (15 or 18 letters and digits, both kinds). */
static void ids_in(json_t *set, const char *s)
{
	for (size_t i = 0; s && s[i];) {
		size_t j = i;
		while (isalnum((unsigned char)s[j]))
			j++;
		if (j > i && crmw__is_id_token(s + i, j - i))
			json_object_setn_new(set, s + i, j - i, json_true());
		i = j > i ? j : i + 1;
	}
}

static void leaves_of(json_t *set, const json_t *v)
{
	if (json_is_string(v) && json_string_length(v) >= 4)
		json_object_set_new(set, json_string_value(v), json_true());
	size_t i;
	const char *k;
	json_t *x;
	if (json_is_array(v))
		json_array_foreach(v, i, x) leaves_of(set, x);
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x) leaves_of(set, x);
}

/* The values of an episode an attacker would look for: the answer, every
 * id anywhere in the conversation, every string of a tool result, the
 * customer's names, the quoted text of the query, its numbers. */
static json_t *episode_values(const json_t *tr, const json_t *task, const customer *c, const char *quoted)
{
	json_t *set = json_object();
	json_object_set_new(set, c->subject, json_true());
	json_object_set_new(set, c->first, json_true());
	json_object_set_new(set, c->last, json_true());
	json_object_set_new(set, c->account_name, json_true());
	json_object_set_new(set, c->contact, json_true());
	json_object_set_new(set, quoted, json_true());
	json_object_set_new(set, json_string_value(json_object_get(tr, "answer")), json_true());
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(tr, "messages"), i, m) {
		char *t = json_dumps(m, JSON_COMPACT);
		ids_in(set, t);
		free(t);
		if (strcmp(json_string_value(json_object_get(m, "role")), "tool") == 0) {
			json_t *r = json_loads(json_string_value(json_object_get(m, "content")), JSON_DECODE_ANY, NULL);
			leaves_of(set, r);
			json_decref(r);
		}
	}
	/* the words of the query with a digit ("Okafor 2" at huge scales, a product "Sensor 5") */
	const char *q = json_string_value(json_object_get(task, "query"));
	for (size_t k = 0; q[k];) {
		size_t j = k;
		while (isalnum((unsigned char)q[j]) || q[j] == '-')
			j++;
		bool digit = false;
		for (size_t d = k; d < j; d++)
			digit = digit || isdigit((unsigned char)q[d]);
		if (digit && j - k >= 2)
			json_object_setn_new(set, q + k, j - k, json_true());
		k = j > k ? j : k + 1;
	}
	/* the account id is the scope key itself ("account:<Id>"): checked apart */
	json_object_del(set, c->account);
	return set;
}

/* How many of `values` occur in `s` (n bytes; case ignored); the first is
 * reported. */
static int leaks_in(const json_t *values, const char *s, size_t n, const char *where)
{
	int found = 0;
	const char *v;
	json_t *x;
	json_object_foreach((json_t *)values, v, x) {
		size_t vn = strlen(v);
		for (size_t i = 0; vn && i + vn <= n; i++) {
			if (strncasecmp(s + i, v, vn) != 0)
				continue;
			/* short values (numbers) count as whole words only */
			if (vn < 4 && ((i > 0 && isalnum((unsigned char)s[i - 1])) || (i + vn < n && isalnum((unsigned char)s[i + vn]))))
				continue;
			if (!found++)
				print_message("# %s holds '%s'\n", where, v);
			break;
		}
	}
	return found;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	*n = 0;
	if (!f)
		return calloc(1, 1);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)len + 1);
	*n = fread(b, 1, (size_t)len, f);
	b[*n] = 0;
	fclose(f);
	return b;
}

/* Every value in every text cell of every table of the store file (read
 * with SQLite, not the library), every byte of the file and its WAL, and
 * every line of an export; the account id only as the entries' scope. */
static int store_leaks(const char *path, const json_t *values, const customer *c, crmw_memory *m)
{
	int found = 0;
	sqlite3 *s = NULL;
	assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *tables = NULL;
	assert_int_equal(sqlite3_prepare_v2(s, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &tables, NULL),
			 SQLITE_OK);
	int ntables = 0;
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(tables, 0));
		sqlite3_stmt *st = NULL;
		assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
		ntables++;
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int k = 0; k < sqlite3_column_count(st); k++) {
				if (sqlite3_column_type(st, k) != SQLITE_TEXT)
					continue;
				const char *t = (const char *)sqlite3_column_text(st, k);
				char where[200];
				snprintf(where, sizeof where, "%s.%s", sqlite3_column_text(tables, 0), sqlite3_column_name(st, k));
				found += leaks_in(values, t, strlen(t), where);
				if (strcmp(sqlite3_column_name(st, k), "scope") != 0)
					found += strstr(t, c->account) != NULL;
			}
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	sqlite3_close(s);
	assert_true(ntables >= 3);
	/* the raw bytes: names, ids and texts (numbers would match timestamps) */
	json_t *longs = json_object();
	const char *v;
	json_t *x;
	json_object_foreach((json_t *)values, v, x) if (strlen(v) >= 4) json_object_set_new(longs, v, json_true());
	const char *suffix[] = {"", "-wal"};
	for (int i = 0; i < 2; i++) {
		char p[400];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		size_t n;
		char *b = slurp(p, &n);
		found += leaks_in(longs, b, n, p);
		free(b);
	}
	json_decref(longs);
	/* the export, each line without its scope */
	char jl[400];
	snprintf(jl, sizeof jl, "%s.jsonl", path);
	assert_int_equal(crmw_memory_export(m, jl), CRMW_OK);
	FILE *f = fopen(jl, "r");
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *e = json_loads(line, 0, NULL);
		assert_non_null(e);
		json_object_del(e, "scope");
		json_object_del(e, "embedding");
		char *t = json_dumps(e, JSON_COMPACT);
		found += leaks_in(values, t, strlen(t), "the export");
		found += strstr(t, c->account) != NULL;
		free(t);
		json_decref(e);
	}
	free(line);
	fclose(f);
	return found;
}

/* `t` solved by the gold-following model (reward 1): its trajectory. */
static json_t *solve(crmw_agent *a, const json_t *t)
{
	model m = new_model(t);
	crmw_backend b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = run(a, t, NULL);
	assert_true(json_real_value(json_object_get(tr, "reward")) == 1.0);
	return tr;
}

static json_t *entry_of(crmw_memory *mem, int64_t id)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_get(&b, mem, id), CRMW_OK);
	json_t *e = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	return e;
}

static bool has_id(const json_t *ids, int64_t id)
{
	size_t i;
	json_t *x;
	json_array_foreach(ids, i, x) if (json_integer_value(x) == id) return true;
	return false;
}

/*
 * Shared memory across customers, as an attacker: customer A solves a task
 * with write-back; no value of A's episode (answer, ids, names, quoted text,
 * numbers of the query, result strings) is anywhere in the store (its
 * tables read with SQLite, its raw bytes, its export), the same episode
 * under the internal role keeps them (the scan sees them); customer B,
 * whose question is worded alike, neither retrieves A's guideline nor sees
 * anything of it in the system prompt, and the memory policy does not
 * replay it for B, even when B's conversation names it; A itself still
 * retrieves it, and a value-free plan (a refusal) replays for A's next task.
 */
static void test_memory_customers(void **state)
{
	(void)state;
	json_t *rows = records("SELECT ContactId, AccountId FROM Case WHERE ContactId != null GROUP BY ContactId, "
			       "AccountId ORDER BY count(Id) DESC LIMIT 20",
			       NULL);
	customer A, B;
	customer_of(&A, json_array_get(rows, 0));
	size_t bi = 1;
	while (bi < json_array_size(rows) &&
	       !strcmp(json_string_value(json_object_get(json_array_get(rows, bi), "AccountId")), A.account))
		bi++;
	assert_true(bi < json_array_size(rows));
	customer_of(&B, json_array_get(rows, bi));
	json_decref(rows);
	assert_string_not_equal(A.subject, B.subject);

	char mpath[400], ipath[400];
	snprintf(mpath, sizeof mpath, "%s/customers.db", dir);
	snprintf(ipath, sizeof ipath, "%s/customers-internal.db", dir);
	crmw_memory *mem, *imem;
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	assert_int_equal(crmw_memory_open(&imem, ipath, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"memory\":{\"write\":true,\"k\":3,\"min_score\":0.2}}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);

	/* customer A solves its task; a guideline is written in A's scope */
	const char *quoted = "Broken hinge on the Zephyr crate";
	json_t *ta = subject_task(&A, "subject-A", quoted);
	json_t *tra = solve(a, ta);
	int64_t ea = json_integer_value(json_object_get(json_object_get(tra, "memory_written"), "id"));
	assert_true(ea > 0);
	json_t *e = entry_of(mem, ea);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), A.scope);
	/* the plan still holds its structure: the answer is a reference */
	json_t *plan = json_object_get(json_object_get(e, "metadata"), "plan");
	assert_string_equal(json_string_value(json_object_get(plan, "answer_source")), "ref");
	assert_int_equal(json_array_size(json_object_get(plan, "steps")), 2);
	json_decref(e);

	/* the attacker's scan of the whole store */
	json_t *values = episode_values(tra, ta, &A, quoted);
	assert_true(json_object_size(values) >= 10);
	assert_int_equal(store_leaks(mpath, values, &A, mem), 0);

	/* the scan sees values where they are: the internal role keeps them */
	json_t *ti = json_deep_copy(ta);
	json_object_set_new(json_object_get(ti, "context"), "role", json_string("internal"));
	char gq[200];
	snprintf(gq, sizeof gq, "SELECT Id, Subject, Status, CreatedDate FROM Case WHERE ContactId = '%s' ORDER BY "
				"CreatedDate DESC LIMIT 3", A.contact);
	json_object_set_new(json_object_get(json_array_get(json_object_get(ti, "gold"), 0), "arguments"), "query",
			    json_string(gq));
	assert_int_equal(crmw_agent_set_memory(a, imem), CRMW_OK);
	json_t *tri = solve(a, ti);
	e = entry_of(imem, json_integer_value(json_object_get(json_object_get(tri, "memory_written"), "id")));
	assert_string_equal(json_string_value(json_object_get(e, "scope")), "internal");
	assert_string_equal(json_string_value(json_object_get(e, "query")), json_string_value(json_object_get(ti, "query")));
	json_decref(e);
	print_message("# the control: the same episode under the internal role keeps its values\n");
	assert_true(store_leaks(ipath, values, &A, imem) >= 4);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);

	/* customer B asks the same, worded alike: A's guideline would rank for
	 * B's question if nothing kept it out */
	int64_t gid;
	assert_int_equal(crmw_memory_add(&gid, NULL, mem,
					 "{\"text\":\"Read the subject from the newest case record.\",\"family\":\"case_subject\","
					 "\"query\":\"What is the subject of my most recent case?\"}",
					 NULL, 0),
			 CRMW_OK);
	json_t *tb = subject_task(&B, "subject-B", "Late refund for the Orion order");
	crmw_buf sb = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_search(&sb, mem, json_string_value(json_object_get(tb, "query")),
					    "{\"k\":3,\"min_score\":0.2,\"kind\":\"guideline\"}"),
			 CRMW_OK);
	json_t *open_hits = json_loads(sb.data, 0, NULL), *open_ids = json_array();
	size_t hi;
	json_t *hv;
	json_array_foreach(open_hits, hi, hv) json_array_append(open_ids, json_object_get(hv, "id"));
	assert_true(has_id(open_ids, ea));
	json_decref(open_ids);
	json_decref(open_hits);
	json_t *trb = solve(a, tb);
	json_t *ids = json_object_get(trb, "memory_ids");
	assert_false(has_id(ids, ea));
	assert_true(has_id(ids, gid));
	assert_int_equal(json_array_size(ids), json_array_size(json_object_get(trb, "memory_scores")));
	const char *sys = json_string_value(json_object_get(json_array_get(json_object_get(trb, "messages"), 0), "content"));
	assert_non_null(strstr(sys, "Read the subject from the newest case record."));
	e = entry_of(mem, ea);
	assert_null(strstr(sys, json_string_value(json_object_get(e, "text"))));
	assert_null(strstr(sys, A.scope));
	assert_null(strstr(sys, A.account));
	assert_int_equal(leaks_in(values, sys, strlen(sys), "B's system prompt"), 0);
	/* B's episode wrote its own entry and touched nothing of A's */
	int64_t eb = json_integer_value(json_object_get(json_object_get(trb, "memory_written"), "id"));
	assert_true(eb > 0 && eb != ea && eb != gid);
	json_t *e2 = entry_of(mem, ea);
	assert_true(json_equal(json_object_get(e, "provenance"), json_object_get(e2, "provenance")));
	assert_true(json_equal(json_object_get(e, "counters"), json_object_get(e2, "counters")));
	json_decref(e2);
	json_decref(e);
	e = entry_of(mem, eb);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), B.scope);
	json_decref(e);

	/* A's next question retrieves A's own guideline */
	json_t *ta2 = subject_task(&A, "subject-A2", "Loose screws on the Vega shelf");
	json_t *tra2 = solve(a, ta2);
	assert_true(has_id(json_object_get(tra2, "memory_ids"), ea));
	assert_false(has_id(json_object_get(tra2, "memory_ids"), eb));

	/* the memory policy, from B's seat: A's plan is not chosen, and a
	 * conversation that names it (call ids plan_<id>_<step>) gets nothing */
	crmw_backend pol;
	assert_int_equal(crmw_backend_memory_policy(&pol, mem, NULL, "{\"min_support\":1,\"min_score\":0.2}"), CRMW_OK);
	for (int who = 0; who < 2; who++) {
		json_t *t = who ? tb : ta2;
		crmw_session *s;
		char *tj = dumps(t);
		assert_int_equal(crmw_session_new(&s, a, tj, NULL), CRMW_OK);
		free(tj);
		char cid[64];
		snprintf(cid, sizeof cid, "plan_%lld_0", (long long)ea);
		json_t *req = json_pack("{s:i, s:[{s:s, s:s}, {s:s, s:s, s:[{s:s, s:s, s:{s:s, s:s}}]}, {s:s, s:s, s:s}], s:[]}",
					"schema_version", 1, "messages", "role", "user", "content", "hi", "role", "assistant",
					"content", "", "tool_calls", "id", cid, "type", "function", "function", "name",
					"issue_soql_query", "arguments", "{}", "role", "tool", "tool_call_id", cid, "content",
					"[{\"Subject\":\"whatever\"}]", "tools");
		char *rj = dumps(req);
		json_decref(req);
		struct crmw_request rq = {rj, strlen(rj), "chat", s};
		struct crmw_response resp;
		memset(&resp, 0, sizeof resp);
		assert_int_equal(pol.complete(&resp, &rq, pol.userdata), 0);
		char gone[64];
		snprintf(gone, sizeof gone, "memory %lld is gone", (long long)ea);
		if (who) {
			assert_int_equal(resp.kind, RESP_ABSTAIN);
			assert_non_null(strstr(resp.body.data, gone));
		} else {
			assert_int_equal(resp.kind, RESP_MESSAGE); /* A's own: step 2 answers */
			assert_non_null(strstr(resp.body.data, "whatever"));
		}
		crmw__response_dispose(&resp);
		free(rj);
		crmw_session_free(s);
	}
	/* B's next question, answered by the policy alone: the search for B's
	 * view finds B's plan or none, never A's, and says nothing of it */
	crmw_agent *pa;
	assert_int_equal(crmw_agent_new(&pa, db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(pa, &pol), CRMW_OK);
	json_t *tb2 = subject_task(&B, "subject-B2", "Dented lid on the Lyra box");
	json_t *trp = run(pa, tb2, NULL);
	json_t *used = json_object_get(trp, "plan");
	assert_true(json_is_null(used) || json_integer_value(json_object_get(used, "memory_id")) != ea);
	const char *err = json_string_value(json_object_get(trp, "error"));
	char aid[40];
	snprintf(aid, sizeof aid, "memory %lld ", (long long)ea);
	assert_true(!err || !strstr(err, aid));
	json_decref(trp);
	json_decref(tb2);

	/* a plan that needs no value of the episode (a refusal) is kept whole
	 * and replays for the same customer's next such question; the other
	 * customer has nothing to replay */
	json_t *priv[3] = {NULL, NULL, NULL};
	int np = 0;
	for (int64_t i = 0; i < crmw_task_set_count(tasks) && np < 1; i++) {
		json_t *t = task_json(i);
		if (!strcmp(json_string_value(json_object_get(t, "family")), "private_customer_information"))
			priv[np++] = t;
		else
			json_decref(t);
	}
	assert_int_equal(np, 1);
	/* the same question about other people: the names replaced */
	for (int k = 1; k < 3; k++) {
		char q[400];
		snprintf(q, sizeof q, "%s", json_string_value(json_object_get(priv[0], "query")));
		for (size_t i = 1; q[i]; i++)
			if (isupper((unsigned char)q[i]) && q[i - 1] == ' ' && isalpha((unsigned char)q[i + 1]))
				for (size_t j = i; isalnum((unsigned char)q[j]) || q[j] == '-'; j++)
					q[j] = j == i ? "ZY"[k - 1] : 'x';
		priv[k] = json_deep_copy(priv[0]);
		json_object_set_new(priv[k], "query", json_string(q));
		json_object_set_new(priv[k], "id", json_string(k == 1 ? "privacy-A2" : "privacy-B"));
	}
	json_object_set_new(json_object_get(priv[0], "context"), "role", json_string(A.role));
	json_object_set_new(json_object_get(priv[1], "context"), "role", json_string(A.role));
	json_object_set_new(json_object_get(priv[2], "context"), "role", json_string(B.role));
	json_t *trr = solve(a, priv[0]);
	int64_t er = json_integer_value(json_object_get(json_object_get(trr, "memory_written"), "id"));
	e = entry_of(mem, er);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), A.scope);
	json_t *md = json_object_get(e, "metadata");
	assert_int_equal(json_integer_value(json_object_get(md, "values_left_out")), 0);
	char *ps = dumps(json_object_get(md, "plan"));
	assert_null(strstr(ps, "$redacted"));
	assert_non_null(strstr(ps, json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(priv[0], "gold"), 0), "arguments"), "content"))));
	free(ps);
	json_decref(e);
	json_t *r1 = run(pa, priv[1], NULL);
	assert_true(json_real_value(json_object_get(r1, "reward")) == 1.0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r1, "plan"), "memory_id")), er);
	json_t *r2 = run(pa, priv[2], NULL);
	assert_string_equal(json_string_value(json_object_get(r2, "end_reason")), "abstained");
	assert_true(json_is_null(json_object_get(r2, "plan")));
	json_decref(r1);
	json_decref(r2);
	json_decref(trr);
	for (int i = 0; i < 3; i++)
		json_decref(priv[i]);
	crmw_agent_free(pa);
	json_decref(tra2);
	json_decref(ta2);
	json_decref(trb);
	json_decref(tb);
	json_decref(tri);
	json_decref(ti);
	json_decref(values);
	json_decref(tra);
	json_decref(ta);
	crmw_buf_dispose(&sb);
	crmw_agent_free(a);
	crmw_memory_free(imem);
	crmw_memory_free(mem);
	free(A.scope);
	free(B.scope);
}

/* The memory scope of each kind of role: one per account for customers,
 * one per policy and bindings, one for every unrestricted role; names
 * cannot forge another role's key. */
static void test_memory_scope_keys(void **state)
{
	(void)state;
	json_t *rows = records("SELECT Id, AccountId FROM Contact WHERE AccountId != null ORDER BY Id LIMIT 2", NULL);
	const char *c0 = json_string_value(json_object_get(json_array_get(rows, 0), "Id"));
	const char *acc = json_string_value(json_object_get(json_array_get(rows, 0), "AccountId"));
	char role[300], want[300];
	struct {
		const char *policy, *bindings, *want; /* "%A": the account id, "%C": the contact id */
	} cases[] = {
		{"internal", NULL, "internal"},
		{"{\"schema_version\":1,\"name\":\"all\",\"default\":\"read\",\"raw_sql\":true,\"metrics\":true}", NULL,
		 "internal"},
		{"external:%C", NULL, "account:%A"},
		{"external:%A", NULL, "account:%A"},
		{"external", NULL, "role:external"},
		{"external", "{\"contact_id\":\"%C\"}", "account:%A"},
		/* named "external" but reads more than a customer: not the account's scope */
		{"{\"schema_version\":1,\"name\":\"external\",\"default\":\"read\"}", "{\"account_id\":\"%A\"}",
		 "role:external;account_id=%A"},
		{"{\"schema_version\":1,\"name\":\"tier1\",\"default\":\"read\",\"objects\":{\"Case\":{\"where\":"
		 "\"AccountId = :account_id\"}}}",
		 "{\"contact_id\":\"%C\"}", "role:tier1;account_id=%A;contact_id=%C"},
		/* a name cannot pass for another role's key */
		{"{\"schema_version\":1,\"name\":\"x;account_id=%A\",\"default\":\"read\"}", NULL,
		 "role:x%3Baccount_id%3D%A"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *fill[3] = {role, want, NULL};
		const char *src[3] = {cases[i].policy, cases[i].want, cases[i].bindings};
		char binds[300];
		fill[2] = binds;
		for (int k = 0; k < 3; k++) {
			if (!src[k]) {
				fill[k][0] = 0;
				continue;
			}
			size_t n = 0;
			for (const char *p = src[k]; *p && n < 250; p++) {
				if (p[0] == '%' && (p[1] == 'A' || p[1] == 'C')) {
					n += (size_t)snprintf(fill[k] + n, 300 - n, "%s", p[1] == 'A' ? acc : c0);
					p++;
				} else {
					fill[k][n++] = *p;
				}
			}
			fill[k][n] = 0;
		}
		crmw_role *r = NULL;
		if (crmw_role_new(&r, db, role, cases[i].bindings ? binds : NULL))
			fail_msg("role %s: %s", role, crmw_last_error());
		crmw_buf b = CRMW_BUF_INIT;
		assert_int_equal(crmw__role_scope(&b, r), CRMW_OK);
		if (strcmp(b.data, want) != 0)
			fail_msg("role %s: scope %s, expected %s", role, b.data, want);
		crmw_buf_dispose(&b);
		crmw_role_free(r);
	}
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__role_scope(&b, NULL), CRMW_OK);
	assert_string_equal(b.data, "internal");
	crmw_buf_dispose(&b);
	json_decref(rows);
}

/* Turn limits, output caps, observation caps. */
static int loop_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	(void)req;
	const char *text = ud;
	return crmw_response_set_text(resp, text, strlen(text));
}

static crmw_backend text_backend(const char *text)
{
	return table(loop_complete, (void *)text);
}

static void test_limits(void **state)
{
	(void)state;
	json_t *t = task_json(0);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":3,\"max_observation_bytes\":200}"), CRMW_OK);
	crmw_backend b = text_backend("<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":[\"Closed\"]}}</tool_call>");
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "max_turns");
	assert_int_equal(json_integer_value(json_object_get(tr, "turns")), 3);
	assert_true(json_real_value(json_object_get(tr, "reward")) == 0.0);
	json_t *msgs = json_object_get(tr, "messages");
	const char *obs = json_string_value(json_object_get(json_array_get(msgs, 3), "content"));
	assert_non_null(strstr(obs, "[truncated:"));
	assert_true(strlen(obs) < 600);
	json_decref(tr);
	crmw_agent_free(a);

	/* a long output is cut before it is parsed, and the model is told */
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":1,\"max_output_bytes\":100}"), CRMW_OK);
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *head = "<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"x\":\"";
	memcpy(big, head, strlen(head));
	b = text_backend(big);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = run(a, t, NULL);
	char *d = dumps(json_object_get(tr, "decisions"));
	assert_non_null(strstr(d, "longer than 100 bytes"));
	free(d);
	json_decref(tr);
	crmw_agent_free(a);

	/* A host's registry keeps its query limits: an episode sets only its
	 * today and role (it used to put every default back, so a host's time
	 * budget or row cap was lost). */
	crmw_query_opts *qo;
	crmw_registry *reg;
	assert_int_equal(crmw_query_opts_new(&qo), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_rows(qo, 2), CRMW_OK);
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query,crmarena", db, qo), CRMW_OK);
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":2}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	b = text_backend("<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":[\"Closed\"]}}</tool_call>");
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	for (int round = 0; round < 2; round++) { /* the second episode too */
		tr = run(a, t, NULL);
		obs = json_string_value(json_object_get(json_array_get(json_object_get(tr, "messages"), 3), "content"));
		assert_non_null(obs);
		assert_non_null(strstr(obs, "[truncated: showing the first 2 of"));
		json_decref(tr);
	}
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_query_opts_free(qo);
	json_decref(t);
}

/* Failing, silent, aborting and garbage backends end the episode cleanly. */
static void test_bad_backends(void **state)
{
	(void)state;
	json_t *t = task_json(1);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":4}"), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	char *tj = dumps(t);
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_ESTATE); /* no backend yet */
	assert_non_null(strstr(crmw_agent_errmsg(a), "no backend"));

	model m = new_model(t);
	m.fail_at = 1;
	crmw_backend b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "HTTP 503"));
	assert_int_equal(json_integer_value(json_object_get(tr, "turns")), 1);
	assert_true(json_is_true(json_object_get(tr, "done")));
	json_decref(tr);

	m = new_model(t);
	m.nothing = true;
	b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "backend_error");
	assert_non_null(strstr(json_string_value(json_object_get(tr, "error")), "set no response"));
	json_decref(tr);

	m = new_model(t);
	m.garbage = true;
	b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "max_turns");
	json_t *d0 = json_array_get(json_object_get(tr, "decisions"), 0);
	const char *fe = json_string_value(json_object_get(d0, "format_error"));
	assert_non_null(fe);
	assert_non_null(strstr(fe, "tool_call"));
	/* the model saw the format error as a user message */
	json_t *msgs = json_object_get(tr, "messages");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 3), "content")), fe);
	json_decref(tr);

	m = new_model(t);
	m.abort_at = 1;
	b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_EUSER);
	tr = json_loads(out.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "aborted");
	json_decref(tr);

	/* a bad table is refused and its userdata freed */
	destroyed = 0;
	b = backend_of(&m);
	b.destroy = count_destroy;
	b.struct_size = 8; /* too short to hold destroy: it cannot be called */
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_EINVALID);
	assert_non_null(strstr(crmw_agent_errmsg(a), "struct_size"));
	assert_int_equal(destroyed, 0);
	b.struct_size = sizeof b;
	b.complete = NULL;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_EINVALID);
	assert_int_equal(destroyed, 1);
	b = backend_of(&m);
	b.destroy = count_destroy;
	b.version = 99;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_EINVALID);
	assert_int_equal(destroyed, 2);
	b = backend_of(&m);
	b.destroy = count_destroy;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	assert_int_equal(destroyed, 2);
	assert_int_equal(crmw_agent_set_backend(a, NULL), CRMW_OK); /* the copy goes: destroy runs once */
	assert_int_equal(destroyed, 3);

	crmw_buf_dispose(&out);
	free(tj);
	json_decref(t);
	crmw_agent_free(a);
}

/* Approval: vetoed calls tell the model; an aborting approver ends it. */
static int veto_cases(int32_t *allow, crmw_buf *reason, const char *call, void *ud)
{
	int *n = ud;
	(*n)++;
	json_t *c = json_loads(call, 0, NULL);
	assert_non_null(json_object_get(c, "arguments"));
	assert_non_null(json_object_get(c, "episode_id"));
	const char *name = json_string_value(json_object_get(c, "name"));
	if (strcmp(name, "get_agent_handled_cases_by_period") == 0) {
		*allow = 0;
		const char *r = "Case data is off limits in this demo.";
		assert_int_equal(crmw_buf_set(reason, r, strlen(r)), CRMW_OK);
	}
	json_decref(c);
	return *n > 50 ? 1 : 0;
}

static void test_veto(void **state)
{
	(void)state;
	json_t *t = NULL;
	for (int64_t i = 0; i < crmw_task_set_count(tasks) && !t; i++) {
		json_t *x = task_json(i);
		if (strcmp(json_string_value(json_object_get(x, "family")), "handle_time") == 0)
			t = x;
		else
			json_decref(x);
	}
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":3}"), CRMW_OK);
	int n = 0;
	assert_int_equal(crmw_agent_set_approver(a, veto_cases, &n, NULL), CRMW_OK);
	model m = new_model(t);
	crmw_backend b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = run(a, t, NULL);
	json_t *d1 = json_array_get(json_object_get(tr, "decisions"), 1);
	json_t *act = json_array_get(json_object_get(d1, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(act, "status")), "vetoed");
	assert_non_null(strstr(json_string_value(json_object_get(act, "observation")), "VETOED"));
	assert_non_null(strstr(json_string_value(json_object_get(act, "observation")), "off limits"));
	assert_true(n >= 2);
	json_decref(tr);

	n = 100; /* the approver now aborts */
	m = new_model(t);
	b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	char *tj = dumps(t);
	assert_int_equal(crmw_agent_run(&out, a, tj, NULL), CRMW_EUSER);
	tr = json_loads(out.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "aborted");
	json_decref(tr);
	free(tj);
	crmw_buf_dispose(&out);
	json_decref(t);
	crmw_agent_free(a);
}

/* Cancellation: of a session, and of a blocking run from another thread. */
typedef struct canceller {
	crmw_agent *a;
	model *m;
} canceller;

static void *cancel_thread(void *p)
{
	canceller *c = p;
	for (int i = 0; i < 5000 && !c->m->waiting; i++)
		usleep(1000);
	crmw_agent_cancel(c->a);
	return NULL;
}

static void test_cancel(void **state)
{
	(void)state;
	json_t *t = task_json(2);
	char *tj = dumps(t);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	crmw_session *s;
	assert_int_equal(crmw_session_new(&s, a, tj, NULL), CRMW_OK);
	crmw_buf buf = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &buf, s), CRMW_OK);
	assert_int_equal(step, CRMW_STEP_MODEL);
	crmw_session_cancel(s);
	assert_int_equal(crmw_session_next(&step, &buf, s), CRMW_OK);
	assert_int_equal(step, CRMW_STEP_DONE);
	json_t *tr = json_loads(buf.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	json_decref(tr);
	crmw_session_free(s);

	model m = new_model(t);
	m.wait_cancel = true;
	crmw_backend b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	canceller c = {a, &m};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, cancel_thread, &c), 0);
	tr = run(a, t, NULL);
	pthread_join(th, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "canceled");
	json_decref(tr);
	/* a run after the cancel is not affected */
	m = new_model(t);
	b = backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	tr = run(a, t, NULL);
	assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
	json_decref(tr);
	crmw_buf_dispose(&buf);
	free(tj);
	json_decref(t);
	crmw_agent_free(a);
}

/* Multi-turn: the simulated user reveals the task; it stops when answered. */
static void test_multi_turn(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"multi_turn\":true,\"max_turns\":30}"), CRMW_OK);
	int done = 0;
	for (int64_t i = 0; i < crmw_task_set_count(tasks) && done < 5; i++) {
		json_t *t = task_json(i);
		json_t *cl = json_object_get(json_object_get(t, "context"), "clauses");
		if (json_array_size(cl) < 2) {
			json_decref(t);
			continue;
		}
		model m = new_model(t);
		crmw_backend b = backend_of(&m);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *tr = run(a, t, NULL);
		json_t *msgs = json_object_get(tr, "messages");
		/* the persona user opens with the first clause in its voice */
		assert_non_null(strstr(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
				       json_string_value(json_array_get(cl, 0))));
		assert_string_equal(json_string_value(json_object_get(json_object_get(tr, "user"), "mode")), "persona");
		assert_string_equal(json_string_value(json_object_get(tr, "end_reason")), "answered");
		assert_true(json_real_value(json_object_get(tr, "reward")) == 1.0);
		json_decref(tr);
		json_decref(t);
		done++;
	}
	assert_int_equal(done, 5);
	crmw_agent_free(a);
}

/* Bad input gets clear errors. */
static void test_bad_input(void **state)
{
	(void)state;
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turn\":3}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "max_turns"));
	assert_int_equal(crmw_agent_new(&a, db, "{\"mode\":\"chat\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":0}"), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, db, "{\"memory\":{\"kk\":1}}"), CRMW_EINVALID);
	assert_int_equal(crmw_agent_new(&a, db, "{\"tools\":\"crmarena,nope\"}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_agent_new(&a, db, "not json"), CRMW_EFORMAT);
	assert_null(a);
	assert_int_equal(crmw_agent_new(&a, db, NULL), CRMW_OK);
	crmw_session *s = NULL;
	assert_int_equal(crmw_session_new(&s, a, "{\"family\":\"x\"}", NULL), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "query"));
	assert_int_equal(crmw_session_new(&s, a, "[1]", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"q\",\"answer\":5}", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"q\",\"context\":{\"today\":\"May\"}}", NULL), CRMW_EINVALID);
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"q\"}", "{\"episode\":1}"), CRMW_EINVALID);
	assert_null(s);
	/* a host's task without an answer runs but has no reward */
	assert_int_equal(crmw_session_new(&s, a, "{\"query\":\"How many cases are open?\"}", NULL), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_feed_error(s, "down"), CRMW_ESTATE); /* nothing asked yet */
	assert_int_equal(crmw_session_next(&step, &b, s), CRMW_OK);
	assert_int_equal(crmw_session_feed_error(s, "down"), CRMW_OK);
	assert_int_equal(crmw_session_trajectory(&b, s), CRMW_OK);
	json_t *tr = json_loads(b.data, 0, NULL);
	assert_true(json_is_null(json_object_get(tr, "reward")));
	assert_string_equal(json_string_value(json_object_get(tr, "task_family")), "custom");
	json_decref(tr);
	assert_int_equal(crmw_session_feed_error(s, "again"), CRMW_ESTATE);
	crmw_session_free(s);
	/* the public parser */
	const char *out = "<think>x</think>Action: get_cases\nAction Input: {\"statuses\": [\"New\"]}";
	assert_int_equal(crmw_parse_model_output(&b, out, strlen(out), NULL), CRMW_OK);
	json_t *p = json_loads(b.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(p, "dialect")), "action");
	assert_int_equal(json_array_size(json_object_get(p, "actions")), 1);
	json_decref(p);
	assert_int_equal(crmw_parse_model_output(&b, out, strlen(out), "{\"prefix\":1}"), CRMW_EINVALID);
	crmw_buf_dispose(&b);
	crmw_agent_free(a);
}

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
	return cmocka_run_group_tests(tests, setup, teardown);
}
