package bolt

import (
	"bytes"
	"slices"
	"sync"

	"github.com/langganan/langganan/core"
)

// memo remembers decoded records by primary key, each beside the exact
// bytes it was decoded from. A hit needs those bytes to be equal to what
// the store holds now, so a memo is never stale: whatever wrote the record
// (this process, another store on another file, a restore), different
// bytes miss and are decoded again. Equal bytes decode to equal values, so
// the memo is shared by every store in the process. Callers get a copy
// (clone) and may change it freely.
//
// Hot reads decode the same few records over and over (the plan list, the
// signed-in user and token, an owner's subscriptions); comparing a few
// hundred bytes is much cheaper than JSON-decoding them.
type memo[T any] struct {
	clone func(T) T
	max   int

	mu   sync.RWMutex
	m    map[string]memoEntry[T]
	ring []string // keys in the order they came in; the oldest makes room
	next int      // ring position of the oldest key once the ring is full
}

type memoEntry[T any] struct {
	raw []byte
	v   T
}

func newMemo[T any](max int, clone func(T) T) *memo[T] {
	return &memo[T]{clone: clone, max: max, m: make(map[string]memoEntry[T])}
}

// get answers a copy of the value decoded from raw, if remembered.
func (m *memo[T]) get(pk, raw []byte) (T, bool) {
	m.mu.RLock()
	e, ok := m.m[string(pk)]
	m.mu.RUnlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		var zero T
		return zero, false
	}
	return m.clone(e.v), true
}

// put remembers v as the decoding of raw (both copied). When full, the
// oldest key makes room: a record decoded by one step of a billing run is
// still there when the next step reads it, however many records come
// between (random eviction lost a third of them at a few thousand).
func (m *memo[T]) put(pk, raw []byte, v T) {
	e := memoEntry[T]{raw: bytes.Clone(raw), v: m.clone(v)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[string(pk)]; ok {
		m.m[string(pk)] = e
		return
	}
	k := string(pk)
	if len(m.ring) < m.max {
		m.ring = append(m.ring, k)
	} else {
		delete(m.m, m.ring[m.next])
		m.ring[m.next] = k
		m.next = (m.next + 1) % m.max
	}
	m.m[k] = e
}

func same[T any](v T) T { return v }

// cloneAny deep-copies a decoded JSON value (maps and slices; scalars are
// immutable). nil stays nil.
func cloneAny(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneAny(e)
		}
		return out
	}
	return v
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneAny(v)
	}
	return out
}

func clonePlan(p core.Plan) core.Plan {
	p.Features = cloneMap(p.Features)
	return p
}

func cloneSub(s core.Subscription) core.Subscription {
	s.PlanHistory = slices.Clone(s.PlanHistory)
	s.Metadata = cloneMap(s.Metadata)
	return s
}

func clonePayment(p core.Payment) core.Payment {
	p.Details = cloneMap(p.Details)
	p.MidtransStatus = cloneMap(p.MidtransStatus)
	p.Refunds = slices.Clone(p.Refunds)
	return p
}

func cloneInvoice(inv core.Invoice) core.Invoice {
	inv.Lines = slices.Clone(inv.Lines)
	return inv
}
