//go:build e2e

// Package e2e drives cmd/server and cmd/mockmidtrans as real processes,
// speaking only HTTP: the /api/ surface of the one and the /_sim/ control
// plane of the other (the README's emulator section). Run with
//
//	go test -race -count=1 -tags e2e ./e2e/
//
// TestMain builds both programs; LANGGANAN_E2E_SERVER_BIN and
// LANGGANAN_E2E_MOCK_BIN name prebuilt binaries to test instead.
package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Fixed facts every stack shares.
const (
	serverKey  = "SB-Mid-server-e2e"
	clientKey  = "SB-Mid-client-e2e"
	adminUser  = "admin"
	adminPass  = "admin-pass-e2e-1234"
	clockStart = "2026-03-02T10:00:00+07:00"
	// maxStep is the largest step advance takes on each clock.
	maxStep = time.Hour
	// zeroID names no record; probes use it to tell a missing route from a missing resource.
	zeroID = "00000000-0000-0000-0000-000000000000"
)

// bins holds the two programs TestMain built.
var bins struct{ server, mock string }

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "langganan-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	for _, b := range []struct {
		pkg, env string
		out      *string
	}{{"./cmd/server", "LANGGANAN_E2E_SERVER_BIN", &bins.server}, {"./cmd/mockmidtrans", "LANGGANAN_E2E_MOCK_BIN", &bins.mock}} {
		if prebuilt := os.Getenv(b.env); prebuilt != "" {
			// A binary built elsewhere (a patched or released one) is tested as is.
			*b.out = prebuilt
			continue
		}
		out := filepath.Join(dir, filepath.Base(b.pkg))
		cmd := exec.Command("go", "build", "-o", out, b.pkg)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: go build %s: %v\n%s\n", b.pkg, err, msg)
			return 1
		}
		*b.out = out
	}
	return m.Run()
}

// logBuf is a mutex-guarded buffer the child's output is copied into; it is
// only read through String, never while unguarded.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineSink is a child's stdout: it keeps every byte in the log and reports
// the address of the first `listening` line.
type lineSink struct {
	log     *logBuf
	partial []byte
	addr    chan string
	seen    bool
}

func (s *lineSink) Write(p []byte) (int, error) {
	_, _ = s.log.Write(p)
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		line := s.partial[:i]
		s.partial = s.partial[i+1:]
		if s.seen {
			continue
		}
		var rec struct {
			Message string `json:"message"`
			Msg     string `json:"msg"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal(line, &rec) == nil && (rec.Message == "listening" || rec.Msg == "listening") && rec.Addr != "" {
			s.seen = true
			s.addr <- rec.Addr
		}
	}
	if s.seen {
		s.partial = s.partial[:0]
	}
	return len(p), nil
}

// proc is a started program that printed its listening line.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *logBuf
	url  string
	done chan struct{}
	err  error // Wait's result, valid after done
}

// startProc starts bin with env on top of the environment and waits (30s at
// most) for its listening line.
func startProc(name, bin string, env map[string]string, log *logBuf) (*proc, error) {
	cmd := exec.Command(bin)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	sink := &lineSink{log: log, addr: make(chan string, 1)}
	cmd.Stdout = sink
	cmd.Stderr = log
	p := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case addr := <-sink.addr:
		host, port := addr, ""
		if i := strings.LastIndex(addr, ":"); i >= 0 {
			host, port = addr[:i], addr[i+1:]
		}
		if host == "" || host == "::" || host == "0.0.0.0" || host == "[::]" {
			host = "127.0.0.1"
		}
		p.url = "http://" + host + ":" + port
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before listening: %v", name, p.err)
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("%s printed no listening line within 30s", name)
	}
}

// stop sends SIGTERM and waits. The server's own shutdown deadline is 20s
// (a connection accepted but never given a request holds fasthttp's
// Shutdown that long), so after 25s it dumps goroutines and kills. It
// answers how long the exit took.
func (p *proc) stop() (time.Duration, error) {
	select {
	case <-p.done:
		return 0, p.err
	default:
	}
	start := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return time.Since(start), p.err
	case <-time.After(25 * time.Second):
		// A Go program dumps its goroutines on SIGQUIT: the log then shows
		// what the shutdown waits for.
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.kill()
		}
		return time.Since(start), fmt.Errorf("%s ignored SIGTERM for 25s; sent SIGQUIT (goroutine dump in its log)", p.name)
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stack is one test's pair of processes.
type stack struct {
	t        *testing.T
	dir      string
	db       string
	mock     *proc
	server   *proc
	mockLog  *logBuf
	srvLog   *logBuf
	client   *http.Client
	restarts int
	// env is added to the server's environment.
	env map[string]string
}

// newStack starts the emulator and the server on fresh files with manual
// clocks, and points the emulator's notifications at the server.
func newStack(t *testing.T) *stack { t.Helper(); return newStackEnv(t, nil) }

// newStackEnv is newStack with more server environment variables.
func newStackEnv(t *testing.T, env map[string]string) *stack {
	t.Helper()
	dir := t.TempDir()
	s := &stack{t: t, dir: dir, db: filepath.Join(dir, "l.db"), mockLog: &logBuf{}, srvLog: &logBuf{},
		client: &http.Client{Timeout: 60 * time.Second}, env: env}
	t.Cleanup(func() {
		// Our idle keep-alive connections would hold up a graceful shutdown.
		s.client.CloseIdleConnections()
		for _, p := range []*proc{s.server, s.mock} {
			if p == nil {
				continue
			}
			took, err := p.stop()
			if err != nil {
				t.Errorf("%s exit after SIGTERM: %v", p.name, err)
			} else if took > 5*time.Second {
				t.Logf("note: %s took %v to exit after SIGTERM", p.name, took.Round(time.Millisecond))
			}
		}
		if t.Failed() {
			t.Logf("---- server log (%d restarts) ----\n%s", s.restarts, tail(s.srvLog.String(), 600))
			t.Logf("---- mockmidtrans log ----\n%s", tail(s.mockLog.String(), 200))
		}
	})
	m, err := startProc("mockmidtrans", bins.mock, map[string]string{
		"MOCKMIDTRANS_ADDR":        "127.0.0.1:0",
		"MOCKMIDTRANS_SERVER_KEY":  serverKey,
		"MOCKMIDTRANS_CLIENT_KEY":  clientKey,
		"MOCKMIDTRANS_CLOCK":       "manual",
		"MOCKMIDTRANS_CLOCK_START": clockStart,
	}, s.mockLog)
	if err != nil {
		t.Fatal(err)
	}
	s.mock = m
	s.startServer()
	return s
}

// startServer starts (or restarts) the server on the stack's data file and
// re-points the emulator at its new address.
func (s *stack) startServer() {
	s.t.Helper()
	env := map[string]string{
		"LANGGANAN_ADDR":           "127.0.0.1:0",
		"LANGGANAN_DATA":           s.db,
		"LANGGANAN_ADMIN_USER":     adminUser,
		"LANGGANAN_ADMIN_PASSWORD": adminPass,
		"MIDTRANS_SERVER_KEY":      serverKey,
		"MIDTRANS_CLIENT_KEY":      clientKey,
		"MIDTRANS_BASE_URL":        s.mock.url,
		"LANGGANAN_CLOCK":          "manual",
		"LANGGANAN_CLOCK_START":    clockStart,
		// The journeys' webhook receivers listen on loopback.
		"LANGGANAN_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
	}
	for k, v := range s.env {
		env[k] = v
	}
	p, err := startProc("server", bins.server, env, s.srvLog)
	if err != nil {
		s.t.Fatal(err)
	}
	s.server = p
	hook := p.url + "/api/webhook/notification/"
	r := s.sim("POST", "/_sim/config", J{"notification_url": hook, "recurring_notification_url": hook,
		"pay_account_notification_url": hook})
	if r.status != 200 {
		s.t.Fatalf("POST /_sim/config: %v", r)
	}
}

// killServer SIGKILLs the server (no graceful shutdown).
func (s *stack) killServer() {
	s.server.kill()
	s.restarts++
}

// restartServer starts the server again on the same data file.
func (s *stack) restartServer() {
	s.startServer()
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// J is a JSON object.
type J = map[string]any

// cred is how a request authenticates: basic (user, pass), bearer (token) or none.
type cred struct{ user, pass, token string }

var (
	anon  = cred{}
	admin = cred{user: adminUser, pass: adminPass}
)

// resp is an HTTP answer with its decoded JSON.
type resp struct {
	method, url string
	status      int
	raw         []byte
	body        any
}

func (r resp) String() string {
	raw := string(r.raw)
	if len(raw) > 800 {
		raw = raw[:800] + "…"
	}
	return fmt.Sprintf("%s %s → %d %s", r.method, r.url, r.status, raw)
}

// obj is the body as an object (nil if it is not one).
func (r resp) obj() J {
	o, _ := r.body.(J)
	return o
}

// results is the "results" list of a list answer (or the body if it is a bare list).
func (r resp) results() []J {
	var list []any
	switch b := r.body.(type) {
	case []any:
		list = b
	case J:
		list, _ = b["results"].([]any)
	}
	out := make([]J, 0, len(list))
	for _, v := range list {
		if o, ok := v.(J); ok {
			out = append(out, o)
		}
	}
	return out
}

// do sends one request; a transport error is a status 0 answer.
func (s *stack) do(method, url string, body any, c cred, hdr map[string]string) resp {
	var rd io.Reader
	var sent []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatalf("marshal: %v", err)
		}
		rd, sent = bytes.NewReader(b), b
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		s.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case c.user != "":
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.user+":"+c.pass)))
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	out := resp{method: method, url: url}
	res, err := s.client.Do(req)
	if err != nil {
		out.raw = []byte(err.Error())
		return out
	}
	defer res.Body.Close()
	out.status = res.StatusCode
	out.raw, _ = io.ReadAll(res.Body)
	if strings.HasPrefix(url, s.server.url) {
		if problem := checkOpenAPI(req, sent, res.StatusCode, res.Header, out.raw); problem != "" {
			s.t.Error(problem)
		}
	}
	if len(out.raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(out.raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			out.body = normalize(v)
		}
	}
	return out
}

// normalize turns json.Number into strings of their text so money and
// counts compare as text; map[string]any stays J.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return J(x)
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case json.Number:
		return x.String()
	}
	return v
}

// api calls the server's /api/ surface: path starts after /api.
func (s *stack) api(method, path string, body any, c cred) resp {
	return s.do(method, s.server.url+"/api"+path, body, c, nil)
}

// sim calls the emulator (its /_sim/ control plane or its Midtrans paths).
func (s *stack) sim(method, path string, body any) resp {
	return s.do(method, s.mock.url+path, body, anon, nil)
}

// must fails the test unless the answer has the wanted status.
func (s *stack) must(r resp, want int) resp {
	s.t.Helper()
	if r.status != want {
		s.t.Fatalf("want %d: %v", want, r)
	}
	return r
}

// str reads a nested field as text ("" if absent).
func str(o J, path ...string) string {
	var v any = o
	for _, k := range path {
		m, ok := v.(J)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// obj reads a nested object.
func objAt(o J, path ...string) J {
	var v any = o
	for _, k := range path {
		m, ok := v.(J)
		if !ok {
			return nil
		}
		v = m[k]
	}
	m, _ := v.(J)
	return m
}

// isRouteMissing tells a 404 of an unknown route (Fiber's "Cannot METHOD
// /path") from a 404 of an unknown resource on a route that exists.
func isRouteMissing(r resp) bool {
	if r.status == http.StatusMethodNotAllowed {
		return true
	}
	if r.status != http.StatusNotFound {
		return false
	}
	return strings.HasPrefix(str(r.obj(), "error", "message"), "Cannot ")
}

// requireRoute skips the test when the server does not serve method path
// yet (a probe with an empty body and admin credentials). {id} in path is
// replaced by a uuid that names nothing.
func (s *stack) requireRoute(method, path string) {
	s.t.Helper()
	p := strings.ReplaceAll(path, "{id}", zeroID)
	var body any
	if method != "GET" && method != "DELETE" {
		body = J{}
	}
	r := s.api(method, p, body, admin)
	if isRouteMissing(r) {
		s.t.Skipf("endpoint %s /api%s not available yet (%d %s)", method, path, r.status, str(r.obj(), "error", "message"))
	}
}

// advance moves both clocks by d in lockstep, in steps of at most maxStep:
// the emulator first (its expiries and Subscription API charges fall due and
// their notifications reach the server), then the server (its renewals charge
// the emulator, whose clock is then at or past the server's, so expiry times
// it returns lie ahead of the server's now).
func (s *stack) advance(d time.Duration) {
	s.t.Helper()
	for d > 0 {
		step := min(d, maxStep)
		d -= step
		dur := step.String()
		if r := s.sim("POST", "/_sim/clock/advance", J{"duration": dur}); r.status != 200 {
			s.t.Fatalf("emulator clock: %v", r)
		}
		if r := s.api("POST", "/admin/clock/advance/", J{"duration": dur}, admin); r.status != 200 {
			s.t.Fatalf("server clock: %v", r)
		}
	}
}

// now is the server's clock (advancing by zero answers it).
func (s *stack) now() time.Time {
	s.t.Helper()
	r := s.must(s.api("POST", "/admin/clock/advance/", J{"duration": "0s"}, admin), 200)
	return parseTime(s.t, str(r.obj(), "now"))
}

// advanceTo advances both clocks until the server's time is at least at.
func (s *stack) advanceTo(at time.Time) {
	s.t.Helper()
	if d := at.Sub(s.now()); d > 0 {
		s.advance(d.Round(time.Second) + time.Second)
	}
}

func parseTime(t *testing.T, v string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t.Fatalf("time %q: %v", v, err)
	}
	return tm
}

// user is a customer made through the admin endpoint, signed in with a token.
type user struct {
	id, name string
	basic    cred
	bearer   cred
}

func (s *stack) newUser(name string) user {
	s.t.Helper()
	pw := name + "-pass-1234"
	r := s.must(s.api("POST", "/admin/users/", J{"username": name, "password": pw, "email": name + "@example.com",
		"first_name": name, "last_name": "Test", "is_admin": false}, admin), 201)
	u := user{id: str(r.obj(), "id"), name: name, basic: cred{user: name, pass: pw}}
	tok := s.must(s.api("POST", "/auth/tokens/", J{"name": "e2e"}, u.basic), 201)
	u.bearer = cred{token: str(tok.obj(), "token")}
	if u.bearer.token == "" {
		s.t.Fatalf("token answer has no token: %v", tok)
	}
	return u
}

// plan creates a plan with sensible defaults overridden by extra.
func (s *stack) plan(slug, price string, extra J) J {
	s.t.Helper()
	body := J{"name": strings.ToUpper(slug[:1]) + slug[1:], "slug": slug, "description": slug + " plan",
		"price": price, "currency": "IDR", "interval": 1, "interval_unit": "month", "trial_period_days": 0,
		"max_cycles": 0, "status": "active", "features": J{}, "sort_order": 0}
	for k, v := range extra {
		body[k] = v
	}
	return s.must(s.api("POST", "/plans/", body, admin), 201).obj()
}

// subscribe creates a subscription and returns (subscription, payment).
func (s *stack) subscribe(u user, body J) (J, J) {
	s.t.Helper()
	if _, ok := body["customer_details"]; !ok {
		body["customer_details"] = J{"first_name": u.name, "last_name": "Test", "email": u.name + "@example.com", "phone": "08123456789"}
	}
	r := s.must(s.api("POST", "/subscriptions/", body, u.bearer), 201)
	sub, pay := objAt(r.obj(), "subscription"), objAt(r.obj(), "payment")
	if str(sub, "id") == "" {
		s.t.Fatalf("no subscription id: %v", r)
	}
	return sub, pay
}

// getSub reads a subscription.
func (s *stack) getSub(u user, id string) J {
	s.t.Helper()
	return s.must(s.api("GET", "/subscriptions/"+id+"/", nil, u.bearer), 200).obj()
}

// payments lists a user's payments (every page).
func (s *stack) payments(c cred) []J {
	s.t.Helper()
	var out []J
	for page := 1; page < 100; page++ {
		r := s.must(s.api("GET", fmt.Sprintf("/payments/?page=%d&page_size=100", page), nil, c), 200)
		out = append(out, r.results()...)
		if str(r.obj(), "next") == "" {
			break
		}
	}
	return out
}

// subPayments are the payments of one subscription.
func (s *stack) subPayments(u user, subID string) []J {
	var out []J
	for _, p := range s.payments(u.bearer) {
		if str(p, "subscription_id") == subID || str(p, "subscription") == subID {
			out = append(out, p)
		}
	}
	return out
}

// pay pays a pending payment the way its details say: VA number, bill key,
// or else the order id.
func (s *stack) pay(p J) J {
	s.t.Helper()
	d := objAt(p, "payment_details")
	var body J
	switch {
	case str(d, "va_number") != "":
		body = J{"va_number": str(d, "va_number")}
	case str(d, "bill_key") != "":
		body = J{"bill_key": str(d, "bill_key"), "biller_code": str(d, "biller_code")}
	default:
		body = J{"order_id": str(p, "order_id")}
	}
	if str(p, "order_id") == "" && len(body) == 1 && body["order_id"] == "" {
		s.t.Fatalf("payment has nothing to pay by: %v", p)
	}
	r := s.sim("POST", "/_sim/pay", body)
	if r.status != 200 {
		s.t.Fatalf("pay %v: %v", body, r)
	}
	return r.obj()
}

// simTxns is the emulator's transaction list (the witness of what was charged).
func (s *stack) simTxns() []J {
	s.t.Helper()
	return s.must(s.sim("GET", "/_sim/transactions", nil), 200).results()
}

// faults installs an emulator fault script.
func (s *stack) faults(script J) {
	s.t.Helper()
	s.must(s.sim("POST", "/_sim/faults", script), 200)
}
