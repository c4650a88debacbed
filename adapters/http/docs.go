package http

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// docsHTML renders /api/openapi.json in the browser with no external
// script, style or font: everything it needs is in the page.
//
//go:embed docs.html
var docsHTML []byte

func serveDocs(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(docsHTML)
}
