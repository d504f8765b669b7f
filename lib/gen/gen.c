/*
 * The synthetic org generator.  One pass per object in dependency order,
 * through one bulk load; every random choice comes from a stream keyed by
 * (seed, purpose, record index), so the content depends on nothing else.
 * Hidden latent variables decide the data and are saved in crmw_latent_*.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gen/internal.h"
#include "common/json.h"
#include "gen/vocab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

/* Random-stream purposes. */
enum {
	S_USER = 1, S_AGENT, S_PRODUCT, S_ACCOUNT, S_ORDER, S_ITEM, S_CASE, S_TEXT, S_EMAIL, S_CHAT,
	S_KB, S_REGION, S_LEAD, S_OPP, S_QUOTE, S_TASK, S_EVENT, S_VOICE, S_CONTRACT, S_TERRITORY,
	S_CUSTOMER, S_PRICEBOOK,
};

#define DAY 86400LL
#define HOUR 3600LL

typedef struct agent {
	char id[19];
	char name[96], email[160];
	double *skill, *speed;     /* per issue */
	double transfer, workload;
	bool sales;                /* a sales rep (pro profiles) */
	double sales_speed, conversion;
} agent;

typedef struct product {
	char id[19];
	char name[96];
	int category;
	double price;
	int noun, feat[2];         /* the product type (index into its category's nouns) and two of its features */
	int spike_month;           /* 1..12 */
	double *defect;            /* per issue, sums to 1 */
} product;

typedef struct account {
	char id[19], contact[19];
	char name[96], email[160], first[32];
	int state;
	double complaint;
	int channel;
} account;

typedef struct item {
	char id[19];
	int account, product, order;
	int64_t date;              /* order effective date (seconds) */
} item;

#define FCACHE_N 512 /* field-index cache slots */

/* The latent tables, in the order of latent_insert (one statement each). */
enum { L_META, L_AGENT, L_AGENT_PROFILE, L_CUSTOMER, L_PRODUCT, L_PRODUCT_ISSUE, L_REGION, L_VIOLATION,
       L_LEAD, L_OPP, L_TASK, L_QUOTE, L_FACT, L_CALL, L_PERIOD, L_MENTION, L_COUNT };
#define QUARTERS 24  /* calendar quarters with quarterly latents, up to now */
#define FAST_REGION 0.45 /* the closure factor of a quarter's fastest state */
#define BEST_CONVERTER 0.4 /* what a month's best converter adds to its conversion */
#define MONTHS (3 * QUARTERS) /* calendar months with monthly latents, up to now */
#define LEAD_DESK 2      /* the sales reps who take a month's new leads */
#define HEAVY_TRANSFER 0.8 /* the transfer propensity of a quarter's planted heaviest transferrer */

typedef struct gen {
	crmw_db *db;               /* read by the generator only for its schema */
	crmw_bulk *bulk;
	gen_stream *gs;            /* where rows go (stream.c) */
	crmw_err err;              /* the generator's own failure */
	const crmw_profile *prof;
	uint64_t seed;
	double scale;
	int64_t now;               /* seconds since 1970 */
	int rc;
	/* the current row */
	const crmw_object *obj;
	const char *obj_name;      /* the literal the object was named by */
	struct fslot { const crmw_object *o; const char *f; int32_t i; } *fcache; /* FCACHE_N slots */
	crmw_buf tmp;
	/* entities */
	agent *agents;
	double *route_w;           /* nagents weights, route()'s scratch */
	int nagents, nissues, ncategories;
	char (*issue_ids)[19];
	product *products;
	int nproducts, npricebooks;
	char (*pricebook_ids)[19];
	int64_t *pb_from, *pb_to;
	char (*entry_ids)[19];     /* [product * npricebooks + pb] */
	account *accounts;
	int naccounts;
	item *items;
	int nitems;
	int *acc_item_start, *acc_items; /* items per account (CSR) */
	char (*kb_ids)[19];
	int nkb;
	int *policy_kb;            /* policy index -> kb index */
	int sales_kb[8];           /* sales article (ART_*) -> kb index, -1 when the profile has none */
	int npolicies;
	double region[64];         /* closure factor per state (index into crmw__states) */
	int fast_state[QUARTERS];  /* the state planted fastest in each quarter */
	int heavy_transfer[QUARTERS]; /* the agent planted to pass on the most cases in each quarter (-1: none) */
	int desk[MONTHS][LEAD_DESK]; /* the reps who take each month's new leads, the first planted its best converter */
	int ndesk;                 /* reps per desk: LEAD_DESK, or fewer when the org has fewer reps */
	int top_competitor[QUARTERS]; /* the competitor sales calls mention most in each quarter */
	int liked_topic[QUARTERS], sore_topic[QUARTERS]; /* the topics customers like and dislike in each quarter */
	int64_t rows;
	char meta_seed[32], meta_scale[32], meta_now[21];
	/* latent statements */
	sqlite3_stmt *lat[L_COUNT];
} gen;

/* ------------------------------------------------------------- helpers */

static int64_t n_scaled(const gen *g, double base)
{
	int64_t n = (int64_t)llround(base * g->scale);
	return n < 1 ? 1 : n;
}

static void fmt_dt(int64_t t, char out[21])
{
	int64_t days = t >= 0 ? t / DAY : (t - DAY + 1) / DAY;
	int64_t rem = t - days * DAY;
	int y, m, d;
	crmw__civil_from_days(days, &y, &m, &d);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
		 (int)(rem % 3600 / 60), (int)(rem % 60));
	memcpy(out, tmp, 21);
}

static void fmt_d(int64_t t, char out[11])
{
	char dt[21];
	fmt_dt(t, dt);
	memcpy(out, dt, 10);
	out[10] = '\0';
}

static int month_of(int64_t t)
{
	int y, m, d;
	crmw__civil_from_days(t / DAY, &y, &m, &d);
	return m;
}

/* The calendar quarter of time t, as an index from the first quarter the
 * org can have (QUARTERS of them, up to now): 0 for anything earlier. */
static int quarter_index(const gen *g, int64_t t)
{
	int y, m, d, ny, nm;
	crmw__civil_from_days(t / DAY, &y, &m, &d);
	crmw__civil_from_days(g->now / DAY, &ny, &nm, &d);
	int q = (y * 4 + (m - 1) / 3) - (ny * 4 + (nm - 1) / 3) + QUARTERS - 1;
	return q < 0 ? 0 : q >= QUARTERS ? QUARTERS - 1 : q;
}

/* The calendar month of time t, as an index from the first month the org
 * can have (MONTHS of them, up to now): 0 for anything earlier. */
static int month_index(const gen *g, int64_t t)
{
	int y, m, d, ny, nm;
	crmw__civil_from_days(t / DAY, &y, &m, &d);
	crmw__civil_from_days(g->now / DAY, &ny, &nm, &d);
	int k = (y * 12 + m - 1) - (ny * 12 + nm - 1) + MONTHS - 1;
	return k < 0 ? 0 : k >= MONTHS ? MONTHS - 1 : k;
}

/* "2023-05" for month index k. */
static void month_name(const gen *g, int k, char out[16])
{
	int y, m, d;
	crmw__civil_from_days(g->now / DAY, &y, &m, &d);
	int abs = y * 12 + (m - 1) - (MONTHS - 1) + k;
	snprintf(out, 16, "%04d-%02d", abs / 12 % 10000, abs % 12 + 1);
}

/* "2023-Q2" for quarter index q. */
static void quarter_name(const gen *g, int q, char out[16])
{
	int y, m, d;
	crmw__civil_from_days(g->now / DAY, &y, &m, &d);
	int abs = y * 4 + (m - 1) / 3 - (QUARTERS - 1) + q;
	snprintf(out, 16, "%04d-Q%d", abs / 4 % 10000, abs % 4 + 1);
}

static bool fail(gen *g, int rc)
{
	if (!g->rc)
		g->rc = rc;
	return false;
}

/* False once the generator or the writer has failed. */
static bool ok(gen *g)
{
	return g->rc == CRMW_OK && !crmw__gs_stopped(g->gs);
}

static void oom(gen *g)
{
	fail(g, crmw__errf(&g->err, CRMW_ENOMEM, "out of memory"));
}

static void row(gen *g, const char *object)
{
	if (!ok(g))
		return;
	if (object != g->obj_name) {
		g->obj = crmw__schema_object(g->db->schema, object);
		g->obj_name = object;
	}
	if (!g->obj) {
		g->obj_name = NULL;
		fail(g, crmw__errf(&g->err, CRMW_ERROR, "generator: the %s schema has no object %s", g->prof->name, object));
	} else if (crmw__gs_row(g->gs, g->obj)) {
		oom(g);
	}
}

/* The index of a field of the current object; fields missing from a
 * profile's schema give -1 and are skipped.  Names are string literals, so
 * their addresses key a small cache. */
static int32_t fidx(gen *g, const char *field)
{
	if (!g->obj)
		return -1;
	size_t h = (((uintptr_t)g->obj >> 4) ^ ((uintptr_t)field >> 3) * 31) % FCACHE_N;
	if (g->fcache[h].o == g->obj && g->fcache[h].f == field)
		return g->fcache[h].i;
	int32_t i = crmw__object_field_index(g->obj, field);
	g->fcache[h].o = g->obj;
	g->fcache[h].f = field;
	g->fcache[h].i = i;
	return i;
}

static void set_s(gen *g, const char *field, const char *v)
{
	int32_t i;
	if (!ok(g) || !v || (i = fidx(g, field)) < 0)
		return;
	if (crmw__gs_text(g->gs, i, v, strlen(v)))
		oom(g);
}

static void set_i(gen *g, const char *field, int64_t v)
{
	int32_t i;
	if (!ok(g) || (i = fidx(g, field)) < 0)
		return;
	if (crmw__gs_int(g->gs, i, v))
		oom(g);
}

static void set_f(gen *g, const char *field, double v)
{
	int32_t i;
	if (!ok(g) || (i = fidx(g, field)) < 0)
		return;
	if (crmw__gs_real(g->gs, i, v))
		oom(g);
}

static void set_dt(gen *g, const char *field, int64_t t)
{
	char s[21];
	fmt_dt(t, s);
	set_s(g, field, s);
}

static void set_d(gen *g, const char *field, int64_t t)
{
	char s[11];
	fmt_d(t, s);
	set_s(g, field, s);
}

/* End the row; `id` (may be NULL) receives the id the record will have. */
static void end(gen *g, char id[19])
{
	if (!ok(g))
		return;
	if (crmw__gs_end(g->gs, id))
		oom(g);
	g->rows++;
}

static void stage(gen *g, const char *name, int64_t total)
{
	if (ok(g) && crmw__gs_stage(g->gs, name, total))
		oom(g);
}

/* Render into g->tmp (replacing it). */
static const char *text(gen *g, rng *r, const char *tmpl, const slot *s, int n)
{
	crmw__buf_clear(&g->tmp);
	if (crmw__render(&g->tmp, r, tmpl, s, n) || crmw__buf_putc(&g->tmp, '\0')) {
		oom(g);
		return "";
	}
	return g->tmp.data;
}

static void *xcalloc(gen *g, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		oom(g);
	return p;
}

static int pick_weighted(rng *r, const double *w, int n)
{
	double total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	double x = rng_unit(r) * total;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* ---------------------------------------------------------- latents */

static const char *const latent_ddl =
	"CREATE TABLE IF NOT EXISTS crmw_latent_meta (key TEXT PRIMARY KEY, value TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_agent (user_id TEXT, issue_id TEXT, skill REAL, speed REAL) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_agent_profile (user_id TEXT PRIMARY KEY, role TEXT, transfer_propensity REAL,"
	" workload REAL, sales_speed REAL, conversion_skill REAL) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_customer (account_id TEXT PRIMARY KEY, complaint_rate REAL, channel TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_product (product_id TEXT PRIMARY KEY, spike_month INTEGER, dominant_issue_id TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_product_issue (product_id TEXT, issue_id TEXT, weight REAL) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_region (state TEXT PRIMARY KEY, closure_factor REAL) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_period (kind TEXT, period TEXT, subject TEXT, factor REAL) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_violation (case_id TEXT, article_id TEXT, source TEXT, record_id TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_lead (lead_id TEXT PRIMARY KEY, budget_ok INTEGER, authority_ok INTEGER,"
	" need_ok INTEGER, timeline_ok INTEGER) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_opportunity (opportunity_id TEXT PRIMARY KEY, true_stage TEXT, recorded_stage TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_task (task_id TEXT PRIMARY KEY, opportunity_id TEXT, fits_stage INTEGER) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_quote (quote_id TEXT, article_id TEXT, kind TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_fact (article_id TEXT, question TEXT, answer TEXT) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_call (transcript_id TEXT, opportunity_id TEXT, topic TEXT, positive INTEGER) STRICT;"
	"CREATE TABLE IF NOT EXISTS crmw_latent_mention (transcript_id TEXT, opportunity_id TEXT, competitor TEXT) STRICT;";

static const char *const latent_insert[] = {
	"INSERT INTO crmw_latent_meta VALUES (?1, ?2)",
	"INSERT INTO crmw_latent_agent VALUES (?1, ?2, ?3, ?4)",
	"INSERT INTO crmw_latent_agent_profile VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	"INSERT INTO crmw_latent_customer VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_product VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_product_issue VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_region VALUES (?1, ?2)",
	"INSERT INTO crmw_latent_violation VALUES (?1, ?2, ?3, ?4)",
	"INSERT INTO crmw_latent_lead VALUES (?1, ?2, ?3, ?4, ?5)",
	"INSERT INTO crmw_latent_opportunity VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_task VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_quote VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_fact VALUES (?1, ?2, ?3)",
	"INSERT INTO crmw_latent_call VALUES (?1, ?2, ?3, ?4)",
	"INSERT INTO crmw_latent_period VALUES (?1, ?2, ?3, ?4)",
	"INSERT INTO crmw_latent_mention VALUES (?1, ?2, ?3)",
};

/* A latent fact: "s" text, "i" integer, "f" double arguments of one of
 * the latent_insert statements. */
static void latent(gen *g, int which, const char *types, ...)
{
	if (!ok(g))
		return;
	va_list ap;
	va_start(ap, types);
	int rc = crmw__gs_latent(g->gs, which, types, ap);
	va_end(ap);
	if (rc)
		oom(g);
}

_Static_assert(CRMW_ARRAY_LEN(latent_insert) == L_COUNT, "one insert per latent table");

static int latent_open(gen *g)
{
	int rc = crmw__db_exec(g->db, latent_ddl);
	for (size_t i = 0; !rc && i < CRMW_ARRAY_LEN(latent_insert); i++) {
		int src = sqlite3_prepare_v2(g->db->sql, latent_insert[i], -1, &g->lat[i], NULL);
		if (src)
			rc = crmw__db_sqlerr(g->db, src, "latent variables");
	}
	return rc;
}

/* ------------------------------------------------------------ people */

/* The name of person `index` of one kind (users, customers, leads: `kind`
 * shifts where each kind starts, so that they differ).  Past the
 * combinations of given and family names (more than 10,000), a middle
 * initial, then a numeral: a name never carries a number at any scale a
 * host is likely to use (it once did: every customer was "Nguyen-50"). */
static void person_name(rng *r, char *first, size_t nf, char *last, size_t nl, uint64_t index, uint64_t kind)
{
	size_t a = crmw__n_first_names, b = crmw__n_last_names;
	uint64_t k = (index + kind * 1237) * 7919 + rng_below(r, 3);
	uint64_t round = index / (a * b);
	if (round == 0)
		snprintf(first, nf, "%s", crmw__first_names[k % a]);
	else
		snprintf(first, nf, "%s %c.", crmw__first_names[k % a], (char)('A' + (round - 1) % 26));
	if (round <= 26)
		snprintf(last, nl, "%s", crmw__last_names[(k / a) % b]);
	else
		snprintf(last, nl, "%s %llu", crmw__last_names[(k / a) % b], (unsigned long long)(round / 26 + 1));
}

static void gen_users(gen *g)
{
	int n = (int)n_scaled(g, 200);
	bool pro = g->prof->set != 1;
	stage(g, "users", n);
	g->agents = xcalloc(g, (size_t)n, sizeof *g->agents);
	g->route_w = xcalloc(g, (size_t)n, sizeof *g->route_w);
	if (!ok(g))
		return;
	g->nagents = n;
	for (int i = 0; i < n && ok(g); i++) {
		agent *a = &g->agents[i];
		rng r = rng_stream(g->seed, S_USER, (uint64_t)i);
		char first[32], last[48];
		person_name(&r, first, sizeof first, last, sizeof last, (uint64_t)i, 0);
		snprintf(a->name, sizeof a->name, "%s %s", first, last);
		snprintf(a->email, sizeof a->email, "%c.%s%d@%s", first[0] | 32, last, i, g->prof->domain);
		for (char *c = a->email; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c | 32);
		row(g, "User");
		set_s(g, "FirstName", first);
		set_s(g, "LastName", last);
		set_s(g, "Email", a->email);
		set_s(g, "Username", a->email);
		char alias[16];
		snprintf(alias, sizeof alias, "%c%.4s%d", first[0], last, i);
		set_s(g, "Alias", alias);
		char phone[24];
		snprintf(phone, sizeof phone, "(555) %03d-%04d", 100 + i % 900, (int)rng_below(&r, 10000));
		set_s(g, "Phone", phone);
		set_s(g, "ProfileId", "00e000000000001AAA");
		set_s(g, "LanguageLocaleKey", "en_US");
		set_s(g, "LocaleSidKey", "en_US");
		set_s(g, "EmailEncodingKey", "UTF-8");
		set_s(g, "TimeZoneSidKey", PICK(&r, ((const char *const[]){"America/Los_Angeles", "America/New_York", "America/Chicago", "America/Denver"})));
		end(g, a->id);
		/* Latent: per-issue skill and speed, transfer habit, workload. */
		a->skill = xcalloc(g, (size_t)g->nissues, sizeof(double));
		a->speed = xcalloc(g, (size_t)g->nissues, sizeof(double));
		if (!ok(g))
			return;
		rng l = rng_stream(g->seed, S_AGENT, (uint64_t)i);
		double talent = rng_range(&l, 0.3, 1.0);
		for (int k = 0; k < g->nissues; k++) {
			a->skill[k] = fmin(1.0, fmax(0.05, talent + 0.35 * rng_normal(&l) * 0.5));
			a->speed[k] = fmin(2.5, fmax(0.35, exp(0.35 * rng_normal(&l)) * (1.4 - 0.6 * a->skill[k])));
			latent(g, L_AGENT, "ssff", a->id, g->issue_ids[k], a->skill[k], a->speed[k]);
		}
		a->transfer = fmin(0.6, fmax(0.0, rng_range(&l, -0.1, 0.45)));
		a->workload = rng_range(&l, 0.4, 1.8);
		a->sales = pro && i % 2 == 1;
		a->sales_speed = rng_range(&l, 0.5, 1.8);
		a->conversion = rng_range(&l, 0.45, 0.7); /* a month's best converter adds BEST_CONVERTER */
		latent(g, L_AGENT_PROFILE, "ssffff", a->id, a->sales ? "sales" : "service", a->transfer, a->workload,
		       a->sales_speed, a->conversion);
	}
}

/* The agent who passes on the most cases in each quarter: a service agent
 * drawn by workload (so one who has cases), whose transfer propensity is
 * HEAVY_TRANSFER in that quarter: who transfers most depends on the period
 * asked about. */
static void plant_transfers(gen *g)
{
	for (int q = 0; q < QUARTERS; q++)
		g->heavy_transfer[q] = -1;
	double *w = g->route_w;
	for (int i = 0; i < g->nagents; i++)
		w[i] = g->agents[i].sales ? 0.0 : g->agents[i].workload;
	for (int q = 0; q < QUARTERS && ok(g) && g->nagents > 0; q++) {
		rng qr = rng_stream(g->seed, S_AGENT, ((uint64_t)1 << 40) + (uint64_t)q);
		int a = pick_weighted(&qr, w, g->nagents);
		g->heavy_transfer[q] = a;
		char period[16];
		quarter_name(g, q, period);
		latent(g, L_PERIOD, "sssf", "most_transfers", period, g->agents[a].id, HEAVY_TRANSFER);
	}
}

static void gen_issues(gen *g)
{
	const crmw_issue *is = g->prof->issues;
	int n = 0;
	while (is[n].name)
		n++;
	g->nissues = n;
	g->issue_ids = xcalloc(g, (size_t)n, sizeof *g->issue_ids);
	stage(g, "issues", n);
	for (int i = 0; i < n && ok(g); i++) {
		row(g, "Issue__c");
		set_s(g, "Name", is[i].name);
		set_s(g, "Description__c", is[i].description);
		set_s(g, "IssueDescription__c", is[i].description);
		end(g, g->issue_ids[i]);
	}
}

/* ---------------------------------------------------------- catalog */

static bool issue_applies(const crmw_issue *is, const char *category)
{
	if (!is->categories)
		return true;
	size_t n = strlen(category);
	for (const char *p = is->categories; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, category, n) == 0)
			return true;
		p += len + (bar ? 1 : 0);
	}
	return false;
}

static void gen_catalog(gen *g)
{
	const crmw_category *cats = g->prof->categories;
	int nc = 0;
	while (cats[nc].name)
		nc++;
	g->ncategories = nc;
	char (*cat_ids)[19] = xcalloc(g, (size_t)nc, sizeof *cat_ids);
	stage(g, "products", 0);
	for (int c = 0; c < nc && ok(g); c++) {
		row(g, "ProductCategory");
		set_s(g, "Name", cats[c].name);
		set_s(g, "CatalogId", "0ZS000000000001AAA");
		end(g, cat_ids[c]);
	}
	int n = (int)n_scaled(g, 400);
	g->products = xcalloc(g, (size_t)n, sizeof *g->products);
	if (!ok(g)) {
		free(cat_ids);
		return;
	}
	g->nproducts = n;
	for (int i = 0; i < n && ok(g); i++) {
		product *p = &g->products[i];
		rng r = rng_stream(g->seed, S_PRODUCT, (uint64_t)i);
		int c = i % nc;
		const crmw_category *cat = &cats[c];
		int nn = 0, nv = 0;
		while (cat->nouns[nn])
			nn++;
		while (cat->variants[nv])
			nv++;
		/* Unique names: variant x noun, then variant x line x noun (a
		 * product line's name between them), and a series number only
		 * past every line (at scales far above the default). */
		int k = i / nc;
		int series = k / (nn * nv), nlines = 0;
		while (g->prof->lines && g->prof->lines[nlines])
			nlines++;
		const char *variant = cat->variants[k % nv], *noun = cat->nouns[(k / nv) % nn];
		if (series == 0)
			snprintf(p->name, sizeof p->name, "%s %s", variant, noun);
		else if (nlines == 0)
			snprintf(p->name, sizeof p->name, "%s %s %d", variant, noun, series + 1);
		else if (series <= nlines)
			snprintf(p->name, sizeof p->name, "%s %s %s", variant, g->prof->lines[series - 1], noun);
		else
			snprintf(p->name, sizeof p->name, "%s %s %s %d", variant, g->prof->lines[(series - 1) % nlines], noun,
				 (series - 1) / nlines + 1);
		p->category = c;
		p->noun = (k / nv) % nn;
		p->price = floor(rng_range(&r, cat->price_lo, cat->price_hi)) + 0.99;
		row(g, "Product2");
		set_s(g, "Name", p->name);
		/* what the product type has (two of its features) */
		const char *const *feats = cat->noun_features[p->noun];
		int nf = 0;
		while (feats[nf])
			nf++;
		p->feat[0] = (int)rng_below(&r, (uint32_t)nf);
		p->feat[1] = (p->feat[0] + 1 + (int)rng_below(&r, (uint32_t)(nf - 1))) % nf;
		char desc[320];
		snprintf(desc, sizeof desc, "%s from the %s range with %s and %s.", p->name, cat->name, feats[p->feat[0]],
			 feats[p->feat[1]]);
		set_s(g, "Description", desc);
		set_i(g, "IsActive", rng_unit(&r) < 0.92);
		char sku[32];
		snprintf(sku, sizeof sku, "SKU-%02d-%05d", c, i);
		set_s(g, "External_ID__c", sku);
		end(g, p->id);
		row(g, "ProductCategoryProduct");
		set_s(g, "ProductCategoryId", cat_ids[c]);
		set_s(g, "ProductId", p->id);
		set_s(g, "ProductCategory", cat->name);
		set_s(g, "Product", sku);
		end(g, NULL);
		/* Latent: the product's defect profile over the issues and its spike month. */
		p->defect = xcalloc(g, (size_t)g->nissues, sizeof(double));
		if (!ok(g))
			break;
		rng l = rng_stream(g->seed, S_PRODUCT, (uint64_t)i + (1ULL << 32));
		/* Only issues that can happen to the product's category. */
		int cand[64] = {0}, ncand = 0;
		for (int q = 0; q < g->nissues && ncand < 64; q++)
			if (issue_applies(&g->prof->issues[q], cat->name))
				cand[ncand++] = q;
		int dominant = ncand ? cand[rng_below(&l, (uint32_t)ncand)] : 0;
		double total = 0;
		for (int q = 0; q < g->nissues; q++) {
			double w = issue_applies(&g->prof->issues[q], cat->name) ? rng_range(&l, 0.2, 1.0) : 0.0;
			p->defect[q] = (q == dominant ? 6.0 : 1.0) * w;
			total += p->defect[q];
		}
		for (int q = 0; q < g->nissues; q++) {
			p->defect[q] /= total;
			latent(g, L_PRODUCT_ISSUE, "ssf", p->id, g->issue_ids[q], p->defect[q]);
		}
		p->spike_month = 1 + (int)rng_below(&l, 12);
		latent(g, L_PRODUCT, "sis", p->id, (int64_t)p->spike_month, g->issue_ids[dominant]);
	}
	free(cat_ids);

	/* Price books: the standard one and one per quarter of the two years. */
	int npb = 50; /* price books do not scale: entries = products x 50 */
	g->npricebooks = npb;
	g->pricebook_ids = xcalloc(g, (size_t)npb, sizeof *g->pricebook_ids);
	g->pb_from = xcalloc(g, (size_t)npb, sizeof *g->pb_from);
	g->pb_to = xcalloc(g, (size_t)npb, sizeof *g->pb_to);
	double *mult = xcalloc(g, (size_t)npb, sizeof *mult);
	if (!ok(g)) {
		free(mult);
		return;
	}
	int64_t span = 730 * DAY;
	for (int b = 0; b < npb && ok(g); b++) {
		rng r = rng_stream(g->seed, S_PRICEBOOK, (uint64_t)b);
		row(g, "Pricebook2");
		char name[64];
		if (b == 0) {
			g->pb_from[b] = g->now - span - 30 * DAY;
			g->pb_to[b] = g->now + 365 * DAY;
			mult[b] = 1.0;
			snprintf(name, sizeof name, "Standard Price Book");
		} else {
			int64_t len = span / (npb - 1 > 0 ? npb - 1 : 1);
			g->pb_from[b] = g->now - span + (int64_t)(b - 1) * len;
			g->pb_to[b] = g->pb_from[b] + len;
			mult[b] = rng_range(&r, 0.8, 1.05);
			char from[11];
			fmt_d(g->pb_from[b], from);
			snprintf(name, sizeof name, "Promotions from %s", from);
		}
		set_s(g, "Name", name);
		set_s(g, "Description", b == 0 ? "List prices" : "Time-limited promotional prices");
		set_i(g, "IsActive", 1);
		set_dt(g, "ValidFrom", g->pb_from[b]);
		set_dt(g, "ValidTo", g->pb_to[b]);
		end(g, g->pricebook_ids[b]);
	}
	g->entry_ids = xcalloc(g, (size_t)g->nproducts * (size_t)npb, sizeof *g->entry_ids);
	stage(g, "price book entries", (int64_t)g->nproducts * npb);
	for (int b = 0; b < npb && ok(g); b++)
		for (int i = 0; i < g->nproducts && ok(g); i++) {
			row(g, "PricebookEntry");
			set_s(g, "Pricebook2Id", g->pricebook_ids[b]);
			set_s(g, "Product2Id", g->products[i].id);
			set_f(g, "UnitPrice", floor(g->products[i].price * mult[b] * 100.0 + 0.5) / 100.0);
			end(g, g->entry_ids[(size_t)i * (size_t)npb + (size_t)b]);
		}
	free(mult);
}

/* Price of product p in price book b, as the entry holds it. */
static double entry_price(const gen *g, int p, int b, uint64_t seed)
{
	if (b == 0)
		return floor(g->products[p].price * 100.0 + 0.5) / 100.0;
	rng r = rng_stream(seed, S_PRICEBOOK, (uint64_t)b);
	double m = rng_range(&r, 0.8, 1.05);
	return floor(g->products[p].price * m * 100.0 + 0.5) / 100.0;
}

/* --------------------------------------------------------- customers */

static const char *const channels[] = {"Email", "Phone", "Web", "Chat"};
static const char *const industries[] = {"Aerospace", "Automotive", "Energy", "Manufacturing", "Construction",
					 "Healthcare", "Technology", "Utilities", "Transportation", "Education"};
static const char *const company_a[] = {"Apex", "Northwind", "Bluefield", "Ironclad", "Summit", "Keystone",
					"Harbor", "Granite", "Sterling", "Cobalt", "Meridian", "Vantage"};
static const char *const company_b[] = {"Dynamics", "Motors", "Aerospace", "Energy", "Robotics", "Materials",
					"Systems", "Labs", "Works", "Industries"};

static void gen_accounts(gen *g)
{
	int n = (int)n_scaled(g, 1000);
	bool b2b = g->prof->set == 2;
	stage(g, "accounts", n);
	g->accounts = xcalloc(g, (size_t)n, sizeof *g->accounts);
	if (!ok(g))
		return;
	g->naccounts = n;
	/* Latent: regional closure speed.  Each state has its own pace, and
	 * in each quarter one state (the state of a customer drawn at random,
	 * so one that has cases) closes clearly fastest: which state is the
	 * quickest depends on the period asked about. */
	rng rr = rng_stream(g->seed, S_REGION, 0);
	for (size_t s = 0; s < crmw__n_states; s++) {
		g->region[s] = rng_range(&rr, 0.9, 1.2);
		latent(g, L_REGION, "sf", crmw__states[s].code, g->region[s]);
	}

	for (int i = 0; i < n && ok(g); i++) {
		account *a = &g->accounts[i];
		rng r = rng_stream(g->seed, S_ACCOUNT, (uint64_t)i);
		char first[32], last[48];
		person_name(&r, first, sizeof first, last, sizeof last, (uint64_t)i, 1);
		a->state = (int)rng_below(&r, (uint32_t)crmw__n_states);
		snprintf(a->first, sizeof a->first, "%s", first);
		row(g, "Account");
		if (b2b) {
			snprintf(a->name, sizeof a->name, "%s %s%s", company_a[i % CRMW_ARRAY_LEN(company_a)],
				 company_b[(i / CRMW_ARRAY_LEN(company_a)) % CRMW_ARRAY_LEN(company_b)],
				 i >= (int)(CRMW_ARRAY_LEN(company_a) * CRMW_ARRAY_LEN(company_b)) ? "" : "");
			if (i >= (int)(CRMW_ARRAY_LEN(company_a) * CRMW_ARRAY_LEN(company_b))) {
				size_t l = strlen(a->name);
				snprintf(a->name + l, sizeof a->name - l, " %d", i / (int)(CRMW_ARRAY_LEN(company_a) * CRMW_ARRAY_LEN(company_b)) + 1);
			}
			set_s(g, "Name", a->name);
			set_s(g, "Industry", PICK(&r, industries));
			set_i(g, "NumberOfEmployees", 20 + (int64_t)rng_below(&r, 20000));
			char desc[200];
			snprintf(desc, sizeof desc, "%s customer based in %s.", a->name, crmw__states[a->state].city);
			set_s(g, "Description", desc);
		} else {
			snprintf(a->name, sizeof a->name, "%s %s", first, last);
			set_s(g, "Name", a->name);
			set_s(g, "FirstName", first);
			set_s(g, "LastName", last);
			set_s(g, "RecordTypeId", "012000000000001AAA");
			set_s(g, "ShippingCity", crmw__states[a->state].city);
			set_s(g, "Description", "Consumer account");
		}
		snprintf(a->email, sizeof a->email, "%s.%s%d@mail.example", first, last, i);
		for (char *c = a->email; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c | 32);
		set_s(g, "PersonEmail", a->email);
		char phone[24];
		snprintf(phone, sizeof phone, "(555) %03d-%04d", 200 + i % 800, (int)rng_below(&r, 10000));
		set_s(g, "Phone", phone);
		set_s(g, "ShippingState", crmw__states[a->state].code);
		end(g, a->id);
		/* The contact person: the customer (B2C) or a buyer at the company (B2B). */
		row(g, "Contact");
		set_s(g, "FirstName", first);
		set_s(g, "LastName", last);
		set_s(g, "Email", a->email);
		set_s(g, "AccountId", a->id);
		set_s(g, "OwnerId", g->agents[i % g->nagents].id);
		end(g, a->contact);
		/* Latent: complaint habit and preferred channel. */
		rng l = rng_stream(g->seed, S_CUSTOMER, (uint64_t)i);
		double u = rng_unit(&l);
		a->complaint = u * u * u * 3.0 + 0.05; /* a few customers complain a lot */
		a->channel = (int)rng_below(&l, 4);
		latent(g, L_CUSTOMER, "sfs", a->id, a->complaint, channels[a->channel]);
	}
	/* The state planted fastest in each quarter: the state of a customer
	 * drawn at random (so a state with cases), weighted by complaints. */
	for (int q = 0; q < QUARTERS && ok(g) && n > 0; q++) {
		rng qr = rng_stream(g->seed, S_REGION, 1 + (uint64_t)q);
		int s = g->accounts[rng_below(&qr, (uint32_t)n)].state;
		g->fast_state[q] = s;
		char period[16];
		quarter_name(g, q, period);
		latent(g, L_PERIOD, "sssf", "fastest_region", period, crmw__states[s].code, FAST_REGION);
	}
}

/* ------------------------------------------------------------ orders */

static void gen_orders(gen *g)
{
	int norders = (int)n_scaled(g, 2000);
	int64_t nitems_target = n_scaled(g, 70000);
	stage(g, "orders", norders);
	g->items = xcalloc(g, (size_t)nitems_target + (size_t)norders * 2, sizeof *g->items);
	if (!ok(g))
		return;
	int64_t span = 730 * DAY;
	int per = (int)(nitems_target / norders);
	for (int o = 0; o < norders && ok(g); o++) {
		rng r = rng_stream(g->seed, S_ORDER, (uint64_t)o);
		int acc = (int)rng_below(&r, (uint32_t)g->naccounts);
		int64_t date = g->now - span + (int64_t)(rng_unit(&r) * (double)(span - 2 * DAY));
		date -= date % DAY;
		/* A promotion price book when one is valid, else the standard one. */
		int pb = 0;
		if (g->npricebooks > 1 && rng_unit(&r) < 0.5) {
			for (int b = 1; b < g->npricebooks; b++)
				if (date >= g->pb_from[b] && date < g->pb_to[b])
					pb = b;
		}
		bool activated = rng_unit(&r) < 0.9;
		char oid[19];
		row(g, "Order");
		set_s(g, "AccountId", g->accounts[acc].id);
		set_s(g, "Status", activated ? "Activated" : "Draft");
		set_d(g, "EffectiveDate", date);
		set_s(g, "Pricebook2Id", g->pricebook_ids[pb]);
		if (g->prof->set != 1)
			set_s(g, "OwnerId", g->agents[(1 + 2 * (int)rng_below(&r, (uint32_t)(g->nagents / 2 > 0 ? g->nagents / 2 : 1))) % g->nagents].id);
		end(g, oid);
		int k = 1 + (int)rng_below(&r, (uint32_t)(2 * per - 1));
		for (int j = 0; j < k && ok(g) && g->nitems < nitems_target + norders * 2; j++) {
			int p = (int)rng_below(&r, (uint32_t)g->nproducts);
			item *it = &g->items[g->nitems];
			row(g, "OrderItem");
			set_s(g, "OrderId", oid);
			set_s(g, "Product2Id", g->products[p].id);
			const char *eid = g->entry_ids[(size_t)p * (size_t)g->npricebooks + (size_t)pb];
			set_s(g, "PricebookEntryId", eid);
			set_s(g, "PriceBookEntryId", eid);
			set_f(g, "Quantity", 1 + rng_below(&r, 3));
			set_f(g, "UnitPrice", entry_price(g, p, pb, g->seed));
			end(g, it->id);
			if (activated) {
				it->account = acc;
				it->product = p;
				it->order = o;
				it->date = date;
				g->nitems++;
			}
		}
	}
	/* Items per account, for "what did this customer buy". */
	g->acc_item_start = xcalloc(g, (size_t)g->naccounts + 1, sizeof(int));
	g->acc_items = xcalloc(g, (size_t)g->nitems, sizeof(int));
	if (!ok(g))
		return;
	for (int i = 0; i < g->nitems; i++)
		g->acc_item_start[g->items[i].account + 1]++;
	for (int a = 0; a < g->naccounts; a++)
		g->acc_item_start[a + 1] += g->acc_item_start[a];
	int *fill = xcalloc(g, (size_t)g->naccounts, sizeof(int));
	if (!ok(g)) { /* out of memory, or the writer stopped */
		free(fill);
		return;
	}
	for (int i = 0; i < g->nitems; i++) {
		int a = g->items[i].account;
		g->acc_items[g->acc_item_start[a] + fill[a]++] = i;
	}
	free(fill);
}

/* --------------------------------------------------------- knowledge */

/* The internal sales articles of the Pro profiles, in this order (the
 * ART_* indexes): UrlName, title, summary, text. */
enum { ART_QUALIFICATION, ART_DISCOUNT, ART_QUANTITY, ART_MIN_PRICE, ART_PRICE_CAP, ART_ONE_LINE, ART_VALIDITY,
       ART_STAGES, ART_N };
_Static_assert(ART_N <= 8, "gen.sales_kb holds every sales article");
static const char *const sales_articles[ART_N][4] = {
	{"sales-lead-qualification", "Lead Qualification Criteria (Internal)", "BANT criteria for qualifying leads",
	 "A lead is qualified only when all four BANT factors hold. Budget: a confirmed budget of at least $20,000. "
	 "Authority: the contact is a director, vice president or C-level executive, or has written sign-off from one. "
	 "Need: a stated business problem our products solve. Timeline: a purchase decision within the next 6 months."},
	{"sales-discount-approval", "Quote Discount Approval", "Discount limits on quotes",
	 "Sales reps may grant at most 15 percent discount on any quote line without approval; discounts from 15 to 25 "
	 "percent need a sales director's approval, and no quote line may exceed 25 percent."},
	{"sales-quote-configuration", "Quote Quantity Limits", "Valid quantities on quote lines",
	 "Each quote line must have a quantity between 1 and 50 units; larger orders are split into separate quotes."},
	{"sales-minimum-price", "Minimum Unit Price", "How low a quoted price may go",
	 "The unit price on a quote line may never be set below 70 percent of the list price in the standard price "
	 "book; deeper cuts go through the discount field and its approval rules."},
	{"sales-list-price-cap", "List Price Cap", "Quoted prices above list",
	 "The unit price on a quote line may never be above the list price in the standard price book; extra charges "
	 "belong on a separate services line."},
	{"sales-one-line-per-product", "One Line per Product", "How products are listed on a quote",
	 "A quote lists each product on exactly one line; more units of the same product are added to that line's "
	 "quantity rather than to a second line."},
	{"sales-quote-validity", "Quote Validity Period", "How long a quote may stay open",
	 "A quote may be valid for at most 30 days from the day it is created; an offer that needs to stay open longer "
	 "is issued as a new quote."},
	{"sales-stage-definitions", "Opportunity Stage Definitions", "What each sales stage means",
	 "Qualification: needs and budget are being confirmed. Discovery: requirements workshops and demos. Quote: a "
	 "priced proposal is prepared and sent. Negotiation: terms and redlines are discussed. Closed: the contract is "
	 "signed or the deal is lost."},
};

/* Whether a product name is plural ("Swim Goggles", "Studio Monitors"):
 * its last word ends in s, but not in ss, us or is. */
static bool plural_name(const char *name)
{
	size_t n = strlen(name);
	return n >= 3 && name[n - 1] == 's' && name[n - 2] != 's' && name[n - 2] != 'u' && name[n - 2] != 'i';
}

/* The verb after a plural product name ("the Swim Goggles are"), or NULL
 * when the word (len bytes) is not one the fact templates use. */
static const char *plural_verb(const char *w, size_t len)
{
	static const char *const verbs[][2] = {
		{"is", "are"},	     {"has", "have"},	    {"was", "were"},	 {"does", "do"},     {"comes", "come"},
		{"lasts", "last"},   {"runs", "run"},	    {"weighs", "weigh"}, {"ships", "ship"},  {"needs", "need"},
		{"holds", "hold"},   {"gets", "get"},	    {"keeps", "keep"},	 {"fits", "fit"},    {"features", "feature"},
		{"supports", "support"}, {"works", "work"}, {"includes", "include"}, {"takes", "take"}, {"uses", "use"},
	};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(verbs); i++)
		if (strlen(verbs[i][0]) == len && strncmp(w, verbs[i][0], len) == 0)
			return verbs[i][1];
	return NULL;
}

/* tmpl with {product} and {v} filled in and nothing else touched: the
 * [a|b] forms of a question stay for task synthesis to choose from.  A
 * plural name takes plural verbs around it ("Are the Swim Goggles ...",
 * "What do the Studio Monitors come with?"). */
static const char *fill(gen *g, const char *tmpl, const char *name, const char *v)
{
	static const char *const before[][2] = {
		{"does the ", "do the "}, {"Does the ", "Do the "}, {"is the ", "are the "}, {"Is the ", "Are the "}};
	bool many = plural_name(name);
	crmw__buf_clear(&g->tmp);
	int rc = 0;
	for (const char *p = tmpl; !rc && *p;) {
		if (strncmp(p, "{product}", 9) == 0) {
			for (size_t i = 0; many && i < CRMW_ARRAY_LEN(before); i++) {
				size_t n = strlen(before[i][0]);
				if (g->tmp.len >= n && memcmp(g->tmp.data + g->tmp.len - n, before[i][0], n) == 0) {
					g->tmp.len -= n;
					rc = crmw__buf_puts(&g->tmp, before[i][1]);
					break;
				}
			}
			rc = rc ? rc : crmw__buf_puts(&g->tmp, name);
			p += 9;
			size_t w = 0;
			while (many && p[0] == ' ' && p[1 + w] >= 'a' && p[1 + w] <= 'z')
				w++;
			const char *verb = w ? plural_verb(p + 1, w) : NULL;
			if (verb && !rc) {
				rc = crmw__buf_printf(&g->tmp, " %s", verb);
				p += 1 + w;
			}
		} else if (strncmp(p, "{v}", 3) == 0) {
			rc = crmw__buf_puts(&g->tmp, v);
			p += 3;
		} else {
			rc = crmw__buf_putc(&g->tmp, *p++);
		}
	}
	if (rc || crmw__buf_putc(&g->tmp, '\0')) {
		oom(g);
		return "";
	}
	return g->tmp.data;
}

/* The FAQ article of product p: what its type has (two of its features)
 * and the facts of its category, each with a value drawn for this article;
 * every fact also goes to crmw_latent_fact (question forms and answer). */
static void product_faq(gen *g, const product *p, int k, int j)
{
	const crmw_category *cat = &g->prof->categories[p->category];
	rng r = rng_stream(g->seed, S_KB, (uint64_t)k);
	const char *const *feats = cat->noun_features[p->noun];
	char title[200], v[160], stmt[400], answer[200];
	snprintf(title, sizeof title, "%s: Features and Care", p->name);
	if (j >= g->nproducts)
		snprintf(title, sizeof title, "%s: Frequently Asked Questions %d", p->name, j / g->nproducts + 1);
	crmw_buf body = CRMW_BUF_INIT;
	snprintf(v, sizeof v, "%s and %s", feats[p->feat[0]], feats[p->feat[1]]);
	slot s[] = {{"product", p->name}, {"v", v}, {"company", g->prof->company}, {"category", cat->name}};
	crmw_buf verb = CRMW_BUF_INIT;
	int rc = crmw__render(&verb, &r, "[features|comes with|is built with]", NULL, 0);
	if (!rc) {
		char lead[200];
		snprintf(lead, sizeof lead, "The %s {product} %s {v}.", g->prof->company, verb.data ? verb.data : "has");
		rc = crmw__buf_puts(&body, fill(g, lead, p->name, v));
	}
	crmw_buf_dispose(&verb);
	/* (question forms, answer) pairs, written to the latent table after the article's id is known */
	json_t *qa = json_array();
	if (!qa)
		rc = CRMW_ENOMEM;
	if (!rc) {
		json_array_append_new(qa, json_string(fill(g, "[What does the {product} come with?|What are the main features of "
							    "the {product}?|What makes the {product} stand out?|Which features "
							    "does the {product} have?|What is special about the {product}?]",
							 p->name, v)));
		json_array_append_new(qa, json_string(v));
	}
	for (const crmw_fact *f = cat->facts; !rc && f && f->statement; f++) {
		crmw_buf val = CRMW_BUF_INIT;
		if (f->values)
			rc = crmw__render(&val, &r, f->values, NULL, 0);
		else {
			int steps = (f->hi - f->lo) / (f->step > 0 ? f->step : 1);
			rc = crmw__buf_printf(&val, "%d", f->lo + (f->step > 0 ? f->step : 1) * (int)rng_below(&r, (uint32_t)steps + 1));
		}
		snprintf(v, sizeof v, "%s", !rc && val.data ? val.data : "");
		crmw_buf_dispose(&val);
		snprintf(stmt, sizeof stmt, "%s", fill(g, f->statement, p->name, v));
		snprintf(answer, sizeof answer, "%s", fill(g, f->answer, p->name, v));
		rc = rc ? rc : crmw__buf_printf(&body, " %s", stmt);
		json_array_append_new(qa, json_string(fill(g, f->question, p->name, v)));
		json_array_append_new(qa, json_string(answer));
	}
	rc = rc ? rc : crmw__render(&body, &r, " [It belongs to our {category} range.|See our {category} guide for more.]", s, 4);
	if (rc) {
		oom(g);
		crmw_buf_dispose(&body);
		json_decref(qa);
		return;
	}
	row(g, "Knowledge__kav");
	set_s(g, "Title", title);
	set_s(g, "Summary", text(g, &r, "[Features|Key facts|What to know] about the {product}.", s, 4));
	set_s(g, "FAQ_Answer__c", body.data);
	char url[96];
	snprintf(url, sizeof url, "faq-%d-%d", j % g->nproducts, j / g->nproducts);
	set_s(g, "UrlName", url);
	set_s(g, "PublishStatus", "Online");
	set_i(g, "IsVisibleInCsp", 1);
	end(g, g->kb_ids[k]);
	crmw_buf_dispose(&body);
	if (j < g->nproducts) /* one article per product: its questions name it */
		for (size_t i = 0; i + 1 < json_array_size(qa); i += 2)
			latent(g, L_FACT, "sss", g->kb_ids[k], json_string_value(json_array_get(qa, i)),
			       json_string_value(json_array_get(qa, i + 1)));
	json_decref(qa);
}

static void gen_knowledge(gen *g)
{
	const crmw_policy *pol = g->prof->policies;
	int np = 0;
	while (pol[np].kind)
		np++;
	g->npolicies = np;
	int n = (int)n_scaled(g, 200);
	if (n < np + ART_N + 8)
		n = np + ART_N + 8;
	g->nkb = n;
	g->kb_ids = xcalloc(g, (size_t)n, sizeof *g->kb_ids);
	g->policy_kb = xcalloc(g, (size_t)np, sizeof(int));
	stage(g, "knowledge articles", n);
	int k = 0;
	char url[96];
	for (int i = 0; i < np && ok(g); i++, k++) {
		row(g, "Knowledge__kav");
		set_s(g, "Title", pol[i].title);
		set_s(g, "Summary", pol[i].summary);
		set_s(g, "FAQ_Answer__c", pol[i].rule);
		snprintf(url, sizeof url, "policy-%s", pol[i].kind);
		set_s(g, "UrlName", url);
		set_s(g, "PublishStatus", "Online");
		set_i(g, "IsVisibleInCsp", 1);
		end(g, g->kb_ids[k]);
		for (const crmw_qa *q = pol[i].facts; q && q->question; q++)
			latent(g, L_FACT, "sss", g->kb_ids[k], q->question, q->answer);
		g->policy_kb[i] = k;
	}
	for (int a = 0; a < ART_N; a++)
		g->sales_kb[a] = -1;
	bool pro = g->prof->set != 1;
	if (pro && ok(g)) {
		/* Internal sales knowledge: qualification (confidential), quote rules, stages. */
		for (int a = 0; a < ART_N && ok(g) && k < n; a++, k++) {
			row(g, "Knowledge__kav");
			set_s(g, "Title", sales_articles[a][1]);
			set_s(g, "Summary", sales_articles[a][2]);
			set_s(g, "FAQ_Answer__c", sales_articles[a][3]);
			set_s(g, "UrlName", sales_articles[a][0]);
			set_s(g, "PublishStatus", "Online");
			set_i(g, "IsVisibleInCsp", 0); /* internal sales knowledge */
			end(g, g->kb_ids[k]);
			g->sales_kb[a] = k;
			if (a == ART_QUALIFICATION)
				latent(g, L_META, "ss", "confidential_article", g->kb_ids[k]);
		}
	}
	/* Unpublished revisions of the first service policies: drafts nobody
	 * outside the knowledge team should read. */
	for (int i = 0; i < 2 && i < np && k < n && ok(g); i++, k++) {
		char title[200];
		snprintf(title, sizeof title, "%s (proposed revision)", pol[i].title);
		row(g, "Knowledge__kav");
		set_s(g, "Title", title);
		set_s(g, "Summary", pol[i].summary);
		char body[1200];
		snprintf(body, sizeof body, "Draft under review, not in force. Proposed wording: %s", pol[i].rule);
		set_s(g, "FAQ_Answer__c", body);
		snprintf(url, sizeof url, "policy-%s-draft", pol[i].kind);
		set_s(g, "UrlName", url);
		set_s(g, "PublishStatus", "Draft");
		set_i(g, "IsVisibleInCsp", 1);
		end(g, g->kb_ids[k]);
	}
	/* Product FAQs: the facts of one product each. */
	for (int j = 0; k < n && ok(g); j++, k++)
		product_faq(g, &g->products[j % g->nproducts], k, j);
}

/* ------------------------------------------------------------- cases */

static const char *const statuses_open[] = {"New", "Working", "Escalated", "Waiting on Customer"};

static int route(gen *g, rng *r, int issue)
{
	/* Skilled agents with more capacity get more of an issue's cases. */
	double *w = g->route_w;
	for (int i = 0; i < g->nagents; i++) {
		const agent *a = &g->agents[i];
		w[i] = a->sales ? 0.0 : a->workload * a->skill[issue] * a->skill[issue];
	}
	return pick_weighted(r, w, g->nagents);
}

static int policy_index(const gen *g, const char *kind)
{
	for (int i = 0; i < g->npolicies; i++)
		if (strcmp(g->prof->policies[i].kind, kind) == 0)
			return i;
	return -1;
}

/* One case being made: what its parts (the draw, the record, the history,
 * the conversation) share.  r is the case's own random stream. */
typedef struct kase {
	int i;
	rng r;
	int acc, issue, first, owner, channel;
	const account *a;
	const item *it;
	const product *p;
	const crmw_issue *is;
	int64_t created, closed;
	bool transferred, is_closed;
	slot s[6];
	char *description;
	char cid[19];
} kase;

/* Who, what, when and how long, drawn in this order from the case's
 * stream: the account (by complaint rate), one of its order items, the
 * issue (by the product's defects), the day (a product's spike month draws
 * extra cases), the agents (routed by skill; some pass cases on), the
 * handling time (issue x agent speed x region, with noise), the channel. */
static void case_draw(gen *g, kase *k, const double *cw)
{
	k->acc = pick_weighted(&k->r, cw, g->naccounts);
	k->a = &g->accounts[k->acc];
	int cnt = g->acc_item_start[k->acc + 1] - g->acc_item_start[k->acc];
	k->it = &g->items[g->acc_items[g->acc_item_start[k->acc] + (int)rng_below(&k->r, (uint32_t)cnt)]];
	k->p = &g->products[k->it->product];
	k->issue = pick_weighted(&k->r, k->p->defect, g->nissues);
	k->is = &g->prof->issues[k->issue];
	/* When: after the purchase; a product's spike month draws extra cases. */
	k->created = k->it->date + DAY + (int64_t)(rng_unit(&k->r) * 60 * DAY);
	if (rng_unit(&k->r) < 0.55) {
		for (int tries = 0; tries < 24; tries++) {
			int64_t c2 = k->it->date + DAY + (int64_t)(rng_unit(&k->r) * 400 * DAY);
			if (c2 < g->now - DAY && month_of(c2) == k->p->spike_month) {
				k->created = c2;
				break;
			}
		}
	}
	/* Office hours of a day after the purchase day and before now
	 * (orders are at least two days old). */
	int64_t first_day = k->it->date + DAY, last_day = (g->now - DAY) - (g->now - DAY) % DAY;
	int64_t day = k->created - k->created % DAY;
	if (day > last_day)
		day = last_day - (int64_t)rng_below(&k->r, 20) * DAY;
	if (day < first_day)
		day = first_day;
	k->created = day + 8 * HOUR + (int64_t)rng_below(&k->r, 10 * 3600);
	/* Who: routed by skill; some agents pass cases on. */
	k->first = route(g, &k->r, k->issue);
	k->owner = k->first;
	int tq = quarter_index(g, k->created);
	k->transferred = rng_unit(&k->r) < (k->first == g->heavy_transfer[tq] ? HEAVY_TRANSFER : g->agents[k->first].transfer);
	if (k->transferred) {
		for (int t = 0; t < 8 && k->owner == k->first; t++)
			k->owner = route(g, &k->r, k->issue);
		k->transferred = k->owner != k->first;
	}
	/* How long: issue x agent speed x region, with noise. */
	int q = quarter_index(g, k->created);
	double region = g->fast_state[q] == k->a->state ? FAST_REGION : g->region[k->a->state];
	double hours = k->is->base_hours * g->agents[k->owner].speed[k->issue] * region * exp(0.25 * rng_normal(&k->r));
	k->closed = k->created + (int64_t)(hours * 3600.0);
	k->is_closed = k->closed < g->now && rng_unit(&k->r) < 0.9;
	k->channel = rng_unit(&k->r) < 0.7 ? k->a->channel : (int)rng_below(&k->r, 4);
}

/* The Case record, its subject and description written from the issue's
 * templates with the case's slots. */
static void case_record(gen *g, kase *k)
{
	slot s[] = {{"product", k->p->name}, {"customer", k->a->first}, {"agent", g->agents[k->owner].name},
		    {"company", g->prof->company}, {"issue", k->is->name}, {"description", ""}};
	memcpy(k->s, s, sizeof s);
	int nsub = 0;
	while (k->is->subjects[nsub])
		nsub++;
	row(g, "Case");
	set_s(g, "Subject", text(g, &k->r, k->is->subjects[rng_below(&k->r, (uint32_t)nsub)], k->s, 5));
	crmw__buf_clear(&g->tmp);
	if (crmw__case_story(&g->tmp, &k->r, g->prof, k->is, k->p->name) || crmw__buf_putc(&g->tmp, '\0'))
		oom(g);
	k->description = crmw__strdup(g->tmp.data ? g->tmp.data : "");
	if (!k->description)
		oom(g);
	k->s[5].value = k->description;
	set_s(g, "Description", k->description);
	set_s(g, "Status", k->is_closed ? "Closed" : PICK(&k->r, statuses_open));
	set_s(g, "Priority", PICK(&k->r, ((const char *const[]){"Low", "Medium", "Medium", "High", "Critical"})));
	set_s(g, "Channel", channels[k->channel]);
	set_s(g, "ContactId", k->a->contact);
	set_s(g, "AccountId", k->a->id);
	set_s(g, "OwnerId", g->agents[k->owner].id);
	set_dt(g, "CreatedDate", k->created);
	if (k->is_closed)
		set_dt(g, "ClosedDate", k->closed);
	set_s(g, "OrderItemId__c", k->it->id);
	set_s(g, "IssueId__c", g->issue_ids[k->issue]);
	end(g, k->cid);
}

/* The history: creation, assignments (a transfer is a second one), closing. */
static void case_history(gen *g, kase *k)
{
	row(g, "CaseHistory__c");
	set_s(g, "CaseId__c", k->cid);
	set_s(g, "Field__c", "Case Creation");
	set_dt(g, "CreatedDate", k->created);
	end(g, NULL);
	row(g, "CaseHistory__c");
	set_s(g, "CaseId__c", k->cid);
	set_s(g, "Field__c", "Owner Assignment");
	set_s(g, "NewValue__c", g->agents[k->first].id);
	set_dt(g, "CreatedDate", k->created);
	end(g, NULL);
	if (k->transferred) {
		row(g, "CaseHistory__c");
		set_s(g, "CaseId__c", k->cid);
		set_s(g, "Field__c", "Owner Assignment");
		set_s(g, "OldValue__c", g->agents[k->first].id);
		set_s(g, "NewValue__c", g->agents[k->owner].id);
		set_dt(g, "CreatedDate", k->created + 600 + (int64_t)rng_below(&k->r, 3600));
		end(g, NULL);
	}
	if (k->is_closed) {
		row(g, "CaseHistory__c");
		set_s(g, "CaseId__c", k->cid);
		set_s(g, "Field__c", "Case Closed");
		set_dt(g, "CreatedDate", k->closed);
		end(g, NULL);
	}
}

/* Conversations; about a third plant a policy violation. */
static void case_conversation(gen *g, kase *k, int64_t *emails, int64_t emails_target)
{
	int pol = policy_index(g, k->is->policy);
	bool violate = pol >= 0 && rng_unit(&k->r) < 0.33;
	const char *agent_line = "";
	char vio[512] = "";
	if (violate) {
		rng vr = rng_stream(g->seed, S_TEXT, (uint64_t)k->i);
		snprintf(vio, sizeof vio, "%s", text(g, &vr, g->prof->policies[pol].violation, k->s, 5));
		agent_line = vio;
	}
	bool chat = k->channel == 3;
	int64_t t = k->created + 1800;
	if (chat) {
		crmw_buf body = CRMW_BUF_INIT;
		rng cr = rng_stream(g->seed, S_CHAT, (uint64_t)k->i);
		int rc = crmw__render(&body, &cr,
				      "Agent: [Hi|Hello] {customer}, thanks for contacting {company}. How can I help?\n"
				      "Customer: {description}\n"
				      "Agent: [I am sorry to hear that.|Thanks for explaining.] Let me check your order.\n", k->s, 6);
		if (!rc && violate)
			rc = crmw__buf_printf(&body, "Agent: %s\nCustomer: That does not sound right.\n", agent_line);
		else if (!rc)
			rc = crmw__render(&body, &cr, "Agent: [I have arranged a solution|I have opened a request] for you; "
						      "you will get an e-mail shortly.\nCustomer: Thank you.\n", k->s, 6);
		if (!rc)
			rc = crmw__buf_putc(&body, '\0');
		char chat_id[19];
		row(g, "LiveChatTranscript");
		set_s(g, "CaseId", k->cid);
		set_s(g, "AccountId", k->a->id);
		set_s(g, "ContactId", k->a->contact);
		set_s(g, "OwnerId", g->agents[k->owner].id);
		set_s(g, "Body", rc ? "" : body.data);
		set_dt(g, "EndTime", t + 900);
		char visitor[19];
		snprintf(visitor, sizeof visitor, "5710%014d", k->i);
		set_s(g, "LiveChatVisitorId", visitor);
		end(g, chat_id);
		crmw_buf_dispose(&body);
		if (rc)
			oom(g);
		if (violate)
			latent(g, L_VIOLATION, "ssss", k->cid, g->kb_ids[g->policy_kb[pol]], "chat", chat_id);
	} else if (*emails < emails_target) {
		/* An e-mail thread: customer, agent, sometimes a reply. */
		rng er = rng_stream(g->seed, S_EMAIL, (uint64_t)k->i);
		int nmsg = 3 + (int)rng_below(&er, 3);
		char first_email[19] = "", vio_email[19] = "";
		for (int m = 0; m < nmsg && ok(g); m++) {
			bool from_agent = m % 2 == 1;
			row(g, "EmailMessage");
			char subj[200];
			snprintf(subj, sizeof subj, "%s%s", m ? "Re: " : "", g->prof->issues[k->issue].name);
			set_s(g, "Subject", subj);
			const char *body;
			if (!from_agent)
				body = text(g, &er, m == 0 ? "[Hello|Hi],\n\n{description}\n\n{customer}"
						       : "[Thanks for the quick answer.|I see.] [Let me know the next steps.|Please keep me posted.]\n\n{customer}", k->s, 6);
			else if (m == 1 && violate) {
				crmw_buf b = CRMW_BUF_INIT;
				if (crmw__buf_printf(&b, "Dear %s,\n\nThank you for your message about the %s. %s\n\nBest regards,\n%s",
						     k->a->first, k->p->name, agent_line, g->agents[k->owner].name) ||
				    crmw__buf_putc(&b, '\0'))
					fail(g, CRMW_ENOMEM);
				crmw__buf_clear(&g->tmp);
				crmw__buf_append(&g->tmp, b.data ? b.data : "", b.len);
				crmw_buf_dispose(&b);
				body = g->tmp.data;
			} else
				body = text(g, &er, "Dear {customer},\n\n[Thank you for reaching out about|We are looking into] the {product}. "
						    "[We will update you within one business day.|A replacement is on its way.]\n\n[Best regards|Kind regards],\n{agent}", k->s, 5);
			set_s(g, "TextBody", body);
			set_s(g, "ParentId", k->cid);
			set_s(g, "RelatedToId", k->cid);
			set_s(g, "FromAddress", from_agent ? g->agents[k->owner].email : k->a->email);
			set_s(g, "ToIds", from_agent ? k->a->contact : g->agents[k->owner].id);
			set_dt(g, "MessageDate", t + m * 3 * HOUR);
			char eid[19];
			end(g, eid);
			if (m == 0)
				memcpy(first_email, eid, 19);
			if (m == 1)
				memcpy(vio_email, eid, 19);
			(*emails)++;
		}
		if (violate)
			latent(g, L_VIOLATION, "ssss", k->cid, g->kb_ids[g->policy_kb[pol]], "email", vio_email);
		(void)first_email;
	}
}

static void gen_cases(gen *g)
{
	int n = (int)n_scaled(g, 1000);
	stage(g, "cases", n);
	if (g->nitems == 0)
		return;
	double *cw = xcalloc(g, (size_t)g->naccounts, sizeof(double));
	if (!ok(g)) { /* out of memory, or the writer stopped */
		free(cw);
		return;
	}
	for (int a = 0; a < g->naccounts; a++)
		cw[a] = g->acc_item_start[a + 1] > g->acc_item_start[a] ? g->accounts[a].complaint : 0.0;
	int64_t emails_target = n_scaled(g, 3000), emails = 0;
	for (int i = 0; i < n && ok(g); i++) {
		kase k = {.i = i, .r = rng_stream(g->seed, S_CASE, (uint64_t)i)};
		case_draw(g, &k, cw);
		case_record(g, &k);
		case_history(g, &k);
		case_conversation(g, &k, &emails, emails_target);
		free(k.description);
	}
	free(cw);
}

/* ------------------------------------------------------------- sales */

static const char *const stages[] = {"Qualification", "Discovery", "Quote", "Negotiation", "Closed"};
static const char *const stage_tasks[][3] = {
	{"Confirm budget and decision maker", "Schedule a qualification call", "Send the intro deck"},
	{"Run the requirements workshop", "Book a product demo", "Collect technical requirements"},
	{"Prepare the pricing proposal", "Send the quote for review", "Align on quantities and discounts"},
	{"Review contract redlines", "Agree on payment terms", "Get legal sign-off"},
	{"Hand over to onboarding", "Send the welcome pack", "Schedule the kickoff meeting"},
};

/* Territories, and one association per sales rep (round robin over the
 * reps, not over all agents: that left territories without anyone when
 * reps and territories share a factor).  Returns the reps (agent
 * indexes), *nreps of them; NULL when there are none or on failure. */
static int *gen_territories(gen *g, int *nreps)
{
	static const char *const terr[][2] = {
		{"West", "CA,OR,WA,NV,AZ"}, {"Mountain", "CO,UT,ID,MT"}, {"Central", "TX,OK,KS,MN,IL"},
		{"Southeast", "FL,GA,NC,SC"}, {"Northeast", "NY,MA,PA,NJ"}, {"Great Lakes", "MI,OH,WI,IN"},
	};
	char terr_ids[CRMW_ARRAY_LEN(terr)][19];
	stage(g, "territories", CRMW_ARRAY_LEN(terr));
	for (size_t t = 0; t < CRMW_ARRAY_LEN(terr) && ok(g); t++) {
		row(g, "Territory2");
		set_s(g, "Name", terr[t][0]);
		set_s(g, "Description", terr[t][1]);
		end(g, terr_ids[t]);
	}
	*nreps = 0;
	int *reps = xcalloc(g, (size_t)g->nagents, sizeof(int));
	if (!ok(g)) { /* out of memory, or the writer stopped */
		free(reps);
		return NULL;
	}
	for (int i = 0; i < g->nagents && ok(g); i++) {
		if (!g->agents[i].sales)
			continue;
		row(g, "UserTerritory2Association");
		set_s(g, "UserId", g->agents[i].id);
		set_s(g, "Territory2Id", terr_ids[(size_t)*nreps % CRMW_ARRAY_LEN(terr)]);
		reps[(*nreps)++] = i;
		end(g, NULL);
	}
	if (*nreps == 0) {
		free(reps);
		return NULL;
	}
	return reps;
}

/* Lead i, with hidden BANT factors that its discovery call reveals. */
static void gen_lead(gen *g, int i, int64_t span)
{
	bool b2b = g->prof->set == 2;
	rng r = rng_stream(g->seed, S_LEAD, (uint64_t)i);
	int64_t created = g->now - span + (int64_t)(rng_unit(&r) * (double)(span - 10 * DAY));
	const int *desk = g->desk[month_index(g, created)];
	int rep = desk[rng_below(&r, (uint32_t)g->ndesk)];
	bool bant[4];
	int fails = 0;
	for (int k = 0; k < 4; k++) {
		bant[k] = rng_unit(&r) < 0.75;
		fails += !bant[k];
	}
	/* each month's planted best converter converts more of its leads */
	double conversion = g->agents[rep].conversion;
	if (desk[0] == rep)
		conversion = conversion + BEST_CONVERTER < 0.97 ? conversion + BEST_CONVERTER : 0.97;
	bool converted = fails == 0 && rng_unit(&r) < conversion;
	char first[32], last[48];
	person_name(&r, first, sizeof first, last, sizeof last, (uint64_t)i, 2);
	int acc = (int)rng_below(&r, (uint32_t)g->naccounts);
	char lid[19];
	row(g, "Lead");
	set_s(g, "FirstName", first);
	set_s(g, "LastName", last);
	set_s(g, "Company", b2b ? g->accounts[acc].name : NULL);
	set_s(g, "Title", PICK(&r, ((const char *const[]){"Engineering Manager", "VP Engineering", "Test Engineer",
								"Director of R&D", "CTO", "Procurement Specialist"})));
	char email[96];
	snprintf(email, sizeof email, "lead%d@prospect.example", i);
	set_s(g, "Email", email);
	char phone[24];
	snprintf(phone, sizeof phone, "(555) 7%02d-%04d", i % 100, (int)rng_below(&r, 10000));
	set_s(g, "Phone", phone);
	set_s(g, "Status", converted ? "Closed" : PICK(&r, ((const char *const[]){"New", "Contacted", "Qualified", "Proposal", "Negotiation"})));
	set_s(g, "OwnerId", g->agents[rep].id);
	set_dt(g, "CreatedDate", created);
	set_i(g, "IsConverted", converted);
	if (converted) {
		set_d(g, "ConvertedDate", created + (int64_t)(g->agents[rep].sales_speed * 6 * DAY));
		set_s(g, "ConvertedAccountId", g->accounts[acc].id);
		set_s(g, "ConvertedContactId", g->accounts[acc].contact);
	}
	end(g, lid);
	latent(g, L_LEAD, "siiii", lid, (int64_t)bant[0], (int64_t)bant[1], (int64_t)bant[2], (int64_t)bant[3]);
	/* A discovery call in which the prospect reveals the BANT facts. */
	rng vr = rng_stream(g->seed, S_VOICE, (uint64_t)i);
	slot s[] = {{"first", first}, {"rep", g->agents[rep].name}, {"company", g->prof->company}};
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__render(&b, &vr, "Rep ({rep}): Thanks for taking the call, {first}. Tell me about your project.\n", s, 3);
	rc = rc ? rc : crmw__render(&b, &vr, bant[0] ? "Prospect: [We have about $45,000 set aside|Budget is approved at $60,000] for this.\n"
						     : "Prospect: [Honestly we only have about $5,000|There is no budget yet, maybe $8,000] for this.\n", s, 3);
	rc = rc ? rc : crmw__render(&b, &vr, bant[1] ? "Prospect: I [run the engineering department|am the VP and sign off on tools] myself.\n"
						     : "Prospect: I [would need to convince my manager|am not the one who decides], I just test tools.\n", s, 3);
	rc = rc ? rc : crmw__render(&b, &vr, bant[2] ? "Prospect: [Our simulations take days; we need them faster.|Our test rig data is a mess and we need a proper logger.]\n"
						     : "Prospect: [Things work fine today, we are just curious.|We do not really have a problem to solve.]\n", s, 3);
	rc = rc ? rc : crmw__render(&b, &vr, bant[3] ? "Prospect: [We want to decide this quarter.|We plan to buy within two months.]\n"
						     : "Prospect: [Maybe in a year or two.|No rush, perhaps the year after next.]\n", s, 3);
	rc = rc ? rc : crmw__buf_putc(&b, '\0');
	row(g, "VoiceCallTranscript__c");
	set_s(g, "LeadId__c", lid);
	set_s(g, "TranscriptBody__c", rc ? "" : b.data);
	set_s(g, "Body__c", rc ? "" : b.data);
	set_dt(g, "CreatedDate", created + DAY);
	set_dt(g, "EndTime__c", created + DAY + 1500);
	end(g, NULL);
	crmw_buf_dispose(&b);
	if (rc)
		oom(g);
}

/* One opportunity being made: what its parts (the contract, the record
 * and its line items, the quote, the activities, the call) share. */
typedef struct opp {
	int i, rep, acc, true_stage, recorded, nl;
	const account *a;
	int64_t created, cycle;
	int prods[3];
	double qty[3], amount;
	char contract[19], oid[19], olis[3][19];
	char name[256];
} opp;

/* A contract once the deal is closed. */
static void opp_contract(gen *g, opp *o)
{
	/* A o->contract once the deal is closed. */
	if (o->true_stage == 4 && ok(g)) {
		rng cr = rng_stream(g->seed, S_CONTRACT, (uint64_t)o->i);
		int64_t signed_at = o->created + o->cycle;
		if (signed_at > g->now - DAY)
			signed_at = g->now - DAY;
		row(g, "Contract");
		set_s(g, "AccountId", o->a->id);
		set_s(g, "Status", PICK(&cr, ((const char *const[]){"Activated", "Signed"})));
		set_d(g, "StartDate", signed_at + 7 * DAY);
		set_i(g, "ContractTerm", 12 * (1 + (int)rng_below(&cr, 3)));
		set_d(g, "CustomerSignedDate", signed_at - DAY * (int64_t)rng_below(&cr, 5));
		set_d(g, "CompanySignedDate", signed_at);
		char desc[200];
		snprintf(desc, sizeof desc, "Supply agreement with %s for %d product lines.", o->a->name, o->nl);
		set_s(g, "Description", desc);
		end(g, o->contract);
	}
}

/* The Opportunity record (its description drawn from the opportunity's
 * own stream r) and its line items. */
static void opp_record(gen *g, opp *o, rng *r)
{
	row(g, "Opportunity");
	snprintf(o->name, sizeof o->name, "%s - %s", o->a->name, g->products[o->prods[0]].name);
	set_s(g, "Name", o->name);
	set_s(g, "Description", text(g, r, "[Expansion|New purchase|Renewal] for the {x} team.", (slot[]){{"x", o->a->first}}, 1));
	set_s(g, "AccountId", o->a->id);
	set_s(g, "ContactId", o->a->contact);
	set_s(g, "OwnerId", g->agents[o->rep].id);
	if (o->contract[0])
		set_s(g, "ContractID__c", o->contract);
	set_s(g, "StageName", stages[o->recorded]);
	set_f(g, "Amount", floor(o->amount * 100 + 0.5) / 100);
	set_f(g, "Probability", 10.0 + 20.0 * o->true_stage);
	set_d(g, "CloseDate", o->created + o->cycle);
	set_dt(g, "CreatedDate", o->created);
	end(g, o->oid);
	latent(g, L_OPP, "sss", o->oid, stages[o->true_stage], stages[o->recorded]);
	for (int k = 0; k < o->nl && ok(g); k++) {
		row(g, "OpportunityLineItem");
		set_s(g, "OpportunityId", o->oid);
		set_s(g, "Product2Id", g->products[o->prods[k]].id);
		set_s(g, "PricebookEntryId", g->entry_ids[(size_t)o->prods[k] * (size_t)g->npricebooks]);
		set_f(g, "Quantity", o->qty[k]);
		set_f(g, "TotalPrice", floor(o->qty[k] * entry_price(g, o->prods[k], 0, g->seed) * 100 + 0.5) / 100);
		end(g, o->olis[k]);
	}
}

/* What a planted quote violation breaks (crmw_latent_quote.kind) and the
 * sales article it breaks.  The configuration kinds are what invalid_config
 * asks about; quote_approval asks about every kind. */
enum { QV_NONE, QV_DISCOUNT, QV_VALIDITY, QV_QUANTITY, QV_MIN_PRICE, QV_PRICE_CAP, QV_DUPLICATE, QV_N };
static const char *const qv_kind[QV_N] = {"", "discount", "validity", "quantity", "min_price", "price_cap", "duplicate"};
static const int qv_article[QV_N] = {0, ART_DISCOUNT, ART_VALIDITY, ART_QUANTITY, ART_MIN_PRICE, ART_PRICE_CAP,
				     ART_ONE_LINE};

/* A quote from the Quote stage on.  About a third break one of the quote
 * articles (some two of them); the others follow every rule: discounts
 * below 15 percent, list prices, quantities of the opportunity, one line
 * per product, 30 days of validity. */
static void opp_quote(gen *g, const opp *o)
{
	if (o->true_stage < 2 || !ok(g))
		return;
	rng qr = rng_stream(g->seed, S_QUOTE, (uint64_t)o->i);
	int v1 = rng_unit(&qr) < 0.36 ? 1 + (int)rng_below(&qr, QV_N - 1) : QV_NONE, v2 = QV_NONE;
	if (v1 && o->nl >= 2 && rng_unit(&qr) < 0.2) /* a second kind, on the second line */
		v2 = 1 + (int)rng_below(&qr, QV_N - 1);
	if (v2 == v1 || v2 == QV_VALIDITY || v2 == QV_DUPLICATE || (v1 == QV_VALIDITY && v2) || (v1 == QV_DUPLICATE && v2))
		v2 = QV_NONE; /* quote-wide kinds come once */
	char qid[19];
	int64_t created = o->created + o->cycle / 2;
	int valid_days = v1 == QV_VALIDITY ? 45 + (int)rng_below(&qr, 46) : 30;
	row(g, "Quote");
	set_s(g, "Name", o->name);
	set_s(g, "Description", "Pricing proposal");
	set_s(g, "OpportunityId", o->oid);
	set_s(g, "AccountId", o->a->id);
	set_s(g, "ContactId", o->a->contact);
	set_s(g, "Status", o->true_stage == 4 ? "Accepted" : PICK(&qr, ((const char *const[]){"Draft", "Needs Review", "In Review", "Approved", "Presented"})));
	set_dt(g, "CreatedDate", created);
	set_dt(g, "ExpirationDate", created + valid_days * DAY);
	end(g, qid);
	for (int k = 0; k < o->nl + (v1 == QV_DUPLICATE) && ok(g); k++) {
		int line = k < o->nl ? k : 0; /* the extra line of a duplicate repeats the first product */
		double list = entry_price(g, o->prods[line], 0, g->seed);
		double disc = floor(rng_range(&qr, 0, 15));
		double q = k < o->nl ? o->qty[line] : 1 + rng_below(&qr, 5), unit = list;
		int v = k == 0 ? v1 : k == 1 ? v2 : QV_NONE;
		if (v == QV_DISCOUNT)
			disc = 26 + rng_below(&qr, 15);
		else if (v == QV_QUANTITY)
			q = 51 + rng_below(&qr, 50);
		else if (v == QV_MIN_PRICE)
			unit = floor(list * rng_range(&qr, 0.4, 0.65) * 100) / 100;
		else if (v == QV_PRICE_CAP)
			unit = floor(list * rng_range(&qr, 1.1, 1.3) * 100) / 100;
		row(g, "QuoteLineItem");
		set_s(g, "QuoteId", qid);
		set_s(g, "OpportunityLineItemId", o->olis[line]);
		set_s(g, "Product2Id", g->products[o->prods[line]].id);
		set_s(g, "PricebookEntryId", g->entry_ids[(size_t)o->prods[line] * (size_t)g->npricebooks]);
		set_f(g, "Quantity", q);
		set_f(g, "UnitPrice", unit);
		set_f(g, "Discount", disc);
		set_f(g, "TotalPrice", floor(q * unit * (1 - disc / 100) * 100 + 0.5) / 100);
		end(g, NULL);
	}
	for (int k = 0; k < 2; k++) {
		int v = k ? v2 : v1;
		int art = v ? g->sales_kb[qv_article[v]] : -1;
		if (art >= 0)
			latent(g, L_QUOTE, "sss", qid, g->kb_ids[art], qv_kind[v]);
	}
}

/* Activities that fit the true stage; some 'Not Started' ones do not. */
static void opp_activities(gen *g, const opp *o)
{
	/* Most opportunities carry several tasks added from a template that do
	 * not fit their stage (3 to 7, always 'Not Started'); about a third
	 * carry none.  The misfits sit at random places among 1 to 3 tasks
	 * that fit. */
	rng tr = rng_stream(g->seed, S_TASK, (uint64_t)o->i);
	int nmis = rng_unit(&tr) < 0.3 ? 0 : 3 + (int)rng_below(&tr, 5);
	int ntasks = nmis + 1 + (int)rng_below(&tr, 3);
	int left = nmis;
	for (int k = 0; k < ntasks && ok(g); k++) {
		bool misfit = left > 0 && rng_below(&tr, (uint32_t)(ntasks - k)) < (uint32_t)left;
		left -= misfit;
		int st = misfit ? (o->true_stage + 2 + (int)rng_below(&tr, 3)) % 5 : o->true_stage;
		char tid[19];
		row(g, "Task");
		set_s(g, "Subject", stage_tasks[st][rng_below(&tr, 3)]);
		set_s(g, "Description", misfit ? "Added from a template" : "Next step for this deal");
		set_s(g, "WhatId", o->oid);
		set_s(g, "OwnerId", g->agents[o->rep].id);
		set_s(g, "Status", misfit ? "Not Started" : PICK(&tr, ((const char *const[]){"Not Started", "In Progress", "Completed"})));
		set_s(g, "Priority", PICK(&tr, ((const char *const[]){"Low", "Medium", "High", "Urgent"})));
		set_dt(g, "ActivityDate", o->created + (int64_t)(k + 1) * 7 * DAY);
		end(g, tid);
		latent(g, L_TASK, "ssi", tid, o->oid, (int64_t)!misfit);
	}
}

/* A meeting, and a sales call with the topics and the customer's mood. */
static void opp_meeting_and_call(gen *g, const opp *o)
{
	rng ev = rng_stream(g->seed, S_EVENT, (uint64_t)o->i);
	row(g, "Event");
	set_s(g, "Subject", stage_tasks[o->true_stage][rng_below(&ev, 3)]);
	set_s(g, "Description", "Meeting with the customer team");
	set_s(g, "WhatId", o->oid);
	set_s(g, "OwnerId", g->agents[o->rep].id);
	set_dt(g, "StartDateTime", o->created + 3 * DAY + (int64_t)rng_below(&ev, 8) * HOUR);
	set_i(g, "DurationInMinutes", 30 * (1 + (int)rng_below(&ev, 4)));
	set_i(g, "IsAllDayEvent", 0);
	set_s(g, "Location", PICK(&ev, ((const char *const[]){"Video call", "Customer site", "Our office"})));
	end(g, NULL);
	/* A sales call: the topics the customer raises, how they feel about
	 * each, and the competitors they mention.  Each quarter has a topic
	 * customers like, one they dislike and a competitor that comes up
	 * most (crmw_latent_period), so corpus-wide answers change with the
	 * period asked about. */
	const char *const *topics = g->prof->topics, *const *comps = g->prof->competitors;
	int ntopics = 0, ncomps = 0;
	while (topics && topics[ntopics])
		ntopics++;
	while (comps && comps[ncomps])
		ncomps++;
	if (ntopics < 3 || ncomps < 2)
		return;
	int64_t at = o->created + 5 * DAY;
	int q = quarter_index(g, at);
	int nt = 2 + (int)rng_below(&ev, 2), chosen[3];
	crmw_buf body = CRMW_BUF_INIT;
	int rc = crmw__buf_printf(&body, "Rep: Thanks for joining, %s. Let us go through your questions.\n", o->a->first);
	static const char *const happy[] = {"We are happy with what we heard so far.", "That part looks great to us.",
					    "Honestly, that is better than we expected.", "We like that a lot."};
	static const char *const worried[] = {"Frankly we are worried about it.", "That part is a real concern for us.",
					      "We are not convinced yet.", "That is a sticking point for us."};
	static const char *const lead_in[] = {"First", "Then", "Also", "Finally"};
	bool mood[3];
	for (int k = 0; k < nt; k++) {
		int t;
		do
			t = (int)rng_below(&ev, (uint32_t)ntopics);
		while ((k > 0 && t == chosen[0]) || (k > 1 && t == chosen[1]));
		chosen[k] = t;
		double p = t == g->liked_topic[q] ? 0.9 : t == g->sore_topic[q] ? 0.15 : 0.55;
		mood[k] = rng_unit(&ev) < p;
		rc = rc ? rc
			: crmw__buf_printf(&body, "Customer: %s, %s. %s\n", lead_in[k == nt - 1 && k ? 3 : k], topics[t],
					   mood[k] ? happy[rng_below(&ev, 4)] : worried[rng_below(&ev, 4)]);
	}
	int mentions[2] = {-1, -1};
	if (rng_unit(&ev) < 0.7) {
		for (int m = 0; m < (rng_unit(&ev) < 0.3 ? 2 : 1); m++) {
			/* the quarter's leading competitor is three times as likely as each other one */
			int c = rng_below(&ev, (uint32_t)(ncomps + 2)) < 3 ? g->top_competitor[q]
									  : (int)rng_below(&ev, (uint32_t)ncomps);
			if (m == 1 && c == mentions[0])
				break;
			mentions[m] = c;
			static const char *const says[][2] = {
				{"We are also talking to ", " about a similar setup."},
				{"To be transparent, ", " sent us an offer last week."},
				{"", " quoted us a shorter delivery time."},
				{"Our team used ", " before, so we will compare."},
			};
			uint32_t w = rng_below(&ev, 4);
			rc = rc ? rc : crmw__buf_printf(&body, "Customer: %s%s%s\n", says[w][0], comps[c], says[w][1]);
		}
	}
	rc = rc ? rc : crmw__buf_puts(&body, "Rep: Understood, I will follow up by e-mail.\n");
	if (rc) {
		crmw_buf_dispose(&body);
		oom(g);
		return;
	}
	row(g, "VoiceCallTranscript__c");
	set_s(g, "OpportunityId__c", o->oid);
	set_s(g, "TranscriptBody__c", body.data);
	set_s(g, "Body__c", body.data);
	set_dt(g, "CreatedDate", at);
	set_dt(g, "EndTime__c", at + 2400);
	char vid[19];
	end(g, vid);
	crmw_buf_dispose(&body);
	for (int k = 0; k < nt; k++)
		latent(g, L_CALL, "sssi", vid, o->oid, topics[chosen[k]], (int64_t)mood[k]);
	for (int m = 0; m < 2; m++)
		if (mentions[m] >= 0)
			latent(g, L_MENTION, "sss", vid, o->oid, comps[mentions[m]]);
}

/* Opportunity i with its line items, quote, contract, tasks and events. */
static void gen_opportunity(gen *g, int i, const int *reps, int nreps, int64_t span)
{
	opp o = {.i = i};
	rng r = rng_stream(g->seed, S_OPP, (uint64_t)i);
	o.rep = reps[rng_below(&r, (uint32_t)nreps)];
	o.acc = (int)rng_below(&r, (uint32_t)g->naccounts);
	o.a = &g->accounts[o.acc];
	o.true_stage = (int)rng_below(&r, 5);
	o.recorded = o.true_stage;
	if (rng_unit(&r) < 0.2) {
		o.recorded = (o.true_stage + 1 + (int)rng_below(&r, 4)) % 5;
	}
	o.created = g->now - span + (int64_t)(rng_unit(&r) * (double)(span - 60 * DAY));
	o.cycle = (int64_t)(g->agents[o.rep].sales_speed * (30 + rng_below(&r, 60)) * DAY);
	o.nl = 1 + (int)rng_below(&r, 3);
	for (int k = 0; k < o.nl; k++) {
		o.prods[k] = (int)rng_below(&r, (uint32_t)g->nproducts);
		for (int t = 0; t < 8 && ((k > 0 && o.prods[k] == o.prods[0]) || (k > 1 && o.prods[k] == o.prods[1])); t++)
			o.prods[k] = (int)rng_below(&r, (uint32_t)g->nproducts); /* one line per product */
		o.qty[k] = 1 + rng_below(&r, 20);
		o.amount += o.qty[k] * entry_price(g, o.prods[k], 0, g->seed);
	}
	opp_contract(g, &o);
	opp_record(g, &o, &r);
	opp_quote(g, &o);
	opp_activities(g, &o);
	opp_meeting_and_call(g, &o);
}

/* The sales side of the org: territories, leads, opportunities. */
static void gen_sales(gen *g)
{
	int nreps = 0;
	int *reps = gen_territories(g, &nreps);
	if (!reps)
		return;
	int64_t span = 730 * DAY;
	/* Each month's lead desk: the reps who own the leads created in it,
	 * LEAD_DESK of them, the first planted the month's best converter.  A
	 * few reps with many leads each, so that a period's lowest and highest
	 * conversion rates are rarely ties, and other reps from month to month,
	 * so that who converts best or worst depends on the period asked about. */
	g->ndesk = nreps < LEAD_DESK ? nreps : LEAD_DESK;
	int *pool = xcalloc(g, (size_t)nreps, sizeof(int));
	if (pool)
		memcpy(pool, reps, (size_t)nreps * sizeof(int));
	for (int k = 0; k < MONTHS && ok(g); k++) {
		rng mr = rng_stream(g->seed, S_LEAD, ((uint64_t)1 << 40) + (uint64_t)k);
		char period[16];
		month_name(g, k, period);
		for (int j = 0; j < g->ndesk; j++) { /* a partial shuffle of the pool: distinct members */
			int x = j + (int)rng_below(&mr, (uint32_t)(nreps - j));
			int t = pool[j];
			pool[j] = pool[x];
			pool[x] = t;
			g->desk[k][j] = pool[j];
			latent(g, L_PERIOD, "sssf", j == 0 ? "best_converter" : "lead_desk", period,
			       g->agents[pool[j]].id, j == 0 ? BEST_CONVERTER : 1.0 / g->ndesk);
		}
	}
	free(pool);
	/* What sales calls talk about, quarter by quarter. */
	int ntopics = 0, ncomps = 0;
	while (g->prof->topics && g->prof->topics[ntopics])
		ntopics++;
	while (g->prof->competitors && g->prof->competitors[ncomps])
		ncomps++;
	for (int q = 0; q < QUARTERS && ok(g) && ntopics >= 3 && ncomps >= 2; q++) {
		rng qr = rng_stream(g->seed, S_VOICE, ((uint64_t)1 << 40) + (uint64_t)q);
		char period[16];
		quarter_name(g, q, period);
		g->top_competitor[q] = (int)rng_below(&qr, (uint32_t)ncomps);
		g->liked_topic[q] = (int)rng_below(&qr, (uint32_t)ntopics);
		g->sore_topic[q] = (g->liked_topic[q] + 1 + (int)rng_below(&qr, (uint32_t)ntopics - 1)) % ntopics;
		latent(g, L_PERIOD, "sssf", "top_competitor", period, g->prof->competitors[g->top_competitor[q]], 3.0);
		latent(g, L_PERIOD, "sssf", "liked_topic", period, g->prof->topics[g->liked_topic[q]], 0.9);
		latent(g, L_PERIOD, "sssf", "sore_topic", period, g->prof->topics[g->sore_topic[q]], 0.15);
	}
	int nleads = (int)n_scaled(g, 1000);
	stage(g, "leads", nleads);
	for (int i = 0; i < nleads && ok(g); i++)
		gen_lead(g, i, span);
	int nopp = (int)n_scaled(g, 1000);
	stage(g, "opportunities", nopp);
	for (int i = 0; i < nopp && ok(g); i++)
		gen_opportunity(g, i, reps, nreps, span);
	free(reps);
}

/* ------------------------------------------------------------ driver */

static void gen_free(gen *g)
{
	free(g->route_w);
	free(g->fcache);
	for (int i = 0; i < g->nagents; i++) {
		free(g->agents[i].skill);
		free(g->agents[i].speed);
	}
	free(g->agents);
	for (int i = 0; i < g->nproducts; i++)
		free(g->products[i].defect);
	free(g->products);
	free(g->issue_ids);
	free(g->pricebook_ids);
	free(g->pb_from);
	free(g->pb_to);
	free(g->entry_ids);
	free(g->accounts);
	free(g->items);
	free(g->acc_item_start);
	free(g->acc_items);
	free(g->kb_ids);
	free(g->policy_kb);
	for (size_t i = 0; i < CRMW_ARRAY_LEN(g->lat); i++)
		sqlite3_finalize(g->lat[i]);
	crmw_buf_dispose(&g->tmp);
}

/* Move the closed, committed org at `tmp` to `path`.  Everything is in the
 * main file (the load ran with a rollback journal and the last close
 * checkpoints); a -wal file with pages in it would mean otherwise.  Without
 * `overwrite`, link() refuses a file that appeared meanwhile. */
static int move_into_place(const char *tmp, const char *path, bool overwrite)
{
	crmw_buf side = CRMW_BUF_INIT;
	struct stat sb;
	if (crmw__buf_printf(&side, "%s-wal", tmp))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	if (stat(side.data, &sb) == 0 && sb.st_size > 0) {
		crmw_buf_dispose(&side);
		return crmw__errf(NULL, CRMW_EIO, "%s: the write-ahead log was not checkpointed on close", tmp);
	}
	int err = 0;
	if (!overwrite) {
		if (link(tmp, path) != 0)
			err = errno;
	} else {
		/* The old org's log and shared memory must not outlive it. */
		crmw__buf_clear(&side);
		if (crmw__buf_printf(&side, "%s-wal", path))
			err = ENOMEM;
		else if (unlink(side.data) != 0 && errno != ENOENT)
			err = errno;
		crmw__buf_clear(&side);
		if (!err && crmw__buf_printf(&side, "%s-shm", path))
			err = ENOMEM;
		else if (!err && unlink(side.data) != 0 && errno != ENOENT)
			err = errno;
		if (!err && rename(tmp, path) != 0)
			err = errno;
	}
	crmw_buf_dispose(&side);
	if (err == EEXIST)
		return crmw__errf(NULL, CRMW_EEXISTS, "%s already exists (the option \"overwrite\": true replaces it)", path);
	if (err)
		return crmw__errf(NULL, CRMW_EIO, "cannot move the new org to %s: %s", path, strerror(err));
	return CRMW_OK;
}

/* The whole org, in order (on the stream's helper thread when there is one). */
static void produce(void *arg)
{
	gen *g = arg;
	latent(g, L_META, "ss", "profile", g->prof->name);
	latent(g, L_META, "ss", "seed", g->meta_seed);
	latent(g, L_META, "ss", "scale", g->meta_scale);
	latent(g, L_META, "ss", "now", g->meta_now);
	gen_issues(g);
	gen_users(g);
	plant_transfers(g);
	gen_catalog(g);
	gen_accounts(g);
	gen_orders(g);
	gen_knowledge(g);
	gen_cases(g);
	if (g->prof->set != 1)
		gen_sales(g);
	stage(g, "commit", g->rows);
}

int crmw_gen(const char *path, const char *options_json, crmw_progress_fn progress, void *userdata)
{
	CRMW__ARGS_NONNULL(NULL, !path);
	const char *profile = "crmarena", *now_s = "2024-10-01T00:00:00Z";
	int64_t seed = 1, threads = 2;
	double scale = 1.0;
	bool overwrite = false;
	static const char *const keys[] = {"profile", "seed", "scale", "now", "overwrite", "threads"};
	static const char *const W = "crmw_gen options";
	json_t *opts;
	int orc = crmw__json_options(&opts, NULL, options_json, W, keys, CRMW_ARRAY_LEN(keys));
	json_t *pv = json_object_get(opts, "profile"), *nv = json_object_get(opts, "now");
	if (!orc && pv && !json_is_string(pv))
		orc = crmw__opt_bad(NULL, W, "profile", "a profile name");
	if (!orc && nv && !json_is_string(nv))
		orc = crmw__opt_bad(NULL, W, "now", "a datetime string");
	orc = orc ? orc : crmw__opt_int(NULL, W, opts, "seed", INT64_MIN, INT64_MAX, &seed);
	orc = orc ? orc : crmw__opt_int(NULL, W, opts, "threads", 1, 64, &threads);
	orc = orc ? orc : crmw__opt_real(NULL, W, opts, "scale", 0, 1000, &scale);
	orc = orc ? orc : crmw__opt_bool(NULL, W, opts, "overwrite", &overwrite);
	if (orc) {
		json_decref(opts);
		return orc;
	}
	if (pv)
		profile = json_string_value(pv);
	if (nv)
		now_s = json_string_value(nv);
	const crmw_profile *prof = NULL;
	for (int i = 0; crmw__profiles[i].name; i++)
		if (strcmp(crmw__profiles[i].name, profile) == 0)
			prof = &crmw__profiles[i];
	char now_norm[21];
	int rc = CRMW_OK;
	if (!prof)
		rc = crmw__errf(NULL, CRMW_EINVALID, "crmw_gen options: unknown profile '%s' (known: crmarena, b2b, b2c)", profile);
	else if (!(scale > 0))
		rc = crmw__errf(NULL, CRMW_EINVALID, "crmw_gen options: \"scale\" must be above 0 and at most 1000");
	else if (crmw__parse_datetime(now_s, strlen(now_s), now_norm))
		rc = crmw__errf(NULL, CRMW_EINVALID, "crmw_gen options: \"now\" '%s' is not a datetime", now_s);
	if (rc) {
		json_decref(opts);
		return rc;
	}
	gen g = {.prof = prof, .seed = (uint64_t)seed, .scale = scale};
	/* One thread generates; a second one, when allowed, writes meanwhile. */
	threads = threads > 2 ? 2 : threads;
	int y, m, d, hh, mi, ss;
	sscanf(now_norm, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &m, &d, &hh, &mi, &ss);
	g.now = crmw__days_from_civil(y, m, d) * DAY + hh * 3600 + mi * 60 + ss;
	crmw_schema *schema = NULL;
	rc = crmw_schema_builtin(&schema, prof->name);
	/* Two standard Salesforce Knowledge fields the published schemas leave
	 * out, which the external role needs: is an article published, and is
	 * it meant for customers (docs/generator.md). */
	static const char *const kb_fields[] = {
		"{\"name\":\"PublishStatus\",\"type\":\"picklist\",\"label\":\"Publication Status\",\"restricted\":true,"
		"\"picklist\":[\"Draft\",\"Online\",\"Archived\"],"
		"\"description\":\"Where the article is in its life: Draft (being written), Online (published) or Archived.\"}",
		"{\"name\":\"IsVisibleInCsp\",\"type\":\"boolean\",\"label\":\"Visible to Customers\","
		"\"description\":\"True when customers may read the article; false for internal and confidential articles.\"}",
	};
	for (size_t i = 0; !rc && i < CRMW_ARRAY_LEN(kb_fields); i++)
		rc = crmw_schema_add_field(schema, "Knowledge__kav", kb_fields[i], strlen(kb_fields[i]));
	/* The org is written under a temporary name beside `path` and moved
	 * into place once committed: a failure (a full disk, an abort) leaves
	 * whatever was at `path` as it was. */
	crmw_buf tmpb = CRMW_BUF_INIT;
	struct stat sb;
	if (!rc && crmw__buf_printf(&tmpb, "%s.gen-%ld.tmp", path, (long)getpid()))
		rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	const char *tmp = tmpb.data;
	if (!rc && !overwrite && stat(path, &sb) == 0)
		rc = crmw__errf(NULL, CRMW_EEXISTS, "%s already exists (the option \"overwrite\": true replaces it)", path);
	if (!rc) {
		char dbopts[200];
		snprintf(dbopts, sizeof dbopts, "{\"overwrite\":true,\"id_seed\":%lld,\"now\":\"%s\"}", (long long)seed,
			 now_norm);
		rc = crmw_db_create(&g.db, tmp, schema, dbopts);
	}
	crmw_schema_free(schema);
	json_decref(opts);
	if (rc) {
		crmw_buf_dispose(&tmpb);
		return rc;
	}
	if (!(g.fcache = calloc(FCACHE_N, sizeof *g.fcache)))
		rc = crmw__errf(&g.db->h.err, CRMW_ENOMEM, "out of memory");
	rc = rc ? rc : latent_open(&g);
	rc = rc ? rc : crmw_bulk_begin(&g.bulk, g.db, "{\"exclusive\":true}");
	rc = rc ? rc : crmw__gs_open(&g.gs, g.db, g.bulk, g.lat, (int)CRMW_ARRAY_LEN(latent_insert), (int)threads,
			       progress, userdata);
	if (!rc) {
		snprintf(g.meta_seed, sizeof g.meta_seed, "%lld", (long long)seed);
		snprintf(g.meta_scale, sizeof g.meta_scale, "%g", scale);
		snprintf(g.meta_now, sizeof g.meta_now, "%s", now_norm);
		rc = crmw__gs_run(g.gs, produce, &g);
		/* The writer's failure comes first: the generator stopped because
		 * of it.  Otherwise the generator's own failure, if any. */
		if (!rc && g.rc)
			rc = crmw__errf(&g.db->h.err, g.rc, "%s", crmw__err_msg(&g.err));
		if (!rc)
			rc = crmw_bulk_commit(g.bulk);
	}
	if (rc && !crmw_db_errmsg(g.db)[0])
		crmw__errf(&g.db->h.err, rc, "generation failed: %s", crmw_strerror(rc));
	if (rc)
		crmw__errf(NULL, rc, "%s", crmw_db_errmsg(g.db));
	crmw__gs_free(g.gs);
	crmw_bulk_free(g.bulk);
	gen_free(&g);
	crmw__err_dispose(&g.err);
	crmw_db_free(g.db);
	if (!rc)
		rc = move_into_place(tmp, path, overwrite);
	static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
	crmw_buf p = CRMW_BUF_INIT;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(sides); i++) {
		crmw__buf_clear(&p);
		if (!crmw__buf_printf(&p, "%s%s", tmp, sides[i]))
			unlink(p.data);
	}
	crmw_buf_dispose(&p);
	crmw_buf_dispose(&tmpb);
	if (!rc && progress)
		progress("done", 1, 1, userdata);
	return rc;
}
