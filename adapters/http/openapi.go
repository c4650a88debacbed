package http

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openapiJSON is the OpenAPI 3.1 description of the /api/ surface,
// generated from the tables in tools/gen_openapi.py; openapi_test.go keeps
// it true to the live route table and validates real traffic against it.
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
