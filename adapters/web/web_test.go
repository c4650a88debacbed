package web_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/web"
	"github.com/langganan/langganan/core"
)

func TestSignInOpensASessionAndSignOutEndsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	b := e.browser()
	if p := b.get("/portal/"); p.status != 303 || p.header.Get("Location") != "/sign-in?next=%2Fportal%2F" {
		t.Fatalf("portal before sign-in: %d to %q, want 303 to the sign-in form", p.status, p.header.Get("Location"))
	}
	p := b.signIn("budi", "budi-password")
	c := p.cookie["lgn_session"]
	if p.status != 303 || p.header.Get("Location") != "/portal/" || c == nil {
		t.Fatalf("sign-in: %d to %q, cookies %v", p.status, p.header.Get("Location"), p.cookie)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge != int(core.SessionTTL.Seconds()) {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain http, for the session's life", c)
	}
	stolen := *c
	if home := b.get("/portal/"); home.status != 200 || !home.has("<strong>budi</strong>") {
		t.Fatalf("portal after sign-in: %d\n%s", home.status, home.body)
	}
	out := b.post("/portal/", "/sign-out", nil)
	if out.status != 303 || out.header.Get("Location") != "/sign-in?done=signed_out" || out.cookie["lgn_session"] == nil {
		t.Fatalf("sign-out: %d to %q", out.status, out.header.Get("Location"))
	}
	// The session record is gone: a copy of the old cookie opens nothing.
	b2 := e.browser()
	b2.cookies["lgn_session"] = &stolen
	if p := b2.get("/portal/"); p.status != 303 {
		t.Errorf("old cookie after sign-out: %d, want a redirect to sign-in", p.status)
	}
}

func TestSessionCookieSecure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		publicURL string
		header    string
	}{
		{name: "behind a TLS proxy", header: "https"},
		{name: "public URL is https", publicURL: "https://billing.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *core.Config, _ *web.Config) { c.PublicURL = tc.publicURL })
			e.user("budi", "")
			b := e.browser()
			if tc.header != "" {
				b.headers["X-Forwarded-Proto"] = tc.header
			}
			p := b.signIn("budi", "budi-password")
			if c := p.cookie["lgn_session"]; c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie %+v, want Secure, HttpOnly, SameSite=Lax", c)
			}
		})
	}
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	tests := []struct {
		name, user, pass string
		status           int
		text             string
	}{
		{"wrong password", "budi", "nope-nope-nope", 401, "Nama pengguna atau kata sandi salah."},
		{"unknown user", "siti", "budi-password", 401, "Nama pengguna atau kata sandi salah."},
		{"empty", "", "", 400, "Isi nama pengguna dan kata sandi."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			p := b.signIn(tc.user, tc.pass)
			if p.status != tc.status || !p.has(tc.text) || p.cookie["lgn_session"] != nil {
				t.Fatalf("sign-in: %d, session cookie %v\n%s", p.status, p.cookie["lgn_session"], p.body)
			}
		})
	}
}

// A form POST without the CSRF token bound to the browser's cookie is
// refused with 403 and changes nothing.
func TestFormPostWithoutCSRFRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	tests := []struct {
		name  string
		token func(other string) string
	}{
		{"no token", func(string) string { return "" }},
		{"another browser's token", func(other string) string { return other }},
		{"garbage", func(string) string { return "x" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			other := e.browser().get("/sign-in").csrf(t)
			// Signing in: no session is opened.
			b := e.browser()
			b.get("/sign-in")
			p := b.do("POST", "/sign-in", url.Values{"username": {"budi"}, "password": {"budi-password"}, "csrf": {tc.token(other)}})
			if p.status != 403 || p.cookie["lgn_session"] != nil || !p.has("Formulir kedaluwarsa") {
				t.Fatalf("sign-in without a valid token: %d, cookie %v", p.status, p.cookie["lgn_session"])
			}
			// Signing out: the session stays.
			b.signIn("budi", "budi-password")
			signedIn := e.browser()
			signedIn.signIn("budi", "budi-password")
			other = signedIn.get("/portal/").csrf(t)
			p = b.do("POST", "/sign-out", url.Values{"csrf": {tc.token(other)}})
			if p.status != 403 || p.cookie["lgn_session"] != nil {
				t.Fatalf("sign-out without a valid token: %d", p.status)
			}
			if home := b.get("/portal/"); home.status != 200 {
				t.Fatalf("session after a refused sign-out: %d", home.status)
			}
		})
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	b := e.browser()
	pages := []page{b.get("/sign-in"), b.signIn("budi", "nope-nope-nope"), b.do("POST", "/sign-in", url.Values{})}
	b.signIn("budi", "budi-password")
	pages = append(pages, b.get("/portal/"), b.get("/portal/no-such-page"), b.do("POST", "/sign-out", url.Values{}))
	for _, p := range pages {
		csp := p.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%d page: CSP %q lacks %q", p.status, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP allows inline code: %q", csp)
		}
		if p.header.Get("X-Content-Type-Options") != "nosniff" || p.header.Get("Referrer-Policy") != "no-referrer" ||
			p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%d page: headers %v", p.status, p.header)
		}
	}
}

// Pages carry no inline script, style attribute or event handler (the CSP
// would block them, and with them the page).
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	t.Parallel()
	inline := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile("templates/" + path)
		if err != nil {
			return err
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s: inline code %q", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	e.user("john", "en")
	id := e.browser()
	id.signIn("budi", "budi-password")
	if p := id.get("/portal/"); !p.has(`<html lang="id">`) || !p.has("Portal pelanggan") || !p.has(`href="/portal/?lang=en"`) {
		t.Errorf("default: want Indonesian with a switch to English\n%s", p.body)
	}
	en := e.browser()
	en.signIn("john", "john-password")
	if p := en.get("/portal/"); !p.has(`<html lang="en">`) || !p.has("Customer portal") {
		t.Errorf("a user with locale en: want English\n%s", p.body)
	}
	// The switch overrides the user's locale, is remembered, and works
	// before sign-in too.
	p := en.get("/portal/?lang=id")
	if p.status != 303 || p.header.Get("Location") != "/portal/" || p.cookie["lgn_lang"] == nil || p.cookie["lgn_lang"].Value != "id" {
		t.Fatalf("switch: %d to %q, cookie %v", p.status, p.header.Get("Location"), p.cookie["lgn_lang"])
	}
	if p := en.get("/portal/"); !p.has("Portal pelanggan") {
		t.Errorf("after switching to Indonesian\n%s", p.body)
	}
	anon := e.browser()
	anon.get("/sign-in?lang=en")
	if p := anon.get("/sign-in"); !p.has("Sign in to manage") {
		t.Errorf("sign-in page after switching to English\n%s", p.body)
	}
}

// After sign-in the browser goes where it was headed, but only to a page
// of this site.
func TestSignInNextStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	for next, want := range map[string]string{
		"/portal/?x=1":         "/portal/?x=1",
		"//evil.example/":      "/portal/",
		"https://evil.example": "/portal/",
		"/\\evil.example":      "/portal/",
		"":                     "/portal/",
	} {
		b := e.browser()
		p := b.post("/sign-in", "/sign-in", url.Values{"username": {"budi"}, "password": {"budi-password"}, "next": {next}})
		if p.status != 303 || p.header.Get("Location") != want {
			t.Errorf("next %q: %d to %q, want %q", next, p.status, p.header.Get("Location"), want)
		}
	}
}

// Failed sign-ins on the pages and on the API count towards one lockout:
// the pages use the API's sign-in guard, not a throttle of their own.
func TestSignInLockoutSharedWithTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	b := e.browser()
	for i := range 10 {
		if p := b.signIn("budi", "wrong-password"); p.status != 401 {
			t.Fatalf("failure %d: %d", i, p.status)
		}
	}
	req, _ := http.NewRequest("GET", "/api/me/", nil)
	req.SetBasicAuth("budi", "budi-password")
	res, err := e.app.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 429 {
		t.Fatalf("API sign-in after 10 failures on the pages: %d, want 429", res.StatusCode)
	}
	if p := b.signIn("budi", "budi-password"); p.status != 429 || p.header.Get("Retry-After") == "" || p.cookie["lgn_session"] != nil {
		t.Fatalf("page sign-in while locked out: %d, Retry-After %q", p.status, p.header.Get("Retry-After"))
	}
}

// Every text key a template uses exists in both languages, and no text is
// empty.
func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	keyRE := regexp.MustCompile(`\.T\.([a-z0-9_]+)|\bt\["([a-z0-9_]+)"\]`)
	used := map[string]bool{}
	err := fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".go")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]+m[2]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range web.ErrorKeys() {
		used["err_"+k+"_title"], used["err_"+k] = true, true
	}
	if len(used) < 10 {
		t.Fatalf("found only %d keys in use", len(used))
	}
	for _, lang := range []string{"id", "en"} {
		cat := web.Catalog(lang)
		for k := range used {
			if cat[k] == "" {
				t.Errorf("%s: key %q used but missing", lang, k)
			}
		}
		for k, v := range cat {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: key %q is empty", lang, k)
			}
		}
	}
}

// A session ends after core.SessionTTL of wall time, however the billing
// clock moves.
func TestSessionExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("budi", "")
	b := e.browser()
	b.signIn("budi", "budi-password")
	e.clock.Advance(90 * 24 * time.Hour) // the billing clock: the session stays
	if p := b.get("/portal/"); p.status != 200 {
		t.Fatalf("after moving the billing clock: %d", p.status)
	}
	e.wall.Advance(core.SessionTTL)
	p := b.get("/portal/")
	if p.status != 303 || !strings.HasPrefix(p.header.Get("Location"), "/sign-in") {
		t.Fatalf("after the session's life: %d to %q", p.status, p.header.Get("Location"))
	}
	if c := p.cookie["lgn_session"]; c == nil || c.Value != "" || !c.Expires.Before(time.Now()) {
		t.Errorf("the dead session's cookie is not cleared: %v", c)
	}
}
