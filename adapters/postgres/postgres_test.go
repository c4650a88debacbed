package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt/storetest"
	"github.com/langganan/langganan/adapters/postgres/pgtest"
	"github.com/langganan/langganan/core"
)

// openTest opens a Store on a fresh schema of the test database, dropped
// when the test ends. Without a reachable PostgreSQL the test fails in CI
// and is skipped (loudly) elsewhere.
func openTest(t *testing.T) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, pgtest.Schema(t, "lgn_test"), Options{MaxConns: 12})
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

// schemaURL is the URL of an existing schema of the test database.
func schemaURL(t *testing.T, schema string) string {
	t.Helper()
	u, err := pgtest.WithSearchPath(pgtest.URL(), schema)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestContractPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return openTest(t) })
}

func TestLeasesPostgres(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) core.Store { return openTest(t) }, true)
}
