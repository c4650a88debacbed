package core

import (
	"context"
	"time"
)

// Store is the storage port, shaped as a unit of work: fn runs inside one
// transaction and may change several aggregates and append outbox events.
// If fn returns an error nothing it wrote is kept. Update transactions are
// serialized; no gateway or network call may happen inside fn. fn may be
// run more than once (stores combine concurrent writers into one commit),
// so it must not have effects outside tx other than assigning results.
type Store interface {
	Update(ctx context.Context, fn func(tx Tx) error) error
	View(ctx context.Context, fn func(tx Tx) error) error
}

// Tx gives the repositories of one transaction. In a View, writes fail.
// Every Get answers an error wrapping ErrNotFound when nothing matches.
// Every Put inserts or replaces by ID and keeps the indexes consistent.
type Tx interface {
	Plans() PlanRepo
	Users() UserRepo
	Tokens() TokenRepo
	Subscriptions() SubscriptionRepo
	Payments() PaymentRepo
	Invoices() InvoiceRepo
	CreditNotes() CreditNoteRepo
	WebhookLogs() WebhookLogRepo
	Wallets() WalletRepo
	TopUps() TopUpRepo
	PaymentMethods() PaymentMethodRepo
	Notifications() NotificationRepo
	Outbox() Outbox
	Idempotency() IdempotencyRepo
	Meta() MetaRepo
	Organizations() OrganizationRepo
	Coupons() CouponRepo
	WebhookEndpoints() WebhookEndpointRepo
	Figures() FigureRepo
	Sessions() SessionRepo
	PortalLinks() PortalLinkRepo
}

// Scan callbacks return false to stop early.
type (
	PlanRepo interface {
		Get(id string) (Plan, error)
		GetBySlug(slug string) (Plan, error)
		// Put refuses with ErrConflict a slug already held by another plan.
		Put(p Plan) error
		List() ([]Plan, error)
	}
	UserRepo interface {
		Get(id string) (User, error)
		GetByUsername(username string) (User, error)
		// Put refuses with ErrConflict a username already held by another user.
		Put(u User) error
		Count() (int, error)
		ListAdmins() ([]User, error)
	}
	TokenRepo interface {
		Get(id string) (Token, error)
		GetByHash(hash string) (Token, error)
		Put(t Token) error
		Delete(id string) error
		// ListByUser lists a user's tokens, oldest first.
		ListByUser(userID string) ([]Token, error)
	}
	SubscriptionRepo interface {
		Get(id string) (Subscription, error)
		GetByNativeID(midtransSubscriptionID string) (Subscription, error)
		Put(s Subscription) error
		ListByOwner(ownerID string) ([]Subscription, error)
		// ScanDue visits subscriptions whose NextActionAt is set and not after
		// t, earliest first, through an index.
		ScanDue(t time.Time, fn func(Subscription) bool) error
		// ScanDueAfter is ScanDue resumed after the entry of the subscription
		// afterID due at at (both as a visited subscription had them): only
		// entries after that one in the scan's order are visited, so a caller
		// pages through the due index without remembering what it saw.
		ScanDueAfter(t, at time.Time, afterID string, fn func(Subscription) bool) error
		// ScanAll visits every subscription in id order, starting after afterID ("" from the start).
		ScanAll(afterID string, fn func(Subscription) bool) error
		CountByStatus() (map[SubscriptionStatus]int, error)
		// ScanByStatus visits the subscriptions in status st, through an
		// index, in no particular order.
		ScanByStatus(st SubscriptionStatus, fn func(Subscription) bool) error
		// CountOwners counts the distinct owners of the subscriptions in
		// status st without holding the set of them: a merchant's
		// subscribers are counted in constant memory however many there are.
		CountOwners(st SubscriptionStatus) (int, error)
	}
	PaymentRepo interface {
		Get(id string) (Payment, error)
		GetByOrderID(orderID string) (Payment, error)
		// Put refuses with ErrConflict an order id already held by another payment.
		Put(p Payment) error
		ListByOwner(ownerID string) ([]Payment, error)
		ListBySubscription(subscriptionID string) ([]Payment, error)
		// ScanOpen visits payments in status creating, pending or challenge,
		// oldest first, through an index.
		ScanOpen(fn func(Payment) bool) error
		// ScanRefunding visits payments with a refund in status requested
		// (reserved, gateway outcome not yet known), oldest first.
		ScanRefunding(fn func(Payment) bool) error
		// ScanRefundCheck visits payments whose RefundCheckAt is set and not
		// after t, earliest first.
		ScanRefundCheck(t time.Time, fn func(Payment) bool) error
	}
	InvoiceRepo interface {
		Get(id string) (Invoice, error)
		GetByKey(subscriptionID, key string) (Invoice, error)
		// Put refuses with ErrConflict a second invoice with the same
		// (SubscriptionID, Key) or the same Number.
		Put(inv Invoice) error
		ListByOwner(ownerID string) ([]Invoice, error)
		ListBySubscription(subscriptionID string) ([]Invoice, error)
		// ScanOpenDue visits open invoices whose DueDate is before t.
		ScanOpenDue(t time.Time, fn func(Invoice) bool) error
	}
	CreditNoteRepo interface {
		Get(id string) (CreditNote, error)
		// Put refuses with ErrConflict a second credit note with the same
		// (InvoiceID, Key) or the same Number.
		Put(n CreditNote) error
		// ListByInvoice and ListByOwner list oldest first.
		ListByInvoice(invoiceID string) ([]CreditNote, error)
		ListByOwner(ownerID string) ([]CreditNote, error)
		// ScanIssued visits credit notes issued in [from, to), earliest
		// first (a zero to: no end).
		ScanIssued(from, to time.Time, fn func(CreditNote) bool) error
	}
	WebhookLogRepo interface {
		Get(id string) (WebhookLog, error)
		Put(w WebhookLog) error
		// ScanReceived visits logs still in status received (stored, not applied).
		ScanReceived(fn func(WebhookLog) bool) error
		List(limit int) ([]WebhookLog, error) // newest first
		// ListByOrder lists the logs of notifications naming orderID,
		// oldest first, through an index.
		ListByOrder(orderID string) ([]WebhookLog, error)
		// MarkApplied records an applied event key; it reports false if the
		// key was applied before. paymentID names the payment the event is
		// about ("" for none), so that a store may keep one payment's marks
		// together; an event of a payment always comes with its id, and a
		// key marked with "" is found whatever id comes with it later.
		MarkApplied(eventKey, paymentID string) (bool, error)
		Delete(id string) error
		// DeleteReceivedBefore deletes up to max logs (max <= 0: no
		// limit) received before t, oldest first, and reports how many.
		DeleteReceivedBefore(t time.Time, max int) (int, error)
	}
	WalletRepo interface {
		Get(id string) (Wallet, error)
		GetByOwner(ownerID string) (Wallet, error)
		Put(w Wallet) error
		AppendEntry(e WalletEntry) error
		Entries(walletID string) ([]WalletEntry, error)
		ScanAll(fn func(Wallet) bool) error
	}
	TopUpRepo interface {
		Get(id string) (TopUp, error)
		Put(t TopUp) error
		ListByOwner(ownerID string) ([]TopUp, error)
	}
	PaymentMethodRepo interface {
		Get(id string) (PaymentMethod, error)
		GetByAccountID(accountID string) (PaymentMethod, error)
		Put(m PaymentMethod) error
		Delete(id string) error
		ListByOwner(ownerID string) ([]PaymentMethod, error)
	}
	NotificationRepo interface {
		Get(id string) (Notification, error)
		Put(n Notification) error
		ListByUser(userID string) ([]Notification, error)
		// ListByRecipient lists notifications to one recipient (an email
		// address, or a webhook endpoint id), oldest first.
		ListByRecipient(recipient string) ([]Notification, error)
		// ScanQueued visits notifications in status queued whose
		// NextAttemptAt is not after t, earliest first.
		ScanQueued(t time.Time, fn func(Notification) bool) error
	}
	Outbox interface {
		// Append assigns the event its sequence number and stores it.
		Append(e Event) (uint64, error)
		// Scan visits undelivered events in sequence order.
		Scan(fn func(Event) bool) error
		Delete(seq uint64) error
		// Has reports whether the event with this sequence is still undelivered.
		Has(seq uint64) (bool, error)
		Len() (int, error)
	}
	IdempotencyRepo interface {
		Get(key string) (IdempotencyRecord, error)
		Put(r IdempotencyRecord) error
		DeleteExpired(t time.Time, max int) (int, error)
	}
	OrganizationRepo interface {
		Get(id string) (Organization, error)
		Put(o Organization) error
		// ListByMember lists the organizations userID is a member of (any role).
		ListByMember(userID string) ([]Organization, error)
	}
	CouponRepo interface {
		Get(id string) (Coupon, error)
		// GetByCode looks a code up case-insensitively (codes are stored upper-case).
		GetByCode(code string) (Coupon, error)
		// Put refuses with ErrConflict a code already held by another coupon.
		Put(c Coupon) error
		List() ([]Coupon, error)
	}
	WebhookEndpointRepo interface {
		Get(id string) (WebhookEndpoint, error)
		Put(e WebhookEndpoint) error
		Delete(id string) error
		List() ([]WebhookEndpoint, error)
	}
	FigureRepo interface {
		Get(day string) (DailyFigures, error)
		Put(f DailyFigures) error
		// List answers the days from from to to (both as "2006-01-02",
		// inclusive) that have figures, oldest first.
		List(from, to string) ([]DailyFigures, error)
	}
	// SessionRepo holds signed-in browser sessions (web pages).
	SessionRepo interface {
		Get(id string) (Session, error)
		// GetByHash finds the session whose secret hashes to hash.
		GetByHash(hash string) (Session, error)
		// Put refuses with ErrConflict a hash already held by another session.
		Put(s Session) error
		Delete(id string) error
		// ListByUser lists a user's sessions, oldest first.
		ListByUser(userID string) ([]Session, error)
		// DeleteExpired deletes up to max sessions (max <= 0: no limit)
		// whose ExpiresAt is not after t, earliest first, and reports how many.
		DeleteExpired(t time.Time, max int) (int, error)
	}
	// PortalLinkRepo holds one-time customer portal links.
	PortalLinkRepo interface {
		Get(id string) (PortalLink, error)
		// GetByHash finds the link whose secret hashes to hash.
		GetByHash(hash string) (PortalLink, error)
		// Put refuses with ErrConflict a hash already held by another link.
		Put(l PortalLink) error
		// DeleteExpired is SessionRepo.DeleteExpired for links.
		DeleteExpired(t time.Time, max int) (int, error)
	}
	MetaRepo interface {
		// NextSequence returns 1, 2, 3, ... per name, gapless within committed transactions.
		NextSequence(name string) (uint64, error)
		GetTime(name string) (time.Time, bool, error)
		PutTime(name string, t time.Time) error
	}
)

// PasswordHasher hashes and checks passwords (bcrypt in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Compare(hash, password string) bool
}

// Notifier delivers one notification on its channel. Implementations are
// per channel (email, webhook); delivery is at least once.
type Notifier interface {
	Send(ctx context.Context, n Notification) error
}

// Leases coordinate several service instances sharing one store. A store
// that implements it (next to Store) gets the billing run split between
// instances; without it the service assumes it runs alone. Times are the
// service clock's, so instances must share one clock (a manual clock is
// shared through the store). Each method is a unit of work of its own.
type Leases interface {
	// AcquireLease grants lease name to holder until now+ttl when it is
	// free, expired at now, or already holder's (then it is renewed), and
	// reports whether holder holds it.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease frees lease name if holder holds it.
	ReleaseLease(ctx context.Context, name, holder string) error
	// ClaimDue claims for holder, until now+ttl, up to max subscriptions
	// whose NextActionAt is set and not after now and that no unexpired
	// claim (holder's own included) covers, earliest due first, and answers
	// their ids. Concurrent callers never get the same id.
	ClaimDue(ctx context.Context, holder string, now time.Time, ttl time.Duration, max int) ([]string, error)
	// ReleaseClaims ends every claim holder holds.
	ReleaseClaims(ctx context.Context, holder string) error
}
