package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/postgres"
	"github.com/langganan/langganan/core"
)

// seedBolt writes one record of most kinds (and a counter, a time, an
// undelivered event) into a new bbolt file.
func seedBolt(t *testing.T, path string) {
	t.Helper()
	st, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	rp := func(n int64) core.Money { return core.MoneyFromRupiah(n, core.IDR) }
	ids := []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
		"33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444",
		"55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"}
	err = st.Update(context.Background(), func(tx core.Tx) error {
		return errors.Join(
			tx.Plans().Put(core.Plan{ID: ids[0], Name: "Basic", Slug: "basic", Price: rp(49000),
				Interval: 1, IntervalUnit: "month", Status: "active", CreatedAt: at, UpdatedAt: at}),
			tx.Users().Put(core.User{ID: ids[1], Username: "alice", Email: "a@example.com", PasswordHash: "h", CreatedAt: at}),
			tx.Subscriptions().Put(core.Subscription{ID: ids[2], OwnerID: ids[1], PlanID: ids[0], Status: core.SubActive,
				Cycle: 1, CurrentPeriodStart: at, CurrentPeriodEnd: at.AddDate(0, 1, 0), NextActionAt: at.AddDate(0, 1, 0), CreatedAt: at, UpdatedAt: at}),
			tx.Payments().Put(core.Payment{ID: ids[3], OwnerID: ids[1], SubscriptionID: ids[2], OrderID: "order-1",
				Amount: rp(49000), Refunded: rp(0), Status: core.PaymentPaid, Cycle: 1, Attempt: 1, CreatedAt: at, UpdatedAt: at}),
			tx.Invoices().Put(core.Invoice{ID: ids[4], OwnerID: ids[1], SubscriptionID: ids[2], Key: core.CycleKey(1),
				Number: "INV-000001", Status: core.InvoicePaid, Currency: core.IDR, Total: rp(49000), CreatedAt: at, UpdatedAt: at}),
			tx.Wallets().Put(core.Wallet{ID: ids[5], OwnerID: ids[1], Balance: rp(10000), IsActive: true, Entries: 1, CreatedAt: at, UpdatedAt: at}),
			tx.Wallets().AppendEntry(core.WalletEntry{ID: ids[0], WalletID: ids[5], Seq: 0, Type: core.EntryTopUp,
				Amount: rp(10000), BalanceAfter: rp(10000), CreatedAt: at}),
			func() error { _, err := tx.WebhookLogs().MarkApplied("charge:order-1:settlement", ""); return err }(),
			func() error {
				_, err := tx.Outbox().Append(core.Event{ID: ids[1], Type: core.EvPaymentSucceeded, OwnerID: ids[1], OccurredAt: at})
				return err
			}(),
			func() error {
				for range 7 {
					if _, err := tx.Meta().NextSequence("invoice"); err != nil {
						return err
					}
				}
				return nil
			}(),
			tx.Meta().PutTime(clockKey, at),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateToPostgres(t *testing.T) {
	dbURL := testDatabaseURL(t)
	path := filepath.Join(t.TempDir(), "l.db")
	seedBolt(t, path)
	getenv := func(k string) string {
		return map[string]string{"LANGGANAN_DATA": path, "LANGGANAN_DATABASE_URL": dbURL}[k]
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"migrate-to-postgres"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut.String())
	}
	var report struct {
		Records map[string]int `json:"records"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("report %q: %v", out.String(), err)
	}
	for _, kind := range []string{"plans", "users", "subscriptions", "payments", "invoices", "wallets", "wallet_entries",
		"webhook_applied", "outbox", "meta_times"} {
		if report.Records[kind] != 1 {
			t.Errorf("report: %d %s, want 1 (%v)", report.Records[kind], kind, report.Records)
		}
	}

	// The records read back equal the file's, and counters go on.
	src, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	read := func(st core.Store) (got []any) {
		t.Helper()
		if err := st.View(ctx, func(tx core.Tx) error {
			p, err1 := tx.Plans().GetBySlug("basic")
			u, err2 := tx.Users().GetByUsername("alice")
			subs, err3 := tx.Subscriptions().ListByOwner(u.ID)
			pay, err4 := tx.Payments().GetByOrderID("order-1")
			inv, err5 := tx.Invoices().GetByKey(pay.SubscriptionID, core.CycleKey(1))
			w, err6 := tx.Wallets().GetByOwner(u.ID)
			entries, err7 := tx.Wallets().Entries(w.ID)
			clock, _, err8 := tx.Meta().GetTime(clockKey)
			var events []core.Event
			err9 := tx.Outbox().Scan(func(e core.Event) bool { e.Seq = 0; events = append(events, e); return true })
			got = []any{p, u, subs, pay, inv, w, entries, clock, events}
			return errors.Join(err1, err2, err3, err4, err5, err6, err7, err8, err9)
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, got := read(src), read(dst)
	src.Close()
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("record %d differs:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if err := dst.Update(ctx, func(tx core.Tx) error {
		n, err := tx.Meta().NextSequence("invoice")
		if err == nil && n != 8 {
			t.Errorf("invoice counter goes on at %d, want 8", n)
		}
		fresh, err2 := tx.WebhookLogs().MarkApplied("charge:order-1:settlement", "")
		if err2 == nil && fresh {
			t.Error("the applied notification key was not copied")
		}
		return errors.Join(err, err2, errors.New("roll back"))
	}); err == nil || !strings.Contains(err.Error(), "roll back") {
		t.Fatal(err)
	}

	// A second move onto the now full database is refused.
	err = run(ctx, []string{"migrate-to-postgres"}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("migrate onto a full database: %v, want a refusal", err)
	}
	// So is a data file a running service holds.
	held, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	err = run(ctx, []string{"migrate-to-postgres", "-database-url", testDatabaseURL(t)}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("migrate a held file: %v, want a refusal", err)
	}
}
