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

// SessionService is sign-in and sign-out.
type SessionService interface {
	StartSession(ctx context.Context, a core.Actor) (core.Session, string, error)
	SessionUser(ctx context.Context, secret string) (core.Session, core.User, error)
	EndSession(ctx context.Context, secret string) error
	OpenPortalLink(ctx context.Context, secret string) (core.Session, string, error)
	Config() core.Config
	AdminService
}

// PortalService is what the customer portal shows and does: the same use
// cases, with the same authorization, as the API's.
type PortalService interface {
	ListSubscriptions(ctx context.Context, a core.Actor, f core.SubscriptionFilter) ([]core.Subscription, error)
	GetSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	GetPlanByID(ctx context.Context, id string) (core.Plan, error)
	ListPlans(ctx context.Context, a core.Actor, f core.PlanFilter) ([]core.Plan, int, error)
	UpcomingInvoice(ctx context.Context, a core.Actor, id string) (core.Invoice, bool, error)
	PreviewPlanChange(ctx context.Context, a core.Actor, id, planRef string, immediate *bool) (core.PlanChangePreview, error)
	ChangePlan(ctx context.Context, a core.Actor, id, planRef string, immediate *bool) (core.Subscription, error)
	CancelSubscription(ctx context.Context, a core.Actor, id, reason string, immediate, undo bool) (core.Subscription, error)
	PauseSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	ResumeSubscription(ctx context.Context, a core.Actor, id string) (core.Subscription, error)
	ChargeSubscriptionWith(ctx context.Context, a core.Actor, subID string, in core.ChargeInput) (core.Payment, error)

	ListInvoices(ctx context.Context, a core.Actor, f core.InvoiceFilter) ([]core.Invoice, error)
	InvoiceDocument(ctx context.Context, a core.Actor, id string) (core.InvoiceDocument, error)
	ListPayments(ctx context.Context, a core.Actor, f core.PaymentFilter) ([]core.Payment, error)
	GetPayment(ctx context.Context, a core.Actor, id string) (core.Payment, error)

	GetWallet(ctx context.Context, a core.Actor) (core.Wallet, error)
	ListWalletEntries(ctx context.Context, a core.Actor, typ, ordering string) ([]core.WalletEntry, error)
	CreateTopUp(ctx context.Context, a core.Actor, in core.TopUpInput) (core.TopUp, error)

	ListPaymentMethods(ctx context.Context, a core.Actor) ([]core.PaymentMethod, error)
	DeletePaymentMethod(ctx context.Context, a core.Actor, id string) error
	LinkGopay(ctx context.Context, a core.Actor, phone, redirectURL string) (core.PaymentMethod, error)
}

// Service is what the pages need from core; *core.Service has it.
type Service interface {
	SessionService
	PortalService
}

var _ Service = (*core.Service)(nil)

// DocumentRenderer renders printed invoices (adapters/documents has one).
type DocumentRenderer interface {
	HTML(core.InvoiceDocument) ([]byte, error)
	PDF(core.InvoiceDocument) ([]byte, error)
}

// Config wires the pages. Service is required.
type Config struct {
	Service Service
	Log     zerolog.Logger
	// Documents renders invoices for the portal's PDF links; without it
	// they answer 404.
	Documents DocumentRenderer
	// AllowPause lets customers pause and resume their subscriptions in
	// the portal (LANGGANAN_PORTAL_PAUSE); the API allows it regardless.
	AllowPause bool
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Pages serves the web pages.
type Pages struct {
	svc          Service
	docs         DocumentRenderer
	allowPause   bool
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
	p := &Pages{svc: cfg.Service, log: cfg.Log, loc: sc.Location, docs: cfg.Documents, allowPause: cfg.AllowPause}
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

// funcs are the templates' helpers; none of them marks text as safe HTML.
var funcs = template.FuncMap{
	// dict passes several values to a shared template: dict "K" v "K2" v2.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// parsePages parses the layout and the shared parts once and every page
// file on a clone of them, so each page fills the layout's blocks with its
// own.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/parts.html")
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
		if name == "layout" || name == "parts" {
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
