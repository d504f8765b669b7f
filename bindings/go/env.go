package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// EnvPool holds what environments share (crmw_env_pool): the org, the agent
// options, the tasks, the memory and worker threads.  Close closes the
// pool's remaining environments first.
type EnvPool struct {
	mu    sync.Mutex
	ptr   *C.crmw_env_pool
	envs  map[*C.crmw_env]struct{} // live environments (raw: no reference to the Go Env)
	tasks *TaskSet
	mem   *Memory
}

// NewEnvPool makes a pool over the org database at orgPath.  opts: nil or
// crmw_env_pool_new's options ({"agent": {...}, "workers": 1, "memory":
// "retrieve"}).
func NewEnvPool(orgPath string, opts interface{}) (*EnvPool, error) {
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	p := newCstr(orgPath)
	defer p.free()
	var h *C.crmw_env_pool
	if err := call(func() C.int { return C.crmw_env_pool_new(&h, p.p, o.p) }); err != nil {
		return nil, err
	}
	pool := &EnvPool{ptr: h, envs: map[*C.crmw_env]struct{}{}}
	runtime.SetFinalizer(pool, (*EnvPool).Close)
	return pool, nil
}

// Close frees the pool's environments, then the pool.  Calling it again does
// nothing.
func (p *EnvPool) Close() error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ptr == nil {
		return nil
	}
	for e := range p.envs {
		C.crmw_env_free(e)
	}
	p.envs = nil
	C.crmw_env_pool_free(p.ptr)
	p.ptr = nil
	p.tasks, p.mem = nil, nil
	runtime.SetFinalizer(p, nil)
	return nil
}

// SetTasks sets the tasks Reset picks from by index or seed.  The pool
// borrows ts.
func (p *EnvPool) SetTasks(ts *TaskSet) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ptr == nil {
		return closedError("EnvPool")
	}
	var th *C.crmw_task_set
	if ts != nil {
		var err error
		if th, err = ts.handle(); err != nil {
			return err
		}
	}
	err := call(func() C.int { return C.crmw_env_pool_set_tasks(p.ptr, th) })
	if err == nil {
		p.tasks = ts
	}
	runtime.KeepAlive(ts)
	return err
}

// SetMemory sets the shared memory of the pool's environments.  The pool
// borrows m.
func (p *EnvPool) SetMemory(m *Memory) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ptr == nil {
		return closedError("EnvPool")
	}
	var mh *C.crmw_memory
	if m != nil {
		var err error
		if mh, err = m.handle(); err != nil {
			return err
		}
	}
	err := call(func() C.int { return C.crmw_env_pool_set_memory(p.ptr, mh) })
	if err == nil {
		p.mem = m
	}
	runtime.KeepAlive(m)
	return err
}

// SetRole sets the role every episode of the pool runs under
// (crmw_env_pool_set_role; nil: none, the host asking for internal access);
// a task's context.role only narrows it.  The library keeps its own
// reference: role may be closed afterwards.
func (p *EnvPool) SetRole(role *Role) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ptr == nil {
		return closedError("EnvPool")
	}
	rh, err := role.handleOrNil()
	if err != nil {
		return err
	}
	err = call(func() C.int { return C.crmw_env_pool_set_role(p.ptr, rh) })
	runtime.KeepAlive(role)
	return err
}

// Env is one environment of a pool (one episode at a time).  Different
// environments may be used from different goroutines at once; one
// environment is used by one goroutine at a time.
type Env struct {
	ptr  *C.crmw_env
	pool *EnvPool
}

// NewEnv makes an environment of the pool, with no episode yet.
func (p *EnvPool) NewEnv() (*Env, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ptr == nil {
		return nil, closedError("EnvPool")
	}
	var h *C.crmw_env
	if err := call(func() C.int { return C.crmw_env_new(&h, p.ptr) }); err != nil {
		return nil, err
	}
	p.envs[h] = struct{}{}
	e := &Env{ptr: h, pool: p}
	runtime.SetFinalizer(e, (*Env).Close)
	return e, nil
}

// Close frees the environment.  Calling it again (or after the pool was
// closed) does nothing.
func (e *Env) Close() error {
	if e == nil || e.ptr == nil {
		return nil
	}
	p := e.pool
	p.mu.Lock()
	if _, ok := p.envs[e.ptr]; ok {
		C.crmw_env_free(e.ptr)
		delete(p.envs, e.ptr)
	}
	p.mu.Unlock()
	e.ptr = nil
	runtime.SetFinalizer(e, nil)
	return nil
}

func (e *Env) handle() (*C.crmw_env, error) {
	if e == nil || e.ptr == nil {
		return nil, closedError("Env")
	}
	e.pool.mu.Lock()
	_, ok := e.pool.envs[e.ptr]
	e.pool.mu.Unlock()
	if !ok {
		return nil, closedError("Env (its pool)")
	}
	return e.ptr, nil
}

// Reset starts an episode: reset is {"index": N}, {"seed": S} or {"task":
// {...}}, with optional "episode_id" and "tools".  It returns the first
// observation {"task_id", "family", "episode_id", "turn", "messages",
// "tools"}.
func (e *Env) Reset(reset interface{}) ([]byte, error) {
	h, err := e.handle()
	if err != nil {
		return nil, err
	}
	r, err := jsonCstr(reset)
	if err != nil {
		return nil, err
	}
	defer r.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_env_reset(b, h, r.p) })
	runtime.KeepAlive(e)
	return out, err
}

// ResetIndex is Reset({"index": i}).
func (e *Env) ResetIndex(i int) ([]byte, error) {
	return e.Reset(map[string]int{"index": i})
}

// Step feeds the model's raw output and returns {"messages", "reward",
// "done", "info"}.
func (e *Env) Step(output string) ([]byte, error) {
	h, err := e.handle()
	if err != nil {
		return nil, err
	}
	s := newCstr(output)
	defer s.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int {
		return C.crmw_env_step(b, h, s.p, C.size_t(len(output)))
	})
	runtime.KeepAlive(e)
	return out, err
}

// StepResult is the decoded result of Step.
type StepResult struct {
	Messages []ChatMessage          `json:"messages"`
	Reward   *float64               `json:"reward"`
	Done     bool                   `json:"done"`
	Info     map[string]interface{} `json:"info"`
}

// StepDecoded is Step with its result decoded.
func (e *Env) StepDecoded(output string) (*StepResult, error) {
	out, err := e.Step(output)
	if err != nil {
		return nil, err
	}
	var r StepResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Trajectory is the episode's trajectory (also before the end).
func (e *Env) Trajectory() ([]byte, error) {
	h, err := e.handle()
	if err != nil {
		return nil, err
	}
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_env_trajectory(b, h) })
	runtime.KeepAlive(e)
	return out, err
}

// StepBatch steps several distinct environments of the pool at once over
// the pool's workers (crmw_env_step_batch): outputs[i] goes to envs[i] and
// results[i] is its step result ("" for a step that failed).  The error is
// the first failure, if any.
func (p *EnvPool) StepBatch(envs []*Env, outputs []string) ([]string, error) {
	if len(envs) != len(outputs) {
		return nil, &Error{Code: CodeInvalid, Name: StatusName(CodeInvalid), Message: "envs and outputs differ in length"}
	}
	n := len(envs)
	if n == 0 {
		return nil, nil
	}
	if p == nil {
		return nil, closedError("EnvPool")
	}
	p.mu.Lock()
	if p.ptr == nil {
		p.mu.Unlock()
		return nil, closedError("EnvPool")
	}
	ph := p.ptr
	hs := make([]*C.crmw_env, n)
	for i, e := range envs {
		var ok bool
		if e != nil && e.ptr != nil && e.pool == p {
			_, ok = p.envs[e.ptr]
		}
		if !ok {
			p.mu.Unlock()
			return nil, closedError(fmt.Sprintf("Env %d (or not of this pool)", i))
		}
		hs[i] = e.ptr
	}
	p.mu.Unlock()

	ptrSize := C.size_t(unsafe.Sizeof(uintptr(0)))
	cenvs := (**C.crmw_env)(C.malloc(C.size_t(n) * ptrSize))
	couts := (**C.char)(C.calloc(C.size_t(n), ptrSize))
	clens := (*C.size_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.size_t(0)))))
	cbufs := (*C.crmw_buf)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.crmw_buf{}))))
	crcs := (*C.int)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.int(0)))))
	envSl := unsafe.Slice(cenvs, n)
	outSl := unsafe.Slice(couts, n)
	lenSl := unsafe.Slice(clens, n)
	bufSl := unsafe.Slice(cbufs, n)
	rcSl := unsafe.Slice(crcs, n)
	defer func() {
		for i := range outSl {
			if outSl[i] != nil {
				C.free(unsafe.Pointer(outSl[i]))
			}
			C.crmw_buf_dispose(&bufSl[i])
		}
		C.free(unsafe.Pointer(cenvs))
		C.free(unsafe.Pointer(couts))
		C.free(unsafe.Pointer(clens))
		C.free(unsafe.Pointer(cbufs))
		C.free(unsafe.Pointer(crcs))
	}()
	for i := range hs {
		envSl[i] = hs[i]
		outSl[i] = C.CString(outputs[i])
		lenSl[i] = C.size_t(len(outputs[i]))
	}
	err := call(func() C.int {
		return C.crmw_env_step_batch(ph, cenvs, couts, clens, cbufs, crcs, C.int32_t(n))
	})
	results := make([]string, n)
	for i := range bufSl {
		if rcSl[i] == 0 && bufSl[i].data != nil {
			results[i] = C.GoStringN(bufSl[i].data, C.int(bufSl[i].len))
		}
	}
	runtime.KeepAlive(p)
	runtime.KeepAlive(envs)
	return results, err
}
