package midtrans_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/langganan/langganan/adapters/fakemidtrans"
	"github.com/langganan/langganan/adapters/midtrans"
	"github.com/langganan/langganan/adapters/midtrans/midtranstest"
	"github.com/langganan/langganan/core"
)

const (
	fakeServerKey = "SB-Mid-server-CONTRACTFAKE"
	fakeClientKey = "SB-Mid-client-CONTRACTFAKE"
)

// TestContractEmulator holds the in-process emulator to the contract suite.
func TestContractEmulator(t *testing.T) {
	clock := fakemidtrans.NewManualClock(time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC))
	emu, err := fakemidtrans.New(fakemidtrans.Options{ServerKey: fakeServerKey, ClientKey: fakeClientKey, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = emu.Close() })
	emu.SetPublicURL(srv.URL)

	newClient := func(t *testing.T) *midtrans.Client {
		c, err := midtrans.New(midtrans.Config{
			BaseURL: srv.URL, ServerKey: fakeServerKey, ClientKey: fakeClientKey,
			Timeout: 5 * time.Second, MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
			Log: zerolog.Nop(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	midtranstest.RunContract(t, newClient, simDriver{base: srv.URL, http: srv.Client()})
}

// simDriver drives the emulator's control plane over HTTP, as cmd/server would.
type simDriver struct {
	base string
	http *http.Client
}

func (d simDriver) post(ctx context.Context, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, "POST", d.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("POST %s: HTTP %d: %s", path, res.StatusCode, b)
	}
	return nil
}

func (d simDriver) Act(ctx context.Context, orderID, action string) error {
	return d.post(ctx, "/_sim/transactions/"+url.PathEscape(orderID)+"/"+action, nil)
}

func (d simDriver) LinkPayAccount(ctx context.Context, accountID string) error {
	return d.post(ctx, "/_sim/pay-accounts/"+url.PathEscape(accountID)+"/link", nil)
}

func (d simDriver) AdvanceClock(ctx context.Context, dur time.Duration) error {
	return d.post(ctx, "/_sim/clock/advance", fmt.Appendf(nil, `{"duration":%q}`, dur.String()))
}

// TestEmulatorFaultsAreRetriedSafely drives the emulator's fault injector:
// a 503, a connection reset and a hung request are retried with the same
// idempotency key and order id, and exactly one transaction results.
func TestEmulatorFaultsAreRetriedSafely(t *testing.T) {
	emu, err := fakemidtrans.New(fakemidtrans.Options{ServerKey: fakeServerKey, ClientKey: fakeClientKey,
		Clock: fakemidtrans.NewManualClock(time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = emu.Close() })
	d := simDriver{base: srv.URL, http: srv.Client()}
	ctx := context.Background()
	if err := d.post(ctx, "/_sim/faults", []byte(`{"api":[{"endpoint":"charge","sequence":["http_503","reset","timeout","ok"],"hold":"2s"},
		{"endpoint":"status","sequence":["http_502"],"repeat":true}]}`)); err != nil {
		t.Fatal(err)
	}
	c, err := midtrans.New(midtrans.Config{BaseURL: srv.URL, ServerKey: fakeServerKey, Timeout: 100 * time.Millisecond,
		MaxAttempts: 4, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, BreakerThreshold: 3, BreakerCooldown: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := c.Charge(ctx, core.ChargeRequest{OrderID: "fault-1", Amount: core.MustMoney("49000"), PaymentType: core.PayBankTransfer, Bank: "bca", IdempotencyKey: "sub-1-c1-a1"})
	if err != nil || tx.TransactionStatus != "pending" {
		t.Fatalf("charge through faults: %+v %v", tx, err)
	}
	res, err := srv.Client().Get(srv.URL + "/_sim/transactions")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if n := bytes.Count(body, []byte(`"fault-1"`)); n != 1 {
		t.Fatalf("order fault-1 appears %d times in %s", n, body)
	}

	// A gateway that keeps failing opens the breaker: later calls fail fast.
	_, err = c.Status(ctx, "fault-1")
	if !core.Retryable(err) {
		t.Fatalf("status during outage: %v", err)
	}
	if c.BreakerState() != "open" {
		t.Fatalf("breaker %s after an outage", c.BreakerState())
	}
	start := time.Now()
	_, err = c.Status(ctx, "fault-1")
	if !errors.Is(err, core.ErrGatewayUnavailable) || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("open breaker did not fail fast: %v after %v", err, time.Since(start))
	}
}
