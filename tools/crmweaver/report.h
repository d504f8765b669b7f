/*
 * The report writer shared by crmweaver report and crmweaver demo.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_CLI_REPORT_H
#define CRMW_CLI_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Episode counts of one group (a family, a skill): what crmweaver eval and
 * crmweaver report both show, counted in one place (cmd_run.c). */
typedef struct fam_stats {
	char name[96];
	int64_t tasks, solved, wrong, abstained, plans, mem_hits, turns;
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
/* qsort comparator: by name. */
int stats_cmp(const void *a, const void *b);

/* The trajectories of one JSONL file (an array); NULL after reporting why. */
json_t *report_load(const char *path);

/* Write the HTML page over `nsplits` arrays of trajectories named `names`. */
int report_write(const char *path, const char *title, json_t *const *splits, const char *const *names, int nsplits);

/* Set by crmweaver demo: crmweaver run prints no table. */
extern int run_quiet;

#endif
