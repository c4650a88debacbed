package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// countedTables are the tables whose rows are records of the service
// (schema_migrations, leases, claims and the write probe are not).
var countedTables = []string{"plans", "users", "tokens", "subscriptions", "payments", "invoices", "credit_notes", "webhook_logs",
	"webhook_applied", "wallets", "wallet_entries", "topups", "payment_methods", "notifications", "outbox",
	"idempotency", "organizations", "coupons", "webhook_endpoints", "meta_sequences", "meta_times",
	"web_sessions", "portal_links", "daily_figures"}

// Counts answers the number of rows of every table holding records, read
// in one snapshot: a move from the bbolt file checks the copy with it, and
// refuses a target that is not empty.
func (s *Store) Counts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	for _, name := range countedTables {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+name).Scan(&n); err != nil {
			return nil, dbErr(err, "count "+name)
		}
		out[name] = n
	}
	return out, nil
}
