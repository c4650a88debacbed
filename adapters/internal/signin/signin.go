// Package signin guards password verification against hostile clients. It
// is a library of the adapters (it imports only core): the REST API's Basic
// credentials and the web pages' sign-in form share one Guard, so failures
// on either count towards the same lockouts.
package signin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/langganan/langganan/core"
)

// Accounts is what the guard needs from core (*core.Service has it).
type Accounts interface {
	Authenticate(ctx context.Context, username, password string) (core.User, error)
	GetUser(ctx context.Context, id string) (core.User, error)
}

// Limits are the guard's knobs; zero values take the defaults named.
type Limits struct {
	// CacheTTL is how long a verified password is remembered (60 s).
	CacheTTL time.Duration
	// MaxFails within Window lock a username+IP out for LockFor (10, 5 min,
	// 5 min).
	MaxFails        int
	Window, LockFor time.Duration
	// MaxIPFails within Window, across all usernames, lock that source IP
	// out of uncached sign-ins for LockFor (30).
	MaxIPFails int
	// Slots bounds how many bcrypt checks run at once (half the CPUs, at
	// least 1); a sign-in waits at most VerifyWait (2 s) for a slot, and
	// at most VerifyQueue (8 per slot) may wait, else it answers 429.
	Slots       int
	VerifyWait  time.Duration
	VerifyQueue int
	// Penalty holds back every throttled answer (1 s; negative: none).
	Penalty time.Duration
	// Now is wall time for the cache and lockouts (not the billing clock:
	// a manual clock must not freeze lockouts); default time.Now.
	Now func() time.Time
}

func (l Limits) withDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.CacheTTL, time.Minute)
	def(&l.Window, 5*time.Minute)
	def(&l.LockFor, 5*time.Minute)
	def(&l.VerifyWait, 2*time.Second)
	if l.MaxFails <= 0 {
		l.MaxFails = 10
	}
	if l.MaxIPFails <= 0 {
		l.MaxIPFails = 30
	}
	if l.Slots <= 0 {
		l.Slots = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if l.VerifyQueue <= 0 {
		l.VerifyQueue = 8 * l.Slots
	}
	switch {
	case l.Penalty == 0:
		l.Penalty = time.Second
	case l.Penalty < 0:
		l.Penalty = 0
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	return l
}

// Guard verifies passwords. bcrypt takes tens of milliseconds, so verified
// passwords are cached briefly under an HMAC with a per-process key; the
// plain password is never held. A cached entry is good only while the
// user's stored password hash is the one it was verified against, so a
// password change or reset revokes it at once, in every process.
//
// Against hostile clients:
//   - repeated failures for one username and IP lock that pair out;
//   - failures from one IP across all usernames are counted too: past
//     MaxIPFails within Window, that IP's uncached sign-ins answer 429 with
//     a retry time and cost no bcrypt;
//   - at most Slots password verifications run at once; a request that
//     cannot get a slot within VerifyWait (or finds VerifyQueue already
//     waiting) answers 429, so a flood of sign-ins cannot starve the rest
//     of the service of CPU;
//   - every throttled answer (429) is held back for Penalty before it is
//     returned: a throttled answer costs the server almost nothing, so a
//     client that retries at once would otherwise flood it with cheap
//     requests; held back, 64 attacking clients send at most 64 requests
//     a second, and a held request costs a timer, not CPU;
//   - unknown and known usernames take the same path: the same lockouts,
//     the same slot, one bcrypt comparison (core spends a dummy one), and
//     the same answer.
type Guard struct {
	acc Accounts
	l   Limits
	key []byte

	slots   chan struct{} // one token per running verification
	waiting atomic.Int64

	mu      sync.Mutex
	cache   map[string]cacheEntry // by lower-cased username
	fails   map[string]*failures  // by username + "\x00" + IP
	ipFails map[string]*failures  // by IP, across usernames
}

type cacheEntry struct {
	mac     []byte
	userID  string
	pwHash  string // the stored hash the password was verified against
	expires time.Time
}

type failures struct {
	first       time.Time
	n           int
	lockedUntil time.Time
}

// maxCacheEntries bounds memory; on overflow stale entries are dropped.
const maxCacheEntries = 10000

// New builds a guard over acc.
func New(acc Accounts, l Limits) *Guard {
	l = l.withDefaults()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("signin: crypto/rand failed: " + err.Error())
	}
	return &Guard{acc: acc, l: l, key: key, slots: make(chan struct{}, l.Slots),
		cache: map[string]cacheEntry{}, fails: map[string]*failures{}, ipFails: map[string]*failures{}}
}

// LockFor is how long a lockout lasts.
func (g *Guard) LockFor() time.Duration { return g.l.LockFor }

func (g *Guard) mac(username, password string) []byte {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(password))
	return m.Sum(nil)
}

// RateLimitedError is a throttled answer (core.ErrRateLimited) that knows
// when to try again.
type RateLimitedError struct {
	Err   *core.Error
	Retry time.Duration // whole seconds, at least one
}

func (e *RateLimitedError) Error() string { return e.Err.Error() }
func (e *RateLimitedError) Unwrap() error { return e.Err }

// RetryAfter is the retry time of a throttled answer, if err is one.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return rl.Retry, true
	}
	return 0, false
}

func tooMany(msg string, retry time.Duration) error {
	secs := int(retry.Seconds())
	if time.Duration(secs)*time.Second < retry {
		secs++
	}
	if secs < 1 {
		secs = 1
	}
	return &RateLimitedError{Err: &core.Error{Kind: core.ErrRateLimited,
		Message: msg + "; try again in " + strconv.Itoa(secs) + "s"}, Retry: time.Duration(secs) * time.Second}
}

// Password verifies a username and password from source address ip; a
// throttled answer is held back for the penalty first.
func (g *Guard) Password(ctx context.Context, name, pw, ip string) (core.User, error) {
	u, err := g.passwordOnce(ctx, name, pw, ip)
	g.holdBack(ctx, err)
	return u, err
}

func (g *Guard) holdBack(ctx context.Context, err error) {
	var rl *RateLimitedError
	if g.l.Penalty > 0 && errors.As(err, &rl) {
		t := time.NewTimer(g.l.Penalty)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}

func (g *Guard) passwordOnce(ctx context.Context, name, pw, ip string) (core.User, error) {
	now := g.l.Now()
	key := core.NormalizeUsername(name)
	failKey := key + "\x00" + ip
	mac := g.mac(key, pw)

	g.mu.Lock()
	if f := g.fails[failKey]; f != nil && now.Before(f.lockedUntil) {
		g.mu.Unlock()
		return core.User{}, tooMany("too many failed sign-ins", f.lockedUntil.Sub(now))
	}
	e, hit := g.cache[key]
	ipUntil := lockedUntil(g.ipFails[ip]) // copied under the lock
	g.mu.Unlock()

	if hit && now.Before(e.expires) && hmac.Equal(e.mac, mac) {
		u, err := g.acc.GetUser(ctx, e.userID)
		if err == nil && u.PasswordHash == e.pwHash {
			return u, nil
		}
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			return core.User{}, fmt.Errorf("load signed-in user: %w", err)
		}
		g.Forget(key) // password changed or user gone: verify afresh
	}
	// An IP over its failure budget gets no more bcrypt (cached sign-ins,
	// above, still pass: a shared address does not lock its users out).
	if now.Before(ipUntil) {
		return core.User{}, tooMany("too many failed sign-ins from this address", ipUntil.Sub(now))
	}
	release, err := g.acquire(ctx)
	if err != nil {
		return core.User{}, err
	}
	u, err := g.acc.Authenticate(ctx, key, pw)
	release()
	g.mu.Lock()
	defer g.mu.Unlock()
	if errors.Is(err, core.ErrUnauthenticated) {
		delete(g.cache, key)
		g.countLocked(g.fails, failKey, g.l.MaxFails, now)
		g.countLocked(g.ipFails, ip, g.l.MaxIPFails, now)
		g.pruneLocked(now)
		return core.User{}, err
	}
	if err != nil {
		return core.User{}, err
	}
	delete(g.fails, failKey)
	g.cache[key] = cacheEntry{mac: mac, userID: u.ID, pwHash: u.PasswordHash, expires: now.Add(g.l.CacheTTL)}
	g.pruneLocked(now)
	return u, nil
}

// Check runs check, a password verification outside sign-in (the current
// password of a password change), under the same rules as a sign-in: the
// username+IP and IP lockouts, a verification slot, and a failure (wrong
// reports it) counted towards both lockouts. A stolen bearer token or
// session thus cannot be used to guess its owner's password.
func (g *Guard) Check(ctx context.Context, name, ip string, check func() error, wrong func(error) bool) error {
	err := g.checkOnce(ctx, name, ip, check, wrong)
	g.holdBack(ctx, err)
	return err
}

func (g *Guard) checkOnce(ctx context.Context, name, ip string, check func() error, wrong func(error) bool) error {
	now := g.l.Now()
	key := core.NormalizeUsername(name)
	failKey := key + "\x00" + ip
	g.mu.Lock()
	userUntil, ipUntil := lockedUntil(g.fails[failKey]), lockedUntil(g.ipFails[ip])
	g.mu.Unlock()
	if now.Before(userUntil) {
		return tooMany("too many failed password checks", userUntil.Sub(now))
	}
	if now.Before(ipUntil) {
		return tooMany("too many failed password checks from this address", ipUntil.Sub(now))
	}
	release, err := g.acquire(ctx)
	if err != nil {
		return err
	}
	err = check()
	release()
	if err != nil && wrong(err) {
		g.mu.Lock()
		g.countLocked(g.fails, failKey, g.l.MaxFails, now)
		g.countLocked(g.ipFails, ip, g.l.MaxIPFails, now)
		g.pruneLocked(now)
		g.mu.Unlock()
	}
	return err
}

// acquire waits for a verification slot, at most VerifyWait, and refuses
// at once when VerifyQueue requests are already waiting.
func (g *Guard) acquire(ctx context.Context) (func(), error) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	if g.waiting.Add(1) > int64(g.l.VerifyQueue) {
		g.waiting.Add(-1)
		return nil, tooMany("too many sign-ins in progress", time.Second)
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.l.VerifyWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-t.C:
		return nil, tooMany("too many sign-ins in progress", time.Second)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// countLocked counts one failure under k in m and locks k out once limit
// failures fell within the window. g.mu is held.
func (g *Guard) countLocked(m map[string]*failures, k string, limit int, now time.Time) {
	f := m[k]
	if f == nil || now.Sub(f.first) > g.l.Window {
		f = &failures{first: now}
		m[k] = f
	}
	f.n++
	if f.n >= limit {
		f.lockedUntil, f.n, f.first = now.Add(g.l.LockFor), 0, now
	}
}

// lockedUntil is when f's lockout ends (zero: none). g.mu is held.
func lockedUntil(f *failures) time.Time {
	if f == nil {
		return time.Time{}
	}
	return f.lockedUntil
}

// Forget drops the cached credential of a username (password changed).
func (g *Guard) Forget(username string) {
	g.mu.Lock()
	delete(g.cache, core.NormalizeUsername(username))
	g.mu.Unlock()
}

// pruneLocked drops expired entries once the maps grow large. g.mu is held.
func (g *Guard) pruneLocked(now time.Time) {
	if len(g.cache) > maxCacheEntries {
		for k, e := range g.cache {
			if !now.Before(e.expires) {
				delete(g.cache, k)
			}
		}
		if len(g.cache) > maxCacheEntries {
			clear(g.cache)
		}
	}
	for _, m := range []map[string]*failures{g.fails, g.ipFails} {
		if len(m) > maxCacheEntries {
			for k, f := range m {
				if now.Sub(f.first) > g.l.Window && !now.Before(f.lockedUntil) {
					delete(m, k)
				}
			}
			if len(m) > 4*maxCacheEntries {
				clear(m) // all fresh: forget rather than grow without bound
			}
		}
	}
}
