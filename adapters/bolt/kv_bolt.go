package bolt

import (
	bbolt "go.etcd.io/bbolt"
)

// boltTx adapts a bbolt transaction; every bucket exists (created at open).
type boltTx struct{ tx *bbolt.Tx }

func (t boltTx) bucket(id bucketID) kvBucket {
	return boltBucket{t.tx.Bucket([]byte(bucketNames[id]))}
}

type boltBucket struct{ b *bbolt.Bucket }

func (b boltBucket) Get(k []byte) []byte   { return b.b.Get(k) }
func (b boltBucket) Put(k, v []byte) error { return b.b.Put(k, v) }
func (b boltBucket) Delete(k []byte) error { return b.b.Delete(k) }
func (b boltBucket) Cursor() kvCursor      { return b.b.Cursor() }
