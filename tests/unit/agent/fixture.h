/* test-agent: what its aspect files share (fixture.c) and the list of its
 * tests (main.c runs them). */
#ifndef CRMW_TEST_AGENT_FIXTURE_H
#define CRMW_TEST_AGENT_FIXTURE_H

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

/* The org and its generated tasks (setup and teardown). */
extern char fx_dir[256];
extern crmw_db *fx_db;
extern crmw_task_set *fx_tasks;
int fx_setup(void **state);
int fx_teardown(void **state);
/* Task i of fx_tasks, parsed; a value as compact JSON text (free it). */
json_t *fx_task_json(int64_t i);
char *fx_dumps(const json_t *v);

/* The gold-following model (fixture.c): it follows the task's gold program,
 * one call per turn, in the dialect `dialect` (-1: each in turn). */
json_t *fx_seen_results(const json_t *req);
void fx_write_call(crmw_response *resp, int dialect, int turn, const char *name, json_t *args);
/* A backend table for fn and ud; one for model m. */
crmw_backend fx_table(crmw_complete_fn fn, void *ud);
crmw_backend fx_backend_of(model *m);
model fx_new_model(const json_t *task);
/* A blocking run of the agent on task (with run options opts): the trajectory. */
json_t *fx_run(crmw_agent *a, const json_t *task, const char *opts);

/* The tests, by aspect (main.c lists them in the order they run). */

/* episodes.c */
void test_tools_episodes(void **state);
void test_messages_shape(void **state);
void test_stepwise_equals_blocking(void **state);

/* react.c */
void test_react_episode(void **state);
void test_react_generated(void **state);

/* memory_loop.c */
void test_memory_loop(void **state);

/* memory_customers.c */
void test_memory_customers(void **state);
void test_memory_scope_keys(void **state);

/* limits.c */
void test_limits(void **state);

/* bad_backends.c */
void test_bad_backends(void **state);

/* control.c */
void test_veto(void **state);
void test_cancel(void **state);
void test_multi_turn(void **state);

/* bad_input.c */
void test_bad_input(void **state);

#endif
