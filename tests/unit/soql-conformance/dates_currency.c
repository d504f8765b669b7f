/*
 * Currency literals (one currency, no rates) and fiscal date literals and
 * functions.
 */

#include "fixture.h"

/* Currency literals: the org's own currency is the number; another is refused (one currency, no rates). */
void test_currency_literals(void **state)
{
	(void)state;
	ROWS("SELECT Name FROM Opportunity WHERE Amount > USD5000", "SELECT Name FROM Opportunity WHERE Amount > 5000");
	ROWS("SELECT Name FROM Opportunity WHERE Amount IN (usd500.01, usd600)",
	     "SELECT Name FROM Opportunity WHERE Amount IN (500.01, 600)");
	ROWS("SELECT Name FROM Opportunity WHERE Amount > -USD1 AND Amount <= usd1234.50",
	     "SELECT Name FROM Opportunity WHERE Amount > -1 AND Amount <= 1234.5");
	SEARCH("FIND {O1 OR O4} RETURNING Opportunity(Name WHERE Amount > USD5000)", "Opportunity",
	       "SELECT Name FROM Opportunity WHERE Name = 'O4'");
	ROWS2("SELECT Name FROM Opportunity WHERE Amount >= EUR5000", "SELECT Name FROM Opportunity WHERE Amount >= 5000");
	ERR("SELECT Name FROM Opportunity WHERE Amount > EUR5000",
	    "MALFORMED_QUERY: currency EUR is not active in this org: it has one currency, USD, and no conversion rates (line 1, column 45)");
	ERR2("SELECT Name FROM Opportunity WHERE Amount > USD5000",
	     "MALFORMED_QUERY: currency USD is not active in this org: it has one currency, EUR, and no conversion rates (line 1, column 45)");
	ERR("SELECT Name FROM Opportunity WHERE Amount IN (USD500, 600)",
	    "MALFORMED_QUERY: an IN list cannot mix amounts with and without a currency code (line 1, column 55)");
	ERR("SELECT Name FROM Opportunity WHERE Probability > USD5",
	    "INVALID_FIELD: an amount with a currency code (USD5) compares with currency fields, and 'Probability' is a percent (line 1, column 50)");
	ERR("SELECT StageName FROM Opportunity GROUP BY StageName HAVING SUM(Amount) > USD5",
	    "MALFORMED_QUERY: an amount with a currency code (USD5) cannot be compared with an aggregate, which is in the org's currency; write the number (line 1, column 75)");
}

/* Fiscal date literals and functions: calendar years by default, the org's fiscal start month otherwise. */
void test_fiscal(void **state)
{
	(void)state;
	/* main org: the fiscal year is the calendar year */
	COUNT("SELECT COUNT() FROM Opportunity WHERE CloseDate = THIS_FISCAL_QUARTER",
	      "SELECT count(*) AS n FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2024-07-01'");
	COUNT("SELECT COUNT() FROM Opportunity WHERE CloseDate = LAST_FISCAL_YEAR",
	      "SELECT count(*) AS n FROM Opportunity WHERE CloseDate >= '2023-01-01' AND CloseDate < '2024-01-01'");
	COUNT("SELECT COUNT() FROM Opportunity WHERE CreatedDate = LAST_N_FISCAL_YEARS:3",
	      "SELECT count(*) AS n FROM Opportunity WHERE CreatedDate >= '2021-01-01T00:00:00Z' AND CreatedDate < '2024-01-01T00:00:00Z'");
	ROWS("SELECT Name, FISCAL_YEAR(CloseDate) y, FISCAL_QUARTER(CloseDate) q, FISCAL_MONTH(CloseDate) m FROM Opportunity",
	     "SELECT Name, CAST(strftime('%Y', CloseDate) AS INT) AS y, (CAST(strftime('%m', CloseDate) AS INT) + 2) / 3 AS q, "
	     "CAST(strftime('%m', CloseDate) AS INT) AS m FROM Opportunity");
	/* fiscal org: the year starts in April and is named by the year it ends in */
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2025-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_QUARTER",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2024-07-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = NEXT_FISCAL_QUARTER",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-07-01' AND CloseDate < '2024-10-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = LAST_FISCAL_QUARTER",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-01-01' AND CloseDate < '2024-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = N_FISCAL_QUARTERS_AGO:2",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2023-10-01' AND CloseDate < '2024-01-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = LAST_N_FISCAL_YEARS:3",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2021-04-01' AND CloseDate < '2024-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = NEXT_N_FISCAL_YEARS:1",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2025-04-01' AND CloseDate < '2026-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate = N_FISCAL_YEARS_AGO:3",
	      "SELECT Name FROM Opportunity WHERE CloseDate >= '2021-04-01' AND CloseDate < '2022-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CloseDate < THIS_FISCAL_YEAR",
	      "SELECT Name FROM Opportunity WHERE CloseDate < '2024-04-01'");
	ROWS2("SELECT Name FROM Opportunity WHERE CreatedDate = LAST_N_FISCAL_QUARTERS:2",
	      "SELECT Name FROM Opportunity WHERE CreatedDate >= '2023-10-01T00:00:00Z' AND CreatedDate < '2024-04-01T00:00:00Z'");
	ROWS2("SELECT Name, FISCAL_YEAR(CloseDate) y, FISCAL_QUARTER(CloseDate) q, FISCAL_MONTH(CloseDate) m FROM Opportunity",
	      "SELECT Name, CAST(strftime('%Y', CloseDate) AS INT) + (CAST(strftime('%m', CloseDate) AS INT) >= 4) AS y, "
	      "(CAST(strftime('%m', CloseDate) AS INT) + 8) % 12 / 3 + 1 AS q, (CAST(strftime('%m', CloseDate) AS INT) + 8) % 12 + 1 AS m "
	      "FROM Opportunity");
	ROWS2("SELECT FISCAL_YEAR(CloseDate) fy, COUNT(Id) n FROM Opportunity GROUP BY FISCAL_YEAR(CloseDate)",
	      "SELECT CAST(strftime('%Y', CloseDate) AS INT) + (CAST(strftime('%m', CloseDate) AS INT) >= 4) AS fy, count(Id) AS n "
	      "FROM Opportunity GROUP BY fy");
	ERR("SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_FISCAL_YEARS",
	    "MALFORMED_QUERY: date literal LAST_N_FISCAL_YEARS needs ':n' (for example LAST_N_FISCAL_YEARS:7) (line 1, column 46)");
	ERR("SELECT Id FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR:2",
	    "MALFORMED_QUERY: date literal THIS_FISCAL_YEAR takes no ':n' (line 1, column 62)");
	ERR("SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_FISCAL_QUARTERS:100001",
	    "MALFORMED_QUERY: LAST_N_FISCAL_QUARTERS:100001: n must be a whole number from 0 to 100000 (line 1, column 69)");
	/* the settings are checked */
	crmw_schema *s = NULL;
	assert_int_equal(crmw_schema_builtin(&s, "b2b"), CRMW_OK);
	crmw_db *d = NULL;
	assert_int_equal(crmw_db_create(&d, ":memory:", s, "{\"fiscal_year_start_month\":13}"), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "crmw_db_create options: \"fiscal_year_start_month\" '13' is not a month from 1 to 12");
	assert_int_equal(crmw_db_create(&d, ":memory:", s, "{\"currency\":\"usd\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_db_create(&d, ":memory:", s, "{\"fiscal_year_named_by\":\"middle\"}"), CRMW_EINVALID);
	crmw_schema_free(s);
	/* and kept in the file */
	crmw_db *again = NULL;
	assert_int_equal(crmw_db_open(&again, fx_fiscal_path, CRMW_DB_READONLY), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR AND Amount > EUR10";
	assert_int_equal(crmw_query(&b, again, q, strlen(q), fx_opts), CRMW_OK);
	json_t *got = json_loads(b.data, 0, NULL),
	       *want = fx_sql_rows(fx_ref2, "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-04-01' AND CloseDate < '2025-04-01' AND Amount > 10");
	fx_compare(got, want, false, "settings after reopening", q, __LINE__);
	json_decref(got);
	json_decref(want);
	crmw_buf_dispose(&b);
	crmw_db_free(again);
}
