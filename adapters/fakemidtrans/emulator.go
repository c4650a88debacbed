package fakemidtrans

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure an Emulator.
type Options struct {
	ServerKey, ClientKey                                                 string
	Clock                                                                Clock // nil = real time
	NotificationURL, RecurringNotificationURL, PayAccountNotificationURL string
	HTTPClient                                                           *http.Client // used for notification deliveries; nil = 15 s timeout client
	DataFile                                                             string       // "" = memory only; else a file that keeps state across restarts, each answered change on disk before its answer
	PublicURL                                                            string       // base URL used in redirect_url / simulator links (may be set after listen via SetPublicURL)
	Log                                                                  *slog.Logger // nil = no logging
	// Rand, when set, is the source of every id and token the emulator
	// mints (a seeded stream makes a run repeatable); nil = crypto/rand.
	Rand io.Reader
}

// Emulator is a stateful Midtrans sandbox served as an http.Handler.
type Emulator struct {
	opts   Options
	clock  Clock
	log    *slog.Logger
	client *http.Client
	mux    *http.ServeMux
	public atomic.Pointer[string]

	randMu sync.Mutex // guards reads of opts.Rand

	mu sync.Mutex // guards st
	st *state

	nq     notifier
	faults faultSet

	jr *journal // the data file; nil = memory only

	runMu     sync.Mutex // serialises RunDue so time-ordered work is not interleaved
	startOnce sync.Once
	stop      chan struct{}
	wg        sync.WaitGroup
	closed    atomic.Bool
}

const maxBody = 1 << 20

// New builds an emulator. With a DataFile it opens (or creates) that file and restores its state.
func New(opts Options) (*Emulator, error) {
	if opts.ServerKey == "" {
		return nil, errors.New("fakemidtrans: ServerKey is required")
	}
	e := &Emulator{opts: opts, clock: opts.Clock, log: opts.Log, client: opts.HTTPClient, stop: make(chan struct{})}
	if e.clock == nil {
		e.clock = realClock{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: 15 * time.Second, CheckRedirect: noFollow303}
	}
	e.SetPublicURL(opts.PublicURL)
	e.st = newState()
	e.nq.init(e)
	e.faults.init(e)
	e.routes()
	if opts.DataFile != "" {
		if err := e.openData(opts.DataFile); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// noFollow303 follows 307/308 (up to 5) like Midtrans does, but never 301/302/303.
func noFollow303(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return http.ErrUseLastResponse
	}
	if req.Response != nil {
		switch req.Response.StatusCode {
		case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			return nil
		}
	}
	return http.ErrUseLastResponse
}

// SetPublicURL sets the base URL used in redirect_url and simulator links.
func (e *Emulator) SetPublicURL(u string) {
	u = strings.TrimRight(u, "/")
	e.public.Store(&u)
}

func (e *Emulator) publicURL() string {
	if p := e.public.Load(); p != nil && *p != "" {
		return *p
	}
	return "http://127.0.0.1:8090"
}

func (e *Emulator) now() time.Time { return e.clock.Now() }

func (e *Emulator) routes() {
	m := http.NewServeMux()
	core := func(endpoint string, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !e.authorized(r) {
				writeCore(w, 401, &coreError{StatusCode: "401", StatusMessage: "Transaction cannot be authorized with the current client/server key.", ID: newUUID()})
				return
			}
			h(w, r)
		}
	}
	sub := func(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !e.authorized(r) {
				writeJSON(w, 401, subMessage{StatusMessage: "Transaction cannot be authorized with the current client/server key."})
				return
			}
			h(w, r)
		}
	}
	m.HandleFunc("POST /v2/charge", core("charge", e.handleCharge))
	m.HandleFunc("POST /v2/capture", core("capture", e.handleCapture))
	m.HandleFunc("GET /v2/token", e.handleToken)
	m.HandleFunc("GET /v2/card/register", e.handleCardRegister)
	m.HandleFunc("GET /v2/{id}/status", core("status", e.handleStatus))
	m.HandleFunc("POST /v2/{id}/cancel", core("cancel", e.actionHandler("cancel")))
	m.HandleFunc("POST /v2/{id}/expire", core("expire", e.actionHandler("expire")))
	m.HandleFunc("POST /v2/{id}/approve", core("approve", e.actionHandler("approve")))
	m.HandleFunc("POST /v2/{id}/deny", core("deny", e.actionHandler("deny")))
	m.HandleFunc("POST /v2/{id}/refund", core("refund", e.refundHandler(false)))
	m.HandleFunc("POST /v2/{id}/refund/online/direct", core("direct_refund", e.refundHandler(true)))
	m.HandleFunc("POST /v2/pay/account", core("pay_account_create", e.handlePayAccountCreate))
	m.HandleFunc("GET /v2/pay/account/{id}", core("pay_account_get", e.handlePayAccountGet))
	m.HandleFunc("POST /v2/pay/account/{id}/unbind", core("pay_account_unbind", e.handlePayAccountUnbind))
	m.HandleFunc("POST /v1/subscriptions", sub(e.handleSubCreate))
	m.HandleFunc("GET /v1/subscriptions/{id}", sub(e.handleSubGet))
	m.HandleFunc("PATCH /v1/subscriptions/{id}", sub(e.handleSubUpdate))
	m.HandleFunc("POST /v1/subscriptions/{id}/{op}", sub(e.handleSubOp))
	// emulated customer-facing pages
	m.HandleFunc("GET /v2/3ds/redirect/{id}", e.handle3DSPage)
	m.HandleFunc("POST /v2/3ds/redirect/{id}", e.handle3DSSubmit)
	m.HandleFunc("GET /v2/gopay/redirect/{id}/link", e.handleLinkPage)
	m.HandleFunc("POST /v2/gopay/redirect/{id}/link", e.handleLinkSubmit)
	e.simRoutes(m)
	e.snapRoutes(m)
	m.HandleFunc("GET /{$}", e.handlePage)
	m.HandleFunc("POST /_page/{action}", e.handlePageAction)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeCore(w, 404, &coreError{StatusCode: "404", StatusMessage: "The requested resource is not found", ID: newUUID()})
	})
	e.mux = m
}

// ServeHTTP serves the Midtrans API, the control plane and the simulator page.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v) // a deliberate connection reset (fault script)
			}
			e.log.Error("handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeCore(w, 500, &coreError{StatusCode: "500", StatusMessage: "Sorry. Our system is recovering from unexpected issues. Please retry.", ID: newUUID()})
		}
	}()
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	e.mux.ServeHTTP(w, r)
}

// authorized checks Basic auth: the server key as username, an empty password.
func (e *Emulator) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const p = "Basic "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len(p):]))
	if err != nil {
		return false
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	return user == e.opts.ServerKey && pass == ""
}

type coreError struct {
	StatusCode         string   `json:"status_code"`
	StatusMessage      string   `json:"status_message"`
	ValidationMessages []string `json:"validation_messages,omitempty"`
	ID                 string   `json:"id"`
}

type subMessage struct {
	StatusMessage      string   `json:"status_message"`
	ValidationMessages []string `json:"validation_messages,omitempty"`
}

// httpStatusFor mirrors the body status_code for errors; 2xx bodies and 407 answer HTTP 200.
func httpStatusFor(code int) int {
	switch {
	case code == 407 || (code >= 200 && code < 300):
		return 200
	case code >= 400 && code < 600:
		return code
	}
	return 200
}

func writeCore(w http.ResponseWriter, code int, body any) { writeJSON(w, httpStatusFor(code), body) }

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = 500, []byte(`{"status_code":"500","status_message":"internal error"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func badRequest(w http.ResponseWriter, msgs ...string) {
	writeCore(w, 400, &coreError{StatusCode: "400", StatusMessage: "One or more parameters in the payload is invalid.", ValidationMessages: msgs, ID: newUUID()})
}

func notFound(w http.ResponseWriter) {
	writeCore(w, 404, &coreError{StatusCode: "404", StatusMessage: "Transaction doesn't exist.", ID: newUUID()})
}

func cannotModify(w http.ResponseWriter) {
	writeCore(w, 412, &coreError{StatusCode: "412", StatusMessage: "Transaction status cannot be updated.", ID: newUUID()})
}

// readBody reads a JSON request body; an empty body is allowed when optional.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(r.Body)
}

// decodeStrict decodes b into v and turns decoding failures into Midtrans-style messages.
// It returns (code, messages): 413 for syntax errors, 400 for type errors, 0 on success.
func decodeJSON(b []byte, v any) (int, []string) {
	if len(strings.TrimSpace(string(b))) == 0 {
		return 400, []string{"request body is required"}
	}
	err := json.Unmarshal(b, v)
	if err == nil {
		return 0, nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := te.Field
		if f == "" {
			f = "body"
		}
		return 400, []string{f + " must be a " + jsonKind(te.Type.Kind().String())}
	}
	return 413, []string{"Payload format is not supported: " + err.Error()}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "int", "int64", "int32", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "list"
	}
	return "object"
}

func malformed(w http.ResponseWriter, code int, msgs []string) {
	if code == 413 {
		writeCore(w, 413, &coreError{StatusCode: "413", StatusMessage: "Payload format is not supported.", ValidationMessages: msgs, ID: newUUID()})
		return
	}
	badRequest(w, msgs...)
}

// Start runs the background loop: the delivery worker and, on a real clock, RunDue about every second.
func (e *Emulator) Start(ctx context.Context) {
	e.startOnce.Do(func() {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.nq.worker(ctx, e.stop)
		}()
		_, manual := e.clock.(AdvanceableClock)
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-e.stop:
					return
				case <-t.C:
					if !manual {
						_ = e.RunDue(ctx)
					}
				}
			}
		}()
	})
}

// Close stops the background loop and closes the data file (after a final save).
func (e *Emulator) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(e.stop)
	e.wg.Wait()
	if e.jr != nil {
		// A last snapshot, so the next start replays one record.
		e.mu.Lock()
		e.st.ch.full = true
		e.mu.Unlock()
		err := e.save()
		if cerr := e.jr.close(); err == nil {
			err = cerr
		}
		return err
	}
	return nil
}

// RunDue does, at Clock.Now(): expire overdue pending transactions, run due Subscription API charges and their
// retries, and make every due notification delivery/retry; it returns after those deliveries were attempted.
func (e *Emulator) RunDue(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	now := e.now()
	e.expireDue(now)
	e.runSubscriptions(ctx, now)
	if err := e.Drain(ctx); err != nil {
		return err
	}
	e.nq.runDue(ctx, now)
	return ctx.Err()
}

// Drain delivers every queued first-attempt notification and returns when none is queued.
func (e *Emulator) Drain(ctx context.Context) error { return e.nq.drain(ctx) }

// persisted saves the changes the handler made and answers Midtrans' 500 if
// they could not be written: an answered call is always on disk.
func (e *Emulator) persisted(w http.ResponseWriter) bool {
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
		writeCore(w, 500, storageError())
		return false
	}
	return true
}

func storageError() *coreError {
	return &coreError{StatusCode: "500", StatusMessage: "Sorry. Our system is recovering from unexpected issues. Please retry.", ID: newUUID()}
}
