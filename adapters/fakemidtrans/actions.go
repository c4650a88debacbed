package fakemidtrans

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

func (e *Emulator) handleStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if e.faults.applyAPI(w, r, "status", id) {
		return
	}
	e.mu.Lock()
	t := e.st.find(id)
	if t == nil {
		e.mu.Unlock()
		notFound(w)
		return
	}
	code := t.statusCode(false)
	v := t.view(e, code, "Success, transaction is found")
	e.mu.Unlock()
	v.SignatureKey = Signature(v.OrderID, code, v.GrossAmount, e.opts.ServerKey)
	writeCore(w, atoi(code), v)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// moveError says why a state change is refused; sim answers 409 where the API answers 412.
type moveError struct{ msg string }

// move applies an action to t (API or control plane). Call with e.mu held.
// It returns the API status code and message for the answer.
func (e *Emulator) move(t *txn, act string, now time.Time) (int, string, *moveError) {
	illegal := &moveError{"Transaction status cannot be updated."}
	switch act {
	case "cancel":
		if t.Status == "pending" || t.Status == "authorize" || t.Status == "capture" {
			e.st.setStatus(t, "cancel", now)
			return 200, "Success, transaction is canceled", nil
		}
	case "expire":
		if t.Status == "pending" {
			e.st.setStatus(t, "expire", now)
			return 407, "Success, transaction has expired", nil
		}
	case "approve":
		if t.Status == "capture" && t.Fraud == "challenge" {
			t.Fraud, t.Updated = "accept", now
			return 200, "Success, transaction is approved", nil
		}
	case "deny":
		if (t.Status == "capture" && t.Fraud == "challenge") || (t.Status == "pending") {
			if t.Fraud == "challenge" {
				t.Fraud = "deny"
			}
			e.st.setStatus(t, "deny", now)
			return 200, "Success, transaction is denied", nil
		}
	case "settle":
		if t.Status == "pending" || (t.Status == "capture" && t.Fraud != "challenge") {
			if t.PaymentType == "credit_card" && t.Status == "pending" {
				e.applyCardOutcome(t, now)
				if t.Status == "capture" && t.Fraud == "accept" {
					e.st.setStatus(t, "settlement", now)
					t.Settled = now
				}
				e.st.unindexPayable(t)
				t.Expiry = time.Time{}
				return 200, "Success, transaction is settled", nil
			}
			if t.PaymentType == "gopay" && t.OptionType == "" {
				t.OptionType = "GOPAY_WALLET"
			}
			e.st.setStatus(t, "settlement", now)
			t.Settled = now
			return 200, "Success, transaction is settled", nil
		}
		if t.Status == "capture" && t.Fraud == "challenge" {
			return 0, "", &moveError{"a challenged transaction must be approved before it settles"}
		}
	case "capture":
		if t.PaymentType == "credit_card" && (t.Status == "authorize" || t.Status == "pending") {
			t.Fraud = "accept"
			e.st.setStatus(t, "capture", now)
			t.Expiry = time.Time{}
			return 200, "Success, Credit Card capture transaction is successful", nil
		}
	case "challenge":
		if t.PaymentType == "credit_card" && (t.Status == "pending" || (t.Status == "capture" && t.Fraud == "accept")) {
			t.Fraud = "challenge"
			e.st.setStatus(t, "capture", now)
			t.Expiry, t.ReviewBy = time.Time{}, now.Add(reviewWindow)
			return 201, "Challenge by FDS", nil
		}
	default:
		return 0, "", &moveError{"unknown action " + act}
	}
	return 0, "", illegal
}

// actionHandler serves /v2/{id}/cancel|expire|approve|deny.
func (e *Emulator) actionHandler(act string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if e.faults.applyAPI(w, r, act, id) {
			return
		}
		now := e.now()
		e.mu.Lock()
		t := e.st.find(id)
		if t == nil {
			e.mu.Unlock()
			notFound(w)
			return
		}
		if act == "deny" && t.Status == "pending" { // the API only denies challenged transactions
			e.mu.Unlock()
			cannotModify(w)
			return
		}
		code, msg, merr := e.move(t, act, now)
		if merr != nil {
			e.mu.Unlock()
			cannotModify(w)
			return
		}
		e.st.touch(t)
		v := t.view(e, strconv.Itoa(code), msg)
		note := e.paymentNote(t)
		e.mu.Unlock()
		if !e.persisted(w) {
			return
		}
		e.nq.enqueue(note)
		writeCore(w, code, v)
	}
}

type refundReq struct {
	RefundKey string          `json:"refund_key"`
	Amount    json.RawMessage `json:"amount"`
	Reason    string          `json:"reason"`
}

func validRefundKey(s string) bool {
	if len(s) > 50 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// refundable says whether a payment type may be refunded, directly or not.
func refundable(t *txn, direct bool) bool {
	switch t.PaymentType {
	case "credit_card":
		if direct {
			switch t.CardBank {
			case "bca", "maybank", "bni", "bri":
				return true
			}
			return false
		}
		return true
	case "gopay", "qris", "shopeepay":
		return true
	}
	return false
}

func (e *Emulator) refundHandler(direct bool) http.HandlerFunc {
	endpoint := "refund"
	if direct {
		endpoint = "direct_refund"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		body, err := readBody(r)
		if err != nil {
			writeCore(w, 413, &coreError{StatusCode: "413", StatusMessage: "Payload format is not supported.", ID: newUUID()})
			return
		}
		var req refundReq
		if len(body) > 0 {
			if code, msgs := decodeJSON(body, &req); code != 0 {
				malformed(w, code, msgs)
				return
			}
		}
		if e.faults.applyAPI(w, r, endpoint, id) {
			return
		}
		var amount int64
		// amount 0 means "the rest", like an omitted amount: midtrans-go always sends the field
		if a := string(req.Amount); len(a) > 0 && a != "null" && a != "0" {
			var m string
			if amount, m = parseAmount(req.Amount, "amount"); m != "" {
				badRequest(w, m)
				return
			}
		}
		if !validRefundKey(req.RefundKey) {
			badRequest(w, "refund_key may only contain letters, digits, '-' and '_' (at most 50)")
			return
		}
		if len(req.Reason) > 255 {
			badRequest(w, "reason must be at most 255 characters")
			return
		}
		key := idemKey(r)
		if key != "" && e.idemBegin(w, key, append([]byte(r.URL.Path), body...), e.now()) {
			return
		}
		code, out := e.refund(id, &req, amount, direct)
		b, _ := json.Marshal(out)
		if key != "" {
			e.idemEnd(key, code, b, 5*time.Minute)
		}
		writeRaw(w, httpStatusFor(code), b)
	}
}

func (e *Emulator) refund(id string, req *refundReq, amount int64, direct bool) (int, any) {
	now := e.now()
	e.mu.Lock()
	t := e.st.find(id)
	if t == nil {
		e.mu.Unlock()
		return 404, &coreError{StatusCode: "404", StatusMessage: "Transaction doesn't exist.", ID: newUUID()}
	}
	if t.Status != "settlement" && t.Status != "partial_refund" {
		e.mu.Unlock()
		return 412, &coreError{StatusCode: "412", StatusMessage: "Transaction status cannot be updated.", ID: newUUID()}
	}
	if !refundable(t, direct) {
		e.mu.Unlock()
		return 412, &coreError{StatusCode: "412", StatusMessage: "Refund is not supported for payment type " + t.PaymentType + ".", ID: newUUID()}
	}
	for _, rf := range t.Refunds {
		if req.RefundKey != "" && rf.Key == req.RefundKey {
			e.mu.Unlock()
			return 406, &coreError{StatusCode: "406", StatusMessage: "Duplicate refund ID", ID: newUUID()}
		}
	}
	remaining := t.Gross - t.refunded()
	if amount == 0 {
		amount = remaining
	}
	if amount > remaining || (t.PaymentType == "shopeepay" && amount != t.Gross) {
		e.mu.Unlock()
		return 414, &coreError{StatusCode: "414", StatusMessage: "Refund request is rejected due to invalid amount", ID: newUUID()}
	}
	e.st.RefundSeq++
	rf := refund{ID: e.st.RefundSeq, UUID: e.newUUID(), Key: req.RefundKey, Amount: amount, Reason: req.Reason, Method: "online", CreatedAt: now}
	if rf.Key == "" {
		rf.Key = "rfd-" + strconv.FormatInt(rf.ID, 10)
	}
	if rf.Reason == "" {
		rf.Reason = "refund"
	}
	t.Refunds = append(t.Refunds, rf)
	status := "partial_refund"
	if t.refunded() == t.Gross {
		status = "refund"
	}
	e.st.setStatus(t, status, now)
	msg := "Success, refund request is approved"
	if direct {
		msg = "Success, refund request is approved by the bank"
	}
	out := &txnJSON{StatusCode: "200", StatusMessage: msg, TransactionID: t.ID, OrderID: t.OrderID, MerchantID: merchantID,
		GrossAmount: amountStr(t.Gross), Currency: "IDR", PaymentType: t.PaymentType, TransactionTime: fmtWire(t.Created),
		TransactionStatus: status, SettlementTime: fmtWire(t.Settled), FraudStatus: t.Fraud,
		RefundChargebackID: rf.ID, RefundChargebackUUID: rf.UUID, RefundAmount: amountStr(amount), RefundKey: rf.Key}
	var notes []*notification
	if !direct { // Midtrans notifies twice: before and after the bank confirms
		if first := e.paymentNote(t); first != nil {
			fv := first.body.(*txnJSON)
			fv.Refunds[len(fv.Refunds)-1].BankConfirmedAt = ""
			notes = append(notes, first)
		}
	}
	notes = append(notes, e.paymentNote(t))
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		return 500, storageError()
	}
	for _, n := range notes {
		e.nq.enqueue(n)
	}
	return 200, out
}

type captureReq struct {
	TransactionID string          `json:"transaction_id"`
	GrossAmount   json.RawMessage `json:"gross_amount"`
}

// handleCapture is POST /v2/capture for pre-authorized card transactions.
func (e *Emulator) handleCapture(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	var req captureReq
	if code, msgs := decodeJSON(body, &req); code != 0 {
		malformed(w, code, msgs)
		return
	}
	if e.faults.applyAPI(w, r, "capture", req.TransactionID) {
		return
	}
	now := e.now()
	e.mu.Lock()
	t := e.st.find(req.TransactionID)
	if t == nil {
		e.mu.Unlock()
		notFound(w)
		return
	}
	if t.Status != "authorize" {
		e.mu.Unlock()
		cannotModify(w)
		return
	}
	code, msg, _ := e.move(t, "capture", now)
	e.st.touch(t)
	v := t.view(e, strconv.Itoa(code), msg)
	note := e.paymentNote(t)
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	e.nq.enqueue(note)
	writeCore(w, code, v)
}
