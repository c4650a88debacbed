package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// invoicing is the merchant named on invoices, its tax status and the
// number patterns (README, "Invoices and tax"):
//
//	LANGGANAN_MERCHANT_NAME, _ADDRESS, _EMAIL, _PHONE  the seller on invoices
//	LANGGANAN_MERCHANT_PKP      true: VAT-registered, invoices carry PPN
//	LANGGANAN_MERCHANT_NPWP     the merchant's tax id (needed with PKP)
//	LANGGANAN_PPN_RATES         dated rates, "2025-01-01=0.12*11/12,..."
//	LANGGANAN_INVOICE_NUMBER_PATTERN, LANGGANAN_CREDIT_NOTE_NUMBER_PATTERN
type invoicing struct {
	Merchant          core.Merchant
	PPNRates          []core.PPNRate
	InvoicePattern    core.NumberPattern
	CreditNotePattern core.NumberPattern
}

func parseInvoicing(getenv func(string) string, loc *time.Location) (invoicing, error) {
	var v invoicing
	var errs []error
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	v.Merchant = core.Merchant{Name: env("LANGGANAN_MERCHANT_NAME"), Address: env("LANGGANAN_MERCHANT_ADDRESS"),
		Email: env("LANGGANAN_MERCHANT_EMAIL"), Phone: env("LANGGANAN_MERCHANT_PHONE"), NPWP: env("LANGGANAN_MERCHANT_NPWP")}
	if s := env("LANGGANAN_MERCHANT_PKP"); s != "" {
		pkp, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("LANGGANAN_MERCHANT_PKP %q is not true or false", s))
		}
		v.Merchant.PKP = pkp
	}
	if v.Merchant.PKP && v.Merchant.NPWP == "" {
		errs = append(errs, errors.New("LANGGANAN_MERCHANT_PKP=true needs LANGGANAN_MERCHANT_NPWP"))
	}
	if s := env("LANGGANAN_PPN_RATES"); s != "" {
		if loc == nil {
			loc = time.UTC
		}
		r, err := core.ParsePPNRates(s, loc)
		if err != nil {
			errs = append(errs, fmt.Errorf("LANGGANAN_PPN_RATES: %w", err))
		}
		v.PPNRates = r
	}
	for _, p := range []struct {
		name string
		to   *core.NumberPattern
	}{{"LANGGANAN_INVOICE_NUMBER_PATTERN", &v.InvoicePattern}, {"LANGGANAN_CREDIT_NOTE_NUMBER_PATTERN", &v.CreditNotePattern}} {
		if s := env(p.name); s != "" {
			if err := core.ValidateNumberPattern(s); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
			}
			*p.to = core.NumberPattern(s)
		}
	}
	return v, errors.Join(errs...)
}

func (v invoicing) apply(c *core.Config) {
	c.Merchant, c.PPNRates = v.Merchant, v.PPNRates
	c.InvoiceNumberPattern, c.CreditNoteNumberPattern = v.InvoicePattern, v.CreditNotePattern
}
