package http

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

// newNotifEnv is newEnv with the store kept, to append events, and a
// second user, siti.
func newNotifEnv(t *testing.T) (*env, core.Store, core.User, core.User) {
	t.Helper()
	clk := core.NewManualClock(t0)
	store := bolt.NewMemory()
	svc, err := core.NewService(core.Deps{Store: store, Clock: clk, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "root", adminPW); err != nil {
		t.Fatal(err)
	}
	budi, err := svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: "budi", Password: userPW, Email: "budi@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	siti, err := svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: "wati", Password: "wati-pass-1234", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, clock: clk}
	e.srv = NewServer(Config{Service: svc, Log: zerolog.Nop(), Clock: clk})
	return e, store, budi, siti
}

var asWati = basic("wati", "wati-pass-1234")

func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	e, store, budi, siti := newNotifEnv(t)
	ctx := context.Background()
	if err := store.Update(ctx, func(tx core.Tx) error {
		for _, ev := range []core.Event{
			{ID: "evt-1", Type: core.EvSubscriptionActivated, OwnerID: budi.ID, OccurredAt: t0},
			{ID: "evt-2", Type: core.EvPaymentSucceeded, OwnerID: budi.ID, OccurredAt: t0, Data: map[string]any{"amount": "49000.00"}},
			{ID: "evt-3", Type: core.EvSubscriptionRenewed, OwnerID: siti.ID, OccurredAt: t0},
		} {
			if _, err := tx.Outbox().Append(ev); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.RunNotifications(ctx); err != nil {
		t.Fatal(err)
	}

	// Budi: 2 in-app + 2 email (no email sender installed: they stay queued).
	st, m, _ := e.do(t, call{method: "GET", path: "/api/notifications/", auth: asUser})
	if st != 200 || m["count"] != float64(4) {
		t.Fatalf("list = %d %v", st, m)
	}
	st, m, _ = e.do(t, call{method: "GET", path: "/api/notifications/?channel=in_app&notification_type=payment.succeeded", auth: asUser})
	res, _ := m["results"].([]any)
	if st != 200 || len(res) != 1 {
		t.Fatalf("filtered = %d %v", st, m)
	}
	n := res[0].(map[string]any)
	for _, k := range []string{"id", "notification_type", "channel", "recipient", "subject", "body", "payload", "status", "attempts", "last_error", "created_at", "sent_at", "read_at"} {
		if _, ok := n[k]; !ok {
			t.Errorf("field %s missing in %v", k, n)
		}
	}
	if n["status"] != "queued" || n["channel"] != "in_app" || !strings.Contains(n["subject"].(string), "Rp49.000") {
		t.Fatalf("notification = %v", n)
	}
	id := n["id"].(string)

	st, m, _ = e.do(t, call{method: "GET", path: "/api/notifications/?channel=fax", auth: asUser})
	if code, f := errCode(m); st != 400 || code == "" || f["channel"] == nil {
		t.Fatalf("bad filter = %d %v", st, m)
	}

	// Isolation: siti sees neither budi's list nor his notification.
	st, m, _ = e.do(t, call{method: "GET", path: "/api/notifications/", auth: asWati})
	if st != 200 || m["count"] != float64(1) {
		t.Fatalf("siti's list = %d %v", st, m)
	}
	for _, c := range []call{
		{method: "GET", path: "/api/notifications/" + id + "/", auth: asWati},
		{method: "POST", path: "/api/notifications/" + id + "/mark-read/", auth: asWati},
		{method: "GET", path: "/api/notifications/not-a-uuid/", auth: asUser},
	} {
		if st, _, _ := e.do(t, c); st != 404 {
			t.Errorf("%s %s as other = %d, want 404", c.method, c.path, st)
		}
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/notifications/"}); st != 401 {
		t.Errorf("anonymous = %d", st)
	}

	// Unread, mark-read, unread again.
	e.do(t, call{method: "GET", path: "/api/notifications/unread/", auth: asUser})
	st, raw := e.notifRaw(t, call{method: "GET", path: "/api/notifications/unread/", auth: asUser})
	if st != 200 || strings.Count(raw, `"channel":"in_app"`) != 2 {
		t.Fatalf("unread = %d %s", st, raw)
	}
	st, m, _ = e.do(t, call{method: "POST", path: "/api/notifications/" + id + "/mark-read/", auth: asUser})
	if st != 200 || m["status"] != "read" || m["read_at"] == nil {
		t.Fatalf("mark-read = %d %v", st, m)
	}
	st, m, _ = e.do(t, call{method: "GET", path: "/api/notifications/" + id + "/", auth: asUser})
	if st != 200 || m["status"] != "read" {
		t.Fatalf("get = %d %v", st, m)
	}
	st, raw = e.notifRaw(t, call{method: "GET", path: "/api/notifications/unread/", auth: asUser})
	if st != 200 || strings.Count(raw, `"channel":"in_app"`) != 1 {
		t.Fatalf("unread after mark = %d %s", st, raw)
	}
}

func TestWebhookEndpointsAPI(t *testing.T) {
	t.Parallel()
	e, store, budi, _ := newNotifEnv(t)
	ctx := context.Background()
	st, m, h := e.do(t, call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin,
		body: `{"url":"https://merchant.example/hooks","events":["payment.succeeded"],"description":"ERP"}`})
	secret, _ := m["secret"].(string)
	if st != 201 || !strings.HasPrefix(secret, "whsec_") || len(secret) != 70 || h.Get("Location") == "" {
		t.Fatalf("create = %d %v", st, m)
	}
	id := m["id"].(string)
	for _, c := range []call{
		{method: "GET", path: "/api/admin/webhook-endpoints/", auth: asAdmin},
		{method: "GET", path: "/api/admin/webhook-endpoints/" + id + "/", auth: asAdmin},
	} {
		st, m, _ := e.do(t, c)
		if st != 200 {
			t.Fatalf("%s = %d %v", c.path, st, m)
		}
		if b := notifJSON(m); strings.Contains(b, secret) || strings.Contains(b, `"secret"`) {
			t.Fatalf("%s shows the secret: %s", c.path, b)
		}
	}
	for _, c := range []struct {
		call   call
		status int
		field  string
	}{
		{call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asUser, body: `{"url":"https://x.example/"}`}, 403, ""},
		{call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin, body: `{"url":"ftp://x.example/"}`}, 400, "url"},
		{call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin, body: `{"url":"https://x.example/","events":["nope"]}`}, 400, "events"},
		{call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin, body: `{"events":[]}`}, 400, "url"},
		{call{method: "GET", path: "/api/admin/webhook-endpoints/00000000-0000-4000-8000-999999999999/", auth: asAdmin}, 404, ""},
	} {
		st, m, _ := e.do(t, c.call)
		_, f := errCode(m)
		if st != c.status || c.field != "" && f[c.field] == nil {
			t.Errorf("%s %s %s = %d %v, want %d naming %q", c.call.method, c.call.path, c.call.body, st, m, c.status, c.field)
		}
	}
	st, m, _ = e.do(t, call{method: "PATCH", path: "/api/admin/webhook-endpoints/" + id + "/", auth: asAdmin, body: `{"events":[],"description":"all"}`})
	if evs, _ := m["events"].([]any); st != 200 || len(evs) != 0 || m["description"] != "all" {
		t.Fatalf("patch = %d %v", st, m)
	}

	// A delivery, then its log and a resend with the same event id.
	if err := store.Update(ctx, func(tx core.Tx) error {
		_, err := tx.Outbox().Append(core.Event{ID: "evt-h", Type: core.EvInvoicePaid, OwnerID: budi.ID, OccurredAt: t0})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RelayOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	st, m, _ = e.do(t, call{method: "GET", path: "/api/admin/webhook-endpoints/" + id + "/deliveries/", auth: asAdmin})
	res, _ := m["results"].([]any)
	if st != 200 || m["count"] != float64(1) || len(res) != 1 {
		t.Fatalf("deliveries = %d %v", st, m)
	}
	d := res[0].(map[string]any)
	if d["event_id"] != "evt-h" || d["channel"] != "webhook" || d["recipient"] != id {
		t.Fatalf("delivery = %v", d)
	}
	st, m, _ = e.do(t, call{method: "POST", path: "/api/admin/webhook-endpoints/" + id + "/deliveries/" + d["id"].(string) + "/resend/", auth: asAdmin})
	if st != 202 || m["status"] != "queued" || m["event_id"] != "evt-h" {
		t.Fatalf("resend = %d %v", st, m)
	}
	if st, _, _ := e.do(t, call{method: "POST", path: "/api/admin/webhook-endpoints/" + id + "/deliveries/00000000-0000-4000-8000-999999999999/resend/", auth: asAdmin}); st != 404 {
		t.Fatalf("resend unknown = %d", st)
	}
	if st, _, _ := e.do(t, call{method: "DELETE", path: "/api/admin/webhook-endpoints/" + id + "/", auth: asAdmin}); st != 204 {
		t.Fatalf("delete = %d", st)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/admin/webhook-endpoints/" + id + "/", auth: asAdmin}); st != 404 {
		t.Fatalf("get deleted = %d", st)
	}
}

// notifRaw is do for answers that are not a JSON object (the unread array).
func (e *env) notifRaw(t *testing.T, c call) (int, string) {
	t.Helper()
	req := httptest.NewRequest(c.method, c.path, nil)
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func notifJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
