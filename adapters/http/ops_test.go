package http

import (
	"context"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langganan/langganan/adapters/metrics"
	"github.com/rs/zerolog"
)

func scrapeApp(t *testing.T, s *Server, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsToken(t *testing.T) {
	e := newEnv(t, false)
	s := NewServer(Config{Service: e.svc, Metrics: metrics.Recorder{Source: e.svc}, Log: zerolog.Nop(), MetricsToken: "s3cret"})
	// Traffic to label: a plan read, an unknown path, a failed sign-in.
	for _, p := range []string{"/api/plans/", "/api/plans/basic/", "/no/such/path/x1"} {
		if _, err := s.App().Test(httptest.NewRequest("GET", p, nil), -1); err != nil {
			t.Fatal(err)
		}
	}
	if code, _ := scrapeApp(t, s, ""); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
	if code, _ := scrapeApp(t, s, "Bearer wrong"); code != 401 {
		t.Errorf("wrong token: %d, want 401", code)
	}
	code, body := scrapeApp(t, s, "Bearer s3cret")
	if code != 200 {
		t.Fatalf("right token: %d %s", code, body)
	}
	for _, want := range []string{
		`langganan_http_requests_total{method="GET",route="/api/plans/",status="200"}`,
		`langganan_http_requests_total{method="GET",route="/api/plans/:slug/",status="200"}`,
		`route="unmatched",status="404"`,
		`langganan_http_request_duration_seconds_bucket{method="GET",route="/api/plans/"`,
		`langganan_subscriptions{status="active"} 0`,
		`langganan_mrr{currency="IDR"} 0`,
		`langganan_outbox_depth 0`,
		`langganan_stats_up 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/no/such/path") {
		t.Error("a raw URL became a label")
	}
}

func TestMetricsLoopbackOnlyAndSeparate(t *testing.T) {
	e := newEnv(t, false)
	s := NewServer(Config{Service: e.svc, Metrics: metrics.Recorder{Source: e.svc}, Log: zerolog.Nop()})
	// app.Test's client address is 0.0.0.0: not loopback.
	if code, _ := scrapeApp(t, s, ""); code != 403 {
		t.Errorf("non-loopback without a token: %d, want 403", code)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.App().Listener(ln)
	defer s.App().ShutdownWithContext(context.Background())
	resp, err := nethttp.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "langganan_http_requests_total") {
		t.Errorf("loopback scrape: %d", resp.StatusCode)
	}

	sep := NewServer(Config{Service: e.svc, Metrics: metrics.Recorder{Source: e.svc}, Log: zerolog.Nop(), MetricsSeparate: true})
	if code, _ := scrapeApp(t, sep, ""); code != 404 {
		t.Errorf("separate metrics still on the app: %d", code)
	}
	if sep.MetricsHandler() == nil {
		t.Error("no MetricsHandler for the separate listener")
	}
}

func TestBackupEndpointGuards(t *testing.T) {
	e := newEnv(t, false)
	if code, _, _ := e.do(t, call{method: "GET", path: "/api/admin/backup", auth: asUser}); code != 403 {
		t.Errorf("backup as a user: %d, want 403", code)
	}
	if code, _, _ := e.do(t, call{method: "GET", path: "/api/admin/backup"}); code != 401 {
		t.Errorf("backup anonymous: %d, want 401", code)
	}
	if code, body, _ := e.do(t, call{method: "GET", path: "/api/admin/backup", auth: asAdmin}); code != 501 || body["error"] == nil {
		t.Errorf("backup without a data file: %d %v", code, body)
	}
}

func TestWebhookOutcomeLabels(t *testing.T) {
	for status, want := range map[int]string{200: "accepted", 401: "bad_signature", 400: "rejected", 404: "unknown", 500: "error"} {
		if got := webhookOutcome(status); got != want {
			t.Errorf("webhookOutcome(%d) = %s, want %s", status, got, want)
		}
	}
	if !isWalletRoute("/api/wallet/me") || !isWalletRoute("/api/admin/wallets/:id/adjust") || isWalletRoute("/api/plans") {
		t.Error("isWalletRoute")
	}
}
