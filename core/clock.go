package core

import (
	"sync"
	"time"
)

// Clock is the only source of time in core. Nothing in core calls time.Now.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

func (f ClockFunc) Now() time.Time { return f() }

// ManualClock stands still until Advance or Set moves it. It backs the
// LANGGANAN_CLOCK=manual mode and the tests.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
	// follow, if set, is read before every use: a later time it answers
	// (another instance's advance, kept in a shared store) moves the clock.
	follow func() (time.Time, bool)
	// publish, if set, is told every time Advance or Set moved the clock.
	publish func(time.Time)
}

// Follow makes the clock catch up with src before every Now, Advance and
// Set, and hands every move to publish (nil: none), before Advance or Set
// returns: instances sharing one store share one manual clock this way, and
// the jobs run after an advance see the same time on every instance. Both
// must be safe for concurrent use; src's false means it has nothing to say.
func (c *ManualClock) Follow(src func() (time.Time, bool), publish func(time.Time)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.follow, c.publish = src, publish
}

// catchUp reads the followed source (outside the lock: it may do I/O) and
// takes its time if later. Called with c.mu not held.
func (c *ManualClock) catchUp() {
	c.mu.Lock()
	src := c.follow
	c.mu.Unlock()
	if src == nil {
		return
	}
	if t, ok := src(); ok {
		c.mu.Lock()
		if t.After(c.now) {
			c.now = t
		}
		c.mu.Unlock()
	}
}

// NewManualClock starts a manual clock at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

func (c *ManualClock) Now() time.Time {
	c.catchUp()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves time forward by d (never backward) and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.catchUp()
	c.mu.Lock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	now, publish := c.now, c.publish
	c.mu.Unlock()
	if publish != nil && d > 0 {
		publish(now)
	}
	return now
}

// Set moves the clock to t if t is later than the current time.
func (c *ManualClock) Set(t time.Time) {
	c.catchUp()
	c.mu.Lock()
	moved := t.After(c.now)
	if moved {
		c.now = t
	}
	publish := c.publish
	c.mu.Unlock()
	if publish != nil && moved {
		publish(t)
	}
}
