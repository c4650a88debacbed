package core

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Currency is an ISO 4217 code. Only IDR is accepted today, but every amount
// carries its currency so that a second one is an addition, not a rewrite.
type Currency string

// IDR is the Indonesian rupiah.
const IDR Currency = "IDR"

// ParseCurrency accepts a supported currency code, case-insensitively.
func ParseCurrency(s string) (Currency, error) {
	switch Currency(strings.ToUpper(strings.TrimSpace(s))) {
	case IDR:
		return IDR, nil
	}
	return "", fmt.Errorf("%w: unsupported currency %q", ErrInvalid, s)
}

// moneyPlaces is the precision of every stored and displayed amount: rupiah
// with two places of sen, as the REST reference prints ("49000.00").
// Midtrans itself takes whole rupiah; Rupiah converts and refuses fractions.
const moneyPlaces = 2

// maxMoney bounds amounts so that absurd inputs are refused up front
// (Midtrans' own ceiling for a subscription amount is 99,999,999,999.00).
var maxMoney = decimal.RequireFromString("99999999999.99")

// Money is an amount with its currency. The zero value is not valid money;
// construct with NewMoney, ParseMoney or MoneyFromRupiah.
type Money struct {
	amount   decimal.Decimal
	currency Currency
}

// NewMoney builds a Money, refusing more than two decimal places and
// amounts beyond maxMoney in absolute value. Negative amounts are allowed
// here (ledger entries are signed); use NonNegative where they make no sense.
func NewMoney(amount decimal.Decimal, cur Currency) (Money, error) {
	if cur == "" {
		return Money{}, fmt.Errorf("%w: money without a currency", ErrInvalid)
	}
	if !amount.Equal(amount.Truncate(moneyPlaces)) {
		return Money{}, fmt.Errorf("%w: amount %s has more than %d decimal places", ErrInvalid, amount.String(), moneyPlaces)
	}
	if amount.Abs().GreaterThan(maxMoney) {
		return Money{}, fmt.Errorf("%w: amount %s is too large", ErrInvalid, amount.String())
	}
	return Money{amount: amount, currency: cur}, nil
}

// ParseMoney reads a decimal string such as "49000.00" or "49000". It refuses
// NaN, infinities, exponents, signs other than a leading minus, and more than
// two decimal places.
func ParseMoney(s string, cur Currency) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Money{}, fmt.Errorf("%w: empty amount", ErrInvalid)
	}
	for i, r := range s {
		if (r < '0' || r > '9') && r != '.' && !(r == '-' && i == 0) {
			return Money{}, fmt.Errorf("%w: amount %q is not a decimal number", ErrInvalid, s)
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Money{}, fmt.Errorf("%w: amount %q is not a decimal number", ErrInvalid, s)
	}
	return NewMoney(d, cur)
}

// MoneyFromRupiah converts whole rupiah (Midtrans' unit) into Money.
func MoneyFromRupiah(rp int64, cur Currency) Money {
	return Money{amount: decimal.NewFromInt(rp), currency: cur}
}

// Zero is zero in the given currency.
func Zero(cur Currency) Money { return Money{amount: decimal.Zero, currency: cur} }

// MustMoney parses s or panics; for tests and constants only.
func MustMoney(s string) Money {
	m, err := ParseMoney(s, IDR)
	if err != nil {
		panic(err)
	}
	return m
}

func (m Money) Amount() decimal.Decimal { return m.amount }
func (m Money) Currency() Currency      { return m.currency }
func (m Money) IsZero() bool            { return m.amount.IsZero() }
func (m Money) IsNegative() bool        { return m.amount.IsNegative() }
func (m Money) IsPositive() bool        { return m.amount.IsPositive() }

// Valid reports whether m was constructed (it has a currency).
func (m Money) Valid() bool { return m.currency != "" }

// String formats with exactly two places: "49000.00". Amounts of up to
// fifteen digits, every amount a merchant can enter, skip the big.Int
// arithmetic of StringFixed: list answers print several per record.
func (m Money) String() string {
	e := m.amount.Exponent()
	if e > 0 || e < -moneyPlaces || m.amount.NumDigits() > 15 {
		return m.amount.StringFixed(moneyPlaces)
	}
	cents := m.amount.CoefficientInt64()
	for ; e > -moneyPlaces; e-- {
		cents *= 10
	}
	b := make([]byte, 0, 24)
	if cents < 0 {
		b, cents = append(b, '-'), -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.', byte('0'+cents/10%10), byte('0'+cents%10))
	return string(b)
}

// Equal compares value and currency; 1 and 1.00 are equal. go-cmp uses it.
func (m Money) Equal(o Money) bool { return m.currency == o.currency && m.amount.Equal(o.amount) }

// Cmp compares two amounts of the same currency.
func (m Money) Cmp(o Money) int {
	m.mustMatch(o)
	return m.amount.Cmp(o.amount)
}

// Add and Sub panic on a currency mismatch: mixing currencies is a
// programming error, never a user input (inputs are parsed per currency).
func (m Money) Add(o Money) Money {
	m.mustMatch(o)
	return Money{amount: m.amount.Add(o.amount), currency: m.currency}
}

func (m Money) Sub(o Money) Money {
	m.mustMatch(o)
	return Money{amount: m.amount.Sub(o.amount), currency: m.currency}
}

func (m Money) Neg() Money { return Money{amount: m.amount.Neg(), currency: m.currency} }

// MulInt multiplies by a whole quantity (seats, cycles).
func (m Money) MulInt(n int64) Money {
	return Money{amount: m.amount.Mul(decimal.NewFromInt(n)), currency: m.currency}
}

// Min returns the smaller amount.
func (m Money) Min(o Money) Money {
	if m.Cmp(o) <= 0 {
		return m
	}
	return o
}

// Rupiah converts to whole rupiah for Midtrans. It refuses an amount with a
// fractional rupiah instead of rounding it.
func (m Money) Rupiah() (int64, error) {
	if m.currency != IDR {
		return 0, fmt.Errorf("%w: %s is not rupiah", ErrInvalid, m.currency)
	}
	if !m.amount.IsInteger() {
		return 0, fmt.Errorf("%w: %s has a fraction of a rupiah; Midtrans takes whole rupiah", ErrInvalid, m.String())
	}
	return m.amount.IntPart(), nil
}

// RoundRupiah rounds to whole rupiah, half away from zero. It is used exactly
// once per computed charge (proration, percentage discounts) and nowhere else.
func (m Money) RoundRupiah() Money {
	return Money{amount: m.amount.Round(0), currency: m.currency}
}

// mulRatio multiplies by num/den without intermediate rounding beyond
// decimal's 16-digit division precision; callers round the final result once.
func (m Money) mulRatio(num, den decimal.Decimal) Money {
	if den.IsZero() {
		return Zero(m.currency)
	}
	return Money{amount: m.amount.Mul(num).DivRound(den, 16), currency: m.currency}
}

func (m Money) mustMatch(o Money) {
	if m.currency != o.currency {
		panic(fmt.Sprintf("core: currency mismatch %q vs %q", m.currency, o.currency))
	}
}
