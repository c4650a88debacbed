package midtrans

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/langganan/langganan/core"
)

// errCircuitOpen marks a call refused by the breaker without being sent.
var errCircuitOpen = errors.New("midtrans: circuit open")

// unavailable builds a retryable error; cause (a ctx error) stays matchable with errors.Is.
func unavailable(op, msg string, cause error) error {
	ge := &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: op, Message: msg}
	if cause != nil {
		return fmt.Errorf("%w: %w", ge, cause)
	}
	return ge
}

// refuse is a final error raised before anything is sent (bad input).
func refuse(op, msg string, cause error) error {
	ge := &core.GatewayError{Kind: core.ErrGatewayRejected, Op: op, Message: msg}
	if cause != nil {
		return fmt.Errorf("%w: %w", ge, cause)
	}
	return ge
}

// classify decides a response's outcome. The body's status_code wins over
// the HTTP status; the Subscription API has none, so there the
// HTTP status is the code.
func (c *Client) classify(cl call, r *response) error {
	if cl.api == subAPI && r.raw == nil && !r.oversized && len(bytes.TrimSpace(r.body)) == 0 && r.httpStatus >= 200 && r.httpStatus < 300 {
		// An empty 2xx from the Subscription API is a plain success.
		r.code, r.codeText = r.httpStatus, strconv.Itoa(r.httpStatus)
		return nil
	}
	if r.raw == nil {
		// Not a JSON object: an HTML error page from a proxy, a truncated
		// body, or an oversized one. The outcome of a charge is unknown, so
		// this is retryable (with the same idempotency key and order id).
		r.code, r.codeText = r.httpStatus, strconv.Itoa(r.httpStatus)
		if r.httpStatus >= 400 && r.httpStatus < 500 && r.httpStatus != 429 {
			return c.fromCode(cl, r, "HTTP "+strconv.Itoa(r.httpStatus)+" with a non-JSON body", nil)
		}
		return &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: cl.op, StatusCode: r.codeText,
			Message: "malformed or non-JSON response (HTTP " + strconv.Itoa(r.httpStatus) + ")"}
	}
	code := 0
	if s := flexString(r.raw["status_code"]); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			r.codeText = s
			return &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: cl.op, Message: "unreadable status_code in response"}
		}
		code, r.codeText = n, s
	} else {
		code, r.codeText = r.httpStatus, strconv.Itoa(r.httpStatus)
	}
	r.code = code
	msg := c.scrub(truncate(flexString(r.raw["status_message"]), 300))
	if code == 202 && (cl.idemKey != "" || cl.declineOn202) && flexString(r.raw["transaction_status"]) == "" &&
		flexString(r.raw["account_status"]) == "" && flexString(r.raw["channel_response_code"]) == "" {
		// Midtrans answers 202 to a request whose Idempotency-Key is still in
		// flight on another request; the first one's outcome is unknown, so
		// this is worth another try under the same key, whatever the call.
		return &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: cl.op, StatusCode: r.codeText, Message: nonEmpty(msg, "request still in progress")}
	}
	if cl.ok(code) {
		return nil
	}
	var vms []string
	if list, ok := r.raw["validation_messages"].([]any); ok {
		for _, v := range list {
			vms = append(vms, c.scrub(truncate(flexString(v), 300)))
		}
	}
	if code == 202 && cl.declineOn202 {
		if cm := flexString(r.raw["channel_response_message"]); cm != "" && msg == "" {
			msg = c.scrub(truncate(cm, 300))
		}
	}
	return c.fromCode(cl, r, msg, vms)
}

// fromCode maps a non-success code to a sentinel.
func (c *Client) fromCode(cl call, r *response, msg string, vms []string) error {
	var kind error
	switch code := r.code; {
	case code == 202:
		kind = core.ErrPaymentDeclined
		if !cl.declineOn202 {
			kind = core.ErrGatewayRejected
		}
	case code == 404:
		kind = core.ErrGatewayNotFound
	case code == 406:
		// Duplicate order_id on charge, duplicate refund_key on refund.
		kind = core.ErrDuplicateOrder
	case code == 402, code == 409, code == 410, code == 411:
		// The customer's payment cannot go through this way (channel not
		// active, card velocity, user blocked, token invalid or stale):
		// retrying the same request will not help, another method might.
		kind = core.ErrPaymentDeclined
	case code == 429, code >= 500:
		kind = core.ErrGatewayUnavailable
	default:
		// 300, 400, 401, 403, 405, 408, 412, 413, 414 and unknown codes: the
		// request itself is wrong; final.
		kind = core.ErrGatewayRejected
	}
	return &core.GatewayError{Kind: kind, Op: cl.op, StatusCode: r.codeText, Message: msg, ValidationMessages: vms}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
