package fakemidtrans

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func (f *fixture) faults(script string) {
	f.t.Helper()
	if r := f.do("POST", "/_sim/faults", script); r.code != 200 {
		f.t.Fatalf("faults: %d %s", r.code, r.raw)
	}
}

func TestAPIFaultSequence(t *testing.T) {
	f := newFixture(t)
	f.faults(`{"api":[{"endpoint":"charge","order_id":"f-1","sequence":["http_500","http_503","ok"]}]}`)
	codes := []string{}
	for i := 0; i < 4; i++ {
		r := f.charge("f-1", "gopay", 1000, nil)
		codes = append(codes, r.s("status_code"))
	}
	if strings.Join(codes, ",") != "500,503,201,406" {
		t.Fatalf("codes: %v", codes)
	}
	// other orders are not affected
	if r := f.charge("f-2", "gopay", 1000, nil); r.s("status_code") != "201" {
		t.Fatal(r.raw)
	}
	f.faults(`{"api":[{"endpoint":"status","sequence":["http_429"],"repeat":true}]}`)
	for i := 0; i < 3; i++ {
		if r := f.do("GET", "/v2/f-2/status", nil); r.code != 429 {
			t.Fatal(r.raw)
		}
	}
	var listed FaultScript
	_ = json.Unmarshal([]byte(f.do("GET", "/_sim/faults", nil).raw), &listed)
	if len(listed.API) != 2 || listed.API[0].Used != 3 {
		t.Fatalf("listed: %+v", listed)
	}
	f.do("DELETE", "/_sim/faults", nil)
	if r := f.do("GET", "/v2/f-2/status", nil); r.code != 200 {
		t.Fatal(r.raw)
	}
	for _, bad := range []string{`{"api":[{"endpoint":"charge","sequence":["explode"]}]}`, `{"notifications":[{"action":"teleport"}]}`, `{"bogus":1}`, `{`} {
		if r := f.do("POST", "/_sim/faults", bad); r.code != 400 {
			t.Fatalf("%s accepted", bad)
		}
	}
}

func TestAPIFaultTimeoutAndReset(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.e)
	defer srv.Close()
	f.faults(`{"api":[{"endpoint":"charge","sequence":["timeout","reset","ok"],"hold":"5s"}]}`)
	client := &http.Client{Timeout: 300 * time.Millisecond}
	post := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", srv.URL+"/v2/charge", strings.NewReader(`{"payment_type":"gopay","transaction_details":{"order_id":"t-1","gross_amount":1000}}`))
		req.Header.Set("Authorization", authHeader)
		return client.Do(req)
	}
	if _, err := post(); err == nil {
		t.Fatal("timeout step answered")
	}
	if _, err := post(); err == nil {
		t.Fatal("reset step answered")
	}
	res, err := post()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("ok step: %v", err)
	}
	res.Body.Close()
}

func TestNotificationFaults(t *testing.T) {
	t.Run("duplicate", func(t *testing.T) {
		f := newFixture(t)
		f.faults(`{"notifications":[{"action":"duplicate","times":3,"status":"settlement"}]}`)
		f.bca("d-1", 1000)
		f.do("POST", "/_sim/transactions/d-1/settle", nil)
		n := 0
		for _, m := range f.rcv.all() {
			if m["transaction_status"] == "settlement" {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("copies: %d", n)
		}
	})
	t.Run("reorder", func(t *testing.T) {
		f := newFixture(t)
		f.faults(`{"notifications":[{"action":"reorder"}]}`)
		f.bca("o-1", 1000)
		f.drain()
		if len(f.rcv.all()) != 0 {
			t.Fatal("pending was not held")
		}
		f.do("POST", "/_sim/transactions/o-1/settle", nil)
		got := f.rcv.all()
		if len(got) != 2 || got[0]["transaction_status"] != "settlement" || got[1]["transaction_status"] != "pending" {
			t.Fatalf("order: %v", got)
		}
	})
	t.Run("delay", func(t *testing.T) {
		f := newFixture(t)
		f.faults(`{"notifications":[{"action":"delay","delay":"30m","count":1}]}`)
		f.bca("dl-1", 1000)
		f.drain()
		f.advance("29m")
		if len(f.rcv.all()) != 0 {
			t.Fatal("delivered early")
		}
		f.advance("1m")
		if len(f.rcv.all()) != 1 {
			t.Fatal("not delivered after the delay")
		}
	})
	t.Run("bad_signature", func(t *testing.T) {
		f := newFixture(t)
		f.faults(`{"notifications":[{"action":"bad_signature","order_id":"b-1"}]}`)
		f.bca("b-1", 1000)
		f.bca("b-2", 1000)
		f.drain()
		for _, m := range f.rcv.all() {
			good := m["signature_key"] == sig(m["order_id"].(string), "201", "1000.00")
			if good != (m["order_id"] == "b-2") {
				t.Fatalf("%v", m)
			}
		}
	})
	t.Run("drop", func(t *testing.T) {
		f := newFixture(t)
		f.faults(`{"notifications":[{"action":"drop","kind":"payment"}]}`)
		f.bca("x-1", 1000)
		f.drain()
		f.advance("5h")
		var log []Delivery
		_ = json.Unmarshal([]byte(f.do("GET", "/_sim/notifications", nil).raw), &log)
		if len(f.rcv.all()) != 0 || len(log) != 1 || !log[0].Done || len(log[0].Attempts) != 0 || log[0].Faults[0] != "drop" {
			t.Fatalf("%+v", log)
		}
	})
}
