package core

import (
	"context"
	"errors"
	"time"
)

// IdempotencyTTL is how long the first answer to a POST with an
// Idempotency-Key is kept and replayed.
const IdempotencyTTL = 24 * time.Hour

// LookupIdempotency loads the stored answer for key (already scoped by the
// caller, e.g. user id + key). An expired record reads as absent; the
// billing engine sweeps expired records.
func (s *Service) LookupIdempotency(ctx context.Context, key string) (IdempotencyRecord, bool, error) {
	var rec IdempotencyRecord
	found := false
	err := s.store.View(ctx, func(tx Tx) error {
		r, err := tx.Idempotency().Get(key)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !r.ExpiresAt.IsZero() && !s.now().Before(r.ExpiresAt) {
			return nil
		}
		rec, found = r, true
		return nil
	})
	if err != nil {
		return IdempotencyRecord{}, false, err
	}
	return rec, found, nil
}

// SaveIdempotency stores the first answer for rec.Key for IdempotencyTTL.
// CreatedAt and ExpiresAt are set here from the service clock.
func (s *Service) SaveIdempotency(ctx context.Context, rec IdempotencyRecord) error {
	if rec.Key == "" {
		return Invalidf("an idempotency record needs a key")
	}
	now := s.now()
	rec.CreatedAt, rec.ExpiresAt = now, now.Add(IdempotencyTTL)
	return s.store.Update(ctx, func(tx Tx) error { return tx.Idempotency().Put(rec) })
}
