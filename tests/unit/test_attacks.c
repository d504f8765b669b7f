/*
 * Attacks on access control through the C API, the agent loop, the shared
 * memory and small thread stacks (cmocka).  Each test is an attack that
 * tries to read what a role may not, and asserts what a correct library
 * does: the attack recovers nothing, the process is not killed, a registry
 * restricted to one customer stays restricted.  The "# ..." lines say what
 * each attack recovered and how many queries it took.
 *
 * - error oracles: the role's row rule is evaluated after the query's own
 *   WHERE, so a condition that fails only when evaluated (a LIKE pattern
 *   longer than the sandbox's 1,000 characters) placed after a condition on
 *   a hidden value tells whether a hidden record meets it; a binary search
 *   over ranges reads the value character by character (C API with the
 *   built-in customer role and with a policy, SOSL, the agent loop in tools
 *   and ReAct mode);
 * - a host registry made for one customer runs an episode without a role
 *   as the internal role, and stays widened after it;
 * - a guideline written from one customer's episode carries its answer into
 *   another customer's system prompt;
 * - a customer's ReAct system prompt describes objects and fields the
 *   customer cannot read;
 * - deep conditions and nested subqueries, and threads with 128 KiB stacks,
 *   in child processes (a crash is a signal there, not a failed run);
 * - a property test: random queries under random policies return only
 *   records and values the policy lets the role read, and COUNT() counts
 *   only those (the ground truth is SQL written here, on the org file).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include <crmweaver.h>

static char dir[256];
static char org_path[300];
static crmw_db *db;
static sqlite3 *truth; /* the org file read directly: the ground truth */
static char me[19], my_acc[19], victim[19], victim_contact[19];
static json_t *victim_subjects, *hidden_titles;
static uint64_t org_hash; /* of the org file (and its WAL) before the attacks */

/* ------------------------------------------------------------- helpers */

/* A TAP diagnostic line (what an attack got). */
static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first column of a query on the org file, as a JSON array of strings
 * (NULL values left out); "?" parameters are bound from the arguments. */
static json_t *sql_col(const char *q, ...)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(truth, q, -1, &st, NULL), SQLITE_OK);
	va_list ap;
	va_start(ap, q);
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
		sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	va_end(ap);
	json_t *out = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	return out;
}

static void sql_one(char *out, size_t n, const char *q, ...)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(truth, q, -1, &st, NULL), SQLITE_OK);
	va_list ap;
	va_start(ap, q);
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
		sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	va_end(ap);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* A SOQL string literal of s into out. */
static void lit(char *out, size_t n, const char *s)
{
	size_t k = 0;
	out[k++] = '\'';
	for (; *s && k + 3 < n; s++) {
		if (*s == '\\' || *s == '\'')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k++] = '\'';
	out[k] = '\0';
}

/* Does a recovered string start one of the hidden values ('?' is any
 * character, case ignored)?  The empty string reveals nothing. */
static bool leaks(const char *rec, const json_t *hidden)
{
	if (!rec[0])
		return false;
	size_t i;
	json_t *h;
	json_array_foreach(hidden, i, h) {
		const char *v = json_string_value(h);
		size_t k = 0;
		while (rec[k] && v[k] && (rec[k] == '?' || tolower((unsigned char)rec[k]) == tolower((unsigned char)v[k])))
			k++;
		if (!rec[k])
			return true;
	}
	return false;
}

static crmw_role *make_role(const char *policy, const char *bindings)
{
	crmw_role *r = NULL;
	int rc = crmw_role_new(&r, db, policy, bindings);
	if (rc)
		diag("role: %s", crmw_last_error());
	assert_int_equal(rc, CRMW_OK);
	return r;
}

static crmw_query_opts *opts_for(const crmw_role *r)
{
	crmw_query_opts *o;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_rows(o, 0), CRMW_OK);
	if (r)
		assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	return o;
}

/* FNV-1a of the org file and its WAL: every attack must leave them as
 * they were. */
static uint64_t hash_org(void)
{
	uint64_t h = 1469598103934665603ull;
	for (int k = 0; k < 2; k++) {
		char p[320];
		snprintf(p, sizeof p, "%s%s", org_path, k ? "-wal" : "");
		FILE *f = fopen(p, "rb");
		if (!f)
			continue;
		int c;
		while ((c = getc(f)) != EOF)
			h = (h ^ (uint64_t)c) * 1099511628211ull;
		fclose(f);
	}
	return h;
}

/* ------------------------------------------------------------ fixtures */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-attacks-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	if (crmw_gen(org_path, "{\"profile\":\"b2b\",\"seed\":1,\"scale\":0.05}", NULL, NULL))
		return -1;
	if (crmw_db_open(&db, org_path, CRMW_DB_READONLY))
		return -1;
	if (sqlite3_open_v2(org_path, &truth, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	/* the attacker: a customer with cases; the victim: another account
	 * with two cases or more (its id is what the attacker knows) */
	sql_one(me, sizeof me,
		"SELECT c.\"Id\" FROM \"Contact\" c WHERE EXISTS (SELECT 1 FROM \"Case\" k WHERE k.\"AccountId\" = c.\"AccountId\") "
		"ORDER BY c.\"Id\" LIMIT 1");
	sql_one(my_acc, sizeof my_acc, "SELECT \"AccountId\" FROM \"Contact\" WHERE \"Id\" = ?", me);
	sql_one(victim, sizeof victim,
		"SELECT a.\"Id\" FROM \"Account\" a WHERE a.\"Id\" != ? AND (SELECT count(*) FROM \"Case\" k WHERE k.\"AccountId\" = "
		"a.\"Id\") >= 2 AND EXISTS (SELECT 1 FROM \"Contact\" c WHERE c.\"AccountId\" = a.\"Id\" AND c.\"Email\" IS NOT NULL) "
		"ORDER BY (SELECT count(*) FROM \"Case\" k WHERE k.\"AccountId\" = a.\"Id\"), a.\"Id\" LIMIT 1",
		my_acc);
	sql_one(victim_contact, sizeof victim_contact,
		"SELECT \"Id\" FROM \"Contact\" WHERE \"AccountId\" = ? ORDER BY \"Id\" LIMIT 1", victim);
	victim_subjects = sql_col("SELECT \"Subject\" FROM \"Case\" WHERE \"AccountId\" = ?", victim);
	hidden_titles = sql_col("SELECT \"Title\" FROM \"Knowledge__kav\" WHERE NOT (\"PublishStatus\" = 'Online' AND "
				"\"IsVisibleInCsp\" = 1)");
	org_hash = hash_org();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(victim_subjects);
	json_decref(hidden_titles);
	sqlite3_close(truth);
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* -------------------------------------------------------- the oracle */

/* Runs a query as the attacker; true when it failed. */
typedef bool (*ask_fn)(void *ud, const char *query);

typedef struct attack {
	ask_fn ask;
	void *ud;
	int n;          /* queries asked */
	const char *object, *base, *field;
	bool sosl;
} attack;

static char long_like[1002]; /* a LIKE pattern beyond the sandbox's limit */
#define EVERYTHING                                                                                                  \
	"a* OR b* OR c* OR d* OR e* OR f* OR g* OR h* OR i* OR j* OR k* OR l* OR m* OR n* OR o* OR p* OR q* OR r* OR s* " \
	"OR t* OR u* OR v* OR w* OR x* OR y* OR z* OR 0* OR 1* OR 2* OR 3* OR 4* OR 5* OR 6* OR 7* OR 8* OR 9*"
#define KB_HIDDEN "(IsVisibleInCsp = false OR PublishStatus != 'Online')"

/* Is there a hidden value in [lo, hi) (hi NULL: no upper bound)?  eq: the
 * value equals lo instead (for calibration). */
static bool exists(attack *k, const char *lo, const char *hi, bool eq)
{
	if (!long_like[0])
		memset(long_like, '%', 1001);
	char l[600], h[600], cond[2000], q[5000];
	lit(l, sizeof l, lo);
	if (hi)
		lit(h, sizeof h, hi);
	snprintf(cond, sizeof cond, "%s AND %s %s %s%s%s%s%s", k->base, k->field, eq ? "=" : ">=", l, hi ? " AND " : "",
		 hi ? k->field : "", hi ? " < " : "", hi ? h : "");
	if (k->sosl)
		snprintf(q, sizeof q, "FIND {" EVERYTHING "} RETURNING %s(Id WHERE %s AND %s LIKE '%s')", k->object, cond,
			 k->field, long_like);
	else
		snprintf(q, sizeof q, "SELECT Id FROM %s WHERE %s AND %s LIKE '%s'", k->object, cond, k->field, long_like);
	k->n++;
	return k->ask(k->ud, q);
}

/* Characters in NOCASE order (upper case folds to lower case). */
static char chars[100];
static int nchars;

static char upper_of(int i)
{
	return i + 1 < nchars ? chars[i + 1] : 0x7f;
}

/* The smallest hidden value, up to `limit` characters, into out (empty:
 * nothing found); an attacker first checks that the oracle is not always
 * on. */
static void recover(attack *k, int limit, char *out)
{
	if (!nchars)
		for (int c = 32; c < 127; c++)
			if (c < 'A' || c > 'Z')
				chars[nchars++] = (char)c;
	out[0] = '\0';
	if (exists(k, "zz no such value zz", NULL, true) || !exists(k, "", NULL, false))
		return;
	int n = 0;
	while (n < limit) {
		char hi[300];
		int a = 0, b = nchars + 1; /* 0: the value ends here; i: chars[i - 1] */
		while (a < b) {
			int m = (a + b) / 2;
			snprintf(hi, sizeof hi, "%s%c", out, m == 0 ? ' ' : upper_of(m - 1));
			if (exists(k, "", hi, false))
				b = m;
			else
				a = m + 1;
		}
		if (a == 0)
			break;
		out[n++] = a == nchars + 1 ? '?' : chars[a - 1];
		out[n] = '\0';
		if (a == nchars + 1)
			break;
	}
}

/* ------------------------------------------------------- the C API */

typedef struct capi {
	crmw_query_opts *opts;
	crmw_buf out;
} capi;

static bool capi_ask(void *ud, const char *q)
{
	capi *c = ud;
	return crmw_query(&c->out, db, q, strlen(q), c->opts) != CRMW_OK;
}

static bool run_capi(const char *what, crmw_role *role, attack k, int limit, const json_t *hidden)
{
	capi c = {opts_for(role), CRMW_BUF_INIT};
	k.ask = capi_ask;
	k.ud = &c;
	char got[300];
	double t0 = now_s();
	recover(&k, limit, got);
	diag("%s: recovered '%s' with %d queries in %.2f s", what, got, k.n, now_s() - t0);
	crmw_buf_dispose(&c.out);
	crmw_query_opts_free(c.opts);
	return leaks(got, hidden);
}

/* crmw_query as the built-in customer role: another account's case
 * subjects (SOQL), an internal article's title (SOSL). */
static void test_capi_error_oracle(void **state)
{
	(void)state;
	char spec[64], base[100];
	snprintf(spec, sizeof spec, "external:%s", me);
	crmw_role *r = make_role(spec, NULL);
	snprintf(base, sizeof base, "AccountId = '%s'", victim);
	bool a = run_capi("C API, SOQL, Case.Subject of another account", r,
			  (attack){.object = "Case", .base = base, .field = "Subject"}, 200, victim_subjects);
	bool b = run_capi("C API, SOSL, Knowledge__kav.Title hidden from customers", r,
			  (attack){.object = "Knowledge__kav", .base = KB_HIDDEN, .field = "Title", .sosl = true}, 200,
			  hidden_titles);
	crmw_role_free(r);
	assert_false(a);
	assert_false(b);
}

/* A policy role (JSON, with a bound variable): a support agent who sees only
 * their own cases reads the subjects of a colleague's. */
static void test_policy_error_oracle(void **state)
{
	(void)state;
	char user[19], other_acc[19], policy[400], bind[80], base[200];
	sql_one(user, sizeof user, "SELECT \"OwnerId\" FROM \"Case\" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
	sql_one(other_acc, sizeof other_acc,
		"SELECT \"AccountId\" FROM \"Case\" WHERE \"OwnerId\" != ? AND \"AccountId\" IS NOT NULL GROUP BY 1 "
		"ORDER BY count(*) DESC, 1 LIMIT 1", user);
	json_t *hidden = sql_col("SELECT \"Subject\" FROM \"Case\" WHERE \"AccountId\" = ? AND \"OwnerId\" != ?", other_acc, user);
	snprintf(policy, sizeof policy,
		 "{\"schema_version\":1,\"name\":\"own_cases\",\"default\":\"read\","
		 "\"objects\":{\"Case\":{\"where\":\"OwnerId = :user_id\"}}}");
	snprintf(bind, sizeof bind, "{\"user_id\":\"%s\"}", user);
	crmw_role *r = make_role(policy, bind);
	snprintf(base, sizeof base, "AccountId = '%s' AND OwnerId != '%s'", other_acc, user);
	bool leaked = run_capi("C API, policy role (Case where OwnerId = :user_id), a colleague's case subject", r,
			       (attack){.object = "Case", .base = base, .field = "Subject"}, 200, hidden);
	crmw_role_free(r);
	json_decref(hidden);
	assert_false(leaked);
}

/* ------------------------------------------------------- the agent loop */

/* The model's side of an episode driven step by step: each question is a
 * tool call (or, in ReAct mode, an <execute>); the answer is the next
 * request's last observation. */
typedef struct sess {
	crmw_session *s;
	crmw_buf req;
	bool react;
	bool done;
} sess;

static const char *last_observation(sess *x, json_t **keep)
{
	json_t *r = json_loads(x->req.data, 0, NULL);
	assert_non_null(r);
	json_t *msgs = json_object_get(r, "messages");
	json_t *m = json_array_get(msgs, json_array_size(msgs) - 1);
	const char *c = json_string_value(json_object_get(m, "content"));
	assert_non_null(c);
	*keep = r;
	if (x->react) {
		const char *nl = strchr(c, '\n');
		return nl ? nl + 1 : c;
	}
	return c;
}

static bool session_ask(void *ud, const char *q)
{
	sess *x = ud;
	if (x->done)
		return false;
	json_t *out;
	if (x->react) {
		out = NULL;
	} else {
		out = json_pack("{s:s, s:{s:s}}", "name", strncmp(q, "FIND", 4) == 0 ? "issue_sosl_query" : "issue_soql_query",
				"arguments", "query", q);
	}
	char *text;
	if (out) {
		char *j = json_dumps(out, JSON_COMPACT);
		size_t n = strlen(j) + 40;
		text = malloc(n);
		snprintf(text, n, "<tool_call>%s</tool_call>", j);
		free(j);
		json_decref(out);
	} else {
		size_t n = strlen(q) + 40;
		text = malloc(n);
		snprintf(text, n, "<execute>%s</execute>", q);
	}
	assert_int_equal(crmw_session_feed(x->s, text, strlen(text)), CRMW_OK);
	free(text);
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &x->req, x->s), CRMW_OK);
	if (step == CRMW_STEP_DONE) {
		x->done = true;
		return false;
	}
	json_t *keep;
	const char *obs = last_observation(x, &keep);
	/* a result is a JSON array (SOQL) or an object of arrays (SOSL) */
	json_t *v = json_loads(obs, JSON_DECODE_ANY, NULL);
	bool ok = json_is_array(v) || (json_is_object(v) && !json_object_get(v, "error") &&
				       json_is_array(json_object_iter_value(json_object_iter(v))));
	json_decref(v);
	json_decref(keep);
	return !ok;
}

static bool run_agent_oracle(const char *mode, attack k, const json_t *hidden)
{
	char opts[200], task[300];
	snprintf(opts, sizeof opts, "{\"mode\":\"%s\",\"tools\":\"query\",\"max_turns\":1000,\"schema_prompt\":false}", mode);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, opts), CRMW_OK);
	snprintf(task, sizeof task,
		 "{\"id\":\"attack-%s\",\"family\":\"custom\",\"query\":\"What are my open cases?\",\"context\":{\"role\":"
		 "\"external:%s\"}}", mode, me);
	sess x = {.react = strcmp(mode, "react") == 0, .req = CRMW_BUF_INIT};
	assert_int_equal(crmw_session_new(&x.s, a, task, NULL), CRMW_OK);
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &x.req, x.s), CRMW_OK);
	assert_int_equal(step, CRMW_STEP_MODEL);
	k.ask = session_ask;
	k.ud = &x;
	char got[300];
	double t0 = now_s();
	recover(&k, getenv("CRMW_ATTACK_FULL") ? 200 : 12, got);
	diag("agent loop (%s mode, task context.role external), %s.%s: recovered '%s' with %d model turns in "
		"%.2f s", mode, k.object, k.field, got, k.n, now_s() - t0);
	crmw_session_free(x.s);
	crmw_buf_dispose(&x.req);
	crmw_agent_free(a);
	return leaks(got, hidden);
}

/* The same attack by a model inside an episode that runs as the customer. */
static void test_agent_error_oracle(void **state)
{
	(void)state;
	char base[100];
	snprintf(base, sizeof base, "AccountId = '%s'", victim);
	bool a = run_agent_oracle("tools", (attack){.object = "Case", .base = base, .field = "Subject"}, victim_subjects);
	bool b = run_agent_oracle("react", (attack){.object = "Case", .base = base, .field = "Subject"}, victim_subjects);
	bool c = run_agent_oracle("tools", (attack){.object = "Knowledge__kav", .base = KB_HIDDEN, .field = "Title", .sosl = true},
				  hidden_titles);
	assert_false(a);
	assert_false(b);
	assert_false(c);
}

/* ------------------------------------------------ scripted backends */

typedef struct script {
	const char *turns[8];
	int n, calls;
	json_t *requests; /* every chat request, parsed */
} script;

static int script_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	script *s = ud;
	size_t len;
	const char *rj = crmw_request_json(req, &len);
	if (s->requests)
		json_array_append_new(s->requests, json_loads(rj, 0, NULL));
	const char *t = s->calls < s->n ? s->turns[s->calls]
					: "<tool_call>{\"name\":\"respond\",\"arguments\":{\"content\":\"Done.\"}}</tool_call>";
	s->calls++;
	return crmw_response_set_text(resp, t, strlen(t));
}

static crmw_backend backend_of(script *s)
{
	crmw_backend b;
	memset(&b, 0, sizeof b);
	b.struct_size = sizeof b;
	b.version = CRMW_BACKEND_VERSION;
	b.userdata = s;
	b.complete = script_complete;
	return b;
}

static json_t *run_task(crmw_agent *a, const char *task)
{
	crmw_buf out = CRMW_BUF_INIT;
	int rc = crmw_agent_run(&out, a, task, NULL);
	if (rc)
		diag("agent: %s", crmw_agent_errmsg(a));
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
static void test_agent_registry_fails_open(void **state)
{
	(void)state;
	char spec[64], q[200], args[300], call[400];
	snprintf(spec, sizeof spec, "external:%s", me);
	crmw_role *r = make_role(spec, NULL);
	crmw_query_opts *o = opts_for(r);
	crmw_registry *reg;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query", db, o), CRMW_OK);
	snprintf(q, sizeof q, "SELECT Id, Subject FROM Case WHERE AccountId = '%s'", victim);
	snprintf(args, sizeof args, "{\"query\":\"%s\"}", q);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_registry_call(&out, reg, "issue_soql_query", args, strlen(args)), CRMW_OK);
	assert_string_equal(out.data, "[]"); /* restricted before the episode */

	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":4}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	snprintf(call, sizeof call, "<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":%s}</tool_call>", args);
	script s = {.turns = {call}, .n = 1};
	crmw_backend b = backend_of(&s);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	/* refusing to run the task at all is as good as running it restricted */
	const char *task = "{\"id\":\"no-role\",\"family\":\"custom\",\"query\":\"Which cases are open?\"}";
	crmw_buf tb = CRMW_BUF_INIT;
	json_t *tr = crmw_agent_run(&tb, a, task, NULL) == CRMW_OK ? json_loads(tb.data, 0, NULL) : NULL;
	crmw_buf_dispose(&tb);
	const char *obs = json_string_value(json_object_get(
		json_array_get(json_object_get(json_array_get(json_object_get(tr, "decisions"), 0), "actions"), 0), "observation"));
	int during = count_in(obs, victim_subjects);
	assert_int_equal(crmw_registry_call(&out, reg, "issue_soql_query", args, strlen(args)), CRMW_OK);
	int after = count_in(out.data, victim_subjects);
	diag("registry for one customer, task without context.role: the model read %d of the %zu subjects of "
		"another account's cases; after the episode a call on the registry reads %d", during,
		json_array_size(victim_subjects), after);
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
static void test_memory_crosses_customers(void **state)
{
	(void)state;
	char mpath[400], subject[300], answer[400], task_a[1000], task_b[600], respond[800];
	snprintf(mpath, sizeof mpath, "%s/mem.db", dir);
	crmw_memory *mem;
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db,
					 "{\"tools\":\"query\",\"schema_prompt\":false,\"memory\":{\"write\":true,"
					 "\"distill\":false,\"k\":3,\"min_score\":0.2}}"),
			 CRMW_OK);
	assert_int_equal(crmw_agent_set_memory(a, mem), CRMW_OK);
	sql_one(subject, sizeof subject,
		"SELECT \"Subject\" FROM \"Case\" WHERE \"AccountId\" = ? ORDER BY \"CreatedDate\" DESC LIMIT 1", my_acc);
	snprintf(answer, sizeof answer, "Latest: %s", subject);
	char role_a[64], role_b[64];
	snprintf(role_a, sizeof role_a, "external:%s", me);
	snprintf(role_b, sizeof role_b, "external:%s", victim_contact);
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
	crmw_backend b = backend_of(&sa);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tra = run_task(a, task_a);

	snprintf(task_b, sizeof task_b,
		 "{\"id\":\"mem-b\",\"family\":\"my_latest_case\",\"query\":\"What is my most recent case about?\","
		 "\"answer\":[\"x\"],\"reward_metric\":\"exact_match\",\"context\":{\"role\":\"%s\"}}", role_b);
	script sb = {.turns = {"<tool_call>{\"name\":\"respond\",\"arguments\":{\"content\":\"I cannot tell.\"}}</tool_call>"},
		     .n = 1};
	b = backend_of(&sb);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *trb = run_task(a, task_b);
	const char *sys = json_string_value(json_object_get(json_array_get(json_object_get(trb, "messages"), 0), "content"));
	char head[25]; /* the first 24 characters are enough to tell */
	size_t hn = strlen(subject) < 24 ? strlen(subject) : 24;
	memcpy(head, subject, hn);
	head[hn] = '\0';
	bool leaked = sys && strstr(sys, head);
	diag("memory: customer A's episode: reward %g, memory_written %s; customer B's system prompt %s A's "
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
static void test_react_prompt_names(void **state)
{
	(void)state;
	char spec[64], task[300];
	snprintf(spec, sizeof spec, "external:%s", me);
	crmw_role *r = make_role(spec, NULL);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, db, "{\"mode\":\"react\",\"max_turns\":2}"), CRMW_OK);
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
	assert_int_equal(crmw_schema_to_json(&sj, crmw_db_schema(db)), CRMW_OK);
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
	diag("ReAct system prompt of a customer's episode (%zu bytes) names %d objects and fields the customer cannot "
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
	if (crmw_db_open(&d, org_path, CRMW_DB_READONLY))
		return 4;
	char spec[64];
	snprintf(spec, sizeof spec, "external:%s", me);
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
static void test_deep_where(void **state)
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
	diag("a WHERE of 200,000 conditions (crmw_query, customer role): child %s %d",
		rc < 0 ? "killed by signal" : "exited with", rc < 0 ? -rc : rc);
	assert_int_equal(rc, 0);
}

/* 285 child subqueries nested in each other: a clear error. */
static void test_nested_children(void **state)
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
	diag("285 nested child subqueries (crmw_query): child %s %d", rc < 0 ? "killed by signal" : "exited with",
		rc < 0 ? -rc : rc);
	assert_int_equal(rc, 0);
}

/* A query, a tool call and a short agent episode on a thread whose stack
 * is 128 KiB (a host's worker thread; musl's default is 128 KiB). */
static void *small_stack_work(void *arg)
{
	(void)arg;
	crmw_db *d;
	if (crmw_db_open(&d, org_path, CRMW_DB_READONLY))
		return (void *)4;
	char spec[64];
	snprintf(spec, sizeof spec, "external:%s", me);
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
	crmw_backend b = backend_of(&s);
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

static void test_small_stack(void **state)
{
	(void)state;
	int done = 0;
	int rc = in_child(child_small_stack, NULL, &done);
	static const char *const steps[] = {"crmw_query", "a tool call", "an agent episode"};
	diag("%d KiB thread stack: %d of 3 steps done (%s), child %s %d", SMALL_STACK / 1024, done,
		done < 3 ? steps[done] : "all", rc < 0 ? "killed by signal" : "exited with", rc < 0 ? -rc : rc);
	assert_int_equal(rc, 0);
	assert_int_equal(done, 3);
}

/* ---------------------------------------------------- property test */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

#define NOBJ 6
static const char *const pobjs[NOBJ] = {"Account", "Contact", "Case", "User", "Order", "Knowledge__kav"};
static json_t *pschema; /* object name -> [field objects] */

typedef struct ids {
	char (*v)[19];
	size_t n;
} ids;

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool has_id(const ids *s, const char *id)
{
	return id && bsearch(id, s->v, s->n, sizeof *s->v, cmp_id) != NULL;
}

static void ids_of(ids *s, const char *sqltext)
{
	json_t *c = sql_col(sqltext);
	s->n = json_array_size(c);
	s->v = calloc(s->n + 1, sizeof *s->v);
	for (size_t i = 0; i < s->n; i++)
		snprintf(s->v[i], sizeof s->v[i], "%s", json_string_value(json_array_get(c, i)));
	qsort(s->v, s->n, sizeof *s->v, cmp_id);
	json_decref(c);
}

static int obj_index(const char *name)
{
	for (int i = 0; i < NOBJ; i++)
		if (strcmp(pobjs[i], name) == 0)
			return i;
	return -1;
}

static json_t *fields_of(int o)
{
	return json_object_get(pschema, pobjs[o]);
}

static const char *ftype(const json_t *f)
{
	return json_string_value(json_object_get(f, "type"));
}

static bool filterable(const json_t *f)
{
	const char *t = ftype(f);
	return strcmp(t, "textarea") && strcmp(t, "multipicklist");
}

static bool is_text(const char *t)
{
	return !strcmp(t, "string") || !strcmp(t, "picklist") || !strcmp(t, "email") || !strcmp(t, "phone") ||
	       !strcmp(t, "url");
}

/* A random condition on field f of object o: SOQL into `soql`, the same in
 * SQLite SQL (with SOQL's null semantics) into `sqlc`.  False when the field
 * has no value to compare with. */
static bool gen_cond(int o, const json_t *f, char *soql, size_t sn, char *sqlc, size_t qn)
{
	const char *name = json_string_value(json_object_get(f, "name"));
	const char *t = ftype(f);
	char q[300], v[400];
	snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\" WHERE \"%s\" IS NOT NULL", pobjs[o], name);
	json_t *cnt = sql_col(q);
	int n = atoi(json_string_value(json_array_get(cnt, 0)));
	json_decref(cnt);
	if (n == 0)
		return false;
	snprintf(q, sizeof q, "SELECT \"%s\" FROM \"%s\" WHERE \"%s\" IS NOT NULL ORDER BY \"Id\" LIMIT 1 OFFSET %u", name,
		 pobjs[o], name, rnd((uint32_t)n));
	json_t *val = sql_col(q);
	snprintf(v, sizeof v, "%s", json_string_value(json_array_get(val, 0)));
	json_decref(val);
	char sv[900], qv[900]; /* SOQL and SQL literals of v */
	lit(sv, sizeof sv, v);
	size_t k = 0;
	qv[k++] = '\'';
	for (const char *p = v; *p && k + 3 < sizeof qv; p++) {
		if (*p == '\'')
			qv[k++] = '\'';
		qv[k++] = *p;
	}
	qv[k++] = '\'';
	qv[k] = '\0';
	uint32_t op = rnd(3);
	if (op == 2 && (unsigned char)v[0] >= 0x80)
		op = 0; /* LIKE on the first character: ASCII only */
	if (is_text(t)) {
		if (op == 0) {
			snprintf(soql, sn, "%s = %s", name, sv);
			snprintf(sqlc, qn, "(\"%s\" = %s COLLATE NOCASE)", name, qv);
		} else if (op == 1) {
			snprintf(soql, sn, "%s != %s", name, sv);
			snprintf(sqlc, qn, "(\"%s\" IS NULL OR \"%s\" <> %s COLLATE NOCASE)", name, name, qv);
		} else {
			char c = v[0];
			bool esc = c == '%' || c == '_' || c == '\\' || c == '\'';
			snprintf(soql, sn, "%s LIKE '%s%c%%'", name, esc ? "\\" : "", c);
			snprintf(sqlc, qn, "(\"%s\" LIKE '%s%c%s%%' ESCAPE '\\')", name, esc && c != '\'' ? "\\" : "", c,
				 c == '\'' ? "'" : "");
		}
	} else if (!strcmp(t, "id") || !strcmp(t, "reference")) {
		if (op == 1) {
			snprintf(soql, sn, "%s != '%s'", name, v);
			snprintf(sqlc, qn, "(\"%s\" IS NULL OR \"%s\" <> '%s')", name, name, v);
		} else {
			snprintf(soql, sn, "%s = '%s'", name, v);
			snprintf(sqlc, qn, "(\"%s\" = '%s')", name, v);
		}
	} else if (!strcmp(t, "boolean")) {
		bool b = rnd(2);
		snprintf(soql, sn, "%s = %s", name, b ? "true" : "false");
		snprintf(sqlc, qn, "(\"%s\" = %d)", name, b);
	} else if (!strcmp(t, "datetime") || !strcmp(t, "date")) {
		snprintf(soql, sn, "%s %s %s", name, op ? ">" : "<", v);
		snprintf(sqlc, qn, "(\"%s\" %s '%s')", name, op ? ">" : "<", v);
	} else {
		snprintf(soql, sn, "%s %s %s", name, op ? ">" : "<", v);
		snprintf(sqlc, qn, "(\"%s\" %s %s)", name, op ? ">" : "<", v);
	}
	return true;
}

typedef struct prole {
	char policy[16384];
	bool readable[NOBJ];
	bool hidden[NOBJ][64];
	ids vis[NOBJ];
	crmw_role *role;
} prole;

static const json_t *field_named(int o, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields_of(o), i, f) if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) return f;
	return NULL;
}

static int field_index(int o, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields_of(o), i, f) if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) return (int)i;
	return -1;
}

/* A random policy over the six objects, and what it lets the role read. */
static void gen_role(prole *r)
{
	memset(r, 0, sizeof *r);
	bool def = rnd(3) != 0;
	json_t *p = json_pack("{s:i, s:s, s:s, s:{}}", "schema_version", 1, "name", "random", "default", def ? "read" : "none",
			      "objects");
	json_t *objs = json_object_get(p, "objects");
	for (int o = 0; o < NOBJ; o++) {
		r->readable[o] = def;
		char rule_sql[2000] = "1";
		uint32_t kind = rnd(7); /* 0: default, 1: denied, 2: hidden fields, 3: only fields, 4-6: a row rule */
		if (kind == 0)
			goto truth;
		json_t *spec = json_object();
		json_object_set_new(objs, pobjs[o], spec);
		r->readable[o] = true;
		json_t *fs = fields_of(o);
		size_t nf = json_array_size(fs);
		if (kind == 1 && rnd(2)) {
			json_object_set_new(spec, "read", json_false());
			r->readable[o] = false;
			goto truth;
		}
		if (kind == 2 || kind == 3 || rnd(4) == 0) {
			json_t *list = json_array();
			bool only = kind == 3;
			for (size_t i = 1; i < nf; i++) { /* field 0 is Id */
				bool pick = only ? rnd(4) != 0 : rnd(5) == 0;
				if (pick)
					json_array_append_new(list, json_incref(json_object_get(json_array_get(fs, i), "name")));
				r->hidden[o][i] = only ? !pick : pick;
			}
			json_object_set_new(spec, only ? "fields" : "hidden_fields", list);
		}
		if (kind >= 4) {
			char soql[1500], sqlc[1500], rule[3200] = "", rs[3200] = "";
			int nc = 1 + (int)rnd(2);
			for (int c = 0; c < nc; c++) {
				const json_t *f;
				int tries = 0;
				do {
					f = json_array_get(fs, rnd((uint32_t)nf));
				} while ((!filterable(f) || !gen_cond(o, f, soql, sizeof soql, sqlc, sizeof sqlc)) && ++tries < 20);
				if (tries >= 20)
					break;
				size_t l = strlen(rule), m = strlen(rs);
				snprintf(rule + l, sizeof rule - l, "%s%s", c ? " AND " : "", soql);
				snprintf(rs + m, sizeof rs - m, "%s%s", c ? " AND " : "", sqlc);
			}
			/* sometimes the rule reaches the account through a semi-join */
			if (rule[0] && field_named(o, "AccountId") && rnd(2)) {
				const json_t *ind = field_named(0, "Industry");
				char s2[1500], q2[1500];
				if (ind && gen_cond(0, ind, s2, sizeof s2, q2, sizeof q2)) {
					size_t l = strlen(rule), m = strlen(rs);
					snprintf(rule + l, sizeof rule - l, " AND AccountId IN (SELECT Id FROM Account WHERE %s)", s2);
					snprintf(rs + m, sizeof rs - m, " AND \"AccountId\" IN (SELECT \"Id\" FROM \"Account\" WHERE %s)", q2);
				}
			}
			if (rule[0]) {
				json_object_set_new(spec, "where", json_string(rule));
				snprintf(rule_sql, sizeof rule_sql, "%s", rs);
			}
		}
truth:;
		char q[2600];
		snprintf(q, sizeof q, "SELECT \"Id\" FROM \"%s\" WHERE %s", pobjs[o], r->readable[o] ? rule_sql : "0");
		ids_of(&r->vis[o], q);
	}
	char *t = json_dumps(p, JSON_COMPACT);
	snprintf(r->policy, sizeof r->policy, "%s", t);
	free(t);
	json_decref(p);
	r->role = make_role(r->policy, NULL);
}

static void free_role(prole *r)
{
	for (int o = 0; o < NOBJ; o++)
		free(r->vis[o].v);
	crmw_role_free(r->role);
}

typedef struct pstats {
	int queries, valid, denied, counted, violations;
	char first[5][1200];
} pstats;

static void violation(pstats *st, const prole *r, const char *q, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void violation(pstats *st, const prole *r, const char *q, const char *fmt, ...)
{
	if (st->violations < 5) {
		char what[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(st->first[st->violations], sizeof st->first[0], "%s\n#   query: %s\n#   policy: %.500s", what, q, r->policy);
	}
	st->violations++;
}

/* The ids a query returns with no role (the library's own evaluation of
 * WHERE, which the ground truth then restricts to the visible rows). */
static bool internal_ids(const char *q, ids *out)
{
	crmw_query_opts *o = opts_for(NULL);
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, db, q, strlen(q), o);
	crmw_query_opts_free(o);
	if (rc) {
		crmw_buf_dispose(&b);
		return false;
	}
	json_t *a = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	out->n = json_array_size(a);
	out->v = calloc(out->n + 1, sizeof *out->v);
	for (size_t i = 0; i < out->n; i++)
		snprintf(out->v[i], sizeof out->v[i], "%s", json_string_value(json_object_get(json_array_get(a, i), "Id")));
	qsort(out->v, out->n, sizeof *out->v, cmp_id);
	json_decref(a);
	return true;
}

/* One random query under role r, checked against the ground truth. */
static void random_query(prole *r, pstats *st)
{
	int o = (int)rnd(NOBJ);
	json_t *fs = fields_of(o);
	size_t nf = json_array_size(fs);
	/* what the role must be refused for: in WHERE (which COUNT() keeps)
	 * and in the select list */
	bool deny_where = !r->readable[o], deny_sel = false;
	/* a path or child list through a hidden reference field: refused, or
	 * empty */
	bool via_hidden_ref = false;
	char sel[2000] = "Id", where[3000] = "", q[6000];
	int nsel = (int)rnd(3);
	bool used[64] = {true};
	for (int i = 0; i < nsel; i++) {
		size_t k = rnd((uint32_t)nf);
		if (used[k])
			continue;
		used[k] = true;
		size_t l = strlen(sel);
		snprintf(sel + l, sizeof sel - l, ", %s", json_string_value(json_object_get(json_array_get(fs, k), "name")));
		deny_sel = deny_sel || r->hidden[o][k];
	}
	/* a parent through a reference to one of the six objects */
	const char *rel = NULL;
	int target = -1;
	bool ref_hidden = false;
	if (rnd(2)) {
		size_t i;
		json_t *f;
		json_array_foreach(fs, i, f) {
			json_t *refs = json_object_get(f, "references");
			int tg = json_array_size(refs) == 1 ? obj_index(json_string_value(json_array_get(refs, 0))) : -1;
			if (tg >= 0 && (!rel || rnd(2))) {
				rel = json_string_value(json_object_get(f, "relationship_name"));
				target = tg;
				ref_hidden = r->hidden[o][i];
			}
		}
	}
	if (rel) {
		size_t l = strlen(sel);
		snprintf(sel + l, sizeof sel - l, ", %s.Id", rel);
		deny_sel = deny_sel || !r->readable[target];
		json_t *tf = fields_of(target);
		size_t k = 1 + rnd((uint32_t)json_array_size(tf) - 1);
		if (rnd(2)) {
			l = strlen(sel);
			snprintf(sel + l, sizeof sel - l, ", %s.%s", rel, json_string_value(json_object_get(json_array_get(tf, k), "name")));
			deny_sel = deny_sel || r->hidden[target][k];
		}
		via_hidden_ref = ref_hidden;
	}
	/* a child relationship from one of the six objects */
	const char *child_rel = NULL;
	int child = -1;
	bool via_hidden = false;
	if (rnd(3) == 0) {
		for (int c = 0; c < NOBJ; c++) {
			size_t i;
			json_t *f;
			json_array_foreach(fields_of(c), i, f) {
				json_t *refs = json_object_get(f, "references");
				const char *cr = json_string_value(json_object_get(f, "child_relationship_name"));
				if (cr && json_array_size(refs) == 1 && !strcmp(json_string_value(json_array_get(refs, 0)), pobjs[o]) &&
				    (!child_rel || rnd(2))) {
					child_rel = cr;
					child = c;
					via_hidden = r->hidden[c][i];
				}
			}
		}
		if (child_rel) {
			size_t l = strlen(sel);
			snprintf(sel + l, sizeof sel - l, ", (SELECT Id FROM %s)", child_rel);
			deny_sel = deny_sel || !r->readable[child];
			via_hidden_ref = via_hidden_ref || via_hidden;
		}
	}
	/* WHERE: conditions on the object's own fields, maybe a semi-join */
	int nw = (int)rnd(3);
	for (int i = 0; i < nw; i++) {
		size_t k = rnd((uint32_t)nf);
		const json_t *f = json_array_get(fs, k);
		char soql[1500], sqlc[1500];
		if (!filterable(f) || !gen_cond(o, f, soql, sizeof soql, sqlc, sizeof sqlc))
			continue;
		size_t l = strlen(where);
		snprintf(where + l, sizeof where - l, "%s%s", l ? " AND " : "", soql);
		deny_where = deny_where || r->hidden[o][k];
	}
	bool semi = false;
	int acc_field = field_index(o, "AccountId");
	if (acc_field >= 0 && rnd(3) == 0) {
		const json_t *ind = field_named(0, "Industry");
		char soql[1500], sqlc[1500];
		if (ind && gen_cond(0, ind, soql, sizeof soql, sqlc, sizeof sqlc)) {
			size_t l = strlen(where);
			snprintf(where + l, sizeof where - l, "%sAccountId IN (SELECT Id FROM Account WHERE %s)", l ? " AND " : "", soql);
			deny_where = deny_where || r->hidden[o][acc_field] || !r->readable[0] ||
				     r->hidden[0][field_index(0, "Industry")];
			semi = true;
		}
	}
	bool count = rnd(4) == 0;
	bool deny = deny_where || (!count && deny_sel);
	if (count)
		snprintf(q, sizeof q, "SELECT COUNT() FROM %s%s%s", pobjs[o], where[0] ? " WHERE " : "", where);
	else
		snprintf(q, sizeof q, "SELECT %s FROM %s%s%s", sel, pobjs[o], where[0] ? " WHERE " : "", where);
	st->queries++;
	/* the same WHERE with no role: the query is valid, and which records
	 * meet it */
	char iq[4000];
	snprintf(iq, sizeof iq, "SELECT Id FROM %s%s%s", pobjs[o], where[0] ? " WHERE " : "", where);
	ids meet = {0};
	if (!internal_ids(iq, &meet))
		return;
	crmw_query_opts *qo = opts_for(NULL);
	crmw_buf b = CRMW_BUF_INIT;
	bool valid = crmw_query(&b, db, q, strlen(q), qo) == CRMW_OK;
	assert_int_equal(crmw_query_opts_set_role(qo, r->role), CRMW_OK);
	json_t *res = NULL;
	if (!valid)
		goto out;
	st->valid++;
	int rc = crmw_query(&b, db, q, strlen(q), qo);
	if (deny) {
		st->denied++;
		if (rc == CRMW_OK)
			violation(st, r, q, "answered where the role may not read something the query names: %.300s", b.data);
		else if (rc != CRMW_EACCESS)
			violation(st, r, q, "refused without INSUFFICIENT_ACCESS: %s", crmw_db_errmsg(db));
		goto out;
	}
	if (rc == CRMW_EACCESS && !count && via_hidden_ref)
		goto out; /* refusing a path through a hidden reference is right */
	if (rc != CRMW_OK) {
		violation(st, r, q, "a query the role may run failed: %s", crmw_db_errmsg(db));
		goto out;
	}
	res = json_loads(b.data, 0, NULL);
	assert_non_null(res);
	size_t want = 0;
	for (size_t i = 0; i < meet.n; i++)
		want += has_id(&r->vis[o], meet.v[i]);
	if (count) {
		st->counted++;
		int64_t got = json_integer_value(json_object_get(res, "totalSize"));
		if (semi ? (size_t)got > want : (size_t)got != want)
			violation(st, r, q, "COUNT() is %lld; the role's visible records that meet the WHERE: %zu", (long long)got, want);
		goto out;
	}
	size_t i, nrec = json_array_size(res), mine = 0;
	json_t *rec;
	json_array_foreach(res, i, rec) {
		const char *id = json_string_value(json_object_get(rec, "Id"));
		if (!has_id(&r->vis[o], id)) {
			violation(st, r, q, "returned %s %s, which the role may not read", pobjs[o], id);
			break;
		}
		mine += has_id(&meet, id);
		json_t *par = rel ? json_object_get(rec, rel) : NULL;
		if (json_is_object(par)) {
			const char *pid = json_string_value(json_object_get(par, "Id"));
			if (ref_hidden) {
				violation(st, r, q, "the hidden reference to %s shows through '%s': %s", pobjs[target], rel, pid);
				break;
			}
			if (pid && !has_id(&r->vis[target], pid)) {
				violation(st, r, q, "the parent %s %s is not one the role may read", pobjs[target], pid);
				break;
			}
		}
		json_t *kids = child_rel ? json_object_get(json_object_get(rec, child_rel), "records") : NULL;
		if (via_hidden && json_array_size(kids)) {
			violation(st, r, q, "child records through '%s' show its hidden reference field", child_rel);
			break;
		}
		size_t j;
		json_t *kid;
		json_array_foreach(kids, j, kid) {
			const char *kidid = json_string_value(json_object_get(kid, "Id"));
			if (!has_id(&r->vis[child], kidid)) {
				violation(st, r, q, "the child %s %s is not one the role may read", pobjs[child], kidid);
				break;
			}
		}
	}
	if (!semi && mine == nrec && nrec != want)
		violation(st, r, q, "%zu records; the role's visible records that meet the WHERE: %zu", nrec, want);
out:
	json_decref(res);
	free(meet.v);
	crmw_buf_dispose(&b);
	crmw_query_opts_free(qo);
}

static void test_property_random_roles(void **state)
{
	(void)state;
	crmw_buf sj = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_to_json(&sj, crmw_db_schema(db)), CRMW_OK);
	json_t *s = json_loads(sj.data, 0, NULL);
	crmw_buf_dispose(&sj);
	pschema = json_object();
	size_t i;
	json_t *ob;
	json_array_foreach(json_object_get(s, "objects"), i, ob) {
		const char *name = json_string_value(json_object_get(ob, "name"));
		if (obj_index(name) >= 0)
			json_object_set(pschema, name, json_object_get(ob, "fields"));
	}
	json_decref(s);
	for (int o = 0; o < NOBJ; o++)
		assert_true(json_array_size(fields_of(o)) > 1 && json_array_size(fields_of(o)) < 64);
	pstats st = {0};
	for (int k = 0; k < 40; k++) {
		prole *r = malloc(sizeof *r);
		assert_non_null(r);
		gen_role(r);
		for (int n = 0; n < 12; n++)
			random_query(r, &st);
		free_role(r);
		free(r);
	}
	diag("property: %d queries under 40 random policies, %d valid (%d to be refused, %d COUNT()); "
		"%d violations", st.queries, st.valid, st.denied, st.counted, st.violations);
	for (int k = 0; k < st.violations && k < 5; k++)
		diag("violation: %s", st.first[k]);
	json_decref(pschema);
	assert_true(st.valid >= 300);
	assert_int_equal(st.violations, 0);
}

/* Run last: after every attack above, the org file is byte-identical. */
static void test_org_unchanged(void **state)
{
	(void)state;
	assert_true(hash_org() == org_hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capi_error_oracle),
		cmocka_unit_test(test_policy_error_oracle),
		cmocka_unit_test(test_agent_error_oracle),
		cmocka_unit_test(test_agent_registry_fails_open),
		cmocka_unit_test(test_memory_crosses_customers),
		cmocka_unit_test(test_react_prompt_names),
		cmocka_unit_test(test_deep_where),
		cmocka_unit_test(test_nested_children),
		cmocka_unit_test(test_small_stack),
		cmocka_unit_test(test_property_random_roles),
		cmocka_unit_test(test_org_unchanged),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("attacks", tests, setup, teardown);
}
