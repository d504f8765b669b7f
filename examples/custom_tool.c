/*
 * Registering a custom tool beside the built-in ones: a JSON-Schema for its
 * arguments (checked before the callback runs) and a C implementation that
 * writes its result with crmw_buf_set.
 * usage: example-custom-tool ORG.db
 * SPDX-License-Identifier: Apache-2.0
 */
#include <crmweaver.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* discount_price: the price after a discount, both from the arguments. */
static int discount_price(const char *args, size_t len, crmw_buf *result, void *userdata)
{
	(void)userdata;
	double price = 0, pct = 0;
	const char *p = strstr(args, "\"price\":"), *d = strstr(args, "\"percent\":");
	if (!p || !d || len == 0)
		return crmw_buf_set(result, "missing arguments", 17), 1;
	price = strtod(p + 8, NULL);
	pct = strtod(d + 10, NULL);
	char out[64];
	int n = snprintf(out, sizeof out, "{\"price\": %.2f}", price * (100.0 - pct) / 100.0);
	return crmw_buf_set(result, out, (size_t)n) ? 1 : 0;
}

int main(int argc, char **argv)
{
	crmw_db *db = NULL;
	crmw_registry *reg = NULL;
	crmw_buf out = CRMW_BUF_INIT;
	const char *schema = "{\"type\":\"object\",\"properties\":{\"price\":{\"type\":\"number\"},"
			     "\"percent\":{\"type\":\"number\",\"minimum\":0,\"maximum\":100}},"
			     "\"required\":[\"price\",\"percent\"],\"additionalProperties\":false}";
	int rc = argc > 1 ? crmw_db_open(&db, argv[1], CRMW_DB_READONLY) : CRMW_EINVALID;
	rc = rc ? rc : crmw_registry_new(&reg);
	rc = rc ? rc : crmw_registry_add_builtin(reg, "query,crmarena", db, NULL);
	rc = rc ? rc : crmw_registry_add(reg, "discount_price", "Price after a percentage discount.", schema,
					 discount_price, NULL, NULL);
	const char *good = "{\"price\": 80, \"percent\": 25}", *bad = "{\"price\": 80, \"percent\": 250}";
	rc = rc ? rc : crmw_registry_call(&out, reg, "discount_price", good, strlen(good));
	if (!rc)
		printf("discount_price(%s) = %s\n", good, out.data);
	/* arguments that break the schema never reach the callback */
	if (!rc && crmw_registry_call(&out, reg, "discount_price", bad, strlen(bad)) == CRMW_EINVALID)
		printf("rejected: %s\n", out.data ? out.data : crmw_last_error());
	if (rc)
		fprintf(stderr, "error: %s\n", crmw_last_error());
	crmw_buf_dispose(&out);
	crmw_registry_free(reg);
	crmw_db_free(db);
	return rc ? 1 : 0;
}
