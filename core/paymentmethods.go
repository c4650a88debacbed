package core

import (
	"errors"
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
