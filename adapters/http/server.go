// Package http is the REST adapter: Fiber handlers over the core use-cases.
// Errors become HTTP in one place, Server.errorHandler.
package http

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/langganan/langganan/adapters/internal/signin"
	"github.com/langganan/langganan/core"
	"github.com/rs/zerolog"
)

// BodyLimit is the largest request body accepted; larger ones answer 413.
const BodyLimit = 1 << 20

// Config wires a Server. Service is required.
type Config struct {
	Service Service
	// Documents renders invoice PDFs and HTML pages; without it those
	// endpoints answer 501.
	Documents DocumentRenderer
	Log       zerolog.Logger
	// Ready reports whether the store is open and writable (GET /readyz).
	Ready func(ctx context.Context) error
	// Clock is the manual clock, or nil when time is real; clock advance
	// answers 409 without one.
	Clock *core.ManualClock
	// AfterAdvance runs after every clock-advance step, after RunDue: the
	// emulator's own due jobs, persisting the clock, ...
	AfterAdvance func(ctx context.Context) error
	// ReadTimeout and WriteTimeout bound slow clients; defaults 10 s and
	// 30 s. ReadTimeout also bounds how long shutdown waits for a client
	// that connected but never sent its request.
	ReadTimeout, WriteTimeout time.Duration
	// AuthCacheTTL is how long a verified password is remembered; default 60 s.
	AuthCacheTTL time.Duration
	// MaxLoginFailures within LoginWindow lock a username+IP out for
	// LockoutDuration; defaults 10, 5 min, 5 min.
	MaxLoginFailures int
	LoginWindow      time.Duration
	LockoutDuration  time.Duration
	// MaxLoginFailuresPerIP within LoginWindow, across all usernames, lock
	// that source IP out of uncached sign-ins for LockoutDuration; default 30.
	MaxLoginFailuresPerIP int
	// PasswordVerifications bounds how many bcrypt checks run at once
	// (default half the CPUs, at least 1); a sign-in waits at most
	// VerifyWait (default 2 s) for a slot, and at most 8 per slot may wait,
	// else it answers 429.
	PasswordVerifications int
	VerifyWait            time.Duration
	// ThrottleDelay holds back every throttled sign-in answer (429), so a
	// client retrying at once cannot flood the server with cheap requests;
	// default 1 s, negative for none.
	ThrottleDelay time.Duration
	// WebhookAllowHosts are exempt from the registration-time DNS check
	// of webhook endpoint URLs (LANGGANAN_WEBHOOK_ALLOW_HOSTS).
	WebhookAllowHosts []string
	// WebhookBodyLimit is the largest notification body accepted; larger
	// ones answer 413 before they are read (default 64 KiB).
	WebhookBodyLimit int
	// Now is wall time for the auth cache and lockouts (not the billing
	// clock: a manual clock must not freeze lockouts); default time.Now.
	Now func() time.Time

	// Backup, if set, serves GET /api/admin/backup: it writes a consistent
	// copy of the data file to w (bolt's (*Store).Backup).
	Backup func(w io.Writer) (int64, error)
	// MetricsToken, if set, is the bearer token GET /metrics requires.
	// Without it (and without MetricsSeparate) /metrics answers only
	// loopback clients.
	MetricsToken string
	// MetricsSeparate means the caller serves MetricsHandler on a listener
	// of its own; /metrics is then not on the app.
	MetricsSeparate bool
	// Metrics records and serves the metrics (see Metrics); nil records
	// nothing.
	Metrics Metrics
	// Pages, if set, registers the routes of another adapter (the web
	// pages) on the same app, after request ids, metrics, access logging and
	// panic recovery but before the API's JSON body rule and credential
	// middleware, which do not apply to them. Its handlers answer
	// themselves: an error they return is answered as an API error. It is
	// handed the API's sign-in guard, so that failed sign-ins on the pages
	// and on the API count towards the same lockouts.
	Pages func(r fiber.Router, signIn *signin.Guard)
}

// Server is the HTTP adapter.
type Server struct {
	docs         *docPrinter
	rawSvc       Service // cfg.Service unwrapped, for optional interfaces
	metrics      Metrics
	svc          Service
	log          zerolog.Logger
	ready        func(ctx context.Context) error
	clock        *core.ManualClock
	afterAdvance func(ctx context.Context) error
	auth         *authenticator
	lockFor      time.Duration
	advanceMu    sync.Mutex // one clock advance at a time, so steps stay in order
	app          *fiber.App
	ops          opsConfig // ops.go: metrics, backups, OpenAPI
	// idem replays the first answer to a POST with the same Idempotency-Key.
	idem fiber.Handler
	// plans caches encoded GET /api/plans/ answers (plans.go); nil when the
	// service cannot tell when plans change.
	plans *planPages
	// webhookAllow and resolve serve checkWebhookTarget (webhook_targets.go).
	webhookAllow []string
	resolve      func(ctx context.Context, host string) ([]netip.Addr, error)
}

// NewServer builds the Fiber app with its middleware and routes.
func NewServer(cfg Config) *Server {
	if cfg.Service == nil {
		panic("http: NewServer needs a Service")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.ReadTimeout, 10*time.Second)
	def(&cfg.WriteTimeout, 30*time.Second)
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	guard := signin.New(cfg.Service, signin.Limits{CacheTTL: cfg.AuthCacheTTL, MaxFails: cfg.MaxLoginFailures,
		MaxIPFails: cfg.MaxLoginFailuresPerIP, Window: cfg.LoginWindow, LockFor: cfg.LockoutDuration,
		Slots: cfg.PasswordVerifications, VerifyWait: cfg.VerifyWait, Penalty: cfg.ThrottleDelay, Now: cfg.Now})
	s := &Server{
		docs:    newDocuments(cfg.Service, cfg.Documents),
		rawSvc:  cfg.Service,
		metrics: cfg.Metrics,
		svc:     meter(cfg.Service, cfg.Metrics), log: cfg.Log, ready: cfg.Ready, clock: cfg.Clock, afterAdvance: cfg.AfterAdvance,
		auth:         &authenticator{svc: cfg.Service, guard: guard},
		lockFor:      guard.LockFor(),
		ops:          newOpsConfig(cfg),
		webhookAllow: cfg.WebhookAllowHosts, resolve: defaultResolve,
	}
	if pv, ok := cfg.Service.(plansVersioner); ok {
		if _, ok := pv.PlansVersion(); ok {
			s.plans = &planPages{src: pv, pages: map[string][]byte{}}
		}
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "langganan",
		ErrorHandler:          s.errorHandler,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           10 * time.Second, // idle keep-alives must not hold up shutdown
		BodyLimit:             BodyLimit,
		StrictRouting:         false, // /api/plans and /api/plans/ are one route
		Immutable:             true,  // values from Params/Body may outlive the handler
		DisableStartupMessage: true,
		// goccy/go-json writes the same bytes as encoding/json for our
		// response types (json_test.go) in about a third of the time; on
		// the list endpoints encoding was a fifth of each request's CPU.
		JSONEncoder: gojson.Marshal,
	})
	s.app.Server().HeaderReceived = s.headerReceived(cfg.WebhookBodyLimit) // gateway_notification_limits.go
	s.app.Use(requestid.New(), s.observe, s.accessLog, recover.New())
	// /metrics carries its own bearer token, so it sits before user auth.
	s.preAuthRoutes(s.app)
	// The Midtrans webhook trusts only the signature: no user credentials
	// (a stray Authorization header must not 401 it) and whatever content
	// type Midtrans sends.
	s.registerOperations(s.app, false)
	if cfg.Pages != nil {
		cfg.Pages(s.app, guard)
	}
	s.app.Use(requireJSON, s.auth.middleware)
	s.idem = newIdempotency(s.svc, s.errorHandler, func(c *fiber.Ctx, err error) {
		s.log.Error().Err(err).Str("request_id", requestID(c)).Str("path", c.Path()).Msg("idempotency record not saved")
	}).handler
	s.routes(s.app)
	return s
}

// App is the Fiber app, for Listener and Test.
func (s *Server) App() *fiber.App { return s.app }

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}

// accessLog logs one line per request. Errors from the chain are turned
// into responses here (through the one error handler) so the logged status
// is the one the client sees.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return errors.Join(err, herr)
		}
	}
	status := c.Response().StatusCode()
	ev := s.log.Info()
	if status >= 500 {
		ev = s.log.Warn()
	}
	// Path only: query strings may carry search terms, never credentials,
	// but headers (Authorization) are never logged.
	ev.Str("request_id", requestID(c)).Str("method", c.Method()).Str("path", c.Path()).
		Int("status", status).Dur("duration", time.Since(start)).Str("ip", c.IP()).Msg("request")
	return nil
}
