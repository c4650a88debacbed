package http

import (
	"strings"
	"testing"
)

const noSuchID = "00000000-0000-4000-8000-000000009999"

// TestBillingEndpoints is the table of the billing area: every endpoint's
// happy path and its bad inputs, over a fixture where budi owns a paid
// subscription, a pending top-up and a pending GoPay link. Paths and bodies
// may name {sub}, {pay}, {inv}, {topup}, {pm} and {wallet}.
func TestBillingEndpoints(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 501)
	tests := []struct {
		name   string
		call   call
		status int
		code   string
		field  string
	}{
		// Subscriptions: listing.
		{"subs list", call{method: "GET", path: "/api/subscriptions/", auth: asUser}, 200, "", ""},
		{"subs list no slash", call{method: "GET", path: "/api/subscriptions", auth: asUser}, 200, "", ""},
		{"subs list filtered", call{method: "GET", path: "/api/subscriptions/?status=active&payment_type=bank_transfer&ordering=-next_billing_date", auth: asUser}, 200, "", ""},
		{"subs list anonymous", call{method: "GET", path: "/api/subscriptions/"}, 401, "unauthenticated", ""},
		{"subs list bad status", call{method: "GET", path: "/api/subscriptions/?status=alive", auth: asUser}, 400, "invalid", "status"},
		{"subs list bad payment_type", call{method: "GET", path: "/api/subscriptions/?payment_type=cash", auth: asUser}, 400, "invalid", "payment_type"},
		{"subs list bad ordering", call{method: "GET", path: "/api/subscriptions/?ordering=price", auth: asUser}, 400, "invalid", "ordering"},
		{"subs list bad page", call{method: "GET", path: "/api/subscriptions/?page=0", auth: asUser}, 400, "invalid", "page"},
		{"subs list bad page_size", call{method: "GET", path: "/api/subscriptions/?page_size=1000", auth: asUser}, 400, "invalid", "page_size"},
		{"subs list unknown param", call{method: "GET", path: "/api/subscriptions/?colour=red", auth: asUser}, 400, "invalid", "colour"},

		// Subscriptions: creating.
		{"subs create", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"bank_transfer","token":"","customer_details":{"first_name":"Budi","last_name":"S","email":"budi@example.com","phone":"08123456789"},"metadata":{"bank":"bca"}}`}, 201, "", ""},
		{"subs create echannel", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"echannel","quantity":1,"end_date":"2027-01-31T00:00:00Z","auto_pay":true}`}, 201, "", ""},
		{"subs create trial", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"trial","payment_type":"qris"}`}, 201, "", ""},
		{"subs create anonymous", call{method: "POST", path: "/api/subscriptions/", body: `{}`}, 401, "unauthenticated", ""},
		{"subs create malformed", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":`}, 400, "invalid", ""},
		{"subs create empty", call{method: "POST", path: "/api/subscriptions/", auth: asUser}, 400, "invalid", ""},
		{"subs create array", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `[]`}, 400, "invalid", ""},
		{"subs create unknown field", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","colour":"red"}`}, 400, "invalid", "colour"},
		{"subs create unknown nested", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","customer_details":{"age":3}}`}, 400, "invalid", "age"},
		{"subs create missing plan", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"payment_type":"qris"}`}, 400, "invalid", "plan_id"},
		{"subs create missing type", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro"}`}, 400, "invalid", "payment_type"},
		{"subs create wrong type plan", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":5,"payment_type":"qris"}`}, 400, "invalid", "plan_id"},
		{"subs create wrong type metadata", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","metadata":[1]}`}, 400, "invalid", "metadata"},
		{"subs create bank not string", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"bank_transfer","metadata":{"bank":1}}`}, 400, "invalid", "metadata.bank"},
		{"subs create bad bank", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"bank_transfer","metadata":{"bank":"hsbc"}}`}, 400, "invalid", "metadata.bank"},
		{"subs create unknown plan", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"gold","payment_type":"qris"}`}, 400, "invalid", "plan_id"},
		{"subs create bad payment type", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"cash"}`}, 400, "invalid", "payment_type"},
		{"subs create card without token", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"credit_card"}`}, 400, "invalid", "token"},
		{"subs create bad email", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","customer_details":{"email":"nope"}}`}, 400, "invalid", "email"},
		{"subs create zero quantity", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","quantity":0}`}, 400, "invalid", "quantity"},
		{"subs create fractional quantity", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","quantity":1.5}`}, 400, "invalid", "quantity"},
		{"subs create bad end_date", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","end_date":"tomorrow"}`}, 400, "invalid", "end_date"},
		{"subs create second live", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"basic","payment_type":"qris"}`}, 409, "conflict", ""},
		{"subs create manual by user", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"manual"}`}, 400, "invalid", "payment_type"},
		{"subs create foreign org", call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"pro","payment_type":"qris","organization_id":"` + noSuchID + `"}`}, 404, "not_found", ""},
		{"subs create wallet broke", call{method: "POST", path: "/api/subscriptions/", auth: lcSiti, body: `{"plan_id":"basic","payment_type":"wallet"}`}, 422, "insufficient_balance", ""},
		{"subs create not json", call{method: "POST", path: "/api/subscriptions/", auth: asUser, ctype: "text/plain", body: `plan=pro`}, 415, "unsupported_media_type", ""},

		// Subscriptions: one.
		{"sub get", call{method: "GET", path: "/api/subscriptions/{sub}/", auth: asUser}, 200, "", ""},
		{"sub get no slash", call{method: "GET", path: "/api/subscriptions/{sub}", auth: asUser}, 200, "", ""},
		{"sub get admin", call{method: "GET", path: "/api/subscriptions/{sub}/", auth: asAdmin}, 200, "", ""},
		{"sub get other user", call{method: "GET", path: "/api/subscriptions/{sub}/", auth: lcSiti}, 404, "not_found", ""},
		{"sub get not uuid", call{method: "GET", path: "/api/subscriptions/nope/", auth: asUser}, 404, "not_found", ""},
		{"sub get unknown", call{method: "GET", path: "/api/subscriptions/" + noSuchID + "/", auth: asUser}, 404, "not_found", ""},
		{"sub active", call{method: "GET", path: "/api/subscriptions/active/", auth: asUser}, 200, "", ""},
		{"sub active none", call{method: "GET", path: "/api/subscriptions/active/", auth: lcSiti}, 404, "not_found", ""},
		{"sub active anonymous", call{method: "GET", path: "/api/subscriptions/active/"}, 401, "unauthenticated", ""},
		{"sub sync", call{method: "GET", path: "/api/subscriptions/{sub}/sync/", auth: asUser}, 200, "", ""},
		{"sub sync post", call{method: "POST", path: "/api/subscriptions/{sub}/sync/", auth: asUser}, 200, "", ""},
		{"sub sync other user", call{method: "GET", path: "/api/subscriptions/{sub}/sync/", auth: lcSiti}, 404, "not_found", ""},

		// Subscriptions: changing.
		{"cancel at period end", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser, body: `{"reason":"Too expensive","immediate":false}`}, 200, "", ""},
		{"cancel no body", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser}, 200, "", ""},
		{"cancel immediate", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser, body: `{"immediate":true}`}, 200, "", ""},
		{"cancel undo nothing scheduled", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser, body: `{"undo":true}`}, 409, "conflict", ""},
		{"cancel wrong type", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser, body: `{"immediate":"yes"}`}, 400, "invalid", "immediate"},
		{"cancel unknown field", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser, body: `{"why":"x"}`}, 400, "invalid", "why"},
		{"cancel long reason", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: asUser, body: `{"reason":"` + long + `"}`}, 400, "invalid", "reason"},
		{"cancel other user", call{method: "POST", path: "/api/subscriptions/{sub}/cancel/", auth: lcSiti, body: `{}`}, 404, "not_found", ""},
		{"cancel not uuid", call{method: "POST", path: "/api/subscriptions/x/cancel/", auth: asUser, body: `{}`}, 404, "not_found", ""},
		{"pause", call{method: "POST", path: "/api/subscriptions/{sub}/pause/", auth: asUser}, 200, "", ""},
		{"pause empty object", call{method: "POST", path: "/api/subscriptions/{sub}/pause/", auth: asUser, body: `{}`}, 200, "", ""},
		{"pause with body", call{method: "POST", path: "/api/subscriptions/{sub}/pause/", auth: asUser, body: `{"x":1}`}, 400, "invalid", "x"},
		{"pause other user", call{method: "POST", path: "/api/subscriptions/{sub}/pause/", auth: lcSiti}, 404, "not_found", ""},
		{"resume active", call{method: "POST", path: "/api/subscriptions/{sub}/resume/", auth: asUser}, 409, "conflict", ""},
		{"resume other user", call{method: "POST", path: "/api/subscriptions/{sub}/resume/", auth: lcSiti}, 404, "not_found", ""},
		{"change plan", call{method: "POST", path: "/api/subscriptions/{sub}/change-plan/", auth: asUser, body: `{"plan_id":"pro","immediate":false}`}, 200, "", ""},
		{"change plan default timing", call{method: "POST", path: "/api/subscriptions/{sub}/change-plan/", auth: asUser, body: `{"plan_id":"pro"}`}, 200, "", ""},
		{"change plan missing", call{method: "POST", path: "/api/subscriptions/{sub}/change-plan/", auth: asUser, body: `{}`}, 400, "invalid", "plan_id"},
		{"change plan no body", call{method: "POST", path: "/api/subscriptions/{sub}/change-plan/", auth: asUser}, 400, "invalid", ""},
		{"change plan wrong type", call{method: "POST", path: "/api/subscriptions/{sub}/change-plan/", auth: asUser, body: `{"plan_id":"pro","immediate":1}`}, 400, "invalid", "immediate"},
		{"change plan other user", call{method: "POST", path: "/api/subscriptions/{sub}/change-plan/", auth: lcSiti, body: `{"plan_id":"pro"}`}, 404, "not_found", ""},

		// Payments.
		{"payments list", call{method: "GET", path: "/api/payments/?status=paid&payment_type=bank_transfer&ordering=-gross_amount", auth: asUser}, 200, "", ""},
		{"payments list bad status", call{method: "GET", path: "/api/payments/?status=done", auth: asUser}, 400, "invalid", "status"},
		{"payments list bad ordering", call{method: "GET", path: "/api/payments/?ordering=amount", auth: asUser}, 400, "invalid", "ordering"},
		{"payments list bad page", call{method: "GET", path: "/api/payments/?page=-1", auth: asUser}, 400, "invalid", "page"},
		{"payments list anonymous", call{method: "GET", path: "/api/payments/"}, 401, "unauthenticated", ""},
		{"payment get", call{method: "GET", path: "/api/payments/{pay}/", auth: asUser}, 200, "", ""},
		{"payment get other user", call{method: "GET", path: "/api/payments/{pay}/", auth: lcSiti}, 404, "not_found", ""},
		{"payment get not uuid", call{method: "GET", path: "/api/payments/SUB-1/", auth: asUser}, 404, "not_found", ""},
		{"payment check-status", call{method: "GET", path: "/api/payments/{pay}/check-status/", auth: asUser}, 200, "", ""},
		{"payment check-status other", call{method: "GET", path: "/api/payments/{pay}/check-status/", auth: lcSiti}, 404, "not_found", ""},
		{"charge other user", call{method: "POST", path: "/api/payments/charge/", auth: lcSiti, body: `{"subscription_id":"{sub}"}`}, 404, "not_found", ""},
		{"charge missing", call{method: "POST", path: "/api/payments/charge/", auth: asUser, body: `{}`}, 400, "invalid", "subscription_id"},
		{"charge not uuid", call{method: "POST", path: "/api/payments/charge/", auth: asUser, body: `{"subscription_id":"x"}`}, 404, "not_found", ""},
		{"charge wrong type", call{method: "POST", path: "/api/payments/charge/", auth: asUser, body: `{"subscription_id":1}`}, 400, "invalid", "subscription_id"},
		{"refund partial", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":10000,"reason":"Customer request","direct":false,"to_wallet":true}`}, 200, "", ""},
		{"refund VA through Midtrans", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":10000}`}, 422, "refund_not_supported", ""},
		{"refund string amount", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":"10000.00","to_wallet":true}`}, 200, "", ""},
		{"refund full", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"to_wallet":true}`}, 200, "", ""},
		{"refund too much", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":49001}`}, 422, "refund_exceeds_payment", ""},
		{"refund fraction", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":"100.50"}`}, 400, "invalid", "amount"},
		{"refund negative", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":-5}`}, 400, "invalid", "amount"},
		{"refund zero", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":0}`}, 400, "invalid", "amount"},
		{"refund NaN", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":"NaN"}`}, 400, "invalid", "amount"},
		{"refund exponent", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":1e3}`}, 400, "invalid", "amount"},
		{"refund huge", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":99999999999999999999999}`}, 400, "invalid", "amount"},
		{"refund bool amount", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amount":true}`}, 400, "invalid", "amount"},
		{"refund unknown field", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asAdmin, body: `{"amt":1}`}, 400, "invalid", "amt"},
		{"refund other user", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: lcSiti, body: `{}`}, 403, "forbidden", ""},
		{"refund own payment as customer", call{method: "POST", path: "/api/payments/{pay}/refund/", auth: asUser, body: `{"to_wallet":true}`}, 403, "forbidden", ""},

		// Invoices.
		{"invoices list", call{method: "GET", path: "/api/invoices/?status=paid&ordering=-total_amount", auth: asUser}, 200, "", ""},
		{"invoices list by due", call{method: "GET", path: "/api/invoices/?ordering=due_date", auth: asUser}, 200, "", ""},
		{"invoices list bad status", call{method: "GET", path: "/api/invoices/?status=unpaid", auth: asUser}, 400, "invalid", "status"},
		{"invoices list bad ordering", call{method: "GET", path: "/api/invoices/?ordering=number", auth: asUser}, 400, "invalid", "ordering"},
		{"invoices list bad page_size", call{method: "GET", path: "/api/invoices/?page_size=x", auth: asUser}, 400, "invalid", "page_size"},
		{"invoices list anonymous", call{method: "GET", path: "/api/invoices/"}, 401, "unauthenticated", ""},
		{"invoice get", call{method: "GET", path: "/api/invoices/{inv}/", auth: asUser}, 200, "", ""},
		{"invoice get other user", call{method: "GET", path: "/api/invoices/{inv}/", auth: lcSiti}, 404, "not_found", ""},
		{"invoice get not uuid", call{method: "GET", path: "/api/invoices/INV-1/", auth: asUser}, 404, "not_found", ""},

		// Payment methods.
		{"methods list", call{method: "GET", path: "/api/payment-methods/", auth: asUser}, 200, "", ""},
		{"methods list bad page", call{method: "GET", path: "/api/payment-methods/?page=a", auth: asUser}, 400, "invalid", "page"},
		{"methods list unknown param", call{method: "GET", path: "/api/payment-methods/?type=gopay", auth: asUser}, 400, "invalid", "type"},
		{"gopay link", call{method: "POST", path: "/api/payment-methods/gopay/", auth: lcSiti, body: `{"phone_number":"081234567890","redirect_url":"https://example.com/back"}`}, 201, "", ""},
		{"gopay missing phone", call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{}`}, 400, "invalid", "phone_number"},
		{"gopay bad phone", call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{"phone_number":"12ab"}`}, 400, "invalid", "phone_number"},
		{"gopay bad url", call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{"phone_number":"081234567890","redirect_url":"not a url"}`}, 400, "invalid", "redirect_url"},
		{"gopay wrong type", call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{"phone_number":81234567890}`}, 400, "invalid", "phone_number"},
		{"gopay anonymous", call{method: "POST", path: "/api/payment-methods/gopay/", body: `{}`}, 401, "unauthenticated", ""},
		{"method delete", call{method: "DELETE", path: "/api/payment-methods/{pm}/", auth: asUser}, 204, "", ""},
		{"method delete other user", call{method: "DELETE", path: "/api/payment-methods/{pm}/", auth: lcSiti}, 404, "not_found", ""},
		{"method delete not uuid", call{method: "DELETE", path: "/api/payment-methods/acct-1/", auth: asUser}, 404, "not_found", ""},

		// Wallet.
		{"wallet me", call{method: "GET", path: "/api/wallet/me/", auth: asUser}, 200, "", ""},
		{"wallet me anonymous", call{method: "GET", path: "/api/wallet/me/"}, 401, "unauthenticated", ""},
		{"wallet patch", call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{"auto_pay":true}`}, 200, "", ""},
		{"wallet patch missing", call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{}`}, 400, "invalid", "auto_pay"},
		{"wallet patch wrong type", call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{"auto_pay":"on"}`}, 400, "invalid", "auto_pay"},
		{"wallet patch balance", call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{"balance":"1000000.00"}`}, 400, "invalid", "balance"},
		{"wallet transactions", call{method: "GET", path: "/api/wallet/transactions/?type=top_up&ordering=-amount", auth: asUser}, 200, "", ""},
		{"wallet transactions bad type", call{method: "GET", path: "/api/wallet/transactions/?type=gift", auth: asUser}, 400, "invalid", "type"},
		{"wallet transactions bad ordering", call{method: "GET", path: "/api/wallet/transactions/?ordering=type", auth: asUser}, 400, "invalid", "ordering"},
		{"wallet transactions bad page", call{method: "GET", path: "/api/wallet/transactions/?page=0", auth: asUser}, 400, "invalid", "page"},

		// Top-ups.
		{"topups list", call{method: "GET", path: "/api/topups/?status=pending&payment_type=bank_transfer", auth: asUser}, 200, "", ""},
		{"topups list bad status", call{method: "GET", path: "/api/topups/?status=done", auth: asUser}, 400, "invalid", "status"},
		{"topups list ordering unsupported", call{method: "GET", path: "/api/topups/?ordering=amount", auth: asUser}, 400, "invalid", "ordering"},
		{"topup create string", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":"25000.00","payment_type":"echannel","callback_url":"https://example.com/done","customer_details":{"first_name":"Budi"}}`}, 201, "", ""},
		{"topup create qris", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":10000,"payment_type":"qris"}`}, 201, "", ""},
		{"topup missing amount", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"payment_type":"qris"}`}, 400, "invalid", "amount"},
		{"topup fraction", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":10000.5,"payment_type":"qris"}`}, 400, "invalid", "amount"},
		{"topup negative", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":"-10000","payment_type":"qris"}`}, 400, "invalid", "amount"},
		{"topup too small", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":9999,"payment_type":"qris"}`}, 400, "invalid", "amount"},
		{"topup too big", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":50000001,"payment_type":"qris"}`}, 400, "invalid", "amount"},
		{"topup NaN", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":"NaN","payment_type":"qris"}`}, 400, "invalid", "amount"},
		{"topup wallet type", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":10000,"payment_type":"wallet"}`}, 400, "invalid", "payment_type"},
		{"topup bad bank", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":10000,"payment_type":"bank_transfer","bank":"hsbc"}`}, 400, "invalid", "bank"},
		{"topup unknown field", call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":10000,"payment_type":"qris","wallet_id":"x"}`}, 400, "invalid", "wallet_id"},
		{"topup anonymous", call{method: "POST", path: "/api/topups/", body: `{}`}, 401, "unauthenticated", ""},
		{"topup get", call{method: "GET", path: "/api/topups/{topup}/", auth: asUser}, 200, "", ""},
		{"topup get other user", call{method: "GET", path: "/api/topups/{topup}/", auth: lcSiti}, 404, "not_found", ""},
		{"topup get not uuid", call{method: "GET", path: "/api/topups/TOPUP-1/", auth: asUser}, 404, "not_found", ""},

		// Admin.
		{"adjust credit", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asAdmin, body: `{"amount":5000,"reason":"goodwill"}`}, 201, "", ""},
		{"adjust debit too far", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asAdmin, body: `{"amount":"-5000.00","reason":"fix"}`}, 422, "insufficient_balance", ""},
		{"adjust no reason", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asAdmin, body: `{"amount":5000}`}, 400, "invalid", "reason"},
		{"adjust no amount", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asAdmin, body: `{"reason":"x"}`}, 400, "invalid", "amount"},
		{"adjust zero", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asAdmin, body: `{"amount":0,"reason":"x"}`}, 400, "invalid", "amount"},
		{"adjust fraction", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asAdmin, body: `{"amount":"0.50","reason":"x"}`}, 400, "invalid", "amount"},
		{"adjust unknown wallet", call{method: "POST", path: "/api/admin/wallets/" + noSuchID + "/adjust/", auth: asAdmin, body: `{"amount":5000,"reason":"x"}`}, 404, "not_found", ""},
		{"adjust not uuid", call{method: "POST", path: "/api/admin/wallets/w/adjust/", auth: asAdmin, body: `{"amount":5000,"reason":"x"}`}, 404, "not_found", ""},
		{"adjust non-admin", call{method: "POST", path: "/api/admin/wallets/{wallet}/adjust/", auth: asUser, body: `{"amount":5000,"reason":"x"}`}, 403, "forbidden", ""},
		{"ledger check", call{method: "GET", path: "/api/admin/ledger/check/", auth: asAdmin}, 200, "", ""},
		{"ledger check non-admin", call{method: "GET", path: "/api/admin/ledger/check/", auth: asUser}, 403, "forbidden", ""},
		{"webhook logs", call{method: "GET", path: "/api/admin/webhook-logs/?page_size=1", auth: asAdmin}, 200, "", ""},
		{"webhook logs bad page", call{method: "GET", path: "/api/admin/webhook-logs/?page=x", auth: asAdmin}, 400, "invalid", "page"},
		{"webhook logs non-admin", call{method: "GET", path: "/api/admin/webhook-logs/", auth: asUser}, 403, "forbidden", ""},

		// Webhook.
		{"webhook garbage", call{method: "POST", path: "/api/webhook/notification/", body: `not json`}, 400, "invalid", ""},
		{"webhook array", call{method: "POST", path: "/api/webhook/notification/", body: `[1,2]`}, 400, "invalid", ""},
		{"webhook empty object", call{method: "POST", path: "/api/webhook/notification/", body: `{}`}, 400, "invalid", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newLCEnv(t)
			f := e.fixture(t)
			c := tc.call
			c.path, c.body = f.expand(c.path), f.expand(c.body)
			status, body, _ := e.do(t, c)
			if status != tc.status {
				t.Fatalf("%s %s = %d %v, want %d", c.method, c.path, status, body, tc.status)
			}
			code, fields := errCode(body)
			if code != tc.code {
				t.Errorf("error code = %q, want %q (body %v)", code, tc.code, body)
			}
			if tc.field != "" && fields[tc.field] == nil {
				t.Errorf("error fields = %v, want one for %q", fields, tc.field)
			}
		})
	}
}
