package core

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// AdminSubscriptionInput is the BOB create_subscription / update_subscription
// call: an admin sets a subscription's plan, status and dates explicitly.
// On update, nil fields are left alone.
type AdminSubscriptionInput struct {
	PlanID             *string // id or slug
	Status             *string
	BillingCycleAnchor *time.Time
	StartDate          *time.Time
	TrialStart         *time.Time
	TrialEnd           *time.Time
	PaymentType        *string // default manual
	Quantity           *int
	// Renew (update only) records that the admin collected the next period
	// outside Midtrans: the subscription moves one period on.
	Renew bool
}

// Manual subscriptions (payment_type "manual": enterprise invoices, comps)
// are billed outside Midtrans. They are never charged: their NextActionAt
// is the period end (so period-end cancels, end dates and reminders still
// run), and the renewal itself is recorded by an admin through
// AdminUpdateSubscription (renew, or new dates). advanceManual is the
// billing engine's step for them.

// AdminCreateOrgSubscription creates a subscription for an organization in
// the given status without charging anything (create_subscription).
func (s *Service) AdminCreateOrgSubscription(ctx context.Context, a Actor, orgID string, in AdminSubscriptionInput) (Subscription, error) {
	if err := requireAdmin(a); err != nil {
		return Subscription{}, err
	}
	fe := FieldErrors{}
	status := SubActive
	if in.Status != nil {
		st, err := ParseSubscriptionStatus(*in.Status)
		switch {
		case err != nil:
			fe.Add("subscription_status", "one of pending, trialing, active, past_due, paused")
		case st.Terminal():
			fe.Add("subscription_status", "a new subscription cannot start "+string(st))
		}
		status = st
	}
	ptype := PayManual
	if in.PaymentType != nil && *in.PaymentType != "" {
		pt, err := ParsePaymentType(*in.PaymentType)
		if err != nil {
			fe.Add("payment_type", "one of manual, wallet, bank_transfer, echannel, gopay, shopeepay, qris, cstore, credit_card")
		}
		ptype = pt
	}
	if status == SubPending && ptype != PayManual {
		fe.Add("subscription_status", "only manual subscriptions can be created pending by an admin")
	}
	if in.PlanID == nil || *in.PlanID == "" {
		fe.Add("plan_id", "required")
	}
	qty := 1
	if in.Quantity != nil {
		qty = *in.Quantity
		validQuantity(qty, "quantity", fe)
	}
	if err := fe.Err(); err != nil {
		return Subscription{}, err
	}
	var sub Subscription
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		if _, err := s.visibleOrg(tx, a, orgID); err != nil {
			return err
		}
		plan, err := s.findPlan(tx, *in.PlanID)
		if err != nil || plan.Status == PlanArchived {
			return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "no plan with this id or slug"}}
		}
		existing, err := tx.Subscriptions().ListByOwner(orgID)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if e.PlanID == plan.ID && e.Status.Live() {
				return Conflictf("a live subscription to plan %q already exists (%s); update it instead", plan.Slug, e.ID)
			}
		}
		sub = Subscription{ID: s.ids.NewID(), OwnerID: orgID, CreatedBy: a.UserID, PlanID: plan.ID, Quantity: qty,
			Status: status, PaymentType: ptype, PendingCredit: Zero(plan.Currency()), CreatedAt: now, UpdatedAt: now,
			Metadata: map[string]any{"managed_by": "admin"}}
		if ptype == PayBankTransfer {
			sub.Bank = "bca"
		}
		if !plan.PerSeat {
			sub.Quantity = 1
		}
		if err := s.checkSeatsForPlan(tx, sub, plan); err != nil {
			return err
		}
		if err := s.setAdminDates(&sub, plan, in, now, true); err != nil {
			return err
		}
		sub.NextActionAt = s.nextAction(sub, plan, now)
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		return s.emit(tx, EvSubscriptionCreated, orgID, now, subscriptionData(sub))
	})
	return sub, err
}

// setAdminDates applies explicit dates and places the current period.
func (s *Service) setAdminDates(sub *Subscription, plan Plan, in AdminSubscriptionInput, now time.Time, creating bool) error {
	fe := FieldErrors{}
	utc := func(t *time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
	start := sub.CreatedAt
	if in.StartDate != nil {
		start = utc(in.StartDate)
	} else if !sub.CurrentPeriodStart.IsZero() && !creating {
		start = sub.CurrentPeriodStart
	}
	if in.TrialStart != nil {
		sub.TrialStart = utc(in.TrialStart)
	}
	if in.TrialEnd != nil {
		sub.TrialEnd = utc(in.TrialEnd)
	}
	if sub.Status == SubTrialing {
		if sub.TrialStart.IsZero() {
			sub.TrialStart = start
		}
		if sub.TrialEnd.IsZero() {
			if plan.TrialPeriodDays > 0 {
				sub.TrialEnd = sub.TrialStart.AddDate(0, 0, plan.TrialPeriodDays)
			} else {
				fe.Add("trial_end", "required for a trialing subscription")
			}
		}
	}
	if !sub.TrialEnd.IsZero() && !sub.TrialEnd.After(sub.TrialStart) {
		fe.Add("trial_end", "must be after trial_start")
	}
	if in.BillingCycleAnchor != nil {
		sub.Anchor, sub.AnchorCycle = utc(in.BillingCycleAnchor), 0
	}
	if err := fe.Err(); err != nil {
		return err
	}
	switch sub.Status {
	case SubTrialing:
		sub.CurrentPeriodStart, sub.CurrentPeriodEnd = sub.TrialStart, sub.TrialEnd
		sub.NextBillingDate = sub.TrialEnd
		if sub.Anchor.IsZero() {
			sub.Anchor = sub.TrialEnd
		}
	case SubPending:
	default:
		if sub.Anchor.IsZero() {
			sub.Anchor = start
			if !sub.TrialEnd.IsZero() {
				sub.Anchor = sub.TrialEnd
			}
		}
		sch := s.schedule(*sub, plan)
		at := now
		if start.After(at) {
			at = start
		}
		if sub.Anchor.After(at) {
			// A future anchor: a first, partial period up to it.
			sub.CurrentPeriodStart, sub.CurrentPeriodEnd = start, sub.Anchor
			if !start.Before(sub.Anchor) {
				sub.CurrentPeriodStart = at
			}
		} else {
			n := sch.PeriodContaining(at)
			sub.CurrentPeriodStart, sub.CurrentPeriodEnd = sch.Boundary(n).UTC(), sch.Boundary(n+1).UTC()
		}
		sub.NextBillingDate = sub.CurrentPeriodEnd
		if sub.Cycle == 0 {
			sub.Cycle = 1
		}
		if sub.Status == SubPastDue && sub.PastDueSince.IsZero() {
			sub.PastDueSince = now
		}
		if sub.Status == SubPaused && sub.PausedAt.IsZero() {
			sub.PausedAt = now
		}
	}
	return nil
}

// AdminUpdateSubscription is update_subscription: an admin sets the plan,
// status (through the transition table) and dates explicitly. A plan set
// here switches at once without proration; a plan whose max_users is below
// the organization's member count is refused.
func (s *Service) AdminUpdateSubscription(ctx context.Context, a Actor, id string, in AdminSubscriptionInput) (Subscription, error) {
	if err := requireAdmin(a); err != nil {
		return Subscription{}, err
	}
	var out Subscription
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		sub, err := s.visibleSub(tx, a, id)
		if err != nil {
			return err
		}
		if sub.Status.Terminal() {
			return Conflictf("cannot update a %s subscription", sub.Status)
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err != nil {
			return err
		}
		fe := FieldErrors{}
		if in.PlanID != nil {
			np, err := s.findPlan(tx, *in.PlanID)
			if err != nil || np.Status == PlanArchived {
				fe.Add("plan_id", "no plan with this id or slug")
			} else if np.ID != plan.ID {
				if np.Currency() != plan.Currency() {
					return Unprocessablef("cannot change between currencies")
				}
				if err := s.checkSeatsForPlan(tx, sub, np); err != nil {
					return err
				}
				change := PlanChange{FromPlanID: plan.ID, ToPlanID: np.ID, At: now, Immediate: true, Proration: "0.00"}
				sub.PlanHistory = append(sub.PlanHistory, change)
				recordHistory(&sub, change, "applied by admin")
				reanchor(&sub, plan, np)
				sub.PlanID, sub.ScheduledPlanID, plan = np.ID, "", np
				if err := s.emit(tx, EvSubscriptionPlanChanged, sub.OwnerID, now, map[string]any{
					"subscription_id": sub.ID, "from_plan_id": change.FromPlanID, "to_plan_id": np.ID, "proration": "0.00"}); err != nil {
					return err
				}
			}
		}
		if in.PaymentType != nil {
			pt, err := ParsePaymentType(*in.PaymentType)
			if err != nil {
				fe.Add("payment_type", "unknown payment type")
			}
			sub.PaymentType = pt
			if pt == PayManual {
				sub.AutoPay = false
			}
		}
		if in.Quantity != nil {
			validQuantity(*in.Quantity, "quantity", fe)
			if plan.PerSeat {
				sub.Quantity = *in.Quantity
			}
		}
		var to SubscriptionStatus
		if in.Status != nil {
			st, err := ParseSubscriptionStatus(*in.Status)
			if err != nil {
				fe.Add("subscription_status", "one of "+fmt.Sprint(AllSubscriptionStatuses))
			}
			to = st
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if to != "" && to != sub.Status {
			from := sub.Status
			if err := sub.Transition(to, now); err != nil {
				return err
			}
			switch to {
			case SubCancelled:
				sub.CancelledAt = now
			case SubPaused:
				sub.PausedAt = now
				sub.Metadata = withMeta(sub.Metadata, "paused_from", string(from))
			case SubPastDue:
				sub.PastDueSince = now
			case SubActive:
				sub.PastDueSince, sub.PausedAt, sub.DunningAttempts = time.Time{}, time.Time{}, 0
			}
			if err := s.emit(tx, statusEvent(to), sub.OwnerID, now, subscriptionData(sub)); err != nil {
				return err
			}
		}
		if in.Renew {
			if sub.Status != SubActive && sub.Status != SubPastDue {
				return Conflictf("only an active or past due subscription can be renewed")
			}
			if sub.Anchor.IsZero() {
				sub.Anchor = sub.CurrentPeriodStart
			}
			sch := s.schedule(sub, plan)
			n := sch.PeriodContaining(sub.CurrentPeriodStart)
			if sub.CurrentPeriodStart.Before(sub.Anchor) {
				n = -1
			}
			sub.CurrentPeriodStart, sub.CurrentPeriodEnd = sch.Boundary(n+1).UTC(), sch.Boundary(n+2).UTC()
			sub.NextBillingDate, sub.Cycle, sub.RemindersSent = sub.CurrentPeriodEnd, sub.Cycle+1, 0
			if sub.Status == SubPastDue {
				if err := sub.Transition(SubActive, now); err != nil {
					return err
				}
				sub.PastDueSince, sub.DunningAttempts = time.Time{}, 0
			}
			if err := s.emit(tx, EvSubscriptionRenewed, sub.OwnerID, now, subscriptionData(sub)); err != nil {
				return err
			}
		} else if !sub.Status.Terminal() && (in.BillingCycleAnchor != nil || in.StartDate != nil || in.TrialStart != nil || in.TrialEnd != nil || to != "") {
			if err := s.setAdminDates(&sub, plan, in, now, false); err != nil {
				return err
			}
		}
		if sub.Status.Terminal() {
			sub.NextActionAt = time.Time{}
		} else {
			sub.NextActionAt = s.nextAction(sub, plan, now)
		}
		sub.UpdatedAt = now
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		out = sub
		return nil
	})
	if err != nil || (in.PlanID == nil && in.Quantity == nil) {
		return out, err
	}
	return s.afterPriceChange(ctx, a, out)
}

func statusEvent(st SubscriptionStatus) string {
	switch st {
	case SubActive:
		return EvSubscriptionActivated
	case SubPastDue:
		return EvSubscriptionPastDue
	case SubPaused:
		return EvSubscriptionPaused
	case SubCancelled:
		return EvSubscriptionCancelled
	case SubExpired:
		return EvSubscriptionExpired
	}
	return EvSubscriptionResumed
}

// FinishSubscription is finish_subscription: the subscription is cancelled
// now (admin). Open orders are cancelled and a native schedule stopped,
// as for an immediate cancel.
func (s *Service) FinishSubscription(ctx context.Context, a Actor, id string) (Subscription, error) {
	if err := requireAdmin(a); err != nil {
		return Subscription{}, err
	}
	return s.CancelSubscription(ctx, a, id, "finished by an administrator", true, false)
}

// OrgSubscription is get_subscription: the active subscription of an
// organization with its plan, features and permissions.
type OrgSubscription struct {
	Subscription Subscription
	Plan         Plan
	Permissions  []string
}

// GetOrgSubscription answers the organization's active (or trialing)
// subscription; 404 when there is none or the actor is not a member.
func (s *Service) GetOrgSubscription(ctx context.Context, a Actor, orgID string) (OrgSubscription, error) {
	var out OrgSubscription
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := s.visibleOrg(tx, a, orgID); err != nil {
			return err
		}
		sub, plan, ok, err := s.activeOrgSubscription(tx, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundf("the organization has no active subscription")
		}
		out = OrgSubscription{Subscription: sub, Plan: plan, Permissions: Permissions(plan)}
		return nil
	})
	return out, err
}

// Permissions are features["permissions"] when the plan lists them, else
// the feature keys whose values are truthy, sorted.
func Permissions(p Plan) []string {
	out := []string{}
	if v, ok := p.Features["permissions"]; ok {
		switch l := v.(type) {
		case []any:
			for _, x := range l {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		case []string:
			return append(out, l...)
		}
	}
	for k, v := range p.Features {
		if truthy(v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case int:
		return x != 0
	case int64:
		return x != 0
	case interface{ String() string }: // json.Number
		s := x.String()
		return s != "" && s != "0" && s != "0.0"
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// SetQuantity changes the seats of a per-seat subscription (its owner, or
// an organization owner or admin). The proration for the rest of the
// current period is not charged now: it is carried in PendingCredit to the
// next cycle invoice (positive: a charge, negative: a credit), computed as
// plan changes are and rounded once.
func (s *Service) SetQuantity(ctx context.Context, a Actor, id string, qty int) (Subscription, error) {
	fe := FieldErrors{}
	if validQuantity(qty, "quantity", fe); fe.Err() != nil {
		return Subscription{}, fe.Err()
	}
	var out Subscription
	err := s.withPreflight(ctx, a, id, func(tx Tx, sub *Subscription) error {
		sub.Quantity = qty
		return nil
	}, func() error {
		return s.store.Update(ctx, func(tx Tx) error {
			sub, plan, err := s.managedSub(tx, a, id)
			if err != nil {
				return err
			}
			if !plan.PerSeat {
				return UnprocessableCode("not_per_seat", "plan %q is not priced per seat; its quantity is always 1", plan.Slug)
			}
			switch sub.Status {
			case SubCancelled, SubExpired:
				return Conflictf("cannot change the quantity of a %s subscription", sub.Status)
			case SubPending:
				return Conflictf("pay or cancel the pending first charge before changing the quantity")
			}
			if qty == sub.Quantity {
				out = sub
				return nil
			}
			if o, ok, err := s.orgOf(tx, sub.OwnerID); err != nil {
				return err
			} else if ok && qty < len(o.Members) {
				return &Error{Kind: ErrUnprocessable, Code: "seat_limit",
					Message: fmt.Sprintf("the organization has %d members; the quantity cannot go below that", len(o.Members))}
			}
			now := s.now()
			if !sub.PendingCredit.Valid() {
				sub.PendingCredit = Zero(plan.Currency())
			}
			old := max(sub.Quantity, 1)
			if sub.Status == SubActive && now.Before(sub.CurrentPeriodEnd) && now.After(sub.CurrentPeriodStart) {
				credit, debit := prorate(seatPrice(plan, old), seatPrice(plan, qty), sub.CurrentPeriodStart, sub.CurrentPeriodEnd, now)
				sub.PendingCredit = sub.PendingCredit.Add(debit.Sub(credit))
			}
			sub.Metadata = withMeta(sub.Metadata, "quantity_history", append(anyList(sub.Metadata["quantity_history"]),
				map[string]any{"from": old, "to": qty, "at": now.Format(time.RFC3339)}))
			sub.Quantity, sub.UpdatedAt = qty, now
			if err := tx.Subscriptions().Put(sub); err != nil {
				return err
			}
			out = sub
			return nil
		})
	})
	if err != nil {
		return out, err
	}
	return s.afterPriceChange(ctx, a, out)
}

// afterPriceChange follows a stored change that moves the next invoice's
// total (seats, coupon, plan): an open renewal order is reissued at the
// new total, and Midtrans is kept in step.
func (s *Service) afterPriceChange(ctx context.Context, a Actor, sub Subscription) (Subscription, error) {
	if err := s.reissueOpenRenewal(ctx, sub.ID); err != nil {
		return s.currentAfter(ctx, a, sub.ID, err)
	}
	if sub.Native() {
		if err := s.syncNative(ctx, sub.ID); err != nil {
			return s.currentAfter(ctx, a, sub.ID, err)
		}
	}
	return s.GetSubscription(ctx, a, sub.ID)
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// advanceManual is the billing engine's step for a manual subscription: it
// ends it when due (period-end cancel, end date, max cycles) and otherwise
// charges nothing, leaving the renewal to an admin. billing.go's advance
// calls it before any charge.
func (s *Service) advanceManual(ctx context.Context, sub Subscription, plan Plan, now time.Time) (string, error) {
	end := sub.CurrentPeriodEnd
	if sub.Status == SubTrialing {
		end = sub.TrialEnd
	}
	if !sub.EndsAt.IsZero() && (end.IsZero() || sub.EndsAt.Before(end)) {
		end = sub.EndsAt
	}
	if (sub.Status == SubActive || sub.Status == SubTrialing) && !end.IsZero() && now.Before(end) {
		if sub.Status == SubActive {
			return "reminders", s.remindExpiring(ctx, sub.ID, end)
		}
		return "", s.reschedule(ctx, sub.ID, end)
	}
	switch {
	case sub.CancelAtPeriodEnd:
		return "cancelled", s.endSubscription(ctx, sub.ID, SubCancelled, sub.CancelReason)
	case !sub.EndsAt.IsZero() && !sub.EndsAt.After(now):
		return "ended", s.endSubscription(ctx, sub.ID, SubExpired, "end date reached")
	case plan.MaxCycles > 0 && sub.Cycle >= plan.MaxCycles && sub.Status == SubActive:
		return "max_cycles", s.endSubscription(ctx, sub.ID, SubExpired, "max cycles reached")
	case sub.ScheduledPlanID != "":
		return "plan_changes", s.applyScheduledPlan(ctx, sub.ID)
	}
	// Due for renewal: an admin records it; nothing is charged.
	return "manual_due", s.reschedule(ctx, sub.ID, time.Time{})
}
