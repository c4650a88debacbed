// Package random is core's IDs port over crypto/rand: version 7 UUIDs for
// entities and unpredictable bytes for tokens and secrets.
package random

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/langganan/langganan/core"
)

// IDs reads crypto/rand.
type IDs struct{}

var _ core.IDs = IDs{}

// NewID mints an RFC 9562 version 7 UUID: the creation time in unix
// milliseconds, then 74 random bits. Ids minted together sort together, so
// a store keyed by them appends new records at the end of its B+tree
// instead of touching a random page per insert (a billing run creates
// payments and invoices by the hundred thousand); 74 bits stay
// unguessable. Ids are never secrets: those come from Secret.
func (IDs) NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		// crypto/rand does not fail on supported platforms; without it no id is safe.
		panic("random: crypto/rand failed: " + err.Error())
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = (b[6] & 0x0f) | 0x70
	b[8] = (b[8] & 0x3f) | 0x80
	return core.FormatUUID(b)
}

// Secret returns n bytes from crypto/rand.
func (IDs) Secret(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	return b, nil
}
