/*
 * lib/gen/vocab.h: the vocabularies of the generator profiles.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_GEN_VOCAB_H
#define CRMW_GEN_VOCAB_H

#include "common/internal.h"

typedef struct crmw_category {
	const char *name;
	const char *const *nouns;     /* NULL-terminated */
	const char *const *variants;  /* NULL-terminated, prefixed to nouns */
	int price_lo, price_hi;
	const char *const *features;  /* NULL-terminated: facts for knowledge articles */
} crmw_category;

typedef struct crmw_issue {
	const char *name;
	const char *description;
	int base_hours;               /* typical handle time */
	const char *policy;           /* the policy kind a conversation about it touches */
	const char *const *subjects;  /* NULL-terminated templates with {product} */
	const char *description_tmpl;
	const char *categories;       /* the categories it happens to ("|"-separated), NULL: all */
} crmw_issue;

typedef struct crmw_policy {
	const char *kind;
	const char *title;
	const char *summary;
	const char *rule;             /* the article's statement */
	const char *violation;        /* an agent sentence that contradicts it (template) */
	const char *question;         /* a customer question the article answers */
	const char *answer;           /* the short answer, as stated in the rule */
} crmw_policy;

typedef struct crmw_profile {
	const char *name;
	int set;                      /* 1 crmarena, 2 b2b, 4 b2c */
	const char *company;
	const char *domain;
	const crmw_category *categories;  /* terminated by a NULL name */
	const crmw_issue *issues;
	const crmw_policy *policies;
} crmw_profile;

typedef struct crmw_state {
	const char *code;
	const char *city;
} crmw_state;

extern const char *const crmw__first_names[];
extern const size_t crmw__n_first_names;
extern const char *const crmw__last_names[];
extern const size_t crmw__n_last_names;
extern const crmw_state crmw__states[];
extern const size_t crmw__n_states;
extern const crmw_profile crmw__profiles[];

#endif
