/*
 * lib/tasks/taskset.c: task sets: the record format, loading (JSON array or
 * JSONL, the published CRMArena and CRMArena-Pro files), saving, lookup,
 * selection, and the check and score entry points.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const metrics[] = {"exact_match", "fuzzy_match", "privacy_rejection"};

int crmw__task_set_wrap(crmw_task_set **out, json_t *tasks)
{
	crmw_task_set *ts = calloc(1, sizeof *ts);
	if (!ts) {
		json_decref(tasks);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	ts->tasks = tasks;
	*out = ts;
	return CRMW_OK;
}

const char *crmw__task_family(const json_t *task)
{
	const char *f = json_string_value(json_object_get(task, "family"));
	if (!f)
		f = json_string_value(json_object_get(task, "task"));
	if (!f)
		f = json_string_value(json_object_get(task, "type"));
	return f ? f : "";
}

static int bad(char *why, size_t len, const char *fmt, ...) CRMW_PRINTF(3, 4);
static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return CRMW_EINVALID;
}

int crmw__task_check_record(json_t *rec, char *why, size_t len)
{
	if (!json_is_object(rec))
		return bad(why, len, "%s", "a task must be a JSON object");
	static const char *const names[] = {"family", "task", "type"};
	const char *family = NULL;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(names); i++) {
		json_t *v = json_object_get(rec, names[i]);
		if (!v)
			continue;
		if (!json_is_string(v) || json_string_length(v) == 0)
			return bad(why, len, "'%s' must be a non-empty string", names[i]);
		if (!family)
			family = json_string_value(v);
	}
	if (!family)
		return bad(why, len, "%s", "no task type: give 'task', 'type' or 'family'");
	json_t *q = json_object_get(rec, "query");
	if (!json_is_string(q))
		return bad(why, len, "%s", q ? "'query' must be a string" : "missing 'query'");
	json_t *idx = json_object_get(rec, "idx");
	if (idx && !json_is_integer(idx))
		return bad(why, len, "%s", "'idx' must be an integer");
	json_t *id = json_object_get(rec, "id");
	if (id && (!json_is_string(id) || json_string_length(id) == 0))
		return bad(why, len, "%s", "'id' must be a non-empty string");
	if (!json_object_get(rec, "answer"))
		return bad(why, len, "%s", "missing 'answer' (use null or [null] for None)");
	json_t *ans = json_object_get(rec, "answer");
	if (json_is_string(ans) || json_is_null(ans)) {
		json_t *list = json_array();
		if (!list || json_array_append(list, ans) || json_object_set_new(rec, "answer", list))
			return bad(why, len, "%s", "out of memory");
	} else if (json_is_array(ans)) {
		size_t i;
		json_t *v;
		json_array_foreach(ans, i, v) {
			if (!json_is_string(v) && !json_is_null(v))
				return bad(why, len, "%s", "'answer' must be a string, null or a list of strings and nulls");
		}
	} else {
		return bad(why, len, "%s", "'answer' must be a string, null or a list of strings and nulls");
	}
	json_t *m = json_object_get(rec, "reward_metric");
	if (m) {
		bool known = false;
		for (size_t i = 0; json_is_string(m) && i < CRMW_ARRAY_LEN(metrics); i++)
			known = known || strcmp(json_string_value(m), metrics[i]) == 0;
		if (!known)
			return bad(why, len, "'reward_metric' must be one of %s",
				   "exact_match, fuzzy_match, privacy_rejection");
	}
	json_t *md = json_object_get(rec, "metadata");
	if (md) {
		if (!json_is_object(md))
			return bad(why, len, "%s", "'metadata' must be an object");
		for (const char *const *k = (const char *const[]){"required", "optional", NULL}; *k; k++) {
			json_t *v = json_object_get(md, *k);
			if (v && !json_is_string(v))
				return bad(why, len, "'metadata.%s' must be a string", *k);
		}
	}
	json_t *persona = json_object_get(rec, "persona");
	if (persona && !json_is_string(persona))
		return bad(why, len, "%s", "'persona' must be a string");
	json_t *ctx = json_object_get(rec, "context");
	if (ctx && !json_is_object(ctx))
		return bad(why, len, "%s", "'context' must be an object");
	json_t *split = json_object_get(rec, "split");
	if (split && !json_is_string(split))
		return bad(why, len, "%s", "'split' must be a string");
	json_t *gold = json_object_get(rec, "gold");
	if (gold) {
		if (!json_is_array(gold))
			return bad(why, len, "%s", "'gold' must be a list of tool calls");
		size_t i;
		json_t *st;
		json_array_foreach(gold, i, st) {
			char at[48];
			snprintf(at, sizeof at, "gold[%zu]", i);
			if (!json_is_object(st) || !json_is_string(json_object_get(st, "name")))
				return bad(why, len, "'%s' must be an object with a string 'name'", at);
			json_t *args = json_object_get(st, "arguments");
			if (args && !json_is_object(args))
				return bad(why, len, "'%s.arguments' must be an object", at);
		}
	}
	return CRMW_OK;
}

static int load_array(json_t **out, json_t *arr)
{
	size_t i;
	json_t *rec;
	json_array_foreach(arr, i, rec) {
		char why[200];
		int rc = crmw__task_check_record(rec, why, sizeof why);
		if (rc) {
			json_decref(arr);
			return crmw__errf(NULL, rc, "task record %zu: %s", i, why);
		}
	}
	*out = arr;
	return CRMW_OK;
}

static int parse_text(json_t **out, const char *text, size_t len)
{
	size_t k = 0;
	while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r'))
		k++;
	if (k < len && text[k] == '[') {
		json_t *arr;
		crmw__json_error e;
		int rc = crmw__json_parse(text, len, &arr, &e);
		if (rc)
			return crmw__errf(NULL, rc, "task file is not JSON: %s (line %d, column %d)", e.text, e.line, e.column);
		return load_array(out, arr);
	}
	/* JSONL: one record per non-empty line. */
	json_t *arr = json_array();
	if (!arr)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	size_t line = 0, pos = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		size_t a = pos;
		while (a < end && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
			a++;
		if (a < end) {
			json_t *rec;
			crmw__json_error e;
			int rc = crmw__json_parse(text + a, end - a, &rec, &e);
			if (rc) {
				size_t index = json_array_size(arr);
				json_decref(arr);
				return crmw__errf(NULL, rc, "task record %zu (line %zu) is not JSON: %s (column %d)", index, line,
						  e.text, e.column);
			}
			json_array_append_new(arr, rec);
		}
		pos = end + 1;
	}
	if (json_array_size(arr) == 0 && k == len) {
		json_decref(arr);
		return crmw__errf(NULL, CRMW_EFORMAT, "task file is empty");
	}
	return load_array(out, arr);
}

int crmw_task_set_parse(crmw_task_set **out, const char *text, size_t len)
{
	CRMW__ARGS_NONNULL(NULL, !out || (!text && len));
	*out = NULL;
	json_t *arr;
	int rc = parse_text(&arr, text ? text : "", len);
	return rc ? rc : crmw__task_set_wrap(out, arr);
}

int crmw_task_set_load(crmw_task_set **out, const char *path)
{
	CRMW__ARGS_NONNULL(NULL, !out || !path);
	*out = NULL;
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	if (crmw__buf_read_file(&b, path)) {
		int e = errno;
		rc = crmw__errf(NULL, e == ENOENT ? CRMW_ENOTFOUND : e == ENOMEM ? CRMW_ENOMEM : CRMW_EIO,
				"cannot read task file '%s': %s", path, strerror(e));
	}
	if (!rc) {
		rc = crmw_task_set_parse(out, b.data ? b.data : "", b.len);
		if (rc) {
			char msg[600];
			snprintf(msg, sizeof msg, "%s: %s", path, crmw_last_error());
			crmw__errf(NULL, rc, "%s", msg);
		}
	}
	crmw_buf_dispose(&b);
	return rc;
}

int crmw_task_set_save(const crmw_task_set *ts, const char *path, int32_t format)
{
	CRMW__ARGS_NONNULL(NULL, !ts || !path);
	if (format != CRMW_TASKS_JSON && format != CRMW_TASKS_JSONL)
		return crmw__errf(NULL, CRMW_EINVALID, "unknown task file format %d", (int)format);
	/* Write to a temporary name and rename: no half-written file on failure. */
	char tmp[4200];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return crmw__errf(NULL, CRMW_EINVALID, "task file name too long: '%s'", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return crmw__errf(NULL, CRMW_EIO, "cannot write task file '%s': %s", path, strerror(errno));
	bool ok = true;
	int err = 0;
	size_t n = json_array_size(ts->tasks);
	if (format == CRMW_TASKS_JSON)
		ok = fputs(n ? "[\n" : "[", f) >= 0;
	for (size_t i = 0; ok && i < n; i++) {
		char *text = json_dumps(json_array_get(ts->tasks, i), JSON_COMPACT | JSON_ENSURE_ASCII);
		ok = text && fputs(text, f) >= 0 &&
		     fputs(format == CRMW_TASKS_JSONL ? "\n" : i + 1 < n ? ",\n" : "\n", f) >= 0;
		free(text);
	}
	if (ok && format == CRMW_TASKS_JSON)
		ok = fputs("]\n", f) >= 0;
	if (ok)
		ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (!ok)
		err = errno;
	if (fclose(f) != 0 && ok)
		ok = false, err = errno;
	if (ok && rename(tmp, path) != 0)
		ok = false, err = errno;
	if (ok)
		return CRMW_OK;
	remove(tmp);
	return crmw__errf(NULL, CRMW_EIO, "cannot write task file '%s': %s", path,
			  err ? strerror(err) : "out of memory");
}

void crmw_task_set_free(crmw_task_set *ts)
{
	if (!ts)
		return;
	json_decref(ts->tasks);
	free(ts);
}

int64_t crmw_task_set_count(const crmw_task_set *ts)
{
	return ts ? (int64_t)json_array_size(ts->tasks) : 0;
}

static const json_t *task_at(const crmw_task_set *ts, int64_t i, int *rc)
{
	if (!ts) {
		*rc = crmw__errf(NULL, CRMW_EINVALID, "ts is NULL");
		return NULL;
	}
	if (i < 0 || (size_t)i >= json_array_size(ts->tasks)) {
		*rc = crmw__errf(NULL, CRMW_EINVALID, "task index %lld is out of range (the set has %zu tasks)", (long long)i,
				 json_array_size(ts->tasks));
		return NULL;
	}
	*rc = CRMW_OK;
	return json_array_get(ts->tasks, (size_t)i);
}

static int put_json(crmw_buf *out, const json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	if (!text)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	crmw__buf_clear(out);
	int rc = crmw__buf_puts(out, text);
	free(text);
	return rc;
}

int crmw_task_set_get(crmw_buf *out, const crmw_task_set *ts, int64_t i)
{
	int rc;
	const json_t *t = task_at(ts, i, &rc);
	if (!t)
		return rc;
	CRMW__ARGS_NONNULL(NULL, !out);
	return put_json(out, t);
}

int crmw_task_set_find(int64_t *index, const crmw_task_set *ts, const char *id)
{
	CRMW__ARGS_NONNULL(NULL, !index || !ts || !id);
	char *end;
	long long num = strtoll(id, &end, 10);
	bool numeric = *id && *end == '\0';
	size_t i;
	json_t *t;
	json_array_foreach(ts->tasks, i, t) {
		const char *tid = json_string_value(json_object_get(t, "id"));
		json_t *idx = json_object_get(t, "idx");
		if ((tid && strcmp(tid, id) == 0) || (numeric && json_is_integer(idx) && json_integer_value(idx) == num)) {
			*index = (int64_t)i;
			return CRMW_OK;
		}
	}
	return crmw__errf(NULL, CRMW_ENOTFOUND, "no task with id or idx '%s'", id);
}

bool crmw__listed(const json_t *list, const char *name)
{
	if (json_is_string(list)) {
		const char *p = json_string_value(list);
		size_t n = strlen(name);
		while (*p) {
			while (*p == ' ')
				p++;
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			size_t trimmed = len;
			while (trimmed && p[trimmed - 1] == ' ')
				trimmed--;
			if (trimmed == n && strncmp(p, name, n) == 0)
				return true;
			p += len + (e ? 1 : 0);
		}
		return false;
	}
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

int crmw_task_set_select(crmw_task_set **out, const crmw_task_set *ts, const char *filter_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !ts);
	*out = NULL;
	json_t *filter = NULL;
	if (filter_json) {
		crmw__json_error e;
		int rc = crmw__json_parse(filter_json, strlen(filter_json), &filter, &e);
		if (rc)
			return crmw__errf(NULL, rc, "filter is not JSON: %s", e.text);
		if (!json_is_object(filter)) {
			json_decref(filter);
			return crmw__errf(NULL, CRMW_EINVALID, "the filter must be a JSON object");
		}
		const char *k;
		json_t *v;
		json_object_foreach(filter, k, v) {
			bool okv = strcmp(k, "split") == 0 ? json_is_string(v)
				   : strcmp(k, "families") == 0 ? json_is_string(v) || json_is_array(v)
								: false;
			if (!okv) {
				int bad_rc = crmw__errf(NULL, CRMW_EINVALID,
							"bad filter key '%s' (known: split as a string, families as a list)", k);
				json_decref(filter);
				return bad_rc;
			}
		}
	}
	const char *split = json_string_value(json_object_get(filter, "split"));
	json_t *fams = json_object_get(filter, "families");
	json_t *sel = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(ts->tasks, i, t) {
		const char *s = json_string_value(json_object_get(t, "split"));
		if (split && (!s || strcmp(s, split) != 0))
			continue;
		if (fams && !crmw__listed(fams, crmw__task_family(t)))
			continue;
		json_array_append(sel, t);
	}
	json_decref(filter);
	/* the records are shared, read-only, with the source set */
	return crmw__task_set_wrap(out, sel);
}

int crmw_task_check(crmw_buf *report, const crmw_task_set *ts, int64_t i, crmw_db *db)
{
	int rc;
	const json_t *t = task_at(ts, i, &rc);
	if (!t)
		return rc;
	CRMW__ARGS_NONNULL(NULL, !report || !db);
	if (!json_is_array(json_object_get(t, "gold")))
		return crmw__errf(NULL, CRMW_EINVALID, "task %lld has no gold program", (long long)i);
	crmw__gold_runner run;
	rc = crmw__gold_runner_init(&run, db);
	if (rc)
		return rc;
	json_t *rep = NULL;
	rc = crmw__gold_run(&run, t, &rep, NULL);
	crmw__gold_runner_dispose(&run);
	if (!rc)
		rc = put_json(report, rep);
	json_decref(rep);
	return rc;
}

int crmw_task_score(double *score, crmw_buf *info, const crmw_task_set *ts, int64_t i, const char *answer,
			     const char *messages_json, crmw_judge_fn judge, void *userdata)
{
	int rc;
	const json_t *t = task_at(ts, i, &rc);
	if (!t)
		return rc;
	CRMW__ARGS_NONNULL(NULL, !score);
	json_t *msgs = NULL;
	if (messages_json) {
		crmw__json_error e;
		rc = crmw__json_parse(messages_json, strlen(messages_json), &msgs, &e);
		if (rc)
			return crmw__errf(NULL, rc, "messages_json is not JSON: %s", e.text);
		if (!json_is_array(msgs)) {
			json_decref(msgs);
			return crmw__errf(NULL, CRMW_EINVALID, "messages_json must be an array of messages");
		}
	}
	json_t *j = NULL;
	rc = crmw__task_reward(score, info ? &j : NULL, t, answer ? answer : "", msgs, judge, userdata);
	json_decref(msgs);
	if (!rc && info)
		rc = put_json(info, j);
	json_decref(j);
	return rc;
}
