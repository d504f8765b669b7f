package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"
	"unsafe"
)

// Backend is a model backend written in Go.  Complete answers one model call
// of an episode.  It runs on the goroutine that called Agent.Run (never on a
// hidden thread) and must not call back into the same Agent.
//
// Returning an error, or panicking (the panic is recovered), ends the
// episode with end_reason "backend_error"; Agent.Run then returns the
// trajectory together with a *BackendError wrapping it.
type Backend interface {
	Complete(req Request) (Response, error)
}

// BackendFunc adapts a function to the Backend interface.
type BackendFunc func(req Request) (Response, error)

// Complete calls f(req).
func (f BackendFunc) Complete(req Request) (Response, error) { return f(req) }

// Request is one model call (crmw_request).  It is valid only during the
// Complete call it was passed to; afterwards its methods return zero values.
type Request interface {
	// JSON is the request: an OpenAI chat-completions envelope
	// {"schema_version", "purpose", "messages", "tools"?, "tool_choice"?,
	// "max_tokens", "stop"?, "metadata"} (docs/backend.md).
	JSON() []byte
	// Purpose is "chat" (a turn of the episode) or "distill".
	Purpose() string
	// Task is the episode's task as the agent sees it (without its answer
	// and gold program), or nil when the request belongs to no episode.
	Task() []byte
	// Canceled reports whether the episode was canceled (Agent.Cancel, or
	// the context of RunContext) since the request was made: a backend that
	// waits may poll it and give up.
	Canceled() bool
	// Context is the context of the RunContext call (Background for Run).
	Context() context.Context
}

// Response is a backend's answer.  Set one of Text (the model's raw text in
// any tool-call dialect), Message (an assistant message as JSON: an OpenAI
// message object or Anthropic content) or Abstain.  An empty Response is an
// empty text answer.
type Response struct {
	Text          string
	Message       []byte
	Abstain       bool   // decline: the episode ends with end_reason "abstained"
	AbstainReason string // with Abstain
	// Token counts the model reported (0, 0: none).
	PromptTokens     int64
	CompletionTokens int64
}

// TextResponse is a Response with raw model text.
func TextResponse(text string) Response { return Response{Text: text} }

// MessageResponse is a Response with an assistant message as JSON.
func MessageResponse(message []byte) Response { return Response{Message: message} }

// PanicError is a panic recovered from a Go backend or tool.
type PanicError struct {
	Value interface{}
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// BackendError is returned by Agent.Run when the Go backend failed (returned
// an error or panicked) during the episode; the trajectory is returned with
// it (end_reason "backend_error").
type BackendError struct {
	Err error
}

func (e *BackendError) Error() string { return "crmweaver: backend failed: " + e.Err.Error() }
func (e *BackendError) Unwrap() error { return e.Err }

// request implements Request over a borrowed crmw_request.
type request struct {
	ptr *C.crmw_request
	ctx context.Context
}

func (r *request) JSON() []byte {
	if r.ptr == nil {
		return nil
	}
	var n C.size_t
	p := C.crmw_request_json(r.ptr, &n)
	if p == nil {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

func (r *request) Task() []byte {
	if r.ptr == nil {
		return nil
	}
	var n C.size_t
	p := C.crmw_request_task(r.ptr, &n)
	if p == nil {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

func (r *request) Purpose() string {
	if r.ptr == nil {
		return ""
	}
	p := C.crmw_request_purpose(r.ptr)
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

func (r *request) Canceled() bool {
	if r.ptr == nil {
		return r.ctx.Err() != nil
	}
	return C.crmw_request_canceled(r.ptr) != 0 || r.ctx.Err() != nil
}

func (r *request) Context() context.Context { return r.ctx }

// ChatMessage is one message of a request, in OpenAI's shape.
type ChatMessage struct {
	Role       string            `json:"role"`
	Content    interface{}       `json:"content"`
	ToolCalls  []json.RawMessage `json:"tool_calls,omitempty"`
	ToolCallID string            `json:"tool_call_id,omitempty"`
	Name       string            `json:"name,omitempty"`
}

// ChatRequest is the decoded request envelope (unknown keys are ignored).
type ChatRequest struct {
	SchemaVersion int                    `json:"schema_version"`
	Purpose       string                 `json:"purpose"`
	Messages      []ChatMessage          `json:"messages"`
	Tools         []json.RawMessage      `json:"tools"`
	MaxTokens     int                    `json:"max_tokens"`
	Stop          []string               `json:"stop"`
	Metadata      map[string]interface{} `json:"metadata"`
}

// ParseRequest decodes a request's JSON.
func ParseRequest(req Request) (*ChatRequest, error) {
	var c ChatRequest
	if err := json.Unmarshal(req.JSON(), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// backendState is what the cgo.Handle of an installed backend refers to.
// It must not point at the Go Agent (the handle would keep it alive).
type backendState struct {
	backend Backend
	agent   *C.crmw_agent // to re-cancel when the context is already done

	mu  sync.Mutex
	ctx context.Context
	err error // the first failure of the Go backend in the current run
}

func (st *backendState) begin(ctx context.Context) {
	st.mu.Lock()
	st.ctx = ctx
	st.err = nil
	st.mu.Unlock()
}

func (st *backendState) end() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	err := st.err
	st.ctx = nil
	st.err = nil
	return err
}

func (st *backendState) fail(err error) {
	st.mu.Lock()
	if st.err == nil {
		st.err = err
	}
	st.mu.Unlock()
}

// complete runs on the thread of crmw_agent_run; it never lets a panic
// unwind into C.
func (st *backendState) complete(resp *C.crmw_response, req *C.crmw_request) C.int {
	st.mu.Lock()
	ctx := st.ctx
	st.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil && st.agent != nil {
		// The context ended before the session existed to be canceled.
		C.crmw_agent_cancel(st.agent)
	}
	r := &request{ptr: req, ctx: ctx}
	defer func() { r.ptr = nil }()

	var res Response
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = &PanicError{Value: p, Stack: debug.Stack()}
			}
		}()
		res, err = st.backend.Complete(r)
	}()
	if ctx.Err() != nil && st.agent != nil {
		// The backend may have seen ctx end before the cancel goroutine
		// reached crmw_agent_cancel: cancel now, so that the episode ends
		// "canceled" rather than by what the backend answered.
		C.crmw_agent_cancel(st.agent)
	}
	if err != nil {
		st.fail(err)
		setResponseError(resp, "go backend: "+err.Error())
		return 0
	}
	if res.PromptTokens != 0 || res.CompletionTokens != 0 {
		C.crmw_response_set_usage(resp, C.int64_t(res.PromptTokens), C.int64_t(res.CompletionTokens))
	}
	var rc C.int
	switch {
	case res.Abstain:
		var reason *C.char
		if res.AbstainReason != "" {
			reason = C.CString(res.AbstainReason)
			defer C.free(unsafe.Pointer(reason))
		}
		rc = C.crmw_response_set_abstain(resp, reason)
	case res.Message != nil:
		rc = setWithBytes(res.Message, func(p *C.char, n C.size_t) C.int {
			return C.crmw_response_set_message(resp, p, n)
		})
	default:
		rc = setWithBytes([]byte(res.Text), func(p *C.char, n C.size_t) C.int {
			return C.crmw_response_set_text(resp, p, n)
		})
	}
	if rc != 0 {
		e := &Error{Code: int(rc), Name: StatusName(int(rc)), Message: C.GoString(C.crmw_last_error())}
		st.fail(e)
		setResponseError(resp, "go backend: unusable response: "+e.Error())
	}
	return 0
}

func setResponseError(resp *C.crmw_response, msg string) {
	m := C.CString(msg)
	C.crmw_response_set_error(resp, m)
	C.free(unsafe.Pointer(m))
}

// setWithBytes passes data as (const char *, size_t); C copies it.
func setWithBytes(data []byte, f func(p *C.char, n C.size_t) C.int) C.int {
	if len(data) == 0 {
		var z C.char
		return f(&z, 0)
	}
	return f((*C.char)(unsafe.Pointer(&data[0])), C.size_t(len(data)))
}
