package bolt

import (
	"errors"
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"
)

// groupCommit combines concurrent Updates into one bbolt transaction, like
// db.Batch, but without a timer: while one group commits (and fsyncs), the
// Updates that arrive wait; as soon as it is done they all run in the next
// transaction. The group size so follows the commit latency by itself: a
// lone writer commits at once (no batch delay), and under load every fsync
// carries everything that arrived during the previous one. db.Batch, with
// a fixed window, instead queues several small batches behind a slow fsync
// when callers arrive spread out (HTTP requests), each paying its own
// fsync.
//
// Semantics are db.Batch's: fn may run more than once; when fn fails or
// panics inside a group, the group is rolled back and re-run without it,
// and fn then runs alone in its own transaction, whose error (or panic)
// is its caller's.
type groupCommit struct {
	mu      sync.Mutex
	pending []*groupCall
	running bool
}

type groupCall struct {
	db   *bbolt.DB // the handle the caller holds (a refresh may replace it between groups)
	fn   func(*bbolt.Tx) error
	done chan error
}

// maxGroup bounds one transaction; the rest wait for the next.
const maxGroup = 1000

var errRunAlone = errors.New("bolt: run this update alone")

// update runs fn in a write transaction shared with concurrent callers.
func (g *groupCommit) update(db *bbolt.DB, fn func(*bbolt.Tx) error) error {
	c := &groupCall{db: db, fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	err := <-c.done
	if errors.Is(err, errRunAlone) {
		err = db.Update(fn)
	}
	return err
}

// loop commits groups until nobody waits. Every call of a group holds the
// same handle: a refresh replaces it only while no call is pending.
func (g *groupCommit) loop() {
	for {
		g.mu.Lock()
		n := min(len(g.pending), maxGroup)
		if n == 0 {
			g.running = false
			g.pending = nil
			g.mu.Unlock()
			return
		}
		calls := make([]*groupCall, n)
		copy(calls, g.pending)
		rest := copy(g.pending, g.pending[n:])
		clear(g.pending[rest:])
		g.pending = g.pending[:rest]
		g.mu.Unlock()
		run(calls[0].db, calls)
	}
}

// run commits calls in one transaction, taking out any that fails.
func run(db *bbolt.DB, calls []*groupCall) {
	for len(calls) > 0 {
		failed := -1
		err := db.Update(func(tx *bbolt.Tx) error {
			for i, c := range calls {
				if err := callSafely(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			c := calls[failed]
			calls[failed] = calls[len(calls)-1]
			calls = calls[:len(calls)-1]
			c.done <- errRunAlone
			continue
		}
		for _, c := range calls {
			c.done <- err
		}
		return
	}
}

func callSafely(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bolt: update panicked: %v", p)
		}
	}()
	return fn(tx)
}
