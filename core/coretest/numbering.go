package coretest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// DocumentNumbering is the numbering check every store passes with the
// real service on it: 20 customers subscribe at once (20 invoices issued
// concurrently), and once paid, 20 refunds are recorded at once (20
// credit notes). Invoices take INV/2026/000001 … 000020 and credit notes
// CN/2026/000001 … 000020: no gap, no duplicate, whichever transactions
// conflicted and were retried.
func DocumentNumbering(t *testing.T, store core.Store) {
	t.Helper()
	ctx := context.Background()
	svc, gw, _ := BasicService(t, store)
	admin := core.Actor{UserID: "22222222-2222-4222-8222-222222222222", IsAdmin: true}
	users := make([]core.Actor, 20)
	for i := range users {
		users[i] = core.Actor{UserID: fmt.Sprintf("11111111-1111-4111-8111-%012d", i+1)}
	}
	payments := make([]core.Payment, len(users))
	parallel(t, len(users), func(i int) error {
		res, err := svc.CreateSubscription(ctx, users[i], core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer"})
		if err == nil {
			payments[i] = *res.Payment
		}
		return err
	})
	for _, p := range payments {
		if _, err := svc.ProcessNotification(ctx, gw.Settle(p.OrderID), "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	part := core.MustMoney("10000")
	parallel(t, len(users), func(i int) error {
		_, err := svc.RefundPayment(ctx, admin, payments[i].ID, core.RefundInput{Amount: &part, ToWallet: true})
		return err
	})
	var invoices, notes []string
	for _, u := range users {
		invs, err := svc.ListInvoices(ctx, u, core.InvoiceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			invoices = append(invoices, inv.Number)
		}
		cns, err := svc.ListCreditNotes(ctx, u, core.CreditNoteFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range cns {
			notes = append(notes, n.Number)
		}
	}
	gapless(t, "invoice", invoices, "INV/2026/%06d", len(users))
	gapless(t, "credit note", notes, "CN/2026/%06d", len(users))
}

// BasicService is the real service on store with this package's gateway,
// a manual clock at 2026-01-31 10:00 UTC (the wall clock too) and one plan,
// "basic", at Rp 49,000 a month.
func BasicService(t testing.TB, store core.Store) (*core.Service, *Gateway, *core.ManualClock) {
	t.Helper()
	clock := core.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	gw := NewGateway(clock)
	svc, err := core.NewService(core.Deps{Store: store, Gateway: gw, Clock: clock, Wall: clock, IDs: &SeqIDs{},
		Hasher: PlainHasher{}}, core.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	name, price, unit := "basic", "49000", "month"
	p, err := core.ApplyPlanInput(core.Plan{}, core.PlanInput{Name: &name, Price: &price, IntervalUnit: &unit}, true)
	if err != nil {
		t.Fatal(err)
	}
	p.ID = "00000000-0000-4000-8000-0000000000b1"
	if err := store.Update(context.Background(), func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		t.Fatal(err)
	}
	return svc, gw, clock
}

// parallel runs fn(0) … fn(n-1) at once and fails on any error.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func gapless(t *testing.T, what string, got []string, format string, n int) {
	t.Helper()
	sort.Strings(got)
	if len(got) != n {
		t.Fatalf("%d %s numbers, want %d: %v", len(got), what, n, got)
	}
	for i, num := range got {
		if want := fmt.Sprintf(format, i+1); num != want {
			t.Fatalf("%s numbers %v: #%d is %s, want %s", what, got, i, num, want)
		}
	}
}
