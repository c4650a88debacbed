package http

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// PortalService makes one-time links into the customer portal (the web
// pages); Config gives the public URL the links start with.
type PortalService interface {
	CreatePortalLink(ctx context.Context, a core.Actor, in core.PortalLinkInput) (core.PortalLink, string, error)
	Config() core.Config
}

var _ PortalService = (*core.Service)(nil)

type portalLinkRequest struct {
	UserID    string `json:"user_id" validate:"required" doc:"The customer the link signs in"`
	ReturnURL string `json:"return_url" validate:"required" oa:"format=uri,maxLength=2048" doc:"Absolute http(s) URL the portal's \"return to merchant\" link goes to"`
}

// portalLinkJSON carries the link's secret; it is returned once.
type portalLinkJSON struct {
	URL       string    `json:"url" oa:"format=uri" doc:"Open once, within the hour, to land signed in on the portal"`
	ExpiresAt time.Time `json:"expires_at"`
}

// portalLinkPath is where the web pages redeem a link's secret.
const portalLinkPath = "/portal/link/"

// createPortalLink is POST /api/admin/portal-links/. The link starts with
// LANGGANAN_PUBLIC_URL, where customers reach the service, or else with
// the address this request came to.
func (s *Server) createPortalLink(c *fiber.Ctx) error {
	var req portalLinkRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	l, secret, err := s.svc.CreatePortalLink(c.UserContext(), actor(c), core.PortalLinkInput{UserID: req.UserID, ReturnURL: req.ReturnURL})
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.svc.Config().PublicURL, "/")
	if base == "" {
		base = c.BaseURL()
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(portalLinkJSON{URL: base + portalLinkPath + secret, ExpiresAt: l.ExpiresAt})
}
