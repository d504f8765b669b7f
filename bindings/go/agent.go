package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
)

// Agent is an agent over an org (crmw_agent): its tools, an optional shared
// memory and a model backend.  An Agent runs one episode at a time and is
// used by one goroutine at a time, except Cancel, which any goroutine may
// call.  It borrows its DB, Registry and Memory (it keeps references to
// them): close the Agent before them.
type Agent struct {
	mu      sync.RWMutex // guards ptr against Close racing Cancel
	ptr     *C.crmw_agent
	db      *DB
	reg     *Registry
	mem     *Memory
	backend *backendState
	builtin *BuiltinBackend // the installed built-in backend (kept for what it borrows)
}

// NewAgent makes an agent over db.  opts: nil or crmw_agent_new's options
// ({"mode": "tools", "max_turns": 20, "memory": {...}, ...}).
func NewAgent(db *DB, opts interface{}) (*Agent, error) {
	dh, err := db.handle()
	if err != nil {
		return nil, err
	}
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var h *C.crmw_agent
	if err := call(func() C.int { return C.crmw_agent_new(&h, dh, o.p) }); err != nil {
		return nil, err
	}
	runtime.KeepAlive(db)
	a := &Agent{ptr: h, db: db}
	runtime.SetFinalizer(a, (*Agent).Close)
	return a, nil
}

// Close frees the agent (which releases its Go backend).  Calling it again
// does nothing.
func (a *Agent) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ptr == nil {
		return nil
	}
	C.crmw_agent_free(a.ptr)
	a.ptr = nil
	a.backend, a.builtin, a.db, a.reg, a.mem = nil, nil, nil, nil, nil
	runtime.SetFinalizer(a, nil)
	return nil
}

func (a *Agent) handle() (*C.crmw_agent, error) {
	if a == nil || a.ptr == nil {
		return nil, closedError("Agent")
	}
	return a.ptr, nil
}

// SetBackend installs a backend written in Go (nil removes the backend).
// The library copies the table; the Go value is released when the agent is
// freed or the backend replaced.
func (a *Agent) SetBackend(b Backend) error {
	h, err := a.handle()
	if err != nil {
		return err
	}
	if b == nil {
		err = call(func() C.int { return C.crmw_agent_set_backend(h, nil) })
		if err == nil {
			a.backend, a.builtin = nil, nil
		}
		return err
	}
	st := &backendState{backend: b, agent: h}
	// On failure the library calls destroy, which deletes the handle.
	hd := newHandle(st)
	err = call(func() C.int { return setBackend(h, hd) })
	if err == nil {
		a.backend, a.builtin = st, nil
	}
	runtime.KeepAlive(a)
	return err
}

// SetRegistry makes the agent use reg's tools (nil: back to the built-in
// sets).  The agent borrows reg.
func (a *Agent) SetRegistry(reg *Registry) error {
	h, err := a.handle()
	if err != nil {
		return err
	}
	var rh *C.crmw_registry
	if reg != nil {
		if rh, err = reg.handle(); err != nil {
			return err
		}
	}
	err = call(func() C.int { return C.crmw_agent_set_registry(h, rh) })
	if err == nil {
		a.reg = reg
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(reg)
	return err
}

// SetRole sets the role every episode runs under (crmw_agent_set_role; nil:
// none, the host asking for internal access unless the registry has a base
// role).  A task's context.role only narrows it.  The library keeps its own
// reference: role may be closed afterwards.
func (a *Agent) SetRole(role *Role) error {
	h, err := a.handle()
	if err != nil {
		return err
	}
	rh, err := role.handleOrNil()
	if err != nil {
		return err
	}
	err = call(func() C.int { return C.crmw_agent_set_role(h, rh) })
	runtime.KeepAlive(a)
	runtime.KeepAlive(role)
	return err
}

// SetMemory makes the agent use a shared-memory store (nil: none).  The
// agent borrows m.
func (a *Agent) SetMemory(m *Memory) error {
	h, err := a.handle()
	if err != nil {
		return err
	}
	var mh *C.crmw_memory
	if m != nil {
		if mh, err = m.handle(); err != nil {
			return err
		}
	}
	err = call(func() C.int { return C.crmw_agent_set_memory(h, mh) })
	if err == nil {
		a.mem = m
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(m)
	return err
}

// Cancel ends the episode in progress (and any other session of the agent)
// at its next step with end_reason "canceled".  Safe from any goroutine.
func (a *Agent) Cancel() {
	if a == nil {
		return
	}
	a.mu.RLock()
	if a.ptr != nil {
		C.crmw_agent_cancel(a.ptr)
	}
	a.mu.RUnlock()
}

// Run runs one episode of task (a task record as JSON: a string, []byte or
// marshallable value with at least "query") and returns its trajectory JSON.
func (a *Agent) Run(task interface{}) ([]byte, error) {
	return a.RunContextWith(context.Background(), task, nil)
}

// RunContext is Run with cancellation: when ctx is done, a goroutine calls
// crmw_agent_cancel and the episode ends at its next step with end_reason
// "canceled" (a backend waiting in Complete sees Request.Canceled() turn
// true, and Request.Context() is ctx).
//
// The trajectory is returned whenever the episode ran, also together with
// an error: ctx.Err() when it ended "canceled" because ctx was done, a
// *BackendError when the Go backend failed or panicked, an *Error when the
// library call failed (for example CodeUser when a callback aborted).
func (a *Agent) RunContext(ctx context.Context, task interface{}) ([]byte, error) {
	return a.RunContextWith(ctx, task, nil)
}

// RunContextWith is RunContext with crmw_agent_run's options
// ({"episode_id": "..."}).
func (a *Agent) RunContextWith(ctx context.Context, task interface{}, opts interface{}) ([]byte, error) {
	h, err := a.handle()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := jsonCstr(task)
	if err != nil {
		return nil, err
	}
	defer t.free()
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()

	st := a.backend
	if st != nil {
		st.begin(ctx)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	if ctx.Done() != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ctx.Done():
				C.crmw_agent_cancel(h)
			case <-stop:
			}
		}()
	}
	var b buf
	defer b.dispose()
	runtime.LockOSThread()
	rc := C.crmw_agent_run(b.ptr(), h, t.p, o.p)
	var callErr error
	if rc != 0 {
		callErr = newError(rc)
	}
	runtime.UnlockOSThread()
	close(stop)
	wg.Wait() // the agent outlives the cancel goroutine
	runtime.KeepAlive(a)
	var berr error
	if st != nil {
		berr = st.end()
	}

	traj := b.bytes()
	if callErr != nil {
		return traj, callErr
	}
	if ctx.Err() != nil && EndReason(traj) == "canceled" {
		return traj, ctx.Err()
	}
	if berr != nil {
		return traj, &BackendError{Err: berr}
	}
	return traj, nil
}

// EndReason reads "end_reason" from a trajectory ("" when absent).
func EndReason(trajectory []byte) string {
	var t struct {
		EndReason string `json:"end_reason"`
	}
	_ = json.Unmarshal(trajectory, &t)
	return t.EndReason
}

// ParseModelOutput parses one model output in any tool-call dialect into
// actions (crmw_parse_model_output).
func ParseModelOutput(output string, opts interface{}) ([]byte, error) {
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	s := newCstr(output)
	defer s.free()
	return callBuf(func(b *C.crmw_buf) C.int {
		return C.crmw_parse_model_output(b, s.p, C.size_t(len(output)), o.p)
	})
}
