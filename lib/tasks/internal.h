/*
 * lib/tasks/internal.h: what the files of the tasks module share.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_TASKS_INTERNAL_H
#define CRMW_TASKS_INTERNAL_H

#include "common/internal.h"
#include <crmweaver/tasks.h>
#include <crmweaver/tools.h>

#include <jansson.h>

struct crmw_task_set {
	json_t *tasks; /* array of task objects, normalised by crmw__task_check_record */
};

/* A task set that takes the array (a new reference is not taken). */
int crmw__task_set_wrap(crmw_task_set **out, json_t *tasks);

/* Check one record and normalise it in place: "task"/"type"/"family" agree,
 * "answer" becomes a list.  On error writes a reason naming the field. */
int crmw__task_check_record(json_t *rec, char *why, size_t whylen);

/* Does a list option (an array of strings, or one "a,b" string) name `name`? */
bool crmw__listed(const json_t *list, const char *name);

/* The family of a (normalised) task. */
const char *crmw__task_family(const json_t *task);

/* Whether the answers of `family` need reading free text (a transcript, an
 * article, a note): false for NULL and for a family the registry does not
 * know.  The memory policy uses learned rules for these families only
 * behind its "free_text" option. */
bool crmw__family_reads_text(const char *family);

/* The gold answer as a list of strings; NULL entries mean None.  Returns a
 * new array; None answers give an empty array. */
json_t *crmw__gold_list(const json_t *answer);

/* Score `answer` for `task` with its metric.  `messages` may be NULL. */
int crmw__task_reward(double *score, json_t **info, const json_t *task, const char *answer, const json_t *messages,
		      crmw_judge_fn judge, void *userdata);

int crmw__reward_exact(double *score, json_t **info, const json_t *gold, const char *answer);

/* Options of exact_match (docs/tasks.md, "Scoring"). */
typedef struct crmw__exact_opts {
	bool strict;	  /* answer == gold, nothing stripped (the function-calling harness) */
	bool lenient_ids; /* a 15-character id stands for the 18-character id it begins */
	const char *task; /* the task type: picks the kind of entity read; NULL: the gold's kinds */
} crmw__exact_opts;

/* exact_match with options (NULL: the defaults). */
int crmw__reward_exact_opts(double *score, json_t **info, const json_t *gold, const char *answer,
			    const crmw__exact_opts *opt);
/* exact_match of `answer` to `task` (its type and gold answer). */
int crmw__reward_exact_task(double *score, json_t **info, const json_t *task, const char *answer,
			    const crmw__exact_opts *opt);
int crmw__reward_fuzzy(double *score, json_t **info, const json_t *gold, const char *answer);
int crmw__reward_privacy(double *score, json_t **info, const json_t *messages, const json_t *protected_values,
			 const json_t *task, crmw_judge_fn judge, void *userdata);

/*
 * Gold programs.  A runner holds a registry of every built-in tool over one
 * org; crmw__gold_run runs a task's program with the task's today and role.
 * *report gets the JSON of crmw_task_check; *answer the respond content
 * (NULL when the program did not reach respond).
 */
typedef struct crmw__gold_runner {
	crmw_db *db;
	crmw_registry *reg;
	crmw_query_opts *opts;
} crmw__gold_runner;

int crmw__gold_runner_init(crmw__gold_runner *r, crmw_db *db);
void crmw__gold_runner_dispose(crmw__gold_runner *r);
int crmw__gold_run(crmw__gold_runner *r, const json_t *task, json_t **report, char **answer);
/* Set the runner's today and role to the task's (context.today and
 * context.role), so that its registry runs calls as the task's episode
 * would.  CRMW_OK, or the error with why[]. */
int crmw__gold_runner_task(crmw__gold_runner *r, const json_t *task, char *why, size_t len);
/* crmw__gold_run that also hands over the parsed result of every tool step
 * before respond (an array, in step order; a step that failed or was cut is
 * not in it).  *results is set whenever CRMW_OK is returned; the caller
 * frees it. */
int crmw__gold_run_results(crmw__gold_runner *r, const json_t *task, json_t **report, char **answer,
			   json_t **results);


/*
 * Programs (lib/tasks/program.c; the notation is in its header comment and
 * docs/backends.md, "Programs").  Gold programs are programs; one
 * interpreter runs both: crmw__program_next gives the next tool call, the
 * answer, or why it abstains, from the task and the results so far.
 */
#define CRMW__PROG_MAX_STEPS 64
#define CRMW__PROG_MAX_DEPTH 16
#define CRMW__PROG_MAX_NODES 20000
#define CRMW__PROG_MAX_ANY 256
#define CRMW__PROG_MAX_PERIODS 8
#define CRMW__PROG_MAX_OFFSET 1000 /* of "$number" */
#define CRMW__PROG_MAX_MATCH 256   /* bytes of a value "$pick" looks for in the query */
#define CRMW__PROG_MAX_CHOICES 64  /* items a "$choose" has cues for */
#define CRMW__PROG_MAX_CUES 32     /* cues of one item of a "$choose" */
#define CRMW__PROG_MAX_SHARED 4096 /* sentence keys of a "$choose" ("shared") */
#define CRMW__PROG_MAX_ITEM_WORDS 4096 /* words of one item of a "$choose" */
#define CRMW__PROG_MAX_COST (1 << 24) /* work for one value: nodes and bytes read or made, query scanned */
#define CRMW__PROG_NODE_COST 16	      /* a node of a value, in bytes of CRMW__PROG_MAX_COST */

typedef struct crmw__prog_tok {
	size_t at, len;
	int64_t num; /* the value of a number ("3", "three"), else -1 */
} crmw__prog_tok;

/* What expressions read of a task, made once per task and results. */
typedef struct crmw__prog_ctx {
	const json_t *task, *results; /* borrowed */
	const char *query;	      /* borrowed; "" when the task has none */
	char *low;		      /* the query, ASCII lower-cased */
	crmw__prog_tok *tok;
	size_t ntok;
	json_t *ids; /* distinct ids of the query, metadata.required and context.role, in order */
	bool has_today;
	int64_t today; /* days since 1970-01-01 */
	size_t nper;   /* time expressions found (may exceed CRMW__PROG_MAX_PERIODS) */
	crmw__period per[CRMW__PROG_MAX_PERIODS];
	bool explain;  /* crmw__program_next_ctx fills crmw__prog_next.explain */
	/* borrowed; NULL, or a mark per token of the wording around the
	 * question ("I need this for a status report."), which "$choose" does
	 * not read: the memory policy sets it (crmw__induced_next) */
	const uint8_t *around;
} crmw__prog_ctx;

int crmw__prog_ctx_init(crmw__prog_ctx *c, const json_t *task, const json_t *results);

/* The next "label: value" line of a task's metadata.required text from *at
 * (a line's leading '#', '-', '*' and blanks are no part of its label; the
 * label holds no ':' and is at most CRMW__PROG_MAX_LABEL bytes; the value
 * is the rest of the line without its outer blanks, not empty; a line ends
 * at a line feed or a carriage return).  Advances
 * *at past the line; false at the end of the text. */
#define CRMW__PROG_MAX_LABEL 64
bool crmw__prog_field_next(const char **at, const char **label, size_t *llen, const char **value, size_t *vlen);

void crmw__prog_ctx_dispose(crmw__prog_ctx *c);

/* Why a value could not be computed: the task does not fit an expression
 * (a number, phrase, period or id it reads is not there), a result does
 * not (a path, a shape; or the value costs more than CRMW__PROG_MAX_COST),
 * the alternatives of "$any" disagree, or out of memory (an error, not an
 * abstention). */
enum { CRMW__PROG_TASK = 1, CRMW__PROG_RESULT, CRMW__PROG_DISAGREE, CRMW__PROG_NOMEM };

/* The value of an expression (a new reference; the caller must not change
 * it: it may share the results' values), or NULL with why[] and *cls. */
json_t *crmw__program_eval(const json_t *expr, const crmw__prog_ctx *c, int *cls, char *why, size_t len);
/* The same; with `text`, the alternatives of "$any" agree when they are
 * answered with the same text (an answer: ["x"] and "x"). */
json_t *crmw__program_eval_as(const json_t *expr, const crmw__prog_ctx *c, bool text, int *cls, char *why, size_t len);

/* Does `s` occur in the task's query at word boundaries (ASCII case ignored)? */
bool crmw__prog_in_query(const crmw__prog_ctx *c, const char *s);

/* Does the query say the words (lower-cased tokens) next to each other,
 * somewhere?  What "$said" reads. */
bool crmw__prog_says(const crmw__prog_ctx *c, const json_t *words);

/* One past the last token of the sentence that starts at token `start`
 * (it ends with "?", "!", a "." before a blank, or a line's end), and the
 * key of the sentence of tokens [from, to): FNV-1a of its lowercased
 * tokens, one space apart, in 16 hex digits; false for a sentence with a
 * number, an id or a period, or with no word. */
size_t crmw__prog_sentence_end(const crmw__prog_ctx *c, size_t start);
bool crmw__prog_sentence_key(const crmw__prog_ctx *c, size_t from, size_t to, char key[17]);

/* Is token i a name: it starts with a capital letter and does not start a
 * sentence (it follows neither '.', '?', '!', ':', a tab or a line's start
 * nor the query's start)?  "Compact Edge Solver Node" in "a fault on our
 * Compact Edge Solver Node" is one, "Solver" in "Solver run aborts" not. */
bool crmw__prog_tok_is_name(const crmw__prog_ctx *c, size_t i);

/* Is token i inside one of the query's time expressions?  Their words
 * ("weeks", "September", "fall") are the task's values, read by $period,
 * not words of a family's wording. */
bool crmw__prog_tok_in_period(const crmw__prog_ctx *c, size_t i);

/* Is token i a word: a token that starts with a letter, no number, id or
 * part of a time expression, at most 40 bytes (crmw__prog_add_words
 * counts these and their pairs)? */
bool crmw__prog_tok_is_word(const crmw__prog_ctx *c, size_t i);

/* Is token i text no word check can read: a run of non-ASCII characters
 * ("データ", "не"), or letters after a digit ("4tb", "2nd"), not an id?
 * Such tokens are no words (crmw__prog_add_words), so what they say
 * reaches no word check: "$choose" and the direction checks read them as
 * a word training never saw. */
bool crmw__prog_tok_unreadable(const crmw__prog_ctx *c, size_t i);

/* The words of the query (lower-cased tokens that start with a letter, no
 * number, id or word of a time expression) and the pairs of words next to
 * each other ("w1 w2"), into `words` ({word: n}, each counted once per
 * query), but those of the tokens `skip` marks (NULL: none).  CRMW_OK or
 * CRMW_ENOMEM. */
int crmw__prog_add_words(json_t *words, const crmw__prog_ctx *c, const uint8_t *skip);

/* Does the query say each word of s (its runs of ASCII letters and digits,
 * as the query's tokens are cut, any case), one at least? */
bool crmw__prog_says_each_word(const crmw__prog_ctx *c, const char *s);

/* Where the query says the words of s in their order, each at most six
 * tokens after the one before ("slim notebook" in "the Slim 2-in-1
 * Notebook"): the bytes [*from, *to) of the first such span.  False when
 * it does not (or s has no word). */
bool crmw__prog_words_span(const crmw__prog_ctx *c, const char *s, size_t *from, size_t *to);

/* Is the string s one of the strings of the JSON array a? */
bool crmw__prog_array_has(const json_t *a, const char *s);

/* The hash of a list as "$choose" keeps its catalogue: FNV-1a of its
 * compact JSON with sorted keys, in 16 hex digits.  CRMW_OK or
 * CRMW_ENOMEM. */
int crmw__prog_list_hash(char out[17], const json_t *list);

/* "null", "empty", "one", "many", "map" or "scalar" (static). */
const char *crmw__prog_shape(const json_t *v);

/* CRMW_OK, or CRMW_EINVALID with why[] naming the step or guard and what
 * is wrong.  Bounded: steps, guards, values, nesting, words. */
int crmw__program_check(const json_t *program, char *why, size_t len);
/* Are the first n results, by their shapes, the start of a route a guard's
 * episodes took (its "path"; a guard without one has none)? */
bool crmw__prog_on_route(const json_t *guard, const json_t *results, size_t n);

enum { CRMW__PROG_CALL = 1, CRMW__PROG_ANSWER, CRMW__PROG_ABSTAIN };

typedef struct crmw__prog_next {
	int kind;	   /* CRMW__PROG_* */
	int step;	   /* the step it is at: the number of results */
	int guard;	   /* ANSWER: 1 + the guard that fired, 0 for respond */
	int cls;	   /* ABSTAIN: CRMW__PROG_TASK/RESULT/DISAGREE */
	const char *name;  /* CALL: the tool (borrowed from the program) */
	json_t *arguments; /* CALL: resolved, owned */
	char *answer;	   /* ANSWER: owned */
	char why[512];	   /* ABSTAIN: why */
	/* CALL and ANSWER, when the context asks for it (crmw__prog_ctx.explain;
	 * crmw__program_next always): owned, {"values": {path: expression},
	 * "guard"?: {"index", "after", "shape"}}: the expression (a "$any" of
	 * the alternatives that all computed it and agreed, or the one) of every
	 * leaf of the arguments ("product_id", "ids/0") or of the answer
	 * ("answer"), shared with the program; the guard that fired.
	 * crmw__induced_next adds "programs" (the library's indexes of the
	 * programs that agreed) and "words" (crmw__induced_next).  Described
	 * for people by crmw__prog_explain_json. */
	json_t *explain;
} crmw__prog_next;

/* The next step of a (checked) program for a task, given the parsed
 * results of the calls so far.  CRMW_OK with *out filled, or CRMW_ENOMEM.
 * Release *out with crmw__prog_next_clear. */
int crmw__program_next(crmw__prog_next *out, const json_t *program, const json_t *task, const json_t *results);
int crmw__program_next_ctx(crmw__prog_next *out, const json_t *program, const crmw__prog_ctx *c);
/* Does the task fit every step of the program that reads it?  Each
 * argument of each call (and the answer) is computed with no result yet:
 * one the task does not fit (CRMW__PROG_TASK: the number, phrase or period
 * it reads is not in the query) makes *fits false, with why[] naming the
 * step; those that need results are left to their turn.  CRMW_OK or
 * CRMW_ENOMEM. */
int crmw__program_fits_task(bool *fits, const json_t *program, const crmw__prog_ctx *c, char *why, size_t len);
void crmw__prog_next_clear(crmw__prog_next *n);

/* Programs in words (lib/tasks/program_text.c).  The short form of one
 * explanation, for trajectories ("$period start of expression 1", "$ref /2
 * pluck Id", "$argmin /3"; an "$any" inside is named, not opened). */
int crmw__prog_describe(crmw_buf *b, const json_t *expr);
/* crmw__prog_next.explain with each expression replaced by the list of the
 * short forms of its alternatives (a new value; json null for NULL; NULL
 * when out of memory). */
json_t *crmw__prog_explain_json(const json_t *explain);
/* A guideline for a model from the programs of `family` in an induced
 * library (crmw__induce): each way's steps with every argument described
 * by its explanation, the guards, the answer rule, the lines of
 * metadata.required that every example gives alike (the family's
 * definitions) and `pitfalls` (strings; NULL or empty: "none recorded").
 * No value of the examples ({"task", "answer", ...}, crmw__induce's input)
 * is written: a constant that occurs in one of their questions,
 * definitions or answers, an id, a field or context word that is part of
 * an answer, is described instead.  Appends to *out.  CRMW_OK,
 * CRMW_ENOTFOUND (no program of the family), CRMW_ENOMEM. */
int crmw__program_guide(crmw_buf *out, const json_t *lib, const char *family, const json_t *examples,
			const json_t *pitfalls);

/* Resolve the {"$ref"} arguments of a step against earlier results (the
 * program interpreter's evaluation, with no task). */
json_t *crmw__gold_resolve(const json_t *args, const json_t *results, char *why, size_t whylen);
/* The same; *rc is CRMW_ENOMEM when it failed for want of memory, else CRMW_OK. */
json_t *crmw__gold_resolve_rc(const json_t *args, const json_t *results, int *rc, char *why, size_t whylen);

/* A value as the text a model would answer: null and [] are "None", a list
 * is joined with ", ". Caller frees. */
char *crmw__answer_text(const json_t *v);

/* What a task's user and model may read of it: a copy without "answer",
 * "gold" and "context.protected" (NULL when out of memory).  lib/tasks/usersim.c. */
json_t *crmw__task_view(const json_t *task);

/* The mode a simulated user runs in: "persona", "curriculum" or "host" (a
 * callback speaks).  lib/tasks/usersim.c. */
const char *crmw__user_sim_mode(const crmw_user_sim *u);

/* The name of a US state ("TX" -> "Texas"), or NULL.  lib/tasks/privacy.c. */
const char *crmw__state_name(const char *code);

/* The figures of a text, as protected values: amounts of money ("$20000")
 * and numbers with their unit ("15 percent", "50 units").  A new array, or
 * NULL when out of memory.  lib/tasks/privacy.c. */
json_t *crmw__privacy_figures(const char *text);

/* The closed vocabulary of a task type's answers as exact_match reads them
 * (every US state code, month, stage or BANT factor): entry i in a fixed
 * order, NULL past the end and for the types whose answers are ids or text.
 * lib/tasks/reward.c. */
const char *crmw__answer_vocab(const char *task, size_t i);

/* Text helpers shared by the rewards and the synthesiser. */
bool crmw__is_id_token(const char *s, size_t n);
extern const char *const crmw__month_names[12];

#endif
