package storetest

import (
	"sync/atomic"
	"time"

	"github.com/langganan/langganan/core"
)

// Fixtures set every field to a non-zero value (checked by the suite), so a
// round trip proves each converter copies each field.

var (
	seq atomic.Uint64
	wib = time.FixedZone("WIB", 7*3600)
	// base carries a zone and nanoseconds: the store must keep the instant.
	base = time.Date(2025, 1, 31, 9, 30, 15, 123456789, wib)
)

// newID answers a fresh UUID-shaped id; the suite needs them unique, not random.
func newID() string {
	var b [16]byte
	n := seq.Add(1)
	for i := range 8 {
		b[15-i] = byte(n >> (8 * i))
	}
	b[6], b[8] = 0x40, 0x80
	return core.FormatUUID(b)
}

func at(d time.Duration) time.Time { return base.Add(d) }

func rp(s string) core.Money { return core.MustMoney(s) }

func plan(id, slug string) core.Plan {
	return core.Plan{ID: id, Name: "Pro " + slug, Slug: slug, Description: "the pro plan",
		Price: rp("49000.00"), Interval: 1, IntervalUnit: core.Month, TrialPeriodDays: 7, MaxCycles: 12,
		Status: core.PlanActive, Features: map[string]any{"max_users": 5.0, "sso": true, "tier": "gold"},
		SortOrder: 3, PerSeat: true, PriceIncludesTax: true, CreatedAt: at(0), UpdatedAt: at(time.Hour)}
}

func user(id, username string, admin bool) core.User {
	return core.User{ID: id, Username: username, Email: username + "@example.com", FirstName: "Budi",
		LastName: "Santoso", IsAdmin: admin, Locale: "id", PasswordHash: "$2a$10$hash",
		CreatedAt: at(0), UpdatedAt: at(time.Minute)}
}

func token(id, userID, hash string) core.Token {
	return core.Token{ID: id, UserID: userID, Name: "ci", Hash: hash, CreatedAt: at(0), LastUsedAt: at(time.Hour)}
}

func subscription(id, owner string, next time.Time) core.Subscription {
	return core.Subscription{ID: id, OwnerID: owner, CreatedBy: owner, PlanID: newID(), Quantity: 2,
		Status: core.SubActive, PaymentType: core.PayBankTransfer, Bank: "bca", PaymentMethodID: newID(),
		CardToken: "tok", GopayAccountID: "acc",
		CustomerDetails:        core.CustomerDetails{FirstName: "Budi", LastName: "S", Email: "b@example.com", Phone: "0812"},
		MidtransSubscriptionID: "mt-" + id,
		Anchor:                 at(0), CurrentPeriodStart: at(0), CurrentPeriodEnd: at(720 * time.Hour),
		TrialStart: at(-168 * time.Hour), TrialEnd: at(0), Cycle: 1, NextBillingDate: at(720 * time.Hour),
		NextActionAt: next, DunningAttempts: 1, PastDueSince: at(2 * time.Hour), RemindersSent: 5,
		CancelAtPeriodEnd: true, CancelledAt: at(3 * time.Hour), CancelReason: "too pricey",
		EndsAt: at(8760 * time.Hour), PausedAt: at(4 * time.Hour), AutoPay: true, CouponID: newID(),
		CouponCyclesLeft: -1, ScheduledPlanID: newID(),
		PlanHistory:   []core.PlanChange{{FromPlanID: "a", ToPlanID: "b", At: at(5 * time.Hour), Immediate: true, Proration: "-1500.50"}},
		PendingCredit: rp("1500.50"), CreditNoteBalance: rp("2200.25"), AnchorCycle: 2, PendingPlanID: "pp", PendingPlanInvoiceID: "ppi", NativeAmount: rp("99000"), NativeDisabled: true, Metadata: map[string]any{"source": "web", "n": 2.0},
		CreatedAt: at(0), UpdatedAt: at(6 * time.Hour)}
}

func payment(id, owner, sub, order string, status core.PaymentStatus, created time.Time) core.Payment {
	return core.Payment{ID: id, OwnerID: owner, Purpose: core.PurposeSubscription, SubscriptionID: sub,
		InvoiceID: newID(), TopUpID: newID(), OrderID: order, TransactionID: "trx-" + order,
		PaymentType: core.PayGopay, Bank: "bni", Amount: rp("49000"), Status: status, FraudStatus: "accept",
		Details: map[string]any{"va": "123"}, MidtransStatus: map[string]any{"transaction_status": "pending"},
		Cycle: 2, Attempt: 1, RetryCount: 1, IsRetry: true, IdempotencyKey: "lgn-x", Superseded: true,
		Refunded: rp("1000.25"), GatewayRefunded: rp("1000.25"), RefundCheckAt: at(5 * time.Hour), FailureReason: "nope",
		Refunds:   []core.Refund{{Key: "r1", Amount: rp("1000.25"), Reason: "goodwill", Direct: true, Status: "done", ToWallet: true, External: true, CreatedAt: at(time.Hour)}},
		ExpiresAt: at(24 * time.Hour), PaidAt: at(time.Hour), CreatedAt: created, UpdatedAt: created.Add(time.Second)}
}

func invoice(id, owner, sub, key, number string, status core.InvoiceStatus, due time.Time) core.Invoice {
	return core.Invoice{ID: id, Number: number, OwnerID: owner, SubscriptionID: sub, Key: key, Cycle: 1,
		PeriodStart: at(0), PeriodEnd: at(720 * time.Hour), Status: status,
		Lines: []core.InvoiceLine{{Kind: core.LinePlan, Description: "Pro", Quantity: 2, UnitAmount: rp("49000"),
			Amount: rp("98000"), PeriodStart: at(0), PeriodEnd: at(720 * time.Hour)},
			{Kind: core.LineDiscount, Description: "promo", Quantity: 1, UnitAmount: rp("-0.01"), Amount: rp("-0.01")}},
		Subtotal: rp("98000"), Discount: rp("0.01"), Tax: rp("10780"), Total: rp("108779.99"), Currency: core.IDR,
		TaxBase: rp("89833.33"), TaxRate: must(core.ParseRate("0.12")), TaxInclusive: true,
		IssueDate: at(0), DueDate: due, PaidAt: at(time.Hour), PaymentID: newID(), CreatedAt: at(0), UpdatedAt: at(time.Minute)}
}

func webhookLog(id string, received time.Time, status core.WebhookStatus) core.WebhookLog {
	return core.WebhookLog{ID: id, Kind: core.NotifyPayment, OrderID: "SUB-1", EventKey: "SUB-1|settlement|200",
		Payload: []byte(`{"order_id":"SUB-1"}`), SourceIP: "10.0.0.1", ReceivedAt: received, SignatureValid: true,
		Status: status, Error: "none", ProcessedAt: received.Add(time.Second),
		PayloadSize: 20, PayloadSHA256: "ab12", ReplayOf: newID(), ReplayBy: newID()}
}

func figures(day string) core.DailyFigures {
	return core.DailyFigures{Day: day, SnapshotAt: at(time.Minute), MRR: map[core.Currency]core.Money{core.IDR: rp("1234567.89")},
		Subscribers: 12, Churned: 2, FailedPayments: 3, UpdatedAt: at(time.Hour)}
}

func wallet(id, owner string) core.Wallet {
	return core.Wallet{ID: id, OwnerID: owner, Balance: rp("150000.50"), IsActive: true, AutoPay: true,
		Entries: 3, CreatedAt: at(0), UpdatedAt: at(time.Hour)}
}

func entry(walletID string, seq int) core.WalletEntry {
	return core.WalletEntry{ID: newID(), WalletID: walletID, Seq: seq, Type: core.EntryTopUp, Amount: rp("-1000.50"),
		BalanceAfter: rp("5000"), ReferenceType: "topup", ReferenceID: newID(), Description: "top up", CreatedAt: at(0)}
}

func topUp(id, owner string) core.TopUp {
	return core.TopUp{ID: id, OwnerID: owner, WalletID: newID(), OrderID: "TOPUP-1", PaymentID: newID(),
		Amount: rp("50000"), Status: core.TopUpPaid, PaymentType: core.PayQRIS, Bank: "bri",
		Details: map[string]any{"qr": "x"}, CreatedAt: at(0), UpdatedAt: at(time.Hour), PaidAt: at(time.Hour)}
}

func method(id, owner, account string) core.PaymentMethod {
	return core.PaymentMethod{ID: id, OwnerID: owner, Type: core.PayGopay, AccountID: account, Token: "pot",
		MaskedCard: "4811-11xx-xxxx-1114", Status: core.MethodActive, ActivationURL: "https://x",
		ExpiresAt: at(time.Hour), CreatedAt: at(0), UpdatedAt: at(time.Minute)}
}

func notification(id, userID string, status core.NotificationStatus, next time.Time) core.Notification {
	return core.Notification{ID: id, EventID: newID(), UserID: userID, Type: core.EvPaymentSucceeded,
		Channel: core.ChannelEmail, Recipient: "b@example.com", Subject: "paid", Body: "thanks",
		Payload: map[string]any{"k": "v"}, Status: status, Attempts: 1, LastError: "timeout",
		NextAttemptAt: next, LeasedUntil: at(3 * time.Minute), CreatedAt: at(0), UpdatedAt: at(time.Minute), SentAt: at(time.Hour), ReadAt: at(2 * time.Hour)}
}

func event(typ string) core.Event {
	return core.Event{ID: newID(), Type: typ, OwnerID: newID(), OccurredAt: at(0),
		Data: map[string]any{"amount": "49000.00", "n": 1.0}}
}

func idem(key string, expires time.Time) core.IdempotencyRecord {
	return core.IdempotencyRecord{Key: key, RequestHash: "abc", Status: 201, Body: []byte(`{"id":1}`),
		CreatedAt: at(0), ExpiresAt: expires}
}

func session(id, userID, hash string, expires time.Time) core.Session {
	return core.Session{ID: id, UserID: userID, Hash: hash, Via: core.SessionPortalLink,
		ReturnURL: "https://shop.example/account", CreatedAt: at(0), ExpiresAt: expires}
}

func portalLink(id, userID, hash string, expires time.Time) core.PortalLink {
	return core.PortalLink{ID: id, UserID: userID, Hash: hash, ReturnURL: "https://shop.example/account",
		CreatedBy: newID(), CreatedAt: at(0), ExpiresAt: expires, UsedAt: at(time.Minute), SessionID: newID()}
}

func creditNote(id, owner, invoiceID, key, number string, issued time.Time) core.CreditNote {
	return core.CreditNote{ID: id, Number: number, Key: key, Reason: core.CreditRefund, OwnerID: owner,
		SubscriptionID: newID(), InvoiceID: invoiceID, InvoiceNumber: "INV/2026/000001", PaymentID: newID(),
		RefundKeys: []string{"RF-SUB-1-1", "wallet-x-2"}, Description: "Refund of order SUB-1",
		Amount: rp("20000"), TaxBase: rp("16513.76"), Tax: rp("1981"), TaxRate: must(core.ParseRate("0.12")),
		TaxInclusive: true, Currency: core.IDR, IssueDate: issued, CreatedAt: issued.Add(time.Second)}
}
