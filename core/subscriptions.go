package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CreateSubscriptionInput is POST /api/subscriptions/.
type CreateSubscriptionInput struct {
	Plan            string // id or slug
	OrganizationID  string
	PaymentType     string
	Token           string // saved card token (credit_card)
	GopayAccountID  string // a linked GoPay payment method id or pay-account id
	PaymentMethodID string
	Customer        CustomerDetails
	Metadata        map[string]any
	Coupon          string
	Quantity        int
	AutoPay         bool
	EndsAt          time.Time
	// Snap: the channels offered and where the page returns, for snap.
	Snap SnapCheckout
}

// SubscriptionResult is a subscription with the payment that was issued
// for it, if any.
type SubscriptionResult struct {
	Subscription Subscription
	Payment      *Payment
}

// The one-live-subscription rule: an owner holds at most one live
// (not cancelled or expired) subscription per plan. A second one is a 409;
// to move between plans, change the plan.

// CreateSubscription starts a subscription: pending with a first charge,
// trialing when the plan has a trial (no charge until it ends), or active
// at once when paid from the wallet.
func (s *Service) CreateSubscription(ctx context.Context, a Actor, in CreateSubscriptionInput) (SubscriptionResult, error) {
	fe := FieldErrors{}
	ptype, err := ParsePaymentType(in.PaymentType)
	if err != nil {
		fe.Add("payment_type", "one of bank_transfer, echannel, gopay, shopeepay, qris, cstore, credit_card, wallet, snap")
	}
	snap := checkSnap(ptype, in.Snap, fe)
	if ptype == PayManual && !a.IsAdmin {
		fe.Add("payment_type", "manual subscriptions are created by an admin")
	}
	bank := ""
	if b, ok := in.Metadata["bank"].(string); ok {
		bank = strings.ToLower(b)
	}
	bank = checkBank(ptype, bank, "metadata.bank", fe)
	for k := range in.Metadata {
		if reservedMetaKey(k) {
			fe.Add("metadata."+k, "reserved for the service's own use")
		}
	}
	switch ptype {
	case PayCreditCard:
		if in.Token == "" && in.PaymentMethodID == "" {
			fe.Add("token", "a saved card token is required for credit_card")
		}
	}
	if in.Quantity != 0 {
		validQuantity(in.Quantity, "quantity", fe)
	}
	if in.Plan == "" {
		fe.Add("plan_id", "required")
	}
	if !in.EndsAt.IsZero() && !in.EndsAt.After(s.now()) {
		fe.Add("end_date", "must be in the future")
	}
	if err := fe.Err(); err != nil {
		return SubscriptionResult{}, err
	}
	if in.Quantity == 0 {
		in.Quantity = 1
	}

	var sub Subscription
	var needsCharge bool
	var walletPayment, cardCheck *Payment
	err = s.store.Update(ctx, func(tx Tx) error {
		needsCharge, walletPayment, cardCheck = false, nil, nil // fn may run more than once
		now := s.now()
		plan, err := s.findPlan(tx, in.Plan)
		if err != nil || plan.Status != PlanActive {
			return (&Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "no active plan with this id or slug"}})
		}
		owner := a.UserID
		if in.OrganizationID != "" {
			if err := s.requireOrgManager(tx, a, in.OrganizationID); err != nil {
				return err
			}
			owner = in.OrganizationID
		}
		existing, err := tx.Subscriptions().ListByOwner(owner)
		if err != nil {
			return err
		}
		trialled := false
		for _, e := range existing {
			if e.PlanID == plan.ID && e.Status.Live() {
				return Conflictf("a live subscription to plan %q already exists (%s); change its plan or cancel it first", plan.Slug, e.ID)
			}
			trialled = trialled || e.PlanID == plan.ID && !e.TrialStart.IsZero()
		}
		sub = Subscription{
			ID: s.ids.NewID(), OwnerID: owner, CreatedBy: a.UserID, PlanID: plan.ID, Quantity: in.Quantity,
			Status: SubPending, PaymentType: ptype, Bank: bank, CardToken: in.Token,
			CustomerDetails: in.Customer, Metadata: in.Metadata, AutoPay: in.AutoPay, EndsAt: in.EndsAt,
			PendingCredit: Zero(plan.Currency()), CreatedAt: now, UpdatedAt: now,
		}
		if !plan.PerSeat {
			sub.Quantity = 1
		}
		if ptype == PaySnap {
			sub.Metadata = withMeta(sub.Metadata, snapMetaKey, snapToMeta(snap))
		}
		if err := s.attachMethod(tx, &sub, in); err != nil {
			return err
		}
		if in.Coupon != "" {
			if err := s.redeemCoupon(tx, &sub, plan, in.Coupon, now); err != nil {
				return err
			}
		}
		// One trial per owner and plan (unless configured otherwise): a
		// returning subscriber starts paying at once.
		if plan.TrialPeriodDays > 0 && (!trialled || s.cfg.RepeatTrials) {
			sub.Status = SubTrialing
			sub.TrialStart = now
			sub.TrialEnd = now.AddDate(0, 0, plan.TrialPeriodDays)
			sub.CurrentPeriodStart, sub.CurrentPeriodEnd = now, sub.TrialEnd
			sub.NextBillingDate = sub.TrialEnd
		}
		if ptype == PayCreditCard && sub.PaymentMethodID == "" && !s.planted(DefectCardTrialKeepsSingleUseToken) {
			// The token is single-use: with nothing charged now (a trial, or
			// a first invoice fully discounted) it would be stale at the
			// first real charge, so the card is verified now and its saved
			// token kept instead.
			first, err := s.priceCycle(tx, sub, plan, 1, now)
			if err != nil {
				return err
			}
			if sub.Status == SubTrialing || !first.Total.IsPositive() {
				sub.CardToken = ""
				cardCheck = s.newCardCheck(sub, plan, now)
				if err := tx.Payments().Put(*cardCheck); err != nil {
					return err
				}
			}
		}
		sub.NextActionAt = s.nextAction(sub, plan, now)
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		if err := s.emit(tx, EvSubscriptionCreated, owner, now, subscriptionData(sub)); err != nil {
			return err
		}
		if sub.Status == SubPending && ptype == PayWallet {
			// Paid from the wallet in this same transaction: an insufficient
			// balance refuses the whole request and nothing is written.
			inv, err := s.cycleInvoice(tx, &sub, plan, 1, now)
			if err != nil {
				return err
			}
			if inv.Total.IsPositive() {
				var p Payment
				if _, err := s.tryWallet(tx, &sub, inv, 1, 1, now, &p); err != nil {
					return err
				}
				walletPayment = &p
				return nil
			}
		}
		needsCharge = sub.Status == SubPending && ptype != PayManual
		return nil
	})
	if err != nil {
		return SubscriptionResult{}, err
	}
	res := SubscriptionResult{Subscription: sub, Payment: walletPayment}
	if cardCheck != nil {
		if err := s.checkCard(ctx, *cardCheck, in.Token); err != nil {
			return SubscriptionResult{}, err
		}
	}
	if needsCharge {
		p, err := s.chargeCycle(ctx, sub.ID, 1)
		if err != nil {
			return SubscriptionResult{}, err
		}
		res.Payment = &p
	}
	if err := s.store.View(ctx, func(tx Tx) error {
		res.Subscription, err = tx.Subscriptions().Get(sub.ID)
		return err
	}); err != nil {
		return SubscriptionResult{}, err
	}
	if sub.Native() || (res.Subscription.Status == SubActive && wantsNative(res.Subscription)) {
		if err := s.ensureNative(ctx, res.Subscription.ID); err != nil {
			return res, nil // the subscription stands; sync retries the native link
		}
	}
	return res, nil
}

// attachMethod links a saved card or a linked GoPay account.
func (s *Service) attachMethod(tx Tx, sub *Subscription, in CreateSubscriptionInput) error {
	id := in.PaymentMethodID
	if id == "" && sub.PaymentType == PayGopay {
		id = in.GopayAccountID
	}
	if id == "" {
		return nil
	}
	m, err := tx.PaymentMethods().Get(id)
	if errors.Is(err, ErrNotFound) {
		m, err = tx.PaymentMethods().GetByAccountID(id)
	}
	if err != nil || m.OwnerID != sub.OwnerID && m.OwnerID != sub.CreatedBy {
		return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"payment_method_id": "no such payment method"}}
	}
	if m.Status != MethodActive {
		return Unprocessablef("the payment method is not active (%s)", m.Status)
	}
	if m.Type != sub.PaymentType {
		return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"payment_method_id": "payment method type differs from payment_type"}}
	}
	sub.PaymentMethodID = m.ID
	if m.Type == PayCreditCard {
		sub.CardToken = m.Token
	} else {
		sub.GopayAccountID = m.AccountID
	}
	return nil
}

// wantsNative: GoPay with a linked account, or a saved card, is billed by
// the Midtrans Subscription API after the first charge.
//
// A card qualifies only once its token is a saved one (a saved-card payment
// method): the token a first charge was made with is single-use, and a
// Midtrans subscription holding it would fail every charge.
func wantsNative(sub Subscription) bool {
	return (sub.PaymentType == PayGopay && sub.GopayAccountID != "") ||
		(sub.PaymentType == PayCreditCard && sub.CardToken != "" && sub.PaymentMethodID != "")
}

// findPlan resolves a plan id or slug.
func (s *Service) findPlan(tx Tx, idOrSlug string) (Plan, error) {
	if IsUUID(idOrSlug) {
		if p, err := tx.Plans().Get(idOrSlug); err == nil {
			return p, nil
		}
	}
	return tx.Plans().GetBySlug(idOrSlug)
}

// SubscriptionFilter narrows ListSubscriptions. Empty fields match all.
type SubscriptionFilter struct {
	Status      string
	PaymentType string
	Ordering    string // created_at, next_billing_date (with '-')
	OwnerID     string // an organization id, to list its subscriptions

	// All lists every owner's subscriptions (admins only); without it an
	// admin, like anyone, lists their own and their organizations'.
	All bool
	// Plan is a plan id or slug.
	Plan string
	// Search matches, case-insensitively, part of the owner's username,
	// email or name (an organization's name, or its owner's username or
	// email), or a whole subscription id.
	Search string
	// PastDue keeps subscriptions whose renewal is unpaid: past due, or
	// paused after failed charges.
	PastDue bool
	// Offset and Limit cut one page of the ordered list (Limit 0: all).
	Offset, Limit int
}

// ListSubscriptions lists what the actor may see; see ListSubscriptionsPage.
func (s *Service) ListSubscriptions(ctx context.Context, a Actor, f SubscriptionFilter) ([]Subscription, error) {
	list, _, err := s.ListSubscriptionsPage(ctx, a, f)
	return list, err
}

// subscriptionOrderings are the orderings a subscription list accepts.
var subscriptionOrderings = map[string]func(a, b Subscription) int{
	"created_at":        func(a, b Subscription) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"next_billing_date": func(a, b Subscription) int { return a.NextBillingDate.Compare(b.NextBillingDate) },
}

// ListSubscriptionsPage lists what the actor may see, filtered and ordered,
// cut to the filter's page, and answers how many matched in all.
func (s *Service) ListSubscriptionsPage(ctx context.Context, a Actor, f SubscriptionFilter) ([]Subscription, int, error) {
	fe := FieldErrors{}
	// Empty means "any": parsing it would only build an error to drop.
	if f.Status != "" {
		if _, err := ParseSubscriptionStatus(f.Status); err != nil {
			fe.Add("status", "one of pending, trialing, active, past_due, paused, cancelled, expired")
		}
	}
	if f.PaymentType != "" {
		if _, err := ParsePaymentType(f.PaymentType); err != nil {
			fe.Add("payment_type", "a known payment type")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	if f.All && !a.IsAdmin {
		return nil, 0, Forbiddenf("only an administrator may list every subscription")
	}
	if err := sortBy([]Subscription(nil), f.Ordering, "-created_at", subscriptionOrderings); err != nil {
		return nil, 0, err
	}
	var out []Subscription
	total := 0
	err := s.store.View(ctx, func(tx Tx) error {
		out, total = nil, 0
		keep, failed, err := s.subscriptionMatcher(tx, f)
		if err != nil {
			return err
		}
		if f.All {
			// Every owner: only what sorting needs is kept of each match
			// (the ids are time-ordered, the tie-break), then the page is
			// read back whole.
			var keys []Subscription
			visit := func(sub Subscription) bool {
				if keep(sub) {
					keys = append(keys, Subscription{ID: sub.ID, CreatedAt: sub.CreatedAt, NextBillingDate: sub.NextBillingDate})
				}
				return true
			}
			switch {
			case f.Status != "":
				err = tx.Subscriptions().ScanByStatus(SubscriptionStatus(f.Status), visit)
			default:
				err = tx.Subscriptions().ScanAll("", visit)
			}
			if err := errors.Join(err, failed()); err != nil {
				return err
			}
			if err := sortBy(keys, f.Ordering, "-created_at", subscriptionOrderings); err != nil {
				return err
			}
			total = len(keys)
			for _, k := range page(keys, f.Offset, f.Limit) {
				sub, err := tx.Subscriptions().Get(k.ID)
				if err != nil {
					return err
				}
				out = append(out, sub)
			}
			return nil
		}
		owners, err := s.ownerIDs(tx, a)
		if err != nil {
			return err
		}
		if f.OwnerID != "" {
			if err := s.authorize(tx, a, f.OwnerID, "organization"); err != nil {
				return err
			}
			owners = []string{f.OwnerID}
		}
		for _, o := range owners {
			list, err := tx.Subscriptions().ListByOwner(o)
			if err != nil {
				return err
			}
			// Filtered in place: subscriptions are large, and most callers
			// have one owner, whose list is then the answer.
			kept := list[:0]
			for _, sub := range list {
				if keep(sub) {
					kept = append(kept, sub)
				}
			}
			if out == nil {
				out = kept
			} else {
				out = append(out, kept...)
			}
		}
		if err := failed(); err != nil {
			return err
		}
		if err := sortBy(out, f.Ordering, "-created_at", subscriptionOrderings); err != nil {
			return err
		}
		total = len(out)
		out = page(out, f.Offset, f.Limit)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// subscriptionMatcher is f's filters as a predicate over subscriptions
// read in tx; owners are looked up once each for the search.
// The predicate answers false once a look-up failed; failed then tells why.
func (s *Service) subscriptionMatcher(tx Tx, f SubscriptionFilter) (keep func(Subscription) bool, failed func() error, err error) {
	planID := ""
	if f.Plan != "" {
		p, err := s.findPlan(tx, f.Plan)
		switch {
		case errors.Is(err, ErrNotFound):
			return func(Subscription) bool { return false }, func() error { return nil }, nil
		case err != nil:
			return nil, nil, err
		}
		planID = p.ID
	}
	search := strings.ToLower(strings.TrimSpace(f.Search))
	owners := map[string]bool{}
	var ownerErr error
	ownerMatches := func(ownerID string) bool {
		if ok, seen := owners[ownerID]; seen {
			return ok
		}
		text, err := s.ownerText(tx, ownerID)
		if err != nil {
			ownerErr = err
		}
		ok := strings.Contains(text, search)
		owners[ownerID] = ok
		return ok
	}
	match := func(sub Subscription) bool {
		switch {
		case f.Status != "" && string(sub.Status) != f.Status,
			f.PaymentType != "" && string(sub.PaymentType) != f.PaymentType,
			planID != "" && sub.PlanID != planID,
			f.PastDue && !(sub.Status == SubPastDue || sub.Status == SubPaused && sub.DunningAttempts > 0):
			return false
		}
		return search == "" || strings.EqualFold(sub.ID, search) || ownerMatches(sub.OwnerID)
	}
	return func(sub Subscription) bool { return ownerErr == nil && match(sub) }, func() error { return ownerErr }, nil
}

// ownerText is what a search looks through for an owner, lower-cased: a
// user's username, email and name, or an organization's name with its
// owner's username and email.
func (s *Service) ownerText(tx Tx, ownerID string) (string, error) {
	u, err := tx.Users().Get(ownerID)
	if err == nil {
		return strings.ToLower(strings.Join([]string{u.Username, u.Email, u.FirstName + " " + u.LastName}, "\n")), nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	o, err := tx.Organizations().Get(ownerID)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	text := []string{o.Name}
	if owner, err := tx.Users().Get(o.OwnerID); err == nil {
		text = append(text, owner.Username, owner.Email)
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	return strings.ToLower(strings.Join(text, "\n")), nil
}

// GetSubscription answers 404 for subscriptions the actor cannot see.
func (s *Service) GetSubscription(ctx context.Context, a Actor, id string) (Subscription, error) {
	var sub Subscription
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		sub, err = s.visibleSub(tx, a, id)
		return err
	})
	return sub, err
}

func (s *Service) visibleSub(tx Tx, a Actor, id string) (Subscription, error) {
	sub, err := tx.Subscriptions().Get(id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Subscription{}, NotFoundf("subscription not found")
		}
		return Subscription{}, err
	}
	if err := s.authorize(tx, a, sub.OwnerID, "subscription"); err != nil {
		return Subscription{}, err
	}
	return sub, nil
}

// GetActiveSubscription is the actor's newest subscription with access
// (active or trialing); 404 if none.
func (s *Service) GetActiveSubscription(ctx context.Context, a Actor) (Subscription, error) {
	list, err := s.ListSubscriptions(ctx, a, SubscriptionFilter{})
	if err != nil {
		return Subscription{}, err
	}
	for _, sub := range list {
		if sub.OwnerID == a.UserID && (sub.Status == SubActive || sub.Status == SubTrialing) {
			return sub, nil
		}
	}
	return Subscription{}, NotFoundf("no active subscription")
}

// GetPlanByID loads a plan for display (any status).
func (s *Service) GetPlanByID(ctx context.Context, id string) (Plan, error) {
	var p Plan
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Plans().Get(id)
		return err
	})
	return p, err
}

// requireManager refuses (403) an actor who may see sub but not act on it:
// a plain member of the owning organization. Members read; owners and
// admins of the organization, the owner itself and site admins act.
func (s *Service) requireManager(ctx context.Context, a Actor, sub Subscription) error {
	if a.IsAdmin || sub.OwnerID == a.UserID {
		return nil
	}
	return s.store.View(ctx, func(tx Tx) error { return s.manages(tx, a, sub) })
}

// manages is requireManager inside a transaction.
func (s *Service) manages(tx Tx, a Actor, sub Subscription) error {
	if a.IsAdmin || sub.OwnerID == a.UserID {
		return nil
	}
	return s.requireOrgManager(tx, a, sub.OwnerID)
}

// mutateSub runs fn on a subscription the actor manages, in one transaction.
func (s *Service) mutateSub(ctx context.Context, a Actor, id string, fn func(tx Tx, sub *Subscription, plan Plan, now time.Time) error) (Subscription, error) {
	var out Subscription
	err := s.store.Update(ctx, func(tx Tx) error {
		sub, plan, err := s.managedSub(tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := fn(tx, &sub, plan, now); err != nil {
			return err
		}
		sub.UpdatedAt = now
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		out = sub
		return nil
	})
	return out, err
}

// CancelSubscription cancels at period end (default) or immediately. A
// native subscription is cancelled at Midtrans first. Undo reverses a
// scheduled cancel before the period ends.
func (s *Service) CancelSubscription(ctx context.Context, a Actor, id, reason string, immediate, undo bool) (Subscription, error) {
	if len(reason) > 500 {
		return Subscription{}, (&Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"reason": "at most 500 characters"}})
	}
	cur, err := s.GetSubscription(ctx, a, id)
	if err != nil {
		return cur, err
	}
	if err := s.requireManager(ctx, a, cur); err != nil {
		return cur, err
	}
	if undo {
		sub, err := s.mutateSub(ctx, a, id, func(tx Tx, sub *Subscription, plan Plan, now time.Time) error {
			if !sub.CancelAtPeriodEnd || sub.Status.Terminal() {
				return Conflictf("no scheduled cancellation to undo")
			}
			sub.CancelAtPeriodEnd, sub.CancelReason = false, ""
			sub.NextActionAt = s.nextAction(*sub, plan, now)
			return s.emit(tx, EvSubscriptionResumed, sub.OwnerID, now, subscriptionData(*sub))
		})
		if err != nil || !sub.Native() {
			return sub, err
		}
		// Midtrans was stopped for the period end: it charges again.
		if err := s.syncNative(ctx, id); err != nil {
			return sub, err
		}
		return s.GetSubscription(ctx, a, id)
	}
	if cur.Status.Terminal() {
		return cur, Conflictf("the subscription is already %s", cur.Status)
	}
	// Subscriptions that never started, or are paused or past due, end now.
	if cur.Status == SubPending || cur.Status == SubPaused || cur.Status == SubPastDue {
		immediate = true
	}
	if cur.Native() && immediate {
		if err := s.nativeCall(ctx, func(gw Gateway) error { return s.stopNative(ctx, gw, cur, true) }); err != nil {
			return cur, err
		}
	}
	if cur.Native() && !immediate && !cur.CancelAtPeriodEnd {
		// Stop Midtrans' schedule before the cancel is stored; the period
		// already paid still runs out.
		if err := s.preflightNative(ctx, id, func(tx Tx, sub *Subscription) error {
			sub.CancelAtPeriodEnd = true
			return nil
		}); err != nil {
			return cur, err
		}
	}
	var stale []Payment
	sub, err := s.mutateSub(ctx, a, id, func(tx Tx, sub *Subscription, plan Plan, now time.Time) error {
		stale = stale[:0] // fn may run more than once
		sub.CancelReason = reason
		if !immediate {
			if sub.CancelAtPeriodEnd {
				return Conflictf("the subscription is already set to cancel at period end")
			}
			sub.CancelAtPeriodEnd = true
			sub.NextActionAt = s.nextAction(*sub, plan, now)
			return nil
		}
		if err := sub.Transition(SubCancelled, now); err != nil {
			return err
		}
		sub.CancelledAt, sub.NextActionAt = now, time.Time{}
		if sub.Native() {
			sub.NativeDisabled = true
			sub.Metadata = withMeta(sub.Metadata, "midtrans_cancelled", true)
		}
		if err := s.endCredit(tx, sub, now); err != nil {
			return err
		}
		var err error
		if stale, err = s.supersedeOpen(tx, sub.ID, true, now); err != nil {
			return err
		}
		return s.emit(tx, EvSubscriptionCancelled, sub.OwnerID, now, subscriptionData(*sub))
	})
	if err != nil {
		return sub, err
	}
	// Open orders of a cancelled subscription are cancelled at Midtrans so
	// the customer cannot pay them; one that settles anyway is credited.
	for _, p := range stale {
		s.cancelAtGateway(ctx, p)
	}
	return sub, nil
}

// cancelAtGateway best-effort cancels an open order; failures are left to
// reconciliation (the payment is already superseded locally).
func (s *Service) cancelAtGateway(ctx context.Context, p Payment) {
	if s.gw == nil || p.OrderID == "" || p.PaymentType == PayWallet {
		return
	}
	if _, err := s.gw.Cancel(ctx, p.OrderID); err == nil || errors.Is(err, ErrGatewayNotFound) {
		_ = s.store.Update(ctx, func(tx Tx) error {
			cur, err := tx.Payments().Get(p.ID)
			if err != nil {
				return err
			}
			return s.applyStatus(tx, &cur, PaymentCancelled, s.now())
		})
	}
}

func (s *Service) openPayments(tx Tx, subID string) ([]Payment, error) {
	list, err := tx.Payments().ListBySubscription(subID)
	if err != nil {
		return nil, err
	}
	var out []Payment
	for _, p := range list {
		if p.Status.Open() && !p.Superseded {
			out = append(out, p)
		}
	}
	return out, nil
}

// PauseSubscription pauses an active (or trialing, or past due)
// subscription. Pausing stops time: no period elapses and nothing is
// billed until resume. Open renewal orders are cancelled at Midtrans, and
// a native subscription is disabled there first.
func (s *Service) PauseSubscription(ctx context.Context, a Actor, id string) (Subscription, error) {
	cur, err := s.GetSubscription(ctx, a, id)
	if err != nil {
		return cur, err
	}
	if err := s.requireManager(ctx, a, cur); err != nil {
		return cur, err
	}
	if !CanTransition(cur.Status, SubPaused) {
		return cur, Conflictf("cannot pause a %s subscription", cur.Status)
	}
	if cur.Native() {
		if err := s.nativeCall(ctx, func(gw Gateway) error { return s.stopNative(ctx, gw, cur, false) }); err != nil {
			return cur, err
		}
	}
	var stale []Payment
	sub, err := s.mutateSub(ctx, a, id, func(tx Tx, sub *Subscription, plan Plan, now time.Time) error {
		sub.Metadata = withMeta(sub.Metadata, "paused_from", string(sub.Status))
		if err := sub.Transition(SubPaused, now); err != nil {
			return err
		}
		sub.PausedAt = now
		sub.NativeDisabled = sub.Native()
		sub.NextActionAt = s.nextAction(*sub, plan, now)
		var err error
		if stale, err = s.supersedeOpen(tx, sub.ID, false, now); err != nil {
			return err
		}
		return s.emit(tx, EvSubscriptionPaused, sub.OwnerID, now, subscriptionData(*sub))
	})
	if err != nil {
		return sub, err
	}
	for _, p := range stale {
		s.cancelAtGateway(ctx, p)
	}
	return sub, nil
}

// supersedeOpen marks the subscription's open orders superseded, so they no
// longer stand for their cycle (a late settlement is credited to the
// wallet), voiding their invoices when void is set; it answers them so
// that the caller cancels them at Midtrans after the commit.
func (s *Service) supersedeOpen(tx Tx, subID string, void bool, now time.Time) ([]Payment, error) {
	open, err := s.openPayments(tx, subID)
	if err != nil {
		return nil, err
	}
	for i := range open {
		open[i].Superseded, open[i].UpdatedAt = true, now
		if err := tx.Payments().Put(open[i]); err != nil {
			return nil, err
		}
		if void {
			if err := s.voidOpenInvoice(tx, subID, open[i].InvoiceID, now); err != nil {
				return nil, err
			}
		}
	}
	return open, nil
}

// ResumeSubscription resumes a paused subscription. Every date still ahead
// when it was paused (period end, next billing date, trial end, grace)
// moves out by the length of the pause, so the customer keeps the days
// they had paid for and the paused time is never billed. A native
// subscription is moved to the new schedule at Midtrans before it charges
// again.
func (s *Service) ResumeSubscription(ctx context.Context, a Actor, id string) (Subscription, error) {
	cur, err := s.GetSubscription(ctx, a, id)
	if err != nil {
		return cur, err
	}
	if err := s.requireManager(ctx, a, cur); err != nil {
		return cur, err
	}
	if cur.Status != SubPaused {
		return cur, Conflictf("cannot resume a %s subscription", cur.Status)
	}
	sub, err := s.mutateSub(ctx, a, id, func(tx Tx, sub *Subscription, plan Plan, now time.Time) error {
		to := SubActive
		if from, _ := sub.Metadata["paused_from"].(string); from == string(SubTrialing) {
			to = SubTrialing
		} else if from == string(SubPastDue) {
			to = SubPastDue
		}
		if err := sub.Transition(to, now); err != nil {
			return err
		}
		if !s.planted(DefectPauseBillsPausedTime) {
			if err := s.shiftForPause(tx, sub, plan, now.Sub(sub.PausedAt), now); err != nil {
				return err
			}
		}
		delete(sub.Metadata, "paused_from")
		sub.PausedAt = time.Time{}
		sub.NextActionAt = s.nextAction(*sub, plan, now)
		if sub.NextActionAt.Before(now) {
			sub.NextActionAt = now
		}
		return s.emit(tx, EvSubscriptionResumed, sub.OwnerID, now, subscriptionData(*sub))
	})
	if err != nil {
		return sub, err
	}
	if cur.Native() {
		// Midtrans' schedule cannot be moved (only its interval can be
		// updated), so the paused one is replaced by one that starts at the
		// moved period end.
		if err := s.replaceNative(ctx, id); err != nil {
			return sub, err
		}
	}
	return s.GetSubscription(ctx, a, id)
}

// shiftForPause moves the dates of sub still ahead at the pause out by d.
func (s *Service) shiftForPause(tx Tx, sub *Subscription, plan Plan, d time.Duration, now time.Time) error {
	if d <= 0 {
		return nil
	}
	shift := func(t *time.Time) {
		if !t.IsZero() && t.After(sub.PausedAt) {
			*t = t.Add(d)
		}
	}
	switch {
	case sub.Cycle == 0 && !sub.TrialEnd.IsZero() && !sub.TrialEnd.After(sub.PausedAt):
		// The trial had ended and its first charge was being collected:
		// the first period starts at the resume.
		sub.Anchor, sub.AnchorCycle = now, 0
	case sub.Cycle == 0:
		shift(&sub.TrialEnd)
		if !sub.Anchor.IsZero() {
			sub.Anchor = sub.Anchor.Add(d)
		}
		shift(&sub.CurrentPeriodEnd)
	case sub.CurrentPeriodEnd.After(sub.PausedAt):
		// The last paid period ends d later, and the schedule restarts
		// there: cycle Cycle+1 begins at the moved end.
		sub.CurrentPeriodEnd = sub.CurrentPeriodEnd.Add(d)
		sub.Anchor, sub.AnchorCycle = sub.CurrentPeriodEnd, sub.Cycle
	default:
		// Paused while its renewal was being collected: the unpaid cycle
		// starts at the resume, so no paused day is in it (the days
		// between the period end and the pause were not billed).
		sub.CurrentPeriodEnd = now
		sub.Anchor, sub.AnchorCycle = now, sub.Cycle
	}
	shift(&sub.NextBillingDate)
	if sub.Cycle > 0 {
		sub.NextBillingDate = sub.CurrentPeriodEnd
	}
	if !sub.PastDueSince.IsZero() {
		sub.PastDueSince = sub.PastDueSince.Add(d)
	}
	// The unpaid cycle's invoice (issued before the pause) covers the
	// moved period.
	inv, err := tx.Invoices().GetByKey(sub.ID, CycleKey(sub.Cycle+1))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inv.Status != InvoiceOpen && inv.Status != InvoiceOverdue && inv.Status != InvoiceDraft {
		return nil
	}
	inv.PeriodStart, inv.PeriodEnd = s.cycleBounds(*sub, plan, sub.Cycle+1, now)
	for i := range inv.Lines {
		if inv.Lines[i].Kind == LinePlan {
			inv.Lines[i].PeriodStart, inv.Lines[i].PeriodEnd = inv.PeriodStart, inv.PeriodEnd
		}
	}
	inv.UpdatedAt = now
	return tx.Invoices().Put(inv)
}

func withMeta(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}

// nativeCall runs a Subscription API call with the gateway.
func (s *Service) nativeCall(ctx context.Context, fn func(Gateway) error) error {
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	if err := fn(gw); err != nil {
		if Retryable(err) {
			return fmt.Errorf("midtrans subscription call: %w", err)
		}
		return UnprocessableCode("gateway_rejected", "Midtrans refused the subscription change")
	}
	return nil
}
