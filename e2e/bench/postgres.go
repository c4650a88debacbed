package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/langganan/langganan/adapters/postgres/pgtest"
)

// billing_run_postgres (opt-in: -only billing_run_postgres) measures one
// billing run on PostgreSQL split between 1 and then 3 cmd/server
// instances: the due subscriptions are seeded into a bbolt file, moved to a
// fresh database with server migrate-to-postgres, and every instance is
// asked to run what is due at once (a clock advance); the figure is due
// subscriptions charged per second of wall time until the last answers.
const pgMeasurement = "billing_run_postgres"

// webhook_ingest_postgres (opt-in too) is webhook_ingest with one
// cmd/server on PostgreSQL: the same pending subscriptions, moved there
// with migrate-to-postgres, and the same notifications.
const pgIngestMeasurement = "webhook_ingest_postgres"

func init() { measurements = append(measurements, pgMeasurement, pgIngestMeasurement) }

// freshBenchDatabase creates a database and answers its URL and a drop.
func freshBenchDatabase(ctx context.Context) (string, func(), error) {
	base := pgtest.URL()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL unreachable: %w", err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "langganan_bench_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	drop := func() {
		if c, err := pgx.Connect(context.Background(), base); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String(), drop, nil
}

// databaseFrom moves the bbolt file into a fresh database with server
// migrate-to-postgres and answers its URL and a drop.
func databaseFrom(ctx context.Context, srvBin, file string) (string, func(), error) {
	dbURL, drop, err := freshBenchDatabase(ctx)
	if err != nil {
		return "", nil, err
	}
	mig := exec.CommandContext(ctx, srvBin, "migrate-to-postgres", "-data", file, "-database-url", dbURL)
	if b, err := mig.CombinedOutput(); err != nil {
		drop()
		return "", nil, fmt.Errorf("migrate-to-postgres: %v\n%s", err, b)
	}
	return dbURL, drop, nil
}

func postgresBillingBench(ctx context.Context, rep *report, sz sizes, dir, srvBin, mockURL string) error {
	// Kept small: the shared manual clock is read from the database on every
	// use, which bounds a run on PostgreSQL well below the file store.
	n := min(sz.billing[0], 1000)
	for _, instances := range []int{1, 3} {
		rate, note, err := postgresBillingRun(ctx, n, instances, dir, srvBin, mockURL)
		if err != nil {
			return fmt.Errorf("%d instances: %w", instances, err)
		}
		rep.add(result{Name: fmt.Sprintf("%s_%d", pgMeasurement, instances), Value: round(rate, 1), Unit: "subs/s", note: note})
	}
	return nil
}

func postgresBillingRun(ctx context.Context, n, instances int, dir, srvBin, mockURL string) (float64, string, error) {
	logf("%s: %d due subscriptions, %d instance(s)", pgMeasurement, n, instances)
	start, _ := time.Parse(time.RFC3339, clockStart)
	now := start.AddDate(0, 1, 0)
	file := filepath.Join(dir, fmt.Sprintf("pg-seed-%d.db", instances))
	if _, err := seed(ctx, file, n, now, seedDue); err != nil {
		return 0, "", err
	}
	dbURL, drop, err := databaseFrom(ctx, srvBin, file)
	if err != nil {
		return 0, "", err
	}
	defer drop()
	var procs []*proc
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	for i := range instances {
		env := serverEnv(filepath.Join(dir, fmt.Sprintf("pg-unused-%d.db", i)), mockURL)
		env["LANGGANAN_DATABASE_URL"] = dbURL
		env["LANGGANAN_CLOCK_START"] = now.Format(time.RFC3339)
		p, err := startProc(ctx, srvBin, env)
		if err != nil {
			return 0, "", err
		}
		procs = append(procs, p)
	}
	before, err := simTxnCount(mockURL)
	if err != nil {
		return 0, "", err
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(procs))
	for i, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, err := call("POST", p.url+"/api/admin/clock/advance/", basic(adminUser, adminPass), map[string]any{"duration": "1m"})
			if err == nil && code != 200 {
				err = fmt.Errorf("advance answered %d", code)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	took := time.Since(t0)
	for _, err := range errs {
		if err != nil {
			return 0, "", err
		}
	}
	after, err := simTxnCount(mockURL)
	if err != nil {
		return 0, "", err
	}
	charged := after - before
	note := fmt.Sprintf("%d due, %d charged at the emulator in %.1fs by %d instance(s) on one database; manual clock shared through the database", n, charged, took.Seconds(), instances)
	if charged != n {
		note += fmt.Sprintf(" (MISMATCH: want %d)", n)
	}
	return float64(charged) / took.Seconds(), note, nil
}

// simTxnCount is the number of transactions the emulator holds (a bare
// list, or a page's results).
func simTxnCount(mockURL string) (int, error) {
	loopbackOnly(mockURL)
	res, err := http.Get(mockURL + "/_sim/transactions")
	if err != nil {
		return 0, fmt.Errorf("emulator transactions: %w", err)
	}
	defer res.Body.Close()
	var body any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		return 0, fmt.Errorf("emulator transactions: %d %v", res.StatusCode, err)
	}
	switch b := body.(type) {
	case []any:
		return len(b), nil
	case map[string]any:
		list, _ := b["results"].([]any)
		return len(list), nil
	}
	return 0, nil
}

func postgresIngestBench(ctx context.Context, rep *report, sz sizes, dir, srvBin, mockURL string) error {
	start, _ := time.Parse(time.RFC3339, clockStart)
	file := filepath.Join(dir, "pg-ingest.db")
	logf("%s: seeding %d pending subscriptions", pgIngestMeasurement, sz.ingestSubs)
	orders, err := seed(ctx, file, sz.ingestSubs, start, seedPending)
	if err != nil {
		return err
	}
	dbURL, drop, err := databaseFrom(ctx, srvBin, file)
	if err != nil {
		return err
	}
	defer drop()
	env := serverEnv(filepath.Join(dir, "pg-ingest-unused.db"), mockURL)
	env["LANGGANAN_DATABASE_URL"] = dbURL
	srv, err := startProc(ctx, srvBin, env)
	if err != nil {
		return err
	}
	defer srv.stop()
	n := min(sz.ingestNotes, len(orders))
	c0, r0, err := xactCounts(ctx, dbURL)
	if err != nil {
		return err
	}
	got, srvCPU, _ := ingestLoad(ctx, srv, orders, n, sz.senders)
	c1, r1, err := xactCounts(ctx, dbURL)
	if err != nil {
		return err
	}
	per := float64(max(got.n, 1))
	note := fmt.Sprintf("one instance on PostgreSQL, %d senders, %d subs in the database; %.3f ms server CPU per notification; per notification %.1f transactions committed and %.2f rolled back (serialization failures retried; PostgreSQL's statistics lag by up to a second); beside webhook_ingest on the file",
		sz.senders, len(orders), 1000*srvCPU.Seconds()/per, float64(c1-c0)/per, float64(r1-r0)/per)
	if got.errs > 0 {
		note += fmt.Sprintf("; %d errors, first: %s", got.errs, got.first)
	}
	rep.add(result{Name: pgIngestMeasurement, Value: round(got.rate(), 1), Unit: "notes/s", P50: got.pct(0.50), P99: got.pct(0.99),
		Load: loadAvg(), note: note})
	return nil
}

// xactCounts is the database's committed and rolled back transactions so
// far, from PostgreSQL's statistics.
func xactCounts(ctx context.Context, dbURL string) (commits, rollbacks int64, err error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(context.Background())
	err = conn.QueryRow(ctx, "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()").Scan(&commits, &rollbacks)
	return commits, rollbacks, err
}
