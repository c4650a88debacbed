package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// paymentMethodJSON never shows the card token or GoPay payment-option token.
type paymentMethodJSON struct {
	ID            string     `json:"id"`
	Type          string     `json:"type" oa:"enum=method_type"`
	Status        string     `json:"status" oa:"enum=method_status"`
	AccountID     string     `json:"account_id"`
	ActivationURL string     `json:"activation_url" doc:"Where the customer confirms a GoPay link"`
	MaskedCard    string     `json:"masked_card"`
	ExpiresAt     *time.Time `json:"expires_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func toPaymentMethodJSON(m core.PaymentMethod) paymentMethodJSON {
	return paymentMethodJSON{ID: m.ID, Type: string(m.Type), Status: string(m.Status), AccountID: m.AccountID,
		ActivationURL: m.ActivationURL, MaskedCard: m.MaskedCard, ExpiresAt: optTime(m.ExpiresAt),
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

type linkGopayRequest struct {
	PhoneNumber string `json:"phone_number" validate:"required,max=20"`
	RedirectURL string `json:"redirect_url" validate:"omitempty,max=500,url"`
}

// linkGopay starts linking a GoPay account; the answer carries the
// activation_url the customer opens. The method stays pending until the
// Pay Account notification (or a poll by the list) says it is enabled.
func (s *Server) linkGopay(c *fiber.Ctx) error {
	var req linkGopayRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	m, err := s.svc.LinkGopay(c.UserContext(), actor(c), req.PhoneNumber, req.RedirectURL)
	if err != nil {
		return err
	}
	c.Location("/api/payment-methods/" + m.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(toPaymentMethodJSON(m))
}

func (s *Server) listPaymentMethods(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, err := s.svc.ListPaymentMethods(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	items := paginate(list, q)
	out := make([]paymentMethodJSON, len(items))
	for i, m := range items {
		out[i] = toPaymentMethodJSON(m)
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) deletePaymentMethod(c *fiber.Ctx) error {
	id, err := pathID(c, "payment method")
	if err != nil {
		return err
	}
	if err := s.svc.DeletePaymentMethod(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
