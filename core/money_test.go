package core

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"49000", "49000.00", false},
		{"49000.00", "49000.00", false},
		{"49000.5", "49000.50", false},
		{"0", "0.00", false},
		{"-10.25", "-10.25", false},
		{"49000.001", "", true},
		{"NaN", "", true},
		{"Inf", "", true},
		{"-Inf", "", true},
		{"1e5", "", true},
		{"", "", true},
		{"12,5", "", true},
		{"+5", "", true},
		{"999999999999", "", true},
		{" 100 ", "100.00", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			m, err := ParseMoney(tc.in, IDR)
			if tc.wantErr {
				if err == nil || !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParseMoney(%q) err = %v, want ErrInvalid", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMoney(%q): %v", tc.in, err)
			}
			if got := m.String(); got != tc.want {
				t.Errorf("ParseMoney(%q).String() = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMoneyRupiah(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"49000.00", 49000, false},
		{"1", 1, false},
		{"49000.50", 0, true},
		{"0.01", 0, true},
	}
	for _, tc := range tests {
		got, err := MustMoney(tc.in).Rupiah()
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("Rupiah(%s) = %d, %v; want %d, err=%v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	t.Parallel()
	a, b := MustMoney("100.10"), MustMoney("0.90")
	if got := a.Add(b); !got.Equal(MustMoney("101")) {
		t.Errorf("Add = %s, want 101.00", got)
	}
	if got := a.Sub(b); !got.Equal(MustMoney("99.20")) {
		t.Errorf("Sub = %s, want 99.20", got)
	}
	if !MustMoney("1").Equal(MustMoney("1.00")) {
		t.Error("1 and 1.00 must be Equal")
	}
	if got := MustMoney("10.50").RoundRupiah(); !got.Equal(MustMoney("11")) {
		t.Errorf("RoundRupiah(10.50) = %s, want 11.00 (half away from zero)", got)
	}
	if got := MustMoney("10.49").RoundRupiah(); !got.Equal(MustMoney("10")) {
		t.Errorf("RoundRupiah(10.49) = %s, want 10.00", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("adding different currencies must panic")
		}
	}()
	_ = a.Add(Money{amount: b.amount, currency: "USD"})
}

// String's fast path prints what StringFixed prints, for every exponent
// and sign and around the fifteen-digit boundary where it hands over.
func TestMoneyStringMatchesStringFixed(t *testing.T) {
	t.Parallel()
	coefficients := []int64{0, 1, 5, 9, 10, 99, 100, 101, 4_900_000, 999_999_999_999_999, 1_000_000_000_000_000, 9_223_372_036_854_775_807}
	for _, c := range coefficients {
		for _, sign := range []int64{1, -1} {
			for exp := int32(-4); exp <= 2; exp++ {
				d := decimal.New(sign*c, exp)
				m := Money{amount: d, currency: IDR}
				if got, want := m.String(), d.StringFixed(moneyPlaces); got != want {
					t.Errorf("Money(%s).String() = %q, want %q", d, got, want)
				}
			}
		}
	}
}
