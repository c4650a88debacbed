package http

import "github.com/gofiber/fiber/v2"

// OrgService is what the handlers of this area need from core.
type OrgService interface{}

func (s *Server) orgRoutes(api, admin fiber.Router) {}
