package bolt

import (
	"bytes"
	"errors"
	"sync"
)

// The memory backend is a persistent (path-copying) treap per bucket.
// A committed version is never mutated, so a reader keeps a consistent
// snapshot for free and a failed write transaction is rolled back by
// dropping its roots. Writes are serialized by one writer mutex, as in
// bbolt. Nodes created by the running write transaction carry its gen
// and are mutated in place, so a transaction copies each path only once.

type memNode struct {
	key, val    []byte
	prio        uint64
	left, right *memNode
	gen         uint64
}

type memDB struct {
	wmu sync.Mutex // the single writer

	mu     sync.RWMutex // guards the fields below
	roots  [nBuckets]*memNode
	gen    uint64
	closed bool
}

var errClosed = errors.New("bolt: store is closed")

type memTx struct {
	db    *memDB
	roots [nBuckets]*memNode
	gen   uint64 // 0 for a read transaction
}

func (db *memDB) begin(write bool) (*memTx, error) {
	if write {
		db.wmu.Lock()
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		if write {
			db.wmu.Unlock()
		}
		return nil, errClosed
	}
	t := &memTx{db: db, roots: db.roots}
	if write {
		db.gen++
		t.gen = db.gen
	}
	return t, nil
}

// commit publishes the transaction's roots; the writer lock is released.
func (t *memTx) commit() {
	t.db.mu.Lock()
	t.db.roots = t.roots
	t.db.mu.Unlock()
	t.db.wmu.Unlock()
}

func (t *memTx) rollback() { t.db.wmu.Unlock() }

func (t *memTx) bucket(id bucketID) kvBucket { return &memBucket{tx: t, id: id} }

type memBucket struct {
	tx *memTx
	id bucketID
}

func (b *memBucket) Get(k []byte) []byte {
	n := b.tx.roots[b.id]
	for n != nil {
		switch c := bytes.Compare(k, n.key); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return n.val
		}
	}
	return nil
}

func (b *memBucket) Put(k, v []byte) error {
	if b.tx.gen == 0 {
		return errReadOnly
	}
	if len(k) == 0 {
		return errors.New("bolt: empty key")
	}
	// Copy: callers may reuse their buffers, and stored values are shared
	// with readers of later snapshots.
	k = bytes.Clone(k)
	v = append(make([]byte, 0, len(v)), v...)
	b.tx.roots[b.id] = b.tx.insert(b.tx.roots[b.id], k, v, prio(k))
	return nil
}

func (b *memBucket) Delete(k []byte) error {
	if b.tx.gen == 0 {
		return errReadOnly
	}
	b.tx.roots[b.id], _ = b.tx.remove(b.tx.roots[b.id], k)
	return nil
}

func (b *memBucket) Cursor() kvCursor { return &memCursor{b: b} }

// own returns n itself when this transaction created it, else a copy.
func (t *memTx) own(n *memNode) *memNode {
	if n.gen == t.gen {
		return n
	}
	c := *n
	c.gen = t.gen
	return &c
}

func (t *memTx) insert(n *memNode, k, v []byte, p uint64) *memNode {
	if n == nil {
		return &memNode{key: k, val: v, prio: p, gen: t.gen}
	}
	c := bytes.Compare(k, n.key)
	n = t.own(n)
	switch {
	case c == 0:
		n.val = v
	case c < 0:
		n.left = t.insert(n.left, k, v, p)
		if n.left.prio > n.prio { // rotate right; both nodes are owned
			l := n.left
			n.left, l.right = l.right, n
			return l
		}
	default:
		n.right = t.insert(n.right, k, v, p)
		if n.right.prio > n.prio { // rotate left
			r := n.right
			n.right, r.left = r.left, n
			return r
		}
	}
	return n
}

func (t *memTx) remove(n *memNode, k []byte) (*memNode, bool) {
	if n == nil {
		return nil, false
	}
	switch c := bytes.Compare(k, n.key); {
	case c == 0:
		return t.merge(n.left, n.right), true
	case c < 0:
		l, ok := t.remove(n.left, k)
		if !ok {
			return n, false
		}
		n = t.own(n)
		n.left = l
	default:
		r, ok := t.remove(n.right, k)
		if !ok {
			return n, false
		}
		n = t.own(n)
		n.right = r
	}
	return n, true
}

// merge joins two treaps where every key of a is below every key of b.
func (t *memTx) merge(a, b *memNode) *memNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a = t.own(a)
		a.right = t.merge(a.right, b)
		return a
	default:
		b = t.own(b)
		b.left = t.merge(a, b.left)
		return b
	}
}

// prio derives a node priority from its key (FNV-1a, then a splitmix
// finalizer so sequential big-endian keys still spread), which keeps the
// tree shape deterministic and expected-logarithmic without a RNG.
func prio(k []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range k {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// memCursor remembers only its current node and finds the neighbour by a
// fresh descent from the transaction's current root: O(log n) a step, and
// never stale, whatever was written since.
type memCursor struct {
	b   *memBucket
	cur *memNode // nil: before the first or past the last entry
}

func (c *memCursor) out() ([]byte, []byte) {
	if c.cur == nil {
		return nil, nil
	}
	return c.cur.key, c.cur.val
}

func (c *memCursor) First() ([]byte, []byte) {
	n := c.b.tx.roots[c.b.id]
	for n != nil && n.left != nil {
		n = n.left
	}
	c.cur = n
	return c.out()
}

func (c *memCursor) Last() ([]byte, []byte) {
	n := c.b.tx.roots[c.b.id]
	for n != nil && n.right != nil {
		n = n.right
	}
	c.cur = n
	return c.out()
}

// Seek finds the first key >= seek.
func (c *memCursor) Seek(seek []byte) ([]byte, []byte) {
	c.cur = c.ceil(seek, false)
	return c.out()
}

func (c *memCursor) Next() ([]byte, []byte) {
	if c.cur == nil {
		return nil, nil
	}
	c.cur = c.ceil(c.cur.key, true)
	return c.out()
}

func (c *memCursor) Prev() ([]byte, []byte) {
	if c.cur == nil {
		return nil, nil
	}
	k := c.cur.key
	var best *memNode
	for n := c.b.tx.roots[c.b.id]; n != nil; {
		if bytes.Compare(n.key, k) < 0 {
			best, n = n, n.right
		} else {
			n = n.left
		}
	}
	c.cur = best
	return c.out()
}

// ceil is the smallest node with key >= k (> k when strict).
func (c *memCursor) ceil(k []byte, strict bool) *memNode {
	var best *memNode
	for n := c.b.tx.roots[c.b.id]; n != nil; {
		cmp := bytes.Compare(n.key, k)
		if cmp > 0 || (cmp == 0 && !strict) {
			best, n = n, n.left
		} else {
			n = n.right
		}
	}
	return best
}
