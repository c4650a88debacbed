package http

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/internal/errstatus"
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

// edgeKinds are this adapter's own error kinds; errstatus maps core's.
// Together they are the only place errors become the API's statuses.
var edgeKinds = []errstatus.Kind{
	{Err: errNotManualClock, Status: fiber.StatusConflict, Code: "clock_not_manual"},
	{Err: errUnsupportedMedia, Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type"},
	{Err: errNotReady, Status: fiber.StatusServiceUnavailable, Code: "not_ready"},
	{Err: errNoBackup, Status: fiber.StatusNotImplemented, Code: "not_implemented"},
	{Err: errNoDocuments, Status: fiber.StatusNotImplemented, Code: "not_implemented"},
	{Err: errNoTaxExport, Status: fiber.StatusNotImplemented, Code: "not_implemented"},
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
	if k, ok := errstatus.Of(err, edgeKinds...); ok {
		d := errorDetail{Code: k.Code, Message: err.Error()}
		var ce *core.Error
		if errors.As(err, &ce) {
			d.Message, d.Fields = ce.Message, ce.Fields
			if ce.Code != "" {
				d.Code = ce.Code
			}
		}
		if k.Status >= 500 {
			// Upstream and readiness details stay in the log.
			d.Message, d.Fields = k.Err.Error(), nil
		}
		return k.Status, errorBody{d}
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
