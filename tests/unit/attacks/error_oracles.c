/*
 * Error oracles: a condition that fails only when evaluated, placed after
 * a condition on a hidden value, reads the value by binary search (the C
 * API with the built-in customer role and with a policy, SOSL, the agent
 * loop in tools and ReAct mode).
 */

#include "fixture.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	fx_lit(l, sizeof l, lo);
	if (hi)
		fx_lit(h, sizeof h, hi);
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
	return crmw_query(&c->out, fx_db, q, strlen(q), c->opts) != CRMW_OK;
}

static bool run_capi(const char *what, crmw_role *role, attack k, int limit, const json_t *hidden)
{
	capi c = {fx_opts_for(role), CRMW_BUF_INIT};
	k.ask = capi_ask;
	k.ud = &c;
	char got[300];
	double t0 = now_s();
	recover(&k, limit, got);
	fx_diag("%s: recovered '%s' with %d queries in %.2f s", what, got, k.n, now_s() - t0);
	crmw_buf_dispose(&c.out);
	crmw_query_opts_free(c.opts);
	return leaks(got, hidden);
}

/* crmw_query as the built-in customer role: another account's case
 * subjects (SOQL), an internal article's title (SOSL). */
void test_capi_error_oracle(void **state)
{
	(void)state;
	char spec[64], base[100];
	snprintf(spec, sizeof spec, "external:%s", fx_me);
	crmw_role *r = fx_make_role(spec, NULL);
	snprintf(base, sizeof base, "AccountId = '%s'", fx_victim);
	bool a = run_capi("C API, SOQL, Case.Subject of another account", r,
			  (attack){.object = "Case", .base = base, .field = "Subject"}, 200, fx_victim_subjects);
	bool b = run_capi("C API, SOSL, Knowledge__kav.Title hidden from customers", r,
			  (attack){.object = "Knowledge__kav", .base = KB_HIDDEN, .field = "Title", .sosl = true}, 200,
			  fx_hidden_titles);
	crmw_role_free(r);
	assert_false(a);
	assert_false(b);
}

/* A policy role (JSON, with a bound variable): a support agent who sees only
 * their own cases reads the subjects of a colleague's. */
void test_policy_error_oracle(void **state)
{
	(void)state;
	char user[19], other_acc[19], policy[400], bind[80], base[200];
	fx_sql_one(user, sizeof user, "SELECT \"OwnerId\" FROM \"Case\" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
	fx_sql_one(other_acc, sizeof other_acc,
		"SELECT \"AccountId\" FROM \"Case\" WHERE \"OwnerId\" != ? AND \"AccountId\" IS NOT NULL GROUP BY 1 "
		"ORDER BY count(*) DESC, 1 LIMIT 1", user);
	json_t *hidden = fx_sql_col("SELECT \"Subject\" FROM \"Case\" WHERE \"AccountId\" = ? AND \"OwnerId\" != ?", other_acc, user);
	snprintf(policy, sizeof policy,
		 "{\"schema_version\":1,\"name\":\"own_cases\",\"default\":\"read\","
		 "\"objects\":{\"Case\":{\"where\":\"OwnerId = :user_id\"}}}");
	snprintf(bind, sizeof bind, "{\"user_id\":\"%s\"}", user);
	crmw_role *r = fx_make_role(policy, bind);
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
	assert_int_equal(crmw_agent_new(&a, fx_db, opts), CRMW_OK);
	snprintf(task, sizeof task,
		 "{\"id\":\"attack-%s\",\"family\":\"custom\",\"query\":\"What are my open cases?\",\"context\":{\"role\":"
		 "\"external:%s\"}}", mode, fx_me);
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
	fx_diag("agent loop (%s mode, task context.role external), %s.%s: recovered '%s' with %d model turns in "
		"%.2f s", mode, k.object, k.field, got, k.n, now_s() - t0);
	crmw_session_free(x.s);
	crmw_buf_dispose(&x.req);
	crmw_agent_free(a);
	return leaks(got, hidden);
}

/* The same attack by a model inside an episode that runs as the customer. */
void test_agent_error_oracle(void **state)
{
	(void)state;
	char base[100];
	snprintf(base, sizeof base, "AccountId = '%s'", fx_victim);
	bool a = run_agent_oracle("tools", (attack){.object = "Case", .base = base, .field = "Subject"}, fx_victim_subjects);
	bool b = run_agent_oracle("react", (attack){.object = "Case", .base = base, .field = "Subject"}, fx_victim_subjects);
	bool c = run_agent_oracle("tools", (attack){.object = "Knowledge__kav", .base = KB_HIDDEN, .field = "Title", .sosl = true},
				  fx_hidden_titles);
	assert_false(a);
	assert_false(b);
	assert_false(c);
}
