/*
 * bench/acl_bench: the cost of row rules, in the form the compiler writes
 * them beside the form it wrote before (2026-12), in one run.
 *
 *   acl_bench OUT_DIR ITERATIONS
 *
 * Generates OUT_DIR/acl.db (crmw_gen: b2b, seed 1, scale 4: 4,000 cases),
 * then for each role times three queries:
 *  - point: a case by Id with two parent fields (Account.Name, Owner.Name),
 *    cycling over 32 ids the role may read;
 *  - scan: the closed cases created in a half year, with owner and dates;
 *  - group: cases per status (GROUP BY, COUNT).
 * Roles: a customer (external:<Contact>, the account with the most
 * cases), an agent's policy (Case rows where OwnerId = :user_id, bound to
 * the agent with the most cases) and a broad policy (every closed case,
 * accounts outside one state): a rule that keeps most rows is the worst
 * case for a row source, which reads every row the rule keeps.
 *
 * Each query runs three ways, all warm:
 *  - crmw_query: parse, compile (cached), run, JSON (what hosts see);
 *  - rows: the compiled SQL stepped with sqlite3 (no JSON): the row rule
 *    as a row source, "FROM (SELECT ... WHERE rule LIMIT -1 OFFSET 0) t";
 *  - before: the same SQL rewritten to the earlier form, the rule ANDed
 *    into the WHERE ("t.Id IN (SELECT Id ... WHERE rule)") and into each
 *    join's ON, stepped the same way.  Both forms return the same rows
 *    (checked).  The ratio is rows / before.
 * The internal role compiles to the same SQL as no role (checked), so it
 * costs nothing; its crmw_query time is printed beside.
 * Prints a table, then one JSON object.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <crmweaver.h>
#include <jansson.h>
#include <sqlite3.h>

#include "benchfn.h"

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "acl_bench: %s: %s\n", what, msg ? msg : "?");
	exit(1);
}


/* ------------------------------------------------ the earlier form */

/* Where the clause that starts at or after `from` ends: the next keyword
 * of `stops` outside parentheses and quotes, or the end. */
static const char *clause_end(const char *from, const char *const *stops)
{
	int depth = 0;
	bool quoted = false;
	for (const char *p = from; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		if (*p == '(')
			depth++;
		else if (*p == ')') {
			if (depth == 0)
				return p;
			depth--;
		} else if (depth == 0)
			for (const char *const *s = stops; *s; s++)
				if (strncmp(p, *s, strlen(*s)) == 0)
					return p;
	}
	return from + strlen(from);
}

static const char *matching_paren(const char *open)
{
	int depth = 0;
	bool quoted = false;
	for (const char *p = open; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')' && --depth == 0)
			return p;
	}
	die("rewrite", "unbalanced SQL");
	return NULL;
}

static char *cat(const char *a, size_t na, const char *b, size_t nb, const char *c)
{
	size_t nc = strlen(c);
	char *s = malloc(na + nb + nc + 1);
	if (!s)
		die("rewrite", "out of memory");
	memcpy(s, a, na);
	memcpy(s + na, b, nb);
	memcpy(s + na + nb, c, nc + 1);
	return s;
}

/*
 * One row source of the outermost SELECT of `sql` put back into the
 * earlier form, or NULL when none is left.  Handles what the three
 * queries compile to: the FROM object and LEFT JOINed parents.
 */
static char *rewrite_one(const char *sql)
{
	static const char *const head = "(SELECT ";
	static const char *const tail = " LIMIT -1 OFFSET 0)";
	const char *p = strstr(sql, head);
	for (; p; p = strstr(p + 1, head)) {
		const char *dot = strchr(p + strlen(head), '.');
		if (dot && strncmp(dot, ".rowid AS \"rowid\"", 17) == 0)
			break;
	}
	if (!p)
		return NULL;
	const char *close = matching_paren(p);
	size_t inner_len = (size_t)(close + 1 - p) - strlen(head) - strlen(tail);
	char inner[4096];
	if (inner_len >= sizeof inner)
		die("rewrite", "rule too long");
	memcpy(inner, p + strlen(head), inner_len);
	inner[inner_len] = '\0';
	/* inner: qA_t0.rowid AS "rowid", qA_t0.* FROM "Obj" qA_t0 ... */
	char ralias[32], object[64];
	if (sscanf(inner, "%31[^.].rowid", ralias) != 1)
		die("rewrite", inner);
	const char *from = strstr(inner, " FROM \"");
	if (!from || sscanf(from, " FROM \"%63[^\"]\"", object) != 1)
		die("rewrite", inner);
	char alias[32];
	if (sscanf(close + 1, " %31s", alias) != 1)
		die("rewrite", close + 1);
	char pred[4600];
	snprintf(pred, sizeof pred, "%s.\"Id\" IN (SELECT %s.\"Id\"%s)", alias, ralias, from);
	char table[128];
	snprintf(table, sizeof table, "\"%s\"", object);
	char *out = cat(sql, (size_t)(p - sql), table, strlen(table), close + 1);
	const char *at = out + (p - sql) + strlen(table) + 1 + strlen(alias);
	bool join = (size_t)(p - sql) >= 10 && strncmp(p - 10, "LEFT JOIN ", 10) == 0;
	static const char *const on_stops[] = {" LEFT JOIN ", " CROSS JOIN ", " JOIN ", " WHERE ", " GROUP BY ",
					       " ORDER BY ", " LIMIT ", NULL};
	static const char *const where_stops[] = {" GROUP BY ", " ORDER BY ", " LIMIT ", NULL};
	static const char *const from_stops[] = {" WHERE ", " GROUP BY ", " ORDER BY ", " LIMIT ", NULL};
	char *res;
	if (join) {
		const char *end = clause_end(at, on_stops);
		char add[4700];
		snprintf(add, sizeof add, " AND %s", pred);
		res = cat(out, (size_t)(end - out), add, strlen(add), end);
	} else {
		const char *w = clause_end(at, from_stops);
		if (strncmp(w, " WHERE ", 7) == 0) {
			const char *end = clause_end(w + 7, where_stops);
			char *a = cat(out, (size_t)(w - out), " WHERE (", 8, "");
			char *b = cat(a, strlen(a), w + 7, (size_t)(end - w - 7), ") AND ");
			res = cat(b, strlen(b), pred, strlen(pred), end);
			free(a);
			free(b);
		} else {
			char add[4700];
			snprintf(add, sizeof add, " WHERE %s", pred);
			res = cat(out, (size_t)(w - out), add, strlen(add), w);
		}
	}
	free(out);
	return res;
}

/* One more gate of `alias` in `sql` replaced by its bare expression, or
 * NULL when there is none. */
static char *rewrite_gate_same(const char *sql, const char *alias)
{
	static const char *const head = "CASE WHEN EXISTS (SELECT ";
	char want[64];
	snprintf(want, sizeof want, ".rowid = %s.rowid", alias);
	for (const char *p = strstr(sql, head); p; p = strstr(p + 1, head)) {
		const char *open = p + strlen("CASE WHEN EXISTS ");
		const char *close = matching_paren(open);
		const char *hit = strstr(open, want);
		if (!hit || hit > close)
			continue;
		const char *then = close + 1 + strlen(" THEN ");
		const char *end = strstr(then, " END");
		if (!end)
			die("rewrite", then);
		return cat(sql, (size_t)(p - sql), then, (size_t)(end - then), end + 4);
	}
	return NULL;
}

/* The gate of a parent ("CASE WHEN EXISTS (SELECT ... WHERE rule AND
 * g.rowid = ALIAS.rowid LIMIT -1 OFFSET 0) THEN expr END") put back into
 * the earlier form: the bare expression, and the rule in the ON of the
 * parent's join ("ALIAS.Id IN (SELECT Id ... WHERE rule)").  NULL when no
 * gate is left. */
static char *rewrite_gate(const char *sql)
{
	static const char *const head = "CASE WHEN EXISTS (SELECT ";
	const char *p = strstr(sql, head);
	if (!p)
		return NULL;
	const char *open = p + strlen("CASE WHEN EXISTS ");
	const char *close = matching_paren(open);
	char inner[4096];
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof inner)
		die("rewrite", "gate too long");
	memcpy(inner, open + 1, n);
	inner[n] = '\0';
	char ralias[32], object[64], alias[32];
	const char *from = strstr(inner, " FROM \"");
	char *same = strstr(inner, ".rowid = ");
	if (sscanf(inner, "SELECT %31[^.].rowid", ralias) != 1 || !from ||
	    sscanf(from, " FROM \"%63[^\"]\"", object) != 1 || !same || sscanf(same, ".rowid = %31[^.].rowid", alias) != 1)
		die("rewrite", inner);
	/* the rule: the WHERE without " AND <ralias>.rowid = <alias>.rowid" and the LIMIT */
	char *cut = same;
	while (cut > inner && strncmp(cut, " AND ", 5) != 0)
		cut--;
	*cut = '\0';
	char pred[4600];
	snprintf(pred, sizeof pred, " AND %s.\"Id\" IN (SELECT %s.\"Id\"%s)", alias, ralias, from);
	/* the expression after THEN, up to its END */
	const char *then = close + 1 + strlen(" THEN ");
	const char *end = strstr(then, " END");
	if (!end)
		die("rewrite", then);
	char *bare = cat(sql, (size_t)(p - sql), then, (size_t)(end - then), end + 4);
	/* every other gate of the same alias goes too; the rule once, in the ON */
	char *again;
	while ((again = rewrite_gate_same(bare, alias)) != NULL) {
		free(bare);
		bare = again;
	}
	char on[160];
	snprintf(on, sizeof on, "\"%s\" %s ON ", object, alias);
	const char *j = strstr(bare, on);
	if (!j)
		die("rewrite", on);
	static const char *const on_stops[] = {" LEFT JOIN ", " CROSS JOIN ", " JOIN ", " WHERE ", " GROUP BY ",
					       " ORDER BY ", " LIMIT ", NULL};
	const char *je = clause_end(j + strlen(on), on_stops);
	char *res = cat(bare, (size_t)(je - bare), pred, strlen(pred), je);
	free(bare);
	return res;
}

static char *earlier_form(const char *sql)
{
	char *cur = strdup(sql);
	char *next;
	while ((next = rewrite_gate(cur)) != NULL) {
		free(cur);
		cur = next;
	}
	while ((next = rewrite_one(cur)) != NULL) {
		free(cur);
		cur = next;
	}
	return cur;
}

/* ------------------------------------------------------- running */

typedef struct compiled {
	char *sql, *before;
	json_t *params;
} compiled;

static compiled compile(crmw_db *db, const char *q, const crmw_query_opts *o)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query_explain(&b, db, q, strlen(q), o))
		die(q, crmw_db_errmsg(db));
	json_t *v = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	if (!v || json_array_size(json_object_get(v, "sql")) != 1)
		die(q, "one statement expected");
	compiled c;
	c.sql = strdup(json_string_value(json_array_get(json_object_get(v, "sql"), 0)));
	c.before = earlier_form(c.sql);
	c.params = json_incref(json_object_get(v, "params"));
	json_decref(v);
	return c;
}

static void compiled_free(compiled *c)
{
	free(c->sql);
	free(c->before);
	json_decref(c->params);
}

/* Step the statement to the end; returns a hash of the rows (to compare
 * the two forms) and the number of rows. */
static unsigned long long step_all(sqlite3 *h, sqlite3_stmt *st, const json_t *params, int *nrows)
{
	sqlite3_reset(st);
	size_t i;
	json_t *p;
	json_array_foreach(params, i, p) {
		int k = (int)i + 1;
		if (json_is_integer(p))
			sqlite3_bind_int64(st, k, json_integer_value(p));
		else if (json_is_real(p))
			sqlite3_bind_double(st, k, json_real_value(p));
		else if (json_is_string(p))
			sqlite3_bind_text(st, k, json_string_value(p), -1, SQLITE_STATIC);
		else
			die("params", "a parameter the bench cannot bind");
	}
	unsigned long long sum = 0; /* of the rows' hashes: any order */
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		unsigned long long h64 = 1469598103934665603ULL;
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *t = sqlite3_column_text(st, c);
			for (; t && *t; t++)
				h64 = (h64 ^ *t) * 1099511628211ULL;
			h64 = (h64 ^ 0xff) * 1099511628211ULL;
		}
		sum += h64;
	}
	if (rc != SQLITE_DONE)
		die("step", sqlite3_errmsg(h));
	*nrows = n;
	return sum;
}

typedef struct result {
	double api, rows, before;
	int nrows;
} result;

static const char *const Q_SCAN = "SELECT Id, OwnerId, CreatedDate, ClosedDate FROM Case WHERE Status = 'Closed' "
				  "AND CreatedDate >= 2024-01-01T00:00:00Z AND CreatedDate < 2024-07-01T00:00:00Z";
static const char *const Q_GROUP = "SELECT Status, COUNT(Id) n FROM Case GROUP BY Status";

static void point_text(char *buf, size_t n, const char *id)
{
	snprintf(buf, n, "SELECT Id, Subject, Status, Account.Name, Owner.Name FROM Case WHERE Id = '%.18s'", id);
}

static result run_query(crmw_db *db, sqlite3 *h, const crmw_query_opts *o, int iters, const char *fixed,
			char ids[][19], int nids)
{
	result r = {0};
	double *t = malloc(sizeof *t * (size_t)iters);
	char text[512];
	crmw_buf out = CRMW_BUF_INIT;
	/* end to end */
	for (int i = -20; i < iters; i++) {
		if (!fixed)
			point_text(text, sizeof text, ids[(i < 0 ? 0 : i) % nids]);
		const char *q = fixed ? fixed : text;
		double t0 = bench_now_us();
		if (crmw_query(&out, db, q, strlen(q), o))
			die(q, crmw_db_errmsg(db));
		if (i >= 0)
			t[i] = bench_now_us() - t0;
	}
	r.api = bench_percentiles(t, iters).p50;
	crmw_buf_dispose(&out);
	/* the two SQL forms, prepared once per text */
	int nforms = fixed ? 1 : nids;
	compiled *cs = malloc(sizeof *cs * (size_t)nforms);
	sqlite3_stmt **now = malloc(sizeof *now * (size_t)nforms), **old = malloc(sizeof *old * (size_t)nforms);
	for (int k = 0; k < nforms; k++) {
		if (!fixed)
			point_text(text, sizeof text, ids[k]);
		cs[k] = compile(db, fixed ? fixed : text, o);
		if (sqlite3_prepare_v2(h, cs[k].sql, -1, &now[k], NULL) != SQLITE_OK)
			die(cs[k].sql, sqlite3_errmsg(h));
		if (sqlite3_prepare_v2(h, cs[k].before, -1, &old[k], NULL) != SQLITE_OK)
			die(cs[k].before, sqlite3_errmsg(h));
		int n1, n2;
		if (step_all(h, now[k], cs[k].params, &n1) != step_all(h, old[k], cs[k].params, &n2) || n1 != n2)
			die("check", "the two forms return different rows");
		r.nrows = n1;
	}
	for (int form = 0; form < 2; form++) {
		for (int i = -20; i < iters; i++) {
			int k = (i < 0 ? 0 : i) % nforms, n;
			double t0 = bench_now_us();
			step_all(h, form ? old[k] : now[k], cs[k].params, &n);
			if (i >= 0)
				t[i] = bench_now_us() - t0;
		}
		*(form ? &r.before : &r.rows) = bench_percentiles(t, iters).p50;
	}
	for (int k = 0; k < nforms; k++) {
		sqlite3_finalize(now[k]);
		sqlite3_finalize(old[k]);
		compiled_free(&cs[k]);
	}
	free(cs);
	free(now);
	free(old);
	free(t);
	return r;
}

/* Up to 32 ids of cases the role may read. */
static int visible_ids(crmw_db *db, const crmw_query_opts *o, char ids[32][19])
{
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Id FROM Case ORDER BY CreatedDate LIMIT 32";
	if (crmw_query(&b, db, q, strlen(q), o))
		die(q, crmw_db_errmsg(db));
	json_t *v = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	int n = 0;
	size_t i;
	json_t *rec;
	json_array_foreach(v, i, rec) snprintf(ids[n++], 19, "%s", json_string_value(json_object_get(rec, "Id")));
	json_decref(v);
	if (n == 0)
		die("ids", "the role reads no case");
	return n;
}

static void first(crmw_db *db, const char *q, char *out)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw_query(&b, db, q, strlen(q), NULL))
		die(q, crmw_db_errmsg(db));
	json_t *v = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	json_t *rec = json_array_get(v, 0);
	const char *key = json_object_iter_key(json_object_iter(rec));
	snprintf(out, 19, "%s", json_string_value(json_object_get(rec, key)));
	json_decref(v);
}

static crmw_query_opts *opts_for(crmw_db *db, const char *policy, const char *bind)
{
	crmw_query_opts *o = NULL;
	if (crmw_query_opts_new(&o) || crmw_query_opts_set_timeout_ms(o, 0))
		die("opts", crmw_last_error());
	if (policy) {
		crmw_role *r = NULL;
		if (crmw_role_new(&r, db, policy, bind))
			die(policy, crmw_last_error());
		crmw_query_opts_set_role(o, r);
		crmw_role_free(r);
	}
	return o;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage", "acl_bench OUT_DIR ITERATIONS");
	int iters = atoi(argv[2]);
	if (iters < 10)
		die("usage", "ITERATIONS must be at least 10");
	char path[1024];
	snprintf(path, sizeof path, "%s/acl.db", argv[1]);
	struct stat sb;
	if (stat(path, &sb) != 0 && crmw_gen(path, "{\"profile\":\"b2b\",\"seed\":1,\"scale\":4}", NULL, NULL))
		die(path, crmw_last_error());
	crmw_db *db = NULL;
	if (crmw_db_open(&db, path, CRMW_DB_READONLY))
		die(path, crmw_last_error());
	sqlite3 *h = NULL;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(path, "cannot open");

	char contact[19], user[19], policy_user[200];
	first(db, "SELECT ContactId, COUNT(Id) n FROM Case WHERE ContactId != null GROUP BY ContactId ORDER BY COUNT(Id) DESC LIMIT 1", contact);
	first(db, "SELECT OwnerId, COUNT(Id) n FROM Case GROUP BY OwnerId ORDER BY COUNT(Id) DESC LIMIT 1", user);
	snprintf(policy_user, sizeof policy_user, "{\"user_id\":\"%s\"}", user);
	char external[40];
	snprintf(external, sizeof external, "external:%s", contact);
	struct {
		const char *name, *policy, *bind;
	} roles[] = {
		{"customer (external)", external, NULL},
		{"agent's cases (OwnerId = :user_id)", "{\"schema_version\":1,\"name\":\"own\",\"default\":\"read\","
						       "\"objects\":{\"Case\":{\"where\":\"OwnerId = :user_id\"}}}", policy_user},
		{"broad (closed cases; accounts)", "{\"schema_version\":1,\"name\":\"broad\",\"default\":\"read\","
						   "\"objects\":{\"Case\":{\"where\":\"Status = 'Closed'\"},"
						   "\"Account\":{\"where\":\"ShippingState != 'ZZ'\"}}}", NULL},
	};
	const char *qnames[] = {"point", "scan", "group"};

	/* the internal role: the same SQL as no role */
	crmw_query_opts *none = opts_for(db, NULL, NULL), *internal = opts_for(db, "internal", NULL);
	char ids[32][19];
	int nids = visible_ids(db, none, ids);
	double internal_api[3], none_api[3];
	for (int qi = 0; qi < 3; qi++) {
		const char *fixed = qi == 0 ? NULL : qi == 1 ? Q_SCAN : Q_GROUP;
		char text[512];
		if (!fixed)
			point_text(text, sizeof text, ids[0]);
		compiled a = compile(db, fixed ? fixed : text, none), b = compile(db, fixed ? fixed : text, internal);
		if (strcmp(a.sql, b.sql) != 0)
			die("internal", "the internal role compiles to other SQL than no role");
		compiled_free(&a);
		compiled_free(&b);
		/* the two in turn, so that both see the same noise */
		double *tn = malloc(sizeof *tn * (size_t)iters), *ti = malloc(sizeof *ti * (size_t)iters);
		crmw_buf out = CRMW_BUF_INIT;
		for (int i = -20; i < iters; i++) {
			char qtext[512];
			if (!fixed)
				point_text(qtext, sizeof qtext, ids[(i < 0 ? 0 : i) % nids]);
			const char *q = fixed ? fixed : qtext;
			for (int w = 0; w < 2; w++) {
				double t0 = bench_now_us();
				if (crmw_query(&out, db, q, strlen(q), w ? internal : none))
					die(q, crmw_db_errmsg(db));
				if (i >= 0)
					(w ? ti : tn)[i] = bench_now_us() - t0;
			}
		}
		none_api[qi] = bench_percentiles(tn, iters).p50;
		internal_api[qi] = bench_percentiles(ti, iters).p50;
		crmw_buf_dispose(&out);
		free(tn);
		free(ti);
	}

	printf("%-36s %-6s %6s %12s %12s %12s %7s\n", "role", "query", "rows", "crmw_query", "rows (now)", "before",
	       "ratio");
	for (int qi = 0; qi < 3; qi++)
		printf("%-36s %-6s %6s %10.1f µs %12s %12s %7s   (no role: %.1f µs)\n", "internal", qnames[qi], "-",
		       internal_api[qi], "same SQL", "-", "1.00", none_api[qi]);
	json_t *js = json_object();
	json_t *jr = json_array();
	for (size_t ri = 0; ri < sizeof roles / sizeof roles[0]; ri++) {
		crmw_query_opts *o = opts_for(db, roles[ri].policy, roles[ri].bind);
		nids = visible_ids(db, o, ids);
		for (int qi = 0; qi < 3; qi++) {
			const char *fixed = qi == 0 ? NULL : qi == 1 ? Q_SCAN : Q_GROUP;
			result r = run_query(db, h, o, iters, fixed, ids, nids);
			printf("%-36s %-6s %6d %10.1f µs %9.1f µs %9.1f µs %6.2fx\n", roles[ri].name, qnames[qi], r.nrows, r.api,
			       r.rows, r.before, r.rows / r.before);
			json_array_append_new(jr, json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:f}", "role", roles[ri].name,
							    "query", qnames[qi], "rows", r.nrows, "crmw_query_p50_us", r.api,
							    "rows_p50_us", r.rows, "before_p50_us", r.before, "ratio",
							    r.rows / r.before));
		}
		crmw_query_opts_free(o);
	}
	/*
	 * The timing oracle: as the customer, queries whose conditions match
	 * a record of another customer, or match nothing at all.  The medians
	 * should not tell them apart.
	 */
	{
		crmw_query_opts *o = opts_for(db, external, NULL);
		char other[19], subject[80], q[4][300];
		char probe[200];
		snprintf(probe, sizeof probe,
			 "SELECT Id, Subject FROM Case WHERE ContactId != '%s' AND Subject != null ORDER BY Id LIMIT 1", contact);
		crmw_buf b = CRMW_BUF_INIT;
		if (crmw_query(&b, db, probe, strlen(probe), NULL))
			die(probe, crmw_db_errmsg(db));
		json_t *v = json_loads(b.data, 0, NULL);
		snprintf(other, sizeof other, "%s", json_string_value(json_object_get(json_array_get(v, 0), "Id")));
		snprintf(subject, sizeof subject, "%.12s", json_string_value(json_object_get(json_array_get(v, 0), "Subject")));
		json_decref(v);
		crmw_buf_dispose(&b);
		snprintf(q[0], sizeof q[0], "SELECT Id FROM Case WHERE Id = '%s'", other);
		snprintf(q[1], sizeof q[1], "SELECT Id FROM Case WHERE Id = '500000000000000AAA'");
		snprintf(q[2], sizeof q[2], "SELECT Id FROM Case WHERE Subject LIKE '%s%%'", subject);
		snprintf(q[3], sizeof q[3], "SELECT Id FROM Case WHERE Subject LIKE 'zzqqxx%%'");
		const char *what[4] = {"Id = another customer's case", "Id = no case", "Subject LIKE another customer's",
				       "Subject LIKE nothing"};
		json_t *jt = json_object();
		printf("\ntiming oracle, as the customer (medians of %d, interleaved):\n", iters * 5);
		double *t = malloc(sizeof *t * (size_t)iters * 5 * 4);
		for (int i = -20; i < iters * 5; i++)
			for (int k = 0; k < 4; k++) {
				double t0 = bench_now_us();
				if (crmw_query(&b, db, q[k], strlen(q[k]), o))
					die(q[k], crmw_db_errmsg(db));
				if (i >= 0)
					t[k * iters * 5 + i] = bench_now_us() - t0;
			}
		for (int k = 0; k < 4; k++) {
			double m = bench_percentiles(t + k * iters * 5, iters * 5).p50;
			printf("  %-34s %8.2f µs\n", what[k], m);
			json_object_set_new(jt, what[k], json_real(m));
		}
		free(t);
		crmw_buf_dispose(&b);
		json_object_set_new(js, "timing_oracle_p50_us", jt);
		crmw_query_opts_free(o);
	}
	json_object_set_new(js, "benchmark", json_string("acl"));
	json_object_set_new(js, "org", json_string("b2b seed 1 scale 4"));
	json_object_set_new(js, "iterations", json_integer(iters));
	json_object_set_new(js, "roles", jr);
	char *s = json_dumps(js, JSON_COMPACT);
	printf("%s\n", s);
	free(s);
	json_decref(js);
	crmw_query_opts_free(none);
	crmw_query_opts_free(internal);
	sqlite3_close(h);
	crmw_db_free(db);
	return 0;
}
