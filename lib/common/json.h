/*
 * lib/common/json.h: the library's JSON reader (json.c), building jansson
 * values much faster than jansson's own reader.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_COMMON_JSON_H
#define CRMW_COMMON_JSON_H

#include "common/internal.h"

#include <jansson.h>

typedef struct crmw__json_error {
	size_t offset;   /* byte offset of the problem */
	int line, column;
	char text[160];  /* what is wrong */
} crmw__json_error;

/* Parse exactly one JSON value (any type) from text[0..len): strict RFC 8259,
 * duplicate object keys and NUL characters rejected, at most 512 levels deep.
 * @return CRMW_OK (*out owns a reference), CRMW_EFORMAT (err says where and
 *         why; err may be NULL), CRMW_ENOMEM */
int crmw__json_parse(const char *text, size_t len, json_t **out, crmw__json_error *err);

/* Every key of `obj` must be among `keys`; otherwise CRMW_EINVALID with
 * "<what>: unknown <noun> "k" (did you mean ...?)". */
int crmw__json_check_keys(crmw_err *e, json_t *obj, const char *what, const char *noun, const char *const *keys,
			  size_t nkeys);

/* Append `v` as compact JSON (keys in the object's order; reals as
 * jansson writes them).  Strings go through crmw__buf_json_str, several
 * times faster than json_dumps on long texts. */
int crmw__json_write(crmw_buf *b, const json_t *v);

/* Parse an options document: NULL or "" gives *out = NULL (defaults);
 * otherwise it must be a JSON object whose keys are all among `keys` (an
 * unknown key is an error naming the closest known one).  `what` names the
 * options in messages ("memory options").  Values are checked by the caller.
 * Every public function that takes options reads them with it.
 * @return CRMW_OK, CRMW_EFORMAT (not JSON), CRMW_EINVALID, CRMW_ENOMEM */
int crmw__json_options(json_t **out, crmw_err *e, const char *text, const char *what, const char *const *keys,
		       size_t nkeys);

/* The values of an options object read by crmw__json_options.  An absent
 * key leaves *out as it is (the default) and returns CRMW_OK; a value of the
 * wrong type or outside [lo, hi] is CRMW_EINVALID with
 * '<what>: "<key>" must be <what it must be>' (crmw__opt_bad). */
int crmw__opt_bad(crmw_err *e, const char *what, const char *key, const char *want);
int crmw__opt_int(crmw_err *e, const char *what, const json_t *o, const char *key, int64_t lo, int64_t hi,
		  int64_t *out);
int crmw__opt_real(crmw_err *e, const char *what, const json_t *o, const char *key, double lo, double hi,
		   double *out);
int crmw__opt_bool(crmw_err *e, const char *what, const json_t *o, const char *key, bool *out);
/* A string, copied; the copy replaces *out (the old one is freed). */
int crmw__opt_str(crmw_err *e, const char *what, const json_t *o, const char *key, char **out);

/* crmw__json_options for an object of other named things: `noun` names its
 * keys in messages ("variable": 'bindings: unknown variable "x"'). */
int crmw__json_keyed(json_t **out, crmw_err *e, const char *text, const char *what, const char *noun,
		     const char *const *keys, size_t nkeys);

/* The value an RFC 6901 pointer names in `root`, or NULL (an array index
 * is "0" or decimal digits without a leading zero; reference tokens of any
 * length; NULL too when out of memory for a token longer than 255 bytes). */
const json_t *crmw__json_pointer(const json_t *root, const char *p);

/* Count a value without recursion on its depth: *nodes grows by one for
 * each value (v and everything it holds), *bytes (when not NULL) by the
 * bytes of each string and key.  Stops as soon as a bound is passed.
 * @return 0 within the bounds (v itself at depth 0, what it holds at 1...),
 *         1 when *nodes passed max_nodes, *bytes max_bytes or the nesting
 *         max_depth, -1 when out of memory (for the stack of a deep value) */
int crmw__json_measure(const json_t *v, size_t max_depth, size_t *nodes, size_t max_nodes, size_t *bytes,
		       size_t max_bytes);

#endif
