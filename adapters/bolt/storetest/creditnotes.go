package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// testCreditNotes: credit notes round-trip every field, list by invoice
// and by owner oldest first, scan by issue date within bounds, and refuse
// a second note with the same key on one invoice or the same number.
func testCreditNotes(t *testing.T, s core.Store) {
	owner, inv := newID(), newID()
	n1 := creditNote(newID(), owner, inv, "refund-a-20000.00", "CN/2026/000001", at(time.Hour))
	n2 := creditNote(newID(), owner, inv, "downgrade-2", "CN/2026/000002", at(3*time.Hour))
	n3 := creditNote(newID(), newID(), newID(), "refund-b-5000.00", "CN/2026/000003", at(2*time.Hour))
	update(t, s, func(tx core.Tx) error {
		return errors.Join(tx.CreditNotes().Put(n2), tx.CreditNotes().Put(n1), tx.CreditNotes().Put(n3))
	})
	view(t, s, func(tx core.Tx) error {
		same(t, "CreditNotes.Get", must(tx.CreditNotes().Get(n1.ID)), n1)
		same(t, "CreditNotes.ListByInvoice", must(tx.CreditNotes().ListByInvoice(inv)), []core.CreditNote{n1, n2})
		same(t, "CreditNotes.ListByOwner", must(tx.CreditNotes().ListByOwner(owner)), []core.CreditNote{n1, n2})
		if l := must(tx.CreditNotes().ListByInvoice(newID())); len(l) != 0 {
			t.Errorf("ListByInvoice(unknown) = %v", l)
		}
		scan := func(from, to time.Time) []string {
			var ids []string
			if err := tx.CreditNotes().ScanIssued(from, to, func(n core.CreditNote) bool { ids = append(ids, n.ID); return true }); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		same(t, "ScanIssued(all)", scan(time.Time{}, time.Time{}), []string{n1.ID, n3.ID, n2.ID})
		same(t, "ScanIssued[1h, 3h)", scan(at(time.Hour), at(3*time.Hour)), []string{n1.ID, n3.ID})
		same(t, "ScanIssued[2h, ∞)", scan(at(2*time.Hour), time.Time{}), []string{n3.ID, n2.ID})
		return nil
	})
	for name, n := range map[string]core.CreditNote{
		"same key on the invoice": creditNote(newID(), owner, inv, "downgrade-2", "CN/2026/000009", at(0)),
		"same number":             creditNote(newID(), owner, newID(), "downgrade-2", "CN/2026/000001", at(0)),
	} {
		t.Run(name, func(t *testing.T) {
			var putErr error
			update(t, s, func(tx core.Tx) error { putErr = tx.CreditNotes().Put(n); return nil })
			if !errors.Is(putErr, core.ErrConflict) {
				t.Errorf("Put = %v, want ErrConflict", putErr)
			}
			view(t, s, func(tx core.Tx) error {
				if _, err := tx.CreditNotes().Get(n.ID); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("refused credit note stored: %v", err)
				}
				return nil
			})
		})
	}
	// The same key on another invoice is no conflict.
	update(t, s, func(tx core.Tx) error {
		return tx.CreditNotes().Put(creditNote(newID(), owner, newID(), "downgrade-2", "CN/2026/000004", at(0)))
	})
}

// testCreditNoteNumbering: 20 credit notes issued at once, numbered from a
// counter in the transaction that stores them, take CN/2026/000001 to
// 000020 with no gap and no duplicate.
func testCreditNoteNumbering(t *testing.T, s core.Store) {
	owner := newID()
	numberAtOnce(t, s, "number:credit_note:CN/2026/{N}", "CN/2026/%06d",
		func(tx core.Tx, number string) error {
			return tx.CreditNotes().Put(creditNote(newID(), owner, newID(), "refund-x", number, at(0)))
		},
		func(tx core.Tx) (got []string) {
			for _, n := range must(tx.CreditNotes().ListByOwner(owner)) {
				got = append(got, n.Number)
			}
			return got
		})
}
