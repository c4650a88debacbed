package fakemidtrans

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "SB-Mid-server-test"
const testClientKey = "SB-Mid-client-test"

var testStart = time.Date(2026, 1, 31, 10, 0, 0, 0, wib)

// receiver is a loopback notification endpoint that records every POST and answers a programmable status.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []map[string]any
	status func(n int) int // n = 0-based index of the request
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: func(int) int { return 200 }}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if m == nil {
			m = map[string]any{}
		}
		m["_ua"] = req.Header.Get("User-Agent")
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, m)
		st := r.status(n)
		r.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.got...)
}

type fixture struct {
	t     *testing.T
	e     *Emulator
	clock *ManualClock
	rcv   *receiver
}

func newFixture(t *testing.T, mod ...func(*Options)) *fixture {
	t.Helper()
	rcv := newReceiver(t)
	clock := NewManualClock(testStart)
	opts := Options{ServerKey: testKey, ClientKey: testClientKey, Clock: clock, NotificationURL: rcv.srv.URL + "/pay",
		RecurringNotificationURL: rcv.srv.URL + "/recurring", PayAccountNotificationURL: rcv.srv.URL + "/account",
		PublicURL: "http://emulator.test"}
	// Every fixture keeps a data file, so every test below also checks that
	// what it changed reached the file before the calls were answered.
	opts.DataFile = filepath.Join(t.TempDir(), "emulator.db")
	for _, m := range mod {
		m(&opts)
	}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if opts.DataFile != "" {
		t.Cleanup(func() { checkOnDisk(t, e, opts.DataFile) }) // runs before Close
	}
	return &fixture{t: t, e: e, clock: clock, rcv: rcv}
}

// checkOnDisk fails t unless a copy of the data file as it is now (what a
// crash would leave) restores the emulator's state exactly.
func checkOnDisk(t *testing.T, e *Emulator, path string) {
	t.Helper()
	if t.Failed() || e.closed.Load() { // a closed emulator's file may belong to another by now
		return
	}
	e.mu.Lock()
	want, err := json.Marshal(e.st)
	e.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read data file: %v", err)
	}
	cp := filepath.Join(t.TempDir(), "crashed.db")
	if err := os.WriteFile(cp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	e2, err := New(Options{ServerKey: testKey, DataFile: cp, Clock: NewManualClock(testStart)})
	if err != nil {
		t.Fatalf("reopen the data file: %v", err)
	}
	defer e2.Close()
	got, _ := json.Marshal(e2.st)
	if string(got) != string(want) {
		t.Errorf("the data file lost answered changes:\n file:   %s\n memory: %s", got, want)
	}
}

var authHeader = "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"))

type resp struct {
	code int
	body map[string]any
	raw  string
}

func (r resp) s(k string) string {
	v, _ := r.body[k].(string)
	return v
}

// do calls the emulator in process with the server key.
func (f *fixture) do(method, path string, body any, hdr ...string) resp {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", authHeader)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.e.ServeHTTP(w, req)
	out := resp{code: w.Code, raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &out.body)
	return out
}

func (f *fixture) drain() {
	f.t.Helper()
	if err := f.e.Drain(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) advance(d string) {
	f.t.Helper()
	r := f.do("POST", "/_sim/clock/advance", map[string]string{"duration": d})
	if r.code != 200 {
		f.t.Fatalf("advance: %d %s", r.code, r.raw)
	}
}

func chargeBody(orderID, paymentType string, amount any, extra map[string]any) map[string]any {
	b := map[string]any{"payment_type": paymentType, "transaction_details": map[string]any{"order_id": orderID, "gross_amount": amount}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func (f *fixture) charge(orderID, paymentType string, amount any, extra map[string]any) resp {
	f.t.Helper()
	return f.do("POST", "/v2/charge", chargeBody(orderID, paymentType, amount, extra))
}

func (f *fixture) bca(orderID string, amount int) resp {
	f.t.Helper()
	r := f.charge(orderID, "bank_transfer", amount, map[string]any{"bank_transfer": map[string]any{"bank": "bca"}})
	if r.s("status_code") != "201" {
		f.t.Fatalf("bca charge: %s", r.raw)
	}
	return r
}

func (f *fixture) cardToken(card string) string {
	f.t.Helper()
	r := f.do("GET", "/v2/token?client_key="+testClientKey+"&card_number="+card+"&card_exp_month=12&card_exp_year=2030&card_cvv=123", nil)
	if r.s("status_code") != "200" {
		f.t.Fatalf("token: %s", r.raw)
	}
	return r.s("token_id")
}

func sig(orderID, code, gross string) string { return Signature(orderID, code, gross, testKey) }
