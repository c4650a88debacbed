package records

import (
	"fmt"
	"time"

	"github.com/langganan/langganan/core"
)

// Package records holds the stored shape of each aggregate, shared by the
// bbolt and PostgreSQL stores so that data moves between them as is:
// JSON with a schema field V, money as exact decimal strings, times in
// UTC RFC 3339 with nanoseconds. Zero values are omitted. A record with a
// V newer than this build knows is refused rather than half-read. It is a
// library of the storage adapters, not an adapter: it imports only core.

const recordV = 1

func decodeRec[R any](b []byte, v func(*R) int) (R, error) {
	var r R
	if err := unmarshal(b, &r); err != nil {
		return r, err
	}
	if n := v(&r); n > recordV {
		return r, fmt.Errorf("record version %d is newer than this build (%d)", n, recordV)
	}
	return r, nil
}

// ---- plan

type planRec struct {
	V               int               `json:"v"`
	ID              string            `json:",omitzero"`
	Name            string            `json:",omitzero"`
	Slug            string            `json:",omitzero"`
	Description     string            `json:",omitzero"`
	Price           money             `json:",omitzero"`
	Interval        int               `json:",omitzero"`
	IntervalUnit    core.IntervalUnit `json:",omitzero"`
	TrialPeriodDays int               `json:",omitzero"`
	MaxCycles       int               `json:",omitzero"`
	Status          core.PlanStatus   `json:",omitzero"`
	Features        map[string]any    `json:",omitzero"`
	SortOrder       int               `json:",omitzero"`
	PerSeat         bool              `json:",omitzero"`
	TaxIncluded     bool              `json:",omitzero"`
	CreatedAt       time.Time         `json:",omitzero"`
	UpdatedAt       time.Time         `json:",omitzero"`
}

func PlanToRecord(p *core.Plan) any {
	return &planRec{V: recordV, ID: p.ID, Name: p.Name, Slug: p.Slug, Description: p.Description,
		Price: money(p.Price), Interval: p.Interval, IntervalUnit: p.IntervalUnit,
		TrialPeriodDays: p.TrialPeriodDays, MaxCycles: p.MaxCycles, Status: p.Status,
		Features: p.Features, SortOrder: p.SortOrder, PerSeat: p.PerSeat, TaxIncluded: p.PriceIncludesTax,
		CreatedAt: UTC(p.CreatedAt), UpdatedAt: UTC(p.UpdatedAt)}
}

func PlanFromRecord(b []byte) (core.Plan, error) {
	r, err := decodeRec(b, func(r *planRec) int { return r.V })
	return core.Plan{ID: r.ID, Name: r.Name, Slug: r.Slug, Description: r.Description,
		Price: core.Money(r.Price), Interval: r.Interval, IntervalUnit: r.IntervalUnit,
		TrialPeriodDays: r.TrialPeriodDays, MaxCycles: r.MaxCycles, Status: r.Status,
		Features: r.Features, SortOrder: r.SortOrder, PerSeat: r.PerSeat, PriceIncludesTax: r.TaxIncluded,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, err
}

// ---- user, token

type userRec struct {
	V            int       `json:"v"`
	ID           string    `json:",omitzero"`
	Username     string    `json:",omitzero"`
	Email        string    `json:",omitzero"`
	FirstName    string    `json:",omitzero"`
	LastName     string    `json:",omitzero"`
	IsAdmin      bool      `json:",omitzero"`
	Locale       string    `json:",omitzero"`
	PasswordHash string    `json:",omitzero"`
	CreatedAt    time.Time `json:",omitzero"`
	UpdatedAt    time.Time `json:",omitzero"`
}

func UserToRecord(u *core.User) any {
	return &userRec{V: recordV, ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName,
		LastName: u.LastName, IsAdmin: u.IsAdmin, Locale: u.Locale, PasswordHash: u.PasswordHash,
		CreatedAt: UTC(u.CreatedAt), UpdatedAt: UTC(u.UpdatedAt)}
}

func UserFromRecord(b []byte) (core.User, error) {
	r, err := decodeRec(b, func(r *userRec) int { return r.V })
	return core.User{ID: r.ID, Username: r.Username, Email: r.Email, FirstName: r.FirstName,
		LastName: r.LastName, IsAdmin: r.IsAdmin, Locale: r.Locale, PasswordHash: r.PasswordHash,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, err
}

type tokenRec struct {
	V         int       `json:"v"`
	ID        string    `json:",omitzero"`
	UserID    string    `json:",omitzero"`
	Name      string    `json:",omitzero"`
	Hash      string    `json:",omitzero"`
	CreatedAt time.Time `json:",omitzero"`
	LastUsed  time.Time `json:",omitzero"`
}

func TokenToRecord(t *core.Token) any {
	return &tokenRec{V: recordV, ID: t.ID, UserID: t.UserID, Name: t.Name, Hash: t.Hash, CreatedAt: UTC(t.CreatedAt), LastUsed: UTC(t.LastUsedAt)}
}

func TokenFromRecord(b []byte) (core.Token, error) {
	r, err := decodeRec(b, func(r *tokenRec) int { return r.V })
	return core.Token{ID: r.ID, UserID: r.UserID, Name: r.Name, Hash: r.Hash, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsed}, err
}

// ---- subscription

type customerRec struct {
	FirstName string `json:",omitzero"`
	LastName  string `json:",omitzero"`
	Email     string `json:",omitzero"`
	Phone     string `json:",omitzero"`
}

type planChangeRec struct {
	FromPlanID string    `json:",omitzero"`
	ToPlanID   string    `json:",omitzero"`
	At         time.Time `json:",omitzero"`
	Immediate  bool      `json:",omitzero"`
	Proration  string    `json:",omitzero"`
}

type subRec struct {
	V                      int                     `json:"v"`
	ID                     string                  `json:",omitzero"`
	OwnerID                string                  `json:",omitzero"`
	CreatedBy              string                  `json:",omitzero"`
	PlanID                 string                  `json:",omitzero"`
	Quantity               int                     `json:",omitzero"`
	Status                 core.SubscriptionStatus `json:",omitzero"`
	PaymentType            core.PaymentType        `json:",omitzero"`
	Bank                   string                  `json:",omitzero"`
	PaymentMethodID        string                  `json:",omitzero"`
	CardToken              string                  `json:",omitzero"`
	GopayAccountID         string                  `json:",omitzero"`
	CustomerDetails        customerRec             `json:",omitzero"`
	MidtransSubscriptionID string                  `json:",omitzero"`
	Anchor                 time.Time               `json:",omitzero"`
	AnchorCycle            int                     `json:",omitzero"`
	PendingPlanID          string                  `json:",omitzero"`
	PendingPlanInvoiceID   string                  `json:",omitzero"`
	NativeAmount           money                   `json:",omitzero"`
	NativeDisabled         bool                    `json:",omitzero"`
	CurrentPeriodStart     time.Time               `json:",omitzero"`
	CurrentPeriodEnd       time.Time               `json:",omitzero"`
	TrialStart             time.Time               `json:",omitzero"`
	TrialEnd               time.Time               `json:",omitzero"`
	Cycle                  int                     `json:",omitzero"`
	NextBillingDate        time.Time               `json:",omitzero"`
	NextActionAt           time.Time               `json:",omitzero"`
	DunningAttempts        int                     `json:",omitzero"`
	PastDueSince           time.Time               `json:",omitzero"`
	RemindersSent          int                     `json:",omitzero"`
	CancelAtPeriodEnd      bool                    `json:",omitzero"`
	CancelledAt            time.Time               `json:",omitzero"`
	CancelReason           string                  `json:",omitzero"`
	EndsAt                 time.Time               `json:",omitzero"`
	PausedAt               time.Time               `json:",omitzero"`
	AutoPay                bool                    `json:",omitzero"`
	CouponID               string                  `json:",omitzero"`
	CouponCyclesLeft       int                     `json:",omitzero"`
	ScheduledPlanID        string                  `json:",omitzero"`
	PlanHistory            []planChangeRec         `json:",omitzero"`
	PendingCredit          money                   `json:",omitzero"`
	CreditNoteBalance      money                   `json:",omitzero"`
	Metadata               map[string]any          `json:",omitzero"`
	CreatedAt              time.Time               `json:",omitzero"`
	UpdatedAt              time.Time               `json:",omitzero"`
}

func SubToRecord(s *core.Subscription) any {
	r := &subRec{V: recordV, ID: s.ID, OwnerID: s.OwnerID, CreatedBy: s.CreatedBy, PlanID: s.PlanID,
		Quantity: s.Quantity, Status: s.Status, PaymentType: s.PaymentType, Bank: s.Bank,
		PaymentMethodID: s.PaymentMethodID, CardToken: s.CardToken, GopayAccountID: s.GopayAccountID,
		CustomerDetails:        customerRec(s.CustomerDetails),
		MidtransSubscriptionID: s.MidtransSubscriptionID,
		Anchor:                 UTC(s.Anchor), CurrentPeriodStart: UTC(s.CurrentPeriodStart),
		CurrentPeriodEnd: UTC(s.CurrentPeriodEnd), TrialStart: UTC(s.TrialStart), TrialEnd: UTC(s.TrialEnd),
		Cycle: s.Cycle, NextBillingDate: UTC(s.NextBillingDate), NextActionAt: UTC(s.NextActionAt),
		DunningAttempts: s.DunningAttempts, PastDueSince: UTC(s.PastDueSince), RemindersSent: s.RemindersSent,
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, CancelledAt: UTC(s.CancelledAt), CancelReason: s.CancelReason,
		EndsAt: UTC(s.EndsAt), PausedAt: UTC(s.PausedAt), AutoPay: s.AutoPay, CouponID: s.CouponID,
		CouponCyclesLeft: s.CouponCyclesLeft, ScheduledPlanID: s.ScheduledPlanID,
		PendingCredit: money(s.PendingCredit), CreditNoteBalance: money(s.CreditNoteBalance), Metadata: s.Metadata,
		AnchorCycle: s.AnchorCycle, PendingPlanID: s.PendingPlanID, PendingPlanInvoiceID: s.PendingPlanInvoiceID,
		NativeAmount: money(s.NativeAmount), NativeDisabled: s.NativeDisabled,
		CreatedAt: UTC(s.CreatedAt), UpdatedAt: UTC(s.UpdatedAt)}
	if s.PlanHistory != nil {
		r.PlanHistory = make([]planChangeRec, len(s.PlanHistory))
		for i, c := range s.PlanHistory {
			r.PlanHistory[i] = planChangeRec{FromPlanID: c.FromPlanID, ToPlanID: c.ToPlanID, At: UTC(c.At),
				Immediate: c.Immediate, Proration: c.Proration}
		}
	}
	return r
}

func SubFromRecord(b []byte) (core.Subscription, error) {
	r, err := decodeRec(b, func(r *subRec) int { return r.V })
	s := core.Subscription{ID: r.ID, OwnerID: r.OwnerID, CreatedBy: r.CreatedBy, PlanID: r.PlanID,
		Quantity: r.Quantity, Status: r.Status, PaymentType: r.PaymentType, Bank: r.Bank,
		PaymentMethodID: r.PaymentMethodID, CardToken: r.CardToken, GopayAccountID: r.GopayAccountID,
		CustomerDetails:        core.CustomerDetails(r.CustomerDetails),
		MidtransSubscriptionID: r.MidtransSubscriptionID,
		Anchor:                 r.Anchor, CurrentPeriodStart: r.CurrentPeriodStart,
		CurrentPeriodEnd: r.CurrentPeriodEnd, TrialStart: r.TrialStart, TrialEnd: r.TrialEnd,
		Cycle: r.Cycle, NextBillingDate: r.NextBillingDate, NextActionAt: r.NextActionAt,
		DunningAttempts: r.DunningAttempts, PastDueSince: r.PastDueSince, RemindersSent: r.RemindersSent,
		CancelAtPeriodEnd: r.CancelAtPeriodEnd, CancelledAt: r.CancelledAt, CancelReason: r.CancelReason,
		EndsAt: r.EndsAt, PausedAt: r.PausedAt, AutoPay: r.AutoPay, CouponID: r.CouponID,
		CouponCyclesLeft: r.CouponCyclesLeft, ScheduledPlanID: r.ScheduledPlanID,
		PendingCredit: core.Money(r.PendingCredit), CreditNoteBalance: core.Money(r.CreditNoteBalance), Metadata: r.Metadata,
		AnchorCycle: r.AnchorCycle, PendingPlanID: r.PendingPlanID, PendingPlanInvoiceID: r.PendingPlanInvoiceID,
		NativeAmount: core.Money(r.NativeAmount), NativeDisabled: r.NativeDisabled,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.PlanHistory != nil {
		s.PlanHistory = make([]core.PlanChange, len(r.PlanHistory))
		for i, c := range r.PlanHistory {
			s.PlanHistory[i] = core.PlanChange(c)
		}
	}
	return s, err
}

// ---- payment

type refundRec struct {
	Key       string    `json:",omitzero"`
	Amount    money     `json:",omitzero"`
	Reason    string    `json:",omitzero"`
	Direct    bool      `json:",omitzero"`
	Status    string    `json:",omitzero"`
	ToWallet  bool      `json:",omitzero"`
	External  bool      `json:",omitzero"`
	CreatedAt time.Time `json:",omitzero"`
}

type payRec struct {
	V              int                 `json:"v"`
	ID             string              `json:",omitzero"`
	OwnerID        string              `json:",omitzero"`
	Purpose        core.PaymentPurpose `json:",omitzero"`
	SubscriptionID string              `json:",omitzero"`
	InvoiceID      string              `json:",omitzero"`
	TopUpID        string              `json:",omitzero"`
	OrderID        string              `json:",omitzero"`
	TransactionID  string              `json:",omitzero"`
	PaymentType    core.PaymentType    `json:",omitzero"`
	Bank           string              `json:",omitzero"`
	Amount         money               `json:",omitzero"`
	Status         core.PaymentStatus  `json:",omitzero"`
	FraudStatus    string              `json:",omitzero"`
	Details        map[string]any      `json:",omitzero"`
	MidtransStatus map[string]any      `json:",omitzero"`
	Cycle          int                 `json:",omitzero"`
	Attempt        int                 `json:",omitzero"`
	RetryCount     int                 `json:",omitzero"`
	IsRetry        bool                `json:",omitzero"`
	IdempotencyKey string              `json:",omitzero"`
	Superseded     bool                `json:",omitzero"`
	Refunded       money               `json:",omitzero"`
	GwRefunded     money               `json:",omitzero"`
	RefundCheckAt  time.Time           `json:",omitzero"`
	Refunds        []refundRec         `json:",omitzero"`
	FailureReason  string              `json:",omitzero"`
	ExpiresAt      time.Time           `json:",omitzero"`
	PaidAt         time.Time           `json:",omitzero"`
	CreatedAt      time.Time           `json:",omitzero"`
	UpdatedAt      time.Time           `json:",omitzero"`
}

func PayToRecord(p *core.Payment) any {
	r := &payRec{V: recordV, ID: p.ID, OwnerID: p.OwnerID, Purpose: p.Purpose, SubscriptionID: p.SubscriptionID,
		InvoiceID: p.InvoiceID, TopUpID: p.TopUpID, OrderID: p.OrderID, TransactionID: p.TransactionID,
		PaymentType: p.PaymentType, Bank: p.Bank, Amount: money(p.Amount), Status: p.Status,
		FraudStatus: p.FraudStatus, Details: p.Details, MidtransStatus: p.MidtransStatus, Cycle: p.Cycle,
		Attempt: p.Attempt, RetryCount: p.RetryCount, IsRetry: p.IsRetry, IdempotencyKey: p.IdempotencyKey,
		Superseded: p.Superseded, Refunded: money(p.Refunded), GwRefunded: money(p.GatewayRefunded), RefundCheckAt: UTC(p.RefundCheckAt), FailureReason: p.FailureReason,
		ExpiresAt: UTC(p.ExpiresAt), PaidAt: UTC(p.PaidAt), CreatedAt: UTC(p.CreatedAt), UpdatedAt: UTC(p.UpdatedAt)}
	if p.Refunds != nil {
		r.Refunds = make([]refundRec, len(p.Refunds))
		for i, f := range p.Refunds {
			r.Refunds[i] = refundRec{Key: f.Key, Amount: money(f.Amount), Reason: f.Reason, Direct: f.Direct,
				Status: f.Status, ToWallet: f.ToWallet, External: f.External, CreatedAt: UTC(f.CreatedAt)}
		}
	}
	return r
}

func PayFromRecord(b []byte) (core.Payment, error) {
	r, err := decodeRec(b, func(r *payRec) int { return r.V })
	p := core.Payment{ID: r.ID, OwnerID: r.OwnerID, Purpose: r.Purpose, SubscriptionID: r.SubscriptionID,
		InvoiceID: r.InvoiceID, TopUpID: r.TopUpID, OrderID: r.OrderID, TransactionID: r.TransactionID,
		PaymentType: r.PaymentType, Bank: r.Bank, Amount: core.Money(r.Amount), Status: r.Status,
		FraudStatus: r.FraudStatus, Details: r.Details, MidtransStatus: r.MidtransStatus, Cycle: r.Cycle,
		Attempt: r.Attempt, RetryCount: r.RetryCount, IsRetry: r.IsRetry, IdempotencyKey: r.IdempotencyKey,
		Superseded: r.Superseded, Refunded: core.Money(r.Refunded), GatewayRefunded: core.Money(r.GwRefunded), RefundCheckAt: r.RefundCheckAt, FailureReason: r.FailureReason,
		ExpiresAt: r.ExpiresAt, PaidAt: r.PaidAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Refunds != nil {
		p.Refunds = make([]core.Refund, len(r.Refunds))
		for i, f := range r.Refunds {
			p.Refunds[i] = core.Refund{Key: f.Key, Amount: core.Money(f.Amount), Reason: f.Reason, Direct: f.Direct,
				Status: f.Status, ToWallet: f.ToWallet, External: f.External, CreatedAt: f.CreatedAt}
		}
	}
	return p, err
}

// ---- invoice

type lineRec struct {
	Kind        core.LineKind `json:",omitzero"`
	Description string        `json:",omitzero"`
	Quantity    int           `json:",omitzero"`
	UnitAmount  money         `json:",omitzero"`
	Amount      money         `json:",omitzero"`
	PeriodStart time.Time     `json:",omitzero"`
	PeriodEnd   time.Time     `json:",omitzero"`
}

type invRec struct {
	V              int                `json:"v"`
	ID             string             `json:",omitzero"`
	Number         string             `json:",omitzero"`
	OwnerID        string             `json:",omitzero"`
	SubscriptionID string             `json:",omitzero"`
	Key            string             `json:",omitzero"`
	Cycle          int                `json:",omitzero"`
	PeriodStart    time.Time          `json:",omitzero"`
	PeriodEnd      time.Time          `json:",omitzero"`
	Status         core.InvoiceStatus `json:",omitzero"`
	Lines          []lineRec          `json:",omitzero"`
	Subtotal       money              `json:",omitzero"`
	Discount       money              `json:",omitzero"`
	Tax            money              `json:",omitzero"`
	Total          money              `json:",omitzero"`
	TaxBase        money              `json:",omitzero"`
	TaxRate        string             `json:",omitzero"`
	TaxInclusive   bool               `json:",omitzero"`
	Currency       core.Currency      `json:",omitzero"`
	IssueDate      time.Time          `json:",omitzero"`
	DueDate        time.Time          `json:",omitzero"`
	PaidAt         time.Time          `json:",omitzero"`
	PaymentID      string             `json:",omitzero"`
	CreatedAt      time.Time          `json:",omitzero"`
	UpdatedAt      time.Time          `json:",omitzero"`
}

func InvToRecord(v *core.Invoice) any {
	r := &invRec{V: recordV, ID: v.ID, Number: v.Number, OwnerID: v.OwnerID, SubscriptionID: v.SubscriptionID,
		Key: v.Key, Cycle: v.Cycle, PeriodStart: UTC(v.PeriodStart), PeriodEnd: UTC(v.PeriodEnd),
		Status: v.Status, Subtotal: money(v.Subtotal), Discount: money(v.Discount), Tax: money(v.Tax),
		Total: money(v.Total), Currency: v.Currency, IssueDate: UTC(v.IssueDate), DueDate: UTC(v.DueDate),
		PaidAt: UTC(v.PaidAt), PaymentID: v.PaymentID, CreatedAt: UTC(v.CreatedAt), UpdatedAt: UTC(v.UpdatedAt),
		TaxBase: money(v.TaxBase), TaxInclusive: v.TaxInclusive}
	if !v.TaxRate.IsZero() {
		r.TaxRate = v.TaxRate.String()
	}
	if v.Lines != nil {
		r.Lines = make([]lineRec, len(v.Lines))
		for i, l := range v.Lines {
			r.Lines[i] = lineRec{Kind: l.Kind, Description: l.Description, Quantity: l.Quantity,
				UnitAmount: money(l.UnitAmount), Amount: money(l.Amount),
				PeriodStart: UTC(l.PeriodStart), PeriodEnd: UTC(l.PeriodEnd)}
		}
	}
	return r
}

func InvFromRecord(b []byte) (core.Invoice, error) {
	r, err := decodeRec(b, func(r *invRec) int { return r.V })
	v := core.Invoice{ID: r.ID, Number: r.Number, OwnerID: r.OwnerID, SubscriptionID: r.SubscriptionID,
		Key: r.Key, Cycle: r.Cycle, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd,
		Status: r.Status, Subtotal: core.Money(r.Subtotal), Discount: core.Money(r.Discount), Tax: core.Money(r.Tax),
		Total: core.Money(r.Total), Currency: r.Currency, IssueDate: r.IssueDate, DueDate: r.DueDate,
		PaidAt: r.PaidAt, PaymentID: r.PaymentID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		TaxBase: core.Money(r.TaxBase), TaxInclusive: r.TaxInclusive}
	if r.TaxRate != "" {
		rate, rerr := core.ParseRate(r.TaxRate)
		if rerr != nil && err == nil {
			err = fmt.Errorf("stored tax rate: %w", rerr)
		}
		v.TaxRate = rate
	}
	if r.Lines != nil {
		v.Lines = make([]core.InvoiceLine, len(r.Lines))
		for i, l := range r.Lines {
			v.Lines[i] = core.InvoiceLine{Kind: l.Kind, Description: l.Description, Quantity: l.Quantity,
				UnitAmount: core.Money(l.UnitAmount), Amount: core.Money(l.Amount),
				PeriodStart: l.PeriodStart, PeriodEnd: l.PeriodEnd}
		}
	}
	return v, err
}

// ---- webhook log

type hookRec struct {
	V              int                   `json:"v"`
	ID             string                `json:",omitzero"`
	Kind           core.NotificationKind `json:",omitzero"`
	OrderID        string                `json:",omitzero"`
	EventKey       string                `json:",omitzero"`
	Payload        []byte                `json:",omitzero"`
	SourceIP       string                `json:",omitzero"`
	ReceivedAt     time.Time             `json:",omitzero"`
	SignatureValid bool                  `json:",omitzero"`
	Status         core.WebhookStatus    `json:",omitzero"`
	Error          string                `json:",omitzero"`
	ProcessedAt    time.Time             `json:",omitzero"`
	PayloadSize    int                   `json:",omitzero"`
	PayloadSHA256  string                `json:",omitzero"`
	ReplayOf       string                `json:",omitzero"`
	ReplayBy       string                `json:",omitzero"`
}

func HookToRecord(w *core.WebhookLog) any {
	return &hookRec{V: recordV, ID: w.ID, Kind: w.Kind, OrderID: w.OrderID, EventKey: w.EventKey,
		Payload: w.Payload, SourceIP: w.SourceIP, ReceivedAt: UTC(w.ReceivedAt), SignatureValid: w.SignatureValid,
		Status: w.Status, Error: w.Error, ProcessedAt: UTC(w.ProcessedAt), PayloadSize: w.PayloadSize,
		PayloadSHA256: w.PayloadSHA256, ReplayOf: w.ReplayOf, ReplayBy: w.ReplayBy}
}

func HookFromRecord(b []byte) (core.WebhookLog, error) {
	r, err := decodeRec(b, func(r *hookRec) int { return r.V })
	return core.WebhookLog{ID: r.ID, Kind: r.Kind, OrderID: r.OrderID, EventKey: r.EventKey,
		Payload: r.Payload, SourceIP: r.SourceIP, ReceivedAt: r.ReceivedAt, SignatureValid: r.SignatureValid,
		Status: r.Status, Error: r.Error, ProcessedAt: r.ProcessedAt, PayloadSize: r.PayloadSize,
		PayloadSHA256: r.PayloadSHA256, ReplayOf: r.ReplayOf, ReplayBy: r.ReplayBy}, err
}

// ---- wallet, entries, top-up

type walletRec struct {
	V         int       `json:"v"`
	ID        string    `json:",omitzero"`
	OwnerID   string    `json:",omitzero"`
	Balance   money     `json:",omitzero"`
	IsActive  bool      `json:",omitzero"`
	AutoPay   bool      `json:",omitzero"`
	Entries   int       `json:",omitzero"`
	CreatedAt time.Time `json:",omitzero"`
	UpdatedAt time.Time `json:",omitzero"`
}

func WalletToRecord(w *core.Wallet) any {
	return &walletRec{V: recordV, ID: w.ID, OwnerID: w.OwnerID, Balance: money(w.Balance), IsActive: w.IsActive,
		AutoPay: w.AutoPay, Entries: w.Entries, CreatedAt: UTC(w.CreatedAt), UpdatedAt: UTC(w.UpdatedAt)}
}

func WalletFromRecord(b []byte) (core.Wallet, error) {
	r, err := decodeRec(b, func(r *walletRec) int { return r.V })
	return core.Wallet{ID: r.ID, OwnerID: r.OwnerID, Balance: core.Money(r.Balance), IsActive: r.IsActive,
		AutoPay: r.AutoPay, Entries: r.Entries, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, err
}

type entryRec struct {
	V             int            `json:"v"`
	ID            string         `json:",omitzero"`
	WalletID      string         `json:",omitzero"`
	Seq           int            `json:",omitzero"`
	Type          core.EntryType `json:",omitzero"`
	Amount        money          `json:",omitzero"`
	BalanceAfter  money          `json:",omitzero"`
	ReferenceType string         `json:",omitzero"`
	ReferenceID   string         `json:",omitzero"`
	Description   string         `json:",omitzero"`
	CreatedAt     time.Time      `json:",omitzero"`
}

func EntryToRecord(e *core.WalletEntry) any {
	return &entryRec{V: recordV, ID: e.ID, WalletID: e.WalletID, Seq: e.Seq, Type: e.Type, Amount: money(e.Amount),
		BalanceAfter: money(e.BalanceAfter), ReferenceType: e.ReferenceType, ReferenceID: e.ReferenceID,
		Description: e.Description, CreatedAt: UTC(e.CreatedAt)}
}

func EntryFromRecord(b []byte) (core.WalletEntry, error) {
	r, err := decodeRec(b, func(r *entryRec) int { return r.V })
	return core.WalletEntry{ID: r.ID, WalletID: r.WalletID, Seq: r.Seq, Type: r.Type, Amount: core.Money(r.Amount),
		BalanceAfter: core.Money(r.BalanceAfter), ReferenceType: r.ReferenceType, ReferenceID: r.ReferenceID,
		Description: r.Description, CreatedAt: r.CreatedAt}, err
}

type topUpRec struct {
	V           int              `json:"v"`
	ID          string           `json:",omitzero"`
	OwnerID     string           `json:",omitzero"`
	WalletID    string           `json:",omitzero"`
	OrderID     string           `json:",omitzero"`
	PaymentID   string           `json:",omitzero"`
	Amount      money            `json:",omitzero"`
	Status      core.TopUpStatus `json:",omitzero"`
	PaymentType core.PaymentType `json:",omitzero"`
	Bank        string           `json:",omitzero"`
	Details     map[string]any   `json:",omitzero"`
	CreatedAt   time.Time        `json:",omitzero"`
	UpdatedAt   time.Time        `json:",omitzero"`
	PaidAt      time.Time        `json:",omitzero"`
}

func TopUpToRecord(t *core.TopUp) any {
	return &topUpRec{V: recordV, ID: t.ID, OwnerID: t.OwnerID, WalletID: t.WalletID, OrderID: t.OrderID,
		PaymentID: t.PaymentID, Amount: money(t.Amount), Status: t.Status, PaymentType: t.PaymentType, Bank: t.Bank,
		Details: t.Details, CreatedAt: UTC(t.CreatedAt), UpdatedAt: UTC(t.UpdatedAt), PaidAt: UTC(t.PaidAt)}
}

func TopUpFromRecord(b []byte) (core.TopUp, error) {
	r, err := decodeRec(b, func(r *topUpRec) int { return r.V })
	return core.TopUp{ID: r.ID, OwnerID: r.OwnerID, WalletID: r.WalletID, OrderID: r.OrderID,
		PaymentID: r.PaymentID, Amount: core.Money(r.Amount), Status: r.Status, PaymentType: r.PaymentType, Bank: r.Bank,
		Details: r.Details, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, PaidAt: r.PaidAt}, err
}

// ---- payment method

type methodRec struct {
	V             int                      `json:"v"`
	ID            string                   `json:",omitzero"`
	OwnerID       string                   `json:",omitzero"`
	Type          core.PaymentType         `json:",omitzero"`
	AccountID     string                   `json:",omitzero"`
	Token         string                   `json:",omitzero"`
	MaskedCard    string                   `json:",omitzero"`
	Status        core.PaymentMethodStatus `json:",omitzero"`
	ActivationURL string                   `json:",omitzero"`
	ExpiresAt     time.Time                `json:",omitzero"`
	CreatedAt     time.Time                `json:",omitzero"`
	UpdatedAt     time.Time                `json:",omitzero"`
}

func MethodToRecord(m *core.PaymentMethod) any {
	return &methodRec{V: recordV, ID: m.ID, OwnerID: m.OwnerID, Type: m.Type, AccountID: m.AccountID, Token: m.Token,
		MaskedCard: m.MaskedCard, Status: m.Status, ActivationURL: m.ActivationURL, ExpiresAt: UTC(m.ExpiresAt),
		CreatedAt: UTC(m.CreatedAt), UpdatedAt: UTC(m.UpdatedAt)}
}

func MethodFromRecord(b []byte) (core.PaymentMethod, error) {
	r, err := decodeRec(b, func(r *methodRec) int { return r.V })
	return core.PaymentMethod{ID: r.ID, OwnerID: r.OwnerID, Type: r.Type, AccountID: r.AccountID, Token: r.Token,
		MaskedCard: r.MaskedCard, Status: r.Status, ActivationURL: r.ActivationURL, ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, err
}

// ---- notification

type notifRec struct {
	V             int                     `json:"v"`
	ID            string                  `json:",omitzero"`
	EventID       string                  `json:",omitzero"`
	UserID        string                  `json:",omitzero"`
	Type          string                  `json:",omitzero"`
	Channel       core.Channel            `json:",omitzero"`
	Recipient     string                  `json:",omitzero"`
	Subject       string                  `json:",omitzero"`
	Body          string                  `json:",omitzero"`
	Payload       map[string]any          `json:",omitzero"`
	Status        core.NotificationStatus `json:",omitzero"`
	Attempts      int                     `json:",omitzero"`
	LastError     string                  `json:",omitzero"`
	NextAttemptAt time.Time               `json:",omitzero"`
	LeasedUntil   time.Time               `json:",omitzero"`
	CreatedAt     time.Time               `json:",omitzero"`
	UpdatedAt     time.Time               `json:",omitzero"`
	SentAt        time.Time               `json:",omitzero"`
	ReadAt        time.Time               `json:",omitzero"`
}

func NotifToRecord(n *core.Notification) any {
	return &notifRec{V: recordV, ID: n.ID, EventID: n.EventID, UserID: n.UserID, Type: n.Type, Channel: n.Channel,
		Recipient: n.Recipient, Subject: n.Subject, Body: n.Body, Payload: n.Payload, Status: n.Status,
		Attempts: n.Attempts, LastError: n.LastError, NextAttemptAt: UTC(n.NextAttemptAt), LeasedUntil: UTC(n.LeasedUntil),
		CreatedAt: UTC(n.CreatedAt), UpdatedAt: UTC(n.UpdatedAt), SentAt: UTC(n.SentAt), ReadAt: UTC(n.ReadAt)}
}

func NotifFromRecord(b []byte) (core.Notification, error) {
	r, err := decodeRec(b, func(r *notifRec) int { return r.V })
	return core.Notification{ID: r.ID, EventID: r.EventID, UserID: r.UserID, Type: r.Type, Channel: r.Channel,
		Recipient: r.Recipient, Subject: r.Subject, Body: r.Body, Payload: r.Payload, Status: r.Status,
		Attempts: r.Attempts, LastError: r.LastError, NextAttemptAt: r.NextAttemptAt, LeasedUntil: r.LeasedUntil,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SentAt: r.SentAt, ReadAt: r.ReadAt}, err
}

// ---- outbox event, idempotency record

type eventRec struct {
	V          int            `json:"v"`
	Seq        uint64         `json:",omitzero"`
	ID         string         `json:",omitzero"`
	Type       string         `json:",omitzero"`
	OwnerID    string         `json:",omitzero"`
	OccurredAt time.Time      `json:",omitzero"`
	Data       map[string]any `json:",omitzero"`
}

func EventToRecord(e *core.Event) any {
	return &eventRec{V: recordV, Seq: e.Seq, ID: e.ID, Type: e.Type, OwnerID: e.OwnerID,
		OccurredAt: UTC(e.OccurredAt), Data: e.Data}
}

func EventFromRecord(b []byte) (core.Event, error) {
	r, err := decodeRec(b, func(r *eventRec) int { return r.V })
	return core.Event{Seq: r.Seq, ID: r.ID, Type: r.Type, OwnerID: r.OwnerID, OccurredAt: r.OccurredAt, Data: r.Data}, err
}

type idemRec struct {
	V           int       `json:"v"`
	Key         string    `json:",omitzero"`
	RequestHash string    `json:",omitzero"`
	Status      int       `json:",omitzero"`
	Body        []byte    `json:",omitzero"`
	CreatedAt   time.Time `json:",omitzero"`
	ExpiresAt   time.Time `json:",omitzero"`
}

func IdemToRecord(r *core.IdempotencyRecord) any {
	return &idemRec{V: recordV, Key: r.Key, RequestHash: r.RequestHash, Status: r.Status, Body: r.Body,
		CreatedAt: UTC(r.CreatedAt), ExpiresAt: UTC(r.ExpiresAt)}
}

func IdemFromRecord(b []byte) (core.IdempotencyRecord, error) {
	r, err := decodeRec(b, func(r *idemRec) int { return r.V })
	return core.IdempotencyRecord{Key: r.Key, RequestHash: r.RequestHash, Status: r.Status, Body: r.Body,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}, err
}

// ---- session, portal link

type sessionRec struct {
	V         int             `json:"v"`
	ID        string          `json:",omitzero"`
	UserID    string          `json:",omitzero"`
	Hash      string          `json:",omitzero"`
	Via       core.SessionVia `json:",omitzero"`
	ReturnURL string          `json:",omitzero"`
	CreatedAt time.Time       `json:",omitzero"`
	ExpiresAt time.Time       `json:",omitzero"`
}

func SessionToRecord(s *core.Session) any {
	return &sessionRec{V: recordV, ID: s.ID, UserID: s.UserID, Hash: s.Hash, Via: s.Via, ReturnURL: s.ReturnURL,
		CreatedAt: UTC(s.CreatedAt), ExpiresAt: UTC(s.ExpiresAt)}
}

func SessionFromRecord(b []byte) (core.Session, error) {
	r, err := decodeRec(b, func(r *sessionRec) int { return r.V })
	return core.Session{ID: r.ID, UserID: r.UserID, Hash: r.Hash, Via: r.Via, ReturnURL: r.ReturnURL,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}, err
}

type portalLinkRec struct {
	V         int       `json:"v"`
	ID        string    `json:",omitzero"`
	UserID    string    `json:",omitzero"`
	Hash      string    `json:",omitzero"`
	ReturnURL string    `json:",omitzero"`
	CreatedBy string    `json:",omitzero"`
	CreatedAt time.Time `json:",omitzero"`
	ExpiresAt time.Time `json:",omitzero"`
	UsedAt    time.Time `json:",omitzero"`
	SessionID string    `json:",omitzero"`
}

func PortalLinkToRecord(l *core.PortalLink) any {
	return &portalLinkRec{V: recordV, ID: l.ID, UserID: l.UserID, Hash: l.Hash, ReturnURL: l.ReturnURL, CreatedBy: l.CreatedBy,
		CreatedAt: UTC(l.CreatedAt), ExpiresAt: UTC(l.ExpiresAt), UsedAt: UTC(l.UsedAt), SessionID: l.SessionID}
}

func PortalLinkFromRecord(b []byte) (core.PortalLink, error) {
	r, err := decodeRec(b, func(r *portalLinkRec) int { return r.V })
	return core.PortalLink{ID: r.ID, UserID: r.UserID, Hash: r.Hash, ReturnURL: r.ReturnURL, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, SessionID: r.SessionID}, err
}
