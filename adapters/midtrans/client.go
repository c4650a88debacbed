// Package midtrans is the Midtrans gateway adapter: a small typed client for
// the Core API (/v2), the Subscription API (/v1/subscriptions) and the Pay
// Account API (/v2/pay/account) that implements core.Gateway.
//
// It is written by hand instead of using midtrans-go because the SDK ignores
// context, logs the server key in sandbox mode, treats a body "400" under
// HTTP 200 as success and mis-maps several fields.
package midtrans

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/langganan/langganan/core"
)

// Midtrans base URLs; Core, Subscription and Pay Account share one host.
const (
	SandboxBaseURL    = "https://api.sandbox.midtrans.com"
	ProductionBaseURL = "https://api.midtrans.com"
)

// Defaults used when a Config field is zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxAttempts      = 4
	DefaultBaseBackoff      = 200 * time.Millisecond
	DefaultMaxBackoff       = 5 * time.Second
	DefaultMaxConcurrent    = 32
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
	maxResponseBody         = 1 << 20
	userAgent               = "langganan-midtrans/1"
)

// transport is http.DefaultTransport keeping as many idle connections to
// Midtrans as requests may be in flight. The default keeps two per host:
// a billing run's other concurrent charges then each opened a connection
// (a TLS handshake, at Midtrans) and closed it again after one request.
func transport(inFlight int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = inFlight
	t.MaxIdleConns = max(t.MaxIdleConns, inFlight)
	return t
}

// Config configures a Client. Only ServerKey is required.
type Config struct {
	BaseURL   string // default SandboxBaseURL
	ServerKey string // Basic-auth user; never logged
	ClientKey string // only for CardToken
	// HTTP is the transport; nil means a client with Timeout that keeps
	// MaxConcurrent connections open. Its own Timeout, when set, also
	// bounds each attempt.
	HTTP *http.Client
	Log  zerolog.Logger // zero value logs nothing

	// Timeout bounds one HTTP attempt (not the whole call with retries).
	Timeout time.Duration
	// MaxAttempts is the number of tries for a retry-safe call (1 = no retry).
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the capped exponential backoff; each
	// wait is drawn uniformly from [d/2, d] (jitter).
	BaseBackoff, MaxBackoff time.Duration
	// MaxConcurrent bounds requests in flight to Midtrans.
	MaxConcurrent int
	// BreakerThreshold consecutive unavailable outcomes open the circuit for
	// BreakerCooldown; then one probe is let through.
	BreakerThreshold int
	BreakerCooldown  time.Duration
	// Now is the breaker's clock; nil means time.Now.
	Now func() time.Time
}

// Client talks to Midtrans. Build it with New; the zero value is not usable.
// The exported fields mirror the Config it was built from; the Basic-auth
// header is derived once in New, so changing ServerKey afterwards has no
// effect. Safe for concurrent use.
type Client struct {
	BaseURL   string
	ServerKey string
	ClientKey string
	HTTP      *http.Client
	Log       zerolog.Logger

	timeout     time.Duration
	maxAttempts int
	backoff     backoff
	sem         chan struct{}
	breaker     *breaker
	authHeader  string
	secrets     []string // forms of the server key scrubbed from any text we surface
}

var _ core.Gateway = (*Client)(nil)

// New validates cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.ServerKey == "" {
		return nil, errors.New("midtrans: server key is required")
	}
	if strings.ContainsAny(cfg.ServerKey, " \t\r\n:") {
		// Same client-side check as the SDKs, so a pasted key with a newline
		// fails here instead of as a confusing 401.
		return nil, errors.New("midtrans: server key contains whitespace or a colon")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = SandboxBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("midtrans: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if u.User != nil {
		return nil, errors.New("midtrans: base URL must not carry credentials")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxBackoff < cfg.BaseBackoff {
		cfg.MaxBackoff = cfg.BaseBackoff
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.BreakerThreshold <= 0 {
		cfg.BreakerThreshold = DefaultBreakerThreshold
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = DefaultBreakerCooldown
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: cfg.Timeout, Transport: transport(cfg.MaxConcurrent)}
	}
	userPass := base64.StdEncoding.EncodeToString([]byte(cfg.ServerKey + ":"))
	return &Client{
		BaseURL:     base,
		ServerKey:   cfg.ServerKey,
		ClientKey:   cfg.ClientKey,
		HTTP:        hc,
		Log:         cfg.Log,
		timeout:     cfg.Timeout,
		maxAttempts: cfg.MaxAttempts,
		backoff:     backoff{base: cfg.BaseBackoff, max: cfg.MaxBackoff},
		sem:         make(chan struct{}, cfg.MaxConcurrent),
		breaker:     &breaker{threshold: cfg.BreakerThreshold, cooldown: cfg.BreakerCooldown, now: cfg.Now},
		authHeader:  "Basic " + userPass,
		secrets: []string{
			cfg.ServerKey,
			userPass,
			base64.StdEncoding.EncodeToString([]byte(cfg.ServerKey)),
			base64.RawStdEncoding.EncodeToString([]byte(cfg.ServerKey + ":")),
			base64.RawStdEncoding.EncodeToString([]byte(cfg.ServerKey)),
		},
	}, nil
}

// String and GoString keep the keys out of %v / %+v / %#v of a *Client.
func (c *Client) String() string   { return "midtrans.Client{BaseURL:" + c.BaseURL + "}" }
func (c *Client) GoString() string { return c.String() }

// api tells the response classifier where the status code lives.
type api int

const (
	coreAPI api = iota // body status_code is authoritative
	subAPI             // no body status_code; the HTTP status carries it
)

// call describes one logical Midtrans call (possibly several attempts).
type call struct {
	op     string
	api    api
	base   string // host other than BaseURL (Snap's app. host)
	method string
	path   string // already escaped
	query  url.Values
	body   any
	noAuth bool // /v2/token authenticates with client_key
	// idemKey is sent as Idempotency-Key on every attempt.
	idemKey string
	// notify is sent as X-Override-Notification.
	notify string
	// retry says a repeat cannot do harm (GET, idempotency key, state-setting call).
	retry bool
	// ok lists body status codes that mean success for this call.
	ok func(code int) bool
	// declineOn202 makes a 202 carrying a transaction_status a decline.
	declineOn202 bool
}

// response is one decoded answer.
type response struct {
	httpStatus int
	code       int    // effective status code (body status_code, else HTTP status)
	codeText   string // as received
	body       []byte
	oversized  bool
	raw        map[string]any // decoded with UseNumber; nil if not a JSON object
}

// do runs c with retries, the circuit breaker and the concurrency bound.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, &core.GatewayError{Kind: core.ErrGatewayRejected, Op: cl.op, Message: "cannot encode request"}
		}
		payload = b
	}
	attempts := 1
	if cl.retry {
		attempts = c.maxAttempts
	}
	var lastErr error
	for attempt := 1; attempt <= attempts; attempt++ {
		if attempt > 1 {
			d := c.backoff.delay(attempt - 1)
			c.Log.Warn().Str("op", cl.op).Int("attempt", attempt).Dur("backoff", d).Str("error", lastErr.Error()).Msg("midtrans: retrying")
			if err := sleepCtx(ctx, d); err != nil {
				return nil, lastErr
			}
		}
		resp, err := c.attempt(ctx, cl, payload, attempt)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !core.Retryable(err) || ctx.Err() != nil || errors.Is(err, errCircuitOpen) {
			return resp, err
		}
	}
	return nil, lastErr
}

// attempt sends one request under the semaphore and breaker and classifies the answer.
func (c *Client) attempt(ctx context.Context, cl call, payload []byte, n int) (*response, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable(cl.op, "request not sent", err)
	}
	if !c.breaker.allow() {
		return nil, fmt.Errorf("%w: %w", &core.GatewayError{Kind: core.ErrGatewayUnavailable, Op: cl.op, Message: "circuit open after repeated failures; failing fast"}, errCircuitOpen)
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		c.breaker.release()
		return nil, unavailable(cl.op, "waiting for a free connection slot", ctx.Err())
	}
	defer func() { <-c.sem }()

	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	resp, err := c.send(actx, cl, payload)
	if err != nil {
		// A caller who gave up says nothing about Midtrans' health.
		if ctx.Err() != nil {
			c.breaker.release()
			err = unavailable(cl.op, "request abandoned", ctx.Err())
		} else {
			c.breaker.record(false)
			err = unavailable(cl.op, "transport error: "+c.scrub(transportMessage(err)), nil)
		}
		c.logAttempt(zerolog.WarnLevel, cl, n, 0, "", time.Since(start), err)
		return nil, err
	}
	err = c.classify(cl, resp)
	c.breaker.record(!core.Retryable(err))
	lvl := zerolog.DebugLevel
	if err != nil {
		lvl = zerolog.WarnLevel
	}
	c.logAttempt(lvl, cl, n, resp.httpStatus, resp.codeText, time.Since(start), err)
	return resp, err
}

// send performs the HTTP exchange and decodes the body.
func (c *Client) send(ctx context.Context, cl call, payload []byte) (*response, error) {
	u := c.BaseURL + cl.path
	if cl.base != "" {
		u = cl.base + cl.path
	}
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
	if err != nil {
		return nil, errors.New("cannot build request")
	}
	h := req.Header
	h.Set("Accept", "application/json")
	h.Set("User-Agent", userAgent)
	if payload != nil {
		h.Set("Content-Type", "application/json")
	}
	if !cl.noAuth {
		h.Set("Authorization", c.authHeader)
	}
	if cl.idemKey != "" {
		h.Set("Idempotency-Key", cl.idemKey)
	}
	if cl.notify != "" {
		h.Set("X-Override-Notification", cl.notify)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBody+1))
	if err != nil {
		return nil, err
	}
	r := &response{httpStatus: res.StatusCode, body: b}
	if len(b) > maxResponseBody {
		r.body, r.oversized = nil, true
		return r, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) == nil {
		r.raw = m
	}
	return r, nil
}

// transportMessage drops the URL from a *url.Error: the card-token query
// carries card data and the client key.
func transportMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return err.Error()
}

func (c *Client) logAttempt(lvl zerolog.Level, cl call, n, httpStatus int, code string, d time.Duration, err error) {
	ev := c.Log.WithLevel(lvl)
	if ev == nil {
		return
	}
	// Path only: never the query (card data), headers or bodies.
	ev = ev.Str("op", cl.op).Str("method", cl.method).Str("path", cl.path).Int("attempt", n).Dur("took", d)
	if httpStatus != 0 {
		ev = ev.Int("http_status", httpStatus)
	}
	if code != "" {
		ev = ev.Str("status_code", code)
	}
	if err != nil {
		ev = ev.Str("error", err.Error())
	}
	ev.Msg("midtrans call")
}

// scrub removes any form of the server key from text that may reach logs or errors.
func (c *Client) scrub(s string) string {
	for _, k := range c.secrets {
		// Very short keys (tests) would shred ordinary words; real keys are long.
		if len(k) >= 8 && strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
	}
	return s
}

// escape makes an id safe as one path segment ("." and ".." included).
func escape(id string) string {
	if id == "." || id == ".." {
		return strings.ReplaceAll(id, ".", "%2E")
	}
	return url.PathEscape(id)
}
