package fakemidtrans

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (e *Emulator) simRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /_sim/transactions/{id}/{action}", e.simAction)
	m.HandleFunc("POST /_sim/pay", e.simPay)
	m.HandleFunc("POST /_sim/clock/advance", e.simAdvance)
	m.HandleFunc("GET /_sim/clock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"now": e.now().Format(time.RFC3339)})
	})
	m.HandleFunc("GET /_sim/transactions", e.simTransactions)
	m.HandleFunc("GET /_sim/notifications", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, e.nq.snapshot())
	})
	m.HandleFunc("GET /_sim/subscriptions", e.simSubscriptions)
	m.HandleFunc("GET /_sim/pay-accounts", e.simPayAccounts)
	m.HandleFunc("POST /_sim/pay-accounts/{id}/link", e.simLink)
	m.HandleFunc("POST /_sim/faults", e.simFaults)
	m.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, e.faults.list()) })
	m.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		e.faults.clear()
		writeJSON(w, 200, map[string]string{"status": "cleared"})
	})
	m.HandleFunc("POST /_sim/config", e.simConfig)
	m.HandleFunc("GET /_sim/config", e.simConfig)
	m.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, r *http.Request) {
		e.Reset()
		writeJSON(w, 200, map[string]string{"status": "reset"})
	})
}

// Reset forgets every transaction, subscription, account, token, delivery and fault (the clock stays).
func (e *Emulator) Reset() {
	e.faults.clear()
	e.mu.Lock()
	on := e.st.ch.on
	e.st = newState()
	e.st.ch.on = on
	e.mu.Unlock()
	e.nq.reset()
	e.markDirty()
	e.log.Info("emulator reset")
}

func simError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, &coreError{StatusCode: strconv.Itoa(code), StatusMessage: msg, ID: newUUID()})
}

// SimAction applies a control-plane action to a transaction (by order or transaction id) and delivers the
// resulting notification before returning. It returns the HTTP status and the transaction's status object.
func (e *Emulator) SimAction(ctx context.Context, id, act string) (int, any) {
	now := e.now()
	e.mu.Lock()
	t := e.st.find(id)
	if t == nil {
		e.mu.Unlock()
		return 404, &coreError{StatusCode: "404", StatusMessage: "Transaction doesn't exist.", ID: newUUID()}
	}
	var merr *moveError
	if act == "refund" {
		merr = e.simRefund(t, now)
	} else {
		_, _, merr = e.move(t, act, now)
	}
	if merr != nil {
		st := t.Status
		e.mu.Unlock()
		return 409, &coreError{StatusCode: "409", StatusMessage: "cannot " + act + " a transaction in status " + st + ": " + merr.msg, ID: newUUID()}
	}
	e.st.touch(t)
	note := e.paymentNote(t)
	code := t.statusCode(false)
	v := t.view(e, code, "Success, transaction is found")
	e.mu.Unlock()
	v.SignatureKey = Signature(v.OrderID, code, v.GrossAmount, e.opts.ServerKey)
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		return 500, storageError()
	}
	e.log.Info("sim action", "order_id", v.OrderID, "action", act, "status", v.TransactionStatus)
	e.nq.enqueue(note)
	_ = e.Drain(ctx)
	return 200, v
}

// simRefund refunds what is left of a settled transaction (any method: it models an offline refund too).
func (e *Emulator) simRefund(t *txn, now time.Time) *moveError {
	if t.Status != "settlement" && t.Status != "partial_refund" {
		return &moveError{"only settled transactions can be refunded"}
	}
	e.st.RefundSeq++
	method := "online"
	if !refundable(t, false) {
		method = "offline"
	}
	t.Refunds = append(t.Refunds, refund{ID: e.st.RefundSeq, UUID: e.newUUID(), Key: "sim-" + strconv.FormatInt(e.st.RefundSeq, 10),
		Amount: t.Gross - t.refunded(), Reason: "simulator refund", Method: method, CreatedAt: now})
	e.st.setStatus(t, "refund", now)
	return nil
}

func (e *Emulator) simAction(w http.ResponseWriter, r *http.Request) {
	act := r.PathValue("action")
	switch act {
	case "settle", "capture", "challenge", "deny", "cancel", "expire", "refund", "approve":
	default:
		simError(w, 400, "action must be settle, capture, challenge, deny, cancel, expire, refund or approve")
		return
	}
	code, body := e.SimAction(r.Context(), r.PathValue("id"), act)
	writeJSON(w, code, body)
}

type payReq struct {
	VANumber    string `json:"va_number"`
	BillKey     string `json:"bill_key"`
	BillerCode  string `json:"biller_code"`
	OrderID     string `json:"order_id"`
	PaymentCode string `json:"payment_code"`
}

// findPayable resolves what a customer pays: a VA number, a Mandiri bill key, a payment code or an order id.
func (e *Emulator) findPayable(p payReq) (string, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case p.VANumber != "":
		if t := e.st.vas[strings.TrimSpace(p.VANumber)]; t != nil {
			return t.ID, ""
		}
		return "", "no pending transaction has VA number " + p.VANumber
	case p.BillKey != "":
		bc := p.BillerCode
		if bc == "" {
			bc = "70012"
		}
		if t := e.st.bills[bc+"/"+strings.TrimSpace(p.BillKey)]; t != nil {
			return t.ID, ""
		}
		return "", "no pending transaction has bill key " + p.BillKey
	case p.PaymentCode != "":
		for _, t := range e.st.Txns {
			if t.PaymentCode == p.PaymentCode && t.Status == "pending" {
				return t.ID, ""
			}
		}
		return "", "no pending transaction has payment code " + p.PaymentCode
	case p.OrderID != "":
		if t := e.st.find(p.OrderID); t != nil {
			return t.ID, ""
		}
		return "", "no transaction has order id " + p.OrderID
	}
	return "", "give va_number, bill_key (+ biller_code), payment_code or order_id"
}

func (e *Emulator) simPay(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	var p payReq
	if err := json.Unmarshal(body, &p); err != nil {
		simError(w, 400, "body must be JSON: "+err.Error())
		return
	}
	id, msg := e.findPayable(p)
	if id == "" {
		simError(w, 404, msg)
		return
	}
	code, out := e.SimAction(r.Context(), id, "settle")
	writeJSON(w, code, out)
}

// parseDuration accepts Go durations plus a whole-day suffix ("3d").
func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil {
			return time.Duration(d) * 24 * time.Hour, nil
		}
	}
	return time.ParseDuration(s)
}

func (e *Emulator) simAdvance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Duration string `json:"duration"`
	}
	body, _ := readBody(r)
	if err := json.Unmarshal(body, &req); err != nil {
		simError(w, 400, "body must be {\"duration\": \"1h\"}")
		return
	}
	d, err := parseDuration(req.Duration)
	if err != nil || d < 0 {
		simError(w, 400, "duration must be a non-negative duration such as 90m, 1h or 2d")
		return
	}
	now, err := e.Advance(r.Context(), d)
	if err != nil {
		simError(w, 409, err.Error())
		return
	}
	writeJSON(w, 200, map[string]string{"now": now.Format(time.RFC3339)})
}

type errNotAdvanceable struct{}

func (errNotAdvanceable) Error() string {
	return "the emulator runs on the real clock; it cannot be advanced"
}

// Advance moves a manual clock forward by d, stopping at every event that falls due on the way (expiries,
// subscription charges, notification retries) so they happen in time order at their own times.
func (e *Emulator) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	c, ok := e.clock.(AdvanceableClock)
	if !ok {
		return time.Time{}, errNotAdvanceable{}
	}
	target := c.Now().Add(d)
	for i := 0; i < 100000 && ctx.Err() == nil; i++ {
		next := e.nextEvent()
		if next.IsZero() || next.After(target) {
			break
		}
		if now := c.Now(); next.After(now) {
			c.Advance(next.Sub(now))
		}
		if err := e.RunDue(ctx); err != nil {
			return c.Now(), err
		}
	}
	if now := c.Now(); target.After(now) {
		c.Advance(target.Sub(now))
	}
	err := e.RunDue(ctx)
	// The file keeps a manual clock's time, so a restart goes on from here.
	e.clockMoved()
	if serr := e.save(); err == nil {
		err = serr
	}
	return c.Now(), err
}

// nextEvent is the earliest pending expiry, subscription run or notification retry (zero if none).
func (e *Emulator) nextEvent() time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	e.mu.Lock()
	for _, t := range e.st.Txns {
		if t.Status == "pending" {
			consider(t.Expiry)
		}
		if t.Status == "capture" && t.Fraud == "challenge" {
			consider(t.ReviewBy)
		}
	}
	for _, s := range e.st.Subs {
		consider(s.dueAt())
	}
	e.mu.Unlock()
	consider(e.nq.nextDue())
	return next
}

type simRefund struct {
	ID        int64  `json:"refund_chargeback_id"`
	Key       string `json:"refund_key"`
	Amount    string `json:"amount"`
	Method    string `json:"method"`
	CreatedAt string `json:"created_at"`
}

type simTxn struct {
	OrderID        string      `json:"order_id"`
	TransactionID  string      `json:"transaction_id"`
	PaymentType    string      `json:"payment_type"`
	Bank           string      `json:"bank,omitempty"`
	Store          string      `json:"store,omitempty"`
	GrossAmount    string      `json:"gross_amount"`
	Status         string      `json:"transaction_status"`
	FraudStatus    string      `json:"fraud_status,omitempty"`
	VANumber       string      `json:"va_number,omitempty"`
	BillKey        string      `json:"bill_key,omitempty"`
	BillerCode     string      `json:"biller_code,omitempty"`
	PaymentCode    string      `json:"payment_code,omitempty"`
	MaskedCard     string      `json:"masked_card,omitempty"`
	CreatedAt      string      `json:"created_at"`
	UpdatedAt      string      `json:"updated_at"`
	ExpiresAt      string      `json:"expires_at,omitempty"`
	SettledAt      string      `json:"settled_at,omitempty"`
	RefundAmount   string      `json:"refund_amount,omitempty"`
	Refunds        []simRefund `json:"refunds,omitempty"`
	SubscriptionID string      `json:"subscription_id,omitempty"`
	PayAccountID   string      `json:"pay_account_id,omitempty"`
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// Transactions lists every transaction, newest first.
func (e *Emulator) transactions() []simTxn {
	e.mu.Lock()
	defer e.mu.Unlock()
	all := e.st.sorted()
	out := make([]simTxn, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		t := all[i]
		s := simTxn{OrderID: t.OrderID, TransactionID: t.ID, PaymentType: t.PaymentType, Bank: t.Bank, Store: t.Store,
			GrossAmount: amountStr(t.Gross), Status: t.Status, FraudStatus: t.Fraud, VANumber: t.VA, BillKey: t.BillKey,
			BillerCode: t.BillerCode, PaymentCode: t.PaymentCode, MaskedCard: t.Masked, CreatedAt: rfc(t.Created),
			UpdatedAt: rfc(t.Updated), ExpiresAt: rfc(t.Expiry), SettledAt: rfc(t.Settled),
			SubscriptionID: t.Subscription, PayAccountID: t.AccountID}
		if len(t.Refunds) > 0 {
			s.RefundAmount = amountStr(t.refunded())
			for _, r := range t.Refunds {
				s.Refunds = append(s.Refunds, simRefund{ID: r.ID, Key: r.Key, Amount: amountStr(r.Amount), Method: r.Method, CreatedAt: rfc(r.CreatedAt)})
			}
		}
		out = append(out, s)
	}
	return out
}

func (e *Emulator) simTransactions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, e.transactions())
}

func (e *Emulator) simFaults(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	var s FaultScript
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		simError(w, 400, "fault script is not valid JSON: "+err.Error())
		return
	}
	if msgs := s.validate(); len(msgs) > 0 {
		writeJSON(w, 400, &coreError{StatusCode: "400", StatusMessage: "invalid fault script", ValidationMessages: msgs, ID: newUUID()})
		return
	}
	e.faults.install(&s)
	writeJSON(w, 200, e.faults.list())
}
