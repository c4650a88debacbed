package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/internal/redact"
	"github.com/langganan/langganan/core"
)

// ---- dashboard

type dashboardView struct {
	adminBase
	Interval, From, To string
	Intervals          []option
	Error              string
	MRR                string
	Statuses           []statusCount
	PastDue, Stale     int
	Charts             []chartView
}

type statusCount struct {
	Status, Label string
	Count         int
}

func (p *Pages) adminDashboard(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	v := dashboardView{adminBase: adminBase{Nav: "dashboard"}, Interval: c.Query("interval", core.FiguresDaily),
		From: c.Query("from"), To: c.Query("to"), Stale: p.svc.StaleAlert()}
	for _, iv := range []string{core.FiguresDaily, core.FiguresMonthly} {
		v.Intervals = append(v.Intervals, option{Value: iv, Label: rq.t["adm_interval_"+iv], Selected: iv == v.Interval})
	}
	mrr, err := p.svc.MRR(ctx)
	if err != nil {
		return err
	}
	if m, err := core.ParseMoney(mrr[string(core.IDR)], core.IDR); err == nil {
		v.MRR = p.money(rq, m)
	}
	counts, err := p.svc.SubscriptionsByStatus(ctx)
	if err != nil {
		return err
	}
	for _, st := range core.AllSubscriptionStatuses {
		v.Statuses = append(v.Statuses, statusCount{Status: string(st), Label: rq.t["adm_st_"+string(st)], Count: counts[string(st)]})
	}
	v.PastDue = counts[string(core.SubPastDue)]
	points, err := p.svc.FiguresOverTime(ctx, a, core.FiguresQuery{From: v.From, To: v.To, Interval: v.Interval})
	if status, msg, ok := formError(err); ok {
		v.Error = msg
		return p.render(c, rq, status, "admin/dashboard", v)
	}
	if err != nil {
		return err
	}
	v.Charts = p.figureCharts(rq, points, v.Interval == core.FiguresMonthly)
	return p.render(c, rq, fiber.StatusOK, "admin/dashboard", v)
}

// figureCharts draws the four figures over time.
func (p *Pages) figureCharts(rq *request, points []core.FigurePoint, monthly bool) []chartView {
	n := len(points)
	labels := make([]string, n)
	mrr, subs, churn, failed := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	snap, all := make([]bool, n), make([]bool, n)
	for i, pt := range points {
		labels[i] = periodLabel(rq.lang, pt.Start, monthly)
		if m, ok := pt.MRR[core.IDR]; ok {
			mrr[i] = m.Amount().InexactFloat64()
		}
		subs[i], churn[i], failed[i] = float64(pt.Subscribers), float64(pt.Churned), float64(pt.Failed)
		snap[i], all[i] = pt.HasSnapshot, true
	}
	rupiah := func(f float64) string { return p.money(rq, core.MoneyFromRupiah(int64(f+0.5), core.IDR)) }
	count := func(f float64) string { return ftoa(round1(f)) }
	none := rq.t["adm_chart_none"]
	return []chartView{
		buildChart("chart-mrr", rq.t["adm_chart_mrr"], none, series{labels, mrr, snap, rupiah, false}, false),
		buildChart("chart-subscribers", rq.t["adm_chart_subscribers"], none, series{labels, subs, snap, count, true}, false),
		buildChart("chart-churn", rq.t["adm_chart_churn"], none, series{labels, churn, all, count, true}, true),
		buildChart("chart-failed", rq.t["adm_chart_failed"], none, series{labels, failed, all, count, true}, true),
	}
}

var shortMonthsID = [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}

// periodLabel names a day ("31 Jan") or a month ("Jan 2026").
func periodLabel(lang string, t time.Time, monthly bool) string {
	mon := t.Format("Jan")
	if lang == "id" {
		mon = shortMonthsID[t.Month()-1]
	}
	if monthly {
		return mon + " " + t.Format("2006")
	}
	return t.Format("2") + " " + mon
}

// ---- subscriptions

type subscriptionsView struct {
	adminBase
	Search, Status, Plan string
	PastDue              bool
	Statuses, Plans      []option
	Rows                 []subRow
	Pager                pager
}

type subRow struct {
	ID, OwnerID, Owner, Plan, Status, StatusLabel string
	NextBilling, Created, PaymentType             string
	Quantity, DunningAttempts                     int
}

func (p *Pages) adminSubscriptions(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	v := subscriptionsView{adminBase: adminBase{Nav: "subscriptions"}, Search: strings.TrimSpace(c.Query("search")),
		Status: c.Query("status"), Plan: c.Query("plan"), PastDue: c.Query("past_due") == "true"}
	page := pageNumber(c)
	list, total, err := p.svc.ListSubscriptionsPage(ctx, a, core.SubscriptionFilter{All: true, Search: v.Search,
		Status: v.Status, Plan: v.Plan, PastDue: v.PastDue, Offset: (page - 1) * adminPageSize, Limit: adminPageSize})
	if err != nil {
		return err
	}
	v.Statuses = append(v.Statuses, option{Value: "", Label: rq.t["adm_any"], Selected: v.Status == ""})
	for _, st := range core.AllSubscriptionStatuses {
		v.Statuses = append(v.Statuses, option{Value: string(st), Label: rq.t["adm_st_"+string(st)], Selected: v.Status == string(st)})
	}
	plans, _, err := p.svc.ListPlans(ctx, a, core.PlanFilter{})
	if err != nil {
		return err
	}
	v.Plans = append(v.Plans, option{Value: "", Label: rq.t["adm_any"], Selected: v.Plan == ""})
	for _, pl := range plans {
		v.Plans = append(v.Plans, option{Value: pl.Slug, Label: pl.Name, Selected: v.Plan == pl.Slug || v.Plan == pl.ID})
	}
	if v.Rows, err = p.subRows(c, rq, list); err != nil {
		return err
	}
	v.Pager = newPager(c, page, total)
	return p.render(c, rq, fiber.StatusOK, "admin/subscriptions", v)
}

// subRows shows subscriptions with their owners' and plans' names.
func (p *Pages) subRows(c *fiber.Ctx, rq *request, list []core.Subscription) ([]subRow, error) {
	ctx := c.UserContext()
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.OwnerID
	}
	names, err := p.svc.OwnerNames(ctx, admin(rq), ids)
	if err != nil {
		return nil, err
	}
	plans := map[string]string{}
	rows := make([]subRow, len(list))
	for i, s := range list {
		if _, ok := plans[s.PlanID]; !ok {
			pl, err := p.svc.GetPlanByID(ctx, s.PlanID)
			plans[s.PlanID] = pl.Name
			if err != nil {
				plans[s.PlanID] = s.PlanID
			}
		}
		owner := names[s.OwnerID]
		if owner == "" {
			owner = s.OwnerID
		}
		rows[i] = subRow{ID: s.ID, OwnerID: s.OwnerID, Owner: owner, Plan: plans[s.PlanID], Status: string(s.Status),
			StatusLabel: rq.t["adm_st_"+string(s.Status)], NextBilling: p.dateSet(rq, s.NextBillingDate), Created: p.dateSet(rq, s.CreatedAt),
			PaymentType: string(s.PaymentType), Quantity: s.Quantity, DunningAttempts: s.DunningAttempts}
	}
	return rows, nil
}

// ---- one subscriber

type subscriberView struct {
	adminBase
	ID, Name, Kind, Email, FullName, Locale, Since string
	Orgs, Members                                  []ownerLink
	Subscriptions                                  []subRow
	Payments                                       []paymentRow
	Invoices                                       []invoiceRow
	Wallet                                         string
	AutoPay                                        bool
	HasWallet                                      bool
	Entries                                        []entryRow
	Methods                                        []methodRow
	Notifications, Alerts                          []noteRow
	Deliveries                                     []deliveryRow
	Logs                                           []logRow
}

type ownerLink struct{ ID, Name, Role string }

type paymentRow struct {
	ID, OrderID, Purpose, Type, Amount, Status, Created, Paid, Expires, Failure, OwnerID, Owner string
	Cycle, Attempt                                                                              int
}

type invoiceRow struct{ ID, Number, Status, Total, Issued, Due string }

type entryRow struct{ Type, Amount, Balance, Description, Created string }

type methodRow struct{ Type, Label, Status, Created string }

type noteRow struct {
	ID, Type, Channel, Recipient, Subject, Body, Status, Created string
	Read                                                         bool
}

type deliveryRow struct {
	ID, Endpoint, EndpointURL, Type, Status, Attempts, LastError, Next, Created, Sent string
}

type logRow struct {
	ID, Kind, OrderID, Status, Error, Received, ReplayOf string
	Signed                                               bool
}

func (p *Pages) adminSubscriber(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	h, err := p.svc.SubscriberHistory(ctx, a, c.Params("id"))
	if err != nil {
		return err
	}
	v := subscriberView{adminBase: adminBase{Nav: "subscriptions"}, ID: c.Params("id")}
	switch {
	case h.User != nil:
		u := h.User
		v.Name, v.Kind, v.Email, v.Locale, v.Since = u.Username, rq.t["adm_kind_user"], u.Email, u.Locale, p.dateSet(rq, u.CreatedAt)
		v.FullName = strings.TrimSpace(u.FirstName + " " + u.LastName)
		for _, o := range h.Organizations {
			v.Orgs = append(v.Orgs, ownerLink{ID: o.ID, Name: o.Name})
		}
	case h.Organization != nil:
		o := h.Organization
		v.Name, v.Kind, v.Since = o.Name, rq.t["adm_kind_org"], p.dateSet(rq, o.CreatedAt)
		roles := map[string]string{}
		for _, m := range o.Members {
			roles[m.UserID] = string(m.Role)
		}
		for _, m := range h.Members {
			v.Members = append(v.Members, ownerLink{ID: m.ID, Name: m.Username, Role: rq.t["adm_role_"+roles[m.ID]]})
		}
	}
	if v.Subscriptions, err = p.subRows(c, rq, h.Subscriptions); err != nil {
		return err
	}
	for _, pay := range h.Payments {
		v.Payments = append(v.Payments, p.paymentRow(rq, pay))
	}
	for _, inv := range h.Invoices {
		v.Invoices = append(v.Invoices, invoiceRow{ID: inv.ID, Number: inv.Number, Status: rq.t["adm_inv_"+string(inv.Status)],
			Total: p.money(rq, inv.Total), Issued: p.dateSet(rq, inv.IssueDate), Due: p.dateSet(rq, inv.DueDate)})
	}
	if h.Wallet != nil {
		v.HasWallet, v.Wallet, v.AutoPay = true, p.money(rq, h.Wallet.Balance), h.Wallet.AutoPay
	}
	for _, e := range h.WalletEntries {
		v.Entries = append(v.Entries, entryRow{Type: string(e.Type), Amount: p.money(rq, e.Amount), Balance: p.money(rq, e.BalanceAfter),
			Description: e.Description, Created: p.whenSet(rq, e.CreatedAt)})
	}
	for _, m := range h.PaymentMethods {
		label := m.MaskedCard
		if label == "" {
			label = m.AccountID
		}
		v.Methods = append(v.Methods, methodRow{Type: string(m.Type), Label: label, Status: string(m.Status), Created: p.dateSet(rq, m.CreatedAt)})
	}
	v.Notifications, v.Alerts = p.noteRows(rq, h.Notifications), p.noteRows(rq, h.Alerts)
	eps, err := p.svc.ListWebhookEndpoints(ctx, a)
	if err != nil {
		return err
	}
	urls := map[string]string{}
	for _, ep := range eps {
		urls[ep.ID] = ep.URL
	}
	for _, d := range h.Deliveries {
		v.Deliveries = append(v.Deliveries, p.deliveryRow(rq, d, urls))
	}
	for _, w := range h.MidtransNotifications {
		v.Logs = append(v.Logs, p.logRow(rq, w))
	}
	return p.render(c, rq, fiber.StatusOK, "admin/subscriber", v)
}

func (p *Pages) paymentRow(rq *request, pay core.Payment) paymentRow {
	return paymentRow{ID: pay.ID, OrderID: pay.OrderID, Purpose: string(pay.Purpose), Type: string(pay.PaymentType),
		Amount: p.money(rq, pay.Amount), Status: string(pay.Status), Created: p.whenSet(rq, pay.CreatedAt), Paid: p.whenSet(rq, pay.PaidAt),
		Expires: p.whenSet(rq, pay.ExpiresAt), Failure: pay.FailureReason, OwnerID: pay.OwnerID, Cycle: pay.Cycle, Attempt: pay.Attempt}
}

func (p *Pages) noteRows(rq *request, list []core.Notification) []noteRow {
	out := make([]noteRow, 0, len(list))
	for _, n := range list {
		out = append(out, noteRow{ID: n.ID, Type: n.Type, Channel: string(n.Channel), Recipient: n.Recipient, Subject: n.Subject,
			Body: n.Body, Status: string(n.Status), Created: p.whenSet(rq, n.CreatedAt), Read: !n.ReadAt.IsZero()})
	}
	return out
}

func (p *Pages) deliveryRow(rq *request, d core.Notification, urls map[string]string) deliveryRow {
	return deliveryRow{ID: d.ID, Endpoint: d.Recipient, EndpointURL: urls[d.Recipient], Type: d.Type, Status: string(d.Status),
		Attempts: ftoa(float64(d.Attempts)), LastError: d.LastError, Next: p.whenSet(rq, nextAttempt(d)), Created: p.whenSet(rq, d.CreatedAt),
		Sent: p.whenSet(rq, d.SentAt)}
}

// nextAttempt is when a queued delivery is tried next (none otherwise).
func nextAttempt(d core.Notification) time.Time {
	if d.Status != core.NotifQueued {
		return time.Time{}
	}
	return d.NextAttemptAt
}

func (p *Pages) logRow(rq *request, w core.WebhookLog) logRow {
	kind := string(w.Kind)
	if kind == "" {
		kind = "—"
	}
	return logRow{ID: w.ID, Kind: kind, OrderID: w.OrderID, Status: string(w.Status), Error: w.Error,
		Received: p.whenSet(rq, w.ReceivedAt), ReplayOf: w.ReplayOf, Signed: w.SignatureValid}
}

// ---- dunning queue

type dunningView struct {
	adminBase
	Rows  []dunningRow
	Pager pager
}

type dunningRow struct {
	ID, OwnerID, Owner, Plan, Since, NextRetry, GraceEnds, OpenOrder, OpenExpires, LastFailure string
	RetriesMade, RetriesLeft                                                                   int
}

func (p *Pages) adminDunning(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	page := pageNumber(c)
	list, total, err := p.svc.DunningQueue(ctx, a, (page-1)*adminPageSize, adminPageSize)
	if err != nil {
		return err
	}
	subs := make([]core.Subscription, len(list))
	for i, e := range list {
		subs[i] = e.Subscription
	}
	rows, err := p.subRows(c, rq, subs)
	if err != nil {
		return err
	}
	v := dunningView{adminBase: adminBase{Nav: "dunning"}, Pager: newPager(c, page, total)}
	for i, e := range list {
		r := dunningRow{ID: e.Subscription.ID, OwnerID: e.Subscription.OwnerID, Owner: rows[i].Owner, Plan: rows[i].Plan,
			Since: p.whenSet(rq, e.Subscription.PastDueSince), NextRetry: p.whenSet(rq, e.NextRetryAt), GraceEnds: p.whenSet(rq, e.GraceEndsAt),
			LastFailure: e.LastFailure, RetriesMade: e.RetriesMade, RetriesLeft: e.RetriesLeft}
		if e.Open != nil {
			r.OpenOrder, r.OpenExpires = e.Open.OrderID, p.whenSet(rq, e.Open.ExpiresAt)
		}
		v.Rows = append(v.Rows, r)
	}
	return p.render(c, rq, fiber.StatusOK, "admin/dunning", v)
}

// ---- stale payments and alerts

type paymentsView struct {
	adminBase
	StaleAlert int
	StaleAfter string
	Stale      []paymentRow
	StalePager pager
	Alerts     []noteRow
}

func (p *Pages) adminPayments(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	page := pageNumber(c)
	stale, total, err := p.svc.StalePayments(ctx, a, (page-1)*adminPageSize, adminPageSize)
	if err != nil {
		return err
	}
	ids := make([]string, len(stale))
	for i, s := range stale {
		ids[i] = s.OwnerID
	}
	names, err := p.svc.OwnerNames(ctx, a, ids)
	if err != nil {
		return err
	}
	v := paymentsView{adminBase: adminBase{Nav: "payments"}, StaleAlert: p.svc.StaleAlert(), StalePager: newPager(c, page, total),
		StaleAfter: span(rq, p.svc.Config().StaleAfter)}
	for _, s := range stale {
		r := p.paymentRow(rq, s)
		r.Owner = names[s.OwnerID]
		v.Stale = append(v.Stale, r)
	}
	alerts, _, err := p.svc.ListNotifications(ctx, a, core.NotificationFilter{Type: core.EvAlert, Channel: string(core.ChannelInApp), Limit: 100})
	if err != nil {
		return err
	}
	v.Alerts = p.noteRows(rq, alerts)
	return p.render(c, rq, fiber.StatusOK, "admin/payments", v)
}

func (p *Pages) adminAlertRead(c *fiber.Ctx, rq *request) error {
	if _, err := p.svc.MarkNotificationRead(c.UserContext(), admin(rq), c.Params("id")); err != nil {
		return err
	}
	return done(c, "/admin/payments", "adm_alert_read")
}

// ---- Midtrans notification log

type notificationsView struct {
	adminBase
	OrderID, Status string
	Statuses        []option
	Rows            []logRow
	Pager           pager
}

var webhookStatuses = []core.WebhookStatus{core.WebhookReceived, core.WebhookProcessed, core.WebhookDuplicate,
	core.WebhookIgnored, core.WebhookRejected, core.WebhookFailed}

func (p *Pages) adminNotifications(c *fiber.Ctx, rq *request) error {
	v := notificationsView{adminBase: adminBase{Nav: "notifications"}, OrderID: strings.TrimSpace(c.Query("order_id")), Status: c.Query("status")}
	page := pageNumber(c)
	list, total, err := p.svc.ListWebhookLogs(c.UserContext(), admin(rq), core.WebhookLogFilter{OrderID: v.OrderID, Status: v.Status,
		Offset: (page - 1) * adminPageSize, Limit: adminPageSize})
	if err != nil {
		return err
	}
	v.Statuses = append(v.Statuses, option{Value: "", Label: rq.t["adm_any"], Selected: v.Status == ""})
	for _, st := range webhookStatuses {
		v.Statuses = append(v.Statuses, option{Value: string(st), Label: string(st), Selected: v.Status == string(st)})
	}
	for _, w := range list {
		v.Rows = append(v.Rows, p.logRow(rq, w))
	}
	v.Pager = newPager(c, page, total)
	return p.render(c, rq, fiber.StatusOK, "admin/notifications", v)
}

type notificationView struct {
	adminBase
	Log                                 logRow
	EventKey, SourceIP, Processed, Body string
	ReplayBy                            string
	Bounded                             bool
	Size                                int
	SHA256                              string
}

func (p *Pages) adminNotification(c *fiber.Ctx, rq *request) error {
	w, err := p.svc.GetWebhookLog(c.UserContext(), admin(rq), c.Params("id"))
	if err != nil {
		return err
	}
	v := notificationView{adminBase: adminBase{Nav: "notifications"}, Log: p.logRow(rq, w), EventKey: w.EventKey, SourceIP: w.SourceIP,
		Processed: p.whenSet(rq, w.ProcessedAt), Body: redact.PayloadIndented(w.Payload), ReplayBy: w.ReplayBy,
		Bounded: w.PayloadSize != 0 || w.PayloadSHA256 != "", Size: w.PayloadSize, SHA256: w.PayloadSHA256}
	return p.render(c, rq, fiber.StatusOK, "admin/notification", v)
}

// adminReapply applies a stored notification again and shows the new log,
// whatever its outcome (its status and error say it).
func (p *Pages) adminReapply(c *fiber.Ctx, rq *request) error {
	w, err := p.svc.ReapplyNotification(c.UserContext(), admin(rq), c.Params("id"))
	if w.ID == "" {
		return err
	}
	return done(c, "/admin/notifications/"+w.ID, "adm_reapplied")
}

// ---- outbound webhooks

type webhooksView struct {
	adminBase
	Endpoints  []endpointRow
	Selected   string
	Deliveries []deliveryRow
	Pager      pager
}

type endpointRow struct {
	ID, URL, Description, Events, Failing, Disabled string
	Active, Selected                                bool
}

func (p *Pages) adminWebhooks(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	eps, err := p.svc.ListWebhookEndpoints(ctx, a)
	if err != nil {
		return err
	}
	v := webhooksView{adminBase: adminBase{Nav: "webhooks"}, Selected: c.Query("endpoint")}
	if v.Selected == "" && len(eps) > 0 {
		v.Selected = eps[0].ID
	}
	urls := map[string]string{}
	for _, ep := range eps {
		urls[ep.ID] = ep.URL
		events := strings.Join(ep.Events, ", ")
		if events == "" {
			events = rq.t["adm_all_events"]
		}
		v.Endpoints = append(v.Endpoints, endpointRow{ID: ep.ID, URL: ep.URL, Description: ep.Description, Events: events,
			Failing: p.whenSet(rq, ep.FailingSince), Disabled: p.whenSet(rq, ep.DisabledAt), Active: ep.Active, Selected: ep.ID == v.Selected})
	}
	if v.Selected != "" {
		page := pageNumber(c)
		list, total, err := p.svc.ListWebhookDeliveries(ctx, a, v.Selected, (page-1)*adminPageSize, adminPageSize)
		if err != nil {
			return err
		}
		for _, d := range list {
			v.Deliveries = append(v.Deliveries, p.deliveryRow(rq, d, urls))
		}
		v.Pager = newPager(c, page, total)
	}
	return p.render(c, rq, fiber.StatusOK, "admin/webhooks", v)
}

// adminResend queues a delivery again; the notification loop sends it.
// back (a page of ours) is where the form was.
func (p *Pages) adminResend(c *fiber.Ctx, rq *request) error {
	ep := c.Params("endpoint")
	if _, err := p.svc.ResendWebhookDelivery(c.UserContext(), admin(rq), ep, c.Params("id")); err != nil {
		return err
	}
	return done(c, localPath(c.FormValue("back"), "/admin/webhooks?endpoint="+ep), "adm_resent")
}

// span says a duration in whole hours, else in minutes.
func span(rq *request, d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return rq.text("adm_hours", int(d/time.Hour))
	}
	return rq.text("adm_minutes", int(d/time.Minute))
}
