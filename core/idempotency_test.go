package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// TestIdempotencyReservations walks one key through its life: reserved
// while its request runs (a second request, identical or not, is refused),
// its answer replayed for 24 hours, released after a failure, and taken
// over when the process holding it died and the lease ran out.
func TestIdempotencyReservations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := core.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Clock: clock, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	answer := core.IdempotencyRecord{Key: "u1:k", RequestHash: "h", Status: 201, Body: []byte(`{"id":"x"}`)}
	type want struct {
		found bool
		err   error
	}
	steps := []struct {
		name string
		do   func() (core.IdempotencyRecord, bool, error)
		want want
	}{
		{"a record without a key is refused", func() (core.IdempotencyRecord, bool, error) {
			return core.IdempotencyRecord{}, false, svc.SaveIdempotency(ctx, core.IdempotencyRecord{Status: 200})
		}, want{err: core.ErrInvalid}},
		{"a record without a status is refused", func() (core.IdempotencyRecord, bool, error) {
			return core.IdempotencyRecord{}, false, svc.SaveIdempotency(ctx, core.IdempotencyRecord{Key: "u1:k", RequestHash: "h"})
		}, want{err: core.ErrInvalid}},
		{"the first request reserves", reserve(svc, "u1:k", "h"), want{}},
		{"the same request while it runs", reserve(svc, "u1:k", "h"), want{err: core.ErrIdempotencyInFlight}},
		{"another request with the key while it runs", reserve(svc, "u1:k", "other"), want{err: core.ErrIdempotencyReused}},
		{"another scope is independent", reserve(svc, "u2:k", "h"), want{}},
		{"the answer is stored", func() (core.IdempotencyRecord, bool, error) {
			return core.IdempotencyRecord{}, false, svc.SaveIdempotency(ctx, answer)
		}, want{}},
		{"a retry replays it", reserve(svc, "u1:k", "h"), want{found: true}},
		{"another request with the key is refused", reserve(svc, "u1:k", "other"), want{err: core.ErrIdempotencyReused}},
		{"releasing a stored answer keeps it", func() (core.IdempotencyRecord, bool, error) {
			if err := svc.ReleaseIdempotency(ctx, "u1:k", "h"); err != nil {
				return core.IdempotencyRecord{}, false, err
			}
			return reserve(svc, "u1:k", "h")()
		}, want{found: true}},
		{"replayed until 24 hours have passed", func() (core.IdempotencyRecord, bool, error) {
			clock.Advance(24*time.Hour - time.Second)
			return reserve(svc, "u1:k", "h")()
		}, want{found: true}},
		{"then a new request reserves it", func() (core.IdempotencyRecord, bool, error) {
			clock.Advance(time.Second)
			return reserve(svc, "u1:k", "other")()
		}, want{}},
		{"a released reservation is free at once", func() (core.IdempotencyRecord, bool, error) {
			if err := svc.ReleaseIdempotency(ctx, "u1:k", "other"); err != nil {
				return core.IdempotencyRecord{}, false, err
			}
			return reserve(svc, "u1:k", "h")()
		}, want{}},
		{"a dead holder's reservation holds for its lease", func() (core.IdempotencyRecord, bool, error) {
			clock.Advance(core.IdempotencyLease - time.Second)
			return reserve(svc, "u1:k", "h")()
		}, want{err: core.ErrIdempotencyInFlight}},
		{"and is taken over after it", func() (core.IdempotencyRecord, bool, error) {
			clock.Advance(time.Second)
			return reserve(svc, "u1:k", "h")()
		}, want{}},
	}
	for _, st := range steps {
		rec, found, err := st.do()
		if !errors.Is(err, st.want.err) || (st.want.err == nil && err != nil) || found != st.want.found {
			t.Fatalf("%s: found=%v err=%v, want found=%v err=%v", st.name, found, err, st.want.found, st.want.err)
		}
		if found && (rec.Status != 201 || string(rec.Body) != `{"id":"x"}`) {
			t.Fatalf("%s: replayed %d %s", st.name, rec.Status, rec.Body)
		}
	}
}

func reserve(svc *core.Service, key, hash string) func() (core.IdempotencyRecord, bool, error) {
	return func() (core.IdempotencyRecord, bool, error) {
		return svc.ReserveIdempotency(context.Background(), key, hash)
	}
}
