package fakemidtrans

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reopen opens a second emulator on a copy of path (what a crash leaves).
func reopen(t *testing.T, raw []byte) (*Emulator, error) {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(cp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{ServerKey: testKey, Clock: NewManualClock(testStart), DataFile: cp})
	if err == nil {
		t.Cleanup(func() { e.Close() })
	}
	return e, err
}

func TestJournalTornTailIsDropped(t *testing.T) {
	f := newFixture(t)
	f.bca("torn-1", 1000)
	f.bca("torn-2", 2000)
	raw, err := os.ReadFile(f.e.opts.DataFile)
	if err != nil {
		t.Fatal(err)
	}
	// A record the process had begun to write when it died: its call was
	// never answered, so losing it is right, and the rest must survive.
	for _, tail := range [][]byte{{0x40, 0, 0, 0, 1, 2}, append([]byte{9, 0, 0, 0, 0, 0, 0, 0}, `{"txns"`...)} {
		e2, err := reopen(t, append(append([]byte(nil), raw...), tail...))
		if err != nil {
			t.Fatalf("torn tail %x: %v", tail, err)
		}
		if e2.st.find("torn-1") == nil || e2.st.find("torn-2") == nil {
			t.Fatalf("torn tail %x: transactions lost", tail)
		}
	}
}

func TestJournalRefusesAForeignFile(t *testing.T) {
	if _, err := reopen(t, []byte("hello, this is not a journal at all")); err == nil || !strings.Contains(err.Error(), "not an emulator data file") {
		t.Fatalf("opened a foreign file: %v", err)
	}
}

func TestJournalMovesAnOldBoltFileAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	bolt := make([]byte, 4096)
	copy(bolt[16:], []byte{0xED, 0xDA, 0x0C, 0xED}) // bbolt's meta magic, little-endian
	if err := os.WriteFile(path, bolt, 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{ServerKey: testKey, DataFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if kept, err := os.ReadFile(path + ".bbolt"); err != nil || len(kept) != len(bolt) {
		t.Fatalf("old file not kept: %v", err)
	}
}

func TestJournalCompacts(t *testing.T) {
	old := compactMin
	compactMin = 8 << 10
	t.Cleanup(func() { compactMin = old })
	f := newFixture(t)
	for i := range 200 {
		f.bca(fmt.Sprintf("compact-%d", i), 1000+i)
	}
	fi, err := os.Stat(f.e.opts.DataFile)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := f.e.jr.base // no write is under way
	// Compacted late in the run (the snapshot holds most charges), and the
	// file is that snapshot plus at most the increments allowed after it.
	if snapshot < 100*200 || fi.Size() > snapshot+max(compactMin, snapshot)+4<<10 {
		t.Fatalf("file %d bytes, snapshot %d: not compacted", fi.Size(), snapshot)
	}
	// checkOnDisk (at cleanup) proves the compacted file holds everything.
}

func TestJournalSecondOpenerIsRefused(t *testing.T) {
	f := newFixture(t)
	if _, err := New(Options{ServerKey: testKey, DataFile: f.e.opts.DataFile}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second emulator opened the same file: %v", err)
	}
}
