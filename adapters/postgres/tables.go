package postgres

import (
	"strings"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

// Table definitions: the columns each aggregate is found or ordered by,
// derived from the aggregate on every Put, and the uniquenesses the ports
// promise. The SQL side is in migrations/.

func col[T any](name string, value func(v *T) any) column[T] {
	return column[T]{name: name, value: value}
}

var plans = (&table[core.Plan]{
	name: "plans", kind: "plan", encode: records.PlanToRecord, decode: records.PlanFromRecord,
	id: func(p *core.Plan) string { return p.ID },
	cols: []column[core.Plan]{
		col("slug", func(p *core.Plan) any { return optText(p.Slug) }),
	},
	uniques: []unique[core.Plan]{
		{what: "slug", where: "slug = $1", args: func(p *core.Plan) []any { return nonEmpty(p.Slug) }},
	},
}).init()

var users = (&table[core.User]{
	name: "users", kind: "user", encode: records.UserToRecord, decode: records.UserFromRecord,
	id: func(u *core.User) string { return u.ID },
	cols: []column[core.User]{
		// Usernames are unique in their lower-case form, as in the bbolt
		// store; the column holds that form, the record the name as given.
		col("username", func(u *core.User) any { return optText(core.NormalizeUsername(u.Username)) }),
		col("is_admin", func(u *core.User) any { return u.IsAdmin }),
	},
	uniques: []unique[core.User]{
		{what: "username", where: "username = $1", args: func(u *core.User) []any {
			return nonEmpty(core.NormalizeUsername(u.Username))
		}},
	},
}).init()

var tokens = (&table[core.Token]{
	name: "tokens", kind: "token", encode: records.TokenToRecord, decode: records.TokenFromRecord,
	id: func(t *core.Token) string { return t.ID },
	cols: []column[core.Token]{
		col("hash", func(t *core.Token) any { return t.Hash }),
		col("user_id", func(t *core.Token) any { return t.UserID }),
		col("created_at", func(t *core.Token) any { return ts(t.CreatedAt) }),
	},
}).init()

var subscriptions = (&table[core.Subscription]{
	name: "subscriptions", kind: "subscription", encode: records.SubToRecord, decode: records.SubFromRecord,
	id: func(s *core.Subscription) string { return s.ID },
	cols: []column[core.Subscription]{
		col("owner_id", func(s *core.Subscription) any { return s.OwnerID }),
		col("created_at", func(s *core.Subscription) any { return ts(s.CreatedAt) }),
		col("native_id", func(s *core.Subscription) any { return s.MidtransSubscriptionID }),
		col("next_action_at", func(s *core.Subscription) any { return optTS(s.NextActionAt) }),
		col("status", func(s *core.Subscription) any { return string(s.Status) }),
	},
}).init()

var payments = (&table[core.Payment]{
	name: "payments", kind: "payment", encode: records.PayToRecord, decode: records.PayFromRecord,
	id: func(p *core.Payment) string { return p.ID },
	cols: []column[core.Payment]{
		col("order_id", func(p *core.Payment) any { return optText(p.OrderID) }),
		col("owner_id", func(p *core.Payment) any { return p.OwnerID }),
		col("subscription_id", func(p *core.Payment) any { return p.SubscriptionID }),
		col("created_at", func(p *core.Payment) any { return ts(p.CreatedAt) }),
		col("open", func(p *core.Payment) any { return p.Status.Open() }),
		col("refunding", func(p *core.Payment) any { return p.RefundRequested() }),
		col("refund_check_at", func(p *core.Payment) any { return optTS(p.RefundCheckAt) }),
	},
	uniques: []unique[core.Payment]{
		{what: "order id", where: "order_id = $1", args: func(p *core.Payment) []any { return nonEmpty(p.OrderID) }},
	},
}).init()

var invoices = (&table[core.Invoice]{
	name: "invoices", kind: "invoice", encode: records.InvToRecord, decode: records.InvFromRecord,
	id: func(v *core.Invoice) string { return v.ID },
	cols: []column[core.Invoice]{
		col("number", func(v *core.Invoice) any { return optText(v.Number) }),
		col("owner_id", func(v *core.Invoice) any { return v.OwnerID }),
		col("subscription_id", func(v *core.Invoice) any { return v.SubscriptionID }),
		col("key", func(v *core.Invoice) any { return optText(v.Key) }),
		col("created_at", func(v *core.Invoice) any { return ts(v.CreatedAt) }),
		col("open_due", func(v *core.Invoice) any {
			if v.Status != core.InvoiceOpen {
				return nil
			}
			return optTS(v.DueDate)
		}),
	},
	uniques: []unique[core.Invoice]{
		{what: "key for this subscription", where: "subscription_id = $1 AND key = $2", args: func(v *core.Invoice) []any {
			if v.Key == "" {
				return nil
			}
			return []any{v.SubscriptionID, v.Key}
		}},
		{what: "number", where: "number = $1", args: func(v *core.Invoice) []any { return nonEmpty(v.Number) }},
	},
}).init()

var creditNotes = (&table[core.CreditNote]{
	name: "credit_notes", kind: "credit note", encode: records.CreditNoteToRecord, decode: records.CreditNoteFromRecord,
	id: func(n *core.CreditNote) string { return n.ID },
	cols: []column[core.CreditNote]{
		col("number", func(n *core.CreditNote) any { return optText(n.Number) }),
		col("invoice_id", func(n *core.CreditNote) any { return n.InvoiceID }),
		col("key", func(n *core.CreditNote) any { return optText(n.Key) }),
		col("owner_id", func(n *core.CreditNote) any { return n.OwnerID }),
		col("created_at", func(n *core.CreditNote) any { return ts(n.CreatedAt) }),
		col("issued_at", func(n *core.CreditNote) any { return ts(n.IssueDate) }),
	},
	uniques: []unique[core.CreditNote]{
		{what: "key for this invoice", where: "invoice_id = $1 AND key = $2", args: func(n *core.CreditNote) []any {
			if n.Key == "" {
				return nil
			}
			return []any{n.InvoiceID, n.Key}
		}},
		{what: "number", where: "number = $1", args: func(n *core.CreditNote) []any { return nonEmpty(n.Number) }},
	},
}).init()

var webhookLogs = (&table[core.WebhookLog]{
	name: "webhook_logs", kind: "webhook log", encode: records.HookToRecord, decode: records.HookFromRecord,
	id: func(w *core.WebhookLog) string { return w.ID },
	cols: []column[core.WebhookLog]{
		col("received_at", func(w *core.WebhookLog) any { return ts(w.ReceivedAt) }),
		col("pending", func(w *core.WebhookLog) any { return w.Status == core.WebhookReceived }),
		col("order_id", func(w *core.WebhookLog) any { return w.OrderID }),
	},
}).init()

var wallets = (&table[core.Wallet]{
	name: "wallets", kind: "wallet", encode: records.WalletToRecord, decode: records.WalletFromRecord,
	id: func(w *core.Wallet) string { return w.ID },
	cols: []column[core.Wallet]{
		col("owner_id", func(w *core.Wallet) any { return w.OwnerID }),
		col("created_at", func(w *core.Wallet) any { return ts(w.CreatedAt) }),
	},
}).init()

var topUps = (&table[core.TopUp]{
	name: "topups", kind: "top-up", encode: records.TopUpToRecord, decode: records.TopUpFromRecord,
	id: func(t *core.TopUp) string { return t.ID },
	cols: []column[core.TopUp]{
		col("owner_id", func(t *core.TopUp) any { return t.OwnerID }),
		col("created_at", func(t *core.TopUp) any { return ts(t.CreatedAt) }),
	},
}).init()

var paymentMethods = (&table[core.PaymentMethod]{
	name: "payment_methods", kind: "payment method", encode: records.MethodToRecord, decode: records.MethodFromRecord,
	id: func(m *core.PaymentMethod) string { return m.ID },
	cols: []column[core.PaymentMethod]{
		col("owner_id", func(m *core.PaymentMethod) any { return m.OwnerID }),
		col("created_at", func(m *core.PaymentMethod) any { return ts(m.CreatedAt) }),
		col("account_id", func(m *core.PaymentMethod) any { return m.AccountID }),
	},
}).init()

var notifications = (&table[core.Notification]{
	name: "notifications", kind: "notification", encode: records.NotifToRecord, decode: records.NotifFromRecord,
	id: func(n *core.Notification) string { return n.ID },
	cols: []column[core.Notification]{
		col("user_id", func(n *core.Notification) any { return n.UserID }),
		col("recipient", func(n *core.Notification) any { return n.Recipient }),
		col("created_at", func(n *core.Notification) any { return ts(n.CreatedAt) }),
		// A queued notification with no NextAttemptAt is due at once: the
		// zero time is stored as such and sorts first.
		col("queued_at", func(n *core.Notification) any {
			if n.Status != core.NotifQueued {
				return nil
			}
			return ts(n.NextAttemptAt)
		}),
	},
}).init()

var organizations = (&table[core.Organization]{
	name: "organizations", kind: "organization", encode: records.OrgToRecord, decode: records.OrgFromRecord,
	id: func(o *core.Organization) string { return o.ID },
	cols: []column[core.Organization]{
		col("member_ids", func(o *core.Organization) any {
			ids := make([]string, len(o.Members))
			for i, m := range o.Members {
				ids[i] = m.UserID
			}
			return ids
		}),
	},
}).init()

// Coupon codes are stored upper-case (strings.ToUpper, as the service
// does), so the unique index is case-insensitive.
var coupons = (&table[core.Coupon]{
	name: "coupons", kind: "coupon", encode: records.CouponToRecord, decode: records.CouponFromRecord,
	id: func(c *core.Coupon) string { return c.ID },
	cols: []column[core.Coupon]{
		col("code", func(c *core.Coupon) any { return optText(strings.ToUpper(c.Code)) }),
	},
	uniques: []unique[core.Coupon]{
		{what: "code", where: "code = $1", args: func(c *core.Coupon) []any { return nonEmpty(strings.ToUpper(c.Code)) }},
	},
}).init()

var figures = (&table[core.DailyFigures]{
	name: "daily_figures", pk: "day", kind: "daily figures", encode: records.FiguresToRecord, decode: records.FiguresFromRecord,
	id: func(f *core.DailyFigures) string { return f.Day },
}).init()

var endpoints = (&table[core.WebhookEndpoint]{
	name: "webhook_endpoints", kind: "webhook endpoint", encode: records.EndpointToRecord, decode: records.EndpointFromRecord,
	id: func(e *core.WebhookEndpoint) string { return e.ID },
}).init()

func nonEmpty(s string) []any {
	if s == "" {
		return nil
	}
	return []any{s}
}

// Idempotency keys are free text; the key is the primary key.
var idempotency = (&table[core.IdempotencyRecord]{
	name: "idempotency", pk: "key", kind: "idempotency record", encode: records.IdemToRecord, decode: records.IdemFromRecord,
	id: func(r *core.IdempotencyRecord) string { return r.Key },
	cols: []column[core.IdempotencyRecord]{
		col("expires_at", func(r *core.IdempotencyRecord) any { return optTS(r.ExpiresAt) }),
	},
}).init()

var sessions = (&table[core.Session]{
	name: "web_sessions", kind: "session", encode: records.SessionToRecord, decode: records.SessionFromRecord,
	id: func(s *core.Session) string { return s.ID },
	cols: []column[core.Session]{
		col("hash", func(s *core.Session) any { return optText(s.Hash) }),
		col("user_id", func(s *core.Session) any { return s.UserID }),
		col("created_at", func(s *core.Session) any { return ts(s.CreatedAt) }),
		col("expires_at", func(s *core.Session) any { return ts(s.ExpiresAt) }),
	},
	uniques: []unique[core.Session]{
		{what: "hash", where: "hash = $1", args: func(s *core.Session) []any { return nonEmpty(s.Hash) }},
	},
}).init()

var portalLinks = (&table[core.PortalLink]{
	name: "portal_links", kind: "portal link", encode: records.PortalLinkToRecord, decode: records.PortalLinkFromRecord,
	id: func(l *core.PortalLink) string { return l.ID },
	cols: []column[core.PortalLink]{
		col("hash", func(l *core.PortalLink) any { return optText(l.Hash) }),
		col("expires_at", func(l *core.PortalLink) any { return ts(l.ExpiresAt) }),
	},
	uniques: []unique[core.PortalLink]{
		{what: "hash", where: "hash = $1", args: func(l *core.PortalLink) []any { return nonEmpty(l.Hash) }},
	},
}).init()
