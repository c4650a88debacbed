//go:build e2e

package e2e

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestAnonymousWebhookBodiesStayCheap: oversized notification bodies are
// refused with 413 and garbage is stored bounded and rate limited, so a
// flood of anonymous posts barely grows the data file (20 bodies
// of 900 KB used to add 70 MB).
func TestAnonymousWebhookBodiesStayCheap(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	hook := s.server.url + "/api/webhook/notification/"
	post := func(body []byte) (int, error) {
		req, _ := http.NewRequest("POST", hook, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := s.client.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	before := fileSize(t, s.db)
	big := bytes.Repeat([]byte("x"), 900_000)
	refused := 0
	for range 20 {
		// The server answers from the headers and closes; the client may
		// then see the 413 or a broken pipe, never a success.
		st, err := post(big)
		if err == nil && st != 413 {
			t.Fatalf("900 KB body = %d, want 413", st)
		}
		if err == nil {
			refused++
		}
	}
	if refused == 0 {
		t.Error("no 413 seen for 900 KB bodies")
	}
	garbage := bytes.Repeat([]byte("{"), 60_000)
	for range 100 {
		if st, err := post(garbage); err != nil || st != 400 {
			t.Fatalf("60 KB garbage = %d %v, want 400", st, err)
		}
	}
	logs := s.must(s.api("GET", "/admin/webhook-logs/?page_size=100", nil, admin), 200).obj()
	if n, _ := logs["count"].(string); n != "10" {
		t.Errorf("stored %v logs of 100 garbage posts from one IP, want 10", logs["count"])
	}
	for _, l := range s.must(s.api("GET", "/admin/webhook-logs/?page_size=100", nil, admin), 200).results() {
		if p, _ := l["payload"].(string); len(p) > 1024 || l["payload_sha256"] == nil {
			t.Errorf("stored log keeps %d bytes: %v", len(p), l["payload_size"])
		}
	}
	if grown := fileSize(t, s.db) - before; grown > 1<<20 {
		t.Errorf("data file grew by %d bytes", grown)
	}
}

// TestWebhookEndpointsCannotReachInside: an endpoint on this machine (not
// in LANGGANAN_WEBHOOK_ALLOW_HOSTS) or a metadata address is refused.
func TestWebhookEndpointsCannotReachInside(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/admin/webhook-endpoints/")
	port := s.mock.url[strings.LastIndex(s.mock.url, ":")+1:]
	for _, u := range []string{"http://localhost:" + port + "/_sim/reset", "https://localhost:" + port + "/_sim/reset",
		"https://169.254.169.254/latest/meta-data/", "https://[::1]:" + port + "/_sim/reset", "https://10.0.0.1/hook"} {
		r := s.api("POST", "/admin/webhook-endpoints/", J{"url": u, "events": []string{}}, admin)
		if r.status != 400 || str(r.obj(), "error", "fields", "url") == "" {
			t.Errorf("endpoint %s: %v, want 400 on url", u, r)
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
