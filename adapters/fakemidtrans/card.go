package fakemidtrans

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cardToken is a one-time token from /v2/token or a saved token from a save_token_id charge.
type cardToken struct {
	ID      string    `json:"id"`
	Card    string    `json:"card"`
	Expires time.Time `json:"expires"` // card expiry (saved) or token expiry (one-time)
	Saved   bool      `json:"saved"`
	Used    bool      `json:"used"`
}

type tokenJSON struct {
	StatusCode         string   `json:"status_code"`
	StatusMessage      string   `json:"status_message"`
	ValidationMessages []string `json:"validation_messages,omitempty"`
	ID                 string   `json:"id,omitempty"`
	TokenID            string   `json:"token_id,omitempty"`
	Hash               string   `json:"hash,omitempty"`
	SavedTokenID       string   `json:"saved_token_id,omitempty"`
	MaskedCard         string   `json:"masked_card,omitempty"`
}

func luhn(s string) bool {
	if len(s) < 12 || len(s) > 19 || !digitsOnly(s) {
		return false
	}
	sum, dbl := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if dbl {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		dbl = !dbl
	}
	return sum%10 == 0
}

func masked(card string) string { return card[:8] + "-" + card[len(card)-4:] }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (e *Emulator) randAlnum(n int) string {
	b := make([]byte, n)
	e.readRand(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// validateCard checks a card the way /v2/token does; it returns the card expiry.
func (e *Emulator) validateCard(number, month, year, cvv string, now time.Time) (time.Time, []string) {
	var msgs []string
	if !luhn(number) {
		msgs = append(msgs, "card_number does not match with luhn algorithm")
	}
	m, err := strconv.Atoi(month)
	if err != nil || m < 1 || m > 12 {
		msgs = append(msgs, "card_exp_month must be between 01 and 12")
	}
	y, err := strconv.Atoi(year)
	if err != nil || y < 1000 {
		msgs = append(msgs, "card_exp_year must be a 4-digit year")
	}
	var exp time.Time
	if len(msgs) == 0 {
		exp = time.Date(y, time.Month(m)+1, 1, 0, 0, 0, 0, wib)
		if y < now.In(wib).Year() {
			msgs = append(msgs, "card_exp_year must be greater than this year")
		} else if !exp.After(now) {
			msgs = append(msgs, "card_exp_month must be greater than this month")
		}
	}
	if cvv != "" && (!digitsOnly(cvv) || len(cvv) < 3 || len(cvv) > 4) {
		msgs = append(msgs, "card_cvv must be 3 or 4 digits")
	}
	return exp, msgs
}

// handleToken is GET /v2/token: authenticated by the client_key query parameter.
func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e.opts.ClientKey != "" && q.Get("client_key") != e.opts.ClientKey {
		writeCore(w, 401, &tokenJSON{StatusCode: "401", StatusMessage: "Transaction cannot be authorized with the current client/server key.", ID: newUUID()})
		return
	}
	if e.faults.applyAPI(w, r, "token", "") {
		return
	}
	now := e.now()
	if saved := q.Get("token_id"); saved != "" && q.Get("card_number") == "" {
		// two-click: a saved token plus CVV gives a fresh one-time token
		e.mu.Lock()
		st := e.st.Tokens[saved]
		var tok *cardToken
		if st != nil && st.Saved {
			tok = &cardToken{ID: masked(st.Card) + "-" + e.newUUID(), Card: st.Card, Expires: now.Add(10 * time.Minute)}
			e.st.Tokens[tok.ID] = tok
			e.st.touch(tok)
		}
		e.mu.Unlock()
		if tok == nil {
			writeCore(w, 400, &tokenJSON{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: []string{"token_id is invalid"}, ID: newUUID()})
			return
		}
		if !e.persisted(w) {
			return
		}
		writeCore(w, 200, &tokenJSON{StatusCode: "200", StatusMessage: "Credit card token is created as Token ID.", TokenID: tok.ID, Hash: masked(tok.Card) + "-mami"})
		return
	}
	number := strings.ReplaceAll(q.Get("card_number"), " ", "")
	if number == "" {
		writeCore(w, 400, &tokenJSON{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: []string{"card_number is required"}, ID: newUUID()})
		return
	}
	if _, msgs := e.validateCard(number, q.Get("card_exp_month"), q.Get("card_exp_year"), q.Get("card_cvv"), now); len(msgs) > 0 {
		writeCore(w, 400, &tokenJSON{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: msgs, ID: newUUID()})
		return
	}
	tok := &cardToken{ID: masked(number) + "-" + e.newUUID(), Card: number, Expires: now.Add(10 * time.Minute)}
	e.mu.Lock()
	e.st.Tokens[tok.ID] = tok
	e.st.touch(tok)
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	writeCore(w, 200, &tokenJSON{StatusCode: "200", StatusMessage: "Credit card token is created as Token ID.", TokenID: tok.ID, Hash: masked(number) + "-mami"})
}

// handleCardRegister is GET /v2/card/register: returns a saved_token_id for recurring charges.
func (e *Emulator) handleCardRegister(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e.opts.ClientKey != "" && q.Get("client_key") != e.opts.ClientKey && !e.authorized(r) {
		writeCore(w, 401, &tokenJSON{StatusCode: "401", StatusMessage: "Transaction cannot be authorized with the current client/server key.", ID: newUUID()})
		return
	}
	now := e.now()
	number := strings.ReplaceAll(q.Get("card_number"), " ", "")
	exp, msgs := e.validateCard(number, q.Get("card_exp_month"), q.Get("card_exp_year"), q.Get("card_cvv"), now)
	if len(msgs) > 0 {
		writeCore(w, 400, &tokenJSON{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: msgs, ID: newUUID()})
		return
	}
	tok := &cardToken{ID: number[:8] + e.randAlnum(20) + number[len(number)-4:], Card: number, Expires: exp, Saved: true}
	e.mu.Lock()
	e.st.Tokens[tok.ID] = tok
	e.st.touch(tok)
	e.mu.Unlock()
	if !e.persisted(w) {
		return
	}
	writeCore(w, 200, &tokenJSON{StatusCode: "200", StatusMessage: "Credit card token is created as Token ID.", SavedTokenID: tok.ID, MaskedCard: masked(number)})
}

// useToken resolves a charge's token_id; one-time tokens are consumed. Call with e.mu held.
func (e *Emulator) useToken(id string, now time.Time) (*cardToken, *coreError) {
	tok := e.st.Tokens[id]
	if tok == nil || (!tok.Saved && (tok.Used || now.After(tok.Expires))) || (tok.Saved && now.After(tok.Expires)) {
		return nil, &coreError{StatusCode: "411", StatusMessage: "Token id is missing, invalid, or timed out", ID: newUUID()}
	}
	if !tok.Saved {
		tok.Used = true
		e.st.touch(tok)
	}
	return tok, nil
}

// cardOutcome is what the sandbox bank / FDS does with a card.
func cardOutcome(card string, amount int64) string {
	switch card {
	case "4911111111111113", "4711111111111115", "5111111111111118", "5511111111111114", "4485436455354151":
		return "bank_deny"
	case "4611111111111116", "5411111111111115":
		return "fds_deny"
	case "4511111111111117", "5510111111111115":
		return "challenge"
	case "4472429869996670":
		return "insufficient"
	case "4806000000000081":
		if amount > 30000 {
			return "insufficient"
		}
	}
	return "accept"
}

// cardCharge decides a card charge; with 3DS it stays pending until the 3DS page is completed. Call with e.mu held.
func (e *Emulator) cardCharge(t *txn, tok *cardToken, threeDS, preAuth, save bool, bank string, now time.Time) (int, string) {
	t.Card, t.Masked, t.PreAuth, t.ThreeDS = tok.Card, masked(tok.Card), preAuth, threeDS
	t.CardBank = bank
	if t.CardBank == "" {
		t.CardBank = "bni"
	}
	if save {
		st := &cardToken{ID: tok.Card[:8] + e.randAlnum(20) + tok.Card[len(tok.Card)-4:], Card: tok.Card, Saved: true, Expires: now.AddDate(3, 0, 0)}
		e.st.Tokens[st.ID] = st
		e.st.touch(st)
		t.SavedToken, t.SavedExpiry = st.ID, st.Expires
	}
	if threeDS {
		t.Status, t.Fraud = "pending", "accept"
		return 201, "OK, success do 3DS authentication"
	}
	return e.applyCardOutcome(t, now)
}

// applyCardOutcome sets the final state of a card charge from the sandbox card table.
func (e *Emulator) applyCardOutcome(t *txn, now time.Time) (int, string) {
	switch cardOutcome(t.Card, t.Gross) {
	case "bank_deny":
		t.Status, t.Fraud, t.ChannelCode, t.ChannelMsg = "deny", "accept", "05", "Do not honour"
		return 202, fmt.Sprintf("Deny by Bank [%s] with code [05] and message [Do not honour]", strings.ToUpper(t.CardBank))
	case "insufficient":
		t.Status, t.Fraud, t.ChannelCode, t.ChannelMsg = "deny", "accept", "51", "Insufficient funds"
		return 202, fmt.Sprintf("Deny by Bank [%s] with code [51] and message [Insufficient funds]", strings.ToUpper(t.CardBank))
	case "fds_deny":
		t.Status, t.Fraud, t.ChannelCode, t.ChannelMsg = "deny", "deny", "", ""
		return 202, "Denied by FDS"
	case "challenge":
		t.Status, t.Fraud, t.ChannelCode, t.ChannelMsg, t.ApprovalCode = "capture", "challenge", "00", "Approved", approval(t.Seq)
		t.ReviewBy = now.Add(reviewWindow)
		return 201, "Challenge by FDS"
	}
	t.Fraud, t.ChannelCode, t.ChannelMsg, t.ApprovalCode = "accept", "00", "Approved", approval(t.Seq)
	t.Status = "capture"
	if t.PreAuth {
		t.Status = "authorize"
	}
	return 200, "Success, Credit Card transaction is successful"
}

func approval(seq int64) string { return fmt.Sprintf("14%011d", seq) }

var threeDSPage = template.Must(template.New("3ds").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>3DS authentication</title></head>
<body style="font-family:sans-serif;max-width:30em;margin:2em auto">
<h1>Emulated 3-D Secure</h1>
{{if .Done}}<p>This transaction is already {{.Status}}.</p>{{else}}
<p>Order <b>{{.OrderID}}</b>, card {{.Masked}}, amount IDR {{.Amount}}.</p>
<form method="post"><label>OTP (use 112233) <input name="otp" value="112233"></label>
<button type="submit" name="result" value="ok">Submit</button>
<button type="submit" name="result" value="fail">Fail authentication</button></form>{{end}}
</body></html>`))

func (e *Emulator) handle3DSPage(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	t := e.st.Txns[r.PathValue("id")]
	var data map[string]any
	if t != nil {
		data = map[string]any{"OrderID": t.OrderID, "Masked": t.Masked, "Amount": t.Gross, "Status": t.Status, "Done": t.Status != "pending"}
	}
	e.mu.Unlock()
	if data == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = threeDSPage.Execute(w, data)
}

// handle3DSSubmit completes 3DS: the card table decides the result, and the notification goes out before answering.
func (e *Emulator) handle3DSSubmit(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	orderID, ok := e.complete3DS(r, r.PathValue("id"))
	if !ok {
		http.Error(w, "no pending 3DS transaction", http.StatusConflict)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><p>3DS finished: %s.</p><p><a href=\"/\">Simulator</a></p>", template.HTMLEscapeString(orderID))
}

// complete3DS applies a submitted 3DS form to transaction id and delivers
// the notification; ok is false when no 3DS is pending there.
func (e *Emulator) complete3DS(r *http.Request, id string) (orderID string, ok bool) {
	now := e.now()
	e.mu.Lock()
	t := e.st.Txns[id]
	if t == nil || t.Status != "pending" || t.PaymentType != "credit_card" {
		e.mu.Unlock()
		return "", false
	}
	if r.FormValue("result") == "fail" || r.FormValue("otp") != "112233" {
		e.st.setStatus(t, "deny", now)
		t.ChannelCode, t.ChannelMsg = "", "3DS authentication failed"
	} else {
		e.applyCardOutcome(t, now)
		t.Updated = now
	}
	t.Expiry = time.Time{}
	e.st.touch(t)
	orderID = t.OrderID
	note := e.paymentNote(t)
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		return "", false
	}
	e.nq.enqueue(note)
	_ = e.Drain(r.Context())
	return orderID, true
}
