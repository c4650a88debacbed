package fakemidtrans

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// nopWriter is a minimal ResponseWriter so the benchmark measures the emulator, not the recorder.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkChargeStatus measures one charge plus one status call per iteration.
func BenchmarkChargeStatus(b *testing.B) {
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"))
	var seq atomic.Int64
	b.Run("in-process", func(b *testing.B) {
		e, _ := New(Options{ServerKey: testKey})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &nopWriter{h: http.Header{}}
			for pb.Next() {
				id := fmt.Sprintf("bench-%d", seq.Add(1))
				body := `{"payment_type":"bank_transfer","transaction_details":{"order_id":"` + id + `","gross_amount":49000},"bank_transfer":{"bank":"bca"}}`
				req, _ := http.NewRequest("POST", "/v2/charge", strings.NewReader(body))
				req.Header.Set("Authorization", auth)
				e.ServeHTTP(w, req)
				req, _ = http.NewRequest("GET", "/v2/"+id+"/status", nil)
				req.Header.Set("Authorization", auth)
				e.ServeHTTP(w, req)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "charges/s")
	})
	b.Run("loopback", func(b *testing.B) {
		e, _ := New(Options{ServerKey: testKey})
		srv := httptest.NewServer(e)
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := fmt.Sprintf("loop-%d", seq.Add(1))
				body := `{"payment_type":"bank_transfer","transaction_details":{"order_id":"` + id + `","gross_amount":49000},"bank_transfer":{"bank":"bca"}}`
				for _, req := range []*http.Request{
					must(http.NewRequest("POST", srv.URL+"/v2/charge", strings.NewReader(body))),
					must(http.NewRequest("GET", srv.URL+"/v2/"+id+"/status", nil)),
				} {
					req.Header.Set("Authorization", auth)
					res, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "charges/s")
	})
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}
