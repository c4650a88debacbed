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
// a per-process key; the plain password is never held. Repeated failures
// for one username and IP lock that pair out for a while.
type authenticator struct {
	svc      AccountService
	now      func() time.Time
	key      []byte
	ttl      time.Duration
	maxFails int
	window   time.Duration
	lockFor  time.Duration

	mu    sync.Mutex
	cache map[string]cacheEntry // by username
	fails map[string]*failures  // by username + "\x00" + IP
}

type cacheEntry struct {
	mac     []byte
	userID  string
	expires time.Time
}

type failures struct {
	first       time.Time
	n           int
	lockedUntil time.Time
}

// maxCacheEntries bounds memory; on overflow stale entries are dropped.
const maxCacheEntries = 10000

func newAuthenticator(svc AccountService, now func() time.Time, ttl time.Duration, maxFails int, window, lockFor time.Duration) *authenticator {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("http: crypto/rand failed: " + err.Error())
	}
	return &authenticator{svc: svc, now: now, key: key, ttl: ttl, maxFails: maxFails, window: window,
		lockFor: lockFor, cache: map[string]cacheEntry{}, fails: map[string]*failures{}}
}

func (a *authenticator) mac(username, password string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(password))
	return m.Sum(nil)
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
		return err
	}
	c.Locals(localUser, identity{user: u, via: via})
	return c.Next()
}

func (a *authenticator) basic(ctx context.Context, name, pw, ip string) (core.User, error) {
	now := a.now()
	failKey := name + "\x00" + ip
	mac := a.mac(name, pw)

	a.mu.Lock()
	if f := a.fails[failKey]; f != nil && now.Before(f.lockedUntil) {
		a.mu.Unlock()
		return core.User{}, &core.Error{Kind: core.ErrRateLimited,
			Message: "too many failed sign-ins; try again in " + strconv.Itoa(int(f.lockedUntil.Sub(now).Seconds())+1) + "s"}
	}
	e, hit := a.cache[name]
	a.mu.Unlock()

	if hit && now.Before(e.expires) && hmac.Equal(e.mac, mac) {
		u, err := a.svc.GetUser(ctx, e.userID)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, core.ErrNotFound) {
			return core.User{}, fmt.Errorf("load signed-in user: %w", err)
		}
	}
	u, err := a.svc.Authenticate(ctx, name, pw)
	a.mu.Lock()
	defer a.mu.Unlock()
	if errors.Is(err, core.ErrUnauthenticated) {
		delete(a.cache, name)
		f := a.fails[failKey]
		if f == nil || now.Sub(f.first) > a.window {
			f = &failures{first: now}
			a.fails[failKey] = f
		}
		f.n++
		if f.n >= a.maxFails {
			f.lockedUntil, f.n, f.first = now.Add(a.lockFor), 0, now
		}
		a.pruneLocked(now)
		return core.User{}, err
	}
	if err != nil {
		return core.User{}, err
	}
	delete(a.fails, failKey)
	a.cache[name] = cacheEntry{mac: mac, userID: u.ID, expires: now.Add(a.ttl)}
	a.pruneLocked(now)
	return u, nil
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
	if len(a.fails) > maxCacheEntries {
		for k, f := range a.fails {
			if now.Sub(f.first) > a.window && !now.Before(f.lockedUntil) {
				delete(a.fails, k)
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
