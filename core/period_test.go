package core

import (
	"testing"
	"time"
)

func jakarta(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	return loc
}

func TestScheduleBoundaries(t *testing.T) {
	t.Parallel()
	loc := jakarta(t)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 9, 30, 0, 0, loc) }
	tests := []struct {
		name     string
		anchor   time.Time
		unit     IntervalUnit
		interval int
		want     []time.Time // boundaries 0..n
	}{
		{"month-end clamps and recovers", d(2025, 1, 31), Month, 1,
			[]time.Time{d(2025, 1, 31), d(2025, 2, 28), d(2025, 3, 31), d(2025, 4, 30), d(2025, 5, 31)}},
		{"leap year february", d(2024, 1, 31), Month, 1,
			[]time.Time{d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 31)}},
		{"the 30th", d(2025, 1, 30), Month, 1,
			[]time.Time{d(2025, 1, 30), d(2025, 2, 28), d(2025, 3, 30)}},
		{"year boundary", d(2025, 11, 15), Month, 1,
			[]time.Time{d(2025, 11, 15), d(2025, 12, 15), d(2026, 1, 15), d(2026, 2, 15)}},
		{"quarterly", d(2025, 11, 30), Month, 3,
			[]time.Time{d(2025, 11, 30), d(2026, 2, 28), d(2026, 5, 30), d(2026, 8, 30)}},
		{"yearly from leap day", d(2024, 2, 29), Year, 1,
			[]time.Time{d(2024, 2, 29), d(2025, 2, 28), d(2026, 2, 28), d(2027, 2, 28), d(2028, 2, 29)}},
		{"weekly across year end", d(2025, 12, 25), Week, 1,
			[]time.Time{d(2025, 12, 25), d(2026, 1, 1), d(2026, 1, 8)}},
		{"every 10 days", d(2025, 2, 25), Day, 10,
			[]time.Time{d(2025, 2, 25), d(2025, 3, 7), d(2025, 3, 17)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Schedule{Anchor: tc.anchor, Unit: tc.unit, Interval: tc.interval, Loc: loc}
			for i, want := range tc.want {
				if got := s.Boundary(i); !got.Equal(want) {
					t.Errorf("Boundary(%d) = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// Over ten years of daily start dates and every unit, periods are
// contiguous (each starts where the last ended), never overlap, never
// skip a calendar month, and PeriodContaining agrees with Boundary.
func TestSchedulePropertiesTenYears(t *testing.T) {
	t.Parallel()
	loc := jakarta(t)
	start := time.Date(2020, 1, 1, 23, 15, 0, 0, loc)
	for _, unit := range []IntervalUnit{Day, Week, Month, Year} {
		for day := 0; day < 3653; day += 1 {
			anchor := start.AddDate(0, 0, day)
			s := Schedule{Anchor: anchor, Unit: unit, Interval: 1, Loc: loc}
			periods := 14
			if unit == Day || unit == Week {
				periods = 3
			}
			prev := s.Boundary(0)
			if !prev.Equal(anchor) {
				t.Fatalf("%s %v: Boundary(0) = %v", unit, anchor, prev)
			}
			for n := 1; n <= periods; n++ {
				b := s.Boundary(n)
				if !b.After(prev) {
					t.Fatalf("%s %v: period %d does not move forward: %v -> %v", unit, anchor, n, prev, b)
				}
				if unit == Month {
					pm := prev.Year()*12 + int(prev.Month())
					bm := b.Year()*12 + int(b.Month())
					if bm-pm != 1 {
						t.Fatalf("month %v: period %d skips or repeats a month: %v -> %v", anchor, n, prev, b)
					}
					if want := min(anchor.Day(), daysIn(b.Year(), b.Month())); b.Day() != want {
						t.Fatalf("month %v: period %d day %d, want %d", anchor, n, b.Day(), want)
					}
				}
				mid := prev.Add(b.Sub(prev) / 2)
				if got := s.PeriodContaining(mid); got != n-1 {
					t.Fatalf("%s %v: PeriodContaining(%v) = %d, want %d", unit, anchor, mid, got, n-1)
				}
				if got := s.PeriodContaining(b); got != n {
					t.Fatalf("%s %v: PeriodContaining(boundary %d) = %d", unit, anchor, n, got)
				}
				prev = b
			}
		}
	}
}
