package midtrans

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// backoff is capped exponential backoff with jitter.
type backoff struct{ base, max time.Duration }

// delay is the wait before retry n (n ≥ 1): base·2^(n-1), capped, drawn from [d/2, d]
// so that many clients hit by the same outage do not retry in lockstep.
func (b backoff) delay(n int) time.Duration {
	d := b.base
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	if d > b.max {
		d = b.max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// breaker is a consecutive-failure circuit breaker. Closed: everything
// passes. After threshold unavailable outcomes in a row it opens and
// refuses calls for cooldown; then it lets a single probe through
// (half-open) whose outcome closes or re-opens it.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu       sync.Mutex
	failures int
	openedAt time.Time
	open     bool
	probing  bool
}

// allow reports whether a request may be sent now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true
	}
	if b.probing || b.now().Sub(b.openedAt) < b.cooldown {
		return false
	}
	b.probing = true
	return true
}

// record takes the verdict of a request that allow let through: ok means
// Midtrans answered sensibly (even with a 4xx).
func (b *breaker) record(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.failures, b.open = 0, false
		return
	}
	b.failures++
	if b.open || b.failures >= b.threshold {
		b.open, b.openedAt = true, b.now()
	}
}

// release gives back a half-open probe that produced no verdict (the caller gave up).
func (b *breaker) release() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// BreakerState reports "closed", "open" or "half-open", for health endpoints.
func (c *Client) BreakerState() string {
	b := c.breaker
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open:
		return "closed"
	case b.probing || b.now().Sub(b.openedAt) >= b.cooldown:
		return "half-open"
	}
	return "open"
}
