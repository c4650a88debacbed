package http

import "github.com/gofiber/fiber/v2"

// LifecycleService is what the handlers of this area need from core.
type LifecycleService interface{}

func (s *Server) lifecycleRoutes(api, admin fiber.Router) {}
