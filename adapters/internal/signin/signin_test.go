package signin

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// fakeAccounts counts password verifications and can hold them.
type fakeAccounts struct {
	Accounts
	calls   atomic.Int64
	running atomic.Int64
	peak    atomic.Int64
	gate    chan struct{} // nil: verifications return at once
}

func (f *fakeAccounts) Authenticate(_ context.Context, name, pw string) (core.User, error) {
	f.calls.Add(1)
	n := f.running.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.gate != nil {
		<-f.gate
	}
	f.running.Add(-1)
	if name == "good" && pw == "right" {
		return core.User{ID: "u1", Username: "good", PasswordHash: "h1"}, nil
	}
	return core.User{}, &core.Error{Kind: core.ErrUnauthenticated, Message: "invalid credentials"}
}

func testLimits(now func() time.Time) Limits {
	return Limits{CacheTTL: time.Minute, MaxFails: 10, MaxIPFails: 30, Window: 5 * time.Minute,
		LockFor: 5 * time.Minute, Slots: 2, VerifyWait: 50 * time.Millisecond, VerifyQueue: 4, Penalty: -1, Now: now}
}

// A flood of wrong passwords with a new username each time is throttled
// per source IP: past the IP's budget no more bcrypt is spent, the answer
// is 429 with a Retry-After, and another IP is unaffected.
func TestSignInThrottledPerIPAcrossUsernames(t *testing.T) {
	t.Parallel()
	f := &fakeAccounts{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := New(f, testLimits(func() time.Time { return now }))
	ctx := context.Background()
	for i := range 30 {
		_, err := a.Password(ctx, "user"+strconv.Itoa(i), "wrong", "10.0.0.1")
		if !errors.Is(err, core.ErrUnauthenticated) {
			t.Fatalf("failure %d: %v, want unauthenticated", i, err)
		}
	}
	_, err := a.Password(ctx, "yet-another", "wrong", "10.0.0.1")
	if retry, ok := RetryAfter(err); !errors.Is(err, core.ErrRateLimited) || !ok || retry < time.Minute {
		t.Fatalf("31st new username from one IP: %v, want 429 with a retry of minutes", err)
	}
	if got := f.calls.Load(); got != 30 {
		t.Errorf("verifications = %d, want 30 (none once throttled)", got)
	}
	if _, err := a.Password(ctx, "good", "right", "10.0.0.2"); err != nil {
		t.Errorf("another IP: %v", err)
	}
	// Once the lockout is over the IP may try again.
	now = now.Add(6 * time.Minute)
	if _, err := a.Password(ctx, "good", "right", "10.0.0.1"); err != nil {
		t.Errorf("after the lockout: %v", err)
	}
}

// A credential verified before the IP was throttled keeps working from the
// cache: a shared address does not lock out users who already signed in.
func TestThrottledIPKeepsCachedSignIns(t *testing.T) {
	t.Parallel()
	f := &fakeAccounts{}
	a := New(&cachedAccounts{f}, testLimits(time.Now))
	ctx := context.Background()
	if _, err := a.Password(ctx, "good", "right", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		_, _ = a.Password(ctx, "x"+strconv.Itoa(i), "wrong", "10.0.0.1")
	}
	if _, err := a.Password(ctx, "GOOD", "right", "10.0.0.1"); err != nil {
		t.Errorf("cached sign-in from a throttled IP: %v", err)
	}
	if _, err := a.Password(ctx, "good", "wrong", "10.0.0.1"); !errors.Is(err, core.ErrRateLimited) {
		t.Errorf("uncached attempt from a throttled IP: %v, want 429", err)
	}
}

type cachedAccounts struct{ *fakeAccounts }

func (c *cachedAccounts) GetUser(context.Context, string) (core.User, error) {
	return core.User{ID: "u1", Username: "good", PasswordHash: "h1"}, nil
}

// At most `slots` verifications run at once; the rest wait briefly, and
// past the queue bound they are refused at once with a 429.
func TestPasswordVerificationsBounded(t *testing.T) {
	t.Parallel()
	f := &fakeAccounts{gate: make(chan struct{})}
	l := testLimits(time.Now)
	l.VerifyWait = time.Hour // waiters wait until released
	a := New(f, l)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 6 { // 2 run, 4 wait
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.Password(ctx, "u"+strconv.Itoa(i), "wrong", "10.0.1."+strconv.Itoa(i))
			errs <- err
		}()
	}
	// Wait until the two slots are taken and four wait.
	for f.running.Load() < 2 || a.waiting.Load() < 4 {
		time.Sleep(time.Millisecond)
	}
	if _, err := a.Password(ctx, "late", "wrong", "10.0.2.1"); !errors.Is(err, core.ErrRateLimited) {
		t.Errorf("past the queue: %v, want 429", err)
	}
	close(f.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("queued sign-in: %v, want 401", err)
		}
	}
	if p := f.peak.Load(); p > 2 {
		t.Errorf("peak concurrent verifications = %d, want <= 2", p)
	}
}

// A waiter that gets no slot within verifyWait answers 429.
func TestPasswordVerificationWaitBounded(t *testing.T) {
	t.Parallel()
	f := &fakeAccounts{gate: make(chan struct{})}
	l := testLimits(time.Now)
	l.Slots = 1
	a := New(f, l)
	done := make(chan struct{})
	go func() { _, _ = a.Password(context.Background(), "a", "wrong", "10.0.0.1"); close(done) }()
	for f.running.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	if _, err := a.Password(context.Background(), "b", "wrong", "10.0.0.2"); !errors.Is(err, core.ErrRateLimited) {
		t.Errorf("no slot within the wait: %v, want 429", err)
	}
	close(f.gate)
	<-done
}

// A throttled answer is held back for the penalty, so a client retrying at
// once sends at most one request per penalty.
func TestThrottledAnswerHeldBack(t *testing.T) {
	t.Parallel()
	l := testLimits(time.Now)
	l.MaxIPFails, l.Penalty = 1, 50*time.Millisecond
	a := New(&fakeAccounts{}, l)
	ctx := context.Background()
	if _, err := a.Password(ctx, "a", "wrong", "10.0.0.1"); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := a.Password(ctx, "b", "wrong", "10.0.0.1"); !errors.Is(err, core.ErrRateLimited) {
		t.Fatal(err)
	}
	if d := time.Since(start); d < l.Penalty {
		t.Errorf("throttled answer after %v, want at least %v", d, l.Penalty)
	}
}

// Concurrent failures and successes from one IP keep the counters
// consistent (run with -race).
func TestSignInCountersConcurrent(t *testing.T) {
	t.Parallel()
	l := testLimits(time.Now)
	l.Slots, l.VerifyQueue, l.VerifyWait = 4, 1000, time.Minute
	a := New(&cachedAccounts{&fakeAccounts{}}, l)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				if (i+j)%3 == 0 {
					_, _ = a.Password(context.Background(), "good", "right", "10.9.9.9")
				} else {
					_, _ = a.Password(context.Background(), "u"+strconv.Itoa(i*10+j), "wrong", "10.9.9.9")
				}
			}
		}()
	}
	wg.Wait()
	if _, err := a.Password(context.Background(), "fresh", "wrong", "10.9.9.9"); !errors.Is(err, core.ErrRateLimited) {
		t.Errorf("after 200+ failures from one IP: %v, want 429", err)
	}
}
