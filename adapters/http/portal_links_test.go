package http

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

func TestCreatePortalLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	me, err := e.svc.Authenticate(context.Background(), "budi", userPW)
	if err != nil {
		t.Fatal(err)
	}
	body := func(user, ret string) string { return `{"user_id":"` + user + `","return_url":"` + ret + `"}` }
	tests := []struct {
		name   string
		auth   string
		body   string
		status int
		field  string // the field a 400 names
	}{
		{"ok", asAdmin, body(me.ID, "https://shop.example/account"), 201, ""},
		{"a customer", asUser, body(me.ID, "https://shop.example/account"), 403, ""},
		{"anonymous", "", body(me.ID, "https://shop.example/account"), 401, ""},
		{"no user", asAdmin, `{"return_url":"https://shop.example/"}`, 400, "user_id"},
		{"unknown user", asAdmin, body("00000000-0000-4000-8000-999999999999", "https://shop.example/"), 400, "user_id"},
		{"relative return url", asAdmin, body(me.ID, "/account"), 400, "return_url"},
		{"javascript return url", asAdmin, body(me.ID, "javascript:alert(1)"), 400, "return_url"},
		{"no return url", asAdmin, `{"user_id":"` + me.ID + `"}`, 400, "return_url"},
		{"unknown field", asAdmin, `{"user_id":"` + me.ID + `","return_url":"https://shop.example/","colour":"red"}`, 400, "colour"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, b, h := e.do(t, call{method: "POST", path: "/api/admin/portal-links/", auth: tc.auth, body: tc.body})
			if st != tc.status {
				t.Fatalf("status %d, want %d: %v", st, tc.status, b)
			}
			if tc.field != "" {
				errBody, _ := b["error"].(map[string]any)
				fields, _ := errBody["fields"].(map[string]any)
				if errBody["code"] != "invalid" || fields[tc.field] == nil {
					t.Fatalf("400 %v: want code invalid naming %q", b, tc.field)
				}
			}
			if st != 201 {
				return
			}
			u, _ := b["url"].(string)
			exp, err := time.Parse(time.RFC3339, b["expires_at"].(string))
			if !strings.HasPrefix(u, "http://example.com/portal/link/lgp_") || err != nil || !exp.Equal(t0.Add(time.Hour)) {
				t.Fatalf("answer %v: want a /portal/link/ URL on this host, expiring in an hour", b)
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", h.Get("Cache-Control"))
			}
		})
	}
}

// With LANGGANAN_PUBLIC_URL set, links start with it: the merchant's
// backend may call the API at an address customers cannot reach.
func TestPortalLinkUsesThePublicURL(t *testing.T) {
	t.Parallel()
	cfg := core.DefaultConfig()
	cfg.PublicURL = "https://billing.example.com/"
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Clock: core.NewManualClock(t0), IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "root", adminPW); err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: "budi", Password: userPW})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, srv: NewServer(Config{Service: svc, Log: zerolog.Nop()})}
	st, b, _ := e.do(t, call{method: "POST", path: "/api/admin/portal-links/", auth: asAdmin,
		body: `{"user_id":"` + u.ID + `","return_url":"https://shop.example/"}`})
	if st != 201 || !strings.HasPrefix(b["url"].(string), "https://billing.example.com/portal/link/lgp_") {
		t.Fatalf("%d %v: want a link on the public URL", st, b)
	}
}
