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
	numberAtOnce(t, s, "number:invoice:INV/2026/{N}", "INV/2026/%06d",
		func(tx core.Tx, number string) error {
			return tx.Invoices().Put(invoice(newID(), owner, newID(), "cycle-1", number, core.InvoiceOpen, at(0)))
		},
		func(tx core.Tx) (got []string) {
			for _, inv := range must(tx.Invoices().ListByOwner(owner)) {
				got = append(got, inv.Number)
			}
			return got
		})
}

// numberAtOnce stores 20 documents at once, each in a transaction that
// takes its number from counter and formats it with pattern, and checks
// that list then finds numbers 1 to 20, each once.
func numberAtOnce(t *testing.T, s core.Store, counter, pattern string, put func(tx core.Tx, number string) error, list func(tx core.Tx) []string) {
	t.Helper()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx core.Tx) error {
				seq, err := tx.Meta().NextSequence(counter)
				if err != nil {
					return err
				}
				return put(tx, fmt.Sprintf(pattern, seq))
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
		got := list(tx)
		sort.Strings(got)
		if len(got) != n {
			t.Fatalf("%d numbered, want %d: %v", len(got), n, got)
		}
		for i, num := range got {
			if want := fmt.Sprintf(pattern, i+1); num != want {
				t.Fatalf("numbers %v: #%d is %s, want %s", got, i, num, want)
			}
		}
		return nil
	})
}
