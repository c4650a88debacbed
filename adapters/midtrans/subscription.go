package midtrans

import (
	"context"
	"strconv"
	"strings"

	"github.com/langganan/langganan/core"
)

// Subscription API (/v1/subscriptions). Its error bodies have no
// status_code, so the HTTP status decides.

// CreateSubscription is POST /v1/subscriptions. It is retried on transient
// failures only with an IdempotencyKey (honoured for 3 minutes).
func (c *Client) CreateSubscription(ctx context.Context, req core.NativeSubscriptionRequest) (core.NativeSubscription, error) {
	const op = "subscription_create"
	body, err := fromCoreSubscriptionRequest(req)
	if err != nil {
		return core.NativeSubscription{}, err
	}
	r, err := c.do(ctx, call{op: op, api: subAPI, method: "POST", path: "/v1/subscriptions", body: body,
		idemKey: headerKey(req.IdempotencyKey), retry: req.IdempotencyKey != "", ok: ok2xx})
	if err != nil {
		return core.NativeSubscription{}, err
	}
	return toCoreSubscription(r.raw), nil
}

// GetSubscription is GET /v1/subscriptions/{id}.
func (c *Client) GetSubscription(ctx context.Context, id string) (core.NativeSubscription, error) {
	const op = "subscription_get"
	if strings.TrimSpace(id) == "" {
		return core.NativeSubscription{}, refuse(op, "subscription id is required", core.ErrInvalid)
	}
	r, err := c.do(ctx, call{op: op, api: subAPI, method: "GET", path: "/v1/subscriptions/" + escape(id), retry: true, ok: ok2xx})
	if err != nil {
		return core.NativeSubscription{}, err
	}
	return toCoreSubscription(r.raw), nil
}

// UpdateSubscription is PATCH /v1/subscriptions/{id}. Setting fields to
// values is idempotent, so it is retried.
func (c *Client) UpdateSubscription(ctx context.Context, id string, upd core.NativeSubscriptionUpdate) error {
	const op = "subscription_update"
	if strings.TrimSpace(id) == "" {
		return refuse(op, "subscription id is required", core.ErrInvalid)
	}
	body := subUpdateJSON{Name: upd.Name, Token: upd.Token}
	if upd.Amount != nil {
		rp, err := rupiah(op, "amount", *upd.Amount)
		if err != nil {
			return err
		}
		if rp <= 0 {
			return refuse(op, "amount must be positive", core.ErrInvalid)
		}
		s := strconv.FormatInt(rp, 10)
		body.Amount, body.Currency = &s, "IDR"
	}
	if upd.Interval != nil {
		if *upd.Interval <= 0 {
			return refuse(op, "interval must be positive", core.ErrInvalid)
		}
		body.Schedule = &subScheduleUpdateJSON{Interval: *upd.Interval}
	}
	_, err := c.do(ctx, call{op: op, api: subAPI, method: "PATCH", path: "/v1/subscriptions/" + escape(id), body: body, retry: true, ok: ok2xx})
	return err
}

// EnableSubscription is POST /v1/subscriptions/{id}/enable.
func (c *Client) EnableSubscription(ctx context.Context, id string) error {
	return c.subOp(ctx, id, "enable")
}

// DisableSubscription is POST /v1/subscriptions/{id}/disable. Midtrans keeps
// running pending retries after disable; use CancelSubscription to stop them.
func (c *Client) DisableSubscription(ctx context.Context, id string) error {
	return c.subOp(ctx, id, "disable")
}

// CancelSubscription is POST /v1/subscriptions/{id}/cancel (missing from every SDK).
func (c *Client) CancelSubscription(ctx context.Context, id string) error {
	return c.subOp(ctx, id, "cancel")
}

func (c *Client) subOp(ctx context.Context, id, verb string) error {
	op := "subscription_" + verb
	if strings.TrimSpace(id) == "" {
		return refuse(op, "subscription id is required", core.ErrInvalid)
	}
	// These set a state, so a repeat is harmless.
	_, err := c.do(ctx, call{op: op, api: subAPI, method: "POST", path: "/v1/subscriptions/" + escape(id) + "/" + verb, retry: true, ok: ok2xx})
	return err
}

type subRequestJSON struct {
	Name          string          `json:"name"`
	Amount        string          `json:"amount"` // a string per the docs
	Currency      string          `json:"currency"`
	PaymentType   string          `json:"payment_type"`
	Token         string          `json:"token"`
	Schedule      subScheduleJSON `json:"schedule"`
	RetrySchedule *retryJSON      `json:"retry_schedule,omitempty"`
	Metadata      map[string]any  `json:"metadata,omitempty"`
	Customer      *customerJSON   `json:"customer_details,omitempty"`
	Gopay         *subGopayJSON   `json:"gopay,omitempty"`
}

type subScheduleJSON struct {
	Interval     int    `json:"interval"`
	IntervalUnit string `json:"interval_unit"`
	// MaxInterval is omitted for "until stopped": on the wire 0 means "once".
	MaxInterval int    `json:"max_interval,omitempty"`
	StartTime   string `json:"start_time,omitempty"`
}

type retryJSON struct {
	Interval     int    `json:"interval"`
	IntervalUnit string `json:"interval_unit"`
	MaxInterval  int    `json:"max_interval"` // 0 disables retries, so always sent
}

type subGopayJSON struct {
	AccountID string `json:"account_id"`
}

type subUpdateJSON struct {
	Name     *string                `json:"name,omitempty"`
	Amount   *string                `json:"amount,omitempty"`
	Currency string                 `json:"currency,omitempty"`
	Token    *string                `json:"token,omitempty"`
	Schedule *subScheduleUpdateJSON `json:"schedule,omitempty"`
}

type subScheduleUpdateJSON struct {
	Interval int `json:"interval"`
}

func fromCoreSubscriptionRequest(req core.NativeSubscriptionRequest) (*subRequestJSON, error) {
	const op = "subscription_create"
	if strings.TrimSpace(req.Name) == "" {
		return nil, refuse(op, "name is required", core.ErrInvalid)
	}
	rp, err := rupiah(op, "amount", req.Amount)
	if err != nil {
		return nil, err
	}
	if rp <= 0 {
		return nil, refuse(op, "amount must be positive", core.ErrInvalid)
	}
	if req.PaymentType != core.PayCreditCard && req.PaymentType != core.PayGopay {
		return nil, refuse(op, "payment type must be credit_card or gopay", core.ErrInvalid)
	}
	if req.Token == "" {
		return nil, refuse(op, "token is required", core.ErrInvalid)
	}
	if req.PaymentType == core.PayGopay && req.GopayAccountID == "" {
		return nil, refuse(op, "gopay subscriptions need the GoPay account id", core.ErrInvalid)
	}
	interval, unit := req.Interval, string(req.IntervalUnit)
	if req.IntervalUnit == core.Year {
		// Midtrans knows day, week and month only; a year is twelve months.
		interval, unit = interval*12, string(core.Month)
	}
	switch unit {
	case "day", "week", "month":
	default:
		return nil, refuse(op, "interval unit must be day, week, month or year", core.ErrInvalid)
	}
	if interval <= 0 {
		return nil, refuse(op, "interval must be positive", core.ErrInvalid)
	}
	b := &subRequestJSON{
		Name: req.Name, Amount: strconv.FormatInt(rp, 10), Currency: "IDR",
		PaymentType: string(req.PaymentType), Token: req.Token,
		Schedule: subScheduleJSON{Interval: interval, IntervalUnit: unit, MaxInterval: req.MaxInterval},
		Metadata: req.Metadata, Customer: fromCoreCustomer(req.Customer),
	}
	if !req.StartTime.IsZero() {
		b.Schedule.StartTime = formatStartTime(req.StartTime)
	}
	if req.RetryUnit != "" {
		switch req.RetryUnit {
		case "minute", "hour", "day":
		default:
			return nil, refuse(op, "retry unit must be minute, hour or day", core.ErrInvalid)
		}
		if req.RetryMax < 0 || req.RetryMax > 3 {
			return nil, refuse(op, "retry max must be between 0 and 3", core.ErrInvalid)
		}
		b.RetrySchedule = &retryJSON{Interval: max(req.RetryInterval, 1), IntervalUnit: req.RetryUnit, MaxInterval: req.RetryMax}
	}
	if req.GopayAccountID != "" {
		b.Gopay = &subGopayJSON{AccountID: req.GopayAccountID}
	}
	return b, nil
}

func toCoreSubscription(m map[string]any) core.NativeSubscription {
	s := core.NativeSubscription{
		ID:          str(m, "id"),
		Name:        str(m, "name"),
		Status:      strings.ToLower(str(m, "status")),
		Token:       str(m, "token"),
		PaymentType: strings.ToLower(str(m, "payment_type")),
		Metadata:    obj(m, "metadata"),
	}
	if a, ok := parseMoney(m["amount"]); ok {
		s.Amount = a
	}
	if sc := obj(m, "schedule"); sc != nil {
		s.Interval = parseInt(sc["interval"])
		s.IntervalUnit = strings.ToLower(str(sc, "interval_unit"))
		s.MaxInterval = parseInt(sc["max_interval"])
		s.CurrentInterval = parseInt(sc["current_interval"])
		s.StartTime = parseTime(sc["start_time"])
		s.NextExecutionAt = parseTime(sc["next_execution_at"])
		s.PreviousExecutionAt = parseTime(sc["previous_execution_at"])
	}
	for _, id := range list(m, "transaction_ids") {
		if v := flexString(id); v != "" {
			s.TransactionIDs = append(s.TransactionIDs, v)
		}
	}
	if g := obj(m, "gopay"); g != nil {
		s.GopayAccountID = str(g, "account_id")
	}
	return s
}
