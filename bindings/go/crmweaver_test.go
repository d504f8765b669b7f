package crmweaver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var (
	tmpDir  string
	orgPath string
)

// TestMain generates one small org shared by the tests.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		d, err := os.MkdirTemp("", "crmweaver-go-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(d)
		tmpDir = d
		orgPath = filepath.Join(d, "org.db")
		if err := Generate(orgPath, map[string]interface{}{"profile": "b2b", "seed": 1, "scale": 0.1}); err != nil {
			fmt.Fprintln(os.Stderr, "generate:", err)
			return 1
		}
		return m.Run()
	}())
}

func openOrg(t *testing.T) *DB {
	t.Helper()
	db, err := Open(orgPath)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func decode(t *testing.T, data []byte) map[string]interface{} {
	t.Helper()
	var m map[string]interface{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("bad JSON %q: %v", data, err)
	}
	return m
}

func TestVersion(t *testing.T) {
	if v := Version(); v == "" || strings.Count(v, ".") != 2 {
		t.Fatalf("Version() = %q", v)
	}
	if StatusName(CodeNotFound) != "CRMW_ENOTFOUND" {
		t.Fatalf("StatusName(-4) = %q", StatusName(CodeNotFound))
	}
	if _, err := FeaturesJSON(); err != nil {
		t.Fatal(err)
	}
}

func TestQuery(t *testing.T) {
	db := openOrg(t)
	recs, err := db.QueryRecords("SELECT Id, Subject FROM Case LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	for _, r := range recs {
		if _, ok := r["Id"].(string); !ok {
			t.Fatalf("record without Id: %v", r)
		}
		if _, ok := r["Subject"]; !ok {
			t.Fatalf("record without Subject: %v", r)
		}
	}
	v, err := db.QueryValue("SELECT Id FROM Case LIMIT 2")
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := v.([]interface{}); !ok || len(l) != 2 {
		t.Fatalf("QueryValue = %#v", v)
	}
}

func TestQueryError(t *testing.T) {
	db := openOrg(t)
	_, err := db.Query("SELECT Nmae FROM Account")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if e.Code != CodeQuery || e.Name != "CRMW_EQUERY" || !IsQuery(err) || !errors.Is(err, ErrQuery) {
		t.Fatalf("bad error %#v", e)
	}
	t.Logf("bad SOQL: %v", err)
	if !strings.Contains(e.Message, "INVALID_FIELD") {
		t.Fatalf("message %q lacks INVALID_FIELD", e.Message)
	}
	if _, err := db.Query("SELEC Id FROM"); !IsQuery(err) {
		t.Fatalf("malformed query: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	missing := filepath.Join(tmpDir, "no-such-org.db")
	db, err := Open(missing)
	if db != nil || err == nil {
		t.Fatal("opening a missing file succeeded")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T", err)
	}
	t.Logf("open missing: %v", err)
	if e.Name != "CRMW_ENOTFOUND" && e.Name != "CRMW_EIO" {
		t.Fatalf("Name = %q", e.Name)
	}
	if e.Name == "CRMW_ENOTFOUND" && !IsNotFound(err) {
		t.Fatal("IsNotFound false")
	}
	if !strings.Contains(e.Message, missing) {
		t.Fatalf("message %q does not name %s", e.Message, missing)
	}
	if !strings.Contains(err.Error(), e.Name) {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestCloseTwice(t *testing.T) {
	db, err := Open(orgPath)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	mem, err := OpenMemory(filepath.Join(t.TempDir(), "m.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ag, err := NewAgent(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		for _, c := range []interface{ Close() error }{ag, reg, mem, db} {
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Query("SELECT Id FROM Case LIMIT 1"); !IsState(err) {
		t.Fatalf("query on a closed DB: %v", err)
	}
	if _, err := ag.Run(`{"query": "x"}`); !IsState(err) {
		t.Fatalf("run on a closed agent: %v", err)
	}
	var nilDB *DB
	if err := nilDB.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestToolCall(t *testing.T) {
	db := openOrg(t)
	reg, err := NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if err := reg.AddBuiltin("query,crmarena", db); err != nil {
		t.Fatal(err)
	}
	if len(reg.Names()) < 10 {
		t.Fatalf("few tools: %v", reg.Names())
	}
	out, err := reg.Call("get_period", map[string]interface{}{"period_name": "Q1", "year": 2024})
	if err != nil {
		t.Fatalf("get_period: %v (%s)", err, out)
	}
	if got := decode(t, out)["start_date"]; got != "2024-01-01T00:00:00Z" {
		t.Fatalf("start_date = %v in %s", got, out)
	}
	out, err = reg.Call("no_such_tool", nil)
	if err == nil || !strings.Contains(string(out), "UNKNOWN_TOOL") {
		t.Fatalf("unknown tool: %v %s", err, out)
	}
}

func TestGoTool(t *testing.T) {
	reg, err := NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	schema := `{"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}`
	err = reg.Add("double", "Doubles x.", schema, func(args []byte) ([]byte, error) {
		var a struct{ X int }
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		if a.X < 0 {
			panic("negative")
		}
		return []byte(fmt.Sprintf(`{"y": %d}`, 2*a.X)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := reg.Call("double", `{"x": 21}`)
	if err != nil || decode(t, out)["y"] != 42.0 {
		t.Fatalf("double: %v %s", err, out)
	}
	out, err = reg.Call("double", `{"x": -1}`)
	if err == nil || !strings.Contains(string(out), "TOOL_FAILED") {
		t.Fatalf("panicking tool: %v %s", err, out)
	}
	if errs := reg.TakeToolErrors(); len(errs) != 1 {
		t.Fatalf("tool errors: %v", errs)
	} else {
		var p *PanicError
		if !errors.As(errs[0], &p) {
			t.Fatalf("not a PanicError: %v", errs[0])
		}
	}
	if _, err := reg.Call("double", `{"x": "a"}`); !IsInvalid(err) {
		t.Fatalf("invalid arguments: %v", err)
	}
}

func TestMemory(t *testing.T) {
	mem, err := OpenMemory(filepath.Join(t.TempDir(), "mem.db"), map[string]interface{}{"dim": 128})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	text := "To find the quarter's start date, call get_period with the quarter name and year."
	id, merged, err := mem.Add(map[string]interface{}{"text": text, "kind": "guideline"})
	if err != nil || merged || id <= 0 {
		t.Fatalf("Add: %d %v %v", id, merged, err)
	}
	if _, _, err := mem.AddText("Escalate cases about defective products to the product team."); err != nil {
		t.Fatal(err)
	}
	if n, err := mem.Count(); err != nil || n != 2 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	out, err := mem.Search("start date of a quarter", map[string]interface{}{"k": 2})
	if err != nil {
		t.Fatal(err)
	}
	var hits []struct {
		ID    int64   `json:"id"`
		Text  string  `json:"text"`
		Score float64 `json:"score"`
	}
	if err := json.Unmarshal(out, &hits); err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID != id || hits[0].Text != text {
		t.Fatalf("search: %s", out)
	}
	if _, _, err := mem.Add(`{"text": ""}`); !IsInvalid(err) {
		t.Fatalf("empty text: %v", err)
	}
}

// scripted answers with a Hermes tool call, then (after seeing the tool
// result) a plain-text answer.
func scripted(calls *int32) BackendFunc {
	return func(req Request) (Response, error) {
		n := atomic.AddInt32(calls, 1)
		if req.Purpose() != "chat" {
			return Response{}, fmt.Errorf("purpose %q", req.Purpose())
		}
		c, err := ParseRequest(req)
		if err != nil {
			return Response{}, err
		}
		for _, m := range c.Messages {
			if m.Role == "tool" {
				return TextResponse("Q1 2024 starts on 2024-01-01."), nil
			}
		}
		if n > 1 {
			return Response{}, errors.New("no tool result after the tool call")
		}
		return TextResponse(`<tool_call>{"name": "get_period", "arguments": {"period_name": "Q1", "year": 2024}}</tool_call>`), nil
	}
}

type trajectory struct {
	EndReason string            `json:"end_reason"`
	Turns     int               `json:"turns"`
	Answer    interface{}       `json:"answer"`
	Error     interface{}       `json:"error"`
	Messages  []json.RawMessage `json:"messages"`
	Done      bool              `json:"done"`
}

func parseTraj(t *testing.T, data []byte) trajectory {
	t.Helper()
	var tr trajectory
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatalf("bad trajectory %q: %v", data, err)
	}
	return tr
}

const testTask = `{"id": "go-q1", "query": "When does Q1 2024 start?"}`

func TestAgentEpisode(t *testing.T) {
	db := openOrg(t)
	ag, err := NewAgent(db, map[string]interface{}{"max_turns": 5})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	if _, err := ag.Run(testTask); !IsState(err) {
		t.Fatalf("run without a backend: %v", err)
	}
	var calls int32
	if err := ag.SetBackend(scripted(&calls)); err != nil {
		t.Fatal(err)
	}
	out, err := ag.Run(testTask)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	tr := parseTraj(t, out)
	if tr.EndReason != "answered" || tr.Turns != 2 || !tr.Done {
		t.Fatalf("end_reason %q turns %d: %s", tr.EndReason, tr.Turns, out)
	}
	if !strings.Contains(fmt.Sprint(tr.Answer), "2024-01-01") {
		t.Fatalf("answer %v", tr.Answer)
	}
	if !strings.Contains(string(out), "2024-01-01T00:00:00Z") {
		t.Fatal("the tool result is not in the trajectory")
	}
	if calls != 2 {
		t.Fatalf("backend called %d times", calls)
	}
}

func TestAgentMessageResponse(t *testing.T) {
	db := openOrg(t)
	ag, err := NewAgent(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		if req.Task() == nil {
			return Response{}, errors.New("no task")
		}
		return MessageResponse([]byte(`{"role": "assistant", "content": "It starts on 2024-01-01."}`)), nil
	}))
	out, err := ag.Run(testTask)
	if err != nil {
		t.Fatal(err)
	}
	if tr := parseTraj(t, out); tr.EndReason != "answered" || tr.Turns != 1 {
		t.Fatalf("%s", out)
	}
}

func TestBackendPanic(t *testing.T) {
	db := openOrg(t)
	ag, err := NewAgent(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		panic("model exploded")
	}))
	out, err := ag.Run(testTask)
	var be *BackendError
	if !errors.As(err, &be) {
		t.Fatalf("want *BackendError, got %T %v", err, err)
	}
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "model exploded" {
		t.Fatalf("want the panic, got %v", err)
	}
	tr := parseTraj(t, out)
	if tr.EndReason != "backend_error" {
		t.Fatalf("end_reason %q: %s", tr.EndReason, out)
	}
	if !strings.Contains(string(out), "model exploded") {
		t.Fatalf("the panic message is not in the trajectory: %s", out)
	}

	// A returned error behaves the same, and the agent stays usable.
	boom := errors.New("rate limited")
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) { return Response{}, boom }))
	out, err = ag.Run(testTask)
	if !errors.Is(err, boom) || EndReason(out) != "backend_error" {
		t.Fatalf("returned error: %v %s", err, out)
	}
	var calls int32
	ag.SetBackend(scripted(&calls))
	if out, err = ag.Run(testTask); err != nil || EndReason(out) != "answered" {
		t.Fatalf("after failures: %v %s", err, out)
	}
}

func TestRunContextCancel(t *testing.T) {
	db := openOrg(t)
	ag, err := NewAgent(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	var sawCancel int32
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		deadline := time.Now().Add(10 * time.Second)
		for !req.Canceled() {
			if time.Now().After(deadline) {
				return Response{}, errors.New("never canceled")
			}
			time.Sleep(2 * time.Millisecond)
		}
		atomic.StoreInt32(&sawCancel, 1)
		return TextResponse("too late"), nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	out, err := ag.RunContext(ctx, testTask)
	elapsed := time.Since(start)
	if elapsed > time.Second {
		t.Fatalf("took %v", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if tr := parseTraj(t, out); tr.EndReason != "canceled" {
		t.Fatalf("end_reason %q: %s", tr.EndReason, out)
	}
	t.Logf("canceled after %v", elapsed)
	if atomic.LoadInt32(&sawCancel) != 1 {
		t.Fatal("the backend did not see the cancellation")
	}

	// A context done before the run starts fails at once.
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := ag.RunContext(done, testTask); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-canceled: %v", err)
	}

	// Later runs with a live context are not affected.
	var calls int32
	ag.SetBackend(scripted(&calls))
	if out, err = ag.RunContext(context.Background(), testTask); err != nil || EndReason(out) != "answered" {
		t.Fatalf("after cancel: %v %s", err, out)
	}
}

func TestRunContextBackendWaitsOnContext(t *testing.T) {
	db := openOrg(t)
	ag, err := NewAgent(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		select {
		case <-req.Context().Done():
			return Response{}, req.Context().Err()
		case <-time.After(10 * time.Second):
			return TextResponse("late"), nil
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	out, err := ag.RunContext(ctx, testTask)
	if time.Since(start) > time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	if !errors.Is(err, context.Canceled) || EndReason(out) != "canceled" {
		t.Fatalf("err %v, end_reason %q: %s", err, EndReason(out), out)
	}
}

func TestTasksAndEnv(t *testing.T) {
	db := openOrg(t)
	ts, err := GenerateTasks(db, map[string]interface{}{"per_family": 2, "seed": 1})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	n := ts.Count()
	if n == 0 {
		t.Fatal("no tasks")
	}
	task, err := ts.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	tm := decode(t, task)
	if _, ok := tm["query"].(string); !ok {
		t.Fatalf("task without query: %s", task)
	}
	if _, err := ts.Get(n + 5); !IsInvalid(err) {
		t.Fatalf("out of range: %v", err)
	}

	pool, err := NewEnvPool(orgPath, map[string]interface{}{"workers": 0})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.SetTasks(ts); err != nil {
		t.Fatal(err)
	}
	env, err := pool.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	obs, err := env.Reset(map[string]interface{}{"index": 0})
	if err != nil {
		t.Fatal(err)
	}
	om := decode(t, obs)
	if msgs, ok := om["messages"].([]interface{}); !ok || len(msgs) != 2 {
		t.Fatalf("observation: %s", obs)
	}
	if om["task_id"] != tm["id"] {
		t.Fatalf("task_id %v, want %v", om["task_id"], tm["id"])
	}
	step, err := env.StepDecoded(`<tool_call>{"name": "get_period", "arguments": {"period_name": "Q1", "year": 2024}}</tool_call>`)
	if err != nil {
		t.Fatal(err)
	}
	if step.Done {
		t.Fatal("done after one tool call")
	}
	var sawTool bool
	for _, m := range step.Messages {
		if m.Role == "tool" && strings.Contains(fmt.Sprint(m.Content), "2024-01-01T00:00:00Z") {
			sawTool = true
		}
	}
	if !sawTool || len(step.Messages) < 2 || step.Messages[0].Role != "assistant" {
		t.Fatalf("step messages: %+v", step.Messages)
	}
	if _, err := env.Trajectory(); err != nil {
		t.Fatal(err)
	}

	// Closing the pool first frees its environments; Close stays idempotent.
	env2, err := pool.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	if _, err := env2.Step("hello"); !IsState(err) {
		t.Fatalf("step after the pool closed: %v", err)
	}
	env2.Close()
	env.Close()
	pool.Close()
}

func TestGroupStats(t *testing.T) {
	mean, std, adv, err := GroupStats([]float64{1, 0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if mean != 0.5 || std != 0.5 || len(adv) != 4 || adv[0] <= 0 || adv[1] >= 0 {
		t.Fatalf("%v %v %v", mean, std, adv)
	}
}

// TestFinalizers drops handles without closing them and lets the garbage
// collector free them (run under the race-free default build: a crash or a
// leak of the backend handle would show here).
func TestFinalizers(t *testing.T) {
	before := atomic.LoadInt64(&liveHandles)
	for i := 0; i < 3; i++ {
		db, err := Open(orgPath)
		if err != nil {
			t.Fatal(err)
		}
		ag, err := NewAgent(db, nil)
		if err != nil {
			t.Fatal(err)
		}
		var calls int32
		ag.SetBackend(scripted(&calls))
		if _, err := ag.Run(testTask); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50 && atomic.LoadInt64(&liveHandles) > before; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := atomic.LoadInt64(&liveHandles); n > before {
		t.Fatalf("%d backend handles not released by the finalizers", n-before)
	}
}

// TestHandlesReleased checks that closing an agent or a registry releases
// the cgo.Handles of its Go backend and tools (the library calls destroy).
func TestHandlesReleased(t *testing.T) {
	before := atomic.LoadInt64(&liveHandles)
	db := openOrg(t)
	ag, err := NewAgent(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls int32
	if err := ag.SetBackend(scripted(&calls)); err != nil {
		t.Fatal(err)
	}
	if err := ag.SetBackend(scripted(&calls)); err != nil { // replaces the first
		t.Fatal(err)
	}
	reg, err := NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	reg.Add("noop", "Does nothing.", nil, func([]byte) ([]byte, error) { return []byte("{}"), nil })
	if err := reg.Add("noop", "Again.", nil, func([]byte) ([]byte, error) { return nil, nil }); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate tool: %v", err)
	}
	if got := atomic.LoadInt64(&liveHandles) - before; got < 2 || got > 3 {
		t.Fatalf("%d live handles", got)
	}
	ag.Close()
	reg.Close()
	if n := atomic.LoadInt64(&liveHandles); n != before {
		t.Fatalf("%d handles leaked", n-before)
	}
}

func TestQueryOptions(t *testing.T) {
	db := openOrg(t)
	if db.Now() == "" {
		t.Fatal("the generated org has no now")
	}
	n, err := db.Count("Case")
	if err != nil || n < 3 {
		t.Fatalf("Count(Case) = %d, %v", n, err)
	}
	_, err = db.QueryWith("SELECT Id FROM Case", &QueryOptions{MaxRows: 2})
	if ErrorCode(err) != CodeLimit {
		t.Fatalf("row cap: %v", err)
	}
	if _, err := db.QueryWith("SELECT Id FROM Case LIMIT 1", &QueryOptions{Today: "not a date"}); !IsInvalid(err) {
		t.Fatalf("bad today: %v", err)
	}
}

// TestEnvsConcurrently steps environments of one pool from several
// goroutines at once.
func TestEnvsConcurrently(t *testing.T) {
	db := openOrg(t)
	ts, err := GenerateTasks(db, map[string]interface{}{"per_family": 2, "seed": 1})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	pool, err := NewEnvPool(orgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.SetTasks(ts); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			env, err := pool.NewEnv()
			if err != nil {
				errs <- err
				return
			}
			defer env.Close()
			for i := 0; i < 3; i++ {
				if _, err := env.ResetIndex(g + i); err != nil {
					errs <- err
					return
				}
				r, err := env.StepDecoded(`<tool_call>{"name": "get_period", "arguments": {"period_name": "Q2", "year": 2023}}</tool_call>`)
				if err != nil {
					errs <- err
					return
				}
				if r.Done {
					errs <- fmt.Errorf("env %d: done after a tool call", g)
					return
				}
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// Built-in backends, StepBatch, records, roles, schema, host embedder and
// simulated user.

func genTasks(t *testing.T, db *DB) *TaskSet {
	t.Helper()
	ts, err := GenerateTasks(db, map[string]interface{}{"per_family": 2, "seed": 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Close() })
	if ts.Count() == 0 {
		t.Fatal("no tasks")
	}
	return ts
}

func TestMemoryPolicyBackendAbstains(t *testing.T) {
	db := openOrg(t)
	mem, err := OpenMemory(filepath.Join(t.TempDir(), "mem.db"), map[string]interface{}{"dim": 64})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	b, err := MemoryPolicyBackend(mem, nil, `{"k": 3}`)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ag, err := NewAgent(db, map[string]interface{}{"max_turns": 5})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	if err := ag.SetBuiltinBackend(b); err != nil {
		t.Fatal(err)
	}
	if !b.Installed() {
		t.Fatal("not marked installed")
	}
	if err := ag.SetBuiltinBackend(b); !IsState(err) {
		t.Fatalf("second install: %v", err)
	}
	out, err := ag.Run(testTask)
	if err != nil {
		t.Fatal(err)
	}
	if r := EndReason(out); r != "abstained" {
		t.Fatalf("end_reason %q: %s", r, out)
	}
	b.Close()
	b.Close()

	// Never installed: Close disposes it; a bad option fails.
	b2, err := MemoryPolicyBackend(mem, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	b2.Close()
	if _, err := MemoryPolicyBackend(mem, nil, `{"k": 0}`); err == nil {
		t.Fatal("k = 0 accepted")
	}
	// A fallback is taken over.
	fb, err := GoldBackend(db)
	if err != nil {
		t.Fatal(err)
	}
	b3, err := MemoryPolicyBackend(mem, fb, "")
	if err != nil {
		t.Fatal(err)
	}
	if !fb.Installed() {
		t.Fatal("fallback not taken over")
	}
	fb.Close()
	b3.Close()
}

func TestGoldBackend(t *testing.T) {
	db := openOrg(t)
	ts := genTasks(t, db)
	task, err := ts.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GoldBackend(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ag, err := NewAgent(db, map[string]interface{}{"max_turns": 10})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	if err := ag.SetBuiltinBackend(b); err != nil {
		t.Fatal(err)
	}
	out, err := ag.Run(task)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		Reward *float64 `json:"reward"`
	}
	if err := json.Unmarshal(out, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Reward == nil || *tr.Reward != 1 {
		t.Fatalf("gold reward: %s", out)
	}
}

func TestOtherBuiltinBackends(t *testing.T) {
	if _, err := ReplayBackend(filepath.Join(t.TempDir(), "missing.jsonl"), ""); err == nil {
		t.Fatal("replay of a missing file")
	}
	b, err := OpenAIHTTPBackend(`{"base_url": "http://127.0.0.1:9/v1", "model": "m"}`)
	if HasFeature("curl") {
		if err != nil {
			t.Fatal(err)
		}
		b.Close()
	} else if ErrorCode(err) != CodeUnsupported {
		t.Fatalf("without curl: %v", err)
	}
	if _, err := OpenAIHTTPBackend(`{}`); err == nil {
		t.Fatal("no base_url accepted")
	}
}

func TestStepBatch(t *testing.T) {
	db := openOrg(t)
	ts := genTasks(t, db)
	pool, err := NewEnvPool(orgPath, map[string]interface{}{"workers": 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.SetTasks(ts); err != nil {
		t.Fatal(err)
	}
	envs := make([]*Env, 4)
	outs := make([]string, 4)
	for i := range envs {
		e, err := pool.NewEnv()
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if _, err := e.ResetIndex(i); err != nil {
			t.Fatal(err)
		}
		envs[i] = e
		outs[i] = `<tool_call>{"name": "get_period", "arguments": {"period_name": "Q1", "year": 2024}}</tool_call>`
	}
	res, err := pool.StepBatch(envs, outs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		var s StepResult
		if err := json.Unmarshal([]byte(r), &s); err != nil {
			t.Fatalf("result %d %q: %v", i, r, err)
		}
		if s.Done || !strings.Contains(r, "2024-01-01") {
			t.Fatalf("result %d: %s", i, r)
		}
	}
	if _, err := pool.StepBatch(envs[:1], nil); !IsInvalid(err) {
		t.Fatalf("length mismatch: %v", err)
	}
}

func TestRecordsAndSchema(t *testing.T) {
	sch, err := BuiltinSchema("b2b")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sch, `"Account"`) {
		t.Fatal("b2b schema without Account")
	}
	path := filepath.Join(t.TempDir(), "rw.db")
	if err := Generate(path, map[string]interface{}{"profile": "b2b", "seed": 2, "scale": 0.05}); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Insert("Account", `{"Name": "x"}`); err == nil {
		t.Fatal("insert into a read-only DB")
	}
	ro.Close()

	db, err := OpenReadWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, err := db.Count("Account")
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.Insert("Account", `{"Name": "Go Binding Test Co"}`)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Fatal("no id")
	}
	rec, err := db.Get("Account", id)
	if err != nil {
		t.Fatal(err)
	}
	if m := decode(t, rec); m["Name"] != "Go Binding Test Co" || m["Id"] != id {
		t.Fatalf("get: %s", rec)
	}
	if err := db.Update("Account", id, `{"Name": "Renamed Co"}`); err != nil {
		t.Fatal(err)
	}
	rec, _ = db.Get("Account", id)
	if m := decode(t, rec); m["Name"] != "Renamed Co" {
		t.Fatalf("after update: %s", rec)
	}
	if err := db.Delete("Account", id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Get("Account", id); !IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := db.Insert("NoSuchObject", `{}`); !IsNotFound(err) {
		t.Fatalf("unknown object: %v", err)
	}

	jl := filepath.Join(t.TempDir(), "acc.jsonl")
	if err := os.WriteFile(jl, []byte("{\"Name\": \"Imported One\"}\n{\"Name\": \"Imported Two\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := db.ImportFile("Account", FileJSONL, jl)
	if err != nil || n != 2 {
		t.Fatalf("import: %d %v", n, err)
	}
	if after, _ := db.Count("Account"); after != before+2 {
		t.Fatalf("count %d, want %d", after, before+2)
	}
	dir := filepath.Join(t.TempDir(), "export")
	if err := db.ExportDir(FileJSONL, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Account.jsonl")); err != nil {
		t.Fatal(err)
	}
}

func TestBuiltinSchemaCRMArena(t *testing.T) {
	s, err := BuiltinSchema("crmarena")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, `"Case"`) || !json.Valid([]byte(s)) {
		t.Fatal("crmarena schema without Case")
	}
	if _, err := BuiltinSchema("nope"); !IsNotFound(err) {
		t.Fatalf("unknown set: %v", err)
	}
}

func TestRole(t *testing.T) {
	db := openOrg(t)
	in, err := NewRole(db, "internal")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ext, err := NewRole(db, "external")
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	if ext.Name() != "external" {
		t.Fatalf("name %q", ext.Name())
	}
	if !in.CanRead("Opportunity", "") || ext.CanRead("Opportunity", "") {
		t.Fatal("Opportunity: internal reads, external does not")
	}
	if !ext.CanRead("Product2", "") || ext.CanRead("User", "Email") || !ext.CanRead("User", "LastName") {
		t.Fatal("external: catalogue yes, User.Email no, User.LastName yes")
	}
	_, err = db.QueryWith("SELECT Id FROM Opportunity LIMIT 1", &QueryOptions{Role: ext})
	if !IsAccess(err) {
		t.Fatalf("external query of Opportunity: %v", err)
	}
	if _, err := db.QueryWith("SELECT Id FROM Opportunity LIMIT 1", &QueryOptions{Role: in}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRole(db, "nosuchrole"); !IsNotFound(err) {
		t.Fatalf("unknown role: %v", err)
	}
	ext.Close()
	ext.Close()
	if ext.CanRead("Product2", "") {
		t.Fatal("closed role reads")
	}
}

func TestHostEmbedder(t *testing.T) {
	before := atomic.LoadInt64(&liveHandles)
	path := filepath.Join(t.TempDir(), "mem.db")
	mem, err := OpenMemory(path, map[string]interface{}{"embedder": "mine", "dim": 8})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	var calls int32
	emb := func(text string) ([]float32, error) {
		atomic.AddInt32(&calls, 1)
		v := make([]float32, 8)
		for i, r := range text {
			v[(i+int(r))%8] += 1
		}
		v[0] += 0.5
		return v, nil
	}
	if err := mem.SetEmbedder("other", 8, emb); !IsInvalid(err) {
		t.Fatalf("wrong name: %v", err)
	}
	if err := mem.SetEmbedder("mine", 8, emb); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mem.AddText("hello from a host embedder"); err != nil {
		t.Fatal(err)
	}
	out, err := mem.Search("hello", map[string]interface{}{"k": 1})
	if err != nil {
		t.Fatal(err)
	}
	if atomic.LoadInt32(&calls) < 2 || !strings.Contains(string(out), "host embedder") {
		t.Fatalf("calls %d, search %s", calls, out)
	}
	// A wrong length fails the call.
	if err := mem.SetEmbedder("mine", 8, func(string) ([]float32, error) { return make([]float32, 3), nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mem.AddText("another text"); err == nil {
		t.Fatal("short vector accepted")
	}
	// A panic is recovered and fails the call.
	if err := mem.SetEmbedder("mine", 8, func(string) ([]float32, error) { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mem.AddText("a third text"); err == nil {
		t.Fatal("panicking embedder succeeded")
	}
	mem.Close()
	if n := atomic.LoadInt64(&liveHandles); n > before {
		t.Fatalf("%d embedder handles left", n-before)
	}
}

func TestSetUser(t *testing.T) {
	db := openOrg(t)
	ts := genTasks(t, db)
	task, err := ts.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	ag, err := NewAgent(db, map[string]interface{}{"max_turns": 6, "multi_turn": true})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	var userCalls, modelCalls int32
	if err := ag.SetUser(func(req string) (string, error) {
		n := atomic.AddInt32(&userCalls, 1)
		if !json.Valid([]byte(req)) {
			t.Errorf("user request not JSON: %q", req)
		}
		if n > 1 {
			return "###STOP###", nil
		}
		return "Please tell me when Q1 2024 starts.", nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		atomic.AddInt32(&modelCalls, 1)
		return TextResponse("I need more details."), nil
	})); err != nil {
		t.Fatal(err)
	}
	out, err := ag.Run(task)
	if err != nil {
		t.Fatalf("Run: %v: %s", err, out)
	}
	if atomic.LoadInt32(&userCalls) < 1 {
		t.Fatalf("user callback never called: %s", out)
	}
	if err := ag.SetUser(nil); err != nil {
		t.Fatal(err)
	}
}
