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
/* crmw__gold_run that also hands over the parsed result of every tool step
 * before respond (an array, in step order; a step that failed or was cut is
 * not in it).  *results is set whenever CRMW_OK is returned; the caller
 * frees it. */
int crmw__gold_run_results(crmw__gold_runner *r, const json_t *task, json_t **report, char **answer,
			   json_t **results);


/* Resolve the {"$ref"} arguments of a step against earlier results. */
json_t *crmw__gold_resolve(const json_t *args, const json_t *results, char *why, size_t whylen);

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
