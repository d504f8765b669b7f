/*
 * Statements and clauses refused with Salesforce's status and message
 * (UPDATE TRACKING, GROUPING(), OFFSET above 2,000), error messages of
 * whole characters, and ORDER BY a picklist.
 */

#include "fixture.h"

/* UPDATE TRACKING / UPDATE VIEWSTAT: writes, refused; UPDATE is never an alias. */
void test_update_tracking(void **state)
{
	(void)state;
	ERR("SELECT Title FROM Knowledge__kav WHERE Title LIKE 'a%' UPDATE TRACKING",
	    "MALFORMED_QUERY: UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only (line 1, column 63)");
	ERR("SELECT Title FROM Knowledge__kav UPDATE VIEWSTAT",
	    "MALFORMED_QUERY: UPDATE VIEWSTAT is not supported: it counts a view of the Knowledge articles found, and queries here are read-only (line 1, column 41)");
	ERR("SELECT Title FROM Knowledge__kav FOR VIEW UPDATE TRACKING",
	    "MALFORMED_QUERY: UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only (line 1, column 50)");
	ERR("SELECT Title FROM Knowledge__kav UPDATE",
	    "MALFORMED_QUERY: unexpected end of query, expected TRACKING or VIEWSTAT after UPDATE (line 1, column 40)");
	fx_check_error(fx_db, "FIND {Apex} RETURNING Knowledge__kav(Title) UPDATE TRACKING", CRMW_EQUERY,
		    "MALFORMED_SEARCH: UPDATE TRACKING is not supported: it records the search in the keyword statistics of Knowledge articles, and queries here are read-only (line 1, column 52)",
		    NULL, __LINE__);
	fx_check_error(fx_db, "FIND {Apex} UPDATE VIEWSTAT", CRMW_EQUERY,
		    "MALFORMED_SEARCH: UPDATE VIEWSTAT is not supported: it counts a view of the Knowledge articles found, and queries here are read-only (line 1, column 20)",
		    NULL, __LINE__);
	/* a keyword is never an alias */
	ERR("SELECT Id FROM Case Update WHERE Status = 'New'",
	    "MALFORMED_QUERY: unexpected 'WHERE', expected TRACKING or VIEWSTAT after UPDATE (line 1, column 28)");
	ERR("SELECT Id FROM Case c, c.Account Where", "MALFORMED_QUERY: unexpected 'Where', expected an alias after the relationship path (FROM Contact c, c.Account a) (line 1, column 34)");
}

/* ORDER BY a picklist sorts in the picklist's defined order (values outside it after, alphabetically). */
void test_picklist_order(void **state)
{
	(void)state;
	ROWS_ORDERED("SELECT Subject, Status FROM Case ORDER BY Status",
		     "SELECT Subject, Status FROM \"Case\" ORDER BY Status IS NOT NULL, " STATUS_RANK ", Status COLLATE NOCASE");
	ROWS_ORDERED("SELECT Subject FROM Case ORDER BY Status DESC NULLS FIRST",
		     "SELECT Subject FROM \"Case\" ORDER BY Status IS NOT NULL, " STATUS_RANK " DESC, Status COLLATE NOCASE DESC");
	ROWS_ORDERED("SELECT Name FROM Opportunity ORDER BY StageName NULLS LAST, Name",
		     "SELECT Name FROM Opportunity ORDER BY StageName IS NULL, CASE StageName WHEN 'Qualification' THEN 0 "
		     "WHEN 'Discovery' THEN 1 WHEN 'Quote' THEN 2 WHEN 'Negotiation' THEN 3 WHEN 'Closed' THEN 4 END, Name");
	ROWS_ORDERED("SELECT LastName FROM Contact WHERE AccountId != null ORDER BY Account.Industry, LastName",
		     "SELECT c.LastName FROM Contact c JOIN Account a ON a.Id = c.AccountId ORDER BY a.Industry IS NOT NULL, "
		     "CASE a.Industry WHEN 'Technology' THEN 0 WHEN 'Energy' THEN 2 END, c.LastName");
	ROWS_ORDERED("SELECT Status, COUNT(Id) n FROM Case GROUP BY Status ORDER BY Status DESC",
		     "SELECT Status, count(Id) AS n FROM \"Case\" GROUP BY Status ORDER BY Status IS NULL, " STATUS_RANK " DESC, Status COLLATE NOCASE DESC");
	SEARCH_ORDERED("FIND {Order} RETURNING Case(Subject ORDER BY Status)", "Case",
		       "SELECT Subject FROM \"Case\" WHERE Subject LIKE 'Order%' ORDER BY " STATUS_RANK);
}

/* GROUPING() with ROLLUP/CUBE: not supported, with the reason. */
void test_grouping(void **state)
{
	(void)state;
	ERR("SELECT Status, GROUPING(Status) g, COUNT(Id) FROM Case GROUP BY ROLLUP(Status)",
	    "MALFORMED_QUERY: GROUPING() is not supported: it marks the subtotal rows of GROUP BY ROLLUP and CUBE, which this engine does not compute (line 1, column 16)");
	ERR("SELECT Status, COUNT(Id) FROM Case GROUP BY CUBE(Status)",
	    "MALFORMED_QUERY: GROUP BY ROLLUP and CUBE are not supported: this engine computes no subtotal rows (line 1, column 45)");
	ERR("SELECT Status FROM Case GROUP BY Status HAVING GROUPING(Status) = 1",
	    "MALFORMED_QUERY: GROUPING() is not supported: it marks the subtotal rows of GROUP BY ROLLUP and CUBE, which this engine does not compute (line 1, column 48)");
	/* a field may still be called Grouping */
	ERR("SELECT Grouping FROM Case", "INVALID_FIELD: No such column 'Grouping' on entity 'Case' (line 1, column 8)");
}

/* Is s (n bytes) whole UTF-8 characters? */
static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = u[i] < 0x80 ? 1 : u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC2 ? 2 : 0;
		if (!len || i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((u[i + k] & 0xC0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

/* Error messages never hold half of a multi-byte character. */
void test_messages_whole_characters(void **state)
{
	(void)state;
	ERR("SELECT \xc3\x91" "ame FROM Account", "MALFORMED_QUERY: unexpected character '\xc3\x91' (line 1, column 8)");
	/* a value shown in a message is cut between characters */
	char q[400];
	char word[200] = "J\xc3\xa9";
	for (int i = 0; i < 40; i++)
		strcat(word, "\xc3\xa9");
	strcat(word, "?");
	snprintf(q, sizeof q, "FIND {*%s}", word);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, fx_db, q, strlen(q), fx_opts), CRMW_EQUERY);
	assert_true(valid_utf8(crmw_db_errmsg(fx_db), strlen(crmw_db_errmsg(fx_db))));
	assert_non_null(strstr(crmw_db_errmsg(fx_db), "a wildcard cannot start a term"));
	snprintf(q, sizeof q, "SELECT Id FROM Case WHERE Id = '%s'", word);
	assert_int_equal(crmw_query(&b, fx_db, q, strlen(q), fx_opts), CRMW_EQUERY);
	assert_true(valid_utf8(crmw_db_errmsg(fx_db), strlen(crmw_db_errmsg(fx_db))));
	/* every cut of a long message: every byte of a query made of multi-byte characters */
	char big[3000];
	size_t n = (size_t)snprintf(big, sizeof big, "SELECT Id FROM Case WHERE Subject = 'x' AND ");
	while (n < sizeof big - 8) {
		memcpy(big + n, "\xe2\x82\xac", 3);
		n += 3;
	}
	for (size_t cut = 44; cut < n; cut += 97) {
		assert_int_not_equal(crmw_query(&b, fx_db, big, cut, fx_opts), CRMW_OK);
		assert_true(valid_utf8(crmw_last_error(), strlen(crmw_last_error())));
		assert_true(valid_utf8(crmw_db_errmsg(fx_db), strlen(crmw_db_errmsg(fx_db))));
	}
	crmw_buf_dispose(&b);
}

/* OFFSET above 2,000: Salesforce's NUMBER_OUTSIDE_VALID_RANGE. */
void test_offset(void **state)
{
	(void)state;
	ROWS("SELECT Id FROM Case ORDER BY Id LIMIT 5 OFFSET 2000", "SELECT Id FROM \"Case\" WHERE 0");
	ROWS_ORDERED("SELECT Subject FROM Case ORDER BY Subject LIMIT 2 OFFSET 3",
		     "SELECT Subject FROM \"Case\" ORDER BY Subject COLLATE NOCASE LIMIT 2 OFFSET 3");
	ERR("SELECT Id FROM Case OFFSET 2001",
	    "NUMBER_OUTSIDE_VALID_RANGE: Maximum SOQL offset allowed is 2000 (OFFSET 2001) (line 1, column 28)");
	ERR("SELECT Name, (SELECT Id FROM Contacts OFFSET 5000) FROM Account",
	    "NUMBER_OUTSIDE_VALID_RANGE: Maximum SOQL offset allowed is 2000 (OFFSET 5000) (line 1, column 46)");
	fx_check_error(fx_db, "FIND {Acme} RETURNING Account(Name LIMIT 1 OFFSET 99999999999)", CRMW_EQUERY,
		    "NUMBER_OUTSIDE_VALID_RANGE: Maximum SOSL offset allowed is 2000 (OFFSET 99999999999) (line 1, column 51)",
		    NULL, __LINE__);
}
