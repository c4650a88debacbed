package sim

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"

	"github.com/langganan/langganan/core"
)

// seedBytes derives a ChaCha8 key from the run's seed and a stream label,
// so that each consumer of randomness has its own stream.
func seedBytes(seed, stream uint64) [32]byte {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[0:], seed)
	binary.LittleEndian.PutUint64(b[8:], stream)
	binary.LittleEndian.PutUint64(b[16:], seed^0x9E3779B97F4A7C15)
	binary.LittleEndian.PutUint64(b[24:], stream*0xBF58476D1CE4E5B9)
	return b
}

// seededIDs is core's ids port over a seeded stream. It outlives restarts,
// as a real process never repeats an id another one stored. (A unit of
// work run again draws the ids of its first run, which stored nothing.)
type seededIDs struct {
	mu  sync.Mutex
	src *rand.ChaCha8
}

func newSeededIDs(seed uint64) *seededIDs {
	return &seededIDs{src: rand.NewChaCha8(seedBytes(seed, 0x1D5))}
}

func (s *seededIDs) NewID() string {
	var b [16]byte
	s.mu.Lock()
	_, _ = s.src.Read(b[:])
	s.mu.Unlock()
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return core.FormatUUID(b)
}

func (s *seededIDs) Secret(n int) ([]byte, error) {
	b := make([]byte, n)
	s.mu.Lock()
	_, _ = s.src.Read(b)
	s.mu.Unlock()
	return b, nil
}

// mark answers the stream's position, and reset goes back to one: every
// run of a unit of work draws the ids its first run drew (crashStore).
func (s *seededIDs) mark() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := s.src.MarshalBinary()
	return b
}

func (s *seededIDs) reset(m []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.src.UnmarshalBinary(m)
}
