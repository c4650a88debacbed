package core

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// BootstrapUsername is the admin created on first start when no admin exists.
const BootstrapUsername = "admin"

// tokenPrefix marks bearer secrets so that leaked ones are easy to grep for.
const tokenPrefix = "lgn_"

func errBadCredentials() error {
	return &Error{Kind: ErrUnauthenticated, Message: "invalid credentials"}
}

// randomSecret is n random bytes from the ids port, URL-safe base64
// without padding.
func (s *Service) randomSecret(n int) (string, error) {
	b, err := s.ids.Secret(n)
	if err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateUser stores a new user (admin only). The password is hashed here
// and never kept.
func (s *Service) CreateUser(ctx context.Context, a Actor, in NewUserInput) (User, error) {
	if err := requireAdmin(a); err != nil {
		return User{}, err
	}
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	// Hash before the transaction: bcrypt is slow and bolt has one writer.
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	u := User{
		ID: s.ids.NewID(), Username: in.Username, Email: in.Email,
		FirstName: in.FirstName, LastName: in.LastName, IsAdmin: in.IsAdmin,
		Locale: strings.ToLower(in.Locale), PasswordHash: hash, CreatedAt: now, UpdatedAt: now,
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Users().GetByUsername(u.Username); err == nil {
			return usernameTaken(u.Username)
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("look up username: %w", err)
		}
		return storeErr(tx.Users().Put(u), "user", "username")
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func usernameTaken(name string) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf("username %q is taken", name),
		Fields: map[string]string{"username": "already taken"}}
}

// EnsureAdmin makes username an admin with password: it creates the user,
// or resets the password (and admin flag) of an existing one. It serves the
// LANGGANAN_ADMIN_USER / LANGGANAN_ADMIN_PASSWORD bootstrap.
func (s *Service) EnsureAdmin(ctx context.Context, username, password string) (created bool, err error) {
	if err := (NewUserInput{Username: username, Password: password, IsAdmin: true}).Validate(); err != nil {
		return false, err
	}
	// Every start of every instance ensures the admin: one whose password
	// already matches is left alone, so a restart neither rewrites it nor
	// revokes the admin's tokens and sessions.
	var same bool
	if err := s.store.View(ctx, func(tx Tx) error {
		u, err := tx.Users().GetByUsername(username)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		same = err == nil && u.IsAdmin && s.hasher.Compare(u.PasswordHash, password)
		return err
	}); err != nil {
		return false, fmt.Errorf("look up admin: %w", err)
	}
	if same {
		return false, nil
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return false, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	err = s.store.Update(ctx, func(tx Tx) error {
		u, err := tx.Users().GetByUsername(username)
		switch {
		case errors.Is(err, ErrNotFound):
			created = true
			u = User{ID: s.ids.NewID(), Username: username, CreatedAt: now}
		case err != nil:
			return fmt.Errorf("look up admin: %w", err)
		}
		u.IsAdmin, u.PasswordHash, u.UpdatedAt = true, hash, now
		if err := storeErr(tx.Users().Put(u), "user", "username"); err != nil {
			return err
		}
		// A reset password revokes every token minted with the old one.
		return revokeTokensTx(tx, u.ID)
	})
	if err != nil {
		return false, err
	}
	return created, nil
}

// BootstrapAdmin creates the user "admin" with a random password when no
// admin exists yet, and returns that password so it can be shown once.
func (s *Service) BootstrapAdmin(ctx context.Context) (password string, created bool, err error) {
	var n int
	if err := s.store.View(ctx, func(tx Tx) error {
		admins, err := tx.Users().ListAdmins()
		n = len(admins)
		return err
	}); err != nil {
		return "", false, fmt.Errorf("list admins: %w", err)
	}
	if n > 0 {
		return "", false, nil
	}
	password, err = s.randomSecret(18)
	if err != nil {
		return "", false, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return "", false, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	err = s.store.Update(ctx, func(tx Tx) error {
		// Checked again inside the transaction: another process may have won.
		admins, err := tx.Users().ListAdmins()
		if err != nil {
			return fmt.Errorf("list admins: %w", err)
		}
		if len(admins) > 0 {
			return nil
		}
		if _, err := tx.Users().GetByUsername(BootstrapUsername); err == nil {
			// Promoting an ordinary user called "admin" would hand its owner the keys.
			return Conflictf("a non-admin user %q exists; set LANGGANAN_ADMIN_USER and LANGGANAN_ADMIN_PASSWORD", BootstrapUsername)
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("look up admin: %w", err)
		}
		created = true
		return tx.Users().Put(User{ID: s.ids.NewID(), Username: BootstrapUsername, IsAdmin: true,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil || !created {
		return "", false, err
	}
	return password, true, nil
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// dummyHash is the hash an unknown username's password is compared with,
// so that timing does not reveal which usernames exist.
func (s *Service) dummyHash() string {
	dummyOnce.Do(func() { dummyHash, _ = s.hasher.Hash("langganan-dummy-password") })
	return dummyHash
}

// WarmAuthentication starts computing the dummy hash, so that even the
// first sign-in with an unknown username costs what a known one does (the
// server calls it at start). It does not wait: a sign-in that comes before
// the hash is ready waits for it (sync.Once), and start-up is not held up
// by a bcrypt hash, which on a busy machine took most of it.
func (s *Service) WarmAuthentication() { go s.dummyHash() }

// Authenticate checks a username and password.
func (s *Service) Authenticate(ctx context.Context, username, password string) (User, error) {
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = tx.Users().GetByUsername(username)
		return err
	})
	if errors.Is(err, ErrNotFound) || (err == nil && u.PasswordHash == "") {
		// Spend the same work as a real check so timing does not reveal
		// which usernames exist.
		s.hasher.Compare(s.dummyHash(), password)
		return User{}, errBadCredentials()
	}
	if err != nil {
		return User{}, fmt.Errorf("look up user: %w", err)
	}
	if !s.hasher.Compare(u.PasswordHash, password) {
		return User{}, errBadCredentials()
	}
	return u, nil
}

// AuthenticateToken finds the user owning a bearer secret.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (User, error) {
	if secret == "" {
		return User{}, errBadCredentials()
	}
	hash := HashToken(secret)
	var (
		u User
		t Token
	)
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		t, err = tx.Tokens().GetByHash(hash)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 {
			return ErrNotFound
		}
		u, err = tx.Users().Get(t.UserID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return User{}, errBadCredentials()
	}
	if err != nil {
		return User{}, fmt.Errorf("look up token: %w", err)
	}
	s.noteTokenUse(ctx, t)
	return u, nil
}

// CreateToken mints a bearer token for the actor. The secret is returned
// once and only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, a Actor, name string) (Token, string, error) {
	if a.UserID == "" {
		return Token{}, "", errBadCredentials()
	}
	name = strings.TrimSpace(name)
	if len(name) > 100 {
		return Token{}, "", (FieldErrors{"name": "at most 100 characters"}).Err()
	}
	if p := textProblem(name, false); p != "" {
		return Token{}, "", (FieldErrors{"name": p}).Err()
	}
	if name == "" {
		name = "api"
	}
	raw, err := s.randomSecret(32)
	if err != nil {
		return Token{}, "", err
	}
	secret := tokenPrefix + raw
	t := Token{ID: s.ids.NewID(), UserID: a.UserID, Name: name, Hash: HashToken(secret), CreatedAt: s.now()}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Users().Get(a.UserID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return errBadCredentials()
			}
			return fmt.Errorf("get user: %w", err)
		}
		if err := tx.Tokens().Put(t); err != nil {
			return fmt.Errorf("store token: %w", err)
		}
		return nil
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// DeleteToken revokes one of the actor's own tokens; another user's token
// answers not found so its existence is not revealed.
func (s *Service) DeleteToken(ctx context.Context, a Actor, id string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.Tokens().Get(id)
		if errors.Is(err, ErrNotFound) || (err == nil && t.UserID != a.UserID) {
			return NotFoundf("token %q not found", id)
		}
		if err != nil {
			return fmt.Errorf("get token: %w", err)
		}
		if err := tx.Tokens().Delete(id); err != nil {
			return fmt.Errorf("delete token: %w", err)
		}
		return nil
	})
}

// GetUser loads a user by id.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = tx.Users().Get(id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return User{}, NotFoundf("user %q not found", id)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}
