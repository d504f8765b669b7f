/*
 * bench/induce_eval.h: the offline evaluation of induced programs (issue
 * 27, "Numbers"), shared by `crmweaver-bench memory-policy` and
 * tests/unit/test_induce_eval.c, which both compile bench/induce_eval.c.
 *
 * An org (a profile and seed, generated at a scale) gets a task set of 150
 * tasks per family with a 30% test split; the gold runs of its first train
 * tasks of each family become episodes (crmw__induce_episode).  For each
 * training size N, programs are induced (crmw__induce, min support 2) from
 * the first N episodes of each family, and every test task is answered by
 * running crmw__induced_next against the gold runner's registry step by
 * step (the task's today and role), then scored by the task's reward:
 * solved (reward 1), wrong (answered, reward below 1) or abstained.  At the
 * largest size every test task is also answered with its family's programs
 * and words taken out and the family not given ("held_out").
 *
 * It lives in bench/ rather than tests/lib/ because the benchmark program
 * is built whether or not the tests are (the tests are off in a subproject
 * build), and the tests may reach into bench/, not the other way round.  It
 * uses the library's internals (the gold runner, induction, the
 * interpreter), so what links it links the library's objects
 * (crmw_internal_dep), not the shared library.
 *
 * Diagnostics on stderr, for both: CRMW_INDUCE_VERBOSE (every abstention of
 * a structured family at the size it names, e.g. CRMW_INDUCE_VERBOSE=40,
 * else at the largest; and held-out answers),
 * CRMW_INDUCE_TRACE=<task id> (the calls and the gold run of one task),
 * CRMW_INDUCE_DUMP=<folder> (each induced library as a file).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_BENCH_INDUCE_EVAL_H
#define CRMW_BENCH_INDUCE_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <crmweaver.h>

#include "tasks/internal.h"

/* The families whose answers the programs compute from records (the issue's
 * "structured families", the probes included); NULL-terminated.  Those
 * whose answers need reading free text (they must abstain) are the task
 * registry's (crmw__family_reads_text). */
extern const char *const induce_eval_structured[];
bool induce_eval_listed(const char *const *list, const char *family);

/* What a task's run gave. */
enum { INDUCE_EVAL_SOLVED = 0, INDUCE_EVAL_WRONG = 1, INDUCE_EVAL_ABSTAINED = 2 };

/* Tasks per family and the test share of the evaluation's task sets. */
#define INDUCE_EVAL_PER_FAMILY 150
#define INDUCE_EVAL_TEST_SHARE 0.3

/* One org with its task set, gold runner and training episodes. */
typedef struct induce_eval_org {
	char profile[32];
	int seed;
	char path[4400];		/* the org's file */
	crmw_db *db;		/* read-only */
	crmw_task_set *ts;	/* INDUCE_EVAL_PER_FAMILY per family, test share INDUCE_EVAL_TEST_SHARE */
	crmw__gold_runner runner;
	bool runner_ok;
	json_t *train;		/* family -> [episode], the first max_train train tasks whose gold run solved them */
	json_t *train_tasks;	/* family -> [task], the tasks of those episodes, in the same order */
} induce_eval_org;

/*
 * Generate the org `profile` (b2b, b2c, crmarena) with `seed` at `scale`
 * into DIR/org.db (DIR exists; the file must not), make its task set (seed
 * `seed`) and the episodes of the first `max_train` train tasks of each
 * family.  CRMW_OK, or the failure's code with why[].  Close with
 * induce_eval_org_close also after a failure.
 */
int induce_eval_org_open(induce_eval_org *o, const char *dir, const char *profile, int seed, double scale,
			 int max_train, char *why, size_t len);
/* Free it all and remove the org's files (not DIR). */
void induce_eval_org_close(induce_eval_org *o);

/* Every test task of the org's task set, in order (borrowed; a new array). */
json_t *induce_eval_test_tasks(const induce_eval_org *o);

/* The library induced from the first n episodes of each family, each of
 * its programs checked (crmw__program_check); *ms the time crmw__induce
 * took.  NULL with why[] on failure. */
json_t *induce_eval_library(const induce_eval_org *o, int n, double *ms, char *why, size_t len);

/* The interpreter's time on one task (every crmw__induced_next call of it,
 * tool calls excluded): on the monotonic clock and in the thread's CPU time
 * (the steadier one on a busy machine). */
typedef struct induce_eval_time {
	double wall_us, cpu_us;
	bool held_out;		/* a run with the family's programs out and its label withheld */
} induce_eval_time;

/* The results of the evaluation, summed over the orgs run into it. */
typedef struct induce_eval {
	const int *sizes;	/* ascending training sizes per family */
	int nsizes;
	json_t *table;		/* family -> {"<size>": [solved, wrong, abstained], "held_out": [...]} */
	double *induce_ms;	/* per size, added to (the caller's array of nsizes) */
	induce_eval_time *answer; /* every task run that answered or abstained */
	size_t n_answer, cap_answer;
	int n_orgs;
} induce_eval;

/* Answer every test task of `o` at each size into `e` (and held out at the
 * largest).  CRMW_OK, or the failure's code with why[] (a library call that
 * failed, an induced program that does not pass the check). */
int induce_eval_org_run(induce_eval *e, induce_eval_org *o, char *why, size_t len);

/* table[family][col][what] (0 when missing). */
int induce_eval_cell(const json_t *family_row, const char *col, int what);
/* Add n to table[family][col][what] (made [0, 0, 0] when missing); false
 * when out of memory. */
bool induce_eval_add(json_t *table, const char *family, const char *col, int what, int n);

/* Free the table and the timings (not induce_ms). */
void induce_eval_dispose(induce_eval *e);

#endif
