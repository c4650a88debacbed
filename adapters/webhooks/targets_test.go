package webhooks_test

import (
	"context"
	"errors"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/langganan/langganan/adapters/webhooks"
	"github.com/langganan/langganan/core"
)

// Without an allow list, deliveries to loopback (by address or by a name
// resolving to it), link-local metadata addresses and private ranges are
// refused at connection time and never reach the target.
func TestDeliveryRefusesInternalTargets(t *testing.T) {
	var hits atomic.Int64
	ts := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) { hits.Add(1) }))
	defer ts.Close()
	u, _ := url.Parse(ts.URL)
	port := u.Port()
	targets := []string{
		"http://" + u.Host + "/_sim/reset",          // http to a host not allowed
		"https://" + u.Host + "/_sim/reset",         // loopback literal
		"https://localhost:" + port + "/_sim/reset", // a name resolving to loopback
		"https://169.254.169.254/latest/meta-data/", // metadata service
		"https://10.1.2.3/", "https://192.168.1.1/", "https://[::1]:" + port + "/",
	}
	for _, target := range targets {
		s, err := webhooks.New(webhooks.Config{Lookup: func(context.Context, string) (string, string, error) { return target, "whsec_x", nil }})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), core.Notification{Channel: core.ChannelWebhook, Recipient: "ep", Payload: map[string]any{"id": "e1"}})
		if !errors.Is(err, webhooks.ErrForbiddenTarget) {
			t.Errorf("%s: %v, want ErrForbiddenTarget", target, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal target was reached %d times", n)
	}
	// Allowed, the same loopback target is delivered to.
	s, _ := webhooks.New(webhooks.Config{AllowHosts: []string{"127.0.0.1"},
		Lookup: func(context.Context, string) (string, string, error) { return ts.URL + "/hook", "whsec_x", nil }})
	if err := s.Send(context.Background(), core.Notification{Channel: core.ChannelWebhook, Recipient: "ep", Payload: map[string]any{"id": "e1"}}); err != nil || hits.Load() != 1 {
		t.Errorf("allowed host: %v, %d hits", err, hits.Load())
	}
	// The machine's own non-loopback addresses are refused too.
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() {
			continue
		}
		target := "https://" + net.JoinHostPort(ipn.IP.String(), port) + "/"
		s, _ := webhooks.New(webhooks.Config{Lookup: func(context.Context, string) (string, string, error) { return target, "whsec_x", nil }})
		err := s.Send(context.Background(), core.Notification{Channel: core.ChannelWebhook, Recipient: "ep", Payload: map[string]any{"id": "e1"}})
		if !errors.Is(err, webhooks.ErrForbiddenTarget) {
			t.Errorf("own address %s: %v, want ErrForbiddenTarget", target, err)
		}
	}
}
