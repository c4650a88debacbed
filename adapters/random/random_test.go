package random

import (
	"testing"

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
		if b[6]>>4 != 4 || b[8]>>6 != 2 {
			t.Fatalf("NewID() = %q is not a version 4, RFC 4122 UUID", id)
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
