package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// Migration 0002 lower-cases stored usernames and indexes tokens by user,
// so a database from before it answers case-insensitive look-ups and
// token lists.
func TestMigration0002UsernamesAndTokens(t *testing.T) {
	s := openTest(t)
	u := core.User{ID: "11111111-1111-4111-8111-111111111111", Username: "Alice", PasswordHash: "h", CreatedAt: time.Unix(1, 0).UTC()}
	tk := core.Token{ID: "22222222-2222-4222-8222-222222222222", UserID: u.ID, Name: "ci", Hash: "abc", CreatedAt: time.Unix(2, 0).UTC()}
	if err := s.Update(bg, func(tx core.Tx) error { return errors.Join(tx.Users().Put(u), tx.Tokens().Put(tk)) }); err != nil {
		t.Fatal(err)
	}
	// Back to the version-1 layout: the exact-case username, no token columns.
	if _, err := s.pool.Exec(bg, "UPDATE users SET username = 'Alice'"); err != nil {
		t.Fatal(err)
	}
	schema := backTo(t, s, 2)
	s2, err := Open(bg, schemaURL(t, schema), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	err = s2.View(bg, func(tx core.Tx) error {
		for _, name := range []string{"alice", "ALICE", "Alice"} {
			if got, err := tx.Users().GetByUsername(name); err != nil || got.ID != u.ID {
				t.Errorf("GetByUsername(%q) after migration = %v, %v", name, got.ID, err)
			}
		}
		if l, err := tx.Tokens().ListByUser(u.ID); err != nil || len(l) != 1 || l[0].ID != tk.ID {
			t.Errorf("ListByUser after migration = %v, %v", l, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Check(bg); err != nil {
		t.Errorf("Check after migration: %v", err)
	}
}
