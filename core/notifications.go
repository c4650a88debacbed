package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Delivery of queued notifications.
//
// DeliverNotifications scans due notifications in a View, claims them in an
// Update (their NextAttemptAt moves a lease ahead, so a concurrent run or a
// crash mid-send only delays them), calls the channel's Notifier outside any
// transaction, and records each outcome in an Update of its own: sent, or a
// failed attempt with LastError and the next attempt per the backoff, or
// failed for good once the attempts are spent.
//
// Status model: email and webhook notifications go queued → sent or
// failed. In-app notifications are delivered by being stored: they stay
// queued (= unread, as GET /api/notifications/unread/ lists them) until
// marked read, and the delivery loop never visits them.

// Retry schedules. A webhook delivery is attempted 12 times over 80 h 36 m
// (1m, 5m, 30m, 2h, 6h, 12h, then every 12 h), so retries last more than
// three days; an email is tried 4 times over 36 minutes.
var (
	webhookBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour}
	emailBackoff   = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute}
)

const (
	webhookMaxAttempts = 12
	emailMaxAttempts   = 4
	// WebhookDisableAfter: an endpoint whose deliveries have failed without
	// a success for this long is disabled and the admins are alerted.
	WebhookDisableAfter = 72 * time.Hour
	deliverBatch        = 100
	deliverers          = 8
	maxLastError        = 500
)

// RetryDelay is the wait after the attempts-th failed attempt of a delivery
// on ch; ok is false when no attempt is left.
func RetryDelay(ch Channel, attempts int) (d time.Duration, ok bool) {
	sched, max := emailBackoff, emailMaxAttempts
	if ch == ChannelWebhook {
		sched, max = webhookBackoff, webhookMaxAttempts
	}
	if attempts >= max || attempts < 1 {
		return 0, false
	}
	return sched[min(attempts-1, len(sched)-1)], true
}

// SetSenders installs the notifiers RunNotifications delivers through, one
// per channel (email, webhook). A channel without one stays queued. It is a
// setter rather than a dependency because the webhook sender looks its
// targets up through the service itself.
func (s *Service) SetSenders(m map[Channel]Notifier) {
	c := cloneSenders(m)
	s.notifiers.Store(&c)
}

func (s *Service) senders() map[Channel]Notifier {
	if m := s.notifiers.Load(); m != nil {
		return *m
	}
	return nil
}

func cloneSenders(m map[Channel]Notifier) map[Channel]Notifier {
	out := make(map[Channel]Notifier, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// RunNotifications relays the outbox and delivers what is due, repeating
// until both are drained (a delivery may raise an alert event, which is
// relayed in turn). It is what billing runs and clock advances call.
func (s *Service) RunNotifications(ctx context.Context) (relayed, delivered int, err error) {
	senders := s.senders()
	var errs []error
	for range 10 {
		r, rerr := s.RelayOutbox(ctx)
		d, derr := s.DeliverNotifications(ctx, senders)
		relayed, delivered = relayed+r, delivered+d
		if rerr != nil || derr != nil {
			errs = append(errs, rerr, derr)
			break
		}
		if r == 0 && d == 0 {
			break
		}
	}
	return relayed, delivered, errors.Join(errs...)
}

// scanHorizon bounds the due scan; in-app notifications are parked beyond it.
var scanHorizon = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// NextNotificationDue is the earliest NextAttemptAt of a queued email or
// webhook delivery, so a clock advance can step straight to it.
func (s *Service) NextNotificationDue(ctx context.Context) (time.Time, bool, error) {
	var (
		t  time.Time
		ok bool
	)
	err := s.store.View(ctx, func(tx Tx) error {
		return tx.Notifications().ScanQueued(scanHorizon, func(n Notification) bool {
			if n.Channel == ChannelInApp {
				return true
			}
			t, ok = n.NextAttemptAt, true
			return false
		})
	})
	return t, ok, err
}

// DeliverNotifications sends every queued email and webhook notification
// that is due, through senders, and answers how many it attempted. Each
// notification is attempted at most once per call.
func (s *Service) DeliverNotifications(ctx context.Context, senders map[Channel]Notifier) (int, error) {
	if len(senders) == 0 {
		return 0, nil // nothing could be sent: do not walk the queue for nothing
	}
	// tried holds what this call scanned but could not claim (leased by
	// another instance): skipped for the rest of the call, so the scan does
	// not spin on them. Claimed ones leave the due range once their outcome
	// is recorded (sent, or their next attempt moved ahead), so they need
	// no entry: the map stays as small as the leases held elsewhere,
	// however many notifications one call delivers.
	tried := map[string]bool{}
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		now := s.now()
		var due []Notification
		if err := s.store.View(ctx, func(tx Tx) error {
			return tx.Notifications().ScanQueued(now, func(n Notification) bool {
				if !tried[n.ID] && n.Channel != ChannelInApp && senders[n.Channel] != nil {
					due = append(due, n)
				}
				return len(due) < deliverBatch
			})
		}); err != nil {
			return total, fmt.Errorf("scan queued notifications: %w", err)
		}
		if len(due) == 0 {
			return total, nil
		}
		for _, n := range due {
			tried[n.ID] = true
		}
		claimed, err := s.claim(ctx, due)
		if err != nil {
			return total, err
		}
		for _, n := range claimed {
			delete(tried, n.ID)
		}
		total += len(claimed)
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
			sem  = make(chan struct{}, deliverers)
		)
		for _, n := range claimed {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				sendErr := senders[n.Channel].Send(ctx, n)
				if sendErr != nil && ctx.Err() != nil {
					return // interrupted, not failed: the lease runs out and it is tried again
				}
				if err := s.recordOutcome(ctx, n.ID, sendErr); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("record delivery %s: %w", n.ID, err))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			return total, errors.Join(errs...)
		}
	}
}

// claim leases the due notifications that are still queued and due;
// webhook deliveries to a deleted or inactive endpoint fail here unsent.
func (s *Service) claim(ctx context.Context, due []Notification) ([]Notification, error) {
	var out []Notification
	err := s.store.Update(ctx, func(tx Tx) error {
		out = out[:0]
		now, wall := s.now(), s.wallNow()
		for _, d := range due {
			n, err := tx.Notifications().Get(d.ID)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if n.Status != NotifQueued || n.NextAttemptAt.After(now) || n.LeasedUntil.After(wall) {
				continue
			}
			n.UpdatedAt = now
			if n.Channel == ChannelWebhook {
				ep, err := tx.WebhookEndpoints().Get(n.Recipient)
				switch {
				case errors.Is(err, ErrNotFound):
					n.Status, n.LastError, n.NextAttemptAt = NotifFailed, "endpoint deleted", time.Time{}
				case err != nil:
					return err
				case !ep.Active:
					n.Status, n.LastError, n.NextAttemptAt = NotifFailed, "endpoint disabled", time.Time{}
				}
				if n.Status == NotifFailed {
					if err := tx.Notifications().Put(n); err != nil {
						return err
					}
					continue
				}
			}
			// The lease holds on both clocks: the due scan skips it until the
			// service clock passes NextAttemptAt, and another run until the
			// wall clock passes LeasedUntil.
			n.NextAttemptAt, n.LeasedUntil = now.Add(s.cfg.DeliveryLease), wall.Add(s.cfg.DeliveryLease)
			if err := tx.Notifications().Put(n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	return out, nil
}

// recordOutcome stores the result of one attempt.
func (s *Service) recordOutcome(ctx context.Context, id string, sendErr error) error {
	return s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		n, err := tx.Notifications().Get(id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var ep *WebhookEndpoint
		if n.Channel == ChannelWebhook {
			e, err := tx.WebhookEndpoints().Get(n.Recipient)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err == nil {
				ep = &e
			}
		}
		n.UpdatedAt, n.LeasedUntil = now, time.Time{}
		if sendErr == nil {
			if n.Status == NotifRead {
				return nil
			}
			n.Attempts++
			n.Status, n.SentAt, n.LastError, n.NextAttemptAt = NotifSent, now, "", time.Time{}
			if ep != nil && !ep.FailingSince.IsZero() {
				ep.FailingSince, ep.UpdatedAt = time.Time{}, now
				if err := tx.WebhookEndpoints().Put(*ep); err != nil {
					return err
				}
			}
			return tx.Notifications().Put(n)
		}
		if n.Status != NotifQueued {
			return nil // settled meanwhile (endpoint disabled, resent and sent, ...)
		}
		n.Attempts++
		n.LastError = truncate(sendErr.Error(), maxLastError)
		delay, again := RetryDelay(n.Channel, n.Attempts)
		if ep != nil {
			if ep.FailingSince.IsZero() {
				ep.FailingSince, ep.UpdatedAt = now, now
				if err := tx.WebhookEndpoints().Put(*ep); err != nil {
					return err
				}
			}
			if ep.Active && now.Sub(ep.FailingSince) >= WebhookDisableAfter {
				if err := s.disableEndpoint(tx, *ep, n.ID, now); err != nil {
					return err
				}
				again = false
			}
		}
		if again {
			n.NextAttemptAt = now.Add(delay)
		} else {
			n.Status, n.NextAttemptAt = NotifFailed, time.Time{}
		}
		return tx.Notifications().Put(n)
	})
}

// disableEndpoint turns an endpoint off after three days of failures,
// fails its other queued deliveries and raises an alert for the admins.
func (s *Service) disableEndpoint(tx Tx, ep WebhookEndpoint, except string, now time.Time) error {
	since := ep.FailingSince
	ep.Active, ep.DisabledAt, ep.UpdatedAt = false, now, now
	if err := tx.WebhookEndpoints().Put(ep); err != nil {
		return err
	}
	list, err := tx.Notifications().ListByRecipient(ep.ID)
	if err != nil {
		return err
	}
	for _, q := range list {
		if q.ID == except || q.Channel != ChannelWebhook || q.Status != NotifQueued {
			continue
		}
		q.Status, q.LastError, q.NextAttemptAt, q.UpdatedAt = NotifFailed, "endpoint disabled after failing for 3 days", time.Time{}, now
		if err := tx.Notifications().Put(q); err != nil {
			return err
		}
	}
	return s.emit(tx, EvAlert, "", now, map[string]any{
		"alert": "webhook_endpoint_disabled", "endpoint_id": ep.ID, "url": ep.URL,
		"failing_since": since.UTC().Format(time.RFC3339)})
}

// ---- in-app API

// NotificationFilter narrows ListNotifications; empty fields match all.
type NotificationFilter struct {
	Type, Channel, Status string
	Offset, Limit         int
}

// MaxUnread bounds UnreadNotifications.
const MaxUnread = 50

// ListNotifications lists the actor's own notifications, newest first, and
// answers the total before paging.
func (s *Service) ListNotifications(ctx context.Context, a Actor, f NotificationFilter) ([]Notification, int, error) {
	if a.UserID == "" {
		return nil, 0, newErr(ErrUnauthenticated, "authentication required")
	}
	fe := FieldErrors{}
	switch Channel(f.Channel) {
	case "", ChannelEmail, ChannelWebhook, ChannelInApp:
	default:
		fe.Add("channel", "one of email, webhook, in_app")
	}
	switch NotificationStatus(f.Status) {
	case "", NotifQueued, NotifSent, NotifFailed, NotifRead:
	default:
		fe.Add("status", "one of queued, sent, failed, read")
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	var all []Notification
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		all, err = tx.Notifications().ListByUser(a.UserID)
		return err
	}); err != nil {
		return nil, 0, err
	}
	out := all[:0]
	for _, n := range all {
		if n.UserID != a.UserID ||
			f.Type != "" && n.Type != f.Type ||
			f.Channel != "" && string(n.Channel) != f.Channel ||
			f.Status != "" && string(n.Status) != f.Status {
			continue
		}
		out = append(out, n)
	}
	newestFirst(out)
	total := len(out)
	return page(out, f.Offset, f.Limit), total, nil
}

func newestFirst(list []Notification) {
	slices.SortStableFunc(list, func(x, y Notification) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
}

// GetNotification answers one of the actor's notifications; anyone else's
// is not found.
func (s *Service) GetNotification(ctx context.Context, a Actor, id string) (Notification, error) {
	var n Notification
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		n, err = s.ownNotification(tx, a, id)
		return err
	})
	return n, err
}

func (s *Service) ownNotification(tx Tx, a Actor, id string) (Notification, error) {
	if a.UserID == "" || !IsUUID(id) {
		return Notification{}, NotFoundf("notification not found")
	}
	n, err := tx.Notifications().Get(id)
	if errors.Is(err, ErrNotFound) || err == nil && n.UserID != a.UserID {
		return Notification{}, NotFoundf("notification not found")
	}
	return n, err
}

// UnreadNotifications lists the actor's unread (queued) in-app
// notifications, newest first, at most MaxUnread.
func (s *Service) UnreadNotifications(ctx context.Context, a Actor) ([]Notification, error) {
	list, _, err := s.ListNotifications(ctx, a, NotificationFilter{Channel: string(ChannelInApp), Status: string(NotifQueued), Limit: MaxUnread})
	return list, err
}

// MarkNotificationRead marks one of the actor's notifications read. An
// in-app notification moves to status read; for email and webhook records
// only ReadAt is set, so their delivery status stays visible. Idempotent.
func (s *Service) MarkNotificationRead(ctx context.Context, a Actor, id string) (Notification, error) {
	var n Notification
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = s.ownNotification(tx, a, id)
		if err != nil {
			return err
		}
		if !n.ReadAt.IsZero() {
			return nil
		}
		now := s.now()
		n.ReadAt, n.UpdatedAt = now, now
		if n.Channel == ChannelInApp {
			n.Status, n.NextAttemptAt = NotifRead, time.Time{}
		}
		return tx.Notifications().Put(n)
	})
	return n, err
}
