package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
)

const restoreHelp = `usage: server restore [-force] [-data PATH] FILE

Replaces the data file with the backup FILE. FILE is first copied beside
the data file and checked there: its schema version must not be newer than
this build's, and every index must match its records. The copy then takes
the data file's place in one atomic rename.

Refused while a running service holds the data file (stop it first), and
refused over an existing data file unless -force is given; the replaced
file is kept as PATH.pre-restore-TIMESTAMP.

Flags:
`

func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), restoreHelp); fs.PrintDefaults() }
	data := fs.String("data", envOr(getenv, "LANGGANAN_DATA", "./data/langganan.db"), "bbolt data file to replace (LANGGANAN_DATA)")
	force := fs.Bool("force", false, "replace an existing data file")
	if err := fs.Parse(args); err != nil {
		return helpIsNoError(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("restore: give exactly one backup FILE")
	}
	src := fs.Arg(0)
	if err := ctx.Err(); err != nil {
		return err
	}
	if abs1, _ := filepath.Abs(src); abs1 != "" {
		if abs2, _ := filepath.Abs(*data); abs1 == abs2 {
			return errors.New("restore: the backup is the data file itself")
		}
	}

	// Refuse early, before copying anything, if a service holds the target.
	_, statErr := os.Stat(*data)
	exists := statErr == nil
	if exists && !*force {
		return fmt.Errorf("restore: %s exists; add -force to replace it", *data)
	}
	var held *bolt.Store
	if exists {
		st, err := bolt.Open(*data, bolt.Options{Timeout: lockWait})
		switch {
		case errors.Is(err, bolt.ErrLocked):
			return fmt.Errorf("restore: refused: %w\n  stop the running service first", err)
		case err != nil:
			// A damaged file is a reason to restore, not to refuse.
			fmt.Fprintf(stderr, "restore: the current data file does not open (%v); replacing it\n", err)
		default:
			// Hold its lock until the rename, so no service starts on it meanwhile.
			held = st
			defer func() {
				if held != nil {
					held.Close()
				}
			}()
		}
	}

	dir := filepath.Dir(*data)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp, err := copyToTemp(src, dir, stderr)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			os.Remove(tmp)
		}
	}()
	if err := verifyDataFile(tmp); err != nil {
		if errors.Is(err, bolt.ErrNewerSchema) {
			return fmt.Errorf("restore: refused: %w", err)
		}
		return fmt.Errorf("restore: refused: %s is not a sound Langganan data file: %w", src, err)
	}

	if exists {
		keep := fmt.Sprintf("%s.pre-restore-%s", *data, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Link(*data, keep); err != nil {
			fmt.Fprintf(stderr, "restore: could not keep the old file as %s: %v\n", keep, err)
		} else {
			fmt.Fprintf(stdout, "restore: the replaced file is kept as %s\n", keep)
		}
	}
	if err := os.Rename(tmp, *data); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	committed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("restore: sync %s: %w", dir, err)
	}
	_, err = fmt.Fprintf(stdout, "restore: %s restored from %s (schema version ≤ %d, indexes checked)\n", *data, src, bolt.SchemaVersion)
	return err
}

// copyToTemp copies src into a new temporary file in dir (the target's
// folder, so the final rename is atomic).
func copyToTemp(src, dir string, stderr io.Writer) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("restore: %s is not a regular file", src)
	}
	out, err := os.CreateTemp(dir, ".langganan-restore-*")
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	p := newProgress(stderr, fi.Size(), "restore", true)
	_, err = io.Copy(io.MultiWriter(out, p), in)
	p.Finish()
	if err := closeSynced(out, err); err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("restore: copy %s: %w", src, err)
	}
	return out.Name(), nil
}
