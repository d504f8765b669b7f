package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"unsafe"
)

// EmbedFunc is a host embedder: it returns the embedding of text, which must
// have exactly the store's dimension.
type EmbedFunc func(text string) ([]float32, error)

// embedderState is what the cgo.Handle of an installed embedder refers to.
type embedderState struct {
	fn  EmbedFunc
	mu  sync.Mutex
	err error // the last failure (for LastEmbedError)
}

func (e *embedderState) embed(out *C.float, dim C.int32_t, text *C.char, n C.size_t) C.int {
	var s string
	if text != nil {
		s = C.GoStringN(text, C.int(n))
	}
	var v []float32
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = &PanicError{Value: p, Stack: debug.Stack()}
			}
		}()
		v, err = e.fn(s)
	}()
	if err == nil && len(v) != int(dim) {
		err = fmt.Errorf("embedder returned %d values, want %d", len(v), int(dim))
	}
	if err != nil {
		e.mu.Lock()
		e.err = err
		e.mu.Unlock()
		return 1
	}
	if dim > 0 {
		dst := unsafe.Slice((*float32)(unsafe.Pointer(out)), int(dim))
		copy(dst, v)
	}
	return 0
}

// SetEmbedder makes the store embed texts with fn (crmw_memory_set_embedder).
// name and dim must equal what the store recorded at creation (open it with
// {"embedder": name, "dim": dim}).  fn runs on the goroutine that called the
// Memory method, with the store's lock held: it must not call back into m.
// An error, a panic (recovered) or a vector of the wrong length fails the
// library call that needed the embedding.
func (m *Memory) SetEmbedder(name string, dim int, fn EmbedFunc) error {
	if fn == nil {
		return &Error{Code: CodeInvalid, Name: StatusName(CodeInvalid), Message: "nil embedder"}
	}
	if m == nil {
		return closedError("Memory")
	}
	// The write lock: no other call of m runs while the embedder changes.
	m.mu.Lock()
	defer m.mu.Unlock()
	h, err := m.handle()
	if err != nil {
		return err
	}
	n := newCstr(name)
	defer n.free()
	st := &embedderState{fn: fn}
	// On failure the library calls userdata_free, which deletes the handle.
	hd := newHandle(st)
	return call(func() C.int { return memorySetEmbedder(h, n.p, C.int32_t(dim), hd) })
}

// UserFunc speaks for the simulated user of a multi-turn episode: it gets
// {"task": {...}, "turn": N, "history": [messages]} as JSON and returns the
// user's next message ("###STOP###" ends the conversation).
type UserFunc func(requestJSON string) (string, error)

type userState struct {
	fn  UserFunc
	mu  sync.Mutex
	err error
}

func (u *userState) reply(out *C.crmw_buf, req *C.char) C.int {
	var s string
	if req != nil {
		s = C.GoString(req)
	}
	var r string
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = &PanicError{Value: p, Stack: debug.Stack()}
			}
		}()
		r, err = u.fn(s)
	}()
	if err != nil {
		u.mu.Lock()
		u.err = err
		u.mu.Unlock()
		setBuf(out, []byte(err.Error()))
		return 1
	}
	setBuf(out, []byte(r))
	return 0
}

// SetUser lets fn speak for the simulated user of multi-turn episodes
// (crmw_agent_set_user; the agent option {"multi_turn": true}); nil restores
// the built-in user.  fn runs on the goroutine of Run and must not call back
// into the agent.  An error or a panic (recovered) fails the user's turn.
func (a *Agent) SetUser(fn UserFunc) error {
	h, err := a.handle()
	if err != nil {
		return err
	}
	if fn == nil {
		err = call(func() C.int { return C.crmw_agent_set_user(h, nil, nil, nil) })
		runtime.KeepAlive(a)
		return err
	}
	hd := newHandle(&userState{fn: fn})
	err = call(func() C.int { return agentSetUser(h, hd) })
	runtime.KeepAlive(a)
	return err
}
