package compat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// server is `cmd/server` run as a process in zero-configuration emulator
// mode (no MIDTRANS_SERVER_KEY) with a manual clock.
type server struct {
	t         *testing.T
	url, emu  string
	cmd       *exec.Cmd
	mu        sync.Mutex
	log       bytes.Buffer
	adminAuth string
}

// lockedWriter writes to w under mu: the process's stderr is copied by
// exec's own goroutine while the stdout reader writes the same buffer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var (
	buildOnce sync.Once
	serverBin string
	buildErr  error
)

// startServer starts cmd/server; env adds or overrides variables.
func startServer(t *testing.T, env ...string) *server {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "langganan-compat-")
		if err != nil {
			buildErr = err
			return
		}
		serverBin = filepath.Join(dir, "server")
		cmd := exec.Command("go", "build", "-o", serverBin, "./cmd/server")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	s := &server{t: t, adminAuth: "admin:compat-admin-pw"}
	s.cmd = exec.Command(serverBin)
	s.cmd.Env = append(os.Environ(), "LANGGANAN_ADDR=127.0.0.1:0", "LANGGANAN_DATA="+filepath.Join(t.TempDir(), "l.db"),
		"LANGGANAN_ADMIN_USER=admin", "LANGGANAN_ADMIN_PASSWORD=compat-admin-pw", "LANGGANAN_CLOCK=manual",
		"LANGGANAN_CLOCK_START=2026-01-31T03:00:00Z", "MIDTRANS_SERVER_KEY=", "MIDTRANS_BASE_URL=", "LANGGANAN_DATABASE_URL=")
	s.cmd.Env = append(s.cmd.Env, env...)
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = lockedWriter{&s.mu, &s.log}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			s.mu.Lock()
			s.log.Write(line)
			s.log.WriteByte('\n')
			var m map[string]any
			_ = json.Unmarshal(line, &m)
			if sim, ok := m["simulator"].(string); ok {
				s.emu = strings.TrimSuffix(sim, "/")
			}
			if m["message"] == "listening" && s.url == "" {
				s.url = "http://" + m["addr"].(string)
				close(ready)
			}
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		_ = s.cmd.Wait()
		if t.Failed() {
			s.mu.Lock()
			t.Logf("server log:\n%s", s.log.String())
			s.mu.Unlock()
		}
	})
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("server did not log listening")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emu == "" {
		t.Fatal("server did not log the emulator address")
	}
	return s
}

// call sends JSON to the service (auth "user:password") or, with auth "",
// to the emulator's control plane; it answers the status and decoded body.
func (s *server) call(method, path, auth string, body any) (int, map[string]any) {
	s.t.Helper()
	base := s.url
	if auth == "" {
		base = s.emu
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if user, pw, ok := strings.Cut(auth, ":"); ok {
		req.SetBasicAuth(user, pw)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func (s *server) must(want int, method, path, auth string, body any) map[string]any {
	s.t.Helper()
	got, m := s.call(method, path, auth, body)
	if got != want {
		s.t.Fatalf("%s %s: %d, want %d: %v", method, path, got, want, m)
	}
	return m
}

// customer creates a plan and a user and returns the user's credentials.
func (s *server) customer(plan, price string) string {
	s.must(201, "POST", "/api/plans/", s.adminAuth, map[string]any{"name": plan, "slug": plan, "price": price, "interval": 1, "interval_unit": "month"})
	s.must(201, "POST", "/api/admin/users/", s.adminAuth, map[string]any{"username": "budi-" + plan, "password": "budi-password-1", "email": "budi-" + plan + "@example.test"})
	return "budi-" + plan + ":budi-password-1"
}

func merchant() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintf(w, "<!doctype html><p id=shop>%s %s %s</p>", q.Get("order_id"), q.Get("status_code"), q.Get("transaction_status"))
	}))
}

// TestBrowserSnapSubscriptionByVA: a subscription's redirect_url is opened
// in Chromium, BNI VA is chosen and paid in the simulator, the page lands on
// the finish URL, and the subscription is active.
func TestBrowserSnapSubscriptionByVA(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	s := startServer(t)
	shop := merchant()
	defer shop.Close()
	user := s.customer("basic", "49000")
	created := s.must(201, "POST", "/api/subscriptions/", user, map[string]any{"plan_id": "basic", "payment_type": "snap",
		"enabled_payments": []string{"bni_va", "credit_card"}, "finish_url": shop.URL + "/done"})
	sub := created["subscription"].(map[string]any)
	pay := created["payment"].(map[string]any)
	if sub["status"] != "pending" || pay["snap_token"] == nil {
		t.Fatalf("created %v", created)
	}
	var va, landed string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(pay["redirect_url"].(string)),
		chromedp.Click(`#method-bni_va`, chromedp.ByQuery),
		chromedp.WaitVisible(`#va-number`, chromedp.ByQuery),
		chromedp.Text(`#va-number`, &va, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("browser: %v", err)
	}
	s.must(200, "POST", "/_sim/pay", "", map[string]string{"va_number": strings.TrimSpace(va)})
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#shop`, chromedp.ByQuery),
		chromedp.Text(`#shop`, &landed, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("browser after paying: %v", err)
	}
	if landed != pay["order_id"].(string)+" 200 settlement" {
		t.Fatalf("finish page shows %q", landed)
	}
	got := s.must(200, "GET", "/api/subscriptions/"+sub["id"].(string)+"/", user, nil)
	if got["status"] != "active" || got["payment_type"] != "snap" {
		t.Fatalf("subscription %v", got)
	}
}

// TestBrowserSnapCardRenewsNatively: a card with 3-D Secure paid on the
// Snap page is saved; the subscription is handed to the Subscription API,
// which renews it after the clock moves past the period end.
func TestBrowserSnapCardRenewsNatively(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	s := startServer(t)
	shop := merchant()
	defer shop.Close()
	user := s.customer("pro", "99000")
	created := s.must(201, "POST", "/api/subscriptions/", user, map[string]any{"plan_id": "pro", "payment_type": "snap",
		"finish_url": shop.URL + "/done"})
	sub := created["subscription"].(map[string]any)
	pay := created["payment"].(map[string]any)
	var landed string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(pay["redirect_url"].(string)),
		chromedp.WaitVisible(`#card-pay`, chromedp.ByQuery),
		chromedp.Click(`#card-pay`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[value=ok]`, chromedp.ByQuery),
		chromedp.Click(`button[value=ok]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#shop`, chromedp.ByQuery),
		chromedp.Text(`#shop`, &landed, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("browser: %v", err)
	}
	if landed != pay["order_id"].(string)+" 200 capture" {
		t.Fatalf("finish page shows %q", landed)
	}
	id := sub["id"].(string)
	got := s.must(200, "GET", "/api/subscriptions/"+id+"/", user, nil)
	if got["status"] != "active" || got["payment_type"] != "credit_card" || got["midtrans_subscription_id"] == nil {
		t.Fatalf("after the card payment: %v", got)
	}
	end := got["current_period_end"]
	s.must(200, "POST", "/api/admin/clock/advance/", s.adminAuth, map[string]string{"duration": "745h"})
	got = s.must(200, "GET", "/api/subscriptions/"+id+"/", user, nil)
	if got["status"] != "active" || got["current_period_end"] == end {
		t.Fatalf("after the renewal: %v (period end was %v)", got, end)
	}
	payments := s.must(200, "GET", "/api/payments/?status=paid", user, nil)
	if payments["count"] != 2.0 {
		t.Fatalf("paid payments %v, want the Snap payment and one Subscription API renewal", payments)
	}
}

// TestSDKSnapAgainstMockmidtrans runs the official Snap client against the
// cmd/mockmidtrans program, changing only the host of its requests.
func TestSDKSnapAgainstMockmidtrans(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "mockmidtrans")
	build := exec.Command("go", "build", "-o", bin, "./cmd/mockmidtrans")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mockmidtrans: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "MOCKMIDTRANS_ADDR=127.0.0.1:0", "MOCKMIDTRANS_SERVER_KEY="+serverKey, "MOCKMIDTRANS_CLIENT_KEY="+clientKey)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["message"] == "listening" {
				addr <- m["addr"].(string)
			}
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("mockmidtrans did not log listening")
	}
	e := &env{t: t, srv: &httptest.Server{URL: base}}
	c := e.snapClient(serverKey)
	res, merr := c.CreateTransaction(snapReq("mock-snap-1", 49000))
	ok(t, merr)
	if len(res.Token) != 36 || !strings.HasPrefix(res.RedirectURL, base+"/snap/v4/redirection/") {
		t.Fatalf("%+v", res)
	}
	page, err := http.Get(res.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 {
		t.Fatalf("redirect_url answered %d", page.StatusCode)
	}
	if _, merr := e.snapClient("SB-Mid-server-wrong").CreateTransaction(snapReq("mock-snap-2", 49000)); merr == nil || merr.StatusCode != 401 {
		t.Fatalf("a wrong key: %v", merr)
	}
}
