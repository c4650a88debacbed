package http

import (
	"bytes"
	"errors"

	"github.com/langganan/langganan/core"
	"github.com/valyala/fasthttp"
)

// DefaultWebhookBodyLimit bounds a Midtrans notification body (they are a
// few KiB).
const DefaultWebhookBodyLimit = 64 << 10

// headerReceived runs once a request's headers are in, before its body is
// read: the webhook endpoint, which anyone may post to, gets a smaller
// body limit, so a larger body is a 413 without being read (fasthttp
// refuses a Content-Length over the limit at once, and stops a chunked
// body once it passes it).
func (s *Server) headerReceived(limit int) func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if limit <= 0 {
		limit = DefaultWebhookBodyLimit
	}
	return func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		if isWebhookPath(h.RequestURI()) {
			return fasthttp.RequestConfig{MaxRequestBodySize: limit}
		}
		return fasthttp.RequestConfig{}
	}
}

// isWebhookPath matches the notification route as Fiber routes it: the
// path decoded and normalized the way fasthttp does it for routing
// (percent-escapes, dot segments, double slashes), any case, trailing
// slash optional, query ignored, absolute form too.
func isWebhookPath(uri []byte) bool {
	u := fasthttp.AcquireURI()
	defer fasthttp.ReleaseURI(u)
	if err := u.Parse(nil, uri); err != nil {
		return false
	}
	p := bytes.TrimSuffix(u.Path(), []byte("/"))
	return bytes.EqualFold(p, []byte(webhookRoute))
}

// webhookOutcomeOf names a notification's outcome for the metrics: its
// status, or "unstored" for an unverified one past the per-IP storage
// limit (counted only).
func webhookOutcomeOf(log core.WebhookLog, err error) string {
	if log.ID == "" && err != nil {
		return "unstored"
	}
	if errors.Is(err, core.ErrRateLimited) {
		return "rate_limited"
	}
	return string(log.Status)
}
