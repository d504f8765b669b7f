/*
 * lib/agent/induce.c: programs induced from solved episodes, by version
 * spaces in the manner of programming by example (FlashFill), and the
 * choice among them for a new task.
 *
 * An episode is {"task", "calls": [{"name", "arguments"}], "results":
 * [parsed result of each call], "answer": text} (crmw__induce_episode
 * makes one from a task's gold run), optionally with "same": [[call,
 * argument, result]] for arguments kept once as an earlier call's result
 * (crmw__episode_share).  Induction:
 *
 * 1. Calls whose result the period resolver gives (a date, or an object of
 *    dates, each a bound of a time expression of the query: get_period,
 *    get_start_date) are left out; the values taken from them are then
 *    explained by {"$period"} directly.
 * 2. Episodes are grouped by family and call sequence (names and argument
 *    keys).  An episode whose calls are a strict prefix of a larger group's
 *    and whose last result is null, empty or one item is kept apart as an
 *    early exit (step 5).
 * 3. Every value of every episode (each argument, each element of a short
 *    list argument, the answer) gets its explanations (program.c's
 *    expressions that compute it from the task and the earlier results);
 *    each explanation is then evaluated on every episode of the group, so
 *    an explanation is kept or not by what it computes, never by its form.
 *    A constant is not an explanation of a value that some episode of the
 *    variant read from its task ("more than 3": 3 is the query's, not the
 *    family's).
 * 4. Episodes join the first variant of their group in which every value
 *    keeps an explanation consistent with all its episodes; a variant of at
 *    least `min_support` episodes becomes a program whose values are
 *    {"$any": [every surviving explanation]} (they must agree on a new
 *    task), each step listing the result shapes it saw.  Later variants
 *    that differ from it only in how a value is read from the task join it
 *    as readings: {"$some": [the "$any" of each]} (below, "readings").
 * 5. The early-exit episodes of a program whose calls agree with it become
 *    its guards ({"after": k, "shapes", "content"}), again needing
 *    `min_support` episodes.
 *
 * For a new task (crmw__induced_next) every program of the family is run
 * side by side, replayed from the results so far: a program whose
 * expressions do not fit the task (no such number, phrase or period) drops
 * out; while the rest agree the call (or answer) is theirs; when they
 * disagree, words decide (a query word seen only with other programs vetoes
 * one; a word seen at least twice with one program and never with the
 * others selects it); otherwise it abstains, naming every program's reason.
 * With no family given, every program must also be selected by a word and
 * the query may hold no word unseen in its family's training queries.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "tasks/internal.h"
#include "common/json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* K_SAID: a count said in words ("$said"), a constant tied to words of the
 * query; like a constant it must hold for the whole group, on every task
 * that says the words (said_refuted asks more of the family).  K_FIELD: a
 * line of the task's context; unlike K_TASK it leaves a constant alive (a
 * line that says the same in every example, "Lead status: Open", is no
 * reason to read it rather than keep the constant).  K_CHOOSE: an item of
 * a catalogue (choose_cues), the last resort of a value no other
 * explanation holds for */
enum { K_CONST = 1, K_TASK, K_RESULT, K_FIELD, K_IDCONST /* a record id: checks another explanation, never alone */, K_CHOOSE, K_SAID };

/* Word evidence (select_by_words): n sightings among N_a queries and none
 * among N_b is evidence when n * N_b / N_a >= WORD_EVIDENCE. */
#define WORD_EVIDENCE 3.0

#define WALK_NODES 4000
#define WALK_DEPTH 6
#define MAX_ELEMS 4

typedef struct ep {
	const json_t *src;
	const json_t *task;
	const char *family, *answer;
	json_t *calls, *results; /* after the period calls are left out */
	crmw__prog_ctx ctx;
	char *key; /* family, then each call's name and argument keys */
	size_t ncalls;
	int variant, prefix_of; /* -1: none */
	bool freed;		/* a prefix episode of no program, grouped with its own calls */
	int polarity;		/* 1: the answer is an argmax of a map of its results, 2: an argmin, 3: both (a tie), else 0 */
	int side;		/* the same of the latest result with a map holding the answer (direction_sides) */
	bool bad_same;		/* ep_init refused its "same" */
	uint8_t *around;	/* ctx.around: the sentences around the question (mark_around) */
} ep;

/* How an explanation met an episode: it failed (or computed another
 * value than the episode's), it failed only for want of what it reads in
 * the task (a number, phrase or period not there: "$some" takes it for a
 * reading of another wording), or it computed the episode's value. */
enum { FIT_ERR = 0, FIT_NO, FIT_YES };

typedef struct cand {
	json_t *expr;
	int kind;
	uint8_t *ok;  /* per episode of the group */
	uint8_t *fit; /* per episode: FIT_* */
} cand;

typedef struct slot {
	int step;	 /* the call, or ncalls for the answer */
	const char *key; /* the argument; NULL for the answer */
	int elem;	 /* -1: the whole value; else the element of a list */
	cand *c;
	size_t n, cap;
	json_t *seen;	   /* canonical text -> 1 */
	uint8_t *has_task; /* per episode: some task explanation holds */
	uint8_t *present;  /* per episode: the value exists (list long enough) */
} slot;

typedef struct group {
	ep **e;
	size_t n;
	slot *s;
	size_t ns;
	ep *const *all; /* every episode (choose_cues reads those of other calls too) */
	size_t nall;
} group;

/* ------------------------------------------------------------ episodes */

static int fail_oom(char *why, size_t len)
{
	snprintf(why, len, "out of memory");
	return CRMW_ENOMEM;
}

/* A call's argument names, sorted, into an episode's key: the order a
 * host's JSON lists them in is no part of what the call does (an episode
 * whose arguments came in another order was a counterexample of its own
 * program, which then abstained on every task of the family). */
static int key_arguments(crmw_buf *key, const json_t *args)
{
	size_t n = json_object_size(args), i = 0;
	const char **names = malloc((n ? n : 1) * sizeof *names);
	if (!names)
		return CRMW_ENOMEM;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)args, k, v) names[i++] = k;
	qsort(names, n, sizeof *names, crmw__strptr_cmp);
	int rc = CRMW_OK;
	for (i = 0; i < n && !rc; i++)
		rc = crmw__buf_printf(key, "%s,", names[i]);
	free(names);
	return rc;
}

int crmw__induce_episode(json_t **out, crmw__gold_runner *r, const json_t *task)
{
	json_t *rep = NULL, *results = NULL;
	char *answer = NULL;
	*out = NULL;
	int rc = crmw__gold_run_results(r, task, &rep, &answer, &results);
	if (rc)
		return rc;
	if (json_is_true(json_object_get(rep, "ok")) && answer) {
		json_t *calls = json_array();
		size_t i;
		json_t *st;
		json_array_foreach(json_object_get(rep, "steps"), i, st) {
			const char *name = json_string_value(json_object_get(st, "name"));
			if (!calls || !name || strcmp(name, "respond") == 0)
				continue;
			if (json_array_append_new(calls, json_pack("{s:s,s:O}", "name", name, "arguments",
								   json_object_get(st, "arguments"))))
				rc = CRMW_ENOMEM;
		}
		*out = calls && !rc ? json_pack("{s:O,s:o,s:O,s:s}", "task", task, "calls", calls, "results", results,
						"answer", answer)
				    : NULL;
		if (!*out) {
			rc = CRMW_ENOMEM;
			json_decref(calls);
		}
	}
	free(answer);
	json_decref(rep);
	json_decref(results);
	return rc;
}

/* The bounds of the task's periods as the tools write them. */
static bool is_bound(const crmw__prog_ctx *c, const json_t *v)
{
	const char *s = json_string_value(v);
	if (!s)
		return false;
	for (size_t i = 0; i < c->nper && i < CRMW__PROG_MAX_PERIODS; i++) {
		int64_t b[3] = {c->per[i].start, c->per[i].end, c->per[i].last};
		for (int k = 0; k < 3; k++) {
			int y, m, d;
			char t[32];
			crmw__civil_from_days(b[k], &y, &m, &d);
			snprintf(t, sizeof t, "%04d-%02d-%02d", y % 10000, m, d);
			if (strcmp(s, t) == 0)
				return true;
			snprintf(t, sizeof t, "%04d-%02d-%02dT00:00:00Z", y % 10000, m, d);
			if (strcmp(s, t) == 0)
				return true;
		}
	}
	return false;
}

static bool period_call(const crmw__prog_ctx *c, const json_t *res)
{
	if (json_is_string(res))
		return is_bound(c, res);
	if (!json_is_object(res) || json_object_size(res) == 0 || json_object_size(res) > 4)
		return false;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)res, k, v) if (!is_bound(c, v)) return false;
	return true;
}

/* An episode's calls with every argument that "same" names put back
 * (crmw__episode_share undoes what it left out), as a new reference; NULL
 * for a malformed "same" (or out of memory: *rc). */
static json_t *shared_calls(const json_t *src, int *rc)
{
	const json_t *calls = json_object_get(src, "calls"), *results = json_object_get(src, "results");
	const json_t *same = json_object_get(src, "same");
	*rc = CRMW_OK;
	if (!same)
		return json_incref((json_t *)calls);
	/* no more entries than a program has steps (a best_region episode
	 * shares three): a crafted example of a few kilobytes must not put
	 * back thousands of copies of a long result */
	bool ok = json_is_array(same) && json_array_size(same) <= CRMW__PROG_MAX_STEPS && json_is_array(calls) &&
		  json_is_array(results);
	json_t *out = ok ? json_copy((json_t *)calls) : NULL;
	if (!out) {
		*rc = ok ? CRMW_ENOMEM : CRMW_EINVALID;
		return NULL;
	}
	size_t i;
	json_t *t;
	json_array_foreach(same, i, t) {
		const json_t *ci = json_array_get(t, 0), *ri = json_array_get(t, 2);
		const char *arg = json_string_value(json_array_get(t, 1));
		json_int_t c = json_integer_value(ci), r = json_integer_value(ri);
		json_t *call = json_array_get(out, (size_t)c), *args = json_object_get(call, "arguments");
		/* [call, argument, an earlier call whose result it was], the
		 * argument kept as null */
		if (json_array_size(t) != 3 || !json_is_integer(ci) || !json_is_integer(ri) || !arg || r < 0 || c <= r ||
		    (size_t)c >= json_array_size(out) || (size_t)r >= json_array_size(results) ||
		    !json_is_null(json_object_get(args, arg))) {
			*rc = CRMW_EINVALID;
			break;
		}
		json_t *nc = json_copy(call), *na = json_copy(args);
		if (!nc || !na || json_object_set(na, arg, json_array_get(results, (size_t)r)) ||
		    json_object_set(nc, "arguments", na) || json_array_set(out, (size_t)c, nc))
			*rc = CRMW_ENOMEM;
		json_decref(nc);
		json_decref(na);
		if (*rc)
			break;
	}
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *crmw__episode_share(const json_t *episode)
{
	const json_t *calls = json_object_get(episode, "calls"), *results = json_object_get(episode, "results");
	json_t *out = json_copy((json_t *)episode), *nc = json_copy((json_t *)calls), *same = json_array();
	bool bad = !out || !nc || !same;
	for (size_t c = 1; !bad && c < json_array_size(nc); c++) {
		const json_t *call = json_array_get(nc, c), *args = json_object_get(call, "arguments");
		json_t *na = NULL;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)args, k, v) {
			if (json_is_array(v) ? !json_array_size(v) : !json_is_object(v) || !json_object_size(v))
				continue;
			/* the newest earlier result it equals */
			size_t r = c;
			while (r > 0 && !json_equal(v, json_array_get(results, r - 1)))
				r--;
			if (r == 0)
				continue;
			if (!na) { /* the call and its arguments copied: the episode's are not touched */
				json_t *ncall = json_copy((json_t *)call);
				na = json_copy((json_t *)args);
				if (!ncall || !na) {
					json_decref(ncall);
					json_decref(na);
					bad = true;
					break;
				}
				/* both take their reference even when they fail */
				bad = json_object_set_new(ncall, "arguments", na) ? (json_decref(ncall), true)
										  : json_array_set_new(nc, c, ncall) != 0;
				if (bad)
					break;
			}
			if (json_object_set_new(na, k, json_null()) ||
			    json_array_append_new(same, json_pack("[I, s, I]", (json_int_t)c, k, (json_int_t)(r - 1)))) {
				bad = true;
				break;
			}
		}
	}
	if (!bad && json_array_size(same))
		bad = json_object_set(out, "calls", nc) || json_object_set(out, "same", same);
	json_decref(nc);
	json_decref(same);
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static int ep_init(ep *e, const json_t *src)
{
	memset(e, 0, sizeof *e);
	e->variant = e->prefix_of = -1;
	e->src = src;
	e->task = json_object_get(src, "task");
	e->family = crmw__task_family(e->task);
	e->answer = json_string_value(json_object_get(src, "answer"));
	const json_t *results = json_object_get(src, "results");
	int rc;
	json_t *calls = shared_calls(src, &rc);
	e->bad_same = rc == CRMW_EINVALID;
	if (!json_is_object(e->task) || !e->family || !e->answer || !json_is_array(calls) || !json_is_array(results) ||
	    json_array_size(calls) != json_array_size(results) || json_array_size(calls) > CRMW__PROG_MAX_STEPS - 1) {
		json_decref(calls);
		return rc == CRMW_ENOMEM ? rc : CRMW_EINVALID;
	}
	if (crmw__prog_ctx_init(&e->ctx, e->task, NULL)) {
		json_decref(calls);
		return CRMW_ENOMEM;
	}
	e->calls = json_array();
	e->results = json_array();
	crmw_buf key = CRMW_BUF_INIT;
	rc = e->calls && e->results ? crmw__buf_puts(&key, e->family) : CRMW_ENOMEM;
	size_t i;
	json_t *call;
	json_array_foreach(calls, i, call) {
		const json_t *res = json_array_get(results, i), *args = json_object_get(call, "arguments");
		const char *name = json_string_value(json_object_get(call, "name"));
		if (!name || !json_is_object(args)) {
			rc = rc ? rc : CRMW_EINVALID;
			break;
		}
		if (period_call(&e->ctx, res))
			continue;
		rc = rc ? rc : json_array_append((json_t *)e->calls, call) ? CRMW_ENOMEM : 0;
		rc = rc ? rc : json_array_append((json_t *)e->results, (json_t *)res) ? CRMW_ENOMEM : 0;
		rc = rc ? rc : crmw__buf_printf(&key, "\x1f%s(", name);
		rc = rc ? rc : key_arguments(&key, args);
		rc = rc ? rc : crmw__buf_putc(&key, ')');
	}
	json_decref(calls);
	rc = rc ? rc : crmw__buf_putc(&key, '\0');
	e->key = key.data;
	e->ncalls = json_array_size(e->calls);
	e->ctx.results = e->results;
	return rc;
}

static void ep_dispose(ep *e)
{
	crmw__prog_ctx_dispose(&e->ctx);
	free(e->around);
	json_decref(e->calls);
	json_decref(e->results);
	free(e->key);
}

/* The value a slot explains in an episode (borrowed), or NULL. */
static const json_t *slot_value(const ep *e, const slot *s)
{
	if (!s->key)
		return NULL;
	const json_t *v = json_object_get(json_object_get(json_array_get(e->calls, (size_t)s->step), "arguments"), s->key);
	if (s->elem >= 0)
		v = json_is_array(v) ? json_array_get(v, (size_t)s->elem) : NULL;
	return v;
}

/* ---------------------------------------------------------- explanations */

static int add_cand(slot *s, json_t *expr, int kind)
{
	if (!expr)
		return CRMW_ENOMEM;
	char *t = json_dumps(expr, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!t) {
		json_decref(expr);
		return CRMW_ENOMEM;
	}
	if (json_object_get(s->seen, t)) {
		free(t);
		json_decref(expr);
		return CRMW_OK;
	}
	int rc = json_object_set_new(s->seen, t, json_true()) ? CRMW_ENOMEM : CRMW_OK;
	free(t);
	if (!rc && s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 16;
		cand *c = realloc(s->c, nc * sizeof *c);
		if (!c)
			rc = CRMW_ENOMEM;
		else {
			s->c = c;
			s->cap = nc;
		}
	}
	if (rc) {
		json_decref(expr);
		return rc;
	}
	s->c[s->n++] = (cand){.expr = expr, .kind = kind};
	return CRMW_OK;
}

static bool has_dollar_key(const json_t *v)
{
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x) if (k[0] == '$') return true;
	return false;
}

/* Does a value hold a record id (15 or 18 letters and digits: a text, a
 * run of letters and digits inside a text, "WHERE IssueId = 'a01...'", or
 * a key)?  A record id is a value of one task's data: as a constant
 * (K_IDCONST) it still checks the other explanations of its value but
 * never explains it alone.  Three case_routing tasks of one org that came
 * about the same issue and product made a program of that issue's and
 * product's ids, and it routed every other case of the org as it routed
 * them (57 wrong answers of 134); leaving such constants out altogether
 * let a path that matched by chance in training (an opportunity's price
 * book, the standard one in every example) answer alone. */
static bool holds_record_id(const json_t *v, int depth)
{
	if (json_is_string(v)) {
		/* the text, or a run of letters and digits inside it (a query's
		 * "WHERE IssueId = 'a01...'") */
		const char *t = json_string_value(v);
		size_t n = json_string_length(v);
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && isalnum((unsigned char)t[j]))
				j++;
			if (j > i && crmw__is_id_token(t + i, j - i))
				return true;
			i = j + 1;
		}
		return false;
	}
	if (depth > WALK_DEPTH)
		return true; /* too deep to tell: not a constant */
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x) if (crmw__is_id_token(k, strlen(k)) || holds_record_id(x, depth + 1)) return true;
	if (json_is_array(v))
		json_array_foreach((json_t *)v, i, x) if (holds_record_id(x, depth + 1)) return true;
	return false;
}

/* The words of tokens [from, to), or NULL: out of memory (*rc), or a
 * token that is not valid text (no explanation, *rc left alone). */
static json_t *words_json(const crmw__prog_ctx *c, size_t from, size_t to, int *rc)
{
	json_t *w = json_array();
	if (!w)
		*rc = CRMW_ENOMEM;
	for (size_t i = from; w && i < to; i++) {
		json_t *x = json_stringn(c->low + c->tok[i].at, c->tok[i].len);
		if (!x || json_array_append_new(w, x)) {
			if (x)
				*rc = CRMW_ENOMEM;
			json_decref(w);
			return NULL;
		}
	}
	return w;
}

static int task_cands(slot *s, const ep *e, const json_t *v)
{
	const crmw__prog_ctx *c = &e->ctx;
	int rc = 0;
	const char *str = json_string_value(v);
	if (str) {
		bool other = false; /* another task explanation matched: no field reading */
		static const char *const fmts[] = {"date", "datetime"};
		for (int f = 0; f < 2 && !rc; f++) {
			char why[64];
			json_t *t = json_pack("{s:s,s:s}", "$task", "today", "format", fmts[f]);
			json_t *x = t ? crmw__program_eval(t, c, NULL, why, sizeof why) : NULL;
			if (x && json_equal(x, v)) {
				other = true;
				rc = add_cand(s, json_incref(t), K_TASK);
			}
			json_decref(x);
			json_decref(t);
			for (size_t i = 0; i < c->nper && i < CRMW__PROG_MAX_PERIODS && !rc; i++)
				for (int b = 0; b < 3 && !rc; b++) {
					static const char *const bn[] = {"start", "end", "last"};
					t = json_pack("{s:s,s:s,s:I,s:I}", "$period", bn[b], "format", fmts[f], "index",
						      (json_int_t)i, "of", (json_int_t)c->nper);
					x = t ? crmw__program_eval(t, c, NULL, why, sizeof why) : NULL;
					if (x && json_equal(x, v)) {
						other = true;
						rc = add_cand(s, json_incref(t), K_TASK);
					}
					json_decref(x);
					json_decref(t);
				}
		}
		size_t i;
		json_t *id;
		json_array_foreach(c->ids, i, id) {
			if (rc || !json_equal(id, v))
				continue;
			other = true;
			char prefix[4];
			snprintf(prefix, sizeof prefix, "%.3s", str);
			json_int_t k = 0;
			for (size_t j = 0; j < i; j++)
				k += strncmp(json_string_value(json_array_get(c->ids, j)), prefix, 3) == 0;
			rc = add_cand(s, json_pack("{s:s,s:s,s:I}", "$task", "id", "prefix", prefix, "index", k), K_TASK);
		}
		/* phrases: spans of up to 8 tokens with one or two words each side */
		size_t n = strlen(str);
		for (size_t a = 0; a < c->ntok && !rc && n; a++)
			for (size_t b = a + 1; b <= c->ntok && b <= a + 8 && !rc; b++) {
				size_t at = c->tok[a].at, end = c->tok[b - 1].at + c->tok[b - 1].len;
				if (end - at != n || memcmp(c->query + at, str, n) != 0)
					continue;
				other = true;
				for (size_t l = 1; l <= 2 && l <= a && !rc; l++)
					for (size_t r = 1; r <= 2 && b + r <= c->ntok && !rc; r++) {
						json_t *L = words_json(c, a - l, a, &rc), *R = rc ? NULL : words_json(c, b, b + r, &rc);
						if (L && R)
							rc = add_cand(s, json_pack("{s:{s:o,s:o}}", "$phrase", "after", L, "before", R), K_TASK);
						else {
							json_decref(L);
							json_decref(R);
						}
					}
			}
		/* a value of the task's context that the query does not hold: a
		 * "label: value" line of its required text (a lead's region) */
		const char *at = json_string_value(json_object_get(json_object_get(e->task, "metadata"), "required")), *l, *fv;
		size_t ll, fl;
		while (!other && !rc && n && crmw__prog_field_next(&at, &l, &ll, &fv, &fl)) {
			if (fl != n || memcmp(fv, str, n) != 0)
				continue;
			json_t *name = json_stringn(l, ll);
			rc = name ? add_cand(s, json_pack("{s:s,s:o}", "$task", "field", "name", name), K_FIELD) : CRMW_ENOMEM;
		}
	}
	if (json_is_integer(v)) {
		json_int_t want = json_integer_value(v);
		bool read = false; /* a number of the query explains it */
		for (size_t i = 0; i < c->ntok && !rc; i++) {
			int64_t num = c->tok[i].num;
			/* the number of a time expression ("the last 5 weeks") explains
			 * no value: a period's values are its bounds ($period; the
			 * get_period and get_start_date calls are left out).  Two
			 * tasks of b2b seed 71 whose "3 cases or fewer" came in two
			 * wordings left "the number after 'last', minus 2" as the
			 * count's one explanation, and "the last two weeks" then asked
			 * for agents with more than 0 cases (a wrong answer where the
			 * answer was None); as itself, two tasks of b2c seed 272 whose
			 * count was their period's number ("the previous 2 quarters
			 * ... more than 2 cases", "... 3 quarters ... over 3 cases")
			 * left "the number after 'previous'", and "the previous 2
			 * quarters ... over 1 case" then asked for more than 2 */
			if (num < 0 || want - num < -2 || want - num > 2 || crmw__prog_tok_in_period(c, i))
				continue;
			for (size_t l = 1; l <= 2 && l <= i && !rc; l++) {
				json_t *L = words_json(c, i - l, i, &rc);
				read = read || L;
				if (L)
					rc = add_cand(s, json_pack("{s:{s:o,s:I}}", "$number", "after", L, "offset", want - num), K_TASK);
			}
		}
		/* a count no number of the query gives, said in words ("agents who
		 * handled any cases": 0): the value when the query says a word, or
		 * two words in a row, of this one (not a name, a number or a time
		 * expression's).  Readings (above) keep those that no task of
		 * another value said. */
		for (size_t i = 0; i < c->ntok && !rc && !read; i++) {
			for (size_t l = 1; l <= 2 && i + l <= c->ntok && !rc; l++) {
				bool word = true;
				for (size_t k = i; k < i + l && word; k++)
					word = c->low[c->tok[k].at] >= 'a' && c->low[c->tok[k].at] <= 'z' && c->tok[k].num < 0 &&
					       !crmw__prog_tok_is_name(c, k) && !crmw__prog_tok_in_period(c, k);
				if (!word)
					break;
				json_t *W = words_json(c, i, i + l, &rc);
				if (W)
					rc = add_cand(s, json_pack("{s:{s:o,s:I}}", "$said", "words", W, "value", want), K_SAID);
			}
		}
	}
	return rc;
}

typedef struct walker {
	slot *s;
	const ep *e;
	const json_t *v; /* the value to explain */
	const char *answer;
	size_t nodes;
	int rc;
} walker;

static bool text_is(const json_t *node, const char *answer)
{
	if (json_is_string(node))
		return strcmp(json_string_value(node), answer) == 0;
	char *t = crmw__answer_text(node);
	bool eq = t && strcmp(t, answer) == 0;
	free(t);
	return eq;
}

static void walk(walker *w, const json_t *node, char *path, size_t plen, int depth)
{
	if (w->rc || ++w->nodes > WALK_NODES || depth > WALK_DEPTH)
		return;
	if (w->answer ? text_is(node, w->answer) : json_equal(node, w->v))
		w->rc = add_cand(w->s, w->answer ? json_pack("{s:s,s:n}", "$ref", path, "default")
						  : json_pack("{s:s}", "$ref", path),
				 K_RESULT);
	if (json_is_object(node)) {
		const char *k;
		json_t *x;
		bool numbers = json_object_size(node) > 0;
		json_object_foreach((json_t *)node, k, x) numbers = numbers && json_is_number(x);
		if (w->answer && numbers) {
			static const char *const ops[] = {"$argmax", "$argmin"};
			for (int o = 0; o < 2 && !w->rc; o++) {
				json_t *ex = json_pack("{s:s}", ops[o], path);
				char why[128];
				json_t *r = ex ? crmw__program_eval(ex, &w->e->ctx, NULL, why, sizeof why) : NULL;
				if (r && text_is(r, w->answer))
					w->rc = add_cand(w->s, json_incref(ex), K_RESULT);
				json_decref(r);
				json_decref(ex);
			}
		}
		json_object_foreach((json_t *)node, k, x) {
			/* a key that is data (an id, a map of figures) is no path of the family */
			if (numbers || strlen(k) > 64 || strchr(k, '/') || strchr(k, '~') || crmw__is_id_token(k, strlen(k)))
				continue;
			size_t n = strlen(path);
			snprintf(path + n, plen - n, "/%s", k);
			walk(w, x, path, plen, depth + 1);
			path[n] = '\0';
		}
		return;
	}
	if (!json_is_array(node))
		return;
	size_t size = json_array_size(node), n = strlen(path);
	const json_t *first = json_array_get(node, 0);
	if (w->answer) {
		char num[32];
		snprintf(num, sizeof num, "%zu", size);
		if (strcmp(num, w->answer) == 0)
			w->rc = w->rc ? w->rc : add_cand(w->s, json_pack("{s:s}", "$count", path), K_RESULT);
	}
	if (json_is_object(first)) {
		const char *f;
		json_t *fv;
		json_object_foreach((json_t *)first, f, fv) {
			if (w->rc)
				break;
			json_t *ex = NULL;
			if (w->answer)
				ex = json_pack("{s:{s:s,s:s}}", "$distinct", "list", path, "field", f);
			else if (json_is_array(w->v) && json_array_size(w->v) == size && size > 0)
				ex = json_pack("{s:s,s:s}", "$ref", path, "pluck", f);
			if (!ex)
				continue;
			char why[128];
			json_t *r = crmw__program_eval(ex, &w->e->ctx, NULL, why, sizeof why);
			if (r && (w->answer ? text_is(r, w->answer) : json_equal(r, w->v)))
				w->rc = add_cand(w->s, json_incref(ex), K_RESULT);
			json_decref(r);
			json_decref(ex);
		}
	}
	if (size == 1) {
		snprintf(path + n, plen - n, "/0");
		walk(w, first, path, plen, depth + 1);
		path[n] = '\0';
		return;
	}
	/* an item of a longer list: picked by a field that occurs in the query */
	bool scalar = w->answer || json_is_string(w->v);
	size_t i;
	json_t *item;
	json_array_foreach(node, i, item) {
		if (!scalar || w->rc || !json_is_object(item) || i > 500)
			break;
		const char *f, *m;
		json_t *fv, *mv;
		json_object_foreach(item, f, fv) {
			if (w->answer ? !text_is(fv, w->answer) : !json_equal(fv, w->v))
				continue;
			/* or by words learned per item (choose_cues), when nothing else
			 * explains the value */
			if (!w->answer && !w->rc)
				w->rc = add_cand(w->s, json_pack("{s:{s:s,s:s}}", "$choose", "list", path, "field", f), K_CHOOSE);
			json_object_foreach(item, m, mv) {
				const char *t = json_string_value(mv);
				if (w->rc || !t || json_string_length(mv) < 3 || json_string_length(mv) > 200 ||
				    !crmw__prog_in_query(&w->e->ctx, t))
					continue;
				json_t *ex = json_pack("{s:{s:s,s:s,s:s}}", "$pick", "list", path, "match", m, "field", f);
				char why[128];
				json_t *r = ex ? crmw__program_eval(ex, &w->e->ctx, NULL, why, sizeof why) : NULL;
				if (r && json_equal(r, fv))
					w->rc = add_cand(w->s, json_incref(ex), K_RESULT);
				json_decref(r);
				json_decref(ex);
			}
		}
	}
}

/* Does a text of the value v (a result) hold t? */
static bool text_holds(const json_t *v, const char *t, int depth)
{
	if (json_is_string(v))
		return strstr(json_string_value(v), t) != NULL;
	if (depth > 32)
		return false;
	size_t i;
	const char *k;
	json_t *x;
	if (json_is_array(v))
		json_array_foreach((json_t *)v, i, x) if (text_holds(x, t, depth + 1)) return true;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x) if (strstr(k, t) || text_holds(x, t, depth + 1)) return true;
	return false;
}

/* Every explanation of the slot's value in one episode.  An answer that
 * a result of the episode holds in its text (a competitor's name in the
 * call transcripts it read) is a constant that only checks, as a record
 * id is: the data said it, by a reading no expression makes, and the
 * family did not (three sales insight tasks of b2c 132 whose answer was
 * "Circuit Lane" made it the family's constant answer, at 10 training
 * tasks per family, and 13 test tasks were answered so, wrongly). */
static int gen_cands(slot *s, const ep *e)
{
	const json_t *v = slot_value(e, s);
	const char *answer = s->key ? NULL : e->answer;
	if (!answer && !v)
		return CRMW_OK;
	int rc = CRMW_OK;
	if (answer)
		rc = add_cand(s, json_string(answer),
			      crmw__is_id_token(answer, strlen(answer)) || (*answer && text_holds(e->results, answer, 0)) ? K_IDCONST
															   : K_CONST);
	else
		rc = add_cand(s, json_is_object(v) && has_dollar_key(v) ? json_pack("{s:O}", "$lit", v) : json_incref((json_t *)v),
			      holds_record_id(v, 0) ? K_IDCONST : K_CONST);
	if (!rc && !answer)
		rc = task_cands(s, e, v);
	char path[600];
	walker w = {s, e, v, answer, 0, rc};
	for (int j = 0; j < s->step && !w.rc; j++) {
		snprintf(path, sizeof path, "/%d", j);
		w.nodes = 0;
		walk(&w, json_array_get(e->results, (size_t)j), path, sizeof path, 0);
	}
	return w.rc;
}

/* The list a "$choose" reads in the episode (a new reference; NULL: none). */
static json_t *choose_list(const json_t *expr, const ep *e)
{
	char why[128];
	const json_t *a = json_object_get(expr, "$choose");
	json_t *ref = json_pack("{s:O}", "$ref", json_object_get(a, "list"));
	json_t *list = ref ? crmw__program_eval(ref, &e->ctx, NULL, why, sizeof why) : NULL;
	json_decref(ref);
	if (!json_is_array(list)) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Does the explanation compute the episode's value (and how did it meet
 * the episode: *fit)?  A "$choose" without cues holds when the value is
 * the field of an item of its list (the cues are learned from the
 * program's episodes, choose_cues). */
static bool holds(const cand *c, const slot *s, const ep *e, uint8_t *fit)
{
	const json_t *v = slot_value(e, s);
	*fit = FIT_ERR;
	if (s->key && !v)
		return false;
	/* a task that says the words with another count (and a number, which
	 * keeps "$said" from fitting it) still tells the words are not that
	 * count's */
	if (c->kind == K_SAID) {
		const json_t *a = json_object_get(c->expr, "$said");
		if (crmw__prog_says(&e->ctx, json_object_get(a, "words")) && !json_equal(json_object_get(a, "value"), v))
			return false;
	}
	if (c->kind == K_CHOOSE) {
		json_t *list = choose_list(c->expr, e);
		const char *f = json_string_value(json_object_get(json_object_get(c->expr, "$choose"), "field"));
		bool in = false;
		size_t i;
		json_t *x;
		json_array_foreach(list, i, x) in = in || json_equal(json_object_get(x, f), v);
		in = in && json_array_size(list) > 1;
		json_decref(list);
		*fit = in ? FIT_YES : FIT_ERR;
		return in;
	}
	char why[256];
	int cls = 0;
	json_t *r = crmw__program_eval_as(c->expr, &e->ctx, !s->key, &cls, why, sizeof why);
	if (!r) {
		*fit = cls == CRMW__PROG_TASK ? FIT_NO : FIT_ERR;
		return false;
	}
	bool ok = s->key ? json_equal(r, v) : text_is(r, e->answer);
	*fit = ok ? FIT_YES : FIT_ERR;
	json_decref(r);
	return ok;
}

/* ---------------------------------------------------------------- groups */

static void group_dispose(group *g)
{
	for (size_t i = 0; i < g->ns; i++) {
		slot *s = &g->s[i];
		for (size_t j = 0; j < s->n; j++) {
			json_decref(s->c[j].expr);
			free(s->c[j].ok);
			free(s->c[j].fit);
		}
		free(s->c);
		free(s->has_task);
		free(s->present);
		json_decref(s->seen);
	}
	free(g->s);
	free(g->e);
	memset(g, 0, sizeof *g);
}

static int add_slot(group *g, int step, const char *key, int elem)
{
	slot *s = realloc(g->s, (g->ns + 1) * sizeof *s);
	if (!s)
		return CRMW_ENOMEM;
	g->s = s;
	s = &g->s[g->ns++];
	memset(s, 0, sizeof *s);
	s->step = step;
	s->key = key;
	s->elem = elem;
	s->seen = json_object();
	s->has_task = calloc(g->n, 1);
	s->present = calloc(g->n, 1);
	return s->seen && s->has_task && s->present ? CRMW_OK : CRMW_ENOMEM;
}

/* Are the words of a "$said" not the count's, by the family's tasks (any
 * calls) with a call of the same name and that argument?  They are not
 * when a task of another count says them (a group of a dozen tasks leaves
 * chance words: "return", said by the four "any cases" tasks of an argmin
 * and by none of its "more than" ones, but by the argmax's), nor without
 * the evidence select_by_words asks: two tasks of the count or more say
 * them, and as often among the others they would have been seen there
 * WORD_EVIDENCE times (a review's attack: two "0" tasks worded apart,
 * "any cases" and "at least a case", shared only "who handled", and
 * "handled at most a case" was read 0). */
static bool said_refuted(const group *g, const slot *s, const cand *c)
{
	const json_t *a = json_object_get(c->expr, "$said");
	const char *name = json_string_value(json_object_get(json_array_get(g->e[0]->calls, (size_t)s->step), "name"));
	double said = 0, same = 0, other = 0; /* tasks of the count saying them, of the count, of another */
	for (size_t i = 0; i < g->nall && name && s->key; i++) {
		const ep *e = g->all[i];
		if (strcmp(e->family, g->e[0]->family) != 0)
			continue;
		for (size_t k = 0; k < e->ncalls; k++) {
			const json_t *call = json_array_get(e->calls, k);
			const json_t *v = json_object_get(json_object_get(call, "arguments"), s->key);
			if (s->elem >= 0)
				v = json_array_get(v, (size_t)s->elem);
			if (!v || strcmp(json_string_value(json_object_get(call, "name")), name) != 0)
				continue;
			bool says_it = crmw__prog_says(&e->ctx, json_object_get(a, "words"));
			if (!json_equal(v, json_object_get(a, "value"))) {
				if (says_it)
					return true;
				other++;
			} else {
				same++;
				said += says_it;
			}
			break;
		}
	}
	return said < 2 || same == 0 || said * other / same < WORD_EVIDENCE;
}

/* Slots, explanations and which episodes each explanation holds for. */
static int group_explain(group *g)
{
	const ep *e0 = g->e[0];
	int rc = 0;
	for (size_t i = 0; i < e0->ncalls && !rc; i++) {
		const json_t *args = json_object_get(json_array_get(e0->calls, i), "arguments");
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)args, k, v) {
			rc = rc ? rc : add_slot(g, (int)i, k, -1);
			size_t longest = 0;
			for (size_t j = 0; j < g->n; j++) {
				const json_t *x = json_object_get(json_object_get(json_array_get(g->e[j]->calls, i), "arguments"), k);
				if (json_is_array(x) && json_array_size(x) > longest)
					longest = json_array_size(x);
			}
			for (size_t el = 0; el < longest && el < MAX_ELEMS; el++)
				rc = rc ? rc : add_slot(g, (int)i, k, (int)el);
		}
	}
	rc = rc ? rc : add_slot(g, (int)e0->ncalls, NULL, -1);
	for (size_t si = 0; si < g->ns && !rc; si++) {
		slot *s = &g->s[si];
		for (size_t j = 0; j < g->n && !rc; j++)
			rc = gen_cands(s, g->e[j]);
		for (size_t ci = 0; ci < s->n && !rc; ci++) {
			cand *c = &s->c[ci];
			c->ok = calloc(g->n, 1);
			c->fit = calloc(g->n, 1);
			if (!c->ok || !c->fit)
				return CRMW_ENOMEM;
			bool refuted = c->kind == K_SAID && said_refuted(g, s, c);
			for (size_t j = 0; j < g->n; j++) {
				c->ok[j] = !refuted && holds(c, s, g->e[j], &c->fit[j]);
				if (c->ok[j] && c->kind == K_TASK)
					s->has_task[j] = 1;
			}
		}
		for (size_t j = 0; j < g->n; j++)
			s->present[j] = !s->key || slot_value(g->e[j], s) != NULL;
	}
	return rc;
}

/* The explanations of slot s that hold for every member (mem[j] != 0). */
static bool alive(const slot *s, const cand *c, const uint8_t *mem, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		/* a constant holds for the whole group: the family's, not a variant's */
		bool cst = c->kind == K_CONST || c->kind == K_IDCONST;
		if (cst && !c->ok[j] && s->present[j])
			return false;
		/* a count said in words: every task that says them has it */
		if (c->kind == K_SAID && c->fit[j] == FIT_ERR && s->present[j])
			return false;
		if (!mem[j])
			continue;
		if (!c->ok[j] || (cst && s->has_task[j]))
			return false;
	}
	return true;
}

static bool slot_ok(const slot *s, const uint8_t *mem, size_t n)
{
	for (size_t ci = 0; ci < s->n; ci++)
		if (s->c[ci].kind != K_IDCONST && alive(s, &s->c[ci], mem, n))
			return true;
	return false;
}

/* ------------------------------------------------ readings ("$some")
 *
 * Variants of one call sequence that differ only in where a value is read
 * from the task (the number after "more than" in some tasks, after "over"
 * in others, after "at least" less one in others) are parts of one program:
 * the value is {"$some": [the "$any" of each part]}.  The explanations of
 * a part's reading are those of the task (K_TASK, K_FIELD, K_SAID) that
 * compute the value on each of its episodes and, on every episode of the
 * other parts, either compute it too or do not fit at all (FIT_NO: the
 * task lacks what they read), all of them alike (none computes while
 * another does not fit): on each training task, the readings that fit
 * agree and one fits, as "$some" asks of a new one. */

#define MAX_READINGS 8

/* The explanations of slot s that make the reading of the members (mem)
 * beside the episodes of the other parts (others): their indices in
 * pick[], their count (0: no reading). */
static size_t reading(const slot *s, const uint8_t *mem, const uint8_t *others, size_t n, size_t *pick)
{
	size_t k = 0;
	for (size_t ci = 0; ci < s->n; ci++) {
		const cand *c = &s->c[ci];
		if ((c->kind != K_TASK && c->kind != K_FIELD && c->kind != K_SAID) || !alive(s, c, mem, n))
			continue;
		bool clean = true;
		for (size_t j = 0; j < n && clean; j++)
			clean = !others[j] || c->fit[j] != FIT_ERR;
		if (clean)
			pick[k++] = ci;
	}
	for (size_t j = 0; j < n && k; j++) {
		if (!others[j])
			continue;
		for (size_t q = 1; q < k; q++)
			if (s->c[pick[q]].fit[j] != s->c[pick[0]].fit[j])
				return 0;
	}
	return k;
}

/* The members of part p (1..np) and of the other parts, in scratch
 * (3 * n bytes: the union, the part, the others). */
static void part_masks(const uint8_t *part, int p, size_t n, uint8_t *scratch)
{
	for (size_t j = 0; j < n; j++) {
		scratch[j] = part[j] != 0;
		scratch[n + j] = part[j] == p;
		scratch[2 * n + j] = part[j] != 0 && part[j] != p;
	}
}

/* Does slot s keep an explanation on the members (part[] != 0): one that
 * holds for all of them, or a reading of each of the np parts? */
static bool slot_parts_ok(const slot *s, const uint8_t *part, int np, size_t n, uint8_t *scratch)
{
	part_masks(part, 1, n, scratch);
	if (slot_ok(s, scratch, n))
		return true;
	if (np < 2)
		return false;
	size_t *pick = malloc((s->n ? s->n : 1) * sizeof *pick);
	bool ok = pick != NULL;
	for (int p = 1; p <= np && ok; p++) {
		part_masks(part, p, n, scratch);
		ok = reading(s, scratch + n, scratch + 2 * n, n, pick) > 0;
	}
	free(pick);
	return ok;
}

/* Every argument (as a whole, or element by element when every member
 * has a list of the same length) and the answer keep an explanation, over
 * the members (part[] != 0), each of the np parts read its own way where
 * they differ (scratch: 3 * g->n bytes). */
static bool feasible(const group *g, const uint8_t *part, int np, uint8_t *scratch)
{
	const uint8_t *mem = part;
	for (size_t si = 0; si < g->ns;) {
		const slot *s = &g->s[si];
		size_t end = si + 1;
		while (end < g->ns && g->s[end].elem >= 0)
			end++;
		bool ok = slot_parts_ok(s, part, np, g->n, scratch);
		if (!ok && s->key && end > si + 1) {
			size_t len = (size_t)-1;
			ok = true;
			for (size_t j = 0; j < g->n && ok; j++) {
				if (!mem[j])
					continue;
				const json_t *v = json_object_get(
					json_object_get(json_array_get(g->e[j]->calls, (size_t)s->step), "arguments"), s->key);
				size_t l = json_is_array(v) ? json_array_size(v) : (size_t)-2;
				ok = (len == (size_t)-1 || l == len) && l <= end - si - 1;
				len = l;
			}
			for (size_t k = si + 1; ok && k < si + 1 + len; k++)
				ok = slot_parts_ok(&g->s[k], part, np, g->n, scratch);
		}
		if (!ok)
			return false;
		si = end;
	}
	return true;
}

/* A word of a catalogue item's cues: its sightings with the item's tasks. */
typedef struct cue {
	const char *w;
	json_int_t n;
} cue;

static int cue_cmp(const void *a, const void *b)
{
	const cue *x = a, *y = b;
	return x->n != y->n ? (x->n > y->n ? -1 : 1) : strcmp(x->w, y->w);
}

/* The words of an episode's query (and pairs of words next to each other)
 * but names (crmw__prog_tok_is_name) and the sentences around the question
 * (crmw__prog_ctx.around), or with `around` those sentences' only:
 * "Render Workstation" names a product the task is about, not the item of
 * a catalogue it asks for, and "I need this for a status report." is said
 * before the questions of other families. */
static json_t *words_but_names(const crmw__prog_ctx *c, bool around)
{
	uint8_t *skip = calloc(c->ntok ? c->ntok : 1, 1);
	json_t *w = skip ? json_object() : NULL;
	for (size_t i = 0; skip && i < c->ntok; i++)
		skip[i] = crmw__prog_tok_is_name(c, i) || (c->around && c->around[i]) != around;
	if (w && crmw__prog_add_words(w, c, skip)) {
		json_decref(w);
		w = NULL;
	}
	free(skip);
	return w;
}

/* Count `key` for `item` in `by` ({key: {item: n}}), once per task
 * (`mine`: the task's keys so far). */
static int count_once(json_t *mine, json_t *by, const char *key, const char *item)
{
	if (json_object_get(mine, key))
		return CRMW_OK;
	json_t *items = json_object_get(by, key);
	if (json_object_set_new(mine, key, json_true()) ||
	    (!items && (!(items = json_object()) || json_object_set_new(by, key, items))) ||
	    json_object_set_new(items, item, json_integer(json_integer_value(json_object_get(items, item)) + 1)))
		return CRMW_ENOMEM;
	return CRMW_OK;
}

/* Each sentence around the question of a task that chose `item`
 * (crmw__prog_ctx.around), once per task, into `said` ({key: {item: the
 * number of its tasks that said it}}). */
static int around_items(const crmw__prog_ctx *c, const char *item, json_t *said)
{
	json_t *mine = json_object(); /* this task's, once each */
	int rc = mine ? CRMW_OK : CRMW_ENOMEM;
	for (size_t a = 0, b; !rc && c->around && a < c->ntok; a = b) {
		char key[17];
		b = crmw__prog_sentence_end(c, a);
		if (c->around[a] && crmw__prog_sentence_key(c, a, b, key))
			rc = count_once(mine, said, key, item);
	}
	json_decref(mine);
	return rc;
}

/* Each name of the task (crmw__prog_tok_is_name: a capitalised word inside
 * a sentence), lower-cased, once per task, into `by` ({name: {item: the
 * number of its tasks that said it}}). */
static int name_items(const crmw__prog_ctx *c, const char *item, json_t *by)
{
	json_t *mine = json_object(); /* this task's, once each */
	int rc = mine ? CRMW_OK : CRMW_ENOMEM;
	for (size_t i = 0; !rc && i < c->ntok; i++) {
		if (!crmw__prog_tok_is_word(c, i) || !crmw__prog_tok_is_name(c, i))
			continue;
		char w[48];
		snprintf(w, sizeof w, "%.*s", (int)c->tok[i].len, c->low + c->tok[i].at);
		rc = count_once(mine, by, w, item);
	}
	json_decref(mine);
	return rc;
}

/* Does episode e make the choice of slot s of the members (first, a
 * member): the same family and calls up to the slot's, its value there a
 * string?  Its value, or NULL. */
static const json_t *makes_choice(const ep *e, const ep *first, const slot *s)
{
	if (strcmp(e->family, first->family) != 0 || e->ncalls <= (size_t)s->step)
		return NULL;
	for (size_t k = 0; k <= (size_t)s->step; k++)
		if (strcmp(json_string_value(json_object_get(json_array_get(e->calls, k), "name")),
			   json_string_value(json_object_get(json_array_get(first->calls, k), "name"))) != 0)
			return NULL;
	const json_t *v = slot_value(e, s);
	return json_is_string(v) ? v : NULL;
}

/* The cues of each item said in a sentence around the question that a
 * task of the item said, when the tasks of exactly two items said it
 * ("shared", `said` {key: {item: n}}): {key: [cue, ...]} into `out`.
 * Such a sentence is not read, and induction learned nothing from it: its
 * cues were learned from the item's other tasks, and stay the item's (a
 * twelfth review's attack: "Our security team found an exposed service.",
 * said with a security and a delivery case, hid security's cues from a
 * billing case that reported the finding too).  Said with the tasks of
 * three items or more, it is the wording of the family's requests or
 * cases, as "Just return the agent's Id." is, whose "return" is a returns
 * issue's cue by chance: on the development orgs, the tasks of six to
 * eleven items said each such request, and keeping its cues stopped 13
 * case routing answers at 100.  CRMW_OK, CRMW_ENOMEM, or CRMW_ELIMIT when
 * a sentence holds more than CRMW__PROG_MAX_CUES. */
static int shared_line_cues(const group *g, const ep *first, const slot *s, const json_t *said, const json_t *cues,
			    json_t *out)
{
	int rc = CRMW_OK;
	for (size_t j = 0; !rc && j < g->nall; j++) {
		const json_t *v = makes_choice(g->all[j], first, s);
		const crmw__prog_ctx *c = &g->all[j]->ctx;
		const json_t *mine = v ? json_object_get(cues, json_string_value(v)) : NULL;
		if (!json_array_size(mine) || !c->around)
			continue;
		uint8_t *skip = malloc(c->ntok ? c->ntok : 1);
		rc = skip ? CRMW_OK : CRMW_ENOMEM;
		for (size_t a = 0, b; !rc && a < c->ntok; a = b) {
			char key[17];
			b = crmw__prog_sentence_end(c, a);
			const json_t *by = NULL; /* {item: n} */
			if (c->around[a] && crmw__prog_sentence_key(c, a, b, key))
				by = json_object_get(said, key);
			if (json_object_size(by) != 2)
				continue;
			for (size_t i = 0; i < c->ntok; i++)
				skip[i] = i < a || i >= b; /* names too, lower-cased, as the query is read */
			json_t *ws = json_object();
			rc = ws ? crmw__prog_add_words(ws, c, skip) : CRMW_ENOMEM;
			const char *w;
			json_t *x;
			json_object_foreach(rc ? NULL : ws, w, x) {
				json_t *list = json_object_get(out, key);
				if (rc || !crmw__prog_array_has(mine, w) || (list && crmw__prog_array_has(list, w)))
					continue;
				if (!list && (!(list = json_array()) || json_object_set_new(out, key, list)))
					rc = CRMW_ENOMEM;
				else if (json_array_size(list) >= CRMW__PROG_MAX_CUES)
					rc = CRMW_ELIMIT;
				else if (json_array_append_new(list, json_string(w)))
					rc = CRMW_ENOMEM;
			}
			json_decref(ws);
		}
		free(skip);
	}
	return rc;
}

/* The cues of a "$choose" (the placeholder `ph`) learned from every
 * training episode that makes the members' choice (makes_choice: a
 * routing whose issue had several leaders chose its issue too): the list
 * must be one catalogue, the same in each (the issues of an org, not the
 * purchases of a customer), kept as its hash; a cue of an item is a word or
 * a pair of words, not a name, seen with at least two of the episodes that
 * chose the item, with none that chose another, and with word evidence
 * (WORD_EVIDENCE, those that chose other items as the other side); its
 * words are every word (not a pair, not a name) of those that chose it,
 * with how many said it, and its tasks their number (program.c's
 * ev_choose weighs a query with them).  The filled
 * expression must then choose no episode's item wrongly and at least two
 * rightly.  NULL when it cannot be learned (or out of memory).  "Possible
 * exploit in X firmware" then chooses the Security Vulnerability issue of
 * get_issues, whose name the query never says. */
static json_t *choose_cues(const group *g, const slot *s, const uint8_t *mem, const json_t *ph)
{
	const ep *first = NULL;
	for (size_t j = 0; j < g->n && !first; j++)
		first = mem[j] ? g->e[j] : NULL;
	if (!first)
		return NULL;
	const json_t *a = json_object_get(ph, "$choose");
	json_t *cat = NULL, *by = json_object(), *ntask = json_object(), *cues = json_object(), *vocab = json_object(),
	       *ntask_out = json_object(), *out = NULL, *said = json_object(), *shared = json_array(),
	       *owned = json_object(), *aby = json_object(), /* aby: by's around words */
		*nby = json_object(), *names = json_object(); /* nby: {name: {item: n}} */
	size_t total = 0;
	bool ok = by && ntask && cues && vocab && ntask_out && said && shared && owned && aby && nby && names;
	for (size_t j = 0; ok && j < g->nall; j++) {
		const json_t *v = makes_choice(g->all[j], first, s);
		if (!v)
			continue;
		json_t *list = choose_list(ph, g->all[j]);
		ok = list && (!cat || json_equal(cat, list));
		if (!cat)
			cat = json_incref(list);
		json_decref(list);
		const char *k = json_string_value(v);
		json_t *words = ok ? words_but_names(&g->all[j]->ctx, false) : NULL, *item = ok ? json_object_get(by, k) : NULL;
		json_t *aw = words ? words_but_names(&g->all[j]->ctx, true) : NULL, *aitem = aw ? json_object_get(aby, k) : NULL;
		ok = words && aw && (item || !json_object_set_new(by, k, item = json_object())) &&
		     (aitem || !json_object_set_new(aby, k, aitem = json_object()));
		const char *w;
		json_t *x;
		json_object_foreach(ok ? words : NULL, w, x) ok = ok && !json_object_set_new(item, w, json_integer(json_integer_value(json_object_get(item, w)) + 1));
		json_object_foreach(ok ? aw : NULL, w, x) {
			if (!strchr(w, ' '))
				ok = ok && !json_object_set_new(aitem, w, json_integer(json_integer_value(json_object_get(aitem, w)) + 1));
		}
		json_decref(aw);
		ok = ok && !json_object_set_new(ntask, k, json_integer(json_integer_value(json_object_get(ntask, k)) + 1));
		json_decref(words);
		ok = ok && around_items(&g->all[j]->ctx, k, said) == 0 && name_items(&g->all[j]->ctx, k, nby) == 0;
		total++;
	}
	const char *k;
	json_t *item;
	/* the sentences around the question said with the tasks of two items
	 * or more: the wording of the family's requests as well; and those
	 * said with two tasks or more of one item only: that item's own line
	 * ("I want a full export of our project data.", quoted elsewhere too),
	 * as a word of one item's tasks only is that item's, with no evidence
	 * asked (a fourth review's attack: two of eight data export tasks said
	 * one, too few for a cue's evidence, and the line went unread) */
	json_object_foreach(ok ? said : NULL, k, item) {
		void *one = json_object_size(item) == 1 ? json_object_iter(item) : NULL; /* the one item */
		if (json_object_size(item) > 1)
			ok = ok && !json_array_append_new(shared, json_string(k));
		else if (one && json_integer_value(json_object_iter_value(one)) >= 2)
			ok = ok && !json_object_set_new(owned, k, json_string(json_object_iter_key(one)));
	}
	ok = ok && json_array_size(shared) + json_object_size(owned) <= CRMW__PROG_MAX_SHARED;
	json_object_foreach(ok ? by : NULL, k, item) {
		double nk = (double)json_integer_value(json_object_get(ntask, k));
		cue *cs = malloc((json_object_size(item) + 1) * sizeof *cs);
		size_t ncs = 0, nword = 0;
		json_t *iw = cs ? json_object() : NULL;
		ok = iw && !json_object_set_new(vocab, k, iw) &&
		     !json_object_set_new(ntask_out, k, json_integer(json_integer_value(json_object_get(ntask, k))));
		const char *w, *k2;
		json_t *x, *other;
		json_object_foreach(ok ? item : NULL, w, x) {
			json_int_t n = json_integer_value(x);
			if (!strchr(w, ' '))
				ok = ok && ++nword <= CRMW__PROG_MAX_ITEM_WORDS && !json_object_set_new(iw, w, json_integer(n));
			bool alone = n >= 2 && (double)n * ((double)total - nk) / nk >= WORD_EVIDENCE;
			json_object_foreach(alone ? by : NULL, k2, other) alone = alone && (other == item || !json_object_get(other, w));
			if (alone)
				cs[ncs++] = (cue){w, n};
		}
		/* and the words of the sentences around the question that two of
		 * its tasks or more said there, and no task of another item
		 * anywhere: the item's, as its own line is ("owned"; a fifth
		 * review's attack: "archive" in two data export tasks' two lines,
		 * each said once) */
		json_object_foreach(ok ? json_object_get(aby, k) : NULL, w, x) {
			bool alone = json_integer_value(x) >= 2;
			json_object_foreach(alone ? by : NULL, k2, other) alone = alone && (other == item || !json_object_get(other, w));
			json_object_foreach(alone ? aby : NULL, k2, other) alone = alone && (strcmp(k2, k) == 0 || !json_object_get(other, w));
			if (alone && !json_object_get(iw, w)) /* a count of its tasks, as the others */
				ok = ok && ++nword <= CRMW__PROG_MAX_ITEM_WORDS && !json_object_set_new(iw, w, json_integer(json_integer_value(x)));
		}
		if (ok && ncs) {
			qsort(cs, ncs, sizeof *cs, cue_cmp);
			json_t *list = json_array();
			ok = list && !json_object_set_new(cues, k, list);
			for (size_t i = 0; ok && i < ncs && i < CRMW__PROG_MAX_CUES; i++)
				ok = !json_array_append_new(list, json_string(cs[i].w));
		}
		free(cs);
	}
	/* the names that two tasks or more said, each with its item, or ""
	 * when tasks of two items said it: a template's ("- Subject", "on
	 * Monday"), a product's, an item's own ("Wi-Fi" of a connectivity
	 * issue), never one case's alone (other_item_said: a name alone that
	 * none of these is, or another item's, abstains) */
	json_object_foreach(ok ? nby : NULL, k, item) {
		json_int_t n = 0;
		const char *it;
		json_t *x;
		json_object_foreach(item, it, x) n += json_integer_value(x);
		const char *only = json_object_size(item) > 1 ? "" : json_object_iter_key(json_object_iter(item));
		if (n >= 2)
			ok = json_object_size(names) < CRMW__PROG_MAX_ITEM_WORDS && !json_object_set_new(names, k, json_string(only));
	}
	json_t *shared_cues = json_object();
	ok = ok && shared_cues && shared_line_cues(g, first, s, said, cues, shared_cues) == CRMW_OK;
	char hash[17];
	if (ok && cat && json_object_size(cues) && json_object_size(vocab) <= CRMW__PROG_MAX_CHOICES &&
	    !crmw__prog_list_hash(hash, cat))
		out = json_pack("{s:{s:O,s:O,s:s,s:O,s:O,s:O}}", "$choose", "list", json_object_get(a, "list"), "field",
				json_object_get(a, "field"), "catalogue", hash, "cues", cues, "words", vocab, "tasks", ntask_out);
	if (out && (json_object_set(json_object_get(out, "$choose"), "names", names) ||
		    (json_array_size(shared) && json_object_set(json_object_get(out, "$choose"), "shared", shared)) ||
		    (json_object_size(shared_cues) &&
		     json_object_set(json_object_get(out, "$choose"), "shared_cues", shared_cues)) ||
		    (json_object_size(owned) && json_object_set(json_object_get(out, "$choose"), "owned", owned)))) {
		json_decref(out);
		out = NULL;
	}
	/* the episodes again: never a wrong item, at least two right ones */
	size_t right = 0;
	for (size_t j = 0; out && j < g->nall; j++) {
		const json_t *v = makes_choice(g->all[j], first, s);
		char why[256];
		json_t *r = v ? crmw__program_eval(out, &g->all[j]->ctx, NULL, why, sizeof why) : NULL;
		if (r && !json_equal(r, v)) {
			json_decref(out);
			out = NULL;
		}
		right += r != NULL;
		json_decref(r);
	}
	if (out && right < 2) {
		json_decref(out);
		out = NULL;
	}
	json_decref(cat);
	json_decref(by);
	json_decref(ntask);
	json_decref(cues);
	json_decref(vocab);
	json_decref(ntask_out);
	json_decref(said);
	json_decref(shared);
	json_decref(shared_cues);
	json_decref(nby);
	json_decref(names);
	json_decref(owned);
	json_decref(aby);
	return out;
}

/* The explanation c as "$quoted" when it is a constant text each of whose
 * words the query of every member said (crmw__prog_says_each_word), else
 * NULL.  It is then a value of the query that no expression reads, not the
 * family's, and a program keeps it only for queries that say it too: the
 * span that says its words (crmw__prog_words_span) when every member's is
 * the same ("said"), else its words.  Two case routing tasks about one
 * product ("Tour Apex Rangefinder") made "apex rangefinder" a constant
 * search term, and a case about another product was routed as theirs
 * were (a wrong answer on crmarena 203); a review then made "slim
 * notebook" of "Slim 2-in-1 Notebook" (the generator's search term skips
 * words with digits), and another "studio laptop" of "Studio Laptop",
 * whose words "Studio Neo Laptop" says too. */
static json_t *quoted(const group *g, const cand *c, const uint8_t *mem)
{
	const char *t = json_string_value(c->expr);
	if (c->kind != K_CONST || !t || strlen(t) > CRMW__PROG_MAX_MATCH)
		return NULL;
	const char *span = NULL; /* the first member's, in its query */
	size_t spanlen = 0;
	bool any = false, same = true;
	for (size_t j = 0; j < g->n; j++) {
		if (!mem[j])
			continue;
		const crmw__prog_ctx *x = &g->e[j]->ctx;
		size_t from, to;
		if (!crmw__prog_says_each_word(x, t))
			return NULL;
		if (!crmw__prog_words_span(x, t, &from, &to) || to - from > CRMW__PROG_MAX_MATCH)
			same = false;
		else if (!span) {
			span = x->query + from;
			spanlen = to - from;
		} else {
			same = same && to - from == spanlen && strncasecmp(span, x->query + from, spanlen) == 0;
		}
		any = true;
	}
	if (!any)
		return NULL;
	return same && span ? json_pack("{s:O,s:s#}", "$quoted", c->expr, "said", span, (int)spanlen)
			    : json_pack("{s:O}", "$quoted", c->expr);
}

/* {"$any": [...]} of the explanations alive on the members (or the one).
 * A "$choose" is the last resort: learned (choose_cues) only when no
 * other explanation but a record id holds. */
static json_t *any_of(const group *g, const slot *s, const uint8_t *mem)
{
	size_t n = g->n;
	json_t *alts = json_array();
	if (!slot_ok(s, mem, n)) { /* a record id alone explains nothing */
		json_decref(alts);
		return NULL;
	}
	bool other = false, explained = false;
	for (size_t ci = 0; ci < s->n; ci++)
		other = other || (s->c[ci].kind != K_CHOOSE && s->c[ci].kind != K_IDCONST && alive(s, &s->c[ci], mem, n));
	for (size_t ci = 0; alts && ci < s->n; ci++) {
		const cand *c = &s->c[ci];
		if (!alive(s, c, mem, n) || (c->kind == K_CHOOSE && other))
			continue;
		json_t *x = c->kind == K_CHOOSE ? choose_cues(g, s, mem, c->expr) : quoted(g, c, mem);
		if (!x && c->kind != K_CHOOSE)
			x = json_incref(c->expr);
		if (!x)
			continue;
		explained = explained || c->kind != K_IDCONST;
		if (json_array_append_new(alts, x)) {
			json_decref(alts);
			return NULL;
		}
	}
	if (!alts || !explained || json_array_size(alts) == 0 || json_array_size(alts) > CRMW__PROG_MAX_ANY) {
		json_decref(alts);
		return NULL;
	}
	if (json_array_size(alts) == 1) {
		json_t *one = json_incref(json_array_get(alts, 0));
		json_decref(alts);
		return one;
	}
	return json_pack("{s:o}", "$any", alts);
}

/* The value of slot s over the members (part[] != 0): the "$any" of the
 * explanations alive on all of them, else a "$some" of each part's
 * reading (NULL: neither, or out of memory). */
static json_t *value_of(const group *g, const slot *s, const uint8_t *part, int np, uint8_t *scratch)
{
	size_t n = g->n;
	part_masks(part, 1, n, scratch);
	if (np < 2 || slot_ok(s, scratch, n))
		return any_of(g, s, scratch);
	size_t *pick = malloc((s->n ? s->n : 1) * sizeof *pick);
	json_t *some = pick ? json_array() : NULL;
	for (int p = 1; p <= np && some; p++) {
		part_masks(part, p, n, scratch);
		size_t k = reading(s, scratch + n, scratch + 2 * n, n, pick);
		json_t *alts = k ? json_array() : NULL;
		for (size_t q = 0; q < k && alts; q++)
			if (json_array_append(alts, s->c[pick[q]].expr)) {
				json_decref(alts);
				alts = NULL;
			}
		json_t *x = !alts || k > CRMW__PROG_MAX_ANY ? NULL
			    : k == 1			   ? json_incref(json_array_get(alts, 0))
							   : json_pack("{s:O}", "$any", alts);
		json_decref(alts);
		if (!x || json_array_append_new(some, x)) {
			json_decref(some);
			some = NULL;
		}
	}
	free(pick);
	return some ? json_pack("{s:o}", "$some", some) : NULL;
}

static json_t *shapes_of(group *g, const uint8_t *mem, size_t step)
{
	json_t *sh = json_array();
	for (size_t j = 0; sh && j < g->n; j++) {
		if (!mem[j])
			continue;
		const char *s = crmw__prog_shape(json_array_get(g->e[j]->results, step));
		size_t k;
		json_t *x;
		bool seen = false;
		json_array_foreach(sh, k, x) seen = seen || strcmp(json_string_value(x), s) == 0;
		if (!seen && json_array_append_new(sh, json_string(s))) {
			json_decref(sh);
			return NULL;
		}
	}
	return sh;
}

/* The distinct routes of the group's episodes to step `step`: for each, the
 * shapes of its results before it (a guard's "path"); NULL when out of
 * memory. */
static json_t *routes_of(group *g, const uint8_t *mem, size_t step)
{
	json_t *routes = json_array();
	for (size_t j = 0; routes && j < g->n; j++) {
		if (!mem[j])
			continue;
		json_t *r = json_array();
		for (size_t k = 0; r && k < step; k++)
			if (json_array_append_new(r, json_string(crmw__prog_shape(json_array_get(g->e[j]->results, k))))) {
				json_decref(r);
				r = NULL;
			}
		bool have = false;
		size_t i;
		json_t *x;
		json_array_foreach(r ? routes : NULL, i, x) have = have || json_equal(x, r);
		if (!r || (!have && json_array_append(routes, r))) {
			json_decref(r);
			json_decref(routes);
			return NULL;
		}
		json_decref(r);
	}
	return routes;
}

static int add_words(json_t *words, const crmw__prog_ctx *c)
{
	return crmw__prog_add_words(words, c, NULL);
}

/* The program of a variant, or of np variants read their own ways (part[]:
 * 1..np, 0 for none; NULL when a value has no explanation left or out of
 * memory; *rc says which). */
static json_t *build_program(group *g, const uint8_t *part, int np, int *rc)
{
	const uint8_t *mem = part;
	json_t *steps = json_array(), *prog = NULL, *words = json_object(), *ids = json_array();
	uint8_t *scratch = malloc(3 * g->n + 1);
	*rc = steps && words && ids && scratch ? 0 : CRMW_ENOMEM;
	const ep *e0 = NULL;
	for (size_t j = 0; j < g->n && !e0; j++)
		e0 = mem[j] ? g->e[j] : NULL;
	size_t support = 0;
	for (size_t j = 0; j < g->n && !*rc; j++) {
		if (!mem[j])
			continue;
		support++;
		*rc = add_words(words, &g->e[j]->ctx);
		const char *id = json_string_value(json_object_get(g->e[j]->task, "id"));
		if (!*rc && id && json_array_size(ids) < 200 && json_array_append_new(ids, json_string(id)))
			*rc = CRMW_ENOMEM;
	}
	bool ok = !*rc;
	for (size_t i = 0; ok && i <= e0->ncalls; i++) {
		json_t *args = json_object();
		ok = args != NULL;
		for (size_t si = 0; ok && si < g->ns; si++) {
			const slot *s = &g->s[si];
			if (s->step != (int)i || s->elem >= 0)
				continue;
			json_t *v = value_of(g, s, part, np, scratch);
			if (!v && s->key) {
				/* element by element */
				const json_t *x = json_object_get(
					json_object_get(json_array_get(e0->calls, i), "arguments"), s->key);
				v = json_array();
				for (size_t el = 0; v && el < json_array_size(x); el++) {
					const slot *es = NULL;
					for (size_t k = si + 1; k < g->ns && g->s[k].elem >= 0; k++)
						es = g->s[k].elem == (int)el ? &g->s[k] : es;
					json_t *ev = es ? value_of(g, es, part, np, scratch) : NULL;
					if (!ev || json_array_append_new(v, ev)) {
						json_decref(v);
						v = NULL;
					}
				}
			}
			ok = v && !json_object_set_new(args, s->key ? s->key : "content", v);
		}
		json_t *st = ok ? json_pack("{s:s,s:o}", "name",
					    i < e0->ncalls ? json_string_value(json_object_get(json_array_get(e0->calls, i), "name"))
							   : "respond",
					    "arguments", args)
				: NULL;
		if (!ok)
			json_decref(args);
		if (st && i < e0->ncalls)
			ok = !json_object_set_new(st, "shapes", shapes_of(g, mem, i));
		ok = ok && st && !json_array_append_new(steps, st);
	}
	if (ok)
		prog = json_pack("{s:s,s:I,s:I,s:O,s:O,s:O,s:[]}", "family", e0->family, "support", (json_int_t)support,
				 "docs", (json_int_t)support, "steps", steps, "words", words, "episodes", ids, "guards");
	json_decref(steps);
	json_decref(words);
	json_decref(ids);
	free(scratch);
	return prog;
}

/* The program's value of each call of a prefix episode equals the episode's. */
static bool calls_agree(const json_t *prog, const ep *e)
{
	const json_t *steps = json_object_get(prog, "steps");
	for (size_t i = 0; i < e->ncalls; i++) {
		const json_t *st = json_array_get(steps, i), *call = json_array_get(e->calls, i);
		char why[256];
		json_t *v = crmw__program_eval(json_object_get(st, "arguments"), &e->ctx, NULL, why, sizeof why);
		bool eq = v && json_equal(v, json_object_get(call, "arguments"));
		json_decref(v);
		if (!eq)
			return false;
	}
	return true;
}

static int key_cmp(const void *a, const void *b)
{
	const ep *x = *(ep *const *)a, *y = *(ep *const *)b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x < y ? -1 : x > y);
}

/* Is a's key a strict prefix of b's, call by call? */
static bool key_prefix(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strlen(b) > n && strncmp(a, b, n) == 0 && b[n] == '\x1f' && strchr(a, '\x1f');
}

/* Are two keys the same calls but one (find_id_with_max_value against
 * find_id_with_min_value, or nothing: $argmax against $argmin)? */
static bool twin_keys(const char *a, const char *b)
{
	int diff = 0;
	for (;;) {
		size_t la = strcspn(a, "\x1f"), lb = strcspn(b, "\x1f");
		diff += la != lb || strncmp(a, b, la) != 0;
		a += la;
		b += lb;
		if (*a != *b)
			return false; /* one has more calls */
		if (!*a)
			return diff <= 1;
		a++;
		b++;
	}
}

/* Would the program's shape checks stop it on the results of episode e
 * (of calls its own extend): a result of a step of a shape that step
 * never saw, and no guard of it?  Whatever the program then computes, on
 * those results it abstains. */
static bool stops_short(const json_t *prog, const ep *e)
{
	const json_t *steps = json_object_get(prog, "steps");
	for (size_t k = 0; k + 1 < json_array_size(steps) && k < e->ncalls; k++) {
		const char *shape = crmw__prog_shape(json_array_get(e->results, k));
		const json_t *seen = json_object_get(json_array_get(steps, k), "shapes");
		bool known = !seen;
		size_t i;
		json_t *x;
		json_array_foreach(seen, i, x) known = known || strcmp(json_string_value(x), shape) == 0;
		json_array_foreach(json_object_get(prog, "guards"), i, x) {
			size_t j;
			json_t *y;
			if (json_integer_value(json_object_get(x, "after")) == (json_int_t)k)
				json_array_foreach(json_object_get(x, "shapes"), j, y) known = known || strcmp(json_string_value(y), shape) == 0;
			/* or on the way to a later guard: the results so far begin
			 * one of its episodes' routes (as crmw__program_next_ctx
			 * lets them go on; an approximation: it does not follow
			 * a route left later) */
			known = known || (json_integer_value(json_object_get(x, "after")) > (json_int_t)k &&
					  crmw__prog_on_route(x, e->results, k + 1));
		}
		if (!known)
			return true;
	}
	return false;
}

/* A program run on a training episode: 1 when it does what the episode
 * did (every call, then the answer), -1 when it does something else (a
 * counterexample: it would have answered that task wrongly), 0 when it does
 * not apply or abstains. */
static int replay(const json_t *prog, ep *e, int *rc)
{
	json_t *sofar = json_array();
	int verdict = 0;
	if (!sofar) {
		*rc = CRMW_ENOMEM;
		return 0;
	}
	for (size_t k = 0; k <= e->ncalls; k++) {
		crmw__prog_next nx;
		e->ctx.results = sofar;
		*rc = crmw__program_next_ctx(&nx, prog, &e->ctx);
		if (*rc || nx.kind == CRMW__PROG_ABSTAIN) {
			crmw__prog_next_clear(&nx);
			break;
		}
		const json_t *call = json_array_get(e->calls, k);
		if (nx.kind == CRMW__PROG_ANSWER) {
			verdict = strcmp(nx.answer, e->answer) == 0 ? 1 : -1;
			crmw__prog_next_clear(&nx);
			break;
		}
		bool same = call && strcmp(nx.name, json_string_value(json_object_get(call, "name"))) == 0 &&
			    json_equal(nx.arguments, json_object_get(call, "arguments"));
		crmw__prog_next_clear(&nx);
		if (!same) {
			verdict = -1;
			break;
		}
		if (json_array_append(sofar, json_array_get(e->results, k))) {
			*rc = CRMW_ENOMEM;
			break;
		}
	}
	e->ctx.results = e->results;
	json_decref(sofar);
	return verdict;
}

/* Is the answer a key of a map of numbers in the results holding its
 * largest value (1) or its smallest (2)?  Bits; 3 when all are equal.
 * Maps of one number count only with `one`. */
static int polarity_walk(const json_t *node, const char *answer, bool one, int depth, size_t *nodes)
{
	if (!node || depth > WALK_DEPTH || ++*nodes > WALK_NODES)
		return 0;
	int bits = 0;
	const char *k;
	json_t *x;
	if (json_is_object(node)) {
		/* with `one`, a map of one number counts: it holds its largest and
		 * smallest value, a tie */
		bool numbers = json_object_size(node) > (one ? 0 : 1);
		json_object_foreach((json_t *)node, k, x) numbers = numbers && json_is_number(x);
		if (!numbers) {
			json_object_foreach((json_t *)node, k, x) bits |= polarity_walk(x, answer, one, depth + 1, nodes);
			return bits;
		}
		/* the answer is a key holding the largest value (ties too: the
		 * tools break them) or the smallest */
		const json_t *a = json_object_get(node, answer);
		if (!a)
			return 0;
		double va = json_number_value(a);
		bool top = true, bottom = true;
		json_object_foreach((json_t *)node, k, x) {
			top = top && json_number_value(x) <= va;
			bottom = bottom && json_number_value(x) >= va;
		}
		return (top ? 1 : 0) | (bottom ? 2 : 0);
	}
	size_t i;
	json_array_foreach((json_t *)node, i, x) {
		if (i > 500)
			break;
		bits |= polarity_walk(x, answer, one, depth + 1, nodes);
	}
	return bits;
}

/* The direction a program's answer takes by its own expression: 1 when
 * its explanations compute an argmax (and none an argmin), 2 the reverse,
 * 0 otherwise.  Every explanation kept is consistent with every example,
 * so an answer "$argmax of /4" answers by the largest value whatever the
 * other maps of its tasks hold: reading them all marked two tasks of an
 * argmax program ties (their agent also held the fewest cases) and left
 * it without a direction, and it answered a "least time" task. */
static int answer_direction(const json_t *prog)
{
	const json_t *steps = json_object_get(prog, "steps");
	const json_t *last = json_array_get(steps, json_array_size(steps) - 1);
	const json_t *content = json_object_get(json_object_get(last, "arguments"), "content");
	const json_t *any = json_object_get(content, "$any");
	int bits = 0;
	for (size_t i = 0, n = any ? json_array_size(any) : 1; i < n; i++) {
		const json_t *x = any ? json_array_get(any, i) : content;
		bits |= (json_object_get(x, "$argmax") ? 1 : 0) | (json_object_get(x, "$argmin") ? 2 : 0);
	}
	return bits == 1 || bits == 2 ? bits : 0;
}

/* The words of each family's training queries on each side of a
 * direction: {family: {"max": {word: n}, "min": {word: n}}}, over the
 * episodes answered by an argmax (and no argmin) of a map of their
 * results, or the reverse.  A tie (its answer holds both the largest and
 * the smallest value, as the one agent of a map of one does) takes the
 * side of the other episodes of its calls when at least SIDE_OF_CALLS of
 * them have a side and all the same one: "which agent made the fewest
 * transfers", where one agent made any, is still a find_min task, and
 * its words ("fewest") tell the lowest.  Its words are also kept apart
 * ("tie_max", "tie_min": a side's words include them): a tie answered by
 * the other side's calls, right since it ties, puts "fewest" on both
 * sides, and a word that only ties put on a side is no sighting there
 * for pooled_sides (a review's attack: "fewest" became the wording around
 * a question in every family, and a family trained on "most" questions
 * only answered "the fewest cases" with its argmax). */
#define SIDE_OF_CALLS 2

static int lexical_side(const json_t *sides, const char *w);

/* The words of each family's tasks of a side whose query held a word of
 * that side's lexicon confirmed by the whole training (lexical_side), in
 * its sides' "echo_max" and "echo_min" ({word: n}, counted as "max" and
 * "min" are): a word every sighting of which on a side is such an echo
 * ("team" in "which team member had the longest ...") told that side no
 * more than the lexicon's word beside it did (direction_veto). */
static int echo_words(const ep *eps, size_t ne, json_t *sides)
{
	for (size_t i = 0; i < ne; i++) {
		json_t *f = json_object_get(sides, eps[i].family);
		if ((eps[i].side != 1 && eps[i].side != 2) || !f)
			continue;
		json_t *words = json_object();
		if (!words || add_words(words, &eps[i].ctx)) {
			json_decref(words);
			return CRMW_ENOMEM;
		}
		bool told = false;
		const char *w;
		json_t *x;
		json_object_foreach(words, w, x) told = told || lexical_side(sides, w) == eps[i].side;
		json_decref(words);
		if (!told)
			continue;
		const char *name = eps[i].side == 1 ? "echo_max" : "echo_min";
		json_t *echo = json_object_get(f, name);
		if ((!echo && json_object_set_new(f, name, echo = json_object())) || add_words(echo, &eps[i].ctx))
			return CRMW_ENOMEM;
	}
	return CRMW_OK;
}

static json_t *direction_sides(ep *eps, size_t ne, int *rc)
{
	json_t *out = json_object(), *bykey = json_object(); /* key -> [argmax episodes, argmin episodes] */
	*rc = out && bykey ? 0 : CRMW_ENOMEM;
	for (size_t i = 0; i < ne && !*rc; i++) {
		/* the program's direction: every map of two numbers or more that
		 * holds the answer (a lookup of the answer after the argmax, a map
		 * of one, tells nothing) */
		size_t nodes = 0;
		int bits = 0;
		for (size_t k = 0; k < json_array_size(eps[i].results); k++)
			bits |= polarity_walk(json_array_get(eps[i].results, k), eps[i].answer, false, 0, &nodes);
		eps[i].polarity = bits;
		/* the side its words count on: the latest result with a map holding
		 * the answer, the one it was taken from (an earlier map, such as the
		 * cases each agent handled, may hold the fewest transfers' agent as
		 * its largest; a map of one is a tie) */
		nodes = 0;
		bits = 0;
		for (size_t k = json_array_size(eps[i].results); k-- > 0 && !bits;)
			bits = polarity_walk(json_array_get(eps[i].results, k), eps[i].answer, true, 0, &nodes);
		eps[i].side = bits;
		if (bits != 1 && bits != 2)
			continue;
		json_t *n = json_object_get(bykey, eps[i].key);
		if (!n && json_object_set_new(bykey, eps[i].key, n = json_pack("[i,i]", 0, 0)))
			*rc = CRMW_ENOMEM;
		json_t *c = n ? json_array_get(n, (size_t)bits - 1) : NULL;
		*rc = *rc ? *rc : c ? json_integer_set(c, json_integer_value(c) + 1) : CRMW_ENOMEM;
	}
	for (size_t i = 0; i < ne && !*rc; i++) {
		const json_t *n = json_object_get(bykey, eps[i].key);
		json_int_t nmax = json_integer_value(json_array_get(n, 0)), nmin = json_integer_value(json_array_get(n, 1));
		bool tie = eps[i].side == 3 && (nmax == 0) != (nmin == 0) && nmax + nmin >= SIDE_OF_CALLS;
		if (tie)
			eps[i].side = nmax ? 1 : 2;
		if (eps[i].side != 1 && eps[i].side != 2)
			continue;
		json_t *f = json_object_get(out, eps[i].family);
		if (!f && json_object_set_new(out, eps[i].family, f = json_pack("{s:{},s:{}}", "max", "min"))) {
			*rc = CRMW_ENOMEM;
			break;
		}
		const char *side = eps[i].side == 1 ? "max" : "min", *tside = eps[i].side == 1 ? "tie_max" : "tie_min";
		json_t *t = tie && f ? json_object_get(f, tside) : NULL;
		if (tie && f && !t && json_object_set_new(f, tside, t = json_object()))
			t = NULL;
		*rc = f && (!tie || t) ? add_words(json_object_get(f, side), &eps[i].ctx) : CRMW_ENOMEM;
		*rc = *rc || !tie ? *rc : add_words(t, &eps[i].ctx);
	}
	*rc = *rc ? *rc : echo_words(eps, ne, out);
	json_decref(bykey);
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The keys (crmw__prog_sentence_key) of the sentences of an episode's query into
 * `keys` ({key: true}). */
static int ep_sentences(const ep *e, json_t *keys)
{
	const crmw__prog_ctx *c = &e->ctx;
	for (size_t a = 0, b; a < c->ntok; a = b) {
		char key[17];
		b = crmw__prog_sentence_end(c, a);
		if (crmw__prog_sentence_key(c, a, b, key) && json_object_set_new(keys, key, json_true()))
			return CRMW_ENOMEM;
	}
	return CRMW_OK;
}

/* An episode's unit: its calls (its key) and its side (direction_sides),
 * what a program and its direction solve. */
static void ep_unit(const ep *e, char *out, size_t len)
{
	snprintf(out, len, "%d:%016llx", e->side,
		 (unsigned long long)crmw__fnv1a(CRMW_FNV_OFFSET, e->key ? e->key : "", e->key ? strlen(e->key) : 0));
}

/* The sentences of each family's training queries, by key
 * (crmw__prog_sentence_key):
 * {family: {"seen": {key: n}, "max": {key: n}, "min": {key: n}, "none":
 * {key: n}, "bound": {key: n}}}.  A sighting is *free* when the episode's
 * unit (its calls and side: what its program and direction solve) also
 * solved an episode of the family without the sentence; "max", "min" and
 * "none" count the free sightings by the episode's side (a tie of no side
 * counts in "seen" only), "bound" the others.  A sentence that changes
 * the question ("Skip the top result.", answered by the second of the
 * map) is bound: its tasks are the only ones of their calls.  A sentence
 * said freely around the questions of many families, with the tasks of
 * both sides, is the wording around a question (wording_tokens). */
static json_t *sentence_counts(const ep *eps, size_t ne, int *rc)
{
	json_t *out = json_object(), *units = json_object(), *pairs = json_object(); /* unit -> n, sentence unit -> n */
	json_t **keys = calloc(ne ? ne : 1, sizeof *keys);
	*rc = out && units && pairs && keys ? 0 : CRMW_ENOMEM;
	char unit[40], pair[64];
	for (size_t i = 0; i < ne && !*rc; i++) {
		ep_unit(&eps[i], unit, sizeof unit);
		keys[i] = json_object();
		*rc = keys[i] ? ep_sentences(&eps[i], keys[i]) : CRMW_ENOMEM;
		if (!*rc && json_object_set_new(units, unit, json_integer(json_integer_value(json_object_get(units, unit)) + 1)))
			*rc = CRMW_ENOMEM;
		const char *k;
		json_t *x;
		json_object_foreach(*rc ? NULL : keys[i], k, x) {
			snprintf(pair, sizeof pair, "%s\x1f%s", k, unit);
			if (json_object_set_new(pairs, pair, json_integer(json_integer_value(json_object_get(pairs, pair)) + 1))) {
				*rc = CRMW_ENOMEM;
				break;
			}
		}
	}
	for (size_t i = 0; i < ne && !*rc; i++) {
		json_t *f = json_object_get(out, eps[i].family);
		if (!f && json_object_set_new(out, eps[i].family,
					      f = json_pack("{s:{},s:{},s:{},s:{},s:{}}", "seen", "max", "min", "none", "bound"))) {
			*rc = CRMW_ENOMEM;
			break;
		}
		ep_unit(&eps[i], unit, sizeof unit);
		json_int_t nunit = json_integer_value(json_object_get(units, unit));
		const char *side = eps[i].side == 1 ? "max" : eps[i].side == 2 ? "min" : eps[i].side == 0 ? "none" : NULL;
		const char *k;
		json_t *x;
		json_object_foreach(keys[i], k, x) {
			snprintf(pair, sizeof pair, "%s\x1f%s", k, unit);
			bool free_ = json_integer_value(json_object_get(pairs, pair)) < nunit;
			const char *to[2] = {"seen", free_ ? side : "bound"};
			for (int t = 0; t < 2 && !*rc && to[t]; t++) {
				json_t *m = json_object_get(f, to[t]);
				if (!m || json_object_set_new(m, k, json_integer(json_integer_value(json_object_get(m, k)) + 1)))
					*rc = CRMW_ENOMEM;
			}
			if (*rc)
				break;
		}
	}
	for (size_t i = 0; keys && i < ne; i++)
		json_decref(keys[i]);
	free(keys);
	json_decref(units);
	json_decref(pairs);
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The direction words: the words (and word pairs) whose presence splits
 * the episodes answered by an argmax from those answered by an argmin:
 * seen at least twice on one side and never on the other, counted over
 * the families whose training has both sides ("lowest", "the least",
 * "fewest", and template words that only ever come with one side).  Only
 * those families, so that the words of families with one side only
 * (product names) do not count.  Every family's directed programs use
 * them: this is what keeps a "highest" program off a "lowest" task when
 * training had no lowest one of its own family. */
static json_t *direction_words(const json_t *sides, int *rc)
{
	json_t *out = json_object(), *pool[2] = {json_object(), json_object()};
	*rc = out && pool[0] && pool[1] ? 0 : CRMW_ENOMEM;
	const char *fam, *w;
	json_t *f, *x;
	json_object_foreach((json_t *)sides, fam, f) {
		const json_t *side[2] = {json_object_get(f, "max"), json_object_get(f, "min")};
		if (!json_object_size(side[0]) || !json_object_size(side[1]))
			continue;
		for (int s = 0; s < 2 && !*rc; s++)
			json_object_foreach((json_t *)side[s], w, x) {
				json_int_t n = json_integer_value(json_object_get(pool[s], w)) + json_integer_value(x);
				if (json_object_set_new(pool[s], w, json_integer(n))) {
					*rc = CRMW_ENOMEM;
					break;
				}
			}
	}
	for (int s = 0; s < 2 && !*rc; s++)
		json_object_foreach(pool[s], w, x) {
			if (json_integer_value(x) >= 2 && !json_object_get(pool[1 - s], w) &&
			    json_object_set_new(out, w, json_string(s ? "min" : "max"))) {
				*rc = CRMW_ENOMEM;
				break;
			}
		}
	json_decref(pool[0]);
	json_decref(pool[1]);
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Does the program do what each member's task did (mem[q] != 0), and
 * answer no other task of the group otherwise (it may not apply to it)? */
static bool group_clean(const group *g, const json_t *prog, const uint8_t *mem, int *rc)
{
	for (size_t q = 0; q < g->n && !*rc; q++) {
		int v = replay(prog, g->e[q], rc);
		if (mem[q] ? v != 1 : v < 0)
			return false;
	}
	return !*rc;
}

/* The programs of the episodes order[i..j) (one key), but those kept apart
 * as prefix episodes: its variants of at least min_support episodes, each
 * program appended to `programs` and its key to *pkeys. */
static int key_programs(ep **order, size_t ne, size_t i, size_t j, int min_support, json_t *programs, char ***pkeys,
			size_t *npkeys)
{
	int rc = 0;
	group g = {.all = order, .nall = ne};
	g.e = calloc(j - i, sizeof *g.e);
	if (!g.e)
		return CRMW_ENOMEM;
	for (size_t k = i; k < j; k++)
		if (order[k]->prefix_of < 0)
			g.e[g.n++] = order[k];
	if (g.n >= (size_t)min_support) {
		rc = group_explain(&g);
		uint8_t *mem = calloc(g.n, 1), *vs = calloc(g.n, 1), *scratch = malloc(3 * g.n);
		int nv = 0;
		rc = rc ? rc : mem && vs && scratch ? 0 : CRMW_ENOMEM;
		/* variants, greedily in order */
		for (size_t k = 0; k < g.n && !rc; k++) {
			int placed = -1;
			for (int v = 0; v < nv && placed < 0; v++) {
				for (size_t q = 0; q < g.n; q++)
					mem[q] = vs[q] == v + 1 || q == k;
				if (feasible(&g, mem, 1, scratch))
					placed = v;
			}
			if (placed < 0) {
				memset(mem, 0, g.n);
				mem[k] = 1;
				if (feasible(&g, mem, 1, scratch))
					placed = nv++;
			}
			vs[k] = (uint8_t)(placed >= 0 && placed < 250 ? placed + 1 : 0);
		}
		/* the variants that may make a program: min_support episodes, and
		 * not every answer None (nothing tells the None apart but a value
		 * that happened to be missing; only guards answer None alone) */
		uint8_t *big = rc ? NULL : calloc((size_t)nv + 1, 1);
		rc = rc ? rc : big ? 0 : CRMW_ENOMEM;
		for (int v = 0; v < nv && !rc; v++) {
			size_t m = 0;
			bool informative = false;
			for (size_t q = 0; q < g.n; q++) {
				m += vs[q] == v + 1;
				informative = informative || (vs[q] == v + 1 && strcmp(g.e[q]->answer, "None") != 0);
			}
			big[v] = m >= (size_t)min_support && informative;
		}
		for (int v = 0; v < nv && !rc; v++) {
			if (!big[v])
				continue;
			/* the later variants read their own ways join it as parts, one
			 * by one, while the program does what every task of its calls
			 * did or does not apply to it: a program that answers a task of
			 * its calls wrongly answers only when a word tells its tasks from
			 * that one (usable), and a reading joined to it would answer only
			 * then too, where alone it answered freely */
			int np = 1;
			for (size_t q = 0; q < g.n; q++)
				mem[q] = vs[q] == v + 1;
			json_t *p = build_program(&g, mem, 1, &rc);
			bool open = p && !rc && group_clean(&g, p, mem, &rc);
			for (int w = v + 1; open && w < nv && np < MAX_READINGS && !rc; w++) {
				if (!big[w])
					continue;
				for (size_t q = 0; q < g.n; q++)
					mem[q] = vs[q] == w + 1 ? (uint8_t)(np + 1) : mem[q];
				json_t *more = feasible(&g, mem, np + 1, scratch) ? build_program(&g, mem, np + 1, &rc) : NULL;
				if (more && !rc && group_clean(&g, more, mem, &rc)) {
					json_decref(p);
					p = more;
					np++;
					big[w] = 0;
				} else {
					json_decref(more);
					for (size_t q = 0; q < g.n; q++)
						mem[q] = vs[q] == w + 1 ? 0 : mem[q];
				}
			}
			if (p && json_array_append_new(programs, p))
				rc = CRMW_ENOMEM;
			char **nk = p && !rc ? realloc(*pkeys, (*npkeys + 1) * sizeof *nk) : NULL;
			if (p && !rc && !nk)
				rc = CRMW_ENOMEM;
			if (nk) {
				*pkeys = nk;
				(*pkeys)[(*npkeys)++] = g.e[0]->key;
			}
		}
		free(mem);
		free(vs);
		free(scratch);
		free(big);
	}
	group_dispose(&g);
	return rc;
}

static int generic_sentences(const json_t *lib, const crmw__prog_ctx *c, const char *family, uint8_t **around,
			     uint8_t **sided);

/* Each episode's marks of the sentences around its question, by the
 * training's sentences (sentence_counts), as crmw__induced_next marks a
 * task's: what "$choose" neither learns from nor reads. */
static int mark_around(ep *eps, size_t ne, const json_t *sentences)
{
	json_t *view = json_pack("{s:O}", "sentences", (json_t *)sentences);
	int rc = view ? 0 : CRMW_ENOMEM;
	for (size_t i = 0; i < ne && !rc; i++) {
		rc = generic_sentences(view, &eps[i].ctx, eps[i].family, &eps[i].around, NULL);
		eps[i].ctx.around = eps[i].around;
	}
	json_decref(view);
	return rc;
}

json_t *crmw__direction_words(const json_t *sides)
{
	int rc;
	return direction_words(sides, &rc);
}

json_t *crmw__induce(const json_t *episodes, int min_support, char *why, size_t len)
{
	size_t n = json_array_size(episodes);
	ep *eps = calloc(n ? n : 1, sizeof *eps);
	ep **order = calloc(n ? n : 1, sizeof *order);
	json_t *programs = json_array(), *families = json_object();
	why[0] = '\0';
	char **pkeys = NULL; /* the key of each program's episodes (borrowed) */
	size_t npkeys = 0;
	int rc = eps && order && programs && families ? 0 : CRMW_ENOMEM;
	if (min_support < 1)
		min_support = 2;
	size_t ne = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		int r = ep_init(&eps[ne], json_array_get(episodes, i));
		if (r == CRMW_EINVALID) {
			snprintf(why, len, "episode %zu: %s", i,
				 eps[ne].bad_same ? "\"same\" must list [call, argument, earlier call] of null arguments"
						  : "needs task, calls, results (as many) and answer");
			ep_dispose(&eps[ne]);
			rc = r;
			break;
		}
		rc = r;
		ne++;
		if (!rc) {
			json_t *fam = json_object_get(families, eps[ne - 1].family);
			if (!fam)
				rc = json_object_set_new(families, eps[ne - 1].family, fam = json_object()) ? CRMW_ENOMEM : 0;
			rc = rc ? rc : add_words(fam, &eps[ne - 1].ctx);
		}
	}
	for (size_t i = 0; i < ne; i++)
		order[i] = &eps[i];
	if (!rc)
		qsort(order, ne, sizeof *order, key_cmp);
	/* prefix episodes: kept apart for the guards */
	for (size_t i = 0; i < ne && !rc; i++) {
		ep *e = order[i];
		const char *shape = e->ncalls ? crmw__prog_shape(json_array_get(e->results, e->ncalls - 1)) : "";
		if (strcmp(shape, "null") && strcmp(shape, "empty") && strcmp(shape, "one"))
			continue;
		for (size_t j = 0; j < ne; j++)
			if (key_prefix(e->key, order[j]->key)) {
				e->prefix_of = 1;
				break;
			}
	}
	/* the sides of the episodes' directions and the sentences of every
	 * family's training come first: a catalogue choice learns no cue from
	 * the sentences around the question, and its replays do not read them,
	 * as it answers (mark_around) */
	json_t *sides = rc ? NULL : direction_sides(eps, ne, &rc);
	json_t *sentences = rc ? NULL : sentence_counts(eps, ne, &rc);
	rc = rc ? rc : mark_around(eps, ne, sentences);
	for (size_t i = 0; i < ne && !rc;) {
		size_t j = i;
		while (j < ne && strcmp(order[j]->key, order[i]->key) == 0)
			j++;
		rc = key_programs(order, ne, i, j, min_support, programs, &pkeys, &npkeys);
		i = j;
	}
	/* prefix episodes of no program (its longer calls explained nothing:
	 * a case routing's search for the product, when the issue's closed
	 * cases had one leader in the rest) are programs of their own calls */
	bool freed = false;
	for (size_t i = 0; i < ne && !rc; i++) {
		bool longer = false;
		for (size_t k = 0; k < npkeys && !longer; k++)
			longer = key_prefix(order[i]->key, pkeys[k]);
		if (order[i]->prefix_of >= 0 && !longer) {
			order[i]->prefix_of = -1;
			order[i]->freed = freed = true;
		}
	}
	for (size_t i = 0; freed && i < ne && !rc;) {
		size_t j = i;
		bool any = false;
		for (; j < ne && strcmp(order[j]->key, order[i]->key) == 0; j++)
			any = any || order[j]->freed;
		if (any) {
			/* the key's programs so far go: its episodes are grouped again */
			size_t k = 0;
			while (k < npkeys) {
				if (strcmp(pkeys[k], order[i]->key) == 0) {
					json_array_remove(programs, k);
					memmove(&pkeys[k], &pkeys[k + 1], (npkeys - k - 1) * sizeof *pkeys);
					npkeys--;
				} else {
					k++;
				}
			}
			rc = key_programs(order, ne, i, j, min_support, programs, &pkeys, &npkeys);
		}
		i = j;
	}
	/* guards: prefix episodes of a program whose calls agree with it */
	size_t pi;
	json_t *prog;
	json_array_foreach(programs, pi, prog) {
		if (rc)
			break;
		const json_t *steps = json_object_get(prog, "steps");
		for (size_t k = 0; k + 1 < json_array_size(steps) && !rc; k++) {
			group g = {0};
			g.e = calloc(ne ? ne : 1, sizeof *g.e);
			if (!g.e) {
				rc = CRMW_ENOMEM;
				break;
			}
			for (size_t i = 0; i < ne; i++) {
				ep *e = order[i];
				if (e->prefix_of < 0 || e->ncalls != k + 1 || strcmp(e->family, json_string_value(json_object_get(prog, "family"))))
					continue;
				bool names = true;
				for (size_t s = 0; s <= k && names; s++)
					names = strcmp(json_string_value(json_object_get(json_array_get(e->calls, s), "name")),
						       json_string_value(json_object_get(json_array_get(steps, s), "name"))) == 0;
				if (names && calls_agree(prog, e))
					g.e[g.n++] = e;
			}
			if (g.n >= (size_t)min_support) {
				rc = add_slot(&g, (int)k + 1, NULL, -1);
				slot *s = &g.s[0];
				for (size_t j = 0; j < g.n && !rc; j++)
					rc = gen_cands(s, g.e[j]);
				uint8_t *mem = calloc(g.n, 1);
				rc = rc ? rc : mem ? 0 : CRMW_ENOMEM;
				for (size_t ci = 0; ci < s->n && !rc; ci++) {
					cand *c = &s->c[ci];
					if (!(c->ok = calloc(g.n, 1)) || !(c->fit = calloc(g.n, 1)))
						rc = CRMW_ENOMEM;
					for (size_t j = 0; !rc && j < g.n; j++)
						c->ok[j] = holds(c, s, g.e[j], &c->fit[j]);
				}
				if (mem)
					memset(mem, 1, g.n);
				json_t *content = rc ? NULL : any_of(&g, s, mem);
				json_t *sh = content ? shapes_of(&g, mem, k) : NULL;
				/* and the routes its episodes took to it (the shapes of
				 * their earlier results): on one of them, a result its
				 * step never saw goes on */
				json_t *path = sh ? routes_of(&g, mem, k) : NULL;
				if (content && sh && !path)
					rc = CRMW_ENOMEM;
				if (content && sh && path) {
					json_t *words = json_object_get(prog, "words");
					for (size_t j = 0; j < g.n && !rc; j++)
						rc = add_words(words, &g.e[j]->ctx);
					json_object_set_new(prog, "docs", json_integer(json_integer_value(json_object_get(prog, "docs")) +
										      (json_int_t)g.n));
					if (json_array_append_new(json_object_get(prog, "guards"),
								  json_pack("{s:I,s:O,s:O,s:I,s:O}", "after", (json_int_t)k, "shapes", sh,
									    "content", content, "support", (json_int_t)g.n, "path",
									    path)))
						rc = CRMW_ENOMEM;
				}
				json_decref(content);
				json_decref(sh);
				json_decref(path);
				free(mem);
			}
			group_dispose(&g);
		}
	}
	/* positives and counterexamples: every training episode of the family
	 * replayed with the program */
	json_array_foreach(programs, pi, prog) {
		/* the counterexamples' words and number by their side: [0] none,
		 * [1] argmax, [2] argmin, [3] both (a tie) */
		json_t *pos = json_object(), *seen = json_object(), *unapplied = json_object();
		json_t *neg[4] = {json_object(), json_object(), json_object(), json_object()};
		/* nalien: the counterexamples of other calls than its own but one */
		json_int_t npos = 0, nneg[4] = {0, 0, 0, 0}, nalien[4] = {0, 0, 0, 0}, nseen = 0;
		int pol = 0; /* the polarities of the tasks it solves */
		rc = rc ? rc : pos && neg[0] && neg[1] && neg[2] && neg[3] && seen && unapplied ? 0 : CRMW_ENOMEM;
		const char *pkey = pi < npkeys ? pkeys[pi] : "";
		size_t nsteps = json_array_size(json_object_get(prog, "steps"));
		for (size_t i = 0; i < ne && !rc; i++) {
			if (strcmp(eps[i].family, json_string_value(json_object_get(prog, "family"))) != 0)
				continue;
			/* the words of the tasks it solves to the end: an early exit
			 * (a guard) answers before the direction is taken, so its
			 * task may be of either side */
			int v = replay(prog, &eps[i], &rc);
			if (v > 0 && !rc) {
				nseen++;
				pol |= eps[i].polarity == 1 || eps[i].polarity == 2 ? eps[i].polarity : 4;
				if (eps[i].ncalls + 1 == nsteps)
					rc = add_words(seen, &eps[i].ctx);
			}
			if (key_prefix(eps[i].key, pkey))
				continue;
			/* the tasks of the same calls are its own (unless it answers them
			 * otherwise); the tasks solved by other calls are not.  Those of
			 * its own it does not apply to are also kept apart: it answers
			 * none of them (absent_counter_word) */
			/* a task of longer calls that the program stops short of (it made
			 * the task's calls so far, and a result of a shape its tasks never
			 * had stops it there: a routing's several leaders) is none of its
			 * tasks, nor one it answers wrongly */
			if (v == 0 && strcmp(eps[i].key, pkey) != 0 && key_prefix(pkey, eps[i].key) && stops_short(prog, &eps[i]))
				continue;
			v = strcmp(eps[i].key, pkey) == 0 ? v : -1;
			if (v == 0)
				rc = rc ? rc : add_words(unapplied, &eps[i].ctx);
			v = v == 0 ? 1 : v;
			if (v > 0) {
				npos++;
				rc = rc ? rc : add_words(pos, &eps[i].ctx);
			} else if (v < 0) {
				nneg[eps[i].side & 3]++;
				nalien[eps[i].side & 3] += !twin_keys(eps[i].key, pkey);
				rc = rc ? rc : add_words(neg[eps[i].side & 3], &eps[i].ctx);
			}
		}
		/* it answers by a direction when every task it solves is an argmax
		 * (or every one an argmin).  The words of the counterexamples
		 * answered the other way (a tie by the side of its calls,
		 * direction_sides) are then left out of those that veto or select
		 * it: the direction's own check (direction_veto) keeps it off them,
		 * and the wording around their questions would veto it by chance.
		 * Their number stays in "negatives", unless every counterexample
		 * went the other way by its own calls but the direction's
		 * (twin_keys): then the direction tells them all apart and it has
		 * none (0).  A counterexample of other calls is another kind of
		 * task as well (a review's attack: "among agents with at least 2
		 * deals", trained with the lowest only, and the argmax program
		 * without the filter answered a highest one), and only words tell
		 * that kind apart (usable). */
		int adir = answer_direction(prog);
		int pdir = (pol & 3) && (pol & 3) != 3 ? (pol & 3) : 0;
		int dir = adir ? adir : pdir;
		json_t *negw = json_object();
		json_int_t nn = 0;
		rc = rc ? rc : negw ? 0 : CRMW_ENOMEM;
		for (int k = 0; k < 4 && !rc; k++) {
			if (dir && k == 3 - dir) {
				nn += nalien[k];
				continue;
			}
			nn += nneg[k];
			const char *w;
			json_t *x;
			json_object_foreach(neg[k], w, x) {
				json_int_t c = json_integer_value(json_object_get(negw, w)) + json_integer_value(x);
				if (json_object_set_new(negw, w, json_integer(c))) {
					rc = CRMW_ENOMEM;
					break;
				}
			}
		}
		if (!rc && (json_object_set(prog, "words", pos) || json_object_set(prog, "negative", negw) ||
			    json_object_set(prog, "seen", seen) || json_object_set_new(prog, "solved", json_integer(nseen)) ||
			    (json_object_size(unapplied) && json_object_set(prog, "unapplied", unapplied)) ||
			    json_object_set_new(prog, "docs", json_integer(npos)) ||
			    json_object_set_new(prog, "negatives", json_integer(nn ? nneg[0] + nneg[1] + nneg[2] + nneg[3] : 0)) ||
			    (dir && json_object_set_new(prog, "directed", json_string(dir == 1 ? "max" : "min")))))
			rc = CRMW_ENOMEM;
		json_decref(pos);
		for (int k = 0; k < 4; k++)
			json_decref(neg[k]);
		json_decref(negw);
		json_decref(seen);
		json_decref(unapplied);
	}
	json_t *dirs = rc ? NULL : direction_words(sides, &rc);
	for (size_t i = 0; i < ne; i++)
		ep_dispose(&eps[i]);
	free(pkeys);
	free(eps);
	free(order);
	json_t *lib = rc ? NULL
			 : json_pack("{s:I,s:O,s:O,s:O,s:O,s:O}", "version", (json_int_t)1, "programs", programs, "families",
				     families, "directions", dirs, "sides", sides, "sentences", sentences);
	json_decref(dirs);
	json_decref(sentences);
	json_decref(sides);
	json_decref(programs);
	json_decref(families);
	if (!lib && !why[0])
		fail_oom(why, len);
	return lib;
}

/* ------------------------------------------------------------ answering */

typedef struct runner {
	const json_t *prog;
	size_t idx; /* in the library's "programs" */
	crmw__prog_next next;
	bool out;    /* dropped */
	bool bad;    /* malformed: never read beyond its check */
	bool byword; /* dropped by select_by_words */
	char dirword[48]; /* the query word that told its direction (direction_veto) */
} runner;

static bool same_action(const crmw__prog_next *a, const crmw__prog_next *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == CRMW__PROG_CALL)
		return a->name && b->name && strcmp(a->name, b->name) == 0 && json_equal(a->arguments, b->arguments);
	if (a->kind == CRMW__PROG_ANSWER)
		return a->answer && b->answer && strcmp(a->answer, b->answer) == 0;
	return false;
}

/* A library comes from a memory store anyone may write: every field the
 * answering reads is checked for its type before it is read. */

/* NULL, or an object whose values are non-negative integers (word counts). */
static bool counts_ok(const json_t *v)
{
	if (!v)
		return true;
	if (!json_is_object(v))
		return false;
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x) if (!json_is_integer(x) || json_integer_value(x) < 0) return false;
	return true;
}

static bool count_ok(const json_t *v)
{
	return !v || (json_is_integer(v) && json_integer_value(v) >= 0);
}

static bool side_ok(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && (strcmp(s, "max") == 0 || strcmp(s, "min") == 0);
}

static bool lib_ok(const json_t *lib, char *why, size_t len)
{
	const json_t *fams = json_object_get(lib, "families"), *dirs = json_object_get(lib, "directions"),
		     *sides = json_object_get(lib, "sides"), *dw = json_object_get(lib, "directed_words"),
		     *progs = json_object_get(lib, "programs"), *sents = json_object_get(lib, "sentences");
	const char *k;
	json_t *x;
	const char *what = !json_is_object(lib)			? "not an object"
			   : progs && !json_is_array(progs)	? "\"programs\" is not a list"
			   : fams && !json_is_object(fams)	? "\"families\" is not an object"
			   : dirs && !json_is_object(dirs)	? "\"directions\" is not an object"
			   : sides && !json_is_object(sides)	? "\"sides\" is not an object"
			   : dw && !json_is_object(dw)		? "\"directed_words\" is not an object" /* libraries before 0.1's release wrote it */
			   : sents && !json_is_object(sents)	? "\"sentences\" is not an object"
								: NULL;
	json_object_foreach((json_t *)fams, k, x) if (!what && !counts_ok(x)) what = "a family's words are not counts";
	json_object_foreach((json_t *)dirs, k, x) if (!what && !side_ok(x)) what = "a direction is not \"max\" or \"min\"";
	json_object_foreach((json_t *)sides, k, x) {
		if (!what && (!json_is_object(x) || !counts_ok(json_object_get(x, "max")) || !counts_ok(json_object_get(x, "min"))))
			what = "a family's sides are not {\"max\": counts, \"min\": counts}";
		if (!what && (!counts_ok(json_object_get(x, "tie_max")) || !counts_ok(json_object_get(x, "tie_min"))))
			what = "a family's tie words are not counts";
		if (!what && (!counts_ok(json_object_get(x, "echo_max")) || !counts_ok(json_object_get(x, "echo_min"))))
			what = "a family's echo words are not counts";
	}
	json_object_foreach((json_t *)sents, k, x) {
		if (!what && (!json_is_object(x) || !counts_ok(json_object_get(x, "seen")) || !counts_ok(json_object_get(x, "max")) ||
			      !counts_ok(json_object_get(x, "min")) || !counts_ok(json_object_get(x, "none")) ||
			      !counts_ok(json_object_get(x, "bound"))))
			what = "a family's sentences are not {\"seen\", \"max\", \"min\", \"none\", \"bound\": counts}";
	}
	if (what)
		snprintf(why, len, "the library is malformed: %s", what);
	return what == NULL;
}

static bool prog_ok(const json_t *prog, char *why, size_t len)
{
	if (crmw__program_check(prog, why, len))
		return false;
	const char *what = !json_is_object(prog)				   ? "not an object"
			   : !json_is_string(json_object_get(prog, "family"))	   ? "\"family\" is not a text"
			   : !counts_ok(json_object_get(prog, "words"))		   ? "\"words\" are not counts"
			   : !counts_ok(json_object_get(prog, "negative"))	   ? "\"negative\" are not counts"
			   : !counts_ok(json_object_get(prog, "seen"))		   ? "\"seen\" are not counts"
			   : !counts_ok(json_object_get(prog, "unapplied"))	   ? "\"unapplied\" are not counts"
			   : !count_ok(json_object_get(prog, "solved"))		   ? "\"solved\" is not a count"
			   : !count_ok(json_object_get(prog, "support"))	   ? "\"support\" is not a count"
			   : !count_ok(json_object_get(prog, "docs"))		   ? "\"docs\" is not a count"
			   : !count_ok(json_object_get(prog, "negatives"))	   ? "\"negatives\" is not a count"
			   : json_object_get(prog, "directed") && !side_ok(json_object_get(prog, "directed"))
				   ? "\"directed\" is not \"max\" or \"min\""
				   : NULL;
	if (what)
		snprintf(why, len, "%s", what);
	return what == NULL;
}

/* Query words (as add_words counts them) into an object. */
static json_t *query_words(const crmw__prog_ctx *c)
{
	json_t *w = json_object();
	if (w && add_words(w, c)) {
		json_decref(w);
		return NULL;
	}
	return w;
}

/* Word selection when the programs still in disagree.  They are put in
 * groups by what they do next; a query word selects a group when it was
 * seen at least twice with the group's training queries and never with
 * the others', and vetoes a group when it was seen at least twice with
 * the others' and never with the group's; both only when the counts are
 * unlikely by chance: with n sightings among N_a queries and none among N_b,
 * n * N_b / N_a >= WORD_EVIDENCE (about p < 0.05 that a word as frequent on
 * both sides shows no sighting among the N_b).  The groups left are those
 * not vetoed; if more than one, those selected.  Returns how many programs
 * are left. */
/* A veto needs less: a word of the tasks a program would answer wrongly
 * that, as frequent among its own, would have been seen there about 1.5
 * times, and was not.  Abstaining costs less than a wrong answer. */
#define VETO_EVIDENCE 1.5

static double doc_count(const json_t *prog)
{
	return (double)json_integer_value(json_object_get(prog, "docs"));
}

static size_t select_by_words(runner *r, size_t n, const json_t *qw)
{
	int *grp = calloc(n ? n : 1, sizeof *grp);
	if (!grp)
		return 0; /* nothing left: abstain */
	int ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].out)
			continue;
		grp[i] = 0;
		for (size_t j = 0; j < i && !grp[i]; j++)
			if (!r[j].out && same_action(&r[j].next, &r[i].next))
				grp[i] = grp[j];
		if (!grp[i])
			grp[i] = ++ng;
	}
	uint8_t *veto = calloc((size_t)ng + 1, 1), *sel = calloc((size_t)ng + 1, 1);
	for (int g = 1; veto && sel && g <= ng; g++) {
		const char *w;
		json_t *x;
		double Ng = 0, No = 0;
		for (size_t i = 0; i < n; i++)
			if (!r[i].out)
				*(grp[i] == g ? &Ng : &No) += doc_count(r[i].prog);
		json_object_foreach((json_t *)qw, w, x) {
			double ng_w = 0, no_w = 0;
			for (size_t i = 0; i < n; i++)
				if (!r[i].out)
					*(grp[i] == g ? &ng_w : &no_w) +=
						(double)json_integer_value(json_object_get(json_object_get(r[i].prog, "words"), w));
			if (ng_w >= 2 && no_w == 0 && Ng > 0 && ng_w * No / Ng >= WORD_EVIDENCE)
				sel[g] = 1;
			if (no_w >= 2 && ng_w == 0 && No > 0 && no_w * Ng / No >= WORD_EVIDENCE)
				veto[g] = 1;
		}
	}
	int keep = 0, nkeep = 0;
	for (int g = 1; veto && sel && g <= ng; g++)
		if (!veto[g]) {
			nkeep++;
			keep = g;
		}
	if (nkeep > 1) {
		nkeep = 0;
		for (int g = 1; g <= ng; g++)
			if (!veto[g] && sel[g]) {
				nkeep++;
				keep = g;
			}
	}
	size_t left = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].out)
			continue;
		if (nkeep != 1 || grp[i] != keep) {
			r[i].out = true;
			crmw__prog_next_clear(&r[i].next);
			snprintf(r[i].next.why, sizeof r[i].next.why, "%s",
				 veto && veto[grp[i]] ? "vetoed: a word of the query was seen only with other programs"
						      : "the words of the query do not choose between the programs that disagree");
		}
		left += !r[i].out;
	}
	free(veto);
	free(sel);
	free(grp);
	return left;
}

/* How many of the tasks a program answers in training said w: its own
 * tasks' count ("words") less those of its calls it does not apply to
 * ("unapplied": it answers none of them). */
static json_int_t answered_count(const json_t *prog, const char *w)
{
	json_int_t p = json_integer_value(json_object_get(json_object_get(prog, "words"), w));
	json_int_t u = json_integer_value(json_object_get(json_object_get(prog, "unapplied"), w));
	return p > u ? p - u : 0;
}

/* Is w (seen `count` times among the counterexamples) a word that every
 * one of the program's counterexamples had, at least three of them, none
 * of the tasks it answers, and the query lacks?  Its absence tells the
 * query from them (usable, deciding_words).  A task of its calls that it
 * does not apply to may have said it: NED's "the X I" program reads two
 * phrases in "display the X that I purchased ...  the product I bought",
 * and "display" was said there and by its 3 counterexamples. */
static bool absent_counter_word(const json_t *prog, const json_t *qw, const char *w, json_int_t count)
{
	json_int_t nn = json_integer_value(json_object_get(prog, "negatives"));
	return count == nn && nn >= WORD_EVIDENCE && answered_count(prog, w) == 0 && !json_object_get(qw, w);
}

/* A program with counterexamples in training (tasks it applied to and
 * would have answered wrongly) answers only when the query's words tell
 * its tasks from those: a word seen at least twice among its tasks and
 * never among the counterexamples selects it, a word seen at least twice
 * among the counterexamples and never among its tasks vetoes it (each
 * with the evidence of select_by_words).  The absence of a word
 * selects it too, with the same evidence, when every counterexample had
 * the word and none of the tasks it answers (absent_counter_word), if the
 * query also holds a word of at least three of its tasks and no
 * counterexample: NED's "the X I bought" program answered wrongly only
 * the "display the X that I purchased" tasks, and before, a query had to
 * hold a word seen in half of its tasks and in no counterexample.  The
 * tasks of its calls it does not apply to count among its tasks, not
 * among those it answers. */
static bool usable(const json_t *prog, const json_t *qw, const json_t *all, char *why, size_t len)
{
	double Np = (double)json_integer_value(json_object_get(prog, "docs"));
	double Nn = (double)json_integer_value(json_object_get(prog, "negatives"));
	if (Nn == 0)
		return true;
	const json_t *pos = json_object_get(prog, "words"), *neg = json_object_get(prog, "negative");
	const char *w;
	json_t *x;
	bool told = false, near = false; /* near: a word of at least 3 of its tasks, none of the counterexamples */
	const char *counter = NULL;	 /* a word of the counterexamples, of none of the tasks it answers */
	json_object_foreach((json_t *)qw, w, x) {
		double p = (double)json_integer_value(json_object_get(pos, w));
		double n = (double)json_integer_value(json_object_get(neg, w));
		/* a word of the counterexamples that none of the tasks it answers
		 * said vetoes it when none of its tasks did */
		if (n >= 2 && Nn > 0 && n * Np / Nn >= VETO_EVIDENCE && answered_count(prog, w) == 0) {
			if (p == 0) {
				snprintf(why, len, "vetoed: the word '%s' was seen only in the %.0f task(s) it would answer wrongly", w,
					 Nn);
				return false;
			}
			counter = counter ? counter : w;
		}
		told = told || (p >= 3 && n == 0 && Np > 0 && p * Nn / Np >= WORD_EVIDENCE);
		near = near || (p >= 3 && n == 0);
	}
	/* the absence of a word that every counterexample had and none of the
	 * tasks it answers: "lacks it" was seen with all of those and never
	 * with the counterexamples, the same evidence (Np * Nn / Np = Nn >= 3);
	 * with a word of its tasks too, since a wording new to both ("the
	 * mirror which I bought") lacks the counterexamples' words as well.
	 * Not for a query that holds a word of the counterexamples that only
	 * tasks it does not apply to said besides (a review's attack: "find
	 * the mirror that I bought" is the "display the X that I" kind without
	 * "display", and "the X I" reads "mirror that") */
	json_object_foreach((json_t *)neg, w, x) {
		if (told || !near || counter)
			break;
		told = absent_counter_word(prog, all, w, json_integer_value(x));
	}
	if (!told && counter)
		snprintf(why, len,
			 "no word of the query tells its %.0f task(s) from the %.0f it would answer wrongly ('%s' was seen with "
			 "those and with none it answers)",
			 Np, Nn, counter);
	else if (!told)
		snprintf(why, len, "no word of the query tells its %.0f task(s) from the %.0f it would answer wrongly", Np, Nn);
	return told;
}

/* Which sides saw the word in training, over every family with tasks
 * answered by a direction: bit 1 an argmax, bit 2 an argmin; bit 4 when
 * one family saw it on both sides (the wording around a question: it
 * tells no direction, where "best" tells one in each family, the lowest
 * handle time and the highest conversion). */
static int pooled_sides(const json_t *sides, const char *w)
{
	int bits = 0;
	const char *f;
	json_t *fs;
	json_object_foreach((json_t *)sides, f, fs) {
		/* a sighting by a tie only is none (direction_sides) */
		int b = (json_integer_value(json_object_get(json_object_get(fs, "max"), w)) >
				 json_integer_value(json_object_get(json_object_get(fs, "tie_max"), w))
			 ? 1
			 : 0) |
			(json_integer_value(json_object_get(json_object_get(fs, "min"), w)) >
				 json_integer_value(json_object_get(json_object_get(fs, "tie_min"), w))
			 ? 2
			 : 0);
		bits |= b | (b == 3 ? 4 : 0);
		if (bits & 4)
			break;
	}
	return bits;
}

/* The words English uses for the largest or the smallest value of what
 * they qualify ("the fewest transfers", "the longest handle time"): 1 for
 * the largest, 2 for the smallest, 0 for any other word.  Training
 * confirms them (lexical_side); words whose side depends on what they
 * qualify ("best", "fastest", "worst") are left to training alone, and
 * so is "least" of "at least one case" (its pair "the least" is here). */
static int lexicon_side(const char *w)
{
	static const char *const words[][8] = {
		{"highest", "greatest", "largest", "biggest", "longest", "maximum", "most", "the most"},
		{"lowest", "fewest", "smallest", "shortest", "minimum", "the least", NULL, NULL},
	};
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof words[s] / sizeof words[s][0] && words[s][i]; i++)
			if (strcmp(w, words[s][i]) == 0)
				return s + 1;
	return 0;
}

/* The side of w when it is a word of lexicon_side that training saw on
 * that side and never on the other, in any family: 1 the largest, 2 the
 * smallest, 0 otherwise ("most", said in "the most recent quarter" of a
 * lowest question, tells no side). */
static int lexical_side(const json_t *sides, const char *w)
{
	int s = lexicon_side(w);
	return s && pooled_sides(sides, w) == s ? s : 0;
}

/* Did a training query of any family say w (a word or a pair)? */
static bool said_in_training(const json_t *fams, const char *w)
{
	const char *f;
	json_t *fw;
	json_object_foreach((json_t *)fams, f, fw) if (json_object_get(fw, w)) return true;
	return false;
}

/* Does every word that follows the word w in the query (a lexicon word:
 * "the most" is read by its "most") make with it a pair that some
 * training query said ("shortest average", "fewest transfers")?  The
 * lexicon knows its words, not what they measure: "the highest drop-off"
 * (the lowest conversion) is a pair no training said (a review's attack). */
static bool lexical_pairs_said(const json_t *fams, const crmw__prog_ctx *c, const char *w)
{
	const char *sp = strrchr(w, ' ');
	const char *last = sp ? sp + 1 : w;
	size_t n = strlen(last);
	for (size_t i = 0; i + 1 < c->ntok; i++) {
		if (c->tok[i].len != n || memcmp(c->low + c->tok[i].at, last, n) != 0 || !crmw__prog_tok_is_word(c, i + 1))
			continue;
		char pair[96];
		snprintf(pair, sizeof pair, "%s %.*s", last, (int)(c->tok[i + 1].len > 40 ? 40 : c->tok[i + 1].len),
			 c->low + c->tok[i + 1].at);
		if (!said_in_training(fams, pair))
			return false;
	}
	return true;
}

/* Is a word of w (a word or a pair) shaped as a comparison: a
 * superlative ("-est": "worst" is of the list), or one of "best",
 * "worst", "most", "least", "top", "bottom", "first", "last", "more",
 * "less", "fewer", "better", "worse"?  Such a word keeps its veto though
 * training said it only beside the lexicon ("performed worst, with the
 * lowest score": the sixteenth review's trainings, where "Among agents
 * which performed worst, which agent scored the most points?" went to
 * the argmax).  "request" is a superlative here too: it keeps a veto it
 * need not, at no risk. */
static bool comparison_shaped(const char *w)
{
	static const char *const words[] = {"best", "worst",  "most", "least", "top",    "bottom", "first",
					    "last", "more",   "less", "fewer", "better", "worse"};
	for (const char *p = w; *p;) {
		size_t n = strcspn(p, " ");
		if (n > 4 && memcmp(p + n - 3, "est", 3) == 0)
			return true;
		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			if (strlen(words[i]) == n && memcmp(p, words[i], n) == 0)
				return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

/* Was every sighting of w on `side` ("max", "min") of every family an
 * echo of that side's lexicon (echo_words), and was there one? */
static bool echo_only(const json_t *sides, const char *w, const char *side)
{
	char echo[16];
	snprintf(echo, sizeof echo, "echo_%s", side);
	json_int_t seen = 0;
	const char *f;
	json_t *fs;
	json_object_foreach((json_t *)sides, f, fs) {
		json_int_t n = json_integer_value(json_object_get(json_object_get(fs, side), w));
		if (n != json_integer_value(json_object_get(json_object_get(fs, echo), w)))
			return false;
		seen += n;
	}
	return seen > 0;
}

/* About how many tasks a side of a family had ({word: n}): the count of
 * its commonest word. */
static double side_size(const json_t *side)
{
	double n = 0;
	const char *w;
	json_t *x;
	json_object_foreach((json_t *)side, w, x) n = fmax(n, (double)json_integer_value(x));
	return n;
}

/* A word's evidence for `side` against `other`, pooled over the families
 * whose training has both sides (those direction_words reads), or over
 * every family with `every`: its sightings on `side` times the ratio of
 * the sides' sizes (each family's side counted by side_size), as
 * select_by_words reads counts; 0 when `side` is empty.  *seen, when
 * given, gets the sightings. */
static double pooled_evidence(const json_t *sides, const char *w, const char *side, const char *other, bool every,
			      double *seen)
{
	double n = 0, ns = 0, no = 0;
	const char *f;
	json_t *fs;
	json_object_foreach((json_t *)sides, f, fs) {
		const json_t *a = json_object_get(fs, side), *b = json_object_get(fs, other);
		if (!every && (!json_object_size(a) || !json_object_size(b)))
			continue;
		n += (double)json_integer_value(json_object_get(a, w));
		ns += side_size(a);
		no += side_size(b);
	}
	if (seen)
		*seen = n;
	return ns > 0 ? n * no / ns : 0;
}

/* Is a word seen only with the other side's tasks, with the evidence
 * `against` (pooled_evidence), outweighed by a direction word
 * of the program's own side in the query, with the evidence `strength`?
 * Only a strong direction word outweighs (twice what select_by_words
 * asks), and only a word it outweighs three times over: "member made",
 * said twice among 250 argmax tasks by chance, no longer keeps an argmin
 * program off "who made the fewest transfers" ("fewest": 40 argmin tasks,
 * no argmax one), where "greatest" in "the greatest score, the lowest
 * cost" (four sightings against eleven) still keeps it off, and so does
 * "highest" said twice in a training of ten tasks per family.  (With the
 * evidence select_by_words asks and a word of any family, a word said
 * three times by chance outweighed "worst" on a fresh org: a wrong
 * conversion answer at ten tasks per family; a margin of two let
 * "lowest" outweigh "greatest" above.) */
#define DIRECTION_STRONG (2 * WORD_EVIDENCE)
#define DIRECTION_MARGIN 3.0
/* The strength of a word of lexical_side: it outweighs any finite evidence
 * but that of a library without counts (HUGE_VAL). */
#define LEXICAL_STRENGTH 1e9
static bool outweighed(double strength, double against)
{
	return strength >= DIRECTION_STRONG && against * DIRECTION_MARGIN <= strength;
}

/* Does the query say the veto word w in the slot of a word of the
 * program's side: a pair "x w" telling the other side and a pair "x s"
 * telling its own, after the same word ("the highest", "the lowest")?
 * Then w is an antonym, not a chance wording. */
static bool antonym(const json_t *qw, const json_t *dirs, const char *w, const char *dir, const char *oname)
{
	const char *k, *k2;
	json_t *x, *y;
	json_object_foreach((json_t *)qw, k, x) {
		const char *sp = strchr(k, ' ');
		const char *ks = json_string_value(json_object_get(dirs, k));
		if (!sp || strcmp(sp + 1, w) != 0 || !ks || strcmp(ks, oname) != 0)
			continue;
		size_t xl = (size_t)(sp - k);
		json_object_foreach((json_t *)qw, k2, y) {
			const char *s2 = json_string_value(json_object_get(dirs, k2));
			if (strncmp(k2, k, xl + 1) == 0 && strcmp(k2 + xl + 1, w) != 0 && s2 && strcmp(s2, dir) == 0)
				return true;
		}
	}
	return false;
}

/* Is a word new to a family the wording around questions elsewhere ("I'm
 * preparing the quarterly review.")?  Seen in the training of at least
 * GENERIC_FAMILIES other families, with the tasks of both sides (pooled
 * over the families with directions), and in no family whose training has
 * both sides on one side only with the evidence select_by_words asks: a
 * direction word ("best": the lowest handle time, the highest conversion)
 * is seen with many tasks of one side in a family.  A family of one side
 * tells nothing (every word of top_issue's "most common" questions is on
 * its argmax side), nor do two sightings among 20 lowest tasks beside 20
 * highest ones: "This is for the weekly operations report." stopped both
 * transfer programs of 11 of b2b 11's 106 abstentions at 40 tasks.  A
 * word seen only in families without directions ("the minimum order", "the
 * most recent note") may still flip one.  At 40 training tasks per family,
 * words new to the family were the only reason for 92 of the 573
 * abstentions on b2b 11, b2c 11 and crmarena 12.  direction_veto asks for
 * a strong word of the program's side in the query too. */
#define GENERIC_FAMILIES 3

/* Is w seen on one side only of a family with both sides ({"max", "min"}),
 * at least twice and with the evidence select_by_words asks? */
static bool one_sided_in(const json_t *fw, const char *w)
{
	const json_t *mx = json_object_get(fw, "max"), *mn = json_object_get(fw, "min");
	if (!json_object_size(mx) || !json_object_size(mn))
		return false;
	double a = (double)json_integer_value(json_object_get(mx, w));
	double b = (double)json_integer_value(json_object_get(mn, w));
	return (a == 0) != (b == 0) && a + b >= 2 &&
	       (a ? a * side_size(mn) / side_size(mx) : b * side_size(mx) / side_size(mn)) >= WORD_EVIDENCE;
}

static bool generic_word(const json_t *fams, const json_t *sides, const char *family, const char *w)
{
	if ((pooled_sides(sides, w) & 3) != 3)
		return false;
	int n = 0;
	const char *f;
	json_t *fw;
	json_object_foreach((json_t *)fams, f, fw) n += strcmp(f, family) != 0 && json_object_get(fw, w) != NULL;
	if (n < GENERIC_FAMILIES)
		return false;
	json_object_foreach((json_t *)sides, f, fw) if (one_sided_in(fw, w)) return false;
	return true;
}

static double direction_evidence(const json_t *lib, const char *w);

/* Is token i a mark that joins the words beside it: one ASCII character
 * of punctuation but those that end a sentence or a clause ("-", "(",
 * "#", "/", "_", quotes)? */
static bool joining_mark(const crmw__prog_ctx *c, size_t i)
{
	const crmw__prog_tok *t = &c->tok[i];
	char ch = c->query[t->at];
	return t->len == 1 && ch > ' ' && ch < 0x7f && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
							    (ch >= '0' && ch <= '9')) &&
	       !strchr(".?!:;,", ch);
}

/* Is the number at token i the start of a compound glued by a hyphen
 * ("2-in-1" in "the 2-in-1 Laptop")? */
static bool glued_compound(const crmw__prog_ctx *c, size_t i)
{
	if (i + 2 >= c->ntok)
		return false;
	const crmw__prog_tok *a = &c->tok[i], *h = &c->tok[i + 1], *w = &c->tok[i + 2];
	return h->at == a->at + a->len && h->len == 1 && c->query[h->at] == '-' && w->at == h->at + 1 &&
	       crmw__prog_tok_is_word(c, i + 2);
}

/* What direction_blind_spot found in a query, and its text. */
typedef struct blind_spot {
	enum { SPOT_NONE, SPOT_TEXT, SPOT_NUMBER, SPOT_PAIR } kind;
	char text[100];
} blind_spot;

/* What in the query may change what a direction asks where no word check
 * looks, into *spot: SPOT_TEXT, the first text no word check reads ("2nd",
 * a correction in another script: they are no words), outside time
 * expressions, cut whole characters; SPOT_NUMBER, a number before a strong
 * direction word (evidence DIRECTION_STRONG), outside a time expression and
 * not glued to the next word by a hyphen ("the 2 highest", "#2 highest",
 * "N-1 highest"); or SPOT_PAIR, a word before a strong direction word, in a
 * pair no training query of any family said ("second highest", "Second
 * highest", "second-highest", where "second" was said on both sides in
 * "the second half of the year").  Joining marks between them are passed
 * over (joining_mark).  direction_veto stops a directed program on any of
 * them (two reviews' attacks). */
static void direction_blind_spot(const json_t *lib, const crmw__prog_ctx *c, blind_spot *spot)
{
	char *out = spot->text;
	size_t len = sizeof spot->text;
	spot->kind = SPOT_NONE;
	out[0] = '\0';
	const json_t *fams = json_object_get(lib, "families");
	for (size_t i = 0; i < c->ntok; i++) {
		const crmw__prog_tok *t = &c->tok[i];
		if (crmw__prog_tok_unreadable(c, i) && !crmw__prog_tok_in_period(c, i)) {
			size_t n = t->len > 40 ? 40 : t->len;
			while (n > 0 && n < t->len && ((unsigned char)c->query[t->at + n] & 0xC0) == 0x80)
				n--;
			snprintf(out, len, "%.*s", (int)n, c->query + t->at);
			spot->kind = SPOT_TEXT;
			return;
		}
	}
	for (size_t i = 0; i < c->ntok; i++) {
		if (!crmw__prog_tok_is_word(c, i))
			continue;
		char d[48], pair[96];
		snprintf(d, sizeof d, "%.*s", (int)c->tok[i].len, c->low + c->tok[i].at);
		if (direction_evidence(lib, d) < DIRECTION_STRONG && !lexical_side(json_object_get(lib, "sides"), d))
			continue;
		/* its neighbours, across joining marks ("second-highest", "#2
		 * highest", "second (highest)") */
		size_t j = i, k = i + 1;
		while (j > 0 && joining_mark(c, j - 1))
			j--;
		while (k < c->ntok && joining_mark(c, k))
			k++;
		for (int side = 0; side < 2; side++) {
			size_t n = side ? k : j - 1;
			if ((side ? k >= c->ntok : j == 0) || crmw__prog_tok_in_period(c, n) ||
			    crmw__is_id_token(c->query + c->tok[n].at, c->tok[n].len))
				continue;
			size_t from = side ? i : n, to = side ? n : i;
			if (!side && c->tok[n].num >= 0 && !glued_compound(c, n)) {
				/* "the 2 highest", "#2 highest": how many, or which (after it,
				 * "over 3" in "handling over 3 cases" where "over" told a side
				 * by chance; glued, "2-in-1": a product's name) */
				snprintf(out, len, "%.*s", (int)(c->tok[to].at + c->tok[to].len - c->tok[from].at),
					 c->query + c->tok[from].at);
				spot->kind = SPOT_NUMBER;
				return;
			}
			/* a name before it is a value ("the Smart Blender's most
			 * common issue"); a capitalised word alone is not ("the Second
			 * highest") */
			if (side || !crmw__prog_tok_is_word(c, n) ||
			    (crmw__prog_tok_is_name(c, n) &&
			     ((n > 0 && crmw__prog_tok_is_name(c, n - 1)) ||
			      (c->tok[n].len > 2 && memcmp(c->low + c->tok[n].at + c->tok[n].len - 2, "'s", 2) == 0))))
				continue;
			snprintf(pair, sizeof pair, "%.*s", (int)c->tok[n].len, c->low + c->tok[n].at);
			/* a direction word before it is read by the direction checks
			 * ("fewest transfers", where "transfers" told the highest by
			 * chance) */
			if (json_object_get(json_object_get(lib, "directions"), pair))
				continue;
			snprintf(pair, sizeof pair, "%.*s %s", (int)c->tok[n].len, c->low + c->tok[n].at, d);
			if (!said_in_training(fams, pair)) {
				snprintf(out, len, "%.*s", (int)(c->tok[to].at + c->tok[to].len - c->tok[from].at),
					 c->query + c->tok[from].at);
				spot->kind = SPOT_PAIR;
				return;
			}
		}
	}
}

/* A program that answers by a direction (an argmax or an argmin: the
 * same calls answer "highest" and "lowest", only a word tells them apart)
 * stays off a query when a word of it, never seen with the tasks the
 * program solves, may be the one that flips it:
 *  - a direction word of the other side (direction_words);
 *  - a word that training saw only with tasks answered the other way, in
 *    any family (a word seen on both sides, like the wording around the
 *    question, tells nothing);
 *  - a word of the tasks solved by a program of the family answering the
 *    other way, and not the wording around a question nor seen with a
 *    task of the family answered its way (by another of its programs);
 *  - a word seen at least twice with the family's tasks answered the
 *    other way and never with those answered its way, and never on both
 *    sides in one family ("best" means the lowest handle time and the
 *    highest conversion);
 *  - a word never seen in any training query ("weakest" when no training
 *    task said it), unless it is a name (capitalised inside a sentence);
 *    or never seen in its family's training, unless a name or the
 *    wording around a question (seen on both sides in one family).
 * And when its family's training has both sides, the query must hold a
 * word of its own side: seen at least twice with the family's tasks
 * answered its way, never with the others, and never on both sides in
 * one family, with the evidence select_by_words asks (each side's size
 * taken as the count of its commonest word); or a direction word of its
 * side (direction_words) with that evidence over every family with both
 * sides ("greatest" seen twice among a family's 25 argmax tasks is weak
 * evidence there, and strong over four families).  Before all of these,
 * what direction_blind_spot found in the query (`odd`, filled on the
 * first call for a directed program, `*looked` set) stops it.
 * Abstaining costs less than a wrong answer; the price falls on rare
 * wordings and small training sets. */
static bool direction_veto(const json_t *lib, const json_t *prog, const crmw__prog_ctx *c, const json_t *qw,
			   const json_t *names, const json_t *directed, blind_spot *odd, bool *looked, char *told,
			   size_t toldlen, char *why, size_t len)
{
	told[0] = '\0';
	const json_t *seen = json_object_get(prog, "seen");
	const char *dir = json_string_value(json_object_get(prog, "directed"));
	if (!seen || !dir)
		return false; /* no direction, or a program from before the rule */
	if (!*looked)
		direction_blind_spot(lib, c, odd);
	*looked = true;
	if (odd->kind == SPOT_TEXT) {
		snprintf(why, len, "vetoed: the query says '%s', text no word check reads, and it answers by a direction", odd->text);
		return true;
	}
	if (odd->kind == SPOT_NUMBER) {
		snprintf(why, len, "vetoed: the query says '%s', a number beside a direction word", odd->text);
		return true;
	}
	if (odd->kind == SPOT_PAIR) {
		snprintf(why, len, "vetoed: the query says '%s', a word before a direction word that no training query said so",
			 odd->text);
		return true;
	}
	int d = strcmp(dir, "max") == 0 ? 1 : 2, o = 3 - d;
	const char *oname = o == 1 ? "max" : "min";
	const json_t *dirs = json_object_get(lib, "directions"), *fams = json_object_get(lib, "families");
	const json_t *all = json_object_get(lib, "sides");
	const char *family = json_string_value(json_object_get(prog, "family"));
	const json_t *sides = json_object_get(all, family);
	const json_t *own = json_object_get(sides, dir), *other = json_object_get(sides, oname);
	bool both = json_object_size(own) && json_object_size(other), support = false;
	double n_own = side_size(own), n_other = side_size(other);
	const char *w;
	json_t *x;
	/* the evidence of the strongest direction word of its own side in the
	 * query ("fewest", seen with 40 argmin tasks and no argmax one) */
	double strength = 0, strength_n = 0; /* and its sightings */
	json_object_foreach((json_t *)qw, w, x) {
		const char *wside = json_string_value(json_object_get(dirs, w));
		/* not a word its own family saw the other way ("worst": the
		 * highest handle time, the lowest conversion) */
		if (!wside || strcmp(wside, dir) != 0 || json_object_get(other, w) || !json_object_get(own, w))
			continue;
		double n, e = pooled_evidence(all, w, dir, oname, false, &n);
		if (e > strength) {
			strength = e;
			strength_n = n;
		}
	}
	/* a word of its side that English and training agree on (lexical_side),
	 * not a name ("the Most Valuable campaign") nor the "most" of "at
	 * most 2 cases", each of whose pairs with the word after it training
	 * said (lexical_pairs_said), with no word of the other side's lexicon
	 * in the query (nor its "least" outside "at least"), supports it and
	 * outweighs the words training saw with the other side only as echoes
	 * of that side's lexicon (echo_only: "team", said with three of 20 highest
	 * tasks that each said "longest" or "highest", and none of 20 lowest
	 * ones, kept the argmin off "which team member had the shortest
	 * average handle time").  A word the other side said on its own
	 * ("fastest", "excluding"), or shaped as a comparison ("worst":
	 * comparison_shaped), keeps its veto: two reviews' attacks ("Among
	 * agents with the most open cases, which agent scored worst?")
	 * answered by the argmax when every word was outweighed. */
	const char *lexical = NULL;
	bool contrary = false;
	json_object_foreach((json_t *)qw, w, x) {
		if (!lexical && lexical_side(all, w) == d && !json_object_get(names, w) &&
		    !(strcmp(w, "most") == 0 && json_object_get(qw, "at most")) && lexical_pairs_said(fams, c, w))
			lexical = w;
		contrary = contrary || lexicon_side(w) == o;
	}
	for (size_t i = 0; o == 2 && i < c->ntok && !contrary; i++)
		contrary = c->tok[i].len == 5 && memcmp(c->low + c->tok[i].at, "least", 5) == 0 &&
			   !(i > 0 && c->tok[i - 1].len == 2 && memcmp(c->low + c->tok[i - 1].at, "at", 2) == 0);
	bool lexicon = lexical && !contrary;
	if (lexicon && both) {
		support = true;
		snprintf(told, toldlen, "%s", lexical);
	}
	json_object_foreach((json_t *)qw, w, x) {
		json_int_t nown = json_integer_value(json_object_get(own, w));
		json_int_t noth = json_integer_value(json_object_get(other, w));
		int pool = pooled_sides(all, w);
		bool wording = pool & 4;
		/* with the evidence select_by_words asks: a word as frequent on the
		 * other side would have been seen there about three times */
		if (!support && both && nown >= 2 && noth == 0 && !wording && n_own > 0 &&
		    (double)nown * n_other / n_own >= WORD_EVIDENCE) {
			support = true;
			snprintf(told, toldlen, "%s", w);
		}
		const char *wside = json_string_value(json_object_get(dirs, w));
		if (!support && both && wside && strcmp(wside, dir) == 0) {
			double n;
			if (pooled_evidence(all, w, dir, oname, false, &n) >= WORD_EVIDENCE && n >= 2) {
				support = true;
				snprintf(told, toldlen, "%s", w);
			}
		}
		if (json_object_get(seen, w))
			continue;
		/* what outweighs the word: the lexicon's word for an echo, else
		 * the strongest learned word of its side (which alone lets a word
		 * new to the family pass as wording: generic_word) */
		double weight = lexicon && echo_only(all, w, oname) && !comparison_shaped(w) ? LEXICAL_STRENGTH : strength;
		double weight_n = weight == LEXICAL_STRENGTH ? LEXICAL_STRENGTH : strength_n;
		const char *side = json_string_value(json_object_get(dirs, w));
		/* a direction word of the other side is outweighed only by a word
		 * said more often too: with ten training tasks per family the
		 * sides are small and uneven, and "agent with", said by chance
		 * with six of 11 lowest tasks and none of 24 highest ones (a
		 * strength of 13), outweighed "highest" (four of the 24, 1.8):
		 * the argmin answered "the sales agent with the highest sales
		 * amount" (b2b 101, an org never developed on) */
		double seen_other = 0;
		if (side && strcmp(side, oname) == 0 &&
		    (antonym(qw, dirs, w, dir, oname) || !outweighed(weight, pooled_evidence(all, w, oname, dir, false, &seen_other)) ||
		     seen_other * DIRECTION_MARGIN > weight_n)) {
			snprintf(why, len, "vetoed: the word '%s' tells the %s in training and was never seen with its tasks", w,
				 o == 1 ? "highest" : "lowest");
			return true;
		}
		if ((pool & 3) == o && !outweighed(weight, pooled_evidence(all, w, oname, dir, true, NULL))) {
			snprintf(why, len, "vetoed: the word '%s' was seen in training only with tasks answered by an %s", w,
				 o == 1 ? "argmax" : "argmin");
			return true;
		}
		/* a word of the tasks the family's programs of the other side
		 * solve (a tie tells no side, but its program does) */
		double t = 0, tn = 0; /* its sightings with their tasks, their tasks */
		size_t pi;
		json_t *q;
		json_array_foreach(json_object_get(lib, "programs"), pi, q) {
			const char *qd = json_string_value(json_object_get(q, "directed"));
			const char *qf = json_string_value(json_object_get(q, "family"));
			if (q == prog || !qd || !qf || strcmp(qd, oname) != 0 || strcmp(qf, family) != 0 ||
			    !json_is_object(json_object_get(q, "seen")))
				continue;
			t += (double)json_integer_value(json_object_get(json_object_get(q, "seen"), w));
			tn += (double)json_integer_value(json_object_get(q, "solved"));
		}
		/* a library without the counts (crafted, or from before them)
		 * cannot outweigh this veto */
		double mine = (double)json_integer_value(json_object_get(prog, "solved"));
		bool theirs = t > 0 && !outweighed(weight, tn > 0 && mine > 0 ? t * mine / tn : HUGE_VAL);
		if (theirs && !wording && nown == 0) {
			snprintf(why, len, "vetoed: the word '%s' was seen with the tasks of the family's %s programs only", w,
				 o == 1 ? "argmax" : "argmin");
			return true;
		}
		if (noth >= 2 && nown == 0 && !wording && !outweighed(weight, n_other > 0 ? (double)noth * n_own / n_other : 0)) {
			snprintf(why, len, "vetoed: the word '%s' was seen with the family's %s tasks only", w,
				 o == 1 ? "argmax" : "argmin");
			return true;
		}
		if (strchr(w, ' ') || json_object_get(names, w))
			continue;
		if (!said_in_training(fams, w)) {
			snprintf(why, len, "vetoed: the word '%s' was never seen in training, and it answers by a direction", w);
			return true;
		}
		/* a word new to the family may tell the other side ("weakest",
		 * seen in another family's question), unless it is the wording
		 * around a question */
		if (!wording && !json_object_get(json_object_get(fams, family), w) &&
		    !(strength >= DIRECTION_STRONG && !json_object_get(directed, w) && generic_word(fams, all, family, w))) {
			snprintf(why, len, "vetoed: the word '%s' was never seen in the family's training", w);
			return true;
		}
	}
	if (both && !support) {
		snprintf(why, len, "no word of the query was seen only with the family's %s tasks (at least twice)",
			 d == 1 ? "argmax" : "argmin");
		return true;
	}
	/* a word of the other side's lexicon that no training query answered
	 * this way said, in any family, stops the program: English tells the
	 * other side, and nothing learned says otherwise (b2b 251 at 40 tasks
	 * per family: "biggest" was said once, in a None task, "sales figures"
	 * with nine lowest questions, and the argmin answered "which agent had
	 * the biggest sales figures"); not a name, nor the "most" of "at most".
	 * Only where the family's training has both sides: in a family of one
	 * side a program's direction may be misread (transfer_count of b2c 11
	 * at 100: the program that calls find_id_with_min_value is marked
	 * "max", its maps of transfers mostly holding one agent), and there it
	 * answers by the other rules as before */
	json_object_foreach(both ? (json_t *)qw : NULL, w, x) {
		const char *sp = strrchr(w, ' ');
		if (lexicon_side(w) != o || json_object_get(names, sp ? sp + 1 : w) ||
		    (strcmp(w, "most") == 0 && json_object_get(qw, "at most")) || (pooled_sides(all, w) & d))
			continue;
		snprintf(why, len, "vetoed: the word '%s' tells the %s, and no training query answered by an %s said it", w,
			 o == 1 ? "highest" : "lowest", d == 1 ? "argmax" : "argmin");
		return true;
	}
	return false;
}

/* The names of a query: its words that start with a capital letter and
 * do not start a sentence (after '.', '?', '!', ':', a line's start or
 * the query's). */
static json_t *name_words(const crmw__prog_ctx *c)
{
	json_t *out = json_object();
	for (size_t i = 0; out && i < c->ntok; i++) {
		const crmw__prog_tok *t = &c->tok[i];
		if (!crmw__prog_tok_is_name(c, i))
			continue;
		char w[48];
		snprintf(w, sizeof w, "%.*s", (int)t->len, c->low + t->at);
		if (json_object_set_new(out, w, json_true())) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* The evidence of w as a direction word (direction_words), pooled over the
 * families with both sides; 0 when it is none. */
static double direction_evidence(const json_t *lib, const char *w)
{
	const char *side = json_string_value(json_object_get(json_object_get(lib, "directions"), w));
	return side ? pooled_evidence(json_object_get(lib, "sides"), w, side, strcmp(side, "max") == 0 ? "min" : "max", false, NULL)
		    : 0;
}

/* Does tokens [from, to) hold, outside those `skip` marks (NULL: none), a
 * direction word or pair (direction_words) with at least `evidence`
 * pooled over the families with both sides, or a word or pair the sides
 * `own` ({"max", "min"}, NULL: none) saw on one side only (one_sided_in)? */
static bool holds_direction(const json_t *lib, const crmw__prog_ctx *c, size_t from, size_t to, const uint8_t *skip,
			    const json_t *own, double evidence)
{
	for (size_t k = from; k < to; k++) {
		if (skip && skip[k])
			continue;
		char w[84];
		snprintf(w, sizeof w, "%.*s", (int)(c->tok[k].len > 40 ? 40 : c->tok[k].len), c->low + c->tok[k].at);
		if (direction_evidence(lib, w) >= evidence || one_sided_in(own, w))
			return true;
		if (k > from && !(skip && skip[k - 1])) {
			snprintf(w, sizeof w, "%.*s %.*s", (int)(c->tok[k - 1].len > 40 ? 40 : c->tok[k - 1].len),
				 c->low + c->tok[k - 1].at, (int)(c->tok[k].len > 40 ? 40 : c->tok[k].len), c->low + c->tok[k].at);
			if (direction_evidence(lib, w) >= evidence || one_sided_in(own, w))
				return true;
		}
	}
	return false;
}

/* Does the query hold, outside the tokens `skip` marks, a direction word
 * or pair with the evidence of a strong one (DIRECTION_STRONG)? */
static bool strong_direction_but(const json_t *lib, const crmw__prog_ctx *c, const uint8_t *skip)
{
	return holds_direction(lib, c, 0, c->ntok, skip, NULL, DIRECTION_STRONG);
}

/* Does the sentence of tokens [from, to) hold a direction word or pair
 * with the evidence select_by_words asks, or, with `family`, a word or pair
 * that family's training saw on one side only with that evidence
 * (one_sided_in: "highest" in "Skip the highest entry." tells a side in a
 * family of highest and lowest questions even where other families said
 * the sentence before questions of both sides)? */
static bool sentence_directed(const json_t *lib, const crmw__prog_ctx *c, size_t from, size_t to, const char *family)
{
	const json_t *own = family ? json_object_get(json_object_get(lib, "sides"), family) : NULL;
	return holds_direction(lib, c, from, to, NULL, own, WORD_EVIDENCE);
}

/* The words of the query's sentences that hold a direction word or pair
 * with evidence (sentence_directed): "second" in "which agent had the
 * second highest score" changes what the direction asks, where "This is
 * for the weekly report." around the question does not (generic_word; a
 * review's attack: "second", said only in other families' "second half of
 * the year", was taken for wording and the argmax answered the second
 * highest). */
static json_t *directed_sentence_words(const json_t *lib, const crmw__prog_ctx *c)
{
	json_t *out = json_object();
	for (size_t a = 0, b; out && a < c->ntok; a = b) {
		b = crmw__prog_sentence_end(c, a);
		for (size_t k = a, d = sentence_directed(lib, c, a, b, NULL); out && d && k < b; k++) {
			char w[48];
			snprintf(w, sizeof w, "%.*s", (int)(c->tok[k].len > 40 ? 40 : c->tok[k].len), c->low + c->tok[k].at);
			if (json_object_set_new(out, w, json_true())) {
				json_decref(out);
				out = NULL;
			}
		}
	}
	return out;
}

/* In how many families other than `family` the library's "sentences"
 * (`sents`) saw the sentence `key` said freely and never bound, and
 * whether beside tasks answered by an argmax (*nmax) and by an argmin
 * (*nmin) there; -1 when `family`'s own training bound it (it may change
 * that family's questions). */
static int said_freely_elsewhere(const json_t *sents, const char *key, const char *family, bool *nmax, bool *nmin)
{
	int others = 0;
	const char *f;
	json_t *fs;
	*nmax = *nmin = false;
	json_object_foreach((json_t *)sents, f, fs) {
		json_int_t x = json_integer_value(json_object_get(json_object_get(fs, "max"), key));
		json_int_t n = json_integer_value(json_object_get(json_object_get(fs, "min"), key));
		json_int_t o = json_integer_value(json_object_get(json_object_get(fs, "none"), key));
		json_int_t bound = json_integer_value(json_object_get(json_object_get(fs, "bound"), key));
		bool mine = strcmp(f, family) == 0;
		if (bound > 0 && mine)
			return -1;
		if (bound > 0 || x + n + o == 0)
			continue; /* not said, or said where it may have changed the question */
		others += !mine;
		*nmax = *nmax || x > 0;
		*nmin = *nmin || n > 0;
	}
	return others;
}

/* A mark per token of the query's sentences said freely, as a whole
 * (crmw__prog_sentence_key), in the training of at least GENERIC_FAMILIES families
 * other than `family` and never bound in its own (said_freely_elsewhere),
 * in *around; in *sided (when not NULL), those of them said there beside
 * tasks of both an argmax and an argmin too, and holding no word that
 * tells a side (sentence_directed).  One pass for both: the keys and the
 * lookups in every family's counts are the costly part.  A mark is NULL
 * when no sentence is one; no family, none. */
static int generic_sentences(const json_t *lib, const crmw__prog_ctx *c, const char *family, uint8_t **around,
			     uint8_t **sided)
{
	uint8_t **out[2] = {around, sided};
	*around = NULL;
	if (sided)
		*sided = NULL;
	const json_t *sents = json_object_get(lib, "sentences");
	if (!family || !json_object_size(sents))
		return CRMW_OK;
	for (size_t a = 0, b; a < c->ntok; a = b) {
		char key[17];
		b = crmw__prog_sentence_end(c, a);
		if (!crmw__prog_sentence_key(c, a, b, key))
			continue;
		bool nmax, nmin;
		if (said_freely_elsewhere(sents, key, family, &nmax, &nmin) < GENERIC_FAMILIES)
			continue;
		bool two = sided && nmax && nmin && !sentence_directed(lib, c, a, b, family);
		for (int k = 0; k < (two ? 2 : 1); k++) {
			if (!*out[k] && !(*out[k] = calloc(c->ntok, 1))) {
				free(*around);
				*around = NULL;
				if (sided) {
					free(*sided);
					*sided = NULL;
				}
				return CRMW_ENOMEM;
			}
			memset(*out[k] + a, 1, b - a);
		}
	}
	return CRMW_OK;
}

/* The text of the sentences `mark` marks, in order, into *said (a new
 * array; NULL when none). */
static int marked_sentences(const crmw__prog_ctx *c, const uint8_t *mark, json_t **said)
{
	*said = NULL;
	for (size_t a = 0, b; a < c->ntok; a = b) {
		b = crmw__prog_sentence_end(c, a);
		if (!mark[a])
			continue;
		json_t *text = json_stringn(c->query + c->tok[a].at, c->tok[b - 1].at + c->tok[b - 1].len - c->tok[a].at);
		if (text && !*said && !(*said = json_array())) {
			json_decref(text);
			text = NULL;
		}
		if (!text || json_array_append_new(*said, text)) { /* the array takes the text, even when it fails */
			json_decref(*said);
			*said = NULL;
			return CRMW_ENOMEM;
		}
	}
	return CRMW_OK;
}

/* The sentences of the query that are the wording around the question of
 * `family`: "Keeping it brief.", "I'm putting together the quarterly
 * review.", said before questions of every kind.  Their words are new to
 * a family, or said by chance with the tasks of one side only, and they
 * stopped its programs: 174 of the 380 structured abstentions outside
 * case_routing at 40 training tasks per family (b2b 11, b2c 11, crmarena
 * 12) had one.  A sentence is the wording when, as a whole
 * (crmw__prog_sentence_key), it was said in the training of at least
 * GENERIC_FAMILIES other families, each time freely (sentence_counts),
 * with tasks answered by an argmax and with tasks answered by an argmin
 * (pooled over those families); never bound in the family's own training;
 * it holds no direction word with evidence, nor a word the family saw on
 * one side (sentence_directed); and the rest of the query holds a strong
 * direction word.  The word checks (direction_veto, usable,
 * select_by_words) then read the query without it.  `mark` (taken) is
 * generic_sentences' *sided.  Returns a mark per token (a wording
 * sentence's) in *skip (NULL when none), and the sentences' text in *said;
 * no family (held out), no sentence. */
static int wording_tokens(const json_t *lib, const crmw__prog_ctx *c, uint8_t *mark, uint8_t **skip, json_t **said)
{
	*skip = NULL;
	*said = NULL;
	/* only beside a question that states its direction strongly, as
	 * generic_word asks of a word: a sentence that did nothing in other
	 * families may still filter this one's ("Only count closed cases." where
	 * theirs held every status, or the same calls: a review's attacks).
	 * Sentences the family itself said freely too (beside tasks of the same
	 * calls and side without them) did not answer more at 40 training tasks
	 * per family and answered fewer at 10. */
	if (!mark || !strong_direction_but(lib, c, mark)) {
		free(mark);
		return CRMW_OK;
	}
	int rc = marked_sentences(c, mark, said);
	if (rc != CRMW_OK) {
		free(mark);
		return rc;
	}
	*skip = mark;
	return CRMW_OK;
}

/* The sentences of the query a "$choose" does not read
 * (crmw__prog_ctx.around): those said, as a whole, freely around the
 * questions of at least GENERIC_FAMILIES other families and never bound
 * in `family`'s training ("I need this for a status report.", "I'd like a
 * careful answer.").  A case is routed by what the case says; such a
 * sentence, said by chance with the tasks of one item only ("status" in
 * the training of one of ten issues) or by none of them, vetoed the
 * choice.  No direction is asked of it: the choice has none.  `mark` is
 * generic_sentences' *around; the sentences' text into *said. */
static int around_tokens(const crmw__prog_ctx *c, const uint8_t *mark, json_t **said)
{
	*said = NULL;
	return mark ? marked_sentences(c, mark, said) : CRMW_OK;
}

/* With no family: a program must be selected by a word and see no word it
 * never saw (in its family's training queries). */
static bool fits_unlabelled(const json_t *lib, const json_t *prog, const json_t *qw, size_t nprog, const runner *all,
			    char *why, size_t len)
{
	const json_t *fam = json_object_get(json_object_get(lib, "families"), json_string_value(json_object_get(prog, "family")));
	const json_t *mine = json_object_get(prog, "words");
	const char *w;
	json_t *x;
	json_object_foreach((json_t *)qw, w, x) if (!json_object_get(fam, w))
	{
		snprintf(why, len, "the word '%s' was never seen in this family's tasks", w);
		return false;
	}
	json_object_foreach((json_t *)qw, w, x) {
		if (json_integer_value(json_object_get(mine, w)) < 2)
			continue;
		bool other = false;
		for (size_t j = 0; j < nprog && !other; j++)
			other = !all[j].bad && all[j].prog != prog &&
				strcmp(json_string_value(json_object_get(all[j].prog, "family")),
				       json_string_value(json_object_get(prog, "family"))) != 0 &&
				json_object_get(json_object_get(all[j].prog, "words"), w);
		if (!other)
			return true;
	}
	snprintf(why, len, "no word of the query selects it");
	return false;
}

/* The query words that decided between programs, for the trajectory:
 * {"selected_by": words seen at least twice with the programs that answer
 * and never with those select_by_words dropped, "vetoed_by": the reverse,
 * "told_from_counterexamples_by": words seen at least three times with the
 * tasks of an answering program that has counterexamples and never with
 * those, "told_from_counterexamples_by_absence": words every one of its
 * (at least three) counterexamples had, none of its tasks and not the
 * query}; NULL when no word decided (or out of memory: *rc). */
static json_t *deciding_words(const runner *r, size_t nr, const json_t *qw, const json_t *all, int *rc)
{
	json_t *out = json_pack("{s:[], s:[], s:[]}", "selected_by", "vetoed_by", "told_from_counterexamples_by");
	if (!out) {
		*rc = CRMW_ENOMEM;
		return NULL;
	}
	bool dropped = false;
	for (size_t i = 0; i < nr; i++)
		dropped = dropped || r[i].byword;
	const char *w;
	json_t *x;
	json_object_foreach((json_t *)qw, w, x) {
		double kept = 0, gone = 0, pos = 0, neg = 0;
		bool counter = false;
		for (size_t i = 0; i < nr; i++) {
			double n = (double)json_integer_value(json_object_get(json_object_get(r[i].prog, "words"), w));
			if (!r[i].out) {
				kept += n;
				if (json_integer_value(json_object_get(r[i].prog, "negatives")) > 0) {
					counter = true;
					pos += n;
					neg += (double)json_integer_value(json_object_get(json_object_get(r[i].prog, "negative"), w));
				}
			} else if (r[i].byword) {
				gone += n;
			}
		}
		const char *list = dropped && kept >= 2 && gone == 0   ? "selected_by"
				   : dropped && gone >= 2 && kept == 0 ? "vetoed_by"
				   : counter && pos >= 3 && neg == 0   ? "told_from_counterexamples_by"
								       : NULL;
		if (list && json_array_append_new(json_object_get(out, list), json_string(w))) {
			*rc = CRMW_ENOMEM;
			break;
		}
	}
	/* the words every counterexample of an answering program had, none of
	 * the tasks it answers, and the query has not (usable) */
	json_t *abs = json_array();
	for (size_t i = 0; abs && !*rc && i < nr; i++) {
		if (r[i].out)
			continue;
		json_object_foreach(json_object_get(r[i].prog, "negative"), w, x) {
			if (absent_counter_word(r[i].prog, all, w, json_integer_value(x)) &&
			    json_array_append_new(abs, json_string(w))) {
				*rc = CRMW_ENOMEM;
				break;
			}
		}
	}
	if (!abs || json_object_set_new(out, "told_from_counterexamples_by_absence", abs))
		*rc = CRMW_ENOMEM;
	static const char *const lists[] = {"selected_by", "vetoed_by", "told_from_counterexamples_by",
					    "told_from_counterexamples_by_absence"};
	for (size_t i = 0; i < 4; i++)
		if (json_array_size(json_object_get(out, lists[i])) == 0)
			json_object_del(out, lists[i]);
	if (*rc || json_object_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Does the value hold an expression of the operator `op` at any depth? */
static bool mentions_op(const json_t *v, const char *op, int depth)
{
	if (depth > 64)
		return false;
	const char *k;
	size_t i;
	json_t *x;
	json_object_foreach((json_t *)v, k, x) if (strcmp(k, op) == 0 || mentions_op(x, op, depth + 1)) return true;
	json_array_foreach(v, i, x) if (mentions_op(x, op, depth + 1)) return true;
	return false;
}

/* What crmw__induced_next reports of its answer: the explanation of the
 * first agreeing program (crmw__prog_next.explain), the library's indexes
 * of those that agree and the words that decided. */
static int report(crmw__prog_next *out, const runner *r, size_t nr, const runner *first, const json_t *qw,
		  const json_t *all, const json_t *wording, const json_t *around)
{
	int rc = CRMW_OK;
	json_t *ex = first->next.explain ? json_copy(first->next.explain) : json_object(), *idx = json_array();
	json_t *words = ex && idx ? deciding_words(r, nr, qw, all, &rc) : NULL;
	/* the sentences the word checks left out (wording_tokens) */
	if (!rc && ex && wording) {
		if (!words && !(words = json_object()))
			rc = CRMW_ENOMEM;
		if (!rc && json_object_set(words, "wording", (json_t *)wording))
			rc = CRMW_ENOMEM;
	}
	/* the sentences its "$choose" left out (around_tokens) */
	if (!rc && ex && around && mentions_op(first->prog, "$choose", 0)) {
		if (!words && !(words = json_object()))
			rc = CRMW_ENOMEM;
		if (!rc && json_object_set(words, "around_choice", (json_t *)around))
			rc = CRMW_ENOMEM;
	}
	/* the word that told the answering program's direction */
	if (!rc && ex && first->dirword[0]) {
		if (!words && !(words = json_object()))
			rc = CRMW_ENOMEM;
		if (!rc && json_object_set_new(words, "told_direction_by", json_pack("[s]", first->dirword)))
			rc = CRMW_ENOMEM;
	}
	if (!ex || !idx)
		rc = CRMW_ENOMEM;
	for (size_t i = 0; i < nr && !rc; i++)
		if (!r[i].out && json_array_append_new(idx, json_integer((json_int_t)r[i].idx)))
			rc = CRMW_ENOMEM;
	if (!rc && (json_object_set(ex, "programs", idx) || (words && json_object_set(ex, "words", words))))
		rc = CRMW_ENOMEM;
	json_decref(idx);
	json_decref(words);
	if (rc) {
		json_decref(ex);
		ex = NULL;
	}
	out->explain = ex;
	return rc;
}

json_t *crmw__induced_check(const json_t *lib)
{
	char why[sizeof ((crmw__prog_next *)0)->why];
	if (!lib_ok(lib, why, sizeof why))
		return json_pack("{s:s}", "malformed", why);
	json_t *skipped = json_object(), *out = skipped ? json_pack("{s:o}", "skipped", skipped) : NULL;
	size_t i;
	json_t *p;
	json_array_foreach(out ? json_object_get(lib, "programs") : NULL, i, p) {
		char key[24];
		snprintf(key, sizeof key, "%zu", i);
		/* as crmw__induced_next says it: its reason, past "skipped: " */
		char pwhy[sizeof ((crmw__prog_next *)0)->why - 16];
		/* _nocheck: the reason quotes the store's text, cut anywhere (the
		 * nineteenth review: a cut inside a character made the check fail) */
		if (!prog_ok(p, pwhy, sizeof pwhy) && json_object_set_new(skipped, key, json_string_nocheck(pwhy))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int crmw__induced_next(crmw__prog_next *out, const json_t *lib, const json_t *task, const char *family,
		       const json_t *results)
{
	return crmw__induced_next_checked(out, lib, NULL, task, family, results);
}

int crmw__induced_next_checked(crmw__prog_next *out, const json_t *lib, const json_t *checks, const json_t *task,
			       const char *family, const json_t *results)
{
	memset(out, 0, sizeof *out);
	out->kind = CRMW__PROG_ABSTAIN;
	out->step = (int)json_array_size(results);
	const json_t *progs = json_object_get(lib, "programs");
	size_t np = json_array_size(progs), nr = 0;
	runner *r = calloc(np ? np : 1, sizeof *r);
	crmw__prog_ctx c;
	json_t *qw = NULL, *names = NULL, *directed = NULL, *sofar = json_array();
	json_t *said = NULL, *kept = NULL; /* the wording sentences (wording_tokens), the words of the rest */
	json_t *around_said = NULL; /* the sentences "$choose" does not read (around_tokens) */
	uint8_t *skip = NULL, *around = NULL, *sided = NULL; /* sided: wording_tokens takes it */
	if (!r || !sofar || crmw__prog_ctx_init(&c, task, NULL)) {
		free(r);
		json_decref(sofar);
		return CRMW_ENOMEM;
	}
	c.explain = true;
	blind_spot odd; /* direction_veto looks for it at the first directed program */
	bool looked = false;
	int rc = (qw = query_words(&c)) && (names = name_words(&c)) && (directed = directed_sentence_words(lib, &c))
			 ? 0
			 : CRMW_ENOMEM;
	const char *malformed = json_string_value(json_object_get(checks, "malformed"));
	if (!rc && malformed)
		snprintf(out->why, sizeof out->why, "%s", malformed);
	bool lib_bad = !rc && (checks ? malformed != NULL : !lib_ok(lib, out->why, sizeof out->why));
	if (lib_bad)
		np = 0;
	rc = rc || lib_bad ? rc : generic_sentences(lib, &c, family, &around, &sided);
	rc = rc || lib_bad ? rc : wording_tokens(lib, &c, sided, &skip, &said);
	rc = rc || lib_bad ? rc : around_tokens(&c, around, &around_said);
	c.around = around;
	if (!rc && !(kept = skip ? json_object() : json_incref(qw)))
		rc = CRMW_ENOMEM;
	if (!rc && skip)
		rc = crmw__prog_add_words(kept, &c, skip);
	for (size_t i = 0; i < np; i++) {
		const json_t *p = json_array_get(progs, i);
		const char *pf = json_string_value(json_object_get(p, "family"));
		if (family && pf && strcmp(family, pf) != 0)
			continue;
		r[nr].prog = p;
		r[nr].idx = i;
		char why[sizeof r[nr].next.why - 16], key[24];
		snprintf(key, sizeof key, "%zu", i);
		const char *skipped = json_string_value(json_object_get(json_object_get(checks, "skipped"), key));
		if (skipped)
			snprintf(why, sizeof why, "%s", skipped);
		if (checks ? skipped != NULL : !prog_ok(p, why, sizeof why)) {
			r[nr].out = r[nr].bad = true;
			snprintf(r[nr].next.why, sizeof r[nr].next.why, "skipped: %s", why);
		}
		nr++;
	}
	for (size_t i = 0; !family && i < nr; i++)
		r[i].out = r[i].out || !fits_unlabelled(lib, r[i].prog, qw, nr, r, r[i].next.why, sizeof r[i].next.why);
	for (size_t i = 0; i < nr; i++)
		r[i].out = r[i].out ||
			   direction_veto(lib, r[i].prog, &c, kept, names, directed, &odd, &looked, r[i].dirword,
					  sizeof r[i].dirword, r[i].next.why, sizeof r[i].next.why) ||
			   !usable(r[i].prog, kept, qw, r[i].next.why, sizeof r[i].next.why);
	/* a program with a later step the task does not fit ("at least" in
	 * the count of a query that says "more than") is out from the start:
	 * its earlier steps would only stand against the programs that fit */
	for (size_t i = 0; i < nr && !rc; i++) {
		bool fits = true;
		if (!r[i].out)
			rc = crmw__program_fits_task(&fits, r[i].prog, &c, r[i].next.why, sizeof r[i].next.why);
		r[i].out = r[i].out || !fits;
	}
	crmw_buf reasons = CRMW_BUF_INIT;
	for (size_t k = 0; !rc && !lib_bad && k <= json_array_size(results); k++) {
		c.results = sofar;
		size_t left = 0;
		for (size_t i = 0; i < nr && !rc; i++) {
			if (r[i].out)
				continue;
			crmw__prog_next_clear(&r[i].next);
			rc = crmw__program_next_ctx(&r[i].next, r[i].prog, &c);
			if (r[i].next.kind == CRMW__PROG_ABSTAIN && r[i].next.cls == CRMW__PROG_TASK)
				r[i].out = true; /* its expressions do not fit the task */
			left += !r[i].out;
		}
		if (!rc && left > 1) {
			for (size_t i = 0; i < nr; i++)
				r[i].byword = r[i].byword || !r[i].out; /* what select_by_words drops stays marked */
			left = select_by_words(r, nr, kept);
			for (size_t i = 0; i < nr; i++)
				r[i].byword = r[i].byword && r[i].out;
		}
		const runner *first = NULL;
		bool agree = left > 0;
		for (size_t i = 0; i < nr; i++)
			if (!r[i].out) {
				agree = agree && (!first || same_action(&first->next, &r[i].next));
				first = first ? first : &r[i];
			}
		if (rc)
			break;
		if (!agree || first->next.kind == CRMW__PROG_ABSTAIN ||
		    (k < json_array_size(results) && first->next.kind != CRMW__PROG_CALL)) {
			for (size_t i = 0; i < nr; i++) {
				const crmw__prog_next *x = &r[i].next;
				const char *fam = json_string_value(json_object_get(r[i].prog, "family"));
				fam = fam ? fam : "?";
				if (r[i].out && x->why[0])
					crmw__buf_printf(&reasons, "%sprogram %zu (%s): %s", reasons.len ? "; " : "", i, fam, x->why);
				else if (x->kind == CRMW__PROG_CALL)
					crmw__buf_printf(&reasons, "%sprogram %zu (%s): calls %s", reasons.len ? "; " : "", i, fam, x->name);
				else if (x->kind == CRMW__PROG_ANSWER)
					crmw__buf_printf(&reasons, "%sprogram %zu (%s): answers '%.60s'", reasons.len ? "; " : "", i, fam,
							 x->answer);
				else if (x->why[0])
					crmw__buf_printf(&reasons, "%sprogram %zu (%s): %s", reasons.len ? "; " : "", i, fam, x->why);
			}
			snprintf(out->why, sizeof out->why, "%s: %s",
				 nr == 0 ? "no program" : left == 0 ? "no program fits" : agree ? "abstained" : "programs disagree",
				 reasons.data ? reasons.data : "no program for the family");
			break;
		}
		if (k == json_array_size(results)) {
			*out = first->next;
			out->explain = NULL; /* report's */
			out->arguments = first->next.arguments ? json_incref(first->next.arguments) : NULL;
			out->answer = first->next.answer ? crmw__strdup(first->next.answer) : NULL;
			if ((first->next.answer && !out->answer))
				rc = CRMW_ENOMEM;
			rc = rc ? rc : report(out, r, nr, first, kept, qw, said, around_said);
			break;
		}
		if (json_array_append((json_t *)sofar, json_array_get(results, k)))
			rc = CRMW_ENOMEM;
	}
	crmw_buf_dispose(&reasons);
	if (rc) { /* an error leaves nothing for the caller to release */
		crmw__prog_next_clear(out);
		out->kind = CRMW__PROG_ABSTAIN;
	}
	for (size_t i = 0; i < nr; i++)
		crmw__prog_next_clear(&r[i].next);
	free(r);
	json_decref(qw);
	json_decref(kept);
	json_decref(said);
	free(skip);
	json_decref(around_said);
	free(around);
	json_decref(names);
	json_decref(directed);
	json_decref(sofar);
	crmw__prog_ctx_dispose(&c);
	return rc;
}

/* ------------------------------------------------------------- pitfalls */

/* Whether a program of the family has a step calling `name` (with a literal
 * argument `key`, when key is not NULL): only such names are written into a
 * pitfall (a step whose arguments are all one expression names none). */
static bool program_tool(const json_t *lib, const char *family, const char *name, const char *key)
{
	size_t i, k;
	const json_t *p, *st;
	json_array_foreach(json_object_get(lib, "programs"), i, p) {
		const char *f = json_string_value(json_object_get(p, "family"));
		if (!f || !family || strcmp(f, family) != 0)
			continue;
		json_array_foreach(json_object_get(p, "steps"), k, st) {
			const char *n = json_string_value(json_object_get(st, "name"));
			const json_t *args = json_object_get(st, "arguments");
			if (!n || !name || strcmp(n, name) != 0)
				continue;
			if (!key)
				return true;
			if (key[0] != '$' && json_is_object(args) && !has_dollar_key(args) && json_object_get(args, key))
				return true;
		}
	}
	return false;
}

int crmw__induced_pitfall(crmw_buf *out, const json_t *lib, const json_t *task, const char *family, const json_t *calls,
			  const json_t *results, const char *answer)
{
	size_t n = json_array_size(calls);
	json_t *sofar = json_array(), *checks = crmw__induced_check(lib);
	if (!sofar || !checks) {
		json_decref(sofar);
		json_decref(checks);
		return CRMW_ENOMEM;
	}
	int rc = CRMW_OK;
	for (size_t k = 0; k <= n && !rc; k++) {
		crmw__prog_next nx;
		if ((rc = crmw__induced_next_checked(&nx, lib, checks, task, family, sofar)))
			break;
		const json_t *call = json_array_get(calls, k);
		const char *name = json_string_value(json_object_get(call, "name"));
		const char *said = program_tool(lib, family, name, NULL) ? name : "a tool the solved tasks never call";
		bool done = true;
		if (nx.kind == CRMW__PROG_ABSTAIN) {
			/* the programs do not know this task (or this turn): nothing to tell */
		} else if (k == n && !answer) {
			rc = crmw__buf_printf(out, "ended without an answer after %zu tool call%s", n, n == 1 ? "" : "s");
		} else if (k == n && nx.kind == CRMW__PROG_CALL) {
			rc = crmw__buf_printf(out, "answered after %zu tool call%s, before calling %s", n, n == 1 ? "" : "s", nx.name);
		} else if (k == n) {
			if (!nx.answer || strcmp(answer, nx.answer) != 0)
				rc = crmw__buf_printf(out, "answered otherwise than the answer rule after %zu tool call%s", n,
						      n == 1 ? "" : "s");
		} else if (nx.kind == CRMW__PROG_ANSWER) {
			rc = crmw__buf_printf(out, "went on with %s after call %zu, where the solved tasks answer", said, k);
		} else if (!name || strcmp(name, nx.name) != 0) {
			rc = crmw__buf_printf(out, "called %s as call %zu, where the solved tasks call %s", said, k + 1, nx.name);
		} else {
			/* the same tool: the arguments the programs compute that differ,
			 * named when a program of the family writes that key itself (the
			 * keys of a computed object are the episode's values) */
			const json_t *args = json_object_get(call, "arguments");
			const char *key;
			json_t *want;
			size_t nk = 0, named = 0;
			crmw_buf keys = CRMW_BUF_INIT;
			json_object_foreach(nx.arguments, key, want) {
				if (rc || json_equal(want, json_object_get(args, key)))
					continue;
				nk++;
				if (program_tool(lib, family, name, key))
					rc = crmw__buf_printf(&keys, "%s%s", named++ ? ", " : "", key);
			}
			if (!rc && named)
				rc = crmw__buf_printf(out, "called %s with another %s than the solved tasks compute (call %zu)", name,
						      keys.data, k + 1);
			else if (!rc && nk)
				rc = crmw__buf_printf(out, "called %s with other arguments than the solved tasks compute (call %zu)",
						      name, k + 1);
			crmw_buf_dispose(&keys);
			done = nk > 0;
		}
		crmw__prog_next_clear(&nx);
		if (done)
			break;
		if (!rc && json_array_append(sofar, json_array_get(results, k)))
			rc = CRMW_ENOMEM;
	}
	json_decref(sofar);
	json_decref(checks);
	return rc;
}
