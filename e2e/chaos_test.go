//go:build e2e

package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// chaosScenario is the run both the clean and the faulted stacks walk: three
// subscriptions (BCA VA, GoPay, QRIS) paid, a month later renewed and paid.
// faults, when given, is installed before the first subscription. It answers
// the end state, in a form two runs can compare.
func chaosScenario(t *testing.T, faults J) string {
	s := newStack(t)
	s.requireRoute("POST", "/subscriptions/")
	s.requireRoute("GET", "/payments/")
	s.plan("alpha", "49000", nil)
	s.plan("beta", "59000", nil)
	s.plan("gamma", "69000", nil)
	u := s.newUser("chaos")
	if faults != nil {
		s.faults(faults)
	}
	var ids []string
	for _, b := range []J{
		{"plan_id": "alpha", "payment_type": "bank_transfer", "metadata": J{"bank": "bca"}},
		{"plan_id": "beta", "payment_type": "gopay"},
		{"plan_id": "gamma", "payment_type": "qris"},
	} {
		sub, p := s.subscribe(u, b)
		ids = append(ids, str(sub, "id"))
		s.pay(p)
	}
	s.advance(time.Hour) // delayed notifications and their retries arrive
	var end time.Time
	for _, id := range ids {
		if e := parseTime(t, str(s.getSub(u, id), "current_period_end")); e.After(end) {
			end = e
		}
	}
	s.advanceTo(end.Add(time.Hour))
	for _, id := range ids {
		if p := s.cyclePayment(u, id, 2); p != nil && str(p, "status") == "pending" {
			s.pay(p)
		}
	}
	s.advance(2 * time.Hour)
	s.exactlyOnce(u)
	if faults != nil {
		s.faultsUsed()
	}
	return chaosState(s, u, ids)
}

// chaosState is what must not depend on how notifications travelled: each
// subscription's status, cycle and period (to the day), each payment's
// cycle, status and amount, and each gateway order's type, status and amount.
func chaosState(s *stack, u user, ids []string) string {
	var out []string
	day := func(v string) string {
		if v == "" {
			return "-"
		}
		return parseTime(s.t, v).In(jakarta).Format("2006-01-02")
	}
	for i, id := range ids {
		sub := s.getSub(u, id)
		out = append(out, fmt.Sprintf("sub%d %s cycle=%s period=%s..%s", i, str(sub, "status"), str(sub, "cycle_count"),
			day(str(sub, "current_period_start")), day(str(sub, "current_period_end"))))
		var ps []string
		for _, p := range s.subPayments(u, id) {
			ps = append(ps, fmt.Sprintf("sub%d payment cycle=%s %s %s %s", i, str(p, "cycle"), str(p, "payment_type"), str(p, "status"), str(p, "gross_amount")))
		}
		slices.Sort(ps)
		out = append(out, ps...)
	}
	var txs []string
	for _, tx := range s.simTxns() {
		txs = append(txs, fmt.Sprintf("order %s %s %s", str(tx, "payment_type"), str(tx, "transaction_status"), str(tx, "gross_amount")))
	}
	slices.Sort(txs)
	return strings.Join(append(out, txs...), "\n")
}

var jakarta = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return l
}()

// TestChaosNotifications: duplicated, reordered, delayed or wrongly signed
// notifications end in the state of a clean run, with one charge per cycle.
func TestChaosNotifications(t *testing.T) {
	t.Parallel()
	clean := chaosScenario(t, nil)
	for _, c := range []struct {
		name  string
		rules []J
	}{
		{"duplicated", []J{{"action": "duplicate", "times": 3}}},
		{"reordered", []J{{"action": "reorder"}}},
		{"delayed", []J{{"action": "delay", "delay": "30m"}}},
		{"wrongly_signed", []J{{"action": "bad_signature", "kind": "payment", "count": 3}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := chaosScenario(t, J{"notifications": c.rules})
			if got != clean {
				t.Errorf("end state differs from a clean run\n--- clean\n%s\n--- %s\n%s", clean, c.name, got)
			}
		})
	}
}

// TestChaosGatewayFaults: 500s, timeouts and connection resets on charges,
// during the creation of a subscription and during its renewal, still end
// with exactly one order per cycle.
func TestChaosGatewayFaults(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"http_500", "timeout", "reset"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			s.requireRoute("POST", "/subscriptions/")
			s.plan("basic", "49000", nil)
			u := s.newUser("faulty")
			rule := J{"endpoint": "charge", "sequence": []string{fault, "ok"}}
			if fault == "timeout" {
				rule["hold"] = "1s"
			}
			s.faults(J{"api": []J{rule}})
			// The client may retry the request itself, with the same Idempotency-Key.
			body := J{"plan_id": "basic", "payment_type": "bank_transfer", "metadata": J{"bank": "bca"},
				"customer_details": J{"first_name": "F", "email": "f@example.com"}}
			var r resp
			for try := 0; try < 4; try++ {
				r = s.do("POST", s.server.url+"/api/subscriptions/", body, u.bearer, map[string]string{"Idempotency-Key": "e2e-create-1"})
				if r.status == 201 {
					break
				}
				if r.status != 0 && r.status < 500 {
					t.Fatalf("create under a gateway %s: %v", fault, r)
				}
			}
			if r.status != 201 {
				t.Fatalf("create under a gateway %s, 4 tries: %v", fault, r)
			}
			sub, p := objAt(r.obj(), "subscription"), objAt(r.obj(), "payment")
			id := str(sub, "id")
			if str(p, "status") != "pending" {
				// The order may have been left for the engine to poll.
				s.advance(time.Hour)
				p = s.cyclePayment(u, id, 1)
			}
			if p == nil || str(p, "status") != "pending" {
				t.Fatalf("first payment: %v", p)
			}
			s.pay(p)
			sub = s.wantSub(u, id, "active", 1)
			// The renewal charge meets the same fault.
			s.faults(J{"api": []J{rule}})
			s.advanceTo(parseTime(t, str(sub, "current_period_end")).Add(time.Hour))
			p2 := s.cyclePayment(u, id, 2)
			if p2 == nil || str(p2, "status") != "pending" {
				t.Fatalf("renewal under a gateway %s: %v; payments %v", fault, p2, s.subPayments(u, id))
			}
			s.faultsUsed()
			s.pay(p2)
			s.wantSub(u, id, "active", 2)
			s.exactlyOnce(u)
			orders := 0
			for _, tx := range s.simTxns() {
				if strings.HasPrefix(str(tx, "order_id"), "SUB-") {
					orders++
				}
			}
			if orders != 2 {
				t.Errorf("the emulator holds %d subscription orders for 2 cycles", orders)
			}
		})
	}
}

// TestChaosKillDuringBillingRun: many subscriptions fall due at once; the
// server is SIGKILLed at random points of the billing run and restarted on
// the same file; in the end every due cycle was charged exactly once.
func TestChaosKillDuringBillingRun(t *testing.T) {
	t.Parallel()
	const n = 50
	s := newStack(t)
	s.requireRoute("POST", "/subscriptions/")
	u := s.newUser("many")
	var ids []string
	for i := range n {
		slug := fmt.Sprintf("p%02d", i)
		s.plan(slug, fmt.Sprint(10000+i*1000), nil)
		sub, p := s.subscribe(u, J{"plan_id": slug, "payment_type": "bank_transfer", "metadata": J{"bank": []string{"bca", "bni", "bri", "permata"}[i%4]}})
		s.pay(p)
		ids = append(ids, str(sub, "id"))
	}
	end := parseTime(t, str(s.wantSub(u, ids[0], "active", 1), "current_period_end"))
	s.advanceTo(end.Add(-time.Minute))
	// The emulator goes past the period end first, as advance does.
	s.must(s.sim("POST", "/_sim/clock/advance", J{"duration": "1h"}), 200)

	// Each round starts the run (a clock advance past the period end) and
	// SIGKILLs the server once the emulator has seen a random number of the
	// run's charges: a point observed, not slept to.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for round := 0; round < 8; round++ {
		before := len(s.simTxns())
		if before >= 2*n {
			break
		}
		target := before + 1 + rng.IntN(max(1, (2*n-before)/5))
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			// Answers 0 when the server dies under it; that is the point.
			_ = s.do("POST", s.server.url+"/api/admin/clock/advance/", J{"duration": "2m"}, admin, nil)
		}()
		for done := false; !done; {
			select {
			case <-finished:
				done = true
			default:
				done = len(s.simTxns()) >= target
			}
		}
		s.killServer()
		<-finished
		s.restartServer()
		t.Logf("round %d: killed at %d orders (aimed at %d, %d before the round)", round, len(s.simTxns()), target, before)
	}
	// Let the run finish: the server's time reaches the emulator's.
	s.advanceServerTo(end.Add(time.Hour))
	byCycle := map[string]int{}
	for _, p := range s.payments(u.bearer) {
		if str(p, "cycle") == "2" {
			byCycle[str(p, "subscription_id")]++
			if str(p, "status") == "pending" {
				s.pay(p)
			}
		}
	}
	for _, id := range ids {
		if byCycle[id] != 1 {
			t.Errorf("subscription %s has %d orders for cycle 2, want 1", id, byCycle[id])
		}
		s.wantSub(u, id, "active", 2)
	}
	s.exactlyOnce(u)
	if got := len(s.simTxns()); got != 2*n {
		t.Errorf("the emulator holds %d orders, want %d (2 cycles × %d)", got, 2*n, n)
	}
}

// advanceServerTo moves only the server's clock (the emulator is already ahead).
func (s *stack) advanceServerTo(at time.Time) {
	s.t.Helper()
	for now := s.now(); now.Before(at); now = s.now() {
		d := min(at.Sub(now), maxStep)
		s.must(s.api("POST", "/admin/clock/advance/", J{"duration": d.String()}, admin), 200)
	}
}

// faultsUsed fails unless every installed fault rule was applied at least
// once (a chaos test whose faults never fired proves nothing).
func (s *stack) faultsUsed() {
	s.t.Helper()
	r := s.must(s.sim("GET", "/_sim/faults", nil), 200).obj()
	for _, kind := range []string{"api", "notifications"} {
		list, _ := r[kind].([]any)
		for _, v := range list {
			if o, _ := v.(J); str(o, "used") == "0" {
				s.t.Errorf("fault rule %v never applied", o)
			}
		}
	}
}
