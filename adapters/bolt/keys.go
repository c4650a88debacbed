package bolt

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"time"

	"github.com/langganan/langganan/core"
)

// Keys are fixed-width and big-endian so byte order is the logical order
// and composite keys can be scanned by prefix.

const (
	idLen   = 16 // a UUID's bytes
	hashLen = 32 // SHA-256 of free text, equality lookups only
	tsLen   = 8
)

// idKey is the 16 bytes of a canonical UUID. Ids are UUIDs in production;
// anything else (a test fake's id, a foreign reference) falls back to the
// first 16 bytes of its SHA-256, keeping every key fixed-width. Records
// carry the real id, and lookups compare it, so a collision can only make
// a lookup miss or a Put conflict, never return a wrong record.
func idKey(id string) []byte {
	b := make([]byte, idLen)
	putID(b, id)
	return b
}

func putID(dst []byte, id string) {
	if u, err := core.ParseUUID(id); err == nil {
		copy(dst, u[:])
		return
	}
	h := sha256.Sum256([]byte("id\x00" + id))
	copy(dst, h[:idLen])
}

func hashKey(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// putTS writes unix nanos with the sign bit flipped, so times before 1970
// still sort first. Times outside int64 nanos (and the zero time) clamp.
func putTS(dst []byte, t time.Time) {
	var n int64
	switch {
	case t.Before(minTime):
		n = math.MinInt64
	case t.After(maxTime):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	binary.BigEndian.PutUint64(dst, uint64(n)^(1<<63))
}

func tsKey(t time.Time) []byte {
	b := make([]byte, tsLen)
	putTS(b, t)
	return b
}

func u64Key(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// cat joins key parts into one new slice.
func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// ownerTimeKey is the common "list by X, oldest first" index key.
func ownerTimeKey(owner string, t time.Time, pk []byte) []byte {
	b := make([]byte, idLen+tsLen+len(pk))
	putID(b, owner)
	putTS(b[idLen:], t)
	copy(b[idLen+tsLen:], pk)
	return b
}

// timeKey is the common "due at t" index key.
func timeKey(t time.Time, pk []byte) []byte {
	b := make([]byte, tsLen+len(pk))
	putTS(b, t)
	copy(b[tsLen:], pk)
	return b
}

// prefixEnd is the smallest key above every key starting with p, nil when
// there is none (p is all 0xff).
func prefixEnd(p []byte) []byte {
	e := append([]byte(nil), p...)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xff {
			e[i]++
			return e[:i+1]
		}
	}
	return nil
}
