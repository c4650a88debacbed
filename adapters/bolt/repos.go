package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

// Table definitions: which bucket, which indexes. Index key functions
// return nil for "not indexed" (empty field, zero time, status outside
// the indexed set).

func nonEmpty(s string, k func() []byte) []byte {
	if s == "" {
		return nil
	}
	return k()
}

var plans = &table[core.Plan]{
	memo: newMemo(1024, clonePlan),
	kind: "plan", bucket: bPlans, encode: records.PlanToRecord, decode: records.PlanFromRecord,
	id: func(p core.Plan) string { return p.ID },
	indexes: []index[core.Plan]{
		{name: "slug", bucket: bPlanSlug, unique: true, key: func(p *core.Plan, _ []byte) []byte {
			return nonEmpty(p.Slug, func() []byte { return hashKey(p.Slug) })
		}},
	},
}

var users = &table[core.User]{
	memo: newMemo(4096, same[core.User]),
	kind: "user", bucket: bUsers, encode: records.UserToRecord, decode: records.UserFromRecord,
	id: func(u core.User) string { return u.ID },
	indexes: []index[core.User]{
		{name: "username", bucket: bUserName, unique: true, key: func(u *core.User, _ []byte) []byte {
			return nonEmpty(u.Username, func() []byte { return usernameKey(u.Username) })
		}},
		{name: "admin", bucket: bUserAdmin, key: func(u *core.User, pk []byte) []byte {
			if !u.IsAdmin {
				return nil
			}
			return pk
		}},
	},
}

var tokens = &table[core.Token]{
	memo: newMemo(4096, same[core.Token]),
	kind: "token", bucket: bTokens, encode: records.TokenToRecord, decode: records.TokenFromRecord,
	id: func(t core.Token) string { return t.ID },
	indexes: []index[core.Token]{
		{name: "hash", bucket: bTokenHash, key: func(t *core.Token, pk []byte) []byte {
			return nonEmpty(t.Hash, func() []byte { return cat(hashKey(t.Hash), pk) })
		}},
		{name: "user", bucket: bTokenUser, key: func(t *core.Token, pk []byte) []byte {
			return nonEmpty(t.UserID, func() []byte { return ownerTimeKey(t.UserID, t.CreatedAt, pk) })
		}},
	},
}

func statusKey(status string, pk []byte) []byte {
	return cat([]byte{byte(len(status))}, []byte(status), pk)
}

var subscriptions = &table[core.Subscription]{
	memo: newMemo(4096, cloneSub),
	kind: "subscription", bucket: bSubs, encode: records.SubToRecord, decode: records.SubFromRecord,
	id: func(s core.Subscription) string { return s.ID },
	indexes: []index[core.Subscription]{
		{name: "owner", bucket: bSubOwner, key: func(s *core.Subscription, pk []byte) []byte {
			return nonEmpty(s.OwnerID, func() []byte { return ownerTimeKey(s.OwnerID, s.CreatedAt, pk) })
		}},
		{name: "midtrans subscription id", bucket: bSubNative, key: func(s *core.Subscription, pk []byte) []byte {
			return nonEmpty(s.MidtransSubscriptionID, func() []byte { return cat(hashKey(s.MidtransSubscriptionID), pk) })
		}},
		{name: "next action", bucket: bSubDue, key: func(s *core.Subscription, pk []byte) []byte {
			if s.NextActionAt.IsZero() {
				return nil
			}
			return timeKey(s.NextActionAt, pk)
		}},
		{name: "status", bucket: bSubStatus, key: func(s *core.Subscription, pk []byte) []byte {
			return statusKey(string(s.Status), pk)
		}},
	},
}

var payments = &table[core.Payment]{
	memo: newMemo(4096, clonePayment),
	kind: "payment", bucket: bPays, encode: records.PayToRecord, decode: records.PayFromRecord,
	id: func(p core.Payment) string { return p.ID },
	indexes: []index[core.Payment]{
		{name: "order id", bucket: bPayOrder, unique: true, key: func(p *core.Payment, _ []byte) []byte {
			return nonEmpty(p.OrderID, func() []byte { return hashKey(p.OrderID) })
		}},
		{name: "owner", bucket: bPayOwner, key: func(p *core.Payment, pk []byte) []byte {
			return nonEmpty(p.OwnerID, func() []byte { return ownerTimeKey(p.OwnerID, p.CreatedAt, pk) })
		}},
		{name: "subscription", bucket: bPaySub, key: func(p *core.Payment, pk []byte) []byte {
			return nonEmpty(p.SubscriptionID, func() []byte { return ownerTimeKey(p.SubscriptionID, p.CreatedAt, pk) })
		}},
		{name: "open", bucket: bPayOpen, key: func(p *core.Payment, pk []byte) []byte {
			if !p.Status.Open() {
				return nil
			}
			return timeKey(p.CreatedAt, pk)
		}},
		{name: "refund check", bucket: bPayRefundCheck, key: func(p *core.Payment, pk []byte) []byte {
			if p.RefundCheckAt.IsZero() {
				return nil
			}
			return timeKey(p.RefundCheckAt, pk)
		}},
		{name: "refunding", bucket: bPayRefunding, key: func(p *core.Payment, pk []byte) []byte {
			if !p.RefundRequested() {
				return nil
			}
			return timeKey(p.CreatedAt, pk)
		}},
	},
}

func invoiceKey(subscriptionID, key string) []byte { return cat(idKey(subscriptionID), hashKey(key)) }

// numberKey is a document number as it is written. Numbers are issued in
// sequence (INV/2026/000123), so each new one goes at the end of its
// index, where the previous ones went: a billing run issuing a hundred
// thousand invoices writes a few pages of that index, where a hash of the
// number (the layout before version 4) put each in a page of its own.
func numberKey(number string) []byte { return []byte(number) }

var invoices = &table[core.Invoice]{
	memo: newMemo(4096, cloneInvoice),
	kind: "invoice", bucket: bInvs, encode: records.InvToRecord, decode: records.InvFromRecord,
	id: func(v core.Invoice) string { return v.ID },
	indexes: []index[core.Invoice]{
		{name: "key for this subscription", bucket: bInvKey, unique: true, key: func(v *core.Invoice, _ []byte) []byte {
			return nonEmpty(v.Key, func() []byte { return invoiceKey(v.SubscriptionID, v.Key) })
		}},
		{name: "number", bucket: bInvNumber, unique: true, key: func(v *core.Invoice, _ []byte) []byte {
			return nonEmpty(v.Number, func() []byte { return numberKey(v.Number) })
		}},
		{name: "owner", bucket: bInvOwner, key: func(v *core.Invoice, pk []byte) []byte {
			return nonEmpty(v.OwnerID, func() []byte { return ownerTimeKey(v.OwnerID, v.CreatedAt, pk) })
		}},
		{name: "subscription", bucket: bInvSub, key: func(v *core.Invoice, pk []byte) []byte {
			return nonEmpty(v.SubscriptionID, func() []byte { return ownerTimeKey(v.SubscriptionID, v.CreatedAt, pk) })
		}},
		{name: "open due", bucket: bInvOpenDue, key: func(v *core.Invoice, pk []byte) []byte {
			if v.Status != core.InvoiceOpen || v.DueDate.IsZero() {
				return nil
			}
			return timeKey(v.DueDate, pk)
		}},
	},
}

var creditNotes = &table[core.CreditNote]{
	kind: "credit note", bucket: bCreditNotes, encode: records.CreditNoteToRecord, decode: records.CreditNoteFromRecord,
	id: func(n core.CreditNote) string { return n.ID },
	indexes: []index[core.CreditNote]{
		{name: "key for this invoice", bucket: bCNKey, unique: true, key: func(n *core.CreditNote, _ []byte) []byte {
			return nonEmpty(n.Key, func() []byte { return cat(idKey(n.InvoiceID), hashKey(n.Key)) })
		}},
		{name: "number", bucket: bCNNumber, unique: true, key: func(n *core.CreditNote, _ []byte) []byte {
			return nonEmpty(n.Number, func() []byte { return numberKey(n.Number) })
		}},
		{name: "owner", bucket: bCNOwner, key: func(n *core.CreditNote, pk []byte) []byte {
			return nonEmpty(n.OwnerID, func() []byte { return ownerTimeKey(n.OwnerID, n.CreatedAt, pk) })
		}},
		{name: "invoice", bucket: bCNInvoice, key: func(n *core.CreditNote, pk []byte) []byte {
			return nonEmpty(n.InvoiceID, func() []byte { return ownerTimeKey(n.InvoiceID, n.CreatedAt, pk) })
		}},
		{name: "issued", bucket: bCNIssued, key: func(n *core.CreditNote, pk []byte) []byte {
			return timeKey(n.IssueDate, pk)
		}},
	},
}

var webhookLogs = &table[core.WebhookLog]{
	kind: "webhook log", bucket: bHooks, encode: records.HookToRecord, decode: records.HookFromRecord,
	id: func(w core.WebhookLog) string { return w.ID },
	indexes: []index[core.WebhookLog]{
		{name: "received", bucket: bHookReceived, key: func(w *core.WebhookLog, pk []byte) []byte {
			return timeKey(w.ReceivedAt, pk)
		}},
		{name: "pending", bucket: bHookPending, key: func(w *core.WebhookLog, pk []byte) []byte {
			if w.Status != core.WebhookReceived {
				return nil
			}
			return timeKey(w.ReceivedAt, pk)
		}},
		{name: "order", bucket: bHookOrder, key: hookOrderKey},
	},
}

// hookOrderKey is the order index key: sha256(order id) ‖ received ‖ pk;
// logs naming no order are not indexed.
func hookOrderKey(w *core.WebhookLog, pk []byte) []byte {
	return nonEmpty(w.OrderID, func() []byte { return cat(hashKey(w.OrderID), timeKey(w.ReceivedAt, pk)) })
}

var wallets = &table[core.Wallet]{
	kind: "wallet", bucket: bWallets, encode: records.WalletToRecord, decode: records.WalletFromRecord,
	id: func(w core.Wallet) string { return w.ID },
	indexes: []index[core.Wallet]{
		{name: "owner", bucket: bWalletOwner, key: func(w *core.Wallet, pk []byte) []byte {
			return nonEmpty(w.OwnerID, func() []byte { return ownerTimeKey(w.OwnerID, w.CreatedAt, pk) })
		}},
	},
}

var topUps = &table[core.TopUp]{
	kind: "top-up", bucket: bTopUps, encode: records.TopUpToRecord, decode: records.TopUpFromRecord,
	id: func(t core.TopUp) string { return t.ID },
	indexes: []index[core.TopUp]{
		{name: "owner", bucket: bTopUpOwner, key: func(t *core.TopUp, pk []byte) []byte {
			return nonEmpty(t.OwnerID, func() []byte { return ownerTimeKey(t.OwnerID, t.CreatedAt, pk) })
		}},
	},
}

var paymentMethods = &table[core.PaymentMethod]{
	kind: "payment method", bucket: bMethods, encode: records.MethodToRecord, decode: records.MethodFromRecord,
	id: func(m core.PaymentMethod) string { return m.ID },
	indexes: []index[core.PaymentMethod]{
		{name: "owner", bucket: bMethodOwner, key: func(m *core.PaymentMethod, pk []byte) []byte {
			return nonEmpty(m.OwnerID, func() []byte { return ownerTimeKey(m.OwnerID, m.CreatedAt, pk) })
		}},
		{name: "account id", bucket: bMethodAccount, key: func(m *core.PaymentMethod, pk []byte) []byte {
			return nonEmpty(m.AccountID, func() []byte { return cat(hashKey(m.AccountID), pk) })
		}},
	},
}

var notifications = &table[core.Notification]{
	kind: "notification", bucket: bNotifs, encode: records.NotifToRecord, decode: records.NotifFromRecord,
	id: func(n core.Notification) string { return n.ID },
	indexes: []index[core.Notification]{
		{name: "user", bucket: bNotifUser, key: func(n *core.Notification, pk []byte) []byte {
			return nonEmpty(n.UserID, func() []byte { return ownerTimeKey(n.UserID, n.CreatedAt, pk) })
		}},
		{name: "recipient", bucket: bNotifRecipient, key: func(n *core.Notification, pk []byte) []byte {
			return nonEmpty(n.Recipient, func() []byte { return cat(hashKey(n.Recipient), tsKey(n.CreatedAt), pk) })
		}},
		// A queued notification with no NextAttemptAt is due at once: the
		// zero time sorts first.
		{name: "queued", bucket: bNotifQueued, key: func(n *core.Notification, pk []byte) []byte {
			if n.Status != core.NotifQueued {
				return nil
			}
			return timeKey(n.NextAttemptAt, pk)
		}},
	},
}

// Idempotency keys are free text: the primary key is their SHA-256.
var idempotency = &table[core.IdempotencyRecord]{
	kind: "idempotency record", bucket: bIdem, encode: records.IdemToRecord, decode: records.IdemFromRecord,
	id:   func(r core.IdempotencyRecord) string { return r.Key },
	pkOf: hashKey,
	indexes: []index[core.IdempotencyRecord]{
		{name: "expiry", bucket: bIdemExpiry, key: func(r *core.IdempotencyRecord, pk []byte) []byte {
			if r.ExpiresAt.IsZero() {
				return nil // never expires
			}
			return timeKey(r.ExpiresAt, pk)
		}},
	},
}

var sessions = &table[core.Session]{
	kind: "session", bucket: bSessions, encode: records.SessionToRecord, decode: records.SessionFromRecord,
	id: func(s core.Session) string { return s.ID },
	indexes: []index[core.Session]{
		{name: "hash", bucket: bSessionHash, unique: true, key: func(s *core.Session, _ []byte) []byte {
			return nonEmpty(s.Hash, func() []byte { return hashKey(s.Hash) })
		}},
		{name: "user", bucket: bSessionUser, key: func(s *core.Session, pk []byte) []byte {
			return nonEmpty(s.UserID, func() []byte { return ownerTimeKey(s.UserID, s.CreatedAt, pk) })
		}},
		{name: "expiry", bucket: bSessionExpiry, key: func(s *core.Session, pk []byte) []byte {
			return timeKey(s.ExpiresAt, pk)
		}},
	},
}

var portalLinks = &table[core.PortalLink]{
	kind: "portal link", bucket: bPortalLinks, encode: records.PortalLinkToRecord, decode: records.PortalLinkFromRecord,
	id: func(l core.PortalLink) string { return l.ID },
	indexes: []index[core.PortalLink]{
		{name: "hash", bucket: bPortalLinkHash, unique: true, key: func(l *core.PortalLink, _ []byte) []byte {
			return nonEmpty(l.Hash, func() []byte { return hashKey(l.Hash) })
		}},
		{name: "expiry", bucket: bPortalLinkExpiry, key: func(l *core.PortalLink, pk []byte) []byte {
			return timeKey(l.ExpiresAt, pk)
		}},
	},
}

// checkers lists every table for Check.
var checkers = []interface {
	check(t *tx) error
}{plans, users, tokens, subscriptions, payments, invoices, creditNotes, webhookLogs, wallets, topUps, paymentMethods, notifications, idempotency, organizations, coupons, endpoints,
	sessions, portalLinks, figures}

// ---- core.Tx

func (t *tx) Plans() core.PlanRepo                       { return planRepo{t} }
func (t *tx) Users() core.UserRepo                       { return userRepo{t} }
func (t *tx) Tokens() core.TokenRepo                     { return tokenRepo{t} }
func (t *tx) Subscriptions() core.SubscriptionRepo       { return subRepo{t} }
func (t *tx) Payments() core.PaymentRepo                 { return payRepo{t} }
func (t *tx) Invoices() core.InvoiceRepo                 { return invRepo{t} }
func (t *tx) CreditNotes() core.CreditNoteRepo           { return creditNoteRepo{t} }
func (t *tx) WebhookLogs() core.WebhookLogRepo           { return hookRepo{t} }
func (t *tx) Wallets() core.WalletRepo                   { return walletRepo{t} }
func (t *tx) TopUps() core.TopUpRepo                     { return topUpRepo{t} }
func (t *tx) PaymentMethods() core.PaymentMethodRepo     { return methodRepo{t} }
func (t *tx) Notifications() core.NotificationRepo       { return notifRepo{t} }
func (t *tx) Outbox() core.Outbox                        { return outboxRepo{t} }
func (t *tx) Idempotency() core.IdempotencyRepo          { return idemRepo{t} }
func (t *tx) Meta() core.MetaRepo                        { return metaRepo{t} }
func (t *tx) Organizations() core.OrganizationRepo       { return orgRepo{t} }
func (t *tx) Coupons() core.CouponRepo                   { return couponRepo{t} }
func (t *tx) WebhookEndpoints() core.WebhookEndpointRepo { return endpointRepo{t} }
func (t *tx) Figures() core.FigureRepo                   { return figureRepo{t} }
func (t *tx) Sessions() core.SessionRepo                 { return sessionRepo{t} }
func (t *tx) PortalLinks() core.PortalLinkRepo           { return portalLinkRepo{t} }

var _ core.Tx = (*tx)(nil)

// ---- plans

type planRepo struct{ t *tx }

func (r planRepo) Get(id string) (core.Plan, error) { return plans.get(r.t, id) }
func (r planRepo) Put(p core.Plan) error            { return plans.put(r.t, &p) }

func (r planRepo) GetBySlug(slug string) (core.Plan, error) {
	return plans.getUnique(r.t, bPlanSlug, hashKey(slug), "with slug "+slug,
		func(p core.Plan) bool { return p.Slug == slug })
}

// List answers plans in id order; callers sort for display.
func (r planRepo) List() ([]core.Plan, error) {
	var out []core.Plan
	err := plans.all(r.t, nil, func(p core.Plan) bool { out = append(out, p); return true })
	return out, err
}

// ---- users, tokens

type userRepo struct{ t *tx }

func (r userRepo) Get(id string) (core.User, error) { return users.get(r.t, id) }
func (r userRepo) Put(u core.User) error            { return users.put(r.t, &u) }

func (r userRepo) GetByUsername(username string) (core.User, error) {
	return users.getUnique(r.t, bUserName, usernameKey(username), "with username "+username,
		func(u core.User) bool { return core.NormalizeUsername(u.Username) == core.NormalizeUsername(username) })
}

func (r userRepo) Count() (int, error) { return count(r.t.b(bUsers)), nil }

func (r userRepo) ListAdmins() ([]core.User, error) {
	return users.list(r.t, bUserAdmin, nil, func(u *core.User) bool { return u.IsAdmin })
}

type tokenRepo struct{ t *tx }

func (r tokenRepo) Get(id string) (core.Token, error) { return tokens.get(r.t, id) }
func (r tokenRepo) Put(t core.Token) error            { return tokens.put(r.t, &t) }
func (r tokenRepo) Delete(id string) error            { return tokens.del(r.t, id) }

// ListByUser answers a user's tokens, oldest first.
func (r tokenRepo) ListByUser(userID string) ([]core.Token, error) {
	return tokens.list(r.t, bTokenUser, idKey(userID), func(t *core.Token) bool { return t.UserID == userID })
}

func (r tokenRepo) GetByHash(hash string) (core.Token, error) {
	return tokens.first(r.t, bTokenHash, hashKey(hash), "with this hash",
		func(t core.Token) bool { return t.Hash == hash })
}

// ---- subscriptions

type subRepo struct{ t *tx }

func (r subRepo) Get(id string) (core.Subscription, error) { return subscriptions.get(r.t, id) }
func (r subRepo) Put(s core.Subscription) error            { return subscriptions.put(r.t, &s) }

func (r subRepo) GetByNativeID(id string) (core.Subscription, error) {
	return subscriptions.first(r.t, bSubNative, hashKey(id), "with midtrans id "+id,
		func(s core.Subscription) bool { return s.MidtransSubscriptionID == id })
}

// ListByOwner answers oldest first.
func (r subRepo) ListByOwner(ownerID string) ([]core.Subscription, error) {
	return subscriptions.list(r.t, bSubOwner, idKey(ownerID),
		func(s *core.Subscription) bool { return s.OwnerID == ownerID })
}

func (r subRepo) ScanDue(at time.Time, fn func(core.Subscription) bool) error {
	return subscriptions.scan(r.t, bSubDue, nil, prefixEnd(tsKey(at)), false, fn)
}

func (r subRepo) ScanDueAfter(t, at time.Time, afterID string, fn func(core.Subscription) bool) error {
	// The first key above (at, afterID)'s own.
	start := append(timeKey(at, idKey(afterID)), 0)
	return subscriptions.scan(r.t, bSubDue, start, prefixEnd(tsKey(t)), false, fn)
}

func (r subRepo) ScanAll(afterID string, fn func(core.Subscription) bool) error {
	var start []byte
	if afterID != "" {
		start = append(idKey(afterID), 0) // the first key above afterID's
	}
	return subscriptions.all(r.t, start, fn)
}

// ScanByStatus visits the subscriptions in status st, in id order.
func (r subRepo) ScanByStatus(st core.SubscriptionStatus, fn func(core.Subscription) bool) error {
	prefix := statusKey(string(st), nil)
	return subscriptions.scan(r.t, bSubStatus, prefix, prefixEnd(prefix), false, func(s core.Subscription) bool {
		return s.Status != st || fn(s)
	})
}

// CountOwners walks the owner index, which holds each owner's
// subscriptions together, and asks the status index about each one: an
// owner counts once, when its first subscription in status st is met.
// Nothing is decoded and only the last owner counted is kept.
func (r subRepo) CountOwners(st core.SubscriptionStatus) (int, error) {
	status := r.t.b(bSubStatus)
	key := statusKey(string(st), make([]byte, idLen))
	pk := key[len(key)-idLen:]
	var last []byte
	n := 0
	c := r.t.b(bSubOwner).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) < idLen+tsLen+idLen {
			return 0, fmt.Errorf("bolt: malformed owner index key %x", k)
		}
		owner := k[:idLen]
		if last != nil && bytes.Equal(owner, last) {
			continue
		}
		copy(pk, k[len(k)-idLen:])
		if status.Get(key) == nil {
			continue
		}
		last = append(last[:0], owner...)
		n++
	}
	return n, nil
}

// CountByStatus counts status index keys without decoding a record.
func (r subRepo) CountByStatus() (map[core.SubscriptionStatus]int, error) {
	out := map[core.SubscriptionStatus]int{}
	c := r.t.b(bSubStatus).Cursor()
	var cur []byte
	var st core.SubscriptionStatus
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n := int(k[0])
		if len(k) < 1+n {
			return nil, fmt.Errorf("bolt: malformed status index key %x", k)
		}
		if !bytes.Equal(cur, k[1:1+n]) {
			cur = bytes.Clone(k[1 : 1+n])
			st = core.SubscriptionStatus(cur)
		}
		out[st]++
	}
	return out, nil
}

// ---- payments

type payRepo struct{ t *tx }

func (r payRepo) Get(id string) (core.Payment, error) { return payments.get(r.t, id) }
func (r payRepo) Put(p core.Payment) error            { return payments.put(r.t, &p) }

func (r payRepo) GetByOrderID(orderID string) (core.Payment, error) {
	return payments.getUnique(r.t, bPayOrder, hashKey(orderID), "with order id "+orderID,
		func(p core.Payment) bool { return p.OrderID == orderID })
}

// ListByOwner and ListBySubscription answer oldest first.
func (r payRepo) ListByOwner(ownerID string) ([]core.Payment, error) {
	return payments.list(r.t, bPayOwner, idKey(ownerID), func(p *core.Payment) bool { return p.OwnerID == ownerID })
}

func (r payRepo) ListBySubscription(id string) ([]core.Payment, error) {
	return payments.list(r.t, bPaySub, idKey(id), func(p *core.Payment) bool { return p.SubscriptionID == id })
}

func (r payRepo) ScanOpen(fn func(core.Payment) bool) error {
	return payments.scan(r.t, bPayOpen, nil, nil, false, fn)
}

func (r payRepo) ScanRefundCheck(at time.Time, fn func(core.Payment) bool) error {
	return payments.scan(r.t, bPayRefundCheck, nil, prefixEnd(tsKey(at)), false, fn)
}

func (r payRepo) ScanRefunding(fn func(core.Payment) bool) error {
	return payments.scan(r.t, bPayRefunding, nil, nil, false, fn)
}

// ---- invoices

type invRepo struct{ t *tx }

func (r invRepo) Get(id string) (core.Invoice, error) { return invoices.get(r.t, id) }
func (r invRepo) Put(v core.Invoice) error            { return invoices.put(r.t, &v) }

func (r invRepo) GetByKey(subscriptionID, key string) (core.Invoice, error) {
	return invoices.getUnique(r.t, bInvKey, invoiceKey(subscriptionID, key), key+" of subscription "+subscriptionID,
		func(v core.Invoice) bool { return v.SubscriptionID == subscriptionID && v.Key == key })
}

func (r invRepo) ListByOwner(ownerID string) ([]core.Invoice, error) {
	return invoices.list(r.t, bInvOwner, idKey(ownerID), func(v *core.Invoice) bool { return v.OwnerID == ownerID })
}

func (r invRepo) ListBySubscription(id string) ([]core.Invoice, error) {
	return invoices.list(r.t, bInvSub, idKey(id), func(v *core.Invoice) bool { return v.SubscriptionID == id })
}

// ScanOpenDue visits open invoices due strictly before at, earliest first.
func (r invRepo) ScanOpenDue(at time.Time, fn func(core.Invoice) bool) error {
	return invoices.scan(r.t, bInvOpenDue, nil, tsKey(at), false, fn)
}

// ---- credit notes

type creditNoteRepo struct{ t *tx }

func (r creditNoteRepo) Get(id string) (core.CreditNote, error) { return creditNotes.get(r.t, id) }
func (r creditNoteRepo) Put(n core.CreditNote) error            { return creditNotes.put(r.t, &n) }

func (r creditNoteRepo) ListByInvoice(id string) ([]core.CreditNote, error) {
	return creditNotes.list(r.t, bCNInvoice, idKey(id), func(n *core.CreditNote) bool { return n.InvoiceID == id })
}

func (r creditNoteRepo) ListByOwner(id string) ([]core.CreditNote, error) {
	return creditNotes.list(r.t, bCNOwner, idKey(id), func(n *core.CreditNote) bool { return n.OwnerID == id })
}

// ScanIssued visits credit notes issued in [from, to), earliest first.
func (r creditNoteRepo) ScanIssued(from, to time.Time, fn func(core.CreditNote) bool) error {
	var start, end []byte
	if !from.IsZero() {
		start = tsKey(from)
	}
	if !to.IsZero() {
		end = tsKey(to)
	}
	return creditNotes.scan(r.t, bCNIssued, start, end, false, fn)
}

// ---- webhook logs

type hookRepo struct{ t *tx }

func (r hookRepo) Get(id string) (core.WebhookLog, error) { return webhookLogs.get(r.t, id) }
func (r hookRepo) Put(w core.WebhookLog) error            { return webhookLogs.put(r.t, &w) }

// ScanReceived visits logs in status received, oldest first.
func (r hookRepo) ScanReceived(fn func(core.WebhookLog) bool) error {
	return webhookLogs.scan(r.t, bHookPending, nil, nil, false, fn)
}

// List answers the newest limit logs, newest first; limit <= 0 means all.
func (r hookRepo) List(limit int) ([]core.WebhookLog, error) {
	var out []core.WebhookLog
	err := webhookLogs.scan(r.t, bHookReceived, nil, nil, true, func(w core.WebhookLog) bool {
		out = append(out, w)
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

// ListByOrder answers the logs naming orderID, oldest first.
func (r hookRepo) ListByOrder(orderID string) ([]core.WebhookLog, error) {
	if orderID == "" {
		return nil, nil
	}
	return webhookLogs.list(r.t, bHookOrder, hashKey(orderID), func(w *core.WebhookLog) bool { return w.OrderID == orderID })
}

func (r hookRepo) Delete(id string) error { return webhookLogs.del(r.t, id) }

// DeleteReceivedBefore deletes up to max logs (max <= 0: no limit)
// received before t, oldest first, and reports how many.
func (r hookRepo) DeleteReceivedBefore(t time.Time, max int) (int, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	var ids []string
	err := webhookLogs.scan(r.t, bHookReceived, nil, tsKey(t), false, func(w core.WebhookLog) bool {
		if !w.ReceivedAt.Before(t) {
			return false
		}
		ids = append(ids, w.ID)
		return max <= 0 || len(ids) < max
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := webhookLogs.del(r.t, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// MarkApplied keys an event of a payment under that payment's primary
// key, which is time-ordered: the notifications arriving together are for
// payments created about together, so their marks share a few leaf pages
// instead of each rewriting a random page of the set. Any other event is
// keyed by the sha256 of its key, as were every mark made before this
// layout and every mark a restore copies; that key is looked up first, so
// none of them is ever missed.
func (r hookRepo) MarkApplied(eventKey, paymentID string) (bool, error) {
	if err := r.t.writable(); err != nil {
		return false, err
	}
	b, hashed := r.t.b(bHookApplied), hashKey(eventKey)
	if b.Get(hashed) != nil {
		return false, nil
	}
	k := hashed
	if paymentID != "" {
		k = cat([]byte{appliedByPayment}, payments.pk(paymentID), hashed[:idLen])
		if b.Get(k) != nil {
			return false, nil
		}
	}
	// The value is the event key itself: readable when debugging, never
	// empty, and what an export carries.
	return true, b.Put(k, []byte(eventKey))
}

// appliedByPayment leads an applied-set key made of a payment's primary
// key: such keys are 33 bytes long, never equal to a 32-byte hash.
const appliedByPayment = 'p'

// ---- wallets

type walletRepo struct{ t *tx }

func (r walletRepo) Get(id string) (core.Wallet, error) { return wallets.get(r.t, id) }
func (r walletRepo) Put(w core.Wallet) error            { return wallets.put(r.t, &w) }

// GetByOwner answers the owner's oldest wallet.
func (r walletRepo) GetByOwner(ownerID string) (core.Wallet, error) {
	return wallets.first(r.t, bWalletOwner, idKey(ownerID), "of owner "+ownerID,
		func(w core.Wallet) bool { return w.OwnerID == ownerID })
}

func (r walletRepo) ScanAll(fn func(core.Wallet) bool) error { return wallets.all(r.t, nil, fn) }

func entryKey(walletID string, seq int) []byte {
	k := make([]byte, idLen+8)
	putID(k, walletID)
	binary.BigEndian.PutUint64(k[idLen:], uint64(seq))
	return k
}

// AppendEntry stores e under (wallet, seq). The ledger is append-only: a
// second entry with the same sequence is refused with ErrConflict.
func (r walletRepo) AppendEntry(e core.WalletEntry) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if e.WalletID == "" || e.Seq < 0 {
		return core.Invalidf("wallet entry needs a wallet id and a sequence >= 0")
	}
	b, k := r.t.b(bWalletEntries), entryKey(e.WalletID, e.Seq)
	if b.Get(k) != nil {
		return core.Conflictf("wallet %s already has entry %d", e.WalletID, e.Seq)
	}
	raw, err := records.Marshal(records.EntryToRecord(&e))
	if err != nil {
		return fmt.Errorf("%w: encode wallet entry: %v", core.ErrInvalid, err)
	}
	return b.Put(k, raw)
}

// Entries answers the wallet's ledger in sequence order.
func (r walletRepo) Entries(walletID string) ([]core.WalletEntry, error) {
	var out []core.WalletEntry
	p := idKey(walletID)
	err := iterate(r.t.b(bWalletEntries), p, prefixEnd(p), false, func(k, v []byte) (bool, error) {
		e, err := records.EntryFromRecord(v)
		if err != nil {
			return false, fmt.Errorf("bolt: decode wallet entry %x: %w", k, err)
		}
		if e.WalletID == walletID {
			out = append(out, e)
		}
		return true, nil
	})
	return out, err
}

// ---- top-ups, payment methods

type topUpRepo struct{ t *tx }

func (r topUpRepo) Get(id string) (core.TopUp, error) { return topUps.get(r.t, id) }
func (r topUpRepo) Put(t core.TopUp) error            { return topUps.put(r.t, &t) }
func (r topUpRepo) ListByOwner(ownerID string) ([]core.TopUp, error) {
	return topUps.list(r.t, bTopUpOwner, idKey(ownerID), func(t *core.TopUp) bool { return t.OwnerID == ownerID })
}

type methodRepo struct{ t *tx }

func (r methodRepo) Get(id string) (core.PaymentMethod, error) { return paymentMethods.get(r.t, id) }
func (r methodRepo) Put(m core.PaymentMethod) error            { return paymentMethods.put(r.t, &m) }
func (r methodRepo) Delete(id string) error                    { return paymentMethods.del(r.t, id) }

func (r methodRepo) GetByAccountID(accountID string) (core.PaymentMethod, error) {
	return paymentMethods.first(r.t, bMethodAccount, hashKey(accountID), "with account id "+accountID,
		func(m core.PaymentMethod) bool { return m.AccountID == accountID })
}

func (r methodRepo) ListByOwner(ownerID string) ([]core.PaymentMethod, error) {
	return paymentMethods.list(r.t, bMethodOwner, idKey(ownerID),
		func(m *core.PaymentMethod) bool { return m.OwnerID == ownerID })
}

// ---- notifications

type notifRepo struct{ t *tx }

func (r notifRepo) Get(id string) (core.Notification, error) { return notifications.get(r.t, id) }
func (r notifRepo) Put(n core.Notification) error            { return notifications.put(r.t, &n) }

func (r notifRepo) ListByUser(userID string) ([]core.Notification, error) {
	return notifications.list(r.t, bNotifUser, idKey(userID),
		func(n *core.Notification) bool { return n.UserID == userID })
}

func (r notifRepo) ListByRecipient(recipient string) ([]core.Notification, error) {
	return notifications.list(r.t, bNotifRecipient, hashKey(recipient),
		func(n *core.Notification) bool { return n.Recipient == recipient })
}

func (r notifRepo) ScanQueued(at time.Time, fn func(core.Notification) bool) error {
	return notifications.scan(r.t, bNotifQueued, nil, prefixEnd(tsKey(at)), false, fn)
}

// ---- outbox

type outboxRepo struct{ t *tx }

// Append numbers events from the meta counter "outbox", so a rolled-back
// append gives its number back and numbers never repeat after Delete.
func (r outboxRepo) Append(e core.Event) (uint64, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	seq, err := nextSequence(r.t, outboxCounter)
	if err != nil {
		return 0, err
	}
	e.Seq = seq
	raw, err := records.Marshal(records.EventToRecord(&e))
	if err != nil {
		return 0, fmt.Errorf("%w: encode event %s: %v", core.ErrInvalid, e.Type, err)
	}
	return seq, r.t.b(bOutbox).Put(u64Key(seq), raw)
}

func (r outboxRepo) Scan(fn func(core.Event) bool) error {
	return iterate(r.t.b(bOutbox), nil, nil, false, func(k, v []byte) (bool, error) {
		e, err := records.EventFromRecord(v)
		if err != nil {
			return false, fmt.Errorf("bolt: decode event %x: %w", k, err)
		}
		return fn(e), nil
	})
}

// Delete is idempotent: the relay delivers at least once and may delete twice.
func (r outboxRepo) Delete(seq uint64) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	return r.t.b(bOutbox).Delete(u64Key(seq))
}

func (r outboxRepo) Len() (int, error) { return count(r.t.b(bOutbox)), nil }

func (r outboxRepo) Has(seq uint64) (bool, error) { return r.t.b(bOutbox).Get(u64Key(seq)) != nil, nil }

// ---- idempotency

type idemRepo struct{ t *tx }

func (r idemRepo) Get(key string) (core.IdempotencyRecord, error) { return idempotency.get(r.t, key) }
func (r idemRepo) Put(rec core.IdempotencyRecord) error           { return idempotency.put(r.t, &rec) }

// DeleteExpired deletes up to max records (max <= 0: no limit) whose
// ExpiresAt is not after at, earliest first, and reports how many.
func (r idemRepo) DeleteExpired(at time.Time, max int) (int, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	var keys []string
	err := idempotency.scan(r.t, bIdemExpiry, nil, prefixEnd(tsKey(at)), false, func(rec core.IdempotencyRecord) bool {
		keys = append(keys, rec.Key)
		return max <= 0 || len(keys) < max
	})
	if err != nil {
		return 0, err
	}
	// Collected first, deleted after: never delete under a live cursor.
	for _, k := range keys {
		if err := idempotency.del(r.t, k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// ---- sessions, portal links

type sessionRepo struct{ t *tx }

func (r sessionRepo) Get(id string) (core.Session, error) { return sessions.get(r.t, id) }
func (r sessionRepo) Put(s core.Session) error            { return sessions.put(r.t, &s) }
func (r sessionRepo) Delete(id string) error              { return sessions.del(r.t, id) }

func (r sessionRepo) GetByHash(hash string) (core.Session, error) {
	return sessions.getUnique(r.t, bSessionHash, hashKey(hash), "with this hash",
		func(s core.Session) bool { return s.Hash == hash && hash != "" })
}

// ListByUser answers a user's sessions, oldest first.
func (r sessionRepo) ListByUser(userID string) ([]core.Session, error) {
	return sessions.list(r.t, bSessionUser, idKey(userID), func(s *core.Session) bool { return s.UserID == userID })
}

func (r sessionRepo) DeleteExpired(at time.Time, max int) (int, error) {
	return deleteExpired(r.t, sessions, bSessionExpiry, at, max, func(s core.Session) bool { return !s.ExpiresAt.After(at) })
}

type portalLinkRepo struct{ t *tx }

func (r portalLinkRepo) Get(id string) (core.PortalLink, error) { return portalLinks.get(r.t, id) }
func (r portalLinkRepo) Put(l core.PortalLink) error            { return portalLinks.put(r.t, &l) }

func (r portalLinkRepo) GetByHash(hash string) (core.PortalLink, error) {
	return portalLinks.getUnique(r.t, bPortalLinkHash, hashKey(hash), "with this hash",
		func(l core.PortalLink) bool { return l.Hash == hash && hash != "" })
}

func (r portalLinkRepo) DeleteExpired(at time.Time, max int) (int, error) {
	return deleteExpired(r.t, portalLinks, bPortalLinkExpiry, at, max, func(l core.PortalLink) bool { return !l.ExpiresAt.After(at) })
}

// deleteExpired deletes up to max records (max <= 0: no limit) of tb whose
// expiry index entry is not after at, earliest first. expired re-checks
// the record: index keys hold nanoseconds, so the bound is exact anyway.
func deleteExpired[T any](t *tx, tb *table[T], ix bucketID, at time.Time, max int, expired func(T) bool) (int, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	var ids []string
	err := tb.scan(t, ix, nil, prefixEnd(tsKey(at)), false, func(v T) bool {
		if expired(v) {
			ids = append(ids, tb.id(v))
		}
		return max <= 0 || len(ids) < max
	})
	if err != nil {
		return 0, err
	}
	// Collected first, deleted after: never delete under a live cursor.
	for _, id := range ids {
		if err := tb.del(t, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// ---- meta

const (
	metaSchemaVersion = "schema_version"
	metaSeqPrefix     = "seq/"
	metaTimePrefix    = "time/"
	metaWritable      = "writable_probe"
	outboxCounter     = "\x00outbox" // cannot clash with a caller's name after the prefix
)

type metaRepo struct{ t *tx }

func (r metaRepo) NextSequence(name string) (uint64, error) { return nextSequence(r.t, name) }

// nextSequence keeps the counter in the meta bucket, written in the same
// transaction: a rollback takes the number back, so sequences are gapless
// over committed transactions.
func nextSequence(t *tx, name string) (uint64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	b, k := t.b(bMeta), []byte(metaSeqPrefix+name)
	var n uint64
	if v := b.Get(k); v != nil {
		if len(v) != 8 {
			return 0, fmt.Errorf("bolt: meta counter %q is malformed", name)
		}
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, b.Put(k, u64Key(n))
}

func (r metaRepo) GetTime(name string) (time.Time, bool, error) {
	v := r.t.b(bMeta).Get([]byte(metaTimePrefix + name))
	if v == nil {
		return time.Time{}, false, nil
	}
	var at time.Time
	if err := at.UnmarshalText(v); err != nil {
		return time.Time{}, false, fmt.Errorf("bolt: meta time %q: %w", name, err)
	}
	return at, true, nil
}

func (r metaRepo) PutTime(name string, at time.Time) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	v, err := records.UTC(at).MarshalText()
	if err != nil {
		return fmt.Errorf("%w: meta time %q: %v", core.ErrInvalid, name, err)
	}
	return r.t.b(bMeta).Put([]byte(metaTimePrefix+name), v)
}

// count walks keys only; no value is decoded or copied.
func count(b kvBucket) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}
