package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// RunLeases is the contract of core.Leases. shared says whether several
// processes may use the store at once: then a lease is exclusive; a store
// only one process can open may grant every lease (the bbolt store, alone
// on its file, does not implement core.Leases at all).
func RunLeases(t *testing.T, open func(t *testing.T) core.Store, shared bool) {
	leases := func(t *testing.T) (core.Store, core.Leases) {
		s := open(t)
		l, ok := s.(core.Leases)
		if !ok {
			t.Fatalf("%T does not implement core.Leases", s)
		}
		return s, l
	}
	t.Run("LeaseRenewed", func(t *testing.T) {
		_, l := leases(t)
		for _, now := range []time.Time{at(0), at(30 * time.Second), at(80 * time.Second)} {
			if ok, err := l.AcquireLease(ctx, "leader", "a", now, time.Minute); err != nil || !ok {
				t.Fatalf("holder a acquiring its own lease at %v: %v, %v", now, ok, err)
			}
		}
		if err := l.ReleaseLease(ctx, "leader", "a"); err != nil {
			t.Fatal(err)
		}
	})
	if shared {
		t.Run("LeaseExclusive", func(t *testing.T) { testLeaseExclusive(t, leases) })
	}
	t.Run("ClaimDue", func(t *testing.T) { testClaimDue(t, leases) })
	t.Run("ClaimDueConcurrent", func(t *testing.T) { testClaimConcurrent(t, leases) })
}

func testLeaseExclusive(t *testing.T, leases func(*testing.T) (core.Store, core.Leases)) {
	_, l := leases(t)
	steps := []struct {
		holder string
		at     time.Duration
		want   bool
	}{
		{"a", 0, true},
		{"b", 30 * time.Second, false},            // a holds it until 60s
		{"a", 30 * time.Second, true},             // renewed until 90s
		{"b", 61 * time.Second, false},            // the renewal counts
		{"b", 90 * time.Second, true},             // expired at 90s: taken over
		{"a", 92 * time.Second, false},            // a lost it
		{"release b", 93 * time.Second, true},     // b gives it up
		{"a", 93 * time.Second, true},             // free again
		{"release b", 94 * time.Second, true},     // not b's: nothing happens
		{"b", 95 * time.Second, false},            // a still holds it
		{"other-lease b", 95 * time.Second, true}, // leases are by name
	}
	for _, st := range steps {
		var ok bool
		var err error
		switch {
		case st.holder == "release b":
			err, ok = l.ReleaseLease(ctx, "leader", "b"), true
		case st.holder == "other-lease b":
			ok, err = l.AcquireLease(ctx, "other", "b", at(st.at), time.Minute)
		default:
			ok, err = l.AcquireLease(ctx, "leader", st.holder, at(st.at), time.Minute)
		}
		if err != nil || ok != st.want {
			t.Fatalf("%s at %v: got %v, %v; want %v", st.holder, st.at, ok, err, st.want)
		}
	}
	// Racing holders: exactly one wins a free lease.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := l.AcquireLease(ctx, "race", fmt.Sprintf("h%d", i), at(0), time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d racing holders won one lease, want 1", won)
	}
}

func putDue(t *testing.T, s core.Store, n int, next func(i int) time.Time) []string {
	t.Helper()
	var ids []string
	update(t, s, func(tx core.Tx) error {
		for i := range n {
			sub := subscription(newID(), "owner", next(i))
			if err := tx.Subscriptions().Put(sub); err != nil {
				return err
			}
			ids = append(ids, sub.ID)
		}
		return nil
	})
	return ids
}

func testClaimDue(t *testing.T, leases func(*testing.T) (core.Store, core.Leases)) {
	s, l := leases(t)
	// 0: due 2h ago, 1: due 1h ago, 2: due in an hour, 3: nothing due.
	ids := putDue(t, s, 4, func(i int) time.Time {
		return [...]time.Time{at(-2 * time.Hour), at(-time.Hour), at(time.Hour), {}}[i]
	})
	claim := func(holder string, now time.Time, max int, want ...string) {
		t.Helper()
		got, err := l.ClaimDue(ctx, holder, now, 5*time.Minute, max)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s claiming at %v: got %v, want %v", holder, now, got, want)
		}
	}
	claim("a", at(0), 10, ids[0], ids[1]) // due ones only, earliest first
	claim("b", at(0), 10)                 // a's claims hold
	claim("a", at(time.Minute), 10)       // a's own too: a run visits each once
	claim("b", at(5*time.Minute), 10, ids[0], ids[1])
	if err := l.ReleaseClaims(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	claim("a", at(5*time.Minute), 1, ids[0]) // released: free at once; max bounds
	claim("a", at(5*time.Minute), 1, ids[1])
	if err := l.ReleaseClaims(ctx, "b"); err != nil { // not b's: stay
		t.Fatal(err)
	}
	claim("b", at(6*time.Minute), 10)
	// A subscription whose next action moves away is no longer claimed.
	update(t, s, func(tx core.Tx) error {
		sub, err := tx.Subscriptions().Get(ids[0])
		if err != nil {
			return err
		}
		sub.NextActionAt = at(24 * time.Hour)
		return tx.Subscriptions().Put(sub)
	})
	claim("b", at(2*time.Hour), 10, ids[1], ids[2])
}

func testClaimConcurrent(t *testing.T, leases func(*testing.T) (core.Store, core.Leases)) {
	s, l := leases(t)
	ids := putDue(t, s, 60, func(i int) time.Time { return at(-time.Duration(i) * time.Second) })
	var mu sync.Mutex
	got := map[string]string{}
	var wg sync.WaitGroup
	for h := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := fmt.Sprintf("h%d", h)
			for {
				batch, err := l.ClaimDue(ctx, holder, at(0), time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, id := range batch {
					if prev, dup := got[id]; dup {
						t.Errorf("%s claimed by %s and %s", id, prev, holder)
					}
					got[id] = holder
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if got[id] == "" {
			t.Errorf("%s was never claimed", id)
		}
	}
}
