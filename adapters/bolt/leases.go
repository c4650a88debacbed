package bolt

import (
	"context"
	"sync"
	"time"

	"github.com/langganan/langganan/core"
)

// One process holds the bbolt file (its lock refuses a second), so the
// instance that opened it is the only one: a lease is always granted. The
// claims are still kept, in memory, because a billing run relies on them
// to visit each due subscription once; they need not outlive the process.
var _ core.Leases = (*Store)(nil)

type claims struct {
	mu sync.Mutex
	m  map[string]claim // by subscription id
}

type claim struct {
	holder string
	until  time.Time
}

// AcquireLease always grants: nobody else can share the file.
func (s *Store) AcquireLease(ctx context.Context, _, _ string, _ time.Time, _ time.Duration) (bool, error) {
	return ctx.Err() == nil, ctx.Err()
}

// ReleaseLease has nothing to free.
func (s *Store) ReleaseLease(ctx context.Context, _, _ string) error { return ctx.Err() }

// ClaimDue claims through the due index what no unexpired claim covers.
func (s *Store) ClaimDue(ctx context.Context, holder string, now time.Time, ttl time.Duration, max int) ([]string, error) {
	if max <= 0 {
		return nil, ctx.Err()
	}
	s.claims.mu.Lock()
	defer s.claims.mu.Unlock()
	var ids []string
	err := s.View(ctx, func(tx core.Tx) error {
		return tx.Subscriptions().ScanDue(now, func(sub core.Subscription) bool {
			if c, ok := s.claims.m[sub.ID]; !ok || !c.until.After(now) {
				ids = append(ids, sub.ID)
			}
			return len(ids) < max
		})
	})
	if err != nil {
		return nil, err
	}
	if s.claims.m == nil {
		s.claims.m = map[string]claim{}
	}
	for _, id := range ids {
		s.claims.m[id] = claim{holder: holder, until: now.Add(ttl)}
	}
	return ids, nil
}

// ReleaseClaims ends holder's claims.
func (s *Store) ReleaseClaims(ctx context.Context, holder string) error {
	s.claims.mu.Lock()
	defer s.claims.mu.Unlock()
	for id, c := range s.claims.m {
		if c.holder == holder {
			delete(s.claims.m, id)
		}
	}
	return ctx.Err()
}
