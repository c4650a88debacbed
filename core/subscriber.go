package core

import (
	"context"
	"errors"
	"slices"
)

// SubscriberHistory is everything recorded about one subscriber (a user or
// an organization), for the admin console. Lists are newest first.
type SubscriberHistory struct {
	// User is the subscriber when it is a user (PasswordHash blanked), and
	// Organizations the organizations that user belongs to.
	User          *User
	Organizations []Organization
	// Organization is the subscriber when it is an organization, and
	// Members its members' accounts.
	Organization *Organization
	Members      []User

	Subscriptions  []Subscription
	Payments       []Payment
	Invoices       []Invoice
	Wallet         *Wallet // nil: none was ever opened
	WalletEntries  []WalletEntry
	PaymentMethods []PaymentMethod
	// Notifications are those sent to the subscriber: a user's own, or an
	// organization's members' about the organization.
	Notifications []Notification
	// Alerts are the asking admin's alerts about the subscriber's records.
	Alerts []Notification
	// Deliveries are outbound webhook deliveries of events about the
	// subscriber's records, to every endpoint still registered.
	Deliveries []Notification
	// MidtransNotifications are the stored Midtrans notifications naming
	// the subscriber's orders.
	MidtransNotifications []WebhookLog
}

// eventRefKeys are the event data fields that name a record; an event is
// about a subscriber when one of them names one of the subscriber's.
var eventRefKeys = []string{"subscription_id", "payment_id", "invoice_id", "wallet_id", "topup_id", "order_id"}

// SubscriberHistory gathers one subscriber's history (admin); ownerID is a
// user id or an organization id.
func (s *Service) SubscriberHistory(ctx context.Context, a Actor, ownerID string) (SubscriberHistory, error) {
	if err := requireAdmin(a); err != nil {
		return SubscriberHistory{}, err
	}
	var h SubscriberHistory
	err := s.store.View(ctx, func(tx Tx) error {
		h = SubscriberHistory{}
		if !IsUUID(ownerID) {
			return NotFoundf("subscriber not found")
		}
		var recipients []string // users whose notifications may be about the subscriber
		u, err := tx.Users().Get(ownerID)
		switch {
		case err == nil:
			u.PasswordHash = ""
			h.User, recipients = &u, []string{u.ID}
			if h.Organizations, err = tx.Organizations().ListByMember(u.ID); err != nil {
				return err
			}
		case errors.Is(err, ErrNotFound):
			o, err := tx.Organizations().Get(ownerID)
			if errors.Is(err, ErrNotFound) {
				return NotFoundf("subscriber not found")
			}
			if err != nil {
				return err
			}
			h.Organization = &o
			for _, m := range o.Members {
				mu, err := tx.Users().Get(m.UserID)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				mu.PasswordHash = ""
				h.Members = append(h.Members, mu)
				recipients = append(recipients, mu.ID)
			}
		default:
			return err
		}
		if err := s.ownerRecords(tx, ownerID, &h); err != nil {
			return err
		}
		return s.ownerMessages(tx, a, ownerID, recipients, &h)
	})
	return h, err
}

// ownerRecords reads what the owner owns, newest first.
func (s *Service) ownerRecords(tx Tx, ownerID string, h *SubscriberHistory) error {
	var err error
	if h.Subscriptions, err = tx.Subscriptions().ListByOwner(ownerID); err != nil {
		return err
	}
	if h.Payments, err = tx.Payments().ListByOwner(ownerID); err != nil {
		return err
	}
	if h.Invoices, err = tx.Invoices().ListByOwner(ownerID); err != nil {
		return err
	}
	if h.PaymentMethods, err = tx.PaymentMethods().ListByOwner(ownerID); err != nil {
		return err
	}
	w, err := tx.Wallets().GetByOwner(ownerID)
	switch {
	case err == nil:
		h.Wallet = &w
		if h.WalletEntries, err = tx.Wallets().Entries(w.ID); err != nil {
			return err
		}
	case !errors.Is(err, ErrNotFound):
		return err
	}
	slices.Reverse(h.Subscriptions)
	slices.Reverse(h.Payments)
	slices.Reverse(h.Invoices)
	slices.Reverse(h.PaymentMethods)
	slices.Reverse(h.WalletEntries)
	for _, p := range h.Payments {
		logs, err := tx.WebhookLogs().ListByOrder(p.OrderID)
		if err != nil {
			return err
		}
		h.MidtransNotifications = append(h.MidtransNotifications, logs...)
	}
	slices.SortStableFunc(h.MidtransNotifications, func(x, y WebhookLog) int { return y.ReceivedAt.Compare(x.ReceivedAt) })
	return nil
}

// ownerMessages finds the notifications, alerts and webhook deliveries of
// events about the owner's records. In-app notifications carry their
// event (its data names the records), and a delivery's id is derived from
// its event and endpoint, so each is found without reading every delivery.
func (s *Service) ownerMessages(tx Tx, a Actor, ownerID string, recipients []string, h *SubscriberHistory) error {
	refs := map[string]bool{ownerID: true}
	for _, sub := range h.Subscriptions {
		refs[sub.ID] = true
	}
	for _, p := range h.Payments {
		refs[p.ID] = true
		if p.OrderID != "" {
			refs[p.OrderID] = true
		}
		if p.TopUpID != "" {
			refs[p.TopUpID] = true
		}
	}
	for _, inv := range h.Invoices {
		refs[inv.ID] = true
	}
	if h.Wallet != nil {
		refs[h.Wallet.ID] = true
	}
	about := func(n Notification) bool {
		data, _ := n.Payload["data"].(map[string]any)
		for _, k := range eventRefKeys {
			if v := dataStr(data, k); v != "" && refs[v] {
				return true
			}
		}
		return false
	}
	events := map[string]bool{}
	var candidates []Notification
	for _, uid := range recipients {
		list, err := tx.Notifications().ListByUser(uid)
		if err != nil {
			return err
		}
		for _, n := range list {
			if n.Channel == ChannelInApp && about(n) {
				events[n.EventID] = true
			}
		}
		candidates = append(candidates, list...)
	}
	for _, n := range candidates {
		// A user's own notifications are all theirs; an organization's
		// members' only where their event is about the organization.
		if h.User != nil || events[n.EventID] {
			h.Notifications = append(h.Notifications, n)
		}
	}
	if a.UserID != "" {
		mine, err := tx.Notifications().ListByUser(a.UserID)
		if err != nil {
			return err
		}
		for _, n := range mine {
			if n.Type == EvAlert && n.Channel == ChannelInApp && about(n) {
				h.Alerts = append(h.Alerts, n)
				events[n.EventID] = true
			}
		}
	}
	eps, err := tx.WebhookEndpoints().List()
	if err != nil {
		return err
	}
	for ev := range events {
		for _, ep := range eps {
			n, err := tx.Notifications().Get(notificationID(ev, ChannelWebhook, ep.ID))
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			h.Deliveries = append(h.Deliveries, n)
		}
	}
	newestFirst(h.Notifications)
	newestFirst(h.Alerts)
	newestFirst(h.Deliveries)
	return nil
}

// OwnerNames names owners for a list (admin): a user by username, an
// organization by name; ids naming neither are left out.
func (s *Service) OwnerNames(ctx context.Context, a Actor, ids []string) (map[string]string, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	err := s.store.View(ctx, func(tx Tx) error {
		for _, id := range ids {
			if _, done := out[id]; done || id == "" {
				continue
			}
			u, err := tx.Users().Get(id)
			if err == nil {
				out[id] = u.Username
				continue
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
			o, err := tx.Organizations().Get(id)
			if err == nil {
				out[id] = o.Name
				continue
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return out, err
}
