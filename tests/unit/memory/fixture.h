/* test-memory: what its aspect files share (fixture.c) and the list of its
 * tests (main.c runs them). */
#ifndef CRMW_TEST_MEMORY_FIXTURE_H
#define CRMW_TEST_MEMORY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmweaver.h>

#include "crmw_config.h"

#include <sqlite3.h>

#if CRMW_HAVE_FAISS
#include <omp.h>
#endif

enum { N = 3000, D = 48 };

/* The group's directory (setup and teardown) and paths in it. */
extern char fx_dir[64];
/* A random store of N vectors of D dimensions (fx_mat, its ids and families). */
extern float *fx_mat;
extern int64_t fx_ids[N];
extern int fx_fam[N];

const char *fx_tmp_path(const char *name);
void fx_rm_store(const char *path);
crmw_memory *fx_open_store(const char *name, const char *opts);
double fx_urand(void);
void fx_rand_unit(float *v, int d);
int64_t fx_add_vec(crmw_memory *m, const char *kind, const char *family, int i, const float *v, int d);
void fx_same_hits(const int64_t *a, const float *as, int na, const int64_t *b, const float *bs, int nb);
crmw_memory *fx_random_store(const char *name, const char *opts);
json_t *fx_get_entry(crmw_memory *m, int64_t id);
void fx_hits_text(char *out, size_t cap, crmw_memory *m, const char *text, const char *opts);
int fx_count_hits(const char *hits);
int fx_setup(void **state);
int fx_teardown(void **state);

/* The tests, by aspect (main.c lists them in the order they run). */

/* embedder.c */
void test_embedder(void **state);

/* exact_scan.c */
void test_exact_scan(void **state);

/* faiss.c */
void test_faiss(void **state);

/* writes.c */
void test_write_path(void **state);

/* handles.c */
void test_handles_and_io(void **state);

/* scopes.c */
void test_scopes(void **state);

/* format1.c */
void test_format1_upgrade(void **state);

/* bad_input.c */
void test_bad_input(void **state);

/* threads.c */
void test_threads(void **state);

/* crashes.c */
void test_killed_writer(void **state);

#endif
