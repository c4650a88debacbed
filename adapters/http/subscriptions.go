package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// subscriptionJSON is a subscription as the API shows it. Times are
// RFC 3339 or null; organization_id is set when an organization owns it
// (owner_id is then the organization and created_by the member who
// subscribed).
type subscriptionJSON struct {
	ID                     string              `json:"id"`
	Plan                   *planJSON           `json:"plan"`
	PlanID                 string              `json:"plan_id"`
	OwnerID                string              `json:"owner_id" doc:"The user, or the organization when one owns it"`
	OrganizationID         *string             `json:"organization_id" doc:"Set when an organization owns the subscription"`
	CreatedBy              string              `json:"created_by" doc:"The user who subscribed"`
	Status                 string              `json:"status" oa:"enum=subscription_status"`
	PaymentType            string              `json:"payment_type" oa:"enum=payment_type"`
	Bank                   string              `json:"bank"`
	Quantity               int                 `json:"quantity" oa:"minimum=0"`
	PaymentMethodID        *string             `json:"payment_method_id"`
	MidtransSubscriptionID *string             `json:"midtrans_subscription_id"`
	CurrentPeriodStart     *time.Time          `json:"current_period_start"`
	CurrentPeriodEnd       *time.Time          `json:"current_period_end"`
	TrialStart             *time.Time          `json:"trial_start"`
	TrialEnd               *time.Time          `json:"trial_end"`
	BillingCycleAnchor     *time.Time          `json:"billing_cycle_anchor" doc:"Every period boundary is computed from it"`
	CycleCount             int                 `json:"cycle_count"`
	NextBillingDate        *time.Time          `json:"next_billing_date"`
	PastDueSince           *time.Time          `json:"past_due_since"`
	CancelAtPeriodEnd      bool                `json:"cancel_at_period_end"`
	CancelledAt            *time.Time          `json:"cancelled_at"`
	CancelReason           string              `json:"cancel_reason"`
	EndDate                *time.Time          `json:"end_date"`
	PausedAt               *time.Time          `json:"paused_at"`
	AutoPay                bool                `json:"auto_pay"`
	CouponID               *string             `json:"coupon_id"`
	CouponCyclesLeft       *int                `json:"coupon_cycles_left" doc:"-1: forever"`
	ScheduledPlanID        *string             `json:"scheduled_plan_id"`
	PendingPlanChange      *pendingChangeJSON  `json:"pending_plan_change"`
	PendingCredit          string              `json:"pending_credit" doc:"Carried to the next invoices before PPN: negative a credit, positive a charge"`
	CreditNoteBalance      string              `json:"credit_note_balance" oa:"ref=Money" doc:"Credit from credit notes (an immediate downgrade's), PPN included, taken by the next invoices after PPN"`
	PlanHistory            []planChangeJSON    `json:"plan_history"`
	Metadata               map[string]any      `json:"metadata" doc:"Free-form JSON object"`
	CustomerDetails        customerDetailsJSON `json:"customer_details"`
	CreatedAt              time.Time           `json:"created_at"`
	UpdatedAt              time.Time           `json:"updated_at"`
}

// pendingChangeJSON is an upgrade waiting for its proration invoice.
type pendingChangeJSON struct {
	PlanID    string `json:"plan_id" doc:"The plan the subscription moves to once the proration is paid"`
	InvoiceID string `json:"invoice_id" doc:"The proration invoice to pay"`
}

type planChangeJSON struct {
	FromPlanID string    `json:"from_plan_id"`
	ToPlanID   string    `json:"to_plan_id"`
	At         time.Time `json:"at"`
	Immediate  bool      `json:"immediate"`
	Proration  string    `json:"proration"`
}

// planCache loads each plan once per request, and through shared (when
// the service can tell when plans change) once until a plan is written.
// The *planJSON values are shared between requests: read-only.
type planCache struct {
	svc     LifecycleService
	ctx     context.Context
	plans   map[string]*planJSON
	shared  *planObjects // nil: no sharing
	version uint64

	// A subscription renders up to ten optional times and four optional
	// ids as pointers; carving them from chunks sized for the whole answer
	// (expect) takes one allocation per chunk instead of one per field,
	// which was 3% of the CPU of a list request.
	each  int // subscriptions the chunks are sized for
	times []time.Time
	ids   []string
}

// expect sizes the next chunks for n subscriptions.
func (pc *planCache) expect(n int) { pc.each = n }

func (pc *planCache) optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return carve(&pc.times, 10*max(pc.each, 1), t)
}

func (pc *planCache) optString(s string) *string {
	if s == "" {
		return nil
	}
	return carve(&pc.ids, 4*max(pc.each, 1), s)
}

// carve stores v in the next free slot of *chunk, allocating a chunk of
// n slots when none is left, and answers the slot. A chunk is never grown:
// the slots already handed out must stay where they are.
func carve[T any](chunk *[]T, n int, v T) *T {
	if len(*chunk) == 0 {
		*chunk = make([]T, n)
	}
	p := &(*chunk)[0]
	*p = v
	*chunk = (*chunk)[1:]
	return p
}

func (s *Server) newPlanCache(c *fiber.Ctx) *planCache {
	pc := &planCache{svc: s.svc, ctx: c.UserContext(), plans: map[string]*planJSON{}}
	if s.plans != nil {
		// Read before any plan is: see core.Service.PlansVersion.
		if v, ok := s.plans.src.PlansVersion(); ok {
			pc.shared, pc.version = &s.plans.objects, v
		}
	}
	return pc
}

func (pc *planCache) get(id string) *planJSON {
	if p, ok := pc.plans[id]; ok {
		return p
	}
	if pc.shared != nil {
		if p := pc.shared.get(pc.version, id); p != nil {
			pc.plans[id] = p
			return p
		}
	}
	var out *planJSON
	if p, err := pc.svc.GetPlanByID(pc.ctx, id); err == nil {
		j := toPlanJSON(p)
		out = &j
		if pc.shared != nil {
			pc.shared.put(pc.version, id, out)
		}
	}
	pc.plans[id] = out
	return out
}

func (pc *planCache) sub(sub core.Subscription) subscriptionJSON {
	j := subscriptionJSON{
		ID: sub.ID, Plan: pc.get(sub.PlanID), PlanID: sub.PlanID, OwnerID: sub.OwnerID, CreatedBy: sub.CreatedBy,
		Status: string(sub.Status), PaymentType: string(sub.PaymentType), Bank: sub.Bank, Quantity: sub.Quantity,
		PaymentMethodID: pc.optString(sub.PaymentMethodID), MidtransSubscriptionID: pc.optString(sub.MidtransSubscriptionID),
		CurrentPeriodStart: pc.optTime(sub.CurrentPeriodStart), CurrentPeriodEnd: pc.optTime(sub.CurrentPeriodEnd),
		TrialStart: pc.optTime(sub.TrialStart), TrialEnd: pc.optTime(sub.TrialEnd), CycleCount: sub.Cycle,
		NextBillingDate: pc.optTime(sub.NextBillingDate), PastDueSince: pc.optTime(sub.PastDueSince),
		CancelAtPeriodEnd: sub.CancelAtPeriodEnd, CancelledAt: pc.optTime(sub.CancelledAt), CancelReason: sub.CancelReason,
		EndDate: pc.optTime(sub.EndsAt), PausedAt: pc.optTime(sub.PausedAt), AutoPay: sub.AutoPay,
		CouponID: pc.optString(sub.CouponID), ScheduledPlanID: pc.optString(sub.ScheduledPlanID),
		PendingCredit: money(sub.PendingCredit), CreditNoteBalance: money(sub.CreditNoteBalance), PlanHistory: make([]planChangeJSON, len(sub.PlanHistory)),
		Metadata: emptyMap(sub.Metadata), CustomerDetails: toCustomerJSON(sub.CustomerDetails),
		CreatedAt: sub.CreatedAt, UpdatedAt: sub.UpdatedAt,
	}
	if sub.CreatedBy != "" && sub.OwnerID != sub.CreatedBy {
		j.OrganizationID = &j.OwnerID
	}
	j.BillingCycleAnchor = pc.optTime(sub.Anchor)
	if sub.PendingPlanID != "" {
		j.PendingPlanChange = &pendingChangeJSON{PlanID: sub.PendingPlanID, InvoiceID: sub.PendingPlanInvoiceID}
	}
	if sub.CouponID != "" {
		left := sub.CouponCyclesLeft
		j.CouponCyclesLeft = &left
	}
	for i, h := range sub.PlanHistory {
		j.PlanHistory[i] = planChangeJSON{FromPlanID: h.FromPlanID, ToPlanID: h.ToPlanID, At: h.At, Immediate: h.Immediate, Proration: h.Proration}
	}
	return j
}

// createSubscriptionRequest is POST /api/subscriptions/: the reference's
// fields (plan_id, payment_type, token, customer_details, metadata with
// metadata.bank) and ours (organization_id, coupon, quantity,
// payment_method_id, gopay_account_id, auto_pay, end_date).
type createSubscriptionRequest struct {
	PlanID          string               `json:"plan_id" validate:"required,max=100" doc:"Plan id or slug"`
	PaymentType     string               `json:"payment_type" validate:"required,max=32" oa:"enum=payment_type" doc:"manual: admins only"`
	Token           string               `json:"token" validate:"max=255" doc:"Card token (credit_card)"`
	CustomerDetails *customerDetailsJSON `json:"customer_details"`
	Metadata        map[string]any       `json:"metadata" oa:"null,props=bank" doc:"Free-form; metadata.bank picks the bank of a bank transfer"`
	OrganizationID  string               `json:"organization_id" validate:"max=64" doc:"Subscribe an organization the user administers"`
	Coupon          string               `json:"coupon" validate:"max=64"`
	Quantity        *int                 `json:"quantity" oa:"minimum=1,maximum=100000" doc:"Seats (per-seat plans)"`
	PaymentMethodID string               `json:"payment_method_id" validate:"max=64"`
	GopayAccountID  string               `json:"gopay_account_id" validate:"max=128"`
	AutoPay         bool                 `json:"auto_pay"`
	EndDate         *string              `json:"end_date" oa:"format=date-time" doc:"RFC 3339; empty for none"`
	EnabledPayments []string             `json:"enabled_payments" validate:"max=30,dive,max=32" doc:"Snap channels offered (payment_type snap)"`
	FinishURL       string               `json:"finish_url" validate:"max=255" doc:"where the Snap page returns (payment_type snap)"`
}

func (r createSubscriptionRequest) toInput() (core.CreateSubscriptionInput, error) {
	fields := map[string]string{}
	in := core.CreateSubscriptionInput{
		Plan: r.PlanID, OrganizationID: r.OrganizationID, PaymentType: r.PaymentType, Token: r.Token,
		GopayAccountID: r.GopayAccountID, PaymentMethodID: r.PaymentMethodID, Customer: r.CustomerDetails.toCore(),
		Metadata: r.Metadata, Coupon: r.Coupon, AutoPay: r.AutoPay,
		Snap: core.SnapCheckout{EnabledPayments: r.EnabledPayments, FinishURL: r.FinishURL},
	}
	if b, ok := r.Metadata["bank"]; ok {
		if _, isStr := b.(string); !isStr {
			fields["metadata.bank"] = "must be a string"
		}
	}
	if r.Quantity != nil {
		if *r.Quantity < 1 || *r.Quantity > core.MaxQuantity {
			fields["quantity"] = "between 1 and 100000"
		} else {
			in.Quantity = *r.Quantity
		}
	}
	if r.EndDate != nil && *r.EndDate != "" {
		t, err := time.Parse(time.RFC3339, *r.EndDate)
		if err != nil {
			fields["end_date"] = "an RFC 3339 time such as 2027-01-31T00:00:00Z"
		} else {
			in.EndsAt = t.UTC()
		}
	}
	if len(fields) > 0 {
		return in, invalid("invalid input", fields)
	}
	return in, nil
}

func (s *Server) listSubscriptions(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "payment_type", "ordering")
	if err != nil {
		return err
	}
	if q.Get("status") != "" {
		if _, err := core.ParseSubscriptionStatus(q.Get("status")); err != nil {
			names := make([]string, len(core.AllSubscriptionStatuses))
			for i, st := range core.AllSubscriptionStatuses {
				names[i] = string(st)
			}
			return checkChoice("status", q.Get("status"), names)
		}
	}
	if err := checkChoice("payment_type", q.Get("payment_type"), paymentTypeNames()); err != nil {
		return err
	}
	list, err := s.svc.ListSubscriptions(c.UserContext(), actor(c), core.SubscriptionFilter{
		Status: q.Get("status"), PaymentType: q.Get("payment_type"), Ordering: q.Get("ordering"),
	})
	if err != nil {
		return err
	}
	pc := s.newPlanCache(c)
	pageItems := paginate(list, q)
	pc.expect(len(pageItems))
	out := make([]subscriptionJSON, len(pageItems))
	for i, sub := range pageItems {
		out[i] = pc.sub(sub)
	}
	return sendJSON(c, newPage(c, q, len(list), out))
}

// subscriptionCreated is the 201 answer: the subscription and the payment
// issued for it (null when none was, e.g. during a trial).
type subscriptionCreated struct {
	Subscription subscriptionJSON `json:"subscription"`
	Payment      *paymentJSON     `json:"payment"`
}

func (s *Server) createSubscription(c *fiber.Ctx) error {
	var req createSubscriptionRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	in, err := req.toInput()
	if err != nil {
		return err
	}
	res, err := s.svc.CreateSubscription(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	out := subscriptionCreated{Subscription: s.newPlanCache(c).sub(res.Subscription)}
	if res.Payment != nil {
		p := toPaymentJSON(*res.Payment)
		out.Payment = &p
	}
	c.Location("/api/subscriptions/" + res.Subscription.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) getSubscription(c *fiber.Ctx) error {
	id, err := pathID(c, "subscription")
	if err != nil {
		return err
	}
	sub, err := s.svc.GetSubscription(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

// activeSubscription is the signed-in user's own active or trialing
// subscription; 404 if there is none.
func (s *Server) activeSubscription(c *fiber.Ctx) error {
	sub, err := s.svc.GetActiveSubscription(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

// cancelRequest is POST .../cancel/. immediate ends the subscription now;
// otherwise it ends at the period end (cancel_at_period_end). undo: true
// reverses a scheduled (period-end) cancel before the period ends; reason
// and immediate are then ignored. The body is optional: no body schedules a
// cancel at period end.
type cancelRequest struct {
	Reason    string `json:"reason" validate:"max=500"`
	Immediate bool   `json:"immediate" doc:"End now instead of at the period end"`
	Undo      bool   `json:"undo" doc:"Reverse a cancel scheduled for the period end; reason and immediate are then ignored"`
}

func (s *Server) cancelSubscription(c *fiber.Ctx) error {
	id, err := pathID(c, "subscription")
	if err != nil {
		return err
	}
	var req cancelRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	sub, err := s.svc.CancelSubscription(c.UserContext(), actor(c), id, req.Reason, req.Immediate, req.Undo)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

// noBody accepts an empty body or an empty JSON object and nothing else.
type noBody struct{}

func (s *Server) pauseSubscription(c *fiber.Ctx) error {
	id, err := pathID(c, "subscription")
	if err != nil {
		return err
	}
	if err := decodeBody(c, &noBody{}, true); err != nil {
		return err
	}
	sub, err := s.svc.PauseSubscription(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

func (s *Server) resumeSubscription(c *fiber.Ctx) error {
	id, err := pathID(c, "subscription")
	if err != nil {
		return err
	}
	if err := decodeBody(c, &noBody{}, true); err != nil {
		return err
	}
	sub, err := s.svc.ResumeSubscription(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

// changePlanRequest is POST .../change-plan/. immediate absent lets core
// choose (upgrades now, downgrades at period end).
type changePlanRequest struct {
	PlanID    string `json:"plan_id" validate:"required,max=100" doc:"Plan id or slug"`
	Immediate *bool  `json:"immediate" doc:"Absent or null: upgrades now, downgrades at the period end"`
}

func (s *Server) changePlan(c *fiber.Ctx) error {
	id, err := pathID(c, "subscription")
	if err != nil {
		return err
	}
	var req changePlanRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	sub, err := s.svc.ChangePlan(c.UserContext(), actor(c), id, req.PlanID, req.Immediate)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

func (s *Server) syncSubscription(c *fiber.Ctx) error {
	id, err := pathID(c, "subscription")
	if err != nil {
		return err
	}
	if err := decodeBody(c, &noBody{}, true); err != nil {
		return err
	}
	sub, err := s.svc.SyncSubscription(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}
