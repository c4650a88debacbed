package bolt

import (
	"bytes"
	"fmt"

	"github.com/langganan/langganan/adapters/internal/records"
	"github.com/langganan/langganan/core"
)

// tx is the core.Tx of both backends. It caches bucket handles per id.
type tx struct {
	kv    kvTx
	write bool
	bk    [nBuckets]kvBucket
	// plansWritten: a plan was put or deleted (Store.PlansVersion).
	plansWritten bool
}

func (t *tx) b(id bucketID) kvBucket {
	if t.bk[id] == nil {
		t.bk[id] = t.kv.bucket(id)
	}
	return t.bk[id]
}

func (t *tx) writable() error {
	if !t.write {
		return errReadOnly
	}
	return nil
}

// index describes one secondary index of a table. key returns the index
// key of a record (nil: not indexed); the value stored is always the
// record's primary key. A unique index key identifies at most one record;
// a non-unique one ends with the primary key.
type index[T any] struct {
	name   string // field name, for conflict messages
	bucket bucketID
	unique bool
	key    func(v *T, pk []byte) []byte
}

// table is one aggregate: a primary bucket of JSON records keyed by the
// id's 16 bytes, plus its indexes, kept consistent by put and del.
type table[T any] struct {
	kind   string // "plan", for messages
	bucket bucketID
	// id takes the record by value: a pointer passed to a func value
	// escapes, so each get allocated the record it read on the heap.
	id      func(v T) string
	pkOf    func(id string) []byte    // nil: idKey (UUID bytes)
	encode  func(v *T) any            // the adapter-local record
	decode  func(b []byte) (T, error) // record bytes → aggregate
	indexes []index[T]
	// memo, if set, remembers records as decoded from the bytes stored
	// (memo.go), in read and write transactions alike: a billing run reads
	// a subscription in its scan, again to charge it and again to record
	// the charge, and a payment to record it and to update it.
	memo *memo[T]
}

// decodeAt decodes the record raw stored at pk, through the memo if any.
func (tb *table[T]) decodeAt(pk, raw []byte) (T, error) {
	if tb.memo == nil {
		return tb.decode(raw)
	}
	if v, ok := tb.memo.get(pk, raw); ok {
		return v, nil
	}
	v, err := tb.decode(raw)
	if err == nil {
		tb.memo.put(pk, raw, v)
	}
	return v, err
}

func (tb *table[T]) pk(id string) []byte {
	if tb.pkOf != nil {
		return tb.pkOf(id)
	}
	return idKey(id)
}

func notFound(kind, what string) error {
	return core.NotFoundf("%s %s not found", kind, what)
}

// load reads the record at pk; ok is false when there is none.
func (tb *table[T]) load(t *tx, pk []byte) (v T, ok bool, err error) {
	raw := t.b(tb.bucket).Get(pk)
	if raw == nil {
		return v, false, nil
	}
	v, err = tb.decodeAt(pk, raw)
	if err != nil {
		return v, false, fmt.Errorf("bolt: decode %s %x: %w", tb.kind, pk, err)
	}
	return v, true, nil
}

func (tb *table[T]) get(t *tx, id string) (T, error) {
	v, ok, err := tb.load(t, tb.pk(id))
	if err == nil && (!ok || tb.id(v) != id) {
		var zero T
		return zero, notFound(tb.kind, id)
	}
	return v, err
}

func (tb *table[T]) put(t *tx, v *T) error {
	if err := t.writable(); err != nil {
		return err
	}
	id := tb.id(*v)
	if id == "" {
		return core.Invalidf("%s without an id", tb.kind)
	}
	if tb.bucket == bPlans {
		t.plansWritten = true
	}
	pk := tb.pk(id)
	old, had, err := tb.load(t, pk)
	if err != nil {
		return err
	}
	if had && tb.id(old) != id {
		return core.Conflictf("%s id %q collides with stored id %q", tb.kind, id, tb.id(old))
	}
	raw, err := records.Marshal(tb.encode(v))
	if err != nil {
		return fmt.Errorf("%w: encode %s %s: %v", core.ErrInvalid, tb.kind, id, err)
	}
	// Compute every index key and check every unique one before writing
	// anything: a caller that handles the conflict and carries on in the
	// same transaction must not find half an update.
	newKeys := make([][]byte, len(tb.indexes))
	oldKeys := make([][]byte, len(tb.indexes))
	for i, ix := range tb.indexes {
		newKeys[i] = ix.key(v, pk)
		if had {
			oldKeys[i] = ix.key(&old, pk)
		}
		if ix.unique && newKeys[i] != nil {
			if holder := t.b(ix.bucket).Get(newKeys[i]); holder != nil && !bytes.Equal(holder, pk) {
				return core.Conflictf("%s %s is already taken", tb.kind, ix.name)
			}
		}
	}
	for i, ix := range tb.indexes {
		nk, ok := newKeys[i], oldKeys[i]
		if ok != nil && !bytes.Equal(ok, nk) {
			if err := t.b(ix.bucket).Delete(ok); err != nil {
				return err
			}
		}
		if nk != nil && !bytes.Equal(ok, nk) {
			if err := t.b(ix.bucket).Put(nk, pk); err != nil {
				return err
			}
		}
	}
	return t.b(tb.bucket).Put(pk, raw)
}

func (tb *table[T]) del(t *tx, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	if tb.bucket == bPlans {
		t.plansWritten = true
	}
	pk := tb.pk(id)
	old, had, err := tb.load(t, pk)
	if err != nil {
		return err
	}
	if !had || tb.id(old) != id {
		return notFound(tb.kind, id)
	}
	for _, ix := range tb.indexes {
		if k := ix.key(&old, pk); k != nil {
			if err := t.b(ix.bucket).Delete(k); err != nil {
				return err
			}
		}
	}
	return t.b(tb.bucket).Delete(pk)
}

// getUnique looks a record up through a unique index; match re-checks the
// field so a hash collision or a stale entry reads as not found.
// match takes the record by value (see table.id).
func (tb *table[T]) getUnique(t *tx, ix bucketID, key []byte, what string, match func(T) bool) (T, error) {
	var zero T
	pk := t.b(ix).Get(key)
	if pk == nil {
		return zero, notFound(tb.kind, what)
	}
	v, ok, err := tb.load(t, bytes.Clone(pk))
	if err != nil {
		return zero, err
	}
	if !ok || !match(v) {
		return zero, notFound(tb.kind, what)
	}
	return v, nil
}

// first returns the first record under prefix of a non-unique index that matches.
func (tb *table[T]) first(t *tx, ix bucketID, prefix []byte, what string, match func(T) bool) (T, error) {
	var found T
	var ok bool
	err := tb.scan(t, ix, prefix, prefixEnd(prefix), false, func(v T) bool {
		if match(v) {
			found, ok = v, true
			return false
		}
		return true
	})
	if err == nil && !ok {
		err = notFound(tb.kind, what)
	}
	return found, err
}

// scan visits the records an index points to for keys in [start, end)
// (end nil: unbounded), in key order or reversed.
func (tb *table[T]) scan(t *tx, ix bucketID, start, end []byte, reverse bool, fn func(T) bool) error {
	return iterate(t.b(ix), start, end, reverse, func(_, pk []byte) (bool, error) {
		v, ok, err := tb.load(t, pk)
		if err != nil || !ok {
			// A dangling index entry is skipped here and reported by Check.
			return err == nil, err
		}
		return fn(v), nil
	})
}

// list collects a scan under a prefix, filtered by match.
func (tb *table[T]) list(t *tx, ix bucketID, prefix []byte, match func(*T) bool) ([]T, error) {
	// Each record is decoded straight into its slot of out and dropped
	// again if it does not match: no per-record copy escapes to the heap.
	var out []T
	var zero T
	err := iterate(t.b(ix), prefix, prefixEnd(prefix), false, func(_, pk []byte) (bool, error) {
		v, ok, err := tb.load(t, pk)
		if err != nil || !ok {
			// A dangling index entry is skipped here and reported by Check.
			return err == nil, err
		}
		if out == nil {
			out = make([]T, 0, 8) // not 1, 2, 4, 8: records are large
		}
		out = append(out, v)
		if !match(&out[len(out)-1]) {
			out[len(out)-1] = zero
			out = out[:len(out)-1]
		}
		return true, nil
	})
	return out, err
}

// all visits the primary bucket in key order from start.
func (tb *table[T]) all(t *tx, start []byte, fn func(T) bool) error {
	return iterate(t.b(tb.bucket), start, nil, false, func(pk, raw []byte) (bool, error) {
		v, err := tb.decodeAt(pk, raw)
		if err != nil {
			return false, fmt.Errorf("bolt: decode %s %x: %w", tb.kind, pk, err)
		}
		return fn(v), nil
	})
}

const scanBatch = 128

// iterate visits [start, end) of a bucket. It copies a batch of entries,
// then calls fn on them with no cursor open, then re-seeks past the last
// key: fn may therefore write to this very bucket (bbolt cursors must not
// be advanced across writes). An entry a callback moves ahead of the scan
// position may be visited again.
func iterate(b kvBucket, start, end []byte, reverse bool, fn func(k, v []byte) (bool, error)) error {
	type kv struct{ k, v []byte }
	// Most scans are short (an owner's few records): start small, grow to
	// scanBatch only when needed.
	batch := make([]kv, 0, 8)
	var buf []byte
	var last []byte
	for {
		batch, buf = batch[:0], buf[:0]
		c := b.Cursor()
		var k, v []byte
		switch {
		case !reverse && last == nil:
			k, v = c.Seek(start)
		case !reverse:
			k, v = c.Seek(last)
			if k != nil && bytes.Equal(k, last) {
				k, v = c.Next()
			}
		default:
			bound := end
			if last != nil {
				bound = last
			}
			if bound == nil {
				k, v = c.Last()
			} else {
				k, v = c.Seek(bound)
				if k == nil {
					k, v = c.Last()
				}
				for k != nil && bytes.Compare(k, bound) >= 0 {
					k, v = c.Prev()
				}
			}
		}
		for ; k != nil && len(batch) < scanBatch; k, v = step(c, reverse) {
			if !reverse && end != nil && bytes.Compare(k, end) >= 0 {
				break
			}
			if reverse && bytes.Compare(k, start) < 0 {
				break
			}
			// One buffer per batch; the slices point into it once it is final.
			off := len(buf)
			buf = append(buf, k...)
			buf = append(buf, v...)
			batch = append(batch, kv{k: buf[off : off+len(k) : off+len(k)], v: buf[off+len(k) : len(buf) : len(buf)]})
		}
		full := len(batch) == scanBatch
		// Slices taken before buf grew still point at the old array, which
		// keeps their bytes; nothing writes there until the next batch.
		for _, e := range batch {
			cont, err := fn(e.k, e.v)
			if err != nil || !cont {
				return err
			}
		}
		if !full {
			return nil
		}
		last = bytes.Clone(batch[len(batch)-1].k)
	}
}

func step(c kvCursor, reverse bool) ([]byte, []byte) {
	if reverse {
		return c.Prev()
	}
	return c.Next()
}
