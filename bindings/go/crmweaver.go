// Package crmweaver is the Go binding of libcrmweaver, the embeddable C
// library for CRM agents (CRMArena / CRMWeaver).
//
// It wraps the library's opaque handles in Go types with an idempotent
// Close method and a finalizer as a safety net, maps status codes to
// *Error values, lets backends and tools be written in Go, and cancels agent
// runs through context.Context.
//
// Build flags come from pkg-config (package "crmweaver"); see README.md.
//
// Rich data crosses the binding as JSON: functions that return documents
// return []byte holding JSON, and functions that take options accept nil, a
// string or []byte of JSON, or any value encoding/json can marshal (a map or
// a struct).
package crmweaver

/*
#cgo pkg-config: crmweaver
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// Status codes of the library (enum crmw_status in crmweaver/common.h).
const (
	CodeOK          = 0
	CodeError       = -1
	CodeInvalid     = -2
	CodeNoMem       = -3
	CodeNotFound    = -4
	CodeExists      = -5
	CodeSchema      = -6
	CodeQuery       = -7
	CodeAccess      = -8
	CodeLimit       = -9
	CodeBackend     = -10
	CodeUser        = -11
	CodeIO          = -12
	CodeUnsupported = -13
	CodeCanceled    = -14
	CodeFormat      = -15
	CodeCorrupt     = -16
	CodeBusy        = -17
	CodeState       = -18
)

// Error is a failed library call: Code is the negative status code, Name its
// symbolic name ("CRMW_ENOTFOUND", from crmw_status_name) and Message the
// library's message for the failure (crmw_last_error, read on the OS thread
// that made the call).
type Error struct {
	Code    int
	Name    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "crmweaver: " + e.Name
	}
	return "crmweaver: " + e.Name + ": " + e.Message
}

// Is makes errors.Is(err, ErrNotFound) (and the other sentinels) match any
// *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func sentinel(code int) *Error {
	return &Error{Code: code, Name: StatusName(code)}
}

// Sentinel errors for errors.Is: errors.Is(err, crmweaver.ErrNotFound).
var (
	ErrInternal    = sentinel(CodeError)
	ErrInvalid     = sentinel(CodeInvalid)
	ErrNoMem       = sentinel(CodeNoMem)
	ErrNotFound    = sentinel(CodeNotFound)
	ErrExists      = sentinel(CodeExists)
	ErrSchema      = sentinel(CodeSchema)
	ErrQuery       = sentinel(CodeQuery)
	ErrAccess      = sentinel(CodeAccess)
	ErrLimit       = sentinel(CodeLimit)
	ErrBackend     = sentinel(CodeBackend)
	ErrUser        = sentinel(CodeUser)
	ErrIO          = sentinel(CodeIO)
	ErrUnsupported = sentinel(CodeUnsupported)
	ErrCanceled    = sentinel(CodeCanceled)
	ErrFormat      = sentinel(CodeFormat)
	ErrCorrupt     = sentinel(CodeCorrupt)
	ErrBusy        = sentinel(CodeBusy)
	ErrState       = sentinel(CodeState)
)

// ErrorCode returns the library status code carried by err (through
// errors.As), or 0 when err is nil or not an *Error.
func ErrorCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// IsNotFound reports whether err is a CRMW_ENOTFOUND failure.
func IsNotFound(err error) bool { return ErrorCode(err) == CodeNotFound }

// IsInvalid reports whether err is a CRMW_EINVALID failure.
func IsInvalid(err error) bool { return ErrorCode(err) == CodeInvalid }

// IsQuery reports whether err is a CRMW_EQUERY failure (a SOQL/SOSL error).
func IsQuery(err error) bool { return ErrorCode(err) == CodeQuery }

// IsAccess reports whether err is a CRMW_EACCESS failure.
func IsAccess(err error) bool { return ErrorCode(err) == CodeAccess }

// IsState reports whether err is a CRMW_ESTATE failure (including the use
// of a closed handle).
func IsState(err error) bool { return ErrorCode(err) == CodeState }

// IsCanceled reports whether err is a CRMW_ECANCELED failure.
func IsCanceled(err error) bool { return ErrorCode(err) == CodeCanceled }

// StatusName is crmw_status_name: "CRMW_EINVALID" for -2, "" for an unknown
// code.
func StatusName(code int) string {
	p := C.crmw_status_name(C.int32_t(code))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// StatusText is crmw_strerror: a short English description of a code.
func StatusText(code int) string {
	return C.GoString(C.crmw_strerror(C.int32_t(code)))
}

// newError builds an *Error for a failed call.  It must run on the OS
// thread that made the call (see call).
func newError(rc C.int) error {
	code := int(rc)
	msg := C.GoString(C.crmw_last_error())
	if msg == "" {
		msg = StatusText(code)
	}
	name := StatusName(code)
	if name == "" {
		name = fmt.Sprintf("CRMW_%d", code)
	}
	return &Error{Code: code, Name: name, Message: msg}
}

// call runs f (one library call) and, when it fails, reads the thread-local
// message on the same OS thread.
func call(f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := f(); rc != 0 {
		return newError(rc)
	}
	return nil
}

// closedError is the error for a method called on a closed handle.
func closedError(what string) error {
	return &Error{Code: CodeState, Name: StatusName(CodeState), Message: what + " is closed"}
}

// buf is a caller-owned crmw_buf.  Its fields are C pointers only, so a
// pointer to it may be passed to C.
type buf struct{ b C.crmw_buf }

func (b *buf) ptr() *C.crmw_buf { return &b.b }

// bytes copies the contents out.
func (b *buf) bytes() []byte {
	if b.b.data == nil {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(b.b.data), C.int(b.b.len))
}

func (b *buf) dispose() { C.crmw_buf_dispose(&b.b) }

// callBuf runs a call that fills a crmw_buf and returns a copy of it.
// The buffer's contents are returned even when the call fails, when any.
func callBuf(f func(out *C.crmw_buf) C.int) ([]byte, error) {
	var b buf
	defer b.dispose()
	err := call(func() C.int { return f(b.ptr()) })
	return b.bytes(), err
}

// cstr is a C copy of a Go string, freed by free.
type cstr struct{ p *C.char }

func newCstr(s string) cstr { return cstr{C.CString(s)} }
func (c cstr) free() {
	if c.p != nil {
		C.free(unsafe.Pointer(c.p))
	}
}

// jsonArg turns an options or document argument into JSON text: nil gives
// ok=false (pass NULL), a string, []byte or json.RawMessage is used as is,
// anything else is marshalled with encoding/json.
func jsonArg(v interface{}) (text string, ok bool, err error) {
	switch t := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return t, true, nil
	case []byte:
		if t == nil {
			return "", false, nil
		}
		return string(t), true, nil
	case json.RawMessage:
		if t == nil {
			return "", false, nil
		}
		return string(t), true, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", false, &Error{Code: CodeInvalid, Name: StatusName(CodeInvalid),
			Message: "cannot encode JSON argument: " + err.Error()}
	}
	return string(data), true, nil
}

// jsonCstr is jsonArg as a C string (nil pointer for NULL).
func jsonCstr(v interface{}) (cstr, error) {
	s, ok, err := jsonArg(v)
	if err != nil || !ok {
		return cstr{}, err
	}
	return newCstr(s), nil
}

// Version is the run-time library's version ("0.1.0").
func Version() string { return C.GoString(C.crmw_version_string()) }

// HasFeature reports whether an optional feature ("faiss", "fts5", "curl")
// is available.
func HasFeature(name string) bool {
	c := newCstr(name)
	defer c.free()
	return C.crmw_has_feature(c.p) != 0
}

// FeaturesJSON is crmw_features_json: the build's features and library
// versions as JSON.
func FeaturesJSON() ([]byte, error) {
	return callBuf(func(out *C.crmw_buf) C.int { return C.crmw_features_json(out) })
}

// Generate writes a synthetic org database at path (crmw_gen).  opts: nil or
// a JSON object such as {"profile": "b2b", "seed": 1, "scale": 0.1,
// "overwrite": true}.
func Generate(path string, opts interface{}) error {
	o, err := jsonCstr(opts)
	if err != nil {
		return err
	}
	defer o.free()
	p := newCstr(path)
	defer p.free()
	return call(func() C.int { return C.crmw_gen(p.p, o.p, nil, nil) })
}

// GroupStats is crmw_group_stats: the mean and population standard
// deviation of rewards and each one's normalised advantage.
func GroupStats(rewards []float64) (mean, std float64, advantages []float64, err error) {
	n := len(rewards)
	if n == 0 {
		return 0, 0, nil, &Error{Code: CodeInvalid, Name: StatusName(CodeInvalid), Message: "no rewards"}
	}
	cr := (*C.double)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.double(0)))))
	ca := (*C.double)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.double(0)))))
	defer C.free(unsafe.Pointer(cr))
	defer C.free(unsafe.Pointer(ca))
	rs := unsafe.Slice(cr, n)
	as := unsafe.Slice(ca, n)
	for i, r := range rewards {
		rs[i] = C.double(r)
	}
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_group_stats(b, ca, cr, C.int32_t(n)) })
	if err != nil {
		return 0, 0, nil, err
	}
	var doc struct {
		Mean float64 `json:"mean"`
		Std  float64 `json:"std"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return 0, 0, nil, err
	}
	advantages = make([]float64, n)
	for i := range as {
		advantages[i] = float64(as[i])
	}
	return doc.Mean, doc.Std, advantages, nil
}
