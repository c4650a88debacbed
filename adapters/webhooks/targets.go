package webhooks

import (
	"errors"
	"fmt"
	"net"
	nethttp "net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/langganan/langganan/core"
)

// ErrForbiddenTarget: the endpoint's URL or the address its host resolved
// to is one outbound webhooks must not reach (loopback, link-local,
// private, this machine's own addresses), or http to a host not allowed.
var ErrForbiddenTarget = errors.New("webhooks: endpoint address refused")

// checkURL is the scheme rule, again at delivery time (an endpoint stored
// by an older build is held to it too).
func checkURL(raw string, allow []string) (allowed bool, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return false, fmt.Errorf("%w: unparsable URL", ErrForbiddenTarget)
	}
	if core.HostAllowed(u.Hostname(), allow) {
		return true, nil
	}
	if u.Scheme != "https" {
		return false, fmt.Errorf("%w: http only to an allowed host", ErrForbiddenTarget)
	}
	return false, nil
}

// localAddrs are this machine's interface addresses, looked up at most
// once every few seconds.
type localAddrs struct {
	mu    sync.Mutex
	at    time.Time
	addrs map[netip.Addr]bool
}

func (l *localAddrs) has(ip netip.Addr, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.addrs == nil || now.Sub(l.at) > 5*time.Second {
		m := map[netip.Addr]bool{}
		if as, err := net.InterfaceAddrs(); err == nil {
			for _, a := range as {
				if p, err := netip.ParsePrefix(a.String()); err == nil {
					m[p.Addr().Unmap()] = true
				}
			}
		}
		l.addrs, l.at = m, now
	}
	return l.addrs[ip.Unmap()]
}

// guardedClient is an HTTP client whose every connection is checked after
// DNS resolution: the dialer's Control sees the address actually dialled,
// so a name resolving to 127.0.0.1 is refused too. No proxy is used (a
// proxy would hide the target) and no redirect is followed.
func guardedClient() *nethttp.Client {
	var local localAddrs
	d := &net.Dialer{
		Timeout: Timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenTarget, address)
			}
			if !core.PublicAddr(ap.Addr()) {
				return fmt.Errorf("%w: %s is not a public address", ErrForbiddenTarget, ap.Addr())
			}
			if local.has(ap.Addr(), time.Now()) {
				return fmt.Errorf("%w: %s is this machine", ErrForbiddenTarget, ap.Addr())
			}
			return nil
		},
	}
	return &nethttp.Client{
		Timeout: Timeout,
		Transport: &nethttp.Transport{
			Proxy:               nil,
			DialContext:         d.DialContext,
			ForceAttemptHTTP2:   true,
			TLSHandshakeTimeout: Timeout,
			MaxIdleConns:        16,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: noRedirects,
	}
}

func noRedirects(*nethttp.Request, []*nethttp.Request) error {
	return nethttp.ErrUseLastResponse // a redirect is an answer, not a delivery
}

// plainClient serves allowed hosts (development, tests): any address.
func plainClient() *nethttp.Client {
	return &nethttp.Client{Timeout: Timeout, CheckRedirect: noRedirects}
}
