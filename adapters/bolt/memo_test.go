package bolt

import (
	"fmt"
	"testing"
)

// TestMemoKeepsNewest: a full memo makes room by its oldest key, so the
// last max records decoded are all still there (a billing run reads a
// subscription again a batch or two after its scan decoded it).
func TestMemoKeepsNewest(t *testing.T) {
	const max = 64
	m := newMemo(max, same[string])
	put := func(i int) { m.put([]byte(fmt.Sprint("k", i)), []byte(fmt.Sprint("raw", i)), fmt.Sprint("v", i)) }
	for i := range 10 * max {
		put(i)
		if i%7 == 0 && i > 0 {
			put(i - 1) // put again while there: replaced in place, nothing evicted
		}
	}
	if len(m.m) > max {
		t.Fatalf("%d entries, bound %d", len(m.m), max)
	}
	for i := 9 * max; i < 10*max; i++ {
		if v, ok := m.get([]byte(fmt.Sprint("k", i)), []byte(fmt.Sprint("raw", i))); !ok || v != fmt.Sprint("v", i) {
			t.Fatalf("k%d: %q, %v; one of the last %d put, want it kept", i, v, ok, max)
		}
	}
	if _, ok := m.get([]byte("k0"), []byte("raw0")); ok {
		t.Fatal("k0, the oldest, still there")
	}
	// Different bytes under a key are a miss, never a stale value.
	if _, ok := m.get([]byte(fmt.Sprint("k", 10*max-1)), []byte("other")); ok {
		t.Fatal("hit for bytes the value was not decoded from")
	}
}
