package http

import "github.com/gofiber/fiber/v2"

// access is who may call an operation; it picks the route's middleware and
// the operation's security and error answers in the OpenAPI document.
type access int

const (
	accessUser   access = iota // a signed-in user (requireUser)
	accessPublic               // anyone; credentials are checked if sent
	accessAdmin                // an administrator (requireAdmin)
	accessBasic                // a user signed in with Basic credentials (the handler checks how)
	accessNone                 // no credentials are looked at (the Midtrans webhook)
)

// operation is one endpoint under /api/: the router registers it and the
// OpenAPI document describes it, both from this one value.
type operation struct {
	method, path  string // path in OpenAPI form: /api/plans/{slug}/
	tag, summary  string
	desc          string
	access        access
	handler       fiber.Handler
	idempotent    bool // honours Idempotency-Key (the idempotency middleware runs)
	list          bool // a paged list: page and page_size are accepted
	query         []param
	body          any  // the request DTO (a zero value), or a bodySpec; nil: no body
	bodyOptional  bool // an empty body is accepted
	status        int  // the success status; default 200
	resp          any  // the answer DTO (a zero value), a rawResponse, or nil for none
	errors        []int
	noLocation    bool // a 201 without a Location header
	accepted      bool // also answers 202 with the same body: accepted, outcome still pending
	notFoundNever bool // a {param} that never answers 404
	headers       map[string]header
}

// operations is the /api/ surface, in registration order (a literal
// segment is registered before a {param} in the same place, so "active"
// is never taken for an id).
//
// Adding an endpoint is one entry here: the route is registered from it
// and openapi.json documents it from it (request and answer schemas come
// from the DTO types' fields and tags, see openapi_gen_test.go). Then run
// `go test ./adapters/http -run TestOpenAPIGolden -update` and commit
// openapi.json.
func (s *Server) operations() []operation {
	return []operation{
		// Plans: public to read, admin to change.
		{method: "GET", path: "/api/plans/", tag: "plans", summary: "List plans", access: accessPublic,
			desc: "Public. Anonymous callers and non-admins see active plans by default.", list: true,
			query: []param{q("status", "Filter by status", "plan_status"),
				q("interval_unit", "Filter by interval unit", "interval_unit"),
				q("currency", "Filter by currency code", "currency"),
				q("search", "Search in name and description", ""),
				ordering("sort_order", "price", "sort_order", "created_at")},
			handler: s.listPlans, resp: page[planJSON]{}},
		{method: "GET", path: "/api/plans/{slug}/", tag: "plans", summary: "Get a plan by slug or id", access: accessPublic,
			handler: s.getPlan, resp: planJSON{}},
		{method: "POST", path: "/api/plans/", tag: "plans", summary: "Create a plan", access: accessAdmin, idempotent: true,
			handler: s.createPlan, body: bodySpec{planRequest{}, "PlanCreate", []string{"name", "price", "interval_unit"}, ""},
			status: 201, resp: planJSON{}, errors: []int{409}},
		{method: "PATCH", path: "/api/plans/{slug}/", tag: "plans", summary: "Change a plan", access: accessAdmin,
			handler: s.updatePlan, body: bodySpec{planRequest{}, "PlanPatch", nil, "Changes only the fields sent"},
			resp: planJSON{}, errors: []int{409}},
		{method: "DELETE", path: "/api/plans/{slug}/", tag: "plans", summary: "Archive a plan", access: accessAdmin,
			desc:    "Plans are never deleted: the answer is the archived plan (200, not 204).",
			handler: s.archivePlan, resp: planJSON{}},

		// Accounts.
		{method: "GET", path: "/api/me/", tag: "accounts", summary: "The signed-in user", handler: s.me, resp: userJSON{}},
		{method: "POST", path: "/api/auth/tokens/", tag: "accounts", summary: "Create an API token", access: accessBasic,
			desc:    "Needs Basic credentials (a bearer token cannot mint tokens); the secret is returned once.",
			handler: s.createToken, body: tokenRequest{}, bodyOptional: true, status: 201, resp: tokenJSON{}, noLocation: true,
			headers: noStore},
		{method: "DELETE", path: "/api/auth/tokens/{id}/", tag: "accounts", summary: "Revoke an API token",
			handler: s.deleteToken, status: 204},
		{method: "GET", path: "/api/auth/tokens/", tag: "accounts", summary: "List the caller's API tokens",
			desc: "Id, name, creation and last use of each token; never the secret.", list: true,
			handler: s.listTokens, resp: page[tokenListJSON]{}, headers: noStore},
		{method: "POST", path: "/api/me/password/", tag: "accounts", summary: "Change the password",
			desc:    "The current password is required. Every token of the user is revoked and cached credentials are forgotten.",
			handler: s.changePassword, body: passwordRequest{}, status: 204},

		// Administration.
		{method: "POST", path: "/api/admin/users/", tag: "admin", summary: "Create a user", access: accessAdmin, idempotent: true,
			handler: s.createUser, body: userRequest{}, status: 201, resp: userJSON{}, errors: []int{409}, noLocation: true},
		{method: "POST", path: "/api/admin/portal-links/", tag: "admin", summary: "Create a one-time customer portal link", access: accessAdmin,
			desc: "For the merchant's backend: a link that signs the user into the customer portal (/portal/) once, within an hour, " +
				"with a \"return to merchant\" link to return_url. Only the link's hash is stored; the URL is shown once.",
			handler: s.createPortalLink, body: portalLinkRequest{}, status: 201, resp: portalLinkJSON{}, noLocation: true, headers: noStore},
		{method: "GET", path: "/api/admin/tax/export", tag: "admin", summary: "A month's invoices and credit notes for the tax office", access: accessAdmin,
			desc: "format=xml (default): the Coretax e-Faktur bulk import (TaxInvoiceBulk) of the month's taxed invoices " +
				"(credit notes, which Coretax records as returns of their own, are not in it); " +
				"format=csv: every invoice numbered in the month and every credit note issued in it, with DPP, rate, PPN and total.",
			query: []param{{name: "month", desc: "YYYY-MM, in the billing time zone", required: true},
				{name: "format", desc: "xml (default) or csv", values: []string{"xml", "csv"}}},
			handler: s.taxExport, resp: rawResponse{"application/xml,text/csv", "string"}, headers: noStore, errors: []int{403}},
		{method: "POST", path: "/api/admin/billing/run/", tag: "admin", summary: "Run every due job now", access: accessAdmin,
			desc:    "Renewals, retries, expiries, reminders and outbound deliveries; answers with the run's summary. Any body is ignored.",
			handler: s.runBilling, resp: runSummaryJSON{}},
		{method: "POST", path: "/api/admin/clock/advance/", tag: "admin", summary: "Advance the manual clock", access: accessAdmin,
			desc: "Manual clock only (409 clock_not_manual otherwise). Moves time forward, runs every job that fell due in time " +
				"order and answers after the queues drained.",
			handler: s.advanceClock, body: advanceRequest{}, resp: clockJSON{}, errors: []int{409}},

		// Subscriptions.
		{method: "GET", path: "/api/subscriptions/", tag: "subscriptions", summary: "List the caller's subscriptions",
			desc: "The caller's own and those of organizations it belongs to; all for an admin.", list: true,
			query: []param{q("status", "Filter by status", "subscription_status"),
				q("payment_type", "Filter by payment type", "payment_type"),
				ordering("-created_at", "created_at", "next_billing_date")},
			handler: s.listSubscriptions, resp: page[subscriptionJSON]{}},
		{method: "POST", path: "/api/subscriptions/", tag: "subscriptions", summary: "Create a subscription", idempotent: true,
			desc:    "Issues the first payment unless the plan has a trial or the subscription is paid from the wallet or a saved method.",
			handler: s.createSubscription, body: createSubscriptionRequest{}, status: 201, resp: subscriptionCreated{}, errors: []int{403, 404, 422}},
		{method: "GET", path: "/api/subscriptions/active/", tag: "subscriptions", summary: "The caller's active subscription",
			desc:    "Its own active or trialing subscription; 404 if there is none.",
			handler: s.activeSubscription, resp: subscriptionJSON{}, errors: []int{404}},
		{method: "GET", path: "/api/subscriptions/{id}/", tag: "subscriptions", summary: "Get a subscription",
			handler: s.getSubscription, resp: subscriptionJSON{}},
		{method: "POST", path: "/api/subscriptions/{id}/cancel/", tag: "subscriptions", summary: "Cancel a subscription", idempotent: true,
			desc: "No body or immediate false: ends at the period end (cancel_at_period_end). immediate: ends now. " +
				"undo: reverses a scheduled cancel while the period lasts.",
			handler: s.cancelSubscription, body: cancelRequest{}, bodyOptional: true, resp: subscriptionJSON{}, errors: []int{403, 409}},
		{method: "POST", path: "/api/subscriptions/{id}/pause/", tag: "subscriptions", summary: "Pause a subscription", idempotent: true,
			handler: s.pauseSubscription, body: noBody{}, bodyOptional: true, resp: subscriptionJSON{}, errors: []int{403, 409}},
		{method: "POST", path: "/api/subscriptions/{id}/resume/", tag: "subscriptions", summary: "Resume a paused subscription", idempotent: true,
			handler: s.resumeSubscription, body: noBody{}, bodyOptional: true, resp: subscriptionJSON{}, errors: []int{403, 409}},
		{method: "POST", path: "/api/subscriptions/{id}/change-plan/", tag: "subscriptions", summary: "Change plan", idempotent: true,
			handler: s.changePlan, body: changePlanRequest{}, resp: subscriptionJSON{}, errors: []int{403, 409, 422}},
		{method: "GET", path: "/api/subscriptions/{id}/sync/", tag: "subscriptions", summary: "Sync from Midtrans",
			desc:    "Reads the subscription's Midtrans side (Subscription API or open payment) and applies it.",
			handler: s.syncSubscription, resp: subscriptionJSON{}, errors: []int{422}},
		{method: "POST", path: "/api/subscriptions/{id}/sync/", tag: "subscriptions", summary: "Sync from Midtrans",
			desc:    "Reads the subscription's Midtrans side (Subscription API or open payment) and applies it.",
			handler: s.syncSubscription, body: noBody{}, bodyOptional: true, resp: subscriptionJSON{}, errors: []int{422}},
		{method: "PATCH", path: "/api/subscriptions/{id}/", tag: "subscriptions", summary: "Change the seat count",
			desc:    "Per-seat quantity of an organization's subscription; organization admins only.",
			handler: s.patchSubscriptionQuantity, body: quantityRequest{}, resp: subscriptionJSON{}, errors: []int{403, 409, 422}},
		{method: "POST", path: "/api/subscriptions/{id}/apply-coupon/", tag: "subscriptions", summary: "Apply a coupon", idempotent: true,
			handler: s.applyCoupon, body: applyCouponRequest{}, resp: subscriptionJSON{}, errors: []int{403, 409, 422}},

		// Payments.
		{method: "GET", path: "/api/payments/", tag: "payments", summary: "List the caller's payments", list: true,
			query: []param{q("status", "Filter by status", "payment_status"),
				q("payment_type", "Filter by payment type", "payment_type"),
				ordering("-created_at", "created_at", "gross_amount")},
			handler: s.listPayments, resp: page[paymentJSON]{}},
		{method: "POST", path: "/api/payments/charge/", tag: "payments", summary: "Charge a subscription's open invoice", idempotent: true,
			desc:    "Issues a new charge (a new order id); an unknown subscription is 404.",
			handler: s.chargePayment, body: chargeRequest{}, status: 201, resp: paymentJSON{}, errors: []int{404, 422}},
		{method: "GET", path: "/api/payments/{id}/", tag: "payments", summary: "Get a payment",
			desc: "Includes payment_details (VA number, QR URL, ...).", handler: s.getPayment, resp: paymentJSON{}},
		{method: "POST", path: "/api/payments/{id}/refund/", tag: "payments", summary: "Refund a paid payment", access: accessAdmin, idempotent: true,
			desc: "Admins only: refunds are the merchant's (403 for anyone else). Refunds through Midtrans, or to the wallet " +
				"(wallet payments, or to_wallet). No body refunds what is left through Midtrans; payments Midtrans cannot " +
				"refund answer 422 refund_not_supported. A refund is reserved before Midtrans is called, so overlapping " +
				"refunds never exceed the payment (422 refund_exceeds_payment). Refunding a top-up takes its credit back " +
				"from the wallet (422 wallet_insufficient when it no longer holds it); a top-up is never refunded to_wallet. " +
				"202: Midtrans' answer was lost; the refund stays reserved (status requested) and is sent again under its " +
				"refund key until Midtrans answers, so do not ask again.",
			handler: s.refundPayment, body: refundRequest{}, bodyOptional: true, resp: paymentJSON{}, accepted: true, errors: []int{403, 409, 422}},
		{method: "GET", path: "/api/payments/{id}/check-status/", tag: "payments", summary: "Check a payment at Midtrans",
			handler: s.checkPaymentStatus, resp: statusCheckJSON{}},

		// Invoices.
		{method: "GET", path: "/api/invoices/", tag: "invoices", summary: "List the caller's invoices", list: true,
			query: []param{q("status", "Filter by status", "invoice_status"),
				ordering("-issue_date", "issue_date", "due_date", "total_amount", "created_at")},
			handler: s.listInvoices, resp: page[invoiceJSON]{}},
		{method: "GET", path: "/api/invoices/{id}/", tag: "invoices", summary: "Get an invoice with its lines",
			handler: s.getInvoice, resp: invoiceJSON{}},
		{method: "GET", path: "/api/invoices/{id}/pdf", tag: "invoices", summary: "The invoice as a PDF",
			desc:    "In the customer's language (Indonesian or English): merchant, customer, lines, DPP and PPN, payment status, method and Midtrans order id.",
			handler: s.invoicePDF, resp: rawResponse{"application/pdf", "binary"}, headers: noStore, errors: []int{501}},
		{method: "GET", path: "/api/invoices/{id}/html", tag: "invoices", summary: "The invoice as an HTML page",
			desc:    "The same document as the PDF, as a standalone HTML page.",
			handler: s.invoiceHTML, resp: rawResponse{"text/html", "string"}, headers: noStore, errors: []int{501}},

		// Credit notes.
		{method: "GET", path: "/api/credit-notes/", tag: "invoices", summary: "List the credit notes of the caller's invoices", list: true,
			desc: "A credit note credits part of an invoice: a refund of its payment (through Midtrans, direct, at the Midtrans " +
				"dashboard, or to the wallet) or an immediate downgrade's credit, with the PPN reversed in proportion. " +
				"The caller's own and its organizations'; every one for an admin.",
			query: []param{{name: "invoice_id", desc: "Only the credit notes of this invoice"},
				ordering("-issue_date", "issue_date", "amount", "number")},
			handler: s.listCreditNotes, resp: page[creditNoteJSON]{}},
		{method: "GET", path: "/api/credit-notes/{id}/", tag: "invoices", summary: "Get a credit note",
			handler: s.getCreditNote, resp: creditNoteJSON{}},
		{method: "GET", path: "/api/credit-notes/{id}/pdf", tag: "invoices", summary: "The credit note as a PDF",
			desc:    "In the customer's language, like the invoice: the invoice it credits, the DPP and PPN it reverses, and the refunded order.",
			handler: s.creditNotePDF, resp: rawResponse{"application/pdf", "binary"}, headers: noStore, errors: []int{501}},
		{method: "GET", path: "/api/credit-notes/{id}/html", tag: "invoices", summary: "The credit note as an HTML page",
			desc:    "The same document as the PDF, as a standalone HTML page.",
			handler: s.creditNoteHTML, resp: rawResponse{"text/html", "string"}, headers: noStore, errors: []int{501}},

		// Payment methods.
		{method: "GET", path: "/api/payment-methods/", tag: "payment-methods", summary: "List the caller's payment methods", list: true,
			handler: s.listPaymentMethods, resp: page[paymentMethodJSON]{}},
		{method: "POST", path: "/api/payment-methods/gopay/", tag: "payment-methods", summary: "Link a GoPay account", idempotent: true,
			desc:    "The answer carries activation_url; the method stays pending until Midtrans reports it enabled.",
			handler: s.linkGopay, body: linkGopayRequest{}, status: 201, resp: paymentMethodJSON{}, errors: []int{409, 422}},
		{method: "DELETE", path: "/api/payment-methods/{id}/", tag: "payment-methods", summary: "Remove a payment method",
			handler: s.deletePaymentMethod, status: 204, errors: []int{422}},

		// Wallet and top-ups.
		{method: "GET", path: "/api/wallet/me/", tag: "wallet", summary: "The caller's wallet", desc: "Created on first use.",
			handler: s.getWallet, resp: walletJSON{}},
		{method: "PATCH", path: "/api/wallet/me/", tag: "wallet", summary: "Turn wallet auto-pay on or off",
			handler: s.patchWallet, body: walletPatchRequest{}, resp: walletJSON{}},
		{method: "GET", path: "/api/wallet/transactions/", tag: "wallet", summary: "List the caller's wallet entries", list: true,
			query: []param{q("type", "Filter by entry type", "entry_type"),
				ordering("-created_at", "created_at", "amount")},
			handler: s.listWalletEntries, resp: page[walletEntryJSON]{}},
		{method: "GET", path: "/api/topups/", tag: "topups", summary: "List the caller's top-ups", list: true,
			query: []param{q("status", "Filter by status", "topup_status"),
				q("payment_type", "Filter by payment type", "payment_type")},
			handler: s.listTopUps, resp: page[topUpJSON]{}},
		{method: "POST", path: "/api/topups/", tag: "topups", summary: "Top up the wallet", idempotent: true,
			handler: s.createTopUp, body: topUpRequest{}, status: 201, resp: topUpJSON{}, errors: []int{403, 422}},
		{method: "GET", path: "/api/topups/{id}/", tag: "topups", summary: "Get a top-up",
			desc: "Includes payment_details (VA number, QR URL, ...).", handler: s.getTopUp, resp: topUpJSON{}},
		{method: "POST", path: "/api/admin/wallets/{id}/adjust/", tag: "admin", summary: "Adjust a wallet", access: accessAdmin, idempotent: true,
			desc:    "A signed correction with a reason, kept in the ledger; a debit below zero is 422.",
			handler: s.adjustWallet, body: adjustRequest{}, status: 201, resp: walletEntryJSON{}, errors: []int{422}, noLocation: true},
		{method: "GET", path: "/api/admin/ledger/check/", tag: "admin", summary: "Check every wallet ledger", access: accessAdmin,
			handler: s.checkLedgers, resp: ledgerCheckJSON{}},
		{method: "GET", path: "/api/admin/webhook-logs/", tag: "admin", summary: "List received Midtrans notifications", access: accessAdmin,
			desc: "Newest first: all of an order's, else among the newest 10,000 (or as many as the page asked for needs).", list: true,
			query:   []param{q("order_id", "Only the notifications naming this order", ""), q("status", "Filter by status", "webhook_status")},
			handler: s.listWebhookLogs, resp: page[webhookLogJSON]{}},
		{method: "GET", path: "/api/admin/webhook-logs/{id}/", tag: "admin", summary: "Get a received Midtrans notification", access: accessAdmin,
			handler: s.getWebhookLog, resp: webhookLogJSON{}},
		{method: "POST", path: "/api/admin/webhook-logs/{id}/reapply/", tag: "admin", summary: "Apply a stored Midtrans notification again",
			access: accessAdmin, idempotent: true,
			desc: "Runs the stored body through the path a live notification takes (verified, deduplicated, applied monotonically) " +
				"as a new log naming the stored one in replay_of; the stored log is left as it was. The new log's status tells the " +
				"outcome (duplicate: it had been applied). No body. 422 when only the first KiB of an unverified body was kept.",
			handler: s.reapplyWebhookLog, status: 201, resp: webhookLogJSON{}, errors: []int{422}},

		// The admin console's views.
		{method: "GET", path: "/api/admin/figures/", tag: "admin", summary: "MRR, subscribers, churn and failed payments over time",
			access: accessAdmin,
			desc: "One point per day or month. MRR and active subscribers are recorded by the first billing run of each day " +
				"(days without one have has_snapshot false); churn and failed payments are counted as they happen. Default: " +
				"the last 30 days, or the last 12 months.",
			query: []param{q("from", "First day, 2006-01-02 in the billing time zone", ""), q("to", "Last day (default today)", ""),
				q("interval", "day (default) or month", "figure_interval")},
			handler: s.figures, resp: figuresJSON{}},
		{method: "GET", path: "/api/admin/subscriptions/", tag: "admin", summary: "List every owner's subscriptions", access: accessAdmin,
			desc: "search matches part of the owner's username, email or name (an organization's name, or its owner's username or " +
				"email) or a whole subscription id; past_due keeps those whose renewal is unpaid (past due, or paused after failed charges).",
			list: true,
			query: []param{q("status", "Filter by status", "subscription_status"), q("payment_type", "Filter by payment type", "payment_type"),
				q("plan", "A plan id or slug", ""), q("search", "Owner or subscription id", ""), q("past_due", "true: renewal unpaid", "bool"),
				ordering("-created_at", "created_at", "next_billing_date")},
			handler: s.adminListSubscriptions, resp: page[subscriptionJSON]{}},
		{method: "GET", path: "/api/admin/dunning/", tag: "admin", summary: "The dunning queue", access: accessAdmin, list: true,
			desc:    "Past-due subscriptions, the soonest to expire first, each with its retry schedule.",
			handler: s.dunningQueue, resp: page[dunningEntryJSON]{}},
		{method: "GET", path: "/api/admin/stale-payments/", tag: "admin", summary: "Open payments reconciliation counts as stale",
			access: accessAdmin, list: true, desc: "Oldest first; /readyz reports their number once it passes the alert threshold.",
			handler: s.stalePayments, resp: page[paymentJSON]{}},
		{method: "GET", path: "/api/admin/subscribers/{id}/", tag: "admin", summary: "One subscriber's history", access: accessAdmin,
			desc: "A user or an organization: its subscriptions, payments, invoices, wallet and ledger, payment methods, " +
				"notifications, the caller's alerts about it, the webhook deliveries of its events and the Midtrans notifications of its orders.",
			handler: s.subscriber, resp: subscriberJSON{}},

		// The Midtrans webhook.
		{method: "POST", path: "/api/webhook/notification/", tag: "webhook", summary: "Midtrans notification", access: accessNone,
			desc: "Payment, Subscription API and Pay Account notifications, told apart by shape. No credentials (an " +
				"Authorization header is ignored) and any content type: only the signature_key counts. Outcomes Midtrans must " +
				"not retry answer 200 with result; 403 is a bad signature, 404 an unknown order; a 5xx makes Midtrans retry.",
			handler: s.webhookNotification, body: midtransNotification{}, resp: webhookAck{}, errors: []int{403, 404, 413},
			notFoundNever: true},

		// Organizations.
		{method: "POST", path: "/api/organizations/", tag: "organizations", summary: "Create an organization", idempotent: true,
			desc: "The caller becomes its owner.", handler: s.createOrg, body: orgRequest{}, status: 201, resp: orgJSON{}},
		{method: "GET", path: "/api/organizations/", tag: "organizations", summary: "List the caller's organizations", list: true,
			handler: s.listOrgs, resp: page[orgJSON]{}},
		{method: "GET", path: "/api/organizations/{id}/", tag: "organizations", summary: "Get an organization",
			handler: s.getOrg, resp: orgJSON{}},
		{method: "POST", path: "/api/organizations/{id}/members/", tag: "organizations", summary: "Add a member", idempotent: true,
			desc:    "Organization owner or admin only; the seat limit of its plan applies (422).",
			handler: s.addOrgMember, body: orgMemberRequest{}, status: 201, resp: orgJSON{}, errors: []int{403, 409, 422}, noLocation: true},
		{method: "DELETE", path: "/api/organizations/{id}/members/{user_id}/", tag: "organizations", summary: "Remove a member",
			desc:    "Organization owner or admin only; the owner cannot be removed (422).",
			handler: s.removeOrgMember, status: 204, errors: []int{403, 422}},
		{method: "GET", path: "/api/organizations/{id}/can-add-users/", tag: "organizations", summary: "Check the seat limit",
			list:    true, // not a list, but page and page_size are accepted
			query:   []param{{name: "count", desc: "Total number of users wanted, owner included", required: true, integer: true, min: 1}},
			handler: s.canAddUsers, resp: canAddUsersJSON{}},
		{method: "GET", path: "/api/organizations/{id}/subscriptions/", tag: "organizations", summary: "List an organization's subscriptions", list: true,
			query: []param{q("status", "Filter by status", "subscription_status"),
				ordering("-created_at", "created_at", "next_billing_date")},
			handler: s.orgSubscriptions, resp: page[subscriptionJSON]{}},
		{method: "GET", path: "/api/organizations/{id}/subscription/", tag: "organizations", summary: "An organization's active subscription",
			desc:    "With its plan, features and permissions; 404 when there is none.",
			handler: s.orgSubscription, resp: orgSubscriptionJSON{}},
		{method: "GET", path: "/api/organizations/{id}/wallet/", tag: "organizations", summary: "An organization's wallet",
			desc:    "Owner and admins only (403 for plain members); created on first use.",
			handler: s.orgWallet, resp: walletJSON{}, errors: []int{403}},
		{method: "POST", path: "/api/admin/organizations/{id}/subscriptions/", tag: "admin", summary: "Create an organization subscription (BOB)",
			access: accessAdmin, idempotent: true, desc: "A manually managed subscription; never charged through Midtrans.",
			handler: s.adminCreateOrgSub, body: adminSubRequest{}, status: 201, resp: subscriptionJSON{}, errors: []int{409, 422}, noLocation: true},
		{method: "PATCH", path: "/api/admin/subscriptions/{id}/", tag: "admin", summary: "Update a subscription (BOB)", access: accessAdmin,
			handler: s.adminUpdateSub, body: adminSubRequest{}, resp: subscriptionJSON{}, errors: []int{409, 422}},
		{method: "POST", path: "/api/admin/subscriptions/{id}/finish/", tag: "admin", summary: "Finish a subscription (BOB)",
			access: accessAdmin, idempotent: true, desc: "Ends it now. Any body is ignored.",
			handler: s.finishSub, resp: subscriptionJSON{}, errors: []int{409}},

		// Coupons.
		{method: "POST", path: "/api/admin/coupons/", tag: "admin", summary: "Create a coupon", access: accessAdmin, idempotent: true,
			handler: s.createCoupon, body: couponRequest{}, status: 201, resp: couponJSON{}, errors: []int{409}},
		{method: "GET", path: "/api/admin/coupons/", tag: "admin", summary: "List coupons", access: accessAdmin, list: true,
			query:   []param{q("include_deleted", "true: include deleted coupons", "bool")},
			handler: s.listCoupons, resp: page[couponJSON]{}},
		{method: "GET", path: "/api/admin/coupons/{id}/", tag: "admin", summary: "Get a coupon by id or code", access: accessAdmin,
			handler: s.getCoupon, resp: couponJSON{}},
		{method: "PATCH", path: "/api/admin/coupons/{id}/", tag: "admin", summary: "Change a coupon", access: accessAdmin,
			handler: s.updateCoupon, body: couponRequest{}, resp: couponJSON{}, errors: []int{409}},
		{method: "DELETE", path: "/api/admin/coupons/{id}/", tag: "admin", summary: "Delete a coupon", access: accessAdmin,
			desc:    "The coupon is kept (deleted, inactive) and still readable by id.",
			handler: s.deleteCoupon, status: 204},

		// Notifications.
		{method: "GET", path: "/api/notifications/", tag: "notifications", summary: "List the caller's notifications", list: true,
			query: []param{q("notification_type", "Filter by event type, e.g. payment.succeeded", ""),
				q("channel", "Filter by channel", "channel"),
				q("status", "Filter by status", "notification_status")},
			handler: s.listNotifications, resp: page[notificationJSON]{}},
		{method: "GET", path: "/api/notifications/unread/", tag: "notifications", summary: "Unread in-app notifications",
			desc: "A plain array (not a page) of at most 50.", handler: s.unreadNotifications, resp: unreadList{}},
		{method: "GET", path: "/api/notifications/{id}/", tag: "notifications", summary: "Get a notification",
			handler: s.getNotification, resp: notificationJSON{}},
		{method: "POST", path: "/api/notifications/{id}/mark-read/", tag: "notifications", summary: "Mark a notification read",
			desc: "No body.", handler: s.markNotificationRead, resp: notificationJSON{}},

		// Outbound webhook endpoints.
		{method: "POST", path: "/api/admin/webhook-endpoints/", tag: "admin", summary: "Create a webhook endpoint", access: accessAdmin, idempotent: true,
			desc:    "The answer carries the signing secret, once.",
			handler: s.createWebhookEndpoint, body: endpointRequest{}, status: 201, resp: endpointJSON{}},
		{method: "GET", path: "/api/admin/webhook-endpoints/", tag: "admin", summary: "List webhook endpoints", access: accessAdmin, list: true,
			handler: s.listWebhookEndpoints, resp: page[endpointJSON]{}},
		{method: "GET", path: "/api/admin/webhook-endpoints/{id}/", tag: "admin", summary: "Get a webhook endpoint", access: accessAdmin,
			handler: s.getWebhookEndpoint, resp: endpointJSON{}},
		{method: "PATCH", path: "/api/admin/webhook-endpoints/{id}/", tag: "admin", summary: "Change a webhook endpoint", access: accessAdmin,
			handler: s.updateWebhookEndpoint, body: endpointRequest{}, resp: endpointJSON{}},
		{method: "DELETE", path: "/api/admin/webhook-endpoints/{id}/", tag: "admin", summary: "Delete a webhook endpoint", access: accessAdmin,
			handler: s.deleteWebhookEndpoint, status: 204},
		{method: "GET", path: "/api/admin/webhook-endpoints/{id}/deliveries/", tag: "admin", summary: "List an endpoint's deliveries",
			access: accessAdmin, list: true, handler: s.listWebhookDeliveries, resp: page[deliveryJSON]{}},
		{method: "POST", path: "/api/admin/webhook-endpoints/{id}/deliveries/{delivery}/resend/", tag: "admin", summary: "Resend a delivery",
			access: accessAdmin, idempotent: true, desc: "Queues the delivery again; no body.",
			handler: s.resendWebhookDelivery, status: 202, resp: deliveryJSON{}},

		// Operations.
		{method: "GET", path: "/api/openapi.json", tag: "operations", summary: "This document", access: accessPublic,
			handler: serveOpenAPI, resp: rawResponse{"application/json", "openapi"}, headers: noCache},
		{method: "GET", path: "/api/docs", tag: "operations", summary: "Human-readable API page", access: accessPublic,
			desc:    "Renders this document in the browser; served from the binary, no CDN.",
			handler: serveDocs, resp: rawResponse{"text/html", "string"}},
		{method: "GET", path: "/api/admin/backup", tag: "operations", summary: "Download a backup of the data file", access: accessAdmin,
			desc: "Streams a consistent copy of the bbolt file through one read transaction while the service keeps running. " +
				"Restore it with `server restore FILE`.",
			handler: s.backup, resp: rawResponse{"application/octet-stream", "binary"}, errors: []int{501},
			headers: map[string]header{
				"Content-Disposition": {desc: `attachment; filename="langganan-YYYYMMDDTHHMMSSZ.db"`},
				"Cache-Control":       {enum: []string{"no-store"}},
			}},
	}
}

// param is a query parameter: a string (of the values enums[enum], if
// set) or an integer of at least min.
type param struct {
	name, desc string
	required   bool
	enum       string
	values     []string
	integer    bool
	min        int
}

func q(name, desc, enum string) param { return param{name: name, desc: desc, enum: enum} }

// ordering is the ordering parameter over fields, each also with "-".
func ordering(def string, fields ...string) param {
	var vs []string
	for _, f := range fields {
		vs = append(vs, f, "-"+f)
	}
	return param{name: "ordering", desc: "Sort field, - for descending (default " + def + ")", values: vs}
}

// header is a documented answer header (a string).
type header struct {
	desc string
	enum []string
}

// bodySpec documents a request DTO under a name of its own, with fields
// its handler requires (for one DTO shared by create and update).
type bodySpec struct {
	typ      any
	name     string
	required []string
	desc     string
}

// rawResponse is an answer that is not a DTO: media type (or several,
// comma-separated) and what it is
// ("openapi", "string", "binary").
type rawResponse struct {
	media, kind string
}

// unreadList is the plain array GET /api/notifications/unread/ answers.
type unreadList []notificationJSON

var (
	noStore = map[string]header{"Cache-Control": {enum: []string{"no-store"}}}
	noCache = map[string]header{"Cache-Control": {enum: []string{"no-cache"}}}
)

// registerOperations adds every operation to the app. Operations that read
// no credentials go before the authentication middleware, the rest after it.
func (s *Server) registerOperations(app *fiber.App, credentials bool) {
	for _, op := range s.operations() {
		if (op.access == accessNone) == credentials {
			continue
		}
		var chain []fiber.Handler
		switch op.access {
		case accessUser, accessBasic:
			chain = append(chain, requireUser)
		case accessAdmin:
			chain = append(chain, requireAdmin)
		}
		if op.idempotent {
			chain = append(chain, s.idem)
		}
		chain = append(chain, op.handler)
		app.Add(op.method, fiberPath(op.path), chain...)
	}
}

// fiberPath turns /api/plans/{slug}/ into /api/plans/:slug/.
func fiberPath(p string) string {
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '{':
			out = append(out, ':')
		case '}':
		default:
			out = append(out, p[i])
		}
	}
	return string(out)
}
