// Package coretest holds test doubles for core's ports: a fake payment
// gateway with Midtrans' state rules and signed notifications (in a body
// format of its own, see notifications.go), and fixed id sources.
package coretest

import (
	"context"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/langganan/langganan/core"
)

// ServerKey signs the fake gateway's notifications.
const ServerKey = "SB-Mid-server-test"

// Gateway is an in-memory stand-in for Midtrans: charges are pending until
// the test settles, expires or denies them, and Notification builds the
// signed notification body Midtrans would send.
type Gateway struct {
	mu    sync.Mutex
	Clock core.Clock
	txns  map[string]*core.Transaction
	subs  map[string]*core.NativeSubscription
	accts map[string]*core.PayAccount
	// FailNext makes the next n calls answer ErrGatewayUnavailable.
	FailNext int
	// FailOp makes the next call of this operation ("charge", "status", …)
	// answer ErrGatewayUnavailable before it takes effect.
	FailOp string
	// Decline makes card charges answer a deny.
	Decline  bool
	Calls    []string
	seq      int
	refunded map[string]core.Money
	// OnRefund, if set, runs after a refund took effect and before Refund
	// returns: a test delivers the refund's notification "meanwhile" there.
	OnRefund func(orderID string, total core.Money)
	// OnCharge, if set, runs after a charge took effect and before Charge
	// returns: a test delivers the order's notification "meanwhile" there.
	OnCharge func(t core.Transaction)

	usedTokens map[string]bool
	snaps      map[string]*core.ChargeRequest // open Snap checkouts by order id
}

// NewGateway returns an empty fake gateway.
func NewGateway(clock core.Clock) *Gateway {
	return &Gateway{Clock: clock, txns: map[string]*core.Transaction{}, subs: map[string]*core.NativeSubscription{}, accts: map[string]*core.PayAccount{}}
}

var _ core.Gateway = (*Gateway)(nil)

func (g *Gateway) call(op string) error {
	g.Calls = append(g.Calls, op)
	if g.FailOp == op {
		g.FailOp = ""
		return &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: op, StatusCode: "503"}
	}
	if g.FailNext > 0 {
		g.FailNext--
		return &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: op, StatusCode: "503"}
	}
	return nil
}

// Charges counts /v2/charge calls that created an order.
func (g *Gateway) Orders() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for id := range g.txns {
		out = append(out, id)
	}
	return out
}

func (g *Gateway) Charge(ctx context.Context, req core.ChargeRequest) (core.Transaction, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.call("charge"); err != nil {
		return core.Transaction{}, err
	}
	if _, err := req.Amount.Rupiah(); err != nil {
		return core.Transaction{}, &core.GatewayError{Kind: core.ErrGatewayRejected, Op: "charge", StatusCode: "400", Message: err.Error()}
	}
	if t, ok := g.txns[req.OrderID]; ok {
		return core.Transaction{}, &core.GatewayError{Kind: core.ErrDuplicateOrder, Op: "charge", StatusCode: "406", Message: "order " + t.OrderID + " exists"}
	}
	g.seq++
	now := g.Clock.Now()
	t := &core.Transaction{OrderID: req.OrderID, TransactionID: fmt.Sprintf("txn-%d", g.seq), StatusCode: "201",
		TransactionStatus: "pending", PaymentType: string(req.PaymentType), GrossAmount: req.Amount,
		TransactionTime: now, ExpiryTime: now.Add(24 * time.Hour), Details: map[string]any{}}
	switch req.PaymentType {
	case core.PayBankTransfer:
		t.Details["bank"], t.Details["va_number"] = req.Bank, fmt.Sprintf("8808%08d", g.seq)
	case core.PayEchannel:
		t.Details["bill_key"], t.Details["biller_code"] = fmt.Sprintf("%010d", g.seq), "70012"
	case core.PayCreditCard:
		// One-time tokens ("tok-…") are consumed by their first charge, as
		// Midtrans' are; saved tokens are reusable.
		if strings.HasPrefix(req.CardToken, "tok-") {
			if g.usedTokens == nil {
				g.usedTokens = map[string]bool{}
			}
			if g.usedTokens[req.CardToken] {
				return core.Transaction{}, &core.GatewayError{Kind: core.ErrGatewayRejected, Op: "charge", StatusCode: "411", Message: "Token id is missing, invalid, or timed out"}
			}
			g.usedTokens[req.CardToken] = true
		}
		if g.Decline {
			t.StatusCode, t.TransactionStatus, t.FraudStatus = "202", "deny", "accept"
		} else {
			t.StatusCode, t.TransactionStatus, t.FraudStatus = "200", "capture", "accept"
			if req.PreAuthorize {
				t.TransactionStatus = "authorize"
			}
			if req.SaveCard {
				t.SavedTokenID, t.MaskedCard = "saved-"+req.CardToken, "481111-1114"
			}
		}
	default:
		t.Details["qr_string"] = "qr-" + req.OrderID
	}
	g.txns[req.OrderID] = t
	if hook := g.OnCharge; hook != nil {
		g.mu.Unlock()
		hook(*t)
		g.mu.Lock()
	}
	if t.TransactionStatus == "deny" {
		return *t, &core.GatewayError{Kind: core.ErrPaymentDeclined, Op: "charge", StatusCode: "202"}
	}
	return *t, nil
}

func (g *Gateway) get(op, id string) (*core.Transaction, error) {
	if err := g.call(op); err != nil {
		return nil, err
	}
	if t, ok := g.txns[id]; ok {
		return t, nil
	}
	for _, t := range g.txns {
		if t.TransactionID == id {
			return t, nil
		}
	}
	return nil, &core.GatewayError{Kind: core.ErrGatewayNotFound, Op: op, StatusCode: "404"}
}

func (g *Gateway) Status(ctx context.Context, id string) (core.Transaction, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, err := g.get("status", id)
	if err != nil {
		return core.Transaction{}, err
	}
	return *t, nil
}

func (g *Gateway) move(op, id, to, code string, from ...string) (core.Transaction, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, err := g.get(op, id)
	if err != nil {
		return core.Transaction{}, err
	}
	ok := false
	for _, f := range from {
		ok = ok || t.TransactionStatus == f
	}
	if !ok {
		return *t, &core.GatewayError{Kind: core.ErrGatewayRejected, Op: op, StatusCode: "412"}
	}
	t.TransactionStatus, t.StatusCode = to, code
	return *t, nil
}

func (g *Gateway) Cancel(ctx context.Context, id string) (core.Transaction, error) {
	return g.move("cancel", id, "cancel", "200", "pending", "capture", "authorize")
}
func (g *Gateway) Expire(ctx context.Context, id string) (core.Transaction, error) {
	return g.move("expire", id, "expire", "407", "pending")
}
func (g *Gateway) Approve(ctx context.Context, id string) (core.Transaction, error) {
	return g.move("approve", id, "capture", "200", "capture")
}
func (g *Gateway) Deny(ctx context.Context, id string) (core.Transaction, error) {
	return g.move("deny", id, "deny", "200", "capture")
}

func (g *Gateway) Refund(ctx context.Context, id string, req core.RefundRequest) (core.RefundResult, error) {
	g.mu.Lock()
	t, err := g.get("refund", id)
	if err != nil {
		g.mu.Unlock()
		return core.RefundResult{}, err
	}
	if g.refunded == nil {
		g.refunded = map[string]core.Money{}
	}
	done, ok := g.refunded[t.OrderID]
	if !ok {
		done = core.Zero(core.IDR)
	}
	done = done.Add(req.Amount)
	g.mu.Unlock()
	if done.Cmp(t.GrossAmount) > 0 {
		return core.RefundResult{}, &core.GatewayError{Kind: core.ErrGatewayRejected, Op: "refund", StatusCode: "412"}
	}
	to := "partial_refund"
	if done.Equal(t.GrossAmount) {
		to = "refund"
	}
	tr, err := g.move("refund", id, to, "200", "settlement", "capture", "partial_refund")
	if err == nil {
		g.mu.Lock()
		g.refunded[t.OrderID] = done
		hook := g.OnRefund
		g.mu.Unlock()
		if hook != nil {
			hook(t.OrderID, done)
		}
	}
	return core.RefundResult{Transaction: tr, RefundAmount: req.Amount, RefundKey: req.RefundKey}, err
}

// Settle moves an order to settlement (as a customer paying would) and
// returns the signed notification Midtrans would send.
func (g *Gateway) Settle(orderID string) []byte { return g.Notify(orderID, "settlement", "200") }

// ExpireOrder moves an order to expire and returns the notification.
func (g *Gateway) ExpireOrder(orderID string) []byte { return g.Notify(orderID, "expire", "202") }

// Notify sets an order's status and returns its signed notification.
func (g *Gateway) Notify(orderID, status, code string) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.txns[orderID]
	if !ok {
		panic("coretest: no order " + orderID)
	}
	t.TransactionStatus, t.StatusCode = status, code
	return Notification(orderID, status, code, t.GrossAmount.String(), t.TransactionID)
}

func (g *Gateway) CreateSubscription(ctx context.Context, req core.NativeSubscriptionRequest) (core.NativeSubscription, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.call("subscription.create"); err != nil {
		return core.NativeSubscription{}, err
	}
	g.seq++
	ns := &core.NativeSubscription{ID: fmt.Sprintf("nsub-%d", g.seq), Name: req.Name, Status: "active", Amount: req.Amount,
		Token: req.Token, PaymentType: string(req.PaymentType), Interval: req.Interval, IntervalUnit: string(req.IntervalUnit),
		NextExecutionAt: req.StartTime, Metadata: req.Metadata}
	g.subs[ns.ID] = ns
	return *ns, nil
}

func (g *Gateway) nsub(op, id string) (*core.NativeSubscription, error) {
	if err := g.call(op); err != nil {
		return nil, err
	}
	ns, ok := g.subs[id]
	if !ok {
		return nil, &core.GatewayError{Kind: core.ErrGatewayNotFound, Op: op, StatusCode: "404"}
	}
	return ns, nil
}

func (g *Gateway) GetSubscription(ctx context.Context, id string) (core.NativeSubscription, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ns, err := g.nsub("subscription.get", id)
	if err != nil {
		return core.NativeSubscription{}, err
	}
	return *ns, nil
}

func (g *Gateway) UpdateSubscription(ctx context.Context, id string, upd core.NativeSubscriptionUpdate) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	ns, err := g.nsub("subscription.update", id)
	if err == nil && upd.Amount != nil {
		ns.Amount = *upd.Amount
	}
	return err
}

func (g *Gateway) setSub(op, id, status string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	ns, err := g.nsub(op, id)
	if err == nil {
		ns.Status = status
	}
	return err
}

func (g *Gateway) EnableSubscription(ctx context.Context, id string) error {
	return g.setSub("subscription.enable", id, "active")
}
func (g *Gateway) DisableSubscription(ctx context.Context, id string) error {
	return g.setSub("subscription.disable", id, "inactive")
}
func (g *Gateway) CancelSubscription(ctx context.Context, id string) error {
	return g.setSub("subscription.cancel", id, "inactive")
}

func (g *Gateway) CreatePayAccount(ctx context.Context, req core.PayAccountRequest) (core.PayAccount, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.call("payaccount.create"); err != nil {
		return core.PayAccount{}, err
	}
	g.seq++
	a := &core.PayAccount{AccountID: fmt.Sprintf("acct-%d", g.seq), Status: "PENDING", ActivationURL: "http://fake/link"}
	g.accts[a.AccountID] = a
	return *a, nil
}

// LinkAccount enables a pending pay account with a GoPay wallet token.
func (g *Gateway) LinkAccount(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.accts[id]
	a.Status = "ENABLED"
	a.PaymentOptions = []core.PaymentOption{{Name: "GOPAY_WALLET", Token: "tok-" + id, Active: true}}
}

func (g *Gateway) GetPayAccount(ctx context.Context, id string) (core.PayAccount, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.call("payaccount.get"); err != nil {
		return core.PayAccount{}, err
	}
	a, ok := g.accts[id]
	if !ok {
		return core.PayAccount{}, &core.GatewayError{Kind: core.ErrGatewayNotFound, Op: "payaccount.get", StatusCode: "404"}
	}
	return *a, nil
}

func (g *Gateway) UnbindPayAccount(ctx context.Context, id string) (core.PayAccount, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, ok := g.accts[id]
	if !ok {
		return core.PayAccount{}, &core.GatewayError{Kind: core.ErrGatewayNotFound, Op: "payaccount.unbind", StatusCode: "404"}
	}
	a.Status = "DISABLED"
	return *a, nil
}

// SeqIDs mints predictable UUIDs: 00000000-0000-4000-8000-000000000001, ...
type SeqIDs struct {
	mu sync.Mutex
	n  int
}

func (s *SeqIDs) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.n)
}

// Secret returns n predictable bytes: a SHA-256 chain of the call count,
// so secrets differ from call to call but every run repeats them.
func (s *SeqIDs) Secret(n int) ([]byte, error) {
	s.mu.Lock()
	s.n++
	seed := fmt.Sprintf("secret-%d", s.n)
	s.mu.Unlock()
	return predictable(seed, n), nil
}

func predictable(seed string, n int) []byte {
	out := make([]byte, 0, n+sha512.Size)
	block := sha512.Sum512([]byte(seed))
	for len(out) < n {
		out = append(out, block[:]...)
		block = sha512.Sum512(block[:])
	}
	return out[:n]
}

// PlainHasher "hashes" passwords reversibly; for tests only, where bcrypt
// would only slow things down.
type PlainHasher struct{}

func (PlainHasher) Hash(p string) (string, error) { return "plain:" + p, nil }
func (PlainHasher) Compare(h, p string) bool {
	return subtle.ConstantTimeCompare([]byte(h), []byte("plain:"+p)) == 1
}

// NativeCharge makes Midtrans charge native subscription nsID once (a
// captured card transaction with its own order id) and returns the
// subscription.charge notification Midtrans would send. ok=false builds a
// failed attempt that leaves the subscription inactive.
func (g *Gateway) NativeCharge(nsID string, ok bool) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	ns := g.subs[nsID]
	g.seq++
	if !ok {
		ns.Status = "inactive"
		return SubscriptionNotification(nsID, true, &core.SubscriptionCharge{StatusCode: "402"})
	}
	ns.CurrentInterval++
	t := &core.Transaction{OrderID: fmt.Sprintf("SUBS-%s-%d", ns.Name, g.seq), TransactionID: fmt.Sprintf("txn-%d", g.seq),
		StatusCode: "200", TransactionStatus: "capture", FraudStatus: "accept", PaymentType: ns.PaymentType,
		GrossAmount: ns.Amount, TransactionTime: g.Clock.Now()}
	g.txns[t.OrderID] = t
	ns.TransactionIDs = append(ns.TransactionIDs, t.TransactionID)
	return SubscriptionNotification(nsID, true, &core.SubscriptionCharge{StatusCode: "200", TransactionID: t.TransactionID})
}

// Subscriptions lists the native subscriptions created so far.
func (g *Gateway) Subscriptions() []core.NativeSubscription {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []core.NativeSubscription
	for _, ns := range g.subs {
		out = append(out, *ns)
	}
	return out
}
