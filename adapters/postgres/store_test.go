package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/core"
)

var bg = context.Background()

func newPlan(slug string) core.Plan {
	return core.Plan{ID: random.IDs{}.NewID(), Name: slug, Slug: slug, Price: core.MustMoney("1000"),
		Interval: 1, IntervalUnit: core.Month, Status: core.PlanActive, CreatedAt: time.Now()}
}

// Two processes taking the same unique value at once: one wins, the other
// is told ErrConflict (after its transaction is retried), never a raw
// unique violation.
func TestConcurrentUniqueTakesOneWinner(t *testing.T) {
	s := openTest(t)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newPlan("contended")
			<-start
			errs[i] = s.Update(bg, func(tx core.Tx) error {
				if _, err := tx.Plans().List(); err != nil {
					return err
				}
				return tx.Plans().Put(p)
			})
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, core.ErrConflict):
			t.Errorf("loser got %v, want ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d transactions took the slug, want 1", won)
	}
}

// Text PostgreSQL cannot hold is refused as invalid input before a
// statement is sent, so the transaction stays usable.
func TestUnstorableTextIsInvalidAndHarmless(t *testing.T) {
	s := openTest(t)
	good := newPlan("good")
	err := s.Update(bg, func(tx core.Tx) error {
		bad := newPlan("bad")
		bad.Description = "nul \x00 inside"
		if err := tx.Plans().Put(bad); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("Put(NUL in record) = %v, want ErrInvalid", err)
		}
		bad.Description, bad.Slug = "", "bad\x00slug"
		if err := tx.Plans().Put(bad); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("Put(NUL in slug) = %v, want ErrInvalid", err)
		}
		if _, err := tx.Plans().GetBySlug("\xff\x00"); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("GetBySlug(unstorable) = %v, want ErrNotFound", err)
		}
		return tx.Plans().Put(good)
	})
	if err != nil {
		t.Fatalf("transaction after refused puts: %v", err)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	s := openTest(t)
	p := newPlan("kept")
	if err := s.Update(bg, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		t.Fatal(err)
	}
	// A second Open on the same schema finds every migration applied.
	var schema string
	if err := s.pool.QueryRow(bg, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(bg, schemaURL(t, schema), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.View(bg, func(tx core.Tx) error { _, err := tx.Plans().Get(p.ID); return err }); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s2.pool.QueryRow(bg, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != SchemaVersion() {
		t.Fatalf("schema_migrations has %d rows (%v), want %d", n, err, SchemaVersion())
	}
	// A database migrated by a newer build is refused.
	if _, err := s2.pool.Exec(bg, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')", SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bg, schemaURL(t, schema), Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open(newer schema) = %v, want ErrNewerSchema", err)
	}
	if _, err := s2.pool.Exec(bg, "DELETE FROM schema_migrations WHERE name = 'future.sql'"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsColumnsOutOfStep(t *testing.T) {
	s := openTest(t)
	p := newPlan("checked")
	if err := s.Update(bg, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(bg); err != nil {
		t.Fatalf("Check on a sound database: %v", err)
	}
	if _, err := s.pool.Exec(bg, "UPDATE plans SET slug = 'edited' WHERE id = $1", p.ID); err != nil {
		t.Fatal(err)
	}
	err := s.Check(bg)
	if err == nil || !strings.Contains(err.Error(), "column slug") {
		t.Fatalf("Check after a hand edit = %v, want the slug column reported", err)
	}
	// Put it right again for the cleanup's Check.
	if err := s.Update(bg, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		t.Fatal(err)
	}
}

func TestWritable(t *testing.T) {
	s := openTest(t)
	if err := s.Writable(bg); err != nil {
		t.Fatal(err)
	}
	if err := s.Writable(bg); err != nil {
		t.Fatal(err)
	}
}

func TestHasNULEscape(t *testing.T) {
	for in, want := range map[string]bool{
		`"a\u0000b"`:      true,
		`"a\\u0000b"`:     false, // the text \u0000, not a NUL
		`"a\\\u0000b"`:    true,
		`"\\u0000\u0000"`: true,
		`"plain"`:         false,
	} {
		if got := hasNULEscape([]byte(in)); got != want {
			t.Errorf("hasNULEscape(%s) = %v, want %v", in, got, want)
		}
	}
}

// A transaction that read a row another one changed and committed fails
// with a serialization failure; Update runs fn again on fresh data.
func TestUpdateRunsFnAgainAfterASerializationFailure(t *testing.T) {
	s := openTest(t)
	w := core.Wallet{ID: random.IDs{}.NewID(), OwnerID: random.IDs{}.NewID(), Balance: core.MustMoney("0"), IsActive: true}
	if err := s.Update(bg, func(tx core.Tx) error { return tx.Wallets().Put(w) }); err != nil {
		t.Fatal(err)
	}
	bump := func(tx core.Tx) error {
		cur, err := tx.Wallets().Get(w.ID)
		if err != nil {
			return err
		}
		cur.Entries++
		return tx.Wallets().Put(cur)
	}
	read, committed := make(chan struct{}), make(chan struct{})
	runs := 0
	done := make(chan error, 1)
	go func() {
		done <- s.Update(bg, func(tx core.Tx) error {
			runs++
			cur, err := tx.Wallets().Get(w.ID)
			if err != nil {
				return err
			}
			if runs == 1 {
				close(read)
				<-committed
			}
			cur.Entries++
			return tx.Wallets().Put(cur)
		})
	}()
	<-read
	if err := s.Update(bg, bump); err != nil {
		t.Fatal(err)
	}
	close(committed)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2", runs)
	}
	if err := s.View(bg, func(tx core.Tx) error {
		got, err := tx.Wallets().Get(w.ID)
		if err == nil && got.Entries != 2 {
			t.Errorf("Entries = %d, want 2 (no lost update)", got.Entries)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsTheOutboxCounterBehind(t *testing.T) {
	s := openTest(t)
	if err := s.Update(bg, func(tx core.Tx) error {
		_, err := tx.Outbox().Append(core.Event{ID: random.IDs{}.NewID(), Type: "x", OccurredAt: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(bg, "UPDATE meta_sequences SET value = 0 WHERE name = 'outbox'"); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(bg); err == nil || !strings.Contains(err.Error(), "outbox counter") {
		t.Fatalf("Check = %v, want the outbox counter reported", err)
	}
	if _, err := s.pool.Exec(bg, "UPDATE meta_sequences SET value = 1 WHERE name = 'outbox'"); err != nil {
		t.Fatal(err)
	}
}
