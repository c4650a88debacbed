package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt/storetest"
	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/core"
	bbolt "go.etcd.io/bbolt"
)

func openFile(t *testing.T) *Store {
	t.Helper()
	// NoSync: the contract is about semantics, not durability; the
	// persistence tests below use the default (synced) options.
	s, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("Check after test: %v", err)
		}
		s.Close()
	})
	return s
}

func openMemory(t *testing.T) *Store {
	s := NewMemory()
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("Check after test: %v", err)
		}
	})
	return s
}

func TestContractBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return openFile(t) })
}

func TestContractMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return openMemory(t) })
}

func TestNotLeases(t *testing.T) {
	// Alone on its file: the billing run scans by cursor, not by claims.
	if _, ok := any(openMemory(t)).(core.Leases); ok {
		t.Fatal("the bbolt store implements core.Leases; its billing run would keep a claim per subscription")
	}
}

var bg = context.Background()

func putPlan(t *testing.T, s *Store, slug string) core.Plan {
	t.Helper()
	p := core.Plan{ID: random.IDs{}.NewID(), Name: slug, Slug: slug, Price: core.MustMoney("1000"),
		Interval: 1, IntervalUnit: core.Month, Status: core.PlanActive, CreatedAt: time.Now()}
	if err := s.Update(bg, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := putPlan(t, s, "kept")
	if err := s.Update(bg, func(tx core.Tx) error { _, err := tx.Meta().NextSequence("n"); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	err = s.Update(bg, func(tx core.Tx) error {
		got, err := tx.Plans().GetBySlug("kept")
		if err != nil || got.ID != p.ID {
			t.Errorf("after reopen GetBySlug = %v, %v", got.ID, err)
		}
		if n, _ := tx.Meta().NextSequence("n"); n != 2 {
			t.Errorf("sequence after reopen = %d, want 2", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Open = %v, want ErrLocked naming %s", err, path)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %s", d)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, SchemaVersion+1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open(newer) = %v, want ErrNewerSchema naming the file", err)
	}
}

func TestSchemaVersionWritten(t *testing.T) {
	s := openFile(t)
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket([]byte("meta")).Get([]byte("schema_version"))
		if n, err := readVersion(v); err != nil || n != SchemaVersion {
			t.Errorf("schema_version = %d, %v", n, err)
		}
		for _, name := range bucketNames {
			if tx.Bucket([]byte(name)) == nil {
				t.Errorf("bucket %s not created", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackupUnderConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "live.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mu sync.Mutex
	var committed []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := putPlan(t, s, "p"+strings.Repeat("x", i%7)+time.Now().Format("150405.000000000"))
			mu.Lock()
			committed = append(committed, p.ID)
			mu.Unlock()
		}
	}()
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n >= 50 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), committed...)
	mu.Unlock()
	path := filepath.Join(dir, "backup.db")
	n, err := s.BackupFile(path)
	close(stop)
	wg.Wait()
	if err != nil || n == 0 {
		t.Fatalf("Backup = %d, %v", n, err)
	}
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(); err != nil {
		t.Errorf("backup Check: %v", err)
	}
	err = b.View(bg, func(tx core.Tx) error {
		for _, id := range before {
			if _, err := tx.Plans().Get(id); err != nil {
				t.Errorf("plan committed before the backup missing: %v", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := NewMemory().Backup(&buf); !errors.Is(err, ErrBackupUnsupported) {
		t.Errorf("memory Backup = %v", err)
	}
}

func TestWritableAndClose(t *testing.T) {
	for name, s := range map[string]*Store{"bolt": openFile(t), "memory": NewMemory()} {
		t.Run(name, func(t *testing.T) {
			if err := s.Writable(bg); err != nil {
				t.Errorf("Writable = %v", err)
			}
		})
	}
	m := NewMemory()
	m.Close()
	if err := m.Writable(bg); err == nil {
		t.Error("Writable after Close succeeded")
	}
	if err := m.View(bg, func(core.Tx) error { return nil }); err == nil {
		t.Error("View after Close succeeded")
	}
}

// TestCheckFindsDamage breaks indexes behind the repositories' back.
func TestCheckFindsDamage(t *testing.T) {
	for name, s := range map[string]*Store{"bolt": openFileNoCheck(t), "memory": NewMemory()} {
		t.Run(name, func(t *testing.T) {
			p := putPlan(t, s, "damaged")
			if err := s.Check(); err != nil {
				t.Fatalf("Check on a healthy store: %v", err)
			}
			// A missing index entry.
			damage(t, s, func(tx *tx) error { return tx.b(bPlanSlug).Delete(hashKey("damaged")) })
			if err := s.Check(); err == nil || !strings.Contains(err.Error(), "idx_plan_slug") {
				t.Errorf("Check after deleting the slug entry = %v", err)
			}
			// A dangling entry.
			damage(t, s, func(tx *tx) error {
				return tx.b(bSubDue).Put(timeKey(time.Now(), idKey(random.IDs{}.NewID())), idKey(p.ID))
			})
			if err := s.Check(); err == nil || !strings.Contains(err.Error(), "idx_sub_due") {
				t.Errorf("Check after a dangling due entry = %v", err)
			}
		})
	}
}

func openFileNoCheck(t *testing.T) *Store {
	s, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func damage(t *testing.T, s *Store, fn func(*tx) error) {
	t.Helper()
	if err := s.Update(bg, func(ct core.Tx) error { return fn(ct.(*tx)) }); err != nil {
		t.Fatal(err)
	}
}

func TestStoredMoneyIsADecimalString(t *testing.T) {
	s := openFile(t)
	p := putPlan(t, s, "money")
	err := s.db.View(func(btx *bbolt.Tx) error {
		raw := btx.Bucket([]byte("plans")).Get(idKey(p.ID))
		if !bytes.Contains(raw, []byte(`"Price":{"amount":"1000.00","currency":"IDR"}`)) || !bytes.Contains(raw, []byte(`"v":1`)) {
			t.Errorf("record = %s", raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTimeKeysSort(t *testing.T) {
	times := []time.Time{{}, time.Unix(-5, 0), time.Unix(0, 0), time.Unix(0, 1), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 1; i < len(times); i++ {
		if bytes.Compare(tsKey(times[i-1]), tsKey(times[i])) >= 0 {
			t.Errorf("tsKey(%v) >= tsKey(%v)", times[i-1], times[i])
		}
	}
	if prefixEnd([]byte{1, 0xff}) == nil || !bytes.Equal(prefixEnd([]byte{1, 0xff}), []byte{2}) || prefixEnd([]byte{0xff}) != nil {
		t.Error("prefixEnd")
	}
}

// TestMemoryTreeAgainstModel drives the memory backend with random
// puts, deletes, rollbacks and cursor walks and compares with a sorted map.
func TestMemoryTreeAgainstModel(t *testing.T) {
	db := &memDB{}
	model := map[string]string{}
	r := rand.New(rand.NewPCG(1, 2))
	key := func() []byte { return []byte{byte(r.IntN(40)), byte(r.IntN(8))} }
	for round := 0; round < 300; round++ {
		mt, err := db.begin(true)
		if err != nil {
			t.Fatal(err)
		}
		b := mt.bucket(bPlans)
		next := map[string]string{}
		for k, v := range model {
			next[k] = v
		}
		for op := 0; op < 20; op++ {
			k := key()
			if r.IntN(3) == 0 {
				b.Delete(k)
				delete(next, string(k))
			} else {
				v := []byte{byte(round), byte(op)}
				b.Put(k, v)
				next[string(k)] = string(v)
			}
		}
		if r.IntN(4) == 0 {
			mt.rollback()
		} else {
			mt.commit()
			model = next
		}
		rt, _ := db.begin(false)
		verifyTree(t, rt.bucket(bPlans), model, r)
	}
}

func verifyTree(t *testing.T, b kvBucket, model map[string]string, r *rand.Rand) {
	t.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fwd, rev []string
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if model[string(k)] != string(v) {
			t.Fatalf("value of %x = %x, want %x", k, v, model[string(k)])
		}
		fwd = append(fwd, string(k))
	}
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		rev = append(rev, string(k))
	}
	if strings.Join(fwd, ",") != strings.Join(keys, ",") {
		t.Fatalf("forward walk %q, want %q", fwd, keys)
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if strings.Join(rev, ",") != strings.Join(keys, ",") {
		t.Fatalf("reverse walk %q", rev)
	}
	seek := []byte{byte(r.IntN(41))}
	i := sort.SearchStrings(keys, string(seek))
	k, _ := c.Seek(seek)
	if (i == len(keys)) != (k == nil) || (k != nil && string(k) != keys[i]) {
		t.Fatalf("Seek(%x) = %x", seek, k)
	}
	for _, k := range keys {
		if string(b.Get([]byte(k))) != model[k] {
			t.Fatalf("Get(%x)", k)
		}
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
