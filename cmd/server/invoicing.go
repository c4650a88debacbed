package main

import (
	"errors"
	"fmt"
	"net/url"
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
//	LANGGANAN_PUBLIC_URL        the service's public URL: invoice emails link to the PDF
type invoicing struct {
	PublicURL         string
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
	v.PublicURL = env("LANGGANAN_PUBLIC_URL")
	if v.PublicURL != "" {
		if u, err := url.Parse(v.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("LANGGANAN_PUBLIC_URL %q is not an http(s) URL", v.PublicURL))
		}
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
	c.Merchant, c.PPNRates, c.PublicURL = v.Merchant, v.PPNRates, v.PublicURL
	c.InvoiceNumberPattern, c.CreditNoteNumberPattern = v.InvoicePattern, v.CreditNotePattern
}
