package http

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

const (
	adminPW = "root-pass-1234"
	userPW  = "budi-pass-1234"
)

var t0 = time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)

type env struct {
	srv   *Server
	svc   *core.Service
	clock *core.ManualClock
	ready error
}

func newEnv(t *testing.T, manual bool) *env {
	t.Helper()
	clk := core.NewManualClock(t0)
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Clock: clk, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "root", adminPW); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: "budi", Password: userPW}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreatePlan(ctx, core.Actor{IsAdmin: true}, core.PlanInput{Name: ptr("Basic"), Price: ptr("49000"), IntervalUnit: ptr("month")}); err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, clock: clk}
	cfg := Config{Service: svc, Log: zerolog.Nop(), Ready: func(context.Context) error { return e.ready }}
	if manual {
		cfg.Clock = clk
	}
	e.srv = NewServer(cfg)
	return e
}

func ptr[T any](v T) *T { return &v }

func basic(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }

var (
	asAdmin = basic("root", adminPW)
	asUser  = basic("budi", userPW)
)

type call struct {
	method, path, auth, ctype, body string
}

func (e *env) do(t *testing.T, c call) (int, map[string]any, nethttp.Header) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	ct := c.ctype
	if ct == "" && c.body != "" {
		ct = "application/json"
	}
	if ct != "-" && ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, resp.Header
}

func errCode(m map[string]any) (code string, fields map[string]any) {
	e, _ := m["error"].(map[string]any)
	code, _ = e["code"].(string)
	fields, _ = e["fields"].(map[string]any)
	return code, fields
}

// TestEndpoints is the bad-input table: every row names the status, the
// error code and (where there is one) the field the error must name.
func TestEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		call   call
		status int
		code   string
		field  string
	}{
		// Plans: reading.
		{"list public", call{method: "GET", path: "/api/plans/"}, 200, "", ""},
		{"list no slash", call{method: "GET", path: "/api/plans"}, 200, "", ""},
		{"list bad page", call{method: "GET", path: "/api/plans/?page=0"}, 400, "invalid", "page"},
		{"list page not a number", call{method: "GET", path: "/api/plans/?page=abc"}, 400, "invalid", "page"},
		{"list page_size too big", call{method: "GET", path: "/api/plans/?page_size=101"}, 400, "invalid", "page_size"},
		{"list page_size zero", call{method: "GET", path: "/api/plans/?page_size=0"}, 400, "invalid", "page_size"},
		{"list unknown filter", call{method: "GET", path: "/api/plans/?colour=red"}, 400, "invalid", "colour"},
		{"list repeated filter", call{method: "GET", path: "/api/plans/?status=active&status=inactive"}, 400, "invalid", "status"},
		{"list unknown ordering", call{method: "GET", path: "/api/plans/?ordering=name"}, 400, "invalid", "ordering"},
		{"list bad status", call{method: "GET", path: "/api/plans/?status=gone"}, 400, "invalid", "status"},
		{"list wrong password", call{method: "GET", path: "/api/plans/", auth: basic("root", "nope")}, 401, "unauthenticated", ""},
		{"list unknown user", call{method: "GET", path: "/api/plans/", auth: basic("ghost", "nope-nope")}, 401, "unauthenticated", ""},
		{"list bad bearer", call{method: "GET", path: "/api/plans/", auth: "Bearer lgn_nope"}, 401, "unauthenticated", ""},
		{"list malformed basic", call{method: "GET", path: "/api/plans/", auth: "Basic !!!"}, 401, "unauthenticated", ""},
		{"list unknown scheme", call{method: "GET", path: "/api/plans/", auth: "Digest x"}, 401, "unauthenticated", ""},
		{"get plan", call{method: "GET", path: "/api/plans/basic/"}, 200, "", ""},
		{"get plan no slash", call{method: "GET", path: "/api/plans/basic"}, 200, "", ""},
		{"get missing plan", call{method: "GET", path: "/api/plans/nope/"}, 404, "not_found", ""},

		// Plans: creating.
		{"create ok", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Pro","price":"99000.00","interval_unit":"month","features":{"max_users":3}}`}, 201, "", ""},
		{"create number price", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Pro","price":99000,"interval_unit":"month"}`}, 201, "", ""},
		{"create anonymous", call{method: "POST", path: "/api/plans/", body: `{}`}, 401, "unauthenticated", ""},
		{"create non-admin", call{method: "POST", path: "/api/plans/", auth: asUser, body: `{}`}, 403, "forbidden", ""},
		{"create malformed", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{`}, 400, "invalid", ""},
		{"create trailing data", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X"} {}`}, 400, "invalid", ""},
		{"create array body", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `[1]`}, 400, "invalid", ""},
		{"create empty body", call{method: "POST", path: "/api/plans/", auth: asAdmin, ctype: "application/json"}, 400, "invalid", ""},
		{"create unknown field", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","colour":"red"}`}, 400, "invalid", "colour"},
		{"create wrong type interval", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"1","interval_unit":"month","interval":"1"}`}, 400, "invalid", "interval"},
		{"create wrong type price", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":true,"interval_unit":"month"}`}, 400, "invalid", "price"},
		{"create wrong type features", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"1","interval_unit":"month","features":[1]}`}, 400, "invalid", "features"},
		{"create huge interval", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"1","interval_unit":"month","interval":99999999999999999999}`}, 400, "invalid", "interval"},
		{"create missing fields", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{}`}, 400, "invalid", "price"},
		{"create negative price", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"-1.00","interval_unit":"month"}`}, 400, "invalid", "price"},
		{"create fractional sen", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"1.001","interval_unit":"month"}`}, 400, "invalid", "price"},
		{"create absurd price", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"100000000000000","interval_unit":"month"}`}, 400, "invalid", "price"},
		{"create exponent price", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":1e30,"interval_unit":"month"}`}, 400, "invalid", "price"},
		{"create NaN price", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"X","price":"NaN","interval_unit":"month"}`}, 400, "invalid", "price"},
		{"create slug collision", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Basic","price":"1","interval_unit":"month"}`}, 409, "conflict", "slug"},
		{"create long name", call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"` + strings.Repeat("n", 101) + `","price":"1","interval_unit":"month"}`}, 400, "invalid", "name"},
		{"create not json", call{method: "POST", path: "/api/plans/", auth: asAdmin, ctype: "text/plain", body: `name=x`}, 415, "unsupported_media_type", ""},
		{"create form", call{method: "POST", path: "/api/plans/", auth: asAdmin, ctype: "application/x-www-form-urlencoded", body: `name=x`}, 415, "unsupported_media_type", ""},
		{"create no content type", call{method: "POST", path: "/api/plans/", auth: asAdmin, ctype: "-", body: `{}`}, 415, "unsupported_media_type", ""},

		// Plans: changing.
		{"patch ok", call{method: "PATCH", path: "/api/plans/basic/", auth: asAdmin, body: `{"price":"59000.00"}`}, 200, "", ""},
		{"patch non-admin", call{method: "PATCH", path: "/api/plans/basic/", auth: asUser, body: `{}`}, 403, "forbidden", ""},
		{"patch missing", call{method: "PATCH", path: "/api/plans/nope/", auth: asAdmin, body: `{}`}, 404, "not_found", ""},
		{"patch invalid", call{method: "PATCH", path: "/api/plans/basic/", auth: asAdmin, body: `{"trial_period_days":-1}`}, 400, "invalid", "trial_period_days"},
		{"patch unknown field", call{method: "PATCH", path: "/api/plans/basic/", auth: asAdmin, body: `{"id":"x"}`}, 400, "invalid", "id"},
		{"archive", call{method: "DELETE", path: "/api/plans/basic/", auth: asAdmin}, 200, "", ""},
		{"archive non-admin", call{method: "DELETE", path: "/api/plans/basic/", auth: asUser}, 403, "forbidden", ""},
		{"archive anonymous", call{method: "DELETE", path: "/api/plans/basic/"}, 401, "unauthenticated", ""},

		// Users.
		{"user ok", call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"siti","password":"siti-pass-1234","email":"siti@example.com","first_name":"Siti","last_name":"A","is_admin":false}`}, 201, "", ""},
		{"user duplicate", call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"budi","password":"budi-pass-1234"}`}, 409, "conflict", "username"},
		{"user missing password", call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"siti"}`}, 400, "invalid", "password"},
		{"user short password", call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"siti","password":"short"}`}, 400, "invalid", "password"},
		{"user bad email", call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"siti","password":"siti-pass-1234","email":"x"}`}, 400, "invalid", "email"},
		{"user wrong type", call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"siti","password":"siti-pass-1234","is_admin":"yes"}`}, 400, "invalid", "is_admin"},
		{"user non-admin", call{method: "POST", path: "/api/admin/users/", auth: asUser, body: `{}`}, 403, "forbidden", ""},
		{"user anonymous", call{method: "POST", path: "/api/admin/users/", body: `{}`}, 401, "unauthenticated", ""},

		// Me and tokens.
		{"me", call{method: "GET", path: "/api/me/", auth: asUser}, 200, "", ""},
		{"me anonymous", call{method: "GET", path: "/api/me/"}, 401, "unauthenticated", ""},
		{"token ok", call{method: "POST", path: "/api/auth/tokens/", auth: asUser}, 201, "", ""},
		{"token named", call{method: "POST", path: "/api/auth/tokens/", auth: asUser, body: `{"name":"laptop"}`}, 201, "", ""},
		{"token unknown field", call{method: "POST", path: "/api/auth/tokens/", auth: asUser, body: `{"nama":"laptop"}`}, 400, "invalid", "nama"},
		{"token anonymous", call{method: "POST", path: "/api/auth/tokens/"}, 401, "unauthenticated", ""},
		{"token delete missing", call{method: "DELETE", path: "/api/auth/tokens/nope/", auth: asUser}, 404, "not_found", ""},

		// Admin operations and health.
		{"billing run", call{method: "POST", path: "/api/admin/billing/run/", auth: asAdmin}, 200, "", ""},
		{"billing run non-admin", call{method: "POST", path: "/api/admin/billing/run/", auth: asUser}, 403, "forbidden", ""},
		{"clock real", call{method: "POST", path: "/api/admin/clock/advance/", auth: asAdmin, body: `{"duration":"1h"}`}, 409, "clock_not_manual", ""},
		{"healthz", call{method: "GET", path: "/healthz"}, 200, "", ""},
		{"readyz", call{method: "GET", path: "/readyz"}, 200, "", ""},
		{"unknown route", call{method: "GET", path: "/api/nope/"}, 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, false)
			status, body, hdr := e.do(t, tc.call)
			if status != tc.status {
				t.Fatalf("%s %s = %d %v, want %d", tc.call.method, tc.call.path, status, body, tc.status)
			}
			if status >= 500 {
				t.Fatalf("client input produced %d", status)
			}
			code, fields := errCode(body)
			if code != tc.code {
				t.Errorf("error code = %q, want %q (body %v)", code, tc.code, body)
			}
			if tc.field != "" && fields[tc.field] == nil {
				t.Errorf("error fields = %v, want one for %q", fields, tc.field)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if strings.Contains(strings.ToLower(jsonString(body)), "password_hash") || strings.Contains(jsonString(body), "h:") {
				t.Errorf("response leaks a password hash: %v", body)
			}
		})
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestPlanJSONAndPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	for _, n := range []string{"A", "B", "C"} {
		if st, b, _ := e.do(t, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"` + n + `","price":"1000","interval_unit":"week","sort_order":5}`}); st != 201 {
			t.Fatalf("create %s = %d %v", n, st, b)
		}
	}
	st, b, _ := e.do(t, call{method: "GET", path: "/api/plans/?page_size=2&page=2&ordering=-price"})
	if st != 200 || b["count"] != 4.0 {
		t.Fatalf("page 2 = %d %v", st, b)
	}
	if b["next"] != nil || b["previous"] != "/api/plans/?ordering=-price&page=1&page_size=2" {
		t.Errorf("links = next %v previous %v", b["next"], b["previous"])
	}
	res := b["results"].([]any)
	first := res[0].(map[string]any)
	for _, k := range []string{"id", "name", "slug", "description", "price", "currency", "interval", "interval_unit",
		"trial_period_days", "max_cycles", "status", "features", "sort_order", "created_at", "updated_at"} {
		if _, ok := first[k]; !ok {
			t.Errorf("plan lacks %q: %v", k, first)
		}
	}
	if first["price"] != "1000.00" || first["currency"] != "IDR" {
		t.Errorf("price = %v %v, want \"1000.00\" IDR", first["price"], first["currency"])
	}
	if _, err := time.Parse(time.RFC3339, first["created_at"].(string)); err != nil {
		t.Errorf("created_at not RFC 3339: %v", err)
	}
	_, b, _ = e.do(t, call{method: "GET", path: "/api/plans/?page_size=1"})
	if b["next"] != "/api/plans/?page=2&page_size=1" || b["previous"] != nil {
		t.Errorf("page 1 links = next %v previous %v", b["next"], b["previous"])
	}
	// Archived plans vanish for the public but stay for admins.
	e.do(t, call{method: "DELETE", path: "/api/plans/basic/", auth: asAdmin})
	if _, b, _ := e.do(t, call{method: "GET", path: "/api/plans/"}); b["count"] != 3.0 {
		t.Errorf("public count after archive = %v, want 3", b["count"])
	}
	if _, b, _ := e.do(t, call{method: "GET", path: "/api/plans/?status=archived", auth: asAdmin}); b["count"] != 1.0 {
		t.Errorf("admin archived count = %v, want 1", b["count"])
	}
}

func TestTokenFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	st, b, _ := e.do(t, call{method: "POST", path: "/api/auth/tokens/", auth: asUser, body: `{"name":"ci"}`})
	if st != 201 {
		t.Fatalf("create token = %d %v", st, b)
	}
	secret, id := b["token"].(string), b["id"].(string)
	bearer := "Bearer " + secret
	if st, b, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: bearer}); st != 200 || b["username"] != "budi" {
		t.Fatalf("me with token = %d %v", st, b)
	}
	if st, _, _ := e.do(t, call{method: "POST", path: "/api/auth/tokens/", auth: bearer}); st != 401 {
		t.Errorf("token minting a token = %d, want 401", st)
	}
	if st, _, _ := e.do(t, call{method: "DELETE", path: "/api/auth/tokens/" + id + "/", auth: asAdmin}); st != 404 {
		t.Errorf("admin deleting budi's token = %d, want 404", st)
	}
	if st, _, _ := e.do(t, call{method: "DELETE", path: "/api/auth/tokens/" + id, auth: bearer}); st != 204 {
		t.Errorf("delete own token = %d, want 204", st)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/plans/", auth: bearer}); st != 401 {
		t.Errorf("revoked token on public endpoint = %d, want 401", st)
	}
}

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	for i := range 10 {
		if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: basic("budi", "wrong-pass")}); st != 401 {
			t.Fatalf("failure %d = %d, want 401", i+1, st)
		}
	}
	st, b, hdr := e.do(t, call{method: "GET", path: "/api/me/", auth: asUser})
	if code, _ := errCode(b); st != 429 || code != "rate_limited" || hdr.Get("Retry-After") == "" {
		t.Fatalf("correct password while locked = %d %v, want 429 with Retry-After", st, b)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/me/", auth: asAdmin}); st != 200 {
		t.Errorf("another user while budi is locked = %d, want 200", st)
	}
}

func TestClockAdvance(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	var steps []time.Time
	e.srv.afterAdvance = func(context.Context) error { steps = append(steps, e.clock.Now()); return nil }
	tests := []struct {
		body   string
		status int
		field  string
	}{
		{`{"duration":"90m"}`, 200, ""},
		{`{"duration":"1d"}`, 200, ""},
		{`{"duration":"-1h"}`, 400, "duration"},
		{`{"duration":"soon"}`, 400, "duration"},
		{`{"duration":"1000000h"}`, 400, "duration"},
		{`{"duration":5}`, 400, "duration"},
		{`{}`, 400, "duration"},
	}
	for _, tc := range tests {
		st, b, _ := e.do(t, call{method: "POST", path: "/api/admin/clock/advance/", auth: asAdmin, body: tc.body})
		_, fields := errCode(b)
		if st != tc.status || (tc.field != "" && fields[tc.field] == nil) {
			t.Errorf("advance %s = %d %v, want %d on %q", tc.body, st, b, tc.status, tc.field)
		}
	}
	want := t0.Add(90*time.Minute + 24*time.Hour)
	if !e.clock.Now().Equal(want) {
		t.Errorf("clock = %v, want %v", e.clock.Now(), want)
	}
	// 90m in 1h steps is 2 steps; a day is 24 more.
	if len(steps) != 26 || !steps[0].Equal(t0.Add(time.Hour)) || !steps[1].Equal(t0.Add(90*time.Minute)) {
		t.Errorf("steps = %d (%v, %v), want 26 starting at +1h, +90m", len(steps), steps[0], steps[1])
	}
	if st, _, _ := e.do(t, call{method: "POST", path: "/api/admin/clock/advance/", auth: asUser, body: `{"duration":"1h"}`}); st != 403 {
		t.Errorf("non-admin advance = %d, want 403", st)
	}
}

func TestReadyzAndErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	e.ready = errors.New("store closed: /secret/path")
	st, b, _ := e.do(t, call{method: "GET", path: "/readyz"})
	if code, _ := errCode(b); st != 503 || code != "not_ready" || strings.Contains(jsonString(b), "secret") {
		t.Errorf("readyz not ready = %d %v", st, b)
	}
	// Every error kind maps to its status; internals never leak.
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{core.Invalidf("bad"), 400, "invalid"},
		{core.NotFoundf("x"), 404, "not_found"},
		{core.Conflictf("x"), 409, "conflict"},
		{core.Forbiddenf("x"), 403, "forbidden"},
		{core.Unprocessablef("x"), 422, "unprocessable"},
		{core.UnprocessableCode("insufficient_balance", "x"), 422, "insufficient_balance"},
		{&core.Error{Kind: core.ErrRateLimited, Message: "x"}, 429, "rate_limited"},
		{core.ErrGatewayUnavailable, 503, "gateway_unavailable"},
		{errors.New("db exploded at /var/secret"), 500, "internal"},
	} {
		st, body := e.srv.classify(tc.err)
		if st != tc.status || body.Error.Code != tc.code || (st == 500 && strings.Contains(body.Error.Message, "secret")) {
			t.Errorf("classify(%v) = %d %+v, want %d %s", tc.err, st, body, tc.status, tc.code)
		}
	}
}

func TestPanicIs500(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	e.srv.App().Get("/boom", func(*fiber.Ctx) error { panic("secret internals") })
	st, b, _ := e.do(t, call{method: "GET", path: "/boom"})
	if code, _ := errCode(b); st != 500 || code != "internal" || strings.Contains(jsonString(b), "secret") {
		t.Errorf("panic = %d %v, want a generic 500", st, b)
	}
}

// TestOversizeBody goes through a real listener: fasthttp refuses the body
// while reading it, before any handler, which app.Test cannot show.
func TestOversizeBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.srv.App().Listener(ln) }()
	t.Cleanup(func() { _ = e.srv.App().Shutdown() })
	big := `{"name":"` + strings.Repeat("x", BodyLimit) + `"}`
	// Raw TCP: the server may answer and close before the body is sent, so
	// write errors are ignored and the answer is read anyway.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := nethttp.NewRequest("POST", "http://"+ln.Addr().String()+"/api/plans/", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", asAdmin)
	go func() { _ = req.Write(conn) }()
	resp, err := nethttp.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&b)
	if code, _ := errCode(b); resp.StatusCode != 413 || code != "payload_too_large" {
		t.Errorf("oversize body = %d %v, want 413 payload_too_large", resp.StatusCode, b)
	}
}
