package midtrans

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// snapBaseURL is the Snap host for BaseURL: Midtrans serves Snap on app.
// where Core is on api. (as the official clients derive it); any other host
// (an emulator) serves both.
func (c *Client) snapBaseURL() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil || !strings.HasPrefix(u.Host, "api.") {
		return c.BaseURL
	}
	u.Host = "app." + strings.TrimPrefix(u.Host, "api.")
	return strings.TrimRight(u.String(), "/")
}

type snapJSON struct {
	TransactionDetails txnDetailsJSON  `json:"transaction_details"`
	ItemDetails        []itemJSON      `json:"item_details,omitempty"`
	CustomerDetails    *customerJSON   `json:"customer_details,omitempty"`
	EnabledPayments    []string        `json:"enabled_payments,omitempty"`
	CreditCard         *snapCardJSON   `json:"credit_card,omitempty"`
	UserID             string          `json:"user_id,omitempty"`
	Gopay              *snapGopayJSON  `json:"gopay,omitempty"`
	Callbacks          *snapFinishJSON `json:"callbacks,omitempty"`
	Expiry             *snapExpiryJSON `json:"expiry,omitempty"`
	PageExpiry         *snapExpiryJSON `json:"page_expiry,omitempty"`
	Recurring          *snapRecurJSON  `json:"recurring,omitempty"`
	Metadata           map[string]any  `json:"metadata,omitempty"`
}

type snapCardJSON struct {
	Secure   bool `json:"secure"`
	SaveCard bool `json:"save_card"`
}

type snapGopayJSON struct {
	Tokenization bool `json:"tokenization"`
}

type snapFinishJSON struct {
	Finish string `json:"finish"`
}

type snapExpiryJSON struct {
	StartTime string `json:"start_time,omitempty"`
	Unit      string `json:"unit"`
	Duration  int    `json:"duration"`
}

type snapRecurJSON struct {
	Required     bool   `json:"required"`
	IntervalUnit string `json:"interval_unit,omitempty"`
}

// fromCoreSnapRequest validates and converts a snap request.
func fromCoreSnapRequest(req core.ChargeRequest) (*snapJSON, error) {
	const op = "snap"
	if req.Snap == nil {
		return nil, refuse(op, "snap options are required", core.ErrInvalid)
	}
	details, items, err := orderParts(op, req)
	if err != nil {
		return nil, err
	}
	o := req.Snap
	b := &snapJSON{
		TransactionDetails: details,
		ItemDetails:        items,
		CustomerDetails:    fromCoreCustomer(req.Customer),
		EnabledPayments:    o.EnabledPayments,
		UserID:             o.UserID,
		CreditCard:         &snapCardJSON{Secure: true, SaveCard: o.Recurring},
		Metadata:           req.Metadata,
	}
	if o.FinishURL != "" {
		b.Callbacks = &snapFinishJSON{Finish: o.FinishURL}
	}
	if o.Recurring {
		b.Gopay = &snapGopayJSON{Tokenization: true}
		b.Recurring = &snapRecurJSON{Required: true, IntervalUnit: string(o.RecurringUnit)}
	}
	if req.ExpiryMinutes > 0 {
		// The page and the order it makes expire together, at the time the
		// payment records as its expiry.
		b.Expiry = &snapExpiryJSON{StartTime: o.StartTime.In(wib).Format("2006-01-02 15:04:05 -0700"), Unit: "minute", Duration: req.ExpiryMinutes}
		b.PageExpiry = &snapExpiryJSON{Unit: "minute", Duration: req.ExpiryMinutes}
	}
	return b, nil
}

// CreateSnap is POST /snap/v1/transactions. Midtrans lets the same order id
// have a new token until a method is chosen, so a retry is harmless; once
// chosen, the order id is refused as used, which is reported as a
// duplicate order for reconciliation to adopt.
func (c *Client) CreateSnap(ctx context.Context, req core.ChargeRequest) (core.Transaction, error) {
	const op = "snap"
	body, err := fromCoreSnapRequest(req)
	if err != nil {
		return core.Transaction{}, err
	}
	r, err := c.do(ctx, call{op: op, api: subAPI, base: c.snapBaseURL(), method: "POST", path: "/snap/v1/transactions",
		body: body, notify: req.NotificationURL, retry: true, ok: func(code int) bool { return code == 200 || code == 201 }})
	if err != nil {
		return core.Transaction{}, snapError(r, err)
	}
	tok, page := flexString(r.raw["token"]), flexString(r.raw["redirect_url"])
	if tok == "" || page == "" {
		return core.Transaction{}, &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: op, Message: "Snap answered without token or redirect_url"}
	}
	t := core.Transaction{OrderID: req.OrderID, StatusCode: "201", TransactionStatus: "pending", PaymentType: "snap",
		GrossAmount: req.Amount, Details: map[string]any{core.DetailSnapToken: tok, core.DetailRedirectURL: page}}
	if req.ExpiryMinutes > 0 {
		t.ExpiryTime = req.Snap.StartTime.Add(time.Duration(req.ExpiryMinutes) * time.Minute).UTC()
	}
	return t, nil
}

// snapError reads Snap's {"error_messages": [...]} into the gateway error.
func snapError(r *response, err error) error {
	var ge *core.GatewayError
	if r == nil || r.raw == nil || !errors.As(err, &ge) {
		return err
	}
	list, _ := r.raw["error_messages"].([]any)
	for _, m := range list {
		ge.ValidationMessages = append(ge.ValidationMessages, truncate(flexString(m), 300))
	}
	if len(ge.ValidationMessages) > 0 && ge.Message == "" {
		ge.Message = ge.ValidationMessages[0]
	}
	if strings.Contains(ge.Message, "has been paid and utilized") || strings.Contains(ge.Message, "sudah digunakan") {
		ge.Kind = core.ErrDuplicateOrder
	}
	return ge
}

// snapLinkedAccount reads metadata.extra_info.account_id, the GoPay account
// a customer linked inside Snap.
func snapLinkedAccount(m map[string]any) string {
	meta, _ := m["metadata"].(map[string]any)
	extra, _ := meta["extra_info"].(map[string]any)
	return flexString(extra["account_id"])
}
