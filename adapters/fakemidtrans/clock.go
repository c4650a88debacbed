package fakemidtrans

import (
	"sync"
	"time"
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

// ManualClock stands still until Advance or Set moves it. The emulator
// keeps its own (it knows nothing of the service it stands in for); a
// program embedding it may pass any clock with the same methods, such as
// the billing service's, so both share one time.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a manual clock starting at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now is the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves time forward by d (never backward) and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return c.now
}

// Set moves the clock to t if t is later than its time.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}

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
