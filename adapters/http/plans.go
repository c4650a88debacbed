package http

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// planJSON is the reference's plan object.
type planJSON struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Slug             string         `json:"slug"`
	Description      string         `json:"description"`
	Price            string         `json:"price" oa:"ref=Money"`
	Currency         string         `json:"currency" oa:"example=IDR"`
	Interval         int            `json:"interval" oa:"minimum=1"`
	IntervalUnit     string         `json:"interval_unit" oa:"enum=interval_unit"`
	TrialPeriodDays  int            `json:"trial_period_days" oa:"minimum=0"`
	MaxCycles        int            `json:"max_cycles" oa:"minimum=0" doc:"0: unlimited"`
	Status           string         `json:"status" oa:"enum=plan_status"`
	Features         map[string]any `json:"features" doc:"Free-form; max_users limits seats, permissions lists permissions"`
	SortOrder        int            `json:"sort_order"`
	PerSeat          bool           `json:"per_seat"`
	PriceIncludesTax bool           `json:"price_includes_tax" doc:"The price includes PPN (for a PKP merchant); otherwise PPN is added"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
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
		PriceIncludesTax: p.PriceIncludesTax, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// planRequest is the body of POST and PATCH. Pointers tell "absent" from
// "zero" so PATCH changes only what was sent.
type planRequest struct {
	Name             *string          `json:"name" validate:"omitempty,max=100"`
	Slug             *string          `json:"slug" validate:"omitempty,max=50" oa:"pattern=^[a-z0-9]+(?:[-_][a-z0-9]+)*$" doc:"Default: derived from name"`
	Description      *string          `json:"description" validate:"omitempty,max=2000"`
	Price            *amount          `json:"price"`
	Currency         *string          `json:"currency" validate:"omitempty,max=3" doc:"ISO 4217; only IDR"`
	Interval         *int             `json:"interval" oa:"minimum=1"`
	IntervalUnit     *string          `json:"interval_unit" oa:"enum=interval_unit"`
	TrialPeriodDays  *int             `json:"trial_period_days" oa:"minimum=0"`
	MaxCycles        *int             `json:"max_cycles" oa:"minimum=0"`
	Status           *string          `json:"status" oa:"enum=plan_status"`
	Features         *json.RawMessage `json:"features" oa:"type=object"`
	SortOrder        *int             `json:"sort_order"`
	PerSeat          *bool            `json:"per_seat"`
	PriceIncludesTax *bool            `json:"price_includes_tax"`
}

// toPlanInput converts the DTO; core.ApplyPlanInput validates the values.
func (r planRequest) toPlanInput() (core.PlanInput, error) {
	in := core.PlanInput{
		Name: r.Name, Slug: r.Slug, Description: r.Description, Currency: r.Currency,
		Interval: r.Interval, IntervalUnit: r.IntervalUnit, TrialPeriodDays: r.TrialPeriodDays,
		MaxCycles: r.MaxCycles, Status: r.Status, SortOrder: r.SortOrder, PerSeat: r.PerSeat,
		PriceIncludesTax: r.PriceIncludesTax,
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

// plansVersioner is implemented by *core.Service: a number that changes
// whenever a plan is written.
type plansVersioner interface {
	PlansVersion() (uint64, bool)
}

// planPages remembers encoded GET /api/plans/ answers for as long as no
// plan is written. The catalog is read far more often than it changes, and
// building a page (reading and decoding every plan, sorting, encoding) was
// most of the endpoint's cost. An answer depends only on the plans, on
// whether the caller is an administrator, and on the path and query (the
// page links repeat them).
type planPages struct {
	src plansVersioner

	mu      sync.Mutex
	version uint64
	pages   map[string][]byte // key → encoded body, all read at version

	// objects are the plans embedded in subscription answers.
	objects planObjects
}

const maxPlanPages = 64

// planObjects remembers plan objects by id while no plan is written.
type planObjects struct {
	mu      sync.Mutex
	version uint64
	m       map[string]*planJSON
}

const maxPlanObjects = 1024

func (po *planObjects) get(version uint64, id string) *planJSON {
	po.mu.Lock()
	defer po.mu.Unlock()
	if po.version != version {
		return nil
	}
	return po.m[id]
}

// put keeps p, read at version, unless a newer version is already kept.
func (po *planObjects) put(version uint64, id string, p *planJSON) {
	po.mu.Lock()
	defer po.mu.Unlock()
	switch {
	case version < po.version:
		return
	case po.m == nil || version > po.version || len(po.m) >= maxPlanObjects:
		po.m = map[string]*planJSON{}
		po.version = version
	}
	po.m[id] = p
}

func (pp *planPages) get(version uint64, key string) ([]byte, bool) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.version != version {
		return nil, false
	}
	b, ok := pp.pages[key]
	return b, ok
}

// put keeps body, read at version, unless a newer version is already kept.
func (pp *planPages) put(version uint64, key string, body []byte) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	switch {
	case version < pp.version:
		return
	case version > pp.version || len(pp.pages) >= maxPlanPages:
		clear(pp.pages)
		pp.version = version
	}
	pp.pages[key] = body
}

func (s *Server) listPlans(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "interval_unit", "currency", "search", "ordering")
	if err != nil {
		return err
	}
	var (
		version uint64
		key     string
		cached  = false
	)
	if s.plans != nil {
		// The version is read before the plans are: a page built from
		// plans older than it is never filed under a newer version.
		version, cached = s.plans.src.PlansVersion()
		key = strconv.FormatBool(actor(c).IsAdmin) + " " + c.Path() + "?" + string(c.Request().URI().QueryString())
		if body, ok := s.plans.get(version, key); cached && ok {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
			return c.Send(body)
		}
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
	if !cached {
		return c.JSON(newPage(c, q, total, out))
	}
	body, err := s.app.Config().JSONEncoder(newPage(c, q, total, out))
	if err != nil {
		return err
	}
	s.plans.put(version, key, body)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
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
