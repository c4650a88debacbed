package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// note is one notification Midtrans sent, waiting for the simulator to
// deliver it to the service.
type note struct {
	n    int
	url  string
	body []byte
	due  time.Time // not delivered before (a delay fault moves it out)
	// tries counts failed deliveries; Midtrans retries a notification the
	// service did not acknowledge.
	tries int
}

// retryGaps are Midtrans' gaps between delivery attempts.
var retryGaps = []time.Duration{2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 90 * time.Minute, 210 * time.Minute}

func (n note) orderID() string {
	var b struct {
		OrderID   string `json:"order_id"`
		Status    string `json:"transaction_status"`
		AccountID string `json:"account_id"`
	}
	_ = json.Unmarshal(n.body, &b)
	switch {
	case b.OrderID != "":
		return b.OrderID + "/" + b.Status
	case b.AccountID != "":
		return "account " + b.AccountID
	}
	return "subscription"
}

// deliver hands one notification to the service as the webhook handler
// does, and traces the outcome.
//
// An unacknowledged delivery is retried as Midtrans does: five times after
// a dropped connection (the process crashed), twice after an error answer.
func (w *world) deliver(n note, how string) {
	log, err := w.svc.ProcessNotification(w.ctx, n.body, midtransSource)
	w.trace.line("  note %d %s %s -> %s %s", n.n, how, n.orderID(), log.Status, errKind(err))
	w.count("notes_" + how)
	if err == nil || how == "forged" {
		return
	}
	limit := 2
	if errors.Is(err, errCrashed) {
		limit = len(retryGaps)
	}
	if n.tries < limit {
		n.due = w.clock.Now().Add(retryGaps[n.tries])
		n.tries++
		w.notes = append(w.notes, n)
	}
}

// due lists the indexes of the notifications that may be delivered now.
func (w *world) dueNotes() []int {
	now := w.clock.Now()
	var out []int
	for i, n := range w.notes {
		if !n.due.After(now) {
			out = append(out, i)
		}
	}
	return out
}

func (w *world) takeNote(i int) note {
	n := w.notes[i]
	w.notes = append(w.notes[:i:i], w.notes[i+1:]...)
	return n
}

// nestedDeliver delivers every notification Midtrans has sent so far,
// while a gateway call is still in flight.
func (w *world) nestedDeliver() {
	_ = w.emu.Drain(w.ctx)
	w.nested = true
	defer func() { w.nested = false }()
	for _, i := range reverse(w.dueNotes()) {
		n := w.takeNote(i)
		w.deliver(n, "in-flight")
	}
}

func reverse(xs []int) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

// forge makes a notification no one at Midtrans signed: the same body
// claiming settlement of a larger amount, signed with a wrong key.
func forge(n note) []byte {
	var b map[string]any
	dec := json.NewDecoder(bytes.NewReader(n.body))
	dec.UseNumber()
	if dec.Decode(&b) != nil || b == nil {
		return []byte(`{"order_id":"forged","transaction_status":"settlement","status_code":"200","gross_amount":"1.00","signature_key":"00"}`)
	}
	if _, ok := b["order_id"]; ok {
		b["transaction_status"] = "settlement"
		b["status_code"] = "200"
		b["gross_amount"] = "1.00"
		b["signature_key"] = fmt.Sprintf("%0128d", 0)
	} else {
		// An unsigned Subscription API or Pay Account notification about an
		// id Midtrans never issued.
		fake := "00000000-0000-4000-8000-00000000f0f0"
		if sub, ok := b["subscription"].(map[string]any); ok {
			sub["id"] = fake
		}
		if _, ok := b["account_id"]; ok {
			b["account_id"] = fake
		}
		b["id"] = fake
	}
	out, _ := json.Marshal(b)
	return out
}
