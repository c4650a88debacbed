package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// RunSummary counts what one billing run did.
type RunSummary struct {
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at"`
	Counts     map[string]int `json:"counts"`
	Errors     int            `json:"errors"`
	StaleOpen  int            `json:"stale_open_payments"`
}

type counter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counter) inc(k string) {
	c.mu.Lock()
	c.m[k]++
	c.mu.Unlock()
}

// engineBatch bounds memory however many subscriptions are due: ids are
// read in batches over an index cursor. Config.EngineWorkers bounds the
// gateway calls in flight; concurrent workers' store writes share commits.
// A batch's charges are prepared in one transaction and recorded in
// another, whose dirty pages stay in memory until it commits. At 512 the
// record transaction was about 40% of the live heap of a run of 1,000,000
// renewals; at 256 the run's peak RSS fell from 98.6 MB to 74–76 MB, for
// twice the commits (3,912 renewals/s before, 3,329–3,456 after).
const engineBatch = 256

// enginePipelines is how many batches of a billing run are in flight.
const enginePipelines = 3

// StaleAlert is the number of stale payments reported by the last run when
// above the alert threshold (0 otherwise); /readyz shows it.
func (s *Service) StaleAlert() int { return int(s.staleAlert.Load()) }

// RunDue runs every job that is due at the clock's current time: stored
// but unapplied notifications, renewals, trial ends, dunning retries,
// expiries, period-end cancellations, reminders, overdue invoices and
// reconciliation of open payments. Every step is idempotent, so a run that
// is killed half way is simply run again.
func (s *Service) RunDue(ctx context.Context) (RunSummary, error) {
	return s.RunDueProgress(ctx, nil)
}

// RunDueProgress is RunDue calling onItem (if not nil) after each
// subscription it visits, for a progress display. onItem must be safe for
// concurrent use.
func (s *Service) RunDueProgress(ctx context.Context, onItem func()) (RunSummary, error) {
	sum := RunSummary{StartedAt: s.now()}
	c := &counter{m: map[string]int{}}
	var errs atomic.Int64
	// With several instances on one store only the leader runs the jobs
	// that must run once (leases.go); every instance advances subscriptions.
	leader, err := s.leadRun(ctx)
	if err != nil {
		return sum, err
	}
	s.leader.Store(leader)
	if leader {
		if err := s.runLeaderJobs(ctx, c, &errs, &sum); err != nil {
			return sum, err
		}
	}
	if err := s.runSubscriptions(ctx, c, &errs, onItem); err != nil {
		return sum, err
	}
	if leader {
		if err := s.markOverdue(ctx, c); err != nil {
			return sum, err
		}
	}
	// Relay what this run emitted and deliver what is due, so a run (and a
	// manual clock advance) leaves no queue behind.
	if r, d, err := s.RunNotifications(ctx); err != nil {
		return sum, err
	} else if r+d > 0 {
		c.m["events_relayed"], c.m["notifications_delivered"] = r, d
	}
	if leader {
		if err := s.store.Update(ctx, func(tx Tx) error {
			_, err := tx.Idempotency().DeleteExpired(s.now(), 1000)
			return err
		}); err != nil {
			return sum, err
		}
		if n, err := s.PruneWebhookLogs(ctx); err != nil {
			return sum, err
		} else if n > 0 {
			c.m["webhook_logs_pruned"] = n
		}
		if n, err := s.pruneSessions(ctx, 1000); err != nil {
			return sum, err
		} else if n > 0 {
			c.m["sessions_pruned"] = n
		}
	}
	sum.Counts, sum.Errors, sum.FinishedAt = c.m, int(errs.Load()), s.now()
	return sum, ctx.Err()
}

// runSubscriptions visits every subscription whose NextActionAt has come,
// through the due index, in batches, with bounded concurrency. The scan
// resumes after the last entry it handed out, so it holds one batch, never
// the set of subscriptions already visited. A subscription whose next
// action is moved ahead of the scan's position and is still due (an
// expired order closed, due again at once) is visited again in this run:
// its next action is then already the following step. With several
// instances on one store, batches are claimed instead (leases.go).
func (s *Service) runSubscriptions(ctx context.Context, c *counter, errs *atomic.Int64, onItem func()) (err error) {
	now := s.now()
	defer func() { err = errors.Join(err, s.releaseClaims(ctx)) }()
	// Gateway calls in flight, shared by every batch of the run.
	sem := make(chan struct{}, s.cfg.EngineWorkers)
	// Batches in flight: while one batch waits for Midtrans, the next is
	// prepared and the previous one recorded. EngineWorkers bounds them
	// too: with one worker a run takes one step at a time, in order (the
	// simulator's determinism rests on that). A batch is read only once it
	// has a slot: read before, it ran beside the batches in flight (with
	// one worker, beside the one batch, which the simulator's race
	// detector caught) and its records aged while it waited.
	inflight := make(chan struct{}, min(enginePipelines, s.cfg.EngineWorkers))
	var wg sync.WaitGroup
	var afterAt time.Time
	afterID := ""
	for ctx.Err() == nil {
		inflight <- struct{}{}
		batch, err := s.dueItems(ctx, now, afterAt, afterID)
		if err != nil {
			<-inflight
			wg.Wait()
			return err
		}
		if len(batch) == 0 {
			<-inflight
			break
		}
		last := batch[len(batch)-1].sub
		afterAt, afterID = last.NextActionAt, last.ID
		wg.Add(1)
		go func() {
			defer func() { <-inflight; wg.Done() }()
			s.runBatch(ctx, batch, now, sem, c, errs, onItem)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// dueItems is the next batch of due subscriptions after the entry (afterAt,
// afterID) ("": from the start), or the next batch this instance claimed.
func (s *Service) dueItems(ctx context.Context, now, afterAt time.Time, afterID string) ([]dueItem, error) {
	var ids []string
	if s.leases != nil {
		// A claim starts at the clock's time now, not at the run's start:
		// its expiry must lie ClaimTTL after the moment it was taken.
		var err error
		if ids, err = s.leases.ClaimDue(ctx, s.instance, s.now(), s.cfg.ClaimTTL, engineBatch); err != nil {
			return nil, fmt.Errorf("claim due subscriptions: %w", err)
		}
		if len(ids) == 0 {
			return nil, nil
		}
	}
	var batch []dueItem
	err := s.store.View(ctx, func(tx Tx) error {
		batch = batch[:0] // fn may run more than once
		plans := map[string]Plan{}
		visit := func(sub Subscription) bool {
			it, err := s.loadDue(tx, sub, plans)
			if err != nil {
				// Counted as this subscription's error; the run goes on.
				it = dueItem{sub: sub, err: err}
			}
			batch = append(batch, it)
			return len(batch) < engineBatch
		}
		if ids != nil {
			for _, id := range ids {
				sub, err := tx.Subscriptions().Get(id)
				if err != nil {
					sub.ID = id
					batch = append(batch, dueItem{sub: sub, err: err})
					continue
				}
				visit(sub)
			}
			return nil
		}
		if afterID == "" {
			return tx.Subscriptions().ScanDue(now, visit)
		}
		return tx.Subscriptions().ScanDueAfter(now, afterAt, afterID, visit)
	})
	return batch, err
}

// dueItem is a subscription the due scan found, with what deciding its
// next step reads.
type dueItem struct {
	sub  Subscription
	plan Plan
	open []Payment
	err  error // reading them failed
}

// loadDue reads what advanceLoaded needs of sub; plans caches plans by id
// for the scan's transaction.
func (s *Service) loadDue(tx Tx, sub Subscription, plans map[string]Plan) (dueItem, error) {
	plan, ok := plans[sub.PlanID]
	if !ok {
		var err error
		if plan, err = tx.Plans().Get(sub.PlanID); err != nil {
			return dueItem{}, err
		}
		plans[sub.PlanID] = plan
	}
	open, err := s.openPayments(tx, sub.ID)
	if err != nil {
		return dueItem{}, err
	}
	return dueItem{sub: sub, plan: plan, open: open}, nil
}

// runBatch takes the step due for each subscription of a batch. Charges of
// the engine's own cycles are collected and made together (chargeCycles);
// every other step runs on its own, at most EngineWorkers at once.
func (s *Service) runBatch(ctx context.Context, batch []dueItem, now time.Time, sem chan struct{}, c *counter, errs *atomic.Int64, onItem func()) {
	done := func(step string, err error) {
		if err != nil {
			errs.Add(1)
			c.inc("errors")
		} else if step != "" {
			c.inc(step)
		}
		if onItem != nil {
			onItem()
		}
	}
	var mu sync.Mutex
	var charges []*cycleCharge
	var wg sync.WaitGroup
	for _, it := range batch {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if it.err != nil {
				done("", it.err)
				return
			}
			step, cycle, err := s.advanceLoaded(ctx, it, now)
			if err == nil && cycle > 0 {
				if batchable(it.sub) {
					mu.Lock()
					charges = append(charges, &cycleCharge{sub: it.sub, cycle: cycle, step: step})
					mu.Unlock()
					return
				}
				err = s.chargeNative(ctx, it.sub, cycle)
			}
			done(step, err)
		}()
	}
	wg.Wait()
	s.chargeCycles(ctx, charges, sem)
	for _, ch := range charges {
		done(ch.step, ch.err)
	}
}

// advanceLoaded decides the one action due for a subscription and takes
// it, except a charge of the engine's: that it answers as the cycle to
// charge (0: none), for the caller to make.
func (s *Service) advanceLoaded(ctx context.Context, it dueItem, now time.Time) (string, int, error) {
	sub, plan, open, id := it.sub, it.plan, it.open, it.sub.ID
	if sub.NextActionAt.IsZero() || sub.NextActionAt.After(now) {
		return "", 0, nil
	}
	// An open order decides first: wait for it, or settle it if overdue.
	for _, p := range open {
		switch {
		case p.Status == PaymentCreating:
			if _, err := s.pollPayment(ctx, p); err != nil {
				return "", 0, err
			}
			return "payments_polled", 0, s.rescheduleIfDue(ctx, id, now.Add(time.Minute))
		case !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt):
			// Past its expiry and no notification said so: expire it at
			// Midtrans (or learn it was paid) so the cycle can move on.
			if err := s.closeStale(ctx, p); err != nil {
				return "", 0, err
			}
			return "payments_expired", 0, s.rescheduleIfDue(ctx, id, now)
		}
	}
	if len(open) > 0 && sub.Status != SubPaused {
		return "", 0, s.reschedule(ctx, id, open[0].ExpiresAt)
	}
	if sub.PaymentType == PayManual {
		step, err := s.advanceManual(ctx, sub, plan, now)
		return step, 0, err
	}
	switch sub.Status {
	case SubPending:
		return "expired", 0, s.endSubscription(ctx, id, SubExpired, "first payment never completed")
	case SubTrialing:
		if now.Before(sub.TrialEnd) {
			return "trial_reminders", 0, s.remind(ctx, id, EvSubscriptionTrialEnding, 1)
		}
		if sub.CancelAtPeriodEnd {
			return "cancelled", 0, s.endSubscription(ctx, id, SubCancelled, sub.CancelReason)
		}
		return "trial_charges", 1, nil
	case SubActive:
		end := sub.CurrentPeriodEnd
		if !sub.EndsAt.IsZero() && sub.EndsAt.Before(end) {
			end = sub.EndsAt
		}
		if now.Before(end) {
			if needsNativeCheck(sub, end) && !now.Before(end.Add(-nativeCheckLead)) {
				return "native_checked", 0, s.checkNative(ctx, sub, end)
			}
			return "reminders", 0, s.remindExpiring(ctx, id, end)
		}
		switch {
		case sub.CancelAtPeriodEnd:
			return "cancelled", 0, s.endSubscription(ctx, id, SubCancelled, sub.CancelReason)
		case !sub.EndsAt.IsZero() && !sub.EndsAt.After(now):
			return "ended", 0, s.endSubscription(ctx, id, SubExpired, "end date reached")
		case plan.MaxCycles > 0 && sub.Cycle >= plan.MaxCycles:
			return "max_cycles", 0, s.endSubscription(ctx, id, SubExpired, "max cycles reached")
		case sub.ScheduledPlanID != "":
			return "plan_changes", 0, s.applyScheduledPlan(ctx, id)
		case sub.Native() && !sub.NativeDisabled:
			// Midtrans charges it; if no renewal arrived a day after the
			// period end, ask Midtrans.
			if now.Before(end.Add(24 * time.Hour)) {
				return "", 0, s.reschedule(ctx, id, end.Add(24*time.Hour))
			}
			if _, err := s.SyncSubscription(ctx, Actor{IsAdmin: true}, id); err != nil {
				return "", 0, err
			}
			// Still unpaid a day after it fell due (Midtrans is retrying, or
			// holds a charge for review): past due like any renewal, so
			// access ends with the grace period if no charge comes. Midtrans
			// makes the retries.
			return "native_synced", 0, s.store.Update(ctx, func(tx Tx) error {
				cur, err := tx.Subscriptions().Get(id)
				if err != nil {
					return err
				}
				if cur.Status != SubActive || cur.Cycle != sub.Cycle {
					return nil // renewed (or changed) meanwhile
				}
				if _, err := s.enterPastDue(&cur, plan, s.cfg.DunningRetries+1, s.now()); err != nil {
					return err
				}
				if err := tx.Subscriptions().Put(cur); err != nil {
					return err
				}
				return s.emit(tx, EvSubscriptionPastDue, cur.OwnerID, s.now(), subscriptionData(cur))
			})
		}
		return "renewals", sub.Cycle + 1, nil
	case SubPastDue:
		// Retries come first: a retry falling due when the grace period
		// ends is still made, and its order may still be paid.
		if at, ok := s.retryDue(sub); ok && !now.Before(at) {
			return "retries", sub.Cycle + 1, nil
		}
		if !now.Before(s.graceEnd(sub)) {
			return "expired", 0, s.endSubscription(ctx, id, SubExpired, "grace period ended unpaid")
		}
		return "", 0, s.reschedule(ctx, id, s.nextAction(sub, plan, now))
	case SubPaused:
		if !sub.EndsAt.IsZero() && !sub.EndsAt.After(now) {
			return "ended", 0, s.endSubscription(ctx, id, SubExpired, "end date reached")
		}
		return "", 0, s.reschedule(ctx, id, time.Time{})
	}
	return "", 0, s.reschedule(ctx, id, time.Time{})
}

// chargeNative is chargeAndWait for a subscription that Midtrans may charge
// from now on: once the cycle is paid, it is handed back to Midtrans.
func (s *Service) chargeNative(ctx context.Context, sub Subscription, cycle int) error {
	if err := s.chargeAndWait(ctx, sub.ID, cycle); err != nil {
		return err
	}
	if sub.Native() || wantsNative(sub) {
		s.afterCyclePaid(ctx, sub.ID)
	}
	return nil
}

// chargeAndWait issues the cycle's charge and schedules the next look for
// when that order expires.
func (s *Service) chargeAndWait(ctx context.Context, id string, cycle int) error {
	p, sent, err := s.chargeCycleSent(ctx, id, cycle)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && (errors.Is(err, ErrUnprocessable) || errors.Is(err, ErrConflict)) {
			// A final refusal (declined card, invalid request) was recorded as a
			// failed payment; dunning carries on from there.
			return nil
		}
		return err
	}
	switch {
	case !p.Status.Open():
		return nil
	case p.ExpiresAt.IsZero():
		// The gateway did not answer: look again shortly (reconciliation
		// will have asked Midtrans by then).
		return s.rescheduleIfDue(ctx, id, s.now().Add(10*time.Minute))
	case !sent:
		return s.rescheduleIfDue(ctx, id, p.ExpiresAt) // an older live order
	}
	return nil // recordCharge moved the next action to the order's expiry
}

// reschedule sets NextActionAt unconditionally.
func (s *Service) reschedule(ctx context.Context, id string, at time.Time) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sub, err := tx.Subscriptions().Get(id)
		if err != nil {
			return err
		}
		sub.NextActionAt = at
		return tx.Subscriptions().Put(sub)
	})
}

// rescheduleIfDue moves NextActionAt only if it is still in the past (a
// payment applied meanwhile may already have set a later one).
func (s *Service) rescheduleIfDue(ctx context.Context, id string, at time.Time) error {
	return s.store.Update(ctx, func(tx Tx) error { return s.rescheduleIfDueTx(tx, id, at, s.now()) })
}

// rescheduleIfDueTx is rescheduleIfDue inside tx.
func (s *Service) rescheduleIfDueTx(tx Tx, id string, at, now time.Time) error {
	sub, err := tx.Subscriptions().Get(id)
	if err != nil {
		return err
	}
	if !sub.NextActionAt.IsZero() && sub.NextActionAt.After(now) {
		return nil
	}
	sub.NextActionAt = at
	return tx.Subscriptions().Put(sub)
}

// endSubscription cancels or expires a subscription for the engine, and
// ends it at Midtrans too.
func (s *Service) endSubscription(ctx context.Context, id string, to SubscriptionStatus, reason string) error {
	native := false
	if err := s.store.Update(ctx, func(tx Tx) error {
		native = false
		now := s.now()
		sub, err := tx.Subscriptions().Get(id)
		if err != nil {
			return err
		}
		if sub.Status.Terminal() {
			return nil
		}
		if err := sub.Transition(to, now); err != nil {
			return err
		}
		native = sub.Native()
		sub.NextActionAt = time.Time{}
		if to == SubCancelled {
			sub.CancelledAt = now
		}
		if sub.CancelReason == "" {
			sub.CancelReason = reason
		}
		if err := s.endCredit(tx, &sub, now); err != nil {
			return err
		}
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		ev := EvSubscriptionExpired
		if to == SubCancelled {
			ev = EvSubscriptionCancelled
		}
		return s.emit(tx, ev, sub.OwnerID, now, subscriptionData(sub))
	}); err != nil {
		return err
	}
	if native {
		return s.syncNative(ctx, id)
	}
	return nil
}

// endCredit pays credit a subscription still carries when it ends into
// the owner's wallet: downgrade credit is never lost. The unpaid next
// cycle's invoice is voided first and gives back the credit it had taken.
func (s *Service) endCredit(tx Tx, sub *Subscription, now time.Time) error {
	inv, err := tx.Invoices().GetByKey(sub.ID, CycleKey(sub.Cycle+1))
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	case inv.Status == InvoiceOpen || inv.Status == InvoiceOverdue || inv.Status == InvoiceDraft:
		returnCarried(sub, inv)
		inv.Status, inv.UpdatedAt = InvoiceVoid, now
		if err := tx.Invoices().Put(inv); err != nil {
			return err
		}
	}
	var credit Money
	if sub.PendingCredit.Valid() && sub.PendingCredit.IsNegative() {
		credit = sub.PendingCredit.Neg()
		sub.PendingCredit = Zero(credit.Currency())
	}
	if b := sub.CreditNoteBalance; b.Valid() && b.IsPositive() {
		credit = orZero(credit, b.Currency()).Add(b)
		sub.CreditNoteBalance = Zero(b.Currency())
	}
	if !credit.Valid() || !credit.IsPositive() {
		return nil
	}
	_, err = s.creditWallet(tx, sub.OwnerID, credit, EntryRefund, "subscription", sub.ID, "Unused credit of an ended subscription", now)
	return err
}

// remind sends a one-off reminder (bit of RemindersSent) and reschedules.
func (s *Service) remind(ctx context.Context, id, ev string, bit int) error {
	return s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		sub, err := tx.Subscriptions().Get(id)
		if err != nil {
			return err
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err != nil {
			return err
		}
		if bit != 0 && sub.RemindersSent&bit == 0 {
			sub.RemindersSent |= bit
			if err := s.emit(tx, ev, sub.OwnerID, now, subscriptionData(sub)); err != nil {
				return err
			}
		}
		sub.NextActionAt = s.nextAction(sub, plan, now)
		return tx.Subscriptions().Put(sub)
	})
}

// remindExpiring sends the 7/3/1-day notices before a last period ends.
func (s *Service) remindExpiring(ctx context.Context, id string, end time.Time) error {
	now := s.now()
	bit := 0
	for i, d := range reminderDays {
		if !now.Before(end.Add(-time.Duration(d) * 24 * time.Hour)) {
			bit |= 1 << i
		}
	}
	if bit == 0 {
		return s.remind(ctx, id, EvSubscriptionExpiringSoon, 0) // nothing to send: just the next look
	}
	return s.remind(ctx, id, EvSubscriptionExpiringSoon, bit)
}

// markOverdue marks open invoices past their due date overdue.
func (s *Service) markOverdue(ctx context.Context, c *counter) error {
	now := s.now()
	for {
		var batch []Invoice
		if err := s.store.View(ctx, func(tx Tx) error {
			return tx.Invoices().ScanOpenDue(now, func(inv Invoice) bool {
				batch = append(batch, inv)
				return len(batch) < engineBatch
			})
		}); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		marked := 0
		if err := s.store.Update(ctx, func(tx Tx) error {
			marked = 0
			for _, inv := range batch {
				cur, err := tx.Invoices().Get(inv.ID)
				if err != nil || cur.Status != InvoiceOpen {
					continue
				}
				cur.Status, cur.UpdatedAt = InvoiceOverdue, now
				if err := tx.Invoices().Put(cur); err != nil {
					return err
				}
				marked++
				if err := s.emit(tx, EvInvoiceOverdue, cur.OwnerID, now, map[string]any{"invoice_id": cur.ID, "number": cur.Number, "total": cur.Total.String()}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		for range marked {
			c.inc("invoices_overdue")
		}
	}
}

// reconcile is the pending-webhook check: payments still "creating" are
// adopted or issued again; pending ones older than StaleAfter are polled.
func (s *Service) reconcile(ctx context.Context, c *counter, errs *atomic.Int64, sum *RunSummary) error {
	if s.gw == nil {
		return nil
	}
	now := s.now()
	var todo []Payment
	stale := 0
	if err := s.store.View(ctx, func(tx Tx) error {
		return tx.Payments().ScanOpen(func(p Payment) bool {
			old := s.stale(p, now)
			if old {
				stale++
			}
			if p.Status == PaymentCreating || old || (!p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt)) {
				todo = append(todo, p)
			}
			return len(todo) < 10*engineBatch
		})
	}); err != nil {
		return err
	}
	sem := make(chan struct{}, s.cfg.EngineWorkers)
	var wg sync.WaitGroup
	for _, p := range todo {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := s.pollPayment(ctx, p); err != nil {
				errs.Add(1)
				c.inc("reconcile_errors")
				return
			}
			c.inc("payments_reconciled")
		}()
	}
	wg.Wait()
	sum.StaleOpen = stale
	if stale > s.cfg.StaleAlert {
		s.staleAlert.Store(int64(stale))
		return s.store.Update(ctx, func(tx Tx) error {
			return s.emit(tx, EvAlert, "", now, map[string]any{"alert": "stale_payments", "count": stale})
		})
	}
	s.staleAlert.Store(0)
	return nil
}

// stale reports whether open payment p is old enough for reconciliation
// to ask Midtrans about it (and to count towards the stale alert).
func (s *Service) stale(p Payment, now time.Time) bool {
	return now.Sub(p.CreatedAt) >= s.cfg.StaleAfter
}

// StalePayments lists the open payments reconciliation counts as stale
// (admin), oldest first, with the total before paging. StaleAlert is the
// count the last run raised an alert for.
func (s *Service) StalePayments(ctx context.Context, a Actor, offset, limit int) ([]Payment, int, error) {
	if err := requireAdmin(a); err != nil {
		return nil, 0, err
	}
	var out []Payment
	err := s.store.View(ctx, func(tx Tx) error {
		out = out[:0]
		now := s.now()
		// Oldest first: the first one not stale ends the stale ones.
		return tx.Payments().ScanOpen(func(p Payment) bool {
			if !s.stale(p, now) {
				return false
			}
			out = append(out, p)
			return true
		})
	})
	if err != nil {
		return nil, 0, err
	}
	return page(out, offset, limit), len(out), nil
}

// NextDue is the earliest future moment at which a job falls due: a
// subscription's next action, an invoice's due date, an open payment's
// expiry, or a notification retry. The manual clock steps to it so that
// jobs run at their own times.
func (s *Service) NextDue(ctx context.Context) (time.Time, bool, error) {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	far := s.now().AddDate(100, 0, 0)
	err := s.store.View(ctx, func(tx Tx) error {
		if err := tx.Subscriptions().ScanDue(far, func(sub Subscription) bool {
			consider(sub.NextActionAt)
			return false
		}); err != nil {
			return err
		}
		if err := tx.Invoices().ScanOpenDue(far, func(inv Invoice) bool {
			consider(inv.DueDate)
			return false
		}); err != nil {
			return err
		}
		if err := tx.Payments().ScanRefundCheck(far, func(p Payment) bool {
			consider(p.RefundCheckAt)
			return false
		}); err != nil {
			return err
		}
		return tx.Payments().ScanOpen(func(p Payment) bool {
			consider(p.ExpiresAt)
			consider(p.CreatedAt.Add(s.cfg.StaleAfter))
			return true
		})
	})
	if err != nil {
		return time.Time{}, false, err
	}
	if t, ok, err := s.NextNotificationDue(ctx); err != nil {
		return time.Time{}, false, err
	} else if ok {
		consider(t)
	}
	return next, !next.IsZero(), nil
}
