/*
 * crmweaver/common.h: status codes, errors, buffers, logging and features
 * shared by every module of libcrmweaver.
 *
 * Conventions used by every public header (docs/ARCHITECTURE.md, docs/abi.md):
 *  - Fallible functions return an int status: CRMW_OK (0) or a negative
 *    CRMW_E* code.  The message of the last failure lives on the handle
 *    (crmw_<T>_errmsg) and, for the calling thread, in crmw_last_error().
 *  - Out-parameters come first, then the subject handle, then inputs, then
 *    callback and userdata last.
 *  - Inputs are copied before a function returns.  Returned `const char *`
 *    are borrowed until the next call on the same handle.  Variable-size
 *    output goes into a caller-initialised crmw_buf.
 *  - The library never prints and never exits; it reports through status
 *    codes and the per-handle log callback.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_COMMON_H
#define CRMWEAVER_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <crmweaver/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * CRMW_API marks a function as part of the public ABI.  Everything else in
 * the library is built with hidden visibility and is not exported.
 */
#ifndef CRMW_API
#  if defined(CRMW_BUILDING_LIBRARY) && defined(__GNUC__)
#    define CRMW_API __attribute__((visibility("default")))
#  else
#    define CRMW_API
#  endif
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                               */
/* ------------------------------------------------------------------------ */

/**
 * Status codes returned by every fallible function.  The values are part of
 * the ABI: they are never renumbered, and new codes are only appended.
 * @since 0.1
 */
enum crmw_status {
	CRMW_OK = 0,           /**< success */
	CRMW_ERROR = -1,       /**< internal error that fits no other code (a bug: please report) */
	CRMW_EINVALID = -2,    /**< invalid argument (NULL where not allowed, bad option value) */
	CRMW_ENOMEM = -3,      /**< out of memory */
	CRMW_ENOTFOUND = -4,   /**< the named object, record, tool, entry or file does not exist */
	CRMW_EEXISTS = -5,     /**< it already exists (duplicate id, name) */
	CRMW_ESCHEMA = -6,     /**< violates the schema (unknown field, wrong type, bad reference) */
	CRMW_EQUERY = -7,      /**< a SOQL/SOSL/SQL query failed to parse, compile or run */
	CRMW_EACCESS = -8,     /**< denied by access control or by the read-only sandbox */
	CRMW_ELIMIT = -9,      /**< a time, row, size or turn budget was exceeded */
	CRMW_EBACKEND = -10,   /**< the model backend failed or returned something unusable */
	CRMW_EUSER = -11,      /**< a host callback returned non-zero (aborted by the host) */
	CRMW_EIO = -12,        /**< file or database I/O failed */
	CRMW_EUNSUPPORTED = -13, /**< not available in this build (see crmw_has_feature) */
	CRMW_ECANCELED = -14,  /**< canceled by the host */
	CRMW_EFORMAT = -15,    /**< malformed input data (JSON, CSV, task file, model output) */
	CRMW_ECORRUPT = -16,   /**< a database or index file is damaged */
	CRMW_EBUSY = -17,      /**< the resource is locked by another writer */
	CRMW_ESTATE = -18      /**< the call is not valid in the handle's current state */
};

/**
 * A short, static, English description of a status code ("invalid argument").
 * Unknown codes give "unknown error".  Never returns NULL.  Thread-safe.
 * @since 0.1
 */
CRMW_API const char *crmw_strerror(int32_t code);

/**
 * The symbolic name of a status code ("CRMW_EINVALID"), or NULL for an
 * unknown code.  For bindings that map codes to exception classes.
 * @since 0.1
 */
CRMW_API const char *crmw_status_name(int32_t code);

/**
 * The message of the last failure on the calling thread: set by every
 * function that returns an error, including constructors that fail before
 * a handle exists.  "" if nothing failed yet on this thread.  The pointer is
 * borrowed: valid until the next libcrmweaver call on this thread.
 * @since 0.1
 */
CRMW_API const char *crmw_last_error(void);

/**
 * The status code that went with crmw_last_error().
 * @return the code of the calling thread's last failure, CRMW_OK if none
 * @since 0.1
 */
CRMW_API int32_t crmw_last_error_code(void);

/** Reset the calling thread's last error to CRMW_OK and "". @since 0.1 */
CRMW_API void crmw_clear_last_error(void);

/* ------------------------------------------------------------------------ */
/* Buffers and memory                                                         */
/* ------------------------------------------------------------------------ */

/**
 * A growable byte buffer that the library fills with variable-size output
 * (JSON documents, rendered text).  The host initialises it (CRMW_BUF_INIT or
 * all zero), passes it to as many calls as it likes (each call replaces the
 * contents) and releases it with crmw_buf_dispose().
 *
 * After a successful call `data` points to `len` bytes followed by a NUL
 * byte, so text output can be used as a C string.  `cap` is the allocated
 * size; the host must not change any field.
 * @since 0.1
 */
typedef struct crmw_buf {
	char *data;
	size_t len;
	size_t cap;
} crmw_buf;

/** Static initialiser for an empty crmw_buf. */
#define CRMW_BUF_INIT { NULL, 0, 0 }

/**
 * Free the memory of a buffer and reset it to empty.  NULL and an already
 * empty buffer are accepted.
 * @since 0.1
 */
CRMW_API void crmw_buf_dispose(crmw_buf *buf);

/**
 * Replace the contents of a buffer with `len` bytes (copied; a NUL byte is
 * kept after them).  This is how host callbacks that are handed a crmw_buf
 * (tool implementations, the simulated user) write their output: the
 * buffer's memory stays the library's.
 * @return CRMW_OK, CRMW_EINVALID (NULL buf, or NULL data with len > 0),
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_buf_set(crmw_buf *buf, const void *data, size_t len);

/**
 * Free memory that the library allocated and handed to the host as owned
 * (documented per function).  NULL is accepted.  Never use the host's own
 * free() on library memory: the two may be different allocators.
 * @since 0.1
 */
CRMW_API void crmw_free(void *ptr);

/* ------------------------------------------------------------------------ */
/* Version and features                                                       */
/* ------------------------------------------------------------------------ */

/** The library's version as "MAJOR.MINOR.PATCH" (the run-time library, not
 *  the headers: compare with CRMW_VERSION_STRING). @since 0.1 */
CRMW_API const char *crmw_version_string(void);

/**
 * The library's version as a number (the run-time library, not the
 * headers: compare with CRMW_VERSION_NUMBER).
 * @return MAJOR * 10000 + MINOR * 100 + PATCH
 * @since 0.1
 */
CRMW_API uint32_t crmw_version_number(void);

/**
 * Whether the optional feature `name` is available in this build and at
 * run time:
 *  - "faiss": faiss vector indexes (meson option faiss);
 *  - "fts5":  SQLite full-text search, needed by SOSL (checked in the
 *             SQLite library actually loaded);
 *  - "curl":  the OpenAI-compatible HTTP model backend (meson option curl).
 * Thread-safe.
 * @return 1 when available, 0 when not or when the name is unknown (NULL
 *         included)
 * @since 0.1
 */
CRMW_API int crmw_has_feature(const char *name);

/**
 * The build's features and the versions of the libraries it runs on, as a
 * JSON object:
 * `{"schema_version":1,"version":"0.1.0","features":{"faiss":true,...},
 *   "libraries":{"sqlite":"3.40.1","jansson":"2.14",...}}`.
 * The buffer's previous contents are replaced.
 * @return CRMW_OK, CRMW_EINVALID (NULL out), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_features_json(crmw_buf *out);

/* ------------------------------------------------------------------------ */
/* Logging                                                                    */
/* ------------------------------------------------------------------------ */

/** Log levels, most severe first.  A handle logs messages at or above
 *  (numerically at or below) its configured level.  @since 0.1 */
enum crmw_log_level {
	CRMW_LOG_ERROR = 0,
	CRMW_LOG_WARN = 1,
	CRMW_LOG_INFO = 2,
	CRMW_LOG_DEBUG = 3
};

/**
 * A log callback, set per handle (crmw_<T>_set_logger).  `message` is borrowed
 * for the duration of the call and has no trailing newline.  It runs on the
 * thread that called into the library and must not call back into the same
 * handle.
 * @since 0.1
 */
typedef void (*crmw_log_fn)(int32_t level, const char *message, void *userdata);

/** Frees a callback's userdata when the handle is freed or the callback is
 *  replaced.  @since 0.1 */
typedef void (*crmw_free_fn)(void *userdata);

/** The name of a log level ("error", "warn", "info", "debug"), or "?" for an
 *  unknown level.  @since 0.1 */
CRMW_API const char *crmw_log_level_name(int32_t level);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_COMMON_H */
