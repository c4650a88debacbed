package http

import (
	"context"

	"github.com/langganan/langganan/core"
)

// LifecycleService is what the handlers of this area need from core:
// subscriptions, payments, invoices, the webhook, payment methods, the
// wallet, top-ups and Idempotency-Key records.
type LifecycleService interface {
	IdempotencyStore

	CreateSubscription(ctx context.Context, a core.Actor, in core.CreateSubscriptionInput) (core.SubscriptionResult, error)
	ListSubscriptions(ctx context.Context, a core.Actor, f core.SubscriptionFilter) ([]core.Subscription, error)
	GetSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	GetActiveSubscription(ctx context.Context, a core.Actor) (core.Subscription, error)
	CancelSubscription(ctx context.Context, a core.Actor, id, reason string, immediate, undo bool) (core.Subscription, error)
	PauseSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	ResumeSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	ChangePlan(ctx context.Context, a core.Actor, id, planRef string, immediate *bool) (core.Subscription, error)
	SyncSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	GetPlanByID(ctx context.Context, id string) (core.Plan, error)

	ListPayments(ctx context.Context, a core.Actor, f core.PaymentFilter) ([]core.Payment, error)
	GetPayment(ctx context.Context, a core.Actor, id string) (core.Payment, error)
	ChargeSubscription(ctx context.Context, a core.Actor, subID string) (core.Payment, error)
	ChargeSubscriptionWith(ctx context.Context, a core.Actor, subID string, in core.ChargeInput) (core.Payment, error)
	RefundPayment(ctx context.Context, a core.Actor, id string, in core.RefundInput) (core.Payment, error)
	CheckPaymentStatus(ctx context.Context, a core.Actor, id string) (core.Payment, map[string]any, error)

	ListInvoices(ctx context.Context, a core.Actor, f core.InvoiceFilter) ([]core.Invoice, error)
	GetInvoice(ctx context.Context, a core.Actor, id string) (core.Invoice, error)
	ListCreditNotes(ctx context.Context, a core.Actor, f core.CreditNoteFilter) ([]core.CreditNote, error)
	GetCreditNote(ctx context.Context, a core.Actor, id string) (core.CreditNote, error)
	CreditNotesOf(ctx context.Context, a core.Actor, invoiceIDs ...string) (map[string][]core.CreditNote, error)

	ProcessNotification(ctx context.Context, payload []byte, sourceIP string) (core.WebhookLog, error)
	ListWebhookLogs(ctx context.Context, a core.Actor, f core.WebhookLogFilter) ([]core.WebhookLog, int, error)

	LinkGopay(ctx context.Context, a core.Actor, phone, redirectURL string) (core.PaymentMethod, error)
	ListPaymentMethods(ctx context.Context, a core.Actor) ([]core.PaymentMethod, error)
	DeletePaymentMethod(ctx context.Context, a core.Actor, id string) error

	GetWallet(ctx context.Context, a core.Actor) (core.Wallet, error)
	GetOrgWallet(ctx context.Context, a core.Actor, orgID string) (core.Wallet, error)
	SetAutoPay(ctx context.Context, a core.Actor, on bool) (core.Wallet, error)
	ListWalletEntries(ctx context.Context, a core.Actor, typ, ordering string) ([]core.WalletEntry, error)
	AdjustWallet(ctx context.Context, a core.Actor, walletID string, amount core.Money, reason string) (core.WalletEntry, error)
	CheckLedgers(ctx context.Context) ([]core.LedgerProblem, int, error)

	CreateTopUp(ctx context.Context, a core.Actor, in core.TopUpInput) (core.TopUp, error)
	GetTopUp(ctx context.Context, a core.Actor, id string) (core.TopUp, error)
	ListTopUps(ctx context.Context, a core.Actor, status, paymentType string) ([]core.TopUp, error)
}

var _ LifecycleService = (*core.Service)(nil)
