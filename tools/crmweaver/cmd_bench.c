/*
 * crmweaver bench: the benchmarks that need nothing but the library.
 * (The ones compared with Python peers live in bench/, see docs/benchmarks.md.)
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int64_t count_records(const char *path)
{
	crmw_db *db = NULL;
	if (crmw_db_open(&db, path, CRMW_DB_READONLY))
		return -1;
	const crmw_schema *s = crmw_db_schema(db);
	int64_t total = 0;
	for (int32_t i = 0; i < crmw_schema_object_count(s); i++) {
		int64_t n = 0;
		crmw_db_count(&n, db, crmw_schema_object_name(s, i));
		total += n;
	}
	crmw_db_free(db);
	return total;
}

/* Generation speed: the default org and a 10x org, written to files. */
static int bench_gen(const char *dir, const char *profile, int repeat, bool json)
{
	const double scales[] = {1, 10};
	double best[2] = {1e30, 1e30};
	int64_t rows[2] = {0, 0};
	long peak[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		char path[4200], opts[256];
		snprintf(path, sizeof path, "%s/gen-%g.db", dir, scales[k]);
		snprintf(opts, sizeof opts, "{\"profile\":\"%s\",\"seed\":1,\"scale\":%g,\"overwrite\":true}", profile, scales[k]);
		for (int r = 0; r < repeat; r++) {
			double t0 = now_s();
			int rc = crmw_gen(path, opts, NULL, NULL);
			double dt = now_s() - t0;
			if (rc)
				return cli_lib_error(rc, "bench gen");
			if (dt < best[k])
				best[k] = dt;
		}
		peak[k] = peak_kb();
		rows[k] = count_records(path);
		char p[4300];
		remove(path);
		snprintf(p, sizeof p, "%s-wal", path);
		remove(p);
		snprintf(p, sizeof p, "%s-shm", path);
		remove(p);
	}
	if (json) {
		printf("{\"benchmark\":\"gen\",\"profile\":\"%s\",\"repeat\":%d,"
		       "\"default_rows\":%lld,\"default_seconds\":%.3f,\"default_rows_per_s\":%.0f,\"default_peak_rss_kb\":%ld,"
		       "\"x10_rows\":%lld,\"x10_seconds\":%.3f,\"x10_rows_per_s\":%.0f,\"x10_peak_rss_kb\":%ld}\n",
		       profile, repeat, (long long)rows[0], best[0], rows[0] / best[0], peak[0], (long long)rows[1], best[1],
		       rows[1] / best[1], peak[1]);
	} else {
		printf("generator, profile %s (best of %d, written to files)\n", profile, repeat);
		printf("  %-12s %10s %9s %12s %14s\n", "org", "records", "seconds", "records/s", "peak RSS");
		printf("  %-12s %10lld %9.2f %12.0f %11ld KiB\n", "default (1x)", (long long)rows[0], best[0], rows[0] / best[0], peak[0]);
		printf("  %-12s %10lld %9.2f %12.0f %11ld KiB\n", "10x", (long long)rows[1], best[1], rows[1] / best[1], peak[1]);
	}
	return CLI_OK;
}

/* ---------------------------------------------------------------- tools */

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

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

/*
 * Tool-call latency on the default CRMArena org: crmw_registry_call (parse
 * the arguments, validate them against the schema, run the tool's queries,
 * write the JSON result), p50/p95 over `iters` calls per tool.  The
 * arguments used are printed with --json for bench/tools_bench.py, which
 * runs the same calls through Python functions over sqlite3.
 */
static int bench_tools(const char *dir, int iters, bool json)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/org.db", dir);
	int rc = crmw_gen(path, "{\"profile\":\"crmarena\",\"seed\":1,\"overwrite\":true}", NULL, NULL);
	if (rc)
		return cli_lib_error(rc, "bench tools: gen");
	crmw_db *db = NULL;
	if ((rc = crmw_db_open(&db, path, CRMW_DB_READONLY)))
		return cli_lib_error(rc, path);
	char agent[40] = "", product[40] = "", kase[40] = "", contact[40] = "";
	first_value(db, "SELECT OwnerId, COUNT(Id) n FROM Case WHERE Status = 'Closed' GROUP BY OwnerId ORDER BY COUNT(Id) DESC LIMIT 1",
		    "\"OwnerId\"", agent, sizeof agent);
	first_value(db, "SELECT OrderItemId__r.Product2Id p, COUNT(Id) n FROM Case GROUP BY OrderItemId__r.Product2Id ORDER BY COUNT(Id) DESC LIMIT 1",
		    "\"p\"", product, sizeof product);
	first_value(db, "SELECT Id FROM Case ORDER BY Id LIMIT 1", "\"Id\"", kase, sizeof kase);
	first_value(db, "SELECT ContactId FROM Case WHERE ContactId != null ORDER BY Id LIMIT 1", "\"ContactId\"", contact,
		    sizeof contact);
	/* The product's order items, as the argument of get_issue_counts. */
	crmw_buf items = CRMW_BUF_INIT, q = CRMW_BUF_INIT;
	char soql[300];
	snprintf(soql, sizeof soql, "SELECT Id FROM OrderItem WHERE Product2Id = '%s'", product);
	crmw_query(&q, db, soql, strlen(soql), NULL);
	crmw_buf_dispose(&items);
	{
		/* [{"Id":"a"},...] -> ["a",...] */
		size_t cap = q.len + 3, k = 0;
		items.data = malloc(cap);
		items.cap = cap;
		items.data[k++] = '[';
		bool first = true;
		for (const char *p = q.data; p && (p = strstr(p, "\"Id\":\"")); p += 6) {
			k += (size_t)snprintf(items.data + k, cap - k, "%s\"%.18s\"", first ? "" : ",", p + 6);
			first = false;
		}
		items.data[k++] = ']';
		items.data[k] = '\0';
		items.len = k;
	}
	crmw_buf_dispose(&q);
	char *args[7];
	const char *names[7] = {"get_period", "get_cases", "get_agent_handled_cases_by_period", "get_issue_counts",
				"search_knowledge_articles", "issue_soql_query", "get_cases"};
	const char *labels[7] = {"get_period (no query)", "get_cases (one agent's closed cases)",
				 "get_agent_handled_cases_by_period (6 months)", "get_issue_counts (a product's items)",
				 "search_knowledge_articles (SOSL)", "issue_soql_query (point lookup, 1 parent)",
				 "get_cases as the customer (row rule)"};
	const char *keys[7] = {"period", "cases", "handled", "issues", "search", "soql", "cases_customer"};
	args[0] = strdup("{\"period_name\":\"Q3\",\"year\":2024}");
	args[1] = malloc(200);
	snprintf(args[1], 200, "{\"agent_ids\":[\"%s\"],\"statuses\":[\"Closed\"]}", agent);
	args[2] = strdup("{\"start_date\":\"2024-04-01T00:00:00Z\",\"end_date\":\"2024-09-30T23:59:59Z\"}");
	args[3] = malloc(items.len + 200);
	snprintf(args[3], items.len + 200,
		 "{\"start_date\":\"2023-01-01T00:00:00Z\",\"end_date\":\"2024-10-01T00:00:00Z\",\"order_item_ids\":%s}", items.data);
	args[4] = strdup("{\"search_term\":\"warranty\"}");
	args[5] = malloc(300);
	snprintf(args[5], 300, "{\"query\":\"SELECT Id, Subject, Status, Account.ShippingState FROM Case WHERE Id = '%s'\"}", kase);
	args[6] = strdup("{\"statuses\":[\"New\",\"Working\",\"Escalated\",\"Closed\"]}");
	crmw_buf_dispose(&items);

	crmw_registry *reg = NULL, *cust = NULL;
	crmw_role *role = NULL;
	crmw_query_opts *qo = NULL;
	char spec[80];
	snprintf(spec, sizeof spec, "external:%s", contact);
	rc = crmw_registry_new(&reg);
	rc = rc ? rc : crmw_registry_new(&cust);
	rc = rc ? rc : crmw_registry_add_builtin(reg, "query,crmarena", db, NULL);
	rc = rc ? rc : crmw_role_new(&role, db, spec, NULL);
	rc = rc ? rc : crmw_query_opts_new(&qo);
	rc = rc ? rc : crmw_query_opts_set_role(qo, role);
	rc = rc ? rc : crmw_registry_add_builtin(cust, "query,crmarena", db, qo);
	crmw_role_free(role);
	crmw_query_opts_free(qo);
	double p50[7] = {0}, p95[7] = {0};
	size_t bytes[7] = {0};
	double *ts = malloc(sizeof *ts * (size_t)iters);
	crmw_buf out = CRMW_BUF_INIT;
	for (int k = 0; !rc && k < 7; k++) {
		crmw_registry *r = k == 6 ? cust : reg;
		int n = k == 3 || k == 2 ? iters / 5 + 1 : iters;
		for (int i = 0; i < 20 + n && !rc; i++) {
			double t0 = now_s();
			rc = crmw_registry_call(&out, r, names[k], args[k], strlen(args[k]));
			if (i >= 20)
				ts[i - 20] = (now_s() - t0) * 1e6;
		}
		if (rc) {
			fprintf(stderr, "crmweaver: bench tools: %s: %s\n", names[k], out.data ? out.data : crmw_registry_errmsg(r));
			break;
		}
		bytes[k] = out.len;
		qsort(ts, (size_t)n, sizeof *ts, cmpd);
		p50[k] = ts[n / 2];
		p95[k] = ts[(int)(0.95 * (n - 1))];
	}
	crmw_buf_dispose(&out);
	free(ts);
	crmw_registry_free(reg);
	crmw_registry_free(cust);
	int64_t records = count_records(path);
	crmw_db_free(db);
	if (!rc && json) {
		printf("{\"benchmark\":\"tools\",\"org\":\"%s\",\"records\":%lld,\"iterations\":%d,\"customer\":\"%s\"", path,
		       (long long)records, iters, contact);
		for (int k = 0; k < 7; k++) {
			printf(",\"%s_p50_us\":%.2f,\"%s_p95_us\":%.2f,\"%s_result_bytes\":%zu,\"%s_tool\":\"%s\",\"%s_args\":%s", keys[k],
			       p50[k], keys[k], p95[k], keys[k], bytes[k], keys[k], names[k], keys[k], args[k]);
		}
		printf("}\n");
	} else if (!rc) {
		printf("tool calls on the default CRMArena org (%lld records): parse, validate, run, write JSON\n",
		       (long long)records);
		printf("  %-46s %10s %10s %9s\n", "tool", "p50", "p95", "bytes");
		for (int k = 0; k < 7; k++)
			printf("  %-46s %8.1fus %8.1fus %9zu\n", labels[k], p50[k], p95[k], bytes[k]);
	}
	for (int k = 0; k < 7; k++)
		free(args[k]);
	return rc ? CLI_FAIL : CLI_OK;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, 0, 'p'},
		{"repeat", required_argument, 0, 'r'},
		{"iterations", required_argument, 0, 'i'},
		{"keep", required_argument, 0, 'k'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = "b2b";
	int repeat = 3, json = 0, iters = 2000, c;
	const char *keep = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'r': repeat = atoi(optarg); break;
		case 'i': iters = atoi(optarg); break;
		case 'k': keep = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			printf("usage: crmweaver bench [gen|tools|all] [--profile P] [--repeat N] [--iterations N]\n"
			       "                       [--keep DIR] [--json]\n"
			       "\n"
			       "Benchmarks that need only the library:\n"
			       "  gen    generation speed of the default org and a 10x org, and peak memory\n"
			       "         (best of --repeat runs)\n"
			       "  tools  latency of built-in tool calls on the default CRMArena org, p50 and p95\n"
			       "         over --iterations calls (default 2000); --keep DIR keeps the org there\n"
			       "\n"
			       "The benchmarks compared side by side with Python peers are bench/*.py\n"
			       "(docs/benchmarks.md).\n"
			       "\n"
			       "example:\n"
			       "  crmweaver bench gen --profile b2b --json\n");
			return CLI_OK;
		default: return cli_bad_option("bench", argv);
		}
	}
	if (repeat < 1 || repeat > 100)
		return cli_error(CLI_USAGE, "bench: --repeat must be 1 to 100");
	if (iters < 10 || iters > 10000000)
		return cli_error(CLI_USAGE, "bench: --iterations must be 10 to 10000000");
	const char *which = optind < argc ? argv[optind] : "gen";
	if (optind + 1 < argc)
		return cli_error(CLI_USAGE, "bench: one benchmark at a time");
	bool all = strcmp(which, "all") == 0;
	if (strcmp(which, "gen") != 0 && strcmp(which, "tools") != 0 && !all)
		return cli_error(CLI_USAGE, "bench: unknown benchmark '%s' (available: gen, tools, all)", which);
	char dir[] = "/tmp/crmweaver-bench-XXXXXX";
	if (!mkdtemp(dir))
		return cli_error(CLI_FAIL, "bench: cannot make a temporary folder");
	int rc = CLI_OK;
	if (all || strcmp(which, "gen") == 0)
		rc = bench_gen(dir, profile, repeat, json);
	if (!rc && (all || strcmp(which, "tools") == 0)) {
		rc = bench_tools(keep ? keep : dir, iters, json);
		if (!keep) {
			static const char *const files[] = {"org.db", "org.db-wal", "org.db-shm"};
			for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
				char p[4200];
				snprintf(p, sizeof p, "%s/%s", dir, files[i]);
				remove(p);
			}
		}
	}
	rmdir(dir);
	return rc;
}
