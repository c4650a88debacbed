package fakemidtrans

import (
	"time"

	"github.com/langganan/langganan/core"
)

// Clock is the emulator's source of time.
type Clock interface{ Now() time.Time }

// AdvanceableClock is a clock the control plane can move; /_sim/clock/advance answers 409 if the clock is not one.
type AdvanceableClock interface {
	Clock
	Advance(d time.Duration) time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// ManualClock stands still until Advance or Set moves it. It is core's
// manual clock, so the billing service and its in-process emulator can
// share one.
type ManualClock = core.ManualClock

// NewManualClock returns a manual clock starting at start.
func NewManualClock(start time.Time) *ManualClock { return core.NewManualClock(start) }

// wib is Midtrans' wire time zone (GMT+7, no suffix on the wire).
var wib = time.FixedZone("WIB", 7*3600)

const wireTime = "2006-01-02 15:04:05"

func fmtWire(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(wib).Format(wireTime)
}

// fmtSub formats Subscription API timestamps ("2019-05-29T09:11:01.810452" style, GMT+7, no zone).
func fmtSub(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(wib).Format("2006-01-02T15:04:05.000000")
}
