package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// tokenUseGranularity is how stale a token's LastUsedAt may be before a
// request that uses it writes the new time: a bearer read costs a write at
// most once a minute per token.
const tokenUseGranularity = time.Minute

// ListTokens lists the actor's own tokens, oldest first. Only the stored
// hash is known here, and callers never show it.
func (s *Service) ListTokens(ctx context.Context, a Actor) ([]Token, error) {
	if a.UserID == "" {
		return nil, errBadCredentials()
	}
	var out []Token
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Tokens().ListByUser(a.UserID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// ChangePassword replaces the actor's password after checking the current
// one, and revokes every token of that user in the same transaction.
func (s *Service) ChangePassword(ctx context.Context, a Actor, current, next string) error {
	if a.UserID == "" {
		return errBadCredentials()
	}
	fe := FieldErrors{}
	if current == "" {
		fe.Add("current_password", "required")
	}
	if len(next) < 8 {
		fe.Add("new_password", "at least 8 characters")
	} else if len(next) > 72 {
		fe.Add("new_password", "at most 72 bytes")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	u, err := s.GetUser(ctx, a.UserID)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" || !s.hasher.Compare(u.PasswordHash, current) {
		return &Error{Kind: ErrInvalid, Message: "the current password is wrong",
			Fields: map[string]string{"current_password": "wrong password"}}
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		u, err := tx.Users().Get(a.UserID)
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		u.PasswordHash, u.UpdatedAt = hash, now
		if err := tx.Users().Put(u); err != nil {
			return fmt.Errorf("store user: %w", err)
		}
		return revokeTokensTx(tx, u.ID)
	})
}

// revokeTokensTx deletes every token and browser session of userID
// (password changed or reset): each was opened with the old password.
func revokeTokensTx(tx Tx, userID string) error {
	if err := revokeSessionsTx(tx, userID); err != nil {
		return err
	}
	list, err := tx.Tokens().ListByUser(userID)
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	for _, t := range list {
		if err := tx.Tokens().Delete(t.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("revoke token: %w", err)
		}
	}
	return nil
}

// noteTokenUse records that t authenticated a request now, unless it
// already did within tokenUseGranularity. Best effort: a failed write
// only leaves LastUsedAt older.
func (s *Service) noteTokenUse(ctx context.Context, t Token) {
	now := s.now()
	if !t.LastUsedAt.IsZero() && now.Sub(t.LastUsedAt) < tokenUseGranularity && !now.Before(t.LastUsedAt) {
		return
	}
	_ = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Tokens().Get(t.ID)
		if err != nil {
			return nil // revoked meanwhile
		}
		cur.LastUsedAt = now.Truncate(time.Second)
		return tx.Tokens().Put(cur)
	})
}
