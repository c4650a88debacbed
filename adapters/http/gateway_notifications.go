package http

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// webhookNotification is POST /api/webhook/notification/: every kind of
// Midtrans notification (payment, Subscription API, Pay Account). It needs
// no credentials and trusts only the signature, which core checks. The raw
// body is handed over untouched; core stores it before anything else.
//
// Outcomes that Midtrans must not retry answer 200 with the outcome in
// "result": processed, duplicate, ignored (stale or out of order), and
// rejected (an amount mismatch, logged as an alert, nothing changed).
// Otherwise the error maps as usual: 403 bad signature, 404 unknown order,
// 400 unreadable body; a 5xx makes Midtrans retry.
func (s *Server) webhookNotification(c *fiber.Ctx) error {
	log, err := s.svc.ProcessNotification(c.UserContext(), c.Body(), c.IP())
	SetWebhookOutcome(c, webhookOutcomeOf(log, err))
	if err != nil {
		if errors.Is(err, core.ErrRateLimited) {
			c.Set(fiber.HeaderRetryAfter, "1")
		}
		return err
	}
	return c.JSON(webhookAck{Status: "ok", WebhookLogID: log.ID, Result: string(log.Status)})
}

type webhookAck struct {
	Status       string `json:"status" oa:"enum=ok"`
	WebhookLogID string `json:"webhook_log_id"`
	Result       string `json:"result" oa:"enum=webhook_result" doc:"processed; duplicate (applied before); ignored (stale or out of order); rejected (amount mismatch, nothing changed)"`
}

// midtransNotification documents the notification body; the handler hands
// the raw bytes to core and never decodes them here.
type midtransNotification struct {
	OrderID           string `json:"order_id"`
	TransactionStatus string `json:"transaction_status"`
	StatusCode        string `json:"status_code"`
	GrossAmount       string `json:"gross_amount"`
	SignatureKey      string `json:"signature_key"`
	FraudStatus       string `json:"fraud_status"`
	PaymentType       string `json:"payment_type"`
	TransactionID     string `json:"transaction_id"`
}

type webhookLogJSON struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind" oa:"enum=webhook_kind" doc:"Notification shape; empty if unreadable"`
	OrderID        string     `json:"order_id"`
	EventKey       string     `json:"event_key"`
	Payload        string     `json:"payload" doc:"The body as received, without card tokens and signatures (its first KiB only if it was not verified)"`
	SourceIP       string     `json:"source_ip"`
	ReceivedAt     time.Time  `json:"received_at"`
	SignatureValid bool       `json:"signature_valid"`
	Status         string     `json:"status" oa:"enum=webhook_status"`
	Error          string     `json:"error"`
	ProcessedAt    *time.Time `json:"processed_at"`
	// Set when payload holds only the first KiB of an unverified body.
	PayloadSize   int     `json:"payload_size,omitempty" doc:"Set when payload holds only the first KiB of an unverified body: the body's size"`
	PayloadSHA256 string  `json:"payload_sha256,omitempty" doc:"Set with payload_size: the hex SHA-256 of the whole body"`
	ReplayOf      *string `json:"replay_of" doc:"The stored log an admin applied again as this one; null for a notification as received"`
	ReplayBy      *string `json:"replay_by" doc:"The admin who applied it again (a user id); null for a notification as received"`
}

func toWebhookLogJSON(w core.WebhookLog) webhookLogJSON {
	return webhookLogJSON{ID: w.ID, Kind: string(w.Kind), OrderID: w.OrderID, EventKey: w.EventKey, Payload: redactPayload(w.Payload),
		SourceIP: w.SourceIP, ReceivedAt: w.ReceivedAt, SignatureValid: w.SignatureValid, Status: string(w.Status),
		Error: w.Error, ProcessedAt: optTime(w.ProcessedAt), PayloadSize: w.PayloadSize, PayloadSHA256: w.PayloadSHA256,
		ReplayOf: optString(w.ReplayOf), ReplayBy: optString(w.ReplayBy)}
}

// listWebhookLogs is the admin view of stored notifications, newest first.
func (s *Server) listWebhookLogs(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "order_id", "status")
	if err != nil {
		return err
	}
	list, total, err := s.svc.ListWebhookLogs(c.UserContext(), actor(c), core.WebhookLogFilter{
		OrderID: q.Get("order_id"), Status: q.Get("status"), Offset: q.Offset(), Limit: q.PageSize})
	if err != nil {
		return err
	}
	out := make([]webhookLogJSON, len(list))
	for i, w := range list {
		out[i] = toWebhookLogJSON(w)
	}
	return c.JSON(newPage(c, q, total, out))
}
