package core

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error kinds. The HTTP adapter maps each to one status in exactly one place;
// everything else wraps one of these with %w.
var (
	ErrInvalid         = errors.New("invalid input")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrUnprocessable   = errors.New("unprocessable")
	ErrRateLimited     = errors.New("too many attempts")
)

// Gateway outcomes, returned by the payment gateway port.
var (
	// ErrGatewayUnavailable is retryable: 5xx, 429, timeouts, connection errors.
	ErrGatewayUnavailable = errors.New("payment gateway unavailable")
	// ErrPaymentDeclined is final for this attempt: the bank or fraud check said no.
	ErrPaymentDeclined = errors.New("payment declined")
	// ErrGatewayRejected is final: the gateway refused the request as invalid.
	ErrGatewayRejected = errors.New("payment gateway rejected the request")
	// ErrGatewayNotFound: the gateway has no such transaction, subscription or account.
	ErrGatewayNotFound = errors.New("not found at payment gateway")
	// ErrDuplicateOrder: the order id was already used at the gateway.
	ErrDuplicateOrder = errors.New("order id already used at payment gateway")
	// ErrNoGateway: the service runs without a payment gateway.
	ErrNoGateway = errors.New("no payment gateway configured")
)

// Retryable reports whether a gateway error may succeed when tried again
// with the same order id and idempotency key.
func Retryable(err error) bool { return errors.Is(err, ErrGatewayUnavailable) }

// Error is a client-safe error: its Message may be shown to the caller.
// Kind is one of the kinds above; Fields holds per-field messages.
type Error struct {
	Kind    error
	Code    string // optional machine code, e.g. "insufficient_balance"
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

func (e *Error) Unwrap() error { return e.Kind }

func newErr(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf, Conflictf, ... build client-safe errors of a kind.
func NotFoundf(format string, args ...any) error  { return newErr(ErrNotFound, format, args...) }
func Conflictf(format string, args ...any) error  { return newErr(ErrConflict, format, args...) }
func Forbiddenf(format string, args ...any) error { return newErr(ErrForbidden, format, args...) }
func Unprocessablef(format string, args ...any) error {
	return newErr(ErrUnprocessable, format, args...)
}
func Invalidf(format string, args ...any) error { return newErr(ErrInvalid, format, args...) }

// Unprocessable with a machine code.
func UnprocessableCode(code, format string, args ...any) error {
	return &Error{Kind: ErrUnprocessable, Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors collects per-field validation messages.
type FieldErrors map[string]string

// Add records the first message for a field.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when no field failed, else an invalid-input error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string(f)}
}
