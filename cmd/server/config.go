package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// config is the documented variables, parsed once. Flags of the same
// meaning override the variables.
type config struct {
	Addr          string
	Data          string
	AdminUser     string
	AdminPassword string // never logged
	ServerKey     string // never logged
	ClientKey     string
	BaseURL       string
	ManualClock   bool
	ClockStart    time.Time // zero: now
	Location      *time.Location
	// BillingEvery is how often the real-clock scheduler runs due jobs.
	BillingEvery time.Duration
	// NotificationURL, if set, is sent with every charge as
	// X-Override-Notification (LANGGANAN_NOTIFICATION_URL).
	NotificationURL string
	// MetricsAddr, if set, serves /metrics on a listener of its own
	// instead of the main one (LANGGANAN_METRICS_ADDR).
	MetricsAddr string
	// MetricsToken, if set, is the bearer token /metrics requires
	// (LANGGANAN_METRICS_TOKEN; environment only, never logged).
	MetricsToken string
	// SMTPURL is smtp://user:pass@host:port (LANGGANAN_SMTP_URL); never logged.
	SMTPURL string
	// Limits are the hostile-client bounds (limits.go).
	Limits limits
	// DatabaseURL, if set, selects PostgreSQL instead of the bbolt file
	// (LANGGANAN_DATABASE_URL); never logged, it may hold a password.
	DatabaseURL string
	// Invoicing is the merchant, its tax status and number patterns.
	Invoicing invoicing
	// PortalPause lets customers pause and resume subscriptions in the
	// customer portal (LANGGANAN_PORTAL_PAUSE=true).
	PortalPause bool
}

// productionHosts are Midtrans' live API hosts; a manual clock against them
// would bill real customers at simulated times.
var productionHosts = map[string]bool{"api.midtrans.com": true, "app.midtrans.com": true}

// parseConfigUsage parses the documented variables and the flags of the
// same meaning, once; usage is the flag set's help text (for
// "SUBCOMMAND -h"), nil keeping the flag package's default.
func parseConfigUsage(args []string, getenv func(string) string, stderr io.Writer, usage func(fs *flag.FlagSet)) (config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var (
		c          config
		clock      string
		clockStart string
		zone       string
	)
	fs := flag.NewFlagSet("langganan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if usage != nil {
		fs.Usage = func() { usage(fs) }
	}
	fs.StringVar(&c.Addr, "addr", env("LANGGANAN_ADDR", ":8080"), "listen address (LANGGANAN_ADDR)")
	fs.StringVar(&c.Data, "data", env("LANGGANAN_DATA", "./data/langganan.db"), "bbolt data file (LANGGANAN_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("LANGGANAN_DATABASE_URL", ""), "postgres:// URL: store in PostgreSQL instead of the data file (LANGGANAN_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "midtrans-base-url", env("MIDTRANS_BASE_URL", "https://api.sandbox.midtrans.com"), "Midtrans API host (MIDTRANS_BASE_URL)")
	fs.StringVar(&clock, "clock", env("LANGGANAN_CLOCK", "real"), "real or manual (LANGGANAN_CLOCK)")
	fs.StringVar(&clockStart, "clock-start", env("LANGGANAN_CLOCK_START", ""), "RFC 3339 start of a new manual clock (LANGGANAN_CLOCK_START)")
	fs.DurationVar(&c.BillingEvery, "billing-every", envDuration(getenv, "LANGGANAN_BILLING_EVERY", time.Minute), "how often due jobs run with the real clock (LANGGANAN_BILLING_EVERY)")
	fs.StringVar(&c.NotificationURL, "notification-url", env("LANGGANAN_NOTIFICATION_URL", ""), "sent as X-Override-Notification with every charge (LANGGANAN_NOTIFICATION_URL)")
	fs.StringVar(&zone, "timezone", env("LANGGANAN_TIMEZONE", "Asia/Jakarta"), "billing time zone (LANGGANAN_TIMEZONE)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("LANGGANAN_METRICS_ADDR", ""), "serve /metrics on this address instead of the main one (LANGGANAN_METRICS_ADDR)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	// Secrets come only from the environment, never from argv (visible in ps).
	c.AdminUser = getenv("LANGGANAN_ADMIN_USER")
	c.AdminPassword = getenv("LANGGANAN_ADMIN_PASSWORD")
	c.ServerKey = strings.TrimSpace(getenv("MIDTRANS_SERVER_KEY"))
	c.ClientKey = strings.TrimSpace(getenv("MIDTRANS_CLIENT_KEY"))
	c.SMTPURL = strings.TrimSpace(getenv("LANGGANAN_SMTP_URL"))
	c.MetricsToken = strings.TrimSpace(getenv("LANGGANAN_METRICS_TOKEN"))

	var errs []error
	if v := strings.TrimSpace(getenv("LANGGANAN_PORTAL_PAUSE")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LANGGANAN_PORTAL_PAUSE %q is not true or false", v))
		}
		c.PortalPause = b
	}
	var lerr error
	c.Limits, lerr = parseLimits(getenv)
	errs = append(errs, lerr)
	if (c.AdminUser == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("set both LANGGANAN_ADMIN_USER and LANGGANAN_ADMIN_PASSWORD, or neither"))
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("MIDTRANS_BASE_URL %q is not an http(s) URL", c.BaseURL))
	}
	if c.DatabaseURL != "" {
		// The URL itself is not quoted: it may hold a password.
		if du, err := url.Parse(c.DatabaseURL); err != nil || (du.Scheme != "postgres" && du.Scheme != "postgresql") {
			errs = append(errs, errors.New("LANGGANAN_DATABASE_URL must be a postgres:// URL"))
		}
	}
	switch clock {
	case "real":
	case "manual":
		c.ManualClock = true
		if u != nil && productionHosts[strings.ToLower(u.Hostname())] {
			errs = append(errs, errors.New("LANGGANAN_CLOCK=manual is refused with the production Midtrans host"))
		}
	default:
		errs = append(errs, fmt.Errorf("LANGGANAN_CLOCK must be real or manual, not %q", clock))
	}
	if clockStart != "" {
		t, err := time.Parse(time.RFC3339, clockStart)
		if err != nil {
			errs = append(errs, fmt.Errorf("LANGGANAN_CLOCK_START %q is not RFC 3339", clockStart))
		}
		c.ClockStart = t
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		errs = append(errs, fmt.Errorf("LANGGANAN_TIMEZONE %q: %w", zone, err))
	}
	c.Location = loc
	var ierr error
	c.Invoicing, ierr = parseInvoicing(getenv, loc)
	errs = append(errs, ierr)
	if c.BillingEvery < time.Second {
		errs = append(errs, errors.New("LANGGANAN_BILLING_EVERY must be at least 1s"))
	}
	if c.NotificationURL != "" {
		if nu, err := url.Parse(c.NotificationURL); err != nil || (nu.Scheme != "http" && nu.Scheme != "https") || nu.Host == "" {
			errs = append(errs, fmt.Errorf("LANGGANAN_NOTIFICATION_URL %q is not an http(s) URL", c.NotificationURL))
		}
	}
	return c, errors.Join(errs...)
}

// envDuration reads a duration variable; a bad value falls back to def and
// is caught by validation through the flag default.
func envDuration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if v := strings.TrimSpace(getenv(name)); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		return 0
	}
	return def
}
