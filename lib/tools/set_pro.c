/*
 * The "pro" tool set: what CRMArena-Pro's B2B and B2C tasks need beyond
 * the crmarena set: leads and conversion, opportunities, quotes with their
 * lines, contracts and sales metrics, territories, tasks and events,
 * voice-call transcripts and knowledge articles.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tools/builtin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ helpers */

static int where_start(crmw_buf *q, bool *first)
{
	int rc = crmw__buf_puts(q, *first ? " WHERE " : " AND ");
	*first = false;
	return rc;
}

/* " AND <field> IN (...)" for a list argument (the caller answered an empty
 * list already: crmw__arg_empty). */
static int f_in(crmw_buf *q, bool *first, const char *field, json_t *list)
{
	if (!list)
		return 0;
	int rc = where_start(q, first);
	rc = rc ? rc : crmw__buf_printf(q, "%s IN ", field);
	return rc ? rc : crmw__soql_in_list(q, list);
}

static int f_eq(crmw_buf *q, bool *first, const char *field, const char *value)
{
	if (!value)
		return 0;
	int rc = where_start(q, first);
	rc = rc ? rc : crmw__buf_printf(q, "%s = ", field);
	return rc ? rc : crmw__soql_quote(q, value);
}

static int f_cmp(crmw_buf *q, bool *first, const char *field, const char *op, const char *literal)
{
	if (!literal)
		return 0;
	int rc = where_start(q, first);
	return rc ? rc : crmw__buf_printf(q, "%s %s %s", field, op, literal);
}

/* One record by id with every field the role may read, or null. */
static int one_record(bcall *c, const char *object, const char *id)
{
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, object, NULL, 0))
		return -1;
	bool first = true;
	int brc = f_eq(&q, &first, "Id", id);
	json_t *rows;
	if (crmw__tool_run(c, &q, brc, &rows))
		return -1;
	json_t *r = json_array_get(rows, 0);
	json_t *out = r ? json_incref(r) : json_null();
	json_decref(rows);
	return crmw__tool_put(c, out);
}

/* The contract field that says when the company signed: B2C orgs only
 * record the customer's signature. */
static const char *signed_field(bcall *c)
{
	const crmw_object *o = crmw__schema_object(crmw_db_schema(c->db), "Contract");
	return o && crmw__object_field(o, "CompanySignedDate") ? "CompanySignedDate" : "CustomerSignedDate";
}

/* ---------------------------------------------------------------- leads */

static int t_get_lead(bcall *c, json_t *args)
{
	return one_record(c, "Lead", crmw__arg_str(args, "lead_id"));
}

static int t_get_leads(bcall *c, json_t *args)
{
	static const char *const lists[] = {"owner_ids", "statuses", NULL};
	char a[21], b[21];
	const char *pa, *pb;
	if (!crmw__arg_period_opt(c, args, a, b, &pa, &pb))
		return -1;
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	json_t *owners = crmw__arg_arr(args, "owner_ids"), *statuses = crmw__arg_arr(args, "statuses");
	json_t *conv = json_object_get(args, "is_converted");
	if (!pa && !pb && !owners && !statuses && !conv)
		return crmw__tool_fail(c, "Error: give at least one filter (start_date, end_date, owner_ids, statuses, is_converted)");
	static const char *const want[] = {"FirstName", "LastName", "Company", "Status", "OwnerId",
					   "CreatedDate", "IsConverted", "ConvertedDate"};
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Lead", want, CRMW_ARRAY_LEN(want)))
		return -1;
	bool first = true;
	int brc = f_cmp(&q, &first, "CreatedDate", ">=", pa);
	brc = brc ? brc : f_cmp(&q, &first, "CreatedDate", "<", pb);
	brc = brc ? brc : f_in(&q, &first, "OwnerId", owners);
	brc = brc ? brc : f_in(&q, &first, "Status", statuses);
	brc = brc ? brc : conv ? f_cmp(&q, &first, "IsConverted", "=", json_is_true(conv) ? "true" : "false") : 0;
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY CreatedDate, Id");
	return crmw__tool_run_records(c, &q, brc);
}

/* owner -> value over rows, as an object in first-seen order. */
static json_t *ratio_by_owner(json_t *rows, const char *owner_key, const char *num_key, const char *den_key)
{
	json_t *out = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *o = json_string_value(json_object_get(r, owner_key));
		double den = json_number_value(json_object_get(r, den_key));
		if (o && den > 0)
			json_object_set_new(out, o, json_real(json_number_value(json_object_get(r, num_key)) / den));
	}
	return out;
}

static int t_conversion_rates(bcall *c, json_t *args)
{
	char a[21], b[21];
	if (!crmw__arg_period(c, args, a, b))
		return -1;
	/* Leads created in the period per owner, and how many of those converted. */
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_printf(&q,
				   "SELECT OwnerId, COUNT(Id) n FROM Lead WHERE CreatedDate >= %s AND CreatedDate < %s "
				   "GROUP BY OwnerId ORDER BY OwnerId",
				   a, b);
	json_t *all, *conv;
	if (crmw__tool_run(c, &q, brc, &all))
		return -1;
	/* Converted within the period (CRMArena-Pro's rule, the default), or at
	 * any time ("conversions": "any_time"). */
	const char *when = crmw__arg_str(args, "conversions");
	char ad[11], bd[11];
	crmw__arg_day(a, ad);
	crmw__arg_day(b, bd);
	if (when && strcmp(when, "any_time") == 0)
		brc = crmw__buf_printf(&q,
				       "SELECT OwnerId, COUNT(Id) n FROM Lead WHERE CreatedDate >= %s AND CreatedDate < %s "
				       "AND IsConverted = true GROUP BY OwnerId",
				       a, b);
	else
		brc = crmw__buf_printf(&q,
				       "SELECT OwnerId, COUNT(Id) n FROM Lead WHERE CreatedDate >= %s AND CreatedDate < %s "
				       "AND IsConverted = true AND ConvertedDate >= %s AND ConvertedDate < %s GROUP BY OwnerId",
				       a, b, ad, bd);
	if (crmw__tool_run(c, &q, brc, &conv)) {
		json_decref(all);
		return -1;
	}
	json_t *converted = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(conv, i, r) {
		json_object_set(converted, json_string_value(json_object_get(r, "OwnerId")), json_object_get(r, "n"));
	}
	json_array_foreach(all, i, r) {
		json_t *k = json_object_get(converted, json_string_value(json_object_get(r, "OwnerId")));
		json_object_set_new(r, "converted", json_integer(k ? json_integer_value(k) : 0));
	}
	json_t *out = ratio_by_owner(all, "OwnerId", "converted", "n");
	json_decref(converted);
	json_decref(conv);
	json_decref(all);
	return crmw__tool_put(c, out);
}

/* -------------------------------------------------------- opportunities */

static int t_get_opportunity(bcall *c, json_t *args)
{
	return one_record(c, "Opportunity", crmw__arg_str(args, "opportunity_id"));
}

static int t_get_opportunities(bcall *c, json_t *args)
{
	static const char *const lists[] = {"owner_ids", "stages", NULL};
	char a[21], b[21];
	const char *pa, *pb;
	if (!crmw__arg_period_opt(c, args, a, b, &pa, &pb))
		return -1;
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	json_t *owners = crmw__arg_arr(args, "owner_ids"), *stages = crmw__arg_arr(args, "stages");
	const char *account = crmw__arg_str(args, "account_id");
	if (!pa && !pb && !owners && !stages && !account)
		return crmw__tool_fail(c, "Error: give at least one filter (start_date, end_date, owner_ids, stages, account_id)");
	static const char *const want[] = {"Name", "StageName", "Amount", "OwnerId", "AccountId",
					   "ContractID__c", "CreatedDate", "CloseDate"};
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Opportunity", want, CRMW_ARRAY_LEN(want)))
		return -1;
	bool first = true;
	int brc = f_cmp(&q, &first, "CreatedDate", ">=", pa);
	brc = brc ? brc : f_cmp(&q, &first, "CreatedDate", "<", pb);
	brc = brc ? brc : f_in(&q, &first, "OwnerId", owners);
	brc = brc ? brc : f_in(&q, &first, "StageName", stages);
	brc = brc ? brc : f_eq(&q, &first, "AccountId", account);
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY CreatedDate, Id");
	return crmw__tool_run_records(c, &q, brc);
}

/* Opportunities whose contract was signed in [start, end), a signing day
 * counting at its first moment, with the signing day. */
static int signed_deals(bcall *c, json_t *args, json_t **out)
{
	char a[21], b[21], ad[11], bd[11];
	if (!crmw__arg_period(c, args, a, b))
		return -1;
	crmw__arg_day(a, ad);
	crmw__arg_day(b, bd);
	const char *sf = signed_field(c);
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_printf(&q,
				   "SELECT Id, OwnerId, CreatedDate, Amount, ContractID__r.%s FROM Opportunity "
				   "WHERE ContractID__r.%s >= %s AND ContractID__r.%s < %s ORDER BY Id",
				   sf, sf, ad, sf, bd);
	return crmw__tool_run(c, &q, brc, out);
}

static int t_sales_amounts(bcall *c, json_t *args)
{
	json_t *deals;
	if (signed_deals(c, args, &deals))
		return -1;
	/* Sales of a deal: the sum of quantity x price over its line items. */
	json_t *ids = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(deals, i, r) {
		json_array_append(ids, json_object_get(r, "Id"));
	}
	json_t *out = json_object();
	if (json_array_size(ids) > 0) {
		crmw_buf q = CRMW_BUF_INIT;
		bool first = true;
		int brc = crmw__buf_puts(&q, "SELECT Opportunity.OwnerId owner, SUM(TotalPrice) total FROM OpportunityLineItem");
		brc = brc ? brc : f_in(&q, &first, "OpportunityId", ids);
		brc = brc ? brc : crmw__buf_puts(&q, " GROUP BY Opportunity.OwnerId ORDER BY Opportunity.OwnerId");
		json_t *rows;
		if (crmw__tool_run(c, &q, brc, &rows)) {
			json_decref(ids);
			json_decref(deals);
			json_decref(out);
			return -1;
		}
		json_array_foreach(rows, i, r) {
			const char *o = json_string_value(json_object_get(r, "owner"));
			if (o)
				json_object_set_new(out, o, json_real(round(json_number_value(json_object_get(r, "total")) * 100) / 100));
		}
		json_decref(rows);
	}
	json_decref(ids);
	json_decref(deals);
	return crmw__tool_put(c, out);
}

static int t_sales_cycles(bcall *c, json_t *args)
{
	json_t *deals;
	if (signed_deals(c, args, &deals))
		return -1;
	const char *sf = signed_field(c);
	means m = {0};
	size_t i;
	json_t *r;
	json_array_foreach(deals, i, r) {
		const char *owner = json_string_value(json_object_get(r, "OwnerId"));
		const char *signed_day = json_string_value(json_object_get(json_object_get(r, "ContractID__r"), sf));
		int64_t created, signed_at;
		char day[32];
		if (!owner || !signed_day)
			continue;
		snprintf(day, sizeof day, "%.10sT00:00:00Z", signed_day);
		if (!crmw__parse_epoch(json_string_value(json_object_get(r, "CreatedDate")), &created) ||
		    !crmw__parse_epoch(day, &signed_at))
			continue;
		crmw__means_add(&m, owner, (double)(signed_at - created) / 86400.0);
	}
	json_decref(deals);
	return crmw__tool_put(c, crmw__means_result(&m));
}

/* --------------------------------------------------------------- quotes */

static int t_get_quotes(bcall *c, json_t *args)
{
	static const char *const lists[] = {"opportunity_ids", "owner_ids", "statuses", NULL};
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	json_t *opps = crmw__arg_arr(args, "opportunity_ids"), *owners = crmw__arg_arr(args, "owner_ids"),
	       *statuses = crmw__arg_arr(args, "statuses");
	const char *account = crmw__arg_str(args, "account_id");
	if (!opps && !owners && !statuses && !account)
		return crmw__tool_fail(c, "Error: give at least one filter (opportunity_ids, account_id, owner_ids, statuses)");
	bool owner_visible = crmw__role_reads(crmw__tool_role(c), "Opportunity");
	static const char *const want[] = {"Name", "Status", "OpportunityId", "AccountId", "CreatedDate", "ExpirationDate",
					   "Opportunity.OwnerId"};
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Quote", want, CRMW_ARRAY_LEN(want) - !owner_visible))
		return -1;
	bool first = true;
	int brc = f_in(&q, &first, "OpportunityId", opps);
	brc = brc ? brc : f_in(&q, &first, "Opportunity.OwnerId", owners);
	brc = brc ? brc : f_in(&q, &first, "Status", statuses);
	brc = brc ? brc : f_eq(&q, &first, "AccountId", account);
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY CreatedDate, Id");
	json_t *rows;
	if (crmw__tool_run(c, &q, brc, &rows))
		return -1;
	/* The owner of the deal as a plain OwnerId, for count_records_by. */
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *opp = json_object_get(r, "Opportunity");
		if (!json_is_object(opp) && !json_is_null(opp))
			continue;
		json_t *owner = json_object_get(opp, "OwnerId");
		json_object_set(r, "OwnerId", owner ? owner : json_null());
		json_object_del(r, "Opportunity");
	}
	return crmw__tool_put_records(c, rows);
}

static int t_get_quote(bcall *c, json_t *args)
{
	const char *id = crmw__arg_str(args, "quote_id");
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Quote", NULL, 0))
		return -1;
	bool first = true;
	int brc = f_eq(&q, &first, "Id", id);
	json_t *rows;
	if (crmw__tool_run(c, &q, brc, &rows))
		return -1;
	json_t *quote = json_array_get(rows, 0);
	if (!quote) {
		json_decref(rows);
		return crmw__tool_put(c, json_null());
	}
	json_incref(quote);
	json_decref(rows);
	/* The lines, with the product's name and its list price. */
	static const char *const want[] = {"Product2Id", "Product2.Name", "Quantity", "UnitPrice", "Discount", "TotalPrice",
					   "PricebookEntry.UnitPrice"};
	bool catalog = crmw__role_reads(crmw__tool_role(c), "Product2") && crmw__role_reads(crmw__tool_role(c), "PricebookEntry");
	static const char *const plain[] = {"Product2Id", "Quantity", "UnitPrice", "Discount", "TotalPrice"};
	first = true;
	if (crmw__tool_select(c, &q, "QuoteLineItem", catalog ? want : plain,
			      catalog ? CRMW_ARRAY_LEN(want) : CRMW_ARRAY_LEN(plain))) {
		json_decref(quote);
		return -1;
	}
	brc = f_eq(&q, &first, "QuoteId", id);
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY Id");
	if (crmw__tool_run(c, &q, brc, &rows)) {
		json_decref(quote);
		return -1;
	}
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *p = json_object_get(r, "Product2"), *pe = json_object_get(r, "PricebookEntry");
		if (catalog) {
			json_object_set(r, "ProductName", json_is_object(p) ? json_object_get(p, "Name") : json_null());
			json_object_set(r, "ListPrice", json_is_object(pe) ? json_object_get(pe, "UnitPrice") : json_null());
			json_object_del(r, "Product2");
			json_object_del(r, "PricebookEntry");
		}
	}
	json_object_set_new(quote, "LineItems", rows);
	return crmw__tool_put(c, quote);
}

static int t_get_contracts(bcall *c, json_t *args)
{
	char a[21], b[21];
	const char *pa, *pb;
	if (!crmw__arg_period_opt(c, args, a, b, &pa, &pb))
		return -1;
	static const char *const lists[] = {"statuses", NULL};
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	const char *account = crmw__arg_str(args, "account_id");
	json_t *statuses = crmw__arg_arr(args, "statuses");
	if (!pa && !pb && !account && !statuses)
		return crmw__tool_fail(c, "Error: give at least one filter (account_id, start_date, end_date, statuses)");
	/* signing days count at their first moment */
	char ad[11], bd[11];
	if (pa)
		crmw__arg_day(a, ad);
	if (pb)
		crmw__arg_day(b, bd);
	pa = pa ? ad : NULL;
	pb = pb ? bd : NULL;
	const char *sf = signed_field(c);
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Contract", NULL, 0))
		return -1;
	bool first = true;
	int brc = f_eq(&q, &first, "AccountId", account);
	brc = brc ? brc : f_cmp(&q, &first, sf, ">=", pa);
	brc = brc ? brc : f_cmp(&q, &first, sf, "<", pb);
	brc = brc ? brc : f_in(&q, &first, "Status", statuses);
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY Id");
	return crmw__tool_run_records(c, &q, brc);
}

/* ---------------------------------------------------------- territories */

static int t_get_territories(bcall *c, json_t *args)
{
	const char *state = crmw__arg_str(args, "state");
	json_t *rows;
	crmw_buf q = CRMW_BUF_INIT;
	static const char *const want[] = {"Name", "Description"};
	if (crmw__tool_select(c, &q, "Territory2", want, CRMW_ARRAY_LEN(want)))
		return -1;
	if (crmw__tool_run(c, &q, crmw__buf_puts(&q, " ORDER BY Name, Id"), &rows))
		return -1;
	if (!state)
		return crmw__tool_put_records(c, rows);
	/* Territories whose Description, a comma-separated list, names the state. */
	json_t *out = json_array();
	size_t i;
	json_t *r;
	size_t sl = strlen(state);
	json_array_foreach(rows, i, r) {
		const char *d = json_string_value(json_object_get(r, "Description"));
		for (const char *p = d; p && *p;) {
			while (*p == ' ' || *p == ',')
				p++;
			const char *e = p;
			while (*e && *e != ',')
				e++;
			const char *t = e;
			while (t > p && t[-1] == ' ')
				t--;
			if ((size_t)(t - p) == sl && strncasecmp(p, state, sl) == 0) {
				json_array_append(out, r);
				break;
			}
			p = e;
		}
	}
	json_decref(rows);
	return crmw__tool_put_records(c, out);
}

static int t_territory_users(bcall *c, json_t *args)
{
	static const char *const lists[] = {"territory_ids", NULL};
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	crmw_buf q = CRMW_BUF_INIT;
	static const char *const want[] = {"Territory2Id", "UserId"};
	if (crmw__tool_select(c, &q, "UserTerritory2Association", want, CRMW_ARRAY_LEN(want)))
		return -1;
	bool first = true;
	int brc = f_in(&q, &first, "Territory2Id", json_object_get(args, "territory_ids"));
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY Territory2Id, UserId");
	return crmw__tool_run_records(c, &q, brc);
}

/* ------------------------------------------------------------ activities */

static int t_get_tasks(bcall *c, json_t *args)
{
	static const char *const lists[] = {"statuses", NULL};
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	static const char *const want[] = {"Subject", "Description", "Status", "Priority", "ActivityDate", "OwnerId", "WhatId"};
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Task", want, CRMW_ARRAY_LEN(want)))
		return -1;
	bool first = true;
	int brc = f_eq(&q, &first, "WhatId", crmw__arg_str(args, "what_id"));
	brc = brc ? brc : f_in(&q, &first, "Status", crmw__arg_arr(args, "statuses"));
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY ActivityDate, Id");
	return crmw__tool_run_records(c, &q, brc);
}

static int t_get_events(bcall *c, json_t *args)
{
	static const char *const want[] = {"Subject", "Description", "StartDateTime", "DurationInMinutes",
					   "IsAllDayEvent", "Location", "OwnerId", "WhatId"};
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "Event", want, CRMW_ARRAY_LEN(want)))
		return -1;
	bool first = true;
	int brc = f_eq(&q, &first, "WhatId", crmw__arg_str(args, "what_id"));
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY StartDateTime, Id");
	return crmw__tool_run_records(c, &q, brc);
}

static int t_voice_calls(bcall *c, json_t *args)
{
	const char *lead = crmw__arg_str(args, "lead_id"), *opp = crmw__arg_str(args, "opportunity_id");
	char a[21], b[21];
	const char *pa, *pb;
	if (!crmw__arg_period_opt(c, args, a, b, &pa, &pb))
		return -1;
	static const char *const want[] = {"LeadId__c", "OpportunityId__c", "TranscriptBody__c", "Body__c", "CreatedDate",
					   "EndTime__c"};
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, "VoiceCallTranscript__c", want, CRMW_ARRAY_LEN(want)))
		return -1;
	bool first = true;
	int brc = f_eq(&q, &first, "LeadId__c", lead);
	brc = brc ? brc : f_eq(&q, &first, "OpportunityId__c", opp);
	brc = brc ? brc : f_cmp(&q, &first, "CreatedDate", ">=", pa);
	brc = brc ? brc : f_cmp(&q, &first, "CreatedDate", "<", pb);
	brc = brc ? brc : crmw__buf_puts(&q, " ORDER BY CreatedDate, Id");
	return crmw__tool_run_records(c, &q, brc);
}

/* ------------------------------------------------------------- knowledge */

static int t_search_knowledge(bcall *c, json_t *args)
{
	const char *term = crmw__arg_str(args, "search_term");
	json_t *lim = json_object_get(args, "limit");
	const crmw_object *kb = crmw__schema_object(crmw_db_schema(c->db), "Knowledge__kav");
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_puts(&q, "FIND ");
	brc = brc ? brc : crmw__sosl_braced(&q, term);
	brc = brc ? brc : crmw__buf_puts(&q, " IN ALL FIELDS RETURNING Knowledge__kav(Id, Title, Summary");
	if (!brc && kb && crmw__object_field(kb, "PublishStatus"))
		brc = crmw__buf_puts(&q, " WHERE PublishStatus = 'Online'");
	brc = brc ? brc : crmw__buf_printf(&q, " LIMIT %lld)", (long long)(lim ? json_integer_value(lim) : 10));
	json_t *res;
	if (crmw__tool_run(c, &q, brc, &res))
		return -1;
	json_t *rows = json_incref(json_object_get(res, "Knowledge__kav"));
	json_decref(res);
	return crmw__tool_put_records(c, rows ? rows : json_array());
}

static int t_get_article(bcall *c, json_t *args)
{
	return one_record(c, "Knowledge__kav", crmw__arg_str(args, "article_id"));
}

/* ----------------------------------------------------------------- pure */

static int t_count_by(bcall *c, json_t *args)
{
	const char *field = crmw__arg_str(args, "field");
	json_t *out = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(args, "records"), i, r) {
		json_t *v = json_object_get(r, field);
		const char *k = json_string_value(v);
		char num[64];
		if (!k && json_is_number(v)) {
			snprintf(num, sizeof num, "%g", json_number_value(v));
			k = num;
		}
		if (!k)
			continue; /* null or absent: not counted */
		json_t *n = json_object_get(out, k);
		json_object_set_new(out, k, json_integer(n ? json_integer_value(n) + 1 : 1));
	}
	return crmw__tool_put(c, out);
}

/* --------------------------------------------------------------- schemas */

#define DT(what) "{\"type\":\"string\",\"format\":\"date-time\",\"description\":\"" what " (YYYY-MM-DDTHH:MM:SSZ).\"}"
#define IDS(what) "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":\"" what BUILTIN_EMPTY_LIST "\"}"
#define STR(name, what) "\"" name "\":{\"type\":\"string\",\"minLength\":1,\"description\":\"" what "\"}"
#define OBJ(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "],\"additionalProperties\":false}"
#define PERIOD(what) "\"start_date\":" DT(what " at or after") ",\"end_date\":" DT(what " before")

const builtin_tool crmw__tools_pro[] = {
	{"get_lead", "One lead with every field you may read (null when there is no such lead).",
	 OBJ(STR("lead_id", "The Lead id."), "\"lead_id\""), t_get_lead, false, false},
	{"get_leads",
	 "Leads (Id, name, Company, Status, OwnerId, CreatedDate, IsConverted, ConvertedDate) matching every filter given: "
	 "created in [start_date, end_date), owned by owner_ids, with statuses, converted or not. At least one filter is "
	 "needed; an empty list is a filter that matches nothing. " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD("Created") ",\"owner_ids\":" IDS("Owner (User) ids.") ",\"statuses\":" IDS("Lead statuses.") ","
	     "\"is_converted\":{\"type\":\"boolean\",\"x-coerce\":true,\"description\":\"Only converted (true) or unconverted (false) leads.\"}",
	     ""),
	 t_get_leads, false, false},
	{"get_agent_lead_conversion_rates",
	 "Lead conversion rate per agent: of the leads created in [start_date, end_date) that an agent owns, the share "
	 "that converted within that same period (ConvertedDate in it too; with conversions \"any_time\", converted "
	 "whenever). An object mapping agent id to rate (0 to 1). " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD("Created") ",\"conversions\":{\"type\":\"string\",\"enum\":[\"in_period\",\"any_time\"],"
	     "\"description\":\"Which conversions count: those within the period (default) or those at any time.\"}",
	     "\"start_date\",\"end_date\""),
	 t_conversion_rates, true, false},
	{"get_opportunity", "One opportunity with every field you may read (null when there is no such opportunity).",
	 OBJ(STR("opportunity_id", "The Opportunity id."), "\"opportunity_id\""), t_get_opportunity, false, false},
	{"get_opportunities",
	 "Opportunities (Id, Name, StageName, Amount, OwnerId, AccountId, ContractID__c, CreatedDate, CloseDate) matching "
	 "every filter given: created in [start_date, end_date), owned by owner_ids, in stages, of account_id. At least "
	 "one filter is needed; an empty list is a filter that matches nothing. " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD("Created") ",\"owner_ids\":" IDS("Owner (User) ids.") ",\"stages\":" IDS("Stage names.") ","
	     STR("account_id", "The Account id."),
	     ""),
	 t_get_opportunities, false, false},
	{"get_agent_sales_amounts",
	 "Sales per agent: for the opportunities whose contract the company signed in the period, the sum of quantity "
	 "times price over their line items, by opportunity owner. An object mapping agent id to amount. "
	 BUILTIN_PERIOD_RULE_DAYS,
	 OBJ(PERIOD("Signed"), "\"start_date\",\"end_date\""),
	 t_sales_amounts, true, false},
	{"get_agent_sales_cycles",
	 "Average sales cycle per agent: for the opportunities whose contract the company signed in the period, the "
	 "days from the opportunity's creation to the signature, averaged by opportunity owner. An object mapping agent "
	 "id to days. " BUILTIN_PERIOD_RULE_DAYS,
	 OBJ(PERIOD("Signed"), "\"start_date\",\"end_date\""),
	 t_sales_cycles, true, false},
	{"get_quotes",
	 "Quotes (Id, Name, Status, OpportunityId, AccountId, CreatedDate, ExpirationDate, and OwnerId: the owner of "
	 "the opportunity) matching every filter given. At least one filter is needed; an empty list is a filter that "
	 "matches nothing.",
	 OBJ("\"opportunity_ids\":" IDS("Opportunity ids.") "," STR("account_id", "The Account id.") ","
	     "\"owner_ids\":" IDS("Owners (User ids) of the quotes' opportunities.") ",\"statuses\":" IDS("Quote statuses, for example Accepted."),
	     ""),
	 t_get_quotes, false, false},
	{"get_quote",
	 "One quote with every field you may read and its LineItems: Product2Id, ProductName, Quantity, UnitPrice, "
	 "Discount (percent), TotalPrice and ListPrice (the price book's unit price). Null when there is no such quote.",
	 OBJ(STR("quote_id", "The Quote id."), "\"quote_id\""), t_get_quote, false, false},
	{"get_contracts",
	 "Contracts matching every filter given: of account_id, signed by the company in the period, with statuses. At "
	 "least one filter is needed; an empty list is a filter that matches nothing. " BUILTIN_PERIOD_RULE_DAYS,
	 OBJ(STR("account_id", "The Account id.") "," PERIOD("Signed") ",\"statuses\":" IDS("Contract statuses."),
	     ""),
	 t_get_contracts, false, false},
	{"get_territories",
	 "Sales territories (Id, Name, Description: a comma-separated list of the states or regions they cover); with "
	 "state, only the territories that cover it.",
	 OBJ("\"state\":{\"type\":\"string\",\"minLength\":1,\"description\":\"A state or region code, for example CA.\"}", ""),
	 t_get_territories, false, false},
	{"get_territory_users", "The users (agents) assigned to territories: a list of {Territory2Id, UserId}.",
	 OBJ("\"territory_ids\":" IDS("Territory2 ids."), "\"territory_ids\""),
	 t_territory_users, false, false},
	{"get_tasks",
	 "The tasks of a record (an opportunity, for example): Subject, Description, Status, Priority, ActivityDate, "
	 "OwnerId; optionally only those with the given statuses (for example Not Started).",
	 OBJ(STR("what_id", "The id of the record the tasks are about.") ",\"statuses\":" IDS("Task statuses."),
	     "\"what_id\""),
	 t_get_tasks, false, false},
	{"get_events",
	 "The events (meetings) of a record: Subject, Description, StartDateTime, DurationInMinutes, Location, OwnerId.",
	 OBJ(STR("what_id", "The id of the record the events are about."), "\"what_id\""), t_get_events, false, false},
	{"get_voice_call_transcripts",
	 "The transcripts of sales calls, oldest first: with a lead (lead_id), about an opportunity (opportunity_id), "
	 "or every call made in [start_date, end_date); the filters given all apply. Give at least one. "
	 BUILTIN_PERIOD_RULE,
	 "{\"type\":\"object\",\"properties\":{" STR("lead_id", "The Lead id.") "," STR("opportunity_id", "The Opportunity id.")
	 "," PERIOD("Made") "},\"anyOf\":[{\"required\":[\"lead_id\"]},{\"required\":[\"opportunity_id\"]},"
	 "{\"required\":[\"start_date\"]},{\"required\":[\"end_date\"]}],\"additionalProperties\":false}",
	 t_voice_calls, false, false},
	{"search_knowledge",
	 "Full-text search of the published knowledge articles: a list of {Id, Title, Summary}, best match first. "
	 "Read one with get_knowledge_article.",
	 OBJ(STR("search_term", "Words to look for.") ","
	     "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"x-coerce\":true,\"description\":\"At most this many articles (default 10).\"}",
	     "\"search_term\""),
	 t_search_knowledge, false, false},
	{"get_knowledge_article", "One knowledge article with every field you may read (null when there is none you may read).",
	 OBJ(STR("article_id", "The Knowledge__kav id."), "\"article_id\""), t_get_article, false, false},
	{"count_records_by",
	 "Count records by the value of one of their fields: an object mapping value to count (records where it is null "
	 "are left out). Use it on results of other tools, for example quotes by OwnerId.",
	 OBJ("\"records\":{\"type\":\"array\",\"items\":{\"type\":\"object\"},\"description\":\"The records.\"},"
	     STR("field", "The field to count by."),
	     "\"records\",\"field\""),
	 t_count_by, false, true},
	{0},
};
