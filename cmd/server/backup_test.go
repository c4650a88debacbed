package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	lhttp "github.com/langganan/langganan/adapters/http"
	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

// TestBackupUnderLoadAndRestore: writers create plans through core while
// GET /api/admin/backup streams; the copy is restored with "server restore"
// and every plan committed before the backup started is there, Check passes.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := bolt.Open(filepath.Join(dir, "live.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := core.NewService(core.Deps{Store: st, Clock: core.ClockFunc(time.Now), IDs: random.IDs{}, Hasher: coretest.PlainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EnsureAdmin(ctx, "root", "root-pass-1234"); err != nil {
		t.Fatal(err)
	}
	admin := core.Actor{IsAdmin: true}
	var committed sync.Map // slug → commit time order
	var seq atomic.Int64
	create := func(w int) error {
		n := seq.Add(1)
		name, price, unit := fmt.Sprintf("Plan %d-%d", w, n), "49000", "month"
		slug := fmt.Sprintf("p-%d-%d", w, n)
		if _, err := svc.CreatePlan(ctx, admin, core.PlanInput{Name: &name, Slug: &slug, Price: &price, IntervalUnit: &unit}); err != nil {
			return err
		}
		committed.Store(slug, true)
		return nil
	}
	for i := range 200 {
		if err := create(i % 4); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr atomic.Value
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := create(w); err != nil {
					writeErr.Store(err)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // writers are busy

	// Everything committed before the backup starts must be in it.
	before := map[string]bool{}
	committed.Range(func(k, _ any) bool { before[k.(string)] = true; return true })

	srv := lhttp.NewServer(lhttp.Config{Service: svc, Log: zerolog.Nop(), Backup: st.Backup})
	req := httptest.NewRequest("GET", "/api/admin/backup", nil)
	req.SetBasicAuth("root", "root-pass-1234")
	resp, err := srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	time.Sleep(20 * time.Millisecond) // writers go on after the backup
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if e := writeErr.Load(); e != nil {
		t.Fatalf("a writer failed: %v", e)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="langganan-`) {
		t.Fatalf("backup answered %d %v", resp.StatusCode, resp.Header)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(backup, body, 0o600); err != nil {
		t.Fatal(err)
	}

	// Restore into a new data file through the CLI.
	target := filepath.Join(dir, "restored", "langganan.db")
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"restore", "-data", target, backup}, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("restore: %v\n%s%s", err, out.String(), errb.String())
	}
	rst, err := bolt.Open(target, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rst.Close()
	if err := rst.Check(); err != nil {
		t.Fatalf("restored file fails Check: %v", err)
	}
	have := map[string]bool{}
	if err := rst.View(ctx, func(tx core.Tx) error {
		plans, err := tx.Plans().List()
		for _, p := range plans {
			have[p.Slug] = true
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for slug := range before {
		if !have[slug] {
			t.Errorf("plan %s committed before the backup is missing from the restore", slug)
		}
	}
	total := 0
	committed.Range(func(_, _ any) bool { total++; return true })
	t.Logf("%d plans before the backup, %d in it, %d committed in all", len(before), len(have), total)
	if len(before) < 200 {
		t.Fatalf("only %d plans before the backup", len(before))
	}
}

func TestRestoreRefusals(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	env := func(string) string { return "" }
	good := filepath.Join(dir, "good.db")
	st, err := bolt.Open(good, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not bolt"), 1000), 0o600)
	target := filepath.Join(dir, "data", "langganan.db")
	var out, errb bytes.Buffer

	if err := run(ctx, []string{"restore", "-data", target, junk}, env, &out, &errb); err == nil || !strings.Contains(err.Error(), "not a sound") {
		t.Errorf("restore of junk: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s behind", target)
	}
	if err := run(ctx, []string{"restore", "-data", target, good}, env, &out, &errb); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := run(ctx, []string{"restore", "-data", target, good}, env, &out, &errb); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Errorf("restore over an existing file without -force: %v", err)
	}
	// A running service holds the lock.
	live, err := bolt.Open(target, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"restore", "-force", "-data", target, good}, env, &out, &errb)
	live.Close()
	if err == nil || !strings.Contains(err.Error(), "running service") {
		t.Errorf("restore over a locked file: %v", err)
	}
	if err := run(ctx, []string{"restore", "-force", "-data", target, good}, env, &out, &errb); err != nil {
		t.Errorf("restore -force: %v", err)
	}
	if m, _ := filepath.Glob(target + ".pre-restore-*"); len(m) != 1 {
		t.Errorf("the replaced file was not kept: %v", m)
	}
}

func TestBackupCLIAndCheck(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	data := filepath.Join(dir, "langganan.db")
	env := func(k string) string {
		if k == "LANGGANAN_DATA" {
			return data
		}
		return ""
	}
	st, err := bolt.Open(data, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	// Locked by a "service": refused with advice.
	err = run(ctx, []string{"backup", "-o", filepath.Join(dir, "b.db")}, env, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "-url") {
		t.Errorf("backup of a locked file: %v", err)
	}
	st.Close()
	if err := run(ctx, []string{"backup", "-o", filepath.Join(dir, "b.db")}, env, &out, &errb); err != nil {
		t.Fatalf("backup: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "verified") || !strings.Contains(errb.String(), "backup: done") {
		t.Errorf("backup output: %q / %q", out.String(), errb.String())
	}
	if err := run(ctx, []string{"backup", "-o", filepath.Join(dir, "b.db")}, env, &out, &errb); err == nil {
		t.Error("backup overwrote an existing file")
	}
	out.Reset()
	if err := run(ctx, []string{"check"}, env, &out, &errb); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	for _, want := range []string{"indexes", "invoice uniqueness", "wallet ledgers", "no problems found"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSubcommandHelp(t *testing.T) {
	for _, cmd := range []string{"serve", "billing-run", "backup", "restore", "create-admin", "check"} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{cmd, "-h"}, func(string) string { return "" }, &out, &errb); err != nil {
			t.Errorf("%s -h: %v", cmd, err)
		}
		if !strings.Contains(errb.String(), "usage: server") {
			t.Errorf("%s -h says no usage:\n%s", cmd, errb.String())
		}
	}
	for _, help := range []string{"help", "-h", "--help"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{help}, func(string) string { return "" }, &out, io.Discard); err != nil {
			t.Errorf("%s: %v", help, err)
		}
		for _, cmd := range []string{"serve", "create-admin", "billing-run", "backup", "restore", "check"} {
			if !strings.Contains(out.String(), "\n  "+cmd+" ") {
				t.Errorf("server %s does not list %s:\n%s", help, cmd, out.String())
			}
		}
	}
}

func TestProgressPlain(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, 4096, "copy", true)
	p.Write(make([]byte, 4096))
	p.Finish()
	if !strings.Contains(b.String(), "copy: done, 4.0 KiB") {
		t.Errorf("plain progress: %q", b.String())
	}
}
