package core_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// customerUser creates the env's customer as a stored user.
func (e *env) customerUser(name string) core.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.admin, core.NewUserInput{Username: name, Password: name + "-password"})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func TestSessions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// after runs between opening the session and using it.
		after    func(e *env, u core.User, secret string)
		wantAuth bool
	}{
		{name: "fresh", after: func(*env, core.User, string) {}, wantAuth: true},
		{name: "just before expiry", after: func(e *env, _ core.User, _ string) {
			e.clock.Advance(core.SessionTTL - time.Second)
		}, wantAuth: true},
		{name: "expired", after: func(e *env, _ core.User, _ string) { e.clock.Advance(core.SessionTTL) }},
		{name: "signed out", after: func(e *env, _ core.User, secret string) {
			if err := e.svc.EndSession(e.ctx, secret); err != nil {
				e.t.Fatal(err)
			}
		}},
		{name: "password changed", after: func(e *env, u core.User, _ string) {
			if err := e.svc.ChangePassword(e.ctx, core.Actor{UserID: u.ID}, u.Username+"-password", "another-password"); err != nil {
				e.t.Fatal(err)
			}
		}},
		{name: "password reset by the admin bootstrap", after: func(e *env, u core.User, _ string) {
			if _, err := e.svc.EnsureAdmin(e.ctx, u.Username, "reset-password"); err != nil {
				e.t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.customerUser("budi")
			sess, secret, err := e.svc.StartSession(e.ctx, core.Actor{UserID: u.ID})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(sess.Hash, secret) || sess.Hash != core.HashToken(secret) || !sess.ExpiresAt.Equal(start.Add(core.SessionTTL)) ||
				sess.Via != core.SessionPassword {
				t.Fatalf("session %+v: want only the secret's hash stored, expiring after %v", sess, core.SessionTTL)
			}
			tc.after(e, u, secret)
			got, gu, err := e.svc.SessionUser(e.ctx, secret)
			if tc.wantAuth {
				if err != nil || got.ID != sess.ID || gu.ID != u.ID {
					t.Fatalf("SessionUser = %v, %v, %v; want the session of %s", got.ID, gu.ID, err, u.ID)
				}
				return
			}
			if !errors.Is(err, core.ErrUnauthenticated) {
				t.Fatalf("SessionUser = %+v, %v; want unauthenticated", got, err)
			}
		})
	}
}

func TestSessionSecretsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.customerUser("budi")
	_, secret, err := e.svc.StartSession(e.ctx, core.Actor{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := e.svc.CreateToken(e.ctx, core.Actor{UserID: u.ID}, "api")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "lgs_", secret + "x", strings.TrimPrefix(secret, "lgs_"), token, core.HashToken(secret)} {
		if _, _, err := e.svc.SessionUser(e.ctx, s); !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("SessionUser(%q) = %v, want unauthenticated", s, err)
		}
	}
	if _, _, err := e.svc.StartSession(e.ctx, core.Actor{UserID: "00000000-0000-4000-8000-999999999999"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Errorf("StartSession(unknown user) = %v, want unauthenticated", err)
	}
	if _, _, err := e.svc.StartSession(e.ctx, core.Actor{}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Errorf("StartSession(anonymous) = %v, want unauthenticated", err)
	}
}

func TestCreatePortalLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		admin     bool
		userID    string // "" : the customer's id
		returnURL string
		wantKind  error
		field     string
	}{
		{name: "ok", admin: true, returnURL: "https://shop.example/account?x=1"},
		{name: "http is allowed", admin: true, returnURL: "http://localhost:3000/back"},
		{name: "not an admin", returnURL: "https://shop.example/", wantKind: core.ErrForbidden},
		{name: "unknown user", admin: true, userID: "00000000-0000-4000-8000-999999999999", returnURL: "https://shop.example/", wantKind: core.ErrInvalid, field: "user_id"},
		{name: "no user", admin: true, userID: " ", returnURL: "https://shop.example/", wantKind: core.ErrInvalid, field: "user_id"},
		{name: "relative return url", admin: true, returnURL: "/account", wantKind: core.ErrInvalid, field: "return_url"},
		{name: "javascript return url", admin: true, returnURL: "javascript:alert(1)", wantKind: core.ErrInvalid, field: "return_url"},
		{name: "ftp return url", admin: true, returnURL: "ftp://shop.example/", wantKind: core.ErrInvalid, field: "return_url"},
		{name: "credentials in the return url", admin: true, returnURL: "https://a:b@shop.example/", wantKind: core.ErrInvalid, field: "return_url"},
		{name: "no return url", admin: true, wantKind: core.ErrInvalid, field: "return_url"},
		{name: "control character", admin: true, returnURL: "https://shop.example/\u202e", wantKind: core.ErrInvalid, field: "return_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.customerUser("budi")
			a := core.Actor{UserID: u.ID}
			if tc.admin {
				a = e.admin
			}
			uid := tc.userID
			if uid == "" {
				uid = u.ID
			}
			l, secret, err := e.svc.CreatePortalLink(e.ctx, a, core.PortalLinkInput{UserID: uid, ReturnURL: tc.returnURL})
			if tc.wantKind != nil {
				var ce *core.Error
				if !errors.Is(err, tc.wantKind) || tc.field != "" && (!errors.As(err, &ce) || ce.Fields[tc.field] == "") {
					t.Fatalf("CreatePortalLink = %v, want %v on %q", err, tc.wantKind, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Hash != core.HashToken(secret) || strings.Contains(l.Hash, secret) || !l.ExpiresAt.Equal(start.Add(core.PortalLinkTTL)) ||
				l.UserID != u.ID || l.ReturnURL != tc.returnURL || l.CreatedBy != e.admin.UserID {
				t.Fatalf("link %+v: want the secret's hash, an hour's life, the user and return URL", l)
			}
		})
	}
}

func TestOpenPortalLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		before   func(e *env, secret string) // between creating and the open under test
		wantCode string                      // "" : opens
		wantKind error
	}{
		{name: "first open", before: func(*env, string) {}},
		{name: "just before expiry", before: func(e *env, _ string) { e.clock.Advance(core.PortalLinkTTL - time.Second) }},
		{name: "expired", before: func(e *env, _ string) { e.clock.Advance(core.PortalLinkTTL) },
			wantCode: core.CodePortalLinkExpired, wantKind: core.ErrForbidden},
		{name: "second open", before: func(e *env, secret string) {
			if _, _, err := e.svc.OpenPortalLink(e.ctx, secret); err != nil {
				e.t.Fatal(err)
			}
		}, wantCode: core.CodePortalLinkUsed, wantKind: core.ErrForbidden},
		{name: "second open after expiry still says used", before: func(e *env, secret string) {
			if _, _, err := e.svc.OpenPortalLink(e.ctx, secret); err != nil {
				e.t.Fatal(err)
			}
			e.clock.Advance(2 * core.PortalLinkTTL)
		}, wantCode: core.CodePortalLinkUsed, wantKind: core.ErrForbidden},
		{name: "pruned after expiry", before: func(e *env, _ string) {
			e.clock.Advance(core.PortalLinkTTL)
			if _, err := e.svc.RunDue(e.ctx); err != nil {
				e.t.Fatal(err)
			}
		}, wantKind: core.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.customerUser("budi")
			_, secret, err := e.svc.CreatePortalLink(e.ctx, e.admin, core.PortalLinkInput{UserID: u.ID, ReturnURL: "https://shop.example/account"})
			if err != nil {
				t.Fatal(err)
			}
			tc.before(e, secret)
			sess, sessSecret, err := e.svc.OpenPortalLink(e.ctx, secret)
			if tc.wantKind != nil {
				var ce *core.Error
				if !errors.Is(err, tc.wantKind) || tc.wantCode != "" && (!errors.As(err, &ce) || ce.Code != tc.wantCode) {
					t.Fatalf("OpenPortalLink = %v, want %v (%s)", err, tc.wantKind, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, gu, err := e.svc.SessionUser(e.ctx, sessSecret)
			if err != nil || got.ID != sess.ID || gu.ID != u.ID || got.Via != core.SessionPortalLink || got.ReturnURL != "https://shop.example/account" {
				t.Fatalf("the link's session = %+v, %v, %v; want the user's, returning to the shop", got, gu.ID, err)
			}
		})
	}
	t.Run("unknown secrets", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		for _, s := range []string{"", "lgp_nope", "lgs_nope"} {
			if _, _, err := e.svc.OpenPortalLink(e.ctx, s); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("OpenPortalLink(%q) = %v, want not found", s, err)
			}
		}
	})
}

// Two browsers opening the same link at once: exactly one gets a session.
func TestOpenPortalLinkConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.customerUser("budi")
	_, secret, err := e.svc.CreatePortalLink(e.ctx, e.admin, core.PortalLinkInput{UserID: u.ID, ReturnURL: "https://shop.example/"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	secrets := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, s, err := e.svc.OpenPortalLink(e.ctx, secret)
			errs <- err
			if err == nil {
				secrets <- s
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(secrets)
	opened := 0
	for err := range errs {
		var ce *core.Error
		switch {
		case err == nil:
			opened++
		case errors.As(err, &ce) && ce.Code == core.CodePortalLinkUsed:
		default:
			t.Errorf("open: %v", err)
		}
	}
	if opened != 1 {
		t.Fatalf("%d opens got a session, want exactly 1", opened)
	}
	var sessions []core.Session
	if err := e.store.View(e.ctx, func(tx core.Tx) error {
		var err error
		sessions, err = tx.Sessions().ListByUser(u.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 || sessions[0].Hash != core.HashToken(<-secrets) {
		t.Fatalf("stored sessions %+v, want the one handed out", sessions)
	}
}

// The billing run's retention job deletes expired sessions.
func TestExpiredSessionsPruned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.customerUser("budi")
	for range 3 {
		if _, _, err := e.svc.StartSession(e.ctx, core.Actor{UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(core.SessionTTL)
	sum, err := e.svc.RunDue(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts["sessions_pruned"] != 3 {
		t.Errorf("sessions_pruned = %d, want 3 (counts %v)", sum.Counts["sessions_pruned"], sum.Counts)
	}
}
