package http

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// resolveTimeout bounds the DNS look-up of a webhook endpoint's host at
// registration.
const resolveTimeout = 2 * time.Second

func defaultResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// checkWebhookTarget resolves the host of an endpoint URL being registered
// and refuses it (400 on url) when a name resolves to an address outbound
// webhooks must not reach. Core has already checked the scheme and literal
// addresses; the sender checks every connection again after its own
// resolution (adapters/webhooks), so a name that fails to resolve now is
// let through here and refused there if it must be.
func (s *Server) checkWebhookTarget(ctx context.Context, raw *string) error {
	if raw == nil {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(*raw))
	if err != nil || u.Hostname() == "" || core.HostAllowed(u.Hostname(), s.webhookAllow) {
		return nil // core reports malformed URLs
	}
	host := strings.Trim(u.Hostname(), "[]")
	if _, err := netip.ParseAddr(host); err == nil {
		return nil // a literal: core decides
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := s.resolve(ctx, host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if !core.PublicAddr(a) {
			return invalid("invalid input", map[string]string{"url": "resolves to " + a.String() +
				", which is not a public address (loopback, link-local or private)"})
		}
	}
	return nil
}
