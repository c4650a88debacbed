package http

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// Shared helpers of the billing handlers (subscriptions, payments,
// invoices, wallet, top-ups, payment methods).

// optTime renders a zero time as null, any other as RFC 3339.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// optString renders an empty string as null (ids that may be absent).
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// money renders a money field as a two-place decimal string; a money value
// that was never set reads "0.00".
func money(m core.Money) string { return m.String() }

// pathID reads a uuid path parameter; anything that is not a uuid cannot
// name a record, so it answers 404 like an unknown id.
func pathID(c *fiber.Ctx, what string) (string, error) {
	id := c.Params("id")
	if !core.IsUUID(id) {
		return "", core.NotFoundf("%s not found", what)
	}
	return strings.ToLower(id), nil
}

// paginate cuts one page out of a full, already ordered list.
func paginate[T any](list []T, q listQuery) []T {
	off := q.Offset()
	if off >= len(list) {
		return nil
	}
	end := min(off+q.PageSize, len(list))
	return list[off:end]
}

// checkChoice refuses a filter value outside its allow-list.
func checkChoice(field, value string, allowed []string) error {
	if value == "" || slices.Contains(allowed, value) {
		return nil
	}
	return invalid("invalid query parameters", map[string]string{field: "one of " + strings.Join(allowed, ", ")})
}

func paymentTypeNames() []string {
	out := make([]string, len(core.AllPaymentTypes))
	for i, t := range core.AllPaymentTypes {
		out[i] = string(t)
	}
	return out
}

// parseRupiah reads a money field that must be whole rupiah: a JSON number
// or a decimal string, no fraction of a rupiah, no NaN or exponent. Unless
// signed, it must be positive; signed amounts must not be zero.
func parseRupiah(field string, a amount, signed bool) (core.Money, error) {
	m, err := core.ParseMoney(string(a), core.IDR)
	if err != nil {
		return core.Money{}, invalid("invalid input", map[string]string{field: "a whole-rupiah amount such as 50000 or \"50000.00\""})
	}
	if !m.Amount().IsInteger() {
		return core.Money{}, invalid("invalid input", map[string]string{field: "must be whole rupiah (no fraction)"})
	}
	if !signed && !m.IsPositive() {
		return core.Money{}, invalid("invalid input", map[string]string{field: "must be positive"})
	}
	if signed && m.IsZero() {
		return core.Money{}, invalid("invalid input", map[string]string{field: "must not be zero"})
	}
	return m, nil
}

// customerDetailsJSON is the reference's customer_details object, both in
// requests and responses.
type customerDetailsJSON struct {
	FirstName string `json:"first_name" validate:"max=100"`
	LastName  string `json:"last_name" validate:"max=100"`
	Email     string `json:"email" validate:"omitempty,max=254,email" doc:"An e-mail address, or empty"`
	Phone     string `json:"phone" validate:"max=30"`
}

func (d *customerDetailsJSON) toCore() core.CustomerDetails {
	if d == nil {
		return core.CustomerDetails{}
	}
	return core.CustomerDetails{FirstName: d.FirstName, LastName: d.LastName, Email: d.Email, Phone: d.Phone}
}

func toCustomerJSON(d core.CustomerDetails) customerDetailsJSON {
	return customerDetailsJSON{FirstName: d.FirstName, LastName: d.LastName, Email: d.Email, Phone: d.Phone}
}

// emptyMap keeps free-form objects rendering as {} rather than null.
func emptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
