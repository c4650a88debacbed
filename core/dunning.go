package core

import "time"

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
