package fakemidtrans

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// FaultScript is the body of POST /_sim/faults (see doc.go).
type FaultScript struct {
	API           []*APIFault          `json:"api,omitempty"`
	Notifications []*NotificationFault `json:"notifications,omitempty"`
}

// APIFault makes one endpoint misbehave, step by step.
type APIFault struct {
	Endpoint string   `json:"endpoint"`           // e.g. "charge", "status", "refund", "subscription_charge" or "*"
	OrderID  string   `json:"order_id,omitempty"` // only requests about this order / id ("" = any)
	Sequence []string `json:"sequence,omitempty"` // steps consumed one per matching request
	Repeat   bool     `json:"repeat,omitempty"`   // start the sequence over when it ends
	Latency  string   `json:"latency,omitempty"`  // added (real time) before every matching answer
	Hold     string   `json:"hold,omitempty"`     // how long "timeout" holds the request (default 30s)
	Used     int      `json:"used"`               // steps consumed so far
	latency  time.Duration
	hold     time.Duration
}

// NotificationFault changes how matching notifications are delivered.
type NotificationFault struct {
	Action  string `json:"action"`             // duplicate | reorder | delay | bad_signature | drop
	Kind    string `json:"kind,omitempty"`     // payment | subscription | pay_account ("" = any)
	OrderID string `json:"order_id,omitempty"` // order id, subscription id or account id ("" = any)
	Status  string `json:"status,omitempty"`   // transaction_status to match ("" = any; reorder defaults to "pending")
	Times   int    `json:"times,omitempty"`    // duplicate: copies delivered in total (default 2)
	Delay   string `json:"delay,omitempty"`    // delay: emulator-clock duration before the first attempt
	Count   int    `json:"count,omitempty"`    // how many notifications it applies to (0 = all)
	Used    int    `json:"used"`
	delay   time.Duration
}

var apiSteps = map[string]bool{"ok": true, "http_500": true, "http_502": true, "http_503": true, "http_429": true, "timeout": true, "reset": true, "decline": true}

// validate parses durations and checks names; it returns a list of problems.
func (s *FaultScript) validate() []string {
	var msgs []string
	for i, f := range s.API {
		if f == nil || f.Endpoint == "" {
			msgs = append(msgs, fmt.Sprintf("api[%d].endpoint is required", i))
			continue
		}
		for _, st := range f.Sequence {
			if !apiSteps[st] {
				msgs = append(msgs, fmt.Sprintf("api[%d].sequence: unknown step %q", i, st))
			}
		}
		var err error
		if f.Latency != "" {
			if f.latency, err = time.ParseDuration(f.Latency); err != nil || f.latency < 0 || f.latency > time.Minute {
				msgs = append(msgs, fmt.Sprintf("api[%d].latency must be a duration up to 1m", i))
			}
		}
		f.hold = 30 * time.Second
		if f.Hold != "" {
			if f.hold, err = time.ParseDuration(f.Hold); err != nil || f.hold < 0 || f.hold > 5*time.Minute {
				msgs = append(msgs, fmt.Sprintf("api[%d].hold must be a duration up to 5m", i))
			}
		}
		if len(f.Sequence) == 0 && f.Latency == "" {
			msgs = append(msgs, fmt.Sprintf("api[%d] needs a sequence or a latency", i))
		}
	}
	for i, f := range s.Notifications {
		if f == nil {
			msgs = append(msgs, fmt.Sprintf("notifications[%d] is empty", i))
			continue
		}
		switch f.Action {
		case "duplicate":
			if f.Times == 0 {
				f.Times = 2
			}
			if f.Times < 2 || f.Times > 20 {
				msgs = append(msgs, fmt.Sprintf("notifications[%d].times must be 2..20", i))
			}
		case "delay":
			d, err := time.ParseDuration(f.Delay)
			if err != nil || d <= 0 {
				msgs = append(msgs, fmt.Sprintf("notifications[%d].delay must be a positive duration", i))
			}
			f.delay = d
		case "reorder":
			if f.Status == "" {
				f.Status = "pending"
			}
		case "bad_signature", "drop":
		default:
			msgs = append(msgs, fmt.Sprintf("notifications[%d].action must be duplicate, reorder, delay, bad_signature or drop", i))
		}
	}
	return msgs
}

type faultSet struct {
	e      *Emulator
	mu     sync.Mutex
	api    []*APIFault
	notes  []*NotificationFault
	active bool // fast path: no lock when no fault is installed
	amu    sync.RWMutex
}

func (f *faultSet) init(e *Emulator) { f.e = e }

func (f *faultSet) install(s *FaultScript) {
	f.mu.Lock()
	f.api = append(f.api, s.API...)
	f.notes = append(f.notes, s.Notifications...)
	f.setActive(len(f.api)+len(f.notes) > 0)
	f.mu.Unlock()
	for _, a := range s.API {
		f.e.log.Info("fault installed", "endpoint", a.Endpoint, "order_id", a.OrderID, "sequence", a.Sequence,
			"latency", a.Latency, "repeat", a.Repeat)
	}
	for _, n := range s.Notifications {
		f.e.log.Info("notification fault installed", "action", n.Action, "kind", n.Kind, "order_id", n.OrderID, "status", n.Status,
			"times", n.Times, "delay", n.Delay, "count", n.Count)
	}
}

func (f *faultSet) clear() {
	f.mu.Lock()
	f.api, f.notes = nil, nil
	f.setActive(false)
	f.mu.Unlock()
	f.e.nq.releaseHeld()
	f.e.log.Info("faults cleared")
}

func (f *faultSet) setActive(v bool) {
	f.amu.Lock()
	f.active = v
	f.amu.Unlock()
}

func (f *faultSet) isActive() bool {
	f.amu.RLock()
	defer f.amu.RUnlock()
	return f.active
}

func (f *faultSet) list() FaultScript {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s FaultScript
	for _, a := range f.api {
		c := *a
		s.API = append(s.API, &c)
	}
	for _, n := range f.notes {
		c := *n
		s.Notifications = append(s.Notifications, &c)
	}
	return s
}

// step consumes the next step of the first matching API fault; it returns the step and added latency.
func (f *faultSet) step(endpoint, id string) (string, time.Duration, time.Duration) {
	if !f.isActive() {
		return "ok", 0, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.api {
		if (a.Endpoint != endpoint && a.Endpoint != "*") || (a.OrderID != "" && a.OrderID != id) {
			continue
		}
		if a.Endpoint == "*" && endpoint == "subscription_charge" {
			continue // "*" means HTTP endpoints only
		}
		st := "ok"
		if len(a.Sequence) > 0 {
			if a.Used >= len(a.Sequence) && a.Repeat {
				a.Used = 0
			}
			if a.Used < len(a.Sequence) {
				st = a.Sequence[a.Used]
				a.Used++
			} else if a.latency == 0 {
				continue // exhausted: let a later fault match
			}
		}
		f.e.log.Info("fault applied", "endpoint", endpoint, "order_id", id, "step", st, "latency", a.latency.String())
		return st, a.latency, a.hold
	}
	return "ok", 0, 0
}

// applyAPI runs the fault script for an HTTP endpoint; true means the answer was already given.
func (f *faultSet) applyAPI(w http.ResponseWriter, r *http.Request, endpoint, id string) bool {
	st, lat, hold := f.step(endpoint, id)
	if lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch st {
	case "http_500":
		writeCore(w, 500, &coreError{StatusCode: "500", StatusMessage: "Sorry. Our system is recovering from unexpected issues. Please retry.", ID: newUUID()})
	case "http_502":
		writeCore(w, 502, &coreError{StatusCode: "502", StatusMessage: "Internal Server Error: Bank Connection Problem", ID: newUUID()})
	case "http_503":
		writeCore(w, 503, &coreError{StatusCode: "503", StatusMessage: "Bank/partner is experiencing connection issue. Please retry later.", ID: newUUID()})
	case "http_429":
		writeCore(w, 429, &coreError{StatusCode: "429", StatusMessage: "Too many requests. Please retry later.", ID: newUUID()})
	case "timeout":
		t := time.NewTimer(hold)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
		resetConn(w)
	case "reset":
		resetConn(w)
	default:
		return false
	}
	return true
}

// resetConn closes the client connection without an answer (RST where possible).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// notePlan is what the notification faults do to one notification.
type notePlan struct {
	copies int
	drop   bool
	badSig bool
	hold   bool
	delay  time.Duration
	names  []string
}

func (f *faultSet) forNotification(n *notification) notePlan {
	p := notePlan{copies: 1}
	if !f.isActive() {
		return p
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, nf := range f.notes {
		if (nf.Kind != "" && nf.Kind != n.kind) || (nf.OrderID != "" && nf.OrderID != n.orderID) ||
			(nf.Status != "" && nf.Status != n.status) || (nf.Count > 0 && nf.Used >= nf.Count) {
			continue
		}
		nf.Used++
		p.names = append(p.names, nf.Action)
		switch nf.Action {
		case "duplicate":
			p.copies = nf.Times
		case "drop":
			p.drop = true
		case "bad_signature":
			p.badSig = true
		case "reorder":
			p.hold = true
		case "delay":
			p.delay = nf.delay
		}
		f.e.log.Info("notification fault applied", "action", nf.Action, "kind", n.kind, "order_id", n.orderID, "status", n.status)
	}
	return p
}
