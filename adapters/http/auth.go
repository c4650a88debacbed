package http

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/internal/signin"
	"github.com/langganan/langganan/core"
)

const localUser = "langganan.user"

// Authentication method recorded with the user, so that token minting can
// insist on a password.
const (
	viaBasic  = "basic"
	viaBearer = "bearer"
)

type identity struct {
	user core.User
	via  string
}

// authenticator resolves Basic and Bearer credentials. Passwords go
// through the sign-in guard (adapters/internal/signin), which the web
// pages share, so failures from either count towards the same lockouts.
type authenticator struct {
	svc   AccountService
	guard *signin.Guard
}

// middleware resolves credentials if any were sent. Wrong credentials are a
// 401 even on public endpoints, so a typo never silently reads as anonymous.
func (a *authenticator) middleware(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return c.Next()
	}
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	var (
		u   core.User
		err error
		via string
	)
	switch strings.ToLower(scheme) {
	case "basic":
		via = viaBasic
		raw, derr := base64.StdEncoding.DecodeString(cred)
		name, pw, ok := strings.Cut(string(raw), ":")
		if derr != nil || !ok {
			return unauthenticated("malformed Basic credentials")
		}
		u, err = a.guard.Password(c.UserContext(), name, pw, c.IP())
	case "bearer":
		via = viaBearer
		u, err = a.svc.AuthenticateToken(c.UserContext(), cred)
	default:
		return unauthenticated("unsupported authorization scheme; use Basic or Bearer")
	}
	if err != nil {
		setRetryAfter(c, err)
		return err
	}
	c.Locals(localUser, identity{user: u, via: via})
	return c.Next()
}

// setRetryAfter sets Retry-After on a throttled answer.
func setRetryAfter(c *fiber.Ctx, err error) {
	if retry, ok := signin.RetryAfter(err); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retry.Seconds())))
	}
}

// currentUser is the signed-in user, if any.
func currentUser(c *fiber.Ctx) (identity, bool) {
	id, ok := c.Locals(localUser).(identity)
	return id, ok
}

// actor is the core Actor of the request; anonymous is the zero Actor.
func actor(c *fiber.Ctx) core.Actor {
	id, ok := currentUser(c)
	if !ok {
		return core.Actor{}
	}
	return core.Actor{UserID: id.user.ID, IsAdmin: id.user.IsAdmin}
}

// requireUser is route middleware for endpoints that need a signed-in user.
func requireUser(c *fiber.Ctx) error {
	if _, ok := currentUser(c); !ok {
		return unauthenticated("authentication required")
	}
	return c.Next()
}

// requireAdmin is route middleware for admin-only endpoints.
func requireAdmin(c *fiber.Ctx) error {
	id, ok := currentUser(c)
	if !ok {
		return unauthenticated("authentication required")
	}
	if !id.user.IsAdmin {
		return core.Forbiddenf("only an administrator may do this")
	}
	return c.Next()
}
