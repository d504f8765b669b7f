/*
 * The property test: random queries under random policies return only
 * what the policy lets the role read (the ground truth in SQL).
 */

#include "fixture.h"

/* ---------------------------------------------------- property test */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

#define NOBJ 6
static const char *const pobjs[NOBJ] = {"Account", "Contact", "Case", "User", "Order", "Knowledge__kav"};
static json_t *pschema; /* object name -> [field objects] */

typedef struct ids {
	char (*v)[19];
	size_t n;
} ids;

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool has_id(const ids *s, const char *id)
{
	return id && bsearch(id, s->v, s->n, sizeof *s->v, cmp_id) != NULL;
}

static void ids_of(ids *s, const char *sqltext)
{
	json_t *c = fx_sql_col(sqltext);
	s->n = json_array_size(c);
	s->v = calloc(s->n + 1, sizeof *s->v);
	for (size_t i = 0; i < s->n; i++)
		snprintf(s->v[i], sizeof s->v[i], "%s", json_string_value(json_array_get(c, i)));
	qsort(s->v, s->n, sizeof *s->v, cmp_id);
	json_decref(c);
}

static int obj_index(const char *name)
{
	for (int i = 0; i < NOBJ; i++)
		if (strcmp(pobjs[i], name) == 0)
			return i;
	return -1;
}

static json_t *fields_of(int o)
{
	return json_object_get(pschema, pobjs[o]);
}

static const char *ftype(const json_t *f)
{
	return json_string_value(json_object_get(f, "type"));
}

static bool filterable(const json_t *f)
{
	const char *t = ftype(f);
	return strcmp(t, "textarea") && strcmp(t, "multipicklist");
}

static bool is_text(const char *t)
{
	return !strcmp(t, "string") || !strcmp(t, "picklist") || !strcmp(t, "email") || !strcmp(t, "phone") ||
	       !strcmp(t, "url");
}

/* A random condition on field f of object o: SOQL into `soql`, the same in
 * SQLite SQL (with SOQL's null semantics) into `sqlc`.  False when the field
 * has no value to compare with. */
static bool gen_cond(int o, const json_t *f, char *soql, size_t sn, char *sqlc, size_t qn)
{
	const char *name = json_string_value(json_object_get(f, "name"));
	const char *t = ftype(f);
	char q[300], v[400];
	snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\" WHERE \"%s\" IS NOT NULL", pobjs[o], name);
	json_t *cnt = fx_sql_col(q);
	int n = atoi(json_string_value(json_array_get(cnt, 0)));
	json_decref(cnt);
	if (n == 0)
		return false;
	snprintf(q, sizeof q, "SELECT \"%s\" FROM \"%s\" WHERE \"%s\" IS NOT NULL ORDER BY \"Id\" LIMIT 1 OFFSET %u", name,
		 pobjs[o], name, rnd((uint32_t)n));
	json_t *val = fx_sql_col(q);
	snprintf(v, sizeof v, "%s", json_string_value(json_array_get(val, 0)));
	json_decref(val);
	char sv[900], qv[900]; /* SOQL and SQL literals of v */
	fx_lit(sv, sizeof sv, v);
	size_t k = 0;
	qv[k++] = '\'';
	for (const char *p = v; *p && k + 3 < sizeof qv; p++) {
		if (*p == '\'')
			qv[k++] = '\'';
		qv[k++] = *p;
	}
	qv[k++] = '\'';
	qv[k] = '\0';
	uint32_t op = rnd(3);
	if (op == 2 && (unsigned char)v[0] >= 0x80)
		op = 0; /* LIKE on the first character: ASCII only */
	if (is_text(t)) {
		if (op == 0) {
			snprintf(soql, sn, "%s = %s", name, sv);
			snprintf(sqlc, qn, "(\"%s\" = %s COLLATE NOCASE)", name, qv);
		} else if (op == 1) {
			snprintf(soql, sn, "%s != %s", name, sv);
			snprintf(sqlc, qn, "(\"%s\" IS NULL OR \"%s\" <> %s COLLATE NOCASE)", name, name, qv);
		} else {
			char c = v[0];
			bool esc = c == '%' || c == '_' || c == '\\' || c == '\'';
			snprintf(soql, sn, "%s LIKE '%s%c%%'", name, esc ? "\\" : "", c);
			snprintf(sqlc, qn, "(\"%s\" LIKE '%s%c%s%%' ESCAPE '\\')", name, esc && c != '\'' ? "\\" : "", c,
				 c == '\'' ? "'" : "");
		}
	} else if (!strcmp(t, "id") || !strcmp(t, "reference")) {
		if (op == 1) {
			snprintf(soql, sn, "%s != '%s'", name, v);
			snprintf(sqlc, qn, "(\"%s\" IS NULL OR \"%s\" <> '%s')", name, name, v);
		} else {
			snprintf(soql, sn, "%s = '%s'", name, v);
			snprintf(sqlc, qn, "(\"%s\" = '%s')", name, v);
		}
	} else if (!strcmp(t, "boolean")) {
		bool b = rnd(2);
		snprintf(soql, sn, "%s = %s", name, b ? "true" : "false");
		snprintf(sqlc, qn, "(\"%s\" = %d)", name, b);
	} else if (!strcmp(t, "datetime") || !strcmp(t, "date")) {
		snprintf(soql, sn, "%s %s %s", name, op ? ">" : "<", v);
		snprintf(sqlc, qn, "(\"%s\" %s '%s')", name, op ? ">" : "<", v);
	} else {
		snprintf(soql, sn, "%s %s %s", name, op ? ">" : "<", v);
		snprintf(sqlc, qn, "(\"%s\" %s %s)", name, op ? ">" : "<", v);
	}
	return true;
}

typedef struct prole {
	char policy[16384];
	bool readable[NOBJ];
	bool hidden[NOBJ][64];
	ids vis[NOBJ];
	crmw_role *role;
} prole;

static const json_t *field_named(int o, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields_of(o), i, f) if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) return f;
	return NULL;
}

static int field_index(int o, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields_of(o), i, f) if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) return (int)i;
	return -1;
}

/* A random policy over the six objects, and what it lets the role read. */
static void gen_role(prole *r)
{
	memset(r, 0, sizeof *r);
	bool def = rnd(3) != 0;
	json_t *p = json_pack("{s:i, s:s, s:s, s:{}}", "schema_version", 1, "name", "random", "default", def ? "read" : "none",
			      "objects");
	json_t *objs = json_object_get(p, "objects");
	for (int o = 0; o < NOBJ; o++) {
		r->readable[o] = def;
		char rule_sql[2000] = "1";
		uint32_t kind = rnd(7); /* 0: default, 1: denied, 2: hidden fields, 3: only fields, 4-6: a row rule */
		if (kind == 0)
			goto fx_truth;
		json_t *spec = json_object();
		json_object_set_new(objs, pobjs[o], spec);
		r->readable[o] = true;
		json_t *fs = fields_of(o);
		size_t nf = json_array_size(fs);
		if (kind == 1 && rnd(2)) {
			json_object_set_new(spec, "read", json_false());
			r->readable[o] = false;
			goto fx_truth;
		}
		if (kind == 2 || kind == 3 || rnd(4) == 0) {
			json_t *list = json_array();
			bool only = kind == 3;
			for (size_t i = 1; i < nf; i++) { /* field 0 is Id */
				bool pick = only ? rnd(4) != 0 : rnd(5) == 0;
				if (pick)
					json_array_append_new(list, json_incref(json_object_get(json_array_get(fs, i), "name")));
				r->hidden[o][i] = only ? !pick : pick;
			}
			json_object_set_new(spec, only ? "fields" : "hidden_fields", list);
		}
		if (kind >= 4) {
			char soql[1500], sqlc[1500], rule[3200] = "", rs[3200] = "";
			int nc = 1 + (int)rnd(2);
			for (int c = 0; c < nc; c++) {
				const json_t *f;
				int tries = 0;
				do {
					f = json_array_get(fs, rnd((uint32_t)nf));
				} while ((!filterable(f) || !gen_cond(o, f, soql, sizeof soql, sqlc, sizeof sqlc)) && ++tries < 20);
				if (tries >= 20)
					break;
				size_t l = strlen(rule), m = strlen(rs);
				snprintf(rule + l, sizeof rule - l, "%s%s", c ? " AND " : "", soql);
				snprintf(rs + m, sizeof rs - m, "%s%s", c ? " AND " : "", sqlc);
			}
			/* sometimes the rule reaches the account through a semi-join */
			if (rule[0] && field_named(o, "AccountId") && rnd(2)) {
				const json_t *ind = field_named(0, "Industry");
				char s2[1500], q2[1500];
				if (ind && gen_cond(0, ind, s2, sizeof s2, q2, sizeof q2)) {
					size_t l = strlen(rule), m = strlen(rs);
					snprintf(rule + l, sizeof rule - l, " AND AccountId IN (SELECT Id FROM Account WHERE %s)", s2);
					snprintf(rs + m, sizeof rs - m, " AND \"AccountId\" IN (SELECT \"Id\" FROM \"Account\" WHERE %s)", q2);
				}
			}
			if (rule[0]) {
				json_object_set_new(spec, "where", json_string(rule));
				snprintf(rule_sql, sizeof rule_sql, "%s", rs);
			}
		}
fx_truth:;
		char q[2600];
		snprintf(q, sizeof q, "SELECT \"Id\" FROM \"%s\" WHERE %s", pobjs[o], r->readable[o] ? rule_sql : "0");
		ids_of(&r->vis[o], q);
	}
	char *t = json_dumps(p, JSON_COMPACT);
	snprintf(r->policy, sizeof r->policy, "%s", t);
	free(t);
	json_decref(p);
	r->role = fx_make_role(r->policy, NULL);
}

static void free_role(prole *r)
{
	for (int o = 0; o < NOBJ; o++)
		free(r->vis[o].v);
	crmw_role_free(r->role);
}

typedef struct pstats {
	int queries, valid, denied, counted, violations;
	char first[5][1200];
} pstats;

static void violation(pstats *st, const prole *r, const char *q, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void violation(pstats *st, const prole *r, const char *q, const char *fmt, ...)
{
	if (st->violations < 5) {
		char what[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(st->first[st->violations], sizeof st->first[0], "%s\n#   query: %s\n#   policy: %.500s", what, q, r->policy);
	}
	st->violations++;
}

/* The ids a query returns with no role (the library's own evaluation of
 * WHERE, which the ground truth then restricts to the visible rows). */
static bool internal_ids(const char *q, ids *out)
{
	crmw_query_opts *o = fx_opts_for(NULL);
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_query(&b, fx_db, q, strlen(q), o);
	crmw_query_opts_free(o);
	if (rc) {
		crmw_buf_dispose(&b);
		return false;
	}
	json_t *a = json_loads(b.data, 0, NULL);
	crmw_buf_dispose(&b);
	out->n = json_array_size(a);
	out->v = calloc(out->n + 1, sizeof *out->v);
	for (size_t i = 0; i < out->n; i++)
		snprintf(out->v[i], sizeof out->v[i], "%s", json_string_value(json_object_get(json_array_get(a, i), "Id")));
	qsort(out->v, out->n, sizeof *out->v, cmp_id);
	json_decref(a);
	return true;
}

/* One random query under role r, checked against the ground truth. */
static void random_query(prole *r, pstats *st)
{
	int o = (int)rnd(NOBJ);
	json_t *fs = fields_of(o);
	size_t nf = json_array_size(fs);
	/* what the role must be refused for: in WHERE (which COUNT() keeps)
	 * and in the select list */
	bool deny_where = !r->readable[o], deny_sel = false;
	/* a path or child list through a hidden reference field: refused, or
	 * empty */
	bool via_hidden_ref = false;
	char sel[2000] = "Id", where[3000] = "", q[6000];
	int nsel = (int)rnd(3);
	bool used[64] = {true};
	for (int i = 0; i < nsel; i++) {
		size_t k = rnd((uint32_t)nf);
		if (used[k])
			continue;
		used[k] = true;
		size_t l = strlen(sel);
		snprintf(sel + l, sizeof sel - l, ", %s", json_string_value(json_object_get(json_array_get(fs, k), "name")));
		deny_sel = deny_sel || r->hidden[o][k];
	}
	/* a parent through a reference to one of the six objects */
	const char *rel = NULL;
	int target = -1;
	bool ref_hidden = false;
	if (rnd(2)) {
		size_t i;
		json_t *f;
		json_array_foreach(fs, i, f) {
			json_t *refs = json_object_get(f, "references");
			int tg = json_array_size(refs) == 1 ? obj_index(json_string_value(json_array_get(refs, 0))) : -1;
			if (tg >= 0 && (!rel || rnd(2))) {
				rel = json_string_value(json_object_get(f, "relationship_name"));
				target = tg;
				ref_hidden = r->hidden[o][i];
			}
		}
	}
	if (rel) {
		size_t l = strlen(sel);
		snprintf(sel + l, sizeof sel - l, ", %s.Id", rel);
		deny_sel = deny_sel || !r->readable[target];
		json_t *tf = fields_of(target);
		size_t k = 1 + rnd((uint32_t)json_array_size(tf) - 1);
		if (rnd(2)) {
			l = strlen(sel);
			snprintf(sel + l, sizeof sel - l, ", %s.%s", rel, json_string_value(json_object_get(json_array_get(tf, k), "name")));
			deny_sel = deny_sel || r->hidden[target][k];
		}
		via_hidden_ref = ref_hidden;
	}
	/* a child relationship from one of the six objects */
	const char *child_rel = NULL;
	int child = -1;
	bool via_hidden = false;
	if (rnd(3) == 0) {
		for (int c = 0; c < NOBJ; c++) {
			size_t i;
			json_t *f;
			json_array_foreach(fields_of(c), i, f) {
				json_t *refs = json_object_get(f, "references");
				const char *cr = json_string_value(json_object_get(f, "child_relationship_name"));
				if (cr && json_array_size(refs) == 1 && !strcmp(json_string_value(json_array_get(refs, 0)), pobjs[o]) &&
				    (!child_rel || rnd(2))) {
					child_rel = cr;
					child = c;
					via_hidden = r->hidden[c][i];
				}
			}
		}
		if (child_rel) {
			size_t l = strlen(sel);
			snprintf(sel + l, sizeof sel - l, ", (SELECT Id FROM %s)", child_rel);
			deny_sel = deny_sel || !r->readable[child];
			via_hidden_ref = via_hidden_ref || via_hidden;
		}
	}
	/* WHERE: conditions on the object's own fields, maybe a semi-join */
	int nw = (int)rnd(3);
	for (int i = 0; i < nw; i++) {
		size_t k = rnd((uint32_t)nf);
		const json_t *f = json_array_get(fs, k);
		char soql[1500], sqlc[1500];
		if (!filterable(f) || !gen_cond(o, f, soql, sizeof soql, sqlc, sizeof sqlc))
			continue;
		size_t l = strlen(where);
		snprintf(where + l, sizeof where - l, "%s%s", l ? " AND " : "", soql);
		deny_where = deny_where || r->hidden[o][k];
	}
	bool semi = false;
	int acc_field = field_index(o, "AccountId");
	if (acc_field >= 0 && rnd(3) == 0) {
		const json_t *ind = field_named(0, "Industry");
		char soql[1500], sqlc[1500];
		if (ind && gen_cond(0, ind, soql, sizeof soql, sqlc, sizeof sqlc)) {
			size_t l = strlen(where);
			snprintf(where + l, sizeof where - l, "%sAccountId IN (SELECT Id FROM Account WHERE %s)", l ? " AND " : "", soql);
			deny_where = deny_where || r->hidden[o][acc_field] || !r->readable[0] ||
				     r->hidden[0][field_index(0, "Industry")];
			semi = true;
		}
	}
	bool count = rnd(4) == 0;
	bool deny = deny_where || (!count && deny_sel);
	if (count)
		snprintf(q, sizeof q, "SELECT COUNT() FROM %s%s%s", pobjs[o], where[0] ? " WHERE " : "", where);
	else
		snprintf(q, sizeof q, "SELECT %s FROM %s%s%s", sel, pobjs[o], where[0] ? " WHERE " : "", where);
	st->queries++;
	/* the same WHERE with no role: the query is valid, and which records
	 * meet it */
	char iq[4000];
	snprintf(iq, sizeof iq, "SELECT Id FROM %s%s%s", pobjs[o], where[0] ? " WHERE " : "", where);
	ids meet = {0};
	if (!internal_ids(iq, &meet))
		return;
	crmw_query_opts *qo = fx_opts_for(NULL);
	crmw_buf b = CRMW_BUF_INIT;
	bool valid = crmw_query(&b, fx_db, q, strlen(q), qo) == CRMW_OK;
	assert_int_equal(crmw_query_opts_set_role(qo, r->role), CRMW_OK);
	json_t *res = NULL;
	if (!valid)
		goto out;
	st->valid++;
	int rc = crmw_query(&b, fx_db, q, strlen(q), qo);
	if (deny) {
		st->denied++;
		if (rc == CRMW_OK)
			violation(st, r, q, "answered where the role may not read something the query names: %.300s", b.data);
		else if (rc != CRMW_EACCESS)
			violation(st, r, q, "refused without INSUFFICIENT_ACCESS: %s", crmw_db_errmsg(fx_db));
		goto out;
	}
	if (rc == CRMW_EACCESS && !count && via_hidden_ref)
		goto out; /* refusing a path through a hidden reference is right */
	if (rc != CRMW_OK) {
		violation(st, r, q, "a query the role may run failed: %s", crmw_db_errmsg(fx_db));
		goto out;
	}
	res = json_loads(b.data, 0, NULL);
	assert_non_null(res);
	size_t want = 0;
	for (size_t i = 0; i < meet.n; i++)
		want += has_id(&r->vis[o], meet.v[i]);
	if (count) {
		st->counted++;
		int64_t got = json_integer_value(json_object_get(res, "totalSize"));
		if (semi ? (size_t)got > want : (size_t)got != want)
			violation(st, r, q, "COUNT() is %lld; the role's visible records that meet the WHERE: %zu", (long long)got, want);
		goto out;
	}
	size_t i, nrec = json_array_size(res), mine = 0;
	json_t *rec;
	json_array_foreach(res, i, rec) {
		const char *id = json_string_value(json_object_get(rec, "Id"));
		if (!has_id(&r->vis[o], id)) {
			violation(st, r, q, "returned %s %s, which the role may not read", pobjs[o], id);
			break;
		}
		mine += has_id(&meet, id);
		json_t *par = rel ? json_object_get(rec, rel) : NULL;
		if (json_is_object(par)) {
			const char *pid = json_string_value(json_object_get(par, "Id"));
			if (ref_hidden) {
				violation(st, r, q, "the hidden reference to %s shows through '%s': %s", pobjs[target], rel, pid);
				break;
			}
			if (pid && !has_id(&r->vis[target], pid)) {
				violation(st, r, q, "the parent %s %s is not one the role may read", pobjs[target], pid);
				break;
			}
		}
		json_t *kids = child_rel ? json_object_get(json_object_get(rec, child_rel), "records") : NULL;
		if (via_hidden && json_array_size(kids)) {
			violation(st, r, q, "child records through '%s' show its hidden reference field", child_rel);
			break;
		}
		size_t j;
		json_t *kid;
		json_array_foreach(kids, j, kid) {
			const char *kidid = json_string_value(json_object_get(kid, "Id"));
			if (!has_id(&r->vis[child], kidid)) {
				violation(st, r, q, "the child %s %s is not one the role may read", pobjs[child], kidid);
				break;
			}
		}
	}
	if (!semi && mine == nrec && nrec != want)
		violation(st, r, q, "%zu records; the role's visible records that meet the WHERE: %zu", nrec, want);
out:
	json_decref(res);
	free(meet.v);
	crmw_buf_dispose(&b);
	crmw_query_opts_free(qo);
}

void test_property_random_roles(void **state)
{
	(void)state;
	crmw_buf sj = CRMW_BUF_INIT;
	assert_int_equal(crmw_schema_to_json(&sj, crmw_db_schema(fx_db)), CRMW_OK);
	json_t *s = json_loads(sj.data, 0, NULL);
	crmw_buf_dispose(&sj);
	pschema = json_object();
	size_t i;
	json_t *ob;
	json_array_foreach(json_object_get(s, "objects"), i, ob) {
		const char *name = json_string_value(json_object_get(ob, "name"));
		if (obj_index(name) >= 0)
			json_object_set(pschema, name, json_object_get(ob, "fields"));
	}
	json_decref(s);
	for (int o = 0; o < NOBJ; o++)
		assert_true(json_array_size(fields_of(o)) > 1 && json_array_size(fields_of(o)) < 64);
	pstats st = {0};
	for (int k = 0; k < 40; k++) {
		prole *r = malloc(sizeof *r);
		assert_non_null(r);
		gen_role(r);
		for (int n = 0; n < 12; n++)
			random_query(r, &st);
		free_role(r);
		free(r);
	}
	fx_diag("property: %d queries under 40 random policies, %d valid (%d to be refused, %d COUNT()); "
		"%d violations", st.queries, st.valid, st.denied, st.counted, st.violations);
	for (int k = 0; k < st.violations && k < 5; k++)
		fx_diag("violation: %s", st.first[k]);
	json_decref(pschema);
	assert_true(st.valid >= 300);
	assert_int_equal(st.violations, 0);
}
