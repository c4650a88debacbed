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
	PublishSharedTime(ctx context.Context, name string, t time.Time) error
}

// followSharedClock makes a manual clock on a shared store read the stored
// time before every use and store every move at once, so an advance made
// through one instance holds for all of them, also while its jobs run (a
// delivery leased by another instance at the old time would otherwise look
// expired to the advancing one). A failed read leaves the clock where it
// stands; a failed store is made good by the save after the advance.
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
	}, func(t time.Time) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = src.PublishSharedTime(ctx, clockKey, t)
	})
}
