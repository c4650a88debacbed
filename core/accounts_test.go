package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/langganan/langganan/core"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	good := core.NewUserInput{Username: "budi", Password: "rahasia-123", Email: "budi@example.com"}
	tests := []struct {
		name     string
		actor    core.Actor
		in       core.NewUserInput
		wantKind error
		field    string
	}{
		{name: "ok", actor: admin, in: good},
		{name: "non-admin", actor: user, in: good, wantKind: core.ErrForbidden},
		{name: "short password", actor: admin, in: core.NewUserInput{Username: "x", Password: "short"}, wantKind: core.ErrInvalid, field: "password"},
		{name: "bad username", actor: admin, in: core.NewUserInput{Username: "a b", Password: "long-enough"}, wantKind: core.ErrInvalid, field: "username"},
		{name: "bad email", actor: admin, in: core.NewUserInput{Username: "x", Password: "long-enough", Email: "nope"}, wantKind: core.ErrInvalid, field: "email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := newService(t)
			u, err := svc.CreateUser(context.Background(), tc.actor, tc.in)
			if tc.wantKind != nil {
				var ce *core.Error
				if !errors.Is(err, tc.wantKind) || (tc.field != "" && (!errors.As(err, &ce) || ce.Fields[tc.field] == "")) {
					t.Fatalf("CreateUser() error = %v, want %v on %q", err, tc.wantKind, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.PasswordHash == tc.in.Password || !u.CreatedAt.Equal(t0) {
				t.Errorf("CreateUser() = %+v: password must be hashed, created at %v", u, t0)
			}
			if _, err := svc.CreateUser(context.Background(), admin, tc.in); !errors.Is(err, core.ErrConflict) {
				t.Errorf("CreateUser() twice error = %v, want conflict", err)
			}
			if got, err := svc.Authenticate(context.Background(), tc.in.Username, tc.in.Password); err != nil || got.ID != u.ID {
				t.Errorf("Authenticate() = %v, %v", got.ID, err)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	if _, err := svc.CreateUser(ctx, admin, core.NewUserInput{Username: "budi", Password: "rahasia-123"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, user, pass string }{
		{"wrong password", "budi", "rahasia-124"},
		{"unknown user", "siti", "rahasia-123"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := svc.Authenticate(ctx, tc.user, tc.pass); !errors.Is(err, core.ErrUnauthenticated) {
				t.Errorf("Authenticate(%q) error = %v, want unauthenticated", tc.user, err)
			}
		})
	}
}

func TestEnsureAndBootstrapAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	created, err := svc.EnsureAdmin(ctx, "root", "first-password")
	if err != nil || !created {
		t.Fatalf("EnsureAdmin() = %v, %v; want created", created, err)
	}
	created, err = svc.EnsureAdmin(ctx, "root", "second-password")
	if err != nil || created {
		t.Fatalf("EnsureAdmin() again = %v, %v; want reset", created, err)
	}
	if _, err := svc.Authenticate(ctx, "root", "first-password"); err == nil {
		t.Error("old password still works after EnsureAdmin reset it")
	}
	u, err := svc.Authenticate(ctx, "root", "second-password")
	if err != nil || !u.IsAdmin {
		t.Errorf("Authenticate(new password) = %+v, %v", u, err)
	}
	// A restart ensures the same admin again: its tokens survive.
	root := core.Actor{UserID: u.ID, IsAdmin: true}
	_, secret, err := svc.CreateToken(ctx, root, "ops")
	if err != nil {
		t.Fatal(err)
	}
	if created, err := svc.EnsureAdmin(ctx, "root", "second-password"); err != nil || created {
		t.Fatalf("EnsureAdmin() with the same password = %v, %v", created, err)
	}
	if _, err := svc.AuthenticateToken(ctx, secret); err != nil {
		t.Errorf("the admin's token after EnsureAdmin with an unchanged password: %v", err)
	}
	if _, err := svc.EnsureAdmin(ctx, "root", "third-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AuthenticateToken(ctx, secret); err == nil {
		t.Error("the admin's token survived a password reset")
	}
	if _, err := svc.EnsureAdmin(ctx, "root", "short"); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("EnsureAdmin(short password) error = %v, want invalid", err)
	}
	// An admin exists, so bootstrap does nothing.
	if pw, created, err := svc.BootstrapAdmin(ctx); err != nil || created || pw != "" {
		t.Errorf("BootstrapAdmin() with an admin = %q, %v, %v", pw, created, err)
	}

	fresh, _ := newService(t)
	pw, created, err := fresh.BootstrapAdmin(ctx)
	if err != nil || !created || len(pw) < 16 {
		t.Fatalf("BootstrapAdmin() = %q, %v, %v", pw, created, err)
	}
	if u, err := fresh.Authenticate(ctx, core.BootstrapUsername, pw); err != nil || !u.IsAdmin {
		t.Errorf("Authenticate(bootstrap admin) = %+v, %v", u, err)
	}
	if _, created, _ := fresh.BootstrapAdmin(ctx); created {
		t.Error("BootstrapAdmin() created a second admin")
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	budi, err := svc.CreateUser(ctx, admin, core.NewUserInput{Username: "budi", Password: "rahasia-123"})
	if err != nil {
		t.Fatal(err)
	}
	siti, err := svc.CreateUser(ctx, admin, core.NewUserInput{Username: "siti", Password: "rahasia-123"})
	if err != nil {
		t.Fatal(err)
	}
	asBudi := core.Actor{UserID: budi.ID}
	tok, secret, err := svc.CreateToken(ctx, asBudi, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tok.Hash, secret) || tok.Hash != core.HashToken(secret) || tok.Name != "ci" {
		t.Fatalf("CreateToken() = %+v: only the hash may be stored", tok)
	}
	if u, err := svc.AuthenticateToken(ctx, secret); err != nil || u.ID != budi.ID {
		t.Fatalf("AuthenticateToken() = %v, %v", u.ID, err)
	}
	for _, bad := range []string{"", "lgn_nope", secret + "x"} {
		if _, err := svc.AuthenticateToken(ctx, bad); !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("AuthenticateToken(%q) error = %v, want unauthenticated", bad, err)
		}
	}
	if _, _, err := svc.CreateToken(ctx, asBudi, strings.Repeat("n", 101)); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("CreateToken(long name) error = %v, want invalid", err)
	}
	if _, _, err := svc.CreateToken(ctx, core.Actor{UserID: "ghost"}, ""); !errors.Is(err, core.ErrUnauthenticated) {
		t.Errorf("CreateToken(unknown user) error = %v, want unauthenticated", err)
	}
	deletes := []struct {
		name  string
		actor core.Actor
		id    string
		want  error
	}{
		{"someone else's", core.Actor{UserID: siti.ID}, tok.ID, core.ErrNotFound},
		{"missing", asBudi, "nope", core.ErrNotFound},
		{"own", asBudi, tok.ID, nil},
		{"again", asBudi, tok.ID, core.ErrNotFound},
	}
	for _, tc := range deletes {
		if err := svc.DeleteToken(ctx, tc.actor, tc.id); !errors.Is(err, tc.want) {
			t.Errorf("DeleteToken(%s) error = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := svc.AuthenticateToken(ctx, secret); !errors.Is(err, core.ErrUnauthenticated) {
		t.Errorf("AuthenticateToken(deleted) error = %v, want unauthenticated", err)
	}
	if _, err := svc.GetUser(ctx, "nope"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("GetUser(missing) error = %v, want not found", err)
	}
}
