/*
 * The "crmarena" tool set: the 27 function-calling tools of CRMArena's
 * original org, with their names, parameters and semantics.  Datetimes are
 * 'YYYY-MM-DDTHH:MM:SSZ'; results are JSON; errors are text.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tools/builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
					    "July",    "August",   "September", "October", "November", "December"};

/* ----------------------------------------------------- record helpers */

/* Count records per value of `key`, in first-seen order. */
static json_t *count_by(json_t *records, const char *key)
{
	json_t *counts = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *k = json_string_value(json_object_get(r, key));
		if (!k || !counts)
			continue;
		json_t *n = json_object_get(counts, k);
		json_object_set_new(counts, k, json_integer(n ? json_integer_value(n) + 1 : 1));
	}
	return counts;
}

/* The keys whose value is the largest (max) or smallest, in order. */
static json_t *extreme_keys(json_t *values, bool max)
{
	json_t *out = json_array();
	double best = 0;
	bool any = false;
	const char *k;
	json_t *v;
	json_object_foreach(values, k, v) {
		double x = json_number_value(v);
		if (!any || (max ? x > best : x < best)) {
			best = x;
			any = true;
		}
	}
	json_object_foreach(values, k, v) {
		if (json_number_value(v) == best)
			json_array_append_new(out, json_string(k));
	}
	return out;
}

/* created/closed seconds of record i, or fail naming the index. */
static int record_span(bcall *c, json_t *r, size_t i, int64_t *created, int64_t *closed)
{
	const char *a = json_string_value(json_object_get(r, "CreatedDate"));
	const char *b = json_string_value(json_object_get(r, "ClosedDate"));
	if (!a || !b)
		return crmw__tool_fail(c, "Error: the case record at index %zu has no %s; use closed cases only", i,
			     a ? "ClosedDate" : "CreatedDate");
	if (!crmw__parse_epoch(a, created) || !crmw__parse_epoch(b, closed))
		return crmw__tool_fail(c, "Error: invalid date format at index %zu; expected 'YYYY-MM-DDTHH:MM:SSZ'", i);
	if (*closed < *created)
		return crmw__tool_fail(c, "Error: ClosedDate is earlier than CreatedDate at index %zu", i);
	return 0;
}

/* Append " AND <field> IN (...)" for a list argument (the caller answered an
 * empty list already: crmw__arg_empty). */
static int and_in(crmw_buf *q, bool *first, const char *field, json_t *list)
{
	if (!list)
		return 0;
	int rc = crmw__buf_printf(q, "%s%s IN ", *first ? " WHERE " : " AND ", field);
	*first = false;
	return rc ? rc : crmw__soql_in_list(q, list);
}

static int and_cmp(crmw_buf *q, bool *first, const char *field, const char *op, const char *dt)
{
	int rc = crmw__buf_printf(q, "%s%s %s %s", *first ? " WHERE " : " AND ", field, op, dt);
	*first = false;
	return rc;
}

/* ----------------------------------------------------- pure functions */

static int t_agents_extreme(bcall *c, json_t *args, bool max)
{
	json_t *counts = count_by(json_object_get(args, "subset_cases"), "OwnerId");
	json_t *out = extreme_keys(counts, max);
	json_decref(counts);
	return crmw__tool_put(c, out);
}

static int t_agents_max(bcall *c, json_t *args)
{
	return t_agents_extreme(c, args, true);
}

static int t_agents_min(bcall *c, json_t *args)
{
	return t_agents_extreme(c, args, false);
}

static int t_avg_handle_time(bcall *c, json_t *args)
{
	json_t *cases = json_object_get(args, "cases");
	means m = {0};
	size_t i;
	json_t *r;
	json_array_foreach(cases, i, r) {
		int64_t a, b;
		if (record_span(c, r, i, &a, &b)) {
			crmw__means_free(&m);
			return -1;
		}
		crmw__means_add(&m, json_string_value(json_object_get(r, "OwnerId")), (double)(b - a) / 60.0);
	}
	return crmw__tool_put(c, crmw__means_result(&m));
}

static int t_start_date(bcall *c, json_t *args)
{
	char end[21];
	if (!crmw__arg_datetime(c, "end_date", crmw__arg_str(args, "end_date"), end))
		return -1;
	const char *period = crmw__arg_str(args, "period");
	int64_t n = json_integer_value(json_object_get(args, "interval_count"));
	int y, m, d, hh, mi, ss;
	sscanf(end, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &m, &d, &hh, &mi, &ss);
	/* n past 4,000,000 of any unit goes back further than year 1 (and
	 * past crmw__days_before's bound) */
	if (n <= 4000000)
		crmw__civil_from_days(crmw__days_before(crmw__days_from_civil(y, m, d), period[0], n), &y, &m, &d);
	if (n > 4000000 || y < 1)
		return crmw__tool_fail(c, "Error: the start date falls before year 1");
	char out[32];
	snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mi, ss);
	return crmw__tool_put(c, json_string(out));
}

static int t_period(bcall *c, json_t *args)
{
	const char *p = crmw__arg_str(args, "period_name");
	int year = (int)json_integer_value(json_object_get(args, "year"));
	int start = 0, months = 1;
	if (!crmw__named_period(p, strlen(p), &start, &months) || months == 12)
		return crmw__tool_fail(c, "Error: unknown period_name");
	int ey = year + (start - 1 + months) / 12, em = (start - 1 + months) % 12 + 1;
	char a[32], b[32];
	snprintf(a, sizeof a, "%04d-%02d-01T00:00:00Z", year, start);
	snprintf(b, sizeof b, "%04d-%02d-01T00:00:00Z", ey, em);
	return crmw__tool_put(c, json_pack("{s:s, s:s}", "start_date", a, "end_date", b));
}

static int t_qualified_agents(bcall *c, json_t *args)
{
	json_t *counts = json_object_get(args, "agent_handled_cases");
	int64_t n = json_integer_value(json_object_get(args, "n_cases"));
	json_t *out = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(counts, k, v) {
		if (json_number_value(v) > (double)n)
			json_array_append_new(out, json_string(k));
	}
	return crmw__tool_put(c, out);
}

static int t_region_closure(bcall *c, json_t *args)
{
	json_t *cases = json_object_get(args, "cases");
	if (json_array_size(cases) == 0)
		return crmw__tool_fail(c, "Error: Input 'cases' is empty");
	means m = {0};
	size_t i;
	json_t *r;
	json_array_foreach(cases, i, r) {
		const char *state = json_string_value(json_object_get(r, "ShippingState"));
		if (!state || !*state)
			continue; /* cases without a state are left out */
		int64_t a, b;
		if (record_span(c, r, i, &a, &b)) {
			crmw__means_free(&m);
			return -1;
		}
		crmw__means_add(&m, state, (double)(b - a));
	}
	return crmw__tool_put(c, crmw__means_result(&m));
}

static int t_find_extreme(bcall *c, json_t *args, bool max)
{
	json_t *values = json_object_get(args, "values_by_id");
	if (json_object_size(values) == 0)
		return crmw__tool_put(c, json_null());
	return crmw__tool_put(c, extreme_keys(values, max));
}

static int t_find_max(bcall *c, json_t *args)
{
	return t_find_extreme(c, args, true);
}

static int t_find_min(bcall *c, json_t *args)
{
	return t_find_extreme(c, args, false);
}

static int t_month_counts(bcall *c, json_t *args)
{
	json_t *cases = json_object_get(args, "cases");
	int counts[12] = {0};
	int order[12], norder = 0;
	size_t i;
	json_t *r;
	json_array_foreach(cases, i, r) {
		int64_t t;
		if (!crmw__parse_epoch(json_string_value(json_object_get(r, "CreatedDate")), &t))
			return crmw__tool_fail(c, "Error: invalid date format at index %zu; expected 'YYYY-MM-DDTHH:MM:SSZ'", i);
		int y, m, d;
		crmw__civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &m, &d);
		if (counts[m - 1]++ == 0)
			order[norder++] = m - 1;
	}
	json_t *out = json_object();
	for (int k = 0; k < norder; k++)
		json_object_set_new(out, month_names[order[k]], json_integer(counts[order[k]]));
	return crmw__tool_put(c, out);
}

/* ------------------------------------------------------- data readers */

static int t_handled_by_period(bcall *c, json_t *args)
{
	char a[21], b[21];
	if (!crmw__arg_period(c, args, a, b))
		return -1;
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_printf(&q,
				   "SELECT NewValue__c, COUNT(Id) n FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' "
				   "AND CreatedDate >= %s AND CreatedDate < %s AND NewValue__c != null%s GROUP BY NewValue__c",
				   a, b, json_is_true(json_object_get(args, "first_assignments_only")) ? " AND OldValue__c = null" : "");
	return crmw__tool_soql_object(c, &q, brc, "NewValue__c", "n");
}

static int t_get_cases(bcall *c, json_t *args)
{
	static const char *const lists[] = {"agent_ids", "case_ids", "order_item_ids", "issue_ids", "statuses", NULL};
	json_t *agents = crmw__arg_arr(args, "agent_ids"), *ids = crmw__arg_arr(args, "case_ids"),
	       *items = crmw__arg_arr(args, "order_item_ids"), *issues = crmw__arg_arr(args, "issue_ids"),
	       *statuses = crmw__arg_arr(args, "statuses");
	char a[21], b[21];
	const char *pa, *pb;
	if (!crmw__arg_period_opt(c, args, a, b, &pa, &pb))
		return -1;
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_array());
	if (!pa && !pb && !agents && !ids && !items && !issues && !statuses)
		return crmw__tool_fail(c, "Error: At least one filter criteria must be provided");
	crmw_buf q = CRMW_BUF_INIT;
	bool first = true;
	int brc = crmw__buf_puts(&q, "SELECT Id, OwnerId, CreatedDate, ClosedDate, AccountId FROM Case");
	brc = brc ? brc : pa ? and_cmp(&q, &first, "CreatedDate", ">=", pa) : 0;
	brc = brc ? brc : pb ? and_cmp(&q, &first, "CreatedDate", "<", pb) : 0;
	brc = brc ? brc : and_in(&q, &first, "OwnerId", agents);
	brc = brc ? brc : and_in(&q, &first, "Id", ids);
	brc = brc ? brc : and_in(&q, &first, "OrderItemId__c", items);
	brc = brc ? brc : and_in(&q, &first, "IssueId__c", issues);
	brc = brc ? brc : and_in(&q, &first, "Status", statuses);
	return crmw__tool_run_records(c, &q, brc);
}

static int t_non_transferred(bcall *c, json_t *args)
{
	char a[21], b[21];
	if (!crmw__arg_period(c, args, a, b))
		return -1;
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_printf(&q,
				   "SELECT CaseId__c FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' "
				   "AND CreatedDate >= %s AND CreatedDate < %s GROUP BY CaseId__c HAVING COUNT(Id) = 1",
				   a, b);
	return crmw__tool_soql_list(c, &q, brc, "CaseId__c");
}

static int t_transferred_by_period(bcall *c, json_t *args)
{
	static const char *const lists[] = {"qualified_agent_ids", NULL};
	char a[21], b[21];
	if (!crmw__arg_period(c, args, a, b))
		return -1;
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_object());
	crmw_buf q = CRMW_BUF_INIT;
	bool first = false;
	int brc = crmw__buf_printf(&q,
				   "SELECT OldValue__c, COUNT(Id) n FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' "
				   "AND OldValue__c != null AND CreatedDate >= %s AND CreatedDate < %s",
				   a, b);
	brc = brc ? brc : and_in(&q, &first, "OldValue__c", crmw__arg_arr(args, "qualified_agent_ids"));
	brc = brc ? brc : crmw__buf_puts(&q, " GROUP BY OldValue__c");
	return crmw__tool_soql_object(c, &q, brc, "OldValue__c", "n");
}

static int t_shipping_state(bcall *c, json_t *args)
{
	json_t *cases = json_object_get(args, "cases");
	if (json_array_size(cases) == 0)
		return crmw__tool_put(c, json_array());
	json_t *ids = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(cases, i, r) {
		json_array_append(ids, json_object_get(r, "AccountId"));
	}
	crmw_buf q = CRMW_BUF_INIT;
	bool first = true;
	int brc = crmw__buf_puts(&q, "SELECT Id, ShippingState FROM Account");
	brc = brc ? brc : and_in(&q, &first, "Id", ids);
	json_decref(ids);
	json_t *rows;
	if (crmw__tool_run(c, &q, brc, &rows))
		return -1;
	json_t *state = json_object();
	json_array_foreach(rows, i, r) {
		json_object_set(state, json_string_value(json_object_get(r, "Id")), json_object_get(r, "ShippingState"));
	}
	json_decref(rows);
	json_t *out = json_deep_copy(cases);
	json_array_foreach(out, i, r) {
		json_t *s = json_object_get(state, json_string_value(json_object_get(r, "AccountId")));
		json_object_set(r, "ShippingState", s ? s : json_null());
	}
	json_decref(state);
	return crmw__tool_put_records(c, out);
}

static int t_order_items_by_product(bcall *c, json_t *args)
{
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_puts(&q, "SELECT Id FROM OrderItem WHERE Product2Id = ");
	brc = brc ? brc : crmw__soql_quote(&q, crmw__arg_str(args, "product_id"));
	return crmw__tool_soql_list(c, &q, brc, "Id");
}

static int t_issue_counts(bcall *c, json_t *args)
{
	static const char *const lists[] = {"order_item_ids", NULL};
	char a[21], b[21];
	if (!crmw__arg_period(c, args, a, b))
		return -1;
	if (crmw__arg_empty(args, lists))
		return crmw__tool_put(c, json_object());
	crmw_buf q = CRMW_BUF_INIT;
	bool first = false;
	int brc = crmw__buf_puts(&q, "SELECT IssueId__c, COUNT(Id) n FROM Case WHERE IssueId__c != null");
	brc = brc ? brc : and_in(&q, &first, "OrderItemId__c", json_object_get(args, "order_item_ids"));
	brc = brc ? brc : and_cmp(&q, &first, "CreatedDate", ">=", a);
	brc = brc ? brc : and_cmp(&q, &first, "CreatedDate", "<", b);
	brc = brc ? brc : crmw__buf_puts(&q, " GROUP BY IssueId__c ORDER BY COUNT(Id) DESC, IssueId__c");
	return crmw__tool_soql_object(c, &q, brc, "IssueId__c", "n");
}

static int t_account_by_contact(bcall *c, json_t *args)
{
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_puts(&q, "SELECT AccountId FROM Contact WHERE Id = ");
	brc = brc ? brc : crmw__soql_quote(&q, crmw__arg_str(args, "contact_id"));
	brc = brc ? brc : crmw__buf_puts(&q, " LIMIT 1");
	json_t *rows;
	if (crmw__tool_run(c, &q, brc, &rows))
		return -1;
	json_t *acc = json_object_get(json_array_get(rows, 0), "AccountId");
	json_t *out = acc ? json_incref(acc) : json_null();
	json_decref(rows);
	return crmw__tool_put(c, out);
}

static int t_purchase_history(bcall *c, json_t *args)
{
	char dt[21];
	if (!crmw__arg_datetime(c, "purchase_date", crmw__arg_str(args, "purchase_date"), dt))
		return -1;
	dt[10] = '\0'; /* the day: Order.EffectiveDate is a date */
	json_t *products = json_object_get(args, "related_product_ids");
	if (json_array_size(products) == 0)
		return crmw__tool_put(c, json_array());
	crmw_buf q = CRMW_BUF_INIT;
	bool first = false;
	int brc = crmw__buf_puts(&q, "SELECT Product2Id FROM OrderItem WHERE Order.AccountId = ");
	brc = brc ? brc : crmw__soql_quote(&q, crmw__arg_str(args, "account_id"));
	brc = brc ? brc : crmw__buf_printf(&q, " AND Order.EffectiveDate = %s AND Order.Status = 'Activated'", dt);
	brc = brc ? brc : and_in(&q, &first, "Product2Id", products);
	return crmw__tool_run_records(c, &q, brc);
}

/* SOSL for a search term; `returning` completes "RETURNING ...". */
static int search(bcall *c, const char *term, const char *returning, json_t **out)
{
	const char *t = term;
	while (*t == ' ' || *t == '\t' || *t == '\n')
		t++;
	if (!*t)
		return crmw__tool_fail(c, "Error: search_term cannot be empty");
	crmw_buf q = CRMW_BUF_INIT;
	int brc = crmw__buf_puts(&q, "FIND ");
	brc = brc ? brc : crmw__sosl_braced(&q, term);
	brc = brc ? brc : crmw__buf_printf(&q, " IN ALL FIELDS RETURNING %s", returning);
	return crmw__tool_run(c, &q, brc, out);
}

static int t_search_articles(bcall *c, json_t *args)
{
	const crmw_object *kb = crmw__schema_object(crmw_db_schema(c->db), "Knowledge__kav");
	const char *ret = kb && crmw__object_field(kb, "PublishStatus")
				  ? "Knowledge__kav(Id, Title, FAQ_Answer__c WHERE PublishStatus = 'Online')"
				  : "Knowledge__kav(Id, Title, FAQ_Answer__c)";
	json_t *res;
	if (search(c, crmw__arg_str(args, "search_term"), ret, &res))
		return -1;
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(res, "Knowledge__kav"), i, r) {
		json_t *body = json_object_get(r, "FAQ_Answer__c");
		json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "Id", json_object_get(r, "Id"), "Title",
						     json_object_get(r, "Title"), "Content", body ? body : json_null()));
	}
	json_decref(res);
	return crmw__tool_put_records(c, out);
}

static int t_search_products(bcall *c, json_t *args)
{
	json_t *res;
	if (search(c, crmw__arg_str(args, "search_term"), "Product2(Id, Name, Description)", &res))
		return -1;
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(res, "Product2"), i, r) {
		json_array_append(out, json_object_get(r, "Id"));
	}
	json_decref(res);
	return crmw__tool_put_records(c, out);
}

static int t_issues(bcall *c, json_t *args)
{
	(void)args;
	json_t *rows;
	if (crmw__tool_soql(c, "SELECT Id, Name FROM Issue__c", &rows))
		return -1;
	return crmw__tool_put_records(c, rows);
}

/* SELECT the fields of `want` that `object` has, WHERE <by> = the id. */
static int by_parent(bcall *c, const char *object, const char *const *want, size_t nwant, const char *by, const char *id)
{
	crmw_buf q = CRMW_BUF_INIT;
	if (crmw__tool_select(c, &q, object, want, nwant))
		return -1;
	int brc = crmw__buf_printf(&q, " WHERE %s = ", by);
	brc = brc ? brc : crmw__soql_quote(&q, id);
	return crmw__tool_run_records(c, &q, brc);
}

static int t_emails(bcall *c, json_t *args)
{
	static const char *const want[] = {"Subject", "TextBody", "FromAddress", "ToAddress", "ToIds", "MessageDate"};
	return by_parent(c, "EmailMessage", want, CRMW_ARRAY_LEN(want), "ParentId", crmw__arg_str(args, "case_id"));
}

static int t_chats(bcall *c, json_t *args)
{
	static const char *const want[] = {"Body", "EndTime"};
	return by_parent(c, "LiveChatTranscript", want, CRMW_ARRAY_LEN(want), "CaseId", crmw__arg_str(args, "case_id"));
}

/* ------------------------------------------------------------ schemas */

#define DT(what) "{\"type\":\"string\",\"format\":\"date-time\",\"description\":\"" what " (YYYY-MM-DDTHH:MM:SSZ).\"}"
#define IDS(what) "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":\"" what BUILTIN_EMPTY_LIST "\"}"
#define OBJ(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]}"
#define CASES(props, req, what)                                                                              \
	"{\"type\":\"object\",\"properties\":{\"cases\":{\"type\":\"array\",\"description\":\"" what "\","     \
	"\"items\":{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]}}},\"required\":[\"cases\"]}"
#define STR(name, what) "\"" name "\":{\"type\":\"string\",\"description\":\"" what "\"}"
#define PERIOD "\"start_date\":" DT("The start of the period, in it") ",\"end_date\":" DT("The end of the period, not in it")

const builtin_tool crmw__tools_crmarena[] = {
	{"get_agents_with_max_cases",
	 "Return the ids of the agents (OwnerId) who own the most cases in the given list of case records; all of them on a tie.",
	 "{\"type\":\"object\",\"properties\":{\"subset_cases\":{\"type\":\"array\",\"description\":\"Case records, each with an OwnerId.\","
	 "\"items\":{\"type\":\"object\",\"properties\":{" STR("OwnerId", "The id of the agent who owns the case.") "},"
	 "\"required\":[\"OwnerId\"]}}},\"required\":[\"subset_cases\"]}",
	 t_agents_max, false, true},
	{"get_agents_with_min_cases",
	 "Return the ids of the agents (OwnerId) who own the fewest cases in the given list of case records; all of them on a tie.",
	 "{\"type\":\"object\",\"properties\":{\"subset_cases\":{\"type\":\"array\",\"description\":\"Case records, each with an OwnerId.\","
	 "\"items\":{\"type\":\"object\",\"properties\":{" STR("OwnerId", "The id of the agent who owns the case.") "},"
	 "\"required\":[\"OwnerId\"]}}},\"required\":[\"subset_cases\"]}",
	 t_agents_min, false, true},
	{"calculate_average_handle_time",
	 "Average handle time (ClosedDate minus CreatedDate, in minutes) per agent over the given closed case records: "
	 "an object mapping OwnerId to minutes.",
	 CASES(STR("CreatedDate", "When the case was created.") "," STR("ClosedDate", "When the case was closed.") ","
	       STR("OwnerId", "The agent who owns the case."), "\"CreatedDate\",\"ClosedDate\",\"OwnerId\"",
	       "Closed case records."),
	 t_avg_handle_time, true, true},
	{"get_start_date",
	 "The start of the period [start_date, end_date) that ends at end_date and spans interval_count days, weeks, "
	 "months or quarters (a quarter is 3 months), as YYYY-MM-DDTHH:MM:SSZ. Pass it with the same end_date to the "
	 "tools that take a period (\"the past 3 months\": end_date is today).",
	 OBJ("\"end_date\":" DT("The end of the period, excluded from it") ","
	     "\"period\":{\"type\":\"string\",\"enum\":[\"day\",\"week\",\"month\",\"quarter\"],\"description\":\"The unit.\"},"
	     "\"interval_count\":{\"type\":\"integer\",\"minimum\":0,\"x-coerce\":true,\"description\":\"How many units.\"}",
	     "\"end_date\",\"period\",\"interval_count\""),
	 t_start_date, false, true},
	{"get_period",
	 "The start and end (the first moment after it) of a named month, quarter (Q1-Q4) or season (Winter runs from "
	 "December 1 of the year to the end of February of the next) of a year: {\"start_date\", \"end_date\"}, to pass "
	 "as they are to the tools that take a period [start_date, end_date).",
	 OBJ("\"period_name\":{\"type\":\"string\",\"enum\":[\"January\",\"February\",\"March\",\"April\",\"May\",\"June\","
	     "\"July\",\"August\",\"September\",\"October\",\"November\",\"December\",\"Q1\",\"Q2\",\"Q3\",\"Q4\","
	     "\"Spring\",\"Summer\",\"Fall\",\"Autumn\",\"Winter\"],\"description\":\"The month, quarter or season.\"},"
	     "\"year\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":9998,\"x-coerce\":true,\"description\":\"The year.\"}",
	     "\"period_name\",\"year\""),
	 t_period, false, true},
	{"get_agent_handled_cases_by_period",
	 "How many cases were assigned to each agent in the period, from the case history's 'Owner Assignment' "
	 "entries: an object mapping agent id to count. With first_assignments_only, only first assignments count (a "
	 "case transferred to an agent does not). " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD
	     ",\"first_assignments_only\":{\"type\":\"boolean\",\"description\":\"Count only the first assignment "
	     "of each case (default false)\"}",
	     "\"start_date\",\"end_date\""),
	 t_handled_by_period, true, false},
	{"get_qualified_agent_ids_by_case_count",
	 "The ids of the agents who handled more than n_cases cases, from an object mapping agent id to case count.",
	 OBJ("\"agent_handled_cases\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"},"
	     "\"description\":\"Agent id to number of cases handled.\"},"
	     "\"n_cases\":{\"type\":\"integer\",\"x-coerce\":true,\"description\":\"Keep agents with more cases than this.\"}",
	     "\"agent_handled_cases\",\"n_cases\""),
	 t_qualified_agents, false, true},
	{"get_cases",
	 "Case records (Id, OwnerId, CreatedDate, ClosedDate, AccountId) matching every filter given: created in "
	 "[start_date, end_date), owned by agent_ids, with ids case_ids, about order_item_ids, of issue_ids, with statuses. "
	 "At least one filter is needed; an empty list is a filter that matches nothing. " BUILTIN_PERIOD_RULE,
	 OBJ("\"start_date\":" DT("Created at or after") ",\"end_date\":" DT("Created before") ","
	     "\"agent_ids\":" IDS("Owner (User) ids.") ",\"case_ids\":" IDS("Case ids.") ","
	     "\"order_item_ids\":" IDS("OrderItem ids.") ",\"issue_ids\":" IDS("Issue__c ids.") ","
	     "\"statuses\":" IDS("Case statuses, for example Closed."),
	     ""),
	 t_get_cases, false, false},
	{"get_non_transferred_case_ids",
	 "The ids of the cases assigned exactly once (never transferred) in the period, by the case history's "
	 "'Owner Assignment' entries in it. " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD,
	     "\"start_date\",\"end_date\""),
	 t_non_transferred, true, false},
	{"get_agent_transferred_cases_by_period",
	 "How many cases each agent transferred to another agent in the period, optionally only for "
	 "qualified_agent_ids (an empty list: none): an object mapping agent id to count. " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD ","
	     "\"qualified_agent_ids\":" IDS("Only these agents (absent: every agent)."),
	     "\"start_date\",\"end_date\""),
	 t_transferred_by_period, true, false},
	{"get_shipping_state",
	 "The given case records with a ShippingState added to each: the shipping state of the case's account.",
	 CASES(STR("AccountId", "The account of the case."), "\"AccountId\"", "Case records with an AccountId."),
	 t_shipping_state, false, false},
	{"calculate_region_average_closure_times",
	 "Average closure time (ClosedDate minus CreatedDate, in seconds) per ShippingState over the given case "
	 "records: an object mapping state to seconds.  Cases without a state are left out.",
	 CASES(STR("ShippingState", "The state of the case's account.") "," STR("CreatedDate", "When the case was created.")
	       "," STR("ClosedDate", "When the case was closed."),
	       "\"ShippingState\",\"CreatedDate\",\"ClosedDate\"", "Closed case records with a ShippingState."),
	 t_region_closure, true, true},
	{"get_order_item_ids_by_product", "The ids of the order items of a product.",
	 OBJ(STR("product_id", "The Product2 id."), "\"product_id\""), t_order_items_by_product, false, false},
	{"get_issue_counts",
	 "How many cases of each issue were created in the period about the given order items: an object mapping "
	 "Issue__c id to count, most frequent first. " BUILTIN_PERIOD_RULE,
	 OBJ(PERIOD ",\"order_item_ids\":" IDS("OrderItem ids."), "\"start_date\",\"end_date\",\"order_item_ids\""),
	 t_issue_counts, false, false},
	{"find_id_with_max_value",
	 "The ids with the largest value in an object mapping id to number (a list: all of them on a tie; null when empty).",
	 OBJ("\"values_by_id\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"},\"description\":\"Id to value.\"}",
	     "\"values_by_id\""),
	 t_find_max, false, true},
	{"find_id_with_min_value",
	 "The ids with the smallest value in an object mapping id to number (a list: all of them on a tie; null when empty).",
	 OBJ("\"values_by_id\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"},\"description\":\"Id to value.\"}",
	     "\"values_by_id\""),
	 t_find_min, false, true},
	{"get_account_id_by_contact_id", "The id of the account of a contact (null when there is none).",
	 OBJ(STR("contact_id", "The Contact id."), "\"contact_id\""), t_account_by_contact, false, false},
	{"get_purchase_history",
	 "The order items (Product2Id) an account bought on a day among the given products: items of its Activated "
	 "orders whose EffectiveDate is purchase_date.",
	 OBJ(STR("account_id", "The Account id.") ","
	     "\"purchase_date\":{\"type\":\"string\",\"anyOf\":[{\"format\":\"date\"},{\"format\":\"date-time\"}],"
	     "\"description\":\"The day of the purchase (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).\"},"
	     "\"related_product_ids\":" IDS("Product2 ids to look for."),
	     "\"account_id\",\"purchase_date\",\"related_product_ids\""),
	 t_purchase_history, false, false},
	{"get_month_to_case_count",
	 "How many of the given case records were created in each calendar month: an object mapping month name "
	 "(January, ...) to count.",
	 CASES(STR("CreatedDate", "When the case was created."), "\"CreatedDate\"", "Case records with a CreatedDate."),
	 t_month_counts, false, true},
	{"search_knowledge_articles",
	 "Full-text search of the published knowledge articles: a list of {Id, Title, Content}, best match first.",
	 OBJ(STR("search_term", "Words to look for."), "\"search_term\""), t_search_articles, false, false},
	{"search_products", "Full-text search of the products: a list of Product2 ids, best match first.",
	 OBJ(STR("search_term", "Words to look for."), "\"search_term\""), t_search_products, false, false},
	{"get_issues", "All issue records (Issue__c): a list of {Id, Name}.",
	 "{\"type\":\"object\",\"properties\":{}}", t_issues, false, false},
	{"get_email_messages_by_case_id",
	 "The email messages of a case: Subject, TextBody, FromAddress, the recipients and MessageDate.",
	 OBJ(STR("case_id", "The Case id."), "\"case_id\""), t_emails, false, false},
	{"get_livechat_transcript_by_case_id", "The live chat transcripts of a case: Body and EndTime.",
	 OBJ(STR("case_id", "The Case id."), "\"case_id\""), t_chats, false, false},
	BUILTIN_RESPOND,
	BUILTIN_ISSUE_SOQL_QUERY,
	BUILTIN_ISSUE_SOSL_QUERY,
	{0},
};
