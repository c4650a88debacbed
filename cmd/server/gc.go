package main

import (
	"os"
	"runtime/debug"
)

// Garbage-collector setting of serve, unless the environment sets its own
// (GOGC, GOMEMLIMIT). Each API request allocates tens of kilobytes (decoded
// records, response objects, JSON) while the live heap stays small (the
// data lives in bbolt's mmap, not the heap), so at the default GOGC=100
// the collector runs many times a second and took a quarter of the CPU of
// GET /api/subscriptions/ under load. GOGC=400 collects four times less
// often; the soft limit makes it collect sooner again should the heap
// ever approach it, so the trade is bounded.
const (
	serveGCPercent  = 400
	serveSoftMemory = 1 << 30 // 1 GiB
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveSoftMemory)
	}
}
