package http

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

const subBody = `{"plan_id":"basic","payment_type":"bank_transfer"}`

func TestIdempotencyReplay(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	key := map[string]string{"Idempotency-Key": "order-42"}
	c := call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: subBody}

	st1, b1, h1 := e.raw(t, c, key)
	if st1 != 201 || h1.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first = %d %s (replayed %q)", st1, b1, h1.Get("Idempotent-Replayed"))
	}
	st2, b2, h2 := e.raw(t, c, key)
	if st2 != 201 || !bytes.Equal(b1, b2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay = %d %s (replayed %q), want the first answer", st2, b2, h2.Get("Idempotent-Replayed"))
	}
	if !strings.HasPrefix(h2.Get("Content-Type"), "application/json") {
		t.Errorf("replay content type = %q", h2.Get("Content-Type"))
	}
	// The trailing slash does not make another request.
	c2 := c
	c2.path = "/api/subscriptions"
	if st, b, _ := e.raw(t, c2, key); st != 201 || !bytes.Equal(b, b1) {
		t.Errorf("replay without slash = %d %s", st, b)
	}
	if n := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/", auth: asUser})["count"]; n != 1.0 {
		t.Errorf("subscriptions = %v, want 1", n)
	}
	if n := len(e.gw.Orders()); n != 1 {
		t.Errorf("gateway orders = %d, want 1", n)
	}

	// Same key, another body: 409.
	st, b, _ := e.raw(t, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"bank_transfer"}`}, key)
	if m := decodeJSON(t, b); st != 409 {
		t.Errorf("reused key = %d %s", st, b)
	} else if code, _ := errCode(m); code != "idempotency_key_reused" {
		t.Errorf("reused key code = %q", code)
	}
	// Same key on another endpoint: a different request, 409 too.
	if st, b, _ := e.raw(t, call{method: "POST", path: "/api/topups/", auth: asUser, body: subBody}, key); st != 409 {
		t.Errorf("key reused on another path = %d %s", st, b)
	}
	// Keys are per user: siti's identical key runs her own request.
	if st, b, h := e.raw(t, call{method: "POST", path: "/api/subscriptions/", auth: lcSiti, body: subBody}, key); st != 201 || h.Get("Idempotent-Replayed") != "" {
		t.Errorf("other user's same key = %d %s", st, b)
	}
	// Too long a key.
	if st, b, _ := e.raw(t, c, map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}); st != 400 {
		t.Errorf("long key = %d %s", st, b)
	}

	// Error answers below 500 are stored and replayed too.
	bad := call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"gold","payment_type":"qris"}`}
	ek := map[string]string{"Idempotency-Key": "bad-1"}
	st1, b1, _ = e.raw(t, bad, ek)
	st2, b2, h2 = e.raw(t, bad, ek)
	if st1 != 400 || st2 != 400 || !bytes.Equal(b1, b2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Errorf("error replay = %d %s / %d %s", st1, b1, st2, b2)
	}

	// After 24 h the key is forgotten and the request runs again (here: a
	// 409, the first subscription is still live).
	e.clock.Advance(25 * time.Hour)
	if st, _, h := e.raw(t, c, key); h.Get("Idempotent-Replayed") != "" || st != 409 {
		t.Errorf("after expiry = %d replayed %q", st, h.Get("Idempotent-Replayed"))
	}
}

// TestIdempotencyConcurrent fires identical requests at once: exactly one
// executes, the others wait for it and replay its answer.
func TestIdempotencyConcurrent(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	const n = 8
	var wg sync.WaitGroup
	bodies := make([][]byte, n)
	statuses := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, b, _ := e.raw(t, call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":100000,"payment_type":"qris"}`},
				map[string]string{"Idempotency-Key": "same"})
			statuses[i], bodies[i] = st, b
		}()
	}
	wg.Wait()
	for i := range n {
		if statuses[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("request %d = %d %s, want the one answer %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	if c := e.must(t, 200, call{method: "GET", path: "/api/topups/", auth: asUser})["count"]; c != 1.0 {
		t.Errorf("top-ups = %v, want 1", c)
	}
}

func TestIdempotencyKeyLocks(t *testing.T) {
	t.Parallel()
	m := newIdempotency(nil, nil, nil)
	unlock := m.lock("a")
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.lock("a")()
	}()
	select {
	case <-done:
		t.Fatal("second holder got the lock while the first held it")
	case <-time.After(20 * time.Millisecond):
	}
	m.lock("b")() // other keys are independent
	unlock()
	<-done
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.locks) != 0 {
		t.Errorf("locks left behind: %d", len(m.locks))
	}
}

// TestIdempotencyAcrossInstances: the key is reserved in the store, so a
// request whose key another instance (sharing the store) is still running
// answers 409 idempotency_key_in_flight and runs nothing, and replays that
// instance's answer once it is stored.
func TestIdempotencyAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	ctx := context.Background()
	me := e.must(t, 200, call{method: "GET", path: "/api/me/", auth: asUser})
	scoped := "http:" + me["id"].(string) + ":other-instance"
	fp := requestFingerprint("POST", "/api/subscriptions/", []byte(subBody))
	// The other instance has reserved the key and is running the request.
	if _, found, err := e.svc.ReserveIdempotency(ctx, scoped, fp); err != nil || found {
		t.Fatalf("reserve = %v %v", found, err)
	}
	c := call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: subBody}
	key := map[string]string{"Idempotency-Key": "other-instance"}
	st, b, h := e.raw(t, c, key)
	if code, _ := errCode(decodeJSON(t, b)); st != 409 || code != "idempotency_key_in_flight" || h.Get("Retry-After") != "1" {
		t.Fatalf("while in flight = %d %s (Retry-After %q), want 409 idempotency_key_in_flight", st, b, h.Get("Retry-After"))
	}
	if n := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/", auth: asUser})["count"]; n != 0.0 {
		t.Errorf("subscriptions = %v while the other instance runs the request, want 0", n)
	}
	// It answers; a retry here replays that answer.
	answer := []byte(`{"id":"from-the-other-instance"}`)
	if err := e.svc.SaveIdempotency(ctx, core.IdempotencyRecord{Key: scoped, RequestHash: fp, Status: 201, Body: answer}); err != nil {
		t.Fatal(err)
	}
	if st, b, h := e.raw(t, c, key); st != 201 || !bytes.Equal(b, answer) || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("after the answer = %d %s (replayed %q), want the other instance's answer", st, b, h.Get("Idempotent-Replayed"))
	}
}
