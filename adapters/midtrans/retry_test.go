package midtrans

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func TestSlowAnswerHonoursContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := newTestClient(t, s.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Status(ctx, "o-1")
	if took := time.Since(start); took > time.Second {
		t.Fatalf("call took %v after ctx expired", took)
	}
	if !core.Retryable(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want retryable + DeadlineExceeded, got %v", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Fatalf("retried after the caller gave up: %d requests", n)
	}
	if c.BreakerState() != "closed" {
		t.Fatalf("a caller's cancellation counted against Midtrans")
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	s := newStub(t, reply(200, `{}`))
	c := newTestClient(t, s.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Charge(ctx, core.ChargeRequest{OrderID: "o", Amount: core.MustMoney("1000"), PaymentType: core.PayQRIS})
	if !errors.Is(err, context.Canceled) || !core.Retryable(err) {
		t.Fatalf("err = %v", err)
	}
	if len(s.requests()) != 0 {
		t.Fatal("request sent with a cancelled context")
	}
}

// Each per-attempt timeout counts: a hung Midtrans is retried, with the same key.
func TestAttemptTimeoutIsRetried(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 3 {
			<-r.Context().Done()
			return
		}
		reply(200, `{"status_code":"201","transaction_status":"pending","order_id":"o-1"}`)(w, r, n)
	})
	// Long enough for the answered attempt on a loaded machine; the hung ones
	// cost it twice.
	c := newTestClient(t, s.URL, func(c *Config) { c.Timeout = 250 * time.Millisecond })
	tx, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-1", Amount: core.MustMoney("1000"), PaymentType: core.PayQRIS, IdempotencyKey: "sub-1-c1-a1"})
	if err != nil || tx.TransactionStatus != "pending" {
		t.Fatalf("tx=%+v err=%v", tx, err)
	}
	for _, r := range s.requests() {
		if r.Header.Get("Idempotency-Key") != "sub-1-c1-a1" {
			t.Fatalf("key changed: %q", r.Header.Get("Idempotency-Key"))
		}
	}
}

func TestRetriesReuseIdempotencyKeyAndOrderID(t *testing.T) {
	flaky := func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 2 {
			reply(503, `<html>Service Unavailable</html>`)(w, r, n)
			return
		}
		reply(200, `{"status_code":"201","transaction_status":"pending","order_id":"o-7","status_message":"ok"}`)(w, r, n)
	}
	tests := []struct {
		name     string
		run      func(c *Client) error
		attempts int
		key      string // "" = any but constant and non-empty; "-" = header absent
	}{
		{"charge with key", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-7", Amount: core.MustMoney("49000"), PaymentType: core.PayBankTransfer, Bank: "bca", IdempotencyKey: "sub-1-cycle-2-attempt-1"})
			return err
		}, 3, "sub-1-cycle-2-attempt-1"},
		{"charge with an over-long key sends a stable hash", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-7", Amount: core.MustMoney("49000"), PaymentType: core.PayGopay, IdempotencyKey: strings.Repeat("x", 80)})
			return err
		}, 3, headerKey(strings.Repeat("x", 80))},
		{"charge without key is not retried", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-7", Amount: core.MustMoney("49000"), PaymentType: core.PayGopay})
			return err
		}, 1, "-"},
		{"permata ignores keys so is not retried", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-7", Amount: core.MustMoney("49000"), PaymentType: core.PayBankTransfer, Bank: "permata", IdempotencyKey: "k1"})
			return err
		}, 1, "k1"},
		{"cancel gets a per-call key", func(c *Client) error { _, err := c.Cancel(context.Background(), "o-7"); return err }, 3, ""},
		{"status is a GET and retried", func(c *Client) error { _, err := c.Status(context.Background(), "o-7"); return err }, 3, "-"},
		{"refund with refund_key", func(c *Client) error {
			_, err := c.Refund(context.Background(), "o-7", core.RefundRequest{RefundKey: "r1", Amount: core.MustMoney("1000")})
			return err
		}, 3, "-"},
		{"pay account create is not retried", func(c *Client) error {
			_, err := c.CreatePayAccount(context.Background(), core.PayAccountRequest{PhoneNumber: "81212345678"})
			return err
		}, 1, "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, flaky)
			c := newTestClient(t, s.URL)
			err := tc.run(c)
			reqs := s.requests()
			if len(reqs) != tc.attempts {
				t.Fatalf("%d attempts, want %d (err %v)", len(reqs), tc.attempts, err)
			}
			if tc.attempts == 1 && !core.Retryable(err) {
				t.Fatalf("want a retryable error for the caller, got %v", err)
			}
			first := reqs[0].Header.Get("Idempotency-Key")
			switch tc.key {
			case "-":
				if first != "" {
					t.Fatalf("unexpected key %q", first)
				}
			case "":
				if first == "" {
					t.Fatal("no key")
				}
			default:
				if first != tc.key {
					t.Fatalf("key %q, want %q", first, tc.key)
				}
			}
			if len(first) > maxIdemKey {
				t.Fatalf("key longer than %d: %q", maxIdemKey, first)
			}
			for _, r := range reqs[1:] {
				if r.Header.Get("Idempotency-Key") != first {
					t.Fatalf("key changed between attempts: %q vs %q", first, r.Header.Get("Idempotency-Key"))
				}
				if od, ok := r.Body["transaction_details"].(map[string]any); ok && od["order_id"] != "o-7" {
					t.Fatalf("order id changed: %v", od["order_id"])
				}
			}
		})
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	b := backoff{base: 100 * time.Millisecond, max: time.Second}
	for n := 1; n <= 10; n++ {
		for range 50 {
			d := b.delay(n)
			want := min(100*time.Millisecond<<(n-1), time.Second)
			if d < want/2 || d > want {
				t.Fatalf("delay(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if down.Load() {
			reply(500, `{"status_code":"500","status_message":"down"}`)(w, r, n)
			return
		}
		reply(200, `{"status_code":"200","transaction_status":"settlement"}`)(w, r, n)
	})
	var mu sync.Mutex
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newTestClient(t, s.URL, func(c *Config) {
		c.MaxAttempts = 1
		c.BreakerThreshold = 3
		c.BreakerCooldown = time.Minute
		c.Now = clock
	})
	ctx := context.Background()
	for range 3 {
		if _, err := c.Status(ctx, "o"); !core.Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	}
	if got := c.BreakerState(); got != "open" {
		t.Fatalf("state %s after 3 failures", got)
	}
	sent := len(s.requests())
	_, err := c.Status(ctx, "o")
	if !errors.Is(err, core.ErrGatewayUnavailable) || !strings.Contains(err.Error(), "circuit open") {
		t.Fatalf("open breaker: err = %v", err)
	}
	if len(s.requests()) != sent {
		t.Fatal("open breaker still sent a request")
	}
	// After the cooldown one probe goes out; a failing probe re-opens at once.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if _, err := c.Status(ctx, "o"); strings.Contains(err.Error(), "circuit open") {
		t.Fatalf("probe not sent: %v", err)
	}
	if c.BreakerState() != "open" || len(s.requests()) != sent+1 {
		t.Fatalf("failed probe: state %s, requests %d", c.BreakerState(), len(s.requests()))
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	down.Store(false)
	if _, err := c.Status(ctx, "o"); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if c.BreakerState() != "closed" {
		t.Fatalf("state %s after a good probe", c.BreakerState())
	}
}

// Retries stop as soon as the breaker opens instead of hammering Midtrans.
func TestRetriesStopWhenBreakerOpens(t *testing.T) {
	s := newStub(t, reply(502, `<html>bad gateway</html>`))
	c := newTestClient(t, s.URL, func(c *Config) { c.MaxAttempts = 10; c.BreakerThreshold = 2 })
	_, err := c.Status(context.Background(), "o")
	if !core.Retryable(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.requests()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	var inFlight, peak atomic.Int32
	gate := make(chan struct{})
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, n int) {
		v := inFlight.Add(1)
		for {
			p := peak.Load()
			if v <= p || peak.CompareAndSwap(p, v) {
				break
			}
		}
		<-gate
		inFlight.Add(-1)
		reply(200, `{"status_code":"200","transaction_status":"settlement"}`)(w, r, n)
	})
	c := newTestClient(t, s.URL, func(c *Config) { c.MaxConcurrent = 2 })
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { _, _ = c.Status(context.Background(), "o") })
	}
	deadline := time.Now().Add(2 * time.Second)
	for inFlight.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond) // give a third request the chance to (wrongly) arrive
	close(gate)
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak in flight %d, want 2", p)
	}
}
