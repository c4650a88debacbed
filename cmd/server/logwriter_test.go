package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// recorder keeps every Write call; while gate is set, the first call waits
// on it after saying it has started.
type recorder struct {
	mu      sync.Mutex
	calls   []string
	started chan struct{}
	gate    chan struct{}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.gate != nil {
		r.started <- struct{}{}
		<-r.gate
		r.gate = nil // only the writer goroutine writes before Close
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, string(p))
	return len(p), nil
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.calls, "")
}

func TestLineWriterKeepsEveryLineInOrder(t *testing.T) {
	rec := &recorder{}
	w := newLineWriter(rec)
	const writers, lines = 8, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(w, "g%d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "after close\n")

	got := strings.Split(strings.TrimSuffix(rec.text(), "\n"), "\n")
	if len(got) != writers*lines+1 || got[len(got)-1] != "after close" {
		t.Fatalf("%d lines, last %q; want %d and the line written after Close", len(got), got[len(got)-1], writers*lines+1)
	}
	next := make([]int, writers)
	for _, l := range got[:len(got)-1] {
		var g, i int
		if _, err := fmt.Sscanf(l, "g%d line %d", &g, &i); err != nil {
			t.Fatalf("torn line %q: %v", l, err)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after line %d", g, i, next[g]-1)
		}
		next[g]++
	}
}

func TestLineWriterGathersLinesWrittenDuringAWrite(t *testing.T) {
	rec := &recorder{started: make(chan struct{}), gate: make(chan struct{})}
	w := newLineWriter(rec)
	fmt.Fprintf(w, "first\n")
	<-rec.started // the writer goroutine is inside out.Write with "first"
	var want bytes.Buffer
	for i := range 99 {
		fmt.Fprintf(w, "line %d\n", i)
		fmt.Fprintf(&want, "line %d\n", i)
	}
	close(rec.gate)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 2 || rec.calls[0] != "first\n" || rec.calls[1] != want.String() {
		t.Fatalf("writes %q; want the first line, then the other 99 in one write", rec.calls)
	}
}
