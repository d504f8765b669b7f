/*
 * Unit tests of the RL environment: reset and step give the agent loop's
 * episode, bad output never breaks an environment, errors, group
 * statistics, many threads and batches over workers, memory write-back
 * under concurrency, and 2,048 environments at once.
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

static char dir[256];
static char org_path[300];
static crmw_db *db;
static crmw_task_set *tasks;
static json_t *scripts; /* per task: the gold backend's assistant messages, as text */
static json_t *golden;  /* per task: the agent loop's trajectory */

/* The agent loop with the gold backend: the reference episodes. */
static int record(void)
{
	crmw_agent *a;
	crmw_backend g;
	if (crmw_agent_new(&a, db, NULL) || crmw_backend_gold(&g, db, NULL) || crmw_agent_set_backend(a, &g))
		return -1;
	scripts = json_array();
	golden = json_array();
	crmw_buf t = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	for (int64_t i = 0; i < crmw_task_set_count(tasks); i++) {
		if (crmw_task_set_get(&t, tasks, i) || crmw_agent_run(&out, a, t.data, NULL))
			return -1;
		json_t *tr = json_loads(out.data, 0, NULL), *msgs = json_array();
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(tr, "messages"), k, m) {
			if (strcmp(json_string_value(json_object_get(m, "role")), "assistant") == 0) {
				char *text = json_dumps(m, JSON_COMPACT);
				json_array_append_new(msgs, json_string(text));
				free(text);
			}
		}
		json_array_append_new(scripts, msgs);
		json_array_append_new(golden, tr);
	}
	crmw_buf_dispose(&t);
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-env-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	if (crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":7,\"scale\":0.3}", NULL, NULL))
		return -1;
	if (crmw_db_open(&db, org_path, CRMW_DB_READONLY))
		return -1;
	if (crmw_tasks_generate(&tasks, NULL, db, "{\"per_family\":3,\"seed\":4}"))
		return -1;
	return record();
}

static int teardown(void **state)
{
	(void)state;
	json_decref(scripts);
	json_decref(golden);
	crmw_task_set_free(tasks);
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static json_t *parse(const crmw_buf *b)
{
	json_t *j = json_loadb(b->data, b->len, 0, NULL);
	assert_non_null(j);
	return j;
}

static const char *script(size_t task, size_t turn)
{
	return json_string_value(json_array_get(json_array_get(scripts, task), turn));
}

static void reset_index(crmw_env *e, int64_t i, crmw_buf *obs)
{
	char r[64];
	snprintf(r, sizeof r, "{\"index\":%lld}", (long long)i);
	assert_int_equal(crmw_env_reset(obs, e, r), CRMW_OK);
}

/* Run task i's script through env e; returns the last step's JSON. */
static json_t *play(crmw_env *e, int64_t i)
{
	crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	reset_index(e, i, &obs);
	json_t *last = NULL;
	for (size_t k = 0; k < json_array_size(json_array_get(scripts, (size_t)i)); k++) {
		const char *o = script((size_t)i, k);
		assert_int_equal(crmw_env_step(&out, e, o, strlen(o)), CRMW_OK);
		json_decref(last);
		last = parse(&out);
	}
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&out);
	return last;
}

/* What must agree between two runs of an episode. */
static char *essence(const json_t *tr)
{
	json_t *e = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "messages", json_object_get(tr, "messages"), "tools",
			      json_object_get(tr, "tools"), "answer", json_object_get(tr, "answer"), "reward",
			      json_object_get(tr, "reward"), "reward_info", json_object_get(tr, "reward_info"), "turns",
			      json_object_get(tr, "turns"), "end_reason", json_object_get(tr, "end_reason"));
	char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(e);
	return s;
}

/* ------------------------------------------------------------------ tests */

static void test_same_as_agent_loop(void **state)
{
	(void)state;
	crmw_env_pool *p;
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":0}"), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	crmw_env *e;
	assert_int_equal(crmw_env_new(&e, p), CRMW_OK);
	crmw_buf obs = CRMW_BUF_INIT, tr = CRMW_BUF_INIT;
	for (int64_t i = 0; i < crmw_task_set_count(tasks); i++) {
		/* the first observation: system and user messages, the tools */
		reset_index(e, i, &obs);
		json_t *o = parse(&obs);
		json_t *g = json_array_get(golden, (size_t)i);
		assert_string_equal(json_string_value(json_object_get(o, "task_id")), json_string_value(json_object_get(g, "task_id")));
		assert_int_equal(json_array_size(json_object_get(o, "messages")), 2);
		assert_true(json_equal(json_array_get(json_object_get(o, "messages"), 0),
				       json_array_get(json_object_get(g, "messages"), 0)));
		assert_true(json_equal(json_object_get(o, "tools"), json_object_get(g, "tools")));
		assert_int_equal(json_integer_value(json_object_get(o, "turn")), 0);
		json_decref(o);
		json_t *last = play(e, i);
		assert_true(json_is_true(json_object_get(last, "done")));
		assert_true(json_real_value(json_object_get(last, "reward")) == 1.0);
		assert_string_equal(json_string_value(json_object_get(json_object_get(last, "info"), "end_reason")), "answered");
		json_decref(last);
		/* the trajectory is the agent loop's */
		assert_int_equal(crmw_env_trajectory(&tr, e), CRMW_OK);
		json_t *t = parse(&tr);
		char *a = essence(t), *b = essence(g);
		assert_string_equal(a, b);
		free(a);
		free(b);
		json_decref(t);
	}
	/* a step after the end */
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_env_step(&out, e, "hi", 2), CRMW_ESTATE);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&tr);
	crmw_env_free(e);
	crmw_env_pool_free(p);
}

/* Steps give exactly the new messages, one observation per call. */
static void test_step_messages(void **state)
{
	(void)state;
	crmw_env_pool *p;
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":0}"), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	crmw_env *e;
	assert_int_equal(crmw_env_new(&e, p), CRMW_OK);
	crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	/* a task with at least two tool calls */
	int64_t i = 0;
	while (json_array_size(json_array_get(scripts, (size_t)i)) < 3)
		i++;
	reset_index(e, i, &obs);
	size_t total = 2;
	for (size_t k = 0; k < json_array_size(json_array_get(scripts, (size_t)i)); k++) {
		const char *o = script((size_t)i, k);
		assert_int_equal(crmw_env_step(&out, e, o, strlen(o)), CRMW_OK);
		json_t *s = parse(&out);
		json_t *msgs = json_object_get(s, "messages");
		assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")), "assistant");
		total += json_array_size(msgs);
		json_t *info = json_object_get(s, "info");
		assert_int_equal(json_integer_value(json_object_get(info, "turn")), (json_int_t)k + 1);
		if (!json_is_true(json_object_get(s, "done"))) {
			assert_true(json_is_null(json_object_get(s, "reward")));
			assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "role")), "tool");
			assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(info, "actions"), 0),
									      "status")),
					    "ok");
		}
		json_decref(s);
	}
	assert_int_equal(total, json_array_size(json_object_get(json_array_get(golden, (size_t)i), "messages")));
	/* reset without tools; explicit episode id */
	assert_int_equal(crmw_env_reset(&obs, e, "{\"seed\":42,\"tools\":false,\"episode_id\":\"ep-1\"}"), CRMW_OK);
	json_t *o = parse(&obs);
	assert_null(json_object_get(o, "tools"));
	assert_string_equal(json_string_value(json_object_get(o, "episode_id")), "ep-1");
	json_decref(o);
	/* the same seed gives the same task; episode ids differ per reset */
	assert_int_equal(crmw_env_reset(&obs, e, "{\"seed\":42}"), CRMW_OK);
	json_t *o1 = parse(&obs);
	assert_int_equal(crmw_env_reset(&obs, e, "{\"seed\":42}"), CRMW_OK);
	json_t *o2 = parse(&obs);
	assert_string_equal(json_string_value(json_object_get(o1, "task_id")), json_string_value(json_object_get(o2, "task_id")));
	assert_string_not_equal(json_string_value(json_object_get(o1, "episode_id")),
				json_string_value(json_object_get(o2, "episode_id")));
	json_decref(o1);
	json_decref(o2);
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&out);
	crmw_env_free(e);
	crmw_env_pool_free(p);
}

/* Garbage, empty, huge and hostile outputs: observations, never a break. */
static void test_bad_output(void **state)
{
	(void)state;
	crmw_env_pool *p;
	/* text without a call is a format error here, not the final answer */
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":0,\"agent\":{\"max_turns\":50,\"text_answer\":false}}"),
			 CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	crmw_env *e;
	assert_int_equal(crmw_env_new(&e, p), CRMW_OK);
	crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	reset_index(e, 0, &obs);
	size_t big = 300000;
	char *huge = malloc(big);
	memset(huge, '{', big);
	const char *bad[] = {"", "\xff\xfe\x00garbage", "<tool_call>{\"name\": \"get_cases\", \"arguments\": {", 
			     "{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"no_such_tool\",\"arguments\":\"{}\"}}]}",
			     "<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":42}}</tool_call>"};
	size_t lens[] = {0, sizeof "\xff\xfe\x00garbage" - 1, strlen(bad[2]), strlen(bad[3]), strlen(bad[4])};
	for (size_t k = 0; k < 5; k++) {
		assert_int_equal(crmw_env_step(&out, e, bad[k], lens[k]), CRMW_OK);
		json_t *s = parse(&out);
		assert_false(json_is_true(json_object_get(s, "done")));
		json_t *info = json_object_get(s, "info");
		assert_true(json_object_get(info, "format_error") ||
			    strcmp(json_string_value(json_object_get(json_array_get(json_object_get(info, "actions"), 0), "status")),
				   "ok") != 0);
		json_decref(s);
	}
	assert_int_equal(crmw_env_step(&out, e, huge, big), CRMW_OK);
	json_t *s = parse(&out);
	assert_false(json_is_true(json_object_get(s, "done")));
	json_decref(s);
	free(huge);
	/* still good: a real call right after, and after a reset */
	for (int round = 0; round < 2; round++) {
		if (round)
			reset_index(e, 0, &obs);
		const char *o = script(0, 0);
		assert_int_equal(crmw_env_step(&out, e, o, strlen(o)), CRMW_OK);
		s = parse(&out);
		assert_string_equal(json_string_value(json_object_get(
					    json_array_get(json_object_get(json_object_get(s, "info"), "actions"), 0), "status")),
				    "ok");
		json_decref(s);
	}
	/* errors of usage */
	crmw_env *fresh;
	assert_int_equal(crmw_env_new(&fresh, p), CRMW_OK);
	assert_int_equal(crmw_env_step(&out, fresh, "x", 1), CRMW_ESTATE);
	assert_int_equal(crmw_env_reset(&obs, fresh, "{}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_reset(&obs, fresh, "{\"index\":1,\"seed\":2}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_reset(&obs, fresh, "{\"index\":100000}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_reset(&obs, fresh, "{\"task\":{\"idx\":1}}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_reset(&obs, fresh, "{\"bogus\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_reset(&obs, fresh, "not json"), CRMW_EFORMAT);
	assert_int_equal(crmw_env_trajectory(&out, fresh), CRMW_ESTATE);
	crmw_env_free(fresh);
	/* a task given inline; text is the answer by default */
	crmw_env_pool *p2;
	assert_int_equal(crmw_env_pool_new(&p2, org_path, "{\"workers\":0}"), CRMW_OK);
	assert_int_equal(crmw_env_new(&fresh, p2), CRMW_OK);
	assert_int_equal(crmw_env_reset(&obs, fresh, "{\"task\":{\"id\":\"t1\",\"query\":\"How many cases are open?\"}}"), CRMW_OK);
	assert_int_equal(crmw_env_step(&out, fresh, "\xff\xfe garbage", 10), CRMW_OK);
	s = parse(&out);
	assert_true(json_is_true(json_object_get(s, "done")));
	assert_true(json_is_null(json_object_get(s, "reward"))); /* no answer to score against */
	json_decref(s);
	crmw_env_free(fresh);
	crmw_env_pool_free(p2);
	crmw_env_pool_set_tasks(p, NULL);
	assert_int_equal(crmw_env_reset(&obs, e, "{\"index\":0}"), CRMW_ESTATE);
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&out);
	crmw_env_free(e);
	crmw_env_pool_free(p);
	/* pool errors */
	int prc = crmw_env_pool_new(&p, "/nonexistent/org.db", NULL);
	assert_true(prc == CRMW_ENOTFOUND || prc == CRMW_EIO);
	assert_non_null(strstr(crmw_last_error(), "/nonexistent/org.db"));
	assert_null(p);
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":-1}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"memory\":\"sometimes\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"agent\":{\"max_turns\":0}}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "max_turns"));
}

static void test_group_stats(void **state)
{
	(void)state;
	double r[4] = {1, 0, 1, 0}, adv[4];
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_group_stats(&b, adv, r, 4), CRMW_OK);
	json_t *j = parse(&b);
	assert_true(json_real_value(json_object_get(j, "mean")) == 0.5);
	assert_true(json_real_value(json_object_get(j, "std")) == 0.5);
	assert_true(adv[0] > 0.99 && adv[0] < 1.0 && adv[1] < -0.99 && adv[1] > -1.0);
	assert_true(adv[0] + adv[1] + adv[2] + adv[3] == 0);
	json_decref(j);
	double same[3] = {1, 1, 1};
	assert_int_equal(crmw_group_stats(&b, adv, same, 3), CRMW_OK);
	assert_true(adv[0] == 0 && adv[2] == 0);
	assert_int_equal(crmw_group_stats(&b, NULL, NULL, 0), CRMW_OK);
	assert_int_equal(crmw_group_stats(&b, NULL, NULL, 2), CRMW_EINVALID);
	crmw_buf_dispose(&b);
}

/* ----------------------------------------------------------------- threads */

typedef struct thr {
	crmw_env_pool *p;
	int first, count, rounds;
	int solved;
} thr;

static void *stepper(void *arg)
{
	thr *t = arg;
	crmw_env *e;
	if (crmw_env_new(&e, t->p))
		return NULL;
	int64_t n = crmw_task_set_count(tasks);
	for (int r = 0; r < t->rounds; r++)
		for (int k = 0; k < t->count; k++) {
			json_t *last = play(e, (t->first + k) % n);
			t->solved += json_real_value(json_object_get(last, "reward")) == 1.0;
			json_decref(last);
		}
	crmw_env_free(e);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	crmw_env_pool *p;
	assert_int_equal(crmw_env_pool_new(&p, org_path, NULL), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	enum { T = 8 };
	thr t[T];
	pthread_t th[T];
	for (int i = 0; i < T; i++) {
		t[i] = (thr){p, i * 5, 12, 2, 0};
		assert_int_equal(pthread_create(&th[i], NULL, stepper, &t[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(t[i].solved, 24);
	}
	crmw_env_pool_free(p);
}

/* Batches over two workers give what stepping one by one gives. */
static void test_batch(void **state)
{
	(void)state;
	crmw_env_pool *p;
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":2}"), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	int64_t n = crmw_task_set_count(tasks);
	crmw_env **envs = calloc((size_t)n, sizeof *envs);
	crmw_buf *outs = calloc((size_t)n, sizeof *outs);
	const char **outputs = calloc((size_t)n, sizeof *outputs);
	size_t *lens = calloc((size_t)n, sizeof *lens);
	int *rcs = calloc((size_t)n, sizeof *rcs);
	crmw_buf obs = CRMW_BUF_INIT;
	for (int64_t i = 0; i < n; i++) {
		assert_int_equal(crmw_env_new(&envs[i], p), CRMW_OK);
		reset_index(envs[i], i, &obs);
	}
	/* turn by turn: the environments still going */
	int solved = 0;
	for (size_t turn = 0;; turn++) {
		crmw_env **live = calloc((size_t)n, sizeof *live);
		int32_t m = 0;
		for (int64_t i = 0; i < n; i++)
			if (turn < json_array_size(json_array_get(scripts, (size_t)i))) {
				live[m] = envs[i];
				outputs[m] = script((size_t)i, turn);
				lens[m] = strlen(outputs[m]);
				m++;
			}
		if (m == 0) {
			free(live);
			break;
		}
		assert_int_equal(crmw_env_step_batch(p, live, outputs, lens, outs, rcs, m), CRMW_OK);
		for (int32_t k = 0; k < m; k++) {
			assert_int_equal(rcs[k], CRMW_OK);
			json_t *s = parse(&outs[k]);
			solved += json_is_true(json_object_get(s, "done")) && json_real_value(json_object_get(s, "reward")) == 1.0;
			json_decref(s);
		}
		free(live);
	}
	assert_int_equal(solved, n);
	/* an environment of another pool is refused */
	crmw_env_pool *q;
	assert_int_equal(crmw_env_pool_new(&q, org_path, "{\"workers\":0}"), CRMW_OK);
	assert_int_equal(crmw_env_step_batch(q, envs, outputs, lens, outs, rcs, 1), CRMW_EINVALID);
	crmw_env_pool_free(q);
	for (int64_t i = 0; i < n; i++) {
		crmw_env_free(envs[i]);
		crmw_buf_dispose(&outs[i]);
	}
	crmw_buf_dispose(&obs);
	free(envs);
	free(outs);
	free(outputs);
	free(lens);
	free(rcs);
	crmw_env_pool_free(p);
}

/* Eight threads write guidelines back at once: every solved episode is in
 * exactly one entry's provenance. */
static void test_memory_writeback(void **state)
{
	(void)state;
	char mp[400];
	snprintf(mp, sizeof mp, "%s/mem.db", dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mp, NULL), CRMW_OK);
	crmw_env_pool *p;
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"memory\":\"write\",\"agent\":{\"memory\":{\"k\":5,\"min_score\":0.1,\"programs\":true}}}"),
			 CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_memory(p, mem), CRMW_OK);
	enum { T = 8 };
	thr t[T];
	pthread_t th[T];
	int64_t n = crmw_task_set_count(tasks);
	for (int i = 0; i < T; i++) {
		t[i] = (thr){p, (int)(i * n / T), (int)((i + 1) * n / T - i * n / T), 2, 0};
		assert_int_equal(pthread_create(&th[i], NULL, stepper, &t[i]), 0);
	}
	int solved = 0;
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		solved += t[i].solved;
	}
	assert_int_equal(solved, 2 * n);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_memory_list(&b, mem, "{\"kind\":\"guideline\",\"limit\":100000}"), CRMW_OK);
	json_t *all = parse(&b);
	int64_t prov = 0;
	size_t i;
	json_t *x;
	json_array_foreach(all, i, x) prov += (int64_t)json_array_size(json_object_get(x, "provenance"));
	print_message("# %d solved episodes, %zu guidelines holding %lld provenance ids\n", solved, json_array_size(all),
		      (long long)prov);
	assert_int_equal(prov, solved);
	json_decref(all);
	crmw_buf_dispose(&b);
	/* the program entries (one per family): no example lost or kept twice
	 * by the concurrent writers, each example with its episode's id */
	assert_int_equal(crmw_memory_list(&b, mem, "{\"kind\":\"plan\",\"tags\":[\"program\"],\"limit\":0}"), CRMW_OK);
	all = parse(&b);
	json_t *ids = json_object(), *fams = json_object();
	int64_t examples = 0;
	json_array_foreach(all, i, x) {
		const char *fam = json_string_value(json_object_get(x, "family"));
		assert_null(json_object_get(fams, fam));
		json_object_set_new(fams, fam, json_true());
		const json_t *pv = json_object_get(x, "provenance");
		assert_int_equal(json_array_size(pv), json_array_size(json_object_get(json_object_get(x, "metadata"), "examples")));
		size_t k;
		json_t *id;
		json_array_foreach(pv, k, id) {
			assert_null(json_object_get(ids, json_string_value(id)));
			json_object_set_new(ids, json_string_value(id), json_true());
			examples++;
		}
	}
	print_message("# %zu program entries holding %lld examples\n", json_array_size(all), (long long)examples);
	assert_true(examples > 0 && examples <= solved);
	json_decref(ids);
	json_decref(fams);
	json_decref(all);
	crmw_buf_dispose(&b);
	crmw_env_pool_free(p);
	crmw_memory_free(mem);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 2,048 environments at once, each reset and stepped in batches. */
static void test_many(void **state)
{
	(void)state;
	enum { N = 2048 };
	crmw_env_pool *p;
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":2}"), CRMW_OK);
	assert_int_equal(crmw_env_pool_set_tasks(p, tasks), CRMW_OK);
	long before = rss_kib();
	crmw_env **envs = calloc(N, sizeof *envs);
	crmw_buf obs = CRMW_BUF_INIT;
	int64_t n = crmw_task_set_count(tasks);
	for (int i = 0; i < N; i++) {
		assert_int_equal(crmw_env_new(&envs[i], p), CRMW_OK);
		reset_index(envs[i], i % n, &obs);
	}
	long after = rss_kib();
	print_message("# 2048 environments after reset: %.1f KiB each\n", (double)(after - before) / N);
	assert_true((after - before) / N < 1024);
	const char **outputs = calloc(N, sizeof *outputs);
	size_t *lens = calloc(N, sizeof *lens);
	crmw_buf *outs = calloc(N, sizeof *outs);
	for (int i = 0; i < N; i++) {
		outputs[i] = script((size_t)(i % n), 0);
		lens[i] = strlen(outputs[i]);
	}
	int *rcs = calloc(N, sizeof *rcs);
	assert_int_equal(crmw_env_step_batch(p, envs, outputs, lens, outs, rcs, N), CRMW_OK);
	for (int i = 0; i < N; i++) {
		json_t *s = parse(&outs[i]);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "info"), "turn")), 1);
		json_decref(s);
		crmw_buf_dispose(&outs[i]);
		crmw_env_free(envs[i]);
	}
	crmw_buf_dispose(&obs);
	free(envs);
	free(outputs);
	free(lens);
	free(outs);
	free(rcs);
	crmw_env_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_agent_loop),
		cmocka_unit_test(test_step_messages),
		cmocka_unit_test(test_bad_output),
		cmocka_unit_test(test_group_stats),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_memory_writeback),
		cmocka_unit_test(test_many),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
