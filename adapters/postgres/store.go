// Package postgres is the storage adapter over PostgreSQL: core.Store
// with pgx's connection pool, one database transaction per unit of work.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/langganan/langganan/core"
)

// ErrBackupUnsupported: the database is backed up with pg_dump (or the
// provider's snapshots), not through the service.
var ErrBackupUnsupported = errors.New("postgres: backups are taken with pg_dump, not by the service")

// Options tune Open. The zero value is the production setting.
type Options struct {
	// MaxConns bounds the pool; 0 keeps the connection string's
	// pool_max_conns or pgxpool's default (the larger of 4 and the CPUs).
	MaxConns int32
	// MaxAttempts bounds how often Update runs fn when transactions
	// collide (serialization failures, deadlocks); default 50.
	MaxAttempts int
}

// Store implements core.Store. It is safe for concurrent use, also by
// several processes on one database.
type Store struct {
	pool        *pgxpool.Pool
	maxAttempts int
	connCfg     *pgx.ConnConfig
	// side is SharedTime's own connection, opened on first use.
	sideMu sync.Mutex
	side   *pgx.Conn
}

var _ core.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or key=value
// string, as libpq takes), checks it answers and applies pending
// migrations under an advisory lock.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("postgres: the database URL does not parse")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without connect_timeout in the URL a host that drops packets
		// would hold the start (and every new pool connection) forever.
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 50
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return &Store{pool: pool, maxAttempts: opts.MaxAttempts, connCfg: cfg.ConnConfig}, nil
}

// Close closes the pool; later transactions fail.
func (s *Store) Close() error {
	s.sideMu.Lock()
	if s.side != nil {
		_ = s.side.Close(context.Background())
		s.side = nil
	}
	s.sideMu.Unlock()
	s.pool.Close()
	return nil
}

// Update runs fn in one SERIALIZABLE transaction; if fn fails or panics,
// nothing it wrote is kept.
//
// Serializable rather than read committed with row locks: core's units of
// work read several aggregates and decide on what they read (a wallet's
// balance, whether an invoice for a cycle exists, a unique value being
// free), and serializable makes every such decision safe across processes
// without each repository knowing which reads need a lock. The price is
// that colliding transactions fail with a serialization failure; Update
// then runs fn again (core allows that: fn has no effect outside tx) after
// a short randomized pause, up to Options.MaxAttempts times.
func (s *Store) Update(ctx context.Context, fn func(core.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		var again bool
		again, err = s.run(ctx, true, fn)
		if !again {
			return err
		}
		if attempt >= s.maxAttempts {
			return fmt.Errorf("postgres: transaction still colliding after %d attempts: %w", attempt, err)
		}
		// Full jitter over a window doubling from 1ms up to 64ms.
		window := time.Millisecond << min(attempt-1, 6)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(rand.N(window) + 100*time.Microsecond):
		}
	}
}

// View runs fn in a REPEATABLE READ, READ ONLY transaction: one snapshot
// for the whole of fn, never blocking writers. Writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.run(ctx, false, fn)
	return err
}

// run runs fn in one transaction and reports whether it should run again.
func (s *Store) run(ctx context.Context, write bool, fn func(core.Tx) error) (again bool, err error) {
	opts := pgx.TxOptions{IsoLevel: pgx.Serializable}
	if !write {
		// PostgreSQL takes the snapshot at the first statement, not at
		// BEGIN; the SELECT in the same round trip pins it to the start of
		// View, as the port promises.
		opts = pgx.TxOptions{BeginQuery: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1"}
	}
	ptx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return false, fmt.Errorf("postgres: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// fn panicked: roll back (the connection returns to the pool
			// clean), then let the panic go on.
			_ = ptx.Rollback(context.Background())
		}
	}()
	t := &tx{ctx: ctx, q: ptx, write: write}
	err = fn(t)
	done = true
	if err != nil {
		_ = ptx.Rollback(context.Background())
		return t.retry || retryable(err), err
	}
	if err := ptx.Commit(ctx); err != nil {
		// A commit can fail for serialization too, or because a statement
		// fn swallowed had aborted the transaction.
		return t.retry || retryable(err), fmt.Errorf("postgres: commit: %w", err)
	}
	return false, nil
}

// Writable proves the database accepts a write (for /readyz): a one-row
// write transaction, committed.
func (s *Store) Writable(ctx context.Context) error {
	return s.Update(ctx, func(ct core.Tx) error {
		_, err := ct.(*tx).exec("write probe",
			"INSERT INTO write_probe (id, at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET at = now()")
		return err
	})
}
