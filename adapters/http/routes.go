package http

import "github.com/gofiber/fiber/v2"

// routes registers every endpoint. Trailing slashes are optional
// (StrictRouting off), so each path is registered once. New areas add a
// block here and their handlers in a file of their own.
func (s *Server) routes(app *fiber.App) {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)

	api := app.Group("/api")

	// Plans: public to read, admin to change.
	api.Get("/plans/", s.listPlans)
	api.Get("/plans/:slug/", s.getPlan)
	api.Post("/plans/", requireAdmin, s.idem, s.createPlan)
	api.Patch("/plans/:slug/", requireAdmin, s.updatePlan)
	api.Delete("/plans/:slug/", requireAdmin, s.archivePlan)

	// Accounts.
	api.Get("/me/", requireUser, s.me)
	api.Post("/auth/tokens/", requireUser, s.createToken)
	api.Delete("/auth/tokens/:id/", requireUser, s.deleteToken)
	api.Get("/auth/tokens/", requireUser, s.listTokens)
	api.Post("/me/password/", requireUser, s.changePassword)

	// Administration.
	admin := api.Group("/admin", requireAdmin)
	admin.Post("/users/", s.idem, s.createUser)
	admin.Post("/billing/run/", s.runBilling)
	admin.Post("/clock/advance/", s.advanceClock)

	// Each later area registers its routes from a file of its own.
	s.lifecycleRoutes(api, admin)
	s.orgRoutes(api, admin)
	s.notificationRoutes(api, admin)
	s.opsRoutes(app, api, admin)
}
