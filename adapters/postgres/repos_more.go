package postgres

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

// ---- outbox

type outboxRepo struct{ t *tx }

// outboxCounter is the meta_sequences row numbering events; callers'
// counters are stored under seqPrefix, so the names cannot clash.
const (
	outboxCounter = "outbox"
	seqPrefix     = "seq/"
)

// Append numbers events from a transactional counter, so a rolled-back
// append gives its number back and numbers never repeat after Delete.
func (r outboxRepo) Append(e core.Event) (uint64, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	seq, err := nextSequence(r.t, outboxCounter)
	if err != nil {
		return 0, err
	}
	e.Seq = seq
	raw, err := encodeRecord("event", e.Type, records.EventToRecord(&e))
	if err != nil {
		return 0, err
	}
	_, err = r.t.exec("append event "+e.Type, "INSERT INTO outbox (seq, record) VALUES ($1, $2)", int64(seq), raw)
	return seq, err
}

func (r outboxRepo) Scan(fn func(core.Event) bool) error {
	return r.t.scan("scan outbox", "SELECT seq::text, record FROM outbox ORDER BY seq", nil,
		func(seq string, raw []byte, _ bool) (bool, error) {
			e, err := records.EventFromRecord(raw)
			if err != nil {
				return false, fmt.Errorf("postgres: decode event %s: %w", seq, err)
			}
			return fn(e), nil
		})
}

// Delete is idempotent: the relay delivers at least once and may delete twice.
func (r outboxRepo) Delete(seq uint64) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	_, err := r.t.exec("delete event", "DELETE FROM outbox WHERE seq = $1", int64(seq))
	return err
}

func (r outboxRepo) Len() (int, error) {
	var n int
	err := r.t.queryRow("count outbox", "SELECT count(*) FROM outbox", nil, &n)
	return n, err
}

func (r outboxRepo) Has(seq uint64) (bool, error) {
	var ok bool
	err := r.t.queryRow("outbox has", "SELECT EXISTS (SELECT 1 FROM outbox WHERE seq = $1)", []any{int64(seq)}, &ok)
	return ok, err
}

// ---- idempotency

type idemRepo struct{ t *tx }

func (r idemRepo) Get(key string) (core.IdempotencyRecord, error) { return idempotency.get(r.t, key) }
func (r idemRepo) Put(rec core.IdempotencyRecord) error           { return idempotency.put(r.t, &rec) }

// DeleteExpired deletes up to max records (max <= 0: no limit) whose
// ExpiresAt is not after at, earliest first, and reports how many.
func (r idemRepo) DeleteExpired(at time.Time, max int) (int, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	var limit any // NULL: LIMIT ALL
	if max > 0 {
		limit = max
	}
	tag, err := r.t.exec("delete expired idempotency records", `DELETE FROM idempotency WHERE key IN (
		SELECT key FROM idempotency WHERE expires_at <= $1 ORDER BY expires_at, key LIMIT $2)`, ts(at), limit)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// ---- meta

type metaRepo struct{ t *tx }

func (r metaRepo) NextSequence(name string) (uint64, error) { return nextSequence(r.t, seqPrefix+name) }

// nextSequence keeps the counter in a row written in the same transaction:
// a rollback takes the number back, so sequences are gapless over
// committed transactions (and concurrent writers serialize on the row).
func nextSequence(t *tx, name string) (uint64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	if !storable(name) {
		return 0, core.Invalidf("sequence name %q is not storable text", name)
	}
	t.writes++
	var n int64
	err := t.queryRow("next sequence "+name, `INSERT INTO meta_sequences (name, value) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET value = meta_sequences.value + 1 RETURNING value`, []any{name}, &n)
	return uint64(n), err
}

func (r metaRepo) GetTime(name string) (time.Time, bool, error) {
	if !storable(name) {
		return time.Time{}, false, nil
	}
	var v string
	err := r.t.queryRow("meta time "+name, "SELECT value FROM meta_times WHERE name = $1", []any{name}, &v)
	if errors.Is(err, core.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	var at time.Time
	if err := at.UnmarshalText([]byte(v)); err != nil {
		return time.Time{}, false, fmt.Errorf("postgres: meta time %q: %w", name, err)
	}
	return at, true, nil
}

func (r metaRepo) PutTime(name string, at time.Time) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if !storable(name) {
		return core.Invalidf("meta time name %q is not storable text", name)
	}
	v, err := records.UTC(at).MarshalText()
	if err != nil {
		return fmt.Errorf("%w: meta time %q: %v", core.ErrInvalid, name, err)
	}
	_, err = r.t.exec("put meta time "+name, `INSERT INTO meta_times (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, name, string(v))
	return err
}

// ---- organizations, coupons, webhook endpoints

type orgRepo struct{ t *tx }

func (r orgRepo) Get(id string) (core.Organization, error) { return organizations.get(r.t, id) }
func (r orgRepo) Put(o core.Organization) error            { return organizations.put(r.t, &o) }

// ListByMember answers in id order, through the members' GIN index.
func (r orgRepo) ListByMember(userID string) ([]core.Organization, error) {
	if userID == "" {
		return nil, nil
	}
	return organizations.list(r.t, "member_ids @> ARRAY[$1::text]", "id", userID)
}

type couponRepo struct{ t *tx }

func (r couponRepo) Get(id string) (core.Coupon, error) { return coupons.get(r.t, id) }
func (r couponRepo) Put(c core.Coupon) error            { return coupons.put(r.t, &c) }

func (r couponRepo) GetByCode(code string) (core.Coupon, error) {
	return coupons.first(r.t, "with code "+code, "code = $1", "id", strings.ToUpper(code))
}

func (r couponRepo) List() ([]core.Coupon, error) { return coupons.list(r.t, "", "id") }

type endpointRepo struct{ t *tx }

func (r endpointRepo) Get(id string) (core.WebhookEndpoint, error) { return endpoints.get(r.t, id) }
func (r endpointRepo) Put(e core.WebhookEndpoint) error            { return endpoints.put(r.t, &e) }
func (r endpointRepo) Delete(id string) error                      { return endpoints.del(r.t, id) }

func (r endpointRepo) List() ([]core.WebhookEndpoint, error) { return endpoints.list(r.t, "", "id") }

// ---- daily figures

type figureRepo struct{ t *tx }

func (r figureRepo) Get(day string) (core.DailyFigures, error) { return figures.get(r.t, day) }

func (r figureRepo) Put(f core.DailyFigures) error {
	if err := f.Valid(); err != nil {
		return err
	}
	return figures.put(r.t, &f)
}

// List answers the days of [from, to] in order; days are stored as text
// ("2006-01-02"), which sorts as the days do.
func (r figureRepo) List(from, to string) ([]core.DailyFigures, error) {
	return figures.list(r.t, "day >= $1 AND day <= $2", "day", from, to)
}
