package fakemidtrans

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// retryGaps are Midtrans' nominal gaps between notification attempts.
var retryGaps = []time.Duration{2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 90 * time.Minute, 210 * time.Minute}

// retriesFor is how many retries Midtrans makes after a receiver answered code (0 = transport error).
func retriesFor(code int) int {
	switch {
	case code >= 200 && code < 300:
		return 0
	case code == 500:
		return 1
	case code == 503:
		return 4
	case code == 400 || code == 404:
		return 2
	case code == 301 || code == 302 || code == 303:
		return 0
	}
	return 5
}

// notification is one event to deliver, before it is split per target URL.
type notification struct {
	kind    string // payment | subscription | pay_account
	orderID string // order id, subscription id or account id (what faults match on)
	status  string
	urls    []string
	body    any
	badSig  func() any // the body signed with a wrong key, for the bad_signature fault
}

// Attempt is one delivery attempt in the log.
type Attempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status"` // HTTP status; 0 when the request failed
	Error  string    `json:"error,omitempty"`
}

// Delivery is one notification to one URL, with every attempt made.
type Delivery struct {
	ID            int64           `json:"id"`
	Kind          string          `json:"kind"`
	OrderID       string          `json:"order_id"`
	URL           string          `json:"url"`
	Body          json.RawMessage `json:"body"`
	Attempts      []Attempt       `json:"attempts"`
	Done          bool            `json:"done"`
	Delivered     bool            `json:"delivered"`
	NextAttemptAt *time.Time      `json:"next_attempt_at,omitempty"`
	Faults        []string        `json:"faults,omitempty"`
	retries       int
}

type notifier struct {
	e      *Emulator
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*Delivery // first attempts not yet made
	busy   int         // first attempts being made right now
	log    []*Delivery
	held   map[string][]*Delivery // reorder fault: held until the next notification of the same order
	nextID int64
	wake   chan struct{}
}

const maxLog = 20000

func (q *notifier) init(e *Emulator) {
	q.e = e
	q.cond = sync.NewCond(&q.mu)
	q.held = map[string][]*Delivery{}
	q.wake = make(chan struct{}, 1)
}

func (q *notifier) reset() {
	q.mu.Lock()
	q.queue, q.log, q.held = nil, nil, map[string][]*Delivery{}
	q.mu.Unlock()
}

// enqueue turns n into deliveries (one per URL, shaped by notification faults) and queues them.
func (q *notifier) enqueue(n *notification) {
	if n == nil || len(n.urls) == 0 {
		return
	}
	plan := q.e.faults.forNotification(n)
	body, _ := json.Marshal(n.body)
	if plan.badSig && n.badSig != nil {
		body, _ = json.Marshal(n.badSig())
	}
	now := q.e.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	var fresh []*Delivery
	for _, u := range n.urls {
		for i := 0; i < plan.copies; i++ {
			q.nextID++
			d := &Delivery{ID: q.nextID, Kind: n.kind, OrderID: n.orderID, URL: u, Body: body, Faults: plan.names}
			q.appendLog(d)
			switch {
			case plan.drop:
				d.Done = true
			case plan.delay > 0:
				t := now.Add(plan.delay)
				d.NextAttemptAt = &t
			default:
				fresh = append(fresh, d)
			}
		}
	}
	if plan.hold {
		q.held[n.orderID] = append(q.held[n.orderID], fresh...)
		return
	}
	q.queue = append(q.queue, fresh...)
	if h := q.held[n.orderID]; len(h) > 0 {
		// The held (earlier) notification goes after this later one: out of order on purpose.
		q.queue = append(q.queue, h...)
		delete(q.held, n.orderID)
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// releaseHeld queues every held notification (when the reorder fault is cleared).
func (q *notifier) releaseHeld() {
	q.mu.Lock()
	for k, h := range q.held {
		q.queue = append(q.queue, h...)
		delete(q.held, k)
	}
	q.mu.Unlock()
}

func (q *notifier) appendLog(d *Delivery) {
	if len(q.log) >= maxLog {
		// drop the oldest finished entry to bound memory
		for i, old := range q.log {
			if old.Done {
				q.log = append(q.log[:i], q.log[i+1:]...)
				break
			}
		}
	}
	q.log = append(q.log, d)
}

// pop takes the next first attempt off the queue; the caller must call finished afterwards.
func (q *notifier) pop() *Delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) == 0 {
		return nil
	}
	d := q.queue[0]
	q.queue[0] = nil
	q.queue = q.queue[1:]
	q.busy++
	return d
}

func (q *notifier) finished() {
	q.mu.Lock()
	q.busy--
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *notifier) worker(ctx context.Context, stop <-chan struct{}) {
	for {
		for d := q.pop(); d != nil; d = q.pop() {
			q.attempt(ctx, d, q.e.now())
			q.finished()
		}
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-q.wake:
		}
	}
}

// drain makes every queued first attempt and waits for those in flight elsewhere.
func (q *notifier) drain(ctx context.Context) error {
	for {
		if d := q.pop(); d != nil {
			q.attempt(ctx, d, q.e.now())
			q.finished()
			continue
		}
		q.mu.Lock()
		for q.busy > 0 && len(q.queue) == 0 {
			q.cond.Wait()
		}
		empty := len(q.queue) == 0
		q.mu.Unlock()
		if empty {
			return ctx.Err()
		}
	}
}

// runDue makes every retry or delayed delivery due at now, each at its nominal time, until none is due.
func (q *notifier) runDue(ctx context.Context, now time.Time) {
	for ctx.Err() == nil {
		q.mu.Lock()
		var due []*Delivery
		for _, d := range q.log {
			if !d.Done && d.NextAttemptAt != nil && !d.NextAttemptAt.After(now) {
				due = append(due, d)
			}
		}
		q.mu.Unlock()
		if len(due) == 0 {
			return
		}
		sort.SliceStable(due, func(i, j int) bool { return due[i].NextAttemptAt.Before(*due[j].NextAttemptAt) })
		for _, d := range due {
			q.mu.Lock()
			at := *d.NextAttemptAt
			d.NextAttemptAt = nil
			q.mu.Unlock()
			q.attempt(ctx, d, at)
		}
	}
}

// nextDue is the earliest scheduled retry or delayed delivery (zero if none).
func (q *notifier) nextDue() time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	var t time.Time
	for _, d := range q.log {
		if !d.Done && d.NextAttemptAt != nil && (t.IsZero() || d.NextAttemptAt.Before(t)) {
			t = *d.NextAttemptAt
		}
	}
	return t
}

// attempt POSTs d once (at emulator time at) and schedules the next retry per Midtrans' table.
func (q *notifier) attempt(ctx context.Context, d *Delivery, at time.Time) {
	code, errMsg := q.post(ctx, d)
	q.mu.Lock()
	defer q.mu.Unlock()
	d.Attempts = append(d.Attempts, Attempt{At: at, Status: code, Error: errMsg})
	if code >= 200 && code < 300 {
		d.Done, d.Delivered = true, true
	} else if d.retries < retriesFor(code) && d.retries < len(retryGaps) {
		next := at.Add(retryGaps[d.retries])
		d.retries++
		d.NextAttemptAt = &next
	} else {
		d.Done = true
	}
	level := slog.LevelInfo
	if !d.Delivered {
		level = slog.LevelWarn
	}
	q.e.log.Log(ctx, level, "notification attempt", "delivery", d.ID, "kind", d.Kind, "order_id", d.OrderID, "url", d.URL,
		"status", code, "error", errMsg, "attempt", len(d.Attempts), "done", d.Done)
}

func (q *notifier) post(ctx context.Context, d *Delivery) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Veritrans")
	res, err := q.e.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	return res.StatusCode, ""
}

// snapshot copies the delivery log for /_sim/notifications.
func (q *notifier) snapshot() []Delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Delivery, len(q.log))
	for i, d := range q.log {
		out[i] = *d
		out[i].Attempts = append([]Attempt(nil), d.Attempts...)
		if d.NextAttemptAt != nil {
			t := *d.NextAttemptAt
			out[i].NextAttemptAt = &t
		}
	}
	return out
}

// targets resolves where a transaction's notifications go: X-Override-Notification wins over
// X-Append-Notification, which adds to the configured URL.
func targets(def string, t *txn) []string {
	if t.NotifyMode == "override" {
		return t.Notify
	}
	var out []string
	if def != "" {
		out = append(out, def)
	}
	return append(out, t.Notify...)
}

func parseURLList(h string) []string {
	var out []string
	for _, p := range strings.Split(h, ",") {
		if p = strings.TrimSpace(p); p != "" && len(out) < 3 {
			out = append(out, p)
		}
	}
	return out
}

// paymentNote builds the payment notification for t's current state; call with e.mu held.
func (e *Emulator) paymentNote(t *txn) *notification {
	urls := targets(e.opts.NotificationURL, t)
	if len(urls) == 0 {
		return nil // nowhere to send it: skip building the body
	}
	code := t.statusCode(true)
	v := t.view(e, code, "midtrans payment notification")
	v.SignatureKey = Signature(t.OrderID, code, v.GrossAmount, e.opts.ServerKey)
	badSig := func() any {
		bad := *v
		bad.SignatureKey = Signature(bad.OrderID, code, bad.GrossAmount, e.opts.ServerKey+"-wrong")
		return &bad
	}
	return &notification{kind: "payment", orderID: t.OrderID, status: t.Status, urls: urls, body: v, badSig: badSig}
}
