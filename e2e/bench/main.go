// Command bench measures Langganan on this machine, each figure beside a
// ceiling measured in the same run, and prints a table:
//
//	go run ./e2e/bench [-quick] [-large] [-out bench.json] [-only read_plans,webhook_ingest] [-billing-sizes 10000,1000000]
//
// webhook_ingest, read_plans and read_subscriptions drive a real cmd/server
// process (built into a temp dir, on a bbolt file seeded directly through
// adapters/bolt before it starts, manual clock, with cmd/mockmidtrans as its
// gateway) over loopback HTTP. billing_run runs core + adapters/bolt + the
// Midtrans client in one child process per size (the child is this binary
// again, so its peak RSS is that run's alone) against cmd/mockmidtrans over
// loopback; -billing-inprocess puts the fakemidtrans emulator inside the
// child instead (its state, which grows with every charge, then counts in
// the RSS). startup times exec → `listening` of cmd/server on a seeded file.
//
// Every load goes to 127.0.0.1 only, is bounded in requests and duration,
// and stops by itself.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/fakemidtrans"
	"github.com/langganan/langganan/adapters/midtrans"
	"github.com/langganan/langganan/adapters/passwords"
	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/core"
	"go.etcd.io/bbolt"
)

const (
	serverKey  = "SB-Mid-server-bench"
	clientKey  = "SB-Mid-client-bench"
	adminUser  = "admin"
	adminPass  = "bench-admin-pass-1234"
	clockStart = "2026-03-02T10:00:00+07:00"
)

// sizes are the knobs of one run.
type sizes struct {
	ingestSubs    int           // subscriptions in the server's file
	ingestNotes   int           // notifications sent (bounded by ingestSubs)
	senders       int           // concurrent webhook senders
	readWorkers   int           // concurrent readers
	readFor       time.Duration // each read phase (and its ceiling) lasts this long
	readMax       int           // … or this many requests
	billing       []int         // billing_run sizes, smallest first
	startupSubs   int           // subscriptions in the startup file
	startupTrials int
	budget        time.Duration // the whole run stops by then

	billingInProcess bool
	only             map[string]bool // nil: every measurement
}

// measurements are the names -only accepts.
var measurements = []string{"read_plans", "read_subscriptions", "webhook_ingest", "billing_run", "startup", "signin_flood"}

// wants reports whether the named measurement runs.
func (sz sizes) wants(name string) bool { return sz.only == nil || sz.only[name] }

func main() {
	quick := flag.Bool("quick", false, "a smaller version of every measurement, under 3 minutes")
	large := flag.Bool("large", false, "billing_run with 1M subscriptions too")
	out := flag.String("out", "", "write the results as JSON to this file")
	child := flag.Int("billing-child", 0, "internal: run one billing_run of this size and print JSON")
	cpuProfile := flag.String("billing-cpuprofile", "", "with -billing-child: write a CPU profile of the run")
	gateway := flag.String("billing-gateway", "", "with -billing-child: the emulator's URL (empty: the emulator in process)")
	inProcess := flag.Bool("billing-inprocess", false, "billing_run against the emulator inside the measured process (its state then counts in the RSS)")
	flag.BoolVar(&seedUsers, "billing-users", false, "billing_run: every subscription's owner is a user with an email address, so each renewal's invoice.issued event becomes an in-app and an email notification (rendered by the relay; emails are queued, not sent)")
	billingSizes := flag.String("billing-sizes", "", "billing_run sizes, comma-separated, smallest first (default 10000,100000; -quick 2000,10000; -large adds 1000000)")
	only := flag.String("only", "", "run only these measurements, comma-separated: read_plans, read_subscriptions, webhook_ingest, billing_run, startup, signin_flood (default: all), and the opt-in billing_run_postgres, webhook_ingest_postgres")
	bare := flag.String("bare-fiber-body", "", "internal: serve this file's bytes as JSON from bare Fiber on 127.0.0.1:0 until SIGTERM (the reads' ceiling)")
	flag.Parse()
	if *bare != "" {
		if err := serveBare(*bare); err != nil {
			fmt.Fprintln(os.Stderr, "bare fiber:", err)
			os.Exit(1)
		}
		return
	}
	if *child > 0 {
		if err := billingChild(*child, *gateway, *cpuProfile); err != nil {
			fmt.Fprintln(os.Stderr, "billing child:", err)
			os.Exit(1)
		}
		return
	}
	sz := sizes{ingestSubs: 100_000, ingestNotes: 20_000, senders: 64, readWorkers: 16, readFor: 10 * time.Second,
		readMax: 500_000, billing: []int{10_000, 100_000}, startupSubs: 1_000_000, startupTrials: 3, budget: 40 * time.Minute}
	if *quick {
		sz = sizes{ingestSubs: 10_000, ingestNotes: 4_000, senders: 64, readWorkers: 16, readFor: 4 * time.Second,
			readMax: 100_000, billing: []int{2_000, 10_000}, startupSubs: 100_000, startupTrials: 2, budget: 170 * time.Second}
	}
	if *large {
		sz.billing = append(sz.billing, 1_000_000)
		sz.budget += 30 * time.Minute
	}
	if *billingSizes != "" {
		sz.billing = nil
		for _, f := range strings.Split(*billingSizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "bench: -billing-sizes: %q is not a positive number\n", f)
				os.Exit(2)
			}
			sz.billing = append(sz.billing, n)
		}
		if slices.Max(sz.billing) >= 1_000_000 && !*large {
			sz.budget += 30 * time.Minute
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sz.budget)
	defer cancel()
	sz.billingInProcess = *inProcess
	if *only != "" {
		sz.only = map[string]bool{}
		for _, name := range strings.Split(*only, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(measurements, name) {
				fmt.Fprintf(os.Stderr, "bench: -only: unknown measurement %q (%s)\n", name, strings.Join(measurements, ", "))
				os.Exit(2)
			}
			sz.only[name] = true
		}
	}
	rep, err := run(ctx, sz)
	if rep != nil {
		rep.print(os.Stdout)
		if *out != "" {
			b, _ := json.MarshalIndent(rep, "", "  ")
			if werr := os.WriteFile(*out, append(b, '\n'), 0o644); werr != nil {
				fmt.Fprintln(os.Stderr, "bench:", werr)
				os.Exit(1)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// report is the -out JSON.
type report struct {
	Machine struct {
		CPUs   int     `json:"cpus"`
		Go     string  `json:"go"`
		Commit string  `json:"commit"`
		Load   float64 `json:"load_1m_at_start"`
	} `json:"machine"`
	Results []result `json:"results"`
	notes   []string
}

type result struct {
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit"`
	P50     float64 `json:"p50_ms"`
	P99     float64 `json:"p99_ms"`
	Ceiling float64 `json:"ceiling"`
	Ratio   float64 `json:"ratio"`
	// Load is the machine's 1-minute load average when the figure was
	// taken: other work sharing the cores moves wall-clock figures (not
	// CPU per unit of work).
	Load float64 `json:"load_1m"`
	note string
}

func (r *report) add(res result) {
	if res.Ceiling > 0 {
		res.Ratio = round(res.Value/res.Ceiling, 3)
	}
	if res.Load == 0 {
		res.Load = loadAvg()
	}
	r.Results = append(r.Results, res)
}

// loadAvg is the 1-minute load average (0 where unknown).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// procCPU is the user and system CPU a process (by pid) used so far.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // clock ticks (USER_HZ 100 on Linux)
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nmachine: %d cpus, %s, commit %s, load %.1f at start (load column: at each figure)\n\n", r.Machine.CPUs, r.Machine.Go, r.Machine.Commit, r.Machine.Load)
	fmt.Fprintf(w, "%-30s %12s %-8s %9s %9s %12s %7s %6s  %s\n", "name", "value", "unit", "p50_ms", "p99_ms", "ceiling", "ratio", "load", "")
	for _, x := range r.Results {
		fmt.Fprintf(w, "%-30s %12.3f %-8s %9.2f %9.2f %12.3f %7.3f %6.1f  %s\n", x.Name, x.Value, x.Unit, x.P50, x.P99, x.Ceiling, x.Ratio, x.Load, x.note)
	}
	for _, n := range r.notes {
		fmt.Fprintln(w, "note:", n)
	}
}

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func run(ctx context.Context, sz sizes) (*report, error) {
	rep := &report{}
	rep.Machine.CPUs = runtime.NumCPU()
	rep.Machine.Go = runtime.Version()
	rep.Machine.Load = loadAvg()
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	rep.Machine.Commit = commit(root)
	dir, err := os.MkdirTemp("", "langganan-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	logf("building cmd/server and cmd/mockmidtrans")
	srvBin, mockBin := filepath.Join(dir, "server"), filepath.Join(dir, "mockmidtrans")
	for pkg, out := range map[string]string{"./cmd/server": srvBin, "./cmd/mockmidtrans": mockBin} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	start, _ := time.Parse(time.RFC3339, clockStart)

	mock, err := startProc(ctx, mockBin, map[string]string{"MOCKMIDTRANS_ADDR": "127.0.0.1:0",
		"MOCKMIDTRANS_SERVER_KEY": serverKey, "MOCKMIDTRANS_CLIENT_KEY": clientKey, "MOCKMIDTRANS_CLOCK": "manual",
		"MOCKMIDTRANS_CLOCK_START": clockStart})
	if err != nil {
		return rep, err
	}
	defer mock.stop()

	if sz.wants("read_plans") || sz.wants("read_subscriptions") || sz.wants("webhook_ingest") {
		if err := serverBenches(ctx, rep, sz, dir, srvBin, mock.url, start); err != nil {
			return rep, err
		}
	}
	if sz.wants("billing_run") {
		if err := billingBench(ctx, rep, sz, mockBin); err != nil {
			rep.notes = append(rep.notes, "billing_run: "+err.Error())
		}
	}
	if sz.only[pgMeasurement] { // opt-in: needs PostgreSQL (postgres.go)
		if err := postgresBillingBench(ctx, rep, sz, dir, srvBin, mock.url); err != nil {
			rep.notes = append(rep.notes, pgMeasurement+": "+err.Error())
		}
	}
	if sz.only[pgIngestMeasurement] { // opt-in too
		if err := postgresIngestBench(ctx, rep, sz, dir, srvBin, mock.url); err != nil {
			rep.notes = append(rep.notes, pgIngestMeasurement+": "+err.Error())
		}
	}
	if sz.wants("startup") {
		if err := startupBench(ctx, rep, srvBin, mock.url, dir, sz); err != nil {
			rep.notes = append(rep.notes, "startup: "+err.Error())
		}
	}
	if sz.wants("signin_flood") {
		if err := signinFloodBench(ctx, rep, srvBin, mock.url, dir, sz); err != nil {
			rep.notes = append(rep.notes, "signin_flood: "+err.Error())
		}
	}
	return rep, ctx.Err()
}

// serverBenches runs the reads and webhook_ingest against one cmd/server.
func serverBenches(ctx context.Context, rep *report, sz sizes, dir, srvBin, mockURL string, start time.Time) error {
	// The server holding ingestSubs pending subscriptions, each with its open order.
	db := filepath.Join(dir, "ingest.db")
	logf("seeding %d pending subscriptions", sz.ingestSubs)
	orders, err := seed(ctx, db, sz.ingestSubs, start, seedPending)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, srvBin, db, mockURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	if sz.wants("read_plans") || sz.wants("read_subscriptions") {
		if err := readBenches(ctx, rep, srv, dir, sz); err != nil {
			rep.notes = append(rep.notes, "reads: "+err.Error())
		}
	}
	if sz.wants("webhook_ingest") {
		if err := ingestBench(ctx, rep, srv, dir, orders, sz); err != nil {
			rep.notes = append(rep.notes, "webhook_ingest: "+err.Error())
		}
	}
	return nil
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from inside the langganan module")
	}
	return filepath.Dir(mod), nil
}

func commit(root string) string {
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// ---- processes

type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

// startProc starts bin and waits for its listening line (30s at most).
func startProc(ctx context.Context, bin string, env map[string]string, args ...string) (*proc, error) {
	p, _, err := startTimed(ctx, bin, env, args...)
	return p, err
}

// startTimed also answers the time from exec to the listening line.
func startTimed(ctx context.Context, bin string, env map[string]string, args ...string) (*proc, time.Duration, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	cmd.Stderr = io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			if sent {
				continue // keep draining so the child never blocks on a full pipe
			}
			var rec struct{ Message, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Message == "listening" && rec.Addr != "" {
				addr <- rec.Addr
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	select {
	case a := <-addr:
		took := time.Since(t0)
		host, port, _ := net.SplitHostPort(a)
		if host == "" || host == "::" || host == "0.0.0.0" {
			host = "127.0.0.1"
		}
		p.url = "http://" + net.JoinHostPort(host, port)
		return p, took, nil
	case <-p.done:
		return nil, 0, fmt.Errorf("%s exited before listening", filepath.Base(bin))
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, 0, fmt.Errorf("%s printed no listening line in 60s", filepath.Base(bin))
	case <-ctx.Done():
		p.kill()
		return nil, 0, ctx.Err()
	}
}

func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.kill()
	}
}

func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

func startServer(ctx context.Context, bin, db, mockURL string) (*proc, error) {
	p, _, err := startTimed(ctx, bin, serverEnv(db, mockURL))
	return p, err
}

func serverEnv(db, mockURL string) map[string]string {
	return map[string]string{"LANGGANAN_ADDR": "127.0.0.1:0", "LANGGANAN_DATA": db,
		"LANGGANAN_ADMIN_USER": adminUser, "LANGGANAN_ADMIN_PASSWORD": adminPass,
		"MIDTRANS_SERVER_KEY": serverKey, "MIDTRANS_CLIENT_KEY": clientKey, "MIDTRANS_BASE_URL": mockURL,
		"LANGGANAN_CLOCK": "manual", "LANGGANAN_CLOCK_START": clockStart}
}

// ---- seeding through adapters/bolt

type seedKind int

const (
	seedPending seedKind = iota // pending, with a cycle-1 invoice and an open VA order
	seedDue                     // active, cycle 1 ends now: due for renewal
	seedActive                  // active, next action a month away
)

// seedOrder is an open order a settlement notification can name.
type seedOrder struct {
	orderID, gross string
}

// seedUsers makes every seeded owner a user (-billing-users).
var seedUsers bool

// seed writes n subscriptions (and what their kind needs) straight into a
// new bbolt file, in large transactions without fsync; the file is closed
// (and so synced) before anything reads it.
func seed(ctx context.Context, path string, n int, now time.Time, kind seedKind) ([]seedOrder, error) {
	st, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	ids := random.IDs{}
	price := core.MustMoney("49000")
	zero := core.Zero(core.IDR)
	plan := core.Plan{ID: ids.NewID(), Name: "Bench", Slug: "bench", Description: "bench plan", Price: price,
		Interval: 1, IntervalUnit: core.Month, Status: core.PlanActive, Features: map[string]any{"max_projects": 5},
		CreatedAt: now, UpdatedAt: now}
	if err := st.Update(ctx, func(tx core.Tx) error {
		if err := tx.Plans().Put(plan); err != nil {
			return err
		}
		for i := range 9 {
			p := plan
			p.ID, p.Slug, p.Name, p.SortOrder = ids.NewID(), fmt.Sprintf("bench-%d", i), fmt.Sprintf("Bench %d", i), i+1
			if err := tx.Plans().Put(p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		st.Close()
		return nil, err
	}
	var orders []seedOrder
	const batch = 5000
	monthAgo := now.AddDate(0, -1, 0)
	for done := 0; done < n; done += batch {
		if err := ctx.Err(); err != nil {
			st.Close()
			return nil, err
		}
		m := min(batch, n-done)
		err := st.Update(ctx, func(tx core.Tx) error {
			for i := range m {
				seq := done + i
				owner := ids.NewID()
				sub := core.Subscription{ID: ids.NewID(), OwnerID: owner, CreatedBy: owner, PlanID: plan.ID, Quantity: 1,
					PaymentType: core.PayBankTransfer, Bank: "bca", PendingCredit: zero,
					CustomerDetails: core.CustomerDetails{FirstName: "Bench", Email: "bench@example.com"},
					CreatedAt:       now, UpdatedAt: now}
				switch kind {
				case seedPending:
					sub.Status, sub.NextActionAt = core.SubPending, now.Add(24*time.Hour)
				case seedDue:
					sub.Status, sub.Cycle = core.SubActive, 1
					sub.Anchor, sub.CurrentPeriodStart, sub.CurrentPeriodEnd = monthAgo, monthAgo, now
					sub.NextBillingDate, sub.NextActionAt = now, now
				case seedActive:
					sub.Status, sub.Cycle = core.SubActive, 1
					end := now.AddDate(0, 1, 0)
					sub.Anchor, sub.CurrentPeriodStart, sub.CurrentPeriodEnd = now, now, end
					sub.NextBillingDate, sub.NextActionAt = end, end
				}
				if err := tx.Subscriptions().Put(sub); err != nil {
					return err
				}
				if seedUsers && kind == seedDue {
					if err := tx.Users().Put(core.User{ID: owner, Username: fmt.Sprintf("bench%d", seq), Email: fmt.Sprintf("bench%d@example.com", seq),
						FirstName: "Bench", CreatedAt: now, UpdatedAt: now}); err != nil {
						return err
					}
				}
				if kind != seedPending {
					continue
				}
				end := now.AddDate(0, 1, 0)
				inv := core.Invoice{ID: ids.NewID(), Number: fmt.Sprintf("INV-%s-%07d", now.Format("200601"), seq+1),
					OwnerID: owner, SubscriptionID: sub.ID, Key: core.CycleKey(1), Cycle: 1, PeriodStart: now, PeriodEnd: end,
					Status: core.InvoiceOpen, Subtotal: price, Discount: zero, Tax: zero, Total: price, Currency: core.IDR,
					Lines: []core.InvoiceLine{{Kind: core.LinePlan, Description: "Bench", Quantity: 1, UnitAmount: price,
						Amount: price, PeriodStart: now, PeriodEnd: end}},
					IssueDate: now, DueDate: now.Add(24 * time.Hour), CreatedAt: now, UpdatedAt: now}
				if err := tx.Invoices().Put(inv); err != nil {
					return err
				}
				order := core.SubscriptionOrderID(sub.ID, 1, 1)
				p := core.Payment{ID: ids.NewID(), OwnerID: owner, Purpose: core.PurposeSubscription, SubscriptionID: sub.ID,
					InvoiceID: inv.ID, OrderID: order, TransactionID: ids.NewID(), PaymentType: core.PayBankTransfer,
					Bank: "bca", Amount: price, Status: core.PaymentPending, Cycle: 1, Attempt: 1,
					IdempotencyKey: core.IdempotencyKey("charge", order), Refunded: zero,
					Details:   map[string]any{"bank": "bca", "va_number": fmt.Sprintf("8127%011d", seq)},
					ExpiresAt: now.Add(24 * time.Hour), CreatedAt: now, UpdatedAt: now}
				if err := tx.Payments().Put(p); err != nil {
					return err
				}
				orders = append(orders, seedOrder{orderID: order, gross: "49000.00"})
			}
			return nil
		})
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	return orders, st.Close()
}

// ---- load generation

// loadResult is what one phase measured.
type loadResult struct {
	n, errs int
	elapsed time.Duration
	lat     []time.Duration
	first   string // the first error seen
}

func (r loadResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r loadResult) pct(p float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	i := min(len(r.lat)-1, int(float64(len(r.lat))*p))
	return round(float64(r.lat[i])/float64(time.Millisecond), 3)
}

func loopbackOnly(raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		panic("bench: load may target loopback only, not " + raw)
	}
}

func newClient(workers int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: workers, MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers, DisableCompression: true,
		IdleConnTimeout: 30 * time.Second}}
}

// load runs workers until max requests are sent or d has passed; do sends
// request i and reports its error.
func load(ctx context.Context, workers, max int, d time.Duration, do func(c *http.Client, i int) error) loadResult {
	c := newClient(workers)
	defer c.CloseIdleConnections()
	var next atomic.Int64
	var mu sync.Mutex
	res := loadResult{}
	deadline := time.Now().Add(d)
	t0 := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			errs, first := 0, ""
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= max {
					break
				}
				s := time.Now()
				if err := do(c, i); err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				lat = append(lat, time.Since(s))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errs += errs
			if res.first == "" {
				res.first = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(t0)
	res.n = len(res.lat)
	slices.Sort(res.lat)
	return res
}

// get is one GET that must answer 200; the body is read and dropped.
func get(c *http.Client, u, auth string) error {
	req, _ := http.NewRequest("GET", u, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return nil
}

// call is a one-off JSON request for setting things up.
func call(method, u, auth string, body any) (int, map[string]any, error) {
	loopbackOnly(u)
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out, nil
}

func basic(u, p string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
}

// bareApp answers body as constant JSON on every GET (the read ceiling),
// on a loopback port of its own, not yet served.
func bareApp(body []byte) (*fiber.App, net.Listener, error) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	return app, ln, err
}

// bareFiber serves body from bare Fiber in its own process (this binary
// with -bare-fiber-body), as cmd/server serves its reads. A server in the
// load generator's own process is also measured, for the note: it answers
// faster because no request crosses processes, whose wake-ups and context
// switches every real deployment of cmd/server pays.
func bareFiber(ctx context.Context, dir string, body []byte) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f := filepath.Join(dir, "bare-body.json")
	if err := os.WriteFile(f, body, 0o600); err != nil {
		return nil, err
	}
	return startProc(ctx, self, nil, "-bare-fiber-body", f)
}

// bareInProcess serves body from bare Fiber inside this process.
func bareInProcess(body []byte) (string, func(), error) {
	app, ln, err := bareApp(body)
	if err != nil {
		return "", nil, err
	}
	go func() { _ = app.Listener(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = app.Shutdown() }, nil
}

// serveBare is the -bare-fiber-body child: it prints the listening line
// cmd/server prints and serves until SIGTERM.
func serveBare(path string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	app, ln, err := bareApp(body)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { <-sig; _ = app.Shutdown() }()
	line, _ := json.Marshal(map[string]string{"message": "listening", "addr": ln.Addr().String()})
	fmt.Println(string(line))
	return app.Listener(ln)
}

func fetchBody(u, auth string) ([]byte, error) {
	req, _ := http.NewRequest("GET", u, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

// ---- reads

// perReq is d per request in microseconds.
func perReq(d time.Duration, n int) float64 {
	return float64(d.Microseconds()) / float64(max(n, 1))
}

func readBenches(ctx context.Context, rep *report, srv *proc, dir string, sz sizes) error {
	loopbackOnly(srv.url)
	api := srv.url + "/api"
	adm := basic(adminUser, adminPass)
	// A reader with a few wallet-paid subscriptions and a token.
	if st, b, err := call("POST", api+"/admin/users/", adm, map[string]any{"username": "reader", "password": "reader-pass-1234",
		"email": "reader@example.com", "first_name": "R", "last_name": "B", "is_admin": false}); err != nil || st != 201 {
		return fmt.Errorf("create reader: %d %v %v", st, b, err)
	}
	rb := basic("reader", "reader-pass-1234")
	st, tok, err := call("POST", api+"/auth/tokens/", rb, map[string]any{"name": "bench"})
	if err != nil || st != 201 {
		return fmt.Errorf("token: %d %v %v", st, tok, err)
	}
	bearer := "Bearer " + fmt.Sprint(tok["token"])
	if _, w, err := call("GET", api+"/wallet/me/", bearer, nil); err == nil && w["id"] != nil {
		_, _, _ = call("POST", api+"/admin/wallets/"+fmt.Sprint(w["id"])+"/adjust/", adm, map[string]any{"amount": "1000000", "reason": "bench"})
		for i := range 5 {
			_, _, _ = call("POST", api+"/subscriptions/", bearer, map[string]any{"plan_id": fmt.Sprintf("bench-%d", i), "payment_type": "wallet"})
		}
	}

	for _, rd := range []struct{ name, path, auth string }{
		{"read_plans", "/plans/", ""},
		{"read_subscriptions", "/subscriptions/", bearer},
	} {
		if !sz.wants(rd.name) {
			continue
		}
		u := api + rd.path
		body, err := fetchBody(u, rd.auth)
		if err != nil {
			return err
		}
		logf("%s: %d workers for %v", rd.name, sz.readWorkers, sz.readFor)
		cpu0 := procCPU(srv.cmd.Process.Pid)
		got := load(ctx, sz.readWorkers, sz.readMax, sz.readFor, func(c *http.Client, _ int) error { return get(c, u, rd.auth) })
		srvCPU := procCPU(srv.cmd.Process.Pid) - cpu0
		bare, err := bareFiber(ctx, dir, body)
		if err != nil {
			return err
		}
		cpu0 = procCPU(bare.cmd.Process.Pid)
		ceil := load(ctx, sz.readWorkers, sz.readMax, sz.readFor, func(c *http.Client, _ int) error { return get(c, bare.url+rd.path, rd.auth) })
		bareCPU := procCPU(bare.cmd.Process.Pid) - cpu0
		bare.stop()
		inURL, stop, err := bareInProcess(body)
		if err != nil {
			return err
		}
		in := load(ctx, sz.readWorkers, sz.readMax, sz.readFor, func(c *http.Client, _ int) error { return get(c, inURL+rd.path, rd.auth) })
		stop()
		// CPU per request depends less on the machine's other load than
		// the rates do.
		note := fmt.Sprintf("%d-byte body, %d workers; ceiling: bare Fiber in its own process, same body (p99 %.2f ms); server CPU %.1f µs per request, bare Fiber's %.1f µs; bare Fiber inside the load generator's process: %.0f req/s (ratio %.3f)",
			len(body), sz.readWorkers, ceil.pct(0.99), perReq(srvCPU, got.n), perReq(bareCPU, ceil.n), in.rate(), got.rate()/max(in.rate(), 1))
		if got.errs > 0 {
			note += fmt.Sprintf("; %d errors, first: %s", got.errs, got.first)
		}
		rep.add(result{Name: rd.name, Value: round(got.rate(), 1), Unit: "req/s", P50: got.pct(0.50), P99: got.pct(0.99),
			Ceiling: round(ceil.rate(), 1), note: note})
	}
	return nil
}

// ---- webhook ingest

func signature(orderID, code, gross string) string {
	h := sha512.Sum512([]byte(orderID + code + gross + serverKey))
	return hex.EncodeToString(h[:])
}

// ingestLoad sends the settlement notifications of the first n orders to
// srv from senders at once, and answers what the load saw, the CPU time
// the server spent meanwhile and the bytes it caused to be written.
func ingestLoad(ctx context.Context, srv *proc, orders []seedOrder, n, senders int) (loadResult, time.Duration, int64) {
	srvURL := srv.url
	loopbackOnly(srvURL)
	u := srvURL + "/api/webhook/notification/"
	bodies := make([][]byte, n)
	for i := range n {
		o := orders[i]
		b, _ := json.Marshal(map[string]any{"order_id": o.orderID, "transaction_status": "settlement", "status_code": "200",
			"gross_amount": o.gross, "signature_key": signature(o.orderID, "200", o.gross), "fraud_status": "accept",
			"payment_type": "bank_transfer", "transaction_id": fmt.Sprintf("bench-%d", i), "currency": "IDR",
			"transaction_time": "2026-03-02 10:00:00", "settlement_time": "2026-03-02 10:00:00",
			"va_numbers": []map[string]string{{"bank": "bca", "va_number": fmt.Sprintf("8127%011d", i)}}})
		bodies[i] = b
	}
	logf("webhook ingest: %d notifications, %d senders, %d subscriptions", n, senders, len(orders))
	pid := strconv.Itoa(srv.cmd.Process.Pid)
	cpu0, w0 := procCPU(srv.cmd.Process.Pid), procIO(pid, "write_bytes:")
	got := load(ctx, senders, n, 5*time.Minute, func(c *http.Client, i int) error {
		req, _ := http.NewRequest("POST", u, bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode/100 != 2 {
			return fmt.Errorf("notification: %d", res.StatusCode)
		}
		return nil
	})
	return got, procCPU(srv.cmd.Process.Pid) - cpu0, procIO(pid, "write_bytes:") - w0
}

func ingestBench(ctx context.Context, rep *report, srv *proc, dir string, orders []seedOrder, sz sizes) error {
	n := min(sz.ingestNotes, len(orders))
	got, srvCPU, written := ingestLoad(ctx, srv, orders, n, sz.senders)
	load1 := loadAvg()
	self0 := cpuTime()
	ceil, err := batchCeiling(ctx, filepath.Join(dir, "ceiling.db"), sz.senders, n)
	if err != nil {
		return err
	}
	selfCPU := cpuTime() - self0
	// CPU per notification (the server's) and per write (this process's,
	// which runs only the ceiling's writers then) depend less on other
	// load than the rates.
	note := fmt.Sprintf("%d senders, %d subs in the file; ceiling: bare bbolt db.Batch, %d writers; %.3f ms server CPU and %.1f kB written per notification, %.3f ms CPU per ceiling write",
		sz.senders, len(orders), sz.senders, 1000*srvCPU.Seconds()/float64(max(got.n, 1)), float64(written)/1024/float64(max(got.n, 1)), 1000*selfCPU.Seconds()/float64(n))
	if got.errs > 0 {
		note += fmt.Sprintf("; %d errors, first: %s", got.errs, got.first)
	}
	rep.add(result{Name: "webhook_ingest", Value: round(got.rate(), 1), Unit: "notes/s", P50: got.pct(0.50), P99: got.pct(0.99),
		Ceiling: round(ceil, 1), Load: load1, note: note})
	return nil
}

// batchCeiling is bbolt's own batched write rate for one small record, with
// as many writers as there are senders, on the same disk.
func batchCeiling(ctx context.Context, path string, writers, n int) (float64, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("b")); return err }); err != nil {
		return 0, err
	}
	val := bytes.Repeat([]byte("x"), 200)
	var next atomic.Int64
	var firstErr atomic.Value
	t0 := time.Now()
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				var k [8]byte
				binary.BigEndian.PutUint64(k[:], uint64(i))
				if err := db.Batch(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("b")).Put(k[:], val) }); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if e, ok := firstErr.Load().(error); ok {
		return 0, e
	}
	return float64(n) / time.Since(t0).Seconds(), nil
}

// ---- billing run (child processes)

type billingOut struct {
	EmuCPU  float64            `json:"emu_cpu_s"` // CPU of the emulator process over the run (set by the parent)
	Load    float64            `json:"load_1m"`   // the machine's load average as the run ended (set by the parent)
	N       int                `json:"n"`
	Billed  int                `json:"billed"`
	Seconds float64            `json:"seconds"`
	RSSKB   int                `json:"rss_kb"`      // VmHWM: peak resident, file-backed mmap pages included
	AnonKB  int                `json:"anon_kb"`     // peak RssAnon (heap and stacks), sampled
	PeakMem map[string]float64 `json:"peak_mem_mb"` // the runtime's memory classes when AnonKB was sampled
	Errors  int                `json:"errors"`
	Counts  map[string]int     `json:"counts"`   // the run's summary, for diagnosis
	WriteMB float64            `json:"write_mb"` // bytes the run caused to be written to disk
	CPUSec  float64            `json:"cpu_s"`    // user+system CPU of the run (this process only)
}

func billingBench(ctx context.Context, rep *report, sz sizes, mockBin string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var outs []billingOut
	for _, n := range sz.billing {
		logf("billing_run: %d due subscriptions (child process)", n)
		args := []string{"-billing-child", strconv.Itoa(n), "-billing-users=" + strconv.FormatBool(seedUsers)}
		var mock *proc
		if !sz.billingInProcess {
			// A fresh emulator per size, its clock at the run's: orders then
			// expire a day after the run, as at Midtrans, and the emulator's
			// state holds this run's orders only.
			mock, err = startProc(ctx, mockBin, map[string]string{"MOCKMIDTRANS_ADDR": "127.0.0.1:0",
				"MOCKMIDTRANS_SERVER_KEY": serverKey, "MOCKMIDTRANS_CLIENT_KEY": clientKey, "MOCKMIDTRANS_CLOCK": "manual",
				"MOCKMIDTRANS_CLOCK_START": billingNow().Format(time.RFC3339)})
			if err != nil {
				return err
			}
			args = append(args, "-billing-gateway", mock.url)
		}
		cmd := exec.CommandContext(ctx, self, args...)
		cmd.Stderr = os.Stderr
		var emu0 time.Duration
		if mock != nil {
			emu0 = procCPU(mock.cmd.Process.Pid) // idle while the child seeds its file
		}
		b, err := cmd.Output()
		var emuCPU time.Duration
		if mock != nil {
			emuCPU = procCPU(mock.cmd.Process.Pid) - emu0
			mock.stop()
		}
		if err != nil {
			return fmt.Errorf("child %d: %w", n, err)
		}
		var o billingOut
		if err := json.Unmarshal(bytes.TrimSpace(b), &o); err != nil {
			return fmt.Errorf("child %d answered %q", n, b)
		}
		o.EmuCPU, o.Load = round(emuCPU.Seconds(), 2), loadAvg()
		outs = append(outs, o)
	}
	if len(outs) == 0 {
		return nil
	}
	where := "cmd/mockmidtrans over loopback"
	if sz.billingInProcess {
		where = "the emulator in process"
	}
	cores := float64(runtime.NumCPU())
	for _, o := range outs {
		// CPU per renewal and bytes written per renewal depend much less on
		// what else the machine runs than the rate does.
		billed := float64(max(o.Billed, 1))
		cpuMS, emuMS := 1000*o.CPUSec/billed, 1000*o.EmuCPU/billed
		note := fmt.Sprintf("%d due, %d billed in %.1fs, %d errors; %.3f ms CPU per renewal in the billing process + %.3f ms in the emulator; %.1f kB written per renewal; core+bolt in a child process, gateway: %s",
			o.N, o.Billed, o.Seconds, o.Errors, cpuMS, emuMS, 1024*o.WriteMB/billed, where)
		rep.add(result{Name: "billing_run_" + short(o.N), Value: round(float64(o.Billed)/o.Seconds, 1), Unit: "subs/s", Ceiling: 3000, Load: o.Load, note: note})
		// The rate the machine's cores could sustain at this CPU cost,
		// were they the run's alone and always busy: the CPU bound of the
		// wall-clock rate above.
		if total := cpuMS + emuMS; total > 0 {
			rep.add(result{Name: "billing_run_cpu_bound_" + short(o.N), Value: round(cores*1000/total, 1), Unit: "subs/s", Ceiling: 3000, Load: o.Load,
				note: fmt.Sprintf("%.0f cores / %.3f ms CPU per renewal (billing process and emulator together)", cores, total)})
		}
	}
	for i, o := range outs {
		res := result{Name: fmt.Sprintf("billing_run_peak_rss_%s", short(o.N)), Value: round(float64(o.AnonKB)/1024, 1), Unit: "MB", Load: o.Load,
			note: fmt.Sprintf("peak anonymous RSS; VmHWM %.0f MB with the file's mmap; at the peak, MB: %s", float64(o.RSSKB)/1024, memText(o.PeakMem))}
		if i > 0 && outs[0].AnonKB > 0 {
			// Target: at most 1.25 × the smallest size's.
			res.Ceiling = round(1.25*float64(outs[0].AnonKB)/1024, 1)
			res.note += fmt.Sprintf("; %.2f× the anon RSS at %s (ceiling: 1.25×)", float64(o.AnonKB)/float64(outs[0].AnonKB), short(outs[0].N))
		}
		rep.add(res)
	}
	return nil
}

func short(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

// billingNow is the billing run's clock: a month after the seeded start.
func billingNow() time.Time {
	start, _ := time.Parse(time.RFC3339, clockStart)
	return start.AddDate(0, 1, 0)
}

// billingChild seeds n due subscriptions, then times one billing run of
// core against the emulator (cmd/mockmidtrans at gatewayURL, or one started
// in this process when it is empty) over loopback HTTP, and prints JSON.
func billingChild(n int, gatewayURL, cpuProfile string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "langganan-billing-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	now := billingNow()
	path := filepath.Join(dir, "billing.db")
	if _, err := seed(ctx, path, n, now, seedDue); err != nil {
		return err
	}
	clock := core.NewManualClock(now)
	base := gatewayURL
	if base == "" {
		emu, err := fakemidtrans.New(fakemidtrans.Options{ServerKey: serverKey, ClientKey: clientKey, Clock: clock})
		if err != nil {
			return err
		}
		defer emu.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		base = "http://" + ln.Addr().String()
		emu.SetPublicURL(base)
	}
	loopbackOnly(base)
	// The client cmd/server builds: its transport is the one that ships.
	gw, err := midtrans.New(midtrans.Config{BaseURL: base, ServerKey: serverKey, ClientKey: clientKey})
	if err != nil {
		return err
	}
	// BENCH_TRACE_MEM=1, a diagnostic: the file's free pages before and
	// after, and every new peak of the RSS as it happens, with a heap
	// profile of each.
	traceMem := os.Getenv("BENCH_TRACE_MEM") == "1"
	if traceMem {
		logf("billing child: seeded file: %s", fileStats(path))
		defer func() { logf("billing child: file after the run: %s", fileStats(path)) }()
	}
	// BENCH_NOSYNC=1 skips fsync: a diagnostic to tell disk-bound from CPU-bound.
	st, err := bolt.Open(path, bolt.Options{NoSync: os.Getenv("BENCH_NOSYNC") == "1"})
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := core.NewService(core.Deps{Store: st, Gateway: gw, Clock: clock, IDs: random.IDs{}, Hasher: passwords.Bcrypt{}},
		core.DefaultConfig())
	if err != nil {
		return err
	}
	// The seeding's memory is not the run's: collect it and hand it back to
	// the OS, so the peak RSS below starts from what the run itself holds.
	debug.FreeOSMemory()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		runtime.SetBlockProfileRate(int(time.Millisecond))
		defer f.Close()
	}
	// Peak anonymous RSS, sampled: VmHWM also counts the bbolt file's mmap
	// pages the run touched, which grow with the file, not with the heap.
	var visited atomic.Int64
	var peakAnon atomic.Int64
	var peakMem map[string]float64 // memAt() at the peak; only the sampler writes it before sampled closes
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var logged int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := int64(procStatus("RssAnon:")); v > peakAnon.Load() {
				peakAnon.Store(v)
				peakMem = memAt()
				if traceMem && v > logged+5<<10 {
					logged = v
					logf("billing child: new peak %.1f MB anon after %d visited: %s", float64(v)/1024, visited.Load(), memText(peakMem))
					// What was live at the last collection, for go tool pprof.
					heap := filepath.Join(os.TempDir(), fmt.Sprintf("bench-peak-%d.heap", visited.Load()))
					if f, err := os.Create(heap); err == nil {
						_ = pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
						logf("billing child: heap profile %s", heap)
					}
				}
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()
	// With a profile asked for, the heap is written too when nine tenths
	// of the subscriptions were visited (the run's steady state).
	var onItem func()
	if cpuProfile != "" || traceMem {
		onItem = func() {
			if visited.Add(1) == int64(n)*9/10 && cpuProfile != "" {
				if f, err := os.Create(cpuProfile + ".heap"); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		}
	}
	// cmd/server relays the outbox and delivers notifications every
	// second (notify.go), alongside whatever else runs: so does this
	// process, or the run's events would pile up in the file until the
	// run's own final relay, which no server lets happen.
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayed := make(chan struct{})
	go func() {
		defer close(relayed)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-relayCtx.Done():
				return
			case <-t.C:
				_, _, _ = svc.RunNotifications(relayCtx)
			}
		}
	}()
	w0, c0 := procIO("self", "write_bytes:"), cpuTime()
	t0 := time.Now()
	sum, err := svc.RunDueProgress(ctx, onItem)
	took := time.Since(t0)
	stopRelay()
	<-relayed
	written, cpu := procIO("self", "write_bytes:")-w0, cpuTime()-c0
	close(stopSampling)
	<-sampled
	if cpuProfile != "" {
		pprof.StopCPUProfile()
		for _, name := range []string{"block", "allocs"} {
			if f, err := os.Create(cpuProfile + "." + name); err == nil {
				_ = pprof.Lookup(name).WriteTo(f, 0)
				f.Close()
			}
		}
	}
	if err != nil {
		return err
	}
	out := billingOut{N: n, Billed: sum.Counts["renewals"], Seconds: took.Seconds(), RSSKB: procStatus("VmHWM:"),
		AnonKB: int(peakAnon.Load()), PeakMem: peakMem, Errors: sum.Errors, Counts: sum.Counts, WriteMB: round(float64(written)/(1<<20), 1),
		CPUSec: round(cpu.Seconds(), 2)}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// procStatus reads one kB field of /proc/self/status (0 where unknown).
func procStatus(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.Atoi(f[0])
				return v
			}
		}
	}
	return 0
}

// cpuTime is the user and system CPU this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procIO reads one field of /proc/self/io (0 where unknown).
// procIO reads one field of /proc/<proc>/io ("self" or a pid), 0 where unknown.
func procIO(proc, field string) int64 {
	b, err := os.ReadFile("/proc/" + proc + "/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			v, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return v
		}
	}
	return 0
}

// ---- startup

func startupBench(ctx context.Context, rep *report, bin, mockURL, dir string, sz sizes) error {
	db := filepath.Join(dir, "startup.db")
	logf("startup: seeding %d active subscriptions", sz.startupSubs)
	start, _ := time.Parse(time.RFC3339, clockStart)
	if _, err := seed(ctx, db, sz.startupSubs, start, seedActive); err != nil {
		return err
	}
	var times, cpus []time.Duration
	for range sz.startupTrials {
		p, took, err := startTimed(ctx, bin, serverEnv(db, mockURL))
		if err != nil {
			return err
		}
		times = append(times, took)
		cpus = append(cpus, procCPU(p.cmd.Process.Pid)) // CPU up to (about) the listening line
		p.stop()
	}
	slices.Sort(times)
	slices.Sort(cpus)
	med := times[len(times)/2]
	fi, _ := os.Stat(db)
	size := int64(0)
	if fi != nil {
		size = fi.Size()
	}
	rep.add(result{Name: "startup", Value: round(med.Seconds(), 3), Unit: "s",
		Ceiling: 1, note: fmt.Sprintf("median of %d, %s subscriptions, %d MB file, exec → listening; %.2f s CPU (median)",
			len(times), short(sz.startupSubs), size>>20, cpus[len(cpus)/2].Seconds())})
	return nil
}
