/*
 * ReAct: raw SOQL through <execute>, the answer through <respond>, on a
 * scripted task and on generated case_routing tasks.
 */

#include "fixture.h"

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

void test_react_episode(void **state)
{
	(void)state;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, fx_db, "SELECT Id, Subject FROM Case ORDER BY Id LIMIT 1", 48, NULL), CRMW_OK);
	json_t *rows = json_loads(b.data, 0, NULL);
	const char *id = json_string_value(json_object_get(json_array_get(rows, 0), "Id"));
	json_t *task = json_pack("{s:s, s:s++, s:[O], s:s}", "family", "custom", "query", "What is the subject of case ",
				 id, "?", "answer", json_object_get(json_array_get(rows, 0), "Subject"), "reward_metric",
				 "exact_match");
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"mode\":\"react\"}"), CRMW_OK);
	crmw_backend be = fx_table(react_complete, (void *)id);
	assert_int_equal(crmw_agent_set_backend(a, &be), CRMW_OK);
	json_t *tr = fx_run(a, task, NULL);
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

void test_react_generated(void **state)
{
	(void)state;
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"mode\":\"react\"}"), CRMW_OK);
	int solved = 0;
	for (int64_t i = 0; i < crmw_task_set_count(fx_tasks); i++) {
		json_t *t = fx_task_json(i);
		if (strcmp(json_string_value(json_object_get(t, "family")), "case_routing") != 0) {
			json_decref(t);
			continue;
		}
		routing_model rm = {json_string_value(
					    json_array_get(json_object_get(json_array_get(json_object_get(t, "gold"), 0), "expect_contains"), 0)),
				    false};
		assert_non_null(rm.issue);
		crmw_backend b = fx_table(routing_complete, &rm);
		assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
		json_t *tr = fx_run(a, t, NULL);
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
