package core

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Merchant is the seller named on every invoice, and its tax status. A
// merchant that is not a PKP (pengusaha kena pajak, VAT-registered) charges
// no PPN; its invoices carry none.
type Merchant struct {
	Name    string
	Address string
	// PKP: the merchant is VAT-registered and charges PPN.
	PKP bool
	// NPWP is the merchant's tax id (16 digits since Coretax).
	NPWP  string
	Email string
	Phone string
}

// PPNRate is the PPN in force from a date. PPN is Rate × DPP, where the tax
// base DPP is BaseNum/BaseDen of the price before tax. Since 2025-01-01 most
// goods and services are taxed at 12% on a DPP of 11/12 of the price, which
// is 11% of the price.
type PPNRate struct {
	From    time.Time // the first day (in the billing time zone) it applies to
	Rate    Rate
	BaseNum int64
	BaseDen int64
}

// Effective is the rate on the price: Rate × BaseNum/BaseDen.
func (r PPNRate) Effective() decimal.Decimal {
	return r.Rate.d.Mul(decimal.NewFromInt(r.BaseNum)).Div(decimal.NewFromInt(r.BaseDen))
}

// DefaultPPNRates are Indonesia's general PPN rates: 11% from 2022-04-01,
// and 12% on a DPP of 11/12 from 2025-01-01.
func DefaultPPNRates(loc *time.Location) []PPNRate {
	if loc == nil {
		loc = time.UTC
	}
	return []PPNRate{
		{From: time.Date(2022, 4, 1, 0, 0, 0, 0, loc), Rate: Rate{d: decimal.RequireFromString("0.11")}, BaseNum: 1, BaseDen: 1},
		{From: time.Date(2025, 1, 1, 0, 0, 0, 0, loc), Rate: Rate{d: decimal.RequireFromString("0.12")}, BaseNum: 11, BaseDen: 12},
	}
}

// ParsePPNRates reads "2025-01-01=0.12*11/12,2026-07-01=0.12": a rate per
// start date, each with an optional DPP fraction (1/1 without one). Dates
// are days in loc.
func ParsePPNRates(s string, loc *time.Location) ([]PPNRate, error) {
	var out []PPNRate
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		day, spec, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%w: PPN rate %q is not DATE=RATE[*NUM/DEN]", ErrInvalid, part)
		}
		from, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(day), loc)
		if err != nil {
			return nil, fmt.Errorf("%w: PPN rate date %q is not YYYY-MM-DD", ErrInvalid, day)
		}
		rs, base, _ := strings.Cut(spec, "*")
		rate, err := ParseRate(strings.TrimSpace(rs))
		if err != nil {
			return nil, err
		}
		r := PPNRate{From: from, Rate: rate, BaseNum: 1, BaseDen: 1}
		if base != "" {
			var num, den int64
			if _, err := fmt.Sscanf(strings.TrimSpace(base), "%d/%d", &num, &den); err != nil || num <= 0 || den <= 0 || num > den {
				return nil, fmt.Errorf("%w: PPN base %q is not a fraction NUM/DEN of at most 1", ErrInvalid, base)
			}
			r.BaseNum, r.BaseDen = num, den
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no PPN rate given", ErrInvalid)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out, nil
}

// rateOn is the rate in force at t, or false before the first one.
func rateOn(rates []PPNRate, t time.Time) (PPNRate, bool) {
	var cur PPNRate
	found := false
	for _, r := range rates {
		if t.Before(r.From) {
			break
		}
		cur, found = r, true
	}
	return cur, found
}

// price computes an invoice's totals: PPN for a PKP merchant at the rate in
// force on the issue date, otherwise the flat Config.TaxRate (zero by
// default).
func (s *Service) price(inv *Invoice) {
	if !s.cfg.Merchant.PKP {
		inv.Totals(s.cfg.TaxRate)
		return
	}
	r, ok := rateOn(s.cfg.PPNRates, inv.IssueDate)
	if !ok {
		inv.Totals(Rate{})
		return
	}
	inv.TotalsPPN(r)
}

// TotalsPPN computes subtotal, discount, DPP, PPN and total with r. The
// rounding rule: PPN is computed once, on the invoice's net amount (lines,
// credits and discounts summed; lines are never rounded on their own), and
// rounded down to the whole rupiah; DPP is shown to the sen.
//
// With exclusive prices (the default) PPN = ⌊net × Rate × BaseNum/BaseDen⌋
// and total = net + PPN. With prices that include PPN (TaxInclusive) the
// total is the net amount and PPN is the part of it that is tax,
// ⌊net × e/(1+e)⌋ with e the effective rate; DPP is then BaseNum/BaseDen
// of net − PPN. Credit from credit notes (LineCreditNote) is taken off the
// total after PPN.
func (inv *Invoice) TotalsPPN(r PPNRate) {
	inv.Totals(Rate{})
	cur := inv.Currency
	sub, disc, noted := inv.sums()
	net := taxable(sub, disc)
	rn := r.Rate.d.Mul(decimal.NewFromInt(r.BaseNum)) // Rate × BaseNum
	den := decimal.NewFromInt(r.BaseDen)
	var ppn, beforeTax decimal.Decimal
	if inv.TaxInclusive {
		ppn, _ = net.amount.Mul(rn).QuoRem(den.Add(rn), 0)
		beforeTax = net.amount.Sub(ppn)
	} else {
		ppn, _ = net.amount.Mul(rn).QuoRem(den, 0)
		beforeTax = net.amount
	}
	// QuoRem truncates towards zero: the floor for the non-negative net.
	base := beforeTax.Mul(decimal.NewFromInt(r.BaseNum)).DivRound(den, moneyPlaces)
	inv.TaxRate = r.Rate
	inv.TaxBase = Money{amount: base, currency: cur}
	inv.Tax = Money{amount: ppn, currency: cur}
	if inv.TaxInclusive {
		inv.Total = Money{amount: net.amount, currency: cur}
	} else {
		inv.Total = Money{amount: net.amount.Add(ppn), currency: cur}
	}
	inv.applyNoted(noted)
}

// RateOn is the rate in force at t among rates (sorted by From), or false
// before the first.
func RateOn(rates []PPNRate, t time.Time) (PPNRate, bool) { return rateOn(rates, t) }
