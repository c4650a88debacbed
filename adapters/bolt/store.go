// Package bolt is the storage adapter: core.Store over a bbolt file
// (Open) or over memory with the same semantics (NewMemory).
package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/langganan/langganan/core"
	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this build writes. A file with a higher
// version is refused; a lower one is migrated at open.
const SchemaVersion = 4

// migrations[i] upgrades a file from version i to i+1. All pending ones
// run in the single open transaction together with the version bump, so a
// crash leaves the file at the old version, never half-migrated.
var migrations = []func(t *tx) error{
	func(*tx) error { return nil }, // 0 → 1: initial layout; buckets are created at open
	migrateV2,                      // 1 → 2: case-insensitive usernames, tokens by user
	migrateV3,                      // 2 → 3: webhook logs by order
	migrateV4,                      // 3 → 4: document numbers indexed as written
}

var (
	// ErrNewerSchema: the file was written by a newer build.
	ErrNewerSchema = errors.New("bolt: file has a newer schema version")
	// ErrLocked: another process (or Store) holds the file.
	ErrLocked = errors.New("bolt: database file is locked")
	// ErrBackupUnsupported: the memory store has nothing to copy.
	ErrBackupUnsupported = errors.New("bolt: backup is not supported by the memory store")
)

// Options tune Open. The zero value is the production setting.
type Options struct {
	// Timeout bounds the wait for the file lock; default 1s.
	Timeout time.Duration
	// NoSync skips fsync on commit: tests and benchmarks only.
	NoSync bool
}

// Store implements core.Store. It is safe for concurrent use.
type Store struct {
	path string
	// mu is held shared by every use of db and alone by a refresh, which
	// replaces db (refresh.go).
	mu   sync.RWMutex
	db   *bbolt.DB // nil for the memory store
	refr refresher
	mem  *memDB
	// group combines concurrent Updates into one transaction (group.go).
	group groupCommit
	// plansVersion counts committed Updates that wrote a plan.
	plansVersion atomic.Uint64
}

// PlansVersion is a number that changes after every committed Update that
// wrote a plan (this process holds the file's lock, so no one else writes
// it). Read it before a View: a result read in that View may be reused for
// as long as PlansVersion still answers the same number.
func (s *Store) PlansVersion() uint64 { return s.plansVersion.Load() }

var _ core.Store = (*Store)(nil)

// The Store is not a core.Leases: one process holds the bbolt file (its
// lock refuses a second), so the service is alone on it and its billing
// run resumes the due scan by cursor, holding nothing per subscription
// visited (claims kept in memory grew with every renewal of a run and
// made each batch re-read the claimed entries before it).

// Open opens or creates the bbolt file at path, creates every bucket and
// runs pending migrations in one transaction.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	bopts := &bbolt.Options{
		Timeout: opts.Timeout,
		NoSync:  opts.NoSync,
		// The hashmap freelist keeps commits fast on large, fragmented files.
		FreelistType: bbolt.FreelistMapType,
	}
	db, err := bbolt.Open(path, 0o600, bopts)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is in use by another process (waited %s)", ErrLocked, path, opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	// A store reopening the file (refresh.go) has let go of bbolt's lock
	// for a moment, which is when this Open could take it: it is still that
	// store's file, so let go before touching it.
	if busy, err := reopening(path); busy || err != nil {
		db.Close()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s is in use by another process (it was reopening the file)", ErrLocked, path)
	}
	err = db.Update(func(btx *bbolt.Tx) error {
		// Refuse a newer file before touching it.
		if m := btx.Bucket([]byte(bucketNames[bMeta])); m != nil {
			if _, err := readVersion(m.Get([]byte(metaSchemaVersion))); err != nil {
				return err
			}
		}
		for _, name := range bucketNames {
			if _, err := btx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return migrate(&tx{kv: boltTx{btx}, write: true})
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s := &Store{path: path, db: db, refr: refresher{opts: bopts, every: refreshPages}}
	s.refr.opened(db)
	if s.refr.file, err = os.Stat(path); err != nil {
		s.refr.every = 0 // cannot tell the file again: never reopen it
	}
	return s, nil
}

// NewMemory returns an empty in-memory store with the semantics of a file
// store: serialized writers, snapshot readers, rollback on error.
func NewMemory() *Store {
	s := &Store{mem: &memDB{}}
	if err := s.Update(context.Background(), func(core.Tx) error { return nil }); err != nil {
		panic(err) // unreachable: a fresh memory store cannot fail
	}
	return s
}

func readVersion(v []byte) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("bolt: malformed schema version %x", v)
	}
	n := binary.BigEndian.Uint64(v)
	if n > SchemaVersion {
		return n, fmt.Errorf("%w: file is at version %d, this build knows up to %d; upgrade the binary", ErrNewerSchema, n, SchemaVersion)
	}
	return n, nil
}

func migrate(t *tx) error {
	m := t.b(bMeta)
	from, err := readVersion(m.Get([]byte(metaSchemaVersion)))
	if err != nil {
		return err
	}
	for v := from; v < SchemaVersion; v++ {
		if err := migrations[v](t); err != nil {
			return fmt.Errorf("migrate %d → %d: %w", v, v+1, err)
		}
	}
	if from == SchemaVersion {
		return nil
	}
	return m.Put([]byte(metaSchemaVersion), u64Key(SchemaVersion))
}

// Update runs fn in one write transaction; if fn fails or panics, nothing
// it wrote is kept. Writers are serialized.
//
// Concurrent Updates are combined into one bbolt transaction (group
// commit, group.go), so many writers share one fsync: this is what lets
// webhooks and the billing engine scale past one commit per request. The
// price is that fn may run more than once (the others are re-run when one
// fails), so fn must
// have no effect outside the transaction except assigning its results.
func (s *Store) Update(ctx context.Context, fn func(core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var plans atomic.Bool // set in the committing goroutine
	wrap := func(t *tx) error {
		err := fn(t)
		if t.plansWritten {
			plans.Store(true)
		}
		return err
	}
	var err error
	if s.mem == nil {
		err = s.withDB(func(db *bbolt.DB) error {
			return s.group.update(db, func(btx *bbolt.Tx) error {
				return wrap(&tx{kv: boltTx{btx}, write: true})
			})
		})
		s.maybeRefresh()
	} else {
		err = s.memRun(true, func(t core.Tx) error { return wrap(t.(*tx)) })
	}
	// After the commit (a failed one changed nothing, but counting it is
	// harmless).
	if plans.Load() {
		s.plansVersion.Add(1)
	}
	return err
}

// View runs fn in a read transaction over a committed snapshot; writes
// inside it fail. Do not call Update from inside View (or vice versa).
func (s *Store) View(ctx context.Context, fn func(core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.mem == nil {
		return s.withDB(func(db *bbolt.DB) error {
			return db.View(func(btx *bbolt.Tx) error {
				return fn(&tx{kv: boltTx{btx}})
			})
		})
	}
	return s.memRun(false, fn)
}

func (s *Store) memRun(write bool, fn func(core.Tx) error) (err error) {
	mt, err := s.mem.begin(write)
	if err != nil {
		return err
	}
	if !write {
		return fn(&tx{kv: mt})
	}
	done := false
	defer func() {
		if !done {
			mt.rollback() // fn panicked
		}
	}()
	err = fn(&tx{kv: mt, write: true})
	done = true
	if err != nil {
		mt.rollback()
		return err
	}
	mt.commit()
	return nil
}

// Path is the file path, "" for the memory store.
func (s *Store) Path() string { return s.path }

// Close releases the file (and its lock). Later transactions fail.
func (s *Store) Close() error {
	if s.mem == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.refr.failed != nil {
			return nil // the handle was closed when its refresh failed
		}
		return s.db.Close()
	}
	s.mem.mu.Lock()
	s.mem.closed = true
	s.mem.mu.Unlock()
	return nil
}

// Backup writes a consistent copy of the file to w through one read
// transaction, so it runs online while writers continue.
func (s *Store) Backup(w io.Writer) (int64, error) {
	if s.mem != nil {
		return 0, ErrBackupUnsupported
	}
	var n int64
	err := s.withDB(func(db *bbolt.DB) error {
		return db.View(func(btx *bbolt.Tx) error {
			var err error
			n, err = btx.WriteTo(w)
			return err
		})
	})
	return n, err
}

// BackupFile writes a consistent copy to path (created with mode 0600,
// fsynced), for the backup command.
func (s *Store) BackupFile(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := s.Backup(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return n, err
}

// Check verifies in one read transaction that every index matches the
// primary records; it answers nil or every problem found (up to 20 per
// aggregate).
func (s *Store) Check() error {
	ctx := context.Background()
	var errs []error
	err := s.View(ctx, func(ct core.Tx) error {
		t := ct.(*tx)
		for _, c := range checkers {
			errs = append(errs, c.check(t))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// Writable proves the store accepts a write (for /readyz): a tiny commit
// touching meta, which on a file includes the fsync.
func (s *Store) Writable(ctx context.Context) error {
	return s.Update(ctx, func(ct core.Tx) error {
		t := ct.(*tx)
		return t.b(bMeta).Put([]byte(metaWritable), u64Key(uint64(time.Now().UnixNano())))
	})
}
