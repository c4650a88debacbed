#!/usr/bin/env python3
"""Generates adapters/http/openapi.json from the handler DTOs (by hand-kept
tables below). Run: python3 gen_openapi.py > adapters/http/openapi.json"""
import json
import sys
from collections import OrderedDict

SCHEMAS = OrderedDict()
PATHS = OrderedDict()


def ref(n):
    return {"$ref": "#/components/schemas/" + n}


def rref(n):
    return {"$ref": "#/components/responses/" + n}


def nullable(s):
    """A $ref (or any schema) that may also be null."""
    return {"anyOf": [s, {"type": "null"}]}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DT = {"type": "string", "format": "date-time"}
DTN = {"type": ["string", "null"], "format": "date-time"}
STRN = {"type": ["string", "null"]}
MONEY = ref("Money")
FREE = {"type": "object", "description": "Free-form JSON object"}


def s(extra=None, **kw):
    d = dict(STR)
    d.update(kw)
    if extra:
        d.update(extra)
    return d


def enum(values, null=False, desc=None):
    d = {"type": ["string", "null"] if null else "string", "enum": list(values) + ([None] if null else [])}
    if desc:
        d["description"] = desc
    return d


def out_obj(props, optional=(), desc=None):
    """A response object: every field always present unless listed in
    optional (omitempty), nothing else."""
    d = {"type": "object"}
    if desc:
        d["description"] = desc
    d["required"] = [k for k in props if k not in optional]
    d["properties"] = props
    d["additionalProperties"] = False
    return d


def in_obj(props, required=(), desc=None):
    """A request body decoded strictly: unknown fields are 400."""
    d = {"type": "object"}
    if desc:
        d["description"] = desc
    if required:
        d["required"] = list(required)
    d["properties"] = props
    d["additionalProperties"] = False
    return d


def page(item):
    name = item + "Page"
    SCHEMAS[name] = out_obj(OrderedDict([
        ("count", {"type": "integer", "minimum": 0, "description": "Total number of matching items"}),
        ("next", {"type": ["string", "null"], "description": "Path and query of the next page, or null"}),
        ("previous", {"type": ["string", "null"], "description": "Path and query of the previous page, or null"}),
        ("results", {"type": "array", "items": ref(item)}),
    ]), desc="One page of " + item + " items")
    return name


# --- enums (core) -----------------------------------------------------------
SUB_STATUSES = ["pending", "trialing", "active", "past_due", "paused", "cancelled", "expired"]
PAYMENT_TYPES = ["bank_transfer", "echannel", "gopay", "shopeepay", "qris", "cstore", "credit_card", "wallet", "manual"]
PAYMENT_STATUSES = ["creating", "pending", "challenge", "paid", "failed", "cancelled", "expired", "refunded", "partially_refunded"]
INVOICE_STATUSES = ["draft", "open", "paid", "void", "overdue"]
LINE_KINDS = ["plan", "proration_credit", "proration_charge", "discount", "credit", "tax", "adjustment"]
ENTRY_TYPES = ["top_up", "subscription_payment", "refund", "adjustment", "reversal"]
TOPUP_STATUSES = ["pending", "paid", "failed", "expired"]
METHOD_STATUSES = ["pending", "active", "disabled"]
ROLES = ["owner", "admin", "member"]
COUPON_DURATIONS = ["once", "repeating", "forever"]
CHANNELS = ["email", "webhook", "in_app"]
NOTIF_STATUSES = ["queued", "sent", "failed", "read"]
WEBHOOK_KINDS = ["payment", "subscription", "pay_account", ""]
WEBHOOK_STATUSES = ["received", "processed", "duplicate", "ignored", "rejected", "failed"]
PLAN_STATUSES = ["active", "inactive", "archived"]
INTERVAL_UNITS = ["day", "week", "month", "year"]


def orderings(*fields):
    out = []
    for f in fields:
        out += [f, "-" + f]
    return out


# --- schemas ------------------------------------------------------------------
SCHEMAS["Error"] = out_obj(OrderedDict([
    ("error", out_obj(OrderedDict([
        ("code", s(description="Machine-readable code: invalid, unauthenticated, forbidden, not_found, conflict, "
                   "idempotency_key_reused, clock_not_manual, unsupported_media_type, payload_too_large, unprocessable, "
                   "payment_declined, insufficient_balance, rate_limited, gateway_error, gateway_unavailable, not_ready, "
                   "internal, ...", examples=["invalid"])),
        ("message", s(description="Human-readable message")),
        ("fields", {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "Per-field messages for invalid input (absent when there are none)"}),
    ]), optional=("fields",))),
]), desc="The error body of every 4xx and 5xx answer")
SCHEMAS["Money"] = {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$",
                    "description": "Decimal amount with two places", "examples": ["49000.00"]}
SCHEMAS["MoneyInput"] = {"type": ["string", "number"],
                         "description": "Decimal amount, as a string (\"49000.00\") or a JSON number (49000); no exponent, at most two places"}
SCHEMAS["WholeRupiahInput"] = {"type": ["string", "number"],
                               "description": "A whole-rupiah amount, as a JSON number (50000) or a decimal string (\"50000.00\"); no fraction of a rupiah",
                               "examples": [50000, "50000.00"]}
SCHEMAS["FlexTime"] = {"type": ["string", "integer"],
                       "description": "An RFC 3339 time (\"2027-01-31T00:00:00Z\") or Unix seconds",
                       "examples": ["2027-01-31T00:00:00Z", 1801353600]}
SCHEMAS["EmptyBody"] = in_obj(OrderedDict(), desc="No body, or an empty JSON object; any field is refused")

# Plans and accounts.
PLAN_PROPS = OrderedDict([
    ("id", STR), ("name", STR), ("slug", STR), ("description", STR), ("price", MONEY),
    ("currency", s(examples=["IDR"])), ("interval", {"type": "integer", "minimum": 1}),
    ("interval_unit", enum(INTERVAL_UNITS)), ("trial_period_days", {"type": "integer", "minimum": 0}),
    ("max_cycles", {"type": "integer", "minimum": 0, "description": "0: unlimited"}),
    ("status", enum(PLAN_STATUSES)),
    ("features", {"type": "object", "description": "Free-form; max_users limits seats, permissions lists permissions"}),
    ("sort_order", INT), ("per_seat", BOOL), ("created_at", DT), ("updated_at", DT),
])
SCHEMAS["Plan"] = out_obj(PLAN_PROPS)
PLAN_IN = OrderedDict([
    ("name", s(maxLength=100)),
    ("slug", s(maxLength=50, pattern="^[a-z0-9]+(?:[-_][a-z0-9]+)*$", description="Default: derived from name")),
    ("description", s(maxLength=2000)), ("price", ref("MoneyInput")),
    ("currency", s(maxLength=3, description="ISO 4217; only IDR")), ("interval", {"type": "integer", "minimum": 1}),
    ("interval_unit", enum(INTERVAL_UNITS)), ("trial_period_days", {"type": "integer", "minimum": 0}),
    ("max_cycles", {"type": "integer", "minimum": 0}), ("status", enum(PLAN_STATUSES)),
    ("features", {"type": ["object", "null"]}), ("sort_order", INT), ("per_seat", BOOL),
])
SCHEMAS["PlanCreate"] = in_obj(PLAN_IN, required=["name", "price", "interval_unit"])
SCHEMAS["PlanPatch"] = in_obj(PLAN_IN, desc="Changes only the fields sent")
page("Plan")

SCHEMAS["User"] = out_obj(OrderedDict([
    ("id", STR), ("username", STR), ("email", STR), ("first_name", STR), ("last_name", STR),
    ("is_admin", BOOL), ("locale", STR), ("created_at", DT)]))
SCHEMAS["UserCreate"] = in_obj(OrderedDict([
    ("username", s(minLength=1, maxLength=150)), ("password", s(minLength=1)), ("email", s(maxLength=254)),
    ("first_name", s(maxLength=150)), ("last_name", s(maxLength=150)), ("is_admin", BOOL),
    ("locale", s(maxLength=2))]), required=["username", "password"])
SCHEMAS["TokenCreate"] = in_obj(OrderedDict([("name", s(maxLength=100))]))
SCHEMAS["Token"] = out_obj(OrderedDict([
    ("id", STR), ("token", s(description="The secret, shown only once")), ("name", STR), ("created_at", DT)]))
SCHEMAS["TokenInfo"] = out_obj(OrderedDict([
    ("id", STR), ("name", STR), ("created_at", DT),
    ("last_used_at", dict(DTN, description="When the token last authenticated a request (to the minute); null if never"))]),
    desc="An API token without its secret")
page("TokenInfo")
SCHEMAS["PasswordChange"] = in_obj(OrderedDict([
    ("current_password", s(minLength=1)), ("new_password", s(minLength=8, maxLength=72))]),
    required=["current_password", "new_password"])
SCHEMAS["RunSummary"] = out_obj(OrderedDict([
    ("started_at", DT), ("finished_at", DT),
    ("counts", {"type": ["object", "null"], "additionalProperties": {"type": "integer"},
                "description": "Items handled, by kind of job"}),
    ("errors", INT), ("stale_open_payments", INT)]))
SCHEMAS["ClockAdvance"] = in_obj(OrderedDict([
    ("duration", s(minLength=1, description="A Go duration (\"720h\") or whole days (\"30d\"), at most ten years",
                   examples=["720h", "30d"]))]), required=["duration"])
SCHEMAS["ClockNow"] = out_obj(OrderedDict([("now", DT)]))

# Subscriptions.
SCHEMAS["CustomerDetails"] = out_obj(OrderedDict([
    ("first_name", STR), ("last_name", STR), ("email", STR), ("phone", STR)]))
SCHEMAS["CustomerDetailsInput"] = in_obj(OrderedDict([
    ("first_name", s(maxLength=100)), ("last_name", s(maxLength=100)),
    ("email", s(maxLength=254, description="An e-mail address, or empty")), ("phone", s(maxLength=30))]))
SCHEMAS["PlanChange"] = out_obj(OrderedDict([
    ("from_plan_id", STR), ("to_plan_id", STR), ("at", DT), ("immediate", BOOL), ("proration", STR)]))
SCHEMAS["PendingPlanChange"] = out_obj(OrderedDict([
    ("plan_id", s(description="The plan the subscription moves to once the proration is paid")),
    ("invoice_id", s(description="The proration invoice to pay"))]),
    desc="An immediate upgrade waiting for its proration to be paid")
SCHEMAS["Subscription"] = out_obj(OrderedDict([
    ("id", STR), ("plan", nullable(ref("Plan"))), ("plan_id", STR),
    ("owner_id", s(description="The user, or the organization when one owns it")),
    ("organization_id", s(type=["string", "null"], description="Set when an organization owns the subscription")),
    ("created_by", s(description="The user who subscribed")),
    ("status", enum(SUB_STATUSES)), ("payment_type", enum(PAYMENT_TYPES)), ("bank", STR),
    ("quantity", {"type": "integer", "minimum": 0}), ("payment_method_id", STRN), ("midtrans_subscription_id", STRN),
    ("current_period_start", DTN), ("current_period_end", DTN), ("trial_start", DTN), ("trial_end", DTN),
    ("billing_cycle_anchor", s(type=["string", "null"], format="date-time", description="Every period boundary is computed from it")),
    ("cycle_count", INT), ("next_billing_date", DTN), ("past_due_since", DTN), ("cancel_at_period_end", BOOL),
    ("cancelled_at", DTN), ("cancel_reason", STR), ("end_date", DTN), ("paused_at", DTN), ("auto_pay", BOOL),
    ("coupon_id", STRN), ("coupon_cycles_left", {"type": ["integer", "null"], "description": "-1: forever"}),
    ("scheduled_plan_id", STRN), ("pending_plan_change", nullable(ref("PendingPlanChange"))),
    ("pending_credit", s(type="string", description="Carried to the next invoices: negative a credit, positive a charge")),
    ("plan_history", {"type": "array", "items": ref("PlanChange")}), ("metadata", FREE),
    ("customer_details", ref("CustomerDetails")), ("created_at", DT), ("updated_at", DT)]),
    desc="A subscription as the /api/subscriptions/ endpoints show it")
page("Subscription")
SCHEMAS["SubscriptionCreate"] = in_obj(OrderedDict([
    ("plan_id", s(minLength=1, maxLength=100, description="Plan id or slug")),
    ("payment_type", s(minLength=1, maxLength=32, enum=PAYMENT_TYPES, description="manual: admins only")),
    ("token", s(maxLength=255, description="Card token (credit_card)")),
    ("customer_details", nullable(ref("CustomerDetailsInput"))),
    ("metadata", {"type": ["object", "null"], "properties": {"bank": STR},
                  "description": "Free-form; metadata.bank picks the bank of a bank transfer"}),
    ("organization_id", s(maxLength=64, description="Subscribe an organization the user administers")),
    ("coupon", s(maxLength=64)),
    ("quantity", {"type": ["integer", "null"], "minimum": 1, "maximum": 100000, "description": "Seats (per-seat plans)"}),
    ("payment_method_id", s(maxLength=64)), ("gopay_account_id", s(maxLength=128)), ("auto_pay", BOOL),
    ("end_date", {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339; empty for none"}),
]), required=["plan_id", "payment_type"])
SCHEMAS["SubscriptionCreated"] = out_obj(OrderedDict([
    ("subscription", ref("Subscription")),
    ("payment", nullable(ref("Payment")))]),
    desc="The new subscription and the payment issued for it (null when none was, e.g. during a trial)")
SCHEMAS["CancelRequest"] = in_obj(OrderedDict([
    ("reason", s(maxLength=500)),
    ("immediate", {"type": "boolean", "description": "End now instead of at the period end"}),
    ("undo", {"type": "boolean", "description": "Reverse a cancel scheduled for the period end; reason and immediate are then ignored"})]))
SCHEMAS["ChangePlanRequest"] = in_obj(OrderedDict([
    ("plan_id", s(minLength=1, maxLength=100, description="Plan id or slug")),
    ("immediate", {"type": ["boolean", "null"], "description": "Absent or null: upgrades now, downgrades at the period end"})]),
    required=["plan_id"])
SCHEMAS["QuantityRequest"] = in_obj(OrderedDict([("quantity", {"type": "integer", "minimum": 1})]), required=["quantity"])
SCHEMAS["ApplyCouponRequest"] = in_obj(OrderedDict([("code", s(minLength=1, maxLength=40))]), required=["code"])

SCHEMAS["OrgSubscriptionDetail"] = out_obj(OrderedDict([
    ("subscription", ref("Subscription")), ("plan", ref("Plan")), ("features", FREE),
    ("permissions", {"type": "array", "items": STR})]))
SCHEMAS["AdminSubscriptionInput"] = in_obj(OrderedDict([
    ("plan_id", STRN), ("subscription_status", enum(SUB_STATUSES, null=True)),
    ("status", enum(SUB_STATUSES, null=True, desc="Alias of subscription_status")),
    ("billing_cycle_anchor", nullable(ref("FlexTime"))), ("start_date", nullable(ref("FlexTime"))),
    ("trial_start", nullable(ref("FlexTime"))), ("trial_end", nullable(ref("FlexTime"))),
    ("payment_type", enum(PAYMENT_TYPES, null=True, desc="Default manual")),
    ("quantity", {"type": ["integer", "null"]}), ("renew", BOOL)]),
    desc="Create: plan_id is needed. Update: only the fields sent change.")

# Organizations.
SCHEMAS["Member"] = out_obj(OrderedDict([
    ("user_id", STR), ("username", s(description="Absent if the user no longer exists")),
    ("role", enum(ROLES)), ("joined_at", DT)]), optional=("username",))
SCHEMAS["Organization"] = out_obj(OrderedDict([
    ("id", STR), ("name", STR), ("owner_id", STR), ("members", {"type": "array", "items": ref("Member")}),
    ("created_at", DT)]))
page("Organization")
SCHEMAS["OrganizationCreate"] = in_obj(OrderedDict([("name", s(minLength=1, maxLength=100))]), required=["name"])
SCHEMAS["MemberAdd"] = in_obj(OrderedDict([
    ("username", s(minLength=1, maxLength=150)), ("role", s(enum=["member", "admin", ""], description="Default member"))]),
    required=["username"])
SCHEMAS["CanAddUsers"] = out_obj(OrderedDict([
    ("allowed", BOOL), ("limit", {"type": ["integer", "null"], "description": "Seat limit; null: unlimited"}),
    ("current", INT)]))

# Coupons.
SCHEMAS["Coupon"] = out_obj(OrderedDict([
    ("id", STR), ("code", STR),
    ("percent_off", {"type": ["string", "null"], "pattern": "^[0-9]+\\.[0-9]{2}$", "description": "Percentage with two places, or null"}),
    ("amount_off", nullable(MONEY)), ("currency", STR), ("duration", enum(COUPON_DURATIONS)),
    ("duration_in_cycles", {"type": ["integer", "null"], "description": "Set for repeating coupons"}),
    ("max_redemptions", {"type": ["integer", "null"], "description": "null: unlimited"}),
    ("times_redeemed", INT), ("redeem_by", DTN), ("applies_to_plans", {"type": "array", "items": STR}),
    ("active", BOOL), ("deleted", BOOL), ("created_at", DT), ("updated_at", DT)]))
page("Coupon")
SCHEMAS["CouponInput"] = in_obj(OrderedDict([
    ("code", {"type": ["string", "null"], "maxLength": 40, "description": "Default: generated"}),
    ("percent_off", nullable(ref("MoneyInput"))), ("amount_off", nullable(ref("MoneyInput"))),
    ("currency", {"type": ["string", "null"], "maxLength": 3}), ("duration", enum(COUPON_DURATIONS, null=True)),
    ("duration_in_cycles", {"type": ["integer", "null"]}), ("max_redemptions", {"type": ["integer", "null"]}),
    ("redeem_by", nullable(ref("FlexTime"))), ("applies_to_plans", {"type": ["array", "null"], "items": STR}),
    ("active", {"type": ["boolean", "null"]})]),
    desc="Create: percent_off or amount_off, and duration. Update: only the fields sent change.")

# Payments.
SCHEMAS["Refund"] = out_obj(OrderedDict([
    ("refund_key", STR), ("amount", MONEY), ("reason", STR), ("direct", BOOL), ("status", STR),
    ("to_wallet", BOOL), ("created_at", DT)]))
SCHEMAS["Payment"] = out_obj(OrderedDict([
    ("id", STR), ("order_id", STR), ("transaction_id", STR), ("purpose", enum(["subscription", "topup", "card_check"], desc="card_check: the voided pre-authorization that verified a trial's card")),
    ("subscription_id", STRN), ("invoice_id", STRN), ("topup_id", STRN), ("payment_type", enum(PAYMENT_TYPES)),
    ("bank", STR), ("gross_amount", MONEY), ("currency", STR), ("status", enum(PAYMENT_STATUSES)),
    ("fraud_status", STR), ("payment_details", {"type": "object", "description": "VA number, QR or deeplink URL, ..."}),
    ("midtrans_status", {"type": ["object", "null"], "description": "Last status object from Midtrans"}),
    ("cycle", INT), ("retry_count", INT), ("is_retry", BOOL), ("superseded", BOOL),
    ("refunded_amount", MONEY), ("refunds", {"type": "array", "items": ref("Refund")}), ("failure_reason", STR),
    ("expires_at", DTN), ("paid_at", DTN), ("created_at", DT), ("updated_at", DT)]))
page("Payment")
SCHEMAS["ChargeRequest"] = in_obj(OrderedDict([("subscription_id", s(minLength=1, maxLength=64))]), required=["subscription_id"])
SCHEMAS["RefundRequest"] = in_obj(OrderedDict([
    ("amount", nullable(ref("WholeRupiahInput"))), ("reason", s(maxLength=500)),
    ("direct", {"type": "boolean", "description": "Midtrans direct refund (gopay, shopeepay, qris)"}),
    ("to_wallet", {"type": "boolean", "description": "Credit the customer's wallet instead of refunding through Midtrans: "
                                                    "the only way for bank_transfer, echannel and cstore payments"})]),
    desc="amount absent or null refunds what is left")
SCHEMAS["PaymentStatusCheck"] = out_obj(OrderedDict([
    ("local_status", enum(PAYMENT_STATUSES)),
    ("midtrans_status", {"type": ["object", "null"], "description": "Midtrans' status object; null for wallet payments"}),
    ("payment", ref("Payment"))]))

# Invoices.
SCHEMAS["InvoiceLine"] = out_obj(OrderedDict([
    ("kind", enum(LINE_KINDS)), ("description", STR), ("quantity", INT), ("unit_amount", MONEY), ("amount", MONEY),
    ("period_start", DTN), ("period_end", DTN)]))
SCHEMAS["Invoice"] = out_obj(OrderedDict([
    ("id", STR), ("number", STR), ("status", enum(INVOICE_STATUSES)), ("owner_id", STR), ("subscription_id", STRN),
    ("payment_id", STRN), ("cycle", INT), ("subtotal", MONEY), ("discount", MONEY), ("tax", MONEY), ("total", MONEY),
    ("currency", STR), ("issue_date", DTN), ("due_date", DTN), ("paid_at", DTN), ("period_start", DTN),
    ("period_end", DTN), ("line_items", {"type": "array", "items": ref("InvoiceLine")}), ("created_at", DT),
    ("updated_at", DT)]))
page("Invoice")

# Payment methods.
SCHEMAS["PaymentMethod"] = out_obj(OrderedDict([
    ("id", STR), ("type", enum(["gopay", "credit_card"])), ("status", enum(METHOD_STATUSES)), ("account_id", STR),
    ("activation_url", s(description="Where the customer confirms a GoPay link")), ("masked_card", STR),
    ("expires_at", DTN), ("created_at", DT), ("updated_at", DT)]),
    desc="Never shows the card token or GoPay payment-option token")
page("PaymentMethod")
SCHEMAS["GopayLinkRequest"] = in_obj(OrderedDict([
    ("phone_number", s(minLength=1, maxLength=20)), ("redirect_url", s(maxLength=500, format="uri"))]),
    required=["phone_number"])

# Wallet and top-ups.
SCHEMAS["Wallet"] = out_obj(OrderedDict([
    ("id", STR), ("balance", MONEY), ("currency", STR), ("is_active", BOOL), ("auto_pay", BOOL),
    ("created_at", DT), ("updated_at", DT)]))
SCHEMAS["WalletPatch"] = in_obj(OrderedDict([("auto_pay", BOOL)]), required=["auto_pay"])
SCHEMAS["WalletEntry"] = out_obj(OrderedDict([
    ("id", STR), ("wallet_id", STR), ("type", enum(ENTRY_TYPES)), ("amount", MONEY), ("balance_after", MONEY),
    ("reference_type", STR), ("reference_id", STR), ("description", STR), ("created_at", DT)]))
page("WalletEntry")
SCHEMAS["WalletAdjustRequest"] = in_obj(OrderedDict([
    ("amount", ref("WholeRupiahInput")), ("reason", s(minLength=1, maxLength=500))]),
    required=["amount", "reason"], desc="amount is signed (negative debits) and not zero")
SCHEMAS["LedgerProblem"] = out_obj(OrderedDict([
    ("wallet_id", STR), ("balance", STR), ("ledger", STR), ("detail", STR)]))
SCHEMAS["LedgerCheck"] = out_obj(OrderedDict([
    ("wallets", {"type": "integer", "minimum": 0, "description": "Wallets checked"}),
    ("problems", {"type": "array", "items": ref("LedgerProblem")})]))
SCHEMAS["TopUp"] = out_obj(OrderedDict([
    ("id", STR), ("order_id", STR), ("wallet_id", STR), ("payment_id", STRN), ("amount", MONEY),
    ("status", enum(TOPUP_STATUSES)), ("payment_type", enum(PAYMENT_TYPES)), ("bank", STR),
    ("payment_details", {"type": "object", "description": "VA number, QR or deeplink URL, ..."}), ("paid_at", DTN),
    ("created_at", DT), ("updated_at", DT)]))
page("TopUp")
SCHEMAS["TopUpCreate"] = in_obj(OrderedDict([
    ("organization_id", s(format="uuid", description="Fund this organization's wallet (its owner or admins)")),
    ("amount", ref("WholeRupiahInput")), ("payment_type", s(minLength=1, maxLength=32, enum=[t for t in PAYMENT_TYPES if t not in ("wallet", "manual")])),
    ("bank", s(maxLength=32)), ("callback_url", s(maxLength=500, format="uri")),
    ("customer_details", nullable(ref("CustomerDetailsInput"))), ("token", s(maxLength=255))]),
    required=["amount", "payment_type"], desc="amount between the configured minimum and maximum")

# Notifications and outbound webhooks.
SCHEMAS["Notification"] = out_obj(OrderedDict([
    ("id", STR), ("event_id", STR), ("notification_type", s(examples=["payment.succeeded"])),
    ("channel", enum(CHANNELS)), ("recipient", STR), ("subject", STR), ("body", STR), ("payload", FREE),
    ("status", enum(NOTIF_STATUSES)), ("attempts", INT), ("last_error", STR),
    ("next_attempt_at", {"type": ["string", "null"], "format": "date-time",
                         "description": "When a queued delivery is tried next; null otherwise"}),
    ("created_at", DT), ("sent_at", DTN), ("read_at", DTN)]),
    desc="One delivery of one event on one channel (the reference's NotificationLog)")
page("Notification")
SCHEMAS["WebhookDelivery"] = {"description": "A delivery to an outbound webhook endpoint: a Notification on the webhook channel",
                              "allOf": [ref("Notification")]}
page("WebhookDelivery")
SCHEMAS["WebhookEndpoint"] = out_obj(OrderedDict([
    ("id", STR), ("url", s(format="uri")), ("events", {"type": "array", "items": STR, "description": "Event types; empty: all"}),
    ("description", STR), ("active", BOOL),
    ("secret", s(description="Signing secret; only in the creation answer")),
    ("failing_since", DTN), ("disabled_at", DTN), ("created_at", DT), ("updated_at", DT)]),
    optional=("secret",))
page("WebhookEndpoint")
SCHEMAS["WebhookEndpointInput"] = in_obj(OrderedDict([
    ("url", {"type": ["string", "null"], "maxLength": 2000, "description": "https URL (create: required)"}),
    ("events", {"type": ["array", "null"], "items": STR}), ("active", {"type": ["boolean", "null"]}),
    ("description", {"type": ["string", "null"], "maxLength": 500})]),
    desc="Create: url is needed. Update: only the fields sent change.")
SCHEMAS["WebhookLog"] = out_obj(OrderedDict([
    ("id", STR), ("kind", enum(WEBHOOK_KINDS, desc="Notification shape; empty if unreadable")), ("order_id", STR),
    ("event_key", STR), ("payload", s(description="The body as received, without card tokens and signatures (its first KiB only if it was not verified)")), ("source_ip", STR),
    ("received_at", DT), ("signature_valid", BOOL), ("status", enum(WEBHOOK_STATUSES)), ("error", STR),
    ("processed_at", DTN),
    ("payload_size", dict(INT, description="Set when payload holds only the first KiB of an unverified body: the body's size")),
    ("payload_sha256", s(description="Set with payload_size: the hex SHA-256 of the whole body"))]),
    optional=("payload_size", "payload_sha256"), desc="A Midtrans notification as received")
page("WebhookLog")
SCHEMAS["MidtransNotification"] = {
    "type": "object",
    "description": "A Midtrans payment, Subscription API or Pay Account notification, told apart by shape; other fields are kept",
    "properties": OrderedDict([
        ("order_id", STR), ("transaction_status", STR), ("status_code", STR), ("gross_amount", STR),
        ("signature_key", STR), ("fraud_status", STR), ("payment_type", STR), ("transaction_id", STR)]),
}
SCHEMAS["WebhookAck"] = out_obj(OrderedDict([
    ("status", s(enum=["ok"])), ("webhook_log_id", STR),
    ("result", s(enum=["processed", "duplicate", "ignored", "rejected"],
                 description="processed; duplicate (applied before); ignored (stale or out of order); rejected (amount mismatch, nothing changed)"))]))

# --- responses ------------------------------------------------------------------

def err_resp(desc, headers=None):
    r = {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
    if headers:
        r["headers"] = headers
    return r


RESPONSES = OrderedDict([
    ("BadRequest", err_resp("Invalid input (code invalid): malformed JSON, unknown or mistyped field, bad query parameter; fields names each")),
    ("Unauthenticated", err_resp("No or bad credentials (code unauthenticated)", {
        "WWW-Authenticate": {"schema": STR, "description": "Basic realm=\"langganan\", charset=\"UTF-8\""}})),
    ("Forbidden", err_resp("Not allowed (code forbidden)")),
    ("NotFound", err_resp("Not found, or not visible to the caller (code not_found)")),
    ("Conflict", err_resp("Conflict with the current state (code conflict, or idempotency_key_reused)")),
    ("PayloadTooLarge", err_resp("Body larger than 1 MiB (code payload_too_large)")),
    ("UnsupportedMediaType", err_resp("The body is not JSON (code unsupported_media_type)")),
    ("Unprocessable", err_resp("Well-formed but refused by a business rule (code unprocessable, payment_declined, ...)")),
    ("RateLimited", err_resp("Too many failed sign-ins for this username and address (code rate_limited)", {
        "Retry-After": {"schema": INT, "description": "Seconds"}})),
    ("ServerError", err_resp("A fault of the service (internal) or of Midtrans (502 gateway_error, 503 gateway_unavailable)")),
])

# --- operations ---------------------------------------------------------------
SEC_PUBLIC = [{}, {"basicAuth": []}, {"bearerAuth": []}]

STD_PAGE = [
    {"name": "page", "in": "query", "required": False, "description": "Page number, from 1",
     "schema": {"type": "integer", "minimum": 1}},
    {"name": "page_size", "in": "query", "required": False, "description": "Results per page, 1 to 100 (default 20)",
     "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]


def q(name, schema, desc, required=False):
    return {"name": name, "in": "query", "required": required, "description": desc, "schema": schema}


def ordering(values, default):
    return q("ordering", {"type": "string", "enum": values}, "Sort field, - for descending (default " + default + ")")


IDEM_PARAM = {"name": "Idempotency-Key", "in": "header", "required": False,
              "description": "Makes the POST safe to retry: the first answer below 500 (status and body, errors included) "
                             "is kept 24 hours per user and replayed with Idempotent-Replayed: true; the same key with "
                             "another request answers 409 idempotency_key_reused",
              "schema": {"type": "string", "minLength": 1, "maxLength": 255}}
REPLAYED = {"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                     "description": "Present when this answer is a replay of a stored one"}}
LOCATION = {"Location": {"schema": STR, "description": "Path of the new resource"}}

OPS = []


# POSTs outside the billing area that also honour Idempotency-Key.
IDEM_EXTRA = {
    ("POST", "/api/plans/"), ("POST", "/api/admin/users/"), ("POST", "/api/organizations/"),
    ("POST", "/api/organizations/{id}/members/"), ("POST", "/api/admin/organizations/{id}/subscriptions/"),
    ("POST", "/api/admin/subscriptions/{id}/finish/"), ("POST", "/api/admin/coupons/"),
    ("POST", "/api/subscriptions/{id}/apply-coupon/"), ("POST", "/api/admin/webhook-endpoints/"),
    ("POST", "/api/admin/webhook-endpoints/{id}/deliveries/{delivery}/resend/"),
}


def op(method, path, summary, tag, *, desc=None, auth="user", query=None, body=None, body_required=True,
       ok=(200, None), extra=(), idem=False, no_404=False, headers=None, op_id=None):
    idem = idem or (method, path) in IDEM_EXTRA
    OPS.append(dict(method=method, path=path, summary=summary, tag=tag, desc=desc, auth=auth, query=query,
                    body=body, body_required=body_required, ok=ok, extra=extra, idem=idem, no_404=no_404,
                    headers=headers))


def build():
    for o in OPS:
        method, path = o["method"], o["path"]
        d = OrderedDict()
        d["summary"] = o["summary"]
        desc = o["desc"] or ""
        if o["auth"] == "admin":
            desc = ("Admin only. " + desc).strip()
        if desc:
            d["description"] = desc
        d["tags"] = [o["tag"]]
        d["operationId"] = method.lower() + "_" + path.strip("/").replace("api/", "", 1).replace("/", "_").replace("{", "").replace("}", "").replace("-", "_").replace(".", "_")
        if o["auth"] == "public":
            d["security"] = SEC_PUBLIC
        elif o["auth"] == "none":
            d["security"] = []
        elif o["auth"] == "basic":
            d["security"] = [{"basicAuth": []}]
        params = []
        for name in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
            params.append({"name": name, "in": "path", "required": True, "schema": STR})
        if o["query"] is not None:
            params += o["query"] + STD_PAGE
        if o["idem"]:
            params.append(IDEM_PARAM)
        if params:
            d["parameters"] = params
        if o["body"] is not None:
            schema = ref(o["body"]) if isinstance(o["body"], str) else o["body"]
            d["requestBody"] = {"required": o["body_required"], "content": {"application/json": {"schema": schema}}}
            if not o["body_required"]:
                d["requestBody"]["description"] = "Optional: the body may be empty"
        status, schema = o["ok"]
        resp = OrderedDict()
        descs = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}
        r = {"description": descs[status]}
        hdrs = OrderedDict()
        if status == 201 and o.get("location", True):
            hdrs.update(LOCATION)
        if isinstance(o["headers"], dict):
            hdrs.update(o["headers"])
        if o["idem"]:
            hdrs.update(REPLAYED)
        if hdrs:
            r["headers"] = hdrs
        if schema is not None:
            if isinstance(schema, tuple):  # (media type, schema)
                r["content"] = {schema[0]: {"schema": schema[1]}}
            else:
                r["content"] = {"application/json": {"schema": ref(schema) if isinstance(schema, str) else schema}}
        resp[str(status)] = r
        codes = set(o["extra"])
        writes = method in ("POST", "PATCH", "PUT")
        if o["query"] is not None or o["body"] is not None:
            codes.add(400)
        if writes:
            codes |= {413, 415}
        if o["auth"] != "none":
            codes |= {401, 429}
        if o["auth"] == "admin":
            codes.add(403)
        if "{" in path and not o["no_404"]:
            codes.add(404)
        if o["idem"]:
            codes |= {400, 409}
        names = {400: "BadRequest", 401: "Unauthenticated", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
                 413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "Unprocessable", 429: "RateLimited"}
        for c in sorted(c for c in codes if c in names):
            resp[str(c)] = rref(names[c])
        for c in sorted(c for c in codes if c not in names and isinstance(c, int)):
            resp[str(c)] = err_resp({501: "Not implemented"}.get(c, "Error"))
        resp["5XX"] = rref("ServerError")
        d["responses"] = resp
        PATHS.setdefault(path, OrderedDict())[method.lower()] = d


# Plans.
op("GET", "/api/plans/", "List plans", "plans", auth="public",
   desc="Public. Anonymous callers and non-admins see active plans by default.",
   query=[q("status", enum(PLAN_STATUSES), "Filter by status"),
          q("interval_unit", enum(INTERVAL_UNITS), "Filter by interval unit"),
          q("currency", {"type": "string", "enum": ["IDR"]}, "Filter by currency code"),
          q("search", STR, "Search in name and description"),
          ordering(orderings("price", "sort_order", "created_at"), "sort_order")],
   ok=(200, "PlanPage"))
op("POST", "/api/plans/", "Create a plan", "plans", auth="admin", body="PlanCreate", ok=(201, "Plan"), extra=[409])
op("GET", "/api/plans/{slug}/", "Get a plan by slug or id", "plans", auth="public", ok=(200, "Plan"))
op("PATCH", "/api/plans/{slug}/", "Change a plan", "plans", auth="admin", body="PlanPatch", ok=(200, "Plan"), extra=[409])
op("DELETE", "/api/plans/{slug}/", "Archive a plan", "plans", auth="admin",
   desc="Plans are never deleted: the answer is the archived plan (200, not 204).", ok=(200, "Plan"))

# Accounts.
op("GET", "/api/me/", "The signed-in user", "accounts", ok=(200, "User"))
op("POST", "/api/auth/tokens/", "Create an API token", "accounts", auth="basic",
   desc="Needs Basic credentials (a bearer token cannot mint tokens); the secret is returned once.",
   body="TokenCreate", body_required=False, ok=(201, "Token"),
   headers={"Cache-Control": {"schema": s(enum=["no-store"])}})
OPS[-1]["location"] = False
op("DELETE", "/api/auth/tokens/{id}/", "Revoke an API token", "accounts", ok=(204, None))
op("GET", "/api/auth/tokens/", "List the caller's API tokens", "accounts",
   desc="Id, name, creation and last use of each token; never the secret.", query=[], ok=(200, "TokenInfoPage"),
   headers={"Cache-Control": {"schema": s(enum=["no-store"])}})
op("POST", "/api/me/password/", "Change the password", "accounts", body="PasswordChange",
   desc="The current password is required. Every token of the user is revoked and cached credentials are forgotten.",
   ok=(204, None))

# Admin.
op("POST", "/api/admin/users/", "Create a user", "admin", auth="admin", body="UserCreate", ok=(201, "User"), extra=[409])
OPS[-1]["location"] = False
op("POST", "/api/admin/billing/run/", "Run every due job now", "admin", auth="admin",
   desc="Renewals, retries, expiries, reminders and outbound deliveries; answers with the run's summary. Any body is ignored.",
   ok=(200, "RunSummary"))
op("POST", "/api/admin/clock/advance/", "Advance the manual clock", "admin", auth="admin",
   desc="Manual clock only (409 clock_not_manual otherwise). Moves time forward, runs every job that fell due in time "
        "order and answers after the queues drained.", body="ClockAdvance", ok=(200, "ClockNow"), extra=[409])
op("GET", "/api/admin/backup", "Download a backup of the data file", "operations", auth="admin",
   desc="Streams a consistent copy of the bbolt file through one read transaction while the service keeps running. "
        "Restore it with `server restore FILE`.",
   ok=(200, ("application/octet-stream", {"type": "string", "format": "binary"})),
   headers={"Content-Disposition": {"schema": STR, "description": "attachment; filename=\"langganan-YYYYMMDDTHHMMSSZ.db\""},
            "Cache-Control": {"schema": s(enum=["no-store"])}},
   extra=[501])
op("GET", "/api/openapi.json", "This document", "operations", auth="public",
   ok=(200, {"type": "object", "required": ["openapi", "info", "paths"]}),
   headers={"Cache-Control": {"schema": s(enum=["no-cache"])}})
op("GET", "/api/docs", "Human-readable API page", "operations", auth="public",
   desc="Renders this document in the browser; served from the binary, no CDN.",
   ok=(200, ("text/html", {"type": "string"})))

# Subscriptions.
op("GET", "/api/subscriptions/", "List the caller's subscriptions", "subscriptions",
   desc="The caller's own and those of organizations it belongs to; all for an admin.",
   query=[q("status", enum(SUB_STATUSES), "Filter by status"),
          q("payment_type", enum(PAYMENT_TYPES), "Filter by payment type"),
          ordering(orderings("created_at", "next_billing_date"), "-created_at")],
   ok=(200, "SubscriptionPage"))
op("POST", "/api/subscriptions/", "Create a subscription", "subscriptions",
   desc="Issues the first payment unless the plan has a trial or the subscription is paid from the wallet or a saved method.",
   body="SubscriptionCreate", ok=(201, "SubscriptionCreated"), idem=True, extra=[404, 422])
op("GET", "/api/subscriptions/active/", "The caller's active subscription", "subscriptions",
   desc="Its own active or trialing subscription; 404 if there is none.", ok=(200, "Subscription"), extra=[404])
op("GET", "/api/subscriptions/{id}/", "Get a subscription", "subscriptions", ok=(200, "Subscription"))
op("PATCH", "/api/subscriptions/{id}/", "Change the seat count", "subscriptions",
   desc="Per-seat quantity of an organization's subscription; organization admins only.",
   body="QuantityRequest", ok=(200, "Subscription"), extra=[403, 409, 422])
op("POST", "/api/subscriptions/{id}/cancel/", "Cancel a subscription", "subscriptions",
   desc="No body or immediate false: ends at the period end (cancel_at_period_end). immediate: ends now. "
        "undo: reverses a scheduled cancel while the period lasts.",
   body="CancelRequest", body_required=False, ok=(200, "Subscription"), idem=True, extra=[409])
op("POST", "/api/subscriptions/{id}/pause/", "Pause a subscription", "subscriptions",
   body="EmptyBody", body_required=False, ok=(200, "Subscription"), idem=True, extra=[409])
op("POST", "/api/subscriptions/{id}/resume/", "Resume a paused subscription", "subscriptions",
   body="EmptyBody", body_required=False, ok=(200, "Subscription"), idem=True, extra=[409])
op("POST", "/api/subscriptions/{id}/change-plan/", "Change plan", "subscriptions",
   body="ChangePlanRequest", ok=(200, "Subscription"), idem=True, extra=[409, 422])
for m in ("GET", "POST"):
    op(m, "/api/subscriptions/{id}/sync/", "Sync from Midtrans", "subscriptions",
       desc="Reads the subscription's Midtrans side (Subscription API or open payment) and applies it.",
       body="EmptyBody" if m == "POST" else None, body_required=False, ok=(200, "Subscription"), extra=[422])
op("POST", "/api/subscriptions/{id}/apply-coupon/", "Apply a coupon", "subscriptions",
   body="ApplyCouponRequest", ok=(200, "Subscription"), extra=[409, 422])

# Payments.
op("GET", "/api/payments/", "List the caller's payments", "payments",
   query=[q("status", enum(PAYMENT_STATUSES), "Filter by status"),
          q("payment_type", enum(PAYMENT_TYPES), "Filter by payment type"),
          ordering(orderings("created_at", "gross_amount"), "-created_at")],
   ok=(200, "PaymentPage"))
op("POST", "/api/payments/charge/", "Charge a subscription's open invoice", "payments",
   desc="Issues a new charge (a new order id); an unknown subscription is 404.",
   body="ChargeRequest", ok=(201, "Payment"), idem=True, extra=[404, 422])
op("GET", "/api/payments/{id}/", "Get a payment", "payments",
   desc="Includes payment_details (VA number, QR URL, ...).", ok=(200, "Payment"))
op("POST", "/api/payments/{id}/refund/", "Refund a paid payment", "payments", auth="admin",
   desc="Admins only: refunds are the merchant's (403 for anyone else). Refunds through Midtrans, or to the wallet "
        "(wallet payments, or to_wallet). No body refunds what is left through Midtrans; payments Midtrans cannot "
        "refund answer 422 refund_not_supported. A refund is reserved before Midtrans is called, so overlapping "
        "refunds never exceed the payment (422 refund_exceeds_payment). Refunding a top-up takes its credit back "
        "from the wallet (422 wallet_insufficient when it no longer holds it); a top-up is never refunded to_wallet.",
   body="RefundRequest", body_required=False, ok=(200, "Payment"), idem=True, extra=[403, 409, 422])
op("GET", "/api/payments/{id}/check-status/", "Check a payment at Midtrans", "payments",
   ok=(200, "PaymentStatusCheck"))

# Invoices.
op("GET", "/api/invoices/", "List the caller's invoices", "invoices",
   query=[q("status", enum(INVOICE_STATUSES), "Filter by status"),
          ordering(orderings("issue_date", "due_date", "total_amount", "created_at"), "-issue_date")],
   ok=(200, "InvoicePage"))
op("GET", "/api/invoices/{id}/", "Get an invoice with its lines", "invoices", ok=(200, "Invoice"))

# Payment methods.
op("GET", "/api/payment-methods/", "List the caller's payment methods", "payment-methods", query=[],
   ok=(200, "PaymentMethodPage"))
op("POST", "/api/payment-methods/gopay/", "Link a GoPay account", "payment-methods",
   desc="The answer carries activation_url; the method stays pending until Midtrans reports it enabled.",
   body="GopayLinkRequest", ok=(201, "PaymentMethod"), idem=True, extra=[409, 422])
op("DELETE", "/api/payment-methods/{id}/", "Remove a payment method", "payment-methods", ok=(204, None), extra=[422])

# Wallet and top-ups.
op("GET", "/api/wallet/me/", "The caller's wallet", "wallet", desc="Created on first use.", ok=(200, "Wallet"))
op("PATCH", "/api/wallet/me/", "Turn wallet auto-pay on or off", "wallet", body="WalletPatch", ok=(200, "Wallet"))
op("GET", "/api/wallet/transactions/", "List the caller's wallet entries", "wallet",
   query=[q("type", enum(ENTRY_TYPES), "Filter by entry type"),
          ordering(orderings("created_at", "amount"), "-created_at")],
   ok=(200, "WalletEntryPage"))
op("GET", "/api/topups/", "List the caller's top-ups", "topups",
   query=[q("status", enum(TOPUP_STATUSES), "Filter by status"),
          q("payment_type", enum(PAYMENT_TYPES), "Filter by payment type")],
   ok=(200, "TopUpPage"))
op("POST", "/api/topups/", "Top up the wallet", "topups", body="TopUpCreate", ok=(201, "TopUp"), idem=True, extra=[422])
op("GET", "/api/topups/{id}/", "Get a top-up", "topups", desc="Includes payment_details (VA number, QR URL, ...).",
   ok=(200, "TopUp"))
op("POST", "/api/admin/wallets/{id}/adjust/", "Adjust a wallet", "admin", auth="admin",
   desc="A signed correction with a reason, kept in the ledger; a debit below zero is 422.",
   body="WalletAdjustRequest", ok=(201, "WalletEntry"), idem=True, extra=[422])
OPS[-1]["location"] = False
op("GET", "/api/admin/ledger/check/", "Check every wallet ledger", "admin", auth="admin", ok=(200, "LedgerCheck"))
op("GET", "/api/admin/webhook-logs/", "List received Midtrans notifications", "admin", auth="admin",
   desc="Newest first.", query=[], ok=(200, "WebhookLogPage"))

# Webhook.
op("POST", "/api/webhook/notification/", "Midtrans notification", "webhook", auth="none",
   desc="Payment, Subscription API and Pay Account notifications, told apart by shape. No credentials (an "
        "Authorization header is ignored) and any content type: only the signature_key counts. Outcomes Midtrans must "
        "not retry answer 200 with result; 403 is a bad signature, 404 an unknown order; a 5xx makes Midtrans retry.",
   body="MidtransNotification", ok=(200, "WebhookAck"), extra=[403, 404, 413], no_404=True)

# Organizations.
op("GET", "/api/organizations/", "List the caller's organizations", "organizations", query=[],
   ok=(200, "OrganizationPage"))
op("POST", "/api/organizations/", "Create an organization", "organizations",
   desc="The caller becomes its owner.", body="OrganizationCreate", ok=(201, "Organization"))
op("GET", "/api/organizations/{id}/", "Get an organization", "organizations", ok=(200, "Organization"))
op("POST", "/api/organizations/{id}/members/", "Add a member", "organizations",
   desc="Organization owner or admin only; the seat limit of its plan applies (422).",
   body="MemberAdd", ok=(201, "Organization"), extra=[403, 409, 422])
OPS[-1]["location"] = False
op("DELETE", "/api/organizations/{id}/members/{user_id}/", "Remove a member", "organizations",
   desc="Organization owner or admin only; the owner cannot be removed (422).", ok=(204, None), extra=[403, 422])
op("GET", "/api/organizations/{id}/can-add-users/", "Check the seat limit", "organizations",
   query=[q("count", {"type": "integer", "minimum": 1}, "Total number of users wanted, owner included", required=True)],
   ok=(200, "CanAddUsers"))
op("GET", "/api/organizations/{id}/subscriptions/", "List an organization's subscriptions", "organizations",
   query=[q("status", enum(SUB_STATUSES), "Filter by status"),
          ordering(orderings("created_at", "next_billing_date"), "-created_at")],
   ok=(200, "SubscriptionPage"))
op("GET", "/api/organizations/{id}/subscription/", "An organization's active subscription", "organizations",
   desc="With its plan, features and permissions; 404 when there is none.", ok=(200, "OrgSubscriptionDetail"))
op("GET", "/api/organizations/{id}/wallet/", "An organization's wallet", "organizations",
   desc="Owner and admins only (403 for plain members); created on first use.", ok=(200, "Wallet"), extra=[403])
op("POST", "/api/admin/organizations/{id}/subscriptions/", "Create an organization subscription (BOB)", "admin",
   auth="admin", desc="A manually managed subscription; never charged through Midtrans.",
   body="AdminSubscriptionInput", ok=(201, "Subscription"), extra=[409, 422])
OPS[-1]["location"] = False
op("PATCH", "/api/admin/subscriptions/{id}/", "Update a subscription (BOB)", "admin", auth="admin",
   body="AdminSubscriptionInput", ok=(200, "Subscription"), extra=[409, 422])
op("POST", "/api/admin/subscriptions/{id}/finish/", "Finish a subscription (BOB)", "admin", auth="admin",
   desc="Ends it now. Any body is ignored.", ok=(200, "Subscription"), extra=[409])

# Coupons.
op("GET", "/api/admin/coupons/", "List coupons", "admin", auth="admin",
   query=[q("include_deleted", {"type": "string", "enum": ["true", "false"]}, "true: include deleted coupons")],
   ok=(200, "CouponPage"))
op("POST", "/api/admin/coupons/", "Create a coupon", "admin", auth="admin", body="CouponInput", ok=(201, "Coupon"), extra=[409])
op("GET", "/api/admin/coupons/{id}/", "Get a coupon by id or code", "admin", auth="admin", ok=(200, "Coupon"))
op("PATCH", "/api/admin/coupons/{id}/", "Change a coupon", "admin", auth="admin", body="CouponInput", ok=(200, "Coupon"), extra=[409])
op("DELETE", "/api/admin/coupons/{id}/", "Delete a coupon", "admin", auth="admin",
   desc="The coupon is kept (deleted, inactive) and still readable by id.", ok=(204, None))

# Notifications.
op("GET", "/api/notifications/", "List the caller's notifications", "notifications",
   query=[q("notification_type", STR, "Filter by event type, e.g. payment.succeeded"),
          q("channel", enum(CHANNELS), "Filter by channel"),
          q("status", enum(NOTIF_STATUSES), "Filter by status")],
   ok=(200, "NotificationPage"))
op("GET", "/api/notifications/unread/", "Unread in-app notifications", "notifications",
   desc="A plain array (not a page) of at most 50.",
   ok=(200, {"type": "array", "maxItems": 50, "items": ref("Notification")}))
op("GET", "/api/notifications/{id}/", "Get a notification", "notifications", ok=(200, "Notification"))
op("POST", "/api/notifications/{id}/mark-read/", "Mark a notification read", "notifications",
   desc="No body.", ok=(200, "Notification"))

# Outbound webhook endpoints.
op("GET", "/api/admin/webhook-endpoints/", "List webhook endpoints", "admin", auth="admin", query=[],
   ok=(200, "WebhookEndpointPage"))
op("POST", "/api/admin/webhook-endpoints/", "Create a webhook endpoint", "admin", auth="admin",
   desc="The answer carries the signing secret, once.", body="WebhookEndpointInput", ok=(201, "WebhookEndpoint"))
op("GET", "/api/admin/webhook-endpoints/{id}/", "Get a webhook endpoint", "admin", auth="admin", ok=(200, "WebhookEndpoint"))
op("PATCH", "/api/admin/webhook-endpoints/{id}/", "Change a webhook endpoint", "admin", auth="admin",
   body="WebhookEndpointInput", ok=(200, "WebhookEndpoint"))
op("DELETE", "/api/admin/webhook-endpoints/{id}/", "Delete a webhook endpoint", "admin", auth="admin", ok=(204, None))
op("GET", "/api/admin/webhook-endpoints/{id}/deliveries/", "List an endpoint's deliveries", "admin", auth="admin",
   query=[], ok=(200, "WebhookDeliveryPage"))
op("POST", "/api/admin/webhook-endpoints/{id}/deliveries/{delivery}/resend/", "Resend a delivery", "admin",
   auth="admin", desc="Queues the delivery again; no body.", ok=(202, "WebhookDelivery"))

build()

doc = OrderedDict([
    ("openapi", "3.1.0"),
    ("info", OrderedDict([
        ("title", "Langganan API"), ("version", "1.0.0"),
        ("description", "Subscription billing for Midtrans merchants. Every endpoint is under /api/; the trailing slash "
                        "is optional. Request bodies are JSON (Content-Type: application/json, else 415), decoded "
                        "strictly: unknown fields, wrong types and trailing data are 400 naming the field. Money fields "
                        "are decimal strings with two places (\"49000.00\"). Lists are {count, next, previous, results} "
                        "with page and page_size; unknown or repeated query parameters are 400. Errors are "
                        "{\"error\": {\"code\", \"message\", \"fields\"}}. A user sees only what it or its organization "
                        "owns (anything else is 404); admin-only endpoints answer 403 to other users. Wrong credentials "
                        "are 401 even on public endpoints."),
    ])),
    ("servers", [{"url": "/"}]),
    ("security", [{"basicAuth": []}, {"bearerAuth": []}]),
    ("tags", [{"name": t} for t in sorted({o["tag"] for o in OPS})]),
    ("paths", OrderedDict(sorted(PATHS.items()))),
    ("components", OrderedDict([
        ("schemas", SCHEMAS),
        ("responses", RESPONSES),
        ("securitySchemes", OrderedDict([
            ("basicAuth", {"type": "http", "scheme": "basic", "description": "Username and password"}),
            ("bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API token from POST /api/auth/tokens/"}),
        ])),
    ])),
])
json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
