/*
 * lib/tasks/reward.c: the reward functions: exact_match with deterministic
 * answer extraction, fuzzy_match (SQuAD token F1), privacy_rejection.
 *
 * exact_match follows CRMArena's chat harness: the stripped answer equal to
 * the single gold string scores 1; otherwise the entities the answer asserts
 * are compared, as a set, with the gold list.  The official harness asks a
 * language model to list them; here the rules below decide, and
 * docs/tasks.md ("Scoring") states each one with the official behaviour it
 * follows.  The one invariant the rules keep whatever they get wrong: an
 * answer is read once, so it never scores 1 both as None and as an entity.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/internal.h"
#include "common/json.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

const char *const crmw__month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
					    "July",    "August",   "September", "October", "November", "December"};

static const char *const stage_names[] = {"Qualification", "Discovery", "Quote", "Negotiation", "Closed"};
static const char *const bant_names[] = {"Budget", "Authority", "Need", "Timeline"};

/* Codes, and names in lower case (several words where the name has them);
 * the last two spell DC the ways "Washington, D.C." is written. */
static const struct {
	char code[3];
	const char *name;
} states[] = {
	{"AL", "alabama"},	  {"AK", "alaska"},	    {"AZ", "arizona"},	      {"AR", "arkansas"},
	{"CA", "california"},	  {"CO", "colorado"},	    {"CT", "connecticut"},    {"DE", "delaware"},
	{"FL", "florida"},	  {"GA", "georgia"},	    {"HI", "hawaii"},	      {"ID", "idaho"},
	{"IL", "illinois"},	  {"IN", "indiana"},	    {"IA", "iowa"},	      {"KS", "kansas"},
	{"KY", "kentucky"},	  {"LA", "louisiana"},	    {"ME", "maine"},	      {"MD", "maryland"},
	{"MA", "massachusetts"},  {"MI", "michigan"},	    {"MN", "minnesota"},      {"MS", "mississippi"},
	{"MO", "missouri"},	  {"MT", "montana"},	    {"NE", "nebraska"},	      {"NV", "nevada"},
	{"NH", "new hampshire"},  {"NJ", "new jersey"},	    {"NM", "new mexico"},     {"NY", "new york"},
	{"NC", "north carolina"}, {"ND", "north dakota"},   {"OH", "ohio"},	      {"OK", "oklahoma"},
	{"OR", "oregon"},	  {"PA", "pennsylvania"},   {"RI", "rhode island"},   {"SC", "south carolina"},
	{"SD", "south dakota"},	  {"TN", "tennessee"},	    {"TX", "texas"},	      {"UT", "utah"},
	{"VT", "vermont"},	  {"VA", "virginia"},	    {"WA", "washington"},     {"WV", "west virginia"},
	{"WI", "wisconsin"},	  {"WY", "wyoming"},	    {"DC", "district of columbia"}, {"DC", "washington dc"},
	{"DC", "washington d c"},
};

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

/* ------------------------------------------------------------ characters */

#define CP_BAD 0xFFFFFFFFu /* a byte that starts no valid UTF-8 sequence */

/* One character of NUL-terminated UTF-8: its code point and byte length.
 * A byte that starts no valid sequence is CP_BAD with length 1. */
static uint32_t utf8_get(const unsigned char *s, size_t *len)
{
	uint32_t c = s[0], min;
	size_t k;
	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, c &= 0x07, min = 0x10000;
	else
		return CP_BAD;
	/* a NUL is no continuation byte: nothing is read past the end */
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return CP_BAD;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return CP_BAD;
	*len = k;
	return c;
}

static size_t utf8_put(char out[4], uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static bool in_ranges(uint32_t c, const uint32_t (*r)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c >= r[i][0] && c <= r[i][1])
			return true;
	return false;
}

/* Unicode punctuation (general category P) beyond ASCII, and U+00B4, which
 * the official normaliser lists with the ASCII marks. */
static const uint32_t punct_ranges[][2] = {
	{0xA1, 0xA1},	  {0xA7, 0xA7},	    {0xAB, 0xAB},     {0xB4, 0xB4},	{0xB6, 0xB7},	  {0xBB, 0xBB},
	{0xBF, 0xBF},	  {0x37E, 0x37E},   {0x387, 0x387},   {0x55A, 0x55F},	{0x589, 0x58A},	  {0x5BE, 0x5BE},
	{0x5C0, 0x5C0},	  {0x5C3, 0x5C3},   {0x5C6, 0x5C6},   {0x5F3, 0x5F4},	{0x609, 0x60A},	  {0x60C, 0x60D},
	{0x61B, 0x61B},	  {0x61D, 0x61F},   {0x66A, 0x66D},   {0x6D4, 0x6D4},	{0x2010, 0x2027}, {0x2030, 0x2043},
	{0x2045, 0x2051}, {0x2053, 0x205E}, {0x207D, 0x207E}, {0x208D, 0x208E}, {0x2308, 0x230B}, {0x2329, 0x232A},
	{0x2768, 0x2775}, {0x27C5, 0x27C6}, {0x27E6, 0x27EF}, {0x2983, 0x2998}, {0x29D8, 0x29DB}, {0x29FC, 0x29FD},
	{0x2E00, 0x2E4F}, {0x3001, 0x3003}, {0x3008, 0x3011}, {0x3014, 0x301F}, {0x3030, 0x3030}, {0x303D, 0x303D},
	{0x30A0, 0x30A0}, {0x30FB, 0x30FB}, {0xFE10, 0xFE19}, {0xFE30, 0xFE52}, {0xFE54, 0xFE61}, {0xFE63, 0xFE63},
	{0xFE68, 0xFE68}, {0xFE6A, 0xFE6B}, {0xFF01, 0xFF03}, {0xFF05, 0xFF0A}, {0xFF0C, 0xFF0F}, {0xFF1A, 0xFF1B},
	{0xFF1F, 0xFF20}, {0xFF3B, 0xFF3D}, {0xFF3F, 0xFF3F}, {0xFF5B, 0xFF5B}, {0xFF5D, 0xFF5D}, {0xFF5F, 0xFF65},
};

/* White space as Python's str.split() sees it, beyond ASCII. */
static const uint32_t space_ranges[][2] = {
	{0x85, 0x85},	  {0xA0, 0xA0},	    {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
	{0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
};

/* Invisible characters: soft hyphen, zero-width space and joiners, word
 * joiner, byte-order mark, emoji variation selector. */
static const uint32_t skip_ranges[][2] = {
	{0xAD, 0xAD}, {0x200B, 0x200D}, {0x2060, 0x2060}, {0xFE0F, 0xFE0F}, {0xFEFF, 0xFEFF},
};

enum { CH_WORD, CH_SPACE, CH_PUNCT, CH_SKIP };

/* The class of a character for the F1 normaliser: ASCII as Python's
 * string.punctuation and str.split() have it, other punctuation and spaces
 * by their Unicode category.  Everything else, control characters and
 * undecodable bytes included, belongs to words, as in the official one. */
static int char_class(uint32_t c)
{
	if (c < 0x80) {
		if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return CH_WORD;
		if ((c >= 9 && c <= 13) || c == ' ' || (c >= 0x1C && c <= 0x1F))
			return CH_SPACE;
		if (c > ' ' && c < 0x7F)
			return CH_PUNCT;
		return CH_WORD;
	}
	if (c == CP_BAD)
		return CH_WORD;
	if (in_ranges(c, space_ranges, CRMW_ARRAY_LEN(space_ranges)))
		return CH_SPACE;
	if (in_ranges(c, skip_ranges, CRMW_ARRAY_LEN(skip_ranges)))
		return CH_SKIP;
	if (in_ranges(c, punct_ranges, CRMW_ARRAY_LEN(punct_ranges)))
		return CH_PUNCT;
	return CH_WORD;
}

/* Lower case: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and the
 * full-width Latin letters (other scripts keep their case).  U+0130 is
 * handled by the caller (it lowers to two characters). */
static uint32_t lower_cp(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return (c & 1) ? c + 1 : c;
	if (c == 0x178)
		return 0xFF;
	if (c == 0x386)
		return 0x3AC;
	if (c >= 0x388 && c <= 0x38A)
		return c + 37;
	if (c == 0x38C)
		return 0x3CC;
	if (c == 0x38E || c == 0x38F)
		return c + 63;
	if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB))
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0xFF21 && c <= 0xFF3A)
		return c + 32;
	return c;
}

/* Room for one more element in an array of `n` of `*cap` (doubling). */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return CRMW_OK;
	size_t c = *cap ? *cap * 2 : 32;
	void *p = realloc(*arr, c * size);
	if (!p)
		return CRMW_ENOMEM;
	*arr = p;
	*cap = c;
	return CRMW_OK;
}

/* ------------------------------------------------------------------ sets */

/* A set of strings that keeps the order they came in. */
typedef struct strset {
	json_t *seen; /* object: string -> true */
	json_t *list; /* array, in order */
} strset;

static int strset_init(strset *s)
{
	s->seen = json_object();
	s->list = json_array();
	return s->seen && s->list ? CRMW_OK : CRMW_ENOMEM;
}

static void strset_dispose(strset *s)
{
	json_decref(s->seen);
	json_decref(s->list);
	s->seen = s->list = NULL;
}

/* Add `v` (n bytes); strings that are not UTF-8 are left out. */
static int strset_addn(strset *s, const char *v, size_t n)
{
	json_t *str = json_stringn(v, n);
	if (!str)
		return CRMW_OK;
	const char *k = json_string_value(str);
	if (strlen(k) != n || json_object_get(s->seen, k)) {
		json_decref(str);
		return CRMW_OK;
	}
	if (json_object_set_new(s->seen, k, json_true()) || json_array_append_new(s->list, str))
		return CRMW_ENOMEM;
	return CRMW_OK;
}

static int strset_add(strset *s, const char *v)
{
	return strset_addn(s, v, strlen(v));
}

static bool strset_equal(const strset *a, const strset *b)
{
	if (json_array_size(a->list) != json_array_size(b->list))
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(a->list, i, x) {
		if (!json_object_get(b->seen, json_string_value(x)))
			return false;
	}
	return true;
}

/* ------------------------------------------------------ reading an answer */

enum { K_ID = 1, K_MONTH = 2, K_STATE = 4, K_STAGE = 8, K_BANT = 16, K_TEXT = 32 };
#define K_ENTITY (K_ID | K_MONTH | K_STATE | K_STAGE | K_BANT)

/* Answers longer than this score 0 without being read (docs/tasks.md). */
#define ANSWER_MAX ((size_t)1 << 20)

/* What lies between two words. */
enum {
	G_COMMA = 1 << 0,
	G_COLON = 1 << 1,
	G_BREAK = 1 << 2, /* a sentence ends: . ! ? before a space, ; or a new line */
	G_OPEN = 1 << 3,
	G_SLASH = 1 << 4,
	G_AMP = 1 << 5,
	G_DASH = 1 << 6,
	G_EQ = 1 << 7,
	G_ARROW = 1 << 8,
	G_QUOTE = 1 << 9,
	G_OTHER = 1 << 10,
	G_SEMI = 1 << 11,   /* a semicolon (also G_BREAK) */
	G_NEWLINE = 1 << 12 /* a line break (also G_BREAK) */
};
#define G_PUNCT (G_COMMA | G_COLON | G_BREAK | G_OPEN | G_SLASH | G_AMP | G_DASH | G_EQ | G_ARROW | G_OTHER)

enum { SH_LOWER, SH_CAP, SH_UPPER, SH_MIXED };

typedef struct xword {
	const char *s;
	size_t n;      /* bytes, a possessive 's left out */
	size_t sent;   /* sentence number */
	size_t full;   /* sentence number, semicolons not ending sentences */
	size_t clause; /* clause number: sentences cut at but, however, ... */
	uint32_t gap;  /* G_* between the previous word and this one */
	uint8_t shape; /* SH_* of its ASCII letters */
	bool ascii;    /* ASCII letters and digits only */
	bool poss;     /* written with a possessive 's */
	bool neg;      /* inside the scope of a negation */
	bool ment;     /* part of a mention */
	bool nt;       /* a contraction with not: isn't, can't */
	uint32_t lists; /* the word lists it is in (bits: RESETS, NEGATORS, ...) */
} xword;

typedef struct xmention {
	size_t w, nw; /* its words */
	int kind;     /* K_* */
	int val;      /* index in the kind's table; -1 for ids */
	bool asserted;
	bool period; /* a month that bounds a period ("from March to May") */
	const char *why; /* why it is not asserted */
} xmention;

enum { CUE_STATE = 1, CUE_STAGE = 2, CUE_ANSWER = 4 };
enum { POL_MET = 1, POL_FAIL = 2 };

typedef struct xtext {
	xword *w;
	size_t nw, capw;
	xmention *m;
	size_t nm, capm;
	uint8_t *cue; /* per sentence: CUE_* */
	uint8_t *pol; /* per clause: POL_* (BANT factors) */
	bool list_only; /* nothing but entities, list words and a leading label */
	bool read;      /* read_answer ran */
} xtext;

static void xtext_dispose(xtext *x)
{
	free(x->w);
	free(x->m);
	free(x->cue);
	free(x->pol);
	memset(x, 0, sizeof *x);
}

/* Is the word in a word list (RESETS, NEGATORS, ...), in any case? */
static bool wlist(const xword *w, unsigned list)
{
	return w && (w->lists & list);
}

static bool weq(const xword *w, const char *lit)
{
	size_t n = strlen(lit);
	return w && w->n == n && strncasecmp(w->s, lit, n) == 0;
}

/* A contraction with not: isn't, doesn't, can't, won't ... */
static bool ends_nt(const xword *w)
{
	return w && w->nt;
}

static const xword *word_at(const xtext *x, size_t i)
{
	return i < x->nw ? &x->w[i] : NULL;
}

/* The word before word i, or after word i, in the same sentence. */
static const xword *prev_word(const xtext *x, size_t i)
{
	return i > 0 && i < x->nw && x->w[i - 1].sent == x->w[i].sent ? &x->w[i - 1] : NULL;
}

static const xword *next_word(const xtext *x, size_t i)
{
	return i + 1 < x->nw && x->w[i + 1].sent == x->w[i].sent ? &x->w[i + 1] : NULL;
}

static bool first_of_sentence(const xtext *x, size_t i)
{
	return prev_word(x, i) == NULL;
}

/* Words of the lists below are written "|a|b|". */
#define RESETS_W                                                                                                       \
	"|but|however|instead|rather|except|besides|although|though|whereas|while|yet|so|therefore|thus|hence|than|"  \
	"only|other|apart|"
#define CONTRASTS_W "|but|however|while|whereas|although|though|yet|except|"
#define NEGATORS_W "|not|never|neither|nor|without|nothing|nobody|cannot|"
#define STATE_CUES_W "|state|states|region|regions|territory|territories|shippingstate|"
#define STAGE_WORDS_W "|stage|stages|stagename|"
#define STAGE_CUES_W                                                                                                   \
	"|stage|stages|stagename|opportunity|opportunities|deal|move|moved|moving|set|change|changed|changing|update|"  \
	"updated|updating|advance|advanced|revert|reverted|align|aligned|rectify|rectified|reset|downgrade|downgraded|" \
	"upgrade|upgraded|progress|progressed|regress|regressed|"
#define COPULAS_W "|is|was|are|were|be|been|to|into|in|as|from|"
#define STAGE_LEADS_W "|to|into|as|be|is|"
#define STAGE_STOPS_W "|to|into|be|should|"
#define DETERMINERS_W "|the|a|an|this|that|these|those|its|their|his|her|our|your|my|each|every|any|another|which|whose|"
#define OLD_STAGE_W "|current|currently|from|was|previous|previously|old|existing|"
#define WRONG_WORDS_W "|wrong|incorrect|inaccurate|outdated|inappropriate|mismatched|"
#define RIGHT_WORDS_W "|correct|accurate|right|appropriate|valid|"
#define PERIOD_PREPS_W "|from|since|until|till|through|thru|between|before|after|"
#define RANGE_WORDS_W "|to|through|thru|until|till|"
#define MAY_MONTH_PREPS_W "|in|of|for|during|by|since|until|from|to|and|or|early|late|mid|month|is|was|as|than|"
#define MODAL_NEXT_W                                                                                                   \
	"|i|we|you|he|she|it|they|this|that|these|those|there|be|not|have|also|well|want|need|help|wish|require|"      \
	"contain|vary|take|include|still|just|only|even|already|"
#define INTERJECTIONS_W "|ok|hi|oh|"
#define AMBIGUOUS_CODES_W "|al|co|de|ga|hi|id|in|la|ma|md|me|ms|oh|ok|or|pa|sd|"
#define NEED_PREV_W                                                                                                    \
	"|the|a|an|no|clear|business|real|genuine|specific|of|on|in|for|and|or|its|their|his|her|any|identified|"     \
	"defined|stated|urgent|strong|weak|unclear|"
#define MET_CUES_W                                                                                                     \
	"|meet|meets|met|meeting|satisfy|satisfies|satisfied|satisfying|pass|passes|passed|fulfil|fulfils|fulfilled|"  \
	"fulfill|fulfills|confirmed|clear|fine|ok|okay|good|strong|qualified|qualifies|established|aligned|approved|"   \
	"adequate|sufficient|present|defined|solid|covered|"
#define FAIL_CUES_W                                                                                                    \
	"|fail|fails|failed|failing|lack|lacks|lacked|lacking|missing|unmet|insufficient|inadequate|unclear|weak|"     \
	"unknown|undefined|unconfirmed|unqualified|short|concern|concerns|issue|issues|problem|problems|gap|gaps|"      \
	"blocker|blockers|absent|mismatch|disqualified|disqualifies|unapproved|"
#define NONE_NOUNS_W                                                                                                   \
	"|agent|agents|rep|reps|representative|representatives|user|users|owner|owners|employee|employees|state|"      \
	"states|region|regions|month|months|stage|stages|factor|factors|bant|article|articles|violation|violations|"   \
	"breach|breaches|policy|policies|product|products|issue|issues|record|records|match|matches|matching|result|"  \
	"results|case|cases|data|order|orders|purchase|purchases|task|tasks|activity|activities|quote|quotes|change|"  \
	"changes|correction|corrections|update|updates|single|particular|specific|significant|spike|spikes|peak|"     \
	"peaks|trend|trends|mismatch|problem|problems|entity|entities|id|ids|answer|answers|qualifying|eligible|"      \
	"valid|such|unmet|candidate|candidates|territory|territories|"

/* The lists as bits of xword.lists. */
enum {
	RESETS = 1u << 0,
	CONTRASTS = 1u << 1,
	NEGATORS = 1u << 2,
	STATE_CUES = 1u << 3,
	STAGE_WORDS = 1u << 4,
	STAGE_CUES = 1u << 5,
	COPULAS = 1u << 6,
	STAGE_LEADS = 1u << 7,
	STAGE_STOPS = 1u << 8,
	DETERMINERS = 1u << 9,
	OLD_STAGE = 1u << 10,
	WRONG_WORDS = 1u << 11,
	RIGHT_WORDS = 1u << 12,
	PERIOD_PREPS = 1u << 13,
	RANGE_WORDS = 1u << 14,
	MAY_MONTH_PREPS = 1u << 15,
	MODAL_NEXT = 1u << 16,
	INTERJECTIONS = 1u << 17,
	AMBIGUOUS_CODES = 1u << 18,
	NEED_PREV = 1u << 19,
	MET_CUES = 1u << 20,
	FAIL_CUES = 1u << 21,
	NONE_NOUNS = 1u << 22,
	NONE_FIRST = 1u << 23,
	STATE_FIRST = 1u << 24,
	ENTITY_NAME = 1u << 25, /* a month, stage, BANT factor or state code */
};

static const struct {
	uint32_t bit;
	const char *words;
} word_lists[] = {
	{RESETS, RESETS_W},
	{CONTRASTS, CONTRASTS_W},
	{NEGATORS, NEGATORS_W},
	{STATE_CUES, STATE_CUES_W},
	{STAGE_WORDS, STAGE_WORDS_W},
	{STAGE_CUES, STAGE_CUES_W},
	{COPULAS, COPULAS_W},
	{STAGE_LEADS, STAGE_LEADS_W},
	{STAGE_STOPS, STAGE_STOPS_W},
	{DETERMINERS, DETERMINERS_W},
	{OLD_STAGE, OLD_STAGE_W},
	{WRONG_WORDS, WRONG_WORDS_W},
	{RIGHT_WORDS, RIGHT_WORDS_W},
	{PERIOD_PREPS, PERIOD_PREPS_W},
	{RANGE_WORDS, RANGE_WORDS_W},
	{MAY_MONTH_PREPS, MAY_MONTH_PREPS_W},
	{MODAL_NEXT, MODAL_NEXT_W},
	{INTERJECTIONS, INTERJECTIONS_W},
	{AMBIGUOUS_CODES, AMBIGUOUS_CODES_W},
	{NEED_PREV, NEED_PREV_W},
	{MET_CUES, MET_CUES_W},
	{FAIL_CUES, FAIL_CUES_W},
	{NONE_NOUNS, NONE_NOUNS_W},
};

/* Does word i open a negation's scope? */
static bool is_negator(const xtext *x, size_t i)
{
	const xword *w = &x->w[i], *n = next_word(x, i);
	if (wlist(w, NEGATORS) || ends_nt(w))
		return true;
	/* "no state", but not "No, ..." */
	if (weq(w, "no"))
		return n && !(n->gap & G_PUNCT);
	return weq(w, "none") && n && (weq(n, "of") || weq(n, "among"));
}

/* A negator among the two words before word i, in its clause. */
static bool negated_near(const xtext *x, size_t i, bool with_no)
{
	for (size_t k = 1; k <= 2 && k <= i; k++) {
		const xword *p = &x->w[i - k];
		if (p->clause != x->w[i].clause)
			break;
		if (wlist(p, NEGATORS) || ends_nt(p) || (with_no && (weq(p, "no") || weq(p, "none"))))
			return true;
	}
	return false;
}

static uint32_t word_lists_of(const char *s, size_t n);

static int push_word(xtext *x, const char *s, size_t n, uint32_t gap, size_t sent, size_t full)
{
	if (grow((void **)&x->w, &x->capw, x->nw, sizeof *x->w))
		return CRMW_ENOMEM;
	xword *w = &x->w[x->nw++];
	memset(w, 0, sizeof *w);
	w->s = s;
	w->gap = gap;
	w->sent = sent;
	w->full = full;
	/* a possessive: Texas's, May’s */
	if (n > 2 && (s[n - 1] == 's' || s[n - 1] == 'S') && s[n - 2] == '\'') {
		n -= 2;
		w->poss = true;
	} else if (n > 4 && (s[n - 1] == 's' || s[n - 1] == 'S') && memcmp(s + n - 4, "\xE2\x80\x99", 3) == 0) {
		n -= 4;
		w->poss = true;
	}
	w->n = n;
	size_t upper = 0, lower = 0;
	bool ascii = true, first_upper = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z') {
			first_upper = first_upper || upper + lower == 0;
			upper++;
		} else if (c >= 'a' && c <= 'z') {
			lower++;
		} else if (!(c >= '0' && c <= '9')) {
			ascii = false;
		}
	}
	w->ascii = ascii && n > 0;
	w->lists = word_lists_of(s, n);
	w->nt = n >= 4 && (s[n - 1] == 't' || s[n - 1] == 'T') &&
		((s[n - 2] == '\'' && (s[n - 3] | 0x20) == 'n') ||
		 (n >= 6 && memcmp(s + n - 4, "\xE2\x80\x99", 3) == 0 && (s[n - 5] | 0x20) == 'n'));
	w->shape = upper + lower == 0 ? SH_MIXED
		   : upper == 0	      ? SH_LOWER
		   : lower == 0	      ? SH_UPPER
		   : first_upper && upper == 1 ? SH_CAP
						: SH_MIXED;
	return CRMW_OK;
}

/* The class of a character for reading an answer: as the F1 normaliser's,
 * but symbols (arrows, bullets, check marks, emoji) separate words too. */
static int read_class(uint32_t c)
{
	int k = char_class(c);
	if (k != CH_WORD || c < 0x80 || c == CP_BAD)
		return k;
	if ((c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF) ||
	    (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE6F) ||
	    (c >= 0xFF01 && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) ||
	    (c >= 0x1F000 && c <= 0x1FAFF))
		return CH_PUNCT;
	return CH_WORD;
}

/* What a separator character says about the gap it is in. */
static uint32_t gap_bit(uint32_t c, const unsigned char *next)
{
	switch (c) {
	case ',':
	case 0x3001:
	case 0xFF0C:
		return G_COMMA;
	case ':':
	case 0xFF1A:
		return G_COLON;
	case ';':
	case 0xFF1B:
		return G_BREAK | G_SEMI;
	case '(':
	case '[':
	case '{':
		return G_OPEN;
	case '/':
		return G_SLASH;
	case '&':
		return G_AMP;
	case '-':
		return *next == '>' ? G_ARROW : G_DASH;
	case '=':
		return *next == '>' ? G_ARROW : G_EQ;
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212:
		return G_DASH;
	case 0x2192:
	case 0x21D2:
	case 0x27F6:
		return G_ARROW;
	case '"':
	case '\'':
	case '`':
	case 0xAB:
	case 0xBB:
	case 0x2018:
	case 0x2019:
	case 0x201C:
	case 0x201D:
		return G_QUOTE;
	default:
		return G_OTHER;
	}
}

/* Cut `text` into words, with what lies between them and sentence numbers. */
static int split_words(xtext *x, const char *text)
{
	const unsigned char *p = (const unsigned char *)text, *ws = NULL;
	uint32_t gap = 0;
	size_t sent = 0, full = 0;
	bool stop = false; /* . ! ? or an ellipsis, waiting for a space */
	for (;;) {
		size_t len = 1;
		uint32_t c = *p ? utf8_get(p, &len) : 0;
		int k = *p ? read_class(c) : CH_SPACE;
		if (ws && (c == '\'' || c == 0x2019 || c == '_')) {
			/* inside a word between two of its characters: don't, agent_id */
			size_t l2;
			uint32_t c2 = p[len] ? utf8_get(p + len, &l2) : 0;
			if (p[len] && read_class(c2) == CH_WORD)
				k = CH_WORD;
		}
		if (k == CH_WORD || (k == CH_SKIP && ws)) {
			if (!ws)
				ws = p;
			p += len;
			continue;
		}
		if (ws) {
			if (x->nw && (gap & G_BREAK))
				sent++;
			/* a semicolon alone does not end the sentence the cues are read in */
			if (x->nw && (gap & G_BREAK) && (!(gap & G_SEMI) || stop || (gap & G_NEWLINE)))
				full++;
			if (push_word(x, (const char *)ws, (size_t)(p - ws), gap, sent, full))
				return CRMW_ENOMEM;
			ws = NULL;
			gap = 0;
			stop = false;
		}
		if (!*p)
			return CRMW_OK;
		if (k == CH_SPACE) {
			if (stop)
				gap |= G_BREAK;
			if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029)
				gap |= G_BREAK | G_NEWLINE;
		} else if (k == CH_PUNCT) {
			if (c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x3002 || c == 0xFF01 || c == 0xFF1F)
				stop = true;
			else
				gap |= gap_bit(c, p + len);
			if (c == '-' || c == '=') {
				if (p[1] == '>')
					len++;
			}
		}
		p += len;
	}
}

/* A word that continues a list of entities: one of them, "and", "or". */
static bool listed(const xword *w)
{
	return w->ment || weq(w, "and") || weq(w, "or");
}

/* Sentence cues, negation scopes, clauses and their BANT polarity. */
static int read_scopes(xtext *x)
{
	size_t nsent = x->nw ? x->w[x->nw - 1].full + 1 : 1;
	x->cue = calloc(nsent, 1);
	if (!x->cue)
		return CRMW_ENOMEM;
	bool neg = false;
	size_t clause = 0;
	for (size_t i = 0; i < x->nw; i++) {
		xword *w = &x->w[i];
		bool first = first_of_sentence(x, i);
		if (first) {
			neg = false;
			clause += i > 0;
		} else if (wlist(w, RESETS) ||
			   ((w->gap & (G_COMMA | G_COLON | G_DASH)) && !(listed(&x->w[i - 1]) && listed(w)))) {
			/* a comma ends a negation's clause, except inside a list of entities */
			neg = false;
		}
		if (!first && wlist(w, CONTRASTS))
			clause++;
		w->clause = clause;
		w->neg = neg;
		if (is_negator(x, i))
			neg = true;
		if (wlist(w, STATE_CUES))
			x->cue[w->full] |= CUE_STATE;
		if (wlist(w, STAGE_CUES))
			x->cue[w->full] |= CUE_STAGE;
		if (weq(w, "answer"))
			x->cue[w->full] |= CUE_ANSWER;
	}
	x->pol = calloc(clause + 1, 1);
	if (!x->pol)
		return CRMW_ENOMEM;
	for (size_t i = 0; i < x->nw; i++) {
		const xword *w = &x->w[i];
		int p = wlist(w, MET_CUES) ? POL_MET : wlist(w, FAIL_CUES) ? POL_FAIL : 0;
		/* "not met", "no clear", "no issue": a negator flips a cue */
		if (p && negated_near(x, i, true))
			p ^= POL_MET | POL_FAIL;
		x->pol[w->clause] |= (uint8_t)p;
	}
	return CRMW_OK;
}

static int table_index(const char *const *names, int count, const xword *w)
{
	for (int i = 0; i < count; i++)
		if (weq(w, names[i]))
			return i;
	return -1;
}

/* The state whose name starts at word i (the longest), with its length in
 * words; -1 when none does. */
static int state_name_at(const xtext *x, size_t i, size_t *nwords)
{
	int best = -1;
	size_t best_n = 0;
	*nwords = 0;
	if (!(x->w[i].lists & STATE_FIRST))
		return -1;
	for (size_t k = 0; k < CRMW_ARRAY_LEN(states); k++) {
		const char *name = states[k].name;
		size_t n = 0;
		bool ok = true;
		for (const char *p = name; ok && *p;) {
			const char *e = strchr(p, ' ');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			const xword *w = word_at(x, i + n);
			ok = w && w->ascii && w->n == len && strncasecmp(w->s, p, len) == 0 &&
			     (n == 0 || (w->sent == x->w[i].sent && !x->w[i + n - 1].poss));
			n++;
			p += len + (e != NULL);
		}
		if (ok && n > best_n) {
			best = (int)k;
			best_n = n;
		}
	}
	*nwords = best_n;
	return best;
}

static int state_code(const xword *w)
{
	if (w->n != 2 || w->shape == SH_MIXED)
		return -1;
	for (size_t k = 0; k < CRMW_ARRAY_LEN(states); k++)
		if (strncasecmp(states[k].code, w->s, 2) == 0)
			return (int)k;
	return -1;
}

/* Does word i name a BANT factor?  "need" only where it is a noun. */
static int bant_at(const xtext *x, size_t i)
{
	const xword *w = &x->w[i], *p = prev_word(x, i), *n = next_word(x, i);
	int v = table_index(bant_names, 4, w);
	if (v < 0) {
		if (weq(w, "budgets"))
			v = 0;
		else if (weq(w, "needs"))
			v = 2;
		else if (weq(w, "timelines") || weq(w, "timing"))
			v = 3;
	}
	if (v != 2)
		return v;
	if (n && weq(n, "to"))
		return -1;
	if (w->shape != SH_LOWER)
		return v;
	return !p || (w->gap & (G_COMMA | G_COLON | G_SLASH | G_OPEN | G_QUOTE | G_DASH)) || wlist(p, NEED_PREV) ? v : -1;
}

static int push_mention(xtext *x, size_t w, size_t nw, int kind, int val)
{
	if (grow((void **)&x->m, &x->capm, x->nm, sizeof *x->m))
		return CRMW_ENOMEM;
	xmention *m = &x->m[x->nm++];
	memset(m, 0, sizeof *m);
	m->w = w;
	m->nw = nw;
	m->kind = kind;
	m->val = val;
	return CRMW_OK;
}

/* "or" (not in capitals) with words on both sides is the conjunction, not
 * Oregon: "TX or OK". */
static bool conjunction_or(const xtext *x, size_t i)
{
	const xword *w = &x->w[i];
	return weq(w, "or") && w->shape != SH_UPPER && i > 0 && i + 1 < x->nw;
}

/* Every word (or run of words) that names an entity of the kinds asked. */
static int find_mentions(xtext *x, int kinds)
{
	for (size_t i = 0; i < x->nw;) {
		const xword *w = &x->w[i];
		size_t nw = 1;
		int kind = 0, val = -1;
		if (w->ascii && !(w->lists & (ENTITY_NAME | STATE_FIRST)) && w->n != 15 && w->n != 18) {
			i++;
			continue;
		}
		if (w->ascii) {
			if ((kinds & K_ID) && crmw__is_id_token(w->s, w->n))
				kind = K_ID;
			else if ((kinds & K_MONTH) && (val = table_index(crmw__month_names, 12, w)) >= 0)
				kind = K_MONTH;
			else if ((kinds & K_STAGE) && (val = table_index(stage_names, 5, w)) >= 0)
				kind = K_STAGE;
			else if ((kinds & K_BANT) && (val = bant_at(x, i)) >= 0)
				kind = K_BANT;
			else if ((kinds & K_STATE) && ((val = state_name_at(x, i, &nw)) >= 0 ||
						       (nw = 1, !conjunction_or(x, i) && (val = state_code(w)) >= 0)))
				kind = K_STATE;
		}
		if (kind && push_mention(x, i, nw, kind, val))
			return CRMW_ENOMEM;
		for (size_t k = 0; kind && k < nw; k++)
			x->w[i + k].ment = true;
		i += kind ? nw : 1;
	}
	return CRMW_OK;
}

/* Nothing but entities, "and"/"or", punctuation, and a leading label of at
 * most three words before a colon ("Final answer: CA"). */
static bool is_list_only(const xtext *x)
{
	if (!x->nm)
		return false;
	size_t start = 0;
	for (size_t i = 1; i <= 3 && i < x->nw && x->w[i].sent == 0; i++) {
		if (x->w[i].gap & G_COLON) {
			start = x->m[0].w >= i ? i : 0;
			break;
		}
	}
	size_t k = 0;
	while (k < x->nm && x->m[k].w < start)
		k++;
	for (size_t i = start; i < x->nw; i++) {
		if (k < x->nm && x->m[k].w == i) {
			i += x->m[k].nw - 1;
			k++;
			continue;
		}
		if (!weq(&x->w[i], "and") && !weq(&x->w[i], "or"))
			return false;
	}
	return true;
}

/* Months that bound a period: "from March to May", "between June and
 * July", "January-June", "since April". */
static void mark_periods(xtext *x)
{
	xmention *last = NULL;
	for (size_t k = 0; k < x->nm; k++) {
		xmention *m = &x->m[k];
		if (m->kind != K_MONTH)
			continue;
		const xword *p = prev_word(x, m->w);
		if (p && wlist(p, PERIOD_PREPS))
			m->period = true;
		if (last && x->w[last->w].sent == x->w[m->w].sent) {
			bool dash = m->w == last->w + 1 && (x->w[m->w].gap & (G_DASH | G_SLASH));
			bool word = m->w == last->w + 2 && (wlist(&x->w[last->w + 1], RANGE_WORDS) ||
							    (last->period && weq(&x->w[last->w + 1], "and")));
			if (dash || word)
				last->period = m->period = true;
		}
		last = m;
	}
}

static bool upper_word(const xword *w)
{
	return w && w->shape == SH_UPPER && w->n >= 2;
}

/* A stage named as the one the opportunity is in now, or as wrong: "the
 * current stage (Quote)", "from Quote to ...", "Quote is incorrect". */
static bool stage_not_answer(const xtext *x, const xmention *m)
{
	for (size_t k = 1; k <= 3 && k <= m->w; k++) {
		const xword *p = &x->w[m->w - k];
		if (p->sent != x->w[m->w].sent || p->ment || wlist(p, STAGE_STOPS))
			break;
		if (wlist(p, OLD_STAGE))
			return true;
	}
	for (size_t k = 1; k <= 3; k++) {
		const xword *n = word_at(x, m->w + k);
		if (!n || n->sent != x->w[m->w].sent)
			break;
		bool negated = negated_near(x, m->w + k, false);
		if ((wlist(n, WRONG_WORDS) && !negated) || (wlist(n, RIGHT_WORDS) && negated))
			return true;
	}
	return false;
}

/* Decide whether one mention is asserted; `why` says why not. */
static void judge_mention(xtext *x, xmention *m)
{
	const xword *w = &x->w[m->w];
	const xword *pw = prev_word(x, m->w), *nw = next_word(x, m->w + m->nw - 1);
	uint8_t cue = x->cue[w->full];
	bool cap = w->shape == SH_CAP || w->shape == SH_UPPER;
	m->asserted = false;
	m->why = NULL;
	if (m->kind == K_STATE && wlist(w, INTERJECTIONS) && first_of_sentence(x, m->w) && nw && (nw->gap & G_COMMA)) {
		/* "OK, ..." opens a sentence as a word, even in a list-only answer */
		m->why = "ordinary word";
		return;
	}
	if (m->kind == K_ID || x->list_only) {
		m->asserted = true;
		return;
	}
	switch (m->kind) {
	case K_STATE: {
		bool named = w->n > 2 || m->nw > 1;
		bool ambiguous = !named && wlist(w, AMBIGUOUS_CODES);
		if (w->neg)
			m->why = "negated";
		else if (named || (w->shape == SH_UPPER && !ambiguous))
			m->asserted = true;
		else if (ambiguous && w->shape != SH_UPPER)
			m->why = "ordinary word";
		else if ((cue & (CUE_STATE | CUE_ANSWER)) &&
			 ((pw && wlist(pw, COPULAS)) || (w->gap & (G_COLON | G_EQ | G_ARROW | G_OPEN))))
			m->asserted = true;
		else
			m->why = ambiguous ? "ordinary word" : "lower case";
		return;
	}
	case K_MONTH: {
		/* "may" in lower case is the verb; "march" and "august" are rare as words */
		if (w->shape == SH_MIXED || (w->shape == SH_LOWER && m->val == 4))
			m->why = "ordinary word";
		else if (m->val == 4 && cap && !(pw && wlist(pw, MAY_MONTH_PREPS)) && !(w->gap & (G_COLON | G_EQ | G_OPEN)) &&
			 nw && !(nw->gap & G_PUNCT) && wlist(nw, MODAL_NEXT))
			m->why = "modal verb";
		else if (w->shape == SH_UPPER && (upper_word(pw) || upper_word(nw)))
			m->why = "all-caps text";
		else if (w->neg)
			m->why = "negated";
		else if (m->period)
			m->why = "bounds a period";
		else
			m->asserted = true;
		return;
	}
	case K_STAGE: {
		if (w->neg) {
			m->why = "negated";
		} else if (stage_not_answer(x, m)) {
			m->why = "current or rejected stage";
		} else if (!(cue & (CUE_STAGE | CUE_ANSWER))) {
			m->why = "no stage context";
		} else if (cap) {
			bool noun = pw && (wlist(pw, DETERMINERS) || pw->poss) && !(w->gap & (G_QUOTE | G_COLON)) &&
				    !(nw && wlist(nw, STAGE_WORDS));
			if (noun)
				m->why = "noun";
			else
				m->asserted = true;
		} else {
			/* lower case: right after "stage" (within four words), or "the quote stage" */
			bool near = nw && wlist(nw, STAGE_WORDS);
			for (size_t k = 1; !near && k <= 4 && k <= m->w; k++) {
				const xword *p = &x->w[m->w - k];
				if (p->sent != w->sent)
					break;
				near = wlist(p, STAGE_WORDS) && (k == 1 || (pw && wlist(pw, STAGE_LEADS)));
			}
			if (near)
				m->asserted = true;
			else
				m->why = "lower case";
		}
		return;
	}
	case K_BANT: {
		uint8_t pol = x->pol[w->clause];
		if (pol & POL_FAIL)
			m->asserted = true;
		else if (pol & POL_MET)
			m->why = "met";
		else if (cap)
			m->asserted = true;
		else
			m->why = "no failure stated";
		return;
	}
	default:
		return;
	}
}

/* A state code left out as an ordinary word, listed with an asserted state
 * ("TX or OK", "TX, OK"), is one too; "OK, TX ..." at the start is not. */
static void spread_state_lists(xtext *x)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j + 1 < x->nm; j++) {
			size_t k = pass == 0 ? j : x->nm - 2 - j;
			xmention *a = &x->m[k], *b = &x->m[k + 1];
			if (a->kind != K_STATE || b->kind != K_STATE || x->w[a->w].sent != x->w[b->w].sent)
				continue;
			size_t end = a->w + a->nw;
			bool listed = (b->w == end && (x->w[b->w].gap & (G_COMMA | G_SLASH | G_AMP)) &&
				       !(x->w[b->w].gap & ~(G_COMMA | G_SLASH | G_AMP | G_QUOTE))) ||
				      (b->w == end + 1 && (weq(&x->w[end], "and") || weq(&x->w[end], "or")));
			if (!listed)
				continue;
			xmention *from = pass == 0 ? a : b, *to = pass == 0 ? b : a;
			bool opening = to == a && first_of_sentence(x, a->w) && (x->w[b->w].gap & G_COMMA);
			const xword *tw = &x->w[to->w];
			bool word = wlist(tw, AMBIGUOUS_CODES) && tw->shape != SH_UPPER;
			if (from->asserted && !to->asserted && !tw->neg && !opening && !word) {
				to->asserted = true;
				to->why = NULL;
			}
		}
	}
}

/* A negator directly before a factor ("no budget", "without authority")
 * states a failure, unless a cue follows the factor ("no budget issue"). */
static void bant_direct_negation(xtext *x)
{
	for (size_t k = 0; k < x->nm; k++) {
		const xmention *m = &x->m[k];
		if (m->kind != K_BANT)
			continue;
		const xword *p = prev_word(x, m->w), *n = next_word(x, m->w);
		if (!p || !(wlist(p, NEGATORS) || ends_nt(p) || weq(p, "no")))
			continue;
		if (n && (wlist(n, MET_CUES) || wlist(n, FAIL_CUES)))
			continue;
		x->pol[x->w[m->w].clause] |= POL_FAIL;
	}
}

/* Read `text` for entities of `kinds`: words, scopes, mentions, and
 * whether each mention is asserted. */
static int read_answer(xtext *x, const char *text, int kinds)
{
	memset(x, 0, sizeof *x);
	x->read = true;
	int rc = split_words(x, text);
	if (!rc)
		rc = find_mentions(x, kinds);
	if (!rc)
		rc = read_scopes(x);
	if (rc)
		return rc;
	x->list_only = is_list_only(x);
	mark_periods(x);
	bant_direct_negation(x);
	for (size_t k = 0; k < x->nm; k++)
		judge_mention(x, &x->m[k]);
	spread_state_lists(x);
	return CRMW_OK;
}

/* Phrases that say no entity qualifies; "*" is any word of NONE_NOUNS.
 * Those with kinds count only when the task asks for that kind. */
static const struct {
	const char *words;
	int kinds;
} none_phrases[] = {
	{"none", 0},		{"null", 0},		  {"nil", 0},		     {"nothing", 0},
	{"nobody", 0},		{"neither", 0},		  {"no one", 0},	     {"not any", 0},
	{"no *", 0},		{"there is no", 0},	  {"there are no", 0},	     {"there was no", 0},
	{"there were no", 0},	{"there isn't", 0},	  {"there aren't", 0},	     {"there wasn't", 0},
	{"there weren't", 0},	{"did not find", 0},	  {"didn't find", 0},	     {"could not find", 0},
	{"couldn't find", 0},	{"cannot find", 0},	  {"can't find", 0},	     {"found no", 0},
	{"not found", 0},	{"does not exist", 0},	  {"doesn't exist", 0},	     {"not applicable", 0},
	{"is correct", K_STAGE}, {"already correct", K_STAGE}, {"is accurate", K_STAGE}, {"is appropriate", K_STAGE},
	{"is right", K_STAGE},	{"accurately", K_STAGE},  {"appropriately", K_STAGE}, {"correctly", K_STAGE},
	{"remain", K_STAGE},	{"remains", K_STAGE},	  {"is fine", K_STAGE},	     {"qualified", K_BANT},
	{"qualifies", K_BANT},	{"meets all", K_BANT},	  {"meets every", K_BANT},   {"all met", K_BANT},
	{"are met", K_BANT},
};

/* Every word of the lists, the None phrases' first words and the state
 * names' first words, with the lists each is in: built once, read-only
 * afterwards (an open-addressing table of lower-case words). */
#define WT_SIZE 1024
static struct {
	char word[24];
	uint32_t lists;
} word_table[WT_SIZE];
static size_t word_table_used;
static pthread_once_t word_table_once = PTHREAD_ONCE_INIT;

static size_t wt_slot(const char *w, size_t n)
{
	size_t i = (size_t)crmw__fnv1a(CRMW_FNV_OFFSET, w, n) & (WT_SIZE - 1);
	while (word_table[i].word[0] && !(strlen(word_table[i].word) == n && memcmp(word_table[i].word, w, n) == 0))
		i = (i + 1) & (WT_SIZE - 1);
	return i;
}

static void wt_add(const char *w, size_t n, uint32_t bit)
{
	/* the lists hold fewer than 500 short words: the table never fills */
	if (n == 0 || n >= sizeof word_table[0].word || word_table_used >= WT_SIZE / 2)
		return;
	size_t i = wt_slot(w, n);
	if (!word_table[i].word[0]) {
		memcpy(word_table[i].word, w, n);
		word_table[i].word[n] = '\0';
		word_table_used++;
	}
	word_table[i].lists |= bit;
}

static void wt_first_word(const char *text, uint32_t bit)
{
	const char *e = strchr(text, ' ');
	wt_add(text, e ? (size_t)(e - text) : strlen(text), bit);
}

static void wt_build(void)
{
	for (size_t k = 0; k < CRMW_ARRAY_LEN(word_lists); k++) {
		for (const char *p = word_lists[k].words + 1, *e; (e = strchr(p, '|')) != NULL; p = e + 1)
			wt_add(p, (size_t)(e - p), word_lists[k].bit);
	}
	for (size_t k = 0; k < CRMW_ARRAY_LEN(none_phrases); k++)
		wt_first_word(none_phrases[k].words, NONE_FIRST);
	for (size_t k = 0; k < CRMW_ARRAY_LEN(states); k++) {
		char code[3] = {(char)(states[k].code[0] + 32), (char)(states[k].code[1] + 32), '\0'};
		wt_first_word(states[k].name, STATE_FIRST);
		wt_add(code, 2, ENTITY_NAME);
	}
	static const char *const names[] = {"january", "february", "march",	"april",     "may",	  "june",
					    "july",    "august",   "september", "october",   "november",  "december",
					    "qualification", "discovery", "quote", "negotiation", "closed", "budget",
					    "authority", "need", "timeline", "budgets", "needs", "timelines", "timing"};
	for (size_t k = 0; k < CRMW_ARRAY_LEN(names); k++)
		wt_add(names[k], strlen(names[k]), ENTITY_NAME);
}

/* The lists a word is in: its lower-case form (’ read as ') looked up. */
static uint32_t word_lists_of(const char *s, size_t n)
{
	char k[sizeof word_table[0].word];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x99) {
			c = '\'';
			i += 2;
		} else if (c >= 0x80) {
			return 0;
		}
		if (m + 1 >= sizeof k)
			return 0;
		k[m++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (m == 0)
		return 0;
	pthread_once(&word_table_once, wt_build);
	size_t i = wt_slot(k, m);
	return word_table[i].word[0] ? word_table[i].lists : 0;
}

/* Is the word `p` (len bytes, lower case)?  An apostrophe in `p` also
 * matches ’. */
static bool word_matches(const xword *v, const char *p, size_t len)
{
	size_t i = 0, k = 0;
	while (i < v->n && k < len) {
		unsigned char c = (unsigned char)v->s[i++];
		if (c == 0xE2 && i + 1 < v->n && (unsigned char)v->s[i] == 0x80 && (unsigned char)v->s[i + 1] == 0x99) {
			c = '\'';
			i += 2;
		}
		if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)p[k++])
			return false;
	}
	return i == v->n && k == len;
}

/* Does a None phrase start at word i? */
static bool none_phrase_at(const xtext *x, size_t i, int kinds)
{
	const xword *w = &x->w[i], *n = next_word(x, i);
	if (weq(w, "n") && n && weq(n, "a") && (n->gap & G_SLASH))
		return true;
	if (!(w->lists & NONE_FIRST))
		return false;
	/* "No." or "No, ..." answering a yes/no question */
	if (weq(w, "no") && (!n || (n->gap & G_PUNCT)))
		return true;
	for (size_t k = 0; k < CRMW_ARRAY_LEN(none_phrases); k++) {
		if (none_phrases[k].kinds && !(none_phrases[k].kinds & kinds))
			continue;
		size_t j = 0;
		bool ok = true;
		for (const char *p = none_phrases[k].words; ok && *p; j++) {
			const char *e = strchr(p, ' ');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			const xword *v = j == 0 ? w : next_word(x, i + j - 1);
			if (!v || (j > 0 && (v->gap & G_PUNCT)))
				ok = false;
			else if (len == 1 && *p == '*')
				ok = wlist(v, NONE_NOUNS);
			else
				ok = word_matches(v, p, len);
			p += len + (e != NULL);
		}
		if (ok)
			return true;
	}
	return false;
}

/* The answer says that nothing qualifies (a phrase not under a negation:
 * "not qualified" and "is not None" do not count). */
static bool says_none(const xtext *x, int kinds)
{
	for (size_t i = 0; i < x->nw; i++)
		if (none_phrase_at(x, i, kinds) && !negated_near(x, i, false))
			return true;
	return false;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case K_ID:
		return "id";
	case K_MONTH:
		return "month";
	case K_STATE:
		return "state";
	case K_STAGE:
		return "stage";
	case K_BANT:
		return "bant";
	default:
		return "text";
	}
}

/* The canonical form of a mention: an id as written (or, with lenient ids,
 * the gold id it abbreviates), a month or stage or factor name, a code. */
static int add_mention(strset *out, const xtext *x, const xmention *m, const strset *gold, bool lenient)
{
	const xword *w = &x->w[m->w];
	switch (m->kind) {
	case K_ID:
		if (lenient && gold) {
			size_t i;
			json_t *g;
			json_array_foreach(gold->list, i, g) {
				const char *gs = json_string_value(g);
				size_t gn = strlen(gs);
				if ((w->n == 15 && gn == 18 && memcmp(gs, w->s, 15) == 0) ||
				    (w->n == 18 && gn == 15 && memcmp(gs, w->s, 15) == 0))
					return strset_add(out, gs);
			}
		}
		return strset_addn(out, w->s, w->n);
	case K_MONTH:
		return strset_add(out, crmw__month_names[m->val]);
	case K_STATE:
		return strset_add(out, states[m->val].code);
	case K_STAGE:
		return strset_add(out, stage_names[m->val]);
	case K_BANT:
		return strset_add(out, bant_names[m->val]);
	default:
		return CRMW_OK;
	}
}

/* The kinds of entity a task type's answers are (the official harness picks
 * its extractor's prompt the same way); 0 for no task. */
static int task_kinds(const char *task)
{
	if (!task || !*task)
		return 0;
	if (strcmp(task, "best_region_identification") == 0)
		return K_STATE;
	if (strcmp(task, "monthly_trend_analysis") == 0)
		return K_MONTH;
	if (strcmp(task, "lead_qualification") == 0)
		return K_BANT;
	if (strcmp(task, "wrong_stage_rectification") == 0)
		return K_STAGE;
	return K_ID;
}

const char *crmw__answer_vocab(const char *task, size_t i)
{
	switch (task_kinds(task)) {
	case K_MONTH:
		return i < 12 ? crmw__month_names[i] : NULL;
	case K_STAGE:
		return i < CRMW_ARRAY_LEN(stage_names) ? stage_names[i] : NULL;
	case K_BANT:
		return i < CRMW_ARRAY_LEN(bant_names) ? bant_names[i] : NULL;
	case K_STATE:
		/* the codes once each (DC has three spellings), in the table's order */
		for (size_t k = 0; k < CRMW_ARRAY_LEN(states); k++) {
			bool seen = false;
			for (size_t j = 0; j < k && !seen; j++)
				seen = strcmp(states[j].code, states[k].code) == 0;
			if (!seen && i-- == 0)
				return states[k].code;
		}
		return NULL;
	default:
		return NULL;
	}
}

/* --------------------------------------------------------------- scoring */

/* Free-text items of a list answer: split at commas, semicolons, new lines
 * and " and "; trimmed and lower-cased. */
static int extract_text(strset *out, const char *text)
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
			if (!item)
				return CRMW_ENOMEM;
			for (char *q = item; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			int rc = strset_add(out, item);
			free(item);
			if (rc)
				return rc;
		}
		p = *end == ' ' ? end + 5 : *end ? end + 1 : end;
	}
	return CRMW_OK;
}

/* The answer as CRMArena's chat harness cleans it before comparing:
 * answer.strip().strip('"').strip("'") (a new string). */
static char *official_strip(const char *s)
{
	size_t n = strlen(s);
	const char *a = s;
	while (n && (isspace((unsigned char)*a) || (*a >= 0x1C && *a <= 0x1F)))
		a++, n--;
	while (n && (isspace((unsigned char)a[n - 1]) || (a[n - 1] >= 0x1C && a[n - 1] <= 0x1F)))
		n--;
	for (char q = '"';; q = '\'') {
		while (n && *a == q)
			a++, n--;
		while (n && a[n - 1] == q)
			n--;
		if (q == '\'')
			break;
	}
	return crmw__strndup(a, n);
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

/* The gold strings joined as the function-calling harness would print a
 * list: ", " between them ("None" for None). */
static char *gold_joined(const json_t *golds)
{
	if (json_array_size(golds) == 0)
		return crmw__strdup("None");
	crmw_buf b = CRMW_BUF_INIT;
	size_t i;
	json_t *g;
	json_array_foreach(golds, i, g) {
		if ((i && crmw__buf_puts(&b, ", ")) || crmw__buf_puts(&b, json_string_value(g))) {
			crmw_buf_dispose(&b);
			return NULL;
		}
	}
	return b.data ? b.data : crmw__strdup("");
}

/* One gold string read as an answer that lists entities: their canonical
 * forms go to `canon` and their kinds are returned; 0 when the string is
 * free text (it lists no entity, or says more than entities). */
static int gold_entities(strset *canon, const char *g, int kinds, int *rc)
{
	xtext x;
	*rc = read_answer(&x, g, kinds);
	int found = 0;
	if (!*rc && x.list_only) {
		for (size_t k = 0; k < x.nm && !*rc; k++) {
			*rc = add_mention(canon, &x, &x.m[k], NULL, false);
			found |= x.m[k].kind;
		}
	}
	xtext_dispose(&x);
	return found;
}

/* Mentions left out, with the reason, for the breakdown (at most 16). */
static json_t *ignored_json(const xtext *x)
{
	json_t *out = json_array();
	for (size_t k = 0; out && k < x->nm && json_array_size(out) < 16; k++) {
		const xmention *m = &x->m[k];
		if (m->asserted)
			continue;
		const xword *a = &x->w[m->w], *b = &x->w[m->w + m->nw - 1];
		json_array_append_new(out, json_pack("{s:s%, s:s, s:s}", "text", a->s, (size_t)(b->s + b->n - a->s), "kind",
						     kind_name(m->kind), "why", m->why ? m->why : "not asserted"));
	}
	return out;
}

static json_t *kinds_json(int kinds)
{
	json_t *out = json_array();
	for (int k = K_ID; out && k <= K_TEXT; k <<= 1)
		if (kinds & k)
			json_array_append_new(out, json_string(kind_name(k)));
	return out;
}

/* The gold answer's canonical entities (or lower-cased strings, for free
 * text) into `canon`; returns the kinds found (K_TEXT for free text). */
static int gold_canon(strset *canon, const json_t *golds, int task, int *kinds)
{
	size_t i;
	json_t *g;
	bool text = false;
	int rc = CRMW_OK;
	*kinds = 0;
	json_array_foreach(golds, i, g) {
		int found = gold_entities(canon, json_string_value(g), task ? task : K_ENTITY, &rc);
		if (rc)
			return rc;
		text = text || !found;
		*kinds |= found;
	}
	if (!text)
		return CRMW_OK;
	/* free-text gold: compared as lower-cased items */
	strset_dispose(canon);
	if ((rc = strset_init(canon)))
		return rc;
	json_array_foreach(golds, i, g) {
		char *low = crmw__strdup(json_string_value(g));
		if (!low)
			return CRMW_ENOMEM;
		for (char *q = low; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		rc = strset_add(canon, low);
		free(low);
		if (rc)
			return rc;
	}
	*kinds = K_TEXT;
	return CRMW_OK;
}

/* The score of a (stripped) answer against the canonical gold. */
static int score_extracted(double *score, const char **method, strset *got, xtext *x, bool *none_said,
			   const json_t *golds, const strset *canon, const char *s, int kinds, bool lenient)
{
	const char *single = json_array_size(golds) == 0   ? "None"
			     : json_array_size(golds) == 1 ? json_string_value(json_array_get(golds, 0))
							   : NULL;
	int rc = CRMW_OK;
	*score = 0;
	if (single && strcmp(s, single) == 0) {
		/* the official first test: the cleaned answer is the gold string */
		*score = 1;
		*method = "direct";
		return json_array_size(golds) ? strset_add(got, single) : CRMW_OK;
	}
	if (strlen(s) > ANSWER_MAX) {
		*method = "too_long";
		return CRMW_OK;
	}
	*method = "extracted";
	if (kinds & K_TEXT) {
		if (json_array_size(canon->list) == 1 && strcasecmp(s, json_string_value(json_array_get(golds, 0))) == 0)
			rc = strset_add(got, json_string_value(json_array_get(canon->list, 0)));
		else
			rc = extract_text(got, s);
		*score = !rc && strset_equal(got, canon);
		return rc;
	}
	rc = read_answer(x, s, kinds);
	for (size_t k = 0; !rc && k < x->nm; k++)
		if (x->m[k].asserted)
			rc = add_mention(got, x, &x->m[k], canon, lenient);
	if (rc)
		return rc;
	*none_said = says_none(x, kinds);
	if (json_array_size(golds) == 0) {
		/* None: the answer says so and asserts no entity */
		*method = "none";
		*score = json_array_size(got->list) == 0 && *none_said;
	} else {
		*score = strset_equal(got, canon);
	}
	return CRMW_OK;
}

int crmw__reward_exact_opts(double *score, json_t **info, const json_t *gold, const char *answer,
			    const crmw__exact_opts *opt)
{
	static const crmw__exact_opts defaults;
	if (!opt)
		opt = &defaults;
	if (!answer)
		answer = "";
	json_t *golds = crmw__gold_list(gold), *j = NULL;
	char *s = NULL, *expect = NULL;
	strset canon = {0}, got = {0};
	xtext x = {0};
	bool none_said = false;
	int rc = golds ? CRMW_OK : CRMW_ENOMEM, kinds = 0;
	double sc = 0;
	const char *method = "strict";
	if (!rc && opt->strict) {
		/* CRMArena's function-calling harness: answer == gold, nothing stripped */
		expect = gold_joined(golds);
		rc = expect ? CRMW_OK : CRMW_ENOMEM;
		sc = expect && strcmp(answer, expect) == 0;
	} else if (!rc) {
		int task = task_kinds(opt->task);
		rc = strset_init(&canon);
		if (!rc)
			rc = strset_init(&got);
		if (!rc)
			rc = (s = official_strip(answer)) ? CRMW_OK : CRMW_ENOMEM;
		if (!rc)
			rc = gold_canon(&canon, golds, task, &kinds);
		if (!rc && kinds != K_TEXT)
			kinds |= task ? task : json_array_size(golds) ? 0 : K_ENTITY;
		if (!rc)
			rc = score_extracted(&sc, &method, &got, &x, &none_said, golds, &canon, s, kinds, opt->lenient_ids);
	}
	if (!rc) {
		*score = sc;
		if (info) {
			j = info_new("exact_match", golds, sc);
			if (j) {
				json_object_set_new(j, "method", json_string(method));
				if (opt->strict) {
					json_object_set_new(j, "expected", json_string(expect));
				} else {
					json_object_set_new(j, "kinds", kinds_json(kinds));
					json_object_set(j, "extracted", got.list);
					if (x.read) {
						json_object_set_new(j, "says_none", json_boolean(none_said));
						json_object_set_new(j, "ignored", ignored_json(&x));
					}
				}
				if (opt->lenient_ids)
					json_object_set_new(j, "lenient_ids", json_true());
			}
			rc = j ? CRMW_OK : CRMW_ENOMEM;
			*info = j;
		}
	}
	xtext_dispose(&x);
	strset_dispose(&canon);
	strset_dispose(&got);
	json_decref(golds);
	free(s);
	free(expect);
	if (rc)
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory scoring an answer");
	return CRMW_OK;
}

int crmw__reward_exact(double *score, json_t **info, const json_t *gold, const char *answer)
{
	return crmw__reward_exact_opts(score, info, gold, answer, NULL);
}

int crmw__reward_exact_task(double *score, json_t **info, const json_t *task, const char *answer,
			    const crmw__exact_opts *opt)
{
	crmw__exact_opts o = opt ? *opt : (crmw__exact_opts){0};
	o.task = crmw__task_family(task);
	return crmw__reward_exact_opts(score, info, json_object_get(task, "answer"), answer, &o);
}

/* ---------------------------------------------------------------- fuzzy */

/* The tokens of a text, each NUL-terminated in `text`. */
typedef struct tokv {
	crmw_buf text;
	size_t *off;
	char **v;
	size_t n, cap;
} tokv;

static void tokv_dispose(tokv *t)
{
	crmw_buf_dispose(&t->text);
	free(t->off);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* SQuAD normalisation as CRMArena writes it (underscores to spaces, lower
 * case, punctuation to spaces, a/an/the dropped, split at white space),
 * with Unicode punctuation and spaces counted as the ASCII ones. */
static int tokenize(tokv *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool in = false;
	size_t start = 0;
	for (;;) {
		size_t len = 1;
		uint32_t c = *p ? utf8_get(p, &len) : 0;
		int k = *p ? char_class(c) : CH_SPACE;
		int rc = CRMW_OK;
		if (k == CH_WORD) {
			if (!in) {
				start = t->text.len;
				in = true;
			}
			uint32_t l = c == CP_BAD ? c : lower_cp(c);
			char u[4];
			if (c == 0x130)
				rc = crmw__buf_append(&t->text, "i\xCC\x87", 3);
			else if (l != c)
				rc = crmw__buf_append(&t->text, u, utf8_put(u, l));
			else
				rc = crmw__buf_append(&t->text, p, len);
		} else if (k != CH_SKIP && in) {
			in = false;
			const char *w = t->text.data + start;
			if (strcmp(w, "a") == 0 || strcmp(w, "an") == 0 || strcmp(w, "the") == 0) {
				t->text.len = start;
				t->text.data[start] = '\0';
			} else if ((rc = crmw__buf_putc(&t->text, '\0')) == CRMW_OK) {
				if (grow((void **)&t->off, &t->cap, t->n, sizeof *t->off))
					return CRMW_ENOMEM;
				t->off[t->n++] = start;
			}
		}
		if (rc)
			return rc;
		if (!*p)
			break;
		p += len;
	}
	t->v = malloc((t->n ? t->n : 1) * sizeof *t->v);
	if (!t->v)
		return CRMW_ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		t->v[i] = t->text.data + t->off[i];
	return CRMW_OK;
}

/* Token-bag F1 as the official f1_score (0 when nothing is shared, also
 * when both sides are empty); *em: the normalised texts are equal. */
static int f1(double *out, const tokv *pred, const tokv *gold, bool *em)
{
	*out = 0;
	*em = pred->n == gold->n;
	for (size_t i = 0; *em && i < pred->n; i++)
		*em = strcmp(pred->v[i], gold->v[i]) == 0;
	if (!pred->n || !gold->n)
		return CRMW_OK;
	char **a = malloc((pred->n + gold->n) * sizeof *a), **b = a + pred->n;
	if (!a)
		return CRMW_ENOMEM;
	memcpy(a, pred->v, pred->n * sizeof *a);
	memcpy(b, gold->v, gold->n * sizeof *b);
	qsort(a, pred->n, sizeof *a, crmw__strptr_cmp);
	qsort(b, gold->n, sizeof *b, crmw__strptr_cmp);
	size_t common = 0;
	for (size_t i = 0, j = 0; i < pred->n && j < gold->n;) {
		int c = strcmp(a[i], b[j]);
		if (c == 0)
			common++, i++, j++;
		else if (c < 0)
			i++;
		else
			j++;
	}
	free(a);
	if (common) {
		double p = (double)common / (double)pred->n, r = (double)common / (double)gold->n;
		*out = 2 * p * r / (p + r);
	}
	return CRMW_OK;
}

int crmw__reward_fuzzy(double *score, json_t **info, const json_t *gold, const char *answer)
{
	json_t *golds = crmw__gold_list(gold);
	tokv pred = {0};
	int rc = golds ? tokenize(&pred, answer ? answer : "") : CRMW_ENOMEM;
	if (!rc && json_array_size(golds) == 0 && json_array_append_new(golds, json_string("None")))
		rc = CRMW_ENOMEM;
	double best = 0;
	bool best_em = false;
	size_t i;
	json_t *g;
	json_array_foreach(golds, i, g) {
		if (rc)
			break;
		tokv gt = {0};
		bool em = false;
		double f = 0;
		rc = tokenize(&gt, json_string_value(g));
		if (!rc)
			rc = f1(&f, &pred, &gt, &em);
		tokv_dispose(&gt);
		if (f > best || (f == best && em)) {
			best = f;
			best_em = em;
		}
	}
	tokv_dispose(&pred);
	if (rc) {
		json_decref(golds);
		return crmw__errf(NULL, CRMW_ENOMEM, "out of memory scoring an answer");
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
	return CRMW_OK;
}

int crmw__task_reward(double *score, json_t **info, const json_t *task, const char *answer, const json_t *messages,
		      crmw_judge_fn judge, void *userdata)
{
	const char *metric = json_string_value(json_object_get(task, "reward_metric"));
	const json_t *gold = json_object_get(task, "answer");
	if (!metric || strcmp(metric, "exact_match") == 0)
		return crmw__reward_exact_task(score, info, task, answer, NULL);
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

int crmw_reward_exact_match(double *score, crmw_buf *info, const char *gold_json, const char *answer)
{
	CRMW__ARGS_NONNULL(NULL, !score);
	json_t *gold, *j = NULL;
	int rc = parse_arg(&gold, gold_json, "gold_json");
	if (rc)
		return rc;
	rc = crmw__reward_exact(score, info ? &j : NULL, gold, answer);
	json_decref(gold);
	return finish(info, j, rc);
}

/* The options of crmw_reward_exact_match_opts and crmw_task_score_opts. */
static int exact_options(crmw__exact_opts *o, const char *options_json, bool with_task, json_t **doc)
{
	static const char *const keys[] = {"strict", "lenient_ids", "task"};
	memset(o, 0, sizeof *o);
	*doc = NULL;
	int rc = crmw__json_options(doc, NULL, options_json, "exact_match options", keys,
				    with_task ? CRMW_ARRAY_LEN(keys) : CRMW_ARRAY_LEN(keys) - 1);
	if (rc || !*doc)
		return rc;
	const json_t *v;
	if ((v = json_object_get(*doc, "strict")) && !json_is_boolean(v))
		return crmw__errf(NULL, CRMW_EINVALID, "exact_match options: \"strict\" must be true or false");
	o->strict = json_is_true(v);
	if ((v = json_object_get(*doc, "lenient_ids")) && !json_is_boolean(v))
		return crmw__errf(NULL, CRMW_EINVALID, "exact_match options: \"lenient_ids\" must be true or false");
	o->lenient_ids = json_is_true(v);
	if ((v = json_object_get(*doc, "task")) && !json_is_string(v))
		return crmw__errf(NULL, CRMW_EINVALID, "exact_match options: \"task\" must be a task type");
	o->task = json_string_value(v);
	return CRMW_OK;
}

int crmw_reward_exact_match_opts(double *score, crmw_buf *info, const char *gold_json, const char *answer,
					  const char *options_json)
{
	CRMW__ARGS_NONNULL(NULL, !score);
	crmw__exact_opts o;
	json_t *doc, *gold = NULL, *j = NULL;
	int rc = exact_options(&o, options_json, true, &doc);
	if (!rc)
		rc = parse_arg(&gold, gold_json, "gold_json");
	if (!rc)
		rc = crmw__reward_exact_opts(score, info ? &j : NULL, gold, answer, &o);
	json_decref(gold);
	json_decref(doc);
	return finish(info, j, rc);
}

int crmw_task_score_opts(double *score, crmw_buf *info, const crmw_task_set *ts, int64_t i,
				  const char *answer, const char *messages_json, crmw_judge_fn judge, void *userdata,
				  const char *options_json)
{
	crmw__exact_opts o;
	json_t *doc, *j = NULL;
	int rc = exact_options(&o, options_json, false, &doc);
	const json_t *t = ts && i >= 0 ? json_array_get(ts->tasks, (size_t)i) : NULL;
	const char *metric = json_string_value(json_object_get(t, "reward_metric"));
	/* the options change exact_match only; everything else as crmw_task_score */
	if (rc || !doc || !t || !score || (metric && strcmp(metric, "exact_match") != 0)) {
		json_decref(doc);
		return rc ? rc : crmw_task_score(score, info, ts, i, answer, messages_json, judge, userdata);
	}
	rc = crmw__reward_exact_task(score, info ? &j : NULL, t, answer ? answer : "", &o);
	json_decref(doc);
	return finish(info, j, rc);
}

int crmw_reward_fuzzy_match(double *score, crmw_buf *info, const char *gold_json, const char *answer)
{
	CRMW__ARGS_NONNULL(NULL, !score);
	json_t *gold, *j = NULL;
	int rc = parse_arg(&gold, gold_json, "gold_json");
	if (rc)
		return rc;
	rc = crmw__reward_fuzzy(score, info ? &j : NULL, gold, answer);
	json_decref(gold);
	return finish(info, j, rc);
}
