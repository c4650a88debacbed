package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// The preview of a plan change is what the change then does: the same
// proration, the same change invoice (lines, tax, total), the same credit,
// the same timing.
func TestPreviewPlanChangeMatchesTheChange(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	tests := []struct {
		name      string
		cfg       func() core.Config
		from, to  string
		ptype     string
		immediate *bool
		after     time.Duration // into the paid period
		trial     bool
		// want
		immediateWant bool
		invoiced      bool
		credited      bool
	}{
		{name: "upgrade mid-period", from: "basic", to: "pro", ptype: "bank_transfer", after: 9*24*time.Hour + 7*time.Hour + 13*time.Second,
			immediateWant: true, invoiced: true},
		{name: "upgrade with PPN on top", cfg: pkpConfig, from: "basic", to: "pro", ptype: "bank_transfer", after: 3*24*time.Hour + 11*time.Second,
			immediateWant: true, invoiced: true},
		{name: "upgrade paid from the wallet", from: "basic", to: "pro", ptype: "wallet", after: 20 * 24 * time.Hour,
			immediateWant: true, invoiced: true},
		{name: "upgrade at the period end", from: "basic", to: "pro", ptype: "bank_transfer", immediate: &no, after: time.Hour},
		{name: "downgrade at the period end", from: "pro", to: "basic", ptype: "bank_transfer", after: 5 * 24 * time.Hour},
		{name: "immediate downgrade", from: "pro", to: "basic", ptype: "bank_transfer", immediate: &yes, after: 12*24*time.Hour + 5*time.Minute,
			immediateWant: true, credited: true},
		{name: "trial switches", from: "trial", to: "pro", ptype: "bank_transfer", trial: true, immediateWant: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := core.DefaultConfig()
			if tc.cfg != nil {
				cfg = tc.cfg()
			}
			e := newEnvConfig(t, cfg)
			if tc.ptype == "wallet" {
				e.fund("500000")
			}
			res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: tc.from, PaymentType: tc.ptype, Metadata: map[string]any{"bank": "bni"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Payment != nil && res.Payment.Status == core.PaymentPending {
				e.mustNotify(e.gw.Settle(res.Payment.OrderID))
			}
			id := res.Subscription.ID
			before := e.sub(id)
			if tc.trial != (before.Status == core.SubTrialing) {
				t.Fatalf("status %s", before.Status)
			}
			e.clock.Advance(tc.after)
			pv, err := e.svc.PreviewPlanChange(e.ctx, e.user, id, tc.to, tc.immediate)
			if err != nil {
				t.Fatal(err)
			}
			invsBefore := e.invoices(id)
			got, err := e.svc.ChangePlan(e.ctx, e.user, id, tc.to, tc.immediate)
			if err != nil {
				t.Fatal(err)
			}
			if pv.Immediate != tc.immediateWant || pv.To.Slug != tc.to || pv.From.ID != before.PlanID {
				t.Fatalf("preview %+v: immediate %v, want %v", pv, pv.Immediate, tc.immediateWant)
			}
			if !pv.Net.Equal(pv.Charge.Sub(pv.Credit)) || !pv.Net.Amount().IsInteger() {
				t.Errorf("net %s is not charge %s - credit %s rounded to the rupiah", pv.Net, pv.Charge, pv.Credit)
			}
			// What the change invoiced.
			var change *core.Invoice
			for _, inv := range e.invoices(id) {
				if !containsInvoice(invsBefore, inv.ID) {
					change = &inv
				}
			}
			switch {
			case tc.invoiced:
				if change == nil || pv.Invoice == nil {
					t.Fatalf("change invoice %v, previewed %v: want both", change, pv.Invoice)
				}
				if !change.Total.Equal(pv.Invoice.Total) || !change.Total.Equal(pv.Net.Add(pv.Invoice.Tax)) && !change.TaxInclusive ||
					!change.Tax.Equal(pv.Invoice.Tax) || !change.Subtotal.Equal(pv.Invoice.Subtotal) || len(change.Lines) != len(pv.Invoice.Lines) {
					t.Fatalf("invoiced total %s tax %s subtotal %s, previewed %s tax %s subtotal %s (net %s)",
						change.Total, change.Tax, change.Subtotal, pv.Invoice.Total, pv.Invoice.Tax, pv.Invoice.Subtotal, pv.Net)
				}
				for i, l := range change.Lines {
					pl := pv.Invoice.Lines[i]
					if l.Kind != pl.Kind || !l.Amount.Equal(pl.Amount) || l.Description != pl.Description {
						t.Errorf("line %d invoiced %+v, previewed %+v", i, l, pl)
					}
				}
				if want := got.PendingPlanID != ""; pv.AwaitsPayment != want {
					t.Errorf("preview says awaits payment %v, the change left pending plan %q", pv.AwaitsPayment, got.PendingPlanID)
				}
			case change != nil || pv.Invoice != nil:
				t.Fatalf("change invoice %+v, previewed %+v: want none", change, pv.Invoice)
			}
			if tc.credited {
				credited := orZeroIDR(got.CreditNoteBalance).Sub(orZeroIDR(before.CreditNoteBalance)).
					Add(orZeroIDR(before.PendingCredit).Sub(orZeroIDR(got.PendingCredit)))
				if !pv.Credited.IsPositive() || !credited.Equal(pv.Credited) {
					t.Fatalf("credited %s, previewed %s", credited, pv.Credited)
				}
			} else if pv.Credited.IsPositive() {
				t.Errorf("previewed a credit of %s", pv.Credited)
			}
			if !tc.immediateWant {
				if got.ScheduledPlanID != pv.To.ID || !pv.EffectiveAt.Equal(before.CurrentPeriodEnd) || !pv.Net.IsZero() {
					t.Fatalf("scheduled %q at %v (previewed %v, net %s)", got.ScheduledPlanID, before.CurrentPeriodEnd, pv.EffectiveAt, pv.Net)
				}
			}
		})
	}
}

// A preview is refused where the change would be, and by the same rule
// of who may change a subscription; it changes nothing.
func TestPreviewPlanChangeRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pending := e.subscribe("basic", "bank_transfer")
	paid := e.paidSub("pro")
	other := core.Actor{UserID: "33333333-3333-4333-8333-333333333333"}
	tests := []struct {
		name  string
		actor core.Actor
		id    string
		plan  string
		want  error
	}{
		{"pending first charge", e.user, pending.Subscription.ID, "pro", core.ErrConflict},
		{"same plan", e.user, paid.ID, "pro", core.ErrConflict},
		{"unknown plan", e.user, paid.ID, "nope", core.ErrInvalid},
		{"no plan", e.user, paid.ID, "", core.ErrInvalid},
		{"someone else's", other, paid.ID, "basic", core.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.PreviewPlanChange(e.ctx, tc.actor, tc.id, tc.plan, nil); !errors.Is(err, tc.want) {
				t.Fatalf("PreviewPlanChange = %v, want %v", err, tc.want)
			}
		})
	}
	if s := e.sub(paid.ID); s.PlanID != paid.PlanID || s.ScheduledPlanID != "" || len(e.invoices(paid.ID)) != 1 {
		t.Fatalf("a preview changed the subscription: %+v", s)
	}
}

func TestUpcomingInvoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paidSub("basic")
	inv, ok, err := e.svc.UpcomingInvoice(e.ctx, e.user, s.ID)
	if err != nil || !ok || !inv.Total.Equal(core.MustMoney("49000")) || !inv.PeriodStart.Equal(s.CurrentPeriodEnd) || inv.Cycle != 2 {
		t.Fatalf("upcoming = %+v, %v, %v; want 49000 from %v", inv, ok, err, s.CurrentPeriodEnd)
	}
	// A downgrade scheduled for the period end prices the next cycle.
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "three", nil); err != nil {
		t.Fatal(err)
	}
	if inv, ok, _ := e.svc.UpcomingInvoice(e.ctx, e.user, s.ID); !ok || !inv.Total.Equal(core.MustMoney("10000")) {
		t.Fatalf("upcoming after a scheduled downgrade = %s, %v; want 10000", inv.Total, ok)
	}
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, s.ID, "", false, false); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.svc.UpcomingInvoice(e.ctx, e.user, s.ID); ok || err != nil {
		t.Fatalf("upcoming after a period-end cancel: %v, %v; want none", ok, err)
	}
	if _, _, err := e.svc.UpcomingInvoice(e.ctx, core.Actor{UserID: "33333333-3333-4333-8333-333333333333"}, s.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("someone else's upcoming invoice: %v", err)
	}
}

func (e *env) invoices(subID string) []core.Invoice {
	e.t.Helper()
	var out []core.Invoice
	if err := e.store.View(e.ctx, func(tx core.Tx) error {
		var err error
		out, err = tx.Invoices().ListBySubscription(subID)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func containsInvoice(l []core.Invoice, id string) bool {
	for _, inv := range l {
		if inv.ID == id {
			return true
		}
	}
	return false
}

// orZeroIDR is m, or zero rupiah where m was never set.
func orZeroIDR(m core.Money) core.Money {
	if !m.Valid() {
		return core.Zero(core.IDR)
	}
	return m
}
