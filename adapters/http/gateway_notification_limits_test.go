package http

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/valyala/fasthttp"
)

// A webhook body over 64 KiB is a 413 before it is read: the answer comes
// back although the client has sent only the headers.
func TestWebhookBodyRefusedBeforeRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.srv.App().Listener(ln) }()
	defer func() { _ = e.srv.App().ShutdownWithTimeout(5 * time.Second) }()
	for _, path := range []string{"/api/webhook/notification/", "/API/Webhook/Notification", "/api/webhook/notification?x=1"} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n", path)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := nethttp.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: no answer before the body was sent: %v", path, err)
		}
		if resp.StatusCode != 413 {
			t.Errorf("%s with a 900 KB body = %d, want 413", path, resp.StatusCode)
		}
		conn.Close()
	}
	logs, _, _ := e.svc.ListWebhookLogs(context.Background(), core.Actor{IsAdmin: true}, core.WebhookLogFilter{})
	if len(logs) != 0 {
		t.Errorf("stored %d logs for refused bodies", len(logs))
	}
}

// 64 KiB exactly is read (and, being garbage, stored bounded); one byte
// more is 413; other endpoints keep the 1 MiB limit.
func TestWebhookBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	post := func(path string, n int) int {
		req := httptest.NewRequest("POST", path, bytes.NewReader(bytes.Repeat([]byte("x"), n)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", asAdmin)
		resp, err := e.srv.App().Test(req, -1)
		if errors.Is(err, fasthttp.ErrBodyTooLarge) {
			return 413 // app.Test reports the refusal (the real listener's answer is checked above)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("/api/webhook/notification/", DefaultWebhookBodyLimit); st != 400 {
		t.Errorf("64 KiB garbage = %d, want 400", st)
	}
	if st := post("/api/webhook/notification/", DefaultWebhookBodyLimit+1); st != 413 {
		t.Errorf("64 KiB + 1 = %d, want 413", st)
	}
	if st := post("/api/plans/", 100<<10); st != 400 {
		t.Errorf("100 KiB to another endpoint = %d, want 400 (not 413)", st)
	}
	logs, _, _ := e.svc.ListWebhookLogs(context.Background(), core.Actor{IsAdmin: true}, core.WebhookLogFilter{})
	if len(logs) != 1 || len(logs[0].Payload) > 1024 || logs[0].PayloadSize != DefaultWebhookBodyLimit {
		t.Fatalf("logs = %d, want one bounded log", len(logs))
	}
	// The admin view shows the bounded form.
	_, b, _ := e.do(t, call{method: "GET", path: "/api/admin/webhook-logs/", auth: asAdmin})
	if r, _ := b["results"].([]any); len(r) != 1 || r[0].(map[string]any)["payload_sha256"] == nil ||
		len(r[0].(map[string]any)["payload"].(string)) > 1024 {
		t.Errorf("admin webhook logs = %v", b)
	}
}

func TestIsWebhookPath(t *testing.T) {
	for uri, want := range map[string]bool{
		"/api/webhook/notification": true, "/api/webhook/notification/": true, "/API/WEBHOOK/NOTIFICATION/?a=b": true,
		"http://host:1/api/webhook/notification/": true, "/api/webhook/notifications": false, "/api/plans/": false,
		"/api/webhook/notification/x": false, "http://host": false, "/api/%77ebhook/notification": true,
		"/api//webhook/./notification/": true, "/api/plans/../webhook/notification": true,
	} {
		if got := isWebhookPath([]byte(uri)); got != want {
			t.Errorf("isWebhookPath(%q) = %v", uri, got)
		}
	}
}

// A webhook endpoint whose name resolves to loopback or a metadata address
// is refused at registration; an allowed host is not looked up.
func TestWebhookEndpointNameResolvingInsideRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	e.srv.webhookAllow = []string{"dev.local"}
	e.srv.resolve = func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "evil.example":
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		case "meta.example":
			return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("169.254.169.254")}, nil
		case "good.example":
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		case "dev.local":
			t.Error("an allowed host was looked up")
		}
		return nil, errors.New("no such host")
	}
	for url, want := range map[string]int{"https://evil.example/_sim/reset": 400, "https://meta.example/": 400,
		"https://good.example/hook": 201, "https://unresolvable.example/hook": 201, "https://dev.local:9000/hook": 201} {
		st, m, _ := e.do(t, call{method: "POST", path: "/api/admin/webhook-endpoints/", auth: asAdmin, body: `{"url":"` + url + `"}`})
		if _, fields := errCode(m); st != want || (want == 400 && fields["url"] == nil) {
			t.Errorf("%s = %d %v, want %d", url, st, m, want)
		}
	}
}
