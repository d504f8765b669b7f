/*
 * crmweaver demo: the whole system in one command.  Generates an org,
 * synthesises train, test and held-out tasks of every family, builds the
 * shared memory from the training split's gold episodes, runs the agent
 * with the memory policy on the test split (seen families) and on the
 * held-out families, prints the per-family tables, writes report.html and
 * the trajectories, and shows how to run the same evaluation with a model.
 * Each step is the subcommand a user would type (printed before it runs).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmweaver demo [--out DIR] [--profile b2b|b2c|crmarena] [--scale X] [--per-family N]\n"
		"                      [--seed S] [--jobs N]\n"
		"\n"
		"Runs the whole system and explains each step: a synthetic org (default b2b, the size\n"
		"of the CRMArena org), tasks of every family (30%% test, three families held out), the\n"
		"shared memory built from the gold episodes of the training split, the agent with the\n"
		"memory policy (no model) on the test split and on the held-out families, their\n"
		"per-family tables, DIR/report.html and the trajectories; then the commands that run\n"
		"the same evaluation with a real model.  Defaults: --out crmweaver-demo, --scale 1,\n"
		"--per-family 40, --seed 42, --jobs 2.\n"
		"\n"
		"example:\n"
		"  crmweaver demo --out demo && xdg-open demo/report.html\n");
}

/* mkdir -p */
static int mkdir_p(const char *path)
{
	char p[4096];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return -1;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Print the command, run it; the subcommands report their own errors. */
static int step(const char *what, int (*fn)(int, char **), char **argv)
{
	printf("\n== %s\n$ crmweaver", what);
	for (int i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	int argc = 0;
	while (argv[argc])
		argc++;
	int rc = fn(argc, argv);
	fflush(stdout);
	return rc;
}

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"out", required_argument, NULL, 'o'},
		{"profile", required_argument, NULL, 'p'},
		{"scale", required_argument, NULL, 'x'},
		{"per-family", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "crmweaver-demo", *profile = "b2b", *scale = "1", *per = "40", *seed = "42", *jobs = "2";
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:p:x:n:s:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': profile = optarg; break;
		case 'x': scale = optarg; break;
		case 'n': per = optarg; break;
		case 's': seed = optarg; break;
		case 'j': jobs = optarg; break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			return cli_bad_option("demo", argv);
		}
	}
	if (optind < argc)
		return cli_error(CLI_USAGE, "demo: unexpected argument '%s' (see crmweaver demo --help)", argv[optind]);
	int64_t v;
	if (cli_parse_count("demo", "--per-family", per, &v) || v < 4 || v > 1000)
		return cli_error(CLI_USAGE, "demo: --per-family must be 4 to 1000");
	if (cli_parse_count("demo", "--jobs", jobs, &v) || v < 1 || v > 64)
		return cli_error(CLI_USAGE, "demo: --jobs must be 1 to 64");
	char *end;
	double sc = strtod(scale, &end);
	if (*end || !(sc >= 0.05 && sc <= 20))
		return cli_error(CLI_USAGE, "demo: --scale must be a number from 0.05 to 20");
	if (strcmp(profile, "b2b") != 0 && strcmp(profile, "b2c") != 0 && strcmp(profile, "crmarena") != 0)
		return cli_error(CLI_USAGE, "demo: --profile must be b2b, b2c or crmarena");
	if (mkdir_p(out))
		return cli_error(CLI_FAIL, "demo: cannot make the folder '%s'", out);
	char org[4200], tasks[4200], mem[4200], train[4200], test[4200], hold[4200], report[4200];
	snprintf(org, sizeof org, "%s/org.db", out);
	snprintf(tasks, sizeof tasks, "%s/tasks.json", out);
	snprintf(mem, sizeof mem, "%s/memory.db", out);
	snprintf(train, sizeof train, "%s/train.jsonl", out);
	snprintf(test, sizeof test, "%s/test.jsonl", out);
	snprintf(hold, sizeof hold, "%s/holdout.jsonl", out);
	snprintf(report, sizeof report, "%s/report.html", out);
	const char *holdout = strcmp(profile, "crmarena") == 0 ? "knowledge_qa,best_region_identification"
							       : "knowledge_qa,lead_routing,sales_cycle_understanding";
	/* a fresh memory: the demo measures what the training split teaches */
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char p[4300];
		snprintf(p, sizeof p, "%s%s", mem, sfx[i]);
		unlink(p);
	}
	double t0 = now_s();
	printf("libcrmweaver %s demo: a synthetic CRM org, tasks with gold answers, a shared memory\n"
	       "learned from solved training tasks, and an agent that answers new tasks from it.\n",
	       crmw_version_string());
	char *gen[] = {"gen", "--profile", (char *)profile, "--seed", (char *)seed, "--scale", (char *)scale, "--force",
		       "-o", org, NULL};
	int rc = step("1. Generate an org whose hidden latent variables shape the data", cmd_gen, gen);
	char *tg[] = {"tasks", "gen", "--db", org, "--per-family", (char *)per, "--seed", (char *)seed, "--test-share", "0.3",
		      "--holdout", (char *)holdout, "-o", tasks, NULL};
	rc = rc ? rc : step("2. Synthesise tasks of every family with gold programs (train, test, held-out splits)", cmd_tasks,
			    tg);
	run_quiet = 1;
	char *gold[] = {"run", "--db", org, "--tasks", tasks, "--split", "train", "--backend", "gold", "--memory", mem,
			"--write-memory", "--jobs", "1", "-o", train, NULL};
	rc = rc ? rc : step("3. Build the shared memory from the training split's gold episodes (plans of solved tasks)",
			    cmd_run, gold);
	run_quiet = 0;
	if (!rc) {
		crmw_memory *m = NULL;
		int64_t n = 0;
		if (crmw_memory_open(&m, mem, "{\"readonly\":true}") == CRMW_OK && crmw_memory_count(&n, m) == CRMW_OK)
			printf("%lld guidelines, each with a plan (a close guideline that did the same thing was\n"
			       "corroborated instead of written again)\n",
			       (long long)n);
		crmw_memory_free(m);
	}
	char *ts[] = {"run", "--db", org, "--tasks", tasks, "--split", "test", "--backend", "memory", "--memory", mem,
		      "--jobs", (char *)jobs, "-o", test, NULL};
	rc = rc ? rc : step("4. The agent with the memory policy (no model) on the test split: families it has seen, "
			    "other entities and wordings",
			    cmd_run, ts);
	char *hs[] = {"run", "--db", org, "--tasks", tasks, "--split", "holdout", "--backend", "memory", "--memory", mem,
		      "--jobs", (char *)jobs, "-o", hold, NULL};
	rc = rc ? rc : step("5. The same on held-out families it has never seen: it should abstain, not guess", cmd_run, hs);
	if (!rc) {
		printf("\n== 6. The report\n$ crmweaver report %s %s -o %s\n", test, hold, report);
		json_t *splits[2] = {report_load(test), report_load(hold)};
		json_t *metas[2] = {run_meta_load(test), run_meta_load(hold)};
		const char *names[2] = {"test split (seen families)", "held-out families"};
		report_extra extra = {.metas = metas, .tasks_path = tasks, .memory_path = mem};
		rc = splits[0] && splits[1] ? report_write(report, "libcrmweaver demo", splits, names, 2, &extra) : CLI_FAIL;
		json_decref(splits[0]);
		json_decref(splits[1]);
		json_decref(metas[0]);
		json_decref(metas[1]);
	}
	if (rc)
		return rc;
	printf("\nDone in %.1f s.  In %s: org.db, tasks.json, memory.db, train.jsonl, test.jsonl,\n"
	       "holdout.jsonl and report.html (open it in a browser).\n"
	       "\n"
	       "The memory policy answers only what solved tasks taught it and abstains on the rest.\n"
	       "To run the same evaluation with a real model behind an OpenAI-compatible server\n"
	       "(llama.cpp's llama-server, vLLM, Ollama, or a hosted API):\n"
	       "\n"
	       "  crmweaver run --db %s --tasks %s --split test --backend http \\\n"
	       "      --model-url http://127.0.0.1:8080/v1 --model MODEL [--api-key-env OPENAI_API_KEY] \\\n"
	       "      --memory %s --jobs 4 -o %s/model.jsonl\n"
	       "  crmweaver eval %s/model.jsonl\n"
	       "\n"
	       "and with the memory as a plan cache in front of the model (confident plans replay,\n"
	       "everything else goes to the model; trajectories count the model calls saved):\n"
	       "\n"
	       "  crmweaver run --db %s --tasks %s --split test --backend memory --memory %s \\\n"
	       "      --model-url http://127.0.0.1:8080/v1 --model MODEL -o %s/cached.jsonl\n",
	       now_s() - t0, out, org, tasks, mem, out, out, org, tasks, mem, out);
	return CLI_OK;
}
