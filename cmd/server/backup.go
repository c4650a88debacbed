package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
)

const backupHelp = `usage: server backup -o FILE [-data PATH | -url URL]

Writes a consistent copy of the data file to FILE (which must not exist),
then opens the copy and checks its indexes.

While the service runs it holds the data file's lock, so a backup from the
file is refused; take it through the running service instead with -url
(GET /api/admin/backup, admin credentials from LANGGANAN_ADMIN_USER and
LANGGANAN_ADMIN_PASSWORD, or a token from LANGGANAN_TOKEN).

Flags:
`

// lockWait is how long the CLI waits for the data file's lock before it
// concludes that a service holds it.
const lockWait = 500 * time.Millisecond

func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), backupHelp); fs.PrintDefaults() }
	out := fs.String("o", "", "the backup file to write (required; refused if it exists)")
	data := fs.String("data", envOr(getenv, "LANGGANAN_DATA", "./data/langganan.db"), "bbolt data file (LANGGANAN_DATA)")
	url := fs.String("url", "", "base URL of a running server to fetch the backup from, e.g. http://127.0.0.1:8080")
	if err := fs.Parse(args); err != nil {
		return helpIsNoError(err)
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("backup: give -o FILE and no other arguments")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file name", *out)
	}
	tmp := *out + ".partial"
	var (
		n   int64
		err error
	)
	if *url != "" {
		n, err = fetchBackup(ctx, *url, getenv, tmp, stderr)
	} else {
		n, err = fileBackup(*data, tmp, stderr)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := verifyDataFile(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: the copy does not verify: %w", err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "backup: wrote %s (%s), verified\n", *out, humanBytes(n))
	return err
}

// fileBackup copies the data file through one read transaction.
func fileBackup(data, tmp string, stderr io.Writer) (int64, error) {
	fi, err := os.Stat(data)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	st, err := bolt.Open(data, bolt.Options{Timeout: lockWait})
	if errors.Is(err, bolt.ErrLocked) {
		return 0, fmt.Errorf("backup: %w\n  the service is running; back up through it instead:\n"+
			"    LANGGANAN_ADMIN_USER=... LANGGANAN_ADMIN_PASSWORD=... server backup -url http://HOST:PORT -o FILE\n"+
			"  (or GET /api/admin/backup as an admin)", err)
	}
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer st.Close()
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	p := newProgress(stderr, fi.Size(), "backup", true)
	n, err := st.Backup(io.MultiWriter(f, p))
	p.Finish()
	return n, closeSynced(f, err)
}

// fetchBackup downloads GET /api/admin/backup from a running server.
func fetchBackup(ctx context.Context, base string, getenv func(string) string, tmp string, stderr io.Writer) (int64, error) {
	req, err := nethttp.NewRequestWithContext(ctx, nethttp.MethodGet, strings.TrimRight(base, "/")+"/api/admin/backup", nil)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	switch user, pw, tok := getenv("LANGGANAN_ADMIN_USER"), getenv("LANGGANAN_ADMIN_PASSWORD"), getenv("LANGGANAN_TOKEN"); {
	case tok != "":
		req.Header.Set("Authorization", "Bearer "+tok)
	case user != "" && pw != "":
		req.SetBasicAuth(user, pw)
	default:
		return 0, errors.New("backup: -url needs LANGGANAN_ADMIN_USER and LANGGANAN_ADMIN_PASSWORD, or LANGGANAN_TOKEN")
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != nethttp.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return 0, fmt.Errorf("backup: %s answered %s: %s", req.URL, resp.Status, strings.TrimSpace(string(msg)))
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	p := newProgress(stderr, resp.ContentLength, "backup", true)
	n, err := io.Copy(io.MultiWriter(f, p), resp.Body)
	p.Finish()
	return n, closeSynced(f, err)
}

// verifyDataFile opens a data file with the bolt adapter (schema version
// not newer than this build, every bucket readable) and checks every index.
func verifyDataFile(path string) error {
	st, err := bolt.Open(path, bolt.Options{Timeout: lockWait})
	if err != nil {
		return err
	}
	cerr := st.Check()
	if err := st.Close(); cerr == nil {
		cerr = err
	}
	return cerr
}

// closeSynced fsyncs and closes f, keeping the first error.
func closeSynced(f *os.File, err error) error {
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func envOr(getenv func(string) string, name, def string) string {
	if v := strings.TrimSpace(getenv(name)); v != "" {
		return v
	}
	return def
}

func helpIsNoError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
