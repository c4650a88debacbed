package core

import (
	"fmt"
	"time"
)

// IntervalUnit is the unit of a billing interval.
type IntervalUnit string

const (
	Day   IntervalUnit = "day"
	Week  IntervalUnit = "week"
	Month IntervalUnit = "month"
	Year  IntervalUnit = "year"
)

// ParseIntervalUnit accepts day, week, month or year.
func ParseIntervalUnit(s string) (IntervalUnit, error) {
	switch u := IntervalUnit(s); u {
	case Day, Week, Month, Year:
		return u, nil
	}
	return "", fmt.Errorf("%w: interval_unit must be day, week, month or year", ErrInvalid)
}

// Schedule is a billing cadence anchored at a moment. Period n (from 0)
// runs from Boundary(n) to Boundary(n+1). Boundaries are computed from the
// anchor, never from the previous boundary, so a month-end anchor clamps
// without drifting: Jan 31 → Feb 28/29 → Mar 31 → Apr 30.
type Schedule struct {
	Anchor   time.Time
	Unit     IntervalUnit
	Interval int
	Loc      *time.Location
}

// Boundary returns the start of period n, in the schedule's zone.
func (s Schedule) Boundary(n int) time.Time {
	loc := s.Loc
	if loc == nil {
		loc = time.UTC
	}
	a := s.Anchor.In(loc)
	k := n * s.Interval
	switch s.Unit {
	case Day:
		return a.AddDate(0, 0, k)
	case Week:
		return a.AddDate(0, 0, 7*k)
	case Month:
		return addMonthsClamped(a, k)
	case Year:
		return addMonthsClamped(a, 12*k)
	}
	panic("core: unknown interval unit " + string(s.Unit))
}

// PeriodContaining returns the index of the period that contains t (t at or
// after the anchor).
func (s Schedule) PeriodContaining(t time.Time) int {
	n := 0
	// Estimate, then correct: keeps this O(1)-ish for long-running schedules.
	if approx := approxUnit(s.Unit) * time.Duration(s.Interval); approx > 0 {
		n = int(t.Sub(s.Anchor) / approx)
		if n > 0 {
			n--
		}
		if n < 0 {
			n = 0
		}
	}
	for n > 0 && s.Boundary(n).After(t) {
		n--
	}
	for !s.Boundary(n + 1).After(t) {
		n++
	}
	return n
}

func approxUnit(u IntervalUnit) time.Duration {
	switch u {
	case Day:
		return 23 * time.Hour
	case Week:
		return 7*24*time.Hour - time.Hour
	case Month:
		return 28 * 24 * time.Hour
	case Year:
		return 365 * 24 * time.Hour
	}
	return 0
}

func addMonthsClamped(a time.Time, months int) time.Time {
	y, m, d := a.Date()
	total := int(m) - 1 + months
	ty := y + floorDiv(total, 12)
	tm := time.Month(total - floorDiv(total, 12)*12 + 1)
	if last := daysIn(ty, tm); d > last {
		d = last
	}
	return time.Date(ty, tm, d, a.Hour(), a.Minute(), a.Second(), a.Nanosecond(), a.Location())
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// AddInterval is Boundary(1) of a schedule anchored at start: the end of one
// period beginning at start.
func AddInterval(start time.Time, unit IntervalUnit, interval int, loc *time.Location) time.Time {
	return Schedule{Anchor: start, Unit: unit, Interval: interval, Loc: loc}.Boundary(1)
}
