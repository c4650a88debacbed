package core_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

func (e *env) countCalls(op string) int {
	n := 0
	for _, c := range e.gw.Calls {
		if c == op {
			n++
		}
	}
	return n
}

func (e *env) logs() []core.WebhookLog {
	e.t.Helper()
	l, _, err := e.svc.ListWebhookLogs(e.ctx, e.admin, core.WebhookLogFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

// 3,000 forged Subscription API notifications do not become 3,000 calls
// to Midtrans: an unknown id is remembered, and look-ups are rate limited.
func TestForgedSubscriptionNotificationsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := e.svc.Config()
	// The same forged id, 3,000 times: one look-up.
	for range 3000 {
		_, err := e.svc.ProcessNotification(e.ctx, coretest.SubscriptionNotification("forged-1", true, nil), "203.0.113.9")
		if !errors.Is(err, core.ErrForbidden) {
			t.Fatalf("forged notification: %v, want forbidden", err)
		}
	}
	if n := e.countCalls("subscription.get"); n != 1 {
		t.Errorf("look-ups for one forged id = %d, want 1", n)
	}
	// 3,000 different forged ids: at most the burst (the wall clock is
	// the manual clock here, standing still, so nothing refills).
	limited := 0
	for i := range 3000 {
		_, err := e.svc.ProcessNotification(e.ctx, coretest.SubscriptionNotification(fmt.Sprintf("forged-x%d", i), true, nil), "203.0.113.9")
		if errors.Is(err, core.ErrRateLimited) {
			limited++
		}
	}
	if n := e.countCalls("subscription.get"); n > 1+cfg.LookupBurst {
		t.Errorf("look-ups for 3,000 forged ids = %d, want at most %d", n, 1+cfg.LookupBurst)
	}
	if limited < 3000-cfg.LookupBurst {
		t.Errorf("rate limited = %d, want the rest (%d)", limited, 3000-cfg.LookupBurst)
	}
	// Time passing refills the bucket.
	e.clock.Advance(time.Second)
	if _, err := e.svc.ProcessNotification(e.ctx, coretest.SubscriptionNotification("forged-later", true, nil), "203.0.113.9"); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("after a second: %v, want a look-up (forbidden)", err)
	}
	// And of 6,001 unverified notifications from one IP, at most the
	// per-minute number was stored; the rest were counted.
	if n := len(e.logs()); n > cfg.RejectedWebhooksPerMinute*2 {
		t.Errorf("stored logs = %d, want at most %d", n, cfg.RejectedWebhooksPerMinute*2)
	}
	if e.svc.UnstoredNotifications() < 5900 {
		t.Errorf("unstored count = %d", e.svc.UnstoredNotifications())
	}
}

// A real subscription read back once serves notifications for a minute.
func TestSubscriptionLookupCached(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ns, err := e.gw.CreateSubscription(e.ctx, core.NativeSubscriptionRequest{Name: "x", Amount: core.MoneyFromRupiah(49000, core.IDR),
		PaymentType: core.PayCreditCard, Token: "tok", Interval: 1, IntervalUnit: "month", StartTime: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	body := coretest.SubscriptionNotification(ns.ID, false, nil)
	for range 50 {
		if _, err := e.svc.ProcessNotification(e.ctx, body, "203.0.113.9"); err != nil {
			t.Fatalf("notification for a real subscription: %v", err)
		}
	}
	if n := e.countCalls("subscription.get"); n != 1 {
		t.Errorf("look-ups within a minute = %d, want 1", n)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.ProcessNotification(e.ctx, body, "203.0.113.9"); err != nil {
		t.Fatal(err)
	}
	if n := e.countCalls("subscription.get"); n != 2 {
		t.Errorf("look-ups after a minute = %d, want 2", n)
	}
}

// An unreadable body is stored bounded: size, digest, source IP and the
// first KiB; never the whole body.
func TestUnverifiedNotificationStoredBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := bytes.Repeat([]byte("A"), 60<<10)
	if _, err := e.svc.ProcessNotification(e.ctx, big, "198.51.100.7"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("garbage: %v, want invalid", err)
	}
	// A forged signature, padded to 50 KiB (trailing white space).
	bad := append(coretest.Forged(coretest.Notification("SUB-1", "settlement", "200", "1.00", "t")), strings.Repeat(" ", 50<<10)...)
	if _, err := e.svc.ProcessNotification(e.ctx, bad, "198.51.100.7"); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("bad signature: %v, want forbidden", err)
	}
	logs := e.logs()
	if len(logs) != 2 {
		t.Fatalf("logs = %d, want 2", len(logs))
	}
	for _, l := range logs {
		if len(l.Payload) > core.UnverifiedPayloadKeep || l.PayloadSize < 50<<10 || len(l.PayloadSHA256) != 64 ||
			l.SourceIP != "198.51.100.7" || l.Status != core.WebhookRejected {
			t.Errorf("log kept %d bytes (size %d, digest %q, ip %q, %s), want at most 1 KiB with size and digest",
				len(l.Payload), l.PayloadSize, l.PayloadSHA256, l.SourceIP, l.Status)
		}
	}
	// Past the per-minute number per IP, nothing more is stored.
	for range 20 {
		_, _ = e.svc.ProcessNotification(e.ctx, big, "198.51.100.7")
	}
	if n := len(e.logs()); n != e.svc.Config().RejectedWebhooksPerMinute {
		t.Errorf("logs after a flood = %d, want %d", n, e.svc.Config().RejectedWebhooksPerMinute)
	}
	// Another IP still gets its own.
	_, _ = e.svc.ProcessNotification(e.ctx, big, "198.51.100.8")
	if n := len(e.logs()); n != e.svc.Config().RejectedWebhooksPerMinute+1 {
		t.Errorf("logs after another IP = %d", n)
	}
}

// The billing run prunes webhook logs older than the retention.
func TestWebhookLogRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _ = e.svc.ProcessNotification(e.ctx, []byte("old garbage"), "198.51.100.7")
	e.clock.Advance(89 * 24 * time.Hour)
	_, _ = e.svc.ProcessNotification(e.ctx, []byte("newer garbage"), "198.51.100.7")
	if _, err := e.svc.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.logs()); n != 2 {
		t.Fatalf("logs before the retention = %d, want 2", n)
	}
	e.clock.Advance(2 * 24 * time.Hour)
	sum, err := e.svc.RunDue(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	logs := e.logs()
	if len(logs) != 1 || string(logs[0].Payload) != "newer garbage" || sum.Counts["webhook_logs_pruned"] != 1 {
		t.Errorf("after 91 days: %d logs, counts %v; want the newer one only, 1 pruned", len(logs), sum.Counts)
	}
}

// A failed charge reads the subscription afresh (its status decides), but
// still under the rate limit.
func TestFailedChargeBypassesLookupCache(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ns, err := e.gw.CreateSubscription(e.ctx, core.NativeSubscriptionRequest{Name: "x", Amount: core.MoneyFromRupiah(49000, core.IDR),
		PaymentType: core.PayCreditCard, Token: "tok", Interval: 1, IntervalUnit: "month", StartTime: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	update := coretest.SubscriptionNotification(ns.ID, false, nil)
	failed := coretest.SubscriptionNotification(ns.ID, true, &core.SubscriptionCharge{StatusCode: "202", TransactionID: "t1"})
	_, _ = e.svc.ProcessNotification(e.ctx, update, "203.0.113.9")
	_, _ = e.svc.ProcessNotification(e.ctx, failed, "203.0.113.9")
	if n := e.countCalls("subscription.get"); n != 2 {
		t.Errorf("look-ups = %d, want 2 (the failed charge reads afresh)", n)
	}
}
