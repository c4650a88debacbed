package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/langganan/langganan/core"
)

// tx is the core.Tx of one database transaction.
type tx struct {
	ctx   context.Context
	q     pgx.Tx
	write bool
	// writes counts statements that may have changed rows, so a scan knows
	// when its callback may have changed a record fetched earlier.
	writes int
	// cursors numbers the scans' cursors within the transaction.
	cursors int
	// retry: a statement failed with a serialization failure or deadlock,
	// so the transaction must run again even if fn swallowed the error.
	retry bool
}

var _ core.Tx = (*tx)(nil)

func (t *tx) writable() error {
	if !t.write {
		return errReadOnly
	}
	return nil
}

// fail maps a statement's error and remembers whether it calls for a
// retry. A unique violation does too: Put checks uniqueness first, so one
// that still happens means a concurrent transaction took the value; it has
// aborted this transaction, and the next run sees the value taken and
// answers a clean ErrConflict that fn can handle.
func (t *tx) fail(err error, what string) error {
	var pe *pgconn.PgError
	if err != nil && (retryable(err) || errors.As(err, &pe) && pe.Code == codeUniqueViolation) {
		t.retry = true
	}
	return dbErr(err, what)
}

func (t *tx) exec(what, sql string, args ...any) (pgconn.CommandTag, error) {
	t.writes++
	tag, err := t.q.Exec(t.ctx, sql, args...)
	return tag, t.fail(err, what)
}

// queryRow scans one row into dst; no row answers ErrNotFound about what.
func (t *tx) queryRow(what, sql string, args []any, dst ...any) error {
	return t.fail(t.q.QueryRow(t.ctx, sql, args...).Scan(dst...), what)
}

// rows answers the first column of every row, as raw bytes (a record).
func (t *tx) rows(what, sql string, args ...any) ([][]byte, error) {
	rows, err := t.q.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, t.fail(err, what)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]byte, error) {
		var b []byte
		err := r.Scan(&b)
		return b, err
	})
	return out, t.fail(err, what)
}

const fetchBatch = 128

// scan runs query (selecting id and record) through a cursor and calls fn
// on each row, a batch at a time. No result set is open while fn runs, so
// fn may read and write through the same transaction. The cursor reads the
// snapshot taken when the scan began: a row fn moves is not visited again.
// stale tells fn whether the transaction wrote since the batch was fetched
// (then the fetched record may be stale and should be read again).
func (t *tx) scan(what, query string, args []any, fn func(id string, raw []byte, stale bool) (bool, error)) error {
	t.cursors++
	name := fmt.Sprintf("scan_%d", t.cursors)
	if _, err := t.q.Exec(t.ctx, "DECLARE "+name+" NO SCROLL CURSOR FOR "+query, args...); err != nil {
		return t.fail(err, what)
	}
	// Closed on every way out; a failed transaction drops it anyway.
	defer func() { _, _ = t.q.Exec(t.ctx, "CLOSE "+name) }()
	type row struct {
		id  string
		raw []byte
	}
	for {
		rows, err := t.q.Query(t.ctx, fmt.Sprintf("FETCH %d FROM %s", fetchBatch, name))
		if err != nil {
			return t.fail(err, what)
		}
		batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.raw)
			return x, err
		})
		if err != nil {
			return t.fail(err, what)
		}
		writes := t.writes
		for _, x := range batch {
			cont, err := fn(x.id, x.raw, t.writes != writes)
			if err != nil || !cont {
				return err
			}
		}
		if len(batch) < fetchBatch {
			return nil
		}
	}
}
