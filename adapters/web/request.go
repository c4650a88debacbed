package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// Cookies. The session cookie holds the session secret; the pre-session
// cookie holds a random value that binds the sign-in form's CSRF token
// before there is a session; the language cookie holds "id" or "en".
const (
	sessionCookie = "lgn_session"
	preCookie     = "lgn_pre"
	langCookie    = "lgn_lang"
	csrfField     = "csrf"
)

// contentSecurityPolicy allows nothing but this origin's own files: no
// inline script or style, no framing, forms posting only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// access says who may open a page.
type access int

const (
	anyone access = iota
	signedIn
)

// request is one page request: who asks, in which language, and the CSRF
// token its forms carry.
type request struct {
	c       *fiber.Ctx
	user    *core.User
	session core.Session
	// secret is the session cookie's value (signed in) or the pre-session
	// cookie's; the CSRF token is derived from it.
	secret string
	lang   string
	t      map[string]string
}

type handler func(c *fiber.Ctx, rq *request) error

// actor is the core actor of a signed-in request.
func (rq *request) actor() core.Actor {
	if rq.user == nil {
		return core.Actor{}
	}
	return core.Actor{UserID: rq.user.ID, IsAdmin: rq.user.IsAdmin}
}

// handle runs a page: security headers, the language switch, the session,
// the CSRF check of a POST, then h; an error h returns becomes an error
// page here (errors.go), never an API error body.
func (p *Pages) handle(who access, h handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		setSecurityHeaders(c)
		if l := c.Query("lang"); c.Method() == fiber.MethodGet && (l == "id" || l == "en") {
			// The switch is a plain link: remember the choice, then show
			// the same page without the query.
			p.setCookie(c, langCookie, l, 365*24*time.Hour)
			return c.Redirect(c.Path(), fiber.StatusSeeOther)
		}
		rq := &request{c: c}
		if secret := c.Cookies(sessionCookie); secret != "" {
			sess, u, err := p.svc.SessionUser(c.UserContext(), secret)
			switch {
			case err == nil:
				rq.user, rq.session, rq.secret = &u, sess, secret
			case errors.Is(err, core.ErrUnauthenticated):
				p.clearCookie(c, sessionCookie) // expired or signed out elsewhere
			default:
				rq.setLang("")
				return p.fail(c, rq, err)
			}
		}
		userLang := ""
		if rq.user != nil {
			userLang = rq.user.Locale
		}
		rq.setLang(c.Cookies(langCookie), userLang)
		if rq.user == nil {
			if who == signedIn {
				return c.Redirect("/sign-in?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			rq.secret = p.preSession(c)
		}
		if c.Method() == fiber.MethodPost && !validCSRF(rq.secret, c.FormValue(csrfField)) {
			return p.render(c, rq, fiber.StatusForbidden, "error", errorView{Title: rq.t["csrf_title"], Message: rq.t["csrf_message"]})
		}
		if err := h(c, rq); err != nil {
			return p.fail(c, rq, err)
		}
		return nil
	}
}

// setLang picks the first supported language of prefs (the switch's
// cookie, then the user's locale); Indonesian by default.
func (rq *request) setLang(prefs ...string) {
	rq.lang = "id"
	for _, l := range prefs {
		if l == "id" || l == "en" {
			rq.lang = l
			break
		}
	}
	rq.t = catalog[rq.lang]
}

func setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer") // portal-link secrets never leave in a Referer
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set(fiber.HeaderCacheControl, "no-store") // pages show personal data
}

// preSession answers the pre-session cookie's value, setting a new one if
// the browser has none.
func (p *Pages) preSession(c *fiber.Ctx) string {
	if v := c.Cookies(preCookie); len(v) >= 32 {
		return v
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	p.setCookie(c, preCookie, v, 12*time.Hour)
	return v
}

// csrfToken is the token forms of a browser holding secret carry: an
// HMAC keyed by the cookie's secret, so a page of another origin, which
// can neither read the cookie nor our pages, cannot produce it.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("langganan web form"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validCSRF(secret, got string) bool {
	if secret == "" || got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(csrfToken(secret)), []byte(got)) == 1
}

func (p *Pages) secure(c *fiber.Ctx) bool { return p.secureAlways || c.Secure() }

func (p *Pages) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: p.secure(c)})
}

func (p *Pages) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: p.secure(c)})
}

// localPath answers next if it is a path on this site ("/portal/..."),
// else fallback: a sign-in must never send the browser elsewhere.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return fallback
	}
	return next
}

// page is what the layout shows around every page.
type page struct {
	Lang, OtherLang, OtherLangName string
	T                              map[string]string
	User                           *core.User
	CSRF                           string
	Path                           string
	// Section is the navigation entry of the page, marked current.
	Section string
	// ReturnURL is the merchant page of a portal-link session.
	ReturnURL string
	Notice    string
	Data      any
}

// sectionOf is the navigation entry a path belongs to.
func sectionOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/portal/invoices"):
		return "invoices"
	case strings.HasPrefix(path, "/portal/payments"):
		return "payments"
	case strings.HasPrefix(path, "/portal/wallet"):
		return "wallet"
	case strings.HasPrefix(path, "/portal/methods"):
		return "methods"
	case strings.HasPrefix(path, "/portal"):
		return "overview"
	}
	return ""
}

// render executes a page template with the layout and sends it.
func (p *Pages) render(c *fiber.Ctx, rq *request, status int, name string, data any) error {
	t, ok := p.pages[name]
	if !ok {
		return errors.New("web: no template " + name)
	}
	pg := page{Lang: rq.lang, T: rq.t, User: rq.user, CSRF: csrfToken(rq.secret), Path: c.Path(),
		Section: sectionOf(c.Path()), ReturnURL: rq.session.ReturnURL, Data: data}
	pg.OtherLang, pg.OtherLangName = "en", "English"
	if rq.lang == "en" {
		pg.OtherLang, pg.OtherLangName = "id", "Bahasa Indonesia"
	}
	if k := c.Query("done"); k != "" {
		pg.Notice = rq.t["done_"+k] // only known notices; anything else shows nothing
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", pg); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(b.Bytes())
}
