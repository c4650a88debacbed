package core_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/langganan/langganan/core"
)

// Registration refuses http (unless allowed), loopback, link-local and
// private literals and localhost names.
func TestEndpointURLPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, u := range []string{
		"http://merchant.example/hook", "https://127.0.0.1/hook", "https://127.0.0.1:8090/_sim/reset",
		"https://localhost/hook", "https://api.localhost/hook", "https://169.254.169.254/latest/meta-data/",
		"https://10.0.0.5/", "https://172.16.3.4/", "https://192.168.0.1/", "https://[::1]/", "https://[fe80::1]/",
		"https://[fd00::1]/", "https://0.0.0.0/", "https://100.64.1.1/", "https://[::ffff:127.0.0.1]/",
	} {
		_, err := e.svc.CreateWebhookEndpoint(e.ctx, e.admin, core.WebhookEndpointInput{URL: &u})
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Fields["url"] == "" {
			t.Errorf("%s: %v, want a 400 on url", u, err)
		}
	}
	if _, err := e.svc.CreateWebhookEndpoint(e.ctx, e.admin, core.WebhookEndpointInput{URL: ref("https://merchant.example/hook")}); err != nil {
		t.Errorf("public https: %v", err)
	}
}

func TestEndpointURLAllowHosts(t *testing.T) {
	t.Parallel()
	cfg := core.DefaultConfig()
	cfg.WebhookAllowHosts = []string{"127.0.0.1", "Receiver.Local"}
	e := newEnvConfig(t, cfg)
	for _, u := range []string{"http://127.0.0.1:9999/hook", "http://receiver.local/hook", "https://127.0.0.1/"} {
		if _, err := e.svc.CreateWebhookEndpoint(e.ctx, e.admin, core.WebhookEndpointInput{URL: &u}); err != nil {
			t.Errorf("allowed %s: %v", u, err)
		}
	}
	if _, err := e.svc.CreateWebhookEndpoint(e.ctx, e.admin, core.WebhookEndpointInput{URL: ref("http://127.0.0.2/")}); err == nil {
		t.Error("a host not in the list was allowed")
	}
}

func TestPublicAddr(t *testing.T) {
	for s, want := range map[string]bool{"8.8.8.8": true, "2606:4700::1111": true, "127.0.0.1": false, "169.254.169.254": false,
		"10.0.0.1": false, "192.168.1.1": false, "172.31.0.1": false, "::1": false, "fe80::1": false, "fc00::1": false,
		"::ffff:10.0.0.1": false, "0.0.0.0": false, "224.0.0.1": false, "100.100.100.200": false} {
		if got := core.PublicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", s, got, want)
		}
	}
}
