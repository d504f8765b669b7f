/*
 * crmweaver-bench tools: built-in tool call latency.
 *
 * On the default CRMArena org: crmw_registry_call (parse the arguments,
 * validate them against the schema, run the tool's queries, write the JSON
 * result), p50/p95 over `iters` calls per tool.  The arguments used are
 * printed with --json for bench/tools_bench.py, which runs the same calls
 * through Python functions over sqlite3 on the same org (left in `dir`).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NCALLS = 7, WARMUP = 20, CUSTOMER = 6 };

static const char *const tool_name[NCALLS] = {
	"get_period", "get_cases", "get_agent_handled_cases_by_period", "get_issue_counts",
	"search_knowledge_articles", "issue_soql_query", "get_cases",
};
static const char *const tool_label[NCALLS] = {
	"get_period (no query)", "get_cases (one agent's closed cases)",
	"get_agent_handled_cases_by_period (6 months)", "get_issue_counts (a product's items)",
	"search_knowledge_articles (SOSL)", "issue_soql_query (point lookup, 1 parent)",
	"get_cases as the customer (row rule)",
};
static const char *const tool_key[NCALLS] = {"period", "cases", "handled", "issues", "search", "soql", "cases_customer"};

typedef struct tools_run {
	char *args[NCALLS];     /* each call's JSON arguments */
	char contact[40];       /* the customer of the role-limited call */
	bench_pcts t[NCALLS];   /* microseconds */
	size_t bytes[NCALLS];   /* result size */
} tools_run;

/* The first value of `key` in the first record of a SOQL result. */
static int first_value(crmw_db *db, const char *soql, const char *key, char *out, size_t n)
{
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, db, soql, strlen(soql), NULL);
	const char *p = rc ? NULL : strstr(b.data, key);
	if (p)
		p = strchr(p + strlen(key), '"'); /* the value's opening quote */
	if (p) {
		const char *e = strchr(p + 1, '"');
		snprintf(out, n, "%.*s", (int)(e ? e - p - 1 : 0), p + 1);
	}
	crmw_buf_dispose(&b);
	return p ? 0 : -1;
}

/* The ids of a product's order items as a JSON array, ["a",...] (caller frees). */
static char *order_items(crmw_db *db, const char *product)
{
	crmw_buf q = CRMW_BUF_INIT;
	char soql[300];
	snprintf(soql, sizeof soql, "SELECT Id FROM OrderItem WHERE Product2Id = '%s'", product);
	char *items = NULL;
	if (!crmw_query(&q, db, soql, strlen(soql), NULL) && (items = malloc(q.len + 3))) {
		size_t cap = q.len + 3, k = 0;
		items[k++] = '[';
		for (const char *p = q.data; (p = strstr(p, "\"Id\":\"")); p += 6)
			k += (size_t)snprintf(items + k, cap - k, "%s\"%.18s\"", k > 1 ? "," : "", p + 6);
		items[k++] = ']';
		items[k] = '\0';
	}
	crmw_buf_dispose(&q);
	return items;
}

static char *printf_dup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_dup(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s) {
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return s;
}

/* Each call's arguments, from the org: the agent with the most closed
 * cases, the product with the most cases, a case, a customer. */
static int make_args(tools_run *t, crmw_db *db)
{
	char agent[40] = "", product[40] = "", kase[40] = "";
	first_value(db, "SELECT OwnerId, COUNT(Id) n FROM Case WHERE Status = 'Closed' GROUP BY OwnerId ORDER BY COUNT(Id) DESC LIMIT 1",
		    "\"OwnerId\"", agent, sizeof agent);
	first_value(db, "SELECT OrderItemId__r.Product2Id p, COUNT(Id) n FROM Case GROUP BY OrderItemId__r.Product2Id ORDER BY COUNT(Id) DESC LIMIT 1",
		    "\"p\"", product, sizeof product);
	first_value(db, "SELECT Id FROM Case ORDER BY Id LIMIT 1", "\"Id\"", kase, sizeof kase);
	first_value(db, "SELECT ContactId FROM Case WHERE ContactId != null ORDER BY Id LIMIT 1", "\"ContactId\"",
		    t->contact, sizeof t->contact);
	char *items = order_items(db, product);
	if (!items)
		return bench_error(BENCH_FAIL, "bench tools: the order items of product %s: %s", product, crmw_db_errmsg(db));
	t->args[0] = printf_dup("{\"period_name\":\"Q3\",\"year\":2024}");
	t->args[1] = printf_dup("{\"agent_ids\":[\"%s\"],\"statuses\":[\"Closed\"]}", agent);
	t->args[2] = printf_dup("{\"start_date\":\"2024-04-01T00:00:00Z\",\"end_date\":\"2024-09-30T23:59:59Z\"}");
	t->args[3] = printf_dup("{\"start_date\":\"2023-01-01T00:00:00Z\",\"end_date\":\"2024-10-01T00:00:00Z\","
				"\"order_item_ids\":%s}", items);
	t->args[4] = printf_dup("{\"search_term\":\"warranty\"}");
	t->args[5] = printf_dup("{\"query\":\"SELECT Id, Subject, Status, Account.ShippingState FROM Case WHERE Id = '%s'\"}",
				kase);
	t->args[CUSTOMER] = printf_dup("{\"statuses\":[\"New\",\"Working\",\"Escalated\",\"Closed\"]}");
	free(items);
	for (int k = 0; k < NCALLS; k++)
		if (!t->args[k])
			return bench_error(BENCH_FAIL, "bench tools: out of memory");
	return BENCH_OK;
}

/* The internal registry, and one whose queries run as the customer. */
static int make_registries(crmw_registry **reg, crmw_registry **cust, crmw_db *db, const char *contact)
{
	crmw_role *role = NULL;
	crmw_query_opts *qo = NULL;
	char spec[80];
	snprintf(spec, sizeof spec, "external:%s", contact);
	int rc = crmw_registry_new(reg);
	rc = rc ? rc : crmw_registry_new(cust);
	rc = rc ? rc : crmw_registry_add_builtin(*reg, "query,crmarena", db, NULL);
	rc = rc ? rc : crmw_role_new(&role, db, spec, NULL);
	rc = rc ? rc : crmw_query_opts_new(&qo);
	rc = rc ? rc : crmw_query_opts_set_role(qo, role);
	rc = rc ? rc : crmw_registry_add_builtin(*cust, "query,crmarena", db, qo);
	crmw_role_free(role);
	crmw_query_opts_free(qo);
	return rc ? bench_lib_error(rc, "bench tools: registry") : BENCH_OK;
}

/* Time every call: WARMUP untimed calls, then `iters` (a fifth of them
 * for the two calls that read many rows). */
static int time_calls(tools_run *t, crmw_registry *reg, crmw_registry *cust, int iters)
{
	double *ts = malloc(sizeof *ts * (size_t)iters);
	if (!ts)
		return bench_error(BENCH_FAIL, "bench tools: out of memory");
	crmw_buf out = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (int k = 0; !rc && k < NCALLS; k++) {
		crmw_registry *r = k == CUSTOMER ? cust : reg;
		int n = k == 3 || k == 2 ? iters / 5 + 1 : iters;
		for (int i = 0; i < WARMUP + n && !rc; i++) {
			double t0 = bench_now_us();
			rc = crmw_registry_call(&out, r, tool_name[k], t->args[k], strlen(t->args[k]));
			if (i >= WARMUP)
				ts[i - WARMUP] = bench_now_us() - t0;
		}
		if (rc) {
			bench_error(BENCH_FAIL, "bench tools: %s: %s", tool_name[k], out.data ? out.data : crmw_registry_errmsg(r));
			break;
		}
		t->bytes[k] = out.len;
		t->t[k] = bench_percentiles(ts, n);
	}
	crmw_buf_dispose(&out);
	free(ts);
	return rc ? BENCH_FAIL : BENCH_OK;
}

static void print_json(const tools_run *t, const char *path, int64_t records, int iters)
{
	bench_json j;
	bench_json_begin(&j, stdout);
	bench_json_str(&j, "tools", "benchmark");
	bench_json_str(&j, path, "org");
	bench_json_int(&j, records, "records");
	bench_json_int(&j, iters, "iterations");
	bench_json_str(&j, t->contact, "customer");
	bench_json_int(&j, bench_peak_rss_kb(), "peak_rss_kb");
	for (int k = 0; k < NCALLS; k++) {
		bench_json_num(&j, t->t[k].p50, true, 2, "%s_p50_us", tool_key[k]);
		bench_json_num(&j, t->t[k].p95, true, 2, "%s_p95_us", tool_key[k]);
		bench_json_int(&j, (long long)t->bytes[k], "%s_result_bytes", tool_key[k]);
		bench_json_str(&j, tool_name[k], "%s_tool", tool_key[k]);
		bench_json_raw(&j, t->args[k], "%s_args", tool_key[k]);
	}
	bench_json_end(&j);
}

static void print_table(const tools_run *t, int64_t records)
{
	printf("tool calls on the default CRMArena org (%lld records): parse, validate, run, write JSON\n",
	       (long long)records);
	printf("  %-46s %10s %10s %9s\n", "tool", "p50", "p95", "bytes");
	for (int k = 0; k < NCALLS; k++)
		printf("  %-46s %8.1fus %8.1fus %9zu\n", tool_label[k], t->t[k].p50, t->t[k].p95, t->bytes[k]);
}

int bench_tools(const char *dir, int iters, bool json)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/org.db", dir);
	int rc = crmw_gen(path, "{\"profile\":\"crmarena\",\"seed\":1,\"overwrite\":true}", NULL, NULL);
	if (rc)
		return bench_lib_error(rc, "bench tools: gen");
	crmw_db *db = NULL;
	if ((rc = crmw_db_open(&db, path, CRMW_DB_READONLY)))
		return bench_lib_error(rc, path);
	tools_run t;
	memset(&t, 0, sizeof t);
	crmw_registry *reg = NULL, *cust = NULL;
	rc = make_args(&t, db);
	rc = rc ? rc : make_registries(&reg, &cust, db, t.contact);
	rc = rc ? rc : time_calls(&t, reg, cust, iters);
	crmw_registry_free(reg);
	crmw_registry_free(cust);
	crmw_db_free(db);
	if (!rc) {
		int64_t records = bench_count_records(path);
		if (json)
			print_json(&t, path, records, iters);
		else
			print_table(&t, records);
	}
	for (int k = 0; k < NCALLS; k++)
		free(t.args[k]);
	return rc;
}
