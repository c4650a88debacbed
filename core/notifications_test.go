package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// crashStore runs the next crashes Updates' fn in full and then fails
// them, as a process dying before commit would.
type crashStore struct {
	core.Store
	crashes atomic.Int32
}

var errCrash = errors.New("crash before commit")

func (s *crashStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	if s.crashes.Add(-1) >= 0 {
		return s.Store.Update(ctx, func(tx core.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			return errCrash
		})
	}
	return s.Store.Update(ctx, fn)
}

// recorder is a Notifier that records sends and fails while failing is set.
type recorder struct {
	mu      sync.Mutex
	clock   core.Clock
	failing bool
	sent    []core.Notification
	at      []time.Time
}

func (r *recorder) Send(_ context.Context, n core.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent, r.at = append(r.sent, n), append(r.at, r.clock.Now())
	if r.failing {
		return errors.New("endpoint answered 500 Internal Server Error")
	}
	return nil
}

type notifEnv struct {
	t             *testing.T
	ctx           context.Context
	clock         *core.ManualClock
	store         *crashStore
	svc           *core.Service
	admin, budi   core.User
	email, hooks  *recorder
	adminA, budiA core.Actor
}

func newNotifEnv(t *testing.T) *notifEnv {
	t.Helper()
	return newNotifEnvConfig(t, core.DefaultConfig())
}

func newNotifEnvConfig(t *testing.T, cfg core.Config) *notifEnv {
	t.Helper()
	clock := core.NewManualClock(start)
	store := &crashStore{Store: bolt.NewMemory()}
	svc, err := core.NewService(core.Deps{Store: store, Clock: clock, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &notifEnv{t: t, ctx: context.Background(), clock: clock, store: store, svc: svc,
		email: &recorder{clock: clock}, hooks: &recorder{clock: clock}}
	root := core.Actor{IsAdmin: true}
	if e.admin, err = svc.CreateUser(e.ctx, root, core.NewUserInput{Username: "root", Password: "root-pass-1", Email: "root@example.com", IsAdmin: true, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	if e.budi, err = svc.CreateUser(e.ctx, root, core.NewUserInput{Username: "budi", Password: "budi-pass-1", Email: "budi@example.com", FirstName: "Budi", Locale: "id"}); err != nil {
		t.Fatal(err)
	}
	e.adminA, e.budiA = core.Actor{UserID: e.admin.ID, IsAdmin: true}, core.Actor{UserID: e.budi.ID}
	svc.SetSenders(map[core.Channel]core.Notifier{core.ChannelEmail: e.email, core.ChannelWebhook: e.hooks})
	return e
}

func (e *notifEnv) append(ev core.Event) {
	e.t.Helper()
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = e.clock.Now()
	}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { _, err := tx.Outbox().Append(ev); return err }); err != nil {
		e.t.Fatal(err)
	}
}

func (e *notifEnv) run() {
	e.t.Helper()
	if _, _, err := e.svc.RunNotifications(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *notifEnv) outboxLen() int {
	var n int
	if err := e.store.View(e.ctx, func(tx core.Tx) error { var err error; n, err = tx.Outbox().Len(); return err }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *notifEnv) endpoint(events ...string) core.WebhookEndpoint {
	e.t.Helper()
	ep, err := e.svc.CreateWebhookEndpoint(e.ctx, e.adminA, core.WebhookEndpointInput{URL: ref("https://merchant.example/hooks"), Events: &events})
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(ep.Secret, "whsec_") || len(ep.Secret) != len("whsec_")+64 {
		e.t.Fatalf("secret %q", ep.Secret)
	}
	return ep
}

var vaPayment = map[string]any{"payment_id": "p1", "order_id": "SUB-0A1B2C3D4E5F", "amount": "49000.00", "currency": "IDR",
	"payment_type": "bank_transfer", "payment_details": map[string]any{"bank": "bni", "va_number": "9881234567890",
		"expiry_time": "2026-02-01T03:00:00Z"}}

// TestRelayCrashSafety: an Update that dies before commit loses nothing;
// the event is relayed later, once, and its webhook keeps the event id.
func TestRelayCrashSafety(t *testing.T) {
	e := newNotifEnv(t)
	ep := e.endpoint()
	e.append(core.Event{ID: "evt-1", Type: core.EvPaymentFailed, OwnerID: e.budi.ID, Data: vaPayment})

	e.store.crashes.Store(2) // the batch, then the event on its own
	if n, err := e.svc.RelayOutbox(e.ctx); err == nil || !errors.Is(err, errCrash) || n != 0 {
		t.Fatalf("relay during crash = %d, %v", n, err)
	}
	if e.outboxLen() != 1 {
		t.Fatal("the event left the outbox in a transaction that never committed")
	}
	if list, _, _ := e.svc.ListNotifications(e.ctx, e.budiA, core.NotificationFilter{}); len(list) != 0 {
		t.Fatalf("notifications of an uncommitted relay: %v", list)
	}
	e.run()
	e.run() // a second run finds nothing to fan out
	if e.outboxLen() != 0 {
		t.Fatal("event still in the outbox")
	}
	list, total, err := e.svc.ListNotifications(e.ctx, e.budiA, core.NotificationFilter{})
	if err != nil || total != 2 {
		t.Fatalf("budi's notifications = %d (%v)", total, err)
	}
	if len(e.hooks.sent) != 1 || e.hooks.sent[0].EventID != "evt-1" || e.hooks.sent[0].Payload["id"] != "evt-1" || e.hooks.sent[0].Recipient != ep.ID {
		t.Fatalf("webhook sends = %+v", e.hooks.sent)
	}
	if len(e.email.sent) != 1 || e.email.sent[0].Recipient != "budi@example.com" {
		t.Fatalf("email sends = %+v", e.email.sent)
	}
	// Indonesian email with the payment details a customer needs.
	m := e.email.sent[0]
	html, _ := m.Payload["html"].(string)
	for _, want := range []string{"9881234567890", "BNI", "Rp49.000", "1 Februari 2026 10:00 WIB", "Halo Budi"} {
		if !strings.Contains(m.Body, want) || !strings.Contains(html, want) {
			t.Errorf("email lacks %q:\ntext: %s\nhtml: %s", want, m.Body, html)
		}
	}
	if !strings.Contains(m.Subject, "gagal") {
		t.Errorf("subject %q is not Indonesian", m.Subject)
	}
	for _, n := range list {
		if n.EventID != "evt-1" || n.Type != core.EvPaymentFailed {
			t.Errorf("notification %+v", n)
		}
	}
}

// TestRetrySchedule: a failing endpoint is retried on the backoff schedule
// for more than three days, then disabled, and the admins are alerted.
func TestRetrySchedule(t *testing.T) {
	e := newNotifEnv(t)
	e.hooks.failing = true
	ep := e.endpoint(core.EvInvoiceIssued)
	e.append(core.Event{ID: "evt-inv", Type: core.EvInvoiceIssued, OwnerID: e.budi.ID, Data: map[string]any{"number": "INV-202601-000001", "total": "49000.00"}})
	for range 30 {
		e.run()
		next, ok, err := e.svc.NextNotificationDue(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		e.clock.Set(next)
	}
	want := []time.Duration{0, time.Minute, 6 * time.Minute, 36 * time.Minute, 2*time.Hour + 36*time.Minute,
		8*time.Hour + 36*time.Minute, 20*time.Hour + 36*time.Minute, 32*time.Hour + 36*time.Minute,
		44*time.Hour + 36*time.Minute, 56*time.Hour + 36*time.Minute, 68*time.Hour + 36*time.Minute, 80*time.Hour + 36*time.Minute}
	var got []time.Duration
	for _, at := range e.hooks.at {
		got = append(got, at.Sub(start))
	}
	if len(got) != len(want) {
		t.Fatalf("attempts at %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("attempt %d at %v, want %v (all: %v)", i+1, got[i], want[i], got)
		}
	}
	if last := want[len(want)-1]; last < 72*time.Hour {
		t.Fatalf("retries last only %v", last)
	}
	d, _, err := e.svc.ListWebhookDeliveries(e.ctx, e.adminA, ep.ID, 0, 10)
	if err != nil || len(d) != 1 || d[0].Status != core.NotifFailed || d[0].Attempts != 12 || !strings.Contains(d[0].LastError, "500") {
		t.Fatalf("delivery = %+v, %v", d, err)
	}
	got2, err := e.svc.GetWebhookEndpoint(e.ctx, e.adminA, ep.ID)
	if err != nil || got2.Active || !got2.DisabledAt.Equal(start.Add(want[len(want)-1])) {
		t.Fatalf("endpoint = %+v, %v", got2, err)
	}
	alerts, _, err := e.svc.ListNotifications(e.ctx, e.adminA, core.NotificationFilter{Type: core.EvAlert, Channel: string(core.ChannelInApp)})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("admin alerts = %+v, %v", alerts, err)
	}
	if data, _ := alerts[0].Payload["data"].(map[string]any); data["alert"] != "webhook_endpoint_disabled" || data["endpoint_id"] != ep.ID {
		t.Fatalf("alert payload = %v", alerts[0].Payload)
	}
	// The customer is not told about an operator alert.
	if l, _, _ := e.svc.ListNotifications(e.ctx, e.budiA, core.NotificationFilter{Type: core.EvAlert}); len(l) != 0 {
		t.Fatalf("customer got alert %+v", l)
	}
	// New events no longer go to the disabled endpoint; re-enabling it does.
	e.append(core.Event{ID: "evt-inv-2", Type: core.EvInvoiceIssued, OwnerID: e.budi.ID})
	e.run()
	if len(e.hooks.sent) != 12 {
		t.Fatalf("a disabled endpoint got a delivery")
	}
	active := true
	if ep2, err := e.svc.UpdateWebhookEndpoint(e.ctx, e.adminA, ep.ID, core.WebhookEndpointInput{Active: &active}); err != nil || !ep2.DisabledAt.IsZero() || !ep2.FailingSince.IsZero() {
		t.Fatalf("re-enable = %+v, %v", ep2, err)
	}
}

// TestDisableFailsQueued: when an endpoint is disabled, its other queued
// deliveries fail with it.
func TestDisableFailsQueued(t *testing.T) {
	e := newNotifEnv(t)
	e.hooks.failing = true
	ep := e.endpoint()
	e.append(core.Event{ID: "evt-a", Type: core.EvWalletDebited, OwnerID: e.budi.ID})
	e.run()                         // first failure: the streak starts
	e.clock.Advance(73 * time.Hour) // evt-a is due again after 1m
	e.append(core.Event{ID: "evt-b", Type: core.EvWalletCredited, OwnerID: e.budi.ID})
	e.run()
	d, _, _ := e.svc.ListWebhookDeliveries(e.ctx, e.adminA, ep.ID, 0, 10)
	if len(d) != 2 {
		t.Fatalf("deliveries %+v", d)
	}
	for _, n := range d {
		if n.Status != core.NotifFailed {
			t.Errorf("delivery %s (%s) status %s, %q", n.ID, n.EventID, n.Status, n.LastError)
		}
	}
	if got, _ := e.svc.GetWebhookEndpoint(e.ctx, e.adminA, ep.ID); got.Active {
		t.Fatal("endpoint still active")
	}
}

func TestEmailRetriesThenFails(t *testing.T) {
	e := newNotifEnv(t)
	e.email.failing = true
	e.append(core.Event{ID: "evt-e", Type: core.EvTopUpSucceeded, OwnerID: e.budi.ID, Data: map[string]any{"amount": "100000.00"}})
	for range 10 {
		e.run()
		next, ok, _ := e.svc.NextNotificationDue(e.ctx)
		if !ok {
			break
		}
		e.clock.Set(next)
	}
	if len(e.email.sent) != 4 {
		t.Fatalf("email attempts = %d", len(e.email.sent))
	}
	l, _, _ := e.svc.ListNotifications(e.ctx, e.budiA, core.NotificationFilter{Channel: "email"})
	if len(l) != 1 || l[0].Status != core.NotifFailed || l[0].Attempts != 4 {
		t.Fatalf("email = %+v", l)
	}
}

func TestInAppReadAndIsolation(t *testing.T) {
	e := newNotifEnv(t)
	other, err := e.svc.CreateUser(e.ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: "siti", Password: "siti-pass-1", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	e.append(core.Event{ID: "evt-1", Type: core.EvSubscriptionActivated, OwnerID: e.budi.ID, Data: map[string]any{"subscription_id": "x", "status": "active"}})
	e.append(core.Event{ID: "evt-2", Type: core.EvSubscriptionRenewed, OwnerID: other.ID})
	e.run()
	unread, err := e.svc.UnreadNotifications(e.ctx, e.budiA)
	if err != nil || len(unread) != 1 || unread[0].Status != core.NotifQueued || unread[0].Channel != core.ChannelInApp {
		t.Fatalf("unread = %+v, %v", unread, err)
	}
	siti := core.Actor{UserID: other.ID}
	if _, err := e.svc.GetNotification(e.ctx, siti, unread[0].ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("siti reads budi's notification: %v", err)
	}
	if _, err := e.svc.MarkNotificationRead(e.ctx, siti, unread[0].ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("siti marks budi's notification: %v", err)
	}
	n, err := e.svc.MarkNotificationRead(e.ctx, e.budiA, unread[0].ID)
	if err != nil || n.Status != core.NotifRead || n.ReadAt.IsZero() {
		t.Fatalf("mark read = %+v, %v", n, err)
	}
	if unread, _ := e.svc.UnreadNotifications(e.ctx, e.budiA); len(unread) != 0 {
		t.Fatalf("still unread: %+v", unread)
	}
	// Siti has no email: in-app only, in English.
	l, _, _ := e.svc.ListNotifications(e.ctx, siti, core.NotificationFilter{})
	if len(l) != 1 || l[0].Channel != core.ChannelInApp || !strings.Contains(l[0].Subject, "renewed") {
		t.Fatalf("siti's = %+v", l)
	}
	if _, _, err := e.svc.ListNotifications(e.ctx, siti, core.NotificationFilter{Channel: "sms"}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad channel filter: %v", err)
	}
}

func TestEndpointValidation(t *testing.T) {
	e := newNotifEnv(t)
	for _, in := range []core.WebhookEndpointInput{
		{},
		{URL: ref("ftp://x.example/")},
		{URL: ref("/relative")},
		{URL: ref("https://user:pw@x.example/")},
		{URL: ref("https://x.example/"), Events: &[]string{"payment.exploded"}},
	} {
		if _, err := e.svc.CreateWebhookEndpoint(e.ctx, e.adminA, in); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("%+v: %v, want invalid", in, err)
		}
	}
	if _, err := e.svc.CreateWebhookEndpoint(e.ctx, e.budiA, core.WebhookEndpointInput{URL: ref("https://x.example/")}); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("non-admin create: %v", err)
	}
}

// blockingSender holds each send until release is closed (or its context
// ends), telling started when one begins.
type blockingSender struct {
	started chan struct{}
	release chan struct{}
	sent    atomic.Int32
}

func (b *blockingSender) Send(ctx context.Context, _ core.Notification) error {
	b.started <- struct{}{}
	select {
	case <-b.release:
		b.sent.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestDeliveryLeaseIsWallTime: two instances share one store and a manual
// service clock. While one sends a webhook, the clock jumps an hour ahead;
// the other must not send it too, because the claim's lease runs on the
// wall clock. A sender that dies mid-send is replaced once the wall lease
// has run out.
func TestDeliveryLeaseIsWallTime(t *testing.T) {
	e := newNotifEnv(t)
	e.endpoint()
	wall := core.NewManualClock(start)
	cfg := core.DefaultConfig()
	cfg.DeliveryLease = 30 * time.Second
	newInstance := func() (*core.Service, *blockingSender) {
		svc, err := core.NewService(core.Deps{Store: e.store, Clock: e.clock, Wall: wall, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return svc, &blockingSender{started: make(chan struct{}, 4), release: make(chan struct{})}
	}
	a, aSend := newInstance()
	b, bSend := newInstance()
	close(bSend.release) // B's sends go through at once
	hooksOnly := func(s *blockingSender) map[core.Channel]core.Notifier {
		return map[core.Channel]core.Notifier{core.ChannelWebhook: s}
	}
	e.append(core.Event{ID: "evt-lease", Type: core.EvPaymentFailed, OwnerID: e.budi.ID, Data: vaPayment})
	if _, err := a.RelayOutbox(e.ctx); err != nil {
		t.Fatal(err)
	}

	ctxA, cancelA := context.WithCancel(e.ctx)
	doneA := make(chan error, 1)
	go func() { _, err := a.DeliverNotifications(ctxA, hooksOnly(aSend)); doneA <- err }()
	<-aSend.started
	e.clock.Advance(time.Hour) // another instance's clock advance
	if n, err := b.DeliverNotifications(e.ctx, hooksOnly(bSend)); err != nil || n != 0 {
		t.Fatalf("while A sends, B claimed %d (%v)", n, err)
	}

	// A dies mid-send: its claim stays until the wall lease runs out.
	cancelA()
	<-doneA
	if n, err := b.DeliverNotifications(e.ctx, hooksOnly(bSend)); err != nil || n != 0 {
		t.Fatalf("before the wall lease ran out, B claimed %d (%v)", n, err)
	}
	wall.Advance(31 * time.Second)
	if n, err := b.DeliverNotifications(e.ctx, hooksOnly(bSend)); err != nil || n != 1 {
		t.Fatalf("after the wall lease, B claimed %d (%v)", n, err)
	}
	if aSend.sent.Load() != 0 || bSend.sent.Load() != 1 {
		t.Fatalf("sends: A %d, B %d; want 0 and 1", aSend.sent.Load(), bSend.sent.Load())
	}
}
