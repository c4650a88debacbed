package http

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

const localUser = "langganan.user"

// Authentication method recorded with the user, so that token minting can
// insist on a password.
const (
	viaBasic  = "basic"
	viaBearer = "bearer"
)

type identity struct {
	user core.User
	via  string
}

// authenticator verifies Basic and Bearer credentials. bcrypt takes tens of
// milliseconds, so verified passwords are cached briefly under an HMAC with
// a per-process key; the plain password is never held. A cached entry is
// good only while the user's stored password hash is the one it was
// verified against, so a password change or reset revokes it at once, in
// every process.
//
// Against hostile clients:
//   - repeated failures for one username and IP lock that pair out;
//   - failures from one IP across all usernames are counted too: past
//     maxIPFails within window, that IP's uncached sign-ins answer 429 with
//     Retry-After and cost no bcrypt;
//   - at most verifySlots password verifications run at once; a request
//     that cannot get a slot within verifyWait (or finds verifyQueue
//     already waiting) answers 429, so a flood of sign-ins cannot starve
//     the rest of the service of CPU;
//   - every throttled answer (429) is held back for penalty (default 1 s)
//     before it is sent: a throttled answer costs the server almost
//     nothing, so a client that retries at once would otherwise flood it
//     with cheap requests; held back, 64 attacking clients send at most 64
//     requests a second, and a held request costs a timer, not CPU;
//   - unknown and known usernames take the same path: the same lockouts,
//     the same slot, one bcrypt comparison (core spends a dummy one), and
//     the same answer.
type authenticator struct {
	svc        AccountService
	now        func() time.Time
	key        []byte
	ttl        time.Duration
	maxFails   int
	maxIPFails int
	window     time.Duration
	lockFor    time.Duration

	slots       chan struct{} // one token per running verification
	verifyWait  time.Duration
	verifyQueue int64
	waiting     atomic.Int64
	penalty     time.Duration

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

// authLimits are the authenticator's knobs (Config, defaults applied).
type authLimits struct {
	ttl                  time.Duration
	maxFails, maxIPFails int
	window, lockFor      time.Duration
	slots                int
	verifyWait           time.Duration
	verifyQueue          int
	penalty              time.Duration
}

func newAuthenticator(svc AccountService, now func() time.Time, l authLimits) *authenticator {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("http: crypto/rand failed: " + err.Error())
	}
	return &authenticator{svc: svc, now: now, key: key, ttl: l.ttl, maxFails: l.maxFails, maxIPFails: l.maxIPFails,
		window: l.window, lockFor: l.lockFor, slots: make(chan struct{}, l.slots), verifyWait: l.verifyWait,
		verifyQueue: int64(l.verifyQueue), penalty: l.penalty, cache: map[string]cacheEntry{}, fails: map[string]*failures{},
		ipFails: map[string]*failures{}}
}

func (a *authenticator) mac(username, password string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(password))
	return m.Sum(nil)
}

// rateLimitedError is a 429 that knows its Retry-After.
type rateLimitedError struct {
	err   *core.Error
	retry time.Duration
}

func (e *rateLimitedError) Error() string { return e.err.Error() }
func (e *rateLimitedError) Unwrap() error { return e.err }

func tooMany(msg string, retry time.Duration) error {
	secs := int(retry.Seconds())
	if time.Duration(secs)*time.Second < retry {
		secs++
	}
	if secs < 1 {
		secs = 1
	}
	return &rateLimitedError{err: &core.Error{Kind: core.ErrRateLimited,
		Message: msg + "; try again in " + strconv.Itoa(secs) + "s"}, retry: time.Duration(secs) * time.Second}
}

// middleware resolves credentials if any were sent. Wrong credentials are a
// 401 even on public endpoints, so a typo never silently reads as anonymous.
func (a *authenticator) middleware(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return c.Next()
	}
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	var (
		u   core.User
		err error
		via string
	)
	switch strings.ToLower(scheme) {
	case "basic":
		via = viaBasic
		raw, derr := base64.StdEncoding.DecodeString(cred)
		name, pw, ok := strings.Cut(string(raw), ":")
		if derr != nil || !ok {
			return unauthenticated("malformed Basic credentials")
		}
		u, err = a.basic(c.UserContext(), name, pw, c.IP())
	case "bearer":
		via = viaBearer
		u, err = a.svc.AuthenticateToken(c.UserContext(), cred)
	default:
		return unauthenticated("unsupported authorization scheme; use Basic or Bearer")
	}
	if err != nil {
		var rl *rateLimitedError
		if errors.As(err, &rl) {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(rl.retry.Seconds())))
		}
		return err
	}
	c.Locals(localUser, identity{user: u, via: via})
	return c.Next()
}

// basic verifies a username and password; a throttled answer is held back
// for the penalty first.
func (a *authenticator) basic(ctx context.Context, name, pw, ip string) (core.User, error) {
	u, err := a.basicOnce(ctx, name, pw, ip)
	var rl *rateLimitedError
	if a.penalty > 0 && errors.As(err, &rl) {
		t := time.NewTimer(a.penalty)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	return u, err
}

func (a *authenticator) basicOnce(ctx context.Context, name, pw, ip string) (core.User, error) {
	now := a.now()
	key := core.NormalizeUsername(name)
	failKey := key + "\x00" + ip
	mac := a.mac(key, pw)

	a.mu.Lock()
	if f := a.fails[failKey]; f != nil && now.Before(f.lockedUntil) {
		a.mu.Unlock()
		return core.User{}, tooMany("too many failed sign-ins", f.lockedUntil.Sub(now))
	}
	e, hit := a.cache[key]
	ipUntil := lockedUntil(a.ipFails[ip]) // copied under the lock
	a.mu.Unlock()

	if hit && now.Before(e.expires) && hmac.Equal(e.mac, mac) {
		u, err := a.svc.GetUser(ctx, e.userID)
		if err == nil && u.PasswordHash == e.pwHash {
			return u, nil
		}
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			return core.User{}, fmt.Errorf("load signed-in user: %w", err)
		}
		a.forget(key) // password changed or user gone: verify afresh
	}
	// An IP over its failure budget gets no more bcrypt (cached sign-ins,
	// above, still pass: a shared address does not lock its users out).
	if now.Before(ipUntil) {
		return core.User{}, tooMany("too many failed sign-ins from this address", ipUntil.Sub(now))
	}
	release, err := a.acquire(ctx)
	if err != nil {
		return core.User{}, err
	}
	u, err := a.svc.Authenticate(ctx, key, pw)
	release()
	a.mu.Lock()
	defer a.mu.Unlock()
	if errors.Is(err, core.ErrUnauthenticated) {
		delete(a.cache, key)
		a.countLocked(a.fails, failKey, a.maxFails, now)
		a.countLocked(a.ipFails, ip, a.maxIPFails, now)
		a.pruneLocked(now)
		return core.User{}, err
	}
	if err != nil {
		return core.User{}, err
	}
	delete(a.fails, failKey)
	a.cache[key] = cacheEntry{mac: mac, userID: u.ID, pwHash: u.PasswordHash, expires: now.Add(a.ttl)}
	a.pruneLocked(now)
	return u, nil
}

// guardPassword runs check, a password verification outside sign-in (the
// current password of a password change), under the same rules as a
// sign-in: the username+IP and IP lockouts, a verification slot, and a
// failure (wrong reports it) counted towards both lockouts. A stolen
// bearer token thus cannot be used to guess its owner's password.
func (a *authenticator) guardPassword(ctx context.Context, name, ip string, check func() error, wrong func(error) bool) error {
	err := a.guardOnce(ctx, name, ip, check, wrong)
	var rl *rateLimitedError
	if a.penalty > 0 && errors.As(err, &rl) {
		t := time.NewTimer(a.penalty)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	return err
}

func (a *authenticator) guardOnce(ctx context.Context, name, ip string, check func() error, wrong func(error) bool) error {
	now := a.now()
	key := core.NormalizeUsername(name)
	failKey := key + "\x00" + ip
	a.mu.Lock()
	userUntil, ipUntil := lockedUntil(a.fails[failKey]), lockedUntil(a.ipFails[ip])
	a.mu.Unlock()
	if now.Before(userUntil) {
		return tooMany("too many failed password checks", userUntil.Sub(now))
	}
	if now.Before(ipUntil) {
		return tooMany("too many failed password checks from this address", ipUntil.Sub(now))
	}
	release, err := a.acquire(ctx)
	if err != nil {
		return err
	}
	err = check()
	release()
	if err != nil && wrong(err) {
		a.mu.Lock()
		a.countLocked(a.fails, failKey, a.maxFails, now)
		a.countLocked(a.ipFails, ip, a.maxIPFails, now)
		a.pruneLocked(now)
		a.mu.Unlock()
	}
	return err
}

// acquire waits for a verification slot, at most verifyWait, and refuses
// at once when verifyQueue requests are already waiting.
func (a *authenticator) acquire(ctx context.Context) (func(), error) {
	select {
	case a.slots <- struct{}{}:
		return func() { <-a.slots }, nil
	default:
	}
	if a.waiting.Add(1) > a.verifyQueue {
		a.waiting.Add(-1)
		return nil, tooMany("too many sign-ins in progress", time.Second)
	}
	defer a.waiting.Add(-1)
	t := time.NewTimer(a.verifyWait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return func() { <-a.slots }, nil
	case <-t.C:
		return nil, tooMany("too many sign-ins in progress", time.Second)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// countLocked counts one failure under k in m and locks k out once limit
// failures fell within the window. a.mu is held.
func (a *authenticator) countLocked(m map[string]*failures, k string, limit int, now time.Time) {
	f := m[k]
	if f == nil || now.Sub(f.first) > a.window {
		f = &failures{first: now}
		m[k] = f
	}
	f.n++
	if f.n >= limit {
		f.lockedUntil, f.n, f.first = now.Add(a.lockFor), 0, now
	}
}

// lockedUntil is when f's lockout ends (zero: none). a.mu is held.
func lockedUntil(f *failures) time.Time {
	if f == nil {
		return time.Time{}
	}
	return f.lockedUntil
}

// forget drops the cached credential of a username (password changed).
func (a *authenticator) forget(username string) {
	a.mu.Lock()
	delete(a.cache, core.NormalizeUsername(username))
	a.mu.Unlock()
}

// pruneLocked drops expired entries once the maps grow large. a.mu is held.
func (a *authenticator) pruneLocked(now time.Time) {
	if len(a.cache) > maxCacheEntries {
		for k, e := range a.cache {
			if !now.Before(e.expires) {
				delete(a.cache, k)
			}
		}
		if len(a.cache) > maxCacheEntries {
			clear(a.cache)
		}
	}
	for _, m := range []map[string]*failures{a.fails, a.ipFails} {
		if len(m) > maxCacheEntries {
			for k, f := range m {
				if now.Sub(f.first) > a.window && !now.Before(f.lockedUntil) {
					delete(m, k)
				}
			}
			if len(m) > 4*maxCacheEntries {
				clear(m) // all fresh: forget rather than grow without bound
			}
		}
	}
}

// currentUser is the signed-in user, if any.
func currentUser(c *fiber.Ctx) (identity, bool) {
	id, ok := c.Locals(localUser).(identity)
	return id, ok
}

// actor is the core Actor of the request; anonymous is the zero Actor.
func actor(c *fiber.Ctx) core.Actor {
	id, ok := currentUser(c)
	if !ok {
		return core.Actor{}
	}
	return core.Actor{UserID: id.user.ID, IsAdmin: id.user.IsAdmin}
}

// requireUser is route middleware for endpoints that need a signed-in user.
func requireUser(c *fiber.Ctx) error {
	if _, ok := currentUser(c); !ok {
		return unauthenticated("authentication required")
	}
	return c.Next()
}

// requireAdmin is route middleware for admin-only endpoints.
func requireAdmin(c *fiber.Ctx) error {
	id, ok := currentUser(c)
	if !ok {
		return unauthenticated("authentication required")
	}
	if !id.user.IsAdmin {
		return core.Forbiddenf("only an administrator may do this")
	}
	return c.Next()
}
