package http

import "github.com/gofiber/fiber/v2"

// routes registers every endpoint after user authentication: the health
// checks, and the /api/ operations of the table in api.go. Trailing
// slashes are optional (StrictRouting off), so each path is registered once.
func (s *Server) routes(app *fiber.App) {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	// Everything under /api/admin/ is for administrators, known path or not.
	app.Use("/api/admin", requireAdmin)
	s.registerOperations(app, true)
}
