package http

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"sync"
	"time"

	nethttp "net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/langganan/langganan/core"
)

// Metrics is what this layer reports to, and serves from, the metrics
// adapter (Prometheus, wired by cmd/server): requests, webhook outcomes,
// wallet operations and billing runs. Without one nothing is recorded and
// GET /metrics answers 404.
type Metrics interface {
	ObserveRequest(method, route, status string, took time.Duration)
	RecordWebhook(outcome string)
	RecordWalletOp(operation, outcome string)
	RecordBillingRun(sum core.RunSummary, took time.Duration, err error)
	// Handler serves the metrics; now is the billing clock (outbox event
	// times come from it).
	Handler(now func() time.Time) nethttp.Handler
}

// noMetrics records nothing.
type noMetrics struct{}

func (noMetrics) ObserveRequest(string, string, string, time.Duration)   {}
func (noMetrics) RecordWebhook(string)                                   {}
func (noMetrics) RecordWalletOp(string, string)                          {}
func (noMetrics) RecordBillingRun(core.RunSummary, time.Duration, error) {}
func (noMetrics) Handler(func() time.Time) nethttp.Handler               { return nethttp.NotFoundHandler() }

const localWebhookOutcome = "langganan.webhook_outcome"

// SetWebhookOutcome lets the webhook handler name the outcome of one
// notification (applied, duplicate, ignored, ...) for
// langganan_webhook_notifications_total; without it the outcome follows
// the status code (accepted, bad_signature, rejected, error).
func SetWebhookOutcome(c *fiber.Ctx, outcome string) { c.Locals(localWebhookOutcome, outcome) }

// webhookRoute is the notification endpoint's pattern, without its slash.
const webhookRoute = "/api/webhook/notification"

// routeSet is the app's endpoint routes (middleware excluded), built on
// first use, after every route is registered.
type routeSet struct {
	once sync.Once
	m    map[string]bool // method + " " + path
}

func (r *routeSet) has(app *fiber.App, method, path string) bool {
	r.once.Do(func() {
		r.m = map[string]bool{}
		for _, rt := range app.GetRoutes(true) {
			r.m[rt.Method+" "+rt.Path] = true
		}
	})
	return r.m[method+" "+path]
}

// routeLabel is the matched route pattern, "unmatched" when only
// middleware ran (unknown path or method): never the raw URL, so the
// series stay few.
func (s *Server) routeLabel(c *fiber.Ctx) string {
	rt := c.Route()
	if rt == nil || !s.ops.routes.has(s.app, rt.Method, rt.Path) {
		return "unmatched"
	}
	return rt.Path
}

// observe is the outermost middleware: it records every request with the
// status the client saw (accessLog inside it turns errors into responses).
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	route := s.routeLabel(c)
	code := strconv.Itoa(status)
	s.metrics.ObserveRequest(c.Method(), route, code, time.Since(start))

	norm := strings.TrimSuffix(route, "/")
	switch {
	case norm == webhookRoute:
		outcome, _ := c.Locals(localWebhookOutcome).(string)
		if outcome == "" {
			outcome = webhookOutcome(status)
		}
		s.metrics.RecordWebhook(outcome)
	case isWalletRoute(norm) && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead:
		s.metrics.RecordWalletOp(c.Method()+" "+norm, statusOutcome(status))
	}
	return err
}

func webhookOutcome(status int) string {
	switch {
	case status < 300:
		return "accepted"
	case status == fiber.StatusUnauthorized || status == fiber.StatusForbidden:
		return "bad_signature"
	case status == fiber.StatusNotFound:
		return "unknown"
	case status < 500:
		return "rejected"
	}
	return "error"
}

func statusOutcome(status int) string {
	switch {
	case status < 400:
		return "ok"
	case status < 500:
		return "rejected"
	}
	return "error"
}

// isWalletRoute: the wallet, its top-ups and adjustments.
func isWalletRoute(route string) bool {
	return strings.Contains(route, "/wallet") || strings.Contains(route, "/topups") || strings.Contains(route, "/top-ups")
}

// meteredService times every billing run (admin run, clock advance) into
// langganan_billing_run_*. It forwards the optional NextDue.
type meteredService struct {
	Service
	m Metrics
}

func meter(svc Service, m Metrics) Service {
	if svc == nil {
		return nil
	}
	return meteredService{svc, m}
}

func (m meteredService) RunDue(ctx context.Context) (core.RunSummary, error) {
	start := time.Now()
	sum, err := m.Service.RunDue(ctx)
	m.m.RecordBillingRun(sum, time.Since(start), err)
	return sum, err
}

func (m meteredService) NextDue(ctx context.Context) (time.Time, bool, error) {
	if nd, ok := m.Service.(nextDuer); ok {
		return nd.NextDue(ctx)
	}
	return time.Time{}, false, nil
}

// MetricsHandler serves the metrics without any check, for a separate
// listener (LANGGANAN_METRICS_ADDR) that only the scraper can reach.
func (s *Server) MetricsHandler() fiber.Handler { return s.ops.metricsHandler }

// serveMetrics guards GET /metrics on the main app: the bearer token when
// one is configured, otherwise loopback clients only.
func (s *Server) serveMetrics(c *fiber.Ctx) error {
	if tok := s.ops.metricsToken; tok != "" {
		scheme, cred, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "bearer") ||
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(tok)) != 1 {
			return unauthenticated("metrics need Authorization: Bearer <LANGGANAN_METRICS_TOKEN>")
		}
	} else if ip := c.Context().RemoteIP(); ip == nil || !ip.IsLoopback() {
		return core.Forbiddenf("metrics are served to loopback clients only; set LANGGANAN_METRICS_TOKEN or LANGGANAN_METRICS_ADDR")
	}
	return s.ops.metricsHandler(c)
}

func newMetricsHandler(cfg Config, m Metrics) fiber.Handler {
	now := time.Now
	if cfg.Clock != nil {
		now = cfg.Clock.Now // outbox events carry billing-clock times
	}
	return adaptor.HTTPHandler(m.Handler(now))
}
