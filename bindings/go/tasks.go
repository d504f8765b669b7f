package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"runtime"
)

// TaskSet is an ordered list of tasks (crmw_task_set).  It is read-only once
// made and may be shared by goroutines.
type TaskSet struct {
	ptr    *C.crmw_task_set
	report []byte
}

func newTaskSet(h *C.crmw_task_set, report []byte) *TaskSet {
	ts := &TaskSet{ptr: h, report: report}
	runtime.SetFinalizer(ts, (*TaskSet).Close)
	return ts
}

// GenerateTasks synthesises tasks from an org made by Generate.  opts: nil
// or crmw_task_set_generate's options ({"per_family": 2, "seed": 1,
// "families": "all", ...}).
func GenerateTasks(db *DB, opts interface{}) (*TaskSet, error) {
	dh, err := db.handle()
	if err != nil {
		return nil, err
	}
	o, err := jsonCstr(opts)
	if err != nil {
		return nil, err
	}
	defer o.free()
	var h *C.crmw_task_set
	var rep buf
	defer rep.dispose()
	err = call(func() C.int { return C.crmw_task_set_generate(&h, rep.ptr(), dh, o.p) })
	runtime.KeepAlive(db)
	if err != nil {
		return nil, err
	}
	return newTaskSet(h, rep.bytes()), nil
}

// LoadTasks loads a task file (a JSON array or JSONL).
func LoadTasks(path string) (*TaskSet, error) {
	p := newCstr(path)
	defer p.free()
	var h *C.crmw_task_set
	if err := call(func() C.int { return C.crmw_task_set_load(&h, p.p) }); err != nil {
		return nil, err
	}
	return newTaskSet(h, nil), nil
}

// ParseTasks parses tasks from memory (a JSON array or JSONL).
func ParseTasks(data []byte) (*TaskSet, error) {
	var h *C.crmw_task_set
	c := C.CBytes(append(data, 0))
	defer C.free(c)
	if err := call(func() C.int { return C.crmw_task_set_parse(&h, (*C.char)(c), C.size_t(len(data))) }); err != nil {
		return nil, err
	}
	return newTaskSet(h, nil), nil
}

// Close frees the task set.  Calling it again does nothing.  Pools that
// borrow it keep a reference; close them first.
func (ts *TaskSet) Close() error {
	if ts == nil || ts.ptr == nil {
		return nil
	}
	C.crmw_task_set_free(ts.ptr)
	ts.ptr = nil
	runtime.SetFinalizer(ts, nil)
	return nil
}

func (ts *TaskSet) handle() (*C.crmw_task_set, error) {
	if ts == nil || ts.ptr == nil {
		return nil, closedError("TaskSet")
	}
	return ts.ptr, nil
}

// Report is GenerateTasks' per-family report (nil for loaded sets).
func (ts *TaskSet) Report() []byte { return ts.report }

// Count is the number of tasks.
func (ts *TaskSet) Count() int {
	h, err := ts.handle()
	if err != nil {
		return 0
	}
	n := int(C.crmw_task_set_count(h))
	runtime.KeepAlive(ts)
	return n
}

// Get is task i as JSON.
func (ts *TaskSet) Get(i int) ([]byte, error) {
	h, err := ts.handle()
	if err != nil {
		return nil, err
	}
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_task_set_get(b, h, C.int64_t(i)) })
	runtime.KeepAlive(ts)
	return out, err
}

// Find is the index of the task with this "id" (or decimal "idx").
func (ts *TaskSet) Find(id string) (int, error) {
	h, err := ts.handle()
	if err != nil {
		return -1, err
	}
	s := newCstr(id)
	defer s.free()
	var i C.int64_t
	err = call(func() C.int { return C.crmw_task_set_find(&i, h, s.p) })
	runtime.KeepAlive(ts)
	if err != nil {
		return -1, err
	}
	return int(i), nil
}

// Select is a new set of the tasks matching a filter ({"split": "train",
// "families": [...]}).
func (ts *TaskSet) Select(filter interface{}) (*TaskSet, error) {
	h, err := ts.handle()
	if err != nil {
		return nil, err
	}
	f, err := jsonCstr(filter)
	if err != nil {
		return nil, err
	}
	defer f.free()
	var out *C.crmw_task_set
	err = call(func() C.int { return C.crmw_task_set_select(&out, h, f.p) })
	runtime.KeepAlive(ts)
	if err != nil {
		return nil, err
	}
	return newTaskSet(out, nil), nil
}
