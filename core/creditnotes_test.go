package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

func (e *env) creditNotes(a core.Actor) []core.CreditNote {
	e.t.Helper()
	notes, err := e.svc.ListCreditNotes(e.ctx, a, core.CreditNoteFilter{Ordering: "issue_date"})
	if err != nil {
		e.t.Fatal(err)
	}
	return notes
}

func wantNote(t *testing.T, n core.CreditNote, number, amount, ppn, dpp string) {
	t.Helper()
	if n.Number != number || n.Amount.String() != core.MustMoney(amount).String() || n.Tax.String() != core.MustMoney(ppn).String() ||
		n.TaxBase.String() != core.MustMoney(dpp).String() {
		t.Errorf("credit note %s: %s, PPN %s, DPP %s; want %s: %s, PPN %s, DPP %s", n.Number, n.Amount, n.Tax, n.TaxBase,
			number, amount, ppn, dpp)
	}
}

// TestRefundCreditNotes: each refund of a PKP merchant's invoice issues one
// credit note referencing the invoice, reversing PPN in proportion; the
// refund's notification arriving during the refund call, the same
// notification replayed, and the refund checks finding the refunds again
// issue none.
func TestRefundCreditNotes(t *testing.T) {
	e := newEnvConfig(t, pkpConfig())
	res := e.subscribe("basic", "qris") // 49,000 + PPN 5,390
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	var replay []byte
	e.gw.OnRefund = func(orderID string, total core.Money) {
		status := "partial_refund"
		if total.Equal(core.MustMoney("54390")) {
			status = "refund"
		}
		replay = coretest.RefundNotification(orderID, status, "54390.00", total)
		e.mustNotify(replay)
	}
	part := core.MustMoney("20000")
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &part}); err != nil {
		t.Fatal(err)
	}
	e.mustNotify(replay)
	notes := e.creditNotes(e.user)
	if len(notes) != 1 {
		t.Fatalf("credit notes after one refund: %+v", notes)
	}
	inv, err := e.svc.GetInvoice(e.ctx, e.user, res.Payment.InvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	n := notes[0]
	wantNote(t, n, "CN/2026/000001", "20000", "1981", "16516.52")
	p := e.payment(res.Payment.ID)
	if n.InvoiceID != inv.ID || n.InvoiceNumber != inv.Number || n.Reason != core.CreditRefund || n.PaymentID != p.ID ||
		len(n.RefundKeys) != 1 || n.RefundKeys[0] != p.Refunds[0].Key || !n.TaxRate.Equal(inv.TaxRate) {
		t.Errorf("credit note %+v does not reference invoice %s and refund %+v", n, inv.Number, p.Refunds)
	}
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{}); err != nil {
		t.Fatal(err)
	}
	e.mustNotify(replay)
	e.advance(31 * 24 * time.Hour) // the refund checks at 1 and 7 days, and 30 days, find both refunds
	notes = e.creditNotes(e.user)
	if len(notes) != 2 {
		t.Fatalf("credit notes after refunding the rest: %+v", notes)
	}
	wantNote(t, notes[1], "CN/2026/000002", "34390", "3409", "28400.15")
	if sum := notes[0].Tax.Add(notes[1].Tax); !sum.Equal(inv.Tax) {
		t.Errorf("credit notes reverse PPN %s of the invoice's %s", sum, inv.Tax)
	}

	byInvoice, err := e.svc.CreditNotesOf(e.ctx, e.user, inv.ID)
	if err != nil || len(byInvoice[inv.ID]) != 2 {
		t.Errorf("CreditNotesOf = %v, %v", byInvoice, err)
	}
	other := core.Actor{UserID: "33333333-3333-4333-8333-333333333333"}
	if l := e.creditNotes(other); len(l) != 0 {
		t.Errorf("another user lists %d credit notes", len(l))
	}
	if _, err := e.svc.GetCreditNote(e.ctx, other, n.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("another user's GetCreditNote = %v, want not found", err)
	}
	if l := e.creditNotes(e.admin); len(l) != 2 {
		t.Errorf("the admin lists %d credit notes, want every one", len(l))
	}
}

// TestReleasedRefundLeavesNoCreditNote: a refund Midtrans refuses is
// released and credits nothing; a refund made at the dashboard is credited
// once its notification arrives.
func TestReleasedRefundLeavesNoCreditNote(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	// At the dashboard, before our refund: Midtrans then refuses ours as
	// exceeding the payment.
	if _, err := e.gw.Refund(e.ctx, res.Payment.OrderID, core.RefundRequest{Amount: core.MustMoney("40000")}); err != nil {
		t.Fatal(err)
	}
	part := core.MustMoney("20000")
	_, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &part})
	wantCode(t, "refund over the dashboard's", err, "gateway_rejected")
	if notes := e.creditNotes(e.user); len(notes) != 0 {
		t.Fatalf("a refused refund left credit notes %+v", notes)
	}
	e.mustNotify(coretest.RefundNotification(res.Payment.OrderID, "partial_refund", "49000.00", core.MustMoney("40000")))
	notes := e.creditNotes(e.user)
	if len(notes) != 1 || !notes[0].Amount.Equal(core.MustMoney("40000")) || notes[0].Tax.IsPositive() || notes[0].TaxBase.Valid() {
		t.Fatalf("after the dashboard refund's notification: %+v", notes)
	}
}

// TestWalletRefundCreditNoteAndTopUps: a refund to the wallet is credited
// like any other; a top-up, which no invoice billed, is refunded without
// a credit note.
func TestWalletRefundCreditNoteAndTopUps(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{ToWallet: true}); err != nil {
		t.Fatal(err)
	}
	notes := e.creditNotes(e.user)
	if len(notes) != 1 || !notes[0].Amount.Equal(core.MustMoney("49000")) || notes[0].Description != "Refund of order "+res.Payment.OrderID+" to the wallet" {
		t.Fatalf("credit notes after a wallet refund: %+v", notes)
	}
	pid := e.topUp("100000")
	part := core.MustMoney("30000")
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, pid, core.RefundInput{Amount: &part}); err != nil {
		t.Fatal(err)
	}
	if l := e.creditNotes(e.user); len(l) != 1 {
		t.Fatalf("a top-up refund issued a credit note: %+v", l)
	}
}

// TestDowngradeCreditNote: an immediate downgrade credits the unused time
// by a credit note on the period's invoice, PPN included and reversed
// there; the next invoice is taxed in full and takes the credit after PPN,
// so the PPN is reversed once, not twice.
func TestDowngradeCreditNote(t *testing.T) {
	e := newEnvConfig(t, pkpConfig())
	s := e.paidSub("pro") // 99,000 + PPN 10,890 = 109,890
	now := true
	got, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "basic", &now)
	if err != nil {
		t.Fatal(err)
	}
	notes := e.creditNotes(e.user)
	if len(notes) != 1 || notes[0].Reason != core.CreditDowngrade {
		t.Fatalf("credit notes after a downgrade: %+v", notes)
	}
	// At the period start the whole 50,000 difference is credited: 55,500 with its PPN.
	wantNote(t, notes[0], "CN/2026/000001", "55500", "5500", "45833.33")
	if !got.CreditNoteBalance.Equal(core.MustMoney("55500")) || !got.PendingCredit.IsZero() {
		t.Fatalf("carried %s after PPN and %s before, want 55500 and 0", got.CreditNoteBalance, got.PendingCredit)
	}
	e.clock.Set(got.CurrentPeriodEnd)
	e.run()
	invs, _ := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{Ordering: "issue_date"})
	next := invs[len(invs)-1]
	if next.Tax.String() != "5390.00" || next.TaxedTotal().String() != "54390.00" || !next.Total.IsZero() {
		t.Fatalf("next invoice: PPN %s, taxed %s, total %s; want 5390.00, 54390.00, 0.00 (lines %+v)", next.Tax, next.TaxedTotal(), next.Total, next.Lines)
	}
	if got := e.sub(s.ID); !got.CreditNoteBalance.Equal(core.MustMoney("1110")) {
		t.Fatalf("credit left %s, want 1110", got.CreditNoteBalance)
	}
}

// TestReissuedRenewalKeepsItsCredit: an open renewal order priced again
// (the seats changed) gives back the credit its invoice took and takes it
// anew: the credit is neither lost nor taken twice.
func TestReissuedRenewalKeepsItsCredit(t *testing.T) {
	e := newEnv(t)
	e.featurePlan("seat", "30000", nil, true)
	e.featurePlan("seatbig", "60000", nil, true)
	s := e.paidSub("seatbig")
	e.clock.Advance(20 * 24 * time.Hour)
	now := true
	got, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "seat", &now)
	if err != nil {
		t.Fatal(err)
	}
	credit := got.CreditNoteBalance
	if !credit.IsPositive() || credit.Cmp(core.MustMoney("30000")) >= 0 {
		t.Fatalf("credit %s for a downgrade 20 days into the period", credit)
	}
	e.clock.Set(got.CurrentPeriodEnd)
	e.run()
	renewal := e.openPayment(s.ID)
	if want := core.MustMoney("30000").Sub(credit); !renewal.Amount.Equal(want) || !e.sub(s.ID).CreditNoteBalance.IsZero() {
		t.Fatalf("renewal %s, want %s with the credit taken", renewal.Amount, want)
	}
	if _, err := e.svc.SetQuantity(e.ctx, e.user, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	reissued := e.openPayment(s.ID)
	if want := core.MustMoney("60000").Sub(credit); !reissued.Amount.Equal(want) || reissued.ID == renewal.ID {
		t.Fatalf("reissued renewal %s, want %s: two seats less the credit", reissued.Amount, want)
	}
	if left := e.sub(s.ID).CreditNoteBalance; !left.IsZero() {
		t.Fatalf("credit left %s after the reissue, want 0 (taken once)", left)
	}
}
