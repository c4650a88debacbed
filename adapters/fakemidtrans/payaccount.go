package fakemidtrans

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// payAccount is a GoPay account linked through the Pay Account API.
type payAccount struct {
	ID          string    `json:"id"`
	Phone       string    `json:"phone"`
	RedirectURL string    `json:"redirect_url,omitempty"`
	Status      string    `json:"status"` // PENDING, ENABLED, DISABLED, EXPIRED
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	WalletToken string    `json:"wallet_token,omitempty"`
	LaterToken  string    `json:"later_token,omitempty"`
}

type balanceJSON struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

type paymentOptionJSON struct {
	Name     string          `json:"name"`
	Active   bool            `json:"active"`
	Metadata json.RawMessage `json:"metadata"`
	Balance  balanceJSON     `json:"balance"`
	Token    string          `json:"token"`
}

type payAccountJSON struct {
	StatusCode             string   `json:"status_code"`
	StatusMessage          string   `json:"status_message,omitempty"`
	PaymentType            string   `json:"payment_type"`
	AccountID              string   `json:"account_id,omitempty"`
	AccountStatus          string   `json:"account_status,omitempty"`
	ChannelResponseCode    string   `json:"channel_response_code,omitempty"`
	ChannelResponseMessage string   `json:"channel_response_message,omitempty"`
	Actions                []action `json:"actions,omitempty"`
	Metadata               *struct {
		PaymentOptions []paymentOptionJSON `json:"payment_options"`
	} `json:"metadata,omitempty"`
	SignatureKey string `json:"signature_key,omitempty"`
	MerchantID   string `json:"merchant_id,omitempty"`
}

func (e *Emulator) optionToken(kind string) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"type":%q,"id":%q}`, kind, e.newUUID())))
}

// view renders an account for GET; call with e.mu held.
func (a *payAccount) view(e *Emulator) (int, *payAccountJSON) {
	v := &payAccountJSON{PaymentType: "gopay", AccountID: a.ID, AccountStatus: a.Status}
	switch a.Status {
	case "ENABLED":
		v.StatusCode = "200"
		v.Metadata = &struct {
			PaymentOptions []paymentOptionJSON `json:"payment_options"`
		}{[]paymentOptionJSON{
			{Name: "GOPAY_WALLET", Active: true, Metadata: json.RawMessage("{}"), Balance: balanceJSON{"1000000.00", "IDR"}, Token: a.WalletToken},
			{Name: "PAY_LATER", Active: true, Metadata: json.RawMessage("{}"), Balance: balanceJSON{"350000.00", "IDR"}, Token: a.LaterToken},
		}}
		return 200, v
	case "PENDING":
		v.StatusCode = "201"
		v.Actions = a.actions(e)
		return 201, v
	}
	v.StatusCode = "204"
	return 204, v
}

func (a *payAccount) actions(e *Emulator) []action {
	base := e.publicURL()
	return []action{
		{Name: "activation-link-url", Method: "GET", URL: base + "/v2/gopay/redirect/gpar_" + a.ID + "/link"},
		{Name: "activation-link-app", Method: "GET", URL: base + "/v2/gopay/redirect/gpad_" + a.ID + "/link"},
	}
}

func (e *Emulator) handlePayAccountCreate(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	var req struct {
		PaymentType  string `json:"payment_type"`
		GopayPartner *struct {
			PhoneNumber string `json:"phone_number"`
			CountryCode string `json:"country_code"`
			RedirectURL string `json:"redirect_url"`
		} `json:"gopay_partner"`
	}
	if code, msgs := decodeJSON(body, &req); code != 0 {
		malformed(w, code, msgs)
		return
	}
	if e.faults.applyAPI(w, r, "pay_account_create", "") {
		return
	}
	var msgs []string
	if req.PaymentType != "gopay" {
		msgs = append(msgs, "payment_type must be gopay")
	}
	phone := ""
	if req.GopayPartner == nil {
		msgs = append(msgs, "gopay_partner is required")
	} else {
		phone = req.GopayPartner.PhoneNumber
		if !digitsOnly(phone) || phone[0] == '0' || len(phone) < 9 || len(phone) > 13 {
			msgs = append(msgs, "gopay_partner.phone_number must be numeric digits and must not begin with 0")
		}
		if req.GopayPartner.CountryCode != "62" {
			msgs = append(msgs, "gopay_partner.country_code must be 62")
		}
	}
	if len(msgs) > 0 {
		badRequest(w, msgs...)
		return
	}
	switch phone { // sandbox numbers that fail
	case "123450001":
		writeCore(w, 202, &payAccountJSON{StatusCode: "202", PaymentType: "gopay", ChannelResponseCode: "105", ChannelResponseMessage: "User Not Found"})
		return
	case "123450002", "8271939753":
		writeCore(w, 202, &payAccountJSON{StatusCode: "202", PaymentType: "gopay", ChannelResponseCode: "106", ChannelResponseMessage: "Wallet is Blocked"})
		return
	}
	now := e.now()
	a := &payAccount{ID: e.newUUID(), Phone: phone, RedirectURL: req.GopayPartner.RedirectURL, Status: "PENDING", Created: now, Updated: now}
	e.mu.Lock()
	e.st.Accounts[a.ID] = a
	e.st.touch(a)
	_, v := a.view(e)
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	writeCore(w, 201, v)
}

func (e *Emulator) handlePayAccountGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if e.faults.applyAPI(w, r, "pay_account_get", id) {
		return
	}
	e.mu.Lock()
	a := e.st.Accounts[id]
	if a == nil {
		e.mu.Unlock()
		writeCore(w, 404, &coreError{StatusCode: "404", StatusMessage: "Account doesn't exist.", ID: newUUID()})
		return
	}
	code, v := a.view(e)
	e.mu.Unlock()
	writeCore(w, code, v)
}

func (e *Emulator) handlePayAccountUnbind(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if e.faults.applyAPI(w, r, "pay_account_unbind", id) {
		return
	}
	e.mu.Lock()
	a := e.st.Accounts[id]
	if a == nil {
		e.mu.Unlock()
		writeCore(w, 404, &coreError{StatusCode: "404", StatusMessage: "Account doesn't exist.", ID: newUUID()})
		return
	}
	if a.Status != "ENABLED" {
		e.mu.Unlock()
		writeCore(w, 412, &coreError{StatusCode: "412", StatusMessage: "Account status cannot be updated.", ID: newUUID()})
		return
	}
	a.Status, a.Updated = "DISABLED", e.now()
	e.st.touch(a)
	note := e.accountNote(a, "204", "Midtrans account_unlinked notification")
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	e.nq.enqueue(note)
	writeCore(w, 204, &payAccountJSON{StatusCode: "204", PaymentType: "gopay", AccountID: id, AccountStatus: "DISABLED",
		ChannelResponseCode: "0", ChannelResponseMessage: "Process service request successfully."})
}

// accountNote builds a Pay Account notification. Midtrans' signature formula for these is unconfirmed;
// the emulator signs SHA-512(account_id + status_code + "" + server key), i.e. order_id=account_id, no amount.
func (e *Emulator) accountNote(a *payAccount, code, msg string) *notification {
	v := &payAccountJSON{StatusCode: code, StatusMessage: msg, PaymentType: "gopay", AccountID: a.ID, AccountStatus: a.Status,
		MerchantID: merchantID, SignatureKey: Signature(a.ID, code, "", e.opts.ServerKey)}
	bad := *v
	bad.SignatureKey = Signature(a.ID, code, "", e.opts.ServerKey+"-wrong")
	var urls []string
	if e.opts.PayAccountNotificationURL != "" {
		urls = []string{e.opts.PayAccountNotificationURL}
	}
	return &notification{kind: "pay_account", orderID: a.ID, status: a.Status, urls: urls, body: v, badSig: func() any { return &bad }}
}

// LinkAccount completes GoPay linking (what the customer does in the Gojek app) and notifies before returning.
func (e *Emulator) LinkAccount(ctx context.Context, id string) (int, any) {
	e.mu.Lock()
	a := e.st.Accounts[id]
	if a == nil {
		e.mu.Unlock()
		return 404, &coreError{StatusCode: "404", StatusMessage: "Account doesn't exist.", ID: newUUID()}
	}
	if a.Status != "PENDING" {
		st := a.Status
		e.mu.Unlock()
		return 409, &coreError{StatusCode: "409", StatusMessage: "account is " + st + ", only PENDING accounts can be linked", ID: newUUID()}
	}
	a.Status, a.Updated = "ENABLED", e.now()
	a.WalletToken, a.LaterToken = e.optionToken("GOPAY_WALLET"), e.optionToken("PAY_LATER")
	e.st.touch(a)
	note := e.accountNote(a, "200", "Midtrans account_linked notification")
	_, v := a.view(e)
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		return 500, storageError()
	}
	e.log.Info("pay account linked", "account_id", id)
	e.nq.enqueue(note)
	_ = e.Drain(ctx)
	return 200, v
}

func (e *Emulator) simLink(w http.ResponseWriter, r *http.Request) {
	code, v := e.LinkAccount(r.Context(), r.PathValue("id"))
	writeJSON(w, code, v)
}

func linkID(s string) string {
	if i := strings.IndexByte(s, '_'); i >= 0 {
		return s[i+1:]
	}
	return s
}

var linkPage = template.Must(template.New("link").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>Link GoPay</title></head>
<body style="font-family:sans-serif;max-width:30em;margin:2em auto"><h1>Emulated GoPay linking</h1>
{{if .}}<p>Account {{.ID}} for phone {{.Phone}} is {{.Status}}.</p>
{{if eq .Status "PENDING"}}<form method="post"><label>PIN (use 112233) <input name="pin" value="112233"></label> <button type="submit">Link account</button></form>{{end}}
{{else}}<p>Unknown account.</p>{{end}}<p><a href="/">Simulator</a></p></body></html>`))

func (e *Emulator) handleLinkPage(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	var data *payAccount
	if a := e.st.Accounts[linkID(r.PathValue("id"))]; a != nil {
		c := *a
		data = &c
	}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = linkPage.Execute(w, data)
}

func (e *Emulator) handleLinkSubmit(w http.ResponseWriter, r *http.Request) {
	id := linkID(r.PathValue("id"))
	code, _ := e.LinkAccount(r.Context(), id)
	if code != 200 {
		http.Error(w, "account cannot be linked", http.StatusConflict)
		return
	}
	e.mu.Lock()
	redirect := ""
	if a := e.st.Accounts[id]; a != nil {
		redirect = a.RedirectURL
	}
	e.mu.Unlock()
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// gopayTokenCharge charges a linked account. Call with e.mu held.
func (e *Emulator) gopayTokenCharge(t *txn, token string, now time.Time) (int, string, *coreError) {
	a := e.st.Accounts[t.AccountID]
	if a == nil || a.Status != "ENABLED" {
		return 412, "", &coreError{StatusCode: "412", StatusMessage: "Account is not active.", ID: newUUID()}
	}
	switch token {
	case a.WalletToken:
		t.OptionType = "GOPAY_WALLET"
	case a.LaterToken:
		t.OptionType = "PAY_LATER"
	default:
		return 400, "", &coreError{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: []string{"gopay.payment_option_token is invalid"}, ID: newUUID()}
	}
	if a.Phone == "8242014881" {
		t.Status, t.ChannelCode, t.ChannelMsg = "deny", "201", "Insufficient Balance"
		return 202, "GoPay transaction is denied", nil
	}
	if t.Gross >= 100000 { // sandbox: a PIN is needed from IDR 100,000
		t.Expiry = now.Add(5 * time.Minute)
		return 201, "GoPay transaction is created. Action(s) required", nil
	}
	t.Status, t.Settled = "settlement", now
	return 200, "Success, GoPay transaction is successful", nil
}

func (e *Emulator) simPayAccounts(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	out := make([]payAccount, 0, len(e.st.Accounts))
	for _, a := range e.st.Accounts {
		out = append(out, *a)
	}
	e.mu.Unlock()
	writeJSON(w, 200, out)
}
