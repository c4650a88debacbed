package fakemidtrans

import (
	"html/template"
	"net/http"
	"sort"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Midtrans emulator</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.3em .5em;font-size:.9em;text-align:left}
form.inline{display:inline}.pending{background:#fff8e0}.settlement,.capture{background:#e8f8e8}.msg{padding:.5em;background:#eef}</style></head>
<body>
<h1>Midtrans emulator</h1>
<p>Emulator time: <b>{{.Now}}</b>. Control plane under <code>/_sim/</code>.</p>
{{if .Msg}}<p class="msg" id="msg">{{.Msg}}</p>{{end}}
<h2>Pay like a customer</h2>
<form method="post" action="/_page/pay" id="pay-form">
<label>VA number <input name="va_number" id="va_number"></label>
<label>or bill key <input name="bill_key"></label> <label>biller code <input name="biller_code" value="70012" size="6"></label>
<label>or payment code <input name="payment_code"></label>
<button type="submit" id="pay-by-number">Pay</button></form>
<h2>Transactions</h2>
<table id="transactions"><tr><th>Order</th><th>Type</th><th>Amount</th><th>Status</th><th>Pay with</th><th>Created</th><th>Expires</th><th>Actions</th></tr>
{{range .Txns}}<tr class="{{.Status}}" data-order="{{.OrderID}}"><td>{{.OrderID}}</td><td>{{.PaymentType}} {{.Bank}}{{.Store}}</td><td>{{.GrossAmount}}</td>
<td class="status">{{.Status}}{{if .FraudStatus}} / {{.FraudStatus}}{{end}}</td>
<td>{{.VANumber}}{{if .BillKey}}{{.BillerCode}} / {{.BillKey}}{{end}}{{.PaymentCode}}{{.MaskedCard}}</td><td>{{.CreatedAt}}</td><td>{{.ExpiresAt}}</td>
<td>{{$o := .OrderID}}{{if eq .Status "pending"}}
<form class="inline" method="post" action="/_page/settle"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" name="pay" class="pay">Pay</button></form>
<form class="inline" method="post" action="/_page/expire"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="expire">Expire</button></form>
<form class="inline" method="post" action="/_page/deny"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="deny">Deny</button></form>
<form class="inline" method="post" action="/_page/cancel"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="cancel">Cancel</button></form>
{{else if eq .FraudStatus "challenge"}}
<form class="inline" method="post" action="/_page/approve"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="approve">Approve</button></form>
<form class="inline" method="post" action="/_page/deny"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="deny">Deny</button></form>
{{else if eq .Status "capture"}}
<form class="inline" method="post" action="/_page/settle"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="pay">Settle</button></form>
{{else if or (eq .Status "settlement") (eq .Status "partial_refund")}}
<form class="inline" method="post" action="/_page/refund"><input type="hidden" name="order_id" value="{{$o}}"><button type="submit" class="refund">Refund</button></form>
{{end}}</td></tr>
{{else}}<tr><td colspan="8">No transactions yet.</td></tr>{{end}}</table>
<h2>Subscriptions</h2>
<table id="subscriptions"><tr><th>Name</th><th>Type</th><th>Amount</th><th>Status</th><th>Interval</th><th>Charges</th><th>Next</th></tr>
{{range .Subs}}<tr><td>{{.Name}}</td><td>{{.PaymentType}}</td><td>{{.Amount}}</td><td>{{.Status}}</td><td>{{.Schedule.Interval}} {{.Schedule.IntervalUnit}}</td><td>{{.Schedule.CurrentInterval}}</td><td>{{.Schedule.NextExecutionAt}}</td></tr>
{{else}}<tr><td colspan="7">No subscriptions.</td></tr>{{end}}</table>
<h2>GoPay accounts</h2>
<table id="accounts"><tr><th>Account</th><th>Phone</th><th>Status</th><th></th></tr>
{{range .Accounts}}<tr><td>{{.ID}}</td><td>{{.Phone}}</td><td>{{.Status}}</td><td>{{if eq .Status "PENDING"}}
<form class="inline" method="post" action="/_page/link"><input type="hidden" name="account_id" value="{{.ID}}"><button type="submit" class="link">Link</button></form>{{end}}</td></tr>
{{else}}<tr><td colspan="4">No accounts.</td></tr>{{end}}</table>
</body></html>`))

// handlePage renders the simulator page; it works without JavaScript (plain forms, 303 back here).
func (e *Emulator) handlePage(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{"Now": fmtWire(e.now()) + " WIB", "Txns": e.transactions(), "Msg": r.URL.Query().Get("msg")}
	e.mu.Lock()
	subs := make([]*subJSON, 0, len(e.st.Subs))
	for _, s := range e.st.Subs {
		subs = append(subs, s.view())
	}
	accts := make([]payAccount, 0, len(e.st.Accounts))
	for _, a := range e.st.Accounts {
		accts = append(accts, *a)
	}
	e.mu.Unlock()
	sort.Slice(subs, func(i, j int) bool { return subs[i].CreatedAt > subs[j].CreatedAt })
	sort.Slice(accts, func(i, j int) bool { return accts[i].Created.After(accts[j].Created) })
	data["Subs"], data["Accounts"] = subs, accts
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, data)
}

func (e *Emulator) handlePageAction(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	act := r.PathValue("action")
	msg := ""
	switch act {
	case "pay":
		id, m := e.findPayable(payReq{VANumber: r.FormValue("va_number"), BillKey: r.FormValue("bill_key"),
			BillerCode: r.FormValue("biller_code"), PaymentCode: r.FormValue("payment_code")})
		if id == "" {
			msg = m
		} else if code, _ := e.SimAction(r.Context(), id, "settle"); code != 200 {
			msg = "payment refused"
		} else {
			msg = "paid"
		}
	case "link":
		code, _ := e.LinkAccount(r.Context(), r.FormValue("account_id"))
		msg = "account linked"
		if code != 200 {
			msg = "account cannot be linked"
		}
	case "settle", "expire", "deny", "cancel", "approve", "refund":
		code, _ := e.SimAction(r.Context(), r.FormValue("order_id"), act)
		msg = r.FormValue("order_id") + ": " + act + " done"
		if code != 200 {
			msg = r.FormValue("order_id") + ": " + act + " refused"
		}
	default:
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/?msg="+template.URLQueryEscaper(msg), http.StatusSeeOther)
}
