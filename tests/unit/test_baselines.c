/*
 * Unit tests of the shortcut baselines (lib/tasks/baselines.c,
 * crmw_task_set_baselines): each shortcut of issue 25 is a policy that must
 * fail to score.  On generated orgs of the b2b, b2c and crmarena profiles
 * (scale 0.2, 12 tasks per family, half of them in the test split), every
 * policy runs through the real agent loop (a host backend that answers with
 * the policy's text; the guessing policy multi-turn with the default user),
 * its reward on each task must be the one the library computed, and its
 * score on each family must stay below a bound derived from the tasks'
 * gold answers alone:
 *
 *   none        at most the family's None share + 0.02 (and, for exact
 *               families, at least the share - 0.02: "None" is read as None)
 *   majority    at most top + (1 - top) * F1max, where top is the share of
 *               the most frequent answer among the scored tasks (None is an
 *               answer, lists compared as sets) and F1max the largest token
 *               F1 between two distinct gold answers of the family (0 for
 *               exact_match: an answer that is not the gold scores 0); and,
 *               on exact families, at most p + 3 sqrt(p (1 - p) / n) + 1/n,
 *               p the share of the train split the majority answer has (its
 *               share among n test tasks is a binomial sample of it)
 *   refusal     0 outside the confidentiality probes (1 on them: declining is
 *               what they ask; every other policy scores 0 there: none of
 *               them declines)
 *   candidates  0 on every exact family whose answers are single entities
 *               (a list of two or more never equals one entity or None); on
 *               lead_qualification at most the share of tasks whose gold is
 *               every BANT factor; on fuzzy families at most the mean over
 *               tasks of 2 min(np, ng) / (np + ng) (np, ng: the tokens of the
 *               listing and of the gold; F1 can be no more when every gold
 *               token is listed)
 *   guess       as majority (it answers one constant candidate per family on
 *               the test split)
 *   guess_multi_turn  at most guess, family by family (the default user ends
 *               the conversation at the first answer: one backend call)
 *
 * Then the API on hand-made sets: options, leave-one-out majorities, where
 * the reference comes from, candidate sources.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

static const char *const PROFILES[] = {"b2b", "b2c", "crmarena"};
#define NPROF 3

static char dir[256];
static char org_path[NPROF][300];
static crmw_db *dbs[NPROF];
static crmw_task_set *sets[NPROF];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/crmw-baselines-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	for (int p = 0; p < NPROF; p++) {
		char o[128];
		snprintf(org_path[p], sizeof org_path[p], "%s/%s.db", dir, PROFILES[p]);
		snprintf(o, sizeof o, "{\"profile\":\"%s\",\"seed\":7,\"scale\":0.2}", PROFILES[p]);
		if (crmw_gen(org_path[p], o, NULL, NULL) || crmw_db_open(&dbs[p], org_path[p], CRMW_DB_READONLY))
			return -1;
		if (crmw_task_set_generate(&sets[p], NULL, dbs[p], "{\"per_family\":12,\"seed\":3,\"test_share\":0.5}"))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int p = 0; p < NPROF; p++) {
		crmw_task_set_free(sets[p]);
		crmw_db_free(dbs[p]);
	}
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------- helpers */

static json_t *baselines(const crmw_task_set *ts, crmw_db *db, const char *opts)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_baselines(&b, ts, db, opts), CRMW_OK);
	json_t *j = json_loads(b.data, 0, NULL);
	assert_non_null(j);
	crmw_buf_dispose(&b);
	return j;
}

static const json_t *policy(const json_t *doc, const char *name)
{
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(doc, "baselines"), i, b) {
		if (strcmp(json_string_value(json_object_get(b, "name")), name) == 0)
			return b;
	}
	fail_msg("no baseline %s", name);
	return NULL;
}

static double fam_score(const json_t *doc, const char *name, const char *family)
{
	return json_real_value(
		json_object_get(json_object_get(json_object_get(policy(doc, name), "families"), family), "score"));
}

static json_t *task_at(const crmw_task_set *ts, int64_t i)
{
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_get(&b, ts, i), CRMW_OK);
	json_t *t = json_loads(b.data, 0, NULL);
	assert_non_null(t);
	crmw_buf_dispose(&b);
	return t;
}

/* An answer as a set: its strings sorted and joined; "" for None. */
static char *key_of(const json_t *answer)
{
	const char *v[32];
	size_t n = 0, i;
	json_t *a;
	json_array_foreach(answer, i, a) {
		if (json_is_string(a) && n < 32)
			v[n++] = json_string_value(a);
	}
	for (size_t x = 1; x < n; x++)
		for (size_t y = x; y > 0 && strcmp(v[y - 1], v[y]) > 0; y--) {
			const char *s = v[y];
			v[y] = v[y - 1];
			v[y - 1] = s;
		}
	char *k = calloc(1, 4096);
	assert_non_null(k);
	for (size_t x = 0; x < n; x++)
		if (!x || strcmp(v[x - 1], v[x]))
			snprintf(k + strlen(k), 4096 - strlen(k), "%s%s", x ? "|" : "", v[x]);
	return k;
}

/* SQuAD's token count: lower case, punctuation to spaces, no articles. */
static size_t squad_tokens(const char *s)
{
	size_t n = 0;
	while (*s) {
		while (*s && (isspace((unsigned char)*s) || ispunct((unsigned char)*s)))
			s++;
		const char *w = s;
		while (*s && !isspace((unsigned char)*s) && !ispunct((unsigned char)*s))
			s++;
		size_t len = (size_t)(s - w);
		if (len && !(len == 1 && tolower((unsigned char)w[0]) == 'a') &&
		    !(len == 2 && strncasecmp(w, "an", 2) == 0) && !(len == 3 && strncasecmp(w, "the", 3) == 0))
			n++;
	}
	return n;
}

/* ------------------------------------------------- the scripted backend */

typedef struct script {
	json_t *by_task; /* task id -> the policy's record ({"answer"} or {"said": [...]}) */
	int calls;       /* backend calls of the current episode */
} script;

/* Answers with the policy's text for the request's task: its k-th message
 * for the guessing policy (k = the assistant messages so far). */
static int scripted(crmw_response *resp, const crmw_request *req, void *ud)
{
	script *s = ud;
	s->calls++;
	json_t *r = json_loads(crmw_request_json(req, NULL), 0, NULL);
	assert_non_null(r);
	const char *id = json_string_value(json_object_get(json_object_get(r, "metadata"), "task_id"));
	assert_non_null(id);
	const json_t *rec = json_object_get(s->by_task, id);
	assert_non_null(rec);
	size_t k = 0, i;
	json_t *m;
	json_array_foreach(json_object_get(r, "messages"), i, m) {
		k += strcmp(json_string_value(json_object_get(m, "role")), "assistant") == 0;
	}
	json_decref(r);
	const json_t *said = json_object_get(rec, "said");
	const char *text = said ? json_string_value(json_array_get(said, k < json_array_size(said)
										     ? k
										     : json_array_size(said) - 1))
				: json_string_value(json_object_get(rec, "answer"));
	assert_non_null(text);
	return crmw_response_set_text(resp, text, strlen(text)), 0;
}

static void set_backend(crmw_agent *a, script *s)
{
	crmw_backend be;
	memset(&be, 0, sizeof be);
	be.struct_size = sizeof be;
	be.version = CRMW_BACKEND_VERSION;
	be.userdata = s;
	be.complete = scripted;
	assert_int_equal(crmw_agent_set_backend(a, &be), CRMW_OK);
}

/* Run every scored task of one policy through the agent loop: the reward of
 * each episode must be the library's score.  Returns the per-family mean
 * rewards of the loop. */
static json_t *run_policy(int p, const json_t *pol, bool multi)
{
	crmw_agent *a;
	/* a listing of every id of an object may exceed the default output cap */
	assert_int_equal(crmw_agent_new(&a, dbs[p], multi ? "{\"multi_turn\":true,\"max_output_bytes\":4194304}"
							   : "{\"max_output_bytes\":4194304}"),
			 CRMW_OK);
	script s = {json_object(), 0};
	set_backend(a, &s);
	size_t i;
	json_t *rec;
	json_array_foreach(json_object_get(pol, "answers"), i, rec)
		json_object_set(s.by_task, json_string_value(json_object_get(rec, "task_id")), rec);
	json_t *sums = json_object(), *counts = json_object();
	json_array_foreach(json_object_get(pol, "answers"), i, rec) {
		const char *id = json_string_value(json_object_get(rec, "task_id"));
		int64_t at;
		assert_int_equal(crmw_task_set_find(&at, sets[p], id), CRMW_OK);
		crmw_buf b = CRMW_BUF_INIT, out = CRMW_BUF_INIT;
		assert_int_equal(crmw_task_set_get(&b, sets[p], at), CRMW_OK);
		s.calls = 0;
		assert_int_equal(crmw_agent_run(&out, a, b.data, NULL), CRMW_OK);
		json_t *tr = json_loads(out.data, 0, NULL);
		assert_non_null(tr);
		double reward = json_number_value(json_object_get(tr, "reward"));
		double want = json_number_value(json_object_get(rec, "score"));
		if (fabs(reward - want) > 1e-9)
			fail_msg("%s %s %s: the loop's reward %g is not the baseline's %g (answer %.200s)", PROFILES[p],
				 json_string_value(json_object_get(pol, "name")), id, reward, want,
				 json_string_value(json_object_get(tr, "answer")));
		if (multi) {
			/* the default user: one answer ends the talk, recorded as such */
			assert_int_equal(s.calls, 1);
			assert_string_equal(json_string_value(json_object_get(json_object_get(tr, "user"), "mode")), "persona");
		}
		const char *fam = json_string_value(json_object_get(rec, "family"));
		json_object_set_new(sums, fam, json_real(json_number_value(json_object_get(sums, fam)) + reward));
		json_object_set_new(counts, fam, json_integer(json_integer_value(json_object_get(counts, fam)) + 1));
		json_decref(tr);
		crmw_buf_dispose(&b);
		crmw_buf_dispose(&out);
	}
	const char *k;
	json_t *v;
	json_object_foreach(sums, k, v)
		json_real_set(v, json_real_value(v) / (double)json_integer_value(json_object_get(counts, k)));
	json_decref(counts);
	json_decref(s.by_task);
	crmw_agent_free(a);
	return sums;
}

/* What the gold answers of a family say: over the scored (test) tasks n,
 * the None share and the top-answer share; over the train split the share
 * of a given answer; over every task the largest F1 between two distinct
 * gold strings. */
typedef struct golds {
	int64_t n, none, top, all_bant;
	double f1max;
	bool fuzzy, probe;
} golds;

static golds gold_stats(int p, const char *family)
{
	golds g = {0};
	json_t *count = json_object(), *texts = json_array();
	for (int64_t i = 0; i < crmw_task_set_count(sets[p]); i++) {
		json_t *t = task_at(sets[p], i);
		if (strcmp(json_string_value(json_object_get(t, "family")), family) != 0) {
			json_decref(t);
			continue;
		}
		const char *metric = json_string_value(json_object_get(t, "reward_metric"));
		g.fuzzy = strcmp(metric, "fuzzy_match") == 0;
		g.probe = strcmp(metric, "privacy_rejection") == 0;
		const json_t *ans = json_object_get(t, "answer");
		if (g.fuzzy) {
			const char *s = json_string_value(json_array_get(ans, 0));
			size_t k;
			json_t *x;
			bool seen = false;
			json_array_foreach(texts, k, x) seen = seen || strcmp(json_string_value(x), s) == 0;
			if (!seen)
				json_array_append_new(texts, json_string(s));
		}
		if (strcmp(json_string_value(json_object_get(t, "split")), "test") == 0) {
			char *key = key_of(ans);
			g.n++;
			g.none += *key == '\0';
			g.all_bant += strcmp(key, "Authority|Budget|Need|Timeline") == 0;
			json_object_set_new(count, key, json_integer(json_integer_value(json_object_get(count, key)) + 1));
			free(key);
		}
		json_decref(t);
	}
	const char *k;
	json_t *v;
	json_object_foreach(count, k, v) if (json_integer_value(v) > g.top) g.top = json_integer_value(v);
	for (size_t a = 0; a < json_array_size(texts); a++)
		for (size_t b = 0; b < json_array_size(texts); b++) {
			if (a == b)
				continue;
			json_t *gold = json_pack("[O]", json_array_get(texts, a));
			char *gt = json_dumps(gold, JSON_COMPACT);
			double f1;
			assert_int_equal(crmw_reward_fuzzy_match(&f1, NULL, gt, json_string_value(json_array_get(texts, b))),
					 CRMW_OK);
			if (f1 > g.f1max)
				g.f1max = f1;
			free(gt);
			json_decref(gold);
		}
	json_decref(count);
	json_decref(texts);
	return g;
}

/* The share of the train split whose answer is `answer` (as text). */
static double train_share(int p, const char *family, const char *answer)
{
	int64_t n = 0, hit = 0;
	for (int64_t i = 0; i < crmw_task_set_count(sets[p]); i++) {
		json_t *t = task_at(sets[p], i);
		if (strcmp(json_string_value(json_object_get(t, "family")), family) == 0 &&
		    strcmp(json_string_value(json_object_get(t, "split")), "train") == 0) {
			n++;
			json_t *list = json_array();
			size_t k;
			json_t *a;
			json_array_foreach(json_object_get(t, "answer"), k, a) {
				if (json_is_string(a))
					json_array_append(list, a);
			}
			char *key = key_of(list);
			json_t *want = json_array();
			/* the answer text back to a set: "A, B" -> [A, B]; "None" -> [] */
			char *copy = strdup(answer);
			for (char *tok = strtok(copy, ","); tok && strcmp(answer, "None") != 0; tok = strtok(NULL, ",")) {
				while (*tok == ' ')
					tok++;
				json_array_append_new(want, json_string(tok));
			}
			char *wkey = key_of(want);
			hit += strcmp(key, wkey) == 0;
			free(copy);
			free(key);
			free(wkey);
			json_decref(list);
			json_decref(want);
		}
		json_decref(t);
	}
	return n ? (double)hit / (double)n : 0.0;
}

/* --------------------------------------------------- the shortcut tests */

static void check_profile(int p)
{
	json_t *doc = baselines(sets[p], dbs[p], "{\"split\":\"test\",\"answers\":true}");
	assert_true(json_integer_value(json_object_get(doc, "tasks")) > 20);
	static const char *const names[] = {"none", "majority", "refusal", "candidates", "guess", "guess_multi_turn"};
	json_t *loop[6];
	for (int k = 0; k < 6; k++)
		loop[k] = run_policy(p, policy(doc, names[k]), strcmp(names[k], "guess_multi_turn") == 0);
	const char *fam;
	json_t *info;
	double worst[6] = {0};
	json_object_foreach(json_object_get(doc, "families"), fam, info) {
		golds g = gold_stats(p, fam);
		assert_true(g.n > 0);
		double n = (double)g.n, none = (double)g.none / n, top = (double)g.top / n;
		double sc[6];
		for (int k = 0; k < 6; k++) {
			sc[k] = json_real_value(json_object_get(loop[k], fam));
			assert_true(fabs(sc[k] - fam_score(doc, names[k], fam)) < 1e-9);
		}
		double bound[6];
		/* none */
		bound[0] = none + 0.02;
		if (!g.fuzzy && !g.probe && sc[0] < none - 0.02)
			fail_msg("%s %s: None answers scored %.3f on a None share of %.3f", PROFILES[p], fam, sc[0], none);
		/* majority and guess: one constant answer per family on the test split */
		bound[1] = bound[4] = top + (1 - top) * g.f1max;
		if (!g.fuzzy && !g.probe) {
			const char *maj = json_string_value(json_object_get(info, "majority"));
			double pt = train_share(p, fam, maj);
			double sampling = pt + 3 * sqrt(pt * (1 - pt) / n) + 1 / n;
			if (sc[1] > sampling + 1e-9)
				fail_msg("%s %s: the train majority '%s' scored %.3f on the test split, more than its train "
					 "share %.3f allows (%.3f)",
					 PROFILES[p], fam, maj, sc[1], pt, sampling);
		}
		/* refusal */
		bound[2] = g.probe ? 1.0 : 0.0;
		if (g.probe)
			assert_true(sc[2] == 1.0);
		/* candidates */
		if (g.fuzzy) {
			double sum = 0;
			size_t i;
			json_t *rec;
			json_array_foreach(json_object_get(policy(doc, "candidates"), "answers"), i, rec) {
				if (strcmp(json_string_value(json_object_get(rec, "family")), fam) != 0)
					continue;
				int64_t at;
				assert_int_equal(
					crmw_task_set_find(&at, sets[p], json_string_value(json_object_get(rec, "task_id"))),
					CRMW_OK);
				json_t *t = task_at(sets[p], at);
				double np = (double)squad_tokens(json_string_value(json_object_get(rec, "answer")));
				double ng = (double)squad_tokens(json_string_value(json_array_get(json_object_get(t, "answer"), 0)));
				sum += np + ng > 0 ? 2 * (np < ng ? np : ng) / (np + ng) : 0;
				json_decref(t);
			}
			bound[3] = sum / n;
		} else if (strcmp(fam, "lead_qualification") == 0) {
			bound[3] = (double)g.all_bant / n;
		} else {
			bound[3] = 0;
		}
		/* guessing one per turn: no more than the one guess single-turn */
		bound[5] = sc[4];
		/* a probe credits a decline: no other policy declines */
		if (g.probe)
			bound[0] = bound[1] = bound[3] = bound[4] = bound[5] = 0;
		if (getenv("CRMW_TEST_VERBOSE"))
			printf("# %s %-32s n=%2lld none %.2f/%.2f maj %.2f/%.2f ref %.2f/%.2f cand %.2f/%.2f guess %.2f/%.2f mt %.2f/%.2f\n",
			       PROFILES[p], fam, (long long)g.n, sc[0], bound[0], sc[1], bound[1], sc[2], bound[2], sc[3],
			       bound[3], sc[4], bound[4], sc[5], bound[5]);
		for (int k = 0; k < 6; k++) {
			if (sc[k] > bound[k] + 1e-9)
				fail_msg("%s %s: %s scored %.3f, above its bound %.3f", PROFILES[p], fam, names[k], sc[k],
					 bound[k]);
			if (sc[k] > worst[k] && !(k == 2 && g.probe))
				worst[k] = sc[k];
		}
	}
	printf("# %s: %lld test tasks; the best family score of each shortcut: none %.2f, majority %.2f, refusal "
	       "(outside the probes 0) %.2f, candidates %.2f, guess %.2f, guess multi-turn %.2f\n",
	       PROFILES[p], (long long)json_integer_value(json_object_get(doc, "tasks")), worst[0], worst[1], worst[2],
	       worst[3], worst[4], worst[5]);
	for (int k = 0; k < 6; k++)
		json_decref(loop[k]);
	json_decref(doc);
}

static void test_shortcuts_b2b(void **state)
{
	(void)state;
	check_profile(0);
}

static void test_shortcuts_b2c(void **state)
{
	(void)state;
	check_profile(1);
}

static void test_shortcuts_crmarena(void **state)
{
	(void)state;
	check_profile(2);
}

/* ------------------------------------------------------ hand-made sets */

static crmw_task_set *set_of(json_t *tasks)
{
	char *t = json_dumps(tasks, JSON_COMPACT);
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_parse(&ts, t, strlen(t)), CRMW_OK);
	free(t);
	json_decref(tasks);
	return ts;
}

/* A best_region_identification task answering `state` (NULL: None). */
static json_t *state_task(const char *id, const char *split, const char *state)
{
	json_t *t = json_pack("{s:s, s:s, s:s, s:s, s:[s?], s:s}", "id", id, "task", "best_region_identification", "query",
			      "In Q1 2024, in which state were cases closed the fastest? Answer with the code only.",
			      "reward_metric", "exact_match", "answer", state, "persona", "You are an analyst.");
	if (split)
		json_object_set_new(t, "split", json_string(split));
	return t;
}

static void test_options(void **state)
{
	(void)state;
	crmw_task_set *ts = set_of(json_pack("[o, o]", state_task("a", "train", "TX"), state_task("b", "test", "CA")));
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_task_set_baselines(NULL, ts, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, NULL, NULL, NULL), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{"), CRMW_EFORMAT);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "[]"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"splits\":\"test\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "split"));
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"policies\":\"none,oracle\"}"), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "oracle"));
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"policies\":[\"none\", 3]}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"task_ids\":[\"zz\"]}"), CRMW_ENOTFOUND);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"task_ids\":[{}]}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"task_ids\":\"a\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"candidates\":\"gold\"}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"answers\":1}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"user\":{\"mode\":\"oracle\"}}"), CRMW_EINVALID);
	assert_int_equal(crmw_task_set_baselines(&b, ts, NULL, "{\"user\":\"persona\"}"), CRMW_EINVALID);
	/* a selection of policies, in the library's order; a split; ids with repeats */
	json_t *doc = baselines(ts, NULL, "{\"policies\":\" guess , none\",\"split\":\"test\"}");
	assert_int_equal(json_array_size(json_object_get(doc, "baselines")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "baselines"), 0), "name")),
			    "none");
	assert_int_equal(json_integer_value(json_object_get(doc, "tasks")), 1);
	json_decref(doc);
	doc = baselines(ts, NULL, "{\"task_ids\":[\"b\",\"b\",\"a\"],\"policies\":[\"majority\"]}");
	assert_int_equal(json_integer_value(json_object_get(doc, "tasks")), 3);
	/* b (CA) gets the train majority TX; a, the only train task, has nothing left: None */
	assert_true(fabs(json_real_value(json_object_get(policy(doc, "majority"), "score"))) < 1e-9);
	json_decref(doc);
	crmw_buf_dispose(&b);
	crmw_task_set_free(ts);
}

/* The majority leaves the task itself out: a task is never answered with
 * an answer only it has. */
static void test_majority(void **state)
{
	(void)state;
	/* no splits: the family's other tasks */
	crmw_task_set *ts = set_of(json_pack("[o, o, o, o]", state_task("a", NULL, "TX"), state_task("b", NULL, "TX"),
					     state_task("c", NULL, "TX"), state_task("d", NULL, "CA")));
	json_t *doc = baselines(ts, NULL, "{\"answers\":true}");
	const json_t *f = json_object_get(json_object_get(doc, "families"), "best_region_identification");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "reference"), "from")), "all");
	assert_string_equal(json_string_value(json_object_get(f, "majority")), "TX");
	assert_true(fabs(fam_score(doc, "majority", "best_region_identification") - 0.75) < 1e-9);
	/* every code once: 51 candidates, never the answer */
	assert_true(fabs(json_real_value(json_object_get(json_object_get(f, "candidates"), "mean")) - 51) < 1e-9);
	assert_true(fam_score(doc, "candidates", "best_region_identification") == 0);
	assert_string_equal(json_string_value(json_object_get(f, "kind")), "vocabulary");
	/* the guess: TX for a-c (two other TX), TX for d */
	assert_true(fabs(fam_score(doc, "guess", "best_region_identification") - 0.75) < 1e-9);
	assert_true(fam_score(doc, "none", "best_region_identification") == 0);
	assert_true(fam_score(doc, "refusal", "best_region_identification") == 0);
	json_decref(doc);
	crmw_task_set_free(ts);
	/* all different: each task's majority is another's answer */
	ts = set_of(json_pack("[o, o, o]", state_task("a", NULL, "TX"), state_task("b", NULL, "CA"),
			      state_task("c", NULL, "NY")));
	doc = baselines(ts, NULL, NULL);
	assert_true(fam_score(doc, "majority", "best_region_identification") == 0);
	assert_true(fam_score(doc, "guess", "best_region_identification") == 0);
	json_decref(doc);
	crmw_task_set_free(ts);
	/* a train split: test tasks get its majority, None counted as an answer */
	ts = set_of(json_pack("[o, o, o, o, o]", state_task("a", "train", NULL), state_task("b", "train", NULL),
			      state_task("c", "train", "CA"), state_task("d", "test", NULL), state_task("e", "test", "CA")));
	doc = baselines(ts, NULL, "{\"split\":\"test\"}");
	f = json_object_get(json_object_get(doc, "families"), "best_region_identification");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "reference"), "from")), "train");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "reference"), "tasks")), 3);
	assert_string_equal(json_string_value(json_object_get(f, "majority")), "None");
	assert_true(fabs(fam_score(doc, "majority", "best_region_identification") - 0.5) < 1e-9);
	assert_true(fabs(fam_score(doc, "none", "best_region_identification") - 0.5) < 1e-9);
	/* the guess is a candidate, never None: CA */
	assert_true(fabs(fam_score(doc, "guess", "best_region_identification") - 0.5) < 1e-9);
	json_decref(doc);
	/* another reference split */
	doc = baselines(ts, NULL, "{\"split\":\"test\",\"reference_split\":\"test\",\"policies\":\"majority\"}");
	f = json_object_get(json_object_get(doc, "families"), "best_region_identification");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "reference"), "tasks")), 2);
	json_decref(doc);
	crmw_task_set_free(ts);
}

/* Id answers: the org's ids of the answer's object, or those the gold
 * program's replies show, or (no org) the reference answers' ids. */
static void test_candidates(void **state)
{
	(void)state;
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_select(&ts, sets[0], "{\"families\":[\"handle_time\",\"activity_priority\"]}"),
			 CRMW_OK);
	json_t *doc = baselines(ts, dbs[0], "{\"policies\":\"candidates\",\"answers\":true}");
	const json_t *ht = json_object_get(json_object_get(doc, "families"), "handle_time");
	const json_t *src = json_object_get(json_object_get(ht, "candidates"), "sources");
	assert_int_equal(json_integer_value(json_object_get(src, "org")), json_integer_value(json_object_get(ht, "tasks")));
	double users = json_real_value(json_object_get(json_object_get(ht, "candidates"), "mean"));
	assert_true(users >= 2);
	/* every listing is of user ids only, and none scores */
	size_t i;
	json_t *rec;
	json_array_foreach(json_object_get(policy(doc, "candidates"), "answers"), i, rec) {
		assert_true(json_real_value(json_object_get(rec, "score")) == 0);
		const char *a = json_string_value(json_object_get(rec, "answer"));
		if (strcmp(json_string_value(json_object_get(rec, "family")), "handle_time") == 0)
			assert_true(strncmp(a, "005", 3) == 0 && !strstr(a, "00T"));
		else
			assert_true(strncmp(a, "00T", 3) == 0 && !strstr(a, "005"));
	}
	json_decref(doc);
	/* from the replies of the gold programs: fewer, and the task's own */
	doc = baselines(ts, dbs[0], "{\"policies\":\"candidates\",\"candidates\":\"results\"}");
	ht = json_object_get(json_object_get(doc, "families"), "handle_time");
	src = json_object_get(json_object_get(ht, "candidates"), "sources");
	assert_int_equal(json_integer_value(json_object_get(src, "gold_results")),
			 json_integer_value(json_object_get(ht, "tasks")));
	assert_true(json_real_value(json_object_get(json_object_get(ht, "candidates"), "mean")) < users);
	assert_string_equal(json_string_value(json_object_get(doc, "candidates")), "results");
	json_decref(doc);
	/* no org: the ids of the train answers */
	doc = baselines(ts, NULL, "{\"policies\":\"candidates\",\"split\":\"test\"}");
	ht = json_object_get(json_object_get(doc, "families"), "handle_time");
	src = json_object_get(json_object_get(ht, "candidates"), "sources");
	assert_int_equal(json_integer_value(json_object_get(src, "answers")), json_integer_value(json_object_get(ht, "tasks")));
	json_decref(doc);
	crmw_task_set_free(ts);
	/* the probes have nothing to list; refusing is what they ask */
	assert_int_equal(crmw_task_set_select(&ts, sets[0], "{\"families\":\"private_customer_information\"}"), CRMW_OK);
	doc = baselines(ts, dbs[0], NULL);
	const json_t *pc = json_object_get(json_object_get(doc, "families"), "private_customer_information");
	assert_string_equal(json_string_value(json_object_get(pc, "kind")), "none");
	assert_true(fam_score(doc, "refusal", "private_customer_information") == 1.0);
	assert_true(fam_score(doc, "candidates", "private_customer_information") == 0);
	assert_true(fam_score(doc, "none", "private_customer_information") == 0);
	json_decref(doc);
	crmw_task_set_free(ts);
}

/* The user of the guessing policy: the curriculum user, which knows the
 * answer, lets it guess on; the default one does not. */
static void test_guess_users(void **state)
{
	(void)state;
	crmw_task_set *ts;
	assert_int_equal(crmw_task_set_select(&ts, sets[0],
					      "{\"families\":\"wrong_stage_rectification,best_region_identification,"
					      "monthly_trend_analysis,lead_qualification\"}"),
			 CRMW_OK);
	json_t *persona = baselines(ts, dbs[0], "{\"policies\":\"guess,guess_multi_turn\",\"answers\":true}");
	json_t *curr = baselines(ts, dbs[0], "{\"policies\":\"guess_multi_turn\",\"user\":{\"mode\":\"curriculum\"}}");
	double single = json_real_value(json_object_get(policy(persona, "guess"), "score"));
	double multi = json_real_value(json_object_get(policy(persona, "guess_multi_turn"), "score"));
	double cur = json_real_value(json_object_get(policy(curr, "guess_multi_turn"), "score"));
	printf("# guessing on %lld tasks: one guess %.3f, one per turn with the persona user %.3f, with the curriculum "
	       "user %.3f\n",
	       (long long)crmw_task_set_count(ts), single, multi, cur);
	assert_true(multi <= single + 1e-9);
	assert_true(cur > single + 0.2);
	size_t i;
	json_t *rec;
	json_array_foreach(json_object_get(policy(persona, "guess_multi_turn"), "answers"), i, rec)
		assert_int_equal(json_array_size(json_object_get(rec, "said")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(curr, "user"), "mode")), "curriculum");
	json_decref(persona);
	json_decref(curr);
	crmw_task_set_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shortcuts_b2b), cmocka_unit_test(test_shortcuts_b2c),
		cmocka_unit_test(test_shortcuts_crmarena), cmocka_unit_test(test_options),
		cmocka_unit_test(test_majority), cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_guess_users),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
