package http

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// planJSON is the reference's plan object.
type planJSON struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Slug            string         `json:"slug"`
	Description     string         `json:"description"`
	Price           string         `json:"price"`
	Currency        string         `json:"currency"`
	Interval        int            `json:"interval"`
	IntervalUnit    string         `json:"interval_unit"`
	TrialPeriodDays int            `json:"trial_period_days"`
	MaxCycles       int            `json:"max_cycles"`
	Status          string         `json:"status"`
	Features        map[string]any `json:"features"`
	SortOrder       int            `json:"sort_order"`
	PerSeat         bool           `json:"per_seat"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
}

func toPlanJSON(p core.Plan) planJSON {
	f := p.Features
	if f == nil {
		f = map[string]any{}
	}
	return planJSON{
		ID: p.ID, Name: p.Name, Slug: p.Slug, Description: p.Description,
		Price: p.Price.String(), Currency: string(p.Currency()), Interval: p.Interval,
		IntervalUnit: string(p.IntervalUnit), TrialPeriodDays: p.TrialPeriodDays, MaxCycles: p.MaxCycles,
		Status: string(p.Status), Features: f, SortOrder: p.SortOrder, PerSeat: p.PerSeat,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// planRequest is the body of POST and PATCH. Pointers tell "absent" from
// "zero" so PATCH changes only what was sent.
type planRequest struct {
	Name            *string          `json:"name" validate:"omitempty,max=100"`
	Slug            *string          `json:"slug" validate:"omitempty,max=50"`
	Description     *string          `json:"description" validate:"omitempty,max=2000"`
	Price           *amount          `json:"price"`
	Currency        *string          `json:"currency" validate:"omitempty,max=3"`
	Interval        *int             `json:"interval"`
	IntervalUnit    *string          `json:"interval_unit"`
	TrialPeriodDays *int             `json:"trial_period_days"`
	MaxCycles       *int             `json:"max_cycles"`
	Status          *string          `json:"status"`
	Features        *json.RawMessage `json:"features"`
	SortOrder       *int             `json:"sort_order"`
	PerSeat         *bool            `json:"per_seat"`
}

// toPlanInput converts the DTO; core.ApplyPlanInput validates the values.
func (r planRequest) toPlanInput() (core.PlanInput, error) {
	in := core.PlanInput{
		Name: r.Name, Slug: r.Slug, Description: r.Description, Currency: r.Currency,
		Interval: r.Interval, IntervalUnit: r.IntervalUnit, TrialPeriodDays: r.TrialPeriodDays,
		MaxCycles: r.MaxCycles, Status: r.Status, SortOrder: r.SortOrder, PerSeat: r.PerSeat,
	}
	if r.Price != nil {
		p := string(*r.Price)
		in.Price = &p
	}
	if r.Features != nil && string(*r.Features) != "null" {
		var f map[string]any
		if err := decodeStrict(*r.Features, &f); err != nil {
			return core.PlanInput{}, invalid("a field has the wrong type", map[string]string{"features": "must be an object"})
		}
		in.Features, in.FeaturesSet = f, true
	}
	return in, nil
}

func (s *Server) listPlans(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "interval_unit", "currency", "search", "ordering")
	if err != nil {
		return err
	}
	plans, total, err := s.svc.ListPlans(c.UserContext(), actor(c), core.PlanFilter{
		Status: q.Get("status"), IntervalUnit: q.Get("interval_unit"), Currency: q.Get("currency"),
		Search: q.Get("search"), Ordering: q.Get("ordering"), Offset: q.Offset(), Limit: q.PageSize,
	})
	if err != nil {
		return err
	}
	out := make([]planJSON, len(plans))
	for i, p := range plans {
		out[i] = toPlanJSON(p)
	}
	return c.JSON(newPage(c, q, total, out))
}

func (s *Server) getPlan(c *fiber.Ctx) error {
	p, err := s.svc.GetPlan(c.UserContext(), actor(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(toPlanJSON(p))
}

func (s *Server) createPlan(c *fiber.Ctx) error {
	var req planRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	in, err := req.toPlanInput()
	if err != nil {
		return err
	}
	p, err := s.svc.CreatePlan(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/plans/" + p.Slug + "/")
	return c.Status(fiber.StatusCreated).JSON(toPlanJSON(p))
}

func (s *Server) updatePlan(c *fiber.Ctx) error {
	var req planRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	in, err := req.toPlanInput()
	if err != nil {
		return err
	}
	p, err := s.svc.UpdatePlan(c.UserContext(), actor(c), c.Params("slug"), in)
	if err != nil {
		return err
	}
	return c.JSON(toPlanJSON(p))
}

// archivePlan answers 200 with the archived plan (not 204), so the caller
// sees the resulting status; plans are never deleted.
func (s *Server) archivePlan(c *fiber.Ctx) error {
	p, err := s.svc.ArchivePlan(c.UserContext(), actor(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(toPlanJSON(p))
}
