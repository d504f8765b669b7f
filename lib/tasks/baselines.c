/*
 * lib/tasks/baselines.c: the shortcut baselines.  What answers that take a
 * shortcut instead of solving a task score on a set of tasks, each answer
 * scored with the task's own metric (docs/tasks.md, "Shortcut baselines"):
 *
 *   none              "None" to every task
 *   majority          the most frequent answer of the task's family in the
 *                     reference split (the task itself left out)
 *   refusal           a decline
 *   candidates        every candidate answer of the task's kind at once
 *   guess             the candidate most often the answer in the reference
 *                     split (one guess)
 *   guess_multi_turn  candidates one per turn, most frequent first, until
 *                     the simulated user ends the conversation
 *
 * Candidates: the closed vocabularies of exact_match (every US state code,
 * month, stage, BANT factor) for the families whose answers are of those
 * kinds; for id answers every id of the answer's object in the org (no
 * query needed), or with "candidates": "results" the ids of that object the
 * task's gold program's tool replies show (what following the task's tool
 * chain and listing instead of deciding gives); without an org the ids of
 * the reference answers; for free-text answers the reference answers; the
 * confidentiality probes have none.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"
#include "schema/internal.h"
#include "store/internal.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_NONE, P_MAJORITY, P_REFUSAL, P_CANDIDATES, P_GUESS, P_GUESS_MT, P_COUNT };

static const struct {
	const char *name, *description;
} POLICIES[P_COUNT] = {
	{"none", "answers None to every task"},
	{"majority", "answers the most frequent answer of the task's family in the reference split, the task itself "
		     "left out"},
	{"refusal", "declines every task"},
	{"candidates", "lists every candidate answer of the task's kind at once"},
	{"guess", "answers the candidate that was most often the answer in the reference split (one guess)"},
	{"guess_multi_turn", "guesses candidates one per turn, most frequent first, until the simulated user ends the "
			     "conversation"},
};

/* The refusal policy's answer: a decline (a negated verb of sharing) that
 * asserts no entity and says no None phrase. */
#define REFUSAL "I'm sorry, but I can't share that information."

/* What a family's candidates are. */
enum { C_NONE, C_VOCAB, C_ID, C_TEXT };
static const char *const KIND_NAMES[] = {"none", "vocabulary", "id", "text"};

/* Where a task's candidates came from. */
enum { S_VOCAB, S_GOLD, S_ORG, S_ANSWERS, S_NONE, S_COUNT };
static const char *const SOURCE_NAMES[] = {"vocabulary", "gold_results", "org", "answers", "none"};

/* The object whose ids answer each family with id answers.  A family not
 * listed (a host's own) takes the key prefixes of its gold ids. */
static const struct {
	const char *family, *object;
} ID_OBJECTS[] = {
	{"handle_time", "User"},
	{"transfer_count", "User"},
	{"case_routing", "User"},
	{"sales_amount_understanding", "User"},
	{"sales_cycle_understanding", "User"},
	{"conversion_rate_comprehension", "User"},
	{"lead_routing", "User"},
	{"named_entity_disambiguation", "Product2"},
	{"policy_violation_identification", "Knowledge__kav"},
	{"quote_approval", "Knowledge__kav"},
	{"invalid_config", "Knowledge__kav"},
	{"top_issue_identification", "Issue__c"},
	{"activity_priority", "Task"},
};

/* A family's reference answers and its counts. */
typedef struct fam {
	const char *name;     /* borrowed from a task of the set */
	const char *type;     /* the task type: names the vocabulary */
	int kind;             /* C_* */
	json_t *prefixes;     /* C_ID: key prefixes, strings of 3 characters */
	json_t *org_ids;      /* C_ID: the org's ids of those objects, loaded on first need */
	json_t *count;        /* answer key -> reference tasks with that answer */
	json_t *text;         /* answer key -> the answer as text */
	json_t *ecount;       /* entity (or whole text answer) -> reference tasks whose answer holds it */
	json_t *eorder;       /* the keys of ecount, first seen first */
	const char *best[2];  /* the two most frequent answer keys (count, then key order) */
	int64_t bestc[2];
	bool from_split;      /* the reference is the reference split (else every task of the family) */
	int64_t ref_tasks;    /* tasks in the reference */
	int64_t tasks, sources[S_COUNT], ncands;
	int64_t solved[P_COUNT];
	double score[P_COUNT];
} fam;

typedef struct bl {
	const crmw_task_set *ts;
	crmw_db *db;
	const char *ref_split;
	json_t *user;          /* options of the simulated user, or NULL */
	bool want[P_COUNT];
	bool answers;          /* per-task answers in the output */
	bool from_results;     /* id candidates from the gold program's replies (else the org's) */
	fam *fams;
	size_t nfams;
	crmw__gold_runner run;
	bool run_ready;
	json_t *per_task[P_COUNT]; /* with "answers": the per-task records */
} bl;

static int nomem(void)
{
	return crmw__errf(NULL, CRMW_ENOMEM, "out of memory computing baselines");
}

/* ------------------------------------------------------------- answers */

/* The key of an answer: its strings sorted, joined by a unit separator;
 * "" for None. */
static char *answer_key(const json_t *gold_list)
{
	size_t n = json_array_size(gold_list);
	const char **v = n ? malloc(n * sizeof *v) : NULL;
	if (n && !v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(gold_list, i));
	/* insertion sort: answers are short lists */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, "");
	for (size_t i = 0; !rc && i < n; i++) {
		if (i && strcmp(v[i - 1], v[i]) == 0)
			continue; /* a set */
		rc = (i ? crmw__buf_putc(&b, '\x1f') : CRMW_OK);
		rc = rc ? rc : crmw__buf_puts(&b, v[i]);
	}
	free(v);
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}

static bool better(int64_t ca, const char *ka, int64_t cb, const char *kb)
{
	return ca > cb || (ca == cb && kb && strcmp(ka, kb) < 0);
}

/* The family's two most frequent answers. */
static void find_best(fam *f)
{
	const char *k;
	json_t *v;
	f->best[0] = f->best[1] = NULL;
	f->bestc[0] = f->bestc[1] = 0;
	json_object_foreach(f->count, k, v) {
		int64_t c = json_integer_value(v);
		if (!f->best[0] || better(c, k, f->bestc[0], f->best[0])) {
			f->best[1] = f->best[0];
			f->bestc[1] = f->bestc[0];
			f->best[0] = k;
			f->bestc[0] = c;
		} else if (!f->best[1] || better(c, k, f->bestc[1], f->best[1])) {
			f->best[1] = k;
			f->bestc[1] = c;
		}
	}
}

/* The majority answer for a task whose own answer key is `own` (counted in
 * the reference when `in_ref`): the most frequent reference answer once the
 * task itself is left out; "None" when nothing is left. */
static const char *majority_text(const fam *f, const char *own, bool in_ref)
{
	const char *k = f->best[0];
	int64_t c = f->bestc[0];
	if (k && in_ref && strcmp(k, own) == 0) {
		c--;
		if (f->best[1] && !better(c, k, f->bestc[1], f->best[1])) {
			k = f->best[1];
			c = f->bestc[1];
		}
	}
	if (!k || c <= 0)
		return "None";
	return json_string_value(json_object_get(f->text, k));
}

/* ------------------------------------------------------------ families */

static fam *fam_of(bl *b, const char *name)
{
	for (size_t i = 0; i < b->nfams; i++)
		if (strcmp(b->fams[i].name, name) == 0)
			return &b->fams[i];
	return NULL;
}

static const char *id_object(const char *family)
{
	for (size_t i = 0; i < CRMW_ARRAY_LEN(ID_OBJECTS); i++)
		if (strcmp(ID_OBJECTS[i].family, family) == 0)
			return ID_OBJECTS[i].object;
	return NULL;
}

static int add_prefix(fam *f, const char *id)
{
	char p[4];
	memcpy(p, id, 3);
	p[3] = '\0';
	size_t i;
	json_t *v;
	json_array_foreach(f->prefixes, i, v) {
		if (strcmp(json_string_value(v), p) == 0)
			return CRMW_OK;
	}
	return json_array_append_new(f->prefixes, json_string(p)) ? nomem() : CRMW_OK;
}

static bool is_id18(const char *s)
{
	return s && strlen(s) == 18 && crmw__is_id_token(s, 18);
}

/* Make the family of every evaluated task: its kind, and the prefixes of
 * its id answers. */
static int make_fams(bl *b, const int64_t *eval, size_t neval)
{
	b->fams = calloc(neval ? neval : 1, sizeof *b->fams);
	if (!b->fams)
		return nomem();
	for (size_t e = 0; e < neval; e++) {
		const json_t *t = json_array_get(b->ts->tasks, (size_t)eval[e]);
		const char *name = crmw__task_family(t);
		if (fam_of(b, name))
			continue;
		fam *f = &b->fams[b->nfams++];
		f->name = name;
		f->type = name;
		const char *metric = json_string_value(json_object_get(t, "reward_metric"));
		if (metric && strcmp(metric, "privacy_rejection") == 0)
			f->kind = C_NONE;
		else if (metric && strcmp(metric, "fuzzy_match") == 0)
			f->kind = C_TEXT;
		else
			f->kind = crmw__answer_vocab(name, 0) ? C_VOCAB : C_ID;
		f->prefixes = json_array();
		f->count = json_object();
		f->text = json_object();
		f->ecount = json_object();
		f->eorder = json_array();
		if (!f->prefixes || !f->count || !f->text || !f->ecount || !f->eorder)
			return nomem();
		if (f->kind != C_ID)
			continue;
		const char *obj = id_object(name);
		const crmw_object *o = obj && b->db ? crmw__schema_object(b->db->schema, obj) : NULL;
		if (o && add_prefix(f, o->key_prefix))
			return nomem();
	}
	/* the prefixes of the gold ids of every task of the family (the kind of
	 * an answer is no secret: the question says what it asks for) */
	size_t i;
	json_t *t;
	json_array_foreach(b->ts->tasks, i, t) {
		fam *f = fam_of(b, crmw__task_family(t));
		if (!f || f->kind != C_ID)
			continue;
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(t, "answer"), k, a) {
			if (is_id18(json_string_value(a)) && add_prefix(f, json_string_value(a)))
				return nomem();
		}
	}
	return CRMW_OK;
}

static bool in_reference(const bl *b, const fam *f, const json_t *t)
{
	if (!f->from_split)
		return true;
	const char *s = json_string_value(json_object_get(t, "split"));
	return s && strcmp(s, b->ref_split) == 0;
}

static int count_entity(fam *f, const char *e)
{
	json_t *c = json_object_get(f->ecount, e);
	if (c)
		return json_integer_set(c, json_integer_value(c) + 1) ? nomem() : CRMW_OK;
	if (json_object_set_new(f->ecount, e, json_integer(1)) || json_array_append_new(f->eorder, json_string(e)))
		return nomem();
	return CRMW_OK;
}

/* Count the reference answers of every family. */
static int count_reference(bl *b)
{
	size_t i;
	json_t *t;
	/* a family takes the reference split when it has a task in it */
	json_array_foreach(b->ts->tasks, i, t) {
		fam *f = fam_of(b, crmw__task_family(t));
		const char *s = json_string_value(json_object_get(t, "split"));
		if (f && s && strcmp(s, b->ref_split) == 0)
			f->from_split = true;
	}
	json_array_foreach(b->ts->tasks, i, t) {
		fam *f = fam_of(b, crmw__task_family(t));
		if (!f || !in_reference(b, f, t))
			continue;
		f->ref_tasks++;
		json_t *gl = crmw__gold_list(json_object_get(t, "answer"));
		char *key = gl ? answer_key(gl) : NULL;
		char *text = gl ? crmw__answer_text(gl) : NULL;
		int rc = key && text ? CRMW_OK : nomem();
		json_t *c = rc ? NULL : json_object_get(f->count, key);
		if (!rc && c)
			rc = json_integer_set(c, json_integer_value(c) + 1) ? nomem() : CRMW_OK;
		else if (!rc && (json_object_set_new(f->count, key, json_integer(1)) ||
				 json_object_set_new(f->text, key, json_string(text))))
			rc = nomem();
		/* entities once per task */
		size_t k;
		json_t *a;
		json_array_foreach(rc ? NULL : gl, k, a) {
			const char *e = json_string_value(a);
			bool again = false;
			for (size_t j = 0; j < k && !again; j++)
				again = strcmp(json_string_value(json_array_get(gl, j)), e) == 0;
			if (!again)
				rc = count_entity(f, e);
			if (rc)
				break;
		}
		json_decref(gl);
		free(key);
		free(text);
		if (rc)
			return rc;
	}
	for (size_t k = 0; k < b->nfams; k++)
		find_best(&b->fams[k]);
	return CRMW_OK;
}

/* ---------------------------------------------------------- candidates */

static bool has_prefix(const fam *f, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(f->prefixes, i, v) {
		if (memcmp(json_string_value(v), s, 3) == 0)
			return true;
	}
	return false;
}

/* Add the ids of the family's objects in a text (once each, in order). */
static int ids_in_text(const fam *f, const char *s, json_t *out, json_t *seen)
{
	while (*s) {
		while (*s && !isalnum((unsigned char)*s))
			s++;
		const char *w = s;
		while (isalnum((unsigned char)*s))
			s++;
		size_t n = (size_t)(s - w);
		if (n != 18 || !crmw__is_id_token(w, n) || !has_prefix(f, w))
			continue;
		char id[19];
		memcpy(id, w, 18);
		id[18] = '\0';
		if (json_object_get(seen, id))
			continue;
		if (json_object_set_new(seen, id, json_true()) || json_array_append_new(out, json_string(id)))
			return nomem();
	}
	return CRMW_OK;
}

/* The ids of a tool result (its strings and keys).  Results are the
 * library's own tool replies, parsed with the reader's depth limit; the
 * walk stops at 64 levels anyway. */
static int ids_in_json(const fam *f, const json_t *v, json_t *out, json_t *seen, int depth)
{
	if (depth > 64)
		return CRMW_OK;
	int rc = CRMW_OK;
	if (json_is_string(v))
		return ids_in_text(f, json_string_value(v), out, seen);
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if ((rc = ids_in_json(f, x, out, seen, depth + 1)))
				break;
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			rc = ids_in_text(f, k, out, seen);
			rc = rc ? rc : ids_in_json(f, x, out, seen, depth + 1);
			if (rc)
				break;
		}
	}
	return rc;
}

/* The org's ids of the family's objects, in the order they were made. */
static int load_org_ids(bl *b, fam *f)
{
	if (f->org_ids)
		return CRMW_OK;
	if (!(f->org_ids = json_array()))
		return nomem();
	size_t i;
	json_t *p;
	json_array_foreach(f->prefixes, i, p) {
		const crmw_object *o = crmw__schema_object_by_prefix(b->db->schema, json_string_value(p));
		if (!o)
			continue;
		crmw_buf sql = CRMW_BUF_INIT;
		int rc = crmw__buf_printf(&sql, "SELECT Id FROM \"%s\" ORDER BY rowid", o->name);
		sqlite3_stmt *st = NULL;
		int src = rc ? SQLITE_NOMEM : sqlite3_prepare_v2(b->db->sql, sql.data, -1, &st, NULL);
		crmw_buf_dispose(&sql);
		if (src != SQLITE_OK)
			return crmw__db_sqlerr(b->db, src, "reading the candidate ids");
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			if (id && json_array_append_new(f->org_ids, json_string(id))) {
				sqlite3_finalize(st);
				return nomem();
			}
		}
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			return crmw__db_sqlerr(b->db, src, "reading the candidate ids");
	}
	return CRMW_OK;
}

/* The candidates of task t (a new array, in the family's order) and where
 * they came from. */
static int task_candidates(bl *b, fam *f, const json_t *t, json_t **out, int *source)
{
	json_t *c = json_array();
	if (!c)
		return nomem();
	*out = c;
	int rc = CRMW_OK;
	size_t i;
	json_t *v;
	switch (f->kind) {
	case C_NONE:
		*source = S_NONE;
		return CRMW_OK;
	case C_VOCAB:
		*source = S_VOCAB;
		for (size_t k = 0; !rc && crmw__answer_vocab(f->type, k); k++)
			rc = json_array_append_new(c, json_string(crmw__answer_vocab(f->type, k))) ? nomem() : CRMW_OK;
		return rc;
	case C_TEXT:
		*source = S_ANSWERS;
		json_array_foreach(f->eorder, i, v) {
			if (json_array_append(c, v))
				return nomem();
		}
		return CRMW_OK;
	default:
		break;
	}
	/* ids: with "candidates": "results", what the task's own tool chain shows */
	if (b->from_results && b->db && json_array_size(json_object_get(t, "gold")) > 0) {
		if (!b->run_ready) {
			if ((rc = crmw__gold_runner_init(&b->run, b->db)))
				return rc;
			b->run_ready = true;
		}
		json_t *rep = NULL, *results = NULL;
		rc = crmw__gold_run_results(&b->run, t, &rep, NULL, &results);
		bool ok = !rc && json_is_true(json_object_get(rep, "ok"));
		json_t *seen = ok ? json_object() : NULL;
		if (ok && !seen)
			rc = nomem();
		if (ok && !rc)
			rc = ids_in_json(f, results, c, seen, 0);
		json_decref(seen);
		json_decref(rep);
		json_decref(results);
		if (rc || ok) {
			*source = S_GOLD;
			return rc;
		}
	}
	if (b->db) {
		*source = S_ORG;
		if ((rc = load_org_ids(b, f)))
			return rc;
		json_array_foreach(f->org_ids, i, v) {
			if (json_array_append(c, v))
				return nomem();
		}
		return CRMW_OK;
	}
	*source = S_ANSWERS;
	json_array_foreach(f->eorder, i, v) {
		if (json_array_append(c, v))
			return nomem();
	}
	return CRMW_OK;
}

typedef struct ranked {
	const char *s;
	int64_t count;
	size_t at;
} ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->at < b->at ? -1 : a->at > b->at;
}

/* The candidates ordered for guessing: by how many reference tasks they
 * answer (the task itself left out when it is in the reference), then in
 * their own order.  With `drop_unseen` (candidates read from the reference
 * answers), those that only the task itself gave are dropped: they would be
 * its own answer.  A new array. */
static json_t *guess_order(const fam *f, const json_t *cands, const json_t *own, bool in_ref, bool drop_unseen)
{
	size_t n = json_array_size(cands);
	ranked *r = malloc((n ? n : 1) * sizeof *r);
	json_t *out = json_array();
	if (!r || !out) {
		free(r);
		json_decref(out);
		return NULL;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(cands, i));
		int64_t c = json_integer_value(json_object_get(f->ecount, s));
		if (in_ref && crmw__listed(own, s))
			c--;
		if (drop_unseen && c <= 0)
			continue;
		r[m++] = (ranked){s, c, i};
	}
	qsort(r, m, sizeof *r, ranked_cmp);
	for (size_t i = 0; i < m; i++) {
		if (json_array_append_new(out, json_string(r[i].s))) {
			json_decref(out);
			out = NULL;
			break;
		}
	}
	free(r);
	return out;
}

/* ------------------------------------------------------------- scoring */

static int score_single(double *score, const json_t *t, const char *answer)
{
	json_t *msgs = json_pack("[{s:s, s:s}]", "role", "user", "content", json_string_value(json_object_get(t, "query")));
	if (!msgs)
		return nomem();
	int rc = crmw__task_reward(score, NULL, t, answer, msgs, NULL, NULL);
	json_decref(msgs);
	return rc;
}

/* Guess one candidate per turn with the simulated user of task i until it
 * ends the conversation; score the last answer as an episode would.
 * `said` receives the agent's messages. */
static int guess_episode(bl *b, int64_t i, const json_t *t, const json_t *guesses, double *score, json_t *said)
{
	crmw_user_sim *u = NULL;
	char *uo = b->user ? json_dumps(b->user, JSON_COMPACT) : NULL;
	if (b->user && !uo)
		return nomem();
	int rc = crmw_user_sim_new(&u, b->ts, i, uo);
	free(uo);
	if (rc)
		return rc;
	json_t *msgs = json_array();
	crmw_buf reply = CRMW_BUF_INIT;
	rc = msgs ? crmw_user_sim_reply(&reply, u, NULL) : nomem();
	if (!rc && json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "user", "content", reply.data)))
		rc = nomem();
	size_t n = json_array_size(guesses);
	const char *last = "None";
	/* the user ends the talk by max_turns; the bound only guards against a
	 * host user that never does */
	for (size_t k = 0; !rc && k < 100000; k++) {
		last = n ? json_string_value(json_array_get(guesses, k < n ? k : n - 1)) : "None";
		if (json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "assistant", "content", last)) ||
		    json_array_append_new(said, json_string(last))) {
			rc = nomem();
			break;
		}
		rc = crmw_user_sim_reply(&reply, u, last);
		if (rc == CRMW_ECANCELED) {
			rc = CRMW_OK;
			break;
		}
		if (rc || crmw_user_sim_done(u))
			break;
		if (json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "user", "content", reply.data)))
			rc = nomem();
	}
	if (!rc)
		rc = crmw__task_reward(score, NULL, t, last, msgs, NULL, NULL);
	crmw_buf_dispose(&reply);
	json_decref(msgs);
	crmw_user_sim_free(u);
	return rc;
}

static const char *task_id(const json_t *t, char *buf, size_t n, int64_t i)
{
	const char *id = json_string_value(json_object_get(t, "id"));
	if (id)
		return id;
	const json_t *idx = json_object_get(t, "idx");
	snprintf(buf, n, "%lld", (long long)(json_is_integer(idx) ? json_integer_value(idx) : i));
	return buf;
}

static int record(bl *b, fam *f, int p, double score, const json_t *t, int64_t i, const char *answer, json_t *said)
{
	f->score[p] += score;
	f->solved[p] += score >= 1.0;
	if (!b->answers)
		return CRMW_OK;
	char buf[32];
	json_t *r = json_pack("{s:s, s:s, s:s, s:f}", "task_id", task_id(t, buf, sizeof buf, i), "family", f->name,
			      "answer", answer, "score", score);
	if (r && said)
		json_object_set(r, "said", said);
	if (!r || json_array_append_new(b->per_task[p], r))
		return nomem();
	return CRMW_OK;
}

/* Every policy on task i. */
static int eval_task(bl *b, int64_t i)
{
	const json_t *t = json_array_get(b->ts->tasks, (size_t)i);
	fam *f = fam_of(b, crmw__task_family(t));
	f->tasks++;
	bool in_ref = in_reference(b, f, t);
	json_t *own = crmw__gold_list(json_object_get(t, "answer"));
	char *key = own ? answer_key(own) : NULL;
	json_t *cands = NULL, *order = NULL, *said = NULL;
	char *listed = NULL;
	int source = S_NONE, rc = key ? CRMW_OK : nomem();
	double s = 0;
	if (!rc && b->want[P_NONE] && !(rc = score_single(&s, t, "None")))
		rc = record(b, f, P_NONE, s, t, i, "None", NULL);
	if (!rc && b->want[P_REFUSAL] && !(rc = score_single(&s, t, REFUSAL)))
		rc = record(b, f, P_REFUSAL, s, t, i, REFUSAL, NULL);
	if (!rc && b->want[P_MAJORITY]) {
		const char *m = majority_text(f, key, in_ref);
		if (!(rc = score_single(&s, t, m)))
			rc = record(b, f, P_MAJORITY, s, t, i, m, NULL);
	}
	bool need = b->want[P_CANDIDATES] || b->want[P_GUESS] || b->want[P_GUESS_MT];
	if (!rc && need && !(rc = task_candidates(b, f, t, &cands, &source))) {
		f->sources[source]++;
		order = guess_order(f, cands, own, in_ref, source == S_ANSWERS);
		if (!order)
			rc = nomem();
		/* answers that only this task gave are not its candidates */
		json_t *shown = source == S_ANSWERS ? order : cands;
		f->ncands += (int64_t)json_array_size(shown);
		listed = rc ? NULL : crmw__answer_text(shown);
		if (!rc && !listed)
			rc = nomem();
	}
	if (!rc && b->want[P_CANDIDATES] && !(rc = score_single(&s, t, listed)))
		rc = record(b, f, P_CANDIDATES, s, t, i, listed, NULL);
	if (!rc && b->want[P_GUESS]) {
		const char *g = json_array_size(order) ? json_string_value(json_array_get(order, 0)) : "None";
		if (!(rc = score_single(&s, t, g)))
			rc = record(b, f, P_GUESS, s, t, i, g, NULL);
	}
	if (!rc && b->want[P_GUESS_MT]) {
		said = json_array();
		rc = said ? guess_episode(b, i, t, order, &s, said) : nomem();
		if (!rc)
			rc = record(b, f, P_GUESS_MT, s, t, i,
				    json_string_value(json_array_get(said, json_array_size(said) - 1)), said);
	}
	json_decref(own);
	json_decref(cands);
	json_decref(order);
	json_decref(said);
	free(key);
	free(listed);
	return rc;
}

/* ------------------------------------------------------------- options */

static int read_options(bl *b, const char *options_json, json_t **opts)
{
	static const char *const keys[] = {"task_ids", "split",	  "reference_split", "policies",
					   "user",     "answers", "candidates"};
	int rc = crmw__json_options(opts, NULL, options_json, "baseline options", keys, CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	json_t *o = *opts;
	const json_t *v;
	if ((v = json_object_get(o, "task_ids")) && !json_is_array(v))
		return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"task_ids\" must be an array of task ids");
	if ((v = json_object_get(o, "split")) && !json_is_string(v))
		return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"split\" must be a string");
	if ((v = json_object_get(o, "reference_split")) && !json_is_string(v))
		return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"reference_split\" must be a string");
	b->ref_split = (v = json_object_get(o, "reference_split")) ? json_string_value(v) : "train";
	if ((v = json_object_get(o, "user")) && !json_is_object(v))
		return crmw__errf(NULL, CRMW_EINVALID,
				  "baseline options: \"user\" must be an object of simulated-user options "
				  "({\"mode\", \"seed\", \"max_turns\"})");
	b->user = (json_t *)v;
	if ((v = json_object_get(o, "answers")) && !json_is_boolean(v))
		return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"answers\" must be true or false");
	b->answers = json_is_true(v);
	v = json_object_get(o, "candidates");
	if (v && (!json_is_string(v) || (strcmp(json_string_value(v), "org") && strcmp(json_string_value(v), "results"))))
		return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"candidates\" must be \"org\" or \"results\"");
	b->from_results = v && strcmp(json_string_value(v), "results") == 0;
	v = json_object_get(o, "policies");
	if (v && !json_is_array(v) && !json_is_string(v))
		return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"policies\" must be a list of names");
	/* every name listed must be a policy */
	json_t *names = json_is_string(v) ? json_array() : json_incref((json_t *)v);
	for (const char *s = json_string_value(v); names && s && *s;) {
		size_t len = strcspn(s, ",");
		const char *w = s;
		size_t wn = len;
		while (wn && *w == ' ')
			w++, wn--;
		while (wn && w[wn - 1] == ' ')
			wn--;
		if (wn && json_array_append_new(names, json_stringn(w, wn)))
			break;
		s += len + (s[len] == ',');
	}
	if (v && !names)
		return nomem();
	size_t i;
	json_t *x;
	int rc2 = CRMW_OK;
	json_array_foreach(names, i, x) {
		int p = 0;
		while (p < P_COUNT && !(json_is_string(x) && strcmp(json_string_value(x), POLICIES[p].name) == 0))
			p++;
		if (p == P_COUNT) {
			rc2 = crmw__errf(NULL, CRMW_EINVALID,
					 "baseline options: unknown policy '%.64s' in \"policies\" (known: none, majority, "
					 "refusal, candidates, guess, guess_multi_turn)",
					 json_is_string(x) ? json_string_value(x) : "(not a string)");
			break;
		}
		b->want[p] = true;
	}
	json_decref(names);
	if (!v)
		for (int p = 0; p < P_COUNT; p++)
			b->want[p] = true;
	return rc2;
}

/* The tasks to evaluate: "task_ids" (in order, repeats kept) or every task,
 * then only those of "split". */
static int evaluated(const bl *b, const json_t *o, int64_t **out, size_t *n)
{
	const json_t *ids = json_object_get(o, "task_ids");
	const char *split = json_string_value(json_object_get(o, "split"));
	size_t cap = ids ? json_array_size(ids) : json_array_size(b->ts->tasks);
	int64_t *v = malloc((cap ? cap : 1) * sizeof *v);
	if (!v)
		return nomem();
	size_t m = 0;
	for (size_t k = 0; k < cap; k++) {
		int64_t i = (int64_t)k;
		if (ids) {
			const json_t *id = json_array_get(ids, k);
			char buf[32];
			const char *s = json_string_value(id);
			if (json_is_integer(id)) {
				snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(id));
				s = buf;
			}
			if (!s) {
				free(v);
				return crmw__errf(NULL, CRMW_EINVALID, "baseline options: \"task_ids\" holds a value that is "
								      "not a task id");
			}
			int rc = crmw_task_set_find(&i, b->ts, s);
			if (rc) {
				free(v);
				return crmw__errf(NULL, rc, "baseline options: no task with id or idx '%.200s' in the set", s);
			}
		}
		const char *sp = json_string_value(json_object_get(json_array_get(b->ts->tasks, (size_t)i), "split"));
		if (split && (!sp || strcmp(sp, split) != 0))
			continue;
		v[m++] = i;
	}
	*out = v;
	*n = m;
	return CRMW_OK;
}

/* -------------------------------------------------------------- output */

static json_t *output(const bl *b, size_t neval)
{
	json_t *o = json_pack("{s:i, s:I, s:s, s:s, s:O?, s:[], s:{}}", "schema_version", 1, "tasks", (json_int_t)neval,
			      "reference_split", b->ref_split, "candidates", b->from_results ? "results" : "org", "user",
			      b->user, "baselines", "families");
	if (!o)
		return NULL;
	json_t *list = json_object_get(o, "baselines"), *fams = json_object_get(o, "families");
	for (int p = 0; p < P_COUNT; p++) {
		if (!b->want[p])
			continue;
		double sum = 0;
		int64_t solved = 0;
		json_t *pf = json_object();
		for (size_t k = 0; pf && k < b->nfams; k++) {
			const fam *f = &b->fams[k];
			sum += f->score[p];
			solved += f->solved[p];
			json_object_set_new(pf, f->name,
					    json_pack("{s:f, s:I, s:I}", "score", f->tasks ? f->score[p] / (double)f->tasks : 0.0,
						      "solved", (json_int_t)f->solved[p], "tasks", (json_int_t)f->tasks));
		}
		json_t *e = json_pack("{s:s, s:s, s:f, s:I, s:I, s:o*}", "name", POLICIES[p].name, "description",
				      POLICIES[p].description, "score", neval ? sum / (double)neval : 0.0, "solved",
				      (json_int_t)solved, "tasks", (json_int_t)neval, "families", pf);
		if (e && p == P_GUESS_MT) {
			/* the user it guessed against: the defaults of crmw_user_sim_new, then the options */
			json_t *u = json_pack("{s:s, s:i, s:i}", "mode", "persona", "seed", 0, "max_turns", 10);
			if (!u || (b->user && json_object_update(u, b->user)) || json_object_set_new(e, "user", u)) {
				json_decref(e);
				e = NULL;
			}
		}
		if (e && b->answers)
			json_object_set(e, "answers", b->per_task[p]);
		if (!e || json_array_append_new(list, e)) {
			json_decref(o);
			return NULL;
		}
	}
	for (size_t k = 0; k < b->nfams; k++) {
		const fam *f = &b->fams[k];
		json_t *src = json_object();
		for (int s = 0; src && s < S_COUNT; s++)
			if (f->sources[s])
				json_object_set_new(src, SOURCE_NAMES[s], json_integer(f->sources[s]));
		int64_t nsrc = 0;
		for (int s = 0; s < S_COUNT; s++)
			nsrc += f->sources[s];
		json_t *e = json_pack("{s:I, s:s, s:{s:s, s:I}, s:s, s:{s:o*, s:f}}", "tasks", (json_int_t)f->tasks, "kind",
				      KIND_NAMES[f->kind], "reference", "from", f->from_split ? b->ref_split : "all",
				      "tasks", (json_int_t)f->ref_tasks, "majority", majority_text(f, "", false),
				      "candidates", "sources", src, "mean", nsrc ? (double)f->ncands / (double)nsrc : 0.0);
		if (!e || json_object_set_new(fams, f->name, e)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* -------------------------------------------------------------- public */

int crmw_task_set_baselines(crmw_buf *out, const crmw_task_set *ts, crmw_db *db, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !ts);
	bl b;
	memset(&b, 0, sizeof b);
	b.ts = ts;
	b.db = db;
	json_t *opts = NULL;
	int64_t *eval = NULL;
	size_t neval = 0;
	int rc = read_options(&b, options_json, &opts);
	rc = rc ? rc : evaluated(&b, opts, &eval, &neval);
	for (int p = 0; !rc && p < P_COUNT; p++)
		if (b.answers && !(b.per_task[p] = json_array()))
			rc = nomem();
	rc = rc ? rc : make_fams(&b, eval, neval);
	rc = rc ? rc : count_reference(&b);
	for (size_t e = 0; !rc && e < neval; e++)
		rc = eval_task(&b, eval[e]);
	json_t *o = rc ? NULL : output(&b, neval);
	if (!rc && !o)
		rc = nomem();
	crmw_buf text = CRMW_BUF_INIT;
	rc = rc ? rc : crmw__json_write(&text, o);
	if (!rc) {
		crmw_buf_dispose(out);
		*out = text;
	} else {
		crmw_buf_dispose(&text);
	}
	json_decref(o);
	for (size_t k = 0; k < b.nfams; k++) {
		fam *f = &b.fams[k];
		json_decref(f->prefixes);
		json_decref(f->org_ids);
		json_decref(f->count);
		json_decref(f->text);
		json_decref(f->ecount);
		json_decref(f->eorder);
	}
	free(b.fams);
	for (int p = 0; p < P_COUNT; p++)
		json_decref(b.per_task[p]);
	if (b.run_ready)
		crmw__gold_runner_dispose(&b.run);
	free(eval);
	json_decref(opts);
	return rc;
}
