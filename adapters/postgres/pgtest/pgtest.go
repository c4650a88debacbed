// Package pgtest is scratch space on a PostgreSQL server for tests, the
// simulator and the benchmark: which server to use, whether a test may go
// on without one, and schemas of their own, dropped afterwards.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the development and CI machines' test database.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL is LANGGANAN_TEST_DATABASE_URL, or DefaultURL without it.
func URL() string {
	if u := os.Getenv("LANGGANAN_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Require answers URL once a connection there succeeds. Without one the
// test fails when CI=true (there the PostgreSQL tests must run) and is
// skipped elsewhere, with a message that says so.
func Require(t testing.TB) string {
	t.Helper()
	base := URL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is unreachable (CI=true): %v", Redact(base), err)
		}
		t.Skipf("SKIPPING PostgreSQL test: %s is unreachable (%v); set LANGGANAN_TEST_DATABASE_URL", Redact(base), err)
	}
	_ = c.Close(context.Background())
	return base
}

// Schema is Require and NewSchema: a fresh schema of the test database,
// dropped when the test ends (close what uses it in a cleanup registered
// after this call). It answers the schema's URL.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	base := Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, _, drop, err := NewSchema(ctx, base, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return u
}

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// NewSchema creates the schema PREFIX_<random> in the database at base and
// answers a URL whose every connection works in it, its name, and drop,
// which removes it with everything in it.
func NewSchema(ctx context.Context, base, prefix string) (schemaURL, name string, drop func() error, err error) {
	if !identifier.MatchString(prefix) {
		return "", "", nil, fmt.Errorf("pgtest: schema prefix %q is not a plain identifier", prefix)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name = prefix + "_" + hex.EncodeToString(b[:])
	if schemaURL, err = WithSearchPath(base, name); err != nil {
		return "", "", nil, err
	}
	if err := exec(ctx, base, "CREATE SCHEMA "+name); err != nil {
		return "", "", nil, fmt.Errorf("pgtest: create schema %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, base, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			return fmt.Errorf("pgtest: drop schema %s: %w", name, err)
		}
		return nil
	}
	return schemaURL, name, drop, nil
}

// WithSearchPath adds search_path=schema to a postgres:// URL: pgx sends
// unknown URL parameters as run-time parameters on every connection.
func WithSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return "", errors.New("pgtest: the test database URL must be a postgres:// URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Redact is the URL with its password hidden, for messages.
func Redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "the test database"
}

func exec(ctx context.Context, base, sql string) error {
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql)
	return err
}
