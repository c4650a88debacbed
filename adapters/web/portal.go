package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// mountPortal registers the customer portal under /portal/. Every action
// is a form POST to its own path that answers with a redirect (303) to the
// page showing the outcome, so a reload never sends an action twice.
func (p *Pages) mountPortal(r fiber.Router) {
	r.Get("/portal", p.handle(signedIn, p.overview))
	r.Get("/portal/link/:secret", p.handle(anyone, p.openLink))
	r.Get("/portal/subscriptions/:id", p.handle(signedIn, p.subscription))
	r.Get("/portal/subscriptions/:id/change", p.handle(signedIn, p.changePreview))
	r.Post("/portal/subscriptions/:id/change", p.handle(signedIn, p.changeConfirm))
	r.Post("/portal/subscriptions/:id/cancel", p.handle(signedIn, p.cancel))
	r.Post("/portal/subscriptions/:id/undo-cancel", p.handle(signedIn, p.undoCancel))
	r.Post("/portal/subscriptions/:id/pause", p.handle(signedIn, p.pause))
	r.Post("/portal/subscriptions/:id/resume", p.handle(signedIn, p.resume))
	r.Post("/portal/subscriptions/:id/pay", p.handle(signedIn, p.pay))
	r.Get("/portal/invoices", p.handle(signedIn, p.invoices))
	r.Get("/portal/invoices/:id/pdf", p.handle(signedIn, p.invoicePDF))
	r.Get("/portal/payments", p.handle(signedIn, p.payments))
	r.Get("/portal/payments/:id", p.handle(signedIn, p.payment))
	r.Get("/portal/payments/:id/checkout", p.handle(signedIn, p.checkout))
	r.Get("/portal/wallet", p.handle(signedIn, p.wallet))
	r.Post("/portal/wallet/top-up", p.handle(signedIn, p.topUp))
	r.Get("/portal/methods", p.handle(signedIn, p.methods))
	r.Post("/portal/methods/gopay", p.handle(signedIn, p.linkGopay))
	r.Post("/portal/methods/:id/remove", p.handle(signedIn, p.removeMethod))
	// Anything else under /portal/ is a page that does not exist, answered
	// as a page (never as the API's JSON).
	r.All("/portal/*", p.handle(anyone, func(c *fiber.Ctx, rq *request) error {
		return errNotFoundPage
	}))
}

// openLink redeems a one-time portal link: the link's secret opens a
// session (once), and the browser lands on the portal with the secret out
// of its address bar and history.
func (p *Pages) openLink(c *fiber.Ctx, rq *request) error {
	_, secret, err := p.svc.OpenPortalLink(c.UserContext(), c.Params("secret"))
	if err != nil {
		return err
	}
	p.setCookie(c, sessionCookie, secret, core.SessionTTL)
	p.clearCookie(c, preCookie)
	return c.Redirect("/portal/", fiber.StatusSeeOther)
}

// baseURL is where browsers reach this service: LANGGANAN_PUBLIC_URL, or
// the address this request came to. Midtrans sends customers back there.
func (p *Pages) baseURL(c *fiber.Ctx) string {
	if u := strings.TrimRight(p.svc.Config().PublicURL, "/"); u != "" {
		return u
	}
	return c.BaseURL()
}

// done redirects to path with a notice key (shown from the catalog); path
// may carry a query of its own.
func done(c *fiber.Ctx, path, notice string) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return c.Redirect(path+sep+"done="+url.QueryEscape(notice), fiber.StatusSeeOther)
}

// ---- overview

type overviewView struct {
	Name          string
	Subscriptions []subView
	Balance       string
	OpenInvoices  int
	OpenTotal     string
}

func (p *Pages) overview(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), rq.actor()
	subs, err := p.svc.ListSubscriptions(ctx, a, core.SubscriptionFilter{})
	if err != nil {
		return err
	}
	v := overviewView{Name: rq.user.FirstName}
	if v.Name == "" {
		v.Name = rq.user.Username
	}
	for _, s := range subs {
		sv, err := p.subView(c, rq, s, false)
		if err != nil {
			return err
		}
		v.Subscriptions = append(v.Subscriptions, sv)
	}
	w, err := p.svc.GetWallet(ctx, a)
	if err != nil {
		return err
	}
	v.Balance = p.money(rq, w.Balance)
	invs, err := p.svc.ListInvoices(ctx, a, core.InvoiceFilter{})
	if err != nil {
		return err
	}
	var open core.Money
	for _, inv := range invs {
		if payable(inv) {
			v.OpenInvoices++
			if open.Valid() {
				open = open.Add(inv.Total)
			} else {
				open = inv.Total
			}
		}
	}
	v.OpenTotal = p.money(rq, open)
	return p.render(c, rq, fiber.StatusOK, "portal", v)
}

// payable reports whether an invoice still waits for money.
func payable(inv core.Invoice) bool {
	return inv.Status == core.InvoiceOpen || inv.Status == core.InvoiceOverdue
}

// ---- one subscription

type subView struct {
	ID, Plan, PlanPrice, Status, StatusKey string
	Started, PeriodEnd, TrialEnd           string
	NextBilling, NextAmount                string
	CancelAt, PendingPlan, ScheduledPlan   string
	Seats                                  int
	CanChange, CanCancel, CanUndo          bool
	CanPause, CanResume, CanPay            bool
	Open                                   *paymentView // the order waiting to be paid
	Plans                                  []planOption // plans to change to
}

type planOption struct{ Slug, Label string }

// subView builds what the pages show of a subscription; full adds the
// upcoming invoice, the open order and the plans to change to.
func (p *Pages) subView(c *fiber.Ctx, rq *request, s core.Subscription, full bool) (subView, error) {
	ctx, a := c.UserContext(), rq.actor()
	plan, err := p.svc.GetPlanByID(ctx, s.PlanID)
	if err != nil {
		return subView{}, err
	}
	v := subView{ID: s.ID, Plan: plan.Name, PlanPrice: p.money(rq, plan.Price), Status: rq.t["st_"+string(s.Status)],
		StatusKey: string(s.Status), Started: p.date(rq, s.CreatedAt), PeriodEnd: p.date(rq, s.CurrentPeriodEnd),
		Seats: s.Quantity}
	if s.Status == core.SubTrialing {
		v.TrialEnd = p.date(rq, s.TrialEnd)
	}
	for _, r := range []struct {
		id  string
		dst *string
	}{{s.PendingPlanID, &v.PendingPlan}, {s.ScheduledPlanID, &v.ScheduledPlan}} {
		if r.id != "" {
			if pl, err := p.svc.GetPlanByID(ctx, r.id); err == nil {
				*r.dst = pl.Name
			}
		}
	}
	if s.CancelAtPeriodEnd && !s.Status.Terminal() {
		v.CancelAt = p.date(rq, s.CurrentPeriodEnd)
	}
	inv, ok, err := p.svc.UpcomingInvoice(ctx, a, s.ID)
	if err != nil {
		return subView{}, err
	}
	if ok {
		v.NextBilling, v.NextAmount = p.date(rq, s.NextBillingDate), p.money(rq, inv.Total)
		if s.NextBillingDate.IsZero() {
			v.NextBilling = p.date(rq, inv.PeriodStart)
		}
	}
	live := s.Status == core.SubActive || s.Status == core.SubTrialing
	v.CanChange = live && s.PendingPlanID == ""
	v.CanCancel = (live || s.Status == core.SubPastDue) && !s.CancelAtPeriodEnd
	v.CanUndo = s.CancelAtPeriodEnd && !s.Status.Terminal()
	v.CanPause = p.allowPause && live
	v.CanResume = p.allowPause && s.Status == core.SubPaused
	if !full {
		return v, nil
	}
	pays, err := p.svc.ListPayments(ctx, a, core.PaymentFilter{})
	if err != nil {
		return subView{}, err
	}
	for _, pay := range pays {
		if pay.SubscriptionID == s.ID && pay.Status.Open() && !pay.Superseded {
			pv := p.paymentView(rq, pay)
			v.Open = &pv
			break
		}
	}
	unpaid := s.Status == core.SubPending || s.Status == core.SubPastDue
	v.CanPay = unpaid && v.Open == nil
	if v.CanChange {
		plans, _, err := p.svc.ListPlans(ctx, a, core.PlanFilter{Status: string(core.PlanActive)})
		if err != nil {
			return subView{}, err
		}
		for _, pl := range plans {
			if pl.ID != s.PlanID && pl.Currency() == plan.Currency() {
				v.Plans = append(v.Plans, planOption{Slug: pl.Slug, Label: pl.Name + " (" + p.money(rq, pl.Price) + " / " + p.interval(rq, pl) + ")"})
			}
		}
	}
	return v, nil
}

func (p *Pages) subscription(c *fiber.Ctx, rq *request) error {
	s, err := p.svc.GetSubscription(c.UserContext(), rq.actor(), c.Params("id"))
	if err != nil {
		return err
	}
	v, err := p.subView(c, rq, s, true)
	if err != nil {
		return err
	}
	return p.render(c, rq, fiber.StatusOK, "subscription", v)
}

// ---- plan change: preview, then confirm

type changeView struct {
	Sub                      subView
	To, ToSlug, When         string
	Immediate, Upgrade       bool
	EffectiveAt              string
	Credit, Charge, Net      string
	Lines                    []lineView
	Subtotal, Tax, Total     string
	HasTax                   bool
	Credited                 string
	AwaitsPayment, Changed   bool
	Expect                   string // what the customer saw, sent back with the confirmation
	NextAmount, NextNewPrice string
}

type lineView struct{ Description, Amount string }

// whenOf reads the "when" choice: "now", "period_end" or "auto" (the
// rule's default: upgrades now, downgrades at the period end).
func whenOf(s string) (string, *bool) {
	yes, no := true, false
	switch s {
	case "now":
		return s, &yes
	case "period_end":
		return s, &no
	}
	return "auto", nil
}

func (p *Pages) changePreview(c *fiber.Ctx, rq *request) error {
	return p.renderPreview(c, rq, c.Query("plan"), c.Query("when"), false)
}

// renderPreview shows what changing to plan would charge or credit,
// computed by core the way the change itself will be (PreviewPlanChange).
func (p *Pages) renderPreview(c *fiber.Ctx, rq *request, plan, when string, changed bool) error {
	ctx, a := c.UserContext(), rq.actor()
	s, err := p.svc.GetSubscription(ctx, a, c.Params("id"))
	if err != nil {
		return err
	}
	when, immediate := whenOf(when)
	pv, err := p.svc.PreviewPlanChange(ctx, a, s.ID, plan, immediate)
	if err != nil {
		return err
	}
	sv, err := p.subView(c, rq, s, false)
	if err != nil {
		return err
	}
	v := changeView{Sub: sv, To: pv.To.Name, ToSlug: pv.To.Slug, When: when, Immediate: pv.Immediate,
		Upgrade: pv.To.Price.Cmp(pv.From.Price) > 0, EffectiveAt: p.date(rq, pv.EffectiveAt),
		Credit: p.money(rq, pv.Credit), Charge: p.money(rq, pv.Charge), Net: p.money(rq, pv.Net),
		AwaitsPayment: pv.AwaitsPayment, Changed: changed, Expect: expectOf(pv), NextNewPrice: p.money(rq, pv.To.Price)}
	if pv.Credited.IsPositive() {
		v.Credited = p.money(rq, pv.Credited)
	}
	if inv := pv.Invoice; inv != nil {
		for _, l := range inv.Lines {
			v.Lines = append(v.Lines, lineView{Description: l.Description, Amount: p.money(rq, l.Amount)})
		}
		v.Subtotal, v.Tax, v.Total, v.HasTax = p.money(rq, inv.Subtotal), p.money(rq, inv.Tax), p.money(rq, inv.Total), inv.Tax.IsPositive()
	}
	status := fiber.StatusOK
	if changed {
		status = fiber.StatusConflict
	}
	return p.render(c, rq, status, "change", v)
}

// expectOf is what a preview commits the customer to: the amount charged
// now, or credited, or nothing, with when it applies.
func expectOf(pv core.PlanChangePreview) string {
	total := "0"
	if pv.Invoice != nil {
		total = pv.Invoice.Total.String()
	}
	return pv.To.ID + "|" + boolStr(pv.Immediate) + "|" + total + "|" + pv.Credited.String()
}

func boolStr(b bool) string {
	if b {
		return "now"
	}
	return "later"
}

// changeConfirm applies the change the customer saw. The preview is taken
// again first: if the amount moved meanwhile (the proration runs to the
// second), the new figures are shown to confirm instead of being charged.
func (p *Pages) changeConfirm(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), rq.actor()
	id, plan := c.Params("id"), c.FormValue("plan")
	when, immediate := whenOf(c.FormValue("when"))
	pv, err := p.svc.PreviewPlanChange(ctx, a, id, plan, immediate)
	if err != nil {
		return err
	}
	if expectOf(pv) != c.FormValue("expect") {
		return p.renderPreview(c, rq, plan, when, true)
	}
	s, err := p.svc.ChangePlan(ctx, a, id, plan, immediate)
	if err != nil {
		return err
	}
	if s.PendingPlanInvoiceID != "" {
		// The upgrade waits for its invoice: show how to pay it.
		pays, err := p.svc.ListPayments(ctx, a, core.PaymentFilter{})
		if err != nil {
			return err
		}
		for _, pay := range pays {
			if pay.InvoiceID == s.PendingPlanInvoiceID && pay.Status.Open() {
				return done(c, "/portal/payments/"+pay.ID, "plan_change_pay")
			}
		}
	}
	if s.ScheduledPlanID != "" {
		return done(c, "/portal/subscriptions/"+id, "plan_scheduled")
	}
	return done(c, "/portal/subscriptions/"+id, "plan_changed")
}

// ---- cancel, undo, pause, resume, pay

func (p *Pages) cancel(c *fiber.Ctx, rq *request) error {
	reason := strings.TrimSpace(c.FormValue("reason"))
	if len(reason) > 500 {
		reason = reason[:500]
	}
	if _, err := p.svc.CancelSubscription(c.UserContext(), rq.actor(), c.Params("id"), reason, false, false); err != nil {
		return err
	}
	return done(c, "/portal/subscriptions/"+c.Params("id"), "cancel_scheduled")
}

func (p *Pages) undoCancel(c *fiber.Ctx, rq *request) error {
	if _, err := p.svc.CancelSubscription(c.UserContext(), rq.actor(), c.Params("id"), "", false, true); err != nil {
		return err
	}
	return done(c, "/portal/subscriptions/"+c.Params("id"), "cancel_undone")
}

var errPauseOff = core.Forbiddenf("this merchant does not let subscriptions be paused here")

func (p *Pages) pause(c *fiber.Ctx, rq *request) error {
	if !p.allowPause {
		return errPauseOff
	}
	if _, err := p.svc.PauseSubscription(c.UserContext(), rq.actor(), c.Params("id")); err != nil {
		return err
	}
	return done(c, "/portal/subscriptions/"+c.Params("id"), "paused")
}

func (p *Pages) resume(c *fiber.Ctx, rq *request) error {
	if !p.allowPause {
		return errPauseOff
	}
	if _, err := p.svc.ResumeSubscription(c.UserContext(), rq.actor(), c.Params("id")); err != nil {
		return err
	}
	return done(c, "/portal/subscriptions/"+c.Params("id"), "resumed")
}

// pay charges the subscription's pending cycle on a Snap page, where the
// customer picks the method; Midtrans sends them back to the payments.
func (p *Pages) pay(c *fiber.Ctx, rq *request) error {
	pay, err := p.svc.ChargeSubscriptionWith(c.UserContext(), rq.actor(), c.Params("id"), core.ChargeInput{
		PaymentType: string(core.PaySnap), Snap: core.SnapCheckout{FinishURL: p.baseURL(c) + "/portal/payments"}})
	if err != nil {
		return err
	}
	return c.Redirect("/portal/payments/"+pay.ID+"/checkout", fiber.StatusSeeOther)
}

// ---- invoices

type invoiceView struct {
	ID, Number, Period, Issued, Due, Status, StatusKey, Total string
	Payable                                                   bool
	SubscriptionID                                            string
	PaymentID                                                 string // the open order paying it, if any
}

func (p *Pages) invoices(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), rq.actor()
	invs, err := p.svc.ListInvoices(ctx, a, core.InvoiceFilter{Ordering: "-issue_date"})
	if err != nil {
		return err
	}
	pays, err := p.svc.ListPayments(ctx, a, core.PaymentFilter{})
	if err != nil {
		return err
	}
	out := make([]invoiceView, 0, len(invs))
	for _, inv := range invs {
		if inv.Status == core.InvoiceDraft {
			continue
		}
		v := invoiceView{ID: inv.ID, Number: inv.Number, Period: p.date(rq, inv.PeriodStart) + " – " + p.date(rq, inv.PeriodEnd),
			Issued: p.date(rq, inv.IssueDate), Due: p.date(rq, inv.DueDate), Status: rq.t["ist_"+string(inv.Status)],
			StatusKey: string(inv.Status), Total: p.money(rq, inv.Total), Payable: payable(inv), SubscriptionID: inv.SubscriptionID}
		for _, pay := range pays {
			if pay.InvoiceID == inv.ID && pay.Status.Open() && !pay.Superseded {
				v.PaymentID = pay.ID
			}
		}
		out = append(out, v)
	}
	return p.render(c, rq, fiber.StatusOK, "invoices", struct {
		Invoices []invoiceView
		PDF      bool
	}{out, p.docs != nil})
}

// invoicePDF serves the printed invoice the API serves at
// /api/invoices/{id}/pdf, through the portal's session.
func (p *Pages) invoicePDF(c *fiber.Ctx, rq *request) error {
	if p.docs == nil {
		return errNotFoundPage
	}
	d, err := p.svc.InvoiceDocument(c.UserContext(), rq.actor(), c.Params("id"))
	if err != nil {
		return err
	}
	b, err := p.docs.PDF(d)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+documentName(d.Invoice)+`.pdf"`)
	return c.Send(b)
}

// documentName is a file name from the invoice number.
func documentName(inv core.Invoice) string {
	n := []byte(inv.Number)
	if len(n) == 0 {
		n = []byte("invoice-" + inv.ID)
	}
	for i, ch := range n {
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			n[i] = '-'
		}
	}
	return string(n)
}

// ---- payments

type paymentView struct {
	ID, OrderID, Created, Purpose, Method, Amount, Status, StatusKey, Expires string
	Open                                                                      bool
	Instructions                                                              []fact
	// CheckoutURL is the Snap page of an open Snap order, AppURL the
	// payment app's link of an open e-wallet order (http or https only).
	CheckoutURL, AppURL string
}

type fact struct{ Label, Value string }

func (p *Pages) paymentView(rq *request, pay core.Payment) paymentView {
	v := paymentView{ID: pay.ID, OrderID: pay.OrderID, Created: p.when(rq, pay.CreatedAt), Purpose: rq.t["purpose_"+string(pay.Purpose)],
		Method: p.method(rq, pay.PaymentType, pay.Bank), Amount: p.money(rq, pay.Amount), Status: rq.t["pst_"+string(pay.Status)],
		StatusKey: string(pay.Status), Open: pay.Status.Open() && !pay.Superseded}
	if v.Open && !pay.ExpiresAt.IsZero() {
		v.Expires = p.when(rq, pay.ExpiresAt)
	}
	if !v.Open {
		return v
	}
	str := func(k string) string { s, _ := pay.Details[k].(string); return s }
	for _, k := range []string{"va_number", "bill_key", "biller_code", "payment_code", "qr_string"} {
		if s := str(k); s != "" {
			label := rq.t["pay_"+k]
			if b := str("bank"); k == "va_number" && b != "" {
				label += " (" + strings.ToUpper(b) + ")"
			}
			v.Instructions = append(v.Instructions, fact{Label: label, Value: s})
		}
	}
	if pay.PaymentType == core.PaySnap {
		v.CheckoutURL = webURL(str(core.DetailRedirectURL))
	} else {
		v.AppURL = webURL(str("deeplink_url"))
	}
	return v
}

// webURL answers s if it is an absolute http(s) URL, else "": a link the
// gateway gave is shown only if it cannot run script.
func webURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

func (p *Pages) payments(c *fiber.Ctx, rq *request) error {
	pays, err := p.svc.ListPayments(c.UserContext(), rq.actor(), core.PaymentFilter{})
	if err != nil {
		return err
	}
	out := make([]paymentView, 0, len(pays))
	for _, pay := range pays {
		if pay.Purpose == core.PurposeCardCheck {
			continue // a voided card verification, never money
		}
		out = append(out, p.paymentView(rq, pay))
	}
	return p.render(c, rq, fiber.StatusOK, "payments", out)
}

func (p *Pages) payment(c *fiber.Ctx, rq *request) error {
	pay, err := p.svc.GetPayment(c.UserContext(), rq.actor(), c.Params("id"))
	if err != nil {
		return err
	}
	return p.render(c, rq, fiber.StatusOK, "payment", p.paymentView(rq, pay))
}

// checkout sends the browser on to an open Snap order's page. It is a page
// of its own (a refresh and a link) rather than a redirect from the form
// POST: the CSP's form-action 'self' would stop a form's redirect to
// Midtrans' host.
func (p *Pages) checkout(c *fiber.Ctx, rq *request) error {
	pay, err := p.svc.GetPayment(c.UserContext(), rq.actor(), c.Params("id"))
	if err != nil {
		return err
	}
	v := p.paymentView(rq, pay)
	if v.CheckoutURL == "" || pay.PaymentType != core.PaySnap {
		return c.Redirect("/portal/payments/"+pay.ID, fiber.StatusSeeOther)
	}
	return p.render(c, rq, fiber.StatusOK, "checkout", v)
}

// ---- wallet

type walletView struct {
	Balance, AutoPay, Min, Max string
	Entries                    []entryView
}

type entryView struct{ Date, Type, Description, Amount, Balance string }

func (p *Pages) wallet(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), rq.actor()
	w, err := p.svc.GetWallet(ctx, a)
	if err != nil {
		return err
	}
	entries, err := p.svc.ListWalletEntries(ctx, a, "", "-created_at")
	if err != nil {
		return err
	}
	cfg := p.svc.Config()
	v := walletView{Balance: p.money(rq, w.Balance), AutoPay: rq.t["no"], Min: p.money(rq, cfg.TopUpMin), Max: p.money(rq, cfg.TopUpMax)}
	if w.AutoPay {
		v.AutoPay = rq.t["yes"]
	}
	for _, e := range entries {
		v.Entries = append(v.Entries, entryView{Date: p.when(rq, e.CreatedAt), Type: rq.t["entry_"+string(e.Type)],
			Description: e.Description, Amount: p.money(rq, e.Amount), Balance: p.money(rq, e.BalanceAfter)})
	}
	return p.render(c, rq, fiber.StatusOK, "wallet", v)
}

// topUp charges a wallet top-up on a Snap page.
func (p *Pages) topUp(c *fiber.Ctx, rq *request) error {
	amount := strings.NewReplacer(".", "", ",", "", " ", "", "Rp", "", "rp", "").Replace(strings.TrimSpace(c.FormValue("amount")))
	t, err := p.svc.CreateTopUp(c.UserContext(), rq.actor(), core.TopUpInput{Amount: amount, PaymentType: string(core.PaySnap),
		Snap: core.SnapCheckout{FinishURL: p.baseURL(c) + "/portal/wallet"}})
	if err != nil {
		return err
	}
	return c.Redirect("/portal/payments/"+t.PaymentID+"/checkout", fiber.StatusSeeOther)
}

// ---- payment methods

type methodView struct {
	ID, Kind, Account, Status, StatusKey, Expires, ActivationURL string
}

func (p *Pages) methods(c *fiber.Ctx, rq *request) error {
	list, err := p.svc.ListPaymentMethods(c.UserContext(), rq.actor())
	if err != nil {
		return err
	}
	out := make([]methodView, 0, len(list))
	for _, m := range list {
		v := methodView{ID: m.ID, Kind: p.method(rq, m.Type, ""), Status: rq.t["ms_"+string(m.Status)], StatusKey: string(m.Status)}
		switch m.Type {
		case core.PayCreditCard:
			v.Account = m.MaskedCard
			if !m.ExpiresAt.IsZero() {
				v.Expires = p.date(rq, m.ExpiresAt)
			}
		case core.PayGopay:
			if m.Status == core.MethodPending {
				v.ActivationURL = webURL(m.ActivationURL)
			}
		}
		out = append(out, v)
	}
	return p.render(c, rq, fiber.StatusOK, "methods", out)
}

func (p *Pages) removeMethod(c *fiber.Ctx, rq *request) error {
	if err := p.svc.DeletePaymentMethod(c.UserContext(), rq.actor(), c.Params("id")); err != nil {
		return err
	}
	return done(c, "/portal/methods", "method_removed")
}

// linkGopay starts linking a GoPay account; the customer finishes it on
// GoPay's page (the link on the methods page), which returns here.
func (p *Pages) linkGopay(c *fiber.Ctx, rq *request) error {
	if _, err := p.svc.LinkGopay(c.UserContext(), rq.actor(), c.FormValue("phone"), p.baseURL(c)+"/portal/methods"); err != nil {
		return err
	}
	return done(c, "/portal/methods", "gopay_pending")
}

// ---- formatting (core's, so pages and emails agree)

func (p *Pages) money(rq *request, m core.Money) string { return core.FormatMoney(m, rq.lang) }

func (p *Pages) date(rq *request, t time.Time) string { return core.FormatDate(t, p.loc, rq.lang) }

func (p *Pages) when(rq *request, t time.Time) string { return core.FormatTime(t, p.loc, rq.lang) }

func (p *Pages) interval(rq *request, pl core.Plan) string {
	unit := rq.t["unit_"+string(pl.IntervalUnit)]
	if pl.Interval > 1 {
		return strconv.Itoa(pl.Interval) + " " + unit
	}
	return unit
}

// method names a payment type (and its bank or store) for people.
func (p *Pages) method(rq *request, t core.PaymentType, bank string) string {
	name := rq.t["pt_"+string(t)]
	if name == "" {
		name = string(t)
	}
	if bank != "" && slices.Contains([]core.PaymentType{core.PayBankTransfer, core.PayCStore}, t) {
		name += " (" + strings.ToUpper(bank) + ")"
	}
	return name
}
