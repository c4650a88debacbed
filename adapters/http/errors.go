package http

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// Edge-only error kinds: faults of the request's form that core never sees.
var (
	errUnsupportedMedia = errors.New("unsupported media type")
	errNotReady         = errors.New("not ready")
	errNotManualClock   = errors.New("clock is not manual")
	errNoBackup         = errors.New("backups are not available")
)

// errorBody is the API's error shape: {"error": {code, message, fields}}.
type errorBody struct {
	Error errorDetail `json:"error" oa:"inline"`
}

type errorDetail struct {
	Code    string            `json:"code" oa:"example=invalid" doc:"Machine-readable code: invalid, unauthenticated, forbidden, not_found, conflict, idempotency_key_reused, idempotency_key_in_flight, clock_not_manual, unsupported_media_type, payload_too_large, unprocessable, payment_declined, insufficient_balance, rate_limited, gateway_error, gateway_unavailable, not_ready, internal, ..."`
	Message string            `json:"message" doc:"Human-readable message"`
	Fields  map[string]string `json:"fields,omitempty" doc:"Per-field messages for invalid input (absent when there are none)"`
}

// kindStatus maps every error kind to its status and code. It is the only
// place errors become HTTP.
var kindStatus = []struct {
	kind   error
	status int
	code   string
}{
	{core.ErrInvalid, fiber.StatusBadRequest, "invalid"},
	{core.ErrUnauthenticated, fiber.StatusUnauthorized, "unauthenticated"},
	{core.ErrForbidden, fiber.StatusForbidden, "forbidden"},
	{core.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{core.ErrConflict, fiber.StatusConflict, "conflict"},
	{errNotManualClock, fiber.StatusConflict, "clock_not_manual"},
	{errUnsupportedMedia, fiber.StatusUnsupportedMediaType, "unsupported_media_type"},
	{core.ErrUnprocessable, fiber.StatusUnprocessableEntity, "unprocessable"},
	{core.ErrPaymentDeclined, fiber.StatusUnprocessableEntity, "payment_declined"},
	{core.ErrRateLimited, fiber.StatusTooManyRequests, "rate_limited"},
	{core.ErrDuplicateOrder, fiber.StatusConflict, "duplicate_order"},
	{core.ErrGatewayUnavailable, fiber.StatusServiceUnavailable, "gateway_unavailable"},
	{core.ErrGatewayRejected, fiber.StatusBadGateway, "gateway_error"},
	{core.ErrGatewayNotFound, fiber.StatusBadGateway, "gateway_error"},
	{errNotReady, fiber.StatusServiceUnavailable, "not_ready"},
	{errNoBackup, fiber.StatusNotImplemented, "not_implemented"},
	{errNoDocuments, fiber.StatusNotImplemented, "not_implemented"},
	{errNoTaxExport, fiber.StatusNotImplemented, "not_implemented"},
}

// fiberCodes names the statuses Fiber itself produces (unknown route, body
// limit, timeouts).
var fiberCodes = map[int]string{
	fiber.StatusBadRequest:                  "invalid",
	fiber.StatusNotFound:                    "not_found",
	fiber.StatusMethodNotAllowed:            "method_not_allowed",
	fiber.StatusRequestTimeout:              "timeout",
	fiber.StatusRequestEntityTooLarge:       "payload_too_large",
	fiber.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	fiber.StatusUnsupportedMediaType:        "unsupported_media_type",
	fiber.StatusTooManyRequests:             "rate_limited",
}

// errorHandler is Fiber's ErrorHandler: core errors → status and the
// API error body. Faults are logged here, once, and answered generically.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status, body := s.classify(err)
	if status >= 500 && !errors.Is(err, errNotReady) {
		s.log.Error().Err(err).Str("request_id", requestID(c)).Str("method", c.Method()).
			Str("path", c.Path()).Msg("request failed")
	}
	if status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="langganan", charset="UTF-8"`)
	}
	if status == fiber.StatusTooManyRequests && c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(s.lockFor.Seconds())))
	}
	return c.Status(status).JSON(body)
}

func (s *Server) classify(err error) (int, errorBody) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if code, ok := fiberCodes[fe.Code]; ok {
			return fe.Code, errorBody{errorDetail{Code: code, Message: fe.Message}}
		}
		if fe.Code < 500 {
			return fe.Code, errorBody{errorDetail{Code: "error", Message: fe.Message}}
		}
	}
	for _, k := range kindStatus {
		if !errors.Is(err, k.kind) {
			continue
		}
		d := errorDetail{Code: k.code, Message: err.Error()}
		var ce *core.Error
		if errors.As(err, &ce) {
			d.Message, d.Fields = ce.Message, ce.Fields
			if ce.Code != "" {
				d.Code = ce.Code
			}
		}
		if k.status >= 500 {
			// Upstream and readiness details stay in the log.
			d.Message, d.Fields = k.kind.Error(), nil
		}
		return k.status, errorBody{d}
	}
	return fiber.StatusInternalServerError, errorBody{errorDetail{Code: "internal", Message: "internal server error"}}
}

// invalid builds a 400 with per-field messages.
func invalid(msg string, fields map[string]string) error {
	return &core.Error{Kind: core.ErrInvalid, Message: msg, Fields: fields}
}

func unauthenticated(msg string) error {
	return &core.Error{Kind: core.ErrUnauthenticated, Message: msg}
}
