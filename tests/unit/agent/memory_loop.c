/*
 * A shared memory in the loop: retrieval, counters, write-back with the
 * plan, distillation.
 */

#include "fixture.h"

/* Memory: the first task writes a guideline with its plan; a second task of
 * the same family retrieves it, and its counters move with the reward. */
void test_memory_loop(void **state)
{
	(void)state;
	char mpath[400];
	snprintf(mpath, sizeof mpath, "%s/mem.db", fx_dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"memory\":{\"write\":true,\"k\":3,\"min_score\":0.2,\"same_family\":true}}"),
			 CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	/* two tasks of one family with a multi-step program */
	int64_t first = -1, second = -1;
	for (int64_t i = 0; i < crmw_task_set_count(fx_tasks) && second < 0; i++) {
		json_t *t = fx_task_json(i);
		if (strcmp(json_string_value(json_object_get(t, "family")), "handle_time") == 0)
			first < 0 ? (first = i) : (second = i);
		json_decref(t);
	}
	assert_true(second > first && first >= 0);
	json_t *t1 = fx_task_json(first), *t2 = fx_task_json(second);
	model m = fx_new_model(t1);
	crmw_backend b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr1 = fx_run(a, t1, NULL);
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
	char *ps = fx_dumps(steps);
	assert_non_null(strstr(ps, "\"$ref\":\"/0/start_date\""));
	free(ps);
	assert_string_equal(json_string_value(json_object_get(plan, "answer_source")), "ref");
	assert_non_null(strstr(json_string_value(json_object_get(entry, "text")), "get_period"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(entry, "provenance"), 0)),
			    json_string_value(json_object_get(tr1, "episode_id")));
	json_decref(entry);

	/* the second task retrieves it and puts it in the prompt */
	model m2 = fx_new_model(t2);
	crmw_backend b2 = fx_backend_of(&m2);
	assert_int_equal(crmw_agent_set_backend(a, &b2), CRMW_OK);
	json_t *tr2 = fx_run(a, t2, NULL);
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
	model m3 = fx_new_model(t2);
	m3.fail_at = 0;
	crmw_backend b3 = fx_backend_of(&m3);
	assert_int_equal(crmw_agent_set_backend(a, &b3), CRMW_OK);
	json_t *tr3 = fx_run(a, t2, NULL);
	assert_string_equal(json_string_value(json_object_get(tr3, "end_reason")), "backend_error");
	assert_true(json_is_null(json_object_get(tr3, "memory_written")));
	/* backend errors are not the memory's fault: no failure counted */
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	entry = json_loads(e.data, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(entry, "counters"), "failure")), 0);
	json_decref(entry);

	/* distillation: the backend words the guideline */
	crmw_memory_free(mem);
	snprintf(mpath, sizeof mpath, "%s/mem2.db", fx_dir);
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	model m4 = fx_new_model(t1);
	m4.distill_text = "Resolve the period first, then count only the cases that were never transferred.";
	crmw_backend b4 = fx_backend_of(&m4);
	assert_int_equal(crmw_agent_set_backend(a, &b4), CRMW_OK);
	json_t *tr4 = fx_run(a, t1, NULL);
	assert_int_equal(m4.distills, 1);
	gid = json_integer_value(json_object_get(json_object_get(tr4, "memory_written"), "id"));
	assert_int_equal(crmw_memory_get(&e, mem, gid), CRMW_OK);
	entry = json_loads(e.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(entry, "text")), m4.distill_text);
	assert_string_equal(json_string_value(json_object_get(json_object_get(entry, "metadata"), "source")), "distilled");
	json_decref(entry);

	/* an unusable distillation falls back to the trajectory's guideline */
	crmw_memory_free(mem);
	snprintf(mpath, sizeof mpath, "%s/mem3.db", fx_dir);
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	model m5 = fx_new_model(t1);
	m5.distill_text = "";
	crmw_backend b5 = fx_backend_of(&m5);
	assert_int_equal(crmw_agent_set_backend(a, &b5), CRMW_OK);
	json_t *tr5 = fx_run(a, t1, NULL);
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
