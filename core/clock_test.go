package core

import (
	"sync"
	"testing"
	"time"
)

// A followed manual clock takes a later shared time, never an earlier one,
// and publishes its own moves before Advance and Set return.
func TestManualClockFollow(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	shared, have := time.Time{}, false
	var published []time.Time
	c := NewManualClock(t0)
	c.Follow(func() (time.Time, bool) {
		mu.Lock()
		defer mu.Unlock()
		return shared, have
	}, func(at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		published = append(published, at)
		if at.After(shared) {
			shared, have = at, true
		}
	})
	set := func(at time.Time) { mu.Lock(); shared, have = at, true; mu.Unlock() }
	steps := []struct {
		name string
		do   func() time.Time
		want time.Time
	}{
		{"nothing shared", c.Now, t0},
		{"another instance moved on", func() time.Time { set(t0.Add(time.Hour)); return c.Now() }, t0.Add(time.Hour)},
		{"an earlier shared time is ignored", func() time.Time { set(t0); return c.Now() }, t0.Add(time.Hour)},
		{"advance starts from the shared time", func() time.Time { set(t0.Add(2 * time.Hour)); return c.Advance(time.Minute) }, t0.Add(2*time.Hour + time.Minute)},
		{"set never goes back", func() time.Time { c.Set(t0); return c.Now() }, t0.Add(2*time.Hour + time.Minute)},
		{"set forward", func() time.Time { c.Set(t0.Add(3 * time.Hour)); return c.Now() }, t0.Add(3 * time.Hour)},
	}
	for _, st := range steps {
		if got := st.do(); !got.Equal(st.want) {
			t.Errorf("%s: %v, want %v", st.name, got, st.want)
		}
	}
	want := []time.Time{t0.Add(2*time.Hour + time.Minute), t0.Add(3 * time.Hour)}
	if len(published) != len(want) || !published[0].Equal(want[0]) || !published[1].Equal(want[1]) {
		t.Errorf("published %v, want %v (moves only)", published, want)
	}
}
