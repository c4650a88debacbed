package web

import (
	"github.com/gofiber/fiber/v2"
)

// mountPortal registers the customer portal under /portal/.
func (p *Pages) mountPortal(r fiber.Router) {
	r.Get("/portal", p.handle(signedIn, p.portalHome))
	// Anything else under /portal/ is a page that does not exist, answered
	// as a page (never as the API's JSON).
	r.All("/portal/*", p.handle(anyone, func(c *fiber.Ctx, rq *request) error {
		return errNotFoundPage
	}))
}

func (p *Pages) portalHome(c *fiber.Ctx, rq *request) error {
	return p.render(c, rq, fiber.StatusOK, "portal", nil)
}
