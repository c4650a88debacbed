package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// With a refresh after every few page allocations, a store under
// concurrent writers and readers reopens its file many times and loses
// nothing: every write is read back, the indexes check whole, and the
// file opens as usual afterwards.
func TestRefreshReopensTheFileUnderLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refresh.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.refr.every = 8
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const writers, each = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for w := range writers {
		owner := fmt.Sprintf("owner-%d", w)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range each {
				sub := core.Subscription{ID: fmt.Sprintf("%08d-0000-4000-8000-%012d", w, i), OwnerID: owner,
					Status: core.SubActive, CreatedAt: at.Add(time.Duration(i) * time.Second), NextActionAt: at.Add(time.Hour)}
				if err := s.Update(ctx, func(tx core.Tx) error { return tx.Subscriptions().Put(sub) }); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() { // readers keep transactions open beside the writers
			defer wg.Done()
			for range each {
				if err := s.View(ctx, func(tx core.Tx) error {
					_, err := tx.Subscriptions().ListByOwner(owner)
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s.mu.RLock()
	n := s.refr.count
	s.mu.RUnlock()
	if n == 0 {
		t.Fatal("the store never reopened its file")
	}
	if err := s.View(ctx, func(tx core.Tx) error {
		for w := range writers {
			if l, err := tx.Subscriptions().ListByOwner(fmt.Sprintf("owner-%d", w)); err != nil || len(l) != each {
				return fmt.Errorf("owner-%d: %d subscriptions (%v), want %d", w, len(l), err, each)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check after %d refreshes: %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("open after %d refreshes: %v", n, err)
	}
	s2.Close()
	t.Logf("%d refreshes", n)
}

// Another file put at the path stops refreshing: the store keeps working
// on the file it opened and never opens (or creates) the other.
func TestRefreshStopsWhenTheFileIsReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.refr.every = 1
	if err := os.Rename(path, filepath.Join(dir, "moved.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantRefreshStopped(t, s, "after the file was replaced")
}

// wantRefreshStopped writes a few times to s, due for a refresh after each,
// and wants every write and a read back to work with no refresh done and
// refreshing stopped: the handle s had is the one it keeps.
func wantRefreshStopped(t *testing.T, s *Store, when string) {
	t.Helper()
	ctx := context.Background()
	sub := core.Subscription{ID: "11111111-1111-4111-8111-111111111111", OwnerID: "o", Status: core.SubActive}
	for range 3 {
		if err := s.Update(ctx, func(tx core.Tx) error { return tx.Subscriptions().Put(sub) }); err != nil {
			t.Fatalf("write %s: %v", when, err)
		}
	}
	if s.refr.count != 0 || s.refr.every != 0 || s.refr.failed != nil {
		t.Errorf("%s: refreshes %d, every %d, failed %v; want none, stopped, none", when, s.refr.count, s.refr.every, s.refr.failed)
	}
	if err := s.View(ctx, func(tx core.Tx) error { _, err := tx.Subscriptions().Get(sub.ID); return err }); err != nil {
		t.Errorf("read %s: %v", when, err)
	}
}

// After a failed refresh every transaction answers that failure.
func TestRefreshFailureIsEveryTransactionsError(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "f.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.db.Close() // what a refresh whose reopen failed leaves
	s.refr.failed = errors.New("bolt: refresh: reopen: gone")
	s.mu.Unlock()
	ctx := context.Background()
	if err := s.View(ctx, func(core.Tx) error { return nil }); err == nil || err.Error() != "bolt: refresh: reopen: gone" {
		t.Errorf("View after a failed refresh = %v", err)
	}
	if err := s.Update(ctx, func(core.Tx) error { return nil }); err == nil {
		t.Error("Update after a failed refresh succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after a failed refresh: %v", err)
	}
}

// A store from Open reopens its handle once it has allocated refreshPages
// pages, and not one page before: the bound that keeps bbolt's allocation
// records small is the one shipped, not only one a test sets. The handle
// is stood at the bound rather than made to write 128 MiB.
func TestOpenRefreshesAtRefreshPages(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "bound.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	sub := core.Subscription{ID: "11111111-1111-4111-8111-111111111111", OwnerID: "o", Status: core.SubActive}
	if err := s.Update(ctx, func(tx core.Tx) error { return tx.Subscriptions().Put(sub) }); err != nil {
		t.Fatal(err)
	}

	now := pagesAllocated(s.db)
	s.refr.base = now - refreshPages + 1
	s.maybeRefresh()
	if s.refr.count != 0 {
		t.Fatalf("reopened %d times one page short of %d pages allocated; want 0", s.refr.count, refreshPages)
	}
	s.refr.base = now - refreshPages
	s.maybeRefresh()
	if s.refr.count != 1 || s.refr.failed != nil {
		t.Fatalf("at %d pages allocated: reopened %d times, failed %v; want once, no failure", refreshPages, s.refr.count, s.refr.failed)
	}
	if err := s.View(ctx, func(tx core.Tx) error { _, err := tx.Subscriptions().Get(sub.ID); return err }); err != nil {
		t.Errorf("read after the reopen: %v", err)
	}
}

// While a store is between closing and reopening its file, bbolt's lock
// on it is free; an Open then (a backup or check from the command line)
// must still be refused as if the store held the file, and the store must
// get its file back. Afterwards the lock file it leaves is no obstacle.
func TestOpenIsRefusedWhileAStoreReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gap.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var inGap error
	s.refr.inGap = func() {
		other, err := Open(path, Options{Timeout: 20 * time.Millisecond})
		if err == nil {
			other.Close()
			err = errors.New("opened")
		}
		inGap = err
	}
	s.refr.every = 1
	ctx := context.Background()
	sub := core.Subscription{ID: "11111111-1111-4111-8111-111111111111", OwnerID: "o", Status: core.SubActive}
	if err := s.Update(ctx, func(tx core.Tx) error { return tx.Subscriptions().Put(sub) }); err != nil {
		t.Fatal(err)
	}
	if s.refr.count != 1 || s.refr.failed != nil {
		t.Fatalf("reopened %d times, failed %v; want once, no failure", s.refr.count, s.refr.failed)
	}
	if !errors.Is(inGap, ErrLocked) {
		t.Errorf("Open between the store's close and open: %v; want ErrLocked", inGap)
	}
	if err := s.View(ctx, func(tx core.Tx) error { _, err := tx.Subscriptions().Get(sub.ID); return err }); err != nil {
		t.Errorf("read after the reopen: %v", err)
	}
	if beside, err := Open(path, Options{Timeout: 20 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		if err == nil {
			beside.Close()
		}
		t.Fatalf("Open beside the reopened store: %v; want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(gapLockPath(path)); err != nil {
		t.Fatalf("the refresh left no lock file: %v", err)
	}
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after the store closed, beside its lock file: %v", err)
	}
	again.Close()
}

// A store that cannot take the gap lock (here its path is a directory)
// does not reopen without it: it stops refreshing, keeps its handle and
// goes on working. Reopening unguarded would let another process take the
// file in the gap.
func TestRefreshWithoutItsLockKeepsTheHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nolock.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Mkdir(gapLockPath(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s.refr.every = 1
	wantRefreshStopped(t, s, "without the gap lock")
}
