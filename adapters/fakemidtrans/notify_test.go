package fakemidtrans

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestSettleSendsSignedNotification(t *testing.T) {
	f := newFixture(t)
	f.bca("n-1", 49000)
	// the pending notification is queued (async); a sim action delivers synchronously, after draining the queue
	r := f.do("POST", "/_sim/transactions/n-1/settle", nil)
	if r.code != 200 || r.s("transaction_status") != "settlement" {
		t.Fatal(r.raw)
	}
	got := f.rcv.all()
	if len(got) != 2 {
		t.Fatalf("notifications: %d", len(got))
	}
	for i, want := range []struct{ status, code string }{{"pending", "201"}, {"settlement", "200"}} {
		n := got[i]
		if n["transaction_status"] != want.status || n["status_code"] != want.code || n["status_message"] != "midtrans payment notification" {
			t.Fatalf("note %d: %v", i, n)
		}
		if n["signature_key"] != sig("n-1", want.code, "49000.00") || n["_ua"] != "Veritrans" {
			t.Fatalf("signature/ua: %v", n)
		}
	}
	if got[1]["settlement_time"] != "2026-01-31 10:00:00" {
		t.Fatalf("settlement_time: %v", got[1]["settlement_time"])
	}
	var log []Delivery
	_ = json.Unmarshal([]byte(f.do("GET", "/_sim/notifications", nil).raw), &log)
	if len(log) != 2 || !log[1].Delivered || log[1].Attempts[0].Status != 200 || log[1].URL != f.rcv.srv.URL+"/pay" {
		t.Fatalf("delivery log: %+v", log)
	}
}

func TestCancelAndExpireNotifyWith202(t *testing.T) {
	f := newFixture(t)
	f.bca("c-1", 1000)
	f.bca("c-2", 1000)
	f.do("POST", "/v2/c-1/cancel", nil)
	f.do("POST", "/v2/c-2/expire", nil)
	f.drain()
	for _, n := range f.rcv.all() {
		st := n["transaction_status"]
		if (st == "cancel" || st == "expire") && (n["status_code"] != "202" || n["signature_key"] != sig(n["order_id"].(string), "202", "1000.00")) {
			t.Fatalf("%v", n)
		}
	}
}

func TestUnpaidVAExpiresAfter24h(t *testing.T) {
	f := newFixture(t)
	f.bca("exp-1", 1000)
	f.charge("exp-2", "gopay", 1000, nil) // 15 minutes
	f.advance("20m")
	if s := f.do("GET", "/v2/exp-2/status", nil); s.s("transaction_status") != "expire" {
		t.Fatalf("gopay: %s", s.raw)
	}
	f.advance("23h")
	if s := f.do("GET", "/v2/exp-1/status", nil); s.s("transaction_status") != "pending" {
		t.Fatalf("too early: %s", s.raw)
	}
	f.advance("1h")
	s := f.do("GET", "/v2/exp-1/status", nil)
	if s.s("transaction_status") != "expire" || s.s("status_code") != "407" {
		t.Fatalf("after 24h: %s", s.raw)
	}
	got := f.rcv.all()
	last := got[len(got)-1]
	if last["order_id"] != "exp-1" || last["transaction_status"] != "expire" || last["status_code"] != "202" {
		t.Fatalf("expiry notification: %v", last)
	}
	var list []simTxn
	_ = json.Unmarshal([]byte(f.do("GET", "/_sim/transactions", nil).raw), &list)
	if list[1].UpdatedAt != "2026-02-01T10:00:00+07:00" {
		t.Fatalf("expired at its own time, not at the end of the advance: %+v", list[1])
	}
}

func TestRetryTable(t *testing.T) {
	tests := []struct {
		status   int
		attempts int
	}{
		{200, 1}, {204, 1}, {500, 2}, {503, 5}, {400, 3}, {404, 3}, {301, 1}, {302, 1}, {303, 1}, {401, 6}, {502, 6}, {418, 6},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			f := newFixture(t)
			f.rcv.status = func(int) int { return tc.status }
			f.bca("r-1", 1000)
			f.drain()
			f.advance("10h")
			var log []Delivery
			_ = json.Unmarshal([]byte(f.do("GET", "/_sim/notifications", nil).raw), &log)
			if len(log) != 1 || len(log[0].Attempts) != tc.attempts || !log[0].Done {
				t.Fatalf("attempts: %+v", log)
			}
			// retries come 2, 10, 30, 90, 210 minutes apart on the emulator clock
			gaps := []time.Duration{2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 90 * time.Minute, 210 * time.Minute}
			for i := 1; i < len(log[0].Attempts); i++ {
				if d := log[0].Attempts[i].At.Sub(log[0].Attempts[i-1].At); d != gaps[i-1] {
					t.Fatalf("gap %d: %v", i, d)
				}
			}
		})
	}
}

func TestRetrySucceedsLater(t *testing.T) {
	f := newFixture(t)
	f.rcv.status = func(n int) int {
		if n < 2 {
			return 503
		}
		return 200
	}
	f.bca("rs-1", 1000)
	f.drain()
	f.advance("1m")
	if len(f.rcv.all()) != 1 {
		t.Fatal("retried too early")
	}
	f.advance("1m")
	f.advance("10m")
	var log []Delivery
	_ = json.Unmarshal([]byte(f.do("GET", "/_sim/notifications", nil).raw), &log)
	if len(log[0].Attempts) != 3 || !log[0].Delivered {
		t.Fatalf("%+v", log[0])
	}
}

func TestNotificationHeaders(t *testing.T) {
	f := newFixture(t)
	other := newReceiver(t)
	f.do("POST", "/v2/charge", chargeBody("h-1", "gopay", 1000, nil), "X-Override-Notification", other.srv.URL+"/a,"+other.srv.URL+"/b")
	f.do("POST", "/v2/charge", chargeBody("h-2", "gopay", 1000, nil), "X-Append-Notification", other.srv.URL+"/c")
	f.do("POST", "/v2/charge", chargeBody("h-3", "gopay", 1000, nil), "X-Override-Notification", other.srv.URL+"/d", "X-Append-Notification", other.srv.URL+"/e")
	f.drain()
	count := map[string]int{}
	for _, n := range f.rcv.all() {
		count["main:"+n["order_id"].(string)]++
	}
	for _, n := range other.all() {
		count["other:"+n["order_id"].(string)]++
	}
	want := map[string]int{"other:h-1": 2, "main:h-2": 1, "other:h-2": 1, "other:h-3": 1}
	for k, v := range want {
		if count[k] != v {
			t.Fatalf("%s: %d (all %v)", k, count[k], count)
		}
	}
	if len(count) != len(want) {
		t.Fatalf("unexpected deliveries: %v", count)
	}
}

func TestAsyncWorkerDelivers(t *testing.T) {
	got := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- struct{}{} }))
	defer srv.Close()
	f := newFixture(t, func(o *Options) { o.NotificationURL = srv.URL })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.e.Start(ctx)
	f.bca("w-1", 1000)
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not deliver")
	}
}

func TestRedirectNotFollowedAnd307Followed(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/307":
			http.Redirect(w, r, "/final", http.StatusTemporaryRedirect)
		case "/final":
			hits.Add(1)
		default:
			http.Redirect(w, r, "/final", http.StatusFound)
		}
	}))
	defer srv.Close()
	f := newFixture(t, func(o *Options) { o.NotificationURL = srv.URL + "/307" })
	f.bca("rd-1", 1000)
	f.drain()
	if hits.Load() != 1 {
		t.Fatalf("307 not followed: %d", hits.Load())
	}
	f2 := newFixture(t, func(o *Options) { o.NotificationURL = srv.URL + "/302" })
	f2.bca("rd-2", 1000)
	f2.drain()
	f2.advance("5h")
	if hits.Load() != 1 {
		t.Fatalf("302 followed: %d", hits.Load())
	}
}
