/*
 * The report writer shared by crmweaver report and crmweaver demo.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_CLI_REPORT_H
#define CRMW_CLI_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Episode counts of one group (a family, a skill): what crmweaver eval and
 * crmweaver report both show, counted in one place (cmd_run.c). */
typedef struct fam_stats {
	char name[96];
	int64_t tasks, solved, wrong, abstained, errors, plans, mem_hits, turns;
	/* episodes whose plan read rules learned in a family whose answers need
	 * reading free text (memory policy option free_text): not in plans */
	int64_t free_text_plans;
	double score, ms;
} fam_stats;

typedef struct stats {
	fam_stats *rows;
	size_t n, cap;
} stats;

/* The row named `name` (made on first use); NULL when out of memory. */
fam_stats *stats_row(stats *t, const char *name);
/* Add one trajectory to a row. */
void stats_count(fam_stats *r, const json_t *traj);
/* Add one trajectory to the row of its family. */
int stats_add(stats *t, const json_t *traj);
/* The sum of all rows, named "all". */
void stats_total(const stats *t, fam_stats *all);
/* The per-family table (text or --json, with "baselines": `baselines` or
 * []; `secs` < 0: no time line). */
void stats_print(stats *t, bool as_json, double secs, const json_t *baselines);
/* qsort comparator: by name. */
int stats_cmp(const void *a, const void *b);

/* Did the episode end on a backend error (the model server failed)? */
bool traj_backend_error(const json_t *traj);

/* The distinct backend errors of `trajs` (an array) as one line: "N of M
 * episodes ended on a backend error: "message" (count); ..." (numbers in
 * curl's "after N ms" folded so that one cause is counted once); NULL when
 * there is none.  The caller frees it. */
char *errors_summary(const json_t *trajs);

/* The run metadata written beside a trajectory file (PATH.meta.json), or
 * NULL when there is none or it is not a JSON object. */
json_t *run_meta_load(const char *traj_path);

/* The baselines of a file (a JSON array of {"name", "score", "families":
 * {family: {"score"}}}); NULL after reporting why. */
json_t *baselines_load(const char *cmd, const char *path);

/* The shortcut baselines of the tasks `n` runs ran (trajs[k]: the
 * trajectories of the run in file names[k], metas[k]: its metadata or
 * NULL), each task once: crmw_task_set_baselines over the task file
 * `tasks_path` (else the first one a run's metadata names) with the org
 * `db_path` (else the run's; none: a note on stderr), the user of a
 * multi-turn run.  The "baselines" array, or NULL after reporting why
 * (*status: CLI_USAGE without a task file, else CLI_FAIL; CLI_OK on
 * success). */
json_t *baselines_auto(const char *cmd, json_t *const *trajs, json_t *const *metas, const char *const *names, int n,
		       const char *tasks_path, const char *db_path, int *status);

/* The baselines family by family (text): with `run`, its families, task
 * counts and accuracy beside them; without, the baselines' own families. */
void baselines_print(const json_t *baselines, const stats *run);

/* The trajectories of one JSONL file (an array); NULL after reporting why. */
json_t *report_load(const char *path);

/* What a report shows beside the trajectories (every field may be NULL). */
typedef struct report_extra {
	json_t *const *metas;      /* per split: its run metadata (run_meta_load) */
	const json_t *baselines;   /* shortcut baselines: [{"name", "score", "families": {F: {"score"}}}] */
	const char *tasks_path;    /* gold answers (else each run's task file, from its metadata) */
	const char *memory_path;   /* memory texts (else each run's store, from its metadata) */
} report_extra;

/* Write the HTML page over `nsplits` arrays of trajectories named `names`
 * (two or more: a comparison table first). */
int report_write(const char *path, const char *title, json_t *const *splits, const char *const *names, int nsplits,
		 const report_extra *extra);

/* Set by crmweaver demo: crmweaver run prints no table. */
extern int run_quiet;

#endif
