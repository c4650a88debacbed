package records

import (
	"bytes"
	"sync"

	gojson "github.com/goccy/go-json"
)

// The records are JSON (the PostgreSQL store keeps them in jsonb columns,
// and files written before stay readable). Encoding and decoding them was
// most of the CPU of a billing run's store transactions, which run one at
// a time on the store's single writer; so records are encoded by a plan
// compiled per type (encode.go) and decoded with goccy/go-json, in about a
// third of encoding/json's time, to the same bytes and values
// (codec_test.go).

// Marshal encodes a record (the value a ToRecord function answers) into a
// slice of its own length. A store keeps what it is given until its
// transaction commits, so the spare capacity of a buffer grown while
// encoding (a third of it, typically) stayed pinned for each of the
// thousands of records of a billing run's transaction. The encoding runs
// in a pooled buffer instead, and only the bytes are copied out.
func Marshal(rec any) ([]byte, error) {
	bp := scratch.Get().(*[]byte)
	out, err := encodeRecord((*bp)[:0], rec)
	var exact []byte
	if err == nil {
		exact = bytes.Clone(out)
	}
	if cap(out) <= maxScratch {
		*bp = out[:0]
		scratch.Put(bp)
	}
	return exact, err
}

// maxScratch is the largest buffer returned to the pool: a rare huge
// record must not stay in it.
const maxScratch = 64 << 10

var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func unmarshal(b []byte, v any) error { return gojson.Unmarshal(b, v) }
