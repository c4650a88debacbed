package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// PlanFilter selects and orders a page of plans. Empty strings mean "any".
type PlanFilter struct {
	Status       string
	IntervalUnit string
	Currency     string
	// Search matches name and description, case-insensitively.
	Search string
	// Ordering is one of PlanOrderings; "" orders by sort_order.
	Ordering string
	// Offset and Limit page the result; Limit 0 means no limit.
	Offset, Limit int
}

// PlanOrderings are the accepted values of PlanFilter.Ordering.
var PlanOrderings = []string{"price", "-price", "sort_order", "-sort_order", "created_at", "-created_at"}

// requireAdmin answers ErrForbidden for a non-admin actor.
func requireAdmin(a Actor) error {
	if !a.IsAdmin {
		return Forbiddenf("only an administrator may do this")
	}
	return nil
}

// planNotFound is the one message for a missing or hidden plan, so that a
// non-admin cannot tell an inactive plan from a missing one.
func planNotFound(key string) error { return NotFoundf("plan %q not found", key) }

// storeErr turns a repository conflict or not-found into a client-safe error
// naming field; other errors pass through wrapped.
func storeErr(err error, what, field string) error {
	var ce *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return err
	case errors.Is(err, ErrConflict):
		return &Error{Kind: ErrConflict, Message: what + " already exists", Fields: map[string]string{field: "already taken"}}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// CreatePlan validates in and stores a new plan (admin only).
func (s *Service) CreatePlan(ctx context.Context, a Actor, in PlanInput) (Plan, error) {
	if err := requireAdmin(a); err != nil {
		return Plan{}, err
	}
	p, err := ApplyPlanInput(Plan{}, in, true)
	if err != nil {
		return Plan{}, err
	}
	now := s.now()
	p.ID, p.CreatedAt, p.UpdatedAt = s.ids.NewID(), now, now
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Plans().GetBySlug(p.Slug); err == nil {
			return slugTaken(p.Slug)
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("look up plan slug: %w", err)
		}
		return storeErr(tx.Plans().Put(p), "plan", "slug")
	})
	if err != nil {
		return Plan{}, err
	}
	return p, nil
}

func slugTaken(slug string) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf("a plan with slug %q already exists", slug),
		Fields: map[string]string{"slug": "already taken"}}
}

// UpdatePlan applies the set fields of in to the plan with slug (admin only).
func (s *Service) UpdatePlan(ctx context.Context, a Actor, slug string, in PlanInput) (Plan, error) {
	if err := requireAdmin(a); err != nil {
		return Plan{}, err
	}
	var out Plan
	err := s.store.Update(ctx, func(tx Tx) error {
		p, err := getPlan(tx, slug)
		if err != nil {
			return err
		}
		np, err := ApplyPlanInput(p, in, false)
		if err != nil {
			return err
		}
		if np.Slug != p.Slug {
			if other, err := tx.Plans().GetBySlug(np.Slug); err == nil && other.ID != p.ID {
				return slugTaken(np.Slug)
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("look up plan slug: %w", err)
			}
		}
		np.UpdatedAt = s.now()
		if err := storeErr(tx.Plans().Put(np), "plan", "slug"); err != nil {
			return err
		}
		out = np
		return nil
	})
	return out, err
}

// ArchivePlan sets the plan's status to archived. Plans are never deleted:
// subscriptions and invoices keep pointing at them.
func (s *Service) ArchivePlan(ctx context.Context, a Actor, slug string) (Plan, error) {
	if err := requireAdmin(a); err != nil {
		return Plan{}, err
	}
	var out Plan
	err := s.store.Update(ctx, func(tx Tx) error {
		p, err := getPlan(tx, slug)
		if err != nil {
			return err
		}
		if p.Status != PlanArchived {
			p.Status, p.UpdatedAt = PlanArchived, s.now()
			if err := tx.Plans().Put(p); err != nil {
				return fmt.Errorf("archive plan: %w", err)
			}
		}
		out = p
		return nil
	})
	return out, err
}

// GetPlan finds a plan by id or slug. Non-admins see only active plans.
func (s *Service) GetPlan(ctx context.Context, a Actor, idOrSlug string) (Plan, error) {
	var p Plan
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = getPlan(tx, idOrSlug)
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	if !a.IsAdmin && p.Status != PlanActive {
		return Plan{}, planNotFound(idOrSlug)
	}
	return p, nil
}

// getPlan looks a plan up by id when key is a UUID, else (or then) by slug.
func getPlan(tx Tx, key string) (Plan, error) {
	if IsUUID(key) {
		p, err := tx.Plans().Get(key)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Plan{}, fmt.Errorf("get plan: %w", err)
		}
	}
	p, err := tx.Plans().GetBySlug(key)
	if errors.Is(err, ErrNotFound) {
		return Plan{}, planNotFound(key)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("get plan: %w", err)
	}
	return p, nil
}

// ListPlans answers one page of plans matching f and the total number of
// matches. Non-admins see only active plans whatever status they ask for.
func (s *Service) ListPlans(ctx context.Context, a Actor, f PlanFilter) ([]Plan, int, error) {
	fe := FieldErrors{}
	var status PlanStatus
	if f.Status != "" {
		st, err := ParsePlanStatus(f.Status)
		if err != nil {
			fe.Add("status", "must be active, inactive or archived")
		}
		status = st
	}
	var unit IntervalUnit
	if f.IntervalUnit != "" {
		u, err := ParseIntervalUnit(f.IntervalUnit)
		if err != nil {
			fe.Add("interval_unit", "must be day, week, month or year")
		}
		unit = u
	}
	var cur Currency
	if f.Currency != "" {
		c, err := ParseCurrency(f.Currency)
		if err != nil {
			fe.Add("currency", "unsupported currency; only IDR")
		}
		cur = c
	}
	less, ok := planOrder(f.Ordering)
	if !ok {
		fe.Add("ordering", "one of "+strings.Join(PlanOrderings, ", "))
	}
	if f.Offset < 0 {
		fe.Add("offset", "must not be negative")
	}
	if f.Limit < 0 {
		fe.Add("limit", "must not be negative")
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	if !a.IsAdmin {
		if status != "" && status != PlanActive {
			return []Plan{}, 0, nil
		}
		status = PlanActive
	}
	var all []Plan
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		all, err = tx.Plans().List()
		return err
	}); err != nil {
		return nil, 0, fmt.Errorf("list plans: %w", err)
	}
	search := strings.ToLower(strings.TrimSpace(f.Search))
	out := make([]Plan, 0, len(all))
	for _, p := range all {
		if status != "" && p.Status != status ||
			unit != "" && p.IntervalUnit != unit ||
			cur != "" && p.Currency() != cur {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(p.Name), search) &&
			!strings.Contains(strings.ToLower(p.Description), search) {
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := less(out[i], out[j]); c != 0 {
			return c < 0
		}
		// A total order keeps pages stable between requests.
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	total := len(out)
	if out = page(out, f.Offset, f.Limit); out == nil {
		out = []Plan{}
	}
	return out, total, nil
}

// planOrder returns a three-way comparison for an ordering value.
func planOrder(ordering string) (func(a, b Plan) int, bool) {
	desc := strings.HasPrefix(ordering, "-")
	var c func(a, b Plan) int
	switch strings.TrimPrefix(ordering, "-") {
	case "", "sort_order":
		if ordering == "-" {
			return nil, false
		}
		c = func(a, b Plan) int { return cmp.Compare(a.SortOrder, b.SortOrder) }
	case "price":
		c = func(a, b Plan) int { return a.Price.Amount().Cmp(b.Price.Amount()) }
	case "created_at":
		c = func(a, b Plan) int { return a.CreatedAt.Compare(b.CreatedAt) }
	default:
		return nil, false
	}
	if desc {
		return func(a, b Plan) int { return -c(a, b) }, true
	}
	return c, true
}

// PlansVersion is a number that changes whenever a plan is written, for
// callers that keep something derived from the plan list (the HTTP layer's
// encoded GET /api/plans/ pages); ok is false when the store cannot tell.
// Read it before ListPlans: what that call answers stays right for as
// long as PlansVersion answers the same number.
func (s *Service) PlansVersion() (v uint64, ok bool) {
	if pv, ok := s.store.(interface{ PlansVersion() uint64 }); ok {
		return pv.PlansVersion(), true
	}
	return 0, false
}
