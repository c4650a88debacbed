package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Op is one kind of simulated operation.
type Op uint8

const (
	OpSignUp Op = iota
	OpLinkGopay
	OpPay // pay, fail, expire, deny, challenge or approve an order at Midtrans
	OpTopUp
	OpRefund
	OpDashboardRefund // a refund made at Midtrans, not through the service
	OpPause
	OpResume
	OpChangePlan
	OpSeats
	OpCancel // now, at period end, or undo
	OpMembers
	OpAdvance // the clock, with the engine keeping up or not
	OpEngine
	OpNotes // deliver, drop, duplicate, reorder, delay or forge notifications
	OpRestart
	OpCharge // a customer asks to pay the next cycle now
	OpSync   // status checks and subscription syncs
	opCount
)

var opNames = [opCount]string{"signup", "link_gopay", "pay", "topup", "refund", "dashboard_refund", "pause", "resume",
	"change_plan", "seats", "cancel", "members", "advance", "engine", "notes", "restart", "charge", "sync"}

func (o Op) String() string {
	if o < opCount {
		return opNames[o]
	}
	return fmt.Sprintf("op%d", o)
}

// opWeights is how often each operation is chosen.
var opWeights = [opCount]int{
	OpSignUp: 14, OpLinkGopay: 3, OpPay: 16, OpTopUp: 5, OpRefund: 8, OpDashboardRefund: 3, OpPause: 5, OpResume: 5,
	OpChangePlan: 7, OpSeats: 4, OpCancel: 6, OpMembers: 4, OpAdvance: 14, OpEngine: 6, OpNotes: 16, OpRestart: 2,
	OpCharge: 2, OpSync: 2,
}

// FaultKind is a fault injected inside a step.
type FaultKind uint8

const (
	FaultNone             FaultKind = iota
	FaultCrashAfterCommit           // the process dies right after a store commit
	FaultCrashBeforeCall            // ... just before a gateway request leaves
	FaultCrashAfterCall             // ... after Midtrans applied a request, before the answer is read
	FaultHTTP500                    // Midtrans answers 500 without applying the request
	FaultTimeoutApplied             // Midtrans applied the request; the answer timed out
	FaultReset                      // the connection is reset before the request arrives
	FaultResetApplied               // ... after Midtrans applied it
	FaultReplay                     // the request is sent twice with its Idempotency-Key
	FaultNotifyInFlight             // notifications are delivered while the request is in flight
	FaultRefundInFlight             // a second refund runs while a refund request is in flight
	faultCount
)

var faultNames = [faultCount]string{"none", "crash_after_commit", "crash_before_call", "crash_after_call", "http_500",
	"timeout_applied", "reset", "reset_applied", "replay", "notify_in_flight", "refund_in_flight"}

func (f FaultKind) String() string {
	if f < faultCount {
		return faultNames[f]
	}
	return fmt.Sprintf("fault%d", f)
}

// Fault places one fault: at the At-th store commit (crash after commit)
// or gateway request (every other kind) of its step.
type Fault struct {
	Kind FaultKind
	At   int
}

// Step is one operation with its own seed (Arg): the step draws every
// choice it makes (whose subscription, which amount) from Arg, so a step
// keeps its meaning when steps before it are dropped while shrinking.
type Step struct {
	Op    Op
	Arg   uint64
	Fault Fault
}

func (s Step) String() string {
	out := fmt.Sprintf("%s#%016x", s.Op, s.Arg)
	if s.Fault.Kind != FaultNone {
		out += fmt.Sprintf("!%s@%d", s.Fault.Kind, s.Fault.At)
	}
	return out
}

// faultRate is the share of steps that carry an injected fault.
const faultRate = 0.18

// GenSteps draws n steps from seed.
func GenSteps(seed uint64, n int) []Step {
	r := rand.New(rand.NewPCG(seed, 0x57E95))
	total := 0
	for _, w := range opWeights {
		total += w
	}
	out := make([]Step, n)
	for i := range out {
		x := r.IntN(total)
		op := Op(0)
		for ; x >= opWeights[op]; op++ {
			x -= opWeights[op]
		}
		st := Step{Op: op, Arg: r.Uint64()}
		if r.Float64() < faultRate {
			st.Fault = Fault{Kind: FaultKind(1 + r.IntN(int(faultCount)-1)), At: 1 + r.IntN(3)}
		}
		if op == OpRefund && r.Float64() < 0.5 {
			// Overlapping refunds are the race that matters most for money.
			st.Fault = Fault{Kind: FaultRefundInFlight, At: 1}
		}
		out[i] = st
	}
	return out
}

// FormatSteps writes steps one per line, the form ParseSteps reads.
func FormatSteps(steps []Step) string {
	var b strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&b, "%4d  %s\n", i, s)
	}
	return b.String()
}
