package core

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// PlanStatus is active, inactive or archived.
type PlanStatus string

const (
	PlanActive   PlanStatus = "active"
	PlanInactive PlanStatus = "inactive"
	PlanArchived PlanStatus = "archived"
)

func ParsePlanStatus(s string) (PlanStatus, error) {
	switch p := PlanStatus(s); p {
	case PlanActive, PlanInactive, PlanArchived:
		return p, nil
	}
	return "", fmt.Errorf("%w: status must be active, inactive or archived", ErrInvalid)
}

// Plan is a priced, recurring offer.
type Plan struct {
	ID              string
	Name            string
	Slug            string
	Description     string
	Price           Money // per seat when PerSeat
	Interval        int
	IntervalUnit    IntervalUnit
	TrialPeriodDays int
	MaxCycles       int // 0 = unlimited
	Status          PlanStatus
	Features        map[string]any
	SortOrder       int
	PerSeat         bool
	// PriceIncludesTax: Price includes PPN (for a PKP merchant); otherwise
	// PPN is added on top.
	PriceIncludesTax bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Currency of the plan's price.
func (p Plan) Currency() Currency { return p.Price.Currency() }

// MaxUsers reads the max_users feature; ok is false when the plan has none
// (unlimited seats).
func (p Plan) MaxUsers() (n int, ok bool) {
	v, present := p.Features["max_users"]
	if !present || v == nil {
		return 0, false
	}
	switch x := v.(type) {
	case float64:
		return int(x), true
	case int:
		return x, true
	case int64:
		return int(x), true
	case interface{ Int64() (int64, error) }:
		i, err := x.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// PlanInput holds the caller's values for a new plan, or, with pointers
// left nil, the fields a patch leaves alone.
type PlanInput struct {
	Name             *string
	Slug             *string
	Description      *string
	Price            *string
	Currency         *string
	Interval         *int
	IntervalUnit     *string
	TrialPeriodDays  *int
	MaxCycles        *int
	Status           *string
	Features         map[string]any
	FeaturesSet      bool
	SortOrder        *int
	PerSeat          *bool
	PriceIncludesTax *bool
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)*$`)

// maxTrialDays and maxInterval refuse absurd schedules that would overflow dates.
const (
	maxTrialDays = 3650
	maxInterval  = 1000
	maxCycles    = 100000
)

// ApplyPlanInput validates in and applies it to p (a zero Plan for a new
// one). It returns the changed copy or every field error at once.
func ApplyPlanInput(p Plan, in PlanInput, creating bool) (Plan, error) {
	fe := FieldErrors{}
	if creating {
		if in.Name == nil {
			fe.Add("name", "required")
		}
		if in.Price == nil {
			fe.Add("price", "required")
		}
		if in.IntervalUnit == nil {
			fe.Add("interval_unit", "required")
		}
		p.Interval, p.Status, p.Features = 1, PlanActive, map[string]any{}
		p.Price = Zero(IDR)
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		switch {
		case n == "":
			fe.Add("name", "must not be empty")
		case len(n) > 100:
			fe.Add("name", "at most 100 characters")
		}
		checkText(fe, "name", n, false)
		p.Name = n
		if creating && in.Slug == nil {
			p.Slug = Slugify(n)
		}
	}
	if in.Slug != nil {
		p.Slug = strings.TrimSpace(*in.Slug)
	}
	if (creating || in.Slug != nil) && (!slugRE.MatchString(p.Slug) || len(p.Slug) > 50) {
		fe.Add("slug", "lower-case letters, digits, '-' or '_', at most 50 characters")
	}
	if in.Description != nil {
		if len(*in.Description) > 2000 {
			fe.Add("description", "at most 2000 characters")
		}
		checkText(fe, "description", *in.Description, true)
		p.Description = *in.Description
	}
	cur := p.Price.Currency()
	if cur == "" {
		cur = IDR
	}
	if in.Currency != nil {
		c, err := ParseCurrency(*in.Currency)
		if err != nil {
			fe.Add("currency", "unsupported currency; only IDR")
		} else {
			cur = c
		}
	}
	if in.Price != nil {
		m, err := ParseMoney(*in.Price, cur)
		switch {
		case err != nil:
			fe.Add("price", "a decimal amount with at most two decimal places, at most 99999999999.99")
		case m.IsNegative():
			fe.Add("price", "must not be negative")
		case !m.Amount().IsInteger():
			// Midtrans charges whole rupiah; a price with sen could never be collected.
			fe.Add("price", "must be whole rupiah")
		default:
			p.Price = m
		}
	} else if in.Currency != nil && p.Price.Valid() {
		p.Price = Money{amount: p.Price.Amount(), currency: cur}
	}
	if in.Interval != nil {
		if *in.Interval < 1 || *in.Interval > maxInterval {
			fe.Add("interval", fmt.Sprintf("must be between 1 and %d", maxInterval))
		}
		p.Interval = *in.Interval
	}
	if in.IntervalUnit != nil {
		u, err := ParseIntervalUnit(*in.IntervalUnit)
		if err != nil {
			fe.Add("interval_unit", "must be day, week, month or year")
		}
		p.IntervalUnit = u
	}
	if in.TrialPeriodDays != nil {
		if *in.TrialPeriodDays < 0 || *in.TrialPeriodDays > maxTrialDays {
			fe.Add("trial_period_days", fmt.Sprintf("must be between 0 and %d", maxTrialDays))
		}
		p.TrialPeriodDays = *in.TrialPeriodDays
	}
	if in.MaxCycles != nil {
		if *in.MaxCycles < 0 || *in.MaxCycles > maxCycles {
			fe.Add("max_cycles", fmt.Sprintf("must be between 0 (unlimited) and %d", maxCycles))
		}
		p.MaxCycles = *in.MaxCycles
	}
	if in.Status != nil {
		s, err := ParsePlanStatus(*in.Status)
		if err != nil {
			fe.Add("status", "must be active, inactive or archived")
		}
		p.Status = s
	}
	if in.FeaturesSet {
		if in.Features == nil {
			in.Features = map[string]any{}
		}
		p.Features = in.Features
		if v, ok := in.Features["max_users"]; ok && v != nil {
			if n, ok := p.MaxUsers(); !ok || n < 1 {
				fe.Add("features", "max_users must be a whole number of at least 1")
			}
		}
	}
	if in.SortOrder != nil {
		p.SortOrder = *in.SortOrder
	}
	if in.PerSeat != nil {
		p.PerSeat = *in.PerSeat
	}
	if in.PriceIncludesTax != nil {
		p.PriceIncludesTax = *in.PriceIncludesTax
	}
	if err := fe.Err(); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// Slugify turns a name into a slug candidate.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
