package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/metrics"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestGatewayDelegatesAndCounts(t *testing.T) {
	clk := core.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	inner := coretest.NewGateway(clk)
	g := metrics.Gateway{Inner: inner}
	ctx := context.Background()
	before := testutil.ToFloat64(metrics.GatewayCalls.WithLabelValues("charge", "ok"))
	tx, err := g.Charge(ctx, core.ChargeRequest{OrderID: "o-1", Amount: core.MustMoney("10000"), PaymentType: core.PayBankTransfer, Bank: "bca"})
	if err != nil || tx.OrderID != "o-1" {
		t.Fatalf("Charge = %+v, %v", tx, err)
	}
	if got := testutil.ToFloat64(metrics.GatewayCalls.WithLabelValues("charge", "ok")); got != before+1 {
		t.Fatalf("charge/ok = %v, want %v", got, before+1)
	}
	nfBefore := testutil.ToFloat64(metrics.GatewayCalls.WithLabelValues("status", metrics.Outcome(core.ErrGatewayNotFound)))
	if _, err := g.Status(ctx, "no-such-order"); err == nil {
		t.Fatal("Status of an unknown order succeeded")
	} else if got := testutil.ToFloat64(metrics.GatewayCalls.WithLabelValues("status", metrics.Outcome(err))); got != nfBefore+1 && metrics.Outcome(err) == metrics.Outcome(core.ErrGatewayNotFound) {
		t.Fatalf("status/%s = %v", metrics.Outcome(err), got)
	}
	invalid := testutil.ToFloat64(metrics.GatewayCalls.WithLabelValues("verify_signature", "invalid"))
	if n, err := g.ParseNotification(coretest.Forged(coretest.Notification("o", "settlement", "200", "1.00", "t"))); err != nil || n.SignatureValid {
		t.Fatalf("bad signature: %+v, %v", n, err)
	}
	if got := testutil.ToFloat64(metrics.GatewayCalls.WithLabelValues("verify_signature", "invalid")); got != invalid+1 {
		t.Fatalf("verify_signature/invalid = %v, want %v", got, invalid+1)
	}
}

func TestOutcome(t *testing.T) {
	for err, want := range map[error]string{
		nil:                                   "ok",
		core.ErrPaymentDeclined:               "declined",
		core.ErrDuplicateOrder:                "duplicate",
		core.ErrGatewayNotFound:               "not_found",
		core.ErrGatewayRejected:               "rejected",
		core.ErrGatewayUnavailable:            "unavailable",
		fmt.Errorf("x: %w", context.Canceled): "canceled",
		errors.New("boom"):                    "error",
		&core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: "charge"}: "unavailable",
	} {
		if got := metrics.Outcome(err); got != want {
			t.Errorf("Outcome(%v) = %s, want %s", err, got, want)
		}
	}
}

type fakeSource struct{ fail bool }

func (f fakeSource) OutboxDepth(context.Context) (int, time.Time, error) {
	if f.fail {
		return 0, time.Time{}, errors.New("store closed")
	}
	return 2, time.Now().Add(-90 * time.Second), nil
}
func (f fakeSource) SubscriptionsByStatus(context.Context) (map[string]int, error) {
	return map[string]int{"active": 3, "past_due": 1}, nil
}
func (f fakeSource) MRR(context.Context) (map[string]string, error) {
	return map[string]string{"IDR": "147000.00"}, nil
}
func (f fakeSource) WalletStats(context.Context) (int, int, error) { return 4, 9, nil }

func scrape(t *testing.T, src metrics.Source) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.NewHandler(metrics.HandlerOpts{Source: src}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("scrape status %d: %s", rec.Code, b)
	}
	return string(b)
}

func TestHandlerGauges(t *testing.T) {
	metrics.RecordWebhook("applied")
	metrics.RecordWalletOp("topup", "ok")
	metrics.RecordBillingRun(core.RunSummary{Counts: map[string]int{"renewals": 2}, Errors: 1}, 30*time.Millisecond, nil)
	out := scrape(t, fakeSource{})
	for _, want := range []string{
		`langganan_outbox_depth 2`,
		`langganan_outbox_oldest_age_seconds 9`, // 90.x s
		`langganan_subscriptions{status="active"} 3`,
		`langganan_mrr{currency="IDR"} 147000`,
		`langganan_wallets 4`,
		`langganan_wallet_ledger_entries 9`,
		`langganan_stats_up 1`,
		`langganan_webhook_notifications_total{outcome="applied"}`,
		`langganan_wallet_operations_total{operation="topup",outcome="ok"}`,
		`langganan_billing_runs_total{outcome="ok"}`,
		`langganan_billing_run_items_total{kind="renewals"}`,
		`langganan_billing_run_duration_seconds_bucket`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if out := scrape(t, fakeSource{fail: true}); !strings.Contains(out, "langganan_stats_up 0") || strings.Contains(out, "langganan_outbox_depth") {
		t.Errorf("a failing source must report stats_up 0 and skip its gauges:\n%s", out)
	}
	if out := scrape(t, nil); strings.Contains(out, "langganan_mrr") {
		t.Error("no source, yet MRR served")
	}
}
