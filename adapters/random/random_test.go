package random

import (
	"runtime"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := IDs{}.NewID()
		b, err := core.ParseUUID(id)
		if err != nil {
			t.Fatalf("NewID() = %q: %v", id, err)
		}
		if b[6]>>4 != 7 || b[8]>>6 != 2 {
			t.Fatalf("NewID() = %q is not a version 7, RFC 9562 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
	a, err := IDs{}.Secret(32)
	if err != nil || len(a) != 32 {
		t.Fatalf("Secret(32) = %d bytes, %v", len(a), err)
	}
	b, _ := IDs{}.Secret(32)
	if string(a) == string(b) {
		t.Fatal("two secrets are equal")
	}
}

// Ids minted later sort after earlier ones (from the next millisecond on),
// which is what keeps a store's inserts at the end of its keys.
func TestIDsSortByTime(t *testing.T) {
	a := IDs{}.NewID()
	ms := time.Now().UnixMilli()
	for time.Now().UnixMilli() == ms {
		runtime.Gosched()
	}
	for range 100 {
		if b := (IDs{}).NewID(); b <= a {
			t.Fatalf("NewID() = %s sorts before the earlier %s", b, a)
		}
	}
}
