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
