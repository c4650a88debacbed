package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// paymentJSON is one Midtrans order (or wallet debit) as the API shows it.
type paymentJSON struct {
	ID             string         `json:"id"`
	OrderID        string         `json:"order_id"`
	TransactionID  string         `json:"transaction_id"`
	Purpose        string         `json:"purpose" oa:"enum=payment_purpose" doc:"card_check: the voided pre-authorization that verified a trial's card"`
	SubscriptionID *string        `json:"subscription_id"`
	InvoiceID      *string        `json:"invoice_id"`
	TopUpID        *string        `json:"topup_id"`
	PaymentType    string         `json:"payment_type" oa:"enum=payment_type"`
	Bank           string         `json:"bank"`
	GrossAmount    string         `json:"gross_amount" oa:"ref=Money"`
	Currency       string         `json:"currency"`
	Status         string         `json:"status" oa:"enum=payment_status"`
	FraudStatus    string         `json:"fraud_status"`
	PaymentDetails map[string]any `json:"payment_details" doc:"VA number, QR or deeplink URL, ..."`
	SnapToken      string         `json:"snap_token,omitempty" doc:"Snap token (payment_type snap), for snap.js"`
	RedirectURL    string         `json:"redirect_url,omitempty" doc:"Snap payment page (payment_type snap)"`
	MidtransStatus map[string]any `json:"midtrans_status" oa:"null" doc:"Last status object from Midtrans"`
	Cycle          int            `json:"cycle"`
	RetryCount     int            `json:"retry_count"`
	IsRetry        bool           `json:"is_retry"`
	Superseded     bool           `json:"superseded"`
	RefundedAmount string         `json:"refunded_amount" oa:"ref=Money"`
	Refunds        []refundJSON   `json:"refunds"`
	FailureReason  string         `json:"failure_reason"`
	ExpiresAt      *time.Time     `json:"expires_at"`
	PaidAt         *time.Time     `json:"paid_at"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

type refundJSON struct {
	RefundKey string    `json:"refund_key"`
	Amount    string    `json:"amount" oa:"ref=Money"`
	Reason    string    `json:"reason"`
	Direct    bool      `json:"direct"`
	Status    string    `json:"status"`
	ToWallet  bool      `json:"to_wallet"`
	CreatedAt time.Time `json:"created_at"`
}

func toPaymentJSON(p core.Payment) paymentJSON {
	j := paymentJSON{
		ID: p.ID, OrderID: p.OrderID, TransactionID: p.TransactionID, Purpose: string(p.Purpose),
		SubscriptionID: optString(p.SubscriptionID), InvoiceID: optString(p.InvoiceID), TopUpID: optString(p.TopUpID),
		PaymentType: string(p.PaymentType), Bank: p.Bank, GrossAmount: money(p.Amount), Currency: string(p.Amount.Currency()),
		Status: string(p.Status), FraudStatus: p.FraudStatus, PaymentDetails: emptyMap(redactGateway(p.Details)),
		MidtransStatus: redactGateway(p.MidtransStatus), Cycle: p.Cycle, RetryCount: p.RetryCount, IsRetry: p.IsRetry,
		Superseded: p.Superseded, RefundedAmount: money(p.Refunded), Refunds: make([]refundJSON, len(p.Refunds)),
		FailureReason: p.FailureReason, ExpiresAt: optTime(p.ExpiresAt), PaidAt: optTime(p.PaidAt),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		SnapToken: snapDetail(p.PaymentType, p.Details, core.DetailSnapToken), RedirectURL: snapDetail(p.PaymentType, p.Details, core.DetailRedirectURL),
	}
	if j.Currency == "" {
		j.Currency = string(core.IDR)
	}
	for i, r := range p.Refunds {
		j.Refunds[i] = refundJSON{RefundKey: r.Key, Amount: money(r.Amount), Reason: r.Reason, Direct: r.Direct,
			Status: r.Status, ToWallet: r.ToWallet, CreatedAt: r.CreatedAt}
	}
	return j
}

var paymentStatuses = []string{
	string(core.PaymentCreating), string(core.PaymentPending), string(core.PaymentChallenge), string(core.PaymentPaid),
	string(core.PaymentFailed), string(core.PaymentCancelled), string(core.PaymentExpired),
	string(core.PaymentRefunded), string(core.PaymentPartiallyRefunded),
}

func (s *Server) listPayments(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "payment_type", "ordering")
	if err != nil {
		return err
	}
	if err := checkChoice("status", q.Get("status"), paymentStatuses); err != nil {
		return err
	}
	if err := checkChoice("payment_type", q.Get("payment_type"), paymentTypeNames()); err != nil {
		return err
	}
	list, err := s.svc.ListPayments(c.UserContext(), actor(c), core.PaymentFilter{
		Status: q.Get("status"), PaymentType: q.Get("payment_type"), Ordering: q.Get("ordering"),
	})
	if err != nil {
		return err
	}
	items := paginate(list, q)
	out := make([]paymentJSON, len(items))
	for i, p := range items {
		out[i] = toPaymentJSON(p)
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) getPayment(c *fiber.Ctx) error {
	id, err := pathID(c, "payment")
	if err != nil {
		return err
	}
	p, err := s.svc.GetPayment(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toPaymentJSON(p))
}

type chargeRequest struct {
	SubscriptionID  string   `json:"subscription_id" validate:"required,max=64"`
	PaymentType     string   `json:"payment_type" validate:"max=32" doc:"snap charges the cycle on a Snap page; absent: the subscription's own method"`
	EnabledPayments []string `json:"enabled_payments" validate:"max=30,dive,max=32" doc:"Snap channels offered (payment_type snap)"`
	FinishURL       string   `json:"finish_url" validate:"max=255" doc:"where the Snap page returns (payment_type snap)"`
}

// chargePayment issues a new charge for a subscription's open invoice.
func (s *Server) chargePayment(c *fiber.Ctx) error {
	var req chargeRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if !core.IsUUID(req.SubscriptionID) {
		return core.NotFoundf("subscription not found")
	}
	p, err := s.svc.ChargeSubscriptionWith(c.UserContext(), actor(c), req.SubscriptionID, core.ChargeInput{
		PaymentType: req.PaymentType, Snap: core.SnapCheckout{EnabledPayments: req.EnabledPayments, FinishURL: req.FinishURL}})
	if err != nil {
		return err
	}
	c.Location("/api/payments/" + p.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(toPaymentJSON(p))
}

// refundRequest: amount absent (or null) refunds what is left; otherwise a
// positive whole-rupiah amount, as a number or a string.
// to_wallet credits the customer's wallet instead of refunding through
// Midtrans (the only way for virtual accounts, Mandiri bill and cstore).
type refundRequest struct {
	Amount   *amount `json:"amount" oa:"ref=WholeRupiahInput"`
	Reason   string  `json:"reason" validate:"max=500"`
	Direct   bool    `json:"direct" doc:"Midtrans direct refund (gopay, shopeepay, qris)"`
	ToWallet bool    `json:"to_wallet" doc:"Credit the customer's wallet instead of refunding through Midtrans: the only way for bank_transfer, echannel and cstore payments"`
}

func (s *Server) refundPayment(c *fiber.Ctx) error {
	id, err := pathID(c, "payment")
	if err != nil {
		return err
	}
	var req refundRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	var amt *core.Money
	if req.Amount != nil {
		m, err := parseRupiah("amount", *req.Amount, false)
		if err != nil {
			return err
		}
		amt = &m
	}
	p, err := s.svc.RefundPayment(c.UserContext(), actor(c), id,
		core.RefundInput{Amount: amt, Reason: req.Reason, Direct: req.Direct, ToWallet: req.ToWallet})
	if err != nil {
		return err
	}
	if p.RefundRequested() {
		// Midtrans' answer was lost: the refund is reserved and will be
		// sent again under its key; asking again would refund twice.
		c.Status(fiber.StatusAccepted)
	}
	return c.JSON(toPaymentJSON(p))
}

// checkPaymentStatus asks Midtrans and answers both views. midtrans_status
// is null for wallet payments, which never went to Midtrans.
func (s *Server) checkPaymentStatus(c *fiber.Ctx) error {
	id, err := pathID(c, "payment")
	if err != nil {
		return err
	}
	p, raw, err := s.svc.CheckPaymentStatus(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(statusCheckJSON{LocalStatus: string(p.Status), MidtransStatus: redactGateway(raw), Payment: toPaymentJSON(p)})
}

type statusCheckJSON struct {
	LocalStatus    string         `json:"local_status" oa:"enum=payment_status"`
	MidtransStatus map[string]any `json:"midtrans_status" oa:"null" doc:"Midtrans' status object; null for wallet payments"`
	Payment        paymentJSON    `json:"payment"`
}
