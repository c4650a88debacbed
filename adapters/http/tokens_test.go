package http

import (
	"context"
	"strings"
	"testing"
	"time"
)

func (e *env) mint(t *testing.T, auth, name string) (id, secret string) {
	t.Helper()
	st, b, _ := e.do(t, call{method: "POST", path: "/api/auth/tokens/", auth: auth, body: `{"name":"` + name + `"}`})
	if st != 201 {
		t.Fatalf("mint token = %d %v", st, b)
	}
	return b["id"].(string), b["token"].(string)
}

// Tokens are listed without their secret, with their last use; a password
// change revokes every one of them and the cached old password.
func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	id1, sec1 := e.mint(t, asUser, "laptop")
	_, sec2 := e.mint(t, asUser, "ci")
	e.mint(t, asAdmin, "root's")

	// Use one token; advance the clock so its last use is recorded.
	e.clock.Advance(2 * time.Minute)
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: "Bearer " + sec1}); st != 200 {
		t.Fatalf("bearer = %d", st)
	}
	st, b, h := e.do(t, call{method: "GET", path: "/api/auth/tokens/", auth: asUser})
	if st != 200 || b["count"] != float64(2) || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("list = %d %v %v, want budi's 2 tokens, no-store", st, b, h)
	}
	for _, r := range b["results"].([]any) {
		m := r.(map[string]any)
		if _, has := m["token"]; has {
			t.Errorf("listed token carries its secret: %v", m)
		}
		for _, v := range m {
			if s, _ := v.(string); strings.HasPrefix(s, "lgn_") {
				t.Errorf("listed token shows a secret: %v", m)
			}
		}
		if m["id"] == id1 && m["last_used_at"] == nil {
			t.Errorf("used token has no last_used_at: %v", m)
		}
		if m["id"] != id1 && m["last_used_at"] != nil {
			t.Errorf("unused token has a last_used_at: %v", m)
		}
	}

	// The current password is required, and checked.
	if st, b, _ := e.do(t, call{method: "POST", path: "/api/me/password/", auth: "Bearer " + sec1,
		body: `{"current_password":"wrong-wrong","new_password":"budi-new-pass-1"}`}); st != 400 {
		t.Errorf("wrong current password = %d %v, want 400", st, b)
	}
	if st, _, _ := e.do(t, call{method: "POST", path: "/api/me/password/", auth: asUser,
		body: `{"new_password":"budi-new-pass-1"}`}); st != 400 {
		t.Errorf("missing current password = %d, want 400", st)
	}
	if st, b, _ := e.do(t, call{method: "POST", path: "/api/me/password/", auth: asUser,
		body: `{"current_password":"` + userPW + `","new_password":"budi-new-pass-1"}`}); st != 204 {
		t.Fatalf("change password = %d %v", st, b)
	}
	for _, sec := range []string{sec1, sec2} {
		if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: "Bearer " + sec}); st != 401 {
			t.Errorf("token minted before the change = %d, want 401", st)
		}
	}
	// asUser was verified (and cached) above: the cache must not outlive it.
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: asUser}); st != 401 {
		t.Errorf("old password after the change = %d, want 401", st)
	}
	newUser := basic("budi", "budi-new-pass-1")
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: newUser}); st != 200 {
		t.Errorf("new password = %d, want 200", st)
	}
	if _, b, _ := e.do(t, call{method: "GET", path: "/api/auth/tokens/", auth: newUser}); b["count"] != float64(0) {
		t.Errorf("tokens after the change = %v, want none", b)
	}
	// root's token is untouched.
	if _, b, _ := e.do(t, call{method: "GET", path: "/api/auth/tokens/", auth: asAdmin}); b["count"] != float64(1) {
		t.Errorf("root's tokens = %v, want 1", b)
	}
}

// An admin reset (LANGGANAN_ADMIN_PASSWORD or create-admin: EnsureAdmin)
// revokes the admin's tokens and cached password too, even in a process
// that verified the old one.
func TestAdminResetRevokesTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	_, sec := e.mint(t, asAdmin, "ops")
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: asAdmin}); st != 200 {
		t.Fatal("admin sign-in failed")
	}
	if _, err := e.svc.EnsureAdmin(context.Background(), "root", "root-reset-5678"); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: "Bearer " + sec}); st != 401 {
		t.Errorf("token after an admin reset = %d, want 401", st)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: asAdmin}); st != 401 {
		t.Errorf("cached old admin password after reset = %d, want 401", st)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: basic("root", "root-reset-5678")}); st != 200 {
		t.Errorf("reset password = %d, want 200", st)
	}
}

// Usernames are case-insensitive: one user per lower-case form, and any
// case signs in.
func TestUsernamesCaseInsensitive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	st, b, _ := e.do(t, call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"BUDI","password":"other-pass-1234"}`})
	if code, fields := errCode(b); st != 409 || code != "conflict" || fields["username"] == nil {
		t.Errorf("creating BUDI when budi exists = %d %v, want 409 on username", st, b)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: basic("Budi", userPW)}); st != 200 {
		t.Errorf("sign in as Budi = %d, want 200", st)
	}
}

// Guessing the current password through a password change (say with a
// stolen token) is throttled like failed sign-ins.
func TestPasswordChangeGuessesThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	_, sec := e.mint(t, asUser, "stolen")
	for i := range 10 {
		if st, _, _ := e.do(t, call{method: "POST", path: "/api/me/password/", auth: "Bearer " + sec,
			body: `{"current_password":"guess-` + string(rune('a'+i)) + `","new_password":"attacker-pass-1"}`}); st != 400 {
			t.Fatalf("guess %d = %d, want 400", i, st)
		}
	}
	st, m, h := e.do(t, call{method: "POST", path: "/api/me/password/", auth: "Bearer " + sec,
		body: `{"current_password":"` + userPW + `","new_password":"attacker-pass-1"}`})
	if code, _ := errCode(m); st != 429 || code != "rate_limited" || h.Get("Retry-After") == "" {
		t.Errorf("11th try, the right password = %d %v, want 429 with Retry-After", st, m)
	}
}
