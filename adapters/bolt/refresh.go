package bolt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gofrs/flock"
	bbolt "go.etcd.io/bbolt"
)

// bbolt remembers, for every page a handle has allocated and that is still
// in use, which transaction allocated it (its freelist's allocation
// records). An entry goes only when its page is freed again, so the records
// grow with everything the process writes, up to every page of the file:
// at nine tenths of a 1M-subscription billing run they were 26 MB of a
// 72 MB live heap, and with the collector's headroom about 57 MB of its
// peak RSS. Reopening the file starts them afresh, so the store reopens
// its handle after every refreshPages page allocations, at a moment when
// no transaction is open: it never waits for one (a transaction opened
// inside another would then deadlock) and tries again after the next
// commit instead.
//
// Reopening reads the meta and freelist pages and maps the file again; the
// data stays in the OS page cache. It takes the same options as the first
// open, so the file's lock is dropped and taken back at once. It reopens
// only the file first opened: should another file have been put at the
// path (the handle keeps working on the one it has), refreshing stops
// rather than open, or create, another database.
//
// Between the close and the open, bbolt's lock on the file is not held: a
// process opening the file just then (a backup or check from the command
// line, a second server) would take it, and the refresh would fail and
// with it every later transaction. So the refresh holds a second lock
// across that gap, on a file beside the data file (gapLockPath), and Open,
// once it holds the data file, looks at that lock before it reads or
// writes anything: held means a store is between its close and its open,
// and Open lets go of the file and answers ErrLocked, as it would have a
// moment earlier. The first refresh creates the lock file and it stays:
// removing a lock file that another process may have open is a race.

// refreshPages is 128 MiB of 4 KiB pages written. The records are a Go map
// of page id to transaction id, about 35 bytes an entry: at most 1.1 MB at
// this bound, against 4.5 MB at 512 MiB (and the collector's headroom
// doubles what is live). Reopening the 1.2 GB file of a 1M-subscription
// billing run took 8 ms (the median of 89 reopens; 48 ms at most), and the
// run wrote 128 MiB in about 2.3 s: the writer waits about 0.3% of the time.
const refreshPages = 1 << 15

type refresher struct {
	opts  *bbolt.Options
	every int64       // page allocations between refreshes; 0 never
	file  os.FileInfo // the file first opened, the only one a refresh reopens

	base   int64 // the handle's page allocations when it was opened
	count  int   // refreshes done, for tests
	failed error // the reopen that failed: every later transaction answers it

	inGap func() // tests: runs between the close and the open
}

// gapLockPath is the file whose lock a store holds while it reopens the
// data file at path.
func gapLockPath(path string) string { return path + ".lock" }

// reopening reports whether a store holds path's gap lock, that is, is
// between closing and opening the file. It never creates the lock file:
// without one, no store has ever reopened the file.
func reopening(path string) (bool, error) {
	l := flock.New(gapLockPath(path), flock.SetFlag(os.O_RDWR))
	ok, err := l.TryLock()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("bolt: lock %s: %w", gapLockPath(path), err)
	case !ok:
		return true, nil
	}
	return false, l.Unlock()
}

func (r *refresher) opened(db *bbolt.DB) { r.base = pagesAllocated(db) }

func pagesAllocated(db *bbolt.DB) int64 {
	st := db.Stats()
	return st.TxStats.GetPageCount()
}

// sameFile reports whether path still names the file first opened.
func (r *refresher) sameFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && r.file != nil && os.SameFile(fi, r.file)
}

// withDB runs fn with the current handle, holding it against a refresh.
func (s *Store) withDB(fn func(*bbolt.DB) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.refr.failed != nil {
		return s.refr.failed
	}
	return fn(s.db)
}

// due reports whether db has allocated enough pages to be reopened.
func (r *refresher) due(db *bbolt.DB) bool {
	return r.failed == nil && r.every > 0 && pagesAllocated(db)-r.base >= r.every
}

// refreshDue is due, read under the shared lock.
func (s *Store) refreshDue() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.refr.due(s.db)
}

// maybeRefresh reopens the handle when it is due and nothing holds it.
func (s *Store) maybeRefresh() {
	if !s.refreshDue() || !s.mu.TryLock() {
		return
	}
	defer s.mu.Unlock()
	if !s.refr.due(s.db) {
		return // another caller refreshed first
	}
	if !s.refr.sameFile(s.path) {
		s.refr.every = 0
		return
	}
	gap := flock.New(gapLockPath(s.path), flock.SetFlag(os.O_CREATE|os.O_RDWR))
	ok, err := gap.TryLock()
	if err != nil {
		// Without the gap lock another process could take the file while
		// it is closed: keep the handle, and its records, instead.
		s.refr.every = 0
		return
	}
	if !ok {
		// Not ours to reopen under (nothing in this package holds it while
		// this store holds the file): try again after the next commit.
		return
	}
	defer gap.Unlock()
	if err := s.db.Close(); err != nil {
		s.refr.failed = fmt.Errorf("bolt: refresh %s: close: %w", s.path, err)
		return
	}
	if s.refr.inGap != nil {
		s.refr.inGap()
	}
	db, err := bbolt.Open(s.path, 0o600, s.refr.opts)
	if err == nil && !s.refr.sameFile(s.path) {
		db.Close()
		err = errors.New("another file took its place")
	}
	if err != nil {
		s.refr.failed = fmt.Errorf("bolt: refresh %s: reopen: %w", s.path, err)
		return
	}
	s.db = db
	s.refr.opened(db)
	s.refr.count++
}
