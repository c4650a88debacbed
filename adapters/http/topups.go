package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

type topUpJSON struct {
	ID             string         `json:"id"`
	OrderID        string         `json:"order_id"`
	WalletID       string         `json:"wallet_id"`
	PaymentID      *string        `json:"payment_id"`
	Amount         string         `json:"amount" oa:"ref=Money"`
	Status         string         `json:"status" oa:"enum=topup_status"`
	PaymentType    string         `json:"payment_type" oa:"enum=payment_type"`
	Bank           string         `json:"bank"`
	PaymentDetails map[string]any `json:"payment_details" doc:"VA number, QR or deeplink URL, ..."`
	SnapToken      string         `json:"snap_token,omitempty" doc:"Snap token (payment_type snap), for snap.js"`
	RedirectURL    string         `json:"redirect_url,omitempty" doc:"Snap payment page (payment_type snap)"`
	PaidAt         *time.Time     `json:"paid_at"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

func toTopUpJSON(t core.TopUp) topUpJSON {
	return topUpJSON{ID: t.ID, OrderID: t.OrderID, WalletID: t.WalletID, PaymentID: optString(t.PaymentID),
		Amount: money(t.Amount), Status: string(t.Status), PaymentType: string(t.PaymentType), Bank: t.Bank,
		PaymentDetails: emptyMap(redactGateway(t.Details)), SnapToken: snapDetail(t.PaymentType, t.Details, core.DetailSnapToken),
		RedirectURL: snapDetail(t.PaymentType, t.Details, core.DetailRedirectURL),
		PaidAt:      optTime(t.PaidAt), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// topUpRequest: amount is a whole-rupiah number or string; core checks
// the configured minimum and maximum.
type topUpRequest struct {
	OrganizationID  string               `json:"organization_id" validate:"omitempty,uuid" doc:"Fund this organization's wallet (its owner or admins)"`
	Amount          *amount              `json:"amount" oa:"ref=WholeRupiahInput,required,nonnull"`
	PaymentType     string               `json:"payment_type" validate:"required,max=32" oa:"enum=topup_payment_type"`
	Bank            string               `json:"bank" validate:"max=32"`
	CallbackURL     string               `json:"callback_url" validate:"omitempty,max=500,url"`
	CustomerDetails *customerDetailsJSON `json:"customer_details"`
	Token           string               `json:"token" validate:"max=255"`
	EnabledPayments []string             `json:"enabled_payments" validate:"max=30,dive,max=32" doc:"Snap channels offered (payment_type snap)"`
	FinishURL       string               `json:"finish_url" validate:"max=255" doc:"where the Snap page returns (payment_type snap)"`
}

var topUpStatuses = []string{string(core.TopUpPending), string(core.TopUpPaid), string(core.TopUpFailed), string(core.TopUpExpired)}

func (s *Server) listTopUps(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "payment_type")
	if err != nil {
		return err
	}
	if err := checkChoice("status", q.Get("status"), topUpStatuses); err != nil {
		return err
	}
	if err := checkChoice("payment_type", q.Get("payment_type"), paymentTypeNames()); err != nil {
		return err
	}
	list, err := s.svc.ListTopUps(c.UserContext(), actor(c), q.Get("status"), q.Get("payment_type"))
	if err != nil {
		return err
	}
	items := paginate(list, q)
	out := make([]topUpJSON, len(items))
	for i, t := range items {
		out[i] = toTopUpJSON(t)
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) createTopUp(c *fiber.Ctx) error {
	var req topUpRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if req.Amount == nil {
		return invalid("invalid input", map[string]string{"amount": "required"})
	}
	m, err := parseRupiah("amount", *req.Amount, false)
	if err != nil {
		return err
	}
	t, err := s.svc.CreateTopUp(c.UserContext(), actor(c), core.TopUpInput{
		OrganizationID: req.OrganizationID, Amount: m.Amount().String(), PaymentType: req.PaymentType, Bank: req.Bank, CallbackURL: req.CallbackURL,
		Customer: req.CustomerDetails.toCore(), Token: req.Token,
		Snap: core.SnapCheckout{EnabledPayments: req.EnabledPayments, FinishURL: req.FinishURL},
	})
	if err != nil {
		return err
	}
	c.Location("/api/topups/" + t.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(toTopUpJSON(t))
}

func (s *Server) getTopUp(c *fiber.Ctx) error {
	id, err := pathID(c, "top-up")
	if err != nil {
		return err
	}
	t, err := s.svc.GetTopUp(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toTopUpJSON(t))
}
