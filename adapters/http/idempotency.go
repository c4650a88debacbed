package http

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// IdempotencyStore reserves an Idempotency-Key in the store for the
// request running under it, and keeps the request's first answer (core
// stores it for 24 h).
type IdempotencyStore interface {
	ReserveIdempotency(ctx context.Context, key, requestHash string) (core.IdempotencyRecord, bool, error)
	SaveIdempotency(ctx context.Context, rec core.IdempotencyRecord) error
	ReleaseIdempotency(ctx context.Context, key, requestHash string) error
}

const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
	maxIdempotencyKey    = 255
)

// idempotency is route middleware for POSTs that change state. Without an
// Idempotency-Key header it does nothing. With one:
//   - the key is scoped by the signed-in user, so two users never collide;
//   - the request is fingerprinted as SHA-256 of method, path and body;
//   - a stored answer for the key is replayed (status and body) with
//     Idempotent-Replayed: true, if the fingerprint matches, and refused
//     with 409 idempotency_key_reused if it does not;
//   - otherwise the key is reserved in the store, where every instance
//     sees it, and the handler runs; answers below 500 are stored, and a
//     5xx (which may be retried) gives the reservation up. A request with
//     the key while it runs on another instance answers 409
//     idempotency_key_in_flight; on this instance it waits for the first
//     (an in-process lock per key) and replays its answer.
//
// It must run after requireUser/requireAdmin.
type idempotency struct {
	store IdempotencyStore
	// errorHandler renders a handler's error so that the answer can be
	// stored exactly as the client sees it.
	render func(c *fiber.Ctx, err error) error
	logErr func(c *fiber.Ctx, err error)

	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func newIdempotency(store IdempotencyStore, render func(*fiber.Ctx, error) error, logErr func(*fiber.Ctx, error)) *idempotency {
	return &idempotency{store: store, render: render, logErr: logErr, locks: map[string]*keyLock{}}
}

// lock takes the per-key mutex; the returned func releases it and drops
// the entry once nobody holds or waits for it.
func (m *idempotency) lock(key string) func() {
	m.mu.Lock()
	l := m.locks[key]
	if l == nil {
		l = &keyLock{}
		m.locks[key] = l
	}
	l.refs++
	m.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		m.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(m.locks, key)
		}
		m.mu.Unlock()
	}
}

// requestFingerprint is SHA-256 of the request's method, path (a trailing
// slash makes no other request) and body.
func requestFingerprint(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSuffix(path, "/")))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func (m *idempotency) handler(c *fiber.Ctx) error {
	key := c.Get(headerIdempotencyKey)
	if key == "" {
		return c.Next()
	}
	if len(key) > maxIdempotencyKey {
		return invalid("invalid Idempotency-Key header", map[string]string{headerIdempotencyKey: "at most 255 characters"})
	}
	id, ok := currentUser(c)
	if !ok {
		return unauthenticated("authentication required")
	}
	scoped := "http:" + id.user.ID + ":" + key
	fp := requestFingerprint(c.Method(), c.Path(), c.Body())

	unlock := m.lock(scoped)
	defer unlock()

	ctx := c.UserContext()
	rec, found, err := m.store.ReserveIdempotency(ctx, scoped, fp)
	if errors.Is(err, core.ErrIdempotencyInFlight) {
		c.Set(fiber.HeaderRetryAfter, "1")
	}
	if err != nil {
		return err
	}
	if found {
		c.Set(headerReplayed, "true")
		if len(rec.Body) > 0 {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		}
		return c.Status(rec.Status).Send(rec.Body)
	}

	if err := c.Next(); err != nil {
		if rerr := m.render(c, err); rerr != nil {
			m.release(c, scoped, fp)
			return rerr
		}
	}
	status := c.Response().StatusCode()
	if status >= 500 {
		m.release(c, scoped, fp)
		return nil
	}
	body := append([]byte(nil), c.Response().Body()...)
	if err := m.store.SaveIdempotency(ctx, core.IdempotencyRecord{Key: scoped, RequestHash: fp, Status: status, Body: body}); err != nil {
		// The operation happened; its answer stands. Without the record a
		// retry after the reservation's lease would run again, so say so
		// in the log.
		if m.logErr != nil {
			m.logErr(c, err)
		}
	}
	return nil
}

// release gives the key's reservation up after a failure a retry may
// repair; if that fails too, the reservation lapses after its lease.
func (m *idempotency) release(c *fiber.Ctx, key, fp string) {
	if err := m.store.ReleaseIdempotency(context.WithoutCancel(c.UserContext()), key, fp); err != nil && m.logErr != nil {
		m.logErr(c, err)
	}
}
