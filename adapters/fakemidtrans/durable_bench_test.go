package fakemidtrans

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkDurableCharge measures charges/s over loopback with 8 concurrent
// clients per CPU, in memory and with a data file, where every answered
// charge is on disk first and concurrent charges share the file's fsyncs
// (charges/fsync says how many on average).
func BenchmarkDurableCharge(b *testing.B) {
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"))
	var seq atomic.Int64
	for _, c := range []struct {
		name string
		file bool
	}{{"memory", false}, {"datafile", true}} {
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
			b.SetParallelism(8) // 8 clients per CPU
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprintf("durable-%d", seq.Add(1))
					body := `{"payment_type":"bank_transfer","transaction_details":{"order_id":"` + id + `","gross_amount":49000},"bank_transfer":{"bank":"bca"}}`
					req := must(http.NewRequest("POST", srv.URL+"/v2/charge", strings.NewReader(body)))
					req.Header.Set("Authorization", auth)
					res, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Fatalf("charge: HTTP %d", res.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "charges/s")
			if e.jr != nil {
				e.jr.mu.Lock()
				b.ReportMetric(float64(b.N)/float64(max(e.jr.done, 1)), "charges/fsync")
				e.jr.mu.Unlock()
			}
		})
	}
}
