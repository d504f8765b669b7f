/*
 * lib/tasks/gold.c: running gold programs: the built-in tools over an org,
 * {"$ref"} arguments resolved against earlier results, the respond content
 * scored with the task's metric.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"
#include "tools/internal.h"

#include <crmweaver/access.h>
#include "schema/internal.h"

#include <stdio.h>
#include <string.h>

int crmw__gold_runner_init(crmw__gold_runner *r, crmw_db *db)
{
	memset(r, 0, sizeof *r);
	r->db = db;
	int rc = crmw_registry_new(&r->reg);
	rc = rc ? rc : crmw_query_opts_new(&r->opts);
	/* The caps of an agent's episode by default (lib/agent/agent.c): a
	 * gold program sees what an episode would, and fails on a cut reply. */
	rc = rc ? rc : crmw_query_opts_set_max_bytes(r->opts, 4 * (int64_t)CRMW__OBSERVATION_BYTES);
	const char *sets = crmw__schema_object(crmw_db_schema(db), "Opportunity") ? "query,crmarena,pro" : "query,crmarena";
	rc = rc ? rc : crmw_registry_add_builtin(r->reg, sets, db, r->opts);
	rc = rc ? rc : crmw_registry_set_max_output(r->reg, CRMW__OBSERVATION_BYTES);
	if (rc)
		crmw__gold_runner_dispose(r);
	return rc;
}

void crmw__gold_runner_dispose(crmw__gold_runner *r)
{
	crmw_registry_free(r->reg);
	crmw_query_opts_free(r->opts);
	memset(r, 0, sizeof *r);
}

static int append_text(crmw_buf *b, const json_t *v)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_NULL:
		return crmw__buf_puts(b, "None");
	case JSON_STRING:
		return crmw__buf_append(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return crmw__buf_puts(b, num);
	case JSON_REAL:
		snprintf(num, sizeof num, "%.15g", json_real_value(v));
		return crmw__buf_puts(b, num);
	case JSON_TRUE:
		return crmw__buf_puts(b, "true");
	case JSON_FALSE:
		return crmw__buf_puts(b, "false");
	case JSON_ARRAY: {
		if (json_array_size(v) == 0)
			return crmw__buf_puts(b, "None");
		size_t i;
		json_t *x;
		int rc = 0;
		json_array_foreach(v, i, x) {
			rc = rc ? rc : i ? crmw__buf_puts(b, ", ") : 0;
			rc = rc ? rc : append_text(b, x);
		}
		return rc;
	}
	default: {
		char *t = json_dumps(v, JSON_COMPACT);
		int rc = t ? crmw__buf_puts(b, t) : CRMW_ENOMEM;
		free(t);
		return rc;
	}
	}
}

char *crmw__answer_text(const json_t *v)
{
	crmw_buf b = CRMW_BUF_INIT;
	if (append_text(&b, v) || crmw__buf_putc(&b, '\0')) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data; /* NUL-terminated, owned by the caller */
}


json_t *crmw__gold_resolve_rc(const json_t *args, const json_t *results, int *rc, char *why, size_t len)
{
	crmw__prog_ctx c;
	*rc = CRMW_OK;
	if (crmw__prog_ctx_init(&c, NULL, results)) {
		snprintf(why, len, "out of memory");
		*rc = CRMW_ENOMEM;
		return NULL;
	}
	int cls = 0;
	json_t *v = crmw__program_eval(args, &c, &cls, why, len);
	crmw__prog_ctx_dispose(&c);
	/* a copy: the caller may change it, and the value may share the results' */
	json_t *out = v ? json_deep_copy(v) : NULL;
	if ((v && !out) || cls == CRMW__PROG_NOMEM) {
		snprintf(why, len, "out of memory");
		*rc = CRMW_ENOMEM;
	}
	json_decref(v);
	return out;
}

json_t *crmw__gold_resolve(const json_t *args, const json_t *results, char *why, size_t len)
{
	int rc;
	return crmw__gold_resolve_rc(args, results, &rc, why, len);
}

int crmw__gold_runner_task(crmw__gold_runner *r, const json_t *task, char *why, size_t len)
{
	const json_t *ctx = json_object_get(task, "context");
	const char *today = json_string_value(json_object_get(ctx, "today"));
	const char *role_text = json_string_value(json_object_get(ctx, "role"));
	crmw_role *role = NULL;
	int rc = crmw_query_opts_set_today(r->opts, today);
	if (rc) {
		snprintf(why, len, "bad context.today: %s", crmw_last_error());
		return rc;
	}
	if (role_text && strcmp(role_text, "internal") != 0) {
		rc = crmw_role_new(&role, r->db, role_text, NULL);
		if (rc) {
			snprintf(why, len, "bad context.role: %s", crmw_last_error());
			return rc;
		}
	}
	rc = crmw_query_opts_set_role(r->opts, role);
	crmw_role_free(role); /* the options hold their own reference */
	rc = rc ? rc : crmw_registry_set_query_opts(r->reg, r->opts);
	if (rc)
		snprintf(why, len, "%s", crmw_last_error());
	return rc;
}

int crmw__gold_run(crmw__gold_runner *r, const json_t *task, json_t **report, char **answer_out)
{
	return crmw__gold_run_results(r, task, report, answer_out, NULL);
}

int crmw__gold_run_results(crmw__gold_runner *r, const json_t *task, json_t **report, char **answer_out,
			   json_t **results_out)
{
	json_t *rep = json_object(), *steps = json_array(), *results = json_array();
	if (!rep || !steps || !results) {
		json_decref(rep);
		json_decref(steps);
		json_decref(results);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	json_object_set_new(rep, "steps", steps);
	char why[400] = "";
	char *answer = NULL;
	bool failed = crmw__gold_runner_task(r, task, why, sizeof why) != 0, any_cut = false;
	crmw_buf out = CRMW_BUF_INIT;
	size_t i;
	json_t *st;
	json_array_foreach(failed ? NULL : json_object_get(task, "gold"), i, st) {
		const char *name = json_string_value(json_object_get(st, "name"));
		json_t *rec = json_pack("{s:s}", "name", name);
		json_array_append_new(steps, rec);
		const json_t *raw = json_object_get(st, "arguments");
		int rrc = CRMW_OK;
		json_t *args = raw ? crmw__gold_resolve_rc(raw, results, &rrc, why, sizeof why) : json_object();
		if (rrc || (!raw && !args)) {
			json_decref(args);
			crmw_buf_dispose(&out);
			json_decref(rep);
			json_decref(results);
			return crmw__errf(NULL, CRMW_ENOMEM, "out of memory running a gold program");
		}
		if (!args) {
			failed = true;
			break;
		}
		json_object_set(rec, "arguments", args);
		if (strcmp(name, "respond") == 0) {
			answer = crmw__strdup(json_string_value(json_object_get(args, "content")));
			json_decref(args);
			json_object_set_new(rec, "ok", json_boolean(answer != NULL));
			if (!answer) {
				snprintf(why, sizeof why, "respond has no string content");
				failed = true;
			} else if (i + 1 < json_array_size(json_object_get(task, "gold"))) {
				snprintf(why, sizeof why, "respond must be the last step");
				failed = true;
			}
			break;
		}
		char *text = json_dumps(args, JSON_COMPACT);
		json_decref(args);
		bool cut = false;
		int rc = text ? crmw__registry_call_cut(&out, r->reg, name, text, strlen(text), NULL, &cut) : CRMW_ENOMEM;
		free(text);
		if (rc == CRMW_ENOMEM) {
			crmw_buf_dispose(&out);
			json_decref(rep);
			json_decref(results);
			return crmw__errf(NULL, rc, "out of memory running a gold program");
		}
		json_object_set_new(rec, "ok", json_boolean(rc == CRMW_OK));
		if (rc) {
			json_object_set_new(rec, "error", json_stringn(out.data ? out.data : "", out.len));
			snprintf(why, sizeof why, "step %zu (%s) failed: %.300s", i, name, out.data ? out.data : "");
			failed = true;
			break;
		}
		if (cut) {
			/* The program would go on from what the reply did not show: not
			 * a demonstration anyone could follow. */
			json_object_set_new(rec, "ok", json_false());
			json_object_set_new(rec, "cut", json_true());
			snprintf(why, sizeof why,
				 "step %zu (%s): the reply was cut at a cap on the size of a tool reply; a gold program "
				 "must see every reply whole",
				 i, name);
			any_cut = failed = true;
			break;
		}
		json_t *res;
		if (crmw__json_parse(out.data ? out.data : "", out.len, &res, NULL))
			res = json_stringn(out.data ? out.data : "", out.len);
		json_array_append_new(results, res);
		size_t k;
		json_t *want;
		json_array_foreach(json_object_get(st, "expect_contains"), k, want) {
			const char *w = json_string_value(want);
			if (w && !strstr(out.data ? out.data : "", w)) {
				snprintf(why, sizeof why, "step %zu (%s): the result does not contain '%s'", i, name, w);
				json_object_set_new(rec, "ok", json_false());
				failed = true;
			}
		}
		if (failed)
			break;
	}
	crmw_buf_dispose(&out);
	double score = 0;
	if (!failed && !answer) {
		snprintf(why, sizeof why, "the program does not end with respond");
		failed = true;
	}
	if (!failed) {
		json_t *info = NULL;
		int rc = crmw__task_reward(&score, &info, task, answer, NULL, NULL, NULL);
		if (rc) {
			snprintf(why, sizeof why, "%s", crmw_last_error());
			failed = true;
		} else {
			json_object_set_new(rep, "reward_info", info);
		}
		json_object_set_new(rep, "answer", json_string(answer));
	}
	json_object_set_new(rep, "reward", json_real(score));
	json_object_set_new(rep, "ok", json_boolean(!failed && score == 1.0));
	if (any_cut)
		json_object_set_new(rep, "cut", json_true());
	if (failed)
		json_object_set_new(rep, "error", json_string(why));
	if (results_out)
		*results_out = results;
	else
		json_decref(results);
	*report = rep;
	if (answer_out)
		*answer_out = answer;
	else
		free(answer);
	return CRMW_OK;
}
