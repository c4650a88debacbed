package http

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

type tokenRequest struct {
	Name string `json:"name" validate:"max=100"`
}

// tokenJSON carries the secret; it is returned once, on creation.
type tokenJSON struct {
	ID        string    `json:"id"`
	Token     string    `json:"token" doc:"The secret, shown only once"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// createToken needs Basic credentials: a bearer token minting tokens would
// let a leaked token outlive its revocation.
func (s *Server) createToken(c *fiber.Ctx) error {
	if id, _ := currentUser(c); id.via != viaBasic {
		return unauthenticated("sign in with username and password (Basic) to create a token")
	}
	var req tokenRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	t, secret, err := s.svc.CreateToken(c.UserContext(), actor(c), req.Name)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(tokenJSON{ID: t.ID, Token: secret, Name: t.Name, CreatedAt: t.CreatedAt})
}

func (s *Server) deleteToken(c *fiber.Ctx) error {
	if err := s.svc.DeleteToken(c.UserContext(), actor(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// tokenListJSON describes a token without its secret (only its hash is
// stored, and not even that is shown).
type tokenListJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at" doc:"When the token last authenticated a request (to the minute); null if never"`
}

// listTokens is GET /api/auth/tokens/: the caller's own tokens.
func (s *Server) listTokens(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, err := s.svc.ListTokens(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	items := paginate(list, q)
	out := make([]tokenListJSON, len(items))
	for i, t := range items {
		out[i] = tokenListJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: optTime(t.LastUsedAt)}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(newPage(c, q, len(list), out))
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password" validate:"required"`
	NewPassword     string `json:"new_password" validate:"required" oa:"minLength=8,maxLength=72"`
}

// changePassword is POST /api/me/password/: the current password is
// required (also with a bearer token); every token of the user is revoked
// and the cached credential forgotten. Answers 204.
func (s *Server) changePassword(c *fiber.Ctx) error {
	var req passwordRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	id, _ := currentUser(c)
	err := s.auth.guard.Check(c.UserContext(), id.user.Username, c.IP(), func() error {
		return s.svc.ChangePassword(c.UserContext(), actor(c), req.CurrentPassword, req.NewPassword)
	}, wrongCurrentPassword)
	if err != nil {
		setRetryAfter(c, err)
		return err
	}
	s.auth.guard.Forget(id.user.Username)
	return c.SendStatus(fiber.StatusNoContent)
}

// wrongCurrentPassword tells a wrong current password (counted as a failed
// sign-in) from other refusals of a password change.
func wrongCurrentPassword(err error) bool {
	var ce *core.Error
	return errors.As(err, &ce) && ce.Kind == core.ErrInvalid && ce.Fields["current_password"] == "wrong password"
}
