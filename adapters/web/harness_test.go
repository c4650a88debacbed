package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	lhttp "github.com/langganan/langganan/adapters/http"
	"github.com/langganan/langganan/adapters/web"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

// env is the API and the pages on one Fiber app, as cmd/server mounts
// them, over the memory store, the fake gateway and a manual clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	svc   *core.Service
	gw    *coretest.Gateway
	clock *core.ManualClock
	// wall is the wall clock of sessions and portal links, apart from the
	// billing clock as in cmd/server: moving billing time keeps sessions.
	wall  *core.ManualClock
	store core.Store
	app   *lhttp.Server
	admin core.Actor
}

var start = time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, opts ...func(*core.Config, *web.Config)) *env {
	t.Helper()
	clock, wall := core.NewManualClock(start), core.NewManualClock(start)
	gw := coretest.NewGateway(clock)
	store := bolt.NewMemory()
	cfg := core.DefaultConfig()
	wcfg := web.Config{Log: zerolog.Nop()}
	for _, o := range opts {
		o(&cfg, &wcfg)
	}
	svc, err := core.NewService(core.Deps{Store: store, Gateway: gw, Clock: clock, Wall: wall, IDs: &coretest.SeqIDs{},
		Hasher: coretest.PlainHasher{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wcfg.Service = svc
	pages, err := web.New(wcfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := lhttp.NewServer(lhttp.Config{Service: svc, Log: zerolog.Nop(), Pages: pages.Mount, ThrottleDelay: -1, Clock: clock})
	e := &env{t: t, ctx: context.Background(), svc: svc, gw: gw, clock: clock, wall: wall, store: store, app: srv}
	if _, err := svc.EnsureAdmin(e.ctx, "admin", "admin-password"); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Authenticate(e.ctx, "admin", "admin-password")
	if err != nil {
		t.Fatal(err)
	}
	e.admin = core.Actor{UserID: a.ID, IsAdmin: true}
	return e
}

// user creates a customer.
func (e *env) user(name, locale string) core.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.admin, core.NewUserInput{Username: name, Password: name + "-password",
		Email: name + "@example.com", FirstName: strings.ToUpper(name[:1]) + name[1:], Locale: locale})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// browser is a cookie jar over the app.
type browser struct {
	e       *env
	cookies map[string]*http.Cookie
	// headers are sent with every request.
	headers map[string]string
}

func (e *env) browser() *browser {
	return &browser{e: e, cookies: map[string]*http.Cookie{}, headers: map[string]string{}}
}

// page is one answer.
type page struct {
	status int
	header http.Header
	body   string
	cookie map[string]*http.Cookie // set by this answer
}

func (b *browser) do(method, path string, form url.Values) page {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	res, err := b.e.app.App().Test(req, -1)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, header: res.Header, body: string(raw), cookie: map[string]*http.Cookie{}}
	for _, c := range res.Cookies() {
		p.cookie[c.Name] = c
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return p
}

func (b *browser) get(path string) page { return b.do("GET", path, nil) }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token in a page's forms.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token in the page (%d):\n%s", p.status, p.body)
	}
	return m[1]
}

// post sends a form from the page at from, with its CSRF token.
func (b *browser) post(from, action string, form url.Values) page {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.get(from).csrf(b.e.t))
	return b.do("POST", action, form)
}

// signIn signs a user in through the form.
func (b *browser) signIn(name, password string) page {
	b.e.t.Helper()
	return b.post("/sign-in", "/sign-in", url.Values{"username": {name}, "password": {password}, "next": {"/portal/"}})
}

func (p page) has(s string) bool { return strings.Contains(p.body, s) }
