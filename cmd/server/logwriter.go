package main

import (
	"io"
	"sync"
)

// maxPendingLog bounds the log bytes waiting for the writer goroutine; a
// logger that gets this far ahead waits instead of growing the buffer.
const maxPendingLog = 1 << 20

// lineWriter gives log lines to one goroutine that writes everything
// gathered since its last write in a single call. A server under load
// then makes one write(2) for many access-log lines instead of one per
// request (on authenticated reads that write was about a twentieth of the
// server's CPU), and an idle server's line still goes out at once. No line
// is dropped and lines keep the order in which they were written; what is
// still buffered when the process is killed is lost, as with any buffer.
type lineWriter struct {
	out io.Writer

	mu      sync.Mutex
	drained *sync.Cond // signalled when the pending lines are taken
	pending []byte
	closed  bool

	flushMu sync.Mutex // one write to out at a time, in order
	spare   []byte     // guarded by flushMu

	wake chan struct{} // capacity 1: "there is something to write"
	stop chan struct{}
	done chan struct{}
}

func newLineWriter(out io.Writer) *lineWriter {
	w := &lineWriter{out: out, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	w.drained = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// Write queues p (zerolog writes one whole line per call). After Close it
// writes p itself, behind anything still queued.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.pending) >= maxPendingLog && !w.closed {
		w.drained.Wait()
	}
	w.pending = append(w.pending, p...)
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return len(p), w.flush()
	}
	select {
	case w.wake <- struct{}{}:
	default: // a wake-up is already due and will take p too
	}
	return len(p), nil
}

func (w *lineWriter) run() {
	defer close(w.done)
	for {
		select {
		case <-w.wake:
			_ = w.flush() // zerolog has no one to tell either
		case <-w.stop:
			return
		}
	}
}

// flush writes everything queued so far.
func (w *lineWriter) flush() error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	w.pending, w.spare = w.spare[:0], w.pending
	w.drained.Broadcast()
	w.mu.Unlock()
	if len(w.spare) == 0 {
		return nil
	}
	_, err := w.out.Write(w.spare)
	if cap(w.spare) > maxPendingLog { // a burst's buffer is not kept for good
		w.spare = nil
	}
	return err
}

// Close writes what is queued and makes later writes synchronous.
func (w *lineWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.drained.Broadcast()
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	return w.flush()
}
