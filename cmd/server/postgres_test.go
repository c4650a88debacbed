package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/postgres/pgtest"
	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/core"
)

// testDatabaseURL answers a URL of a fresh schema in the test database
// (dropped when the test ends). Without a reachable PostgreSQL the test
// fails in CI and is skipped, loudly, elsewhere.
func testDatabaseURL(t *testing.T) string {
	t.Helper()
	return pgtest.Schema(t, "lgn_server_test")
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestOpenAppOnPostgres(t *testing.T) {
	dbURL := testDatabaseURL(t)
	ctx := context.Background()
	cfg, err := parseConfigUsage([]string{"-database-url", dbURL, "-clock", "manual", "-clock-start", "2025-01-31T09:00:00+07:00"},
		func(string) string { return "" }, os.Stderr, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sub := core.Subscription{ID: random.IDs{}.NewID(), OwnerID: random.IDs{}.NewID(), PlanID: random.IDs{}.NewID(),
		Quantity: 1, Status: core.SubActive, CreatedAt: a.clock.Now(), NextActionAt: a.clock.Now().Add(time.Hour)}
	if err := a.store.Update(ctx, func(tx core.Tx) error { return tx.Subscriptions().Put(sub) }); err != nil {
		t.Fatal(err)
	}
	a.store.Close()

	// Reopened: the subscription and the manual clock are where they were.
	a, err = openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	if want := time.Date(2025, 1, 31, 2, 0, 0, 0, time.UTC); !a.clock.Now().Equal(want) {
		t.Errorf("manual clock after reopen = %v, want %v", a.clock.Now(), want)
	}
	if err := a.store.View(ctx, func(tx core.Tx) error {
		got, err := tx.Subscriptions().Get(sub.ID)
		if err == nil && (got.OwnerID != sub.OwnerID || !got.NextActionAt.Equal(sub.NextActionAt)) {
			t.Errorf("subscription read back as %+v", got)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if backupFunc(a.store) != nil {
		t.Error("PostgreSQL store offers an online backup; want nil (501)")
	}
}

// TestServeOnPostgres starts the server on PostgreSQL: it reports
// listening, /readyz is ready, the backup endpoint answers 501, and check
// passes while it runs (PostgreSQL needs no file lock).
func TestServeOnPostgres(t *testing.T) {
	dbURL := testDatabaseURL(t)
	env := map[string]string{
		"LANGGANAN_DATABASE_URL":   dbURL,
		"LANGGANAN_ADDR":           "127.0.0.1:0",
		"LANGGANAN_DATA":           t.TempDir() + "/langganan.db", // the emulator's file goes beside it
		"LANGGANAN_CLOCK":          "manual",
		"LANGGANAN_ADMIN_USER":     "root",
		"LANGGANAN_ADMIN_PASSWORD": "root-pass-1234",
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, &stdout, &stderr) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	var addr string
	deadline := time.Now().Add(30 * time.Second)
	for addr == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no listening line:\n%s\n%s", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve ended: %v\n%s\n%s", err, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		for _, line := range strings.Split(stdout.String(), "\n") {
			var l struct{ Message, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Message == "listening" {
				addr = l.Addr
			}
		}
	}
	get := func(path string) int {
		req, err := http.NewRequest("GET", "http://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth("root", "root-pass-1234")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/readyz"); code != 200 {
		t.Errorf("/readyz = %d, want 200", code)
	}
	if code := get("/api/admin/backup"); code != 501 {
		t.Errorf("/api/admin/backup = %d, want 501", code)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"check"}, getenv, &out, &errb); err != nil {
		t.Fatalf("check: %v\n%s%s", err, out.String(), errb.String())
	}
	for _, want := range []string{"PostgreSQL database", "no problems found"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check report lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(context.Background(), []string{"backup", "-o", t.TempDir() + "/b.db"}, getenv, &out, &errb); err == nil ||
		!strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup with a database URL = %v, want a pointer to pg_dump", err)
	}
}
