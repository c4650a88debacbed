package http

import (
	"context"

	"github.com/gofiber/fiber/v2"
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

	ProcessNotification(ctx context.Context, payload []byte, sourceIP string) (core.WebhookLog, error)
	ListWebhookLogs(ctx context.Context, a core.Actor, limit int) ([]core.WebhookLog, error)

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

// lifecycleRoutes registers subscriptions, payments, invoices, the webhook,
// payment methods, the wallet and top-ups.
//
// Every state-changing POST here honours an Idempotency-Key header (see
// idempotency.go): the first answer is kept 24 h and replayed.
//
// Cancelling: POST /api/subscriptions/{id}/cancel/ takes
// {"reason","immediate","undo"}; {"undo": true} reverses a cancel that was
// scheduled for the period end, while the period lasts.
func (s *Server) lifecycleRoutes(api, admin fiber.Router) {
	idem := s.idem

	// The webhook (POST /api/webhook/notification/) is registered in
	// NewServer, before user authentication: only its signature counts.

	subs := api.Group("/subscriptions", requireUser)
	subs.Get("/", s.listSubscriptions)
	subs.Post("/", idem, s.createSubscription)
	subs.Get("/active/", s.activeSubscription) // before /:id/
	subs.Get("/:id/", s.getSubscription)
	subs.Post("/:id/cancel/", idem, s.cancelSubscription)
	subs.Post("/:id/pause/", idem, s.pauseSubscription)
	subs.Post("/:id/resume/", idem, s.resumeSubscription)
	subs.Post("/:id/change-plan/", idem, s.changePlan)
	subs.Get("/:id/sync/", s.syncSubscription)
	subs.Post("/:id/sync/", s.syncSubscription)

	pays := api.Group("/payments", requireUser)
	pays.Get("/", s.listPayments)
	pays.Post("/charge/", idem, s.chargePayment)
	pays.Get("/:id/", s.getPayment)
	pays.Post("/:id/refund/", idem, s.refundPayment)
	pays.Get("/:id/check-status/", s.checkPaymentStatus)

	invs := api.Group("/invoices", requireUser)
	invs.Get("/", s.listInvoices)
	invs.Get("/:id/", s.getInvoice)

	methods := api.Group("/payment-methods", requireUser)
	methods.Get("/", s.listPaymentMethods)
	methods.Post("/gopay/", idem, s.linkGopay)
	methods.Delete("/:id/", s.deletePaymentMethod)

	wallet := api.Group("/wallet", requireUser)
	wallet.Get("/me/", s.getWallet)
	wallet.Patch("/me/", s.patchWallet)
	wallet.Get("/transactions/", s.listWalletEntries)

	tops := api.Group("/topups", requireUser)
	tops.Get("/", s.listTopUps)
	tops.Post("/", idem, s.createTopUp)
	tops.Get("/:id/", s.getTopUp)

	admin.Post("/wallets/:id/adjust/", idem, s.adjustWallet)
	admin.Get("/ledger/check/", s.checkLedgers)
	admin.Get("/webhook-logs/", s.listWebhookLogs)
}
