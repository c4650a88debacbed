package midtrans

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDefaultTransportKeepsItsConnections: a client built without an
// http.Client keeps a connection per request it lets fly, so a second
// round of concurrent calls opens none (Go's default transport keeps two
// per host, and this test then counts 14 connections instead of 8).
func TestDefaultTransportKeepsItsConnections(t *testing.T) {
	const inFlight = 8
	var opened atomic.Int64
	var arrived sync.WaitGroup
	var release atomic.Pointer[chan struct{}] // this round's
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every call of a round holds its connection until all have arrived.
		arrived.Done()
		<-*release.Load()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status_code":"200","transaction_status":"settlement","order_id":"o"}`))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			opened.Add(1)
		}
	}
	s.Start()
	defer s.Close()
	c := newTestClient(t, s.URL, func(c *Config) { c.MaxConcurrent = inFlight })
	for round := range 2 {
		arrived.Add(inFlight)
		gate := make(chan struct{})
		release.Store(&gate)
		var calls sync.WaitGroup
		for range inFlight {
			calls.Go(func() {
				if _, err := c.Status(context.Background(), "o"); err != nil {
					t.Error(err)
				}
			})
		}
		arrived.Wait()
		close(gate)
		calls.Wait()
		if got := opened.Load(); got != inFlight {
			t.Fatalf("after round %d: %d connections opened, want %d", round+1, got, inFlight)
		}
	}
}
