package crmweaver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// twoCustomers finds two contacts of different accounts that have cases:
// their contact ids, account ids and case ids.
func twoCustomers(t *testing.T, db *DB) (con, acc [2]string, cases [2]map[string]bool) {
	t.Helper()
	contacts, err := db.QueryRecords("SELECT Id, AccountId FROM Contact WHERE AccountId != null ORDER BY Id")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range contacts {
		a, _ := c["AccountId"].(string)
		if n == 1 && a == acc[0] {
			continue
		}
		rows, err := db.QueryRecords(fmt.Sprintf("SELECT Id FROM Case WHERE AccountId = '%s'", a))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			continue
		}
		con[n], acc[n], cases[n] = c["Id"].(string), a, map[string]bool{}
		for _, r := range rows {
			cases[n][r["Id"].(string)] = true
		}
		if n++; n == 2 {
			return
		}
	}
	t.Skip("no two customers with cases")
	return
}

// caseIDs reads the record ids of a JSON list result.
func caseIDs(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	var rows []map[string]interface{}
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatalf("not a list of records: %s", data)
	}
	out := map[string]bool{}
	for _, r := range rows {
		out[r["Id"].(string)] = true
	}
	return out
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func TestRoleBindingsAndIntersect(t *testing.T) {
	db := openOrg(t)
	recs, err := db.QueryRecords("SELECT OwnerId FROM Case WHERE OwnerId != null LIMIT 1")
	if err != nil || len(recs) == 0 {
		t.Fatalf("no case owner: %v", err)
	}
	user := recs[0]["OwnerId"].(string)
	tier1, err := NewRoleBound(db, `{"name":"tier1","default":"read","objects":{"Case":{"where":"OwnerId = :user_id"}}}`,
		map[string]string{"user_id": user})
	if err != nil {
		t.Fatal(err)
	}
	defer tier1.Close()
	if tier1.Binding("user_id") != user || tier1.Binding("account_id") != "" {
		t.Fatalf("bindings: %q %q", tier1.Binding("user_id"), tier1.Binding("account_id"))
	}
	ext, err := NewRole(db, "external")
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	both, err := tier1.Intersect(ext)
	if err != nil {
		t.Fatal(err)
	}
	defer both.Close()
	if both.Name() != "tier1 & external" || both.CanRead("Opportunity", "") || !both.CanRead("Case", "") {
		t.Fatalf("intersection %q", both.Name())
	}
	if _, err := NewRoleBound(db, "external", map[string]string{"region": "CA"}); !IsInvalid(err) {
		t.Fatalf("unknown variable: %v", err)
	}
}

func TestRegistryRoleAndContextTools(t *testing.T) {
	db := openOrg(t)
	con, acc, cases := twoCustomers(t, db)
	reg, err := NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if err := reg.AddBuiltin("query,crmarena", db); err != nil {
		t.Fatal(err)
	}
	a, err := NewRole(db, "external:"+con[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.SetRole(a); err != nil {
		t.Fatal(err)
	}
	a.Close() // the registry keeps its own reference
	if reg.RoleName() != "external" {
		t.Fatalf("role name %q", reg.RoleName())
	}
	var seen []*ToolContext
	err = reg.AddWithContext("my_account", "The customer's account.", nil, func(ctx *ToolContext, args []byte) ([]byte, error) {
		seen = append(seen, ctx)
		if ctx.Role != "" && ctx.Binding("account_id") == "" {
			return nil, fmt.Errorf("INSUFFICIENT_ACCESS: no customer bound")
		}
		return json.Marshal(map[string]string{"account": ctx.Binding("account_id")})
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := reg.Call("issue_soql_query", map[string]string{"query": "SELECT Id FROM Case"})
	if err != nil || !sameSet(caseIDs(t, out), cases[0]) {
		t.Fatalf("base role: %s %v", out, err)
	}
	if _, err := reg.Call("my_account", nil); err != nil || len(seen) != 1 || seen[0].InEpisode || seen[0].Binding("account_id") != acc[0] {
		t.Fatalf("outside an episode: %v %+v", err, seen)
	}
	// an agent over the registry: a task without a role stays customer A,
	// whatever the model asks for
	ag, err := NewAgent(db, map[string]int{"max_turns": 4})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	if err := ag.SetRegistry(reg); err != nil {
		t.Fatal(err)
	}
	turn := 0
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		turn++
		switch turn {
		case 1:
			return TextResponse(fmt.Sprintf(`<tool_call>{"name":"issue_soql_query","arguments":{"query":"SELECT Id FROM Case WHERE AccountId = '%s'"}}</tool_call>`, acc[1])), nil
		case 2:
			return TextResponse(`<tool_call>{"name":"my_account","arguments":{}}</tool_call>`), nil
		}
		return TextResponse("done"), nil
	}))
	out, err = ag.Run(map[string]interface{}{"id": "g1", "query": "My cases?", "context": map[string]string{"today": "2024-02-02"}})
	if err != nil {
		t.Fatal(err)
	}
	for b := range cases[1] {
		if strings.Contains(string(out), b) {
			t.Fatalf("customer B's case %s leaked: %s", b, out)
		}
	}
	last := seen[len(seen)-1]
	if !last.InEpisode || last.TaskID != "g1" || last.Today != "2024-02-02" || last.Binding("contact_id") != con[0] {
		t.Fatalf("in the episode: %+v", last)
	}
	out, err = reg.Call("issue_soql_query", map[string]string{"query": "SELECT Id FROM Case"})
	if err != nil || !sameSet(caseIDs(t, out), cases[0]) {
		t.Fatalf("after the episode: %s %v", out, err)
	}
}

func TestAgentAndPoolRoles(t *testing.T) {
	db := openOrg(t)
	con, _, cases := twoCustomers(t, db)
	b, err := NewRole(db, "external:"+con[1])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ag, err := NewAgent(db, map[string]int{"max_turns": 3})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	if err := ag.SetRole(b); err != nil {
		t.Fatal(err)
	}
	query := `<tool_call>{"name":"issue_soql_query","arguments":{"query":"SELECT Id FROM Case"}}</tool_call>`
	turn := 0
	ag.SetBackend(BackendFunc(func(req Request) (Response, error) {
		if turn++; turn == 1 {
			return TextResponse(query), nil
		}
		return TextResponse("done"), nil
	}))
	out, err := ag.Run(map[string]interface{}{"id": "g2", "query": "Cases?", "context": map[string]string{"role": "internal"}})
	if err != nil {
		t.Fatal(err)
	}
	for a := range cases[0] {
		if strings.Contains(string(out), a) {
			t.Fatalf("customer A's case %s seen by B's agent", a)
		}
	}
	pool, err := NewEnvPool(orgPath, map[string]interface{}{"workers": 0, "agent": map[string]int{"max_turns": 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.SetRole(b); err != nil {
		t.Fatal(err)
	}
	env, err := pool.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Reset(map[string]interface{}{"task": map[string]string{"id": "g3", "query": "Cases?"}}); err != nil {
		t.Fatal(err)
	}
	step, err := env.StepDecoded(query)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range step.Messages {
		if m.Role != "tool" {
			continue
		}
		if got := caseIDs(t, []byte(fmt.Sprint(m.Content))); !sameSet(got, cases[1]) {
			t.Fatalf("pool role: %v, want %v", got, cases[1])
		}
	}
	if err := pool.SetRole(nil); err != nil {
		t.Fatal(err)
	}
}
