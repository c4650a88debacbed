package bolt

import "errors"

// The repositories are written once over this small key-value transaction
// interface. It has two backends, bbolt (kv_bolt.go) and an in-memory
// copy-on-write tree (kv_mem.go), so both stores share every line of
// encoding, indexing and conflict logic and differ only in durability.

// kvTx is one transaction: a fixed set of buckets, read-only or writable.
type kvTx interface {
	bucket(id bucketID) kvBucket
}

// kvBucket is a sorted byte map. Returned slices are only valid until the
// transaction ends (bbolt hands out mmap memory); callers decode or copy.
type kvBucket interface {
	Get(k []byte) []byte
	Put(k, v []byte) error
	Delete(k []byte) error
	Cursor() kvCursor
}

// kvCursor has bbolt's cursor semantics: a nil key means no entry.
// A cursor must not be advanced after the bucket was written; the scan
// helpers re-seek instead (see iterate).
type kvCursor interface {
	First() (k, v []byte)
	Last() (k, v []byte)
	Next() (k, v []byte)
	Prev() (k, v []byte)
	Seek(seek []byte) (k, v []byte)
}

var errReadOnly = errors.New("bolt: write inside a read-only (View) transaction")

// bucketID numbers the buckets so a transaction can cache its handles in
// an array. Adding an aggregate = new ids here + names below + a table.
type bucketID uint8

const (
	bMeta bucketID = iota

	bPlans
	bPlanSlug // unique sha256(slug) → plan pk

	bUsers
	bUserName  // unique sha256(lower-case username) → user pk
	bUserAdmin // pk → pk, admins only

	bTokens
	bTokenHash // sha256(hash) ‖ pk → pk
	bTokenUser // user ‖ created ‖ pk → pk

	bSubs
	bSubOwner  // owner ‖ created ‖ pk → pk
	bSubNative // sha256(midtrans id) ‖ pk → pk
	bSubDue    // NextActionAt ‖ pk → pk, zero time not indexed
	bSubStatus // len ‖ status ‖ pk → pk, for CountByStatus without decoding

	bPays
	bPayOrder // unique sha256(order id) → pk
	bPayOwner // owner ‖ created ‖ pk → pk
	bPaySub   // subscription ‖ created ‖ pk → pk
	bPayOpen  // created ‖ pk → pk, status creating/pending/challenge only

	bInvs
	bInvKey     // unique subscription ‖ sha256(key) → pk
	bInvNumber  // unique number → pk, empty number not indexed
	bInvOwner   // owner ‖ created ‖ pk → pk
	bInvSub     // subscription ‖ created ‖ pk → pk
	bInvOpenDue // due ‖ pk → pk, status open and due date set only

	bHooks
	bHookReceived // received ‖ pk → pk
	bHookPending  // received ‖ pk → pk, status received only
	bHookApplied  // 'p' ‖ payment pk ‖ sha256(event key)[:16], or sha256(event key) → event key: the applied set

	bWallets
	bWalletOwner   // owner ‖ created ‖ pk → pk
	bWalletEntries // wallet ‖ seq → entry record

	bTopUps
	bTopUpOwner // owner ‖ created ‖ pk → pk

	bMethods
	bMethodOwner   // owner ‖ created ‖ pk → pk
	bMethodAccount // sha256(account id) ‖ pk → pk

	bNotifs
	bNotifUser   // user ‖ created ‖ pk → pk
	bNotifQueued // next attempt ‖ pk → pk, status queued only

	bOutbox // seq → event record

	bIdem       // sha256(key) → record
	bIdemExpiry // expires ‖ sha256(key) → sha256(key)

	bNotifRecipient // sha256(recipient) ‖ created ‖ pk → pk

	bOrgs
	bOrgMember // member ‖ org pk → org pk, one key per member

	bCoupons
	bCouponCode // unique sha256(upper-case code) → pk

	bEndpoints

	bPayRefunding   // created ‖ pk → pk, payments with a refund waiting for the gateway
	bPayRefundCheck // refund check ‖ pk → pk, settled payments to ask Midtrans about

	bHookOrder // sha256(order id) ‖ received ‖ pk → pk, logs naming an order
	bFigures   // day ("2006-01-02") → daily figures record

	bSessions
	bSessionHash   // unique sha256(hash) → pk
	bSessionUser   // user ‖ created ‖ pk → pk
	bSessionExpiry // expires ‖ pk → pk

	bPortalLinks
	bPortalLinkHash   // unique sha256(hash) → pk
	bPortalLinkExpiry // expires ‖ pk → pk
	bCreditNotes
	bCNKey     // unique invoice ‖ sha256(key) → pk
	bCNNumber  // unique number → pk
	bCNOwner   // owner ‖ created ‖ pk → pk
	bCNInvoice // invoice ‖ created ‖ pk → pk
	bCNIssued  // issue date ‖ pk → pk

	nBuckets
)

var bucketNames = [nBuckets]string{
	bMeta:           "meta",
	bPlans:          "plans",
	bPlanSlug:       "idx_plan_slug",
	bUsers:          "users",
	bUserName:       "idx_user_username",
	bUserAdmin:      "idx_user_admin",
	bTokens:         "tokens",
	bTokenHash:      "idx_token_hash",
	bTokenUser:      "idx_token_user",
	bSubs:           "subscriptions",
	bSubOwner:       "idx_sub_owner",
	bSubNative:      "idx_sub_native",
	bSubDue:         "idx_sub_due",
	bSubStatus:      "idx_sub_status",
	bPays:           "payments",
	bPayOrder:       "idx_pay_order",
	bPayOwner:       "idx_pay_owner",
	bPaySub:         "idx_pay_sub",
	bPayOpen:        "idx_pay_open",
	bPayRefunding:   "idx_pay_refunding",
	bPayRefundCheck: "idx_pay_refund_check",
	bInvs:           "invoices",
	bInvKey:         "idx_inv_key",
	bInvNumber:      "idx_inv_number",
	bInvOwner:       "idx_inv_owner",
	bInvSub:         "idx_inv_sub",
	bInvOpenDue:     "idx_inv_open_due",
	bHooks:          "webhook_logs",
	bHookReceived:   "idx_hook_received",
	bHookPending:    "idx_hook_pending",
	bHookApplied:    "hook_applied",
	bWallets:        "wallets",
	bWalletOwner:    "idx_wallet_owner",
	bWalletEntries:  "wallet_entries",
	bTopUps:         "topups",
	bTopUpOwner:     "idx_topup_owner",
	bMethods:        "payment_methods",
	bMethodOwner:    "idx_method_owner",
	bMethodAccount:  "idx_method_account",
	bNotifs:         "notifications",
	bNotifUser:      "idx_notif_user",
	bNotifQueued:    "idx_notif_queued",
	bOutbox:         "outbox",
	bIdem:           "idempotency",
	bIdemExpiry:     "idx_idem_expiry",

	bNotifRecipient: "idx_notif_recipient",
	bOrgs:           "organizations",
	bOrgMember:      "idx_org_member",
	bCoupons:        "coupons",
	bCouponCode:     "idx_coupon_code",
	bEndpoints:      "webhook_endpoints",
	bHookOrder:      "idx_hook_order",
	bFigures:        "daily_figures",

	bSessions:         "sessions",
	bSessionHash:      "idx_session_hash",
	bSessionUser:      "idx_session_user",
	bSessionExpiry:    "idx_session_expiry",
	bPortalLinks:      "portal_links",
	bPortalLinkHash:   "idx_portal_link_hash",
	bPortalLinkExpiry: "idx_portal_link_expiry",
	bCreditNotes:      "credit_notes",
	bCNKey:            "idx_cn_key",
	bCNNumber:         "idx_cn_number",
	bCNOwner:          "idx_cn_owner",
	bCNInvoice:        "idx_cn_invoice",
	bCNIssued:         "idx_cn_issued",
}
