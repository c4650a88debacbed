package http

import "github.com/gofiber/fiber/v2"

// NotificationService is what the handlers of this area need from core.
type NotificationService interface{}

func (s *Server) notificationRoutes(api, admin fiber.Router) {}
