package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

func TestIdempotencyRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := core.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Clock: clock, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := svc.LookupIdempotency(ctx, "u1:k"); err != nil || found {
		t.Fatalf("lookup of an unknown key = %v %v", found, err)
	}
	if err := svc.SaveIdempotency(ctx, core.IdempotencyRecord{}); err == nil {
		t.Error("a record without a key was saved")
	}
	rec := core.IdempotencyRecord{Key: "u1:k", RequestHash: "h", Status: 201, Body: []byte(`{"id":"x"}`)}
	if err := svc.SaveIdempotency(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, found, err := svc.LookupIdempotency(ctx, "u1:k")
	if err != nil || !found || got.Status != 201 || string(got.Body) != `{"id":"x"}` || got.RequestHash != "h" {
		t.Fatalf("lookup = %+v %v %v", got, found, err)
	}
	if want := clock.Now().Add(24 * time.Hour); !got.ExpiresAt.Equal(want) || !got.CreatedAt.Equal(clock.Now()) {
		t.Errorf("times = %v .. %v, want expiry %v", got.CreatedAt, got.ExpiresAt, want)
	}
	if _, found, _ := svc.LookupIdempotency(ctx, "u2:k"); found {
		t.Error("another scope sees the record")
	}
	clock.Advance(24*time.Hour - time.Second)
	if _, found, _ := svc.LookupIdempotency(ctx, "u1:k"); !found {
		t.Error("record gone before 24 h")
	}
	clock.Advance(time.Second)
	if _, found, _ := svc.LookupIdempotency(ctx, "u1:k"); found {
		t.Error("record still replayed after 24 h")
	}
}
