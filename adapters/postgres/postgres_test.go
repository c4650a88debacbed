package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt/storetest"
	"github.com/langganan/langganan/adapters/postgres/pgtest"
	"github.com/langganan/langganan/core"
)

// openTest opens a Store on a fresh schema of the test database, dropped
// when the test ends. Without a reachable PostgreSQL the test fails in CI
// and is skipped (loudly) elsewhere.
func openTest(t *testing.T) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, pgtest.Schema(t, "lgn_test"), Options{MaxConns: 12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(context.Background()); err != nil {
			t.Errorf("Check after test: %v", err)
		}
		s.Close()
	})
	return s
}

// schemaURL is the URL of an existing schema of the test database.
func schemaURL(t *testing.T, schema string) string {
	t.Helper()
	u, err := pgtest.WithSearchPath(pgtest.URL(), schema)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestContractPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return openTest(t) })
}

func TestLeasesPostgres(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) core.Store { return openTest(t) }, true)
}

// undo holds, for each migration after the first, the statements that take
// a database back to before it, so that a migration's test can store
// records the old way and apply it (and every later one) again.
var undo = map[int][]string{
	2: {"DROP INDEX tokens_user", "ALTER TABLE tokens DROP COLUMN user_id, DROP COLUMN created_at"},
	3: {"DROP INDEX payments_refund_check", "ALTER TABLE payments DROP COLUMN refund_check_at"},
	4: {"DROP TABLE leases", "DROP TABLE subscription_claims"},
	5: {"DROP TABLE web_sessions", "DROP TABLE portal_links"},
	6: {"DROP TABLE credit_notes"},
	7: {"DROP INDEX webhook_logs_order", "ALTER TABLE webhook_logs DROP COLUMN order_id", "DROP TABLE daily_figures"},
	8: {"ALTER TABLE plans DROP COLUMN price", "ALTER TABLE payments DROP COLUMN amount, DROP COLUMN refunded",
		"ALTER TABLE invoices DROP COLUMN total", "ALTER TABLE credit_notes DROP COLUMN amount",
		"ALTER TABLE wallets DROP COLUMN balance", "ALTER TABLE wallet_entries DROP COLUMN amount, DROP COLUMN balance_after",
		"ALTER TABLE topups DROP COLUMN amount"},
}

// backTo takes s's schema back to just before migration version (the
// latest first) and answers the schema's name, for a store opened on it
// again to migrate.
func backTo(t *testing.T, s *Store, version int) string {
	t.Helper()
	var schema string
	if err := s.pool.QueryRow(bg, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if len(undo) != SchemaVersion()-1 {
		t.Fatalf("undo knows %d migrations after the first, the schema has %d", len(undo), SchemaVersion()-1)
	}
	for v := SchemaVersion(); v >= version; v-- {
		for _, q := range undo[v] {
			if _, err := s.pool.Exec(bg, q); err != nil {
				t.Fatalf("undo migration %d: %s: %v", v, q, err)
			}
		}
	}
	if _, err := s.pool.Exec(bg, "DELETE FROM schema_migrations WHERE version >= $1", version); err != nil {
		t.Fatal(err)
	}
	return schema
}
