package http

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openapiJSON is the OpenAPI 3.1 description of the /api/ surface, as
// openapi_gen_test.go generates it from the route table and the DTOs;
// TestOpenAPIGolden keeps the committed file equal to that, and
// openapi_test.go validates real traffic against it.
//
//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the embedded document.
func OpenAPI() []byte { return openapiJSON }

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(openapiJSON)
}
