package http

import (
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

// Test environment of the billing handlers: the real core over the
// in-memory store, the fake gateway and a manual clock; an admin (root),
// two customers (budi, siti) and three plans (basic 49000, pro 99000,
// trial 49000 with 7 trial days).

const lcSitiPW = "siti-pass-1234"

var lcSiti = basic("siti", lcSitiPW)

type lcEnv struct {
	*env
	gw *coretest.Gateway
}

func newLCEnv(t *testing.T) *lcEnv {
	t.Helper()
	clk := core.NewManualClock(t0)
	gw := coretest.NewGateway(clk)
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Gateway: gw, Clock: clk, IDs: &coretest.SeqIDs{},
		Hasher: coretest.PlainHasher{}}, core.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "root", adminPW); err != nil {
		t.Fatal(err)
	}
	adm := core.Actor{IsAdmin: true}
	for _, u := range [][2]string{{"budi", userPW}, {"siti", lcSitiPW}} {
		if _, err := svc.CreateUser(ctx, adm, core.NewUserInput{Username: u[0], Password: u[1]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		name, price string
		trial       int
	}{{"Basic", "49000", 0}, {"Pro", "99000", 0}, {"Trial", "49000", 7}} {
		if _, err := svc.CreatePlan(ctx, adm, core.PlanInput{Name: ptr(p.name), Price: ptr(p.price), IntervalUnit: ptr("month"),
			TrialPeriodDays: ptr(p.trial)}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{svc: svc, clock: clk}
	e.srv = NewServer(Config{Service: svc, Log: zerolog.Nop(), Ready: func(context.Context) error { return nil }})
	return &lcEnv{env: e, gw: gw}
}

// raw does a request with extra headers and answers the raw body too.
func (e *lcEnv) raw(t *testing.T, c call, hdr map[string]string) (int, []byte, nethttp.Header) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// must does a request that has to answer want and returns its body.
func (e *lcEnv) must(t *testing.T, want int, c call) map[string]any {
	t.Helper()
	st, b, _ := e.do(t, c)
	if st != want {
		t.Fatalf("%s %s = %d %v, want %d", c.method, c.path, st, b, want)
	}
	return b
}

// webhook posts a notification body.
func (e *lcEnv) webhook(t *testing.T, body []byte) (int, map[string]any) {
	t.Helper()
	st, b, _ := e.do(t, call{method: "POST", path: "/api/webhook/notification/", body: string(body)})
	return st, b
}

// subscribe creates a bank-transfer subscription of auth to plan and
// returns its id and its first order id.
func (e *lcEnv) subscribe(t *testing.T, auth, plan string) (subID, orderID string) {
	t.Helper()
	b := e.must(t, 201, call{method: "POST", path: "/api/subscriptions/", auth: auth,
		body: `{"plan_id":"` + plan + `","payment_type":"bank_transfer","metadata":{"bank":"bni"}}`})
	sub := b["subscription"].(map[string]any)
	pay, _ := b["payment"].(map[string]any)
	if pay != nil {
		orderID, _ = pay["order_id"].(string)
	}
	return sub["id"].(string), orderID
}

// fixture is budi's paid basic subscription (its payment and invoice), a
// pending top-up and a pending GoPay link.
type fixture struct {
	sub, order, pay, inv, topup, topupOrder, pm, wallet string
}

func (e *lcEnv) fixture(t *testing.T) fixture {
	t.Helper()
	var f fixture
	f.sub, f.order = e.subscribe(t, asUser, "basic")
	if st, b := e.webhook(t, e.gw.Settle(f.order)); st != 200 {
		t.Fatalf("settle = %d %v", st, b)
	}
	pays := e.must(t, 200, call{method: "GET", path: "/api/payments/", auth: asUser})["results"].([]any)
	f.pay = pays[0].(map[string]any)["id"].(string)
	invs := e.must(t, 200, call{method: "GET", path: "/api/invoices/", auth: asUser})["results"].([]any)
	f.inv = invs[0].(map[string]any)["id"].(string)
	tb := e.must(t, 201, call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":100000,"payment_type":"bank_transfer","bank":"bca"}`})
	f.topup, f.topupOrder = tb["id"].(string), tb["order_id"].(string)
	f.pm = e.must(t, 201, call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{"phone_number":"081234567890"}`})["id"].(string)
	f.wallet = e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser})["id"].(string)
	return f
}

func (f fixture) expand(s string) string {
	return strings.NewReplacer("{sub}", f.sub, "{pay}", f.pay, "{inv}", f.inv, "{topup}", f.topup, "{pm}", f.pm,
		"{wallet}", f.wallet).Replace(s)
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return m
}

func hasKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks %q: %v", what, k, m)
		}
	}
}
