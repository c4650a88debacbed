package compat

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axe-core, vendored from npm (axe-core 4.14.1, MPL-2.0, see
// testdata/axe-LICENSE.txt): the accessibility check each portal page
// goes through.
//
//go:embed testdata/axe.min.js
var axeSource string

// portal is a running server with plans Basic and Pro and a customer
// whose Basic subscription is paid.
type portal struct {
	*server
	user, pass string
	userID     string
	subID      string
}

func startPortal(t *testing.T) *portal {
	t.Helper()
	s := startServer(t)
	s.must(201, "POST", "/api/plans/", s.adminAuth, map[string]any{"name": "Basic", "slug": "basic", "price": "49000", "interval": 1, "interval_unit": "month", "sort_order": 1})
	s.must(201, "POST", "/api/plans/", s.adminAuth, map[string]any{"name": "Pro", "slug": "pro", "price": "99000", "interval": 1, "interval_unit": "month", "sort_order": 2})
	u := s.must(201, "POST", "/api/admin/users/", s.adminAuth, map[string]any{"username": "budi", "password": "budi-password-1",
		"email": "budi@example.test", "first_name": "Budi"})
	p := &portal{server: s, user: "budi", pass: "budi-password-1", userID: u["id"].(string)}
	auth := p.user + ":" + p.pass
	created := s.must(201, "POST", "/api/subscriptions/", auth, map[string]any{"plan_id": "basic", "payment_type": "bank_transfer",
		"metadata": map[string]any{"bank": "bni"}})
	p.subID = created["subscription"].(map[string]any)["id"].(string)
	pay := created["payment"].(map[string]any)
	p.settle(pay["id"].(string), pay["order_id"].(string))
	return p
}

// settle pays an order at the emulator and has the service read it back
// (check-status applies it at once: no waiting for the notification).
func (p *portal) settle(paymentID, orderID string) {
	p.t.Helper()
	if st, m := p.call("POST", "/_sim/transactions/"+orderID+"/settle", "", nil); st != 200 {
		p.t.Fatalf("settle %s: %d %v", orderID, st, m)
	}
	p.must(200, "GET", "/api/payments/"+paymentID+"/check-status/", p.user+":"+p.pass, nil)
}

// shots writes screenshots to $SCREENSHOT_DIR, else compat/screenshots.
var shots = struct {
	once sync.Once
	dir  string
	err  error
}{}

func screenshot(t *testing.T, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		shots.once.Do(func() {
			shots.dir = os.Getenv("SCREENSHOT_DIR")
			if shots.dir == "" {
				shots.dir = "screenshots"
			}
			shots.err = os.MkdirAll(shots.dir, 0o755)
		})
		if shots.err != nil {
			return shots.err
		}
		var png []byte
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(shots.dir, name+".png"), png, 0o644)
	})
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// accessible runs axe-core on the page (WCAG 2.1 A and AA and best
// practices: labels, contrast, landmarks, focus order, ...) and fails the
// test on any serious or critical violation. The script is evaluated over
// the DevTools protocol, which the page's CSP does not govern.
func accessible(t *testing.T, page string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var loaded bool
		if err := chromedp.Evaluate(axeSource+";true", &loaded).Do(ctx); err != nil {
			return fmt.Errorf("load axe-core: %w", err)
		}
		var vs []axeViolation
		run := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
			.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))})))`
		if err := chromedp.Evaluate(run, &vs, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		}).Do(ctx); err != nil {
			return fmt.Errorf("run axe-core: %w", err)
		}
		for _, v := range vs {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: accessibility %s violation %s (%s) at %v", page, v.Impact, v.ID, v.Help, v.Nodes)
			} else {
				t.Logf("%s: accessibility %s finding %s (%s)", page, v.Impact, v.ID, v.Help)
			}
		}
		return nil
	})
}

// follow clicks what sel selects and waits for the page it leads to. The
// document it leaves is marked first, and nothing is read until a document
// without the mark is there: a page being replaced would otherwise answer
// queries with nodes that are gone a moment later.
func follow(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`document.documentElement.dataset.left = "1"`, nil),
		chromedp.Click(sel, chromedp.ByQuery),
		chromedp.WaitReady(`html:not([data-left])`, chromedp.ByQuery),
	}
}

// check is a page's accessibility check and screenshot.
func check(t *testing.T, name string) chromedp.Action {
	return chromedp.Tasks{accessible(t, name), screenshot(t, name)}
}

func signIn(base, user, pass string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(base + "/sign-in"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, pass, chromedp.ByQuery),
		follow(`form[action="/sign-in"] button[type=submit]`),
		chromedp.WaitVisible(`#subs-h`, chromedp.ByQuery),
	}
}

var rupiahRE = regexp.MustCompile(`[^0-9]`)

// rupiah reads "Rp33.871" as "33871".
func rupiah(s string) string { return rupiahRE.ReplaceAllString(strings.TrimSuffix(s, ",00"), "") }

// TestBrowserPortalJourney: a customer signs in, sees their invoice,
// changes plan after seeing the proration and is charged exactly that,
// cancels at the period end and undoes it. Every page passes axe-core.
func TestBrowserPortalJourney(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	p := startPortal(t)
	var overview, invoice, dueNow, charged, orderID, cancelAt, status string
	var focus struct {
		Skip    bool    `json:"skip"`
		Outline string  `json:"outline"`
		Left    float64 `json:"left"`
	}
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(p.url+"/sign-in"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		check(t, "portal-signin"),
		// Keyboard focus is visible: the first Tab lands on the skip link,
		// which comes on screen with an outline.
		chromedp.KeyEvent("\t"),
		chromedp.Evaluate(`(() => { const a = document.activeElement, s = getComputedStyle(a);
			return {skip: a.classList.contains("skip"), outline: s.outlineStyle + " " + s.outlineWidth, left: a.getBoundingClientRect().left}; })()`, &focus),
		signIn(p.url, p.user, p.pass),
		chromedp.Text(`main`, &overview, chromedp.ByQuery),
		chromedp.WaitReady(`html.js`, chromedp.ByQuery), // the script runs when allowed
		check(t, "portal-overview"),
		follow(`a[href="/portal/invoices"]`),
		chromedp.WaitVisible(`#invoices`, chromedp.ByQuery),
		chromedp.Text(`#invoices tbody tr`, &invoice, chromedp.ByQuery),
		check(t, "portal-invoices"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !focus.Skip || strings.HasPrefix(focus.Outline, "none") || strings.HasSuffix(focus.Outline, " 0px") || focus.Left < 0 {
		t.Errorf("first Tab: %+v, want the skip link on screen with a visible outline", focus)
	}
	if !strings.Contains(overview, "Basic") || !strings.Contains(overview, "Rp49.000") || !strings.Contains(overview, "Aktif") {
		t.Fatalf("overview: want the Basic subscription, active, next Rp49.000:\n%s", overview)
	}
	if !strings.Contains(invoice, "INV/2026/000001") || !strings.Contains(invoice, "Lunas") {
		t.Fatalf("invoice row: %q", invoice)
	}

	// Ten days into the period, the plan change to Pro is previewed, then
	// confirmed; the upgrade's order asks for what the preview said.
	p.must(200, "POST", "/api/admin/clock/advance/", p.adminAuth, map[string]any{"duration": "243h17m"})
	err = chromedp.Run(ctx,
		chromedp.Navigate(p.url+"/portal/subscriptions/"+p.subID),
		chromedp.WaitVisible(`#preview-change`, chromedp.ByQuery),
		check(t, "portal-subscription"),
		chromedp.SetValue(`#plan`, "pro", chromedp.ByQuery),
		follow(`#preview-change`),
		chromedp.WaitVisible(`#due-now`, chromedp.ByQuery),
		chromedp.Text(`#due-now`, &dueNow, chromedp.ByQuery),
		check(t, "portal-change-preview"),
		follow(`#confirm-change`),
		chromedp.WaitVisible(`#payment-amount`, chromedp.ByQuery),
		chromedp.Text(`#payment-amount`, &charged, chromedp.ByQuery),
		chromedp.Text(`main h1`, &orderID, chromedp.ByQuery),
		check(t, "portal-payment"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if dueNow == "" || charged != dueNow {
		t.Fatalf("previewed %q, the upgrade's order is for %q", dueNow, charged)
	}
	pays := p.must(200, "GET", "/api/payments/?status=pending", p.user+":"+p.pass, nil)["results"].([]any)
	if len(pays) != 1 {
		t.Fatalf("pending payments %v", pays)
	}
	order := pays[0].(map[string]any)
	if rupiah(dueNow) != strings.TrimSuffix(order["gross_amount"].(string), ".00") || !strings.Contains(orderID, order["order_id"].(string)) {
		t.Fatalf("previewed %s; Midtrans order %v", dueNow, order)
	}
	p.settle(order["id"].(string), order["order_id"].(string))

	err = chromedp.Run(ctx,
		chromedp.Navigate(p.url+"/portal/subscriptions/"+p.subID),
		chromedp.WaitVisible(`#cancel`, chromedp.ByQuery),
		chromedp.SendKeys(`#reason`, "Terlalu mahal", chromedp.ByQuery),
		follow(`#cancel`),
		chromedp.WaitVisible(`#undo-cancel`, chromedp.ByQuery),
		chromedp.Text(`#cancel-at`, &cancelAt, chromedp.ByQuery),
		check(t, "portal-cancelled"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	sub := p.must(200, "GET", "/api/subscriptions/"+p.subID+"/", p.user+":"+p.pass, nil)
	if sub["cancel_at_period_end"] != true || sub["plan"].(map[string]any)["slug"] != "pro" || cancelAt == "" {
		t.Fatalf("after cancelling: %v (page says it ends %q)", sub, cancelAt)
	}
	err = chromedp.Run(ctx,
		follow(`#undo-cancel`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.WaitVisible(`#cancel`, chromedp.ByQuery),
		chromedp.Text(`#sub-status`, &status, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if sub := p.must(200, "GET", "/api/subscriptions/"+p.subID+"/", p.user+":"+p.pass, nil); sub["cancel_at_period_end"] != false || status != "Aktif" {
		t.Fatalf("after undoing: %v, page status %q", sub["cancel_at_period_end"], status)
	}
	// The remaining pages, for their checks and pictures.
	for _, pg := range []struct{ path, ready, name string }{
		{"/portal/payments", "#payments", "portal-payments"},
		{"/portal/wallet", "#wallet-balance", "portal-wallet"},
		{"/portal/?lang=en", "#subs-h", "portal-overview-en"},
	} {
		if err := chromedp.Run(ctx, chromedp.Navigate(p.url+pg.path), chromedp.WaitVisible(pg.ready, chromedp.ByQuery), check(t, pg.name)); err != nil {
			t.Fatalf("%s: %v", pg.path, err)
		}
	}
	// Linking GoPay starts at Midtrans and waits for the customer on
	// GoPay's page: the method is listed as pending with that link.
	var methods string
	err = chromedp.Run(ctx,
		chromedp.Navigate(p.url+"/portal/methods"),
		chromedp.SendKeys(`#phone`, "81234567890", chromedp.ByQuery),
		follow(`#link-gopay`),
		chromedp.WaitVisible(`#methods`, chromedp.ByQuery),
		chromedp.Text(`#methods tbody`, &methods, chromedp.ByQuery),
		check(t, "portal-methods"),
	)
	if err != nil {
		t.Fatalf("methods: %v", err)
	}
	// The switch to English above is remembered.
	if !strings.Contains(methods, "GoPay") || !strings.Contains(methods, "Finish linking") {
		t.Fatalf("methods after linking GoPay: %q", methods)
	}
	// A top-up goes on to Midtrans' Snap page (the emulator's), through
	// the checkout page the CSP's form-action requires.
	var snapPage string
	err = chromedp.Run(ctx,
		chromedp.Navigate(p.url+"/portal/wallet"),
		chromedp.SendKeys(`#amount`, "150.000", chromedp.ByQuery),
		follow(`#top-up`),
		chromedp.WaitVisible(`#method-bni_va`, chromedp.ByQuery),
		chromedp.Location(&snapPage),
	)
	if err != nil {
		t.Fatalf("top-up: %v", err)
	}
	if !strings.HasPrefix(snapPage, p.emu+"/snap/v4/redirection/") {
		t.Fatalf("top-up landed on %q, want the emulator's Snap page", snapPage)
	}
	tops := p.must(200, "GET", "/api/topups/", p.user+":"+p.pass, nil)["results"].([]any)
	if len(tops) != 1 || tops[0].(map[string]any)["amount"] != "150000.00" {
		t.Fatalf("top-ups %v", tops)
	}
}

// TestBrowserPortalLinkOnceWithoutJavaScript: a portal link made by the
// merchant's backend opens the portal once, with JavaScript disabled in
// the browser; there the customer cancels and undoes with plain forms, and
// goes back to the merchant. A second open of the link is refused.
func TestBrowserPortalLinkOnceWithoutJavaScript(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	p := startPortal(t)
	shop := merchant()
	defer shop.Close()
	link := p.must(201, "POST", "/api/admin/portal-links/", p.adminAuth, map[string]any{"user_id": p.userID, "return_url": shop.URL + "/account"})
	u := link["url"].(string)
	if !strings.HasPrefix(u, p.url+"/portal/link/") {
		t.Fatalf("link %q is not on the server", u)
	}
	var jsRan bool
	var returnHref, gone, landed string
	err := chromedp.Run(ctx,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(u),
		chromedp.WaitVisible(`#subs-h`, chromedp.ByQuery),
		chromedp.AttributeValue(`a.return`, "href", &returnHref, nil, chromedp.ByQuery),
		follow(`.card.sub h3 a`),
		chromedp.WaitVisible(`#cancel`, chromedp.ByQuery),
		follow(`#cancel`),
		chromedp.WaitVisible(`#undo-cancel`, chromedp.ByQuery),
		follow(`#undo-cancel`),
		chromedp.WaitVisible(`#cancel`, chromedp.ByQuery),
		// web.js marks the page when it runs; with scripts off it never
		// did, and the forms worked all the same.
		chromedp.Evaluate(`document.documentElement.classList.contains("js")`, &jsRan),
		follow(`a.return`),
		chromedp.WaitVisible(`#shop`, chromedp.ByQuery),
		chromedp.Location(&landed),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if returnHref != shop.URL+"/account" || landed != shop.URL+"/account" || jsRan {
		t.Fatalf("return link %q, landed on %q, scripts ran %v", returnHref, landed, jsRan)
	}
	sub := p.must(200, "GET", "/api/subscriptions/"+p.subID+"/", p.user+":"+p.pass, nil)
	if sub["cancel_at_period_end"] != false {
		t.Fatalf("after cancel and undo without JavaScript: %v", sub["cancel_at_period_end"])
	}
	// A second open, in another browser without the first one's cookie.
	ctx2, cancel2 := browser(t)
	defer cancel2()
	err = chromedp.Run(ctx2,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(u),
		chromedp.WaitVisible(`#error-h`, chromedp.ByQuery),
		chromedp.Text(`main`, &gone, chromedp.ByQuery),
		check(t, "portal-link-used"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.Contains(gone, "Tautan tidak berlaku") {
		t.Fatalf("second open: %q", gone)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGone {
		t.Fatalf("second open answered %d, want 410", res.StatusCode)
	}
}

// TestPortalFormWithoutCSRFTokenRefused posts the portal's forms as plain
// HTTP, as a page of another origin could: without the token bound to the
// session cookie the server answers 403 and does nothing.
func TestPortalFormWithoutCSRFTokenRefused(t *testing.T) {
	p := startPortal(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		res, err := c.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	post := func(path string, form url.Values) int {
		res, err := c.PostForm(p.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	m := token.FindStringSubmatch(get("/sign-in"))
	if m == nil {
		t.Fatal("no token on the sign-in form")
	}
	if st := post("/sign-in", url.Values{"username": {p.user}, "password": {p.pass}}); st != 403 {
		t.Fatalf("sign-in without the token: %d, want 403", st)
	}
	if st := post("/sign-in", url.Values{"username": {p.user}, "password": {p.pass}, "csrf": {m[1]}}); st != 303 {
		t.Fatalf("sign-in with the token: %d, want 303", st)
	}
	for _, path := range []string{"/portal/subscriptions/" + p.subID + "/cancel", "/portal/wallet/top-up", "/sign-out"} {
		if st := post(path, url.Values{"amount": {"100000"}}); st != 403 {
			t.Errorf("POST %s without the token: %d, want 403", path, st)
		}
		if st := post(path, url.Values{"amount": {"100000"}, "csrf": {m[1]}}); st != 403 {
			t.Errorf("POST %s with the pre-sign-in token: %d, want 403", path, st)
		}
	}
	sub := p.must(200, "GET", "/api/subscriptions/"+p.subID+"/", p.user+":"+p.pass, nil)
	if sub["cancel_at_period_end"] != false {
		t.Fatal("a POST without the token cancelled the subscription")
	}
	if tops := p.must(200, "GET", "/api/topups/", p.user+":"+p.pass, nil); tops["count"].(float64) != 0 {
		t.Fatalf("a POST without the token made a top-up: %v", tops)
	}
	if !strings.Contains(get("/portal/"), "Portal pelanggan") {
		t.Fatal("the session ended: a POST without the token signed out")
	}
}
