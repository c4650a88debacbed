package postgres

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/langganan/langganan/core"
)

var errReadOnly = errors.New("postgres: write inside a read-only (View) transaction")

// SQLSTATE codes this adapter acts on.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// dbErr is the one place database errors become core's: no rows is
// ErrNotFound, a unique violation ErrConflict (the pgx error stays wrapped
// for logs); anything else is wrapped with what was being done.
func dbErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return core.NotFoundf("%s not found", what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUniqueViolation {
		return fmt.Errorf("%w: %s: %w", core.ErrConflict, what, err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// retryable reports an error after which the whole transaction may succeed
// when run again: a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected)
}

// storable reports whether s can be a text value: PostgreSQL text holds
// neither NUL nor invalid UTF-8. Checked before a statement is sent, since
// any statement error aborts the whole transaction.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
