/*
 * Arenas: bump allocation for trees that die together.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "common/internal.h"

#include <stdlib.h>
#include <string.h>

struct crmw_arena_chunk {
	struct crmw_arena_chunk *next;
	size_t cap;
	_Alignas(16) unsigned char data[];
};

void *crmw__arena_alloc(crmw_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->used + n > a->cap) {
		size_t cap = n > 8192 ? n : 8192;
		struct crmw_arena_chunk *c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = a->head;
		c->cap = cap;
		a->head = c;
		a->used = 0;
		a->cap = cap;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *crmw__arena_strndup(crmw_arena *a, const char *s, size_t n)
{
	char *d = crmw__arena_alloc(a, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void crmw__arena_free(crmw_arena *a)
{
	struct crmw_arena_chunk *c = a->head;
	while (c) {
		struct crmw_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = a->cap = 0;
}
