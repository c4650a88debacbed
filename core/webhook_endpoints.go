package core

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// WebhookEventTypes are the event types an endpoint may subscribe to.
var WebhookEventTypes = []string{
	EvSubscriptionCreated, EvSubscriptionActivated, EvSubscriptionRenewed, EvSubscriptionPastDue,
	EvSubscriptionPaused, EvSubscriptionResumed, EvSubscriptionCancelled, EvSubscriptionExpired,
	EvSubscriptionPlanChanged, EvSubscriptionPlanChangeFailed, EvSubscriptionTrialEnding, EvSubscriptionExpiringSoon,
	EvPaymentSucceeded, EvPaymentFailed, EvPaymentRefunded,
	EvInvoiceIssued, EvInvoicePaid, EvInvoiceOverdue,
	EvTopUpSucceeded, EvWalletDebited, EvWalletCredited, EvAlert,
}

// WebhookEndpointInput creates or changes an endpoint; nil fields are left
// as they are (PATCH).
type WebhookEndpointInput struct {
	URL         *string
	Events      *[]string
	Active      *bool
	Description *string
}

// newWebhookSecret is "whsec_" and 32 random bytes in hex.
func (s *Service) newWebhookSecret() (string, error) {
	b, err := s.ids.Secret(32)
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

// applyEndpointInput validates in and applies it to ep.
func applyEndpointInput(ep *WebhookEndpoint, in WebhookEndpointInput, create bool, allow []string) error {
	fe := FieldErrors{}
	if in.URL != nil {
		raw := strings.TrimSpace(*in.URL)
		u, err := url.Parse(raw)
		switch {
		case err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			fe.Add("url", "an absolute http or https URL")
		case u.User != nil:
			fe.Add("url", "must not carry credentials")
		case u.Fragment != "":
			fe.Add("url", "must not have a fragment")
		case len(raw) > 2000:
			fe.Add("url", "at most 2000 characters")
		case endpointURLProblem(u, allow) != "":
			fe.Add("url", endpointURLProblem(u, allow))
		default:
			ep.URL = raw
		}
	} else if create {
		fe.Add("url", "required")
	}
	if in.Events != nil {
		var evs []string
		for _, e := range *in.Events {
			e = strings.TrimSpace(e)
			if !slices.Contains(WebhookEventTypes, e) {
				fe.Add("events", fmt.Sprintf("unknown event type %q", e))
				continue
			}
			if !slices.Contains(evs, e) {
				evs = append(evs, e)
			}
		}
		ep.Events = evs
	}
	if in.Description != nil {
		if len(*in.Description) > 500 {
			fe.Add("description", "at most 500 characters")
		}
		checkText(fe, "description", *in.Description, true)
		ep.Description = *in.Description
	}
	if in.Active != nil {
		if *in.Active && !ep.Active {
			// Re-enabled: a fresh start for the failure streak.
			ep.FailingSince, ep.DisabledAt = time.Time{}, time.Time{}
		}
		ep.Active = *in.Active
	}
	return fe.Err()
}

// CreateWebhookEndpoint registers an endpoint. The answer carries the
// signing secret, the only time it is shown.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, a Actor, in WebhookEndpointInput) (WebhookEndpoint, error) {
	if err := requireAdmin(a); err != nil {
		return WebhookEndpoint{}, err
	}
	ep := WebhookEndpoint{Active: true}
	if err := applyEndpointInput(&ep, in, true, s.cfg.WebhookAllowHosts); err != nil {
		return WebhookEndpoint{}, err
	}
	secret, err := s.newWebhookSecret()
	if err != nil {
		return WebhookEndpoint{}, err
	}
	now := s.now()
	ep.ID, ep.Secret, ep.CreatedAt, ep.UpdatedAt = s.ids.NewID(), secret, now, now
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.WebhookEndpoints().Put(ep) }); err != nil {
		return WebhookEndpoint{}, err
	}
	return ep, nil
}

// ListWebhookEndpoints lists every endpoint, oldest first, secrets blanked.
func (s *Service) ListWebhookEndpoints(ctx context.Context, a Actor) ([]WebhookEndpoint, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var list []WebhookEndpoint
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		list, err = tx.WebhookEndpoints().List()
		return err
	})
	for i := range list {
		list[i].Secret = ""
	}
	slices.SortStableFunc(list, func(x, y WebhookEndpoint) int { return x.CreatedAt.Compare(y.CreatedAt) })
	return list, err
}

func getEndpoint(tx Tx, id string) (WebhookEndpoint, error) {
	if !IsUUID(id) {
		return WebhookEndpoint{}, NotFoundf("webhook endpoint not found")
	}
	ep, err := tx.WebhookEndpoints().Get(id)
	if errors.Is(err, ErrNotFound) {
		return ep, NotFoundf("webhook endpoint not found")
	}
	return ep, err
}

// GetWebhookEndpoint answers one endpoint, secret blanked.
func (s *Service) GetWebhookEndpoint(ctx context.Context, a Actor, id string) (WebhookEndpoint, error) {
	if err := requireAdmin(a); err != nil {
		return WebhookEndpoint{}, err
	}
	var ep WebhookEndpoint
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		ep, err = getEndpoint(tx, id)
		return err
	})
	ep.Secret = ""
	return ep, err
}

// UpdateWebhookEndpoint changes url, events, active or description.
// Re-activating a disabled endpoint clears its failure streak.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, a Actor, id string, in WebhookEndpointInput) (WebhookEndpoint, error) {
	if err := requireAdmin(a); err != nil {
		return WebhookEndpoint{}, err
	}
	var ep WebhookEndpoint
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if ep, err = getEndpoint(tx, id); err != nil {
			return err
		}
		if err := applyEndpointInput(&ep, in, false, s.cfg.WebhookAllowHosts); err != nil {
			return err
		}
		ep.UpdatedAt = s.now()
		return tx.WebhookEndpoints().Put(ep)
	})
	ep.Secret = ""
	return ep, err
}

// DeleteWebhookEndpoint removes an endpoint; its queued deliveries fail
// when their turn comes.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, a Actor, id string) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := getEndpoint(tx, id); err != nil {
			return err
		}
		return tx.WebhookEndpoints().Delete(id)
	})
}

// ListWebhookDeliveries is an endpoint's delivery log, newest first, with
// the total before paging.
func (s *Service) ListWebhookDeliveries(ctx context.Context, a Actor, endpointID string, offset, limit int) ([]Notification, int, error) {
	if err := requireAdmin(a); err != nil {
		return nil, 0, err
	}
	var list []Notification
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := getEndpoint(tx, endpointID); err != nil {
			return err
		}
		all, err := tx.Notifications().ListByRecipient(endpointID)
		for _, n := range all {
			if n.Channel == ChannelWebhook && n.Recipient == endpointID {
				list = append(list, n)
			}
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	newestFirst(list)
	return page(list, offset, limit), len(list), nil
}

// ResendWebhookDelivery queues a delivery again, due now, with the same
// event id. A delivery whose attempts are spent gets one more attempt; one
// with attempts left continues its schedule if this one fails.
func (s *Service) ResendWebhookDelivery(ctx context.Context, a Actor, endpointID, deliveryID string) (Notification, error) {
	if err := requireAdmin(a); err != nil {
		return Notification{}, err
	}
	var n Notification
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := getEndpoint(tx, endpointID); err != nil {
			return err
		}
		var err error
		if !IsUUID(deliveryID) {
			return NotFoundf("delivery not found")
		}
		n, err = tx.Notifications().Get(deliveryID)
		if errors.Is(err, ErrNotFound) || err == nil && (n.Channel != ChannelWebhook || n.Recipient != endpointID) {
			return NotFoundf("delivery not found")
		}
		if err != nil {
			return err
		}
		now := s.now()
		n.Status, n.NextAttemptAt, n.UpdatedAt = NotifQueued, now, now
		return tx.Notifications().Put(n)
	})
	return n, err
}

// WebhookTarget gives the outbound webhook sender an endpoint's URL and
// signing secret. It is for the sender only; the secret is never logged.
func (s *Service) WebhookTarget(ctx context.Context, endpointID string) (url, secret string, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		ep, err := tx.WebhookEndpoints().Get(endpointID)
		url, secret = ep.URL, ep.Secret
		return err
	})
	return url, secret, err
}
