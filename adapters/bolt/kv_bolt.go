package bolt

import (
	bbolt "go.etcd.io/bbolt"
)

// boltTx adapts a bbolt transaction; every bucket exists (created at open).
type boltTx struct{ tx *bbolt.Tx }

func (t boltTx) bucket(id bucketID) kvBucket {
	b := t.tx.Bucket([]byte(bucketNames[id]))
	if appendOnly[id] {
		b.FillPercent = 0.9
	}
	return boltBucket{b}
}

// appendOnly are the buckets whose new keys come after every key already
// there (time-ordered ids, sequence numbers, creation and receipt times):
// their pages are split nearly full rather than in half (bbolt's default
// fill of 50% left every page of such a bucket half empty, so the file and
// each commit's writes were twice what they hold). Buckets written at
// random keep the default, which leaves room for inserts between.
var appendOnly = [nBuckets]bool{
	bPays: true, bInvs: true, bTopUps: true, bHooks: true, bHookReceived: true, bHookPending: true,
	bPayOpen: true, bOutbox: true, bSubs: true,
}

type boltBucket struct{ b *bbolt.Bucket }

func (b boltBucket) Get(k []byte) []byte   { return b.b.Get(k) }
func (b boltBucket) Put(k, v []byte) error { return b.b.Put(k, v) }
func (b boltBucket) Delete(k []byte) error { return b.b.Delete(k) }
func (b boltBucket) Cursor() kvCursor      { return b.b.Cursor() }
