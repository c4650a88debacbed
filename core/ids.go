package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// IDs is the source of everything random: entity ids (UUIDs) and secret
// bytes (API tokens, webhook secrets, bootstrap passwords). It is a port,
// like the clock, so core holds no randomness of its own: production uses
// adapters/random (crypto/rand), tests a predictable sequence.
type IDs interface {
	NewID() string
	// Secret returns n unpredictable bytes.
	Secret(n int) ([]byte, error)
}

// FormatUUID writes 16 bytes in the canonical 8-4-4-4-12 form.
func FormatUUID(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// ParseUUID checks the canonical 8-4-4-4-12 form and returns the 16 bytes.
func ParseUUID(s string) ([16]byte, error) {
	var b [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return b, fmt.Errorf("%w: %q is not a uuid", ErrInvalid, s)
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(b[:], []byte(h)); err != nil {
		return b, fmt.Errorf("%w: %q is not a uuid", ErrInvalid, s)
	}
	return b, nil
}

// IsUUID reports whether s is a canonical UUID.
func IsUUID(s string) bool { _, err := ParseUUID(s); return err == nil }

// Order ids are derived, never random: the same (subscription, cycle,
// attempt) always yields the same id, so a retried or resumed billing step
// can never open a second order at Midtrans for one attempt.
func orderID(prefix string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return prefix + strings.ToUpper(hex.EncodeToString(h[:6]))
}

// SubscriptionOrderID is "SUB-" + 12 upper-case hex for one charge attempt.
func SubscriptionOrderID(subscriptionID string, cycle, attempt int) string {
	return orderID("SUB-", "sub", subscriptionID, fmt.Sprint(cycle), fmt.Sprint(attempt))
}

// TopUpOrderID is "TOPUP-" + 12 upper-case hex for one top-up.
func TopUpOrderID(topUpID string) string { return orderID("TOPUP-", "topup", topUpID) }

// IdempotencyKey derives the gateway Idempotency-Key for one operation on one order.
func IdempotencyKey(operation, orderID string) string {
	h := sha256.Sum256([]byte(operation + "|" + orderID))
	return "lgn-" + hex.EncodeToString(h[:16])
}
