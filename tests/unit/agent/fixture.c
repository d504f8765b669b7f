/* The shared fixtures of test-agent (fixture.h). */

#include "fixture.h"

char fx_dir[256];
static char org_path[300];
crmw_db *fx_db;
crmw_task_set *fx_tasks;

/* ------------------------------------------------------------ fixtures */

int fx_setup(void **state)
{
	(void)state;
	snprintf(fx_dir, sizeof fx_dir, "/tmp/crmw-agent-XXXXXX");
	if (!mkdtemp(fx_dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", fx_dir);
	if (crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":5,\"scale\":0.3}", NULL, NULL))
		return -1;
	if (crmw_db_open(&fx_db, org_path, CRMW_DB_READONLY))
		return -1;
	return crmw_tasks_generate(&fx_tasks, NULL, fx_db, "{\"per_family\":4,\"seed\":11}") ? -1 : 0;
}

int fx_teardown(void **state)
{
	(void)state;
	crmw_task_set_free(fx_tasks);
	crmw_db_free(fx_db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
	return system(cmd) == 0 ? 0 : -1;
}

json_t *fx_task_json(int64_t i)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, fx_tasks, i), CRMW_OK);
	json_t *t = json_loads(b.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&b);
	return t;
}

char *fx_dumps(const json_t *v)
{
	char *t = json_dumps(v, JSON_COMPACT);
	assert_non_null(t);
	return t;
}

/* ------------------------------------------------ the gold-following model */


/* The results the model has seen: the content of every tool message. */
json_t *fx_seen_results(const json_t *req)
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

void fx_write_call(crmw_response *resp, int dialect, int turn, const char *name, json_t *args)
{
	char *a = fx_dumps(args);
	int kind = 0; /* 0 call_text, 1 message */
	switch (dialect) {
	case D_OPENAI: {
		json_t *m = json_pack("{s:s, s:n, s:[{s:s, s:s, s:{s:s, s:s}}]}", "role", "assistant", "content",
				      "tool_calls", "id", "c1", "type", "function", "function", "name", name, "arguments", a);
		char *t = fx_dumps(m);
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
		char *t = fx_dumps(m);
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
		char *t = fx_dumps(m);
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
	char *ans = fx_dumps(json_object_get(m->task, "gold"));
	assert_null(strstr(rj, "\"gold\""));
	free(ans);
	json_t *results = fx_seen_results(r);
	size_t step = json_array_size(results);
	const json_t *gold = json_object_get(m->task, "gold");
	const json_t *st = json_array_get(gold, step);
	assert_non_null(st);
	char why[300] = "";
	json_t *args = crmw__gold_resolve(json_object_get(st, "arguments"), results, why, sizeof why);
	assert_non_null(args);
	int d = m->dialect >= 0 ? m->dialect : call % D_N;
	fx_write_call(resp, d, call, json_string_value(json_object_get(st, "name")), args);
	if (m->prompt_tokens)
		crmw_response_set_usage(resp, m->prompt_tokens, 10);
	json_decref(args);
	json_decref(results);
	json_decref(r);
	return 0;
}

crmw_backend fx_table(crmw_complete_fn fn, void *ud)
{
	crmw_backend b;
	memset(&b, 0, sizeof b);
	b.struct_size = sizeof b;
	b.version = CRMW_BACKEND_VERSION;
	b.userdata = ud;
	b.complete = fn;
	return b;
}

crmw_backend fx_backend_of(model *m)
{
	return fx_table(gold_complete, m);
}

model fx_new_model(const json_t *task)
{
	model m;
	memset(&m, 0, sizeof m);
	m.task = task;
	m.dialect = -1;
	m.fail_at = -1;
	m.abort_at = -1;
	return m;
}

json_t *fx_run(crmw_agent *a, const json_t *task, const char *opts)
{
	crmw_buf out = CRMW_BUF_INIT;
	char *tj = fx_dumps(task);
	int rc = crmw_agent_run(&out, a, tj, opts);
	free(tj);
	assert_int_equal(rc, CRMW_OK);
	json_t *t = json_loads(out.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&out);
	return t;
}
