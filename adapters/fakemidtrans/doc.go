// Package fakemidtrans is a stateful Midtrans sandbox: Core API charges and actions, card tokens,
// the Subscription API, the Pay Account API, signed notifications with Midtrans' retry table, a
// control plane under /_sim/ and a simulator page at /. It is an http.Handler; cmd/mockmidtrans
// serves it on its own and the billing server embeds it in process.
//
// # Time
//
// Everything runs on Options.Clock. With a ManualClock nothing happens until /_sim/clock/advance
// (or Advance / RunDue): the advance stops at every event that falls due on the way (transaction
// expiries, Subscription API charges and retries, notification retries and delayed deliveries) so
// each happens at its own emulator time and in order.
//
// # Notifications
//
// Notifications caused by API calls are queued and sent by the worker that Start runs (or by
// Drain / RunDue). Those caused by /_sim/ actions, the 3DS page and GoPay linking are sent (first
// attempt) before the call answers. Retries follow Midtrans: 2xx done; 500 retried once; 503 four
// times; 400 and 404 twice; 301/302/303 never (307/308 are followed); anything else, including a
// transport error, five times; 2, 10, 30, 90 and 210 minutes after the previous attempt. Payment
// notifications go to NotificationURL unless the charge carried X-Override-Notification (replaces)
// or X-Append-Notification (adds), up to 3 URLs each. Subscription notifications go to
// RecurringNotificationURL, Pay Account ones to PayAccountNotificationURL. Payment signature_key
// is SHA-512(order_id + status_code + gross_amount + server key) with the notification's own
// status_code (202 for cancel, expire and deny). Pay Account notifications are signed with
// account_id in place of order_id and an empty gross_amount (Midtrans' formula is unconfirmed);
// Subscription notifications carry no signature, as in Midtrans' samples.
//
// # Fault scripts
//
// POST /_sim/faults adds rules (GET lists them with their use counts, DELETE clears them and
// releases held notifications). Every rule applied is logged. The body:
//
//	{
//	  "api": [
//	    {"endpoint": "charge", "order_id": "o-1", "sequence": ["http_500", "timeout", "ok"]},
//	    {"endpoint": "status", "latency": "250ms"},
//	    {"endpoint": "*", "sequence": ["reset"], "repeat": true},
//	    {"endpoint": "subscription_charge", "sequence": ["decline", "ok"]}
//	  ],
//	  "notifications": [
//	    {"action": "duplicate", "times": 3, "status": "settlement"},
//	    {"action": "reorder", "order_id": "o-2"},
//	    {"action": "delay", "delay": "30m", "count": 1},
//	    {"action": "bad_signature", "kind": "payment"},
//	    {"action": "drop", "kind": "subscription"}
//	  ]
//	}
//
// API rules: endpoint is one of charge, capture, status, cancel, expire, approve, deny, refund,
// direct_refund, token, pay_account_create, pay_account_get, pay_account_unbind,
// subscription_create, subscription_get, subscription_update, subscription_enable,
// subscription_disable, subscription_cancel, snap, or "*" (every HTTP endpoint above), plus
// subscription_charge (the engine's scheduled charges). order_id narrows a rule to requests about
// that order, transaction, subscription or account id. Each matching request consumes the next
// step of sequence: ok (answer normally), http_500, http_502, http_503, http_429 (a Midtrans error
// body with that status_code and HTTP status), timeout (hold the request for "hold", default 30s,
// or until the client gives up, then close the connection unanswered), reset (close the connection
// at once, with RST), decline (subscription_charge only: the charge is denied by the bank).
// When a sequence is used up the rule stops matching, unless repeat is true. latency (real time)
// is added before every matching answer. The first matching rule wins.
//
// Notification rules match on kind (payment, subscription, pay_account), order_id (or
// subscription / account id) and status (transaction_status; for reorder it defaults to
// "pending"), for the first count notifications (0 = all). Every matching rule applies: duplicate
// sends "times" copies in all; reorder holds the notification back until the next notification of
// the same order, which is then sent first (settlement before pending); delay makes the first
// attempt that much emulator time later; bad_signature signs with a wrong key; drop records the
// notification in the log without sending it.
//
// # Snap
//
// POST /snap/v1/transactions answers 201 {token, redirect_url}; errors are Snap's
// {"error_messages": [...]}. The hosted page at redirect_url (/snap/v4/redirection/{token})
// lists the enabled channels with plain forms; choosing one makes the Core transaction through
// the charge code above (so it is paid, expired and notified like any other), and a declined
// attempt may be followed by another under the same order id while the page lasts. Until a
// method is chosen the order has no transaction (status 404), the same order id gets a new
// token (the old one dies), and an expired page sends no notification. /snap/snap.js runs the
// page in an iframe for snap.pay and snap.embed and reports the outcome with postMessage; the
// page itself loads only its own scripts (no inline script) under a strict CSP.
//
// # Persistence
//
// With Options.DataFile the state (transactions, tokens, subscriptions, accounts, Snap checkouts
// and a manual clock's time) is kept in an append-only journal file and restored by New. Every
// change a call makes is written and fsynced before the call is answered, so a process killed at
// any moment has lost nothing it answered for; calls arriving together share one fsync. The journal
// is compacted into a snapshot on open, on Close and whenever it outgrows its snapshot. The delivery
// log, pending retries, idempotency keys and faults are not kept.
package fakemidtrans
