package bolt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/langganan/langganan/core"
)

// Keys are fixed-width and big-endian so byte order is the logical order
// and composite keys can be scanned by prefix.

const (
	idLen   = 16 // a UUID's bytes
	hashLen = 32 // SHA-256 of free text, equality lookups only
	tsLen   = 8
)

// idKey is the 16 bytes of a canonical UUID. Ids are UUIDs in production;
// anything else (a test fake's id, a foreign reference) falls back to the
// first 16 bytes of its SHA-256, keeping every key fixed-width. Records
// carry the real id, and lookups compare it, so a collision can only make
// a lookup miss or a Put conflict, never return a wrong record.
func idKey(id string) []byte {
	b := make([]byte, idLen)
	putID(b, id)
	return b
}

func putID(dst []byte, id string) {
	if u, err := core.ParseUUID(id); err == nil {
		copy(dst, u[:])
		return
	}
	h := sha256.Sum256([]byte("id\x00" + id))
	copy(dst, h[:idLen])
}

func hashKey(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// putTS writes unix nanos with the sign bit flipped, so times before 1970
// still sort first. Times outside int64 nanos (and the zero time) clamp.
func putTS(dst []byte, t time.Time) {
	var n int64
	switch {
	case t.Before(minTime):
		n = math.MinInt64
	case t.After(maxTime):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	binary.BigEndian.PutUint64(dst, uint64(n)^(1<<63))
}

func tsKey(t time.Time) []byte {
	b := make([]byte, tsLen)
	putTS(b, t)
	return b
}

func u64Key(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// cat joins key parts into one new slice.
func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// ownerTimeKey is the common "list by X, oldest first" index key.
func ownerTimeKey(owner string, t time.Time, pk []byte) []byte {
	b := make([]byte, idLen+tsLen+len(pk))
	putID(b, owner)
	putTS(b[idLen:], t)
	copy(b[idLen+tsLen:], pk)
	return b
}

// timeKey is the common "due at t" index key.
func timeKey(t time.Time, pk []byte) []byte {
	b := make([]byte, tsLen+len(pk))
	putTS(b, t)
	copy(b[tsLen:], pk)
	return b
}

// prefixEnd is the smallest key above every key starting with p, nil when
// there is none (p is all 0xff).
func prefixEnd(p []byte) []byte {
	e := append([]byte(nil), p...)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xff {
			e[i]++
			return e[:i+1]
		}
	}
	return nil
}

// money is core.Money as stored: {"amount":"49000.00","currency":"IDR"},
// an exact decimal string, never a float. The zero (invalid) Money is
// omitted by omitzero and decodes back to the zero Money.
type money core.Money

type moneyJSON struct {
	Amount   string        `json:"amount"`
	Currency core.Currency `json:"currency"`
}

func (m money) IsZero() bool { return !core.Money(m).Valid() }

func (m money) MarshalJSON() ([]byte, error) {
	cm := core.Money(m)
	// Refuse at write time what could not be read back (more than two places).
	if _, err := core.NewMoney(cm.Amount(), cm.Currency()); err != nil {
		return nil, err
	}
	return json.Marshal(moneyJSON{Amount: cm.String(), Currency: cm.Currency()})
}

func (m *money) UnmarshalJSON(b []byte) error {
	var j moneyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	cm, err := core.ParseMoney(j.Amount, j.Currency)
	if err != nil {
		return fmt.Errorf("stored money %q %q: %w", j.Amount, j.Currency, err)
	}
	*m = money(cm)
	return nil
}

// utc drops the location and monotonic reading; records hold UTC only.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
