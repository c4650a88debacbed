package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// userJSON never carries the password hash.
type userJSON struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	IsAdmin   bool      `json:"is_admin"`
	Locale    string    `json:"locale"`
	CreatedAt time.Time `json:"created_at"`
}

func toUserJSON(u core.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName,
		LastName: u.LastName, IsAdmin: u.IsAdmin, Locale: u.Locale, CreatedAt: u.CreatedAt}
}

type userRequest struct {
	Username  string `json:"username" validate:"required,max=150"`
	Password  string `json:"password" validate:"required"`
	Email     string `json:"email" validate:"max=254"`
	FirstName string `json:"first_name" validate:"max=150"`
	LastName  string `json:"last_name" validate:"max=150"`
	IsAdmin   bool   `json:"is_admin"`
	Locale    string `json:"locale" validate:"max=2"`
}

func (s *Server) createUser(c *fiber.Ctx) error {
	var req userRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	u, err := s.svc.CreateUser(c.UserContext(), actor(c), core.NewUserInput{
		Username: req.Username, Password: req.Password, Email: req.Email,
		FirstName: req.FirstName, LastName: req.LastName, IsAdmin: req.IsAdmin, Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toUserJSON(u))
}

func (s *Server) me(c *fiber.Ctx) error {
	id, _ := currentUser(c)
	return c.JSON(toUserJSON(id.user))
}
