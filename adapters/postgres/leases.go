package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/langganan/langganan/adapters/internal/records"
	"github.com/langganan/langganan/core"
)

// Leases and claims are single statements in READ COMMITTED, outside the
// SERIALIZABLE units of work: each is atomic on its own, and its guard is
// the ON CONFLICT ... WHERE condition, which PostgreSQL evaluates against
// the latest committed row, so two instances racing for one lease or one
// subscription cannot both win.
var _ core.Leases = (*Store)(nil)

// AcquireLease grants or renews lease name for holder.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var got string
	err := s.pool.QueryRow(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
		WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= $4
		RETURNING holder`, name, holder, now.Add(ttl), now).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // held by another holder, unexpired
	}
	if err != nil {
		return false, dbErr(err, "acquire lease "+name)
	}
	return got == holder, nil
}

// ReleaseLease frees lease name if holder holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM leases WHERE name = $1 AND holder = $2", name, holder)
	return dbErr(err, "release lease "+name)
}

// ClaimDue claims due subscriptions for holder. FOR UPDATE SKIP LOCKED
// lets concurrent claimers pass over each other's candidates instead of
// queueing behind them; the conflict clause is what makes a claim
// exclusive: an unexpired claim committed meanwhile is left alone, and its
// subscription is not answered.
func (s *Store) ClaimDue(ctx context.Context, holder string, now time.Time, ttl time.Duration, max int) ([]string, error) {
	if max <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `WITH due AS (
			SELECT s.id, s.next_action_at FROM subscriptions s
			LEFT JOIN subscription_claims c ON c.subscription_id = s.id
			WHERE s.next_action_at IS NOT NULL AND s.next_action_at <= $1
				AND (c.until IS NULL OR c.until <= $1)
			ORDER BY s.next_action_at, s.id
			LIMIT $2
			FOR UPDATE OF s SKIP LOCKED
		), claimed AS (
			INSERT INTO subscription_claims (subscription_id, holder, until)
			SELECT id, $3, $4 FROM due
			ON CONFLICT (subscription_id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
			WHERE subscription_claims.until <= $1
			RETURNING subscription_id
		)
		SELECT due.id FROM due JOIN claimed ON claimed.subscription_id = due.id
		ORDER BY due.next_action_at, due.id`, now, max, holder, now.Add(ttl))
	if err != nil {
		return nil, dbErr(err, "claim due subscriptions")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbErr(err, "claim due subscriptions")
	}
	return ids, nil
}

// ReleaseClaims ends holder's claims.
func (s *Store) ReleaseClaims(ctx context.Context, holder string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM subscription_claims WHERE holder = $1", holder)
	return dbErr(err, "release claims")
}

// PublishSharedTime moves the MetaRepo time name to t unless it is later
// already, on SharedTime's connection.
func (s *Store) PublishSharedTime(ctx context.Context, name string, t time.Time) error {
	v, err := records.UTC(t).MarshalText()
	if err != nil {
		return fmt.Errorf("%w: meta time %q: %v", core.ErrInvalid, name, err)
	}
	s.sideMu.Lock()
	defer s.sideMu.Unlock()
	c, err := s.sideConn(ctx)
	if err != nil {
		return err
	}
	err = pgx.BeginTxFunc(ctx, c, pgx.TxOptions{}, func(q pgx.Tx) error {
		if _, err := q.Exec(ctx, "INSERT INTO meta_times (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, string(v)); err != nil {
			return err
		}
		var cur string
		if err := q.QueryRow(ctx, "SELECT value FROM meta_times WHERE name = $1 FOR UPDATE", name).Scan(&cur); err != nil {
			return err
		}
		var at time.Time
		if at.UnmarshalText([]byte(cur)) == nil && !at.Before(t) {
			return nil
		}
		_, err := q.Exec(ctx, "UPDATE meta_times SET value = $2 WHERE name = $1", name, string(v))
		return err
	})
	if err != nil {
		s.dropSide()
		return dbErr(err, "publish shared time "+name)
	}
	return nil
}

// sideConn is SharedTime's connection, opened on first use; s.sideMu held.
func (s *Store) sideConn(ctx context.Context) (*pgx.Conn, error) {
	if s.side == nil || s.side.IsClosed() {
		c, err := pgx.ConnectConfig(ctx, s.connCfg.Copy())
		if err != nil {
			return nil, fmt.Errorf("postgres: connect for the shared clock: %w", err)
		}
		s.side = c
	}
	return s.side, nil
}

// dropSide closes the side connection after a failure (reconnect next
// time); s.sideMu held.
func (s *Store) dropSide() {
	if s.side != nil {
		_ = s.side.Close(context.Background())
		s.side = nil
	}
}

// SharedTime reads the MetaRepo time name outside any unit of work, on a
// connection of its own: a shared manual clock is read on every Now, also
// from inside transactions, which must not wait for the pool they hold.
func (s *Store) SharedTime(ctx context.Context, name string) (time.Time, bool, error) {
	s.sideMu.Lock()
	defer s.sideMu.Unlock()
	c, err := s.sideConn(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	var v string
	err = c.QueryRow(ctx, "SELECT value FROM meta_times WHERE name = $1", name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		s.dropSide()
		return time.Time{}, false, dbErr(err, "shared time "+name)
	}
	var at time.Time
	if err := at.UnmarshalText([]byte(v)); err != nil {
		return time.Time{}, false, fmt.Errorf("postgres: meta time %q: %w", name, err)
	}
	return at, true, nil
}
