package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

type goldenIDs struct{ n int }

func (g *goldenIDs) NewID() string { g.n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", g.n) }

func (g *goldenIDs) Secret(n int) ([]byte, error) { return make([]byte, n), nil }

type goldenHasher struct{}

func (goldenHasher) Hash(p string) (string, error) { return p, nil }
func (goldenHasher) Compare(h, p string) bool      { return h == p }

// nilStore satisfies NewService; buildCycleInvoice never touches it.
type nilStore struct{ Store }

// TestDiscountGolden prices three cycles per coupon, the way cycleInvoice
// (coupon passed while cycles are left) and onCyclePaid (one cycle used per
// paid cycle) do, with and without a proration credit carried into cycle 1.
func TestDiscountGolden(t *testing.T) {
	t.Parallel()
	svc, err := NewService(Deps{Store: nilStore{}, Clock: NewManualClock(time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)),
		IDs: &goldenIDs{}, Hasher: goldenHasher{}}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	plan := Plan{ID: "p", Name: "Pro", Slug: "pro", Price: MustMoney("100000"), Interval: 1, IntervalUnit: Month}
	pct := func(p string) Coupon { return Coupon{Code: "PCT", PercentOff: decimal.RequireFromString(p)} }
	amt := func(a string) Coupon { return Coupon{Code: "AMT", AmountOff: MustMoney(a)} }
	with := func(c Coupon, d CouponDuration, n int) Coupon { c.Duration, c.DurationInCycles = d, n; return c }
	tests := []struct {
		name   string
		coupon Coupon
		credit string // PendingCredit carried into cycle 1
		totals [3]string
		disc   [3]string // discount line amounts ("" = no line)
	}{
		{"percent once", with(pct("15"), CouponOnce, 0), "", [3]string{"85000.00", "100000.00", "100000.00"}, [3]string{"-15000.00", "", ""}},
		{"percent repeating 2", with(pct("15"), CouponRepeating, 2), "", [3]string{"85000.00", "85000.00", "100000.00"}, [3]string{"-15000.00", "-15000.00", ""}},
		{"percent forever", with(pct("15"), CouponForever, 0), "", [3]string{"85000.00", "85000.00", "85000.00"}, [3]string{"-15000.00", "-15000.00", "-15000.00"}},
		{"amount once", with(amt("20000"), CouponOnce, 0), "", [3]string{"80000.00", "100000.00", "100000.00"}, [3]string{"-20000.00", "", ""}},
		{"amount repeating 2", with(amt("20000"), CouponRepeating, 2), "", [3]string{"80000.00", "80000.00", "100000.00"}, [3]string{"-20000.00", "-20000.00", ""}},
		{"amount forever", with(amt("20000"), CouponForever, 0), "", [3]string{"80000.00", "80000.00", "80000.00"}, [3]string{"-20000.00", "-20000.00", "-20000.00"}},
		// 15% of (100000 - 33333) = 10000.05, rounded once to 10000.
		{"percent with proration credit", with(pct("15"), CouponRepeating, 2), "-33333", [3]string{"56667.00", "85000.00", "100000.00"}, [3]string{"-10000.00", "-15000.00", ""}},
		{"amount with proration credit", with(amt("20000"), CouponForever, 0), "-33333", [3]string{"46667.00", "80000.00", "80000.00"}, [3]string{"-20000.00", "-20000.00", "-20000.00"}},
		// A carried charge (quantity raised mid-period) is discounted too.
		{"percent with carried charge", with(pct("10"), CouponOnce, 0), "5000", [3]string{"94500.00", "100000.00", "100000.00"}, [3]string{"-10500.00", "", ""}},
		{"amount above the total", with(amt("150000"), CouponOnce, 0), "", [3]string{"0.00", "100000.00", "100000.00"}, [3]string{"-100000.00", "", ""}},
		{"hundred percent", with(pct("100"), CouponForever, 0), "", [3]string{"0.00", "0.00", "0.00"}, [3]string{"-100000.00", "-100000.00", "-100000.00"}},
		{"fractional percent", with(pct("12.5"), CouponOnce, 0), "", [3]string{"87500.00", "100000.00", "100000.00"}, [3]string{"-12500.00", "", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := Subscription{ID: "s", OwnerID: "o", PlanID: "p", Quantity: 1, CouponID: "c",
				CouponCyclesLeft: tc.coupon.initialCycles(), PendingCredit: Zero(IDR)}
			if tc.credit != "" {
				sub.PendingCredit = MustMoney(tc.credit)
			}
			start := time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)
			for cycle := 1; cycle <= 3; cycle++ {
				var c *Coupon
				if sub.CouponCyclesLeft != 0 {
					c = &tc.coupon
				}
				end := AddInterval(start, Month, 1, nil)
				inv := svc.buildCycleInvoice(sub, plan, c, cycle, start, end, start)
				if got := inv.Total.String(); got != tc.totals[cycle-1] {
					t.Errorf("cycle %d total = %s, want %s (lines %+v)", cycle, got, tc.totals[cycle-1], inv.Lines)
				}
				disc := ""
				credit := ""
				for _, l := range inv.Lines {
					switch l.Kind {
					case LineDiscount:
						disc = l.Amount.String()
						if l.Description != "Coupon "+tc.coupon.Code {
							t.Errorf("discount line description %q", l.Description)
						}
					case LineCredit:
						credit = l.Amount.String()
					}
				}
				if disc != tc.disc[cycle-1] {
					t.Errorf("cycle %d discount line = %q, want %q", cycle, disc, tc.disc[cycle-1])
				}
				if cycle == 1 && tc.credit != "" && credit != MustMoney(tc.credit).String() {
					t.Errorf("cycle 1 credit line = %q, want %s", credit, tc.credit)
				}
				if cycle > 1 && credit != "" {
					t.Errorf("cycle %d carries a credit line %s", cycle, credit)
				}
				// What cycleInvoice and onCyclePaid do after the invoice.
				sub.PendingCredit = Zero(IDR)
				if sub.CouponCyclesLeft > 0 {
					sub.CouponCyclesLeft--
				}
				start = end
			}
		})
	}
}

// TestQuantityProration checks the carried amount of a mid-period seat
// change against prorate, rounded once.
func TestQuantityProration(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC) // 30 days
	now := start.Add(10 * 24 * time.Hour)               // 20 days left
	price := MustMoney("30000")
	credit, debit := prorate(price.MulInt(2), price.MulInt(5), start, end, now)
	if got := debit.Sub(credit).String(); got != "60000.00" { // 3 seats × 30000 × 20/30
		t.Fatalf("net = %s, want 60000.00", got)
	}
	credit, debit = prorate(price.MulInt(5), price.MulInt(4), start, end, now.Add(time.Hour))
	// one seat × 30000 × (20d - 1h)/30d = 19958.333… → 19958
	if got := debit.Sub(credit).String(); got != "-19958.00" {
		t.Fatalf("net = %s, want -19958.00", got)
	}
	_ = context.Background
}
