package midtrans

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// Status is GET /v2/{id}/status. Any 2xx and 407 (expired) is an answer,
// including 202 for a denied or cancelled transaction.
func (c *Client) Status(ctx context.Context, orderID string) (core.Transaction, error) {
	return c.txnCall(ctx, "status", "GET", orderID, "/status", okTxnState)
}

// Cancel is POST /v2/{id}/cancel.
func (c *Client) Cancel(ctx context.Context, orderID string) (core.Transaction, error) {
	return c.txnCall(ctx, "cancel", "POST", orderID, "/cancel", okTxnState)
}

// Expire is POST /v2/{id}/expire, whose success is body 407.
func (c *Client) Expire(ctx context.Context, orderID string) (core.Transaction, error) {
	return c.txnCall(ctx, "expire", "POST", orderID, "/expire", okTxnState)
}

// Approve is POST /v2/{id}/approve for a card challenged by fraud detection.
func (c *Client) Approve(ctx context.Context, orderID string) (core.Transaction, error) {
	return c.txnCall(ctx, "approve", "POST", orderID, "/approve", ok2xx)
}

// Deny is POST /v2/{id}/deny for a card challenged by fraud detection.
func (c *Client) Deny(ctx context.Context, orderID string) (core.Transaction, error) {
	return c.txnCall(ctx, "deny", "POST", orderID, "/deny", ok2xx)
}

func ok2xx(code int) bool        { return code >= 200 && code < 300 }
func okTxnState(code int) bool   { return ok2xx(code) || code == 407 }
func okCharge(code int) bool     { return code == 200 || code == 201 }
func okPayAccount(code int) bool { return code == 200 || code == 201 || code == 204 }

func (c *Client) txnCall(ctx context.Context, op, method, id, suffix string, ok func(int) bool) (core.Transaction, error) {
	if strings.TrimSpace(id) == "" {
		return core.Transaction{}, refuse(op, "order id is required", core.ErrInvalid)
	}
	cl := call{op: op, api: coreAPI, method: method, path: "/v2/" + escape(id) + suffix, ok: ok, retry: true}
	if method == "POST" {
		// Actions carry no key from core; a per-call key makes a retry after
		// a lost answer replay the first success instead of getting 412.
		cl.idemKey = newIdemKey()
	}
	r, err := c.do(ctx, cl)
	if err != nil {
		return txnOrZero(r), err
	}
	return toCoreTransaction(r.raw), nil
}

// txnOrZero keeps what Midtrans said about a failed call (e.g. a denied charge).
func txnOrZero(r *response) core.Transaction {
	if r == nil || r.raw == nil || str(r.raw, "transaction_status") == "" {
		return core.Transaction{}
	}
	return toCoreTransaction(r.raw)
}

// toCoreTransaction maps a charge/status/action/refund body.
func toCoreTransaction(m map[string]any) core.Transaction {
	t := core.Transaction{
		OrderID:           str(m, "order_id"),
		TransactionID:     str(m, "transaction_id"),
		StatusCode:        str(m, "status_code"),
		StatusMessage:     str(m, "status_message"),
		TransactionStatus: strings.ToLower(str(m, "transaction_status")),
		FraudStatus:       strings.ToLower(str(m, "fraud_status")),
		PaymentType:       strings.ToLower(str(m, "payment_type")),
		TransactionTime:   parseTime(m["transaction_time"]),
		SettlementTime:    parseTime(m["settlement_time"]),
		ExpiryTime:        parseTime(firstOf(m, "expiry_time", "expire_time")),
		SavedTokenID:      str(m, "saved_token_id"),
		SavedTokenExpiry:  parseTime(m["saved_token_id_expired_at"]),
		MaskedCard:        str(m, "masked_card"),
		LinkedAccountID:   snapLinkedAccount(m),
		Details:           toCoreDetails(m),
		Raw:               m,
		Refunds:           refundsOf(m),
	}
	if g, ok := parseMoney(m["gross_amount"]); ok {
		t.GrossAmount = g
	}
	return t
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil && flexString(v) != "" {
			return v
		}
	}
	return nil
}

// toCoreDetails normalises what a customer needs to pay, whatever the method.
// Keys: bank, va_number, bill_key, biller_code, payment_code, store,
// actions ([]map[string]string of name/method/url), deeplink_url,
// verification_url, qr_code_url, qr_string, redirect_url, acquirer,
// expiry_time (RFC 3339).
func toCoreDetails(m map[string]any) map[string]any {
	d := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	if vas := list(m, "va_numbers"); len(vas) > 0 {
		if va, ok := vas[0].(map[string]any); ok {
			set("bank", strings.ToLower(str(va, "bank")))
			set("va_number", str(va, "va_number"))
		}
	}
	if p := str(m, "permata_va_number"); p != "" {
		set("bank", "permata")
		set("va_number", p)
	}
	set("bill_key", str(m, "bill_key"))
	set("biller_code", str(m, "biller_code"))
	set("payment_code", str(m, "payment_code"))
	set("store", strings.ToLower(str(m, "store")))
	set("qr_string", str(m, "qr_string"))
	set("acquirer", str(m, "acquirer"))
	set("redirect_url", str(m, "redirect_url"))
	if as := actions(m); len(as) > 0 {
		out := make([]map[string]string, len(as))
		for i, a := range as {
			out[i] = map[string]string{"name": a.Name, "method": a.Method, "url": a.URL}
		}
		d["actions"] = out
		set("deeplink_url", findAction(as, "deeplink-redirect", "verification-link-app"))
		set("verification_url", findAction(as, "verification-link-url"))
		set("qr_code_url", findAction(as, "generate-qr-code", "generate-qr-code-v2"))
	}
	if t := parseTime(firstOf(m, "expiry_time", "expire_time")); !t.IsZero() {
		d["expiry_time"] = t.Format(time.RFC3339)
	}
	return d
}

// Refund is POST /v2/{id}/refund, or /refund/online/direct when req.Direct.
func (c *Client) Refund(ctx context.Context, orderID string, req core.RefundRequest) (core.RefundResult, error) {
	op := "refund"
	suffix := "/refund"
	if req.Direct {
		op, suffix = "direct_refund", "/refund/online/direct"
	}
	if strings.TrimSpace(orderID) == "" {
		return core.RefundResult{}, refuse(op, "order id is required", core.ErrInvalid)
	}
	body := refundJSON{RefundKey: req.RefundKey, Reason: req.Reason}
	if req.Amount.Valid() && !req.Amount.IsZero() {
		rp, err := rupiah(op, "amount", req.Amount)
		if err != nil {
			return core.RefundResult{}, err
		}
		if rp < 0 {
			return core.RefundResult{}, refuse(op, "amount must be positive", core.ErrInvalid)
		}
		body.Amount = rp
	}
	r, err := c.do(ctx, call{
		op: op, api: coreAPI, method: "POST", path: "/v2/" + escape(orderID) + suffix, body: body,
		idemKey: headerKey(req.IdempotencyKey),
		// A refund_key or an idempotency key makes a repeat the same refund.
		retry:        req.IdempotencyKey != "" || req.RefundKey != "",
		ok:           ok2xx,
		declineOn202: true, // "Refund denied by the bank" (direct refund)
	})
	if err != nil {
		if r != nil && r.raw != nil && str(r.raw, "transaction_status") != "" {
			return toCoreRefund(r.raw), err
		}
		return core.RefundResult{}, err
	}
	return toCoreRefund(r.raw), nil
}

type refundJSON struct {
	RefundKey string `json:"refund_key,omitempty"`
	Amount    int64  `json:"amount,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

func toCoreRefund(m map[string]any) core.RefundResult {
	res := core.RefundResult{
		Transaction:        toCoreTransaction(m),
		RefundKey:          str(m, "refund_key"),
		RefundChargebackID: parseInt64(m["refund_chargeback_id"]),
	}
	if a, ok := parseMoney(m["refund_amount"]); ok {
		res.RefundAmount = a
	}
	return res
}

// maxIdemKey is Midtrans' limit; longer keys are silently ignored,
// which would make a retry unsafe.
const maxIdemKey = 46

// headerKey passes a short printable key through and hashes anything else
// to a deterministic 46-character key, so every retry sends the same value.
func headerKey(k string) string {
	if k == "" {
		return ""
	}
	ok := len(k) <= maxIdemKey
	for i := 0; ok && i < len(k); i++ {
		ok = k[i] > ' ' && k[i] < 0x7f
	}
	if ok {
		return k
	}
	return "h-" + sha256Hex(k)[:maxIdemKey-2]
}

func newIdemKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "lg-" + hex.EncodeToString(b[:])
}
