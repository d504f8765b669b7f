/*
 * lib/gen/vocab.h: the vocabularies of the generator profiles.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_GEN_VOCAB_H
#define CRMW_GEN_VOCAB_H

#include "common/internal.h"

/*
 * A kind of fact a product's knowledge article states.  `statement` goes
 * into the article, `question` is what a customer asks ([a|b] forms, the
 * generator's template language), `answer` the short answer; all three
 * take the slots {product} and {v} (the value, drawn per article from
 * `values`, a "[a|b|c]" choice, or, when values is NULL, a number in
 * [lo, hi] rounded to a multiple of step).
 */
typedef struct crmw_fact {
	const char *statement;
	const char *question;
	const char *answer;
	const char *values;
	int lo, hi, step;
} crmw_fact;

typedef struct crmw_category {
	const char *name;
	const char *const *nouns;     /* NULL-terminated */
	const char *const *variants;  /* NULL-terminated, prefixed to nouns */
	int price_lo, price_hi;
	const char *const *const *noun_features; /* per noun (parallel to nouns): NULL-terminated features of that product type */
	const crmw_fact *facts;       /* what its knowledge articles state beside the features; terminated by a NULL statement */
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

/* A question a policy article answers: forms ([a|b]) and the short answer,
 * as the rule states it. */
typedef struct crmw_qa {
	const char *question;
	const char *answer;
} crmw_qa;

typedef struct crmw_policy {
	const char *kind;
	const char *title;
	const char *summary;
	const char *rule;             /* the article's statement */
	const char *violation;        /* an agent sentence that contradicts it (template) */
	const crmw_qa *facts;         /* what customers ask of it; terminated by a NULL question */
} crmw_policy;

typedef struct crmw_profile {
	const char *name;
	int set;                      /* 1 crmarena, 2 b2b, 4 b2c */
	const char *company;
	const char *domain;
	const crmw_category *categories;  /* terminated by a NULL name */
	const crmw_issue *issues;
	const crmw_policy *policies;
	const char *const *lines;     /* product line names, between variant and noun ("Women's Apex Trail Runner"); NULL-terminated */
	const char *const *competitors; /* companies prospects compare us with; NULL-terminated */
	const char *const *topics;    /* what sales calls discuss; NULL-terminated */
	int business;                 /* customers are companies (the case texts speak for a team) */
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
