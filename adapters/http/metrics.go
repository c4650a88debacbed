package http

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/langganan/langganan/adapters/metrics"
	"github.com/langganan/langganan/core"
)

// Prometheus metrics. Event counters live in adapters/metrics; this file
// feeds the HTTP ones (requests, webhook outcomes, wallet operations),
// times billing runs, and serves GET /metrics.

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
	metrics.HTTPRequests.WithLabelValues(c.Method(), route, code).Inc()
	metrics.HTTPDuration.WithLabelValues(c.Method(), route, code).Observe(time.Since(start).Seconds())

	norm := strings.TrimSuffix(route, "/")
	switch {
	case norm == webhookRoute:
		outcome, _ := c.Locals(localWebhookOutcome).(string)
		if outcome == "" {
			outcome = webhookOutcome(status)
		}
		metrics.RecordWebhook(outcome)
	case isWalletRoute(norm) && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead:
		metrics.RecordWalletOp(c.Method()+" "+norm, statusOutcome(status))
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
type meteredService struct{ Service }

func meter(svc Service) Service {
	if svc == nil {
		return nil
	}
	return meteredService{svc}
}

func (m meteredService) RunDue(ctx context.Context) (core.RunSummary, error) {
	return metrics.RunDue(ctx, m.Service)
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

func newMetricsHandler(cfg Config) fiber.Handler {
	src := cfg.Metrics
	if src == nil {
		src, _ = cfg.Service.(metrics.Source)
	}
	opts := metrics.HandlerOpts{Source: src}
	if cfg.Clock != nil {
		// Outbox events carry billing-clock times.
		opts.Now = cfg.Clock.Now
	}
	return adaptor.HTTPHandler(metrics.NewHandler(opts))
}
