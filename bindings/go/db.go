package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
)

// DB is an open org database (crmw_db).  A DB is used by one goroutine at a
// time; open the file several times read-only for concurrent readers.
// Registries and agents made over a DB borrow it: close them first.
type DB struct {
	ptr  *C.crmw_db
	path string
}

// Open opens an existing org database read-only (crmw_db_open with
// CRMW_DB_READONLY).
func Open(path string) (*DB, error) { return openDB(path, C.CRMW_DB_READONLY) }

// OpenReadWrite opens an existing org database for reading and writing.
func OpenReadWrite(path string) (*DB, error) { return openDB(path, 0) }

func openDB(path string, flags C.uint32_t) (*DB, error) {
	p := newCstr(path)
	defer p.free()
	var h *C.crmw_db
	if err := call(func() C.int { return C.crmw_db_open(&h, p.p, flags) }); err != nil {
		return nil, err
	}
	db := &DB{ptr: h, path: path}
	runtime.SetFinalizer(db, (*DB).Close)
	return db, nil
}

// Close closes the database.  Calling it again does nothing.
func (db *DB) Close() error {
	if db == nil || db.ptr == nil {
		return nil
	}
	C.crmw_db_free(db.ptr)
	db.ptr = nil
	runtime.SetFinalizer(db, nil)
	return nil
}

// Path is the file the DB was opened from.
func (db *DB) Path() string { return db.path }

func (db *DB) handle() (*C.crmw_db, error) {
	if db == nil || db.ptr == nil {
		return nil, closedError("DB")
	}
	return db.ptr, nil
}

// Now is the org's reference "now" (crmw_db_now), "" when it has none.
func (db *DB) Now() string {
	h, err := db.handle()
	if err != nil {
		return ""
	}
	p := C.crmw_db_now(h)
	s := ""
	if p != nil {
		s = C.GoString(p)
	}
	runtime.KeepAlive(db)
	return s
}

// Count is the number of records of an object (crmw_db_count).
func (db *DB) Count(object string) (int64, error) {
	h, err := db.handle()
	if err != nil {
		return 0, err
	}
	o := newCstr(object)
	defer o.free()
	var n C.int64_t
	err = call(func() C.int { return C.crmw_db_count(&n, h, o.p) })
	runtime.KeepAlive(db)
	return int64(n), err
}

// QueryOptions are the options of a query (crmw_query_opts).  The zero value
// means the library's defaults.
type QueryOptions struct {
	Today           string // "YYYY-MM-DD" for date literals; "" = the org's now
	TimeoutMS       int64  // 0 = library default (2000 ms)
	MaxRows         int64  // 0 = library default (10000)
	MaxBytes        int64  // 0 = library default (16 MiB)
	DropNullColumns bool
	Role            *Role // enforce a role's read permissions (nil: none); borrowed
}

// newOpts makes a crmw_query_opts; nil opts gives NULL.
func (o *QueryOptions) c() (*C.crmw_query_opts, error) {
	if o == nil {
		return nil, nil
	}
	var q *C.crmw_query_opts
	if err := call(func() C.int { return C.crmw_query_opts_new(&q) }); err != nil {
		return nil, err
	}
	var err error
	if o.Today != "" {
		t := newCstr(o.Today)
		err = call(func() C.int { return C.crmw_query_opts_set_today(q, t.p) })
		t.free()
	}
	if err == nil && o.TimeoutMS > 0 {
		err = call(func() C.int { return C.crmw_query_opts_set_timeout_ms(q, C.int64_t(o.TimeoutMS)) })
	}
	if err == nil && o.MaxRows > 0 {
		err = call(func() C.int { return C.crmw_query_opts_set_max_rows(q, C.int64_t(o.MaxRows)) })
	}
	if err == nil && o.MaxBytes > 0 {
		err = call(func() C.int { return C.crmw_query_opts_set_max_bytes(q, C.int64_t(o.MaxBytes)) })
	}
	if err == nil && o.DropNullColumns {
		err = call(func() C.int { return C.crmw_query_opts_set_drop_null_columns(q, 1) })
	}
	if err == nil && o.Role != nil {
		if o.Role.ptr == nil {
			err = closedError("Role")
		} else {
			err = call(func() C.int { return C.crmw_query_opts_set_role(q, o.Role.ptr) })
		}
	}
	if err != nil {
		C.crmw_query_opts_free(q)
		return nil, err
	}
	return q, nil
}

type queryFn func(out *C.crmw_buf, db *C.crmw_db, text *C.char, n C.size_t, o *C.crmw_query_opts) C.int

func (db *DB) run(fn queryFn, text string, opts *QueryOptions) ([]byte, error) {
	h, err := db.handle()
	if err != nil {
		return nil, err
	}
	q, err := opts.c()
	if err != nil {
		return nil, err
	}
	if q != nil {
		defer C.crmw_query_opts_free(q)
	}
	t := newCstr(text)
	defer t.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int { return fn(b, h, t.p, C.size_t(len(text)), q) })
	runtime.KeepAlive(db)
	runtime.KeepAlive(opts)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Query runs a SOQL query, or a SOSL search when the text starts with FIND,
// and returns the JSON result (crmw_query).  A bad query gives an *Error
// with code CodeQuery whose message starts with the Salesforce error code
// (MALFORMED_QUERY, INVALID_FIELD, ...).
func (db *DB) Query(text string) ([]byte, error) { return db.QueryWith(text, nil) }

// QueryWith is Query with options (nil: the defaults).
func (db *DB) QueryWith(text string, opts *QueryOptions) ([]byte, error) {
	return db.run(func(o *C.crmw_buf, d *C.crmw_db, t *C.char, n C.size_t, q *C.crmw_query_opts) C.int {
		return C.crmw_query(o, d, t, n, q)
	}, text, opts)
}

// QueryDecode runs Query and decodes its JSON result into v (as
// json.Unmarshal does).
func (db *DB) QueryDecode(text string, v interface{}) error {
	out, err := db.Query(text)
	if err != nil {
		return err
	}
	return json.Unmarshal(out, v)
}

// QueryValue runs Query and decodes the result into an interface{}: a
// []interface{} of map[string]interface{} records for SOQL, a
// map[string]interface{} for SOSL and COUNT().
func (db *DB) QueryValue(text string) (interface{}, error) {
	var v interface{}
	err := db.QueryDecode(text, &v)
	return v, err
}

// QueryRecords runs a SOQL query that returns a list of records.
func (db *DB) QueryRecords(text string) ([]map[string]interface{}, error) {
	var v []map[string]interface{}
	err := db.QueryDecode(text, &v)
	return v, err
}

// SQL runs one raw SQLite SELECT in the query sandbox (crmw_query_sql).
func (db *DB) SQL(sql string) ([]byte, error) {
	return db.run(func(o *C.crmw_buf, d *C.crmw_db, t *C.char, n C.size_t, q *C.crmw_query_opts) C.int {
		return C.crmw_query_sql(o, d, t, n, q)
	}, sql, nil)
}

// Explain compiles a query without running it (crmw_query_explain).
func (db *DB) Explain(text string) ([]byte, error) {
	return db.run(func(o *C.crmw_buf, d *C.crmw_db, t *C.char, n C.size_t, q *C.crmw_query_opts) C.int {
		return C.crmw_query_explain(o, d, t, n, q)
	}, text, nil)
}
