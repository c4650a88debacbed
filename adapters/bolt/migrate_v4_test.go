package bolt

import (
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	bbolt "go.etcd.io/bbolt"
)

// A version-3 file (numbers indexed by their sha256) is re-keyed at open:
// Check finds both number indexes whole, and a number already issued is
// still refused to another document.
func TestMigrateV4IndexesNumbersAsWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	at := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	invs := []core.Invoice{
		{ID: "11111111-1111-4111-8111-111111111111", Number: "INV/2026/000001", SubscriptionID: "s1", Key: "cycle-1", CreatedAt: at},
		{ID: "22222222-2222-4222-8222-222222222222", Number: "INV/2026/000002", SubscriptionID: "s1", Key: "cycle-2", CreatedAt: at},
		{ID: "33333333-3333-4333-8333-333333333333", SubscriptionID: "s1", Key: "cycle-3", CreatedAt: at}, // a draft: no number
	}
	note := core.CreditNote{ID: "44444444-4444-4444-8444-444444444444", Number: "CN/2026/000001", InvoiceID: invs[0].ID, Key: "refund-1", IssueDate: at, CreatedAt: at}
	backToVersion(t, path, 3, func(tx core.Tx) error {
		for _, v := range invs {
			if err := tx.Invoices().Put(v); err != nil {
				return err
			}
		}
		return tx.CreditNotes().Put(note)
	}, func(btx *bbolt.Tx) error {
		// The version-3 layout: sha256(number) → pk.
		for _, id := range []bucketID{bInvNumber, bCNNumber} {
			b := btx.Bucket([]byte(bucketNames[id]))
			var keys, pks [][]byte
			if err := b.ForEach(func(k, v []byte) error {
				keys, pks = append(keys, append([]byte(nil), k...)), append(pks, append([]byte(nil), v...))
				return nil
			}); err != nil {
				return err
			}
			for i, k := range keys {
				h := sha256.Sum256(k)
				if err := b.Delete(k); err != nil {
					return err
				}
				if err := b.Put(h[:], pks[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})

	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Errorf("Check after migration: %v", err)
	}
	taken := core.Invoice{ID: "55555555-5555-4555-8555-555555555555", Number: invs[1].Number, SubscriptionID: "s2", Key: "cycle-1", CreatedAt: at}
	err = s.Update(context.Background(), func(tx core.Tx) error { return tx.Invoices().Put(taken) })
	if !errors.Is(err, core.ErrConflict) {
		t.Errorf("an invoice with a number already issued: %v, want ErrConflict", err)
	}
	again := note
	again.ID, again.Key = "66666666-6666-4666-8666-666666666666", "refund-2"
	err = s.Update(context.Background(), func(tx core.Tx) error { return tx.CreditNotes().Put(again) })
	if !errors.Is(err, core.ErrConflict) {
		t.Errorf("a credit note with a number already issued: %v, want ErrConflict", err)
	}
}
