package core

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Rate is a fraction such as a tax rate (0.11) or a discount (0.25).
type Rate struct{ d decimal.Decimal }

// ParseRate reads a decimal fraction between 0 and 1.
func ParseRate(s string) (Rate, error) {
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1)) {
		return Rate{}, fmt.Errorf("%w: rate %q must be a decimal between 0 and 1", ErrInvalid, s)
	}
	return Rate{d: d}, nil
}

// PercentRate is p/100.
func PercentRate(p decimal.Decimal) Rate { return Rate{d: p.Div(decimal.NewFromInt(100))} }

func (r Rate) String() string { return r.d.String() }
func (r Rate) IsZero() bool   { return r.d.IsZero() }

// Of applies the rate to m and rounds once to whole rupiah.
func (r Rate) Of(m Money) Money {
	return Money{amount: m.amount.Mul(r.d), currency: m.currency}.RoundRupiah()
}

// Equal compares values; 0.12 and 0.120 are equal. go-cmp uses it.
func (r Rate) Equal(o Rate) bool { return r.d.Equal(o.d) }

// Percent is the rate × 100 (0.12 → 12).
func (r Rate) Percent() decimal.Decimal { return r.d.Mul(decimal.NewFromInt(100)) }
