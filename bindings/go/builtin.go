package crmweaver

/*
#include <stdlib.h>
#include <string.h>
#include <crmweaver.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// BuiltinBackend is a backend table filled by one of the library's built-in
// backends (crmweaver/backends.h).  The table lives in C memory and owns
// private state.  Agent.SetBuiltinBackend installs it, handing that state to
// the agent; Close on a table never installed releases it
// (crmw_backend_dispose).  A table is installed (or given as a fallback)
// at most once.
type BuiltinBackend struct {
	mu        sync.Mutex
	tbl       *C.crmw_backend // C.malloc'd; nil once closed or installed
	installed bool
	// Borrowed handles the backend's state refers to (kept alive).
	mem      *Memory
	db       *DB
	fallback *BuiltinBackend
}

func newBuiltin(fill func(tbl *C.crmw_backend) error) (*BuiltinBackend, error) {
	tbl := (*C.crmw_backend)(C.calloc(1, C.size_t(unsafe.Sizeof(C.crmw_backend{}))))
	if tbl == nil {
		return nil, &Error{Code: CodeNoMem, Name: StatusName(CodeNoMem), Message: "out of memory"}
	}
	if err := fill(tbl); err != nil {
		C.crmw_backend_dispose(tbl) // a zeroed table is accepted
		C.free(unsafe.Pointer(tbl))
		return nil, err
	}
	b := &BuiltinBackend{tbl: tbl}
	runtime.SetFinalizer(b, (*BuiltinBackend).Close)
	return b, nil
}

// Close releases a table that was never installed (crmw_backend_dispose);
// after installation it only drops the wrapper.  Calling it again does
// nothing.
func (b *BuiltinBackend) Close() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tbl != nil {
		if !b.installed {
			C.crmw_backend_dispose(b.tbl)
		}
		C.free(unsafe.Pointer(b.tbl))
		b.tbl = nil
	}
	if !b.installed {
		// An installed table's state still borrows these: the agent (or the
		// policy using it as fallback) keeps them alive through b.
		b.mem, b.db, b.fallback = nil, nil, nil
	}
	runtime.SetFinalizer(b, nil)
	return nil
}

// Installed reports whether the table was handed to an agent (or to a
// memory policy as its fallback).
func (b *BuiltinBackend) Installed() bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.installed
}

// take hands the table over to f (which gives its state to the library
// whatever f returns) and marks it installed.  b.mu must not be held.
func (b *BuiltinBackend) take(f func(tbl *C.crmw_backend) error) error {
	if b == nil {
		return closedError("BuiltinBackend")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tbl == nil {
		return closedError("BuiltinBackend")
	}
	if b.installed {
		return &Error{Code: CodeState, Name: StatusName(CodeState), Message: "BuiltinBackend is already installed"}
	}
	err := f(b.tbl)
	b.installed = true
	C.free(unsafe.Pointer(b.tbl)) // the library copied the table
	b.tbl = nil
	return err
}

// MemoryPolicyBackend is crmw_backend_memory_policy: it replays the plans
// of solved tasks found in mem (borrowed: keep mem open as long as an agent
// uses the backend), one tool call per turn, and abstains when no plan fits,
// or hands over to fallback (may be nil; it is taken over, even when this
// call fails).  optionsJSON: "" or {"k", "min_score", "margin",
// "min_support", "max_new_words", "same_family", "programs", "free_text"}
// (crmweaver/backends.h).
func MemoryPolicyBackend(mem *Memory, fallback *BuiltinBackend, optionsJSON string) (*BuiltinBackend, error) {
	if mem == nil {
		return nil, closedError("Memory")
	}
	mem.mu.RLock()
	defer mem.mu.RUnlock()
	mh, err := mem.handle()
	if err != nil {
		return nil, err
	}
	o := optCstr(optionsJSON)
	defer o.free()
	fill := func(fb *C.crmw_backend) func(tbl *C.crmw_backend) error {
		return func(tbl *C.crmw_backend) error {
			return call(func() C.int { return C.crmw_backend_memory_policy(tbl, mh, fb, o.p) })
		}
	}
	var b *BuiltinBackend
	if fallback != nil {
		err = fallback.take(func(fb *C.crmw_backend) error {
			b, err = newBuiltin(fill(fb))
			return err
		})
	} else {
		b, err = newBuiltin(fill(nil))
	}
	if err != nil {
		return nil, err
	}
	b.mem = mem
	b.fallback = fallback
	return b, nil
}

// OpenAIHTTPBackend is crmw_backend_openai_http: an OpenAI-compatible
// chat-completions server ({"base_url", "model", "api_key_env", ...}).
// CodeUnsupported when the library was built without curl.
func OpenAIHTTPBackend(optionsJSON string) (*BuiltinBackend, error) {
	o := optCstr(optionsJSON)
	defer o.free()
	return newBuiltin(func(tbl *C.crmw_backend) error {
		return call(func() C.int { return C.crmw_backend_openai_http(tbl, o.p) })
	})
}

// ReplayBackend is crmw_backend_replay: the assistant messages of the
// trajectories recorded in the JSONL file at path.
func ReplayBackend(path, optionsJSON string) (*BuiltinBackend, error) {
	p := newCstr(path)
	defer p.free()
	o := optCstr(optionsJSON)
	defer o.free()
	return newBuiltin(func(tbl *C.crmw_backend) error {
		return call(func() C.int { return C.crmw_backend_replay(tbl, p.p, o.p) })
	})
}

// GoldBackend is crmw_backend_gold: each task's own gold program (for
// building memories and training data, never to evaluate).  It borrows db.
func GoldBackend(db *DB) (*BuiltinBackend, error) {
	dh, err := db.handle()
	if err != nil {
		return nil, err
	}
	b, err := newBuiltin(func(tbl *C.crmw_backend) error {
		return call(func() C.int { return C.crmw_backend_gold(tbl, dh, nil) })
	})
	runtime.KeepAlive(db)
	if err != nil {
		return nil, err
	}
	b.db = db
	return b, nil
}

// optCstr is a C copy of an options string, NULL for "".
func optCstr(s string) cstr {
	if s == "" {
		return cstr{}
	}
	return newCstr(s)
}

// SetBuiltinBackend installs a built-in backend.  The agent takes over its
// state (b is marked installed: its Close no longer disposes it) and keeps
// a reference to what it borrows.  A table is installed once; on failure it
// is released all the same.
func (a *Agent) SetBuiltinBackend(b *BuiltinBackend) error {
	h, err := a.handle()
	if err != nil {
		return err
	}
	err = b.take(func(tbl *C.crmw_backend) error {
		return call(func() C.int { return C.crmw_agent_set_backend(h, tbl) })
	})
	if err == nil {
		a.backend = nil
		a.builtin = b
	}
	runtime.KeepAlive(a)
	return err
}
