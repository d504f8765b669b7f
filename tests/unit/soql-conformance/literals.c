/*
 * Literals and values: escapes, booleans against null, bind variables, a
 * NUL in a LIKE pattern, a string literal over 64 MiB.
 */

#include "fixture.h"

/* The documented escapes: \uXXXX and the upper-case \N \R \T \B \F. */
void test_escapes(void **state)
{
	(void)state;
	ROWS("SELECT Subject FROM Case WHERE Subject = 'Caf\\u00e9\\Tnoir'",
	     "SELECT Subject FROM \"Case\" WHERE Subject = 'Caf' || char(233) || char(9) || 'noir'");
	ROWS("SELECT Subject FROM Case WHERE Subject = 'CAF\\u00e9\\tNOIR'",
	     "SELECT Subject FROM \"Case\" WHERE Subject = 'Caf' || char(233) || char(9) || 'noir'");
	ROWS("SELECT Subject FROM Case WHERE Subject = '\\uD83D\\uDE00 smile'",
	     "SELECT Subject FROM \"Case\" WHERE Subject = char(128512) || ' smile'");
	ROWS("SELECT Subject FROM Case WHERE Subject IN ('\\u0057aiting', '\\N', '\\R', '\\B', '\\F', 'Waiting\\u0021')",
	     "SELECT Subject FROM \"Case\" WHERE Subject IN (char(10), char(13), char(8), char(12), 'Waiting')");
	ERR("SELECT Id FROM Case WHERE Subject = '\\u00e'",
	    "MALFORMED_QUERY: \\u takes four hexadecimal digits (\\u00e9) (line 1, column 38)");
	ERR("SELECT Id FROM Case WHERE Subject = '\\uDE00'",
	    "MALFORMED_QUERY: \\uDE00 is the second half of a surrogate pair, with no first half (line 1, column 38)");
	ERR("SELECT Id FROM Case WHERE Subject = '\\uD83D x'",
	    "MALFORMED_QUERY: \\uD83D is the first half of a surrogate pair and needs its second half (\\uDC00 to \\uDFFF) (line 1, column 38)");
	ERR("SELECT Id FROM Case WHERE Subject = '\\q'", "MALFORMED_QUERY: invalid escape sequence '\\q' in a string (line 1, column 38)");
}

/* A boolean compared with null: = null is = false, != null is = true. */
void test_boolean_null(void **state)
{
	(void)state;
	ROWS("SELECT Name, IsActive FROM Product2 WHERE IsActive = null",
	     "SELECT Name, IsActive AS \"bool:IsActive\" FROM Product2 WHERE IsActive = 0");
	ROWS("SELECT Name FROM Product2 WHERE IsActive != null", "SELECT Name FROM Product2 WHERE IsActive = 1");
	ROWS("SELECT Name FROM Product2 WHERE NOT IsActive = null", "SELECT Name FROM Product2 WHERE IsActive = 1");
	ROWS("SELECT LastName FROM Lead WHERE IsConverted = null", "SELECT LastName FROM Lead WHERE IsConverted = 0");
	/* other fields keep their nulls */
	ROWS("SELECT Name FROM Account WHERE Industry = null", "SELECT Name FROM Account WHERE Industry IS NULL");
}

/* Bind variables: the documented "not supported", wherever a value goes. */
void test_bind_variables(void **state)
{
	(void)state;
	const char *why = "into the query (queries here are text, not Apex)";
	char msg[300];
#define BIND(q, var, col)                                                                                            \
	snprintf(msg, sizeof msg, "MALFORMED_QUERY: bind variables are not supported: write the value of ':%s' %s (line 1, column %d)", \
		 var, why, col);                                                                                      \
	ERR(q, msg)
	BIND("SELECT Id FROM Case WHERE Id IN :ids", "ids", 33);
	BIND("SELECT Id FROM Case WHERE Id NOT IN :ids", "ids", 37);
	BIND("SELECT Id FROM Case WHERE Id = :c.Id", "c.Id", 32);
	BIND("SELECT Id FROM Case WHERE Status IN ('New', :other)", "other", 45);
	BIND("SELECT Id FROM Case LIMIT :n", "n", 27);
	BIND("SELECT Id FROM Case LIMIT 5 OFFSET :skip", "skip", 36);
	BIND("SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS::days", "days", 53);
	BIND("SELECT Id FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(:lat, :lon), 'mi')", "lat", 68);
	BIND("SELECT Id FROM Store__c ORDER BY DISTANCE(Location__c, :here, 'mi')", "here", 56);
	BIND("SELECT Id FROM Case WHERE Status INCLUDES :x", "x", 43);
	fx_check_error(fx_db, "FIND :term IN ALL FIELDS", CRMW_EQUERY,
		    "MALFORMED_SEARCH: bind variables are not supported: write the value of ':term' into the query (queries here are text, not Apex) (line 1, column 6)",
		    NULL, __LINE__);
	fx_check_error(fx_db, "FIND {x} RETURNING Case(Id WHERE Id IN :ids)", CRMW_EQUERY,
		    "MALFORMED_SEARCH: bind variables are not supported: write the value of ':ids' into the query (queries here are text, not Apex) (line 1, column 40)",
		    NULL, __LINE__);
#undef BIND
}

/* A NUL byte inside a LIKE pattern (C API): refused, never a shorter pattern. */
void test_nul_in_like(void **state)
{
	(void)state;
	static const char q[] = "SELECT Id FROM Case WHERE Subject LIKE '%\0zzz'";
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, fx_db, q, sizeof q - 1, fx_opts), CRMW_EQUERY);
	assert_string_equal(crmw_db_errmsg(fx_db), "MALFORMED_QUERY: a string literal cannot contain a NUL byte (line 1, column 40)");
	assert_null(b.data);
	ERR("SELECT Id FROM Case WHERE Subject LIKE '%\\u0000zzz'",
	    "MALFORMED_QUERY: a string literal cannot contain a NUL character (\\u0000) (line 1, column 42)");
	static const char s[] = "FIND {a\0b}";
	assert_int_equal(crmw_query(&b, fx_db, s, sizeof s - 1, fx_opts), CRMW_EQUERY);
	assert_string_equal(crmw_db_errmsg(fx_db), "MALFORMED_SEARCH: the search text cannot contain a NUL byte (line 1, column 6)");
}

/* A string literal over 64 MiB: LIMIT_EXCEEDED, when the query is read. */
void test_huge_literal(void **state)
{
	(void)state;
	size_t n = (64u << 20) + 10;
	char *q = malloc(n + 64);
	assert_non_null(q);
	size_t k = (size_t)sprintf(q, "SELECT Id FROM Case WHERE Subject = '");
	memset(q + k, 'a', n);
	k += n;
	q[k++] = '\'';
	crmw_query_opts *o = NULL;
	assert_int_equal(crmw_query_opts_new(&o), CRMW_OK);
	assert_int_equal(crmw_query_opts_set_max_bytes(o, 0), CRMW_OK);
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_query(&b, fx_db, q, k, o), CRMW_ELIMIT);
	assert_string_equal(crmw_db_errmsg(fx_db),
			    "LIMIT_EXCEEDED: a string literal is longer than 67108864 bytes, the longest value a query may hold (line 1, column 37)");
	k = (size_t)sprintf(q, "FIND {");
	memset(q + k, 'a', n);
	k += n;
	q[k++] = '}';
	assert_int_equal(crmw_query(&b, fx_db, q, k, o), CRMW_ELIMIT);
	assert_string_equal(crmw_db_errmsg(fx_db),
			    "LIMIT_EXCEEDED: the search text is longer than 67108864 bytes, the longest value a query may hold (line 1, column 6)");
	crmw_query_opts_free(o);
	free(q);
}
