package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the hostile-client bounds (Config).
const (
	DefaultWebhookLogRetention       = 90 * 24 * time.Hour
	DefaultRejectedWebhooksPerMinute = 10
	// UnverifiedPayloadKeep is how much of an unverified or unreadable
	// notification body is stored; its size and SHA-256 are kept beside.
	UnverifiedPayloadKeep = 1 << 10
	// pruneBatch bounds how many webhook logs one billing run deletes.
	pruneBatch = 5000
)

func limitDefaults(cfg Config) Config {
	if cfg.WebhookLogRetention <= 0 {
		cfg.WebhookLogRetention = DefaultWebhookLogRetention
	}
	if cfg.RejectedWebhooksPerMinute <= 0 {
		cfg.RejectedWebhooksPerMinute = DefaultRejectedWebhooksPerMinute
	}
	if cfg.LookupTTL <= 0 {
		cfg.LookupTTL = time.Minute
	}
	if cfg.UnknownLookupTTL <= 0 {
		cfg.UnknownLookupTTL = 10 * time.Minute
	}
	if cfg.LookupRate <= 0 {
		cfg.LookupRate = 5
	}
	if cfg.LookupBurst <= 0 {
		cfg.LookupBurst = 20
	}
	return cfg
}

// webhookGuard counts the unverified notifications stored per source IP
// in the current minute (wall clock).
type webhookGuard struct {
	perMinute int
	wall      Clock
	dropped   atomic.Int64

	mu     sync.Mutex
	minute time.Time
	stored map[string]int
}

func newWebhookGuard(perMinute int, wall Clock) *webhookGuard {
	return &webhookGuard{perMinute: perMinute, wall: wall, stored: map[string]int{}}
}

// allow reports whether one more unverified log from ip may be stored.
func (g *webhookGuard) allow(ip string) bool {
	if g.wall == nil {
		return true // no wall clock wired: no per-IP limit (see Deps.Wall)
	}
	m := g.wall.Now().Truncate(time.Minute)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !m.Equal(g.minute) {
		g.minute = m
		clear(g.stored)
	}
	if g.stored[ip] >= g.perMinute || len(g.stored) >= maxLookupEntries {
		return false
	}
	g.stored[ip]++
	return true
}

// UnstoredNotifications is how many unverified notifications were only
// counted, not stored, since start.
func (s *Service) UnstoredNotifications() int64 { return s.hooks.dropped.Load() }

// unverified reports whether a finished log holds a notification nobody
// vouched for: unreadable, a bad signature, an id Midtrans does not know,
// or one whose check was refused by the look-up rate limit.
func unverified(log WebhookLog, st WebhookStatus, err error) bool {
	if log.SignatureValid {
		return false
	}
	return st == WebhookRejected || errors.Is(err, ErrRateLimited)
}

// bound keeps the first UnverifiedPayloadKeep bytes of the payload, with
// the whole body's size and digest.
func bound(log *WebhookLog) {
	if log.PayloadSHA256 != "" {
		return
	}
	sum := sha256.Sum256(log.Payload)
	log.PayloadSize, log.PayloadSHA256 = len(log.Payload), hex.EncodeToString(sum[:])
	if len(log.Payload) > UnverifiedPayloadKeep {
		log.Payload = append([]byte(nil), log.Payload[:UnverifiedPayloadKeep]...)
	}
	if len(log.Error) > 512 {
		log.Error = log.Error[:512]
	}
}

// finishUnverified stores an unverified notification in bounded form, at
// most RejectedWebhooksPerMinute per source IP; past that it is only
// counted and the returned log has no ID.
func (s *Service) finishUnverified(ctx context.Context, log WebhookLog, st WebhookStatus, err error) (WebhookLog, error) {
	log.Status, log.ProcessedAt = st, s.now()
	if err != nil {
		log.Error = err.Error()
	}
	bound(&log)
	if !s.hooks.allow(log.SourceIP) {
		s.hooks.dropped.Add(1)
		log.ID = ""
		return log, err
	}
	if uerr := s.store.Update(ctx, func(tx Tx) error { return tx.WebhookLogs().Put(log) }); uerr != nil {
		return log, errors.Join(err, uerr)
	}
	return log, err
}

// PruneWebhookLogs deletes webhook logs received more than
// WebhookLogRetention ago, at most pruneBatch per call (the billing run
// calls it every time, so a backlog drains over a few runs).
func (s *Service) PruneWebhookLogs(ctx context.Context) (int, error) {
	before := s.now().Add(-s.cfg.WebhookLogRetention)
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.WebhookLogs().DeleteReceivedBefore(before, pruneBatch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune webhook logs: %w", err)
	}
	return n, nil
}
