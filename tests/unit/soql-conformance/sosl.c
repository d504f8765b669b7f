/*
 * SOSL: IN ... FIELDS scopes, USING ListView, deeply nested search text,
 * wildcards inside terms.
 */

#include "fixture.h"

/* SOSL IN EMAIL / NAME / PHONE FIELDS when an object searched has no such field. */
void test_search_scope(void **state)
{
	(void)state;
	const char *objects[] = {"Contact", "Lead", "Account"};
	const char *sqls[] = {
		"SELECT c.Id, trim(coalesce(c.FirstName, '') || ' ' || coalesce(c.LastName, '')) AS Name FROM Contact c "
		"JOIN crmw_fts_Contact f ON f.rowid = c.rowid WHERE f.crmw_fts_Contact MATCH '{Email} : \"jane@example.com\"'",
		"SELECT l.Id, trim(coalesce(l.FirstName, '') || ' ' || coalesce(l.LastName, '')) AS Name FROM Lead l "
		"JOIN crmw_fts_Lead f ON f.rowid = l.rowid WHERE f.crmw_fts_Lead MATCH '{Email} : \"jane@example.com\"'",
		"SELECT Id, Name FROM Account WHERE 0",
	};
	fx_check_search(fx_db, "FIND {jane@example.com} IN EMAIL FIELDS RETURNING Contact(Id, Name), Lead(Id, Name), Account(Id, Name)",
		     objects, sqls, 3, false, __LINE__);
	const char *o2[] = {"Case", "Account"};
	const char *s2[] = {"SELECT Subject FROM \"Case\" WHERE 0", "SELECT Name FROM Account WHERE Phone LIKE '%555%'"};
	fx_check_search(fx_db, "FIND {555} IN PHONE FIELDS RETURNING Case(Subject), Account(Name)", o2, s2, 2, false, __LINE__);
	const char *o3[] = {"Case", "Contact"};
	const char *s3[] = {"SELECT Subject FROM \"Case\" WHERE 0", "SELECT LastName FROM Contact WHERE FirstName = 'Joan'"};
	fx_check_search(fx_db, "FIND {Joan} IN NAME FIELDS RETURNING Case(Subject), Contact(LastName)", o3, s3, 2, false, __LINE__);
	/* without RETURNING: only the objects with an email field are searched */
	json_t *v = fx_soql(fx_db, "FIND {jane} IN EMAIL FIELDS", NULL);
	const char *k;
	json_t *recs;
	json_object_foreach(v, k, recs) {
		bool has_email = strcmp(k, "User") == 0 || strcmp(k, "Contact") == 0 || strcmp(k, "Lead") == 0 ||
				 strcmp(k, "EmailMessage") == 0;
		if (!has_email)
			fail_msg("FIND IN EMAIL FIELDS searched %s", k);
	}
	assert_int_equal(json_array_size(json_object_get(v, "Contact")), 2);
	assert_int_equal(json_array_size(json_object_get(v, "Lead")), 1);
	json_decref(v);
}

/* SOSL RETURNING Account(Id, Name USING ListView=...): no list views here. */
void test_using_listview(void **state)
{
	(void)state;
	fx_check_error(fx_db, "FIND {Acme} RETURNING Account(Id, Name USING ListView=Recent)", CRMW_EQUERY,
		    "MALFORMED_SEARCH: USING ListView is not supported: this org has no list views; filter with WHERE (line 1, column 40)",
		    NULL, __LINE__);
	ERR("SELECT Id FROM Account USING SCOPE mine",
	    "MALFORMED_QUERY: USING SCOPE is not supported: filter scopes (mine, team, ...) need the user running the query, which queries here do not have; filter with WHERE (line 1, column 24)");
}

/* SOSL search text nested deeply: its own limit and message, never FTS5's parser. */
void test_search_nesting(void **state)
{
	(void)state;
	char q[2000];
	size_t n = (size_t)sprintf(q, "FIND {");
	for (int i = 0; i < 99; i++)
		n += (size_t)sprintf(q + n, "a OR (");
	n += (size_t)sprintf(q + n, "b");
	for (int i = 0; i < 99; i++)
		q[n++] = ')';
	q[n++] = '}';
	q[n] = '\0';
	fx_check_error(fx_db, q, CRMW_EQUERY,
		    "MALFORMED_SEARCH: parentheses in the search text nest too deeply (at most 16) (line 1, column 6)", NULL, __LINE__);
	/* 16 levels with every operator at each, with and without wildcards */
	for (int wild = 0; wild < 2; wild++) {
		n = (size_t)sprintf(q, "FIND {");
		for (int i = 0; i < 16; i++)
			n += (size_t)sprintf(q + n, "(Order AND NOT yy%d) OR (", i);
		n += (size_t)sprintf(q + n, wild ? "Ord?r" : "Order");
		for (int i = 0; i < 16; i++)
			q[n++] = ')';
		n += (size_t)sprintf(q + n, "} RETURNING Case(Subject)");
		json_t *v = fx_soql(fx_db, q, NULL);
		json_t *want = fx_sql_rows(fx_ref, "SELECT Subject FROM \"Case\" WHERE Subject LIKE 'Order%'");
		fx_compare(json_object_get(v, "Case"), want, false, "16 levels", q, __LINE__);
		json_decref(v);
		json_decref(want);
	}
}

/* SOSL wildcards: ? (one character) and * inside a term; a wildcard takes the kind of the character before it. */
void test_sosl_wildcards(void **state)
{
	(void)state;
	const char *objs[] = {"Contact"};
	const char *a[] = {"SELECT FirstName FROM Contact WHERE FirstName IN ('John', 'Joan')"};
	fx_check_search(fx_db, "FIND {Jo?n} IN NAME FIELDS RETURNING Contact(FirstName)", objs, a, 1, false, __LINE__);
	const char *b[] = {"SELECT FirstName FROM Contact WHERE lower(FirstName) GLOB 'j*n' AND FirstName NOT GLOB '*[0-9]*'"};
	fx_check_search(fx_db, "FIND {J*n} IN NAME FIELDS RETURNING Contact(FirstName)", objs, b, 1, false, __LINE__);
	const char *c[] = {"SELECT FirstName FROM Contact WHERE lower(FirstName) GLOB 'j*n' AND FirstName NOT GLOB '*[0-9]*' AND FirstName != 'Jon'"};
	fx_check_search(fx_db, "FIND {J*n AND NOT \"jon\"} IN NAME FIELDS RETURNING Contact(FirstName)", objs, c, 1, false, __LINE__);
	const char *d[] = {"SELECT FirstName FROM Contact WHERE FirstName IN ('John', 'Joan', 'Jane')"};
	fx_check_search(fx_db, "FIND {Jo?n OR Ja*} IN NAME FIELDS RETURNING Contact(FirstName)", objs, d, 1, false, __LINE__);
	const char *e[] = {"SELECT FirstName FROM Contact WHERE FirstName IN ('John', 'Joan')"};
	fx_check_search(fx_db, "FIND {(Jo?n OR Jon) NOT Jon} RETURNING Contact(FirstName)", objs, e, 1, false, __LINE__);
	/* a digit's wildcard is a digit: 1?3 is 123 and 143, not 1a3 */
	const char *cases[] = {"Case"};
	const char *f[] = {"SELECT Subject FROM \"Case\" WHERE Subject IN ('Order 123 late', 'Order 143 missing')"};
	fx_check_search(fx_db, "FIND {1?3} RETURNING Case(Subject)", cases, f, 1, false, __LINE__);
	const char *g[] = {"SELECT Subject FROM \"Case\" WHERE Subject = 'Order 123 late'"};
	fx_check_search(fx_db, "FIND {\"order 123\" AND 1*3 AND lat?} RETURNING Case(Subject)", cases, g, 1, false, __LINE__);
	/* diacritics fold as in the index: Caf? matches café */
	const char *h[] = {"SELECT Subject FROM \"Case\" WHERE Subject LIKE 'Caf%'"};
	fx_check_search(fx_db, "FIND {C?f?} RETURNING Case(Subject)", cases, h, 1, false, __LINE__);
	/* a hidden field never matches, with or without a wildcard */
	crmw_query_opts *o = fx_as_role(fx_db, "{\"schema_version\":1,\"name\":\"t\",\"default\":\"read\","
				       "\"objects\":{\"Contact\":{\"hidden_fields\":[\"Email\"]}}}");
	json_t *v = fx_soql(fx_db, "FIND {jan?} RETURNING Contact(FirstName)", o);
	json_t *want = fx_sql_rows(fx_ref, "SELECT FirstName FROM Contact WHERE FirstName = 'Jane'");
	fx_compare(json_object_get(v, "Contact"), want, false, "hidden field", "", __LINE__);
	json_decref(v);
	json_decref(want);
	crmw_query_opts_free(o);
	fx_check_error(fx_db, "FIND {*son}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a wildcard cannot start a term ('*son'): put it in the middle or at the end (line 1, column 6)", NULL, __LINE__);
	fx_check_error(fx_db, "FIND {?on}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a wildcard cannot start a term ('?on'): put it in the middle or at the end (line 1, column 6)", NULL, __LINE__);
	fx_check_error(fx_db, "FIND {jo-?n}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a term with a wildcard inside holds only letters, digits, '?' and '*' ('jo-?n') (line 1, column 6)", NULL, __LINE__);
	fx_check_error(fx_db, "FIND {a\\bc?d}", CRMW_EQUERY,
		    "MALFORMED_SEARCH: a term with a wildcard inside cannot hold escaped characters (line 1, column 6)", NULL, __LINE__);
	char q[1000];
	size_t n = (size_t)sprintf(q, "FIND {");
	for (int i = 0; i < 63; i++)
		q[n++] = (char)('a' + i % 26);
	sprintf(q + n, "?}");
	fx_check_error(fx_db, q, CRMW_EQUERY,
		    "MALFORMED_SEARCH: a term with a wildcard inside is too long (at most 63 characters) (line 1, column 6)", NULL, __LINE__);
	n = (size_t)sprintf(q, "FIND {a?c");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(q + n, " w%d", i);
	sprintf(q + n, "}");
	fx_check_error(fx_db, q, CRMW_EQUERY,
		    "MALFORMED_SEARCH: a search with a wildcard inside a term may have at most 64 terms (line 1, column 6)", NULL, __LINE__);
	/* a trailing * alone stays FTS5's prefix query */
	const char *i2[] = {"SELECT FirstName FROM Contact WHERE FirstName LIKE 'jo%'"};
	fx_check_search(fx_db, "FIND {jo*} IN NAME FIELDS RETURNING Contact(FirstName)", objs, i2, 1, false, __LINE__);
}
