package fakemidtrans

import (
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

const merchantID = "G812785002"

type vaNumber struct {
	Bank     string `json:"bank"`
	VANumber string `json:"va_number"`
}

type action struct {
	Name   string   `json:"name"`
	Method string   `json:"method"`
	URL    string   `json:"url"`
	Fields []string `json:"fields,omitempty"`
}

type paymentAmount struct {
	PaidAt string `json:"paid_at"`
	Amount string `json:"amount"`
}

// refund is one refund of a transaction; amounts are whole rupiah.
type refund struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	Key       string    `json:"key"`
	Amount    int64     `json:"amount"`
	Reason    string    `json:"reason,omitempty"`
	Method    string    `json:"method"`
	CreatedAt time.Time `json:"created_at"`
}

// txn is one transaction. Fields are exported so the bbolt snapshot can round-trip them.
type txn struct {
	ID           string          `json:"id"`
	OrderID      string          `json:"order_id"`
	PaymentType  string          `json:"payment_type"`
	Gross        int64           `json:"gross"`
	Status       string          `json:"status"`
	Fraud        string          `json:"fraud,omitempty"`
	Created      time.Time       `json:"created"`
	Expiry       time.Time       `json:"expiry,omitempty"`
	ReviewBy     time.Time       `json:"review_by,omitempty"` // a challenged capture not approved or denied by then is cancelled
	Settled      time.Time       `json:"settled,omitempty"`
	Updated      time.Time       `json:"updated"`
	Bank         string          `json:"bank,omitempty"`
	VA           string          `json:"va,omitempty"`
	BillKey      string          `json:"bill_key,omitempty"`
	BillerCode   string          `json:"biller_code,omitempty"`
	PaymentCode  string          `json:"payment_code,omitempty"`
	Store        string          `json:"store,omitempty"`
	Acquirer     string          `json:"acquirer,omitempty"`
	QRString     string          `json:"qr_string,omitempty"`
	CallbackURL  string          `json:"callback_url,omitempty"`
	Card         string          `json:"card,omitempty"` // full sandbox PAN, never shown on the wire
	Masked       string          `json:"masked,omitempty"`
	CardBank     string          `json:"card_bank,omitempty"`
	ThreeDS      bool            `json:"three_ds,omitempty"`
	PreAuth      bool            `json:"pre_auth,omitempty"`
	SavedToken   string          `json:"saved_token,omitempty"`
	SavedExpiry  time.Time       `json:"saved_expiry,omitempty"`
	ChannelCode  string          `json:"channel_code,omitempty"`
	ChannelMsg   string          `json:"channel_msg,omitempty"`
	ApprovalCode string          `json:"approval_code,omitempty"`
	OptionType   string          `json:"option_type,omitempty"`
	AccountID    string          `json:"account_id,omitempty"`
	Refunds      []refund        `json:"refunds,omitempty"`
	Custom1      string          `json:"custom1,omitempty"`
	Custom2      string          `json:"custom2,omitempty"`
	Custom3      string          `json:"custom3,omitempty"`
	Metadata     json.RawMessage `json:"metadata,omitempty"`
	Notify       []string        `json:"notify,omitempty"` // per-request notification URLs
	NotifyMode   string          `json:"notify_mode,omitempty"`
	Subscription string          `json:"subscription,omitempty"`
	Seq          int64           `json:"seq"`
}

func (t *txn) refunded() int64 {
	var n int64
	for _, r := range t.Refunds {
		n += r.Amount
	}
	return n
}

// txnJSON is the wire shape shared by charge, status and notification bodies.
type txnJSON struct {
	StatusCode             string          `json:"status_code"`
	StatusMessage          string          `json:"status_message"`
	ID                     string          `json:"id,omitempty"`
	TransactionID          string          `json:"transaction_id"`
	OrderID                string          `json:"order_id"`
	MerchantID             string          `json:"merchant_id"`
	GrossAmount            string          `json:"gross_amount"`
	Currency               string          `json:"currency"`
	PaymentType            string          `json:"payment_type"`
	TransactionTime        string          `json:"transaction_time"`
	TransactionStatus      string          `json:"transaction_status"`
	FraudStatus            string          `json:"fraud_status,omitempty"`
	ExpiryTime             string          `json:"expiry_time,omitempty"`
	SettlementTime         string          `json:"settlement_time,omitempty"`
	SignatureKey           string          `json:"signature_key,omitempty"`
	VANumbers              []vaNumber      `json:"va_numbers,omitempty"`
	PermataVANumber        string          `json:"permata_va_number,omitempty"`
	PaymentAmounts         []paymentAmount `json:"payment_amounts,omitempty"`
	BillKey                string          `json:"bill_key,omitempty"`
	BillerCode             string          `json:"biller_code,omitempty"`
	PaymentCode            string          `json:"payment_code,omitempty"`
	Store                  string          `json:"store,omitempty"`
	Acquirer               string          `json:"acquirer,omitempty"`
	QRString               string          `json:"qr_string,omitempty"`
	Actions                []action        `json:"actions,omitempty"`
	MaskedCard             string          `json:"masked_card,omitempty"`
	Bank                   string          `json:"bank,omitempty"`
	CardType               string          `json:"card_type,omitempty"`
	ApprovalCode           string          `json:"approval_code,omitempty"`
	ChannelResponseCode    string          `json:"channel_response_code,omitempty"`
	ChannelResponseMessage string          `json:"channel_response_message,omitempty"`
	RedirectURL            string          `json:"redirect_url,omitempty"`
	ThreeDSVersion         string          `json:"three_ds_version,omitempty"`
	ECI                    string          `json:"eci,omitempty"`
	SavedTokenID           string          `json:"saved_token_id,omitempty"`
	SavedTokenIDExpiredAt  string          `json:"saved_token_id_expired_at,omitempty"`
	PaymentOptionType      string          `json:"payment_option_type,omitempty"`
	RefundChargebackID     int64           `json:"refund_chargeback_id,omitempty"`
	RefundChargebackUUID   string          `json:"refund_chargeback_uuid,omitempty"`
	RefundKey              string          `json:"refund_key,omitempty"`
	RefundAmount           string          `json:"refund_amount,omitempty"`
	Refunds                []refundJSON    `json:"refunds,omitempty"`
	CustomField1           string          `json:"custom_field1,omitempty"`
	CustomField2           string          `json:"custom_field2,omitempty"`
	CustomField3           string          `json:"custom_field3,omitempty"`
	Metadata               json.RawMessage `json:"metadata,omitempty"`
}

type refundJSON struct {
	RefundChargebackID   int64  `json:"refund_chargeback_id"`
	RefundChargebackUUID string `json:"refund_chargeback_uuid"`
	RefundAmount         string `json:"refund_amount"`
	Reason               string `json:"reason"`
	RefundKey            string `json:"refund_key"`
	RefundMethod         string `json:"refund_method"`
	BankConfirmedAt      string `json:"bank_confirmed_at,omitempty"`
	CreatedAt            string `json:"created_at"`
}

// statusCode is the code that goes with a state in status answers and notifications.
func (t *txn) statusCode(notification bool) string {
	switch t.Status {
	case "pending":
		return "201"
	case "capture":
		if t.Fraud == "challenge" {
			return "201"
		}
		return "200"
	case "deny":
		return "202"
	case "cancel":
		if notification {
			return "202"
		}
		return "200"
	case "expire":
		if notification {
			return "202"
		}
		return "407"
	default: // settlement, authorize, refund, partial_refund
		return "200"
	}
}

func amountStr(n int64) string { return strconv.FormatInt(n, 10) + ".00" }

// view builds the wire body of t; it must be called with the state lock held (it reads t).
func (t *txn) view(e *Emulator, code, msg string) *txnJSON {
	v := &txnJSON{
		StatusCode: code, StatusMessage: msg,
		TransactionID: t.ID, OrderID: t.OrderID, MerchantID: merchantID,
		GrossAmount: amountStr(t.Gross), Currency: "IDR", PaymentType: t.PaymentType,
		TransactionTime: fmtWire(t.Created), TransactionStatus: t.Status, FraudStatus: t.Fraud,
		ExpiryTime: fmtWire(t.Expiry), SettlementTime: fmtWire(t.Settled),
		PaymentCode: t.PaymentCode, Store: t.Store, BillKey: t.BillKey, BillerCode: t.BillerCode,
		Acquirer: t.Acquirer, MaskedCard: t.Masked, Bank: t.CardBank, ApprovalCode: t.ApprovalCode,
		ChannelResponseCode: t.ChannelCode, ChannelResponseMessage: t.ChannelMsg,
		PaymentOptionType: t.OptionType,
		CustomField1:      t.Custom1, CustomField2: t.Custom2, CustomField3: t.Custom3, Metadata: t.Metadata,
	}
	switch t.PaymentType {
	case "bank_transfer":
		if t.Bank == "permata" {
			v.PermataVANumber = t.VA
		} else {
			v.VANumbers = []vaNumber{{Bank: t.Bank, VANumber: t.VA}}
		}
		if !t.Settled.IsZero() {
			v.PaymentAmounts = []paymentAmount{{PaidAt: fmtWire(t.Settled), Amount: amountStr(t.Gross)}}
		}
	case "credit_card":
		v.CardType = "credit"
		if t.ThreeDS {
			v.ThreeDSVersion = "2"
			if t.Status != "pending" {
				v.ECI = "05"
			}
		}
		if t.SavedToken != "" {
			v.SavedTokenID = t.SavedToken
			v.SavedTokenIDExpiredAt = fmtWire(t.SavedExpiry)
		}
	case "qris":
		if t.Status == "pending" {
			v.QRString = t.QRString
		}
	}
	if len(t.Refunds) > 0 {
		v.RefundAmount = amountStr(t.refunded())
		v.Refunds = make([]refundJSON, len(t.Refunds))
		for i, r := range t.Refunds {
			v.Refunds[i] = refundJSON{RefundChargebackID: r.ID, RefundChargebackUUID: r.UUID,
				RefundAmount: amountStr(r.Amount), Reason: r.Reason, RefundKey: r.Key, RefundMethod: r.Method,
				BankConfirmedAt: fmtWire(r.CreatedAt), CreatedAt: fmtWire(r.CreatedAt)}
		}
	}
	return v
}

// Signature is Midtrans' signature_key: SHA-512 hex of order_id + status_code + gross_amount + server key.
func Signature(orderID, statusCode, grossAmount, serverKey string) string {
	h := sha512.New()
	h.Write([]byte(orderID))
	h.Write([]byte(statusCode))
	h.Write([]byte(grossAmount))
	h.Write([]byte(serverKey))
	return hex.EncodeToString(h.Sum(nil))
}

// newUUID returns a random RFC 4122 version 4 UUID from crypto/rand (for
// errors' ids, which no seeded run compares).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}

// newUUID returns a version 4 UUID drawn from Options.Rand (crypto/rand
// when nil): the ids of transactions, tokens, subscriptions and accounts.
func (e *Emulator) newUUID() string {
	var b [16]byte
	e.readRand(b[:])
	return formatUUID(b)
}

// formatUUID marks b as a version 4 UUID and formats it.
func formatUUID(b [16]byte) string {
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0x0f])
	}
	return string(out)
}

// readRand fills b from Options.Rand, or crypto/rand when it is nil.
func (e *Emulator) readRand(b []byte) {
	if e.opts.Rand == nil {
		_, _ = rand.Read(b)
		return
	}
	e.randMu.Lock()
	defer e.randMu.Unlock()
	_, _ = io.ReadFull(e.opts.Rand, b)
}
