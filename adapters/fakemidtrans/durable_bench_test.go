package fakemidtrans

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkDurableCharge measures charges/s over loopback, in memory and
// with a data file, where every answered charge is on disk first and
// concurrent charges share the file's fsyncs (charges/fsync says how many
// on average). One client shows the cost of an fsync per call.
func BenchmarkDurableCharge(b *testing.B) {
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"))
	var seq atomic.Int64
	for _, c := range []struct {
		name    string
		file    bool
		clients int
	}{{"memory/16-clients", false, 16}, {"datafile/16-clients", true, 16}, {"datafile/1-client", true, 1}} {
		b.Run(c.name, func(b *testing.B) {
			opts := Options{ServerKey: testKey}
			if c.file {
				opts.DataFile = filepath.Join(b.TempDir(), "emu.db")
			}
			e, err := New(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			srv := httptest.NewServer(e)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var left atomic.Int64
			left.Store(int64(b.N))
			var wg sync.WaitGroup
			b.ResetTimer()
			for range c.clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for left.Add(-1) >= 0 {
						id := fmt.Sprintf("durable-%d", seq.Add(1))
						body := `{"payment_type":"bank_transfer","transaction_details":{"order_id":"` + id + `","gross_amount":49000},"bank_transfer":{"bank":"bca"}}`
						req := must(http.NewRequest("POST", srv.URL+"/v2/charge", strings.NewReader(body)))
						req.Header.Set("Authorization", auth)
						res, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != 200 {
							b.Errorf("charge: HTTP %d", res.StatusCode)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "charges/s")
			if e.jr != nil {
				e.jr.mu.Lock()
				b.ReportMetric(float64(b.N)/float64(max(e.jr.done, 1)), "charges/fsync")
				e.jr.mu.Unlock()
			}
		})
	}
}
