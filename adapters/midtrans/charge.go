package midtrans

import (
	"context"
	"net/url"
	"strings"

	"github.com/langganan/langganan/core"
)

// Charge is POST /v2/charge.
//
// Outcomes: 200/201 succeed; 202 with a transaction_status is
// ErrPaymentDeclined and the returned Transaction still carries the body.
//
// Retries: a transient failure is retried only when req.IdempotencyKey is
// set and the method honours the key (not Permata VA or Indomaret, which
// ignore it); every attempt reuses the key and the order id, so Midtrans replays
// the first success rather than charging twice. Without a key a transient
// failure is returned at once as ErrGatewayUnavailable: the charge may or
// may not exist, and the caller should check Status(order id) before trying
// again with the same order id (a duplicate answers 406 = ErrDuplicateOrder).
func (c *Client) Charge(ctx context.Context, req core.ChargeRequest) (core.Transaction, error) {
	const op = "charge"
	body, err := fromCoreChargeRequest(req)
	if err != nil {
		return core.Transaction{}, err
	}
	r, err := c.do(ctx, call{
		op: op, api: coreAPI, method: "POST", path: "/v2/charge", body: body,
		idemKey:      headerKey(req.IdempotencyKey),
		notify:       req.NotificationURL,
		retry:        req.IdempotencyKey != "" && honoursIdempotencyKey(req),
		ok:           okCharge,
		declineOn202: true,
	})
	if err != nil {
		return txnOrZero(r), err
	}
	return toCoreTransaction(r.raw), nil
}

func honoursIdempotencyKey(req core.ChargeRequest) bool {
	bank := strings.ToLower(req.Bank)
	switch {
	case req.PaymentType == core.PayBankTransfer && bank == "permata":
		return false
	case req.PaymentType == core.PayCStore && bank == "indomaret":
		return false
	}
	return true
}

type chargeJSON struct {
	PaymentType        string          `json:"payment_type"`
	TransactionDetails txnDetailsJSON  `json:"transaction_details"`
	ItemDetails        []itemJSON      `json:"item_details,omitempty"`
	CustomerDetails    *customerJSON   `json:"customer_details,omitempty"`
	CustomExpiry       *expiryJSON     `json:"custom_expiry,omitempty"`
	BankTransfer       *bankJSON       `json:"bank_transfer,omitempty"`
	Echannel           *echannelJSON   `json:"echannel,omitempty"`
	Gopay              *gopayJSON      `json:"gopay,omitempty"`
	Shopeepay          *callbackJSON   `json:"shopeepay,omitempty"`
	Qris               *qrisJSON       `json:"qris,omitempty"`
	Cstore             *cstoreJSON     `json:"cstore,omitempty"`
	CreditCard         *creditCardJSON `json:"credit_card,omitempty"`
	Metadata           map[string]any  `json:"metadata,omitempty"`
}

type txnDetailsJSON struct {
	OrderID     string `json:"order_id"`
	GrossAmount int64  `json:"gross_amount"`
}

type itemJSON struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Price    int64  `json:"price"`
	Quantity int    `json:"quantity"`
}

type expiryJSON struct {
	ExpiryDuration int    `json:"expiry_duration"`
	Unit           string `json:"unit"`
}

type bankJSON struct {
	Bank string `json:"bank"`
}

type echannelJSON struct {
	BillInfo1 string `json:"bill_info1"`
	BillInfo2 string `json:"bill_info2"`
}

type gopayJSON struct {
	EnableCallback     bool   `json:"enable_callback,omitempty"`
	CallbackURL        string `json:"callback_url,omitempty"`
	AccountID          string `json:"account_id,omitempty"`
	PaymentOptionToken string `json:"payment_option_token,omitempty"`
}

type callbackJSON struct {
	CallbackURL string `json:"callback_url,omitempty"`
}

type qrisJSON struct {
	Acquirer string `json:"acquirer,omitempty"`
}

type cstoreJSON struct {
	Store string `json:"store"`
}

type creditCardJSON struct {
	TokenID        string `json:"token_id"`
	Authentication bool   `json:"authentication,omitempty"`
	SaveTokenID    bool   `json:"save_token_id,omitempty"`
	// Type "authorize" makes a pre-authorization, voided by cancel.
	Type string `json:"type,omitempty"`
}

// fromCoreChargeRequest validates and converts; every refusal happens here,
// before anything is sent.
// orderParts validates and converts the order a Core charge and a Snap
// transaction share: the order id, the gross amount in whole rupiah, and
// the items (names cut to Midtrans' 50 characters), whose sum must be the
// gross amount (Midtrans would answer 400; refusing here keeps a wrong
// total off the wire).
func orderParts(op string, req core.ChargeRequest) (txnDetailsJSON, []itemJSON, error) {
	if strings.TrimSpace(req.OrderID) == "" {
		return txnDetailsJSON{}, nil, refuse(op, "order id is required", core.ErrInvalid)
	}
	if len(req.OrderID) > 50 {
		return txnDetailsJSON{}, nil, refuse(op, "order id is longer than 50 characters", core.ErrInvalid)
	}
	gross, err := rupiah(op, "gross_amount", req.Amount)
	if err != nil {
		return txnDetailsJSON{}, nil, err
	}
	if gross <= 0 {
		return txnDetailsJSON{}, nil, refuse(op, "gross_amount must be positive", core.ErrInvalid)
	}
	var items []itemJSON
	var sum int64
	for _, it := range req.Items {
		p, err := rupiah(op, "item_details.price", it.Price)
		if err != nil {
			return txnDetailsJSON{}, nil, err
		}
		items = append(items, itemJSON{ID: it.ID, Name: cut(it.Name, 50), Price: p, Quantity: it.Quantity})
		sum += p * int64(it.Quantity)
	}
	if len(items) > 0 && sum != gross {
		return txnDetailsJSON{}, nil, refuse(op, "sum of item_details does not equal gross_amount", core.ErrInvalid)
	}
	return txnDetailsJSON{OrderID: req.OrderID, GrossAmount: gross}, items, nil
}

func fromCoreChargeRequest(req core.ChargeRequest) (*chargeJSON, error) {
	const op = "charge"
	details, items, err := orderParts(op, req)
	if err != nil {
		return nil, err
	}
	b := &chargeJSON{
		PaymentType:        string(req.PaymentType),
		TransactionDetails: details,
		ItemDetails:        items,
		CustomerDetails:    fromCoreCustomer(req.Customer),
	}
	if req.ExpiryMinutes > 0 {
		b.CustomExpiry = &expiryJSON{ExpiryDuration: req.ExpiryMinutes, Unit: "minute"}
	}
	if len(req.Metadata) > 0 {
		b.Metadata = req.Metadata
	}
	bank := strings.ToLower(strings.TrimSpace(req.Bank))
	switch req.PaymentType {
	case core.PayBankTransfer:
		switch bank {
		case "bca", "bni", "bri", "cimb", "permata":
		default:
			return nil, refuse(op, "bank_transfer needs bank bca, bni, bri, cimb or permata", core.ErrInvalid)
		}
		b.BankTransfer = &bankJSON{Bank: bank}
	case core.PayEchannel:
		// bill_info1/2 are required; label ≤ 10 and value ≤ 30 characters.
		info := "Subscription"
		if len(req.Items) > 0 && req.Items[0].Name != "" {
			info = req.Items[0].Name
		}
		b.Echannel = &echannelJSON{BillInfo1: "Payment:", BillInfo2: cut(info, 30)}
	case core.PayGopay:
		g := &gopayJSON{CallbackURL: req.CallbackURL, EnableCallback: req.CallbackURL != ""}
		if req.GopayPaymentOptionToken != "" {
			g = &gopayJSON{CallbackURL: req.CallbackURL, AccountID: req.GopayAccountID, PaymentOptionToken: req.GopayPaymentOptionToken}
		}
		b.Gopay = g
	case core.PayShopeepay:
		if req.CallbackURL != "" {
			b.Shopeepay = &callbackJSON{CallbackURL: req.CallbackURL}
		}
	case core.PayQRIS:
		if bank != "" { // the acquirer, when the caller picks one
			b.Qris = &qrisJSON{Acquirer: bank}
		}
	case core.PayCStore:
		if bank != "alfamart" && bank != "indomaret" {
			return nil, refuse(op, "cstore needs store alfamart or indomaret", core.ErrInvalid)
		}
		b.Cstore = &cstoreJSON{Store: bank}
	case core.PayCreditCard:
		if req.CardToken == "" {
			return nil, refuse(op, "credit_card needs a token_id", core.ErrInvalid)
		}
		b.CreditCard = &creditCardJSON{TokenID: req.CardToken, Authentication: req.Authentication, SaveTokenID: req.SaveCard}
		if req.PreAuthorize {
			b.CreditCard.Type = "authorize"
		}
	default:
		return nil, refuse(op, "payment type "+string(req.PaymentType)+" cannot be charged at Midtrans", core.ErrInvalid)
	}
	return b, nil
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// CardToken is GET /v2/token: it turns sandbox card data into a one-time
// token_id (for tests; production tokens come from the browser). It
// authenticates with the client key, not the server key.
func (c *Client) CardToken(ctx context.Context, cardNumber, expMonth, expYear, cvv string) (string, error) {
	const op = "card_token"
	if c.ClientKey == "" {
		return "", refuse(op, "client key is not configured", core.ErrInvalid)
	}
	q := url.Values{}
	q.Set("client_key", c.ClientKey)
	q.Set("card_number", strings.ReplaceAll(cardNumber, " ", ""))
	q.Set("card_exp_month", expMonth)
	q.Set("card_exp_year", expYear)
	q.Set("card_cvv", cvv)
	r, err := c.do(ctx, call{op: op, api: coreAPI, method: "GET", path: "/v2/token", query: q, noAuth: true, retry: true, ok: okCharge})
	if err != nil {
		return "", err
	}
	tok := str(r.raw, "token_id")
	if tok == "" {
		return "", &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: op, StatusCode: r.codeText, Message: "response has no token_id"}
	}
	return tok, nil
}
