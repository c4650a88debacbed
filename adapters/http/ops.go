package http

import "github.com/gofiber/fiber/v2"

// opsRoutes serves operations endpoints (OpenAPI, metrics, backups).
func (s *Server) opsRoutes(app *fiber.App, api, admin fiber.Router) {}
