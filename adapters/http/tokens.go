package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

type tokenRequest struct {
	Name string `json:"name" validate:"max=100"`
}

// tokenJSON carries the secret; it is returned once, on creation.
type tokenJSON struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"`
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
