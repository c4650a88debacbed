package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/internal/errstatus"
	"github.com/langganan/langganan/adapters/internal/signin"
	"github.com/langganan/langganan/core"
)

// errNotFoundPage answers a path under a page prefix that has no page.
var errNotFoundPage = core.NotFoundf("no such page")

// errorView is the error page.
type errorView struct {
	Title, Message string
	// Detail is the service's own explanation (client-safe; English).
	Detail string
	Back   string
}

// pageKeys names the error page's words for the codes that share them.
var pageKeys = map[string]string{"gateway_unavailable": "gateway", "gateway_error": "gateway", "duplicate_order": "conflict"}

// statusOf maps an error to the page's status (errstatus's, as the API
// answers it) and the key of the page's words.
func statusOf(err error) (int, string) {
	var ce *core.Error
	if errors.As(err, &ce) && (ce.Code == core.CodePortalLinkUsed || ce.Code == core.CodePortalLinkExpired) {
		return fiber.StatusGone, "link_gone"
	}
	k, ok := errstatus.Of(err)
	if !ok {
		return fiber.StatusInternalServerError, "internal"
	}
	if key, ok := pageKeys[k.Code]; ok {
		return k.Status, key
	}
	return k.Status, k.Code
}

// fail answers err as an error page. Faults of the service are logged
// and shown without detail; a client's mistake shows the service's
// message.
func (p *Pages) fail(c *fiber.Ctx, rq *request, err error) error {
	status, key := statusOf(err)
	v := errorView{Title: rq.t["err_"+key+"_title"], Message: rq.t["err_"+key], Back: "/portal/"}
	if strings.HasPrefix(c.Path(), "/admin") {
		v.Back = "/admin/"
	}
	var ce *core.Error
	if status < 500 && errors.As(err, &ce) && key != "link_gone" {
		v.Detail = ce.Message
		for _, f := range sortedKeys(ce.Fields) {
			v.Detail += " " + f + ": " + ce.Fields[f] + "."
		}
	}
	if status >= 500 {
		p.log.Error().Err(err).Str("path", c.Path()).Str("method", c.Method()).Msg("page failed")
	}
	if retry, ok := signin.RetryAfter(err); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retry.Seconds())))
	}
	if rerr := p.render(c, rq, status, "error", v); rerr != nil {
		p.log.Error().Err(rerr).Str("path", c.Path()).Msg("error page failed")
		return c.Status(status).SendString(v.Title)
	}
	return nil
}
