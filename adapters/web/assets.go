package web

import (
	"path"

	"github.com/gofiber/fiber/v2"
)

var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

// asset serves an embedded file of assets/ by its name.
func (p *Pages) asset(c *fiber.Ctx) error {
	name := c.Params("name")
	typ, ok := assetTypes[path.Ext(name)]
	var b []byte
	var err error
	if ok && path.Base(name) == name {
		b, err = assetFS.ReadFile("assets/" + name)
	}
	c.Set("X-Content-Type-Options", "nosniff")
	if !ok || err != nil {
		return c.Status(fiber.StatusNotFound).SendString("not found")
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}
