package http

import (
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/documents"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

func init() {
	// GET /api/docs answers HTML; let the validator read it as a string.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.FileBodyDecoder)
}

// oaRunner sends requests through the app and validates every request and
// every answer (status, headers, body) against openapi.json. It records
// which documented operations answered 2xx.
type oaRunner struct {
	t      *testing.T
	srv    *Server
	doc    *openapi3.T
	routes []oaRoute
	seen   map[string]bool
}

type oaRoute struct {
	method, path string
	re           *regexp.Regexp
	params       []string
	literal      int // literal segments: more wins over a {param}
}

func newOARunner(t *testing.T, srv *Server) *oaRunner {
	r := &oaRunner{t: t, srv: srv, doc: loadOpenAPI(t), seen: map[string]bool{}}
	for path, item := range r.doc.Paths.Map() {
		var params []string
		lit := 0
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, strings.Trim(seg, "{}"))
			} else if seg != "" {
				lit++
			}
		}
		pat := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `([^/]+)`) + "$"
		for method := range item.Operations() {
			r.routes = append(r.routes, oaRoute{method: strings.ToUpper(method), path: path, re: regexp.MustCompile(pat), params: params, literal: lit})
		}
	}
	return r
}

// find is the documented operation a request path answers to.
func (r *oaRunner) find(method, path string) (oaRoute, map[string]string, bool) {
	p, _, _ := strings.Cut(path, "?")
	var best *oaRoute
	var vals []string
	for i := range r.routes {
		rt := &r.routes[i]
		if rt.method != method {
			continue
		}
		m := rt.re.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		if best == nil || rt.literal > best.literal {
			best, vals = rt, m[1:]
		}
	}
	if best == nil {
		return oaRoute{}, nil, false
	}
	params := map[string]string{}
	for i, n := range best.params {
		params[n] = vals[i]
	}
	return *best, params, true
}

// oaStep is one request. want is the expected status; badRequest says the
// request itself breaks the document (and the validator must say so).
type oaStep struct {
	c          call
	hdr        map[string]string
	want       int
	badRequest bool
}

func (r *oaRunner) run(s oaStep) (int, []byte, nethttp.Header) {
	t := r.t
	t.Helper()
	c := s.c
	rt, params, ok := r.find(c.method, c.path)
	if !ok {
		t.Fatalf("%s %s: no documented operation", c.method, c.path)
	}
	newReq := func() *nethttp.Request {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req := httptest.NewRequest(c.method, c.path, body)
		ct := c.ctype
		if ct == "" && c.body != "" {
			ct = "application/json"
		}
		if ct != "" && ct != "-" {
			req.Header.Set("Content-Type", ct)
		}
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		for k, v := range s.hdr {
			req.Header.Set(k, v)
		}
		return req
	}
	item := r.doc.Paths.Value(rt.path)
	route := &routers.Route{Spec: r.doc, Path: rt.path, PathItem: item, Method: rt.method, Operation: item.GetOperation(rt.method)}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: newReq(), PathParams: params, Route: route, Options: opts}
	err := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case s.badRequest && err == nil:
		t.Errorf("%s %s %.80s: the document accepts a request the server refuses", c.method, c.path, c.body)
	case !s.badRequest && err != nil:
		t.Errorf("%s %s: request does not match the document: %v", c.method, c.path, err)
	}
	resp, err := r.srv.App().Test(newReq(), -1)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if s.want != 0 && resp.StatusCode != s.want {
		t.Errorf("%s %s = %d, want %d: %.400s", c.method, c.path, resp.StatusCode, s.want, b)
	}
	in.Request = newReq()
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	out.SetBodyBytes(b)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d: response does not match the document: %v\n%.600s", c.method, c.path, resp.StatusCode, err, b)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		r.seen[rt.method+" "+rt.path] = true
	}
	return resp.StatusCode, b, resp.Header
}

// ok runs a step that must succeed with want and answers its JSON object.
func (r *oaRunner) ok(want int, c call, hdr ...map[string]string) map[string]any {
	r.t.Helper()
	s := oaStep{c: c, want: want}
	if len(hdr) > 0 {
		s.hdr = hdr[0]
	}
	st, b, _ := r.run(s)
	if st != want {
		r.t.FailNow()
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// fail runs a step that must answer the error status want with the error
// body; badRequest as in oaStep.
func (r *oaRunner) fail(want int, badRequest bool, c call, hdr ...map[string]string) {
	r.t.Helper()
	s := oaStep{c: c, want: want, badRequest: badRequest}
	if len(hdr) > 0 {
		s.hdr = hdr[0]
	}
	r.run(s)
}

func firstID(t *testing.T, page map[string]any) string {
	t.Helper()
	res, _ := page["results"].([]any)
	if len(res) == 0 {
		t.Fatalf("empty page: %v", page)
	}
	return res[0].(map[string]any)["id"].(string)
}

// TestOpenAPIJourney drives a realistic journey through every documented
// operation, with a few error answers, validating every request and answer
// against openapi.json; at the end every documented operation must have
// answered 2xx at least once.
func TestOpenAPIJourney(t *testing.T) {
	t.Parallel()
	clk := core.NewManualClock(t0)
	gw := coretest.NewGateway(clk)
	store := bolt.NewMemory()
	svc, err := core.NewService(core.Deps{Store: store, Gateway: gw, Clock: clk, IDs: &coretest.SeqIDs{},
		Hasher: coretest.PlainHasher{}}, core.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "root", adminPW); err != nil {
		t.Fatal(err)
	}
	for _, u := range [][2]string{{"budi", userPW}, {"siti", lcSitiPW}} {
		if _, err := svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: u[0], Password: u[1], Email: u[0] + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	srv := NewServer(Config{Service: svc, Log: zerolog.Nop(), Clock: clk, Documents: documents.Renderer{},
		Backup: func(w io.Writer) (int64, error) { n, err := w.Write([]byte("bbolt copy")); return int64(n), err }})
	r := newOARunner(t, srv)
	const nobody = "00000000-0000-4000-8000-999999999999"

	// Operations.
	r.ok(200, call{method: "GET", path: "/api/openapi.json"})
	r.ok(200, call{method: "GET", path: "/api/docs"})
	r.ok(200, call{method: "GET", path: "/api/admin/backup", auth: asAdmin})
	r.fail(403, false, call{method: "GET", path: "/api/admin/backup", auth: asUser})

	// An outbound webhook endpoint first, so later events are delivered to it.
	ep := r.ok(201, call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin,
		body: `{"url":"https://merchant.example/hooks","events":[],"description":"ERP"}`})
	epID := ep["id"].(string)
	r.fail(400, true, call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin, body: `{"url":"https://x.example/","colour":"red"}`})
	r.ok(200, call{method: "GET", path: "/api/admin/webhook-endpoints/?page=1&page_size=10", auth: asAdmin})
	r.ok(200, call{method: "GET", path: "/api/admin/webhook-endpoints/" + epID + "/", auth: asAdmin})
	r.ok(200, call{method: "PATCH", path: "/api/admin/webhook-endpoints/" + epID + "/", auth: asAdmin, body: `{"description":"ERP hooks","active":true}`})

	// Plans and accounts.
	r.ok(201, call{method: "POST", path: "/api/plans/", auth: asAdmin,
		body: `{"name":"Basic","slug":"basic","price":"49000.00","currency":"IDR","interval":1,"interval_unit":"month","sort_order":1}`})
	r.ok(201, call{method: "POST", path: "/api/plans/", auth: asAdmin,
		body: `{"name":"Pro","slug":"pro","price":149000,"interval_unit":"month","trial_period_days":0,"features":{"max_users":5},"sort_order":2}`})
	r.ok(201, call{method: "POST", path: "/api/plans/", auth: asAdmin,
		body: `{"name":"Seats","slug":"seats","price":"30000","interval_unit":"month","per_seat":true,"features":{"permissions":["read","write"]}}`})
	r.ok(201, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Old","price":"1000","interval_unit":"year"}`})
	r.fail(400, true, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"x"}`})
	r.fail(400, true, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"x","price":"1","interval_unit":"month","colour":"red"}`})
	r.fail(403, false, call{method: "POST", path: "/api/plans/", auth: asUser, body: `{"name":"X","price":"1","interval_unit":"month"}`})
	r.fail(409, false, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Basic","price":"1","interval_unit":"month"}`})
	r.fail(415, true, call{method: "POST", path: "/api/plans/", auth: asAdmin, ctype: "text/plain", body: `name=x`})
	r.ok(200, call{method: "GET", path: "/api/plans/?page_size=2&ordering=-price&interval_unit=month"})
	r.fail(400, true, call{method: "GET", path: "/api/plans/?status=gone"})
	r.fail(401, false, call{method: "GET", path: "/api/plans/", auth: basic("root", "wrong")})
	r.ok(200, call{method: "GET", path: "/api/plans/pro/"})
	r.fail(404, false, call{method: "GET", path: "/api/plans/nope/"})
	r.ok(200, call{method: "PATCH", path: "/api/plans/pro/", auth: asAdmin, body: `{"price":"159000","description":"More"}`})
	r.ok(200, call{method: "DELETE", path: "/api/plans/old/", auth: asAdmin})

	r.ok(200, call{method: "GET", path: "/api/me/", auth: asUser})
	r.fail(401, false, call{method: "GET", path: "/api/me/"})
	r.ok(201, call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"sari","password":"sari-pass-1234","email":"sari@example.com"}`})
	r.fail(409, false, call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"budi","password":"budi-pass-1234"}`})
	r.fail(400, true, call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"siti2"}`})
	sari := r.ok(200, call{method: "GET", path: "/api/me/", auth: basic("sari", "sari-pass-1234")})
	r.ok(201, call{method: "POST", path: "/api/admin/portal-links/", auth: asAdmin,
		body: `{"user_id":"` + sari["id"].(string) + `","return_url":"https://shop.example/account"}`})
	r.fail(400, false, call{method: "POST", path: "/api/admin/portal-links/", auth: asAdmin,
		body: `{"user_id":"` + sari["id"].(string) + `","return_url":"/account"}`})
	r.fail(403, false, call{method: "POST", path: "/api/admin/portal-links/", auth: asUser,
		body: `{"user_id":"` + sari["id"].(string) + `","return_url":"https://shop.example/"}`})
	tok := r.ok(201, call{method: "POST", path: "/api/auth/tokens/", auth: asUser, body: `{"name":"ci"}`})
	r.ok(200, call{method: "GET", path: "/api/me/", auth: "Bearer " + tok["token"].(string)})
	r.ok(204, call{method: "DELETE", path: "/api/auth/tokens/" + tok["id"].(string) + "/", auth: asUser})
	r.fail(404, false, call{method: "DELETE", path: "/api/auth/tokens/" + tok["id"].(string) + "/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/auth/tokens/", auth: asUser})
	r.fail(400, true, call{method: "POST", path: "/api/me/password/", auth: basic("sari", "sari-pass-1234"), body: `{"current_password":"sari-pass-1234","new_password":"short"}`})
	r.ok(204, call{method: "POST", path: "/api/me/password/", auth: basic("sari", "sari-pass-1234"), body: `{"current_password":"sari-pass-1234","new_password":"sari-pass-5678"}`})

	// Subscribing, with an Idempotency-Key: the retry replays.
	subBody := `{"plan_id":"basic","payment_type":"bank_transfer","metadata":{"bank":"bni"},"customer_details":{"first_name":"Budi","email":"budi@example.com"}}`
	key := map[string]string{"Idempotency-Key": "sub-budi-1"}
	created := r.ok(201, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: subBody}, key)
	sub := created["subscription"].(map[string]any)["id"].(string)
	order := created["payment"].(map[string]any)["order_id"].(string)
	if _, _, h := r.run(oaStep{c: call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: subBody}, hdr: key, want: 201}); h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retry was not a replay: %v", h)
	}
	r.fail(409, false, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"bank_transfer"}`}, key)
	r.fail(400, true, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"payment_type":"bank_transfer"}`})
	r.fail(400, false, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"nope","payment_type":"bank_transfer"}`})
	r.fail(401, false, call{method: "POST", path: "/api/subscriptions/", body: subBody})

	// The webhook settles it.
	r.ok(200, call{method: "POST", path: "/api/webhook/notification/", body: string(gw.Settle(order))})
	r.ok(200, call{method: "POST", path: "/api/webhook/notification/", body: string(gw.Settle(order))}) // duplicate
	r.fail(403, false, call{method: "POST", path: "/api/webhook/notification/",
		body: string(coretest.Forged(coretest.Notification(order, "settlement", "200", "49000.00", "t")))})

	r.ok(200, call{method: "GET", path: "/api/subscriptions/?status=active&payment_type=bank_transfer&ordering=-created_at", auth: asUser})
	r.fail(400, true, call{method: "GET", path: "/api/subscriptions/?status=bogus", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/subscriptions/active/", auth: asUser})
	r.fail(404, false, call{method: "GET", path: "/api/subscriptions/active/", auth: lcSiti})
	r.ok(200, call{method: "GET", path: "/api/subscriptions/" + sub + "/", auth: asUser})
	r.fail(404, false, call{method: "GET", path: "/api/subscriptions/" + sub + "/", auth: lcSiti})
	r.ok(200, call{method: "GET", path: "/api/subscriptions/" + sub + "/sync/", auth: asUser})
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + sub + "/sync/", auth: asUser})

	// Payments and invoices.
	pays := r.ok(200, call{method: "GET", path: "/api/payments/?status=paid&ordering=-gross_amount", auth: asUser})
	pay := firstID(t, pays)
	r.ok(200, call{method: "GET", path: "/api/payments/" + pay + "/", auth: asUser})
	r.fail(404, false, call{method: "GET", path: "/api/payments/" + nobody + "/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/payments/" + pay + "/check-status/", auth: asUser})
	r.fail(422, false, call{method: "POST", path: "/api/payments/" + pay + "/refund/", auth: asAdmin, body: `{"amount":10000}`})
	r.ok(200, call{method: "POST", path: "/api/payments/" + pay + "/refund/", auth: asAdmin, body: `{"amount":10000,"reason":"Customer request","direct":false,"to_wallet":true}`},
		map[string]string{"Idempotency-Key": "refund-1"})
	r.fail(400, true, call{method: "POST", path: "/api/payments/" + pay + "/refund/", auth: asAdmin, body: `{"amount":true}`})
	invs := r.ok(200, call{method: "GET", path: "/api/invoices/?status=paid&ordering=-issue_date", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/invoices/" + firstID(t, invs) + "/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/invoices/" + firstID(t, invs) + "/pdf", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/invoices/" + firstID(t, invs) + "/html", auth: asUser})
	// The refund to the wallet above issued a credit note.
	cns := r.ok(200, call{method: "GET", path: "/api/credit-notes/?invoice_id=" + firstID(t, invs) + "&ordering=-issue_date", auth: asUser})
	cn := firstID(t, cns)
	r.ok(200, call{method: "GET", path: "/api/credit-notes/" + cn + "/", auth: asUser})
	r.fail(404, false, call{method: "GET", path: "/api/credit-notes/" + cn + "/", auth: lcSiti})
	r.ok(200, call{method: "GET", path: "/api/credit-notes/" + cn + "/pdf", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/credit-notes/" + cn + "/html", auth: asUser})
	r.fail(400, true, call{method: "GET", path: "/api/credit-notes/?ordering=colour", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/admin/tax/export?month=2026-01", auth: asAdmin})
	r.ok(200, call{method: "GET", path: "/api/admin/tax/export?month=2026-01&format=csv", auth: asAdmin})
	r.fail(400, false, call{method: "GET", path: "/api/admin/tax/export?month=2026-1", auth: asAdmin})
	r.fail(403, false, call{method: "GET", path: "/api/admin/tax/export?month=2026-01", auth: asUser})
	r.fail(400, true, call{method: "GET", path: "/api/invoices/?ordering=colour", auth: asUser})

	// Lifecycle.
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + sub + "/pause/", auth: asUser}, map[string]string{"Idempotency-Key": "pause-1"})
	r.fail(409, false, call{method: "POST", path: "/api/subscriptions/" + sub + "/pause/", auth: asUser})
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + sub + "/resume/", auth: asUser, body: `{}`})
	r.fail(400, true, call{method: "POST", path: "/api/subscriptions/" + sub + "/resume/", auth: asUser, body: `{"now":true}`})
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + sub + "/change-plan/", auth: asUser, body: `{"plan_id":"pro","immediate":false}`})
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + sub + "/cancel/", auth: asUser, body: `{"reason":"Too expensive","immediate":false}`})
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + sub + "/cancel/", auth: asUser, body: `{"undo":true}`})

	// A second customer: charging answers the open order; once it expired the subscription cannot be charged.
	sitiSub := r.ok(201, call{method: "POST", path: "/api/subscriptions/", auth: lcSiti, body: `{"plan_id":"basic","payment_type":"bank_transfer"}`})
	sitiID := sitiSub["subscription"].(map[string]any)["id"].(string)
	r.ok(201, call{method: "POST", path: "/api/payments/charge/", auth: lcSiti, body: `{"subscription_id":"` + sitiID + `"}`},
		map[string]string{"Idempotency-Key": "charge-1"})
	r.ok(200, call{method: "POST", path: "/api/webhook/notification/", body: string(gw.ExpireOrder(sitiSub["payment"].(map[string]any)["order_id"].(string)))})
	r.fail(409, false, call{method: "POST", path: "/api/payments/charge/", auth: lcSiti, body: `{"subscription_id":"` + sitiID + `"}`})
	r.fail(404, false, call{method: "POST", path: "/api/payments/charge/", auth: asUser, body: `{"subscription_id":"` + sitiID + `"}`})

	// Payment methods.
	pm := r.ok(201, call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{"phone_number":"081234567890","redirect_url":"https://shop.example/back"}`})
	r.fail(400, true, call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{}`})
	r.ok(200, call{method: "GET", path: "/api/payment-methods/", auth: asUser})
	r.ok(204, call{method: "DELETE", path: "/api/payment-methods/" + pm["id"].(string) + "/", auth: asUser})
	r.fail(404, false, call{method: "DELETE", path: "/api/payment-methods/" + nobody + "/", auth: asUser})

	// Wallet and top-ups.
	wallet := r.ok(200, call{method: "GET", path: "/api/wallet/me/", auth: asUser})
	r.ok(200, call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{"auto_pay":true}`})
	r.fail(400, true, call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{"auto_pay":"yes"}`})
	top := r.ok(201, call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":100000,"payment_type":"bank_transfer","bank":"bca"}`},
		map[string]string{"Idempotency-Key": "topup-1"})
	r.fail(400, true, call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"payment_type":"bank_transfer"}`})
	r.ok(200, call{method: "POST", path: "/api/webhook/notification/", body: string(gw.Settle(top["order_id"].(string)))})
	r.ok(200, call{method: "GET", path: "/api/topups/?status=paid&payment_type=bank_transfer", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/topups/" + top["id"].(string) + "/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/wallet/transactions/?type=top_up&ordering=-amount", auth: asUser})
	r.ok(201, call{method: "POST", path: "/api/admin/wallets/" + wallet["id"].(string) + "/adjust/", auth: asAdmin, body: `{"amount":"-5000.00","reason":"Correction"}`},
		map[string]string{"Idempotency-Key": "adjust-1"})
	r.fail(422, false, call{method: "POST", path: "/api/admin/wallets/" + wallet["id"].(string) + "/adjust/", auth: asAdmin, body: `{"amount":-99999999,"reason":"Too much"}`})
	r.fail(400, true, call{method: "POST", path: "/api/admin/wallets/" + wallet["id"].(string) + "/adjust/", auth: asAdmin, body: `{"amount":1000}`})
	r.fail(403, false, call{method: "POST", path: "/api/admin/wallets/" + wallet["id"].(string) + "/adjust/", auth: asUser, body: `{"amount":1000,"reason":"x"}`})
	r.ok(200, call{method: "GET", path: "/api/admin/ledger/check/", auth: asAdmin})
	r.ok(200, call{method: "GET", path: "/api/admin/webhook-logs/?page_size=5", auth: asAdmin})

	// The admin console's views and the notification log's actions.
	logs := r.ok(200, call{method: "GET", path: "/api/admin/webhook-logs/?order_id=" + order + "&status=processed", auth: asAdmin})
	logID := firstID(t, logs)
	r.ok(200, call{method: "GET", path: "/api/admin/webhook-logs/" + logID + "/", auth: asAdmin})
	r.fail(404, false, call{method: "GET", path: "/api/admin/webhook-logs/" + nobody + "/", auth: asAdmin})
	r.fail(400, true, call{method: "GET", path: "/api/admin/webhook-logs/?status=lost", auth: asAdmin})
	again := r.ok(201, call{method: "POST", path: "/api/admin/webhook-logs/" + logID + "/reapply/", auth: asAdmin})
	if again["status"] != "duplicate" || again["replay_of"] != logID {
		t.Errorf("applied again: %v, want a duplicate naming %s", again, logID)
	}
	r.fail(403, false, call{method: "POST", path: "/api/admin/webhook-logs/" + logID + "/reapply/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/admin/figures/?from=2026-01-01&to=2026-01-31", auth: asAdmin})
	r.ok(200, call{method: "GET", path: "/api/admin/figures/?interval=month", auth: asAdmin})
	r.fail(400, true, call{method: "GET", path: "/api/admin/figures/?interval=week", auth: asAdmin})
	r.fail(400, false, call{method: "GET", path: "/api/admin/figures/?from=yesterday", auth: asAdmin})
	r.fail(403, false, call{method: "GET", path: "/api/admin/figures/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/admin/subscriptions/?search=budi&plan=basic&past_due=false&status=active&ordering=-next_billing_date", auth: asAdmin})
	r.fail(400, true, call{method: "GET", path: "/api/admin/subscriptions/?past_due=maybe", auth: asAdmin})
	r.fail(403, false, call{method: "GET", path: "/api/admin/subscriptions/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/admin/dunning/", auth: asAdmin})
	r.ok(200, call{method: "GET", path: "/api/admin/stale-payments/", auth: asAdmin})
	me := r.ok(200, call{method: "GET", path: "/api/me/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/admin/subscribers/" + me["id"].(string) + "/", auth: asAdmin})
	r.fail(404, false, call{method: "GET", path: "/api/admin/subscribers/" + nobody + "/", auth: asAdmin})

	// Organizations, BOB subscriptions and coupons.
	org := r.ok(201, call{method: "POST", path: "/api/organizations/", auth: asUser, body: `{"name":"Acme"}`})
	orgID := org["id"].(string)
	base := "/api/organizations/" + orgID
	r.ok(200, call{method: "GET", path: "/api/organizations/", auth: asUser})
	r.ok(200, call{method: "GET", path: base + "/", auth: asUser})
	r.fail(404, false, call{method: "GET", path: base + "/", auth: lcSiti})
	r.fail(422, false, call{method: "POST", path: base + "/members/", auth: asUser, body: `{"username":"siti"}`})
	bob := r.ok(201, call{method: "POST", path: "/api/admin/organizations/" + orgID + "/subscriptions/", auth: asAdmin,
		body: `{"plan_id":"seats","subscription_status":"trialing","trial_start":"2026-01-31T03:00:00Z","trial_end":1770346800,"quantity":3}`})
	bobID := bob["id"].(string)
	r.fail(400, true, call{method: "POST", path: "/api/admin/organizations/" + orgID + "/subscriptions/", auth: asAdmin, body: `{"plan_id":"seats","subscription_status":"bogus"}`})
	r.ok(200, call{method: "PATCH", path: "/api/admin/subscriptions/" + bobID + "/", auth: asAdmin, body: `{"subscription_status":"active","billing_cycle_anchor":"2026-01-31T03:00:00Z"}`})
	r.ok(200, call{method: "GET", path: base + "/can-add-users/?count=2", auth: asUser})
	r.fail(400, true, call{method: "GET", path: base + "/can-add-users/", auth: asUser})
	withSiti := r.ok(201, call{method: "POST", path: base + "/members/", auth: asUser, body: `{"username":"siti","role":"member"}`})
	r.ok(200, call{method: "GET", path: base + "/subscriptions/?status=active&ordering=-created_at", auth: lcSiti})
	r.ok(200, call{method: "GET", path: base + "/subscription/", auth: lcSiti})
	r.ok(200, call{method: "GET", path: base + "/wallet/", auth: asUser})
	r.fail(403, false, call{method: "GET", path: base + "/wallet/", auth: lcSiti})
	r.ok(200, call{method: "PATCH", path: "/api/subscriptions/" + bobID + "/", auth: asUser, body: `{"quantity":4}`})
	r.fail(400, true, call{method: "PATCH", path: "/api/subscriptions/" + bobID + "/", auth: asUser, body: `{}`})
	coupon := r.ok(201, call{method: "POST", path: "/api/admin/coupons/", auth: asAdmin,
		body: `{"code":"Welcome10","percent_off":"10","duration":"repeating","duration_in_cycles":3,"max_redemptions":10,"applies_to_plans":["seats"],"redeem_by":"2027-01-01T00:00:00Z"}`})
	cid := coupon["id"].(string)
	r.ok(201, call{method: "POST", path: "/api/admin/coupons/", auth: asAdmin, body: `{"code":"FLAT5K","amount_off":5000,"duration":"once"}`})
	r.fail(409, false, call{method: "POST", path: "/api/admin/coupons/", auth: asAdmin, body: `{"code":"welcome10","amount_off":"5000","duration":"once"}`})
	r.ok(200, call{method: "GET", path: "/api/admin/coupons/?include_deleted=true", auth: asAdmin})
	r.ok(200, call{method: "GET", path: "/api/admin/coupons/" + cid + "/", auth: asAdmin})
	r.ok(200, call{method: "POST", path: "/api/subscriptions/" + bobID + "/apply-coupon/", auth: asUser, body: `{"code":"welcome10"}`})
	r.fail(409, false, call{method: "POST", path: "/api/subscriptions/" + bobID + "/apply-coupon/", auth: asUser, body: `{"code":"welcome10"}`})
	r.ok(200, call{method: "PATCH", path: "/api/admin/coupons/" + cid + "/", auth: asAdmin, body: `{"active":false}`})
	r.ok(204, call{method: "DELETE", path: "/api/admin/coupons/" + cid + "/", auth: asAdmin})
	r.ok(204, call{method: "DELETE", path: base + "/members/" + memberID(t, withSiti, "siti") + "/", auth: asUser})
	r.ok(200, call{method: "POST", path: "/api/admin/subscriptions/" + bobID + "/finish/", auth: asAdmin})
	r.fail(404, false, call{method: "GET", path: base + "/subscription/", auth: asUser})

	// Jobs, time and notifications.
	r.ok(200, call{method: "POST", path: "/api/admin/billing/run/", auth: asAdmin})
	r.ok(200, call{method: "POST", path: "/api/admin/clock/advance/", auth: asAdmin, body: `{"duration":"24h"}`})
	r.fail(400, false, call{method: "POST", path: "/api/admin/clock/advance/", auth: asAdmin, body: `{"duration":"soon"}`})
	r.fail(400, true, call{method: "POST", path: "/api/admin/clock/advance/", auth: asAdmin, body: `{"duration":5}`})
	notes := r.ok(200, call{method: "GET", path: "/api/notifications/?channel=in_app&page_size=50", auth: asUser})
	note := firstID(t, notes)
	r.fail(400, true, call{method: "GET", path: "/api/notifications/?channel=pigeon", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/notifications/unread/", auth: asUser})
	r.ok(200, call{method: "GET", path: "/api/notifications/" + note + "/", auth: asUser})
	r.ok(200, call{method: "POST", path: "/api/notifications/" + note + "/mark-read/", auth: asUser})
	r.fail(404, false, call{method: "GET", path: "/api/notifications/" + note + "/", auth: lcSiti})
	dels := r.ok(200, call{method: "GET", path: "/api/admin/webhook-endpoints/" + epID + "/deliveries/", auth: asAdmin})
	r.ok(202, call{method: "POST", path: "/api/admin/webhook-endpoints/" + epID + "/deliveries/" + firstID(t, dels) + "/resend/", auth: asAdmin})
	r.ok(204, call{method: "DELETE", path: "/api/admin/webhook-endpoints/" + epID + "/", auth: asAdmin})
	r.fail(404, false, call{method: "GET", path: "/api/admin/webhook-endpoints/" + epID + "/", auth: asAdmin})

	// Every documented operation answered 2xx at least once.
	var missed []string
	for _, rt := range r.routes {
		if !r.seen[rt.method+" "+rt.path] {
			missed = append(missed, rt.method+" "+rt.path)
		}
	}
	sort.Strings(missed)
	if len(missed) > 0 {
		t.Errorf("documented operations the journey never exercised with success:\n  %s", strings.Join(missed, "\n  "))
	}
}

// memberID is the user id of the named member of an organization answer.
func memberID(t *testing.T, org map[string]any, username string) string {
	t.Helper()
	ms, _ := org["members"].([]any)
	for _, m := range ms {
		if m := m.(map[string]any); m["username"] == username {
			return m["user_id"].(string)
		}
	}
	t.Fatalf("%s is not a member: %v", username, org)
	return ""
}
