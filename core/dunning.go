package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The dunning rule. A renewal that fails makes the subscription past_due
// (PastDueSince). DunningAttempts counts the failed charges of the open
// cycle (the renewal's own first charge included), and retry k of the
// charge falls due k × DunningInterval after PastDueSince, for k up to
// DunningRetries. The grace period runs from PastDueSince; once it has
// ended and no retry is due, the subscription expires. Retries come first:
// a retry falling due when the grace period ends is still made, while one
// that would fall due after it is never reached (the subscription expires
// at the grace end, before it).

// retryAt is when retry k falls due; ok is false beyond DunningRetries.
func (s *Service) retryAt(sub Subscription, k int) (time.Time, bool) {
	if k > s.cfg.DunningRetries {
		return time.Time{}, false
	}
	return sub.PastDueSince.Add(time.Duration(k) * s.cfg.DunningInterval), true
}

// retryDue is when the next retry of a past-due subscription's renewal
// falls due; ok is false when no retry is left.
func (s *Service) retryDue(sub Subscription) (time.Time, bool) {
	return s.retryAt(sub, sub.DunningAttempts)
}

// retryReached reports whether retry k is made when the billing run keeps
// time: it exists and falls due no later than the grace end.
func (s *Service) retryReached(sub Subscription, k int) (time.Time, bool) {
	at, ok := s.retryAt(sub, k)
	return at, ok && !at.After(s.graceEnd(sub))
}

// graceEnd is when a past-due subscription with no retry due expires.
func (s *Service) graceEnd(sub Subscription) time.Time {
	return sub.PastDueSince.Add(s.cfg.GracePeriod)
}

// enterPastDue moves sub to past_due now, after attempts failed charges of
// its renewal, and schedules its next dunning step. It reports whether the
// status changed (a paused subscription stays paused and keeps counting).
func (s *Service) enterPastDue(sub *Subscription, plan Plan, attempts int, now time.Time) (bool, error) {
	sub.DunningAttempts = max(sub.DunningAttempts, attempts)
	changed := false
	if sub.Status != SubPastDue && sub.Status != SubPaused {
		if err := sub.Transition(SubPastDue, now); err != nil {
			return false, err
		}
		sub.PastDueSince, changed = now, true
	}
	sub.NextActionAt = s.nextAction(*sub, plan, now)
	sub.UpdatedAt = now
	return changed, nil
}

// midtransGaveUp is dunning taken over from Midtrans, whose retries of a
// native charge are exhausted: no retries are left to make, the grace
// period runs, and a recovered subscription gets a new Midtrans schedule.
func (s *Service) midtransGaveUp(sub *Subscription, plan Plan, now time.Time) error {
	sub.NativeDisabled = true
	_, err := s.enterPastDue(sub, plan, s.cfg.DunningRetries+1, now)
	return err
}

// DunningEntry is one past-due subscription in the dunning queue, with its
// retry schedule as the billing run will follow it.
type DunningEntry struct {
	Subscription Subscription
	// RetriesMade counts the retries charged so far for the open cycle, one
	// still awaiting payment included; RetriesLeft those still to come.
	RetriesMade, RetriesLeft int
	// NextRetryAt is when the next retry falls due (zero: none is left).
	// While an order of the cycle is open the run waits for it, so the
	// next retry is then made no earlier than this.
	NextRetryAt time.Time
	// GraceEndsAt is when the subscription expires if nothing is paid.
	GraceEndsAt time.Time
	// Open is the order of the open cycle still awaiting payment, if any.
	Open *Payment
	// LastFailure is the newest failed charge's reason, if it gave one.
	LastFailure string
}

// dunningEntry reads sub's schedule from the rule above. payments are the
// subscription's; an open retry order counts as made (its retry was sent),
// and the next one falls due after it.
func (s *Service) dunningEntry(sub Subscription, payments []Payment) DunningEntry {
	e := DunningEntry{Subscription: sub, GraceEndsAt: s.graceEnd(sub)}
	next := sub.DunningAttempts
	var newest time.Time
	for _, p := range payments {
		if p.Purpose != PurposeSubscription || p.Cycle != sub.Cycle+1 || p.Superseded {
			continue
		}
		if p.Status.Open() {
			q := p
			e.Open = &q
			// Retry k is sent as the cycle's attempt k+1.
			next = max(next, p.Attempt)
		}
		if p.Status.Dead() && !p.UpdatedAt.Before(newest) {
			newest, e.LastFailure = p.UpdatedAt, p.FailureReason
		}
	}
	e.RetriesMade = max(next-1, 0)
	if at, ok := s.retryReached(sub, next); ok {
		e.NextRetryAt = at
	}
	for k := next; ; k++ {
		if _, ok := s.retryReached(sub, k); !ok {
			break
		}
		e.RetriesLeft++
	}
	return e
}

// DunningQueue lists the past-due subscriptions (admin), the soonest to
// expire first, each with its retry schedule, and the total before paging.
func (s *Service) DunningQueue(ctx context.Context, a Actor, offset, limit int) ([]DunningEntry, int, error) {
	if err := requireAdmin(a); err != nil {
		return nil, 0, err
	}
	var out []DunningEntry
	err := s.store.View(ctx, func(tx Tx) error {
		out = out[:0]
		var subs []Subscription
		if err := tx.Subscriptions().ScanAll("", func(sub Subscription) bool {
			if sub.Status == SubPastDue {
				subs = append(subs, sub)
			}
			return true
		}); err != nil {
			return err
		}
		for _, sub := range subs {
			payments, err := tx.Payments().ListBySubscription(sub.ID)
			if err != nil {
				return err
			}
			out = append(out, s.dunningEntry(sub, payments))
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	slices.SortStableFunc(out, func(x, y DunningEntry) int {
		if c := x.GraceEndsAt.Compare(y.GraceEndsAt); c != 0 {
			return c
		}
		return strings.Compare(x.Subscription.ID, y.Subscription.ID)
	})
	return page(out, offset, limit), len(out), nil
}
