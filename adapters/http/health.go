package http

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 503 unless the store is open and writable.
func (s *Server) readyz(c *fiber.Ctx) error {
	if err := s.ready(c.UserContext()); err != nil {
		return fmt.Errorf("%w: %w", errNotReady, err)
	}
	body := fiber.Map{"status": "ready"}
	// Too many payments stuck open is an alert, not unreadiness: the service
	// still works, but someone should look (reconciliation logs the details).
	if n := s.svc.StaleAlert(); n > 0 {
		body["alerts"] = fiber.Map{"stale_payments": n}
	}
	return c.JSON(body)
}
