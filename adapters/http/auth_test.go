package http

import "testing"

// Unknown and known usernames answer the same, and each costs exactly one
// password comparison (core compares against a dummy hash).
func TestUnknownAndKnownUsernamesAnswerAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	st1, b1, h1 := e.do(t, call{method: "GET", path: "/api/me/", auth: basic("budi", "wrong-pass")})
	st2, b2, h2 := e.do(t, call{method: "GET", path: "/api/me/", auth: basic("nobody-here", "wrong-pass")})
	if st1 != 401 || st2 != 401 || !sameJSON(b1, b2) || h1.Get("WWW-Authenticate") != h2.Get("WWW-Authenticate") {
		t.Errorf("known %d %v vs unknown %d %v: want the same 401", st1, b1, st2, b2)
	}
}

func sameJSON(a, b map[string]any) bool {
	ea, _ := a["error"].(map[string]any)
	eb, _ := b["error"].(map[string]any)
	return ea != nil && eb != nil && ea["code"] == eb["code"] && ea["message"] == eb["message"]
}
