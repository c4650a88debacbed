package metrics

import (
	"context"
	"time"

	"github.com/langganan/langganan/core"
)

// Gateway decorates a core.Gateway: every call is counted and timed by
// operation and outcome, then answered exactly as Inner answered.
type Gateway struct {
	Inner core.Gateway
}

var _ core.Gateway = Gateway{}

func observe(op string, start time.Time, err error) {
	o := Outcome(err)
	GatewayCalls.WithLabelValues(op, o).Inc()
	GatewayDuration.WithLabelValues(op, o).Observe(time.Since(start).Seconds())
}

func (g Gateway) Charge(ctx context.Context, req core.ChargeRequest) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.Charge(ctx, req)
	observe("charge", start, err)
	return t, err
}

func (g Gateway) Status(ctx context.Context, orderID string) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.Status(ctx, orderID)
	observe("status", start, err)
	return t, err
}

func (g Gateway) Cancel(ctx context.Context, orderID string) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.Cancel(ctx, orderID)
	observe("cancel", start, err)
	return t, err
}

func (g Gateway) Expire(ctx context.Context, orderID string) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.Expire(ctx, orderID)
	observe("expire", start, err)
	return t, err
}

func (g Gateway) Approve(ctx context.Context, orderID string) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.Approve(ctx, orderID)
	observe("approve", start, err)
	return t, err
}

func (g Gateway) Deny(ctx context.Context, orderID string) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.Deny(ctx, orderID)
	observe("deny", start, err)
	return t, err
}

func (g Gateway) Refund(ctx context.Context, orderID string, req core.RefundRequest) (core.RefundResult, error) {
	start := time.Now()
	r, err := g.Inner.Refund(ctx, orderID, req)
	observe("refund", start, err)
	return r, err
}

func (g Gateway) CreateSubscription(ctx context.Context, req core.NativeSubscriptionRequest) (core.NativeSubscription, error) {
	start := time.Now()
	s, err := g.Inner.CreateSubscription(ctx, req)
	observe("create_subscription", start, err)
	return s, err
}

func (g Gateway) GetSubscription(ctx context.Context, id string) (core.NativeSubscription, error) {
	start := time.Now()
	s, err := g.Inner.GetSubscription(ctx, id)
	observe("get_subscription", start, err)
	return s, err
}

func (g Gateway) UpdateSubscription(ctx context.Context, id string, upd core.NativeSubscriptionUpdate) error {
	start := time.Now()
	err := g.Inner.UpdateSubscription(ctx, id, upd)
	observe("update_subscription", start, err)
	return err
}

func (g Gateway) EnableSubscription(ctx context.Context, id string) error {
	start := time.Now()
	err := g.Inner.EnableSubscription(ctx, id)
	observe("enable_subscription", start, err)
	return err
}

func (g Gateway) DisableSubscription(ctx context.Context, id string) error {
	start := time.Now()
	err := g.Inner.DisableSubscription(ctx, id)
	observe("disable_subscription", start, err)
	return err
}

func (g Gateway) CancelSubscription(ctx context.Context, id string) error {
	start := time.Now()
	err := g.Inner.CancelSubscription(ctx, id)
	observe("cancel_subscription", start, err)
	return err
}

func (g Gateway) CreatePayAccount(ctx context.Context, req core.PayAccountRequest) (core.PayAccount, error) {
	start := time.Now()
	a, err := g.Inner.CreatePayAccount(ctx, req)
	observe("create_pay_account", start, err)
	return a, err
}

func (g Gateway) GetPayAccount(ctx context.Context, accountID string) (core.PayAccount, error) {
	start := time.Now()
	a, err := g.Inner.GetPayAccount(ctx, accountID)
	observe("get_pay_account", start, err)
	return a, err
}

func (g Gateway) UnbindPayAccount(ctx context.Context, accountID string) (core.PayAccount, error) {
	start := time.Now()
	a, err := g.Inner.UnbindPayAccount(ctx, accountID)
	observe("unbind_pay_account", start, err)
	return a, err
}

// ParseNotification is local (no network): not timed; the signature check
// of a payment notification is counted by result.
func (g Gateway) ParseNotification(body []byte) (core.GatewayNotification, error) {
	n, err := g.Inner.ParseNotification(body)
	if err == nil && n.Kind == core.NotifyPayment {
		outcome := "valid"
		if !n.SignatureValid {
			outcome = "invalid"
		}
		GatewayCalls.WithLabelValues("verify_signature", outcome).Inc()
	}
	return n, err
}

func (g Gateway) CreateSnap(ctx context.Context, req core.ChargeRequest) (core.Transaction, error) {
	start := time.Now()
	t, err := g.Inner.CreateSnap(ctx, req)
	observe("snap", start, err)
	return t, err
}
