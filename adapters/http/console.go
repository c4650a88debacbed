package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// ConsoleService is what the admin endpoints behind the web console need
// from core: figures over time, every owner's subscriptions, the dunning
// queue, stale payments, one subscriber's history and the Midtrans
// notification log.
type ConsoleService interface {
	FiguresOverTime(ctx context.Context, a core.Actor, q core.FiguresQuery) ([]core.FigurePoint, error)
	ListSubscriptionsPage(ctx context.Context, a core.Actor, f core.SubscriptionFilter) ([]core.Subscription, int, error)
	DunningQueue(ctx context.Context, a core.Actor, offset, limit int) ([]core.DunningEntry, int, error)
	StalePayments(ctx context.Context, a core.Actor, offset, limit int) ([]core.Payment, int, error)
	SubscriberHistory(ctx context.Context, a core.Actor, ownerID string) (core.SubscriberHistory, error)
	GetWebhookLog(ctx context.Context, a core.Actor, id string) (core.WebhookLog, error)
	ReapplyNotification(ctx context.Context, a core.Actor, id string) (core.WebhookLog, error)
}

var _ ConsoleService = (*core.Service)(nil)

// ---- figures over time

type figuresJSON struct {
	Interval string            `json:"interval" oa:"enum=figure_interval"`
	Points   []figurePointJSON `json:"points"`
}

type figurePointJSON struct {
	Date        string `json:"date" oa:"format=date" doc:"The day, or the month's first day, in the billing time zone"`
	HasSnapshot bool   `json:"has_snapshot" doc:"Whether a billing run recorded the opening figures in this period; mrr and active_subscribers are empty and 0 without one"`
	// MRR is by currency.
	MRR               map[string]string `json:"mrr" doc:"Monthly recurring revenue by currency (list price × billed seats, per month), from the period's latest snapshot"`
	ActiveSubscribers int               `json:"active_subscribers" doc:"Owners with an active subscription, from the period's latest snapshot"`
	Churned           int               `json:"churned" doc:"Subscriptions that ended in the period after being paid at least once"`
	FailedPayments    int               `json:"failed_payments" doc:"Charges that failed or expired unpaid in the period"`
}

func (s *Server) figures(c *fiber.Ctx) error {
	vals, err := parseListQuery(c, "from", "to", "interval")
	if err != nil {
		return err
	}
	q := core.FiguresQuery{From: vals.Get("from"), To: vals.Get("to"), Interval: vals.Get("interval")}
	points, err := s.svc.FiguresOverTime(c.UserContext(), actor(c), q)
	if err != nil {
		return err
	}
	out := figuresJSON{Interval: core.FiguresDaily, Points: make([]figurePointJSON, len(points))}
	if q.Interval != "" {
		out.Interval = q.Interval
	}
	for i, p := range points {
		j := figurePointJSON{Date: p.Start.Format(time.DateOnly), HasSnapshot: p.HasSnapshot, MRR: map[string]string{},
			ActiveSubscribers: p.Subscribers, Churned: p.Churned, FailedPayments: p.Failed}
		for cur, m := range p.MRR {
			j.MRR[string(cur)] = money(m)
		}
		out.Points[i] = j
	}
	return c.JSON(out)
}

// ---- every owner's subscriptions

func (s *Server) adminListSubscriptions(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "payment_type", "ordering", "plan", "search", "past_due")
	if err != nil {
		return err
	}
	if err := checkChoice("past_due", q.Get("past_due"), []string{"true", "false"}); err != nil {
		return err
	}
	list, total, err := s.svc.ListSubscriptionsPage(c.UserContext(), actor(c), core.SubscriptionFilter{
		All: true, Status: q.Get("status"), PaymentType: q.Get("payment_type"), Ordering: q.Get("ordering"),
		Plan: q.Get("plan"), Search: q.Get("search"), PastDue: q.Get("past_due") == "true",
		Offset: q.Offset(), Limit: q.PageSize,
	})
	if err != nil {
		return err
	}
	pc := s.newPlanCache(c)
	out := make([]subscriptionJSON, len(list))
	for i, sub := range list {
		out[i] = pc.sub(sub)
	}
	return c.JSON(newPage(c, q, total, out))
}

// ---- the dunning queue

type dunningEntryJSON struct {
	Subscription subscriptionJSON `json:"subscription"`
	RetriesMade  int              `json:"retries_made" doc:"Retries of the unpaid renewal charged so far, one still awaiting payment included"`
	RetriesLeft  int              `json:"retries_left" doc:"Retries still to come before the grace period ends"`
	NextRetryAt  *time.Time       `json:"next_retry_at" doc:"When the next retry falls due (no earlier while an order is open); null when none is left"`
	GraceEndsAt  time.Time        `json:"grace_ends_at" doc:"When the subscription expires if nothing is paid"`
	OpenPayment  *paymentJSON     `json:"open_payment" doc:"The renewal's order awaiting payment, if any"`
	LastFailure  string           `json:"last_failure" doc:"Why the last charge failed, when Midtrans said"`
}

func (s *Server) dunningQueue(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, total, err := s.svc.DunningQueue(c.UserContext(), actor(c), q.Offset(), q.PageSize)
	if err != nil {
		return err
	}
	pc := s.newPlanCache(c)
	out := make([]dunningEntryJSON, len(list))
	for i, e := range list {
		j := dunningEntryJSON{Subscription: pc.sub(e.Subscription), RetriesMade: e.RetriesMade, RetriesLeft: e.RetriesLeft,
			NextRetryAt: optTime(e.NextRetryAt), GraceEndsAt: e.GraceEndsAt, LastFailure: e.LastFailure}
		if e.Open != nil {
			p := toPaymentJSON(*e.Open)
			j.OpenPayment = &p
		}
		out[i] = j
	}
	return c.JSON(newPage(c, q, total, out))
}

// ---- stale payments

func (s *Server) stalePayments(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, total, err := s.svc.StalePayments(c.UserContext(), actor(c), q.Offset(), q.PageSize)
	if err != nil {
		return err
	}
	out := make([]paymentJSON, len(list))
	for i, p := range list {
		out[i] = toPaymentJSON(p)
	}
	return c.JSON(newPage(c, q, total, out))
}

// ---- one subscriber

type subscriberJSON struct {
	User                  *userJSON           `json:"user" doc:"The subscriber when it is a user; null for an organization"`
	Organizations         []orgJSON           `json:"organizations" doc:"A user's organizations"`
	Organization          *orgJSON            `json:"organization" doc:"The subscriber when it is an organization; null for a user"`
	Subscriptions         []subscriptionJSON  `json:"subscriptions"`
	Payments              []paymentJSON       `json:"payments"`
	Invoices              []invoiceJSON       `json:"invoices"`
	Wallet                *walletJSON         `json:"wallet" doc:"Null when none was ever opened"`
	WalletEntries         []walletEntryJSON   `json:"wallet_entries"`
	PaymentMethods        []paymentMethodJSON `json:"payment_methods"`
	Notifications         []notificationJSON  `json:"notifications" doc:"Sent to the subscriber (an organization's members, about it)"`
	Alerts                []notificationJSON  `json:"alerts" doc:"The caller's alerts about the subscriber's records"`
	Deliveries            []deliveryJSON      `json:"deliveries" doc:"Outbound webhook deliveries of events about the subscriber's records"`
	MidtransNotifications []webhookLogJSON    `json:"midtrans_notifications" doc:"Stored Midtrans notifications naming the subscriber's orders"`
}

func (s *Server) subscriber(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	h, err := s.svc.SubscriberHistory(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	pc := s.newPlanCache(c)
	out := subscriberJSON{Organizations: []orgJSON{}, Subscriptions: []subscriptionJSON{}, Payments: []paymentJSON{},
		Invoices: []invoiceJSON{}, WalletEntries: []walletEntryJSON{}, PaymentMethods: []paymentMethodJSON{},
		Notifications: toNotificationsJSON(h.Notifications), Alerts: toNotificationsJSON(h.Alerts), Deliveries: []deliveryJSON{},
		MidtransNotifications: []webhookLogJSON{}}
	if h.User != nil {
		u := toUserJSON(*h.User)
		out.User = &u
	}
	if h.Organization != nil {
		o := s.toOrgJSON(ctx, *h.Organization)
		out.Organization = &o
	}
	for _, o := range h.Organizations {
		out.Organizations = append(out.Organizations, s.toOrgJSON(ctx, o))
	}
	for _, sub := range h.Subscriptions {
		out.Subscriptions = append(out.Subscriptions, pc.sub(sub))
	}
	for _, p := range h.Payments {
		out.Payments = append(out.Payments, toPaymentJSON(p))
	}
	for _, inv := range h.Invoices {
		out.Invoices = append(out.Invoices, toInvoiceJSON(inv))
	}
	if h.Wallet != nil {
		w := toWalletJSON(*h.Wallet)
		out.Wallet = &w
	}
	for _, e := range h.WalletEntries {
		out.WalletEntries = append(out.WalletEntries, toWalletEntryJSON(e))
	}
	for _, m := range h.PaymentMethods {
		out.PaymentMethods = append(out.PaymentMethods, toPaymentMethodJSON(m))
	}
	for _, n := range h.Deliveries {
		out.Deliveries = append(out.Deliveries, deliveryJSON{toNotificationJSON(n)})
	}
	for _, w := range h.MidtransNotifications {
		out.MidtransNotifications = append(out.MidtransNotifications, toWebhookLogJSON(w))
	}
	return c.JSON(out)
}

// ---- the Midtrans notification log

func (s *Server) getWebhookLog(c *fiber.Ctx) error {
	w, err := s.svc.GetWebhookLog(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toWebhookLogJSON(w))
}

// reapplyWebhookLog applies a stored notification again: the answer is the
// new log (201), naming the stored one in replay_of.
func (s *Server) reapplyWebhookLog(c *fiber.Ctx) error {
	w, err := s.svc.ReapplyNotification(c.UserContext(), actor(c), c.Params("id"))
	if w.ID != "" {
		// The new log exists whatever its outcome; its status says it.
		c.Location("/api/admin/webhook-logs/" + w.ID + "/")
		return c.Status(fiber.StatusCreated).JSON(toWebhookLogJSON(w))
	}
	return err
}
