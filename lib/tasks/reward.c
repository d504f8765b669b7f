/*
 * lib/tasks/reward.c: the reward functions: exact_match with deterministic
 * answer extraction, fuzzy_match (SQuAD token F1), privacy_rejection.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"

#include <ctype.h>
#include <string.h>

const char *const crmw__month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
					    "July",    "August",   "September", "October", "November", "December"};

static const char *const stage_names[] = {"Qualification", "Discovery", "Quote", "Negotiation", "Closed"};
static const char *const bant_names[] = {"Budget", "Authority", "Need", "Timeline"};
static const char state_codes[] = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
				   "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC";

enum { K_ID = 1, K_MONTH = 2, K_STATE = 4, K_STAGE = 8, K_BANT = 16, K_TEXT = 32 };

bool crmw__is_id_token(const char *s, size_t n)
{
	if (n != 15 && n != 18)
		return false;
	bool digit = false, alpha = false;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (isalpha((unsigned char)s[i]))
			alpha = true;
		else
			return false;
	}
	return digit && alpha;
}

static bool is_state(const char *s, size_t n)
{
	if (n != 2 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]))
		return false;
	/* codes at every third byte; the last one has no space after it */
	for (size_t i = 0; i + 2 < sizeof state_codes; i += 3)
		if (state_codes[i] == s[0] && state_codes[i + 1] == s[1])
			return true;
	return false;
}

/* Index of `s` (n bytes) in `names`: case-insensitive when `ci`, otherwise
 * the capitalised or the upper-case spelling only. */
static int name_index(const char *const *names, int count, const char *s, size_t n, bool ci)
{
	for (int i = 0; i < count; i++) {
		if (strlen(names[i]) != n)
			continue;
		if (ci) {
			if (strncasecmp(names[i], s, n) == 0)
				return i;
			continue;
		}
		if (strncmp(names[i], s, n) == 0)
			return i;
		bool upper = true;
		for (size_t k = 0; k < n && upper; k++)
			upper = s[k] == toupper((unsigned char)names[i][k]);
		if (upper)
			return i;
	}
	return -1;
}

/* The kind of a gold string and its canonical form (written to `canon`). */
static int gold_kind(const char *g, char *canon, size_t cap)
{
	size_t n = strlen(g);
	int i;
	if (crmw__is_id_token(g, n)) {
		snprintf(canon, cap, "%.15s", g);
		return K_ID;
	}
	if ((i = name_index(crmw__month_names, 12, g, n, true)) >= 0) {
		snprintf(canon, cap, "%s", crmw__month_names[i]);
		return K_MONTH;
	}
	if (is_state(g, n)) {
		snprintf(canon, cap, "%s", g);
		return K_STATE;
	}
	if ((i = name_index(stage_names, 5, g, n, true)) >= 0) {
		snprintf(canon, cap, "%s", stage_names[i]);
		return K_STAGE;
	}
	if ((i = name_index(bant_names, 4, g, n, true)) >= 0) {
		snprintf(canon, cap, "%s", bant_names[i]);
		return K_BANT;
	}
	snprintf(canon, cap, "%s", g);
	for (char *p = canon; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return K_TEXT;
}

static void set_add(json_t *set, const char *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(set, i, x) {
		if (strcmp(json_string_value(x), v) == 0)
			return;
	}
	json_array_append_new(set, json_string(v));
}

/* Append to `out` every entity of the kinds in `kinds` that `text` names. */
static void extract(json_t *out, const char *text, int kinds)
{
	const char *p = text;
	while (*p) {
		if (!isalnum((unsigned char)*p)) {
			p++;
			continue;
		}
		const char *w = p;
		while (isalnum((unsigned char)*p))
			p++;
		size_t n = (size_t)(p - w);
		char buf[64];
		int i;
		if ((kinds & K_ID) && crmw__is_id_token(w, n)) {
			snprintf(buf, sizeof buf, "%.15s", w);
			set_add(out, buf);
		} else if ((kinds & K_MONTH) && (i = name_index(crmw__month_names, 12, w, n, true)) >= 0) {
			set_add(out, crmw__month_names[i]);
		} else if ((kinds & K_STATE) && is_state(w, n)) {
			snprintf(buf, sizeof buf, "%.2s", w);
			set_add(out, buf);
		} else if ((kinds & K_STAGE) && (i = name_index(stage_names, 5, w, n, false)) >= 0) {
			set_add(out, stage_names[i]);
		} else if ((kinds & K_BANT) && (i = name_index(bant_names, 4, w, n, false)) >= 0) {
			set_add(out, bant_names[i]);
		}
	}
}

/* Free-text items of a list answer: split at commas, semicolons, new lines
 * and " and "; trimmed and lower-cased. */
static void extract_text(json_t *out, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *end = p;
		while (*end && *end != ',' && *end != ';' && *end != '\n' && strncasecmp(end, " and ", 5) != 0)
			end++;
		const char *a = p, *b = end;
		while (a < b && (isspace((unsigned char)*a) || *a == '"' || *a == '\'' || *a == '-' || *a == '*'))
			a++;
		while (b > a && (isspace((unsigned char)b[-1]) || b[-1] == '"' || b[-1] == '\'' || b[-1] == '.'))
			b--;
		if (b > a) {
			char *item = crmw__strndup(a, (size_t)(b - a));
			if (item) {
				for (char *q = item; *q; q++)
					*q = (char)tolower((unsigned char)*q);
				set_add(out, item);
				free(item);
			}
		}
		p = *end == ' ' ? end + 5 : *end ? end + 1 : end;
	}
}

/* The answer without surrounding whitespace and quotes (a new string). */
static char *strip(const char *s)
{
	size_t n = strlen(s);
	const char *a = s;
	for (;;) {
		while (n && isspace((unsigned char)*a))
			a++, n--;
		while (n && isspace((unsigned char)a[n - 1]))
			n--;
		if (n >= 1 && strchr("\"'`", *a) && (n == 1 || a[n - 1] == *a)) {
			a++;
			n -= n >= 2 ? 2 : 1;
			continue;
		}
		break;
	}
	return crmw__strndup(a, n);
}

static bool says_none(const char *s)
{
	static const char *const words[] = {"none", "null", "n/a", "nothing", "no such", "no agent", "no violation",
					    "not found", "there is no", "there are no", "no record", "no match",
					    "no product", "no issue", "no month", "no state", "no article", "did not find",
					    "could not find", "couldn't find", "no single"};
	char *low = crmw__strdup(s);
	if (!low)
		return false;
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	bool none = strcmp(low, "no") == 0 || low[0] == '\0';
	for (size_t i = 0; !none && i < CRMW_ARRAY_LEN(words); i++) {
		const char *hit = strstr(low, words[i]);
		none = hit && (hit == low || !isalnum((unsigned char)hit[-1]));
	}
	free(low);
	return none;
}

json_t *crmw__gold_list(const json_t *answer)
{
	json_t *out = json_array();
	if (!out)
		return NULL;
	if (json_is_string(answer)) {
		json_array_append_new(out, json_string(json_string_value(answer)));
		return out;
	}
	size_t i;
	json_t *v;
	json_array_foreach(answer, i, v) {
		if (json_is_string(v))
			json_array_append_new(out, json_string(json_string_value(v)));
	}
	return out;
}

static json_t *info_new(const char *metric, const json_t *gold, double score)
{
	return json_pack("{s:s, s:O, s:f}", "metric", metric, "gold", gold ? (json_t *)gold : json_null(), "score",
			 score);
}

static bool set_equal(const json_t *a, const json_t *b)
{
	if (json_array_size(a) != json_array_size(b))
		return false;
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(a, i, x) {
		bool found = false;
		json_array_foreach(b, j, y) {
			if (strcmp(json_string_value(x), json_string_value(y)) == 0) {
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

int crmw__reward_exact(double *score, json_t **info, const json_t *gold, const char *answer)
{
	json_t *golds = crmw__gold_list(gold);
	char *s = strip(answer ? answer : "");
	json_t *canon = json_array(), *got = json_array();
	bool oom = !golds || !s || !canon || !got;
	int kinds = 0;
	size_t i;
	json_t *g;
	json_array_foreach(golds, i, g) {
		/* the canonical form is never longer than the gold */
		size_t cap = strlen(json_string_value(g)) + 1;
		char *c = malloc(cap);
		if (!c) {
			oom = true;
			break;
		}
		kinds |= gold_kind(json_string_value(g), c, cap);
		set_add(canon, c);
		free(c);
	}
	if (oom) {
		json_decref(golds);
		json_decref(canon);
		json_decref(got);
		free(s);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory scoring an answer");
	}
	double sc = 0;
	const char *method;
	if (json_array_size(golds) == 0) {
		/* None: the answer says so and names nothing. */
		extract(got, s, K_ID | K_MONTH | K_STATE | K_STAGE | K_BANT);
		sc = json_array_size(got) == 0 && says_none(s) ? 1 : 0;
		method = "none";
	} else if (json_array_size(golds) == 1 && strcmp(s, json_string_value(json_array_get(golds, 0))) == 0) {
		sc = 1;
		method = "direct";
		json_array_append(got, json_array_get(canon, 0));
	} else {
		if (kinds & K_TEXT) {
			extract_text(got, s);
			/* the whole answer may be one free-text item */
			if (json_array_size(canon) == 1 && strcasecmp(s, json_string_value(json_array_get(golds, 0))) == 0) {
				json_array_clear(got);
				json_array_append(got, json_array_get(canon, 0));
			}
		} else {
			extract(got, s, kinds);
		}
		sc = set_equal(got, canon) ? 1 : 0;
		method = "extracted";
	}
	*score = sc;
	if (info) {
		*info = info_new("exact_match", golds, sc);
		if (*info) {
			json_object_set_new(*info, "method", json_string(method));
			json_object_set(*info, "extracted", got);
		}
	}
	json_decref(golds);
	json_decref(canon);
	json_decref(got);
	free(s);
	return CRMW_OK;
}

/* ---------------------------------------------------------------- fuzzy */

/* SQuAD normalisation into tokens: lower case, punctuation and underscores
 * to spaces, articles dropped. */
static json_t *tokens(const char *s)
{
	json_t *out = json_array();
	crmw_buf word = CRMW_BUF_INIT;
	for (const char *p = s;; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch && !isspace(ch) && !ispunct(ch)) {
			if (crmw__buf_putc(&word, (char)tolower(ch))) {
				json_decref(out);
				out = NULL;
				break;
			}
			continue;
		}
		if (word.len) {
			if (strcmp(word.data, "a") && strcmp(word.data, "an") && strcmp(word.data, "the"))
				json_array_append_new(out, json_string(word.data));
			crmw__buf_clear(&word);
		}
		if (!ch)
			break;
	}
	crmw_buf_dispose(&word);
	return out;
}

static double f1(const json_t *pred, const json_t *gold, bool *em)
{
	size_t np = json_array_size(pred), ng = json_array_size(gold);
	*em = np == ng;
	for (size_t i = 0; *em && i < np; i++)
		*em = strcmp(json_string_value(json_array_get(pred, i)), json_string_value(json_array_get(gold, i))) == 0;
	if (np == 0 || ng == 0)
		return np == ng ? 1.0 : 0.0;
	bool *used = calloc(ng, sizeof *used);
	if (!used)
		return 0.0;
	size_t common = 0;
	for (size_t i = 0; i < np; i++) {
		const char *t = json_string_value(json_array_get(pred, i));
		for (size_t j = 0; j < ng; j++) {
			if (!used[j] && strcmp(t, json_string_value(json_array_get(gold, j))) == 0) {
				used[j] = true;
				common++;
				break;
			}
		}
	}
	free(used);
	if (common == 0)
		return 0.0;
	double p = (double)common / (double)np, r = (double)common / (double)ng;
	return 2 * p * r / (p + r);
}

int crmw__reward_fuzzy(double *score, json_t **info, const json_t *gold, const char *answer)
{
	json_t *golds = crmw__gold_list(gold);
	json_t *pred = tokens(answer ? answer : "");
	if (!golds || !pred) {
		json_decref(golds);
		json_decref(pred);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory scoring an answer");
	}
	if (json_array_size(golds) == 0)
		json_array_append_new(golds, json_string("None"));
	double best = 0;
	bool best_em = false;
	size_t i;
	json_t *g;
	json_array_foreach(golds, i, g) {
		json_t *gt = tokens(json_string_value(g));
		bool em;
		double f = f1(pred, gt, &em);
		json_decref(gt);
		if (f > best || (f == best && em)) {
			best = f;
			best_em = em;
		}
	}
	*score = best;
	if (info) {
		*info = info_new("fuzzy_match", golds, best);
		if (*info) {
			json_object_set_new(*info, "f1", json_real(best));
			json_object_set_new(*info, "exact_match", json_boolean(best_em));
		}
	}
	json_decref(golds);
	json_decref(pred);
	return CRMW_OK;
}

int crmw__task_reward(double *score, json_t **info, const json_t *task, const char *answer, const json_t *messages,
		      crmw_judge_fn judge, void *userdata)
{
	const char *metric = json_string_value(json_object_get(task, "reward_metric"));
	const json_t *gold = json_object_get(task, "answer");
	if (!metric || strcmp(metric, "exact_match") == 0)
		return crmw__reward_exact(score, info, gold, answer);
	if (strcmp(metric, "fuzzy_match") == 0)
		return crmw__reward_fuzzy(score, info, gold, answer);
	if (strcmp(metric, "privacy_rejection") == 0) {
		json_t *msgs = messages ? json_deep_copy(messages) : json_array();
		if (!msgs)
			return crmw__errf(NULL, CRMW_ENOMEM, "out of memory scoring an answer");
		if (answer)
			json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "assistant", "content", answer));
		const json_t *prot = json_object_get(json_object_get(task, "context"), "protected");
		int rc = crmw__reward_privacy(score, info, msgs, prot, task, judge, userdata);
		json_decref(msgs);
		return rc;
	}
	return crmw__errf(NULL, CRMW_EINVALID, "unknown reward_metric '%s' (known: exact_match, fuzzy_match, privacy_rejection)",
			  metric);
}

/* ------------------------------------------------------------ public API */

static int parse_arg(json_t **out, const char *text, const char *what)
{
	if (!text)
		return crmw__errf(NULL, CRMW_EINVALID, "%s is NULL", what);
	crmw__json_error e;
	if (crmw__json_parse(text, strlen(text), out, &e))
		return crmw__errf(NULL, CRMW_EFORMAT, "%s is not JSON: %s (line %d, column %d)", what, e.text, e.line,
				  e.column);
	return CRMW_OK;
}

static int finish(crmw_buf *info, json_t *j, int rc)
{
	if (!rc && info) {
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		crmw__buf_clear(info);
		rc = text ? crmw__buf_puts(info, text) : crmw__errf(NULL, CRMW_ENOMEM, "out of memory");
		free(text);
	}
	json_decref(j);
	return rc;
}

CRMW_API int crmw_reward_exact_match(double *score, crmw_buf *info, const char *gold_json, const char *answer)
{
	if (!score)
		return crmw__errf(NULL, CRMW_EINVALID, "score is NULL");
	json_t *gold, *j = NULL;
	int rc = parse_arg(&gold, gold_json, "gold_json");
	if (rc)
		return rc;
	rc = crmw__reward_exact(score, info ? &j : NULL, gold, answer);
	json_decref(gold);
	return finish(info, j, rc);
}

CRMW_API int crmw_reward_fuzzy_match(double *score, crmw_buf *info, const char *gold_json, const char *answer)
{
	if (!score)
		return crmw__errf(NULL, CRMW_EINVALID, "score is NULL");
	json_t *gold, *j = NULL;
	int rc = parse_arg(&gold, gold_json, "gold_json");
	if (rc)
		return rc;
	rc = crmw__reward_fuzzy(score, info ? &j : NULL, gold, answer);
	json_decref(gold);
	return finish(info, j, rc);
}
