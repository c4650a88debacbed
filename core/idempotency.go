package core

import (
	"context"
	"errors"
	"time"
)

// IdempotencyTTL is how long the first answer to a POST with an
// Idempotency-Key is kept and replayed.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyLease is how long a request holds its key while it runs. A
// process that dies mid-request leaves its reservation behind; after the
// lease a retry may run the request again. It is longer than any request
// takes, gateway retries included.
const IdempotencyLease = 5 * time.Minute

// ErrIdempotencyInFlight is the conflict answered while another request
// with the same key, on this instance or another, is still running.
var ErrIdempotencyInFlight = &Error{Kind: ErrConflict, Code: "idempotency_key_in_flight",
	Message: "a request with this Idempotency-Key is still being processed; retry shortly"}

// ErrIdempotencyReused is the conflict answered for a key first used with
// a different request.
var ErrIdempotencyReused = &Error{Kind: ErrConflict, Code: "idempotency_key_reused",
	Message: "this Idempotency-Key was used with a different request"}

// reserved reports whether r holds its key for a request still running (no
// answer stored yet).
func (r IdempotencyRecord) reserved() bool { return r.Status == 0 }

// live reports whether r still counts at now: an answer for IdempotencyTTL,
// a reservation for IdempotencyLease.
func (r IdempotencyRecord) live(now time.Time) bool {
	return r.ExpiresAt.IsZero() || now.Before(r.ExpiresAt)
}

// ReserveIdempotency claims key (already scoped by the caller, e.g. user id
// + key) for a request whose fingerprint is requestHash, in one unit of
// work, so that instances sharing a store run a request once. It answers
// the stored answer with found=true when the request already ran;
// ErrIdempotencyInFlight while another request holds the key;
// ErrIdempotencyReused when the key belongs to a different request; and
// otherwise reserves the key for IdempotencyLease (found=false): the caller
// runs the request, then SaveIdempotency or ReleaseIdempotency.
func (s *Service) ReserveIdempotency(ctx context.Context, key, requestHash string) (IdempotencyRecord, bool, error) {
	if key == "" || requestHash == "" {
		return IdempotencyRecord{}, false, Invalidf("an idempotency reservation needs a key and a request hash")
	}
	var rec IdempotencyRecord
	found := false
	err := s.store.Update(ctx, func(tx Tx) error {
		found = false
		now := s.now()
		r, err := tx.Idempotency().Get(key)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case !r.live(now):
		case r.RequestHash != requestHash:
			return ErrIdempotencyReused
		case r.reserved():
			return ErrIdempotencyInFlight
		default:
			rec, found = r, true
			return nil
		}
		return tx.Idempotency().Put(IdempotencyRecord{Key: key, RequestHash: requestHash,
			CreatedAt: now, ExpiresAt: now.Add(IdempotencyLease)})
	})
	if err != nil {
		return IdempotencyRecord{}, false, err
	}
	return rec, found, nil
}

// SaveIdempotency stores the first answer for rec.Key for IdempotencyTTL,
// in place of its reservation. CreatedAt and ExpiresAt are set here from
// the service clock.
func (s *Service) SaveIdempotency(ctx context.Context, rec IdempotencyRecord) error {
	if rec.Key == "" {
		return Invalidf("an idempotency record needs a key")
	}
	if rec.reserved() {
		return Invalidf("an idempotency record needs the answer's status")
	}
	now := s.now()
	rec.CreatedAt, rec.ExpiresAt = now, now.Add(IdempotencyTTL)
	return s.store.Update(ctx, func(tx Tx) error { return tx.Idempotency().Put(rec) })
}

// ReleaseIdempotency gives up the reservation of key by a request that
// stored no answer (it failed in a way a retry may repair), so that a
// retry runs at once rather than after the lease. A stored answer stays.
func (s *Service) ReleaseIdempotency(ctx context.Context, key, requestHash string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		r, err := tx.Idempotency().Get(key)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !r.reserved() || r.RequestHash != requestHash {
			return nil
		}
		// Expired now: reads as absent, and the sweep removes it.
		r.ExpiresAt = s.now()
		return tx.Idempotency().Put(r)
	})
}
