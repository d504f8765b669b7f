/*
 * Functions in SELECT and WHERE: toLabel(), DISTANCE and GEOLOCATION,
 * FORMAT() and convertCurrency().
 */

#include "fixture.h"

/* toLabel(field) in SELECT and WHERE: labels are the values (no translations). */
void test_tolabel(void **state)
{
	(void)state;
	ROWS("SELECT Subject, toLabel(Status) FROM Case WHERE toLabel(Status) = 'working'",
	     "SELECT Subject, Status FROM \"Case\" WHERE Status = 'working' COLLATE NOCASE");
	ROWS("SELECT Subject, Status, toLabel(Status) translated FROM Case WHERE toLabel(Status) IN ('New', 'Closed')",
	     "SELECT Subject, Status, Status AS translated FROM \"Case\" WHERE Status IN ('New', 'Closed')");
	ROWS("SELECT LastName, toLabel(Account.Industry) FROM Contact WHERE AccountId != null",
	     "SELECT c.LastName, a.Id AS \"?Account\", a.Industry AS \"Account.Industry\" FROM Contact c "
	     "JOIN Account a ON a.Id = c.AccountId");
	ROWS("SELECT toLabel(Industry) ind, COUNT(Id) n FROM Account GROUP BY Industry",
	     "SELECT Industry AS ind, count(Id) AS n FROM Account GROUP BY Industry");
	SEARCH("FIND {Acme} RETURNING Account(Name, toLabel(Industry) WHERE toLabel(Industry) = 'Technology')", "Account",
	       "SELECT Name, Industry FROM Account WHERE Name LIKE '%acme%' AND Industry = 'Technology'");
	ERR("SELECT toLabel(Amount) FROM Opportunity",
	    "INVALID_FIELD: toLabel() works on picklist fields, and 'Amount' is a currency (line 1, column 8)");
	ERR("SELECT Status FROM Case ORDER BY toLabel(Status)",
	    "MALFORMED_QUERY: toLabel() cannot be used in ORDER BY: a picklist sorts in its defined order (line 1, column 34)");
	ERR("SELECT Status, toLabel(Status) FROM Case",
	    "MALFORMED_QUERY: duplicate field selected: toLabel(Status) (give the function an alias) (line 1, column 16)");
}

/* DISTANCE and GEOLOCATION in SELECT, WHERE, ORDER BY, SOQL and SOSL, over a host object's location fields. */
#define HAV(lat1, lon1, lat2, lon2, r)                                                                          \
	"(2 * " r " * asin(sqrt(pow(sin(radians(" lat2 " - " lat1 ") / 2), 2) + cos(radians(" lat1 ")) * "       \
	"cos(radians(" lat2 ")) * pow(sin(radians(" lon2 " - " lon1 ") / 2), 2))))"
#define MI "(6371.0 / 1.609344)"
#define SF_MI HAV(LAT("Location__c"), LON("Location__c"), "37.775", "-122.418", MI)

void test_distance(void **state)
{
	(void)state;
	ROWS_ORDERED("SELECT Name, DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') dist FROM Store__c "
		     "WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') < 20 "
		     "ORDER BY DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi')",
		     "SELECT Name, " SF_MI " AS dist FROM Store__c WHERE " SF_MI " < 20 ORDER BY " SF_MI);
	/* > is outside the radius; a record without a location has no distance */
	ROWS("SELECT Name FROM Store__c WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'km') > 500",
	     "SELECT Name FROM Store__c WHERE " HAV(LAT("Location__c"), LON("Location__c"), "37.775", "-122.418", "6371.0") " > 500");
	ROWS("SELECT Name FROM Store__c WHERE NOT DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'km') < 500",
	     "SELECT Name FROM Store__c WHERE coalesce(NOT " HAV(LAT("Location__c"), LON("Location__c"), "37.775", "-122.418", "6371.0") " < 500, 1)");
	/* two location fields; DESC puts the nulls last */
	ROWS_ORDERED("SELECT Name, DISTANCE(Location__c, Depot__c, 'km') FROM Store__c ORDER BY DISTANCE(Location__c, Depot__c, 'km') DESC, Name",
		     "SELECT Name, " HAV(LAT("Location__c"), LON("Location__c"), LAT("Depot__c"), LON("Depot__c"), "6371.0") " AS expr0 "
		     "FROM Store__c ORDER BY expr0 IS NULL, expr0 DESC, Name");
	/* the compound value and its parts */
	ROWS("SELECT Name, Location__c, Location__Latitude__s, Location__Longitude__s FROM Store__c WHERE Location__Latitude__s > 35",
	     "SELECT Name, json_object('latitude', " LAT("Location__c") ", 'longitude', " LON("Location__c") ") AS \"json:Location__c\", "
	     LAT("Location__c") " AS Location__Latitude__s, " LON("Location__c") " AS Location__Longitude__s FROM Store__c "
	     "WHERE " LAT("Location__c") " > 35");
	ROWS("SELECT Name, Location__c FROM Store__c WHERE Location__Latitude__s = null",
	     "SELECT Name, NULL AS Location__c FROM Store__c WHERE Location__c IS NULL");
	/* SOSL */
	SEARCH_ORDERED("FIND {West} RETURNING Store__c(Name, DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') d "
		       "WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') < 400 "
		       "ORDER BY DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi'))",
		       "Store__c", "SELECT Name, " SF_MI " AS d FROM Store__c WHERE Region__c = 'West' AND " SF_MI " < 400 ORDER BY d");
	ERR("SELECT Name FROM Store__c WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') = 20",
	    "INVALID_QUERY_FILTER_OPERATOR: DISTANCE() in WHERE compares with < or > and a number (DISTANCE(...) < 20) (line 1, column 33)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(GEOLOCATION(37.775, -122.418), Location__c, 'mi')",
	    "MALFORMED_QUERY: DISTANCE() takes the location field first: DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') (line 1, column 45)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(97, 0), 'mi')",
	    "MALFORMED_QUERY: the latitude of GEOLOCATION() is a number from -90 to 90 (line 1, column 70)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(Location__c, GEOLOCATION(1, 2), 'miles')",
	    "MALFORMED_QUERY: the unit of DISTANCE() is 'mi' or 'km', not 'miles' (line 1, column 77)");
	ERR("SELECT Name FROM Store__c ORDER BY DISTANCE(Name, GEOLOCATION(1, 2), 'mi')",
	    "INVALID_FIELD: DISTANCE() needs a location field, and 'Name' is a string (line 1, column 45)");
	ERR("SELECT Name FROM Store__c WHERE Location__c != null",
	    "INVALID_FIELD: location field 'Location__c' can only be selected, or measured with DISTANCE() (line 1, column 33)");
	ERR("SELECT Name FROM Store__c GROUP BY DISTANCE(Location__c, GEOLOCATION(1, 2), 'mi')",
	    "MALFORMED_QUERY: DISTANCE() cannot be used in GROUP BY (line 1, column 36)");
	ERR("SELECT Name FROM Store__c WHERE Name = GEOLOCATION(1, 2)",
	    "MALFORMED_QUERY: unexpected 'GEOLOCATION': a value is a 'quoted string', a number, true, false, null, a date (2024-01-31), a datetime (2024-01-31T08:00:00Z), a date literal (TODAY, LAST_N_DAYS:30) or an amount with its currency (USD5000) (line 1, column 40)");
	/* an org without a location field says so */
	ERR2("SELECT Id FROM Account WHERE DISTANCE(Name, GEOLOCATION(37.775, -122.418), 'mi') < 20",
	     "INVALID_FIELD: DISTANCE() needs a location field, and 'Name' is a string; this org has no location field (a host object can have one: field type \"location\") (line 1, column 39)");
	/* a location the store refuses */
	const char *bad = "{\"Name\":\"x\",\"Location__c\":\"91,0\"}";
	assert_int_equal(crmw_record_insert(NULL, fx_db, "Store__c", bad, strlen(bad)), CRMW_ESCHEMA);
	bad = "{\"Name\":\"x\",\"Location__c\":{\"latitude\":1}}";
	assert_int_equal(crmw_record_insert(NULL, fx_db, "Store__c", bad, strlen(bad)), CRMW_ESCHEMA);
	/* the records API writes a location as Salesforce does */
	crmw_buf b = CRMW_BUF_INIT;
	const char *q = "SELECT Id FROM Store__c WHERE Name = 'Los Angeles'";
	json_t *v = fx_soql(fx_db, q, NULL);
	const char *id = json_string_value(json_object_get(json_array_get(v, 0), "Id"));
	assert_int_equal(crmw_record_get(&b, fx_db, "Store__c", id), CRMW_OK);
	json_t *rec = json_loads(b.data, 0, NULL);
	json_t *loc = json_object_get(rec, "Location__c");
	assert_true(json_real_value(json_object_get(loc, "latitude")) == 34.0522);
	assert_true(json_real_value(json_object_get(loc, "longitude")) == -118.2437);
	json_decref(rec);
	json_decref(v);
	crmw_buf_dispose(&b);
}
/* The SQL of a date as Salesforce's en_US FORMAT() writes it. */
#define MDY(x) "CAST(strftime('%m', " x ") AS INT) || '/' || CAST(strftime('%d', " x ") AS INT) || '/' || strftime('%Y', " x ")"


/* FORMAT(field) and convertCurrency(field): en_US formats; one currency, so converting is the identity. */
#define INTF(x) "CASE WHEN " x " IS NULL THEN NULL ELSE printf('%,d', " x ") END"
#define MONEY(x) "'$' || printf('%,d', CAST(" x " AS INT)) || '.' || substr(printf('%.2f', " x "), -2)"
void test_format_currency(void **state)
{
	(void)state;
	ROWS("SELECT Name, FORMAT(Amount) amt, FORMAT(CloseDate), FORMAT(Probability) p, convertCurrency(Amount), "
	     "FORMAT(convertCurrency(Amount)) conv, FORMAT(CreatedDate) made FROM Opportunity WHERE Amount != null",
	     "SELECT Name, " MONEY("Amount") " AS amt, " MDY("CloseDate") " AS CloseDate, "
	     "CASE WHEN Probability = CAST(Probability AS INT) THEN CAST(CAST(Probability AS INT) AS TEXT) ELSE CAST(Probability AS TEXT) END || '%' AS p, "
	     "Amount, " MONEY("Amount") " AS conv, " MDY("CreatedDate") " || ', ' || ((CAST(strftime('%H', CreatedDate) AS INT) + 11) % 12 + 1) "
	     "|| ':' || strftime('%M', CreatedDate) || CASE WHEN CAST(strftime('%H', CreatedDate) AS INT) < 12 THEN ' AM' ELSE ' PM' END AS made "
	     "FROM Opportunity WHERE Amount IS NOT NULL");
	ROWS("SELECT Name, FORMAT(NumberOfEmployees) FROM Account",
	     "SELECT Name, " INTF("NumberOfEmployees") " AS NumberOfEmployees FROM Account");
	ROWS("SELECT FORMAT(SUM(Amount)) total, FORMAT(MIN(CloseDate)) firstClose, FORMAT(COUNT(Id)) n FROM Opportunity",
	     "SELECT " MONEY("sum(Amount)") " AS total, " MDY("min(CloseDate)") " AS firstClose, printf('%,d', count(Id)) AS n FROM Opportunity");
	ROWS("SELECT Name, FORMAT(Account.NumberOfEmployees) FROM Opportunity WHERE AccountId != null",
	     "SELECT o.Name, a.Id AS \"?Account\", " INTF("a.NumberOfEmployees") " AS \"Account.NumberOfEmployees\" FROM Opportunity o "
	     "JOIN Account a ON a.Id = o.AccountId");
	SEARCH("FIND {Acme} RETURNING Account(Name, FORMAT(NumberOfEmployees) n)", "Account",
	       "SELECT Name, " INTF("NumberOfEmployees") " AS n FROM Account WHERE Name LIKE '%acme%'");
	/* the org's currency is EUR in the fiscal org */
	ROWS2("SELECT Name, FORMAT(Amount) a FROM Opportunity WHERE Name IN ('F1', 'F3')",
	      "SELECT Name, 'EUR ' || printf('%,d', CAST(Amount AS INT)) || '.' || substr(printf('%.2f', Amount), -2) AS a "
	      "FROM Opportunity WHERE Name IN ('F1', 'F3')");
	ERR("SELECT Name FROM Opportunity WHERE convertCurrency(Amount) > 100",
	    "MALFORMED_QUERY: convertCurrency() cannot be used in WHERE; compare with an amount in the org's currency (Amount > USD5000) (line 1, column 36)");
	ERR("SELECT Name FROM Opportunity ORDER BY convertCurrency(Amount)",
	    "MALFORMED_QUERY: convertCurrency() cannot be used in ORDER BY: records sort and group by the converted amounts already (line 1, column 39)");
	ERR("SELECT convertCurrency(Probability) FROM Opportunity",
	    "INVALID_FIELD: convertCurrency() works on currency fields, and 'Probability' is a percent (line 1, column 8)");
	ERR("SELECT SUM(convertCurrency(Amount)) FROM Opportunity",
	    "MALFORMED_QUERY: convertCurrency() cannot be used inside SUM() (line 1, column 8)");
	ERR("SELECT FORMAT(Name) FROM Opportunity",
	    "INVALID_FIELD: FORMAT() works on number, currency, percent, date and dateTime fields, and 'Name' is a string (line 1, column 8)");
	ERR("SELECT Name FROM Opportunity WHERE FORMAT(Amount) = '1'",
	    "MALFORMED_QUERY: FORMAT() can only be used in SELECT, not in WHERE (line 1, column 36)");
	ERR("SELECT FORMAT(FORMAT(Amount)) FROM Opportunity",
	    "MALFORMED_QUERY: FORMAT() goes around other functions, not inside them (line 1, column 15)");
	ERR("SELECT MIN(FORMAT(CloseDate)) FROM Opportunity",
	    "MALFORMED_QUERY: FORMAT() goes around other functions, not inside them (line 1, column 12)");
	ERR("SELECT MIN(DISTANCE(Location__c, GEOLOCATION(1, 2), 'mi')) FROM Store__c",
	    "MALFORMED_QUERY: DISTANCE() cannot be inside another function (line 1, column 12)");
	ERR("SELECT FORMAT(SUM(DAY_ONLY(CreatedDate))) FROM Opportunity",
	    "MALFORMED_QUERY: functions nest at most two deep (line 1, column 19)");
}
