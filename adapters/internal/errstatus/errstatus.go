// Package errstatus is the one mapping of core's error kinds to HTTP
// statuses and machine codes, shared by every adapter that answers HTTP
// (the API's JSON bodies and the browser pages).
package errstatus

import (
	"errors"
	"net/http"

	"github.com/langganan/langganan/core"
)

// Kind is an error kind with the status and code it is answered with.
type Kind struct {
	Err    error
	Status int
	Code   string
}

// kinds lists core's error kinds, the first an error wraps deciding.
var kinds = []Kind{
	{core.ErrInvalid, http.StatusBadRequest, "invalid"},
	{core.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{core.ErrForbidden, http.StatusForbidden, "forbidden"},
	{core.ErrNotFound, http.StatusNotFound, "not_found"},
	{core.ErrConflict, http.StatusConflict, "conflict"},
	{core.ErrUnprocessable, http.StatusUnprocessableEntity, "unprocessable"},
	{core.ErrPaymentDeclined, http.StatusUnprocessableEntity, "payment_declined"},
	{core.ErrRateLimited, http.StatusTooManyRequests, "rate_limited"},
	{core.ErrDuplicateOrder, http.StatusConflict, "duplicate_order"},
	{core.ErrGatewayUnavailable, http.StatusServiceUnavailable, "gateway_unavailable"},
	{core.ErrGatewayRejected, http.StatusBadGateway, "gateway_error"},
	{core.ErrGatewayNotFound, http.StatusBadGateway, "gateway_error"},
}

// Of answers the kind of err among own (an adapter's own kinds, tried
// first) and core's; false for an error of no known kind (a fault: 500).
func Of(err error, own ...Kind) (Kind, bool) {
	for _, ks := range [][]Kind{own, kinds} {
		for _, k := range ks {
			if errors.Is(err, k.Err) {
				return k, true
			}
		}
	}
	return Kind{}, false
}

// Kinds answers core's kinds, in order.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }
