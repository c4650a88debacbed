package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/web"
	"github.com/langganan/langganan/core"
)

// fakeDocs renders a document as its number.
type fakeDocs struct{}

func (fakeDocs) HTML(d core.InvoiceDocument) ([]byte, error) {
	return []byte("<p>" + d.Invoice.Number), nil
}
func (fakeDocs) PDF(d core.InvoiceDocument) ([]byte, error) {
	return []byte("%PDF-1.3 " + d.Invoice.Number), nil
}

func withDocs(_ *core.Config, w *web.Config)  { w.Documents = fakeDocs{} }
func withPause(_ *core.Config, w *web.Config) { w.AllowPause = true }

func (e *env) plan(slug, name, price string) core.Plan {
	e.t.Helper()
	p, err := e.svc.CreatePlan(e.ctx, e.admin, core.PlanInput{Name: &name, Slug: &slug, Price: &price, IntervalUnit: ptr("month")})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// paidSub subscribes u to plan by VA and settles the first charge.
func (e *env) paidSub(u core.User, plan string) core.Subscription {
	e.t.Helper()
	a := core.Actor{UserID: u.ID}
	res, err := e.svc.CreateSubscription(e.ctx, a, core.CreateSubscriptionInput{Plan: plan, PaymentType: "bank_transfer", Metadata: map[string]any{"bank": "bni"}})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.ProcessNotification(e.ctx, e.gw.Settle(res.Payment.OrderID), "127.0.0.1"); err != nil {
		e.t.Fatal(err)
	}
	s, err := e.svc.GetSubscription(e.ctx, a, res.Subscription.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

var dueNowRE = regexp.MustCompile(`id="due-now">([^<]+)<`)

// A customer sees their subscription, next billing date and amount and
// invoice, previews a plan change, confirms it and is charged what the
// preview showed, then cancels at the period end and undoes it.
func TestPortalSubscriptionJourney(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withDocs)
	e.plan("basic", "Basic", "49000")
	pro := e.plan("pro", "Pro", "99000")
	u := e.user("budi", "")
	s := e.paidSub(u, "basic")
	b := e.browser()
	b.signIn("budi", "budi-password")

	home := b.get("/portal/")
	if home.status != 200 || !home.has(">Basic</a>") || !home.has("Rp49.000") || !home.has("28 Februari 2026") {
		t.Fatalf("overview: want the plan, the next amount Rp49.000 and the next billing date 28 Februari 2026\n%s", home.body)
	}
	invs := b.get("/portal/invoices")
	if !invs.has("INV/2026/000001") || !invs.has("Lunas") || !invs.has("/portal/invoices/") {
		t.Fatalf("invoices page\n%s", invs.body)
	}
	invID := regexp.MustCompile(`/portal/invoices/([0-9a-f-]+)/pdf`).FindStringSubmatch(invs.body)[1]
	if pdf := b.get("/portal/invoices/" + invID + "/pdf"); pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(pdf.body, "%PDF") {
		t.Fatalf("invoice PDF: %d %q", pdf.status, pdf.header.Get("Content-Type"))
	}

	// Ten days in, an upgrade to Pro: the preview shows the proration.
	e.clock.Advance(10*24*time.Hour + 3*time.Hour + 7*time.Second)
	sub := b.get("/portal/subscriptions/" + s.ID)
	if !sub.has(`<option value="pro">Pro`) || !sub.has("Lihat biaya") {
		t.Fatalf("subscription page: want the change-plan form\n%s", sub.body)
	}
	preview := b.get("/portal/subscriptions/" + s.ID + "/change?plan=pro&when=auto")
	m := dueNowRE.FindStringSubmatch(preview.body)
	if preview.status != 200 || m == nil {
		t.Fatalf("preview: %d\n%s", preview.status, preview.body)
	}
	pv, err := e.svc.PreviewPlanChange(e.ctx, core.Actor{UserID: u.ID}, s.ID, "pro", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := core.FormatMoney(pv.Invoice.Total, "id"); m[1] != want {
		t.Fatalf("preview shows %s due now, core previews %s", m[1], want)
	}
	confirm := b.do("POST", "/portal/subscriptions/"+s.ID+"/change", formOf(preview, "/portal/subscriptions/"+s.ID+"/change"))
	if confirm.status != 303 || !strings.HasPrefix(confirm.header.Get("Location"), "/portal/payments/") {
		t.Fatalf("confirm: %d to %q\n%s", confirm.status, confirm.header.Get("Location"), confirm.body)
	}
	got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID)
	if got.PendingPlanID != pro.ID {
		t.Fatalf("after confirming: pending plan %q, want Pro awaiting payment", got.PendingPlanID)
	}
	pay := b.get(confirm.header.Get("Location"))
	if !pay.has(m[1]) || !pay.has("Nomor Virtual Account (BNI)") || !pay.has("Bayar tagihan ini agar paket baru berlaku.") {
		t.Fatalf("the upgrade's payment page: want %s and the VA to pay it\n%s", m[1], pay.body)
	}
	charged := regexp.MustCompile(`id="payment-amount">([^<]+)<`).FindStringSubmatch(pay.body)
	if charged == nil || charged[1] != m[1] {
		t.Fatalf("charged %v, previewed %s", charged, m[1])
	}

	// Cancel at the period end, then undo.
	c := b.post("/portal/subscriptions/"+s.ID, "/portal/subscriptions/"+s.ID+"/cancel", url.Values{"reason": {"too <b>dear</b>"}})
	if c.status != 303 || c.header.Get("Location") != "/portal/subscriptions/"+s.ID+"?done=cancel_scheduled" {
		t.Fatalf("cancel: %d to %q\n%s", c.status, c.header.Get("Location"), c.body)
	}
	after := b.get(c.header.Get("Location"))
	if !after.has("Langganan akan berakhir di akhir periode.") || !after.has(`id="cancel-at"`) || !after.has(`id="undo-cancel"`) {
		t.Fatalf("after cancelling\n%s", after.body)
	}
	if got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID); !got.CancelAtPeriodEnd || got.Status != core.SubActive {
		t.Fatalf("after cancelling: %s, at period end %v", got.Status, got.CancelAtPeriodEnd)
	}
	undo := b.post("/portal/subscriptions/"+s.ID, "/portal/subscriptions/"+s.ID+"/undo-cancel", nil)
	if undo.status != 303 || undo.header.Get("Location") != "/portal/subscriptions/"+s.ID+"?done=cancel_undone" {
		t.Fatalf("undo: %d to %q", undo.status, undo.header.Get("Location"))
	}
	if got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID); got.CancelAtPeriodEnd {
		t.Fatal("still cancelling after the undo")
	}
}

// formOf is the form of page posting to action, as a browser sends it.
func formOf(p page, action string) url.Values {
	form := url.Values{}
	i := strings.Index(p.body, `action="`+action+`"`)
	if i < 0 {
		return form
	}
	rest := p.body[i:]
	rest = rest[:strings.Index(rest, "</form>")]
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(rest, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	return form
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

// The amount a customer confirms is the amount charged: if the preview
// moved since the page was shown, the change is not made and the new
// figures are shown to confirm again.
func TestPlanChangeConfirmRefusesAMovedAmount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	e.plan("pro", "Pro", "99000")
	u := e.user("budi", "")
	s := e.paidSub(u, "basic")
	b := e.browser()
	b.signIn("budi", "budi-password")
	e.clock.Advance(24 * time.Hour)
	preview := b.get("/portal/subscriptions/" + s.ID + "/change?plan=pro")
	e.clock.Advance(3 * 24 * time.Hour) // less of the period is left: the proration shrinks
	p := b.do("POST", "/portal/subscriptions/"+s.ID+"/change", formOf(preview, "/portal/subscriptions/"+s.ID+"/change"))
	if p.status != 409 || !p.has(`id="amount-changed"`) || dueNowRE.FindStringSubmatch(p.body)[1] == dueNowRE.FindStringSubmatch(preview.body)[1] {
		t.Fatalf("confirm after the amount moved: %d\n%s", p.status, p.body)
	}
	if got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID); got.PendingPlanID != "" || len(got.PlanHistory) != 0 {
		t.Fatalf("the change was made: %+v", got)
	}
	// Confirming the new figures applies them.
	again := b.do("POST", "/portal/subscriptions/"+s.ID+"/change", formOf(p, "/portal/subscriptions/"+s.ID+"/change"))
	if again.status != 303 {
		t.Fatalf("confirming the new figures: %d\n%s", again.status, again.body)
	}
}

func TestPauseOnlyWhenTheMerchantAllowsIt(t *testing.T) {
	t.Parallel()
	for _, allowed := range []bool{false, true} {
		opts := []func(*core.Config, *web.Config){}
		if allowed {
			opts = append(opts, withPause)
		}
		e := newEnv(t, opts...)
		e.plan("basic", "Basic", "49000")
		u := e.user("budi", "")
		s := e.paidSub(u, "basic")
		b := e.browser()
		b.signIn("budi", "budi-password")
		page := b.get("/portal/subscriptions/" + s.ID)
		if page.has(`id="pause"`) != allowed {
			t.Fatalf("allowed %v: pause button shown %v", allowed, page.has(`id="pause"`))
		}
		p := b.post("/portal/subscriptions/"+s.ID, "/portal/subscriptions/"+s.ID+"/pause", nil)
		got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID)
		if !allowed {
			if p.status != 403 || got.Status != core.SubActive {
				t.Fatalf("pause not allowed: %d, status %s", p.status, got.Status)
			}
			continue
		}
		if p.status != 303 || got.Status != core.SubPaused {
			t.Fatalf("pause: %d, status %s", p.status, got.Status)
		}
		if r := b.post("/portal/subscriptions/"+s.ID, "/portal/subscriptions/"+s.ID+"/resume", nil); r.status != 303 {
			t.Fatalf("resume: %d", r.status)
		}
		if got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID); got.Status != core.SubActive {
			t.Fatalf("after resume: %s", got.Status)
		}
	}
}

// A portal link opens one session, once; the session's pages link back to
// the merchant; a second open and an expired link get a clear page.
func TestPortalLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("budi", "en")
	_, secret, err := e.svc.CreatePortalLink(e.ctx, e.admin, core.PortalLinkInput{UserID: u.ID, ReturnURL: "https://shop.example/account?a=1&b=2"})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	p := b.get("/portal/link/" + secret)
	if p.status != 303 || p.header.Get("Location") != "/portal/" || p.cookie["lgn_session"] == nil || !p.cookie["lgn_session"].HttpOnly {
		t.Fatalf("open: %d to %q, cookies %v", p.status, p.header.Get("Location"), p.cookie)
	}
	home := b.get("/portal/")
	if home.status != 200 || !home.has(`<a class="return" href="https://shop.example/account?a=1&amp;b=2">Return to the merchant</a>`) {
		t.Fatalf("portal after the link: %d\n%s", home.status, home.body)
	}
	again := e.browser().get("/portal/link/" + secret)
	if again.status != 410 || !again.has("Tautan tidak berlaku") || again.cookie["lgn_session"] != nil {
		t.Fatalf("second open: %d\n%s", again.status, again.body)
	}
	_, late, err := e.svc.CreatePortalLink(e.ctx, e.admin, core.PortalLinkInput{UserID: u.ID, ReturnURL: "https://shop.example/"})
	if err != nil {
		t.Fatal(err)
	}
	e.wall.Advance(core.PortalLinkTTL)
	if p := e.browser().get("/portal/link/" + late); p.status != 410 {
		t.Fatalf("expired link: %d", p.status)
	}
	if p := e.browser().get("/portal/link/lgp_nonsense"); p.status != 404 {
		t.Fatalf("unknown link: %d", p.status)
	}
}

// Pages show what users typed as text, never as markup.
func TestPortalEscapesWhatItShows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("evil", `<script>alert(1)</script>`, "49000")
	u := e.user("budi", "")
	e.paidSub(u, "evil")
	b := e.browser()
	b.signIn("budi", "budi-password")
	for _, path := range []string{"/portal/", "/portal/invoices", "/portal/payments"} {
		p := b.get(path)
		if strings.Contains(p.body, "<script>alert") {
			t.Errorf("%s shows the plan name as markup", path)
		}
	}
	if p := b.get("/portal/"); !p.has("&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the overview does not show the plan name as text\n%s", p.body)
	}
}

// Another customer's pages are not found, and their actions refused.
func TestPortalShowsOnlyTheCustomersOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withDocs)
	e.plan("basic", "Basic", "49000")
	budi, siti := e.user("budi", ""), e.user("siti", "")
	s := e.paidSub(budi, "basic")
	invs, _ := e.svc.ListInvoices(e.ctx, core.Actor{UserID: budi.ID}, core.InvoiceFilter{})
	b := e.browser()
	b.signIn("siti", "siti-password")
	_ = siti
	for _, path := range []string{"/portal/subscriptions/" + s.ID, "/portal/invoices/" + invs[0].ID + "/pdf", "/portal/subscriptions/" + s.ID + "/change?plan=basic"} {
		if p := b.get(path); p.status != 404 {
			t.Errorf("%s: %d, want 404", path, p.status)
		}
	}
	if p := b.post("/portal/", "/portal/subscriptions/"+s.ID+"/cancel", nil); p.status != 404 {
		t.Errorf("cancelling another's subscription: %d, want 404", p.status)
	}
	if got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: budi.ID}, s.ID); got.CancelAtPeriodEnd {
		t.Fatal("another customer cancelled it")
	}
}

// Paying a pending cycle and topping up go to Midtrans' Snap page through
// a page of our own (a form's redirect to another host would break the
// CSP's form-action), which refreshes to it and links to it.
func TestPayAndTopUpThroughSnap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.plan("basic", "Basic", "49000")
	u := e.user("budi", "")
	s := e.paidSub(u, "basic")
	b := e.browser()
	b.signIn("budi", "budi-password")

	top := b.post("/portal/wallet", "/portal/wallet/top-up", url.Values{"amount": {"Rp100.000"}})
	if top.status != 303 || !strings.HasSuffix(top.header.Get("Location"), "/checkout") {
		t.Fatalf("top-up: %d to %q\n%s", top.status, top.header.Get("Location"), top.body)
	}
	co := b.get(top.header.Get("Location"))
	if co.status != 200 || !co.has(`<meta http-equiv="refresh" content="0; url=http://fake/snap/v4/redirection/`) ||
		!co.has(`id="to-midtrans" href="http://fake/snap/v4/redirection/`) || !co.has("Rp100.000") {
		t.Fatalf("checkout page: %d\n%s", co.status, co.body)
	}

	// The renewal's first charge fails: the subscription is past due and
	// the customer pays the cycle on a Snap page.
	e.clock.Set(s.CurrentPeriodEnd)
	if _, err := e.svc.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	pays, _ := e.svc.ListPayments(e.ctx, core.Actor{UserID: u.ID}, core.PaymentFilter{})
	for _, p := range pays {
		if p.Status == core.PaymentPending && p.SubscriptionID == s.ID {
			if _, err := e.svc.ProcessNotification(e.ctx, e.gw.ExpireOrder(p.OrderID), "127.0.0.1"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got, _ := e.svc.GetSubscription(e.ctx, core.Actor{UserID: u.ID}, s.ID); got.Status != core.SubPastDue {
		t.Fatalf("status %s, want past due", got.Status)
	}
	page := b.get("/portal/subscriptions/" + s.ID)
	if !page.has(`id="pay"`) {
		t.Fatalf("a past-due subscription without an open order: want a pay button\n%s", page.body)
	}
	pay := b.post("/portal/subscriptions/"+s.ID, "/portal/subscriptions/"+s.ID+"/pay", nil)
	if pay.status != 303 || !strings.HasSuffix(pay.header.Get("Location"), "/checkout") {
		t.Fatalf("pay: %d to %q\n%s", pay.status, pay.header.Get("Location"), pay.body)
	}
	if co := b.get(pay.header.Get("Location")); !co.has("http://fake/snap/v4/redirection/") || !co.has("Rp49.000") {
		t.Fatalf("pay checkout\n%s", co.body)
	}
}

func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("budi", "en")
	b := e.browser()
	b.signIn("budi", "budi-password")
	if p := b.get("/portal/methods"); !p.has("No saved card or linked GoPay account yet.") {
		t.Fatalf("methods page\n%s", p.body)
	}
	link := b.post("/portal/methods", "/portal/methods/gopay", url.Values{"phone": {"081234567890"}})
	if link.status != 303 || link.header.Get("Location") != "/portal/methods?done=gopay_pending" {
		t.Fatalf("link GoPay: %d to %q\n%s", link.status, link.header.Get("Location"), link.body)
	}
	p := b.get(link.header.Get("Location"))
	if !p.has(`href="http://fake/link">Finish linking`) || !p.has("Awaiting linking") {
		t.Fatalf("after linking\n%s", p.body)
	}
	ms, _ := e.svc.ListPaymentMethods(e.ctx, core.Actor{UserID: u.ID})
	if len(ms) != 1 {
		t.Fatalf("methods %v", ms)
	}
	rm := b.post("/portal/methods", "/portal/methods/"+ms[0].ID+"/remove", nil)
	if rm.status != 303 {
		t.Fatalf("remove: %d\n%s", rm.status, rm.body)
	}
	if ms, _ := e.svc.ListPaymentMethods(e.ctx, core.Actor{UserID: u.ID}); len(ms) != 0 {
		t.Fatalf("after removing: %v", ms)
	}
	if bad := b.post("/portal/methods", "/portal/methods/gopay", url.Values{"phone": {"12"}}); bad.status != 400 || !bad.has("phone_number") {
		t.Fatalf("a bad phone number: %d\n%s", bad.status, bad.body)
	}
}

// Every status, payment type and ledger entry type has a text in both
// languages.
func TestEveryStatusHasAText(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, s := range core.AllSubscriptionStatuses {
		keys = append(keys, "st_"+string(s))
	}
	for _, s := range []core.InvoiceStatus{core.InvoiceDraft, core.InvoiceOpen, core.InvoicePaid, core.InvoiceVoid, core.InvoiceOverdue} {
		keys = append(keys, "ist_"+string(s))
	}
	for _, s := range []core.PaymentStatus{core.PaymentCreating, core.PaymentPending, core.PaymentChallenge, core.PaymentPaid, core.PaymentFailed,
		core.PaymentCancelled, core.PaymentExpired, core.PaymentRefunded, core.PaymentPartiallyRefunded} {
		keys = append(keys, "pst_"+string(s))
	}
	for _, t := range core.AllPaymentTypes {
		keys = append(keys, "pt_"+string(t))
	}
	for _, t := range []core.EntryType{core.EntryTopUp, core.EntrySubscriptionPayment, core.EntryRefund, core.EntryAdjustment, core.EntryReversal} {
		keys = append(keys, "entry_"+string(t))
	}
	for _, s := range []core.PaymentMethodStatus{core.MethodPending, core.MethodActive, core.MethodDisabled} {
		keys = append(keys, "ms_"+string(s))
	}
	for _, p := range []core.PaymentPurpose{core.PurposeSubscription, core.PurposeTopUp, core.PurposeCardCheck} {
		keys = append(keys, "purpose_"+string(p))
	}
	for _, u := range []core.IntervalUnit{core.Day, core.Week, core.Month, core.Year} {
		keys = append(keys, "unit_"+string(u))
	}
	for _, lang := range []string{"id", "en"} {
		for _, k := range keys {
			if web.Catalog(lang)[k] == "" {
				t.Errorf("%s: no text for %s", lang, k)
			}
		}
	}
}
