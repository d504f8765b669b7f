/*
 * lib/tasks/usersim.c: the simulated user of multi-turn episodes.
 *
 * The default user ("persona") is blind to the gold: it is made from a view
 * of the task without "answer", "gold" and "context.protected", and nothing
 * it says depends on whether the agent is right.  It speaks in the voice of
 * the task's persona, reveals the request clause by clause while the agent
 * asks, and ends the conversation (###STOP###) at the agent's first message
 * that looks like a final answer (an answer of the family's kind, None, or a
 * statement rather than a question), right or wrong.  Its wording is drawn
 * from a seeded stream: the same task, seed and agent messages give the same
 * conversation.
 *
 * The gold-aware user of earlier versions is kept as the "curriculum" mode
 * (it stops only when the answer scores 1): a training aid, never the
 * default.  A host callback can speak instead of either.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/synth.h"
#include "common/json.h"

#include <ctype.h>
#include <string.h>

#define STOP "###STOP###"

struct crmw_user_sim {
	json_t *view;	 /* the task as the user may know it: no answer, gold or protected values */
	json_t *task;	 /* curriculum mode only: the whole task, to score the agent's answers */
	json_t *clauses; /* what the user will say, in order */
	json_t *history; /* OpenAI-format messages: "user" is the simulated user */
	size_t next_clause;
	int turns, max_turns;
	int mode;
	int voice;
	int kinds; /* the entity kinds of the family's answers */
	uint64_t seed;
	rng r;
	bool exhausted; /* everything said: the agent's next message ends the talk */
	bool done;
	crmw_user_fn fn;
	void *userdata;
};

enum { MODE_PERSONA, MODE_CURRICULUM };

/* ------------------------------------------------------------- the view */

json_t *crmw__task_view(const json_t *task)
{
	json_t *v = json_deep_copy(task);
	if (!v)
		return NULL;
	json_object_del(v, "answer");
	json_object_del(v, "gold");
	json_object_del(json_object_get(v, "context"), "protected");
	return v;
}

/* ---------------------------------------------------------- the clauses */

/* Does a sentence end at p (a "." "?" or "!" before a space and a capital
 * letter, not after an abbreviation such as "i.e." or "Inc.")? */
static bool sentence_end(const char *start, const char *p)
{
	static const char *const abbrev[] = {"i.e", "e.g", "etc", "vs", "inc", "ltd", "co", "corp", "mr", "mrs", "ms", "dr",
					     "st", "no", "approx", NULL};
	if (!strchr(".?!", *p) || p[1] != ' ' || !isupper((unsigned char)p[2]))
		return false;
	if (*p != '.')
		return true;
	const char *w = p;
	while (w > start && (isalpha((unsigned char)w[-1]) || w[-1] == '.'))
		w--;
	size_t n = (size_t)(p - w);
	for (int k = 0; abbrev[k]; k++)
		if (strlen(abbrev[k]) == n && strncasecmp(w, abbrev[k], n) == 0)
			return false;
	return true;
}

/* The request as the user tells it: context.clauses, else the query's
 * sentences (a fragment too short to stand alone joins the next one; a
 * Markdown block such as "## Given case" stays whole, as the last clause). */
static json_t *make_clauses(const json_t *view)
{
	const json_t *c = json_object_get(json_object_get(view, "context"), "clauses");
	json_t *out = json_array();
	if (!out)
		return NULL;
	size_t i;
	json_t *x;
	json_array_foreach(c, i, x) {
		if (json_is_string(x) && json_string_length(x) > 0)
			json_array_append(out, x);
	}
	if (json_array_size(out) > 0)
		return out;
	const char *q = json_string_value(json_object_get(view, "query"));
	if (!q)
		q = "";
	const char *block = NULL;
	for (const char *p = q; *p && !block; p++)
		if (*p == '\n' && (p[1] == '#' || (p[1] == '-' && p[2] == ' ')))
			block = p + 1;
	const char *end = block ? block : q + strlen(q);
	crmw_buf cur = CRMW_BUF_INIT;
	int rc = CRMW_OK;
	for (const char *p = q; !rc && p < end;) {
		const char *a = p;
		while (p < end && !sentence_end(q, p))
			p++;
		if (p < end)
			p++;
		while (a < p && isspace((unsigned char)*a))
			a++;
		const char *z = p;
		while (z > a && isspace((unsigned char)z[-1]))
			z--;
		if (z == a)
			continue;
		rc = crmw__buf_append(&cur, a, (size_t)(z - a));
		if (!rc && (cur.len >= 24 || p >= end) && json_array_size(out) < 7) {
			rc = json_array_append_new(out, json_string(cur.data)) ? CRMW_ENOMEM : CRMW_OK;
			crmw__buf_clear(&cur);
		} else if (!rc && p < end) {
			rc = crmw__buf_putc(&cur, ' ');
		}
	}
	if (!rc && cur.len) /* past seven clauses the rest goes into the last one */
		rc = json_array_append_new(out, json_string(cur.data)) ? CRMW_ENOMEM : CRMW_OK;
	if (!rc && block)
		rc = json_array_append_new(out, json_string(block)) ? CRMW_ENOMEM : CRMW_OK;
	if (!rc && json_array_size(out) == 0)
		rc = json_array_append_new(out, json_string(q)) ? CRMW_ENOMEM : CRMW_OK;
	crmw_buf_dispose(&cur);
	if (rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ------------------------------------------------------------ the voice */

enum { V_PLAIN, V_BRISK, V_WARM, V_CAREFUL, V_FORMAL, V_N };

/* The voice of a persona, from the words that describe it. */
static int voice_of(const char *persona)
{
	static const char *const words[V_N][16] = {
		{NULL},
		{"busy", "quick", "impatient", "straightforward", "efficient", "fast", "direct", "brief", "short", "time",
		 "results", "hurry", NULL},
		{"chatty", "friendly", "curious", "enjoys", "personal", "relationship", "warm", "satisfaction", "first time",
		 "likes", "customer-centric", NULL},
		{"cautious", "careful", "reassurance", "detail", "methodical", "thorough", "quality", "accurate", "audit",
		 "letter", "policies", "precise", NULL},
		{"executive", "director", "manager", "vp ", "c-level", "lead", "owner", "officer", "analyst", "strategic",
		 "review", "operations", "reports", NULL},
	};
	if (!persona)
		return V_PLAIN;
	char low[512];
	size_t n = strlen(persona) < sizeof low - 1 ? strlen(persona) : sizeof low - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)persona[i]);
	low[n] = '\0';
	int best = V_PLAIN, best_hits = 0;
	for (int v = 1; v < V_N; v++) {
		int hits = 0;
		for (int k = 0; words[v][k]; k++)
			hits += strstr(low, words[v][k]) != NULL;
		if (hits > best_hits) {
			best = v;
			best_hits = hits;
		}
	}
	return best;
}

/* What each voice says: to open, to add a clause, when it has nothing more. */
static const char *const openers[V_N][3] = {
	{"Hi. ", "Hello. ", ""},
	{"", "Quick question. ", "Hi. "},
	{"Hi there! ", "Hello, I hope you're well! ", "Hi! Thanks for helping me out. "},
	{"Hello. I want to get this exactly right. ", "Good morning. ", "Hello. I need an accurate answer. "},
	{"Good day. ", "Hello. ", "I need the following. "},
};
static const char *const more[V_N][3] = {
	{"Also: ", "One more thing: ", "And: "},
	{"", "Also: ", "And: "},
	{"Oh, and I should add: ", "Sure! Also: ", "Good question! "},
	{"To be precise: ", "Let me add a detail. ", "One more detail: "},
	{"Additionally: ", "Further: ", "Note: "},
};
static const char *const nothing_more[V_N][3] = {
	{"That's all I can tell you. The whole request: ", "I have nothing to add. Once more: ", "That is everything. Again: "},
	{"That's all I have. ", "Nothing to add. ", "That's it. "},
	{"I think I've told you everything I know! Here it is again: ", "That's all I've got, sorry! Once more: ",
	 "Hmm, I don't know more than this: "},
	{"That is everything I know. To restate the whole request: ", "I have no further details. Precisely: ",
	 "Nothing more, I'm afraid. The full request: "},
	{"That is the full request: ", "No further details. To restate: ", "That is all. Once more: "},
};

/* ------------------------------------------------- answers and questions */

enum { K_ID = 1, K_MONTH = 2, K_STATE = 4, K_STAGE = 8, K_BANT = 16, K_ANY = 31 };

/* The kinds of answer a family asks for (a public fact, not the gold):
 * free-text families have none. */
static int family_kinds(const json_t *view)
{
	static const struct {
		const char *family;
		int kinds;
	} table[] = {
		{"monthly_trend_analysis", K_MONTH},
		{"best_region_identification", K_STATE},
		{"wrong_stage_rectification", K_STAGE},
		{"lead_qualification", K_BANT},
		{"knowledge_qa", 0},
		{"sales_insight_mining", 0},
		{"private_customer_information", 0},
		{"internal_operation_data", 0},
		{"confidential_company_knowledge", 0},
	};
	const char *fam = crmw__task_family(view);
	if (!fam)
		return K_ANY;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(table); i++)
		if (strcmp(fam, table[i].family) == 0)
			return table[i].kinds;
	/* the other families answer with record ids; a host's own family may answer anything */
	for (const syn_family *f = crmw__syn_families; f->name; f++)
		if (strcmp(fam, f->name) == 0)
			return K_ID;
	return K_ANY;
}

static bool word_in(const char *w, size_t n, const char *const *list, bool capital_only)
{
	for (; *list; list++) {
		if (strlen(*list) != n || strncasecmp(w, *list, n) != 0)
			continue;
		if (!capital_only || isupper((unsigned char)w[0]))
			return true;
	}
	return false;
}

/* Does the message name an entity of the kinds, or say None? */
static bool names_answer(const char *text, int kinds)
{
	static const char *const stages[] = {"Qualification", "Discovery", "Quote", "Negotiation", "Closed", NULL};
	static const char *const bant[] = {"Budget", "Authority", "Need", "Timeline", NULL};
	static const char *const none[] = {"none", "null", "nobody", "nothing", NULL};
	for (const char *p = text; *p;) {
		if (!isalnum((unsigned char)*p)) {
			p++;
			continue;
		}
		const char *w = p;
		while (isalnum((unsigned char)*p))
			p++;
		size_t n = (size_t)(p - w);
		if (word_in(w, n, none, false))
			return true;
		if ((kinds & K_ID) && crmw__is_id_token(w, n))
			return true;
		if ((kinds & K_MONTH) && n >= 3) {
			for (int m = 0; m < 12; m++)
				if (strlen(crmw__month_names[m]) == n && strncasecmp(w, crmw__month_names[m], n) == 0)
					return true;
		}
		if ((kinds & K_STATE) && n == 2 && isupper((unsigned char)w[0]) && isupper((unsigned char)w[1])) {
			char code[3] = {w[0], w[1], 0};
			if (crmw__state_name(code))
				return true;
		}
		if ((kinds & K_STAGE) && word_in(w, n, stages, true))
			return true;
		if ((kinds & K_BANT) && word_in(w, n, bant, true))
			return true;
	}
	/* "there is no agent", "no such month" */
	return strstr(text, "no such") || strstr(text, "there is no") || strstr(text, "there are no") ||
	       strstr(text, "There is no") || strstr(text, "There are no") || strstr(text, "N/A");
}

/*
 * Is the agent's message a question back to the user rather than an
 * answer?  Only when every sentence of four words or more asks something
 * (ends with "?", or starts "could you", "can you", "please tell/specify/
 * clarify/confirm/provide/let me know") and it names no answer.
 */
static bool is_question(const char *text, int kinds)
{
	if (names_answer(text, kinds))
		return false;
	bool asks = false;
	const char *p = text;
	while (*p) {
		while (*p && (isspace((unsigned char)*p) || strchr(".?!", *p)))
			p++;
		if (!*p)
			break;
		const char *a = p;
		int words = 0;
		bool in_word = false;
		while (*p && !strchr(".?!\n", *p)) {
			bool w = isalnum((unsigned char)*p) != 0;
			if (w && !in_word)
				words++;
			in_word = w;
			p++;
		}
		bool q = *p == '?';
		static const char *const starts[] = {"could you", "can you", "would you", "please tell", "please specify",
						     "please clarify", "please confirm", "please provide", "please let me know",
						     "let me know", NULL};
		for (int k = 0; !q && starts[k]; k++)
			q = strncasecmp(a, starts[k], strlen(starts[k])) == 0;
		if (q)
			asks = true;
		else if (words >= 4)
			return false;
	}
	return asks;
}

/* ---------------------------------------------------------- life cycle */

static int parse_options(const char *options_json, int *max_turns, int *mode, uint64_t *seed)
{
	*max_turns = 10;
	*mode = MODE_PERSONA;
	*seed = 0;
	static const char *const keys[] = {"max_turns", "mode", "seed"};
	json_t *o;
	int rc = crmw__json_options(&o, NULL, options_json, "user options", keys, CRMW_ARRAY_LEN(keys));
	if (rc)
		return rc;
	json_t *v = json_object_get(o, "max_turns");
	if (v && !(json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 1000))
		rc = crmw__errf(NULL, CRMW_EINVALID, "user options: \"max_turns\" must be an integer from 1 to 1000");
	else if (v)
		*max_turns = (int)json_integer_value(v);
	const char *m = json_string_value(v = json_object_get(o, "mode"));
	if (!rc && v && !(m && (strcmp(m, "persona") == 0 || strcmp(m, "curriculum") == 0)))
		rc = crmw__errf(NULL, CRMW_EINVALID, "user options: \"mode\" must be \"persona\" or \"curriculum\"");
	else if (!rc && v)
		*mode = strcmp(m, "curriculum") == 0 ? MODE_CURRICULUM : MODE_PERSONA;
	v = json_object_get(o, "seed");
	if (!rc && v && !(json_is_integer(v) && json_integer_value(v) >= 0))
		rc = crmw__errf(NULL, CRMW_EINVALID, "user options: \"seed\" must be an integer >= 0");
	else if (!rc && v)
		*seed = (uint64_t)json_integer_value(v);
	json_decref(o);
	return rc;
}

int crmw_user_sim_new(crmw_user_sim **out, const crmw_task_set *ts, int64_t i, const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !out || !ts);
	*out = NULL;
	if (i < 0 || i >= crmw_task_set_count(ts))
		return crmw__errf(NULL, CRMW_EINVALID, "task index %lld is out of range (the set has %lld tasks)",
				  (long long)i, (long long)crmw_task_set_count(ts));
	int max_turns, mode;
	uint64_t seed;
	int rc = parse_options(options_json, &max_turns, &mode, &seed);
	if (rc)
		return rc;
	const json_t *task = json_array_get(ts->tasks, (size_t)i);
	crmw_user_sim *u = calloc(1, sizeof *u);
	if (!u)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	u->max_turns = max_turns;
	u->mode = mode;
	u->seed = seed;
	u->view = crmw__task_view(task);
	/* only the curriculum user holds the answer */
	u->task = mode == MODE_CURRICULUM ? json_deep_copy(task) : NULL;
	u->history = json_array();
	u->clauses = u->view ? make_clauses(u->view) : NULL;
	if (!u->view || !u->history || !u->clauses || (mode == MODE_CURRICULUM && !u->task)) {
		crmw_user_sim_free(u);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	u->voice = voice_of(json_string_value(json_object_get(u->view, "persona")));
	u->kinds = family_kinds(u->view);
	/* the stream: the seed and what the request says */
	const char *q = json_string_value(json_object_get(u->view, "query"));
	uint64_t h = crmw__fnv1a(CRMW_FNV_OFFSET, q ? q : "", q ? strlen(q) : 0);
	u->r = rng_stream(seed, 0x75736572 /* "user" */, h);
	*out = u;
	return CRMW_OK;
}

int crmw_user_sim_set_callback(crmw_user_sim *u, crmw_user_fn fn, void *userdata)
{
	CRMW__ARGS_NONNULL(NULL, !u);
	u->fn = fn;
	u->userdata = userdata;
	return CRMW_OK;
}

int crmw_user_sim_done(const crmw_user_sim *u)
{
	return u && u->done;
}

void crmw_user_sim_free(crmw_user_sim *u)
{
	if (!u)
		return;
	json_decref(u->view);
	json_decref(u->task);
	json_decref(u->clauses);
	json_decref(u->history);
	free(u);
}

/* ----------------------------------------------------------- the turns */

static const char *clause(const crmw_user_sim *u, size_t i)
{
	return json_string_value(json_array_get(u->clauses, i));
}

/* The user's next words when the agent has not answered: the next clause,
 * or (nothing left) the whole request once more. */
static int go_on(crmw_user_sim *u, crmw_buf *text)
{
	if (u->next_clause < json_array_size(u->clauses)) {
		const char *pre = PICK(&u->r, more[u->voice]);
		const char *cl = clause(u, u->next_clause++);
		bool block = cl[0] == '#' || (cl[0] == '-' && cl[1] == ' '); /* Markdown starts on its own line */
		return crmw__buf_printf(text, "%s%s%s", pre, block && *pre ? "\n" : "", cl);
	}
	u->exhausted = true;
	const char *pre = PICK(&u->r, nothing_more[u->voice]);
	return crmw__buf_printf(text, "%s%s", pre, json_string_value(json_object_get(u->view, "query")));
}

/* The persona user: blind to the gold (it reads u->view only). */
static int persona_reply(crmw_user_sim *u, const char *agent, crmw_buf *text)
{
	if (!agent) {
		u->next_clause = 1;
		return crmw__buf_printf(text, "%s%s", PICK(&u->r, openers[u->voice]), clause(u, 0));
	}
	if (u->exhausted || u->turns + 1 >= u->max_turns || !is_question(agent, u->kinds))
		return crmw__buf_puts(text, STOP);
	return go_on(u, text);
}

/* The curriculum user: stops only on an answer that scores 1. */
static int curriculum_reply(crmw_user_sim *u, const char *agent, crmw_buf *text)
{
	if (!agent) {
		u->next_clause = 1;
		return crmw__buf_puts(text, clause(u, 0));
	}
	double score = 0;
	json_t *msgs = json_deep_copy(u->history);
	if (!msgs)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	json_array_remove(msgs, json_array_size(msgs) - 1); /* the agent's message is passed as the answer */
	int rc = crmw__task_reward(&score, NULL, u->task, agent, msgs, NULL, NULL);
	json_decref(msgs);
	if (rc)
		return rc;
	if (score >= 1.0 || u->turns + 1 >= u->max_turns)
		return crmw__buf_puts(text, STOP);
	if (u->next_clause < json_array_size(u->clauses))
		return crmw__buf_puts(text, clause(u, u->next_clause++));
	return crmw__buf_printf(text, "That is all I can tell you. To sum up: %s",
				json_string_value(json_object_get(u->view, "query")));
}

int crmw_user_sim_reply(crmw_buf *out, crmw_user_sim *u, const char *agent_message)
{
	CRMW__ARGS_NONNULL(NULL, !out || !u);
	if (u->done)
		return crmw__errf(NULL, CRMW_ECANCELED, "the conversation is over: the user said " STOP);
	if (agent_message &&
	    json_array_append_new(u->history, json_pack("{s:s, s:s}", "role", "assistant", "content", agent_message)))
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	crmw_buf text = CRMW_BUF_INIT;
	int rc;
	if (u->fn) {
		/* a language-model user reads the same view: it never gets the gold */
		json_t *req = json_pack("{s:O, s:i, s:O, s:s}", "task", u->view, "turn", u->turns, "history", u->history,
					"mode", u->mode == MODE_CURRICULUM ? "curriculum" : "persona");
		char *rt = req ? json_dumps(req, JSON_COMPACT) : NULL;
		json_decref(req);
		if (!rt)
			return crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		int urc = u->fn(&text, rt, u->userdata);
		free(rt);
		rc = urc ? crmw__errf(NULL, CRMW_EUSER, "the user callback failed (returned %d)", urc) : CRMW_OK;
		if (!rc && (!text.data || !*text.data))
			rc = crmw__errf(NULL, CRMW_EUSER, "the user callback wrote nothing");
	} else if (u->mode == MODE_CURRICULUM) {
		rc = curriculum_reply(u, agent_message, &text);
	} else {
		rc = persona_reply(u, agent_message, &text);
	}
	if (!rc) {
		u->turns++;
		if (strstr(text.data, STOP))
			u->done = true;
		if (json_array_append_new(u->history, json_pack("{s:s, s:s}", "role", "user", "content", text.data)))
			rc = crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
	}
	if (!rc) {
		crmw__buf_clear(out);
		rc = crmw__buf_append(out, text.data, text.len);
	}
	crmw_buf_dispose(&text);
	return rc;
}

const char *crmw__user_sim_mode(const crmw_user_sim *u)
{
	return u->fn ? "host" : u->mode == MODE_CURRICULUM ? "curriculum" : "persona";
}
