/*
 * Memory across customers, as an attacker sees it: what one customer's
 * episode writes never reaches another's, and the scope of each kind of
 * role.
 */

#include "fixture.h"

/* ------------------------------------------------- memory across customers */

/* A SOQL query's records (as `role` sees the org; NULL: all of it). */
static json_t *records(const char *soql, const char *role_text)
{
	crmw_query_opts *o;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	crmw_role *r = NULL;
	if (role_text) {
		assert_int_equal(crmw_role_new(&r, fx_db, role_text, NULL), CRMW_OK);
		assert_int_equal(crmw_query_opts_set_role(o, r), CRMW_OK);
	}
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, fx_db, soql, strlen(soql), o))
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
	assert_int_equal(crmw_role_new(&r, fx_db, role_text, NULL), CRMW_OK);
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
	model m = fx_new_model(t);
	crmw_backend b = fx_backend_of(&m);
	assert_int_equal(crmw_agent_set_backend(a, &b), CRMW_OK);
	json_t *tr = fx_run(a, t, NULL);
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
void test_memory_customers(void **state)
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
	snprintf(mpath, sizeof mpath, "%s/customers.db", fx_dir);
	snprintf(ipath, sizeof ipath, "%s/customers-internal.db", fx_dir);
	crmw_memory *mem, *imem;
	assert_int_equal(crmw_memory_open(&mem, mpath, NULL), CRMW_OK);
	assert_int_equal(crmw_memory_open(&imem, ipath, NULL), CRMW_OK);
	crmw_agent *a;
	assert_int_equal(crmw_agent_new(&a, fx_db, "{\"memory\":{\"write\":true,\"k\":3,\"min_score\":0.2}}"), CRMW_OK);
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
		char *tj = fx_dumps(t);
		assert_int_equal(crmw_session_new(&s, a, tj, NULL), CRMW_OK);
		free(tj);
		char cid[64];
		snprintf(cid, sizeof cid, "plan_%lld_0", (long long)ea);
		json_t *req = json_pack("{s:i, s:[{s:s, s:s}, {s:s, s:s, s:[{s:s, s:s, s:{s:s, s:s}}]}, {s:s, s:s, s:s}], s:[]}",
					"schema_version", 1, "messages", "role", "user", "content", "hi", "role", "assistant",
					"content", "", "tool_calls", "id", cid, "type", "function", "function", "name",
					"issue_soql_query", "arguments", "{}", "role", "tool", "tool_call_id", cid, "content",
					"[{\"Subject\":\"whatever\"}]", "tools");
		char *rj = fx_dumps(req);
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
	assert_int_equal(crmw_agent_new(&pa, fx_db, NULL), CRMW_OK);
	assert_int_equal(crmw_agent_set_backend(pa, &pol), CRMW_OK);
	json_t *tb2 = subject_task(&B, "subject-B2", "Dented lid on the Lyra box");
	json_t *trp = fx_run(pa, tb2, NULL);
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
	for (int64_t i = 0; i < crmw_task_set_count(fx_tasks) && np < 1; i++) {
		json_t *t = fx_task_json(i);
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
	char *ps = fx_dumps(json_object_get(md, "plan"));
	assert_null(strstr(ps, "$redacted"));
	assert_non_null(strstr(ps, json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(priv[0], "gold"), 0), "arguments"), "content"))));
	free(ps);
	json_decref(e);
	json_t *r1 = fx_run(pa, priv[1], NULL);
	assert_true(json_real_value(json_object_get(r1, "reward")) == 1.0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r1, "plan"), "memory_id")), er);
	json_t *r2 = fx_run(pa, priv[2], NULL);
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
void test_memory_scope_keys(void **state)
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
		if (crmw_role_new(&r, fx_db, role, cases[i].bindings ? binds : NULL))
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
