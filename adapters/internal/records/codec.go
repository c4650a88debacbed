package records

import (
	gojson "github.com/goccy/go-json"
)

// The records are JSON (the PostgreSQL store keeps them in jsonb columns,
// and files written before stay readable). Encoding and decoding them was
// most of the CPU of a billing run's store transactions, which run one at
// a time on the store's single writer; so records are encoded by a plan
// compiled per type (encode.go) and decoded with goccy/go-json, in about a
// third of encoding/json's time, to the same bytes and values
// (codec_test.go).

// Marshal encodes a record (the value a ToRecord function answers).
func Marshal(rec any) ([]byte, error) { return encodeRecord(make([]byte, 0, 1024), rec) }

func unmarshal(b []byte, v any) error { return gojson.Unmarshal(b, v) }
