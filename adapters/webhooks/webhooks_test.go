package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/webhooks"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// Vectors computed independently (Python hmac/hashlib).
var vectors = []struct {
	secret string
	t      int64
	body   string
	want   string
}{
	{"whsec_test", 1700000000, `{"id":"evt_1"}`, "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"},
	{"whsec_0123456789abcdef", 1767225600, ``, "t=1767225600,v1=5aa8c8f74f0a8c5694701440a471939b9f31b001f4dd9fca474a0996c07a2e0a"},
	{"s3cr3t", 0, `hello world`, "t=0,v1=3af642db4f9255ffcce78aa67d7fb2a05f5cb79d372748e64102788b3c5e08d5"},
}

func TestSignVectors(t *testing.T) {
	for _, v := range vectors {
		if got := webhooks.Sign(v.secret, v.t, []byte(v.body)); got != v.want {
			t.Errorf("Sign(%q, %d, %q) = %s, want %s", v.secret, v.t, v.body, got, v.want)
		}
		if err := webhooks.Verify(v.secret, v.want, []byte(v.body), time.Unix(v.t, 0).Add(time.Minute), 0); err != nil {
			t.Errorf("Verify(vector %q): %v", v.want, err)
		}
	}
}

func TestVerify(t *testing.T) {
	const secret = "whsec_test"
	body := []byte(`{"id":"evt_1"}`)
	now := time.Unix(1700000000, 0)
	good := webhooks.Sign(secret, now.Unix(), body)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, good, body, now, nil},
		{"valid at tolerance", secret, good, body, now.Add(5 * time.Minute), nil},
		{"several v1, one matches", secret, "t=1700000000,v1=00ff," + good[len("t=1700000000,"):], body, now, nil},
		{"too old", secret, good, body, now.Add(5*time.Minute + time.Second), webhooks.ErrTooOld},
		{"from the future", secret, good, body, now.Add(-6 * time.Minute), webhooks.ErrTooOld},
		{"wrong secret", "whsec_other", good, body, now, webhooks.ErrBadSignature},
		{"tampered body", secret, good, []byte(`{"id":"evt_2"}`), now, webhooks.ErrBadSignature},
		{"tampered timestamp", secret, strings.Replace(good, "t=1700000000", "t=1700000001", 1), body, now, webhooks.ErrBadSignature},
		{"no timestamp", secret, good[len("t=1700000000,"):], body, now, webhooks.ErrMalformedHeader},
		{"no signature", secret, "t=1700000000", body, now, webhooks.ErrMalformedHeader},
		{"garbage", secret, "nonsense", body, now, webhooks.ErrMalformedHeader},
		{"empty", secret, "", body, now, webhooks.ErrMalformedHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := webhooks.Verify(tc.secret, tc.header, tc.body, tc.now, 5*time.Minute); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// receiver is a loopback merchant endpoint that verifies every request and
// answers 500 to the first fail requests.
type receiver struct {
	mu       sync.Mutex
	secret   string
	fail     int
	requests []received
}

type received struct {
	eventID  string
	verified error
	body     map[string]any
	ua, ct   string
}

func (r *receiver) ServeHTTP(w nethttp.ResponseWriter, req *nethttp.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := received{eventID: req.Header.Get("Langganan-Event-Id"), ua: req.Header.Get("User-Agent"), ct: req.Header.Get("Content-Type"),
		verified: webhooks.Verify(r.secret, req.Header.Get("Langganan-Signature"), body, time.Now(), 5*time.Minute)}
	_ = json.Unmarshal(body, &rec.body)
	r.requests = append(r.requests, rec)
	if rec.verified != nil {
		nethttp.Error(w, "bad signature", nethttp.StatusBadRequest)
		return
	}
	if len(r.requests) <= r.fail {
		nethttp.Error(w, "boom", nethttp.StatusInternalServerError)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// TestLoopbackDelivery: a real HTTP receiver gets the signed webhook; its
// 500 answers lead to retries on the backoff schedule, then success, with
// the same event id every time.
func TestLoopbackDelivery(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	clock := core.NewManualClock(start)
	store := bolt.NewMemory()
	cfg := core.DefaultConfig()
	cfg.WebhookAllowHosts = []string{"127.0.0.1"} // the receiver is on loopback
	svc, err := core.NewService(core.Deps{Store: store, Clock: clock, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rcv := &receiver{fail: 2}
	ts := httptest.NewServer(rcv)
	defer ts.Close()
	admin := core.Actor{IsAdmin: true}
	ep, err := svc.CreateWebhookEndpoint(ctx, admin, core.WebhookEndpointInput{URL: ref(ts.URL + "/hook"), Events: &[]string{core.EvPaymentSucceeded}})
	if err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	rcv.secret = ep.Secret
	rcv.mu.Unlock()
	sender, err := webhooks.New(webhooks.Config{Lookup: svc.WebhookTarget, AllowHosts: cfg.WebhookAllowHosts})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetSenders(map[core.Channel]core.Notifier{core.ChannelWebhook: sender})

	const eventID = "evt-loopback-1"
	if err := store.Update(ctx, func(tx core.Tx) error {
		// One event the endpoint wants and one it does not.
		if _, err := tx.Outbox().Append(core.Event{ID: eventID, Type: core.EvPaymentSucceeded, OccurredAt: start,
			Data: map[string]any{"order_id": "SUB-ABC", "amount": "49000.00"}}); err != nil {
			return err
		}
		_, err := tx.Outbox().Append(core.Event{ID: "evt-other", Type: core.EvWalletDebited, OccurredAt: start})
		return err
	}); err != nil {
		t.Fatal(err)
	}

	var attemptsAt []time.Duration
	for range 10 {
		before := len(rcv.requests)
		if _, _, err := svc.RunNotifications(ctx); err != nil {
			t.Fatal(err)
		}
		if len(rcv.requests) > before {
			attemptsAt = append(attemptsAt, clock.Now().Sub(start))
		}
		next, ok, err := svc.NextNotificationDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		clock.Set(next)
	}
	want := []time.Duration{0, time.Minute, 6 * time.Minute}
	if len(attemptsAt) != len(want) {
		t.Fatalf("attempts at %v, want %v", attemptsAt, want)
	}
	for i := range want {
		if attemptsAt[i] != want[i] {
			t.Fatalf("attempts at %v, want %v", attemptsAt, want)
		}
	}
	for i, r := range rcv.requests {
		if r.verified != nil {
			t.Errorf("request %d: signature: %v", i, r.verified)
		}
		if r.eventID != eventID || r.body["id"] != eventID || r.body["type"] != core.EvPaymentSucceeded {
			t.Errorf("request %d: event id header %q, body %v", i, r.eventID, r.body)
		}
		if r.ua != webhooks.UserAgent || r.ct != "application/json" {
			t.Errorf("request %d: user agent %q, content type %q", i, r.ua, r.ct)
		}
		if d, _ := r.body["data"].(map[string]any); d["order_id"] != "SUB-ABC" {
			t.Errorf("request %d: data %v", i, r.body["data"])
		}
		if c, ok := r.body["created"].(float64); !ok || int64(c) != start.Unix() {
			t.Errorf("request %d: created %v", i, r.body["created"])
		}
	}
	log, total, err := svc.ListWebhookDeliveries(ctx, admin, ep.ID, 0, 10)
	if err != nil || total != 1 {
		t.Fatalf("deliveries: %d, %v", total, err)
	}
	if d := log[0]; d.Status != core.NotifSent || d.Attempts != 3 || d.LastError != "" || d.EventID != eventID {
		t.Fatalf("delivery = %+v", d)
	}
	got, err := svc.GetWebhookEndpoint(ctx, admin, ep.ID)
	if err != nil || !got.FailingSince.IsZero() || !got.Active {
		t.Fatalf("endpoint after success = %+v, %v", got, err)
	}

	// Resend: queued again at once, same event id.
	if _, err := svc.ResendWebhookDelivery(ctx, admin, ep.ID, log[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.RunNotifications(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.requests); n != 4 || rcv.requests[3].eventID != eventID || rcv.requests[3].verified != nil {
		t.Fatalf("after resend: %d requests, last %+v", n, rcv.requests[n-1])
	}
}

func TestSendErrors(t *testing.T) {
	ts := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		nethttp.Redirect(w, r, "/elsewhere", nethttp.StatusFound)
	}))
	defer ts.Close()
	const secret = "whsec_never_in_errors"
	s, err := webhooks.New(webhooks.Config{Lookup: func(context.Context, string) (string, string, error) { return ts.URL, secret, nil },
		AllowHosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	n := core.Notification{Channel: core.ChannelWebhook, Recipient: "ep", Payload: map[string]any{"id": "e1"}}
	err = s.Send(context.Background(), n)
	if err == nil || !strings.Contains(err.Error(), "302") {
		t.Fatalf("redirect: %v, want an error naming 302", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("error leaks the secret")
	}
	if _, err := webhooks.New(webhooks.Config{}); err == nil {
		t.Fatal("New without Lookup succeeded")
	}
}

func ref[T any](v T) *T { return &v }
