/*
 * lib/tasks/superlative.c: the task families that ask which agent, rep or
 * state had the most or the least of a metric over a period
 * (handle_time, transfer_count, best_region_identification,
 * sales_amount_understanding, sales_cycle_understanding): one skeleton and
 * a table of what differs.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/families.h"

#include <string.h>

/* ------------------------------------------------- agents and case counts */

#define HANDLE_POLICY \
	"## Handle time policy\n" \
	"- Handle time is how long a case took to close: its ClosedDate minus its CreatedDate.\n" \
	"- Only cases that were never transferred count towards an agent's handle time; a case with more than one " \
	"'Owner Assignment' entry in its history was transferred.\n"
#define TRANSFER_POLICY \
	"## Transfer count policy\n" \
	"- A transfer is an 'Owner Assignment' entry of a case's history that moves the case from one agent (its " \
	"OldValue__c) to another; it counts for the agent who gave the case away.\n"
/* Decision (docs/tasks.md, "Handled cases"): every profile counts every
 * owner assignment, as the official tool does and as its gold answers
 * were computed; the default of get_agent_handled_cases_by_period. */
#define COUNT_RULE \
	"- \"Agents who handled more than N cases\" counts, per agent, every 'Owner Assignment' entry in the period " \
	"that names them as the new owner, transfers to them included.\n"

typedef struct qualif {
	period p;
	int n;
	json_t *qualified; /* agent ids */
	char *qtext;       /* the same as JSON text */
} qualif;

static void qualif_free(qualif *q)
{
	json_decref(q->qualified);
	free(q->qtext);
}

/* Period, threshold (0 to 3, as the published sets ask) and qualified
 * agents for handle_time and transfer_count.  A None task is one where
 * nobody handled more than the threshold: a short period with a threshold
 * of 1 to 3, or (a fifth of them) a period before the org's data.
 * 1: rejected. */
static int qualify(synth *s, draft *d, qualif *q, bool want_none, int kinds)
{
	memset(q, 0, sizeof *q);
	crmw__syn_today(s, d, 120);
	bool before = want_none && rng_below(&d->r, 5) == 0;
	crmw__syn_period(s, d, &q->p, before ? P_NAMED : kinds, before);
	if (want_none && !before && q->p.kind == P_REL) /* nobody over the threshold: a span of weeks */
		crmw__syn_relative_any(d, &q->p, 21);
	static const int weights[2][4] = {{20, 40, 22, 18}, {0, 20, 40, 40}};
	int x = (int)rng_below(&d->r, 100);
	q->n = 0;
	while (q->n < 3 && x >= weights[want_none][q->n])
		x -= weights[want_none][q->n++];
	json_t *counts = crmw__syn_q(s,
			       "SELECT NewValue__c, COUNT(*) FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' AND "
			       "CreatedDate >= ?1 AND CreatedDate < ?2 AND NewValue__c IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
			       "ss", q->p.a, q->p.b);
	QERR(counts);
	q->qualified = json_array();
	for (size_t i = 0; i < json_array_size(counts); i++)
		if (crmw__syn_num(counts, i, 1) > q->n)
			json_array_append_new(q->qualified, json_string(crmw__syn_str(counts, i, 0)));
	json_decref(counts);
	q->qtext = crmw__syn_json_text(q->qualified);
	size_t nq = json_array_size(q->qualified);
	return want_none ? nq != 0 : nq < 2;
}

/* The gold steps up to the qualified agents; returns the qualified step. */
static int qualify_steps(draft *d, const qualif *q, json_t **a, json_t **b)
{
	crmw__syn_period_args(d, &q->p, a, b);
	int h = crmw__syn_step(d, "get_agent_handled_cases_by_period", json_pack("{s:O, s:O}", "start_date", *a, "end_date", *b));
	return crmw__syn_step(d, "get_qualified_agent_ids_by_case_count",
			json_pack("{s:o, s:i}", "agent_handled_cases", crmw__syn_ref(h, ""), "n_cases", q->n));
}

/* Who counts: inline (" among agents who handled more than two cases") or
 * as a clause of its own, into among[] (empty when it is a clause). */
static void qualify_text(draft *d, const qualif *q, char among[160], crmw_buf *clause)
{
	char nb[16];
	const char *n = crmw__syn_count_text(d, q->n, nb);
	bool one = q->n == 1;
	slot sl[] = {{"n", n}, {"cases", one ? "case" : "cases"}};
	const char *inl = q->n == 0 ? "[ among agents who handled at least one case| among agents who handled any cases| among "
				      "those managing more than {n} cases| counting every agent with at least one case]"
				    : "[ among agents who handled more than {n} {cases}| among those who managed more than {n} "
				      "{cases}|, counting only agents with more than {n} {cases}| among agents handling over {n} "
				      "{cases}| among the agents who took on more than {n} {cases}]";
	const char *cls = q->n == 0 ? "[Include every agent who handled at least one case.|Consider all agents who "
				      "managed any cases.|Only count agents who handled more than {n} cases.]"
				    : "[Only consider agents who handled more than {n} {cases}.|Consider only agents who managed "
				      "more than {n} {cases}.|Leave out agents who handled {n} {cases} or fewer.|Only agents with "
				      "more than {n} {cases} count.|Limit it to agents who worked on more than {n} {cases}.]";
	crmw__buf_clear(clause);
	among[0] = '\0';
	crmw_buf t = CRMW_BUF_INIT;
	crmw__render(&t, &d->r, rng_below(&d->r, 2) ? inl : cls, sl, NSLOTS(sl));
	if (t.data && t.data[0] == ' ')
		snprintf(among, 160, "%s", t.data);
	else if (t.data && t.data[0] == ',')
		snprintf(among, 160, "%s", t.data);
	else if (t.data)
		crmw__buf_puts(clause, t.data);
	crmw_buf_dispose(&t);
}

/* ------------------------------------------- the most or the least of X */

/*
 * The families that ask which agent (rep, state) had the most or the least
 * of a metric over a period share one skeleton, superlative_make(): pick today
 * and a period (or, for the case-count families, the period, the threshold
 * and the agents above it: qualify()), run a grouped reference query of
 * (key, value) rows, take its unique extreme as the answer (no rows at all
 * for a None task), then the voice, the question, the closing clause, the
 * required policy text and the gold program.  What differs is a row of
 * superlatives[].
 */

/* A word of the question: drawn from `least` or `most` (templates with
 * choices) as the task asks for the least or the most; most NULL: `least`
 * either way. */
typedef struct sup_word {
	const char *name, *least, *most;
} sup_word;

/* What the period binds in the reference query. */
enum {
	SUP_TIMES,     /* ?1, ?2: the period's bounds as datetimes */
	SUP_DAYS,      /* ?1, ?2: its bounds as days (YYYY-MM-DD) */
	SUP_QUALIFIED, /* ?1, ?2 datetimes, ?3 the qualified agents (JSON) */
};

/* One draft of a superlative family, as the gold program needs it. */
typedef struct sup_draft {
	const period *p;
	const qualif *q; /* the qualified agents (sup.qualified) */
	bool max, want_none;
} sup_draft;

typedef struct superlative superlative;
struct superlative {
	int today;      /* how far back today may lie (days; qualify() picks its own) */
	int direction;  /* 1 the most, 0 the least, -1 drawn */
	bool qualified; /* among the agents above a case count (qualify()) */
	int bind;       /* SUP_* */
	const char *sql; /* "$F": the field of the company's signature (crmw__syn_signed_field) */
	const char *voice;
	sup_word choose[3]; /* drawn in this order */
	sup_word fixed;     /* a word given by the direction (least, most) */
	const char *question[2]; /* for the least and the most; [1] NULL: [0] for both */
	const char *closing;
	const char *policy; /* the required text, NULL: none */
	const char *tool;   /* the tool giving the values by id (gold_by_period, gold_qualified) */
	void (*gold)(draft *d, const superlative *sp, const sup_draft *w);
};

const char *crmw__syn_signed_field(synth *s)
{
	const crmw_object *o = crmw__schema_object(crmw_db_schema(s->db), "Contract");
	return o && crmw__object_field(o, "CompanySignedDate") ? "CompanySignedDate" : "CustomerSignedDate";
}

/* The query text with every "$F" replaced by `field`. */
static void sql_with_field(char *out, size_t cap, const char *sql, const char *field)
{
	crmw_buf b = CRMW_BUF_INIT;
	for (const char *p = sql; *p;) {
		const char *f = strstr(p, "$F");
		size_t n = f ? (size_t)(f - p) : strlen(p);
		crmw__buf_printf(&b, "%.*s%s", (int)n, p, f ? field : "");
		p += n + (f ? 2 : 0);
	}
	snprintf(out, cap, "%s", b.data ? b.data : "");
	crmw_buf_dispose(&b);
}

/* The gold program's last steps: the id with the largest (smallest) of the
 * values step `values` replied with. */
static void respond_extreme(draft *d, int values, bool max)
{
	int f = crmw__syn_step(d, max ? "find_id_with_max_value" : "find_id_with_min_value",
			 json_pack("{s:o}", "values_by_id", crmw__syn_ref(values, "")));
	crmw__syn_respond_ref(d, f);
}

/* The question, its closing clause and the required texts. */
static void superlative_text(synth *s, draft *d, const superlative *sp, const sup_draft *w)
{
	crmw__syn_voice(s, d, sp->voice);
	char among[160] = "", period_cap[96];
	crmw_buf clause = CRMW_BUF_INIT, words[3] = {CRMW_BUF_INIT, CRMW_BUF_INIT, CRMW_BUF_INIT};
	if (sp->qualified)
		qualify_text(d, w->q, among, &clause);
	cap_phrase(w->p, period_cap);
	slot sl[8] = {{"period", w->p->phrase}, {"Period", period_cap}, {"among", among}};
	int n = 3;
	for (int k = 0; k < 3 && sp->choose[k].name; k++)
		sl[n++] = (slot){sp->choose[k].name,
				  choose(d, &words[k], w->max && sp->choose[k].most ? sp->choose[k].most : sp->choose[k].least)};
	if (sp->fixed.name)
		sl[n++] = (slot){sp->fixed.name, w->max ? sp->fixed.most : sp->fixed.least};
	crmw__syn_clause(d, sp->question[w->max && sp->question[1]], sl, n);
	if (clause.len)
		crmw__syn_clause(d, clause.data, NULL, 0);
	crmw__syn_clause(d, sp->closing, NULL, 0);
	crmw_buf_dispose(&clause);
	for (int k = 0; k < 3; k++)
		crmw_buf_dispose(&words[k]);
	if (sp->policy)
		crmw__syn_required(d, "%s", sp->policy);
	today_line(d);
}

/* The period (for the case-count families also the threshold and the
 * qualified agents) and the answer of one try of superlative_make: 0 the
 * answer is set, 1 this try missed (a tie; for None, data in the period). */
static int superlative_try(synth *s, draft *d, bool want_none, const superlative *sp, qualif *q, period *own,
			   int kinds, bool max)
{
	const period *p = sp->qualified ? &q->p : own;
	int rc = 0;
	if (sp->qualified) {
		rc = qualify(s, d, q, want_none, kinds);
	} else {
		crmw__syn_today(s, d, sp->today);
		crmw__syn_period(s, d, own, want_none ? P_NAMED : kinds, want_none);
	}
	char a_day[11], b_day[11], sql[1000];
	crmw__syn_day_text(p->a_days, a_day);
	crmw__syn_day_text(p->b_days, b_day);
	sql_with_field(sql, sizeof sql, sp->sql, sp->bind == SUP_DAYS ? crmw__syn_signed_field(s) : "");
	json_t *rows = rc                          ? NULL
		       : sp->bind == SUP_DAYS      ? crmw__syn_q(s, sql, "ss", a_day, b_day)
		       : sp->bind == SUP_QUALIFIED ? crmw__syn_q(s, sql, "sss", p->a, p->b, q->qtext)
						   : crmw__syn_q(s, sql, "ss", p->a, p->b);
	const char *best = NULL;
	int ex = rows ? crmw__syn_extreme(rows, max, &best) : 0;
	if (!rc && !rows)
		rc = s->rc ? s->rc : CRMW_ERROR;
	else if (!rc && (want_none ? ex != -1 : ex != 0))
		rc = 1;
	if (!rc)
		crmw__syn_answer(d, want_none ? NULL : best);
	json_decref(rows);
	return rc;
}

/* A task of the superlative family `sp`: 0 made, 1 rejected, < 0 an error.
 * A try that misses draws another day and period of the same kind, up to
 * four tries: short relative periods tie more often than named ones (and
 * long ones rarely leave nobody qualified), so dropping the draft would
 * skew the mix of time expressions towards named periods. */
static int superlative_make(synth *s, draft *d, bool want_none, const superlative *sp)
{
	qualif q;
	memset(&q, 0, sizeof q);
	period own;
	memset(&own, 0, sizeof own);
	const period *p = sp->qualified ? &q.p : &own;
	bool max = sp->direction < 0 ? rng_below(&d->r, 2) != 0 : sp->direction != 0;
	int rc = 0;
	for (int tries = 0, kinds = P_ANY;; tries++) {
		rc = superlative_try(s, d, want_none, sp, &q, &own, kinds, max);
		kinds = 1 << p->kind;
		if (rc <= 0 || tries == 3)
			break;
		qualif_free(&q);
		memset(&q, 0, sizeof q);
	}
	if (!rc) {
		sup_draft w = {p, &q, max, want_none};
		superlative_text(s, d, sp, &w);
		sp->gold(d, sp, &w);
	}
	qualif_free(&q);
	return rc;
}

/* handle_time, transfer_count: the qualified agents, then their metric:
 * the transfers of each (sp->tool), or the average handle time of their
 * closed cases that were never transferred. */
static void gold_qualified(draft *d, const superlative *sp, const sup_draft *w)
{
	json_t *a, *b;
	int qs = qualify_steps(d, w->q, &a, &b);
	if (w->want_none) {
		crmw__syn_respond_ref(d, qs);
	} else if (sp->tool) {
		int t = crmw__syn_step(d, sp->tool,
				 json_pack("{s:O, s:O, s:o}", "start_date", a, "end_date", b, "qualified_agent_ids", crmw__syn_ref(qs, "")));
		respond_extreme(d, t, w->max);
	} else {
		int nt = crmw__syn_step(d, "get_non_transferred_case_ids", json_pack("{s:O, s:O}", "start_date", a, "end_date", b));
		int cs = crmw__syn_step(d, "get_cases",
				  json_pack("{s:O, s:O, s:o, s:o, s:[s]}", "start_date", a, "end_date", b, "agent_ids",
					    crmw__syn_ref(qs, ""), "case_ids", crmw__syn_ref(nt, ""), "statuses", "Closed"));
		int av = crmw__syn_step(d, "calculate_average_handle_time", json_pack("{s:o}", "cases", crmw__syn_ref(cs, "")));
		respond_extreme(d, av, w->max);
	}
	json_decref(a);
	json_decref(b);
}

/* best_region_identification: the closed cases, their states, the average
 * closure time per state. */
static void gold_region(draft *d, const superlative *sp, const sup_draft *w)
{
	(void)sp;
	json_t *a, *b;
	crmw__syn_period_args(d, w->p, &a, &b);
	int cs = crmw__syn_step(d, "get_cases", json_pack("{s:o, s:o, s:[s]}", "start_date", a, "end_date", b, "statuses", "Closed"));
	if (w->want_none) {
		crmw__syn_respond_ref(d, cs);
		return;
	}
	int ss = crmw__syn_step(d, "get_shipping_state", json_pack("{s:o}", "cases", crmw__syn_ref(cs, "")));
	int av = crmw__syn_step(d, "calculate_region_average_closure_times", json_pack("{s:o}", "cases", crmw__syn_ref(ss, "")));
	respond_extreme(d, av, w->max);
}

/* One tool gives the values by id over the period. */
static void gold_by_period(draft *d, const superlative *sp, const sup_draft *w)
{
	json_t *a, *b;
	crmw__syn_period_args(d, w->p, &a, &b);
	int m = crmw__syn_step(d, sp->tool, json_pack("{s:o, s:o}", "start_date", a, "end_date", b));
	respond_extreme(d, m, w->max);
}

#define AGENT_WORD {"who", "[agent|agent|support agent|team member|service agent]", NULL}
#define REP_WORD {"who", "[agent|agent|sales agent|rep|sales rep]", NULL}

enum { SUP_HANDLE_TIME, SUP_TRANSFERS, SUP_REGION, SUP_SALES_AMOUNT, SUP_SALES_CYCLE };

static const superlative superlatives[] = {
	[SUP_HANDLE_TIME] = {
		.direction = -1, .qualified = true, .bind = SUP_QUALIFIED,
		.sql = "SELECT c.OwnerId, AVG(strftime('%s', c.ClosedDate) - strftime('%s', c.CreatedDate)) FROM "
		       "\"Case\" c WHERE c.CreatedDate >= ?1 AND c.CreatedDate < ?2 AND c.Status = 'Closed' AND "
		       "c.ClosedDate IS NOT NULL AND c.OwnerId IN (SELECT value FROM json_each(?3)) AND c.Id IN "
		       "(SELECT CaseId__c FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' AND CreatedDate "
		       ">= ?1 AND CreatedDate < ?2 GROUP BY CaseId__c HAVING COUNT(*) = 1) GROUP BY c.OwnerId",
		.voice = "manager",
		.choose = {AGENT_WORD,
			   {"sup", "[lowest|shortest|smallest]", "[highest|longest|largest]"},
			   {"metric", "[average handle time|average handling time|mean handle time|average case handle time]", NULL}},
		.fixed = {"took", "the least time", "the longest"},
		.question = {
			"[Which {who} had the {sup} {metric} {period}{among}?|{Period}, which {who} had the {sup} "
			"{metric}{among}?|Find the {who} with the {sup} {metric} {period}{among}.|Identify the {who} whose "
			"{metric} was the {sup} {period}{among}.|Who had the {sup} {metric} {period}{among}?|Determine the "
			"{who} with the {sup} {metric} {period}{among}.|I'd like to know which {who} had the {sup} {metric} "
			"{period}{among}.|Can you tell me who recorded the {sup} {metric} {period}{among}?|Please find the "
			"{who} whose cases took {took} on average to close {period}{among}.|{Period}, who took {took} on "
			"average to close their cases{among}?]"},
		.closing = crmw__syn_id_only,
		.policy = HANDLE_POLICY COUNT_RULE,
		.gold = gold_qualified,
	},
	[SUP_TRANSFERS] = {
		.direction = -1, .qualified = true, .bind = SUP_QUALIFIED,
		.sql = "SELECT OldValue__c, COUNT(*) FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' AND "
		       "OldValue__c IS NOT NULL AND CreatedDate >= ?1 AND CreatedDate < ?2 AND OldValue__c IN "
		       "(SELECT value FROM json_each(?3)) GROUP BY 1",
		.voice = "manager",
		.choose = {AGENT_WORD,
			   {"most", "[fewest|lowest number of|smallest number of|least number of]",
			    "[most|highest number of|largest number of|greatest number of]"}},
		.question = {
			"[Which {who} made the {most} case transfers {period}{among}?|{Period}, which {who} transferred the "
			"{most} cases{among}?|Identify the {who} with the {most} transfers {period}{among}.|Who handed off "
			"the {most} cases to colleagues {period}{among}?|Find the {who} who passed on the {most} cases "
			"{period}{among}.|Determine which {who} had the {most} transfers {period}{among}.|Can you tell me "
			"who transferred the {most} cases {period}{among}?|{Period}, who had the {most} case "
			"transfers{among}?|I need the {who} with the {most} transferred cases {period}{among}.|Which {who} "
			"reassigned the {most} cases to someone else {period}{among}?]"},
		.closing = crmw__syn_id_only,
		.policy = TRANSFER_POLICY COUNT_RULE,
		.tool = "get_agent_transferred_cases_by_period",
		.gold = gold_qualified,
	},
	[SUP_REGION] = {
		.today = 120, .direction = 0, .bind = SUP_TIMES,
		.sql = "SELECT a.ShippingState, AVG(strftime('%s', c.ClosedDate) - strftime('%s', c.CreatedDate)) FROM "
		       "\"Case\" c JOIN Account a ON a.Id = c.AccountId WHERE c.Status = 'Closed' AND c.ClosedDate IS NOT NULL "
		       "AND c.CreatedDate >= ?1 AND c.CreatedDate < ?2 AND a.ShippingState IS NOT NULL AND a.ShippingState != '' "
		       "GROUP BY 1",
		.voice = "analyst",
		.question = {
			"[Which state had the quickest case closures {period}?|{Period}, in which state were cases closed "
			"the fastest?|Where were cases closed most quickly {period}?|Which state closed its cases fastest on "
			"average {period}?|{Period}, which state had the shortest average time to close a case?|Find the "
			"state with the quickest average case closure {period}.|Identify the state where cases were resolved "
			"the fastest {period}.|In which state did customers see their cases closed soonest {period}?|Of all "
			"states, which one had the fastest case closures {period}?|{Period}, where did we close cases the "
			"quickest?]"},
		.closing = "[Return only the two-letter code of the state (for example CA).|Answer with the state's two-letter "
			   "abbreviation only.|Reply with just the two-letter state code, like NY.|Give only the state's postal "
			   "abbreviation (two letters).]",
		.gold = gold_region,
	},
	[SUP_SALES_AMOUNT] = {
		.today = 200, .direction = -1, .bind = SUP_DAYS,
		.sql = "SELECT o.OwnerId, ROUND(SUM(li.TotalPrice) * 100) / 100 FROM Opportunity o JOIN Contract c ON c.Id = "
		       "o.ContractID__c JOIN OpportunityLineItem li ON li.OpportunityId = o.Id WHERE substr(c.$F, 1, 10) >= ?1 "
		       "AND substr(c.$F, 1, 10) < ?2 AND o.OwnerId IS NOT NULL GROUP BY 1",
		.voice = "sales",
		.choose = {REP_WORD},
		.question = {
			"[Which {who} had the lowest sales {period}?|{Period}, who sold the least by sales amount?|Identify "
			"the {who} with the smallest total sales {period}.|Who closed the least revenue {period}?|Find the "
			"{who} whose signed deals added up to the least {period}.|{Period}, which {who} had the lowest sales "
			"figures?|Which {who} sold the least by value {period}?|Determine the {who} with the lowest sales "
			"amount {period}.]",
			"[Which {who} brought in the highest sales {period}?|{Period}, who was our top seller by sales "
			"amount?|Identify the {who} with the largest total sales {period}.|Who closed the most revenue "
			"{period}?|Find the {who} whose signed deals added up to the most {period}.|{Period}, which {who} "
			"had the biggest sales figures?|Which {who} sold the most by value {period}?|Determine the {who} "
			"with the highest sales amount {period}.]"},
		.closing = crmw__syn_id_only,
		.policy = "## Sales amount\n- An agent's sales are the sum of quantity x unit price over the line items of "
			  "their opportunities whose contract the company signed in the period.\n",
		.tool = "get_agent_sales_amounts",
		.gold = gold_by_period,
	},
	[SUP_SALES_CYCLE] = {
		.today = 200, .direction = -1, .bind = SUP_DAYS,
		.sql = "SELECT o.OwnerId, AVG((strftime('%s', substr(c.$F, 1, 10) || 'T00:00:00Z') - strftime('%s', "
		       "o.CreatedDate)) / 86400.0) FROM Opportunity o JOIN Contract c ON c.Id = o.ContractID__c WHERE "
		       "substr(c.$F, 1, 10) >= ?1 AND substr(c.$F, 1, 10) < ?2 AND o.OwnerId IS NOT NULL GROUP BY 1",
		.voice = "sales",
		.choose = {REP_WORD},
		.question = {
			"[Which {who} had the fastest average sales cycle {period}?|{Period}, whose deals took the shortest "
			"time on average from opportunity to signed contract?|Identify the {who} with the quickest average "
			"sales cycle {period}.|Who closed deals fastest on average {period}?|Find the {who} whose "
			"opportunities reached a signed contract soonest {period}.|{Period}, which {who} had the shortest "
			"time from opportunity to signature on average?|Determine the {who} with the quickest deal cycle "
			"{period}.|Which {who} needed the fewest days on average to close a deal {period}?]",
			"[Which {who} had the slowest average sales cycle {period}?|{Period}, whose deals took the longest "
			"on average from opportunity to signed contract?|Identify the {who} with the longest average sales "
			"cycle {period}.|Who took the most time on average to close deals {period}?|Find the {who} whose "
			"opportunities took longest to reach a signed contract {period}.|{Period}, which {who} had the "
			"longest time from opportunity to signature on average?|Determine the {who} with the slowest deal "
			"cycle {period}.|Which {who} needed the most days on average to close a deal {period}?]"},
		.closing = crmw__syn_id_only,
		.policy = "## Sales cycle\n- The sales cycle of a deal is the number of days from the opportunity's CreatedDate "
			  "to the day the company signed its contract; an agent's is the average over the deals signed in the "
			  "period.\n",
		.tool = "get_agent_sales_cycles",
		.gold = gold_by_period,
	},
};

int crmw__syn_make_handle_time(synth *s, draft *d, bool want_none)
{
	return superlative_make(s, d, want_none, &superlatives[SUP_HANDLE_TIME]);
}

int crmw__syn_make_transfer_count(synth *s, draft *d, bool want_none)
{
	return superlative_make(s, d, want_none, &superlatives[SUP_TRANSFERS]);
}

int crmw__syn_make_best_region(synth *s, draft *d, bool want_none)
{
	return superlative_make(s, d, want_none, &superlatives[SUP_REGION]);
}

int crmw__syn_make_sales_amount(synth *s, draft *d, bool want_none)
{
	return superlative_make(s, d, want_none, &superlatives[SUP_SALES_AMOUNT]);
}

int crmw__syn_make_sales_cycle(synth *s, draft *d, bool want_none)
{
	return superlative_make(s, d, want_none, &superlatives[SUP_SALES_CYCLE]);
}
