package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Snap checkout. A payment of type snap is a Midtrans Snap order: its
// gateway call creates a Snap token (with the order id, idempotency and
// reserve-then-record steps of any charge), the customer picks a method on
// Midtrans' page, and from then on the order is an ordinary Core
// transaction with the same order id, notifications and status. Until a
// method is picked Midtrans knows no transaction (status 404), and a page
// left unpaid expires without a notification, so reconciliation settles
// such an order as expired once its expiry has passed.
// https://docs.midtrans.com/docs/snap-advanced-feature

// SnapOptions are the Snap-only parts of a ChargeRequest.
type SnapOptions struct {
	EnabledPayments []string
	FinishURL       string
	// UserID keys saved cards and linked GoPay accounts at Midtrans. It is
	// derived from the owner id, never the id itself, as Midtrans advises.
	UserID string
	// Recurring marks the first payment of a subscription Midtrans will
	// charge later: 3-D Secure, a saved card, GoPay linking, and Snap's
	// recurring notice with the plan's interval unit.
	Recurring     bool
	RecurringUnit IntervalUnit
	// StartTime is when the page, and the order, start to expire.
	StartTime time.Time
}

// SnapCheckout is what a caller may choose about a Snap payment.
type SnapCheckout struct {
	EnabledPayments []string
	FinishURL       string
}

// snapChannels are the enabled_payments values Midtrans documents.
var snapChannels = []string{"credit_card", "gopay", "shopeepay", "other_qris", "echannel", "bca_va", "bni_va", "bri_va",
	"cimb_va", "permata_va", "danamon_va", "bsi_va", "seabank_va", "other_va", "alfamart", "indomaret", "akulaku",
	"kredivo", "ovo", "dana", "bank_transfer", "cstore"}

// checkSnap validates Snap options when ptype is snap and refuses them otherwise.
func checkSnap(ptype PaymentType, in SnapCheckout, fe FieldErrors) SnapCheckout {
	if ptype != PaySnap {
		if len(in.EnabledPayments) > 0 {
			fe.Add("enabled_payments", "only with payment_type snap")
		}
		if in.FinishURL != "" {
			fe.Add("finish_url", "only with payment_type snap")
		}
		return SnapCheckout{}
	}
	var out SnapCheckout
	for _, p := range in.EnabledPayments {
		p = strings.ToLower(strings.TrimSpace(p))
		if !slices.Contains(snapChannels, p) {
			fe.Add("enabled_payments", "each one of "+strings.Join(snapChannels, ", "))
			break
		}
		if !slices.Contains(out.EnabledPayments, p) {
			out.EnabledPayments = append(out.EnabledPayments, p)
		}
	}
	if len(in.EnabledPayments) > len(snapChannels) {
		fe.Add("enabled_payments", "at most one entry per channel")
	}
	if in.FinishURL != "" {
		u, err := url.Parse(in.FinishURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.FinishURL) > 255 {
			fe.Add("finish_url", "an http(s) URL of at most 255 characters")
		}
		out.FinishURL = in.FinishURL
	}
	return out
}

// snapMetaKey keeps a subscription's Snap choices for its later charges.
const snapMetaKey = "snap_checkout"

func snapToMeta(in SnapCheckout) map[string]any {
	m := map[string]any{}
	if len(in.EnabledPayments) > 0 {
		list := make([]any, len(in.EnabledPayments))
		for i, p := range in.EnabledPayments {
			list[i] = p
		}
		m["enabled_payments"] = list
	}
	if in.FinishURL != "" {
		m["finish_url"] = in.FinishURL
	}
	return m
}

func snapFromMeta(meta map[string]any) SnapCheckout {
	m, _ := meta[snapMetaKey].(map[string]any)
	var out SnapCheckout
	for _, p := range anyList(m["enabled_payments"]) {
		if s, ok := p.(string); ok {
			out.EnabledPayments = append(out.EnabledPayments, s)
		}
	}
	out.FinishURL, _ = m["finish_url"].(string)
	return out
}

// SnapUserID is the user_id Midtrans keys an owner's saved cards and GoPay
// accounts by.
func SnapUserID(ownerID string) string {
	h := sha256.Sum256([]byte("langganan-snap-user:" + ownerID))
	return "lgn-" + hex.EncodeToString(h[:16])
}

// snapOptions builds the Snap part of p's gateway request.
func (s *Service) snapOptions(tx Tx, p Payment) (*SnapOptions, error) {
	o := &SnapOptions{UserID: SnapUserID(p.OwnerID), StartTime: s.now()}
	if p.Purpose != PurposeSubscription {
		return o, nil
	}
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		return nil, err
	}
	c := snapFromMeta(sub.Metadata)
	o.EnabledPayments, o.FinishURL = c.EnabledPayments, c.FinishURL
	plan, err := tx.Plans().Get(sub.PlanID)
	if err != nil {
		return nil, err
	}
	switch plan.IntervalUnit {
	case Day, Week, Month:
		// Only these the Subscription API can take over afterwards.
		o.Recurring, o.RecurringUnit = true, plan.IntervalUnit
	}
	return o, nil
}

// Details keys a Snap payment keeps through later gateway answers.
const (
	DetailSnapToken   = "snap_token"
	DetailRedirectURL = "redirect_url"
)

// mergeSnapDetails is a gateway answer's payment details, keeping the Snap
// token and page of a Snap order.
func mergeSnapDetails(old, fresh map[string]any) map[string]any {
	tok, hasTok := old[DetailSnapToken]
	page, hasPage := old[DetailRedirectURL]
	if !hasTok && !hasPage {
		return fresh
	}
	out := make(map[string]any, len(fresh)+2)
	for k, v := range fresh {
		out[k] = v
	}
	if hasTok {
		out[DetailSnapToken] = tok
	}
	if hasPage {
		out[DetailRedirectURL] = page
	}
	return out
}

// adoptSnapMethod makes the method a subscription's paid Snap order used
// its own, when Midtrans can charge it again: a card whose token was saved
// (saveCardToken already recorded it) or a GoPay account linked on the
// page. ensureNative then hands the subscription to the Subscription API
// as it does for a Core card or GoPay signup.
func (s *Service) adoptSnapMethod(tx Tx, p Payment, txn Transaction, now time.Time) error {
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	if sub.PaymentType != PaySnap {
		return nil
	}
	switch strings.ToLower(txn.PaymentType) {
	case string(PayCreditCard):
		if txn.SavedTokenID == "" || sub.CardToken != txn.SavedTokenID || sub.PaymentMethodID == "" {
			return nil
		}
		sub.PaymentType = PayCreditCard
	case string(PayGopay):
		acct := txn.LinkedAccountID
		if acct == "" {
			return nil
		}
		m, err := tx.PaymentMethods().GetByAccountID(acct)
		switch {
		case errors.Is(err, ErrNotFound):
			// Its payment-option token is read from Midtrans before the
			// Subscription API needs it (refreshGopayToken).
			m = PaymentMethod{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Type: PayGopay, AccountID: acct,
				Status: MethodPending, CreatedAt: now, UpdatedAt: now}
			if err := tx.PaymentMethods().Put(m); err != nil {
				return err
			}
		case err != nil:
			return err
		case m.OwnerID != sub.OwnerID:
			return nil
		}
		sub.PaymentType, sub.GopayAccountID, sub.PaymentMethodID = PayGopay, acct, m.ID
	default:
		return nil
	}
	sub.UpdatedAt = now
	return tx.Subscriptions().Put(sub)
}

// refreshGopayToken reads the payment-option token of a subscription's
// GoPay account linked through Snap, which the Snap notification lacks.
func (s *Service) refreshGopayToken(ctx context.Context, subID string) error {
	var m PaymentMethod
	if err := s.store.View(ctx, func(tx Tx) error {
		sub, err := tx.Subscriptions().Get(subID)
		if err != nil || sub.PaymentType != PayGopay || sub.PaymentMethodID == "" {
			return err
		}
		m, err = tx.PaymentMethods().Get(sub.PaymentMethodID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	if m.ID == "" || m.Token != "" || m.AccountID == "" {
		return nil
	}
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	acct, err := gw.GetPayAccount(ctx, m.AccountID)
	if err != nil {
		return fmt.Errorf("read GoPay account %s: %w", m.AccountID, err)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.PaymentMethods().Get(m.ID)
		if err != nil {
			return err
		}
		s.applyPayAccount(&cur, acct, s.now())
		return tx.PaymentMethods().Put(cur)
	})
}

// snapMayRetry: a declined attempt on a Snap page leaves the order open
// while the page lasts, since the customer may pay it with another method
// under the same order id; Midtrans then notifies that attempt too. Once
// the page expired, the decline stands.
func snapMayRetry(p Payment, now time.Time) bool {
	return p.PaymentType == PaySnap && p.Status.Open() && !p.ExpiresAt.IsZero() && now.Before(p.ExpiresAt)
}

// snapExpiry is when p stops being payable given a transaction expiring at
// t: a Snap order lasts at least as long as its page, whose attempts (a
// card waiting for 3-D Secure) may expire sooner.
func snapExpiry(p Payment, t time.Time) time.Time {
	if p.PaymentType == PaySnap && !p.ExpiresAt.IsZero() && t.Before(p.ExpiresAt) {
		return p.ExpiresAt
	}
	return t
}

// expireUnchosenSnap settles a Snap order Midtrans has no transaction for
// (no method was picked) as expired once its page has expired; before
// that it is still payable.
func (s *Service) expireUnchosenSnap(ctx context.Context, p Payment) (Payment, error) {
	if !p.Status.Open() || p.ExpiresAt.IsZero() || s.now().Before(p.ExpiresAt) {
		return p, nil
	}
	var out Payment
	err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Payments().Get(p.ID)
		if err != nil {
			return err
		}
		out = cur
		if !cur.Status.Open() {
			return nil
		}
		return s.applyTransaction(tx, &cur, Transaction{OrderID: cur.OrderID, TransactionStatus: "expire"}, s.now(), &out)
	})
	return out, err
}

// chargeCycleBySnap charges sub's next cycle on a Snap page: the
// subscription is switched to snap (a card or GoPay account saved by the
// payment becomes its method again). An order of another method still
// open for the cycle must be paid or expire first.
func (s *Service) chargeCycleBySnap(ctx context.Context, a Actor, sub Subscription, in SnapCheckout) (Payment, error) {
	if err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Subscriptions().Get(sub.ID)
		if err != nil {
			return err
		}
		if cur.PaymentType == PayManual && !a.IsAdmin {
			return Forbiddenf("a manual subscription is charged by an admin")
		}
		payments, err := tx.Payments().ListBySubscription(cur.ID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, p := range payments {
			if p.Cycle == cur.Cycle+1 && p.PaymentType != PaySnap && p.Status.Open() && !p.Superseded &&
				(p.ExpiresAt.IsZero() || now.Before(p.ExpiresAt)) {
				return Conflictf("cycle %d has an open %s order until %s; pay it or let it expire first", p.Cycle, p.PaymentType, p.ExpiresAt.Format(time.RFC3339))
			}
		}
		cur.PaymentType, cur.Bank = PaySnap, ""
		cur.Metadata = withMeta(cur.Metadata, snapMetaKey, snapToMeta(in))
		cur.UpdatedAt = s.now()
		return tx.Subscriptions().Put(cur)
	}); err != nil {
		return Payment{}, err
	}
	return s.chargeCycle(ctx, sub.ID, sub.Cycle+1)
}

// PaidWith is the method that paid p: a Snap payment's is the one the
// customer chose on the page, as Midtrans last reported it (snap while
// none was chosen). Refund rules follow it.
func (p Payment) PaidWith() PaymentType {
	if p.PaymentType != PaySnap {
		return p.PaymentType
	}
	if t, ok := p.MidtransStatus["payment_type"].(string); ok && t != "" && t != string(PaySnap) {
		return PaymentType(strings.ToLower(t))
	}
	return PaySnap
}
