// Package webhooks delivers events to merchant endpoints as signed HTTP
// POSTs. Every request carries
//
//	Content-Type: application/json
//	Langganan-Event-Id: <event id, the same on every redelivery>
//	Langganan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
//	User-Agent: Langganan-Webhooks/1
//
// Sign and Verify implement the signature for senders and receivers.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"strconv"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// Header names.
const (
	HeaderSignature = "Langganan-Signature"
	HeaderEventID   = "Langganan-Event-Id"
	UserAgent       = "Langganan-Webhooks/1"
	// DefaultTolerance is how old a signature timestamp a receiver accepts.
	DefaultTolerance = 5 * time.Minute
)

// Sign returns the Langganan-Signature header value for body sent at t.
func Sign(secret string, t int64, body []byte) string {
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + signature(secret, t, body)
}

func signature(secret string, t int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(t, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verification failures.
var (
	ErrMalformedHeader = errors.New("webhooks: malformed signature header")
	ErrBadSignature    = errors.New("webhooks: no matching signature")
	ErrTooOld          = errors.New("webhooks: timestamp outside the tolerance")
)

// Verify checks a Langganan-Signature header against body: one of its v1
// signatures must match, and its timestamp must be within tolerance of now
// (either side). A tolerance of 0 means DefaultTolerance.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var (
		t     int64
		haveT bool
		sigs  []string
	)
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformedHeader
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || haveT {
				return ErrMalformedHeader
			}
			t, haveT = n, true
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if !haveT || len(sigs) == 0 {
		return ErrMalformedHeader
	}
	want := []byte(signature(secret, t, body))
	match := false
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			match = true
		}
	}
	if !match {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return ErrTooOld
	}
	return nil
}

// Lookup gives the URL and signing secret of an endpoint id
// ((*core.Service).WebhookTarget).
type Lookup func(ctx context.Context, endpointID string) (url, secret string, err error)

// Config builds a Sender. Lookup is required.
type Config struct {
	Lookup Lookup
	// Client, if set, is used for every delivery as is (tests). By default
	// deliveries to hosts in AllowHosts use a plain client, and all others
	// a guarded one that refuses loopback, link-local, private and this
	// machine's own addresses after DNS resolution; both follow no
	// redirects and time out after 10 s.
	Client *nethttp.Client
	// AllowHosts may be reached over http and at any address
	// (LANGGANAN_WEBHOOK_ALLOW_HOSTS).
	AllowHosts []string
	// Now stamps signatures; default time.Now (wall time, also under a
	// manual billing clock, since receivers compare with their own clock).
	Now func() time.Time
}

// Sender is the core.Notifier of the webhook channel: the notification's
// Recipient is the endpoint id and its Payload the JSON body.
type Sender struct {
	lookup  Lookup
	client  *nethttp.Client // guarded, or Config.Client
	plain   *nethttp.Client // allowed hosts
	allow   []string
	checked bool // false with Config.Client
	now     func() time.Time
}

var _ core.Notifier = (*Sender)(nil)

// Timeout bounds one delivery.
const Timeout = 10 * time.Second

// New checks the configuration.
func New(cfg Config) (*Sender, error) {
	if cfg.Lookup == nil {
		return nil, errors.New("webhooks: New needs a Lookup")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Sender{lookup: cfg.Lookup, client: cfg.Client, plain: cfg.Client, allow: cfg.AllowHosts, now: cfg.Now}
	if cfg.Client == nil {
		s.client, s.plain, s.checked = guardedClient(), plainClient(), true
	}
	return s, nil
}

// Send POSTs the payload, signed; any answer but 2xx is an error. Errors
// never contain the secret.
func (s *Sender) Send(ctx context.Context, n core.Notification) error {
	if n.Channel != core.ChannelWebhook {
		return fmt.Errorf("webhooks: cannot send a %s notification", n.Channel)
	}
	url, secret, err := s.lookup(ctx, n.Recipient)
	if err != nil {
		return fmt.Errorf("webhook endpoint %s: %w", n.Recipient, err)
	}
	client := s.client
	if s.checked {
		allowed, err := checkURL(url, s.allow)
		if err != nil {
			return err
		}
		if allowed {
			client = s.plain
		}
	}
	body, err := json.Marshal(n.Payload)
	if err != nil {
		return fmt.Errorf("encode payload: %w", err)
	}
	eventID := n.EventID
	if id, ok := n.Payload["id"].(string); ok && id != "" {
		eventID = id
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := nethttp.NewRequestWithContext(ctx, nethttp.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderEventID, eventID)
	req.Header.Set(HeaderSignature, Sign(secret, s.now().Unix(), body))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}
