package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/postgres"
)

const migrateHelp = `usage: server migrate-to-postgres [-data PATH] [-database-url URL]

Copies every record of the bbolt data file into an empty PostgreSQL
database (its migrations are applied first), then verifies the copy: the
number of records of every kind must match, and the database's check
must pass. It prints the counts as JSON.

Stop the service first (the data file's lock refuses a running one). The
target must be empty: a database holding any record is refused, so a
half-done move is redone on a fresh database. The data file is only read.
Afterwards start the service with LANGGANAN_DATABASE_URL set.

Flags:
`

// migrateCmd moves a bbolt deployment to PostgreSQL.
func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate-to-postgres", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), migrateHelp); fs.PrintDefaults() }
	data := fs.String("data", envOr(getenv, "LANGGANAN_DATA", "./data/langganan.db"), "bbolt data file to copy (LANGGANAN_DATA)")
	dbURL := fs.String("database-url", getenv("LANGGANAN_DATABASE_URL"), "PostgreSQL database to fill (LANGGANAN_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return helpIsNoError(err)
	}
	if strings.TrimSpace(*dbURL) == "" {
		return errors.New("migrate-to-postgres: give the target with -database-url or LANGGANAN_DATABASE_URL")
	}
	if _, err := os.Stat(*data); err != nil {
		return fmt.Errorf("migrate-to-postgres: data file: %w", err)
	}
	src, err := bolt.Open(*data, bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrLocked) {
		return fmt.Errorf("migrate-to-postgres: %s is held by a running service; stop it first", *data)
	}
	if err != nil {
		return fmt.Errorf("migrate-to-postgres: open %s: %w", *data, err)
	}
	defer src.Close()
	if err := src.Check(); err != nil {
		return fmt.Errorf("migrate-to-postgres: %s fails its check; repair it (server check) before moving it: %w", *data, err)
	}
	dst, err := postgres.Open(ctx, *dbURL, postgres.Options{})
	if err != nil {
		return fmt.Errorf("migrate-to-postgres: open %s: %w", databaseName(*dbURL), err)
	}
	defer dst.Close()
	before, err := dst.Counts(ctx)
	if err != nil {
		return fmt.Errorf("migrate-to-postgres: %w", err)
	}
	for _, name := range sortedKeys(before) {
		if before[name] > 0 {
			return fmt.Errorf("migrate-to-postgres: %s is not empty (%s has %d rows); give an empty database", databaseName(*dbURL), name, before[name])
		}
	}
	copied, err := src.Export(ctx, dst)
	if err != nil {
		return fmt.Errorf("migrate-to-postgres: copy (the target now holds part of the data: drop and recreate it before trying again): %w", err)
	}
	after, err := dst.Counts(ctx)
	if err != nil {
		return fmt.Errorf("migrate-to-postgres: verify: %w", err)
	}
	var bad []string
	for _, name := range sortedKeys(copied) {
		if after[name] != copied[name] {
			bad = append(bad, fmt.Sprintf("%s: %d read, %d in the database", name, copied[name], after[name]))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("migrate-to-postgres: the copy does not match: %s", strings.Join(bad, "; "))
	}
	if err := dst.Check(ctx); err != nil {
		return fmt.Errorf("migrate-to-postgres: the copy fails its check: %w", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"from": *data, "to": databaseName(*dbURL), "records": copied})
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
