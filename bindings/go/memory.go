package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"runtime"
	"sync"
)

// Memory is an open shared-memory store (crmw_memory): guidelines, plans,
// episodes and facts, searched by similarity.  Unlike the other handles a
// Memory may be shared by goroutines (the library serialises its calls).
type Memory struct {
	mu  sync.RWMutex // guards ptr against Close racing other calls
	ptr *C.crmw_memory
}

// OpenMemory opens (or creates) the store at path.  opts: nil or
// crmw_memory_open's options ({"dim": 384, "create": true, ...}).
func OpenMemory(path string, opts interface{}) (*Memory, error) {
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	p := newCstr(path)
	defer p.free()
	var h *C.crmw_memory
	if err := call(func() C.int { return C.crmw_memory_open(&h, p.p, o.p) }); err != nil {
		return nil, err
	}
	m := &Memory{ptr: h}
	runtime.SetFinalizer(m, (*Memory).Close)
	return m, nil
}

// Close closes the store.  Calling it again does nothing.
func (m *Memory) Close() error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ptr == nil {
		return nil
	}
	C.crmw_memory_free(m.ptr)
	m.ptr = nil
	runtime.SetFinalizer(m, nil)
	return nil
}

func (m *Memory) handle() (*C.crmw_memory, error) {
	if m == nil || m.ptr == nil {
		return nil, closedError("Memory")
	}
	return m.ptr, nil
}

// with runs f with the handle while holding the read lock.
func (m *Memory) with(f func(h *C.crmw_memory) error) error {
	if m == nil {
		return closedError("Memory")
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	h, err := m.handle()
	if err != nil {
		return err
	}
	return f(h)
}

// Add inserts an entry (a JSON object with "text" and optionally "kind",
// "title", "query", "family", "tags", "metadata", ...), embedded with the
// store's embedder.  merged reports that an existing entry absorbed it (id
// is then that entry's).
func (m *Memory) Add(entry interface{}) (id int64, merged bool, err error) {
	e, err := jsonCstr(entry)
	if err != nil {
		return 0, false, err
	}
	defer e.free()
	var cid C.int64_t
	var cm C.int32_t
	err = m.with(func(h *C.crmw_memory) error {
		return call(func() C.int { return C.crmw_memory_add(&cid, &cm, h, e.p, nil, 0) })
	})
	return int64(cid), cm != 0, err
}

// AddText inserts a guideline with only its text.
func (m *Memory) AddText(text string) (int64, bool, error) {
	return m.Add(map[string]interface{}{"text": text})
}

// Search searches by text and returns a JSON array of hits, best first
// ({"id", "score", "kind", "title", "text", ...}).  opts: nil or
// crmw_memory_search's options ({"k": 5, "kind": ..., "min_score": ...}).
func (m *Memory) Search(text string, opts interface{}) ([]byte, error) {
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	t := newCstr(text)
	defer t.free()
	var out []byte
	err = m.with(func(h *C.crmw_memory) error {
		var e error
		out, e = callBuf(func(b *C.crmw_buf) C.int { return C.crmw_memory_search(b, h, t.p, o.p) })
		return e
	})
	return out, err
}

// Get is one entry as JSON.
func (m *Memory) Get(id int64) ([]byte, error) {
	var out []byte
	err := m.with(func(h *C.crmw_memory) error {
		var e error
		out, e = callBuf(func(b *C.crmw_buf) C.int { return C.crmw_memory_get(b, h, C.int64_t(id)) })
		return e
	})
	return out, err
}

// Delete deletes an entry.
func (m *Memory) Delete(id int64) error {
	return m.with(func(h *C.crmw_memory) error {
		return call(func() C.int { return C.crmw_memory_delete(h, C.int64_t(id)) })
	})
}

// Count is the number of entries.
func (m *Memory) Count() (int64, error) {
	var n C.int64_t
	err := m.with(func(h *C.crmw_memory) error {
		return call(func() C.int { return C.crmw_memory_count(&n, h) })
	})
	return int64(n), err
}

// List lists entries as a JSON array (crmw_memory_list options).
func (m *Memory) List(opts interface{}) ([]byte, error) {
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var out []byte
	err = m.with(func(h *C.crmw_memory) error {
		var e error
		out, e = callBuf(func(b *C.crmw_buf) C.int { return C.crmw_memory_list(b, h, o.p) })
		return e
	})
	return out, err
}

// Stats is the store's statistics as JSON.
func (m *Memory) Stats() ([]byte, error) {
	var out []byte
	err := m.with(func(h *C.crmw_memory) error {
		var e error
		out, e = callBuf(func(b *C.crmw_buf) C.int { return C.crmw_memory_stats(b, h) })
		return e
	})
	return out, err
}
