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
	"runtime/debug"
	"sync"
	"unsafe"
)

// Tool-spec formats of Registry.Export (enum crmw_tools_format).
const (
	FormatOpenAI    = 0
	FormatAnthropic = 1
	FormatHermes    = 2
	FormatGBNF      = 3
)

// Registry is a set of tools (crmw_registry): the built-in sets and tools
// written in Go.  A Registry is used by one goroutine at a time; tool
// functions run on the calling goroutine.
type Registry struct {
	ptr  *C.crmw_registry
	dbs  []*DB       // borrowed by the built-in tools
	errs *toolErrors // failures of Go tools, see TakeToolErrors
}

// toolErrors is shared by a registry and its Go tools' handles (which must
// not point at the Registry itself, or it could never be finalized).
type toolErrors struct {
	mu   sync.Mutex
	errs []error
}

// NewRegistry makes an empty registry.
func NewRegistry() (*Registry, error) {
	var h *C.crmw_registry
	if err := call(func() C.int { return C.crmw_registry_new(&h) }); err != nil {
		return nil, err
	}
	r := &Registry{ptr: h, errs: &toolErrors{}}
	runtime.SetFinalizer(r, (*Registry).Close)
	return r, nil
}

// Close frees the registry (and the handles of its Go tools).  Calling it
// again does nothing.
func (r *Registry) Close() error {
	if r == nil || r.ptr == nil {
		return nil
	}
	C.crmw_registry_free(r.ptr)
	r.ptr = nil
	r.dbs = nil
	runtime.SetFinalizer(r, nil)
	return nil
}

func (r *Registry) handle() (*C.crmw_registry, error) {
	if r == nil || r.ptr == nil {
		return nil, closedError("Registry")
	}
	return r.ptr, nil
}

// AddBuiltin adds built-in tool sets ("query", "crmarena", "pro", comma
// separated) over db, which the registry borrows (the registry keeps a
// reference to it; do not Close the DB while the registry is in use).
func (r *Registry) AddBuiltin(sets string, db *DB) error {
	return r.AddBuiltinWith(sets, db, nil)
}

// AddBuiltinWith is AddBuiltin with query options for the tools (their
// "today", time budget and caps).
func (r *Registry) AddBuiltinWith(sets string, db *DB, opts *QueryOptions) error {
	h, err := r.handle()
	if err != nil {
		return err
	}
	var dh *C.crmw_db
	if db != nil {
		if dh, err = db.handle(); err != nil {
			return err
		}
	}
	q, err := opts.c()
	if err != nil {
		return err
	}
	if q != nil {
		defer C.crmw_query_opts_free(q)
	}
	s := newCstr(sets)
	defer s.free()
	err = call(func() C.int { return C.crmw_registry_add_builtin(h, s.p, dh, q) })
	if err == nil && db != nil {
		r.dbs = append(r.dbs, db)
	}
	runtime.KeepAlive(r)
	runtime.KeepAlive(db)
	return err
}

// ToolFunc implements a tool in Go: args is the validated JSON object of
// arguments; the returned bytes (JSON or plain text) are the result.  An
// error (or a panic, which is recovered) is reported to the model as
// TOOL_FAILED with the error's text.
type ToolFunc func(args []byte) ([]byte, error)

// ToolContext is what a tool call runs under (crmw_tool_ctx, copied): the
// name of its role ("" for internal access: no role anywhere), the role's
// bound variables ("account_id", "contact_id", "user_id"), the day
// ("YYYY-MM-DD", "" when the org's own now applies), and the task and
// episode of the agent's episode making the call (InEpisode false and both
// "" for a plain Registry.Call).
type ToolContext struct {
	Role      string
	Bindings  map[string]string
	Today     string
	TaskID    string
	EpisodeID string
	InEpisode bool
}

// Binding is the Id bound to a variable of the call's role, "" when unbound.
func (c *ToolContext) Binding(name string) string {
	return c.Bindings[name]
}

func toolContext(ctx *C.crmw_tool_ctx) *ToolContext {
	c := &ToolContext{Bindings: map[string]string{}}
	if r := C.crmw_tool_ctx_role(ctx); r != nil {
		c.Role = C.GoString(C.crmw_role_name(r))
	}
	for _, k := range []string{"account_id", "contact_id", "user_id"} {
		ks := C.CString(k)
		if v := C.crmw_tool_ctx_binding(ctx, ks); v != nil {
			c.Bindings[k] = C.GoString(v)
		}
		C.free(unsafe.Pointer(ks))
	}
	if v := C.crmw_tool_ctx_today(ctx); v != nil {
		c.Today = C.GoString(v)
	}
	if v := C.crmw_tool_ctx_task_id(ctx); v != nil {
		c.TaskID, c.InEpisode = C.GoString(v), true
	}
	if v := C.crmw_tool_ctx_episode_id(ctx); v != nil {
		c.EpisodeID = C.GoString(v)
	}
	return c
}

// ToolCtxFunc implements a tool in Go that enforces the call's role itself:
// ctx says whom the call is for; otherwise as ToolFunc.
type ToolCtxFunc func(ctx *ToolContext, args []byte) ([]byte, error)

type toolState struct {
	errs  *toolErrors
	name  string
	fn    ToolFunc
	ctxFn ToolCtxFunc
}

func (t *toolState) callCtx(ctx *C.crmw_tool_ctx, args *C.char, n C.size_t, result *C.crmw_buf) C.int {
	c := toolContext(ctx)
	return t.run(args, n, result, func(in []byte) ([]byte, error) { return t.ctxFn(c, in) })
}

func (t *toolState) call(args *C.char, n C.size_t, result *C.crmw_buf) C.int {
	return t.run(args, n, result, t.fn)
}

func (t *toolState) run(args *C.char, n C.size_t, result *C.crmw_buf, fn ToolFunc) (rc C.int) {
	var in []byte
	if args != nil {
		in = C.GoBytes(unsafe.Pointer(args), C.int(n))
	}
	var out []byte
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = &PanicError{Value: p, Stack: debug.Stack()}
			}
		}()
		out, err = fn(in)
	}()
	if err != nil {
		out = []byte(err.Error())
		t.errs.mu.Lock()
		t.errs.errs = append(t.errs.errs, fmt.Errorf("tool %s: %w", t.name, err))
		t.errs.mu.Unlock()
		rc = 1
	}
	setBuf(result, out)
	return rc
}

// setBuf writes data into a library-owned crmw_buf with crmw_buf_set.
func setBuf(b *C.crmw_buf, data []byte) {
	if len(data) == 0 {
		C.crmw_buf_set(b, nil, 0)
		return
	}
	C.crmw_buf_set(b, unsafe.Pointer(&data[0]), C.size_t(len(data)))
}

// Add adds a tool written in Go.  parameters is the JSON Schema of its
// arguments (nil: none; a string, []byte or any marshallable value).
func (r *Registry) Add(name, description string, parameters interface{}, fn ToolFunc) error {
	if fn == nil {
		return &Error{Code: CodeInvalid, Name: StatusName(CodeInvalid), Message: "nil tool function"}
	}
	return r.add(name, description, parameters, &toolState{errs: r.errs, name: name, fn: fn})
}

// AddWithContext adds a tool written in Go that receives the call's context
// (crmw_registry_add_ctx): its role and bindings, the day, the task and the
// episode.  A tool that reads data should enforce ctx's role itself.
func (r *Registry) AddWithContext(name, description string, parameters interface{}, fn ToolCtxFunc) error {
	if fn == nil {
		return &Error{Code: CodeInvalid, Name: StatusName(CodeInvalid), Message: "nil tool function"}
	}
	return r.add(name, description, parameters, &toolState{errs: r.errs, name: name, ctxFn: fn})
}

func (r *Registry) add(name, description string, parameters interface{}, st *toolState) error {
	h, err := r.handle()
	if err != nil {
		return err
	}
	p, err := jsonCstr(parameters)
	if err != nil {
		return err
	}
	defer p.free()
	n := newCstr(name)
	defer n.free()
	d := newCstr(description)
	defer d.free()
	// The library calls shim_release (deleting the handle) when the tool is
	// removed, the registry freed, or adding fails.
	th := newHandle(st)
	if st.ctxFn != nil {
		err = call(func() C.int { return registryAddCtx(h, n.p, d.p, p.p, th) })
	} else {
		err = call(func() C.int { return registryAdd(h, n.p, d.p, p.p, th) })
	}
	runtime.KeepAlive(r)
	return err
}

// SetRole sets the registry's base role (crmw_registry_set_role; nil: no
// role, the host asking for internal access).  Every call runs under it and
// an agent's episodes can only narrow it.  The library keeps its own
// reference: role may be closed afterwards.
func (r *Registry) SetRole(role *Role) error {
	h, err := r.handle()
	if err != nil {
		return err
	}
	rh, err := role.handleOrNil()
	if err != nil {
		return err
	}
	err = call(func() C.int { return C.crmw_registry_set_role(h, rh) })
	runtime.KeepAlive(r)
	runtime.KeepAlive(role)
	return err
}

// RoleName is the name of the registry's base role, "" without one.
func (r *Registry) RoleName() string {
	h, err := r.handle()
	if err != nil {
		return ""
	}
	s := ""
	if rp := C.crmw_registry_role(h); rp != nil {
		s = C.GoString(C.crmw_role_name(rp))
	}
	runtime.KeepAlive(r)
	return s
}

// TakeToolErrors returns (and forgets) the errors and recovered panics of
// Go tools since the last call.
func (r *Registry) TakeToolErrors() []error {
	r.errs.mu.Lock()
	defer r.errs.mu.Unlock()
	e := r.errs.errs
	r.errs.errs = nil
	return e
}

// Remove removes a tool.
func (r *Registry) Remove(name string) error {
	h, err := r.handle()
	if err != nil {
		return err
	}
	n := newCstr(name)
	defer n.free()
	err = call(func() C.int { return C.crmw_registry_remove(h, n.p) })
	runtime.KeepAlive(r)
	return err
}

// Names lists the tools in the order they were added.
func (r *Registry) Names() []string {
	h, err := r.handle()
	if err != nil {
		return nil
	}
	n := int(C.crmw_registry_count(h))
	names := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if p := C.crmw_registry_name(h, C.int32_t(i)); p != nil {
			names = append(names, C.GoString(p))
		}
	}
	runtime.KeepAlive(r)
	return names
}

// Call calls a tool with JSON arguments (nil: {}; a string, []byte or any
// marshallable value) and returns its result.  The result is returned even
// when err is not nil: it is then the JSON error a model would see
// ({"error": {"code": "UNKNOWN_TOOL" | "BAD_JSON" | "INVALID_ARGUMENTS" |
// "TOOL_FAILED", ...}}).
func (r *Registry) Call(name string, args interface{}) ([]byte, error) {
	h, err := r.handle()
	if err != nil {
		return nil, err
	}
	s, ok, err := jsonArg(args)
	if err != nil {
		return nil, err
	}
	if !ok {
		s = "{}"
	}
	a := newCstr(s)
	defer a.free()
	n := newCstr(name)
	defer n.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int {
		return C.crmw_registry_call(b, h, n.p, a.p, C.size_t(len(s)))
	})
	runtime.KeepAlive(r)
	return out, err
}

// CallDecode is Call with the result decoded into v.
func (r *Registry) CallDecode(name string, args interface{}, v interface{}) error {
	out, err := r.Call(name, args)
	if err != nil {
		return err
	}
	return json.Unmarshal(out, v)
}

// Describe is one tool's spec {"name", "description", "parameters"}.
func (r *Registry) Describe(name string) ([]byte, error) {
	h, err := r.handle()
	if err != nil {
		return nil, err
	}
	n := newCstr(name)
	defer n.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_registry_describe(b, h, n.p) })
	runtime.KeepAlive(r)
	return out, err
}

// Export gives every tool's spec in a format (FormatOpenAI, ...).
func (r *Registry) Export(format int) ([]byte, error) {
	h, err := r.handle()
	if err != nil {
		return nil, err
	}
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_registry_export(b, h, C.int32_t(format)) })
	runtime.KeepAlive(r)
	return out, err
}

// SetMaxOutput caps the size of every call's result (0: no cap).
func (r *Registry) SetMaxOutput(bytes int64) error {
	h, err := r.handle()
	if err != nil {
		return err
	}
	err = call(func() C.int { return C.crmw_registry_set_max_output(h, C.int64_t(bytes)) })
	runtime.KeepAlive(r)
	return err
}
