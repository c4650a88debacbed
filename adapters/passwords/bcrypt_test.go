package passwords

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestBcrypt(t *testing.T) {
	t.Parallel()
	h := Bcrypt{Cost: bcrypt.MinCost}
	hash, err := h.Hash("rahasia-123")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "rahasia") {
		t.Fatalf("Hash() = %q contains the password", hash)
	}
	tests := []struct {
		hash, pw string
		want     bool
	}{
		{hash, "rahasia-123", true},
		{hash, "rahasia-124", false},
		{hash, "", false},
		{"not-a-hash", "rahasia-123", false},
	}
	for _, tc := range tests {
		if got := h.Compare(tc.hash, tc.pw); got != tc.want {
			t.Errorf("Compare(%q, %q) = %v, want %v", tc.hash, tc.pw, got, tc.want)
		}
	}
}
