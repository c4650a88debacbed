package midtrans

import (
	"context"
	"strings"

	"github.com/langganan/langganan/core"
)

// Pay Account API (GoPay tokenization). It takes no
// Idempotency-Key, so create and unbind are never retried blindly: on
// ErrGatewayUnavailable the caller should look the account up first.

// CreatePayAccount is POST /v2/pay/account. 201 PENDING carries the
// activation links; 202 (user not found, wallet blocked) is ErrPaymentDeclined.
func (c *Client) CreatePayAccount(ctx context.Context, req core.PayAccountRequest) (core.PayAccount, error) {
	const op = "pay_account_create"
	phone := strings.TrimSpace(req.PhoneNumber)
	if phone == "" {
		return core.PayAccount{}, refuse(op, "phone number is required", core.ErrInvalid)
	}
	cc := req.CountryCode
	if cc == "" {
		cc = "62"
	}
	body := payAccountJSON{PaymentType: "gopay", GopayPartner: gopayPartnerJSON{PhoneNumber: phone, CountryCode: cc, RedirectURL: req.RedirectURL}}
	r, err := c.do(ctx, call{op: op, api: coreAPI, method: "POST", path: "/v2/pay/account", body: body, ok: okPayAccount, declineOn202: true})
	if err != nil {
		return core.PayAccount{}, err
	}
	return toCorePayAccount(r.raw), nil
}

// GetPayAccount is GET /v2/pay/account/{id}: 200 ENABLED with payment
// options, 201 PENDING, 204 EXPIRED or DISABLED.
func (c *Client) GetPayAccount(ctx context.Context, accountID string) (core.PayAccount, error) {
	const op = "pay_account_get"
	if strings.TrimSpace(accountID) == "" {
		return core.PayAccount{}, refuse(op, "account id is required", core.ErrInvalid)
	}
	r, err := c.do(ctx, call{op: op, api: coreAPI, method: "GET", path: "/v2/pay/account/" + escape(accountID), retry: true, ok: okPayAccount})
	if err != nil {
		return core.PayAccount{}, err
	}
	return toCorePayAccount(r.raw), nil
}

// UnbindPayAccount is POST /v2/pay/account/{id}/unbind (204 DISABLED).
func (c *Client) UnbindPayAccount(ctx context.Context, accountID string) (core.PayAccount, error) {
	const op = "pay_account_unbind"
	if strings.TrimSpace(accountID) == "" {
		return core.PayAccount{}, refuse(op, "account id is required", core.ErrInvalid)
	}
	r, err := c.do(ctx, call{op: op, api: coreAPI, method: "POST", path: "/v2/pay/account/" + escape(accountID) + "/unbind", ok: okPayAccount})
	if err != nil {
		return core.PayAccount{}, err
	}
	return toCorePayAccount(r.raw), nil
}

type payAccountJSON struct {
	PaymentType  string           `json:"payment_type"`
	GopayPartner gopayPartnerJSON `json:"gopay_partner"`
}

type gopayPartnerJSON struct {
	PhoneNumber string `json:"phone_number"`
	CountryCode string `json:"country_code"`
	RedirectURL string `json:"redirect_url,omitempty"`
}

func toCorePayAccount(m map[string]any) core.PayAccount {
	as := actions(m)
	a := core.PayAccount{
		AccountID:        str(m, "account_id"),
		Status:           strings.ToUpper(str(m, "account_status")),
		ActivationURL:    findAction(as, "activation-link-url"),
		ActivationAppURL: findAction(as, "activation-link-app"),
	}
	for _, o := range list(obj(m, "metadata"), "payment_options") {
		po, ok := o.(map[string]any)
		if !ok {
			continue
		}
		opt := core.PaymentOption{Name: str(po, "name"), Token: str(po, "token"), Active: parseBool(po["active"])}
		if bal, ok := parseMoney(obj(po, "balance")["value"]); ok {
			opt.Balance = bal
		}
		a.PaymentOptions = append(a.PaymentOptions, opt)
	}
	return a
}
