package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	lhttp "github.com/langganan/langganan/adapters/http"
	"github.com/langganan/langganan/core"
)

// limits are the hostile-client bounds the environment may
// change; zero values keep the defaults of core and adapters/http. See the
// README's operations section.
type limits struct {
	// LANGGANAN_WEBHOOK_ALLOW_HOSTS: comma-separated hosts outbound
	// webhooks may reach over http and at any address (development, tests).
	WebhookAllowHosts []string
	// LANGGANAN_WEBHOOK_MAX_BODY: bytes, default 65536.
	WebhookMaxBody int
	// LANGGANAN_WEBHOOK_LOG_RETENTION: duration, default 2160h (90 days).
	WebhookLogRetention time.Duration
	// LANGGANAN_WEBHOOK_REJECTS_PER_MINUTE: unverified notifications stored
	// per source IP and minute, default 10.
	WebhookRejectsPerMinute int
	// LANGGANAN_MIDTRANS_LOOKUPS_PER_SECOND: verification calls for
	// unsigned notifications, default 5 (burst 4× that).
	LookupRate float64
	// LANGGANAN_LOGIN_FAILURES_PER_IP: failed sign-ins per source IP (any
	// username) within 5 min before that IP is throttled, default 30.
	LoginFailuresPerIP int
	// LANGGANAN_PASSWORD_VERIFICATIONS: bcrypt checks at once, default
	// half the CPUs (at least 1).
	PasswordVerifications int
	// LANGGANAN_SIGNIN_THROTTLE_DELAY: how long a throttled sign-in's 429
	// is held back, default 1s ("0s": not at all).
	ThrottleDelay time.Duration
	// LANGGANAN_DELIVERY_LEASE: how long a claimed email or webhook
	// delivery is left to the instance sending it, on the wall clock,
	// default 2m (from 1s to 1h).
	DeliveryLease time.Duration
}

func parseLimits(getenv func(string) string) (limits, error) {
	var (
		l    limits
		errs []error
	)
	posInt := func(name string, dst *int) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				errs = append(errs, fmt.Errorf("%s %q is not a positive whole number", name, v))
				return
			}
			*dst = n
		}
	}
	for _, h := range strings.Split(getenv("LANGGANAN_WEBHOOK_ALLOW_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			if strings.ContainsAny(h, "/:@ ") && !strings.Contains(h, "::") {
				errs = append(errs, fmt.Errorf("LANGGANAN_WEBHOOK_ALLOW_HOSTS: %q is not a host name or address (no scheme, port or path)", h))
				continue
			}
			l.WebhookAllowHosts = append(l.WebhookAllowHosts, strings.Trim(h, "[]"))
		}
	}
	posInt("LANGGANAN_WEBHOOK_MAX_BODY", &l.WebhookMaxBody)
	posInt("LANGGANAN_WEBHOOK_REJECTS_PER_MINUTE", &l.WebhookRejectsPerMinute)
	posInt("LANGGANAN_LOGIN_FAILURES_PER_IP", &l.LoginFailuresPerIP)
	posInt("LANGGANAN_PASSWORD_VERIFICATIONS", &l.PasswordVerifications)
	if v := strings.TrimSpace(getenv("LANGGANAN_WEBHOOK_LOG_RETENTION")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			errs = append(errs, fmt.Errorf("LANGGANAN_WEBHOOK_LOG_RETENTION %q must be a duration of at least 1h", v))
		}
		l.WebhookLogRetention = d
	}
	if v := strings.TrimSpace(getenv("LANGGANAN_SIGNIN_THROTTLE_DELAY")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			errs = append(errs, fmt.Errorf("LANGGANAN_SIGNIN_THROTTLE_DELAY %q must be a duration from 0s to 1m", v))
		}
		l.ThrottleDelay = d
		if d == 0 {
			l.ThrottleDelay = -1 // none
		}
	}
	if v := strings.TrimSpace(getenv("LANGGANAN_DELIVERY_LEASE")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			errs = append(errs, fmt.Errorf("LANGGANAN_DELIVERY_LEASE %q must be a duration from 1s to 1h", v))
		}
		l.DeliveryLease = d
	}
	if v := strings.TrimSpace(getenv("LANGGANAN_MIDTRANS_LOOKUPS_PER_SECOND")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) {
			errs = append(errs, fmt.Errorf("LANGGANAN_MIDTRANS_LOOKUPS_PER_SECOND %q must be a positive number", v))
		}
		l.LookupRate = f
	}
	return l, errors.Join(errs...)
}

// apply sets the core side of the limits.
func (l limits) apply(c *core.Config) {
	c.WebhookAllowHosts = l.WebhookAllowHosts
	c.WebhookLogRetention = l.WebhookLogRetention
	c.RejectedWebhooksPerMinute = l.WebhookRejectsPerMinute
	c.DeliveryLease = l.DeliveryLease
	if l.LookupRate > 0 {
		c.LookupRate, c.LookupBurst = l.LookupRate, max(1, int(4*l.LookupRate))
	}
}

// applyHTTP sets the HTTP side of the limits.
func (l limits) applyHTTP(c *lhttp.Config) {
	c.WebhookBodyLimit = l.WebhookMaxBody
	c.WebhookAllowHosts = l.WebhookAllowHosts
	c.MaxLoginFailuresPerIP = l.LoginFailuresPerIP
	c.PasswordVerifications = l.PasswordVerifications
	c.ThrottleDelay = l.ThrottleDelay
}
