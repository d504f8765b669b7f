/*
 * A writer killed at random points: committed entries survive, the store
 * opens again.
 */

#include "fixture.h"

/* ------------------------------------------------------------ crashes */

/* A child adds entries and reports each committed id through a pipe; the
 * parent kills it at a random moment.  The store must open with every
 * reported entry whole, and nothing half-written. */
void test_killed_writer(void **state)
{
	(void)state;
	const char *path = fx_tmp_path("crash.db");
	fx_rm_store(path);
	crmw_memory *m = NULL;
	assert_int_equal(crmw_memory_open(&m, path, "{\"dim\":32,\"dedup_threshold\":1.01}"), CRMW_OK);
	crmw_memory_free(m);
	int64_t total_reported = 0;
	for (int round = 0; round < 25; round++) {
		int fd[2];
		assert_int_equal(pipe(fd), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fd[0]);
			crmw_memory *c = NULL;
			if (crmw_memory_open(&c, path, "{\"busy_timeout_ms\":10000}"))
				_exit(3);
			for (int i = 0;; i++) {
				char e[256];
				snprintf(e, sizeof e,
					 "{\"text\":\"round %d entry %d: a guideline long enough to span a few bytes of "
					 "the page\",\"provenance\":[\"r%d\"],\"tags\":[\"crash\"]}",
					 round, i, round);
				int64_t id;
				if (crmw_memory_add(&id, NULL, c, e, NULL, 0))
					_exit(4);
				if (i % 7 == 3) {
					int64_t one = id;
					if (crmw_memory_feedback(NULL, c, &one, 1, CRMW_MEM_SUCCESS, 1))
						_exit(5);
				}
				if (write(fd[1], &id, sizeof id) != sizeof id)
					_exit(6);
			}
		}
		close(fd[1]);
		/* The kill window starts when the child reports its first
		 * commit (a blocking read: no assumption on how soon a busy
		 * machine runs it), then lasts 0 to 30 ms of its writing, so the
		 * kill lands anywhere in a write, and every round has committed
		 * something to check. */
		int64_t id, last = 0;
		int64_t got = 0;
		if (read(fd[0], &id, sizeof id) == sizeof id) {
			last = id;
			got = 1;
		}
		long long ns = (long long)(fx_urand() * 30000000);
		struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(got, 1); /* the child committed before it died */
		while (read(fd[0], &id, sizeof id) == sizeof id) {
			last = id;
			got++;
		}
		close(fd[0]);
		total_reported += got;
		/* every reported entry is there, whole */
		assert_int_equal(crmw_memory_open(&m, path, NULL), CRMW_OK);
		int64_t n = 0;
		assert_int_equal(crmw_memory_count(&n, m), CRMW_OK);
		assert_true(n >= total_reported);
		if (last) {
			json_t *e = fx_get_entry(m, last);
			assert_non_null(e);
			assert_non_null(strstr(json_string_value(json_object_get(e, "text")), "entry"));
			json_decref(e);
			float v[32];
			assert_int_equal(crmw_memory_get_vector(v, 32, m, last), CRMW_OK);
		}
		/* and the cache loads every row */
		crmw_buf out = CRMW_BUF_INIT;
		assert_int_equal(crmw_memory_search(&out, m, "guideline long enough", "{\"k\":2,\"tags\":[\"crash\"]}"),
				 CRMW_OK);
		crmw_buf_dispose(&out);
		crmw_memory_free(m);
	}
	print_message("# %lld committed entries survived 25 kills\n", (long long)total_reported);
	assert_true(total_reported >= 25);
}
