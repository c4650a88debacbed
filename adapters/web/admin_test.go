package web_test

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/web"
	"github.com/langganan/langganan/core"
)

// adminBrowser is a browser signed in as the environment's admin.
func (e *env) adminBrowser() *browser {
	e.t.Helper()
	b := e.browser()
	p := b.post("/sign-in", "/sign-in", url.Values{"username": {"admin"}, "password": {"admin-password"}, "next": {"/admin/"}})
	if p.status != 303 || p.header.Get("Location") != "/admin/" {
		e.t.Fatalf("admin sign-in: %d to %q", p.status, p.header.Get("Location"))
	}
	return b
}

var adminPaths = []string{"/admin/", "/admin/subscriptions", "/admin/dunning", "/admin/payments", "/admin/notifications",
	"/admin/webhooks", "/admin/plans", "/admin/coupons"}

// The console is for administrators: a customer gets 403 on every page
// and action, a visitor is sent to sign in.
func TestAdminConsoleNeedsAnAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	anon := e.browser()
	for _, path := range adminPaths {
		if p := anon.get(path); p.status != 303 || !strings.HasPrefix(p.header.Get("Location"), "/sign-in?next=") {
			t.Errorf("%s as a visitor: %d to %q, want a redirect to sign-in", path, p.status, p.header.Get("Location"))
		}
	}
	customer := e.browser()
	customer.signIn("budi", "budi-password")
	for _, path := range append(adminPaths, "/admin/subscribers/"+e.admin.UserID, "/admin/no-such-page") {
		if p := customer.get(path); p.status != 403 || !p.has("Tidak diizinkan") {
			t.Errorf("%s as a customer: %d, want 403\n%s", path, p.status, p.body)
		}
	}
	csrf := customer.get("/portal/").csrf(t)
	before, _, _ := e.svc.ListPlans(e.ctx, e.admin, core.PlanFilter{})
	p := customer.do("POST", "/admin/plans", url.Values{"csrf": {csrf}, "name": {"Sneaky"}, "price": {"1000"}, "interval_unit": {"month"}})
	after, _, _ := e.svc.ListPlans(e.ctx, e.admin, core.PlanFilter{})
	if p.status != 403 || len(after) != len(before) {
		t.Errorf("a customer's plan form: %d, plans %d → %d; want 403 and nothing created", p.status, len(before), len(after))
	}
	b := e.adminBrowser()
	for _, path := range adminPaths {
		p := b.get(path)
		if p.status != 200 || !p.has(`aria-label="Navigasi konsol admin"`) || !p.has(`aria-current="page"`) {
			t.Errorf("%s as an admin: %d\n%s", path, p.status, p.body)
		}
	}
	if p := b.get("/admin/no-such-page"); p.status != 404 || !p.has(`href="/admin/"`) {
		t.Errorf("an unknown console page: %d\n%s", p.status, p.body)
	}
}

// The dashboard draws the recorded figures as SVG, with a table of the
// same figures, and the current MRR; in both languages.
func TestAdminDashboardChart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	budi := e.user("budi", "")
	e.paidSub(budi, "basic")
	if _, err := e.svc.RunDue(e.ctx); err != nil { // the day's snapshot
		t.Fatal(err)
	}
	b := e.adminBrowser()
	p := b.get("/admin/?from=2026-01-25&to=2026-01-31")
	if p.status != 200 {
		t.Fatalf("dashboard: %d\n%s", p.status, p.body)
	}
	for _, want := range []string{`id="mrr-now">Rp49.000<`, `<svg viewBox="0 0 480 220" role="img"`, `<polyline points=`,
		`<title>31 Jan: Rp49.000</title>`, `<td>31 Jan</td><td class="num">Rp49.000</td>`, `<td>25 Jan</td><td class="num">—</td>`} {
		if !p.has(want) {
			t.Errorf("dashboard lacks %q\n%s", want, p.body)
		}
	}
	if n := strings.Count(p.body, "<figure class=\"chart\""); n != 4 {
		t.Errorf("%d charts, want MRR, subscribers, churn and failed payments", n)
	}
	b.get("/admin/?lang=en")
	if p := b.get("/admin/?interval=month"); p.status != 200 || !p.has("Active subscribers") || !p.has("<td>Jan 2026</td>") {
		t.Errorf("monthly dashboard in English: %d\n%s", p.status, p.body)
	}
	if p := b.get("/admin/?from=2026-02-01&to=2026-01-01"); p.status != 400 || !p.has(`class="error" role="alert"`) {
		t.Errorf("a backwards range: %d, want the form's error shown", p.status)
	}
}

// An admin finds a past-due subscriber by searching, opens their history,
// and sees the retry schedule in the dunning queue.
func TestAdminFindsPastDueSubscriber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	e.paidSub(e.user("budi", ""), "basic")
	e.paidSub(e.user("siti", ""), "basic")
	// To budi's renewal and past its order's expiry, his renewal unpaid.
	for i := 0; i < 24*35; i++ {
		e.clock.Advance(time.Hour)
		if _, err := e.svc.RunDue(e.ctx); err != nil {
			t.Fatal(err)
		}
		subs, _, _ := e.svc.ListSubscriptionsPage(e.ctx, e.admin, core.SubscriptionFilter{All: true, PastDue: true})
		if len(subs) == 2 {
			break
		}
	}
	b := e.adminBrowser()
	list := b.get("/admin/subscriptions?search=budi&past_due=true")
	if list.status != 200 || !list.has(">budi</a>") || list.has(">siti</a>") || !list.has("menunggak") {
		t.Fatalf("search: %d\n%s", list.status, list.body)
	}
	href := regexp.MustCompile(`href="(/admin/subscribers/[0-9a-f-]+)">budi<`).FindStringSubmatch(list.body)
	if href == nil {
		t.Fatalf("no link to budi's history\n%s", list.body)
	}
	hist := b.get(href[1])
	for _, want := range []string{"<h1><span class=\"muted\">Pengguna</span> budi</h1>", "budi@example.com", "menunggak",
		`id="midtrans"`, `<span class="status">processed</span>`, "payment.failed"} {
		if !hist.has(want) {
			t.Errorf("budi's history lacks %q", want)
		}
	}
	q := b.get("/admin/dunning")
	rows := strings.Count(q.body, `<tr data-subscription=`)
	if q.status != 200 || rows != 2 || !q.has(`<td class="num retries-made">0</td>`) || !q.has(`<td class="num retries-left">3</td>`) {
		t.Fatalf("dunning queue: %d, %d rows\n%s", q.status, rows, q.body)
	}
	entries, _, err := e.svc.DunningQueue(e.ctx, e.admin, 0, 0)
	if err != nil || len(entries) != 2 {
		t.Fatal(err)
	}
	next := core.FormatTime(entries[0].NextRetryAt, e.svc.Config().Location, "id")
	grace := core.FormatTime(entries[0].GraceEndsAt, e.svc.Config().Location, "id")
	if !q.has(`<td class="next-retry">`+next+`</td>`) || !q.has(`<td class="grace-ends">`+grace+`</td>`) {
		t.Errorf("dunning queue lacks the next retry %q and grace end %q\n%s", next, grace, q.body)
	}
}

// Applying a stored notification again is a CSRF-protected form: without
// the token nothing happens; with it a new log shows the outcome.
func TestAdminAppliesANotificationAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	e.paidSub(e.user("budi", ""), "basic")
	logs, _, err := e.svc.ListWebhookLogs(e.ctx, e.admin, core.WebhookLogFilter{})
	if err != nil || len(logs) != 1 {
		t.Fatalf("logs: %v %v", logs, err)
	}
	b := e.adminBrowser()
	page := b.get("/admin/notifications/" + logs[0].ID)
	// The fake gateway's bodies are its own JSON (coretest), signed in "Signature".
	if page.status != 200 || !page.has(`&#34;TransactionStatus&#34;: &#34;settlement&#34;`) || page.has("Signature") {
		t.Fatalf("log page: %d (the raw body shown, without its signature)\n%s", page.status, page.body)
	}
	if p := b.do("POST", "/admin/notifications/"+logs[0].ID+"/reapply", url.Values{}); p.status != 403 {
		t.Errorf("apply again without the token: %d, want 403", p.status)
	}
	if after, _, _ := e.svc.ListWebhookLogs(e.ctx, e.admin, core.WebhookLogFilter{}); len(after) != 1 {
		t.Fatalf("%d logs after a refused form, want 1", len(after))
	}
	p := b.post("/admin/notifications/"+logs[0].ID, "/admin/notifications/"+logs[0].ID+"/reapply", nil)
	if p.status != 303 || !strings.HasSuffix(p.header.Get("Location"), "?done=adm_reapplied") {
		t.Fatalf("apply again: %d to %q", p.status, p.header.Get("Location"))
	}
	shown := b.get(p.header.Get("Location"))
	if !shown.has(`id="log-status">duplicate<`) || !shown.has("Notifikasi diterapkan ulang") || !shown.has(logs[0].ID) {
		t.Errorf("the new log\n%s", shown.body)
	}
}

// A failed outbound delivery is resent from the console: queued again at
// once, the same delivery (same event id).
func TestAdminResendsADelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *core.Config, _ *web.Config) { c.WebhookAllowHosts = []string{"hooks.test"} })
	ep, err := e.svc.CreateWebhookEndpoint(e.ctx, e.admin, core.WebhookEndpointInput{URL: ptr("http://hooks.test/in")})
	if err != nil {
		t.Fatal(err)
	}
	e.plan("basic", "Basic", "49000")
	e.paidSub(e.user("budi", ""), "basic")
	if _, err := e.svc.RelayOutbox(e.ctx); err != nil {
		t.Fatal(err)
	}
	dels, _, err := e.svc.ListWebhookDeliveries(e.ctx, e.admin, ep.ID, 0, 0)
	if err != nil || len(dels) == 0 {
		t.Fatalf("deliveries: %v, %v", dels, err)
	}
	d := dels[0]
	e.clock.Advance(time.Hour)
	b := e.adminBrowser()
	page := b.get("/admin/webhooks")
	if !page.has(`data-delivery="` + d.ID + `"`) {
		t.Fatalf("webhooks page lacks the delivery\n%s", page.body)
	}
	p := b.post("/admin/webhooks", "/admin/webhooks/"+ep.ID+"/deliveries/"+d.ID+"/resend", url.Values{"back": {"/admin/webhooks?endpoint=" + ep.ID}})
	if p.status != 303 || p.header.Get("Location") != "/admin/webhooks?endpoint="+ep.ID+"&done=adm_resent" {
		t.Fatalf("resend: %d to %q", p.status, p.header.Get("Location"))
	}
	after, _, _ := e.svc.ListWebhookDeliveries(e.ctx, e.admin, ep.ID, 0, 0)
	for _, n := range after {
		if n.ID == d.ID && (n.Status != core.NotifQueued || !n.NextAttemptAt.Equal(e.clock.Now().UTC().Truncate(time.Microsecond)) || n.EventID != d.EventID) {
			t.Errorf("resent delivery %+v: want queued now with the same event", n)
		}
	}
	// A back link to another site is not followed.
	p = b.post("/admin/webhooks", "/admin/webhooks/"+ep.ID+"/deliveries/"+d.ID+"/resend", url.Values{"back": {"https://evil.example/"}})
	if loc := p.header.Get("Location"); !strings.HasPrefix(loc, "/admin/webhooks?endpoint=") {
		t.Errorf("resend with a foreign back link went to %q", loc)
	}
}

// Plans and coupons are created, changed and archived or deleted through
// forms; a refused form comes back with what was typed and why.
func TestAdminPlansAndCoupons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.adminBrowser()
	bad := b.post("/admin/plans", "/admin/plans", url.Values{"name": {"Gold"}, "price": {"-5"}, "interval_unit": {"month"}, "features": {"{"}})
	if bad.status != 400 || !bad.has(`id="form-error"`) || !bad.has(`value="Gold"`) || !bad.has("features") {
		t.Fatalf("a refused plan form: %d\n%s", bad.status, bad.body)
	}
	p := b.post("/admin/plans", "/admin/plans", url.Values{"name": {"Gold"}, "slug": {"gold"}, "price": {"99000"}, "interval": {"1"},
		"interval_unit": {"month"}, "trial_period_days": {"7"}, "features": {`{"max_users": 5}`}, "per_seat": {"on"}})
	if p.status != 303 {
		t.Fatalf("create plan: %d\n%s", p.status, p.body)
	}
	// A slug already taken is a conflict, answered as the API answers it.
	dup := b.post("/admin/plans", "/admin/plans", url.Values{"name": {"Gold again"}, "slug": {"gold"}, "price": {"1000"}, "interval_unit": {"month"}})
	if dup.status != 409 || !dup.has(`id="form-error"`) || !dup.has("already taken") {
		t.Fatalf("a plan with a taken slug: %d\n%s", dup.status, dup.body)
	}
	pl, err := e.svc.GetPlan(e.ctx, e.admin, "gold")
	if err != nil || !pl.PerSeat || pl.TrialPeriodDays != 7 || pl.Price.String() != "99000.00" || pl.Features["max_users"] != float64(5) {
		t.Fatalf("created plan %+v, %v", pl, err)
	}
	edit := b.get("/admin/plans/gold")
	if !edit.has(`value="99000.00"`) || !edit.has(`{&#34;max_users&#34;:5}`) {
		t.Fatalf("edit form\n%s", edit.body)
	}
	p = b.post("/admin/plans/gold", "/admin/plans/gold", url.Values{"name": {"Gold+"}, "slug": {"gold"}, "price": {"109000"}, "interval": {"1"},
		"interval_unit": {"month"}, "trial_period_days": {"0"}, "features": {`{"max_users": 10}`}, "status": {"active"}})
	if p.status != 303 || p.header.Get("Location") != "/admin/plans/gold?done=adm_saved" {
		t.Fatalf("update plan: %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	if pl, _ := e.svc.GetPlan(e.ctx, e.admin, "gold"); pl.Name != "Gold+" || pl.Price.String() != "109000.00" || pl.PerSeat {
		t.Errorf("updated plan %+v", pl)
	}
	if p := b.post("/admin/plans/gold", "/admin/plans/gold/archive", nil); p.status != 303 {
		t.Fatalf("archive: %d", p.status)
	}
	if pl, _ := e.svc.GetPlan(e.ctx, e.admin, "gold"); pl.Status != core.PlanArchived {
		t.Errorf("archived plan status %s", pl.Status)
	}

	e.plan("basic", "Basic", "49000")
	bad = b.post("/admin/coupons", "/admin/coupons", url.Values{"code": {"HEMAT"}, "percent_off": {"20"}, "amount_off": {"5000"}, "duration": {"once"}})
	if bad.status != 400 || !bad.has(`id="form-error"`) || !bad.has(`value="HEMAT"`) {
		t.Fatalf("a refused coupon form: %d\n%s", bad.status, bad.body)
	}
	p = b.post("/admin/coupons", "/admin/coupons", url.Values{"code": {"HEMAT20"}, "percent_off": {"20"}, "duration": {"repeating"},
		"duration_in_cycles": {"3"}, "redeem_by": {"2026-12-31"}, "applies_to_plans": {"basic"}})
	if p.status != 303 {
		t.Fatalf("create coupon: %d\n%s", p.status, p.body)
	}
	cp, err := e.svc.GetCoupon(e.ctx, e.admin, "hemat20")
	if err != nil || cp.DurationInCycles != 3 || len(cp.AppliesToPlans) != 1 || cp.RedeemBy.IsZero() {
		t.Fatalf("created coupon %+v, %v", cp, err)
	}
	if list := b.get("/admin/coupons"); !list.has(`data-coupon="HEMAT20"`) || !list.has("20%") {
		t.Errorf("coupon list\n%s", list.body)
	}
	p = b.post("/admin/coupons/"+cp.ID, "/admin/coupons/"+cp.ID, url.Values{"max_redemptions": {"100"}, "redeem_by": {""}})
	if p.status != 303 {
		t.Fatalf("update coupon: %d\n%s", p.status, p.body)
	}
	if cp, _ := e.svc.GetCoupon(e.ctx, e.admin, cp.ID); cp.Active || cp.MaxRedemptions != 100 || !cp.RedeemBy.IsZero() || len(cp.AppliesToPlans) != 0 {
		t.Errorf("updated coupon %+v: want inactive, limit 100, no date, every plan", cp)
	}
	if p := b.post("/admin/coupons/"+cp.ID, "/admin/coupons/"+cp.ID+"/delete", nil); p.status != 303 {
		t.Fatalf("delete coupon: %d", p.status)
	}
	if cp, _ := e.svc.GetCoupon(e.ctx, e.admin, cp.ID); !cp.Deleted {
		t.Error("coupon not deleted")
	}
}

// What users typed is shown escaped on every console page.
func TestAdminPagesEscape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	u := e.user("budi", "")
	evil := `<script>alert(1)</script>`
	org, err := e.svc.CreateOrganization(e.ctx, core.Actor{UserID: u.ID}, evil)
	if err == nil {
		t.Logf("organization %s", org.ID)
	}
	res, err := e.svc.CreateSubscription(e.ctx, core.Actor{UserID: u.ID}, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer",
		Customer: core.CustomerDetails{FirstName: evil}})
	if err != nil {
		t.Fatal(err)
	}
	// A notification body is the sender's: anything may be in it.
	if _, err := e.svc.ProcessNotification(e.ctx, []byte(`{"order_id":"`+evil+`","transaction_status":"settlement"}`), "10.0.0.1"); err == nil {
		t.Fatal("a forged notification was accepted")
	}
	b := e.adminBrowser()
	logs, _, _ := e.svc.ListWebhookLogs(e.ctx, e.admin, core.WebhookLogFilter{})
	paths := append(adminPaths, "/admin/subscribers/"+u.ID, "/admin/subscriptions?search="+url.QueryEscape(evil))
	for _, l := range logs {
		paths = append(paths, "/admin/notifications/"+l.ID)
	}
	if org.ID != "" {
		paths = append(paths, "/admin/subscribers/"+org.ID)
	}
	_ = res
	for _, path := range paths {
		if p := b.get(path); strings.Contains(p.body, "<script>alert") {
			t.Errorf("%s shows markup unescaped", path)
		}
	}
}

// Lists are paged: the links keep the filters and drop a notice.
func TestAdminListsArePaged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	for i := range 27 {
		u := e.user("user"+strconv.Itoa(i), "")
		if _, err := e.svc.CreateSubscription(e.ctx, core.Actor{UserID: u.ID}, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer"}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.adminBrowser()
	first := b.get("/admin/subscriptions?status=pending&done=adm_saved")
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.body)
	if n := strings.Count(first.body, "<tr data-subscription="); n != 25 || next == nil || !first.has("Halaman 1 dari 2") {
		t.Fatalf("page 1: %d rows, next %v\n%s", n, next, first.body)
	}
	link := strings.ReplaceAll(next[1], "&amp;", "&")
	if !strings.Contains(link, "status=pending") || strings.Contains(link, "done=") || !strings.Contains(link, "page=2") {
		t.Errorf("next link %q: want the filter kept, the notice dropped, page 2", link)
	}
	second := b.get(link)
	if n := strings.Count(second.body, "<tr data-subscription="); n != 2 || !second.has(`rel="prev"`) || second.has(`rel="next"`) {
		t.Errorf("page 2: %d rows\n%s", n, second.body)
	}
}
