// Package web is the browser adapter: server-rendered html/template pages
// on the same Fiber app as the API, with their CSS and script embedded in
// the binary (no build step, nothing fetched from elsewhere). Every page
// works without JavaScript; the one small script only adds comfort.
//
// Pages call only core use cases. A signed-in browser holds a session
// cookie (core sessions: only the secret's hash is stored); every form
// POST carries a CSRF token bound to that cookie; every answer carries a
// strict Content Security Policy. Text is Indonesian or English (the
// user's locale, or the switch on every page).
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/adapters/internal/signin"
	"github.com/langganan/langganan/core"
	"github.com/rs/zerolog"
)

// Service is what the pages need from core; *core.Service has it.
type Service interface {
	StartSession(ctx context.Context, a core.Actor) (core.Session, string, error)
	SessionUser(ctx context.Context, secret string) (core.Session, core.User, error)
	EndSession(ctx context.Context, secret string) error
	Config() core.Config
	AdminService
}

// Config wires the pages. Service is required.
type Config struct {
	Service Service
	Log     zerolog.Logger
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Pages serves the web pages.
type Pages struct {
	svc          Service
	log          zerolog.Logger
	guard        *signin.Guard
	loc          *time.Location
	secureAlways bool
	pages        map[string]*template.Template
}

// New parses the templates; a template that does not parse is an error.
func New(cfg Config) (*Pages, error) {
	if cfg.Service == nil {
		return nil, fmt.Errorf("web: New needs a Service")
	}
	sc := cfg.Service.Config()
	p := &Pages{svc: cfg.Service, log: cfg.Log, loc: sc.Location}
	if p.loc == nil {
		p.loc = time.UTC
	}
	// Where browsers reach the service (LANGGANAN_PUBLIC_URL): https makes
	// every cookie Secure even when TLS ends at a proxy in front.
	if sc.PublicURL != "" {
		u, err := url.Parse(sc.PublicURL)
		if err != nil {
			return nil, fmt.Errorf("web: public URL: %w", err)
		}
		p.secureAlways = u.Scheme == "https"
	}
	pages, err := parsePages(templateFS)
	if err != nil {
		return nil, err
	}
	p.pages = pages
	return p, nil
}

// parsePages parses the layout once and every other file on a clone of it,
// so each page fills the layout's blocks with its own.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").ParseFS(fsys, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		out[name] = t
	}
	return out, nil
}

// Mount registers the pages on r. guard is the sign-in guard the API uses
// (shared lockouts); each route runs the page pipeline itself, so nothing
// here applies to the API's routes.
func (p *Pages) Mount(r fiber.Router, guard *signin.Guard) {
	p.guard = guard
	r.Get("/assets/:name", p.asset)
	r.Get("/sign-in", p.handle(anyone, p.signInForm))
	r.Post("/sign-in", p.handle(anyone, p.signIn))
	r.Post("/sign-out", p.handle(anyone, p.signOut))
	p.mountPortal(r)
	p.mountAdmin(r)
}
