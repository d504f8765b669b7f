/*
 * lib/tasks/families.c: the 22 task families and their table (the
 * superlative ones are in superlative.c, the confidentiality probes in
 * probes.c).  Each make() samples a task from the org (its latent variables
 * included), computes the answer with its own reference SQL, writes the
 * query from this project's templates, and writes the gold program: the
 * built-in tool calls that reach the same answer (the driver runs it and
 * keeps the task only when they agree).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/families.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* How a request for an agent's Id ends. */
const char crmw__syn_id_only[] =
	"[Return only the Id of the agent.|Answer with the agent's Id only.|Reply with just the Id of that agent.|Give me "
	"only the agent's Id.|Respond with the agent Id and nothing else.|Only the Id of the agent, please.|Just return "
	"the agent's Id.]";

/* The first column of one row of a query (one text parameter, or none),
 * drawn uniformly, into out: 0, 1 when there are no rows, or the error. */
static int pick_value(synth *s, draft *d, char *out, size_t cap, const char *sql, const char *param)
{
	json_t *rows = param ? crmw__syn_q(s, sql, "s", param) : crmw__syn_q(s, sql, NULL);
	QERR(rows);
	int rc = json_array_size(rows) ? 0 : 1;
	if (!rc)
		snprintf(out, cap, "%s", crmw__syn_str(rows, pick(d, rows), 0));
	json_decref(rows);
	return rc;
}

/* ------------------------------------------------------------ products */

/* A product with at least `min_cases` (1 or 4) cases: id and name. */
static int case_product(synth *s, draft *d, int min_cases, char id[19], char *name, size_t cap)
{
	json_t **cache = &s->case_products[min_cases > 1];
	if (!*cache) {
		*cache = crmw__syn_q(s,
			       "SELECT oi.Product2Id, p.Name FROM \"Case\" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c "
			       "JOIN Product2 p ON p.Id = oi.Product2Id GROUP BY 1 HAVING COUNT(*) >= ?1 ORDER BY 1",
			       "i", (int64_t)(min_cases > 1 ? 4 : 1));
		QERR(*cache);
	}
	const json_t *rows = *cache;
	if (json_array_size(rows) == 0)
		return 1;
	size_t k = pick(d, rows);
	snprintf(id, 19, "%s", crmw__syn_str(rows, k, 0));
	snprintf(name, cap, "%s", crmw__syn_str(rows, k, 1));
	return 0;
}

static int make_top_issue(synth *s, draft *d, bool want_none)
{
	char pid[19], pname[200];
	int rc = case_product(s, d, want_none ? 1 : 4, pid, pname, sizeof pname);
	if (rc)
		return rc;
	crmw__syn_today(s, d, 120);
	period p;
	/* more named periods than the general mix: short windows of a product
	 * with few cases rarely have one top issue, so the accepted tasks lean
	 * towards long relative periods otherwise */
	crmw__syn_period(s, d, &p, rng_below(&d->r, 100) < 45 ? P_NAMED : want_none ? P_REL | P_MONTH : P_ANY, false);
	json_t *counts = crmw__syn_q(s,
			       "SELECT c.IssueId__c, COUNT(*) FROM \"Case\" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c "
			       "WHERE oi.Product2Id = ?1 AND c.IssueId__c IS NOT NULL AND c.CreatedDate >= ?2 AND c.CreatedDate < ?3 "
			       "GROUP BY 1",
			       "sss", pid, p.a, p.b);
	QERR(counts);
	const char *best = NULL;
	int ex = crmw__syn_extreme(counts, true, &best);
	if (want_none ? ex != -1 : ex != 0) {
		json_decref(counts);
		return 1;
	}
	crmw__syn_answer(d, want_none ? NULL : best);
	json_decref(counts);
	crmw__syn_voice(s, d, "analyst");
	char pc[96];
	cap_phrase(&p, pc);
	slot sl[] = {{"product", pname}, {"period", p.phrase}, {"Period", pc}, {"id", pid}};
	crmw__syn_clause(d,
		   "[What is the most [frequently reported|common|frequent] [issue|problem] with the {product} {period}?|Which "
		   "issue was reported most often for the {product} {period}?|{Period}, what was the top issue for the "
		   "{product}?|What did customers complain about most for the {product} {period}?|Which problem came up "
		   "most [often|frequently] for the {product} {period}?|Find the most reported issue for the {product} "
		   "{period}.|{Period}, which issue did the {product} get the most cases about?|Identify the issue customers "
		   "raised most often about the {product} {period}.|{Period}, what was the {product}'s most common "
		   "problem?|Which issue led to the most {product} cases {period}?]",
		   sl, NSLOTS(sl));
	crmw__syn_clause(d,
		   "[The product Id is {id}.|Its product Id is {id}.|The associated product Id is {id}.|For reference, "
		   "the product's Id is {id}.|The product in question has the Id {id}.]",
		   sl, NSLOTS(sl));
	crmw__syn_clause(d,
		   "[Return only the Id of the issue.|Answer with the issue Id only.|Reply with the Id of the most "
		   "reported issue and nothing else.|Give only the issue's Id.|Just the Id of the issue, please.]",
		   NULL, 0);
	today_line(d);
	int oi = crmw__syn_step(d, "get_order_item_ids_by_product", json_pack("{s:s}", "product_id", pid));
	json_t *a, *b;
	crmw__syn_period_args(d, &p, &a, &b);
	int ic = crmw__syn_step(d, "get_issue_counts",
			  json_pack("{s:o, s:o, s:o}", "start_date", a, "end_date", b, "order_item_ids", crmw__syn_ref(oi, "")));
	int f = crmw__syn_step(d, "find_id_with_max_value", json_pack("{s:o}", "values_by_id", crmw__syn_ref(ic, "")));
	crmw__syn_respond_ref(d, f);
	return 0;
}

static int make_monthly_trend(synth *s, draft *d, bool want_none)
{
	char pid[19], pname[200];
	int rc = case_product(s, d, 4, pid, pname, sizeof pname);
	if (rc)
		return rc;
	crmw__syn_today(s, d, 400);
	period p;
	bool quarters = rng_below(&d->r, 2);
	crmw__syn_relative_period(d, &p, quarters ? "quarter" : "month",
			    quarters ? 2 + (int)rng_below(&d->r, 5) : 3 + (int)rng_below(&d->r, 9));
	json_t *counts = crmw__syn_q(s,
			       "SELECT CAST(strftime('%m', c.CreatedDate) AS INTEGER), COUNT(*) FROM \"Case\" c JOIN OrderItem oi "
			       "ON oi.Id = c.OrderItemId__c WHERE oi.Product2Id = ?1 AND c.CreatedDate >= ?2 AND c.CreatedDate < ?3 "
			       "GROUP BY 1",
			       "sss", pid, p.a, p.b);
	QERR(counts);
	/* the month must have more cases than every other month */
	size_t n = json_array_size(counts), best = 0;
	for (size_t i = 1; i < n; i++)
		if (crmw__syn_num(counts, i, 1) > crmw__syn_num(counts, best, 1))
			best = i;
	bool unique = n > 0;
	for (size_t i = 0; unique && i < n; i++)
		if (i != best && crmw__syn_num(counts, i, 1) >= crmw__syn_num(counts, best, 1))
			unique = false;
	if (want_none ? unique : !unique || crmw__syn_num(counts, best, 1) < 2) {
		json_decref(counts);
		return 1;
	}
	crmw__syn_answer(d, want_none ? NULL : crmw__month_names[(int)crmw__syn_num(counts, best, 0) - 1]);
	json_decref(counts);
	crmw__syn_voice(s, d, "analyst");
	char pc[96];
	cap_phrase(&p, pc);
	slot sl[] = {{"product", pname}, {"period", p.phrase}, {"Period", pc}, {"id", pid}};
	crmw__syn_clause(d,
		   "[Is there a month {period} in which we received significantly more cases about the {product} than in "
		   "other months?|{Period}, did one month stand out with far more {product} cases than the others?|Was "
		   "there a month {period} when cases for the {product} were significantly higher than in the other "
		   "months?|{Period}, which month, if any, had clearly more {product} cases than any other?|Did any single "
		   "month {period} bring in noticeably more cases about the {product}?|Is there a particular month {period} "
		   "where {product} cases spiked above every other month?|{Period}, was one month much busier than the "
		   "rest for {product} cases?|Can you find a month {period} when the {product} drew significantly more "
		   "cases than in other months?]",
		   sl, NSLOTS(sl));
	crmw__syn_clause(d,
		   "[The product Id is {id}.|The associated product Id is {id}.|Its product Id is {id}.|For reference, "
		   "the product Id is {id}.]",
		   sl, NSLOTS(sl));
	crmw__syn_clause(d,
		   "[Return only the month name.|Answer with the name of the month only.|Reply with just the month.|Give "
		   "only the name of that month.]",
		   NULL, 0);
	today_line(d);
	int oi = crmw__syn_step(d, "get_order_item_ids_by_product", json_pack("{s:s}", "product_id", pid));
	json_t *a, *b;
	crmw__syn_period_args(d, &p, &a, &b);
	int cs = crmw__syn_step(d, "get_cases",
			  json_pack("{s:o, s:o, s:o}", "start_date", a, "end_date", b, "order_item_ids", crmw__syn_ref(oi, "")));
	int mc = crmw__syn_step(d, "get_month_to_case_count", json_pack("{s:o}", "cases", crmw__syn_ref(cs, "")));
	int f = crmw__syn_step(d, "find_id_with_max_value", json_pack("{s:o}", "values_by_id", crmw__syn_ref(mc, "")));
	crmw__syn_respond_ref(d, f);
	return 0;
}

/* Products whose text holds every word of `words` (the product search's
 * full-text index). */
static json_t *fts_products(synth *s, const char *words)
{
	char q[256];
	size_t n = 0;
	for (const char *p = words; *p && n + 4 < sizeof q;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		q[n++] = '"';
		while (*p && *p != ' ' && n + 3 < sizeof q)
			q[n++] = *p++;
		q[n++] = '"';
		q[n++] = ' ';
	}
	q[n ? n - 1 : 0] = '\0';
	return crmw__syn_q(s, "SELECT p.Id FROM Product2 p WHERE p.rowid IN (SELECT rowid FROM crmw_fts_Product2 WHERE "
			"crmw_fts_Product2 MATCH ?1)",
		     "s", q);
}

/* The last `k` words of a product name made only of letters, lower-cased:
 * "Women's Golf Shoes 2" gives "shoes", then "golf shoes".  false when the
 * name has fewer such words. */
static bool keyword_of(const char *name, int k, char *out, size_t cap)
{
	const char *words[16];
	size_t lens[16];
	int n = 0;
	for (const char *p = name; *p && n < 16;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t len = (size_t)(p - w);
		bool letters = len >= 3;
		for (size_t i = 0; letters && i < len; i++)
			letters = (w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z');
		if (letters) {
			words[n] = w;
			lens[n++] = len;
		}
	}
	if (k > n)
		return false;
	size_t o = 0;
	for (int i = n - k; i < n; i++) {
		if (o + lens[i] + 2 > cap)
			return false;
		if (o)
			out[o++] = ' ';
		for (size_t j = 0; j < lens[i]; j++)
			out[o++] = (char)(words[i][j] >= 'A' && words[i][j] <= 'Z' ? words[i][j] - 'A' + 'a' : words[i][j]);
	}
	out[o] = '\0';
	return true;
}

/* Is the lower-case word w[0..wn) the word t[0..tn) (any case) but for a
 * plural ending: "glove" and "Gloves", "box" and "boxes"? */
static bool same_word(const char *w, size_t wn, const char *t, size_t tn)
{
	const char *a = wn <= tn ? w : t, *b = wn <= tn ? t : w;
	size_t an = wn <= tn ? wn : tn, bn = wn <= tn ? tn : wn;
	if (bn - an > 2)
		return false;
	for (size_t i = 0; i < an; i++)
		if ((a[i] | 0x20) != (b[i] | 0x20))
			return false;
	const char *rest = b + an;
	size_t rn = bn - an;
	return rn == 0 || (rn == 1 && (rest[0] | 0x20) == 's') ||
	       (rn == 2 && (rest[0] | 0x20) == 'e' && (rest[1] | 0x20) == 's');
}

/* Does `name` hold every word of `words` (lower case, one space apart), each
 * up to a plural ending?  Words of a name are its runs of letters and
 * digits. */
static bool name_holds(const char *name, const char *words)
{
	for (const char *w = words; *w;) {
		size_t wn = strcspn(w, " ");
		bool found = false;
		for (const char *t = name; *t && !found;) {
			while (*t && !((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9')))
				t++;
			const char *e = t;
			while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9'))
				e++;
			found = e > t && same_word(w, wn, t, (size_t)(e - t));
			t = e;
		}
		if (!found)
			return false;
		w += wn;
		while (*w == ' ')
			w++;
	}
	return true;
}

/* How many distinct products that `acc` bought on `day` a reader would take
 * `words` for: their name holds every word up to a plural ending ("glove"
 * names the Golf Glove and the Goalkeeper Gloves).  *only: the id when
 * there is exactly one.  -1 on error (s->rc). */
static int purchases_named(synth *s, const char *acc, const char *day, const char *words, char only[19])
{
	json_t *rows = crmw__syn_q(s,
			     "SELECT DISTINCT oi.Product2Id, p.Name FROM OrderItem oi JOIN \"Order\" o ON o.Id = oi.OrderId JOIN "
			     "Product2 p ON p.Id = oi.Product2Id WHERE o.AccountId = ?1 AND o.EffectiveDate = ?2 AND o.Status = "
			     "'Activated' ORDER BY 1",
			     "ss", acc, day);
	if (!rows)
		return -1;
	int n = 0;
	only[0] = '\0';
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const char *nm = crmw__syn_str(rows, i, 1);
		if (nm && name_holds(nm, words) && n++ == 0)
			snprintf(only, 19, "%s", crmw__syn_str(rows, i, 0));
	}
	json_decref(rows);
	return n;
}

/* The products of `words` that `account` bought on `day` (distinct ids). */
static json_t *purchases_matching(synth *s, const char *acc, const char *day, const char *words)
{
	json_t *rows = fts_products(s, words);
	if (!rows)
		return NULL;
	json_t *prods = crmw__syn_col(rows, 0);
	json_decref(rows);
	char *ptext = crmw__syn_json_text(prods);
	json_decref(prods);
	json_t *hits = crmw__syn_q(s,
			     "SELECT DISTINCT oi.Product2Id FROM OrderItem oi JOIN \"Order\" o ON o.Id = oi.OrderId WHERE "
			     "o.AccountId = ?1 AND o.EffectiveDate = ?2 AND o.Status = 'Activated' AND oi.Product2Id IN (SELECT value "
			     "FROM json_each(?3))",
			     "sss", acc, day, ptext);
	free(ptext);
	return hits;
}

static int make_ned(synth *s, draft *d, bool want_none)
{
	json_t *top = crmw__syn_q(s, "SELECT MAX(rowid) FROM OrderItem", NULL);
	QERR(top);
	int64_t maxrow = (int64_t)crmw__syn_num(top, 0, 0);
	json_decref(top);
	if (maxrow < 1)
		return 1;
	json_t *buys = crmw__syn_q(s,
			     "SELECT ct.Id, ct.AccountId, o.EffectiveDate, oi.Product2Id, p.Name FROM OrderItem oi JOIN \"Order\" o "
			     "ON o.Id = oi.OrderId JOIN Contact ct ON ct.AccountId = o.AccountId JOIN Product2 p ON p.Id = oi.Product2Id "
			     "WHERE o.Status = 'Activated' AND oi.rowid = ?1 ORDER BY ct.Id LIMIT 1",
			     "i", (int64_t)(1 + rng_below(&d->r, (uint32_t)maxrow)));
	QERR(buys);
	if (json_array_size(buys) == 0) {
		json_decref(buys);
		return 1;
	}
	char cid[19], acc[19], day[11], name[200], pid[19];
	snprintf(cid, sizeof cid, "%s", crmw__syn_str(buys, 0, 0));
	snprintf(acc, sizeof acc, "%s", crmw__syn_str(buys, 0, 1));
	snprintf(day, sizeof day, "%.10s", crmw__syn_str(buys, 0, 2));
	snprintf(pid, sizeof pid, "%s", crmw__syn_str(buys, 0, 3));
	snprintf(name, sizeof name, "%s", crmw__syn_str(buys, 0, 4));
	json_decref(buys);
	if (want_none) /* the same words, another day */
		crmw__syn_day_text(crmw__syn_days(day) - 1 - (int64_t)rng_below(&d->r, 20), day);
	/* The fewest words of the name that single out the purchase: the product
	 * search finds that one product among the day's purchases (or, for a
	 * None task, none of them), and a reader would take the words for that
	 * one product only (or for none): "glove" is ambiguous when the Golf
	 * Glove and the Goalkeeper Gloves were bought that day. */
	char word[128];
	bool found = false, ambiguous = false;
	for (int k = 1; !found && keyword_of(name, k, word, sizeof word); k++) {
		json_t *hits = purchases_matching(s, acc, day, word);
		QERR(hits);
		size_t nh = json_array_size(hits);
		found = want_none ? nh == 0 : nh == 1 && strcmp(crmw__syn_str(hits, 0, 0), pid) == 0;
		json_decref(hits);
		if (found) {
			char only[19];
			int named = purchases_named(s, acc, day, word, only);
			if (named < 0)
				return s->rc;
			found = want_none ? named == 0 : named == 1 && strcmp(only, pid) == 0;
			ambiguous = ambiguous || !found;
		}
		if (want_none)
			break;
	}
	if (ambiguous)
		s->ambiguous++;
	if (!found)
		return 1;
	/* When, as customers say it: three or five days, a week, a fortnight
	 * or two weeks, three weeks, a month ago (a calendar month: the same
	 * day of the month before). */
	char agotext[48], nb[16];
	int64_t bought = crmw__syn_days(day), today;
	uint32_t w = rng_below(&d->r, 100);
	static const char *const back[] = {"ago", "ago", "back"};
	const char *ago = back[rng_below(&d->r, 3)];
	if (w < 40) {
		int n = w < 15 ? 3 : w < 30 ? 5 : w < 35 ? 7 : 10;
		snprintf(agotext, sizeof agotext, "%s days %s", crmw__syn_count_text(d, n, nb), ago);
		today = bought + n;
	} else if (w < 55) {
		snprintf(agotext, sizeof agotext, "%s %s", rng_below(&d->r, 3) ? "a week" : "one week", ago);
		today = bought + 7;
	} else if (w < 78) {
		static const char *const two[] = {"a fortnight", "two weeks", "fourteen days", "14 days"};
		snprintf(agotext, sizeof agotext, "%s %s", two[rng_below(&d->r, 4)], ago);
		today = bought + 14;
	} else if (w < 84) {
		snprintf(agotext, sizeof agotext, "%s weeks %s", rng_below(&d->r, 2) ? "three" : "3", ago);
		today = bought + 21;
	} else {
		int y, m, dd;
		crmw__civil_from_days(bought, &y, &m, &dd);
		if (dd > 28)
			return 1; /* "a month ago" from the 29th to the 31st names no single day */
		today = crmw__days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, dd);
		snprintf(agotext, sizeof agotext, "%s %s", rng_below(&d->r, 3) ? "a month" : "one month", ago);
	}
	d->today_days = today;
	if (d->today_days > s->now_days)
		return 1;
	crmw__syn_day_text(d->today_days, d->today);
	snprintf(d->today_dt, sizeof d->today_dt, "%sT00:00:00Z", d->today);
	crmw__syn_answer(d, want_none ? NULL : pid);
	crmw__syn_voice(s, d, "customer");
	slot sl[] = {{"word", word}, {"ago", agotext}};
	crmw__syn_clause(d,
		   "[Can you show me the {word} I bought {ago}?|I'm asking about the {word} I purchased {ago}.|Could you "
		   "find the {word} I ordered {ago}?|Please pull up the {word} I got {ago}.|I'd like to see the {word} I "
		   "purchased {ago}.|Can you look up the {word} I ordered from you {ago}?|Which {word} did I buy {ago}? "
		   "Please find it.|Show me the {word} I picked up {ago}, please.|I bought a {word} {ago}; can you find it "
		   "in my purchases?|Could you display the {word} that I purchased {ago}?|Where can I see the {word} I "
		   "bought {ago}?|I need the details of the {word} I ordered {ago}.]",
		   sl, NSLOTS(sl));
	crmw__syn_clause(d,
		   "[Return only the Id of the product from the contact's purchase.|Answer with the product Id of that "
		   "purchase only.|Reply with just the Id of that product.|Give only the Id of the product I bought.|Just "
		   "the product Id from that purchase, please.]",
		   NULL, 0);
	crmw__syn_required(d, "- Contact Id: %s\n", cid);
	today_line(d);
	snprintf(d->role, sizeof d->role, "external:%s", cid);
	int ac = crmw__syn_step(d, "get_account_id_by_contact_id", json_pack("{s:s}", "contact_id", cid));
	int sp = crmw__syn_step(d, "search_products", json_pack("{s:s}", "search_term", word));
	char pd[21];
	snprintf(pd, sizeof pd, "%sT00:00:00Z", day);
	int ph = crmw__syn_step(d, "get_purchase_history",
			  json_pack("{s:o, s:s, s:o}", "account_id", crmw__syn_ref(ac, ""), "purchase_date", pd,
				    "related_product_ids", crmw__syn_ref(sp, "")));
	crmw__syn_step(d, "respond", json_pack("{s:o}", "content", crmw__syn_ref_text(ph, "/0/Product2Id")));
	return 0;
}

/* ------------------------------------------------- policies and knowledge */

/* The knowledge article of a policy kind, with its title. */
static int policy_article(synth *s, const char *kind, char id[19], char *title, size_t cap)
{
	char url[64];
	snprintf(url, sizeof url, "policy-%s", kind);
	json_t *rows = crmw__syn_q(s, "SELECT Id, Title FROM Knowledge__kav WHERE UrlName = ?1", "s", url);
	QERR(rows);
	int rc = json_array_size(rows) ? 0 : 1;
	if (!rc) {
		snprintf(id, 19, "%s", crmw__syn_str(rows, 0, 0));
		snprintf(title, cap, "%s", crmw__syn_str(rows, 0, 1));
	}
	json_decref(rows);
	return rc;
}

static const char *issue_policy(synth *s, const char *issue_name)
{
	for (const crmw_issue *i = s->vocab->issues; i->name; i++)
		if (strcmp(i->name, issue_name) == 0)
			return i->policy;
	return NULL;
}

static int make_policy_violation(synth *s, draft *d, bool want_none)
{
	/* A violated article drawn first (uniformly among those with planted
	 * violations), then one of its cases: every policy is asked about, not
	 * only the one whose issues are most frequent. */
	json_t *rows;
	if (want_none) {
		rows = crmw__syn_q(s,
			     "SELECT c.Id, NULL, i.Name FROM \"Case\" c JOIN Issue__c i ON i.Id = c.IssueId__c WHERE c.Id NOT IN "
			     "(SELECT case_id FROM crmw_latent_violation) AND (EXISTS (SELECT 1 FROM EmailMessage e WHERE "
			     "e.ParentId = c.Id) OR EXISTS (SELECT 1 FROM LiveChatTranscript t WHERE t.CaseId = c.Id)) ORDER BY "
			     "c.Id",
			     NULL);
	} else {
		char pick_art[19];
		int rc = pick_value(s, d, pick_art, sizeof pick_art,
				    "SELECT DISTINCT article_id FROM crmw_latent_violation ORDER BY 1", NULL);
		if (rc)
			return rc;
		rows = crmw__syn_q(s,
			     "SELECT v.case_id, v.article_id, i.Name FROM crmw_latent_violation v JOIN \"Case\" c ON c.Id = "
			     "v.case_id JOIN Issue__c i ON i.Id = c.IssueId__c WHERE v.article_id = ?1 ORDER BY v.case_id",
			     "s", pick_art);
	}
	QERR(rows);
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return 1;
	}
	size_t k = pick(d, rows);
	char cid[19], art[19] = "", issue[160];
	snprintf(cid, sizeof cid, "%s", crmw__syn_str(rows, k, 0));
	if (!want_none)
		snprintf(art, sizeof art, "%s", crmw__syn_str(rows, k, 1));
	snprintf(issue, sizeof issue, "%s", crmw__syn_str(rows, k, 2));
	json_decref(rows);
	const char *kind = issue_policy(s, issue);
	char pid[19], title[200];
	if (!kind || policy_article(s, kind, pid, title, sizeof title))
		return 1;
	if (!want_none && strcmp(pid, art) != 0)
		return 1; /* the planted article is the issue's policy */
	crmw__syn_answer(d, want_none ? NULL : art);
	crmw__syn_voice(s, d, "agent");
	crmw__syn_clause(d,
		   "[Did the agent break a company policy in this case?|Did the agent's replies in this case go against "
		   "our policies?|Was any policy violated in how this case was handled?|Did the agent breach a policy "
		   "here?|Did our agent say anything that contradicts company policy in this case?|Is there a policy "
		   "violation in this case?|Did the agent contradict one of our knowledge articles in this case?|Did "
		   "anything the agent told the customer here break company rules?|Looking at the e-mails and chats of "
		   "this case, did the agent breach a policy?|Was this case handled against any of our policies?]",
		   NULL, 0);
	crmw__syn_clause(d,
		   "[If so, which knowledge article was violated?|If yes, which knowledge article did the agent "
		   "contradict?|If there was a breach, which article did it go against?|If so, name the knowledge article "
		   "that was breached.|If a policy was broken, which knowledge article states it?|If yes, which article "
		   "was not followed?]",
		   NULL, 0);
	crmw__syn_clause(d,
		   "[Return only the Id of the knowledge article, or None if there was no violation.|Answer with the "
		   "article Id only, or None when no policy was broken.|Reply with the knowledge article's Id, or None if "
		   "everything was within policy.|Give just the Id of the article, or None if there is no violation.]",
		   NULL, 0);
	crmw__syn_required(d, "- Case Id: %s\n", cid);
	crmw__syn_step(d, "get_email_messages_by_case_id", json_pack("{s:s}", "case_id", cid));
	crmw__syn_step(d, "get_livechat_transcript_by_case_id", json_pack("{s:s}", "case_id", cid));
	crmw__syn_step(d, "search_knowledge_articles", json_pack("{s:s}", "search_term", title));
	crmw__syn_expect(d, pid);
	crmw__syn_respond(d, want_none ? "None" : art);
	return 0;
}

/* Search words of a title: letters, digits and spaces only. */
static void search_words(const char *title, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = title; *p && n + 1 < cap; p++) {
		char c = *p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
		if (!keep)
			c = ' ';
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/*
 * A question one knowledge article answers.  The article is drawn first
 * (a service policy or one product's FAQ, among those customers may read),
 * then one of its facts; the fact's question comes in several forms
 * (crmw_latent_fact keeps them as [a|b] choices), sometimes after a
 * sentence that says why the customer asks.  The answer is the article's
 * own short answer, so answers differ from article to article.
 */
static int make_knowledge_qa(synth *s, draft *d, bool want_none)
{
	(void)want_none;
	const json_t *arts = crmw__syn_cached(s, SYN_ARTICLES,
					"SELECT DISTINCT f.article_id, k.Title, k.UrlName FROM crmw_latent_fact f JOIN Knowledge__kav k "
					"ON k.Id = f.article_id WHERE k.PublishStatus = 'Online' AND k.IsVisibleInCsp = 1 ORDER BY "
					"k.rowid");
	QERR(arts);
	const json_t *contacts = crmw__syn_cached(s, SYN_CONTACTS, "SELECT Id FROM Contact WHERE rowid % 17 = 3 ORDER BY rowid");
	QERR(contacts);
	if (json_array_size(arts) == 0 || json_array_size(contacts) == 0)
		return 1;
	/* An answer no task of the family has yet, when one of a few draws
	 * finds it: articles share values ("12 months"), and the published
	 * set's answers are nearly all distinct. */
	size_t k = 0, f = 0;
	json_t *facts = NULL;
	for (int tries = 0; tries < 8; tries++) {
		json_decref(facts);
		k = pick(d, arts);
		facts = crmw__syn_q(s, "SELECT question, answer FROM crmw_latent_fact WHERE article_id = ?1 ORDER BY rowid",
				    "s", crmw__syn_str(arts, k, 0));
		QERR(facts);
		if (json_array_size(facts) == 0) {
			json_decref(facts);
			return 1;
		}
		f = pick(d, facts);
		if (crmw__syn_answered(s, crmw__syn_str(facts, f, 1)) == 0)
			break;
	}
	char aid[19], title[240], words[240];
	snprintf(aid, sizeof aid, "%s", crmw__syn_str(arts, k, 0));
	snprintf(title, sizeof title, "%s", crmw__syn_str(arts, k, 1));
	bool faq = strncmp(crmw__syn_str(arts, k, 2), "faq-", 4) == 0;
	search_words(title, words, sizeof words);
	crmw__syn_answer(d, crmw__syn_str(facts, f, 1));
	crmw__syn_voice(s, d, "customer");
	char product[240];
	snprintf(product, sizeof product, "%s", title);
	char *colon = strstr(product, ": ");
	if (colon)
		*colon = '\0';
	slot sl[] = {{"product", product}};
	if (rng_below(&d->r, 100) < 45)
		crmw__syn_clause(d,
			   faq ? "[I'm thinking of buying the {product}.|I just bought the {product}.|A friend recommended "
				 "the {product} to me.|I'm comparing a few products, including the {product}.|I have the "
				 "{product} in my basket.|My {product} arrived yesterday.|I've had the {product} for a few "
				 "weeks now.|I'm getting the {product} as a gift for someone.|I saw the {product} on your "
				 "website.|My old one broke, so I'm looking at the {product}.]"
			       : "[I have a question about your policies.|I read your terms, but I'm not sure about something.|"
				 "Before I order, I'd like to check something.|I want to understand your rules on this.|A friend "
				 "told me something about your policy and I want to check.|I couldn't find this in the help "
				 "pages.|I'm about to place an order and have a question.|Something happened with my last "
				 "order.]",
			   sl, NSLOTS(sl));
	crmw__syn_clause(d, crmw__syn_str(facts, f, 0), NULL, 0);
	if (rng_below(&d->r, 100) < 25)
		crmw__syn_clause(d,
			   "[I couldn't find it on the website.|I need to know before I order.|Thanks!|A short answer is "
			   "fine.|I'd appreciate a quick answer.|Thank you in advance.|Just the key fact, please.]",
			   NULL, 0);
	crmw__syn_required(d, "- Answer the question concisely from what the knowledge articles say.\n");
	snprintf(d->role, sizeof d->role, "external:%s", crmw__syn_str(contacts, pick(d, contacts), 0));
	crmw__syn_step(d, "search_knowledge_articles", json_pack("{s:s}", "search_term", words));
	crmw__syn_expect(d, aid);
	crmw__syn_respond(d, crmw__syn_str(facts, f, 1));
	json_decref(facts);
	return 0;
}

static const char routing_policy[] =
	"## Case routing policy\n"
	"- Issue expertise: the best agent for a new case is the one who closed the most cases of the issue closest to "
	"the new case.\n"
	"- Product expertise: on a tie, the one among them who closed the most cases about the case's product.\n"
	"- Workload: on a further tie, the one among them with the fewest cases that are not Closed.\n";

/* The agent the case routing policy picks for a new case of issue `iid`
 * about product `pid`: the most closed cases of the issue; among tied agents
 * the most closed cases about the product; among those still tied the
 * fewest open cases.  *stage: the step that decided (1 to 3).  0 with the
 * answer set; 1 when no step decides cleanly (the draft is dropped);
 * s->rc on a failed query. */
static int routing_answer(synth *s, draft *d, const char *iid, const char *pid, int *stage)
{
	/* 1) closed cases of the issue per agent */
	json_t *m1 = crmw__syn_q(s,
			   "SELECT OwnerId, COUNT(*) FROM \"Case\" WHERE IssueId__c = ?1 AND Status = 'Closed' GROUP BY 1 "
			   "ORDER BY 2 DESC",
			   "s", iid);
	QERR(m1);
	json_t *tied = json_array();
	for (size_t i = 0; i < json_array_size(m1); i++)
		if (crmw__syn_num(m1, i, 1) == crmw__syn_num(m1, 0, 1))
			json_array_append_new(tied, json_string(crmw__syn_str(m1, i, 0)));
	json_decref(m1);
	*stage = 1;
	json_t *tied2 = NULL;
	if (json_array_size(tied) > 1) {
		*stage = 2;
		char *t = crmw__syn_json_text(tied);
		json_t *m2 = crmw__syn_q(s,
				   "SELECT c.OwnerId, COUNT(*) FROM \"Case\" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c WHERE "
				   "oi.Product2Id = ?1 AND c.Status = 'Closed' AND c.OwnerId IN (SELECT value FROM json_each(?2)) "
				   "GROUP BY 1 ORDER BY 2 DESC",
				   "ss", pid, t);
		free(t);
		if (!m2) {
			json_decref(tied);
			return s->rc;
		}
		tied2 = json_array();
		for (size_t i = 0; i < json_array_size(m2); i++)
			if (crmw__syn_num(m2, i, 1) == crmw__syn_num(m2, 0, 1))
				json_array_append_new(tied2, json_string(crmw__syn_str(m2, i, 0)));
		json_decref(m2);
		if (json_array_size(tied2) == 0) {
			json_decref(tied);
			json_decref(tied2);
			return 1; /* nobody closed a case about the product: no clean tie-break */
		}
		if (json_array_size(tied2) > 1) {
			*stage = 3;
			char *t2 = crmw__syn_json_text(tied2);
			json_t *m3 = crmw__syn_q(s,
					   "SELECT value, (SELECT COUNT(*) FROM \"Case\" c WHERE c.OwnerId = value AND c.Status != "
					   "'Closed') FROM json_each(?1)",
					   "s", t2);
			free(t2);
			if (!m3) {
				json_decref(tied);
				json_decref(tied2);
				return s->rc;
			}
			const char *best = NULL;
			bool zero = false;
			for (size_t i = 0; i < json_array_size(m3); i++)
				zero = zero || crmw__syn_num(m3, i, 1) == 0;
			if (zero || crmw__syn_extreme(m3, false, &best)) {
				json_decref(m3);
				json_decref(tied);
				json_decref(tied2);
				return 1;
			}
			crmw__syn_answer(d, best);
			json_decref(m3);
		} else {
			crmw__syn_answer(d, json_string_value(json_array_get(tied2, 0)));
		}
	} else if (json_array_size(tied) == 1) {
		crmw__syn_answer(d, json_string_value(json_array_get(tied, 0)));
	} else {
		json_decref(tied);
		return 1;
	}
	json_decref(tied);
	json_decref(tied2);
	return 0;
}

/* The request: the manager's question and the new case, its subject and
 * description written from the issue's own templates. */
static void routing_text(synth *s, draft *d, const crmw_issue *is, const char *pname)
{
	slot ps[] = {{"product", pname}};
	crmw_buf subj = CRMW_BUF_INIT, desc = CRMW_BUF_INIT;
	int ns = 0;
	while (is->subjects[ns])
		ns++;
	crmw__render(&subj, &d->r, is->subjects[rng_below(&d->r, (uint32_t)ns)], ps, 1);
	crmw__case_story(&desc, &d->r, s->vocab, is, pname);
	crmw__syn_voice(s, d, "manager");
	crmw__syn_clause(d,
		   "[Following the case routing policy, which agent should take this new case?|Use the case routing "
		   "policy to pick the best agent for the case below.|Who is the most suitable agent for this new case under "
		   "the routing policy?|Apply the routing policy: which agent should handle the case below?|Which agent "
		   "should this case go to, according to the case routing policy?|Based on our routing policy, who is the "
		   "right agent for this case?|Please assign the case below to the best agent, as the routing policy "
		   "says.|Decide which agent the case below should be routed to, following the routing policy.|Under the "
		   "case routing policy, who is best placed to take on this case?|Find the agent the routing policy would "
		   "give this new case to.]",
		   NULL, 0);
	crmw__syn_clause(d, crmw__syn_id_only, NULL, 0);
	crmw_buf c = CRMW_BUF_INIT;
	crmw_buf hb = CRMW_BUF_INIT;
	const char *head = choose(d, &hb, "[## New case|## The case|## Incoming case|## Case to route]");
	bool plain = rng_below(&d->r, 2); /* "Subject" or "Case Subject" */
	crmw__buf_printf(&c, "%s\n- %s: %s\n- %s: %s", head, plain ? "Subject" : "Case Subject", subj.data ? subj.data : "",
			 plain ? "Description" : "Case Description", desc.data ? desc.data : "");
	crmw_buf_dispose(&hb);
	json_array_append_new(d->clauses, json_string(c.data ? c.data : ""));
	crmw_buf_dispose(&c);
	crmw_buf_dispose(&subj);
	crmw_buf_dispose(&desc);
}

/* The gold program of a routing task decided at `stage`: the issue's closed
 * cases, then the product's among the leaders, then the open cases of those
 * still tied. */
static int routing_program(synth *s, draft *d, const char *iid, const char *pid, const char *word, int stage)
{
	crmw__syn_required(d, "%s", routing_policy);
	int gi = crmw__syn_step(d, "get_issues", NULL);
	crmw__syn_expect(d, iid);
	(void)gi;
	int c1 = crmw__syn_step(d, "get_cases", json_pack("{s:[s], s:[s]}", "issue_ids", iid, "statuses", "Closed"));
	int a1 = crmw__syn_step(d, "get_agents_with_max_cases", json_pack("{s:o}", "subset_cases", crmw__syn_ref(c1, "")));
	if (stage == 1) {
		crmw__syn_respond_ref(d, a1);
	} else {
		crmw__syn_step(d, "search_products", json_pack("{s:s}", "search_term", word));
		crmw__syn_expect(d, pid);
		int oi = crmw__syn_step(d, "get_order_item_ids_by_product", json_pack("{s:s}", "product_id", pid));
		int c2 = crmw__syn_step(d, "get_cases",
				  json_pack("{s:o, s:o, s:[s]}", "order_item_ids", crmw__syn_ref(oi, ""), "agent_ids", crmw__syn_ref(a1, ""),
					    "statuses", "Closed"));
		int a2 = crmw__syn_step(d, "get_agents_with_max_cases", json_pack("{s:o}", "subset_cases", crmw__syn_ref(c2, "")));
		if (stage == 2) {
			crmw__syn_respond_ref(d, a2);
		} else {
			json_t *open = crmw__syn_q(s, "SELECT DISTINCT Status FROM \"Case\" WHERE Status != 'Closed' ORDER BY 1", NULL);
			if (!open)
				return s->rc;
			int c3 = crmw__syn_step(d, "get_cases",
					  json_pack("{s:o, s:o}", "agent_ids", crmw__syn_ref(a2, ""), "statuses", crmw__syn_col(open, 0)));
			json_decref(open);
			int a3 = crmw__syn_step(d, "get_agents_with_min_cases", json_pack("{s:o}", "subset_cases", crmw__syn_ref(c3, "")));
			crmw__syn_respond_ref(d, a3);
		}
	}
	return 0;
}

static int make_case_routing(synth *s, draft *d, bool want_none)
{
	(void)want_none;
	/* The issue first (uniformly among those with cases), then a case of
	 * it: each issue's experts are asked about, not mostly the frequent
	 * issue's. */
	char the_issue[19];
	int prc = pick_value(s, d, the_issue, sizeof the_issue,
			     "SELECT DISTINCT IssueId__c FROM \"Case\" WHERE IssueId__c IS NOT NULL ORDER BY 1", NULL);
	if (prc)
		return prc;
	json_t *rows = crmw__syn_q(s,
			     "SELECT c.IssueId__c, i.Name, oi.Product2Id, p.Name FROM \"Case\" c JOIN Issue__c i ON i.Id = "
			     "c.IssueId__c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c JOIN Product2 p ON p.Id = oi.Product2Id "
			     "WHERE c.IssueId__c = ?1 ORDER BY c.rowid",
			     "s", the_issue);
	QERR(rows);
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return 1;
	}
	size_t k = pick(d, rows);
	char iid[19], iname[160], pid[19], pname[200];
	snprintf(iid, sizeof iid, "%s", crmw__syn_str(rows, k, 0));
	snprintf(iname, sizeof iname, "%s", crmw__syn_str(rows, k, 1));
	snprintf(pid, sizeof pid, "%s", crmw__syn_str(rows, k, 2));
	snprintf(pname, sizeof pname, "%s", crmw__syn_str(rows, k, 3));
	json_decref(rows);
	const crmw_issue *is = NULL;
	for (const crmw_issue *i = s->vocab->issues; i->name; i++)
		if (strcmp(i->name, iname) == 0)
			is = i;
	char word[64];
	if (!is || (!keyword_of(pname, 2, word, sizeof word) && !keyword_of(pname, 1, word, sizeof word)))
		return 1;
	int stage;
	int rc = routing_answer(s, d, iid, pid, &stage);
	if (rc)
		return rc;
	routing_text(s, d, is, pname);
	return routing_program(s, d, iid, pid, word, stage);
}

/* -------------------------------------------------------------- sales */

/*
 * Conversion rate, as CRMArena-Pro's policy defines it: of the leads an
 * agent owns that were created in the period, the share that converted
 * within that same period (ConvertedDate in it too).  The tool's other
 * reading ("conversions": "any_time", leads converted whenever) is named
 * and not the default.
 */
static int make_conversion(synth *s, draft *d, bool want_none)
{
	bool max = rng_below(&d->r, 2);
	period p;
	/* None only before the data (every span of the data has leads), so the
	 * other tasks ask about relative periods more often than the general
	 * mix, as the published set does (about four in five in all); a tie
	 * draws another day and period of the same kind (a few times), so that
	 * ties do not skew the mix either. */
	int kinds = want_none ? P_NAMED : rng_below(&d->r, 100) < 90 ? 1 << P_REL : P_NAMED;
	for (int tries = 0;; tries++) {
		crmw__syn_today(s, d, 200);
		crmw__syn_period(s, d, &p, kinds, want_none);
		kinds = 1 << p.kind;
		char a_day[11], b_day[11];
		crmw__syn_day_text(p.a_days, a_day);
		crmw__syn_day_text(p.b_days, b_day);
		json_t *rows = crmw__syn_q(s,
				     "SELECT OwnerId, SUM(IsConverted = 1 AND ConvertedDate >= ?3 AND ConvertedDate < ?4) * 1.0 / "
				     "COUNT(*) FROM Lead WHERE CreatedDate >= ?1 AND CreatedDate < ?2 AND OwnerId IS NOT NULL GROUP BY 1",
				     "ssss", p.a, p.b, a_day, b_day);
		QERR(rows);
		const char *best = NULL;
		int ex = crmw__syn_extreme(rows, max, &best);
		bool hit = want_none ? ex == -1 : ex == 0;
		if (hit)
			crmw__syn_answer(d, want_none ? NULL : best);
		json_decref(rows);
		if (hit)
			break;
		if (tries == 3)
			return 1;
	}
	crmw__syn_voice(s, d, "sales");
	char pc[96];
	cap_phrase(&p, pc);
	crmw_buf b1 = CRMW_BUF_INIT, b2 = CRMW_BUF_INIT;
	const char *hl = choose(d, &b1, max ? "[highest|best|top]" : "[lowest|worst|weakest]");
	const char *who = choose(d, &b2, "[agent|agent|sales agent|rep|sales rep]");
	slot sl[] = {{"period", p.phrase}, {"Period", pc}, {"hl", hl}, {"who", who},
		     {"most", max ? "the largest share" : "the smallest share"}};
	crmw__syn_clause(d,
		   "[Which {who} had the {hl} lead conversion rate {period}?|{Period}, whose leads converted at the {hl} "
		   "rate?|Find the {who} with the {hl} rate of converted leads {period}.|Who had the {hl} lead conversion "
		   "rate {period}?|{Period}, which {who} turned {most} of their leads into customers?|Identify the {who} "
		   "with the {hl} share of converted leads {period}.|Determine which {who} had the {hl} lead conversion "
		   "rate {period}.|Which {who} had the {hl} conversion rate on new leads {period}?|{Period}, who was the "
		   "{who} with the {hl} lead conversion rate?]",
		   sl, NSLOTS(sl));
	crmw_buf_dispose(&b1);
	crmw_buf_dispose(&b2);
	crmw__syn_clause(d, crmw__syn_id_only, NULL, 0);
	crmw__syn_required(d, "## Conversion rate\n- An agent's lead conversion rate is the share of the leads they own, created "
			"in the period, that were converted within that same period (their ConvertedDate falls in it too).\n");
	today_line(d);
	json_t *a, *b;
	crmw__syn_period_args(d, &p, &a, &b);
	int m = crmw__syn_step(d, "get_agent_lead_conversion_rates", json_pack("{s:o, s:o}", "start_date", a, "end_date", b));
	int f = crmw__syn_step(d, max ? "find_id_with_max_value" : "find_id_with_min_value",
			 json_pack("{s:o}", "values_by_id", crmw__syn_ref(m, "")));
	crmw__syn_respond_ref(d, f);
	return 0;
}

static const char lead_routing_policy[] =
	"## Lead routing policy\n"
	"- Territory: the territory whose Description (a comma-separated list of states) holds the lead's state.\n"
	"- Quote success: among the agents of that territory, the one with the most quotes with Status 'Accepted' "
	"(a quote's agent is the owner of its opportunity).\n"
	"- Workload: on a tie, the one among them with the fewest leads that are not converted.\n";

static int make_lead_routing(synth *s, draft *d, bool want_none)
{
	(void)want_none;
	json_t *terr = crmw__syn_q(s, "SELECT Id, Description FROM Territory2 ORDER BY Id", NULL);
	QERR(terr);
	if (json_array_size(terr) == 0) {
		json_decref(terr);
		return 1;
	}
	size_t k = pick(d, terr);
	char tid[19], desc[600], state[8];
	snprintf(tid, sizeof tid, "%s", crmw__syn_str(terr, k, 0));
	snprintf(desc, sizeof desc, "%s", crmw__syn_str(terr, k, 1) ? crmw__syn_str(terr, k, 1) : "");
	/* a state of its description that no other territory lists */
	int nst = 0;
	char states[64][8];
	for (char *p = strtok(desc, ", "); p && nst < 64; p = strtok(NULL, ", "))
		snprintf(states[nst++], 8, "%s", p);
	if (nst == 0) {
		json_decref(terr);
		return 1;
	}
	snprintf(state, sizeof state, "%s", states[rng_below(&d->r, (uint32_t)nst)]);
	int covering = 0;
	for (size_t i = 0; i < json_array_size(terr); i++) {
		char dd[600];
		snprintf(dd, sizeof dd, "%s", crmw__syn_str(terr, i, 1) ? crmw__syn_str(terr, i, 1) : "");
		for (char *p = strtok(dd, ", "); p; p = strtok(NULL, ", "))
			if (strcmp(p, state) == 0) {
				covering++;
				break;
			}
	}
	json_decref(terr);
	if (covering != 1)
		return 1;
	json_t *users = crmw__syn_q(s, "SELECT DISTINCT UserId FROM UserTerritory2Association WHERE Territory2Id = ?1 ORDER BY 1",
			      "s", tid);
	QERR(users);
	json_t *uids = crmw__syn_col(users, 0);
	json_decref(users);
	char *utext = crmw__syn_json_text(uids);
	json_t *acc = crmw__syn_q(s,
			    "SELECT o.OwnerId, COUNT(*) FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId WHERE q.Status = "
			    "'Accepted' AND o.OwnerId IN (SELECT value FROM json_each(?1)) GROUP BY 1 ORDER BY 2 DESC",
			    "s", utext);
	free(utext);
	if (!acc) {
		json_decref(uids);
		return s->rc;
	}
	if (json_array_size(acc) == 0) {
		json_decref(acc);
		json_decref(uids);
		return 1;
	}
	json_t *tied = json_array();
	for (size_t i = 0; i < json_array_size(acc); i++)
		if (crmw__syn_num(acc, i, 1) == crmw__syn_num(acc, 0, 1))
			json_array_append_new(tied, json_string(crmw__syn_str(acc, i, 0)));
	json_decref(acc);
	bool tie = json_array_size(tied) > 1;
	if (tie) {
		char *t = crmw__syn_json_text(tied);
		json_t *open = crmw__syn_q(s,
				     "SELECT value, (SELECT COUNT(*) FROM Lead l WHERE l.OwnerId = value AND l.IsConverted = 0) FROM "
				     "json_each(?1)",
				     "s", t);
		free(t);
		if (!open) {
			json_decref(tied);
			json_decref(uids);
			return s->rc;
		}
		const char *best = NULL;
		bool zero = false;
		for (size_t i = 0; i < json_array_size(open); i++)
			zero = zero || crmw__syn_num(open, i, 1) == 0;
		int rc = zero || crmw__syn_extreme(open, false, &best) ? 1 : 0;
		if (!rc)
			crmw__syn_answer(d, best);
		json_decref(open);
		if (rc) {
			json_decref(tied);
			json_decref(uids);
			return 1;
		}
	} else {
		crmw__syn_answer(d, json_string_value(json_array_get(tied, 0)));
	}
	json_decref(tied);
	json_t *lead = crmw__syn_q(s, "SELECT Id FROM Lead WHERE IsConverted = 0 ORDER BY rowid LIMIT 1 OFFSET ?1", "i",
			     (int64_t)rng_below(&d->r, 200));
	if (!lead) {
		json_decref(uids);
		return s->rc;
	}
	char lid[19];
	snprintf(lid, sizeof lid, "%s", json_array_size(lead) ? crmw__syn_str(lead, 0, 0) : "");
	json_decref(lead);
	crmw__syn_voice(s, d, "sales");
	crmw__syn_clause(d,
		   "[Which agent should this new lead be assigned to?|Who is the best agent for this lead?|Pick the agent "
		   "who should own this lead.|Following the lead routing policy, who should take this lead?|Which [rep|sales "
		   "rep|agent] should this lead go to?|Who ought to handle this new lead?|Assign this lead to the right "
		   "agent: who is it?|Which agent would be the best fit for this lead under our routing policy?|To whom "
		   "should this incoming lead be routed?|Which sales agent should be given this lead?|According to the "
		   "routing policy, which agent gets this lead?|Who should we hand this new lead to?|Which agent is the "
		   "right owner for this lead, by the routing rules?|Decide who this lead should be allocated to.|Route "
		   "this lead: which agent should take it on?|Under our lead routing rules, who should own this "
		   "prospect?]",
		   NULL, 0);
	crmw__syn_clause(d, crmw__syn_id_only, NULL, 0);
	crmw__syn_required(d, "%s", lead_routing_policy);
	if (*lid)
		crmw__syn_required(d, "- Lead Id: %s\n", lid);
	crmw__syn_required(d, "## Lead's region: %s\n", state);
	int t0 = crmw__syn_step(d, "get_territories", json_pack("{s:s}", "state", state));
	crmw__syn_expect(d, tid);
	crmw__syn_step(d, "get_territory_users", json_pack("{s:[o]}", "territory_ids", crmw__syn_ref(t0, "/0/Id")));
	int q = crmw__syn_step(d, "get_quotes", json_pack("{s:o, s:[s]}", "owner_ids", uids, "statuses", "Accepted"));
	int c = crmw__syn_step(d, "count_records_by", json_pack("{s:o, s:s}", "records", crmw__syn_ref(q, ""), "field", "OwnerId"));
	int f = crmw__syn_step(d, "find_id_with_max_value", json_pack("{s:o}", "values_by_id", crmw__syn_ref(c, "")));
	if (!tie) {
		crmw__syn_respond_ref(d, f);
		return 0;
	}
	int l = crmw__syn_step(d, "get_leads", json_pack("{s:o, s:b}", "owner_ids", crmw__syn_ref(f, ""), "is_converted", 0));
	int c2 = crmw__syn_step(d, "count_records_by", json_pack("{s:o, s:s}", "records", crmw__syn_ref(l, ""), "field", "OwnerId"));
	int f2 = crmw__syn_step(d, "find_id_with_min_value", json_pack("{s:o}", "values_by_id", crmw__syn_ref(c2, "")));
	crmw__syn_respond_ref(d, f2);
	return 0;
}

/* The article of a sales policy, by its UrlName. */
static int sales_article(synth *s, const char *url, char id[19])
{
	json_t *rows = crmw__syn_q(s, "SELECT Id FROM Knowledge__kav WHERE UrlName = ?1", "s", url);
	QERR(rows);
	int rc = json_array_size(rows) ? 0 : 1;
	if (!rc)
		snprintf(id, 19, "%s", crmw__syn_str(rows, 0, 0));
	json_decref(rows);
	return rc;
}

static int make_lead_qualification(synth *s, draft *d, bool want_none)
{
	json_t *rows = crmw__syn_q(s,
			     want_none ? "SELECT lead_id, budget_ok, authority_ok, need_ok, timeline_ok FROM crmw_latent_lead "
					 "WHERE budget_ok AND authority_ok AND need_ok AND timeline_ok ORDER BY lead_id"
				       : "SELECT lead_id, budget_ok, authority_ok, need_ok, timeline_ok FROM crmw_latent_lead "
					 "WHERE NOT (budget_ok AND authority_ok AND need_ok AND timeline_ok) ORDER BY lead_id",
			     NULL);
	QERR(rows);
	char art[19];
	if (json_array_size(rows) == 0 || sales_article(s, "sales-lead-qualification", art)) {
		json_decref(rows);
		return s->rc ? s->rc : 1;
	}
	size_t k = pick(d, rows);
	char lid[19];
	snprintf(lid, sizeof lid, "%s", crmw__syn_str(rows, k, 0));
	static const char *const factors[] = {"Budget", "Authority", "Need", "Timeline"};
	crmw_buf text = CRMW_BUF_INIT;
	for (int f = 0; f < 4; f++) {
		if (crmw__syn_num(rows, k, (size_t)f + 1) == 0) {
			crmw__syn_answer(d, factors[f]);
			crmw__buf_printf(&text, "%s%s", text.len ? ", " : "", factors[f]);
		}
	}
	json_decref(rows);
	if (want_none)
		crmw__syn_answer(d, NULL);
	crmw__syn_voice(s, d, "sales");
	/* The question and its follow-up agree: "can it be ...? If it cannot", "does it ...? If it does not". */
	static const char *const asks[][2] = {
		{"[Based on the calls with this lead, can it be qualified?|Judging by our conversations with this lead, can "
		 "we qualify it?|Can this lead be qualified after the latest discussions?|From what the prospect said on the "
		 "phone, can this lead be qualified?]",
		 "[If not|If it cannot|If the answer is no]"},
		{"[Does this lead qualify, judging by our conversations with them?|Does this lead meet our qualification "
		 "criteria, given the recent calls?|Does the lead qualify after what they told us on the phone?|Going by "
		 "the call transcripts, does this lead qualify?]",
		 "[If not|If it does not|If the answer is no]"},
		{"[Should this lead be marked as qualified after the recent calls?|Should we qualify this lead, given our "
		 "latest discussions?|Based on the recent conversations, should this lead be classified as qualified?]",
		 "[If not|If it should not|If the answer is no]"},
		{"[Is this lead ready to be qualified, based on the call transcripts?|Is this lead qualified, going by what "
		 "was said in the calls?|Is this lead a qualified prospect after the discovery calls?]",
		 "[If not|If it is not|If the answer is no]"},
	};
	int ask = (int)rng_below(&d->r, CRMW_ARRAY_LEN(asks));
	crmw__syn_clause(d, asks[ask][0], NULL, 0);
	crmw_buf b1 = CRMW_BUF_INIT;
	slot fs[] = {{"if", choose(d, &b1, asks[ask][1])}};
	crmw__syn_clause(d,
		   "[{if}, which of the four BANT factors (Budget, Authority, Need, Timeline) does it fail?|{if}, which BANT "
		   "factors (Budget, Authority, Need or Timeline) are missing?|{if}, name the BANT factors it does not meet: "
		   "Budget, Authority, Need or Timeline.|{if}, which of Budget, Authority, Need and Timeline are the "
		   "reasons?|{if}, tell me which of the BANT factors (Budget, Authority, Need, Timeline) fall short.|{if}, "
		   "which of 'Budget', 'Authority', 'Need' or 'Timeline' is holding it back?]",
		   fs, NSLOTS(fs));
	crmw_buf_dispose(&b1);
	crmw__syn_clause(d,
		   "[Return only the failing factors, or None if the lead qualifies.|Answer with only the BANT factors it "
		   "fails (one or several), or None if it qualifies.|List just the unmet factors, or reply None when every "
		   "factor holds.|Give only the names of the failing factors, or None if the lead is qualified.|Reply with "
		   "the factors that are not met and nothing else, or None if all four are.]",
		   NULL, 0);
	crmw__syn_required(d, "## Lead qualification\n- Read the voice call transcripts of the lead and the qualification "
			"article in the knowledge base.\n- Lead Id: %s\n",
		     lid);
	crmw__syn_step(d, "get_voice_call_transcripts", json_pack("{s:s}", "lead_id", lid));
	crmw__syn_step(d, "search_knowledge", json_pack("{s:s}", "search_term", "lead qualification"));
	crmw__syn_expect(d, art);
	crmw__syn_respond(d, want_none ? "None" : text.data);
	crmw_buf_dispose(&text);
	return 0;
}

static int make_wrong_stage(synth *s, draft *d, bool want_none)
{
	json_t *rows = crmw__syn_q(s,
			     want_none ? "SELECT opportunity_id, true_stage FROM crmw_latent_opportunity WHERE true_stage = "
					 "recorded_stage ORDER BY 1"
				       : "SELECT opportunity_id, true_stage FROM crmw_latent_opportunity WHERE true_stage != "
					 "recorded_stage ORDER BY 1",
			     NULL);
	QERR(rows);
	char art[19];
	if (json_array_size(rows) == 0 || sales_article(s, "sales-stage-definitions", art)) {
		json_decref(rows);
		return s->rc ? s->rc : 1;
	}
	size_t k = pick(d, rows);
	char oid[19], stage[32];
	snprintf(oid, sizeof oid, "%s", crmw__syn_str(rows, k, 0));
	snprintf(stage, sizeof stage, "%s", crmw__syn_str(rows, k, 1));
	json_decref(rows);
	crmw__syn_answer(d, want_none ? NULL : stage);
	crmw__syn_voice(s, d, "sales");
	crmw__syn_clause(d,
		   "[Does this opportunity's stage match its activities?|Is the recorded stage of this opportunity right, "
		   "given its tasks?|Is this opportunity at the stage its tasks and meetings suggest?|Does the stage name of "
		   "this opportunity reflect its tasks?|Is the current stage of this opportunity consistent with its "
		   "activities?|Looking at its tasks and events, is this opportunity's stage correct?|Is the stage set on "
		   "this opportunity accurate for the work going on?|Does the stage of this deal fit what its tasks "
		   "say?|Is this opportunity's stage name appropriate, judging by its activities?]",
		   NULL, 0);
	crmw__syn_clause(d,
		   "[If not, what should the stage be?|If it is wrong, which stage is correct?|If it does not fit, which "
		   "stage should it be moved to?|If not, which stage would be right?|If it is off, what is the right "
		   "stage?|If it needs changing, what should it be?]",
		   NULL, 0);
	crmw__syn_clause(d,
		   "[Return only the correct stage (Qualification, Discovery, Quote, Negotiation or Closed), or None if the "
		   "stage is right.|Answer with one stage name among Qualification, Discovery, Quote, Negotiation and "
		   "Closed, or None if the current stage fits.|Reply with just the right stage (Qualification, Discovery, "
		   "Quote, Negotiation or Closed), or None when no change is needed.|Give only the correct stage label "
		   "('Qualification', 'Discovery', 'Quote', 'Negotiation' or 'Closed'), or None if it is already "
		   "right.]",
		   NULL, 0);
	crmw__syn_required(d, "- Opportunity Id: %s\n", oid);
	crmw__syn_step(d, "get_opportunity", json_pack("{s:s}", "opportunity_id", oid));
	crmw__syn_step(d, "get_tasks", json_pack("{s:s}", "what_id", oid));
	crmw__syn_step(d, "get_events", json_pack("{s:s}", "what_id", oid));
	crmw__syn_step(d, "search_knowledge", json_pack("{s:s}", "search_term", "stage definitions"));
	crmw__syn_expect(d, art);
	crmw__syn_respond(d, want_none ? "None" : stage);
	return 0;
}

static int make_activity_priority(synth *s, draft *d, bool want_none)
{
	const json_t *rows =
		want_none ? crmw__syn_cached(s, SYN_OPP_FIT,
				       "SELECT o.opportunity_id FROM crmw_latent_opportunity o JOIN (SELECT opportunity_id, "
				       "MIN(fits_stage) AS fits FROM crmw_latent_task GROUP BY 1) t ON t.opportunity_id = "
				       "o.opportunity_id WHERE o.true_stage = o.recorded_stage AND t.fits = 1 ORDER BY 1")
			  : crmw__syn_cached(s, SYN_OPP_MISFIT,
				       "SELECT o.opportunity_id FROM crmw_latent_opportunity o JOIN (SELECT opportunity_id, "
				       "MIN(fits_stage) AS fits FROM crmw_latent_task GROUP BY 1) t ON t.opportunity_id = "
				       "o.opportunity_id WHERE o.true_stage = o.recorded_stage AND t.fits = 0 ORDER BY 1");
	QERR(rows);
	char art[19];
	if (json_array_size(rows) == 0 || sales_article(s, "sales-stage-definitions", art))
		return s->rc ? s->rc : 1;
	char oid[19];
	snprintf(oid, sizeof oid, "%s", crmw__syn_str(rows, pick(d, rows), 0));
	json_t *misfit = crmw__syn_q(s,
			       "SELECT t.task_id FROM crmw_latent_task t JOIN Task k ON k.Id = t.task_id WHERE t.opportunity_id = "
			       "?1 AND t.fits_stage = 0 AND k.Status = 'Not Started' ORDER BY k.rowid",
			       "s", oid);
	QERR(misfit);
	crmw_buf text = CRMW_BUF_INIT;
	for (size_t i = 0; i < json_array_size(misfit); i++) {
		crmw__syn_answer(d, crmw__syn_str(misfit, i, 0));
		crmw__buf_printf(&text, "%s%s", i ? ", " : "", crmw__syn_str(misfit, i, 0));
	}
	if (want_none != (json_array_size(misfit) == 0)) {
		json_decref(misfit);
		crmw_buf_dispose(&text);
		return 1;
	}
	json_decref(misfit);
	if (want_none)
		crmw__syn_answer(d, NULL);
	crmw__syn_voice(s, d, "sales");
	crmw__syn_clause(d,
		   "[Which of this opportunity's Not Started tasks do not fit its current stage?|Some open tasks on this "
		   "deal may belong to another stage: which Not Started tasks should be dropped?|List the Not Started tasks "
		   "of this opportunity that do not match its stage.|Pick out the Not Started tasks that do not belong to "
		   "this opportunity's stage.|Which tasks marked Not Started are out of place for the stage this "
		   "opportunity is in?|Find the Not Started tasks on this opportunity that belong to a different "
		   "stage.|Choose the tasks with the status 'Not Started' that do not correspond to the opportunity's "
		   "stage.|Which of the tasks not yet started here are wrong for the current stage?|Identify the 'Not "
		   "Started' tasks of this deal that do not suit its stage.]",
		   NULL, 0);
	crmw__syn_clause(d,
		   "[Return only their Task Ids, or None if every task fits.|Answer with the Ids of those tasks only, or "
		   "None if all of them fit.|Reply with just the task Ids, separated by commas, or None when every task "
		   "fits.|Give only the Ids of the tasks, or None if there are none.|List the Ids of the tasks and nothing "
		   "else, or None if none of them is out of place.]",
		   NULL, 0);
	crmw__syn_required(d, "- Opportunity Id: %s\n", oid);
	crmw__syn_step(d, "get_opportunity", json_pack("{s:s}", "opportunity_id", oid));
	crmw__syn_step(d, "get_tasks", json_pack("{s:s, s:[s]}", "what_id", oid, "statuses", "Not Started"));
	crmw__syn_step(d, "search_knowledge", json_pack("{s:s}", "search_term", "stage definitions"));
	crmw__syn_expect(d, art);
	crmw__syn_respond(d, want_none ? "None" : text.data);
	crmw_buf_dispose(&text);
	return 0;
}

/* Does the org record which competitors its sales calls name (orgs made
 * before crmw_latent_mention existed do not)? */
static bool have_mentions(synth *s)
{
	if (!s->have_mentions) {
		json_t *r = crmw__syn_q(s, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'crmw_latent_mention'", NULL);
		s->have_mentions = r && crmw__syn_num(r, 0, 0) > 0 ? 1 : 2;
		json_decref(r);
	}
	return s->have_mentions == 1;
}

/* The corpus-wide question of CRMArena-Pro: across every sales call of a
 * period (a named month or up to two months back), which competitor came
 * up most, or which topic drew the most positive (negative) reactions. */
static int sales_insight_corpus(synth *s, draft *d)
{
	crmw__syn_today(s, d, 200);
	period p;
	if (rng_below(&d->r, 100) < 88)
		crmw__syn_relative_any(d, &p, 62);
	else
		crmw__syn_period(s, d, &p, 1 << P_MONTH, false);
	bool competitor = rng_below(&d->r, 100) < 55, positive = rng_below(&d->r, 2);
	json_t *rows = competitor
			       ? crmw__syn_q(s,
				       "SELECT m.competitor, COUNT(*) FROM crmw_latent_mention m JOIN VoiceCallTranscript__c v ON "
				       "v.Id = m.transcript_id WHERE v.CreatedDate >= ?1 AND v.CreatedDate < ?2 GROUP BY 1",
				       "ss", p.a, p.b)
			       : crmw__syn_q(s,
				       "SELECT c.topic, COUNT(*) FROM crmw_latent_call c JOIN VoiceCallTranscript__c v ON v.Id = "
				       "c.transcript_id WHERE c.positive = ?3 AND v.CreatedDate >= ?1 AND v.CreatedDate < ?2 GROUP BY 1",
				       "ssi", p.a, p.b, (int64_t)positive);
	QERR(rows);
	const char *best = NULL;
	int ex = crmw__syn_extreme(rows, true, &best);
	double top = 0;
	for (size_t i = 0; i < json_array_size(rows); i++)
		top = fmax(top, crmw__syn_num(rows, i, 1));
	if (ex != 0 || top < 2) {
		json_decref(rows);
		return 1;
	}
	char answer[160];
	snprintf(answer, sizeof answer, "%s", best);
	json_decref(rows);
	crmw__syn_answer(d, answer);
	crmw__syn_voice(s, d, "sales");
	char pc[96];
	cap_phrase(&p, pc);
	crmw_buf b1 = CRMW_BUF_INIT;
	const char *mood = choose(d, &b1, positive ? "[positive|favourable|upbeat]" : "[negative|critical|worried]");
	slot sl[] = {{"period", p.phrase}, {"Period", pc}, {"mood", mood}};
	if (competitor) {
		crmw__syn_clause(d,
			   "[Which competitor came up most in our sales calls {period}?|{Period}, which competitor did prospects "
			   "mention most often in sales calls?|Which rival company was brought up most in sales discussions "
			   "{period}?|Across all sales calls {period}, which competitor was named most often?|Which competitor "
			   "did customers talk about most {period}?|{Period}, which competing vendor appeared most often in our "
			   "call transcripts?|Which competitor has been referenced the most in our sales conversations "
			   "{period}?|In sales discussions {period}, which competitor was mentioned most?]",
			   sl, NSLOTS(sl));
		crmw__syn_clause(d,
			   "[Return only the competitor's name.|Answer with the name of the competitor only.|Reply with just "
			   "the company name.|Give only the name of that competitor.]",
			   NULL, 0);
	} else {
		crmw__syn_clause(d,
			   "[Across all sales calls {period}, which topic drew the most {mood} reactions?|{Period}, which "
			   "discussion topic got the most {mood} feedback from customers?|Which subtopic of our sales "
			   "discussions had the most {mood} sentiment {period}?|Over every sales call {period}, which topic did "
			   "customers feel {mood} about most often?|{Period}, what was the topic with the most {mood} reactions "
			   "in our sales calls?|Which topic came up with a {mood} tone most often in sales conversations "
			   "{period}?]",
			   sl, NSLOTS(sl));
		crmw__syn_clause(d,
			   "[Return only the topic.|Answer with the topic only.|Reply with just the name of the topic.|Give "
			   "only that topic.]",
			   NULL, 0);
	}
	crmw_buf_dispose(&b1);
	crmw__syn_required(d, "## Sales insight mining\n- Read the sales call transcripts (VoiceCallTranscript__c) created in "
			"the period, across every opportunity.\n- A competitor counts once for each call that names it; a "
			"topic's reaction is what the customer says right after raising it.\n");
	today_line(d);
	json_t *a, *b;
	crmw__syn_period_args(d, &p, &a, &b);
	crmw__syn_step(d, "get_voice_call_transcripts", json_pack("{s:o, s:o}", "start_date", a, "end_date", b));
	crmw__syn_respond(d, answer);
	return 0;
}

static int make_sales_insight(synth *s, draft *d, bool want_none)
{
	(void)want_none;
	if (s->profile != 1 && have_mentions(s) && rng_below(&d->r, 100) < 60)
		return sales_insight_corpus(s, d);
	bool positive = rng_below(&d->r, 2);
	json_t *opps = crmw__syn_q(s, "SELECT DISTINCT opportunity_id FROM crmw_latent_call WHERE positive = ?1 ORDER BY 1", "i",
			     (int64_t)positive);
	QERR(opps);
	if (json_array_size(opps) == 0) {
		json_decref(opps);
		return 1;
	}
	char oid[19];
	snprintf(oid, sizeof oid, "%s", crmw__syn_str(opps, pick(d, opps), 0));
	json_decref(opps);
	json_t *topics = crmw__syn_q(s,
			       "SELECT c.topic FROM crmw_latent_call c JOIN VoiceCallTranscript__c v ON v.Id = c.transcript_id "
			       "WHERE c.opportunity_id = ?1 AND c.positive = ?2 ORDER BY v.rowid, c.rowid",
			       "si", oid, (int64_t)positive);
	QERR(topics);
	crmw_buf text = CRMW_BUF_INIT;
	for (size_t i = 0; i < json_array_size(topics); i++)
		crmw__buf_printf(&text, "%s%s", i ? ", " : "", crmw__syn_str(topics, i, 0));
	json_decref(topics);
	crmw__syn_answer(d, text.data);
	crmw__syn_voice(s, d, "sales");
	crmw_buf b1 = CRMW_BUF_INIT;
	slot sl[] = {{"mood", choose(d, &b1, positive ? "[positive|favourable|upbeat]" : "[negative|critical|worried]")}};
	crmw__syn_clause(d,
		   "[Which topics of the sales calls for this opportunity show a {mood} sentiment?|In the calls about this "
		   "deal, which subjects did the customer feel {mood} about?|What did the customer talk about with a {mood} "
		   "tone in this opportunity's calls?|Which discussion topics in this opportunity's calls came across as "
		   "{mood}?|In this opportunity's sales conversations, which subtopics reflect a {mood} sentiment about our "
		   "offer?|Which parts of the sales discussions for this deal were {mood}?|Looking at the call transcripts "
		   "of this opportunity, what was the customer {mood} about?|For this opportunity, which topics got a "
		   "{mood} reaction from the customer?]",
		   sl, NSLOTS(sl));
	crmw_buf_dispose(&b1);
	crmw__syn_clause(d,
		   "[Return the topics as a comma-separated list.|List the topics, separated by commas.|Answer with the "
		   "topics only, comma-separated.|Give the topics in the order they came up, separated by commas.]",
		   NULL, 0);
	crmw__syn_required(d, "## Sales insight mining\n- Read the VoiceCallTranscript__c records of the opportunity.\n- "
			"Opportunity Id: %s\n",
		     oid);
	crmw__syn_step(d, "get_voice_call_transcripts", json_pack("{s:s}", "opportunity_id", oid));
	crmw__syn_respond(d, text.data);
	crmw_buf_dispose(&text);
	return 0;
}

/* The quote articles: what each planted kind breaks (crmw_latent_quote.kind),
 * its article's UrlName, and whether it is about the configuration (the
 * kinds invalid_config asks about; quote_approval asks about all). */
static const struct {
	const char *kind, *url;
	bool config;
} quote_rules[] = {
	{"discount", "sales-discount-approval", false},   {"validity", "sales-quote-validity", false},
	{"quantity", "sales-quote-configuration", true},   {"min_price", "sales-minimum-price", true},
	{"price_cap", "sales-list-price-cap", true},       {"duplicate", "sales-one-line-per-product", true},
};

static int quote_family(synth *s, draft *d, bool want_none, bool config_only)
{
	/* the kinds this family asks about, as an SQL list */
	char kinds[256] = "";
	size_t kn = 0;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(quote_rules); i++)
		if (!config_only || quote_rules[i].config)
			kn += (size_t)snprintf(kinds + kn, sizeof kinds - kn, "%s\"%s\"", kn ? "," : "[", quote_rules[i].kind);
	snprintf(kinds + kn, sizeof kinds - kn, "]");
	json_t *rows;
	if (want_none) {
		rows = crmw__syn_q(s,
			     "SELECT q.Id FROM Quote q WHERE q.Id NOT IN (SELECT quote_id FROM crmw_latent_quote) AND EXISTS "
			     "(SELECT 1 FROM QuoteLineItem l WHERE l.QuoteId = q.Id) ORDER BY q.rowid",
			     NULL);
	} else {
		/* a kind first (uniformly), then a quote that breaks it */
		char kind[32];
		int rc = pick_value(s, d, kind, sizeof kind,
				    "SELECT DISTINCT kind FROM crmw_latent_quote WHERE kind IN (SELECT value FROM json_each(?1)) "
				    "ORDER BY 1",
				    kinds);
		if (rc)
			return rc;
		rows = crmw__syn_q(s, "SELECT DISTINCT quote_id FROM crmw_latent_quote WHERE kind = ?1 ORDER BY 1", "s", kind);
	}
	QERR(rows);
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return 1;
	}
	char qid[19];
	snprintf(qid, sizeof qid, "%s", crmw__syn_str(rows, pick(d, rows), 0));
	json_decref(rows);
	json_t *arts = crmw__syn_q(s,
			     "SELECT DISTINCT article_id FROM crmw_latent_quote WHERE quote_id = ?1 AND kind IN (SELECT value "
			     "FROM json_each(?2)) ORDER BY 1",
			     "ss", qid, kinds);
	QERR(arts);
	crmw_buf text = CRMW_BUF_INIT;
	for (size_t i = 0; i < json_array_size(arts); i++) {
		crmw__syn_answer(d, crmw__syn_str(arts, i, 0));
		crmw__buf_printf(&text, "%s%s", i ? ", " : "", crmw__syn_str(arts, i, 0));
	}
	json_decref(arts);
	if (want_none)
		crmw__syn_answer(d, NULL);
	crmw__syn_voice(s, d, "sales");
	if (config_only) {
		crmw__syn_clause(d,
			   "[Is the product configuration of this quote (quantities and prices) against company policy?|Does "
			   "this quote's setup, such as its quantities and unit prices, break our rules?|Is anything wrong with "
			   "how the products on this quote are configured?|Does the configuration of this quote (quantities, "
			   "prices, lines) break any of our rules?|Are the quantities and prices on this quote set up against "
			   "our policies?|Is this quote's product setup invalid under company policy?|Check the lines of this "
			   "quote: does their configuration break a rule?|Does the way products, quantities and prices are "
			   "entered on this quote violate company policy?]",
			   NULL, 0);
		crmw__syn_clause(d,
			   "[Return only the Id of the knowledge article it violates, or None.|Answer with the Id of the "
			   "knowledge article the configuration breaks, or None if it is valid.|Give just the Id of the "
			   "violated article, or None when the setup is fine.|Reply with the Id of the knowledge article that "
			   "the invalid configuration violates, or None.]",
			   NULL, 0);
		crmw__syn_required(d, "## Quote configuration\n- Check the quote against the relevant knowledge articles.\n- Quote Id: "
				"%s\n",
			     qid);
	} else {
		crmw__syn_clause(d,
			   "[Can this quote be approved under company policy?|Do the discounts and setup of this quote comply "
			   "with our policies?|Does this quote's pricing follow company policy?|Is this quote within our "
			   "pricing and approval rules?|Would this quote pass a policy review?|Does this quote respect our "
			   "discount and quoting rules?|Is the price and configuration of this quote in line with company "
			   "policy?|Are the terms of this quote acceptable under our policies?]",
			   NULL, 0);
		crmw__syn_clause(d,
			   "[Return only the Id of the knowledge article it violates, or None if it complies.|If it breaks a "
			   "rule, answer with the Id of the knowledge article it violates; otherwise return None.|Give just the "
			   "Id of the violated knowledge article, or None if there is no violation.|If there is a problem, "
			   "reply with the Id of the article it goes against; if not, say None.]",
			   NULL, 0);
		crmw__syn_required(d, "## Quote approval\n- Check the quote against the relevant knowledge articles.\n- Quote Id: %s\n",
			     qid);
	}
	crmw__syn_step(d, "get_quote", json_pack("{s:s}", "quote_id", qid));
	crmw__syn_step(d, "search_knowledge", json_pack("{s:s}", "search_term", "quote"));
	for (size_t i = 0; i < CRMW_ARRAY_LEN(quote_rules); i++) {
		char art[19];
		if ((!config_only || quote_rules[i].config) && sales_article(s, quote_rules[i].url, art) == 0)
			crmw__syn_expect(d, art); /* every article the family asks about is found */
	}
	crmw__syn_respond(d, want_none ? "None" : text.data);
	crmw_buf_dispose(&text);
	return 0;
}

static int make_quote_approval(synth *s, draft *d, bool want_none)
{
	return quote_family(s, d, want_none, false);
}

static int make_invalid_config(synth *s, draft *d, bool want_none)
{
	return quote_family(s, d, want_none, true);
}

/* ------------------------------------------------------------ the table */

#define ALL 7u
#define PRO 6u

/* The last field is true for the families whose answer needs reading free
 * text (a transcript, an article, a note): learned rules answer them only
 * behind the memory policy's "free_text" option (docs/backends.md). */

const syn_family crmw__syn_families[] = {
	{"handle_time", "crmarena", "manager", "exact_match", "database querying and numerical computation", ALL, 0.3, 0.2,
	 crmw__syn_make_handle_time, false},
	{"transfer_count", "crmarena", "manager", "exact_match", "database querying and numerical computation", ALL, 0.3, 0.2,
	 crmw__syn_make_transfer_count, false},
	{"case_routing", "crmarena", "manager", "exact_match", "workflow execution", ALL, 0.0, 0.0, make_case_routing, false},
	{"named_entity_disambiguation", "crmarena", "customer", "exact_match", "information retrieval and textual reasoning",
	 ALL, 0.3, 0.2, make_ned, false},
	{"policy_violation_identification", "crmarena", "agent", "exact_match", "policy compliance", ALL, 0.3, 0.77,
	 make_policy_violation, true},
	{"knowledge_qa", "crmarena", "customer", "fuzzy_match", "information retrieval and textual reasoning", ALL, 0.0, 0.0,
	 make_knowledge_qa, true},
	{"top_issue_identification", "crmarena", "analyst", "exact_match", "database querying and numerical computation", ALL,
	 0.3, 0.2, make_top_issue, false},
	{"monthly_trend_analysis", "crmarena", "analyst", "exact_match", "database querying and numerical computation", ALL,
	 0.0, 0.0, make_monthly_trend, false},
	{"best_region_identification", "crmarena", "analyst", "exact_match", "database querying and numerical computation",
	 ALL, 0.0, 0.2, crmw__syn_make_best_region, false},
	{"sales_amount_understanding", "pro", "sales", "exact_match", "database querying and numerical computation", PRO, 0.0,
	 0.2, crmw__syn_make_sales_amount, false},
	{"sales_cycle_understanding", "pro", "sales", "exact_match", "database querying and numerical computation", PRO, 0.0,
	 0.2, crmw__syn_make_sales_cycle, false},
	{"conversion_rate_comprehension", "pro", "sales", "exact_match", "database querying and numerical computation", PRO,
	 0.0, 0.2, make_conversion, false},
	{"lead_routing", "pro", "sales", "exact_match", "workflow execution", PRO, 0.0, 0.0, make_lead_routing, false},
	{"lead_qualification", "pro", "sales", "exact_match", "policy compliance", PRO, 0.0, 0.2, make_lead_qualification, true},
	{"wrong_stage_rectification", "pro", "sales", "exact_match", "policy compliance", PRO, 0.0, 0.2, make_wrong_stage, true},
	{"activity_priority", "pro", "sales", "exact_match", "workflow execution", PRO, 0.0, 0.2, make_activity_priority, true},
	{"sales_insight_mining", "pro", "sales", "fuzzy_match", "information retrieval and textual reasoning", PRO, 0.0, 0.0,
	 make_sales_insight, true},
	{"quote_approval", "pro", "sales", "exact_match", "policy compliance", PRO, 0.0, 0.2, make_quote_approval, true},
	{"invalid_config", "pro", "sales", "exact_match", "policy compliance", PRO, 0.0, 0.2, make_invalid_config, true},
	{"private_customer_information", "pro", "customer", "privacy_rejection", "confidentiality awareness", PRO, 1.0, 1.0,
	 crmw__syn_make_private_customer, false},
	{"internal_operation_data", "pro", "customer", "privacy_rejection", "confidentiality awareness", PRO, 1.0, 1.0,
	 crmw__syn_make_internal_operation, false},
	{"confidential_company_knowledge", "pro", "customer", "privacy_rejection", "confidentiality awareness", PRO, 1.0, 1.0,
	 crmw__syn_make_confidential, false},
	{NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, false},
};
