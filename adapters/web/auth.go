package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/internal/signin"
	"github.com/langganan/langganan/core"
)

// signInView is the sign-in form.
type signInView struct {
	Username, Next, Error string
}

const defaultNext = "/portal/"

func (p *Pages) signInForm(c *fiber.Ctx, rq *request) error {
	next := localPath(c.Query("next"), defaultNext)
	if rq.user != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return p.render(c, rq, fiber.StatusOK, "signin", signInView{Next: next})
}

// signIn checks the password through the shared sign-in guard (the API's
// lockouts and bounded bcrypt), then opens a session: a new secret in a
// new cookie, so a session fixed before sign-in is never reused.
func (p *Pages) signIn(c *fiber.Ctx, rq *request) error {
	name, pw := strings.TrimSpace(c.FormValue("username")), c.FormValue("password")
	next := localPath(c.FormValue("next"), defaultNext)
	v := signInView{Username: name, Next: next}
	if name == "" || pw == "" {
		v.Error = rq.t["signin_missing"]
		return p.render(c, rq, fiber.StatusBadRequest, "signin", v)
	}
	u, err := p.guard.Password(c.UserContext(), name, pw, c.IP())
	switch {
	case errors.Is(err, core.ErrUnauthenticated):
		v.Error = rq.t["signin_wrong"]
		return p.render(c, rq, fiber.StatusUnauthorized, "signin", v)
	case errors.Is(err, core.ErrRateLimited):
		retry, _ := signin.RetryAfter(err)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retry.Seconds())))
		v.Error = rq.t["signin_throttled"]
		return p.render(c, rq, fiber.StatusTooManyRequests, "signin", v)
	case err != nil:
		return err
	}
	_, secret, err := p.svc.StartSession(c.UserContext(), core.Actor{UserID: u.ID, IsAdmin: u.IsAdmin})
	if err != nil {
		return err
	}
	p.setCookie(c, sessionCookie, secret, core.SessionTTL)
	p.clearCookie(c, preCookie)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// signOut ends the session (its record is deleted, so the cookie is
// worthless even if it was copied).
func (p *Pages) signOut(c *fiber.Ctx, rq *request) error {
	if rq.user != nil {
		if err := p.svc.EndSession(c.UserContext(), rq.secret); err != nil {
			return err
		}
	}
	p.clearCookie(c, sessionCookie)
	return c.Redirect("/sign-in?done=signed_out", fiber.StatusSeeOther)
}
