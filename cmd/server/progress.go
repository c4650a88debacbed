package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a long operation: a bar on a terminal, plain log lines
// (at most one every few seconds) otherwise. Writing to it counts bytes;
// Add counts steps.
type progress interface {
	io.Writer
	Add(n int64)
	Finish()
}

// isTerminal reports whether w is a terminal (not a pipe, file or buffer).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress reports on w; total < 0 means unknown; bytes formats the
// counts as sizes.
func newProgress(w io.Writer, total int64, desc string, bytes bool) progress {
	if isTerminal(w) {
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		}
		if bytes {
			opts = append(opts, progressbar.OptionShowBytes(true))
		}
		return &barProgress{bar: progressbar.NewOptions64(total, opts...)}
	}
	return &logProgress{w: w, desc: desc, total: total, bytes: bytes, every: 2 * time.Second, last: time.Now()}
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (b *barProgress) Write(p []byte) (int, error) {
	_ = b.bar.Add64(int64(len(p)))
	return len(p), nil
}
func (b *barProgress) Add(n int64) { _ = b.bar.Add64(n) }
func (b *barProgress) Finish()     { _ = b.bar.Finish() }

// logProgress writes "desc: 12.0 MiB of 40.0 MiB (30%)" lines.
type logProgress struct {
	mu    sync.Mutex
	w     io.Writer
	desc  string
	total int64
	n     int64
	bytes bool
	every time.Duration
	last  time.Time
	done  bool
}

func (l *logProgress) Write(p []byte) (int, error) { l.Add(int64(len(p))); return len(p), nil }

func (l *logProgress) Add(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += n
	if now := time.Now(); now.Sub(l.last) >= l.every {
		l.last = now
		fmt.Fprintf(l.w, "%s: %s\n", l.desc, l.state())
	}
}

func (l *logProgress) Finish() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.done = true
		fmt.Fprintf(l.w, "%s: done, %s\n", l.desc, l.amount(l.n))
	}
}

func (l *logProgress) state() string {
	if l.total <= 0 {
		return l.amount(l.n)
	}
	return fmt.Sprintf("%s of %s (%d%%)", l.amount(l.n), l.amount(l.total), l.n*100/l.total)
}

func (l *logProgress) amount(n int64) string {
	if l.bytes {
		return humanBytes(n)
	}
	return fmt.Sprint(n)
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
