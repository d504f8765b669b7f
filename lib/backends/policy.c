/*
 * lib/backends/policy.c: the memory policy, a backend that answers from shared
 * memories alone.  On an episode's first turn it searches the store for
 * guidelines with plans, keeps the first that is corroborated (at least
 * `min_support` solved tasks followed the same plan), whose answer comes
 * from the task or from a result, and whose slots all align with the new
 * task's entities; each turn then replays the next step as a tool call
 * (ids "plan_<memory id>_<step>"), its arguments resolved from the task's
 * entities and the earlier results read back from the conversation.  The
 * policy keeps no state between turns: everything is in the request (it
 * only caches the program entries it read, until the store changes).
 * Without a confident plan it abstains, or hands the request to the
 * fallback backend (a plan cache in front of a model).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "backends/internal.h"
#include "memory/internal.h"
#include "tasks/internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct policy {
	crmw_memory *mem;
	crmw__backend_ref *fallback;
	int k, min_support, max_new_words;
	double min_score, margin;
	bool same_family, programs;
	bool free_text; /* learned rules also for families whose answers read free text */
	/* the program entries of the scopes read so far, parsed (load_programs):
	 * scope -> {"entries": {id: {"seq", "family", "library", "examples"}},
	 * "merged": {"*" | "f:" family: {"lib", "hash", "entry", "examples"}}};
	 * under cache_mu */
	pthread_mutex_t cache_mu;
	json_t *cache;
} policy;

static void policy_destroy(void *ud)
{
	policy *p = ud;
	if (!p)
		return;
	crmw__backend_unref(p->fallback);
	json_decref(p->cache);
	pthread_mutex_destroy(&p->cache_mu);
	free(p);
}

/* Whether the policy may use a rule learned in `family` (an entry's, or the
 * task's): not for a family whose answers need reading free text unless
 * the option "free_text" is on (crmw__family_reads_text). */
static bool rule_allowed(const policy *p, const char *family)
{
	return p->free_text || !crmw__family_reads_text(family);
}

/* The request's messages and what the policy did in them so far. */
typedef struct progress {
	char program[17]; /* "": no program started; else the hash of the programs it follows */
	int64_t memory_id; /* 0: the policy has not started a plan */
	size_t steps_done;
	bool foreign; /* an assistant message the policy did not write */
	json_t *results; /* the results of the plan's steps, in order */
	char why[400];   /* when a result cannot be read */
} progress;

static void read_progress(progress *pg, const json_t *messages)
{
	memset(pg, 0, sizeof *pg);
	pg->results = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (!role || strcmp(role, "assistant") != 0)
			continue;
		const char *id = json_string_value(
			json_object_get(json_array_get(json_object_get(m, "tool_calls"), 0), "id"));
		long long mid = 0;
		size_t step = 0;
		char hash[17] = "";
		if (id && sscanf(id, "prog_%16[0-9a-f]_%zu", hash, &step) == 2 && strlen(hash) == 16 && !pg->memory_id &&
		    (!pg->program[0] || strcmp(hash, pg->program) == 0) && step == pg->steps_done) {
			memcpy(pg->program, hash, sizeof hash);
		} else if (!id || sscanf(id, "plan_%lld_%zu", &mid, &step) != 2 || pg->program[0] ||
			   (pg->memory_id && mid != pg->memory_id) || step != pg->steps_done) {
			pg->foreign = true;
			continue;
		} else {
			pg->memory_id = mid;
		}
		pg->steps_done++;
		/* its result: the tool message answering the call */
		const json_t *res = NULL;
		for (size_t k = i + 1; k < json_array_size(messages) && !res; k++) {
			const json_t *t = json_array_get(messages, k);
			const char *tid = json_string_value(json_object_get(t, "tool_call_id"));
			if (tid && strcmp(tid, id) == 0)
				res = json_object_get(t, "content");
		}
		json_t *v = NULL;
		const char *text = json_string_value(res);
		if (text && crmw__json_parse(text, strlen(text), &v, NULL) == CRMW_OK) {
			json_array_append_new(pg->results, v);
		} else {
			if (!pg->why[0])
				snprintf(pg->why, sizeof pg->why, "step %zu's result is not JSON (the call failed or was cut): %.200s",
					 step + 1, text ? text : "no result");
			json_array_append_new(pg->results, json_null());
		}
	}
}

/* ---------------------------------------------------------- choosing plans */

typedef struct choice {
	int64_t id;
	double score;
	int64_t support;
	json_t *plan;
	json_t *bindings;
	bool free_text; /* the plan or the task is of a family whose answers read free text */
} choice;

static int64_t support_of(const json_t *hit)
{
	json_int_t s = json_integer_value(json_object_get(json_object_get(hit, "metadata"), "support"));
	return s > 1 ? s : 1;
}

/* Mark the results a value refers to. */
static void mark_refs(const json_t *v, bool *used, size_t n)
{
	if (json_is_object(v)) {
		const char *ref = json_string_value(json_object_get(v, "$ref"));
		if (ref && ref[0] == '/') {
			long i = strtol(ref + 1, NULL, 10);
			if (i >= 0 && (size_t)i < n)
				used[i] = true;
		}
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) mark_refs(x, used, n);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) mark_refs(x, used, n);
	}
}

/* Why a plan cannot be replayed as it is, or NULL. */
static const char *unreplayable(const json_t *plan)
{
	const json_t *steps = json_object_get(plan, "steps");
	size_t n = json_array_size(steps);
	const char *last = json_string_value(json_object_get(json_array_get(steps, n ? n - 1 : 0), "name"));
	if (n == 0 || !last || strcmp(last, "respond") != 0)
		return "it does not end with an answer";
	const char *src = json_string_value(json_object_get(plan, "answer_source"));
	if (src && strcmp(src, "literal") == 0 && n > 1)
		return "its answer was reasoned from the results, not read from one";
	char *text = json_dumps(steps, JSON_COMPACT);
	bool left_out = !text || strstr(text, "\"$redacted\"");
	free(text);
	if (left_out)
		return "values of the task it was learned from were left out of it (a customer's episode)";
	/* Every result must flow into a later call or the answer: a result
	 * nothing takes was read by the model, whose reasoning the plan does not
	 * hold (an answer that happened to sit at the same place). */
	bool used[64] = {false};
	if (n > 64)
		return "it has more than 64 steps";
	size_t i;
	json_t *st;
	json_array_foreach(steps, i, st) mark_refs(json_object_get(st, "arguments"), used, n);
	for (i = 0; i + 1 < n; i++)
		if (!used[i])
			return "a call's result flows into nothing: the answer was reasoned from it";
	return NULL;
}

/* A shape without the paths of its references: what a plan calls and with
 * which constants, whatever the place its values come from. */
static char *skeleton(const char *shape)
{
	static const char key[] = "\"$ref\":\"";
	crmw_buf b = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (const char *p = shape; *p && !rc;) {
		const char *r = strstr(p, key);
		if (!r) {
			rc = crmw__buf_puts(&b, p);
			break;
		}
		rc = crmw__buf_append(&b, p, (size_t)(r - p) + sizeof key - 1);
		rc = rc ? rc : crmw__buf_putc(&b, '*');
		p = r + sizeof key - 1;
		while (*p && *p != '"')
			p += *p == '\\' && p[1] ? 2 : 1;
	}
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data ? b.data : crmw__strdup("");
}

/* The next word (letters only, lower case, 3 or more) of *p, or 0. */
static size_t next_word(const char **p, char *w, size_t cap)
{
	const char *s = *p;
	for (;;) {
		while (*s && !isalpha((unsigned char)*s))
			s++;
		if (!*s) {
			*p = s;
			return 0;
		}
		const char *b = s;
		while (isalnum((unsigned char)*s) || *s == '\'')
			s++;
		size_t n = (size_t)(s - b);
		bool letters = true;
		for (size_t k = 0; k < n; k++)
			letters = letters && (isalpha((unsigned char)b[k]) || b[k] == '\'');
		if (n >= 3 && n < cap && letters) {
			for (size_t k = 0; k < n; k++)
				w[k] = (char)tolower((unsigned char)b[k]);
			w[n] = '\0';
			*p = s;
			return n;
		}
	}
}

static bool has_word(const char *text, const char *word)
{
	char w[64];
	const char *p = text ? text : "";
	while (next_word(&p, w, sizeof w))
		if (strcmp(w, word) == 0)
			return true;
	return false;
}

/* How many words of the task's query appear in no query of the guidelines
 * with the same skeleton as hit `i` (entities aside); `out` lists some. */
static int new_words(const json_t *task, const json_t *bindings, const json_t *hits, char **skel, size_t i, char *out,
		     size_t cap)
{
	const char *query = json_string_value(json_object_get(task, "query"));
	char w[64];
	int unseen = 0;
	size_t used = 0;
	out[0] = '\0';
	for (const char *p = query ? query : ""; next_word(&p, w, sizeof w);) {
		const char *k;
		json_t *v;
		bool entity = false;
		json_object_foreach((json_t *)bindings, k, v) entity = entity || has_word(json_string_value(v), w);
		if (entity)
			continue;
		bool seen = false;
		for (size_t h = 0; h < json_array_size(hits) && !seen; h++)
			if (skel[h] && strcmp(skel[h], skel[i]) == 0)
				seen = has_word(json_string_value(json_object_get(json_array_get(hits, h), "query")), w);
		if (!seen) {
			unseen++;
			int n = snprintf(out + used, cap - used, "%s'%s'", used ? ", " : "", w);
			if (n > 0 && (size_t)n < cap - used)
				used += (size_t)n;
		}
	}
	return unseen;
}

/* A guideline written from a family's programs for models (tag
 * "program-guide", docs/agent.md): it has no plan and takes no place among
 * the k closest. */
static bool program_guide(const json_t *hit)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(hit, "tags"), i, t) if (json_is_string(t) &&
								    strcmp(json_string_value(t), "program-guide") == 0) return true;
	return false;
}

/* Search and pick among the guidelines the episode's role may see (its
 * scope and the global one: the filter applies inside the search, so the
 * support and the rivals come from those alone); `why` explains an empty
 * choice. */
static int choose(choice *c, char *why, size_t whylen, policy *p, const json_t *task, const char *scope)
{
	memset(c, 0, sizeof *c);
	const char *query = json_string_value(json_object_get(task, "query"));
	const char *family = json_string_value(json_object_get(task, "family"));
	/* A wider search than k: the support of a plan is counted over every
	 * guideline found, the plan itself taken from the k closest. */
	json_t *o = json_pack("{s:i, s:f, s:s, s:s}", "k", p->k * 8 > 100 ? 100 : p->k * 8, "min_score", -1.0, "kind",
			      "guideline", "scope", scope);
	if (o && p->same_family && family)
		json_object_set_new(o, "family", json_string(family));
	char *ot = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!ot)
		return CRMW_ENOMEM;
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw_memory_search(&b, p->mem, query ? query : "", ot);
	free(ot);
	json_t *hits = NULL;
	if (!rc && crmw__json_parse(b.data, b.len, &hits, NULL))
		rc = CRMW_ENOMEM;
	crmw_buf_dispose(&b);
	if (rc) {
		snprintf(why, whylen, "memory search failed: %s", crmw_memory_errmsg(p->mem));
		return CRMW_OK; /* not a reason to fail the episode: no plan */
	}
	size_t n = json_array_size(hits);
	char **shapes = calloc(n + 1, sizeof *shapes);
	if (!shapes) {
		json_decref(hits);
		return CRMW_ENOMEM;
	}
	char **skel = calloc(n + 1, sizeof *skel);
	size_t *len = calloc(n + 1, sizeof *len);
	bool *ok = calloc(n + 1, sizeof *ok);
	if (!skel || !len || !ok) {
		free(shapes);
		free(skel);
		free(len);
		free(ok);
		json_decref(hits);
		return CRMW_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *plan = json_object_get(json_object_get(json_array_get(hits, i), "metadata"), "plan");
		shapes[i] = plan ? crmw__plan_shape(plan) : NULL;
		skel[i] = shapes[i] ? skeleton(shapes[i]) : NULL;
		len[i] = json_array_size(json_object_get(plan, "steps"));
		ok[i] = plan && !unreplayable(plan);
	}
	snprintf(why, whylen, "no guideline with a plan scored %.2f or more", p->min_score);
	bool explained = false;
	size_t considered = 0; /* the k closest, program guides (no plan, for models) aside */
	for (size_t i = 0; i < n && considered < (size_t)p->k && !c->plan; i++) {
		const json_t *h = json_array_get(hits, i);
		if (program_guide(h))
			continue;
		considered++;
		const json_t *plan = json_object_get(json_object_get(h, "metadata"), "plan");
		double score = json_number_value(json_object_get(h, "score"));
		if (!plan || !shapes[i] || score < p->min_score)
			continue;
		int64_t id = json_integer_value(json_object_get(h, "id"));
		char reason[400] = "";
		const char *hf = json_string_value(json_object_get(h, "family"));
		const char *bad = unreplayable(plan);
		if (!rule_allowed(p, hf))
			snprintf(reason, sizeof reason,
				 "it was learned in %s, whose answers need reading free text (option free_text is off)", hf);
		/* support from the plans the policy may use */
		int64_t support = 0, plain = 0; /* plain: from plans of families that read no free text */
		for (size_t k = 0; k < n; k++) {
			const char *kf = json_string_value(json_object_get(json_array_get(hits, k), "family"));
			if (!shapes[k] || strcmp(shapes[k], shapes[i]) != 0 || !rule_allowed(p, kf))
				continue;
			support += support_of(json_array_get(hits, k));
			plain += crmw__family_reads_text(kf) ? 0 : support_of(json_array_get(hits, k));
		}
		/* the nearest guidelines must agree: another plan nearly as close
		 * means the wording decides between them, which slots do not see */
		int64_t rival = 0;
		double rival_score = 0;
		for (size_t k = 0; k < n && !rival; k++) {
			const json_t *hk = json_array_get(hits, k);
			double sk = json_number_value(json_object_get(hk, "score"));
			if (k != i && ok[k] && skel[k] && skel[i] && len[k] == len[i] && strcmp(skel[k], skel[i]) != 0 &&
			    sk >= score - p->margin) {
				rival = json_integer_value(json_object_get(hk, "id"));
				rival_score = sk;
			}
		}
		json_t *bindings = NULL;
		if (reason[0]) {
			/* said above */
		} else if (bad) {
			snprintf(reason, sizeof reason, "%s", bad);
		} else if (rival) {
			snprintf(reason, sizeof reason, "memory %lld (score %.2f) does it another way", (long long)rival,
				 rival_score);
		} else if (support < p->min_support) {
			snprintf(reason, sizeof reason, "only %lld solved task(s) followed its plan (%d needed)",
				 (long long)support, p->min_support);
		} else {
			char w[300] = "";
			rc = crmw__plan_align(&bindings, w, sizeof w, plan, task);
			if (rc == CRMW_ENOMEM)
				break;
			rc = CRMW_OK;
			if (!bindings)
				snprintf(reason, sizeof reason, "%s", w);
		}
		if (bindings && p->max_new_words >= 0 && len[i] > 1) {
			/* every word of the task's request must have been seen in a
			 * query solved by this plan: "quickest" is not "longest"
			 * (plans that call nothing, refusals, answer any wording) */
			char w[200] = "";
			int unseen = new_words(task, bindings, hits, skel, i, w, sizeof w);
			if (unseen > p->max_new_words) {
				snprintf(reason, sizeof reason, "the task's wording is new to its plan (%s)", w);
				json_decref(bindings);
				bindings = NULL;
			}
		}
		if (bindings) {
			c->id = id;
			c->score = score;
			c->support = support;
			c->plan = json_incref((json_t *)plan);
			c->bindings = bindings;
			c->free_text = crmw__family_reads_text(hf) || crmw__family_reads_text(family) || plain < p->min_support;
		} else if (!explained) {
			snprintf(why, whylen, "the closest guideline (memory %lld, score %.2f) does not fit: %s", (long long)id,
				 score, reason);
			explained = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(shapes[i]);
		free(skel[i]);
	}
	free(shapes);
	free(skel);
	free(len);
	free(ok);
	json_decref(hits);
	return rc;
}

static void choice_dispose(choice *c)
{
	json_decref(c->plan);
	json_decref(c->bindings);
	memset(c, 0, sizeof *c);
}

/* The plan of memory `id`, aligned again with the task (the same task and
 * entry give the same bindings).  The id comes from the conversation: an
 * entry the episode's role may not see is treated as gone. */
static int reload(choice *c, char *why, size_t whylen, policy *p, int64_t id, const json_t *task, const char *scope)
{
	memset(c, 0, sizeof *c);
	crmw_buf b = CRMW_BUF_INIT;
	json_t *e = NULL;
	if (crmw_memory_get(&b, p->mem, id) || crmw__json_parse(b.data, b.len, &e, NULL)) {
		crmw_buf_dispose(&b);
		snprintf(why, whylen, "memory %lld is gone", (long long)id);
		return CRMW_OK;
	}
	crmw_buf_dispose(&b);
	const char *es = json_string_value(json_object_get(e, "scope"));
	if (!es || (strcmp(es, "global") != 0 && strcmp(es, scope) != 0)) {
		json_decref(e);
		snprintf(why, whylen, "memory %lld is gone", (long long)id);
		return CRMW_OK;
	}
	const char *ef = json_string_value(json_object_get(e, "family"));
	if (!rule_allowed(p, ef)) { /* a conversation that names such a plan: the gate holds */
		snprintf(why, whylen, "memory %lld was learned in %s, whose answers need reading free text (option free_text is off)",
			 (long long)id, ef);
		json_decref(e);
		return CRMW_OK;
	}
	const json_t *plan = json_object_get(json_object_get(e, "metadata"), "plan");
	int rc = plan ? crmw__plan_align(&c->bindings, why, whylen, plan, task) : CRMW_ENOTFOUND;
	if (!plan)
		snprintf(why, whylen, "memory %lld has no plan any more", (long long)id);
	if (c->bindings) {
		c->id = id;
		c->plan = json_incref((json_t *)plan);
		c->support = support_of(e);
		c->free_text = crmw__family_reads_text(ef) ||
			       crmw__family_reads_text(json_string_value(json_object_get(task, "family")));
	}
	json_decref(e);
	return rc == CRMW_ENOMEM ? rc : CRMW_OK;
}

/* -------------------------------------------------------------- programs */

/* Add the word counts of `src` ({key: {word: n}}) into `dst`, key by key
 * (only the key `only` when it is not NULL); what is not a count is left
 * out (crmw__induced_check checks the library). */
static int merge_family_counts(json_t *dst, const json_t *src, const char *only)
{
	const char *fk, *w;
	json_t *words, *n;
	json_object_foreach((json_t *)src, fk, words) {
		if (!json_is_object(words) || (only && strcmp(fk, only) != 0))
			continue;
		json_t *have = json_object_get(dst, fk);
		if (!have && json_object_set_new(dst, fk, have = json_object()))
			return CRMW_ENOMEM;
		if (!json_is_object(have))
			continue;
		json_object_foreach(words, w, n) {
			json_int_t sum;
			if (!json_is_integer(n) || json_integer_value(n) < 0 ||
			    __builtin_add_overflow(json_integer_value(json_object_get(have, w)), json_integer_value(n), &sum))
				continue;
			if (json_object_set_new(have, w, json_integer(sum)))
				return CRMW_ENOMEM;
		}
	}
	return CRMW_OK;
}

/* Adds one family's record `from` (an object of count objects, such as its
 * sides' words) to out[family], made first with each of `keys` (NULL-ended)
 * as an empty object, so that every family's record has them.  A record
 * that is not an object adds nothing. */
static int merge_family_record(json_t *out, const char *family, const json_t *from, const char *const keys[])
{
	if (!json_is_object(from))
		return CRMW_OK;
	json_t *have = json_object_get(out, family);
	if (!have) {
		if (json_object_set_new(out, family, have = json_object()))
			return CRMW_ENOMEM;
		for (size_t i = 0; keys[i]; i++)
			if (json_object_set_new(have, keys[i], json_object()))
				return CRMW_ENOMEM;
	}
	return merge_family_counts(have, from, NULL);
}

/* The programs the episode's role may use (docs/backends.md, "Programs"):
 * the program entries of its scope and the global one, of the task's family
 * when the policy keeps to families, merged into one library in id order,
 * with the words and sides of every family's entry (what the word and
 * direction checks read: a word seen only in another family's training is
 * a word seen in training, as when the library is induced at once).
 * Programs with fewer than min_support examples are left out.  *hash: FNV-1a of the library, 16 hex digits (the
 * calls' ids carry it: the library may change between turns); *entry: the
 * first entry of the family, *examples: the examples of its entries.  NULL *lib: none. */
typedef struct programs {
	json_t *lib, *checks; /* and crmw__induced_check's checks of it */
	json_t *textual; /* per program: learned in (its entry's or its own family) a family that reads free text */
	char hash[17];
	int64_t entry, examples;
} programs;

/* The cache's summary of one program entry (NULL when out of memory). */
static json_t *entry_summary(const json_t *e, json_int_t seq)
{
	const json_t *md = json_object_get(e, "metadata"), *lib = json_object_get(md, "library");
	return json_pack("{s:I, s:o, s:O?, s:I}", "seq", seq, "family",
			 json_is_string(json_object_get(e, "family")) ? json_copy(json_object_get(e, "family")) : json_null(),
			 "library", json_is_object(lib) ? lib : NULL, "examples",
			 (json_int_t)json_array_size(json_object_get(md, "examples")));
}

/* Whether a fetched entry is what the scope's listing named: a program entry
 * of the scope or the global one (between the listing and the read, another
 * handle may have moved it to another scope or replaced it). */
static bool listed_as(const json_t *e, const char *scope)
{
	const char *k = json_string_value(json_object_get(e, "kind")), *sc = json_string_value(json_object_get(e, "scope"));
	bool tagged = false;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(e, "tags"), i, t) tagged = tagged || (json_is_string(t) && !strcmp(json_string_value(t), "program"));
	return tagged && k && !strcmp(k, "plan") && sc && (!strcmp(sc, "global") || !strcmp(sc, *scope ? scope : "global"));
}

/* The scope's entries in the cache brought up to the versions listed
 * (`vers`: [[id, seq], ...]); *changed when any entry came, went or
 * changed; *partial when one could not be read as listed (a failed read,
 * gone, moved): it is left out, and the caller lists again next time. */
static int refresh_entries(json_t *entries, const json_t *vers, crmw_memory *mem, const char *scope, bool *changed,
			   bool *partial)
{
	*changed = *partial = false;
	json_t *listed = json_object();
	int rc = listed ? CRMW_OK : CRMW_ENOMEM;
	size_t i;
	json_t *v;
	json_array_foreach(vers, i, v) {
		json_int_t id = json_integer_value(json_array_get(v, 0)), seq = json_integer_value(json_array_get(v, 1));
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)id);
		if (rc || json_object_set_new(listed, key, json_true())) {
			rc = CRMW_ENOMEM;
			break;
		}
		const json_t *have = json_object_get(entries, key);
		if (have && json_integer_value(json_object_get(have, "seq")) == seq)
			continue;
		*changed = true;
		crmw_buf b = CRMW_BUF_INIT;
		json_t *e = NULL, *sum = NULL;
		int grc = crmw_memory_get(&b, mem, id);
		if (grc == CRMW_ENOMEM || (!grc && crmw__json_parse(b.data, b.len, &e, NULL) == CRMW_ENOMEM))
			rc = CRMW_ENOMEM;
		else if (!grc && e && listed_as(e, scope) && !(sum = entry_summary(e, seq)))
			rc = CRMW_ENOMEM;
		crmw_buf_dispose(&b);
		json_decref(e);
		if (rc) {
			json_decref(sum);
			break;
		}
		if (!sum) { /* gone or moved since the listing, or unreadable: left out */
			json_object_del(entries, key);
			*partial = true;
		}
		else if (json_object_set_new(entries, key, sum))
			rc = CRMW_ENOMEM;
	}
	const char *k;
	json_t *x;
	void *tmp;
	json_object_foreach_safe(entries, tmp, k, x) {
		if (!rc && !json_object_get(listed, k)) {
			json_object_del(entries, k);
			*changed = true;
		}
	}
	json_decref(listed);
	return rc;
}

/* The library of one family ("f:" family) or of all ("*") from the scope's
 * entries, in the listing's order: {"lib", "hash", "entry", "examples"}. */
static json_t *merge_library(policy *p, const json_t *entries, const json_t *vers, const char *family)
{
	json_t *progs = json_array(), *fams = json_object(), *sides = json_object(), *sents = json_object();
	json_t *textual = json_array();
	int rc = progs && fams && sides && sents && textual ? CRMW_OK : CRMW_ENOMEM;
	json_int_t entry = 0, examples = 0;
	size_t i;
	json_t *v;
	json_array_foreach(vers, i, v) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_array_get(v, 0)));
		const json_t *e = json_object_get(entries, key), *lib = json_object_get(e, "library");
		if (!e)
			continue;
		const char *ef = json_string_value(json_object_get(e, "family"));
		/* a family whose answers read free text lends its words and
		 * sides (what training saw), not its programs, unless allowed */
		bool mine = (!family || (ef && strcmp(ef, family) == 0)) && rule_allowed(p, ef);
		size_t k;
		json_t *pr;
		json_array_foreach(mine ? json_object_get(lib, "programs") : NULL, k, pr) {
			/* crmw__induced_check checks every program (a store anyone
			 * may write) below, and the ones it skips are named */
			if (json_integer_value(json_object_get(pr, "support")) < p->min_support)
				continue; /* fewer solved episodes than the policy asks for */
			if (!rule_allowed(p, json_string_value(json_object_get(pr, "family"))))
				continue; /* an entry may hold another family's program */
			if (!rc && (json_array_append(progs, pr) ||
				    json_array_append_new(textual, json_boolean(crmw__family_reads_text(ef) ||
										crmw__family_reads_text(json_string_value(
											json_object_get(pr, "family")))))))
				rc = CRMW_ENOMEM;
		}
		if (mine) {
			entry = entry ? entry : json_integer_value(json_array_get(v, 0));
			examples += json_integer_value(json_object_get(e, "examples"));
		}
		/* the words of the families' training queries, and of their two
		 * sides (the tasks answered by an argmax, by an argmin): what the
		 * programs' word and direction checks read.  An entry speaks for
		 * its own family only: another key of its library (a crafted
		 * entry's) would change that family's checks */
		if (!ef)
			continue;
		static const char *const side_keys[] = {"max", "min", "echo_max", "echo_min", NULL};
		static const char *const sentence_keys[] = {"seen", "max", "min", "none", "bound", NULL};
		rc = rc ? rc : merge_family_counts(fams, json_object_get(lib, "families"), ef);
		rc = rc ? rc : merge_family_record(sides, ef, json_object_get(json_object_get(lib, "sides"), ef), side_keys);
		/* and its sentences, said with which side (the wording around
		 * questions: a sentence many families say) */
		rc = rc ? rc
			: merge_family_record(sents, ef, json_object_get(json_object_get(lib, "sentences"), ef), sentence_keys);
	}
	/* the direction words of the sides of every family, as one induction
	 * of all of them would find them (a word twice on one side over the
	 * families, once in each: merging each entry's own words missed it) */
	json_t *dirs = rc ? NULL : crmw__direction_words(sides);
	if (!rc && !dirs)
		rc = CRMW_ENOMEM;
	json_t *lib = NULL, *checks = NULL;
	char hash[17] = "";
	if (!rc && json_array_size(progs)) {
		lib = json_pack("{s:i, s:O, s:O, s:O, s:O, s:O}", "version", 1, "programs", progs, "families", fams, "sides", sides,
				"directions", dirs, "sentences", sents);
		/* checked once here, not at every step (crmw__induced_check) */
		checks = lib ? crmw__induced_check(lib) : NULL;
		char *t = lib ? json_dumps(lib, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (!t || !checks)
			rc = CRMW_ENOMEM;
		else
			snprintf(hash, sizeof hash, "%016llx", (unsigned long long)crmw__fnv1a(CRMW_FNV_OFFSET, t, strlen(t)));
		free(t);
	}
	json_decref(progs);
	json_decref(fams);
	json_decref(sides);
	json_decref(sents);
	json_decref(dirs);
	json_t *out = rc ? NULL
			 : json_pack("{s:O?, s:O?, s:s, s:I, s:I, s:O}", "lib", lib, "checks", checks, "hash", hash, "entry", entry,
				     "examples", examples, "textual", textual);
	json_decref(textual);
	json_decref(lib);
	json_decref(checks);
	return out;
}

/* At most this many scopes in the cache (each role and customer has one):
 * past it, the scope cached first is dropped. */
#define CACHE_SCOPES 64

static int load_programs(programs *out, policy *p, const char *family, const char *scope)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&p->cache_mu);
	/* the store's sequence first: while it stays, so do the scope's
	 * entries (listing their versions reads every row, examples and all) */
	int64_t seq = 0;
	int rc = crmw__memory_seq(p->mem, &seq);
	if (rc == CRMW_ENOMEM) {
		pthread_mutex_unlock(&p->cache_mu);
		return rc;
	}
	json_t *sc = rc ? NULL : json_object_get(p->cache, scope);
	const json_t *had = json_object_get(sc, "seq");
	if (rc || !sc || !json_is_integer(had) || json_integer_value(had) != seq) {
		/* a failed read of the sequence: listed again, nothing kept */
		bool keep = rc == CRMW_OK;
		json_t *o = json_pack("{s:s, s:[s], s:s, s:i}", "kind", "plan", "tags", "program", "scope", scope, "limit", 0);
		char *ot = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		crmw_buf b = CRMW_BUF_INIT;
		json_t *vers = NULL;
		rc = ot ? crmw__memory_list_versions(&b, p->mem, ot) : CRMW_ENOMEM;
		free(ot);
		if (rc == CRMW_ENOMEM || (!rc && crmw__json_parse(b.data, b.len, &vers, NULL)))
			rc = CRMW_ENOMEM;
		crmw_buf_dispose(&b);
		if (rc) { /* a failed listing is no reason to fail the episode: no programs */
			pthread_mutex_unlock(&p->cache_mu);
			json_decref(vers);
			return rc == CRMW_ENOMEM ? rc : CRMW_OK;
		}
		if (!p->cache && !(p->cache = json_object()))
			rc = CRMW_ENOMEM;
		if (!rc && !sc) {
			if (json_object_size(p->cache) >= CACHE_SCOPES) {
				void *it = json_object_iter(p->cache); /* one scope goes, the oldest read */
				json_object_del(p->cache, json_object_iter_key(it));
			}
			sc = json_pack("{s:{}, s:{}}", "entries", "merged");
			if (!sc || json_object_set_new(p->cache, scope, sc))
				rc = CRMW_ENOMEM, sc = NULL;
		}
		bool changed = false, partial = false;
		if (!rc)
			rc = refresh_entries(json_object_get(sc, "entries"), vers, p->mem, scope, &changed, &partial);
		keep = keep && !partial;
		if (!rc && changed)
			json_object_clear(json_object_get(sc, "merged"));
		if (!rc && (json_object_set(sc, "versions", vers) ||
			    json_object_set_new(sc, "seq", keep ? json_integer(seq) : json_null())))
			rc = CRMW_ENOMEM;
		json_decref(vers);
	}
	const char *f = p->same_family && family ? family : NULL;
	crmw_buf kb = CRMW_BUF_INIT;
	if (!rc && crmw__buf_printf(&kb, "%s%s", f ? "f:" : "*", f ? f : ""))
		rc = CRMW_ENOMEM;
	json_t *merged = rc ? NULL : json_object_get(sc, "merged");
	json_t *m = rc ? NULL : json_object_get(merged, kb.data);
	if (!rc && !m) {
		m = merge_library(p, json_object_get(sc, "entries"), json_object_get(sc, "versions"), f);
		if (!m || json_object_set_new(merged, kb.data, m))
			rc = CRMW_ENOMEM, m = NULL;
	}
	if (!rc && json_is_object(json_object_get(m, "lib"))) {
		/* a copy of its own: json_incref reads the count unguarded, so
		 * threads must not share a value they take references of (the
		 * explanations a step returns hold parts of the library) */
		out->lib = json_deep_copy(json_object_get(m, "lib"));
		out->checks = json_deep_copy(json_object_get(m, "checks"));
		out->textual = json_deep_copy(json_object_get(m, "textual"));
		if (!out->lib || !out->checks || !out->textual) {
			json_decref(out->lib);
			json_decref(out->checks);
			json_decref(out->textual);
			out->lib = out->checks = out->textual = NULL;
			rc = CRMW_ENOMEM;
		}
		snprintf(out->hash, sizeof out->hash, "%s", json_string_value(json_object_get(m, "hash")));
		out->entry = json_integer_value(json_object_get(m, "entry"));
		out->examples = json_integer_value(json_object_get(m, "examples"));
	}
	if (rc && p->cache)
		json_object_clear(p->cache); /* whatever was half built is dropped */
	pthread_mutex_unlock(&p->cache_mu);
	crmw_buf_dispose(&kb);
	return rc;
}

/* Whether a step of the programs read rules of a family whose answers need
 * reading free text: the task's, or one of the agreeing programs' (with the
 * family withheld).  Only with the option free_text can this be true. */
static bool reads_text(const char *family, const json_t *textual, const json_t *explain)
{
	bool any = crmw__family_reads_text(family);
	size_t i;
	json_t *ix;
	json_array_foreach(json_object_get(explain, "programs"), i, ix)
		any = any || json_is_true(json_array_get(textual, (size_t)json_integer_value(ix)));
	return any;
}

/* The next step of the programs for the request: a call, the answer, or
 * not answered (*answered false, why[] says why: every program's reason). */
static int program_step(crmw_response *resp, bool *answered, bool *known, char *why, size_t whylen, policy *p,
			const progress *pg, const json_t *task, const char *scope)
{
	*answered = false;
	*known = false;
	const char *family = json_string_value(json_object_get(task, "family"));
	programs pr;
	int rc = load_programs(&pr, p, family, scope);
	if (rc)
		return rc;
	if (!pr.lib) {
		snprintf(why, whylen, "no program of the family in memory");
		return CRMW_OK;
	}
	*known = true;
	if (pg->program[0] && strcmp(pg->program, pr.hash) != 0) {
		snprintf(why, whylen, "the programs in memory changed during the episode");
		json_decref(pr.lib);
		json_decref(pr.checks);
		json_decref(pr.textual);
		return CRMW_OK;
	}
	crmw__prog_next n;
	rc = crmw__induced_next_checked(&n, pr.lib, pr.checks, task, p->same_family ? family : NULL, pg->results);
	json_t *msg = NULL;
	if (!rc && n.kind == CRMW__PROG_CALL) {
		char *at = json_dumps(n.arguments, JSON_COMPACT);
		char id[64], content[160];
		snprintf(id, sizeof id, "prog_%s_%zu", pr.hash, pg->steps_done);
		snprintf(content, sizeof content, "Following a program learned from %lld solved episodes (step %zu).",
			 (long long)pr.examples, pg->steps_done + 1);
		msg = at ? json_pack("{s:s, s:s, s:[{s:s, s:s, s:{s:s, s:s}}]}", "role", "assistant", "content", content,
				     "tool_calls", "id", id, "type", "function", "function", "name", n.name, "arguments", at)
			 : NULL;
		free(at);
		rc = msg ? CRMW_OK : CRMW_ENOMEM;
	} else if (!rc && n.kind == CRMW__PROG_ANSWER) {
		msg = json_pack("{s:s, s:s}", "role", "assistant", "content", n.answer ? n.answer : "None");
		rc = msg ? CRMW_OK : CRMW_ENOMEM;
	} else if (!rc) {
		snprintf(why, whylen, "%s", n.why);
	}
	char *mt = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	if (msg && !mt)
		rc = CRMW_ENOMEM;
	if (mt) {
		rc = crmw_response_set_message(resp, mt, strlen(mt));
		free(mt);
		/* which programs, and which explanations computed what they did */
		json_t *ex = rc ? NULL : crmw__prog_explain_json(n.explain);
		json_t *plan = ex ? json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:b, s:o}", "kind", "program", "programs",
					      pr.hash, "memory_id", (json_int_t)pr.entry, "support", (json_int_t)pr.examples,
					      "step", (json_int_t)pg->steps_done, "guard", n.guard, "answer",
					      n.kind == CRMW__PROG_ANSWER, "explain", ex)
				  : NULL;
		if (plan && reads_text(family, pr.textual, n.explain) && json_object_set_new(plan, "free_text", json_true()))
			json_decref(plan), plan = NULL;
		if (!rc && !plan)
			rc = CRMW_ENOMEM;
		if (!rc) {
			*answered = true;
			crmw__response_set_plan(resp, plan);
		}
	}
	crmw__prog_next_clear(&n);
	json_decref(pr.lib);
	json_decref(pr.checks);
	json_decref(pr.textual);
	return rc;
}

/* ------------------------------------------------------------- answering */

static int hand_over(crmw_response *resp, const crmw_request *req, policy *p, const char *why)
{
	if (p->fallback)
		return crmw__backend_forward(p->fallback, resp, req);
	char buf[600];
	snprintf(buf, sizeof buf, "no confident plan: %s", why);
	crmw_response_set_abstain(resp, buf);
	return 0;
}

static int answer_step(crmw_response *resp, const choice *c, size_t j, const json_t *results, char *why,
		       size_t whylen)
{
	const json_t *steps = json_object_get(c->plan, "steps");
	const json_t *step = json_array_get(steps, j);
	const char *name = json_string_value(json_object_get(step, "name"));
	json_t *args = crmw__plan_resolve(json_object_get(step, "arguments"), c->bindings, results, why, whylen);
	if (!args)
		return CRMW_ENOTFOUND;
	json_t *msg;
	if (strcmp(name, "respond") == 0) {
		const json_t *content = json_object_get(args, "content");
		char *text = json_is_string(content) ? crmw__strdup(json_string_value(content)) : crmw__answer_text(content);
		msg = text ? json_pack("{s:s, s:s}", "role", "assistant", "content", text) : NULL;
		free(text);
	} else {
		char *at = json_dumps(args, JSON_COMPACT);
		char id[64], content[160];
		snprintf(id, sizeof id, "plan_%lld_%zu", (long long)c->id, j);
		snprintf(content, sizeof content, "Following memory plan %lld (step %zu of %zu).", (long long)c->id, j + 1,
			 json_array_size(steps));
		msg = at ? json_pack("{s:s, s:s, s:[{s:s, s:s, s:{s:s, s:s}}]}", "role", "assistant", "content", content,
				     "tool_calls", "id", id, "type", "function", "function", "name", name, "arguments", at)
			 : NULL;
		free(at);
	}
	json_decref(args);
	char *mt = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	if (!mt)
		return CRMW_ENOMEM;
	int rc = crmw_response_set_message(resp, mt, strlen(mt));
	free(mt);
	if (rc)
		return rc;
	json_t *plan = json_pack("{s:I, s:f, s:I, s:I, s:I, s:O}", "memory_id", (json_int_t)c->id, "score", c->score,
				 "support", (json_int_t)c->support, "step", (json_int_t)j, "steps",
				 (json_int_t)json_array_size(steps), "bindings", c->bindings);
	if (plan && c->free_text && json_object_set_new(plan, "free_text", json_true()))
		json_decref(plan), plan = NULL;
	if (!plan)
		return CRMW_ENOMEM; /* an answer without its plan would go unmarked */
	crmw__response_set_plan(resp, plan);
	return CRMW_OK;
}

static int policy_complete(crmw_response *resp, const crmw_request *req, void *ud)
{
	policy *p = ud;
	if (strcmp(crmw_request_purpose(req), "chat") != 0) {
		if (p->fallback)
			return crmw__backend_forward(p->fallback, resp, req);
		crmw_response_set_abstain(resp, "the memory policy does not word guidelines");
		return 0;
	}
	size_t tlen = 0;
	const char *tt = crmw_request_task(req, &tlen);
	json_t *task = NULL, *r = NULL;
	if (!tt || crmw__json_parse(tt, tlen, &task, NULL)) {
		crmw_response_set_error(resp, "the memory policy needs a request of an episode");
		return 0;
	}
	size_t reqlen;
	const char *reqjson = crmw_request_json(req, &reqlen);
	if (crmw__json_parse(reqjson, reqlen, &r, NULL)) {
		json_decref(task);
		crmw_response_set_error(resp, "the request is not JSON");
		return 0;
	}
	progress pg;
	read_progress(&pg, json_object_get(r, "messages"));
	char why[600] = "";
	choice c = {0};
	int rc = CRMW_OK, ret = 0;
	bool answered = false;
	if (!json_object_get(r, "tools")) {
		snprintf(why, sizeof why, "plans are tool calls and this agent has no tools (ReAct mode)");
	} else if (pg.foreign) {
		snprintf(why, sizeof why, "the conversation is no longer the policy's");
	} else if (pg.why[0]) {
		snprintf(why, sizeof why, "%s", pg.why);
	} else if (!rule_allowed(p, json_string_value(json_object_get(task, "family")))) {
		/* learned rules for such a family only behind the option: a
		 * rule read off a few transcripts answers by chance */
		snprintf(why, sizeof why,
			 "the answers of %s need reading free text: learned rules answer it only with the memory policy "
			 "option free_text",
			 json_string_value(json_object_get(task, "family")));
	} else {
		const char *scope = crmw__session_mem_scope(crmw__request_session(req));
		/* programs first; a plan only for a family with no program: where
		 * programs were induced, their abstention stands (a plan replays
		 * one task's choices and answered wrongly where they abstained) */
		char pwhy[600] = "";
		bool known = false;
		if (!pg.memory_id && p->programs)
			rc = program_step(resp, &answered, &known, pwhy, sizeof pwhy, p, &pg, task, scope);
		if (!rc && !answered && (pg.program[0] || known))
			snprintf(why, sizeof why, "%s", pwhy);
		else if (!rc && !answered)
			rc = pg.memory_id ? reload(&c, why, sizeof why, p, pg.memory_id, task, scope)
					  : choose(&c, why, sizeof why, p, task, scope);
		if (!rc && !answered && !c.plan && pwhy[0] && !pg.memory_id) {
			char both[600];
			snprintf(both, sizeof both, "%.300s; plans: %.280s", pwhy, why);
			snprintf(why, sizeof why, "%s", both);
		}
		if (!rc && c.plan) {
			if (pg.steps_done >= json_array_size(json_object_get(c.plan, "steps"))) {
				snprintf(why, sizeof why, "the plan of memory %lld has no step %zu", (long long)c.id,
					 pg.steps_done + 1);
			} else {
				rc = answer_step(resp, &c, pg.steps_done, pg.results, why, sizeof why);
				answered = rc == CRMW_OK;
				if (rc == CRMW_ENOTFOUND)
					rc = CRMW_OK;
			}
		}
	}
	if (rc == CRMW_ENOMEM)
		crmw_response_set_error(resp, "out of memory");
	else if (!answered)
		ret = hand_over(resp, req, p, why);
	choice_dispose(&c);
	json_decref(pg.results);
	json_decref(task);
	json_decref(r);
	return ret;
}

int crmw_backend_memory_policy(crmw_backend *out, crmw_memory *mem, const crmw_backend *fallback,
					const char *options_json)
{
	crmw_free_fn fb_destroy = fallback && fallback->struct_size >= offsetof(crmw_backend, destroy) + sizeof(crmw_free_fn)
					  ? fallback->destroy
					  : NULL;
	if (out)
		memset(out, 0, sizeof *out);
	if (!out || !mem) {
		if (fb_destroy)
			fb_destroy(fallback->userdata);
		return crmw__errf(NULL, CRMW_EINVALID, "crmw_backend_memory_policy: NULL argument");
	}
	static const char *const keys[] = {"k", "min_score", "same_family", "min_support",
					   "margin", "max_new_words", "programs", "free_text"};
	json_t *o;
	int rc = crmw__json_options(&o, NULL, options_json, "memory policy options", keys, CRMW_ARRAY_LEN(keys));
	if (rc) {
		if (fb_destroy)
			fb_destroy(fallback->userdata);
		return rc;
	}
	policy *p = calloc(1, sizeof *p);
	if (!p) {
		json_decref(o);
		if (fb_destroy)
			fb_destroy(fallback->userdata);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&p->cache_mu, NULL);
	p->mem = mem;
	p->k = 10;
	p->min_score = 0.6;
	p->same_family = true;
	p->min_support = 2;
	p->margin = 0.05;
	p->max_new_words = 0;
	p->programs = true;
	const json_t *v;
	const char *bad = NULL;
	if ((v = json_object_get(o, "k")) && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100))
		bad = "\"k\" must be an integer from 1 to 100";
	else if (v)
		p->k = (int)json_integer_value(v);
	if ((v = json_object_get(o, "min_score")) && (!json_is_number(v) || json_number_value(v) < -1 || json_number_value(v) > 1))
		bad = "\"min_score\" must be a number from -1 to 1";
	else if (v)
		p->min_score = json_number_value(v);
	if ((v = json_object_get(o, "margin")) && (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 2))
		bad = "\"margin\" must be a number from 0 to 2";
	else if (v)
		p->margin = json_number_value(v);
	if ((v = json_object_get(o, "max_new_words")) &&
	    (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 1000))
		bad = "\"max_new_words\" must be an integer from -1 (no check) to 1000";
	else if (v)
		p->max_new_words = (int)json_integer_value(v);
	if ((v = json_object_get(o, "programs")) && !json_is_boolean(v))
		bad = "\"programs\" must be true or false";
	else if (v)
		p->programs = json_is_true(v);
	if ((v = json_object_get(o, "free_text")) && !json_is_boolean(v))
		bad = "\"free_text\" must be true or false";
	else if (v)
		p->free_text = json_is_true(v);
	if ((v = json_object_get(o, "same_family")) && !json_is_boolean(v))
		bad = "\"same_family\" must be true or false";
	else if (v)
		p->same_family = json_is_true(v);
	if ((v = json_object_get(o, "min_support")) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000))
		bad = "\"min_support\" must be an integer from 1 to 1000";
	else if (v)
		p->min_support = (int)json_integer_value(v);
	json_decref(o);
	if (bad) {
		pthread_mutex_destroy(&p->cache_mu);
		free(p);
		if (fb_destroy)
			fb_destroy(fallback->userdata);
		return crmw__errf(NULL, CRMW_EINVALID, "memory policy option %s", bad);
	}
	if (fallback && (rc = crmw__backend_copy(NULL, &p->fallback, fallback))) { /* destroys on failure */
		pthread_mutex_destroy(&p->cache_mu);
		free(p);
		return rc;
	}
	out->struct_size = sizeof *out;
	out->version = CRMW_BACKEND_VERSION;
	out->userdata = p;
	out->complete = policy_complete;
	out->destroy = policy_destroy;
	return CRMW_OK;
}
