package core

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Subscription API notifications carry no signature, so each is checked by
// reading the subscription back from Midtrans. Without a bound, every forged
// notification would become one authenticated call on the merchant's API
// quota. subLookups bounds that:
//
//   - a subscription read back is remembered for LookupTTL (default 1 min,
//     on the service clock, so a manual clock advance expires it);
//   - an id Midtrans does not know is remembered for UnknownLookupTTL
//     (default 10 min): forged ids are refused without asking again;
//   - look-ups that do go out (and the transaction status checks of charge
//     notifications) draw on a token bucket of LookupRate per second with
//     LookupBurst (defaults 5/s, 20), on the wall clock; past it the
//     notification answers 429 and Midtrans, which retries, tries later.
type subLookups struct {
	ttl, unknownTTL time.Duration
	rate            float64
	burst           float64
	wall            Clock

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	entries map[string]lookupEntry
}

type lookupEntry struct {
	sub     NativeSubscription
	unknown bool
	at      time.Time
}

// maxLookupEntries bounds the cache; when full, stale entries are dropped,
// and if none are stale, everything.
const maxLookupEntries = 10000

func newSubLookups(cfg Config, wall Clock) *subLookups {
	return &subLookups{ttl: cfg.LookupTTL, unknownTTL: cfg.UnknownLookupTTL, rate: cfg.LookupRate,
		burst: float64(cfg.LookupBurst), tokens: float64(cfg.LookupBurst), wall: wall, entries: map[string]lookupEntry{}}
}

func errLookupsLimited() error {
	return &Error{Kind: ErrRateLimited, Message: "too many notifications to verify; try again later"}
}

// take spends one look-up token, false if none is left.
func (l *subLookups) take() bool {
	if l.wall == nil {
		return true // no wall clock wired: no rate limit (see Deps.Wall)
	}
	now := l.wall.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.After(l.last) {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// lookupSubscription reads Midtrans subscription id through the cache, for
// a notification. A failed charge is acted on by the subscription's status
// as Midtrans has it now, so for one (failedCharge) the remembered
// read-back is not used (the look-up is still rate limited, and an unknown
// id still refused).
func (s *Service) lookupSubscription(ctx context.Context, gw Gateway, id string, failedCharge bool) (NativeSubscription, error) {
	l, now := s.lookups, s.now()
	l.mu.Lock()
	e, ok := l.entries[id]
	l.mu.Unlock()
	if ok && !e.unknown && failedCharge {
		ok = false
	}
	if ok && !now.Before(e.at) {
		switch {
		case e.unknown && now.Sub(e.at) < l.unknownTTL:
			return NativeSubscription{}, ErrGatewayNotFound
		case !e.unknown && now.Sub(e.at) < l.ttl:
			return e.sub, nil
		}
	}
	if !l.take() {
		return NativeSubscription{}, errLookupsLimited()
	}
	ns, err := gw.GetSubscription(ctx, id)
	switch {
	case err == nil:
		l.put(id, lookupEntry{sub: ns, at: now})
	case errors.Is(err, ErrGatewayNotFound):
		l.put(id, lookupEntry{unknown: true, at: now})
	}
	return ns, err
}

// lookupTransaction is Gateway.Status under the same rate limit (a forged
// charge notification names a transaction id to check).
func (s *Service) lookupTransaction(ctx context.Context, gw Gateway, id string) (Transaction, error) {
	if !s.lookups.take() {
		return Transaction{}, errLookupsLimited()
	}
	return gw.Status(ctx, id)
}

func (l *subLookups) put(id string, e lookupEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= maxLookupEntries {
		for k, old := range l.entries {
			if e.at.Sub(old.at) >= max(l.ttl, l.unknownTTL) {
				delete(l.entries, k)
			}
		}
		if len(l.entries) >= maxLookupEntries {
			clear(l.entries)
		}
	}
	l.entries[id] = e
}

// lookupPayAccount is Gateway.GetPayAccount under the same rate limit: Pay
// Account notifications are unsigned too.
func (s *Service) lookupPayAccount(ctx context.Context, gw Gateway, id string) (PayAccount, error) {
	if !s.lookups.take() {
		return PayAccount{}, errLookupsLimited()
	}
	return gw.GetPayAccount(ctx, id)
}
