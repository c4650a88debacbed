package core

import (
	"errors"
	"sync/atomic"
	"time"
)

// Config holds the business settings of the service. Start from
// DefaultConfig: durations and limits left zero take its defaults, but
// counts and switches are taken as given (DunningRetries 0 means no
// retries).
type Config struct {
	// Location is the zone billing dates are computed in (Asia/Jakarta).
	Location *time.Location
	// DisableAutoInvoice turns AUTO_GENERATE_INVOICE off: cycle invoices
	// still price each charge but stay drafts. The zero value keeps it on.
	DisableAutoInvoice bool
	// TaxRate is a flat tax added to invoices of a merchant that is not a
	// PKP (zero by default: no tax).
	TaxRate Rate
	// Merchant is the seller on invoices; a PKP charges PPN at PPNRates
	// (DefaultPPNRates when empty).
	Merchant Merchant
	PPNRates []PPNRate
	// InvoiceNumberPattern and CreditNoteNumberPattern format legal numbers
	// (defaults DefaultInvoicePattern, DefaultCreditNotePattern).
	InvoiceNumberPattern NumberPattern
	// PublicURL is where customers reach this service (https://billing.example.com);
	// when set, invoice emails link to the invoice's PDF.
	PublicURL               string
	CreditNoteNumberPattern NumberPattern
	// InvoiceDue is how long after issue an invoice falls due.
	InvoiceDue time.Duration
	// DunningRetries is how many renewal charges are retried after the first fails.
	DunningRetries int
	// DunningInterval separates renewal retries.
	DunningInterval time.Duration
	// GracePeriod is how long past_due lasts before the subscription expires.
	GracePeriod time.Duration
	// PaymentExpiry bounds how long a one-time charge stays payable.
	PaymentExpiry time.Duration
	// TopUpMin and TopUpMax bound wallet top-ups.
	TopUpMin, TopUpMax Money
	// StaleAfter: open payments older than this are polled by reconciliation.
	StaleAfter time.Duration
	// StaleAlert: more stale payments than this raise an alert.
	StaleAlert int
	// NotificationURL, when set, is sent with every charge as X-Override-Notification.
	NotificationURL string
	// EngineWorkers bounds concurrent subscriptions (and gateway calls) in a billing run.
	EngineWorkers int

	// Hostile-client bounds (gateway_notification_limits.go, gateway_lookups.go, webhook_targets.go).
	// WebhookLogRetention: logs received longer ago are pruned by the
	// billing run (default 90 days).
	WebhookLogRetention time.Duration
	// RejectedWebhooksPerMinute: at most this many unverified or
	// unreadable notifications per source IP and minute are stored (in a
	// bounded form); the rest are only counted (default 10).
	RejectedWebhooksPerMinute int
	// LookupTTL and UnknownLookupTTL: how long a Subscription API
	// read-back, and an id Midtrans does not know, are remembered
	// (defaults 1 min, 10 min).
	LookupTTL, UnknownLookupTTL time.Duration
	// LookupRate per second with LookupBurst bounds verification calls to
	// Midtrans for unsigned notifications (defaults 5, 20).
	LookupRate  float64
	LookupBurst int
	// WebhookAllowHosts are the hosts outbound webhook endpoints may use
	// with http, and at any address (loopback included): for local
	// development and tests only (LANGGANAN_WEBHOOK_ALLOW_HOSTS).
	WebhookAllowHosts []string
	// RepeatTrials gives a trial again to an owner who had one on the same
	// plan. The zero value keeps one trial per owner and plan.
	RepeatTrials bool
	// LeaderTTL and ClaimTTL bound how long, on the service clock, the
	// leader lease and a subscription claim of an instance that stopped
	// outlive it (leases.go); defaults 2 and 5 minutes.
	LeaderTTL, ClaimTTL time.Duration
	// DeliveryLease is how long, on the wall clock (Deps.Wall, else the
	// service clock), a claimed email or webhook delivery is left to its
	// sender before another run may send it (default 2 minutes; senders
	// time out well before). A sender that died mid-send is replaced once
	// it runs out, so a delivery is at least once.
	DeliveryLease time.Duration
}

// DefaultConfig is the documented default configuration (README, Billing rules).
func DefaultConfig() Config {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	return Config{
		Location:        loc,
		InvoiceDue:      24 * time.Hour,
		DunningRetries:  3,
		DunningInterval: 24 * time.Hour,
		GracePeriod:     3 * 24 * time.Hour,
		PaymentExpiry:   24 * time.Hour,
		TopUpMin:        MoneyFromRupiah(10_000, IDR),
		TopUpMax:        MoneyFromRupiah(50_000_000, IDR),
		StaleAfter:      time.Hour,
		StaleAlert:      20,
	}
}

// Deps are the ports the service needs. Gateway may be nil (no payments).
type Deps struct {
	Store   Store
	Gateway Gateway
	Clock   Clock
	IDs     IDs
	Hasher  PasswordHasher
	// Wall is wall time for what must not follow a manual Clock: the rate
	// limits on unverified notifications (look-ups, stored rejects) and
	// delivery leases. Without it those two limits are off and leases run
	// on Clock (tests, the simulator); cmd/server always sets it.
	Wall Clock
}

// Service holds every use case. Methods are grouped by file: plans.go,
// accounts.go, subscriptions.go, webhooks.go, billing.go, wallet.go, ...
type Service struct {
	store Store
	gw    Gateway
	clock Clock
	// wall is Deps.Wall (nil in tests and the simulator).
	wall   Clock
	ids    IDs
	hasher PasswordHasher
	cfg    Config
	// staleAlert is the number of stale open payments found by the last
	// reconciliation when above the alert threshold, else 0.
	staleAlert atomic.Int64
	// notifiers deliver notifications per channel; see SetSenders.
	notifiers atomic.Pointer[map[Channel]Notifier]
	// defects are fixed defects re-created for the simulator's self-test
	// (see Plant); nil in production.
	defects map[Defect]bool
	// lookups and hooks bound what anonymous notifications cost.
	lookups *subLookups
	hooks   *webhookGuard
	// leases split the billing run between instances on one store (nil:
	// alone); instance is the holder id of this one, leader whether it
	// held the leader lease at its last run (leases.go).
	leases   Leases
	instance string
	leader   atomic.Bool
}

// NewService checks its dependencies; a missing required port is an error.
func NewService(d Deps, cfg Config) (*Service, error) {
	if d.Store == nil || d.Clock == nil || d.IDs == nil || d.Hasher == nil {
		return nil, errors.New("core: NewService needs Store, Clock, IDs and Hasher")
	}
	def := DefaultConfig()
	if cfg.Location == nil {
		cfg.Location = def.Location
	}
	if len(cfg.PPNRates) == 0 {
		cfg.PPNRates = DefaultPPNRates(cfg.Location)
	}
	if cfg.InvoiceNumberPattern == "" {
		cfg.InvoiceNumberPattern = DefaultInvoicePattern
	}
	if cfg.CreditNoteNumberPattern == "" {
		cfg.CreditNoteNumberPattern = DefaultCreditNotePattern
	}
	for _, p := range []NumberPattern{cfg.InvoiceNumberPattern, cfg.CreditNoteNumberPattern} {
		if err := ValidateNumberPattern(string(p)); err != nil {
			return nil, err
		}
	}
	if cfg.InvoiceDue <= 0 {
		cfg.InvoiceDue = def.InvoiceDue
	}
	if cfg.DunningInterval <= 0 {
		cfg.DunningInterval = def.DunningInterval
	}
	if cfg.DunningRetries < 0 {
		cfg.DunningRetries = 0
	}
	if cfg.GracePeriod <= 0 {
		cfg.GracePeriod = def.GracePeriod
	}
	if cfg.PaymentExpiry <= 0 {
		cfg.PaymentExpiry = def.PaymentExpiry
	}
	if !cfg.TopUpMin.Valid() {
		cfg.TopUpMin = def.TopUpMin
	}
	if !cfg.TopUpMax.Valid() {
		cfg.TopUpMax = def.TopUpMax
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = def.StaleAfter
	}
	if cfg.StaleAlert <= 0 {
		cfg.StaleAlert = def.StaleAlert
	}
	if cfg.EngineWorkers <= 0 {
		cfg.EngineWorkers = 32
	}
	if cfg.LeaderTTL <= 0 {
		cfg.LeaderTTL = 2 * time.Minute
	}
	if cfg.ClaimTTL <= 0 {
		cfg.ClaimTTL = 5 * time.Minute
	}
	if cfg.DeliveryLease <= 0 {
		cfg.DeliveryLease = 2 * time.Minute
	}
	cfg = limitDefaults(cfg)
	s := &Service{store: d.Store, gw: d.Gateway, clock: d.Clock, wall: d.Wall, ids: d.IDs, hasher: d.Hasher, cfg: cfg,
		lookups: newSubLookups(cfg, d.Wall), hooks: newWebhookGuard(cfg.RejectedWebhooksPerMinute, d.Wall)}
	if l, ok := d.Store.(Leases); ok {
		s.leases, s.instance = l, d.IDs.NewID()
	}
	return s, nil
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Now is the service clock's time, truncated to the microsecond so that
// stored and in-memory times compare equal.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// wallNow is Deps.Wall's time, or the service clock's without one.
func (s *Service) wallNow() time.Time {
	if s.wall == nil {
		return s.now()
	}
	return s.wall.Now().UTC().Truncate(time.Microsecond)
}

// Actor is who calls a use case.
type Actor struct {
	UserID  string
	IsAdmin bool
}

// emit appends an event to the outbox within tx.
func (s *Service) emit(tx Tx, typ, ownerID string, at time.Time, data map[string]any) error {
	_, err := tx.Outbox().Append(Event{ID: s.ids.NewID(), Type: typ, OwnerID: ownerID, OccurredAt: at, Data: data})
	return err
}

// gateway returns the gateway or ErrNoGateway.
func (s *Service) gateway() (Gateway, error) {
	if s.gw == nil {
		return nil, Unprocessablef("payments are unavailable: %v", ErrNoGateway)
	}
	return s.gw, nil
}
