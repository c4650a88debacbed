package http

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// OrgService is what the handlers of this area need from core:
// organizations and their seats, admin-managed (BOB) subscriptions,
// coupons and per-seat quantities.
type OrgService interface {
	CreateOrganization(ctx context.Context, a core.Actor, name string) (core.Organization, error)
	ListOrganizations(ctx context.Context, a core.Actor) ([]core.Organization, error)
	GetOrganization(ctx context.Context, a core.Actor, id string) (core.Organization, error)
	AddMemberRole(ctx context.Context, a core.Actor, orgID, username string, role core.Role) (core.Organization, error)
	RemoveMember(ctx context.Context, a core.Actor, orgID, userID string) error
	CheckCanAddUsers(ctx context.Context, a core.Actor, orgID string, finalUsersAmount int) (bool, int, int, error)
	ListSubscriptions(ctx context.Context, a core.Actor, f core.SubscriptionFilter) ([]core.Subscription, error)
	GetPlanByID(ctx context.Context, id string) (core.Plan, error)
	GetOrgSubscription(ctx context.Context, a core.Actor, orgID string) (core.OrgSubscription, error)
	AdminCreateOrgSubscription(ctx context.Context, a core.Actor, orgID string, in core.AdminSubscriptionInput) (core.Subscription, error)
	AdminUpdateSubscription(ctx context.Context, a core.Actor, id string, in core.AdminSubscriptionInput) (core.Subscription, error)
	FinishSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	SetQuantity(ctx context.Context, a core.Actor, id string, qty int) (core.Subscription, error)
	CouponService
}

type orgMemberJSON struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username,omitempty" doc:"Absent if the user no longer exists"`
	Role     string    `json:"role" oa:"enum=role"`
	JoinedAt time.Time `json:"joined_at"`
}

type orgJSON struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	OwnerID   string          `json:"owner_id"`
	Members   []orgMemberJSON `json:"members"`
	CreatedAt time.Time       `json:"created_at"`
}

func (s *Server) toOrgJSON(ctx context.Context, o core.Organization) orgJSON {
	out := orgJSON{ID: o.ID, Name: o.Name, OwnerID: o.OwnerID, CreatedAt: o.CreatedAt, Members: []orgMemberJSON{}}
	for _, m := range o.Members {
		j := orgMemberJSON{UserID: m.UserID, Role: string(m.Role), JoinedAt: m.JoinedAt}
		if u, err := s.svc.GetUser(ctx, m.UserID); err == nil {
			j.Username = u.Username
		}
		out.Members = append(out.Members, j)
	}
	return out
}

type orgRequest struct {
	Name string `json:"name" validate:"required,max=100"`
}

func (s *Server) createOrg(c *fiber.Ctx) error {
	var req orgRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	o, err := s.svc.CreateOrganization(c.UserContext(), actor(c), req.Name)
	if err != nil {
		return err
	}
	c.Location("/api/organizations/" + o.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(s.toOrgJSON(c.UserContext(), o))
}

func (s *Server) listOrgs(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, err := s.svc.ListOrganizations(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	out := []orgJSON{}
	for _, o := range paginate(list, q) {
		out = append(out, s.toOrgJSON(c.UserContext(), o))
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) getOrg(c *fiber.Ctx) error {
	o, err := s.svc.GetOrganization(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.toOrgJSON(c.UserContext(), o))
}

type orgMemberRequest struct {
	Username string `json:"username" validate:"required,max=150"`
	Role     string `json:"role" validate:"omitempty,oneof=member admin" doc:"Default member"`
}

func (s *Server) addOrgMember(c *fiber.Ctx) error {
	var req orgMemberRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	o, err := s.svc.AddMemberRole(c.UserContext(), actor(c), c.Params("id"), req.Username, core.Role(req.Role))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.toOrgJSON(c.UserContext(), o))
}

func (s *Server) removeOrgMember(c *fiber.Ctx) error {
	if err := s.svc.RemoveMember(c.UserContext(), actor(c), c.Params("id"), c.Params("user_id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) canAddUsers(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "count")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(q.Get("count"))
	if err != nil || n < 1 {
		return invalid("invalid query parameters", map[string]string{"count": "a whole number of at least 1 (the total number of users, owner included)"})
	}
	allowed, limit, current, err := s.svc.CheckCanAddUsers(c.UserContext(), actor(c), c.Params("id"), n)
	if err != nil {
		return err
	}
	var l *int
	if limit >= 0 {
		l = &limit
	}
	return c.JSON(canAddUsersJSON{Allowed: allowed, Limit: l, Current: current})
}

type canAddUsersJSON struct {
	Allowed bool `json:"allowed"`
	Limit   *int `json:"limit" doc:"Seat limit; null: unlimited"`
	Current int  `json:"current"`
}

func orgOptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) orgSubscriptions(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "ordering")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := s.svc.GetOrganization(ctx, actor(c), c.Params("id")); err != nil {
		return err
	}
	list, err := s.svc.ListSubscriptions(ctx, actor(c), core.SubscriptionFilter{
		OwnerID: c.Params("id"), Status: q.Get("status"), Ordering: q.Get("ordering")})
	if err != nil {
		return err
	}
	pc := s.newPlanCache(c)
	out := []subscriptionJSON{}
	for _, sub := range paginate(list, q) {
		out = append(out, pc.sub(sub))
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) orgSubscription(c *fiber.Ctx) error {
	res, err := s.svc.GetOrgSubscription(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	j := s.newPlanCache(c).sub(res.Subscription)
	return c.JSON(orgSubscriptionJSON{Subscription: j, Plan: j.Plan, Features: j.Plan.Features, Permissions: res.Permissions})
}

type orgSubscriptionJSON struct {
	Subscription subscriptionJSON `json:"subscription"`
	Plan         *planJSON        `json:"plan" oa:"nonnull"`
	Features     map[string]any   `json:"features" doc:"Free-form JSON object"`
	Permissions  []string         `json:"permissions"`
}

// adminSubRequest is the BOB create/update body. Dates are RFC 3339
// strings or Unix seconds (as in the BOB examples).
type adminSubRequest struct {
	PlanID             *string   `json:"plan_id"`
	SubscriptionStatus *string   `json:"subscription_status" oa:"enum=subscription_status"`
	Status             *string   `json:"status" oa:"enum=subscription_status" doc:"Alias of subscription_status"`
	BillingCycleAnchor *flexTime `json:"billing_cycle_anchor"`
	StartDate          *flexTime `json:"start_date"`
	TrialStart         *flexTime `json:"trial_start"`
	TrialEnd           *flexTime `json:"trial_end"`
	PaymentType        *string   `json:"payment_type" oa:"enum=payment_type" doc:"Default manual"`
	Quantity           *int      `json:"quantity"`
	Renew              bool      `json:"renew"`
}

func (r adminSubRequest) input() core.AdminSubscriptionInput {
	in := core.AdminSubscriptionInput{PlanID: r.PlanID, Status: r.SubscriptionStatus, PaymentType: r.PaymentType,
		Quantity: r.Quantity, Renew: r.Renew,
		BillingCycleAnchor: r.BillingCycleAnchor.ptr(), StartDate: r.StartDate.ptr(),
		TrialStart: r.TrialStart.ptr(), TrialEnd: r.TrialEnd.ptr()}
	if in.Status == nil {
		in.Status = r.Status
	}
	return in
}

// flexTime is an RFC 3339 string or a Unix timestamp in seconds.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexTime(time.Unix(n, 0).UTC())
		return nil
	}
	uq, err := strconv.Unquote(s)
	if err == nil {
		if t, err := time.Parse(time.RFC3339, uq); err == nil {
			*f = flexTime(t)
			return nil
		}
	}
	return &flexTimeError{}
}

type flexTimeError struct{}

func (*flexTimeError) Error() string { return "an RFC 3339 time or Unix seconds" }

func (f *flexTime) ptr() *time.Time {
	if f == nil {
		return nil
	}
	t := time.Time(*f)
	return &t
}

func (s *Server) adminCreateOrgSub(c *fiber.Ctx) error {
	var req adminSubRequest
	if err := decodeAdminSub(c, &req); err != nil {
		return err
	}
	sub, err := s.svc.AdminCreateOrgSubscription(c.UserContext(), actor(c), c.Params("id"), req.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.newPlanCache(c).sub(sub))
}

func decodeAdminSub(c *fiber.Ctx, req *adminSubRequest) error {
	err := decodeBody(c, req, false)
	if err != nil && isFlexTimeErr(err) {
		return invalid("invalid input", map[string]string{"dates": "an RFC 3339 time or Unix seconds"})
	}
	return err
}

func isFlexTimeErr(err error) bool {
	var ce *core.Error
	if e, ok := err.(*core.Error); ok {
		ce = e
	}
	return ce != nil && ce.Message == "malformed JSON"
}

func (s *Server) adminUpdateSub(c *fiber.Ctx) error {
	var req adminSubRequest
	if err := decodeAdminSub(c, &req); err != nil {
		return err
	}
	sub, err := s.svc.AdminUpdateSubscription(c.UserContext(), actor(c), c.Params("id"), req.input())
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

func (s *Server) finishSub(c *fiber.Ctx) error {
	sub, err := s.svc.FinishSubscription(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

type quantityRequest struct {
	Quantity *int `json:"quantity" oa:"required,nonnull,minimum=1"`
}

// patchSubscriptionQuantity is PATCH /api/subscriptions/{id}/ {quantity}.
func (s *Server) patchSubscriptionQuantity(c *fiber.Ctx) error {
	var req quantityRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if req.Quantity == nil {
		return invalid("invalid input", map[string]string{"quantity": "required"})
	}
	sub, err := s.svc.SetQuantity(c.UserContext(), actor(c), c.Params("id"), *req.Quantity)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}

// orgWallet answers an organization's wallet (its owner and admins).
func (s *Server) orgWallet(c *fiber.Ctx) error {
	id, err := pathID(c, "organization")
	if err != nil {
		return err
	}
	w, err := s.svc.GetOrgWallet(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toWalletJSON(w))
}
