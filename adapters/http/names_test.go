package http

import (
	"testing"
)

// Adding a member to a full organization answers the same for a username
// that does not exist and for one that exists but cannot be added.
func TestAddMemberNoEnumeration(t *testing.T) {
	t.Parallel()
	e := newOrgEnv(t)
	org := e.must(201, "POST", "/api/organizations/", "alice", `{"name":"Acme"}`)
	base := "/api/organizations/" + org["id"].(string)
	// No subscription: no seats.
	st1, m1 := e.call("POST", base+"/members/", "alice", `{"username":"bob"}`)
	st2, m2 := e.call("POST", base+"/members/", "alice", `{"username":"no-such-person"}`)
	e1, _ := m1["error"].(map[string]any)
	e2, _ := m2["error"].(map[string]any)
	if st1 != st2 || e1 == nil || e2 == nil || e1["code"] != e2["code"] || e1["message"] != e2["message"] {
		t.Errorf("existing user %d %v vs unknown user %d %v: want the same answer", st1, m1, st2, m2)
	}
	if st1 != 422 || e1["code"] != "seat_limit" {
		t.Errorf("full organization = %d %v, want 422 seat_limit", st1, m1)
	}
}

// Names and descriptions refuse control characters, NUL and bidirectional
// overrides with a 400 naming the field; ordinary text (and line breaks in
// a description) is fine.
func TestNamesRefuseControlAndBidi(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	bad := []string{`\u0000`, `\u0007`, `\u001b[31m`, `\u202e`, `\u2066`, `\u200f`, `\u007f`, `\u0085`, `\ufeff`}
	for _, b := range bad {
		for _, c := range []struct {
			call  call
			field string
		}{
			{call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"P` + b + `ro","price":"1000","interval_unit":"month"}`}, "name"},
			{call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Pro X","slug":"prox","description":"a` + b + `","price":"1000","interval_unit":"month"}`}, "description"},
			{call{method: "PATCH", path: "/api/plans/basic/", auth: asAdmin, body: `{"name":"B` + b + `x"}`}, "name"},
			{call{method: "POST", path: "/api/organizations/", auth: asUser, body: `{"name":"Ac` + b + `me"}`}, "name"},
			{call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"eve` + b + `","password":"eve-pass-1234"}`}, "username"},
			{call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"eve","password":"eve-pass-1234","first_name":"E` + b + `"}`}, "first_name"},
		} {
			st, m, _ := e.do(t, c.call)
			if _, fields := errCode(m); st != 400 || fields[c.field] == nil {
				t.Errorf("%s %s with %s = %d %v, want 400 on %s", c.call.method, c.call.path, b, st, m, c.field)
			}
		}
	}
	if st, m, _ := e.do(t, call{method: "POST", path: "/api/plans/", auth: asAdmin,
		body: `{"name":"Pro Ünïcode 日本","description":"line one\nline two\ttabbed","price":"1000","interval_unit":"month"}`}); st != 201 {
		t.Errorf("ordinary text = %d %v, want 201", st, m)
	}
}
