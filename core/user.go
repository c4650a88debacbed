package core

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
)

// User is a person who signs in. PasswordHash is produced by the
// PasswordHasher port (bcrypt in production); core never sees a password
// after hashing it.
type User struct {
	ID           string
	Username     string
	Email        string
	FirstName    string
	LastName     string
	IsAdmin      bool
	Locale       string // "id" or "en"
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Token is an API bearer token. Only the SHA-256 of the secret is stored.
type Token struct {
	ID        string
	UserID    string
	Name      string
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	// LastUsedAt is when the token last authenticated a request, to the
	// minute (zero: never); kept coarse so reads do not become writes.
	LastUsedAt time.Time
}

// HashToken is the lookup key of a bearer token.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_.@+-]{1,150}$`)

// NewUserInput is what an admin supplies to create a user.
type NewUserInput struct {
	Username  string
	Password  string
	Email     string
	FirstName string
	LastName  string
	IsAdmin   bool
	Locale    string
}

// Validate checks every field and returns all problems at once.
func (in NewUserInput) Validate() error {
	fe := FieldErrors{}
	if !usernameRE.MatchString(in.Username) {
		fe.Add("username", "1 to 150 letters, digits or @.+-_")
	}
	if len(in.Password) < 8 {
		fe.Add("password", "at least 8 characters")
	} else if len(in.Password) > 72 {
		// bcrypt ignores bytes past 72; refusing is better than silently truncating.
		fe.Add("password", "at most 72 bytes")
	}
	if in.Email != "" {
		if !validEmail(in.Email) {
			fe.Add("email", "not a valid email address")
		}
	}
	if len(in.FirstName) > 150 {
		fe.Add("first_name", "at most 150 characters")
	}
	if len(in.LastName) > 150 {
		fe.Add("last_name", "at most 150 characters")
	}
	// The username pattern already admits no control characters.
	checkText(fe, "first_name", in.FirstName, false)
	checkText(fe, "last_name", in.LastName, false)
	switch strings.ToLower(in.Locale) {
	case "", "id", "en":
	default:
		fe.Add("locale", "id or en")
	}
	return fe.Err()
}

// validEmail accepts a plain address: local@domain, the domain with a dot,
// no spaces, display names or comments, at most 254 characters. Delivery,
// not syntax, is the real test; this refuses obvious typos.
func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>()[],;:\"\\") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return false
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
	}
	return true
}

// NormalizeUsername is the form usernames are unique in and looked up by:
// lower case, so "Alice" and "alice" are one user.
func NormalizeUsername(s string) string { return strings.ToLower(s) }
