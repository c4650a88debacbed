package core

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Figures over time for the admin console's chart: MRR, active
// subscribers, churn and failed payments per day or month.
//
// They are recorded, not derived from the records. MRR and the number of
// active subscribers at a past moment cannot be read back faithfully:
// subscriptions keep their current status, seats and plan only (not when
// each changed), and a plan's price may have been edited since. So the
// first billing run of each day (in the billing zone) records that day's
// opening figures, computed by the same rule as the MRR gauge. Churn and
// failed payments are counts of events, and records keep no reliable time
// for them either (an expired subscription or a failed payment keeps only
// its last update time), so they are counted when their event leaves the
// outbox, which happens exactly once per event (relay.go). Days before the
// service recorded figures, or on which no billing run happened, have no
// snapshot and show none.

// DailyFigures are one day's figures; Day is the date in the billing zone
// ("2006-01-02").
type DailyFigures struct {
	Day string
	// SnapshotAt is when the day's first billing run took MRR and
	// Subscribers (zero: no snapshot that day).
	SnapshotAt  time.Time
	MRR         map[Currency]Money
	Subscribers int
	// Churned counts subscriptions that ended that day after being paid at
	// least once; FailedPayments counts charges that failed or expired.
	Churned, FailedPayments int
	UpdatedAt               time.Time
}

const dayLayout = "2006-01-02"

// Valid refuses figures whose Day is not a date: stores key and order
// them by Day as text, which sorts as the days do only in this layout.
func (f DailyFigures) Valid() error {
	if _, err := time.Parse(dayLayout, f.Day); err != nil {
		return Invalidf("daily figures for %q: not a day (%s)", f.Day, dayLayout)
	}
	return nil
}

// dayOf is t's date in the billing zone.
func (s *Service) dayOf(t time.Time) string { return t.In(s.cfg.Location).Format(dayLayout) }

// activeMRR is the MRR rule: list-price MRR by currency, over every
// subscription in status active, the plan price × billed seats normalized
// to a month; coupons and credits are not subtracted. The scan keeps one
// sum per currency and one plan per plan id, never the subscriptions.
func activeMRR(tx Tx) (map[Currency]decimal.Decimal, error) {
	sums := map[Currency]decimal.Decimal{}
	plans := map[string]Plan{}
	var inner error
	err := tx.Subscriptions().ScanByStatus(SubActive, func(sub Subscription) bool {
		if sub.Status != SubActive {
			return true
		}
		p, ok := plans[sub.PlanID]
		if !ok {
			var err error
			if p, err = tx.Plans().Get(sub.PlanID); err != nil {
				inner = err
				return false
			}
			plans[sub.PlanID] = p
		}
		qty := billedSeats(p, sub.Quantity)
		amt := MonthlyAmount(p.Price.Amount().Mul(decimal.NewFromInt(int64(qty))), p.Interval, p.IntervalUnit)
		sums[p.Currency()] = sums[p.Currency()].Add(amt)
		return true
	})
	if inner != nil {
		return nil, inner
	}
	return sums, err
}

// openingFigures are a day's MRR and subscribers (the distinct owners of
// active subscriptions), read together.
type openingFigures struct {
	mrr         map[Currency]Money
	subscribers int
}

func readOpeningFigures(tx Tx) (openingFigures, error) {
	sums, err := activeMRR(tx)
	if err != nil {
		return openingFigures{}, err
	}
	f := openingFigures{mrr: make(map[Currency]Money, len(sums))}
	for c, v := range sums {
		if f.mrr[c], err = NewMoney(v.Round(moneyPlaces), c); err != nil {
			return openingFigures{}, err
		}
	}
	f.subscribers, err = tx.Subscriptions().CountOwners(SubActive)
	return f, err
}

// recordDailySnapshot takes today's opening figures once: the first
// leader run of a day records them, later runs find them there. The
// figures are read in a read transaction: scanning every active
// subscription inside the write would hold the store's writer (every
// webhook and renewal) for as long as the scan takes.
func (s *Service) recordDailySnapshot(ctx context.Context) error {
	taken := false
	var opening openingFigures
	if err := s.store.View(ctx, func(tx Tx) error {
		f, err := tx.Figures().Get(s.dayOf(s.now()))
		if err == nil && !f.SnapshotAt.IsZero() {
			taken = true
			return nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		opening, err = readOpeningFigures(tx)
		return err
	}); err != nil || taken {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		day := s.dayOf(now)
		f, err := tx.Figures().Get(day)
		switch {
		case errors.Is(err, ErrNotFound):
			f = DailyFigures{Day: day}
		case err != nil:
			return err
		case !f.SnapshotAt.IsZero():
			return nil
		}
		f.MRR, f.Subscribers, f.SnapshotAt, f.UpdatedAt = opening.mrr, opening.subscribers, now, now
		return tx.Figures().Put(f)
	})
}

// countEvent adds what ev counts for to its day's figures, within the
// relay's transaction (so each event counts once).
func (s *Service) countEvent(tx Tx, ev Event) error {
	churned, failed := 0, 0
	switch ev.Type {
	case EvSubscriptionCancelled, EvSubscriptionExpired:
		// A subscription never paid (a first payment that never came, a
		// trial that ended unpaid) was never a paying subscriber.
		if n, err := strconv.Atoi(dataStr(ev.Data, "cycle")); err == nil && n >= 1 {
			churned = 1
		}
	case EvPaymentFailed:
		// Cancelled orders are this service's own doing (superseded or
		// cancelled with their subscription), not failed charges.
		switch PaymentStatus(dataStr(ev.Data, "status")) {
		case PaymentFailed, PaymentExpired:
			failed = 1
		}
	}
	if churned+failed == 0 {
		return nil
	}
	day := s.dayOf(ev.OccurredAt)
	f, err := tx.Figures().Get(day)
	if errors.Is(err, ErrNotFound) {
		f, err = DailyFigures{Day: day}, nil
	}
	if err != nil {
		return err
	}
	f.Churned += churned
	f.FailedPayments += failed
	f.UpdatedAt = s.now()
	return tx.Figures().Put(f)
}

// Figure intervals.
const (
	FiguresDaily   = "day"
	FiguresMonthly = "month"
)

// Bounds on one figures query: a chart, not an export.
const (
	maxFigureDays   = 366
	maxFigureMonths = 120
)

// FiguresQuery asks for the figures of the days (or months) from From to
// To, both dates ("2006-01-02") in the billing zone, inclusive. Empty
// values ask for the last 30 days or the last 12 months up to today.
type FiguresQuery struct {
	From, To string
	Interval string // day (default) or month
}

// FigurePoint is one day's or month's figures. MRR and Subscribers are
// the period's latest snapshot (HasSnapshot false: none was taken in it);
// Churned and FailedPayments are summed over the period.
type FigurePoint struct {
	Start       time.Time // the period's first day, midnight in the billing zone
	HasSnapshot bool
	MRR         map[Currency]Money
	Subscribers int
	Churned     int
	Failed      int
}

// FiguresOverTime answers one point per day or month of the range (admin).
func (s *Service) FiguresOverTime(ctx context.Context, a Actor, q FiguresQuery) ([]FigurePoint, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	loc := s.cfg.Location
	date := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	fe := FieldErrors{}
	monthly := false
	switch q.Interval {
	case "", FiguresDaily:
	case FiguresMonthly:
		monthly = true
	default:
		fe.Add("interval", "day or month")
	}
	parse := func(field, v string) time.Time {
		t, err := time.ParseInLocation(dayLayout, v, loc)
		if err != nil {
			fe.Add(field, "a date such as 2026-01-31")
		}
		return t
	}
	to := date(s.now())
	if q.To != "" {
		to = parse("to", q.To)
	}
	var from time.Time
	switch {
	case q.From != "":
		from = parse("from", q.From)
	case monthly:
		from = time.Date(to.Year(), to.Month()-11, 1, 0, 0, 0, 0, loc)
	default:
		from = to.AddDate(0, 0, -29)
	}
	if monthly {
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc)
	}
	next := func(t time.Time) time.Time {
		if monthly {
			return t.AddDate(0, 1, 0)
		}
		return t.AddDate(0, 0, 1)
	}
	n := 0
	for t := from; !t.After(to); t = next(t) {
		n++
		if n > max(maxFigureDays, maxFigureMonths) {
			break
		}
	}
	switch {
	case len(fe) > 0:
	case from.After(to):
		fe.Add("from", "on or before to")
	case !monthly && n > maxFigureDays:
		fe.Add("from", "at most 366 days before to")
	case monthly && n > maxFigureMonths:
		fe.Add("from", "at most 120 months before to")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var days []DailyFigures
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		days, err = tx.Figures().List(from.Format(dayLayout), to.Format(dayLayout))
		return err
	}); err != nil {
		return nil, err
	}
	out := make([]FigurePoint, 0, n)
	i := 0
	for t := from; !t.After(to); t = next(t) {
		p := FigurePoint{Start: t}
		end := next(t).Format(dayLayout)
		for ; i < len(days) && days[i].Day < end; i++ {
			d := days[i]
			if !d.SnapshotAt.IsZero() {
				p.HasSnapshot, p.MRR, p.Subscribers = true, d.MRR, d.Subscribers
			}
			p.Churned += d.Churned
			p.Failed += d.FailedPayments
		}
		out = append(out, p)
	}
	return out, nil
}
