package records

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/langganan/langganan/core"
)

// money is core.Money as stored: {"amount":"49000.00","currency":"IDR"},
// an exact decimal string, never a float. The zero (invalid) Money is
// omitted by omitzero and decodes back to the zero Money.
type money core.Money

type moneyJSON struct {
	Amount   string        `json:"amount"`
	Currency core.Currency `json:"currency"`
}

func (m money) IsZero() bool { return !core.Money(m).Valid() }

func (m money) MarshalJSON() ([]byte, error) { return m.append(make([]byte, 0, 48)) }

// append writes m's JSON after b.
func (m money) append(b []byte) ([]byte, error) {
	cm := core.Money(m)
	// Refuse at write time what could not be read back (more than two places).
	if _, err := core.NewMoney(cm.Amount(), cm.Currency()); err != nil {
		return b, err
	}
	cur := string(cm.Currency())
	if !plainCode(cur) {
		out, err := json.Marshal(moneyJSON{Amount: cm.String(), Currency: cm.Currency()})
		return append(b, out...), err
	}
	// By hand: a decimal string and a code of letters need no escaping.
	b = append(b, `{"amount":"`...)
	b = append(b, cm.String()...)
	b = append(b, `","currency":"`...)
	b = append(b, cur...)
	return append(b, `"}`...), nil
}

// plainCode reports whether a currency code is letters only (IDR).
func plainCode(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func (m *money) UnmarshalJSON(b []byte) error {
	var j moneyJSON
	if err := unmarshal(b, &j); err != nil {
		return err
	}
	cm, err := core.ParseMoney(j.Amount, j.Currency)
	if err != nil {
		return fmt.Errorf("stored money %q %q: %w", j.Amount, j.Currency, err)
	}
	*m = money(cm)
	return nil
}

// UTC drops the location and monotonic reading; records hold UTC only.
func UTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
