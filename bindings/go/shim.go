package crmweaver

// The C side of Go callbacks.  The userdata of every callback is a
// runtime/cgo.Handle (an integer, never a Go pointer) converted to void *;
// the shims convert it back and call the //export'ed Go functions of
// export.go.  Each table or registration also gets shim_release as its free
// function, which deletes the handle.

/*
#include <stdint.h>
#include <string.h>
#include <crmweaver.h>

extern int crmwGoComplete(crmw_response *resp, crmw_request *req, uintptr_t h);
extern int crmwGoTool(char *args, size_t len, crmw_buf *result, uintptr_t h);
extern int crmwGoToolCtx(crmw_tool_ctx *ctx, char *args, size_t len, crmw_buf *result, uintptr_t h);
extern void crmwGoRelease(uintptr_t h);
extern int crmwGoEmbed(float *out, int32_t dim, char *text, size_t len, uintptr_t h);
extern int crmwGoUser(crmw_buf *reply, char *request_json, uintptr_t h);

static int shim_complete(crmw_response *resp, const crmw_request *req, void *userdata)
{
	return crmwGoComplete(resp, (crmw_request *)req, (uintptr_t)userdata);
}

static int shim_tool(const char *args, size_t len, crmw_buf *result, void *userdata)
{
	return crmwGoTool((char *)args, len, result, (uintptr_t)userdata);
}

static int shim_tool_ctx(const crmw_tool_ctx *ctx, const char *args, size_t len, crmw_buf *result, void *userdata)
{
	return crmwGoToolCtx((crmw_tool_ctx *)ctx, (char *)args, len, result, (uintptr_t)userdata);
}

static void shim_release(void *userdata)
{
	crmwGoRelease((uintptr_t)userdata);
}

static int shim_embed(float *out, int32_t dim, const char *text, size_t len, void *userdata)
{
	return crmwGoEmbed(out, dim, (char *)text, len, (uintptr_t)userdata);
}

static int shim_user(crmw_buf *reply, const char *request_json, void *userdata)
{
	return crmwGoUser(reply, (char *)request_json, (uintptr_t)userdata);
}

// Install a Go embedder; the library calls shim_release when it is
// replaced, the memory freed, or the call fails.
static int crmwgo_memory_set_embedder(crmw_memory *m, const char *name, int32_t dim, uintptr_t h)
{
	return crmw_memory_set_embedder(m, name, dim, shim_embed, (void *)h, shim_release);
}

// Install a Go simulated user (released as the embedder is).
static int crmwgo_agent_set_user(crmw_agent *a, uintptr_t h)
{
	return crmw_agent_set_user(a, shim_user, (void *)h, shim_release);
}

// Install a Go backend: the table is filled here (no Go memory involved)
// and copied by the library, which calls shim_release on failure or when
// the last agent using it is freed.
static int crmwgo_set_backend(crmw_agent *a, uintptr_t h)
{
	crmw_backend b;
	memset(&b, 0, sizeof b);
	b.struct_size = (uint32_t)sizeof b;
	b.version = CRMW_BACKEND_VERSION;
	b.userdata = (void *)h;
	b.complete = shim_complete;
	b.destroy = shim_release;
	return crmw_agent_set_backend(a, &b);
}

static int crmwgo_registry_add(crmw_registry *reg, const char *name, const char *description,
			       const char *parameters_json, uintptr_t h)
{
	return crmw_registry_add(reg, name, description, parameters_json, shim_tool, (void *)h, shim_release);
}

static int crmwgo_registry_add_ctx(crmw_registry *reg, const char *name, const char *description,
				   const char *parameters_json, uintptr_t h)
{
	return crmw_registry_add_ctx(reg, name, description, parameters_json, shim_tool_ctx, (void *)h, shim_release);
}
*/
import "C"

import (
	"runtime/cgo"
)

func setBackend(a *C.crmw_agent, h cgo.Handle) C.int {
	return C.crmwgo_set_backend(a, C.uintptr_t(h))
}

func registryAdd(reg *C.crmw_registry, name, description, params *C.char, h cgo.Handle) C.int {
	return C.crmwgo_registry_add(reg, name, description, params, C.uintptr_t(h))
}

func registryAddCtx(reg *C.crmw_registry, name, description, params *C.char, h cgo.Handle) C.int {
	return C.crmwgo_registry_add_ctx(reg, name, description, params, C.uintptr_t(h))
}

func memorySetEmbedder(m *C.crmw_memory, name *C.char, dim C.int32_t, h cgo.Handle) C.int {
	return C.crmwgo_memory_set_embedder(m, name, dim, C.uintptr_t(h))
}

func agentSetUser(a *C.crmw_agent, h cgo.Handle) C.int {
	return C.crmwgo_agent_set_user(a, C.uintptr_t(h))
}
