// Package passwords implements core.PasswordHasher with bcrypt.
package passwords

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Bcrypt hashes with the given cost; 0 means bcrypt.DefaultCost. Tests use
// bcrypt.MinCost to stay fast.
type Bcrypt struct{ Cost int }

func (b Bcrypt) Hash(password string) (string, error) {
	cost := b.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("bcrypt: %w", err)
	}
	return string(h), nil
}

// Compare is constant-time in the password (bcrypt compares digests with
// subtle.ConstantTimeCompare).
func (Bcrypt) Compare(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
