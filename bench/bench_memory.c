/*
 * crmweaver bench: the benchmarks that need nothing but the library.
 * (The ones compared with Python peers live in bench/, see docs/benchmarks.md.)
 * The memory benchmark's peer, a brute-force scan in SQLite, is the one place
 * the CLI uses SQLite directly (on the store's file, read-only).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <malloc.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
/*
 * Generator speed: the default org and a 10x org written to files, best of
 * `repeat` runs, with the generator on its own thread (the default) and,
 * for the 10x org, on the writer's thread too (runs interleaved, so that
 * both see the same machine).
 */
static int bench_gen(const char *dir, const char *profile, int repeat, bool json)
{
	/* runs: default org (2 threads), 10x (2 threads), 10x (1 thread) */
	const double scales[] = {1, 10, 10};
	const int threads[] = {2, 2, 1};
	double best[3] = {1e30, 1e30, 1e30};
	int64_t rows[3] = {0, 0, 0};
	long peak[3] = {0, 0, 0};
	char path[4200];
	snprintf(path, sizeof path, "%s/gen.db", dir);
	for (int k = 0; k < 3; k++) {
		if (k == 2)
			continue; /* the one-thread runs go with the 10x ones */
		for (int r = 0; r < repeat; r++) {
			for (int j = k; j <= (k == 1 ? 2 : k); j++) {
				char opts[256];
				snprintf(opts, sizeof opts, "{\"profile\":\"%s\",\"seed\":1,\"scale\":%g,\"threads\":%d,"
					 "\"overwrite\":true}", profile, scales[j], threads[j]);
				double t0 = now_s();
				int rc = crmw_gen(path, opts, NULL, NULL);
				double dt = now_s() - t0;
				if (rc)
					return cli_lib_error(rc, "bench gen");
				if (dt < best[j])
					best[j] = dt;
				peak[j] = peak_kb();
				rows[j] = count_records(path);
			}
		}
	}
	char p[4300];
	remove(path);
	snprintf(p, sizeof p, "%s-wal", path);
	remove(p);
	snprintf(p, sizeof p, "%s-shm", path);
	remove(p);
	if (json) {
		printf("{\"benchmark\":\"gen\",\"profile\":\"%s\",\"repeat\":%d,"
		       "\"default_rows\":%lld,\"default_seconds\":%.3f,\"default_rows_per_s\":%.0f,\"default_peak_rss_kb\":%ld,"
		       "\"x10_rows\":%lld,\"x10_seconds\":%.3f,\"x10_rows_per_s\":%.0f,\"x10_peak_rss_kb\":%ld,"
		       "\"x10_one_thread_seconds\":%.3f,\"x10_one_thread_rows_per_s\":%.0f,\"x10_two_threads_speedup\":%.2f}\n",
		       profile, repeat, (long long)rows[0], best[0], rows[0] / best[0], peak[0], (long long)rows[1], best[1],
		       rows[1] / best[1], peak[1], best[2], rows[2] / best[2], best[2] / best[1]);
	} else {
		printf("generator, profile %s (best of %d, written to files)\n", profile, repeat);
		printf("  %-22s %10s %9s %12s %14s\n", "org", "records", "seconds", "records/s", "peak RSS");
		const char *names[] = {"default (1x)", "10x", "10x, one thread"};
		for (int k = 0; k < 3; k++)
			printf("  %-22s %10lld %9.2f %12.0f %11ld KiB\n", names[k], (long long)rows[k], best[k],
			       rows[k] / best[k], peak[k]);
		printf("  two threads vs one at 10x: %.2fx\n", best[2] / best[1]);
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
		printf("{\"benchmark\":\"tools\",\"org\":\"%s\",\"records\":%lld,\"iterations\":%d,\"customer\":\"%s\","
		       "\"peak_rss_kb\":%ld", path, (long long)records, iters, contact, peak_kb());
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

/* --------------------------------------------------------------- memory */

/*
 * Vector search in the shared-memory store (issue 8), every engine side by
 * side in one run on the same store: the exact scan (float, and int8 with
 * float rescoring), the batched exact search (sgemm), faiss Flat and HNSW32
 * through the library, and the peer: a brute-force scan in SQLite (a SQL
 * query over the stored blobs with a C dot() function).  Top-10 by inner
 * product of unit vectors (cosine).  Recall@10 is measured against a naive
 * double-precision scan over the vectors read back from the store; a hit
 * counts when its true score reaches the 10th best true score (less 1e-5,
 * so that float rounding of exact ties is not a miss).
 */

/* The peer's query, on the table and column of the store's layout (docs/memory.md). */
#define MEM_SQL_SCAN "SELECT id, dot(embedding, ?1) AS s FROM crmw_mem_entry ORDER BY s DESC LIMIT 10"

/* MEM_REPORTED: a failure already reported (library codes are <= 0). */
enum { MEM_K = 10, MEM_BATCH = 64, MEM_WARMUP = 10, MEM_REPORTED = 1 };

/* The engines, in the order of the table. */
enum { E_STORE, E_EXACT, E_INT8, E_BATCH, E_FLAT, E_HNSW, E_SQLITE, E_COUNT };
static const char *const mem_key[E_COUNT] = {"store", "exact", "exact_int8", "exact_batch", "faiss_flat", "hnsw",
					     "sqlite_scan"};
static const char *const mem_label[E_COUNT] = {
	"store: load entries", "exact scan, float", "exact scan, int8 + rescoring", "exact batch (64/call, sgemm)",
	"faiss Flat", "faiss HNSW32", "SQLite scan (SQL, C dot())",
};

typedef struct mem_res {
	bool ran;
	const char *note;   /* why it did not run */
	double build_s;     /* < 0: not applicable */
	double load_s;      /* open + first search; < 0: not applicable */
	double p50, p95;    /* microseconds per query */
	double recall;      /* < 0: not measured */
	int nq;             /* queries timed */
	int ef_search;      /* HNSW: the handle's ef_search (from its stats) */
	long peak_kb;       /* ru_maxrss when the engine was done */
} mem_res;

typedef struct mem_conf {
	int32_t dim;
	int nq, sqlite_nq;
	uint64_t seed;
	bool clustered, use_add;
	int repeat;    /* passes over the queries; the best p50 is kept */
	int ef_search; /* 0: the library's default */
	unsigned engines; /* bit set of E_* */
	const char *dir;
	bool json;
} mem_conf;

typedef struct mem_size {
	int64_t n;
	char label[24];
	int64_t file_bytes;
	mem_res r[E_COUNT];
} mem_size;

static uint64_t mix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A standard normal deviate (Box-Muller; one of the pair is dropped). */
static double gauss(uint64_t *s)
{
	double u = ((double)(mix64(s) >> 11) + 0.5) * 0x1.0p-53;
	double v = (double)(mix64(s) >> 11) * 0x1.0p-53;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void unit(float *v, int32_t dim)
{
	double s = 0;
	for (int32_t j = 0; j < dim; j++)
		s += (double)v[j] * v[j];
	float inv = (float)(1.0 / sqrt(s));
	for (int32_t j = 0; j < dim; j++)
		v[j] *= inv;
}

/*
 * n unit vectors.  Clustered (the default, because embeddings of text gather
 * by topic): n/100 random unit centres, each point a centre plus Gaussian
 * noise of the same norm (cosine to its centre about 0.7).  Uniform:
 * normalised Gaussian vectors (uniform on the sphere), where every point is
 * about as far from a query as every other: the worst case for a graph
 * index such as HNSW.
 */
static void mem_vectors(float *x, int64_t n, int32_t dim, uint64_t seed, bool clustered)
{
	uint64_t s = seed * 0x100000001B3ull + 1;
	float *cent = NULL;
	int64_t nc = n / 100 > 0 ? n / 100 : 1;
	if (clustered) {
		cent = malloc(sizeof *cent * (size_t)nc * (size_t)dim);
		for (int64_t c = 0; c < nc; c++) {
			for (int32_t j = 0; j < dim; j++)
				cent[c * dim + j] = (float)gauss(&s);
			unit(cent + c * dim, dim);
		}
	}
	double sd = 1.0 / sqrt((double)dim);
	for (int64_t i = 0; i < n; i++) {
		float *v = x + i * dim;
		const float *c = clustered ? cent + (int64_t)(mix64(&s) % (uint64_t)nc) * dim : NULL;
		for (int32_t j = 0; j < dim; j++)
			v[j] = c ? c[j] + (float)(gauss(&s) * sd) : (float)gauss(&s);
		unit(v, dim);
	}
	free(cent);
}

/* Queries: perturbed copies of stored vectors (noise of norm about 0.5, so
 * the source scores about 0.89 and the other nine hits are its neighbours). */
static void mem_queries(float *q, int nq, const float *x, int64_t n, int32_t dim, uint64_t seed)
{
	uint64_t s = seed * 0x100000001B3ull + 77;
	double sd = 0.5 / sqrt((double)dim);
	for (int i = 0; i < nq; i++) {
		const float *src = x + (int64_t)(mix64(&s) % (uint64_t)n) * dim;
		for (int32_t j = 0; j < dim; j++)
			q[(int64_t)i * dim + j] = src[j] + (float)(gauss(&s) * sd);
		unit(q + (int64_t)i * dim, dim);
	}
}

/* The reference: the K best true scores of each query by a naive scan in
 * double precision; `thr[i]` gets query i's K-th best. */
static double dot_d(const float *a, const float *b, int32_t dim)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int32_t j = 0;
	for (; j + 4 <= dim; j += 4) {
		s0 += (double)a[j] * b[j];
		s1 += (double)a[j + 1] * b[j + 1];
		s2 += (double)a[j + 2] * b[j + 2];
		s3 += (double)a[j + 3] * b[j + 3];
	}
	for (; j < dim; j++)
		s0 += (double)a[j] * b[j];
	return (s0 + s1) + (s2 + s3);
}

static void mem_truth(double *thr, const float *rows, int64_t n, const float *q, int nq, int32_t dim)
{
	for (int i = 0; i < nq; i++) {
		double best[MEM_K];
		int nb = 0;
		const float *qi = q + (int64_t)i * dim;
		for (int64_t r = 0; r < n; r++) {
			double s = dot_d(rows + r * dim, qi, dim);
			if (nb == MEM_K && s <= best[MEM_K - 1])
				continue;
			int p = nb < MEM_K ? nb++ : MEM_K - 1;
			while (p > 0 && best[p - 1] < s) {
				best[p] = best[p - 1];
				p--;
			}
			best[p] = s;
		}
		thr[i] = nb ? best[nb - 1] : -1e30;
	}
}

typedef struct mem_ids {
	int64_t *sorted; /* ids ascending */
	int64_t *row;    /* row of sorted[i] */
	int64_t n;
} mem_ids;

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int64_t mem_row_of(const mem_ids *ix, int64_t id)
{
	int64_t lo = 0, hi = ix->n - 1;
	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (ix->sorted[mid] == id)
			return ix->row[mid];
		if (ix->sorted[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Recall@K of hits `got` (nq x K, -1 for none) against the reference. */
static double mem_recall(const int64_t *got, int nq, const double *thr, const float *rows, const mem_ids *ix,
			 const float *q, int32_t dim, int64_t n)
{
	double sum = 0;
	int want = n < MEM_K ? (int)n : MEM_K;
	for (int i = 0; i < nq; i++) {
		int hit = 0;
		for (int a = 0; a < MEM_K; a++) {
			int64_t id = got[(int64_t)i * MEM_K + a];
			bool dup = false;
			for (int b = 0; b < a; b++)
				dup = dup || got[(int64_t)i * MEM_K + b] == id;
			int64_t r = id < 0 || dup ? -1 : mem_row_of(ix, id);
			if (r >= 0 && dot_d(rows + r * dim, q + (int64_t)i * dim, dim) >= thr[i] - 1e-5)
				hit++;
		}
		sum += (double)(hit > want ? want : hit) / want;
	}
	return sum / nq;
}

/* p50 and p95 of one pass over the queries; of several passes, the one with
 * the best p50 is kept (r->nq == 0 before the first). */
static void mem_pcts(double *t, int n, mem_res *r)
{
	qsort(t, (size_t)n, sizeof *t, cmpd);
	double p50 = t[n / 2], p95 = t[(int)(0.95 * (n - 1) + 0.5)];
	if (r->nq == 0 || p50 < r->p50) {
		r->p50 = p50;
		r->p95 = p95;
	}
	r->nq = n;
}

/* Time crmw_memory_search_vec over every query, `passes` times (after
 * MEM_WARMUP untimed ones); hits go to `got` (nq x K). */
static int mem_time_vec(mem_res *r, int64_t *got, crmw_memory *m, const float *q, int nq, int32_t dim,
			const char *opts, double *ts, int passes)
{
	int64_t ids[MEM_K];
	float sc[MEM_K];
	int32_t nh = 0;
	for (int i = 0; i < MEM_WARMUP && i < nq; i++) {
		int rc = crmw_memory_search_vec(ids, sc, &nh, m, q + (int64_t)i * dim, dim, MEM_K, opts);
		if (rc)
			return rc;
	}
	for (int pass = 0; pass < passes; pass++) {
		for (int i = 0; i < nq; i++) {
			double t0 = now_s();
			int rc = crmw_memory_search_vec(ids, sc, &nh, m, q + (int64_t)i * dim, dim, MEM_K, opts);
			ts[i] = (now_s() - t0) * 1e6;
			if (rc)
				return rc;
			for (int a = 0; a < MEM_K; a++)
				got[(int64_t)i * MEM_K + a] = a < nh ? ids[a] : -1;
		}
		mem_pcts(ts, nq, r);
	}
	return CRMW_OK;
}

static void mem_path(char *out, size_t n, const mem_conf *c, int64_t size, const char *suffix)
{
	snprintf(out, n, "%s/memory-%lld.db%s", c->dir, (long long)size, suffix);
}

static void mem_remove_files(const mem_conf *c, int64_t size)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal", ".faiss", ".jsonl"};
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char p[4300];
		mem_path(p, sizeof p, c, size, sfx[i]);
		remove(p);
	}
}

/* A float in [-1, 1] as fixed-point text with 9 decimals (fast; the
 * reference is computed from the vectors read back, not from these). */
static char *put_f(char *p, float v)
{
	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	uint64_t u = (uint64_t)((double)v * 1e9 + 0.5);
	*p++ = (char)('0' + (int)(u / 1000000000u));
	*p++ = '.';
	u %= 1000000000u;
	for (int d = 8; d >= 0; d--) {
		p[d] = (char)('0' + (int)(u % 10));
		u /= 10;
	}
	return p + 9;
}

/* Load the n entries: crmw_memory_import of a JSONL file (one transaction,
 * no deduplication, the ids kept) or one crmw_memory_add per entry (a
 * transaction each, similarity merging off).  `ids` receives the ids. */
static int mem_load(double *secs, int64_t *ids, crmw_memory *m, const mem_conf *c, const float *x, int64_t n)
{
	int32_t dim = c->dim;
	if (c->use_add) {
		char entry[64];
		double t0 = now_s();
		for (int64_t i = 0; i < n; i++) {
			snprintf(entry, sizeof entry, "{\"text\":\"bench entry %lld\"}", (long long)i);
			int32_t merged = 0;
			int rc = crmw_memory_add(&ids[i], &merged, m, entry, x + i * dim, dim);
			if (rc)
				return rc;
			if (merged) {
				cli_error(CLI_FAIL, "bench memory: entry %lld was merged into %lld", (long long)i, (long long)ids[i]);
				return MEM_REPORTED;
			}
		}
		*secs = now_s() - t0;
		return CRMW_OK;
	}
	char path[4300];
	mem_path(path, sizeof path, c, n, ".jsonl");
	FILE *f = fopen(path, "w");
	if (!f) {
		cli_error(CLI_FAIL, "bench memory: cannot write %s", path);
		return MEM_REPORTED;
	}
	char *line = malloc((size_t)dim * 14 + 128);
	for (int64_t i = 0; i < n; i++) {
		char *p = line + sprintf(line, "{\"id\":%lld,\"text\":\"bench entry %lld\",\"embedding\":[", (long long)(i + 1),
					 (long long)i);
		for (int32_t j = 0; j < dim; j++) {
			if (j)
				*p++ = ',';
			p = put_f(p, x[i * dim + j]);
		}
		*p++ = ']';
		*p++ = '}';
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
		ids[i] = i + 1;
	}
	free(line);
	if (fclose(f)) {
		cli_error(CLI_FAIL, "bench memory: cannot write %s", path);
		return MEM_REPORTED;
	}
	int64_t added = 0, merged = 0;
	double t0 = now_s();
	int rc = crmw_memory_import(&added, &merged, m, path, "{\"dedup\":false,\"keep_ids\":true}");
	*secs = now_s() - t0;
	remove(path);
	if (!rc && (added != n || merged)) {
		cli_error(CLI_FAIL, "bench memory: import added %lld and merged %lld of %lld", (long long)added,
			  (long long)merged, (long long)n);
		return MEM_REPORTED;
	}
	return rc;
}

/* ------------------------------------------------ the peer: SQLite scan */

static float dot_f(const float *a, const float *b, int32_t n)
{
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
	int32_t j = 0;
	for (; j + 8 <= n; j += 8) {
		s0 += a[j] * b[j];
		s1 += a[j + 1] * b[j + 1];
		s2 += a[j + 2] * b[j + 2];
		s3 += a[j + 3] * b[j + 3];
		s4 += a[j + 4] * b[j + 4];
		s5 += a[j + 5] * b[j + 5];
		s6 += a[j + 6] * b[j + 6];
		s7 += a[j + 7] * b[j + 7];
	}
	for (; j < n; j++)
		s0 += a[j] * b[j];
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

typedef struct sql_dot_buf {
	float *v;
	int32_t cap; /* floats per vector */
} sql_dot_buf;

/* dot(a, b): the inner product of two float32 blobs of equal size. */
static void sql_dot(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const void *a = sqlite3_value_blob(argv[0]), *b = sqlite3_value_blob(argv[1]);
	int na = sqlite3_value_bytes(argv[0]), nb = sqlite3_value_bytes(argv[1]);
	sql_dot_buf *buf = sqlite3_user_data(ctx);
	int32_t n = na / (int)sizeof(float);
	if (!a || !b || na != nb || na % (int)sizeof(float) || n > buf->cap) {
		sqlite3_result_null(ctx);
		return;
	}
	if (((uintptr_t)a | (uintptr_t)b) % sizeof(float) != 0) { /* blobs need not be aligned */
		memcpy(buf->v, a, (size_t)na);
		memcpy(buf->v + n, b, (size_t)nb);
		a = buf->v;
		b = buf->v + n;
	}
	sqlite3_result_double(ctx, dot_f(a, b, n));
}

/* One query of the peer; its hits into `got` (K slots, may be NULL). */
static int sql_scan_one(sqlite3_stmt *st, const float *q, int32_t dim, int64_t *got)
{
	sqlite3_bind_blob(st, 1, q, (int)(sizeof(float) * (size_t)dim), SQLITE_STATIC);
	int a = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (got && a < MEM_K)
			got[a] = sqlite3_column_int64(st, 0);
		a++;
	}
	for (; got && a < MEM_K; a++)
		got[a] = -1;
	return rc == SQLITE_DONE ? sqlite3_reset(st) : rc;
}

/* The peer: `SELECT id, dot(embedding, ?1) ... ORDER BY s DESC LIMIT 10` on
 * the store's file, opened read-only by SQLite itself, with memory-mapped
 * I/O and a page cache large enough for the table (its best setting). */
static int mem_sqlite(mem_res *r, int64_t *got, const char *path, const float *q, int nq, int32_t dim, double *ts,
		      int passes)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	sql_dot_buf buf = {malloc(sizeof(float) * 2 * (size_t)dim), dim};
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-1048576", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "dot", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, &buf,
						sql_dot, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, MEM_SQL_SCAN, -1, &st, NULL);
	if (rc == SQLITE_OK) /* one untimed query */
		rc = sql_scan_one(st, q, dim, NULL);
	for (int pass = 0; rc == SQLITE_OK && pass < passes; pass++) {
		for (int i = 0; rc == SQLITE_OK && i < nq; i++) {
			double t0 = now_s();
			rc = sql_scan_one(st, q + (int64_t)i * dim, dim, got + (int64_t)i * MEM_K);
			ts[i] = (now_s() - t0) * 1e6;
		}
		if (rc == SQLITE_OK)
			mem_pcts(ts, nq, r);
	}
	if (rc != SQLITE_OK)
		cli_error(CLI_FAIL, "bench memory: SQLite scan of %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(buf.v);
	return rc != SQLITE_OK ? MEM_REPORTED : CRMW_OK;
}

/* Report a failed library call on `m` (or the thread's last error). */
static int mem_fail(int rc, crmw_memory *m, const char *what)
{
	const char *msg = m ? crmw_memory_errmsg(m) : crmw_last_error();
	if (!msg || !msg[0])
		msg = crmw_strerror(rc);
	return cli_error(CLI_FAIL, "bench memory: %s: %s", what, msg);
}

/* Reopen the store and time the open plus one search with `opts`. */
static int mem_reopen(crmw_memory **m, double *secs, const char *path, const char *open_opts, const float *q,
		      int32_t dim, const char *opts)
{
	crmw_memory_free(*m);
	*m = NULL;
	int64_t ids[MEM_K];
	float sc[MEM_K];
	int32_t nh;
	double t0 = now_s();
	int rc = crmw_memory_open(m, path, open_opts);
	if (rc)
		return mem_fail(rc, NULL, "open");
	rc = crmw_memory_search_vec(ids, sc, &nh, *m, q, dim, MEM_K, opts);
	*secs = now_s() - t0;
	return rc ? mem_fail(rc, *m, opts) : CLI_OK;
}

static const char *const OPT_EXACT = "{\"engine\":\"exact\",\"quantize\":\"off\"}";
static const char *const OPT_INT8 = "{\"engine\":\"exact\",\"quantize\":\"int8\"}";
static const char *const OPT_BATCH = "{\"engine\":\"exact\"}";
static const char *const OPT_FAISS = "{\"engine\":\"faiss\"}";

/* What the engines of one size share. */
typedef struct mem_ctx {
	const mem_conf *c;
	mem_size *S;
	crmw_memory *m;
	char path[4300], open_opts[256];
	int64_t n;
	int32_t dim;
	int nq;
	const float *q, *rows; /* queries; the stored vectors (row i = ix.row of its id) */
	mem_ids ix;
	const double *thr;     /* each query's 10th best true score */
	int64_t *got;          /* hits, nq x K */
	double *ts;            /* times, nq */
} mem_ctx;

static double mem_ctx_recall(const mem_ctx *x, int nq)
{
	return mem_recall(x->got, nq, x->thr, x->rows, &x->ix, x->q, x->dim, x->n);
}

static void mem_done(mem_res *r, const mem_ctx *x, int nq)
{
	r->recall = mem_ctx_recall(x, nq);
	r->ran = true;
	r->peak_kb = peak_kb();
}

/* Exact, float (the matrix is loaded already). */
static int eng_exact(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_EXACT];
	r->build_s = -1;
	int rc = mem_time_vec(r, x->got, x->m, x->q, x->nq, x->dim, OPT_EXACT, x->ts, x->c->repeat);
	if (rc)
		return mem_fail(rc, x->m, OPT_EXACT);
	mem_done(r, x, x->nq);
	return CLI_OK;
}

/* Exact, int8: the first search makes the int8 copy. */
static int eng_int8(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_INT8];
	int64_t ids[MEM_K];
	float sc[MEM_K];
	int32_t nh;
	double t0 = now_s();
	int rc = crmw_memory_search_vec(ids, sc, &nh, x->m, x->q, x->dim, MEM_K, OPT_INT8);
	r->build_s = now_s() - t0;
	r->load_s = -1;
	if (rc || (rc = mem_time_vec(r, x->got, x->m, x->q, x->nq, x->dim, OPT_INT8, x->ts, x->c->repeat)))
		return mem_fail(rc, x->m, OPT_INT8);
	mem_done(r, x, x->nq);
	return CLI_OK;
}

/* Exact, batches of MEM_BATCH queries: the time per query of each call
 * (one untimed call first). */
static int eng_batch(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_BATCH];
	float *bs = malloc(sizeof *bs * MEM_BATCH * MEM_K);
	if (!bs)
		return cli_error(CLI_FAIL, "bench memory: out of memory");
	int nb = 0, nq = x->nq;
	int rc = crmw_memory_search_batch(x->got, bs, x->m, x->q, nq < MEM_BATCH ? nq : MEM_BATCH, x->dim, MEM_K, OPT_BATCH);
	for (int pass = 0; !rc && pass < x->c->repeat; pass++) {
		nb = 0;
		for (int b = 0; !rc && b < nq; b += MEM_BATCH) {
			int cnt = nq - b < MEM_BATCH ? nq - b : MEM_BATCH;
			double t0 = now_s();
			rc = crmw_memory_search_batch(x->got + (int64_t)b * MEM_K, bs, x->m, x->q + (int64_t)b * x->dim, cnt,
						      x->dim, MEM_K, OPT_BATCH);
			x->ts[nb++] = (now_s() - t0) * 1e6 / cnt;
		}
		if (!rc)
			mem_pcts(x->ts, nb, r);
	}
	free(bs);
	if (rc)
		return mem_fail(rc, x->m, "search_batch");
	r->nq = nq;
	r->build_s = r->load_s = -1;
	mem_done(r, x, nq);
	return CLI_OK;
}

/* faiss Flat or HNSW32: build, reopen (which loads the saved index), search. */
static int eng_faiss(mem_ctx *x, int e)
{
	mem_res *r = &x->S->r[e];
	const char *factory = e == E_FLAT ? "Flat" : "HNSW32";
	double t0 = now_s();
	int rc = crmw_memory_build_index(x->m, factory);
	if (rc)
		return mem_fail(rc, x->m, factory);
	r->build_s = now_s() - t0;
	if (mem_reopen(&x->m, &r->load_s, x->path, x->open_opts, x->q, x->dim, OPT_FAISS))
		return CLI_FAIL;
	if ((rc = mem_time_vec(r, x->got, x->m, x->q, x->nq, x->dim, OPT_FAISS, x->ts, x->c->repeat)))
		return mem_fail(rc, x->m, OPT_FAISS);
	mem_done(r, x, x->nq);
	/* the ef_search the handle searched with (the library's default unless
	 * --ef-search), as its stats report it */
	crmw_buf st = CRMW_BUF_INIT;
	if (!crmw_memory_stats(&st, x->m)) {
		json_t *doc = json_loadb(st.data, st.len, 0, NULL);
		json_t *ef = json_object_get(json_object_get(doc, "index"), "ef_search");
		r->ef_search = json_is_integer(ef) ? (int)json_integer_value(ef) : 0;
		json_decref(doc);
	}
	crmw_buf_dispose(&st);
	return CLI_OK;
}

/* The peer, on the first --sqlite-queries queries. */
static int eng_sqlite(mem_ctx *x)
{
	mem_res *r = &x->S->r[E_SQLITE];
	int sq = x->c->sqlite_nq < x->nq ? x->c->sqlite_nq : x->nq;
	if (mem_sqlite(r, x->got, x->path, x->q, sq, x->dim, x->ts, x->c->repeat))
		return CLI_FAIL;
	r->build_s = r->load_s = -1;
	mem_done(r, x, sq);
	return CLI_OK;
}

/* One store of S->n entries through every engine asked for. */
static int mem_run_size(mem_size *S, const mem_conf *c)
{
	mem_ctx x = {.c = c, .S = S, .n = S->n, .dim = c->dim, .nq = c->nq};
	const int64_t n = S->n;
	const int32_t dim = c->dim;
	mem_path(x.path, sizeof x.path, c, n, "");
	mem_remove_files(c, n);
	if (c->ef_search > 0)
		snprintf(x.open_opts, sizeof x.open_opts,
			 "{\"synchronous\":\"normal\",\"dim\":%d,\"dedup_threshold\":1.01,\"ef_search\":%d}", dim, c->ef_search);
	else
		snprintf(x.open_opts, sizeof x.open_opts, "{\"synchronous\":\"normal\",\"dim\":%d,\"dedup_threshold\":1.01}",
			 dim);

	float *v = malloc(sizeof *v * (size_t)n * (size_t)dim);
	float *q = malloc(sizeof *q * (size_t)x.nq * (size_t)dim);
	int64_t *ids = malloc(sizeof *ids * (size_t)n);
	double *thr = malloc(sizeof *thr * (size_t)x.nq);
	float *back = malloc(sizeof *back * (size_t)dim);
	x.got = malloc(sizeof *x.got * (size_t)x.nq * MEM_K);
	x.ts = malloc(sizeof *x.ts * (size_t)x.nq);
	x.ix.sorted = malloc(sizeof(int64_t) * 2 * (size_t)n);
	x.ix.row = malloc(sizeof(int64_t) * (size_t)n);
	int rc = CLI_FAIL, lrc;
	if (!v || !q || !ids || !thr || !back || !x.got || !x.ts || !x.ix.sorted || !x.ix.row) {
		cli_error(CLI_FAIL, "bench memory: out of memory");
		goto done;
	}
	mem_vectors(v, n, dim, c->seed, c->clustered);
	mem_queries(q, x.nq, v, n, dim, c->seed);
	x.q = q;

	/* Load. */
	mem_res *r = &S->r[E_STORE];
	if ((lrc = crmw_memory_open(&x.m, x.path, x.open_opts))) {
		mem_fail(lrc, NULL, x.path);
		goto done;
	}
	if ((lrc = mem_load(&r->build_s, ids, x.m, c, v, n))) {
		if (lrc != MEM_REPORTED)
			mem_fail(lrc, x.m, c->use_add ? "add" : "import");
		goto done;
	}
	r->ran = true;
	r->load_s = r->p50 = r->p95 = r->recall = -1;
	r->peak_kb = peak_kb();

	/* Reopen: the first exact search loads the matrix. */
	if (mem_reopen(&x.m, &S->r[E_EXACT].load_s, x.path, x.open_opts, q, dim, OPT_EXACT))
		goto done;

	/* The reference, from the vectors as the store holds them (read back
	 * over the generated ones: the bench keeps one copy). */
	double maxdiff = 0;
	for (int64_t i = 0; i < n; i++) {
		if ((lrc = crmw_memory_get_vector(back, dim, x.m, ids[i]))) {
			mem_fail(lrc, x.m, "get_vector");
			goto done;
		}
		for (int32_t j = 0; j < dim; j++) {
			double d = fabs((double)back[j] - v[i * dim + j]);
			maxdiff = d > maxdiff ? d : maxdiff;
		}
		memcpy(v + i * dim, back, sizeof *back * (size_t)dim);
		x.ix.sorted[2 * i] = ids[i];
		x.ix.sorted[2 * i + 1] = i;
	}
	if (maxdiff > 1e-5) {
		cli_error(CLI_FAIL, "bench memory: the store holds other vectors than were added (max difference %g)", maxdiff);
		goto done;
	}
	qsort(x.ix.sorted, (size_t)n, 2 * sizeof(int64_t), cmp_pair);
	for (int64_t i = 0; i < n; i++) {
		x.ix.row[i] = x.ix.sorted[2 * i + 1];
		x.ix.sorted[i] = x.ix.sorted[2 * i];
	}
	x.ix.n = n;
	mem_truth(thr, v, n, q, x.nq, dim);
	x.rows = v;
	x.thr = thr;

	if (eng_exact(&x))
		goto done;
	if ((c->engines & 1u << E_INT8) && eng_int8(&x))
		goto done;
	if ((c->engines & 1u << E_BATCH) && eng_batch(&x))
		goto done;
	for (int e = E_FLAT; e <= E_HNSW; e++) {
		if (!crmw_has_feature("faiss"))
			S->r[e].note = "skipped: this build has no faiss";
		else if ((c->engines & 1u << e) && eng_faiss(&x, e))
			goto done;
	}
	crmw_memory_free(x.m);
	x.m = NULL;
	struct stat sb;
	S->file_bytes = stat(x.path, &sb) == 0 ? (int64_t)sb.st_size : -1;
	if ((c->engines & 1u << E_SQLITE) && eng_sqlite(&x))
		goto done;
	for (int e = 0; e < E_COUNT; e++)
		if (!S->r[e].ran && !S->r[e].note)
			S->r[e].note = "skipped (--engines)";
	rc = CLI_OK;
done:
	crmw_memory_free(x.m);
	mem_remove_files(c, n);
	free(v);
	free(q);
	free(ids);
	free(thr);
	free(back);
	free(x.got);
	free(x.ts);
	free(x.ix.sorted);
	free(x.ix.row);
	return rc;
}

/* "exact_int8,hnsw" into a bit set of engines (the exact scan and the load
 * always run); -1 when a name is unknown. */
static int mem_engines(const char *s, unsigned *out)
{
	unsigned set = 1u << E_STORE | 1u << E_EXACT;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int e = E_COUNT;
		if (!strcmp(tok, "all"))
			set = ~0u;
		else {
			for (e = E_EXACT; e < E_COUNT; e++)
				if (!strcmp(tok, mem_key[e]))
					break;
			if (e == E_COUNT)
				return -1;
			set |= 1u << e;
		}
	}
	*out = set;
	return 0;
}

void bench_size_tag(char *out, size_t n, int64_t size)
{
	if (size % 1000 == 0)
		snprintf(out, n, "%lldk", (long long)(size / 1000));
	else
		snprintf(out, n, "%lld", (long long)size);
}

static const mem_size *mem_find(const mem_size *S, int ns, int64_t n)
{
	for (int i = 0; i < ns; i++)
		if (S[i].n == n)
			return &S[i];
	return NULL;
}

static void jkey(bool *first, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jkey(bool *first, const char *fmt, ...)
{
	va_list ap;
	fputs(*first ? "\"" : ",\"", stdout);
	*first = false;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs("\":", stdout);
}

static void jval(double v, bool ok, int prec)
{
	if (ok && isfinite(v))
		printf("%.*f", prec, v);
	else
		fputs("null", stdout);
}

static void mem_print_json(const mem_size *S, int ns, const mem_conf *c)
{
	bool first = true;
	bool faiss = crmw_has_feature("faiss");
	putchar('{');
	jkey(&first, "benchmark");
	printf("\"memory\"");
	jkey(&first, "sizes");
	for (int i = 0; i < ns; i++)
		printf("%s%lld", i ? "," : "[", (long long)S[i].n);
	putchar(']');
	jkey(&first, "dim");
	printf("%d", c->dim);
	jkey(&first, "k");
	printf("%d", MEM_K);
	jkey(&first, "queries");
	printf("%d", c->nq);
	jkey(&first, "sqlite_queries");
	printf("%d", c->sqlite_nq < c->nq ? c->sqlite_nq : c->nq);
	jkey(&first, "repeat");
	printf("%d", c->repeat);
	jkey(&first, "batch");
	printf("%d", MEM_BATCH);
	jkey(&first, "data");
	printf("\"%s\"", c->clustered ? "clustered" : "uniform");
	jkey(&first, "query_kind");
	printf("\"perturbed stored vectors\"");
	jkey(&first, "seed");
	printf("%llu", (unsigned long long)c->seed);
	jkey(&first, "load");
	printf("\"%s\"", c->use_add ? "add" : "import");
	jkey(&first, "faiss");
	printf("%s", faiss ? "true" : "false");
	/* the ef_search HNSW searched with: --ef-search, or the library's default */
	int ef = c->ef_search;
	for (int i = 0; i < ns && ef <= 0; i++)
		ef = S[i].r[E_HNSW].ef_search;
	jkey(&first, "ef_search");
	if (ef > 0)
		printf("%d", ef);
	else
		printf("null");
	jkey(&first, "ef_search_default");
	printf("%s", c->ef_search > 0 ? "false" : "true");
	for (int i = 0; i < ns; i++) {
		const mem_size *s = &S[i];
		const char *L = s->label;
		const mem_res *st = &s->r[E_STORE];
		jkey(&first, "store_%s_build_s", L);
		jval(st->build_s, st->ran, 3);
		jkey(&first, "store_%s_entries_per_s", L);
		jval(s->n / st->build_s, st->ran, 0);
		jkey(&first, "store_%s_file_bytes", L);
		printf("%lld", (long long)s->file_bytes);
		for (int e = E_EXACT; e < E_COUNT; e++) {
			const mem_res *r = &s->r[e];
			const char *K = mem_key[e];
			jkey(&first, "%s_%s_p50_us", K, L);
			jval(r->p50, r->ran, 2);
			jkey(&first, "%s_%s_p95_us", K, L);
			jval(r->p95, r->ran, 2);
			jkey(&first, "%s_%s_recall_at_10", K, L);
			jval(r->recall, r->ran, 4);
			if (e == E_INT8 || e == E_FLAT || e == E_HNSW) {
				jkey(&first, "%s_%s_build_s", K, L);
				jval(r->build_s, r->ran, 3);
			}
			if (e == E_EXACT || e == E_FLAT || e == E_HNSW) {
				jkey(&first, "%s_%s_load_s", K, L);
				jval(r->load_s, r->ran, 3);
			}
			jkey(&first, "%s_%s_peak_rss_kb", K, L);
			if (r->ran)
				printf("%ld", r->peak_kb);
			else
				printf("null");
		}
		const mem_res *ex = &s->r[E_EXACT];
		static const int vs[] = {E_FLAT, E_HNSW, E_SQLITE, E_INT8, E_BATCH};
		for (size_t v = 0; v < sizeof vs / sizeof vs[0]; v++) {
			const mem_res *o = &s->r[vs[v]];
			jkey(&first, "exact_%s_speedup_vs_%s", L, mem_key[vs[v]]);
			jval(o->p50 / ex->p50, o->ran && ex->ran, 3);
		}
	}
	/* The guide's unsuffixed ratios: at the largest size. */
	const mem_size *big = &S[ns - 1];
	jkey(&first, "exact_speedup_vs_faiss_flat");
	jval(big->r[E_FLAT].p50 / big->r[E_EXACT].p50, big->r[E_FLAT].ran, 3);
	jkey(&first, "exact_speedup_vs_sqlite_scan");
	jval(big->r[E_SQLITE].p50 / big->r[E_EXACT].p50, big->r[E_SQLITE].ran, 3);
	/* The targets of issue 8, when their sizes ran (null: not measured). */
	static const struct {
		const char *key;
		int64_t n;
		int e;
		double max_us, min_recall;
	} targets[] = {
		{"target_exact_10k_met", 10000, E_EXACT, 300, 0.999},
		{"target_exact_int8_10k_met", 10000, E_INT8, 300, 0.999},
		{"target_exact_100k_met", 100000, E_EXACT, 3000, 0.999},
		{"target_exact_int8_100k_met", 100000, E_INT8, 3000, 0.999},
		{"target_hnsw_100k_met", 100000, E_HNSW, 500, 0.95},
	};
	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
		const mem_size *sz = mem_find(S, ns, targets[t].n);
		if (!sz)
			continue;
		const mem_res *r = &sz->r[targets[t].e];
		jkey(&first, "%s", targets[t].key);
		printf("%s", !r->ran ? "null" : r->p50 <= targets[t].max_us && r->recall >= targets[t].min_recall ? "true" : "false");
	}
	jkey(&first, "peak_rss_kb");
	printf("%ld}\n", peak_kb());
}

/* One target of issue 8: met or not, by `r` (and by the int8 scan `r8`,
 * whose results are the float scan's, when given). */
static void mem_target(const char *what, const mem_res *r, const mem_res *r8, double max_us, double min_recall)
{
	printf("target: %s: ", what);
	if (!r->ran) {
		printf("not measured (%s)\n", r->note ? r->note : "did not run");
		return;
	}
	printf("%s (%.1f us", r->p50 <= max_us && r->recall >= min_recall ? "met" : "NOT met", r->p50);
	if (min_recall > 0)
		printf(", recall %.3f", r->recall);
	if (r8 && r8->ran)
		printf("; int8 scan + rescoring: %s, %.1f us", r8->p50 <= max_us && r8->recall >= 0.999 ? "met" : "NOT met",
		       r8->p50);
	printf(")\n");
}

static void mem_print_table(const mem_size *S, int ns, const mem_conf *c)
{
	printf("memory: vector search, dim %d, top-%d, %s unit vectors (seed %llu); %d queries, perturbed copies of\n"
	       "stored vectors (SQLite scan: the first %d); recall@10 against a naive double-precision scan\n",
	       c->dim, MEM_K, c->clustered ? "clustered" : "uniform random", (unsigned long long)c->seed, c->nq,
	       c->sqlite_nq < c->nq ? c->sqlite_nq : c->nq);
	printf("  %-30s %8s %8s %8s %10s %10s %9s %9s %10s\n", "engine", "entries", "build s", "load s", "p50 us",
	       "p95 us", "recall@10", "p50/exact", "peak RSS");
	for (int i = 0; i < ns; i++) {
		const mem_size *s = &S[i];
		for (int e = 0; e < E_COUNT; e++) {
			const mem_res *r = &s->r[e];
			char label[64], b[16] = "-", l[16] = "-", p5[16] = "-", p9[16] = "-", rc[16] = "-", ra[16] = "-";
			snprintf(label, sizeof label, "%s%s", mem_label[e],
				 e == E_STORE ? (c->use_add ? " (add)" : " (import)") : "");
			if (e == E_HNSW && r->ran && r->ef_search > 0)
				snprintf(label, sizeof label, "%s, ef_search %d", mem_label[e], r->ef_search);
			if (!r->ran) {
				printf("  %-30s %8lld  %s\n", label, (long long)s->n, r->note ? r->note : "did not run");
				continue;
			}
			if (r->build_s >= 0)
				snprintf(b, sizeof b, "%.2f", r->build_s);
			if (r->load_s >= 0)
				snprintf(l, sizeof l, "%.2f", r->load_s);
			if (e != E_STORE) {
				snprintf(p5, sizeof p5, "%.1f", r->p50);
				snprintf(p9, sizeof p9, "%.1f", r->p95);
				snprintf(rc, sizeof rc, "%.3f", r->recall);
				snprintf(ra, sizeof ra, "%.2fx", r->p50 / s->r[E_EXACT].p50);
			}
			printf("  %-30s %8lld %8s %8s %10s %10s %9s %9s %6ld MiB\n", label, (long long)s->n, b, l, p5, p9, rc,
			       ra, r->peak_kb / 1024);
		}
	}
	const mem_size *s10 = mem_find(S, ns, 10000), *s100 = mem_find(S, ns, 100000);
	if (s10)
		mem_target("exact p50 at 10k <= 300 us", &s10->r[E_EXACT], &s10->r[E_INT8], 300, 0);
	if (s100) {
		mem_target("exact p50 at 100k <= 3000 us", &s100->r[E_EXACT], &s100->r[E_INT8], 3000, 0);
		mem_target(c->clustered ? "HNSW32 p50 at 100k <= 500 us with recall@10 >= 0.95 (clustered data)"
					: "HNSW32 p50 at 100k <= 500 us with recall@10 >= 0.95 (uniform data: the worst case)",
			   &s100->r[E_HNSW], NULL, 500, 0.95);
	}
}

static int bench_memory(const mem_conf *c, const int64_t *sizes, int ns)
{
	mem_size *S = calloc((size_t)ns, sizeof *S);
	if (!S)
		return cli_error(CLI_FAIL, "bench memory: out of memory");
	int rc = CLI_OK;
	for (int i = 0; i < ns && !rc; i++) {
		S[i].n = sizes[i];
		bench_size_tag(S[i].label, sizeof S[i].label, sizes[i]);
		rc = mem_run_size(&S[i], c);
	}
	if (!rc && c->json)
		mem_print_json(S, ns, c);
	else if (!rc)
		mem_print_table(S, ns, c);
	free(S);
	return rc;
}

/* "10000,100000" (or "10k,100k") into sizes; the count, or -1 after an error. */
static int parse_sizes(int64_t *out, int max, const char *s)
{
	int n = 0;
	const char *p = s;
	for (;;) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		bool ok = end != p && !errno && *p >= '0' && *p <= '9';
		if (ok && (*end == 'k' || *end == 'K'))
			v *= 1000, end++;
		else if (ok && (*end == 'm' || *end == 'M'))
			v *= 1000000, end++;
		ok = ok && (!*end || *end == ',') && v >= 100 && v <= 10000000 && n < max;
		for (int i = 0; ok && i < n; i++)
			ok = out[i] != v;
		if (!ok) {
			cli_error(CLI_USAGE,
				  "bench: --sizes takes up to %d different sizes of 100 to 10000000 entries, as in 10000,100000 (not '%s')",
				  max, s);
			return -1;
		}
		out[n++] = v;
		if (!*end)
			return n;
		p = end + 1;
	}
}


/* ------------------------------------------------------------------ env */

typedef struct pcts {
	double p50, p95;
} pcts;

static pcts percentiles(double *t, int n)
{
	pcts r = {0, 0};
	if (n <= 0)
		return r;
	qsort(t, (size_t)n, sizeof *t, cmpd);
	r.p50 = t[n / 2];
	r.p95 = t[(int)(0.95 * (n - 1))];
	return r;
}

/* The Python reference environment (bench/env_reference.py), found beside
 * the source tree or in $CRMW_BENCH_DIR; its latencies in *py. */
static bool python_reference(const char *org, const char *episodes, double *reset, double *step, double *reward,
			     int *nr, int *ns, int *nw)
{
	const char *d = getenv("CRMW_BENCH_DIR");
	char script[4300], cmd[13000];
	snprintf(script, sizeof script, "%s/env_reference.py", d && *d ? d : CRMW_BENCH_DIR);
	if (access(script, R_OK) != 0 || strchr(script, '\'') || strchr(org, '\'') || strchr(episodes, '\''))
		return false; /* the paths are quoted for the shell below */
	int w = snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s'", script, org, episodes);
	if (w < 0 || (size_t)w >= sizeof cmd)
		return false;
	FILE *f = popen(cmd, "r");
	if (!f)
		return false;
	json_error_t je;
	json_t *r = json_loadf(f, 0, &je);
	int st = pclose(f);
	if (!r || st != 0) {
		json_decref(r);
		return false;
	}
	double *out[3] = {reset, step, reward};
	int *n[3] = {nr, ns, nw};
	const char *keys[3] = {"reset_us", "step_us", "reward_us"};
	for (int k = 0; k < 3; k++) {
		size_t i;
		json_t *v;
		*n[k] = 0;
		json_array_foreach(json_object_get(r, keys[k]), i, v) out[k][(*n[k])++] = json_number_value(v);
	}
	json_decref(r);
	return true;
}

/* Steps per second over `nenv` environments in batches, with `workers`. */
static double env_throughput(const char *org, const crmw_task_set *ts, int workers, const char *const *outputs,
			     int nenv, int rounds)
{
	char opts[200];
	snprintf(opts, sizeof opts, "{\"workers\":%d,\"memory\":\"off\",\"agent\":{\"max_turns\":1000}}", workers);
	crmw_env_pool *p;
	if (crmw_env_pool_new(&p, org, opts))
		return 0;
	crmw_env_pool_set_tasks(p, ts);
	crmw_env **envs = calloc((size_t)nenv, sizeof *envs);
	crmw_buf *outs = calloc((size_t)nenv, sizeof *outs);
	const char **in = calloc((size_t)nenv, sizeof *in);
	size_t *lens = calloc((size_t)nenv, sizeof *lens);
	crmw_buf obs = CRMW_BUF_INIT;
	double rate = 0;
	int rc = envs && outs && in && lens ? 0 : -1;
	for (int i = 0; !rc && i < nenv; i++) {
		char r[64];
		snprintf(r, sizeof r, "{\"index\":%d,\"tools\":false}", i % (int)crmw_task_set_count(ts));
		rc = crmw_env_new(&envs[i], p) || crmw_env_reset(&obs, envs[i], r);
	}
	double t0 = now_s();
	for (int round = 0; !rc && round < rounds; round++) {
		for (int i = 0; i < nenv; i++) {
			in[i] = outputs[(round + i) % 3];
			lens[i] = strlen(in[i]);
		}
		rc = crmw_env_step_batch(p, envs, in, lens, outs, NULL, nenv);
	}
	if (!rc)
		rate = (double)nenv * rounds / (now_s() - t0);
	for (int i = 0; i < nenv && envs; i++) {
		crmw_env_free(envs[i]);
		crmw_buf_dispose(&outs[i]);
	}
	crmw_buf_dispose(&obs);
	free(envs);
	free(outs);
	free(in);
	free(lens);
	crmw_env_pool_free(p);
	return rate;
}

/*
 * The RL environment (issue 11): reset, step (a tool call and its
 * observation) and reward latencies with a scripted policy, side by side
 * with a Python reference environment over the same org file; batch
 * throughput with one and two threads; the memory of idle environments.
 */
static int bench_env(const char *dir, int episodes, bool json)
{
	char org[4200], epath[4200];
	snprintf(org, sizeof org, "%s/org.db", dir);
	snprintf(epath, sizeof epath, "%s/episodes.json", dir);
	int rc = crmw_gen(org, "{\"profile\":\"b2b\",\"seed\":1,\"overwrite\":true}", NULL, NULL);
	if (rc)
		return cli_lib_error(rc, "bench env: gen");
	crmw_db *db = NULL;
	crmw_task_set *ts = NULL;
	rc = crmw_db_open(&db, org, CRMW_DB_READONLY);
	rc = rc ? rc : crmw_tasks_generate(&ts, NULL, db, "{\"families\":\"handle_time\",\"per_family\":40,\"seed\":1}");
	if (rc) {
		crmw_db_free(db);
		return cli_lib_error(rc, "bench env: tasks");
	}
	int64_t ntasks = crmw_task_set_count(ts);
	/* the scripted policy: three calls around a quarter of last year */
	crmw_buf b = CRMW_BUF_INIT;
	crmw_task_set_get(&b, ts, 0);
	json_t *t0j = json_loads(b.data, 0, NULL);
	const char *today = json_string_value(json_object_get(json_object_get(t0j, "context"), "today"));
	int year = today ? atoi(today) - 1 : 2023;
	json_decref(t0j);
	char out0[200], out1[300], out2[300];
	snprintf(out0, sizeof out0,
		 "<tool_call>{\"name\": \"get_period\", \"arguments\": {\"period_name\": \"Q3\", \"year\": %d}}</tool_call>", year);
	snprintf(out1, sizeof out1,
		 "<tool_call>{\"name\": \"get_agent_handled_cases_by_period\", \"arguments\": {\"start_date\": "
		 "\"%d-07-01T00:00:00Z\", \"end_date\": \"%d-10-01T00:00:00Z\"}}</tool_call>",
		 year, year);
	snprintf(out2, sizeof out2,
		 "<tool_call>{\"name\": \"get_cases\", \"arguments\": {\"start_date\": \"%d-07-01T00:00:00Z\", "
		 "\"end_date\": \"%d-10-01T00:00:00Z\", \"statuses\": [\"Closed\"]}}</tool_call>",
		 year, year);
	const char *outputs[3] = {out0, out1, out2};
	enum { STEPS = 6 };

	/* the library */
	crmw_env_pool *p = NULL;
	crmw_env *e = NULL;
	rc = crmw_env_pool_new(&p, org, "{\"workers\":0,\"memory\":\"off\",\"agent\":{\"max_turns\":1000}}");
	rc = rc ? rc : crmw_env_pool_set_tasks(p, ts);
	rc = rc ? rc : crmw_env_new(&e, p);
	double *reset = calloc((size_t)episodes, sizeof *reset), *step = calloc((size_t)episodes * STEPS, sizeof *step),
	       *reward = calloc((size_t)episodes, sizeof *reward);
	double *preset = calloc((size_t)episodes, sizeof *preset), *pstep = calloc((size_t)episodes * STEPS, sizeof *pstep),
	       *preward = calloc((size_t)episodes, sizeof *preward);
	json_t *eps = json_array();
	crmw_buf obs = CRMW_BUF_INIT, out = CRMW_BUF_INIT, info = CRMW_BUF_INIT;
	int nsteps = 0;
	for (int i = 0; !rc && i < episodes + 20; i++) { /* 20 warm-up episodes */
		int64_t ti = i % ntasks;
		char r[64];
		snprintf(r, sizeof r, "{\"index\":%lld}", (long long)ti);
		double t = now_s();
		rc = crmw_env_reset(&obs, e, r);
		double tr = (now_s() - t) * 1e6;
		for (int k = 0; !rc && k < STEPS; k++) {
			t = now_s();
			rc = crmw_env_step(&out, e, outputs[k % 3], strlen(outputs[k % 3]));
			if (i >= 20)
				step[nsteps++] = (now_s() - t) * 1e6;
		}
		crmw_task_set_get(&b, ts, ti);
		json_t *tj = json_loads(b.data, 0, NULL);
		const char *answer = json_string_value(json_array_get(json_object_get(tj, "answer"), 0));
		double score = 0;
		t = now_s();
		rc = rc ? rc : crmw_task_score(&score, &info, ts, ti, answer ? answer : "None", NULL, NULL, NULL);
		double tw = (now_s() - t) * 1e6;
		if (i >= 20) {
			reset[i - 20] = tr;
			reward[i - 20] = tw;
			json_t *o = json_array();
			for (int k = 0; k < STEPS; k++)
				json_array_append_new(o, json_string(outputs[k % 3]));
			json_array_append_new(
				eps, json_pack("{s:{s:O, s:O, s:O, s:O}, s:o, s:s}", "task", "id", json_object_get(tj, "id"),
					       "query", json_object_get(tj, "query"), "today",
					       json_object_get(json_object_get(tj, "context"), "today"), "answer",
					       json_object_get(tj, "answer"), "outputs", o, "answer", answer ? answer : "None"));
		}
		json_decref(tj);
	}
	if (rc)
		cli_lib_error(rc, e ? crmw_env_errmsg(e) : "bench env");
	/* the peer, on the same episodes and tool specs */
	int nr = 0, ns = 0, nw = 0;
	bool have_py = false;
	if (!rc) {
		crmw_registry *reg = NULL;
		crmw_buf specs = CRMW_BUF_INIT;
		if (!crmw_registry_new(&reg) && !crmw_registry_add_builtin(reg, "query,crmarena,pro", db, NULL) &&
		    !crmw_registry_export(&specs, reg, CRMW_TOOLS_OPENAI)) {
			json_t *spec = json_pack("{s:o, s:O}", "tools", json_loads(specs.data, 0, NULL), "episodes", eps);
			if (spec && json_dump_file(spec, epath, JSON_COMPACT) == 0)
				have_py = python_reference(org, epath, preset, pstep, preward, &nr, &ns, &nw);
			json_decref(spec);
		}
		crmw_buf_dispose(&specs);
		crmw_registry_free(reg);
	}
	json_decref(eps);
	crmw_env_free(e);
	crmw_env_pool_free(p);
	/* throughput, then idle memory */
	double thr1 = 0, thr2 = 0, idle_kib = 0;
	if (!rc) {
		thr1 = env_throughput(org, ts, 0, outputs, 256, 12);
		thr2 = env_throughput(org, ts, 1, outputs, 256, 12);
		crmw_env_pool *q = NULL;
		if (!crmw_env_pool_new(&q, org, "{\"workers\":0,\"memory\":\"off\"}")) {
			crmw_env_pool_set_tasks(q, ts);
			enum { IDLE = 2048 };
			crmw_env **many = calloc(IDLE, sizeof *many);
			crmw_env *warm = NULL;
			crmw_env_new(&warm, q);
			crmw_env_reset(&obs, warm, "{\"index\":0}"); /* the context exists before measuring */
			struct mallinfo2 m0 = mallinfo2();
			for (int i = 0; many && i < IDLE; i++) {
				char r[64];
				snprintf(r, sizeof r, "{\"index\":%d,\"tools\":false}", (int)(i % ntasks));
				crmw_env_new(&many[i], q);
				crmw_env_reset(&obs, many[i], r);
			}
			struct mallinfo2 m1 = mallinfo2();
			idle_kib = ((double)m1.uordblks - (double)m0.uordblks) / 1024.0 / IDLE;
			for (int i = 0; many && i < IDLE; i++)
				crmw_env_free(many[i]);
			crmw_env_free(warm);
			free(many);
			crmw_env_pool_free(q);
		}
	}
	int64_t records = count_records(org);
	crmw_db_free(db);
	crmw_task_set_free(ts);
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&obs);
	crmw_buf_dispose(&out);
	crmw_buf_dispose(&info);
	if (!rc) {
		/* per call (steps cycle through the three calls), before sorting */
		pcts kc[3], kp[3];
		for (int k = 0; k < 3; k++) {
			double *a = calloc((size_t)nsteps + 1, sizeof *a), *bb = calloc((size_t)ns + 1, sizeof *bb);
			int na = 0, nb = 0;
			for (int j = 0; a && j < nsteps; j++)
				if ((j % STEPS) % 3 == k)
					a[na++] = step[j];
			for (int j = 0; bb && j < ns; j++)
				if ((j % STEPS) % 3 == k)
					bb[nb++] = pstep[j];
			kc[k] = percentiles(a, na);
			kp[k] = percentiles(bb, nb);
			free(a);
			free(bb);
		}
		pcts cs = percentiles(step, nsteps), cr = percentiles(reset, episodes), cw = percentiles(reward, episodes);
		pcts ps = percentiles(pstep, ns), pr = percentiles(preset, nr), pw = percentiles(preward, nw);
		static const char *const ckey[3] = {"get_period", "handled_by_period", "get_cases"};
		if (json) {
			printf("{\"benchmark\":\"env\",\"org_records\":%lld,\"episodes\":%d,\"steps\":%d,"
			       "\"step_p50_us\":%.2f,\"step_p95_us\":%.2f,\"reset_p50_us\":%.2f,\"reset_p95_us\":%.2f,"
			       "\"reward_p50_us\":%.3f,\"reward_p95_us\":%.3f",
			       (long long)records, episodes, nsteps, cs.p50, cs.p95, cr.p50, cr.p95, cw.p50, cw.p95);
			if (have_py)
				printf(",\"python_step_p50_us\":%.2f,\"python_step_p95_us\":%.2f,\"python_reset_p50_us\":%.2f,"
				       "\"python_reset_p95_us\":%.2f,\"python_reward_p50_us\":%.3f,\"step_speedup_vs_python\":%.2f,"
				       "\"reset_speedup_vs_python\":%.2f,\"reward_speedup_vs_python\":%.2f",
				       ps.p50, ps.p95, pr.p50, pr.p95, pw.p50, ps.p50 / cs.p50, pr.p50 / cr.p50, pw.p50 / cw.p50);
			else
				printf(",\"step_speedup_vs_python\":null");
			for (int k = 0; k < 3; k++) {
				printf(",\"step_%s_p50_us\":%.2f", ckey[k], kc[k].p50);
				if (have_py)
					printf(",\"python_step_%s_p50_us\":%.2f", ckey[k], kp[k].p50);
			}
			printf(",\"throughput_1_thread_steps_per_s\":%.0f,\"throughput_2_threads_steps_per_s\":%.0f,"
			       "\"idle_env_kib\":%.1f}\n",
			       thr1, thr2, idle_kib);
		} else {
			printf("RL environment, b2b org (%lld records), scripted policy: %d episodes x %d tool calls\n",
			       (long long)records, episodes, STEPS);
			printf("  %-30s %10s %10s %14s %14s %8s\n", "", "p50", "p95", "python p50", "python p95", "ratio");
			const char *label[3] = {"step (tool call + observation)", "reset", "reward"};
			pcts c[3] = {cs, cr, cw}, py[3] = {ps, pr, pw};
			for (int k = 0; k < 3; k++) {
				if (have_py)
					printf("  %-30s %8.2fus %8.2fus %12.2fus %12.2fus %7.1fx\n", label[k], c[k].p50, c[k].p95,
					       py[k].p50, py[k].p95, py[k].p50 / c[k].p50);
				else
					printf("  %-30s %8.2fus %8.2fus %14s %14s %8s\n", label[k], c[k].p50, c[k].p95, "-", "-", "-");
			}
			static const char *const clabel[3] = {"  get_period (no query)", "  get_agent_handled_cases_by_period",
							      "  get_cases (a quarter's closed cases)"};
			for (int k = 0; k < 3; k++) {
				if (have_py)
					printf("  %-30s %8.2fus %10s %12.2fus %14s %7.1fx\n", clabel[k], kc[k].p50, "", kp[k].p50, "",
					       kp[k].p50 / kc[k].p50);
				else
					printf("  %-30s %8.2fus\n", clabel[k], kc[k].p50);
			}
			if (!have_py)
				printf("  (python3 or bench/env_reference.py not found: set CRMW_BENCH_DIR)\n");
			printf("  batch throughput, 256 environments: %.0f steps/s on 1 thread, %.0f steps/s on 2 (%.2fx)\n",
			       thr1, thr2, thr1 > 0 ? thr2 / thr1 : 0);
			printf("  2,048 idle environments (after reset): %.1f KiB of heap each\n", idle_kib);
		}
	}
	free(reset);
	free(step);
	free(reward);
	free(preset);
	free(pstep);
	free(preward);
	remove(epath);
	static const char *const files[] = {"org.db", "org.db-wal", "org.db-shm"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char f[4300];
		snprintf(f, sizeof f, "%s/%s", dir, files[i]);
		remove(f);
	}
	return rc ? CLI_FAIL : CLI_OK;
}

int cmd_bench(int argc, char **argv)
{
	enum { O_SIZES = 256, O_DIM, O_QUERIES, O_DIR, O_DATA, O_LOAD, O_EF, O_SQLQ, O_SEED, O_ENGINES, O_ROWS };
	static const struct option opts[] = {
		{"profile", required_argument, 0, 'p'},
		{"repeat", required_argument, 0, 'r'},
		{"iterations", required_argument, 0, 'i'},
		{"keep", required_argument, 0, 'k'},
		{"json", no_argument, 0, 'j'},
		{"sizes", required_argument, 0, O_SIZES},
		{"dim", required_argument, 0, O_DIM},
		{"queries", required_argument, 0, O_QUERIES},
		{"dir", required_argument, 0, O_DIR},
		{"data", required_argument, 0, O_DATA},
		{"load", required_argument, 0, O_LOAD},
		{"ef-search", required_argument, 0, O_EF},
		{"sqlite-queries", required_argument, 0, O_SQLQ},
		{"seed", required_argument, 0, O_SEED},
		{"engines", required_argument, 0, O_ENGINES},
		{"rows", required_argument, 0, O_ROWS},
		{"output", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = "b2b", *sizes_arg = "10000,100000", *out = NULL;
	bool profile_set = false, queries_set = false;
	int repeat = 3, json = 0, iters = 2000, c;
	int64_t rows = 300000;
	const char *keep = NULL, *base = NULL;
	int64_t sizes[8] = {10000, 100000};
	int nsizes = 2;
	mem_conf mc = {.dim = 384, .nq = 1000, .sqlite_nq = 200, .seed = 1, .clustered = true, .engines = ~0u};
	int64_t v;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			profile_set = true;
			break;
		case 'o': out = optarg; break;
		case O_ROWS:
			if (cli_parse_count("bench", "--rows", optarg, &rows))
				return CLI_USAGE;
			if (rows < 100 || rows > 100000000)
				return cli_error(CLI_USAGE, "bench: --rows must be 100 to 100000000");
			break;
		case 'r': repeat = atoi(optarg); break;
		case 'i': iters = atoi(optarg); break;
		case 'k': keep = optarg; break;
		case 'j': json = 1; break;
		case O_SIZES:
			if ((nsizes = parse_sizes(sizes, 8, optarg)) < 0)
				return CLI_USAGE;
			sizes_arg = optarg;
			break;
		case O_DIM:
			if (cli_parse_count("bench", "--dim", optarg, &v))
				return CLI_USAGE;
			if (v < 8 || v > 4096)
				return cli_error(CLI_USAGE, "bench: --dim must be 8 to 4096");
			mc.dim = (int32_t)v;
			break;
		case O_QUERIES:
			if (cli_parse_count("bench", "--queries", optarg, &v))
				return CLI_USAGE;
			if (v < 10 || v > 100000)
				return cli_error(CLI_USAGE, "bench: --queries must be 10 to 100000");
			mc.nq = (int)v;
			queries_set = true;
			break;
		case O_SQLQ:
			if (cli_parse_count("bench", "--sqlite-queries", optarg, &v))
				return CLI_USAGE;
			if (v < 10 || v > 100000)
				return cli_error(CLI_USAGE, "bench: --sqlite-queries must be 10 to 100000");
			mc.sqlite_nq = (int)v;
			break;
		case O_EF:
			if (cli_parse_count("bench", "--ef-search", optarg, &v))
				return CLI_USAGE;
			if (v < 1 || v > 100000)
				return cli_error(CLI_USAGE, "bench: --ef-search must be 1 to 100000");
			mc.ef_search = (int)v;
			break;
		case O_SEED:
			if (cli_parse_count("bench", "--seed", optarg, &v))
				return CLI_USAGE;
			mc.seed = (uint64_t)v;
			break;
		case O_ENGINES:
			if (mem_engines(optarg, &mc.engines))
				return cli_error(CLI_USAGE, "bench: --engines takes all or some of exact_int8, exact_batch, faiss_flat, "
							    "hnsw, sqlite_scan (comma-separated), not '%s'", optarg);
			break;
		case O_DIR: base = optarg; break;
		case O_DATA:
			if (strcmp(optarg, "uniform") != 0 && strcmp(optarg, "clustered") != 0)
				return cli_error(CLI_USAGE, "bench: --data must be uniform or clustered");
			mc.clustered = optarg[0] == 'c';
			break;
		case O_LOAD:
			if (strcmp(optarg, "import") != 0 && strcmp(optarg, "add") != 0)
				return cli_error(CLI_USAGE, "bench: --load must be import or add");
			mc.use_add = optarg[0] == 'a';
			break;
		case 'h':
			printf("usage: crmweaver bench [gen|tools|memory|env] [--profile P] [--repeat N] [--iterations N]\n"
			       "                       [--keep DIR] [--dir DIR] [--json]\n"
			       "       crmweaver bench memory [--sizes 10000,100000] [--dim 384] [--queries 1000]\n"
			       "                       [--sqlite-queries 200] [--repeat 3] [--data clustered|uniform]\n"
			       "                       [--load import|add] [--ef-search N]\n"
			       "                       [--engines all|exact_int8,exact_batch,faiss_flat,\n"
			       "                       hnsw,sqlite_scan] [--seed 1] [--dir DIR] [--json]\n"
			       "       crmweaver bench all [--profile P] [--repeat 3] [--iterations 2000] [--rows 300000]\n"
			       "                       [--sizes 10000,100000] [--queries 1000] [--dir DIR] [-o FILE]\n"
			       "                       [--json]\n"
			       "\n"
			       "Benchmarks:\n"
			       "  gen     generation speed of the default org and a 10x org, and peak memory\n"
			       "          (best of --repeat runs), the 10x org also with one thread\n"
			       "  tools   latency of built-in tool calls on the default CRMArena org, p50 and p95\n"
			       "          over --iterations calls (default 2000); --keep DIR keeps the org there\n"
			       "          (bench/tools_bench.py runs them beside Python functions over sqlite3)\n"
			       "  memory  vector search in the shared-memory store, top-10, one store per size of\n"
			       "          seeded random unit vectors (--data clustered, the default: 100 per\n"
			       "          random centre, like embeddings of text; uniform: uniform on the sphere,\n"
			       "          the worst case for HNSW): the exact scan (float and int8), batched\n"
			       "          exact search, faiss Flat and HNSW32 (when built with faiss) and a\n"
			       "          brute-force SQL scan in SQLite; build time, p50/p95 latency over\n"
			       "          --queries perturbed copies of stored vectors (the best of --repeat\n"
			       "          passes), recall@10, peak memory; --engines picks engines (the load\n"
			       "          and the float scan always run)\n"
			       "  env     the RL environment: reset, step (a tool call with its observation) and\n"
			       "          reward latencies, p50/p95, over --iterations episodes (default 300) of a\n"
			       "          scripted policy, beside the Python reference environment\n"
			       "          (bench/env_reference.py: the same tools over the same file through\n"
			       "          sqlite3) in the same run; batch throughput on 1 and 2 threads; the\n"
			       "          memory of 2,048 idle environments\n"
			       "  all     every benchmark with its peers, each in a process of its own: gen for\n"
			       "          the three profiles (or --profile), store bulk insert (--rows) and SOQL\n"
			       "          and SOSL (bench/store_bench.py, bench/query_bench.py: beside Python\n"
			       "          sqlite3), tools (bench/tools_bench.py), memory (--sizes, --queries)\n"
			       "          and env; then a summary table of sizes, p50, p95, peer values, ratios\n"
			       "          and peak memory.  -o FILE writes every result as one JSON document\n"
			       "          (--json prints it instead of the tables).  The scripts are found in\n"
			       "          $CRMW_BENCH_DIR and the bench programs in $CRMW_BENCH_BIN (defaults:\n"
			       "          the source and build trees this program was built from)\n"
			       "\n"
			       "Files go to a temporary folder in --dir (default $TMPDIR or /tmp), removed after.\n"
			       "\n"
			       "examples:\n"
			       "  crmweaver bench gen --profile b2b --json\n"
			       "  crmweaver bench memory --sizes 10000,100000 --json\n"
			       "  crmweaver bench all -o bench-results.json\n");
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
	if (strcmp(which, "gen") != 0 && strcmp(which, "tools") != 0 && strcmp(which, "memory") != 0 &&
	    strcmp(which, "env") != 0 && !all)
		return cli_error(CLI_USAGE, "bench: unknown benchmark '%s' (available: gen, tools, memory, env, all)", which);
	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	char dir[4096];
	if (snprintf(dir, sizeof dir, "%s/crmweaver-bench-XXXXXX", base) >= (int)sizeof dir - 200)
		return cli_error(CLI_USAGE, "bench: --dir is too long");
	if (!mkdtemp(dir))
		return cli_error(CLI_FAIL, "bench: cannot make a temporary folder in %s", base);
	int rc = CLI_OK;
	if (all) {
		bench_all_conf ac = {.dir = dir, .profile = profile_set ? profile : NULL, .sizes = sizes_arg, .out = out,
				     .repeat = repeat, .iterations = iters, .env_episodes = iters == 2000 ? 300 : iters,
				     .queries = queries_set ? mc.nq : 1000, .rows = rows, .json = json};
		rc = bench_all(&ac);
		char p[4200];
		snprintf(p, sizeof p, "rm -rf '%s'", dir);
		if (!strchr(dir, '\'') && system(p) != 0)
			fprintf(stderr, "bench: could not remove %s\n", dir);
		return rc;
	}
	if (out)
		return cli_error(CLI_USAGE, "bench: -o is for bench all (the others print JSON with --json)");
	if (strcmp(which, "gen") == 0)
		rc = bench_gen(dir, profile, repeat, json);
	if (!rc && strcmp(which, "tools") == 0) {
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
	if (!rc && strcmp(which, "env") == 0)
		rc = bench_env(dir, iters == 2000 ? 300 : iters, json);
	if (!rc && strcmp(which, "memory") == 0) {
		mc.dir = dir;
		mc.json = json;
		mc.repeat = repeat;
		rc = bench_memory(&mc, sizes, nsizes);
	}
	rmdir(dir);
	return rc;
}
