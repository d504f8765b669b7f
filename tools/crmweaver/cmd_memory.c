/*
 * crmweaver memory: the shared-memory store (<crmweaver/memory.h>): add,
 * search, list, show, delete, stats, export, import, index.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver memory add --store MEM.db --text TEXT [--title T] [--kind K] [--family F]\n"
		"                            [--query Q] [--tag T]... [--metadata JSON] [--provenance ID]...\n"
		"                            [--scope S] [--json]\n"
		"       crmweaver memory search --store MEM.db --text QUERY [-k N] [FILTERS] [--min-score X]\n"
		"                               [--mmr LAMBDA] [--engine auto|exact|faiss] [--json]\n"
		"       crmweaver memory list --store MEM.db [FILTERS] [--order id|utility|updated|retrieved]\n"
		"                             [--desc] [--limit N] [--offset N] [--json]\n"
		"       crmweaver memory show|delete --store MEM.db ID\n"
		"       crmweaver memory stats --store MEM.db [--json]\n"
		"       crmweaver memory export --store MEM.db -o FILE.jsonl\n"
		"       crmweaver memory import --store MEM.db [--no-dedup] [--keep-ids] [--json] FILE.jsonl\n"
		"       crmweaver memory index --store MEM.db [--factory STR] [--json]\n"
		"\n"
		"A memory store holds guidelines, plans, episodes and facts learned from solved tasks,\n"
		"with embeddings, in one SQLite file.  add and import create a missing store; the other\n"
		"subcommands need an existing one.  An add that repeats an entry of the same kind and\n"
		"family (equal text, or similar enough) merges into it.\n"
		"\n"
		"Every entry has a scope: \"global\" (every reader sees it; the default of add), or the\n"
		"scope of the role whose episode wrote it (\"internal\", \"account:<AccountId>\" for a\n"
		"customer, \"role:<name>...\" for a policy role; docs/access.md).  search and list\n"
		"with --scope S show what a reader of S sees: the global entries and those of S.\n"
		"\n"
		"filters (search, list; --kind and --family may repeat: any of them):\n"
		"  --kind K        guideline, plan, episode or fact (add: the entry's kind, default guideline)\n"
		"  --family F      a task family (add: the entry's family)\n"
		"  --tag T         entries carrying every tag given (add: the entry's tags)\n"
		"  --metadata JSON {\"path\": value} the metadata must match, \"a.b\" is metadata.a.b\n"
		"                  (add: the entry's metadata object)\n"
		"  --scope S       the entries a reader of scope S sees: S's and the global ones\n"
		"                  (add: the entry's scope, default global)\n"
		"\n"
		"options:\n"
		"  --store FILE    the memory store\n"
		"  --text TEXT     (add) the entry's text; (search) the query text\n"
		"  --title T, --query Q, --provenance ID   (add) title, task query, trajectory ids\n"
		"  -k N            (search) how many hits (default 5)\n"
		"  --min-score X   (search) drop hits scoring below X\n"
		"  --mmr LAMBDA    (search) diversify the hits, LAMBDA in [0, 1] weighs relevance\n"
		"  --engine E      (search) auto (default), exact or faiss\n"
		"  --no-dedup      (import) never merge lines into existing entries\n"
		"  --keep-ids      (import) keep the lines' ids\n"
		"  --factory STR   (index) a faiss index_factory string (default: the recorded one)\n"
		"  --json          print JSON (search, list, show and stats print the library's JSON)\n"
		"\n"
		"store options (--dim and --embedder are fixed when the store is created and checked\n"
		"afterwards; --capacity and --index apply to add and import and are recorded):\n"
		"  --dim N         embedding dimension (default 384)\n"
		"  --embedder NAME the embedder (default crmw-hash-v1, built in)\n"
		"  --capacity N    most entries kept, the least useful evicted (0: unlimited)\n"
		"  --index FACTORY the faiss index searches use (\"HNSW32\", \"IVF256,Flat\", ...)\n"
		"\n"
		"examples:\n"
		"  crmweaver memory add --store mem.db --kind guideline --family case_routing \\\n"
		"      --title 'Route by issue' --text 'Count closed cases per agent for the issue first.'\n"
		"  crmweaver memory search --store mem.db --text 'which agent should get this case' -k 3\n"
		"  crmweaver memory search --store mem.db --text 'refund policy' --family knowledge_qa --json\n"
		"  crmweaver memory search --store mem.db --text 'my order' --scope account:001Sj3erptXiHMNIA3\n"
		"  crmweaver memory list --store mem.db --order utility --desc --limit 20\n"
		"  crmweaver memory export --store mem.db -o mem.jsonl\n"
		"  crmweaver memory import --store other.db mem.jsonl\n"
		"  crmweaver memory index --store mem.db --factory HNSW32\n");
}

enum { S_ADD, S_SEARCH, S_LIST, S_SHOW, S_DELETE, S_STATS, S_EXPORT, S_IMPORT, S_INDEX, S_N };
static const char *const sub_names[S_N] = {"add",   "search", "list",   "show", "delete",
					   "stats", "export", "import", "index"};

#define B(s) (1u << (s))
#define FILTERS (B(S_ADD) | B(S_SEARCH) | B(S_LIST))

enum {
	O_STORE = 256, O_TEXT, O_TITLE, O_KIND, O_FAMILY, O_QUERY, O_TAG, O_METADATA, O_PROV, O_MIN_SCORE, O_MMR,
	O_ENGINE, O_ORDER, O_DESC, O_LIMIT, O_OFFSET, O_NO_DEDUP, O_KEEP_IDS, O_FACTORY, O_DIM, O_EMBEDDER,
	O_CAPACITY, O_INDEX, O_JSON, O_SCOPE,
};

static const struct option opts[] = {
	{"store", required_argument, 0, O_STORE},
	{"text", required_argument, 0, O_TEXT},
	{"title", required_argument, 0, O_TITLE},
	{"kind", required_argument, 0, O_KIND},
	{"family", required_argument, 0, O_FAMILY},
	{"query", required_argument, 0, O_QUERY},
	{"tag", required_argument, 0, O_TAG},
	{"metadata", required_argument, 0, O_METADATA},
	{"provenance", required_argument, 0, O_PROV},
	{"min-score", required_argument, 0, O_MIN_SCORE},
	{"mmr", required_argument, 0, O_MMR},
	{"engine", required_argument, 0, O_ENGINE},
	{"order", required_argument, 0, O_ORDER},
	{"desc", no_argument, 0, O_DESC},
	{"limit", required_argument, 0, O_LIMIT},
	{"offset", required_argument, 0, O_OFFSET},
	{"no-dedup", no_argument, 0, O_NO_DEDUP},
	{"keep-ids", no_argument, 0, O_KEEP_IDS},
	{"factory", required_argument, 0, O_FACTORY},
	{"dim", required_argument, 0, O_DIM},
	{"embedder", required_argument, 0, O_EMBEDDER},
	{"capacity", required_argument, 0, O_CAPACITY},
	{"index", required_argument, 0, O_INDEX},
	{"json", no_argument, 0, O_JSON},
	{"scope", required_argument, 0, O_SCOPE},
	{"output", required_argument, 0, 'o'},
	{"help", no_argument, 0, 'h'},
	{0, 0, 0, 0},
};

/* The subcommands an option applies to. */
static unsigned option_subs(int c)
{
	switch (c) {
	case O_TEXT: return B(S_ADD) | B(S_SEARCH);
	case O_TITLE: case O_QUERY: case O_PROV: return B(S_ADD);
	case O_KIND: case O_FAMILY: case O_TAG: case O_METADATA: case O_SCOPE: return FILTERS;
	case 'k': case O_MIN_SCORE: case O_MMR: case O_ENGINE: return B(S_SEARCH);
	case O_ORDER: case O_DESC: case O_LIMIT: case O_OFFSET: return B(S_LIST);
	case O_NO_DEDUP: case O_KEEP_IDS: return B(S_IMPORT);
	case O_FACTORY: return B(S_INDEX);
	case O_CAPACITY: case O_INDEX: return B(S_ADD) | B(S_IMPORT); /* recorded: only commands that write */
	case 'o': return B(S_EXPORT);
	default: return ~0u; /* --store, --dim, --embedder (checked against the store), --json */
	}
}

static void option_name(char *out, size_t n, int c)
{
	for (const struct option *o = opts; o->name; o++)
		if (o->val == c) {
			snprintf(out, n, "--%s", o->name);
			return;
		}
	snprintf(out, n, "-%c", c);
}

typedef struct margs {
	int sub;
	const char *store, *text, *title, *query, *engine, *order, *factory, *embedder, *index, *output, *pos, *scope;
	json_t *kinds, *families, *tags, *prov, *metadata; /* arrays; metadata an object */
	int64_t k, dim, capacity, limit, offset;	   /* -1: not given */
	double min_score, mmr;
	bool has_min_score, has_mmr, json, desc, no_dedup, keep_ids;
} margs;

static void margs_dispose(margs *a)
{
	json_decref(a->kinds);
	json_decref(a->families);
	json_decref(a->tags);
	json_decref(a->prov);
	json_decref(a->metadata);
}

/* "memory SUB" for messages. */
static char cmd_name[32] = "memory";

/* A failed library call: one line, "crmweaver: memory SUB: message".  What
 * the command line gave and the library refused (CRMW_EINVALID,
 * CRMW_EFORMAT) is a usage error when `usage` says so. */
static int mem_error(const crmw_memory *m, int rc, bool usage)
{
	const char *msg = m ? crmw_memory_errmsg(m) : NULL;
	if (!msg || !msg[0])
		msg = crmw_last_error();
	if (!msg || !msg[0])
		msg = crmw_strerror(rc);
	char *line = strdup(msg);
	if (line)
		for (char *p = line; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	int code = usage && (rc == CRMW_EINVALID || rc == CRMW_EFORMAT) ? CLI_USAGE : CLI_FAIL;
	cli_error(code, "%s: %s", cmd_name, line ? line : msg);
	free(line);
	return code;
}

/* Append the string argument of an option to array *arr (made on first use). */
static void push_str(json_t **arr, const char *s)
{
	if (!*arr)
		*arr = json_array();
	json_array_append_new(*arr, json_string(s));
}

/* Set o[key] to `s` (checked UTF-8 by parse_args; NULL: leave it out). */
static void set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

/* A filter of one value or several (any of). */
static void set_any(json_t *o, const char *key, json_t *arr)
{
	if (!arr)
		return;
	if (json_array_size(arr) == 1)
		json_object_set(o, key, json_array_get(arr, 0));
	else
		json_object_set(o, key, arr);
}

static char *dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static bool utf8_ok(const char *s)
{
	json_t *v = json_string(s);
	json_decref(v);
	return v != NULL;
}

static int parse_double(const char *what, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v))
		return cli_error(CLI_USAGE, "%s: %s must be a number, not '%s'", cmd_name, what, s);
	*out = v;
	return CLI_OK;
}

static int parse_args(margs *a, int argc, char **argv)
{
	int c, rc = CLI_OK;
	char name[32];
	optind = 1;
	opterr = 0;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "hk:o:", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if ((c == '?' || c == ':') && optopt >= 256) {
			option_name(name, sizeof name, optopt);
			return cli_error(CLI_USAGE, "%s: option '%s' needs a value", cmd_name, name);
		}
		if (c == '?' || c == ':')
			return cli_bad_option(cmd_name, argv);
		if (!(option_subs(c) & B(a->sub))) {
			option_name(name, sizeof name, c);
			return cli_error(CLI_USAGE, "%s: %s does not apply here (see 'crmweaver memory --help')", cmd_name,
					 name);
		}
		/* Every string that goes into JSON must be UTF-8 (paths need not). */
		if (optarg && c != O_STORE && c != 'o' && !utf8_ok(optarg)) {
			option_name(name, sizeof name, c);
			return cli_error(CLI_USAGE, "%s: %s is not valid UTF-8", cmd_name, name);
		}
		switch (c) {
		case O_STORE: a->store = optarg; break;
		case O_TEXT: a->text = optarg; break;
		case O_TITLE: a->title = optarg; break;
		case O_QUERY: a->query = optarg; break;
		case O_KIND: push_str(&a->kinds, optarg); break;
		case O_FAMILY: push_str(&a->families, optarg); break;
		case O_TAG: push_str(&a->tags, optarg); break;
		case O_PROV: push_str(&a->prov, optarg); break;
		case O_METADATA: {
			json_error_t e;
			json_decref(a->metadata);
			a->metadata = json_loads(optarg, JSON_REJECT_DUPLICATES, &e);
			if (!a->metadata)
				rc = cli_error(CLI_USAGE, "%s: --metadata is not JSON: %s (line %d, column %d)", cmd_name,
					       e.text, e.line, e.column);
			else if (!json_is_object(a->metadata))
				rc = cli_error(CLI_USAGE, "%s: --metadata must be a JSON object", cmd_name);
			break;
		}
		case 'k':
			if (!(rc = cli_parse_count(cmd_name, "-k", optarg, &a->k)) && a->k < 1)
				rc = cli_error(CLI_USAGE, "%s: -k must be at least 1", cmd_name);
			break;
		case O_MIN_SCORE:
			rc = parse_double("--min-score", optarg, &a->min_score);
			a->has_min_score = true;
			break;
		case O_MMR:
			rc = parse_double("--mmr", optarg, &a->mmr);
			if (rc == CLI_OK && (a->mmr < 0 || a->mmr > 1))
				rc = cli_error(CLI_USAGE, "%s: --mmr takes a number from 0 to 1, not '%s'", cmd_name, optarg);
			a->has_mmr = true;
			break;
		case O_ENGINE: a->engine = optarg; break;
		case O_ORDER: a->order = optarg; break;
		case O_DESC: a->desc = true; break;
		case O_LIMIT: rc = cli_parse_count(cmd_name, "--limit", optarg, &a->limit); break;
		case O_OFFSET: rc = cli_parse_count(cmd_name, "--offset", optarg, &a->offset); break;
		case O_NO_DEDUP: a->no_dedup = true; break;
		case O_KEEP_IDS: a->keep_ids = true; break;
		case O_FACTORY: a->factory = optarg; break;
		case O_DIM: rc = cli_parse_count(cmd_name, "--dim", optarg, &a->dim); break;
		case O_EMBEDDER: a->embedder = optarg; break;
		case O_CAPACITY: rc = cli_parse_count(cmd_name, "--capacity", optarg, &a->capacity); break;
		case O_INDEX: a->index = optarg; break;
		case O_JSON: a->json = true; break;
		case O_SCOPE: a->scope = optarg; break;
		case 'o': a->output = optarg; break;
		}
	}
	if (rc != CLI_OK)
		return rc;
	if (!a->store)
		return cli_error(CLI_USAGE, "%s: --store is required (see --help)", cmd_name);
	bool one_pos = a->sub == S_SHOW || a->sub == S_DELETE || a->sub == S_IMPORT;
	if (one_pos && optind != argc - 1)
		return cli_error(CLI_USAGE, "%s: give exactly one %s", cmd_name, a->sub == S_IMPORT ? "FILE.jsonl" : "entry ID");
	if (!one_pos && optind != argc)
		return cli_error(CLI_USAGE, "%s: unexpected argument '%s'", cmd_name, argv[optind]);
	a->pos = one_pos ? argv[optind] : NULL;
	if ((a->sub == S_ADD || a->sub == S_SEARCH) && !a->text)
		return cli_error(CLI_USAGE, "%s: --text is required (see --help)", cmd_name);
	if (a->sub == S_EXPORT && !a->output)
		return cli_error(CLI_USAGE, "%s: -o FILE.jsonl is required", cmd_name);
	if (a->sub == S_EXPORT && strcmp(a->output, "-") == 0)
		return cli_error(CLI_USAGE, "%s: -o needs a file name (the export is written whole or not at all)", cmd_name);
	if (a->sub == S_ADD && (json_array_size(a->kinds) > 1 || json_array_size(a->families) > 1))
		return cli_error(CLI_USAGE, "%s: an entry has one --kind and one --family", cmd_name);
	return CLI_OK;
}

/* Open the store; only add and import create it. */
static int open_store(crmw_memory **m, const margs *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "create", json_boolean(a->sub == S_ADD || a->sub == S_IMPORT));
	/* the reading subcommands open the store read-only: they never change
	 * it (a read-write open would upgrade an older format), and they work
	 * on a store they cannot write */
	bool reads = a->sub == S_SEARCH || a->sub == S_LIST || a->sub == S_SHOW || a->sub == S_STATS ||
		     a->sub == S_EXPORT;
	if (reads)
		json_object_set_new(o, "readonly", json_true());
	if (a->dim >= 0)
		json_object_set_new(o, "dim", json_integer(a->dim));
	if (a->capacity >= 0)
		json_object_set_new(o, "capacity", json_integer(a->capacity));
	set_str(o, "embedder", a->embedder);
	set_str(o, "index", a->index);
	char *text = dump(o);
	if (!text)
		return cli_error(CLI_FAIL, "%s: out of memory", cmd_name);
	int lrc = crmw_memory_open(m, a->store, text);
	free(text);
	if (lrc) {
		*m = NULL;
		return mem_error(NULL, lrc, true); /* the library's message names the store */
	}
	return CLI_OK;
}

/* Print `s` (UTF-8) in at most `width` characters, control characters as spaces. */
static void print_clipped(const char *s, int width)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
		if (n == width) {
			fputs("...", stdout);
			return;
		}
		size_t len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		if (*p < 0x20 || *p == 0x7f) {
			fputc(' ', stdout);
		} else {
			for (size_t i = 0; i < len && p[i]; i++)
				fputc(p[i], stdout);
		}
		for (size_t i = 0; i < len && *p; i++)
			p++;
	}
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && s[0] ? s : dflt;
}

/* One row of the search and list tables: kind, family, title or text. */
static void print_entry_cols(const json_t *e)
{
	printf("%-9s %-24s ", str_or(e, "kind", "-"), str_or(e, "family", "-"));
	const char *title = str_or(e, "title", NULL);
	print_clipped(title ? title : str_or(e, "text", ""), 60);
	fputc('\n', stdout);
}

/* Print the library's JSON, or a table of its entries (search: with scores). */
static int print_entries(const crmw_buf *out, bool as_json, bool scores)
{
	if (as_json) {
		fwrite(out->data, 1, out->len, stdout);
		fputc('\n', stdout);
		return CLI_OK;
	}
	json_t *arr = json_loadb(out->data, out->len, 0, NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return cli_error(CLI_FAIL, "%s: the library's output is not a JSON array", cmd_name);
	}
	if (json_array_size(arr) == 0)
		printf("no entries\n");
	else if (scores)
		printf("%6s %8s %-9s %-24s %s\n", "score", "id", "kind", "family", "title");
	else
		printf("%8s %8s %9s %-9s %-24s %s\n", "id", "utility", "retrieved", "kind", "family", "title");
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		long long id = (long long)json_integer_value(json_object_get(e, "id"));
		if (scores)
			printf("%6.3f %8lld ", json_number_value(json_object_get(e, "score")), id);
		else
			printf("%8lld %8.3f %9lld ", id, json_number_value(json_object_get(e, "utility")),
			       (long long)json_integer_value(json_object_get(json_object_get(e, "counters"), "retrieved")));
		print_entry_cols(e);
	}
	json_decref(arr);
	return CLI_OK;
}

static int run_add(crmw_memory *m, const margs *a)
{
	json_t *e = json_object();
	set_str(e, "text", a->text);
	set_str(e, "title", a->title);
	set_str(e, "query", a->query);
	set_any(e, "kind", a->kinds);
	set_any(e, "family", a->families);
	if (a->tags)
		json_object_set(e, "tags", a->tags);
	if (a->metadata)
		json_object_set(e, "metadata", a->metadata);
	if (a->prov)
		json_object_set(e, "provenance", a->prov);
	set_str(e, "scope", a->scope);
	char *text = dump(e);
	if (!text)
		return cli_error(CLI_FAIL, "%s: out of memory", cmd_name);
	int64_t id = 0;
	int32_t merged = 0;
	int lrc = crmw_memory_add(&id, &merged, m, text, NULL, 0);
	free(text);
	if (lrc)
		return mem_error(m, lrc, true);
	if (a->json)
		printf("{\"id\":%lld,\"merged\":%s}\n", (long long)id, merged ? "true" : "false");
	else
		printf("%lld\n", (long long)id);
	return CLI_OK;
}

/* The filters of search and list. */
static json_t *filters(const margs *a)
{
	json_t *o = json_object();
	set_any(o, "kind", a->kinds);
	set_any(o, "family", a->families);
	if (a->tags)
		json_object_set(o, "tags", a->tags);
	if (a->metadata)
		json_object_set(o, "metadata", a->metadata);
	set_str(o, "scope", a->scope);
	return o;
}

static int run_search(crmw_memory *m, const margs *a)
{
	json_t *o = filters(a);
	if (a->k > 0)
		json_object_set_new(o, "k", json_integer(a->k));
	if (a->has_min_score)
		json_object_set_new(o, "min_score", json_real(a->min_score));
	if (a->has_mmr)
		json_object_set_new(o, "mmr", json_real(a->mmr));
	set_str(o, "engine", a->engine);
	char *opts_json = dump(o);
	crmw_buf out = CRMW_BUF_INIT;
	int lrc = opts_json ? crmw_memory_search(&out, m, a->text, opts_json) : CRMW_ENOMEM;
	free(opts_json);
	int rc = lrc ? mem_error(m, lrc, true) : print_entries(&out, a->json, true);
	crmw_buf_dispose(&out);
	return rc;
}

static int run_list(crmw_memory *m, const margs *a)
{
	json_t *o = filters(a);
	if (a->desc)
		json_object_set_new(o, "desc", json_true());
	if (a->limit >= 0)
		json_object_set_new(o, "limit", json_integer(a->limit));
	if (a->offset >= 0)
		json_object_set_new(o, "offset", json_integer(a->offset));
	set_str(o, "order", a->order);
	char *opts_json = dump(o);
	crmw_buf out = CRMW_BUF_INIT;
	int lrc = opts_json ? crmw_memory_list(&out, m, opts_json) : CRMW_ENOMEM;
	free(opts_json);
	int rc = lrc ? mem_error(m, lrc, true) : print_entries(&out, a->json, false);
	crmw_buf_dispose(&out);
	return rc;
}

static int run_show_delete(crmw_memory *m, const margs *a)
{
	int64_t id;
	int rc = cli_parse_count(cmd_name, "an entry ID", a->pos, &id);
	if (rc != CLI_OK)
		return rc;
	if (a->sub == S_DELETE) {
		int lrc = crmw_memory_delete(m, id);
		if (lrc)
			return mem_error(m, lrc, false);
		if (a->json)
			printf("{\"deleted\":%lld}\n", (long long)id);
		return CLI_OK;
	}
	crmw_buf out = CRMW_BUF_INIT;
	int lrc = crmw_memory_get(&out, m, id);
	if (lrc) {
		rc = mem_error(m, lrc, false);
	} else {
		fwrite(out.data, 1, out.len, stdout);
		fputc('\n', stdout);
	}
	crmw_buf_dispose(&out);
	return rc;
}

/* A stats value on one line: objects as "key value, ...", the rest as JSON. */
static void print_value(const json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), stdout);
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		int first = 1;
		json_object_foreach((json_t *)v, k, x) {
			printf("%s%s ", first ? "" : ", ", k);
			print_value(x);
			first = 0;
		}
		if (first)
			fputc('-', stdout);
	} else if (json_is_real(v)) {
		printf("%g", json_real_value(v));
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(s ? s : "?", stdout);
		free(s);
	}
}

static int run_stats(crmw_memory *m, const margs *a)
{
	crmw_buf out = CRMW_BUF_INIT;
	int rc = CLI_OK, lrc = crmw_memory_stats(&out, m);
	if (lrc) {
		rc = mem_error(m, lrc, false);
	} else if (a->json) {
		fwrite(out.data, 1, out.len, stdout);
		fputc('\n', stdout);
	} else {
		json_t *s = json_loadb(out.data, out.len, 0, NULL);
		const char *k;
		json_t *v;
		json_object_foreach(s, k, v) {
			printf("%-16s ", k);
			print_value(v);
			fputc('\n', stdout);
		}
		json_decref(s);
	}
	crmw_buf_dispose(&out);
	return rc;
}

static int run_export(crmw_memory *m, const margs *a)
{
	int64_t n = 0;
	int lrc = crmw_memory_export(m, a->output);
	if (!lrc)
		lrc = crmw_memory_count(&n, m);
	if (lrc)
		return mem_error(m, lrc, false);
	if (a->json) {
		json_t *o = json_pack("{s:I}", "entries", (json_int_t)n);
		json_t *p = json_string(a->output);
		json_object_set_new(o, "path", p ? p : json_null());
		char *s = dump(o);
		printf("%s\n", s ? s : "{}");
		free(s);
	} else {
		printf("%lld entries written to %s\n", (long long)n, a->output);
	}
	return CLI_OK;
}

static int run_import(crmw_memory *m, const margs *a)
{
	char opts_json[64];
	snprintf(opts_json, sizeof opts_json, "{\"dedup\":%s,\"keep_ids\":%s}", a->no_dedup ? "false" : "true",
		 a->keep_ids ? "true" : "false");
	int64_t added = 0, merged = 0;
	int lrc = crmw_memory_import(&added, &merged, m, a->pos, opts_json);
	if (lrc)
		return mem_error(m, lrc, false);
	if (a->json)
		printf("{\"added\":%lld,\"merged\":%lld}\n", (long long)added, (long long)merged);
	else
		printf("added %lld, merged %lld\n", (long long)added, (long long)merged);
	return CLI_OK;
}

static int run_index(crmw_memory *m, const margs *a)
{
	int lrc = crmw_memory_build_index(m, a->factory);
	crmw_buf out = CRMW_BUF_INIT;
	if (!lrc)
		lrc = crmw_memory_stats(&out, m);
	if (lrc) {
		crmw_buf_dispose(&out);
		return mem_error(m, lrc, false);
	}
	json_t *s = json_loadb(out.data, out.len, 0, NULL);
	json_t *idx = json_object_get(s, "index");
	if (a->json) {
		char *t = json_dumps(idx ? idx : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s\n", t ? t : "null");
		free(t);
	} else {
		printf("index %s: ", str_or(idx, "factory", a->factory ? a->factory : "?"));
		print_value(idx);
		fputc('\n', stdout);
	}
	json_decref(s);
	crmw_buf_dispose(&out);
	return CLI_OK;
}

int cmd_memory(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	margs a = {.sub = -1, .k = -1, .dim = -1, .capacity = -1, .limit = -1, .offset = -1};
	for (int i = 0; i < S_N; i++)
		if (strcmp(argv[1], sub_names[i]) == 0)
			a.sub = i;
	if (a.sub < 0)
		return cli_error(CLI_USAGE,
				 "memory: unknown subcommand '%s' (add, search, list, show, delete, stats, export, import, index)",
				 argv[1]);
	snprintf(cmd_name, sizeof cmd_name, "memory %s", sub_names[a.sub]);
	int rc = parse_args(&a, argc - 1, argv + 1);
	if (rc != CLI_OK) {
		margs_dispose(&a);
		return rc < 0 ? CLI_OK : rc;
	}
	crmw_memory *m = NULL;
	rc = open_store(&m, &a);
	if (rc == CLI_OK) {
		switch (a.sub) {
		case S_ADD: rc = run_add(m, &a); break;
		case S_SEARCH: rc = run_search(m, &a); break;
		case S_LIST: rc = run_list(m, &a); break;
		case S_SHOW: case S_DELETE: rc = run_show_delete(m, &a); break;
		case S_STATS: rc = run_stats(m, &a); break;
		case S_EXPORT: rc = run_export(m, &a); break;
		case S_IMPORT: rc = run_import(m, &a); break;
		case S_INDEX: rc = run_index(m, &a); break;
		}
	}
	crmw_memory_free(m);
	margs_dispose(&a);
	return rc;
}
