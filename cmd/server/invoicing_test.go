package main

import (
	"strings"
	"testing"
	"time"
)

// TestParseInvoicing: the merchant's tax status, dated PPN rates and the
// number patterns come from the environment; a PKP without an NPWP, and
// malformed values, are refused by name.
func TestParseInvoicing(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	good, err := parseInvoicing(env(map[string]string{"LANGGANAN_MERCHANT_NAME": "PT Contoh", "LANGGANAN_MERCHANT_PKP": "true",
		"LANGGANAN_MERCHANT_NPWP": "0012345678901234", "LANGGANAN_PPN_RATES": "2025-01-01=0.12*11/12,2027-01-01=0.12",
		"LANGGANAN_INVOICE_NUMBER_PATTERN": "F-{YY}{MM}-{NNNN}", "LANGGANAN_CREDIT_NOTE_NUMBER_PATTERN": "NK/{YYYY}/{NNNNN}"}), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !good.Merchant.PKP || len(good.PPNRates) != 2 || good.InvoicePattern != "F-{YY}{MM}-{NNNN}" || good.CreditNotePattern != "NK/{YYYY}/{NNNNN}" {
		t.Errorf("parsed %+v", good)
	}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANGGANAN_MERCHANT_PKP": "yes please"}, "LANGGANAN_MERCHANT_PKP"},
		{map[string]string{"LANGGANAN_MERCHANT_PKP": "true"}, "needs LANGGANAN_MERCHANT_NPWP"},
		{map[string]string{"LANGGANAN_PPN_RATES": "2025-01-01"}, "LANGGANAN_PPN_RATES"},
		{map[string]string{"LANGGANAN_CREDIT_NOTE_NUMBER_PATTERN": "CN/{YYYY}"}, "LANGGANAN_CREDIT_NOTE_NUMBER_PATTERN"},
		{map[string]string{"LANGGANAN_PUBLIC_URL": "ftp://x"}, "LANGGANAN_PUBLIC_URL"},
	} {
		if _, err := parseInvoicing(env(tt.env), time.UTC); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error naming %s", tt.env, err, tt.want)
		}
	}
}
