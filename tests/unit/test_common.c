/*
 * Unit tests of lib/common: status codes, errors, buffers, logging,
 * version and features.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "common/internal.h"
#include "common/json.h"

static const int32_t all_codes[] = {
	CRMW_OK, CRMW_ERROR, CRMW_EINVALID, CRMW_ENOMEM, CRMW_ENOTFOUND, CRMW_EEXISTS,
	CRMW_ESCHEMA, CRMW_EQUERY, CRMW_EACCESS, CRMW_ELIMIT, CRMW_EBACKEND, CRMW_EUSER,
	CRMW_EIO, CRMW_EUNSUPPORTED, CRMW_ECANCELED, CRMW_EFORMAT, CRMW_ECORRUPT,
	CRMW_EBUSY, CRMW_ESTATE,
};

/* ---------------------------------------------------------- status codes */

static void test_status_codes_fixed(void **state)
{
	(void)state;
	/* The numbers are ABI: a renumbering must fail here. */
	assert_int_equal(CRMW_OK, 0);
	assert_int_equal(CRMW_ERROR, -1);
	assert_int_equal(CRMW_EINVALID, -2);
	assert_int_equal(CRMW_ENOMEM, -3);
	assert_int_equal(CRMW_ENOTFOUND, -4);
	assert_int_equal(CRMW_EEXISTS, -5);
	assert_int_equal(CRMW_ESCHEMA, -6);
	assert_int_equal(CRMW_EQUERY, -7);
	assert_int_equal(CRMW_EACCESS, -8);
	assert_int_equal(CRMW_ELIMIT, -9);
	assert_int_equal(CRMW_EBACKEND, -10);
	assert_int_equal(CRMW_EUSER, -11);
	assert_int_equal(CRMW_EIO, -12);
	assert_int_equal(CRMW_EUNSUPPORTED, -13);
	assert_int_equal(CRMW_ECANCELED, -14);
	assert_int_equal(CRMW_EFORMAT, -15);
	assert_int_equal(CRMW_ECORRUPT, -16);
	assert_int_equal(CRMW_EBUSY, -17);
	assert_int_equal(CRMW_ESTATE, -18);
}

static void test_strerror_every_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < CRMW_ARRAY_LEN(all_codes); i++) {
		const char *text = crmw_strerror(all_codes[i]);
		const char *name = crmw_status_name(all_codes[i]);
		assert_non_null(text);
		assert_string_not_equal(text, "unknown error");
		assert_non_null(name);
		assert_true(strncmp(name, "CRMW_", 5) == 0);
		/* Texts and names are distinct per code. */
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(text, crmw_strerror(all_codes[j]));
			assert_string_not_equal(name, crmw_status_name(all_codes[j]));
		}
	}
	assert_string_equal(crmw_status_name(CRMW_EINVALID), "CRMW_EINVALID");
	assert_string_equal(crmw_strerror(CRMW_OK), "success");
}

static void test_strerror_unknown(void **state)
{
	(void)state;
	assert_string_equal(crmw_strerror(-9999), "unknown error");
	assert_string_equal(crmw_strerror(42), "unknown error");
	assert_null(crmw_status_name(-9999));
}

/* ------------------------------------------------------------ last error */

static void test_last_error_from_api(void **state)
{
	(void)state;
	crmw_clear_last_error();
	assert_string_equal(crmw_last_error(), "");
	assert_int_equal(crmw_last_error_code(), CRMW_OK);

	assert_int_equal(crmw_features_json(NULL), CRMW_EINVALID);
	assert_int_equal(crmw_last_error_code(), CRMW_EINVALID);
	assert_non_null(strstr(crmw_last_error(), "crmw_features_json"));

	crmw_clear_last_error();
	assert_string_equal(crmw_last_error(), "");
	assert_int_equal(crmw_last_error_code(), CRMW_OK);
}

static void *thread_fail(void *arg)
{
	char *seen = arg;
	/* A new thread starts clean, whatever the main thread did. */
	strcpy(seen, crmw_last_error());
	crmw__errf(NULL, CRMW_EIO, "failure in thread");
	return NULL;
}

/* Regression: passing the thread's last error as the argument ("%s",
 * crmw_last_error()) used to format into the buffer being read and
 * leave an empty message. */
static void test_error_from_last_error(void **state)
{
	(void)state;
	crmw__errf(NULL, CRMW_EINVALID, "the text has no letter or digit");
	crmw_err e = {0};
	assert_int_equal(crmw__errf(&e, CRMW_EINVALID, "%s", crmw_last_error()), CRMW_EINVALID);
	assert_string_equal(e.msg, "the text has no letter or digit");
	assert_string_equal(crmw_last_error(), "the text has no letter or digit");
	crmw__errf(&e, CRMW_EIO, "wrapped: %s", crmw_last_error());
	assert_string_equal(e.msg, "wrapped: the text has no letter or digit");
	crmw__err_dispose(&e);
}

static void test_last_error_is_thread_local(void **state)
{
	(void)state;
	crmw__errf(NULL, CRMW_EQUERY, "main thread failure %d", 7);
	char seen[64] = "not run";
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, thread_fail, seen), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_string_equal(seen, "");
	assert_string_equal(crmw_last_error(), "main thread failure 7");
	assert_int_equal(crmw_last_error_code(), CRMW_EQUERY);
}

static void test_handle_error(void **state)
{
	(void)state;
	crmw_err e = {0};
	assert_string_equal(crmw__err_msg(&e), "");
	assert_int_equal(crmw__errf(&e, CRMW_ESCHEMA, "no field '%s' on '%s'", "Nmae", "Account"),
			 CRMW_ESCHEMA);
	assert_int_equal(e.code, CRMW_ESCHEMA);
	assert_string_equal(crmw__err_msg(&e), "no field 'Nmae' on 'Account'");
	assert_string_equal(crmw_last_error(), "no field 'Nmae' on 'Account'");

	/* A second failure replaces the first. */
	crmw__errf(&e, CRMW_EIO, "disk");
	assert_string_equal(crmw__err_msg(&e), "disk");
	crmw__err_clear(&e);
	assert_int_equal(e.code, CRMW_OK);
	assert_string_equal(crmw__err_msg(&e), "");
	/* Clearing the handle keeps the thread's last error. */
	assert_string_equal(crmw_last_error(), "disk");
	crmw__err_dispose(&e);
	assert_string_equal(crmw__err_msg(NULL), "");
}

static void test_long_error_message(void **state)
{
	(void)state;
	size_t n = 10000;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	crmw_err e = {0};
	crmw__errf(&e, CRMW_EFORMAT, "bad: %s", big);
	/* The handle keeps the whole message; the thread's copy is cut. */
	assert_int_equal(strlen(crmw__err_msg(&e)), n + 5);
	assert_true(strlen(crmw_last_error()) < n);
	assert_true(strncmp(crmw_last_error(), "bad: xxx", 8) == 0);
	crmw__err_dispose(&e);
	free(big);
}

/* ----------------------------------------------------------------- buffers */

static void test_buf_basics(void **state)
{
	(void)state;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__buf_puts(&b, "abc"), CRMW_OK);
	assert_int_equal(crmw__buf_putc(&b, 'd'), CRMW_OK);
	assert_int_equal(crmw__buf_printf(&b, "-%d-%s", 42, "x"), CRMW_OK);
	assert_int_equal(b.len, 9);
	assert_string_equal(b.data, "abcd-42-x");
	assert_true(b.cap > b.len);

	/* Growth across many appends keeps every byte. */
	for (int i = 0; i < 10000; i++)
		assert_int_equal(crmw__buf_putc(&b, (char)('a' + i % 26)), CRMW_OK);
	assert_int_equal(b.len, 10009);
	assert_int_equal(b.data[9], 'a');
	assert_int_equal(b.data[10008], 'a' + 9999 % 26);
	assert_int_equal(b.data[b.len], '\0');

	crmw__buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");

	/* Appending zero bytes to an empty buffer still gives a C string. */
	crmw_buf_dispose(&b);
	assert_null(b.data);
	assert_int_equal(crmw__buf_append(&b, "", 0), CRMW_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	crmw_buf_dispose(&b);
	crmw_buf_dispose(&b); /* twice is fine */
	crmw_buf_dispose(NULL);
}

static void test_buf_embedded_nul(void **state)
{
	(void)state;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__buf_append(&b, "a\0b", 3), CRMW_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	crmw_buf_dispose(&b);
}

static void test_buf_json_str_roundtrip(void **state)
{
	(void)state;
	const char raw[] = "quote\" back\\ nl\n tab\t cr\r bell\x07 nul\0 end é";
	size_t n = sizeof raw - 1;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw__buf_puts(&b, "["), CRMW_OK);
	assert_int_equal(crmw__buf_json_str(&b, raw, n), CRMW_OK);
	assert_int_equal(crmw__buf_puts(&b, "]"), CRMW_OK);

	json_error_t jerr;
	json_t *v = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &jerr);
	assert_non_null(v);
	json_t *s = json_array_get(v, 0);
	assert_true(json_is_string(s));
	assert_int_equal(json_string_length(s), n);
	assert_memory_equal(json_string_value(s), raw, n);
	json_decref(v);
	crmw_buf_dispose(&b);
}

/* ----------------------------------------------------------------- logging */

typedef struct log_seen {
	int calls;
	int32_t last_level;
	char last[128];
	int freed;
} log_seen;

static void log_cb(int32_t level, const char *msg, void *ud)
{
	log_seen *s = ud;
	s->calls++;
	s->last_level = level;
	snprintf(s->last, sizeof s->last, "%s", msg);
}

static void log_free(void *ud)
{
	((log_seen *)ud)->freed++;
}

static void test_logger_levels_and_free(void **state)
{
	(void)state;
	crmw_logger lg = {0};
	log_seen a = {0}, b = {0};

	/* No callback: nothing happens, nothing is enabled. */
	crmw__log(&lg, CRMW_LOG_ERROR, "dropped");
	assert_false(crmw__log_enabled(&lg, CRMW_LOG_ERROR));

	crmw__logger_set(&lg, log_cb, CRMW_LOG_WARN, &a, log_free);
	crmw__log(&lg, CRMW_LOG_ERROR, "e%d", 1);
	crmw__log(&lg, CRMW_LOG_WARN, "w%d", 2);
	crmw__log(&lg, CRMW_LOG_INFO, "i%d", 3);
	crmw__log(&lg, CRMW_LOG_DEBUG, "d%d", 4);
	assert_int_equal(a.calls, 2);
	assert_int_equal(a.last_level, CRMW_LOG_WARN);
	assert_string_equal(a.last, "w2");
	assert_true(crmw__log_enabled(&lg, CRMW_LOG_WARN));
	assert_false(crmw__log_enabled(&lg, CRMW_LOG_INFO));

	/* Setting the same userdata again must not free it. */
	crmw__logger_set(&lg, log_cb, CRMW_LOG_DEBUG, &a, log_free);
	assert_int_equal(a.freed, 0);

	/* Replacing frees the old userdata exactly once. */
	crmw__logger_set(&lg, log_cb, CRMW_LOG_DEBUG, &b, log_free);
	assert_int_equal(a.freed, 1);
	crmw__log(&lg, CRMW_LOG_DEBUG, "to b");
	assert_int_equal(b.calls, 1);
	assert_int_equal(a.calls, 2);

	crmw__logger_dispose(&lg);
	assert_int_equal(b.freed, 1);
	crmw__log(&lg, CRMW_LOG_ERROR, "after dispose");
	assert_int_equal(b.calls, 1);
	crmw__logger_dispose(&lg); /* idempotent */
	assert_int_equal(b.freed, 1);
}

static void test_log_level_names(void **state)
{
	(void)state;
	assert_string_equal(crmw_log_level_name(CRMW_LOG_ERROR), "error");
	assert_string_equal(crmw_log_level_name(CRMW_LOG_WARN), "warn");
	assert_string_equal(crmw_log_level_name(CRMW_LOG_INFO), "info");
	assert_string_equal(crmw_log_level_name(CRMW_LOG_DEBUG), "debug");
	assert_string_equal(crmw_log_level_name(99), "?");
}

static void test_handle_dispose(void **state)
{
	(void)state;
	log_seen s = {0};
	crmw_handle h = {0};
	crmw__logger_set(&h.log, log_cb, CRMW_LOG_INFO, &s, log_free);
	crmw__errf(&h.err, CRMW_EINVALID, "x");
	crmw__handle_dispose(&h);
	assert_int_equal(s.freed, 1);
	assert_null(h.err.msg);
	crmw__handle_dispose(NULL);
}

/* ------------------------------------------------------- version, features */

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(crmw_version_string(), CRMW_VERSION_STRING);
	assert_int_equal(crmw_version_number(), CRMW_VERSION_NUMBER);
	char expect[32];
	snprintf(expect, sizeof expect, "%d.%d.%d", CRMW_VERSION_MAJOR, CRMW_VERSION_MINOR,
		 CRMW_VERSION_PATCH);
	assert_string_equal(crmw_version_string(), expect);
	assert_int_equal(crmw_version_number(),
			 CRMW_VERSION_MAJOR * 10000 + CRMW_VERSION_MINOR * 100 + CRMW_VERSION_PATCH);
}

static void test_has_feature(void **state)
{
	(void)state;
	assert_int_equal(crmw_has_feature("faiss"), CRMW_HAVE_FAISS);
	assert_int_equal(crmw_has_feature("curl"), CRMW_HAVE_CURL);
	/* Debian's SQLite is built with FTS5; SOSL depends on it. */
	assert_int_equal(crmw_has_feature("fts5"), 1);
	assert_int_equal(crmw_has_feature("FAISS"), 0);
	assert_int_equal(crmw_has_feature("nonexistent"), 0);
	assert_int_equal(crmw_has_feature(""), 0);
	assert_int_equal(crmw_has_feature(NULL), 0);
}

static void test_features_json(void **state)
{
	(void)state;
	crmw_buf out = CRMW_BUF_INIT;
	assert_int_equal(crmw__buf_puts(&out, "previous contents"), CRMW_OK);
	assert_int_equal(crmw_features_json(&out), CRMW_OK);
	assert_int_equal(strlen(out.data), out.len);

	json_error_t jerr;
	json_t *v = json_loadb(out.data, out.len, 0, &jerr);
	assert_non_null(v);
	assert_int_equal(json_integer_value(json_object_get(v, "schema_version")), 1);
	assert_string_equal(json_string_value(json_object_get(v, "version")), CRMW_VERSION_STRING);
	json_t *f = json_object_get(v, "features");
	assert_true(json_is_object(f));
	assert_int_equal(json_object_size(f), 3);
	assert_int_equal(json_is_true(json_object_get(f, "faiss")), CRMW_HAVE_FAISS);
	assert_int_equal(json_is_true(json_object_get(f, "curl")), CRMW_HAVE_CURL);
	assert_true(json_is_true(json_object_get(f, "fts5")));
	json_t *libs = json_object_get(v, "libraries");
	assert_string_equal(json_string_value(json_object_get(libs, "sqlite")), sqlite3_libversion());
	assert_non_null(json_string_value(json_object_get(libs, "jansson")));
	assert_int_equal(json_object_get(libs, "faiss") != NULL, CRMW_HAVE_FAISS);
	assert_int_equal(json_object_get(libs, "curl") != NULL, CRMW_HAVE_CURL);
	json_decref(v);
	crmw_buf_dispose(&out);
}

#if CRMW_HAVE_FAISS
static void test_faiss_selftest(void **state)
{
	(void)state;
	int rc = crmw__faiss_selftest();
	if (rc)
		fail_msg("faiss self-test: %s", crmw_last_error());
}
#endif

/* The JSON reader agrees with jansson on every valid document... */
static void test_json_reader_valid(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"{}", "[]", "0", "-0", "12", "-9223372036854775808", "9223372036854775807", "1.5", "-2.5e-3", "1E+2",
		"true", "false", "null", "\"\"", "\"plain\"", " \t\r\n[ 1 , 2 ]\n",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u20AC\\ud83d\\ude00\"", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		"{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}", "[[[[[[[[[[]]]]]]]]]]", "{\"k\\u0041\":1,\"kA2\":2}",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		json_t *mine = NULL;
		crmw__json_error err;
		int rc = crmw__json_parse(docs[i], strlen(docs[i]), &mine, &err);
		if (rc)
			fail_msg("%s: %s", docs[i], err.text);
		json_t *theirs = json_loads(docs[i], JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(theirs);
		if (!json_equal(mine, theirs))
			fail_msg("%s: differs from jansson", docs[i]);
		json_decref(mine);
		json_decref(theirs);
	}
	/* Keys keep their order. */
	json_t *v = NULL;
	assert_int_equal(crmw__json_parse("{\"z\":1,\"a\":2}", 13, &v, NULL), CRMW_OK);
	char *d = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(d, "{\"z\":1,\"a\":2}");
	free(d);
	json_decref(v);
}

/* ...and rejects, with a position, what is not JSON. */
static void test_json_reader_invalid(void **state)
{
	(void)state;
	static const struct {
		const char *doc;
		const char *why;
		int column;
	} bad[] = {
		{"", "end of input", 1},
		{"   ", "end of input", 4},
		{"{", "string key", 2},
		{"{\"a\" 1}", "':'", 6},
		{"{\"a\":1,}", "string key", 8},
		{"[1,]", "unexpected character ']'", 4},
		{"[1 2]", "',' or ']'", 4},
		{"{\"a\":1 \"b\":2}", "',' or '}'", 8},
		{"{\"a\":1,\"a\":2}", "duplicate object key 'a'", 11},
		{"01", "cannot start with 0", 2},
		{"1.", "digit must follow", 3},
		{"1e", "exponent", 3},
		{"-", "invalid number", 2},
		{"99999999999999999999", "too big integer", 1},
		{"1e999", "overflow", 1},
		{"tru", "unexpected character 't'", 1},
		{"nul", "unexpected character 'n'", 1},
		{"\"abc", "unterminated", 5},
		{"\"a\nb\"", "control character U+000A", 3},
		{"\"\\x\"", "invalid escape", 2},
		{"\"\\u12G4\"", "\\u escape", 2},
		{"\"\\ud83d\"", "high surrogate", 8},
		{"\"\\ude00\"", "low surrogate", 8},
		{"\"\\u0000\"", "\\u0000", 8},
		{"\"\xc3\"", "invalid UTF-8", 2},
		{"\"\xc0\xaf\"", "invalid UTF-8", 2},
		{"\"\xed\xa0\x80\"", "invalid UTF-8", 2},
		{"\"\xf5\x80\x80\x80\"", "invalid UTF-8", 2},
		{"{} []", "extra data", 4},
		{"[1]\n x", "extra data", 2},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *v = (json_t *)1;
		crmw__json_error err;
		int rc = crmw__json_parse(bad[i].doc, strlen(bad[i].doc), &v, &err);
		if (rc != CRMW_EFORMAT || v != NULL || !strstr(err.text, bad[i].why) || err.column != bad[i].column)
			fail_msg("'%s': rc %d, '%s' at column %d; want '%s' at column %d", bad[i].doc, rc, err.text, err.column,
				 bad[i].why, bad[i].column);
		/* jansson rejects it too (it allows what we reject only for \u0000). */
		if (!strstr(bad[i].why, "u0000"))
			assert_null(json_loads(bad[i].doc, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL));
	}
	/* Nesting is bounded. */
	char deep[1100];
	memset(deep, '[', 600);
	deep[600] = '\0';
	json_t *v = NULL;
	crmw__json_error err;
	assert_int_equal(crmw__json_parse(deep, 600, &v, &err), CRMW_EFORMAT);
	assert_non_null(strstr(err.text, "512 levels"));
	assert_int_equal(crmw__json_parse(NULL, 0, &v, NULL), CRMW_EFORMAT);
	/* A line count for multi-line input. */
	assert_int_equal(crmw__json_parse("{\n\"a\":\n  x}", 12, &v, &err), CRMW_EFORMAT);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 3);
}

/* Regression: the message quotes a duplicate key by its first 60 bytes; a
 * multi-byte character across byte 60 was cut in half, and the message was
 * not UTF-8 (jansson refuses such a string: a tool's BAD_JSON result turned
 * into "out of memory").  Each document from a heap copy of exactly its
 * bytes. */
static void test_json_reader_duplicate_key_cut(void **state)
{
	(void)state;
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	for (size_t c = 0; c < CRMW_ARRAY_LEN(chars); c++) {
		for (size_t before = 57; before <= 60; before++) {
			char key[80], doc[200];
			memset(key, 'k', before);
			snprintf(key + before, sizeof key - before, "%s", chars[c]);
			int n = snprintf(doc, sizeof doc, "{\"%s\":1,\"%s\":2}", key, key);
			char *h = malloc((size_t)n);
			assert_non_null(h);
			memcpy(h, doc, (size_t)n);
			json_t *v = (json_t *)1;
			crmw__json_error err;
			assert_int_equal(crmw__json_parse(h, (size_t)n, &v, &err), CRMW_EFORMAT);
			free(h);
			assert_null(v);
			json_t *s = json_string(err.text);
			if (!s)
				fail_msg("%zu+%zu: the message is not UTF-8: %s", before, strlen(chars[c]), err.text);
			json_decref(s);
			/* the character is shown whole or not at all */
			char want[100];
			size_t keep = before + strlen(chars[c]) <= 60 ? strlen(key) : before;
			snprintf(want, sizeof want, "duplicate object key '%.*s'", (int)keep, key);
			assert_string_equal(err.text, want);
		}
	}
}

static void test_free_null(void **state)
{
	(void)state;
	crmw_free(NULL);
	crmw_free(crmw__strdup("owned by the library"));
	assert_null(crmw__strdup(NULL));
	char *s = crmw__strndup("abcdef", 3);
	assert_string_equal(s, "abc");
	crmw_free(s);
}

/* crmw_buf_set: the way callbacks write a buffer they were handed. */
static void test_buf_set(void **state)
{
	(void)state;
	crmw_buf b = CRMW_BUF_INIT;
	assert_int_equal(crmw_buf_set(&b, "hello", 5), CRMW_OK);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "hello"); /* NUL after the bytes */
	assert_int_equal(crmw_buf_set(&b, "a\0b", 3), CRMW_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	assert_int_equal(crmw_buf_set(&b, NULL, 0), CRMW_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(crmw_buf_set(&b, NULL, 1), CRMW_EINVALID);
	assert_int_equal(crmw_buf_set(NULL, "x", 1), CRMW_EINVALID);
	crmw_buf_dispose(&b);
}

/* RFC 6901 pointers (crmw__json_pointer, lib/common/json.c): escapes,
 * array indexes, and every malformed pointer names nothing. */
static void test_json_pointer(void **state)
{
	(void)state;
	json_t *doc = json_loads("{\"a\":[10,{\"b\":2}],\"c/d\":3,\"e~f\":4,\"\":5}", 0, NULL);
	assert_non_null(doc);
	assert_ptr_equal(crmw__json_pointer(doc, ""), doc);
	assert_int_equal(json_integer_value(crmw__json_pointer(doc, "/a/0")), 10);
	assert_int_equal(json_integer_value(crmw__json_pointer(doc, "/a/1/b")), 2);
	assert_int_equal(json_integer_value(crmw__json_pointer(doc, "/c~1d")), 3);
	assert_int_equal(json_integer_value(crmw__json_pointer(doc, "/e~0f")), 4);
	assert_int_equal(json_integer_value(crmw__json_pointer(doc, "/")), 5);
	static const char *const none[] = {"a",	   "/a/2",  "/a/-1", "/a/x",   "/a/", "/a/0/b", "/zz",
					   "/c/d", "/a/+1", "/a/ 1", "/a/01", "/a/00", "/a/1 ", "/a/99999999999999999999"};
	for (size_t i = 0; i < CRMW_ARRAY_LEN(none); i++)
		if (crmw__json_pointer(doc, none[i]))
			fail_msg("'%s' names a value", none[i]);
	json_decref(doc);
	/* a token longer than 255 bytes is not cut (the rest of the path was dropped) */
	char key[301], ptr[700];
	memset(key, 'a', 300);
	key[300] = '\0';
	doc = json_pack("[{s:s,s:{s:i}}]", key + 45, "secret", key, "x", 1);
	assert_non_null(doc);
	snprintf(ptr, sizeof ptr, "/0/%sZZZ/no/such/path", key + 45);
	assert_null(crmw__json_pointer(doc, ptr));
	snprintf(ptr, sizeof ptr, "/0/%s", key + 45);
	assert_string_equal(json_string_value(crmw__json_pointer(doc, ptr)), "secret");
	snprintf(ptr, sizeof ptr, "/0/%s/x", key);
	assert_int_equal(json_integer_value(crmw__json_pointer(doc, ptr)), 1);
	snprintf(ptr, sizeof ptr, "/0/%s/y", key);
	assert_null(crmw__json_pointer(doc, ptr));
	json_decref(doc);
}

/* The option value readers every options reader shares (lib/common/json.c):
 * absent keys keep the default, wrong types and ranges name the option. */
static void test_option_values(void **state)
{
	(void)state;
	json_t *o = json_loads("{\"n\":5,\"big\":50,\"x\":0.5,\"b\":true,\"s\":\"hi\",\"t\":\"yes\"}", 0, NULL);
	int64_t n = 1;
	double x = 0;
	bool b = false;
	char *str = crmw__strdup("default");
	assert_int_equal(crmw__opt_int(NULL, "test options", o, "n", 1, 10, &n), CRMW_OK);
	assert_int_equal(n, 5);
	assert_int_equal(crmw__opt_int(NULL, "test options", o, "absent", 1, 10, &n), CRMW_OK);
	assert_int_equal(n, 5);
	assert_int_equal(crmw__opt_int(NULL, "test options", o, "big", 1, 10, &n), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "test options: \"big\" must be an integer from 1 to 10");
	assert_int_equal(crmw__opt_int(NULL, "test options", o, "x", 0, 10, &n), CRMW_EINVALID);
	assert_int_equal(n, 5);
	assert_int_equal(crmw__opt_real(NULL, "test options", o, "x", 0, 1, &x), CRMW_OK);
	assert_true(x == 0.5);
	assert_int_equal(crmw__opt_real(NULL, "test options", o, "n", 0, 1, &x), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "test options: \"n\" must be a number from 0 to 1");
	assert_int_equal(crmw__opt_bool(NULL, "test options", o, "b", &b), CRMW_OK);
	assert_true(b);
	assert_int_equal(crmw__opt_bool(NULL, "test options", o, "t", &b), CRMW_EINVALID);
	assert_string_equal(crmw_last_error(), "test options: \"t\" must be true or false");
	assert_int_equal(crmw__opt_str(NULL, "test options", o, "absent", &str), CRMW_OK);
	assert_string_equal(str, "default");
	assert_int_equal(crmw__opt_str(NULL, "test options", o, "s", &str), CRMW_OK);
	assert_string_equal(str, "hi");
	assert_int_equal(crmw__opt_str(NULL, "test options", o, "n", &str), CRMW_EINVALID);
	assert_string_equal(str, "hi");
	free(str);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_set),
		cmocka_unit_test(test_status_codes_fixed),
		cmocka_unit_test(test_strerror_every_code),
		cmocka_unit_test(test_strerror_unknown),
		cmocka_unit_test(test_last_error_from_api),
		cmocka_unit_test(test_error_from_last_error),
		cmocka_unit_test(test_last_error_is_thread_local),
		cmocka_unit_test(test_handle_error),
		cmocka_unit_test(test_long_error_message),
		cmocka_unit_test(test_buf_basics),
		cmocka_unit_test(test_buf_embedded_nul),
		cmocka_unit_test(test_buf_json_str_roundtrip),
		cmocka_unit_test(test_json_reader_valid),
		cmocka_unit_test(test_json_reader_invalid),
		cmocka_unit_test(test_json_reader_duplicate_key_cut),
		cmocka_unit_test(test_logger_levels_and_free),
		cmocka_unit_test(test_log_level_names),
		cmocka_unit_test(test_handle_dispose),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_has_feature),
		cmocka_unit_test(test_features_json),
#if CRMW_HAVE_FAISS
		cmocka_unit_test(test_faiss_selftest),
#endif
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_json_pointer),
		cmocka_unit_test(test_option_values),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
