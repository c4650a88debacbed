package midtrans

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// wib is Midtrans' wire time zone: timestamps without a zone are GMT+7.
var wib = time.FixedZone("WIB", 7*3600)

// zoned layouts carry their own offset; local ones are read in WIB.
var (
	zonedLayouts = []string{
		time.RFC3339Nano,
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 Z0700",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02T15:04:05Z0700",
	}
	localLayouts = []string{
		"2006-01-02 15:04:05", // also takes fractional seconds when parsing
		"2006-01-02T15:04:05",
		"2006-01-02",
	}
)

// parseTime reads any timestamp shape Midtrans is known to send. An empty,
// null or unknown value gives the zero time: a timestamp format must never
// turn a successful call into an error (Raw keeps the original).
func parseTime(v any) time.Time {
	s := strings.TrimSpace(flexString(v))
	if s == "" || s == "null" {
		return time.Time{}
	}
	// No layout of one list parses a string of the other's shape, so
	// the order only saves work: Midtrans' usual transaction_time has no
	// zone, and trying the zoned layouts first built five errors for each.
	zoned := func() (time.Time, bool) {
		for _, l := range zonedLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	local := func() (time.Time, bool) {
		for _, l := range localLayouts {
			if t, err := time.ParseInLocation(l, s, wib); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	first, second := zoned, local
	if !hasZone(s) {
		first, second = local, zoned
	}
	if t, ok := first(); ok {
		return t
	}
	t, _ := second()
	return t
}

// hasZone reports whether a timestamp names its offset ("Z", "+07:00",
// "-0700") after its date.
func hasZone(s string) bool {
	return len(s) > len("2006-01-02") && strings.ContainsAny(s[len("2006-01-02"):], "Z+-")
}

// formatStartTime is the request format for schedule.start_time.
func formatStartTime(t time.Time) string { return t.In(wib).Format("2006-01-02 15:04:05 -0700") }

// flexString renders a decoded JSON scalar (string, json.Number, bool) as a string.
func flexString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64: // only if someone decoded without UseNumber
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// parseMoney reads "49000.00", "14000" or a JSON number as a decimal, never a float.
// A missing or unreadable amount gives the zero Money and false.
func parseMoney(v any) (core.Money, bool) {
	s := strings.TrimSpace(flexString(v))
	if s == "" {
		return core.Money{}, false
	}
	m, err := core.ParseMoney(s, core.IDR)
	if err != nil {
		return core.Money{}, false
	}
	return m, true
}

// parseInt64 reads an integer that may be a JSON number beyond 2^53 or a string.
func parseInt64(v any) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(flexString(v)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func parseInt(v any) int { return int(parseInt64(v)) }

func parseBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, _ := strconv.ParseBool(x)
		return b
	}
	return false
}

func str(m map[string]any, k string) string { return flexString(m[k]) }

func obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}

func list(m map[string]any, k string) []any {
	l, _ := m[k].([]any)
	return l
}

// action is one entry of a response's actions list.
type action struct{ Name, Method, URL string }

func actions(m map[string]any) []action {
	var out []action
	for _, a := range list(m, "actions") {
		o, ok := a.(map[string]any)
		if !ok {
			continue
		}
		out = append(out, action{Name: str(o, "name"), Method: str(o, "method"), URL: str(o, "url")})
	}
	return out
}

func findAction(as []action, names ...string) string {
	for _, n := range names {
		for _, a := range as {
			if strings.EqualFold(a.Name, n) && a.URL != "" {
				return a.URL
			}
		}
	}
	return ""
}

// rupiah converts an outbound amount, refusing fractions before anything is sent.
func rupiah(op, field string, m core.Money) (int64, error) {
	if !m.Valid() {
		return 0, refuse(op, field+" is missing", core.ErrInvalid)
	}
	rp, err := m.Rupiah()
	if err != nil {
		return 0, refuse(op, field+": "+err.Error(), err)
	}
	return rp, nil
}

// customerJSON is customer_details on the wire.
type customerJSON struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

func fromCoreCustomer(c core.CustomerDetails) *customerJSON {
	if c == (core.CustomerDetails{}) {
		return nil
	}
	return &customerJSON{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone}
}
