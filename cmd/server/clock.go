package main

import (
	"context"
	"time"

	"github.com/langganan/langganan/core"
)

// sharedTimer is a store whose named times other processes may move: the
// PostgreSQL store, which several instances share. The bbolt file has one
// process, so its manual clock needs no following.
type sharedTimer interface {
	SharedTime(ctx context.Context, name string) (time.Time, bool, error)
}

// followSharedClock makes a manual clock on a shared store read the stored
// time before every use, so an advance made through one instance holds for
// all of them. A failed read leaves the clock where it stands: the next
// read catches up.
func followSharedClock(c *core.ManualClock, st storage) {
	src, ok := st.(sharedTimer)
	if !ok {
		return
	}
	c.Follow(func() (time.Time, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t, ok, err := src.SharedTime(ctx, clockKey)
		return t, ok && err == nil
	})
}
