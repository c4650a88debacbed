package coretest

import (
	"context"
	"fmt"
	"time"

	"github.com/langganan/langganan/core"
)

// CreateSnap opens a Snap checkout. As at Midtrans, no transaction exists
// (Status answers 404) until PaySnap picks a method, and the same order id
// gets a new token until then.
func (g *Gateway) CreateSnap(ctx context.Context, req core.ChargeRequest) (core.Transaction, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.call("snap"); err != nil {
		return core.Transaction{}, err
	}
	if req.Snap == nil {
		return core.Transaction{}, &core.GatewayError{Kind: core.ErrGatewayRejected, Op: "snap", StatusCode: "400", Message: "not a snap request"}
	}
	if _, ok := g.txns[req.OrderID]; ok {
		return core.Transaction{}, &core.GatewayError{Kind: core.ErrDuplicateOrder, Op: "snap", StatusCode: "400",
			Message: "transaction_details.order_id has been paid and utilized, please use another order ID"}
	}
	if g.snaps == nil {
		g.snaps = map[string]*core.ChargeRequest{}
	}
	g.seq++
	r := req
	g.snaps[req.OrderID] = &r
	exp := req.Snap.StartTime.Add(24 * time.Hour)
	if req.ExpiryMinutes > 0 {
		exp = req.Snap.StartTime.Add(time.Duration(req.ExpiryMinutes) * time.Minute)
	}
	tok := fmt.Sprintf("snap-token-%d", g.seq)
	return core.Transaction{OrderID: req.OrderID, StatusCode: "201", TransactionStatus: "pending", PaymentType: "snap",
		GrossAmount: req.Amount, ExpiryTime: exp,
		Details: map[string]any{core.DetailSnapToken: tok, core.DetailRedirectURL: "http://fake/snap/v4/redirection/" + tok}}, nil
}

// SnapRequest is the last Snap request for orderID, or nil.
func (g *Gateway) SnapRequest(orderID string) *core.ChargeRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.snaps[orderID]
}

// PaySnap is the customer paying orderID's Snap page with method
// (bank_transfer, credit_card or gopay): the Core transaction is created
// settled (a card is saved when the checkout was recurring; GoPay is linked
// when it was, as a new enabled pay account) and its signed notification
// is returned.
func (g *Gateway) PaySnap(orderID, method string) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	req := g.snaps[orderID]
	if req == nil {
		panic("coretest: no Snap checkout for " + orderID)
	}
	g.seq++
	now := g.Clock.Now()
	t := &core.Transaction{OrderID: orderID, TransactionID: fmt.Sprintf("txn-%d", g.seq), StatusCode: "200",
		TransactionStatus: "settlement", FraudStatus: "accept", PaymentType: method, GrossAmount: req.Amount,
		TransactionTime: now, SettlementTime: now, Details: map[string]any{}}
	switch method {
	case "credit_card":
		t.TransactionStatus = "capture"
		if req.Snap.Recurring {
			t.SavedTokenID, t.MaskedCard = fmt.Sprintf("snap-saved-%d", g.seq), "481111-1114"
		}
	case "gopay":
		if req.Snap.Recurring {
			a := &core.PayAccount{AccountID: fmt.Sprintf("snap-acct-%d", g.seq), Status: "ENABLED",
				PaymentOptions: []core.PaymentOption{{Name: "GOPAY_WALLET", Token: fmt.Sprintf("tok-snap-acct-%d", g.seq), Active: true}}}
			g.accts[a.AccountID] = a
			t.LinkedAccountID = a.AccountID
		}
	}
	g.txns[orderID] = t
	return notice{Kind: core.NotifyPayment, OrderID: orderID, StatusCode: t.StatusCode, GrossAmount: req.Amount.String(),
		TransactionID: t.TransactionID, FraudStatus: t.FraudStatus, PaymentType: method, TransactionStatus: t.TransactionStatus,
		SavedTokenID: t.SavedTokenID, MaskedCard: t.MaskedCard, LinkedAccountID: t.LinkedAccountID,
		Signature: Sign(orderID, t.StatusCode, req.Amount.String())}.body()
}

// DeclineSnap is a card attempt on orderID's Snap page that the bank
// declines; the page stays open for another attempt. It returns the
// attempt's signed notification.
func (g *Gateway) DeclineSnap(orderID string) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	req := g.snaps[orderID]
	if req == nil {
		panic("coretest: no Snap checkout for " + orderID)
	}
	g.seq++
	t := &core.Transaction{OrderID: orderID, TransactionID: fmt.Sprintf("txn-%d", g.seq), StatusCode: "202",
		TransactionStatus: "deny", FraudStatus: "accept", PaymentType: "credit_card", GrossAmount: req.Amount,
		TransactionTime: g.Clock.Now(), Details: map[string]any{}}
	g.txns[orderID] = t
	return notice{Kind: core.NotifyPayment, OrderID: orderID, StatusCode: "202", GrossAmount: req.Amount.String(),
		TransactionID: t.TransactionID, FraudStatus: "accept", PaymentType: "credit_card", TransactionStatus: "deny",
		Signature: Sign(orderID, "202", req.Amount.String())}.body()
}
