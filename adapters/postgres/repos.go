package postgres

import (
	"time"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

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

// Lists "by owner" (and by subscription, user, recipient) answer oldest
// first, ties in id order; an empty key lists nothing, as it is not
// indexed in the bbolt store either.
const byCreated = "created_at, id"

// ---- plans

type planRepo struct{ t *tx }

func (r planRepo) Get(id string) (core.Plan, error) { return plans.get(r.t, id) }
func (r planRepo) Put(p core.Plan) error            { return plans.put(r.t, &p) }

func (r planRepo) GetBySlug(slug string) (core.Plan, error) {
	return plans.first(r.t, "with slug "+slug, "slug = $1", "id", slug)
}

// List answers plans in id order; callers sort for display.
func (r planRepo) List() ([]core.Plan, error) { return plans.list(r.t, "", "id") }

// ---- users, tokens

type userRepo struct{ t *tx }

func (r userRepo) Get(id string) (core.User, error) { return users.get(r.t, id) }
func (r userRepo) Put(u core.User) error            { return users.put(r.t, &u) }

func (r userRepo) GetByUsername(username string) (core.User, error) {
	return users.first(r.t, "with username "+username, "username = $1", "id", core.NormalizeUsername(username))
}

func (r userRepo) Count() (int, error) {
	var n int
	err := r.t.queryRow("count users", "SELECT count(*) FROM users", nil, &n)
	return n, err
}

func (r userRepo) ListAdmins() ([]core.User, error) { return users.list(r.t, "is_admin", "id") }

type tokenRepo struct{ t *tx }

func (r tokenRepo) Get(id string) (core.Token, error) { return tokens.get(r.t, id) }
func (r tokenRepo) Put(t core.Token) error            { return tokens.put(r.t, &t) }
func (r tokenRepo) Delete(id string) error            { return tokens.del(r.t, id) }

// ListByUser answers a user's tokens, oldest first.
func (r tokenRepo) ListByUser(userID string) ([]core.Token, error) {
	if userID == "" {
		return nil, nil
	}
	return tokens.list(r.t, "user_id = $1", byCreated, userID)
}

func (r tokenRepo) GetByHash(hash string) (core.Token, error) {
	if hash == "" {
		return core.Token{}, notFound("token", "with this hash")
	}
	return tokens.first(r.t, "with this hash", "hash = $1", "id", hash)
}

// ---- subscriptions

type subRepo struct{ t *tx }

func (r subRepo) Get(id string) (core.Subscription, error) { return subscriptions.get(r.t, id) }
func (r subRepo) Put(s core.Subscription) error            { return subscriptions.put(r.t, &s) }

func (r subRepo) GetByNativeID(id string) (core.Subscription, error) {
	if id == "" {
		return core.Subscription{}, notFound("subscription", "with an empty midtrans id")
	}
	return subscriptions.first(r.t, "with midtrans id "+id, "native_id = $1", "id", id)
}

func (r subRepo) ListByOwner(ownerID string) ([]core.Subscription, error) {
	if ownerID == "" {
		return nil, nil
	}
	return subscriptions.list(r.t, "owner_id = $1", byCreated, ownerID)
}

func (r subRepo) ScanDue(at time.Time, fn func(core.Subscription) bool) error {
	return subscriptions.scan(r.t, "next_action_at <= $1", "next_action_at, id", []any{ts(at)},
		func(s *core.Subscription) bool { return !s.NextActionAt.After(at) }, fn)
}

func (r subRepo) ScanDueAfter(t, at time.Time, afterID string, fn func(core.Subscription) bool) error {
	if !storable(afterID) {
		return core.Invalidf("subscription id %q is not storable text", afterID)
	}
	return subscriptions.scan(r.t, "next_action_at <= $1 AND (next_action_at, id) > ($2, $3)", "next_action_at, id",
		[]any{ts(t), ts(at), afterID}, func(s *core.Subscription) bool { return !s.NextActionAt.After(t) }, fn)
}

// ScanAll visits in id order; every id sorts after "".
func (r subRepo) ScanAll(afterID string, fn func(core.Subscription) bool) error {
	if !storable(afterID) {
		return core.Invalidf("subscription id %q is not storable text", afterID)
	}
	return subscriptions.scan(r.t, "id > $1", "id", []any{afterID}, nil, fn)
}

// ScanByStatus visits the subscriptions in status st, in id order.
func (r subRepo) ScanByStatus(st core.SubscriptionStatus, fn func(core.Subscription) bool) error {
	return subscriptions.scan(r.t, "status = $1", "id", []any{string(st)},
		func(s *core.Subscription) bool { return s.Status == st }, fn)
}

func (r subRepo) CountOwners(st core.SubscriptionStatus) (int, error) {
	var n int
	// A subscription without an owner has nobody to count (the bbolt
	// store does not index it by owner either).
	err := r.t.q.QueryRow(r.t.ctx, "SELECT count(DISTINCT owner_id) FROM subscriptions WHERE status = $1 AND owner_id <> ''", string(st)).Scan(&n)
	return n, r.t.fail(err, "count subscription owners")
}

func (r subRepo) CountByStatus() (map[core.SubscriptionStatus]int, error) {
	rows, err := r.t.q.Query(r.t.ctx, "SELECT status, count(*) FROM subscriptions GROUP BY status")
	if err != nil {
		return nil, r.t.fail(err, "count subscriptions by status")
	}
	defer rows.Close()
	out := map[core.SubscriptionStatus]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, r.t.fail(err, "count subscriptions by status")
		}
		out[core.SubscriptionStatus(st)] = n
	}
	return out, r.t.fail(rows.Err(), "count subscriptions by status")
}

// ---- payments

type payRepo struct{ t *tx }

func (r payRepo) Get(id string) (core.Payment, error) { return payments.get(r.t, id) }
func (r payRepo) Put(p core.Payment) error            { return payments.put(r.t, &p) }

func (r payRepo) GetByOrderID(orderID string) (core.Payment, error) {
	return payments.first(r.t, "with order id "+orderID, "order_id = $1", "id", orderID)
}

func (r payRepo) ListByOwner(ownerID string) ([]core.Payment, error) {
	if ownerID == "" {
		return nil, nil
	}
	return payments.list(r.t, "owner_id = $1", byCreated, ownerID)
}

func (r payRepo) ListBySubscription(id string) ([]core.Payment, error) {
	if id == "" {
		return nil, nil
	}
	return payments.list(r.t, "subscription_id = $1", byCreated, id)
}

func (r payRepo) ScanOpen(fn func(core.Payment) bool) error {
	return payments.scan(r.t, "open", byCreated, nil, nil, fn)
}

func (r payRepo) ScanRefundCheck(at time.Time, fn func(core.Payment) bool) error {
	return payments.scan(r.t, "refund_check_at <= $1", "refund_check_at, id", []any{ts(at)},
		func(p *core.Payment) bool { return !p.RefundCheckAt.IsZero() && !p.RefundCheckAt.After(at) }, fn)
}

func (r payRepo) ScanRefunding(fn func(core.Payment) bool) error {
	return payments.scan(r.t, "refunding", byCreated, nil, nil, fn)
}

// ---- invoices

type invRepo struct{ t *tx }

func (r invRepo) Get(id string) (core.Invoice, error) { return invoices.get(r.t, id) }
func (r invRepo) Put(v core.Invoice) error            { return invoices.put(r.t, &v) }

func (r invRepo) GetByKey(subscriptionID, key string) (core.Invoice, error) {
	return invoices.first(r.t, key+" of subscription "+subscriptionID, "subscription_id = $1 AND key = $2", "id", subscriptionID, key)
}

func (r invRepo) ListByOwner(ownerID string) ([]core.Invoice, error) {
	if ownerID == "" {
		return nil, nil
	}
	return invoices.list(r.t, "owner_id = $1", byCreated, ownerID)
}

func (r invRepo) ListBySubscription(id string) ([]core.Invoice, error) {
	if id == "" {
		return nil, nil
	}
	return invoices.list(r.t, "subscription_id = $1", byCreated, id)
}

// ScanOpenDue visits open invoices due strictly before at, earliest first.
func (r invRepo) ScanOpenDue(at time.Time, fn func(core.Invoice) bool) error {
	return invoices.scan(r.t, "open_due <= $1", "open_due, id", []any{ts(at)},
		func(v *core.Invoice) bool { return v.DueDate.Before(at) }, fn)
}

// ---- credit notes

type creditNoteRepo struct{ t *tx }

func (r creditNoteRepo) Get(id string) (core.CreditNote, error) { return creditNotes.get(r.t, id) }
func (r creditNoteRepo) Put(n core.CreditNote) error            { return creditNotes.put(r.t, &n) }

func (r creditNoteRepo) ListByInvoice(id string) ([]core.CreditNote, error) {
	if id == "" {
		return nil, nil
	}
	return creditNotes.list(r.t, "invoice_id = $1", byCreated, id)
}

func (r creditNoteRepo) ListByOwner(id string) ([]core.CreditNote, error) {
	if id == "" {
		return nil, nil
	}
	return creditNotes.list(r.t, "owner_id = $1", byCreated, id)
}

// ScanIssued visits credit notes issued in [from, to), earliest first.
func (r creditNoteRepo) ScanIssued(from, to time.Time, fn func(core.CreditNote) bool) error {
	where, args := "issued_at >= $1", []any{ts(from)}
	if !to.IsZero() {
		where, args = where+" AND issued_at < $2", append(args, ts(to))
	}
	return creditNotes.scan(r.t, where, "issued_at, id", args, nil, fn)
}

// ---- webhook logs

type hookRepo struct{ t *tx }

func (r hookRepo) Get(id string) (core.WebhookLog, error) { return webhookLogs.get(r.t, id) }
func (r hookRepo) Put(w core.WebhookLog) error            { return webhookLogs.put(r.t, &w) }

// ScanReceived visits logs in status received, oldest first.
func (r hookRepo) ScanReceived(fn func(core.WebhookLog) bool) error {
	return webhookLogs.scan(r.t, "pending", "received_at, id", nil, nil, fn)
}

// List answers the newest limit logs, newest first; limit <= 0 means all.
func (r hookRepo) List(limit int) ([]core.WebhookLog, error) {
	var max any // NULL: LIMIT ALL
	if limit > 0 {
		max = limit
	}
	return webhookLogs.list(r.t, "", "received_at DESC, id DESC LIMIT $1", max)
}

// ListByOrder answers the logs naming orderID, oldest first.
func (r hookRepo) ListByOrder(orderID string) ([]core.WebhookLog, error) {
	if orderID == "" {
		return nil, nil
	}
	return webhookLogs.list(r.t, "order_id = $1", "received_at, id", orderID)
}

func (r hookRepo) Delete(id string) error { return webhookLogs.del(r.t, id) }

// DeleteReceivedBefore deletes up to max logs (max <= 0: no limit)
// received before at, oldest first, and reports how many.
func (r hookRepo) DeleteReceivedBefore(at time.Time, max int) (int, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	var limit any // NULL: LIMIT ALL
	if max > 0 {
		limit = max
	}
	tag, err := r.t.exec("delete old webhook logs", `DELETE FROM webhook_logs WHERE id IN (
		SELECT id FROM webhook_logs WHERE received_at < $1 ORDER BY received_at, id LIMIT $2)`, ts(at), limit)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// MarkApplied keeps every mark in one table, whatever payment it is of.
func (r hookRepo) MarkApplied(eventKey, _ string) (bool, error) {
	if err := r.t.writable(); err != nil {
		return false, err
	}
	if !storable(eventKey) {
		return false, core.Invalidf("webhook event key %q is not storable text", eventKey)
	}
	tag, err := r.t.exec("mark webhook event applied",
		"INSERT INTO webhook_applied (event_key) VALUES ($1) ON CONFLICT DO NOTHING", eventKey)
	return err == nil && tag.RowsAffected() == 1, err
}

// ---- wallets

type walletRepo struct{ t *tx }

func (r walletRepo) Get(id string) (core.Wallet, error) { return wallets.get(r.t, id) }
func (r walletRepo) Put(w core.Wallet) error            { return wallets.put(r.t, &w) }

// GetByOwner answers the owner's oldest wallet.
func (r walletRepo) GetByOwner(ownerID string) (core.Wallet, error) {
	if ownerID == "" {
		return core.Wallet{}, notFound("wallet", "of no owner")
	}
	return wallets.first(r.t, "of owner "+ownerID, "owner_id = $1", byCreated, ownerID)
}

func (r walletRepo) ScanAll(fn func(core.Wallet) bool) error {
	return wallets.scan(r.t, "", "id", nil, nil, fn)
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
	if !storable(e.WalletID) {
		return core.Invalidf("wallet id %q is not storable text", e.WalletID)
	}
	raw, err := encodeRecord("wallet entry", e.ID, records.EntryToRecord(&e))
	if err != nil {
		return err
	}
	tag, err := r.t.exec("append wallet entry",
		"INSERT INTO wallet_entries (wallet_id, seq, record) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		e.WalletID, e.Seq, raw)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return core.Conflictf("wallet %s already has entry %d", e.WalletID, e.Seq)
	}
	return nil
}

// Entries answers the wallet's ledger in sequence order.
func (r walletRepo) Entries(walletID string) ([]core.WalletEntry, error) {
	if !storable(walletID) {
		return nil, nil
	}
	raws, err := r.t.rows("wallet entries", "SELECT record FROM wallet_entries WHERE wallet_id = $1 ORDER BY seq", walletID)
	if err != nil {
		return nil, err
	}
	var out []core.WalletEntry
	for _, raw := range raws {
		e, err := records.EntryFromRecord(raw)
		if err != nil {
			return nil, dbErr(err, "decode wallet entry of "+walletID)
		}
		out = append(out, e)
	}
	return out, nil
}

// ---- top-ups, payment methods

type topUpRepo struct{ t *tx }

func (r topUpRepo) Get(id string) (core.TopUp, error) { return topUps.get(r.t, id) }
func (r topUpRepo) Put(t core.TopUp) error            { return topUps.put(r.t, &t) }

func (r topUpRepo) ListByOwner(ownerID string) ([]core.TopUp, error) {
	if ownerID == "" {
		return nil, nil
	}
	return topUps.list(r.t, "owner_id = $1", byCreated, ownerID)
}

type methodRepo struct{ t *tx }

func (r methodRepo) Get(id string) (core.PaymentMethod, error) { return paymentMethods.get(r.t, id) }
func (r methodRepo) Put(m core.PaymentMethod) error            { return paymentMethods.put(r.t, &m) }
func (r methodRepo) Delete(id string) error                    { return paymentMethods.del(r.t, id) }

func (r methodRepo) GetByAccountID(accountID string) (core.PaymentMethod, error) {
	if accountID == "" {
		return core.PaymentMethod{}, notFound("payment method", "with an empty account id")
	}
	return paymentMethods.first(r.t, "with account id "+accountID, "account_id = $1", "id", accountID)
}

func (r methodRepo) ListByOwner(ownerID string) ([]core.PaymentMethod, error) {
	if ownerID == "" {
		return nil, nil
	}
	return paymentMethods.list(r.t, "owner_id = $1", byCreated, ownerID)
}

// ---- notifications

type notifRepo struct{ t *tx }

func (r notifRepo) Get(id string) (core.Notification, error) { return notifications.get(r.t, id) }
func (r notifRepo) Put(n core.Notification) error            { return notifications.put(r.t, &n) }

func (r notifRepo) ListByUser(userID string) ([]core.Notification, error) {
	if userID == "" {
		return nil, nil
	}
	return notifications.list(r.t, "user_id = $1", byCreated, userID)
}

func (r notifRepo) ListByRecipient(recipient string) ([]core.Notification, error) {
	if recipient == "" {
		return nil, nil
	}
	return notifications.list(r.t, "recipient = $1", byCreated, recipient)
}

func (r notifRepo) ScanQueued(at time.Time, fn func(core.Notification) bool) error {
	return notifications.scan(r.t, "queued_at <= $1", "queued_at, id", []any{ts(at)},
		func(n *core.Notification) bool { return !n.NextAttemptAt.After(at) }, fn)
}

// ---- sessions, portal links

type sessionRepo struct{ t *tx }

func (r sessionRepo) Get(id string) (core.Session, error) { return sessions.get(r.t, id) }
func (r sessionRepo) Put(s core.Session) error            { return sessions.put(r.t, &s) }
func (r sessionRepo) Delete(id string) error              { return sessions.del(r.t, id) }

func (r sessionRepo) GetByHash(hash string) (core.Session, error) {
	if hash == "" {
		return core.Session{}, notFound("session", "with this hash")
	}
	return sessions.first(r.t, "with this hash", "hash = $1", "id", hash)
}

// ListByUser answers a user's sessions, oldest first.
func (r sessionRepo) ListByUser(userID string) ([]core.Session, error) {
	if userID == "" {
		return nil, nil
	}
	return sessions.list(r.t, "user_id = $1", byCreated, userID)
}

func (r sessionRepo) DeleteExpired(at time.Time, max int) (int, error) {
	return deleteExpired(r.t, "web_sessions", "session", at, max)
}

type portalLinkRepo struct{ t *tx }

func (r portalLinkRepo) Get(id string) (core.PortalLink, error) { return portalLinks.get(r.t, id) }
func (r portalLinkRepo) Put(l core.PortalLink) error            { return portalLinks.put(r.t, &l) }

func (r portalLinkRepo) GetByHash(hash string) (core.PortalLink, error) {
	if hash == "" {
		return core.PortalLink{}, notFound("portal link", "with this hash")
	}
	return portalLinks.first(r.t, "with this hash", "hash = $1", "id", hash)
}

func (r portalLinkRepo) DeleteExpired(at time.Time, max int) (int, error) {
	return deleteExpired(r.t, "portal_links", "portal link", at, max)
}

// deleteExpired deletes up to max rows (max <= 0: no limit) of table
// whose expires_at is not after at, earliest first, and reports how many.
// The column holds microseconds and the records nanoseconds: a record
// expiring within the microsecond after at is deleted a run early, which
// for a lifetime of hours is no difference.
func deleteExpired(t *tx, table, kind string, at time.Time, max int) (int, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	var limit any // NULL: LIMIT ALL
	if max > 0 {
		limit = max
	}
	tag, err := t.exec("delete expired "+kind+"s", "DELETE FROM "+table+" WHERE id IN (SELECT id FROM "+table+
		" WHERE expires_at <= $1 ORDER BY expires_at, id LIMIT $2)", ts(at), limit)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}
