/*
 * Unit tests of roles in the agent runtime: the role an episode runs under
 * (the registry's base role, the agent's, the session's, the environment
 * pool's, narrowed by the task's context.role, never widened), attacks by a
 * scripted model on another customer's data, the registry after an episode,
 * the context of host tools and approvers inside and outside episodes, and
 * the old callbacks beside the new ones.
 * SPDX-License-Identifier: Apache-2.0
 */
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

#define ACC_A "001aaaaaaaaaaaaAAA"
#define ACC_B "001bbbbbbbbbbbbAAA"
#define CON_A "003aaaaaaaaaaaaAAA"
#define CON_B "003bbbbbbbbbbbbAAA"
#define USR_1 "005aaaaaaaaaaaaAAA"

/* B's case: what every attack below tries to read. */
#define B_SUBJECT "Zipper stuck again"

static char dir[256];
static char org_path[300];
static crmw_db *db;
static char b_case[19]; /* the Id of B's case */

/* ------------------------------------------------------------ fixtures */

/* Two customers (A: 2 cases, one closed; B: 1), one agent. */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-roles-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(org_path, sizeof org_path, "%s/org.db", dir);
	crmw_schema *s = NULL;
	if (crmw_schema_builtin(&s, "crmarena"))
		return -1;
	crmw_db *w = NULL;
	int rc = crmw_db_create(&w, org_path, s, "{\"now\":\"2024-06-15T12:00:00Z\"}");
	crmw_schema_free(s);
	if (rc)
		return -1;
	const char *recs[][2] = {
		{"User", "{\"Id\":\"" USR_1 "\",\"FirstName\":\"Ava\",\"LastName\":\"Stone\",\"Email\":\"ava@corp.example\"}"},
		{"Account", "{\"Id\":\"" ACC_A "\",\"FirstName\":\"Max\",\"LastName\":\"Ng\",\"ShippingState\":\"CA\"}"},
		{"Account", "{\"Id\":\"" ACC_B "\",\"FirstName\":\"Zoe\",\"LastName\":\"Diaz\",\"ShippingState\":\"NY\"}"},
		{"Contact", "{\"Id\":\"" CON_A "\",\"LastName\":\"Ng\",\"AccountId\":\"" ACC_A "\"}"},
		{"Contact", "{\"Id\":\"" CON_B "\",\"LastName\":\"Diaz\",\"AccountId\":\"" ACC_B "\"}"},
		{"Case", "{\"Subject\":\"Zipper broke\",\"Status\":\"New\",\"AccountId\":\"" ACC_A "\",\"OwnerId\":\"" USR_1
			 "\",\"CreatedDate\":\"2024-06-14T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"Late parcel\",\"Status\":\"Closed\",\"AccountId\":\"" ACC_A "\",\"OwnerId\":\"" USR_1
			 "\",\"CreatedDate\":\"2024-01-02T09:00:00Z\"}"},
		{"Case", "{\"Subject\":\"" B_SUBJECT "\",\"Status\":\"Working\",\"AccountId\":\"" ACC_B "\",\"OwnerId\":\"" USR_1
			 "\",\"CreatedDate\":\"2023-05-02T09:00:00Z\"}"},
	};
	for (size_t i = 0; i < sizeof recs / sizeof recs[0] && !rc; i++)
		rc = crmw_record_insert(NULL, w, recs[i][0], recs[i][1], strlen(recs[i][1]));
	crmw_db_free(w);
	if (rc || crmw_db_open(&db, org_path, CRMW_DB_READONLY))
		return -1;
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Id FROM Case WHERE AccountId = '" ACC_B "'";
	rc = crmw_query(&b, db, q, strlen(q), NULL);
	json_t *v = rc ? NULL : json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	const char *id = json_string_value(json_object_get(json_array_get(v, 0), "Id"));
	if (!id)
		return -1;
	snprintf(b_case, sizeof b_case, "%s", id);
	json_decref(v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	crmw_db_free(db);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static crmw_role *mk(const char *policy, const char *bindings)
{
	crmw_role *r = NULL;
	if (crmw_role_new(&r, db, policy, bindings))
		fail_msg("role %s: %s", policy, crmw_last_error());
	return r;
}

static crmw_query_opts *opts_as(const crmw_role *r, const char *today)
{
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	if (today)
		assert_int_equal(crmw_query_opts_set_today(o, today), CRMW_OK);
	return o;
}

/* A registry of the query and crmarena sets whose base role is `r`. */
static crmw_registry *registry_as(const crmw_role *r, const char *today)
{
	crmw_query_opts *o = opts_as(r, today);
	crmw_registry *reg = NULL;
	assert_int_equal(crmw_registry_new(&reg), CRMW_OK);
	assert_int_equal(crmw_registry_add_builtin(reg, "query,crmarena", db, o), CRMW_OK);
	crmw_query_opts_free(o);
	return reg;
}

/* The subjects a plain registry call of issue_soql_query sees, sorted, as
 * "a|b|c". */
static void subjects_seen(crmw_registry *reg, char *out, size_t n)
{
	const char *args = "{\"query\":\"SELECT Subject FROM Case ORDER BY Subject\"}";
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_registry_call(&b, reg, "issue_soql_query", args, strlen(args)))
		fail_msg("call: %s", b.data ? b.data : crmw_registry_errmsg(reg));
	json_t *v = json_loads(b.data, 0, NULL);
	assert_true(json_is_array(v));
	out[0] = '\0';
	size_t i;
	json_t *rec;
	json_array_foreach(v, i, rec) {
		size_t k = strlen(out);
		snprintf(out + k, n - k, "%s%s", i ? "|" : "", json_string_value(json_object_get(rec, "Subject")));
	}
	json_decref(v);
	crmw_buf_dispose(&b);
}

/* ------------------------------------------------------ a scripted model */

/* Outputs in turn, then a final answer. */
typedef struct script {
	const char *const *steps;
	int n, at;
} script;

static int script_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	(void)req;
	script *s = ud;
	const char *text = s->at < s->n ? s->steps[s->at] : "<tool_call>{\"name\":\"respond\",\"arguments\":{\"content\":\"done\"}}</tool_call>";
	s->at++;
	return crmw_response_set_text(resp, text, strlen(text));
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

/* The attack: another customer's case subjects, every way the tools allow. */
static const char *const attack[] = {
	"<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":\"SELECT Subject FROM Case WHERE AccountId = '" ACC_B "'\"}}</tool_call>",
	"<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":\"SELECT Subject, Status FROM Case ORDER BY Subject\"}}</tool_call>",
	"<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":\"SELECT Id, (SELECT Subject FROM Cases) FROM Account\"}}</tool_call>",
	"<tool_call>{\"name\":\"issue_sosl_query\",\"arguments\":{\"query\":\"FIND {zipper} RETURNING Case(Subject)\"}}</tool_call>",
	"<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"statuses\":[\"Working\",\"New\",\"Closed\"]}}</tool_call>",
	"<tool_call>{\"name\":\"get_cases\",\"arguments\":{\"case_ids\":[\"%B_CASE%\"]}}</tool_call>",
};
enum { N_ATTACK = sizeof attack / sizeof attack[0] };

/* The attack with B's case id filled in. */
static char attack_text[N_ATTACK][400];
static const char *attack_steps[N_ATTACK];

static void fill_attack(void)
{
	for (int i = 0; i < N_ATTACK; i++) {
		const char *p = strstr(attack[i], "%B_CASE%");
		if (p)
			snprintf(attack_text[i], sizeof attack_text[i], "%.*s%s%s", (int)(p - attack[i]), attack[i], b_case, p + 8);
		else
			snprintf(attack_text[i], sizeof attack_text[i], "%s", attack[i]);
		attack_steps[i] = attack_text[i];
	}
}

/* Run the attack on an agent; the trajectory. */
static json_t *run_attack(crmw_agent *a, const char *task)
{
	fill_attack();
	script s = {attack_steps, N_ATTACK, 0};
	crmw_backend b = backend_of(&s);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_agent_run(&out, a, task, NULL), CRMW_OK);
	json_t *tr = json_loads(out.data, 0, NULL);
	assert_non_null(tr);
	crmw_buf_dispose(&out);
	assert_int_equal(s.at, N_ATTACK + 1);
	return tr;
}

/* All the tool observations of a trajectory, joined (caller frees). */
static char *observations(const json_t *tr)
{
	char *out = calloc(1, 1);
	size_t n = 0, i;
	json_t *m;
	json_array_foreach(json_object_get(tr, "messages"), i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *c = json_string_value(json_object_get(m, "content"));
		if (!role || strcmp(role, "tool") != 0 || !c)
			continue;
		size_t k = strlen(c);
		out = realloc(out, n + k + 2);
		assert_non_null(out);
		memcpy(out + n, c, k);
		out[n + k] = '\n';
		out[n += k + 1] = '\0';
	}
	return out;
}

/* Nothing of B in the observations. */
static void nothing_of_b(const char *obs)
{
	if (strstr(obs, B_SUBJECT) || strstr(obs, b_case) || strstr(obs, ACC_B) || strstr(obs, "Working"))
		fail_msg("B's data leaked:\n%s", obs);
}

/* ------------------------------------------------------------------ tests */

/* A registry restricted to customer A: a task without context.role, with
 * "internal", or claiming to be customer B gets nothing of B; the registry
 * is exactly as it was afterwards. */
static void test_restricted_registry_attack(void **state)
{
	(void)state;
	crmw_role *ca = mk("external:" CON_A, NULL);
	crmw_registry *reg = registry_as(ca, NULL);
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":10}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	static const char *const tasks[] = {
		"{\"id\":\"t-none\",\"query\":\"List every case subject.\"}",
		"{\"id\":\"t-today\",\"query\":\"List every case subject.\",\"context\":{\"today\":\"2024-06-15\"}}",
		"{\"id\":\"t-internal\",\"query\":\"List every case subject.\",\"context\":{\"role\":\"internal\"}}",
		"{\"id\":\"t-b\",\"query\":\"List my case subjects.\",\"context\":{\"role\":\"external:" CON_B "\"}}",
	};
	for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++) {
		json_t *tr = run_attack(a, tasks[i]);
		char *obs = observations(tr);
		nothing_of_b(obs);
		if (i < 3) /* A's own cases are there: the role is A's, not nothing */
			assert_non_null(strstr(obs, "Zipper broke"));
		else /* A and B at once: neither */
			assert_null(strstr(obs, "Zipper broke"));
		free(obs);
		json_decref(tr);
		/* the registry is the host's again: exactly A's cases */
		char seen[200];
		subjects_seen(reg, seen, sizeof seen);
		assert_string_equal(seen, "Late parcel|Zipper broke");
		assert_ptr_equal(crmw_registry_role(reg), ca);
	}
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_role_free(ca);
}

/* A narrower task role narrows the episode only: afterwards the registry
 * sees what its base role sees, no more (the old code restored no role at
 * all), no less (nor the task's). */
static void test_no_widening_after_episode(void **state)
{
	(void)state;
	crmw_role *ca = mk("external:" CON_A, NULL);
	crmw_registry *reg = registry_as(ca, NULL);
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":5}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	const char *open_task =
		"{\"id\":\"t-open\",\"query\":\"Open cases?\",\"context\":{\"role\":"
		"\"{\\\"name\\\":\\\"open\\\",\\\"default\\\":\\\"read\\\",\\\"objects\\\":{\\\"Case\\\":{\\\"where\\\":\\\"Status != 'Closed'\\\"}}}\"}}";
	static const char *const steps[] = {
		"<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":\"SELECT Subject FROM Case ORDER BY Subject\"}}</tool_call>",
	};
	script s = {steps, 1, 0};
	crmw_backend b = backend_of(&s);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	crmw_session *se = NULL;
	assert_int_equal(crmw_session_new(&se, a, open_task, NULL), CRMW_OK);
	assert_string_equal(crmw_role_name(crmw_session_role(se)), "external & open");
	crmw_session_free(se);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_agent_run(&out, a, open_task, NULL), CRMW_OK);
	json_t *tr = json_loads(out.data, 0, NULL);
	char *obs = observations(tr);
	assert_non_null(strstr(obs, "Zipper broke"));
	assert_null(strstr(obs, "Late parcel")); /* closed: the task's rule */
	nothing_of_b(obs);
	free(obs);
	json_decref(tr);
	char seen[200];
	subjects_seen(reg, seen, sizeof seen);
	assert_string_equal(seen, "Late parcel|Zipper broke");
	/* A registry without a base role stays without one: an episode under a
	 * customer does not leave the customer behind either. */
	crmw_registry *open_reg = registry_as(NULL, NULL);
	assert_int_equal(crmw_agent_set_registry(a, open_reg), CRMW_OK);
	s.at = 0;
	assert_int_equal(crmw_agent_run(&out, a, "{\"id\":\"t-a\",\"query\":\"Mine?\",\"context\":{\"role\":\"external:" CON_A "\"}}", NULL),
			 CRMW_OK);
	subjects_seen(open_reg, seen, sizeof seen);
	assert_string_equal(seen, "Late parcel|Zipper broke|" B_SUBJECT);
	assert_null(crmw_registry_role(open_reg));
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	crmw_registry_free(open_reg);
	crmw_registry_free(reg);
	crmw_role_free(ca);
}

/* The agent's role (its own registry, tools and react mode), the session's
 * role in its place, and the task narrowing both. */
static void test_agent_and_session_roles(void **state)
{
	(void)state;
	crmw_role *ca = mk("external:" CON_A, NULL), *cb = mk("external:" CON_B, NULL), *in = mk("internal", NULL);
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":10}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_role(a, ca), CRMW_OK);
	crmw_role_free(ca); /* the agent keeps its own reference */
	json_t *tr = run_attack(a, "{\"id\":\"t1\",\"query\":\"Cases?\"}");
	char *obs = observations(tr);
	nothing_of_b(obs);
	assert_non_null(strstr(obs, "Zipper broke"));
	free(obs);
	json_decref(tr);
	/* the system prompt is the customer's: the host serves customer A */
	crmw_session *s = NULL;
	assert_int_equal(crmw_session_new(&s, a, "{\"id\":\"t1\",\"query\":\"Cases?\"}", NULL), CRMW_OK);
	assert_string_equal(crmw_role_name(crmw_session_role(s)), "external");
	assert_string_equal(crmw_role_binding(crmw_session_role(s), "account_id"), ACC_A);
	crmw_buf b = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &b, s), CRMW_OK);
	assert_non_null(strstr(b.data, "talking with one customer"));
	crmw_session_free(s);
	/* the session's role takes the agent's place */
	assert_int_equal(crmw_session_new_as(&s, a, cb, "{\"id\":\"t2\",\"query\":\"Cases?\"}", NULL), CRMW_OK);
	assert_string_equal(crmw_role_binding(crmw_session_role(s), "account_id"), ACC_B);
	crmw_session_free(s);
	/* internal, given explicitly, is internal; a task still narrows it */
	assert_int_equal(crmw_session_new_as(&s, a, in, "{\"id\":\"t3\",\"query\":\"Cases?\"}", NULL), CRMW_OK);
	assert_null(crmw_session_role(s));
	crmw_session_free(s);
	assert_int_equal(
		crmw_session_new_as(&s, a, in, "{\"id\":\"t4\",\"query\":\"Cases?\",\"context\":{\"role\":\"external:" CON_B "\"}}", NULL),
		CRMW_OK);
	assert_string_equal(crmw_role_binding(crmw_session_role(s), "account_id"), ACC_B);
	crmw_session_free(s);
	/* a bad task role is still an error, not a silent internal */
	assert_int_equal(crmw_session_new(&s, a, "{\"id\":\"t5\",\"query\":\"x\",\"context\":{\"role\":\"superuser\"}}", NULL),
			 CRMW_EINVALID);
	assert_null(s);
	/* NULL removes the agent's role: the host asks for internal access */
	assert_int_equal(crmw_agent_set_role(a, NULL), CRMW_OK);
	assert_int_equal(crmw_session_new(&s, a, "{\"id\":\"t6\",\"query\":\"Cases?\"}", NULL), CRMW_OK);
	assert_null(crmw_session_role(s));
	crmw_session_free(s);
	assert_int_equal(crmw_agent_set_role(NULL, cb), CRMW_EINVALID);
	assert_null(crmw_session_role(NULL));
	crmw_buf_dispose(&b);
	crmw_agent_free(a);

	/* ReAct: raw SOQL through <execute> obeys the agent's role too */
	assert_int_equal(crmw_agent_new(&a, db, "{\"mode\":\"react\",\"max_turns\":4}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_role(a, cb), CRMW_OK);
	static const char *const react[] = {
		"<execute>SELECT Subject FROM Case WHERE AccountId = '" ACC_A "'</execute>",
		"<execute>SELECT Subject FROM Case ORDER BY Subject</execute>",
		"<respond>done</respond>",
	};
	script sc = {react, 3, 0};
	crmw_backend be = backend_of(&sc);
	assert_int_equal(crmw_agent_set_backend(a, &be), CRMW_OK);
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_agent_run(&out, a, "{\"id\":\"r1\",\"query\":\"Cases?\"}", NULL), CRMW_OK);
	assert_null(strstr(out.data, "Zipper broke"));
	assert_non_null(strstr(out.data, B_SUBJECT));
	crmw_buf_dispose(&out);
	crmw_agent_free(a);
	crmw_role_free(cb);
	crmw_role_free(in);
}

/* The host changes the registry's base role in the middle of an episode:
 * the episode's calls follow it (never wider than the base role). */
static void test_base_role_changes_mid_episode(void **state)
{
	(void)state;
	crmw_role *ca = mk("external:" CON_A, NULL), *cb = mk("external:" CON_B, NULL);
	crmw_registry *reg = registry_as(ca, NULL);
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":5}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	crmw_session *s = NULL;
	assert_int_equal(crmw_session_new(&s, a, "{\"id\":\"m\",\"query\":\"Cases?\"}", NULL), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	int32_t step;
	assert_int_equal(crmw_session_next(&step, &b, s), CRMW_OK);
	assert_int_equal(crmw_registry_set_role(reg, cb), CRMW_OK);
	const char *call = "<tool_call>{\"name\":\"issue_soql_query\",\"arguments\":{\"query\":\"SELECT Subject FROM Case\"}}</tool_call>";
	assert_int_equal(crmw_session_feed(s, call, strlen(call)), CRMW_OK);
	assert_int_equal(crmw_session_decision(&b, s), CRMW_OK);
	assert_null(strstr(b.data, "Zipper")); /* A (the episode) and B (the base) together: nothing */
	assert_null(strstr(b.data, "Late parcel"));
	crmw_session_free(s);
	char seen[200];
	subjects_seen(reg, seen, sizeof seen);
	assert_string_equal(seen, B_SUBJECT);
	assert_int_equal(crmw_registry_set_role(NULL, cb), CRMW_EINVALID);
	assert_null(crmw_registry_role(NULL));
	crmw_buf_dispose(&b);
	crmw_agent_free(a);
	crmw_registry_free(reg);
	crmw_role_free(ca);
	crmw_role_free(cb);
}

/* The base role from crmw_registry_add_builtin narrows; set_role and
 * set_query_opts replace it. */
static void test_registry_base_role(void **state)
{
	(void)state;
	crmw_role *ca = mk("external:" CON_A, NULL), *cb = mk("external:" CON_B, NULL);
	crmw_registry *reg = registry_as(ca, NULL);
	char seen[200];
	assert_ptr_equal(crmw_registry_role(reg), ca);
	/* a second set under B: the registry now reads as A and B at once */
	crmw_query_opts *ob = opts_as(cb, NULL);
	assert_int_equal(crmw_registry_add_builtin(reg, "pro", db, ob), CRMW_OK);
	assert_string_equal(crmw_role_name(crmw_registry_role(reg)), "external & external");
	subjects_seen(reg, seen, sizeof seen);
	assert_string_equal(seen, "");
	/* a set with no role leaves it */
	crmw_registry *r2 = registry_as(ca, NULL);
	assert_int_equal(crmw_registry_add_builtin(r2, "pro", db, NULL), CRMW_OK);
	assert_ptr_equal(crmw_registry_role(r2), ca);
	/* the host replaces it */
	assert_int_equal(crmw_registry_set_role(reg, NULL), CRMW_OK);
	subjects_seen(reg, seen, sizeof seen);
	assert_string_equal(seen, "Late parcel|Zipper broke|" B_SUBJECT);
	assert_int_equal(crmw_registry_set_query_opts(reg, ob), CRMW_OK);
	assert_ptr_equal(crmw_registry_role(reg), cb);
	subjects_seen(reg, seen, sizeof seen);
	assert_string_equal(seen, B_SUBJECT);
	/* metrics tools follow the base role */
	crmw_buf out = CRMW_BUF_INIT;
	const char *args = "{\"start_date\":\"2020-01-01T00:00:00Z\",\"end_date\":\"2025-01-01T00:00:00Z\"}";
	assert_int_equal(crmw_registry_call(&out, reg, "get_agent_handled_cases_by_period", args, strlen(args)), CRMW_EUSER);
	assert_non_null(strstr(out.data, "INSUFFICIENT_ACCESS"));
	crmw_buf_dispose(&out);
	crmw_query_opts_free(ob);
	crmw_registry_free(r2);
	crmw_registry_free(reg);
	crmw_role_free(ca);
	crmw_role_free(cb);
}

/* -------------------------------------------------------- tool contexts */

typedef struct seen_ctx {
	int calls;
	char role[80], account[20], contact[20], user[20], today[12], task[40], episode[60];
	bool has_role, has_task, has_episode;
} seen_ctx;

static void copy_or(char *dst, size_t n, const char *s, bool *has)
{
	snprintf(dst, n, "%s", s ? s : "");
	if (has)
		*has = s != NULL;
}

static void record_ctx(seen_ctx *x, const crmw_tool_ctx *ctx)
{
	x->calls++;
	const crmw_role *r = crmw_tool_ctx_role(ctx);
	copy_or(x->role, sizeof x->role, r ? crmw_role_name(r) : NULL, &x->has_role);
	copy_or(x->account, sizeof x->account, crmw_tool_ctx_binding(ctx, "account_id"), NULL);
	copy_or(x->contact, sizeof x->contact, crmw_tool_ctx_binding(ctx, "contact_id"), NULL);
	copy_or(x->user, sizeof x->user, crmw_tool_ctx_binding(ctx, "user_id"), NULL);
	copy_or(x->today, sizeof x->today, crmw_tool_ctx_today(ctx), NULL);
	copy_or(x->task, sizeof x->task, crmw_tool_ctx_task_id(ctx), &x->has_task);
	copy_or(x->episode, sizeof x->episode, crmw_tool_ctx_episode_id(ctx), &x->has_episode);
}

/* A host tool that enforces the role itself: it reads the customer's
 * account from the context and refuses without one. */
static int my_orders(const crmw_tool_ctx *ctx, const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)args;
	(void)len;
	record_ctx(ud, ctx);
	const char *acc = crmw_tool_ctx_binding(ctx, "account_id");
	char out[200];
	if (crmw_tool_ctx_role(ctx) && !acc)
		snprintf(out, sizeof out, "INSUFFICIENT_ACCESS: no customer bound");
	else
		snprintf(out, sizeof out, "{\"orders_of\":\"%s\"}", acc ? acc : "everyone");
	crmw_buf_set(result, out, strlen(out));
	return crmw_tool_ctx_role(ctx) && !acc ? -1 : 0;
}

static int old_calls;
static int old_tool(const char *args, size_t len, crmw_buf *result, void *ud)
{
	(void)args;
	(void)len;
	(void)ud;
	old_calls++;
	return crmw_buf_set(result, "{\"old\":true}", 12);
}

static int freed;
static void count_free(void *p)
{
	(void)p;
	freed++;
}

static void test_tool_ctx(void **state)
{
	(void)state;
	crmw_role *tier = mk("{\"name\":\"tier1\",\"default\":\"read\",\"objects\":{\"Case\":{\"where\":\"OwnerId = :user_id\"}}}",
			     "{\"user_id\":\"" USR_1 "\"}");
	crmw_registry *reg = registry_as(tier, "2024-05-05");
	seen_ctx x = {0};
	const char *params = "{\"type\":\"object\",\"properties\":{}}";
	assert_int_equal(crmw_registry_add_ctx(reg, "my_orders", "The customer's orders.", params, my_orders, &x, count_free),
			 CRMW_OK);
	assert_int_equal(crmw_registry_add(reg, "old_tool", "An old-style tool.", NULL, old_tool, NULL, NULL), CRMW_OK);
	/* outside an episode: the base role and the registry's today */
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw_registry_call(&out, reg, "my_orders", "{}", 2), CRMW_EUSER);
	assert_non_null(strstr(out.data, "INSUFFICIENT_ACCESS"));
	assert_int_equal(x.calls, 1);
	assert_string_equal(x.role, "tier1");
	assert_string_equal(x.user, USR_1);
	assert_string_equal(x.account, "");
	assert_string_equal(x.today, "2024-05-05");
	assert_false(x.has_task);
	assert_false(x.has_episode);
	assert_int_equal(crmw_registry_call(&out, reg, "old_tool", "{}", 2), CRMW_OK);
	assert_int_equal(old_calls, 1);

	/* in an episode of customer A: the episode's role, with both parts' bindings */
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":5}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, reg), CRMW_OK);
	static const char *const steps[] = {
		"<tool_call>{\"name\":\"my_orders\",\"arguments\":{}}</tool_call>",
		"<tool_call>{\"name\":\"old_tool\",\"arguments\":{}}</tool_call>",
	};
	script s = {steps, 2, 0};
	crmw_backend b = backend_of(&s);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	assert_int_equal(crmw_agent_run(&out, a,
					"{\"id\":\"task-7\",\"query\":\"My orders?\",\"context\":{\"role\":\"external:" CON_A
					"\",\"today\":\"2024-06-01\"}}",
					"{\"episode_id\":\"ep-1\"}"),
			 CRMW_OK);
	assert_int_equal(x.calls, 2);
	assert_string_equal(x.role, "tier1 & external");
	assert_string_equal(x.user, USR_1);
	assert_string_equal(x.account, ACC_A);
	assert_string_equal(x.contact, CON_A);
	assert_string_equal(x.today, "2024-06-01");
	assert_string_equal(x.task, "task-7");
	assert_string_equal(x.episode, "ep-1");
	assert_non_null(strstr(out.data, "orders_of"));
	assert_non_null(strstr(out.data, "\\\"old\\\":true"));
	assert_int_equal(old_calls, 2);
	/* no task today: the registry's */
	s.at = 0;
	assert_int_equal(crmw_agent_run(&out, a, "{\"id\":\"task-8\",\"query\":\"My orders?\"}", NULL), CRMW_OK);
	assert_string_equal(x.today, "2024-05-05");
	assert_string_equal(x.role, "tier1");
	assert_string_equal(x.task, "task-8");
	assert_true(x.has_episode);
	/* after the episode: the base role again */
	assert_int_equal(crmw_registry_call(&out, reg, "my_orders", "{}", 2), CRMW_EUSER);
	assert_string_equal(x.role, "tier1");
	assert_string_equal(x.account, "");
	assert_false(x.has_task);
	crmw_agent_free(a);

	/* no role anywhere, no today anywhere: the host asked for internal
	 * access; in an episode the day is the org's now */
	crmw_registry *open = NULL;
	assert_int_equal(crmw_registry_new(&open), CRMW_OK);
	assert_int_equal(crmw_registry_add_ctx(open, "my_orders", "d", NULL, my_orders, &x, NULL), CRMW_OK);
	assert_int_equal(crmw_registry_call(&out, open, "my_orders", "{}", 2), CRMW_OK);
	assert_false(x.has_role);
	assert_string_equal(x.today, "");
	assert_non_null(strstr(out.data, "everyone"));
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":3}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_registry(a, open), CRMW_OK);
	s.at = 0;
	s.n = 1;
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	assert_int_equal(crmw_agent_run(&out, a, "{\"id\":\"task-9\",\"query\":\"Orders?\"}", NULL), CRMW_OK);
	assert_false(x.has_role);
	assert_string_equal(x.today, "2024-06-15");
	crmw_agent_free(a);
	crmw_registry_free(open);

	/* accessors on NULL */
	assert_null(crmw_tool_ctx_role(NULL));
	assert_null(crmw_tool_ctx_binding(NULL, "user_id"));
	assert_null(crmw_tool_ctx_today(NULL));
	assert_null(crmw_tool_ctx_task_id(NULL));
	assert_null(crmw_tool_ctx_episode_id(NULL));
	/* registration errors: the userdata is freed as with crmw_registry_add */
	freed = 0;
	assert_int_equal(crmw_registry_add_ctx(reg, "my_orders", "dup", NULL, my_orders, &x, count_free), CRMW_EEXISTS);
	assert_int_equal(crmw_registry_add_ctx(reg, "no_cb", "d", NULL, NULL, &x, count_free), CRMW_EINVALID);
	assert_int_equal(freed, 2);
	crmw_buf_dispose(&out);
	crmw_registry_free(reg);
	assert_int_equal(freed, 3);
	crmw_role_free(tier);
}

/* Approvers: the context one sees the episode's role; the old one still works. */
static int approve_ctx(int32_t *allow, crmw_buf *reason, const crmw_tool_ctx *ctx, const char *call, void *ud)
{
	seen_ctx *x = ud;
	record_ctx(x, ctx);
	json_t *c = json_loads(call, 0, NULL);
	assert_non_null(json_object_get(c, "name"));
	json_decref(c);
	/* a host rule: customers may not search */
	if (crmw_tool_ctx_binding(ctx, "account_id") && strstr(call, "issue_sosl_query")) {
		*allow = 0;
		crmw_buf_set(reason, "no search for customers", 23);
	}
	return 0;
}

static int old_approvals;
static int approve_old(int32_t *allow, crmw_buf *reason, const char *call, void *ud)
{
	(void)allow;
	(void)reason;
	(void)call;
	(void)ud;
	old_approvals++;
	return 0;
}

static void test_approver_ctx(void **state)
{
	(void)state;
	crmw_role *ca = mk("external:" CON_A, NULL);
	crmw_agent *a = NULL;
	assert_int_equal(crmw_agent_new(&a, db, "{\"max_turns\":10}"), CRMW_OK);
	assert_int_equal(crmw_agent_set_role(a, ca), CRMW_OK);
	seen_ctx x = {0};
	freed = 0;
	assert_int_equal(crmw_agent_set_approver_ctx(a, approve_ctx, &x, count_free), CRMW_OK);
	json_t *tr = run_attack(a, "{\"id\":\"ap\",\"query\":\"Cases?\",\"context\":{\"today\":\"2024-06-10\"}}");
	assert_int_equal(x.calls, N_ATTACK); /* every call (the answer is no call) */
	assert_string_equal(x.role, "external");
	assert_string_equal(x.account, ACC_A);
	assert_string_equal(x.today, "2024-06-10");
	assert_string_equal(x.task, "ap");
	assert_true(x.has_episode);
	char *obs = observations(tr);
	assert_non_null(strstr(obs, "no search for customers"));
	nothing_of_b(obs);
	free(obs);
	json_decref(tr);
	/* the old approver replaces it (its userdata freed) and still works */
	assert_int_equal(crmw_agent_set_approver(a, approve_old, NULL, NULL), CRMW_OK);
	assert_int_equal(freed, 1);
	int before = x.calls;
	tr = run_attack(a, "{\"id\":\"ap2\",\"query\":\"Cases?\"}");
	assert_int_equal(x.calls, before);
	assert_int_equal(old_approvals, N_ATTACK);
	json_decref(tr);
	/* and the other way round; NULL removes; a NULL agent frees the userdata */
	assert_int_equal(crmw_agent_set_approver_ctx(a, approve_ctx, &x, count_free), CRMW_OK);
	assert_int_equal(crmw_agent_set_approver_ctx(a, NULL, NULL, NULL), CRMW_OK);
	assert_int_equal(freed, 2);
	assert_int_equal(crmw_agent_set_approver_ctx(NULL, approve_ctx, &x, count_free), CRMW_EINVALID);
	assert_int_equal(freed, 3);
	crmw_agent_free(a);
	crmw_role_free(ca);
}

/* An environment pool's role: every reset runs under it, and a task's
 * context.role only narrows it. */
static void test_env_pool_role(void **state)
{
	(void)state;
	crmw_env_pool *p = NULL;
	assert_int_equal(crmw_env_pool_new(&p, org_path, "{\"workers\":0,\"agent\":{\"max_turns\":10}}"), CRMW_OK);
	crmw_role *ca = mk("external:" CON_A, NULL); /* made on another handle of the org */
	assert_int_equal(crmw_env_pool_set_role(p, ca), CRMW_OK);
	crmw_role_free(ca);
	assert_int_equal(crmw_env_pool_set_role(NULL, NULL), CRMW_EINVALID);
	static const char *const resets[] = {
		"{\"task\":{\"id\":\"e1\",\"query\":\"Cases?\"}}",
		"{\"task\":{\"id\":\"e2\",\"query\":\"Cases?\",\"context\":{\"role\":\"internal\"}}}",
	};
	fill_attack();
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++) {
		crmw_env *e = NULL;
		assert_int_equal(crmw_env_new(&e, p), CRMW_OK);
		crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
		assert_int_equal(crmw_env_reset(&obs, e, resets[i]), CRMW_OK);
		for (int k = 0; k < N_ATTACK; k++) {
			assert_int_equal(crmw_env_step(&out, e, attack_steps[k], strlen(attack_steps[k])), CRMW_OK);
			json_t *st = json_loads(out.data, 0, NULL);
			char *o = observations(st);
			nothing_of_b(o);
			if (k == 1)
				assert_non_null(strstr(o, "Zipper broke"));
			free(o);
			json_decref(st);
		}
		crmw_buf_dispose(&obs);
		crmw_buf_dispose(&out);
		crmw_env_free(e);
	}
	/* NULL: internal access again, for the next resets */
	assert_int_equal(crmw_env_pool_set_role(p, NULL), CRMW_OK);
	crmw_env *e = NULL;
	assert_int_equal(crmw_env_new(&e, p), CRMW_OK);
	crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
	assert_int_equal(crmw_env_reset(&obs, e, resets[0]), CRMW_OK);
	assert_int_equal(crmw_env_step(&out, e, attack_steps[1], strlen(attack_steps[1])), CRMW_OK);
	assert_non_null(strstr(out.data, B_SUBJECT));
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&out);
	crmw_env_free(e);
	crmw_env_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restricted_registry_attack),
		cmocka_unit_test(test_no_widening_after_episode),
		cmocka_unit_test(test_agent_and_session_roles),
		cmocka_unit_test(test_base_role_changes_mid_episode),
		cmocka_unit_test(test_registry_base_role),
		cmocka_unit_test(test_tool_ctx),
		cmocka_unit_test(test_approver_ctx),
		cmocka_unit_test(test_env_pool_role),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("roles", tests, setup, teardown);
}
