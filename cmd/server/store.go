package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/postgres"
	"github.com/langganan/langganan/core"
)

// storage is what the commands need of a store beyond core.Store: the
// bbolt file (the default) or PostgreSQL (LANGGANAN_DATABASE_URL).
type storage interface {
	core.Store
	// Writable proves a write commits (for /readyz).
	Writable(ctx context.Context) error
	// Check verifies what the store's own structure cannot (for check).
	Check(ctx context.Context) error
	Close() error
}

// boltStorage gives bolt's Check the common signature; everything else,
// PlansVersion and Backup included, is the bbolt store's own.
type boltStorage struct{ *bolt.Store }

func (b boltStorage) Check(context.Context) error { return b.Store.Check() }

func openPostgres(ctx context.Context, cfg config) (storage, error) {
	st, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", databaseName(cfg.DatabaseURL), err)
	}
	return st, nil
}

// backupFunc is the online backup behind GET /api/admin/backup, nil (the
// API answers 501) for a store without one: PostgreSQL is backed up with
// pg_dump.
func backupFunc(st storage) func(io.Writer) (int64, error) {
	if b, ok := st.(interface {
		Backup(io.Writer) (int64, error)
	}); ok {
		return b.Backup
	}
	return nil
}

// storeDescription names the store for reports, without a password.
func storeDescription(cfg config) string {
	if cfg.DatabaseURL != "" {
		return fmt.Sprintf("%s (schema version %d)", databaseName(cfg.DatabaseURL), postgres.SchemaVersion())
	}
	return fmt.Sprintf("%s (schema version %d)", cfg.Data, bolt.SchemaVersion)
}

// databaseName is "PostgreSQL database DB on HOST", from the URL.
func databaseName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the PostgreSQL database"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = "(default)"
	}
	host := u.Host
	if host == "" {
		host = "(default host)"
	}
	return fmt.Sprintf("PostgreSQL database %s on %s", db, host)
}

// refuseFileCommand refuses backup and restore, which work on the bbolt
// file, when the store is PostgreSQL: pg_dump and pg_restore are the tools.
func refuseFileCommand(cmd string, getenv func(string) string) error {
	if (cmd != "backup" && cmd != "restore") || strings.TrimSpace(getenv("LANGGANAN_DATABASE_URL")) == "" {
		return nil
	}
	return fmt.Errorf("%s: LANGGANAN_DATABASE_URL is set; back PostgreSQL up with pg_dump and restore it with pg_restore", cmd)
}
