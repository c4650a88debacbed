package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
)

// transport is the Midtrans client's http.RoundTripper: every request is
// served by the emulator's ServeHTTP in process. The step's fault fires at
// the gateway request it names: an answer Midtrans never gave (500), a
// connection reset or timeout before or after Midtrans applied the call,
// a crash before or after the call, the request sent twice with its
// Idempotency-Key, or another operation run while the call is in flight
// (a notification delivered, or a second refund).
type transport struct{ w *world }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	w := t.w
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("sim transport: read body: %w", err)
		}
		body = b
	}
	if w.dead {
		return nil, errCrashed
	}
	if w.nested {
		return t.forward(req, body), nil
	}
	w.calls++
	w.stepNative = append(w.stepNative, nativeIDs(req, body)...)
	f := FaultNone
	if w.fault.At == w.calls {
		f = w.fault.Kind
	}
	if f != FaultNone && f != FaultCrashAfterCommit {
		w.count("fault_" + f.String())
		t.noteNativeFault(req, body)
	}
	switch f {
	case FaultCrashBeforeCall:
		w.die()
		return nil, errCrashed
	case FaultHTTP500:
		return answer(req, 500, `{"status_code":"500","status_message":"Sorry. Our system is recovering from unexpected issues. Please retry.","id":"sim"}`), nil
	case FaultReset:
		return nil, &netErr{syscall.ECONNRESET}
	case FaultRefundInFlight:
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/refund") {
			t.w.nestedRefund(strings.TrimSuffix(strings.TrimPrefix(req.URL.Path, "/v2/"), "/refund"))
		}
	}
	res := t.forward(req, body)
	switch f {
	case FaultCrashAfterCall:
		w.die()
		return nil, errCrashed
	case FaultTimeoutApplied:
		return nil, fmt.Errorf("sim: awaiting headers: %w", context.DeadlineExceeded)
	case FaultResetApplied:
		return nil, &netErr{syscall.ECONNRESET}
	case FaultReplay:
		if req.Header.Get("Idempotency-Key") != "" {
			t.replay(req, body, res)
		}
	case FaultNotifyInFlight:
		w.nestedDeliver()
	}
	return res, nil
}

// forward serves one request with the emulator.
func (t *transport) forward(req *http.Request, body []byte) *http.Response {
	r := req.Clone(t.w.ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.w.emu.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = req
	return res
}

// replay sends a request again with its Idempotency-Key and checks that
// Midtrans answers the same and changes nothing (see checkIdempotentReplay).
func (t *transport) replay(req *http.Request, body []byte, first *http.Response) {
	before := t.w.emulatorDigest()
	b1, _ := io.ReadAll(first.Body)
	first.Body = io.NopCloser(bytes.NewReader(b1))
	second := t.forward(req, body)
	b2, _ := io.ReadAll(second.Body)
	after := t.w.emulatorDigest()
	if v := checkIdempotentReplay(req.Method+" "+req.URL.Path, first.StatusCode, b1, second.StatusCode, b2, before, after); v != nil && t.w.violation == nil && t.w.watched(v.Invariant) {
		t.w.violation = v
	}
}

// noteNativeFault remembers which native subscriptions a fault hit, so that
// the native invariant does not blame the service for a call Midtrans
// never confirmed.
func (t *transport) noteNativeFault(req *http.Request, body []byte) {
	for _, id := range nativeIDs(req, body) {
		t.w.m.nativeFaulted[id] = true
	}
}

// nativeIDs names the native subscription (Midtrans' id, ours, or both) a
// Subscription API call is about; none for other calls.
func nativeIDs(req *http.Request, body []byte) []string {
	p := req.URL.Path
	if !strings.HasPrefix(p, "/v1/subscriptions") {
		return nil
	}
	var ids []string
	rest := strings.TrimPrefix(strings.TrimPrefix(p, "/v1/subscriptions"), "/")
	if id, _, _ := strings.Cut(rest, "/"); id != "" {
		ids = append(ids, id)
	}
	var b struct {
		Metadata map[string]any `json:"metadata"`
	}
	if json.Unmarshal(body, &b) == nil {
		if id, ok := b.Metadata["langganan_subscription_id"].(string); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func answer(req *http.Request, code int, body string) *http.Response {
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteHeader(code)
	_, _ = rec.WriteString(body)
	res := rec.Result()
	res.Request = req
	return res
}

// netErr is a connection-level failure.
type netErr struct{ err error }

func (e *netErr) Error() string   { return "read tcp: " + e.err.Error() }
func (e *netErr) Unwrap() error   { return e.err }
func (e *netErr) Timeout() bool   { return false }
func (e *netErr) Temporary() bool { return true }

// captureTransport is the emulator's notification client: every
// notification Midtrans sends is queued for the simulator to deliver, and
// Midtrans is told it arrived.
type captureTransport struct{ w *world }

func (c captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("sim capture: %w", err)
	}
	c.w.noteNo++
	c.w.notes = append(c.w.notes, note{n: c.w.noteNo, url: req.URL.String(), body: b, due: c.w.clock.Now()})
	return answer(req, 200, `{"status":"ok"}`), nil
}
