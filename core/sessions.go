package core

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Browser sessions and one-time portal links. Both are bearer secrets
// like API tokens: the secret is handed out once (in a cookie, or in the
// link) and only its SHA-256 (HashToken) is stored. Their lifetimes run on
// the wall clock (Deps.Wall, else the service clock), like sign-in
// lockouts: a manual billing clock moved by a month must neither sign
// everyone out nor keep an hour-old link alive.
const (
	// SessionTTL is how long a session lasts after sign-in; it is not
	// extended by use, so a stolen cookie is good for this long at most.
	SessionTTL = 12 * time.Hour
	// PortalLinkTTL is how long a portal link may be opened (once).
	PortalLinkTTL = time.Hour

	sessionPrefix    = "lgs_"
	portalLinkPrefix = "lgp_"
	maxReturnURL     = 2048
)

// SessionVia says how a session was opened.
type SessionVia string

const (
	SessionPassword   SessionVia = "password"
	SessionPortalLink SessionVia = "portal_link"
)

// Session is a signed-in browser. Hash is HashToken of the secret the
// browser holds in its cookie.
type Session struct {
	ID     string
	UserID string
	Hash   string
	Via    SessionVia
	// ReturnURL is the merchant page a portal-link session goes back to.
	ReturnURL string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PortalLink is a one-time link into the customer portal, created by the
// merchant's backend for one user. Hash is HashToken of the secret in the
// link's URL.
type PortalLink struct {
	ID        string
	UserID    string
	Hash      string
	ReturnURL string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when the link was opened (zero: not yet), SessionID the
	// session it opened.
	UsedAt    time.Time
	SessionID string
}

// Error codes of portal links that cannot be opened (any more).
const (
	CodePortalLinkUsed    = "portal_link_used"
	CodePortalLinkExpired = "portal_link_expired"
)

// newSession builds a session for userID with a fresh secret; nothing is stored.
func (s *Service) newSession(userID string, via SessionVia, returnURL string, now time.Time) (Session, string, error) {
	raw, err := s.randomSecret(32)
	if err != nil {
		return Session{}, "", err
	}
	secret := sessionPrefix + raw
	return Session{ID: s.ids.NewID(), UserID: userID, Hash: HashToken(secret), Via: via, ReturnURL: returnURL,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}, secret, nil
}

// StartSession opens a browser session for a signed-in actor (the caller
// verified the password through Authenticate). The secret is returned
// once; only its hash is stored.
func (s *Service) StartSession(ctx context.Context, a Actor) (Session, string, error) {
	if a.UserID == "" {
		return Session{}, "", errBadCredentials()
	}
	sess, secret, err := s.newSession(a.UserID, SessionPassword, "", s.wallNow())
	if err != nil {
		return Session{}, "", err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Users().Get(a.UserID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return errBadCredentials()
			}
			return fmt.Errorf("get user: %w", err)
		}
		return storeErr(tx.Sessions().Put(sess), "session", "hash")
	})
	if err != nil {
		return Session{}, "", err
	}
	return sess, secret, nil
}

// SessionUser answers the live session a secret opens and its user; an
// unknown, expired or revoked secret is unauthenticated.
func (s *Service) SessionUser(ctx context.Context, secret string) (Session, User, error) {
	if !strings.HasPrefix(secret, sessionPrefix) {
		return Session{}, User{}, errBadCredentials()
	}
	hash := HashToken(secret)
	var (
		sess Session
		u    User
	)
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		sess, err = tx.Sessions().GetByHash(hash)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(sess.Hash), []byte(hash)) != 1 {
			return ErrNotFound
		}
		u, err = tx.Users().Get(sess.UserID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Session{}, User{}, errBadCredentials()
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("look up session: %w", err)
	}
	if !s.wallNow().Before(sess.ExpiresAt) {
		return Session{}, User{}, errBadCredentials()
	}
	return sess, u, nil
}

// EndSession signs a session out; an unknown secret is no error (the
// session is gone either way).
func (s *Service) EndSession(ctx context.Context, secret string) error {
	if !strings.HasPrefix(secret, sessionPrefix) {
		return nil
	}
	hash := HashToken(secret)
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Sessions().GetByHash(hash)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up session: %w", err)
		}
		if err := tx.Sessions().Delete(sess.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// revokeSessionsTx deletes every session of userID (password changed or reset).
func revokeSessionsTx(tx Tx, userID string) error {
	list, err := tx.Sessions().ListByUser(userID)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	for _, sess := range list {
		if err := tx.Sessions().Delete(sess.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("revoke session: %w", err)
		}
	}
	return nil
}

// PortalLinkInput is what the merchant's backend sends to create a link.
type PortalLinkInput struct {
	UserID    string
	ReturnURL string
}

// Validate checks the fields that need no store.
func (in PortalLinkInput) Validate() error {
	fe := FieldErrors{}
	if strings.TrimSpace(in.UserID) == "" {
		fe.Add("user_id", "required")
	}
	if p := returnURLProblem(in.ReturnURL); p != "" {
		fe.Add("return_url", p)
	}
	return fe.Err()
}

// returnURLProblem says what is wrong with a merchant return URL, or "".
// It must be an absolute http(s) URL without credentials: the portal links
// to it, so anything else (javascript:, a relative path) is refused.
func returnURLProblem(s string) string {
	if s == "" {
		return "required"
	}
	if len(s) > maxReturnURL {
		return fmt.Sprintf("at most %d characters", maxReturnURL)
	}
	if p := textProblem(s, false); p != "" {
		return p
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "an absolute http or https URL"
	}
	if u.User != nil {
		return "must not carry credentials"
	}
	return ""
}

// CreatePortalLink makes a one-time link into the customer portal for a
// user (admins only: the merchant's backend). The secret is returned once;
// the link expires after PortalLinkTTL and opens one session.
func (s *Service) CreatePortalLink(ctx context.Context, a Actor, in PortalLinkInput) (PortalLink, string, error) {
	if err := requireAdmin(a); err != nil {
		return PortalLink{}, "", err
	}
	if err := in.Validate(); err != nil {
		return PortalLink{}, "", err
	}
	raw, err := s.randomSecret(32)
	if err != nil {
		return PortalLink{}, "", err
	}
	secret := portalLinkPrefix + raw
	now := s.wallNow()
	l := PortalLink{ID: s.ids.NewID(), UserID: in.UserID, Hash: HashToken(secret), ReturnURL: in.ReturnURL,
		CreatedBy: a.UserID, CreatedAt: now, ExpiresAt: now.Add(PortalLinkTTL)}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Users().Get(in.UserID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return (FieldErrors{"user_id": "no user with this id"}).Err()
			}
			return fmt.Errorf("get user: %w", err)
		}
		return storeErr(tx.PortalLinks().Put(l), "portal link", "hash")
	})
	if err != nil {
		return PortalLink{}, "", err
	}
	return l, secret, nil
}

// OpenPortalLink redeems a portal link: in one unit of work it marks the
// link used and opens a session for its user, so of two concurrent opens
// exactly one gets a session. A used link is refused (403,
// CodePortalLinkUsed), as is an expired one (CodePortalLinkExpired); an
// unknown secret is not found.
func (s *Service) OpenPortalLink(ctx context.Context, secret string) (Session, string, error) {
	if !strings.HasPrefix(secret, portalLinkPrefix) {
		return Session{}, "", NotFoundf("portal link not found")
	}
	hash := HashToken(secret)
	now := s.wallNow()
	var sessSecret string
	var sess Session
	err := s.store.Update(ctx, func(tx Tx) error {
		l, err := tx.PortalLinks().GetByHash(hash)
		if errors.Is(err, ErrNotFound) || err == nil && subtle.ConstantTimeCompare([]byte(l.Hash), []byte(hash)) != 1 {
			return NotFoundf("portal link not found")
		}
		if err != nil {
			return fmt.Errorf("look up portal link: %w", err)
		}
		switch {
		case !l.UsedAt.IsZero():
			return &Error{Kind: ErrForbidden, Code: CodePortalLinkUsed, Message: "this portal link was already used"}
		case !now.Before(l.ExpiresAt):
			return &Error{Kind: ErrForbidden, Code: CodePortalLinkExpired, Message: "this portal link has expired"}
		}
		if _, err := tx.Users().Get(l.UserID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return NotFoundf("portal link not found")
			}
			return fmt.Errorf("get user: %w", err)
		}
		// Built here (fn may run again): a retried unit of work must not
		// hand out the secret of a session another attempt stored.
		sess, sessSecret, err = s.newSession(l.UserID, SessionPortalLink, l.ReturnURL, now)
		if err != nil {
			return err
		}
		l.UsedAt, l.SessionID = now, sess.ID
		if err := tx.PortalLinks().Put(l); err != nil {
			return fmt.Errorf("store portal link: %w", err)
		}
		return storeErr(tx.Sessions().Put(sess), "session", "hash")
	})
	if err != nil {
		return Session{}, "", err
	}
	return sess, sessSecret, nil
}

// pruneSessions deletes expired sessions and portal links (the leader's
// retention job), at most max of each per run.
func (s *Service) pruneSessions(ctx context.Context, max int) (int, error) {
	n := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.wallNow()
		a, err := tx.Sessions().DeleteExpired(now, max)
		if err != nil {
			return fmt.Errorf("prune sessions: %w", err)
		}
		b, err := tx.PortalLinks().DeleteExpired(now, max)
		if err != nil {
			return fmt.Errorf("prune portal links: %w", err)
		}
		n = a + b
		return nil
	})
	return n, err
}
