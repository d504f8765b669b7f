/*
 * lib/common/names.c: "did you mean" suggestions: the closest of a set of
 * names to a misspelt one, by case-insensitive edit distance.  Candidates
 * are offered one at a time (crmw__near), so that a caller filters them
 * (a role's visible fields, say) without building an array of any size.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_LEN 128 /* longer names are never suggested (nor corrected) */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return (size_t)-1;
	size_t row[NAME_MAX_LEN + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void crmw__near_init(crmw__near *n, const char *name)
{
	n->name = name;
	n->best = NULL;
	n->best_d = (size_t)-1;
}

void crmw__near_add(crmw__near *n, const char *cand)
{
	if (!n->name || !cand)
		return;
	size_t d = edit_distance(n->name, cand);
	if (d < n->best_d) {
		n->best_d = d;
		n->best = cand;
	}
}

const char *crmw__near_best(const crmw__near *n)
{
	if (!n->name)
		return NULL;
	size_t len = strlen(n->name);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	return n->best_d <= limit ? n->best : NULL;
}

const char *crmw__closest_name(const char *name, const char *const *cands, size_t n)
{
	crmw__near near;
	crmw__near_init(&near, name);
	for (size_t i = 0; i < n; i++)
		crmw__near_add(&near, cands[i]);
	return crmw__near_best(&near);
}
