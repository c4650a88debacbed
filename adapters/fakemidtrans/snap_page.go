package fakemidtrans

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

//go:embed snapassets
var snapAssets embed.FS

var snapPage = template.Must(template.ParseFS(snapAssets, "snapassets/page.html"))

// snapCSP allows only the emulator's own scripts (no inline script) and lets
// any merchant page frame the checkout, as snap.js does.
const snapCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors *; base-uri 'none'"

const snapBase = "/snap/v4/redirection/"

func (e *Emulator) snapPageRoutes(m *http.ServeMux) {
	p := "/snap/v4/redirection/{token}"
	m.HandleFunc("GET "+p, e.handleSnapPage)
	m.HandleFunc("GET "+p+"/status", e.handleSnapPageStatus)
	m.HandleFunc("POST "+p+"/charge", e.handleSnapChoose)
	m.HandleFunc("POST "+p+"/card", e.handleSnapCard)
	m.HandleFunc("POST "+p+"/gopay-link", e.handleSnapGopayLink)
	m.HandleFunc("GET "+p+"/3ds", e.handleSnap3DSPage)
	m.HandleFunc("POST "+p+"/3ds", e.handleSnap3DSSubmit)
	m.HandleFunc("POST "+p+"/finish", e.handleSnapFinish)
	m.HandleFunc("GET /snap/snap.js", e.serveSnapAsset("snap.js"))
	m.HandleFunc("GET /snap/assets/{file}", func(w http.ResponseWriter, r *http.Request) {
		switch f := r.PathValue("file"); f {
		case "page.js", "snap.css":
			e.serveSnapAsset(f)(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

func (e *Emulator) serveSnapAsset(name string) http.HandlerFunc {
	ctype := "text/javascript; charset=utf-8"
	if strings.HasSuffix(name, ".css") {
		ctype = "text/css; charset=utf-8"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := snapAssets.ReadFile("snapassets/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	}
}

type snapMethod struct{ ID, Label string }

type snapView struct {
	Token, OrderID, Amount, Base, Q, StatusURL, SimURL string
	Phase                                              string // unknown, replaced, canceled, expired, choose, 3ds, pending, done
	PageExpires                                        string
	Others                                             []snapMethod
	Card, CardSave, Recurring, Secure, GopayLink       bool
	GopayPhone, CardYear                               string
	Denied, Embed, Poll, AutoRedirect                  bool
	Txn                                                *txnJSON
	Event, Result, FinishURL, Error                    string
}

// snapEvent is the snap.js callback a transaction's state calls.
func snapEvent(t *txn) string {
	switch {
	case t.Status == "settlement" || t.Status == "authorize" || (t.Status == "capture" && t.Fraud != "challenge"):
		return "success"
	case t.Status == "pending" || t.Status == "capture":
		return "pending"
	}
	return "error"
}

// snapFinishURL is the Finish URL with Midtrans' redirect parameters.
func snapFinishURL(s *snapSession, t *txn) string {
	if s.Finish == "" || t == nil {
		return ""
	}
	q := url.Values{"order_id": {t.OrderID}, "status_code": {t.statusCode(true)}, "transaction_status": {t.Status}, "merchant_id": {merchantID}}
	sep := "?"
	if strings.Contains(s.Finish, "?") {
		sep = "&"
	}
	return s.Finish + sep + q.Encode()
}

type snapResultJSON struct {
	*txnJSON
	FinishRedirectURL string `json:"finish_redirect_url,omitempty"`
}

// phase works out what the page shows; call with e.mu held.
func (e *Emulator) snapPhase(s *snapSession, now time.Time) (string, *txn) {
	if s == nil {
		return "unknown", nil
	}
	switch s.State {
	case "replaced", "canceled":
		return s.State, nil
	}
	t := e.st.Txns[s.TxnID]
	if t == nil {
		if !now.Before(s.PageExpires) {
			return "expired", nil
		}
		return "choose", nil
	}
	switch {
	case t.Status == "pending" && t.PaymentType == "credit_card" && t.ThreeDS:
		return "3ds", t
	case t.Status == "pending":
		return "pending", t
	case t.Status == "deny" && now.Before(s.PageExpires):
		return "choose", t
	}
	return "done", t
}

// snapView builds the page model of token; call with e.mu held.
func (e *Emulator) snapView(token string, embed bool, now time.Time) (*snapView, *snapSession) {
	s := e.st.Snaps[token]
	v := &snapView{Token: token, Base: snapBase + url.PathEscape(token), Embed: embed, SimURL: e.publicURL() + "/"}
	if embed {
		v.Q = "?embed=1"
	}
	v.StatusURL = v.Base + "/status"
	phase, t := e.snapPhase(s, now)
	v.Phase = phase
	if s == nil {
		return v, nil
	}
	v.OrderID, v.Amount = s.OrderID, amountStr(s.Gross)
	v.PageExpires = fmtWire(s.PageExpires)
	if t != nil {
		v.Txn = t.view(e, t.statusCode(true), "Success, transaction is found")
		e.addActions(t, v.Txn)
	}
	switch phase {
	case "choose":
		v.Denied = t != nil
		for _, m := range s.Methods {
			switch m {
			case "credit_card":
				v.Card, v.Secure = true, s.Secure
				v.CardSave, v.Recurring = s.SaveCard, s.Recurring
			default:
				v.Others = append(v.Others, snapMethod{ID: m, Label: snapLabels[m]})
				if m == "gopay" && s.GopayLink {
					v.GopayLink, v.GopayPhone = true, s.GopayPhone
				}
			}
		}
		v.CardYear = strconv.Itoa(now.In(wib).Year() + 3)
	case "pending":
		v.Poll = true
	case "done":
		v.Event = snapEvent(t)
		v.FinishURL = snapFinishURL(s, t)
		res := snapResultJSON{txnJSON: v.Txn, FinishRedirectURL: v.FinishURL}
		b, _ := json.Marshal(res)
		v.Result = string(b)
		v.AutoRedirect = !embed && v.FinishURL != ""
	}
	return v, s
}

func (e *Emulator) renderSnap(w http.ResponseWriter, status int, v *snapView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", snapCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = snapPage.Execute(w, v)
}

func isEmbed(r *http.Request) bool { return r.URL.Query().Get("embed") == "1" }

func (e *Emulator) handleSnapPage(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	v, _ := e.snapView(r.PathValue("token"), isEmbed(r), e.now())
	e.mu.Unlock()
	v.Error = r.URL.Query().Get("msg")
	status := 200
	if v.Phase == "unknown" {
		status = 404
	}
	e.renderSnap(w, status, v)
}

// handleSnapPageStatus is what page.js polls: the page's phase and, once a
// method was chosen, the transaction's status.
func (e *Emulator) handleSnapPageStatus(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	s := e.st.Snaps[r.PathValue("token")]
	phase, t := e.snapPhase(s, e.now())
	out := map[string]string{"phase": phase}
	if t != nil {
		out["transaction_status"] = t.Status
	}
	e.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, out)
}

// backToPage answers a form post with a redirect to the page (with a message).
func backToPage(w http.ResponseWriter, r *http.Request, msg string) {
	q := url.Values{}
	if isEmbed(r) {
		q.Set("embed", "1")
	}
	if msg != "" {
		q.Set("msg", msg)
	}
	u := snapBase + url.PathEscape(r.PathValue("token"))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// snapChoosable returns a copy of the session when a method may be chosen now.
func (e *Emulator) snapChoosable(token string) (snapSession, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.st.Snaps[token]
	if phase, _ := e.snapPhase(s, e.now()); phase != "choose" {
		return snapSession{}, false
	}
	return *s, true
}

func (s *snapSession) allows(method string) bool {
	for _, m := range s.Methods {
		if m == method {
			return true
		}
	}
	return false
}

// snapCharge creates the Core transaction of a chosen method through the
// emulator's own charge code, so it behaves (and is paid, expired and
// notified) exactly like a Core API charge. It delivers the first
// notification before returning.
func (e *Emulator) snapCharge(r *http.Request, s *snapSession, paymentType string, extra map[string]any) (*txnJSON, string) {
	now := e.now()
	m := map[string]any{
		"payment_type":        paymentType,
		"transaction_details": map[string]any{"order_id": s.OrderID, "gross_amount": s.Gross},
		"custom_field1":       s.Custom1, "custom_field2": s.Custom2, "custom_field3": s.Custom3,
	}
	if len(s.Metadata) > 0 {
		m["metadata"] = s.Metadata
	}
	if s.ExpiryMinutes > 0 && paymentType != "credit_card" {
		start := s.ExpiryStart
		if start.IsZero() {
			start = now
		}
		m["custom_expiry"] = map[string]any{"order_time": start.In(wib).Format(snapTimeLayout), "expiry_duration": s.ExpiryMinutes, "unit": "minute"}
	}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	var req chargeReq
	if code, msgs := decodeJSON(b, &req); code != 0 {
		return nil, strings.Join(msgs, "; ")
	}
	req.snap = true
	hr := &http.Request{Header: http.Header{}}
	switch s.NotifyMode {
	case "override":
		hr.Header.Set("X-Override-Notification", strings.Join(s.Notify, ","))
	case "append":
		hr.Header.Set("X-Append-Notification", strings.Join(s.Notify, ","))
	}
	_, out := e.charge(&req, hr)
	v, ok := out.(*txnJSON)
	if !ok {
		msg := "the payment could not be created"
		if ce, ok := out.(*coreError); ok {
			msg = ce.StatusMessage
			if len(ce.ValidationMessages) > 0 {
				msg += ": " + strings.Join(ce.ValidationMessages, "; ")
			}
		}
		return nil, msg
	}
	e.mu.Lock()
	if cur := e.st.Snaps[s.Token]; cur != nil {
		cur.TxnID = v.TransactionID
		e.st.touch(cur)
	}
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		return nil, "the payment could not be saved"
	}
	_ = e.Drain(r.Context())
	return v, ""
}

// handleSnapChoose charges a method that needs no customer input (VA,
// bill payment, QRIS, e-wallet deeplinks, convenience stores).
func (e *Emulator) handleSnapChoose(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s, ok := e.snapChoosable(r.PathValue("token"))
	if !ok {
		backToPage(w, r, "")
		return
	}
	method := r.FormValue("method")
	if !s.allows(method) || method == "credit_card" {
		backToPage(w, r, "That payment method is not available here.")
		return
	}
	var ptype string
	extra := map[string]any{}
	switch method {
	case "bca_va", "bni_va", "bri_va", "cimb_va", "permata_va":
		ptype = "bank_transfer"
		extra["bank_transfer"] = map[string]string{"bank": strings.TrimSuffix(method, "_va")}
	case "echannel":
		ptype = "echannel"
		extra["echannel"] = map[string]string{"bill_info1": "Payment:", "bill_info2": "Online purchase"}
	case "gopay":
		ptype = "gopay"
		cb := s.GopayCallback
		if cb == "" {
			cb = s.Finish
		}
		extra["gopay"] = map[string]string{"callback_url": cb}
	case "shopeepay":
		ptype = "shopeepay"
		extra["shopeepay"] = map[string]string{"callback_url": s.Finish}
	case "other_qris":
		ptype = "qris"
	case "alfamart", "indomaret":
		ptype = "cstore"
		extra["cstore"] = map[string]string{"store": method}
	}
	if _, msg := e.snapCharge(r, &s, ptype, extra); msg != "" {
		backToPage(w, r, msg)
		return
	}
	backToPage(w, r, "")
}

// handleSnapCard tokenizes the card typed on the page and charges it, with
// 3-D Secure when the token asked for credit_card.secure.
func (e *Emulator) handleSnapCard(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s, ok := e.snapChoosable(r.PathValue("token"))
	if !ok {
		backToPage(w, r, "")
		return
	}
	if !s.allows("credit_card") {
		backToPage(w, r, "Card payments are not available here.")
		return
	}
	now := e.now()
	number := strings.ReplaceAll(r.FormValue("card_number"), " ", "")
	if _, msgs := e.validateCard(number, r.FormValue("card_exp_month"), r.FormValue("card_exp_year"), r.FormValue("card_cvv"), now); len(msgs) > 0 {
		backToPage(w, r, strings.Join(msgs, "; "))
		return
	}
	tok := &cardToken{ID: masked(number) + "-" + e.newUUID(), Card: number, Expires: now.Add(10 * time.Minute)}
	e.mu.Lock()
	e.st.Tokens[tok.ID] = tok
	e.mu.Unlock()
	save := s.Recurring || (s.SaveCard && r.FormValue("save_card") != "")
	cc := map[string]any{"token_id": tok.ID, "authentication": s.Secure, "save_token_id": save, "bank": s.CardBank}
	if s.CardAuthorize {
		cc["type"] = "authorize"
	}
	v, msg := e.snapCharge(r, &s, "credit_card", map[string]any{"credit_card": cc})
	if msg != "" {
		backToPage(w, r, msg)
		return
	}
	if v.TransactionStatus == "pending" && v.RedirectURL != "" {
		u := snapBase + url.PathEscape(s.Token) + "/3ds"
		if isEmbed(r) {
			u += "?embed=1"
		}
		http.Redirect(w, r, u, http.StatusSeeOther)
		return
	}
	e.snapFinish(w, r)
}

func (e *Emulator) handleSnap3DSPage(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	s := e.st.Snaps[r.PathValue("token")]
	var data map[string]any
	if s != nil {
		if t := e.st.Txns[s.TxnID]; t != nil && t.PaymentType == "credit_card" {
			data = map[string]any{"OrderID": t.OrderID, "Masked": t.Masked, "Amount": t.Gross, "Status": t.Status, "Done": t.Status != "pending"}
		}
	}
	e.mu.Unlock()
	if data == nil {
		backToPage(w, r, "")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", snapCSP)
	_ = threeDSPage.Execute(w, data)
}

func (e *Emulator) handleSnap3DSSubmit(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	e.mu.Lock()
	id := ""
	if s := e.st.Snaps[r.PathValue("token")]; s != nil {
		id = s.TxnID
	}
	e.mu.Unlock()
	if _, ok := e.complete3DS(r, id); !ok {
		backToPage(w, r, "")
		return
	}
	e.snapFinish(w, r)
}

// handleSnapGopayLink links the customer's GoPay account inside Snap (the
// phone number and PIN stand for Gojek's OTP and PIN steps) and pays with
// it at once. The notification carries metadata.extra_info.account_id
// (https://docs.midtrans.com/reference/gopay-tokenization-1).
func (e *Emulator) handleSnapGopayLink(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s, ok := e.snapChoosable(r.PathValue("token"))
	if !ok {
		backToPage(w, r, "")
		return
	}
	if !s.GopayLink || !s.allows("gopay") {
		backToPage(w, r, "GoPay linking is not available here.")
		return
	}
	phone := strings.TrimPrefix(strings.TrimSpace(r.FormValue("phone")), "0")
	if !digitsOnly(phone) || len(phone) < 9 || len(phone) > 13 {
		backToPage(w, r, "Enter the GoPay phone number, digits only.")
		return
	}
	if s.GopayPhone != "" && strings.TrimPrefix(s.GopayPhone, "0") != phone {
		backToPage(w, r, "This payment must be made with the phone number the merchant gave.")
		return
	}
	if r.FormValue("pin") != "112233" {
		backToPage(w, r, "Wrong PIN.")
		return
	}
	now := e.now()
	e.mu.Lock()
	a := e.st.Accounts[e.st.SnapGopay[s.UserID]]
	if a == nil || a.Status != "ENABLED" || a.Phone != phone {
		a = &payAccount{ID: e.newUUID(), Phone: phone, Status: "ENABLED", Created: now, Updated: now,
			WalletToken: e.optionToken("GOPAY_WALLET"), LaterToken: e.optionToken("PAY_LATER")}
		e.st.Accounts[a.ID] = a
		e.st.SnapGopay[s.UserID] = a.ID
		e.st.touch(a)
		e.st.touchGopay()
	}
	accountID, token := a.ID, a.WalletToken
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		backToPage(w, r, "The payment could not be saved; try again.")
		return
	}
	meta := map[string]any{}
	if len(s.Metadata) > 0 {
		_ = json.Unmarshal(s.Metadata, &meta)
	}
	meta["extra_info"] = map[string]string{"user_id": s.UserID, "account_id": accountID}
	mb, _ := json.Marshal(meta)
	s.Metadata = mb
	v, msg := e.snapCharge(r, &s, "gopay", map[string]any{"gopay": map[string]string{"account_id": accountID, "payment_option_token": token}})
	if msg != "" {
		backToPage(w, r, msg)
		return
	}
	if v.TransactionStatus == "pending" {
		// The PIN was given on this page already.
		e.SimAction(r.Context(), v.TransactionID, "settle")
	}
	e.snapFinish(w, r)
}

// handleSnapFinish is "Back to merchant".
func (e *Emulator) handleSnapFinish(w http.ResponseWriter, r *http.Request) { e.snapFinish(w, r) }

// snapFinish ends a visit: to the Finish URL with Midtrans' parameters, or
// (embedded, or without a Finish URL) a result page that reports to snap.js.
func (e *Emulator) snapFinish(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	embed := isEmbed(r)
	e.mu.Lock()
	v, s := e.snapView(token, embed, e.now())
	var t *txn
	if s != nil {
		t = e.st.Txns[s.TxnID]
	}
	finish := ""
	if s != nil && t != nil {
		finish = snapFinishURL(s, t)
		if v.Phase != "done" && embed {
			// A pending payment reported to snap.js: onPending.
			v.Phase, v.Event, v.FinishURL = "done", snapEvent(t), finish
			b, _ := json.Marshal(snapResultJSON{txnJSON: v.Txn, FinishRedirectURL: finish})
			v.Result = string(b)
		}
	}
	e.mu.Unlock()
	if t == nil {
		backToPage(w, r, "")
		return
	}
	if !embed && finish != "" {
		http.Redirect(w, r, finish, http.StatusSeeOther)
		return
	}
	v.AutoRedirect = false
	e.renderSnap(w, 200, v)
}
