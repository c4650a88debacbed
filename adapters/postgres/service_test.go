package postgres

import (
	"sync"
	"testing"

	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// TestServiceOnPostgres runs core's real units of work on this store: a
// subscription is paid, the same settlement arrives eight times at once
// (it is applied exactly once), the billing engine renews it three times,
// and the wallet ledgers and Check agree afterwards.
func TestServiceOnPostgres(t *testing.T) {
	s := openTest(t)
	svc, gw, clock := coretest.BasicService(t, s)
	user := core.Actor{UserID: "11111111-1111-4111-8111-111111111111"}
	res, err := svc.CreateSubscription(bg, user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer",
		Metadata: map[string]any{"bank": "bni"}})
	if err != nil {
		t.Fatal(err)
	}
	settle := gw.Settle(res.Payment.OrderID)
	statuses := make([]core.WebhookStatus, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log, err := svc.ProcessNotification(bg, settle, "127.0.0.1")
			if err != nil {
				t.Errorf("ProcessNotification: %v", err)
			}
			statuses[i] = log.Status
		}()
	}
	wg.Wait()
	processed := 0
	for _, st := range statuses {
		if st == core.WebhookProcessed {
			processed++
		}
	}
	if processed != 1 {
		t.Errorf("the settlement was processed %d times (%v), want once", processed, statuses)
	}
	sub, err := svc.GetSubscription(bg, user, res.Subscription.ID)
	if err != nil || sub.Status != core.SubActive || sub.Cycle != 1 {
		t.Fatalf("after settlement: %s cycle %d, %v", sub.Status, sub.Cycle, err)
	}

	// At each period end the engine charges the renewal; its settlement
	// starts the next cycle.
	for cycle := 2; cycle <= 4; cycle++ {
		clock.Set(sub.CurrentPeriodEnd)
		if _, err := svc.RunDue(bg); err != nil {
			t.Fatalf("RunDue: %v", err)
		}
		var renewal string
		if err := s.View(bg, func(tx core.Tx) error {
			pays, err := tx.Payments().ListBySubscription(sub.ID)
			for _, p := range pays {
				if p.Status == core.PaymentPending {
					renewal = p.OrderID
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if renewal == "" {
			t.Fatalf("cycle %d: no renewal charge at the period end", cycle)
		}
		if _, err := svc.ProcessNotification(bg, gw.Settle(renewal), "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		sub, err = svc.GetSubscription(bg, user, res.Subscription.ID)
		if err != nil || sub.Status != core.SubActive || sub.Cycle != cycle {
			t.Fatalf("after renewal %d: %s cycle %d, %v", cycle, sub.Status, sub.Cycle, err)
		}
	}
	invs, err := svc.ListInvoices(bg, user, core.InvoiceFilter{})
	if err != nil || len(invs) != 4 {
		t.Fatalf("invoices: %d, %v", len(invs), err)
	}
	if problems, _, err := svc.CheckLedgers(bg); err != nil || len(problems) != 0 {
		t.Fatalf("ledgers: %v, %v", problems, err)
	}
}

// TestDocumentNumbersOnPostgres: invoices and credit notes issued 20 at once
// through the service on this store are numbered without a gap or a
// duplicate (SERIALIZABLE transactions that collide on the counter are
// run again).
func TestDocumentNumbersOnPostgres(t *testing.T) {
	coretest.DocumentNumbering(t, openTest(t))
}
