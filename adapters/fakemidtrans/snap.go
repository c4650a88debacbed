package fakemidtrans

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// snapSession is one Snap token: the checkout a customer opens at its
// redirect_url. No Core transaction exists until the customer picks a
// method there (https://docs.midtrans.com/docs/snap-advanced-feature), so
// GET /v2/{order_id}/status answers 404 until then.
type snapSession struct {
	Token         string          `json:"token"`
	OrderID       string          `json:"order_id"`
	Gross         int64           `json:"gross"`
	Methods       []string        `json:"methods"` // enabled channels, aliases expanded
	Secure        bool            `json:"secure,omitempty"`
	SaveCard      bool            `json:"save_card,omitempty"`
	CardBank      string          `json:"card_bank,omitempty"`
	CardAuthorize bool            `json:"card_authorize,omitempty"`
	UserID        string          `json:"user_id,omitempty"`
	GopayLink     bool            `json:"gopay_tokenization,omitempty"`
	GopayPhone    string          `json:"gopay_phone,omitempty"`
	GopayCallback string          `json:"gopay_callback,omitempty"`
	Recurring     bool            `json:"recurring,omitempty"`
	Finish        string          `json:"finish,omitempty"`
	ExpiryStart   time.Time       `json:"expiry_start,omitempty"` // zero: the clock starts when a method is chosen
	ExpiryMinutes int64           `json:"expiry_minutes,omitempty"`
	PageExpires   time.Time       `json:"page_expires"`
	Custom1       string          `json:"custom1,omitempty"`
	Custom2       string          `json:"custom2,omitempty"`
	Custom3       string          `json:"custom3,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
	Notify        []string        `json:"notify,omitempty"`
	NotifyMode    string          `json:"notify_mode,omitempty"`
	Created       time.Time       `json:"created"`
	State         string          `json:"state"`            // open, replaced, canceled
	TxnID         string          `json:"txn_id,omitempty"` // the newest attempt made from this session
	CanceledAt    time.Time       `json:"canceled_at,omitempty"`
	Seq           int64           `json:"seq"`
}

// snapChannels are the Snap channels the emulator can charge, in page order.
var snapChannels = []string{"credit_card", "gopay", "shopeepay", "other_qris", "bca_va", "bni_va", "bri_va", "cimb_va", "permata_va", "echannel", "alfamart", "indomaret"}

var snapAliases = map[string][]string{
	"bank_transfer": {"bca_va", "bni_va", "bri_va", "cimb_va", "permata_va"},
	"cstore":        {"alfamart", "indomaret"},
	"qris":          {"other_qris"},
}

var snapLabels = map[string]string{
	"credit_card": "Credit/debit card", "gopay": "GoPay", "shopeepay": "ShopeePay", "other_qris": "QRIS",
	"bca_va": "BCA Virtual Account", "bni_va": "BNI Virtual Account", "bri_va": "BRI Virtual Account",
	"cimb_va": "CIMB Niaga Virtual Account", "permata_va": "Permata Virtual Account", "echannel": "Mandiri Bill Payment",
	"alfamart": "Alfamart", "indomaret": "Indomaret",
}

type snapReq struct {
	TransactionDetails *transactionDetails `json:"transaction_details"`
	ItemDetails        []itemDetail        `json:"item_details"`
	EnabledPayments    []string            `json:"enabled_payments"`
	CreditCard         *struct {
		Secure   bool   `json:"secure"`
		SaveCard bool   `json:"save_card"`
		Bank     string `json:"bank"`
		Type     string `json:"type"`
	} `json:"credit_card"`
	UserID string `json:"user_id"`
	Gopay  *struct {
		EnableCallback bool   `json:"enable_callback"`
		CallbackURL    string `json:"callback_url"`
		Tokenization   bool   `json:"tokenization"`
		PhoneNumber    string `json:"phone_number"`
		CountryCode    string `json:"country_code"`
	} `json:"gopay"`
	Callbacks *struct {
		Finish string `json:"finish"`
		Error  string `json:"error"`
	} `json:"callbacks"`
	Expiry *struct {
		StartTime string          `json:"start_time"`
		Unit      string          `json:"unit"`
		Duration  json.RawMessage `json:"duration"`
	} `json:"expiry"`
	PageExpiry *struct {
		Unit     string          `json:"unit"`
		Duration json.RawMessage `json:"duration"`
	} `json:"page_expiry"`
	CustomField1 string          `json:"custom_field1"`
	CustomField2 string          `json:"custom_field2"`
	CustomField3 string          `json:"custom_field3"`
	Recurring    *snapRecurring  `json:"recurring"`
	Metadata     json.RawMessage `json:"metadata"`
}

// snapRecurring is the Recurring object. Midtrans' reference types
// "required" as an integer while its examples send true, so both are read.
type snapRecurring struct {
	Required     json.RawMessage `json:"required"`
	StartTime    string          `json:"start_time"`
	IntervalUnit string          `json:"interval_unit"`
}

func (r *snapRecurring) required() bool {
	s := strings.TrimSpace(string(r.Required))
	return s == "true" || (s != "" && s != "0" && s != "false" && s != "null" && digitsOnly(s))
}

const snapTimeLayout = "2006-01-02 15:04:05 -0700"

// snapUnit reads Snap's expiry units (plurals accepted).
func snapUnit(u string) time.Duration {
	switch strings.TrimSuffix(strings.ToLower(u), "s") {
	case "day":
		return 24 * time.Hour
	case "hour":
		return time.Hour
	case "minute":
		return time.Minute
	}
	return 0
}

// snapInt reads a JSON integer (a numeric string too); negative values are
// allowed (item prices may be discounts), fractions are not.
func snapInt(raw json.RawMessage, field string) (int64, string) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, field + " is required"
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, field + " must be an integer"
		}
	}
	if whole, frac, ok := strings.Cut(s, "."); ok {
		if strings.Trim(frac, "0") != "" {
			return 0, field + " must be an integer, decimals are not allowed"
		}
		s = whole
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > 99999999999 || n < -99999999999 {
		return 0, field + " must be an integer"
	}
	return n, ""
}

func snapErrors(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, map[string][]string{"error_messages": msgs})
}

func (e *Emulator) snapRoutes(m *http.ServeMux) {
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !e.authorized(r) {
				snapErrors(w, 401, "Access denied due to unauthorized transaction, please check client or server key",
					"Visit https://snap-docs.midtrans.com/#request-headers for more details")
				return
			}
			h(w, r)
		}
	}
	m.HandleFunc("POST /snap/v1/transactions", auth(e.handleSnapCreate))
	m.HandleFunc("POST /snap/v1/transactions/{token}/cancel", auth(e.handleSnapCancel))
	m.HandleFunc("GET /snap/v3/users/{user}/gopay", auth(e.handleSnapGopayAccount))
	m.HandleFunc("DELETE /snap/v3/users/{user}/gopay", auth(e.handleSnapGopayUnlink))
	m.HandleFunc("GET /_sim/snap", e.simSnap)
	e.snapPageRoutes(m)
}

// handleSnapCreate is POST /snap/v1/transactions: 201 {token, redirect_url}.
func (e *Emulator) handleSnapCreate(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		snapErrors(w, 413, "request body is too large")
		return
	}
	var req snapReq
	if code, msgs := decodeJSON(body, &req); code != 0 {
		snapErrors(w, 400, msgs...)
		return
	}
	orderID := ""
	if req.TransactionDetails != nil {
		orderID = req.TransactionDetails.OrderID
	}
	if e.faults.applyAPI(w, r, "snap", orderID) {
		return
	}
	now := e.now()
	s, msgs := e.parseSnap(&req, now)
	if len(msgs) > 0 {
		snapErrors(w, 400, msgs...)
		return
	}
	if ov := parseURLList(r.Header.Get("X-Override-Notification")); len(ov) > 0 {
		s.Notify, s.NotifyMode = ov, "override"
	} else if ap := parseURLList(r.Header.Get("X-Append-Notification")); len(ap) > 0 {
		s.Notify, s.NotifyMode = ap, "append"
	}
	s.Token = e.newUUID()
	e.mu.Lock()
	if e.st.byOrder[s.OrderID] != nil {
		e.mu.Unlock()
		snapErrors(w, 400, "transaction_details.order_id has been paid and utilized, please use another order ID")
		return
	}
	// Until a method is chosen the same order id may get a new token; the old one dies.
	if old := e.st.snapOrders[s.OrderID]; old != nil && old.State == "open" {
		old.State = "replaced"
		e.st.touch(old)
	}
	e.st.SnapSeq++
	s.Seq = e.st.SnapSeq
	e.st.Snaps[s.Token] = s
	e.st.snapOrders[s.OrderID] = s
	e.st.touch(s)
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	writeJSON(w, 201, map[string]string{"token": s.Token, "redirect_url": e.snapURL(s.Token)})
}

func (e *Emulator) snapURL(token string) string {
	return e.publicURL() + "/snap/v4/redirection/" + token
}

// parseSnap validates a Snap request and builds its session (without token).
func (e *Emulator) parseSnap(req *snapReq, now time.Time) (*snapSession, []string) {
	var msgs []string
	add := func(m string) { msgs = append(msgs, m) }
	s := &snapSession{Created: now, State: "open", UserID: req.UserID,
		Custom1: req.CustomField1, Custom2: req.CustomField2, Custom3: req.CustomField3}
	if req.TransactionDetails == nil {
		add("transaction_details is required")
	} else {
		s.OrderID = req.TransactionDetails.OrderID
		if s.OrderID == "" {
			add("transaction_details.order_id is required")
		} else if !validOrderID(s.OrderID) {
			add("transaction_details.order_id must be at most 50 characters of letters, digits, '-', '_', '~' or '.'")
		}
		var m string
		if s.Gross, m = parseAmount(req.TransactionDetails.GrossAmount, "transaction_details.gross_amount"); m != "" {
			add(m)
		}
	}
	if len(req.ItemDetails) > 0 && len(msgs) == 0 {
		var sum int64
		ok := true
		for i, it := range req.ItemDetails {
			p, m := snapInt(it.Price, fmt.Sprintf("item_details[%d].price", i))
			if m != "" {
				add(m)
				ok = false
				continue
			}
			q, m := snapInt(it.Quantity, fmt.Sprintf("item_details[%d].quantity", i))
			if m == "" && q < 1 {
				m = fmt.Sprintf("item_details[%d].quantity must be greater than or equal to 1", i)
			}
			if m != "" {
				add(m)
				ok = false
				continue
			}
			if it.Name == "" {
				add(fmt.Sprintf("item_details[%d].name is required", i))
			}
			sum += p * q
		}
		if ok && sum != s.Gross {
			add("transaction_details.gross_amount is not equal to the sum of item_details")
		}
	}
	if len(req.EnabledPayments) == 0 {
		s.Methods = append([]string(nil), snapChannels...)
	} else {
		want := map[string]bool{}
		for _, p := range req.EnabledPayments {
			if exp, ok := snapAliases[p]; ok {
				for _, x := range exp {
					want[x] = true
				}
			}
			want[p] = true
		}
		for _, c := range snapChannels {
			if want[c] {
				s.Methods = append(s.Methods, c)
			}
		}
		if len(s.Methods) == 0 {
			add("enabled_payments has no payment channel this merchant can accept")
		}
	}
	if cc := req.CreditCard; cc != nil {
		s.Secure, s.SaveCard, s.CardBank = cc.Secure, cc.SaveCard, cc.Bank
		switch cc.Type {
		case "", "authorize_capture":
		case "authorize":
			s.CardAuthorize = true
		default:
			add("credit_card.type must be authorize or authorize_capture")
		}
	}
	if len(s.UserID) > 255 {
		add("user_id must be at most 255 characters")
	}
	if g := req.Gopay; g != nil {
		s.GopayLink, s.GopayCallback, s.GopayPhone = g.Tokenization, g.CallbackURL, g.PhoneNumber
		if g.Tokenization && s.UserID == "" {
			add("user_id is required for gopay.tokenization")
		}
	}
	if rc := req.Recurring; rc != nil {
		s.Recurring = rc.required()
		if rc.StartTime != "" {
			if _, err := time.Parse(snapTimeLayout, rc.StartTime); err != nil {
				add("recurring.start_time must be in yyyy-MM-dd HH:mm:ss Z format")
			}
		}
		switch rc.IntervalUnit {
		case "", "day", "week", "month":
		default:
			add("recurring.interval_unit must be day, week or month")
		}
	}
	if cb := req.Callbacks; cb != nil {
		if len(cb.Finish) > 255 {
			add("callbacks.finish must be at most 255 characters")
		}
		s.Finish = cb.Finish
	}
	for i, f := range []string{req.CustomField1, req.CustomField2, req.CustomField3} {
		if len(f) > 255 {
			add(fmt.Sprintf("custom_field%d must be at most 255 characters", i+1))
		}
	}
	if len(req.Metadata) > 0 && string(req.Metadata) != "null" {
		if req.Metadata[0] != '{' {
			add("metadata must be a JSON object")
		} else {
			s.Metadata = append(json.RawMessage(nil), req.Metadata...)
		}
	}
	s.PageExpires = now.Add(24 * time.Hour)
	if x := req.Expiry; x != nil {
		n, m := snapInt(x.Duration, "expiry.duration")
		unit := snapUnit(x.Unit)
		switch {
		case m != "":
			add(m)
		case unit == 0:
			add("expiry.unit must be day, hour or minute")
		case n < 1 || time.Duration(n)*unit > 7*24*time.Hour:
			add("expiry.duration must be between 1 minute and 7 days")
		default:
			s.ExpiryMinutes = int64(time.Duration(n) * unit / time.Minute)
			start := now
			if x.StartTime != "" {
				st, err := time.Parse(snapTimeLayout, x.StartTime)
				if err != nil {
					add("expiry.start_time must be in yyyy-MM-dd HH:mm:ss Z format")
				}
				s.ExpiryStart, start = st, st
			}
			s.PageExpires = start.Add(time.Duration(n) * unit)
		}
	}
	if x := req.PageExpiry; x != nil {
		n, m := snapInt(x.Duration, "page_expiry.duration")
		unit := snapUnit(x.Unit)
		switch {
		case m != "":
			add(m)
		case unit == 0:
			add("page_expiry.unit must be day, hour or minute")
		case n < 1 || time.Duration(n)*unit > 7*24*time.Hour:
			add("page_expiry.duration must be between 1 minute and 7 days")
		default:
			s.PageExpires = now.Add(time.Duration(n) * unit)
		}
	}
	return s, msgs
}

// handleSnapCancel is POST /snap/v1/transactions/{token}/cancel.
func (e *Emulator) handleSnapCancel(w http.ResponseWriter, r *http.Request) {
	now := e.now()
	e.mu.Lock()
	s := e.st.Snaps[r.PathValue("token")]
	switch {
	case s == nil || s.State == "replaced":
		e.mu.Unlock()
		snapErrors(w, 404, "token not found")
		return
	case s.State == "canceled":
		e.mu.Unlock()
		snapErrors(w, 400, "token already canceled")
		return
	case s.TxnID != "" && e.st.Txns[s.TxnID] != nil && e.st.Txns[s.TxnID].Status != "deny":
		e.mu.Unlock()
		snapErrors(w, 400, "Transaction is on progress")
		return
	}
	s.State, s.CanceledAt = "canceled", now
	e.st.touch(s)
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	writeJSON(w, 200, map[string]string{"canceled_at": now.UTC().Format("2006-01-02T15:04:05.000Z")})
}

// snapGopay is the enabled GoPay account user linked inside Snap, or nil;
// call with e.mu held.
func (e *Emulator) snapGopay(user string) *payAccount {
	a := e.st.Accounts[e.st.SnapGopay[user]]
	if a == nil || a.Status != "ENABLED" {
		return nil
	}
	return a
}

// handleSnapGopayAccount is GET /snap/v3/users/{user_id}/gopay: the GoPay
// account a customer linked inside Snap.
func (e *Emulator) handleSnapGopayAccount(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	e.mu.Lock()
	a := e.snapGopay(user)
	if a == nil {
		e.mu.Unlock()
		writeJSON(w, 404, map[string]any{"error_messages": []string{"account not found"}, "locale": "en"})
		return
	}
	out := map[string]string{"user_id": user, "account_status": a.Status, "balance": "1000000.00",
		"phone_number": a.Phone, "country_code": "62", "account_id": a.ID}
	e.mu.Unlock()
	writeJSON(w, 200, out)
}

// handleSnapGopayUnlink is DELETE /snap/v3/users/{user_id}/gopay.
func (e *Emulator) handleSnapGopayUnlink(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	e.mu.Lock()
	a := e.snapGopay(user)
	if a == nil {
		e.mu.Unlock()
		writeJSON(w, 404, map[string]any{"error_messages": []string{"account not found"}, "locale": "en"})
		return
	}
	a.Status, a.Updated = "DISABLED", e.now()
	delete(e.st.SnapGopay, user)
	e.st.touch(a)
	e.st.touchGopay()
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	writeJSON(w, 200, map[string]string{"user_id": user, "account_status": "DISABLED", "account_id": a.ID})
}

// reindexSnaps rebuilds the Snap order index after a restore.
func (s *state) reindexSnaps() {
	if s.Snaps == nil {
		s.Snaps = map[string]*snapSession{}
	}
	if s.SnapGopay == nil {
		s.SnapGopay = map[string]string{}
	}
	s.snapOrders = map[string]*snapSession{}
	for _, x := range s.Snaps {
		if o := s.snapOrders[x.OrderID]; o == nil || o.Seq < x.Seq {
			s.snapOrders[x.OrderID] = x
		}
	}
}

type simSnapJSON struct {
	Token         string `json:"token"`
	OrderID       string `json:"order_id"`
	GrossAmount   string `json:"gross_amount"`
	State         string `json:"state"` // choose, pending, 3ds, done, expired, replaced, canceled
	RedirectURL   string `json:"redirect_url"`
	TransactionID string `json:"transaction_id,omitempty"`
	CreatedAt     string `json:"created_at"`
	PageExpiresAt string `json:"page_expires_at"`
}

// simSnap is GET /_sim/snap: every Snap checkout, newest first, with what
// its page shows now.
func (e *Emulator) simSnap(w http.ResponseWriter, r *http.Request) {
	now := e.now()
	e.mu.Lock()
	out := make([]simSnapJSON, 0, len(e.st.Snaps))
	for _, s := range e.st.Snaps {
		phase, _ := e.snapPhase(s, now)
		out = append(out, simSnapJSON{Token: s.Token, OrderID: s.OrderID, GrossAmount: amountStr(s.Gross), State: phase,
			RedirectURL: e.snapURL(s.Token), TransactionID: s.TxnID, CreatedAt: rfc(s.Created), PageExpiresAt: rfc(s.PageExpires)})
	}
	seq := map[string]int64{}
	for _, s := range e.st.Snaps {
		seq[s.Token] = s.Seq
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return seq[out[i].Token] > seq[out[j].Token] })
	writeJSON(w, 200, out)
}
