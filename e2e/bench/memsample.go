package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"time"

	"go.etcd.io/bbolt"
)

// memClasses are the Go runtime's own accounts of the memory it holds, read
// when the sampled anonymous RSS reaches a new peak: they tell what that
// peak consists of (live objects, the collector's headroom, freed but not
// yet returned spans, stacks, the runtime's own structures).
var memClasses = []struct{ name, key string }{
	{"/memory/classes/heap/objects:bytes", "heap_objects"},
	{"/memory/classes/heap/unused:bytes", "heap_unused"},
	{"/memory/classes/heap/free:bytes", "heap_free"},
	{"/memory/classes/heap/stacks:bytes", "stacks"},
	{"/memory/classes/metadata/other:bytes", "runtime_metadata"},
	{"/gc/heap/live:bytes", "heap_live_at_last_gc"},
	{"/gc/heap/goal:bytes", "heap_goal"},
}

// memAt reads memClasses, in MB.
func memAt() map[string]float64 {
	s := make([]metrics.Sample, len(memClasses))
	for i, c := range memClasses {
		s[i].Name = c.name
	}
	metrics.Read(s)
	out := make(map[string]float64, len(s))
	for i, c := range memClasses {
		if s[i].Value.Kind() == metrics.KindUint64 {
			out[c.key] = round(float64(s[i].Value.Uint64())/(1<<20), 1)
		}
	}
	return out
}

// memText prints memAt's figures in memClasses' order.
func memText(m map[string]float64) string {
	var b []byte
	for _, c := range memClasses {
		if v, ok := m[c.key]; ok {
			if len(b) > 0 {
				b = append(b, ", "...)
			}
			b = fmt.Appendf(b, "%s %.1f", c.key, v)
		}
	}
	return string(b)
}

// fileStats describes a bbolt file's size and free pages (a diagnostic).
func fileStats(path string) string {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	st := db.Stats()
	fi, _ := os.Stat(path)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	return fmt.Sprintf("%.0f MB, %d free pages, %d pending", float64(size)/(1<<20), st.FreePageN, st.PendingPageN)
}
