package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/postgres/pgtest"
	"github.com/langganan/langganan/core"
)

// Options configure one run.
type Options struct {
	Seed  uint64
	Steps int
	// Defects are fixed money defects re-created on the service (see
	// core.Plant), to prove the simulator finds them.
	Defects []core.Defect
	// Dir holds the run's bbolt file; "" = a new temporary directory.
	Dir string
	// DatabaseURL, when set, names a PostgreSQL database: the run stores
	// in a schema of its own there (created at the start, dropped at the
	// end) instead of a bbolt file, and a crash closes the connection pool.
	DatabaseURL string
	// Trace, when set, receives the run's trace as it is written.
	Trace io.Writer
	// KeepTrace keeps the run's trace in Result.Trace too.
	KeepTrace bool
	// Watch, when not empty, names the only invariants that stop a run;
	// the others are still evaluated but ignored (a planted defect's test
	// watches the invariant that defect breaks).
	Watch []string
}

// Result is what one run did.
type Result struct {
	Seed      uint64
	Steps     int // steps executed
	Hash      string
	Store     string // where the records were kept: "bolt" or "postgres"
	Violation *Violation
	Counts    map[string]int
	// Trace is the run's trace, with Options.KeepTrace.
	Trace string
	// Failing is the step list that led to the violation (all steps run).
	Failing []Step
}

// Run draws opts.Steps steps from the seed and runs them.
func Run(ctx context.Context, opts Options) (Result, error) {
	return RunSteps(ctx, opts, GenSteps(opts.Seed, opts.Steps))
}

// RunSteps runs the given steps (a seed's steps, or a shrunk subset) and
// then the final drain, stopping at the first violation.
func RunSteps(ctx context.Context, opts Options, steps []Step) (res Result, err error) {
	dir, dbURL := opts.Dir, ""
	if opts.DatabaseURL != "" {
		u, _, drop, err := pgtest.NewSchema(ctx, opts.DatabaseURL, fmt.Sprintf("lgn_sim_%d", opts.Seed))
		if err != nil {
			return Result{}, err
		}
		defer func() { err = errors.Join(err, drop()) }()
		dbURL = u
	} else if dir == "" {
		d, err := os.MkdirTemp("", "langganan-sim-*")
		if err != nil {
			return Result{}, fmt.Errorf("temp dir: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	var kept *strings.Builder
	out := opts.Trace
	if opts.KeepTrace {
		kept = &strings.Builder{}
		if out == nil {
			out = kept
		} else {
			out = io.MultiWriter(out, kept)
		}
		defer func() { res.Trace = kept.String() }()
	}
	tr := newTracer(out)
	w, err := newWorld(ctx, opts.Seed, dir, dbURL, opts.Defects, tr)
	if err != nil {
		return Result{}, err
	}
	w.watch = opts.Watch
	defer w.close()
	res = Result{Seed: opts.Seed, Store: w.storeKind(), Counts: w.counts}
	for i, st := range steps {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		w.exec(i, st)
		res.Steps = i + 1
		w.checkTransitions()
		if v := w.check(); v != nil {
			v.Step = i
			res.Violation, res.Failing = v, steps[:i+1]
			w.trace.line("VIOLATION %s: %s", v.Invariant, v.Detail)
			res.Hash = tr.sum()
			return res, nil
		}
	}
	if v := w.finalDrain(); v != nil {
		v.Step = -1
		res.Violation, res.Failing = v, steps
		w.trace.line("VIOLATION %s: %s", v.Invariant, v.Detail)
	}
	w.trace.line("END %s", w.digest())
	res.Hash = tr.sum()
	return res, nil
}

// stepRand is a step's own source of choices.
func stepRand(seed, arg uint64) *rand.Rand { return rand.New(rand.NewPCG(arg, seed)) }

func jsonUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

// finalDrain ends a run: faults stop, every notification is delivered,
// the clock moves past every expiry with the engine running, and then the
// end-of-run invariants are checked on top of the others.
func (w *world) finalDrain() *Violation {
	w.fault = Fault{}
	w.rng = stepRand(w.seed, 0xD7A1)
	if w.dead {
		_ = w.restart()
	}
	for range 3 {
		// The merchant reviews the card payments fraud detection challenged
		// (Midtrans would cancel them unreviewed a day later).
		for _, t := range w.emuTxns() {
			if t.Status == "capture" && t.FraudStatus == "challenge" {
				act := []string{"approve", "deny"}[w.pick(2)]
				code, _ := w.emu.SimAction(w.ctx, t.OrderID, act)
				w.trace.line("  review %s %s -> %d", t.OrderID, act, code)
			}
		}
		_ = w.emu.Drain(w.ctx)
		for len(w.notes) > 0 {
			w.deliver(w.takeNote(0), "final")
		}
		w.advanceWithEngine(2 * 24 * time.Hour)
		if v := w.check(); v != nil {
			return v
		}
	}
	if v := w.awaitRefundChecks(); v != nil {
		return v
	}
	_ = w.emu.Drain(w.ctx)
	for len(w.notes) > 0 {
		w.deliver(w.takeNote(0), "final")
	}
	if _, err := w.svc.RunDue(w.ctx); err != nil {
		if w.watched("finalDrainLeavesNothingBehind") {
			return &Violation{Invariant: "finalDrainLeavesNothingBehind", Detail: "final billing run: " + err.Error()}
		}
	}
	_ = w.emu.Drain(w.ctx)
	for len(w.notes) > 0 {
		w.deliver(w.takeNote(0), "final")
	}
	if v := w.check(); v != nil {
		return v
	}
	s, err := w.snapshot()
	if err != nil {
		return &Violation{Invariant: "snapshot", Detail: err.Error()}
	}
	if d := w.finalDrainLeavesNothingBehind(s); d != "" && w.watched("finalDrainLeavesNothingBehind") {
		return &Violation{Invariant: "finalDrainLeavesNothingBehind", Detail: d}
	}
	if d := finalOrdersMatch(s); d != "" && w.watched("everyRupiahAccountedOnce") {
		return &Violation{Invariant: "everyRupiahAccountedOnce", Detail: d}
	}
	return nil
}

// awaitRefundChecks lets the clock run, with the engine, to the refund
// check due next for every payment Midtrans refunded more of than is
// recorded here: a refund made at the Midtrans dashboard whose every
// notification was lost is found only by those checks (at most 180 days
// after settlement), and the drain must not end before the service had
// its chance.
func (w *world) awaitRefundChecks() *Violation {
	s, err := w.snapshot()
	if err != nil {
		return &Violation{Invariant: "snapshot", Detail: err.Error()}
	}
	var until time.Time
	for _, t := range s.txns {
		p, ok := s.byOrder[t.OrderID]
		if !ok || !emuSettled(t) || gatewayRefunded(p).Equal(rupiah(t.RefundAmount)) || p.RefundCheckAt.IsZero() {
			continue
		}
		if p.RefundCheckAt.After(until) {
			until = p.RefundCheckAt
		}
	}
	if until.IsZero() || !until.After(s.now) {
		return nil
	}
	w.trace.line("  await refund checks until %s", until.Format(time.RFC3339))
	w.advanceWithEngine(until.Sub(s.now) + time.Hour)
	_ = w.emu.Drain(w.ctx)
	for len(w.notes) > 0 {
		w.deliver(w.takeNote(0), "final")
	}
	return w.check()
}

// finalDrainLeavesNothingBehind: once every notification is delivered and
// the clock is past every expiry, no payment is left creating, none is
// open here that Midtrans closed or past its expiry, and every queue (the
// outbox, stored-but-unapplied notifications, Midtrans' deliveries) is empty.
func (w *world) finalDrainLeavesNothingBehind(s *snapshot) string {
	for _, p := range s.payments {
		switch {
		case p.Status == core.PaymentCreating:
			return fmt.Sprintf("payment %s is still creating", p.OrderID)
		case p.Status.Open() && !p.ExpiresAt.IsZero() && s.now.After(p.ExpiresAt.Add(time.Hour)):
			return fmt.Sprintf("payment %s is still %s, %s past its expiry", p.OrderID, p.Status, s.now.Sub(p.ExpiresAt))
		case p.Status.Open() && viaMidtrans(p):
			if t, ok := s.emuOrder[p.OrderID]; ok && t.Status != "pending" && !(t.Status == "capture" && t.FraudStatus == "challenge") {
				return fmt.Sprintf("payment %s is %s here but %s at Midtrans", p.OrderID, p.Status, t.Status)
			}
		}
	}
	if n, _, err := w.svc.OutboxDepth(w.ctx); err == nil && n > 0 {
		return fmt.Sprintf("%d outbox events undelivered", n)
	}
	received := 0
	_ = w.view(func(tx core.Tx) error {
		return tx.WebhookLogs().ScanReceived(func(core.WebhookLog) bool { received++; return true })
	})
	if received > 0 {
		return fmt.Sprintf("%d notifications stored but never applied", received)
	}
	_, b := w.emuCall("GET", "/_sim/notifications", nil)
	var ds []struct {
		Done    bool   `json:"done"`
		OrderID string `json:"order_id"`
	}
	_ = json.Unmarshal(b, &ds)
	for _, d := range ds {
		if !d.Done {
			return "Midtrans still has a delivery pending for " + d.OrderID
		}
	}
	if len(w.notes) > 0 {
		return fmt.Sprintf("%d notifications not delivered", len(w.notes))
	}
	return ""
}

// finalOrdersMatch: every rupiah Midtrans holds as settled, minus what it
// refunded, is accounted for here exactly once, and every Midtrans order
// (the Subscription API's included) is known here with the same amount and
// outcome.
func finalOrdersMatch(s *snapshot) string {
	for _, t := range s.txns {
		p, ok := s.byOrder[t.OrderID]
		if !ok && t.Subscription != "" && !emuSettled(t) {
			continue // a Subscription API charge that failed: no money, no payment
		}
		if !ok {
			return fmt.Sprintf("Midtrans holds order %s (%s %s, %s) that is unknown here", t.OrderID, t.PaymentType, t.GrossAmount, t.Status)
		}
		if !rupiah(t.GrossAmount).Equal(p.Amount) {
			return fmt.Sprintf("order %s is %s at Midtrans, %s here", t.OrderID, t.GrossAmount, p.Amount)
		}
		if emuSettled(t) != p.Status.Settled() {
			return fmt.Sprintf("order %s is %s/%s at Midtrans but %s here", t.OrderID, t.Status, t.FraudStatus, p.Status)
		}
		if emuSettled(t) && !gatewayRefunded(p).Equal(rupiah(t.RefundAmount)) {
			return fmt.Sprintf("order %s: Midtrans refunded %s, recorded here %s", t.OrderID, rupiah(t.RefundAmount), gatewayRefunded(p))
		}
	}
	return ""
}

// digest is the end state in a fixed order: every subscription's status
// and cycle, every payment's status and amounts.
func (w *world) digest() string {
	var b strings.Builder
	for _, s := range w.subs() {
		fmt.Fprintf(&b, "%s:%s:%d:%s;", s.ID[:8], s.Status, s.Cycle, s.CurrentPeriodEnd.Format(time.RFC3339))
	}
	ps := w.payments()
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	for _, p := range ps {
		fmt.Fprintf(&b, "%s:%s:%s:%s;", p.OrderID, p.Status, p.Amount, p.Refunded)
	}
	return fmt.Sprintf("subs=%d payments=%d %x", len(w.subs()), len(ps), hashString(b.String()))
}

func hashString(s string) []byte {
	t := newTracer(nil)
	t.line("%s", s)
	return []byte(t.sum()[:16])
}
