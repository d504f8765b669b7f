/*
 * crmweaver bench: run the benchmark program of a build tree.
 *
 * The benchmarks are not installed (bench/, docs/benchmarks.md): they need
 * the source tree's Python peers and the build tree's bench programs.  In a
 * build tree, `crmweaver bench ...` runs build/bench/crmweaver-bench with
 * the same arguments (found beside this program: tools/crmweaver/crmweaver
 * -> bench/crmweaver-bench), or $CRMW_BENCH_PROGRAM when set.  An installed
 * crmweaver has neither and says so in one line.  No path is compiled in.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where a build tree puts the two programs, relative to its root. */
#define CLI_DIR "/tools/crmweaver"
#define BENCH_PROGRAM "/bench/crmweaver-bench"

/* The bench program of the build tree this program runs from: *out, or
 * false when this program is not in a build tree or it is missing. */
static bool build_tree_program(char *out, size_t n)
{
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return false;
	self[len] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = '\0'; /* the folder of this program */
	size_t d = strlen(self), c = strlen(CLI_DIR);
	if (d < c || strcmp(self + d - c, CLI_DIR) != 0)
		return false;
	self[d - c] = '\0'; /* the build tree's root */
	int w = snprintf(out, n, "%s%s", self, BENCH_PROGRAM);
	return w > 0 && (size_t)w < n && access(out, X_OK) == 0;
}

static void usage(void)
{
	printf("usage: crmweaver bench [gen|tools|memory|env|store|query|memory-policy|all] [options]\n"
	       "\n"
	       "The benchmarks are not installed: they run from a build tree, where this\n"
	       "command runs build/bench/crmweaver-bench with the same arguments (or the\n"
	       "program $CRMW_BENCH_PROGRAM names).  See docs/benchmarks.md.\n"
	       "\n"
	       "examples:\n"
	       "  meson setup build && ninja -C build\n"
	       "  build/tools/crmweaver/crmweaver bench memory --json\n"
	       "  build/bench/crmweaver-bench all -o bench-results.json\n");
}

int cmd_bench(int argc, char **argv)
{
	static char name[] = "crmweaver"; /* the bench program's messages then start "crmweaver: " */
	char path[4200];
	const char *prog = getenv("CRMW_BENCH_PROGRAM");
	if (prog && *prog) {
		if (access(prog, X_OK) != 0)
			return cli_error(CLI_FAIL, "bench: CRMW_BENCH_PROGRAM=%s: %s", prog, strerror(errno));
	} else if (build_tree_program(path, sizeof path)) {
		prog = path;
	} else {
		if (argc > 1 && cli_is_help(argv[1])) {
			usage();
			return CLI_OK;
		}
		return cli_error(CLI_FAIL, "bench: the benchmarks are not installed; run them from a build tree "
					   "(build/bench/crmweaver-bench, or that tree's crmweaver bench; docs/benchmarks.md)");
	}
	fflush(stdout);
	argv[0] = name;
	execv(prog, argv);
	return cli_error(CLI_FAIL, "bench: cannot run %s: %s", prog, strerror(errno));
}
