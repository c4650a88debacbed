// Package storetest is the storage contract: one suite that every
// core.Store implementation must pass (the bbolt file store and the memory
// store both run it from adapters/bolt).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// Run runs the whole contract; open must return a fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) core.Store) {
	t.Run("FixturesSetEveryField", testFixturesComplete)
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, open(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("OutboxSameTransaction", func(t *testing.T) { testOutbox(t, open(t)) })
	t.Run("Meta", func(t *testing.T) { testMeta(t, open(t)) })
	t.Run("Indexes", func(t *testing.T) { testIndexes(t, open) })
	t.Run("UniqueConflicts", func(t *testing.T) { testConflicts(t, open(t)) })
	t.Run("ViewRefusesWrites", func(t *testing.T) { testViewRefusesWrites(t, open(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, open(t)) })
	t.Run("ConcurrentUpdates", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("NumberingUnderConcurrency", func(t *testing.T) { testNumbering(t, open(t)) })
	t.Run("CreditNoteNumberingUnderConcurrency", func(t *testing.T) { testCreditNoteNumbering(t, open(t)) })
	t.Run("CreditNotes", func(t *testing.T) { testCreditNotes(t, open(t)) })
	t.Run("SnapshotReads", func(t *testing.T) { testSnapshot(t, open(t)) })
	t.Run("ScanWhileWriting", func(t *testing.T) { testScanWhileWriting(t, open(t)) })
	t.Run("Organizations", func(t *testing.T) { testOrgs(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
}

var ctx = context.Background()

func update(t *testing.T, s core.Store, fn func(tx core.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s core.Store, fn func(tx core.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); len(d) > 0 {
		t.Errorf("%s differs (got vs want):\n%v", what, d)
	}
}

func testFixturesComplete(t *testing.T) {
	t.Parallel()
	for _, v := range []any{
		plan(newID(), "p"), user(newID(), "u", true), token(newID(), newID(), "h"),
		subscription(newID(), newID(), at(0)), payment(newID(), newID(), newID(), "o", core.PaymentPending, at(0)),
		invoice(newID(), newID(), newID(), "k", "n", core.InvoiceOpen, at(0)),
		webhookLog(newID(), at(0), core.WebhookReceived), wallet(newID(), newID()), entry(newID(), 1),
		topUp(newID(), newID()), method(newID(), newID(), "a"), notification(newID(), newID(), core.NotifQueued, at(0)),
		idem("k", at(0)), creditNote(newID(), newID(), newID(), "k", "n", at(0)), figures("2026-01-31"),
		session(newID(), newID(), "h", at(time.Hour)), portalLink(newID(), newID(), "h", at(time.Hour)),
		core.PlanChange{}, core.Refund{}, core.InvoiceLine{},
	} {
		if z := zeroFields(v); len(z) > 0 && !isNested(v) {
			t.Errorf("%T fixture leaves %v zero: extend the fixture (and the record converter)", v, z)
		}
	}
	// Nested values are checked through their parents' fixtures.
	for _, v := range []any{subscription(newID(), newID(), at(0)).PlanHistory[0],
		payment(newID(), newID(), newID(), "o", core.PaymentPending, at(0)).Refunds[0],
		invoice(newID(), newID(), newID(), "k", "n", core.InvoiceOpen, at(0)).Lines[0]} {
		if z := zeroFields(v); len(z) > 0 {
			t.Errorf("%T fixture leaves %v zero", v, z)
		}
	}
	if z := zeroFields(event("x")); len(z) != 1 || z[0] != "Seq" {
		t.Errorf("Event fixture leaves %v zero, want only Seq", z)
	}
}

func isNested(v any) bool {
	switch v.(type) {
	case core.PlanChange, core.Refund, core.InvoiceLine:
		return true
	}
	return false
}

// roundTrip is one aggregate: put it in one transaction, read it back in another.
type roundTrip struct {
	name string
	put  func(core.Tx) error
	get  func(core.Tx) (any, error)
	want any
}

func testRoundTrip(t *testing.T, s core.Store) {
	owner := newID()
	p := plan(newID(), "pro")
	u := user(newID(), "budi", true)
	tk := token(newID(), u.ID, core.HashToken("secret"))
	sub := subscription(newID(), owner, at(time.Hour))
	pay := payment(newID(), owner, sub.ID, "SUB-AAA", core.PaymentPending, at(0))
	inv := invoice(newID(), owner, sub.ID, core.CycleKey(1), "INV-202501-000001", core.InvoiceOpen, at(24*time.Hour))
	wh := webhookLog(newID(), at(0), core.WebhookReceived)
	w := wallet(newID(), owner)
	tu := topUp(newID(), owner)
	m := method(newID(), owner, "acc-1")
	n := notification(newID(), u.ID, core.NotifQueued, at(0))
	ir := idem("user|key-1", at(24*time.Hour))
	fig := figures("2026-01-31")
	// Records a JSON store must not bend: empty-but-present collections,
	// invalid (zero) money, negative and fractional amounts.
	bare := core.Plan{ID: newID(), Slug: "bare", Features: map[string]any{}}
	odd := subscription(newID(), owner, time.Time{})
	odd.PendingCredit, odd.PlanHistory, odd.Metadata = core.Money{}, []core.PlanChange{}, nil
	odd.CreatedAt = at(time.Hour) // lists by owner are oldest first

	cases := []roundTrip{
		{"plan", func(tx core.Tx) error { return tx.Plans().Put(p) }, func(tx core.Tx) (any, error) { return tx.Plans().Get(p.ID) }, p},
		{"plan by slug", nil, func(tx core.Tx) (any, error) { return tx.Plans().GetBySlug("pro") }, p},
		{"bare plan", func(tx core.Tx) error { return tx.Plans().Put(bare) }, func(tx core.Tx) (any, error) { return tx.Plans().Get(bare.ID) }, bare},
		{"user", func(tx core.Tx) error { return tx.Users().Put(u) }, func(tx core.Tx) (any, error) { return tx.Users().Get(u.ID) }, u},
		{"user by username", nil, func(tx core.Tx) (any, error) { return tx.Users().GetByUsername("budi") }, u},
		{"token", func(tx core.Tx) error { return tx.Tokens().Put(tk) }, func(tx core.Tx) (any, error) { return tx.Tokens().Get(tk.ID) }, tk},
		{"token by hash", nil, func(tx core.Tx) (any, error) { return tx.Tokens().GetByHash(tk.Hash) }, tk},
		{"subscription", func(tx core.Tx) error { return tx.Subscriptions().Put(sub) }, func(tx core.Tx) (any, error) { return tx.Subscriptions().Get(sub.ID) }, sub},
		{"subscription by native id", nil, func(tx core.Tx) (any, error) { return tx.Subscriptions().GetByNativeID(sub.MidtransSubscriptionID) }, sub},
		{"odd subscription", func(tx core.Tx) error { return tx.Subscriptions().Put(odd) }, func(tx core.Tx) (any, error) { return tx.Subscriptions().Get(odd.ID) }, odd},
		{"payment", func(tx core.Tx) error { return tx.Payments().Put(pay) }, func(tx core.Tx) (any, error) { return tx.Payments().Get(pay.ID) }, pay},
		{"payment by order id", nil, func(tx core.Tx) (any, error) { return tx.Payments().GetByOrderID("SUB-AAA") }, pay},
		{"invoice", func(tx core.Tx) error { return tx.Invoices().Put(inv) }, func(tx core.Tx) (any, error) { return tx.Invoices().Get(inv.ID) }, inv},
		{"invoice by key", nil, func(tx core.Tx) (any, error) { return tx.Invoices().GetByKey(sub.ID, core.CycleKey(1)) }, inv},
		{"webhook log", func(tx core.Tx) error { return tx.WebhookLogs().Put(wh) }, func(tx core.Tx) (any, error) { return tx.WebhookLogs().Get(wh.ID) }, wh},
		{"wallet", func(tx core.Tx) error { return tx.Wallets().Put(w) }, func(tx core.Tx) (any, error) { return tx.Wallets().Get(w.ID) }, w},
		{"wallet by owner", nil, func(tx core.Tx) (any, error) { return tx.Wallets().GetByOwner(owner) }, w},
		{"top-up", func(tx core.Tx) error { return tx.TopUps().Put(tu) }, func(tx core.Tx) (any, error) { return tx.TopUps().Get(tu.ID) }, tu},
		{"payment method", func(tx core.Tx) error { return tx.PaymentMethods().Put(m) }, func(tx core.Tx) (any, error) { return tx.PaymentMethods().Get(m.ID) }, m},
		{"payment method by account", nil, func(tx core.Tx) (any, error) { return tx.PaymentMethods().GetByAccountID("acc-1") }, m},
		{"notification", func(tx core.Tx) error { return tx.Notifications().Put(n) }, func(tx core.Tx) (any, error) { return tx.Notifications().Get(n.ID) }, n},
		{"idempotency record", func(tx core.Tx) error { return tx.Idempotency().Put(ir) }, func(tx core.Tx) (any, error) { return tx.Idempotency().Get(ir.Key) }, ir},
		{"daily figures", func(tx core.Tx) error { return tx.Figures().Put(fig) }, func(tx core.Tx) (any, error) { return tx.Figures().Get(fig.Day) }, fig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.put != nil {
				update(t, s, c.put)
			}
			view(t, s, func(tx core.Tx) error {
				got, err := c.get(tx)
				if err != nil {
					return err
				}
				same(t, c.name, got, c.want)
				return nil
			})
		})
	}

	t.Run("lists", func(t *testing.T) {
		view(t, s, func(tx core.Tx) error {
			checkList(t, "Plans.List", must(tx.Plans().List()), 2)
			same(t, "ListAdmins", must(tx.Users().ListAdmins()), []core.User{u})
			if n := must(tx.Users().Count()); n != 1 {
				t.Errorf("Users.Count = %d, want 1", n)
			}
			same(t, "Subscriptions.ListByOwner", must(tx.Subscriptions().ListByOwner(owner)), []core.Subscription{sub, odd})
			same(t, "Payments.ListByOwner", must(tx.Payments().ListByOwner(owner)), []core.Payment{pay})
			same(t, "Payments.ListBySubscription", must(tx.Payments().ListBySubscription(sub.ID)), []core.Payment{pay})
			same(t, "Invoices.ListByOwner", must(tx.Invoices().ListByOwner(owner)), []core.Invoice{inv})
			same(t, "Invoices.ListBySubscription", must(tx.Invoices().ListBySubscription(sub.ID)), []core.Invoice{inv})
			same(t, "TopUps.ListByOwner", must(tx.TopUps().ListByOwner(owner)), []core.TopUp{tu})
			same(t, "PaymentMethods.ListByOwner", must(tx.PaymentMethods().ListByOwner(owner)), []core.PaymentMethod{m})
			same(t, "Notifications.ListByUser", must(tx.Notifications().ListByUser(u.ID)), []core.Notification{n})
			same(t, "WebhookLogs.List", must(tx.WebhookLogs().List(10)), []core.WebhookLog{wh})
			counts := must(tx.Subscriptions().CountByStatus())
			if counts[core.SubActive] != 2 || len(counts) != 1 {
				t.Errorf("CountByStatus = %v, want active:2", counts)
			}
			var walletsSeen []core.Wallet
			if err := tx.Wallets().ScanAll(func(w core.Wallet) bool { walletsSeen = append(walletsSeen, w); return true }); err != nil {
				return err
			}
			same(t, "Wallets.ScanAll", walletsSeen, []core.Wallet{w})
			return nil
		})
		// Lists of an unknown owner are empty, not an error.
		view(t, s, func(tx core.Tx) error {
			if l := must(tx.Subscriptions().ListByOwner(newID())); len(l) != 0 {
				t.Errorf("ListByOwner(unknown) = %d items", len(l))
			}
			if l := must(tx.Payments().ListByOwner("not-a-uuid")); len(l) != 0 {
				t.Errorf("ListByOwner(not-a-uuid) = %d items", len(l))
			}
			return nil
		})
	})

	t.Run("wallet entries", func(t *testing.T) {
		e1, e2, e3 := entry(w.ID, 1), entry(w.ID, 2), entry(w.ID, 10)
		other := entry(newID(), 1)
		update(t, s, func(tx core.Tx) error {
			for _, e := range []core.WalletEntry{e3, e1, other, e2} {
				if err := tx.Wallets().AppendEntry(e); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx core.Tx) error {
			same(t, "Entries", must(tx.Wallets().Entries(w.ID)), []core.WalletEntry{e1, e2, e3})
			if l := must(tx.Wallets().Entries(newID())); len(l) != 0 {
				t.Errorf("Entries(unknown) = %v", l)
			}
			return nil
		})
		err := s.Update(ctx, func(tx core.Tx) error { return tx.Wallets().AppendEntry(entry(w.ID, 2)) })
		if !errors.Is(err, core.ErrConflict) {
			t.Errorf("AppendEntry(duplicate seq) = %v, want ErrConflict", err)
		}
	})

	t.Run("replace keeps one record", func(t *testing.T) {
		p2 := p
		p2.Name, p2.Price = "Pro Plus", rp("99000.50")
		update(t, s, func(tx core.Tx) error { return tx.Plans().Put(p2) })
		view(t, s, func(tx core.Tx) error {
			same(t, "replaced plan", must(tx.Plans().Get(p.ID)), p2)
			checkList(t, "Plans.List", must(tx.Plans().List()), 2)
			return nil
		})
	})

	t.Run("deletes", func(t *testing.T) {
		update(t, s, func(tx core.Tx) error {
			if err := tx.Tokens().Delete(tk.ID); err != nil {
				return err
			}
			return tx.PaymentMethods().Delete(m.ID)
		})
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.Tokens().GetByHash(tk.Hash); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("GetByHash after Delete = %v, want ErrNotFound", err)
			}
			if _, err := tx.PaymentMethods().GetByAccountID("acc-1"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("GetByAccountID after Delete = %v, want ErrNotFound", err)
			}
			if l := must(tx.PaymentMethods().ListByOwner(owner)); len(l) != 0 {
				t.Errorf("ListByOwner after Delete = %v", l)
			}
			return nil
		})
		for name, del := range map[string]func(core.Tx) error{
			"Tokens":         func(tx core.Tx) error { return tx.Tokens().Delete(tk.ID) },
			"PaymentMethods": func(tx core.Tx) error { return tx.PaymentMethods().Delete(newID()) },
		} {
			if err := s.Update(ctx, del); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("%s.Delete(missing) = %v, want ErrNotFound", name, err)
			}
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func checkList[T any](t *testing.T, what string, got []T, n int) {
	t.Helper()
	if len(got) != n {
		t.Errorf("%s: %d items, want %d", what, len(got), n)
	}
}

func testNotFound(t *testing.T, s core.Store) {
	id := newID()
	gets := map[string]func(core.Tx) error{
		"Plans.Get":                   func(tx core.Tx) error { _, err := tx.Plans().Get(id); return err },
		"Plans.GetBySlug":             func(tx core.Tx) error { _, err := tx.Plans().GetBySlug("nope"); return err },
		"Plans.Get(not a uuid)":       func(tx core.Tx) error { _, err := tx.Plans().Get("nope"); return err },
		"Users.Get":                   func(tx core.Tx) error { _, err := tx.Users().Get(id); return err },
		"Users.GetByUsername":         func(tx core.Tx) error { _, err := tx.Users().GetByUsername("nope"); return err },
		"Tokens.Get":                  func(tx core.Tx) error { _, err := tx.Tokens().Get(id); return err },
		"Tokens.GetByHash":            func(tx core.Tx) error { _, err := tx.Tokens().GetByHash("nope"); return err },
		"Subscriptions.Get":           func(tx core.Tx) error { _, err := tx.Subscriptions().Get(id); return err },
		"Subscriptions.GetByNativeID": func(tx core.Tx) error { _, err := tx.Subscriptions().GetByNativeID("nope"); return err },
		"Payments.Get":                func(tx core.Tx) error { _, err := tx.Payments().Get(id); return err },
		"Payments.GetByOrderID":       func(tx core.Tx) error { _, err := tx.Payments().GetByOrderID("nope"); return err },
		"Invoices.Get":                func(tx core.Tx) error { _, err := tx.Invoices().Get(id); return err },
		"Invoices.GetByKey":           func(tx core.Tx) error { _, err := tx.Invoices().GetByKey(id, "cycle-1"); return err },
		"CreditNotes.Get":             func(tx core.Tx) error { _, err := tx.CreditNotes().Get(id); return err },
		"WebhookLogs.Get":             func(tx core.Tx) error { _, err := tx.WebhookLogs().Get(id); return err },
		"Wallets.Get":                 func(tx core.Tx) error { _, err := tx.Wallets().Get(id); return err },
		"Wallets.GetByOwner":          func(tx core.Tx) error { _, err := tx.Wallets().GetByOwner(id); return err },
		"TopUps.Get":                  func(tx core.Tx) error { _, err := tx.TopUps().Get(id); return err },
		"PaymentMethods.Get":          func(tx core.Tx) error { _, err := tx.PaymentMethods().Get(id); return err },
		"PaymentMethods.GetByAccount": func(tx core.Tx) error { _, err := tx.PaymentMethods().GetByAccountID("nope"); return err },
		"Notifications.Get":           func(tx core.Tx) error { _, err := tx.Notifications().Get(id); return err },
		"Idempotency.Get":             func(tx core.Tx) error { _, err := tx.Idempotency().Get("nope"); return err },
	}
	for name, get := range gets {
		t.Run(name, func(t *testing.T) {
			err := s.View(ctx, get)
			if !errors.Is(err, core.ErrNotFound) {
				t.Errorf("%s = %v, want an error wrapping ErrNotFound", name, err)
			}
		})
	}
	view(t, s, func(tx core.Tx) error {
		if _, ok, err := tx.Meta().GetTime("nope"); ok || err != nil {
			t.Errorf("Meta.GetTime(missing) = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
}

var errBoom = errors.New("boom")

func testRollback(t *testing.T, s core.Store) {
	p := plan(newID(), "rolled")
	sub := subscription(newID(), newID(), at(0))
	err := s.Update(ctx, func(tx core.Tx) error {
		if err := tx.Plans().Put(p); err != nil {
			return err
		}
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		if _, err := tx.Outbox().Append(event(core.EvSubscriptionCreated)); err != nil {
			return err
		}
		if _, err := tx.Meta().NextSequence("invoice"); err != nil {
			return err
		}
		if _, err := tx.WebhookLogs().MarkApplied("k1", ""); err != nil {
			return err
		}
		if err := tx.Wallets().AppendEntry(entry(newID(), 1)); err != nil {
			return err
		}
		// Inside the transaction its own writes are visible.
		if _, err := tx.Plans().GetBySlug("rolled"); err != nil {
			return fmt.Errorf("own write not visible: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	// A panic rolls back too (and propagates).
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic in fn did not propagate")
			}
		}()
		_ = s.Update(ctx, func(tx core.Tx) error {
			_ = tx.Plans().Put(plan(newID(), "panicked"))
			panic("boom")
		})
	}()
	view(t, s, func(tx core.Tx) error {
		for name, err := range map[string]error{
			"plan":         second(tx.Plans().Get(p.ID)),
			"plan slug":    second(tx.Plans().GetBySlug("rolled")),
			"panicked":     second(tx.Plans().GetBySlug("panicked")),
			"subscription": second(tx.Subscriptions().Get(sub.ID)),
			"native":       second(tx.Subscriptions().GetByNativeID(sub.MidtransSubscriptionID)),
		} {
			if !errors.Is(err, core.ErrNotFound) {
				t.Errorf("%s after rollback: %v, want ErrNotFound", name, err)
			}
		}
		if n := must(tx.Outbox().Len()); n != 0 {
			t.Errorf("outbox has %d events after rollback", n)
		}
		due := 0
		_ = tx.Subscriptions().ScanDue(at(time.Hour), func(core.Subscription) bool { due++; return true })
		if due != 0 {
			t.Errorf("due index has %d entries after rollback", due)
		}
		return nil
	})
	// Sequences and the applied set were not consumed.
	update(t, s, func(tx core.Tx) error {
		if n := must(tx.Meta().NextSequence("invoice")); n != 1 {
			t.Errorf("NextSequence after rollback = %d, want 1", n)
		}
		if seq := must(tx.Outbox().Append(event("x"))); seq != 1 {
			t.Errorf("outbox seq after rollback = %d, want 1", seq)
		}
		if first := must(tx.WebhookLogs().MarkApplied("k1", "")); !first {
			t.Error("MarkApplied after rollback = false, want true")
		}
		return nil
	})
}

func second[T any](_ T, err error) error { return err }

func testOutbox(t *testing.T, s core.Store) {
	owner := newID()
	sub := subscription(newID(), owner, at(0))
	var seqs []uint64
	update(t, s, func(tx core.Tx) error {
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		for _, typ := range []string{core.EvSubscriptionCreated, core.EvSubscriptionActivated, core.EvInvoiceIssued} {
			seq, err := tx.Outbox().Append(event(typ))
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	if fmt.Sprint(seqs) != "[1 2 3]" {
		t.Errorf("sequences = %v, want [1 2 3]", seqs)
	}
	var got []core.Event
	view(t, s, func(tx core.Tx) error {
		return tx.Outbox().Scan(func(e core.Event) bool { got = append(got, e); return true })
	})
	if len(got) != 3 || got[0].Type != core.EvSubscriptionCreated || got[2].Seq != 3 {
		t.Fatalf("Scan = %+v", got)
	}
	want := event("x")
	want.ID, want.Type, want.OwnerID, want.Seq = got[1].ID, got[1].Type, got[1].OwnerID, 2
	same(t, "event", got[1], want)

	// Delete while scanning (the relay's pattern is scan, send, delete; here
	// in one transaction to prove the scan tolerates it), stop early.
	update(t, s, func(tx core.Tx) error {
		var err error
		_ = tx.Outbox().Scan(func(e core.Event) bool {
			err = tx.Outbox().Delete(e.Seq)
			return e.Seq < 2
		})
		return err
	})
	view(t, s, func(tx core.Tx) error {
		if n := must(tx.Outbox().Len()); n != 1 {
			t.Errorf("Len after deleting 2 = %d, want 1", n)
		}
		return nil
	})
	// Delete is idempotent; numbers are never reused after a delete.
	update(t, s, func(tx core.Tx) error {
		if err := tx.Outbox().Delete(1); err != nil {
			t.Errorf("second Delete = %v", err)
		}
		if seq := must(tx.Outbox().Append(event("y"))); seq != 4 {
			t.Errorf("seq after deletes = %d, want 4", seq)
		}
		return nil
	})
	// A failed transaction drops its events with its aggregate change.
	sub2 := sub
	sub2.Status = core.SubCancelled
	_ = s.Update(ctx, func(tx core.Tx) error {
		_ = tx.Subscriptions().Put(sub2)
		_, _ = tx.Outbox().Append(event(core.EvSubscriptionCancelled))
		return errBoom
	})
	view(t, s, func(tx core.Tx) error {
		if n := must(tx.Outbox().Len()); n != 2 {
			t.Errorf("Len after failed tx = %d, want 2", n)
		}
		if st := must(tx.Subscriptions().Get(sub.ID)).Status; st != core.SubActive {
			t.Errorf("status after failed tx = %s", st)
		}
		return nil
	})
}

func testMeta(t *testing.T, s core.Store) {
	update(t, s, func(tx core.Tx) error {
		for want := uint64(1); want <= 3; want++ {
			if n := must(tx.Meta().NextSequence("a")); n != want {
				t.Errorf("NextSequence(a) = %d, want %d", n, want)
			}
		}
		if n := must(tx.Meta().NextSequence("b")); n != 1 {
			t.Errorf("NextSequence(b) = %d, want 1 (counters are per name)", n)
		}
		return tx.Meta().PutTime("last_billing", at(time.Hour))
	})
	update(t, s, func(tx core.Tx) error {
		if n := must(tx.Meta().NextSequence("a")); n != 4 {
			t.Errorf("NextSequence(a) in next tx = %d, want 4", n)
		}
		return nil
	})
	view(t, s, func(tx core.Tx) error {
		got, ok, err := tx.Meta().GetTime("last_billing")
		if err != nil || !ok || !got.Equal(at(time.Hour)) {
			t.Errorf("GetTime = %v, %v, %v; want %v", got, ok, err, at(time.Hour))
		}
		return nil
	})
}

func testConflicts(t *testing.T, s core.Store) {
	owner, subID := newID(), newID()
	p := plan(newID(), "taken")
	u := user(newID(), "taken", false)
	pay := payment(newID(), owner, subID, "SUB-TAKEN", core.PaymentPending, at(0))
	inv := invoice(newID(), owner, subID, "cycle-1", "INV-202501-000001", core.InvoiceOpen, at(0))
	update(t, s, func(tx core.Tx) error {
		return errors.Join(tx.Plans().Put(p), tx.Users().Put(u), tx.Payments().Put(pay), tx.Invoices().Put(inv))
	})
	otherInvSameKey := invoice(newID(), owner, subID, "cycle-1", "INV-202501-000002", core.InvoiceOpen, at(0))
	otherInvSameNumber := invoice(newID(), owner, subID, "cycle-2", "INV-202501-000001", core.InvoiceOpen, at(0))
	cases := map[string]func(core.Tx) error{
		"plan slug": func(tx core.Tx) error { return tx.Plans().Put(plan(newID(), "taken")) },
		"username":  func(tx core.Tx) error { return tx.Users().Put(user(newID(), "taken", true)) },
		"order id": func(tx core.Tx) error {
			return tx.Payments().Put(payment(newID(), owner, subID, "SUB-TAKEN", core.PaymentPending, at(0)))
		},
		"invoice key":    func(tx core.Tx) error { return tx.Invoices().Put(otherInvSameKey) },
		"invoice number": func(tx core.Tx) error { return tx.Invoices().Put(otherInvSameNumber) },
	}
	for name, put := range cases {
		t.Run(name, func(t *testing.T) {
			// The conflicting Put writes nothing, even when the caller
			// swallows the error and commits.
			var putErr error
			update(t, s, func(tx core.Tx) error { putErr = put(tx); return nil })
			if !errors.Is(putErr, core.ErrConflict) {
				t.Errorf("Put = %v, want ErrConflict", putErr)
			}
		})
	}
	view(t, s, func(tx core.Tx) error {
		same(t, "plan after conflicts", must(tx.Plans().GetBySlug("taken")), p)
		same(t, "user after conflicts", must(tx.Users().GetByUsername("taken")), u)
		same(t, "payment after conflicts", must(tx.Payments().GetByOrderID("SUB-TAKEN")), pay)
		same(t, "invoice after conflicts", must(tx.Invoices().GetByKey(subID, "cycle-1")), inv)
		checkList(t, "plans", must(tx.Plans().List()), 1)
		checkList(t, "invoices", must(tx.Invoices().ListBySubscription(subID)), 1)
		for _, id := range []string{otherInvSameKey.ID, otherInvSameNumber.ID} {
			if _, err := tx.Invoices().Get(id); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("refused invoice stored: %v", err)
			}
		}
		return nil
	})
	// Re-putting the holder itself is not a conflict; the same key under
	// another subscription is not one either.
	update(t, s, func(tx core.Tx) error {
		return errors.Join(tx.Plans().Put(p), tx.Users().Put(u), tx.Payments().Put(pay), tx.Invoices().Put(inv),
			tx.Invoices().Put(invoice(newID(), owner, newID(), "cycle-1", "INV-202501-000009", core.InvoiceOpen, at(0))))
	})
	// A freed value can be taken: rename the plan, then reuse its old slug.
	update(t, s, func(tx core.Tx) error {
		p2 := p
		p2.Slug = "renamed"
		return errors.Join(tx.Plans().Put(p2), tx.Plans().Put(plan(newID(), "taken")))
	})
}

func testViewRefusesWrites(t *testing.T, s core.Store) {
	writes := map[string]func(core.Tx) error{
		"Plans.Put":         func(tx core.Tx) error { return tx.Plans().Put(plan(newID(), "v")) },
		"Users.Put":         func(tx core.Tx) error { return tx.Users().Put(user(newID(), "v", false)) },
		"Tokens.Put":        func(tx core.Tx) error { return tx.Tokens().Put(token(newID(), newID(), "h")) },
		"Tokens.Delete":     func(tx core.Tx) error { return tx.Tokens().Delete(newID()) },
		"Subscriptions.Put": func(tx core.Tx) error { return tx.Subscriptions().Put(subscription(newID(), newID(), at(0))) },
		"Payments.Put": func(tx core.Tx) error {
			return tx.Payments().Put(payment(newID(), newID(), newID(), "o", core.PaymentPaid, at(0)))
		},
		"Invoices.Put": func(tx core.Tx) error {
			return tx.Invoices().Put(invoice(newID(), newID(), newID(), "k", "n", core.InvoicePaid, at(0)))
		},
		"CreditNotes.Put": func(tx core.Tx) error {
			return tx.CreditNotes().Put(creditNote(newID(), newID(), newID(), "k", "n", at(0)))
		},
		"WebhookLogs.Put":       func(tx core.Tx) error { return tx.WebhookLogs().Put(webhookLog(newID(), at(0), core.WebhookFailed)) },
		"WebhookLogs.Mark":      func(tx core.Tx) error { _, err := tx.WebhookLogs().MarkApplied("k", ""); return err },
		"Wallets.Put":           func(tx core.Tx) error { return tx.Wallets().Put(wallet(newID(), newID())) },
		"Wallets.AppendEntry":   func(tx core.Tx) error { return tx.Wallets().AppendEntry(entry(newID(), 1)) },
		"TopUps.Put":            func(tx core.Tx) error { return tx.TopUps().Put(topUp(newID(), newID())) },
		"PaymentMethods.Put":    func(tx core.Tx) error { return tx.PaymentMethods().Put(method(newID(), newID(), "a")) },
		"PaymentMethods.Delete": func(tx core.Tx) error { return tx.PaymentMethods().Delete(newID()) },
		"Notifications.Put": func(tx core.Tx) error {
			return tx.Notifications().Put(notification(newID(), newID(), core.NotifSent, at(0)))
		},
		"Outbox.Append":         func(tx core.Tx) error { _, err := tx.Outbox().Append(event("x")); return err },
		"Outbox.Delete":         func(tx core.Tx) error { return tx.Outbox().Delete(1) },
		"Idempotency.Put":       func(tx core.Tx) error { return tx.Idempotency().Put(idem("k", at(0))) },
		"Idempotency.DeleteExp": func(tx core.Tx) error { _, err := tx.Idempotency().DeleteExpired(at(0), 10); return err },
		"Meta.NextSequence":     func(tx core.Tx) error { _, err := tx.Meta().NextSequence("x"); return err },
		"Meta.PutTime":          func(tx core.Tx) error { return tx.Meta().PutTime("x", at(0)) },
	}
	for name, w := range writes {
		t.Run(name, func(t *testing.T) {
			var werr error
			view(t, s, func(tx core.Tx) error { werr = w(tx); return nil })
			if werr == nil {
				t.Errorf("%s inside View succeeded", name)
			}
		})
	}
	view(t, s, func(tx core.Tx) error {
		if l := must(tx.Plans().List()); len(l) != 0 {
			t.Errorf("View wrote %d plans", len(l))
		}
		return nil
	})
}

func testCancelled(t *testing.T, s core.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	if err := s.Update(c, func(core.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Update(cancelled) = %v, ran=%v; want context.Canceled without running fn", err, ran)
	}
	if err := s.View(c, func(core.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("View(cancelled) = %v, ran=%v", err, ran)
	}
}

func testConcurrent(t *testing.T, s core.Store) {
	w := wallet(newID(), newID())
	w.Entries = 0
	update(t, s, func(tx core.Tx) error { return tx.Wallets().Put(w) })
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := s.Update(ctx, func(tx core.Tx) error {
					cur, err := tx.Wallets().Get(w.ID)
					if err != nil {
						return err
					}
					cur.Entries++
					cur.Balance = cur.Balance.Add(rp("0.01"))
					if _, err := tx.Meta().NextSequence("race"); err != nil {
						return err
					}
					return tx.Wallets().Put(cur)
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	// Readers run alongside and must always see a consistent wallet.
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = s.View(ctx, func(tx core.Tx) error {
				cur, err := tx.Wallets().Get(w.ID)
				if err == nil {
					want := w.Balance.Add(rp("0.01").MulInt(int64(cur.Entries)))
					if !cur.Balance.Equal(want) {
						errs <- fmt.Errorf("torn read: entries %d, balance %s", cur.Entries, cur.Balance)
					}
				}
				return nil
			})
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	view(t, s, func(tx core.Tx) error {
		got := must(tx.Wallets().Get(w.ID))
		if got.Entries != workers*each {
			t.Errorf("Entries = %d, want %d (lost updates)", got.Entries, workers*each)
		}
		return nil
	})
	update(t, s, func(tx core.Tx) error {
		if n := must(tx.Meta().NextSequence("race")); n != workers*each+1 {
			t.Errorf("NextSequence = %d, want %d", n, workers*each+1)
		}
		return nil
	})
}

// testSnapshot: a View sees the state as of its start, even while an
// Update commits.
func testSnapshot(t *testing.T, s core.Store) {
	p := plan(newID(), "snap")
	update(t, s, func(tx core.Tx) error { return tx.Plans().Put(p) })
	inView, committed := make(chan struct{}), make(chan error, 1)
	go func() {
		<-inView
		committed <- s.Update(ctx, func(tx core.Tx) error {
			p2 := p
			p2.Name = "changed"
			return tx.Plans().Put(p2)
		})
	}()
	view(t, s, func(tx core.Tx) error {
		close(inView)
		// bbolt lets a writer commit while a reader is open; wait a little
		// for it, but do not depend on it (either way the reader must not
		// see the change).
		select {
		case err := <-committed:
			committed <- err
		case <-time.After(200 * time.Millisecond):
		}
		if got := must(tx.Plans().Get(p.ID)); got.Name != p.Name {
			t.Errorf("View saw %q committed after it began", got.Name)
		}
		return nil
	})
	if err := <-committed; err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx core.Tx) error {
		if got := must(tx.Plans().Get(p.ID)); got.Name != "changed" {
			t.Errorf("after commit: %q", got.Name)
		}
		return nil
	})
}

// testScanWhileWriting: callbacks may write through the same transaction
// (the billing loop moves NextActionAt as it goes); every due record is
// seen exactly once when the callback moves it past the scan horizon.
func testScanWhileWriting(t *testing.T, s core.Store) {
	const n = 300 // more than one internal batch
	update(t, s, func(tx core.Tx) error {
		for i := range n {
			if err := tx.Subscriptions().Put(subscription(newID(), newID(), at(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	horizon := at(n * time.Second)
	seen := map[string]int{}
	update(t, s, func(tx core.Tx) error {
		var err error
		scanErr := tx.Subscriptions().ScanDue(horizon, func(sub core.Subscription) bool {
			seen[sub.ID]++
			sub.NextActionAt = horizon.Add(time.Hour)
			err = tx.Subscriptions().Put(sub)
			return err == nil
		})
		return errors.Join(scanErr, err)
	})
	if len(seen) != n {
		t.Errorf("ScanDue visited %d subscriptions, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("subscription %s visited %d times", id, c)
		}
	}
	view(t, s, func(tx core.Tx) error {
		left := 0
		_ = tx.Subscriptions().ScanDue(horizon, func(core.Subscription) bool { left++; return true })
		if left != 0 {
			t.Errorf("%d still due after the loop", left)
		}
		return nil
	})
}
