package crmweaver

// The Go functions the C shims of shim.go call.  This file's preamble holds
// declarations only, as cgo requires of files with //export.

/*
#include <stdint.h>
#include <crmweaver.h>
*/
import "C"

import (
	"runtime/cgo"
	"sync/atomic"
)

// liveHandles counts the cgo.Handles given to the library and not yet
// released (for the tests).
var liveHandles int64

func newHandle(v interface{}) cgo.Handle {
	atomic.AddInt64(&liveHandles, 1)
	return cgo.NewHandle(v)
}

//export crmwGoComplete
func crmwGoComplete(resp *C.crmw_response, req *C.crmw_request, h C.uintptr_t) C.int {
	st, ok := cgo.Handle(h).Value().(*backendState)
	if !ok {
		return 1
	}
	return st.complete(resp, req)
}

//export crmwGoTool
func crmwGoTool(args *C.char, n C.size_t, result *C.crmw_buf, h C.uintptr_t) C.int {
	t, ok := cgo.Handle(h).Value().(*toolState)
	if !ok {
		return 1
	}
	return t.call(args, n, result)
}

//export crmwGoToolCtx
func crmwGoToolCtx(ctx *C.crmw_tool_ctx, args *C.char, n C.size_t, result *C.crmw_buf, h C.uintptr_t) C.int {
	t, ok := cgo.Handle(h).Value().(*toolState)
	if !ok {
		return 1
	}
	return t.callCtx(ctx, args, n, result)
}

//export crmwGoEmbed
func crmwGoEmbed(out *C.float, dim C.int32_t, text *C.char, n C.size_t, h C.uintptr_t) C.int {
	e, ok := cgo.Handle(h).Value().(*embedderState)
	if !ok {
		return 1
	}
	return e.embed(out, dim, text, n)
}

//export crmwGoUser
func crmwGoUser(reply *C.crmw_buf, req *C.char, h C.uintptr_t) C.int {
	u, ok := cgo.Handle(h).Value().(*userState)
	if !ok {
		return 1
	}
	return u.reply(reply, req)
}

//export crmwGoRelease
func crmwGoRelease(h C.uintptr_t) {
	if h != 0 {
		cgo.Handle(h).Delete()
		atomic.AddInt64(&liveHandles, -1)
	}
}
