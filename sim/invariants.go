package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// Violation is an invariant that failed, with what was seen.
type Violation struct {
	Invariant string
	Detail    string
	Step      int // index of the step after which it failed; -1 for the final drain
}

func (v *Violation) Error() string { return v.Invariant + ": " + v.Detail }

// flag records a violation observed inside a step.
func (w *world) flag(invariant, detail string) {
	if w.violation == nil && w.watched(invariant) {
		w.violation = &Violation{Invariant: invariant, Detail: detail}
	}
}

// watched reports whether a violation of invariant stops the run.
func (w *world) watched(invariant string) bool {
	if len(w.watch) == 0 {
		return true
	}
	for _, n := range w.watch {
		if n == invariant {
			return true
		}
	}
	return false
}

// snapshot is everything the checks read, in one read transaction of the
// store and one look at the emulator.
type snapshot struct {
	now      time.Time
	subs     []core.Subscription
	payments []core.Payment
	byOrder  map[string]core.Payment
	invoices map[string][]core.Invoice // by subscription
	notes    []core.CreditNote
	topups   map[string]core.TopUp
	entries  map[string][]core.WalletEntry // by reference id
	txns     []emuTxn
	emuOrder map[string]emuTxn
	emuSubs  []emuSub
}

func (w *world) snapshot() (*snapshot, error) {
	s := &snapshot{now: w.clock.Now().UTC(), byOrder: map[string]core.Payment{}, invoices: map[string][]core.Invoice{},
		topups: map[string]core.TopUp{}, entries: map[string][]core.WalletEntry{}, emuOrder: map[string]emuTxn{}}
	err := w.view(func(tx core.Tx) error {
		if err := tx.Subscriptions().ScanAll("", func(sub core.Subscription) bool {
			s.subs = append(s.subs, sub)
			return true
		}); err != nil {
			return err
		}
		for _, sub := range s.subs {
			invs, err := tx.Invoices().ListBySubscription(sub.ID)
			if err != nil {
				return err
			}
			s.invoices[sub.ID] = invs
		}
		if err := tx.CreditNotes().ScanIssued(time.Time{}, time.Time{}, func(n core.CreditNote) bool {
			s.notes = append(s.notes, n)
			return true
		}); err != nil {
			return err
		}
		for _, o := range w.owners() {
			ps, err := tx.Payments().ListByOwner(o)
			if err != nil {
				return err
			}
			s.payments = append(s.payments, ps...)
			ts, err := tx.TopUps().ListByOwner(o)
			if err != nil {
				return err
			}
			for _, t := range ts {
				s.topups[t.ID] = t
			}
			wl, err := tx.Wallets().GetByOwner(o)
			if err != nil {
				continue
			}
			es, err := tx.Wallets().Entries(wl.ID)
			if err != nil {
				return err
			}
			for _, e := range es {
				s.entries[e.ReferenceID] = append(s.entries[e.ReferenceID], e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	sort.Slice(s.payments, func(i, j int) bool { return s.payments[i].ID < s.payments[j].ID })
	for _, p := range s.payments {
		if p.OrderID != "" {
			s.byOrder[p.OrderID] = p
		}
	}
	s.txns = w.emuTxns()
	for _, t := range s.txns {
		s.emuOrder[t.OrderID] = t
	}
	s.emuSubs = w.emuSubs()
	return s, nil
}

// check runs every invariant that holds after any step.
func (w *world) check() *Violation {
	if w.violation != nil {
		return w.violation
	}
	s, err := w.snapshot()
	if err != nil {
		return &Violation{Invariant: "snapshot", Detail: err.Error()}
	}
	checks := []struct {
		name string
		fn   func(*snapshot) string
	}{
		{"walletBalanceIsSumOfEntries", w.walletBalanceIsSumOfEntries},
		{"settledMoneyIsHeldByMidtrans", settledMoneyIsHeldByMidtrans},
		{"midtransOrdersAreKnown", midtransOrdersAreKnown},
		{"refundsStayWithinPayment", refundsStayWithinPayment},
		{"topUpCreditMatchesMoneyHeld", topUpCreditMatchesMoneyHeld},
		{"cyclePaidOnceAndAccounted", cyclePaidOnceAndAccounted},
		{"everyRefundCreditedOnce", everyRefundCreditedOnce},
		{"noTimeBilledTwice", noTimeBilledTwice},
		{"planChangeOnlyWhenPaid", w.planChangeOnlyWhenPaid},
		{"accessOnlyWhenEarned", w.accessOnlyWhenEarned},
		{"noPausedOrCancelledTimeBilled", w.noPausedOrCancelledTimeBilled},
		{"nativeMatchesLocal", w.nativeMatchesLocal},
		{"reusableTokenForLaterCharges", reusableTokenForLaterCharges},
	}
	for _, c := range checks {
		if !w.watched(c.name) {
			continue
		}
		if d := c.fn(s); d != "" {
			return &Violation{Invariant: c.name, Detail: d}
		}
	}
	if w.violation != nil {
		return w.violation
	}
	return nil
}

// walletBalanceIsSumOfEntries: a wallet's balance is a cache of its
// ledger, written in the same transaction as each entry; if they differ,
// or the running sum ever goes negative, money was made or lost.
func (w *world) walletBalanceIsSumOfEntries(*snapshot) string {
	problems, _, err := w.svc.CheckLedgers(w.ctx)
	if err != nil {
		return ""
	}
	if len(problems) > 0 {
		p := problems[0]
		return fmt.Sprintf("wallet %s balance %s, ledger %s: %s", p.WalletID, p.Balance, p.Ledger, p.Detail)
	}
	return ""
}

// emuSettled reports whether Midtrans holds (or held, before refunds) the
// money of a transaction.
func emuSettled(t emuTxn) bool {
	switch t.Status {
	case "settlement", "refund", "partial_refund":
		return true
	case "capture":
		return t.FraudStatus != "challenge" && t.FraudStatus != "deny"
	}
	return false
}

func rupiah(s string) core.Money {
	if s == "" {
		return core.Zero(core.IDR)
	}
	m, err := core.ParseMoney(s, core.IDR)
	if err != nil {
		return core.Zero(core.IDR)
	}
	return m
}

// walletRefunds is what was refunded of p to its owner's wallet.
func walletRefunds(p core.Payment) core.Money {
	sum := core.Zero(core.IDR)
	for _, r := range p.Refunds {
		if r.ToWallet {
			sum = sum.Add(r.Amount)
		}
	}
	return sum
}

// gatewayRefunded is what p records as refunded through Midtrans.
func gatewayRefunded(p core.Payment) core.Money {
	r := p.Refunded
	if !r.Valid() {
		r = core.Zero(core.IDR)
	}
	return r.Sub(walletRefunds(p))
}

// lateCredited reports whether p's money went to the wallet because what
// it paid for was no longer owed.
func lateCredited(p core.Payment) bool {
	for _, r := range p.Refunds {
		if strings.HasPrefix(r.Key, "wallet-credit-") {
			return true
		}
	}
	return false
}

// viaMidtrans reports whether p's money moves through Midtrans.
func viaMidtrans(p core.Payment) bool {
	return p.OrderID != "" && p.PaymentType != core.PayWallet && p.PaymentType != core.PayManual && p.Amount.IsPositive()
}

// settledMoneyIsHeldByMidtrans: nothing is accounted for here that
// Midtrans does not hold. A payment we record as settled must be settled
// at Midtrans for the same amount, and what we record as refunded through
// Midtrans can never exceed what Midtrans refunded. (Midtrans may be
// ahead of us while a notification is on its way, never behind.)
func settledMoneyIsHeldByMidtrans(s *snapshot) string {
	for _, p := range s.payments {
		if !viaMidtrans(p) || !p.Status.Settled() {
			continue
		}
		t, ok := s.emuOrder[p.OrderID]
		if !ok {
			return fmt.Sprintf("payment %s (%s) is %s here but Midtrans has no such order", p.OrderID, p.Amount, p.Status)
		}
		if !emuSettled(t) {
			return fmt.Sprintf("payment %s is %s here but %s/%s at Midtrans", p.OrderID, p.Status, t.Status, t.FraudStatus)
		}
		if !rupiah(t.GrossAmount).Equal(p.Amount) {
			return fmt.Sprintf("payment %s is %s here, Midtrans settled %s", p.OrderID, p.Amount, t.GrossAmount)
		}
		if gr := gatewayRefunded(p); gr.Cmp(rupiah(t.RefundAmount)) > 0 {
			return fmt.Sprintf("payment %s records %s refunded through Midtrans, Midtrans refunded %s", p.OrderID, gr, rupiah(t.RefundAmount))
		}
	}
	return ""
}

// midtransOrdersAreKnown: every order Midtrans holds was written here
// first (a payment is stored, in state creating, under its order id before
// the charge is sent), with the same amount. Orders Midtrans' Subscription
// API creates become known when their notification arrives, so they are
// checked after the final drain (see finalOrdersMatch).
func midtransOrdersAreKnown(s *snapshot) string {
	for _, t := range s.txns {
		if t.Subscription != "" {
			continue
		}
		p, ok := s.byOrder[t.OrderID]
		if !ok {
			return fmt.Sprintf("Midtrans holds order %s (%s %s, %s) that is unknown here", t.OrderID, t.PaymentType, t.GrossAmount, t.Status)
		}
		if !rupiah(t.GrossAmount).Equal(p.Amount) {
			return fmt.Sprintf("order %s is %s at Midtrans, %s here", t.OrderID, t.GrossAmount, p.Amount)
		}
	}
	return ""
}

// refundsStayWithinPayment: a payment can never be refunded for more than
// was paid, and every refund to a wallet is a wallet credit of the same
// amount, referencing the payment (net of what was reclaimed when Midtrans
// refunded it too).
func refundsStayWithinPayment(s *snapshot) string {
	for _, p := range s.payments {
		if !p.Refunded.Valid() {
			continue
		}
		if p.Refunded.Cmp(p.Amount) > 0 {
			return fmt.Sprintf("payment %s of %s records %s refunded", p.OrderID, p.Amount, p.Refunded)
		}
		if walletRefunds(p).Cmp(p.Refunded) > 0 {
			return fmt.Sprintf("payment %s: wallet refunds %s exceed the refunded total %s", p.OrderID, walletRefunds(p), p.Refunded)
		}
		if p.Purpose == core.PurposeTopUp {
			continue // a top-up's wallet entries: topUpCreditMatchesMoneyHeld
		}
		credit := core.Zero(core.IDR)
		reclaimed := false
		for _, e := range s.entries[p.ID] {
			if e.Type == core.EntryRefund || e.Type == core.EntryReversal {
				credit = credit.Add(e.Amount)
			}
		}
		for _, r := range p.Refunds {
			reclaimed = reclaimed || strings.HasPrefix(r.Key, "wallet-reclaim-")
		}
		if reclaimed && credit.Cmp(walletRefunds(p)) > 0 {
			// Refunded at Midtrans after a wallet refund, and the wallet no
			// longer held all of it: the shortfall is alerted.
			continue
		}
		if !credit.Equal(walletRefunds(p)) {
			return fmt.Sprintf("payment %s: %s refunded to the wallet, the wallet was credited %s", p.OrderID, walletRefunds(p), credit)
		}
	}
	return ""
}

// topUpCreditMatchesMoneyHeld: a top-up's wallet credit, net of what was
// taken back, equals the money its payment brought in net of refunds made
// through Midtrans; a refunded top-up whose credit stays (or is credited
// again) pays the customer twice.
func topUpCreditMatchesMoneyHeld(s *snapshot) string {
	for _, p := range s.payments {
		if p.Purpose != core.PurposeTopUp {
			continue
		}
		held := core.Zero(core.IDR)
		if p.Status.Settled() {
			held = p.Amount.Sub(gatewayRefunded(p))
		}
		net := core.Zero(core.IDR)
		seen := map[string]bool{}
		for _, ref := range []string{p.TopUpID, p.ID} {
			for _, e := range s.entries[ref] {
				if !seen[e.ID] {
					seen[e.ID] = true
					net = net.Add(e.Amount)
				}
			}
		}
		// A refund reserved before its gateway call (status requested) has
		// its credit taken back already while Midtrans' answer is unknown.
		reserved := core.Zero(core.IDR)
		for _, r := range p.Refunds {
			if !r.ToWallet && r.Status == core.RefundRequested {
				reserved = reserved.Add(r.Amount)
			}
		}
		external := false
		for _, r := range p.Refunds {
			external = external || r.External
		}
		if external && net.Cmp(held) > 0 {
			// Refunded at Midtrans' dashboard after the credit was spent:
			// the wallet cannot go negative, and the shortfall is alerted.
			continue
		}
		if !net.Equal(held) && !net.Equal(held.Sub(reserved)) {
			return fmt.Sprintf("top-up %s (%s, %s, refunded %s): the wallet holds %s of it, the merchant %s", p.OrderID, p.Amount, p.Status, p.Refunded, net, held)
		}
	}
	return ""
}

// cyclePaidOnceAndAccounted: every settled subscription payment either
// paid its invoice (and then it is that invoice's payment, for its total)
// or was credited to the wallet; no invoice is paid twice, and no invoice
// has two live orders at once.
func cyclePaidOnceAndAccounted(s *snapshot) string {
	invByID := map[string]core.Invoice{}
	for _, invs := range s.invoices {
		for _, inv := range invs {
			invByID[inv.ID] = inv
		}
	}
	paidBy := map[string][]string{}
	open := map[string][]string{}
	for _, p := range s.payments {
		if p.Purpose != core.PurposeSubscription || p.InvoiceID == "" {
			continue
		}
		if p.Status.Open() && !p.Superseded {
			open[p.InvoiceID] = append(open[p.InvoiceID], p.OrderID)
		}
		if !p.Status.Settled() || lateCredited(p) {
			continue
		}
		inv, ok := invByID[p.InvoiceID]
		if !ok {
			return fmt.Sprintf("payment %s paid invoice %s, which does not exist", p.OrderID, p.InvoiceID)
		}
		if inv.Status != core.InvoicePaid || inv.PaymentID != p.ID {
			if gatewayRefunded(p).Equal(p.Amount) {
				continue // all of it went back through Midtrans before it was applied
			}
			return fmt.Sprintf("payment %s (%s, %s, refunded %s) settled but invoice %s (%s) is %s, paid by %q, and nothing was credited",
				p.OrderID, p.Amount, p.Status, p.Refunded, inv.Key, inv.Total, inv.Status, inv.PaymentID)
		}
		if !inv.Total.Equal(p.Amount) {
			return fmt.Sprintf("invoice %s of %s was paid by %s of %s", inv.Key, inv.Total, p.OrderID, p.Amount)
		}
		paidBy[inv.ID] = append(paidBy[inv.ID], p.OrderID)
	}
	for id, ps := range paidBy {
		if len(ps) > 1 {
			return fmt.Sprintf("invoice %s (%s) was paid %d times: %v", invByID[id].Key, invByID[id].SubscriptionID, len(ps), ps)
		}
	}
	for id, ps := range open {
		if len(ps) > 1 {
			sort.Strings(ps)
			return fmt.Sprintf("invoice %s has %d open orders: %v", invByID[id].Key, len(ps), ps)
		}
	}
	for _, invs := range s.invoices {
		for _, inv := range invs {
			if inv.Status == core.InvoicePaid && len(paidBy[inv.ID]) == 0 {
				return fmt.Sprintf("invoice %s of subscription %s is paid but no payment paid it", inv.Key, inv.SubscriptionID)
			}
		}
	}
	return ""
}

// everyRefundCreditedOnce: money that paid an invoice and went back (a
// refund through Midtrans, direct, at the dashboard, or to the wallet) is
// credited by credit notes on that invoice: the notes of a payment credit
// exactly what was refunded of it, and each of its done refunds is named by
// exactly one note, so a refund learnt twice is never credited twice. (Once
// an invoice's notes credit its whole total, a downgrade's credit
// included, later refunds have nothing left to credit.) The credit notes of
// an invoice never credit more than its total or reverse more PPN than it
// carried, and no note credits money that paid no invoice.
func everyRefundCreditedOnce(s *snapshot) string {
	invByID := map[string]core.Invoice{}
	for _, invs := range s.invoices {
		for _, inv := range invs {
			invByID[inv.ID] = inv
		}
	}
	byInvoice := map[string][]core.CreditNote{}
	byPayment := map[string][]core.CreditNote{}
	for _, n := range s.notes {
		byInvoice[n.InvoiceID] = append(byInvoice[n.InvoiceID], n)
		if n.PaymentID != "" {
			byPayment[n.PaymentID] = append(byPayment[n.PaymentID], n)
		}
	}
	full := map[string]bool{}
	for id, notes := range byInvoice {
		inv, ok := invByID[id]
		if !ok {
			return fmt.Sprintf("credit note %s credits invoice %s, which does not exist", notes[0].Number, id)
		}
		amount, tax := core.Zero(core.IDR), core.Zero(core.IDR)
		for _, n := range notes {
			amount, tax = amount.Add(n.Amount), tax.Add(n.Tax)
		}
		if amount.Cmp(inv.TaxedTotal()) > 0 || tax.Cmp(inv.Tax) > 0 {
			return fmt.Sprintf("invoice %s (%s, PPN %s) is credited %s, PPN %s, by %d credit notes", inv.Number, inv.TaxedTotal(), inv.Tax, amount, tax, len(notes))
		}
		full[id] = amount.Equal(inv.TaxedTotal())
	}
	for _, p := range s.payments {
		notes := byPayment[p.ID]
		inv, ok := invByID[p.InvoiceID]
		if !ok || inv.PaymentID != p.ID || !p.Status.Settled() {
			if len(notes) > 0 {
				return fmt.Sprintf("payment %s paid no invoice, yet credit note %s credits it", p.OrderID, notes[0].Number)
			}
			continue
		}
		credited := core.Zero(core.IDR)
		named := map[string]int{}
		for _, n := range notes {
			credited = credited.Add(n.Amount)
			for _, k := range n.RefundKeys {
				named[k]++
			}
		}
		refunded := p.Refunded
		if !refunded.Valid() {
			refunded = core.Zero(core.IDR)
		}
		if !credited.Equal(refunded) && !(full[inv.ID] && credited.Cmp(refunded) < 0) {
			return fmt.Sprintf("payment %s of invoice %s: %s refunded, %s credited by %d credit notes", p.OrderID, inv.Number, refunded, credited, len(notes))
		}
		for _, r := range p.Refunds {
			if r.Status != core.RefundDone || !r.Amount.IsPositive() {
				continue
			}
			if c := named[r.Key]; c > 1 || c == 0 && !full[inv.ID] {
				return fmt.Sprintf("refund %s (%s) of payment %s is credited by %d credit notes", r.Key, r.Amount, p.OrderID, c)
			}
		}
	}
	return ""
}

// planChangeOnlyWhenPaid: an immediate upgrade gives the new plan only
// once its proration is paid; while its change invoice is unpaid the
// subscription stays on the old plan.
func (w *world) planChangeOnlyWhenPaid(s *snapshot) string {
	for _, sub := range s.subs {
		plan, ok := w.m.plan(sub.PlanID)
		if !ok || sub.Status.Terminal() {
			continue
		}
		for _, inv := range s.invoices[sub.ID] {
			if !strings.HasPrefix(inv.Key, "change-") || inv.Status == core.InvoicePaid || inv.Status == core.InvoiceVoid {
				continue
			}
			for _, l := range inv.Lines {
				if l.Kind == core.LineProrationCharge && l.Description == "Remaining time on "+plan.Name {
					return fmt.Sprintf("subscription %s is on plan %s, whose proration invoice %s (%s) is %s", sub.ID, plan.Slug, inv.Key, inv.Total, inv.Status)
				}
			}
		}
	}
	return ""
}

// renewalSlack is how long past its paid period a subscription may keep
// access while its renewal is being collected: the renewal order's expiry,
// plus the day the engine waits for a Midtrans-scheduled charge.
func (w *world) renewalSlack() time.Duration { return w.cfg.PaymentExpiry + 26*time.Hour }

// accessOnlyWhenEarned: a subscription has access only inside a paid
// period, a trial, or its grace after a failed renewal. Checked while the
// billing engine is caught up with the clock.
func (w *world) accessOnlyWhenEarned(s *snapshot) string {
	if !w.fresh {
		return ""
	}
	collecting := map[string]bool{} // a live order for the next cycle
	for _, p := range s.payments {
		if p.Purpose == core.PurposeSubscription && p.Status.Open() && !p.Superseded &&
			(p.ExpiresAt.IsZero() || s.now.Before(p.ExpiresAt.Add(time.Hour))) {
			collecting[p.SubscriptionID] = true
		}
	}
	for _, sub := range s.subs {
		if collecting[sub.ID] {
			continue
		}
		switch sub.Status {
		case core.SubTrialing:
			if s.now.After(sub.TrialEnd.Add(w.renewalSlack())) {
				return fmt.Sprintf("subscription %s is trialing at %s, its trial ended %s", sub.ID, s.now.Format(time.RFC3339), sub.TrialEnd.Format(time.RFC3339))
			}
		case core.SubActive:
			if sub.Cycle < 1 {
				return fmt.Sprintf("subscription %s is active without a paid cycle", sub.ID)
			}
			slack := w.renewalSlack()
			if sub.Native() {
				// Midtrans retries a failed scheduled charge once a day.
				slack += time.Duration(w.cfg.DunningRetries) * 24 * time.Hour
			}
			if s.now.After(sub.CurrentPeriodEnd.Add(slack)) {
				return fmt.Sprintf("subscription %s is active at %s, its paid period ended %s", sub.ID, s.now.Format(time.RFC3339), sub.CurrentPeriodEnd.Format(time.RFC3339))
			}
		case core.SubPastDue:
			if s.now.After(sub.PastDueSince.Add(w.cfg.GracePeriod + time.Hour)) {
				return fmt.Sprintf("subscription %s is past due since %s, beyond its grace", sub.ID, sub.PastDueSince.Format(time.RFC3339))
			}
		}
	}
	return ""
}

// noPausedOrCancelledTimeBilled: pausing stops time. A period that begins
// while the subscription is paused is not billed for the paused part, and
// nothing is billed for a period that begins after it was cancelled.
func (w *world) noPausedOrCancelledTimeBilled(s *snapshot) string {
	for _, sub := range s.subs {
		sm := w.m.bySub[sub.ID]
		for _, inv := range s.invoices[sub.ID] {
			if inv.Status != core.InvoicePaid || !strings.HasPrefix(inv.Key, "cycle-") {
				continue
			}
			if !sub.CancelledAt.IsZero() && !inv.PeriodStart.Before(sub.CancelledAt) && inv.PaidAt.After(sub.CancelledAt) {
				return fmt.Sprintf("subscription %s cancelled %s was billed %s for %s..%s", sub.ID, sub.CancelledAt.Format(time.RFC3339),
					inv.Total, inv.PeriodStart.Format(time.RFC3339), inv.PeriodEnd.Format(time.RFC3339))
			}
			if sm == nil {
				continue
			}
			for _, p := range sm.pauses {
				to := p.to
				if to.IsZero() {
					to = s.now
				}
				if !p.from.Before(inv.PeriodStart) {
					continue // paused after the period began: resuming moves its end out
				}
				lo, hi := maxTime(p.from, inv.PeriodStart), minTime(to, inv.PeriodEnd)
				if hi.Sub(lo) > time.Hour {
					return fmt.Sprintf("subscription %s paused %s..%s was billed %s for %s..%s", sub.ID, p.from.Format(time.RFC3339),
						to.Format(time.RFC3339), inv.Total, inv.PeriodStart.Format(time.RFC3339), inv.PeriodEnd.Format(time.RFC3339))
				}
			}
		}
	}
	return ""
}

// noTimeBilledTwice: the paid cycles of a subscription follow one another;
// a cycle that begins before the one before it ended bills the same days
// twice.
func noTimeBilledTwice(s *snapshot) string {
	for _, sub := range s.subs {
		var paid []core.Invoice
		for _, inv := range s.invoices[sub.ID] {
			if inv.Status == core.InvoicePaid && inv.Key == core.CycleKey(inv.Cycle) {
				paid = append(paid, inv)
			}
		}
		sort.Slice(paid, func(i, j int) bool { return paid[i].Cycle < paid[j].Cycle })
		for i := 1; i < len(paid); i++ {
			prev, cur := paid[i-1], paid[i]
			if cur.PeriodStart.Before(prev.PeriodEnd.Add(-time.Minute)) {
				return fmt.Sprintf("subscription %s: cycle %d (%s..%s) was billed while cycle %d (%s..%s) still ran", sub.ID,
					cur.Cycle, cur.PeriodStart.Format(time.RFC3339), cur.PeriodEnd.Format(time.RFC3339),
					prev.Cycle, prev.PeriodStart.Format(time.RFC3339), prev.PeriodEnd.Format(time.RFC3339))
			}
		}
	}
	return ""
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// nativeMatchesLocal: for subscriptions Midtrans charges (card and GoPay),
// Midtrans is active exactly when we expect charges, for the amount of our
// next invoice; every local end ends it at Midtrans, and Midtrans charges
// no subscription we do not know. Subscriptions whose Subscription API
// calls were hit by a fault are left out: the service may not have heard
// what Midtrans did.
func (w *world) nativeMatchesLocal(s *snapshot) string {
	byNative := map[string]core.Subscription{}
	for _, sub := range s.subs {
		if sub.MidtransSubscriptionID != "" {
			byNative[sub.MidtransSubscriptionID] = sub
		}
	}
	for _, es := range s.emuSubs {
		if w.m.nativeFaulted[es.ID] {
			continue
		}
		sub, ok := byNative[es.ID]
		if !ok {
			var md struct {
				ID string `json:"langganan_subscription_id"`
			}
			_ = jsonUnmarshal(es.Metadata, &md)
			if es.Status == "active" && !w.m.nativeFaulted[md.ID] {
				return fmt.Sprintf("Midtrans charges subscription %s (ours %s) that is not linked here", es.ID, md.ID)
			}
			continue
		}
		if w.m.nativeFaulted[sub.ID] || s.now.Before(w.m.nativeRepairBy[sub.ID]) {
			continue
		}
		active := es.Status == "active"
		switch {
		case (sub.Status.Terminal() || sub.Status == core.SubPaused) && active:
			return fmt.Sprintf("subscription %s is %s here but active at Midtrans", sub.ID, sub.Status)
		case sub.Status.Live() && sub.NativeDisabled && active:
			return fmt.Sprintf("subscription %s is charged by this service's engine, and Midtrans is active too", sub.ID)
		case sub.Status == core.SubActive && !sub.NativeDisabled && !sub.CancelAtPeriodEnd && sub.ScheduledPlanID == "" &&
			s.now.Before(sub.CurrentPeriodEnd) && (sub.EndsAt.IsZero() || sub.EndsAt.After(sub.CurrentPeriodEnd)) && !active:
			return fmt.Sprintf("subscription %s expects Midtrans to charge it, but Midtrans has it %s", sub.ID, es.Status)
		}
		if active && sub.Status == core.SubActive && !sub.NativeDisabled && sub.CouponID == "" && sub.ScheduledPlanID == "" && w.cfg.TaxRate.IsZero() &&
			(!sub.PendingCredit.Valid() || sub.PendingCredit.IsZero()) && (!sub.CreditNoteBalance.Valid() || sub.CreditNoteBalance.IsZero()) {
			plan, ok := w.m.plan(sub.PlanID)
			if !ok {
				continue
			}
			seats := int64(1)
			if plan.PerSeat {
				seats = int64(max(sub.Quantity, 1))
			}
			want := plan.Price.MulInt(seats)
			if !rupiah(es.Amount + ".00").Equal(want) {
				return fmt.Sprintf("subscription %s: Midtrans charges %s, our next invoice is %s", sub.ID, es.Amount, want)
			}
		}
	}
	return ""
}

// reusableTokenForLaterCharges: the single-use token a customer gave is
// spent by the first charge; renewals and the charge at a card trial's end
// must use the saved, reusable token, so Midtrans never refuses them as an
// unknown or expired token.
func reusableTokenForLaterCharges(s *snapshot) string {
	trial := map[string]bool{}
	for _, sub := range s.subs {
		trial[sub.ID] = !sub.TrialEnd.IsZero()
	}
	for _, p := range s.payments {
		if p.PaymentType != core.PayCreditCard || p.Purpose != core.PurposeSubscription {
			continue
		}
		if (p.Cycle >= 2 || trial[p.SubscriptionID]) && strings.Contains(p.FailureReason, "(411)") {
			return fmt.Sprintf("charge %s (cycle %d) was refused by Midtrans: %s", p.OrderID, p.Cycle, p.FailureReason)
		}
	}
	return ""
}

// checkTransitions: statuses only move along the transition table. A step
// may pass through several statuses; the one seen now must be reachable
// from the one seen last, and a terminal status never changes.
func (w *world) checkTransitions() {
	for _, sub := range w.subs() {
		sm := w.m.bySub[sub.ID]
		if sm == nil {
			w.m.addSub(sub, -1, -1)
			continue
		}
		if sm.status != sub.Status && !reachable(sm.status, sub.Status) {
			w.flag("statusesFollowTheTable", fmt.Sprintf("subscription %s moved %s -> %s", sub.ID, sm.status, sub.Status))
		}
		if sm.status == core.SubPaused && sub.Status != core.SubPaused {
			w.closePause(sub.ID)
		}
		sm.status = sub.Status
	}
}

func reachable(from, to core.SubscriptionStatus) bool {
	seen := map[core.SubscriptionStatus]bool{from: true}
	queue := []core.SubscriptionStatus{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range core.AllSubscriptionStatuses {
			if !seen[next] && core.CanTransition(cur, next) {
				if next == to {
					return true
				}
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	return false
}

// checkIdempotentReplay: a request replayed with its Idempotency-Key
// changes nothing at Midtrans and gets the first answer again.
func checkIdempotentReplay(what string, code1 int, body1 []byte, code2 int, body2 []byte, before, after string) *Violation {
	if code2 >= 200 && code2 < 300 && (code1 != code2 || !bytes.Equal(body1, body2)) {
		// A refusal (Midtrans honours no key for some channels, and says
		// 406 duplicate) is fine; a second, different success is not.
		return &Violation{Invariant: "idempotentReplayChangesNothing", Detail: fmt.Sprintf("%s answered %d then %d with another body on replay", what, code1, code2)}
	}
	if before != after {
		return &Violation{Invariant: "idempotentReplayChangesNothing", Detail: what + " replayed with its Idempotency-Key changed Midtrans' state"}
	}
	return nil
}

// emulatorDigest is Midtrans' state as the control plane shows it, in a
// fixed order (the control plane lists subscriptions created at the same
// moment in any order).
func (w *world) emulatorDigest() string {
	a, _ := json.Marshal(w.emuTxns())
	_, raw := w.emuCall("GET", "/_sim/subscriptions", nil)
	var subs []json.RawMessage
	_ = json.Unmarshal(raw, &subs)
	sort.Slice(subs, func(i, j int) bool { return string(subs[i]) < string(subs[j]) })
	b, _ := json.Marshal(subs)
	return string(a) + string(b)
}
