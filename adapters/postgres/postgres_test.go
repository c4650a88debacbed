package postgres

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/langganan/langganan/adapters/bolt/storetest"
	"github.com/langganan/langganan/core"
)

const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func testURL() string {
	if u := os.Getenv("LANGGANAN_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultTestURL
}

var schemaSeq atomic.Uint64

// openTest opens a Store on a fresh schema of the test database, dropped
// when the test ends. Without a reachable PostgreSQL the test fails in CI
// and is skipped (loudly) elsewhere.
func openTest(t *testing.T) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := testURL()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is unreachable (CI=true): %v", redact(base), err)
		}
		t.Skipf("SKIPPING PostgreSQL tests: %s is unreachable (%v); set LANGGANAN_TEST_DATABASE_URL", redact(base), err)
	}
	defer admin.Close(context.Background())
	schema := fmt.Sprintf("lgn_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	s, err := Open(ctx, withSearchPath(t, base, schema), Options{MaxConns: 12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(context.Background()); err != nil {
			t.Errorf("Check after test: %v", err)
		}
		s.Close()
	})
	return s
}

// withSearchPath adds search_path to the URL: pgx sends unknown URL
// parameters as run-time parameters on every connection of the pool.
func withSearchPath(t *testing.T, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		t.Fatalf("LANGGANAN_TEST_DATABASE_URL must be a postgres:// URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "the test database"
}

func TestContractPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return openTest(t) })
}

func TestLeasesPostgres(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) core.Store { return openTest(t) }, true)
}
