package fakemidtrans

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// transactionDetails and itemDetail are the order parts that Core charges
// and Snap transactions share; amounts stay raw so that each caller
// refuses strings and fractions with Midtrans' own messages.
type transactionDetails struct {
	OrderID     string          `json:"order_id"`
	GrossAmount json.RawMessage `json:"gross_amount"`
}

type itemDetail struct {
	ID       string          `json:"id"`
	Price    json.RawMessage `json:"price"`
	Quantity json.RawMessage `json:"quantity"`
	Name     string          `json:"name"`
}

type chargeReq struct {
	PaymentType        string              `json:"payment_type"`
	TransactionDetails *transactionDetails `json:"transaction_details"`
	ItemDetails        []itemDetail        `json:"item_details"`
	CustomExpiry       *struct {
		OrderTime      string          `json:"order_time"`
		ExpiryDuration json.RawMessage `json:"expiry_duration"`
		Unit           string          `json:"unit"`
	} `json:"custom_expiry"`
	BankTransfer *struct {
		Bank     string `json:"bank"`
		VANumber string `json:"va_number"`
	} `json:"bank_transfer"`
	Echannel *struct {
		BillInfo1 string `json:"bill_info1"`
		BillInfo2 string `json:"bill_info2"`
		BillKey   string `json:"bill_key"`
	} `json:"echannel"`
	Gopay *struct {
		CallbackURL        string `json:"callback_url"`
		AccountID          string `json:"account_id"`
		PaymentOptionToken string `json:"payment_option_token"`
	} `json:"gopay"`
	Shopeepay *struct {
		CallbackURL string `json:"callback_url"`
	} `json:"shopeepay"`
	Qris *struct {
		Acquirer string `json:"acquirer"`
	} `json:"qris"`
	Cstore *struct {
		Store   string `json:"store"`
		Message string `json:"message"`
	} `json:"cstore"`
	CreditCard *struct {
		TokenID        string `json:"token_id"`
		Authentication bool   `json:"authentication"`
		SaveTokenID    bool   `json:"save_token_id"`
		Bank           string `json:"bank"`
		Type           string `json:"type"`
	} `json:"credit_card"`
	CustomField1 string          `json:"custom_field1"`
	CustomField2 string          `json:"custom_field2"`
	CustomField3 string          `json:"custom_field3"`
	Metadata     json.RawMessage `json:"metadata"`
	// snap marks a charge made from a Snap page, where a denied attempt
	// may be followed by another one under the same order id.
	snap bool
}

// parseAmount reads a whole-rupiah amount from a JSON number (or numeric string) without float64.
func parseAmount(raw json.RawMessage, field string) (int64, string) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, field + " is required"
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, field + " must be a number"
		}
	}
	if s == "" || strings.ContainsAny(s, "eE+") {
		return 0, field + " must be an integer"
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac {
		if strings.Trim(frac, "0") != "" {
			return 0, field + " must be an integer, decimals are not allowed"
		}
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(whole, 64); ferr == nil {
			return 0, field + " is out of range"
		}
		return 0, field + " must be a number"
	}
	if n <= 0 {
		return 0, field + " must be greater than or equal to 1"
	}
	if n > 99999999999 {
		return 0, field + " must be less than or equal to 99999999999"
	}
	return n, ""
}

func validOrderID(s string) bool {
	if s == "" || len(s) > 50 {
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

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// defaultExpiry and maxExpiry per method.
func expiryLimits(paymentType string) (def, max time.Duration) {
	switch paymentType {
	case "gopay", "qris":
		return 15 * time.Minute, 7 * 24 * time.Hour
	case "shopeepay":
		return 15 * time.Minute, 5 * 24 * time.Hour
	case "credit_card":
		return 10 * time.Minute, 10 * time.Minute
	}
	return 24 * time.Hour, 180 * 24 * time.Hour
}

var vaPrefix = map[string]struct {
	prefix string
	custom int // longest custom number the bank takes
	total  int
}{
	"bca": {"81278", 11, 15}, "bni": {"9888", 8, 16}, "bri": {"8578", 13, 16}, "cimb": {"2810", 12, 16}, "permata": {"8562", 10, 16},
}

// idempotency answers a replay or conflict for key; ok=false means the caller must process the request.
func (e *Emulator) idemBegin(w http.ResponseWriter, key string, body []byte, now time.Time) (handled bool) {
	h := sha256.Sum256(body)
	e.mu.Lock()
	ent := e.st.idem[key]
	if ent != nil && now.After(ent.expires) {
		delete(e.st.idem, key)
		ent = nil
	}
	if ent == nil {
		e.st.idem[key] = &idemEntry{hash: h, inFlight: true, expires: now.Add(5 * time.Minute)}
		e.mu.Unlock()
		return false
	}
	inFlight, same, status, b := ent.inFlight, ent.hash == h, ent.status, ent.body
	e.mu.Unlock()
	switch {
	case inFlight:
		writeCore(w, 202, &coreError{StatusCode: "202", StatusMessage: "The request is still being processed. Please retry later.", ID: newUUID()})
	case !same:
		writeCore(w, 409, &coreError{StatusCode: "409", StatusMessage: "Idempotency-Key is already used for a different request.", ID: newUUID()})
	default:
		writeRaw(w, status, b)
	}
	return true
}

// idemEnd stores a successful answer for replay, or forgets the key (only successes are kept).
func (e *Emulator) idemEnd(key string, code int, body []byte, window time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent := e.st.idem[key]
	if ent == nil {
		return
	}
	if code >= 200 && code < 300 && code != 202 {
		ent.inFlight, ent.status, ent.body = false, httpStatusFor(code), body
		ent.expires = e.now().Add(window)
	} else {
		delete(e.st.idem, key)
	}
}

func idemKey(r *http.Request) string {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(k) > 46 { // Midtrans silently ignores longer keys
		return ""
	}
	return k
}

func (e *Emulator) handleCharge(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeCore(w, 413, &coreError{StatusCode: "413", StatusMessage: "Payload format is not supported.", ID: newUUID()})
		return
	}
	var req chargeReq
	if code, msgs := decodeJSON(body, &req); code != 0 {
		malformed(w, code, msgs)
		return
	}
	orderID := ""
	if req.TransactionDetails != nil {
		orderID = req.TransactionDetails.OrderID
	}
	if e.faults.applyAPI(w, r, "charge", orderID) {
		return
	}
	key := idemKey(r)
	if key != "" && !(req.PaymentType == "bank_transfer" && req.BankTransfer != nil && req.BankTransfer.Bank == "permata") &&
		!(req.PaymentType == "cstore" && req.Cstore != nil && req.Cstore.Store == "indomaret") {
		if e.idemBegin(w, key, body, e.now()) {
			return
		}
	} else {
		key = ""
	}
	code, out := e.charge(&req, r)
	b, _ := json.Marshal(out)
	if key != "" {
		e.idemEnd(key, code, b, 5*time.Minute)
	}
	writeRaw(w, httpStatusFor(code), b)
}

// charge validates and creates the transaction; it returns the body status code and the body.
func (e *Emulator) charge(req *chargeReq, r *http.Request) (int, any) {
	now := e.now()
	var msgs []string
	add := func(m string) { msgs = append(msgs, m) }
	var gross int64
	orderID := ""
	if req.TransactionDetails == nil {
		add("transaction_details is required")
	} else {
		orderID = req.TransactionDetails.OrderID
		if orderID == "" {
			add("transaction_details.order_id is required")
		} else if !validOrderID(orderID) {
			add("transaction_details.order_id must be at most 50 characters of letters, digits, '-', '_', '~' or '.'")
		}
		var m string
		if gross, m = parseAmount(req.TransactionDetails.GrossAmount, "transaction_details.gross_amount"); m != "" {
			add(m)
		}
	}
	if len(req.ItemDetails) > 0 && len(msgs) == 0 {
		var sum int64
		for i, it := range req.ItemDetails {
			p, m := parseAmount(it.Price, fmt.Sprintf("item_details[%d].price", i))
			if m != "" {
				add(m)
				continue
			}
			q, m := parseAmount(it.Quantity, fmt.Sprintf("item_details[%d].quantity", i))
			if m != "" {
				add(m)
				continue
			}
			sum += p * q
		}
		if len(msgs) == 0 && sum != gross {
			add("transaction_details.gross_amount is not equal to the sum of item_details")
		}
	}
	for i, f := range []string{req.CustomField1, req.CustomField2, req.CustomField3} {
		if len(f) > 255 {
			add(fmt.Sprintf("custom_field%d must be at most 255 characters", i+1))
		}
	}
	if len(req.Metadata) > 0 && req.Metadata[0] != '{' && string(req.Metadata) != "null" {
		add("metadata must be a JSON object")
	}
	t := &txn{OrderID: orderID, PaymentType: req.PaymentType, Gross: gross, Status: "pending", Fraud: "accept",
		Created: now, Updated: now, Custom1: req.CustomField1, Custom2: req.CustomField2, Custom3: req.CustomField3}
	if len(req.Metadata) > 0 && string(req.Metadata) != "null" {
		t.Metadata = append(json.RawMessage(nil), req.Metadata...)
	}
	var customVA string
	var card *cardToken
	msg := ""
	switch req.PaymentType {
	case "":
		add("payment_type is required")
	case "bank_transfer":
		if req.BankTransfer == nil || req.BankTransfer.Bank == "" {
			add("bank_transfer.bank is required")
		} else if p, ok := vaPrefix[req.BankTransfer.Bank]; !ok {
			add("bank_transfer.bank must be one of bca, bni, bri, cimb, permata")
		} else {
			t.Bank = req.BankTransfer.Bank
			if v := req.BankTransfer.VANumber; v != "" {
				if !digitsOnly(v) {
					add("bank_transfer.va_number must contain digits only")
				} else {
					if len(v) > p.custom {
						v = v[:p.custom]
					}
					customVA = p.prefix + strings.Repeat("0", max(0, p.total-len(p.prefix)-len(v))) + v
				}
			}
		}
		msg = "Success, Bank Transfer transaction is created"
		if t.Bank == "permata" {
			msg = "Success, PERMATA VA transaction is successful"
		}
	case "echannel":
		if req.Echannel == nil {
			add("echannel is required")
		} else {
			if req.Echannel.BillInfo1 == "" {
				add("echannel.bill_info1 is required")
			}
			if req.Echannel.BillInfo2 == "" {
				add("echannel.bill_info2 is required")
			}
			if k := req.Echannel.BillKey; k != "" {
				if !digitsOnly(k) || len(k) < 6 || len(k) > 12 {
					add("echannel.bill_key must be 6 to 12 digits")
				} else {
					t.BillKey = k
				}
			}
		}
		t.BillerCode = "70012"
		msg = "OK, Mandiri Bill transaction is successful"
	case "gopay":
		msg = "GoPay transaction is created"
		if req.Gopay != nil {
			t.CallbackURL = req.Gopay.CallbackURL
			if req.Gopay.AccountID != "" || req.Gopay.PaymentOptionToken != "" {
				t.AccountID = req.Gopay.AccountID
				if t.AccountID == "" {
					add("gopay.account_id is required for a tokenized charge")
				}
				if req.Gopay.PaymentOptionToken == "" {
					add("gopay.payment_option_token is required for a tokenized charge")
				}
			}
		}
	case "shopeepay":
		msg = "ShopeePay transaction is created"
		t.ChannelCode, t.ChannelMsg = "0", "success"
		if req.Shopeepay != nil {
			t.CallbackURL = req.Shopeepay.CallbackURL
		}
	case "qris":
		msg = "QRIS transaction is created"
		t.Acquirer = "gopay"
		if req.Qris != nil && req.Qris.Acquirer != "" {
			if req.Qris.Acquirer != "gopay" && req.Qris.Acquirer != "airpay shopee" {
				add("qris.acquirer must be gopay or airpay shopee")
			}
			t.Acquirer = req.Qris.Acquirer
		}
	case "cstore":
		msg = "Success, cstore transaction is successful"
		if req.Cstore == nil || (req.Cstore.Store != "alfamart" && req.Cstore.Store != "indomaret") {
			add("cstore.store must be alfamart or indomaret")
		} else {
			t.Store = req.Cstore.Store
			if len(req.Cstore.Message) > 20 {
				add("cstore.message must be at most 20 characters")
			}
			if t.Store == "indomaret" {
				t.Fraud = ""
			}
		}
	case "credit_card":
		if req.CreditCard == nil || req.CreditCard.TokenID == "" {
			return 411, &coreError{StatusCode: "411", StatusMessage: "Token id is missing, invalid, or timed out", ID: newUUID()}
		}
		if ty := req.CreditCard.Type; ty != "" && ty != "authorize" && ty != "capture" {
			add("credit_card.type must be authorize or capture")
		}
	default:
		add("payment_type is not supported: " + req.PaymentType)
	}
	var expiry time.Duration
	def, max := expiryLimits(req.PaymentType)
	orderTime := now
	expiry = def
	if ce := req.CustomExpiry; ce != nil && req.PaymentType != "credit_card" {
		n, m := parseAmount(ce.ExpiryDuration, "custom_expiry.expiry_duration")
		if m != "" {
			add(m)
		}
		unit := map[string]time.Duration{"": time.Minute, "second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[ce.Unit]
		if unit == 0 {
			add("custom_expiry.unit must be one of second, minute, hour, day")
		}
		if ce.OrderTime != "" {
			ot, err := time.Parse("2006-01-02 15:04:05 -0700", ce.OrderTime)
			if err != nil {
				add("custom_expiry.order_time must be in yyyy-MM-dd HH:mm:ss Z format")
			} else {
				orderTime = ot
			}
		}
		if n > 0 && unit > 0 {
			expiry = time.Duration(n) * unit
			if expiry < 20*time.Second || expiry > max {
				add("custom_expiry.expiry_duration is out of the range allowed for " + req.PaymentType)
			}
		}
	}
	if len(msgs) > 0 {
		return 400, &coreError{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: msgs, ID: newUUID()}
	}
	t.Expiry = orderTime.Add(expiry)
	if ov := parseURLList(r.Header.Get("X-Override-Notification")); len(ov) > 0 {
		t.Notify, t.NotifyMode = ov, "override"
	} else if ap := parseURLList(r.Header.Get("X-Append-Notification")); len(ap) > 0 {
		t.Notify, t.NotifyMode = ap, "append"
	}
	t.ID = e.newUUID()
	code := 201

	e.mu.Lock()
	if old := e.st.byOrder[orderID]; old != nil && old.Status != "cancel" && old.Status != "expire" && !(req.snap && old.Status == "deny") {
		e.mu.Unlock()
		return 406, &coreError{StatusCode: "406", StatusMessage: "The request could not be completed due to a conflict with the current state of the target resource, please try again", ID: newUUID()}
	}
	e.st.Seq++
	t.Seq = e.st.Seq
	switch t.PaymentType {
	case "bank_transfer":
		p := vaPrefix[t.Bank]
		if customVA != "" && e.st.vas[customVA] == nil {
			t.VA = customVA
		} else {
			t.VA = fmt.Sprintf("%s%0*d", p.prefix, p.total-len(p.prefix), t.Seq)
		}
	case "echannel":
		if t.BillKey == "" || e.st.bills[t.BillerCode+"/"+t.BillKey] != nil {
			t.BillKey = fmt.Sprintf("7%011d", t.Seq)
		}
	case "cstore":
		if t.Store == "alfamart" {
			t.PaymentCode = fmt.Sprintf("8127%012d", t.Seq)
		} else {
			t.PaymentCode = fmt.Sprintf("5781%08d", t.Seq)
		}
	case "qris":
		t.QRString = "00020101021226620014COM.GO-JEK.WWW011893600914" + fmt.Sprintf("%010d", t.Seq) + "5204599953033605802ID5910LANGGANAN6007JAKARTA6304ABCD"
	case "gopay":
		if t.AccountID != "" {
			c, m, fail := e.gopayTokenCharge(t, req.Gopay.PaymentOptionToken, now)
			if fail != nil {
				e.st.Seq--
				e.mu.Unlock()
				return c, fail
			}
			code, msg = c, m
		}
	case "credit_card":
		var fail *coreError
		card, fail = e.useToken(req.CreditCard.TokenID, now)
		if fail != nil {
			e.st.Seq--
			e.mu.Unlock()
			return 411, fail
		}
		code, msg = e.cardCharge(t, card, req.CreditCard.Authentication, req.CreditCard.Type == "authorize", req.CreditCard.SaveTokenID, req.CreditCard.Bank, now)
	}
	if t.Status != "pending" {
		t.Expiry = time.Time{}
	}
	e.st.Txns[t.ID] = t
	e.st.index(t)
	e.st.touch(t)
	v := t.view(e, strconv.Itoa(code), msg)
	e.addActions(t, v)
	note := e.paymentNote(t)
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		return 500, storageError()
	}
	e.nq.enqueue(note)
	return code, v
}

// addActions fills the action links a charge answer carries.
func (e *Emulator) addActions(t *txn, v *txnJSON) {
	base := e.publicURL()
	switch t.PaymentType {
	case "gopay":
		if t.AccountID != "" {
			if t.Status == "pending" {
				v.Actions = []action{
					{Name: "verification-link-url", Method: "GET", URL: base + "/?pay=" + t.OrderID},
					{Name: "verification-link-app", Method: "GET", URL: base + "/?pay=" + t.OrderID},
				}
			}
			return
		}
		v.Actions = []action{
			{Name: "generate-qr-code", Method: "GET", URL: base + "/v2/gopay/" + t.ID + "/qr-code"},
			{Name: "deeplink-redirect", Method: "GET", URL: base + "/?pay=" + t.OrderID},
			{Name: "get-status", Method: "GET", URL: base + "/v2/" + t.ID + "/status"},
			{Name: "cancel", Method: "POST", URL: base + "/v2/" + t.ID + "/cancel"},
		}
	case "qris":
		v.Actions = []action{
			{Name: "generate-qr-code", Method: "GET", URL: base + "/v2/qris/" + t.ID + "/qr-code"},
			{Name: "generate-qr-code-v2", Method: "GET", URL: base + "/v4/qris/" + t.ID + "/qr-code"},
		}
	case "shopeepay":
		v.Actions = []action{{Name: "deeplink-redirect", Method: "GET", URL: base + "/?pay=" + t.OrderID}}
	case "credit_card":
		if t.Status == "pending" && t.ThreeDS {
			v.RedirectURL = base + "/v2/3ds/redirect/" + t.ID
		}
	}
}
