//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/langganan/langganan/adapters/postgres/pgtest"
)

// freshDatabase creates the database langganan_multi_<random> and drops it
// when the test ends; it answers its URL. Without a reachable PostgreSQL
// the test fails in CI and is skipped, loudly, elsewhere.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := pgtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "langganan_multi_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("LANGGANAN_TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String()
}

// multiStack is a stack of several servers on one PostgreSQL database,
// reached through a round-robin proxy (the stack's server URL), with one
// emulator whose notifications go through the proxy too.
type multiStack struct {
	*stack
	dbURL   string
	servers []*proc
	logs    []*logBuf
	mu      sync.Mutex // guards servers' entries while one restarts
	next    atomic.Uint64
	proxy   *httptest.Server
}

func newMultiStack(t *testing.T, n int) *multiStack {
	t.Helper()
	dbURL := freshDatabase(t)
	done := make(chan struct{})
	close(done)
	m := &multiStack{dbURL: dbURL}
	m.stack = &stack{t: t, dir: t.TempDir(), mockLog: &logBuf{}, srvLog: &logBuf{},
		client: &http.Client{Timeout: 60 * time.Second}}
	m.proxy = httptest.NewServer(http.HandlerFunc(m.forward))
	// The stack's helpers call s.server.url: the proxy, a process of none.
	m.server = &proc{name: "proxy", url: m.proxy.URL, done: done}
	t.Cleanup(func() {
		m.client.CloseIdleConnections()
		m.proxy.Close()
		for i, p := range m.live() {
			if _, err := p.stop(); err != nil {
				t.Errorf("server %d exit after SIGTERM: %v", i, err)
			}
		}
		if m.mock != nil {
			_, _ = m.mock.stop()
		}
		if t.Failed() {
			for i, l := range m.logs {
				t.Logf("---- server %d log ----\n%s", i, tail(l.String(), 150))
			}
			t.Logf("---- mockmidtrans log ----\n%s", tail(m.mockLog.String(), 100))
		}
	})
	mock, err := startProc("mockmidtrans", bins.mock, map[string]string{
		"MOCKMIDTRANS_ADDR": "127.0.0.1:0", "MOCKMIDTRANS_SERVER_KEY": serverKey, "MOCKMIDTRANS_CLIENT_KEY": clientKey,
		"MOCKMIDTRANS_CLOCK": "manual", "MOCKMIDTRANS_CLOCK_START": clockStart,
	}, m.mockLog)
	if err != nil {
		t.Fatal(err)
	}
	m.mock = mock
	m.servers, m.logs = make([]*proc, n), make([]*logBuf, n)
	for i := range n {
		m.logs[i] = &logBuf{}
		m.start(i)
	}
	hook := m.proxy.URL + "/api/webhook/notification/"
	m.must(m.sim("POST", "/_sim/config", J{"notification_url": hook, "recurring_notification_url": hook,
		"pay_account_notification_url": hook}), 200)
	return m
}

// start starts (or restarts) server i on the shared database.
func (m *multiStack) start(i int) {
	m.t.Helper()
	p, err := startProc(fmt.Sprintf("server %d", i), bins.server, map[string]string{
		"LANGGANAN_ADDR": "127.0.0.1:0", "LANGGANAN_DATABASE_URL": m.dbURL,
		"LANGGANAN_DATA":       m.dir + fmt.Sprintf("/unused-%d.db", i),
		"LANGGANAN_ADMIN_USER": adminUser, "LANGGANAN_ADMIN_PASSWORD": adminPass,
		"MIDTRANS_SERVER_KEY": serverKey, "MIDTRANS_CLIENT_KEY": clientKey, "MIDTRANS_BASE_URL": m.mock.url,
		"LANGGANAN_CLOCK": "manual", "LANGGANAN_CLOCK_START": clockStart,
		"LANGGANAN_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
		// Deliveries the killed server had claimed are sent by the others
		// once this much wall time has passed (long enough that a live server's send on a loaded machine is not taken for a dead one's).
		"LANGGANAN_DELIVERY_LEASE": "5s",
	}, m.logs[i])
	if err != nil {
		m.t.Fatal(err)
	}
	m.mu.Lock()
	m.servers[i] = p
	m.mu.Unlock()
}

// live lists the servers still running.
func (m *multiStack) live() []*proc {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*proc
	for _, p := range m.servers {
		if p == nil {
			continue
		}
		select {
		case <-p.done:
		default:
			out = append(out, p)
		}
	}
	return out
}

// forward sends a request to the next live server in turn. A server that
// refuses the connection (killed) is passed over: the request never
// reached it, so sending it to the next one is safe.
func (m *multiStack) forward(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	live := m.live()
	var lastErr error
	for range len(live) {
		p := live[m.next.Add(1)%uint64(len(live))]
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.url+r.URL.RequestURI(), strings.NewReader(string(body)))
		req.Header = r.Header.Clone()
		res, err := m.client.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
		res.Body.Close()
		return
	}
	http.Error(w, fmt.Sprintf("no live server: %v", lastErr), http.StatusBadGateway)
}

// advanceOn asks server p to move the shared clock by d; 0 when p died.
func (m *multiStack) advanceOn(p *proc, d string) int {
	return m.do("POST", p.url+"/api/admin/clock/advance/", J{"duration": d}, admin, nil).status
}

// TestMultiInstanceBilling: three servers share one database; the renewals
// of many subscriptions fall due at once and all three run them; one is
// SIGKILLed in the middle and restarted while the others go on. Every due
// cycle is charged exactly once at the emulator, every event reaches the
// webhook endpoint, and no invoice number is given twice.
func TestMultiInstanceBilling(t *testing.T) {
	t.Parallel()
	const n = 45
	m := newMultiStack(t, 3)
	rc := newReceiver(t)
	m.must(m.api("POST", "/admin/webhook-endpoints/", J{"url": rc.srv.URL + "/hook", "events": []string{}}, admin), 201)
	u := m.newUser("multi")
	m.idempotentAcrossInstances(u)
	var ids []string
	for i := range n {
		slug := fmt.Sprintf("m%02d", i)
		m.plan(slug, fmt.Sprint(20000+i*1000), nil)
		sub, p := m.subscribe(u, J{"plan_id": slug, "payment_type": "bank_transfer", "metadata": J{"bank": []string{"bca", "bni", "bri"}[i%3]}})
		m.pay(p)
		ids = append(ids, str(sub, "id"))
	}
	end := parseTime(t, str(m.wantSub(u, ids[0], "active", 1), "current_period_end"))
	// Through the proxy: each step is advanced by whichever server is next,
	// on the one clock they share.
	m.advanceTo(end.Add(-time.Minute))
	m.must(m.sim("POST", "/_sim/clock/advance", J{"duration": "1h"}), 200)

	// All three run the due renewals at once; server 0 dies once the
	// emulator has seen a third of them (a point observed, not slept to).
	before := len(m.simTxns())
	victim := m.live()[0]
	var wg sync.WaitGroup
	statuses := make([]int, 3)
	for i, p := range m.live() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = m.advanceOn(p, "2m")
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	for done := false; !done; {
		select {
		case <-finished:
			done = true
		default:
			done = len(m.simTxns()) >= before+n/3
		}
	}
	victim.kill()
	killedAt := len(m.simTxns())
	wg.Wait()
	t.Logf("server 0 killed at %d of %d renewal orders; advance answers %v", killedAt-before, n, statuses)
	for i, st := range statuses[1:] {
		if st != 200 {
			t.Errorf("server %d's run answered %d while server 0 died", i+1, st)
		}
	}
	m.start(0)
	// The dead server's claims expire on the shared clock; then the others
	// (and it, restarted) take its subscriptions over.
	m.advanceServerTo(end.Add(time.Hour))

	byCycle := map[string]int{}
	for _, p := range m.payments(u.bearer) {
		if str(p, "cycle") == "2" {
			byCycle[str(p, "subscription_id")]++
			if str(p, "status") == "pending" {
				m.pay(p)
			}
		}
	}
	for _, id := range ids {
		if byCycle[id] != 1 {
			t.Errorf("subscription %s has %d orders for cycle 2, want 1", id, byCycle[id])
		}
	}
	// Deliveries and the payments' notifications drain as time moves.
	m.advanceServerTo(end.Add(2 * time.Hour))
	for _, id := range ids {
		m.wantSub(u, id, "active", 2)
	}
	m.exactlyOnce(u)
	if got := len(m.simTxns()); got != 2*n+1 {
		t.Errorf("the emulator holds %d orders, want %d (2 cycles × %d, and the top-up)", got, 2*n+1, n)
	}
	numbers := map[string]string{}
	for _, inv := range m.must(m.api("GET", "/invoices/?page_size=100", nil, u.bearer), 200).results() {
		num := str(inv, "number")
		if prev, dup := numbers[num]; dup {
			t.Errorf("invoice number %s given to %s and %s", num, prev, str(inv, "id"))
		}
		numbers[num] = str(inv, "id")
	}
	if len(numbers) != 2*n {
		t.Errorf("%d invoices, want %d", len(numbers), 2*n)
	}
	m.everyEventDelivered(u, rc)
}

// idempotentAcrossInstances sends one top-up with one Idempotency-Key to
// every server at once: one runs it, and the others answer its answer or
// 409 idempotency_key_in_flight (the key is reserved in the database, not
// in a process); after that every server replays the one answer.
func (m *multiStack) idempotentAcrossInstances(u user) {
	m.t.Helper()
	key := map[string]string{"Idempotency-Key": "topup-everywhere"}
	body := J{"amount": 25000, "payment_type": "qris"}
	live := m.live()
	answers := make([]resp, len(live))
	var wg sync.WaitGroup
	for i, p := range live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = m.do("POST", p.url+"/api/topups/", body, u.bearer, key)
		}()
	}
	wg.Wait()
	var first []byte
	for _, a := range answers {
		switch {
		case a.status == 201 && first == nil:
			first = a.raw
		case a.status == 201 && !bytes.Equal(a.raw, first):
			m.t.Errorf("two servers ran the request: %s, then %s", first, a.raw)
		case a.status == 409 && strings.Contains(string(a.raw), "idempotency_key_in_flight"):
		case a.status != 201:
			m.t.Errorf("concurrent copy: %v", a)
		}
	}
	for _, p := range live {
		if a := m.do("POST", p.url+"/api/topups/", body, u.bearer, key); a.status != 201 || (first != nil && !bytes.Equal(a.raw, first)) {
			m.t.Errorf("retry on %s = %v, want the one answer %s", p.name, a, first)
		}
	}
	if n := len(m.must(m.api("GET", "/topups/", nil, u.bearer), 200).results()); n != 1 {
		m.t.Errorf("%d top-ups made from one Idempotency-Key sent to %d servers, want 1", n, len(live))
	}
}

// everyEventDelivered checks that every event the user was told about
// in-app reached the webhook endpoint, and counts deliveries made twice
// (possible only for one interrupted by the kill: delivery is at least once).
// Those the killed server had claimed go out when their lease (5 s of wall
// time) has run out, on the live servers' next relay tick.
func (m *multiStack) everyEventDelivered(u user, rc *receiver) {
	m.t.Helper()
	events := map[string]bool{}
	for page := 1; page < 100; page++ {
		r := m.must(m.api("GET", fmt.Sprintf("/notifications/?page=%d&page_size=100", page), nil, u.bearer), 200)
		for _, n := range r.results() {
			if id := str(n, "event_id"); id != "" {
				events[id] = true
			}
		}
		if str(r.obj(), "next") == "" {
			break
		}
	}
	if len(events) == 0 {
		m.t.Fatal("the user has no notifications: nothing to compare deliveries with")
	}
	got := map[string]int{}
	rc.waitFor(time.Minute, func(ds []delivery) bool {
		clear(got)
		for _, d := range ds {
			got[d.header.Get("Langganan-Event-Id")]++
		}
		for id := range events {
			if got[id] == 0 {
				return false
			}
		}
		return true
	})
	missing, twice := 0, 0
	for id := range events {
		if got[id] == 0 {
			missing++
		}
	}
	for _, c := range got {
		if c > 1 {
			twice++
		}
	}
	if missing > 0 {
		m.t.Errorf("%d of %d events never reached the webhook endpoint", missing, len(events))
	}
	// Only deliveries in flight on the killed server can go out twice; it
	// sends at most a handful at once.
	if twice > 8 {
		m.t.Errorf("%d events delivered more than once", twice)
	}
	m.t.Logf("%d events, %d deliveries, %d delivered twice", len(events), len(rc.deliveries()), twice)
}
