/*
 * Crashes, in child processes: deep conditions, nested subqueries, threads
 * with 128 KiB stacks.
 */

#include "fixture.h"

/* ---------------------------------------------- crashes, in children */

/* Run fn in a child process; the child's exit status (or -signal). */
static int in_child(int (*fn)(void *), void *arg, int *progress)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 100);
		_exit(fn(arg));
	}
	close(fds[1]);
	char buf[64];
	ssize_t got, total = 0;
	while ((got = read(fds[0], buf, sizeof buf)) > 0)
		total += got;
	close(fds[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (progress)
		*progress = (int)total;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static void step_done(void)
{
	if (write(100, "x", 1) != 1)
		_exit(9);
}

/* One query in a fresh handle: 0 when it answered or failed with a clear
 * error, 3 otherwise. */
static int child_query(void *arg)
{
	crmw_db *d;
	if (crmw_db_open(&d, fx_org_path, CRMW_DB_READONLY))
		return 4;
	char spec[64];
	snprintf(spec, sizeof spec, "external:%s", fx_me);
	crmw_role *r;
	crmw_query_opts *o;
	if (crmw_role_new(&r, d, spec, NULL) || crmw_query_opts_new(&o) || crmw_query_opts_set_role(o, r))
		return 4;
	crmw_buf out = CRMW_BUF_INIT;
	const char *q = arg;
	int rc = crmw_query(&out, d, q, strlen(q), o);
	step_done();
	int ok = rc == CRMW_OK || ((rc == CRMW_EQUERY || rc == CRMW_ELIMIT) && crmw_db_errmsg(d)[0]);
	/* freed: the slow suite's valgrind counts a child's leaks too */
	crmw_buf_dispose(&out);
	crmw_query_opts_free(o);
	crmw_role_free(r);
	crmw_db_free(d);
	return ok ? 0 : 3;
}

/* A WHERE of 200,000 conditions: the compiler must not recurse once per
 * condition. */
void test_deep_where(void **state)
{
	(void)state;
	size_t cap = 200000 * 32 + 100, n = 0;
	char *q = malloc(cap);
	assert_non_null(q);
	n += (size_t)snprintf(q + n, cap - n, "SELECT Id FROM Case WHERE ");
	for (int i = 0; i < 200000; i++)
		n += (size_t)snprintf(q + n, cap - n, "%sSubject != 'x%d'", i ? " AND " : "", i);
	int rc = in_child(child_query, q, NULL);
	free(q);
	fx_diag("a WHERE of 200,000 conditions (crmw_query, customer role): child %s %d",
		rc < 0 ? "killed by signal" : "exited with", rc < 0 ? -rc : rc);
	assert_int_equal(rc, 0);
}

/* 285 child subqueries nested in each other: a clear error. */
void test_nested_children(void **state)
{
	(void)state;
	/* "SELECT Id, (" x 285, "SELECT Id FROM Cases", ") FROM Cases" x 284, ") FROM Account" */
	size_t cap = 285 * 40 + 100, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	for (int i = 0; i < 285; i++)
		n += (size_t)snprintf(t + n, cap - n, "SELECT Id, (");
	n += (size_t)snprintf(t + n, cap - n, "SELECT Id FROM Cases");
	for (int i = 0; i < 284; i++)
		n += (size_t)snprintf(t + n, cap - n, ") FROM Cases");
	snprintf(t + n, cap - n, ") FROM Account");
	int rc = in_child(child_query, t, NULL);
	free(t);
	fx_diag("285 nested child subqueries (crmw_query): child %s %d", rc < 0 ? "killed by signal" : "exited with",
		rc < 0 ? -rc : rc);
	assert_int_equal(rc, 0);
}

/* A query, a tool call and a short agent episode on a thread whose stack
 * is 128 KiB (a host's worker thread; musl's default is 128 KiB). */
static void *small_stack_work(void *arg)
{
	(void)arg;
	crmw_db *d;
	if (crmw_db_open(&d, fx_org_path, CRMW_DB_READONLY))
		return (void *)4;
	char spec[64];
	snprintf(spec, sizeof spec, "external:%s", fx_me);
	crmw_role *r;
	crmw_query_opts *o;
	if (crmw_role_new(&r, d, spec, NULL) || crmw_query_opts_new(&o) || crmw_query_opts_set_role(o, r))
		return (void *)4;
	crmw_buf out = CRMW_BUF_INIT;
	const char *q = "SELECT Id, Subject, Account.Name FROM Case WHERE Status != 'Closed'";
	if (crmw_query(&out, d, q, strlen(q), o))
		return (void *)5;
	step_done();
	crmw_registry *reg;
	const char *args = "{\"query\":\"SELECT Id, Subject FROM Case\"}";
	if (crmw_registry_new(&reg) || crmw_registry_add_builtin(reg, "query", d, o) ||
	    crmw_registry_call(&out, reg, "issue_soql_query", args, strlen(args)))
		return (void *)6;
	step_done();
	crmw_agent *a;
	if (crmw_agent_new(&a, d, "{\"tools\":\"query\",\"max_turns\":3}"))
		return (void *)7;
	script s = {.turns = {"<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":\"SELECT Subject FROM Case\"}}"
			      "</tool_call>"},
		    .n = 1};
	crmw_backend b = fx_backend_of(&s);
	char task[200];
	snprintf(task, sizeof task, "{\"id\":\"small-stack\",\"family\":\"custom\",\"query\":\"My cases?\",\"context\":{\"role\":\"%s\"}}",
		 spec);
	if (crmw_agent_set_backend(a, &b) || crmw_agent_run(&out, a, task, NULL))
		return (void *)8;
	step_done();
	/* freed: the slow suite's valgrind counts a child's leaks too */
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_buf_dispose(&out);
	crmw_query_opts_free(o);
	crmw_role_free(r);
	crmw_db_free(d);
	return NULL;
}

/* AddressSanitizer's red zones make frames larger: twice the stack there
 * (today's code needs 320 to 384 KiB in both builds). */
#if defined(__SANITIZE_ADDRESS__)
#define SMALL_STACK (2 * 128 * 1024)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMALL_STACK (2 * 128 * 1024)
#endif
#endif
#ifndef SMALL_STACK
#define SMALL_STACK (128 * 1024)
#endif

static int child_small_stack(void *arg)
{
	(void)arg;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, SMALL_STACK);
	pthread_t th;
	if (pthread_create(&th, &at, small_stack_work, NULL))
		return 10;
	void *ret;
	pthread_join(th, &ret);
	return (int)(intptr_t)ret;
}

void test_small_stack(void **state)
{
	(void)state;
	int done = 0;
	int rc = in_child(child_small_stack, NULL, &done);
	static const char *const steps[] = {"crmw_query", "a tool call", "an agent episode"};
	fx_diag("%d KiB thread stack: %d of 3 steps done (%s), child %s %d", SMALL_STACK / 1024, done,
		done < 3 ? steps[done] : "all", rc < 0 ? "killed by signal" : "exited with", rc < 0 ? -rc : rc);
	assert_int_equal(rc, 0);
	assert_int_equal(done, 3);
}
