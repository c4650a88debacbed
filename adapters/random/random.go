// Package random is core's IDs port over crypto/rand: version 4 UUIDs for
// entities and unpredictable bytes for tokens and secrets.
package random

import (
	"crypto/rand"
	"fmt"

	"github.com/langganan/langganan/core"
)

// IDs reads crypto/rand.
type IDs struct{}

var _ core.IDs = IDs{}

// NewID mints an RFC 4122 version 4 UUID.
func (IDs) NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; without it no id is safe.
		panic("random: crypto/rand failed: " + err.Error())
	}
	b[6] = (b[6] & 0x0f) | 0x40
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
