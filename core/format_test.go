package core_test

import (
	"testing"

	"github.com/langganan/langganan/core"
)

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount, id, en string
	}{
		{"49000", "Rp49.000", "IDR 49,000"},
		{"1234567.5", "Rp1.234.567,50", "IDR 1,234,567.50"},
		{"-33194", "-Rp33.194", "-IDR 33,194"},
		{"0", "Rp0", "IDR 0"},
		{"999", "Rp999", "IDR 999"},
	}
	for _, tc := range tests {
		m := core.MustMoney(tc.amount)
		if got := core.FormatMoney(m, "id"); got != tc.id {
			t.Errorf("FormatMoney(%s, id) = %q, want %q", tc.amount, got, tc.id)
		}
		if got := core.FormatMoney(m, "en"); got != tc.en {
			t.Errorf("FormatMoney(%s, en) = %q, want %q", tc.amount, got, tc.en)
		}
	}
	if got := core.FormatMoney(core.Money{}, "id"); got != "" {
		t.Errorf("FormatMoney(no money) = %q, want empty", got)
	}
}
