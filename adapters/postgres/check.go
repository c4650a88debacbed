package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

const maxProblems = 20

// Check verifies, in one read transaction, what the database's constraints
// do not: every record decodes, its id is the row's key, every derived
// column still holds what the record yields (a hand-made UPDATE of a
// record or a column would break lookups silently), and the outbox
// counter is past every stored event. Uniqueness is the unique indexes'
// job; wallet ledgers are verified by the service (core.Service.
// CheckLedgers, which server check runs too). It answers nil or every
// problem found (up to 20 per table).
func (s *Store) Check(ctx context.Context) error {
	var errs []error
	err := s.View(ctx, func(ct core.Tx) error {
		t := ct.(*tx)
		for _, c := range checkers {
			problems, err := c.check(t)
			if err != nil {
				return err
			}
			errs = append(errs, problems...)
		}
		for _, c := range []func(*tx) ([]error, error){checkEntries, checkOutbox} {
			problems, err := c(t)
			if err != nil {
				return err
			}
			errs = append(errs, problems...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// checkers lists every table for Check.
var checkers = []interface {
	check(t *tx) ([]error, error)
}{plans, users, tokens, subscriptions, payments, invoices, creditNotes, webhookLogs, wallets, topUps, paymentMethods,
	notifications, idempotency, organizations, coupons, endpoints, sessions, portalLinks, figures}

func (tb *table[T]) check(t *tx) ([]error, error) {
	names := []string{tb.pk}
	for _, c := range tb.cols {
		names = append(names, c.name)
	}
	rows, err := t.q.Query(t.ctx, "SELECT "+strings.Join(names, ", ")+", record FROM "+tb.name+" ORDER BY "+tb.pk)
	if err != nil {
		return nil, t.fail(err, "check "+tb.kind)
	}
	defer rows.Close()
	var problems []error
	for rows.Next() && len(problems) < maxProblems {
		var id string
		var raw []byte
		stored := make([]any, len(tb.cols))
		dst := []any{&id}
		for i := range stored {
			dst = append(dst, &stored[i])
		}
		if err := rows.Scan(append(dst, &raw)...); err != nil {
			return nil, t.fail(err, "check "+tb.kind)
		}
		v, err := tb.decode(raw)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s %s: undecodable: %v", tb.kind, id, err))
			continue
		}
		if got := tb.id(&v); got != id {
			problems = append(problems, fmt.Errorf("%s %s: the record's id is %q", tb.kind, id, got))
		}
		for i, c := range tb.cols {
			if want := c.value(&v); !sameValue(stored[i], want) {
				problems = append(problems, fmt.Errorf("%s %s: column %s holds %v, the record yields %v", tb.kind, id, c.name, stored[i], want))
			}
		}
	}
	return problems, t.fail(rows.Err(), "check "+tb.kind)
}

// checkEntries verifies that each ledger entry decodes and sits under its
// own wallet and sequence.
func checkEntries(t *tx) ([]error, error) {
	rows, err := t.q.Query(t.ctx, "SELECT wallet_id, seq, record FROM wallet_entries ORDER BY wallet_id, seq")
	if err != nil {
		return nil, t.fail(err, "check wallet entries")
	}
	defer rows.Close()
	var problems []error
	for rows.Next() && len(problems) < maxProblems {
		var wallet string
		var seq int64
		var raw []byte
		if err := rows.Scan(&wallet, &seq, &raw); err != nil {
			return nil, t.fail(err, "check wallet entries")
		}
		e, err := records.EntryFromRecord(raw)
		switch {
		case err != nil:
			problems = append(problems, fmt.Errorf("wallet %s entry %d: undecodable: %v", wallet, seq, err))
		case e.WalletID != wallet || int64(e.Seq) != seq:
			problems = append(problems, fmt.Errorf("wallet %s entry %d: the record says wallet %s entry %d", wallet, seq, e.WalletID, e.Seq))
		}
	}
	return problems, t.fail(rows.Err(), "check wallet entries")
}

// sameValue compares a column as read back with the value a record
// yields: times by instant, text arrays element by element.
func sameValue(stored, want any) bool {
	switch w := want.(type) {
	case nil:
		return stored == nil
	case time.Time:
		s, ok := stored.(time.Time)
		return ok && s.Equal(w)
	case []string:
		s, ok := stored.([]any)
		if !ok || len(s) != len(w) {
			return false
		}
		for i := range w {
			if s[i] != w[i] {
				return false
			}
		}
		return true
	default:
		return stored == want
	}
}

// checkOutbox verifies that each event decodes under its own sequence and
// that the counter is past every stored event (else the next Append would
// collide with one).
func checkOutbox(t *tx) ([]error, error) {
	rows, err := t.q.Query(t.ctx, "SELECT seq, record FROM outbox ORDER BY seq")
	if err != nil {
		return nil, t.fail(err, "check outbox")
	}
	defer rows.Close()
	var problems []error
	var last int64
	for rows.Next() {
		var seq int64
		var raw []byte
		if err := rows.Scan(&seq, &raw); err != nil {
			return nil, t.fail(err, "check outbox")
		}
		last = seq
		if len(problems) >= maxProblems {
			continue
		}
		e, err := records.EventFromRecord(raw)
		switch {
		case err != nil:
			problems = append(problems, fmt.Errorf("outbox event %d: undecodable: %v", seq, err))
		case int64(e.Seq) != seq:
			problems = append(problems, fmt.Errorf("outbox event %d: the record says sequence %d", seq, e.Seq))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(err, "check outbox")
	}
	var counter int64
	err = t.queryRow("check outbox counter", "SELECT coalesce(max(value), 0) FROM meta_sequences WHERE name = $1",
		[]any{outboxCounter}, &counter)
	if err != nil {
		return nil, err
	}
	if counter < last {
		problems = append(problems, fmt.Errorf("outbox counter is %d, below the stored event %d", counter, last))
	}
	return problems, nil
}
