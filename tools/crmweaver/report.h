/*
 * The report writer shared by crmweaver report and crmweaver demo.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_CLI_REPORT_H
#define CRMW_CLI_REPORT_H

#include <jansson.h>

/* The trajectories of one JSONL file (an array); NULL after reporting why. */
json_t *report_load(const char *path);

/* Write the HTML page over `nsplits` arrays of trajectories named `names`. */
int report_write(const char *path, const char *title, json_t *const *splits, const char *const *names, int nsplits);

/* Set by crmweaver demo: crmweaver run prints no table. */
extern int run_quiet;

#endif
