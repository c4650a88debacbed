package fakemidtrans

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// subscription is a Subscription API subscription.
type subscription struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Amount        int64           `json:"amount"`
	Currency      string          `json:"currency"`
	PaymentType   string          `json:"payment_type"`
	Token         string          `json:"token"`
	Interval      int             `json:"interval"`
	Unit          string          `json:"unit"`
	MaxInterval   *int            `json:"max_interval,omitempty"`
	Start         time.Time       `json:"start"`
	Current       int             `json:"current"`
	Prev          time.Time       `json:"prev,omitempty"`
	Next          time.Time       `json:"next"`
	RetryInterval int             `json:"retry_interval"`
	RetryUnit     string          `json:"retry_unit"`
	RetryMax      int             `json:"retry_max"`
	Status        string          `json:"status"`
	Cancelled     bool            `json:"cancelled,omitempty"`
	TxnIDs        []string        `json:"txn_ids"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
	Customer      json.RawMessage `json:"customer,omitempty"`
	GopayAccount  string          `json:"gopay_account,omitempty"`
	Created       time.Time       `json:"created"`
	Retries       int             `json:"retries"`
	RetryAt       time.Time       `json:"retry_at,omitempty"`
	Seq           int64           `json:"seq"`
}

// dueAt is when the subscription next needs the engine: a pending retry (even when disabled, as on
// Midtrans), else the next scheduled charge while active.
func (s *subscription) dueAt() time.Time {
	if s.Cancelled {
		return time.Time{}
	}
	if !s.RetryAt.IsZero() {
		return s.RetryAt
	}
	if s.Status == "active" {
		return s.Next
	}
	return time.Time{}
}

func addInterval(t time.Time, n int, unit string) time.Time {
	t = t.In(wib)
	switch unit {
	case "minute":
		return t.Add(time.Duration(n) * time.Minute)
	case "hour":
		return t.Add(time.Duration(n) * time.Hour)
	case "day":
		return t.AddDate(0, 0, n)
	case "week":
		return t.AddDate(0, 0, 7*n)
	}
	return t.AddDate(0, n, 0)
}

type scheduleJSON struct {
	Interval            int     `json:"interval"`
	IntervalUnit        string  `json:"interval_unit"`
	MaxInterval         *int    `json:"max_interval"`
	CurrentInterval     int     `json:"current_interval"`
	StartTime           string  `json:"start_time"`
	PreviousExecutionAt *string `json:"previous_execution_at"`
	NextExecutionAt     string  `json:"next_execution_at"`
}

type retryJSON struct {
	Interval     int    `json:"interval"`
	IntervalUnit string `json:"interval_unit"`
	MaxInterval  int    `json:"max_interval"`
}

type subJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Amount          string          `json:"amount"`
	Currency        string          `json:"currency"`
	CreatedAt       string          `json:"created_at"`
	Schedule        scheduleJSON    `json:"schedule"`
	RetrySchedule   retryJSON       `json:"retry_schedule"`
	Status          string          `json:"status"`
	Token           string          `json:"token"`
	PaymentType     string          `json:"payment_type"`
	TransactionIDs  []string        `json:"transaction_ids"`
	Metadata        json.RawMessage `json:"metadata"`
	CustomerDetails json.RawMessage `json:"customer_details"`
	MerchantID      string          `json:"merchant_id"`
	Gopay           *struct {
		AccountID string `json:"account_id"`
	} `json:"gopay,omitempty"`
}

// view renders s; call with e.mu held.
func (s *subscription) view() *subJSON {
	v := &subJSON{ID: s.ID, Name: s.Name, Amount: strconv.FormatInt(s.Amount, 10), Currency: s.Currency,
		CreatedAt: fmtSub(s.Created), Status: s.Status, Token: s.Token, PaymentType: s.PaymentType, MerchantID: merchantID,
		TransactionIDs: append([]string{}, s.TxnIDs...), Metadata: s.Metadata, CustomerDetails: s.Customer,
		Schedule: scheduleJSON{Interval: s.Interval, IntervalUnit: s.Unit, MaxInterval: s.MaxInterval, CurrentInterval: s.Current,
			StartTime: fmtSub(s.Start), NextExecutionAt: fmtSub(s.Next)},
		RetrySchedule: retryJSON{Interval: s.RetryInterval, IntervalUnit: s.RetryUnit, MaxInterval: s.RetryMax}}
	if !s.Prev.IsZero() {
		p := fmtSub(s.Prev)
		v.Schedule.PreviousExecutionAt = &p
	}
	if len(v.Metadata) == 0 {
		v.Metadata = json.RawMessage("{}")
	}
	if len(v.CustomerDetails) == 0 {
		v.CustomerDetails = json.RawMessage("{}")
	}
	if s.GopayAccount != "" {
		v.Gopay = &struct {
			AccountID string `json:"account_id"`
		}{s.GopayAccount}
	}
	return v
}

type subReq struct {
	Name        *string         `json:"name"`
	Amount      json.RawMessage `json:"amount"`
	Currency    *string         `json:"currency"`
	PaymentType *string         `json:"payment_type"`
	Token       *string         `json:"token"`
	Schedule    *struct {
		Interval     *int    `json:"interval"`
		IntervalUnit *string `json:"interval_unit"`
		MaxInterval  *int    `json:"max_interval"`
		StartTime    *string `json:"start_time"`
	} `json:"schedule"`
	RetrySchedule *struct {
		Interval     *int    `json:"interval"`
		IntervalUnit *string `json:"interval_unit"`
		MaxInterval  *int    `json:"max_interval"`
	} `json:"retry_schedule"`
	Metadata        json.RawMessage `json:"metadata"`
	CustomerDetails json.RawMessage `json:"customer_details"`
	Gopay           *struct {
		AccountID string `json:"account_id"`
	} `json:"gopay"`
}

func validSubName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '~' || c == '.') {
			return false
		}
	}
	return true
}

// subPersisted is persisted for the Subscription API's error shape.
func (e *Emulator) subPersisted(w http.ResponseWriter) bool {
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		subError(w, 500, storageError().StatusMessage)
		return false
	}
	return true
}

func subError(w http.ResponseWriter, status int, msg string, v ...string) {
	writeJSON(w, status, subMessage{StatusMessage: msg, ValidationMessages: v})
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// apply validates req onto s (create=true checks required fields); call with e.mu held.
func (e *Emulator) applySub(s *subscription, req *subReq, create bool, now time.Time) []string {
	var msgs []string
	add := func(m string) { msgs = append(msgs, m) }
	if req.Name != nil || create {
		if !validSubName(str(req.Name)) {
			add("subscription.name is required, at most 40 characters of letters, digits, '-', '_', '~' or '.'")
		} else {
			s.Name = *req.Name
		}
	}
	if len(req.Amount) > 0 || create {
		if n, m := parseAmount(req.Amount, "subscription.amount"); m != "" {
			if len(req.Amount) == 0 || string(req.Amount) == "null" {
				add("subscription.amount is required")
			} else {
				add("subscription.amount must be between 0.01 - 99999999999.00 without decimals")
			}
		} else {
			s.Amount = n
		}
	}
	if req.Currency != nil || create {
		if str(req.Currency) != "IDR" {
			add("subscription.currency must be IDR")
		} else {
			s.Currency = "IDR"
		}
	}
	if create {
		switch pt := str(req.PaymentType); pt {
		case "credit_card", "gopay":
			s.PaymentType = pt
		default:
			add("subscription.payment_type must be credit_card or gopay")
		}
	} else if req.PaymentType != nil && *req.PaymentType != s.PaymentType {
		add("subscription.payment_type cannot be changed")
	}
	if req.Token != nil || create {
		if str(req.Token) == "" {
			add("subscription.token is required")
		} else {
			s.Token = *req.Token
		}
	}
	if req.Gopay != nil {
		s.GopayAccount = req.Gopay.AccountID
	}
	if s.PaymentType == "gopay" {
		a := e.st.Accounts[s.GopayAccount]
		if s.GopayAccount == "" {
			add("subscription.gopay.account_id is required for gopay")
		} else if a == nil || a.Status != "ENABLED" {
			add("subscription.gopay.account_id is not an ENABLED GoPay account")
		}
	}
	if sc := req.Schedule; sc != nil || create {
		if sc == nil {
			add("subscription.schedule is required")
		} else {
			if sc.Interval == nil || *sc.Interval < 1 {
				add("subscription.schedule.interval must be at least 1")
			} else {
				s.Interval = *sc.Interval
			}
			if create {
				switch u := str(sc.IntervalUnit); u {
				case "day", "week", "month":
					s.Unit = u
				default:
					add("subscription.schedule.interval_unit must be day, week or month")
				}
				if sc.MaxInterval != nil {
					if *sc.MaxInterval < 0 {
						add("subscription.schedule.max_interval must not be negative")
					}
					m := *sc.MaxInterval
					s.MaxInterval = &m
				}
				if st := str(sc.StartTime); st != "" {
					t, err := time.Parse("2006-01-02 15:04:05 -0700", st)
					if err != nil {
						add("subscription.schedule.start_time must be in yyyy-MM-dd HH:mm:ss Z format")
					} else if !t.After(now) {
						add("subscription.schedule.start_time must be in the future")
					} else {
						s.Start, s.Next = t, t
					}
				} else if s.Unit != "" && s.Interval > 0 {
					// no start_time: the first charge is one interval from now, and the schedule counts from it
					s.Next = addInterval(now, s.Interval, s.Unit)
					s.Start, s.Prev = s.Next, now
				}
			} // on update only interval changes; interval_unit, max_interval and start_time are ignored
		}
	}
	if rs := req.RetrySchedule; rs != nil {
		if rs.Interval != nil {
			if *rs.Interval < 1 {
				add("subscription.retry_schedule.interval must be at least 1")
			}
			s.RetryInterval = *rs.Interval
		}
		if rs.IntervalUnit != nil {
			switch *rs.IntervalUnit {
			case "minute", "hour", "day":
				s.RetryUnit = *rs.IntervalUnit
			default:
				add("subscription.retry_schedule.interval_unit must be minute, hour or day")
			}
		}
		if rs.MaxInterval != nil {
			if *rs.MaxInterval < 0 || *rs.MaxInterval > 3 {
				add("subscription.retry_schedule.max_interval must be between 0 and 3")
			}
			s.RetryMax = *rs.MaxInterval
		}
	}
	if len(req.Metadata) > 0 && string(req.Metadata) != "null" {
		if req.Metadata[0] != '{' || len(req.Metadata) > 1024 {
			add("subscription.metadata must be an object smaller than 1KB")
		} else {
			s.Metadata = append(json.RawMessage(nil), req.Metadata...)
		}
	}
	if len(req.CustomerDetails) > 0 && string(req.CustomerDetails) != "null" {
		if req.CustomerDetails[0] != '{' {
			add("subscription.customer_details must be an object")
		} else {
			s.Customer = append(json.RawMessage(nil), req.CustomerDetails...)
		}
	}
	return msgs
}

func (e *Emulator) handleSubCreate(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	var req subReq
	if code, msgs := decodeJSON(body, &req); code != 0 {
		subError(w, 400, "Bad request. "+msgs[0], msgs...)
		return
	}
	if e.faults.applyAPI(w, r, "subscription_create", "") {
		return
	}
	now := e.now()
	s := &subscription{ID: e.newUUID(), Status: "active", Created: now, RetryInterval: 1, RetryUnit: "hour", RetryMax: 3, TxnIDs: []string{}}
	e.mu.Lock()
	msgs := e.applySub(s, &req, true, now)
	e.mu.Unlock()
	if len(msgs) > 0 {
		subError(w, 400, "Invalid parameter.", msgs...)
		return
	}
	// Idempotency is honoured only after the body validated, for 3 minutes.
	key := idemKey(r)
	if key != "" && e.idemBegin(w, key, append([]byte("sub:"), body...), now) {
		return
	}
	e.mu.Lock()
	e.st.Seq++
	s.Seq = e.st.Seq
	e.st.Subs[s.ID] = s
	e.st.touch(s)
	v := s.view()
	note := e.subNote(s, nil)
	e.mu.Unlock()
	b, _ := json.Marshal(v)
	if err := e.save(); err != nil {
		if key != "" {
			e.idemEnd(key, 500, nil, 0)
		}
		e.log.Error("saving state failed", "error", err)
		subError(w, 500, storageError().StatusMessage)
		return
	}
	if key != "" {
		e.idemEnd(key, 200, b, 3*time.Minute)
	}
	e.nq.enqueue(note)
	writeRaw(w, 200, b)
}

func (e *Emulator) handleSubGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if e.faults.applyAPI(w, r, "subscription_get", id) {
		return
	}
	e.mu.Lock()
	s := e.st.Subs[id]
	var v *subJSON
	if s != nil {
		v = s.view()
	}
	e.mu.Unlock()
	if v == nil {
		subError(w, 404, "Subscription doesn't exist.")
		return
	}
	writeJSON(w, 200, v)
}

func (e *Emulator) handleSubUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, _ := readBody(r)
	var req subReq
	if code, msgs := decodeJSON(body, &req); code != 0 {
		subError(w, 400, "Bad request. "+msgs[0], msgs...)
		return
	}
	if e.faults.applyAPI(w, r, "subscription_update", id) {
		return
	}
	e.mu.Lock()
	s := e.st.Subs[id]
	if s == nil {
		e.mu.Unlock()
		subError(w, 404, "Subscription doesn't exist.")
		return
	}
	blankToNil(&req)
	c := *s // validate on a copy so a bad PATCH changes nothing
	msgs := e.applySub(&c, &req, false, e.now())
	if len(msgs) == 0 {
		*s = c
		e.st.touch(s)
	}
	e.mu.Unlock()
	if len(msgs) > 0 {
		subError(w, 400, "Invalid parameter.", msgs...)
		return
	}
	if !e.subPersisted(w) {
		return
	}
	subError(w, 200, "Subscription is updated.")
}

func (e *Emulator) handleSubOp(w http.ResponseWriter, r *http.Request) {
	id, op := r.PathValue("id"), r.PathValue("op")
	switch op {
	case "enable", "disable", "cancel":
	default:
		subError(w, 404, "The requested resource is not found")
		return
	}
	if e.faults.applyAPI(w, r, "subscription_"+op, id) {
		return
	}
	e.mu.Lock()
	s := e.st.Subs[id]
	if s == nil {
		e.mu.Unlock()
		subError(w, 404, "Subscription doesn't exist.")
		return
	}
	var refused bool
	switch op {
	case "enable":
		if s.Cancelled { // cancel is a permanent stop in the emulator (unconfirmed on Midtrans)
			refused = true
		} else {
			s.Status = "active"
		}
	case "disable":
		s.Status = "inactive" // pending retries go on, as on Midtrans
	case "cancel":
		s.Status, s.Cancelled, s.RetryAt = "inactive", true, time.Time{}
	}
	e.st.touch(s)
	e.mu.Unlock()
	if refused {
		subError(w, 400, "Subscription is cancelled and cannot be enabled.")
		return
	}
	if !e.subPersisted(w) {
		return
	}
	subError(w, 200, "Subscription is updated.")
}

// subNote builds a Subscription API notification: the object itself on creation, else a subscription.charge event.
func (e *Emulator) subNote(s *subscription, tx map[string]string) *notification {
	var body any = s.view()
	if tx != nil {
		body = map[string]any{"event_name": "subscription.charge", "transaction": tx, "subscription": s.view()}
	}
	var urls []string
	if e.opts.RecurringNotificationURL != "" {
		urls = []string{e.opts.RecurringNotificationURL}
	}
	return &notification{kind: "subscription", orderID: s.ID, status: s.Status, urls: urls, body: body}
}

// runSubscriptions makes every charge or retry due at now, each at its own scheduled time.
func (e *Emulator) runSubscriptions(ctx context.Context, now time.Time) {
	for i := 0; i < 10000 && ctx.Err() == nil; i++ {
		e.mu.Lock()
		var due []*subscription
		for _, s := range e.st.Subs {
			if d := s.dueAt(); !d.IsZero() && !d.After(now) {
				due = append(due, s)
			}
		}
		sort.Slice(due, func(i, j int) bool {
			if a, b := due[i].dueAt(), due[j].dueAt(); !a.Equal(b) {
				return a.Before(b)
			}
			return due[i].Seq < due[j].Seq
		})
		var notes []*notification
		for _, s := range due {
			notes = append(notes, e.execute(s, s.dueAt())...)
		}
		e.mu.Unlock()
		if len(due) == 0 {
			return
		}
		if err := e.save(); err != nil {
			e.log.Error("saving state failed", "error", err)
		}
		for _, n := range notes {
			e.nq.enqueue(n)
		}
	}
}

// execute makes one charge attempt of s at time at; call with e.mu held.
func (e *Emulator) execute(s *subscription, at time.Time) []*notification {
	step, _, _ := e.faults.step("subscription_charge", s.ID)
	e.st.touch(s)
	var notes []*notification
	e.st.Seq++
	t := &txn{ID: e.newUUID(), OrderID: fmt.Sprintf("SUBS-%s-%020d%012d", s.Name, at.UnixNano(), e.st.Seq), PaymentType: s.PaymentType,
		Gross: s.Amount, Status: "pending", Fraud: "accept", Created: at, Updated: at, Subscription: s.ID, Seq: e.st.Seq}
	if len(t.OrderID) > 50 {
		t.OrderID = t.OrderID[:18] + t.OrderID[len(t.OrderID)-32:]
	}
	txInfo := map[string]string{}
	ok := false
	switch {
	case step == "http_500" || step == "http_502" || step == "http_503" || step == "timeout" || step == "reset":
		txInfo["status_code"], txInfo["status_message"] = "500", "Sorry. Our system is recovering from unexpected issues. Please retry."
		t = nil
	case s.PaymentType == "credit_card":
		tok := e.st.Tokens[s.Token]
		if tok == nil || !tok.Saved || at.After(tok.Expires) {
			txInfo["status_code"], txInfo["status_message"] = "411", "Token id is missing, invalid, or timed out"
			t = nil
			break
		}
		t.Card, t.Masked, t.CardBank = tok.Card, masked(tok.Card), "bni"
		code, msg := e.applyCardOutcome(t, at)
		if step == "decline" {
			t.Status, t.Fraud, t.ChannelCode, t.ChannelMsg = "deny", "accept", "05", "Do not honour"
			code, msg = 202, "Deny by Bank [BNI] with code [05] and message [Do not honour]"
		}
		txInfo["status_code"], txInfo["status_message"] = strconv.Itoa(code), msg
		// A charge that fraud detection holds for review (201, capture +
		// challenge) exists and is captured: the merchant approves or denies
		// it. Retrying it as a failure would charge the slot again once
		// both are approved, so it counts as the slot's charge.
		ok = code == 200 || (code == 201 && t.Fraud == "challenge")
	default: // gopay
		a := e.st.Accounts[s.GopayAccount]
		if a == nil || a.Status != "ENABLED" || (s.Token != a.WalletToken && s.Token != a.LaterToken) {
			txInfo["status_code"], txInfo["status_message"] = "412", "GoPay account is not active or the token is invalid"
			t = nil
			break
		}
		t.AccountID, t.OptionType = a.ID, "GOPAY_WALLET"
		if step == "decline" || a.Phone == "8242014881" {
			t.Status, t.ChannelCode, t.ChannelMsg = "deny", "201", "Insufficient Balance"
			txInfo["status_code"], txInfo["status_message"] = "202", "GoPay transaction is denied"
		} else {
			t.Status, t.Settled = "settlement", at
			txInfo["status_code"], txInfo["status_message"] = "200", "Success, GoPay transaction is successful"
			ok = true
		}
	}
	if t != nil {
		t.Expiry = time.Time{}
		e.st.Txns[t.ID] = t
		e.st.index(t)
		e.st.touch(t)
		notes = append(notes, e.paymentNote(t))
		txInfo["transaction_id"], txInfo["transaction_status"], txInfo["order_id"] = t.ID, t.Status, t.OrderID
		txInfo["channel_response_code"], txInfo["channel_response_message"] = t.ChannelCode, t.ChannelMsg
	}
	e.log.Info("subscription charge", "subscription", s.ID, "status_code", txInfo["status_code"], "ok", ok, "retry", s.Retries)
	scheduled := s.Next
	if ok {
		s.TxnIDs = append(s.TxnIDs, t.ID)
		s.Current++
		s.Prev = scheduled
		s.Next = addInterval(scheduled, s.Interval, s.Unit) // from the slot it paid for, so a PATCHed interval applies next
		s.Retries, s.RetryAt = 0, time.Time{}
		if s.MaxInterval != nil && s.Current >= max(*s.MaxInterval, 1) {
			s.Status = "inactive"
		}
		return append(notes, e.subNote(s, txInfo))
	}
	if s.Retries < s.RetryMax {
		s.Retries++
		s.RetryAt = addInterval(at, s.RetryInterval, s.RetryUnit)
		return notes
	}
	// retry cycle over: the subscription stops, and the merchant hears about it once
	s.Status, s.Retries, s.RetryAt = "inactive", 0, time.Time{}
	return append(notes, e.subNote(s, txInfo))
}

func (e *Emulator) simSubscriptions(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	out := make([]*subJSON, 0, len(e.st.Subs))
	for _, s := range e.st.Subs {
		out = append(out, s.view())
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt > out[j].CreatedAt })
	writeJSON(w, 200, out)
}

// blankToNil treats empty fields of a PATCH as absent: midtrans-go sends its whole request struct,
// zero values included, when updating.
func blankToNil(r *subReq) {
	for _, p := range []**string{&r.Name, &r.Currency, &r.PaymentType, &r.Token} {
		if *p != nil && **p == "" {
			*p = nil
		}
	}
	if a := strings.TrimSpace(string(r.Amount)); a == "0" || a == `""` || a == "null" {
		r.Amount = nil
	}
	if r.Schedule != nil && r.Schedule.Interval != nil && *r.Schedule.Interval == 0 {
		r.Schedule = nil
	}
	if r.Gopay != nil && r.Gopay.AccountID == "" {
		r.Gopay = nil
	}
}
