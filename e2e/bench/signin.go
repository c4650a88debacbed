package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// floodWorkers is the attack: 64 concurrent clients sending wrong
// Basic credentials with a new username each time.
const floodWorkers = 64

// signinFloodBench measures anonymous GET /api/plans/ (4 readers) without
// and during a flood of failed sign-ins (the target: p99 < 20 ms).
// It runs twice on fresh servers: as configured (the per-IP throttle soon
// answers the flood 429 without bcrypt), and with the per-IP throttle
// lifted, so only the bound on concurrent password verifications protects
// the readers.
func signinFloodBench(ctx context.Context, rep *report, srvBin, mockURL, dir string, sz sizes) error {
	for _, phase := range []struct {
		name  string
		extra map[string]string
	}{
		{"signin_flood", nil},
		{"signin_flood_no_ip_throttle", map[string]string{"LANGGANAN_LOGIN_FAILURES_PER_IP": "100000000"}},
	} {
		env := serverEnv(filepath.Join(dir, phase.name+".db"), mockURL)
		for k, v := range phase.extra {
			env[k] = v
		}
		srv, _, err := startTimed(ctx, srvBin, env)
		if err != nil {
			return err
		}
		err = floodPhase(ctx, rep, phase.name, srv.url, sz)
		srv.stop()
		if err != nil {
			return err
		}
	}
	return nil
}

func floodPhase(ctx context.Context, rep *report, name, srvURL string, sz sizes) error {
	loopbackOnly(srvURL)
	api := srvURL + "/api"
	adm := basic(adminUser, adminPass)
	for i := range 3 {
		if st, b, err := call("POST", api+"/plans/", adm, map[string]any{"name": fmt.Sprintf("Flood %d", i),
			"price": "49000", "interval_unit": "month"}); err != nil || st != 201 {
			return fmt.Errorf("create plan: %d %v %v", st, b, err)
		}
	}
	plans := api + "/plans/"
	const readers = 4
	logf("%s: %d anonymous readers for %v, alone", name, readers, sz.readFor)
	base := load(ctx, readers, sz.readMax, sz.readFor, func(c *http.Client, _ int) error { return get(c, plans, "") })

	logf("%s: the same readers during a flood of %d clients with wrong passwords", name, floodWorkers)
	var (
		wg               sync.WaitGroup
		unauth, limited  atomic.Int64
		floodN, floodErr atomic.Int64
		during           loadResult
	)
	floodCtx, stop := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		fl := load(floodCtx, floodWorkers, 50*sz.readMax, sz.readFor+5*time.Second, func(c *http.Client, i int) error {
			req, _ := http.NewRequest("GET", api+"/me/", nil)
			req.Header.Set("Authorization", basic(fmt.Sprintf("flood-%d", i), fmt.Sprintf("wrong-password-%d", i)))
			res, err := c.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			switch res.StatusCode {
			case 401:
				unauth.Add(1)
			case 429:
				limited.Add(1)
			default:
				return fmt.Errorf("flood answered %d", res.StatusCode)
			}
			return nil
		})
		floodN.Store(int64(fl.n))
		floodErr.Store(int64(fl.errs))
	}()
	time.Sleep(500 * time.Millisecond) // let the flood reach full strength first
	t0 := time.Now()
	during = load(ctx, readers, sz.readMax, sz.readFor, func(c *http.Client, _ int) error { return get(c, plans, "") })
	stop()
	wg.Wait()
	floodSecs := time.Since(t0).Seconds() + 0.5
	note := fmt.Sprintf("anonymous GET /api/plans/, %d readers, during %d clients failing sign-in; p99 without the flood %.2f ms (target during: < 20 ms); flood %.0f req/s: %d answered 401 (bcrypt), %d 429",
		readers, floodWorkers, base.pct(0.99), float64(floodN.Load())/floodSecs, unauth.Load(), limited.Load())
	if during.errs > 0 || floodErr.Load() > 0 {
		note += fmt.Sprintf("; %d read errors (first: %s), %d flood errors", during.errs, during.first, floodErr.Load())
	}
	rep.add(result{Name: name, Value: round(during.rate(), 1), Unit: "req/s", P50: during.pct(0.50), P99: during.pct(0.99),
		Ceiling: round(base.rate(), 1), note: note})
	return nil
}
