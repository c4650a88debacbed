package fakemidtrans

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestSimulatorPage(t *testing.T) {
	f := newFixture(t)
	va := f.bca("page-1", 25000).body["va_numbers"].([]any)[0].(map[string]any)["va_number"].(string)
	f.bca("page-2", 1000)
	f.charge("page-3", "credit_card", 1000, map[string]any{"credit_card": map[string]any{"token_id": f.cardToken("4511111111111117")}})
	page := f.do("GET", "/", nil)
	for _, want := range []string{"page-1", va, `action="/_page/settle"`, `action="/_page/expire"`, `action="/_page/approve"`, "Pay like a customer"} {
		if !strings.Contains(page.raw, want) {
			t.Fatalf("page lacks %q", want)
		}
	}
	post := func(path string, form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		f.e.ServeHTTP(w, req)
		return w
	}
	if w := post("/_page/pay", url.Values{"va_number": {va}}); w.Code != 303 {
		t.Fatalf("pay by VA: %d", w.Code)
	}
	if w := post("/_page/expire", url.Values{"order_id": {"page-2"}}); w.Code != 303 {
		t.Fatalf("expire: %d", w.Code)
	}
	if w := post("/_page/approve", url.Values{"order_id": {"page-3"}}); w.Code != 303 {
		t.Fatalf("approve: %d", w.Code)
	}
	for id, want := range map[string]string{"page-1": "settlement", "page-2": "expire", "page-3": "capture"} {
		if s := f.do("GET", "/v2/"+id+"/status", nil); s.s("transaction_status") != want {
			t.Fatalf("%s: %s", id, s.raw)
		}
	}
	if s := f.do("GET", "/v2/page-3/status", nil); s.s("fraud_status") != "accept" {
		t.Fatal(s.raw)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mock.db")
	clock := NewManualClock(testStart)
	e, err := New(Options{ServerKey: testKey, Clock: clock, DataFile: path})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, e: e, clock: clock}
	va := f.bca("keep-1", 1000).body["va_numbers"].([]any)[0].(map[string]any)["va_number"].(string)
	f.advance("2h")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	clock2 := NewManualClock(testStart)
	e2, err := New(Options{ServerKey: testKey, Clock: clock2, DataFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	f2 := &fixture{t: t, e: e2, clock: clock2}
	if !clock2.Now().Equal(testStart.Add(2 * 3600e9)) {
		t.Fatalf("clock not restored: %v", clock2.Now())
	}
	if r := f2.do("POST", "/_sim/pay", map[string]any{"va_number": va}); r.code != 200 {
		t.Fatalf("restored VA not payable: %s", r.raw)
	}
	if r := f2.charge("keep-1", "gopay", 1000, nil); r.s("status_code") != "406" {
		t.Fatalf("restored order id: %s", r.raw)
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.e)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.e.Start(ctx)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				id := fmt.Sprintf("cc-%d-%d", g, i)
				f.charge(id, "gopay", 1000+i, nil)
				f.do("GET", "/v2/"+id+"/status", nil)
				switch i % 4 {
				case 0:
					f.do("POST", "/_sim/transactions/"+id+"/settle", nil)
					f.do("POST", "/v2/"+id+"/refund", map[string]any{"amount": 100})
				case 1:
					f.do("POST", "/v2/"+id+"/cancel", nil)
				case 2:
					f.do("GET", "/_sim/transactions", nil)
					f.do("GET", "/_sim/notifications", nil)
				case 3:
					f.do("GET", "/", nil)
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			f.advance("1m")
		}
	}()
	wg.Wait()
	if err := f.e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.e.transactions()); n != 200 {
		t.Fatalf("transactions: %d", n)
	}
	res, err := http.Get(srv.URL + "/_sim/transactions")
	if err != nil || res.StatusCode != 200 {
		t.Fatal(err)
	}
	res.Body.Close()
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	f := newFixture(t)
	if r := f.do("GET", "/v3/whatever", nil); r.code != 404 || r.s("status_code") != "404" {
		t.Fatal(r.raw)
	}
	if r := f.do("POST", "/_sim/clock/advance", map[string]any{"duration": "soon"}); r.code != 400 {
		t.Fatal(r.raw)
	}
	real, _ := New(Options{ServerKey: testKey})
	w := httptest.NewRecorder()
	real.ServeHTTP(w, httptest.NewRequest("POST", "/_sim/clock/advance", strings.NewReader(`{"duration":"1h"}`)))
	if w.Code != 409 {
		t.Fatalf("real clock advance: %d", w.Code)
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("no server key accepted")
	}
}

func TestNoNotificationURL(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.NotificationURL, o.RecurringNotificationURL, o.PayAccountNotificationURL = "", "", ""
	})
	f.bca("nn-1", 1000)
	f.charge("nn-2", "gopay", 1000, nil)
	f.do("POST", "/_sim/transactions/nn-2/settle", nil)
	f.do("POST", "/v2/nn-2/refund", map[string]any{"amount": 10})
	f.advance("48h")
	if s := f.do("GET", "/v2/nn-1/status", nil); s.s("transaction_status") != "expire" {
		t.Fatal(s.raw)
	}
	if r := f.do("GET", "/_sim/notifications", nil); r.raw != "[]" {
		t.Fatal(r.raw)
	}
}
