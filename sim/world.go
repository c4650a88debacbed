package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/fakemidtrans"
	"github.com/langganan/langganan/adapters/midtrans"
	"github.com/langganan/langganan/adapters/postgres"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// Keys and addresses of the in-process Midtrans. The host never resolves:
// the transport hands every request to the emulator directly.
const (
	serverKey      = "SB-Mid-server-SIMULATOR0000000000"
	clientKey      = "SB-Mid-client-SIMULATOR0000000000"
	midtransURL    = "http://midtrans.sim"
	notifyPayment  = "http://langganan.sim/webhooks/midtrans"
	notifyRecur    = "http://langganan.sim/webhooks/midtrans/subscription"
	notifyAccount  = "http://langganan.sim/webhooks/midtrans/pay-account"
	midtransSource = "103.208.23.6"
)

// start is the simulated time a run begins at: mid-January of a leap
// year, so month ends, February 29 and year ends fall inside a run.
var start = time.Date(2028, 1, 14, 3, 0, 0, 0, time.UTC)

// errCrashed is what every store and gateway call answers between an
// injected crash and the restart that follows it.
var errCrashed = errors.New("sim: process crashed")

// world is one run: the service and everything around it.
type world struct {
	ctx     context.Context
	seed    uint64
	defects []core.Defect
	// path is the bbolt file, or dbURL the run's own PostgreSQL schema.
	path  string
	dbURL string

	clock *core.ManualClock
	emu   *fakemidtrans.Emulator
	ids   *seededIDs
	cfg   core.Config

	raw   closingStore // the store as opened
	store *crashStore  // raw, as the service sees it
	gw    *midtrans.Client
	svc   *core.Service
	tr    *transport

	notes  []note // notifications Midtrans sent, not yet delivered
	noteNo int

	m model

	// Per step: the fault to inject and the counters that place it.
	fault   Fault
	commits int
	calls   int
	dead    bool
	// stepNative names the native subscriptions the step's Subscription
	// API calls were about.
	stepNative []string
	// nested is true while a re-entrant operation runs inside a gateway call.
	nested bool

	rng *rand.Rand // the current step's choices
	// fresh is true while the billing engine is caught up with the clock.
	fresh bool
	trace *tracer
	// violation is set by checks that run inside a step (replays).
	violation *Violation
	watch     []string
	counts    map[string]int
}

// closingStore is a store the run opens and closes: a bbolt file or a
// PostgreSQL pool.
type closingStore interface {
	core.Store
	Close() error
}

// newWorld builds a run whose store is a bbolt file in dir, or, with
// dbURL, the PostgreSQL schema dbURL names.
func newWorld(ctx context.Context, seed uint64, dir, dbURL string, defects []core.Defect, tr *tracer) (*world, error) {
	w := &world{ctx: ctx, seed: seed, defects: defects, dbURL: dbURL,
		clock: core.NewManualClock(start), ids: newSeededIDs(seed), trace: tr, fresh: true, counts: map[string]int{}}
	if dbURL == "" {
		w.path = filepath.Join(dir, "langganan.db")
	}
	cfg := core.DefaultConfig()
	cfg.EngineWorkers = 1
	cfg.Location = time.FixedZone("WIB", 7*3600)
	w.cfg = cfg
	emuRand := rand.NewChaCha8(seedBytes(seed, 0xE11))
	emu, err := fakemidtrans.New(fakemidtrans.Options{
		ServerKey: serverKey, ClientKey: clientKey, Clock: w.clock,
		NotificationURL: notifyPayment, RecurringNotificationURL: notifyRecur, PayAccountNotificationURL: notifyAccount,
		HTTPClient: &http.Client{Transport: captureTransport{w}}, PublicURL: midtransURL,
		Rand: emuRand,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	w.emu = emu
	w.tr = &transport{w: w}
	if err := w.open(); err != nil {
		return nil, err
	}
	if err := w.setup(); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// open opens the store and builds a service over it, with fresh caches:
// what a process start does.
func (w *world) open() error {
	st, err := w.openStore()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	w.raw = st
	w.store = &crashStore{w: w, inner: st}
	gw, err := midtrans.New(midtrans.Config{
		BaseURL: midtransURL, ServerKey: serverKey, ClientKey: clientKey,
		HTTP:        &http.Client{Transport: w.tr},
		MaxAttempts: 1, BreakerThreshold: 1 << 30, Now: w.clock.Now, Log: zerolog.Nop(),
	})
	if err != nil {
		return fmt.Errorf("midtrans client: %w", err)
	}
	w.gw = gw
	svc, err := core.NewService(core.Deps{Store: w.store, Gateway: gw, Clock: w.clock, IDs: w.ids, Hasher: coretest.PlainHasher{}}, w.cfg)
	if err != nil {
		return fmt.Errorf("service: %w", err)
	}
	svc.Plant(w.defects...)
	// No email or webhook senders: deliveries to customers would run
	// concurrently, and are not money.
	w.svc = svc
	w.dead = false
	return nil
}

// openStore opens the bbolt file, or a new connection pool on the run's
// schema (the migrations, applied by the first, find nothing to do).
func (w *world) openStore() (closingStore, error) {
	if w.dbURL != "" {
		// One unit of work runs at a time; the checker's reads come between.
		return postgres.Open(w.ctx, w.dbURL, postgres.Options{MaxConns: 4})
	}
	return bolt.Open(w.path, bolt.Options{NoSync: true})
}

// storeKind names the store the run opened.
func (w *world) storeKind() string {
	switch w.raw.(type) {
	case *postgres.Store:
		return "postgres"
	case *bolt.Store:
		return "bolt"
	}
	return fmt.Sprintf("%T", w.raw)
}

// restart is a crash and a process start: the service and every cache are
// dropped, the file (or the pool) is closed and opened again. Midtrans
// lives on.
func (w *world) restart() error {
	if err := w.raw.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	w.count("restarts")
	return w.open()
}

// die marks the process dead: from now on every store and gateway call fails.
func (w *world) die() {
	if !w.dead {
		w.dead = true
		w.count("crashes")
	}
}

func (w *world) close() {
	if w.raw != nil {
		_ = w.raw.Close()
	}
	_ = w.emu.Close()
}

func (w *world) count(k string) { w.counts[k]++ }

// crashStore is the real store with crashes injected after a chosen commit.
// It offers only core.Store, not the store's core.Leases: the service runs
// as the one instance on its store, on either store, so that both run the
// same way (claims and the leader lease are the storage contract suite's
// and the multi-instance e2e test's).
type crashStore struct {
	w     *world
	inner core.Store
}

func (s *crashStore) Update(ctx context.Context, fn func(tx core.Tx) error) error {
	if s.w.dead {
		return errCrashed
	}
	// A store may run fn more than once: bbolt runs a unit of work that
	// failed inside a batch again on its own, PostgreSQL one that collided
	// with another. Every run draws the same ids, so how often a store
	// runs fn (a matter of batching and timing) never changes the run.
	mark := s.w.ids.mark()
	err := s.inner.Update(ctx, func(tx core.Tx) error {
		s.w.ids.reset(mark)
		return fn(tx)
	})
	if err == nil && !s.w.nested {
		s.w.commits++
		if s.w.fault.Kind == FaultCrashAfterCommit && s.w.fault.At == s.w.commits {
			s.w.die()
		}
	}
	return err
}

func (s *crashStore) View(ctx context.Context, fn func(tx core.Tx) error) error {
	if s.w.dead {
		return errCrashed
	}
	return s.inner.View(ctx, fn)
}

// view reads the store directly (the checker's access, never faulted).
func (w *world) view(fn func(tx core.Tx) error) error { return w.raw.View(w.ctx, fn) }
