package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// testSessions covers the browser sessions and portal links of the web
// pages: both are found by the hash of their secret, which is unique, and
// pruned once expired; a user's sessions are listed for revocation.
func testSessions(t *testing.T, open func(t *testing.T) core.Store) {
	t.Run("SessionRoundTripAndIndexes", func(t *testing.T) {
		s := open(t)
		alice, bob := newID(), newID()
		s1 := session(newID(), alice, core.HashToken("s1"), at(time.Hour))
		s2 := session(newID(), bob, core.HashToken("s2"), at(2*time.Hour))
		s3 := session(newID(), alice, core.HashToken("s3"), at(3*time.Hour))
		s3.CreatedAt = at(time.Minute)
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Sessions().Put(s3), tx.Sessions().Put(s1), tx.Sessions().Put(s2))
		})
		view(t, s, func(tx core.Tx) error {
			same(t, "session", must(tx.Sessions().Get(s1.ID)), s1)
			same(t, "session by hash", must(tx.Sessions().GetByHash(s2.Hash)), s2)
			same(t, "sessions of alice", must(tx.Sessions().ListByUser(alice)), []core.Session{s1, s3})
			if l := must(tx.Sessions().ListByUser(newID())); len(l) != 0 {
				t.Errorf("ListByUser(nobody) = %v", l)
			}
			for _, h := range []string{core.HashToken("nope"), ""} {
				if _, err := tx.Sessions().GetByHash(h); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("GetByHash(%q) = %v, want ErrNotFound", h, err)
				}
			}
			return nil
		})
		// A second session with the same hash is refused and nothing changes.
		dup := session(newID(), bob, s1.Hash, at(time.Hour))
		if err := s.Update(ctx, func(tx core.Tx) error { return tx.Sessions().Put(dup) }); !errors.Is(err, core.ErrConflict) {
			t.Errorf("Put(same hash) = %v, want ErrConflict", err)
		}
		// Replacing a session moves its hash and expiry entries.
		moved := s1
		moved.Hash, moved.ExpiresAt = core.HashToken("s1-new"), at(10*time.Hour)
		update(t, s, func(tx core.Tx) error { return tx.Sessions().Put(moved) })
		update(t, s, func(tx core.Tx) error {
			if n := must(tx.Sessions().DeleteExpired(at(5*time.Hour), 1)); n != 1 {
				t.Errorf("DeleteExpired(max 1) = %d, want 1", n)
			}
			if n := must(tx.Sessions().DeleteExpired(at(5*time.Hour), 0)); n != 1 {
				t.Errorf("second DeleteExpired = %d, want 1", n)
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Sessions().GetByHash(s1.Hash); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("old hash after the replace: %v, want ErrNotFound", err)
			}
			same(t, "replaced session by its new hash", must(tx.Sessions().GetByHash(moved.Hash)), moved)
			for _, gone := range []core.Session{s2, s3} {
				if _, err := tx.Sessions().Get(gone.ID); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("expired session %s kept: %v", gone.ID, err)
				}
			}
			same(t, "sessions of alice after pruning", must(tx.Sessions().ListByUser(alice)), []core.Session{moved})
			return nil
		})
		update(t, s, func(tx core.Tx) error { return tx.Sessions().Delete(moved.ID) })
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Sessions().GetByHash(moved.Hash); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("GetByHash after Delete = %v, want ErrNotFound", err)
			}
			if l := must(tx.Sessions().ListByUser(alice)); len(l) != 0 {
				t.Errorf("ListByUser after Delete = %v", l)
			}
			return nil
		})
		if err := s.Update(ctx, func(tx core.Tx) error { return tx.Sessions().Delete(moved.ID) }); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("Delete(twice) = %v, want ErrNotFound", err)
		}
	})

	t.Run("PortalLinks", func(t *testing.T) {
		s := open(t)
		l1 := portalLink(newID(), newID(), core.HashToken("l1"), at(time.Hour))
		l2 := portalLink(newID(), newID(), core.HashToken("l2"), at(3*time.Hour))
		update(t, s, func(tx core.Tx) error { return errors.Join(tx.PortalLinks().Put(l1), tx.PortalLinks().Put(l2)) })
		view(t, s, func(tx core.Tx) error {
			same(t, "portal link", must(tx.PortalLinks().Get(l1.ID)), l1)
			same(t, "portal link by hash", must(tx.PortalLinks().GetByHash(l2.Hash)), l2)
			if _, err := tx.PortalLinks().GetByHash(core.HashToken("nope")); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("GetByHash(unknown) = %v, want ErrNotFound", err)
			}
			return nil
		})
		dup := portalLink(newID(), newID(), l1.Hash, at(time.Hour))
		if err := s.Update(ctx, func(tx core.Tx) error { return tx.PortalLinks().Put(dup) }); !errors.Is(err, core.ErrConflict) {
			t.Errorf("Put(same hash) = %v, want ErrConflict", err)
		}
		update(t, s, func(tx core.Tx) error {
			if n := must(tx.PortalLinks().DeleteExpired(at(2*time.Hour), 10)); n != 1 {
				t.Errorf("DeleteExpired = %d, want 1", n)
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.PortalLinks().GetByHash(l1.Hash); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("expired link kept: %v", err)
			}
			same(t, "live link", must(tx.PortalLinks().Get(l2.ID)), l2)
			return nil
		})
	})
}
