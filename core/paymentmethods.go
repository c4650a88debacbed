package core

import (
	"context"
	"errors"
	"strings"
	"time"
)

// saveCardToken keeps the saved_token_id of a card charge as a payment
// method and on the subscription, for later charges and native billing.
func (s *Service) saveCardToken(tx Tx, p Payment, txn Transaction, now time.Time) error {
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	list, err := tx.PaymentMethods().ListByOwner(sub.OwnerID)
	if err != nil {
		return err
	}
	for _, m := range list {
		if m.Type == PayCreditCard && m.Token == txn.SavedTokenID {
			return nil
		}
	}
	m := PaymentMethod{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Type: PayCreditCard, Token: txn.SavedTokenID,
		MaskedCard: txn.MaskedCard, Status: MethodActive, ExpiresAt: txn.SavedTokenExpiry, CreatedAt: now, UpdatedAt: now}
	if err := tx.PaymentMethods().Put(m); err != nil {
		return err
	}
	sub.CardToken, sub.PaymentMethodID, sub.UpdatedAt = txn.SavedTokenID, m.ID, now
	return tx.Subscriptions().Put(sub)
}

// LinkGopay starts linking a GoPay account (Pay Account API). The method
// is pending until the pay-account notification (or a poll) says ENABLED.
func (s *Service) LinkGopay(ctx context.Context, a Actor, phone, redirectURL string) (PaymentMethod, error) {
	fe := FieldErrors{}
	phone = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(phone), "+62"), "0")
	if len(phone) < 9 || len(phone) > 12 || strings.Trim(phone, "0123456789") != "" {
		fe.Add("phone_number", "9 to 12 digits, without country code")
	}
	if err := fe.Err(); err != nil {
		return PaymentMethod{}, err
	}
	gw, err := s.gateway()
	if err != nil {
		return PaymentMethod{}, err
	}
	acct, err := gw.CreatePayAccount(ctx, PayAccountRequest{PhoneNumber: phone, CountryCode: "62", RedirectURL: redirectURL})
	if err != nil {
		if Retryable(err) {
			return PaymentMethod{}, err
		}
		return PaymentMethod{}, UnprocessableCode("gateway_rejected", "GoPay refused to link this account")
	}
	now := s.now()
	m := PaymentMethod{ID: s.ids.NewID(), OwnerID: a.UserID, Type: PayGopay, AccountID: acct.AccountID,
		ActivationURL: acct.ActivationURL, CreatedAt: now}
	s.applyPayAccount(&m, acct, now)
	err = s.store.Update(ctx, func(tx Tx) error { return tx.PaymentMethods().Put(m) })
	return m, err
}

// ListPaymentMethods lists the actor's methods; pending GoPay links are
// polled so the list is current even without a notification.
func (s *Service) ListPaymentMethods(ctx context.Context, a Actor) ([]PaymentMethod, error) {
	var out []PaymentMethod
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.PaymentMethods().ListByOwner(a.UserID)
		return err
	}); err != nil {
		return nil, err
	}
	for i, m := range out {
		if m.Type == PayGopay && m.Status == MethodPending && s.gw != nil {
			if acct, err := s.gw.GetPayAccount(ctx, m.AccountID); err == nil {
				s.applyPayAccount(&m, acct, s.now())
				if err := s.store.Update(ctx, func(tx Tx) error { return tx.PaymentMethods().Put(m) }); err == nil {
					out[i] = m
				}
			}
		}
	}
	return out, nil
}

// DeletePaymentMethod unbinds a GoPay account at Midtrans (cards are
// forgotten locally) and removes the method.
func (s *Service) DeletePaymentMethod(ctx context.Context, a Actor, id string) error {
	var m PaymentMethod
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		m, err = tx.PaymentMethods().Get(id)
		if err != nil || m.OwnerID != a.UserID {
			return NotFoundf("payment method not found")
		}
		return nil
	}); err != nil {
		return err
	}
	if m.Type == PayGopay && m.AccountID != "" && m.Status != MethodPending {
		gw, err := s.gateway()
		if err != nil {
			return err
		}
		if _, err := gw.UnbindPayAccount(ctx, m.AccountID); err != nil && !errors.Is(err, ErrGatewayNotFound) {
			if Retryable(err) {
				return err
			}
			return UnprocessableCode("gateway_rejected", "GoPay refused to unbind this account")
		}
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.PaymentMethods().Delete(id) })
}
