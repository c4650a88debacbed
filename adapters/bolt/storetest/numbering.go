package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/langganan/langganan/core"
)

// testNumbering: 20 invoices issued at once, each numbered from a counter
// in the transaction that stores it, take numbers 1 to 20: the counter is
// gapless and never hands out one number twice, even when transactions
// conflict and are retried.
func testNumbering(t *testing.T, s core.Store) {
	owner := newID()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx core.Tx) error {
				n, err := tx.Meta().NextSequence("number:invoice:INV/2026/{N}")
				if err != nil {
					return err
				}
				return tx.Invoices().Put(invoice(newID(), owner, newID(), "cycle-1", fmt.Sprintf("INV/2026/%06d", n), core.InvoiceOpen, at(0)))
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	view(t, s, func(tx core.Tx) error {
		var got []string
		for _, inv := range must(tx.Invoices().ListByOwner(owner)) {
			got = append(got, inv.Number)
		}
		sort.Strings(got)
		if len(got) != 20 {
			t.Fatalf("%d invoices, want 20: %v", len(got), got)
		}
		for i, n := range got {
			if want := fmt.Sprintf("INV/2026/%06d", i+1); n != want {
				t.Fatalf("numbers %v: #%d is %s, want %s", got, i, n, want)
			}
		}
		return nil
	})
}
