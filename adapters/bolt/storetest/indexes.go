package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func testIndexes(t *testing.T, open func(t *testing.T) core.Store) {
	t.Run("PlanSlugChange", func(t *testing.T) {
		s := open(t)
		p := plan(newID(), "old")
		update(t, s, func(tx core.Tx) error { return tx.Plans().Put(p) })
		p.Slug = "new"
		update(t, s, func(tx core.Tx) error { return tx.Plans().Put(p) })
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Plans().GetBySlug("old"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("GetBySlug(old) = %v, want ErrNotFound", err)
			}
			same(t, "GetBySlug(new)", must(tx.Plans().GetBySlug("new")), p)
			return nil
		})
	})

	t.Run("UsernameAndAdminChange", func(t *testing.T) {
		s := open(t)
		u := user(newID(), "alice", true)
		update(t, s, func(tx core.Tx) error { return tx.Users().Put(u) })
		u.Username, u.IsAdmin = "alice2", false
		update(t, s, func(tx core.Tx) error { return tx.Users().Put(u) })
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Users().GetByUsername("alice"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("old username still found: %v", err)
			}
			same(t, "new username", must(tx.Users().GetByUsername("alice2")), u)
			if l := must(tx.Users().ListAdmins()); len(l) != 0 {
				t.Errorf("ListAdmins after demotion = %d", len(l))
			}
			return nil
		})
	})

	t.Run("UsernameCaseInsensitive", func(t *testing.T) {
		s := open(t)
		u := user(newID(), "Alice", false)
		update(t, s, func(tx core.Tx) error { return tx.Users().Put(u) })
		view(t, s, func(tx core.Tx) error {
			for _, name := range []string{"alice", "ALICE", "Alice"} {
				same(t, "user by "+name, must(tx.Users().GetByUsername(name)), u)
			}
			return nil
		})
		err := s.Update(ctx, func(tx core.Tx) error { return tx.Users().Put(user(newID(), "aLICE", false)) })
		if !errors.Is(err, core.ErrConflict) {
			t.Errorf("a username differing only in case = %v, want ErrConflict", err)
		}
		u.Username = "ALICE" // its own owner may change the case
		update(t, s, func(tx core.Tx) error { return tx.Users().Put(u) })
		view(t, s, func(tx core.Tx) error {
			same(t, "recased user", must(tx.Users().GetByUsername("alice")), u)
			return nil
		})
	})

	t.Run("TokensByUser", func(t *testing.T) {
		s := open(t)
		alice, bob := newID(), newID()
		t1, t2, t3 := token(newID(), alice, "h1"), token(newID(), bob, "h2"), token(newID(), alice, "h3")
		t3.CreatedAt = at(time.Hour)
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Tokens().Put(t3), tx.Tokens().Put(t1), tx.Tokens().Put(t2))
		})
		view(t, s, func(tx core.Tx) error {
			got := idsOf(must(tx.Tokens().ListByUser(alice)), func(t core.Token) string { return t.ID })
			if !equalIDs(got, t1.ID, t3.ID) {
				t.Errorf("ListByUser(alice) = %v, want oldest first [t1 t3]", got)
			}
			return nil
		})
		update(t, s, func(tx core.Tx) error { return tx.Tokens().Delete(t1.ID) })
		view(t, s, func(tx core.Tx) error {
			got := idsOf(must(tx.Tokens().ListByUser(alice)), func(t core.Token) string { return t.ID })
			if !equalIDs(got, t3.ID) {
				t.Errorf("ListByUser(alice) after delete = %v, want [t3]", got)
			}
			if l := must(tx.Tokens().ListByUser(newID())); len(l) != 0 {
				t.Errorf("ListByUser(nobody) = %v", l)
			}
			return nil
		})
	})

	t.Run("WebhookLogRetention", func(t *testing.T) {
		s := open(t)
		w1 := webhookLog(newID(), at(time.Minute), core.WebhookProcessed)
		w2 := webhookLog(newID(), at(2*time.Minute), core.WebhookRejected)
		w3 := webhookLog(newID(), at(3*time.Minute), core.WebhookProcessed)
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.WebhookLogs().Put(w3), tx.WebhookLogs().Put(w1), tx.WebhookLogs().Put(w2))
		})
		update(t, s, func(tx core.Tx) error {
			if n := must(tx.WebhookLogs().DeleteReceivedBefore(at(3*time.Minute), 1)); n != 1 {
				t.Errorf("DeleteReceivedBefore(max 1) = %d, want 1", n)
			}
			if n := must(tx.WebhookLogs().DeleteReceivedBefore(at(3*time.Minute), 0)); n != 1 {
				t.Errorf("second DeleteReceivedBefore = %d, want 1", n)
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			got := idsOf(must(tx.WebhookLogs().List(0)), func(w core.WebhookLog) string { return w.ID })
			if !equalIDs(got, w3.ID) {
				t.Errorf("logs after pruning = %v, want [w3]", got)
			}
			return nil
		})
		update(t, s, func(tx core.Tx) error { return tx.WebhookLogs().Delete(w3.ID) })
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.WebhookLogs().Get(w3.ID); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("deleted log: %v", err)
			}
			return nil
		})
	})

	t.Run("SubscriptionDueAfter", func(t *testing.T) {
		s := open(t)
		// Several due at the same moment: resuming must not skip or repeat them.
		subs := []core.Subscription{subscription(newID(), newID(), at(30*time.Minute)), subscription(newID(), newID(), at(time.Hour)),
			subscription(newID(), newID(), at(time.Hour)), subscription(newID(), newID(), at(time.Hour)),
			subscription(newID(), newID(), at(2*time.Hour)), subscription(newID(), newID(), time.Time{})}
		update(t, s, func(tx core.Tx) error {
			var errs []error
			for _, sub := range subs {
				errs = append(errs, tx.Subscriptions().Put(sub))
			}
			return errors.Join(errs...)
		})
		var order []core.Subscription
		view(t, s, func(tx core.Tx) error {
			return tx.Subscriptions().ScanDue(at(10*time.Hour), func(s core.Subscription) bool { order = append(order, s); return true })
		})
		if len(order) != 5 {
			t.Fatalf("ScanDue = %d subscriptions, want 5", len(order))
		}
		for _, until := range []time.Duration{10 * time.Hour, time.Hour, 30 * time.Minute} {
			for i, from := range order {
				var got []string
				view(t, s, func(tx core.Tx) error {
					return tx.Subscriptions().ScanDueAfter(at(until), from.NextActionAt, from.ID, func(s core.Subscription) bool {
						got = append(got, s.ID)
						return true
					})
				})
				if want := filterDue(order[i+1:], at(until)); !equalIDs(got, want...) {
					t.Errorf("ScanDueAfter(until %v, after %d) = %v, want %v", until, i, got, want)
				}
			}
		}
	})

	t.Run("SubscriptionDue", func(t *testing.T) {
		s := open(t)
		a := subscription(newID(), newID(), at(3*time.Hour))
		b := subscription(newID(), newID(), at(1*time.Hour))
		c := subscription(newID(), newID(), at(2*time.Hour))
		never := subscription(newID(), newID(), time.Time{})
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Subscriptions().Put(a), tx.Subscriptions().Put(b), tx.Subscriptions().Put(c), tx.Subscriptions().Put(never))
		})
		due := func(until time.Time) []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Subscriptions().ScanDue(until, func(s core.Subscription) bool { out = append(out, s.ID); return true })
			})
			return out
		}
		if got := due(at(2 * time.Hour)); !equalIDs(got, b.ID, c.ID) {
			t.Errorf("ScanDue(2h) = %v, want [b c] (inclusive, earliest first)", got)
		}
		// Move a from 3h to 30m: seen once, at its new place.
		a.NextActionAt = at(30 * time.Minute)
		// Clear c: it leaves the index.
		c.NextActionAt = time.Time{}
		update(t, s, func(tx core.Tx) error { return errors.Join(tx.Subscriptions().Put(a), tx.Subscriptions().Put(c)) })
		if got := due(at(10 * time.Hour)); !equalIDs(got, a.ID, b.ID) {
			t.Errorf("ScanDue after moves = %v, want [a b]", got)
		}
		// Early stop.
		n := 0
		view(t, s, func(tx core.Tx) error {
			return tx.Subscriptions().ScanDue(at(10*time.Hour), func(core.Subscription) bool { n++; return false })
		})
		if n != 1 {
			t.Errorf("ScanDue visited %d after returning false", n)
		}
		// Native id and status index follow changes too.
		old := a.MidtransSubscriptionID
		a.MidtransSubscriptionID, a.Status = "mt-new", core.SubPaused
		update(t, s, func(tx core.Tx) error { return tx.Subscriptions().Put(a) })
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Subscriptions().GetByNativeID(old); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("old native id still found: %v", err)
			}
			same(t, "new native id", must(tx.Subscriptions().GetByNativeID("mt-new")), a)
			counts := must(tx.Subscriptions().CountByStatus())
			if counts[core.SubActive] != 3 || counts[core.SubPaused] != 1 {
				t.Errorf("CountByStatus = %v, want active:3 paused:1", counts)
			}
			return nil
		})
	})

	t.Run("SubscriptionCountOwners", func(t *testing.T) {
		s := open(t)
		ann, budi, citra := newID(), newID(), newID()
		// Ann's first subscription (the owner index's first entry of hers)
		// is paused, her next two active: she counts once among the active.
		subs := []struct {
			owner  string
			status core.SubscriptionStatus
		}{{ann, core.SubPaused}, {ann, core.SubActive}, {ann, core.SubActive}, {budi, core.SubPaused}, {citra, core.SubActive}, {citra, core.SubCancelled}}
		update(t, s, func(tx core.Tx) error {
			for i, c := range subs {
				sub := subscription(newID(), c.owner, time.Time{})
				sub.Status, sub.CreatedAt = c.status, at(time.Duration(i)*time.Hour)
				if err := tx.Subscriptions().Put(sub); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			for st, want := range map[core.SubscriptionStatus]int{core.SubActive: 2, core.SubPaused: 2, core.SubCancelled: 1, core.SubPastDue: 0} {
				if n := must(tx.Subscriptions().CountOwners(st)); n != want {
					t.Errorf("CountOwners(%s) = %d, want %d", st, n, want)
				}
			}
			return nil
		})
	})

	t.Run("SubscriptionScanAll", func(t *testing.T) {
		s := open(t)
		var all []string
		update(t, s, func(tx core.Tx) error {
			for range 5 {
				sub := subscription(newID(), newID(), time.Time{})
				all = append(all, sub.ID)
				if err := tx.Subscriptions().Put(sub); err != nil {
					return err
				}
			}
			return nil
		})
		var got []string
		view(t, s, func(tx core.Tx) error {
			return tx.Subscriptions().ScanAll("", func(s core.Subscription) bool { got = append(got, s.ID); return true })
		})
		for i := 1; i < len(got); i++ {
			if got[i-1] >= got[i] {
				t.Errorf("ScanAll not in id order: %v", got)
			}
		}
		if len(got) != 5 {
			t.Fatalf("ScanAll = %d, want 5", len(got))
		}
		var rest []string
		view(t, s, func(tx core.Tx) error {
			return tx.Subscriptions().ScanAll(got[1], func(s core.Subscription) bool { rest = append(rest, s.ID); return true })
		})
		if !equalIDs(rest, got[2:]...) {
			t.Errorf("ScanAll(after %s) = %v, want %v", got[1], rest, got[2:])
		}
	})

	t.Run("PaymentRefundCheck", func(t *testing.T) {
		s := open(t)
		owner, sub := newID(), newID()
		p1 := payment(newID(), owner, sub, "SUB-C1", core.PaymentPaid, at(0))
		p2 := payment(newID(), owner, sub, "SUB-C2", core.PaymentPaid, at(0))
		p3 := payment(newID(), owner, sub, "SUB-C3", core.PaymentPaid, at(0))
		p1.RefundCheckAt, p2.RefundCheckAt = at(2*time.Hour), at(1*time.Hour)
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Payments().Put(p1), tx.Payments().Put(p2), tx.Payments().Put(p3))
		})
		due := func(before time.Time) []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Payments().ScanRefundCheck(before, func(p core.Payment) bool { out = append(out, p.ID); return true })
			})
			return out
		}
		if got := due(at(3 * time.Hour)); !equalIDs(got, p2.ID, p1.ID) {
			t.Errorf("ScanRefundCheck(3h) = %v, want earliest first [p2 p1]", got)
		}
		if got := due(at(90 * time.Minute)); !equalIDs(got, p2.ID) {
			t.Errorf("ScanRefundCheck(90m) = %v, want [p2]", got)
		}
		p2.RefundCheckAt = time.Time{}
		update(t, s, func(tx core.Tx) error { return tx.Payments().Put(p2) })
		if got := due(at(3 * time.Hour)); !equalIDs(got, p1.ID) {
			t.Errorf("ScanRefundCheck after p2's last check = %v, want [p1]", got)
		}
	})

	t.Run("PaymentRefunding", func(t *testing.T) {
		s := open(t)
		owner, sub := newID(), newID()
		p1 := payment(newID(), owner, sub, "SUB-R1", core.PaymentPaid, at(2*time.Hour))
		p2 := payment(newID(), owner, sub, "SUB-R2", core.PaymentPaid, at(1*time.Hour))
		p3 := payment(newID(), owner, sub, "SUB-R3", core.PaymentPaid, at(3*time.Hour))
		p1.Refunds = []core.Refund{{Key: "k1", Status: core.RefundRequested}}
		p2.Refunds = []core.Refund{{Key: "k2", Status: core.RefundDone}, {Key: "k3", Status: core.RefundRequested}}
		p3.Refunds = []core.Refund{{Key: "k4", Status: core.RefundFailed}}
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Payments().Put(p1), tx.Payments().Put(p2), tx.Payments().Put(p3))
		})
		refunding := func() []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Payments().ScanRefunding(func(p core.Payment) bool { out = append(out, p.ID); return true })
			})
			return out
		}
		if got := refunding(); !equalIDs(got, p2.ID, p1.ID) {
			t.Errorf("ScanRefunding = %v, want oldest first [p2 p1]", got)
		}
		p1.Refunds[0].Status = core.RefundDone
		update(t, s, func(tx core.Tx) error { return tx.Payments().Put(p1) })
		if got := refunding(); !equalIDs(got, p2.ID) {
			t.Errorf("ScanRefunding after p1's refund settled = %v, want [p2]", got)
		}
	})

	t.Run("PaymentOpen", func(t *testing.T) {
		s := open(t)
		owner, sub := newID(), newID()
		p1 := payment(newID(), owner, sub, "SUB-1", core.PaymentPending, at(2*time.Hour))
		p2 := payment(newID(), owner, sub, "SUB-2", core.PaymentCreating, at(1*time.Hour))
		p3 := payment(newID(), owner, sub, "SUB-3", core.PaymentChallenge, at(3*time.Hour))
		p4 := payment(newID(), owner, sub, "SUB-4", core.PaymentPaid, at(0))
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Payments().Put(p1), tx.Payments().Put(p2), tx.Payments().Put(p3), tx.Payments().Put(p4))
		})
		open := func() []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Payments().ScanOpen(func(p core.Payment) bool { out = append(out, p.ID); return true })
			})
			return out
		}
		if got := open(); !equalIDs(got, p2.ID, p1.ID, p3.ID) {
			t.Errorf("ScanOpen = %v, want oldest first [p2 p1 p3]", got)
		}
		p1.Status = core.PaymentPaid
		p4.OrderID = "SUB-4b"
		update(t, s, func(tx core.Tx) error { return errors.Join(tx.Payments().Put(p1), tx.Payments().Put(p4)) })
		if got := open(); !equalIDs(got, p2.ID, p3.ID) {
			t.Errorf("ScanOpen after p1 paid = %v, want [p2 p3]", got)
		}
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Payments().GetByOrderID("SUB-4"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("old order id still found: %v", err)
			}
			same(t, "new order id", must(tx.Payments().GetByOrderID("SUB-4b")), p4)
			l := must(tx.Payments().ListBySubscription(sub))
			if got := idsOf(l, func(p core.Payment) string { return p.ID }); !equalIDs(got, p4.ID, p2.ID, p1.ID, p3.ID) {
				t.Errorf("ListBySubscription = %v, want oldest first", got)
			}
			return nil
		})
	})

	t.Run("InvoiceOpenDue", func(t *testing.T) {
		s := open(t)
		owner, sub := newID(), newID()
		i1 := invoice(newID(), owner, sub, "cycle-1", "INV-1", core.InvoiceOpen, at(time.Hour))
		i2 := invoice(newID(), owner, sub, "cycle-2", "INV-2", core.InvoiceOpen, at(2*time.Hour))
		i3 := invoice(newID(), owner, sub, "cycle-3", "INV-3", core.InvoicePaid, at(0))
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Invoices().Put(i1), tx.Invoices().Put(i2), tx.Invoices().Put(i3))
		})
		due := func(before time.Time) []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Invoices().ScanOpenDue(before, func(v core.Invoice) bool { out = append(out, v.ID); return true })
			})
			return out
		}
		if got := due(at(2 * time.Hour)); !equalIDs(got, i1.ID) {
			t.Errorf("ScanOpenDue(2h) = %v, want [i1] (strictly before)", got)
		}
		i1.Status = core.InvoicePaid
		i1.Number = "INV-1b"
		update(t, s, func(tx core.Tx) error { return tx.Invoices().Put(i1) })
		if got := due(at(10 * time.Hour)); !equalIDs(got, i2.ID) {
			t.Errorf("ScanOpenDue after paying i1 = %v, want [i2]", got)
		}
		// The freed number can be reused.
		update(t, s, func(tx core.Tx) error {
			return tx.Invoices().Put(invoice(newID(), owner, sub, "cycle-4", "INV-1", core.InvoiceDraft, time.Time{}))
		})
	})

	t.Run("WebhookLogs", func(t *testing.T) {
		s := open(t)
		w1 := webhookLog(newID(), at(time.Minute), core.WebhookReceived)
		w2 := webhookLog(newID(), at(2*time.Minute), core.WebhookReceived)
		w3 := webhookLog(newID(), at(3*time.Minute), core.WebhookProcessed)
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.WebhookLogs().Put(w3), tx.WebhookLogs().Put(w1), tx.WebhookLogs().Put(w2))
		})
		received := func() []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.WebhookLogs().ScanReceived(func(w core.WebhookLog) bool { out = append(out, w.ID); return true })
			})
			return out
		}
		if got := received(); !equalIDs(got, w1.ID, w2.ID) {
			t.Errorf("ScanReceived = %v, want [w1 w2]", got)
		}
		w1.Status = core.WebhookProcessed
		update(t, s, func(tx core.Tx) error { return tx.WebhookLogs().Put(w1) })
		if got := received(); !equalIDs(got, w2.ID) {
			t.Errorf("ScanReceived after processing w1 = %v, want [w2]", got)
		}
		view(t, s, func(tx core.Tx) error {
			got := idsOf(must(tx.WebhookLogs().List(2)), func(w core.WebhookLog) string { return w.ID })
			if !equalIDs(got, w3.ID, w2.ID) {
				t.Errorf("List(2) = %v, want newest first [w3 w2]", got)
			}
			if n := len(must(tx.WebhookLogs().List(0))); n != 3 {
				t.Errorf("List(0) = %d logs, want all 3", n)
			}
			return nil
		})
		update(t, s, func(tx core.Tx) error {
			if !must(tx.WebhookLogs().MarkApplied("SUB-1|settlement|200", "")) {
				t.Error("first MarkApplied = false")
			}
			if must(tx.WebhookLogs().MarkApplied("SUB-1|settlement|200", "")) {
				t.Error("second MarkApplied in the same tx = true")
			}
			return nil
		})
		update(t, s, func(tx core.Tx) error {
			if must(tx.WebhookLogs().MarkApplied("SUB-1|settlement|200", "")) {
				t.Error("MarkApplied in a later tx = true")
			}
			return nil
		})
		// Events of a payment, marked with its id; one marked without it
		// (as before that layout, or by a restore) is still found when the
		// id comes with it.
		payID := newID()
		update(t, s, func(tx core.Tx) error {
			if !must(tx.WebhookLogs().MarkApplied("SUB-PAID|pending|201", "")) {
				t.Error("first MarkApplied without a payment = false")
			}
			for _, k := range []string{"SUB-PAID|settlement|200", "SUB-PAID|refund|200|1000"} {
				if !must(tx.WebhookLogs().MarkApplied(k, payID)) {
					t.Errorf("first MarkApplied(%s) = false", k)
				}
			}
			return nil
		})
		update(t, s, func(tx core.Tx) error {
			for _, k := range []string{"SUB-PAID|pending|201", "SUB-PAID|settlement|200", "SUB-PAID|refund|200|1000"} {
				if must(tx.WebhookLogs().MarkApplied(k, payID)) {
					t.Errorf("MarkApplied(%s) again = true", k)
				}
			}
			if !must(tx.WebhookLogs().MarkApplied("SUB-PAID|refund|200|2000", payID)) {
				t.Error("a new event of a known payment counted as applied")
			}
			return nil
		})
	})

	t.Run("WebhookLogsByOrder", func(t *testing.T) {
		s := open(t)
		w1 := webhookLog(newID(), at(2*time.Minute), core.WebhookProcessed)
		w2 := webhookLog(newID(), at(time.Minute), core.WebhookDuplicate)
		other := webhookLog(newID(), at(0), core.WebhookProcessed)
		other.OrderID = "SUB-2"
		none := webhookLog(newID(), at(0), core.WebhookRejected)
		none.OrderID = ""
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.WebhookLogs().Put(w1), tx.WebhookLogs().Put(w2), tx.WebhookLogs().Put(other), tx.WebhookLogs().Put(none))
		})
		byOrder := func(order string) []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				out = idsOf(must(tx.WebhookLogs().ListByOrder(order)), func(w core.WebhookLog) string { return w.ID })
				return nil
			})
			return out
		}
		if got := byOrder("SUB-1"); !equalIDs(got, w2.ID, w1.ID) {
			t.Errorf("ListByOrder(SUB-1) = %v, want oldest first [w2 w1]", got)
		}
		if got := byOrder(""); len(got) != 0 {
			t.Errorf("ListByOrder(\"\") = %v, want none", got)
		}
		// The order moves with the record, and a deleted log leaves it.
		w2.OrderID = "SUB-2"
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.WebhookLogs().Put(w2), tx.WebhookLogs().Delete(other.ID))
		})
		if got := byOrder("SUB-1"); !equalIDs(got, w1.ID) {
			t.Errorf("ListByOrder(SUB-1) after a move = %v, want [w1]", got)
		}
		if got := byOrder("SUB-2"); !equalIDs(got, w2.ID) {
			t.Errorf("ListByOrder(SUB-2) after a move and a delete = %v, want [w2]", got)
		}
	})

	t.Run("SubscriptionsByStatus", func(t *testing.T) {
		s := open(t)
		var active, pastDue []string
		update(t, s, func(tx core.Tx) error {
			for i := range 6 {
				sub := subscription(newID(), newID(), time.Time{})
				sub.Status = core.SubActive
				if i%3 == 0 {
					sub.Status = core.SubPastDue
					pastDue = append(pastDue, sub.ID)
				} else {
					active = append(active, sub.ID)
				}
				if err := tx.Subscriptions().Put(sub); err != nil {
					return err
				}
			}
			return nil
		})
		scan := func(st core.SubscriptionStatus) []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Subscriptions().ScanByStatus(st, func(s core.Subscription) bool { out = append(out, s.ID); return true })
			})
			slices.Sort(out)
			return out
		}
		slices.Sort(active)
		slices.Sort(pastDue)
		if got := scan(core.SubActive); !equalIDs(got, active...) {
			t.Errorf("ScanByStatus(active) = %v, want %v", got, active)
		}
		if got := scan(core.SubPastDue); !equalIDs(got, pastDue...) {
			t.Errorf("ScanByStatus(past_due) = %v, want %v", got, pastDue)
		}
		if got := scan(core.SubPaused); len(got) != 0 {
			t.Errorf("ScanByStatus(paused) = %v, want none", got)
		}
		// A status change moves the subscription between scans.
		update(t, s, func(tx core.Tx) error {
			sub := must(tx.Subscriptions().Get(pastDue[0]))
			sub.Status = core.SubActive
			return tx.Subscriptions().Put(sub)
		})
		if got := scan(core.SubPastDue); !equalIDs(got, pastDue[1:]...) {
			t.Errorf("ScanByStatus(past_due) after a change = %v, want %v", got, pastDue[1:])
		}
	})

	t.Run("DailyFiguresRange", func(t *testing.T) {
		s := open(t)
		days := []string{"2026-02-01", "2025-12-31", "2026-01-15", "2026-01-31", "2026-01-01"}
		update(t, s, func(tx core.Tx) error {
			for _, d := range days {
				if err := tx.Figures().Put(figures(d)); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			got := idsOf(must(tx.Figures().List("2026-01-01", "2026-01-31")), func(f core.DailyFigures) string { return f.Day })
			if !equalIDs(got, "2026-01-01", "2026-01-15", "2026-01-31") {
				t.Errorf("List(January) = %v, want its three days in order", got)
			}
			if got := must(tx.Figures().List("2026-03-01", "2026-03-31")); len(got) != 0 {
				t.Errorf("List(March) = %v, want none", got)
			}
			if _, err := tx.Figures().Get("2026-01-02"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("Get of a day without figures = %v, want not found", err)
			}
			return nil
		})
		for _, bad := range []string{"", "2026-1-5", "2026-02-30", "yesterday"} {
			if err := s.Update(ctx, func(tx core.Tx) error { return tx.Figures().Put(figures(bad)) }); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("Put(day %q) = %v, want invalid", bad, err)
			}
		}
	})

	t.Run("NotificationsQueued", func(t *testing.T) {
		s := open(t)
		userID := newID()
		n1 := notification(newID(), userID, core.NotifQueued, at(2*time.Hour))
		n2 := notification(newID(), userID, core.NotifQueued, time.Time{}) // due at once
		n3 := notification(newID(), userID, core.NotifSent, at(0))
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Notifications().Put(n1), tx.Notifications().Put(n2), tx.Notifications().Put(n3))
		})
		queued := func(until time.Time) []string {
			var out []string
			view(t, s, func(tx core.Tx) error {
				return tx.Notifications().ScanQueued(until, func(n core.Notification) bool { out = append(out, n.ID); return true })
			})
			return out
		}
		if got := queued(at(2 * time.Hour)); !equalIDs(got, n2.ID, n1.ID) {
			t.Errorf("ScanQueued = %v, want [n2 n1]", got)
		}
		if got := queued(at(time.Hour)); !equalIDs(got, n2.ID) {
			t.Errorf("ScanQueued(1h) = %v, want [n2]", got)
		}
		n2.Status = core.NotifSent
		update(t, s, func(tx core.Tx) error { return tx.Notifications().Put(n2) })
		if got := queued(at(2 * time.Hour)); !equalIDs(got, n1.ID) {
			t.Errorf("ScanQueued after sending n2 = %v, want [n1]", got)
		}
	})

	t.Run("IdempotencyExpiry", func(t *testing.T) {
		s := open(t)
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.Idempotency().Put(idem("a", at(time.Hour))), tx.Idempotency().Put(idem("b", at(2*time.Hour))),
				tx.Idempotency().Put(idem("c", at(3*time.Hour))), tx.Idempotency().Put(idem("forever", time.Time{})))
		})
		// Moving an expiry moves its index entry.
		update(t, s, func(tx core.Tx) error { return tx.Idempotency().Put(idem("c", at(10*time.Hour))) })
		update(t, s, func(tx core.Tx) error {
			if n := must(tx.Idempotency().DeleteExpired(at(5*time.Hour), 1)); n != 1 {
				t.Errorf("DeleteExpired(max 1) = %d", n)
			}
			if n := must(tx.Idempotency().DeleteExpired(at(5*time.Hour), 10)); n != 1 {
				t.Errorf("second DeleteExpired = %d, want 1", n)
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			for _, k := range []string{"a", "b"} {
				if _, err := tx.Idempotency().Get(k); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("%s not deleted: %v", k, err)
				}
			}
			for _, k := range []string{"c", "forever"} {
				if _, err := tx.Idempotency().Get(k); err != nil {
					t.Errorf("%s: %v", k, err)
				}
			}
			return nil
		})
	})

	t.Run("OwnerMoves", func(t *testing.T) {
		s := open(t)
		o1, o2 := newID(), newID()
		tu := topUp(newID(), o1)
		w := wallet(newID(), o1)
		m := method(newID(), o1, "acc-a")
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.TopUps().Put(tu), tx.Wallets().Put(w), tx.PaymentMethods().Put(m))
		})
		tu.OwnerID, w.OwnerID, m.OwnerID, m.AccountID = o2, o2, o2, "acc-b"
		update(t, s, func(tx core.Tx) error {
			return errors.Join(tx.TopUps().Put(tu), tx.Wallets().Put(w), tx.PaymentMethods().Put(m))
		})
		view(t, s, func(tx core.Tx) error {
			if len(must(tx.TopUps().ListByOwner(o1)))+len(must(tx.PaymentMethods().ListByOwner(o1))) != 0 {
				t.Error("old owner still lists records")
			}
			if _, err := tx.Wallets().GetByOwner(o1); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("old owner's wallet: %v", err)
			}
			if _, err := tx.PaymentMethods().GetByAccountID("acc-a"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("old account id: %v", err)
			}
			same(t, "wallet by new owner", must(tx.Wallets().GetByOwner(o2)), w)
			same(t, "method by new account", must(tx.PaymentMethods().GetByAccountID("acc-b")), m)
			checkList(t, "topups of new owner", must(tx.TopUps().ListByOwner(o2)), 1)
			return nil
		})
	})
}

func equalIDs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func idsOf[T any](l []T, id func(T) string) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = id(v)
	}
	return out
}

// filterDue answers the ids of subs due by t, in order.
func filterDue(subs []core.Subscription, t time.Time) []string {
	var out []string
	for _, s := range subs {
		if !s.NextActionAt.After(t) {
			out = append(out, s.ID)
		}
	}
	return out
}
